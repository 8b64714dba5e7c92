package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/i18n"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/api"
)

// Region pages show an aggregate's figures twice, never one for the other:
// as the source publishes them for the region (under the region's own
// code) and as computed from its member countries (store.Evaluator), with
// the difference and the members the computed figure stands on. The data
// API (/api/v1/data?area=CODE) answers the same rows, so the downloads are
// the numbers shown.

// regionKinds are the aggregates with a region page, in listing order.
var regionKinds = []geo.Kind{geo.KindWorld, geo.KindRegion, geo.KindSubRegion, geo.KindIntermediateRegion, geo.KindSDGRegion}

// m49Kinds are the levels of the M49 hierarchy.
var m49Kinds = []geo.Kind{geo.KindWorld, geo.KindRegion, geo.KindSubRegion, geo.KindIntermediateRegion}

func regionURL(code string) string { return "/regions/" + url.PathEscape(code) }

// regionLink is one region in a list.
type regionLink struct {
	Code, Name, URL string
	Members         int
}

type regionGroup struct {
	Kind    geo.Kind
	Heading string
	Regions []regionLink
}

type regionsPage struct{ Groups []regionGroup }

// regions lists the world, the M49 regions, sub-regions and intermediate
// regions and the SDG regions.
func (u *UI) regions(w http.ResponseWriter, r *http.Request, v *view) error {
	all, err := u.regionAreas(r.Context())
	if err != nil {
		return err
	}
	var p regionsPage
	for _, k := range regionKinds {
		g := regionGroup{Kind: k, Heading: v.T("regions.heading." + string(k))}
		for _, a := range all[k] {
			g.Regions = append(g.Regions, regionLink{Code: a.Code, Name: a.Name, URL: regionURL(a.Code), Members: len(a.Members)})
		}
		if len(g.Regions) > 0 {
			p.Groups = append(p.Groups, g)
		}
	}
	v.Title, v.Data = v.T("regions.title"), p
	return u.render(w, http.StatusOK, "regions", v)
}

// regionAreas returns the areas of the region kinds, by kind, sorted by
// name.
func (u *UI) regionAreas(ctx context.Context) (map[geo.Kind][]geo.Area, error) {
	out := map[geo.Kind][]geo.Area{}
	for _, k := range regionKinds {
		page, err := u.geo.Areas(ctx, geo.Filter{Kind: k, Limit: maxLimit})
		if err != nil {
			return nil, err
		}
		out[k] = page.Areas
	}
	return out, nil
}

// regionFigure is a headline figure of a region: published and computed
// side by side, for the latest year with either.
type regionFigure struct {
	Label, Unit, Year                     string
	Published, Computed, Difference       string // formatted; "" when absent
	PublishedEstimated, ComputedEstimated bool
	Computable                            bool
	Coverage, Missing                     string
	Sources                               []stats.Series
	CSV, XLSX, JSON                       string
	// The values as evaluated, before formatting.
	PubValue, CompValue, DiffValue float64
}

// memberRow is one member country with its figures.
type memberRow struct {
	Code, Name, URL string
	Stock, Share    statCell
}

type memberTable struct {
	Caption                  string
	StockColumn, ShareColumn string
	Rows                     []memberRow
	Downloads                []download
}

// regionPage is the data of the region template.
type regionPage struct {
	Area              geo.Area
	Kind              string
	Parents, Children []regionLink
	Loaded            bool
	Figures           []regionFigure
	Stock             *statChart
	Members           *memberTable
	Sources           []stats.Series
}

// regionHeadline are the region page's headline indicators, in order.
var regionHeadline = []string{
	"migrant_stock", "migrant_share_of_population", "migrant_female_share",
	"refugees_by_asylum", "refugees_by_origin", "remittances_received_usd",
}

// regionCode is what /regions/{code} accepts: an M49 number.
var regionCode = regexp.MustCompile(`^[0-9]{1,4}$`)

// regionNotFound is an unknown code in /regions/{code}.
func regionNotFound(code string) error {
	return &refusal{Kind: derrors.NotFound, TitleID: "error.notFound.title", TextID: "region.notFound.text",
		Data: map[string]any{"Code": code}}
}

