package ui

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
)

// newCaseHarness is the account harness with a team of the first
// organisation holding two case workers and their supervisor, and a case
// worker of the second organisation (to which cases are referred).
func newCaseHarness(t *testing.T) *accountHarness {
	t.Helper()
	h := newAccountHarness(t)
	team := h.addTeam(t, h.orgA.ID, "Lagos outreach")
	for _, u := range []auth.User{
		{Username: "worker", FullName: "Wanjiru Worker", Email: "w@example.org", OrgID: h.orgA.ID, TeamIDs: []int64{team.ID}, Roles: []string{auth.RoleCaseWorker}},
		{Username: "worker2", FullName: "Wole Second", Email: "w2@example.org", OrgID: h.orgA.ID, TeamIDs: []int64{team.ID}, Roles: []string{auth.RoleCaseWorker}},
		{Username: "super", FullName: "Sade Supervisor", Email: "s@example.org", OrgID: h.orgA.ID, TeamIDs: []int64{team.ID}, Roles: []string{auth.RoleCaseSupervisor}},
		{Username: "bworker", FullName: "Bea Partner", Email: "b@example.net", OrgID: h.orgB.ID, Roles: []string{auth.RoleCaseWorker}},
	} {
		h.addUser(t, u)
	}
	return h
}

var caseIDRE = regexp.MustCompile(`^/cases/(\d+)\?saved=created$`)

// caseClient is a signed-in client that posts forms with its CSRF token.
type caseClient struct {
	*client
	t    *testing.T
	csrf string
}

func (h *accountHarness) caseClient(t *testing.T, username string) *caseClient {
	c := h.client(t)
	c.signIn(username)
	return &caseClient{client: c, t: t, csrf: c.csrf()}
}

func (c *caseClient) post(target string, f url.Values) *httptest.ResponseRecorder {
	c.t.Helper()
	f.Set("csrf_token", c.csrf)
	return c.do(http.MethodPost, target, f)
}

func wantCode(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d\n%s", w.Code, status, w.Body)
	}
}

func intakeForm(given, family string) url.Values {
	return url.Values{"given_name": {given}, "family_name": {family}, "birth_date": {"1995-04-12"}, "sex": {"female"},
		"nationality": {"nga"}, "document_type": {"none"}, "kind": {"trafficking"}, "opened_on": {time.Now().UTC().Format("2006-01-02")},
		"trafficking_status": {"ActualVictimOfTrafficking"}, "exploitation": {"SexualExploitation"}, "country_exploitation": {"ITA"}}
}

// openCase submits the intake form and returns the new case's path.
func (c *caseClient) openCase(f url.Values) string {
	c.t.Helper()
	w := c.post("/cases", f)
	wantCode(c.t, w, http.StatusSeeOther)
	m := caseIDRE.FindStringSubmatch(w.Header().Get("Location"))
	if m == nil {
		c.t.Fatalf("Location %q", w.Header().Get("Location"))
	}
	return "/cases/" + m[1]
}

func TestCaseIntakeWithDuplicateWarning(t *testing.T) {
	h := newCaseHarness(t)
	c := h.caseClient(t, "worker")
	w := c.get("/cases")
	wantCode(t, w, 200)
	wantBody(t, w, []string{`href="/cases" aria-current="page">Cases</a>`, `href="/cases/new"`, "0 cases", `href="/cases/tasks"`,
		`href="/api/v1/cases/export?format=csv"`}, []string{`href="/cases/dashboard"`})
	wantCode(t, c.get("/cases/new"), 200)

	// A refused form names the field and keeps what was typed; a draft
	// may leave it empty.
	f := intakeForm("Amina", "Okafor")
	f.Del("trafficking_status")
	w = c.post("/cases", f)
	wantCode(t, w, 400)
	wantBody(t, w, []string{`id="case-trafficking-status-error"`, "Trafficking status: ", `value="Okafor"`,
		`id="case-exploitation-SexualExploitation" name="exploitation" type="checkbox" value="SexualExploitation" checked`}, nil)
	f.Set("draft", "1")
	draft := c.openCase(f)
	wantBody(t, c.get(draft+"?saved=created"), []string{"The case was opened.", "Amina Okafor", "Draft"}, nil)

	// The same person again, misspelt: the possible duplicate is shown
	// with its explanation and nothing is saved until confirmed.
	again := intakeForm("Amima", "Okafor")
	w = c.post("/cases", again)
	wantCode(t, w, 200)
	wantBody(t, w, []string{"1 person already registered may be this person", "same date of birth", `href="` + draft + `"`,
		"Not the same person: create the case anyway", `value="Amima"`}, nil)
	if n := strings.Count(c.get("/cases").Body.String(), `<th scope="row"><a href="/cases/`); n != 1 {
		t.Fatalf("%d cases listed after the duplicate warning, want 1", n)
	}
	again.Set("confirm", "1")
	second := c.openCase(again)
	if second == draft {
		t.Fatal("no new case")
	}
	wantBody(t, c.get("/cases"), []string{"2 cases"}, nil)
}

