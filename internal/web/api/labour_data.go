package api

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/web"
)

// recruitmentCostData answers the data API for SDG 10.7.1, computed from
// the recruitment costs workers reported and their first wages: area is
// the country of origin (or 001, the world), counterpart the destination
// (optional), one row per year. A group with fewer than MinPublicCell
// workers is withheld (value null, status "withheld"), never shown as 0.
func (a *API) recruitmentCostData(w http.ResponseWriter, r *http.Request, ind stats.Indicator, meta DataMeta,
	areaParam, cpParam string, period stats.PeriodRange, sex, format string) {
	ctx := r.Context()
	if sex != stats.SexTotal {
		a.problem(w, r, &web.ParamError{Param: "sex", Reason: "SDG 10.7.1 is computed for both sexes only (total)"})
		return
	}
	if areaParam == "" || strings.Contains(areaParam, ",") {
		a.problem(w, r, &web.ParamError{Param: "area", Reason: "required: one country of origin (ISO3), or 001 for every origin"})
		return
	}
	origin := ""
	if areaParam != "001" {
		ar, err := a.geo.Area(ctx, areaParam)
		if err != nil || !ar.IsCountry() {
			a.problem(w, r, &web.ParamError{Param: "area", Reason: "no country " + strconv.Quote(areaParam) + " (a country of origin, or 001)"})
			return
		}
		origin = ar.Code
		meta.AreaNames[ar.Code] = ar.Name
	} else {
		meta.AreaNames["001"] = "World"
	}
	dest := ""
	if cpParam != "" {
		ar, err := a.geo.Area(ctx, cpParam)
		if err != nil || !ar.IsCountry() {
			a.problem(w, r, &web.ParamError{Param: "counterpart", Reason: "no country " + strconv.Quote(cpParam) + " (a country of destination)"})
			return
		}
		dest = ar.Code
		meta.AreaNames[ar.Code] = ar.Name
	}
	obs, err := a.db.Labour().RecruitmentCosts(ctx)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	byYear := map[string][]labour.WorkerCost{}
	for _, o := range obs {
		if origin != "" && o.Origin != origin || dest != "" && o.Destination != dest {
			continue
		}
		if o.Year < period.From || o.Year > period.To+"~" {
			continue
		}
		byYear[o.Year] = append(byYear[o.Year], o)
	}
	years := make([]string, 0, len(byYear))
	for y := range byYear {
		years = append(years, y)
	}
	sort.Strings(years)
	key := areaParam
	if origin != "" {
		key = origin
	}
	rows := []DataRow{}
	for _, y := range years {
		g := labour.GroupCosts(byYear[y], func(labour.WorkerCost) labour.CostGroup { return labour.CostGroup{} })
		row := DataRow{Indicator: ind.Code, Area: key, Counterpart: dest, Period: y, Sex: sex, Status: string(stats.Observed)}
		if len(g) == 1 && g[0].Workers >= MinPublicCell {
			v := g[0].Mean
			row.Value = &v
		} else {
			row.Status = "withheld"
		}
		rows = append(rows, row)
	}
	meta.Sources = []string{"Corridor labour mobility: recruitment costs reported by workers"}
	meta.Citations = []string{"Corridor, SDG 10.7.1 computed from recorded recruitment costs and first wages"}
	meta.Licences = []string{"as published by the operating organisation"}
	meta.Definition = "mean over workers of (recruitment costs paid by the worker ÷ first monthly wage in the destination)"
	meta.Notes = append(meta.Notes, "Years with fewer than "+strconv.Itoa(MinPublicCell)+" workers are withheld (value null), so that no worker's costs can be read off.")
	a.writeData(w, r, format, rows, meta)
}
