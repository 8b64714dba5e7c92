package ui

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

type box struct{ x, y, w, h float64 }

func (a box) overlaps(b box) bool {
	return a.x < b.x+b.w && b.x < a.x+a.w && a.y < b.y+b.h && b.y < a.y+a.h
}

func points(vals ...float64) []statPoint {
	out := make([]statPoint, len(vals))
	for i, v := range vals {
		out[i] = statPoint{Period: strconv.Itoa(2000 + i), Value: v, OK: !math.IsNaN(v)}
	}
	return out
}

func years(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(from + i)
	}
	return out
}

// svgNodes parses a drawn chart and returns its elements by tag.
func svgNodes(t *testing.T, svg string) map[string][]*html.Node {
	t.Helper()
	doc := parseHTML(t, strings.NewReader(string(svg)))
	out := map[string][]*html.Node{}
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode {
			out[n.Data] = append(out[n.Data], n)
		}
	})
	return out
}

func fattr(t *testing.T, n *html.Node, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(attr(n, name), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.Data, name, attr(n, name), err)
	}
	return v
}

// TestChartLegendNoOverlap lays out legends of one to six series with
// long names (French and Spanish among them): no two entries overlap,
// each stays inside the drawing, the legend ends above the unit line and
// the plot, and the drawing grows with the rows of the legend.
func TestChartLegendNoOverlap(t *testing.T) {
	names := []string{
		"From the country (in every country of asylum)",
		"Hosted by the country",
		"Region of incident: Eastern Africa",
		"Réfugiés originaires du pays (dans tous les pays d’asile), y compris les demandeurs d’asile",
		"Acogidos por el país (personas refugiadas y solicitantes de asilo bajo el mandato del ACNUR)",
		"Internationalemigrantenbestandohneleerzeichenindiesemnamenderdiebreitedeslegendenbereichsuebersteigt",
	}
	single := layoutChart(chartSpec{ID: "c", Unit: "persons", Lang: "en", Periods: years(2000, 5),
		Series: []chartLine{{Name: names[0], Values: points(1, 2, 3, 4, 5)}}})
	for _, line := range []bool{false, true} {
		for n := 1; n <= len(names); n++ {
			t.Run(fmt.Sprintf("line=%v/series=%d", line, n), func(t *testing.T) {
				s := chartSpec{ID: "c", Unit: "persons", Lang: "fr", Periods: years(2000, 5), Line: line}
				for j := 0; j < n; j++ {
					s.Series = append(s.Series, chartLine{Name: names[j], Values: points(1, 2, math.NaN(), 4, 5), Dashed: j%2 == 1})
				}
				g := layoutChart(s)
				if n == 1 {
					if g.height != single.height {
						t.Errorf("one series: height %.1f, want %.1f (no legend)", g.height, single.height)
					}
					return
				}
				if len(g.Legend) != n {
					t.Fatalf("%d legend entries, want %d", len(g.Legend), n)
				}
				unitY, _ := strconv.ParseFloat(g.UnitY, 64)
				for i, a := range g.Legend {
					ba := box{a.bx, a.by, a.bw, a.bh}
					if ba.x < 0 || ba.x+ba.w > chartW || ba.y < 0 {
						t.Errorf("entry %d (%q) leaves the drawing: %+v", i, a.Name, ba)
					}
					if ba.y+ba.h > unitY-chartFont {
						t.Errorf("entry %d (%q) reaches the unit line: bottom %.1f, unit at %.1f", i, a.Name, ba.y+ba.h, unitY)
					}
					for _, ln := range a.Lines {
						if textWidth(ln.Text, chartFont) > ba.w {
							t.Errorf("entry %d: the line %q is wider than its box", i, ln.Text)
						}
					}
					for j, b := range g.Legend[i+1:] {
						if bb := (box{b.bx, b.by, b.bw, b.bh}); ba.overlaps(bb) {
							t.Errorf("entries %d (%q) and %d (%q) overlap: %+v %+v", i, a.Name, i+1+j, b.Name, ba, bb)
						}
					}
				}
				if g.plotY1-g.plotY0 != single.plotY1-single.plotY0 {
					t.Errorf("the plot is %.1f high, want %.1f", g.plotY1-g.plotY0, single.plotY1-single.plotY0)
				}
				if g.height <= single.height {
					t.Errorf("height %.1f with a legend, want more than %.1f", g.height, single.height)
				}
				if n >= 4 && g.legendRows < 2 {
					t.Errorf("%d long names on %d row", n, g.legendRows)
				}

				// The drawing: the texts of the legend as drawn, measured
				// conservatively, do not overlap either, and the viewBox
				// holds them.
				svg, err := renderChart(s)
				if err != nil {
					t.Fatal(err)
				}
				nodes := svgNodes(t, string(svg))
				var legend *html.Node
				for _, gn := range nodes["g"] {
					if attr(gn, "class") == "chart-legend" {
						legend = gn
					}
				}
				if legend == nil {
					t.Fatal("no legend drawn")
				}
				var boxes []box
				var texts []string
				for c := legend.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode && c.Data == "text" {
						txt := c.FirstChild.Data
						boxes = append(boxes, box{fattr(t, c, "x"), fattr(t, c, "y") - chartFont, textWidth(txt, chartFont), chartFont + 2})
						texts = append(texts, txt)
					}
				}
				for i := range boxes {
					for j := i + 1; j < len(boxes); j++ {
						if boxes[i].overlaps(boxes[j]) {
							t.Errorf("legend texts %q and %q overlap", texts[i], texts[j])
						}
					}
				}
				if !strings.Contains(string(svg), `viewBox="0 0 720.0 `+px(g.height)+`"`) {
					t.Errorf("the viewBox does not hold the legend (height %.1f)", g.height)
				}
			})
		}
	}
}

