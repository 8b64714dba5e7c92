package ui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// fieldBlock is the block of a labour form's control (label, hint, error
// and the control) when it carries an error.
func fieldBlock(body, id string) string {
	return regexp.MustCompile(`(?s)<div class="field field-invalid">\s*<label for="` + regexp.QuoteMeta(id) + `">.*?</div>`).FindString(body)
}

// wantFieldError fails unless the control id carries an error with want.
func wantFieldError(t *testing.T, body, id, want string) {
	t.Helper()
	b := fieldBlock(body, id)
	if b == "" || !strings.Contains(b, `id="`+id+`-error"`) || !strings.Contains(b, want) || !strings.Contains(b, `aria-invalid="true"`) {
		t.Errorf("%s does not carry the error %q:\n%s", id, want, b)
	}
}

// registeredWorker registers Amina through the agency and returns her
// profile's path and id.
func registeredWorker(t *testing.T, h *labourHarness, agent *caseClient) (string, int64) {
	t.Helper()
	wantCode(t, agent.post("/labour/workers", kenyanWelderForm("Amina", "Otieno")), http.StatusSeeOther)
	ws, _, err := h.db.Labour().Workers(context.Background(), h.principal(t, "agent"), store.WorkerFilter{})
	if err != nil || len(ws) == 0 {
		t.Fatalf("workers %v %v", ws, err)
	}
	return workerURL(ws[0].ID), ws[0].ID
}

func costForm(kind, amount, currency, rateTo, rate string) url.Values {
	return url.Values{"kind": {kind}, "amount": {amount}, "currency": {currency}, "rateTo": {rateTo}, "rateToWage": {rate},
		"paidTo": {"employer"}, "date": {"2026-10-01"}}
}

// TestLabourCostFormRateTo: the cost form names the wage currency the rate
// converts into and explains when the rate is 1; a rate other than 1 for a
// cost paid in the wage currency, a missing rate for another currency and
// a date in the future are refused next to their fields; a converted cost
// shows in the wage currency and is stored with its rateTo.
func TestLabourCostFormRateTo(t *testing.T) {
	h := newLabourHarness(t)
	agent := h.caseClient(t, "agent")
	worker, id := registeredWorker(t, h, agent)
	page := agent.get(worker).Body.String()
	if !strings.Contains(page, `id="cost-rateTo"`) || !strings.Contains(page, "Currency the rate converts into (the wage currency)") ||
		!strings.Contains(page, "the rate is 1") {
		t.Errorf("the cost form lacks the wage currency or the explanation of the rate:\n%s", page)
	}

	w := agent.post(worker+"/costs", costForm("travel", "300", "EUR", "", "2"))
	wantCode(t, w, http.StatusBadRequest)
	wantFieldError(t, w.Body.String(), "cost-rateToWage", "must be 1 (or left empty) when the cost was paid in the wage currency")
	if !strings.Contains(w.Body.String(), `href="#cost-rateToWage"`) {
		t.Error("the error summary does not link the rate")
	}
	w = agent.post(worker+"/costs", costForm("travel", "50000", "KES", "EUR", ""))
	wantCode(t, w, http.StatusBadRequest)
	wantFieldError(t, w.Body.String(), "cost-rateToWage", "required")
	if !strings.Contains(w.Body.String(), `value="KES"`) {
		t.Error("the form lost what was typed")
	}
	w = agent.post(worker+"/costs", costForm("travel", "50000", "KES", "EURO", "0.0071"))
	wantCode(t, w, http.StatusBadRequest)
	wantFieldError(t, w.Body.String(), "cost-rateTo", "ISO 4217")
	future := costForm("travel", "10", "EUR", "", "")
	future.Set("date", "2999-01-01")
	w = agent.post(worker+"/costs?lang=fr", future)
	wantCode(t, w, http.StatusBadRequest)
	wantFieldError(t, w.Body.String(), "cost-date", "la date est dans le futur")

	wantCode(t, agent.post(worker+"/costs", costForm("travel", "50000", "KES", "EUR", "0.0071")), http.StatusSeeOther)
	wantCode(t, agent.post(worker+"/costs", costForm("documents", "45", "EUR", "", "")), http.StatusSeeOther)
	cs, err := h.db.Labour().Costs(context.Background(), h.principal(t, "agent"), id)
	if err != nil || len(cs) != 2 {
		t.Fatalf("costs %v %v", cs, err)
	}
	for _, c := range cs {
		if c.RateTo != "EUR" || (c.Currency == "EUR" && c.RateToWage != 1) || (c.Currency == "KES" && c.RateToWage != 0.0071) {
			t.Errorf("stored cost %+v", c)
		}
	}
	if b := agent.get(worker + "?lang=en").Body.String(); !strings.Contains(b, "50,000 KES") || !strings.Contains(b, "355 EUR") {
		t.Errorf("the converted cost is not shown in the wage currency:\n%s", b)
	}
}

