package ui

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/geo/worldmap"
	"github.com/corridor-platform/corridor/internal/i18n"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/api"
)

// The public counter-trafficking dashboard (/trafficking): aggregates of
// the public trafficking records only — published de-identified releases
// and the CTDC files a user imported — computed by the same store calls
// as /api/v1/trafficking/summary and /map, whose CSV and JSON the page
// links. It never reads the case tables. Every chart has a table of the
// same numbers; unknown values are counted apart, never as zero.

// trafBar is one row of a bar list: its label, count and bar length.
type trafBar struct {
	Key, Label, Value string
	Raw               int64
	Width             string // of 100
	Colour            string // on the map's table: the class colour
	// NotRecorded, when set, is shown instead of the value: the source
	// does not record (or the release did not release) this flag.
	NotRecorded string
}

// trafList is a bar list: its table's id, caption, first column heading,
// denominator note, rows and CSV download.
type trafList struct {
	ID, Title, Col, Note, CSV string
	Bars                      []trafBar
	// Absent, when set, replaces the table: the source records nothing
	// of the group.
	Absent string
}

// trafSelect is one select of the filter form.
type trafSelect struct {
	Name, Label string
	Options     []mapOption
}

// trafCorridor is one row of the corridors table.
type trafCorridor struct {
	From, To, Value string
	Raw             int64
}

// trafPage is the data of the trafficking template.
type trafPage struct {
	Empty          bool
	Download       string
	Form           []trafSelect
	Source, Layout string
	Total          string
	Filtered       bool
	// Notices explain the figures of an aggregates release: which views
	// the filter makes unavailable, a withheld selection.
	Notices                 []string
	YearChart               template.HTML
	Years                   trafList
	MapSVG                  template.HTML
	MapNotice               string
	Legend                  []mapLegendItem
	NoDataFill, NoHatch     string
	Places                  trafList
	Corridors               []trafCorridor
	Lists                   []trafList
	SummaryCSV, SummaryJSON string
	MapCSV, MapJSON         string
	Citation, Terms, Credit string
	// Releases are the published de-identified releases, with their data
	// cards and downloads (from the releases table only).
	Releases []trafRelease
}

// trafRelease is a published release as the dashboard lists it.
type trafRelease struct {
	api.PublishedRelease
	MethodLabel, Date string
	Files             []releaseFileLink
}

func (u *UI) traffickingRoutes() []web.Route {
	return []web.Route{pageRoute("/trafficking", "trafficking",
		"Public counter-trafficking statistics from published releases and imported CTDC files (charts, map, tables, downloads)",
		u.traffickingCachedPage(u.handle("trafficking", u.trafficking)))}
}

// traffickingCachedPage validates the page with the trafficking records'
// version, in a memo of its own (see api.API.traffickingCache).
func (u *UI) traffickingCachedPage(h http.Handler) http.Handler {
	if u.db == nil {
		return h
	}
	return api.Cache{
		Token: func(ctx context.Context) (string, error) {
			v, err := u.db.TraffickingVersion(ctx)
			return u.version + "/t" + strconv.FormatInt(v, 10), err
		},
		Key: func(r *http.Request) (string, bool) {
			if web.IdentityFrom(r.Context()).Principal.SignedIn() || r.URL.Query().Has(i18n.QueryParam) {
				return "", false
			}
			return "lang=" + u.catalog.Negotiate(r), true
		},
		Vary: "Accept-Language, Cookie",
		Memo: u.trafMemo,
	}.Wrap(h)
}

