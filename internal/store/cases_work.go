package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// The work records of a case: comments, tasks, services, consents,
// referrals and reintegration monitoring. Their free text is encrypted
// like the case (table, column and row id bound into each envelope).

// sealRow encrypts free-text columns of a row just inserted: pairs of
// column (without _enc) and plain value.
func (s *Cases) sealRow(ctx context.Context, tx *Tx, table string, id int64, pairs ...string) error {
	sl, err := s.db.sealer(table, id)
	if err != nil {
		return err
	}
	var set []string
	var args []any
	for i := 0; i+1 < len(pairs); i += 2 {
		set = append(set, pairs[i]+"_enc = ?")
		args = append(args, sl.seal(pairs[i], pairs[i+1]))
	}
	if sl.err != nil {
		return sl.err
	}
	args = append(args, sl.keyID(), id)
	_, err = tx.Exec(ctx, `UPDATE `+table+` SET `+strings.Join(set, ", ")+`, key_id = ? WHERE id = ?`, args...)
	return classify(err)
}

func (s *Cases) userExists(ctx context.Context, tx *Tx, id int64, field string) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE id = ? AND disabled = FALSE`, id).Scan(&n); err != nil {
		return classify(err)
	}
	if n == 0 {
		return &cases.FieldError{Field: field, Code: "unknown", Msg: fmt.Sprintf("no active user %d", id)}
	}
	return nil
}

func (s *Cases) orgExists(ctx context.Context, tx *Tx, id int64, field string) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM orgs WHERE id = ?`, id).Scan(&n); err != nil {
		return classify(err)
	}
	if n == 0 {
		return &cases.FieldError{Field: field, Code: "unknown", Msg: fmt.Sprintf("no organisation %d", id)}
	}
	return nil
}

// readRecords runs a read of a case's records: access, fn, audit.
func (s *Cases) readRecords(ctx context.Context, p *auth.Principal, caseID int64, what string, fn func(tx *Tx) error) error {
	return s.db.InTx(ctx, func(tx *Tx) error {
		if _, err := s.access(ctx, tx, p, caseID, accRead); err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, audit.ActionRead, audit.OutcomeAllowed, caseID, what)
	})
}

// ---- comments

// AddComment adds a case comment written by the caller.
func (s *Cases) AddComment(ctx context.Context, p *auth.Principal, caseID int64, body string) (c cases.Comment, err error) {
	defer derrors.Wrap(&err, "store.Cases.AddComment(case %d)", caseID)
	if p == nil {
		return c, forbidden(auth.Update)
	}
	c = cases.Comment{CaseID: caseID, AuthorID: p.UserID, Body: strings.TrimSpace(body)}
	if err := c.Validate(); err != nil {
		return c, err
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		if _, err := s.access(ctx, tx, p, caseID, accWork); err != nil {
			return err
		}
		c.CreatedAt = now()
		if err := tx.QueryRow(ctx, `INSERT INTO case_comments (case_id, author_id, body_enc, key_id, created_at) VALUES (?, ?, '', '', ?) RETURNING id`,
			caseID, c.AuthorID, c.CreatedAt).Scan(&c.ID); err != nil {
			return classify(err)
		}
		if err := s.sealRow(ctx, tx, "case_comments", c.ID, "body", c.Body); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, audit.ActionUpdate, audit.OutcomeOK, caseID, fmt.Sprintf("comment %d added", c.ID))
	})
	return c, err
}

