package store

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/labour/match"
)

// DrivePlan is the stored summary of a drive's latest optimal assignment.
type DrivePlan struct {
	Total       int       `json:"total"`
	GreedyTotal int       `json:"greedyTotal"`
	Pairs       int       `json:"pairs"`
	PlannedAt   time.Time `json:"plannedAt"`
}

// DriveView is a drive with its plan summary.
type DriveView struct {
	labour.Drive
	Plan *DrivePlan `json:"plan,omitempty"`
}

// CreateDrive stores a recruitment drive over vacancies of p's
// organisation (labour:create). Errors: Forbidden, Invalid naming the
// field (a vacancy that is unknown or of another organisation).
func (s *Labour) CreateDrive(ctx context.Context, p *auth.Principal, d labour.Drive) (_ labour.Drive, err error) {
	defer derrors.Wrap(&err, "store.Labour.CreateDrive")
	if !p.Can(labourResource, auth.Create) || p.OrgID == 0 {
		return d, refused("run recruitment drives")
	}
	if err := d.Check().Err(); err != nil {
		return d, err
	}
	for i, id := range d.Vacancies {
		v, err := s.Vacancy(ctx, p, id)
		if err != nil || v.OrgID != p.OrgID {
			return d, derrors.Kindf(derrors.Invalid, "vacancies[%d]: no vacancy %d of your organisation", i, id)
		}
		if v.Status != labour.VacancyDraft && v.Status != labour.VacancyPublished {
			return d, derrors.Kindf(derrors.Invalid, "vacancies[%d]: vacancy %d is %s", i, id, v.Status)
		}
	}
	for i, o := range d.Origins {
		if err := s.checkCountry(ctx, "origins["+strconv.Itoa(i)+"]", o); err != nil {
			return d, err
		}
	}
	d.OrgID, d.CreatedBy, d.CreatedAt = p.OrgID, p.UserID, now()
	err = s.db.InTx(ctx, func(tx *Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO labour_drives (org_id, name, vacancies, origins, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			d.OrgID, d.Name, jsonText(d.Vacancies), jsonText(nonNil(d.Origins)), d.CreatedBy, d.CreatedAt).Scan(&d.ID)
		if err = classify(err); err != nil {
			return err
		}
		return s.db.auditTx(ctx, tx, p, labourResource, audit.ActionCreate, d.ID, "drive of "+strconv.Itoa(len(d.Vacancies))+" vacancies")
	})
	return d, err
}

// runsDrives reports whether p sees the drives of organisation org: its
// own organisation's staff who read labour records, or whoever may update
// that organisation's labour records (labour:read alone, which the public
// holds, is for published vacancies only).
func runsDrives(p *auth.Principal, org int64) bool {
	return p.OrgID != 0 && p.OrgID == org && p.Can(labourResource, auth.Read) && p.SignedIn() ||
		p.Allows(labourResource, auth.Update, auth.Record{OrgID: org})
}

// Drive returns a drive p's organisation runs (labour:read over it);
// others wrap derrors.NotFound.
func (s *Labour) Drive(ctx context.Context, p *auth.Principal, id int64) (_ DriveView, err error) {
	defer derrors.Wrap(&err, "store.Labour.Drive(%d)", id)
	var d DriveView
	var vac, orig string
	var total, greedy sql.NullInt64
	var pairs sql.NullInt64
	var at sql.NullTime
	err = s.db.queryRow(ctx, `SELECT id, org_id, name, vacancies, origins, plan_total, greedy_total, plan_pairs, planned_at, created_by, created_at
		FROM labour_drives WHERE id = ?`, id).Scan(&d.ID, &d.OrgID, &d.Name, &vac, &orig, &total, &greedy, &pairs, &at, &d.CreatedBy, &d.CreatedAt)
	if noRowsErr(err) || err == nil && !runsDrives(p, d.OrgID) {
		return d, derrors.Kindf(derrors.NotFound, "no drive %d", id)
	}
	if err != nil {
		return d, classify(err)
	}
	if err := unmarshalAll([]string{vac, orig}, &d.Vacancies, &d.Origins); err != nil {
		return d, err
	}
	if total.Valid {
		d.Plan = &DrivePlan{Total: int(total.Int64), GreedyTotal: int(greedy.Int64), Pairs: int(pairs.Int64), PlannedAt: at.Time}
	}
	return d, nil
}