func (u *UI) trafficking(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	v.Title = v.T("trafficking.title")
	p := trafPage{Download: api.CTDCDownload, Citation: api.CTDCCitation, Terms: api.CTDCTerms}
	if u.db == nil {
		p.Empty = true
		v.Data = p
		return u.render(w, http.StatusOK, "trafficking", v)
	}
	rels, err := v.publishedReleases(ctx, u.db)
	if err != nil {
		return err
	}
	p.Releases = rels
	f, srcs, err := api.ParseTraffickingFilter(ctx, u.db, r.URL.Query())
	var pe *web.ParamError
	switch {
	case errors.As(err, &pe):
		return &paramError{Param: pe.Param, ReasonID: "trafficking.error.value"}
	case errors.Is(err, derrors.NotFound):
		p.Empty = true
		v.Data = p
		return u.render(w, http.StatusOK, "trafficking", v)
	case err != nil:
		return err
	}
	// The unfiltered source gives the form's choices.
	all, err := u.db.TraffickingSummary(ctx, store.TraffickingFilter{Source: f.Source}, 1)
	if err != nil {
		return err
	}
	s := all
	if f != (store.TraffickingFilter{Source: f.Source}) {
		p.Filtered = true
	}
	if s, err = u.db.TraffickingSummary(ctx, f, api.TraffickingTop); err != nil {
		return err
	}
	p.Source, p.Layout, p.Total = f.Source, v.T("trafficking.layout."+s.Layout), v.num(float64(s.Total), 0)
	if s.Withheld {
		p.Total = v.T("trafficking.total.withheld")
	}
	areas, err := u.geo.Areas(ctx, geo.Filter{Limit: maxLimit})
	if err != nil {
		return err
	}
	names := trafNames{}
	for _, a := range areas.Areas {
		names[a.Code] = a.Name
	}
	p.Form = v.trafForm(srcs, rels, all, f, names)
	v.trafLinks(&p, f)
	if err := v.trafYears(&p, s); err != nil {
		return err
	}
	if err := u.trafMap(ctx, v, &p, f, names, areas.Areas); err != nil {
		return err
	}
	for _, c := range s.Corridors {
		p.Corridors = append(p.Corridors, trafCorridor{From: v.trafPlace(names, c.Citizenship), To: v.trafPlace(names, c.Exploitation),
			Value: v.num(float64(c.Count), 0), Raw: c.Count})
	}
	p.Lists = v.trafLists(s, p.SummaryCSV)
	p.Notices = v.trafNotices(s)
	v.Data = p
	return u.render(w, http.StatusOK, "trafficking", v)
}

// publishedReleases lists the published releases for the dashboard.
func (v *view) publishedReleases(ctx context.Context, db *store.DB) ([]trafRelease, error) {
	list, err := api.PublishedReleases(ctx, db)
	if err != nil {
		return nil, err
	}
	out := make([]trafRelease, 0, len(list))
	for _, pr := range list {
		tr := trafRelease{PublishedRelease: pr, MethodLabel: v.releaseMethodLabel(pr.Method)}
		if pr.PublishedAt != nil {
			tr.Date = pr.PublishedAt.Format("2006-01-02")
		}
		for _, f := range store.ReleaseFiles {
			if url, ok := pr.Files[f]; ok {
				tr.Files = append(tr.Files, releaseFileLink{Name: f, URL: url})
			}
		}
		out = append(out, tr)
	}
	return out, nil
}

// trafLabel translates a value of a field; unknown ("") has its own label.
func (v *view) trafLabel(field, key string) string {
	if key == "" {
		return v.T("trafficking.unknown")
	}
	return v.label("trafficking."+field, key, key)
}

// trafNames are the reference geography's names by area code.
type trafNames map[string]string

// trafPlace names a country (ISO3) or a region as published.
func (v *view) trafPlace(names trafNames, code string) string {
	switch {
	case code == "":
		return v.T("trafficking.unknown")
	case slices.Contains(store.TraffickingRegions, code):
		return v.label("trafficking.region", regionKey(code), code)
	case names[code] != "":
		return names[code]
	}
	return code
}

// regionKey is a message-id-safe key of a region ("Americas/Oceania").
func regionKey(r string) string {
	b := []byte(r)
	for i, c := range b {
		if c == '/' {
			b[i] = '_'
		}
	}
	return string(b)
}

