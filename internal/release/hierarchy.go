package release

import (
	"fmt"
	"strconv"

	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/geo"
)

// Suppressed is the value of a fully generalised (suppressed) cell.
const Suppressed = "*"

// Hierarchy is a generalisation hierarchy of one column: Levels[0] maps
// every value to itself, each further level to a coarser value, and the
// last level maps every value to Suppressed. A missing value ("") stays
// missing below the last level, so that generalising never invents a
// value. The kanon package has a type of the same shape.
type Hierarchy struct {
	Column string              `json:"column"`
	Levels []map[string]string `json:"levels"`
}

// Values returns every value the hierarchy can produce for its column,
// at any level.
func (h Hierarchy) Values() map[string]bool {
	out := map[string]bool{}
	for _, l := range h.Levels {
		for _, v := range l {
			out[v] = true
		}
	}
	return out
}

// newHierarchy builds a hierarchy from the column's values and the
// coarsening functions of the levels between identity and Suppressed.
func newHierarchy(col string, values []string, coarser ...func(string) string) Hierarchy {
	h := Hierarchy{Column: col}
	values = append([]string{""}, values...)
	id := map[string]string{}
	for _, v := range values {
		id[v] = v
	}
	h.Levels = append(h.Levels, id)
	for _, f := range coarser {
		l := map[string]string{}
		for _, v := range values {
			if v == "" {
				l[v] = ""
			} else {
				l[v] = f(v)
			}
		}
		h.Levels = append(h.Levels, l)
	}
	top := map[string]string{}
	for _, v := range values {
		top[v] = Suppressed
	}
	return Hierarchy{Column: col, Levels: append(h.Levels, top)}
}

// Majority statuses of the age hierarchy (CTDC's majorityStatus).
const (
	Adult = "Adult"
	Minor = "Minor"
)

// AgeHierarchy is ageBroad → Adult/Minor (18 and over is adult) → *.
func AgeHierarchy() Hierarchy {
	minor := map[string]bool{}
	for _, b := range cases.AgeBands {
		minor[b.CTDCName()] = b.Min < 18
	}
	return newHierarchy(ColAge, ctdcAgeBands, func(band string) string {
		if minor[band] {
			return Minor
		}
		return Adult
	})
}

// CountryArea is what the country hierarchy needs of an area: its ISO3
// code and M49 sub-region and region names.
type CountryArea struct {
	ISO3, SubRegion, Region string
}

// CountryAreas extracts the countries of the geography reference
// (geo.Store.Reference, or store.DB.Geo()).
func CountryAreas(areas []geo.Area) []CountryArea {
	var out []CountryArea
	for _, a := range areas {
		if a.IsCountry() && reISO3.MatchString(a.ISO3) {
			out = append(out, CountryArea{ISO3: a.ISO3, SubRegion: a.SubRegion, Region: a.Region})
		}
	}
	return out
}

// Unknown region names, for countries the reference places in no M49
// group (Antarctica, some territories): kept apart rather than merged
// into a real region.
const (
	NoSubRegion = "No M49 sub-region"
	NoRegion    = "No M49 region"
)

// CountryHierarchy is a country column (citizenship or
// CountryOfExploitation) → M49 sub-region → M49 region → *. A country
// without a sub-region generalises to its region at both levels.
func CountryHierarchy(col string, countries []CountryArea) Hierarchy {
	sub, reg := map[string]string{}, map[string]string{}
	values := make([]string, 0, len(countries))
	for _, c := range countries {
		values = append(values, c.ISO3)
		r := c.Region
		if r == "" {
			r = NoRegion
		}
		s := c.SubRegion
		if s == "" {
			s = r
			if c.Region == "" {
				s = NoSubRegion
			}
		}
		sub[c.ISO3], reg[c.ISO3] = s, r
	}
	return newHierarchy(col, values, func(v string) string { return sub[v] }, func(v string) string { return reg[v] })
}

// YearHierarchy is yearOfRegistration (from..to) → five-year period
// aligned on multiples of five ("2015-2019") → *.
func YearHierarchy(from, to int) Hierarchy {
	var values []string
	for y := from; y <= to; y++ {
		values = append(values, strconv.Itoa(y))
	}
	return newHierarchy(ColYear, values, func(v string) string {
		y, _ := strconv.Atoi(v)
		return Period(y)
	})
}

// Period is the five-year period of a year, e.g. 2017 → "2015-2019".
func Period(year int) string {
	lo := year - ((year%5)+5)%5
	return fmt.Sprintf("%d-%d", lo, lo+4)
}

// SuppressOnly is the two-level hierarchy of a column generalised only
// by suppression (gender, traffickMonths, the binary flags).
func SuppressOnly(col string) Hierarchy {
	var values []string
	switch kindOf(col) {
	case kindFlag:
		values = []string{Flag}
	default:
		values = closedValues[col]
	}
	return newHierarchy(col, values)
}

// Hierarchies returns the hierarchy of every CTDC column: years from..to,
// countries from the geography reference.
func Hierarchies(countries []CountryArea, fromYear, toYear int) []Hierarchy {
	out := make([]Hierarchy, 0, len(CTDCColumns))
	for _, col := range CTDCColumns {
		switch col {
		case ColYear:
			out = append(out, YearHierarchy(fromYear, toYear))
		case ColAge:
			out = append(out, AgeHierarchy())
		case ColCitizenship, ColCountryOfExploit:
			out = append(out, CountryHierarchy(col, countries))
		default:
			out = append(out, SuppressOnly(col))
		}
	}
	return out
}
