package cases

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// Filter selects cases in a listing (GET /api/v1/cases). Every field is
// optional; the store adds the caller's record scope (auth.Filter) and,
// for other organisations, the cases referred to them and accepted.
type Filter struct {
	Kind        string `json:"kind,omitempty"`
	Status      string `json:"status,omitempty"`
	OwnerID     int64  `json:"ownerId,omitempty"`
	TeamID      int64  `json:"teamId,omitempty"`
	OrgID       int64  `json:"orgId,omitempty"`
	Nationality string `json:"nationality,omitempty"`
	PersonID    int64  `json:"personId,omitempty"`
	// IncludeDrafts lists drafts too (they are left out by default).
	IncludeDrafts bool `json:"includeDrafts,omitempty"`
	Limit         int  `json:"limit"`  // 1..MaxPage
	Offset        int  `json:"offset"` // >= 0
	// After is a keyset cursor: list the cases with ids below it (pages
	// are newest first; pass the previous Page.Next). 0 starts at the top.
	After int64 `json:"after,omitempty"`
}

// MaxPage is the largest page of a listing.
const MaxPage = 500

// Validate checks a filter; errors wrap derrors.Invalid and name the
// parameter.
func (f Filter) Validate() error {
	var ps Problems
	ps.oneOf("kind", f.Kind, Kinds, false)
	ps.oneOf("status", f.Status, CaseStatuses, false)
	ps.id("ownerId", f.OwnerID, false)
	ps.id("teamId", f.TeamID, false)
	ps.id("orgId", f.OrgID, false)
	ps.id("personId", f.PersonID, false)
	ps.iso3("nationality", f.Nationality, false)
	if f.Limit < 1 || f.Limit > MaxPage {
		ps.add("limit", "range", map[string]any{"Min": 1, "Max": MaxPage}, "from 1 to %d", MaxPage)
	}
	if f.Offset < 0 {
		ps.add("offset", "range", map[string]any{"Min": 0}, "not negative")
	}
	if f.After < 0 {
		ps.add("after", "range", map[string]any{"Min": 0}, "not negative")
	}
	return ps.Err()
}

// MaxTotal bounds the count of a listing's matching cases (Page.Total).
const MaxTotal = 1000

// Page is one page of a listing: summaries, never the personal fields.
type Page struct {
	Items []Summary `json:"items"`
	// Total counts the matching cases up to MaxTotal; when more match,
	// Total is MaxTotal and TotalCapped is set ("more than MaxTotal").
	Total       int  `json:"total"`
	TotalCapped bool `json:"totalCapped,omitempty"`
	// Next is the After of the following page; 0 on the last page.
	Next int64 `json:"next,omitempty"`
}

// Patch is an edit of a case (PATCH /api/v1/cases/{id}): the version the
// editor read and the new case fields. Scope fields (OrgID, TeamID,
// OwnerID), Status and the stage are not changed by a patch: Assign,
// Transition and AdvanceStage do that.
type Patch struct {
	Version     int64        `json:"version"`
	Draft       *bool        `json:"draft,omitempty"`
	OpenedOn    *string      `json:"openedOn,omitempty"`
	Trafficking *Trafficking `json:"trafficking,omitempty"`
	Return      *Return      `json:"return,omitempty"`
}

// Assignment moves a case to another case worker, team or organisation
// (a transfer). Zero fields keep their value.
type Assignment struct {
	Version int64 `json:"version"`
	OwnerID int64 `json:"ownerId,omitempty"`
	TeamID  int64 `json:"teamId,omitempty"`
	OrgID   int64 `json:"orgId,omitempty"`
}

