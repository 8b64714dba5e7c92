package cases

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Comment is a case comment (cco_): a formal update from a case worker.
type Comment struct {
	ID        int64     `json:"id"`
	CaseID    int64     `json:"caseId"`
	AuthorID  int64     `json:"authorId"`
	Body      string    `json:"cco_CaseComment"`
	CreatedAt time.Time `json:"createdAt"`
}

// Check returns every problem of a comment.
func (c Comment) Check() Problems {
	var ps Problems
	ps.text("cco_CaseComment", c.Body, true, true, MaxLongText)
	ps.id("authorId", c.AuthorID, true)
	return ps
}

// Validate checks a comment; the error is the first problem.
func (c Comment) Validate() error { return c.Check().Err() }

// Task is a follow-up to do on a case by a due date.
type Task struct {
	ID         int64  `json:"id"`
	CaseID     int64  `json:"caseId"`
	Title      string `json:"title"`
	Due        string `json:"due"` // YYYY-MM-DD: due by the end of that day
	AssigneeID int64  `json:"assigneeId"`
	// DoneOn is the date the task was completed; "" while open.
	DoneOn    string    `json:"doneOn,omitempty"`
	CreatedBy int64     `json:"createdBy,omitempty"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
}

// Check returns every problem of a task.
func (t Task) Check() Problems {
	var ps Problems
	ps.text("title", t.Title, true, false, MaxText)
	ps.date("due", t.Due, true)
	ps.id("assigneeId", t.AssigneeID, true)
	ps.date("doneOn", t.DoneOn, false)
	return ps
}

// Validate checks a task; the error is the first problem.
func (t Task) Validate() error { return t.Check().Err() }

// Overdue reports whether an open task is past its due date: the day
// after Due has begun at now, in now's location (pass the time in the
// case worker's zone so that a task due today is not overdue until
// tomorrow there). Done tasks and tasks with an unreadable date are never
// overdue.
func (t Task) Overdue(now time.Time) bool {
	if t.DoneOn != "" || !dateRE.MatchString(t.Due) {
		return false
	}
	return civilDate(now) > t.Due
}

// OverdueTasks returns the overdue tasks, oldest due date first (then by
// id).
func OverdueTasks(tasks []Task, now time.Time) []Task {
	var out []Task
	for _, t := range tasks {
		if t.Overdue(now) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b Task) int {
		return cmp.Or(strings.Compare(a.Due, b.Due), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Service types: the assistance given to a person. Not an HTCDS list
// (HTCDS records support plans, spl_Type); these are the services the
// issue names plus the other usual ones of IOM direct assistance.
var ServiceTypes = []string{"Shelter", "Medical", "Psychosocial", "Legal", "Return", "Reintegration",
	"Education", "Livelihood", "Financial", "Interpretation", "Documentation", "FamilyTracing", "Other"}

// Service is a service given on a case.
type Service struct {
	ID     int64  `json:"id"`
	CaseID int64  `json:"caseId"`
	Type   string `json:"type"`
	Date   string `json:"date"`
	// ProviderOrgID is the organisation that gave the service (the case's
	// own or one it referred to).
	ProviderOrgID int64     `json:"providerOrgId"`
	Note          string    `json:"note,omitempty"`
	RecordedBy    int64     `json:"recordedBy"`
	CreatedAt     time.Time `json:"createdAt,omitzero"`
}

// Check returns every problem of a service.
func (s Service) Check() Problems {
	var ps Problems
	ps.oneOf("type", s.Type, ServiceTypes, true)
	ps.date("date", s.Date, true)
	ps.id("providerOrgId", s.ProviderOrgID, true)
	ps.text("note", s.Note, false, true, MaxLongText)
	ps.id("recordedBy", s.RecordedBy, true)
	return ps
}

// Validate checks a service; the error is the first problem.
func (s Service) Validate() error { return s.Check().Err() }

// Consent types: what a person agreed to. HTCDS 2.0 records consent as
// one checkbox (con_Consent) with guidance on what the person was told;
// Corridor records each purpose separately, so that a person can agree
// to assistance but not to referral or to statistical use.
const (
	ConsentAssistance = "assistance"
	ConsentReferral   = "referral"
	ConsentStatistics = "data-use-for-statistics"
)

// ConsentTypes lists the consent types.
var ConsentTypes = []string{ConsentAssistance, ConsentReferral, ConsentStatistics}

// Consent is one recorded decision of a person: consent given or
// withdrawn for a purpose, on a date. Records are never edited: a
// withdrawal is a new record, and the latest record of a type decides.
type Consent struct {
	ID         int64     `json:"id"`
	CaseID     int64     `json:"caseId"`
	PersonID   int64     `json:"personId"`
	Type       string    `json:"type"`
	Given      bool      `json:"con_Consent"` // true: given; false: withdrawn (or refused)
	Date       string    `json:"date"`
	RecordedBy int64     `json:"recordedBy"`
	Note       string    `json:"note,omitempty"`
	CreatedAt  time.Time `json:"createdAt,omitzero"`
}

// Check returns every problem of a consent record.
func (c Consent) Check() Problems {
	var ps Problems
	ps.oneOf("type", c.Type, ConsentTypes, true)
	ps.date("date", c.Date, true)
	ps.id("personId", c.PersonID, true)
	ps.id("recordedBy", c.RecordedBy, true)
	ps.text("note", c.Note, false, true, MaxLongText)
	return ps
}

// Validate checks a consent record; the error is the first problem.
func (c Consent) Validate() error { return c.Check().Err() }

// LatestConsent returns the record of a type that is in force on date
// (YYYY-MM-DD): the latest by date, then by id, among those dated on or
// before it. ok is false when there is none.
func LatestConsent(consents []Consent, typ, date string) (latest Consent, ok bool) {
	for _, c := range consents {
		if c.Type != typ || c.Date > date {
			continue
		}
		if !ok || c.Date > latest.Date || c.Date == latest.Date && c.ID > latest.ID {
			latest, ok = c, true
		}
	}
	return latest, ok
}

// HasConsent reports whether consent of a type is given (and not
// withdrawn) on date.
func HasConsent(consents []Consent, typ, date string) bool {
	c, ok := LatestConsent(consents, typ, date)
	return ok && c.Given
}

// UsableForStatistics reports whether a case may be counted in
// statistics and de-identified releases: only with consent to data use
// for statistics in force on date.
func UsableForStatistics(consents []Consent, date string) bool {
	return HasConsent(consents, ConsentStatistics, date)
}

// RequireReferralConsent is the referral rule: a referral needs the
// person's consent to referral, recorded and in force at the time of the
// referral. It returns that consent record (the referral keeps its id) or
// an error wrapping derrors.Conflict that says what is missing.
func RequireReferralConsent(consents []Consent, personID int64, at time.Time) (Consent, error) {
	var own []Consent
	for _, c := range consents {
		if c.PersonID == personID {
			own = append(own, c)
		}
	}
	c, ok := LatestConsent(own, ConsentReferral, civilDate(at))
	switch {
	case !ok:
		return Consent{}, derrors.Kindf(derrors.Conflict, "consent: the person's consent to referral has not been recorded; record it before referring")
	case !c.Given:
		return Consent{}, derrors.Kindf(derrors.Conflict, "consent: the person withdrew or refused consent to referral on %s", c.Date)
	}
	return c, nil
}

// Referral statuses.
const (
	ReferralRequested = "requested"
	ReferralAccepted  = "accepted"
	ReferralDeclined  = "declined"
	ReferralRevoked   = "revoked"
)

// ReferralStatuses lists the referral statuses.
var ReferralStatuses = []string{ReferralRequested, ReferralAccepted, ReferralDeclined, ReferralRevoked}

var referralTransitions = map[string][]string{
	ReferralRequested: {ReferralAccepted, ReferralDeclined, ReferralRevoked},
	ReferralAccepted:  {ReferralRevoked},
}

// Referral is an outgoing referral of a case to another organisation
// (HTCDS Referral Details, cas_ fields). The receiving organisation
// accepts or declines it; the referring one (or the person, through a
// withdrawal of consent) can revoke it.
type Referral struct {
	ID        int64  `json:"id"`
	CaseID    int64  `json:"caseId"`
	FromOrgID int64  `json:"cas_ReferringOrganisation"`
	ToOrgID   int64  `json:"cas_ReferredOrganisation"`
	Reason    string `json:"cas_ReasonForOutgoingReferral"`
	Date      string `json:"cas_OutgoingReferralDate"`
	Details   string `json:"cas_OutgoingReferralDetails,omitempty"`
	Status    string `json:"status"`
	// ConsentID is the consent to referral the referral relied on.
	ConsentID   int64     `json:"consentId"`
	RequestedBy int64     `json:"requestedBy"`
	DecidedBy   int64     `json:"decidedBy,omitempty"`
	DecidedAt   time.Time `json:"decidedAt,omitzero"`
	Note        string    `json:"note,omitempty"` // why it was declined or revoked
}

// Check returns every problem of a referral's own fields.
func (r Referral) Check() Problems {
	var ps Problems
	ps.id("cas_ReferringOrganisation", r.FromOrgID, true)
	ps.id("cas_ReferredOrganisation", r.ToOrgID, true)
	if r.ToOrgID != 0 && r.ToOrgID == r.FromOrgID {
		ps.add("cas_ReferredOrganisation", "sameOrg", nil, "another organisation than the referring one")
	}
	ps.oneOf("cas_ReasonForOutgoingReferral", r.Reason, ReferralReasons, true)
	ps.date("cas_OutgoingReferralDate", r.Date, true)
	ps.text("cas_OutgoingReferralDetails", r.Details, r.Reason == "Other", true, MaxLongText)
	ps.oneOf("status", r.Status, ReferralStatuses, true)
	ps.id("consentId", r.ConsentID, true)
	ps.id("requestedBy", r.RequestedBy, true)
	ps.text("note", r.Note, false, true, MaxLongText)
	return ps
}

// Validate checks a referral; the error is the first problem.
func (r Referral) Validate() error { return r.Check().Err() }

// NewReferral makes a requested referral of c to another organisation,
// applying the referral rule: it fails (derrors.Conflict) without the
// person's consent to referral in force at at, and (derrors.Invalid)
// when a field is wrong.
func NewReferral(c Case, consents []Consent, toOrgID int64, reason, details string, by int64, at time.Time) (Referral, error) {
	if c.Closed() {
		return Referral{}, derrors.Kindf(derrors.Conflict, "cas_Status: a closed case is not referred; reopen it first")
	}
	consent, err := RequireReferralConsent(consents, c.PersonID, at)
	if err != nil {
		return Referral{}, err
	}
	r := Referral{CaseID: c.ID, FromOrgID: c.OrgID, ToOrgID: toOrgID, Reason: reason, Date: civilDate(at),
		Details: strings.TrimSpace(details), Status: ReferralRequested, ConsentID: consent.ID, RequestedBy: by}
	return r, r.Validate()
}

// Decide moves a referral to accepted, declined or revoked. The store
// checks who may: the receiving organisation accepts or declines, the
// referring one revokes.
func (r *Referral) Decide(to string, by int64, at time.Time, note string) error {
	if !slices.Contains(ReferralStatuses, to) || to == ReferralRequested {
		return derrors.Kindf(derrors.Invalid, "status: one of accepted, declined, revoked")
	}
	if !slices.Contains(referralTransitions[r.Status], to) {
		return derrors.Kindf(derrors.Conflict, "status: a referral that is %s cannot be %s", r.Status, to)
	}
	var ps Problems
	ps.text("note", note, to == ReferralDeclined || to == ReferralRevoked, true, MaxLongText)
	ps.id("decidedBy", by, true)
	if err := ps.Err(); err != nil {
		return err
	}
	r.Status, r.DecidedBy, r.DecidedAt, r.Note = to, by, at, strings.TrimSpace(note)
	return nil
}

// ReferralGrantsAccess reports whether a referral gives organisation
// orgID access to the referred case at a time: it was made to that
// organisation, accepted and not revoked, and the person's consent to
// referral is still in force (a withdrawal removes the access as a
// revocation does).
func ReferralGrantsAccess(r Referral, consents []Consent, personID, orgID int64, at time.Time) bool {
	if r.Status != ReferralAccepted || r.ToOrgID != orgID || orgID == 0 {
		return false
	}
	_, err := RequireReferralConsent(consents, personID, at)
	return err == nil
}
