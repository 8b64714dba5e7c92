package api

import (
	"encoding/csv"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/plans"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// The development-plan workspace (internal/plans): plans within the
// principal's record scope, their goals, linked indicators and reported
// measurements, the progress against the straight-line path from baseline
// to target, and the progress report as CSV. Every write is audited by
// the policy layer, naming the plan.

func (a *API) registerPlans(r *web.Router) {
	h := func(method, pattern, action, summary string, fn http.HandlerFunc) {
		r.Handle(web.Route{Method: method, Pattern: pattern, Resource: "plans", Action: action, Summary: summary, Handler: fn})
	}
	h("GET", "/api/v1/plans", web.ActionRead, "List development plans within one's record scope", a.listPlans)
	h("POST", "/api/v1/plans", web.ActionCreate, "Create a development plan for a country", a.createPlan)
	h("GET", "/api/v1/plans/{id}", web.ActionRead, "One plan with its goals, indicators, measurements and progress", a.getPlan)
	h("PATCH", "/api/v1/plans/{id}", web.ActionUpdate, "Change a plan's title, description, period or status (optimistic concurrency on version)", a.updatePlan)
	h("DELETE", "/api/v1/plans/{id}", web.ActionDelete, "Delete a plan with everything it holds", a.deletePlan)
	h("POST", "/api/v1/plans/{id}/goals", web.ActionUpdate, "Add a goal to a plan", a.addGoal)
	h("POST", "/api/v1/plans/{id}/indicators", web.ActionUpdate, "Link a library or custom indicator to a goal, with baseline, target and source", a.linkIndicator)
	h("POST", "/api/v1/plans/{id}/indicators/{indicatorId}/measurements", web.ActionUpdate,
		"Record a measurement of a reported indicator, with its evidence note", a.addMeasurement)
	h("GET", "/api/v1/plans/{id}/progress", web.ActionRead, "Progress of every linked indicator against its path", a.planProgress)
	h("GET", "/api/v1/plans/{id}/report.csv", web.ActionExport, "The progress report as CSV", a.planReportCSV)
}

// planError turns a field error of the plans domain into a problem that
// names the field.
func planError(err error) error {
	var fe *plans.FieldError
	if errors.As(err, &fe) {
		return &web.ParamError{Param: fe.Field, Reason: fe.Msg}
	}
	return err
}

// planInScope finds the plan of the {id} path parameter when the
// principal may do action on it; a plan out of scope is not found.
func (a *API) planInScope(r *http.Request, action string) (plans.Plan, error) {
	id, err := pathID(r)
	if err != nil {
		return plans.Plan{}, err
	}
	p, err := a.db.Plans().Get(r.Context(), id)
	if err != nil {
		return p, err
	}
	return p, allowRecord(r, "plans", action, p.Record(), "plan")
}

// PlanList is a page of plans.
type PlanList struct {
	Items  []plans.Plan `json:"items"`
	Total  int          `json:"total"`
	Limit  int          `json:"limit"`
	Offset int          `json:"offset"`
}

func (a *API) listPlans(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	pq := store.PlanQuery{Country: strings.ToUpper(q.str("country", 3)), Status: q.str("status", 16),
		Limit: q.intRange("limit", 50, 1, 500), Offset: q.intRange("offset", 0, 0, 1_000_000)}
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	if pq.Status != "" && !slices.Contains(plans.Statuses, pq.Status) {
		a.problem(w, r, &web.ParamError{Param: "status", Reason: "one of " + strings.Join(plans.Statuses, ", ")})
		return
	}
	list, total, err := a.db.Plans().List(r.Context(), web.PrincipalFrom(r.Context()).FilterFor("plans", auth.Read), pq)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, PlanList{Items: list, Total: total, Limit: pq.Limit, Offset: pq.Offset})
}

// PlanRequest is the body that creates a plan.
type PlanRequest struct {
	Country     string `json:"country"`
	Title       string `json:"title"`
	Description string `json:"description"`
	StartYear   int    `json:"startYear"`
	EndYear     int    `json:"endYear"`
	Status      string `json:"status"` // default draft
}

