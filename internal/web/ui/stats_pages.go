package ui

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/stats"
)

// statFigure is one headline figure: the latest value with its year,
// unit, source and the data API links returning it.
type statFigure struct {
	Label, Value, Unit, Year string
	Sources                  []stats.Series
	CSV, XLSX, JSON          string
}

// statCell is one cell of a statistics table; Missing cells say "no data".
type statCell struct {
	Text    string
	Missing bool
}

type statRow struct {
	Period string
	Cells  []statCell
}

// statTable is the table view of a chart: exactly its numbers.
type statTable struct {
	Caption string
	Columns []string
	Rows    []statRow
}

type download struct{ Label, URL string }

// statChart is a chart, its table and where its numbers come from.
type statChart struct {
	ID        string
	SVG       template.HTML
	Table     statTable
	Downloads []download
	Sources   []stats.Series
	Unit      string
}

// rankRow is one corridor in a top-10 list.
type rankRow struct {
	Code, Name, Value, URL, CountryURL string
}

// rankTable is a top-10 list with its caption and value column.
type rankTable struct {
	Caption, Column, CountryColumn string
	Rows                           []rankRow
}

// countryStats is the statistics section of a country page.
type countryStats struct {
	Loaded                bool
	Figures               []statFigure
	Stock                 *statChart
	Origins, Destinations *rankTable
	RankSources           []stats.Series
	Remittances, Refugees *statChart
	Deaths                *statChart
	DeathsRegion          string // IOM's region of incident for the country; "" if none matches
}

// withView hands a partial template the view (for T) and its data.
type withView struct {
	*view
	D any
}

// With bundles the view with the data of a partial template:
//
//	{{template "stat-chart" ($.With .)}}
func (v *view) With(d any) withView { return withView{view: v, D: d} }

// headlineIndicators are the country page's headline figures, in order.
var headlineIndicators = []string{
	"migrant_stock", "migrant_share_of_population", "migrant_female_share",
	"refugees_by_asylum", "refugees_by_origin",
	"remittances_received_usd", "remittances_received_pct_gdp",
}

// countryStatistics gathers a country's statistics; without a database
// (or with nothing imported) the section says that no data is loaded.
func (u *UI) countryStatistics(ctx context.Context, v *view, a geo.Area) (*countryStats, error) {
	cs := &countryStats{}
	if u.db == nil {
		return cs, nil
	}
	for _, code := range headlineIndicators {
		s, err := evalIndicator(ctx, u.db, code, a.Code, "", stats.SexTotal, true)
		if err != nil {
			return nil, err
		}
		if f, ok := v.figure(s, "stats.figure."+code); ok {
			cs.Figures = append(cs.Figures, f)
		}
	}
	stock, err := evalIndicator(ctx, u.db, "migrant_stock", a.Code, "", stats.SexTotal, false)
	if err != nil {
		return nil, err
	}
	if stock.hasData() {
		cs.Stock, err = v.chart("stock", v.T("stats.stock.title", "Name", a.Name), []*statSeries{stock}, []string{v.T("stats.sex.total")})
		if err != nil {
			return nil, err
		}
	}
	if cs.Origins, err = v.ranking(ctx, a, true); err != nil {
		return nil, err
	}
	if cs.Destinations, err = v.ranking(ctx, a, false); err != nil {
		return nil, err
	}
	if cs.Origins != nil || cs.Destinations != nil {
		if sr, err := u.db.Stats().Series(ctx, "migrant_stock_bilateral"); err == nil {
			cs.RankSources = []stats.Series{sr}
		}
	}
	if cs.Remittances, err = v.countryRemittances(ctx, a); err != nil {
		return nil, err
	}
	if cs.Refugees, err = v.countryRefugees(ctx, a); err != nil {
		return nil, err
	}
	if cs.Deaths, cs.DeathsRegion, err = v.countryDeaths(ctx, a); err != nil {
		return nil, err
	}
	cs.Loaded = len(cs.Figures) > 0 || cs.Stock != nil || cs.Origins != nil || cs.Destinations != nil ||
		cs.Remittances != nil || cs.Refugees != nil || cs.Deaths != nil
	return cs, nil
}

// ranking is a top-10 list of a country's corridors (nil without data).
func (v *view) ranking(ctx context.Context, a geo.Area, origins bool) (*rankTable, error) {
	code := a.Code
	ranks, err := v.u.topCounterparts(ctx, code, origins, 10)
	if err != nil || len(ranks) == 0 {
		return nil, err
	}
	t := &rankTable{Column: v.T("stats.rank.migrants")}
	if origins {
		t.Caption = v.T("stats.origins.caption", "Name", a.Name, "Value", ranks[0].Period)
		t.CountryColumn = v.T("stats.origins.col")
	} else {
		t.Caption = v.T("stats.destinations.caption", "Name", a.Name, "Value", ranks[0].Period)
		t.CountryColumn = v.T("stats.destinations.col")
	}
	out := make([]rankRow, 0, len(ranks))
	for _, r := range ranks {
		row := rankRow{Code: r.Code, Name: r.Name, Value: v.num(r.Value, 0), CountryURL: "/countries/" + url.PathEscape(r.Code)}
		if origins {
			row.URL = corridorURL(r.Code, code)
		} else {
			row.URL = corridorURL(code, r.Code)
		}
		out = append(out, row)
	}
	t.Rows = out
	return t, nil
}

