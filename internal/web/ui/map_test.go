package ui

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"

	"github.com/corridor-platform/corridor/internal/testenv"
	"github.com/corridor-platform/corridor/internal/web/api"
)

// TestMap imports the shipped datasets once and checks the world map
// page against the map and data APIs, then loads it in Chromium.
func TestMap(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	if testing.Short() {
		t.Skip("imports the shipped datasets")
	}
	h := newStatsHarness(t)
	t.Run("page", func(t *testing.T) { testMapPage(t, h) })
	t.Run("notices and errors", func(t *testing.T) { testMapNotices(t, h) })
	t.Run("browser", func(t *testing.T) { testMapBrowser(t, h) })
	if strings.Contains(h.logs.String(), "missing translation") {
		t.Errorf("the map asked for missing messages:\n%s", h.logs)
	}
}

// mapAPI fetches the map API's answer.
func mapAPI(t *testing.T, h *statsHarness, query string) api.MapData {
	t.Helper()
	w := h.get(t, "/api/v1/map?"+query)
	if w.Code != 200 {
		t.Fatalf("/api/v1/map?%s: %d %s", query, w.Code, w.Body)
	}
	var m api.MapData
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// elementsWith returns the elements of a tag having an attribute.
func elementsWith(n *html.Node, tag, key string) map[string]*html.Node {
	out := map[string]*html.Node{}
	walk(n, func(c *html.Node) {
		if c.Type == html.ElementNode && c.Data == tag {
			for _, a := range c.Attr {
				if a.Key == key {
					out[a.Val] = c
				}
			}
		}
	})
	return out
}

func testMapPage(t *testing.T, h *statsHarness) {
	const query = "indicator=migrant_share_of_population&period=2020"
	w := h.get(t, "/map?"+query)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	body := w.Body.String()
	doc := parseHTML(t, strings.NewReader(body))
	m := mapAPI(t, h, query)

	svg := firstElement(doc, "svg")
	if svg == nil || attr(svg, "id") != "worldmap" || attr(svg, "role") != "img" || attr(svg, "aria-labelledby") != "map-title map-desc" {
		t.Fatalf("no accessible map SVG")
	}
	paths := elementsWith(svg, "path", "data-area")
	rows := elementsWith(doc, "tr", "data-area")
	if len(paths) < 170 || len(rows) != len(m.Rows) {
		t.Fatalf("%d countries drawn, %d table rows; the API has %d rows", len(paths), len(rows), len(m.Rows))
	}
	nodata := 0
	for _, r := range m.Rows {
		tr := rows[r.Area]
		if tr == nil {
			t.Errorf("%s (%s) is not in the table", r.Area, r.Name)
			continue
		}
		cells := []string{}
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				cells = append(cells, strings.TrimSpace(textOf(c)))
			}
		}
		path, drawn := paths[r.Area]
		if drawn != r.Drawn {
			t.Errorf("%s: drawn %v on the page, %v in the API", r.Area, drawn, r.Drawn)
		}
		if r.Value == nil {
			// No data: "No data" in the table and a hatched grey shape,
			// never a class colour (which would read as a value).
			if cells[1] != "No data" {
				t.Errorf("%s: no data, but the table says %q", r.Area, cells[1])
			}
			if drawn && attr(path, "fill") != "url(#map-nodata)" {
				t.Errorf("%s: no data, but filled %q", r.Area, attr(path, "fill"))
			}
			if drawn {
				nodata++
			}
			continue
		}
		// Exactly the API's number: the raw value, and as shown.
		d := firstElement(tr, "data")
		if d == nil || attr(d, "value") != strconv.FormatFloat(*r.Value, 'f', -1, 64) || cells[1] != formatNumber("en", *r.Value, 1) {
			t.Errorf("%s: table %q, API %v", r.Area, cells[1], *r.Value)
		}
		if drawn && attr(path, "fill") != m.Classes[*r.Class].Colour {
			t.Errorf("%s: filled %q, its class colour is %s", r.Area, attr(path, "fill"), m.Classes[*r.Class].Colour)
		}
		if !drawn && !strings.Contains(cells[2], "Not drawn") {
			t.Errorf("%s: not drawn, but the table says %q", r.Area, cells[2])
		}
	}
	if nodata == 0 {
		t.Error("no drawn country without data: the hatching is not tested")
	}
	if ata := rows["ATA"]; ata == nil || !strings.Contains(textOf(ata), "left off the map") {
		t.Error("Antarctica's row does not say it is left off the map")
	}

	// Kenya: the table, the shape's title and the data API agree.
	var kenya api.DataRow
	for _, rec := range apiCSV(t, h, "/api/v1/data?indicator=migrant_share_of_population&area=KEN&period=2020&format=csv") {
		v, err := strconv.ParseFloat(rec[6], 64)
		if err != nil {
			t.Fatal(err)
		}
		kenya = api.DataRow{Area: rec[1], Period: rec[4], Value: &v}
	}
	if kenya.Value == nil || kenya.Period != "2020" {
		t.Fatalf("data API row for Kenya 2020: %+v", kenya)
	}
	kenText := formatNumber("en", *kenya.Value, 1)
	if d := firstElement(rows["KEN"], "data"); d == nil || attr(d, "value") != strconv.FormatFloat(*kenya.Value, 'f', -1, 64) {
		t.Errorf("Kenya's table value is not the data API's %v", *kenya.Value)
	}
	if title := textOf(firstElement(paths["KEN"], "title")); title != "Kenya: "+kenText+" % of the population" {
		t.Errorf("Kenya's shape title %q, want the value %s", title, kenText)
	}

	for _, s := range []string{
		"International migrants as a share of the population, 2020",
		"Legend (% of the population)", "No data (not zero)", "Classes are quantiles",
		"Singapore", "too small to be drawn", // listed, not drawn
		`href="/api/v1/map?format=csv&amp;indicator=migrant_share_of_population&amp;period=2020"`,
		`href="/api/v1/map?format=json&amp;indicator=migrant_share_of_population&amp;period=2020"`,
		`href="/countries/KEN"`, "International Migrant Stock 2020", "Made with Natural Earth",
		`<option value="2020" selected>`, `<option value="migrant_share_of_population" selected>`, `<option value="female">`,
	} {
		if !strings.Contains(body, s) {
			t.Errorf("/map lacks %q", s)
		}
	}
	// Every class of the legend, with its bounds in the unit's decimals.
	for _, c := range m.Classes {
		want := formatNumber("en", c.Min, 1) + " to " + formatNumber("en", c.Max, 1)
		if !strings.Contains(body, want) {
			t.Errorf("legend lacks the class %q", want)
		}
	}
	for _, problem := range cspViolations(doc) {
		t.Errorf("/map: %s", problem)
	}

	// The default: the latest year; French numbers in French.
	if w := h.get(t, "/map"); w.Code != 200 || !strings.Contains(w.Body.String(), "International migrants as a share of the population, 2020") {
		t.Errorf("/map: %d, not the latest year of the default indicator", w.Code)
	}
	fr := h.get(t, "/map?"+query+"&lang=fr").Body.String()
	if !strings.Contains(fr, "Carte du monde") || !strings.Contains(fr, formatNumber("fr", *kenya.Value, 1)) {
		t.Error("the French map lacks its title or Kenya's value written in French")
	}

	// A bilateral indicator maps one origin's diaspora by destination.
	bi := h.get(t, "/map?indicator=migrant_stock_bilateral&counterpart=MEX&period=2019").Body.String()
	mex := mapAPI(t, h, "indicator=migrant_stock_bilateral&counterpart=MEX&period=2019")
	for _, r := range mex.Rows {
		if r.Area == "USA" && (r.Value == nil || !strings.Contains(bi, formatNumber("en", *r.Value, 0))) {
			t.Errorf("Mexicans in the USA: %v not on the page", r.Value)
		}
	}
}

