package ui

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserNarrowLayout opens pages with charts and tables in headless
// Chromium at a phone's width (375 px) and at 1000 px: the chart text is
// shown at 11 px or more (the chart scrolls sideways inside its container
// rather than shrinking), no table is wider than what its wrapper shows
// unless the wrapper scrolls, no wrapper reaches past the window, and the
// page itself never scrolls sideways.
func TestBrowserNarrowLayout(t *testing.T) {
	chrome := requireChromium(t)
	h := newPlanHarness(t)
	planPath := narrowLayoutPlan(t, h)
	srv := newHTTPServer(t, h.harness)
	ctx, console := newBrowser(t, chrome)

	submit := chromedp.CSS(`form.form-card button[type="submit"]`)
	do(t, ctx, "sign in",
		chromedp.Navigate(srv+"/login"),
		chromedp.WaitVisible(chromedp.ID("login-username")),
		chromedp.SendKeys(chromedp.ID("login-username"), "editor"),
		chromedp.SendKeys(chromedp.ID("login-password"), testPassword),
		chromedp.Click(submit),
		chromedp.WaitNotPresent(chromedp.ID("login-username")),
	)

	pages := []struct {
		path   string
		width  int64
		charts int // at least
	}{
		{"/countries/KEN", 375, 1},
		{"/countries/KEN?lang=fr", 375, 1},
		{planPath, 375, 2},
		{planPath + "/report?lang=es", 375, 2},
		{planPath + "/report", 1000, 2},
		{planPath + "/report?lang=fr", 1000, 2},
	}
	for _, p := range pages {
		do(t, ctx, "open "+p.path,
			chromedp.EmulateViewport(p.width, 800),
			chromedp.Navigate(srv+p.path),
			chromedp.WaitVisible(chromedp.CSS("main")),
		)
		// The smallest chart text as drawn: its font size times the scale
		// of the drawing (its width on screen over its viewBox's).
		sizes := get(t, ctx, "measure the chart text", chromedp.Evaluate[[]float64](`[...document.querySelectorAll("svg.chart:not(.worldmap)")].map(svg => {
			const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
			return Math.min(...[...svg.querySelectorAll("text")].map(el => parseFloat(getComputedStyle(el).fontSize) * scale));
		})`))
		if len(sizes) < p.charts {
			t.Errorf("%s at %d px: %d charts, want at least %d", p.path, p.width, len(sizes), p.charts)
		}
		for i, s := range sizes {
			if s < 11 {
				t.Errorf("%s at %d px: chart %d shows text at %.1f px, want at least 11", p.path, p.width, i, s)
			}
		}
		problems := get(t, ctx, "measure the tables", chromedp.Evaluate[[]string](`(() => {
			const vw = document.documentElement.clientWidth, bad = [];
			if (document.documentElement.scrollWidth > vw + 1) {
				bad.push("the page scrolls sideways: " + document.documentElement.scrollWidth + " px in " + vw);
			}
			const name = t => (t.caption ? t.caption.textContent.trim() : t.className).slice(0, 60);
			for (const t of document.querySelectorAll("main table")) {
				const w = t.closest(".table-wrap");
				if (!w) { bad.push("a table outside a .table-wrap: " + name(t)); continue; }
				const r = w.getBoundingClientRect(), tw = t.getBoundingClientRect().width;
				if (r.right > vw + 1 || r.left < -1) bad.push("the wrapper reaches past the window: " + name(t) + " " + r.left + "–" + r.right);
				const ox = getComputedStyle(w).overflowX;
				if (tw > w.clientWidth + 1 && ox !== "auto" && ox !== "scroll") bad.push("the table is cut: " + name(t));
				if (w.scrollWidth + 1 < tw) bad.push("the wrapper cannot scroll to the table's end: " + name(t));
			}
			for (const c of document.querySelectorAll(".chart-scroll")) {
				const r = c.getBoundingClientRect();
				if (r.right > vw + 1) bad.push("a chart reaches past the window: " + r.right);
			}
			return bad;
		})()`))
		for _, pr := range problems {
			t.Errorf("%s at %d px: %s", p.path, p.width, pr)
		}
		// At 1000 px the report's table fits: its last column, the status,
		// is in view without scrolling.
		if p.width >= 1000 && strings.Contains(p.path, "/report") {
			cut := get(t, ctx, "measure the report's table", chromedp.Evaluate[[]string](`[...document.querySelectorAll(".plan-report-table")]
				.filter(t => t.getBoundingClientRect().width > t.closest(".table-wrap").clientWidth + 1)
				.map(t => t.caption.textContent.trim())`))
			for _, c := range cut {
				t.Errorf("%s at %d px: the table %q is wider than its wrapper: the status column is out of view", p.path, p.width, c)
			}
		}
	}
	for _, msg := range console.messages() {
		t.Errorf("browser reported: %s", msg)
	}
}

// narrowLayoutPlan creates, as the editor, a plan with a live indicator,
// a reported one with long names and a baseline before the plan's start,
// and a measurement; it returns the plan's path.
func narrowLayoutPlan(t *testing.T, h *accountHarness) string {
	t.Helper()
	c := h.client(t)
	c.signIn("editor")
	csrf := c.csrf()
	post := func(target string, f url.Values) string {
		t.Helper()
		f.Set("csrf_token", csrf)
		w := c.do(http.MethodPost, target, f)
		if w.Code != http.StatusSeeOther {
			t.Fatalf("POST %s: status %d\n%s", target, w.Code, w.Body)
		}
		return w.Header().Get("Location")
	}
	loc := post("/plans", url.Values{"country": {"KEN"}, "title": {"Kenya: migration in the plan 2015–2030, with a long title to wrap"},
		"start_year": {"2015"}, "end_year": {"2030"}, "status": {"active"}})
	m := planIDRE.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("Location %q", loc)
	}
	planPath := "/plans/" + m[1]
	post(planPath+"/goals", url.Values{"goal_title": {"Migration contributes to sustainable development in every county"}})
	goalID := regexp.MustCompile(`<option value="(\d+)">Migration contributes`).FindStringSubmatch(c.get(planPath).Body.String())
	if goalID == nil {
		t.Fatal("no goal in the link form")
	}
	post(planPath+"/indicators", url.Values{"goal_id": {goalID[1]}, "indicator": {"migrant_share_of_population"}, "source": {"live"},
		"sex": {"total"}, "baseline_year": {"2010"}, "target_value": {"2.5"}, "target_year": {"2030"}})
	post(planPath+"/indicators", url.Values{"goal_id": {goalID[1]}, "indicator": {"remittances_received_usd"}, "source": {"reported"},
		"sex": {"total"}, "baseline_value": {"2986345802"}, "baseline_year": {"2012"}, "target_value": {"5000000000"}, "target_year": {"2030"}})
	page := c.get(planPath).Body.String()
	repID := regexp.MustCompile(`<option value="(\d+)">Personal remittances, received \(current US\$\)`).FindStringSubmatch(page)
	if repID == nil {
		i := strings.Index(page, `name="indicator_id"`)
		t.Fatalf("no reported indicator in the measurement form:\n%s", page[i:min(len(page), i+2000)])
	}
	post(planPath+"/measurements", url.Values{"indicator_id": {repID[1]}, "year": {"2021"}, "value": {"3718000000"},
		"note": {"Central Bank of Kenya, diaspora remittances 2021, annual report, table 12 (provisional figures)"}})
	return planPath
}
