package ui

import (
	"context"
	"errors"
	"html/template"
	"math"
	"net/http"
	"net/url"
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

// The development-plan workspace: the list of plans within the user's
// record scope, the form to create one, a plan's page (goals, linked
// indicators with baseline, target, latest value, expected value and
// status, a chart of the values against the straight-line path, and the
// forms to change the plan, add a goal, link an indicator and record a
// measurement) and the printable progress report. The rules are the JSON
// API's (internal/web/api/plans.go): a plan out of scope is not found;
// every write is audited by the policy layer, naming the plan.

func (u *UI) planRoutes() []web.Route {
	route := func(method, pattern, action, summary string, h pageFunc) web.Route {
		return web.Route{Method: method, Pattern: pattern, Resource: "plans", Action: action, Summary: summary, Handler: u.handle("plans", h)}
	}
	return []web.Route{
		route(http.MethodGet, "/plans", web.ActionRead, "Development plans (list)", u.plansList),
		route(http.MethodGet, "/plans/new", web.ActionCreate, "New development plan form", u.newPlanForm),
		route(http.MethodPost, "/plans", web.ActionCreate, "Create a development plan (form)", u.createPlan),
		route(http.MethodGet, "/plans/{id}", web.ActionRead, "One development plan: goals, indicators, progress and forms", u.planPage),
		route(http.MethodPost, "/plans/{id}", web.ActionUpdate, "Change a plan's title, description, period or status (form)", u.updatePlan),
		route(http.MethodPost, "/plans/{id}/goals", web.ActionUpdate, "Add a goal to a plan (form)", u.addPlanGoal),
		route(http.MethodPost, "/plans/{id}/indicators", web.ActionUpdate, "Link an indicator to a goal (form)", u.linkPlanIndicator),
		route(http.MethodPost, "/plans/{id}/measurements", web.ActionUpdate, "Record a measurement with its evidence (form)", u.addPlanMeasurement),
		route(http.MethodGet, "/plans/{id}/report", web.ActionExport, "A plan's printable progress report", u.planReport),
	}
}

func planURL(id int64) string { return "/plans/" + strconv.FormatInt(id, 10) }

// planInScope finds the plan of the {id} path parameter when the
// principal may do action on it; a plan out of scope is not found.
func (u *UI) planInScope(r *http.Request, action string) (plans.Plan, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return plans.Plan{}, derrors.Kindf(derrors.NotFound, "no plan %q", raw)
	}
	p, err := u.db.Plans().Get(r.Context(), id)
	if err != nil {
		return p, err
	}
	if !web.PrincipalFrom(r.Context()).Allows("plans", action, p.Record()) {
		return plans.Plan{}, derrors.Kindf(derrors.NotFound, "no plan %d", id)
	}
	return p, nil
}

// ---- form fields

// planField is a form field: its name in the form, the id of its control
// and the message id of its label.
type planField struct{ name, id, label string }

// planFields map the plans domain's field names to a form's fields.
type planFields map[string]planField

var (
	planFormFields = planFields{
		"country":     {"country", "plan-country", "plans.field.country"},
		"title":       {"title", "plan-title", "plans.field.title"},
		"description": {"description", "plan-description", "plans.field.description"},
		"startYear":   {"start_year", "plan-start-year", "plans.field.startYear"},
		"endYear":     {"end_year", "plan-end-year", "plans.field.endYear"},
		"status":      {"status", "plan-status", "plans.field.status"},
		"version":     {"version", "plan-title", "plans.field.version"},
	}
	goalFormFields = planFields{
		"title":       {"goal_title", "goal-title", "plans.field.goalTitle"},
		"description": {"goal_description", "goal-description", "plans.field.description"},
		"position":    {"goal_title", "goal-title", "plans.field.goalTitle"},
	}
	linkFormFields = planFields{
		"goalId":        {"goal_id", "link-goal", "plans.field.goal"},
		"indicator":     {"indicator", "link-indicator", "plans.field.indicator"},
		"name":          {"custom_name", "link-custom-name", "plans.field.customName"},
		"unit":          {"custom_unit", "link-custom-unit", "plans.field.customUnit"},
		"decimals":      {"custom_decimals", "link-custom-decimals", "plans.field.customDecimals"},
		"counterpart":   {"counterpart", "link-counterpart", "plans.field.counterpart"},
		"sex":           {"sex", "link-sex", "plans.field.sex"},
		"source":        {"source", "link-source", "plans.field.source"},
		"baselineValue": {"baseline_value", "link-baseline-value", "plans.field.baselineValue"},
		"baselineYear":  {"baseline_year", "link-baseline-year", "plans.field.baselineYear"},
		"targetValue":   {"target_value", "link-target-value", "plans.field.targetValue"},
		"targetYear":    {"target_year", "link-target-year", "plans.field.targetYear"},
	}
	measureFormFields = planFields{
		"indicatorId": {"indicator_id", "m-indicator", "plans.field.measuredIndicator"},
		"year":        {"year", "m-year", "plans.field.year"},
		"date":        {"date", "m-date", "plans.field.date"},
		"value":       {"value", "m-value", "plans.field.value"},
		"note":        {"note", "m-note", "plans.field.note"},
	}
)

