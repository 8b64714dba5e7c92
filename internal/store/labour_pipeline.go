package store

import (
	"context"
	"slices"
	"strconv"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/field"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/labour/match"
)

// Shortlist puts workers on the pipeline of a drive's vacancy (stage
// shortlisted, dated date, responsible: p's organisation). With no pairs
// given, the pairs of the drive's stored optimal assignment are used. A
// worker already in the drive for that vacancy is skipped. Errors:
// NotFound (drive), Invalid naming the pair (a vacancy outside the drive,
// a worker who is not an eligible, consenting candidate).
func (s *Labour) Shortlist(ctx context.Context, p *auth.Principal, driveID int64, pairs []match.Pair, date string) (_ []labour.Application, err error) {
	defer derrors.Wrap(&err, "store.Labour.Shortlist(%d)", driveID)
	d, err := s.Drive(ctx, p, driveID)
	if err != nil {
		return nil, err
	}
	if !p.Allows(labourResource, auth.Update, auth.Record{OrgID: d.OrgID}) {
		return nil, refused("shortlist in this drive")
	}
	if date == "" {
		date = today()
	}
	if len(pairs) == 0 {
		if pairs, _, err = s.StoredAssignment(ctx, p, driveID); err != nil {
			return nil, err
		}
		if len(pairs) == 0 {
			return nil, derrors.Kindf(derrors.Invalid, "pairs: name the workers to shortlist, or compute the drive's assignment first")
		}
	}
	idx, err := s.db.labourIndex(ctx)
	if err != nil {
		return nil, err
	}
	var out []labour.Application
	err = s.db.InTx(ctx, func(tx *Tx) error {
		for i, pr := range pairs {
			if !slices.Contains(d.Vacancies, pr.VacancyID) {
				return derrors.Kindf(derrors.Invalid, "pairs[%d].vacancyId: vacancy %d is not in this drive", i, pr.VacancyID)
			}
			w, ok := idx.workerBy[pr.WorkerID]
			if !ok {
				return derrors.Kindf(derrors.Invalid, "pairs[%d].workerId: worker %d is not an active worker who consented to matching", i, pr.WorkerID)
			}
			v, err := s.Vacancy(ctx, p, pr.VacancyID)
			if err != nil {
				return err
			}
			if v.Status != labour.VacancyPublished {
				return derrors.Kindf(derrors.Conflict, "pairs[%d].vacancyId: vacancy %d is %s: only a published vacancy recruits", i, pr.VacancyID, v.Status)
			}
			r, eligible := match.Score(w, idx.vacancy(v))
			if !eligible {
				return derrors.Kindf(derrors.Invalid, "pairs[%d]: worker %d is not an eligible candidate for vacancy %d", i, pr.WorkerID, pr.VacancyID)
			}
			var same, other int
			if err := tx.QueryRow(ctx, `SELECT
				(SELECT COUNT(*) FROM labour_applications WHERE drive_id = ? AND vacancy_id = ? AND worker_id = ?),
				(SELECT COUNT(*) FROM labour_applications WHERE drive_id = ? AND vacancy_id <> ? AND worker_id = ? AND stage NOT IN ('rejected', 'withdrawn'))`,
				driveID, pr.VacancyID, pr.WorkerID, driveID, pr.VacancyID, pr.WorkerID).Scan(&same, &other); err != nil {
				return classify(err)
			}
			if same > 0 {
				continue
			}
			if other > 0 {
				return derrors.Kindf(derrors.Conflict, "pairs[%d].workerId: worker %d is already in this drive's pipeline for another vacancy", i, pr.WorkerID)
			}
			a := labour.Application{DriveID: driveID, VacancyID: pr.VacancyID, WorkerID: pr.WorkerID, Stage: labour.StageShortlisted,
				Score: r.Score, Version: 1}
			for _, m := range labour.DefaultModules {
				a.Orientation = append(a.Orientation, labour.Module{Name: m})
			}
			t := now()
			if err := tx.QueryRow(ctx, `INSERT INTO labour_applications (drive_id, vacancy_id, worker_id, stage, score, orientation, version, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`, driveID, pr.VacancyID, pr.WorkerID, a.Stage, a.Score, jsonText(a.Orientation), t, t).Scan(&a.ID); err != nil {
				return classify(err)
			}
			ev := labour.StageEvent{Stage: a.Stage, Date: date, OrgID: p.OrgID, By: p.UserID, RecordedAt: t}
			if err := s.insertStageEvent(ctx, tx, a.ID, ev); err != nil {
				return err
			}
			a.Events = []labour.StageEvent{ev}
			if err := s.db.auditTx(ctx, tx, p, labourResource, audit.ActionCreate, a.ID, "shortlisted worker "+itoa(pr.WorkerID)); err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (s *Labour) insertStageEvent(ctx context.Context, tx *Tx, appID int64, ev labour.StageEvent) error {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO labour_stage_events (application_id, stage, event_date, org_id, by_user, note_enc, key_id, recorded_at)
		VALUES (?, ?, ?, ?, ?, '', '', ?) RETURNING id`, appID, ev.Stage, ev.Date, ev.OrgID, ev.By, ev.RecordedAt).Scan(&id)
	if err = classify(err); err != nil || ev.Note == "" {
		return err
	}
	// The note may name people: sealed like the personal fields.
	sl, err := s.db.sealer("labour_stage_events", id)
	if err != nil {
		return err
	}
	enc := sl.seal("note", ev.Note)
	if sl.err != nil {
		return sl.err
	}
	_, err = tx.Exec(ctx, `UPDATE labour_stage_events SET note_enc = ?, key_id = ? WHERE id = ?`, enc, sl.keyID(), id)
	return classify(err)
}

// application loads an application with its events; p must be of the
// drive's organisation (labour:read) or the worker's registering
// organisation (workers:read over the worker). Others: NotFound.
func (s *Labour) application(ctx context.Context, p *auth.Principal, id int64) (a labour.Application, driveOrg, workerOrg int64, err error) {
	var orient string
	var workerOwner int64
	err = s.db.queryRow(ctx, `SELECT a.id, a.drive_id, a.vacancy_id, a.worker_id, a.stage, a.score, a.orientation, a.version, d.org_id, w.org_id, w.owner_id
		FROM labour_applications a JOIN labour_drives d ON d.id = a.drive_id JOIN labour_workers w ON w.id = a.worker_id WHERE a.id = ?`, id).
		Scan(&a.ID, &a.DriveID, &a.VacancyID, &a.WorkerID, &a.Stage, &a.Score, &orient, &a.Version, &driveOrg, &workerOrg, &workerOwner)
	if noRowsErr(err) {
		return a, 0, 0, derrors.Kindf(derrors.NotFound, "no application %d", id)
	}
	if err != nil {
		return a, 0, 0, classify(err)
	}
	if !runsDrives(p, driveOrg) && !p.Allows(workersResource, auth.Read, auth.Record{OrgID: workerOrg, OwnerID: workerOwner}) {
		return a, 0, 0, derrors.Kindf(derrors.NotFound, "no application %d", id)
	}
	if err := fromJSON(orient, &a.Orientation); err != nil {
		return a, 0, 0, err
	}
	evs, err := s.events(ctx, []int64{id})
	a.Events = evs[id]
	return a, driveOrg, workerOrg, err
}

func (s *Labour) events(ctx context.Context, ids []int64) (map[int64][]labour.StageEvent, error) {
	out := map[int64][]labour.StageEvent{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	ph := make([]byte, 0, 2*len(ids))
	for i, id := range ids {
		args[i] = id
		if i > 0 {
			ph = append(ph, ',')
		}
		ph = append(ph, '?')
	}
	rows, err := s.db.query(ctx, `SELECT e.id, e.application_id, e.stage, e.event_date, e.org_id, COALESCE(o.name, ''), e.by_user, e.note_enc, e.recorded_at
		FROM labour_stage_events e LEFT JOIN orgs o ON o.id = e.org_id WHERE e.application_id IN (`+string(ph)+`) ORDER BY e.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, app int64
		var ev labour.StageEvent
		var enc string
		if err := rows.Scan(&id, &app, &ev.Stage, &ev.Date, &ev.OrgID, &ev.OrgName, &ev.By, &enc, &ev.RecordedAt); err != nil {
			return nil, err
		}
		if enc != "" {
			sl, err := s.db.sealer("labour_stage_events", id)
			if err != nil {
				return nil, err
			}
			if ev.Note = sl.open("note", enc); sl.err != nil {
				return nil, sl.err
			}
		}
		out[app] = append(out[app], ev)
	}
	return out, rows.Err()
}

// Application returns one application with its events.
// The read is audited: the stage history and its notes concern a person.
func (s *Labour) Application(ctx context.Context, p *auth.Principal, id int64) (labour.Application, error) {
	a, _, _, err := s.application(ctx, p, id)
	if err != nil {
		return a, err
	}
	return a, s.db.InTx(ctx, func(tx *Tx) error {
		return s.db.auditTx(ctx, tx, p, labourResource, audit.ActionRead, id, "application of worker "+itoa(a.WorkerID))
	})
}

// Move records a move of an application to a stage (labour.CheckMove),
// dated date, by p's organisation: the drive's organisation
// (labour:update) moves every stage; the worker's registering
// organisation (workers:update) may record the orientation stages, travel
// and the worker's withdrawal. Arrival records the vacancy's wage as the
// worker's first wage in the destination (SDG 10.7.1) unless one was
// reported; placement fills a position. version must be current
// (Conflict otherwise).
func (s *Labour) Move(ctx context.Context, p *auth.Principal, id, version int64, stage, date, note string) (_ labour.Application, err error) {
	defer derrors.Wrap(&err, "store.Labour.Move(%d)", id)
	a, driveOrg, workerOrg, err := s.application(ctx, p, id)
	if err != nil {
		return a, err
	}
	byDrive := p.Allows(labourResource, auth.Update, auth.Record{OrgID: driveOrg})
	byAgency := p.Allows(workersResource, auth.Update, auth.Record{OrgID: workerOrg}) &&
		slices.Contains([]string{labour.StagePreDeparture, labour.StageTravel, labour.StageWithdrawn}, stage)
	if !byDrive && !byAgency {
		return a, refused("move this application to " + stage)
	}
	if a.Version != version {
		return a, derrors.Kindf(derrors.Conflict, "version: the application changed since you loaded it (now version %d, you sent %d)", a.Version, version)
	}
	if err := labour.CheckMove(a, stage); err != nil {
		return a, err
	}
	if date == "" {
		date = today()
		if n := len(a.Events); n > 0 && a.Events[n-1].Date > date {
			date = a.Events[n-1].Date // the previous move was dated ahead (time zones)
		}
	}
	var ps field.Problems
	ps.Date("date", date, true)
	ps.Text("note", note, false, true, labour.MaxLongText)
	if n := len(a.Events); n > 0 && date < a.Events[n-1].Date && ps.Field("date") == nil {
		ps.Add("date", "beforePrevious", nil, "before the previous stage (%s on %s)", a.Events[n-1].Stage, a.Events[n-1].Date)
	}
	notFuture(&ps, "date", date)
	if err := ps.Err(); err != nil {
		return a, err
	}
	v, err := s.db.Labour().vacancyAny(ctx, a.VacancyID)
	if err != nil {
		return a, err
	}
	if err := s.checkForward(ctx, a, v, stage); err != nil {
		return a, err
	}
	ev := labour.StageEvent{Stage: stage, Date: date, OrgID: p.OrgID, By: p.UserID, Note: note, RecordedAt: now()}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE labour_applications SET stage = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			stage, ev.RecordedAt, id, version)
		if err = classify(err); err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return derrors.Kindf(derrors.Conflict, "version: the application changed meanwhile; reload")
		}
		if err := s.insertStageEvent(ctx, tx, id, ev); err != nil {
			return err
		}
		if stage == labour.StageAccepted || stage == labour.StagePlaced {
			if err := s.exclusive(ctx, tx, a, v, stage); err != nil {
				return err
			}
		}
		switch stage {
		case labour.StageArrived:
			if _, err := tx.Exec(ctx, `INSERT INTO labour_wages (worker_id, destination, isco, monthly_wage, currency, source, recorded_at)
				VALUES (?, ?, ?, ?, ?, 'placement', ?) ON CONFLICT (worker_id) DO NOTHING`,
				a.WorkerID, v.Destination, v.ISCO, v.MonthlyWage, v.Currency, ev.RecordedAt); err != nil {
				return classify(err)
			}
			if err := bumpVersion(ctx, tx, "labour_costs"); err != nil {
				return err
			}
		case labour.StagePlaced:
			res, err := tx.Exec(ctx, `UPDATE labour_vacancies SET filled = filled + 1, version = version + 1,
				status = CASE WHEN filled + 1 >= positions THEN 'filled' ELSE status END WHERE id = ? AND filled < positions`, a.VacancyID)
			if err != nil {
				return classify(err)
			}
			if n, _ := res.RowsAffected(); n != 1 { // filled meanwhile
				return derrors.Kindf(derrors.Conflict, "stage: every position of vacancy %d is filled", a.VacancyID)
			}
			res, err = tx.Exec(ctx, `UPDATE labour_workers SET status = 'placed', version = version + 1 WHERE id = ? AND status = 'active'`, a.WorkerID)
			if err != nil {
				return classify(err)
			}
			if n, _ := res.RowsAffected(); n != 1 { // placed elsewhere meanwhile
				return derrors.Kindf(derrors.Conflict, "stage: the worker has been placed in another job")
			}
			if err := s.endOthers(ctx, tx, p, a, "placed in another job"); err != nil {
				return err
			}
			if err := bumpVersion(ctx, tx, "labour"); err != nil {
				return err
			}
		}
		return s.db.auditTx(ctx, tx, p, labourResource, audit.ActionUpdate, id, "application "+a.Stage+" → "+stage)
	})
	if err != nil {
		return a, err
	}
	a, _, _, err = s.application(ctx, p, id)
	return a, err
}

