package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/testenv"
	"github.com/corridor-platform/corridor/internal/web/api"
)

// ims2020Stock reads the 2020 both-sexes migrant stock of Table 1 of the
// UN DESA workbook, by location code and by row name, independently of the
// importer.
func ims2020Stock(t *testing.T) (byCode, byName map[string]float64) {
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
	byCode, byName = map[string]float64{}, map[string]float64{}
	header := false
	for _, r := range rows {
		if !header {
			header = slices.Contains(r, "Location code")
			if header && r[11] != "2020" {
				t.Fatalf("Table 1: column L is %q, want 2020", r[11])
			}
			continue
		}
		if len(r) < 12 {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(r[11]), 64); err == nil {
			byCode[strings.TrimSpace(r[3])] = v
			byName[strings.TrimRight(strings.TrimSpace(r[1]), "*")] = v
		}
	}
	return byCode, byName
}

// regionFigureCells returns the published and computed texts of the
// headline figure with the given label ("" when absent).
func regionFigureCells(doc *html.Node, label string) (published, computed, difference string, found bool) {
	walk(doc, func(n *html.Node) {
		if found || n.Type != html.ElementNode || n.Data != "li" || !strings.Contains(attr(n, "class"), "region-figure") {
			return
		}
		if l := firstElement(n, "p"); l == nil || strings.TrimSpace(textOf(l)) != label {
			return
		}
		found = true
		walk(n, func(c *html.Node) {
			if c.Type != html.ElementNode || c.Data != "div" {
				return
			}
			var d string
			if data := firstElement(c, "data"); data != nil {
				d = attr(data, "value")
			}
			switch attr(c, "class") {
			case "figure-published":
				published = d
			case "figure-computed":
				computed = d
			case "figure-difference":
				difference = d
			}
		})
	})
	return
}

// parseEN reads a number as formatNumber writes it in English.
func parseEN(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimPrefix(s, "+"), ",", ""), 64)
	if err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return v
}

