package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
	"github.com/corridor-platform/corridor/internal/testenv"
)

// importShipped imports the shipped datasets named into db, with the
// built-in indicators, as `corridor serve` does on first start.
func importShipped(t *testing.T, db *store.DB, names ...string) {
	t.Helper()
	ctx := context.Background()
	if err := db.Stats().EnsureBuiltinIndicators(ctx); err != nil {
		t.Fatal(err)
	}
	rn := &importer.Runner{DB: db, Registry: importer.Builtin(), DataDir: filepath.Join("..", "..", "data")}
	for _, name := range names {
		start := time.Now()
		if _, err := rn.Run(ctx, name, nil); err != nil {
			t.Fatalf("import %s: %v", name, err)
		}
		t.Logf("imported %s in %v", name, time.Since(start).Round(time.Millisecond))
	}
}

// TestEvalAreasEqualsLookup evaluates built-in indicators for every
// country of the shipped reference at once (EvalAreas) and one point at a
// time through Lookup, as the data API does, on the shipped data: the two
// must agree on every country, value and missingness alike.
func TestEvalAreasEqualsLookup(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	if testing.Short() {
		t.Skip("imports the shipped datasets")
	}
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		importShipped(t, db, "countries", "un-migrant-stock", "unhcr-population", "missing-migrants")
		page, err := db.Geo().Areas(ctx, geo.Filter{Limit: store.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total > len(page.Areas) || page.Total < 240 {
			t.Fatalf("%d countries, %d listed", page.Total, len(page.Areas))
		}
		var areas []string
		for _, a := range page.Areas {
			areas = append(areas, a.Code)
		}
		st := db.Stats()
		tests := []struct {
			indicator, counterpart, period, sex string
			minValues, maxValues                int // how many countries have a value
		}{
			{"migrant_stock", "", "2020", stats.SexTotal, 220, 240},
			{"migrant_stock", "", "1990", stats.SexFemale, 220, 240},
			{"migrant_share_of_population", "", "2020", stats.SexTotal, 220, 240},
			{"migrant_share_of_population", "", "2000", stats.SexMale, 190, 240}, // fewer populations by sex
			{"migrant_female_share", "", "2010", stats.SexTotal, 220, 240},
			{"refugees_by_origin", "", "2023", stats.SexTotal, 230, 260},
			{"refugees_by_origin", "", "1975", stats.SexTotal, 230, 260},
			// Hosted refugees: only countries of asylum UNHCR reports on
			// that year have a value (an unreported host is not a zero).
			{"refugees_by_asylum", "", "2024", stats.SexTotal, 150, 200},
			{"sdg_10_7_4", "", "2020", stats.SexTotal, 200, 240},
			// UNHCR's "other people in need of international protection"
			// start in 2018: before, the category held nobody (missing=0).
			{"sdg_10_7_4", "", "2015", stats.SexTotal, 200, 240},
			{"migrant_stock_bilateral", "MEX", "2019", stats.SexTotal, 20, 240},
			{"migrant_stock_bilateral", "SYR", "2015", stats.SexFemale, 20, 240},
			{"migrant_stock", "", "1985", stats.SexTotal, 0, 0}, // no data that year: all missing, none zero
		}
		for _, tt := range tests {
			name := tt.indicator + "/" + tt.period + "/" + tt.sex
			if tt.counterpart != "" {
				name += "/" + tt.counterpart
			}
			t.Run(name, func(t *testing.T) {
				ind, err := st.Indicator(ctx, tt.indicator)
				if err != nil {
					t.Fatal(err)
				}
				c, err := ind.Compile(nil)
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				got, err := st.EvalAreas(ctx, c, areas, tt.counterpart, tt.period, tt.sex)
				if err != nil {
					t.Fatal(err)
				}
				bulk := time.Since(start)
				look := st.Lookup(ctx)
				values, zeros := 0, 0
				for i, a := range areas {
					want, ok, err := c.Eval(stats.Point{Area: a, Counterpart: tt.counterpart, Period: tt.period, Sex: tt.sex}, look)
					if err != nil {
						t.Fatal(err)
					}
					g := got[i]
					if g.Area != a || g.OK != ok || (ok && g.Value != want) {
						t.Errorf("%s: bulk %+v, per point (%v, %v)", a, g, want, ok)
					}
					if ok {
						values++
						if want == 0 {
							zeros++
						}
					}
				}
				t.Logf("%d of %d countries with a value (%d zero); bulk %v", values, len(areas), zeros, bulk.Round(time.Microsecond))
				if values < tt.minValues || values > tt.maxValues {
					t.Errorf("%d countries with a value, want %d to %d", values, tt.minValues, tt.maxValues)
				}
			})
		}

		// A sparse sum: refugees from a country that UNHCR's 2023 table
		// lists no refugee from are a true zero (the table covers 2023),
		// while a year before UNHCR's table begins has no value at all.
		c := compiled(t, st, "refugees_by_origin")
		for _, tc := range []struct {
			period string
			ok     bool
		}{{"2023", true}, {"1949", false}} {
			vals, err := st.EvalAreas(ctx, c, []string{"LIE"}, "", tc.period, stats.SexTotal)
			if err != nil {
				t.Fatal(err)
			}
			if vals[0].OK != tc.ok || vals[0].Value != 0 {
				t.Errorf("refugees from Liechtenstein in %s: %+v, want ok=%v and 0", tc.period, vals[0], tc.ok)
			}
		}

		// SDG 10.7.3 by country of incident equals the per-country
		// totals by year; in a year the project covers, a country
		// without incidents has a recorded zero, as the data API says.
		c = compiled(t, st, "sdg_10_7_3")
		for _, year := range []int{2016, 2023} {
			got, err := st.EvalAreas(ctx, c, areas, "", strconv.Itoa(year), stats.SexTotal)
			if err != nil {
				t.Fatal(err)
			}
			values := 0
			for i, a := range areas {
				totals, err := db.IncidentTotalsByYear(ctx, store.IncidentFilter{CountryOfIncident: a})
				if err != nil {
					t.Fatal(err)
				}
				want, ok := 0.0, true // the years tested have incidents
				for _, tot := range totals {
					if tot.Key == strconv.Itoa(year) {
						want, ok = float64(tot.DeadAndMissing), true
					}
				}
				if got[i].OK != ok || got[i].Value != want {
					t.Errorf("sdg_10_7_3 %d %s: bulk %+v, per country (%v, %v)", year, a, got[i], want, ok)
				}
				if want > 0 {
					values++
				}
			}
			if values < 30 {
				t.Errorf("sdg_10_7_3 %d: only %d countries of incident", year, values)
			}
		}
		// A year the project does not cover has no values at all.
		if got, err := st.EvalAreas(ctx, c, areas, "", "1990", stats.SexTotal); err != nil || got[0].OK {
			t.Errorf("sdg_10_7_3 1990: %+v, %v; want no value", got[0], err)
		}
		for _, bad := range []struct{ period, sex string }{{"2020-Q1", stats.SexTotal}, {"2020", stats.SexFemale}} {
			if _, err := st.EvalAreas(ctx, c, areas, "", bad.period, bad.sex); err == nil {
				t.Errorf("sdg_10_7_3 at %s/%s: no error", bad.period, bad.sex)
			}
		}

		periods, err := st.IndicatorPeriods(ctx, compiled(t, st, "migrant_stock"))
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"1990", "1995", "2000", "2005", "2010", "2015", "2020"}; !slices.Equal(periods, want) {
			t.Errorf("migrant_stock periods %v, want %v", periods, want)
		}
		for code, want := range map[string][]string{
			"migrant_share_of_population": {"total", "male", "female"},
			"refugees_by_origin":          {"total"},
			"sdg_10_7_3":                  {"total"},
		} {
			sexes, err := st.IndicatorSexes(ctx, compiled(t, st, code))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sexes, want) {
				t.Errorf("%s sexes %v, want %v", code, sexes, want)
			}
		}
	})
}

func compiled(t *testing.T, st *store.Stats, code string) stats.Compiled {
	t.Helper()
	ind, err := st.Indicator(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ind.Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
