package ui

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestPlanBaselineBeforeStart: a plan starts from a baseline before its
// period (a 2015–2030 plan from 2010 and 2012 baselines; a 2020–2030
// plan from 2018); the tables show the baseline year (a reported
// indicator's baseline as its first row), the expected value is rounded
// to the indicator's decimals (no 3,486,345,802.4 US$), and the progress
// chart draws the values as a line with markers beside the dashed path,
// on an axis fitted to the data.
func TestPlanBaselineBeforeStart(t *testing.T) {
	body := func(w *httptest.ResponseRecorder) string { return w.Body.String() }
	h := newPlanHarness(t)
	planPath := narrowLayoutPlan(t, h)
	c := h.client(t)
	c.signIn("editor")
	csrf := c.csrf()
	post := func(target string, f url.Values) int {
		f.Set("csrf_token", csrf)
		return c.do(http.MethodPost, target, f).Code
	}
	// A second reported value, the year after the first: a line joins them.
	repID := regexp.MustCompile(`<option value="(\d+)">Personal remittances, received \(current US\$\)`).FindStringSubmatch(c.get(planPath).Body.String())
	if repID == nil {
		t.Fatal("no reported indicator")
	}
	if code := post(planPath+"/measurements", url.Values{"indicator_id": {repID[1]}, "year": {"2022"}, "value": {"4010000000"},
		"note": {"Central Bank of Kenya 2022"}}); code != http.StatusSeeOther {
		t.Fatalf("measurement: status %d", code)
	}

	w := c.get(planPath)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	// Live from 2010 (before the 2015 start): the data's 2010 value is the
	// baseline and a row of the table. Reported from 2012: its baseline
	// row, then the 2021 value; expected in 2021 on the path
	// 2,986,345,802 + (5,000,000,000 − 2,986,345,802) × 9/18; in 2022, × 10/18 = 4,105,042,578.67, shown as 4,105,042,579.
	wantBody(t, w, []string{"2.2 in 2010", "2,986,345,802 in 2012",
		`<tr><th scope="row">2010</th><td class="num">2.2</td>`,
		`<tr><th scope="row">2012</th><td class="num">2,986,345,802</td><td class="num">2,986,345,802</td><td>Baseline</td>`,
		`<tr><th scope="row">2021</th><td class="num">3,718,000,000</td><td class="num">3,993,172,901</td>`,
		"<dd>4,105,042,579</dd>",
		`<polyline class="chart-line chart-s0"`, `<polyline class="chart-line chart-s1 chart-line-dashed"`, `<circle class="chart-marker chart-s0"`,
		"US$ (billions)"},
		[]string{`class="chart-bar`})
	if m := regexp.MustCompile(`>[^<]*\d,\d{3}\.\d[^<]*<`).FindString(w.Body.String()); m != "" {
		t.Errorf("a US$ value with decimals: %q", m)
	}
	// Only the consecutive 2021 and 2022 values are joined by a line.
	if n := strings.Count(body(w), `<polyline class="chart-line chart-s0"`); n != 1 {
		t.Errorf("%d solid lines, want 1 (2021–2022)", n)
	}
	// The baseline row comes first, before the reported value.
	if i, j := strings.Index(body(w), `<th scope="row">2012</th>`), strings.Index(body(w), `<th scope="row">2021</th>`); i < 0 || j < i {
		t.Errorf("the baseline row (at %d) does not precede the 2021 value (at %d)", i, j)
	}
	wantBody(t, c.get(planPath+"/report"), []string{"4,105,042,579", "2,986,345,802 in 2012", `chart-line-dashed`}, []string{"3,993,172,901."})
	wantBody(t, c.do(http.MethodGet, planPath+"?lang=fr", nil), []string{"dollars des États-Unis (milliards)", "4\u00a0105\u00a0042\u00a0579"}, nil)
	c.do(http.MethodGet, planPath+"?lang=en", nil)

	// A 2020–2030 plan from a 2018 baseline is accepted; a baseline after
	// the target, or a target outside the period, is not.
	loc := c.do(http.MethodPost, "/plans", url.Values{"csrf_token": {csrf}, "country": {"KEN"}, "title": {"Kenya 2020–2030"},
		"start_year": {"2020"}, "end_year": {"2030"}, "status": {"active"}}).Header().Get("Location")
	m := planIDRE.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("Location %q", loc)
	}
	p2 := "/plans/" + m[1]
	if code := post(p2+"/goals", url.Values{"goal_title": {"Remittances"}}); code != http.StatusSeeOther {
		t.Fatalf("goal: status %d", code)
	}
	goalID := regexp.MustCompile(`<option value="(\d+)">Remittances</option>`).FindStringSubmatch(c.get(p2).Body.String())
	if goalID == nil {
		t.Fatal("no goal")
	}
	link := func(baseline, target string) url.Values {
		return url.Values{"goal_id": {goalID[1]}, "indicator": {"remittances_received_pct_gdp"}, "source": {"reported"}, "sex": {"total"},
			"baseline_value": {"49.5"}, "baseline_year": {baseline}, "target_value": {"52"}, "target_year": {target}}
	}
	for _, tc := range []struct {
		baseline, target string
		status           int
	}{
		{"2031", "2030", http.StatusBadRequest},
		{"2018", "2019", http.StatusBadRequest},
		{"2018", "2031", http.StatusBadRequest},
		{"2018", "2030", http.StatusSeeOther},
	} {
		if code := post(p2+"/indicators", link(tc.baseline, tc.target)); code != tc.status {
			t.Errorf("baseline %s, target %s: status %d, want %d", tc.baseline, tc.target, code, tc.status)
		}
	}
	// The 49.5 → 52 path shows: its chart's axis is not from zero.
	w = c.get(p2)
	wantBody(t, w, []string{"49.50 in 2018", `<th scope="row">2018</th><td class="num">49.50</td>`, `<polyline class="chart-line chart-s1 chart-line-dashed"`}, nil)
	if strings.Contains(w.Body.String(), `dominant-baseline="middle">0</text>`) {
		t.Error("the plan chart's axis starts at 0")
	}
}
