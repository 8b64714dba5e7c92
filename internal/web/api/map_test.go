package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/testenv"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/api"
	"github.com/corridor-platform/corridor/internal/web/webauth"
)

// shippedAPI is the API over a SQLite database holding the shipped
// datasets, imported as `corridor serve` does on first start.
func shippedAPI(tb testing.TB) http.Handler {
	tb.Helper()
	h, _ := shippedStore(tb)
	return h
}

// shippedStore is shippedAPI with its database.
func shippedStore(tb testing.TB) (http.Handler, *store.DB) {
	tb.Helper()
	return shippedStoreWith(tb, false)
}

// shippedStoreWith is shippedStore, with or without the memo of answers.
func shippedStoreWith(tb testing.TB, noMemo bool) (http.Handler, *store.DB) {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(tb.TempDir(), "map.db"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := db.Stats().EnsureBuiltinIndicators(ctx); err != nil {
		tb.Fatal(err)
	}
	rn := &importer.Runner{DB: db, Registry: importer.Builtin(), DataDir: filepath.Join("..", "..", "..", "data")}
	for _, name := range []string{"countries", "un-migrant-stock", "unhcr-population", "missing-migrants", "remittance-flows"} {
		if _, err := rn.Run(ctx, name, nil); err != nil {
			tb.Fatalf("import %s: %v", name, err)
		}
	}
	router := web.NewRouter(nil)
	api.New(api.Config{Geo: db.Geo(), Version: "test", DB: db, Auth: &webauth.Auth{DB: db}, NoMemo: noMemo}).Register(router)
	return (&web.Stack{Router: router, BodyLimit: 1 << 20}).Handler(), db
}

func mapGet(tb testing.TB, h http.Handler, target string) *httptest.ResponseRecorder {
	tb.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

func getMap(t *testing.T, h http.Handler, query string) api.MapData {
	t.Helper()
	w := mapGet(t, h, "/api/v1/map?"+query)
	if w.Code != http.StatusOK {
		t.Fatalf("/api/v1/map?%s: status %d: %s", query, w.Code, w.Body)
	}
	var m api.MapData
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// dataValue is the value the data API gives for one area and period.
func dataValue(t *testing.T, h http.Handler, query string) (float64, bool) {
	t.Helper()
	w := mapGet(t, h, "/api/v1/data?"+query)
	if w.Code != http.StatusOK {
		t.Fatalf("/api/v1/data?%s: status %d: %s", query, w.Code, w.Body)
	}
	var d struct {
		Rows []api.DataRow `json:"rows"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Rows) != 1 {
		t.Fatalf("/api/v1/data?%s: %d rows, want 1", query, len(d.Rows))
	}
	if d.Rows[0].Value == nil {
		return 0, false
	}
	return *d.Rows[0].Value, true
}

func rowOf(t *testing.T, m api.MapData, area string) api.MapRow {
	t.Helper()
	for _, r := range m.Rows {
		if r.Area == area {
			return r
		}
	}
	t.Fatalf("no row for %s", area)
	return api.MapRow{}
}

// TestMapAPI checks the world map data against the data API on the
// shipped data: the same value for each country, no data as null (never
// zero), the small states listed but not drawn, and the errors.
func TestMapAPI(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	if testing.Short() {
		t.Skip("imports the shipped datasets")
	}
	h := shippedAPI(t)

	t.Run("share of population 2020", func(t *testing.T) {
		m := getMap(t, h, "indicator=migrant_share_of_population&period=2020")
		if m.Period != "2020" || m.Sex != "total" || m.Indicator.Unit != "% of population" || m.Indicator.Decimals != 1 {
			t.Errorf("header %+v", m)
		}
		if len(m.Indicator.Citations) == 0 || !strings.Contains(m.Indicator.Citations[0], "International Migrant Stock 2020") ||
			!strings.Contains(m.Shapes, "Natural Earth") {
			t.Errorf("citations %v, shapes %q", m.Indicator.Citations, m.Shapes)
		}
		if m.Classification != "quantiles" || len(m.Classes) != 5 {
			t.Fatalf("classification %s with %d classes", m.Classification, len(m.Classes))
		}
		for i, c := range m.Classes {
			if c.Min > c.Max || (i > 0 && c.Min <= m.Classes[i-1].Max) || c.Colour == "" || c.Count == 0 {
				t.Errorf("class %d: %+v", i, c)
			}
		}
		if len(m.Rows) < 240 {
			t.Errorf("%d rows: every country is listed", len(m.Rows))
		}
		var missing, drawn, notDrawnWithValue int
		for _, r := range m.Rows {
			switch {
			case r.Value == nil:
				missing++
				if r.Class != nil || r.Status != "missing" {
					t.Errorf("%s: no value but class %v, status %s", r.Area, r.Class, r.Status)
				}
			default:
				c := m.Classes[*r.Class]
				if *r.Value < c.Min || *r.Value > c.Max {
					t.Errorf("%s: %v outside its class %+v", r.Area, *r.Value, c)
				}
				if !r.Drawn {
					notDrawnWithValue++
				}
			}
			if r.Drawn {
				drawn++
			}
		}
		if missing == 0 || drawn < 170 || notDrawnWithValue < 20 {
			t.Errorf("%d without data, %d drawn, %d with a value but not drawn", missing, drawn, notDrawnWithValue)
		}
		for _, tc := range []struct {
			area  string
			drawn bool
		}{{"KEN", true}, {"USA", true}, {"SGP", false}, {"BHR", false}, {"MLT", false}} {
			r := rowOf(t, m, tc.area)
			want, ok := dataValue(t, h, "indicator=migrant_share_of_population&period=2020&area="+tc.area)
			if !ok || r.Value == nil || *r.Value != want || r.Drawn != tc.drawn {
				t.Errorf("%s: map %+v (value %v), data API %v (%v); drawn want %v", tc.area, r, r.Value, want, ok, tc.drawn)
			}
		}
		if latest := getMap(t, h, "indicator=migrant_share_of_population"); latest.Period != "2020" {
			t.Errorf("default period %s, want the latest, 2020", latest.Period)
		}
	})

	t.Run("csv", func(t *testing.T) {
		m := getMap(t, h, "indicator=refugees_by_origin&period=2023")
		w := mapGet(t, h, "/api/v1/map?indicator=refugees_by_origin&period=2023&format=csv")
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("status %d, %s", w.Code, w.Header().Get("Content-Type"))
		}
		recs, err := csv.NewReader(w.Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != len(m.Rows)+1 || recs[0][1] != "area" || recs[0][6] != "value" || recs[0][11] != "drawn" {
			t.Fatalf("%d records, header %v", len(recs), recs[0])
		}
		for i, r := range m.Rows {
			rec := recs[i+1]
			want := ""
			if r.Value != nil {
				want = jsonNumber(*r.Value)
			}
			if rec[1] != r.Area || rec[6] != want {
				t.Errorf("CSV row %v, JSON %+v", rec, r)
			}
		}
		syr := rowOf(t, m, "SYR")
		want, _ := dataValue(t, h, "indicator=refugees_by_origin&period=2023&area=SYR")
		if syr.Value == nil || *syr.Value != want || want < 1e6 {
			t.Errorf("Syria: map %v, data API %v", syr.Value, want)
		}
	})

	t.Run("bilateral and incidents", func(t *testing.T) {
		m := getMap(t, h, "indicator=migrant_stock_bilateral&counterpart=MEX&period=2019")
		if m.Counterpart != "MEX" || m.CounterpartName != "Mexico" {
			t.Errorf("counterpart %s %s", m.Counterpart, m.CounterpartName)
		}
		usa := rowOf(t, m, "USA")
		want, _ := dataValue(t, h, "indicator=migrant_stock_bilateral&counterpart=MEX&period=2019&area=USA")
		if usa.Value == nil || *usa.Value != want || want < 1e7 {
			t.Errorf("Mexicans in the USA: map %v, data API %v", usa.Value, want)
		}
		m = getMap(t, h, "indicator=sdg_10_7_3&period=2023")
		lby := rowOf(t, m, "LBY")
		want, _ = dataValue(t, h, "indicator=sdg_10_7_3&period=2023&area=LBY")
		if lby.Value == nil || *lby.Value != want || want == 0 {
			t.Errorf("dead and missing in Libya 2023: map %v, data API %v", lby.Value, want)
		}
		if len(m.Indicator.Citations) != 1 || m.Indicator.Citations[0] != "IOM's Missing Migrants Project" {
			t.Errorf("citations %v", m.Indicator.Citations)
		}
	})

	t.Run("errors", func(t *testing.T) {
		tests := []struct{ query, param, detail string }{
			{"", "indicator", "required"},
			{"indicator=no_such", "indicator", `no indicator "no_such"`},
			{"indicator=migrant_stock&period=20x0", "period", "one period"},
			{"indicator=migrant_stock&period=2010:2020", "period", "one period"},
			{"indicator=migrant_stock&period=1985", "period", "no data for 1985; periods with data: 1990, 1995, 2000, 2005, 2010, 2015, 2020"},
			{"indicator=refugees_by_origin&period=1900", "period", "no data for 1900; periods with data: 1951–2025"},
			{"indicator=migrant_stock&sex=other", "sex", "total, male or female"},
			{"indicator=sdg_10_7_3&period=2023&sex=female", "sex", "both sexes"},
			{"indicator=sdg_10_7_3&period=2023-Q1", "period", "by year"},
			{"indicator=migrant_stock_bilateral&period=2019", "counterpart", "bilateral"},
			{"indicator=migrant_stock&counterpart=MEX", "counterpart", "not bilateral"},
			{"indicator=migrant_stock_bilateral&counterpart=ZZZ", "counterpart", `"ZZZ"`},
			{"indicator=migrant_stock&format=xml", "format", "json, csv or xlsx"},
			{"indicator=migrant_stock&year=2020", "year", "unknown parameter"},
		}
		for _, tt := range tests {
			w := mapGet(t, h, "/api/v1/map?"+tt.query)
			var p web.Problem
			json.Unmarshal(w.Body.Bytes(), &p)
			if w.Code != 400 || p.Param != tt.param || !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("%q: %d %+v, want 400 naming %s with %q", tt.query, w.Code, p, tt.param, tt.detail)
			}
		}
	})
}

// jsonNumber writes a value as the CSV does.
func jsonNumber(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// BenchmarkMapData measures /api/v1/map through the handler stack for
// every country at one period, uncached (each request evaluates the
// indicator from the stored observations), SQLite with the shipped
// datasets imported.
func BenchmarkMapData(b *testing.B) {
	h, _ := shippedStoreWith(b, true) // uncached: every request computes the map
	// (with the memo, a repeated request is answered in about 45 µs)
	for _, q := range []string{
		"indicator=migrant_share_of_population&period=2020",
		"indicator=migrant_stock&period=2020&sex=female",
		"indicator=refugees_by_origin&period=2023",
		"indicator=refugees_by_asylum&period=2024",
		"indicator=sdg_10_7_4&period=2020",
		"indicator=sdg_10_7_3&period=2023",
		"indicator=migrant_stock_bilateral&counterpart=MEX&period=2019",
	} {
		v, _ := url.ParseQuery(q)
		b.Run(v.Get("indicator"), func(b *testing.B) {
			for b.Loop() {
				if w := mapGet(b, h, "/api/v1/map?"+q); w.Code != 200 {
					b.Fatalf("%s: %d %s", q, w.Code, w.Body)
				}
			}
		})
	}
}
