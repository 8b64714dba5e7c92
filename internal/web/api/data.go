package api

import (
	"bytes"
	"encoding/csv"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

func (a *API) registerStatistics(r *web.Router) {
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/indicators", Resource: "indicators", Action: web.ActionRead, Public: true,
		Summary: "Indicator definitions", Handler: http.HandlerFunc(a.listIndicators)})
	r.Handle(web.Route{Method: "POST", Pattern: "/api/v1/indicators", Resource: "indicators", Action: web.ActionCreate,
		Summary: "Define an indicator (expressions are parsed and checked)", Handler: http.HandlerFunc(a.createIndicator)})
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/indicators/{code}", Resource: "indicators", Action: web.ActionRead, Public: true,
		Summary: "One indicator definition", Handler: http.HandlerFunc(a.getIndicator)})
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/data", Resource: "statistics", Action: web.ActionRead, Public: true,
		Summary: "Indicator values by area, counterpart, period and sex", Handler: a.cached(http.HandlerFunc(a.data))})
}

func (a *API) listIndicators(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).done(); err != nil {
		a.problem(w, r, err)
		return
	}
	inds, err := a.db.Stats().Indicators(r.Context())
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": inds})
}

func (a *API) getIndicator(w http.ResponseWriter, r *http.Request) {
	ind, err := a.db.Stats().Indicator(r.Context(), r.PathValue("code"))
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, ind)
}

// indicatorRequest is the body of POST /api/v1/indicators: an indicator
// whose factor (1), aggregation ("sum") and decimals (0) may be omitted.
type indicatorRequest struct {
	stats.Indicator
	Factor *float64 `json:"factor"`
}

func (a *API) createIndicator(w http.ResponseWriter, r *http.Request) {
	var req indicatorRequest
	if err := decodeJSON(r, &req); err != nil {
		a.problem(w, r, err)
		return
	}
	ind := req.Indicator
	ind.Factor = 1
	if req.Factor != nil {
		ind.Factor = *req.Factor
	}
	if ind.Aggregation == "" {
		ind.Aggregation = "sum"
	}
	p := web.PrincipalFrom(r.Context())
	err := a.inTx(r.Context(), func(tx *store.Tx) error { return a.db.Stats().CreateIndicator(r.Context(), tx, ind, p.UserID) })
	if err != nil {
		a.problem(w, r, indicatorFieldError(err))
		return
	}
	web.NoteRecord(r, ind.Code)
	out, err := a.db.Stats().Indicator(r.Context(), ind.Code)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, out)
}

// indicatorFields are the fields of an indicator definition that its
// validation errors start with ("factor: 1, 100, …").
var indicatorFields = []string{"code", "name", "unit", "factor", "decimals", "aggregation", "records", "numerator", "denominator"}

// indicatorFieldError names the field at fault in the problem's param
// member: an expression error (which keeps its position and token) names
// the numerator or denominator, a validation error the field it starts
// with.
func indicatorFieldError(err error) error {
	var ee *stats.ExprError
	if errors.As(err, &ee) {
		field := "numerator"
		if strings.HasSuffix(ee.Reason, "(in denominator)") {
			field = "denominator"
		}
		return &web.ParamError{Param: field, Reason: ee.Error()}
	}
	if !errors.Is(err, derrors.Invalid) {
		return err
	}
	msg := derrors.Message(err)
	for _, f := range indicatorFields {
		if rest, ok := strings.CutPrefix(msg, f+": "); ok {
			return &web.ParamError{Param: f, Reason: rest}
		}
	}
	return err
}

// DataRow is one value of the data API. For an aggregate area (a region,
// the world) Value is the figure the source publishes for it (Basis
// "published") or, when it publishes none, the figure computed from the
// member countries (Basis "computed"); Computed, Difference (published −
// computed) and Coverage give the computed figure beside a published one.
type DataRow struct {
	Indicator   string          `json:"indicator"`
	Area        string          `json:"area"`
	Counterpart string          `json:"counterpart,omitempty"`
	Period      string          `json:"period"`
	Sex         string          `json:"sex"`
	Value       *float64        `json:"value"`
	Status      string          `json:"status"`
	Basis       string          `json:"basis,omitempty"`
	Computed    *float64        `json:"computed,omitempty"`
	Difference  *float64        `json:"difference,omitempty"`
	Coverage    *store.Coverage `json:"coverage,omitempty"`
}

