// Package cases is counter-trafficking and return case management: the
// case work that produces first-hand data on trafficking victims and
// returning migrants (issue 5).
//
// Two kinds of case share one record: a counter-trafficking case aligned
// with the Human Trafficking Case Data Standard 2.0 (HTCDS; field names
// such as cas_Status and vic_MethodsOfControl are the JSON names and
// export columns, and its value lists are transcribed in htcds.go), and an
// assisted voluntary return and reintegration (AVRR) case that moves from
// application to monitoring. Both refer to a person of the shared registry
// (internal/people) by id; a person can have cases of both kinds.
//
// Around a case: comments, tasks with due dates, services given,
// consents, and referrals to other organisations, which require a recorded
// consent to referral. The package also holds duplicate detection at
// intake, caseload counts for dashboards and the mapping of a case to an
// export row.
//
// It holds types, validation and pure logic; it imports neither SQL nor
// HTTP. Store (store.go) is the interface the store layer implements.
package cases

import (
	"slices"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// Case kinds.
const (
	KindTrafficking = "trafficking" // counter-trafficking assistance (HTCDS)
	KindReturn      = "return"      // assisted voluntary return and reintegration
)

// Kinds lists the case kinds.
var Kinds = []string{KindTrafficking, KindReturn}

// Case is one case about one person.
type Case struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	PersonID int64  `json:"personId"`
	// OrgID, TeamID and OwnerID are what record scopes check; OwnerID is
	// the case worker who manages the case (cas_CaseOwner).
	OrgID   int64 `json:"orgId"`
	TeamID  int64 `json:"teamId,omitempty"`
	OwnerID int64 `json:"cas_CaseOwner"`
	// Status is cas_Status. For a return case it follows the stage
	// (StatusOfStage).
	Status string `json:"cas_Status"`
	// ReasonForClosure is cas_ReasonForCaseClosure (HTCDS: long text).
	ReasonForClosure string `json:"cas_ReasonForCaseClosure,omitempty"`
	// OpenedOn is the date the person was identified or registered
	// (CTDC's yearOfRegistration and age at registration derive from it);
	// ClosedOn is set while the case is closed.
	OpenedOn string `json:"openedOn"`
	ClosedOn string `json:"closedOn,omitempty"`
	// Version is for optimistic concurrency: an update names the version
	// it read, and a stale one is refused.
	Version int64 `json:"version"`
	// Draft marks a case saved before it is complete: required fields may
	// be missing, but what is given must be valid, and a draft is not
	// closed.
	Draft     bool      `json:"draft"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`

	// Exactly one of these is set, according to Kind.
	Trafficking *Trafficking `json:"trafficking,omitempty"`
	Return      *Return      `json:"return,omitempty"`
}

// Record returns the ownership facts record scopes check.
func (c Case) Record() auth.Record {
	return auth.Record{OwnerID: c.OwnerID, TeamID: c.TeamID, OrgID: c.OrgID}
}

// Closed reports whether the case is closed (Closed or ClosedReferred).
func (c Case) Closed() bool { return IsClosedStatus(c.Status) }

// IsClosedStatus reports whether a status closes a case.
func IsClosedStatus(s string) bool { return s == StatusClosed || s == StatusClosedReferred }

// Check returns every problem of a case and its details.
func (c Case) Check() Problems {
	var ps Problems
	required := !c.Draft
	ps.oneOf("kind", c.Kind, Kinds, true)
	ps.id("personId", c.PersonID, true)
	ps.id("orgId", c.OrgID, true)
	ps.id("teamId", c.TeamID, false)
	ps.id("cas_CaseOwner", c.OwnerID, true)
	ps.oneOf("cas_Status", c.Status, CaseStatuses, true)
	ps.text("cas_ReasonForCaseClosure", c.ReasonForClosure, c.Status == StatusClosed, true, MaxLongText)
	if c.ReasonForClosure != "" && !c.Closed() {
		ps.add("cas_ReasonForCaseClosure", "onlyWhenClosed", nil, "given only when the case is closed")
	}
	okOpened := ps.date("openedOn", c.OpenedOn, true)
	if ps.date("closedOn", c.ClosedOn, c.Closed()) && okOpened && c.ClosedOn < c.OpenedOn {
		ps.add("closedOn", "notBefore", map[string]any{"Value": c.OpenedOn}, "not before the case was opened (%s)", c.OpenedOn)
	}
	if c.ClosedOn != "" && !c.Closed() {
		ps.add("closedOn", "onlyWhenClosed", nil, "given only when the case is closed")
	}
	if c.Draft && c.Closed() {
		ps.add("draft", "draftClosed", nil, "a draft case is completed before it is closed")
	}
	if c.Version < 0 {
		ps.add("version", "range", map[string]any{"Min": 0}, "not negative")
	}
	switch c.Kind {
	case KindTrafficking:
		if c.Return != nil {
			ps.add("return", "wrongKind", nil, "a trafficking case has no return details")
		}
		switch {
		case c.Trafficking != nil:
			ps.merge("trafficking.", c.Trafficking.Check(required))
		case required:
			ps.add("trafficking", "required", nil, "required for a trafficking case")
		}
	case KindReturn:
		if c.Trafficking != nil {
			ps.add("trafficking", "wrongKind", nil, "a return case has no trafficking details")
		}
		switch {
		case c.Return != nil:
			ps.merge("return.", c.Return.Check(required))
			if c.Status != "" && c.Return.Stage != "" && !statusFitsStage(c.Status, c.Return.Stage) {
				ps.add("cas_Status", "stageStatus", map[string]any{"Value": c.Return.Stage},
					"%s does not fit the return stage %s (expected %s)", c.Status, c.Return.Stage, StatusOfStage(c.Return.Stage))
			}
		case required:
			ps.add("return", "required", nil, "required for a return case")
		}
	}
	return ps
}

