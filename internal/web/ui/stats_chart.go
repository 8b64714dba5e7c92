package ui

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/i18n"
)

// Charts are drawn on the server as inline SVG: no script, no style
// attribute (colours come from classes in corridor.css), and an
// accessible name and description; the table next to each chart holds
// the same numbers and is its accessible alternative. A period without a
// value is a gap marked "no data", never a zero-height column, and in a
// line chart a break in the line, never a drop to zero.
//
// Nothing drawn overlaps: the legend flows in rows (long names wrap) above
// the plot and the drawing grows to hold it; the period labels are
// thinned to every k-th period (always the first and the last) so that
// they never touch; large values are scaled (thousands, millions,
// billions), the scale named on the unit line. The tooltips and the table
// keep the exact numbers. The drawing sits in a scroll container with a
// minimum width (corridor.css), so that its text stays readable on a
// phone.

// chartSpec describes a chart over periods: by default each series is
// drawn as one column per period, side by side; a line chart draws each
// series as a line over a y axis fitted to the data.
type chartSpec struct {
	ID          string // unique in the page: ids of the title and description
	Title, Desc string
	Unit        string // translated, the y axis title
	NoData      string // translated label of a gap
	Lang        string
	Decimals    int
	Periods     []string
	Series      []chartLine
	// Line draws every series as a line with point markers; the y axis
	// spans the data with round bounds and need not start at zero.
	Line bool
}

// chartLine is one series; Values align with chartSpec.Periods.
type chartLine struct {
	Name   string
	Values []statPoint
	// Dashed draws the series, in a line chart, as a dashed line without
	// markers (a path or a projection rather than observed values).
	Dashed bool
}

const (
	chartW, chartPlotH                = 720.0, 256.0
	chartLeft, chartRight, chartBelow = 96.0, 16.0, 48.0
	chartFont                         = 12.0 // px, .chart text in corridor.css
	chartLegendLine                   = 16.0 // the height of a line of legend text
	chartLegendGap                    = 18.0 // between legend entries on a row
	chartLabelGap                     = 10.0 // at least this between two period labels
	// chartMinRendered is the narrowest the drawing is shown (corridor.css:
	// .chart-scroll > .chart): its 12px text then stays at least 11px.
	chartMinRendered = 660.0
)

type chartTick struct {
	X, Y  string
	Label string
}

type chartBar struct {
	X, Y, W, H string
	Class      string
	Title      string
}

type chartText struct{ X, Y, Text string }

type chartLegend struct {
	X, Y         string // the swatch
	LX1, LX2, LY string // a line sample (line charts)
	Line, Marker bool
	Class        string
	Name         string
	Lines        []chartText
	// The box the entry covers, for the layout and its tests.
	bx, by, bw, bh float64
}

type chartPolyline struct {
	Class, Points string
}

type chartMarker struct {
	X, Y, Class, Title string
}

type chartGeom struct {
	chartSpec
	Width, Height        string
	X0, X1, Y0, Y1       string // the plot area: x from X0 to X1, y from Y0 (top) to Y1 (bottom)
	BaseY                string // the zero line (or the bottom of the axis if zero is not on it)
	UnitX, UnitY         string
	UnitLine             string // the unit, with the scale of the tick labels
	YTicks, XTicks, Gaps []chartTick
	Bars                 []chartBar
	Polylines            []chartPolyline
	Markers              []chartMarker
	Legend               []chartLegend

	// Numbers for the tests.
	height     float64
	xLabels    []float64 // centres of the period labels
	xLabelW    []float64 // their estimated widths
	bottom     float64   // the y axis: from bottom to top, in data units
	top        float64
	scaleExp   int // 0, 3, 6 or 9: tick labels in units of 10^scaleExp
	plotY0     float64
	plotY1     float64
	legendRows int
}

