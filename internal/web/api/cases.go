package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/people"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// Counter-trafficking and return case management (internal/cases, issue
// 5). Every route declares the "cases" resource; the store checks the
// record scope of each case (and the access an accepted referral gives)
// and writes the audit entries of every read and change inside its own
// transactions. A handler therefore passes the client's address to the
// store (casesCtx) and, once the store has answered, tells the policy
// layer not to write a second entry (web.SkipAudit). A request that fails
// before or in the store is audited by the policy layer as failed: the
// store's own entries roll back with the failed transaction.

func (a *API) registerCases(r *web.Router) {
	h := func(method, pattern, action, summary string, fn http.HandlerFunc) {
		r.Handle(web.Route{Method: method, Pattern: pattern, Resource: "cases", Action: action, Summary: summary, Handler: fn})
	}
	h("GET", "/api/v1/cases", web.ActionRead, "List the cases in one's scope and those referred to one's organisation (keyset pages)", a.listCases)
	h("POST", "/api/v1/cases", web.ActionCreate, "Open a case, for a new person (intake, with possible duplicates) or an existing one", a.createCase)
	h("GET", "/api/v1/cases/dashboard", web.ActionRead, "Caseload counts by status, kind, exploitation type, age group and nationality", a.caseDashboard)
	h("GET", "/api/v1/cases/export", web.ActionExport, "Export the cases in one's scope as CSV or XLSX with HTCDS field names", a.exportCases)
	h("GET", "/api/v1/cases/tasks/overdue", web.ActionRead, "The overdue tasks of the cases in one's scope", a.overdueTasks)
	h("POST", "/api/v1/cases/merge", web.ActionUpdate, "Merge a reviewed duplicate person into another", a.mergePeople)
	h("GET", "/api/v1/cases/{id}", web.ActionRead, "One case with its details", a.getCase)
	h("PATCH", "/api/v1/cases/{id}", web.ActionUpdate, "Edit a case (optimistic concurrency on version)", a.updateCase)
	h("POST", "/api/v1/cases/{id}/transition", web.ActionUpdate, "Change a case's status, or a return case's stage, under the domain rules", a.transitionCase)
	h("POST", "/api/v1/cases/{id}/assign", web.ActionAssign, "Assign or transfer a case to a case worker, team or organisation", a.assignCase)
	h("GET", "/api/v1/cases/{id}/referrals", web.ActionRead, "A case's referrals", a.listReferrals)
	h("POST", "/api/v1/cases/{id}/referrals", web.ActionRefer, "Refer a case to another organisation (needs the person's consent to referral)", a.createReferral)
	h("POST", "/api/v1/cases/{id}/referrals/{rid}/decision", web.ActionRefer, "Accept or decline (receiving organisation) or revoke (referring one) a referral", a.decideReferral)
	h("GET", "/api/v1/cases/{id}/services", web.ActionRead, "The services given on a case", a.listServices)
	h("POST", "/api/v1/cases/{id}/services", web.ActionUpdate, "Record a service given", a.addService)
	h("GET", "/api/v1/cases/{id}/consents", web.ActionRead, "The consent records of a case's person", a.listConsents)
	h("POST", "/api/v1/cases/{id}/consents", web.ActionUpdate, "Record consent given or withdrawn", a.addConsent)
	h("GET", "/api/v1/cases/{id}/comments", web.ActionRead, "A case's comments, oldest first", a.listComments)
	h("POST", "/api/v1/cases/{id}/comments", web.ActionUpdate, "Add a case comment", a.addComment)
	h("GET", "/api/v1/cases/{id}/tasks", web.ActionRead, "A case's tasks by due date", a.listTasks)
	h("POST", "/api/v1/cases/{id}/tasks", web.ActionUpdate, "Add a follow-up task with a due date", a.addTask)
	h("POST", "/api/v1/cases/{id}/tasks/{tid}/done", web.ActionUpdate, "Mark a task of the case done", a.completeTask)
	h("GET", "/api/v1/cases/{id}/monitoring", web.ActionRead, "A return case's reintegration monitoring visits with their composite scores", a.listMonitoring)
	h("POST", "/api/v1/cases/{id}/monitoring", web.ActionUpdate, "Record a reintegration monitoring visit (return cases, after arrival)", a.addMonitoring)
}

