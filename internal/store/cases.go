package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/people"
)

// Cases stores counter-trafficking and return cases (internal/cases) and
// implements cases.Store.
//
// Permissions: every method checks the principal's grants on the "cases"
// resource and the record scope of the case. An organisation that a case
// was referred to, by a referral it accepted while the person's consent to
// referral is in force, may read the case and add work records to it
// (comments, tasks, services, consents, monitoring) — never edit,
// transition, assign, refer onward or export it. Listings read that rule
// from case_access (referredSQL), which the store maintains in the same
// transactions as the referrals and consents it derives from, so that a
// revocation or a withdrawal of consent removes access at once; the check
// of one case (referred) also re-reads the consent in force.
//
// Audit: every method writes its audit entries (resource "cases") in the
// transaction of the read or change it records, so that an access and its
// trace commit together; the web layer marks these routes with
// web.SkipAudit and passes the client address with WithAuditClient.
//
// Personal and free-text fields are encrypted with the DB's keys; the
// coded fields that listings, scopes and dashboards filter on are stored
// in clear (see migration 00010). Nothing personal is logged or put in an
// error message or audit detail.
type Cases struct{ db *DB }

// Cases returns the case store.
func (db *DB) Cases() *Cases { return &Cases{db: db} }

var _ cases.Store = (*Cases)(nil)

const casesResource = "cases"

type auditClientKey struct{}

// WithAuditClient returns a context whose case audit entries carry the
// client's address and a note on how it authenticated ("API token 7").
func WithAuditClient(ctx context.Context, addr, detail string) context.Context {
	return context.WithValue(ctx, auditClientKey{}, [2]string{addr, detail})
}

func (s *Cases) audit(ctx context.Context, tx *Tx, p *auth.Principal, action, outcome string, record int64, detail string) error {
	e := audit.Entry{ActorID: p.UserID, ActorName: p.Username, OrgID: p.OrgID, Action: action, Resource: casesResource,
		Outcome: outcome, Detail: detail}
	if record != 0 {
		e.RecordID = strconv.FormatInt(record, 10)
	}
	if v, ok := ctx.Value(auditClientKey{}).([2]string); ok {
		e.ClientAddr = v[0]
		if v[1] != "" {
			e.Detail = strings.TrimSuffix(v[1]+"; "+e.Detail, "; ")
		}
	}
	if len(e.Detail) > audit.MaxDetailLen {
		e.Detail = e.Detail[:audit.MaxDetailLen]
	}
	_, err := s.db.Audit().AppendTx(ctx, tx, e)
	return err
}

// today is the civil date (UTC) consents and referrals are judged at.
func today() string { return now().UTC().Format("2006-01-02") }

func forbidden(action string) error {
	return derrors.Kindf(derrors.Forbidden, "your roles do not allow %s on cases", action)
}

func noCase(id int64) error { return derrors.Kindf(derrors.NotFound, "no case %d", id) }

// consentInForceSQL is true when the consent to referral in force for the
// person of case c at the date bound to its placeholder (the latest record
// by date, then id) is given.
const consentInForceSQL = `COALESCE((SELECT cn.given FROM case_consents cn WHERE cn.person_id = c.person_id AND cn.type = 'referral'
		AND cn.consent_date <= ? ORDER BY cn.consent_date DESC, cn.id DESC LIMIT 1), FALSE)`

// referredSQL is true for a case (alias c) referred to the organisation
// bound to its placeholder: a row of case_access, which the store keeps
// as the accepted referrals whose person's consent to referral is in
// force (syncAccess, in the transactions that change either).
const referredSQL = `c.id IN (SELECT a.id FROM case_access a WHERE a.to_org_id = ?)`

// accessColumns are the columns of cases that case_access copies.
const accessColumns = `kind, person_id, org_id, team_id, owner_id, status, draft, nationality`