// TestLabourWageForm: the first monthly wage is reported on the worker's
// page (destination, ISCO unit group, wage, currency), refused next to the
// fields when wrong, and shown afterwards with its source and the SDG
// 10.7.1 ratio.
func TestLabourWageForm(t *testing.T) {
	h := newLabourHarness(t)
	agent := h.caseClient(t, "agent")
	worker, _ := registeredWorker(t, h, agent)
	page := agent.get(worker).Body.String()
	for _, s := range []string{`id="wage-form"`, `id="wage-destination"`, `id="wage-isco" name="isco" type="text" value="7212"`, `id="wage-monthlyWage"`, `id="wage-currency"`} {
		if !strings.Contains(page, s) {
			t.Errorf("the wage form lacks %s", s)
		}
	}
	bad := url.Values{"destination": {"FRA"}, "isco": {"72a"}, "monthlyWage": {"-5"}, "currency": {"EUR"}}
	w := agent.post(worker+"/wage", bad)
	wantCode(t, w, http.StatusBadRequest)
	wantFieldError(t, w.Body.String(), "wage-isco", "4 digits")
	wantFieldError(t, w.Body.String(), "wage-monthlyWage", "greater than 0")
	bad = url.Values{"destination": {"FRA"}, "isco": {"9999"}, "monthlyWage": {"2400"}, "currency": {"EUR"}}
	wantFieldError(t, agent.post(worker+"/wage", bad).Body.String(), "wage-isco", "no ISCO-08 unit group has the code 9999")
	bad = url.Values{"destination": {""}, "isco": {"7212"}, "monthlyWage": {"2400"}, "currency": {"EUR"}}
	wantFieldError(t, agent.post(worker+"/wage", bad).Body.String(), "wage-destination", "required")

	wantCode(t, agent.post(worker+"/costs", costForm("travel", "600", "EUR", "", "")), http.StatusSeeOther)
	w = agent.post(worker+"/wage", url.Values{"destination": {"FRA"}, "isco": {"7212"}, "monthlyWage": {"2400"}, "currency": {"EUR"}})
	wantCode(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); !strings.Contains(loc, "saved=wage") {
		t.Errorf("redirected to %q", loc)
	}
	b := agent.get(worker + "?saved=wage").Body.String()
	for _, s := range []string{"The first monthly wage was recorded.", "2,400 EUR a month", "7212 Welders and flame cutters",
		"Reported on " + today(), `<dd id="worker-ratio">0.25</dd>`} {
		if !strings.Contains(b, s) {
			t.Errorf("the worker's page lacks %q", s)
		}
	}
	if b := agent.get(worker + "?lang=es").Body.String(); !strings.Contains(b, "Declarado el "+today()) {
		t.Error("the wage's source is not translated")
	}
	obs, err := h.db.Labour().RecruitmentCosts(context.Background())
	if err != nil || len(obs) != 1 || obs[0].MonthlyWage != 2400 || obs[0].Destination != "FRA" || obs[0].ISCO != "7212" {
		t.Errorf("observations %+v %v", obs, err)
	}
}