// Store is what the store implements for case work and what the web
// layer (pages under /cases and /api/v1/cases) calls. Every method takes
// the principal the request acts as, checks its permission on the
// "cases" resource and the record scope of the case (or, for another
// organisation, an accepted referral with consent in force:
// ReferralGrantsAccess), encrypts personal fields, and writes the audit
// trail for every read and change of personal data.
//
// Error kinds, tested with errors.Is: derrors.NotFound when the case (or
// the record named) does not exist or is outside the caller's scope, so
// that ids outside one's scope cannot be probed; derrors.Forbidden when
// the caller may read the case but not do this (a case worker assigning,
// an organisation accepting a referral made to another); derrors.Invalid
// when input is wrong (the message names the field, as Check does);
// derrors.Conflict when the version named is stale (nothing is changed
// and the stored case is left as it was) or the change contradicts the
// case's state (CanTransition, CanAdvance, the referral and closing
// rules). Nothing is changed when an error is returned.
type Store interface {
	// Create registers a case for an existing person (Invalid, Forbidden,
	// NotFound for an unknown person). Version starts at 1.
	Create(ctx context.Context, p *auth.Principal, c Case) (Case, error)
	// Get returns a case with its details (NotFound, Forbidden).
	Get(ctx context.Context, p *auth.Principal, id int64) (Case, error)
	// List returns a page of the cases in the caller's scope matching f
	// (Invalid for a bad filter).
	List(ctx context.Context, p *auth.Principal, f Filter) (Page, error)
	// Update applies a patch if patch.Version is the stored version, and
	// returns the case at the next version (NotFound, Forbidden, Invalid,
	// Conflict when stale).
	Update(ctx context.Context, p *auth.Principal, id int64, patch Patch) (Case, error)
	// Transition changes a trafficking case's status under the closing
	// rules of Case.Transition (NotFound, Forbidden, Invalid, Conflict).
	Transition(ctx context.Context, p *auth.Principal, id, version int64, status, reason string) (Case, error)
	// AdvanceStage moves a return case to a stage (Case.AdvanceStage;
	// NotFound, Forbidden, Invalid, Conflict).
	AdvanceStage(ctx context.Context, p *auth.Principal, id, version int64, stage, reason string, byReferral bool) (Case, error)
	// Assign transfers a case (needs the assign action; NotFound,
	// Forbidden, Invalid for an unknown user, team or organisation,
	// Conflict when stale).
	Assign(ctx context.Context, p *auth.Principal, id int64, a Assignment) (Case, error)

	// AddComment adds a case comment (NotFound, Forbidden, Invalid).
	AddComment(ctx context.Context, p *auth.Principal, caseID int64, body string) (Comment, error)
	// Comments lists a case's comments, oldest first (NotFound, Forbidden).
	Comments(ctx context.Context, p *auth.Principal, caseID int64) ([]Comment, error)
	// AddTask adds a task (NotFound, Forbidden, Invalid).
	AddTask(ctx context.Context, p *auth.Principal, caseID int64, t Task) (Task, error)
	// CompleteTask marks a task done on a date (NotFound, Forbidden,
	// Invalid, Conflict when already done).
	CompleteTask(ctx context.Context, p *auth.Principal, taskID int64, doneOn string) (Task, error)
	// OverdueTasks lists the overdue tasks of the cases in the caller's
	// scope at now (Task.Overdue), oldest due first.
	OverdueTasks(ctx context.Context, p *auth.Principal, now time.Time) ([]Task, error)

	// AddService records a service given (POST /api/v1/cases/{id}/services;
	// NotFound, Forbidden, Invalid).
	AddService(ctx context.Context, p *auth.Principal, caseID int64, s Service) (Service, error)
	// Services lists a case's services by date (NotFound, Forbidden).
	Services(ctx context.Context, p *auth.Principal, caseID int64) ([]Service, error)

	// RecordConsent appends a consent record — given or withdrawn — for
	// the case's person (POST /api/v1/cases/{id}/consents; NotFound,
	// Forbidden, Invalid). A withdrawal of consent to referral ends the
	// access that referrals gave.
	RecordConsent(ctx context.Context, p *auth.Principal, caseID int64, c Consent) (Consent, error)
	// Consents lists the case's consent records (NotFound, Forbidden).
	Consents(ctx context.Context, p *auth.Principal, caseID int64) ([]Consent, error)

	// Refer refers a case to another organisation (needs the refer
	// action; NewReferral: Conflict without consent to referral or on a
	// closed case; NotFound for an unknown organisation; Invalid).
	Refer(ctx context.Context, p *auth.Principal, caseID, toOrgID int64, reason, details string) (Referral, error)
	// DecideReferral accepts, declines (receiving organisation) or revokes
	// (referring organisation) a referral (Referral.Decide; NotFound,
	// Forbidden for the wrong organisation, Invalid, Conflict).
	DecideReferral(ctx context.Context, p *auth.Principal, referralID int64, status, note string) (Referral, error)
	// Referrals lists a case's referrals (NotFound, Forbidden).
	Referrals(ctx context.Context, p *auth.Principal, caseID int64) ([]Referral, error)

	// AddMonitoring records a reintegration monitoring visit on a return
	// case (NotFound, Forbidden, Invalid, Conflict for a trafficking case
	// or before arrival).
	AddMonitoring(ctx context.Context, p *auth.Principal, caseID int64, m Monitoring) (Monitoring, error)

	// Duplicates scores the people in the caller's scope against an
	// intake (Score, FindDuplicates) and returns the matches from the
	// threshold (Invalid for an empty probe). The store selects the
	// candidates by blocking keys it can query (nationality, document
	// blind index) and decrypts only those.
	Duplicates(ctx context.Context, p *auth.Principal, probe Candidate) ([]Match, error)
	// MergePeople merges a reviewed duplicate: the cases, consents and
	// referrals of drop move to keep, and drop is deleted (needs update on
	// both people; NotFound, Forbidden, Conflict when stale).
	MergePeople(ctx context.Context, p *auth.Principal, keepID, dropID, keepVersion, dropVersion int64) error

	// Caseload returns the dashboard counts over the cases in the
	// caller's scope matching f (Limit and Offset ignored; Forbidden for
	// roles without dashboards).
	Caseload(ctx context.Context, p *auth.Principal, f Filter) (Caseload, error)
	// Export streams the rows of the cases in the caller's scope matching
	// f, with the columns e allows (the store narrows e.Visibility to what
	// the caller may see), calling header once and then row per case;
	// audited (Forbidden without the export action, Invalid).
	Export(ctx context.Context, p *auth.Principal, f Filter, e Export, header func([]string) error, row func([]string) error) error
}

// ParseStatus reads a status typed in a form or query ("closed referred",
// "follow-up" → ClosedReferred, FollowUp).
func ParseStatus(s string) (string, error) {
	k := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
	if i := slices.IndexFunc(CaseStatuses, func(v string) bool { return strings.ToLower(v) == k }); i >= 0 {
		return CaseStatuses[i], nil
	}
	return "", derrors.Kindf(derrors.Invalid, "status: %q is not one of %s", s, strings.Join(CaseStatuses, ", "))
}
