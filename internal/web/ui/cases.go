package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/people"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// Counter-trafficking and return case work (issue 5): the list of the
// cases in one's scope, the intake form with its reviewed duplicate
// check, a case's page with its work forms, the overdue tasks and the
// caseload dashboard. The rules are the case store's, as for the JSON API
// (internal/web/api/cases.go): the store checks the record scope of each
// case (and the access an accepted referral gives) and writes the audit
// entries of every read and change inside its own transactions, so a
// handler passes the client's address (casesCtx) and, once the store has
// answered, tells the policy layer not to write a second entry
// (web.SkipAudit). Every page is a plain form: no script is needed.

func (u *UI) caseRoutes() []web.Route {
	route := func(method, pattern, action, summary string, h pageFunc) web.Route {
		return web.Route{Method: method, Pattern: pattern, Resource: "cases", Action: action, Summary: summary, Handler: u.handle("cases", h)}
	}
	return append([]web.Route{
		route(http.MethodGet, "/cases", web.ActionRead, "Cases in one's scope (filtered list, keyset pages) and referrals to one's organisation", u.casesList),
		route(http.MethodGet, "/cases/new", web.ActionCreate, "Case intake form", u.newCaseForm),
		route(http.MethodPost, "/cases", web.ActionCreate, "Open a case for a new person (form; possible duplicates are shown for review first)", u.createCase),
		route(http.MethodGet, "/cases/tasks", web.ActionRead, "Overdue tasks of the cases in one's scope", u.overdueCaseTasks),
		route(http.MethodGet, "/cases/dashboard", web.ActionRead, "Caseload dashboard (roles with team scope or wider)", u.caseDashboard),
		route(http.MethodGet, "/cases/{id}", web.ActionRead, "One case: summary, status, comments, tasks, services, consents, referrals and forms", u.casePage),
		route(http.MethodPost, "/cases/{id}", web.ActionUpdate, "Edit a case (form; optimistic concurrency on version)", u.updateCase),
		route(http.MethodPost, "/cases/{id}/status", web.ActionUpdate, "Change a case's status or a return case's stage (form)", u.caseStatus),
		route(http.MethodPost, "/cases/{id}/comments", web.ActionUpdate, "Add a case comment (form)", u.caseComment),
		route(http.MethodPost, "/cases/{id}/tasks", web.ActionUpdate, "Add a task with a due date (form)", u.caseTask),
		route(http.MethodPost, "/cases/{id}/services", web.ActionUpdate, "Record a service given (form)", u.caseService),
		route(http.MethodPost, "/cases/{id}/consents", web.ActionUpdate, "Record consent given or withdrawn (form)", u.caseConsent),
		route(http.MethodPost, "/cases/{id}/referrals", web.ActionRefer, "Refer a case to another organisation (form; needs consent to referral)", u.caseReferral),
		route(http.MethodPost, "/cases/{id}/referrals/{rid}", web.ActionRefer, "Accept, decline or revoke a referral (form)", u.caseReferralDecision),
	}, u.caseWorkRoutes()...)
}

func caseURL(id int64) string { return "/cases/" + strconv.FormatInt(id, 10) }

// casesCtx is the request's context for the case store: its audit
// entries carry the client's address.
func casesCtx(r *http.Request) context.Context {
	return store.WithAuditClient(r.Context(), web.ClientAddr(r), "")
}

func today() string { return time.Now().UTC().Format("2006-01-02") }

// ---- form fields

// caseField is a form field: its name in the form, the id of its control
// and the message id of its label.
type caseField struct{ name, id, label string }