// casesCtx is the request's context for the case store: its audit
// entries carry the client's address and how it authenticated.
func casesCtx(r *http.Request) context.Context {
	detail := ""
	if p := web.PrincipalFrom(r.Context()); p != nil && p.TokenID != 0 {
		detail = "API token " + strconv.FormatInt(p.TokenID, 10)
	}
	return store.WithAuditClient(r.Context(), web.ClientAddr(r), detail)
}

// caseError turns a field error of the cases domain into a problem that
// names the field.
func caseError(err error) error {
	var fe *cases.FieldError
	if errors.As(err, &fe) {
		return &web.ParamError{Param: fe.Field, Reason: fe.Msg}
	}
	return err
}

// caseFail answers a failed call of the case store.
func (a *API) caseFail(w http.ResponseWriter, r *http.Request, err error) {
	a.problem(w, r, caseError(err))
}

// audited says the store wrote the audit entries of the request.
func audited(r *http.Request) { web.SkipAudit(r) }

// id reads an optional positive id parameter.
func (q *query) id(name string) int64 {
	s := q.str(name, 20)
	if s == "" {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		q.fail(name, "must be a positive whole number")
		return 0
	}
	return v
}

// boolean reads an optional true/false parameter.
func (q *query) boolean(name string) bool {
	switch s := q.str(name, 5); s {
	case "", "false", "0":
		return false
	case "true", "1":
		return true
	}
	q.fail(name, "must be true or false")
	return false
}

// caseFilter reads the filter parameters shared by the list, the
// dashboard and the export.
func caseFilter(q *query) cases.Filter {
	f := cases.Filter{Kind: q.str("kind", 20), OwnerID: q.id("owner"), TeamID: q.id("team"), OrgID: q.id("org"),
		Nationality: strings.ToUpper(q.str("nationality", 3)), IncludeDrafts: q.boolean("drafts")}
	if s := q.str("status", 32); s != "" {
		st, err := cases.ParseStatus(s)
		if err != nil {
			q.fail("status", "one of "+strings.Join(cases.CaseStatuses, ", "))
		}
		f.Status = st
	}
	return f
}

func (a *API) listCases(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	f := caseFilter(q)
	f.After = q.id("after")
	f.Limit = q.intRange("limit", 50, 1, cases.MaxPage)
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	page, err := a.db.Cases().List(casesCtx(r), web.PrincipalFrom(r.Context()), f)
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	web.WriteJSON(w, http.StatusOK, page)
}

// CaseCreateRequest opens a case: for an existing person (personId) or
// for a new one registered with it (person). The case's organisation,
// owner and team default to the caller's (the team when they have one).
type CaseCreateRequest struct {
	PersonID int64          `json:"personId,omitempty"`
	Person   *people.Person `json:"person,omitempty"`
	Case     cases.Case     `json:"case"`
}

// PossibleDuplicate is a person who may be the one just registered.
type PossibleDuplicate struct {
	cases.Match
	Explanation string `json:"explanation"`
}

// CaseCreated is the answer to opening a case. At intake of a new person
// it lists the people in the caller's scope who may be the same person
// (nothing is merged: POST /api/v1/cases/merge does that after review).
type CaseCreated struct {
	Case               cases.Case          `json:"case"`
	Person             *people.Person      `json:"person,omitempty"`
	PossibleDuplicates []PossibleDuplicate `json:"possibleDuplicates"`
	// DuplicateCheck is "done", "not applicable" (an existing person) or
	// "failed" (the case was opened; the check could not run).
	DuplicateCheck string `json:"duplicateCheck"`
}