// insertAccessSQL inserts the case_access rows of the cases c matching
// the condition that follows it: accepted referrals, consent in force at
// the date bound to its first placeholder.
const insertAccessSQL = `INSERT INTO case_access (to_org_id, id, ` + accessColumns + `)
	SELECT DISTINCT r.to_org_id, c.id, c.kind, c.person_id, c.org_id, c.team_id, c.owner_id, c.status, c.draft, c.nationality
	FROM case_referrals r JOIN cases c ON c.id = r.case_id
	WHERE r.status = 'accepted' AND ` + consentInForceSQL + ` AND `

// syncAccess recomputes the case_access rows of a person's cases from
// their accepted referrals and the person's consent to referral in force.
func syncAccess(ctx context.Context, tx *Tx, personID int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM case_access WHERE id IN (SELECT id FROM cases WHERE person_id = ?)`, personID); err != nil {
		return classify(err)
	}
	_, err := tx.Exec(ctx, insertAccessSQL+`c.person_id = ? ON CONFLICT DO NOTHING`, today(), personID)
	return classify(err)
}

var casesScope = scopeColumns{org: "c.org_id", owner: "c.owner_id", team: "c.team_id IN (%s)"}

// caseHead is what access decisions need of a case.
type caseHead struct {
	id, personID, version int64
	kind, status          string
	draft                 bool
	rec                   auth.Record
	viaReferral           bool // access comes from an accepted referral
}

func (s *Cases) head(ctx context.Context, tx *Tx, id int64) (caseHead, error) {
	h := caseHead{id: id}
	err := tx.QueryRow(ctx, `SELECT person_id, version, kind, status, draft, org_id, COALESCE(team_id, 0), owner_id FROM cases WHERE id = ?`, id).
		Scan(&h.personID, &h.version, &h.kind, &h.status, &h.draft, &h.rec.OrgID, &h.rec.TeamID, &h.rec.OwnerID)
	if errors.Is(err, sql.ErrNoRows) {
		return h, noCase(id)
	}
	return h, classify(err)
}

func (s *Cases) referred(ctx context.Context, tx *Tx, caseID, orgID int64) (bool, error) {
	if orgID == 0 {
		return false, nil
	}
	var n int
	// One key of case_access, not referredSQL's list: that would read
	// every case referred to the organisation (tens of thousands at a
	// million cases) to test one.
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM case_access a JOIN cases c ON c.id = a.id
		WHERE a.to_org_id = ? AND a.id = ? AND `+consentInForceSQL, orgID, caseID, today()).Scan(&n)
	return n > 0, classify(err)
}

// Access kinds: what a method does to a case.
const (
	accRead = iota // read it and its records
	accWork        // add a comment, task, service, consent or monitoring visit
	accEdit        // change the case itself (patch, status, stage)
	accAssign
	accRefer
)

var accAction = map[int]string{accRead: auth.Read, accWork: auth.Update, accEdit: auth.Update, accAssign: auth.Assign, accRefer: auth.Refer}

// access loads the head of a case and decides whether p may act on it:
// NotFound when p cannot even read it (so ids cannot be probed), Forbidden
// when p can read it but not do this.
func (s *Cases) access(ctx context.Context, tx *Tx, p *auth.Principal, id int64, kind int) (caseHead, error) {
	action := accAction[kind]
	if p == nil || !p.Can(casesResource, action) {
		if p != nil && p.Can(casesResource, auth.Read) {
			// Say no without saying whether the case exists.
			if h, err := s.head(ctx, tx, id); err == nil && s.canRead(ctx, tx, p, h) {
				return h, forbidden(action)
			}
			return caseHead{}, noCase(id)
		}
		return caseHead{}, forbidden(action)
	}
	h, err := s.head(ctx, tx, id)
	if err != nil {
		return h, err
	}
	if p.Allows(casesResource, action, h.rec) {
		return h, nil
	}
	if kind == accRead || kind == accWork {
		ok, err := s.referred(ctx, tx, id, p.OrgID)
		if err != nil {
			return h, err
		}
		if ok {
			h.viaReferral = true
			return h, nil
		}
	}
	if s.canRead(ctx, tx, p, h) {
		return h, forbidden(action)
	}
	return h, noCase(id)
}

