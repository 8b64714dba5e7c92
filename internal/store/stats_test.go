package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

func testSeries(code string, bilateral bool) stats.Series {
	return stats.Series{Code: code, Name: code, Unit: "persons", Source: "test", Licence: "CC0", Citation: "test", Bilateral: bilateral}
}

// bulkObs is the i-th observation of a generated bilateral series: 100
// destinations × 100 origins × 3 periods, every 97th value missing.
func bulkObs(series string, i int) stats.Observation {
	o := stats.Observation{Series: series, Area: fmt.Sprintf("A%02d", i/300), Counterpart: fmt.Sprintf("C%02d", i/3%100),
		Period: fmt.Sprint(2000 + i%3), Sex: stats.SexTotal, Value: float64(i) + 0.5, Status: stats.Observed}
	if i%97 == 0 {
		o.Value, o.Status = 0, stats.Missing
	}
	return o
}

const bulkRows = 30000

func sqliteIndexes(ctx context.Context, t *testing.T, query func(ctx context.Context, q string) ([]string, error)) string {
	t.Helper()
	got, err := query(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'observations' AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(got, "\n")
}

// TestObservationWriterBulk writes a dataset large next to the table with
// a size hint: on SQLite the secondary index is dropped inside the
// transaction and built again at Close. Other connections see the index
// all along; the stored rows, the index and the query through it are
// those of a plain write; a failing write leaves everything as it was.
func TestObservationWriterBulk(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		sqlite := db.Engine() == "sqlite"
		strs := func(ctx context.Context, q string) ([]string, error) {
			rows, err := db.SQL().QueryContext(ctx, q)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					return nil, err
				}
				out = append(out, s)
			}
			return out, rows.Err()
		}
		var before string
		if sqlite {
			before = sqliteIndexes(ctx, t, strs)
			if !strings.Contains(before, "observations_counterpart") {
				t.Fatalf("indexes before the write: %q", before)
			}
		}

		// A small dataset written plainly, then the large one.
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := store.ReplaceSeries(ctx, tx, "small", []stats.Series{testSeries("small_series", false)}); err != nil {
				return err
			}
			w := store.NewObservationWriter(ctx, tx)
			for y := range 10 {
				if err := w.Add(stats.Observation{Series: "small_series", Area: "KEN", Period: fmt.Sprint(2010 + y), Sex: stats.SexTotal, Value: float64(y), Status: stats.Observed}); err != nil {
					return err
				}
			}
			_, err := w.Close()
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if err := store.ReplaceSeries(ctx, tx, "big", []stats.Series{testSeries("big_series", true)}); err != nil {
				return err
			}
			w := store.NewObservationWriter(ctx, tx)
			w.SizeHint(bulkRows)
			for i := range bulkRows {
				if err := w.Add(bulkObs("big_series", i)); err != nil {
					w.Close()
					return err
				}
				if i == 1000 && sqlite {
					// Inside the transaction the index is gone; another
					// connection still reads the committed schema.
					var n int
					if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE name = 'observations_counterpart'`).Scan(&n); err != nil {
						return err
					}
					if n != 0 {
						t.Errorf("the write's transaction still has the counterpart index after %d rows", i)
					}
					if got := sqliteIndexes(ctx, t, strs); got != before {
						t.Errorf("another connection sees indexes %q during the write, want %q", got, before)
					}
				}
			}
			n, err := w.Close()
			if err == nil && n != bulkRows {
				err = fmt.Errorf("Close: %d rows written, want %d", n, bulkRows)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		check := func(when string) {
			t.Helper()
			var n int
			if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM observations`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != bulkRows+10 {
				t.Errorf("%s: %d observations, want %d", when, n, bulkRows+10)
			}
			if sqlite {
				if got := sqliteIndexes(ctx, t, strs); got != before {
					t.Errorf("%s: indexes %q, want %q", when, got, before)
				}
				// Lookups by origin (all destinations) seek the origin in
				// an index (counterpart, or period then counterpart), not
				// through a scan of the series.
				for _, tc := range []struct{ q, index string }{
					{`SELECT * FROM observations WHERE series = 'big_series' AND counterpart = 'C07' AND period >= '2001' AND period <= '2001~'`,
						"observations_counterpart (series=? AND counterpart=?"},
					{`SELECT COUNT(value), SUM(value) FROM observations WHERE series = 'big_series' AND period = '2001' AND sex = 'total' AND age = '' AND counterpart = 'C07'`,
						"observations_period (series=? AND period=? AND sex=? AND age=? AND counterpart=?)"},
				} {
					q := tc.q
					rows, err := db.SQL().QueryContext(ctx, `EXPLAIN QUERY PLAN `+q)
					if err != nil {
						t.Fatal(err)
					}
					var plan []string
					for rows.Next() {
						var id, parent, unused int
						var detail string
						if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
							t.Fatal(err)
						}
						plan = append(plan, detail)
					}
					rows.Close()
					if !strings.Contains(strings.Join(plan, " "), tc.index) {
						t.Errorf("%s: %s\ndoes not seek %s: %q", when, q, tc.index, plan)
					}
				}
			}
			// Every stored value read back through the counterpart query
			// (the index's) equals what was written.
			got, err := db.Stats().Observations(ctx, store.ObservationQuery{Series: "big_series", Counterpart: "C07"})
			if err != nil {
				t.Fatal(err)
			}
			var want []stats.Observation
			for i := range bulkRows {
				if o := bulkObs("big_series", i); o.Counterpart == "C07" {
					want = append(want, o)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%s: %d observations from C07, want %d", when, len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%s: observation %d = %+v, want %+v", when, i, got[i], want[i])
				}
			}
			small, err := db.Stats().Observations(ctx, store.ObservationQuery{Series: "small_series", Areas: []string{"KEN"}})
			if err != nil || len(small) != 10 || small[9].Value != 9 {
				t.Fatalf("%s: the small series reads %v, %v", when, small, err)
			}
		}
		check("after the write")

		// A duplicate key fails the write (Conflict) and the transaction:
		// the previous rows and the index are intact.
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if err := store.ReplaceSeries(ctx, tx, "big", []stats.Series{testSeries("big_series", true)}); err != nil {
				return err
			}
			w := store.NewObservationWriter(ctx, tx)
			w.SizeHint(bulkRows)
			for i := range bulkRows {
				if err := w.Add(bulkObs("big_series", min(i, bulkRows-2))); err != nil {
					w.Close()
					return err
				}
			}
			_, err := w.Close()
			return err
		})
		if !errors.Is(err, derrors.Conflict) {
			t.Errorf("write with a duplicate key: error %v, want Conflict", err)
		}
		check("after a failed write")

		// An observation of an undeclared series fails the transaction
		// (on SQLite at COMMIT: foreign keys are deferred while writing).
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if err := store.ReplaceSeries(ctx, tx, "big", []stats.Series{testSeries("big_series", true)}); err != nil {
				return err
			}
			w := store.NewObservationWriter(ctx, tx)
			w.SizeHint(bulkRows)
			for i := range bulkRows {
				series := "big_series"
				if i == bulkRows/2 {
					series = "undeclared_series"
				}
				if err := w.Add(bulkObs(series, i)); err != nil {
					w.Close()
					return err
				}
			}
			_, err := w.Close()
			return err
		})
		if err == nil {
			t.Error("write with an undeclared series: no error")
		}
		check("after a write with an undeclared series")

		// Replacing the large dataset deletes most of the table: on SQLite
		// the indexes go first, and come back before COMMIT even when no
		// writer follows.
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if err := store.ReplaceSeries(ctx, tx, "big", nil); err != nil {
				return err
			}
			if sqlite {
				var n int
				if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE name = 'observations_counterpart'`).Scan(&n); err != nil {
					return err
				}
				if n != 0 {
					t.Error("ReplaceSeries of most of the table kept the counterpart index")
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM observations`).Scan(&n); err != nil || n != 10 {
			t.Errorf("after replacing the large dataset by nothing: %d observations (%v), want 10", n, err)
		}
		if sqlite {
			if got := sqliteIndexes(ctx, t, strs); got != before {
				t.Errorf("after replacing the large dataset by nothing: indexes %q, want %q", got, before)
			}
		}
	})
}
