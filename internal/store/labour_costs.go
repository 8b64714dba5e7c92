package store

import (
	"context"
	"sort"
	"strconv"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/field"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/remit"
)

// RecordCost records a recruitment cost a worker reports paying (the
// worker's registering organisation, workers:update). Errors: NotFound
// (worker), Invalid naming the field.
func (s *Labour) RecordCost(ctx context.Context, p *auth.Principal, c labour.Cost) (_ labour.Cost, err error) {
	defer derrors.Wrap(&err, "store.Labour.RecordCost")
	w, err := s.loadWorker(ctx, c.WorkerID, false)
	if err != nil {
		return c, err
	}
	if !p.Allows(workersResource, auth.Update, auth.Record{OrgID: w.OrgID, OwnerID: w.OwnerID}) {
		return c, derrors.Kindf(derrors.NotFound, "no worker %d", c.WorkerID)
	}
	// Paid in the wage currency: rate 1, given or not. A rate without the
	// currency it converts into is refused (never assumed).
	if c.RateTo == "" && c.RateToWage != 0 && c.RateToWage != 1 {
		return c, derrors.Kindf(derrors.Invalid, "rateTo: give the currency rateToWage converts into (the wage currency)")
	}
	if c.RateTo == "" {
		c.RateTo = c.Currency
	}
	if c.RateTo == c.Currency && c.RateToWage == 0 {
		c.RateToWage = 1
	}
	ps := c.Check()
	notFuture(&ps, "date", c.Date)
	if err := ps.Err(); err != nil {
		return c, err
	}
	if c.RecruiterID != 0 {
		if err := s.recruiterExists(ctx, c.RecruiterID, "recruiterId"); err != nil {
			return c, err
		}
	}
	c.RecordedAt = now()
	err = s.db.InTx(ctx, func(tx *Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO labour_costs (worker_id, kind, amount, currency, rate_to_wage, rate_to, paid_to, recruiter_id, cost_date, note, recorded_by, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.WorkerID, c.Kind, c.Amount, c.Currency, c.RateToWage, c.RateTo, c.PaidTo,
			nullID(c.RecruiterID), c.Date, c.Note, p.UserID, c.RecordedAt).Scan(&c.ID)
		if err = classify(err); err != nil {
			return err
		}
		if err := bumpVersion(ctx, tx, "labour_costs"); err != nil {
			return err
		}
		return s.db.auditTx(ctx, tx, p, workersResource, audit.ActionCreate, c.WorkerID, "recruitment cost "+c.Kind)
	})
	return c, err
}

// Costs lists a worker's reported costs (as Worker decides access).
func (s *Labour) Costs(ctx context.Context, p *auth.Principal, workerID int64) (_ []labour.Cost, err error) {
	defer derrors.Wrap(&err, "store.Labour.Costs(%d)", workerID)
	w, err := s.loadWorker(ctx, workerID, false)
	if err != nil {
		return nil, err
	}
	if !p.Allows(workersResource, auth.Read, auth.Record{OrgID: w.OrgID, OwnerID: w.OwnerID}) {
		return nil, derrors.Kindf(derrors.NotFound, "no worker %d", workerID)
	}
	return s.costsOf(ctx, workerID)
}