func (s *Cases) canRead(ctx context.Context, tx *Tx, p *auth.Principal, h caseHead) bool {
	if p.Allows(casesResource, auth.Read, h.rec) {
		return true
	}
	ok, err := s.referred(ctx, tx, h.id, p.OrgID)
	return err == nil && ok
}

// personInfo is what a case copies or derives from its person.
type personInfo struct {
	id          int64
	rec         auth.Record
	nationality string
	birthDate   string
	person      *people.Person // in clear, when just registered
}

func (s *Cases) personInfo(ctx context.Context, tx *Tx, id int64) (personInfo, error) {
	pi := personInfo{id: id}
	var birth string
	err := tx.QueryRow(ctx, `SELECT org_id, COALESCE(team_id, 0), owner_id, nationality, birth_date_enc FROM people WHERE id = ?`, id).
		Scan(&pi.rec.OrgID, &pi.rec.TeamID, &pi.rec.OwnerID, &pi.nationality, &birth)
	if errors.Is(err, sql.ErrNoRows) {
		return pi, derrors.Kindf(derrors.NotFound, "personId: no person %d", id)
	}
	if err != nil {
		return pi, classify(err)
	}
	sl, err := s.db.sealer("people", id)
	if err != nil {
		return pi, err
	}
	pi.birthDate = sl.open("birth_date", birth)
	return pi, sl.err
}

// checkAssignees checks that the owner (and team) of a case exist and
// belong to its organisation.
func checkAssignees(ctx context.Context, tx *Tx, orgID, teamID, ownerID int64) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM orgs WHERE id = ?`, orgID).Scan(&n); err != nil {
		return classify(err)
	}
	if n == 0 {
		return &cases.FieldError{Field: "orgId", Code: "unknown", Msg: fmt.Sprintf("no organisation %d", orgID)}
	}
	var userOrg int64
	var disabled bool
	err := tx.QueryRow(ctx, `SELECT org_id, disabled FROM users WHERE id = ?`, ownerID).Scan(&userOrg, &disabled)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (userOrg != orgID || disabled) {
		return &cases.FieldError{Field: "cas_CaseOwner", Code: "unknown",
			Msg: fmt.Sprintf("no active user %d in organisation %d", ownerID, orgID)}
	}
	if err != nil {
		return classify(err)
	}
	if teamID != 0 {
		var teamOrg int64
		err := tx.QueryRow(ctx, `SELECT org_id FROM teams WHERE id = ?`, teamID).Scan(&teamOrg)
		if errors.Is(err, sql.ErrNoRows) || err == nil && teamOrg != orgID {
			return &cases.FieldError{Field: "teamId", Code: "unknown", Msg: fmt.Sprintf("no team %d in organisation %d", teamID, orgID)}
		}
		if err != nil {
			return classify(err)
		}
	}
	return nil
}

// details is what cases.details_enc holds: the HTCDS sections of a
// trafficking case or the return details (monitoring visits are rows of
// case_monitoring).
type details struct {
	Trafficking *cases.Trafficking `json:"trafficking,omitempty"`
	Return      *cases.Return      `json:"return,omitempty"`
}

func exploitationKey(c cases.Case) string {
	if c.Trafficking == nil || len(c.Trafficking.TypeOfExploitation) == 0 {
		return ""
	}
	return ";" + strings.Join(c.Trafficking.TypeOfExploitation, ";") + ";"
}

func stageOf(c cases.Case) string {
	if c.Return != nil {
		return c.Return.Stage
	}
	return ""
}

func ageBand(birthDate, openedOn string) string {
	at, err := time.Parse("2006-01-02", openedOn)
	if err != nil {
		return cases.Unknown
	}
	return cases.AgeBandAt(birthDate, at)
}

// sealCase encrypts the details and the reason for closure of a case.
func (s *Cases) sealCase(c cases.Case) (reason, det, keyID string, err error) {
	d := details{Trafficking: c.Trafficking}
	if c.Return != nil {
		r := *c.Return
		r.Monitoring = nil
		d.Return = &r
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", "", "", err
	}
	sl, err := s.db.sealer("cases", c.ID)
	if err != nil {
		return "", "", "", err
	}
	reason, det = sl.seal("reason", c.ReasonForClosure), sl.seal("details", string(b))
	return reason, det, sl.keyID(), sl.err
}

// insertCase stores a validated case for a person and returns its id.
func (s *Cases) insertCase(ctx context.Context, tx *Tx, c cases.Case, pi personInfo, by int64) (cases.Case, error) {
	t := now()
	c.CreatedAt, c.UpdatedAt, c.Version = t, t, 1
	err := tx.QueryRow(ctx, `INSERT INTO cases (kind, person_id, org_id, team_id, owner_id, status, stage, draft, version, opened_on,
		closed_on, nationality, age_band, exploitation, reason_enc, details_enc, key_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, '', '', '', ?, ?) RETURNING id`,
		c.Kind, c.PersonID, c.OrgID, nullID(c.TeamID), c.OwnerID, c.Status, stageOf(c), c.Draft, c.OpenedOn, c.ClosedOn,
		pi.nationality, ageBand(pi.birthDate, c.OpenedOn), exploitationKey(c), t, t).Scan(&c.ID)
	if err != nil {
		return c, classify(err)
	}
	reason, det, keyID, err := s.sealCase(c)
	if err != nil {
		return c, err
	}
	if _, err := tx.Exec(ctx, `UPDATE cases SET reason_enc = ?, details_enc = ?, key_id = ? WHERE id = ?`, reason, det, keyID, c.ID); err != nil {
		return c, classify(err)
	}
	if c.Return != nil {
		for i := range c.Return.Monitoring {
			m := &c.Return.Monitoring[i]
			if m.RecordedBy == 0 {
				m.RecordedBy = by
			}
			if *m, err = s.insertMonitoring(ctx, tx, c.ID, *m); err != nil {
				return c, err
			}
		}
	}
	if pi.person != nil {
		k, err := s.db.keyring()
		if err != nil {
			return c, err
		}
		return c, s.writeKeysOf(ctx, tx, k, *pi.person)
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM case_person_keys WHERE person_id = ?`, c.PersonID).Scan(&n); err != nil || n > 0 {
		return c, classify(err)
	}
	return c, s.writeBlockingKeys(ctx, tx, c.PersonID)
}