// Comments lists a case's comments, oldest first.
func (s *Cases) Comments(ctx context.Context, p *auth.Principal, caseID int64) (out []cases.Comment, err error) {
	defer derrors.Wrap(&err, "store.Cases.Comments(case %d)", caseID)
	err = s.readRecords(ctx, p, caseID, "comments", func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, author_id, body_enc, created_at FROM case_comments WHERE case_id = ? ORDER BY id`, caseID)
		if err != nil {
			return classify(err)
		}
		defer rows.Close()
		out = []cases.Comment{}
		for rows.Next() {
			c := cases.Comment{CaseID: caseID}
			var enc string
			if err := rows.Scan(&c.ID, &c.AuthorID, &enc, &c.CreatedAt); err != nil {
				return err
			}
			sl, err := s.db.sealer("case_comments", c.ID)
			if err != nil {
				return err
			}
			c.Body, c.CreatedAt = sl.open("body", enc), c.CreatedAt.UTC()
			if sl.err != nil {
				return sl.err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// ---- tasks

// AddTask adds a follow-up task; the assignee defaults to the case owner.
func (s *Cases) AddTask(ctx context.Context, p *auth.Principal, caseID int64, t cases.Task) (_ cases.Task, err error) {
	defer derrors.Wrap(&err, "store.Cases.AddTask(case %d)", caseID)
	if p == nil {
		return t, forbidden(auth.Update)
	}
	t.ID, t.CaseID, t.CreatedBy, t.Title = 0, caseID, p.UserID, strings.TrimSpace(t.Title)
	assignee := t.AssigneeID
	if assignee == 0 {
		t.AssigneeID = 1 // validated below, filled from the case
	}
	if err := t.Validate(); err != nil {
		return t, err
	}
	if t.DoneOn != "" {
		return t, &cases.FieldError{Field: "doneOn", Code: "onlyWhenDone", Msg: "a new task is open; complete it afterwards"}
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		h, err := s.access(ctx, tx, p, caseID, accWork)
		if err != nil {
			return err
		}
		t.AssigneeID = assignee
		if t.AssigneeID == 0 {
			t.AssigneeID = h.rec.OwnerID
		}
		if err := s.userExists(ctx, tx, t.AssigneeID, "assigneeId"); err != nil {
			return err
		}
		t.CreatedAt = now()
		if err := tx.QueryRow(ctx, `INSERT INTO case_tasks (case_id, title_enc, due, assignee_id, done_on, created_by, key_id, created_at)
			VALUES (?, '', ?, ?, '', ?, '', ?) RETURNING id`, caseID, t.Due, t.AssigneeID, t.CreatedBy, t.CreatedAt).Scan(&t.ID); err != nil {
			return classify(err)
		}
		if err := s.sealRow(ctx, tx, "case_tasks", t.ID, "title", t.Title); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, audit.ActionUpdate, audit.OutcomeOK, caseID, fmt.Sprintf("task %d added", t.ID))
	})
	return t, err
}

const taskColumns = `t.id, t.case_id, t.title_enc, t.due, t.assignee_id, t.done_on, t.created_by, t.created_at`

func (s *Cases) scanTask(r interface{ Scan(...any) error }) (cases.Task, error) {
	var t cases.Task
	var enc string
	if err := r.Scan(&t.ID, &t.CaseID, &enc, &t.Due, &t.AssigneeID, &t.DoneOn, &t.CreatedBy, &t.CreatedAt); err != nil {
		return t, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	sl, err := s.db.sealer("case_tasks", t.ID)
	if err != nil {
		return t, err
	}
	t.Title = sl.open("title", enc)
	return t, sl.err
}

// CompleteTask marks a task done on a date.
func (s *Cases) CompleteTask(ctx context.Context, p *auth.Principal, taskID int64, doneOn string) (t cases.Task, err error) {
	defer derrors.Wrap(&err, "store.Cases.CompleteTask(%d)", taskID)
	if _, perr := time.Parse("2006-01-02", doneOn); perr != nil {
		return t, &cases.FieldError{Field: "doneOn", Code: "date", Msg: "a date YYYY-MM-DD"}
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		var err error
		t, err = s.scanTask(tx.QueryRow(ctx, `SELECT `+taskColumns+` FROM case_tasks t WHERE t.id = ?`, taskID))
		if errors.Is(err, sql.ErrNoRows) {
			return derrors.Kindf(derrors.NotFound, "no task %d", taskID)
		}
		if err != nil {
			return classify(err)
		}
		if _, err := s.access(ctx, tx, p, t.CaseID, accWork); err != nil {
			if errors.Is(err, derrors.NotFound) {
				return derrors.Kindf(derrors.NotFound, "no task %d", taskID)
			}
			return err
		}
		if t.DoneOn != "" {
			return derrors.Kindf(derrors.Conflict, "doneOn: the task was completed on %s", t.DoneOn)
		}
		res, err := tx.Exec(ctx, `UPDATE case_tasks SET done_on = ? WHERE id = ? AND done_on = ''`, doneOn, taskID)
		if err != nil {
			return classify(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return derrors.Kindf(derrors.Conflict, "doneOn: the task was completed meanwhile")
		}
		t.DoneOn = doneOn
		return s.audit(ctx, tx, p, audit.ActionUpdate, audit.OutcomeOK, t.CaseID, fmt.Sprintf("task %d completed", taskID))
	})
	return t, err
}

// Tasks lists a case's tasks by due date.
func (s *Cases) Tasks(ctx context.Context, p *auth.Principal, caseID int64) (out []cases.Task, err error) {
	defer derrors.Wrap(&err, "store.Cases.Tasks(case %d)", caseID)
	err = s.readRecords(ctx, p, caseID, "tasks", func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+taskColumns+` FROM case_tasks t WHERE t.case_id = ? ORDER BY t.due, t.id`, caseID)
		if err != nil {
			return classify(err)
		}
		defer rows.Close()
		out = []cases.Task{}
		for rows.Next() {
			t, err := s.scanTask(rows)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

// ---- services

// AddService records a service given; the provider defaults to the case's
// organisation (an organisation the case was referred to records its own).
func (s *Cases) AddService(ctx context.Context, p *auth.Principal, caseID int64, sv cases.Service) (_ cases.Service, err error) {
	defer derrors.Wrap(&err, "store.Cases.AddService(case %d)", caseID)
	if p == nil {
		return sv, forbidden(auth.Update)
	}
	sv.ID, sv.CaseID, sv.RecordedBy, sv.Note = 0, caseID, p.UserID, strings.TrimSpace(sv.Note)
	provider := sv.ProviderOrgID
	if provider == 0 {
		sv.ProviderOrgID = 1 // validated below, filled from the case
	}
	if err := sv.Validate(); err != nil {
		return sv, err
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		h, err := s.access(ctx, tx, p, caseID, accWork)
		if err != nil {
			return err
		}
		sv.ProviderOrgID = provider
		if provider == 0 {
			sv.ProviderOrgID = h.rec.OrgID
			if h.viaReferral {
				sv.ProviderOrgID = p.OrgID
			}
		}
		if err := s.orgExists(ctx, tx, sv.ProviderOrgID, "providerOrgId"); err != nil {
			return err
		}
		sv.CreatedAt = now()
		if err := tx.QueryRow(ctx, `INSERT INTO case_services (case_id, type, service_date, provider_org_id, note_enc, recorded_by, key_id, created_at)
			VALUES (?, ?, ?, ?, '', ?, '', ?) RETURNING id`, caseID, sv.Type, sv.Date, sv.ProviderOrgID, sv.RecordedBy, sv.CreatedAt).Scan(&sv.ID); err != nil {
			return classify(err)
		}
		if err := s.sealRow(ctx, tx, "case_services", sv.ID, "note", sv.Note); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, audit.ActionUpdate, audit.OutcomeOK, caseID, fmt.Sprintf("service %d (%s) added", sv.ID, sv.Type))
	})
	return sv, err
}

// Services lists a case's services by date.
func (s *Cases) Services(ctx context.Context, p *auth.Principal, caseID int64) (out []cases.Service, err error) {
	defer derrors.Wrap(&err, "store.Cases.Services(case %d)", caseID)
	err = s.readRecords(ctx, p, caseID, "services", func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, type, service_date, provider_org_id, note_enc, recorded_by, created_at FROM case_services
			WHERE case_id = ? ORDER BY service_date, id`, caseID)
		if err != nil {
			return classify(err)
		}
		defer rows.Close()
		out = []cases.Service{}
		for rows.Next() {
			sv := cases.Service{CaseID: caseID}
			var enc string
			if err := rows.Scan(&sv.ID, &sv.Type, &sv.Date, &sv.ProviderOrgID, &enc, &sv.RecordedBy, &sv.CreatedAt); err != nil {
				return err
			}
			sl, err := s.db.sealer("case_services", sv.ID)
			if err != nil {
				return err
			}
			sv.Note, sv.CreatedAt = sl.open("note", enc), sv.CreatedAt.UTC()
			if sl.err != nil {
				return sl.err
			}
			out = append(out, sv)
		}
		return rows.Err()
	})
	return out, err
}

