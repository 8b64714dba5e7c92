package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// importSeries replaces the "test" dataset with one series observed in
// the given periods (a value for KEN, a missing row for UGA) and records
// the import, as the importer Runner does.
func importSeries(t *testing.T, db *store.DB, periods ...string) {
	t.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		s := stats.Series{Code: "test_stock", Name: "Test stock", Unit: "persons", Source: "test", Licence: "test", Citation: "test"}
		if err := store.ReplaceSeries(ctx, tx, "test", []stats.Series{s}); err != nil {
			return err
		}
		w := store.NewObservationWriter(ctx, tx)
		for _, p := range periods {
			for _, o := range []stats.Observation{
				{Series: s.Code, Area: "KEN", Period: p, Sex: stats.SexTotal, Value: 10, Status: stats.Observed},
				{Series: s.Code, Area: "UGA", Period: p + "-Q1", Sex: stats.SexTotal, Status: stats.Missing},
			} {
				if err := w.Add(o); err != nil {
					return err
				}
			}
		}
		if _, err := w.Close(); err != nil {
			return err
		}
		now := time.Now()
		_, err := store.RecordImport(ctx, tx, store.ImportRecord{Dataset: "test", Status: "ok", Checksum: periods[0], StartedAt: now, FinishedAt: now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPeriodsFollowImports: the periods of a series are cached, and an
// import by another process (another DB handle on the same database)
// changes what every process answers at once.
func TestPeriodsFollowImports(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		a := openMigrated(t, e)
		b, err := store.Open(ctx, e.DSN, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()

		importSeries(t, a, "2015", "2020")
		all := stats.PeriodRange{From: "1900", To: "2100"}
		for _, db := range []*store.DB{a, b} {
			got, err := db.Stats().Periods(ctx, "test_stock", all)
			if want := []string{"2015", "2015-Q1", "2020", "2020-Q1"}; err != nil || !slices.Equal(got, want) {
				t.Fatalf("periods %v, %v; want %v", got, err, want)
			}
		}
		got, err := a.Stats().Periods(ctx, "test_stock", stats.PeriodRange{From: "2020", To: "2020"})
		if want := []string{"2020", "2020-Q1"}; err != nil || !slices.Equal(got, want) {
			t.Fatalf("2020 only: %v, %v; want %v", got, err, want)
		}

		importSeries(t, b, "2010") // the other process re-imports
		for _, db := range []*store.DB{a, b} {
			got, err := db.Stats().Periods(ctx, "test_stock", all)
			if want := []string{"2010", "2010-Q1"}; err != nil || !slices.Equal(got, want) {
				t.Fatalf("after the re-import: %v, %v; want %v", got, err, want)
			}
		}

		// Coverage decides the sparse-sum rule: a period with only
		// missing rows is not covered, so a sum over areas is missing,
		// not zero; a covered period with no row for the pair is zero.
		look := a.Stats().Lookup(ctx)
		for _, tc := range []struct {
			period string
			ok     bool
		}{{"2010", true}, {"2010-Q1", false}, {"2030", false}} {
			v, ok, err := look("test_stock", map[string]string{"area": "*"}, stats.Point{Area: "XXX", Counterpart: "NOR", Period: tc.period, Sex: stats.SexTotal})
			if err != nil || ok != tc.ok || v != 0 {
				t.Errorf("sum over areas at %s with no rows = %v, %v, %v; want 0, %v", tc.period, v, ok, err, tc.ok)
			}
		}

		if got, err := a.Stats().Periods(ctx, "no_such_series", all); err != nil || len(got) != 0 {
			t.Errorf("unknown series: %v, %v", got, err)
		}
	})
}