// Drives lists the drives of p's organisation, newest first.
func (s *Labour) Drives(ctx context.Context, p *auth.Principal) (_ []DriveView, err error) {
	defer derrors.Wrap(&err, "store.Labour.Drives")
	if !p.Can(labourResource, auth.Read) || p.OrgID == 0 {
		return nil, nil
	}
	rows, err := s.db.query(ctx, `SELECT id FROM labour_drives WHERE org_id = ? ORDER BY id DESC LIMIT 200`, p.OrgID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := make([]DriveView, 0, len(ids))
	for _, id := range ids {
		d, err := s.Drive(ctx, p, id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// AssignmentResult is an optimal assignment for a drive with the greedy
// comparison.
type AssignmentResult struct {
	Plan        match.Plan    `json:"plan"`
	GreedyTotal int           `json:"greedyTotal"`
	Workers     int           `json:"workers"`
	Positions   int           `json:"positions"`
	Elapsed     time.Duration `json:"-"`
}

// Assign computes the optimal assignment of the drive's pool (active,
// consenting workers from its origins) to its vacancies' open positions,
// stores it (replacing the previous one) and returns it with the greedy
// total for comparison (labour:assign over the drive).
func (s *Labour) Assign(ctx context.Context, p *auth.Principal, driveID int64) (_ AssignmentResult, err error) {
	defer derrors.Wrap(&err, "store.Labour.Assign(%d)", driveID)
	var res AssignmentResult
	d, err := s.Drive(ctx, p, driveID)
	if err != nil {
		return res, err
	}
	if !p.Allows(labourResource, auth.Assign, auth.Record{OrgID: d.OrgID}) {
		return res, refused("assign workers in this drive")
	}
	idx, err := s.db.labourIndex(ctx)
	if err != nil {
		return res, err
	}
	var vs []match.Vacancy
	for _, id := range d.Vacancies {
		v, err := s.Vacancy(ctx, p, id)
		if err != nil {
			return res, err
		}
		if v.Status != labour.VacancyPublished || v.Open() == 0 {
			continue // withdrawn, filled or still a draft: no position to fill
		}
		mv := idx.vacancy(v)
		vs = append(vs, mv)
		res.Positions += mv.Positions
	}
	ws := poolOf(idx, d.Origins)
	res.Workers = len(ws)
	start := time.Now()
	plan, err := match.Assign(ws, vs)
	if err != nil {
		return res, err
	}
	res.Elapsed = time.Since(start)
	res.Plan = plan
	res.GreedyTotal = match.Greedy(ws, vs).Total
	err = s.db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM labour_assignments WHERE drive_id = ?`, driveID); err != nil {
			return classify(err)
		}
		for _, pr := range plan.Pairs {
			if _, err := tx.Exec(ctx, `INSERT INTO labour_assignments (drive_id, worker_id, vacancy_id, score, alternatives) VALUES (?, ?, ?, ?, ?)`,
				driveID, pr.WorkerID, pr.VacancyID, pr.Score, jsonText(nonNil(plan.Alternatives[pr.WorkerID]))); err != nil {
				return classify(err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE labour_drives SET plan_total = ?, greedy_total = ?, plan_pairs = ?, planned_at = ? WHERE id = ?`,
			plan.Total, res.GreedyTotal, len(plan.Pairs), now(), driveID); err != nil {
			return classify(err)
		}
		return s.db.auditTx(ctx, tx, p, labourResource, audit.ActionAssign, driveID,
			"optimal assignment: "+strconv.Itoa(len(plan.Pairs))+" pairs, total "+strconv.Itoa(plan.Total))
	})
	return res, err
}

// poolOf is the drive's pool: the indexed workers from the origins (all
// when none given), in id order.
func poolOf(idx *labourIndex, origins []string) []match.Worker {
	out := make([]match.Worker, 0, len(idx.workerBy))
	for _, w := range idx.workerBy {
		if len(origins) == 0 || slices.Contains(origins, w.Origin) {
			out = append(out, w)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// StoredAssignment returns the pairs of the drive's latest assignment.
func (s *Labour) StoredAssignment(ctx context.Context, p *auth.Principal, driveID int64) (_ []match.Pair, alts map[int64][]match.Alternative, err error) {
	defer derrors.Wrap(&err, "store.Labour.StoredAssignment(%d)", driveID)
	if _, err := s.Drive(ctx, p, driveID); err != nil {
		return nil, nil, err
	}
	rows, err := s.db.query(ctx, `SELECT worker_id, vacancy_id, score, alternatives FROM labour_assignments WHERE drive_id = ? ORDER BY worker_id`, driveID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []match.Pair
	alts = map[int64][]match.Alternative{}
	for rows.Next() {
		var pr match.Pair
		var a string
		if err := rows.Scan(&pr.WorkerID, &pr.VacancyID, &pr.Score, &a); err != nil {
			return nil, nil, err
		}
		var as []match.Alternative
		if err := fromJSON(a, &as); err != nil {
			return nil, nil, err
		}
		alts[pr.WorkerID] = as
		out = append(out, pr)
	}
	return out, alts, rows.Err()
}