// ---- consents

// RecordConsent appends a consent record for the case's person. A
// withdrawal (or refusal) of consent to referral also revokes the
// person's open and accepted referrals; any consent to referral
// recomputes the person's case_access rows (syncAccess) in the same
// transaction.
func (s *Cases) RecordConsent(ctx context.Context, p *auth.Principal, caseID int64, c cases.Consent) (_ cases.Consent, err error) {
	defer derrors.Wrap(&err, "store.Cases.RecordConsent(case %d)", caseID)
	if p == nil {
		return c, forbidden(auth.Update)
	}
	c.ID, c.CaseID, c.RecordedBy, c.Note = 0, caseID, p.UserID, strings.TrimSpace(c.Note)
	if c.PersonID == 0 {
		c.PersonID = 1 // validated below, filled from the case
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	if c.Date > today() {
		return c, &cases.FieldError{Field: "date", Code: "future", Msg: "not in the future: record a decision when it is made"}
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		h, err := s.access(ctx, tx, p, caseID, accWork)
		if err != nil {
			return err
		}
		c.PersonID = h.personID
		c.CreatedAt = now()
		if err := tx.QueryRow(ctx, `INSERT INTO case_consents (case_id, person_id, type, given, consent_date, recorded_by, note_enc, key_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, '', '', ?) RETURNING id`, caseID, c.PersonID, c.Type, c.Given, c.Date, c.RecordedBy, c.CreatedAt).Scan(&c.ID); err != nil {
			return classify(err)
		}
		if err := s.sealRow(ctx, tx, "case_consents", c.ID, "note", c.Note); err != nil {
			return err
		}
		verb := "given"
		if !c.Given {
			verb = "withdrawn"
		}
		if err := s.audit(ctx, tx, p, audit.ActionUpdate, audit.OutcomeOK, caseID, fmt.Sprintf("consent %d: %s %s", c.ID, c.Type, verb)); err != nil {
			return err
		}
		if c.Type != cases.ConsentReferral {
			return nil
		}
		if !c.Given {
			if err := s.revokeForWithdrawal(ctx, tx, p, c.PersonID); err != nil {
				return err
			}
		}
		return syncAccess(ctx, tx, c.PersonID)
	})
	return c, err
}

