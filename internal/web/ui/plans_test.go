package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
)

// planHarness is the account harness with the built-in indicators, an
// editor, and a small table of Kenya's migrant stock and population
// (fixture values) for the live indicator.
func newPlanHarness(t *testing.T) *accountHarness {
	t.Helper()
	h := newAccountHarness(t)
	ctx := context.Background()
	if err := h.db.Stats().EnsureBuiltinIndicators(ctx); err != nil {
		t.Fatal(err)
	}
	h.addUser(t, auth.User{Username: "editor", FullName: "Edna Editor", Email: "edna@example.org", OrgID: h.orgA.ID, Roles: []string{auth.RoleEditor}})
	err := h.db.InTx(ctx, func(tx *store.Tx) error {
		src := stats.Series{Unit: "persons", Source: "UN DESA", Licence: "CC BY 3.0 IGO", Citation: "UN DESA, International Migrant Stock 2020 (fixture)"}
		stock, pop := src, src
		stock.Code, stock.Name = "migrant_stock", "International migrant stock"
		pop.Code, pop.Name = "population", "Total population"
		if err := store.ReplaceSeries(ctx, tx, "test-ims", []stats.Series{stock, pop}); err != nil {
			return err
		}
		w := store.NewObservationWriter(ctx, tx)
		for _, o := range []struct {
			period     string
			stock, pop float64
		}{{"2010", 926067, 42030684}, {"2015", 1037574, 47878339}, {"2020", 1350000, 53771300}} {
			for _, s := range []struct {
				code string
				v    float64
			}{{"migrant_stock", o.stock}, {"population", o.pop}} {
				if err := w.Add(stats.Observation{Series: s.code, Area: "KEN", Period: o.period, Sex: "total", Value: s.v, Status: stats.Observed}); err != nil {
					return err
				}
			}
		}
		_, err := w.Close()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

var planIDRE = regexp.MustCompile(`^/plans/(\d+)\?saved=created$`)

func TestPlanForms(t *testing.T) {
	h := newPlanHarness(t)
	c := h.client(t)
	c.signIn("editor")
	csrf := c.csrf()
	post := func(target string, f url.Values) *httptest.ResponseRecorder {
		t.Helper()
		f.Set("csrf_token", csrf)
		return c.do(http.MethodPost, target, f)
	}
	wantStatus := func(w *httptest.ResponseRecorder, status int) {
		t.Helper()
		if w.Code != status {
			t.Fatalf("status %d, want %d\n%s", w.Code, status, w.Body)
		}
	}

	// The list, the navigation link and the new plan form.
	w := c.get("/plans")
	wantStatus(w, 200)
	wantBody(t, w, []string{`href="/plans" aria-current="page">Plans</a>`, `href="/plans/new"`, "0 plans"}, nil)
	w = c.get("/plans/new")
	wantStatus(w, 200)
	wantBody(t, w, []string{`<option value="KEN">Kenya</option>`, `name="start_year"`}, nil)

	// A refused form names each field and keeps what was typed.
	w = post("/plans", url.Values{"country": {"KEN"}, "title": {" "}, "description": {"Pillar 3: migration"},
		"start_year": {"2030"}, "end_year": {"2020"}, "status": {"draft"}})
	wantStatus(w, 400)
	wantBody(t, w, []string{"Title: this field is required.", "Last year: the last year comes after the first (2030).",
		`aria-invalid="true"`, "Pillar 3: migration", `<option value="KEN" selected>Kenya</option>`}, nil)
	w = post("/plans", url.Values{"country": {"XXX"}, "title": {"t"}, "start_year": {"twenty"}, "end_year": {"2030"}, "status": {"draft"}})
	wantStatus(w, 400)
	wantBody(t, w, []string{"Country: there is no country or territory with the code “XXX”.", "First year: use a whole number, such as 2030."}, nil)

	w = post("/plans", url.Values{"country": {"KEN"}, "title": {"Kenya: migration in the plan 2010–2030"},
		"description": {"GCM objective 1"}, "start_year": {"2010"}, "end_year": {"2030"}, "status": {"active"}})
	wantStatus(w, http.StatusSeeOther)
	m := planIDRE.FindStringSubmatch(w.Header().Get("Location"))
	if m == nil {
		t.Fatalf("Location %q", w.Header().Get("Location"))
	}
	planPath := "/plans/" + m[1]
	wantBody(t, c.get(w.Header().Get("Location")), []string{"The plan was created.", "Kenya: migration in the plan 2010–2030", "This plan has no goal yet."}, nil)

	wantStatus(post(planPath+"/goals", url.Values{"goal_title": {""}}), 400)
	w = post(planPath+"/goals", url.Values{"goal_title": {"Migration contributes to development"}})
	wantStatus(w, http.StatusSeeOther)
	page := c.get(planPath).Body.String()
	goalID := regexp.MustCompile(`<option value="(\d+)">Migration contributes to development</option>`).FindStringSubmatch(page)
	if goalID == nil {
		t.Fatalf("no goal in the link form:\n%s", page)
	}

	// Live: no data in 2011 — the message is next to the year; then 2010.
	link := url.Values{"goal_id": {goalID[1]}, "indicator": {"migrant_share_of_population"}, "source": {"live"}, "sex": {"total"},
		"baseline_year": {"2011"}, "target_value": {"2,5"}, "target_year": {"2030"}}
	w = post(planPath+"/indicators", link)
	wantStatus(w, 400)
	wantBody(t, w, []string{"Baseline year: the imported data has no value of this indicator for the plan&#39;s country in 2011",
		`id="link-baseline-year-error"`, `value="2,5"`, `<option value="migrant_share_of_population" selected>`}, nil)
	link.Set("baseline_year", "2010")
	wantStatus(post(planPath+"/indicators", link), http.StatusSeeOther)
	// Reported: remittances as a share of GDP.
	wantStatus(post(planPath+"/indicators", url.Values{"goal_id": {goalID[1]}, "indicator": {"remittances_received_pct_gdp"},
		"source": {"reported"}, "sex": {"total"}, "baseline_value": {"2"}, "baseline_year": {"2015"}, "target_value": {"4"}, "target_year": {"2030"}}),
		http.StatusSeeOther)
	page = c.get(planPath).Body.String()
	repID := regexp.MustCompile(`<option value="(\d+)">Personal remittances, received \(% of GDP\) — Migration`).FindStringSubmatch(page)
	if repID == nil {
		t.Fatalf("no reported indicator in the measurement form:\n%s", page)
	}
	w = post(planPath+"/measurements", url.Values{"indicator_id": {repID[1]}, "year": {"2020"}, "value": {"3,1"}, "note": {""}})
	wantStatus(w, 400)
	wantBody(t, w, []string{"Evidence: this field is required.", `value="3,1"`}, nil)
	w = post(planPath+"/measurements", url.Values{"indicator_id": {repID[1]}, "year": {"2020"}, "date": {"2019-12-31"}, "value": {"3"}, "note": {"x"}})
	wantStatus(w, 400)
	wantBody(t, w, []string{"Date (optional): use a date within the year 2020."}, nil)
	wantStatus(post(planPath+"/measurements", url.Values{"indicator_id": {repID[1]}, "year": {"2020"}, "value": {"3,1"},
		"note": {"Central Bank of Kenya, diaspora remittances 2020"}}), http.StatusSeeOther)

	// The plan page: live figures from the data, status badges, charts.
	// Live: 2.2 in 2010 (926067 / 42030684), 2.5 in 2020 (1350000 /
	// 53771300 = 2.51 %), expected 2.35: on track. Reported: 3.10 in
	// 2020, expected 2.00 + 2.00 × 5/15 = 2.667: on track.
	w = c.get(planPath)
	wantStatus(w, 200)
	// The expected values are shown to the indicator's decimals.
	wantBody(t, w, []string{"2.2 in 2010", "2.5 in 2020", "<dd>2.4</dd>", "2.00 in 2015", "3.10 in 2020", "<dd>2.67</dd>", "Central Bank of Kenya, diaspora remittances 2020",
		`progress-on-track">On track</span> 2`, `<svg class="chart"`, "Path to the target", "UN DESA, International Migrant Stock 2020 (fixture)",
		"/api/v1/data?area=KEN&amp;format=csv&amp;indicator=migrant_share_of_population"}, []string{"Off track</span> 1"})
	doc := parseHTML(t, strings.NewReader(w.Body.String()))
	for _, problem := range cspViolations(doc) {
		t.Errorf("plan page: %s", problem)
	}
	ids, labelled := map[string]int{}, map[string]bool{}
	walk(doc, func(n *html.Node) {
		if id := attr(n, "id"); n.Type == html.ElementNode && id != "" {
			ids[id]++
		}
		if n.Type == html.ElementNode && n.Data == "label" {
			labelled[attr(n, "for")] = true
		}
	})
	for id, n := range ids {
		if n > 1 {
			t.Errorf("plan page: id %q used %d times", id, n)
		}
	}
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "input" && attr(n, "type") != "hidden" || n.Data == "select" || n.Data == "textarea") &&
			!labelled[attr(n, "id")] {
			t.Errorf("plan page: control %s name=%q has no label", n.Data, attr(n, "name"))
		}
	})

	// The edit form: a stale version is refused and what was typed kept.
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(w.Body.String())
	if version == nil || version[1] != "1" {
		t.Fatalf("version field %v", version)
	}
	edit := url.Values{"title": {"Kenya: migration and development"}, "description": {""}, "start_year": {"2010"}, "end_year": {"2030"},
		"status": {"active"}, "version": {"1"}}
	wantStatus(post(planPath, edit), http.StatusSeeOther)
	edit.Set("title", "A stale edit")
	w = post(planPath, edit)
	wantStatus(w, http.StatusConflict)
	wantBody(t, w, []string{"someone changed the plan since you opened it (it is now version 2)", `value="A stale edit"`,
		`name="version" value="2"`, "<h1>Kenya: migration and development</h1>"}, nil)
	edit.Set("end_year", "2025")
	edit.Set("version", "2")
	w = post(planPath, edit)
	wantStatus(w, 400)
	wantBody(t, w, []string{"Last year: the plan holds a baseline, target or measurement in 2030, outside this period."}, nil)

	// The printable report.
	w = c.get(planPath + "/report")
	wantStatus(w, 200)
	wantBody(t, w, []string{"Progress report: Kenya: migration and development", "at least 95 % of the progress", "at risk from 75 %",
		"2.2 in 2010", "3.10 in 2020", "/api/v1/plans/" + m[1] + "/report.csv"}, nil)

	// French: numbers with a decimal comma.
	w = c.do(http.MethodGet, planPath+"?lang=fr", nil)
	wantBody(t, w, []string{"2,2 en 2010", "Sur la bonne voie"}, nil)

	// Every change was audited, naming the plan.
	entries, err := h.db.Audit().List(context.Background(), audit.Filter{Resource: "plans", RecordID: m[1], Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string]int{}
	for _, e := range entries {
		if e.Outcome == audit.OutcomeOK {
			ok[e.Action]++
		}
	}
	if ok["create"] != 1 || ok["update"] != 5 {
		t.Errorf("audited changes %v, want 1 create and 5 updates", ok)
	}

	// Other users: a viewer of the organisation reads without forms; a
	// user of another organisation finds nothing; the public signs in.
	viewer := h.client(t)
	viewer.signIn("viewer")
	w = viewer.get(planPath)
	wantStatus(w, 200)
	wantBody(t, w, []string{"Kenya: migration and development", "2.2 in 2010"}, []string{"Add a goal", "Record a measurement", `action="` + planPath + `"`, "Progress report"})
	vc := viewer.csrf()
	wantStatus(viewer.do(http.MethodPost, planPath+"/goals", url.Values{"csrf_token": {vc}, "goal_title": {"x"}}), http.StatusForbidden)
	wantStatus(viewer.get(planPath+"/report"), http.StatusForbidden)
	bob := h.client(t)
	bob.signIn("bob")
	wantStatus(bob.get(planPath), http.StatusNotFound)
	w = bob.get("/plans")
	wantBody(t, w, []string{"0 plans"}, []string{"Kenya: migration"})
	public := h.client(t)
	w = public.get(planPath)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login?next=") {
		t.Errorf("signed out: %d %s", w.Code, w.Header().Get("Location"))
	}
	if nav := findNav(parseHTML(t, strings.NewReader(public.get("/").Body.String())), "Main navigation"); nav != nil {
		for _, href := range hrefs(nav) {
			if href == "/plans" {
				t.Error("the public sees the Plans link")
			}
		}
	}
	if strings.Contains(h.logs.String(), "missing translation") {
		t.Errorf("pages asked for missing messages:\n%s", h.logs)
	}
}