// TestChartAxisLabelsDoNotCollide labels years, quarters and long period
// names over 1 to 130 periods: the first and last are always labelled,
// the labels are evenly thinned, and no two touch.
func TestChartAxisLabelsDoNotCollide(t *testing.T) {
	for _, kind := range []struct {
		name   string
		period func(i int) string
	}{
		{"years", func(i int) string { return strconv.Itoa(1960 + i) }},
		{"quarters", func(i int) string { return fmt.Sprintf("%d-Q%d", 2000+i/4, i%4+1) }},
		{"months", func(i int) string { return fmt.Sprintf("%d-%02d-01", 2000+i/12, i%12+1) }},
	} {
		for n := 1; n <= 130; n++ {
			periods := make([]string, n)
			for i := range periods {
				periods[i] = kind.period(i)
			}
			g := layoutChart(chartSpec{ID: "c", Lang: "en", Periods: periods,
				Series: []chartLine{{Name: "s", Values: make([]statPoint, n)}}})
			if len(g.XTicks) == 0 || g.XTicks[0].Label != periods[0] {
				t.Errorf("%s, %d periods: the first is not labelled", kind.name, n)
				continue
			}
			if n > 1 && g.XTicks[len(g.XTicks)-1].Label != periods[n-1] {
				t.Errorf("%s, %d periods: the last is not labelled", kind.name, n)
			}
			for i := 1; i < len(g.xLabels); i++ {
				room := g.xLabels[i] - g.xLabels[i-1]
				need := (g.xLabelW[i]+g.xLabelW[i-1])/2 + chartLabelGap
				if room < need {
					t.Errorf("%s, %d periods: %q and %q overlap (%.1f px apart, need %.1f)",
						kind.name, n, g.XTicks[i-1].Label, g.XTicks[i].Label, room, need)
				}
			}
		}
	}
	// 66 years: every few years, both ends.
	g := layoutChart(chartSpec{ID: "c", Lang: "en", Periods: years(1960, 66), Series: []chartLine{{Name: "s", Values: make([]statPoint, 66)}}})
	if n := len(g.XTicks); n < 6 || n > 20 {
		t.Errorf("66 years: %d labels", n)
	}
	if g.XTicks[0].Label != "1960" || g.XTicks[len(g.XTicks)-1].Label != "2025" {
		t.Errorf("66 years: labels from %s to %s", g.XTicks[0].Label, g.XTicks[len(g.XTicks)-1].Label)
	}
}

