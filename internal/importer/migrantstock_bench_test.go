//go:build unix

package importer

import (
	"bufio"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/store"
)

// BenchmarkMigrantStockBilateral measures Corridor's import of the IMS 2019
// bilateral matrices alone (three CSVs: 451,483 long-format rows stored —
// 444,697 numbers in origin columns, 5,730 in "Total", and 1,056 ".." or "-"
// cells as missing): read, match, validate, sort and write inside
// one transaction into a fresh SQLite file whose observations table keeps its
// primary key, counterpart index and foreign key. The reference geography is
// imported before the timer starts. Besides ns/op it reports the process CPU
// time per import (cpu-ms/op), which a busy machine disturbs less than wall
// time. Compare with TestMigrantStockLongCSV below.
//
//	go test -run '^$' -bench MigrantStockBilateral -benchtime 3x ./internal/importer/
func BenchmarkMigrantStockBilateral(b *testing.B) {
	ds := bilateralOnly()
	ctx := context.Background()
	var cpu time.Duration
	var rows int64
	for b.Loop() {
		b.StopTimer()
		db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		rn := &Runner{DB: db, Registry: NewRegistry(Countries(), ds), DataDir: filepath.Join("..", "..", "data")}
		if _, err := rn.Run(ctx, "countries", nil); err != nil {
			b.Fatal(err)
		}
		c0 := cpuTime()
		b.StartTimer()
		rep, err := rn.Run(ctx, ds.Name, nil)
		b.StopTimer()
		cpu += cpuTime() - c0
		if err != nil {
			b.Fatal(err)
		}
		if rep.Rejected != 0 {
			b.Fatalf("%d rejected", rep.Rejected)
		}
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+db.AllObservations()).Scan(&rows); err != nil {
			b.Fatal(err)
		}
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(rows), "rows")
}

// bilateralOnly is the un-migrant-stock dataset restricted to the three
// matrices.
func bilateralOnly() Dataset {
	files := MigrantStockFiles(filepath.Join("..", "..", "data"))
	ds := MigrantStock()
	ds.Name, ds.Usage = "un-migrant-stock-bilateral", "the three matrices"
	ds.DefaultFiles = func(string) []string { return files[1:] }
	ds.CheckFiles = nil
	ds.Load = func(ctx context.Context, tx *store.Tx, files []string, rec *Recorder) error {
		return loadMS(ctx, tx, "", files, rec)
	}
	return ds
}

// BenchmarkMigrantStockReimportBilateral measures the same import over a
// previous one in the same database: the 451,483 stored rows are deleted
// and written again, in one transaction.
//
//	go test -run '^$' -bench MigrantStockReimportBilateral -benchtime 3x ./internal/importer/
func BenchmarkMigrantStockReimportBilateral(b *testing.B) {
	ds := bilateralOnly()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	rn := &Runner{DB: db, Registry: NewRegistry(Countries(), ds), DataDir: filepath.Join("..", "..", "data")}
	if _, err := rn.Run(ctx, "countries", nil); err != nil {
		b.Fatal(err)
	}
	if _, err := rn.Run(ctx, ds.Name, nil); err != nil {
		b.Fatal(err)
	}
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		// Force a reload: forget the stored checksum.
		if _, err := db.SQL().ExecContext(ctx, `DELETE FROM datasets WHERE name = ?`, ds.Name); err != nil {
			b.Fatal(err)
		}
		c0 := cpuTime()
		b.StartTimer()
		rep, err := rn.Run(ctx, ds.Name, nil)
		b.StopTimer()
		cpu += cpuTime() - c0
		if err != nil {
			b.Fatal(err)
		}
		if rep.Rejected != 0 {
			b.Fatalf("%d rejected", rep.Rejected)
		}
		b.StartTimer()
	}
	var rows int64
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+db.AllObservations()).Scan(&rows); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(rows), "rows")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestMigrantStockLongCSV writes the rows the benchmark above stores as a
// long CSV (year, destination, origin, sex, value; names as the matrices
// write them) for the side-by-side measurement with the sqlite3 shell. It
// runs only when MS_LONG_CSV names the output file:
//
//	MS_LONG_CSV=/tmp/ims2019_long.csv go test -run TestMigrantStockLongCSV ./internal/importer/
//	rm -f /tmp/bare.db; time sqlite3 /tmp/bare.db -cmd ".mode csv" ".import /tmp/ims2019_long.csv obs"
//
// The rows are every non-empty cell of the origin columns and of "Total",
// leaving out what the importer skips: the section headings, the regions
// the SDG section repeats with identical figures, and "Other South/North".
func TestMigrantStockLongCSV(t *testing.T) {
	out := os.Getenv("MS_LONG_CSV")
	if out == "" {
		t.Skip("MS_LONG_CSV not set")
	}
	skip := map[string]bool{}
	for _, h := range bilateralHeadings {
		skip[h] = true
	}
	for _, r := range []string{"LATIN AMERICA AND THE CARIBBEAN", "OCEANIA", "EUROPE", "NORTHERN AMERICA"} {
		skip[r] = true
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	w.Write([]string{"year", "destination", "origin", "sex", "value"})
	n := 0
	files := MigrantStockFiles(filepath.Join("..", "..", "data"))[1:]
	for i, sex := range []string{"total", "male", "female"} {
		in, err := os.Open(files[i])
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(in)
		header, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if skip[rec[1]] {
				continue
			}
			for j := 2; j < len(rec); j++ {
				if rec[j] == "" || slices.Contains(bilateralResidual, header[j]) {
					continue
				}
				w.Write([]string{rec[0], rec[1], header[j], sex, rec[j]})
				n++
			}
		}
		in.Close()
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rows written to %s", n, out)
}
