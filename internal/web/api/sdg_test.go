package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/testenv"
	"github.com/corridor-platform/corridor/internal/web/api"
)

// mmpRow is one incident of the shipped Missing Migrants CSV.
type mmpRow struct {
	year, country string
	routes        []string
	total         int64
}

func readMMPFile(t *testing.T) []mmpRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dataRoot, "iom-missing-migrants", "Missing_Migrants_Global_Figures_allData.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var out []mmpRow
	for _, r := range recs[1:] {
		v, _ := strconv.ParseInt(r[col["Total Number of Dead and Missing"]], 10, 64)
		var routes []string
		if s := r[col["Migration Route"]]; s != "" {
			routes = strings.Split(s, ",") // multi-valued cells: a bare comma
		}
		out = append(out, mmpRow{year: r[col["Incident Year"]], country: r[col["Country of Incident"]], routes: routes, total: v})
	}
	return out
}

type sdgAnswer struct {
	Rows []api.DataRow `json:"rows"`
	Meta api.DataMeta  `json:"meta"`
}

// TestSDG1073Data checks SDG 10.7.3 in the data API against the Missing
// Migrants file: undated incidents in meta (rows + undated = 74,376), M49
// aggregates by country of incident, IOM's regions by name, and routes.
func TestSDG1073Data(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	if testing.Short() {
		t.Skip("imports the shipped datasets")
	}
	h, db := shippedStore(t)
	file := readMMPFile(t)
	get := func(t *testing.T, query string) sdgAnswer {
		t.Helper()
		w := mapGet(t, h, "/api/v1/data?"+query)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", query, w.Code, w.Body)
		}
		var out sdgAnswer
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	sum := func(rows []api.DataRow) (s float64) {
		for _, r := range rows {
			if r.Value != nil {
				s += *r.Value
			}
		}
		return s
	}
	var fileTotal, undated int64
	undatedN := 0
	for _, r := range file {
		fileTotal += r.total
		if r.year == "" {
			undated += r.total
			undatedN++
		}
	}
	if fileTotal != 74376 || undated != 13 {
		t.Fatalf("the file gives %d in all and %d undated; the issue says 74,376 and 13", fileTotal, undated)
	}

	t.Run("undated", func(t *testing.T) {
		out := get(t, "indicator=sdg_10_7_3&area=001")
		u := out.Meta.Undated
		if u == nil || u.DeadAndMissing != undated || u.Incidents != undatedN {
			t.Fatalf("meta.undated %+v, want %d dead and missing in %d incidents", u, undated, undatedN)
		}
		if got := int64(sum(out.Rows)) + u.DeadAndMissing; got != fileTotal {
			t.Errorf("rows + undated = %d, want %d", got, fileTotal)
		}
		if !slices.ContainsFunc(out.Meta.Notes, func(n string) bool { return strings.Contains(n, "without a year") }) {
			t.Errorf("no note on undated incidents: %v", out.Meta.Notes)
		}
		// The XLSX source sheet carries it too.
		w := mapGet(t, h, "/api/v1/data?indicator=sdg_10_7_3&area=001&format=xlsx")
		f, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		src, _ := f.GetRows(api.SheetSource)
		found := false
		for _, r := range src {
			if len(r) == 2 && r[0] == "undated dead and missing" && r[1] == strconv.FormatInt(undated, 10) {
				found = true
			}
		}
		if !found {
			t.Errorf("source sheet without the undated figure: %v", src)
		}
	})

	t.Run("M49 aggregates", func(t *testing.T) {
		ctx := context.Background()
		for _, code := range []string{"015", "002"} {
			ar, err := db.Geo().Area(ctx, code)
			if err != nil || len(ar.Members) == 0 {
				t.Fatalf("%s: %+v %v", code, ar, err)
			}
			out := get(t, "indicator=sdg_10_7_3&period=2023&area="+code)
			if len(out.Rows) != 1 || out.Rows[0].Area != code || out.Rows[0].Value == nil {
				t.Fatalf("%s 2023: %+v", code, out.Rows)
			}
			// The members' countries of incident, each from the data API
			// (country figures are tested against the file elsewhere).
			var want float64
			for _, m := range ar.Members {
				want += sum(get(t, "indicator=sdg_10_7_3&period=2023&area="+m).Rows)
			}
			if *out.Rows[0].Value != want || want == 0 {
				t.Errorf("%s 2023 = %v, want the members' %v", code, *out.Rows[0].Value, want)
			}
			if !slices.ContainsFunc(out.Meta.Notes, func(n string) bool { return strings.Contains(n, "M49 aggregate") }) {
				t.Errorf("%s: no note saying what an M49 aggregate counts: %v", code, out.Meta.Notes)
			}
		}
		// Northern Africa from the file, by the names of its countries.
		var want int64
		for _, r := range file {
			if r.year == "2023" && slices.Contains([]string{"Algeria", "Egypt", "Libya", "Morocco", "Sudan", "Tunisia", "Western Sahara"}, r.country) {
				want += r.total
			}
		}
		if got := sum(get(t, "indicator=sdg_10_7_3&period=2023&area=015").Rows); int64(got) != want {
			t.Errorf("Northern Africa (015) 2023 = %v, the file's countries give %d", got, want)
		}
		// A name is IOM's region, which includes the seas; the M49 code
		// its own aggregate. They differ.
		iom := sum(get(t, "indicator=sdg_10_7_3&period=2023&area="+url.QueryEscape("Eastern Africa")).Rows)
		m49 := sum(get(t, "indicator=sdg_10_7_3&period=2023&area=014").Rows)
		if iom == 0 || m49 == 0 {
			t.Errorf("Eastern Africa 2023: IOM %v, M49 %v", iom, m49)
		}
		med := get(t, "indicator=sdg_10_7_3&period=2023&area=Mediterranean")
		if len(med.Rows) != 1 || med.Rows[0].Area != "Mediterranean" {
			t.Errorf("Mediterranean: %+v", med.Rows)
		}
	})

	t.Run("route", func(t *testing.T) {
		const route = "Central Mediterranean"
		var want, wantLibya int64
		for _, r := range file {
			if r.year == "2023" && slices.Contains(r.routes, route) {
				want += r.total
				if r.country == "Libya" {
					wantLibya += r.total
				}
			}
		}
		if want == 0 {
			t.Fatal("no Central Mediterranean incident in 2023 in the file")
		}
		out := get(t, "indicator=sdg_10_7_3&period=2023&area=001&route="+url.QueryEscape(route))
		if len(out.Rows) != 1 || int64(sum(out.Rows)) != want || out.Meta.Route != route {
			t.Errorf("Central Mediterranean 2023: %+v (route %q), want %d", out.Rows, out.Meta.Route, want)
		}
		out = get(t, "indicator=sdg_10_7_3&period=2023&area=LBY&route="+url.QueryEscape(route))
		if int64(sum(out.Rows)) != wantLibya {
			t.Errorf("Central Mediterranean in Libya 2023: %v, want %d", sum(out.Rows), wantLibya)
		}
		for _, q := range []string{"indicator=sdg_10_7_3&area=001&route=Atlantis", "indicator=migrant_stock&area=KEN&route=" + url.QueryEscape(route)} {
			w := mapGet(t, h, "/api/v1/data?"+q)
			if w.Code != 400 || !strings.Contains(w.Body.String(), `"param":"route"`) {
				t.Errorf("%s: %d %s, want 400 naming route", q, w.Code, w.Body)
			}
		}
	})

	t.Run("period errors and missing rows", func(t *testing.T) {
		w := mapGet(t, h, "/api/v1/data?indicator=migrant_stock&area=404&period=20x9")
		if w.Code != 400 || !strings.Contains(w.Body.String(), `\"20x9\" is not a year`) || strings.Contains(w.Body.String(), "start before the end") {
			t.Errorf("period 20x9: %d %s", w.Code, w.Body)
		}
		out := get(t, "indicator=migrant_stock&area=404&period=2019")
		if len(out.Rows) != 1 || out.Rows[0].Period != "2019" || out.Rows[0].Value != nil || out.Rows[0].Status != string(stats.Missing) {
			t.Errorf("migrant stock Kenya 2019: %+v, want one missing row", out.Rows)
		}
		if !slices.ContainsFunc(out.Meta.Notes, func(n string) bool { return strings.Contains(n, "Periods with data: 1990") }) {
			t.Errorf("no note on the periods with data: %v", out.Meta.Notes)
		}
		// A period with data is unchanged: Kenya's 2020 figure.
		if out := get(t, "indicator=migrant_stock&area=404&period=2019:2020"); len(out.Rows) != 1 || out.Rows[0].Period != "2020" || out.Rows[0].Value == nil {
			t.Errorf("migrant stock Kenya 2019:2020: %+v", out.Rows)
		}
	})
}

