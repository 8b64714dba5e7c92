package ui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/cases"
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
