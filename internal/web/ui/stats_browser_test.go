package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
)

// testBrowserStatistics opens the country and corridor pages in headless
// Chromium over the real imported data (TestStatistics' harness): the
// figures shown equal the stored values (which the other subtests tie to
// the source files), the charts are painted (their marks have a size on
// screen), and the page raises no console or CSP errors.
func testBrowserStatistics(t *testing.T, h *statsHarness) {
	chrome := requireChromium(t)
	srv := newHTTPServer(t, h.harness)
	ctx, console := newBrowser(t, chrome)

	// Kenya: the headline migrant stock is the workbook's 2020 figure.
	want := formatNumber("en", kenya2020FromWorkbook(t), 0)
	do(t, ctx, "open Kenya's statistics", chromedp.Navigate(srv+"/countries/KEN"), chromedp.WaitVisible(chromedp.CSS("svg[role=img]")))
	if body := get(t, ctx, "read the page", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(body, want) {
		t.Errorf("Kenya's page does not show the 2020 migrant stock %s", want)
	}
	painted := get(t, ctx, "measure the chart", chromedp.Evaluate[int](`[...document.querySelectorAll("svg[role=img] rect")]
		.filter(r => { const b = r.getBoundingClientRect(); return b.width > 0 && b.height > 0 }).length`))
	if painted < 5 {
		t.Errorf("the migrant-stock chart paints %d columns, want one per year (≥ 5)", painted)
	}

	// Mexico → United States: the latest bilateral figure in the table.
	obs, err := h.db.Stats().Observations(context.Background(), store.ObservationQuery{Series: "migrant_stock_bilateral",
		Areas: []string{"USA"}, Counterpart: "MEX", Period: stats.PeriodRange{From: "1900", To: "2100"}, Sex: stats.SexTotal})
	if err != nil || len(obs) == 0 {
		t.Fatalf("no stored MEX→USA stock: %v", err)
	}
	latest := obs[len(obs)-1]
	do(t, ctx, "open the corridor", chromedp.Navigate(srv+"/corridors/MEX-USA"), chromedp.WaitVisible(chromedp.CSS("svg[role=img]")))
	if h1 := get(t, ctx, "read the heading", chromedp.Text(chromedp.CSS("h1"))); !strings.Contains(h1, "Mexico") || !strings.Contains(h1, "United States") {
		t.Errorf("corridor heading %q", h1)
	}
	if body := get(t, ctx, "read the page", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(body, formatNumber("en", latest.Value, 0)) {
		t.Errorf("the corridor page does not show the %s stock %s", latest.Period, formatNumber("en", latest.Value, 0))
	}
	marks := get(t, ctx, "measure the chart", chromedp.Evaluate[int](`[...document.querySelectorAll("svg[role=img] rect, svg[role=img] path, svg[role=img] polyline, svg[role=img] circle")]
		.filter(r => { const b = r.getBoundingClientRect(); return b.width > 0 && b.height > 0 }).length`))
	if marks == 0 {
		t.Error("the corridor chart paints nothing")
	}
	for _, msg := range console.messages() {
		t.Errorf("browser reported: %s", msg)
	}
}