// TestChartScalesLargeValues: an axis running to billions shows its tick
// labels in billions, the scale named in the unit line in each language;
// the tooltips keep the exact number.
func TestChartScalesLargeValues(t *testing.T) {
	tests := []struct {
		lang, unit     string
		max            float64
		wantUnit       string
		wantTicks      []string
		wantExactTitle string
	}{
		{"en", "US$", 4_812_345_678, "US$ (billions)", []string{"0", "1", "2", "3", "4", "5"}, "2003: 4,812,345,678 US$"},
		{"fr", "US$", 4_812_345_678, "US$ (milliards)", []string{"0", "1", "2", "3", "4", "5"}, "2003: 4\u00a0812\u00a0345\u00a0678 US$"},
		{"es", "US$", 4_812_345_678, "US$ (miles de millones)", []string{"0", "1", "2", "3", "4", "5"}, "2003: 4.812.345.678 US$"},
		{"en", "persons", 1_350_000, "persons (millions)", []string{"0.0", "0.5", "1.0", "1.5"}, "2003: 1,350,000 persons"},
		{"fr", "personnes", 612_000, "personnes (milliers)", []string{"0", "200", "400", "600", "800"}, "2003: 612\u00a0000 personnes"},
		{"en", "persons", 48_000, "persons", []string{"0", "10,000", "20,000", "30,000", "40,000", "50,000"}, "2003: 48,000 persons"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.wantUnit, func(t *testing.T) {
			s := chartSpec{ID: "c", Title: "T", Unit: tt.unit, NoData: "-", Lang: tt.lang, Periods: years(2000, 4),
				Series: []chartLine{{Name: "s", Values: points(tt.max/4, math.NaN(), tt.max/2, tt.max)}}}
			g := layoutChart(s)
			if g.UnitLine != tt.wantUnit {
				t.Errorf("unit line %q, want %q", g.UnitLine, tt.wantUnit)
			}
			var ticks []string
			for _, tk := range g.YTicks {
				ticks = append(ticks, tk.Label)
			}
			if strings.Join(ticks, "|") != strings.Join(tt.wantTicks, "|") {
				t.Errorf("ticks %q, want %q", ticks, tt.wantTicks)
			}
			svg, err := renderChart(s)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(svg), ">"+tt.wantUnit+"</text>") {
				t.Errorf("the drawing lacks the unit line %q", tt.wantUnit)
			}
			if !strings.Contains(html.UnescapeString(string(svg)), "<title>"+tt.wantExactTitle+"</title>") {
				t.Errorf("the drawing lacks the exact tooltip %q", tt.wantExactTitle)
			}
		})
	}
}

// TestChartTicksRoundSteps: a step of 2.5 shows its decimal rather than
// rounding 7.5 to 8, and negative values get an axis below zero.
func TestChartTicksRoundSteps(t *testing.T) {
	g := layoutChart(chartSpec{ID: "c", Lang: "en", Periods: years(2000, 2), Series: []chartLine{{Name: "s", Values: points(11, 12.4)}}})
	var ticks []string
	for _, tk := range g.YTicks {
		ticks = append(ticks, tk.Label)
	}
	if want := "0.0|2.5|5.0|7.5|10.0|12.5"; strings.Join(ticks, "|") != want {
		t.Errorf("ticks %q, want %s", ticks, want)
	}
	g = layoutChart(chartSpec{ID: "c", Lang: "en", Periods: years(2000, 2), Series: []chartLine{{Name: "s", Values: points(-3, 8)}}})
	if g.bottom > -3 || g.top < 8 {
		t.Errorf("axis %v to %v does not hold -3 and 8", g.bottom, g.top)
	}
	for _, b := range g.Bars {
		if h, _ := strconv.ParseFloat(b.H, 64); h <= 0 {
			t.Errorf("bar %s has height %s", b.Title, b.H)
		}
	}
}

var pointRE = regexp.MustCompile(`(-?[\d.]+),(-?[\d.]+)`)

