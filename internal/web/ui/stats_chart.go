package ui

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
)

// Charts are drawn on the server as inline SVG: no script, no style
// attribute (colours come from classes in corridor.css), and an
// accessible name and description; the table next to each chart holds
// the same numbers and is its accessible alternative. A period without a
// value is a gap marked "no data", never a zero-height column.

// chartSpec describes a column chart over periods; each series is drawn
// as one column per period, side by side.
type chartSpec struct {
	ID          string // unique in the page: ids of the title and description
	Title, Desc string
	Unit        string // translated, the y axis title
	NoData      string // translated label of a gap
	Lang        string
	Decimals    int
	Periods     []string
	Series      []chartLine
}

// chartLine is one series; Values align with chartSpec.Periods.
type chartLine struct {
	Name   string
	Values []statPoint
}

const (
	chartW, chartH                               = 720.0, 340.0
	chartLeft, chartRight, chartTop, chartBottom = 96.0, 16.0, 36.0, 48.0
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

type chartLegend struct {
	X, TX, Y, TY string
	Class        string
	Name         string
}

type chartGeom struct {
	chartSpec
	Width, Height        string
	X0, X1, Y0, Y1       string // the plot area: x from X0 to X1, y from Y0 (top) to Y1 (baseline)
	UnitX, UnitY         string
	YTicks, XTicks, Gaps []chartTick
	Bars                 []chartBar
	Legend               []chartLegend
}

var chartTemplate = template.Must(template.New("chart").Parse(`<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-labelledby="{{.ID}}-title {{.ID}}-desc" focusable="false">
<title id="{{.ID}}-title">{{.Title}}</title>
<desc id="{{.ID}}-desc">{{.Desc}}</desc>
<g class="chart-grid" aria-hidden="true">{{range .YTicks}}
<line x1="{{$.X0}}" x2="{{$.X1}}" y1="{{.Y}}" y2="{{.Y}}"/>{{end}}
</g>
<g class="chart-axis chart-axis-y" aria-hidden="true">{{range .YTicks}}
<text x="{{.X}}" y="{{.Y}}" text-anchor="end" dominant-baseline="middle">{{.Label}}</text>{{end}}
<text class="chart-unit" x="{{.UnitX}}" y="{{.UnitY}}">{{.Unit}}</text>
</g>
<g class="chart-bars">{{range .Bars}}
<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>{{end}}
</g>
<g class="chart-gaps">{{range .Gaps}}
<text class="chart-gap" x="{{.X}}" y="{{.Y}}" text-anchor="middle"><title>{{.Label}}</title>–</text>{{end}}
</g>
<line class="chart-baseline" x1="{{.X0}}" x2="{{.X1}}" y1="{{.Y1}}" y2="{{.Y1}}" aria-hidden="true"/>
<g class="chart-axis chart-axis-x" aria-hidden="true">{{range .XTicks}}
<text x="{{.X}}" y="{{.Y}}" text-anchor="middle">{{.Label}}</text>{{end}}
</g>{{if gt (len .Legend) 1}}
<g class="chart-legend" aria-hidden="true">{{range .Legend}}
<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="12" height="12"/><text x="{{.TX}}" y="{{.TY}}">{{.Name}}</text>{{end}}
</g>{{end}}
</svg>`))

func px(v float64) string { return fmt.Sprintf("%.1f", v) }

// niceStep is a round tick step (1, 2 or 5 × 10^k) giving about n ticks
// up to max.
func niceStep(max float64, n int) float64 {
	if max <= 0 {
		return 1
	}
	raw := max / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

// renderChart draws the chart; an error is a bug in the template.
func renderChart(s chartSpec) (template.HTML, error) {
	g := chartGeom{chartSpec: s, Width: px(chartW), Height: px(chartH)}
	x0, x1, y0, y1 := chartLeft, chartW-chartRight, chartTop, chartH-chartBottom
	g.X0, g.X1, g.Y0, g.Y1 = px(x0), px(x1), px(y0), px(y1)
	g.UnitX, g.UnitY = px(4), px(14)

	max := 0.0
	for _, l := range s.Series {
		for _, p := range l.Values {
			if p.OK && p.Value > max {
				max = p.Value
			}
		}
	}
	step := niceStep(max, 5)
	top := math.Ceil(max/step) * step
	if top <= 0 {
		top = step
	}
	tickDecimals := s.Decimals
	if step >= 1 {
		tickDecimals = 0
	} else if d := int(math.Ceil(-math.Log10(step))); d > tickDecimals {
		tickDecimals = d
	}
	y := func(v float64) float64 { return y1 - (v/top)*(y1-y0) }
	for v := 0.0; v <= top+step/2; v += step {
		g.YTicks = append(g.YTicks, chartTick{X: px(x0 - 6), Y: px(y(v)), Label: formatNumber(s.Lang, v, tickDecimals)})
	}

	n := len(s.Periods)
	if n == 0 {
		n = 1
	}
	slot := (x1 - x0) / float64(n)
	lines := max1(len(s.Series))
	group := slot * 0.72
	barW := group / float64(lines)
	every := int(math.Ceil(float64(len(s.Periods)) / 12)) // at most about 12 labels
	for i, period := range s.Periods {
		cx := x0 + slot*(float64(i)+0.5)
		if every <= 1 || i%every == 0 || i == len(s.Periods)-1 {
			g.XTicks = append(g.XTicks, chartTick{X: px(cx), Y: px(y1 + 20), Label: period})
		}
		for j, l := range s.Series {
			if i >= len(l.Values) {
				continue
			}
			p := l.Values[i]
			bx := cx - group/2 + barW*float64(j)
			name := period
			if len(s.Series) > 1 {
				name = l.Name + ", " + period
			}
			if !p.OK {
				g.Gaps = append(g.Gaps, chartTick{X: px(bx + barW/2), Y: px(y1 - 4), Label: name + ": " + s.NoData})
				continue
			}
			h := y1 - y(p.Value)
			g.Bars = append(g.Bars, chartBar{X: px(bx + barW*0.05), Y: px(y(p.Value)), W: px(barW * 0.9), H: px(h),
				Class: fmt.Sprintf("chart-bar chart-s%d", j),
				Title: name + ": " + formatNumber(s.Lang, p.Value, s.Decimals) + " " + s.Unit})
		}
	}
	lx := x1 - 130.0*float64(len(s.Series))
	for j, l := range s.Series {
		x := lx + 130*float64(j)
		g.Legend = append(g.Legend, chartLegend{X: px(x), Y: px(6), TX: px(x + 16), TY: px(16),
			Class: fmt.Sprintf("chart-bar chart-s%d", j), Name: l.Name})
	}
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
