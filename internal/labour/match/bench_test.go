package match

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// Benchmark population: 3,000 occupations in 432 ISCO unit groups over
// 14,000 skills, 10–30 essential and 10–30 optional skills each; 100,000
// workers and 10,000 vacancies.
var bigPop = sync.OnceValues(func() ([]Worker, []Vacancy) {
	ps := syntheticProfiles(1, 3000, 432, 14000, 10, 30)
	return Generate(ps, GenerateOptions{Workers: 100_000, Vacancies: 10_000, Seed: 42})
})

var (
	bigWorkerIndex  = sync.OnceValue(func() *WorkerIndex { ws, _ := bigPop(); return NewWorkerIndex(ws) })
	bigVacancyIndex = sync.OnceValue(func() *VacancyIndex { _, vs := bigPop(); return NewVacancyIndex(vs) })
)

// reportLatency reports p50/p99/max of per-query durations in ms.
func reportLatency(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	at := func(q float64) float64 {
		return float64(ds[min(len(ds)-1, int(q*float64(len(ds))))]) / 1e6
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(float64(ds[len(ds)-1])/1e6, "max-ms")
}

// BenchmarkCandidates ranks the top 50 workers for a different vacancy at
// each iteration.
func BenchmarkCandidates(b *testing.B) {
	_, vs := bigPop()
	ix := bigWorkerIndex()
	var ds []time.Duration
	found := 0
	i := 0
	for b.Loop() {
		t0 := time.Now()
		found += len(ix.Candidates(vs[i%len(vs)], 50))
		ds = append(ds, time.Since(t0))
		i++
	}
	reportLatency(b, ds)
	b.ReportMetric(float64(found)/float64(i), "results/op")
}

// BenchmarkVacanciesFor ranks the top 20 vacancies for a different worker
// at each iteration.
func BenchmarkVacanciesFor(b *testing.B) {
	ws, _ := bigPop()
	ix := bigVacancyIndex()
	var ds []time.Duration
	found := 0
	i := 0
	for b.Loop() {
		t0 := time.Now()
		found += len(ix.VacanciesFor(ws[(i*7919)%len(ws)], 20))
		ds = append(ds, time.Since(t0))
		i++
	}
	reportLatency(b, ds)
	b.ReportMetric(float64(found)/float64(i), "results/op")
}

// BenchmarkAssign solves a recruitment drive of 10,000 workers for 1,000
// vacancies (about 10,500 positions) drawn from the benchmark population
// and compares the optimum with Greedy.
func BenchmarkAssign(b *testing.B) {
	ps := syntheticProfiles(1, 3000, 432, 14000, 10, 30)
	ws, vs := Generate(ps, GenerateOptions{Workers: 10_000, Vacancies: 1_000, Seed: 7})
	positions := 0
	for _, v := range vs {
		positions += v.Positions
	}
	var p Plan
	var total time.Duration
	n := 0
	for b.Loop() {
		t0 := time.Now()
		var err error
		if p, err = Assign(ws, vs); err != nil {
			b.Fatal(err)
		}
		total += time.Since(t0)
		n++
	}
	g := Greedy(ws, vs)
	b.ReportMetric(total.Seconds()/float64(n), "s/assign")
	b.ReportMetric(float64(p.Total), "optimal-total")
	b.ReportMetric(float64(g.Total), "greedy-total")
	b.ReportMetric(100*float64(p.Total-g.Total)/float64(g.Total), "gain-%")
	b.ReportMetric(float64(len(p.Pairs)), "assigned")
	b.ReportMetric(float64(len(g.Pairs)), "greedy-assigned")
	b.ReportMetric(float64(positions), "positions")
}
