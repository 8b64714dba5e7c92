package worldmap

import (
	"math"
	"sort"
)

// DefaultClasses is how many colour classes a map has when the values
// allow it.
const DefaultClasses = 5

// NoDataFill is the colour under the hatching of "no data" shapes; the
// hatching lines are NoDataHatch. Missing is never drawn as the lowest
// class: it is grey and hatched, which no class colour is.
const (
	NoDataFill  = "#f0f0f0"
	NoDataHatch = "#8c8c8c"
)

// palettes are ColorBrewer's sequential YlGnBu schemes (colour-blind
// safe), by number of classes; 1 and 2 classes take colours of the
// 3-class scheme. Colours from www.ColorBrewer.org by Cynthia A. Brewer,
// Geography, Pennsylvania State University (Apache License 2.0).
var palettes = [][]string{
	1: {"#7fcdbb"},
	2: {"#edf8b1", "#2c7fb8"},
	3: {"#edf8b1", "#7fcdbb", "#2c7fb8"},
	4: {"#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"},
	5: {"#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"},
	6: {"#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"},
	7: {"#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"},
}

// MaxClasses is the largest number of classes a palette exists for.
const MaxClasses = 7

// Class is one colour class: the smallest and largest value in it (both
// included), its colour and how many values fall in it.
type Class struct {
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Colour string  `json:"colour"`
	Count  int     `json:"count"`
}

// Classification splits values into classes.
type Classification struct {
	// Method is "quantiles": each class holds about the same number of
	// values.
	Method  string  `json:"method"`
	Classes []Class `json:"classes"`
}

// Quantiles classifies values into k classes (1 to MaxClasses) of about
// equal counts. NaN and infinite values are not values: they are left
// out, as missing data must be. A class starts at a value of the data, so
// every class holds at least one value; with fewer distinct values than
// k, there are fewer classes (all values equal: one class; no values: no
// classes). Equal values always fall in the same class.
func Quantiles(values []float64, k int) Classification {
	c := Classification{Method: "quantiles"}
	if k < 1 {
		k = 1
	}
	if k > MaxClasses {
		k = MaxClasses
	}
	vals := make([]float64, 0, len(values))
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return c
	}
	sort.Float64s(vals)
	n := len(vals)
	lows := []float64{vals[0]}
	for i := 1; i < k; i++ {
		b := vals[i*n/k]
		if b > lows[len(lows)-1] {
			lows = append(lows, b)
		}
	}
	palette := palettes[len(lows)]
	c.Classes = make([]Class, len(lows))
	for i, lo := range lows {
		c.Classes[i] = Class{Min: lo, Max: lo, Colour: palette[i]}
	}
	for _, v := range vals {
		cl := &c.Classes[c.Index(v)]
		cl.Max = math.Max(cl.Max, v)
		cl.Count++
	}
	return c
}

// Index returns the class of a value, or -1 for NaN, an infinity or a
// classification without classes. A value below the first class is in
// the first; above the last, in the last.
func (c Classification) Index(v float64) int {
	if math.IsNaN(v) || math.IsInf(v, 0) || len(c.Classes) == 0 {
		return -1
	}
	// The last class whose lower bound is at most v.
	i := sort.Search(len(c.Classes), func(i int) bool { return c.Classes[i].Min > v }) - 1
	if i < 0 {
		i = 0
	}
	return i
}