func (a *API) createCase(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).done(); err != nil {
		a.problem(w, r, err)
		return
	}
	var in CaseCreateRequest
	if err := decodeJSON(r, &in); err != nil {
		a.problem(w, r, err)
		return
	}
	switch {
	case in.PersonID == 0 && in.Person == nil:
		a.problem(w, r, &web.ParamError{Param: "person", Reason: "required: a new person, or personId for an existing one"})
		return
	case in.PersonID != 0 && in.Person != nil:
		a.problem(w, r, &web.ParamError{Param: "personId", Reason: "give either personId or person, not both"})
		return
	case in.PersonID < 0:
		a.problem(w, r, &web.ParamError{Param: "personId", Reason: "must be a positive whole number"})
		return
	}
	me := web.PrincipalFrom(r.Context())
	c := in.Case
	if c.OrgID == 0 {
		c.OrgID = me.OrgID
	}
	if c.OwnerID == 0 {
		c.OwnerID = me.UserID
	}
	if c.TeamID == 0 && c.OrgID == me.OrgID && len(me.TeamIDs) == 1 {
		// A case belongs to its creator's team when they have one, so
		// that the team's supervisors see it.
		c.TeamID = me.TeamIDs[0]
	}
	ctx := casesCtx(r)
	cs := a.db.Cases()
	out := CaseCreated{PossibleDuplicates: []PossibleDuplicate{}, DuplicateCheck: "not applicable"}
	if in.Person == nil {
		c.PersonID = in.PersonID
		created, err := cs.Create(ctx, me, c)
		if err != nil {
			a.caseFail(w, r, err)
			return
		}
		out.Case = created
	} else {
		pr, created, err := cs.CreateWithPerson(ctx, me, *in.Person, c)
		if err != nil {
			a.caseFail(w, r, err)
			return
		}
		out.Case, out.Person, out.DuplicateCheck = created, &pr, "done"
		matches, err := a.intakeDuplicates(ctx, pr)
		if err != nil {
			a.log.WarnContext(ctx, "duplicate check at intake failed", "case", created.ID, "err", err)
			out.DuplicateCheck = "failed"
		}
		out.PossibleDuplicates = matches
	}
	audited(r)
	w.Header().Set("Location", "/api/v1/cases/"+strconv.FormatInt(out.Case.ID, 10))
	web.WriteJSON(w, http.StatusCreated, out)
}

// intakeDuplicates looks for the people who may be pr (other than pr).
func (a *API) intakeDuplicates(ctx context.Context, pr people.Person) ([]PossibleDuplicate, error) {
	out := []PossibleDuplicate{}
	cs := a.db.Cases()
	probe, err := cs.ProbeOf(pr)
	if err != nil {
		return out, err
	}
	probe.PersonID = pr.ID
	matches, err := cs.Duplicates(ctx, web.PrincipalFrom(ctx), probe)
	if err != nil {
		return out, err
	}
	for _, m := range matches {
		if m.PersonID != pr.ID {
			out = append(out, PossibleDuplicate{Match: m, Explanation: m.Explanation()})
		}
	}
	return out, nil
}

func (a *API) getCase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = newQuery(r).done()
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	c, err := a.db.Cases().Get(casesCtx(r), web.PrincipalFrom(r.Context()), id)
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	web.WriteJSON(w, http.StatusOK, c)
}

// caseBody reads the {id} path parameter and the JSON body of a change.
func (a *API) caseBody(w http.ResponseWriter, r *http.Request, v any) (int64, bool) {
	id, err := pathID(r)
	if err == nil {
		err = newQuery(r).done()
	}
	if err == nil {
		err = decodeJSON(r, v)
	}
	if err != nil {
		a.problem(w, r, err)
		return 0, false
	}
	return id, true
}

func requireVersion(v int64) error {
	if v <= 0 {
		return &web.ParamError{Param: "version", Reason: "required: the version you loaded (optimistic concurrency)"}
	}
	return nil
}

func (a *API) updateCase(w http.ResponseWriter, r *http.Request) {
	var in cases.Patch
	id, ok := a.caseBody(w, r, &in)
	if !ok {
		return
	}
	if err := requireVersion(in.Version); err != nil {
		a.problem(w, r, err)
		return
	}
	c, err := a.db.Cases().Update(casesCtx(r), web.PrincipalFrom(r.Context()), id, in)
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	web.WriteJSON(w, http.StatusOK, c)
}

