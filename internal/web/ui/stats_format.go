package ui

import (
	"math"
	"strconv"
	"strings"
)

// numberStyle is how a language writes numbers (CLDR conventions).
type numberStyle struct {
	group, decimal string
	// minGroup is the number of integer digits from which thousands are
	// grouped (Spanish writes 1050 but 10.500).
	minGroup int
}

var numberStyles = map[string]numberStyle{
	"en": {group: ",", decimal: ".", minGroup: 4},
	"fr": {group: "\u00a0", decimal: ",", minGroup: 4}, // no-break space: 1 050 147 never wraps
	"es": {group: ".", decimal: ",", minGroup: 5},
}

// formatNumber writes v with decimals places and the language's
// separators: en 1,050,147.5; fr 1 050 147,5; es 1.050.147,5.
func formatNumber(lang string, v float64, decimals int) string {
	st, ok := numberStyles[lang]
	if !ok {
		st = numberStyles["en"]
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && strings.Trim(s, "0.") != "" {
		b.WriteString("−")
	}
	if len(intPart) >= st.minGroup {
		lead := len(intPart) % 3
		if lead == 0 {
			lead = 3
		}
		b.WriteString(intPart[:lead])
		for i := lead; i < len(intPart); i += 3 {
			b.WriteString(st.group)
			b.WriteString(intPart[i : i+3])
		}
	} else {
		b.WriteString(intPart)
	}
	if frac != "" {
		b.WriteString(st.decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// unitIDs are the message ids of the units the indicators declare.
var unitIDs = map[string]string{
	"persons":            "stats.unit.persons",
	"% of population":    "stats.unit.pctPopulation",
	"% of migrant stock": "stats.unit.pctMigrantStock",
	"US$":                "stats.unit.usd",
	"% of GDP":           "stats.unit.pctGDP",
}

// unit translates an indicator's unit (as it is when the catalogue has no
// message for it: a user's own indicator).
func (v *view) unit(u string) string {
	if id, ok := unitIDs[u]; ok {
		return v.T(id)
	}
	return u
}

// num formats a number in the page's language.
func (v *view) num(x float64, decimals int) string { return formatNumber(v.Lang, x, decimals) }
