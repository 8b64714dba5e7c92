package ui

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/geo/worldmap"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/web/api"
)

// The world map (/map) is a choropleth drawn on the server as inline SVG
// from the shipped Natural Earth shapes: no tiles, no script. Its numbers
// are those of /api/v1/map (the page builds them with the same
// api.BuildMap), which its download links return; the table under it
// lists every country, drawn or too small to draw, with exactly the
// values the map colours.

// defaultMapIndicator is mapped when the form has not chosen one.
const defaultMapIndicator = "migrant_share_of_population"

// mapOption is one entry of a select of the map form.
type mapOption struct {
	Value, Label string
	Selected     bool
}

// mapForm is the form that chooses what the map shows.
type mapForm struct {
	Indicators, Periods, Sexes, Counterparts []mapOption
	Bilateral                                bool
}

// mapLegendItem is one class of the legend.
type mapLegendItem struct {
	Colour, Label string
}

// mapRow is one country of the table view.
type mapRow struct {
	Code, Name, URL string
	Value, Raw      string // formatted in the page's language; as in the API
	Missing, Drawn  bool
	LeftOff         bool // not drawn on purpose (Antarctica), not for its size
	Colour          string
}

// mapPage is the data of the map template.
type mapPage struct {
	Form                 mapForm
	Notice               string // why there is no map (a period without data, a counterpart to choose)
	Heading, Caption     string
	Unit                 string
	SVG                  template.HTML
	Legend               []mapLegendItem
	NoDataFill, NoHatch  string
	Rows                 []mapRow
	WithData, NotDrawn   int
	NotDrawnNames        []string // countries with data the map cannot draw
	NotDrawnList         string   // the same, joined
	Sources              []stats.Series
	Credit               string
	CSV, XLSX, JSON      string
	IndicatorDescription string
}

// worldMap shows one indicator for every country at one period.
func (u *UI) worldMap(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	q := r.URL.Query()
	for _, name := range []string{"indicator", "period", "sex", "counterpart"} {
		if utf8.RuneCountInString(q.Get(name)) > 64 {
			return &paramError{Param: name, ReasonID: "error.reason.tooLong", Data: map[string]any{"Max": 64}}
		}
	}
	v.Title = v.T("map.title")
	if u.db == nil {
		// The public pages without a statistics store (tests): nothing
		// to map.
		v.Data = mapPage{Notice: v.T("stats.notLoaded")}
		return u.render(w, http.StatusOK, "map", v)
	}
	st := u.db.Stats()
	inds, err := st.Indicators(ctx)
	if err != nil {
		return err
	}
	code := q.Get("indicator")
	if code == "" {
		code = defaultMapIndicator
	}
	i := slices.IndexFunc(inds, func(ind stats.Indicator) bool { return ind.Code == code })
	if i < 0 {
		return &paramError{Param: "indicator", ReasonID: "map.error.indicator", Data: map[string]any{"Value": code}}
	}
	ind := inds[i]
	c, err := ind.Compile(nil)
	if err != nil {
		return err
	}
	periods, err := st.IndicatorPeriods(ctx, c)
	if err != nil {
		return err
	}
	sexes, err := st.IndicatorSexes(ctx, c)
	if err != nil {
		return err
	}
	p := mapPage{NoDataFill: worldmap.NoDataFill, NoHatch: worldmap.NoDataHatch, Credit: worldmap.Credit}
	for _, in := range inds {
		p.Form.Indicators = append(p.Form.Indicators, mapOption{Value: in.Code, Label: in.Name, Selected: in.Code == ind.Code})
	}
	period := q.Get("period")
	if period == "" && len(periods) > 0 {
		period = periods[len(periods)-1]
	}
	for i := len(periods) - 1; i >= 0; i-- {
		p.Form.Periods = append(p.Form.Periods, mapOption{Value: periods[i], Label: periods[i], Selected: periods[i] == period})
	}
	sex := q.Get("sex")
	if sex == "" {
		sex = stats.SexTotal
	}
	if !slices.Contains(sexes, sex) {
		return &paramError{Param: "sex", ReasonID: "map.error.sex"}
	}
	if len(sexes) > 1 {
		for _, s := range sexes {
			p.Form.Sexes = append(p.Form.Sexes, mapOption{Value: s, Label: v.T("stats.sex." + s), Selected: s == sex})
		}
	}
	counterpart := ""
	if ind.Bilateral {
		p.Form.Bilateral = true
		cp, err := u.mapCounterparts(r, &p.Form, q.Get("counterpart"))
		if err != nil {
			return err
		}
		counterpart = cp.Code
	} else if q.Get("counterpart") != "" {
		return &paramError{Param: "counterpart", ReasonID: "map.error.notBilateral"}
	}
	status := http.StatusOK
	switch {
	case len(periods) == 0:
		p.Notice = v.T("map.notice.noData")
	case !slices.Contains(periods, period):
		// Never another period in its place: say which have data.
		p.Notice = v.T("map.notice.period", "Value", period, "From", periods[0], "To", periods[len(periods)-1])
		status = http.StatusBadRequest
	case ind.Bilateral && counterpart == "":
		p.Notice = v.T("map.notice.counterpart")
	}
	if p.Notice != "" {
		v.Data = p
		return u.render(w, status, "map", v)
	}
	m, err := api.BuildMap(ctx, u.db, u.geo, api.MapRequest{Indicator: ind.Code, Period: period, Sex: sex, Counterpart: counterpart})
	if err != nil {
		return err
	}
	if err := u.fillMap(r, v, &p, m); err != nil {
		return err
	}
	v.Title = p.Heading
	v.Data = p
	return u.render(w, status, "map", v)
}