// Bases of an aggregate's value.
const (
	BasisPublished = "published"
	BasisComputed  = "computed"
)

// DataMeta describes the rows: names, unit, sources and citations.
type DataMeta struct {
	Indicator  string            `json:"indicator"`
	Name       string            `json:"name"`
	Unit       string            `json:"unit"`
	Decimals   int               `json:"decimals"`
	AreaNames  map[string]string `json:"areaNames"`
	Sources    []string          `json:"sources"`
	Citations  []string          `json:"citations"`
	Licences   []string          `json:"licences"`
	Definition string            `json:"definition"`
	// URL is where these rows were retrieved.
	URL string `json:"url"`
	// Notes explain how aggregate rows were made.
	Notes []string `json:"notes,omitempty"`
	// Route is IOM's migration route the rows are restricted to (SDG
	// 10.7.3 with route=…).
	Route string `json:"route,omitempty"`
	// Undated counts, for SDG 10.7.3, the selected incidents the source
	// gives no year for: they are in no row, whatever the period.
	Undated *UndatedIncidents `json:"undated,omitempty"`
}

// UndatedIncidents are the incidents without a year of an SDG 10.7.3
// answer (the Missing Migrants file has 13, with 13 dead and missing).
type UndatedIncidents struct {
	DeadAndMissing int64 `json:"deadAndMissing"`
	Incidents      int   `json:"incidents"`
}

// computedNote explains computed aggregates in the metadata.
const computedNote = "Aggregates (regions, the world): value is the figure the source publishes for the aggregate (basis published); " +
	"where it publishes none, the figure computed from the member countries (basis computed). Computed figures sum each series " +
	"over the member countries that have a value for every series of the indicator (a ratio is Σnumerator ÷ Σdenominator); " +
	"coverage counts those members and names the others, which are left out, never counted as zero. difference = published − computed."

// maxAreas bounds the areas of one data request.
const maxAreas = 300

