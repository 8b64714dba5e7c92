package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/labour/match"
	"github.com/corridor-platform/corridor/internal/store"
)

// BenchmarkLabour measures labour mobility on the benchmark population
// (corridor labour generate: 100,000 worker profiles and 10,000 vacancies
// made from the real ESCO occupation profiles, imported first):
//
//   - import-isco-esco: both imports from the shipped files;
//   - index-build: the matching indexes built from the database (after
//     any change to workers or vacancies, on the next matching request);
//   - candidates-api: GET /api/v1/vacancies/{id}/candidates?limit=20 through
//     the full handler stack as the employer, one request at a time over
//     500 different vacancies; p50 and p99;
//   - vacancies-api: GET /api/v1/workers/{id}/vacancies?limit=20 as the
//     agency, over 500 different workers; p50 and p99;
//   - assign: the optimal assignment (min-cost flow) of 10,000 workers to
//     1,000 vacancies (their open positions, ~10,000), with the greedy
//     total beside it.
//
// go test ./cmd/corridor/ -run '^$' -bench BenchmarkLabour -benchtime 1x -timeout 30m -v
//
// CORRIDOR_BENCH_LABOUR_WORKERS / _VACANCIES change the sizes.
func BenchmarkLabour(b *testing.B) {
	ctx := context.Background()
	nw, nv := envInt("CORRIDOR_BENCH_LABOUR_WORKERS", 100_000), envInt("CORRIDOR_BENCH_LABOUR_VACANCIES", 10_000)
	app := newTestApp(b, filepath.Join(b.TempDir(), "labour.db"))
	db := app.db
	db.SetRecheckInterval(time.Second) // as serve runs
	t0 := time.Now()
	rn := &importer.Runner{DB: db, Registry: importer.Builtin(), DataDir: dataDir}
	for _, ds := range []string{"isco", "esco"} {
		if _, err := rn.Run(ctx, ds, nil); err != nil {
			b.Fatal(err)
		}
	}
	importTime := time.Since(t0)
	tax, err := db.LabourTaxonomy(ctx)
	if err != nil {
		b.Fatal(err)
	}
	ws, vs := labour.Population(tax, nw, nv, 1)
	t0 = time.Now()
	if err := db.BulkLoadLabour(ctx, 0, app.orgID, app.orgID, ws, vs); err != nil {
		b.Fatal(err)
	}
	b.Logf("imported ISCO + ESCO in %s; stored %d workers and %d vacancies in %s", importTime.Round(time.Millisecond), nw, nv,
		time.Since(t0).Round(time.Millisecond))
	b.Logf("import-s %.2f", importTime.Seconds())

	employer := principalOf(b, app, auth.RoleEmployer)
	t0 = time.Now()
	if _, _, err := db.Labour().Candidates(ctx, employer, vs[0].ID, 20); err != nil {
		b.Fatal(err)
	}
	b.Logf("index built in %s (first matching request after a change)", time.Since(t0).Round(time.Millisecond))

	// One more registration: the next matching request rebuilds the
	// indexes, reading only the changed row (incremental).
	agencyP := principalOf(b, app, auth.RoleLabourAgency)
	extra := ws[0]
	extra.ID = 0
	if _, err := db.Labour().CreateWorker(ctx, agencyP, extra); err != nil {
		b.Fatal(err)
	}
	t0 = time.Now()
	if _, _, err := db.Labour().Candidates(ctx, employer, vs[0].ID, 20); err != nil {
		b.Fatal(err)
	}
	b.Logf("index rebuilt after one registration in %s", time.Since(t0).Round(time.Millisecond))

	latencies := func(b *testing.B, role string, paths []string) {
		var lat []time.Duration
		for range b.N {
			for _, p := range paths {
				t0 := time.Now()
				rec := app.do(b, role, http.MethodGet, p, "")
				lat = append(lat, time.Since(t0))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", p, rec.Code, rec.Body)
				}
			}
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
	b.Run("candidates-api", func(b *testing.B) {
		var paths []string
		for i := 0; i < 500; i++ {
			paths = append(paths, fmt.Sprintf("/api/v1/vacancies/%d/candidates?limit=20", vs[i*len(vs)/500].ID))
		}
		latencies(b, auth.RoleEmployer, paths)
	})
	b.Run("vacancies-api", func(b *testing.B) {
		var paths []string
		for i := 0; i < 500; i++ {
			paths = append(paths, fmt.Sprintf("/api/v1/workers/%d/vacancies?limit=20", ws[i*len(ws)/500].ID))
		}
		latencies(b, auth.RoleLabourAgency, paths)
	})
	b.Run("assign", func(b *testing.B) {
		var mws []match.Worker
		for _, w := range ws[:min(10_000, len(ws))] {
			mws = append(mws, store.MatchWorker(w))
		}
		var mvs []match.Vacancy
		positions := 0
		for _, v := range vs[:min(1_000, len(vs))] {
			mvs = append(mvs, store.MatchVacancy(v))
			positions += v.Positions
		}
		var plan match.Plan
		b.ResetTimer()
		for range b.N {
			if plan, err = match.Assign(mws, mvs); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		greedy := match.Greedy(mws, mvs)
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/assignment")
		b.ReportMetric(float64(plan.Total), "optimal-total")
		b.ReportMetric(float64(greedy.Total), "greedy-total")
		b.ReportMetric(float64(len(plan.Pairs)), "optimal-pairs")
		b.ReportMetric(float64(len(greedy.Pairs)), "greedy-pairs")
		b.ReportMetric(100*float64(plan.Total-greedy.Total)/float64(max(1, greedy.Total)), "gain-%")
		b.Logf("%d workers, %d vacancies with %d positions: optimal %d (%d pairs), greedy %d (%d pairs)", len(mws), len(mvs), positions,
			plan.Total, len(plan.Pairs), greedy.Total, len(greedy.Pairs))
	})
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// principalOf is the principal of the test app's user of a role.
func principalOf(b testing.TB, app *testApp, role string) *auth.Principal {
	b.Helper()
	id, err := app.db.Accounts().UserID(context.Background(), "u-"+role)
	if err != nil {
		b.Fatal(err)
	}
	p, err := app.db.Accounts().Principal(context.Background(), id, nil)
	if err != nil {
		b.Fatal(err)
	}
	return p
}
