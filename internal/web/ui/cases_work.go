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
	"github.com/corridor-platform/corridor/internal/people"
	"github.com/corridor-platform/corridor/internal/web"
)

// The case page's assignment, task completion and reintegration
// monitoring forms, and the reviewed merge of a duplicate at intake.

func (u *UI) caseWorkRoutes() []web.Route {
	route := func(method, pattern, action, summary string, h pageFunc) web.Route {
		return web.Route{Method: method, Pattern: pattern, Resource: "cases", Action: action, Summary: summary, Handler: u.handle("cases", h)}
	}
	return []web.Route{
		route(http.MethodPost, "/cases/merge", web.ActionUpdate, "Review, then confirm, that the person typed at intake is a registered person: the case is opened and the two records merged", u.caseMerge),
		route(http.MethodPost, "/cases/{id}/assign", web.ActionAssign, "Assign a case to another case worker of its team, or transfer it to another organisation (form; optimistic concurrency)", u.caseAssign),
		route(http.MethodPost, "/cases/{id}/tasks/{tid}/done", web.ActionUpdate, "Mark a task done (form)", u.caseTaskDone),
		route(http.MethodPost, "/cases/{id}/monitoring", web.ActionUpdate, "Record a reintegration monitoring visit of a return case (form)", u.caseMonitoring),
	}
}

func init() {
	for k, v := range map[string]caseField{
		"ownerId":                 {"assign_to", "assign-to", "cases.field.assignTo"},
		"teamId":                  {"assign_to", "assign-to", "cases.field.assignTo"},
		"orgId":                   {"assign_to", "assign-to", "cases.field.assignTo"},
		"cas_CaseOwner":           {"assign_to", "assign-to", "cases.field.assignTo"},
		"assign":                  {"assign_to", "assign-to", "cases.field.assignTo"},
		"doneOn":                  {"task_done", "case-tasks-done", "cases.field.taskDone"},
		"monitoring":              {"monitoring_date", "monitoring-date", "cases.field.date"},
		"monitoring.date":         {"monitoring_date", "monitoring-date", "cases.field.date"},
		"monitoring.economic":     {"economic", "monitoring-economic", "cases.monitoring.economic"},
		"monitoring.social":       {"social", "monitoring-social", "cases.monitoring.social"},
		"monitoring.psychosocial": {"psychosocial", "monitoring-psychosocial", "cases.monitoring.psychosocial"},
		"monitoring.note":         {"monitoring_note", "monitoring-note", "cases.field.note"},
	} {
		caseFormFields[k] = v
	}
	caseFlashes = append(caseFlashes, "assigned", "taskDone", "monitoring", "merged")
}

// assignGroup is a group of the assignment select: the case's team, or
// another organisation (a transfer).
type assignGroup struct {
	Label   string
	Options []caseOption
}

// monitoringView is one monitoring visit with its composite score.
type monitoringView struct {
	Date, Economic, Social, Psychosocial, Composite, Note string
}