func corridorURL(origin, dest string) string {
	return "/corridors/" + url.PathEscape(origin) + "-" + url.PathEscape(dest)
}

// figure makes a headline figure of a series' latest value.
func (v *view) figure(s *statSeries, labelID string) (statFigure, bool) {
	p, ok := s.latest()
	if !ok {
		return statFigure{}, false
	}
	f := statFigure{
		Label: v.T(labelID), Value: v.num(p.Value, s.Indicator.Decimals), Unit: v.unit(s.Indicator.Unit),
		Year: p.Period, Sources: s.Sources,
	}
	// The downloads of a headline figure are that one number: its period.
	if s.Indicator.Builtin || s.Indicator.Numerator != "" {
		f.CSV = dataURL(s.Indicator.Code, s.Area, s.Counter, s.Sex, "csv") + "&period=" + url.QueryEscape(p.Period)
		f.XLSX = dataURL(s.Indicator.Code, s.Area, s.Counter, s.Sex, "xlsx") + "&period=" + url.QueryEscape(p.Period)
		f.JSON = dataURL(s.Indicator.Code, s.Area, s.Counter, s.Sex, "json") + "&period=" + url.QueryEscape(p.Period)
	}
	return f, true
}

// chart draws series (one per column group member) over the union of
// their periods, with the table of the same numbers and the downloads.
func (v *view) chart(id, title string, series []*statSeries, names []string) (*statChart, error) {
	var periods []string
	seen := map[string]bool{}
	for _, s := range series {
		for _, p := range s.Points {
			if !seen[p.Period] {
				seen[p.Period] = true
				periods = append(periods, p.Period)
			}
		}
	}
	sortStrings(periods)
	ind := series[0].Indicator
	unit := v.unit(ind.Unit)
	spec := chartSpec{ID: id, Title: title, Unit: unit, NoData: v.T("stats.noDataShort"), Lang: v.Lang,
		Decimals: ind.Decimals, Periods: periods}
	c := &statChart{ID: id, Unit: unit, Sources: series[0].Sources,
		Table: statTable{Caption: title + " (" + unit + ")", Columns: names}}
	for i, s := range series {
		byPeriod := map[string]statPoint{}
		for _, p := range s.Points {
			byPeriod[p.Period] = p
		}
		line := chartLine{Name: names[i]}
		for _, per := range periods {
			line.Values = append(line.Values, byPeriod[per])
		}
		spec.Series = append(spec.Series, line)
		// Each series downloads its own indicator's numbers.
		if code := s.Indicator.Code; s.Indicator.Numerator != "" {
			label := names[i]
			c.Downloads = append(c.Downloads,
				download{Label: v.T("stats.download.csv", "Name", label), URL: dataURL(code, s.Area, s.Counter, s.Sex, "csv")},
				download{Label: v.T("stats.download.xlsx", "Name", label), URL: dataURL(code, s.Area, s.Counter, s.Sex, "xlsx")},
				download{Label: v.T("stats.download.json", "Name", label), URL: dataURL(code, s.Area, s.Counter, s.Sex, "json")})
		}
	}
	var first, last string
	for i, per := range periods {
		row := statRow{Period: per}
		for _, l := range spec.Series {
			p := l.Values[i]
			if p.OK {
				row.Cells = append(row.Cells, statCell{Text: v.num(p.Value, ind.Decimals)})
				if first == "" {
					first = per
				}
				last = per
			} else {
				row.Cells = append(row.Cells, statCell{Text: v.T("stats.noData"), Missing: true})
			}
		}
		c.Table.Rows = append(c.Table.Rows, row)
	}
	spec.Desc = v.T("stats.chart.desc", "Field", unit, "From", first, "To", last, "Value", strings.Join(names, ", "))
	svg, err := renderChart(spec)
	if err != nil {
		return nil, err
	}
	c.SVG = svg
	return c, nil
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// corridorPage is the data of the corridor template.
type corridorPage struct {
	Origin, Dest          geo.Area
	OriginURL, DestURL    string
	ReverseURL            string
	Loaded                bool
	Stock                 *statChart
	Remittances, Refugees *statFigure
	RemittancesNote       string
	// RemittanceEstimates are the bilateral remittance estimates (the
	// World Bank's 2017 and 2021 matrices), one row each, with downloads.
	RemittanceEstimates *corridorEstimates
	RefugeeChart        *statChart // refugees from the origin in the destination, by year
}

// corridorEstimates is a small table of one indicator's values by
// estimate year, with the downloads of exactly those numbers.
type corridorEstimates struct {
	Table     statTable
	Downloads []download
	Sources   []stats.Series
}

// corridorParam is what /corridors/{corridor} accepts: two ISO 3166-1
// alpha-3 codes, origin first, joined by a hyphen (MEX-USA).
var corridorParam = regexp.MustCompile(`^([A-Za-z]{3})-([A-Za-z]{3})$`)

// corridor shows the statistics of one migration corridor: the bilateral
// migrant stock by year and sex, the remittances sent back along it and
// the refugees from the origin in the destination.
func (u *UI) corridor(w http.ResponseWriter, r *http.Request, v *view) error {
	raw := r.PathValue("corridor")
	m := corridorParam.FindStringSubmatch(raw)
	if m == nil {
		return &paramError{Param: "corridor", ReasonID: "error.reason.corridor"}
	}
	ctx := r.Context()
	var areas [2]geo.Area
	for i, code := range m[1:] {
		a, err := u.geo.Area(ctx, code)
		if errors.Is(err, derrors.NotFound) || (err == nil && !a.IsCountry()) {
			return &countryNotFound{Code: code}
		}
		if err != nil {
			return err
		}
		areas[i] = a
	}
	origin, dest := areas[0], areas[1]
	if origin.Code == dest.Code {
		return &paramError{Param: "corridor", ReasonID: "error.reason.corridorSame"}
	}
	if canonical := origin.Code + "-" + dest.Code; raw != canonical {
		target := corridorURL(origin.Code, dest.Code)
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return nil
	}
	p := corridorPage{Origin: origin, Dest: dest,
		OriginURL: "/countries/" + url.PathEscape(origin.Code), DestURL: "/countries/" + url.PathEscape(dest.Code),
		ReverseURL: corridorURL(dest.Code, origin.Code)}
	if u.db != nil {
		var bySex []*statSeries
		var names []string
		for _, sex := range []string{stats.SexTotal, stats.SexMale, stats.SexFemale} {
			s, err := evalIndicator(ctx, u.db, "migrant_stock_bilateral", dest.Code, origin.Code, sex, false)
			if err != nil {
				return err
			}
			if s.hasData() {
				bySex = append(bySex, s)
				names = append(names, v.T("stats.sex."+sex))
			}
		}
		if len(bySex) > 0 {
			var err error
			title := v.T("stats.corridor.stockTitle", "Name", origin.Name, "Value", dest.Name)
			if p.Stock, err = v.chart("corridor-stock", title, bySex, names); err != nil {
				return err
			}
		}
		// Remittances flow back: received by the origin, sent from the
		// destination (area = receiving, counterpart = sending).
		rem, err := evalIndicator(ctx, u.db, "bilateral_remittances_usd", origin.Code, dest.Code, stats.SexTotal, true)
		if err != nil {
			return err
		}
		if f, ok := v.figure(rem, "stats.figure.bilateral_remittances_usd"); ok {
			p.Remittances = &f
			// Every estimate, not only the latest: the 2017 matrix is not
			// superseded by the 2021 one, they are two estimates.
			all, err := evalIndicator(ctx, u.db, "bilateral_remittances_usd", origin.Code, dest.Code, stats.SexTotal, false)
			if err != nil {
				return err
			}
			est := &corridorEstimates{Sources: all.Sources, Table: statTable{
				Caption: v.T("stats.corridorRemittances.caption", "Origin", origin.Name, "Dest", dest.Name),
				Columns: []string{v.T("stats.corridorRemittances.column")}}}
			for _, pt := range all.Points {
				cell := statCell{Text: v.T("stats.noData"), Missing: true}
				if pt.OK {
					cell = statCell{Text: v.num(pt.Value, all.Indicator.Decimals)}
				}
				est.Table.Rows = append(est.Table.Rows, statRow{Period: pt.Period, Cells: []statCell{cell}})
			}
			label := v.T("stats.figure.bilateral_remittances_usd")
			for _, f := range []string{"csv", "xlsx", "json"} {
				est.Downloads = append(est.Downloads, download{Label: v.T("stats.download."+f, "Name", label),
					URL: dataURL("bilateral_remittances_usd", origin.Code, dest.Code, stats.SexTotal, f)})
			}
			p.RemittanceEstimates = est
		}
		ref, err := evalIndicator(ctx, u.db, "refugees_corridor", dest.Code, origin.Code, stats.SexTotal, false)
		if err != nil {
			return err
		}
		if f, ok := v.figure(ref, "stats.figure.refugees_corridor"); ok {
			p.Refugees = &f
			title := v.T("stats.corridorRefugees.title", "Origin", origin.Name, "Dest", dest.Name)
			if p.RefugeeChart, err = v.chart("corridor-refugees", title, []*statSeries{ref}, []string{v.T("stats.corridorRefugees.column")}); err != nil {
				return err
			}
		}
		p.Loaded = p.Stock != nil || p.Remittances != nil || p.Refugees != nil
	}
	v.Title = v.T("corridor.title", "Name", origin.Name, "Value", dest.Name)
	v.Data = p
	return u.render(w, http.StatusOK, "corridor", v)
}