// exclusive makes accepting an offer and placement exclusive, inside the
// move's transaction: a worker holds one accepted offer at a time (other
// drives may still interview and offer), and a vacancy never has more
// accepted offers than positions. Touching the worker's and the
// vacancy's rows first serialises concurrent moves of either (a row lock
// on PostgreSQL; SQLite serialises writers anyway), so two moves sent at
// once cannot both pass the counts.
func (s *Labour) exclusive(ctx context.Context, tx *Tx, a labour.Application, v labour.Vacancy, stage string) error {
	if _, err := tx.Exec(ctx, `UPDATE labour_workers SET updated_at = updated_at WHERE id = ?`, a.WorkerID); err != nil {
		return classify(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE labour_vacancies SET filled = filled WHERE id = ?`, a.VacancyID); err != nil {
		return classify(err)
	}
	const holding = `('accepted', 'visa', 'pre-departure', 'travel', 'arrived', 'placed')`
	var mine, taken int
	if err := tx.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM labour_applications WHERE worker_id = ? AND id <> ? AND stage IN `+holding+`),
		(SELECT COUNT(*) FROM labour_applications WHERE vacancy_id = ? AND id <> ? AND stage IN `+holding+`)`,
		a.WorkerID, a.ID, a.VacancyID, a.ID).Scan(&mine, &taken); err != nil {
		return classify(err)
	}
	if stage == labour.StageAccepted && mine > 0 {
		return derrors.Kindf(derrors.Conflict, "stage: the worker has accepted another offer; end that application first")
	}
	if stage == labour.StageAccepted && taken >= v.Positions-v.Filled+countPlaced(ctx, tx, a.VacancyID) {
		return derrors.Kindf(derrors.Conflict, "stage: every open position of vacancy %d already has an accepted offer", a.VacancyID)
	}
	return nil
}

// countPlaced is how many applications of a vacancy are placed (they are
// among the filled positions and among the accepted offers counted).
func countPlaced(ctx context.Context, tx *Tx, vacancyID int64) int {
	var n int
	tx.QueryRow(ctx, `SELECT COUNT(*) FROM labour_applications WHERE vacancy_id = ? AND stage = 'placed'`, vacancyID).Scan(&n)
	return n
}

// endOthers ends a worker's other open applications (rejected, with the
// reason as the note) once the worker is placed.
func (s *Labour) endOthers(ctx context.Context, tx *Tx, p *auth.Principal, a labour.Application, reason string) error {
	ids, err := openApplications(ctx, tx, `worker_id = ? AND id <> ?`, a.WorkerID, a.ID)
	if err != nil {
		return err
	}
	return s.endApplicationsByID(ctx, tx, p, ids, labour.StageWithdrawn, reason)
}

// notFuture refuses a date after tomorrow (UTC): the pipeline records what
// happened; the day's grace is for users ahead of UTC.
func notFuture(ps *field.Problems, name, date string) {
	if date > now().AddDate(0, 0, 1).Format("2006-01-02") {
		ps.Add(name, "future", nil, "a date in the future (%s): record what has happened", date)
	}
}

// checkForward refuses a move forward that cannot happen: the worker
// withdrew consent or was placed elsewhere; placement into a vacancy
// whose positions are all filled.
func (s *Labour) checkForward(ctx context.Context, a labour.Application, v labour.Vacancy, stage string) error {
	if slices.Contains(labour.EndStages, stage) {
		return nil
	}
	w, err := s.loadWorker(ctx, a.WorkerID, false)
	if err != nil {
		return err
	}
	switch {
	case w.Status == labour.WorkerWithdrawn:
		return derrors.Kindf(derrors.Conflict, "stage: the worker withdrew consent; the application can only end (rejected or withdrawn)")
	case w.Status == labour.WorkerPlaced:
		return derrors.Kindf(derrors.Conflict, "stage: the worker has been placed in another job")
	case stage == labour.StagePlaced && v.Open() == 0:
		return derrors.Kindf(derrors.Conflict, "stage: every position of vacancy %d is filled", v.ID)
	}
	return nil
}

// Attend records a worker's attendance of a pre-departure orientation
// module (the drive's or the worker's organisation).
func (s *Labour) Attend(ctx context.Context, p *auth.Principal, id, version int64, module string, attended bool, date string) (_ labour.Application, err error) {
	defer derrors.Wrap(&err, "store.Labour.Attend(%d)", id)
	a, driveOrg, workerOrg, err := s.application(ctx, p, id)
	if err != nil {
		return a, err
	}
	if !p.Allows(labourResource, auth.Update, auth.Record{OrgID: driveOrg}) && !p.Allows(workersResource, auth.Update, auth.Record{OrgID: workerOrg}) {
		return a, refused("record orientation attendance")
	}
	if a.Version != version {
		return a, derrors.Kindf(derrors.Conflict, "version: the application changed since you loaded it (now version %d, you sent %d)", a.Version, version)
	}
	if !a.Active() {
		return a, derrors.Kindf(derrors.Conflict, "stage: the application is %s", a.Stage)
	}
	if a.Stage != labour.StagePreDeparture {
		return a, derrors.Kindf(derrors.Conflict, "stage: orientation attendance is recorded at the pre-departure stage (the application is %s)", a.Stage)
	}
	i := slices.IndexFunc(a.Orientation, func(m labour.Module) bool { return m.Name == module })
	if i < 0 {
		return a, derrors.Kindf(derrors.Invalid, "module: %q is not a module of this orientation", clipToken(module))
	}
	if date == "" {
		date = today()
	}
	var ps field.Problems
	ps.Date("date", date, true)
	notFuture(&ps, "date", date)
	if n := len(a.Events); n > 0 && date < a.Events[n-1].Date {
		ps.Add("date", "beforePrevious", nil, "before the pre-departure stage began (%s)", a.Events[n-1].Date)
	}
	if err := ps.Err(); err != nil {
		return a, err
	}
	a.Orientation[i].Attended, a.Orientation[i].Date = attended, date
	if !attended {
		a.Orientation[i].Date = ""
	}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE labour_applications SET orientation = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			jsonText(a.Orientation), now(), id, version)
		if err = classify(err); err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return derrors.Kindf(derrors.Conflict, "version: the application changed meanwhile; reload")
		}
		return s.db.auditTx(ctx, tx, p, labourResource, audit.ActionUpdate, id, "orientation "+module)
	})
	if err != nil {
		return a, err
	}
	a, _, _, err = s.application(ctx, p, id)
	return a, err
}