func (v *view) trafForm(srcs []store.TraffickingSource, rels []trafRelease, all store.TraffickingSummary, f store.TraffickingFilter, names trafNames) []trafSelect {
	// A published release is named by its title, an import by its file.
	titles := map[string]string{}
	for _, r := range rels {
		titles["release:"+strconv.FormatInt(r.ID, 10)] = r.Title
	}
	var sources []mapOption
	for _, s := range srcs {
		label := s.Source
		if t := titles[s.Source]; t != "" {
			label = t + " (" + s.Source + ")"
		}
		sources = append(sources, mapOption{Value: s.Source, Label: label, Selected: s.Source == f.Source})
	}
	anyValue := mapOption{Value: "", Label: v.T("trafficking.form.any")}
	opts := func(cs []store.TraffickingCount, chosen string, label func(string) string) []mapOption {
		out := []mapOption{anyValue}
		for _, c := range cs {
			if c.Key != "" {
				out = append(out, mapOption{Value: c.Key, Label: label(c.Key), Selected: c.Key == chosen})
			}
		}
		return out
	}
	sorted := func(cs []store.TraffickingCount) []store.TraffickingCount {
		cs = slices.Clone(cs)
		slices.SortFunc(cs, func(a, b store.TraffickingCount) int { return compareStrings(a.Key, b.Key) })
		return cs
	}
	place := func(k string) string { return v.trafPlace(names, k) }
	sel := func(name string, o []mapOption) trafSelect {
		return trafSelect{Name: name, Label: v.T("trafficking.form." + name), Options: o}
	}
	return []trafSelect{
		sel("source", sources),
		sel("year", opts(all.ByYear, f.Year, func(k string) string { return k })),
		sel("gender", opts(all.ByGender, f.Gender, func(k string) string { return v.trafLabel("gender", k) })),
		sel("age", opts(all.ByAge, f.Age, func(k string) string { return v.trafLabel("age", k) })),
		sel("citizenship", opts(sorted(all.ByCitizenship), f.Citizenship, place)),
		sel("exploitation", opts(sorted(all.ByExploitation), f.Exploitation, place)),
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// trafLinks sets the download links: the API answers of exactly the
// numbers shown.
func (v *view) trafLinks(p *trafPage, f store.TraffickingFilter) {
	q := url.Values{"source": {f.Source}}
	for _, kv := range [][2]string{{"year", f.Year}, {"gender", f.Gender}, {"age", f.Age}, {"citizenship", f.Citizenship}, {"exploitation", f.Exploitation}} {
		if kv[1] != "" {
			q.Set(kv[0], kv[1])
		}
	}
	p.SummaryJSON = "/api/v1/trafficking/summary?" + q.Encode()
	p.MapJSON = "/api/v1/trafficking/map?" + q.Encode()
	q.Set("format", "csv")
	p.SummaryCSV = "/api/v1/trafficking/summary?" + q.Encode()
	p.MapCSV = "/api/v1/trafficking/map?" + q.Encode()
}

// bars makes a bar list of counts, bars relative to the largest.
func (v *view) bars(cs []store.TraffickingCount, label func(string) string) []trafBar {
	var top int64 = 1
	for _, c := range cs {
		top = max(top, c.Count)
	}
	out := make([]trafBar, 0, len(cs))
	for _, c := range cs {
		out = append(out, trafBar{Key: c.Key, Label: label(c.Key), Value: v.num(float64(c.Count), 0), Raw: c.Count,
			Width: strconv.FormatFloat(float64(c.Count)*100/float64(top), 'f', 1, 64)})
	}
	return out
}

func (v *view) trafYears(p *trafPage, s store.TraffickingSummary) error {
	p.Years = trafList{ID: "trafficking-years-table", Title: v.T("trafficking.years.title"), Col: v.T("trafficking.col.year"),
		CSV: p.SummaryCSV, Bars: v.bars(s.ByYear, func(k string) string { return v.trafLabel("year", k) })}
	var periods []string
	var points []statPoint
	for _, c := range s.ByYear {
		if c.Key != "" {
			periods = append(periods, c.Key)
			points = append(points, statPoint{Period: c.Key, Value: float64(c.Count), OK: true})
		}
	}
	if len(periods) == 0 {
		return nil
	}
	unit := v.T("trafficking.unit")
	svg, err := renderChart(chartSpec{ID: "trafficking-years", Title: v.T("trafficking.years.title"),
		Desc: v.T("trafficking.years.desc", "Count", len(periods)), Unit: unit, NoData: v.T("stats.noData"), Lang: v.Lang,
		Periods: periods, Series: []chartLine{{Name: unit, Values: points}}})
	p.YearChart = svg
	return err
}

// trafLists are the bar lists: exploitation, labour, sex exploitation,
// means of control, recruiter relation, age and gender.
func (v *view) trafLists(s store.TraffickingSummary, csv string) []trafList {
	var out []trafList
	aggregates := s.Layout == store.TraffickingLayoutAggregates
	for _, g := range s.Groups {
		l := trafList{ID: "trafficking-" + g.Group, Title: v.T("trafficking.group." + g.Group), Col: v.T("trafficking.col.value"), CSV: csv}
		switch {
		case !g.Recorded && aggregates:
			l.Absent = v.T("trafficking.group.notReleased")
		case !g.Recorded:
			l.Absent = v.T("trafficking.group.notRecorded")
		case aggregates:
			l.Note = v.T("trafficking.group.released")
		default:
			l.Note = v.T("trafficking.group.known", "Value", v.num(float64(g.Known), 0), "Total", v.num(float64(s.Total), 0))
		}
		if g.Recorded {
			l.Bars = v.bars(g.Counts, func(k string) string { return v.trafLabel("flag", k) })
			notRecorded := v.T("trafficking.flag.notRecorded")
			if aggregates {
				notRecorded = v.T("trafficking.flag.notReleased")
			}
			for i, c := range g.Counts {
				switch {
				case c.NotRecorded:
					l.Bars[i].NotRecorded = notRecorded
				case c.Withheld:
					l.Bars[i].NotRecorded = v.T("trafficking.flag.withheld")
				}
			}
		}
		out = append(out, l)
	}
	return append(out,
		trafList{ID: "trafficking-age", Title: v.T("trafficking.age.title"), Col: v.T("trafficking.col.value"), CSV: csv,
			Bars: v.bars(s.ByAge, func(k string) string { return v.trafLabel("age", k) })},
		trafList{ID: "trafficking-gender", Title: v.T("trafficking.gender.title"), Col: v.T("trafficking.col.value"), CSV: csv,
			Bars: v.bars(s.ByGender, func(k string) string { return v.trafLabel("gender", k) })})
}

// trafNotices explain what an aggregates release cannot answer under the
// filter: views that need longer combinations than it released, and a
// selection whose own count was withheld.
func (v *view) trafNotices(s store.TraffickingSummary) []string {
	if s.Layout != store.TraffickingLayoutAggregates {
		return nil
	}
	out := []string{v.T("trafficking.aggregates.note", "Count", s.CombinationLength)}
	if len(s.Unavailable) > 0 {
		names := make([]string, len(s.Unavailable))
		for i, u := range s.Unavailable {
			names[i] = v.T("trafficking.view." + u)
		}
		out = append(out, v.T("trafficking.aggregates.unavailable", "Count", s.CombinationLength, "Value", strings.Join(names, ", ")))
	}
	if s.Withheld {
		out = append(out, v.T("trafficking.aggregates.withheld"))
	}
	return out
}

// trafMap draws the countries of exploitation as a choropleth (as /map
// does, from the same shapes) and lists every place in its table.
func (u *UI) trafMap(ctx context.Context, v *view, p *trafPage, f store.TraffickingFilter, names trafNames, areas []geo.Area) error {
	m, err := api.BuildTraffickingMap(ctx, u.db, u.geo, f)
	if err != nil {
		return err
	}
	shapes, err := worldmap.Default()
	if err != nil {
		return err
	}
	counts := map[string]int64{}
	var values []float64
	cs := make([]store.TraffickingCount, len(m.Rows))
	for i, row := range m.Rows {
		cs[i] = store.TraffickingCount{Key: row.Place, Count: row.Count}
		if row.Kind == "country" {
			counts[row.Place] = row.Count
			values = append(values, float64(row.Count))
		}
	}
	p.Places = trafList{ID: "trafficking-map-table", Title: v.T("trafficking.map.title"), Col: v.T("trafficking.col.place"), CSV: p.MapCSV,
		Bars: v.bars(cs, func(k string) string { return v.trafPlace(names, k) })}
	p.NoDataFill, p.NoHatch, p.Credit = worldmap.NoDataFill, worldmap.NoDataHatch, worldmap.Credit
	if len(values) == 0 {
		p.MapNotice = v.T("trafficking.map.noCountries")
		return nil
	}
	cl := worldmap.Quantiles(values, worldmap.DefaultClasses)
	for _, c := range cl.Classes {
		label := v.num(c.Min, 0)
		if c.Max != c.Min {
			label = v.T("map.legend.range", "From", v.num(c.Min, 0), "To", v.num(c.Max, 0))
		}
		p.Legend = append(p.Legend, mapLegendItem{Colour: c.Colour, Label: label})
	}
	for i := range p.Places.Bars {
		if n, ok := counts[p.Places.Bars[i].Key]; ok {
			p.Places.Bars[i].Colour = cl.Classes[cl.Index(float64(n))].Colour
		}
	}
	unit := v.T("trafficking.unit")
	spec := mapSVG{Width: fmtCoord(shapes.Width), Height: fmtCoord(shapes.Height), Title: v.T("trafficking.map.title"),
		Desc: v.T("trafficking.map.desc", "Total", len(values)), NoDataFill: worldmap.NoDataFill, NoDataHatch: worldmap.NoDataHatch}
	join := shapes.Join(areas)
	for i, s := range shapes.Shapes {
		path := mapPath{D: s.D, Fill: "url(#map-nodata)", Class: "map-area map-nodata", Title: v.T("map.path.noArea", "Name", s.Name)}
		if code := join.AreaOf[i]; code != "" {
			path.Area = code
			if n, ok := counts[code]; ok {
				path.Fill, path.Class = cl.Classes[cl.Index(float64(n))].Colour, "map-area"
				path.Title = v.T("map.path.value", "Name", s.Name, "Value", v.num(float64(n), 0), "Field", unit)
			} else {
				path.Title = v.T("map.path.noData", "Name", s.Name)
			}
		}
		spec.Paths = append(spec.Paths, path)
	}
	var buf bytes.Buffer
	if err := mapTemplate.Execute(&buf, spec); err != nil {
		return err
	}
	p.MapSVG = template.HTML(buf.String())
	return nil
}