// mapCounterparts fills the origin select of a bilateral indicator and
// returns the chosen origin (none yet: a zero Area).
func (u *UI) mapCounterparts(r *http.Request, f *mapForm, chosen string) (geo.Area, error) {
	page, err := u.geo.Areas(r.Context(), geo.Filter{Limit: maxLimit})
	if err != nil {
		return geo.Area{}, err
	}
	var cp geo.Area
	if chosen != "" {
		a, err := u.geo.Area(r.Context(), chosen)
		if err != nil || !a.IsCountry() {
			return cp, &paramError{Param: "counterpart", ReasonID: "map.error.counterpart", Data: map[string]any{"Value": chosen}}
		}
		cp = a
	}
	for _, a := range page.Areas {
		f.Counterparts = append(f.Counterparts, mapOption{Value: a.Code, Label: a.Name, Selected: a.Code == cp.Code})
	}
	return cp, nil
}

// fillMap turns the map data into the page: the SVG, the legend, the
// table and the links.
func (u *UI) fillMap(r *http.Request, v *view, p *mapPage, m api.MapData) error {
	shapes, err := worldmap.Default()
	if err != nil {
		return err
	}
	areas, err := u.geo.Areas(r.Context(), geo.Filter{Limit: maxLimit})
	if err != nil {
		return err
	}
	dec := m.Indicator.Decimals
	p.Unit = v.unit(m.Indicator.Unit)
	p.IndicatorDescription = m.Indicator.Description
	if m.CounterpartName != "" {
		p.Heading = v.T("map.heading.bilateral", "Name", m.Indicator.Name, "Value", m.Period, "Field", m.CounterpartName)
	} else {
		p.Heading = v.T("map.heading", "Name", m.Indicator.Name, "Value", m.Period)
	}
	if m.Sex != stats.SexTotal {
		p.Heading += " — " + v.T("stats.sex."+m.Sex)
	}
	p.Caption = v.T("map.table.caption", "Name", p.Heading, "Field", p.Unit)
	for _, c := range m.Classes {
		label := v.num(c.Min, dec)
		if c.Max != c.Min {
			label = v.T("map.legend.range", "From", v.num(c.Min, dec), "To", v.num(c.Max, dec))
		}
		p.Legend = append(p.Legend, mapLegendItem{Colour: c.Colour, Label: label})
	}
	for i := range m.Indicator.Sources {
		p.Sources = append(p.Sources, stats.Series{Source: m.Indicator.Sources[i], Citation: m.Indicator.Citations[i],
			Licence: m.Indicator.Licences[i]})
	}
	query := url.Values{"indicator": {m.Indicator.Code}, "period": {m.Period}}
	if m.Sex != stats.SexTotal {
		query.Set("sex", m.Sex)
	}
	if m.Counterpart != "" {
		query.Set("counterpart", m.Counterpart)
	}
	query.Set("format", "csv")
	p.CSV = "/api/v1/map?" + query.Encode()
	query.Set("format", "xlsx")
	p.XLSX = "/api/v1/map?" + query.Encode()
	query.Set("format", "json")
	p.JSON = "/api/v1/map?" + query.Encode()

	spec := mapSVG{Width: fmtCoord(shapes.Width), Height: fmtCoord(shapes.Height), Title: p.Heading,
		NoDataFill: worldmap.NoDataFill, NoDataHatch: worldmap.NoDataHatch}
	join := shapes.Join(areas.Areas)
	byArea := map[string]int{}
	for i, row := range m.Rows {
		byArea[row.Area] = i
		mr := mapRow{Code: row.Area, Name: row.Name, URL: "/countries/" + url.PathEscape(row.Area), Drawn: row.Drawn,
			Missing: row.Value == nil, LeftOff: join.LeftOff[row.Area]}
		if row.Value != nil {
			mr.Value, mr.Raw = v.num(*row.Value, dec), strconv.FormatFloat(*row.Value, 'f', -1, 64)
			mr.Colour = m.Classes[*row.Class].Colour
			p.WithData++
			if !row.Drawn && !mr.LeftOff {
				p.NotDrawnNames = append(p.NotDrawnNames, row.Name)
			}
		} else {
			mr.Value = v.T("stats.noData")
		}
		if !row.Drawn {
			p.NotDrawn++
		}
		p.Rows = append(p.Rows, mr)
	}
	p.NotDrawnList = strings.Join(p.NotDrawnNames, ", ")
	for i, s := range shapes.Shapes {
		path := mapPath{D: s.D, Fill: "url(#map-nodata)", Class: "map-area map-nodata"}
		code := join.AreaOf[i]
		if ri, ok := byArea[code]; ok && code != "" {
			row := p.Rows[ri]
			path.Area = code
			if row.Missing {
				path.Title = v.T("map.path.noData", "Name", row.Name)
			} else {
				path.Fill, path.Class = row.Colour, "map-area"
				path.Title = v.T("map.path.value", "Name", row.Name, "Value", row.Value, "Field", p.Unit)
			}
		} else {
			path.Title = v.T("map.path.noArea", "Name", s.Name)
		}
		spec.Paths = append(spec.Paths, path)
	}
	spec.Desc = v.T("map.svg.desc", "Total", p.WithData, "Field", p.Unit)
	var buf bytes.Buffer
	if err := mapTemplate.Execute(&buf, spec); err != nil {
		return err
	}
	p.SVG = template.HTML(buf.String())
	return nil
}

