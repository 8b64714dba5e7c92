// Package stats is Corridor's statistical model: series (what is
// measured, its unit, source, licence and citation) and observations keyed
// by series × area × optional counterpart area (for bilateral, corridor
// data) × period × disaggregation (sex, age group), each with a value and
// a status that keeps observed, estimated, zero and missing apart.
//
// It holds types, validation and pure logic; storage is in internal/store.
package stats

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Status says what an observation's value is.
type Status string

const (
	// Observed: a value as published.
	Observed Status = "observed"
	// Estimated: a value the source marks as an estimate or imputation.
	Estimated Status = "estimated"
	// Missing: the source publishes no value ("..", empty where empty
	// means unknown); the observation has no value, never zero.
	Missing Status = "missing"
)

// Sexes of the sex disaggregation; "total" is both sexes.
const (
	SexTotal  = "total"
	SexMale   = "male"
	SexFemale = "female"
)

// Series is something measured.
type Series struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Unit     string `json:"unit"` // "persons", "USD", "% of population", …
	Dataset  string `json:"dataset"`
	Source   string `json:"source"`
	Licence  string `json:"licence"`
	Citation string `json:"citation"`
	// Bilateral series have a counterpart area (the origin for stock and
	// refugees; the sending country for remittances).
	Bilateral bool `json:"bilateral"`
}

// Observation is one value.
type Observation struct {
	Series      string  `json:"series"`
	Area        string  `json:"area"`                  // geo.Area code (destination for bilateral data)
	Counterpart string  `json:"counterpart,omitempty"` // geo.Area code (origin), "" when not bilateral
	Period      string  `json:"period"`                // "2019", "2020-Q3", "2024-03-05"
	Sex         string  `json:"sex"`                   // total, male, female
	Age         string  `json:"age,omitempty"`         // "" = all ages
	Value       float64 `json:"value"`                 // meaningless when Status is Missing
	Status      Status  `json:"status"`
}

var (
	codeRE   = regexp.MustCompile(`^[a-z][a-z0-9_]{1,63}$`)
	periodRE = regexp.MustCompile(`^(\d{4})(-Q[1-4]|-\d{2}-\d{2})?$`)
)

// ValidateSeries checks a series declaration.
func (s Series) Validate() error {
	switch {
	case !codeRE.MatchString(s.Code):
		return derrors.Kindf(derrors.Invalid, "series code %q: lower-case letters, digits and '_'", s.Code)
	case strings.TrimSpace(s.Name) == "" || strings.TrimSpace(s.Unit) == "":
		return derrors.Kindf(derrors.Invalid, "series %s: name and unit are required", s.Code)
	case s.Source == "" || s.Citation == "" || s.Licence == "":
		return derrors.Kindf(derrors.Invalid, "series %s: source, licence and citation are required (every figure carries them)", s.Code)
	}
	return nil
}

// ValidPeriod reports whether p is a year, a quarter or a date.
func ValidPeriod(p string) bool { return periodRE.MatchString(p) }

// Validate checks an observation's shape (not that its areas exist).
func (o Observation) Validate() error {
	switch {
	case o.Area == "":
		return fmt.Errorf("%w: observation of %s without an area", derrors.Invalid, o.Series)
	case !ValidPeriod(o.Period):
		return derrors.Kindf(derrors.Invalid, "period %q: a year (2019), a quarter (2019-Q3) or a date (2019-07-01)", o.Period)
	case o.Sex != SexTotal && o.Sex != SexMale && o.Sex != SexFemale:
		return derrors.Kindf(derrors.Invalid, "sex %q: total, male or female", o.Sex)
	case o.Status != Observed && o.Status != Estimated && o.Status != Missing:
		return derrors.Kindf(derrors.Invalid, "status %q: observed, estimated or missing", o.Status)
	case o.Status != Missing && (math.IsNaN(o.Value) || math.IsInf(o.Value, 0)):
		return derrors.Kindf(derrors.Invalid, "value of %s %s %s is not a number", o.Series, o.Area, o.Period)
	}
	return nil
}

// PeriodRange is an inclusive range of years, as the data API takes it
// ("2019" or "2010:2020").
type PeriodRange struct{ From, To string }

// ParsePeriodRange reads "2019" or "2010:2020"; its errors say what is
// wrong ("20x9" is not a year; the start after the end).
func ParsePeriodRange(s string) (PeriodRange, error) {
	from, to, isRange := strings.Cut(s, ":")
	if !isRange {
		to = from
	}
	for _, p := range []string{from, to} {
		if !ValidPeriod(p) {
			what := "a year (2019), a quarter (2019-Q3) or a date (2019-07-01)"
			if p == "" {
				return PeriodRange{}, derrors.Kindf(derrors.Invalid, "period %q: the range has no %s; give a period (2019) or a range (2010:2020)",
					s, map[bool]string{true: "start", false: "end"}[p == from])
			}
			return PeriodRange{}, derrors.Kindf(derrors.Invalid, "period %q: %q is not %s; give a period (2019) or a range (2010:2020)", s, p, what)
		}
	}
	if from > to {
		return PeriodRange{}, derrors.Kindf(derrors.Invalid, "period %q: the range starts (%s) after it ends (%s); give the earlier period first (%s:%s)",
			s, from, to, to, from)
	}
	return PeriodRange{From: from, To: to}, nil
}