// checkPlanCountry checks that a code is a country or territory of the
// reference geography and returns its canonical ISO3 code.
func (a *API) checkPlanCountry(r *http.Request, param, code string) (string, error) {
	code = geo.NormalizeCode(code)
	if code == "" {
		return "", &web.ParamError{Param: param, Reason: "required: the ISO3 code of a country or territory"}
	}
	ar, err := a.geo.Area(r.Context(), code)
	switch {
	case errors.Is(err, derrors.NotFound) || errors.Is(err, derrors.Invalid) || err == nil && !ar.IsCountry():
		return "", &web.ParamError{Param: param, Reason: "no country or territory " + strconv.Quote(code)}
	case err != nil:
		return "", err
	}
	return ar.Code, nil
}

func (a *API) createPlan(w http.ResponseWriter, r *http.Request) {
	var in PlanRequest
	if err := decodeJSON(r, &in); err != nil {
		a.problem(w, r, err)
		return
	}
	country, err := a.checkPlanCountry(r, "country", in.Country)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	me := web.PrincipalFrom(r.Context())
	p := plans.Plan{Country: country, Title: strings.TrimSpace(in.Title), Description: strings.TrimSpace(in.Description),
		StartYear: in.StartYear, EndYear: in.EndYear, Status: in.Status, OrgID: me.OrgID, OwnerID: me.UserID}
	if p.Status == "" {
		p.Status = plans.StatusDraft
	}
	if len(me.TeamIDs) == 1 {
		// A plan belongs to its creator's team when they have one, so
		// that a team scope reaches it.
		p.TeamID = me.TeamIDs[0]
	}
	err = a.inTx(r.Context(), func(tx *store.Tx) (err error) {
		p, err = a.db.Plans().Create(r.Context(), tx, p)
		return err
	})
	if err != nil {
		a.problem(w, r, planError(err))
		return
	}
	web.NoteRecord(r, strconv.FormatInt(p.ID, 10))
	web.NoteDetail(r, "plan created: "+p.Country+" "+strconv.Itoa(p.StartYear)+"–"+strconv.Itoa(p.EndYear))
	w.Header().Set("Location", "/api/v1/plans/"+strconv.FormatInt(p.ID, 10))
	web.WriteJSON(w, http.StatusCreated, p)
}

// assessedPlan loads the whole plan of the {id} path parameter within
// the principal's scope, with live values and progress.
func (a *API) assessedPlan(r *http.Request, action string) (plans.Plan, error) {
	p, err := a.planInScope(r, action)
	if err != nil {
		return p, err
	}
	full, err := a.db.Plans().Load(r.Context(), p.ID)
	if err != nil {
		return full, err
	}
	return full, a.db.Plans().Assess(r.Context(), &full)
}

func (a *API) getPlan(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).done(); err != nil {
		a.problem(w, r, err)
		return
	}
	p, err := a.assessedPlan(r, auth.Read)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, p)
}

// PlanPatch changes some of a plan's fields; Version is required.
type PlanPatch struct {
	Version     int64   `json:"version"`
	Country     *string `json:"country"`
	Title       *string `json:"title"`
	Description *string `json:"description"`
	StartYear   *int    `json:"startYear"`
	EndYear     *int    `json:"endYear"`
	Status      *string `json:"status"`
}

func (a *API) updatePlan(w http.ResponseWriter, r *http.Request) {
	cur, err := a.planInScope(r, auth.Update)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	var in PlanPatch
	if err := decodeJSON(r, &in); err != nil {
		a.problem(w, r, err)
		return
	}
	if in.Version == 0 {
		a.problem(w, r, &web.ParamError{Param: "version", Reason: "required: the version you loaded (optimistic concurrency)"})
		return
	}
	p := cur
	p.Version = in.Version
	if in.Country != nil {
		p.Country = geo.NormalizeCode(*in.Country)
	}
	if in.Title != nil {
		p.Title = strings.TrimSpace(*in.Title)
	}
	if in.Description != nil {
		p.Description = strings.TrimSpace(*in.Description)
	}
	if in.StartYear != nil {
		p.StartYear = *in.StartYear
	}
	if in.EndYear != nil {
		p.EndYear = *in.EndYear
	}
	if in.Status != nil {
		p.Status = *in.Status
	}
	err = a.inTx(r.Context(), func(tx *store.Tx) (err error) {
		p, err = a.db.Plans().Update(r.Context(), tx, p)
		return err
	})
	if err != nil {
		a.problem(w, r, planError(err))
		return
	}
	web.NoteDetail(r, "plan updated to version "+strconv.FormatInt(p.Version, 10)+" (status "+p.Status+")")
	web.WriteJSON(w, http.StatusOK, p)
}