// bad records a problem of a form field; reasonID and kv as form.add.
func (fs planFields) bad(v *view, f *form, field, reasonID string, kv ...any) {
	pf := fs[field]
	f.add(v, pf.name, pf.id, pf.label, reasonID, kv...)
}

// problems records the plans domain's problems, translated.
func (fs planFields) problems(v *view, f *form, ps plans.Problems) {
	for _, p := range ps {
		fs.problem(v, f, p)
	}
}

func (fs planFields) problem(v *view, f *form, p *plans.FieldError) {
	pf, ok := fs[p.Field]
	if !ok {
		return
	}
	id := "plans.reason." + p.Code
	reason := p.Msg
	if v.u.catalog.Has(id) {
		reason = v.translate(id, p.Args)
	}
	f.addText(v, pf.name, pf.id, pf.label, reason)
}

// storeError records an error of the store on its field: a plans field
// error translated, another Invalid or Conflict error whose text starts
// with a field name in English. It reports whether it could.
func (fs planFields) storeError(v *view, f *form, err error) bool {
	var fe *plans.FieldError
	if errors.As(err, &fe) {
		if _, ok := fs[fe.Field]; ok {
			fs.problem(v, f, fe)
			return true
		}
		return false
	}
	if !errors.Is(err, derrors.Invalid) && !errors.Is(err, derrors.Conflict) {
		return false
	}
	name, reason, found := strings.Cut(derrors.Message(err), ": ")
	pf, ok := fs[name]
	if !found || !ok {
		return false
	}
	f.addText(v, pf.name, pf.id, pf.label, reason)
	return true
}

// formInt reads a whole number; "" is required, anything else not a
// whole number is refused.
func (fs planFields) formInt(v *view, f *form, field, s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		fs.bad(v, f, field, "form.reason.required")
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		fs.bad(v, f, field, "plans.reason.wholeNumber")
		return 0
	}
	return n
}

// formNumber reads a number written with a decimal point or, as French
// and Spanish write it, a decimal comma; spaces grouping thousands are
// ignored. ok is false when the field is empty.
func (fs planFields) formNumber(v *view, f *form, field, s string, required bool) (x float64, ok bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if s == "" {
		if required {
			fs.bad(v, f, field, "form.reason.required")
		}
		return 0, false
	}
	if !strings.Contains(s, ".") && strings.Count(s, ",") == 1 {
		s = strings.Replace(s, ",", ".", 1)
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		fs.bad(v, f, field, "plans.reason.number")
		return 0, false
	}
	return x, true
}

// ---- list

type planRow struct {
	URL, Title, Country, CountryName, Period, Status, StatusLabel string
}

type plansListPage struct {
	Rows      []planRow
	Total     int
	CanCreate bool
	Deleted   bool
}

func (v *view) planStatusLabel(s string) string { return v.label("plans.status", s, s) }

func (u *UI) countryName(ctx context.Context, code string) string {
	if a, err := u.geo.Area(ctx, code); err == nil {
		return a.Name
	}
	return code
}

func (u *UI) plansList(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	p := web.PrincipalFrom(ctx)
	list, total, err := u.db.Plans().List(ctx, p.FilterFor("plans", auth.Read), store.PlanQuery{Limit: 500})
	if err != nil {
		return err
	}
	page := plansListPage{Total: total, CanCreate: p.Can("plans", auth.Create)}
	for _, pl := range list {
		page.Rows = append(page.Rows, planRow{URL: planURL(pl.ID), Title: pl.Title, Country: pl.Country,
			CountryName: u.countryName(ctx, pl.Country), Period: strconv.Itoa(pl.StartYear) + "–" + strconv.Itoa(pl.EndYear),
			Status: pl.Status, StatusLabel: v.planStatusLabel(pl.Status)})
	}
	v.Title, v.Data = v.T("plans.title"), page
	return u.render(w, http.StatusOK, "plans", v)
}

// ---- new plan

type planOption struct {
	Value, Label string
	Selected     bool
}

type newPlanPage struct {
	Form                                                *form
	Countries, Statuses                                 []planOption
	Title, Description, StartYear, EndYear              string
	MaxTitle, MaxDescription, MinYear, MaxYear, Country string
}

func (u *UI) countryOptions(ctx context.Context, selected string) ([]planOption, error) {
	pg, err := u.geo.Areas(ctx, geo.Filter{Kind: geo.KindCountry, Limit: 500})
	if err != nil {
		return nil, err
	}
	out := make([]planOption, 0, len(pg.Areas))
	for _, a := range pg.Areas {
		if a.ISO3 == "" {
			continue
		}
		out = append(out, planOption{Value: a.Code, Label: a.Name, Selected: a.Code == selected})
	}
	return out, nil
}