// loadCaseWork adds the assignment choices and the monitoring visits to
// the case page.
func (u *UI) loadCaseWork(ctx context.Context, v *view, me *auth.Principal, d *casePageData) error {
	c := d.Case
	if r := c.Return; c.Kind == cases.KindReturn && r != nil {
		d.IsReturn, d.Arrived = true, r.ArrivalDate != ""
		d.Dimensions = []string{"economic", "social", "psychosocial"}
		for _, m := range r.Monitoring {
			d.Monitoring = append(d.Monitoring, monitoringView{Date: m.Date, Economic: v.num(m.Economic, 2), Social: v.num(m.Social, 2),
				Psychosocial: v.num(m.Psychosocial, 2), Composite: v.num(m.Composite(cases.EqualWeights), 2), Note: m.Note})
		}
		if d.In.Get("monitoring_date") == "" {
			d.In["monitoring_date"] = []string{d.Today}
		}
	}
	d.CanAssign = me.Can("cases", auth.Assign) && me.Allows("cases", auth.Assign, c.Record()) && !d.Closed
	if !d.CanAssign {
		return nil
	}
	caseWorker := func(us auth.User) bool {
		return !us.Disabled && (slices.Contains(us.Roles, auth.RoleCaseWorker) || slices.Contains(us.Roles, auth.RoleCaseSupervisor))
	}
	if c.TeamID != 0 {
		us, _, err := u.db.Accounts().Users(ctx, auth.Filter{TeamIDs: []int64{c.TeamID}}, 200, 0)
		if err != nil {
			return err
		}
		g := assignGroup{Label: v.T("cases.assign.team")}
		for _, us := range us {
			if us.ID != c.OwnerID && us.OrgID == c.OrgID && caseWorker(us) {
				g.Options = append(g.Options, caseOption{Value: assignValue(c.OrgID, us.ID), Label: us.FullName})
			}
		}
		if len(g.Options) > 0 {
			d.AssignGroups = append(d.AssignGroups, g)
		}
	}
	if me.Scope("cases", auth.Assign) >= auth.ScopeAll {
		// A transfer to another organisation: the store lets it only to
		// those whose assign scope covers every organisation.
		orgs, err := u.db.Accounts().Orgs(ctx, auth.Filter{All: true})
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if o.ID == c.OrgID {
				continue
			}
			us, _, err := u.db.Accounts().Users(ctx, auth.Filter{OrgID: o.ID}, 200, 0)
			if err != nil {
				return err
			}
			g := assignGroup{Label: v.T("cases.assign.org", "Name", o.Name)}
			for _, us := range us {
				if caseWorker(us) {
					g.Options = append(g.Options, caseOption{Value: assignValue(o.ID, us.ID), Label: us.FullName})
				}
			}
			if len(g.Options) > 0 {
				d.AssignGroups = append(d.AssignGroups, g)
			}
		}
	}
	return nil
}

func assignValue(org, user int64) string {
	return strconv.FormatInt(org, 10) + "." + strconv.FormatInt(user, 10)
}

// finishWork marks the assignment choice typed.
func (d *casePageData) finishWork() {
	for i := range d.AssignGroups {
		for j := range d.AssignGroups[i].Options {
			o := &d.AssignGroups[i].Options[j]
			o.Selected = o.Value == d.In.Get("assign_to")
		}
	}
}

// staleVersion reports whether err is the store's refusal of a stale
// version.
func staleVersion(err error) bool {
	return errors.Is(err, derrors.Conflict) && strings.HasPrefix(derrors.Message(err), "version:")
}

func (u *UI) caseAssign(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.caseForm(w, r, v, "case-assign", "assigned", func(ctx context.Context, me *auth.Principal, id int64, in url.Values, f *form) (int, error) {
		version, err := formVersion(in)
		if err != nil {
			return 0, err
		}
		orgS, userS, ok := strings.Cut(in.Get("assign_to"), ".")
		org, oerr := strconv.ParseInt(orgS, 10, 64)
		user, uerr := strconv.ParseInt(userS, 10, 64)
		if !ok || oerr != nil || uerr != nil || org <= 0 || user <= 0 {
			caseFormFields["assign"].add(v, f, "form.reason.choice")
			return http.StatusBadRequest, nil
		}
		cs := u.db.Cases()
		c, err := cs.Get(ctx, me, id)
		if err != nil {
			return 0, err
		}
		a := cases.Assignment{Version: version, OwnerID: user}
		if org != c.OrgID {
			a.OrgID = org
		}
		if _, err = cs.Assign(ctx, me, id, a); err == nil {
			return 0, nil
		}
		if staleVersion(err) {
			caseFormFields["assign"].add(v, f, "cases.reason.staleAssign")
			return http.StatusConflict, nil
		}
		if errors.Is(err, derrors.Forbidden) {
			caseFormFields["assign"].add(v, f, "form.reason.choice")
			return http.StatusForbidden, nil
		}
		return storeFail(v, f, err, "", "assign")
	}, nil)
}