func TestCaseStaleEditKeepsTypedValues(t *testing.T) {
	h := newCaseHarness(t)
	c := h.caseClient(t, "worker")
	path := c.openCase(intakeForm("Grace", "Mensah"))
	wantBody(t, c.get(path), []string{`name="version" value="1"`}, nil)
	edit := url.Values{"version": {"1"}, "opened_on": {time.Now().UTC().Format("2006-01-02")}, "trafficking_status": {"PossibleVictimOfTrafficking"},
		"exploitation": {"ForcedLabour"}, "country_exploitation": {"ITA"}}
	wantCode(t, c.post(path, edit), http.StatusSeeOther)

	// Someone else saved version 2 meanwhile: the stale form is refused,
	// the case is unchanged, and what was typed is kept with the new
	// version so that submitting again applies it.
	edit.Set("country_exploitation", "ESP")
	edit.Set("exploitation", "ForcedMarriage")
	w := c.post(path, edit)
	wantCode(t, w, http.StatusConflict)
	wantBody(t, w, []string{"it is now version 2", `value="ESP"`, `name="version" value="2"`,
		`value="ForcedMarriage" checked`}, nil)
	page := c.get(path).Body.String()
	if !strings.Contains(page, "<dd>ITA</dd>") || strings.Contains(page, "<dd>ESP</dd>") {
		t.Error("the stale edit changed the case")
	}
	edit.Set("version", "2")
	wantCode(t, c.post(path, edit), http.StatusSeeOther)
	wantBody(t, c.get(path), []string{"<dd>ESP</dd>"}, nil)
}

func TestCaseScopeAndWork(t *testing.T) {
	h := newCaseHarness(t)
	c := h.caseClient(t, "worker")
	path := c.openCase(intakeForm("Joy", "Eze"))

	// Another case worker of the team does not see it; their supervisor
	// does, and has the dashboard.
	other := h.caseClient(t, "worker2")
	wantCode(t, other.get(path), http.StatusNotFound)
	wantBody(t, other.get("/cases"), []string{"0 cases"}, []string{path})
	sup := h.caseClient(t, "super")
	wantCode(t, sup.get(path), 200)
	wantBody(t, sup.get("/cases"), []string{`href="/cases/dashboard"`, `href="` + path + `"`}, nil)
	wantBody(t, sup.get("/cases/dashboard"), []string{"By nationality", "NGA", "Sexual"}, nil)
	wantCode(t, c.get("/cases/dashboard"), http.StatusForbidden)

	// Work on the case: a comment, a task overdue, a service.
	wantCode(t, c.post(path+"/comments", url.Values{"comment": {""}}), 400)
	wantCode(t, c.post(path+"/comments", url.Values{"comment": {"Met at the shelter."}}), http.StatusSeeOther)
	wantCode(t, c.post(path+"/tasks", url.Values{"task_title": {"Call the lawyer"}, "task_due": {"2020-01-31"}}), http.StatusSeeOther)
	wantCode(t, c.post(path+"/services", url.Values{"service_type": {"Medical"}, "service_date": {"2020-02-01"}}), http.StatusSeeOther)
	wantBody(t, c.get(path), []string{"Met at the shelter.", "Call the lawyer", "overdue", "Medical"}, nil)
	wantBody(t, c.get("/cases/tasks"), []string{"1 overdue task", "Call the lawyer"}, nil)
	wantBody(t, other.get("/cases/tasks"), []string{"0 overdue tasks"}, []string{"Call the lawyer"})

	// Every case page keeps to the Content Security Policy and the
	// accessibility checks, and asks for no missing message.
	for _, p := range []string{"/cases", "/cases/new", path, "/cases/tasks", "/cases/dashboard"} {
		cl := c
		if p == "/cases/dashboard" {
			cl = sup
		}
		doc := parseHTML(t, cl.get(p).Body)
		for _, problem := range append(cspViolations(doc), a11yProblems(doc)...) {
			t.Errorf("%s: %s", p, problem)
		}
	}
	if strings.Contains(h.logs.String(), "missing translation") {
		t.Errorf("pages asked for missing messages:\n%s", h.logs)
	}
}

func TestCaseReferralNeedsConsent(t *testing.T) {
	h := newCaseHarness(t)
	c := h.caseClient(t, "worker")
	path := c.openCase(intakeForm("Blessing", "Obi"))
	refer := url.Values{"to_org": {id(h.orgB.ID)}, "referral_reason": {"AdditionalServicesRequired"}, "referral_details": {"Legal aid in France"}}

	w := c.post(path+"/referrals", refer)
	wantCode(t, w, http.StatusConflict)
	wantBody(t, w, []string{"consent to referral has not been recorded", `id="referral-org-error"`, "Legal aid in France"}, nil)

	today := time.Now().UTC().Format("2006-01-02")
	wantCode(t, c.post(path+"/consents", url.Values{"consent_type": {"referral"}, "consent_given": {"1"}, "consent_date": {today}}), http.StatusSeeOther)
	wantCode(t, c.post(path+"/referrals", refer), http.StatusSeeOther)
	wantBody(t, c.get(path), []string{"Diaspora Network", "Requested", ">Revoke</button>"}, nil)

	// The receiving organisation sees the referral, not the case, until it
	// accepts.
	b := h.caseClient(t, "bworker")
	wantCode(t, b.get(path), http.StatusNotFound)
	page := b.get("/cases").Body.String()
	action := regexp.MustCompile(`action="(` + regexp.QuoteMeta(path) + `/referrals/\d+)"`).FindStringSubmatch(page)
	if action == nil {
		t.Fatalf("no incoming referral:\n%s", page)
	}
	w = b.post(action[1], url.Values{"decision": {"accept"}})
	wantCode(t, w, http.StatusSeeOther)
	wantBody(t, b.get(w.Header().Get("Location")), []string{"The referral was accepted", "Blessing Obi", "through an accepted referral"}, nil)
}