// caseFormFields map the domain's field names (cases.FieldError.Field and
// the person's fields) to the forms' fields.
var caseFormFields = map[string]caseField{
	"givenName":                          {"given_name", "case-given-name", "cases.field.givenName"},
	"familyName":                         {"family_name", "case-family-name", "cases.field.familyName"},
	"birthDate":                          {"birth_date", "case-birth-date", "cases.field.birthDate"},
	"sex":                                {"sex", "case-sex", "cases.field.sex"},
	"nationality":                        {"nationality", "case-nationality", "cases.field.nationality"},
	"documentType":                       {"document_type", "case-document-type", "cases.field.documentType"},
	"documentNumber":                     {"document_number", "case-document-number", "cases.field.documentNumber"},
	"kind":                               {"kind", "case-kind", "cases.field.kind"},
	"openedOn":                           {"opened_on", "case-opened-on", "cases.field.openedOn"},
	"draft":                              {"draft", "case-draft", "cases.field.draft"},
	"version":                            {"version", "case-opened-on", "cases.field.version"},
	"trafficking":                        {"trafficking_status", "case-trafficking-status", "cases.field.traffickingStatus"},
	"trafficking.vic_TraffickingStatus":  {"trafficking_status", "case-trafficking-status", "cases.field.traffickingStatus"},
	"trafficking.vic_TypeOfExploitation": {"exploitation", "case-exploitation", "cases.field.exploitation"},
	"trafficking.corridor_CountryOfExploitation": {"country_exploitation", "case-country-exploitation", "cases.field.countryExploitation"},
	"return":                        {"return_type", "case-return-type", "cases.field.returnType"},
	"return.returnType":             {"return_type", "case-return-type", "cases.field.returnType"},
	"return.hostCountry":            {"host_country", "case-host-country", "cases.field.hostCountry"},
	"return.originCountry":          {"origin_country", "case-origin-country", "cases.field.originCountry"},
	"return.applicationDate":        {"application_date", "case-application-date", "cases.field.applicationDate"},
	"return.travelDate":             {"travel_date", "case-travel-date", "cases.field.travelDate"},
	"return.arrivalDate":            {"arrival_date", "case-arrival-date", "cases.field.arrivalDate"},
	"travelDate":                    {"travel_date", "case-travel-date", "cases.field.travelDate"},
	"arrivalDate":                   {"arrival_date", "case-arrival-date", "cases.field.arrivalDate"},
	"cas_Status":                    {"status", "status-reason", "cases.field.status"},
	"cas_ReasonForCaseClosure":      {"reason", "status-reason", "cases.field.closureReason"},
	"closedOn":                      {"reason", "status-reason", "cases.field.closureReason"},
	"stage":                         {"stage", "status-stage", "cases.field.stage"},
	"cco_CaseComment":               {"comment", "comment-body", "cases.field.comment"},
	"title":                         {"task_title", "task-title", "cases.field.taskTitle"},
	"due":                           {"task_due", "task-due", "cases.field.taskDue"},
	"type":                          {"service_type", "service-type", "cases.field.serviceType"},
	"date":                          {"service_date", "service-date", "cases.field.date"},
	"note":                          {"service_note", "service-note", "cases.field.note"},
	"toOrgId":                       {"to_org", "referral-org", "cases.field.referralOrg"},
	"cas_ReferredOrganisation":      {"to_org", "referral-org", "cases.field.referralOrg"},
	"cas_ReasonForOutgoingReferral": {"referral_reason", "referral-reason", "cases.field.referralReason"},
	"cas_OutgoingReferralDetails":   {"referral_details", "referral-details", "cases.field.referralDetails"},
	"consent":                       {"to_org", "referral-org", "cases.field.referralOrg"},
	"consent.type":                  {"consent_type", "consent-type", "cases.field.consentType"},
	"consent.date":                  {"consent_date", "consent-date", "cases.field.date"},
	"consent.note":                  {"consent_note", "consent-note", "cases.field.note"},
	"consent.given":                 {"consent_given", "consent-given", "cases.field.consentGiven"},
}

// caseProblem records a domain problem on its form field, translated when
// the catalogue has the reason; fallback takes the problems of fields
// the form does not show.
func caseProblem(v *view, f *form, field, code string, args map[string]any, msg string, fallback string) {
	cf, ok := caseFormFields[field]
	if !ok {
		cf, ok = caseFormFields[fallback]
		if !ok {
			return
		}
		msg = field + ": " + msg
	}
	reason := msg
	if id := "cases.reason." + code; code != "" && v.u.catalog.Has(id) {
		reason = v.translate(id, args)
	}
	f.addText(v, cf.name, cf.id, cf.label, reason)
}