// region shows one region: its figures published and computed, its
// migrant stock by year, its member countries and sub-regions.
func (u *UI) region(w http.ResponseWriter, r *http.Request, v *view) error {
	code := r.PathValue("code")
	if !regionCode.MatchString(code) {
		return &paramError{Param: "code", ReasonID: "error.reason.code"}
	}
	ctx := r.Context()
	a, err := u.geo.Area(ctx, code)
	if errors.Is(err, derrors.NotFound) {
		return regionNotFound(code)
	}
	if err != nil {
		return err
	}
	switch {
	case a.IsCountry():
		http.Redirect(w, r, "/countries/"+url.PathEscape(a.Code), http.StatusMovedPermanently)
		return nil
	case !slices.Contains(regionKinds, a.Kind):
		return regionNotFound(code)
	case a.Code != code:
		target := regionURL(a.Code)
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return nil
	}
	all, err := u.regionAreas(ctx)
	if err != nil {
		return err
	}
	p := regionPage{Area: a, Kind: v.T("region.kind." + string(a.Kind))}
	p.Parents, p.Children = hierarchy(a, all)
	if u.db != nil {
		if err := u.regionStatistics(ctx, v, &p); err != nil {
			return err
		}
	}
	v.Title, v.Data = a.Name, p
	return u.render(w, http.StatusOK, "region", v)
}

// hierarchy returns the M49 areas that contain a (largest first) and the
// largest M49 areas it contains (its sub-regions), by their members.
func hierarchy(a geo.Area, all map[geo.Kind][]geo.Area) (parents, children []regionLink) {
	mine := map[string]bool{}
	for _, m := range a.Members {
		mine[m] = true
	}
	var cands []geo.Area
	for _, k := range m49Kinds {
		for _, b := range all[k] {
			if b.Code == a.Code || len(b.Members) == 0 {
				continue
			}
			in := 0
			for _, m := range b.Members {
				if mine[m] {
					in++
				}
			}
			switch {
			case in == len(a.Members) && len(b.Members) > len(a.Members):
				parents = append(parents, regionLink{Code: b.Code, Name: b.Name, URL: regionURL(b.Code), Members: len(b.Members)})
			case in == len(b.Members) && (len(b.Members) < len(a.Members) || a.Kind == geo.KindSDGRegion):
				cands = append(cands, b)
			}
		}
	}
	slices.SortStableFunc(parents, func(x, y regionLink) int { return y.Members - x.Members })
	// Keep the largest: a candidate inside another candidate is a
	// sub-region of a sub-region.
	for i, c := range cands {
		inner := false
		for j, d := range cands {
			if i != j && len(d.Members) > len(c.Members) && subset(c.Members, d.Members) {
				inner = true
				break
			}
		}
		if !inner {
			children = append(children, regionLink{Code: c.Code, Name: c.Name, URL: regionURL(c.Code), Members: len(c.Members)})
		}
	}
	slices.SortFunc(children, func(x, y regionLink) int { return strings.Compare(x.Name, y.Name) })
	return parents, children
}

func subset(small, big []string) bool {
	for _, m := range small {
		if !slices.Contains(big, m) {
			return false
		}
	}
	return true
}

// regionIndicator is a stored indicator, compiled, with the series it
// cites and the periods of its data; nil when it or its data is missing.
type regionIndicator struct {
	c       stats.Compiled
	sources []stats.Series
	periods []string
}

