package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"sort"
	"strings"
	"sync"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/labour/match"
)

// labourCache holds the matching indexes of one labour version: every
// active worker who consented to matching, and every published vacancy
// with open positions. Built on first use after a change; read
// concurrently.
type labourCache struct {
	mu  sync.Mutex
	idx *labourIndex
}

type labourIndex struct {
	version int64
	// taxVersion is the ESCO/ISCO taxonomy's version the index was built on.
	taxVersion int64
	workers    *workerMatcher
	vacancies  *match.VacancyIndex
	workerBy   map[int64]match.Worker
	vacancyBy  map[int64]match.Vacancy
	// orgOf is the organisation of each indexed vacancy.
	orgOf map[int64]int64
	// broader is each ESCO occupation's broader occupation (the ESCO
	// hierarchy below the ISCO unit group), from the taxonomy.
	broader map[string]string
	// workerVer and vacancyVer are the row versions the entries were
	// read at (an incremental rebuild reads only the rows that changed).
	workerVer, vacancyVer map[int64]int64
}

// WarmLabour builds the matching indexes (serve calls it at start).
func (db *DB) WarmLabour(ctx context.Context) error {
	_, err := db.labourIndex(ctx)
	return err
}

// MatchWorker turns a profile into matching terms.
func MatchWorker(w labour.Worker) match.Worker {
	m := match.Worker{ID: w.ID, Origin: w.Origin, Education: w.Education, ExperienceYears: w.ExperienceYears,
		PreferredDestinations: w.PreferredDestinations}
	for _, o := range w.Occupations {
		m.Occupations = append(m.Occupations, match.Occupation{ESCO: o.Occupation, ISCO: o.ISCO})
	}
	for _, s := range w.Skills {
		m.Skills = append(m.Skills, match.SkillID(s))
	}
	m.Languages = matchLanguages(w.Languages)
	return m
}

// MatchVacancy turns a vacancy into matching terms; Positions are the open
// ones.
func MatchVacancy(v labour.Vacancy) match.Vacancy {
	m := match.Vacancy{ID: v.ID, Destination: v.Destination, Occupation: match.Occupation{ESCO: v.Occupation, ISCO: v.ISCO},
		Education: v.Education, ExperienceYears: v.ExperienceYears, Positions: v.Open()}
	for _, s := range v.Essential {
		m.Essential = append(m.Essential, match.SkillID(s))
	}
	for _, s := range v.Optional {
		m.Optional = append(m.Optional, match.SkillID(s))
	}
	m.Languages = matchLanguages(v.Languages)
	return m
}

// withBroader sets the broader ESCO occupation of each occupation.
func withBroader(w match.Worker, broader map[string]string) match.Worker {
	for i := range w.Occupations {
		w.Occupations[i].Broader = broader[w.Occupations[i].ESCO]
	}
	return w
}

// vacancy is the matching terms of a vacancy, with the ESCO hierarchy.
func (idx *labourIndex) vacancy(v labour.Vacancy) match.Vacancy {
	m := MatchVacancy(v)
	m.Occupation.Broader = idx.broader[m.Occupation.ESCO]
	return m
}

func matchLanguages(ls []labour.Language) []match.Language {
	out := make([]match.Language, 0, len(ls))
	for _, l := range ls {
		out = append(out, match.Language{Code: l.Code, Level: match.Level(labour.LevelRank(l.Level))})
	}
	return out
}

// labourIndex returns the indexes of the current labour version.
func (db *DB) labourIndex(ctx context.Context) (*labourIndex, error) {
	v, err := db.LabourVersion(ctx)
	if err != nil {
		return nil, err
	}
	tv, err := db.LabourTaxonomyVersion(ctx)
	if err != nil {
		return nil, err
	}
	c := &db.labour
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.idx != nil && c.idx.version == v && c.idx.taxVersion == tv {
		return c.idx, nil
	}
	prev := c.idx
	if prev != nil && prev.taxVersion != tv {
		prev = nil // a new taxonomy: the ESCO hierarchy of every entry may differ
	}
	idx, err := db.buildLabourIndex(ctx, v, prev)
	if err != nil {
		return nil, err
	}
	idx.taxVersion = tv
	c.idx = idx
	return idx, nil
}