// CaseTransition changes a trafficking case's status, or moves a return
// case to a stage; version is the one read.
type CaseTransition struct {
	Version int64  `json:"version"`
	Status  string `json:"status,omitempty"`
	Stage   string `json:"stage,omitempty"`
	// Reason is cas_ReasonForCaseClosure when closing.
	Reason string `json:"reason,omitempty"`
	// ByReferral closes a return case by a referral (AdvanceStage).
	ByReferral bool `json:"byReferral,omitempty"`
}

func (a *API) transitionCase(w http.ResponseWriter, r *http.Request) {
	var in CaseTransition
	id, ok := a.caseBody(w, r, &in)
	if !ok {
		return
	}
	if err := requireVersion(in.Version); err != nil {
		a.problem(w, r, err)
		return
	}
	var c cases.Case
	var err error
	me, ctx := web.PrincipalFrom(r.Context()), casesCtx(r)
	switch {
	case (in.Status == "") == (in.Stage == ""):
		a.problem(w, r, &web.ParamError{Param: "status", Reason: "give either status (a trafficking case) or stage (a return case)"})
		return
	case in.Status != "":
		st, perr := cases.ParseStatus(in.Status)
		if perr != nil {
			a.problem(w, r, &web.ParamError{Param: "status", Reason: "one of " + strings.Join(cases.CaseStatuses, ", ")})
			return
		}
		c, err = a.db.Cases().Transition(ctx, me, id, in.Version, st, strings.TrimSpace(in.Reason))
	default:
		c, err = a.db.Cases().AdvanceStage(ctx, me, id, in.Version, in.Stage, strings.TrimSpace(in.Reason), in.ByReferral)
	}
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	web.WriteJSON(w, http.StatusOK, c)
}

func (a *API) assignCase(w http.ResponseWriter, r *http.Request) {
	var in cases.Assignment
	id, ok := a.caseBody(w, r, &in)
	if !ok {
		return
	}
	if err := requireVersion(in.Version); err != nil {
		a.problem(w, r, err)
		return
	}
	if in.OwnerID == 0 && in.TeamID == 0 && in.OrgID == 0 {
		a.problem(w, r, &web.ParamError{Param: "ownerId", Reason: "name the new owner, team or organisation"})
		return
	}
	c, err := a.db.Cases().Assign(casesCtx(r), web.PrincipalFrom(r.Context()), id, in)
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	web.WriteJSON(w, http.StatusOK, c)
}

// ---- referrals

// ReferralRequest refers a case to another organisation.
type ReferralRequest struct {
	ToOrgID int64  `json:"toOrgId"`
	Reason  string `json:"cas_ReasonForOutgoingReferral"`
	Details string `json:"cas_OutgoingReferralDetails,omitempty"`
}

func (a *API) createReferral(w http.ResponseWriter, r *http.Request) {
	var in ReferralRequest
	id, ok := a.caseBody(w, r, &in)
	if !ok {
		return
	}
	if in.ToOrgID <= 0 {
		a.problem(w, r, &web.ParamError{Param: "toOrgId", Reason: "required: the id of the organisation referred to"})
		return
	}
	ref, err := a.db.Cases().Refer(casesCtx(r), web.PrincipalFrom(r.Context()), id, in.ToOrgID, strings.TrimSpace(in.Reason), strings.TrimSpace(in.Details))
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	web.WriteJSON(w, http.StatusCreated, ref)
}

// ReferralDecision accepts, declines or revokes a referral.
type ReferralDecision struct {
	// Decision is accept, decline or revoke.
	Decision string `json:"decision"`
	Note     string `json:"note,omitempty"`
}

var referralDecisions = map[string]string{"accept": cases.ReferralAccepted, "accepted": cases.ReferralAccepted,
	"decline": cases.ReferralDeclined, "declined": cases.ReferralDeclined, "revoke": cases.ReferralRevoked, "revoked": cases.ReferralRevoked}

