package ui

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/corridor-platform/corridor/internal/testenv"
)

// TestBrowserRegion drives a real headless Chromium over the shipped data:
// the regions list → Eastern Africa (014), whose published and computed
// migrant stock for 2020 render and equal the UN DESA workbook (its row for
// the region, the sum of its member countries' rows); the chart draws;
// a member link opens Kenya, whose region link leads back.
func TestBrowserRegion(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	chrome := requireChromium(t)
	h := newStatsHarness(t)
	srv := newHTTPServer(t, h.harness)
	byCode, byName := ims2020Stock(t)
	ctx := context.Background()
	a, err := h.db.Geo().Area(ctx, "014")
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, m := range a.Members {
		c, err := h.db.Geo().Area(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(c.M49)
		sum += byCode[strconv.Itoa(n)] // a member without a row adds nothing, as it is left out
	}

	bctx, console := newBrowser(t, chrome)
	do(t, bctx, "open the regions list",
		chromedp.Navigate(srv+"/regions"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/regions/014"]`)),
	)
	do(t, bctx, "open Eastern Africa",
		chromedp.Click(chromedp.CSS(`a[href="/regions/014"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.region-figure .figure-published data`)),
	)
	if h1 := get(t, bctx, "read the heading", chromedp.Text(chromedp.CSS("h1"))); h1 != "Eastern Africa" {
		t.Errorf("h1 = %q", h1)
	}
	pub := get(t, bctx, "read the published figure", chromedp.Text(chromedp.CSS(`.region-figure .figure-published data`)))
	comp := get(t, bctx, "read the computed figure", chromedp.Text(chromedp.CSS(`.region-figure .figure-computed data`)))
	if want := formatNumber("en", byName["Eastern Africa"], 0); pub != want {
		t.Errorf("published %q, workbook %s", pub, want)
	}
	if want := formatNumber("en", sum, 0); comp != want {
		t.Errorf("computed %q, Σ members in the workbook %s", comp, want)
	}
	label := get(t, bctx, "read the figure label", chromedp.Text(chromedp.CSS(`.region-figure .stat-label`)))
	if label != "International migrants living in the region" {
		t.Errorf("first figure is %q", label)
	}
	coverage := get(t, bctx, "read the coverage", chromedp.Text(chromedp.CSS(`.region-figure .figure-coverage`)))
	if !strings.Contains(coverage, "of "+strconv.Itoa(len(a.Members))+" member countries") {
		t.Errorf("coverage %q", coverage)
	}
	// The chart is drawn: columns with a size, under the CSP.
	cols := get(t, bctx, "count the chart's columns",
		chromedp.Evaluate[int](`[...document.querySelectorAll("#region-stock svg rect")].filter(r => r.getBoundingClientRect().height > 0).length`))
	if cols == 0 {
		t.Error("the chart has no visible columns")
	}
	if os.Getenv("CORRIDOR_SCREENSHOT") != "" {
		png := get(t, bctx, "screenshot", chromedp.FullScreenshot(100))
		os.WriteFile(os.Getenv("CORRIDOR_SCREENSHOT"), png, 0o644)
	}

	// A member country, and back through its region link.
	do(t, bctx, "open Kenya",
		chromedp.Click(chromedp.CSS(`table.members a[href="/countries/KEN"]`)),
		chromedp.WaitVisible(chromedp.ID("facts-m49")),
	)
	do(t, bctx, "follow Kenya's intermediate region",
		chromedp.Click(chromedp.CSS(`#facts-m49 ~ dl a[href="/regions/014"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.region-figure`)),
	)
	if loc := get(t, bctx, "read the URL", chromedp.Location()); loc != srv+"/regions/014" {
		t.Errorf("Kenya's region link led to %q", loc)
	}
	for _, msg := range console.messages() {
		t.Errorf("browser reported: %s", msg)
	}
}