// TestLabourRecruiterRegister: /labour/recruiters lists the register with
// licence, certification and its end, an expired certificate, the workers
// who reported paying a fee and the flag; labour creators add recruiters
// (never as certified); only the certification desk changes a
// certification.
func TestLabourRecruiterRegister(t *testing.T) {
	h := newLabourHarness(t)
	ctx := context.Background()
	certified, err := h.db.Labour().CreateRecruiter(ctx, h.principal(t, "root"), labour.Recruiter{Name: "Nairobi Manpower Ltd", Country: "KEN",
		Licence: "RA/2020/11", Certification: "iris-certified", CertifiedUntil: "2030-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	lapsed, err := h.db.Labour().CreateRecruiter(ctx, h.principal(t, "root"), labour.Recruiter{Name: "Mombasa Jobs", Country: "KEN",
		Certification: "iris-certified", CertifiedUntil: "2030-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.SQL().Exec(h.db.Rebind(`UPDATE labour_recruiters SET certified_until = '2020-06-30' WHERE id = ?`), lapsed.ID); err != nil {
		t.Fatal(err)
	}
	agent := h.caseClient(t, "agent")
	worker, _ := registeredWorker(t, h, agent)
	fee := costForm(labour.CostFee, "40000", "KES", "", "")
	fee.Set("paidTo", "recruiter")
	fee.Set("recruiterId", idString(certified.ID))
	wantCode(t, agent.post(worker+"/costs", fee), http.StatusSeeOther)

	b := h.client(t).get("/labour/recruiters").Body.String()
	row := regexp.MustCompile(`(?s)<tr id="recruiter-` + idString(certified.ID) + `">.*?</tr>`).FindString(b)
	for _, s := range []string{"Nairobi Manpower Ltd", "Kenya", "RA/2020/11", "IRIS certified until 2030-12-31", `<td class="recruiter-fees">1 <span class="remit-flag recruiter-flagged">flagged</span>`} {
		if !strings.Contains(row, s) {
			t.Errorf("the certified recruiter's row lacks %q:\n%s", s, row)
		}
	}
	row = regexp.MustCompile(`(?s)<tr id="recruiter-` + idString(lapsed.ID) + `">.*?</tr>`).FindString(b)
	if !strings.Contains(row, "until 2020-06-30") || !strings.Contains(row, "certificate expired") || strings.Contains(row, "recruiter-flagged") {
		t.Errorf("the lapsed recruiter's row:\n%s", row)
	}
	if strings.Contains(b, `id="recruiter-form"`) || strings.Contains(b, `id="cert-form"`) {
		t.Error("a signed-out visitor sees the forms")
	}
	if !strings.Contains(h.client(t).get("/labour").Body.String(), `href="/labour/recruiters"`) {
		t.Error("/labour does not link the register")
	}

	// The agency adds a recruiter, but not as certified.
	b = agent.get("/labour/recruiters").Body.String()
	if !strings.Contains(b, `id="recruiter-form"`) || strings.Contains(b, `id="cert-form"`) || strings.Contains(b, `value="iris-certified"`) {
		t.Errorf("the agency's forms:\n%s", b)
	}
	add := url.Values{"name": {"Kisumu Careers"}, "country": {"KEN"}, "licence": {"RA/2024/3"}, "certification": {"not-certified"}}
	w := agent.post("/labour/recruiters", add)
	wantCode(t, w, http.StatusSeeOther)
	if b := agent.get(strings.SplitN(w.Header().Get("Location"), "#", 2)[0]).Body.String(); !strings.Contains(b, "Kisumu Careers") || !strings.Contains(b, "The recruiter was added") {
		t.Error("the added recruiter is not in the register")
	}
	add.Set("name", "KISUMU careers ltd")
	w = agent.post("/labour/recruiters", add)
	wantCode(t, w, http.StatusBadRequest)
	wantFieldError(t, w.Body.String(), "rec-name", "already has a recruiter")
	add.Set("name", "Eldoret Staffing")
	add.Set("certification", "iris-certified")
	add.Set("certifiedUntil", "2031-01-01")
	if w := agent.post("/labour/recruiters", add); w.Code != http.StatusForbidden {
		t.Errorf("the agency recorded a certification: %d", w.Code)
	}
	add.Set("certification", "not-certified")
	add.Set("country", "")
	wantFieldError(t, agent.post("/labour/recruiters", add).Body.String(), "rec-country", "required")
	cert := url.Values{"recruiter": {idString(lapsed.ID)}, "certification": {"iris-certified"}, "certifiedUntil": {"2031-06-30"}}
	if w := agent.post("/labour/recruiters/certification", cert); w.Code != http.StatusForbidden {
		t.Errorf("the agency changed a certification: %d", w.Code)
	}
	// An employer may publish (its vacancies) but is not the desk.
	if w := h.caseClient(t, "employer").post("/labour/recruiters/certification", cert); w.Code != http.StatusForbidden {
		t.Errorf("an employer changed a certification: %d", w.Code)
	}

	// The certification desk renews the lapsed certificate.
	root := h.caseClient(t, "root")
	if b := root.get("/labour/recruiters").Body.String(); !strings.Contains(b, `id="cert-form"`) || !strings.Contains(b, `id="rec-certifiedUntil"`) {
		t.Error("the desk lacks its forms")
	}
	cert.Set("certifiedUntil", "")
	wantFieldError(t, root.post("/labour/recruiters/certification", cert).Body.String(), "cert-certifiedUntil", "end date")
	cert.Set("certifiedUntil", "2031-06-30")
	wantCode(t, root.post("/labour/recruiters/certification", cert), http.StatusSeeOther)
	row = regexp.MustCompile(`(?s)<tr id="recruiter-` + idString(lapsed.ID) + `">.*?</tr>`).FindString(root.get("/labour/recruiters").Body.String())
	if !strings.Contains(row, "until 2031-06-30") || strings.Contains(row, "expired") {
		t.Errorf("the renewed recruiter:\n%s", row)
	}
}

// TestLabourVacancySearchTaxonomy: the words of /vacancies find vacancies
// whose occupation they name whatever the title; isco filters as the API
// does, and a malformed one is an error, not ignored.
func TestLabourVacancySearchTaxonomy(t *testing.T) {
	h := newLabourHarness(t)
	emp := h.caseClient(t, "employer")
	wantCode(t, emp.post("/labour/vacancies", welderVacancyForm("Hull fitter")), http.StatusSeeOther)
	pages := []struct {
		path         string
		status       int
		want, reject []string
	}{
		{"/vacancies?q=welder", 200, []string{"Hull fitter", "1 vacancy matches.", "The words also find vacancies for these occupations: welder"}, nil},
		{"/vacancies?q=plumber", 200, []string{"0 vacancies match."}, []string{"Hull fitter"}},
		{"/vacancies?q=hull", 200, []string{"Hull fitter"}, nil},
		{"/vacancies?isco=72", 200, []string{"Hull fitter"}, nil},
		{"/vacancies?isco=7126", 200, []string{"0 vacancies match."}, []string{"Hull fitter"}},
		{"/vacancies?isco=abc", 400, []string{"isco", "1 to 4 digits"}, []string{"Hull fitter"}},
		{"/vacancies?isco=72125", 400, []string{"1 to 4 digits"}, nil},
		{"/vacancies?isco=abc&lang=fr", 400, []string{"1 à 4 chiffres"}, nil},
	}
	for _, p := range pages {
		w := h.client(t).get(p.path)
		if w.Code != p.status {
			t.Errorf("%s: status %d, want %d", p.path, w.Code, p.status)
		}
		for _, s := range p.want {
			if !strings.Contains(w.Body.String(), s) {
				t.Errorf("%s lacks %q", p.path, s)
			}
		}
		for _, s := range p.reject {
			if strings.Contains(w.Body.String(), s) {
				t.Errorf("%s shows %q", p.path, s)
			}
		}
	}
	// The link to the same search in the API keeps the isco filter.
	if b := h.client(t).get("/vacancies?isco=72").Body.String(); !strings.Contains(b, `href="/api/v1/vacancies?isco=72"`) {
		t.Error("the API link loses isco")
	}
}

// TestLabourCandidatesPaging: the candidates page shows a page of the
// ranking with the ranks and links to the next and previous pages.
func TestLabourCandidatesPaging(t *testing.T) {
	h := newLabourHarness(t)
	emp := h.caseClient(t, "employer")
	wantCode(t, emp.post("/labour/vacancies", welderVacancyForm("Cruise ship welder")), http.StatusSeeOther)
	agent := h.caseClient(t, "agent")
	for i := range 23 {
		wantCode(t, agent.post("/labour/workers", kenyanWelderForm("Worker", itoa(i))), http.StatusSeeOther)
	}
	path := "/labour/vacancies/1/candidates"
	count := func(b string) int { return strings.Count(b, `<li class="card candidate"`) }
	b := emp.get(path).Body.String()
	if n := count(b); n != 20 || !strings.Contains(b, "Candidates ranked 1 to 20.") || !strings.Contains(b, `href="`+path+`?offset=20" rel="next"`) ||
		strings.Contains(b, `rel="prev"`) {
		t.Errorf("the first page (%d candidates):\n%s", n, b)
	}
	b = emp.get(path + "?offset=20").Body.String()
	if n := count(b); n != 3 || !strings.Contains(b, "Rank 21") || !strings.Contains(b, "Candidates ranked 21 to 23.") ||
		!strings.Contains(b, `href="`+path+`" rel="prev"`) || strings.Contains(b, `rel="next"`) {
		t.Errorf("the second page (%d candidates):\n%s", n, b)
	}
	if b := emp.get(path + "?offset=40").Body.String(); !strings.Contains(b, "No more candidates beyond this rank.") {
		t.Errorf("past the end:\n%s", b)
	}
	for _, bad := range []string{"x", "-1", "5000"} {
		if w := emp.get(path + "?offset=" + bad); w.Code != http.StatusBadRequest {
			t.Errorf("offset %s: %d", bad, w.Code)
		}
	}
}

func addWorkerAccount(t *testing.T, h *labourHarness, username string) {
	t.Helper()
	h.addUser(t, auth.User{Username: username, FullName: "Wanjiru " + username, Email: username + "@example.org", OrgID: h.agencyOrg.ID,
		Roles: []string{auth.RoleWorker}})
}

// TestLabourMe: a worker's own account registers one profile at
// /labour/me (consent recorded by self, no agency wording), sees it with
// the vacancies it matches and no one else's, and withdraws consent; the
// labour pages link it for workers only.
func TestLabourMe(t *testing.T) {
	h := newLabourHarness(t)
	emp := h.caseClient(t, "employer")
	wantCode(t, emp.post("/labour/vacancies", welderVacancyForm("Cruise ship welder")), http.StatusSeeOther)
	agent := h.caseClient(t, "agent")
	registeredWorker(t, h, agent) // Amina, registered by the agency
	addWorkerAccount(t, h, "wanjiru")
	me := h.caseClient(t, "wanjiru")

	b := me.get("/labour/me").Body.String()
	if !strings.Contains(b, `action="/labour/me"`) || !strings.Contains(b, "I agree to be matched with vacancies") ||
		strings.Contains(b, "consent.recordedBy") || strings.Contains(b, "Through the agency") || strings.Contains(b, "Register a worker") ||
		strings.Contains(b, "Amina") {
		t.Errorf("the worker's registration form:\n%s", b)
	}
	for _, p := range []string{"/labour", "/vacancies"} {
		if !strings.Contains(me.get(p).Body.String(), `href="/labour/me"`) {
			t.Errorf("%s does not link the worker's profile", p)
		}
		if strings.Contains(agent.get(p).Body.String(), `href="/labour/me"`) {
			t.Errorf("%s links /labour/me for the agency", p)
		}
	}
	f := kenyanWelderForm("Wanjiru", "Kamau")
	f.Del("consent.recordedBy")
	f.Del("consent.matching")
	w := me.post("/labour/me", f)
	wantCode(t, w, http.StatusBadRequest)
	wantCheckboxError := regexp.MustCompile(`(?s)<div class="checkbox field-invalid">\s*<input type="checkbox" id="wk-consent-matching".*?</div>`).FindString(w.Body.String())
	if !strings.Contains(wantCheckboxError, "consent to be matched is required") {
		t.Errorf("the missing consent is not shown next to it:\n%s", wantCheckboxError)
	}
	f.Set("consent.matching", "on")
	f.Set("consent.recordedBy", "agency") // ignored: the worker's own consent
	w = me.post("/labour/me", f)
	wantCode(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/labour/me?saved=created" {
		t.Errorf("redirected to %q", loc)
	}
	ctx := context.Background()
	ws, _, err := h.db.Labour().Workers(ctx, h.principal(t, "wanjiru"), store.WorkerFilter{})
	if err != nil || len(ws) != 1 || ws[0].Consent.RecordedBy != "self" || ws[0].GivenName != "Wanjiru" {
		t.Fatalf("the worker's profiles %+v %v", ws, err)
	}
	b = me.get("/labour/me?saved=created").Body.String()
	for _, s := range []string{"Your profile was registered.", "Wanjiru Kamau", "Cruise ship welder", `action="/labour/me/withdraw"`,
		`href="` + workerURL(ws[0].ID) + `#worker-costs"`} {
		if !strings.Contains(b, s) {
			t.Errorf("the worker's page lacks %q", s)
		}
	}
	if strings.Contains(b, "Amina") {
		t.Error("the worker sees another worker")
	}
	// Sent again: no second profile.
	w = me.post("/labour/me", f)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/labour/me" {
		t.Errorf("registering twice: %d %q", w.Code, w.Header().Get("Location"))
	}
	if ws, _, _ := h.db.Labour().Workers(ctx, h.principal(t, "wanjiru"), store.WorkerFilter{}); len(ws) != 1 {
		t.Errorf("%d profiles", len(ws))
	}
	// Other accounts: the agency is sent to its workers and may not post.
	if w := agent.get("/labour/me"); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/labour/workers" {
		t.Errorf("the agency at /labour/me: %d %q", w.Code, w.Header().Get("Location"))
	}
	if w := agent.post("/labour/me", kenyanWelderForm("Other", "Person")); w.Code != http.StatusForbidden {
		t.Errorf("the agency posted to /labour/me: %d", w.Code)
	}
	if w := h.client(t).get("/labour/me"); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
		t.Errorf("signed out: %d", w.Code)
	}
	// Withdrawing consent.
	wantCode(t, me.post("/labour/me/withdraw", url.Values{}), http.StatusSeeOther)
	ws, _, _ = h.db.Labour().Workers(ctx, h.principal(t, "wanjiru"), store.WorkerFilter{})
	if len(ws) != 1 || ws[0].Status != labour.WorkerWithdrawn || ws[0].GivenName != "" {
		t.Errorf("after withdrawal %+v", ws)
	}
	b = me.get("/labour/me").Body.String()
	if !strings.Contains(b, "You withdrew your consent") || !strings.Contains(b, `action="/labour/me"`) || strings.Contains(b, "Wanjiru Kamau") {
		t.Errorf("after withdrawal:\n%s", b)
	}
}