func (a *API) data(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	code := q.str("indicator", 64)
	areaParam := q.str("area", maxAreas*5)
	cpParam := q.str("counterpart", 12)
	periodParam := q.str("period", 24)
	sex := q.str("sex", 8)
	format := q.str("format", 8)
	route := q.str("route", 200)
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	ctx := r.Context()
	if code == "" {
		a.problem(w, r, &web.ParamError{Param: "indicator", Reason: "required"})
		return
	}
	ind, err := a.db.Stats().Indicator(ctx, code)
	if err != nil {
		a.problem(w, r, &web.ParamError{Param: "indicator", Reason: "no indicator " + strconv.Quote(code) + " (see /api/v1/indicators)"})
		return
	}
	compiled, err := ind.Compile(nil)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	if sex == "" {
		sex = stats.SexTotal
	}
	if sex != stats.SexTotal && sex != stats.SexMale && sex != stats.SexFemale {
		a.problem(w, r, &web.ParamError{Param: "sex", Reason: "total, male or female"})
		return
	}
	if format != "" && format != formatJSON && format != formatCSV && format != formatXLSX {
		a.problem(w, r, &web.ParamError{Param: "format", Reason: "json, csv or xlsx"})
		return
	}
	period := stats.PeriodRange{From: "1900", To: "2100"}
	if periodParam != "" {
		if period, err = stats.ParsePeriodRange(periodParam); err != nil {
			a.problem(w, r, &web.ParamError{Param: "period", Reason: derrors.Message(err)})
			return
		}
	}
	meta := DataMeta{Indicator: ind.Code, Name: ind.Name, Unit: ind.Unit, Decimals: ind.Decimals, AreaNames: map[string]string{},
		Definition: ind.Numerator, URL: retrievalURL(r)}
	if ind.Denominator != "" {
		meta.Definition = "(" + ind.Numerator + ") / (" + ind.Denominator + ")"
	}
	if ind.Factor != 1 {
		meta.Definition += " × " + strconv.FormatFloat(ind.Factor, 'f', -1, 64)
	}
	if ind.Records == "recruitment-costs" {
		a.recruitmentCostData(w, r, ind, meta, areaParam, cpParam, period, sex, format)
		return
	}
	if ind.Records == "incidents" {
		a.incidentData(w, r, ind, meta, incidentQuery{area: areaParam, route: route, period: period, sex: sex, format: format})
		return
	}
	if route != "" {
		a.problem(w, r, &web.ParamError{Param: "route", Reason: "only sdg_10_7_3 (incidents) is given by migration route, not " + code})
		return
	}
	if areaParam == "" {
		a.problem(w, r, &web.ParamError{Param: "area", Reason: "required: an ISO3 or M49 code (several separated by commas)"})
		return
	}
	var areas []geo.Area
	for _, c := range strings.Split(areaParam, ",") {
		if len(areas) == maxAreas {
			a.problem(w, r, &web.ParamError{Param: "area", Reason: "at most " + strconv.Itoa(maxAreas) + " areas"})
			return
		}
		ar, err := a.geo.Area(ctx, strings.TrimSpace(c))
		if err != nil {
			a.problem(w, r, &web.ParamError{Param: "area", Reason: "no country or area " + strconv.Quote(strings.TrimSpace(c))})
			return
		}
		areas = append(areas, ar)
		meta.AreaNames[ar.Code] = ar.Name
	}
	counterpart := ""
	if cpParam != "" {
		if !ind.Bilateral {
			a.problem(w, r, &web.ParamError{Param: "counterpart", Reason: "indicator " + code + " is not bilateral"})
			return
		}
		ar, err := a.geo.Area(ctx, cpParam)
		if err != nil {
			a.problem(w, r, &web.ParamError{Param: "counterpart", Reason: "no country or area " + strconv.Quote(cpParam)})
			return
		}
		counterpart = ar.Code
		meta.AreaNames[ar.Code] = ar.Name
	}
	refs := append(stats.Refs(compiled.Num), stats.Refs(compiled.Den)...)
	seen := map[string]bool{}
	for _, ref := range refs {
		if seen[ref.Series] {
			continue
		}
		seen[ref.Series] = true
		if s, err := a.db.Stats().Series(ctx, ref.Series); err == nil {
			meta.Sources = appendNew(meta.Sources, s.Source)
			meta.Citations = appendNew(meta.Citations, s.Citation)
			meta.Licences = appendNew(meta.Licences, s.Licence)
		}
	}
	if len(refs) == 0 {
		a.problem(w, r, &web.ParamError{Param: "indicator", Reason: "indicator " + code + " refers to no series"})
		return
	}
	periods, err := a.db.Stats().Periods(ctx, refs[0].Series, period)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	if len(periods) == 0 && periodParam != "" {
		// No value of the indicator anywhere in the range: explicit
		// missing rows for the periods asked for (as for an area without
		// a value in a period that has data), and a note saying which
		// periods have data.
		periods = requestedPeriods(period)
		withData, err := a.db.Stats().IndicatorPeriods(ctx, compiled)
		if err != nil {
			a.problem(w, r, err)
			return
		}
		meta.Notes = append(meta.Notes, "No value of "+ind.Code+" in "+periodParam+": the rows are missing (no data, never zero). Periods with data: "+
			summarizePeriods(withData)+".")
	}
	ev := a.db.Stats().Evaluator(ctx)
	rows := []DataRow{}
	for _, ar := range areas {
		aggregate := !ar.IsCountry() && len(ar.Members) > 0
		if aggregate && !slices.Contains(meta.Notes, computedNote) {
			meta.Notes = append([]string{computedNote}, meta.Notes...)
		}
		for _, p := range periods {
			at := stats.Point{Area: ar.Code, Counterpart: counterpart, Period: p, Sex: sex}
			var row DataRow
			if aggregate {
				row, err = aggregateRow(ev, compiled, ar.Members, at)
			} else {
				row, err = pointRow(ev, compiled, at, ar.IsCountry())
			}
			if err != nil {
				a.problem(w, r, err)
				return
			}
			rows = append(rows, row)
		}
	}
	a.writeData(w, r, format, rows, meta)
}

// pointRow evaluates an indicator at a country, or at an aggregate whose
// members are not known (only what the source publishes for it, basis
// published): its status is the observations', estimated when any of them
// is.
func pointRow(ev *store.Evaluator, c stats.Compiled, at stats.Point, country bool) (DataRow, error) {
	row := DataRow{Indicator: c.Code, Area: at.Area, Counterpart: at.Counterpart, Period: at.Period, Sex: at.Sex}
	eval := ev.Eval
	if !country {
		eval = ev.Published
	}
	e, err := eval(c, at)
	if err != nil {
		return row, err
	}
	row.Status = string(e.Status)
	if e.OK {
		row.Value = &e.Value
		if !country {
			row.Basis = BasisPublished
		}
	}
	return row, nil
}