type mapPath struct {
	D, Fill, Class, Area, Title string
}

type mapSVG struct {
	Width, Height           string
	Title, Desc             string
	NoDataFill, NoDataHatch string
	Paths                   []mapPath
}

// mapTemplate draws the map. The SVG is an image (role="img") named by
// its title and described by its desc; each country's <title> gives its
// name and value on hover, and the table after the map is the accessible
// alternative, with every value and a link to each country.
var mapTemplate = template.Must(template.New("map").Parse(`<svg class="chart worldmap" id="worldmap" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-labelledby="map-title map-desc" focusable="false">
<title id="map-title">{{.Title}}</title>
<desc id="map-desc">{{.Desc}}</desc>
<defs>
<pattern id="map-nodata" patternUnits="userSpaceOnUse" width="5" height="5" patternTransform="rotate(45)">
<rect width="5" height="5" fill="{{.NoDataFill}}"/>
<line x1="0" y1="0" x2="0" y2="5" stroke="{{.NoDataHatch}}" stroke-width="1.4"/>
</pattern>
</defs>
<g stroke="#5c5c5c" stroke-width="0.35" stroke-linejoin="round">{{range .Paths}}
<path class="{{.Class}}"{{if .Area}} data-area="{{.Area}}"{{end}} fill="{{.Fill}}" fill-rule="evenodd" d="{{.D}}"><title>{{.Title}}</title></path>{{end}}
</g>
</svg>`))

func fmtCoord(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
