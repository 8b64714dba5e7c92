package store_test

import (
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/people"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// benchCases is the size of the caseload the list and open benchmarks
// fill (CORRIDOR_BENCH_CASES, default 100000).
func benchCases() int {
	if n, err := strconv.Atoi(os.Getenv("CORRIDOR_BENCH_CASES")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchEngines are the engines the case benchmarks run on:
// CORRIDOR_BENCH_ENGINE=sqlite or postgres keeps one (a 1,000,000-case
// load takes minutes per engine).
func benchEngines(b *testing.B) []storetest.Engine {
	only := os.Getenv("CORRIDOR_BENCH_ENGINE")
	return slices.DeleteFunc(storetest.Engines(b), func(e storetest.Engine) bool { return only != "" && e.Name != only })
}

// BenchmarkCaseCreate registers a person and a trafficking case: person
// and case encrypted, blocking keys, audit entry, one transaction each.
func BenchmarkCaseCreate(b *testing.B) {
	for _, e := range benchEngines(b) {
		f := newCaseFixture(b, e)
		i := 0
		b.Run(e.Name, func(b *testing.B) {
			for range b.N {
				i++
				_, _, err := f.cs.CreateWithPerson(f.ctx, f.w1, people.Person{GivenName: "Awa" + strconv.Itoa(i), FamilyName: "Diop",
					BirthDate: "1995-02-03", Sex: "female", Nationality: "SEN", DocumentType: "none"},
					cases.Case{Kind: cases.KindTrafficking, OrgID: f.orgA.ID, TeamID: f.teamA1.ID, OwnerID: f.ids["w1"], OpenedOn: "2024-03-01", Trafficking: trafficking()})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cases/s")
		})
	}
}

// BenchmarkCaseListOpen fills benchCases() synthetic cases, then measures
// a filtered list page (status, owner, nationality: as a case worker, a
// supervisor and an organisation administrator) and opening one case.
func BenchmarkCaseListOpen(b *testing.B) {
	n := benchCases()
	for _, e := range benchEngines(b) {
		f := newCaseFixture(b, e)
		start := time.Now()
		f.loadSynthetic(b, n, 11)
		b.Logf("%s: %d synthetic cases loaded in %s", e.Name, n, time.Since(start).Round(time.Millisecond))
		b.Run(e.Name, func(b *testing.B) {
			if _, err := f.db.SQL().ExecContext(f.ctx, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
			for _, x := range []struct {
				name string
				p    *auth.Principal
				f    cases.Filter
			}{
				{"worker-status", f.w1, cases.Filter{Status: cases.StatusActive, Limit: 50}},
				{"worker-nationality", f.w1, cases.Filter{Nationality: "PHL", Limit: 50}},
				{"supervisor-owner-status", f.sup, cases.Filter{OwnerID: f.ids["w2"], Status: cases.StatusFollowUp, Limit: 50}},
				{"orgadmin-status-nationality", f.admin, cases.Filter{Status: cases.StatusClosed, Nationality: "UKR", Limit: 50}},
				{"orgadmin-all", f.admin, cases.Filter{Limit: 50}},
			} {
				b.Run("list-"+x.name, func(b *testing.B) {
					var ds []time.Duration
					for b.Loop() {
						t0 := time.Now()
						if _, err := f.cs.List(f.ctx, x.p, x.f); err != nil {
							b.Fatal(err)
						}
						ds = append(ds, time.Since(t0))
					}
					reportPercentiles(b, ds)
				})
			}
			page, err := f.cs.List(f.ctx, f.w1, cases.Filter{Limit: 50})
			if err != nil || len(page.Items) == 0 {
				b.Fatal(err)
			}
			b.Run("open", func(b *testing.B) {
				i := 0
				var ds []time.Duration
				for b.Loop() {
					t0 := time.Now()
					if _, err := f.cs.Get(f.ctx, f.w1, page.Items[i%len(page.Items)].CaseID); err != nil {
						b.Fatal(err)
					}
					ds = append(ds, time.Since(t0))
					i++
				}
				reportPercentiles(b, ds)
			})
		})
	}
}

// reportPercentiles reports the median and 99th percentile of the timed
// operations, in milliseconds.
func reportPercentiles(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	at := func(q float64) float64 {
		return float64(ds[min(len(ds)-1, int(q*float64(len(ds))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