func (v *view) statusOptions(selected string) []planOption {
	out := make([]planOption, len(plans.Statuses))
	for i, s := range plans.Statuses {
		out[i] = planOption{Value: s, Label: v.planStatusLabel(s), Selected: s == selected}
	}
	return out
}

func (u *UI) renderNewPlan(w http.ResponseWriter, r *http.Request, v *view, status int, page newPlanPage, country, planStatus string) error {
	var err error
	if page.Countries, err = u.countryOptions(r.Context(), country); err != nil {
		return err
	}
	page.Statuses = v.statusOptions(planStatus)
	page.MaxTitle, page.MaxDescription = strconv.Itoa(plans.MaxTitle), strconv.Itoa(plans.MaxDescription)
	page.MinYear, page.MaxYear = strconv.Itoa(plans.MinYear), strconv.Itoa(plans.MaxYear)
	if page.Form == nil {
		page.Form = &form{}
	}
	v.Title, v.Data = v.T("plans.new.title"), page
	v.Languages = u.languageLinksTo("/plans/new", nil, v.Lang)
	return u.render(w, status, "plan_new", v)
}

func (u *UI) newPlanForm(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.renderNewPlan(w, r, v, http.StatusOK, newPlanPage{}, "", plans.StatusDraft)
}

func (u *UI) createPlan(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	in := r.PostForm
	me := web.PrincipalFrom(ctx)
	fs := planFormFields
	f := &form{}
	p := plans.Plan{Country: strings.ToUpper(strings.TrimSpace(in.Get("country"))), Title: strings.TrimSpace(in.Get("title")),
		Description: strings.TrimSpace(in.Get("description")), Status: in.Get("status"), OrgID: me.OrgID, OwnerID: me.UserID}
	if err := u.checkCountry(ctx, p.Country); err != nil {
		var fe *fieldReason
		if !errors.As(err, &fe) {
			return err
		}
		fs.bad(v, f, "country", fe.ID, fe.KV...)
	}
	p.StartYear = fs.formInt(v, f, "startYear", in.Get("start_year"))
	p.EndYear = fs.formInt(v, f, "endYear", in.Get("end_year"))
	fs.problems(v, f, p.Check())
	if len(me.TeamIDs) == 1 {
		p.TeamID = me.TeamIDs[0]
	}
	if f.OK() {
		err := u.db.InTx(ctx, func(tx *store.Tx) (err error) { p, err = u.db.Plans().Create(ctx, tx, p); return err })
		switch {
		case err == nil:
			web.NoteRecord(r, strconv.FormatInt(p.ID, 10))
			web.NoteDetail(r, "plan created: "+p.Country+" "+strconv.Itoa(p.StartYear)+"–"+strconv.Itoa(p.EndYear))
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, planURL(p.ID)+"?saved=created", http.StatusSeeOther)
			return nil
		case !fs.storeError(v, f, err):
			return err
		}
	}
	page := newPlanPage{Form: f, Title: in.Get("title"), Description: in.Get("description"),
		StartYear: in.Get("start_year"), EndYear: in.Get("end_year")}
	return u.renderNewPlan(w, r, v, http.StatusBadRequest, page, p.Country, in.Get("status"))
}

// ---- one plan

// planView is a plan as its page and its report show it.
type planView struct {
	Plan        plans.Plan
	URL         string
	CountryName string
	Period      string
	StatusLabel string
	Goals       []goalView
	Counts      map[string]int // status → number of indicators
	Summary     []statusCount
}

type statusCount struct {
	Status, Label string
	Count         int
}

type goalView struct {
	ID          int64
	Title       string
	Description string
	Indicators  []indicatorView
}

type indicatorView struct {
	ID                     int64
	Custom                 bool // a custom indicator of the plan: no library code
	Code, Name, Unit       string
	Counterpart            string
	CounterpartName        string
	Sex, SexLabel          string
	Source, SourceLabel    string
	DirectionLabel         string
	Baseline, Target       string // "2.3 (2010)"
	Latest, Expected       string
	LatestYear             int
	Ratio                  string
	Status, StatusLabel    string
	Evidence               string
	Citations              []string
	Chart                  template.HTML
	Rows                   []measurementRow
	DataURL                string // the data API request of a live indicator's numbers
	HasMeasurements, Live  bool
	ChartID, TableCaption  string
	ExpectedCol, ActualCol string
}

type measurementRow struct {
	Year             int
	Date             string
	Value, Expected  string
	Note, Who, When  string
	BeforeBaseline   bool
	ReportedByPerson bool
	Baseline         bool // the baseline of a reported indicator, not a reported value
}