var chartTemplate = template.Must(template.New("chart").Parse(`<div class="chart-scroll" role="group" aria-labelledby="{{.ID}}-title" tabindex="0">
<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-labelledby="{{.ID}}-title {{.ID}}-desc" focusable="false">
<title id="{{.ID}}-title">{{.Title}}</title>
<desc id="{{.ID}}-desc">{{.Desc}}</desc>{{if gt (len .Legend) 1}}
<g class="chart-legend" aria-hidden="true">{{range .Legend}}{{if .Line}}
<line class="chart-line {{.Class}}" x1="{{.LX1}}" x2="{{.LX2}}" y1="{{.LY}}" y2="{{.LY}}"/>{{if .Marker}}<circle class="chart-marker {{.Class}}" cx="{{.X}}" cy="{{.LY}}" r="4"/>{{end}}{{else}}
<rect class="chart-bar {{.Class}}" x="{{.X}}" y="{{.Y}}" width="12" height="12"/>{{end}}{{range .Lines}}<text x="{{.X}}" y="{{.Y}}">{{.Text}}</text>{{end}}{{end}}
</g>{{end}}
<g class="chart-grid" aria-hidden="true">{{range .YTicks}}
<line x1="{{$.X0}}" x2="{{$.X1}}" y1="{{.Y}}" y2="{{.Y}}"/>{{end}}
</g>
<g class="chart-axis chart-axis-y" aria-hidden="true">{{range .YTicks}}
<text x="{{.X}}" y="{{.Y}}" text-anchor="end" dominant-baseline="middle">{{.Label}}</text>{{end}}
<text class="chart-unit" x="{{.UnitX}}" y="{{.UnitY}}">{{.UnitLine}}</text>
</g>{{if .Bars}}
<g class="chart-bars">{{range .Bars}}
<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>{{end}}
</g>{{end}}{{if .Gaps}}
<g class="chart-gaps">{{range .Gaps}}
<text class="chart-gap" x="{{.X}}" y="{{.Y}}" text-anchor="middle"><title>{{.Label}}</title>–</text>{{end}}
</g>{{end}}
<line class="chart-baseline" x1="{{.X0}}" x2="{{.X1}}" y1="{{.BaseY}}" y2="{{.BaseY}}" aria-hidden="true"/>{{if or .Polylines .Markers}}
<g class="chart-lines">{{range .Polylines}}
<polyline class="{{.Class}}" points="{{.Points}}"/>{{end}}{{range .Markers}}
<circle class="{{.Class}}" cx="{{.X}}" cy="{{.Y}}" r="4"><title>{{.Title}}</title></circle>{{end}}
</g>{{end}}
<g class="chart-axis chart-axis-x" aria-hidden="true">{{range .XTicks}}
<text x="{{.X}}" y="{{.Y}}" text-anchor="middle">{{.Label}}</text>{{end}}
</g>
</svg>
</div>`))

