package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/api"
)

// trafGlobalFixture is a small CTDC Global Synthetic file: 5 records.
const trafGlobalFixture = "yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,traffickMonths," +
	"meansDebtBondageEarnings,meansThreats,meansAbusePsyPhySex,meansFalsePromises,meansDrugsAlcohol,meansDenyBasicNeeds," +
	"meansExcessiveWorkHours,meansWithholdDocs,isForcedLabour,isSexualExploit,isOtherExploit,typeOfLabourAgriculture," +
	"typeOfLabourConstruction,typeOfLabourDomesticWork,typeOfLabourHospitality,typeOfSexProstitution,typeOfSexPornography," +
	"recruiterRelationIntimatePartner,recruiterRelationFriend,recruiterRelationFamily,recruiterRelationOther\n" +
	"2019,Woman,09--17,UGA,KEN,,,1,,1,,,,,,1,,,,,,1,,,,1,\n" +
	"2019,Man,30--38,UGA,KEN,,1,,,,,,1,,1,,,,1,,,,,,,,1\n" +
	"2019,Man,30--38,UGA,KEN,,1,,,,,,,,1,,,,1,,,,,,,,\n" +
	"2020,Woman,48+,KEN,DEU,25+ (2+ yrs),,,,,,,,,1,,,,,1,,,,,,,\n" +
	",,,,,,,,,,,,,,,,,,,,,,,,,,\n"

// importTraffickingFixture imports the fixture as `corridor import ctdc`.
func importTraffickingFixture(t *testing.T, db *store.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ctdc_global.csv")
	if err := os.WriteFile(path, []byte(trafGlobalFixture), 0o644); err != nil {
		t.Fatal(err)
	}
	rn := &importer.Runner{DB: db, Registry: importer.Builtin()}
	if _, err := rn.Run(context.Background(), importer.CTDCName, []string{path}); err != nil {
		t.Fatal(err)
	}
}

func TestTraffickingPageEmpty(t *testing.T) {
	h := newAccountHarness(t)
	w := h.client(t).get("/trafficking")
	wantCode(t, w, http.StatusOK)
	wantBody(t, w, []string{`id="trafficking-empty"`, "corridor import ctdc", api.CTDCDownload}, []string{`id="trafficking-total"`})
}

func TestTraffickingPageFigures(t *testing.T) {
	h := newAccountHarness(t)
	importTraffickingFixture(t, h.db)
	c := h.client(t)
	w := c.get("/trafficking")
	wantCode(t, w, http.StatusOK)
	wantBody(t, w, []string{
		`<span class="stat-value" id="trafficking-total">5</span>`, "import:ctdc_global.csv",
		// By year: 2019 3, 2020 1, unknown 1; the chart draws the known years.
		`<th scope="row">2019</th><td class="num"><data value="3">3</data>`, `<th scope="row">Unknown</th><td class="num"><data value="1">1</data>`,
		`id="trafficking-years-title"`,
		// The corridor Uganda → Kenya: names from the reference geography, the
		// code where it has none (the test geography lacks Uganda).
		`<tr><td>UGA</td><td>Kenya</td><td class="num"><data value="3">3</data></td></tr>`,
		// The map colours Kenya; its table lists it.
		`id="worldmap"`, `data-area="KEN"`, `<th scope="row">Kenya</th><td class="num"><data value="3">3</data>`,
		// Exploitation, labour, means of control, age and gender.
		`<th scope="row">Forced labour</th><td class="num"><data value="3">3</data>`,
		`<th scope="row">Construction</th><td class="num"><data value="2">2</data>`,
		`<th scope="row">Debt bondage or earnings taken</th><td class="num"><data value="2">2</data>`,
		`<th scope="row">30-38</th><td class="num"><data value="2">2</data>`,
		`<th scope="row">Male</th><td class="num"><data value="2">2</data>`,
		// The VP file's recruiter relations are not in the global layout:
		// said so, not shown as 0.
		`<td class="num">not recorded in this source</td>`,
		// Downloads and the source note.
		`href="/api/v1/trafficking/summary?format=csv&amp;source=import%3Actdc_global.csv"`,
		"Counter-Trafficking Data Collaborative (CTDC)", "terms-use",
	}, []string{`id="trafficking-empty"`})

	// Filters narrow every figure; a bad value names its parameter.
	w = c.get("/trafficking?gender=female&year=2019")
	wantCode(t, w, http.StatusOK)
	wantBody(t, w, []string{`<span class="stat-value" id="trafficking-total">1</span>`, `<option value="female" selected>`}, nil)
	w = c.get("/trafficking?gender=Woman")
	wantCode(t, w, http.StatusBadRequest)
	wantBody(t, w, []string{"gender"}, nil)

	// French; every language within the Content Security Policy and
	// without a missing message.
	w = c.get("/trafficking?lang=fr")
	wantBody(t, w, []string{"Travail forcé", "Victimes par année d’enregistrement"}, nil)
	for _, lang := range []string{"en", "fr", "es"} {
		w := c.get("/trafficking?lang=" + lang)
		for _, problem := range cspViolations(parseHTML(t, w.Body)) {
			t.Errorf("%s: %s", lang, problem)
		}
	}
	if strings.Contains(h.logs.String(), "missing translation") {
		t.Errorf("the page asked for missing messages:\n%s", h.logs)
	}
}