// revokeForWithdrawal revokes the requested and accepted referrals of a
// person's cases after consent to referral was withdrawn.
func (s *Cases) revokeForWithdrawal(ctx context.Context, tx *Tx, p *auth.Principal, personID int64) error {
	rows, err := tx.Query(ctx, `SELECT r.id, r.case_id FROM case_referrals r JOIN cases c ON c.id = r.case_id
		WHERE c.person_id = ? AND r.status IN ('requested', 'accepted') ORDER BY r.id`, personID)
	if err != nil {
		return classify(err)
	}
	var ids [][2]int64
	for rows.Next() {
		var v [2]int64
		if err := rows.Scan(&v[0], &v[1]); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	t := now()
	for _, v := range ids {
		if _, err := tx.Exec(ctx, `UPDATE case_referrals SET status = 'revoked', decided_by = ?, decided_at = ? WHERE id = ?`, p.UserID, t, v[0]); err != nil {
			return classify(err)
		}
		if err := s.sealRow(ctx, tx, "case_referrals", v[0], "note", "consent to referral withdrawn"); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, audit.ActionRefer, audit.OutcomeOK, v[1], fmt.Sprintf("referral %d revoked: consent withdrawn", v[0])); err != nil {
			return err
		}
	}
	return nil
}

func (s *Cases) personConsents(ctx context.Context, tx *Tx, where string, arg int64) ([]cases.Consent, error) {
	rows, err := tx.Query(ctx, `SELECT id, case_id, person_id, type, given, consent_date, recorded_by, note_enc, created_at
		FROM case_consents WHERE `+where+` ORDER BY consent_date, id`, arg)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	out := []cases.Consent{}
	for rows.Next() {
		var c cases.Consent
		var enc string
		if err := rows.Scan(&c.ID, &c.CaseID, &c.PersonID, &c.Type, &c.Given, &c.Date, &c.RecordedBy, &enc, &c.CreatedAt); err != nil {
			return nil, err
		}
		sl, err := s.db.sealer("case_consents", c.ID)
		if err != nil {
			return nil, err
		}
		c.Note, c.CreatedAt = sl.open("note", enc), c.CreatedAt.UTC()
		if sl.err != nil {
			return nil, sl.err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Consents lists the consent records of the case's person (from every case
// of theirs: consent is the person's), by date.
func (s *Cases) Consents(ctx context.Context, p *auth.Principal, caseID int64) (out []cases.Consent, err error) {
	defer derrors.Wrap(&err, "store.Cases.Consents(case %d)", caseID)
	err = s.db.InTx(ctx, func(tx *Tx) error {
		h, err := s.access(ctx, tx, p, caseID, accRead)
		if err != nil {
			return err
		}
		if out, err = s.personConsents(ctx, tx, "person_id = ?", h.personID); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, audit.ActionRead, audit.OutcomeAllowed, caseID, "consents")
	})
	return out, err
}

// ---- referrals

const referralColumns = `id, case_id, from_org_id, to_org_id, reason, referral_date, details_enc, status, consent_id, requested_by,
	COALESCE(decided_by, 0), decided_at, note_enc`

func (s *Cases) scanReferral(r interface{ Scan(...any) error }) (cases.Referral, error) {
	var x cases.Referral
	var det, note string
	var decided sql.NullTime
	if err := r.Scan(&x.ID, &x.CaseID, &x.FromOrgID, &x.ToOrgID, &x.Reason, &x.Date, &det, &x.Status, &x.ConsentID, &x.RequestedBy,
		&x.DecidedBy, &decided, &note); err != nil {
		return x, err
	}
	if decided.Valid {
		x.DecidedAt = decided.Time.UTC()
	}
	sl, err := s.db.sealer("case_referrals", x.ID)
	if err != nil {
		return x, err
	}
	x.Details, x.Note = sl.open("details", det), sl.open("note", note)
	return x, sl.err
}

// Refer refers a case to another organisation: the person's consent to
// referral must be in force (cases.NewReferral), and a referral to that
// organisation must not already be open or accepted.
func (s *Cases) Refer(ctx context.Context, p *auth.Principal, caseID, toOrgID int64, reason, detailText string) (r cases.Referral, err error) {
	defer derrors.Wrap(&err, "store.Cases.Refer(case %d)", caseID)
	if toOrgID <= 0 {
		return r, &cases.FieldError{Field: "cas_ReferredOrganisation", Code: "required", Msg: "required"}
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		h, err := s.access(ctx, tx, p, caseID, accRefer)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM orgs WHERE id = ?`, toOrgID).Scan(&n); err != nil {
			return classify(err)
		}
		if n == 0 {
			return derrors.Kindf(derrors.NotFound, "cas_ReferredOrganisation: no organisation %d", toOrgID)
		}
		consents, err := s.personConsents(ctx, tx, "person_id = ?", h.personID)
		if err != nil {
			return err
		}
		c := cases.Case{ID: caseID, PersonID: h.personID, OrgID: h.rec.OrgID, Status: h.status, Kind: h.kind}
		if r, err = cases.NewReferral(c, consents, toOrgID, reason, detailText, p.UserID, now()); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM case_referrals WHERE case_id = ? AND to_org_id = ? AND status IN ('requested', 'accepted')`,
			caseID, toOrgID).Scan(&n); err != nil {
			return classify(err)
		}
		if n > 0 {
			return derrors.Kindf(derrors.Conflict, "cas_ReferredOrganisation: the case is already referred to organisation %d", toOrgID)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO case_referrals (case_id, from_org_id, to_org_id, reason, referral_date, details_enc, status,
			consent_id, requested_by, note_enc, key_id, created_at) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, '', '', ?) RETURNING id`,
			caseID, r.FromOrgID, r.ToOrgID, r.Reason, r.Date, r.Status, r.ConsentID, r.RequestedBy, now()).Scan(&r.ID); err != nil {
			return classify(err)
		}
		if err := s.sealRow(ctx, tx, "case_referrals", r.ID, "details", r.Details, "note", ""); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, audit.ActionRefer, audit.OutcomeOK, caseID, fmt.Sprintf("referral %d to organisation %d", r.ID, toOrgID))
	})
	return r, err
}

// DecideReferral accepts or declines a referral (a member of the
// receiving organisation with the refer action) or revokes it (the refer
// action over the case, on the referring side).
func (s *Cases) DecideReferral(ctx context.Context, p *auth.Principal, referralID int64, status, note string) (r cases.Referral, err error) {
	defer derrors.Wrap(&err, "store.Cases.DecideReferral(%d)", referralID)
	if status != cases.ReferralAccepted && status != cases.ReferralDeclined && status != cases.ReferralRevoked {
		return r, &cases.FieldError{Field: "status", Code: "oneOf", Msg: "one of accepted, declined, revoked"}
	}
	if p == nil || !p.Can(casesResource, auth.Refer) {
		return r, forbidden(auth.Refer)
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		var err error
		r, err = s.scanReferral(tx.QueryRow(ctx, `SELECT `+referralColumns+` FROM case_referrals WHERE id = ?`, referralID))
		if errors.Is(err, sql.ErrNoRows) {
			return derrors.Kindf(derrors.NotFound, "no referral %d", referralID)
		}
		if err != nil {
			return classify(err)
		}
		h, err := s.head(ctx, tx, r.CaseID)
		if err != nil {
			return err
		}
		receiving := p.OrgID == r.ToOrgID
		referring := p.Allows(casesResource, auth.Refer, h.rec)
		switch {
		case status == cases.ReferralRevoked && referring, status != cases.ReferralRevoked && receiving:
		case receiving || referring || s.canRead(ctx, tx, p, h):
			return derrors.Kindf(derrors.Forbidden, "status: the receiving organisation accepts or declines a referral; the referring one revokes it")
		default:
			return derrors.Kindf(derrors.NotFound, "no referral %d", referralID)
		}
		prior := r.Status
		if err := r.Decide(status, p.UserID, now(), note); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE case_referrals SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = ?`,
			r.Status, r.DecidedBy, r.DecidedAt, r.ID, prior)
		if err != nil {
			return classify(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return derrors.Kindf(derrors.Conflict, "status: the referral was decided meanwhile; reload it")
		}
		if err := s.sealRow(ctx, tx, "case_referrals", r.ID, "details", r.Details, "note", r.Note); err != nil {
			return err
		}
		if err := syncAccess(ctx, tx, h.personID); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, audit.ActionRefer, audit.OutcomeOK, r.CaseID, fmt.Sprintf("referral %d %s", r.ID, r.Status))
	})
	return r, err
}