func (a *API) decideReferral(w http.ResponseWriter, r *http.Request) {
	var in ReferralDecision
	id, ok := a.caseBody(w, r, &in)
	if !ok {
		return
	}
	rid, err := strconv.ParseInt(r.PathValue("rid"), 10, 64)
	if err != nil || rid <= 0 {
		a.problem(w, r, &web.ParamError{Param: "rid", Reason: "must be a positive whole number"})
		return
	}
	status, known := referralDecisions[strings.ToLower(strings.TrimSpace(in.Decision))]
	if !known {
		a.problem(w, r, &web.ParamError{Param: "decision", Reason: "one of accept, decline, revoke"})
		return
	}
	// The referral must be one of this case's: the path names both.
	if caseID, err := a.db.Cases().ReferralCaseID(r.Context(), rid); err != nil || caseID != id {
		if err == nil || errors.Is(err, derrors.NotFound) {
			err = derrors.Kindf(derrors.NotFound, "no referral %d of case %d", rid, id)
		}
		a.problem(w, r, err)
		return
	}
	ref, err := a.db.Cases().DecideReferral(casesCtx(r), web.PrincipalFrom(r.Context()), rid, status, strings.TrimSpace(in.Note))
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	web.WriteJSON(w, http.StatusOK, ref)
}