func (a *API) deletePlan(w http.ResponseWriter, r *http.Request) {
	p, err := a.planInScope(r, auth.Delete)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	if err := a.inTx(r.Context(), func(tx *store.Tx) error { return a.db.Plans().Delete(r.Context(), tx, p.ID) }); err != nil {
		a.problem(w, r, err)
		return
	}
	web.NoteDetail(r, "plan deleted: "+p.Country+" "+strconv.Itoa(p.StartYear)+"–"+strconv.Itoa(p.EndYear))
	w.WriteHeader(http.StatusNoContent)
}

// GoalRequest is the body that adds a goal.
type GoalRequest struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Position    int    `json:"position"` // 0: after the others
}

func (a *API) addGoal(w http.ResponseWriter, r *http.Request) {
	p, err := a.planInScope(r, auth.Update)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	var in GoalRequest
	if err := decodeJSON(r, &in); err != nil {
		a.problem(w, r, err)
		return
	}
	g := plans.Goal{PlanID: p.ID, Title: strings.TrimSpace(in.Title), Description: strings.TrimSpace(in.Description), Position: in.Position}
	err = a.inTx(r.Context(), func(tx *store.Tx) (err error) {
		g, err = a.db.Plans().AddGoal(r.Context(), tx, g)
		return err
	})
	if err != nil {
		a.problem(w, r, planError(err))
		return
	}
	web.NoteDetail(r, "goal "+strconv.FormatInt(g.ID, 10)+" added")
	web.WriteJSON(w, http.StatusCreated, g)
}

// IndicatorLinkRequest is the body that links an indicator to a goal.
// A live indicator without baselineValue takes it from the imported data
// (the indicator's value for the plan's country in baselineYear). A
// custom indicator of the plan (custom true, or no indicator code but a
// name) has no code but its own name, unit and decimals (default 0), and
// its values are reported by hand.
type IndicatorLinkRequest struct {
	GoalID        int64    `json:"goalId"`
	Indicator     string   `json:"indicator"`
	Custom        bool     `json:"custom"`
	Name          string   `json:"name"`
	Unit          string   `json:"unit"`
	Decimals      *int     `json:"decimals"`
	Counterpart   string   `json:"counterpart"`
	Sex           string   `json:"sex"` // default total
	BaselineValue *float64 `json:"baselineValue"`
	BaselineYear  int      `json:"baselineYear"`
	TargetValue   *float64 `json:"targetValue"`
	TargetYear    int      `json:"targetYear"`
	Source        string   `json:"source"`
}

func (a *API) linkIndicator(w http.ResponseWriter, r *http.Request) {
	p, err := a.planInScope(r, auth.Update)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	var in IndicatorLinkRequest
	if err := decodeJSON(r, &in); err != nil {
		a.problem(w, r, err)
		return
	}
	switch {
	case in.GoalID <= 0:
		a.problem(w, r, &web.ParamError{Param: "goalId", Reason: "required: the id of a goal of this plan"})
		return
	case in.TargetValue == nil:
		a.problem(w, r, &web.ParamError{Param: "targetValue", Reason: "required"})
		return
	case in.BaselineValue == nil && in.Source != plans.SourceLive:
		a.problem(w, r, &web.ParamError{Param: "baselineValue", Reason: "required (only a live indicator can take its baseline from the data)"})
		return
	}
	li := plans.LinkedIndicator{PlanID: p.ID, GoalID: in.GoalID, Indicator: strings.TrimSpace(in.Indicator), Sex: in.Sex,
		BaselineYear: in.BaselineYear, TargetValue: *in.TargetValue, TargetYear: in.TargetYear, Source: in.Source,
		CreatedBy: web.PrincipalFrom(r.Context()).UserID}
	li.Custom = in.Custom || li.Indicator == "" && (in.Name != "" || in.Unit != "")
	if li.Custom {
		li.Name, li.Unit = strings.TrimSpace(in.Name), strings.TrimSpace(in.Unit)
		if in.Decimals != nil {
			li.Decimals = *in.Decimals
		}
	} else {
		// A library indicator is named by the library.
		for _, f := range []struct {
			name string
			set  bool
		}{{"name", in.Name != ""}, {"unit", in.Unit != ""}, {"decimals", in.Decimals != nil}} {
			if f.set {
				a.problem(w, r, &web.ParamError{Param: f.name,
					Reason: "only a custom indicator (custom: true, no indicator code) has its own " + f.name + "; a library indicator takes it from the library"})
				return
			}
		}
	}
	if li.Sex == "" {
		li.Sex = "total"
	}
	if in.BaselineValue != nil {
		li.BaselineValue = *in.BaselineValue
	}
	if in.Counterpart != "" {
		if li.Counterpart, err = a.checkPlanCountry(r, "counterpart", in.Counterpart); err != nil {
			a.problem(w, r, err)
			return
		}
	}
	err = a.inTx(r.Context(), func(tx *store.Tx) (err error) {
		li, err = a.db.Plans().LinkIndicator(r.Context(), tx, li, in.BaselineValue == nil)
		return err
	})
	if err != nil {
		a.problem(w, r, planError(err))
		return
	}
	web.NoteDetail(r, "indicator "+strconv.FormatInt(li.ID, 10)+" linked: "+li.Label()+" ("+li.Source+")")
	web.WriteJSON(w, http.StatusCreated, li)
}