// caseStoreError records an Invalid or Conflict error of the store (or of
// a person's validation) on its field, prefix naming the record a field
// belongs to ("consent."), fallback the field of the form that takes the
// others. It reports whether it could.
func caseStoreError(v *view, f *form, err error, prefix, fallback string) bool {
	var fe *cases.FieldError
	if errors.As(err, &fe) {
		name := fe.Field
		if _, ok := caseFormFields[prefix+name]; ok {
			name = prefix + name
		}
		caseProblem(v, f, name, fe.Code, fe.Args, fe.Msg, fallback)
		return true
	}
	if !errors.Is(err, derrors.Invalid) && !errors.Is(err, derrors.Conflict) {
		return false
	}
	name, reason, found := strings.Cut(derrors.Message(err), ": ")
	if !found {
		name, reason = fallback, derrors.Message(err)
	}
	if _, ok := caseFormFields[prefix+name]; ok {
		name = prefix + name
	}
	caseProblem(v, f, name, "", nil, reason, fallback)
	return true
}

// formValues are the values of the page's forms: the defaults, or what
// was typed in a refused form.
type formValues url.Values

// Get returns a field's value.
func (fv formValues) Get(name string) string { return url.Values(fv).Get(name) }

// Has reports whether a multiple-choice field holds a value.
func (fv formValues) Has(name, value string) bool { return slices.Contains(fv[name], value) }

// option is an entry of a select or a group of checkboxes.
type caseOption struct {
	Value, Label string
	Selected     bool
}

func caseOptions(values []string, label func(string) string, selected func(string) bool) []caseOption {
	out := make([]caseOption, len(values))
	for i, s := range values {
		out[i] = caseOption{Value: s, Label: label(s), Selected: selected(s)}
	}
	return out
}

func (v *view) caseStatusLabel(s string) string { return v.label("cases.status", s, s) }
func (v *view) caseKindLabel(s string) string   { return v.label("cases.kind", s, s) }
func (v *view) caseStageLabel(s string) string  { return v.label("cases.stage", s, s) }

// ---- list

type caseRow struct {
	URL, ID, Kind, Status, StatusLabel, Nationality, AgeBand, OpenedOn string
	Draft                                                              bool
}

type incomingReferral struct {
	cases.Referral
	CaseURL, Action, FromOrg, ReasonLabel string
}

type casesListPage struct {
	Rows                                         []caseRow
	Total                                        int
	TotalCapped                                  bool // Total is a lower bound: "more than Total"
	Next                                         string
	Statuses, Kinds                              []caseOption
	Nationality                                  string
	CanCreate, CanExport, CanDashboard, Filtered bool
	ExportCSV, ExportXLSX                        string
	Incoming                                     []incomingReferral
	CSRF, Saved                                  string
}