// TestRegionPages checks the region pages against the UN DESA workbook:
// the published figure is the workbook's row for the region, the computed
// one the sum of its member countries' rows, and both equal the member
// table and the data API.
func TestRegionPages(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	if testing.Short() {
		t.Skip("imports the shipped datasets")
	}
	h := newStatsHarness(t)
	ctx := context.Background()
	byCode, byName := ims2020Stock(t)
	m49Of := func(code string) string {
		a, err := h.db.Geo().Area(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(a.M49)
		return strconv.Itoa(n)
	}

	t.Run("list", func(t *testing.T) {
		w := h.get(t, "/regions")
		if w.Code != 200 {
			t.Fatalf("/regions: %d", w.Code)
		}
		links := hrefs(parseHTML(t, w.Body))
		for _, want := range []string{"/regions/001", "/regions/002", "/regions/202", "/regions/014", "/regions/947", "/regions/1829"} {
			if !slices.Contains(links, want) {
				t.Errorf("/regions lacks a link to %s", want)
			}
		}
	})

	for _, tc := range []struct{ code, name, workbook string }{
		{"014", "Eastern Africa", "Eastern Africa"},
		{"154", "Northern Europe", "Northern Europe"},
		{"002", "Africa", "AFRICA"},
		{"202", "Sub-Saharan Africa", ""}, // not published by UN DESA (it publishes SDG 947)
	} {
		t.Run(tc.code, func(t *testing.T) {
			w := h.get(t, "/regions/"+tc.code)
			if w.Code != 200 {
				t.Fatalf("%d\n%s", w.Code, w.Body)
			}
			body := w.Body.String()
			doc := parseHTML(t, strings.NewReader(body))
			if h1 := textOf(firstElement(doc, "h1")); strings.TrimSpace(h1) != tc.name {
				t.Errorf("h1 %q", h1)
			}
			pub, comp, diff, ok := regionFigureCells(doc, "International migrants living in the region")
			if !ok {
				t.Fatal("no migrant stock figure")
			}
			// Published: the workbook's row for the region.
			if tc.workbook == "" {
				if pub != "" || !strings.Contains(body, "Not published for this region") {
					t.Errorf("published %q for a region UN DESA does not publish", pub)
				}
			} else if want := formatNumber("en", byName[tc.workbook], 0); pub != want {
				t.Errorf("published %q, workbook %s", pub, want)
			}
			// Computed: the sum of the member rows of the workbook, and
			// of the member table.
			a, err := h.db.Geo().Area(ctx, tc.code)
			if err != nil {
				t.Fatal(err)
			}
			var sum float64
			withData := 0
			for _, m := range a.Members {
				if v, ok := byCode[m49Of(m)]; ok {
					sum += v
					withData++
				}
			}
			if want := formatNumber("en", sum, 0); comp != want {
				t.Errorf("computed %q, Σ of %d members in the workbook %s", comp, withData, want)
			}
			if tc.workbook != "" {
				if want := store.Difference(byName[tc.workbook], sum, 0); parseEN(t, diff) != want {
					t.Errorf("difference %q, want %v", diff, want)
				}
			}
			cov := "of " + strconv.Itoa(len(a.Members)) + " member countries and territories have data"
			if !strings.Contains(body, strconv.Itoa(withData)+" "+cov) {
				t.Errorf("coverage %d %s not stated", withData, cov)
			}
			table := tableByCaption(doc, "Member countries and territories of "+tc.name+", 2020")
			if len(table) != len(a.Members) {
				t.Fatalf("member table has %d rows, the region %d members", len(table), len(a.Members))
			}
			var tableSum float64
			for _, row := range table {
				if row[1] != "No data" {
					tableSum += parseEN(t, row[1])
				}
			}
			if tableSum != sum {
				t.Errorf("member table sums to %v, computed %v", tableSum, sum)
			}
			for _, m := range a.Members {
				if !strings.Contains(body, `href="/countries/`+m+`"`) {
					t.Errorf("no link to member %s", m)
				}
			}
			t.Logf("%s %s 2020: published %q, computed %q (%d of %d members), difference %q", tc.code, tc.name, pub, comp, withData, len(a.Members), diff)

			// The chart's table is the data API's rows: value and computed.
			chart := tableByCaption(doc, "International migrant stock in "+tc.name+", by year: published and computed")
			rec := httptest.NewRecorder()
			h.handler.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/data?indicator=migrant_stock&area="+tc.code, nil))
			var ans struct{ Rows []api.DataRow }
			if err := json.NewDecoder(rec.Body).Decode(&ans); err != nil {
				t.Fatal(err)
			}
			if len(chart) != len(ans.Rows) || len(chart) == 0 {
				t.Fatalf("chart table %d rows, API %d", len(chart), len(ans.Rows))
			}
			cellOf := func(v *float64) string {
				if v == nil {
					return "No data"
				}
				return formatNumber("en", *v, 0)
			}
			for i, r := range ans.Rows {
				pubCell, compCell := "No data", "No data"
				switch r.Basis {
				case api.BasisPublished:
					pubCell, compCell = cellOf(r.Value), cellOf(r.Computed)
				case api.BasisComputed:
					compCell = cellOf(r.Value)
				}
				want := []string{r.Period, pubCell, compCell}
				if tc.workbook == "" { // one line: computed
					want = []string{r.Period, compCell}
				}
				if !slices.Equal(chart[i], want) {
					t.Errorf("chart row %d = %q, API %q", i, chart[i], want)
				}
			}
			for _, want := range []string{"format=xlsx", "format=csv", "format=json",
				"United Nations DESA, Population Division (2020). International Migrant Stock 2020"} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
		})
	}

	t.Run("country links", func(t *testing.T) {
		links := hrefs(parseHTML(t, h.get(t, "/countries/KEN").Body))
		for _, want := range []string{"/regions/002", "/regions/202", "/regions/014", "/regions/947",
			"/api/v1/data?area=KEN&format=xlsx&indicator=migrant_stock"} {
			if !slices.Contains(links, want) {
				t.Errorf("Kenya's page lacks a link to %s", want)
			}
		}
		links = hrefs(parseHTML(t, h.get(t, "/corridors/MEX-USA").Body))
		if !slices.Contains(links, "/api/v1/data?area=USA&counterpart=MEX&format=xlsx&indicator=migrant_stock_bilateral") {
			t.Error("the corridor page has no XLSX download")
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			url      string
			status   int
			location string
		}{
			{"/regions/404", http.StatusMovedPermanently, "/countries/KEN"}, // Kenya's M49 code
			{"/regions/9999", http.StatusNotFound, ""},
			{"/regions/1503", http.StatusNotFound, ""}, // an income group: no region page
			{"/regions/abc", http.StatusBadRequest, ""},
		} {
			w := h.get(t, tc.url)
			if w.Code != tc.status || w.Header().Get("Location") != tc.location {
				t.Errorf("%s: %d %q, want %d %q", tc.url, w.Code, w.Header().Get("Location"), tc.status, tc.location)
			}
		}
	})

	t.Run("rules", func(t *testing.T) {
		for _, lang := range []string{"en", "fr", "es"} {
			for _, u := range []string{"/regions", "/regions/001", "/regions/014", "/regions/947", "/regions/202"} {
				w := h.do(t, request{url: u, cookieLang: lang})
				if w.Code != 200 {
					t.Errorf("%s: %d", u, w.Code)
					continue
				}
				doc := parseHTML(t, w.Body)
				for _, p := range cspViolations(doc) {
					t.Errorf("%s (%s): %s", u, lang, p)
				}
				for _, p := range a11yProblems(doc) {
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
	})

	t.Run("etag", func(t *testing.T) {
		first := h.get(t, "/regions/014")
		etag := first.Header().Get("ETag")
		if etag == "" || first.Header().Get("Cache-Control") != api.CacheControlData {
			t.Fatalf("ETag %q, Cache-Control %q", etag, first.Header().Get("Cache-Control"))
		}
		cond := func(url, etag string, lang string) *httptest.ResponseRecorder {
			r := httptest.NewRequest("GET", url, nil)
			r.Header.Set("If-None-Match", etag)
			if lang != "" {
				r.Header.Set("Accept-Language", lang)
			}
			w := httptest.NewRecorder()
			h.handler.ServeHTTP(w, r)
			return w
		}
		if w := cond("/regions/014", etag, ""); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
			t.Errorf("repeat: %d, %d bytes", w.Code, w.Body.Len())
		}
		// French is another representation.
		if w := cond("/regions/014", etag, "fr"); w.Code != 200 || w.Header().Get("ETag") == etag || !strings.Contains(w.Body.String(), `lang="fr"`) {
			t.Errorf("French: %d, ETag %q", w.Code, w.Header().Get("ETag"))
		}
		for _, u := range []string{"/countries/KEN", "/corridors/MEX-USA", "/regions"} {
			if w := h.get(t, u); w.Header().Get("ETag") == "" {
				t.Errorf("%s has no ETag", u)
			}
		}
		// Defining an indicator changes every validator.
		err := h.db.InTx(ctx, func(tx *store.Tx) error {
			return h.db.Stats().CreateIndicator(ctx, tx, stats.Indicator{Code: "stock_k", Name: "Stock (thousands)",
				Numerator: "migrant_stock / 1000", Factor: 1, Unit: "thousand persons", Aggregation: "sum"}, 0)
		})
		if err != nil {
			t.Fatal(err)
		}
		if w := cond("/regions/014", etag, ""); w.Code != 200 || w.Header().Get("ETag") == etag {
			t.Errorf("after defining an indicator: %d, ETag %q", w.Code, w.Header().Get("ETag"))
		}
	})
}

// TestSignedInPagesAreNotValidated: a page naming the signed-in user gets
// neither an ETag nor a shared-cache Cache-Control.
func TestSignedInPagesAreNotValidated(t *testing.T) {
	h := newAccountHarness(t)
	c := h.client(t)
	anon := c.get("/countries/KEN")
	if anon.Code != 200 || anon.Header().Get("ETag") == "" {
		t.Fatalf("anonymous: %d, ETag %q", anon.Code, anon.Header().Get("ETag"))
	}
	if vary := strings.Join(anon.Header().Values("Vary"), ","); !strings.Contains(vary, "Cookie") {
		t.Errorf("Vary %q lacks Cookie", vary)
	}
	c.signIn("viewer")
	w := c.do("GET", "/countries/KEN", nil, "If-None-Match", anon.Header().Get("ETag"))
	if w.Code != 200 || w.Header().Get("ETag") != "" || w.Header().Get("Cache-Control") != "no-store" ||
		!strings.Contains(w.Body.String(), "viewer") {
		t.Errorf("signed in: %d, ETag %q, Cache-Control %q", w.Code, w.Header().Get("ETag"), w.Header().Get("Cache-Control"))
	}
}
