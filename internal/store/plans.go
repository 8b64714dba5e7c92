package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/plans"
	"github.com/corridor-platform/corridor/internal/stats"
)

// Plans stores development plans (internal/plans): plans, their goals,
// the indicators linked to the goals and the measurements reported by
// hand. The values of live indicators are evaluated from the imported
// data when a plan is assessed, exactly as the data API evaluates them.
type Plans struct{ db *DB }

// Plans returns the development-plan store.
func (db *DB) Plans() *Plans { return &Plans{db: db} }

// Limits of a plan's size.
const (
	maxGoals        = plans.MaxGoalsPerPlan
	maxIndicators   = plans.MaxIndicatorsGoal
	maxMeasurements = 1000 // per linked indicator
)

const planColumns = `id, country, title, description, start_year, end_year, status, org_id, COALESCE(team_id, 0), owner_id,
	version, created_at, updated_at`

func scanPlan(r interface{ Scan(...any) error }) (plans.Plan, error) {
	var p plans.Plan
	err := r.Scan(&p.ID, &p.Country, &p.Title, &p.Description, &p.StartYear, &p.EndYear, &p.Status, &p.OrgID, &p.TeamID,
		&p.OwnerID, &p.Version, &p.CreatedAt, &p.UpdatedAt)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

// Create stores a plan; the caller sets OrgID, TeamID and OwnerID. The
// plan starts at version 1.
func (s *Plans) Create(ctx context.Context, tx *Tx, p plans.Plan) (_ plans.Plan, err error) {
	defer derrors.Wrap(&err, "store.Plans.Create")
	if err := p.Validate(); err != nil {
		return p, err
	}
	if p.OrgID == 0 || p.OwnerID == 0 {
		return p, errors.New("a plan needs an organisation and an owner")
	}
	t := now()
	p.CreatedAt, p.UpdatedAt, p.Version, p.Goals = t, t, 1, nil
	err = tx.QueryRow(ctx, `INSERT INTO plans (country, title, description, start_year, end_year, status, org_id, team_id, owner_id,
		version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		p.Country, p.Title, p.Description, p.StartYear, p.EndYear, p.Status, p.OrgID, nullID(p.TeamID), p.OwnerID, t, t).Scan(&p.ID)
	return p, classify(err)
}

// Get returns a plan's own fields (derrors.NotFound if absent).
func (s *Plans) Get(ctx context.Context, id int64) (_ plans.Plan, err error) {
	defer derrors.Wrap(&err, "store.Plans.Get(%d)", id)
	p, err := scanPlan(s.db.queryRow(ctx, `SELECT `+planColumns+` FROM plans WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, derrors.Kindf(derrors.NotFound, "no plan %d", id)
	}
	return p, classify(err)
}

// PlanQuery narrows a listing of plans.
type PlanQuery struct {
	Country       string // ISO3; "" = any
	Status        string // "" = any
	Limit, Offset int
}

var plansScope = scopeColumns{org: "org_id", owner: "owner_id", team: "team_id IN (%s)"}

// List returns the plans a scope filter allows, newest first.
func (s *Plans) List(ctx context.Context, f auth.Filter, q PlanQuery) (_ []plans.Plan, total int, err error) {
	defer derrors.Wrap(&err, "store.Plans.List")
	cond, args := scopeSQL(f, plansScope)
	if q.Country != "" {
		cond += " AND country = ?"
		args = append(args, q.Country)
	}
	if q.Status != "" {
		cond += " AND status = ?"
		args = append(args, q.Status)
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM plans WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, classify(err)
	}
	rows, err := s.db.query(ctx, `SELECT `+planColumns+` FROM plans WHERE `+cond+` ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []plans.Plan{}
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// lockPlan reads a plan inside tx after touching its row, so that changes
// to one plan are serialised on both engines (PostgreSQL holds the row
// lock until the transaction ends; SQLite's write lock is taken at BEGIN).
func lockPlan(ctx context.Context, tx *Tx, id int64) (plans.Plan, error) {
	res, err := tx.Exec(ctx, `UPDATE plans SET updated_at = ? WHERE id = ?`, now(), id)
	if err != nil {
		return plans.Plan{}, classify(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return plans.Plan{}, derrors.Kindf(derrors.NotFound, "no plan %d", id)
	}
	p, err := scanPlan(tx.QueryRow(ctx, `SELECT `+planColumns+` FROM plans WHERE id = ?`, id))
	return p, classify(err)
}

func openPlan(p plans.Plan) error {
	if p.Status == plans.StatusClosed {
		return derrors.Kindf(derrors.Conflict, "status: plan %d is closed; reopen it (status active) to change it", p.ID)
	}
	return nil
}

// Update changes a plan's title, description, period and status (its
// country does not change) if p.Version is the stored version
// (optimistic concurrency: a stale edit wraps derrors.Conflict and changes
// nothing). A new period must still hold the years of the linked
// indicators and of the reported measurements.
func (s *Plans) Update(ctx context.Context, tx *Tx, p plans.Plan) (_ plans.Plan, err error) {
	defer derrors.Wrap(&err, "store.Plans.Update(%d)", p.ID)
	if err := p.Validate(); err != nil {
		return p, err
	}
	var cur int64
	var country string
	err = tx.QueryRow(ctx, `SELECT version, country FROM plans WHERE id = ?`, p.ID).Scan(&cur, &country)
	if errors.Is(err, sql.ErrNoRows) {
		return p, derrors.Kindf(derrors.NotFound, "no plan %d", p.ID)
	}
	if err != nil {
		return p, classify(err)
	}
	if cur != p.Version {
		return p, derrors.Kindf(derrors.Conflict,
			"version: the plan changed since you loaded it (now version %d, you sent %d); reload it and apply your edit again", cur, p.Version)
	}
	if p.Country != country {
		return p, &plans.FieldError{Field: "country", Code: "countryFixed",
			Msg: "a plan's country does not change (its indicators were linked for " + country + "); create a new plan"}
	}
	// The years already in the plan must stay inside the new period: the
	// targets and the measurements (a baseline may precede the period, but
	// must come before the end, which the later target year ensures).
	var lo, hi sql.NullInt64
	if err := tx.QueryRow(ctx, `SELECT MIN(y), MAX(y) FROM (
			SELECT target_year AS y FROM plan_indicators WHERE plan_id = ?
			UNION ALL SELECT year FROM plan_measurements WHERE plan_id = ?) years`, p.ID, p.ID).Scan(&lo, &hi); err != nil {
		return p, classify(err)
	}
	if lo.Valid && int(lo.Int64) < p.StartYear {
		return p, &plans.FieldError{Field: "startYear", Code: "periodHoldsYears", Args: map[string]any{"Value": lo.Int64},
			Msg: "the plan holds a target or measurement in " + strconv.FormatInt(lo.Int64, 10) + ", before this start year"}
	}
	if hi.Valid && int(hi.Int64) > p.EndYear {
		return p, &plans.FieldError{Field: "endYear", Code: "periodHoldsYears", Args: map[string]any{"Value": hi.Int64},
			Msg: "the plan holds a target or measurement in " + strconv.FormatInt(hi.Int64, 10) + ", after this end year"}
	}
	t := now()
	res, err := tx.Exec(ctx, `UPDATE plans SET title = ?, description = ?, start_year = ?, end_year = ?, status = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		p.Title, p.Description, p.StartYear, p.EndYear, p.Status, t, p.ID, p.Version)
	if err != nil {
		return p, classify(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return p, derrors.Kindf(derrors.Conflict, "version: the plan changed since you loaded it; reload it and apply your edit again")
	}
	out, err := scanPlan(tx.QueryRow(ctx, `SELECT `+planColumns+` FROM plans WHERE id = ?`, p.ID))
	return out, classify(err)
}

// Delete removes a plan with its goals, indicators and measurements.
func (s *Plans) Delete(ctx context.Context, tx *Tx, id int64) (err error) {
	defer derrors.Wrap(&err, "store.Plans.Delete(%d)", id)
	res, err := tx.Exec(ctx, `DELETE FROM plans WHERE id = ?`, id)
	if err != nil {
		return classify(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return derrors.Kindf(derrors.NotFound, "no plan %d", id)
	}
	return nil
}

// AddGoal adds a goal to a plan; Position 0 puts it after the others.
func (s *Plans) AddGoal(ctx context.Context, tx *Tx, g plans.Goal) (_ plans.Goal, err error) {
	defer derrors.Wrap(&err, "store.Plans.AddGoal(plan %d)", g.PlanID)
	if err := g.Validate(); err != nil {
		return g, err
	}
	p, err := lockPlan(ctx, tx, g.PlanID)
	if err != nil {
		return g, err
	}
	if err := openPlan(p); err != nil {
		return g, err
	}
	var n, last int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(MAX(position), 0) FROM plan_goals WHERE plan_id = ?`, p.ID).Scan(&n, &last); err != nil {
		return g, classify(err)
	}
	if n >= maxGoals {
		return g, derrors.Kindf(derrors.Invalid, "title: a plan has at most %d goals", maxGoals)
	}
	if g.Position == 0 {
		g.Position = last + 1
	}
	g.Indicators = []plans.LinkedIndicator{}
	err = tx.QueryRow(ctx, `INSERT INTO plan_goals (plan_id, title, description, position, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		g.PlanID, g.Title, g.Description, g.Position, now()).Scan(&g.ID)
	return g, classify(err)
}

// LinkIndicator links an indicator to a goal of the plan (li.PlanID,
// li.GoalID): a library indicator, or with li.Custom a custom indicator
// of the plan with its own name, unit and decimals (reported by hand,
// never live). With baselineFromData, a live indicator's baseline value
// is the indicator's value for the plan's country in the baseline year,
// as the data API returns it; li.BaselineValue is then ignored.
func (s *Plans) LinkIndicator(ctx context.Context, tx *Tx, li plans.LinkedIndicator, baselineFromData bool) (_ plans.LinkedIndicator, err error) {
	defer derrors.Wrap(&err, "store.Plans.LinkIndicator(plan %d)", li.PlanID)
	p, err := lockPlan(ctx, tx, li.PlanID)
	if err != nil {
		return li, err
	}
	if err := openPlan(p); err != nil {
		return li, err
	}
	var goalPlan int64
	err = tx.QueryRow(ctx, `SELECT plan_id FROM plan_goals WHERE id = ?`, li.GoalID).Scan(&goalPlan)
	if errors.Is(err, sql.ErrNoRows) || err == nil && goalPlan != p.ID {
		return li, &plans.FieldError{Field: "goalId", Code: "goal", Msg: "no goal " + strconv.FormatInt(li.GoalID, 10) + " in this plan"}
	}
	if err != nil {
		return li, classify(err)
	}
	if baselineFromData && li.Source != plans.SourceLive {
		return li, &plans.FieldError{Field: "baselineValue", Code: "required", Msg: "required for a reported indicator"}
	}
	ps := li.Check(p)
	if baselineFromData {
		// The baseline value is read from the data below, and checked then.
		li.BaselineValue = 0
		ps = slices.DeleteFunc(ps, func(fe *plans.FieldError) bool {
			return fe.Field == "baselineValue" || fe.Code == "targetEqualsBaseline"
		})
	}
	if err := ps.Err(); err != nil {
		return li, err
	}
	var goalLinks int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM plan_indicators WHERE goal_id = ?`, li.GoalID).Scan(&goalLinks); err != nil {
		return li, classify(err)
	}
	if goalLinks >= maxIndicators {
		return li, &plans.FieldError{Field: "goalId", Code: "goalFull", Args: map[string]any{"Max": maxIndicators},
			Msg: "a goal has at most " + strconv.Itoa(maxIndicators) + " indicators"}
	}
	if li.Custom {
		// Checked above: no code, a name and unit, reported by hand.
		return s.insertLink(ctx, tx, li)
	}
	ind, err := s.db.Stats().Indicator(ctx, li.Indicator)
	if errors.Is(err, derrors.NotFound) {
		return li, &plans.FieldError{Field: "indicator", Code: "unknownIndicator", Args: map[string]any{"Value": li.Indicator},
			Msg: "no indicator " + strconv.Quote(li.Indicator) + " in the library (see /api/v1/indicators)"}
	}
	if err != nil {
		return li, err
	}
	switch {
	case ind.Bilateral && li.Counterpart == "":
		return li, &plans.FieldError{Field: "counterpart", Code: "counterpartRequired",
			Msg: "required: " + ind.Code + " is measured between two countries"}
	case !ind.Bilateral && li.Counterpart != "":
		return li, &plans.FieldError{Field: "counterpart", Code: "counterpartNotBilateral",
			Msg: ind.Code + " is not measured between two countries; leave it empty"}
	case ind.Records != "" && li.Sex != stats.SexTotal:
		return li, &plans.FieldError{Field: "sex", Code: "sexTotalOnly", Msg: ind.Code + " is counted for both sexes only (total)"}
	}
	if baselineFromData {
		ms, _, err := s.live(ctx, p, li, ind)
		if err != nil {
			return li, err
		}
		found := false
		for _, m := range ms {
			if m.Year == li.BaselineYear {
				li.BaselineValue, found = m.Value, true
			}
		}
		if !found {
			return li, &plans.FieldError{Field: "baselineYear", Code: "noLiveValue", Args: map[string]any{"Value": li.BaselineYear},
				Msg: "the imported data has no value of " + ind.Code + " for " + p.Country + " in " + strconv.Itoa(li.BaselineYear) +
					"; choose a year with data or enter the baseline value"}
		}
		if li.BaselineValue == li.TargetValue {
			return li, &plans.FieldError{Field: "targetValue", Code: "targetEqualsBaseline",
				Msg: "must differ from the baseline value (" + strconv.FormatFloat(li.BaselineValue, 'f', -1, 64) + ")"}
		}
	}
	li.Name, li.Unit, li.Decimals = ind.Name, ind.Unit, ind.Decimals
	return s.insertLink(ctx, tx, li)
}

// insertLink stores a checked link: a library indicator by its code, a
// custom one (no code) with its name, unit and decimals.
func (s *Plans) insertLink(ctx context.Context, tx *Tx, li plans.LinkedIndicator) (plans.LinkedIndicator, error) {
	li.Direction = plans.DirectionOf(li.BaselineValue, li.TargetValue)
	li.CreatedAt = now()
	var code, name, unit, decimals any = li.Indicator, nil, nil, nil
	if li.Custom {
		code, name, unit, decimals = nil, li.Name, li.Unit, li.Decimals
	}
	err := tx.QueryRow(ctx, `INSERT INTO plan_indicators (plan_id, goal_id, indicator_code, custom_name, custom_unit, custom_decimals,
		counterpart, sex, baseline_value, baseline_year, target_value, target_year, source, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		li.PlanID, li.GoalID, code, name, unit, decimals, li.Counterpart, li.Sex, li.BaselineValue, li.BaselineYear,
		li.TargetValue, li.TargetYear, li.Source, li.CreatedBy, li.CreatedAt).Scan(&li.ID)
	return li, classify(err)
}

// linkColumns are the columns of a link; a custom indicator has no code
// (NULL, read as "") and its own name, unit and decimals.
const linkColumns = `pi.id, pi.plan_id, pi.goal_id, COALESCE(pi.indicator_code, ''), COALESCE(pi.custom_name, ''),
	COALESCE(pi.custom_unit, ''), COALESCE(pi.custom_decimals, 0), pi.counterpart, pi.sex, pi.baseline_value, pi.baseline_year,
	pi.target_value, pi.target_year, pi.source, pi.created_by, pi.created_at`

// scanLink reads the linkColumns, then the extra columns of a query.
func scanLink(r interface{ Scan(...any) error }, extra ...any) (plans.LinkedIndicator, error) {
	var li plans.LinkedIndicator
	var name, unit string
	var decimals int
	err := r.Scan(append([]any{&li.ID, &li.PlanID, &li.GoalID, &li.Indicator, &name, &unit, &decimals, &li.Counterpart, &li.Sex,
		&li.BaselineValue, &li.BaselineYear, &li.TargetValue, &li.TargetYear, &li.Source, &li.CreatedBy, &li.CreatedAt}, extra...)...)
	if li.Indicator == "" {
		li.Custom, li.Name, li.Unit, li.Decimals = true, name, unit, decimals
	}
	li.Direction = plans.DirectionOf(li.BaselineValue, li.TargetValue)
	li.CreatedAt = li.CreatedAt.UTC()
	return li, err
}

// AddMeasurement records a value of a reported indicator of the plan
// (m.IndicatorID), with its evidence note; the caller sets RecordedBy and
// RecordedByName.
func (s *Plans) AddMeasurement(ctx context.Context, tx *Tx, planID int64, m plans.Measurement) (_ plans.Measurement, err error) {
	defer derrors.Wrap(&err, "store.Plans.AddMeasurement(plan %d, indicator %d)", planID, m.IndicatorID)
	p, err := lockPlan(ctx, tx, planID)
	if err != nil {
		return m, err
	}
	if err := openPlan(p); err != nil {
		return m, err
	}
	li, err := scanLink(tx.QueryRow(ctx, `SELECT `+linkColumns+` FROM plan_indicators pi WHERE pi.id = ? AND pi.plan_id = ?`, m.IndicatorID, planID))
	if errors.Is(err, sql.ErrNoRows) {
		return m, derrors.Kindf(derrors.NotFound, "no indicator %d in plan %d", m.IndicatorID, planID)
	}
	if err != nil {
		return m, classify(err)
	}
	if li.Source != plans.SourceReported {
		return m, &plans.FieldError{Field: "indicatorId", Code: "notReported",
			Msg: "this indicator takes its values from the imported data (source live); only reported indicators take measurements"}
	}
	m.Source = plans.SourceReported
	if err := m.Validate(p); err != nil {
		return m, err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM plan_measurements WHERE indicator_id = ?`, li.ID).Scan(&n); err != nil {
		return m, classify(err)
	}
	if n >= maxMeasurements {
		return m, derrors.Kindf(derrors.Invalid, "value: an indicator has at most %d measurements", maxMeasurements)
	}
	m.RecordedAt = now()
	err = tx.QueryRow(ctx, `INSERT INTO plan_measurements (plan_id, indicator_id, year, measured_on, value, note, recorded_by, recorded_by_name,
		recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		planID, m.IndicatorID, m.Year, m.Date, m.Value, m.Note, m.RecordedBy, m.RecordedByName, m.RecordedAt).Scan(&m.ID)
	return m, classify(err)
}

// Load returns a whole plan: its goals in position order, each with its
// linked indicators (named from the library, or by their own name when
// custom) and the reported
// measurements in time order. Live values and progress are added by
// Assess.
func (s *Plans) Load(ctx context.Context, id int64) (_ plans.Plan, err error) {
	defer derrors.Wrap(&err, "store.Plans.Load(%d)", id)
	p, err := s.Get(ctx, id)
	if err != nil {
		return p, err
	}
	rows, err := s.db.query(ctx, `SELECT id, plan_id, title, description, position FROM plan_goals WHERE plan_id = ? ORDER BY position, id`, id)
	if err != nil {
		return p, err
	}
	goals := map[int64]int{}
	p.Goals = []plans.Goal{}
	for rows.Next() {
		g := plans.Goal{Indicators: []plans.LinkedIndicator{}}
		if err := rows.Scan(&g.ID, &g.PlanID, &g.Title, &g.Description, &g.Position); err != nil {
			rows.Close()
			return p, err
		}
		goals[g.ID] = len(p.Goals)
		p.Goals = append(p.Goals, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, err
	}
	rows, err = s.db.query(ctx, `SELECT `+linkColumns+`, COALESCE(i.definition, '') FROM plan_indicators pi
		LEFT JOIN indicators i ON i.code = pi.indicator_code WHERE pi.plan_id = ? ORDER BY pi.id`, id)
	if err != nil {
		return p, err
	}
	type at struct{ goal, link int }
	links := map[int64]at{}
	for rows.Next() {
		var def string
		li, err := scanLink(rows, &def)
		if err != nil {
			rows.Close()
			return p, err
		}
		var ind stats.Indicator
		if !li.Custom && json.Unmarshal([]byte(def), &ind) == nil {
			li.Name, li.Unit, li.Decimals = ind.Name, ind.Unit, ind.Decimals
		}
		gi, ok := goals[li.GoalID]
		if !ok {
			continue
		}
		links[li.ID] = at{gi, len(p.Goals[gi].Indicators)}
		p.Goals[gi].Indicators = append(p.Goals[gi].Indicators, li)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, err
	}
	rows, err = s.db.query(ctx, `SELECT id, indicator_id, year, measured_on, value, note, recorded_by, recorded_by_name, recorded_at
		FROM plan_measurements WHERE plan_id = ? ORDER BY year, measured_on, id`, id)
	if err != nil {
		return p, err
	}
	defer rows.Close()
	for rows.Next() {
		m := plans.Measurement{Source: plans.SourceReported}
		if err := rows.Scan(&m.ID, &m.IndicatorID, &m.Year, &m.Date, &m.Value, &m.Note, &m.RecordedBy, &m.RecordedByName, &m.RecordedAt); err != nil {
			return p, err
		}
		m.RecordedAt = m.RecordedAt.UTC()
		if a, ok := links[m.IndicatorID]; ok {
			li := &p.Goals[a.goal].Indicators[a.link]
			li.Measurements = append(li.Measurements, m)
		}
	}
	return p, rows.Err()
}

// Assess fills, for every linked indicator of a loaded plan, the live
// values (source live: the indicator evaluated for the plan's country in
// each year from the baseline or the plan's start to its end that the
// data covers) and the progress.
func (s *Plans) Assess(ctx context.Context, p *plans.Plan) (err error) {
	defer derrors.Wrap(&err, "store.Plans.Assess(%d)", p.ID)
	for gi := range p.Goals {
		for li := range p.Goals[gi].Indicators {
			l := &p.Goals[gi].Indicators[li]
			if l.Source == plans.SourceLive && !l.Custom { // a custom indicator is never live
				ind, err := s.db.Stats().Indicator(ctx, l.Indicator)
				if err != nil {
					return err
				}
				if l.Measurements, l.Citations, err = s.live(ctx, *p, *l, ind); err != nil {
					return err
				}
			}
			pr := l.Assess(l.Measurements)
			l.Progress = &pr
		}
	}
	return nil
}

// live evaluates a library indicator for the plan's country (and the
// link's counterpart and sex) in every year from the baseline (or the
// plan's start, if earlier) to the plan's end, as the
// data API does: the stored definition, compiled, evaluated at the
// periods of the series its numerator first refers to, through the
// store's Lookup. Years without a value are left out (a gap, never a
// zero). It also returns the citations of the series used.
func (s *Plans) live(ctx context.Context, p plans.Plan, li plans.LinkedIndicator, ind stats.Indicator) ([]plans.Measurement, []string, error) {
	st := s.db.Stats()
	out := []plans.Measurement{}
	// From the baseline year when it precedes the period: the baseline
	// value comes from the data, and the page shows it.
	first := min(p.StartYear, li.BaselineYear)
	if li.BaselineYear == 0 {
		first = p.StartYear
	}
	from, to := strconv.Itoa(first), strconv.Itoa(p.EndYear)
	if ind.Records == "incidents" {
		totals, err := s.db.IncidentTotalsByYear(ctx, IncidentFilter{CountryOfIncident: p.Country})
		if err != nil {
			return nil, nil, err
		}
		for _, t := range totals {
			y, err := strconv.Atoi(t.Key)
			if err != nil || y < first || y > p.EndYear {
				continue
			}
			out = append(out, plans.Measurement{IndicatorID: li.ID, Year: y, Value: float64(t.DeadAndMissing), Source: plans.SourceLive})
		}
		return out, []string{"IOM's Missing Migrants Project"}, nil
	}
	compiled, err := ind.Compile(nil)
	if err != nil {
		return nil, nil, err
	}
	refs := stats.Refs(compiled.Num)
	if len(refs) == 0 {
		return out, nil, nil
	}
	var citations []string
	seen := map[string]bool{}
	for _, r := range refs {
		if seen[r.Series] {
			continue
		}
		seen[r.Series] = true
		sr, err := st.Series(ctx, r.Series)
		if errors.Is(err, derrors.NotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		citations = append(citations, sr.Citation)
	}
	periods, err := st.Periods(ctx, refs[0].Series, stats.PeriodRange{From: from, To: to})
	if err != nil {
		return nil, nil, err
	}
	look := st.Lookup(ctx)
	for _, period := range periods {
		y, err := strconv.Atoi(period)
		if err != nil || y < first || y > p.EndYear {
			continue // quarters and dates: plans measure years
		}
		v, ok, err := compiled.Eval(stats.Point{Area: p.Country, Counterpart: li.Counterpart, Period: period, Sex: li.Sex}, look)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			out = append(out, plans.Measurement{IndicatorID: li.ID, Year: y, Value: v, Source: plans.SourceLive})
		}
	}
	return out, citations, nil
}