// Validate checks a case; the error is the first problem.
func (c Case) Validate() error { return c.Check().Err() }

// statusTransitions are the allowed changes of cas_Status. A closed case
// can be reopened (Active); closing always goes through the closing rules
// of Transition.
var statusTransitions = map[string][]string{
	StatusActive:         {StatusFollowUp, StatusClosed, StatusClosedReferred},
	StatusFollowUp:       {StatusActive, StatusClosed, StatusClosedReferred},
	StatusClosed:         {StatusActive},
	StatusClosedReferred: {StatusActive},
}

// AllowedStatuses returns the statuses a case may move to from a status.
func AllowedStatuses(from string) []string { return slices.Clone(statusTransitions[from]) }

// CanTransition reports whether the state machine allows from → to.
func CanTransition(from, to string) bool { return slices.Contains(statusTransitions[from], to) }

// Transition changes the status of a trafficking case, applying the
// closing rules: Closed needs a reason for closure; ClosedReferred needs
// an accepted referral among refs; a draft is not closed; reopening
// (→ Active) clears the reason and closing date. on is the date of the
// change. A return case's status follows its stage: use AdvanceStage.
//
// Errors wrap derrors.Invalid for an unknown status or a missing reason,
// and derrors.Conflict when the change contradicts the case's state
// (not an allowed transition, no accepted referral, a draft, a return
// case).
func (c *Case) Transition(to, reason string, refs []Referral, on time.Time) error {
	if c.Kind == KindReturn {
		return derrors.Kindf(derrors.Conflict, "cas_Status: a return case's status follows its stage; change return.stage instead")
	}
	return c.setStatus(to, reason, refs, on)
}

func (c *Case) setStatus(to, reason string, refs []Referral, on time.Time) error {
	if !slices.Contains(CaseStatuses, to) {
		return derrors.Kindf(derrors.Invalid, "cas_Status: %q is not one of %s", to, strings.Join(CaseStatuses, ", "))
	}
	if to == c.Status {
		return derrors.Kindf(derrors.Conflict, "cas_Status: the case is already %s", to)
	}
	if !CanTransition(c.Status, to) {
		return derrors.Kindf(derrors.Conflict, "cas_Status: a case cannot go from %s to %s (allowed: %s)",
			c.Status, to, strings.Join(statusTransitions[c.Status], ", "))
	}
	reason = strings.TrimSpace(reason)
	switch to {
	case StatusClosed, StatusClosedReferred:
		if c.Draft {
			return derrors.Kindf(derrors.Conflict, "draft: a draft case is completed before it is closed")
		}
		if to == StatusClosed && reason == "" {
			return derrors.Kindf(derrors.Invalid, "cas_ReasonForCaseClosure: required to close a case")
		}
		if to == StatusClosedReferred && !slices.ContainsFunc(refs, func(r Referral) bool {
			return r.Status == ReferralAccepted && (r.CaseID == c.ID || c.ID == 0)
		}) {
			return derrors.Kindf(derrors.Conflict, "cas_Status: ClosedReferred needs a referral that the receiving organisation has accepted")
		}
		var ps Problems
		ps.text("cas_ReasonForCaseClosure", reason, false, true, MaxLongText)
		if err := ps.Err(); err != nil {
			return err
		}
		c.ReasonForClosure, c.ClosedOn = reason, civilDate(on)
	default:
		c.ReasonForClosure, c.ClosedOn = "", ""
	}
	c.Status = to
	return nil
}

// CheckVersion refuses a stale edit: the version the editor read must be
// the stored one. The store calls it inside the update's transaction.
func CheckVersion(stored, read int64) error {
	if read != stored {
		return derrors.Kindf(derrors.Conflict,
			"version: the case was changed by someone else since you opened it (you edited version %d, it is now at version %d); reload it to see those changes before saving yours",
			read, stored)
	}
	return nil
}
