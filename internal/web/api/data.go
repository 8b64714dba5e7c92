package api

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
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
		Summary: "Indicator values by area, counterpart, period and sex", Handler: http.HandlerFunc(a.data)})
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

func (a *API) createIndicator(w http.ResponseWriter, r *http.Request) {
	var ind stats.Indicator
	if err := decodeJSON(r, &ind); err != nil {
		a.problem(w, r, err)
		return
	}
	p := web.PrincipalFrom(r.Context())
	err := a.inTx(r.Context(), func(tx *store.Tx) error { return a.db.Stats().CreateIndicator(r.Context(), tx, ind, p.UserID) })
	if err != nil {
		a.problem(w, r, err)
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

// DataRow is one value of the data API.
type DataRow struct {
	Indicator   string   `json:"indicator"`
	Area        string   `json:"area"`
	Counterpart string   `json:"counterpart,omitempty"`
	Period      string   `json:"period"`
	Sex         string   `json:"sex"`
	Value       *float64 `json:"value"`
	Status      string   `json:"status"`
}

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
}

func (a *API) data(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	code := q.str("indicator", 64)
	areaParam := q.str("area", 200)
	cpParam := q.str("counterpart", 12)
	periodParam := q.str("period", 24)
	sex := q.str("sex", 8)
	format := q.str("format", 8)
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
	if format != "" && format != "json" && format != "csv" {
		a.problem(w, r, &web.ParamError{Param: "format", Reason: "json or csv"})
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
		Definition: ind.Numerator}
	if ind.Denominator != "" {
		meta.Definition = "(" + ind.Numerator + ") / (" + ind.Denominator + ")"
	}
	if ind.Factor != 1 {
		meta.Definition += " × " + strconv.FormatFloat(ind.Factor, 'f', -1, 64)
	}
	if ind.Records == "incidents" {
		a.incidentData(w, r, ind, meta, areaParam, period, sex, format)
		return
	}
	var areas []string
	if areaParam == "" {
		a.problem(w, r, &web.ParamError{Param: "area", Reason: "required: an ISO3 or M49 code (several separated by commas)"})
		return
	}
	for _, c := range strings.Split(areaParam, ",") {
		ar, err := a.geo.Area(ctx, strings.TrimSpace(c))
		if err != nil {
			a.problem(w, r, &web.ParamError{Param: "area", Reason: "no country or area " + strconv.Quote(strings.TrimSpace(c))})
			return
		}
		areas = append(areas, ar.Code)
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
	refs := stats.Refs(compiled.Num)
	seen := map[string]bool{}
	for _, ref := range refs {
		if seen[ref.Series] {
			continue
		}
		seen[ref.Series] = true
		if s, err := a.db.Stats().Series(ctx, ref.Series); err == nil {
			meta.Sources = append(meta.Sources, s.Source)
			meta.Citations = append(meta.Citations, s.Citation)
			meta.Licences = append(meta.Licences, s.Licence)
		}
	}
	periods, err := a.db.Stats().Periods(ctx, refs[0].Series, period)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	look := a.db.Stats().Lookup(ctx)
	rows := []DataRow{}
	for _, ar := range areas {
		for _, p := range periods {
			v, ok, err := compiled.Eval(stats.Point{Area: ar, Counterpart: counterpart, Period: p, Sex: sex}, look)
			if err != nil {
				a.problem(w, r, err)
				return
			}
			row := DataRow{Indicator: code, Area: ar, Counterpart: counterpart, Period: p, Sex: sex, Status: string(stats.Missing)}
			if ok {
				row.Value, row.Status = &v, string(stats.Observed)
			}
			rows = append(rows, row)
		}
	}
	writeData(w, r, format, rows, meta)
}

// writeData answers with the rows as CSV (format=csv or Accept: text/csv)
// or JSON.
func writeData(w http.ResponseWriter, r *http.Request, format string, rows []DataRow, meta DataMeta) {
	if format == "csv" || format == "" && strings.Contains(r.Header.Get("Accept"), "text/csv") {
		writeDataCSV(w, rows, meta)
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"rows": rows, "meta": meta})
}

func writeDataCSV(w http.ResponseWriter, rows []DataRow, meta DataMeta) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+meta.Indicator+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"indicator", "area", "area_name", "counterpart", "period", "sex", "value", "status", "unit", "source"})
	src := strings.Join(meta.Citations, "; ")
	for _, r := range rows {
		v := ""
		if r.Value != nil {
			v = strconv.FormatFloat(*r.Value, 'f', -1, 64)
		}
		cw.Write([]string{r.Indicator, r.Area, meta.AreaNames[r.Area], r.Counterpart, r.Period, r.Sex, v, r.Status, meta.Unit, src})
	}
	cw.Flush()
}

// incidentData answers SDG 10.7.3 from the Missing Migrants incidents: the
// area is the world (001), a country of incident, or a Region of Incident
// as IOM publishes it.
func (a *API) incidentData(w http.ResponseWriter, r *http.Request, ind stats.Indicator, meta DataMeta, area string, period stats.PeriodRange, sex, format string) {
	ctx := r.Context()
	if sex != stats.SexTotal {
		a.problem(w, r, &web.ParamError{Param: "sex", Reason: "incidents are counted for both sexes only (total)"})
		return
	}
	if area == "" {
		a.problem(w, r, &web.ParamError{Param: "area", Reason: "required: 001 (world), a country of incident, or a region of incident"})
		return
	}
	f := store.IncidentFilter{}
	key := area
	if ar, err := a.geo.Area(ctx, area); err == nil && (ar.Code == "001" || ar.IsCountry()) {
		key = ar.Code
		meta.AreaNames[ar.Code] = ar.Name
		if ar.IsCountry() {
			f.CountryOfIncident = ar.Code
		}
	} else {
		regions, err := a.db.IncidentValues(ctx, store.IncidentFieldRegion)
		if err != nil {
			a.problem(w, r, err)
			return
		}
		if _, ok := regions[area]; !ok {
			a.problem(w, r, &web.ParamError{Param: "area", Reason: "no country or region of incident " + strconv.Quote(area)})
			return
		}
		f.Region = area
		meta.AreaNames[area] = area
	}
	totals, err := a.db.IncidentTotalsByYear(ctx, f)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	meta.Sources = []string{"IOM Missing Migrants Project"}
	meta.Citations = []string{"IOM's Missing Migrants Project"}
	meta.Licences = []string{"CC BY 4.0"}
	rows := []DataRow{}
	for _, t := range totals {
		if t.Key == "" || t.Key < period.From || t.Key > period.To+"~" {
			continue
		}
		v := float64(t.DeadAndMissing)
		rows = append(rows, DataRow{Indicator: ind.Code, Area: key, Period: t.Key, Sex: sex, Value: &v, Status: string(stats.Observed)})
	}
	writeData(w, r, format, rows, meta)
}