func testMapNotices(t *testing.T, h *statsHarness) {
	tests := []struct {
		url    string
		status int
		want   []string
		reject []string
	}{
		{"/map?indicator=migrant_stock&period=1985", 400,
			[]string{"no data for 1985", "from 1990 to 2020", "no other year is shown in its place"}, []string{`id="worldmap"`}},
		{"/map?indicator=migrant_stock_bilateral", 200, []string{"choose the country of origin", `<select id="map-counterpart"`}, []string{`id="worldmap"`}},
		{"/map?indicator=no_such", 400, []string{"“indicator”", "no indicator “no_such”"}, nil},
		{"/map?indicator=refugees_by_origin&sex=female", 400, []string{"“sex”"}, nil},
		{"/map?indicator=migrant_stock&counterpart=MEX", 400, []string{"“counterpart”", "only bilateral"}, nil},
		{"/map?indicator=migrant_stock_bilateral&counterpart=ZZZ", 400, []string{"“counterpart”", "“ZZZ”"}, nil},
	}
	for _, tt := range tests {
		w := h.get(t, tt.url)
		body := w.Body.String()
		if w.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.url, w.Code, tt.status)
		}
		for _, s := range tt.want {
			if !strings.Contains(body, s) {
				t.Errorf("%s lacks %q", tt.url, s)
			}
		}
		for _, s := range tt.reject {
			if strings.Contains(body, s) {
				t.Errorf("%s has %q", tt.url, s)
			}
		}
	}
}