// caseRecords answers the listing of a case's work records.
func caseRecords[T any](a *API, w http.ResponseWriter, r *http.Request,
	list func(ctx context.Context, s *store.Cases, id int64) ([]T, error)) {
	id, err := pathID(r)
	if err == nil {
		err = newQuery(r).done()
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	items, err := list(casesCtx(r), a.db.Cases(), id)
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	if items == nil {
		items = []T{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *API) listReferrals(w http.ResponseWriter, r *http.Request) {
	caseRecords(a, w, r, func(ctx context.Context, s *store.Cases, id int64) ([]cases.Referral, error) {
		return s.Referrals(ctx, web.PrincipalFrom(ctx), id)
	})
}

// ---- services, consents, comments, tasks

// ServiceRequest records a service given.
type ServiceRequest struct {
	Type string `json:"type"`
	Date string `json:"date"`
	// ProviderOrgID defaults to the case's organisation (or, through a
	// referral, the caller's).
	ProviderOrgID int64  `json:"providerOrgId,omitempty"`
	Note          string `json:"note,omitempty"`
}

func (a *API) addService(w http.ResponseWriter, r *http.Request) {
	var in ServiceRequest
	id, ok := a.caseBody(w, r, &in)
	if !ok {
		return
	}
	sv, err := a.db.Cases().AddService(casesCtx(r), web.PrincipalFrom(r.Context()), id,
		cases.Service{Type: in.Type, Date: in.Date, ProviderOrgID: in.ProviderOrgID, Note: in.Note})
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	web.WriteJSON(w, http.StatusCreated, sv)
}

func (a *API) listServices(w http.ResponseWriter, r *http.Request) {
	caseRecords(a, w, r, func(ctx context.Context, s *store.Cases, id int64) ([]cases.Service, error) {
		return s.Services(ctx, web.PrincipalFrom(ctx), id)
	})
}

// ConsentRequest records a person's decision: consent given (con_Consent
// true) or withdrawn or refused (false) for a purpose, on a date.
type ConsentRequest struct {
	Type  string `json:"type"`
	Given *bool  `json:"con_Consent"`
	Date  string `json:"date"`
	Note  string `json:"note,omitempty"`
}

func (a *API) addConsent(w http.ResponseWriter, r *http.Request) {
	var in ConsentRequest
	id, ok := a.caseBody(w, r, &in)
	if !ok {
		return
	}
	if in.Given == nil {
		a.problem(w, r, &web.ParamError{Param: "con_Consent", Reason: "required: true (given) or false (withdrawn or refused)"})
		return
	}
	c, err := a.db.Cases().RecordConsent(casesCtx(r), web.PrincipalFrom(r.Context()), id,
		cases.Consent{Type: in.Type, Given: *in.Given, Date: in.Date, Note: in.Note})
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	web.WriteJSON(w, http.StatusCreated, c)
}

func (a *API) listConsents(w http.ResponseWriter, r *http.Request) {
	caseRecords(a, w, r, func(ctx context.Context, s *store.Cases, id int64) ([]cases.Consent, error) {
		return s.Consents(ctx, web.PrincipalFrom(ctx), id)
	})
}

// CommentRequest adds a case comment.
type CommentRequest struct {
	Body string `json:"cco_CaseComment"`
}

func (a *API) addComment(w http.ResponseWriter, r *http.Request) {
	var in CommentRequest
	id, ok := a.caseBody(w, r, &in)
	if !ok {
		return
	}
	c, err := a.db.Cases().AddComment(casesCtx(r), web.PrincipalFrom(r.Context()), id, in.Body)
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	web.WriteJSON(w, http.StatusCreated, c)
}

func (a *API) listComments(w http.ResponseWriter, r *http.Request) {
	caseRecords(a, w, r, func(ctx context.Context, s *store.Cases, id int64) ([]cases.Comment, error) {
		return s.Comments(ctx, web.PrincipalFrom(ctx), id)
	})
}

// TaskRequest adds a task; the assignee defaults to the case's owner.
type TaskRequest struct {
	Title      string `json:"title"`
	Due        string `json:"due"`
	AssigneeID int64  `json:"assigneeId,omitempty"`
}

func (a *API) addTask(w http.ResponseWriter, r *http.Request) {
	var in TaskRequest
	id, ok := a.caseBody(w, r, &in)
	if !ok {
		return
	}
	t, err := a.db.Cases().AddTask(casesCtx(r), web.PrincipalFrom(r.Context()), id,
		cases.Task{Title: in.Title, Due: in.Due, AssigneeID: in.AssigneeID})
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	web.WriteJSON(w, http.StatusCreated, t)
}

func (a *API) listTasks(w http.ResponseWriter, r *http.Request) {
	caseRecords(a, w, r, func(ctx context.Context, s *store.Cases, id int64) ([]cases.Task, error) {
		return s.Tasks(ctx, web.PrincipalFrom(ctx), id)
	})
}

func (a *API) overdueTasks(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	tz := q.str("tz", 64)
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	now := time.Now().UTC()
	if tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			a.problem(w, r, &web.ParamError{Param: "tz", Reason: "an IANA time zone, e.g. Africa/Nairobi"})
			return
		}
		now = now.In(loc)
	}
	ts, err := a.db.Cases().OverdueTasks(casesCtx(r), web.PrincipalFrom(r.Context()), now)
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	if ts == nil {
		ts = []cases.Task{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": ts, "at": now.Format("2006-01-02")})
}

// ---- dashboard and merge

func (a *API) caseDashboard(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	f := caseFilter(q)
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	cl, err := a.db.Cases().Caseload(casesCtx(r), web.PrincipalFrom(r.Context()), f)
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	web.WriteJSON(w, http.StatusOK, cl)
}

// MergeRequest merges a reviewed duplicate: dropId's cases and consents
// move to keepId and dropId is deleted. The versions are those of the two
// people as reviewed (a change since is a 409).
type MergeRequest struct {
	KeepID      int64 `json:"keepId"`
	DropID      int64 `json:"dropId"`
	KeepVersion int64 `json:"keepVersion"`
	DropVersion int64 `json:"dropVersion"`
}

func (a *API) mergePeople(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).done(); err != nil {
		a.problem(w, r, err)
		return
	}
	var in MergeRequest
	if err := decodeJSON(r, &in); err != nil {
		a.problem(w, r, err)
		return
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"keepId", in.KeepID}, {"dropId", in.DropID}, {"keepVersion", in.KeepVersion}, {"dropVersion", in.DropVersion}} {
		if f.v <= 0 {
			a.problem(w, r, &web.ParamError{Param: f.name, Reason: "required: a positive whole number"})
			return
		}
	}
	if err := a.db.Cases().MergePeople(casesCtx(r), web.PrincipalFrom(r.Context()), in.KeepID, in.DropID, in.KeepVersion, in.DropVersion); err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	web.WriteJSON(w, http.StatusOK, map[string]any{"keptId": in.KeepID, "droppedId": in.DropID, "merged": true})
}

// TaskDoneRequest marks a task done; the date defaults to today (UTC).
type TaskDoneRequest struct {
	DoneOn string `json:"doneOn,omitempty"`
}

func (a *API) completeTask(w http.ResponseWriter, r *http.Request) {
	var in TaskDoneRequest
	id, ok := a.caseBody(w, r, &in)
	if !ok {
		return
	}
	tid, err := strconv.ParseInt(r.PathValue("tid"), 10, 64)
	if err != nil || tid <= 0 {
		a.problem(w, r, &web.ParamError{Param: "tid", Reason: "must be a positive whole number"})
		return
	}
	if in.DoneOn == "" {
		in.DoneOn = time.Now().UTC().Format("2006-01-02")
	}
	ctx, me := casesCtx(r), web.PrincipalFrom(r.Context())
	// The task must be one of the case's (which also checks access to
	// the case) before it is changed.
	ts, err := a.db.Cases().Tasks(ctx, me, id)
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	found := false
	for _, t := range ts {
		found = found || t.ID == tid
	}
	if !found {
		a.problem(w, r, derrors.Kindf(derrors.NotFound, "no task %d of case %d", tid, id))
		return
	}
	t, err := a.db.Cases().CompleteTask(ctx, me, tid, in.DoneOn)
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	web.WriteJSON(w, http.StatusOK, t)
}

// MonitoringVisit is a reintegration monitoring visit with its composite
// score (equal weights).
type MonitoringVisit struct {
	cases.Monitoring
	Composite float64 `json:"composite"`
}

func (a *API) listMonitoring(w http.ResponseWriter, r *http.Request) {
	caseRecords(a, w, r, func(ctx context.Context, s *store.Cases, id int64) ([]MonitoringVisit, error) {
		c, err := s.Get(ctx, web.PrincipalFrom(ctx), id)
		if err != nil {
			return nil, err
		}
		if c.Kind != cases.KindReturn || c.Return == nil {
			return nil, derrors.Kindf(derrors.Conflict, "monitoring: only a return case has reintegration monitoring")
		}
		out := make([]MonitoringVisit, 0, len(c.Return.Monitoring))
		for _, m := range c.Return.Monitoring {
			out = append(out, MonitoringVisit{Monitoring: m, Composite: m.Composite(cases.EqualWeights)})
		}
		return out, nil
	})
}

// MonitoringRequest records a monitoring visit: the three dimension
// scores of the Reintegration Sustainability Survey, each from 0 to 1.
type MonitoringRequest struct {
	Date         string   `json:"date"`
	Economic     *float64 `json:"economic"`
	Social       *float64 `json:"social"`
	Psychosocial *float64 `json:"psychosocial"`
	Note         string   `json:"note,omitempty"`
}

func (a *API) addMonitoring(w http.ResponseWriter, r *http.Request) {
	var in MonitoringRequest
	id, ok := a.caseBody(w, r, &in)
	if !ok {
		return
	}
	for _, f := range []struct {
		name string
		v    *float64
	}{{"economic", in.Economic}, {"social", in.Social}, {"psychosocial", in.Psychosocial}} {
		if f.v == nil {
			a.problem(w, r, &web.ParamError{Param: f.name, Reason: "required: a score from 0 to 1"})
			return
		}
	}
	m, err := a.db.Cases().AddMonitoring(casesCtx(r), web.PrincipalFrom(r.Context()), id,
		cases.Monitoring{Date: in.Date, Economic: *in.Economic, Social: *in.Social, Psychosocial: *in.Psychosocial, Note: in.Note})
	if err != nil {
		a.caseFail(w, r, err)
		return
	}
	audited(r)
	web.WriteJSON(w, http.StatusCreated, MonitoringVisit{Monitoring: m, Composite: m.Composite(cases.EqualWeights)})
}
