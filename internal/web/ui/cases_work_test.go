package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/store"
)

// caseNo returns the id of a case from its path.
func caseNo(t *testing.T, path string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(path, "/cases/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCaseSummaryUsesFactsGrid(t *testing.T) {
	h := newCaseHarness(t)
	c := h.caseClient(t, "worker")
	path := c.openCase(intakeForm("Ruth", "Adeyemi"))
	wantBody(t, c.get(path), []string{`<dl class="facts">`, `<div><dt>Person</dt><dd id="case-person">Ruth Adeyemi</dd></div>`}, nil)
}

func TestCaseTaskDone(t *testing.T) {
	h := newCaseHarness(t)
	c := h.caseClient(t, "worker")
	path := c.openCase(intakeForm("Joy", "Eze"))
	wantCode(t, c.post(path+"/tasks", url.Values{"task_title": {"Call the lawyer"}, "task_due": {"2024-01-01"}}), http.StatusSeeOther)
	page := c.get(path).Body.String()
	m := regexp.MustCompile(`action="(/cases/\d+/tasks/(\d+)/done)"`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "overdue") {
		t.Fatalf("no done form on the open task:\n%s", page)
	}
	other := h.caseClient(t, "bworker")
	wantCode(t, other.post(m[1], url.Values{}), http.StatusNotFound)
	w := c.post(m[1], url.Values{})
	wantCode(t, w, http.StatusSeeOther)
	if !strings.Contains(w.Header().Get("Location"), "saved=taskDone") {
		t.Errorf("Location %q", w.Header().Get("Location"))
	}
	wantBody(t, c.get(path+"?saved=taskDone"), []string{"The task was marked done.", "done on " + time.Now().UTC().Format("2006-01-02")},
		[]string{`action="` + m[1] + `"`})
	w = c.post(m[1], url.Values{})
	wantCode(t, w, http.StatusConflict)
	wantBody(t, w, []string{`id="case-tasks-done"`, "completed on"}, nil)
	// A task of another case is not found through this one.
	second := c.openCase(func() url.Values {
		f := intakeForm("Ada", "Obi")
		f.Set("birth_date", "1970-01-01")
		f.Set("confirm", "1")
		return f
	}())
	wantCode(t, c.post(second+"/tasks/"+m[2]+"/done", url.Values{}), http.StatusNotFound)
}

func TestCaseAssignToTeamMember(t *testing.T) {
	h := newCaseHarness(t)
	c := h.caseClient(t, "worker")
	path := c.openCase(intakeForm("Blessing", "Nwosu"))
	if strings.Contains(c.get(path).Body.String(), `id="case-assign"`) {
		t.Error("a case worker without the assign permission sees the assignment form")
	}
	sup := h.caseClient(t, "super")
	to := strconv.FormatInt(h.orgA.ID, 10) + "." + strconv.FormatInt(h.ids["worker2"], 10)
	wantBody(t, sup.get(path), []string{`id="case-assign"`, `<option value="` + to + `">Wole Second</option>`}, nil)
	// A stale version is refused with the choice kept.
	wantCode(t, c.post(path+"/comments", url.Values{"comment": {"first"}}), http.StatusSeeOther)
	wantCode(t, sup.post(path, url.Values{"version": {"1"}, "opened_on": {time.Now().UTC().Format("2006-01-02")},
		"trafficking_status": {"ActualVictimOfTrafficking"}, "exploitation": {"SexualExploitation"}, "country_exploitation": {"ITA"}}), http.StatusSeeOther)
	w := sup.post(path+"/assign", url.Values{"version": {"1"}, "assign_to": {to}})
	wantCode(t, w, http.StatusConflict)
	wantBody(t, w, []string{`id="assign-to-error"`, "look at it again before assigning", `<option value="` + to + `" selected>`}, nil)
	w = sup.post(path+"/assign", url.Values{"version": {"1"}, "assign_to": {"bad"}})
	wantCode(t, w, http.StatusBadRequest)
	wantBody(t, w, []string{`id="assign-to-error"`}, nil)
	w = sup.post(path+"/assign", url.Values{"version": {"2"}, "assign_to": {to}})
	wantCode(t, w, http.StatusSeeOther)
	wantBody(t, sup.get(path+"?saved=assigned"), []string{"The case was assigned.", "Wole Second · "}, nil)
	// The new owner has it; the former owner no longer sees it.
	wantCode(t, h.caseClient(t, "worker2").get(path), http.StatusOK)
	wantCode(t, c.get(path), http.StatusNotFound)
}

func TestCaseMonitoringVisits(t *testing.T) {
	h := newCaseHarness(t)
	c := h.caseClient(t, "worker")
	f := intakeForm("Musa", "Bello")
	for k, v := range map[string]string{"kind": "return", "return_type": "permanent", "host_country": "LBY", "origin_country": "NGA", "application_date": "2024-01-10"} {
		f.Set(k, v)
	}
	path := c.openCase(f)
	wantBody(t, c.get(path), []string{`id="case-monitoring"`, "record the arrival date first"}, []string{`action="` + path + `/monitoring"`})
	ctx := context.Background()
	me, err := h.db.Accounts().Principal(ctx, h.ids["worker"], nil)
	if err != nil {
		t.Fatal(err)
	}
	id := caseNo(t, path)
	cur, err := h.db.Cases().Get(ctx, me, id)
	if err != nil {
		t.Fatal(err)
	}
	r := *cur.Return
	r.TravelDate, r.ArrivalDate = "2024-02-01", "2024-02-02"
	if _, err := h.db.Cases().Update(ctx, me, id, cases.Patch{Version: cur.Version, Return: &r}); err != nil {
		t.Fatal(err)
	}
	visit := url.Values{"monitoring_date": {"2024-03-01"}, "economic": {"1.4"}, "social": {"0.6"}, "psychosocial": {"0.3"}, "monitoring_note": {"First visit"}}
	w := c.post(path+"/monitoring", visit)
	wantCode(t, w, http.StatusBadRequest)
	wantBody(t, w, []string{`id="monitoring-economic-error"`, "from 0 to 1", `value="0.6"`, "First visit"}, nil)
	visit.Set("economic", "0.3")
	visit.Set("monitoring_date", "2024-01-15")
	w = c.post(path+"/monitoring", visit)
	wantCode(t, w, http.StatusBadRequest)
	wantBody(t, w, []string{`id="monitoring-date-error"`, `value="2024-01-15"`}, nil)
	visit.Set("monitoring_date", "2024-03-01")
	wantCode(t, c.post(path+"/monitoring", visit), http.StatusSeeOther)
	wantCode(t, c.post(path+"/monitoring", url.Values{"monitoring_date": {"2024-06-01"}, "economic": {"0,6"}, "social": {"0.9"}, "psychosocial": {"0.6"}}), http.StatusSeeOther)
	wantBody(t, c.get(path+"?saved=monitoring"), []string{"The monitoring visit was recorded.", `<table class="monitoring-table">`,
		`<th scope="row">2024-03-01</th><td class="num">0.30</td><td class="num">0.60</td><td class="num">0.30</td><td class="num"><strong>0.40</strong></td><td>First visit</td>`,
		`<th scope="row">2024-06-01</th>`, "<strong>0.70</strong>"}, nil)
	// A counter-trafficking case has no monitoring.
	tr := c.openCase(func() url.Values {
		f := intakeForm("Ada", "Obi")
		f.Set("birth_date", "1970-01-01")
		f.Set("confirm", "1")
		return f
	}())
	if strings.Contains(c.get(tr).Body.String(), `id="case-monitoring"`) {
		t.Error("a trafficking case shows reintegration monitoring")
	}
	wantCode(t, c.post(tr+"/monitoring", visit), http.StatusConflict)
}

func TestCaseReviewedMergeAtIntake(t *testing.T) {
	h := newCaseHarness(t)
	c := h.caseClient(t, "worker")
	first := c.openCase(intakeForm("Amina", "Okafor"))
	again := intakeForm("Amima", "Okafor")
	w := c.post("/cases", again)
	wantCode(t, w, http.StatusOK)
	m := regexp.MustCompile(`formaction="/cases/merge" name="merge_into" value="(\d+)"`).FindStringSubmatch(w.Body.String())
	if m == nil || !strings.Contains(w.Body.String(), "This is the same person: review the merge") {
		t.Fatalf("no merge review offered:\n%s", w.Body)
	}
	again.Set("merge_into", m[1])
	w = c.post("/cases/merge", again)
	wantCode(t, w, http.StatusOK)
	wantBody(t, w, []string{`<dd id="merge-kept-name">Amina Okafor</dd>`, `<dd id="merge-typed-name">Amima Okafor</dd>`,
		`name="keep_version" value="1"`, `name="given_name" value="Amima"`, `href="` + first + `"`}, nil)
	// Nothing is saved by the review.
	if n := strings.Count(c.get("/cases").Body.String(), `<th scope="row"><a href="/cases/`); n != 1 {
		t.Fatalf("%d cases after the review, want 1", n)
	}
	// A stale review is refused and shown again.
	again.Set("confirm_merge", "1")
	again.Set("keep_version", "7")
	w = c.post("/cases/merge", again)
	wantCode(t, w, http.StatusConflict)
	wantBody(t, w, []string{`id="merge-kept-error"`, "changed since your review", `name="keep_version" value="1"`}, nil)
	// Another organisation's worker cannot review someone out of scope.
	wantCode(t, h.caseClient(t, "bworker").post("/cases/merge", again), http.StatusNotFound)
	again.Set("keep_version", "1")
	w = c.post("/cases/merge", again)
	wantCode(t, w, http.StatusSeeOther)
	loc := w.Header().Get("Location")
	if !strings.HasSuffix(loc, "?saved=merged") || strings.HasPrefix(loc, first+"?") {
		t.Fatalf("Location %q", loc)
	}
	// The new case belongs to the registered person; the typed record
	// is gone.
	wantBody(t, c.get(loc), []string{"The case was opened and the new record merged", `<dd id="case-person">Amina Okafor</dd>`}, []string{"Amima"})
	merges, err := h.db.Cases().Merges(context.Background(), must(strconv.ParseInt(m[1], 10, 64)))
	if err != nil || len(merges) != 1 || merges[0].CasesMoved != 1 {
		t.Errorf("merges %+v, %v", merges, err)
	}
}

// caseVersion is the version the case page's forms carry.
func caseVersion(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("no version on the page:\n%s", w.Body)
	}
	return m[1]
}