// aggregateRow gives an aggregate's published figure and the figure
// computed from its members, never one silently for the other.
func aggregateRow(ev *store.Evaluator, c stats.Compiled, members []string, at stats.Point) (DataRow, error) {
	row := DataRow{Indicator: c.Code, Area: at.Area, Counterpart: at.Counterpart, Period: at.Period, Sex: at.Sex,
		Status: string(stats.Missing)}
	pub, err := ev.Published(c, at)
	if err != nil {
		return row, err
	}
	comp, err := ev.Aggregate(c, members, at)
	if err != nil {
		return row, err
	}
	row.Coverage = comp.Coverage
	switch {
	case pub.OK:
		row.Value, row.Status, row.Basis = &pub.Value, string(pub.Status), BasisPublished
		if comp.OK {
			d := store.Difference(pub.Value, comp.Value, c.Decimals)
			row.Computed, row.Difference = &comp.Value, &d
		}
	case comp.OK:
		row.Value, row.Status, row.Basis = &comp.Value, string(comp.Status), BasisComputed
	}
	return row, nil
}

// maxRequestedPeriods bounds the missing rows of a range without data.
const maxRequestedPeriods = 50

// requestedPeriods lists the periods a range asks for: its one period, or
// each year of a range of years (up to maxRequestedPeriods; a longer range
// gets none, only the note).
func requestedPeriods(r stats.PeriodRange) []string {
	if r.From == r.To {
		return []string{r.From}
	}
	from, err1 := strconv.Atoi(r.From)
	to, err2 := strconv.Atoi(r.To)
	if err1 != nil || err2 != nil || len(r.From) != 4 || len(r.To) != 4 || to-from >= maxRequestedPeriods {
		return nil
	}
	var out []string
	for y := from; y <= to; y++ {
		out = append(out, strconv.Itoa(y))
	}
	return out
}

