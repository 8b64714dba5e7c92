package store_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/plans"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// planFixture is a database with the built-in indicators, a small
// migrant-stock and population table for Kenya, two organisations, a
// team and three users.
type planFixture struct {
	db                  *store.DB
	orgA, orgB          auth.Org
	team                auth.Team
	owner, mate, outsid auth.User
}

// A fixture of migrant stock and population (persons) for Kenya in 2010,
// 2015 and 2020, of the order of UN DESA's figures (the real files are
// imported in cmd/corridor's plan test); the built-in share indicator is
// stock / population × 100, rounded to one decimal.
var kenya = map[string][2]float64{
	"2010": {926067, 42030684},
	"2015": {1037574, 47878339},
	"2020": {1050147, 53771300},
}

func newPlanFixture(t *testing.T, e storetest.Engine) *planFixture {
	t.Helper()
	ctx := context.Background()
	db := openMigrated(t, e)
	db.SetKeys(newKeyring(t))
	load(t, db, sampleReference())
	if err := db.Accounts().EnsureBuiltinRoles(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Stats().EnsureBuiltinIndicators(ctx); err != nil {
		t.Fatal(err)
	}
	f := &planFixture{db: db}
	err := db.InTx(ctx, func(tx *store.Tx) (err error) {
		acc := db.Accounts()
		if f.orgA, err = acc.CreateOrg(ctx, tx, auth.Org{Name: "Ministry of Planning", Kind: "government", Country: "KEN"}); err != nil {
			return err
		}
		if f.orgB, err = acc.CreateOrg(ctx, tx, auth.Org{Name: "Other Ministry", Kind: "government", Country: "ETH"}); err != nil {
			return err
		}
		if f.team, err = acc.CreateTeam(ctx, tx, auth.Team{OrgID: f.orgA.ID, Name: "M&E unit"}); err != nil {
			return err
		}
		for _, u := range []*auth.User{
			{Username: "owner", FullName: "Plan Owner", OrgID: f.orgA.ID, Roles: []string{auth.RoleEditor}},
			{Username: "mate", FullName: "Team Mate", OrgID: f.orgA.ID, Roles: []string{auth.RoleViewer}},
			{Username: "outsider", FullName: "Out Sider", OrgID: f.orgB.ID, Roles: []string{auth.RoleEditor}},
		} {
			created, err := acc.CreateUser(ctx, tx, *u, "a long enough passphrase here")
			if err != nil {
				return err
			}
			*u = created
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.owner, err = db.Accounts().User(ctx, mustUserID(t, db, "owner")); err != nil {
		t.Fatal(err)
	}
	if f.mate, err = db.Accounts().User(ctx, mustUserID(t, db, "mate")); err != nil {
		t.Fatal(err)
	}
	if f.outsid, err = db.Accounts().User(ctx, mustUserID(t, db, "outsider")); err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		src := stats.Series{Unit: "persons", Source: "UN DESA", Licence: "CC BY 3.0 IGO", Citation: "UN DESA (2020). International Migrant Stock 2020."}
		stock, pop := src, src
		stock.Code, stock.Name = "migrant_stock", "International migrant stock"
		pop.Code, pop.Name = "population", "Total population"
		if err := store.ReplaceSeries(ctx, tx, "test-ims", []stats.Series{stock, pop}); err != nil {
			return err
		}
		w := store.NewObservationWriter(ctx, tx)
		for period, v := range kenya {
			for i, series := range []string{"migrant_stock", "population"} {
				if err := w.Add(stats.Observation{Series: series, Area: "KEN", Period: period, Sex: "total", Value: v[i], Status: stats.Observed}); err != nil {
					return err
				}
			}
		}
		_, err := w.Close()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustUserID(t *testing.T, db *store.DB, username string) int64 {
	t.Helper()
	id, err := db.Accounts().UserID(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func share(period string) float64 {
	v := kenya[period]
	return math.Round(v[0]/v[1]*100*10) / 10
}

func fieldOf(err error) string {
	var fe *plans.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

func TestPlansLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		f := newPlanFixture(t, e)
		db, ps := f.db, f.db.Plans()
		in := func(fn func(tx *store.Tx) error) error { return db.InTx(ctx, fn) }

		var plan plans.Plan
		err := in(func(tx *store.Tx) (err error) {
			plan, err = ps.Create(ctx, tx, plans.Plan{Country: "KEN", Title: "Kenya migration and development plan 2010–2030",
				StartYear: 2010, EndYear: 2030, Status: plans.StatusDraft, OrgID: f.orgA.ID, TeamID: f.team.ID, OwnerID: f.owner.ID})
			return err
		})
		if err != nil || plan.ID == 0 || plan.Version != 1 {
			t.Fatalf("Create: %+v, %v", plan, err)
		}
		var goal plans.Goal
		if err := in(func(tx *store.Tx) (err error) {
			goal, err = ps.AddGoal(ctx, tx, plans.Goal{PlanID: plan.ID, Title: "Migration contributes to development"})
			return err
		}); err != nil || goal.Position != 1 {
			t.Fatalf("AddGoal: %+v, %v", goal, err)
		}
		// A live indicator whose baseline comes from the data.
		var live, reported plans.LinkedIndicator
		if err := in(func(tx *store.Tx) (err error) {
			live, err = ps.LinkIndicator(ctx, tx, plans.LinkedIndicator{PlanID: plan.ID, GoalID: goal.ID, Indicator: "migrant_share_of_population",
				Sex: "total", BaselineYear: 2010, TargetValue: 2.5, TargetYear: 2030, Source: plans.SourceLive, CreatedBy: f.owner.ID}, true)
			return err
		}); err != nil {
			t.Fatalf("LinkIndicator live: %v", err)
		}
		if live.BaselineValue != share("2010") || live.BaselineValue != 2.2 || live.Direction != plans.Increase {
			t.Errorf("live baseline %v (%s), want %v = 2.2, increase", live.BaselineValue, live.Direction, share("2010"))
		}
		// A reported indicator: remittances as a share of GDP, reported by hand.
		if err := in(func(tx *store.Tx) (err error) {
			reported, err = ps.LinkIndicator(ctx, tx, plans.LinkedIndicator{PlanID: plan.ID, GoalID: goal.ID, Indicator: "remittances_received_pct_gdp",
				Sex: "total", BaselineValue: 2.0, BaselineYear: 2015, TargetValue: 4.0, TargetYear: 2025, Source: plans.SourceReported, CreatedBy: f.owner.ID}, false)
			return err
		}); err != nil {
			t.Fatalf("LinkIndicator reported: %v", err)
		}
		for _, m := range []plans.Measurement{
			{IndicatorID: reported.ID, Year: 2012, Value: 9, Note: "before the baseline: ignored"},
			{IndicatorID: reported.ID, Year: 2019, Value: 2.9, Note: "Central Bank of Kenya, annual report 2019"},
			{IndicatorID: reported.ID, Year: 2020, Date: "2020-12-31", Value: 3.1, Note: "CBK diaspora remittances survey 2020"},
		} {
			m.RecordedBy, m.RecordedByName = f.owner.ID, f.owner.Username
			if err := in(func(tx *store.Tx) error { _, err := ps.AddMeasurement(ctx, tx, plan.ID, m); return err }); err != nil {
				t.Fatalf("AddMeasurement %+v: %v", m, err)
			}
		}

		got, err := ps.Load(ctx, plan.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := ps.Assess(ctx, &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Goals) != 1 || len(got.Goals[0].Indicators) != 2 {
			t.Fatalf("loaded plan: %+v", got)
		}
		gl, gr := got.Goals[0].Indicators[0], got.Goals[0].Indicators[1]
		if gl.Name != "International migrants as a share of the population" || gl.Unit != "% of population" || gl.Decimals != 1 {
			t.Errorf("live indicator named %q, unit %q, decimals %d", gl.Name, gl.Unit, gl.Decimals)
		}
		// Live values: the three years of data inside the plan's period.
		if len(gl.Measurements) != 3 || gl.Measurements[2].Year != 2020 || gl.Measurements[2].Value != share("2020") {
			t.Errorf("live measurements %+v, want 2010, 2015, 2020 with 2020 = %v", gl.Measurements, share("2020"))
		}
		if len(gl.Citations) != 1 || !strings.Contains(gl.Citations[0], "International Migrant Stock 2020") {
			t.Errorf("citations %v", gl.Citations)
		}
		// 2020: expected 2.2 + (2.5 − 2.2) × 10/20 = 2.35; actual 2.0 (1050147 / 53771300 = 1.95 %): moving away.
		pl := gl.Progress
		if pl == nil || pl.Status != plans.OffTrack || pl.Latest.Year != 2020 || math.Abs(*pl.Expected-2.35) > 1e-9 ||
			math.Abs(*pl.Ratio-(share("2020")-2.2)/(2.35-2.2)) > 1e-9 {
			t.Errorf("live progress %+v", pl)
		}
		// Reported: latest 2020 = 3.1; expected 2.0 + 2.0 × 5/10 = 3.0 → met 1.1 of the way: on track.
		pr := gr.Progress
		if len(gr.Measurements) != 3 || pr == nil || pr.Status != plans.OnTrack || pr.Latest.Value != 3.1 || *pr.Expected != 3.0 {
			t.Errorf("reported: %+v, progress %+v", gr.Measurements, pr)
		}
		if m := gr.Measurements[2]; m.RecordedByName != "owner" || m.Note != "CBK diaspora remittances survey 2020" || m.Date != "2020-12-31" || m.RecordedAt.IsZero() {
			t.Errorf("measurement who/when/evidence: %+v", m)
		}

		// Optimistic concurrency: a stale version changes nothing.
		edit := got
		edit.Goals = nil
		edit.Title, edit.Status = "Renamed", plans.StatusActive
		var updated plans.Plan
		if err := in(func(tx *store.Tx) (err error) { updated, err = ps.Update(ctx, tx, edit); return err }); err != nil || updated.Version != 2 {
			t.Fatalf("Update: %+v, %v", updated, err)
		}
		stale := edit
		stale.Title = "Lost edit"
		err = in(func(tx *store.Tx) error { _, err := ps.Update(ctx, tx, stale); return err })
		if !errors.Is(err, derrors.Conflict) || !strings.Contains(err.Error(), "version") {
			t.Errorf("stale update: %v, want a Conflict naming the version", err)
		}
		if cur, _ := ps.Get(ctx, plan.ID); cur.Title != "Renamed" || cur.Version != 2 {
			t.Errorf("after the stale update: %q v%d", cur.Title, cur.Version)
		}

		var second plans.Plan
		if err := in(func(tx *store.Tx) (err error) {
			second, err = ps.Create(ctx, tx, plans.Plan{Country: "ETH", Title: "Another plan", StartYear: 2010, EndYear: 2030,
				Status: plans.StatusDraft, OrgID: f.orgA.ID, OwnerID: f.owner.ID})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// Changes that would break what the plan holds are refused.
		tests := []struct {
			name  string
			fn    func(tx *store.Tx) error
			kind  error
			field string
		}{
			// A baseline may precede the period (2010, before a 2012 start);
			// a reported measurement (2012) may not.
			{"period no longer holds a measurement", func(tx *store.Tx) error {
				p := updated
				p.StartYear = 2013
				_, err := ps.Update(ctx, tx, p)
				return err
			}, derrors.Invalid, "startYear"},
			{"period no longer holds the target", func(tx *store.Tx) error {
				p := updated
				p.EndYear = 2028
				_, err := ps.Update(ctx, tx, p)
				return err
			}, derrors.Invalid, "endYear"},
			{"country changes", func(tx *store.Tx) error {
				p := updated
				p.Country = "ETH"
				_, err := ps.Update(ctx, tx, p)
				return err
			}, derrors.Invalid, "country"},
			{"measurement of a live indicator", func(tx *store.Tx) error {
				_, err := ps.AddMeasurement(ctx, tx, plan.ID, plans.Measurement{IndicatorID: live.ID, Year: 2021, Value: 2, Note: "x"})
				return err
			}, derrors.Invalid, "indicatorId"},
			{"measurement without evidence", func(tx *store.Tx) error {
				_, err := ps.AddMeasurement(ctx, tx, plan.ID, plans.Measurement{IndicatorID: reported.ID, Year: 2021, Value: 2})
				return err
			}, derrors.Invalid, "note"},
			{"measurement outside the period", func(tx *store.Tx) error {
				_, err := ps.AddMeasurement(ctx, tx, plan.ID, plans.Measurement{IndicatorID: reported.ID, Year: 2031, Value: 2, Note: "x"})
				return err
			}, derrors.Invalid, "year"},
			{"measurement of another plan's indicator", func(tx *store.Tx) error {
				_, err := ps.AddMeasurement(ctx, tx, second.ID, plans.Measurement{IndicatorID: reported.ID, Year: 2021, Value: 2, Note: "x"})
				return err
			}, derrors.NotFound, ""},
			{"unknown indicator", func(tx *store.Tx) error {
				_, err := ps.LinkIndicator(ctx, tx, plans.LinkedIndicator{PlanID: plan.ID, GoalID: goal.ID, Indicator: "no_such_indicator",
					Sex: "total", BaselineValue: 1, BaselineYear: 2010, TargetValue: 2, TargetYear: 2020, Source: plans.SourceReported, CreatedBy: f.owner.ID}, false)
				return err
			}, derrors.Invalid, "indicator"},
			{"bilateral indicator without counterpart", func(tx *store.Tx) error {
				_, err := ps.LinkIndicator(ctx, tx, plans.LinkedIndicator{PlanID: plan.ID, GoalID: goal.ID, Indicator: "migrant_stock_bilateral",
					Sex: "total", BaselineValue: 1, BaselineYear: 2010, TargetValue: 2, TargetYear: 2020, Source: plans.SourceReported, CreatedBy: f.owner.ID}, false)
				return err
			}, derrors.Invalid, "counterpart"},
			{"live baseline in a year without data", func(tx *store.Tx) error {
				_, err := ps.LinkIndicator(ctx, tx, plans.LinkedIndicator{PlanID: plan.ID, GoalID: goal.ID, Indicator: "migrant_share_of_population",
					Sex: "total", BaselineYear: 2011, TargetValue: 3, TargetYear: 2030, Source: plans.SourceLive, CreatedBy: f.owner.ID}, true)
				return err
			}, derrors.Invalid, "baselineYear"},
			{"live target equal to the data's baseline", func(tx *store.Tx) error {
				_, err := ps.LinkIndicator(ctx, tx, plans.LinkedIndicator{PlanID: plan.ID, GoalID: goal.ID, Indicator: "migrant_share_of_population",
					Sex: "total", BaselineYear: 2010, TargetValue: 2.2, TargetYear: 2030, Source: plans.SourceLive, CreatedBy: f.owner.ID}, true)
				return err
			}, derrors.Invalid, "targetValue"},
			{"goal of no plan", func(tx *store.Tx) error {
				_, err := ps.LinkIndicator(ctx, tx, plans.LinkedIndicator{PlanID: plan.ID, GoalID: goal.ID + 100, Indicator: "population",
					Sex: "total", BaselineValue: 1, BaselineYear: 2010, TargetValue: 2, TargetYear: 2020, Source: plans.SourceReported, CreatedBy: f.owner.ID}, false)
				return err
			}, derrors.Invalid, "goalId"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := in(tt.fn)
				if !errors.Is(err, tt.kind) || fieldOf(err) != tt.field {
					t.Errorf("error %v (field %q), want %v on %q", err, fieldOf(err), tt.kind, tt.field)
				}
			})
		}
		after, err := ps.Load(ctx, plan.ID)
		if err != nil || len(after.Goals[0].Indicators) != 2 || len(after.Goals[0].Indicators[1].Measurements) != 3 || after.Version != 2 {
			t.Errorf("the refused changes changed the plan: %+v, %v", after, err)
		}

		// A closed plan takes nothing new.
		closed := updated
		closed.Status = plans.StatusClosed
		if err := in(func(tx *store.Tx) (err error) { closed, err = ps.Update(ctx, tx, closed); return err }); err != nil {
			t.Fatal(err)
		}
		err = in(func(tx *store.Tx) error {
			_, err := ps.AddGoal(ctx, tx, plans.Goal{PlanID: plan.ID, Title: "late"})
			return err
		})
		if !errors.Is(err, derrors.Conflict) {
			t.Errorf("goal in a closed plan: %v", err)
		}

		// Deleting a plan deletes all it holds.
		for _, id := range []int64{plan.ID, second.ID} {
			if err := in(func(tx *store.Tx) error { return ps.Delete(ctx, tx, id) }); err != nil {
				t.Fatal(err)
			}
		}
		for _, table := range []string{"plans", "plan_goals", "plan_indicators", "plan_measurements"} {
			var n int
			if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s after delete: %d rows, %v", table, n, err)
			}
		}
		if _, err := ps.Get(ctx, plan.ID); !errors.Is(err, derrors.NotFound) {
			t.Errorf("Get after delete: %v", err)
		}
	})
}

func TestPlansListScopes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		f := newPlanFixture(t, e)
		ps := f.db.Plans()
		mk := func(title string, org, team, owner int64, country string) plans.Plan {
			var p plans.Plan
			err := f.db.InTx(ctx, func(tx *store.Tx) (err error) {
				p, err = ps.Create(ctx, tx, plans.Plan{Country: country, Title: title, StartYear: 2020, EndYear: 2030,
					Status: plans.StatusActive, OrgID: org, TeamID: team, OwnerID: owner})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		own := mk("own, no team", f.orgA.ID, 0, f.owner.ID, "KEN")
		teamPlan := mk("team", f.orgA.ID, f.team.ID, f.mate.ID, "KEN")
		orgPlan := mk("organisation", f.orgA.ID, 0, f.mate.ID, "ETH")
		other := mk("other organisation", f.orgB.ID, 0, f.outsid.ID, "ETH")
		ids := func(list []plans.Plan) map[int64]bool {
			out := map[int64]bool{}
			for _, p := range list {
				out[p.ID] = true
			}
			return out
		}
		tests := []struct {
			name   string
			filter auth.Filter
			q      store.PlanQuery
			want   []int64
		}{
			{"all", auth.Filter{All: true}, store.PlanQuery{}, []int64{own.ID, teamPlan.ID, orgPlan.ID, other.ID}},
			{"organisation", auth.Filter{OrgID: f.orgA.ID}, store.PlanQuery{}, []int64{own.ID, teamPlan.ID, orgPlan.ID}},
			{"team", auth.Filter{TeamIDs: []int64{f.team.ID}, OwnerID: f.owner.ID}, store.PlanQuery{}, []int64{own.ID, teamPlan.ID}},
			{"own", auth.Filter{OwnerID: f.owner.ID}, store.PlanQuery{}, []int64{own.ID}},
			{"none", auth.Filter{None: true}, store.PlanQuery{}, nil},
			{"organisation, one country", auth.Filter{OrgID: f.orgA.ID}, store.PlanQuery{Country: "ETH"}, []int64{orgPlan.ID}},
			{"status filter", auth.Filter{All: true}, store.PlanQuery{Status: plans.StatusDraft}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list, total, err := ps.List(ctx, tt.filter, tt.q)
				if err != nil {
					t.Fatal(err)
				}
				got := ids(list)
				if total != len(tt.want) || len(got) != len(tt.want) {
					t.Errorf("total %d, %d plans, want %d", total, len(got), len(tt.want))
				}
				for _, id := range tt.want {
					if !got[id] {
						t.Errorf("plan %d missing", id)
					}
				}
			})
		}
	})
}

// TestPlansCustomIndicator: a plan tracks a figure no dataset holds — a
// custom indicator with its own name, unit and decimals, reported by
// hand — beside a live library indicator.
func TestPlansCustomIndicator(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		f := newPlanFixture(t, e)
		db, ps := f.db, f.db.Plans()
		in := func(fn func(tx *store.Tx) error) error { return db.InTx(ctx, fn) }
		var plan plans.Plan
		var goal plans.Goal
		err := in(func(tx *store.Tx) (err error) {
			if plan, err = ps.Create(ctx, tx, plans.Plan{Country: "KEN", Title: "Fair recruitment 2015–2030", StartYear: 2015, EndYear: 2030,
				Status: plans.StatusActive, OrgID: f.orgA.ID, OwnerID: f.owner.ID}); err != nil {
				return err
			}
			goal, err = ps.AddGoal(ctx, tx, plans.Goal{PlanID: plan.ID, Title: "Workers pay no recruitment fees"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var live, cost plans.LinkedIndicator
		if err := in(func(tx *store.Tx) (err error) {
			live, err = ps.LinkIndicator(ctx, tx, plans.LinkedIndicator{PlanID: plan.ID, GoalID: goal.ID, Indicator: "migrant_share_of_population",
				Sex: "total", BaselineYear: 2015, TargetValue: 2.5, TargetYear: 2030, Source: plans.SourceLive, CreatedBy: f.owner.ID}, true)
			return err
		}); err != nil {
			t.Fatalf("live: %v", err)
		}
		custom := plans.LinkedIndicator{PlanID: plan.ID, GoalID: goal.ID, Custom: true, Name: "Recruitment cost paid by workers",
			Unit: "% of monthly income", Decimals: 1, Counterpart: "SAU", Sex: "female", BaselineValue: 120, BaselineYear: 2015,
			TargetValue: 30, TargetYear: 2030, Source: plans.SourceReported, CreatedBy: f.owner.ID}
		if err := in(func(tx *store.Tx) (err error) { cost, err = ps.LinkIndicator(ctx, tx, custom, false); return err }); err != nil {
			t.Fatalf("custom: %v", err)
		}
		if cost.ID == 0 || !cost.Custom || cost.Indicator != "" || cost.Name != custom.Name || cost.Direction != plans.Decrease {
			t.Errorf("linked custom indicator %+v", cost)
		}
		m := plans.Measurement{IndicatorID: cost.ID, Year: 2020, Value: 84, Note: "KNBS migrant worker survey 2020, table 7",
			RecordedBy: f.owner.ID, RecordedByName: f.owner.Username}
		if err := in(func(tx *store.Tx) error { _, err := ps.AddMeasurement(ctx, tx, plan.ID, m); return err }); err != nil {
			t.Fatalf("measurement: %v", err)
		}

		// Refused: a custom indicator cannot be live, needs its unit, and
		// has no library code; none of it is stored.
		refused := []struct {
			name  string
			edit  func(*plans.LinkedIndicator)
			data  bool
			field string
		}{
			{"custom and live", func(li *plans.LinkedIndicator) { li.Source = plans.SourceLive }, false, "source"},
			{"custom and live, baseline from the data", func(li *plans.LinkedIndicator) { li.Source = plans.SourceLive }, true, "source"},
			{"missing unit", func(li *plans.LinkedIndicator) { li.Unit = "" }, false, "unit"},
			{"name too long", func(li *plans.LinkedIndicator) { li.Name = strings.Repeat("n", plans.MaxCustomName+1) }, false, "name"},
			{"decimals", func(li *plans.LinkedIndicator) { li.Decimals = 9 }, false, "decimals"},
			{"with a library code", func(li *plans.LinkedIndicator) { li.Indicator = "population" }, false, "indicator"},
			{"a reported figure without baseline from the data", func(li *plans.LinkedIndicator) {}, true, "baselineValue"},
		}
		for _, tt := range refused {
			li := custom
			tt.edit(&li)
			err := in(func(tx *store.Tx) error { _, err := ps.LinkIndicator(ctx, tx, li, tt.data); return err })
			if !errors.Is(err, derrors.Invalid) || fieldOf(err) != tt.field {
				t.Errorf("%s: %v (field %q), want Invalid on %q", tt.name, err, fieldOf(err), tt.field)
			}
		}
		// The table refuses a custom live row too.
		err = in(func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO plan_indicators (plan_id, goal_id, custom_name, custom_unit, custom_decimals, counterpart, sex,
				baseline_value, baseline_year, target_value, target_year, source, created_by, created_at)
				VALUES (?, ?, 'x', 'y', 1, '', 'total', 1, 2015, 2, 2020, 'live', ?, ?)`, plan.ID, goal.ID, f.owner.ID, plan.CreatedAt)
			return err
		})
		if err == nil {
			t.Error("the table took a custom live indicator")
		}

		got, err := ps.Load(ctx, plan.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := ps.Assess(ctx, &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Goals) != 1 || len(got.Goals[0].Indicators) != 2 {
			t.Fatalf("loaded plan: %+v", got.Goals)
		}
		gl, gc := got.Goals[0].Indicators[0], got.Goals[0].Indicators[1]
		if gl.ID != live.ID || gl.Custom || gl.Name != "International migrants as a share of the population" || len(gl.Measurements) != 2 {
			t.Errorf("live indicator %+v", gl)
		}
		if gc.ID != cost.ID || !gc.Custom || gc.Indicator != "" || gc.Name != "Recruitment cost paid by workers" || gc.Unit != "% of monthly income" ||
			gc.Decimals != 1 || gc.Counterpart != "SAU" || gc.Sex != "female" || gc.Source != plans.SourceReported || len(gc.Citations) != 0 {
			t.Errorf("custom indicator %+v", gc)
		}
		// 2020: expected 120 − 90 × 5/15 = 90; actual 84 is ahead of the path.
		if p := gc.Progress; p == nil || len(gc.Measurements) != 1 || p.Status != plans.OnTrack || *p.Expected != 90 || p.Latest.Value != 84 {
			t.Errorf("custom progress %+v (measurements %+v)", p, gc.Measurements)
		}
	})
}
