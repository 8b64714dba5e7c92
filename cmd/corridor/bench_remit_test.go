package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/remit"
	"github.com/corridor-platform/corridor/internal/store"
)

// BenchmarkRemit stores CORRIDOR_BENCH_QUOTES generated quotes (default
// 1,000,000; remit.GenerateQuotes, shaped like RPW) in a fresh SQLite file
// and measures:
//
//   - sender-api: GET /api/v1/remittances/quotes through the full handler
//     stack, 32 concurrent requests, rotating over 50 corridors; it reports
//     the p50 and p99 latency;
//   - recompute-store: every corridor, regional, sending, receiving,
//     global and SmaRT aggregate of every quarter, recomputed from the
//     database (store.ComputeRemitAggregates: a scan of all quotes and
//     remit.Aggregator);
//   - recompute-memory: the same from quotes in memory (remit.Aggregate);
//   - replace-rpw-144, replace-rpw-10000: an RPW import of 144 (the shipped
//     excerpt's size) or 10,000 quotes under another file name, whose
//     quotes repeat generated ones, next to the 1,000,000 stored
//     (store.ReplaceRPWQuotes: the insert and the cross-file replacement,
//     DELETE … EXISTS), rolled back after each run.
//
// go test ./cmd/corridor/ -run '^$' -bench BenchmarkRemit -benchtime 2000x
//
// CORRIDOR_BENCH_KEEP_DB=/tmp/remit1m.db keeps the database for a load test
// of the running server (tools/loadtest); when the file exists already
// (a database an earlier run kept), it is reused as it is: the quotes are
// not stored again.
func BenchmarkRemit(b *testing.B) {
	ctx := context.Background()
	n := 1_000_000
	if s := os.Getenv("CORRIDOR_BENCH_QUOTES"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v > 0 {
			n = v
		}
	}
	cfg := &Config{DB: filepath.Join(b.TempDir(), "remit.db"), BodyLimit: 1 << 20, DataDir: dataDir}
	// CORRIDOR_BENCH_KEEP_DB=FILE (a new file) keeps the database, for a
	// load test of `corridor serve --db FILE` with the same quotes.
	reuse := false
	if keep := os.Getenv("CORRIDOR_BENCH_KEEP_DB"); keep != "" {
		_, err := os.Stat(keep)
		reuse = err == nil
		cfg.DB = keep
	}
	db, err := openDB(ctx, cfg, quietLog())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Accounts().EnsureBuiltinRoles(ctx); err != nil {
		b.Fatal(err)
	}
	quotes := remit.GenerateQuotes(n, 1)
	if reuse {
		b.Logf("reusing the %d generated quotes of %s", n, cfg.DB)
	} else {
		start := time.Now()
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return store.ReplaceRemitQuotes(ctx, tx, store.RemitSource{Source: "import:generated.csv", Layout: "generated"}, quotes, false)
		})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("stored %d generated quotes in %s", n, time.Since(start).Round(time.Millisecond))
	}
	// Re-imports of some of the same survey rows under another file name.
	again := slices.Clone(quotes[:min(10_000, len(quotes))])
	db.SetRecheckInterval(time.Second) // as serve runs
	var corridors []remit.Corridor
	seen := map[remit.Corridor]bool{}
	for i := range quotes {
		if c := quotes[i].Corridor; !seen[c] && len(corridors) < 50 {
			seen[c] = true
			corridors = append(corridors, c)
		}
	}
	// The generated quotes (hundreds of MB) are not kept while the server
	// is measured: the collector would mark them at every cycle.
	quotes = nil
	runtime.GC()

	b.Run("sender-api", func(b *testing.B) {
		h, err := buildHandler(cfg, db, quietLog())
		if err != nil {
			b.Fatal(err)
		}
		// Steady state, as a server that has answered each corridor once
		// since the last data change: the first request of a corridor
		// reads its latest quotes from the database (timed here).
		t0 := time.Now()
		for _, c := range corridors {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/remittances/quotes?from="+c.From+"&to="+c.To+"&amount=200&currency=USD", nil))
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
		b.Logf("first request of %d corridors: %s each on average", len(corridors), (time.Since(t0) / time.Duration(len(corridors))).Round(time.Microsecond))
		var mu sync.Mutex
		var lat []time.Duration
		conc := 32
		if s := os.Getenv("CORRIDOR_BENCH_CONC"); s != "" {
			conc, _ = strconv.Atoi(s)
		}
		b.SetParallelism(max(1, conc/runtime.GOMAXPROCS(0))) // 32 concurrent requests by default
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			local := make([]time.Duration, 0, 1024)
			for pb.Next() {
				c := corridors[i%len(corridors)]
				amount := 200 + 300*(i%2)
				t0 := time.Now()
				req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/api/v1/remittances/quotes?from=%s&to=%s&amount=%d&currency=USD", c.From, c.To, amount), nil)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				local = append(local, time.Since(t0))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				i++
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		})
		b.StopTimer()
		slices.Sort(lat)
		if len(lat) > 0 {
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "p90-ms")
		}
	})
	b.Run("recompute-store", func(b *testing.B) {
		for b.Loop() {
			a, err := db.ComputeRemitAggregates(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if a.Quotes < n/3 {
				b.Fatalf("%d USD 200 quotes read of %d", a.Quotes, n)
			}
		}
	})
	for _, size := range []int{144, 10_000} {
		b.Run("replace-rpw-"+strconv.Itoa(size), func(b *testing.B) {
			part := again[:min(size, len(again))]
			errRollback := errors.New("rolled back")
			var replaced int64
			for b.Loop() {
				err := db.InTx(ctx, func(tx *store.Tx) error {
					var err error
					replaced, err = store.ReplaceRPWQuotes(ctx, tx, store.RemitSource{Source: "import:generated-again.csv", Layout: "generated"}, part, false)
					if err != nil {
						return err
					}
					return errRollback
				})
				if !errors.Is(err, errRollback) {
					b.Fatal(err)
				}
			}
			if replaced < int64(len(part))/2 {
				b.Fatalf("%d quotes replaced by %d", replaced, len(part))
			}
			b.ReportMetric(float64(replaced), "replaced")
		})
	}
	b.Run("recompute-memory", func(b *testing.B) {
		quotes := remit.GenerateQuotes(n, 1)
		for b.Loop() {
			if a := remit.Aggregate(quotes, remit.AggregateOptions{}); len(a.Corridors) == 0 {
				b.Fatal("no corridors")
			}
		}
	})
}
