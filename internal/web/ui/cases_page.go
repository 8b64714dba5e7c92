package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/web"
)

// One case's page and its forms. Each form posts to its own route; a
// refused form shows the page again with the problems next to the fields
// and what was typed kept; an accepted one goes back to the page with a
// notice (post/redirect/get).

type transitionView struct {
	Status, Label string
	Reason        bool // closing: the form asks for a reason
	Required      bool
}

type referralView struct {
	cases.Referral
	FromOrg, ToOrg, StatusLabel, ReasonLabel, Action string
	CanDecide, CanRevoke                             bool
}

type casePageData struct {
	Case                                      cases.Case
	URL, KindLabel, StatusLabel, StageLabel   string
	PersonName, BirthDate, Sex, Nationality   string
	Owner, Org, Team                          string
	TraffickingStatus, CountryExploitation    string
	Exploitation                              []string
	Closed                                    bool
	CanUpdate, CanEdit, CanRefer, ViaReferral bool
	Transitions                               []transitionView
	Stages                                    []caseOption
	Comments                                  []commentView
	Tasks                                     []cases.Task
	Services                                  []serviceView
	Consents                                  []consentView
	Referrals                                 []referralView
	Form                                      *form
	Active, Saved                             string
	In                                        formValues
	ExploitationOptions, TraffickingStatuses  []caseOption
	ReturnTypes                               []caseOption
	ServiceTypes, ConsentTypes, Orgs, Reasons []caseOption
	Today                                     string
	Stale                                     bool
	IsReturn, Arrived, CanAssign              bool
	Monitoring                                []monitoringView
	AssignGroups                              []assignGroup
	Dimensions                                []string
}

type commentView struct{ Author, When, Body string }
type serviceView struct{ Type, Date, Provider, Note string }
type consentView struct {
	Type, Date, Note string
	Given            bool
}

// caseID reads the {id} path parameter; a bad one is a case not found.
func caseID(r *http.Request) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, derrors.Kindf(derrors.NotFound, "no case %q", raw)
	}
	return id, nil
}