func px(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// niceStep is a round tick step (1, 2, 2.5 or 5 × 10^k) giving about n
// ticks over a span.
func niceStep(span float64, n int) float64 {
	if span <= 0 || math.IsNaN(span) || math.IsInf(span, 0) {
		return 1
	}
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*mag*(1+1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// textWidth is a conservative estimate of the width of a text in px at a
// font size: wider than the glyphs of the usual sans-serif fonts, so that
// what is laid out with it never overlaps.
func textWidth(s string, size float64) float64 {
	em := 0.0
	for _, r := range s {
		switch {
		case r == ' ' || r == '\u00a0' || r == '\u202f':
			em += 0.34
		case strings.ContainsRune("iljtfrI.,:;'!|()[]", r):
			em += 0.42
		case strings.ContainsRune("mwMW%@", r):
			em += 0.95
		case unicode.IsUpper(r):
			em += 0.75
		case r < 0x2E80: // Latin, Greek, Cyrillic, digits, punctuation
			em += 0.62
		default: // CJK and other wide scripts
			em += 1.05
		}
	}
	return em * size
}

// wrapText breaks a text into lines no wider than max px (a word longer
// than that is broken between letters).
func wrapText(s string, size, max float64) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		for textWidth(w, size) > max && utf8.RuneCountInString(w) > 1 {
			// The longest head of the word that fits (at least a letter).
			if cur != "" {
				lines, cur = append(lines, cur), ""
			}
			rs := []rune(w)
			n := 1
			for n < len(rs) && textWidth(string(rs[:n+1]), size) <= max {
				n++
			}
			lines = append(lines, string(rs[:n]))
			w = string(rs[n:])
		}
		switch {
		case cur == "":
			cur = w
		case textWidth(cur+" "+w, size) <= max:
			cur += " " + w
		default:
			lines, cur = append(lines, cur), w
		}
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}

// layoutLegend flows the entries from left to right in rows between left
// and right, starting at top; a name too long for a row wraps. It returns
// the entries and the height they take.
func layoutLegend(s chartSpec, left, right, top float64) ([]chartLegend, float64, int) {
	swatch := 12.0
	if s.Line {
		swatch = 22
	}
	maxText := right - left - swatch - 4
	x, y := left, top
	rowH, rows := 0.0, 0
	var out []chartLegend
	for j, l := range s.Series {
		lines := wrapText(l.Name, chartFont, maxText)
		tw := 0.0
		for _, ln := range lines {
			tw = math.Max(tw, textWidth(ln, chartFont))
		}
		w := swatch + 4 + tw
		h := chartLegendLine * float64(len(lines))
		if x > left && x+w > right { // a new row
			x, y = left, y+rowH+4
			rowH = 0
		}
		if x == left {
			rows++
		}
		e := chartLegend{Class: fmt.Sprintf("chart-s%d", j), Name: l.Name, bx: x, by: y, bw: w, bh: h}
		if s.Line {
			e.Line, e.Marker = true, !l.Dashed
			e.LX1, e.LX2, e.LY, e.X = px(x), px(x+swatch), px(y+8), px(x+swatch/2)
			if l.Dashed {
				e.Class += " chart-line-dashed"
			}
		} else {
			e.X, e.Y = px(x), px(y+2)
		}
		for i, ln := range lines {
			e.Lines = append(e.Lines, chartText{X: px(x + swatch + 4), Y: px(y + 12 + chartLegendLine*float64(i)), Text: ln})
		}
		out = append(out, e)
		rowH = math.Max(rowH, h)
		x += w + chartLegendGap
	}
	if len(out) == 0 {
		return nil, 0, 0
	}
	return out, y + rowH - top, rows
}

// periodLabels chooses the periods labelled on the x axis: every k-th
// (always the first and the last), k the smallest step at which no two
// labels touch.
func periodLabels(periods []string, slot float64) []int {
	n := len(periods)
	if n == 0 {
		return nil
	}
	widest := 0.0
	for _, p := range periods {
		widest = math.Max(widest, textWidth(p, chartFont))
	}
	k := max(1, int(math.Ceil((widest+chartLabelGap)/slot)))
	var idx []int
	for i := 0; i < n; i += k {
		idx = append(idx, i)
	}
	if last := idx[len(idx)-1]; last != n-1 {
		// The last period is always labelled; the k-th before it gives way
		// if too close (never the first).
		if n-1-last < k && last != 0 {
			idx = idx[:len(idx)-1]
		}
		idx = append(idx, n-1)
	}
	// With only the first and the last left, they may still touch (two
	// very long labels): then the first alone.
	if len(idx) == 2 && float64(idx[1]-idx[0])*slot < widest+chartLabelGap {
		idx = idx[:1]
	}
	return idx
}

// chartScale is the power of ten the tick labels are shown in: billions,
// millions or thousands when the axis reaches them, else units.
func chartScale(mag float64) int {
	switch {
	case mag >= 1e9:
		return 9
	case mag >= 1e6:
		return 6
	case mag >= 1e5:
		return 3
	}
	return 0
}

// stepDecimals is the number of decimals a tick step needs (2.5 → 1).
func stepDecimals(step float64) int {
	for d := 0; d < 9; d++ {
		x := step * math.Pow(10, float64(d))
		if math.Abs(x-math.Round(x)) < 1e-6*math.Max(1, x) {
			return d
		}
	}
	return 9
}

// chartCatalog translates the unit line of a scaled axis.
var chartCatalog = sync.OnceValues(i18n.New)

// scaledUnit is the unit line with the scale of the tick labels:
// "US$ (billions)", "US$ (milliards)", "US$ (miles de millones)".
func scaledUnit(lang, unit string, exp int) string {
	if exp == 0 {
		return unit
	}
	id := "stats.chart.scaled." + strconv.Itoa(exp)
	if c, err := chartCatalog(); err == nil {
		if s := c.Localizer(lang).T(id, map[string]any{"Field": unit}); s != id {
			return s
		}
	}
	return unit + " (×10^" + strconv.Itoa(exp) + ")"
}

// layoutChart places everything the chart draws.
func layoutChart(s chartSpec) chartGeom {
	g := chartGeom{chartSpec: s}

	// From the top: the legend (two series or more), the unit line, the plot.
	top := 6.0
	legendH := 0.0
	if len(s.Series) > 1 {
		g.Legend, legendH, g.legendRows = layoutLegend(s, 4, chartW-4, top)
		legendH += 8
	}
	unitY := top + legendH + 12
	x0, x1 := chartLeft, chartW-chartRight
	y0 := unitY + 18
	y1 := y0 + chartPlotH
	g.height = y1 + chartBelow
	g.plotY0, g.plotY1 = y0, y1
	g.Width, g.Height = px(chartW), px(g.height)
	g.X0, g.X1, g.Y0, g.Y1 = px(x0), px(x1), px(y0), px(y1)
	g.UnitX, g.UnitY = px(4), px(unitY)

	// The y axis: from zero for columns, around the data for lines.
	lo, hi, found := 0.0, 0.0, false
	for _, l := range s.Series {
		for _, p := range l.Values {
			if !p.OK || math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
				continue
			}
			if !found {
				lo, hi, found = p.Value, p.Value, true
			}
			lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
		}
	}
	if !s.Line {
		lo, hi = math.Min(lo, 0), math.Max(hi, 0)
	}
	if hi == lo {
		pad := math.Abs(hi) * 0.1
		if pad == 0 {
			pad = 1
		}
		if s.Line {
			lo -= pad
		}
		hi += pad
	}
	if s.Line {
		// A margin, so that no marker sits on the axis or the top line.
		pad := (hi - lo) * 0.05
		lo, hi = lo-pad, hi+pad
	}
	step := niceStep(hi-lo, 5)
	bottom, top2 := math.Floor(lo/step+1e-9)*step, math.Ceil(hi/step-1e-9)*step
	if s.Line && lo >= 0 && bottom < 0 {
		bottom = 0
	}
	if top2 <= bottom {
		top2 = bottom + step
	}
	g.bottom, g.top = bottom, top2
	y := func(v float64) float64 { return y1 - (v-bottom)/(top2-bottom)*(y1-y0) }
	zero := math.Max(bottom, math.Min(0, top2))
	baseY := y(zero)
	g.BaseY = px(baseY)

	g.scaleExp = chartScale(math.Max(math.Abs(bottom), math.Abs(top2)))
	scale := math.Pow(10, float64(g.scaleExp))
	tickDecimals := stepDecimals(step / scale)
	g.UnitLine = scaledUnit(s.Lang, s.Unit, g.scaleExp)
	for i := 0; ; i++ {
		v := bottom + float64(i)*step
		if v > top2+step/2 {
			break
		}
		label := v / scale
		if math.Abs(label) < step/scale/1e6 {
			label = 0
		}
		g.YTicks = append(g.YTicks, chartTick{X: px(x0 - 6), Y: px(y(v)), Label: formatNumber(s.Lang, label, tickDecimals)})
	}

	// The x axis: one slot per period, its labels thinned.
	n := max1(len(s.Periods))
	slot := (x1 - x0) / float64(n)
	cx := func(i int) float64 { return x0 + slot*(float64(i)+0.5) }
	for _, i := range periodLabels(s.Periods, slot) {
		g.XTicks = append(g.XTicks, chartTick{X: px(cx(i)), Y: px(y1 + 20), Label: s.Periods[i]})
		g.xLabels = append(g.xLabels, cx(i))
		g.xLabelW = append(g.xLabelW, textWidth(s.Periods[i], chartFont))
	}

	name := func(l chartLine, period string) string {
		if len(s.Series) > 1 {
			return l.Name + ", " + period
		}
		return period
	}
	value := func(v float64) string {
		t := formatNumber(s.Lang, v, s.Decimals)
		if s.Unit != "" {
			t += " " + s.Unit
		}
		return t
	}
	if s.Line {
		for j, l := range s.Series {
			class := fmt.Sprintf("chart-line chart-s%d", j)
			if l.Dashed {
				class += " chart-line-dashed"
			}
			var seg []string
			flush := func() {
				if len(seg) > 1 {
					g.Polylines = append(g.Polylines, chartPolyline{Class: class, Points: strings.Join(seg, " ")})
				}
				seg = nil
			}
			for i, period := range s.Periods {
				if i >= len(l.Values) || !l.Values[i].OK || math.IsNaN(l.Values[i].Value) || math.IsInf(l.Values[i].Value, 0) {
					flush() // a gap breaks the line
					continue
				}
				v := l.Values[i].Value
				seg = append(seg, px(cx(i))+","+px(y(v)))
				isolated := (i == 0 || !l.Values[i-1].OK) && (i+1 >= len(l.Values) || !l.Values[i+1].OK)
				if !l.Dashed || isolated {
					g.Markers = append(g.Markers, chartMarker{X: px(cx(i)), Y: px(y(v)),
						Class: fmt.Sprintf("chart-marker chart-s%d", j), Title: name(l, period) + ": " + value(v)})
				}
			}
			flush()
		}
	} else {
		lines := max1(len(s.Series))
		group := slot * 0.72
		barW := group / float64(lines)
		for i, period := range s.Periods {
			for j, l := range s.Series {
				if i >= len(l.Values) {
					continue
				}
				p := l.Values[i]
				bx := cx(i) - group/2 + barW*float64(j)
				if !p.OK {
					g.Gaps = append(g.Gaps, chartTick{X: px(bx + barW/2), Y: px(baseY - 4), Label: name(l, period) + ": " + s.NoData})
					continue
				}
				top, h := y(p.Value), baseY-y(p.Value)
				if h < 0 {
					top, h = baseY, -h
				}
				g.Bars = append(g.Bars, chartBar{X: px(bx + barW*0.05), Y: px(top), W: px(barW * 0.9), H: px(h),
					Class: fmt.Sprintf("chart-bar chart-s%d", j), Title: name(l, period) + ": " + value(p.Value)})
			}
		}
	}
	return g
}

// renderChart draws the chart; an error is a bug in the template.
func renderChart(s chartSpec) (template.HTML, error) {
	g := layoutChart(s)
	var buf bytes.Buffer
	if err := chartTemplate.Execute(&buf, g); err != nil {
		return "", fmt.Errorf("ui: drawing chart %s: %w", s.ID, err)
	}
	// The template escaped every value; the result is safe HTML.
	return template.HTML(buf.String()), nil
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}