// TestLineChartGaps: a line chart draws each run of values as a polyline
// with markers; a missing value breaks the line (never a drop to zero);
// a lone value is a marker; the y axis spans the data, not from zero, so
// that a 49.5 → 52 % path shows; a dashed series has no markers.
func TestLineChartGaps(t *testing.T) {
	nan := math.NaN()
	s := chartSpec{ID: "p", Title: "T", Desc: "D", Unit: "%", NoData: "no data", Lang: "en", Decimals: 1, Line: true,
		Periods: years(2018, 8),
		Series: []chartLine{
			{Name: "Values", Values: points(49.5, 49.8, nan, 50.6, 51.0, nan, 51.9, nan)},
			{Name: "Path to the target", Dashed: true, Values: points(49.5, 49.86, 50.21, 50.57, 50.93, 51.29, 51.64, 52)},
		}}
	g := layoutChart(s)
	if g.bottom < 45 || g.bottom > 49.5 || g.top < 52 || g.top > 55 {
		t.Errorf("y axis from %v to %v, want round bounds around 49.5–52", g.bottom, g.top)
	}
	if len(g.Bars) != 0 || len(g.Gaps) != 0 {
		t.Errorf("a line chart draws %d bars and %d gap marks", len(g.Bars), len(g.Gaps))
	}
	var solid, dashed []chartPolyline
	for _, pl := range g.Polylines {
		if strings.Contains(pl.Class, "chart-line-dashed") {
			dashed = append(dashed, pl)
		} else {
			solid = append(solid, pl)
		}
	}
	if len(solid) != 2 || len(dashed) != 1 {
		t.Fatalf("%d solid and %d dashed lines, want 2 (broken at the gaps) and 1", len(solid), len(dashed))
	}
	for i, want := range []int{2, 2} {
		if n := len(pointRE.FindAllString(solid[i].Points, -1)); n != want {
			t.Errorf("segment %d has %d points, want %d", i, n, want)
		}
	}
	if n := len(pointRE.FindAllString(dashed[0].Points, -1)); n != 8 {
		t.Errorf("the path has %d points, want 8", n)
	}
	// Markers: the five values of the solid series (the lone 2024 one
	// included), none on the dashed path, none at zero.
	if len(g.Markers) != 5 {
		t.Errorf("%d markers, want 5", len(g.Markers))
	}
	for _, m := range g.Markers {
		if m.Y == g.Y1 || m.Y == g.BaseY {
			t.Errorf("marker %q on the axis", m.Title)
		}
		if !strings.HasPrefix(m.Title, "Values, ") || !strings.HasSuffix(m.Title, " %") {
			t.Errorf("marker title %q", m.Title)
		}
	}
	// The y of 49.5 is the axis bottom only if the axis starts there; every
	// point lies inside the plot.
	for _, pl := range g.Polylines {
		for _, p := range pointRE.FindAllStringSubmatch(pl.Points, -1) {
			y, _ := strconv.ParseFloat(p[2], 64)
			if y < g.plotY0-0.05 || y > g.plotY1+0.05 {
				t.Errorf("point %s outside the plot (%.1f–%.1f)", p[0], g.plotY0, g.plotY1)
			}
		}
	}
	// The 49.5 → 52 path spans most of the plot's height.
	ys := pointRE.FindAllStringSubmatch(dashed[0].Points, -1)
	y0, _ := strconv.ParseFloat(ys[0][2], 64)
	y1, _ := strconv.ParseFloat(ys[len(ys)-1][2], 64)
	if rise := y0 - y1; rise < 0.5*(g.plotY1-g.plotY0) {
		t.Errorf("the path rises %.1f px of %.1f: barely visible", rise, g.plotY1-g.plotY0)
	}

	svg, err := renderChart(s)
	if err != nil {
		t.Fatal(err)
	}
	nodes := svgNodes(t, string(svg))
	if len(nodes["polyline"]) != 3 || len(nodes["circle"]) < 5 {
		t.Errorf("drawn: %d polylines, %d circles", len(nodes["polyline"]), len(nodes["circle"]))
	}
	for _, n := range nodes["polyline"] {
		if attr(n, "style") != "" {
			t.Error("a style attribute (the CSP forbids it)")
		}
	}
	if len(nodes["rect"]) != 0 {
		t.Errorf("a line chart draws %d rects", len(nodes["rect"]))
	}
	if d := nodes["div"]; len(d) != 1 || attr(d[0], "class") != "chart-scroll" || attr(d[0], "tabindex") != "0" {
		t.Error("the chart is not inside its focusable scroll container")
	}
}

// TestLineChartFlatAndEmpty: a line of one value, and a chart without any
// value, still get an axis with distinct bounds.
func TestLineChartFlatAndEmpty(t *testing.T) {
	for _, vals := range [][]float64{{5, 5, 5}, {math.NaN(), math.NaN(), math.NaN()}, {0, 0, 0}} {
		g := layoutChart(chartSpec{ID: "c", Lang: "en", Line: true, Periods: years(2000, 3), Series: []chartLine{{Name: "s", Values: points(vals...)}}})
		if !(g.top > g.bottom) || math.IsNaN(g.top) || math.IsNaN(g.bottom) {
			t.Errorf("%v: axis %v to %v", vals, g.bottom, g.top)
		}
		if _, err := renderChart(g.chartSpec); err != nil {
			t.Error(err)
		}
	}
}

// TestChartMinimumRenderedWidth: the drawing's minimum width in
// corridor.css keeps its 12px text at 11px or more.
func TestChartMinimumRenderedWidth(t *testing.T) {
	if chartFont*chartMinRendered/chartW < 11 {
		t.Errorf("at %v px wide the text is %.1f px", chartMinRendered, chartFont*chartMinRendered/chartW)
	}
	css := string(must(staticFiles.ReadFile("static/corridor.css")))
	if !strings.Contains(css, ".chart-scroll > .chart { min-width: "+strconv.Itoa(int(chartMinRendered))+"px; }") {
		t.Error("corridor.css does not give the chart its minimum width")
	}
}
