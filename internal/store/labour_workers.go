package store

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/labour"
)

// personal is the sealed part of a worker profile.
type personal struct {
	GivenName      string `json:"g,omitempty"`
	FamilyName     string `json:"f,omitempty"`
	BirthDate      string `json:"b,omitempty"`
	Email          string `json:"e,omitempty"`
	Phone          string `json:"p,omitempty"`
	Qualifications string `json:"q,omitempty"`
	Notes          string `json:"n,omitempty"`
}

func personalOf(w labour.Worker) personal {
	return personal{w.GivenName, w.FamilyName, w.BirthDate, w.Email, w.Phone, w.Qualifications, w.Notes}
}

func (pp personal) into(w *labour.Worker) {
	w.GivenName, w.FamilyName, w.BirthDate, w.Email, w.Phone, w.Qualifications, w.Notes =
		pp.GivenName, pp.FamilyName, pp.BirthDate, pp.Email, pp.Phone, pp.Qualifications, pp.Notes
}

// checkWorker checks a profile against the geography and the taxonomy.
func (s *Labour) checkWorker(ctx context.Context, w *labour.Worker) error {
	if err := s.checkCountry(ctx, "origin", w.Origin); err != nil {
		return err
	}
	for i, d := range w.PreferredDestinations {
		if err := s.checkCountry(ctx, "preferredDestinations["+strconv.Itoa(i)+"]", d); err != nil {
			return err
		}
	}
	return s.checkOccupations(ctx, "occupations", w.Occupations, map[string][]int32{"skills": w.Skills})
}

