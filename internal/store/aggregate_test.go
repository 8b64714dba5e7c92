package store_test

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
	"github.com/corridor-platform/corridor/internal/testenv"
)

var dataRoot = filepath.Join("..", "..", "data")

// imsRow is one row of a table of the IMS 2020 workbook, read here with
// excelize independently of the importer.
type imsRow struct {
	name, code, typ string
	cells           []string
}

// imsTable reads a table of the IMS 2020 "Destination" workbook: rows by
// location code, and by name for the aggregates (whose UN codes differ
// from M49's: Eastern Africa is 910 in the workbook, 014 in M49).
func imsTable(t *testing.T, sheet string) (byCode, byName map[string]imsRow) {
	t.Helper()
	f, err := excelize.OpenFile(filepath.Join(dataRoot, "un-desa-international-migrant-stock", "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	byCode, byName = map[string]imsRow{}, map[string]imsRow{}
	header := false
	for _, r := range rows {
		if !header {
			header = slices.Contains(r, "Location code")
			continue
		}
		if len(r) < 12 {
			continue
		}
		row := imsRow{name: strings.TrimRight(strings.TrimSpace(r[1]), "*"), code: strings.TrimSpace(r[3]), typ: r[4], cells: r}
		byCode[row.code] = row
		byName[row.name] = row
	}
	if len(byCode) < 200 {
		t.Fatalf("%s: %d rows", sheet, len(byCode))
	}
	return byCode, byName
}

// Column indexes of 2020 in Tables 1 and 2: both sexes, then females.
const (
	col2020Total  = 11
	col2020Female = 25
)

func (r imsRow) value(col int) (float64, bool) {
	if col >= len(r.cells) {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(r.cells[col]), 64)
	return v, err == nil
}

func round(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}

// TestAggregates computes regional figures from the member countries and
// checks them, and the published regional rows, against the UN DESA
// workbook read independently.
func TestAggregates(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	if testing.Short() {
		t.Skip("imports the shipped datasets")
	}
	stock, stockByName := imsTable(t, "Table 1")
	pop, popByName := imsTable(t, "Table 2")
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		if err := db.Stats().EnsureBuiltinIndicators(ctx); err != nil {
			t.Fatal(err)
		}
		rn := &importer.Runner{DB: db, Registry: importer.Builtin(), DataDir: dataRoot, Host: "test"}
		for _, name := range []string{"countries", "un-migrant-stock"} {
			if _, err := rn.Run(ctx, name, nil); err != nil {
				t.Fatal(err)
			}
		}
		ev := db.Stats().Evaluator(ctx)
		compile := func(code string) stats.Compiled {
			ind, err := db.Stats().Indicator(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			c, err := ind.Compile(nil)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		// member returns a member country's workbook rows (by M49 code,
		// unpadded as the workbook writes it).
		member := func(t *testing.T, code string) (imsRow, imsRow, bool) {
			a, err := db.Geo().Area(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			n, err := strconv.Atoi(a.M49)
			if err != nil {
				return imsRow{}, imsRow{}, false
			}
			s, ok := stock[strconv.Itoa(n)]
			p := pop[strconv.Itoa(n)]
			return s, p, ok
		}
		tests := []struct {
			indicator, area, workbookName string
			// want computes the indicator from the workbook: the
			// value of one row (published) or of summed parts.
			num, den func(s, p imsRow) (float64, bool)
			factor   float64
			decimals int
		}{
			{indicator: "migrant_stock", area: "014", workbookName: "Eastern Africa",
				num: func(s, _ imsRow) (float64, bool) { return s.value(col2020Total) }, factor: 1},
			{indicator: "migrant_stock", area: "002", workbookName: "AFRICA",
				num: func(s, _ imsRow) (float64, bool) { return s.value(col2020Total) }, factor: 1},
			// The Channel Islands are published together (830), not as
			// Guernsey and Jersey: the computed figure lacks them.
			{indicator: "migrant_stock", area: "154", workbookName: "Northern Europe",
				num: func(s, _ imsRow) (float64, bool) { return s.value(col2020Total) }, factor: 1},
			{indicator: "migrant_stock", area: "001", workbookName: "WORLD",
				num: func(s, _ imsRow) (float64, bool) { return s.value(col2020Total) }, factor: 1},
			{indicator: "migrant_share_of_population", area: "002", workbookName: "AFRICA",
				num: func(s, _ imsRow) (float64, bool) { return s.value(col2020Total) },
				den: func(_, p imsRow) (float64, bool) {
					v, ok := p.value(col2020Total)
					return math.Round(v * 1000), ok // thousands, stored to the person
				}, factor: 100, decimals: 1},
			{indicator: "migrant_female_share", area: "014", workbookName: "Eastern Africa",
				num: func(s, _ imsRow) (float64, bool) { return s.value(col2020Female) },
				den: func(s, _ imsRow) (float64, bool) { return s.value(col2020Total) }, factor: 100, decimals: 1},
		}
		for _, tc := range tests {
			t.Run(tc.indicator+"/"+tc.area, func(t *testing.T) {
				c := compile(tc.indicator)
				agg, err := db.Geo().Area(ctx, tc.area)
				if err != nil {
					t.Fatal(err)
				}
				at := stats.Point{Area: agg.Code, Period: "2020", Sex: stats.SexTotal}

				// Published: the workbook's own row for the region.
				pubN, ok1 := tc.num(stockByName[tc.workbookName], popByName[tc.workbookName])
				wantPub := pubN
				ok2 := true
				if tc.den != nil {
					var d float64
					d, ok2 = tc.den(stockByName[tc.workbookName], popByName[tc.workbookName])
					wantPub = pubN / d
				}
				if !ok1 || !ok2 {
					t.Fatalf("workbook has no %s row", tc.workbookName)
				}
				wantPub = round(wantPub*tc.factor, tc.decimals)
				pub, err := ev.Published(c, at)
				if err != nil {
					t.Fatal(err)
				}
				if !pub.OK || pub.Value != wantPub || pub.Status != stats.Observed {
					t.Errorf("published %s = %+v, workbook %v", tc.workbookName, pub, wantPub)
				}

				// Computed: Σ over the members with every part.
				var sumN, sumD float64
				var missing []string
				estimated := false
				for _, m := range agg.Members {
					s, p, ok := member(t, m)
					n, okN := tc.num(s, p)
					okD, d := true, 0.0
					if tc.den != nil {
						d, okD = tc.den(s, p)
					}
					if !ok || !okN || !okD {
						missing = append(missing, m)
						continue
					}
					sumN += n
					sumD += d
					estimated = estimated || strings.Contains(s.typ, "I")
				}
				want := sumN
				if tc.den != nil {
					want = sumN / sumD
				}
				want = round(want*tc.factor, tc.decimals)
				got, err := ev.Aggregate(c, agg.Members, at)
				if err != nil {
					t.Fatal(err)
				}
				wantStatus := stats.Observed
				if estimated {
					wantStatus = stats.Estimated
				}
				if !got.OK || got.Value != want || got.Status != wantStatus {
					t.Errorf("computed = %+v, Σ members in the workbook = %v (%s)", got, want, wantStatus)
				}
				if got.Coverage == nil || got.Coverage.Members != len(agg.Members) ||
					got.Coverage.WithData != len(agg.Members)-len(missing) || !slices.Equal(got.Coverage.Missing, missing) {
					t.Errorf("coverage = %+v, want %d members, missing %v", got.Coverage, len(agg.Members), missing)
				}
				t.Logf("%s %s 2020: published %v, computed %v (%d of %d members; missing %v), difference %v",
					tc.indicator, tc.workbookName, pub.Value, got.Value, got.Coverage.WithData, got.Coverage.Members, missing,
					store.Difference(pub.Value, got.Value, tc.decimals))
			})
		}

		// Per point, Eval equals the Lookup evaluation and reports the
		// status of what it used: Eritrea's figures are imputed.
		for _, tc := range []struct {
			area   string
			status stats.Status
		}{{"KEN", stats.Observed}, {"ERI", stats.Estimated}, {"SOM", stats.Estimated}, {"014", stats.Observed}} {
			for _, code := range []string{"migrant_stock", "migrant_share_of_population", "migrant_female_share"} {
				c := compile(code)
				at := stats.Point{Area: tc.area, Period: "2020", Sex: stats.SexTotal}
				want, wantOK, err := c.Eval(at, db.Stats().Lookup(ctx))
				if err != nil {
					t.Fatal(err)
				}
				got, err := ev.Eval(c, at)
				if err != nil {
					t.Fatal(err)
				}
				if got.OK != wantOK || got.Value != want || got.Status != tc.status {
					t.Errorf("Eval(%s, %s) = %+v, Lookup gives %v %v, want status %s", code, tc.area, got, want, wantOK, tc.status)
				}
			}
		}

		// A growth rate (% per year) is no count: it cannot be summed.
		growth, err := stats.Indicator{Code: "growth", Name: "Growth", Numerator: "migrant_stock_growth_rate", Factor: 1,
			Unit: "% per year", Aggregation: "none"}.Compile(nil)
		if err != nil {
			t.Fatal(err)
		}
		if can, err := ev.CanAggregate(growth); err != nil || can {
			t.Errorf("CanAggregate(growth rate) = %v, %v", can, err)
		}
		if got, err := ev.Aggregate(growth, []string{"KEN", "UGA"}, stats.Point{Area: "014", Period: "2020", Sex: stats.SexTotal}); err != nil || got.OK || got.Coverage != nil {
			t.Errorf("Aggregate(growth rate) = %+v, %v: want no computed value", got, err)
		}
	})
}

// TestDataVersion: the token changes when a dataset is re-imported and
// when an indicator is defined, and not otherwise.
func TestDataVersion(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		v0, err := db.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := db.DataVersion(ctx); again != v0 {
			t.Fatalf("token changed without a change: %q → %q", v0, again)
		}
		record := func(sum string) {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				_, err := store.RecordImport(ctx, tx, store.ImportRecord{Dataset: "countries", Status: "loaded", Checksum: sum})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		record("a")
		v1, _ := db.DataVersion(ctx)
		record("b") // a re-import
		v2, _ := db.DataVersion(ctx)
		if err := db.Stats().EnsureBuiltinIndicators(ctx); err != nil {
			t.Fatal(err)
		}
		v3, _ := db.DataVersion(ctx)
		if v0 == v1 || v1 == v2 || v2 == v3 {
			t.Errorf("tokens %q, %q, %q, %q: each change must change the token", v0, v1, v2, v3)
		}
	})
}