func (u *UI) casesList(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx, me, q := casesCtx(r), web.PrincipalFrom(r.Context()), r.URL.Query()
	f := cases.Filter{Kind: q.Get("kind"), Nationality: strings.ToUpper(strings.TrimSpace(q.Get("nationality"))), Limit: 50, IncludeDrafts: true}
	if s := q.Get("status"); s != "" {
		st, err := cases.ParseStatus(s)
		if err != nil {
			return err
		}
		f.Status = st
	}
	if s := q.Get("after"); s != "" {
		a, err := strconv.ParseInt(s, 10, 64)
		if err != nil || a <= 0 {
			return derrors.Kindf(derrors.Invalid, "after: must be a positive whole number")
		}
		f.After = a
	}
	pg, err := u.db.Cases().List(ctx, me, f)
	if err != nil {
		return err
	}
	page := casesListPage{Total: pg.Total, TotalCapped: pg.TotalCapped, Nationality: f.Nationality, CSRF: v.CSRF,
		CanCreate: me.Can("cases", auth.Create), CanExport: me.Can("cases", auth.Export),
		CanDashboard: me.Scope("cases", auth.Read) >= auth.ScopeTeam,
		Filtered:     f.Kind != "" || f.Status != "" || f.Nationality != ""}
	page.Statuses = caseOptions(cases.CaseStatuses, v.caseStatusLabel, func(s string) bool { return s == f.Status })
	page.Kinds = caseOptions(cases.Kinds, v.caseKindLabel, func(s string) bool { return s == f.Kind })
	for _, s := range pg.Items {
		page.Rows = append(page.Rows, caseRow{URL: caseURL(s.CaseID), ID: strconv.FormatInt(s.CaseID, 10), Kind: v.caseKindLabel(s.Kind),
			Status: s.Status, StatusLabel: v.caseStatusLabel(s.Status), Nationality: s.Nationality, AgeBand: s.AgeBand(), OpenedOn: s.OpenedOn})
	}
	filter := url.Values{}
	for k, val := range map[string]string{"kind": f.Kind, "status": f.Status, "nationality": f.Nationality} {
		if val != "" {
			filter.Set(k, val)
		}
	}
	if pg.Next != 0 {
		next := cloneQuery(filter)
		next.Set("after", strconv.FormatInt(pg.Next, 10))
		page.Next = "/cases?" + next.Encode()
	}
	exp := cloneQuery(filter)
	exp.Set("format", "csv")
	page.ExportCSV = "/api/v1/cases/export?" + exp.Encode()
	exp.Set("format", "xlsx")
	page.ExportXLSX = "/api/v1/cases/export?" + exp.Encode()
	if me.Can("cases", auth.Refer) {
		refs, err := u.db.Cases().IncomingReferrals(ctx, me, cases.ReferralRequested, 50)
		if err != nil {
			return err
		}
		for _, ref := range refs {
			page.Incoming = append(page.Incoming, incomingReferral{Referral: ref, CaseURL: caseURL(ref.CaseID),
				Action:  caseURL(ref.CaseID) + "/referrals/" + strconv.FormatInt(ref.ID, 10),
				FromOrg: u.orgName(r.Context(), ref.FromOrgID), ReasonLabel: v.label("cases.referralReason", ref.Reason, ref.Reason)})
		}
	}
	if s := q.Get("saved"); s == "declined" {
		page.Saved = s
	}
	web.SkipAudit(r)
	v.Title, v.Data = v.T("cases.title"), page
	return u.render(w, http.StatusOK, "cases", v)
}

func (u *UI) orgName(ctx context.Context, id int64) string {
	if o, err := u.db.Accounts().Org(ctx, id); err == nil {
		return o.Name
	}
	return "#" + strconv.FormatInt(id, 10)
}

// ---- overdue tasks and dashboard

type taskRow struct {
	CaseURL, CaseID, Title, Due, Assignee string
}

func (u *UI) overdueCaseTasks(w http.ResponseWriter, r *http.Request, v *view) error {
	ts, err := u.db.Cases().OverdueTasks(casesCtx(r), web.PrincipalFrom(r.Context()), time.Now().UTC())
	if err != nil {
		return err
	}
	web.SkipAudit(r)
	rows := make([]taskRow, 0, len(ts))
	for _, t := range ts {
		rows = append(rows, taskRow{CaseURL: caseURL(t.CaseID), CaseID: strconv.FormatInt(t.CaseID, 10), Title: t.Title, Due: t.Due,
			Assignee: u.userName(r.Context(), t.AssigneeID)})
	}
	v.Title, v.Data = v.T("cases.tasks.title"), rows
	return u.render(w, http.StatusOK, "case_tasks", v)
}

func (u *UI) userName(ctx context.Context, id int64) string {
	if us, err := u.db.Accounts().User(ctx, id); err == nil {
		return us.FullName
	}
	return "#" + strconv.FormatInt(id, 10)
}

type countRow struct {
	Label string
	N     int
}