// testMapBrowser loads the map in Chromium: the shapes are painted in
// their class colours, the countries without data hatched, and Kenya's
// value is in the table; the page logs no error (CSP included).
func testMapBrowser(t *testing.T, h *statsHarness) {
	chrome := requireChromium(t)
	srv := newHTTPServer(t, h.harness)
	ctx, console := newBrowser(t, chrome)
	m := mapAPI(t, h, "indicator=migrant_share_of_population&period=2020")

	do(t, ctx, "open the map",
		chromedp.Navigate(srv+"/map?indicator=migrant_share_of_population&period=2020"),
		chromedp.WaitVisible(chromedp.ID("worldmap")),
	)
	painted := get(t, ctx, "count the painted countries", chromedp.Evaluate[int](`[...document.querySelectorAll("#worldmap path[data-area]")]
		.filter(p => { const b = p.getBBox(); return b.width > 0 && b.height > 0 && getComputedStyle(p).fill !== "none"; }).length`))
	if painted < 170 {
		t.Errorf("%d country shapes painted, want at least 170", painted)
	}
	width := get(t, ctx, "measure the map", chromedp.Evaluate[float64](`document.getElementById("worldmap").getBoundingClientRect().width`))
	if width < 500 {
		t.Errorf("the map is %v px wide", width)
	}
	var kenColour, kenValue string
	for _, r := range m.Rows {
		if r.Area == "KEN" && r.Value != nil {
			kenColour, kenValue = m.Classes[*r.Class].Colour, formatNumber("en", *r.Value, 1)
		}
	}
	fill := get(t, ctx, "read Kenya's fill", chromedp.Evaluate[string](`getComputedStyle(document.querySelector('#worldmap path[data-area="KEN"]')).fill`))
	if want := rgb(kenColour); fill != want {
		t.Errorf("Kenya painted %q, want its class colour %s (%s)", fill, want, kenColour)
	}
	hatched := get(t, ctx, "count the hatched shapes", chromedp.Evaluate[int](`[...document.querySelectorAll("#worldmap path")]
		.filter(p => getComputedStyle(p).fill.includes("map-nodata")).length`))
	if hatched == 0 {
		t.Error("no shape is hatched as no data")
	}
	row := get(t, ctx, "read Kenya's row", chromedp.Text(chromedp.CSS(`#map-table tr[data-area="KEN"]`)))
	if !strings.Contains(row, "Kenya") || !strings.Contains(row, kenValue) {
		t.Errorf("Kenya's row %q lacks %s", row, kenValue)
	}
	for _, msg := range console.messages() {
		t.Errorf("browser reported: %s", msg)
	}
}

// rgb writes #rrggbb as the browser's computed colour.
func rgb(hex string) string {
	v, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	return "rgb(" + strconv.Itoa(int(v>>16&255)) + ", " + strconv.Itoa(int(v>>8&255)) + ", " + strconv.Itoa(int(v&255)) + ")"
}