// casePageData loads a case with its records as the principal may see
// them (the store checks the scope and writes the audit entries).
func (u *UI) loadCasePage(r *http.Request, v *view, id int64) (casePageData, error) {
	ctx, bg, me := casesCtx(r), r.Context(), web.PrincipalFrom(r.Context())
	cs := u.db.Cases()
	c, err := cs.Get(ctx, me, id)
	if err != nil {
		return casePageData{}, err
	}
	d := casePageData{Case: c, URL: caseURL(c.ID), KindLabel: v.caseKindLabel(c.Kind), StatusLabel: v.caseStatusLabel(c.Status),
		Closed: c.Closed(), Form: &form{}, Today: today(), Org: u.orgName(bg, c.OrgID), Owner: u.userName(bg, c.OwnerID),
		CanUpdate: me.Can("cases", auth.Update), CanEdit: me.Allows("cases", auth.Update, c.Record()), CanRefer: me.Can("cases", auth.Refer) && c.OrgID == me.OrgID,
		ViaReferral: !me.Allows("cases", auth.Read, c.Record())}
	if pr, err := u.db.People().Get(bg, c.PersonID); err == nil {
		d.PersonName, d.BirthDate, d.Nationality = pr.FullName(), pr.BirthDate, pr.Nationality
		d.Sex = v.label("cases.sex", pr.Sex, pr.Sex)
	}
	if t := c.Trafficking; t != nil {
		d.TraffickingStatus = v.label("cases.traffickingStatus", t.TraffickingStatus, t.TraffickingStatus)
		d.CountryExploitation = t.CountryOfExploitation
		for _, e := range t.TypeOfExploitation {
			d.Exploitation = append(d.Exploitation, v.label("cases.exploitation", e, e))
		}
	}
	if c.Kind == cases.KindReturn && c.Return != nil {
		d.StageLabel = v.caseStageLabel(c.Return.Stage)
		d.Stages = caseOptions(cases.AllowedStages(c.Return.Stage), v.caseStageLabel, func(string) bool { return false })
	} else {
		for _, s := range cases.AllowedStatuses(c.Status) {
			d.Transitions = append(d.Transitions, transitionView{Status: s, Label: v.caseStatusLabel(s),
				Reason: cases.IsClosedStatus(s), Required: s == cases.StatusClosed})
		}
	}
	comments, err := cs.Comments(ctx, me, id)
	if err != nil {
		return d, err
	}
	for _, cm := range comments {
		d.Comments = append(d.Comments, commentView{Author: u.userName(bg, cm.AuthorID), When: cm.CreatedAt.UTC().Format("2006-01-02 15:04"), Body: cm.Body})
	}
	if d.Tasks, err = cs.Tasks(ctx, me, id); err != nil {
		return d, err
	}
	services, err := cs.Services(ctx, me, id)
	if err != nil {
		return d, err
	}
	for _, s := range services {
		d.Services = append(d.Services, serviceView{Type: v.label("cases.service", s.Type, s.Type), Date: s.Date,
			Provider: u.orgName(bg, s.ProviderOrgID), Note: s.Note})
	}
	consents, err := cs.Consents(ctx, me, id)
	if err != nil {
		return d, err
	}
	for _, cn := range consents {
		d.Consents = append(d.Consents, consentView{Type: v.label("cases.consent", cn.Type, cn.Type), Date: cn.Date, Note: cn.Note, Given: cn.Given})
	}
	refs, err := cs.Referrals(ctx, me, id)
	if err != nil {
		return d, err
	}
	for _, ref := range refs {
		d.Referrals = append(d.Referrals, referralView{Referral: ref, FromOrg: u.orgName(bg, ref.FromOrgID), ToOrg: u.orgName(bg, ref.ToOrgID),
			StatusLabel: v.label("cases.referralStatus", ref.Status, ref.Status), ReasonLabel: v.label("cases.referralReason", ref.Reason, ref.Reason),
			Action:    caseURL(c.ID) + "/referrals/" + strconv.FormatInt(ref.ID, 10),
			CanDecide: ref.ToOrgID == me.OrgID && ref.Status == cases.ReferralRequested,
			CanRevoke: ref.FromOrgID == me.OrgID && (ref.Status == cases.ReferralRequested || ref.Status == cases.ReferralAccepted)})
	}
	if d.CanRefer {
		orgs, err := u.db.Accounts().Orgs(bg, auth.Filter{All: true})
		if err != nil {
			return d, err
		}
		for _, o := range orgs {
			if o.ID != c.OrgID {
				d.Orgs = append(d.Orgs, caseOption{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
			}
		}
	}
	// The forms' defaults; the edit form starts from the case.
	d.In = formValues{"opened_on": {c.OpenedOn}, "version": {strconv.FormatInt(c.Version, 10)},
		"service_date": {d.Today}, "consent_date": {d.Today}, "consent_given": {"1"}, "task_due": {d.Today}}
	if c.Draft {
		d.In["draft"] = []string{"1"}
	}
	if t := c.Trafficking; t != nil {
		d.In["trafficking_status"] = []string{t.TraffickingStatus}
		d.In["exploitation"] = slices.Clone(t.TypeOfExploitation)
		d.In["country_exploitation"] = []string{t.CountryOfExploitation}
	}
	if rt := c.Return; rt != nil {
		d.In["return_type"], d.In["host_country"], d.In["origin_country"] = []string{rt.ReturnType}, []string{rt.HostCountry}, []string{rt.OriginCountry}
		d.In["application_date"], d.In["travel_date"], d.In["arrival_date"] = []string{rt.ApplicationDate}, []string{rt.TravelDate}, []string{rt.ArrivalDate}
	}
	if err := u.loadCaseWork(bg, v, me, &d); err != nil {
		return d, err
	}
	web.SkipAudit(r)
	return d, nil
}

// finish builds the options of the forms from the values to show.
func (d *casePageData) finish(v *view) {
	in := d.In
	is := func(name string) func(string) bool { return func(s string) bool { return in.Get(name) == s } }
	d.ExploitationOptions = caseOptions(cases.ExploitationTypes, func(s string) string { return v.label("cases.exploitation", s, s) },
		func(s string) bool { return in.Has("exploitation", s) })
	d.TraffickingStatuses = caseOptions(cases.TraffickingStatuses, func(s string) string { return v.label("cases.traffickingStatus", s, s) }, is("trafficking_status"))
	d.ReturnTypes = caseOptions(cases.ReturnTypes, func(s string) string { return v.label("cases.returnType", s, s) }, is("return_type"))
	d.ServiceTypes = caseOptions(cases.ServiceTypes, func(s string) string { return v.label("cases.service", s, s) }, is("service_type"))
	d.ConsentTypes = caseOptions(cases.ConsentTypes, func(s string) string { return v.label("cases.consent", s, s) }, is("consent_type"))
	d.Reasons = caseOptions(cases.ReferralReasons, func(s string) string { return v.label("cases.referralReason", s, s) }, is("referral_reason"))
	for i := range d.Orgs {
		d.Orgs[i].Selected = d.Orgs[i].Value == in.Get("to_org")
	}
	d.finishWork()
}

func (u *UI) renderCase(w http.ResponseWriter, v *view, status int, d casePageData) error {
	d.finish(v)
	v.Title, v.Data = v.T("cases.case.title", "Value", d.Case.ID), d
	v.Languages = u.languageLinksTo(d.URL, nil, v.Lang)
	return u.render(w, status, "case", v)
}

var caseFlashes = []string{"created", "saved", "status", "comment", "task", "service", "consent", "referral", "accepted", "revoked"}

func (u *UI) casePage(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := caseID(r)
	if err != nil {
		return err
	}
	d, err := u.loadCasePage(r, v, id)
	if err != nil {
		return err
	}
	if s := r.URL.Query().Get("saved"); slices.Contains(caseFlashes, s) {
		d.Saved = s
	}
	return u.renderCase(w, v, http.StatusOK, d)
}

// caseForm runs one of the case page's forms: apply does the change and
// records the problems on f; on success the page comes back with the
// notice saved, else the page shows the form (active) again with what was
// typed, with status 409 for a conflict and 400 for other problems.
func (u *UI) caseForm(w http.ResponseWriter, r *http.Request, v *view, active, saved string,
	apply func(ctx context.Context, me *auth.Principal, id int64, in url.Values, f *form) (status int, err error),
	keep func(d *casePageData)) error {
	id, err := caseID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f := &form{}
	status, err := apply(casesCtx(r), web.PrincipalFrom(r.Context()), id, r.PostForm, f)
	if err != nil {
		return err
	}
	if f.OK() {
		web.SkipAudit(r)
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, caseURL(id)+"?"+url.Values{"saved": {saved}}.Encode()+"#"+active, http.StatusSeeOther)
		return nil
	}
	d, err := u.loadCasePage(r, v, id)
	if err != nil {
		return err
	}
	for k, vs := range r.PostForm {
		if k != "csrf_token" && k != "version" {
			d.In[k] = vs
		}
	}
	d.Form, d.Active = f, active
	if keep != nil {
		keep(&d)
	}
	return u.renderCase(w, v, status, d)
}

// storeFail records a refused change on the form and returns its status:
// nil error when it was recorded, the error itself otherwise.
func storeFail(v *view, f *form, err error, prefix, fallback string) (int, error) {
	if !caseStoreError(v, f, err, prefix, fallback) {
		return 0, err
	}
	if errors.Is(err, derrors.Conflict) {
		return http.StatusConflict, nil
	}
	return http.StatusBadRequest, nil
}

func (u *UI) updateCase(w http.ResponseWriter, r *http.Request, v *view) error {
	var current int64 // the stored version after a stale edit
	err := u.caseForm(w, r, v, "case-edit", "saved", func(ctx context.Context, me *auth.Principal, id int64, in url.Values, f *form) (int, error) {
		version, verr := strconv.ParseInt(in.Get("version"), 10, 64)
		if verr != nil || version <= 0 {
			return 0, derrors.Kindf(derrors.Invalid, "version: the form lacks the case's version; reload the case")
		}
		cs := u.db.Cases()
		c, err := cs.Get(ctx, me, id)
		if err != nil {
			return 0, err
		}
		draft := in.Get("draft") == "1"
		opened := strings.TrimSpace(in.Get("opened_on"))
		patch := cases.Patch{Version: version, Draft: &draft, OpenedOn: &opened}
		if c.Trafficking != nil {
			t := *c.Trafficking
			t.TraffickingStatus, t.TypeOfExploitation = in.Get("trafficking_status"), in["exploitation"]
			t.CountryOfExploitation = strings.ToUpper(strings.TrimSpace(in.Get("country_exploitation")))
			patch.Trafficking = &t
		}
		if c.Return != nil {
			// The stage and monitoring visits have their own forms; the
			// edit changes the return's details and journey dates.
			rt := *c.Return
			trim := func(name string) string { return strings.TrimSpace(in.Get(name)) }
			rt.ReturnType, rt.ApplicationDate = in.Get("return_type"), trim("application_date")
			rt.HostCountry, rt.OriginCountry = strings.ToUpper(trim("host_country")), strings.ToUpper(trim("origin_country"))
			rt.TravelDate, rt.ArrivalDate = trim("travel_date"), trim("arrival_date")
			patch.Return = &rt
		}
		_, err = cs.Update(ctx, me, id, patch)
		if err == nil {
			return 0, nil
		}
		if errors.Is(err, derrors.Conflict) && strings.HasPrefix(derrors.Message(err), "version:") {
			// Someone else changed the case: the page shows it as it is
			// now, keeps what was typed, and a second submission (with
			// the current version) applies it.
			current = c.Version
			caseFormFields["version"].add(v, f, "cases.reason.stale", "Value", c.Version)
			return http.StatusConflict, nil
		}
		return storeFail(v, f, err, "", "openedOn")
	}, func(d *casePageData) {
		d.Stale = current != 0
		d.In["draft"], d.In["exploitation"] = r.PostForm["draft"], r.PostForm["exploitation"]
		if current == 0 {
			d.In["version"] = r.PostForm["version"]
		}
	})
	return err
}

// add records a problem of the field.
func (cf caseField) add(v *view, f *form, reasonID string, kv ...any) {
	f.add(v, cf.name, cf.id, cf.label, reasonID, kv...)
}

func formVersion(in url.Values) (int64, error) {
	version, err := strconv.ParseInt(in.Get("version"), 10, 64)
	if err != nil || version <= 0 {
		return 0, derrors.Kindf(derrors.Invalid, "version: the form lacks the case's version; reload the case")
	}
	return version, nil
}

func (u *UI) caseStatus(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.caseForm(w, r, v, "case-status", "status", func(ctx context.Context, me *auth.Principal, id int64, in url.Values, f *form) (int, error) {
		version, err := formVersion(in)
		if err != nil {
			return 0, err
		}
		reason := strings.TrimSpace(in.Get("reason"))
		if stage := in.Get("stage"); stage != "" {
			_, err = u.db.Cases().AdvanceStage(ctx, me, id, version, stage, reason, false)
		} else {
			_, err = u.db.Cases().Transition(ctx, me, id, version, in.Get("status"), reason)
		}
		if err == nil {
			return 0, nil
		}
		if errors.Is(err, derrors.Conflict) && strings.HasPrefix(derrors.Message(err), "version:") {
			caseFormFields["cas_Status"].add(v, f, "cases.reason.staleStatus")
			return http.StatusConflict, nil
		}
		return storeFail(v, f, err, "", "cas_ReasonForCaseClosure")
	}, nil)
}

func (u *UI) caseComment(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.caseForm(w, r, v, "case-comments", "comment", func(ctx context.Context, me *auth.Principal, id int64, in url.Values, f *form) (int, error) {
		body := strings.TrimSpace(in.Get("comment"))
		if body == "" {
			caseFormFields["cco_CaseComment"].add(v, f, "form.reason.required")
			return http.StatusBadRequest, nil
		}
		if _, err := u.db.Cases().AddComment(ctx, me, id, body); err != nil {
			return storeFail(v, f, err, "", "cco_CaseComment")
		}
		return 0, nil
	}, nil)
}

func (u *UI) caseTask(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.caseForm(w, r, v, "case-tasks", "task", func(ctx context.Context, me *auth.Principal, id int64, in url.Values, f *form) (int, error) {
		t := cases.Task{Title: strings.TrimSpace(in.Get("task_title")), Due: strings.TrimSpace(in.Get("task_due"))}
		if _, err := u.db.Cases().AddTask(ctx, me, id, t); err != nil {
			return storeFail(v, f, err, "", "title")
		}
		return 0, nil
	}, nil)
}

func (u *UI) caseService(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.caseForm(w, r, v, "case-services", "service", func(ctx context.Context, me *auth.Principal, id int64, in url.Values, f *form) (int, error) {
		s := cases.Service{Type: in.Get("service_type"), Date: strings.TrimSpace(in.Get("service_date")), Note: strings.TrimSpace(in.Get("service_note"))}
		if _, err := u.db.Cases().AddService(ctx, me, id, s); err != nil {
			return storeFail(v, f, err, "", "type")
		}
		return 0, nil
	}, nil)
}

func (u *UI) caseConsent(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.caseForm(w, r, v, "case-consents", "consent", func(ctx context.Context, me *auth.Principal, id int64, in url.Values, f *form) (int, error) {
		var given bool
		switch in.Get("consent_given") {
		case "1":
			given = true
		case "0":
		default:
			caseFormFields["consent.given"].add(v, f, "form.reason.choice")
			return http.StatusBadRequest, nil
		}
		c := cases.Consent{Type: in.Get("consent_type"), Given: given, Date: strings.TrimSpace(in.Get("consent_date")), Note: strings.TrimSpace(in.Get("consent_note"))}
		if _, err := u.db.Cases().RecordConsent(ctx, me, id, c); err != nil {
			return storeFail(v, f, err, "consent.", "consent.type")
		}
		return 0, nil
	}, nil)
}

func (u *UI) caseReferral(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.caseForm(w, r, v, "case-referrals", "referral", func(ctx context.Context, me *auth.Principal, id int64, in url.Values, f *form) (int, error) {
		to, err := strconv.ParseInt(in.Get("to_org"), 10, 64)
		if err != nil || to <= 0 {
			caseFormFields["toOrgId"].add(v, f, "form.reason.choice")
			return http.StatusBadRequest, nil
		}
		if _, err := u.db.Cases().Refer(ctx, me, id, to, in.Get("referral_reason"), strings.TrimSpace(in.Get("referral_details"))); err != nil {
			return storeFail(v, f, err, "", "toOrgId")
		}
		return 0, nil
	}, nil)
}

// caseReferralDecision accepts or declines a referral (the receiving
// organisation, which cannot open the case before accepting it) or
// revokes it (the referring one).
func (u *UI) caseReferralDecision(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := caseID(r)
	if err != nil {
		return err
	}
	rid, err := strconv.ParseInt(r.PathValue("rid"), 10, 64)
	if err != nil || rid <= 0 {
		return derrors.Kindf(derrors.NotFound, "no referral %q", r.PathValue("rid"))
	}
	if err := parseForm(r); err != nil {
		return err
	}
	status, next := "", ""
	switch r.PostForm.Get("decision") {
	case "accept":
		status, next = cases.ReferralAccepted, caseURL(id)+"?saved=accepted"
	case "decline":
		status, next = cases.ReferralDeclined, "/cases?saved=declined"
	case "revoke":
		status, next = cases.ReferralRevoked, caseURL(id)+"?saved=revoked#case-referrals"
	default:
		return derrors.Kindf(derrors.Invalid, "decision: one of accept, decline, revoke")
	}
	if caseOf, err := u.db.Cases().ReferralCaseID(r.Context(), rid); err != nil || caseOf != id {
		if err == nil || errors.Is(err, derrors.NotFound) {
			err = derrors.Kindf(derrors.NotFound, "no referral %d of case %d", rid, id)
		}
		return err
	}
	if _, err := u.db.Cases().DecideReferral(casesCtx(r), web.PrincipalFrom(r.Context()), rid, status, strings.TrimSpace(r.PostForm.Get("note"))); err != nil {
		return err
	}
	web.SkipAudit(r)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}