// planStatuses in the order the page lists them.
var planStatuses = []string{plans.OnTrack, plans.AtRisk, plans.OffTrack, plans.NoData}

// assessedPlanView loads the whole plan with live values and progress
// and prepares it for a page.
func (u *UI) assessedPlanView(ctx context.Context, v *view, id int64, charts bool) (planView, error) {
	st := u.db.Plans()
	p, err := st.Load(ctx, id)
	if err != nil {
		return planView{}, err
	}
	if err := st.Assess(ctx, &p); err != nil {
		return planView{}, err
	}
	pv := planView{Plan: p, URL: planURL(p.ID), CountryName: u.countryName(ctx, p.Country),
		Period: strconv.Itoa(p.StartYear) + "–" + strconv.Itoa(p.EndYear), StatusLabel: v.planStatusLabel(p.Status), Counts: map[string]int{}}
	for _, g := range p.Goals {
		gv := goalView{ID: g.ID, Title: g.Title, Description: g.Description}
		for _, li := range g.Indicators {
			iv, err := u.indicatorView(ctx, v, p, li, charts)
			if err != nil {
				return pv, err
			}
			pv.Counts[iv.Status]++
			gv.Indicators = append(gv.Indicators, iv)
		}
		pv.Goals = append(pv.Goals, gv)
	}
	for _, s := range planStatuses {
		pv.Summary = append(pv.Summary, statusCount{Status: s, Label: v.T("plans.progress." + s), Count: pv.Counts[s]})
	}
	return pv, nil
}

func (u *UI) indicatorView(ctx context.Context, v *view, p plans.Plan, li plans.LinkedIndicator, charts bool) (indicatorView, error) {
	name := li.Name
	if name == "" {
		name = li.Indicator
	}
	d := li.Decimals
	num := func(x float64, extra int) string { return v.num(x, d+extra) }
	iv := indicatorView{ID: li.ID, Custom: li.Custom, Code: li.Indicator, Name: name, Unit: v.unit(li.Unit), Counterpart: li.Counterpart,
		Sex: li.Sex, SexLabel: v.label("plans.sex", li.Sex, li.Sex), Source: li.Source, SourceLabel: v.T("plans.source." + li.Source),
		DirectionLabel: v.T("plans.direction." + li.Direction),
		Baseline:       v.T("plans.valueInYear", "Value", num(li.BaselineValue, 0), "Time", li.BaselineYear),
		Target:         v.T("plans.valueInYear", "Value", num(li.TargetValue, 0), "Time", li.TargetYear),
		Status:         plans.NoData, Citations: li.Citations, Live: li.Source == plans.SourceLive,
		ChartID: "plan-chart-" + strconv.FormatInt(li.ID, 10)}
	if li.Counterpart != "" {
		iv.CounterpartName = u.countryName(ctx, li.Counterpart)
	}
	if iv.Live {
		iv.DataURL = dataURL(li.Indicator, p.Country, li.Counterpart, li.Sex, "csv")
	}
	if pr := li.Progress; pr != nil {
		iv.Status = pr.Status
		if pr.Latest != nil {
			iv.Latest, iv.LatestYear, iv.Evidence = num(pr.Latest.Value, 0), pr.Latest.Year, pr.Latest.Note
		}
		if pr.Expected != nil {
			// The path's value, to the indicator's decimals like the
			// values it is compared with (not 3,486,345,802.4 US$).
			iv.Expected = num(*pr.Expected, 0)
		}
		if pr.Ratio != nil {
			iv.Ratio = v.num(*pr.Ratio*100, 0) + " %"
		}
	}
	iv.StatusLabel = v.T("plans.progress." + iv.Status)
	// A reported indicator's table starts from its baseline: the year and
	// value the plan starts from (often before the plan's period, where no
	// value can be reported), unless a value of that year was reported.
	baselineRow := !iv.Live && !slices.ContainsFunc(li.Measurements, func(m plans.Measurement) bool { return m.Year == li.BaselineYear })
	for _, m := range li.Measurements {
		if baselineRow && m.Year > li.BaselineYear {
			iv.Rows, baselineRow = append(iv.Rows, baselineMeasurementRow(v, li, num)), false
		}
		row := measurementRow{Year: m.Year, Date: m.Date, Value: num(m.Value, 0), Note: m.Note, Who: m.RecordedByName,
			BeforeBaseline: m.Year < li.BaselineYear, ReportedByPerson: m.Source == plans.SourceReported}
		if m.Year >= li.BaselineYear {
			row.Expected = num(li.Expected(m.Year), 0)
		}
		if !m.RecordedAt.IsZero() {
			row.When = m.RecordedAt.Format("2006-01-02")
		}
		iv.Rows = append(iv.Rows, row)
	}
	if baselineRow {
		iv.Rows = append(iv.Rows, baselineMeasurementRow(v, li, num))
	}
	iv.HasMeasurements = len(iv.Rows) > 0
	iv.ExpectedCol, iv.ActualCol = v.T("plans.chart.path"), v.T("plans.chart.actual")
	iv.TableCaption = v.T("plans.table.caption", "Name", name)
	if charts {
		svg, err := planChart(v, li, iv)
		if err != nil {
			return iv, err
		}
		iv.Chart = svg
	}
	return iv, nil
}

