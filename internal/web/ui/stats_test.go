package ui

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"github.com/corridor-platform/corridor/internal/testenv"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/i18n"
	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/api"
	"github.com/corridor-platform/corridor/internal/web/webauth"
)

// dataDir holds the shipped datasets.
var dataDir = filepath.Join("..", "..", "..", "data")

// statsHarness is the UI and the data API over a real SQLite store with
// the shipped datasets imported, built by newStatsHarness.
type statsHarness struct {
	*harness
	db *store.DB
}

// statsDatasets are imported when the importer registry has them.
var statsDatasets = []string{"countries", "un-migrant-stock", "unhcr-population", "remittance-flows", "missing-migrants"}

func newStatsHarness(t *testing.T) *statsHarness {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.Engines(t)[0].DSN, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Accounts().EnsureBuiltinRoles(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Stats().EnsureBuiltinIndicators(ctx); err != nil {
		t.Fatal(err)
	}
	reg := importer.Builtin()
	rn := &importer.Runner{DB: db, Registry: reg, DataDir: dataDir}
	for _, name := range statsDatasets {
		if _, err := reg.Get(name); err != nil {
			t.Logf("dataset %s not registered: its figures are not checked", name)
			continue
		}
		if _, err := rn.Run(ctx, name, nil); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	authn := &webauth.Auth{DB: db}
	record := func(ctx context.Context, e audit.Entry) error { _, err := db.Audit().Append(ctx, e); return err }
	var u *UI
	pageError := func(w http.ResponseWriter, r *http.Request, err error) { u.PolicyError(w, r, err) }
	router := web.NewRouter(web.Chain(web.Instrument(nil, log), web.Policy(authn, record, log, pageError)))
	u, err = New(Config{Geo: db.Geo(), Log: log, Catalog: cat, Version: "test", DB: db, Auth: authn})
	if err != nil {
		t.Fatal(err)
	}
	api.New(api.Config{Geo: db.Geo(), Log: log, Version: "test", DB: db, Auth: authn}).Register(router)
	u.Register(router)
	stack := &web.Stack{Router: router, Log: log, BodyLimit: 1 << 20, NotFoundPage: u.NotFoundPage}
	return &statsHarness{harness: &harness{ui: u, handler: stack.Handler(), logs: logs}, db: db}
}

// TestStatistics imports the shipped datasets into a real SQLite store
// once and checks the country and corridor pages against them.
func TestStatistics(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	if testing.Short() {
		t.Skip("imports the shipped datasets")
	}
	h := newStatsHarness(t)
	t.Run("country", func(t *testing.T) { testCountryStatistics(t, h) })
	t.Run("corridor", func(t *testing.T) { testCorridorStatistics(t, h) })
	t.Run("errors", func(t *testing.T) { testCorridorErrors(t, h) })
	t.Run("rules", func(t *testing.T) { testStatisticsPagesFollowTheRules(t, h) })
	t.Run("sections", func(t *testing.T) { testCountrySections(t, h) })
	t.Run("browser", func(t *testing.T) { testBrowserStatistics(t, h) })
}

// kenya2020FromWorkbook reads Kenya's 2020 migrant stock (both sexes) from
// Table 1 of the UN DESA workbook, independently of the importer.
func kenya2020FromWorkbook(t *testing.T) float64 {
	t.Helper()
	f, err := excelize.OpenFile(filepath.Join(dataDir, "un-desa-international-migrant-stock", "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Table 1", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	nameCol, yearCol := -1, -1
	for _, row := range rows {
		if nameCol < 0 {
			for i, c := range row {
				if strings.TrimSpace(c) == "Region, development group, country or area" {
					nameCol = i
				}
			}
			if nameCol >= 0 {
				// The first 2020 column is the first group: both sexes.
				for i, c := range row {
					if y, err := strconv.ParseFloat(strings.TrimSpace(c), 64); err == nil && y == 2020 {
						yearCol = i
						break
					}
				}
			}
			continue
		}
		if nameCol < len(row) && strings.TrimSpace(strings.TrimRight(row[nameCol], "*")) == "Kenya" {
			v, err := strconv.ParseFloat(strings.TrimSpace(row[yearCol]), 64)
			if err != nil {
				t.Fatalf("Kenya 2020 cell %q: %v", row[yearCol], err)
			}
			return v
		}
	}
	t.Fatalf("no Kenya row in Table 1 (name column %d, 2020 column %d)", nameCol, yearCol)
	return 0
}

// tableByCaption returns the rows (cell texts) of the table whose caption
// starts with prefix.
func tableByCaption(doc *html.Node, prefix string) [][]string {
	var out [][]string
	walk(doc, func(n *html.Node) {
		if out != nil || n.Type != html.ElementNode || n.Data != "table" {
			return
		}
		cap := firstElement(n, "caption")
		if cap == nil || !strings.HasPrefix(strings.TrimSpace(textOf(cap)), prefix) {
			return
		}
		tbody := firstElement(n, "tbody")
		out = [][]string{}
		for tr := tbody.FirstChild; tr != nil; tr = tr.NextSibling {
			if tr.Type != html.ElementNode || tr.Data != "tr" {
				continue
			}
			var cells []string
			for c := tr.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode {
					cells = append(cells, strings.TrimSpace(textOf(c)))
				}
			}
			out = append(out, cells)
		}
	})
	return out
}

// apiCSV fetches data API rows as CSV records (without the header).
func apiCSV(t *testing.T, h *statsHarness, url string) [][]string {
	t.Helper()
	w := h.get(t, url)
	if w.Code != 200 {
		t.Fatalf("%s: %d %s", url, w.Code, w.Body)
	}
	recs, err := csv.NewReader(w.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[1:]
}

func testCountryStatistics(t *testing.T, h *statsHarness) {
	ctx := context.Background()
	want := kenya2020FromWorkbook(t)
	obs, err := h.db.Stats().Observations(ctx, store.ObservationQuery{Series: "migrant_stock", Areas: []string{"KEN"},
		Period: stats.PeriodRange{From: "2020", To: "2020"}, Sex: stats.SexTotal})
	if err != nil || len(obs) != 1 || obs[0].Value != want {
		t.Fatalf("stored Kenya 2020 = %+v, %v; workbook %v", obs, err, want)
	}
	w := h.get(t, "/countries/KEN")
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	body := w.Body.String()
	doc := parseHTML(t, strings.NewReader(body))
	wantText := formatNumber("en", want, 0)
	for _, s := range []string{
		"Migration statistics", wantText, "International migrants living in the country", "Year: 2020",
		`href="/api/v1/data?area=KEN&amp;format=csv&amp;indicator=migrant_stock"`,
		`href="/api/v1/data?area=KEN&amp;format=json&amp;indicator=migrant_stock"`,
		"Top 10 countries of origin", "Top 10 countries where its emigrants live",
		"International Migrant Stock", // the citation
	} {
		if !strings.Contains(body, s) {
			t.Errorf("/countries/KEN lacks %q", s)
		}
	}
	if strings.Contains(body, "No statistical data is loaded") {
		t.Error("says no data is loaded")
	}

	// The chart: an SVG image with a title and description.
	svg := firstElement(doc, "svg")
	if svg == nil || attr(svg, "role") != "img" || attr(svg, "aria-labelledby") == "" {
		t.Fatalf("no accessible chart SVG")
	}
	if title := firstElement(svg, "title"); title == nil || !strings.Contains(textOf(title), "International migrant stock in Kenya") {
		t.Errorf("chart title missing")
	}
	if n := count(svg, "rect"); n == 0 {
		t.Error("chart has no columns")
	}

	// The table equals the data API's rows for the same indicator and area.
	table := tableByCaption(doc, "International migrant stock in Kenya")
	api := apiCSV(t, h, "/api/v1/data?indicator=migrant_stock&area=KEN&format=csv")
	if len(table) != len(api) || len(api) == 0 {
		t.Fatalf("table has %d rows, the API %d", len(table), len(api))
	}
	found2020 := false
	for i, rec := range api {
		// indicator, area, area_name, counterpart, period, sex, value, status, …
		period, value := rec[4], rec[6]
		cell := "No data"
		if value != "" {
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				t.Fatal(err)
			}
			cell = formatNumber("en", v, 0)
			if period == "2020" {
				found2020 = v == want
			}
		}
		if got := table[i]; len(got) != 2 || got[0] != period || got[1] != cell {
			t.Errorf("row %d: table %q, API %s = %q", i, got, period, cell)
		}
	}
	if !found2020 {
		t.Errorf("the API's 2020 value is not the workbook's %v", want)
	}

	// The top origins link to their corridors and equal the stored
	// bilateral observations.
	origins := tableByCaption(doc, "Migrants living in Kenya by country of origin")
	if len(origins) == 0 || len(origins) > 10 {
		t.Fatalf("%d origins", len(origins))
	}
	if !strings.Contains(body, `href="/corridors/`) || !strings.Contains(body, `-KEN"`) || !strings.Contains(body, `href="/corridors/KEN-`) {
		t.Error("no corridor links")
	}

	// French: the same figure with French separators.
	fr := h.do(t, request{url: "/countries/KEN", cookieLang: "fr"}).Body.String()
	frText := formatNumber("fr", want, 0)
	if !strings.Contains(fr, frText) || !strings.Contains(fr, "Statistiques migratoires") {
		t.Errorf("French page lacks %q", frText)
	}
	if strings.Contains(h.logs.String(), "missing translation") {
		t.Errorf("missing messages:\n%s", h.logs)
	}
}

func testCorridorStatistics(t *testing.T, h *statsHarness) {
	ctx := context.Background()
	obs, err := h.db.Stats().Observations(ctx, store.ObservationQuery{Series: "migrant_stock_bilateral", Areas: []string{"USA"},
		Counterpart: "MEX", Period: stats.PeriodRange{From: "1900", To: "2100"}, Sex: stats.SexTotal})
	if err != nil || len(obs) == 0 {
		t.Fatalf("no stored MEX→USA stock: %v", err)
	}
	latest := obs[len(obs)-1]
	w := h.get(t, "/corridors/MEX-USA")
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	body := w.Body.String()
	doc := parseHTML(t, strings.NewReader(body))
	for _, s := range []string{
		"Mexico → United States of America", `href="/countries/MEX"`, `href="/countries/USA"`,
		"Both sexes", "Women and girls", "Men and boys",
		`/api/v1/data?area=USA&amp;counterpart=MEX&amp;format=csv&amp;indicator=migrant_stock_bilateral`,
		`/api/v1/data?area=USA&amp;counterpart=MEX&amp;format=csv&amp;indicator=migrant_stock_bilateral&amp;sex=female`,
	} {
		if !strings.Contains(body, s) {
			t.Errorf("/corridors/MEX-USA lacks %q", s)
		}
	}
	table := tableByCaption(doc, "Migrants from Mexico living in United States of America")
	var row []string
	for _, r := range table {
		if r[0] == latest.Period {
			row = r
		}
	}
	if want := formatNumber("en", latest.Value, 0); row == nil || row[1] != want {
		t.Errorf("%s row %q, stored total %s", latest.Period, row, want)
	}
	if svg := firstElement(doc, "svg"); svg == nil || firstElement(svg, "title") == nil || attr(svg, "role") != "img" {
		t.Error("no accessible chart")
	}
	// The JSON download has the same number.
	var got struct {
		Rows []api.DataRow `json:"rows"`
	}
	jw := h.get(t, "/api/v1/data?indicator=migrant_stock_bilateral&area=USA&counterpart=MEX&format=json")
	if err := json.Unmarshal(jw.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	ok := false
	for _, r := range got.Rows {
		if r.Period == latest.Period && r.Value != nil && *r.Value == latest.Value {
			ok = true
		}
	}
	if !ok {
		t.Errorf("the API has no %s row equal to %v", latest.Period, latest.Value)
	}
	// Both bilateral remittance estimates, as stored (from the 2017 and
	// 2021 matrices), in a table with downloads.
	rem, err := h.db.Stats().Observations(ctx, store.ObservationQuery{Series: "bilateral_remittances_usd", Areas: []string{"MEX"},
		Counterpart: "USA", Period: stats.PeriodRange{From: "1900", To: "2100"}, Sex: stats.SexTotal})
	if err != nil || len(rem) < 2 {
		t.Fatalf("stored USA→MEX remittances: %v, %v", rem, err)
	}
	remTable := tableByCaption(doc, "Remittances sent from United States of America to Mexico")
	for _, o := range rem {
		found := false
		for _, r := range remTable {
			if r[0] == o.Period && len(r) > 1 && r[1] == formatNumber("en", o.Value, 0) {
				found = true
			}
		}
		if !found {
			t.Errorf("remittance estimate %s (%v) not in the table %q", o.Period, o.Value, remTable)
		}
	}
	if !strings.Contains(body, `/api/v1/data?area=MEX&amp;counterpart=USA&amp;format=xlsx&amp;indicator=bilateral_remittances_usd"`) {
		t.Error("no XLSX download of the remittance estimates")
	}
	// UNHCR has no sex breakdown: the refugee column is "Refugees".
	rw := h.get(t, "/corridors/SYR-DEU")
	if rw.Code != 200 || !strings.Contains(rw.Body.String(), `<th scope="col" class="num">Refugees</th>`) {
		t.Errorf("/corridors/SYR-DEU: %d, no Refugees column", rw.Code)
	}
	for _, p := range cspViolations(doc) {
		t.Error(p)
	}
}

func testCorridorErrors(t *testing.T, h *statsHarness) {
	for _, tc := range []struct {
		url    string
		status int
		want   string
	}{
		{"/corridors/MEX-ZZZ", 404, "“ZZZ”"},
		{"/corridors/QQQ-USA", 404, "“QQQ”"},
		{"/corridors/MEXUSA", 400, "“corridor”"},
		{"/corridors/MEX-US1", 400, "“corridor”"},
		{"/corridors/MEX-MEX", 400, "“corridor”"},
		{"/corridors/MEX-USA?lang=fr", 200, "Corridor migratoire"},
		{"/countries/ZZZ", 404, "“ZZZ”"},
	} {
		w := h.get(t, tc.url)
		if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.want) {
			t.Errorf("%s: %d, want %d with %q", tc.url, w.Code, tc.status, tc.want)
		}
	}
	if w := h.get(t, "/corridors/mex-usa"); w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/corridors/MEX-USA" {
		t.Errorf("lower case: %d %q", w.Code, w.Header().Get("Location"))
	}
}

// testStatisticsPagesFollowTheRules: CSP (no inline style or script),
// captions and scopes on every table, in every language.
func testStatisticsPagesFollowTheRules(t *testing.T, h *statsHarness) {
	for _, lang := range []string{"en", "fr", "es"} {
		for _, u := range []string{"/countries/KEN", "/countries/MEX", "/corridors/MEX-USA", "/corridors/SYR-DEU", "/countries/ATA"} {
			w := h.do(t, request{url: u, cookieLang: lang})
			if w.Code != 200 {
				t.Errorf("%s: %d", u, w.Code)
				continue
			}
			doc := parseHTML(t, w.Body)
			for _, p := range cspViolations(doc) {
				t.Errorf("%s (%s): %s", u, lang, p)
			}
			walk(doc, func(n *html.Node) {
				if n.Type == html.ElementNode && n.Data == "table" && firstElement(n, "caption") == nil {
					t.Errorf("%s: table without caption", u)
				}
				if n.Type == html.ElementNode && n.Data == "th" && attr(n, "scope") == "" {
					t.Errorf("%s: th without scope", u)
				}
			})
		}
	}
	if strings.Contains(h.logs.String(), "missing translation") {
		t.Errorf("missing messages:\n%s", h.logs)
	}
}

func TestNoStatisticsWithoutData(t *testing.T) {
	h := newHarness(t, newMemStore(testReference()))
	body := h.get(t, "/countries/KEN").Body.String()
	if !strings.Contains(body, "No statistical data is loaded yet") || strings.Contains(body, "<svg") {
		t.Errorf("a page without data must say so:\n%s", body)
	}
}

func TestFormatNumber(t *testing.T) {
	for _, tc := range []struct {
		lang string
		v    float64
		dec  int
		want string
	}{
		{"en", 1050147, 0, "1,050,147"},
		{"fr", 1050147, 0, "1\u00a0050\u00a0147"},
		{"es", 1050147, 0, "1.050.147"},
		{"es", 1050, 0, "1050"},
		{"en", 999, 0, "999"},
		{"en", 12.345, 1, "12.3"},
		{"fr", 12.25, 2, "12,25"},
		{"en", 0, 0, "0"},
		{"en", 1234567.891, 2, "1,234,567.89"},
	} {
		if got := formatNumber(tc.lang, tc.v, tc.dec); got != tc.want {
			t.Errorf("formatNumber(%s, %v, %d) = %q, want %q", tc.lang, tc.v, tc.dec, got, tc.want)
		}
	}
}

func TestChartGapsAreNotZeros(t *testing.T) {
	svg, err := renderChart(chartSpec{ID: "c", Title: "T", Desc: "D", Unit: "persons", NoData: "no data", Lang: "en",
		Periods: []string{"2000", "2005", "2010"},
		Series:  []chartLine{{Name: "Total", Values: []statPoint{{Period: "2000", Value: 10, OK: true}, {Period: "2005"}, {Period: "2010", Value: 30, OK: true}}}}})
	if err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, strings.NewReader(string(svg)))
	bars := 0
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "rect" && strings.Contains(attr(n, "class"), "chart-bar") {
			bars++
		}
	})
	if bars != 2 {
		t.Errorf("%d columns, want 2 (the missing year is a gap)", bars)
	}
	s := string(svg)
	for _, want := range []string{"2005: no data", ">30<", "persons", `role="img"`, "<title id=\"c-title\">T</title>"} {
		if !strings.Contains(s, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
}