// prepareNew fills the defaults of a new case and validates it.
func prepareNew(c *cases.Case) error {
	c.ID, c.Version = 0, 1
	if c.Status == "" {
		c.Status = cases.StatusActive
		if c.Kind == cases.KindReturn && c.Return != nil {
			c.Status = cases.StatusOfStage(c.Return.Stage)
		}
	}
	return c.Validate()
}

// Create registers a case for an existing person. The case's OrgID,
// TeamID and OwnerID must lie within the caller's scope for creating
// cases, and the person within the caller's scope for reading people or
// creating cases.
func (s *Cases) Create(ctx context.Context, p *auth.Principal, c cases.Case) (_ cases.Case, err error) {
	defer derrors.Wrap(&err, "store.Cases.Create")
	if err := s.checkCreate(p, &c); err != nil {
		return c, err
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		pi, err := s.personInfo(ctx, tx, c.PersonID)
		if err != nil {
			return err
		}
		if !p.Allows("people", auth.Read, pi.rec) && !p.Allows(casesResource, auth.Create, pi.rec) {
			return derrors.Kindf(derrors.NotFound, "personId: no person %d", c.PersonID)
		}
		return s.create(ctx, tx, p, &c, pi)
	})
	return c, err
}

// CreateWithPerson registers a new person and their first case in one
// transaction (intake). The person gets the case's organisation, team and
// owner; it needs the create action on people and on cases.
func (s *Cases) CreateWithPerson(ctx context.Context, p *auth.Principal, person people.Person, c cases.Case) (_ people.Person, _ cases.Case, err error) {
	defer derrors.Wrap(&err, "store.Cases.CreateWithPerson")
	if err := s.checkIntake(p, &person, &c); err != nil {
		return person, c, err
	}
	err = s.db.InTx(ctx, func(tx *Tx) error { return s.intake(ctx, tx, p, &person, &c) })
	return person, c, err
}