// baselineMeasurementRow is the baseline as a row of a reported
// indicator's table: its year, its value, on the path by definition.
func baselineMeasurementRow(v *view, li plans.LinkedIndicator, num func(float64, int) string) measurementRow {
	return measurementRow{Year: li.BaselineYear, Value: num(li.BaselineValue, 0), Expected: num(li.BaselineValue, 0),
		Note: v.T("plans.field.baseline"), Baseline: true, ReportedByPerson: true}
}

// planChart draws a linked indicator's values (the latest of each year;
// for a reported indicator, from its baseline) as a line with markers
// beside the straight-line path from the baseline to the target, dashed,
// over the years from the baseline (or the first value) to the target (or
// the last value). The y axis spans the values (it need not start at
// zero: a 49.5 → 52 % target shows). A year without a value is a gap in
// the line, never a zero.
func planChart(v *view, li plans.LinkedIndicator, iv indicatorView) (template.HTML, error) {
	from, to := li.BaselineYear, li.TargetYear
	latest := map[int]float64{}
	sorted := slices.Clone(li.Measurements)
	plans.SortMeasurements(sorted)
	if !iv.Live {
		latest[li.BaselineYear] = li.BaselineValue // a reported value of the year overrides it
	}
	for _, m := range sorted {
		latest[m.Year] = m.Value
		from, to = min(from, m.Year), max(to, m.Year)
	}
	spec := chartSpec{ID: iv.ChartID, Title: iv.Name, Unit: iv.Unit, NoData: v.T("stats.noData"), Lang: v.Lang, Decimals: li.Decimals,
		Line: true}
	actual := chartLine{Name: iv.ActualCol}
	path := chartLine{Name: iv.ExpectedCol, Dashed: true}
	for y := from; y <= to; y++ {
		spec.Periods = append(spec.Periods, strconv.Itoa(y))
		val, ok := latest[y]
		actual.Values = append(actual.Values, statPoint{Period: strconv.Itoa(y), Value: val, OK: ok})
		inPath := y >= li.BaselineYear && y <= li.TargetYear
		path.Values = append(path.Values, statPoint{Period: strconv.Itoa(y), Value: li.Expected(y), OK: inPath})
	}
	spec.Series = []chartLine{actual, path}
	spec.Desc = v.T("plans.chart.desc", "Name", iv.Name, "From", from, "To", to, "Value", iv.Baseline, "Field", iv.Target)
	return renderChart(spec)
}

// planPageData is the data of the plan template: the plan, what the user
// may do, and the four forms with what was typed when one was refused.
type planPageData struct {
	planView
	CanUpdate, CanExport, CanDelete, Open bool
	Saved                                 string // the flash: created, saved, goal, indicator, measurement
	Form                                  *form  // the refused form's problems
	Active                                string // which form was refused: plan, goal, link, measure
	Edit                                  planEditForm
	Goal                                  goalForm
	Link                                  linkForm
	Measure                               measureForm
	Statuses                              []planOption
	GoalOptions, IndicatorOptions         []planOption
	SexOptions, SourceOptions             []planOption
	ReportedOptions                       []planOption
	CSV, Report                           string
}

type planEditForm struct{ Title, Description, StartYear, EndYear, Status, Version string }
type goalForm struct{ Title, Description string }
type linkForm struct {
	GoalID, Indicator, Counterpart, Sex, Source          string
	BaselineValue, BaselineYear, TargetValue, TargetYear string
	// Kind is library or custom; Name, Unit and Decimals are a custom
	// indicator's.
	Kind, Name, Unit, Decimals string
}

// Kinds of indicator the link form offers.
const (
	linkKindLibrary = "library"
	linkKindCustom  = "custom"
)

type measureForm struct{ IndicatorID, Year, Date, Value, Note string }

