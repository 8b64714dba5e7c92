package api

import (
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/geo/worldmap"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

func (a *API) registerMap(r *web.Router) {
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/map", Resource: "statistics", Action: web.ActionRead, Public: true,
		Summary: "World map data: one indicator for every country at one period, with colour classes", Handler: a.cached(http.HandlerFunc(a.mapData))})
}

// MapIndicator describes the mapped indicator and where its figures come
// from.
type MapIndicator struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Unit        string   `json:"unit"`
	Decimals    int      `json:"decimals"`
	Definition  string   `json:"definition"`
	Sources     []string `json:"sources"`
	Citations   []string `json:"citations"`
	Licences    []string `json:"licences"`
}

// MapRow is one country of the map. Value is null when there is no data
// (never zero); Class is the index of its colour class, null without
// data; Drawn is false for the countries the 1:110m shapes do not draw
// (Singapore, Bahrain, Malta, …), which are listed all the same.
type MapRow struct {
	Area   string   `json:"area"`
	Name   string   `json:"name"`
	Value  *float64 `json:"value"`
	Status string   `json:"status"`
	Class  *int     `json:"class"`
	Drawn  bool     `json:"drawn"`
}

// MapNoData is how the map draws a country without data.
type MapNoData struct {
	Fill    string `json:"fill"`
	Hatch   string `json:"hatch"`
	Meaning string `json:"meaning"`
}

// MapData is the answer of /api/v1/map.
type MapData struct {
	Indicator       MapIndicator     `json:"indicator"`
	Period          string           `json:"period"`
	Sex             string           `json:"sex"`
	Counterpart     string           `json:"counterpart,omitempty"`
	CounterpartName string           `json:"counterpartName,omitempty"`
	Classification  string           `json:"classification"`
	Classes         []worldmap.Class `json:"classes"`
	NoData          MapNoData        `json:"noData"`
	Shapes          string           `json:"shapes"`
	Rows            []MapRow         `json:"rows"`
}

func (a *API) mapData(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	req := MapRequest{Indicator: q.str("indicator", 64), Period: q.str("period", 24), Sex: q.str("sex", 8),
		Counterpart: q.str("counterpart", 12)}
	format := q.str("format", 8)
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	if format != "" && format != formatJSON && format != formatCSV && format != formatXLSX {
		a.problem(w, r, &web.ParamError{Param: "format", Reason: "json, csv or xlsx"})
		return
	}
	m, err := BuildMap(r.Context(), a.db, a.geo, req)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	addVary(w.Header(), "Accept")
	switch dataFormat(r, format) {
	case formatCSV:
		writeMapCSV(w, m)
	case formatXLSX:
		a.writeXLSX(w, r, m.Indicator.Code+"-"+m.Period+"-map.xlsx", mapColumns, len(m.Rows),
			func(i int) []any { return mapRecord(m, m.Rows[i]) }, mapSource(m, retrievalURL(r)))
	default:
		web.WriteJSON(w, http.StatusOK, m)
	}
}

// MapRequest is what a map shows: an indicator at one period and sex, and
// for a bilateral indicator the counterpart (the origin whose diaspora is
// mapped by destination). An empty period is the latest with data; an
// empty sex is total.
type MapRequest struct {
	Indicator, Period, Sex, Counterpart string
}