func (u *UI) caseTaskDone(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.caseForm(w, r, v, "case-tasks", "taskDone", func(ctx context.Context, me *auth.Principal, id int64, in url.Values, f *form) (int, error) {
		tid, err := strconv.ParseInt(r.PathValue("tid"), 10, 64)
		if err != nil || tid <= 0 {
			return 0, derrors.Kindf(derrors.NotFound, "no task %q", r.PathValue("tid"))
		}
		cs := u.db.Cases()
		ts, err := cs.Tasks(ctx, me, id)
		if err != nil {
			return 0, err
		}
		if !slices.ContainsFunc(ts, func(t cases.Task) bool { return t.ID == tid }) {
			return 0, derrors.Kindf(derrors.NotFound, "no task %d of case %d", tid, id)
		}
		if _, err := cs.CompleteTask(ctx, me, tid, today()); err != nil {
			return storeFail(v, f, err, "", "doneOn")
		}
		return 0, nil
	}, nil)
}

func (u *UI) caseMonitoring(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.caseForm(w, r, v, "case-monitoring", "monitoring", func(ctx context.Context, me *auth.Principal, id int64, in url.Values, f *form) (int, error) {
		m := cases.Monitoring{Date: strings.TrimSpace(in.Get("monitoring_date")), Note: strings.TrimSpace(in.Get("monitoring_note"))}
		for _, x := range []struct {
			name string
			dst  *float64
		}{{"economic", &m.Economic}, {"social", &m.Social}, {"psychosocial", &m.Psychosocial}} {
			s := strings.Replace(strings.TrimSpace(in.Get(x.name)), ",", ".", 1)
			val, err := strconv.ParseFloat(s, 64)
			if err != nil || val < 0 || val > 1 {
				caseFormFields["monitoring."+x.name].add(v, f, "cases.reason.score")
				continue
			}
			*x.dst = val
		}
		if !f.OK() {
			return http.StatusBadRequest, nil
		}
		if _, err := u.db.Cases().AddMonitoring(ctx, me, id, m); err != nil {
			return storeFail(v, f, err, "monitoring.", "monitoring")
		}
		return 0, nil
	}, nil)
}

// ---- the reviewed merge at intake

// personView is one side of the merge review.
type personView struct {
	ID                                                              string
	Name, BirthDate, Sex, Nationality, DocumentType, DocumentNumber string
	Version                                                         int64
}

type mergePage struct {
	Kept, Typed personView
	In          formValues
	Hidden      []hiddenField
	Form        *form
	CSRF        string
	Cases       []caseRow
	Stale       bool
}

type hiddenField struct{ Name, Value string }

func (v *view) personView(pr people.Person) personView {
	return personView{Name: pr.FullName(), BirthDate: pr.BirthDate, Sex: v.label("cases.sex", pr.Sex, pr.Sex), Nationality: pr.Nationality,
		DocumentType: v.label("cases.documentType", pr.DocumentType, pr.DocumentType), DocumentNumber: pr.DocumentNumber, Version: pr.Version}
}