type dashboardSection struct {
	ID   string // status, kind, exploitation, age, nationality
	Rows []countRow
}

type dashboardPage struct {
	Total    int
	Sections []dashboardSection
}

func (u *UI) caseDashboard(w http.ResponseWriter, r *http.Request, v *view) error {
	cl, err := u.db.Cases().Caseload(casesCtx(r), web.PrincipalFrom(r.Context()), cases.Filter{})
	if err != nil {
		return err
	}
	web.SkipAudit(r)
	rows := func(cs []cases.Count, label func(string) string) []countRow {
		out := make([]countRow, len(cs))
		for i, c := range cs {
			out[i] = countRow{Label: label(c.Key), N: c.N}
		}
		return out
	}
	unknown := func(s string) string {
		if s == cases.Unknown {
			return v.T("cases.unknown")
		}
		return s
	}
	d := dashboardPage{Total: cl.Total, Sections: []dashboardSection{
		{"status", rows(cl.ByStatus, v.caseStatusLabel)}, {"kind", rows(cl.ByKind, v.caseKindLabel)},
		{"exploitation", rows(cl.ByExploitation, func(s string) string { return unknown(v.label("cases.exploitation", s, s)) })},
		{"age", rows(cl.ByAgeBand, unknown)}, {"nationality", rows(cl.ByNationality, unknown)}}}
	v.Title, v.Data = v.T("cases.dashboard.title"), d
	return u.render(w, http.StatusOK, "case_dashboard", v)
}

// ---- intake

type possibleDuplicate struct {
	PersonID    int64
	Score       string
	Explanation string
	Cases       []caseRow
}

type newCasePage struct {
	Form                                                          *form
	In                                                            formValues
	Sexes, DocumentTypes, Kinds, TraffickingStatuses, ReturnTypes []caseOption
	Exploitation                                                  []caseOption
	Duplicates                                                    []possibleDuplicate
	DuplicateCheck                                                bool // the duplicates were looked for and are shown
}

func (u *UI) renderNewCase(w http.ResponseWriter, v *view, status int, page newCasePage) error {
	in := page.In
	is := func(name string) func(string) bool { return func(s string) bool { return in.Get(name) == s } }
	page.Sexes = caseOptions(people.Sexes, func(s string) string { return v.label("cases.sex", s, s) }, is("sex"))
	page.DocumentTypes = caseOptions(people.DocumentTypes, func(s string) string { return v.label("cases.documentType", s, s) }, is("document_type"))
	page.Kinds = caseOptions(cases.Kinds, v.caseKindLabel, is("kind"))
	page.TraffickingStatuses = caseOptions(cases.TraffickingStatuses, func(s string) string { return v.label("cases.traffickingStatus", s, s) }, is("trafficking_status"))
	page.ReturnTypes = caseOptions(cases.ReturnTypes, func(s string) string { return v.label("cases.returnType", s, s) }, is("return_type"))
	page.Exploitation = caseOptions(cases.ExploitationTypes, func(s string) string { return v.label("cases.exploitation", s, s) },
		func(s string) bool { return in.Has("exploitation", s) })
	if page.Form == nil {
		page.Form = &form{}
	}
	v.Title, v.Data = v.T("cases.new.title"), page
	v.Languages = u.languageLinksTo("/cases/new", nil, v.Lang)
	return u.render(w, status, "case_new", v)
}

func (u *UI) newCaseForm(w http.ResponseWriter, r *http.Request, v *view) error {
	in := formValues{"kind": {cases.KindTrafficking}, "opened_on": {today()}, "application_date": {today()},
		"sex": {"unknown"}, "document_type": {"none"}}
	return u.renderNewCase(w, v, http.StatusOK, newCasePage{In: in})
}

