package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/labour"
)

// Labour stores the labour-mobility capability: vacancies, worker
// profiles (personal fields sealed), recruiters, costs, drives and their
// pipeline. Every method takes the principal and checks it; every change,
// and every read of a worker's personal fields, is audited.
type Labour struct{ db *DB }

// Labour returns the labour-mobility store.
func (db *DB) Labour() *Labour { return &Labour{db: db} }

// The resources of the permission catalogue (auth.Resources).
const (
	labourResource  = "labour"
	workersResource = "workers"
)

// auditTx appends an audit entry for resource inside tx (with the client
// address the web layer put in ctx).
func (db *DB) auditTx(ctx context.Context, tx *Tx, p *auth.Principal, resource, action string, record int64, detail string) error {
	e := audit.Entry{ActorID: p.UserID, ActorName: p.Username, OrgID: p.OrgID, Action: action, Resource: resource,
		Outcome: audit.OutcomeOK, Detail: detail}
	if record != 0 {
		e.RecordID = strconv.FormatInt(record, 10)
	}
	if v, ok := ctx.Value(auditClientKey{}).([2]string); ok {
		e.ClientAddr = v[0]
	}
	if len(e.Detail) > audit.MaxDetailLen {
		e.Detail = e.Detail[:audit.MaxDetailLen]
	}
	_, err := db.Audit().AppendTx(ctx, tx, e)
	return err
}

// LabourVersion changes whenever vacancies or workers change; matching
// indexes and the market view are cached per version.
func (db *DB) LabourVersion(ctx context.Context) (int64, error) {
	return recheckRead(db, "labour", func() (int64, error) {
		var v int64
		err := db.queryRow(ctx, `SELECT version FROM cache_versions WHERE name = 'labour'`).Scan(&v)
		return v, classify(err)
	})
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain slices of numbers, strings and structs of them are stored
	}
	return string(b)
}

func fromJSON[T any](s string, dst *T) error {
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), dst)
}

// checkCountry refuses a well-formed code the reference geography does not
// know (when one is loaded).
func (s *Labour) checkCountry(ctx context.Context, fieldName, code string) error {
	ok, err := s.db.RemitCountryKnown(ctx, code)
	if err != nil {
		return err
	}
	if !ok {
		return derrors.Kindf(derrors.Invalid, "%s: %s is not a country of the reference geography", fieldName, code)
	}
	return nil
}

// ---- recruiters

// CreateRecruiter adds a recruiter to the register (labour:create). Only
// who certifies for the whole platform (labour:publish at every scope)
// records a recruiter as IRIS-certified; a certificate already past its end
// date is refused. A name that folds to one already in the country
// (labour.RecruiterKey) wraps derrors.Conflict; invalid fields
// derrors.Invalid.
func (s *Labour) CreateRecruiter(ctx context.Context, p *auth.Principal, r labour.Recruiter) (_ labour.Recruiter, err error) {
	defer derrors.Wrap(&err, "store.Labour.CreateRecruiter")
	if !p.Can(labourResource, auth.Create) {
		return r, refused("add recruiters")
	}
	if err := s.checkCertification(p, r); err != nil {
		return r, err
	}
	if err := s.checkCountry(ctx, "country", r.Country); err != nil {
		return r, err
	}
	r.CreatedAt = now()
	err = s.db.InTx(ctx, func(tx *Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO labour_recruiters (name, name_key, country, licence, certification, certified_until, website, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.Name, labour.RecruiterKey(r.Name), r.Country, r.Licence, r.Certification,
			r.CertifiedUntil, r.Website, p.UserID, r.CreatedAt).Scan(&r.ID)
		if err = classify(err); err != nil {
			if derrors.Kind(err) == derrors.Conflict {
				return derrors.Kindf(derrors.Conflict, "name: %s already has a recruiter named like %q", r.Country, r.Name)
			}
			return err
		}
		return s.db.auditTx(ctx, tx, p, labourResource, audit.ActionCreate, r.ID, "recruiter "+r.Name+", "+r.Certification)
	})
	return r, err
}