func (u *UI) planPageData(ctx context.Context, v *view, p plans.Plan) (planPageData, error) {
	me := web.PrincipalFrom(ctx)
	pv, err := u.assessedPlanView(ctx, v, p.ID, true)
	if err != nil {
		return planPageData{}, err
	}
	cur := pv.Plan
	d := planPageData{planView: pv, CanUpdate: me.Allows("plans", auth.Update, cur.Record()),
		CanExport: me.Allows("plans", auth.Export, cur.Record()), CanDelete: me.Allows("plans", auth.Delete, cur.Record()),
		Open: cur.Status != plans.StatusClosed, Form: &form{},
		CSV: "/api/v1/plans/" + strconv.FormatInt(cur.ID, 10) + "/report.csv", Report: planURL(cur.ID) + "/report",
		Edit: planEditForm{Title: cur.Title, Description: cur.Description, StartYear: strconv.Itoa(cur.StartYear),
			EndYear: strconv.Itoa(cur.EndYear), Status: cur.Status, Version: strconv.FormatInt(cur.Version, 10)},
		Link:    linkForm{Sex: "total", Source: plans.SourceLive, Kind: linkKindLibrary, Decimals: "0"},
		Measure: measureForm{},
	}
	if !d.CanUpdate {
		return d, nil
	}
	inds, err := u.db.Stats().Indicators(ctx)
	if err != nil {
		return d, err
	}
	for _, ind := range inds {
		d.IndicatorOptions = append(d.IndicatorOptions, planOption{Value: ind.Code, Label: ind.Name + " (" + ind.Code + ")"})
	}
	for _, g := range cur.Goals {
		d.GoalOptions = append(d.GoalOptions, planOption{Value: strconv.FormatInt(g.ID, 10), Label: g.Title})
		for _, li := range g.Indicators {
			if li.Source == plans.SourceReported {
				name := li.Name
				if name == "" {
					name = li.Indicator
				}
				d.ReportedOptions = append(d.ReportedOptions, planOption{Value: strconv.FormatInt(li.ID, 10), Label: name + " — " + g.Title})
			}
		}
	}
	return d, nil
}

// finishOptions marks the options chosen in the forms.
func (d *planPageData) finishOptions(v *view) {
	d.Statuses = v.statusOptions(d.Edit.Status)
	mark := func(opts []planOption, val string) []planOption {
		out := slices.Clone(opts)
		for i := range out {
			out[i].Selected = out[i].Value == val
		}
		return out
	}
	d.GoalOptions = mark(d.GoalOptions, d.Link.GoalID)
	d.IndicatorOptions = mark(d.IndicatorOptions, d.Link.Indicator)
	d.ReportedOptions = mark(d.ReportedOptions, d.Measure.IndicatorID)
	for _, s := range plans.Sexes {
		d.SexOptions = append(d.SexOptions, planOption{Value: s, Label: v.T("plans.sex." + s), Selected: s == d.Link.Sex})
	}
	for _, s := range plans.Sources {
		d.SourceOptions = append(d.SourceOptions, planOption{Value: s, Label: v.T("plans.source." + s), Selected: s == d.Link.Source})
	}
}

func (u *UI) renderPlan(w http.ResponseWriter, v *view, status int, d planPageData) error {
	d.finishOptions(v)
	v.Title, v.Data = d.Plan.Title, d
	v.Languages = u.languageLinksTo(d.URL, nil, v.Lang)
	return u.render(w, status, "plan", v)
}

func (u *UI) planPage(w http.ResponseWriter, r *http.Request, v *view) error {
	p, err := u.planInScope(r, auth.Read)
	if err != nil {
		return err
	}
	d, err := u.planPageData(r.Context(), v, p)
	if err != nil {
		return err
	}
	switch s := r.URL.Query().Get("saved"); s {
	case "created", "saved", "goal", "indicator", "measurement":
		d.Saved = s
	}
	return u.renderPlan(w, v, http.StatusOK, d)
}

// planFormDone answers a form that changed the plan: back to the plan
// page with the flash, or the page again with the form's problems.
func (u *UI) planFormDone(w http.ResponseWriter, r *http.Request, v *view, p plans.Plan, f *form, status int, saved string,
	keep func(*planPageData), active string) error {
	if f.OK() {
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, planURL(p.ID)+"?"+url.Values{"saved": {saved}}.Encode()+"#"+active, http.StatusSeeOther)
		return nil
	}
	d, err := u.planPageData(r.Context(), v, p)
	if err != nil {
		return err
	}
	d.Form, d.Active = f, active
	keep(&d)
	return u.renderPlan(w, v, status, d)
}