// TestPublicRoutesReachNoCase walks every route registered as public, the
// API's and the pages', signed out, on a server whose database holds
// counter-trafficking cases with personal data and an imported CTDC file:
// no answer may hold a case's person, id path or field value.
func TestPublicRoutesReachNoCase(t *testing.T) {
	h := newCaseHarness(t)
	importTraffickingFixture(t, h.db)
	worker := h.caseClient(t, "worker")
	secrets := []string{"Zebulon", "Quillfeather", "Ximena", "Vantablack", "1987-11-23", "1991-02-17", "PZ7734119", "Met at the lighthouse shelter"}
	var paths []string
	for _, p := range []struct{ given, family, born string }{{"Zebulon", "Quillfeather", "1987-11-23"}, {"Ximena", "Vantablack", "1991-02-17"}} {
		f := intakeForm(p.given, p.family)
		f.Set("birth_date", p.born)
		f.Set("document_type", "passport")
		f.Set("document_number", "PZ7734119")
		f.Set("nationality", "UGA")
		f.Set("country_exploitation", "KEN")
		f.Set("confirm", "1")
		path := worker.openCase(f)
		wantCode(t, worker.post(path+"/comments", url.Values{"comment": {"Met at the lighthouse shelter"}}), http.StatusSeeOther)
		paths = append(paths, path)
	}
	// The cases are there: their own page shows them to the worker.
	wantBody(t, worker.get(paths[0]), []string{"Zebulon"}, nil)

	// The whole server: API and pages behind one policy, as serve builds it.
	record := func(ctx context.Context, e audit.Entry) error { _, err := h.db.Audit().Append(ctx, e); return err }
	var u *UI
	pageError := func(w http.ResponseWriter, r *http.Request, err error) { u.PolicyError(w, r, err) }
	router := web.NewRouter(web.Chain(web.Policy(h.ui.auth, record, nil, pageError)))
	u = h.ui
	api.New(api.Config{Geo: h.ui.geo, Version: "test", DB: h.db, Auth: h.ui.auth}).Register(router)
	u.Register(router)
	server := (&web.Stack{Router: router, BodyLimit: 1 << 20, NotFoundPage: u.NotFoundPage}).Handler()

	caseID := strings.TrimPrefix(paths[0], "/cases/")
	fill := strings.NewReplacer("{iso3}", "UGA", "{corridor}", "UGA-KEN", "{code}", caseID, "{id}", caseID,
		"{path...}", "corridor.css", "{name}", caseID, "{file}", "records.csv", "{$}", "")
	// (A query naming a person would be echoed back by search forms and
	// language links: the walk sends none.)
	queries := []string{"", "?citizenship=UGA&exploitation=KEN", "?source=" + url.QueryEscape("cases:"+caseID)}
	walked := 0
	for _, rt := range router.Routes() {
		if !rt.Public {
			continue
		}
		target := fill.Replace(rt.Pattern)
		for _, q := range queries {
			req := httptest.NewRequest(rt.Method, target+q, nil)
			req.RemoteAddr = "192.0.2.99:1234"
			w := httptest.NewRecorder()
			server.ServeHTTP(w, req)
			walked++
			body := w.Body.String() + "\n" + strings.Join(w.Header().Values("Location"), " ")
			for _, s := range append(secrets, paths...) {
				if strings.Contains(body, s) {
					t.Errorf("%s %s%s (%d) holds %q", rt.Method, target, q, w.Code, s)
				}
			}
		}
	}
	if walked < 40 {
		t.Errorf("only %d requests walked", walked)
	}
	// The public figures are the imported file's only, though the cases
	// are trafficking cases from Uganda exploited in Kenya.
	req := httptest.NewRequest(http.MethodGet, "/api/v1/trafficking/summary?citizenship=UGA&exploitation=KEN", nil)
	w := httptest.NewRecorder()
	server.ServeHTTP(w, req)
	var s api.TraffickingSummaryAnswer
	if err := json.Unmarshal(w.Body.Bytes(), &s); err != nil || w.Code != http.StatusOK || s.Total == nil || *s.Total != 3 {
		t.Errorf("summary: %d %s", w.Code, w.Body)
	}
}
