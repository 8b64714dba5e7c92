package ui

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/web"
)

// Audit viewer page sizes.
const (
	auditDefaultLimit = 50
	auditMaxLimit     = 200
	dateLayout        = "2006-01-02"
)

// auditActions and auditOutcomes are the choices of the filter form; any
// other valid token in the URL works too (and is offered as it is).
var (
	auditActions = []string{audit.ActionRead, audit.ActionCreate, audit.ActionUpdate, audit.ActionDelete, audit.ActionExport,
		audit.ActionAssign, audit.ActionRefer, audit.ActionPublish, audit.ActionSignIn, audit.ActionSignInFailed,
		audit.ActionSignOut, audit.ActionTokenCreate, audit.ActionTokenRevoke}
	auditOutcomes = []string{audit.OutcomeOK, audit.OutcomeAllowed, audit.OutcomeDenied, audit.OutcomeFailed}
)

// auditQuery is the viewer's filter as typed (shown again in the form and
// carried by the page links).
type auditQuery struct {
	Action, Resource, Outcome, ActorID, From, To string
	Limit                                        int
}

// values are the filter's query parameters (without the cursor).
func (q auditQuery) values() url.Values {
	out := url.Values{}
	for name, val := range map[string]string{"action": q.Action, "resource": q.Resource, "outcome": q.Outcome,
		"actorId": q.ActorID, "from": q.From, "to": q.To} {
		if val != "" {
			out.Set(name, val)
		}
	}
	if q.Limit != auditDefaultLimit {
		out.Set("limit", strconv.Itoa(q.Limit))
	}
	return out
}

// selectOption is one choice of a select.
type selectOption struct {
	Value, Label string
	Selected     bool
}

// auditPage is the data of the audit template.
type auditPage struct {
	Query                auditQuery
	Actions, Resources   []selectOption
	Outcomes             []selectOption
	Rows                 []auditRow
	Older, Newer, Newest string // page links ("" when there is none)
	ExportURL            string // the CSV export of the same filter, when allowed
	OwnOrgOnly, Filtered bool
	FirstSeq, LastSeq    int64
	Limit                int
}

// auditRow is one entry as the viewer shows it.
type auditRow struct {
	audit.Entry
	TimeText, TimeISO                      string
	ActionLabel, ResourceLabel, OutcomeLbl string
}