// TestCaseReturnJourney walks a return case through its stages on the
// pages: the journey dates are set in the edit form, and a stage that
// needs a date is refused until it is there.
func TestCaseReturnJourney(t *testing.T) {
	h := newCaseHarness(t)
	c := h.caseClient(t, "worker")
	f := intakeForm("Musa", "Bello")
	for k, v := range map[string]string{"kind": "return", "return_type": "permanent", "host_country": "LBY", "origin_country": "NGA", "application_date": "2024-01-10"} {
		f.Set(k, v)
	}
	path := c.openCase(f)
	page := c.get(path)
	wantBody(t, page, []string{`id="case-travel-date"`, `id="case-arrival-date"`, `<dd id="case-travel-date-value">—</dd>`, `value="LBY"`}, nil)
	stage := func(to string, want int) *httptest.ResponseRecorder {
		t.Helper()
		w := c.post(path+"/status", url.Values{"version": {caseVersion(t, c.get(path))}, "stage": {to}})
		wantCode(t, w, want)
		return w
	}
	edit := func(travel, arrival string, want int) *httptest.ResponseRecorder {
		t.Helper()
		w := c.post(path, url.Values{"version": {caseVersion(t, c.get(path))}, "opened_on": {"2024-01-10"}, "return_type": {"permanent"},
			"host_country": {"lby"}, "origin_country": {"NGA"}, "application_date": {"2024-01-10"}, "travel_date": {travel}, "arrival_date": {arrival}})
		wantCode(t, w, want)
		return w
	}
	stage("counselling", http.StatusSeeOther)
	stage("travelDocuments", http.StatusSeeOther)
	w := stage("travel", http.StatusBadRequest)
	wantBody(t, w, []string{`href="#case-travel-date"`}, nil)
	w = edit("2023-12-31", "", http.StatusBadRequest)
	wantBody(t, w, []string{`id="case-travel-date-error"`, "2024-01-10", `value="2023-12-31"`}, nil)
	edit("2024-02-01", "", http.StatusSeeOther)
	wantBody(t, c.get(path), []string{`<dd id="case-travel-date-value">2024-02-01</dd>`}, nil)
	stage("travel", http.StatusSeeOther)
	w = stage("reception", http.StatusBadRequest)
	wantBody(t, w, []string{`href="#case-arrival-date"`}, nil)
	w = edit("2024-02-01", "2024-01-31", http.StatusBadRequest)
	wantBody(t, w, []string{`id="case-arrival-date-error"`}, nil)
	edit("2024-02-01", "2024-02-02", http.StatusSeeOther)
	stage("reception", http.StatusSeeOther)
	page = c.get(path)
	wantBody(t, page, []string{`<dd id="case-arrival-date-value">2024-02-02</dd>`, `action="` + path + `/monitoring"`}, nil)
	ctx := context.Background()
	me, err := h.db.Accounts().Principal(ctx, h.ids["worker"], nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.db.Cases().Get(ctx, me, caseNo(t, path))
	if err != nil {
		t.Fatal(err)
	}
	if r := got.Return; r.Stage != cases.StageReception || r.TravelDate != "2024-02-01" || r.ArrivalDate != "2024-02-02" || r.HostCountry != "LBY" {
		t.Errorf("stored return: %+v", *r)
	}
}

// TestCaseTransferToAnotherOrganisation: a coordinator whose assign scope
// covers every organisation (a custom role; no built-in role has it)
// transfers a case to a case worker of another organisation on the case
// page. The receiving worker then has it; the first organisation's worker
// no longer does; a supervisor with team scope is offered no transfer.
func TestCaseTransferToAnotherOrganisation(t *testing.T) {
	h := newCaseHarness(t)
	ctx := context.Background()
	err := h.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := h.db.Accounts().CreateRole(ctx, tx, auth.Role{Name: "case-coordinator", Title: "Case coordinator", Permissions: []auth.Permission{
			{Resource: "cases", Action: auth.Read, Scope: auth.ScopeAll}, {Resource: "cases", Action: auth.Assign, Scope: auth.ScopeAll},
			{Resource: "people", Action: auth.Read, Scope: auth.ScopeAll},
		}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	h.addUser(t, auth.User{Username: "coord", FullName: "Chidi Coordinator", Email: "c@example.org", OrgID: h.orgA.ID, Roles: []string{"case-coordinator"}})
	c := h.caseClient(t, "worker")
	path := c.openCase(intakeForm("Grace", "Eze"))
	to := strconv.FormatInt(h.orgB.ID, 10) + "." + strconv.FormatInt(h.ids["bworker"], 10)
	if strings.Contains(h.caseClient(t, "super").get(path).Body.String(), `value="`+to+`"`) {
		t.Error("a supervisor with team scope is offered a transfer to another organisation")
	}
	coord := h.caseClient(t, "coord")
	page := coord.get(path)
	wantBody(t, page, []string{`id="case-assign"`, `<option value="` + to + `">Bea Partner</option>`}, nil)
	wantCode(t, h.caseClient(t, "bworker").get(path), http.StatusNotFound)
	w := coord.post(path+"/assign", url.Values{"version": {caseVersion(t, page)}, "assign_to": {to}})
	wantCode(t, w, http.StatusSeeOther)
	wantBody(t, coord.get(path+"?saved=assigned"), []string{"The case was assigned.", "Bea Partner · "}, nil)
	wantBody(t, h.caseClient(t, "bworker").get(path), []string{`<dd id="case-person">Grace Eze</dd>`}, nil)
	wantCode(t, c.get(path), http.StatusNotFound)
}

// TestCaseIntakeShowsEveryProblem: a form with many bad fields shows them
// all after one submission (a slow connection should not need several).
func TestCaseIntakeShowsEveryProblem(t *testing.T) {
	h := newCaseHarness(t)
	c := h.caseClient(t, "worker")
	f := intakeForm(strings.Repeat("x", 5000), "Obi")
	f.Set("birth_date", "2090-01-01")
	f.Set("sex", "alien")
	f.Set("opened_on", "1800-01-01")
	f.Set("trafficking_status", "Nonsense")
	w := c.post("/cases", f)
	wantCode(t, w, http.StatusBadRequest)
	wantBody(t, w, []string{`id="case-given-name-error"`, `id="case-birth-date-error"`, `id="case-sex-error"`,
		`id="case-opened-on-error"`, `id="case-trafficking-status-error"`}, nil)
}

// TestCaseIntakeRefusesUnknownCountries: a well-formed code that is no
// country of the reference (XXX) is refused, naming the field.
func TestCaseIntakeRefusesUnknownCountries(t *testing.T) {
	h := newCaseHarness(t)
	rn := &importer.Runner{DB: h.db, Registry: importer.Builtin(), DataDir: dataDir}
	if _, err := rn.Run(context.Background(), "countries", nil); err != nil {
		t.Fatal(err)
	}
	c := h.caseClient(t, "worker")
	f := intakeForm("Ada", "Obi")
	f.Set("nationality", "XXX")
	f.Set("country_exploitation", "ZZZ")
	f.Set("confirm", "1")
	w := c.post("/cases", f)
	wantCode(t, w, http.StatusBadRequest)
	wantBody(t, w, []string{`id="case-nationality-error"`, "XXX"}, nil)
	f.Set("nationality", "NGA")
	w = c.post("/cases", f)
	wantCode(t, w, http.StatusBadRequest)
	wantBody(t, w, []string{`id="case-country-exploitation-error"`, "ZZZ"}, nil)
	f.Set("country_exploitation", "ITA")
	wantCode(t, c.post("/cases", f), http.StatusSeeOther)
}