// BuildMap evaluates an indicator for every country at one period (one
// query per series reference, store.EvalAreas), classifies the values
// and joins them to the shipped shapes. Bad requests are web.ParamError
// naming the parameter; a period without data is refused with the list
// of periods that have data, never answered with another period.
func BuildMap(ctx context.Context, db *store.DB, g geo.Store, req MapRequest) (MapData, error) {
	var m MapData
	if req.Indicator == "" {
		return m, &web.ParamError{Param: "indicator", Reason: "required (see /api/v1/indicators)"}
	}
	st := db.Stats()
	ind, err := st.Indicator(ctx, req.Indicator)
	if errors.Is(err, derrors.NotFound) {
		return m, &web.ParamError{Param: "indicator", Reason: "no indicator " + strconv.Quote(req.Indicator) + " (see /api/v1/indicators)"}
	}
	if err != nil {
		return m, err
	}
	c, err := ind.Compile(nil)
	if err != nil {
		return m, err
	}
	sex := req.Sex
	if sex == "" {
		sex = stats.SexTotal
	}
	if sex != stats.SexTotal && sex != stats.SexMale && sex != stats.SexFemale {
		return m, &web.ParamError{Param: "sex", Reason: "total, male or female"}
	}
	if ind.Records != "" && sex != stats.SexTotal {
		return m, &web.ParamError{Param: "sex", Reason: "indicator " + ind.Code + " counts both sexes only (total)"}
	}
	m = MapData{Sex: sex, Indicator: MapIndicator{Code: ind.Code, Name: ind.Name, Description: ind.Description, Unit: ind.Unit,
		Decimals: ind.Decimals, Definition: mapDefinition(ind)}}
	switch {
	case ind.Bilateral && req.Counterpart == "":
		return m, &web.ParamError{Param: "counterpart", Reason: "indicator " + ind.Code +
			" is bilateral: give the counterpart (the origin, ISO3) whose figures to map by country"}
	case !ind.Bilateral && req.Counterpart != "":
		return m, &web.ParamError{Param: "counterpart", Reason: "indicator " + ind.Code + " is not bilateral"}
	case req.Counterpart != "":
		cp, err := g.Area(ctx, req.Counterpart)
		if err != nil {
			return m, &web.ParamError{Param: "counterpart", Reason: "no country or area " + strconv.Quote(req.Counterpart)}
		}
		m.Counterpart, m.CounterpartName = cp.Code, cp.Name
	}
	period := req.Period
	var periods []string
	if period == "" {
		if periods, err = st.IndicatorPeriods(ctx, c); err != nil {
			return m, err
		}
		if len(periods) == 0 {
			return m, &web.ParamError{Param: "indicator", Reason: "indicator " + ind.Code + " has no data loaded"}
		}
		period = periods[len(periods)-1]
	} else if !stats.ValidPeriod(period) {
		return m, &web.ParamError{Param: "period", Reason: "one period: a year (2020), a quarter (2020-Q3) or a date (2020-06-30)"}
	} else if ind.Records != "" && len(period) != 4 {
		return m, &web.ParamError{Param: "period", Reason: "indicator " + ind.Code + " is counted by year: give a year (2020)"}
	}
	m.Period = period
	page, err := g.Areas(ctx, geo.Filter{Limit: store.MaxPageSize})
	if err != nil {
		return m, err
	}
	codes := make([]string, len(page.Areas))
	for i, ar := range page.Areas {
		codes[i] = ar.Code
	}
	vals, err := st.EvalAreas(ctx, c, codes, m.Counterpart, period, sex)
	if err != nil {
		return m, err
	}
	if !slices.ContainsFunc(vals, func(v store.AreaValue) bool { return v.OK }) {
		// Nothing at all: say which periods have data, rather than a map
		// of blanks for a period that the indicator does not have.
		if periods == nil {
			if periods, err = st.IndicatorPeriods(ctx, c); err != nil {
				return m, err
			}
		}
		if !slices.Contains(periods, period) {
			return m, &web.ParamError{Param: "period", Reason: ind.Code + " has no data for " + period +
				"; periods with data: " + summarizePeriods(periods)}
		}
	}
	if err := mapSources(ctx, st, c, &m.Indicator); err != nil {
		return m, err
	}
	shapes, err := worldmap.Default()
	if err != nil {
		return m, err
	}
	data := make([]worldmap.Datum, len(vals))
	for i, v := range vals {
		data[i] = worldmap.Datum{Area: v.Area, Name: page.Areas[i].Name, Value: v.Value, OK: v.OK}
	}
	ch := shapes.Join(page.Areas).Choropleth(data, worldmap.DefaultClasses)
	m.Classification, m.Classes = ch.Method, ch.Classes
	if m.Classes == nil {
		m.Classes = []worldmap.Class{}
	}
	m.NoData = MapNoData{Fill: worldmap.NoDataFill, Hatch: worldmap.NoDataHatch, Meaning: "no data (missing, not zero)"}
	m.Shapes = worldmap.Credit
	m.Rows = make([]MapRow, len(ch.Rows))
	for i, row := range ch.Rows {
		mr := MapRow{Area: row.Area, Name: row.Name, Status: string(stats.Missing), Drawn: row.Drawn}
		if row.OK {
			v, cl := row.Value, row.Class
			mr.Value, mr.Class, mr.Status = &v, &cl, string(stats.Observed)
		}
		m.Rows[i] = mr
	}
	return m, nil
}

// mapDefinition writes an indicator's formula as the data API does.
func mapDefinition(ind stats.Indicator) string {
	d := ind.Numerator
	if ind.Denominator != "" {
		d = "(" + ind.Numerator + ") / (" + ind.Denominator + ")"
	}
	if ind.Factor != 1 && ind.Factor != 0 {
		d += " × " + strconv.FormatFloat(ind.Factor, 'f', -1, 64)
	}
	return d
}