// Referrals lists a case's referrals.
func (s *Cases) Referrals(ctx context.Context, p *auth.Principal, caseID int64) (out []cases.Referral, err error) {
	defer derrors.Wrap(&err, "store.Cases.Referrals(case %d)", caseID)
	err = s.readRecords(ctx, p, caseID, "referrals", func(tx *Tx) (err error) {
		out, err = s.referrals(ctx, tx, caseID)
		return err
	})
	return out, err
}

// IncomingReferrals lists the referrals made to the caller's organisation
// (status "" for every status), newest first, so that it can decide them.
// It needs the refer action; reading a referred case needs its acceptance.
func (s *Cases) IncomingReferrals(ctx context.Context, p *auth.Principal, status string, limit int) (out []cases.Referral, err error) {
	defer derrors.Wrap(&err, "store.Cases.IncomingReferrals")
	if p == nil || !p.Can(casesResource, auth.Refer) {
		return nil, forbidden(auth.Refer)
	}
	if status != "" && !isReferralStatus(status) {
		return nil, &cases.FieldError{Field: "status", Code: "oneOf", Msg: "one of " + strings.Join(cases.ReferralStatuses, ", ")}
	}
	if limit < 1 || limit > cases.MaxPage {
		limit = cases.MaxPage
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		q := `SELECT ` + referralColumns + ` FROM case_referrals WHERE to_org_id = ?`
		args := []any{p.OrgID}
		if status != "" {
			q += ` AND status = ?`
			args = append(args, status)
		}
		rows, err := tx.Query(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
		if err != nil {
			return classify(err)
		}
		out = []cases.Referral{}
		for rows.Next() {
			r, err := s.scanReferral(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, audit.ActionRead, audit.OutcomeAllowed, 0, fmt.Sprintf("incoming referrals: %d listed", len(out)))
	})
	return out, err
}

func isReferralStatus(s string) bool {
	for _, v := range cases.ReferralStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// ---- reintegration monitoring

func (s *Cases) insertMonitoring(ctx context.Context, tx *Tx, caseID int64, m cases.Monitoring) (cases.Monitoring, error) {
	if err := tx.QueryRow(ctx, `INSERT INTO case_monitoring (case_id, visit_date, economic, social, psychosocial, recorded_by, note_enc, key_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, '', '', ?) RETURNING id`, caseID, m.Date, m.Economic, m.Social, m.Psychosocial, m.RecordedBy, now()).Scan(&m.ID); err != nil {
		return m, classify(err)
	}
	return m, s.sealRow(ctx, tx, "case_monitoring", m.ID, "note", m.Note)
}

func (s *Cases) monitoring(ctx context.Context, tx querier, caseID int64) ([]cases.Monitoring, error) {
	rows, err := tx.Query(ctx, `SELECT id, visit_date, economic, social, psychosocial, recorded_by, note_enc FROM case_monitoring
		WHERE case_id = ? ORDER BY visit_date, id`, caseID)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []cases.Monitoring
	for rows.Next() {
		var m cases.Monitoring
		var enc string
		if err := rows.Scan(&m.ID, &m.Date, &m.Economic, &m.Social, &m.Psychosocial, &m.RecordedBy, &enc); err != nil {
			return nil, err
		}
		sl, err := s.db.sealer("case_monitoring", m.ID)
		if err != nil {
			return nil, err
		}
		m.Note = sl.open("note", enc)
		if sl.err != nil {
			return nil, sl.err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// AddMonitoring records a reintegration monitoring visit on a return case
// after the arrival.
func (s *Cases) AddMonitoring(ctx context.Context, p *auth.Principal, caseID int64, m cases.Monitoring) (_ cases.Monitoring, err error) {
	defer derrors.Wrap(&err, "store.Cases.AddMonitoring(case %d)", caseID)
	if p == nil {
		return m, forbidden(auth.Update)
	}
	m.ID, m.RecordedBy, m.Note = 0, p.UserID, strings.TrimSpace(m.Note)
	if err := m.Check().Err(); err != nil {
		return m, err
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		h, err := s.access(ctx, tx, p, caseID, accWork)
		if err != nil {
			return err
		}
		if h.kind != cases.KindReturn {
			return derrors.Kindf(derrors.Conflict, "monitoring: only a return case has reintegration monitoring")
		}
		c, err := s.load(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if c.Return.ArrivalDate == "" {
			return derrors.Kindf(derrors.Conflict, "monitoring: reintegration is monitored after arrival: record the arrival date first")
		}
		if m.Date < c.Return.ArrivalDate {
			return &cases.FieldError{Field: "date", Code: "notBefore", Args: map[string]any{"Value": c.Return.ArrivalDate},
				Msg: "not before the arrival (" + c.Return.ArrivalDate + ")"}
		}
		if m, err = s.insertMonitoring(ctx, tx, caseID, m); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, audit.ActionUpdate, audit.OutcomeOK, caseID, fmt.Sprintf("monitoring visit %d added", m.ID))
	})
	return m, err
}