// TestMapPeriods: every period the map offers has values, the default is
// the latest of them, and the XLSX holds the JSON's rows.
func TestMapPeriods(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	if testing.Short() {
		t.Skip("imports the shipped datasets")
	}
	h, db := shippedStore(t)
	ctx := context.Background()
	st := db.Stats()
	for _, code := range []string{"sdg_10_7_4", "migrant_share_of_population", "refugees_by_asylum", "remittances_received_pct_gdp"} {
		t.Run(code, func(t *testing.T) {
			ind, err := st.Indicator(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			c, err := ind.Compile(nil)
			if err != nil {
				t.Fatal(err)
			}
			periods, err := st.IndicatorPeriods(ctx, c)
			if err != nil || len(periods) == 0 {
				t.Fatalf("periods %v, %v", periods, err)
			}
			t.Logf("%d periods, %s to %s", len(periods), periods[0], periods[len(periods)-1])
			for _, p := range periods {
				m := getMap(t, h, "indicator="+code+"&period="+p)
				if !slices.ContainsFunc(m.Rows, func(r api.MapRow) bool { return r.Value != nil }) {
					t.Errorf("%s %s is offered but no country has a value", code, p)
				}
			}
			if m := getMap(t, h, "indicator="+code); m.Period != periods[len(periods)-1] {
				t.Errorf("default period %s, want the latest with data %s", m.Period, periods[len(periods)-1])
			}
		})
	}

	t.Run("xlsx", func(t *testing.T) {
		m := getMap(t, h, "indicator=sdg_10_7_4&period=2020")
		w := mapGet(t, h, "/api/v1/map?indicator=sdg_10_7_4&period=2020&format=xlsx")
		if w.Code != 200 || w.Header().Get("Content-Type") != api.MediaTypeXLSX {
			t.Fatalf("xlsx: %d %s", w.Code, w.Header().Get("Content-Type"))
		}
		f, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows(api.SheetData, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(m.Rows)+1 || rows[0][1] != "area" || rows[0][6] != "value" || rows[0][7] != "status" {
			t.Fatalf("%d xlsx rows (header %v), want %d + header", len(rows), rows[0], len(m.Rows))
		}
		for i, r := range m.Rows {
			x := append(rows[i+1], make([]string, 14)...)
			want := ""
			if r.Value != nil {
				want = strconv.FormatFloat(*r.Value, 'f', -1, 64)
			}
			got := x[6]
			if got != "" {
				v, err := strconv.ParseFloat(got, 64)
				if err != nil {
					t.Fatalf("row %d value %q", i, got)
				}
				got = strconv.FormatFloat(v, 'f', -1, 64)
			}
			if x[1] != r.Area || x[2] != r.Name || got != want || x[7] != r.Status {
				t.Errorf("row %d: xlsx %v, json %+v", i, x[:8], r)
			}
		}
		src, _ := f.GetRows(api.SheetSource)
		if len(src) < 5 || src[0][1] != "sdg_10_7_4" {
			t.Errorf("source sheet %v", src)
		}
	})
}