// TestPlanCustomIndicatorForms: a plan with a live library indicator and
// a custom indicator of the plan (its own name, unit and decimals,
// reported by hand), created, measured and reported through the forms;
// bad custom input is refused next to its field, keeping what was typed.
func TestPlanCustomIndicatorForms(t *testing.T) {
	h := newPlanHarness(t)
	c := h.client(t)
	c.signIn("editor")
	csrf := c.csrf()
	post := func(target string, f url.Values) *httptest.ResponseRecorder {
		t.Helper()
		f.Set("csrf_token", csrf)
		return c.do(http.MethodPost, target, f)
	}
	wantStatus := func(w *httptest.ResponseRecorder, status int) {
		t.Helper()
		if w.Code != status {
			t.Fatalf("status %d, want %d\n%s", w.Code, status, w.Body)
		}
	}
	w := post("/plans", url.Values{"country": {"KEN"}, "title": {"Fair recruitment 2010–2030"}, "start_year": {"2010"}, "end_year": {"2030"},
		"status": {"active"}})
	wantStatus(w, http.StatusSeeOther)
	m := planIDRE.FindStringSubmatch(w.Header().Get("Location"))
	if m == nil {
		t.Fatalf("Location %q", w.Header().Get("Location"))
	}
	planPath := "/plans/" + m[1]
	wantStatus(post(planPath+"/goals", url.Values{"goal_title": {"Workers pay no recruitment fees"}}), http.StatusSeeOther)
	page := c.get(planPath).Body.String()
	goalID := regexp.MustCompile(`<option value="(\d+)">Workers pay no recruitment fees</option>`).FindStringSubmatch(page)
	if goalID == nil {
		t.Fatalf("no goal in the link form:\n%s", page)
	}
	wantBody(t, c.get(planPath), []string{`id="link-kind-library" type="radio" name="kind" value="library" checked`,
		`id="link-custom-name" name="custom_name"`, `name="custom_decimals" type="number" inputmode="numeric" value="0"`}, nil)

	// The live library indicator, its baseline from the data.
	wantStatus(post(planPath+"/indicators", url.Values{"goal_id": {goalID[1]}, "kind": {"library"}, "indicator": {"migrant_share_of_population"},
		"source": {"live"}, "sex": {"total"}, "baseline_year": {"2010"}, "target_value": {"2.5"}, "target_year": {"2030"},
		"custom_name": {"ignored for a library indicator"}}), http.StatusSeeOther)

	custom := func(edit func(url.Values)) url.Values {
		f := url.Values{"goal_id": {goalID[1]}, "kind": {"custom"}, "indicator": {""}, "custom_name": {"Recruitment cost paid by workers"},
			"custom_unit": {"% of monthly income"}, "custom_decimals": {"1"}, "source": {"reported"}, "sex": {"total"},
			"baseline_value": {"120"}, "baseline_year": {"2015"}, "target_value": {"30"}, "target_year": {"2030"}}
		edit(f)
		return f
	}
	for _, bad := range []struct {
		name string
		edit func(url.Values)
		want []string
	}{
		{"custom and live", func(f url.Values) { f.Set("source", "live") },
			[]string{"Values: a custom indicator has no live data: its values are reported by hand", `id="link-source-error"`}},
		{"missing unit", func(f url.Values) { f.Set("custom_unit", " ") },
			[]string{"Unit of the custom indicator: this field is required.", `id="link-custom-unit-error"`}},
		{"name too long", func(f url.Values) { f.Set("custom_name", strings.Repeat("n", 201)) },
			[]string{"Name of the custom indicator: use at most 200 characters.", `id="link-custom-name-error"`}},
		{"decimals", func(f url.Values) { f.Set("custom_decimals", "7") },
			[]string{"Decimals shown (0 to 6): use a number from 0 to 6.", `id="link-custom-decimals-error"`}},
		{"decimals not a number", func(f url.Values) { f.Set("custom_decimals", "one") },
			[]string{"Decimals shown (0 to 6): use a whole number"}},
	} {
		t.Run(bad.name, func(t *testing.T) {
			f := custom(bad.edit)
			w := post(planPath+"/indicators", f)
			wantStatus(w, http.StatusBadRequest)
			// The form comes back with the custom kind chosen and what was typed.
			keep := []string{`id="link-kind-custom" type="radio" name="kind" value="custom" checked`, `value="120"`, `value="30"`}
			for _, field := range []string{"custom_name", "custom_unit", "custom_decimals"} {
				if v := strings.TrimSpace(f.Get(field)); v != "" {
					keep = append(keep, `value="`+html.EscapeString(f.Get(field))+`"`)
				}
			}
			wantBody(t, w, append(bad.want, keep...), nil)
		})
	}
	wantStatus(post(planPath+"/indicators", custom(func(url.Values) {})), http.StatusSeeOther)

	// A measurement of the custom indicator, with its evidence.
	page = c.get(planPath).Body.String()
	costID := regexp.MustCompile(`<option value="(\d+)">Recruitment cost paid by workers — Workers pay`).FindStringSubmatch(page)
	if costID == nil {
		t.Fatalf("no custom indicator in the measurement form:\n%s", page)
	}
	wantStatus(post(planPath+"/measurements", url.Values{"indicator_id": {costID[1]}, "year": {"2020"}, "value": {"84"},
		"note": {"Migrant worker survey 2020, table 7"}}), http.StatusSeeOther)

	// The plan page: the custom indicator by its own name and unit with
	// its decimals; 2020 expected 120 − 90 × 5/15 = 90, actual 84: on
	// track (a decrease), as is the live one.
	w = c.get(planPath)
	wantStatus(w, 200)
	wantBody(t, w, []string{"Recruitment cost paid by workers", "% of monthly income", "Custom indicator of this plan",
		"120.0 in 2015", "30.0 in 2030", "84.0 in 2020", "<dd>90.0</dd>", "Migrant worker survey 2020, table 7",
		"2.2 in 2010", `progress-on-track">On track</span> 2`, "Values of Recruitment cost paid by workers"},
		[]string{"<code></code>", "ignored for a library indicator"})
	doc := parseHTML(t, strings.NewReader(w.Body.String()))
	ids, labelled := map[string]int{}, map[string]bool{}
	walk(doc, func(n *html.Node) {
		if id := attr(n, "id"); n.Type == html.ElementNode && id != "" {
			ids[id]++
		}
		if n.Type == html.ElementNode && n.Data == "label" {
			labelled[attr(n, "for")] = true
		}
	})
	for id, n := range ids {
		if n > 1 {
			t.Errorf("plan page: id %q used %d times", id, n)
		}
	}
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "input" && attr(n, "type") != "hidden" || n.Data == "select" || n.Data == "textarea") &&
			!labelled[attr(n, "id")] {
			t.Errorf("plan page: control %s name=%q has no label", n.Data, attr(n, "name"))
		}
	})

	// The printable report names it and its unit.
	w = c.get(planPath + "/report")
	wantStatus(w, 200)
	wantBody(t, w, []string{"Recruitment cost paid by workers <span class=\"stat-unit\">(% of monthly income)</span>",
		"Custom indicator of this plan", "84.0 in 2020", "2.2 in 2010"}, nil)
	// In French and Spanish.
	wantBody(t, c.do(http.MethodGet, planPath+"?lang=fr", nil), []string{"Indicateur propre à ce plan", "84,0 en 2020",
		"Un indicateur propre à ce plan, communiqué à la main"}, nil)
	wantBody(t, c.do(http.MethodGet, planPath+"?lang=es", nil), []string{"Indicador propio de este plan", "Nombre del indicador propio"}, nil)

	// Audited, naming the custom indicator.
	entries, err := h.db.Audit().List(context.Background(), audit.Filter{Resource: "plans", RecordID: m[1], Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Outcome == audit.OutcomeOK && strings.Contains(e.Detail, `linked: custom "Recruitment cost paid by workers" (reported)`) {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit entry names the custom indicator: %+v", entries)
	}
	if strings.Contains(h.logs.String(), "missing translation") {
		t.Errorf("pages asked for missing messages:\n%s", h.logs)
	}
}
