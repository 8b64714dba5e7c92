package stats

import (
	"math"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Indicator is a definition stored as data: numerator and optional
// denominator expressions over series, a factor, unit and decimals.
type Indicator struct {
	Code        string  `json:"code"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Numerator   string  `json:"numerator"`
	Denominator string  `json:"denominator,omitempty"`
	Factor      float64 `json:"factor"` // 1, 100 (per cent), 100000 (per 100,000)
	Unit        string  `json:"unit"`
	Decimals    int     `json:"decimals"`
	// Aggregation says how values combine over areas: "sum" (counts) or
	// "none" (ratios are recomputed from their parts, never summed).
	Aggregation string `json:"aggregation"`
	Bilateral   bool   `json:"bilateral"`
	Builtin     bool   `json:"builtin"`
	// Records, when set, names a table of records the indicator counts
	// instead of series ("incidents": SDG 10.7.3 from the Missing
	// Migrants incidents); Numerator then documents what is summed.
	Records string `json:"records,omitempty"`
}

// Compiled is an indicator with its parsed expressions.
type Compiled struct {
	Indicator
	Num, Den Expr
}

// Compile validates an indicator and parses its expressions; known says
// which series exist.
func (ind Indicator) Compile(known func(string) bool) (Compiled, error) {
	c := Compiled{Indicator: ind}
	switch {
	case !codeRE.MatchString(ind.Code):
		return c, derrors.Kindf(derrors.Invalid, "code: lower-case letters, digits and '_' (2 to 64)")
	case strings.TrimSpace(ind.Name) == "" || len(ind.Name) > 200:
		return c, derrors.Kindf(derrors.Invalid, "name: 1 to 200 characters")
	case strings.TrimSpace(ind.Unit) == "":
		return c, derrors.Kindf(derrors.Invalid, "unit: required")
	case ind.Factor != 1 && ind.Factor != 100 && ind.Factor != 1000 && ind.Factor != 100000 && ind.Factor != 1e6:
		return c, derrors.Kindf(derrors.Invalid, "factor: 1, 100, 1000, 100000 or 1000000")
	case ind.Decimals < 0 || ind.Decimals > 6:
		return c, derrors.Kindf(derrors.Invalid, "decimals: 0 to 6")
	case ind.Aggregation != "sum" && ind.Aggregation != "none":
		return c, derrors.Kindf(derrors.Invalid, "aggregation: sum or none")
	}
	if ind.Records != "" {
		if ind.Records != "incidents" && ind.Records != "recruitment-costs" || !ind.Builtin {
			return c, derrors.Kindf(derrors.Invalid, "records: only built-in indicators count records")
		}
		return c, nil
	}
	var err error
	if c.Num, err = Parse(ind.Numerator, known); err != nil {
		return c, prefix("numerator", err)
	}
	if ind.Denominator != "" {
		if c.Den, err = Parse(ind.Denominator, known); err != nil {
			return c, prefix("denominator", err)
		}
	}
	return c, nil
}

func prefix(field string, err error) error {
	if ee, ok := err.(*ExprError); ok {
		return &ExprError{Pos: ee.Pos, Token: ee.Token, Reason: ee.Reason + " (in " + field + ")"}
	}
	return err
}

// Eval computes the indicator at a point: numerator ÷ denominator ×
// factor, rounded to the indicator's decimals; ok is false when a part is
// missing or the denominator is zero.
func (c Compiled) Eval(at Point, look Lookup) (float64, bool, error) {
	n, ok, err := Eval(c.Num, at, look)
	if err != nil || !ok {
		return 0, false, err
	}
	if c.Den != nil {
		d, ok, err := Eval(c.Den, at, look)
		if err != nil || !ok || d == 0 {
			return 0, false, err
		}
		n /= d
	}
	p := math.Pow(10, float64(c.Decimals))
	return math.Round(n*c.Factor*p) / p, true, nil
}

// BuiltinIndicators are created with a new database; their codes are the
// data API's.
func BuiltinIndicators() []Indicator {
	return []Indicator{
		{Code: "migrant_stock", Name: "International migrant stock", Numerator: "migrant_stock", Factor: 1, Unit: "persons", Aggregation: "sum"},
		{Code: "population", Name: "Total population", Numerator: "population", Factor: 1, Unit: "persons", Aggregation: "sum"},
		{Code: "migrant_share_of_population", Name: "International migrants as a share of the population",
			Numerator: "migrant_stock", Denominator: "population", Factor: 100, Decimals: 1, Unit: "% of population", Aggregation: "none"},
		{Code: "migrant_female_share", Name: "Female migrants as a share of the international migrant stock",
			Numerator: "migrant_stock[sex=female]", Denominator: "migrant_stock[sex=total]", Factor: 100, Decimals: 1, Unit: "% of migrant stock", Aggregation: "none"},
		{Code: "migrant_stock_bilateral", Name: "Migrant stock by origin (corridor)", Numerator: "migrant_stock_bilateral", Factor: 1,
			Unit: "persons", Aggregation: "sum", Bilateral: true},
		{Code: "refugees_by_origin", Name: "Refugees by country of origin", Numerator: "refugees[area=*, counterpart=$area]", Factor: 1, Unit: "persons", Aggregation: "sum"},
		{Code: "refugees_by_asylum", Name: "Refugees by country of asylum", Numerator: "refugees[counterpart=*]", Factor: 1, Unit: "persons", Aggregation: "sum"},
		{Code: "refugees_corridor", Name: "Refugees by country of origin and country of asylum (corridor)",
			Description: "UNHCR's refugees under its mandate; area is the country of asylum, counterpart the country of origin.",
			Numerator:   "refugees", Factor: 1, Unit: "persons", Aggregation: "sum", Bilateral: true},
		{Code: "sdg_10_7_3", Name: "SDG 10.7.3: people who died or disappeared in the process of migration",
			Description: "Dead and missing recorded by IOM's Missing Migrants Project, by year of incident; area is a country of incident, a Region of Incident as published (e.g. Mediterranean), or 001 for the world.",
			Numerator:   "dead + missing in incidents", Records: "incidents", Factor: 1, Unit: "persons", Aggregation: "sum", Builtin: true},
		{Code: "sdg_10_7_1", Name: "SDG 10.7.1: recruitment cost borne by employee as a proportion of monthly income earned in country of destination",
			Description: "Computed from the recruitment process recorded in Corridor: for each worker, every recruitment cost the worker reported paying (fees, service charges, travel, documents, medical, training, loan interest), converted to the wage currency, divided by the first monthly wage in the destination; the value is the mean over the workers of the corridor. area is the country of origin, counterpart the country of destination, period the year the first wage was recorded. Groups of fewer than 3 workers are withheld.",
			Numerator:   "recruitment costs of workers", Denominator: "first monthly wage", Records: "recruitment-costs", Factor: 1, Decimals: 3,
			Unit: "months of wages", Aggregation: "none", Bilateral: true, Builtin: true},
		{Code: "sdg_10_7_4", Name: "SDG 10.7.4: refugees and other people in need of international protection per 100,000 population of the country of origin",
			Description: "UNHCR's formula: people originating from the country who are refugees (including people in refugee-like situations) or other people in need of international protection, in all countries of asylum, at the end of the year, per 100,000 of the origin's population plus those people (UN DESA mid-year population). Other people in need of international protection are counted from 2018, when UNHCR began to report them; before that the category held nobody. Palestine refugees under UNRWA's mandate are not in UNHCR's data.",
			Numerator:   "refugees[area=*, counterpart=$area] + others_in_need[area=*, counterpart=$area, missing=0]",
			Denominator: "population[sex=total, counterpart=none] + refugees[area=*, counterpart=$area] + others_in_need[area=*, counterpart=$area, missing=0]",
			Factor:      100000, Decimals: 1, Unit: "per 100,000 population", Aggregation: "none"},
		{Code: "remittances_received_usd", Name: "Personal remittances, received (current US$)", Numerator: "remittances_received_usd", Factor: 1, Unit: "US$", Aggregation: "sum"},
		{Code: "remittances_paid_usd", Name: "Personal remittances, paid (current US$)", Numerator: "remittances_paid_usd", Factor: 1, Unit: "US$", Aggregation: "sum"},
		{Code: "remittances_received_pct_gdp", Name: "Personal remittances, received (% of GDP)", Numerator: "remittances_received_pct_gdp", Factor: 1, Decimals: 2, Unit: "% of GDP", Aggregation: "none"},
		{Code: "bilateral_remittances_usd", Name: "Bilateral remittances (US$)", Numerator: "bilateral_remittances_usd", Factor: 1, Unit: "US$", Aggregation: "sum", Bilateral: true},
	}
}
