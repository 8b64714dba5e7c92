package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// setObs is the i-th observation of a generated bilateral series in the
// order of a set's key (area, counterpart, sex, period): 6 destinations ×
// 5 origins × 2 sexes × 4 periods, some values missing, one destination's
// values estimated, and one set wholly missing. Values are binary fractions:
// their sums are exact in any order, on either engine.
func setObs(series string, i int) stats.Observation {
	sexes := []string{stats.SexFemale, stats.SexTotal}
	o := stats.Observation{Series: series, Area: fmt.Sprintf("A%d", i/40), Counterpart: fmt.Sprintf("C%d", i/8%5),
		Sex: sexes[i/4%2], Period: fmt.Sprint(1990 + 5*(i%4)), Value: float64(i)*1.25 + 0.5, Status: stats.Observed}
	if o.Area == "A3" {
		o.Status = stats.Estimated
	}
	if i%7 == 0 || (o.Area == "A2" && o.Counterpart == "C4" && o.Sex == stats.SexTotal) {
		o.Value, o.Status = 0, stats.Missing
	}
	return o
}

const setRows = 6 * 5 * 2 * 4

// TestObservationSets writes one generated series as observation sets and
// the same observations as rows of another series; every reader answers
// the same for both.
func TestObservationSets(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := store.ReplaceSeries(ctx, tx, "gen", []stats.Series{testSeries("packed", true), testSeries("rows", true)}); err != nil {
				return err
			}
			w := store.NewObservationWriter(ctx, tx)
			w.PackPeriods("packed")
			for _, series := range []string{"packed", "rows"} {
				for i := range setRows {
					if err := w.Add(setObs(series, i)); err != nil {
						w.Close()
						return err
					}
				}
			}
			n, err := w.Close()
			if err == nil && n != 2*setRows {
				err = fmt.Errorf("Close: %d observations written, want %d", n, 2*setRows)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var sets, rows int
		if err := db.SQL().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM observation_sets), (SELECT COUNT(*) FROM observations)`).Scan(&sets, &rows); err != nil {
			t.Fatal(err)
		}
		if sets != setRows/4 || rows != setRows {
			t.Fatalf("%d sets and %d rows stored, want %d sets (4 periods each) and %d rows", sets, rows, setRows/4, setRows)
		}

		st := db.Stats()
		for _, q := range []store.ObservationQuery{
			{Counterpart: "*"},
			{Counterpart: "C2"},
			{Counterpart: "*", Areas: []string{"A1", "A3"}, Sex: stats.SexFemale},
			{Counterpart: "C4", Period: stats.PeriodRange{From: "1995", To: "2000"}},
		} {
			q.Series = "rows"
			want, err := st.Observations(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			q.Series = "packed"
			got, err := st.Observations(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatalf("%+v: no rows", q)
			}
			for i := range got {
				got[i].Series = "rows"
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%+v: sets give\n%v\nrows give\n%v", q, got, want)
			}
		}

		lookup := st.Lookup(ctx)
		points := 0
		for _, area := range []string{"A0", "A2", "A3", "*"} {
			for _, cp := range []string{"C0", "C4", "*"} {
				for _, period := range []string{"1990", "2005", "2010"} {
					for _, sex := range []string{stats.SexTotal, stats.SexFemale, stats.SexMale} {
						f := map[string]string{"area": area, "counterpart": cp}
						at := stats.Point{Area: "A0", Counterpart: "C0", Period: period, Sex: sex}
						wv, wok, werr := lookup("rows", f, at)
						gv, gok, gerr := lookup("packed", f, at)
						if wv != gv || wok != gok || (werr == nil) != (gerr == nil) {
							t.Errorf("Lookup %v at %+v: sets give %v %v %v, rows give %v %v %v", f, at, gv, gok, gerr, wv, wok, werr)
						}
						if wok {
							points++
						}
					}
				}
			}
		}
		if points < 20 {
			t.Errorf("only %d lookups found a value: the comparison proves little", points)
		}
		for _, series := range []string{"packed", "rows"} {
			got, err := st.Periods(ctx, series, stats.PeriodRange{From: "1900", To: "2100"})
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"1990", "1995", "2000", "2005"}; !reflect.DeepEqual(got, want) {
				t.Errorf("Periods(%s) = %v, want %v", series, got, want)
			}
		}
		// The all-missing set reads back as missing periods, not zeros.
		got, err := st.Observations(ctx, store.ObservationQuery{Series: "packed", Areas: []string{"A2"}, Counterpart: "C4", Sex: stats.SexTotal})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 4 {
			t.Fatalf("all-missing set: %d periods, want 4", len(got))
		}
		for _, o := range got {
			if o.Status != stats.Missing {
				t.Errorf("all-missing set: %+v", o)
			}
		}

		// Replacing the dataset removes its sets too.
		if err := db.InTx(ctx, func(tx *store.Tx) error { return store.ReplaceSeries(ctx, tx, "gen", nil) }); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM observation_sets`).Scan(&sets); err != nil || sets != 0 {
			t.Errorf("after replacing the dataset by nothing: %d sets (%v)", sets, err)
		}
	})
}

// TestObservationSetsRefused: a set with two statuses of values, or a key
// that comes back after another, fails the write and stores nothing.
func TestObservationSetsRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		obs := func(area, period string, st stats.Status) stats.Observation {
			return stats.Observation{Series: "packed", Area: area, Counterpart: "C1", Period: period, Sex: stats.SexTotal, Value: 1, Status: st}
		}
		for _, tc := range []struct {
			name string
			obs  []stats.Observation
			kind error
		}{
			{"two statuses", []stats.Observation{obs("A1", "1990", stats.Observed), obs("A1", "1995", stats.Missing), obs("A1", "2000", stats.Estimated)}, derrors.Invalid},
			{"key again", []stats.Observation{obs("A1", "1990", stats.Observed), obs("A2", "1990", stats.Observed), obs("A1", "1995", stats.Observed)}, derrors.Conflict},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := db.InTx(ctx, func(tx *store.Tx) error {
					if err := store.ReplaceSeries(ctx, tx, "gen", []stats.Series{testSeries("packed", true)}); err != nil {
						return err
					}
					w := store.NewObservationWriter(ctx, tx)
					w.PackPeriods("packed")
					for _, o := range tc.obs {
						if err := w.Add(o); err != nil {
							w.Close()
							return err
						}
					}
					_, err := w.Close()
					return err
				})
				if !errors.Is(err, tc.kind) {
					t.Fatalf("error %v, want kind %v", err, tc.kind)
				}
				var n int
				if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM observation_sets`).Scan(&n); err != nil || n != 0 {
					t.Errorf("%d sets stored after the failed write (%v)", n, err)
				}
			})
		}
	})
}