func appendNew(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// retrievalURL is the absolute URL of the request, as the downloads cite it.
func retrievalURL(r *http.Request) string {
	if r.Host == "" {
		return r.URL.RequestURI()
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}

// Representations of the data API.
const (
	formatJSON = "json"
	formatCSV  = "csv"
	formatXLSX = "xlsx"
	// MediaTypeXLSX is the media type of an Office Open XML workbook.
	MediaTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// dataFormat is the representation a request asks for: format=… first,
// then the Accept header (text/csv, the XLSX media type), else JSON.
func dataFormat(r *http.Request, format string) string {
	if format != "" {
		return format
	}
	accept := r.Header.Get("Accept")
	switch {
	case strings.Contains(accept, "text/csv"):
		return formatCSV
	case strings.Contains(accept, MediaTypeXLSX):
		return formatXLSX
	}
	return formatJSON
}

// writeData answers with the rows as CSV (format=csv or Accept: text/csv),
// XLSX (format=xlsx or Accept: the XLSX media type) or JSON.
func (a *API) writeData(w http.ResponseWriter, r *http.Request, format string, rows []DataRow, meta DataMeta) {
	addVary(w.Header(), "Accept")
	switch dataFormat(r, format) {
	case formatCSV:
		writeDataCSV(w, rows, meta)
	case formatXLSX:
		a.writeDataXLSX(w, r, rows, meta)
	default:
		web.WriteJSON(w, http.StatusOK, map[string]any{"rows": rows, "meta": meta})
	}
}

// dataColumns are the columns of the CSV and of the XLSX data sheet.
var dataColumns = []string{"indicator", "area", "area_name", "counterpart", "period", "sex", "value", "status",
	"basis", "computed", "difference", "coverage", "missing_members", "unit", "source", "citation", "licence"}

// dataRecord is one row as the CSV and XLSX write it: numbers as float64,
// absent values as nil.
func dataRecord(r DataRow, meta DataMeta) []any {
	num := func(v *float64) any {
		if v == nil {
			return nil
		}
		return *v
	}
	coverage, missing := "", ""
	if r.Coverage != nil {
		coverage = strconv.Itoa(r.Coverage.WithData) + "/" + strconv.Itoa(r.Coverage.Members)
		missing = strings.Join(r.Coverage.Missing, " ")
	}
	return []any{r.Indicator, r.Area, meta.AreaNames[r.Area], r.Counterpart, r.Period, r.Sex, num(r.Value), r.Status,
		r.Basis, num(r.Computed), num(r.Difference), coverage, missing, meta.Unit,
		strings.Join(meta.Sources, "; "), strings.Join(meta.Citations, "; "), strings.Join(meta.Licences, "; ")}
}

func writeDataCSV(w http.ResponseWriter, rows []DataRow, meta DataMeta) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+meta.Indicator+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write(dataColumns)
	rec := make([]string, len(dataColumns))
	for _, r := range rows {
		for i, v := range dataRecord(r, meta) {
			switch v := v.(type) {
			case nil:
				rec[i] = ""
			case float64:
				rec[i] = strconv.FormatFloat(v, 'f', -1, 64)
			case string:
				rec[i] = v
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
}

// Sheets of the XLSX download.
const (
	SheetData   = "data"
	SheetSource = "source"
)

// writeDataXLSX writes a workbook with the rows (sheet "data", the CSV's
// columns, values as numbers) and what they are and where they come from
// (sheet "source").
func (a *API) writeDataXLSX(w http.ResponseWriter, r *http.Request, rows []DataRow, meta DataMeta) {
	a.writeXLSX(w, r, meta.Indicator+".xlsx", dataColumns, len(rows), func(i int) []any { return dataRecord(rows[i], meta) }, dataSource(meta))
}

// dataSource is the source sheet of the data API's workbook.
func dataSource(meta DataMeta) [][2]string {
	src := [][2]string{
		{"indicator", meta.Indicator}, {"name", meta.Name}, {"unit", meta.Unit}, {"definition", meta.Definition},
		{"sources", strings.Join(meta.Sources, "; ")}, {"citations", strings.Join(meta.Citations, "; ")},
		{"licences", strings.Join(meta.Licences, "; ")}, {"retrieved from", meta.URL},
	}
	if meta.Route != "" {
		src = append(src, [2]string{"migration route", meta.Route})
	}
	if u := meta.Undated; u != nil {
		src = append(src, [2]string{"undated dead and missing", strconv.FormatInt(u.DeadAndMissing, 10)},
			[2]string{"undated incidents", strconv.Itoa(u.Incidents)})
	}
	for _, n := range meta.Notes {
		src = append(src, [2]string{"note", n})
	}
	return src
}

// writeXLSX writes a workbook of two sheets: "data" (a header of columns,
// then n records, numbers as numbers) and "source" (name, value pairs).
func (a *API) writeXLSX(w http.ResponseWriter, r *http.Request, filename string, columns []string, n int, record func(int) []any, src [][2]string) {
	f := excelize.NewFile()
	defer f.Close()
	fail := func(err error) { a.problem(w, r, err) }
	if err := f.SetSheetName("Sheet1", SheetData); err != nil {
		fail(err)
		return
	}
	sw, err := f.NewStreamWriter(SheetData)
	if err != nil {
		fail(err)
		return
	}
	header := make([]any, len(columns))
	for i, c := range columns {
		header[i] = c
	}
	if err := sw.SetRow("A1", header); err != nil {
		fail(err)
		return
	}
	for i := range n {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, record(i)); err != nil {
			fail(err)
			return
		}
	}
	if err := sw.Flush(); err != nil {
		fail(err)
		return
	}
	if _, err := f.NewSheet(SheetSource); err != nil {
		fail(err)
		return
	}
	for i, kv := range src {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(SheetSource, cell, &[]string{kv[0], kv[1]}); err != nil {
			fail(err)
			return
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		fail(err)
		return
	}
	w.Header().Set("Content-Type", MediaTypeXLSX)
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	buf.WriteTo(w)
}

// incidentQuery is what an SDG 10.7.3 request selects.
type incidentQuery struct {
	area, route string
	period      stats.PeriodRange
	sex, format string
}

// Notes of SDG 10.7.3 answers.
const (
	undatedNote = "Incidents without a year (the source gives none) are in no row, whatever the period: meta.undated counts them " +
		"(their dead and missing, and how many incidents), so that the rows plus meta.undated give the file's total."
	m49IncidentNote = "Area is an M49 aggregate of the reference geography: the dead and missing in incidents whose country of incident " +
		"is one of its member countries. Incidents at sea or without a country of incident are in no M49 aggregate; IOM's own " +
		"Region of Incident (area=Mediterranean, area=Eastern Africa, …) is another grouping, which includes seas."
	iomRegionNote = "Area is IOM's Region of Incident as published (which includes seas such as the Mediterranean), not an M49 " +
		"aggregate: an incident listing several regions counts in each."
)

// incidentData answers SDG 10.7.3 from the Missing Migrants incidents: the
// area is the world (001), a country of incident, an M49 aggregate (002
// Africa: incidents whose country of incident is a member), or a Region of
// Incident as IOM publishes it (a name, never an M49 code: "Eastern
// Africa" is IOM's region, 014 the M49 one); route restricts it to one of
// IOM's migration routes. Rows are by year; incidents without a year are
// counted in meta.undated.
func (a *API) incidentData(w http.ResponseWriter, r *http.Request, ind stats.Indicator, meta DataMeta, iq incidentQuery) {
	ctx := r.Context()
	if iq.sex != stats.SexTotal {
		a.problem(w, r, &web.ParamError{Param: "sex", Reason: "incidents are counted for both sexes only (total)"})
		return
	}
	if iq.area == "" {
		a.problem(w, r, &web.ParamError{Param: "area", Reason: "required: 001 (world), a country of incident, an M49 region (002, 015, …) or an IOM region of incident"})
		return
	}
	f := store.IncidentFilter{}
	key := iq.area
	if ar, err := a.geo.Area(ctx, iq.area); err == nil && (ar.Code == "001" || ar.IsCountry() || len(ar.Members) > 0) {
		key = ar.Code
		meta.AreaNames[ar.Code] = ar.Name
		switch {
		case ar.IsCountry():
			f.CountryOfIncident = ar.Code
		case ar.Code != "001":
			f.Aggregate = ar.Code
			meta.Notes = append(meta.Notes, m49IncidentNote)
		}
	} else {
		regions, err := a.db.IncidentValues(ctx, store.IncidentFieldRegion)
		if err != nil {
			a.problem(w, r, err)
			return
		}
		if _, ok := regions[iq.area]; !ok {
			a.problem(w, r, &web.ParamError{Param: "area", Reason: "no country, M49 area or region of incident " + strconv.Quote(iq.area)})
			return
		}
		f.Region = iq.area
		meta.AreaNames[iq.area] = iq.area
		meta.Notes = append(meta.Notes, iomRegionNote)
	}
	if iq.route != "" {
		routes, err := a.db.IncidentValues(ctx, store.IncidentFieldRoute)
		if err != nil {
			a.problem(w, r, err)
			return
		}
		if _, ok := routes[iq.route]; !ok {
			names := make([]string, 0, len(routes))
			for n := range routes {
				names = append(names, n)
			}
			slices.Sort(names)
			a.problem(w, r, &web.ParamError{Param: "route", Reason: "no migration route " + strconv.Quote(iq.route) +
				" in the incidents; routes: " + strings.Join(names, ", ")})
			return
		}
		f.Route = iq.route
		meta.Route = iq.route
	}
	totals, err := a.db.IncidentTotalsByYear(ctx, f)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	meta.Sources = []string{"IOM Missing Migrants Project"}
	meta.Citations = []string{"IOM's Missing Migrants Project"}
	meta.Licences = []string{"CC BY 4.0"}
	// The project records every incident it learns of: in a year it
	// covers (any incident anywhere), a place without incidents has a
	// recorded zero, not a missing value.
	years, err := a.db.IncidentTotalsByYear(ctx, store.IncidentFilter{})
	if err != nil {
		a.problem(w, r, err)
		return
	}
	byYear := map[string]int64{}
	meta.Undated = &UndatedIncidents{}
	for _, t := range totals {
		if t.Key == "" {
			meta.Undated.DeadAndMissing, meta.Undated.Incidents = t.DeadAndMissing, t.Incidents
			continue
		}
		byYear[t.Key] = t.DeadAndMissing
	}
	if meta.Undated.Incidents > 0 {
		meta.Notes = append(meta.Notes, undatedNote)
	}
	rows := []DataRow{}
	for _, y := range years {
		if y.Key == "" || y.Key < iq.period.From || y.Key > iq.period.To+"~" {
			continue
		}
		v := float64(byYear[y.Key])
		rows = append(rows, DataRow{Indicator: ind.Code, Area: key, Period: y.Key, Sex: iq.sex, Value: &v, Status: string(stats.Observed)})
	}
	a.writeData(w, r, iq.format, rows, meta)
}