// MeasurementRequest is the body that records a reported value.
type MeasurementRequest struct {
	Year  int      `json:"year"`
	Date  string   `json:"date"`
	Value *float64 `json:"value"`
	Note  string   `json:"note"`
}

func (a *API) addMeasurement(w http.ResponseWriter, r *http.Request) {
	p, err := a.planInScope(r, auth.Update)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	indID, err := strconv.ParseInt(r.PathValue("indicatorId"), 10, 64)
	if err != nil || indID <= 0 {
		a.problem(w, r, &web.ParamError{Param: "indicatorId", Reason: "must be a positive whole number"})
		return
	}
	var in MeasurementRequest
	if err := decodeJSON(r, &in); err != nil {
		a.problem(w, r, err)
		return
	}
	if in.Value == nil {
		a.problem(w, r, &web.ParamError{Param: "value", Reason: "required"})
		return
	}
	me := web.PrincipalFrom(r.Context())
	m := plans.Measurement{IndicatorID: indID, Year: in.Year, Date: strings.TrimSpace(in.Date), Value: *in.Value,
		Note: strings.TrimSpace(in.Note), RecordedBy: me.UserID, RecordedByName: me.Username}
	err = a.inTx(r.Context(), func(tx *store.Tx) (err error) {
		m, err = a.db.Plans().AddMeasurement(r.Context(), tx, p.ID, m)
		return err
	})
	if err != nil {
		a.problem(w, r, planError(err))
		return
	}
	web.NoteDetail(r, "measurement "+strconv.FormatInt(m.ID, 10)+" of indicator "+strconv.FormatInt(indID, 10)+" ("+strconv.Itoa(m.Year)+")")
	web.WriteJSON(w, http.StatusCreated, m)
}

// ProgressRow is one linked indicator in the progress answer.
type ProgressRow struct {
	ID            int64    `json:"id"`
	GoalID        int64    `json:"goalId"`
	Goal          string   `json:"goal"`
	Custom        bool     `json:"custom"` // a custom indicator of the plan: no library code
	Indicator     string   `json:"indicator"`
	Name          string   `json:"name"`
	Unit          string   `json:"unit"`
	Counterpart   string   `json:"counterpart,omitempty"`
	Sex           string   `json:"sex"`
	Source        string   `json:"source"`
	Direction     string   `json:"direction"`
	BaselineYear  int      `json:"baselineYear"`
	BaselineValue float64  `json:"baselineValue"`
	TargetYear    int      `json:"targetYear"`
	TargetValue   float64  `json:"targetValue"`
	Status        string   `json:"status"`
	LatestYear    int      `json:"latestYear,omitempty"`
	LatestValue   *float64 `json:"latestValue"`
	Expected      *float64 `json:"expected"`
	Ratio         *float64 `json:"ratio"`
	TargetMet     bool     `json:"targetMet"`
	Evidence      string   `json:"evidence,omitempty"` // the latest reported value's note
	Citations     []string `json:"citations,omitempty"`
}