func (s *Labour) costsOf(ctx context.Context, workerID int64) (_ []labour.Cost, err error) {
	rows, err := s.db.query(ctx, `SELECT id, worker_id, kind, amount, currency, rate_to_wage, rate_to, paid_to, COALESCE(recruiter_id, 0), cost_date, note, recorded_at
		FROM labour_costs WHERE worker_id = ? ORDER BY cost_date, id`, workerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []labour.Cost
	for rows.Next() {
		var c labour.Cost
		if err := rows.Scan(&c.ID, &c.WorkerID, &c.Kind, &c.Amount, &c.Currency, &c.RateToWage, &c.RateTo, &c.PaidTo, &c.RecruiterID, &c.Date, &c.Note, &c.RecordedAt); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Wage is a worker's first monthly wage in the destination.
type Wage struct {
	Destination string  `json:"destination"`
	ISCO        string  `json:"isco"`
	MonthlyWage float64 `json:"monthlyWage"`
	Currency    string  `json:"currency"`
	Source      string  `json:"source"` // placement (from the vacancy on arrival) or reported
	// RecordedAt is when it was recorded.
	RecordedAt time.Time `json:"recordedAt"`
}

// WageOf returns a worker's first wage in the destination, as far as p
// may read the worker (workers:read over it); ok false when none is
// recorded yet. Errors: NotFound for an unknown or hidden worker.
func (s *Labour) WageOf(ctx context.Context, p *auth.Principal, workerID int64) (_ Wage, ok bool, err error) {
	defer derrors.Wrap(&err, "store.Labour.WageOf(%d)", workerID)
	w, err := s.loadWorker(ctx, workerID, false)
	if err != nil {
		return Wage{}, false, err
	}
	if !p.Allows(workersResource, auth.Read, auth.Record{OrgID: w.OrgID, OwnerID: w.OwnerID}) {
		return Wage{}, false, derrors.Kindf(derrors.NotFound, "no worker %d", workerID)
	}
	var wg Wage
	err = s.db.queryRow(ctx, `SELECT destination, isco, monthly_wage, currency, source, recorded_at FROM labour_wages WHERE worker_id = ?`, workerID).
		Scan(&wg.Destination, &wg.ISCO, &wg.MonthlyWage, &wg.Currency, &wg.Source, &wg.RecordedAt)
	if noRowsErr(err) {
		return wg, false, nil
	}
	return wg, err == nil, classify(err)
}

// ReportWage records the first monthly wage a worker reports earning in
// the destination (workers:update), replacing any earlier one: what the
// worker is paid is the denominator of SDG 10.7.1.
func (s *Labour) ReportWage(ctx context.Context, p *auth.Principal, workerID int64, wg Wage) (err error) {
	defer derrors.Wrap(&err, "store.Labour.ReportWage(%d)", workerID)
	w, err := s.loadWorker(ctx, workerID, false)
	if err != nil {
		return err
	}
	if !p.Allows(workersResource, auth.Update, auth.Record{OrgID: w.OrgID, OwnerID: w.OwnerID}) {
		return derrors.Kindf(derrors.NotFound, "no worker %d", workerID)
	}
	var ps field.Problems
	ps.Country("destination", wg.Destination, true)
	if wg.Destination == w.Origin {
		ps.Add("destination", "origin", nil, "the worker's own country is not a destination")
	}
	ps.Amount("monthlyWage", wg.MonthlyWage, true, labour.MaxWage)
	if wg.MonthlyWage > 0 && wg.MonthlyWage < 1 {
		ps.Add("monthlyWage", "tooSmall", nil, "at least 1 (a monthly wage, in units of its currency)")
	}
	if ps.Currency("currency", wg.Currency, true) && !remit.IsCurrency(wg.Currency, true) {
		ps.Add("currency", "currency", nil, "%s is not an ISO 4217 currency", wg.Currency)
	}
	if err := ps.Err(); err != nil {
		return err
	}
	if err := s.checkCountry(ctx, "destination", wg.Destination); err != nil {
		return err
	}
	if err := s.checkOccupations(ctx, "", []labour.HeldOccupation{{ISCO: wg.ISCO}}, nil); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM labour_wages WHERE worker_id = ?`, workerID); err != nil {
			return classify(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO labour_wages (worker_id, destination, isco, monthly_wage, currency, source, recorded_at)
			VALUES (?, ?, ?, ?, ?, 'reported', ?)`, workerID, wg.Destination, wg.ISCO, wg.MonthlyWage, wg.Currency, now()); err != nil {
			return classify(err)
		}
		if err := bumpVersion(ctx, tx, "labour_costs"); err != nil {
			return err
		}
		return s.db.auditTx(ctx, tx, p, workersResource, audit.ActionUpdate, workerID, "first monthly wage reported")
	})
}