// auditTrail shows the audit trail, newest first, with filters and cursor
// pagination. Organisation administrators (audit scope below all) see the
// entries of their organisation only.
func (u *UI) auditTrail(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	p := web.PrincipalFrom(ctx)
	q := r.URL.Query()
	aq := auditQuery{Action: strings.TrimSpace(q.Get("action")), Resource: strings.TrimSpace(q.Get("resource")),
		Outcome: strings.TrimSpace(q.Get("outcome")), ActorID: strings.TrimSpace(q.Get("actorId")),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	f := audit.Filter{Action: aq.Action, Resource: aq.Resource, Outcome: aq.Outcome}
	var err error
	if aq.Limit, err = intParam(q, "limit", auditDefaultLimit, 1, auditMaxLimit); err != nil {
		return err
	}
	if aq.ActorID != "" {
		id, err := strconv.ParseInt(aq.ActorID, 10, 64)
		if err != nil {
			return &paramError{Param: "actorId", ReasonID: "error.reason.notInteger"}
		}
		if id < 0 {
			return &paramError{Param: "actorId", ReasonID: "error.reason.min", Data: map[string]any{"Min": 0}}
		}
		f.ActorID = &id
	}
	if f.From, err = dateParam("from", aq.From); err != nil {
		return err
	}
	if f.To, err = dateParam("to", aq.To); err != nil {
		return err
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // the "to" day is included
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return &paramError{Param: "to", ReasonID: "error.reason.dateOrder"}
	}
	before, err := int64Param(q, "beforeSeq")
	if err != nil {
		return err
	}
	after, err := int64Param(q, "afterSeq")
	if err != nil {
		return err
	}
	page := auditPage{Query: aq, Limit: aq.Limit}
	if p.Scope("audit", auth.Read) < auth.ScopeAll {
		org := p.OrgID
		f.OrgID, page.OwnOrgOnly = &org, true
	}
	page.Filtered = aq.Action != "" || aq.Resource != "" || aq.Outcome != "" || aq.ActorID != "" || aq.From != "" || aq.To != ""

	// One more than a page tells whether there is a further page.
	f.Limit = aq.Limit + 1
	newer := after > 0 && before == 0 // "Newer": the entries just after the cursor
	if newer {
		f.AfterSeq = after
	} else {
		f.BeforeSeq, f.AfterSeq, f.Desc = before, after, true
	}
	if err := f.Validate(); err != nil {
		var fe *audit.FieldError
		if errors.As(err, &fe) {
			return &web.ParamError{Param: fe.Field, Reason: fe.Reason}
		}
		return err
	}
	entries, err := u.db.Audit().List(ctx, f)
	if err != nil {
		return err
	}
	more := len(entries) > aq.Limit // more entries beyond the page, in the direction read
	if more {
		entries = entries[:aq.Limit]
	}
	if newer {
		slices.Reverse(entries) // read oldest first, shown newest first
	}
	base := aq.values()
	link := func(name string, seq int64) string {
		vals := cloneQuery(base)
		vals.Set(name, strconv.FormatInt(seq, 10))
		return "/admin/audit?" + vals.Encode()
	}
	if len(entries) > 0 {
		newest, oldest := entries[0].Seq, entries[len(entries)-1].Seq
		page.FirstSeq, page.LastSeq = newest, oldest
		olderExist, newerExist := more, false
		if newer {
			newerExist = more
			if olderExist, err = u.auditHasAny(r, f, 0, oldest); err != nil {
				return err
			}
		} else if before > 0 {
			if newerExist, err = u.auditHasAny(r, f, newest, 0); err != nil {
				return err
			}
		}
		if olderExist {
			page.Older = link("beforeSeq", oldest)
		}
		if newerExist {
			page.Newer = link("afterSeq", newest)
		}
	}
	if before > 0 || after > 0 {
		page.Newest = "/admin/audit"
		if len(base) > 0 {
			page.Newest += "?" + base.Encode()
		}
	}
	if p.Can("audit", auth.Export) {
		page.ExportURL = auditExportURL(f)
	}
	for _, e := range entries {
		page.Rows = append(page.Rows, auditRow{Entry: e,
			TimeText: e.Time.UTC().Format("2006-01-02 15:04:05") + " UTC", TimeISO: e.Time.UTC().Format(time.RFC3339),
			ActionLabel: v.label("auditAction", e.Action, e.Action), ResourceLabel: v.label("resource", e.Resource, e.Resource),
			OutcomeLbl: v.label("outcome", e.Outcome, e.Outcome)})
	}
	page.Actions = choices(v, "auditAction", auditActions, aq.Action)
	var resources []string
	for _, res := range auth.Resources {
		resources = append(resources, res.Name)
	}
	page.Resources = choices(v, "resource", resources, aq.Resource)
	page.Outcomes = choices(v, "outcome", auditOutcomes, aq.Outcome)
	v.Title, v.Data = v.T("audit.title"), page
	return u.render(w, http.StatusOK, "audit", v)
}

// auditHasAny reports whether an entry matching f lies strictly between
// the cursors (0: open).
func (u *UI) auditHasAny(r *http.Request, f audit.Filter, after, before int64) (bool, error) {
	f.AfterSeq, f.BeforeSeq, f.Limit, f.Desc = after, before, 1, false
	got, err := u.db.Audit().List(r.Context(), f)
	return len(got) > 0, err
}

// auditExportURL is the CSV export of the filter (not its cursor), with
// the parameters the API takes.
func auditExportURL(f audit.Filter) string {
	q := url.Values{}
	for name, val := range map[string]string{"action": f.Action, "resource": f.Resource, "outcome": f.Outcome} {
		if val != "" {
			q.Set(name, val)
		}
	}
	if f.ActorID != nil {
		q.Set("actorId", strconv.FormatInt(*f.ActorID, 10))
	}
	if !f.From.IsZero() {
		q.Set("from", f.From.UTC().Format(time.RFC3339))
	}
	if !f.To.IsZero() {
		q.Set("to", f.To.UTC().Format(time.RFC3339))
	}
	if len(q) == 0 {
		return "/api/v1/audit/export"
	}
	return "/api/v1/audit/export?" + q.Encode()
}

// choices builds a select's options with translated labels; a selected
// value not among them is offered too.
func choices(v *view, prefix string, values []string, selected string) []selectOption {
	out := make([]selectOption, 0, len(values)+1)
	for _, val := range values {
		out = append(out, selectOption{Value: val, Label: v.label(prefix, val, val), Selected: val == selected})
	}
	if selected != "" && !slices.Contains(values, selected) {
		out = append(out, selectOption{Value: selected, Label: selected, Selected: true})
	}
	return out
}

// dateParam parses a date parameter (YYYY-MM-DD, as <input type=date>
// sends it) as midnight UTC.
func dateParam(name, raw string) (time.Time, error) {
	if raw == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(dateLayout, raw)
	if err != nil || t.Year() < 1970 || t.Year() > 9998 {
		return time.Time{}, &paramError{Param: name, ReasonID: "error.reason.date"}
	}
	return t, nil
}

// int64Param parses a cursor parameter: a whole number, 0 or more.
func int64Param(q url.Values, name string) (int64, error) {
	raw := strings.TrimSpace(q.Get(name))
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, &paramError{Param: name, ReasonID: "error.reason.notInteger"}
	}
	if n < 0 {
		return 0, &paramError{Param: name, ReasonID: "error.reason.min", Data: map[string]any{"Min": 0}}
	}
	return n, nil
}