// Board returns the drive's applications with their events, for the
// pipeline board.
func (s *Labour) Board(ctx context.Context, p *auth.Principal, driveID int64) (_ DriveView, _ []labour.Application, err error) {
	defer derrors.Wrap(&err, "store.Labour.Board(%d)", driveID)
	d, err := s.Drive(ctx, p, driveID)
	if err != nil {
		return d, nil, err
	}
	rows, err := s.db.query(ctx, `SELECT id, drive_id, vacancy_id, worker_id, stage, score, orientation, version FROM labour_applications
		WHERE drive_id = ? ORDER BY id`, driveID)
	if err != nil {
		return d, nil, err
	}
	var apps []labour.Application
	var ids []int64
	for rows.Next() {
		var a labour.Application
		var orient string
		if err := rows.Scan(&a.ID, &a.DriveID, &a.VacancyID, &a.WorkerID, &a.Stage, &a.Score, &orient, &a.Version); err != nil {
			rows.Close()
			return d, nil, err
		}
		if err := fromJSON(orient, &a.Orientation); err != nil {
			rows.Close()
			return d, nil, err
		}
		apps = append(apps, a)
		ids = append(ids, a.ID)
	}
	rows.Close()
	evs, err := s.events(ctx, ids)
	if err != nil {
		return d, nil, err
	}
	for i := range apps {
		apps[i].Events = evs[apps[i].ID]
	}
	// The board shows who is where in a recruitment: audited as a read.
	err = s.db.InTx(ctx, func(tx *Tx) error {
		return s.db.auditTx(ctx, tx, p, labourResource, audit.ActionRead, driveID, "pipeline board, "+strconv.Itoa(len(apps))+" applications")
	})
	return d, apps, err
}

// vacancyAny loads a vacancy without a permission check (internal use,
// after the caller's access to what refers to it was checked).
func (s *Labour) vacancyAny(ctx context.Context, id int64) (labour.Vacancy, error) {
	v, err := scanVacancy(s.db.queryRow(ctx, `SELECT `+vacancyColumns+` FROM labour_vacancies v JOIN orgs o ON o.id = v.org_id WHERE v.id = ?`, id))
	if noRowsErr(err) {
		return v, derrors.Kindf(derrors.NotFound, "no vacancy %d", id)
	}
	return v, classify(err)
}