// Progress is the progress answer.
type Progress struct {
	Plan       plans.Plan         `json:"plan"`
	Thresholds map[string]float64 `json:"thresholds"`
	Indicators []ProgressRow      `json:"indicators"`
}

// ProgressOf summarises an assessed plan, one row per linked indicator.
func ProgressOf(p plans.Plan) Progress {
	out := Progress{Thresholds: map[string]float64{"onTrack": plans.OnTrackRatio, "atRisk": plans.AtRiskRatio}, Indicators: []ProgressRow{}}
	for _, g := range p.Goals {
		for _, li := range g.Indicators {
			row := ProgressRow{ID: li.ID, GoalID: g.ID, Goal: g.Title, Custom: li.Custom, Indicator: li.Indicator, Name: li.Name, Unit: li.Unit,
				Counterpart: li.Counterpart, Sex: li.Sex, Source: li.Source, Direction: li.Direction,
				BaselineYear: li.BaselineYear, BaselineValue: li.BaselineValue, TargetYear: li.TargetYear, TargetValue: li.TargetValue,
				Status: plans.NoData, Citations: li.Citations}
			if pr := li.Progress; pr != nil {
				row.Status, row.TargetMet = pr.Status, pr.TargetMet
				if pr.Latest != nil {
					v := pr.Latest.Value
					row.LatestYear, row.LatestValue, row.Evidence = pr.Latest.Year, &v, pr.Latest.Note
				}
				if pr.Expected != nil {
					v := round(*pr.Expected, li.Decimals) // as the indicator is shown
					row.Expected = &v
				}
				if pr.Ratio != nil {
					v := round(*pr.Ratio, 4)
					row.Ratio = &v
				}
			}
			out.Indicators = append(out.Indicators, row)
		}
	}
	p.Goals = nil
	out.Plan = p
	return out
}

func round(v float64, decimals int) float64 {
	f := math.Pow(10, float64(decimals))
	return math.Round(v*f) / f
}

func (a *API) planProgress(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).done(); err != nil {
		a.problem(w, r, err)
		return
	}
	p, err := a.assessedPlan(r, auth.Read)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, ProgressOf(p))
}

// PlanReportColumns are the columns of the CSV progress report. The
// indicator column (the library code) is empty for a custom indicator of
// the plan, whose own name and unit are in indicator_name and unit.
var PlanReportColumns = []string{"plan_id", "plan_title", "country", "period", "goal", "indicator_id", "indicator", "indicator_name",
	"counterpart", "sex", "unit", "source", "direction", "baseline_year", "baseline_value", "target_year", "target_value",
	"latest_year", "latest_value", "expected_value", "progress_ratio", "status", "evidence", "citation"}

func (a *API) planReportCSV(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).done(); err != nil {
		a.problem(w, r, err)
		return
	}
	p, err := a.assessedPlan(r, auth.Export)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.NoteDetail(r, "progress report exported as CSV")
	pr := ProgressOf(p)
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="corridor-plan-`+strconv.FormatInt(p.ID, 10)+`-progress.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write(PlanReportColumns)
	period := strconv.Itoa(p.StartYear) + "-" + strconv.Itoa(p.EndYear)
	for _, row := range pr.Indicators {
		latestYear := ""
		if row.LatestYear != 0 {
			latestYear = strconv.Itoa(row.LatestYear)
		}
		cw.Write([]string{strconv.FormatInt(p.ID, 10), csvSafe(p.Title), p.Country, period, csvSafe(row.Goal),
			strconv.FormatInt(row.ID, 10), row.Indicator, csvSafe(row.Name), row.Counterpart, row.Sex, csvSafe(row.Unit), row.Source,
			row.Direction, strconv.Itoa(row.BaselineYear), strconv.FormatFloat(row.BaselineValue, 'f', -1, 64),
			strconv.Itoa(row.TargetYear), strconv.FormatFloat(row.TargetValue, 'f', -1, 64),
			latestYear, num(row.LatestValue), num(row.Expected), num(row.Ratio), row.Status, csvSafe(row.Evidence),
			csvSafe(strings.Join(row.Citations, "; "))})
	}
	cw.Flush()
}