// mapSources fills the sources, citations and licences of the series the
// indicator reads (IOM's for the incidents).
func mapSources(ctx context.Context, st *store.Stats, c stats.Compiled, mi *MapIndicator) error {
	mi.Sources, mi.Citations, mi.Licences = []string{}, []string{}, []string{}
	if c.Records == "incidents" {
		mi.Sources = []string{"IOM Missing Migrants Project"}
		mi.Citations = []string{"IOM's Missing Migrants Project"}
		mi.Licences = []string{"CC BY 4.0"}
		return nil
	}
	refs := stats.Refs(c.Num)
	if c.Den != nil {
		refs = append(refs, stats.Refs(c.Den)...)
	}
	seen := map[string]bool{}
	for _, ref := range refs {
		if seen[ref.Series] {
			continue
		}
		seen[ref.Series] = true
		s, err := st.Series(ctx, ref.Series)
		if errors.Is(err, derrors.NotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if !slices.Contains(mi.Citations, s.Citation) {
			mi.Sources = append(mi.Sources, s.Source)
			mi.Citations = append(mi.Citations, s.Citation)
			mi.Licences = append(mi.Licences, s.Licence)
		}
	}
	return nil
}

// summarizePeriods lists periods, consecutive years as one range
// ("1960–2025"), a long list shortened to its ends.
func summarizePeriods(p []string) string {
	if len(p) == 0 {
		return "none (no data loaded)"
	}
	var parts []string
	for i := 0; i < len(p); {
		j := i
		for j+1 < len(p) && consecutiveYears(p[j], p[j+1]) {
			j++
		}
		if j > i+1 {
			parts = append(parts, p[i]+"–"+p[j])
		} else {
			parts = append(parts, p[i:j+1]...)
		}
		i = j + 1
	}
	if len(parts) > 12 {
		return strings.Join(parts[:3], ", ") + ", … " + strings.Join(parts[len(parts)-3:], ", ") + " (" + strconv.Itoa(len(p)) + " periods)"
	}
	return strings.Join(parts, ", ")
}

func consecutiveYears(a, b string) bool {
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	return err1 == nil && err2 == nil && len(a) == 4 && len(b) == 4 && y == x+1
}

// mapColumns are the columns of the map's CSV and of its XLSX data sheet.
var mapColumns = []string{"indicator", "area", "area_name", "counterpart", "period", "sex", "value", "status", "class", "class_min", "class_max",
	"drawn", "unit", "source"}

// mapRecord is one country as the CSV and XLSX write it: numbers as
// numbers, absent values as nil.
func mapRecord(m MapData, r MapRow) []any {
	var v, cl, lo, hi any
	if r.Value != nil {
		v = *r.Value
	}
	if r.Class != nil {
		c := m.Classes[*r.Class]
		cl, lo, hi = float64(*r.Class), c.Min, c.Max
	}
	return []any{m.Indicator.Code, r.Area, r.Name, m.Counterpart, m.Period, m.Sex, v, r.Status, cl, lo, hi,
		strconv.FormatBool(r.Drawn), m.Indicator.Unit, strings.Join(m.Indicator.Citations, "; ")}
}

// mapSource is the source sheet of the map's workbook.
func mapSource(m MapData, retrieved string) [][2]string {
	src := [][2]string{
		{"indicator", m.Indicator.Code}, {"name", m.Indicator.Name}, {"unit", m.Indicator.Unit}, {"definition", m.Indicator.Definition},
		{"period", m.Period}, {"sex", m.Sex},
	}
	if m.Counterpart != "" {
		src = append(src, [2]string{"counterpart", m.Counterpart + " " + m.CounterpartName})
	}
	src = append(src, [][2]string{
		{"sources", strings.Join(m.Indicator.Sources, "; ")}, {"citations", strings.Join(m.Indicator.Citations, "; ")},
		{"licences", strings.Join(m.Indicator.Licences, "; ")}, {"classification", m.Classification},
		{"no data", m.NoData.Meaning}, {"shapes", m.Shapes}, {"retrieved from", retrieved},
	}...)
	return src
}

func writeMapCSV(w http.ResponseWriter, m MapData) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+m.Indicator.Code+`-`+m.Period+`-map.csv"`)
	cw := csv.NewWriter(w)
	cw.Write(mapColumns)
	rec := make([]string, len(mapColumns))
	for _, r := range m.Rows {
		for i, v := range mapRecord(m, r) {
			switch v := v.(type) {
			case nil:
				rec[i] = ""
			case float64:
				rec[i] = strconv.FormatFloat(v, 'f', -1, 64)
			case string:
				rec[i] = v
			}
		}
		rec[2] = csvSafe(r.Name)
		cw.Write(rec)
	}
	cw.Flush()
}