// CreateMerged is the reviewed merge at intake, in one transaction: the
// person as typed is registered with the new case and at once merged into
// the registered person keepID, as reviewed at keepVersion (MergePeople),
// so that the case belongs to the registered person. When any step fails
// nothing is stored: a person changed since the review is a
// derrors.Conflict whose message starts with "version:".
func (s *Cases) CreateMerged(ctx context.Context, p *auth.Principal, person people.Person, c cases.Case, keepID, keepVersion int64) (_ cases.Case, err error) {
	defer derrors.Wrap(&err, "store.Cases.CreateMerged(%d)", keepID)
	if !p.Can("people", auth.Update) || !p.Can(casesResource, auth.Update) {
		return c, derrors.Kindf(derrors.Forbidden, "merging people needs update on people and cases")
	}
	if err := s.checkIntake(p, &person, &c); err != nil {
		return c, err
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		if err := s.intake(ctx, tx, p, &person, &c); err != nil {
			return err
		}
		if err := s.mergePeople(ctx, tx, p, keepID, person.ID, keepVersion, person.Version); err != nil {
			return err
		}
		// The case now belongs to the kept person, one version on.
		var err error
		c, err = s.load(ctx, tx, c.ID)
		return err
	})
	return c, err
}

// checkIntake checks a new person and their first case before the
// transaction, and gives the person the case's organisation, team and owner.
func (s *Cases) checkIntake(p *auth.Principal, person *people.Person, c *cases.Case) error {
	if !p.Can("people", auth.Create) {
		return derrors.Kindf(derrors.Forbidden, "your roles do not allow create on people")
	}
	if err := person.Validate(); err != nil {
		return err
	}
	c.PersonID = -1 // checked once the person exists
	if err := s.checkCreate(p, c); err != nil && !isField(err, "personId") {
		return err
	}
	person.ID, person.OrgID, person.TeamID, person.OwnerID = 0, c.OrgID, c.TeamID, c.OwnerID
	if !p.Allows("people", auth.Create, person.Record()) {
		return derrors.Kindf(derrors.Forbidden, "you may register people only within your record scope")
	}
	return nil
}

// intake registers the person and creates the case inside tx.
func (s *Cases) intake(ctx context.Context, tx *Tx, p *auth.Principal, person *people.Person, c *cases.Case) error {
	if err := checkAssignees(ctx, tx, c.OrgID, c.TeamID, c.OwnerID); err != nil {
		return err
	}
	created, err := s.db.People().Create(ctx, tx, *person)
	if err != nil {
		return err
	}
	*person = created
	c.PersonID = person.ID
	if err := s.checkCreate(p, c); err != nil {
		return err
	}
	return s.create(ctx, tx, p, c, personInfo{id: person.ID, rec: person.Record(), nationality: person.Nationality,
		birthDate: person.BirthDate, person: person})
}

func isField(err error, field string) bool {
	var fe *cases.FieldError
	return errors.As(err, &fe) && fe.Field == field
}

func (s *Cases) checkCreate(p *auth.Principal, c *cases.Case) error {
	if p == nil || !p.Can(casesResource, auth.Create) {
		return forbidden(auth.Create)
	}
	if err := prepareNew(c); err != nil {
		return err
	}
	if !p.Allows(casesResource, auth.Create, c.Record()) {
		return derrors.Kindf(derrors.Forbidden, "you may create cases only within your record scope (organisation, team, owner)")
	}
	return nil
}