// RecruitmentCosts returns the SDG 10.7.1 observation of every worker
// with a first wage in a destination: costs (in the wage currency) ÷ that
// wage. It holds no personal field; callers publish it aggregated
// (labour.GroupCosts).
func (s *Labour) RecruitmentCosts(ctx context.Context) (_ []labour.WorkerCost, err error) {
	defer derrors.Wrap(&err, "store.Labour.RecruitmentCosts")
	rows, err := s.db.query(ctx, `SELECT g.worker_id, w.origin, g.destination, g.isco, g.monthly_wage, g.currency, g.recorded_at
		FROM labour_wages g JOIN labour_workers w ON w.id = g.worker_id ORDER BY g.worker_id`)
	if err != nil {
		return nil, err
	}
	var out []labour.WorkerCost
	for rows.Next() {
		var o labour.WorkerCost
		var at time.Time
		if err := rows.Scan(&o.WorkerID, &o.Origin, &o.Destination, &o.ISCO, &o.MonthlyWage, &o.Currency, &at); err != nil {
			rows.Close()
			return nil, err
		}
		o.Year = strconv.Itoa(at.UTC().Year())
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	byWorker, err := s.allCosts(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		observe(&out[i], byWorker[out[i].WorkerID])
	}
	return out, nil
}

// observe completes a worker's SDG 10.7.1 observation from the costs the
// worker reported.
func observe(o *labour.WorkerCost, cs []labour.Cost) {
	total, ratio, ok := labour.Indicator1071(cs, o.MonthlyWage, o.Currency)
	o.Costs, o.Ratio, o.Unconverted = total, ratio, !ok
	for _, c := range cs {
		o.PaidFees = o.PaidFees || c.IsFee()
	}
}

// WorkerCostOf is one worker's SDG 10.7.1 observation (as WageOf decides
// access); ok false while no first wage is recorded.
func (s *Labour) WorkerCostOf(ctx context.Context, p *auth.Principal, workerID int64) (_ labour.WorkerCost, ok bool, err error) {
	defer derrors.Wrap(&err, "store.Labour.WorkerCostOf(%d)", workerID)
	wg, ok, err := s.WageOf(ctx, p, workerID)
	if err != nil || !ok {
		return labour.WorkerCost{}, false, err
	}
	w, err := s.loadWorker(ctx, workerID, false)
	if err != nil {
		return labour.WorkerCost{}, false, err
	}
	cs, err := s.costsOf(ctx, workerID)
	if err != nil {
		return labour.WorkerCost{}, false, err
	}
	o := labour.WorkerCost{WorkerID: workerID, Origin: w.Origin, Destination: wg.Destination, ISCO: wg.ISCO, MonthlyWage: wg.MonthlyWage,
		Currency: wg.Currency, Year: strconv.Itoa(wg.RecordedAt.UTC().Year())}
	observe(&o, cs)
	return o, true, nil
}

// allCosts reads every reported cost, by worker.
func (s *Labour) allCosts(ctx context.Context) (map[int64][]labour.Cost, error) {
	rows, err := s.db.query(ctx, `SELECT worker_id, kind, amount, currency, rate_to_wage, rate_to FROM labour_costs`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]labour.Cost{}
	for rows.Next() {
		var c labour.Cost
		if err := rows.Scan(&c.WorkerID, &c.Kind, &c.Amount, &c.Currency, &c.RateToWage, &c.RateTo); err != nil {
			return nil, err
		}
		out[c.WorkerID] = append(out[c.WorkerID], c)
	}
	return out, rows.Err()
}

// LabourMarket returns demand (open positions of published vacancies by
// destination × ISCO unit group) and supply (active consenting workers by
// origin × ISCO unit group of each occupation held), from the matching
// indexes.
func (s *Labour) LabourMarket(ctx context.Context) (demand []labour.Demand, supply []labour.Supply, err error) {
	defer derrors.Wrap(&err, "store.Labour.LabourMarket")
	idx, err := s.db.labourIndex(ctx)
	if err != nil {
		return nil, nil, err
	}
	d := map[[2]string]int{}
	for _, v := range idx.vacancyBy {
		d[[2]string{v.Destination, v.Occupation.ISCO}] += v.Positions
	}
	sp := map[[2]string]int{}
	for _, w := range idx.workerBy {
		seen := map[string]bool{}
		for _, o := range w.Occupations {
			if !seen[o.ISCO] {
				seen[o.ISCO] = true
				sp[[2]string{w.Origin, o.ISCO}]++
			}
		}
	}
	for k, n := range d {
		demand = append(demand, labour.Demand{Destination: k[0], ISCO: k[1], Open: n})
	}
	for k, n := range sp {
		supply = append(supply, labour.Supply{Origin: k[0], ISCO: k[1], Workers: n})
	}
	sort.Slice(demand, func(i, j int) bool {
		return demand[i].Destination+demand[i].ISCO < demand[j].Destination+demand[j].ISCO
	})
	sort.Slice(supply, func(i, j int) bool { return supply[i].Origin+supply[i].ISCO < supply[j].Origin+supply[j].ISCO })
	return demand, supply, nil
}