func (db *DB) buildLabourIndex(ctx context.Context, version int64, prev *labourIndex) (_ *labourIndex, err error) {
	defer derrors.Wrap(&err, "store.buildLabourIndex")
	idx := &labourIndex{version: version, workerBy: map[int64]match.Worker{}, vacancyBy: map[int64]match.Vacancy{}, orgOf: map[int64]int64{},
		workerVer: map[int64]int64{}, vacancyVer: map[int64]int64{}}
	if prev == nil {
		prev = &labourIndex{}
	}
	idx.broader = map[string]string{}
	if tax, err := db.LabourTaxonomy(ctx); err == nil {
		for _, o := range tax.Occupations() {
			if o.Broader != "" {
				idx.broader[o.URI] = o.Broader
			}
		}
	} else if derrors.Kind(err) != derrors.NotFound {
		return nil, err
	}
	// Only the rows whose version changed since the previous index are
	// read and decoded again: a registration among 100,000 profiles costs
	// one short scan of (id, version), not a reload of everything.
	var changed []int64
	rows, err := db.query(ctx, `SELECT id, version FROM labour_workers WHERE status = 'active' AND consent_matching = ?`, true)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, ver int64
		if err := rows.Scan(&id, &ver); err != nil {
			rows.Close()
			return nil, err
		}
		idx.workerVer[id] = ver
		if w, ok := prev.workerBy[id]; ok && prev.workerVer[id] == ver {
			idx.workerBy[id] = w
		} else {
			changed = append(changed, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := db.readMatchWorkers(ctx, changed, idx.workerBy, idx.broader); err != nil {
		return nil, err
	}
	// Vacancies likewise: only the changed rows are read again, and the
	// vacancy index is reused when none changed.
	var changedV []int64
	vrows, err := db.query(ctx, `SELECT id, version, org_id FROM labour_vacancies WHERE status = 'published' AND filled < positions`)
	if err != nil {
		return nil, err
	}
	for vrows.Next() {
		var id, ver, org int64
		if err := vrows.Scan(&id, &ver, &org); err != nil {
			vrows.Close()
			return nil, err
		}
		idx.vacancyVer[id], idx.orgOf[id] = ver, org
		if v, ok := prev.vacancyBy[id]; ok && prev.vacancyVer[id] == ver {
			idx.vacancyBy[id] = v
		} else {
			changedV = append(changedV, id)
		}
	}
	vrows.Close()
	if err := vrows.Err(); err != nil {
		return nil, err
	}
	for start := 0; start < len(changedV); start += 500 {
		batch := changedV[start:min(start+500, len(changedV))]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		rows, err := db.sql.QueryContext(ctx, db.dialect.rebind(`SELECT `+vacancyColumns+` FROM labour_vacancies v JOIN orgs o ON o.id = v.org_id
			WHERE v.id IN (?`+strings.Repeat(", ?", len(batch)-1)+`)`), args...)
		if err != nil {
			return nil, classify(err)
		}
		for rows.Next() {
			v, err := scanVacancy(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			idx.vacancyBy[v.ID] = idx.vacancy(v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if prev.workers != nil {
		idx.workers = prev.workers.update(idx.workerBy, idx.workerVer)
	} else {
		ws := make([]match.Worker, 0, len(idx.workerBy))
		for _, w := range idx.workerBy {
			ws = append(ws, w)
		}
		sort.Slice(ws, func(i, j int) bool { return ws[i].ID < ws[j].ID })
		idx.workers = newWorkerMatcher(ws, idx.workerVer)
	}
	if prev.vacancies != nil && len(changedV) == 0 && len(prev.vacancyBy) == len(idx.vacancyBy) {
		idx.vacancies = prev.vacancies
		return idx, nil
	}
	vs := make([]match.Vacancy, 0, len(idx.vacancyBy))
	for _, v := range idx.vacancyBy {
		vs = append(vs, v)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].ID < vs[j].ID })
	idx.vacancies = match.NewVacancyIndex(vs)
	return idx, nil
}

// readMatchWorkers decodes the matching terms of the workers ids (all of
// them when the index is built for the first time) into dst.
func (db *DB) readMatchWorkers(ctx context.Context, ids []int64, dst map[int64]match.Worker, broader map[string]string) error {
	const q = `SELECT id, origin, occupations, skills, languages, education, experience_years, preferred FROM labour_workers`
	read := func(rows *sql.Rows, err error) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var w labour.Worker
			var occ, skills, langs, pref string
			if err := rows.Scan(&w.ID, &w.Origin, &occ, &skills, &langs, &w.Education, &w.ExperienceYears, &pref); err != nil {
				return err
			}
			if err := unmarshalAll([]string{occ, skills, langs, pref}, &w.Occupations, &w.Skills, &w.Languages, &w.PreferredDestinations); err != nil {
				return err
			}
			dst[w.ID] = withBroader(MatchWorker(w), broader)
		}
		return rows.Err()
	}
	if len(ids) > 1000 {
		// Many changes (a first build, a bulk load): one scan of every
		// matched worker is cheaper than batches of keys.
		return read(db.query(ctx, q+` WHERE status = 'active' AND consent_matching = ?`, true))
	}
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		args := make([]any, len(batch))
		ph := make([]string, len(batch))
		for i, id := range batch {
			args[i], ph[i] = id, "?"
		}
		if err := read(db.sql.QueryContext(ctx, db.dialect.rebind(q+` WHERE id IN (`+strings.Join(ph, ",")+`)`), args...)); err != nil {
			return classify(err)
		}
	}
	return nil
}

func unmarshalAll(src []string, dst ...any) error {
	for i, s := range src {
		if err := json.Unmarshal([]byte(s), dst[i]); err != nil {
			return err
		}
	}
	return nil
}

// Candidates ranks the workers for a vacancy p's organisation may read
// (labour:read over it): eligible active workers who consented to
// matching, best first, each with the explanation of its score. Workers
// are pseudonymous here (match results carry ids only). A vacancy that is
// not published or has no open position still gets candidates computed
// from its requirements. Errors: NotFound for an unknown or hidden
// vacancy, Forbidden when p may not read candidates (workers:read).
func (s *Labour) Candidates(ctx context.Context, p *auth.Principal, vacancyID int64, limit int) (_ labour.Vacancy, _ []match.Result, err error) {
	defer derrors.Wrap(&err, "store.Labour.Candidates(%d)", vacancyID)
	v, err := s.Vacancy(ctx, p, vacancyID)
	if err != nil {
		return v, nil, err
	}
	if !p.Can(workersResource, auth.Read) {
		return v, nil, refused("see the candidates of a vacancy")
	}
	if !canSeeDraft(p, v) {
		return v, nil, derrors.Kindf(derrors.NotFound, "no vacancy %d of your organisation", vacancyID)
	}
	idx, err := s.db.labourIndex(ctx)
	if err != nil {
		return v, nil, err
	}
	mv := idx.vacancy(v)
	if mv.Positions < 1 {
		mv.Positions = 1
	}
	return v, idx.workers.candidates(mv, limit), nil
}

// VacanciesFor ranks the published vacancies with open positions for a
// worker p may see in full (the registering organisation). Errors:
// NotFound for an unknown or hidden worker.
func (s *Labour) VacanciesFor(ctx context.Context, p *auth.Principal, workerID int64, limit int) (_ []match.Result, err error) {
	defer derrors.Wrap(&err, "store.Labour.VacanciesFor(%d)", workerID)
	w, err := s.loadWorker(ctx, workerID, false)
	if err != nil {
		return nil, err
	}
	if !p.Allows(workersResource, auth.Read, auth.Record{OrgID: w.OrgID, OwnerID: w.OwnerID}) {
		return nil, derrors.Kindf(derrors.NotFound, "no worker %d", workerID)
	}
	if w.Status == labour.WorkerWithdrawn || !w.Consent.Matching {
		return nil, derrors.Kindf(derrors.Conflict, "the worker withdrew consent to matching")
	}
	idx, err := s.db.labourIndex(ctx)
	if err != nil {
		return nil, err
	}
	return idx.vacancies.VacanciesFor(withBroader(MatchWorker(w), idx.broader), limit), nil
}

// Origins returns the country of origin of the workers of match results.
func (s *Labour) Origins(ctx context.Context, res []match.Result) (map[int64]string, error) {
	idx, err := s.db.labourIndex(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(res))
	for _, r := range res {
		out[r.WorkerID] = idx.workerBy[r.WorkerID].Origin
	}
	return out, nil
}