// checkCertification checks a recruiter's fields and who may state its
// certification.
func (s *Labour) checkCertification(p *auth.Principal, r labour.Recruiter) error {
	ps := r.Check()
	if r.Certification == "iris-certified" && r.CertifiedUntil != "" && r.CertifiedUntil < today() {
		ps.Add("certifiedUntil", "expired", nil, "the certificate ended on %s", r.CertifiedUntil)
	}
	if err := ps.Err(); err != nil {
		return err
	}
	if r.Certification != "not-certified" && p.Scope(labourResource, auth.Publish) != auth.ScopeAll {
		return refused("record a recruiter's certification as " + r.Certification + " (the platform's certification desk does)")
	}
	return nil
}

// SetCertification records a change of a recruiter's certification
// (certified, suspended, revoked …): labour:publish at every scope. Errors:
// NotFound, Forbidden, Invalid naming the field.
func (s *Labour) SetCertification(ctx context.Context, p *auth.Principal, id int64, certification, until string) (_ labour.Recruiter, err error) {
	defer derrors.Wrap(&err, "store.Labour.SetCertification(%d)", id)
	r, err := s.Recruiter(ctx, id)
	if err != nil {
		return r, err
	}
	r.Certification, r.CertifiedUntil = certification, until
	if p.Scope(labourResource, auth.Publish) != auth.ScopeAll {
		return r, refused("change a recruiter's certification (the platform's certification desk does)")
	}
	if err := s.checkCertification(p, r); err != nil {
		return r, err
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE labour_recruiters SET certification = ?, certified_until = ? WHERE id = ?`, r.Certification, r.CertifiedUntil, id); err != nil {
			return classify(err)
		}
		return s.db.auditTx(ctx, tx, p, labourResource, audit.ActionUpdate, id, "recruiter certification "+r.Certification)
	})
	r.Expired = r.Certification == "iris-certified" && r.CertifiedUntil < today()
	return r, err
}

// refused is the error of an action p's roles do not allow on labour
// records.
func refused(action string) error {
	return derrors.Kindf(derrors.Forbidden, "your roles do not allow you to %s", action)
}

// Recruiters lists the register with, for each recruiter, the number of
// workers who reported paying it a recruitment fee (flagged when > 0).
func (s *Labour) Recruiters(ctx context.Context) (_ []labour.Recruiter, err error) {
	defer derrors.Wrap(&err, "store.Labour.Recruiters")
	return s.recruiters(ctx, "1 = 1")
}

// Recruiter returns one recruiter of the register (public, like the
// register); an unknown id wraps derrors.NotFound.
func (s *Labour) Recruiter(ctx context.Context, id int64) (_ labour.Recruiter, err error) {
	defer derrors.Wrap(&err, "store.Labour.Recruiter(%d)", id)
	rs, err := s.recruiters(ctx, "r.id = ?", id)
	if err != nil {
		return labour.Recruiter{}, err
	}
	if len(rs) == 0 {
		return labour.Recruiter{}, derrors.Kindf(derrors.NotFound, "no recruiter %d", id)
	}
	return rs[0], nil
}

// recruiters reads the recruiters matching cond, with the workers who
// reported paying each a fee.
func (s *Labour) recruiters(ctx context.Context, cond string, args ...any) ([]labour.Recruiter, error) {
	rows, err := s.db.query(ctx, `SELECT r.id, r.name, r.country, r.licence, r.certification, r.certified_until, r.website, r.created_at,
		(SELECT COUNT(DISTINCT c.worker_id) FROM labour_costs c WHERE c.recruiter_id = r.id AND c.kind IN ('recruitment-fee', 'service-charge'))
		FROM labour_recruiters r WHERE `+cond+` ORDER BY r.country, r.name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []labour.Recruiter
	for rows.Next() {
		var r labour.Recruiter
		if err := rows.Scan(&r.ID, &r.Name, &r.Country, &r.Licence, &r.Certification, &r.CertifiedUntil, &r.Website, &r.CreatedAt,
			&r.WorkersPayingFees); err != nil {
			return nil, err
		}
		r.Flagged = r.WorkersPayingFees > 0
		r.Expired = r.Certification == "iris-certified" && r.CertifiedUntil < today()
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Labour) recruiterExists(ctx context.Context, id int64, fieldName string) error {
	var n int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM labour_recruiters WHERE id = ?`, id).Scan(&n); err != nil {
		return classify(err)
	}
	if n == 0 {
		return derrors.Kindf(derrors.Invalid, "%s: no recruiter %d in the register", fieldName, id)
	}
	return nil
}

// ---- vacancies

const vacancyColumns = `v.id, v.org_id, o.name, v.status, v.title, v.description, v.destination, v.place, v.isco, v.occupation, v.sector,
	v.positions, v.filled, v.essential_skills, v.optional_skills, v.languages, v.education, v.qualifications, v.experience_years,
	v.monthly_wage, v.currency, v.hours_per_week, v.contract_months, v.housing, v.channel_kind, v.channel_name,
	COALESCE(v.recruiter_id, 0), v.employer_pays, v.worker_fee, v.fee_note, v.start_date, v.version, v.created_at, v.published_at, v.closed_at`

func scanVacancy(r interface{ Scan(...any) error }) (labour.Vacancy, error) {
	var v labour.Vacancy
	var ess, opt, langs string
	var pub, closed sql.NullTime
	err := r.Scan(&v.ID, &v.OrgID, &v.OrgName, &v.Status, &v.Title, &v.Description, &v.Destination, &v.Place, &v.ISCO, &v.Occupation,
		&v.Sector, &v.Positions, &v.Filled, &ess, &opt, &langs, &v.Education, &v.Qualifications, &v.ExperienceYears,
		&v.MonthlyWage, &v.Currency, &v.HoursPerWeek, &v.ContractMonths, &v.Housing, &v.Channel.Kind, &v.Channel.Name,
		&v.RecruiterID, &v.Fees.EmployerPays, &v.Fees.WorkerFee, &v.Fees.Note, &v.StartDate, &v.Version, &v.CreatedAt, &pub, &closed)
	if err != nil {
		return v, err
	}
	v.PublishedAt, v.ClosedAt = pub.Time, closed.Time
	if err := fromJSON(ess, &v.Essential); err != nil {
		return v, err
	}
	if err := fromJSON(opt, &v.Optional); err != nil {
		return v, err
	}
	return v, fromJSON(langs, &v.Languages)
}

// checkVacancy checks a vacancy against the register, the geography and
// the taxonomy (when loaded): the destination, the recruiter, the
// occupation and its ISCO group, the skills.
func (s *Labour) checkVacancy(ctx context.Context, v *labour.Vacancy) error {
	if err := s.checkCountry(ctx, "destination", v.Destination); err != nil {
		return err
	}
	if v.RecruiterID != 0 {
		if err := s.recruiterExists(ctx, v.RecruiterID, "recruiterId"); err != nil {
			return err
		}
	}
	return s.checkOccupations(ctx, "", []labour.HeldOccupation{{Occupation: v.Occupation, ISCO: v.ISCO}},
		map[string][]int32{"essentialSkills": v.Essential, "optionalSkills": v.Optional})
}

// CreateVacancy stores a vacancy of p's organisation (labour:create), as a
// draft or directly published; publishing checks the employer-pays rule
// (labour.Vacancy.Publishable). Errors wrap Forbidden or Invalid (naming
// the field).
func (s *Labour) CreateVacancy(ctx context.Context, p *auth.Principal, v labour.Vacancy) (_ labour.Vacancy, err error) {
	defer derrors.Wrap(&err, "store.Labour.CreateVacancy")
	if !p.Can(labourResource, auth.Create) || p.OrgID == 0 {
		return v, refused("post vacancies")
	}
	v.OrgID = p.OrgID
	if v.Status == "" {
		v.Status = labour.VacancyDraft
	}
	if v.Status != labour.VacancyDraft && v.Status != labour.VacancyPublished {
		return v, derrors.Kindf(derrors.Invalid, "status: a new vacancy is a draft or published")
	}
	if v.Status == labour.VacancyPublished && !p.Can(labourResource, auth.Publish) {
		return v, refused("publish vacancies")
	}
	if v.Status == labour.VacancyPublished {
		if err := s.publishable(ctx, v); err != nil {
			return v, err
		}
	} else if err := v.Check().Err(); err != nil {
		return v, err
	}
	if err := s.checkVacancy(ctx, &v); err != nil {
		return v, err
	}
	t := now()
	v.CreatedAt, v.Version = t, 1
	var pub any
	if v.Status == labour.VacancyPublished {
		v.PublishedAt, pub = t, t
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO labour_vacancies (org_id, status, title, description, destination, place, isco, occupation, sector,
			positions, filled, essential_skills, optional_skills, languages, education, qualifications, experience_years, monthly_wage, currency,
			hours_per_week, contract_months, housing, channel_kind, channel_name, recruiter_id, employer_pays, worker_fee, fee_note, start_date,
			version, created_by, created_at, published_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
			v.OrgID, v.Status, v.Title, v.Description, v.Destination, v.Place, v.ISCO, v.Occupation, v.Sector, v.Positions, v.Filled,
			jsonText(nonNil(v.Essential)), jsonText(nonNil(v.Optional)), jsonText(nonNil(v.Languages)), v.Education, v.Qualifications,
			v.ExperienceYears, v.MonthlyWage, v.Currency, v.HoursPerWeek, v.ContractMonths, v.Housing, v.Channel.Kind, v.Channel.Name,
			nullID(v.RecruiterID), v.Fees.EmployerPays, v.Fees.WorkerFee, v.Fees.Note, v.StartDate, p.UserID, t, pub).Scan(&v.ID)
		if err = classify(err); err != nil {
			return err
		}
		if err := bumpVersion(ctx, tx, "labour"); err != nil {
			return err
		}
		return s.db.auditTx(ctx, tx, p, labourResource, audit.ActionCreate, v.ID, "vacancy "+v.Status)
	})
	return v, err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// publishable checks a vacancy about to be published: the domain's rules
// (employer pays), a start date not already past, a recruiter that is
// neither suspended nor revoked.
func (s *Labour) publishable(ctx context.Context, v labour.Vacancy) error {
	ps := v.Publishable()
	if v.StartDate != "" && v.StartDate < today() {
		ps.Add("startDate", "past", nil, "the start date %s has passed", v.StartDate)
	}
	if err := ps.Err(); err != nil {
		return err
	}
	if v.RecruiterID != 0 {
		var cert string
		err := s.db.queryRow(ctx, `SELECT certification FROM labour_recruiters WHERE id = ?`, v.RecruiterID).Scan(&cert)
		if err != nil && !noRowsErr(err) {
			return classify(err)
		}
		if cert == "suspended" || cert == "revoked" {
			return derrors.Kindf(derrors.Invalid, "recruiterId: recruiter %d is %s: a vacancy recruiting through it cannot be published", v.RecruiterID, cert)
		}
	}
	return nil
}

// canSeeDraft reports whether p may see a vacancy that is not published,
// and its candidates: its own organisation (labour:read, which the public
// also holds, is only for published vacancies), or whoever may update it.
func canSeeDraft(p *auth.Principal, v labour.Vacancy) bool {
	return p.OrgID != 0 && p.OrgID == v.OrgID && p.Can(labourResource, auth.Read) ||
		p.Allows(labourResource, auth.Update, auth.Record{OrgID: v.OrgID})
}

// Vacancy returns a vacancy: a published one to anyone who may read
// labour (the public may), others only to their organisation. An unknown
// or hidden vacancy wraps derrors.NotFound.
func (s *Labour) Vacancy(ctx context.Context, p *auth.Principal, id int64) (_ labour.Vacancy, err error) {
	defer derrors.Wrap(&err, "store.Labour.Vacancy(%d)", id)
	if !p.Can(labourResource, auth.Read) {
		return labour.Vacancy{}, refused("read vacancies")
	}
	v, err := scanVacancy(s.db.queryRow(ctx, `SELECT `+vacancyColumns+` FROM labour_vacancies v JOIN orgs o ON o.id = v.org_id WHERE v.id = ?`, id))
	if noRowsErr(err) || err == nil && v.Status != labour.VacancyPublished && !canSeeDraft(p, v) {
		return labour.Vacancy{}, derrors.Kindf(derrors.NotFound, "no vacancy %d", id)
	}
	return v, classify(err)
}

// VacancyFilter selects vacancies. Status "" means published; other
// statuses show only the vacancies p's scope reaches.
type VacancyFilter struct {
	Status      string
	Destination string
	ISCO        string // a prefix: "7" (major group) … "7212" (unit group)
	Sector      string
	Q           string // words in the title, place or channel name
	// Occupations: vacancies of these ESCO occupations match Q too (the
	// caller resolves Q's words through the taxonomy's labels and
	// synonyms).
	Occupations []string
	OrgID       int64
	Limit       int
	Offset      int
}

// Vacancies lists vacancies by the filter, newest first, and their total.
func (s *Labour) Vacancies(ctx context.Context, p *auth.Principal, f VacancyFilter) (_ []labour.Vacancy, total int, err error) {
	defer derrors.Wrap(&err, "store.Labour.Vacancies")
	if !p.Can(labourResource, auth.Read) {
		return nil, 0, refused("read vacancies")
	}
	where, args := []string{"1 = 1"}, []any{}
	if f.Status == "" {
		f.Status = labour.VacancyPublished
	}
	if f.Status != "all" {
		where, args = append(where, "v.status = ?"), append(args, f.Status)
	}
	if f.Status != labour.VacancyPublished {
		// Unpublished vacancies: those p may update, and its own
		// organisation's (see canSeeDraft).
		flt := p.FilterFor(labourResource, auth.Update)
		switch {
		case flt.All:
		case p.OrgID != 0:
			where, args = append(where, "(v.org_id = ? OR v.status = 'published')"), append(args, p.OrgID)
		default:
			where = append(where, "v.status = 'published'")
		}
	}
	if f.Destination != "" {
		where, args = append(where, "v.destination = ?"), append(args, f.Destination)
	}
	if f.ISCO != "" {
		where, args = append(where, "v.isco LIKE ?"), append(args, f.ISCO+"%")
	}
	if f.Sector != "" {
		where, args = append(where, "v.sector = ?"), append(args, f.Sector)
	}
	if f.OrgID != 0 {
		where, args = append(where, "v.org_id = ?"), append(args, f.OrgID)
	}
	if words := strings.Fields(strings.ToLower(f.Q)); len(words) > 0 {
		var all []string
		for _, w := range words {
			like := "%" + escapeLike(w) + "%"
			all = append(all, `(LOWER(v.title) LIKE ? ESCAPE '\' OR LOWER(v.place) LIKE ? ESCAPE '\' OR LOWER(v.channel_name) LIKE ? ESCAPE '\')`)
			args = append(args, like, like, like)
		}
		cond := "(" + strings.Join(all, " AND ") + ")"
		if n := len(f.Occupations); n > 0 {
			cond = "(" + cond + " OR v.occupation IN (?" + strings.Repeat(", ?", n-1) + "))"
			for _, o := range f.Occupations {
				args = append(args, o)
			}
		}
		where = append(where, cond)
	}
	cond := strings.Join(where, " AND ")
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM labour_vacancies v WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, classify(err)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	rows, err := s.db.query(ctx, `SELECT `+vacancyColumns+` FROM labour_vacancies v JOIN orgs o ON o.id = v.org_id WHERE `+cond+
		` ORDER BY v.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []labour.Vacancy
	for rows.Next() {
		v, err := scanVacancy(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	return out, total, rows.Err()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SetVacancyStatus publishes, withdraws or closes a vacancy of p's
// organisation (labour:update; publishing also labour:publish), or
// records filled positions (filled ≥ 0; all filled closes it as filled).
// version must be the current one (derrors.Conflict otherwise).
func (s *Labour) SetVacancyStatus(ctx context.Context, p *auth.Principal, id, version int64, status string, filled int) (_ labour.Vacancy, err error) {
	defer derrors.Wrap(&err, "store.Labour.SetVacancyStatus(%d)", id)
	v, err := s.Vacancy(ctx, p, id)
	if err != nil {
		return v, err
	}
	if !p.Allows(labourResource, auth.Update, auth.Record{OrgID: v.OrgID}) {
		return v, refused("change this vacancy")
	}
	if v.Version != version {
		return v, derrors.Kindf(derrors.Conflict, "version: the vacancy changed since you loaded it (now version %d, you sent %d)", v.Version, version)
	}
	if v.Status == labour.VacancyWithdrawn || v.Status == labour.VacancyFilled {
		return v, derrors.Kindf(derrors.Conflict, "status: the vacancy is %s and cannot change", v.Status)
	}
	if filled >= 0 {
		if filled < v.Filled || filled > v.Positions {
			return v, derrors.Kindf(derrors.Invalid, "filled: from %d (filled already) to %d positions", v.Filled, v.Positions)
		}
		v.Filled = filled
		if filled == v.Positions {
			status = labour.VacancyFilled
		}
	}
	if status == "" {
		status = v.Status
	}
	switch status {
	case labour.VacancyPublished:
		if !p.Allows(labourResource, auth.Publish, auth.Record{OrgID: v.OrgID}) {
			return v, refused("publish vacancies")
		}
		if v.Status != labour.VacancyPublished {
			v.Status = status
			if err := s.publishable(ctx, v); err != nil {
				return v, err
			}
			v.PublishedAt = now()
		}
	case labour.VacancyWithdrawn, labour.VacancyFilled:
		v.ClosedAt = now()
	case labour.VacancyDraft:
		if v.Status != labour.VacancyDraft {
			return v, derrors.Kindf(derrors.Conflict, "status: a published vacancy cannot go back to draft; withdraw it")
		}
	default:
		return v, derrors.Kindf(derrors.Invalid, "status: one of %s", strings.Join(labour.VacancyStatuses, ", "))
	}
	v.Status = status
	v.Version++
	err = s.db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE labour_vacancies SET status = ?, filled = ?, version = ?, published_at = ?, closed_at = ?
			WHERE id = ? AND version = ?`, v.Status, v.Filled, v.Version, nullTime(v.PublishedAt), nullTime(v.ClosedAt), id, version)
		if err = classify(err); err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return derrors.Kindf(derrors.Conflict, "version: the vacancy changed meanwhile; reload")
		}
		if v.Status == labour.VacancyWithdrawn || v.Status == labour.VacancyFilled {
			// Nobody is recruited any more for it: its open applications end.
			ids, err := openApplications(ctx, tx, `vacancy_id = ? AND stage NOT IN ('accepted', 'visa', 'pre-departure', 'travel', 'arrived')`, id)
			if v.Status == labour.VacancyWithdrawn {
				ids, err = openApplications(ctx, tx, `vacancy_id = ?`, id)
			}
			if err != nil {
				return err
			}
			if err := s.endApplicationsByID(ctx, tx, p, ids, labour.StageRejected, "vacancy "+v.Status); err != nil {
				return err
			}
		}
		if err := bumpVersion(ctx, tx, "labour"); err != nil {
			return err
		}
		return s.db.auditTx(ctx, tx, p, labourResource, audit.ActionUpdate, id, "vacancy "+v.Status+" filled "+strconv.Itoa(v.Filled))
	})
	return v, err
}