func (u *UI) updatePlan(w http.ResponseWriter, r *http.Request, v *view) error {
	p, err := u.planInScope(r, auth.Update)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	ctx, in, fs, f := r.Context(), r.PostForm, planFormFields, &form{}
	want := p
	want.Title, want.Description, want.Status = strings.TrimSpace(in.Get("title")), strings.TrimSpace(in.Get("description")), in.Get("status")
	want.StartYear = fs.formInt(v, f, "startYear", in.Get("start_year"))
	want.EndYear = fs.formInt(v, f, "endYear", in.Get("end_year"))
	version, verr := strconv.ParseInt(in.Get("version"), 10, 64)
	if verr != nil || version <= 0 {
		return derrors.Kindf(derrors.Invalid, "version: the form lacks the plan's version; reload the plan")
	}
	want.Version = version
	fs.problems(v, f, want.Check())
	status := http.StatusBadRequest
	var newVersion string
	if f.OK() {
		err := u.db.InTx(ctx, func(tx *store.Tx) (err error) { want, err = u.db.Plans().Update(ctx, tx, want); return err })
		switch {
		case err == nil:
			web.NoteDetail(r, "plan updated to version "+strconv.FormatInt(want.Version, 10)+" (status "+want.Status+")")
		case errors.Is(err, derrors.Conflict) && strings.HasPrefix(derrors.Message(err), "version:"):
			// Someone else changed the plan: show it as it is now, keep
			// what was typed, and let a second submission apply it.
			status = http.StatusConflict
			cur, gerr := u.db.Plans().Get(ctx, p.ID)
			if gerr != nil {
				return gerr
			}
			newVersion = strconv.FormatInt(cur.Version, 10)
			fs.bad(v, f, "version", "plans.reason.stale", "Value", cur.Version)
		case !fs.storeError(v, f, err):
			return err
		}
	}
	return u.planFormDone(w, r, v, p, f, status, "saved", func(d *planPageData) {
		d.Edit = planEditForm{Title: in.Get("title"), Description: in.Get("description"), StartYear: in.Get("start_year"),
			EndYear: in.Get("end_year"), Status: in.Get("status"), Version: in.Get("version")}
		if newVersion != "" {
			d.Edit.Version = newVersion
		}
	}, "plan-edit")
}

func (u *UI) addPlanGoal(w http.ResponseWriter, r *http.Request, v *view) error {
	p, err := u.planInScope(r, auth.Update)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	ctx, in, fs, f := r.Context(), r.PostForm, goalFormFields, &form{}
	g := plans.Goal{PlanID: p.ID, Title: strings.TrimSpace(in.Get("goal_title")), Description: strings.TrimSpace(in.Get("goal_description"))}
	fs.problems(v, f, g.Check())
	status := http.StatusBadRequest
	if f.OK() {
		err := u.db.InTx(ctx, func(tx *store.Tx) (err error) { g, err = u.db.Plans().AddGoal(ctx, tx, g); return err })
		switch {
		case err == nil:
			web.NoteDetail(r, "goal "+strconv.FormatInt(g.ID, 10)+" added")
		case !fs.storeError(v, f, err):
			return err
		}
		if errors.Is(err, derrors.Conflict) {
			status = http.StatusConflict
		}
	}
	return u.planFormDone(w, r, v, p, f, status, "goal", func(d *planPageData) {
		d.Goal = goalForm{Title: in.Get("goal_title"), Description: in.Get("goal_description")}
	}, "goal-new")
}

func (u *UI) linkPlanIndicator(w http.ResponseWriter, r *http.Request, v *view) error {
	p, err := u.planInScope(r, auth.Update)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	ctx, in, fs, f := r.Context(), r.PostForm, linkFormFields, &form{}
	me := web.PrincipalFrom(ctx)
	li := plans.LinkedIndicator{PlanID: p.ID, Sex: in.Get("sex"), Source: in.Get("source"), CreatedBy: me.UserID}
	if li.Sex == "" {
		li.Sex = "total"
	}
	// A library indicator, or a custom one of the plan with its own name,
	// unit and decimals: the fields of the other kind are ignored.
	if in.Get("kind") == linkKindCustom {
		li.Custom = true
		li.Name, li.Unit = strings.TrimSpace(in.Get("custom_name")), strings.TrimSpace(in.Get("custom_unit"))
		if d := strings.TrimSpace(in.Get("custom_decimals")); d != "" {
			li.Decimals = fs.formInt(v, f, "decimals", d)
		}
	} else {
		li.Indicator = strings.TrimSpace(in.Get("indicator"))
	}
	goalID, gerr := strconv.ParseInt(in.Get("goal_id"), 10, 64)
	if gerr != nil || goalID <= 0 {
		fs.bad(v, f, "goalId", "form.reason.choice")
	}
	li.GoalID = goalID
	if c := strings.ToUpper(strings.TrimSpace(in.Get("counterpart"))); c != "" {
		if err := u.checkCountry(ctx, c); err != nil {
			var fe *fieldReason
			if !errors.As(err, &fe) {
				return err
			}
			fs.bad(v, f, "counterpart", fe.ID, fe.KV...)
		}
		li.Counterpart = c
	}
	baseline, hasBaseline := fs.formNumber(v, f, "baselineValue", in.Get("baseline_value"), li.Source != plans.SourceLive)
	li.BaselineValue = baseline
	li.BaselineYear = fs.formInt(v, f, "baselineYear", in.Get("baseline_year"))
	li.TargetValue, _ = fs.formNumber(v, f, "targetValue", in.Get("target_value"), true)
	li.TargetYear = fs.formInt(v, f, "targetYear", in.Get("target_year"))
	ps := li.Check(p)
	if !hasBaseline {
		ps = slices.DeleteFunc(ps, func(fe *plans.FieldError) bool {
			return fe.Field == "baselineValue" || fe.Code == "targetEqualsBaseline"
		})
	}
	fs.problems(v, f, ps)
	status := http.StatusBadRequest
	if f.OK() {
		err := u.db.InTx(ctx, func(tx *store.Tx) (err error) {
			li, err = u.db.Plans().LinkIndicator(ctx, tx, li, !hasBaseline)
			return err
		})
		switch {
		case err == nil:
			web.NoteDetail(r, "indicator "+strconv.FormatInt(li.ID, 10)+" linked: "+li.Label()+" ("+li.Source+")")
		case !fs.storeError(v, f, err):
			return err
		}
		if errors.Is(err, derrors.Conflict) {
			status = http.StatusConflict
		}
	}
	return u.planFormDone(w, r, v, p, f, status, "indicator", func(d *planPageData) {
		d.Link = linkForm{GoalID: in.Get("goal_id"), Indicator: in.Get("indicator"), Counterpart: in.Get("counterpart"),
			Sex: in.Get("sex"), Source: in.Get("source"), BaselineValue: in.Get("baseline_value"), BaselineYear: in.Get("baseline_year"),
			TargetValue: in.Get("target_value"), TargetYear: in.Get("target_year"), Kind: linkKindLibrary,
			Name: in.Get("custom_name"), Unit: in.Get("custom_unit"), Decimals: in.Get("custom_decimals")}
		if li.Custom {
			d.Link.Kind = linkKindCustom
		}
	}, "indicator-new")
}