// CreateWorker registers a worker profile for p's organisation
// (workers:create), with the worker's consent (labour.Worker.Check). The
// personal fields are sealed with the active key. Errors wrap Forbidden
// or Invalid (naming the field).
func (s *Labour) CreateWorker(ctx context.Context, p *auth.Principal, w labour.Worker) (_ labour.Worker, err error) {
	defer derrors.Wrap(&err, "store.Labour.CreateWorker")
	if !p.Can(workersResource, auth.Create) || p.OrgID == 0 {
		return w, refused("register workers")
	}
	w.OrgID, w.OwnerID = p.OrgID, p.UserID
	if w.Status == "" {
		w.Status = labour.WorkerActive
	}
	if w.Status != labour.WorkerActive {
		return w, derrors.Kindf(derrors.Invalid, "status: a new profile is active")
	}
	ps := w.Check()
	notFuture(&ps, "consent.date", w.Consent.Date)
	notFuture(&ps, "birthDate", w.BirthDate)
	if w.BirthDate != "" && w.BirthDate > now().AddDate(-labour.MinWorkingAge, 0, 0).Format("2006-01-02") {
		ps.Add("birthDate", "minimumAge", map[string]any{"Min": labour.MinWorkingAge},
			"a worker recruited abroad is at least %d years old", labour.MinWorkingAge)
	}
	if err := ps.Err(); err != nil {
		return w, err
	}
	if err := s.checkWorker(ctx, &w); err != nil {
		return w, err
	}
	if p.Scope(workersResource, auth.Create) == auth.ScopeOwn {
		// A worker's own account registers one profile: their own.
		if w.Consent.RecordedBy != "self" {
			return w, derrors.Kindf(derrors.Invalid, "consent.recordedBy: registering yourself, the consent is recorded by self")
		}
		var n int
		if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM labour_workers WHERE owner_id = ? AND status <> 'withdrawn'`, p.UserID).Scan(&n); err != nil {
			return w, classify(err)
		}
		if n > 0 {
			return w, derrors.Kindf(derrors.Conflict, "you have a profile already; keep it up to date instead of registering again")
		}
	}
	if _, err := s.db.keyring(); err != nil {
		return w, err
	}
	slices.Sort(w.Skills)
	t := now()
	w.CreatedAt, w.UpdatedAt, w.Version = t, t, 1
	err = s.db.InTx(ctx, func(tx *Tx) error {
		if err := s.insertWorker(ctx, tx, &w); err != nil {
			return err
		}
		if err := bumpVersion(ctx, tx, "labour"); err != nil {
			return err
		}
		return s.db.auditTx(ctx, tx, p, workersResource, audit.ActionCreate, w.ID, "worker profile, consent "+w.Consent.RecordedBy)
	})
	return w, err
}

func (s *Labour) insertWorker(ctx context.Context, tx *Tx, w *labour.Worker) error {
	err := tx.QueryRow(ctx, `INSERT INTO labour_workers (org_id, owner_id, status, consent_matching, consent_share, consent_date, consent_by,
		personal_enc, key_id, origin, occupations, skills, languages, education, experience_years, available_from, preferred, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		w.OrgID, w.OwnerID, w.Status, w.Consent.Matching, w.Consent.ShareWithEmployers, w.Consent.Date, w.Consent.RecordedBy,
		w.Origin, jsonText(nonNil(w.Occupations)), jsonText(nonNil(w.Skills)), jsonText(nonNil(w.Languages)), w.Education, w.ExperienceYears,
		w.AvailableFrom, jsonText(nonNil(w.PreferredDestinations)), w.Version, w.CreatedAt, w.UpdatedAt).Scan(&w.ID)
	if err = classify(err); err != nil {
		return err
	}
	return s.sealWorker(ctx, tx, *w)
}

func (s *Labour) sealWorker(ctx context.Context, tx *Tx, w labour.Worker) error {
	sl, err := s.db.sealer("labour_workers", w.ID)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(personalOf(w))
	enc := sl.seal("personal", string(b))
	if sl.err != nil {
		return sl.err
	}
	_, err = tx.Exec(ctx, `UPDATE labour_workers SET personal_enc = ?, key_id = ? WHERE id = ?`, enc, sl.keyID(), w.ID)
	return classify(err)
}

const workerColumns = `id, org_id, owner_id, status, consent_matching, consent_share, consent_date, consent_by, personal_enc,
	origin, occupations, skills, languages, education, experience_years, available_from, preferred, version, created_at, updated_at`

// scanWorker reads a row; the personal fields are opened only when open.
func (s *Labour) scanWorker(r interface{ Scan(...any) error }, open bool) (labour.Worker, error) {
	var w labour.Worker
	var enc, occ, skills, langs, pref string
	err := r.Scan(&w.ID, &w.OrgID, &w.OwnerID, &w.Status, &w.Consent.Matching, &w.Consent.ShareWithEmployers, &w.Consent.Date,
		&w.Consent.RecordedBy, &enc, &w.Origin, &occ, &skills, &langs, &w.Education, &w.ExperienceYears, &w.AvailableFrom, &pref,
		&w.Version, &w.CreatedAt, &w.UpdatedAt)
	if err != nil {
		return w, err
	}
	for _, f := range []struct {
		s   string
		dst any
	}{{occ, &w.Occupations}, {skills, &w.Skills}, {langs, &w.Languages}, {pref, &w.PreferredDestinations}} {
		if err := json.Unmarshal([]byte(f.s), f.dst); err != nil {
			return w, err
		}
	}
	if !open {
		return w, nil
	}
	sl, err := s.db.sealer("labour_workers", w.ID)
	if err != nil {
		return w, err
	}
	plain := sl.open("personal", enc)
	if sl.err != nil {
		return w, sl.err
	}
	var pp personal
	if err := json.Unmarshal([]byte(plain), &pp); err != nil {
		return w, err
	}
	pp.into(&w)
	return w, nil
}

func (s *Labour) loadWorker(ctx context.Context, id int64, open bool) (labour.Worker, error) {
	w, err := s.scanWorker(s.db.queryRow(ctx, `SELECT `+workerColumns+` FROM labour_workers WHERE id = ?`, id), open)
	if noRowsErr(err) {
		return w, derrors.Kindf(derrors.NotFound, "no worker %d", id)
	}
	return w, classify(err)
}

// WorkerAccess says how far p sees a worker.
type WorkerAccess int

const (
	// WorkerHidden: p may not see the worker at all.
	WorkerHidden WorkerAccess = iota
	// WorkerPseudonymous: the matching attributes under a reference, no
	// identity (an employer looking at candidates).
	WorkerPseudonymous
	// WorkerShared: the matching attributes with the name and contacts,
	// which the worker consented to share with an employer whose drive
	// shortlisted them (not the birth date, qualifications text or the
	// agency's notes).
	WorkerShared
	// WorkerFull: the whole profile with the personal fields (the
	// registering organisation, the worker's own account).
	WorkerFull
)

// workerAccess decides how far p sees w.
func (s *Labour) workerAccess(ctx context.Context, p *auth.Principal, w labour.Worker) (WorkerAccess, error) {
	if p.Allows(workersResource, auth.Read, auth.Record{OrgID: w.OrgID, OwnerID: w.OwnerID}) {
		return WorkerFull, nil
	}
	// The pseudonymous view is for those who recruit (labour:assign: an
	// employer running drives), not for other workers or agencies.
	if !p.Can(workersResource, auth.Read) || !p.Can(labourResource, auth.Assign) || w.Status == labour.WorkerWithdrawn || !w.Consent.Matching {
		return WorkerHidden, nil
	}
	if w.Consent.ShareWithEmployers && p.OrgID != 0 {
		var n int
		err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM labour_applications a JOIN labour_drives d ON d.id = a.drive_id
			WHERE a.worker_id = ? AND d.org_id = ?`, w.ID, p.OrgID).Scan(&n)
		if err != nil {
			return WorkerHidden, classify(err)
		}
		if n > 0 {
			return WorkerShared, nil
		}
	}
	return WorkerPseudonymous, nil
}

// Worker returns a worker profile as far as p may see it: with the
// personal fields (audited as a read of personal data) or pseudonymous
// (names, contacts and notes blank). Hidden and unknown workers wrap
// derrors.NotFound.
func (s *Labour) Worker(ctx context.Context, p *auth.Principal, id int64) (_ labour.Worker, _ WorkerAccess, err error) {
	defer derrors.Wrap(&err, "store.Labour.Worker(%d)", id)
	w, err := s.loadWorker(ctx, id, false)
	if err != nil {
		return w, WorkerHidden, err
	}
	acc, err := s.workerAccess(ctx, p, w)
	if err != nil {
		return w, WorkerHidden, err
	}
	switch acc {
	case WorkerHidden:
		return labour.Worker{}, acc, derrors.Kindf(derrors.NotFound, "no worker %d", id)
	case WorkerPseudonymous:
		return w, acc, nil
	}
	if w, err = s.loadWorker(ctx, id, true); err != nil {
		return w, WorkerHidden, err
	}
	if acc == WorkerShared {
		w.BirthDate, w.Qualifications, w.Notes = "", "", ""
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		return s.db.auditTx(ctx, tx, p, workersResource, audit.ActionRead, id, "worker profile with personal fields")
	})
	return w, acc, err
}

// WorkerFilter selects the workers an organisation registered.
type WorkerFilter struct {
	Status string
	Origin string
	ISCO   string
	Limit  int
	Offset int
}

// Workers lists the profiles p's scope of workers:read reaches, newest
// first, with their personal fields (audited as one read of the listing).
func (s *Labour) Workers(ctx context.Context, p *auth.Principal, f WorkerFilter) (_ []labour.Worker, total int, err error) {
	defer derrors.Wrap(&err, "store.Labour.Workers")
	flt := p.FilterFor(workersResource, auth.Read)
	where, args := []string{"1 = 1"}, []any{}
	switch {
	case flt.None:
		return nil, 0, refused("list workers")
	case flt.All:
	case flt.OrgID != 0:
		where, args = append(where, "org_id = ?"), append(args, flt.OrgID)
	default:
		where, args = append(where, "owner_id = ?"), append(args, flt.OwnerID)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.Origin != "" {
		where, args = append(where, "origin = ?"), append(args, f.Origin)
	}
	if f.ISCO != "" {
		where, args = append(where, `occupations LIKE ? ESCAPE '\'`), append(args, `%"isco":"`+escapeLike(f.ISCO)+`%`)
	}
	cond := strings.Join(where, " AND ")
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM labour_workers WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, classify(err)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	rows, err := s.db.query(ctx, `SELECT `+workerColumns+` FROM labour_workers WHERE `+cond+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	var out []labour.Worker
	for rows.Next() {
		w, err := s.scanWorker(rows, true)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	// Every profile shown with its personal fields is one audited read.
	err = s.db.InTx(ctx, func(tx *Tx) error {
		for _, w := range out {
			if err := s.db.auditTx(ctx, tx, p, workersResource, audit.ActionRead, w.ID, "worker list"); err != nil {
				return err
			}
		}
		return nil
	})
	return out, total, err
}

// WithdrawWorker records that a worker withdrew consent: the profile is
// never matched again and its personal fields are erased (the matching
// attributes stay for the statistics of past drives).
func (s *Labour) WithdrawWorker(ctx context.Context, p *auth.Principal, id int64) (err error) {
	defer derrors.Wrap(&err, "store.Labour.WithdrawWorker(%d)", id)
	w, err := s.loadWorker(ctx, id, false)
	if err != nil {
		return err
	}
	if !p.Allows(workersResource, auth.Update, auth.Record{OrgID: w.OrgID, OwnerID: w.OwnerID}) {
		return derrors.Kindf(derrors.NotFound, "no worker %d", id)
	}
	w.Status, w.Consent.Matching, w.Consent.ShareWithEmployers = labour.WorkerWithdrawn, false, false
	personal{}.into(&w)
	return s.db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE labour_workers SET status = ?, consent_matching = ?, consent_share = ?, version = version + 1, updated_at = ?
			WHERE id = ?`, w.Status, false, false, now(), id); err != nil {
			return classify(err)
		}
		if err := s.sealWorker(ctx, tx, w); err != nil {
			return err
		}
		if err := s.endApplications(ctx, tx, p, id); err != nil {
			return err
		}
		if err := bumpVersion(ctx, tx, "labour"); err != nil {
			return err
		}
		return s.db.auditTx(ctx, tx, p, workersResource, audit.ActionUpdate, id, "consent withdrawn; personal fields erased")
	})
}

// endApplications moves a withdrawing worker's active applications to the
// withdrawn stage, each with its event.
func (s *Labour) endApplications(ctx context.Context, tx *Tx, p *auth.Principal, workerID int64) error {
	ids, err := openApplications(ctx, tx, `worker_id = ?`, workerID)
	if err != nil {
		return err
	}
	return s.endApplicationsByID(ctx, tx, p, ids, labour.StageWithdrawn, "consent withdrawn")
}

// openApplications lists the applications still moving that match cond.
func openApplications(ctx context.Context, tx *Tx, cond string, args ...any) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM labour_applications WHERE `+cond+` AND stage NOT IN ('placed', 'rejected', 'withdrawn')`, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// endApplicationsByID moves applications to an end stage, each with its
// event (today, the reason as the note).
func (s *Labour) endApplicationsByID(ctx context.Context, tx *Tx, p *auth.Principal, ids []int64, stage, reason string) error {
	t := now()
	for _, id := range ids {
		if _, err := tx.Exec(ctx, `UPDATE labour_applications SET stage = ?, version = version + 1, updated_at = ? WHERE id = ?`, stage, t, id); err != nil {
			return classify(err)
		}
		ev := labour.StageEvent{Stage: stage, Date: today(), OrgID: p.OrgID, By: p.UserID, Note: reason, RecordedAt: t}
		if err := s.insertStageEvent(ctx, tx, id, ev); err != nil {
			return err
		}
	}
	return nil
}

// UpdateWorker changes a profile (workers:update over it: the registering
// organisation or the worker's own account); w.Version must be the
// current version (derrors.Conflict otherwise). The organisation, owner,
// status and how consent was recorded stay; a withdrawn profile cannot
// be changed (consent is given again by registering anew).
func (s *Labour) UpdateWorker(ctx context.Context, p *auth.Principal, w labour.Worker) (_ labour.Worker, err error) {
	defer derrors.Wrap(&err, "store.Labour.UpdateWorker(%d)", w.ID)
	cur, err := s.loadWorker(ctx, w.ID, false)
	if err != nil {
		return w, err
	}
	if !p.Allows(workersResource, auth.Update, auth.Record{OrgID: cur.OrgID, OwnerID: cur.OwnerID}) {
		return w, derrors.Kindf(derrors.NotFound, "no worker %d", w.ID)
	}
	if cur.Status != labour.WorkerActive {
		return w, derrors.Kindf(derrors.Conflict, "status: the profile is %s and cannot change", cur.Status)
	}
	if w.Version != cur.Version {
		return w, derrors.Kindf(derrors.Conflict, "version: the profile changed since you loaded it (now version %d, you sent %d)", cur.Version, w.Version)
	}
	w.OrgID, w.OwnerID, w.Status, w.CreatedAt = cur.OrgID, cur.OwnerID, cur.Status, cur.CreatedAt
	w.Consent.RecordedBy = cur.Consent.RecordedBy
	ps := w.Check()
	notFuture(&ps, "consent.date", w.Consent.Date)
	notFuture(&ps, "birthDate", w.BirthDate)
	if w.BirthDate != "" && w.BirthDate > now().AddDate(-labour.MinWorkingAge, 0, 0).Format("2006-01-02") {
		ps.Add("birthDate", "minimumAge", map[string]any{"Min": labour.MinWorkingAge},
			"a worker recruited abroad is at least %d years old", labour.MinWorkingAge)
	}
	if err := ps.Err(); err != nil {
		return w, err
	}
	if err := s.checkWorker(ctx, &w); err != nil {
		return w, err
	}
	slices.Sort(w.Skills)
	w.Version, w.UpdatedAt = cur.Version+1, now()
	err = s.db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE labour_workers SET consent_matching = ?, consent_share = ?, consent_date = ?, origin = ?, occupations = ?,
			skills = ?, languages = ?, education = ?, experience_years = ?, available_from = ?, preferred = ?, version = ?, updated_at = ?
			WHERE id = ? AND version = ?`, w.Consent.Matching, w.Consent.ShareWithEmployers, w.Consent.Date, w.Origin, jsonText(nonNil(w.Occupations)),
			jsonText(nonNil(w.Skills)), jsonText(nonNil(w.Languages)), w.Education, w.ExperienceYears, w.AvailableFrom,
			jsonText(nonNil(w.PreferredDestinations)), w.Version, w.UpdatedAt, w.ID, cur.Version)
		if err = classify(err); err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return derrors.Kindf(derrors.Conflict, "version: the profile changed meanwhile; reload")
		}
		if err := s.sealWorker(ctx, tx, w); err != nil {
			return err
		}
		if err := bumpVersion(ctx, tx, "labour"); err != nil {
			return err
		}
		return s.db.auditTx(ctx, tx, p, workersResource, audit.ActionUpdate, w.ID, "worker profile updated")
	})
	return w, err
}
