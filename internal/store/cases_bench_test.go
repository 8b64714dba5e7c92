package store_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/crypt"
	"github.com/corridor-platform/corridor/internal/people"
	"github.com/corridor-platform/corridor/internal/store"
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
		f := keptCaseFixture(b, e, n)
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

// keptCaseFixture is the case fixture with n synthetic cases loaded. With
// CORRIDOR_BENCH_KEEP=DIR (SQLite only), the loaded database and its key
// are kept in DIR and reused by the next run with the same DIR, so that a
// 1,000,000-case measurement does not load for 15 minutes each time.
func keptCaseFixture(b *testing.B, e storetest.Engine, n int) *caseFixture {
	dir := os.Getenv("CORRIDOR_BENCH_KEEP")
	if dir == "" || e.Name != "sqlite" {
		f := newCaseFixture(b, e)
		start := time.Now()
		f.loadSynthetic(b, n, 11)
		b.Logf("%s: %d synthetic cases loaded in %s", e.Name, n, time.Since(start).Round(time.Millisecond))
		return f
	}
	dsn, keyFile := filepath.Join(dir, "corridor.db"), filepath.Join(dir, "key")
	if _, err := os.Stat(keyFile); err != nil {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			b.Fatal(err)
		}
		f := newCaseFixture(b, storetest.Engine{Name: e.Name, DSN: dsn})
		kb, err := crypt.GenerateKeyFile()
		if err != nil {
			b.Fatal(err)
		}
		k, err := crypt.ParseKeyring(kb)
		if err != nil {
			b.Fatal(err)
		}
		f.db.SetKeys(k)
		start := time.Now()
		f.loadSynthetic(b, n, 11)
		b.Logf("%s: %d synthetic cases loaded in %s (kept in %s)", e.Name, n, time.Since(start).Round(time.Millisecond), dir)
		// The key last: its presence says the load is complete.
		if err := os.WriteFile(keyFile, kb, 0o600); err != nil {
			b.Fatal(err)
		}
		return f
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	kb, err := os.ReadFile(keyFile)
	if err != nil {
		b.Fatal(err)
	}
	k, err := crypt.ParseKeyring(kb)
	if err != nil {
		b.Fatal(err)
	}
	db.SetKeys(k)
	var cases int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&cases); err != nil || cases != n {
		b.Fatalf("%s holds %d cases (%v), not CORRIDOR_BENCH_CASES=%d: use another directory", dir, cases, err, n)
	}
	f := &caseFixture{db: db, cs: db.Cases(), ids: map[string]int64{}, teamOf: map[string]int64{}, ctx: ctx}
	for name, dst := range map[string]**auth.Principal{"w1": &f.w1, "w2": &f.w2, "w3": &f.w3, "sup": &f.sup, "admin": &f.admin, "wb": &f.wb, "supb": &f.supB} {
		var id int64
		if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM users WHERE username = $1`, "user-"+name).Scan(&id); err != nil {
			b.Fatalf("user-%s in %s: %v", name, dir, err)
		}
		f.ids[name] = id
		if *dst, err = db.Accounts().Principal(ctx, id, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: %d synthetic cases reused from %s", e.Name, n, dir)
	return f
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