func (u *UI) addPlanMeasurement(w http.ResponseWriter, r *http.Request, v *view) error {
	p, err := u.planInScope(r, auth.Update)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	ctx, in, fs, f := r.Context(), r.PostForm, measureFormFields, &form{}
	me := web.PrincipalFrom(ctx)
	m := plans.Measurement{Date: strings.TrimSpace(in.Get("date")), Note: strings.TrimSpace(in.Get("note")),
		RecordedBy: me.UserID, RecordedByName: me.Username, Source: plans.SourceReported}
	indID, ierr := strconv.ParseInt(in.Get("indicator_id"), 10, 64)
	if ierr != nil || indID <= 0 {
		fs.bad(v, f, "indicatorId", "form.reason.choice")
	}
	m.IndicatorID = indID
	m.Year = fs.formInt(v, f, "year", in.Get("year"))
	m.Value, _ = fs.formNumber(v, f, "value", in.Get("value"), true)
	fs.problems(v, f, m.Check(p))
	status := http.StatusBadRequest
	if f.OK() {
		err := u.db.InTx(ctx, func(tx *store.Tx) (err error) { m, err = u.db.Plans().AddMeasurement(ctx, tx, p.ID, m); return err })
		switch {
		case err == nil:
			web.NoteDetail(r, "measurement "+strconv.FormatInt(m.ID, 10)+" of indicator "+strconv.FormatInt(indID, 10)+
				" ("+strconv.Itoa(m.Year)+")")
		case errors.Is(err, derrors.NotFound):
			fs.bad(v, f, "indicatorId", "form.reason.choice")
		case !fs.storeError(v, f, err):
			return err
		}
		if errors.Is(err, derrors.Conflict) {
			status = http.StatusConflict
		}
	}
	return u.planFormDone(w, r, v, p, f, status, "measurement", func(d *planPageData) {
		d.Measure = measureForm{IndicatorID: in.Get("indicator_id"), Year: in.Get("year"), Date: in.Get("date"),
			Value: in.Get("value"), Note: in.Get("note")}
	}, "measurement-new")
}

// ---- report

type planReportData struct {
	planView
	CSV       string
	Generated string
	OnTrack   string // the thresholds, as per cent
	AtRisk    string
}

func (u *UI) planReport(w http.ResponseWriter, r *http.Request, v *view) error {
	p, err := u.planInScope(r, auth.Export)
	if err != nil {
		return err
	}
	pv, err := u.assessedPlanView(r.Context(), v, p.ID, true)
	if err != nil {
		return err
	}
	web.NoteDetail(r, "progress report viewed (HTML)")
	d := planReportData{planView: pv, CSV: "/api/v1/plans/" + strconv.FormatInt(p.ID, 10) + "/report.csv",
		Generated: pv.Plan.UpdatedAt.Format("2006-01-02"),
		OnTrack:   v.num(plans.OnTrackRatio*100, 0), AtRisk: v.num(plans.AtRiskRatio*100, 0)}
	v.Title, v.Data = v.T("plans.report.title", "Name", pv.Plan.Title), d
	v.Languages = u.languageLinksTo(pv.URL+"/report", nil, v.Lang)
	return u.render(w, http.StatusOK, "plan_report", v)
}