func (s *Cases) create(ctx context.Context, tx *Tx, p *auth.Principal, c *cases.Case, pi personInfo) error {
	if err := checkAssignees(ctx, tx, c.OrgID, c.TeamID, c.OwnerID); err != nil {
		return err
	}
	if err := s.checkCountries(ctx, c, pi.nationality); err != nil {
		return err
	}
	out, err := s.insertCase(ctx, tx, *c, pi, p.UserID)
	if err != nil {
		return err
	}
	*c = out
	return s.audit(ctx, tx, p, audit.ActionCreate, audit.OutcomeOK, c.ID, c.Kind+" case")
}

const caseColumns = `c.id, c.kind, c.person_id, c.org_id, COALESCE(c.team_id, 0), c.owner_id, c.status, c.draft, c.version,
	c.opened_on, c.closed_on, c.reason_enc, c.details_enc, c.created_at, c.updated_at`

func (s *Cases) scanCase(r interface{ Scan(...any) error }) (cases.Case, error) {
	var c cases.Case
	var reason, det string
	if err := r.Scan(&c.ID, &c.Kind, &c.PersonID, &c.OrgID, &c.TeamID, &c.OwnerID, &c.Status, &c.Draft, &c.Version,
		&c.OpenedOn, &c.ClosedOn, &reason, &det, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	sl, err := s.db.sealer("cases", c.ID)
	if err != nil {
		return c, err
	}
	c.ReasonForClosure = sl.open("reason", reason)
	plain := sl.open("details", det)
	if sl.err != nil {
		return c, sl.err
	}
	var d details
	if err := json.Unmarshal([]byte(plain), &d); err != nil {
		return c, fmt.Errorf("cases.details of row %d: %w", c.ID, err)
	}
	c.Trafficking, c.Return = d.Trafficking, d.Return
	return c, nil
}

// load reads a whole case with its monitoring visits.
func (s *Cases) load(ctx context.Context, tx *Tx, id int64) (cases.Case, error) {
	c, err := s.scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM cases c WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, noCase(id)
	}
	if err != nil {
		return c, classify(err)
	}
	if c.Return != nil {
		ms, err := s.monitoring(ctx, tx, id)
		if err != nil {
			return c, err
		}
		c.Return.Monitoring = ms
	}
	return c, nil
}

// Get returns a case with its details; the read is audited.
func (s *Cases) Get(ctx context.Context, p *auth.Principal, id int64) (c cases.Case, err error) {
	defer derrors.Wrap(&err, "store.Cases.Get(%d)", id)
	err = s.db.InTx(ctx, func(tx *Tx) error {
		h, err := s.access(ctx, tx, p, id, accRead)
		if err != nil {
			return err
		}
		if c, err = s.load(ctx, tx, id); err != nil {
			return err
		}
		detail := ""
		if h.viaReferral {
			detail = "through an accepted referral"
		}
		return s.audit(ctx, tx, p, audit.ActionRead, audit.OutcomeAllowed, id, detail)
	})
	return c, err
}