func (u *UI) regionIndicator(ctx context.Context, code string) (*regionIndicator, error) {
	st := u.db.Stats()
	ind, err := st.Indicator(ctx, code)
	if errors.Is(err, derrors.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := ind.Compile(nil)
	if err != nil || c.Records != "" {
		return nil, err
	}
	refs := append(stats.Refs(c.Num), stats.Refs(c.Den)...)
	sources, err := seriesOf(ctx, st, refs)
	if err != nil || len(sources) == 0 {
		return nil, err
	}
	periods, err := st.Periods(ctx, refs[0].Series, allPeriods)
	if err != nil || len(periods) == 0 {
		return nil, err
	}
	return &regionIndicator{c: c, sources: sources, periods: periods}, nil
}

// regionStatistics fills the figures, the chart and the member table.
func (u *UI) regionStatistics(ctx context.Context, v *view, p *regionPage) error {
	a := p.Area
	ev := u.db.Stats().Evaluator(ctx)
	seen := map[string]bool{}
	cite := func(ss []stats.Series) {
		for _, s := range ss {
			if !seen[s.Code] {
				seen[s.Code] = true
				p.Sources = append(p.Sources, s)
			}
		}
	}
	stockYear := ""
	for _, code := range regionHeadline {
		ri, err := u.regionIndicator(ctx, code)
		if err != nil {
			return err
		}
		if ri == nil {
			continue
		}
		f, ok, err := v.regionFigure(ctx, ev, ri, a, "region.figure."+code)
		if err != nil {
			return err
		}
		if ok {
			p.Figures = append(p.Figures, f)
			cite(ri.sources)
			if code == "migrant_stock" {
				stockYear = f.Year
			}
		}
	}
	stock, err := u.regionIndicator(ctx, "migrant_stock")
	if err != nil {
		return err
	}
	if stock != nil {
		if p.Stock, err = v.regionChart(ev, stock, a); err != nil {
			return err
		}
	}
	if stockYear != "" && len(a.Members) > 0 {
		if p.Members, err = u.memberTable(ctx, v, ev, a, stockYear); err != nil {
			return err
		}
	}
	p.Loaded = len(p.Figures) > 0 || p.Stock != nil
	return nil
}

// regionFigure evaluates an indicator at the region for the latest period
// where the source publishes it or it can be computed.
func (v *view) regionFigure(ctx context.Context, ev *store.Evaluator, ri *regionIndicator, a geo.Area, labelID string) (regionFigure, bool, error) {
	can, err := ev.CanAggregate(ri.c)
	if err != nil {
		return regionFigure{}, false, err
	}
	dec := ri.c.Decimals
	for i := len(ri.periods) - 1; i >= 0; i-- {
		at := stats.Point{Area: a.Code, Period: ri.periods[i], Sex: stats.SexTotal}
		pub, err := ev.Published(ri.c, at)
		if err != nil {
			return regionFigure{}, false, err
		}
		comp := store.Evaluation{}
		if can && len(a.Members) > 0 {
			if comp, err = ev.Aggregate(ri.c, a.Members, at); err != nil {
				return regionFigure{}, false, err
			}
		}
		if !pub.OK && !comp.OK {
			continue
		}
		f := regionFigure{
			Label: v.T(labelID), Unit: v.unit(ri.c.Unit), Year: at.Period, Sources: ri.sources,
			Computable: can && len(a.Members) > 0,
			CSV:        dataURL(ri.c.Code, a.Code, "", stats.SexTotal, "csv"),
			XLSX:       dataURL(ri.c.Code, a.Code, "", stats.SexTotal, "xlsx"),
			JSON:       dataURL(ri.c.Code, a.Code, "", stats.SexTotal, "json"),
		}
		if pub.OK {
			f.Published, f.PubValue = v.num(pub.Value, dec), pub.Value
			f.PublishedEstimated = pub.Status == stats.Estimated
		}
		if comp.OK {
			f.Computed, f.CompValue = v.num(comp.Value, dec), comp.Value
			f.ComputedEstimated = comp.Status == stats.Estimated
		}
		if pub.OK && comp.OK {
			f.DiffValue = store.Difference(pub.Value, comp.Value, dec)
			f.Difference = v.num(f.DiffValue, dec)
			if f.DiffValue > 0 {
				f.Difference = "+" + f.Difference
			}
		}
		if cov := comp.Coverage; cov != nil {
			f.Coverage = v.T("region.coverage", "Number", cov.WithData, "Total", cov.Members)
			if len(cov.Missing) > 0 {
				f.Missing = v.T("region.missing", "Value", v.u.namesOf(ctx, cov.Missing))
			}
		}
		return f, true, nil
	}
	return regionFigure{}, false, nil
}

// namesOf joins the names of areas (their codes when unknown).
func (u *UI) namesOf(ctx context.Context, codes []string) string {
	names := make([]string, 0, len(codes))
	for _, c := range codes {
		if a, err := u.geo.Area(ctx, c); err == nil {
			names = append(names, a.Name)
		} else {
			names = append(names, c)
		}
	}
	return strings.Join(names, ", ")
}

// regionChart draws the region's migrant stock by year: published and
// computed, each where it exists.
func (v *view) regionChart(ev *store.Evaluator, ri *regionIndicator, a geo.Area) (*statChart, error) {
	can, err := ev.CanAggregate(ri.c)
	if err != nil {
		return nil, err
	}
	pub := &statSeries{Indicator: ri.c.Indicator, Area: a.Code, Sex: stats.SexTotal, Sources: ri.sources}
	comp := &statSeries{Indicator: ri.c.Indicator, Area: a.Code, Sex: stats.SexTotal, Sources: ri.sources}
	for _, per := range ri.periods {
		at := stats.Point{Area: a.Code, Period: per, Sex: stats.SexTotal}
		e, err := ev.Published(ri.c, at)
		if err != nil {
			return nil, err
		}
		pub.Points = append(pub.Points, statPoint{Period: per, Value: e.Value, OK: e.OK})
		if can && len(a.Members) > 0 {
			if e, err = ev.Aggregate(ri.c, a.Members, at); err != nil {
				return nil, err
			}
		} else {
			e = store.Evaluation{}
		}
		comp.Points = append(comp.Points, statPoint{Period: per, Value: e.Value, OK: e.OK})
	}
	var series []*statSeries
	var names []string
	if pub.hasData() {
		series, names = append(series, pub), append(names, v.T("region.publishedShort"))
	}
	if comp.hasData() {
		series, names = append(series, comp), append(names, v.T("region.computedShort"))
	}
	if len(series) == 0 {
		return nil, nil
	}
	c, err := v.chart("region-stock", v.T("region.stock.title", "Name", a.Name), series, names)
	if err != nil {
		return nil, err
	}
	// Both lines are one request to the data API: value, computed,
	// difference and coverage by year.
	c.Downloads = v.downloads(a.Name, func(format string) string { return dataURL(ri.c.Code, a.Code, "", stats.SexTotal, format) })
	return c, nil
}

// downloads are the CSV, XLSX and JSON links of one data API request.
func (v *view) downloads(name string, urlFor func(format string) string) []download {
	return []download{
		{Label: v.T("stats.download.csv", "Name", name), URL: urlFor("csv")},
		{Label: v.T("stats.download.xlsx", "Name", name), URL: urlFor("xlsx")},
		{Label: v.T("stats.download.json", "Name", name), URL: urlFor("json")},
	}
}

// memberTable lists the member countries with their migrant stock and
// share of the population in a period; the computed regional figures are
// the sums of these rows.
func (u *UI) memberTable(ctx context.Context, v *view, ev *store.Evaluator, a geo.Area, period string) (*memberTable, error) {
	countries, err := u.geo.Areas(ctx, geo.Filter{Kind: geo.KindCountry, Limit: maxLimit})
	if err != nil {
		return nil, err
	}
	byCode := map[string]geo.Area{}
	for _, c := range countries.Areas {
		byCode[c.Code] = c
	}
	codes := []string{"migrant_stock", "migrant_share_of_population"}
	var inds [2]*regionIndicator
	for i, code := range codes {
		if inds[i], err = u.regionIndicator(ctx, code); err != nil {
			return nil, err
		}
	}
	t := &memberTable{Caption: v.T("region.members.caption", "Name", a.Name, "Value", period),
		StockColumn: v.T("region.members.stock"), ShareColumn: v.T("region.members.share")}
	cell := func(ri *regionIndicator, area string) (statCell, error) {
		if ri == nil {
			return statCell{Text: v.T("stats.noData"), Missing: true}, nil
		}
		e, err := ev.Eval(ri.c, stats.Point{Area: area, Period: period, Sex: stats.SexTotal})
		if err != nil || !e.OK {
			return statCell{Text: v.T("stats.noData"), Missing: true}, err
		}
		return statCell{Text: v.num(e.Value, ri.c.Decimals)}, nil
	}
	for _, m := range a.Members {
		c, ok := byCode[m]
		if !ok {
			continue
		}
		row := memberRow{Code: c.Code, Name: c.Name, URL: "/countries/" + url.PathEscape(c.Code)}
		if row.Stock, err = cell(inds[0], c.Code); err != nil {
			return nil, err
		}
		if row.Share, err = cell(inds[1], c.Code); err != nil {
			return nil, err
		}
		t.Rows = append(t.Rows, row)
	}
	slices.SortFunc(t.Rows, func(x, y memberRow) int { return strings.Compare(x.Name, y.Name) })
	areas := strings.Join(a.Members, ",")
	name := v.T("region.members.downloadName", "Value", period)
	for i, code := range codes {
		if inds[i] == nil {
			continue
		}
		label := name + " — " + v.unit(inds[i].c.Unit)
		t.Downloads = append(t.Downloads, v.downloads(label, func(format string) string {
			q := url.Values{"indicator": {code}, "area": {areas}, "period": {period}, "format": {format}}
			return "/api/v1/data?" + q.Encode()
		})...)
	}
	return t, nil
}

// cachedPage validates a public statistics page with an ETag: the data
// token, the program's version, the URL and the page's language. Pages for
// a signed-in user (the header names them) and pages choosing a language
// (?lang= sets a cookie) are neither validated nor cacheable.
func (u *UI) cachedPage(h http.Handler) http.Handler {
	if u.db == nil {
		return h
	}
	return api.Cache{
		Token: func(ctx context.Context) (string, error) {
			v, err := u.db.DataVersion(ctx)
			return u.version + "/" + v, err
		},
		Key: func(r *http.Request) (string, bool) {
			if web.IdentityFrom(r.Context()).Principal.SignedIn() || r.URL.Query().Has(i18n.QueryParam) {
				return "", false
			}
			return "lang=" + u.catalog.Negotiate(r), true
		},
		Vary: "Accept-Language, Cookie",
		Memo: u.memo,
	}.Wrap(h)
}
