package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/corridor-platform/corridor/internal/store"
)

// benchStatsDB opens a database with all shipped data, as serve has it
// after its first start. Importing everything takes tens of seconds; set
// CORRIDOR_BENCH_DB to a database file a previous `corridor serve` filled
// and the benchmark works on a copy of it instead.
func benchStatsDB(b *testing.B) *store.DB {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "bench.db")
	if src := os.Getenv("CORRIDOR_BENCH_DB"); src != "" {
		in, err := os.ReadFile(src)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, in, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	cfg := &Config{DB: path, BodyLimit: 1 << 20, DataDir: dataDir, Load: "all"}
	e := &env{stderr: io.Discard, getenv: func(string) string { return "" }}
	db, closeKeys, err := openWithKeys(ctx, e, cfg, quietLog())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { closeKeys(); db.Close() })
	if err := loadShippedData(ctx, e, cfg, db, quietLog()); err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkStatistics measures the statistics answers through the full
// handler stack on SQLite with all shipped data loaded: the data API, the
// country profile page and the corridor page.
//
//	go test ./cmd/corridor -run '^$' -bench Statistics -benchtime 2s
func BenchmarkStatistics(b *testing.B) {
	db := benchStatsDB(b)
	cfg := &Config{DB: "unused", BodyLimit: 1 << 20, DataDir: dataDir}
	h, err := buildHandler(cfg, db, quietLog())
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, path string }{
		{"data-migrant-stock-KEN", "/api/v1/data?indicator=migrant_stock&area=KEN"},
		{"data-share-3-areas", "/api/v1/data?indicator=migrant_share_of_population&area=KEN,UGA,TZA&period=2000:2020"},
		{"data-sdg-10-7-4-SYR", "/api/v1/data?indicator=sdg_10_7_4&area=SYR"},
		{"page-country-KEN", "/countries/KEN"},
		{"page-corridor-MEX-USA", "/corridors/MEX-USA"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, bc.path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: status %d", bc.path, rec.Code)
				}
			}
		})
	}
}
