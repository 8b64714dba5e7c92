package ui

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserTrafficking drives a real headless Chromium over an imported
// CTDC fixture: the dashboard shows the total, draws the year columns and
// the map (Kenya coloured) under the CSP, and the filter form narrows the
// figures.
func TestBrowserTrafficking(t *testing.T) {
	chrome := requireChromium(t)
	h := newAccountHarness(t)
	importTraffickingFixture(t, h.db)
	srv := newHTTPServer(t, h.harness)
	bctx, console := newBrowser(t, chrome)
	do(t, bctx, "open the dashboard",
		chromedp.Navigate(srv+"/trafficking"),
		chromedp.WaitVisible(chromedp.ID("trafficking-total")),
	)
	if total := get(t, bctx, "read the total", chromedp.Text(chromedp.ID("trafficking-total"))); total != "5" {
		t.Errorf("total %q, want 5", total)
	}
	cols := get(t, bctx, "count the year columns",
		chromedp.Evaluate[int](`[...document.querySelectorAll(".chart-bars rect")].filter(r => r.getBoundingClientRect().height > 0).length`))
	if cols != 2 {
		t.Errorf("%d visible year columns, want 2 (2019, 2020)", cols)
	}
	fill := get(t, bctx, "read Kenya's colour", chromedp.Evaluate[string](`document.querySelector('#worldmap path[data-area="KEN"]').getAttribute("fill")`))
	if fill == "" || fill == "url(#map-nodata)" {
		t.Errorf("Kenya is not coloured: %q", fill)
	}
	do(t, bctx, "filter on women",
		chromedp.SetValue(chromedp.ID("trafficking-gender"), "female"),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS(`#trafficking-gender option[value="female"][selected]`)),
	)
	// The old document may still be replaced while the new one is read
	// (a loaded machine): read again then.
	var total string
	for try := 0; ; try++ {
		var err error
		if total, err = chromedp.Run(bctx, chromedp.Text(chromedp.ID("trafficking-total"))); err == nil || try == 5 {
			if err != nil {
				t.Fatalf("read the filtered total: %v", err)
			}
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if total != "2" {
		t.Errorf("women: total %q, want 2", total)
	}
	for _, msg := range console.messages() {
		t.Errorf("browser reported: %s", msg)
	}
}