// caseMerge shows the registered person and the person typed at intake
// side by side (the intake form's "this is the same person" button posts
// here); confirmed, it opens the case and merges the typed person into
// the registered one through the store, with the version of the
// registered person as reviewed and that of the new record.
func (u *UI) caseMerge(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx, in, me := casesCtx(r), r.PostForm, web.PrincipalFrom(r.Context())
	keepID, err := strconv.ParseInt(in.Get("merge_into"), 10, 64)
	if err != nil || keepID <= 0 {
		return derrors.Kindf(derrors.Invalid, "merge_into: the registered person to merge into")
	}
	if !me.Can("people", auth.Update) || !me.Can("cases", auth.Update) {
		return derrors.Kindf(derrors.Forbidden, "merging people needs update on people and cases")
	}
	kept, err := u.db.People().Get(r.Context(), keepID)
	if err != nil || !me.Allows("people", auth.Read, kept.Record()) {
		if err == nil || errors.Is(err, derrors.NotFound) {
			err = derrors.Kindf(derrors.NotFound, "no person %d", keepID)
		}
		return err
	}
	pr, c := intakeCase(in, me)
	f := &form{}
	for _, err := range pr.Problems() { // all at once: one round trip on a slow connection
		caseStoreError(v, f, err, "", "familyName")
	}
	check := c
	check.PersonID, check.Status = 1, cases.StatusActive
	if c.Return != nil {
		check.Status = cases.StatusOfStage(c.Return.Stage)
	}
	for _, p := range check.Check() {
		caseProblem(v, f, p.Field, p.Code, p.Args, p.Msg, "kind")
	}
	if !f.OK() {
		// The typed details are not valid: back to the intake form.
		return u.renderNewCase(w, v, http.StatusBadRequest, newCasePage{Form: f, In: formValues(in)})
	}
	status := http.StatusOK
	page := mergePage{Kept: v.personView(kept), Typed: v.personView(pr), Form: f, CSRF: v.CSRF, In: formValues(in)}
	page.Kept.ID = strconv.FormatInt(kept.ID, 10)
	if in.Get("confirm_merge") == "1" {
		reviewed, verr := strconv.ParseInt(in.Get("keep_version"), 10, 64)
		if verr != nil || reviewed <= 0 {
			return derrors.Kindf(derrors.Invalid, "keep_version: the version of the person as reviewed")
		}
		created, err := u.db.Cases().CreateMerged(ctx, me, pr, c, kept.ID, reviewed)
		switch {
		case err == nil:
			web.SkipAudit(r)
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, caseURL(created.ID)+"?saved=merged", http.StatusSeeOther)
			return nil
		case staleVersion(err):
			// Nothing was stored: show the registered person as they are
			// now, with the current version to confirm again.
			if kept, err = u.db.People().Get(r.Context(), keepID); err != nil {
				return err
			}
			page.Kept = v.personView(kept)
			page.Kept.ID = strconv.FormatInt(kept.ID, 10)
		case caseStoreError(v, f, err, "", "kind"):
			return u.renderNewCase(w, v, http.StatusBadRequest, newCasePage{Form: f, In: formValues(in)})
		default:
			return err
		}
		status, page.Stale = http.StatusConflict, true
		f.add(v, "keep_version", "merge-kept", "cases.merge.kept", "cases.reason.staleMerge")
	}
	pg, err := u.db.Cases().List(ctx, me, cases.Filter{PersonID: kept.ID, Limit: 20, IncludeDrafts: true})
	if err != nil {
		return err
	}
	for _, s := range pg.Items {
		page.Cases = append(page.Cases, caseRow{URL: caseURL(s.CaseID), ID: strconv.FormatInt(s.CaseID, 10), Kind: v.caseKindLabel(s.Kind),
			StatusLabel: v.caseStatusLabel(s.Status), OpenedOn: s.OpenedOn})
	}
	for k, vs := range in {
		if k == "csrf_token" || k == "confirm_merge" || k == "keep_version" || k == "merge_into" || k == "confirm" {
			continue
		}
		for _, s := range vs {
			page.Hidden = append(page.Hidden, hiddenField{k, s})
		}
	}
	slices.SortStableFunc(page.Hidden, func(a, b hiddenField) int { return strings.Compare(a.Name, b.Name) })
	web.SkipAudit(r)
	v.Title, v.Data = v.T("cases.merge.title"), page
	v.Languages = u.languageLinksTo("/cases/new", nil, v.Lang)
	return u.render(w, status, "case_merge", v)
}
