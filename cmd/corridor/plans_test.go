package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/store/storetest"
	"github.com/corridor-platform/corridor/internal/testenv"
)

// TestPlanThroughTheAPI: a government team creates a plan for Kenya with
// three indicators — the migrants' share of the population, live from the
// imported UN DESA data, remittances as a share of GDP reported by hand
// with evidence, and a custom indicator of the plan that no dataset
// holds (the recruitment cost paid by workers, its own name, unit and
// decimals, reported by hand) — records measurements, reads the progress
// and exports the CSV report, through the real stack on both engines.
// The live figures equal what the data API returns for Kenya.
func TestPlanThroughTheAPI(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	if testing.Short() {
		t.Skip("imports the UN DESA migrant stock")
	}
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		app := newTestApp(t, e.DSN)
		for _, ds := range []string{"countries", "un-migrant-stock"} {
			rn := &importer.Runner{DB: app.db, Registry: importer.Builtin(), DataDir: dataDir}
			if _, err := rn.Run(ctx, ds, nil); err != nil {
				t.Fatalf("import %s: %v", ds, err)
			}
		}
		call := func(role, method, path, body string, want int) []byte {
			t.Helper()
			rec := app.do(t, role, method, path, body)
			if rec.Code != want {
				t.Fatalf("%s %s as %q: %d, want %d: %s", method, path, role, rec.Code, want, rec.Body)
			}
			return rec.Body.Bytes()
		}
		decode := func(b []byte, v any) {
			t.Helper()
			if err := json.Unmarshal(b, v); err != nil {
				t.Fatalf("%v: %s", err, b)
			}
		}
		// The data API's values of the live indicator for Kenya.
		var data struct {
			Rows []struct {
				Period string   `json:"period"`
				Value  *float64 `json:"value"`
			} `json:"rows"`
		}
		decode(call("", "GET", "/api/v1/data?indicator=migrant_share_of_population&area=KEN&period=2010:2030", "", 200), &data)
		apiValue := map[int]float64{}
		for _, r := range data.Rows {
			if r.Value != nil {
				y, _ := strconv.Atoi(r.Period)
				apiValue[y] = *r.Value
			}
		}
		if len(apiValue) < 3 || apiValue[2010] == 0 || apiValue[2020] == 0 {
			t.Fatalf("data API for Kenya: %+v", data.Rows)
		}

		// Create: the editor's organisation owns the plan.
		var plan struct {
			ID      int64  `json:"id"`
			Version int64  `json:"version"`
			Title   string `json:"title"`
			OrgID   int64  `json:"orgId"`
		}
		decode(call("editor", "POST", "/api/v1/plans", `{"country":"ken","title":"Kenya: migration in the development plan 2010–2030",
			"description":"Mainstreaming migration (GCM objective 1).","startYear":2010,"endYear":2030,"status":"active"}`, 201), &plan)
		if plan.ID == 0 || plan.Version != 1 || plan.OrgID != app.orgID {
			t.Fatalf("created plan %+v", plan)
		}
		base := "/api/v1/plans/" + strconv.FormatInt(plan.ID, 10)
		var goal struct{ ID int64 }
		decode(call("editor", "POST", base+"/goals", `{"title":"Migration contributes to sustainable development"}`, 201), &goal)

		// Bad input names the field and changes nothing.
		bad := []struct{ path, body, param string }{
			{"/indicators", `{"goalId":` + strconv.FormatInt(goal.ID, 10) + `,"indicator":"migrant_share_of_population","baselineYear":2030,"targetValue":3,"targetYear":2030,"source":"live"}`, "baselineYear"},
			{"/indicators", `{"goalId":` + strconv.FormatInt(goal.ID, 10) + `,"indicator":"population","baselineValue":1,"baselineYear":2005,"targetValue":3,"targetYear":2009,"source":"reported"}`, "targetYear"},
			{"/indicators", `{"goalId":` + strconv.FormatInt(goal.ID, 10) + `,"indicator":"nope_nope","baselineValue":1,"baselineYear":2010,"targetValue":3,"targetYear":2030,"source":"reported"}`, "indicator"},
			{"/indicators", `{"goalId":` + strconv.FormatInt(goal.ID, 10) + `,"indicator":"population","baselineValue":1,"baselineYear":2020,"targetValue":3,"targetYear":2015,"source":"reported"}`, "targetYear"},
			{"/indicators", `{"goalId":` + strconv.FormatInt(goal.ID, 10) + `,"indicator":"population","baselineYear":2020,"targetValue":3,"targetYear":2025,"source":"reported"}`, "baselineValue"},
			// Custom indicators of the plan: reported by hand only, with a
			// name of at most 200 characters, a unit and 0–6 decimals.
			{"/indicators", `{"goalId":` + strconv.FormatInt(goal.ID, 10) + `,"name":"Recruitment cost paid by workers","unit":"% of monthly income","baselineYear":2015,"targetValue":30,"targetYear":2030,"source":"live"}`, "source"},
			{"/indicators", `{"goalId":` + strconv.FormatInt(goal.ID, 10) + `,"custom":true,"name":"Recruitment cost paid by workers","baselineValue":120,"baselineYear":2015,"targetValue":30,"targetYear":2030,"source":"reported"}`, "unit"},
			{"/indicators", `{"goalId":` + strconv.FormatInt(goal.ID, 10) + `,"name":"` + strings.Repeat("n", 201) + `","unit":"%","baselineValue":120,"baselineYear":2015,"targetValue":30,"targetYear":2030,"source":"reported"}`, "name"},
			{"/indicators", `{"goalId":` + strconv.FormatInt(goal.ID, 10) + `,"name":"Cost","unit":"%","decimals":7,"baselineValue":120,"baselineYear":2015,"targetValue":30,"targetYear":2030,"source":"reported"}`, "decimals"},
			{"/indicators", `{"goalId":` + strconv.FormatInt(goal.ID, 10) + `,"custom":true,"indicator":"population","name":"Cost","unit":"%","baselineValue":120,"baselineYear":2015,"targetValue":30,"targetYear":2030,"source":"reported"}`, "indicator"},
			{"/indicators", `{"goalId":` + strconv.FormatInt(goal.ID, 10) + `,"indicator":"population","name":"My population","baselineValue":1,"baselineYear":2015,"targetValue":3,"targetYear":2030,"source":"reported"}`, "name"},
			{"/goals", `{"title":""}`, "title"},
			{"/goals", `{"title":"x","colour":"red"}`, "colour"},
		}
		for _, b := range bad {
			var p struct{ Param string }
			decode(call("editor", "POST", base+b.path, b.body, 400), &p)
			if p.Param != b.param {
				t.Errorf("POST %s %s: param %q, want %q", b.path, b.body, p.Param, b.param)
			}
		}

		type link struct {
			ID            int64   `json:"id"`
			Custom        bool    `json:"custom"`
			Indicator     string  `json:"indicator"`
			Name          string  `json:"name"`
			Unit          string  `json:"unit"`
			Decimals      int     `json:"decimals"`
			BaselineValue float64 `json:"baselineValue"`
			Direction     string  `json:"direction"`
		}
		var live, reported, cost link
		decode(call("editor", "POST", base+"/indicators", `{"goalId":`+strconv.FormatInt(goal.ID, 10)+
			`,"indicator":"migrant_share_of_population","baselineYear":2010,"targetValue":2.5,"targetYear":2030,"source":"live"}`, 201), &live)
		if live.BaselineValue != apiValue[2010] {
			t.Errorf("live baseline %v, want the data API's 2010 value %v", live.BaselineValue, apiValue[2010])
		}
		decode(call("editor", "POST", base+"/indicators", `{"goalId":`+strconv.FormatInt(goal.ID, 10)+
			`,"indicator":"remittances_received_pct_gdp","baselineValue":2.0,"baselineYear":2015,"targetValue":4.0,"targetYear":2030,"source":"reported"}`, 201), &reported)
		mpath := base + "/indicators/" + strconv.FormatInt(reported.ID, 10) + "/measurements"
		call("editor", "POST", mpath, `{"year":2018,"value":2.6,"note":"Central Bank of Kenya, diaspora remittances 2018"}`, 201)
		call("editor", "POST", mpath, `{"year":2020,"date":"2020-12-31","value":3.0,"note":"Central Bank of Kenya, diaspora remittances 2020"}`, 201)
		var p struct{ Param string }
		decode(call("editor", "POST", mpath, `{"year":2021,"value":3.2}`, 400), &p)
		if p.Param != "note" {
			t.Errorf("measurement without evidence: param %q", p.Param)
		}
		call("editor", "POST", base+"/indicators/"+strconv.FormatInt(live.ID, 10)+"/measurements", `{"year":2021,"value":3,"note":"x"}`, 400)

		// A custom indicator of the plan, reported by hand: the recruitment
		// cost paid by workers, 120 % of a month's income in 2015, to 30 % by 2030.
		decode(call("editor", "POST", base+"/indicators", `{"goalId":`+strconv.FormatInt(goal.ID, 10)+
			`,"custom":true,"name":"Recruitment cost paid by workers","unit":"% of monthly income","decimals":1,"baselineValue":120,"baselineYear":2015,"targetValue":30,"targetYear":2030,"source":"reported"}`, 201), &cost)
		if !cost.Custom || cost.Indicator != "" || cost.Name != "Recruitment cost paid by workers" || cost.Unit != "% of monthly income" ||
			cost.Decimals != 1 || cost.Direction != "decrease" {
			t.Errorf("custom indicator %+v", cost)
		}
		call("editor", "POST", base+"/indicators/"+strconv.FormatInt(cost.ID, 10)+"/measurements",
			`{"year":2020,"value":84,"note":"Migrant worker survey 2020, table 7"}`, 201)
		var whole struct {
			Goals []struct {
				Indicators []link `json:"indicators"`
			} `json:"goals"`
		}
		decode(call("viewer", "GET", base, "", 200), &whole)
		if len(whole.Goals) != 1 || len(whole.Goals[0].Indicators) != 3 || whole.Goals[0].Indicators[2] != cost || whole.Goals[0].Indicators[0].Custom {
			t.Errorf("plan's indicators %+v, want the custom one %+v last", whole.Goals, cost)
		}

		// Progress: figures computed here from the data API and the
		// reported values.
		var progress struct {
			Indicators []struct {
				ID          int64    `json:"id"`
				Status      string   `json:"status"`
				LatestYear  int      `json:"latestYear"`
				LatestValue *float64 `json:"latestValue"`
				Expected    *float64 `json:"expected"`
				Ratio       *float64 `json:"ratio"`
				Evidence    string   `json:"evidence"`
				Citations   []string `json:"citations"`
				Custom      bool     `json:"custom"`
				Indicator   string   `json:"indicator"`
				Name        string   `json:"name"`
				Unit        string   `json:"unit"`
			} `json:"indicators"`
		}
		decode(call("viewer", "GET", base+"/progress", "", 200), &progress)
		if len(progress.Indicators) != 3 {
			t.Fatalf("progress: %+v", progress)
		}
		latestYear := 0
		for y := range apiValue {
			latestYear = max(latestYear, y)
		}
		wantExpLive := apiValue[2010] + (2.5-apiValue[2010])*float64(latestYear-2010)/20
		wantRatioLive := (apiValue[latestYear] - apiValue[2010]) / (wantExpLive - apiValue[2010])
		wantStatusLive := statusFor(wantRatioLive, apiValue[latestYear] >= 2.5)
		wantExpRep := 2.0 + 2.0*5/15
		wantRatioRep := (3.0 - 2.0) / (wantExpRep - 2.0)
		for _, c := range []struct {
			got             int
			year            int
			value, exp, rat float64
			status          string
		}{
			// The expected value is given to the indicator's decimals:
			// migrant_share_of_population 1, remittances_received_pct_gdp 2.
			{0, latestYear, apiValue[latestYear], math.Round(wantExpLive*10) / 10, wantRatioLive, wantStatusLive},
			{1, 2020, 3.0, math.Round(wantExpRep*100) / 100, wantRatioRep, "on-track"},
			// Custom: expected 120 − 90 × 5/15 = 90 in 2020; 84 is 36/30 of the way.
			{2, 2020, 84, 90, 1.2, "on-track"},
		} {
			g := progress.Indicators[c.got]
			if g.LatestYear != c.year || g.LatestValue == nil || *g.LatestValue != c.value || g.Expected == nil ||
				math.Abs(*g.Expected-c.exp) > 1e-6 || g.Ratio == nil || math.Abs(*g.Ratio-c.rat) > 1e-4 || g.Status != c.status {
				t.Errorf("indicator %d: latest %d %v, expected %v, ratio %v, %s; want %d %v, %v, %v, %s", g.ID, g.LatestYear,
					deref(g.LatestValue), deref(g.Expected), deref(g.Ratio), g.Status, c.year, c.value, c.exp, c.rat, c.status)
			}
		}
		t.Logf("Kenya, migrant_share_of_population: baseline 2010 = %v, latest %d = %v, expected %.4f, ratio %.4f → %s",
			apiValue[2010], latestYear, apiValue[latestYear], wantExpLive, wantRatioLive, wantStatusLive)
		if progress.Indicators[1].Evidence != "Central Bank of Kenya, diaspora remittances 2020" {
			t.Errorf("evidence %q", progress.Indicators[1].Evidence)
		}
		if len(progress.Indicators[0].Citations) == 0 || !strings.Contains(strings.Join(progress.Indicators[0].Citations, " "), "Migrant Stock") {
			t.Errorf("live citations %v", progress.Indicators[0].Citations)
		}
		if c := progress.Indicators[2]; !c.Custom || c.Indicator != "" || c.Name != "Recruitment cost paid by workers" ||
			c.Unit != "% of monthly income" || c.Evidence != "Migrant worker survey 2020, table 7" || len(c.Citations) != 0 {
			t.Errorf("custom progress %+v", c)
		}

		// The CSV report holds the same figures.
		rec := app.do(t, "editor", "GET", base+"/report.csv", "")
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("report.csv: %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil || len(rows) != 4 {
			t.Fatalf("report.csv: %d rows, %v", len(rows), err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for i, want := range []struct {
			indicator, name, unit, source, baseline, latest, status string
		}{
			{"migrant_share_of_population", "International migrants as a share of the population", "% of population", "live",
				strconv.FormatFloat(apiValue[2010], 'f', -1, 64), strconv.FormatFloat(apiValue[latestYear], 'f', -1, 64), wantStatusLive},
			{"remittances_received_pct_gdp", "Personal remittances, received (% of GDP)", "% of GDP", "reported", "2", "3", "on-track"},
			// A custom indicator has no library code: its own name and unit.
			{"", "Recruitment cost paid by workers", "% of monthly income", "reported", "120", "84", "on-track"},
		} {
			r := rows[i+1]
			if r[col["indicator"]] != want.indicator || r[col["indicator_name"]] != want.name || r[col["unit"]] != want.unit ||
				r[col["source"]] != want.source || r[col["baseline_value"]] != want.baseline || r[col["latest_value"]] != want.latest ||
				r[col["status"]] != want.status || r[col["country"]] != "KEN" {
				t.Errorf("CSV row %d: %v, want %+v", i+1, r, want)
			}
		}
		// A viewer reads but does not export.
		call("viewer", "GET", base+"/report.csv", "", 403)

		// Optimistic concurrency: the second edit from version 1 is refused.
		decode(call("editor", "PATCH", base, `{"version":1,"title":"Kenya: migration and development 2010–2030"}`, 200), &plan)
		if plan.Version != 2 {
			t.Errorf("after PATCH: version %d", plan.Version)
		}
		var conflict struct{ Detail string }
		decode(call("editor", "PATCH", base, `{"version":1,"title":"a stale edit"}`, 409), &conflict)
		if !strings.Contains(conflict.Detail, "version") {
			t.Errorf("409 detail %q", conflict.Detail)
		}
		decode(call("editor", "GET", base, "", 200), &plan)
		if plan.Title != "Kenya: migration and development 2010–2030" || plan.Version != 2 {
			t.Errorf("after the stale PATCH: %+v", plan)
		}
		call("editor", "PATCH", base, `{"title":"no version"}`, 400)

		// Roles: a viewer cannot write, the signed-out public sees nothing.
		call("viewer", "POST", "/api/v1/plans", `{"country":"KEN","title":"x","startYear":2020,"endYear":2030}`, 403)
		call("viewer", "POST", base+"/goals", `{"title":"x"}`, 403)
		call("", "GET", "/api/v1/plans", "", 401)
		call("", "GET", base, "", 401)
		call("case-worker", "GET", base, "", 403)
		var list struct{ Total int }
		decode(call("analyst", "GET", "/api/v1/plans?country=KEN", "", 200), &list)
		if list.Total != 1 {
			t.Errorf("analyst lists %d plans", list.Total)
		}

		// Every change is audited, naming the plan.
		entries, err := app.db.Audit().List(ctx, audit.Filter{Resource: "plans", RecordID: strconv.FormatInt(plan.ID, 10), Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, en := range entries {
			count[en.Action+" "+en.Outcome]++
		}
		for k, n := range map[string]int{"create ok": 1, "update ok": 8, "export allowed": 1, "update failed": 17, "update denied": 1,
			"export denied": 1, "read denied": 1} {
			if count[k] != n {
				t.Errorf("audit %q: %d entries, want %d (all: %v)", k, count[k], n, count)
			}
		}

		// Deleting: the editor may, the plan and all it holds are gone.
		call("viewer", "DELETE", base, "", 403)
		rec = app.do(t, "editor", "DELETE", base, "")
		if rec.Code != http.StatusNoContent {
			t.Fatalf("DELETE: %d %s", rec.Code, rec.Body)
		}
		call("editor", "GET", base, "", 404)
	})
}

// statusFor applies the documented thresholds.
func statusFor(ratio float64, met bool) string {
	switch {
	case met || ratio >= 0.95:
		return "on-track"
	case ratio >= 0.75:
		return "at-risk"
	}
	return "off-track"
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