// TestLabourReviewRoutesDeclared: the new pages carry the resource and
// action the policy checks.
func TestLabourReviewRoutesDeclared(t *testing.T) {
	h := newLabourHarness(t)
	r := web.NewRouter(nil)
	h.ui.Register(r)
	want := map[string]string{
		"GET /labour/recruiters": "labour:read", "POST /labour/recruiters": "labour:create",
		"POST /labour/recruiters/certification": "labour:publish", "POST /labour/workers/{id}/wage": "workers:update",
		"GET /labour/me": "workers:read", "POST /labour/me": "workers:create", "POST /labour/me/withdraw": "workers:update",
	}
	public := map[string]bool{"GET /labour/recruiters": true}
	for _, rt := range r.Routes() {
		key := rt.Method + " " + rt.Pattern
		if w, ok := want[key]; ok {
			if got := rt.Resource + ":" + rt.Action; got != w {
				t.Errorf("%s: %s, want %s", key, got, w)
			}
			if rt.Public != public[key] {
				t.Errorf("%s: public %v", key, rt.Public)
			}
			delete(want, key)
		}
	}
	for key := range want {
		t.Errorf("route %s not registered", key)
	}
}

// A published vacancy names its recruiter and the recruiter's
// certification status, in the page's language.
func TestLabourVacancyShowsRecruiter(t *testing.T) {
	h := newLabourHarness(t)
	ctx := context.Background()
	l := h.db.Labour()
	rc, err := l.CreateRecruiter(ctx, h.principal(t, "agent"), labour.Recruiter{Name: "Kisumu Careers", Country: "KEN", Certification: "not-certified"})
	if err != nil {
		t.Fatal(err)
	}
	v := labour.Vacancy{Status: labour.VacancyPublished, Title: "Hull welder", Destination: "FRA", Place: "Brest", ISCO: "7212",
		Occupation: testWelderURI, Sector: "C", Positions: 1, Essential: []int32{1}, MonthlyWage: 2400, Currency: "EUR", HoursPerWeek: 35,
		ContractMonths: 12, Housing: "assistance", Channel: labour.Channel{Kind: "work-visa", Name: "Talent passport"},
		Fees: labour.FeePolicy{EmployerPays: true}, RecruiterID: rc.ID}
	if v, err = l.CreateVacancy(ctx, h.principal(t, "employer"), v); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"en": "Kisumu Careers (Kenya) — Not certified", "fr": "Kisumu Careers (Kenya) — Non certifié"} {
		b := h.client(t).get("/vacancies/" + idString(v.ID) + "?lang=" + lang).Body.String()
		if !strings.Contains(b, `id="vac-recruiter"`) || !strings.Contains(b, want) {
			t.Errorf("%s: the vacancy page does not name its recruiter as %q", lang, want)
		}
	}
}
