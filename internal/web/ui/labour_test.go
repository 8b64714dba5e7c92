package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/labour/esco"
	"github.com/corridor-platform/corridor/internal/store"
)

// labourHarness is the account harness with an employer organisation
// (in France: the test geography has no Germany), a labour agency in
// Kenya, a user of each, and a small ESCO/ISCO taxonomy: welders (7212)
// and plumbers (7126), skills 1–5.
type labourHarness struct {
	*accountHarness
	employerOrg, agencyOrg auth.Org
}

const (
	testWelderURI  = "http://data.europa.eu/esco/occupation/welder"
	testPlumberURI = "http://data.europa.eu/esco/occupation/plumber"
)

func newLabourHarness(t *testing.T) *labourHarness {
	t.Helper()
	h := &labourHarness{accountHarness: newAccountHarness(t)}
	ctx := context.Background()
	var groups []esco.ISCOGroup
	for _, c := range []string{"7", "72", "721", "7212", "71", "712", "7126"} {
		groups = append(groups, esco.ISCOGroup{Code: c, Label: "group " + c})
	}
	groups[3].Label = "Welders and flame cutters"
	in := esco.Input{ISCOGroups: groups,
		Skills: []esco.Skill{{ID: 1, Label: "arc welding"}, {ID: 2, Label: "read blueprints"}, {ID: 3, Label: "metal cutting"},
			{ID: 4, Label: "install pipes"}, {ID: 5, Label: "workplace safety"}},
		Occupations: []esco.Occupation{
			{URI: testWelderURI, Code: "7212.1", Label: "welder", ISCOGroup: "7212", Essential: []int32{1, 2, 3}, Optional: []int32{5}},
			{URI: testPlumberURI, Code: "7126.1", Label: "plumber", ISCOGroup: "7126", Essential: []int32{4, 2}, Optional: []int32{5}},
		}}
	err := h.db.InTx(ctx, func(tx *store.Tx) (err error) {
		if err := store.ReplaceISCOGroups(ctx, tx, in.ISCOGroups); err != nil {
			return err
		}
		if err := store.ReplaceESCO(ctx, tx, in); err != nil {
			return err
		}
		acc := h.db.Accounts()
		if h.employerOrg, err = acc.CreateOrg(ctx, tx, auth.Org{Name: "Chantiers de l'Atlantique", Kind: "employer", Country: "FRA"}); err != nil {
			return err
		}
		h.agencyOrg, err = acc.CreateOrg(ctx, tx, auth.Org{Name: "Nairobi Labour Agency", Kind: "government", Country: "KEN"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	h.addUser(t, auth.User{Username: "employer", FullName: "Elise Employer", Email: "elise@example.org", OrgID: h.employerOrg.ID,
		Roles: []string{auth.RoleEmployer}})
	h.addUser(t, auth.User{Username: "agent", FullName: "Kamau Agent", Email: "kamau@example.org", OrgID: h.agencyOrg.ID,
		Roles: []string{auth.RoleLabourAgency}})
	return h
}

func (h *labourHarness) principal(t *testing.T, username string) *auth.Principal {
	t.Helper()
	return must(h.db.Accounts().Principal(context.Background(), h.ids[username], nil))
}

// welderVacancyForm is the vacancy form filled in for a welder in
// Saint-Nazaire, published.
func welderVacancyForm(title string) url.Values {
	return url.Values{"title": {title}, "description": {"Hull welding on cruise ships."}, "occupation": {"welder"}, "isco": {""},
		"sector": {"C"}, "positions": {"2"}, "destination": {"FRA"}, "place": {"Saint-Nazaire"}, "startDate": {"2027-03-01"},
		"essentialSkills": {"arc welding\nread blueprints\nmetal cutting"}, "optionalSkills": {"workplace safety"},
		"languages[0].code": {"fr"}, "languages[0].level": {"A2"}, "education": {"3"}, "experienceYears": {"2"},
		"monthlyWage": {"2400"}, "currency": {"EUR"}, "hoursPerWeek": {"35"}, "contractMonths": {"24"}, "housing": {"provided-paid"},
		"channel.kind": {"skills-partnership"}, "channel.name": {"Kenya–France welding partnership"},
		"feePolicy.employerPays": {"on"}, "feePolicy.workerFee": {"0"}, "status": {"published"}}
}

func kenyanWelderForm(given, family string) url.Values {
	return url.Values{"consent.matching": {"on"}, "consent.shareWithEmployers": {"on"}, "consent.date": {"2026-11-01"},
		"consent.recordedBy": {"agency"}, "givenName": {given}, "familyName": {family}, "birthDate": {"1994-03-02"},
		"email": {"amina@example.org"}, "phone": {"+254 700 000000"}, "origin": {"KEN"},
		"occupations[0].occupation": {"7212.1"}, "occupations[0].years": {"5"},
		"skills":            {"arc welding\nread blueprints\nmetal cutting\nworkplace safety"},
		"languages[0].code": {"fr"}, "languages[0].level": {"B1"}, "languages[1].code": {"en"}, "languages[1].level": {"C1"},
		"education": {"3"}, "experienceYears": {"5"}, "preferredDestinations": {"FRA"}}
}

func vacancyCount(t *testing.T, h *labourHarness) int {
	t.Helper()
	_, total, err := h.db.Labour().Vacancies(context.Background(), h.principal(t, "employer"),
		store.VacancyFilter{Status: "all", OrgID: h.employerOrg.ID})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// TestLabourVacancyFeeCannotBePublished: a vacancy charging the worker a
// fee, sent to be published, comes back with the fee policy's error next
// to the fee field, and nothing is stored; as a draft it is kept.
func TestLabourVacancyFeeCannotBePublished(t *testing.T) {
	h := newLabourHarness(t)
	emp := h.caseClient(t, "employer")
	f := welderVacancyForm("Hull welder")
	f.Set("feePolicy.workerFee", "150")
	w := emp.post("/labour/vacancies", f)
	wantCode(t, w, http.StatusBadRequest)
	body := w.Body.String()
	// The error sits in the fee field's own block, before its input, and
	// the input points at it.
	field := regexp.MustCompile(`(?s)<div class="field field-invalid">\s*<label for="vac-feePolicy-workerFee">.*?</div>`).FindString(body)
	if field == "" || !strings.Contains(field, `id="vac-feePolicy-workerFee-error"`) || !strings.Contains(field, "cannot be published") ||
		!strings.Contains(field, `aria-invalid="true"`) || !strings.Contains(field, `aria-describedby="vac-feePolicy-workerFee-hint vac-feePolicy-workerFee-error"`) {
		t.Fatalf("the fee field does not carry its error:\n%s", field)
	}
	if !strings.Contains(body, `href="#vac-feePolicy-workerFee"`) {
		t.Error("the error summary does not link the fee field")
	}
	// What was typed is kept.
	if !strings.Contains(body, `value="150"`) || !strings.Contains(body, "arc welding\nread blueprints") {
		t.Error("the form lost what was typed")
	}
	if n := vacancyCount(t, h); n != 0 {
		t.Fatalf("a refused vacancy was stored (%d)", n)
	}
	// As a draft it is kept, and listed as a draft.
	f.Set("status", "draft")
	w = emp.post("/labour/vacancies", f)
	wantCode(t, w, http.StatusSeeOther)
	if n := vacancyCount(t, h); n != 1 {
		t.Fatalf("the draft was not stored (%d)", n)
	}
	list := emp.get("/labour/vacancies")
	if !strings.Contains(list.Body.String(), "Hull welder") || !strings.Contains(list.Body.String(), ">Draft<") {
		t.Errorf("the organisation's list lacks the draft:\n%s", list.Body)
	}
	// Publishing the draft from the list fails with the same rule.
	id := regexp.MustCompile(`/labour/vacancies/(\d+)/status`).FindStringSubmatch(list.Body.String())
	if id == nil {
		t.Fatal("no status form")
	}
	w = emp.post("/labour/vacancies/"+id[1]+"/status", url.Values{"status": {"published"}, "version": {"1"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "cannot be published") {
		t.Errorf("publishing a draft with a fee: %d\n%s", w.Code, w.Body)
	}
	// In Spanish the reason is Spanish.
	f.Set("status", "published")
	w = emp.post("/labour/vacancies?lang=es", f)
	if !strings.Contains(w.Body.String(), "no puede publicarse") {
		t.Error("the fee error is not translated")
	}
}

// TestLabourVacancyFormUnknownSkill: a skill the taxonomy does not know is
// refused next to the skills field, with the near labels offered.
func TestLabourVacancyFormUnknownSkill(t *testing.T) {
	h := newLabourHarness(t)
	emp := h.caseClient(t, "employer")
	f := welderVacancyForm("Welder")
	f.Set("essentialSkills", "arc welding\narc weldin")
	w := emp.post("/labour/vacancies", f)
	wantCode(t, w, http.StatusBadRequest)
	if !strings.Contains(w.Body.String(), `id="vac-essentialSkills-error"`) || !strings.Contains(w.Body.String(), "did you mean: arc welding") {
		t.Errorf("unknown skill:\n%s", w.Body)
	}
	if vacancyCount(t, h) != 0 {
		t.Fatal("stored")
	}
}

// TestLabourPublicPages: the public search lists published vacancies
// only, a draft is not found publicly (even to its employer), a published
// vacancy shows its rights and the warning about fees, and no worker's
// name appears on any public page.
func TestLabourPublicPages(t *testing.T) {
	h := newLabourHarness(t)
	emp := h.caseClient(t, "employer")
	wantCode(t, emp.post("/labour/vacancies", welderVacancyForm("Cruise ship welder")), http.StatusSeeOther)
	draft := welderVacancyForm("Secret draft welder")
	draft.Set("status", "draft")
	wantCode(t, emp.post("/labour/vacancies", draft), http.StatusSeeOther)
	agent := h.caseClient(t, "agent")
	wantCode(t, agent.post("/labour/workers", kenyanWelderForm("Amina", "Otieno")), http.StatusSeeOther)

	ctx := context.Background()
	vs, _, err := h.db.Labour().Vacancies(ctx, h.principal(t, "employer"), store.VacancyFilter{Status: "all"})
	if err != nil || len(vs) != 2 {
		t.Fatalf("vacancies %v %v", vs, err)
	}
	var pubID, draftID string
	for _, v := range vs {
		if v.Status == labour.VacancyPublished {
			pubID = idString(v.ID)
		} else {
			draftID = idString(v.ID)
		}
	}
	if vs[0].ISCO != "7212" && vs[1].ISCO != "7212" {
		t.Errorf("the ISCO group was not filled from the occupation: %+v", vs)
	}

	pages := map[string]*struct {
		status int
		want   []string
		reject []string
	}{
		"/vacancies": {200, []string{"Cruise ship welder", "Saint-Nazaire", "2,400 EUR a month", "35 hours a week", "24 months",
			"Skills partnership", "Kenya–France welding partnership", "No recruitment fees: the employer pays", "2027-03-01", "2 of 2"},
			[]string{"Secret draft welder"}},
		"/vacancies?occ=welder&destination=FRA": {200, []string{"Cruise ship welder", "7212 Welders and flame cutters"}, nil},
		"/vacancies?occ=plumber":                {200, []string{"0 vacancies match."}, []string{"Cruise ship welder"}},
		"/vacancies?occ=7212&sector=C&q=cruise": {200, []string{"Cruise ship welder"}, nil},
		"/vacancies?destination=ESP":            {200, []string{"No published vacancy matches"}, []string{"Cruise ship welder"}},
		"/vacancies/" + pubID: {200, []string{"Cruise ship welder", "arc welding, read blueprints, metal cutting", "workplace safety", "FR A2",
			"Your rights", "No recruitment fees", "You keep your documents", "A written contract before you leave", "Recognised training",
			"Pre-departure orientation", "breaks the rules", "Report it to the labour agency"}, nil},
		"/vacancies/" + draftID:            {404, []string{"Page not found"}, []string{"Secret draft welder"}},
		"/vacancies/999999":                {404, nil, nil},
		"/vacancies/x":                     {404, nil, nil},
		"/labour":                          {200, []string{"Capability 3 of 11", "SDG 10.7.1", `href="/vacancies"`, "/api/v1/labour/costs?group=corridor&amp;format=csv"}, nil},
		"/vacancies/" + pubID + "?lang=fr": {200, []string{"Vos droits", "Aucun frais de recrutement", "Partenariat de compétences"}, nil},
	}
	for path, want := range pages {
		w := h.client(t).get(path) // a new visitor each time: no language cookie carried over
		body := w.Body.String()
		if w.Code != want.status {
			t.Errorf("%s: status %d, want %d", path, w.Code, want.status)
		}
		for _, s := range want.want {
			if !strings.Contains(body, s) {
				t.Errorf("%s lacks %q", path, s)
			}
		}
		for _, s := range append(want.reject, "Amina", "Otieno", "amina@example.org", "1994-03-02") {
			if strings.Contains(body, s) {
				t.Errorf("%s shows %q", path, s)
			}
		}
	}
	// The employer who owns the draft does not see it on the public page
	// either: it is not a published vacancy.
	if w := emp.get("/vacancies/" + draftID); w.Code != http.StatusNotFound {
		t.Errorf("the draft's public page for its employer: %d", w.Code)
	}
	// The signed-in pages send a signed-out visitor to sign in.
	for _, p := range []string{"/labour/vacancies/new", "/labour/drives", "/labour/workers", "/labour/vacancies/" + pubID + "/candidates"} {
		if w := h.client(t).get(p); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
			t.Errorf("%s signed out: %d %q", p, w.Code, w.Header().Get("Location"))
		}
	}
}

// TestLabourPipelineRefusalsShown: the store's refusals of a move are
// shown on the board, next to the card, in the user's language.
func TestLabourPipelineRefusalsShown(t *testing.T) {
	h := newLabourHarness(t)
	emp := h.caseClient(t, "employer")
	wantCode(t, emp.post("/labour/vacancies", welderVacancyForm("Cruise ship welder")), http.StatusSeeOther)
	agent := h.caseClient(t, "agent")
	wantCode(t, agent.post("/labour/workers", kenyanWelderForm("Amina", "Otieno")), http.StatusSeeOther)
	ctx := context.Background()
	vs, _, _ := h.db.Labour().Vacancies(ctx, h.principal(t, "employer"), store.VacancyFilter{})
	ws, _, _ := h.db.Labour().Workers(ctx, h.principal(t, "agent"), store.WorkerFilter{})
	if len(vs) != 1 || len(ws) != 1 {
		t.Fatalf("%d vacancies, %d workers", len(vs), len(ws))
	}
	// Candidates: the worker by reference, with the matched skills.
	w := emp.get("/labour/vacancies/" + idString(vs[0].ID) + "/candidates")
	wantCode(t, w, http.StatusOK)
	if b := w.Body.String(); !strings.Contains(b, ws[0].Reference()) || !strings.Contains(b, "arc welding, read blueprints, metal cutting") || strings.Contains(b, "Amina") {
		t.Fatalf("candidates page:\n%s", b)
	}
	// Before shortlisting, the employer sees the profile without identity.
	profile := "/labour/workers/" + idString(ws[0].ID)
	if b := emp.get(profile).Body.String(); strings.Contains(b, "Amina") || !strings.Contains(b, ws[0].Reference()) || strings.Contains(b, `id="worker-costs"`) {
		t.Errorf("the employer's view of an unshortlisted worker:\n%s", b)
	}
	w = emp.post("/labour/drives", url.Values{"name": {"Spring drive"}, "vacancy": {idString(vs[0].ID)}, "worker": {idString(ws[0].ID)}})
	wantCode(t, w, http.StatusSeeOther)
	drive := strings.SplitN(w.Header().Get("Location"), "?", 2)[0]
	if b := emp.get(profile).Body.String(); !strings.Contains(b, "Amina Otieno") || strings.Contains(b, `id="worker-costs"`) {
		t.Errorf("the shortlisting employer's view of the worker:\n%s", b)
	}
	board := emp.get(drive).Body.String()
	// Shortlisted with consent to share: the employer now sees the name.
	if !strings.Contains(board, "Amina Otieno") {
		t.Errorf("the shortlisting employer does not see the name:\n%s", board)
	}
	app := regexp.MustCompile(`/labour/applications/(\d+)/stage`).FindStringSubmatch(board)
	if app == nil {
		t.Fatal("no move form on the board")
	}
	version := 1
	move := func(stage string) *http.Response {
		t.Helper()
		w := emp.post("/labour/applications/"+app[1]+"/stage", url.Values{"stage": {stage}, "version": {itoa(version)}, "date": {today()}})
		if w.Code == http.StatusSeeOther {
			version++
		}
		return w.Result()
	}
	for _, s := range []string{"offered", "accepted", "visa", "pre-departure"} {
		if r := move(s); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("move to %s: %d", s, r.StatusCode)
		}
	}
	w = emp.post("/labour/applications/"+app[1]+"/stage", url.Values{"stage": {"travel"}, "version": {itoa(version)}, "date": {today()}})
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "Travel needs the pre-departure orientation complete") ||
		!strings.Contains(w.Body.String(), `<p class="field-error" role="alert">Travel needs`) {
		t.Errorf("travel without orientation: %d\n%s", w.Code, w.Body)
	}
	w = emp.post("/labour/applications/"+app[1]+"/stage?lang=fr", url.Values{"stage": {"arrived"}, "version": {itoa(version)}, "date": {"2026-11-01"}})
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "Les étapes se suivent dans l’ordre") {
		t.Errorf("a stage out of order: %d\n%s", w.Code, w.Body)
	}
}

func itoa(n int) string { return idString(int64(n)) }

// TestLabourPagesAccessible holds every labour page, in every language,
// to the Content Security Policy and the accessibility checks (landmarks,
// a label for every control, captions, scopes, unique ids), with no
// message missing from the catalogue.
func TestLabourPagesAccessible(t *testing.T) {
	h := newLabourHarness(t)
	emp := h.caseClient(t, "employer")
	wantCode(t, emp.post("/labour/vacancies", welderVacancyForm("Cruise ship welder")), http.StatusSeeOther)
	agent := h.caseClient(t, "agent")
	wantCode(t, agent.post("/labour/workers", kenyanWelderForm("Amina", "Otieno")), http.StatusSeeOther)
	ctx := context.Background()
	ws, _, _ := h.db.Labour().Workers(ctx, h.principal(t, "agent"), store.WorkerFilter{})
	w := emp.post("/labour/drives", url.Values{"name": {"Spring drive"}, "vacancy": {"1"}, "worker": {idString(ws[0].ID)}})
	wantCode(t, w, http.StatusSeeOther)
	drive := strings.SplitN(w.Header().Get("Location"), "?", 2)[0]
	wantCode(t, emp.post(drive+"/assignment", url.Values{}), http.StatusSeeOther)
	worker := "/labour/workers/" + idString(ws[0].ID)
	wantCode(t, agent.post(worker+"/costs", url.Values{"kind": {"recruitment-fee"}, "amount": {"300"}, "currency": {"EUR"},
		"rateToWage": {"1"}, "paidTo": {"employer"}, "date": {"2026-10-01"}}), http.StatusSeeOther)
	// The first wage (shown with its source), a recruiter in the register
	// (flagged), a worker's own account with a profile and one without.
	wantCode(t, agent.post(worker+"/wage", url.Values{"destination": {"FRA"}, "isco": {"7212"}, "monthlyWage": {"2400"}, "currency": {"EUR"}}),
		http.StatusSeeOther)
	rec, err := h.db.Labour().CreateRecruiter(ctx, h.principal(t, "root"), labour.Recruiter{Name: "Nairobi Manpower", Country: "KEN",
		Licence: "RA/1", Certification: "iris-certified", CertifiedUntil: "2030-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, agent.post(worker+"/costs", url.Values{"kind": {"service-charge"}, "amount": {"20"}, "currency": {"EUR"},
		"paidTo": {"recruiter"}, "recruiterId": {idString(rec.ID)}, "date": {"2026-10-02"}}), http.StatusSeeOther)
	root := h.caseClient(t, "root")
	addWorkerAccount(t, h, "wanjiru")
	addWorkerAccount(t, h, "njeri")
	own, fresh := h.caseClient(t, "wanjiru"), h.caseClient(t, "njeri")
	self := kenyanWelderForm("Wanjiru", "Kamau")
	wantCode(t, own.post("/labour/me", self), http.StatusSeeOther)
	pages := []struct {
		c    *caseClient
		path string
	}{
		{nil, "/vacancies"}, {nil, "/vacancies?occ=welder"}, {nil, "/vacancies/1"}, {nil, "/labour"},
		{emp, "/labour/vacancies/new"}, {emp, "/labour/vacancies"}, {emp, "/labour/vacancies/1/candidates"},
		{emp, "/labour/drives"}, {emp, drive}, {agent, "/labour/workers/new"}, {agent, "/labour/workers"}, {agent, worker},
		{nil, "/labour/recruiters"}, {agent, "/labour/recruiters"}, {root, "/labour/recruiters"},
		{own, "/labour/me"}, {fresh, "/labour/me"}, {nil, "/vacancies?q=welder"}, {emp, "/labour/vacancies/1/candidates?offset=20"},
	}
	for _, lang := range []string{"en", "fr", "es"} {
		for _, p := range pages {
			var w *httptest.ResponseRecorder
			target := p.path + "?lang=" + lang
			if strings.Contains(p.path, "?") {
				target = p.path + "&lang=" + lang
			}
			if p.c == nil {
				w = h.client(t).get(target)
			} else {
				w = p.c.get(target)
			}
			if w.Code != http.StatusOK {
				t.Errorf("%s (%s): status %d", p.path, lang, w.Code)
				continue
			}
			doc := parseHTML(t, w.Body)
			for _, problem := range append(cspViolations(doc), a11yProblems(doc)...) {
				t.Errorf("%s (%s): %s", p.path, lang, problem)
			}
		}
	}
	// The worker's page shows the cost and flags the fee.
	if b := agent.get(worker + "?lang=en").Body.String(); !strings.Contains(b, "Recruitment fee") || !strings.Contains(b, "300 EUR") {
		t.Errorf("the worker's costs:\n%s", b)
	}
	if strings.Contains(h.logs.String(), "missing translation") {
		t.Errorf("a page asked for a message the catalogue lacks:\n%s", h.logs)
	}
}