// save writes the mutable fields of a loaded case if the stored version is
// still read (a concurrent change makes it Conflict) and returns it at
// the next version.
func (s *Cases) save(ctx context.Context, tx *Tx, c cases.Case, read int64) (cases.Case, error) {
	pi, err := s.personInfo(ctx, tx, c.PersonID)
	if err != nil {
		return c, err
	}
	reason, det, keyID, err := s.sealCase(c)
	if err != nil {
		return c, err
	}
	t := now()
	res, err := tx.Exec(ctx, `UPDATE cases SET org_id = ?, team_id = ?, owner_id = ?, status = ?, stage = ?, draft = ?, opened_on = ?,
		closed_on = ?, nationality = ?, age_band = ?, exploitation = ?, reason_enc = ?, details_enc = ?, key_id = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		c.OrgID, nullID(c.TeamID), c.OwnerID, c.Status, stageOf(c), c.Draft, c.OpenedOn, c.ClosedOn, pi.nationality,
		ageBand(pi.birthDate, c.OpenedOn), exploitationKey(c), reason, det, keyID, t, c.ID, read)
	if err != nil {
		return c, classify(err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		// Keep the listing copy of a referred case current.
		if _, err := tx.Exec(ctx, `UPDATE case_access SET org_id = ?, team_id = ?, owner_id = ?, status = ?, draft = ?, nationality = ? WHERE id = ?`,
			c.OrgID, nullID(c.TeamID), c.OwnerID, c.Status, c.Draft, pi.nationality, c.ID); err != nil {
			return c, classify(err)
		}
	} else {
		var cur int64
		if err := tx.QueryRow(ctx, `SELECT version FROM cases WHERE id = ?`, c.ID).Scan(&cur); err != nil {
			return c, classify(err)
		}
		return c, cases.CheckVersion(cur, read)
	}
	c.Version, c.UpdatedAt = read+1, t
	return c, nil
}

// edit runs a change of a case: access, the version check, fn on the
// loaded case, validation, save and the audit entry.
func (s *Cases) edit(ctx context.Context, p *auth.Principal, id, version int64, kind int, action, detail string,
	fn func(tx *Tx, c *cases.Case) error) (out cases.Case, err error) {
	if version <= 0 {
		return out, &cases.FieldError{Field: "version", Code: "required", Msg: "required: the version you loaded (optimistic concurrency)"}
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		if _, err := s.access(ctx, tx, p, id, kind); err != nil {
			return err
		}
		c, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := cases.CheckVersion(c.Version, version); err != nil {
			return err
		}
		if err := fn(tx, &c); err != nil {
			return err
		}
		if err := c.Validate(); err != nil {
			return err
		}
		if out, err = s.save(ctx, tx, c, version); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, action, audit.OutcomeOK, id, detail)
	})
	return out, err
}

// Update applies a patch (see cases.Patch) if patch.Version is current.
// The return stage and the monitoring visits are not changed by a patch
// (AdvanceStage, AddMonitoring); a patch naming another stage is refused.
func (s *Cases) Update(ctx context.Context, p *auth.Principal, id int64, patch cases.Patch) (_ cases.Case, err error) {
	defer derrors.Wrap(&err, "store.Cases.Update(%d)", id)
	return s.edit(ctx, p, id, patch.Version, accEdit, audit.ActionUpdate, "edited", func(tx *Tx, c *cases.Case) error {
		if patch.Draft != nil {
			c.Draft = *patch.Draft
		}
		if patch.OpenedOn != nil {
			c.OpenedOn = *patch.OpenedOn
		}
		if patch.Trafficking != nil {
			if c.Kind != cases.KindTrafficking {
				return &cases.FieldError{Field: "trafficking", Code: "wrongKind", Msg: "a return case has no trafficking details"}
			}
			t := *patch.Trafficking
			c.Trafficking = &t
		}
		if patch.Return != nil {
			if c.Kind != cases.KindReturn {
				return &cases.FieldError{Field: "return", Code: "wrongKind", Msg: "a trafficking case has no return details"}
			}
			r := *patch.Return
			if r.Stage == "" {
				r.Stage = c.Return.Stage
			}
			if r.Stage != c.Return.Stage {
				return &cases.FieldError{Field: "return.stage", Code: "stageByAdvance",
					Msg: "the stage is changed by advancing the case, not by an edit"}
			}
			r.Monitoring = c.Return.Monitoring
			c.Return = &r
		}
		return s.checkCountries(ctx, c, "")
	})
}

// referrals reads the referrals of a case.
func (s *Cases) referrals(ctx context.Context, tx querier, caseID int64) ([]cases.Referral, error) {
	rows, err := tx.Query(ctx, `SELECT `+referralColumns+` FROM case_referrals WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	out := []cases.Referral{}
	for rows.Next() {
		r, err := s.scanReferral(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Transition changes a trafficking case's status (cases.Case.Transition).
func (s *Cases) Transition(ctx context.Context, p *auth.Principal, id, version int64, status, reason string) (_ cases.Case, err error) {
	defer derrors.Wrap(&err, "store.Cases.Transition(%d)", id)
	return s.edit(ctx, p, id, version, accEdit, audit.ActionUpdate, "status changed to "+clipToken(status), func(tx *Tx, c *cases.Case) error {
		refs, err := s.referrals(ctx, tx, id)
		if err != nil {
			return err
		}
		return c.Transition(status, reason, refs, now())
	})
}

// AdvanceStage moves a return case to a stage (cases.Case.AdvanceStage).
func (s *Cases) AdvanceStage(ctx context.Context, p *auth.Principal, id, version int64, stage, reason string, byReferral bool) (_ cases.Case, err error) {
	defer derrors.Wrap(&err, "store.Cases.AdvanceStage(%d)", id)
	return s.edit(ctx, p, id, version, accEdit, audit.ActionUpdate, "stage changed to "+clipToken(stage), func(tx *Tx, c *cases.Case) error {
		refs, err := s.referrals(ctx, tx, id)
		if err != nil {
			return err
		}
		return c.AdvanceStage(stage, reason, byReferral, refs, now())
	})
}

// clipToken keeps a caller-given code short and printable for an audit
// detail (an unknown value is refused anyway).
func clipToken(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

// Assign transfers a case to another owner, team or organisation. It
// needs the assign action over the case and over its new place.
func (s *Cases) Assign(ctx context.Context, p *auth.Principal, id int64, a cases.Assignment) (_ cases.Case, err error) {
	defer derrors.Wrap(&err, "store.Cases.Assign(%d)", id)
	var ps cases.Problems
	for _, f := range []struct {
		name string
		v    int64
	}{{"ownerId", a.OwnerID}, {"teamId", a.TeamID}, {"orgId", a.OrgID}} {
		if f.v < 0 {
			ps = append(ps, &cases.FieldError{Field: f.name, Code: "id", Msg: "a positive id"})
		}
	}
	if err := ps.Err(); err != nil {
		return cases.Case{}, err
	}
	detail := fmt.Sprintf("assigned to user %d", a.OwnerID)
	return s.edit(ctx, p, id, a.Version, accAssign, audit.ActionAssign, detail, func(tx *Tx, c *cases.Case) error {
		if a.OrgID != 0 && a.OrgID != c.OrgID {
			c.OrgID, c.TeamID = a.OrgID, 0 // a transfer leaves the team behind unless one is named
		}
		if a.TeamID != 0 {
			c.TeamID = a.TeamID
		}
		if a.OwnerID != 0 {
			c.OwnerID = a.OwnerID
		}
		if err := checkAssignees(ctx, tx, c.OrgID, c.TeamID, c.OwnerID); err != nil {
			return err
		}
		if !p.Allows(casesResource, auth.Assign, c.Record()) {
			return derrors.Kindf(derrors.Forbidden, "you may assign cases only within your record scope")
		}
		return nil
	})
}

// checkCountries refuses country codes that the reference geography does
// not know (a well-formed "XXX" would otherwise flow into exports and
// releases): the person's nationality, the country of exploitation, the
// return's host and origin. A database without a reference yet (a fresh
// one, tests) checks the form only, as the domain does.
func (s *Cases) checkCountries(ctx context.Context, c *cases.Case, nationality string) error {
	snap, err := s.db.Geo().snapshot(ctx)
	if err != nil {
		return err
	}
	if len(snap.areas) == 0 {
		return nil
	}
	fields := [][2]string{{"nationality", nationality}}
	if t := c.Trafficking; t != nil {
		fields = append(fields, [2]string{"trafficking.corridor_CountryOfExploitation", t.CountryOfExploitation})
	}
	if r := c.Return; r != nil {
		fields = append(fields, [2]string{"return.hostCountry", r.HostCountry}, [2]string{"return.originCountry", r.OriginCountry})
	}
	for _, f := range fields {
		if f[1] == "" {
			continue
		}
		if a, ok := snap.lookup(f[1]); !ok || a.ISO3 != f[1] {
			return &cases.FieldError{Field: f[0], Code: "unknownCountry", Args: map[string]any{"Value": f[1]},
				Msg: fmt.Sprintf("%q is not the ISO 3166-1 alpha-3 code of a country or territory", f[1])}
		}
	}
	return nil
}