// intakeCase reads the person and the case of the intake form.
func intakeCase(in url.Values, me *auth.Principal) (people.Person, cases.Case) {
	trim := func(name string) string { return strings.TrimSpace(in.Get(name)) }
	pr := people.Person{GivenName: trim("given_name"), FamilyName: trim("family_name"), BirthDate: trim("birth_date"),
		Sex: in.Get("sex"), Nationality: strings.ToUpper(trim("nationality")), DocumentType: in.Get("document_type"),
		DocumentNumber: trim("document_number"), OrgID: me.OrgID, OwnerID: me.UserID}
	c := cases.Case{Kind: in.Get("kind"), OrgID: me.OrgID, OwnerID: me.UserID, OpenedOn: trim("opened_on"), Draft: in.Get("draft") == "1"}
	if len(me.TeamIDs) == 1 {
		// A case belongs to its creator's team when they have one, so
		// that the team's supervisors see it.
		c.TeamID, pr.TeamID = me.TeamIDs[0], me.TeamIDs[0]
	}
	switch c.Kind {
	case cases.KindTrafficking:
		c.Trafficking = &cases.Trafficking{TraffickingStatus: in.Get("trafficking_status"), TypeOfExploitation: in["exploitation"],
			CountryOfExploitation: strings.ToUpper(trim("country_exploitation"))}
	case cases.KindReturn:
		c.Return = &cases.Return{Stage: cases.StageApplication, ReturnType: in.Get("return_type"), HostCountry: strings.ToUpper(trim("host_country")),
			OriginCountry: strings.ToUpper(trim("origin_country")), ApplicationDate: trim("application_date")}
	}
	return pr, c
}

func (u *UI) createCase(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx, in, f := casesCtx(r), r.PostForm, &form{}
	me := web.PrincipalFrom(r.Context())
	pr, c := intakeCase(in, me)
	for _, err := range pr.Problems() { // all at once: one round trip on a slow connection
		caseStoreError(v, f, err, "", "familyName")
	}
	// The case as the store will check it: the person is the one about
	// to be registered.
	check := c
	check.PersonID, check.Status = 1, cases.StatusActive
	if c.Return != nil {
		check.Status = cases.StatusOfStage(c.Return.Stage)
	}
	for _, p := range check.Check() {
		caseProblem(v, f, p.Field, p.Code, p.Args, p.Msg, "kind")
	}
	page := newCasePage{Form: f, In: formValues(in)}
	cs := u.db.Cases()
	if f.OK() && in.Get("confirm") != "1" {
		// The reviewed step: possible duplicates are shown with their
		// explanations; the worker opens the existing case or confirms.
		probe, err := cs.ProbeOf(pr)
		if err != nil {
			return err
		}
		matches, err := cs.Duplicates(ctx, me, probe)
		if err != nil && !caseStoreError(v, f, err, "", "familyName") {
			return err
		}
		for _, m := range matches {
			d := possibleDuplicate{PersonID: m.PersonID, Score: v.num(m.Score*100, 0) + " %", Explanation: m.Explanation()}
			pg, err := cs.List(ctx, me, cases.Filter{PersonID: m.PersonID, Limit: 20, IncludeDrafts: true})
			if err != nil {
				return err
			}
			for _, s := range pg.Items {
				d.Cases = append(d.Cases, caseRow{URL: caseURL(s.CaseID), ID: strconv.FormatInt(s.CaseID, 10), Kind: v.caseKindLabel(s.Kind),
					StatusLabel: v.caseStatusLabel(s.Status), OpenedOn: s.OpenedOn})
			}
			page.Duplicates = append(page.Duplicates, d)
		}
		if len(page.Duplicates) > 0 {
			web.SkipAudit(r)
			page.DuplicateCheck = true
			return u.renderNewCase(w, v, http.StatusOK, page)
		}
	}
	if f.OK() {
		_, created, err := cs.CreateWithPerson(ctx, me, pr, c)
		switch {
		case err == nil:
			web.SkipAudit(r)
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, caseURL(created.ID)+"?saved=created", http.StatusSeeOther)
			return nil
		case !caseStoreError(v, f, err, "", "kind"):
			return err
		}
	}
	return u.renderNewCase(w, v, http.StatusBadRequest, page)
}
