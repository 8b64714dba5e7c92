package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/store"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// BenchmarkImportCountries measures a full import of the reference data
// (five files, parse + match + one transaction) into a fresh SQLite file.
func BenchmarkImportCountries(b *testing.B) {
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rn := &importer.Runner{DB: db, Registry: importer.Builtin(), DataDir: dataDir}
		if _, err := rn.Run(ctx, "countries", nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}

// BenchmarkCountryAPI measures GET /api/v1/countries/{iso3} through the
// full handler stack (security headers, metrics, routing, store, JSON) on
// SQLite.
func BenchmarkCountryAPI(b *testing.B) {
	ctx := context.Background()
	cfg := &Config{DB: filepath.Join(b.TempDir(), "bench.db"), BodyLimit: 1 << 20, DataDir: dataDir}
	db, err := openDB(ctx, cfg, quietLog())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	// The public role's grants decide these reads, as in serve.
	if err := db.Accounts().EnsureBuiltinRoles(ctx); err != nil {
		b.Fatal(err)
	}
	rn := &importer.Runner{DB: db, Registry: importer.Builtin(), DataDir: dataDir}
	if _, err := rn.Run(ctx, "countries", nil); err != nil {
		b.Fatal(err)
	}
	// As serve runs (--recheck-ms default): versions are reread once a
	// second, not on every request.
	db.SetRecheckInterval(time.Second)
	h, err := buildHandler(cfg, db, quietLog())
	if err != nil {
		b.Fatal(err)
	}
	codes := []string{"KEN", "DEU", "PHL", "MEX", "NGA"}
	b.ReportAllocs()
	b.ResetTimer() // the database and import above are setup, not the measured request
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/countries/"+codes[i%len(codes)], nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatalf("status %d", rec.Code)
			}
			i++
		}
	})
}
