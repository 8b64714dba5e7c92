// Package plans is the development-plan workspace: a government team's
// plan for its country (a poverty reduction strategy, a national
// development plan) with goals, the indicators of success linked to each
// goal — each with a baseline, a target and where its values come from —
// the measurements of those indicators, and the progress they show
// against a straight-line path from the baseline to the target.
//
// It holds types, validation and the progress logic; it imports neither
// SQL nor HTTP. Storage is in internal/store (plans.go), the live values
// of library indicators are evaluated there from the imported data.
package plans

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// Plan statuses.
const (
	StatusDraft  = "draft"
	StatusActive = "active"
	StatusClosed = "closed" // a closed plan takes no new goals, indicators or measurements
)

// Statuses lists the plan statuses in their usual order.
var Statuses = []string{StatusDraft, StatusActive, StatusClosed}

// Sources of a linked indicator's values.
const (
	// SourceLive: the values are the indicator evaluated for the plan's
	// country from the imported data, as the data API evaluates it.
	SourceLive = "live"
	// SourceReported: the values are measurements reported by hand, each
	// with an evidence note, who reported it and when.
	SourceReported = "reported"
)

// Sources lists the value sources.
var Sources = []string{SourceLive, SourceReported}

// Directions of a target, derived from baseline and target.
const (
	Increase = "increase"
	Decrease = "decrease"
)

// Sexes of the sex disaggregation (as in internal/stats).
var Sexes = []string{"total", "female", "male"}

// Limits of the fields.
const (
	MinYear           = 1950
	MaxYear           = 2100
	MaxPeriodYears    = 50 // a plan spans at most this many years
	MaxTitle          = 200
	MaxDescription    = 4000
	MaxNote           = 1000
	MaxGoalsPerPlan   = 100
	MaxIndicatorsGoal = 50
	MaxCustomName     = 200 // a custom indicator's name
	MaxCustomUnit     = 60  // a custom indicator's unit
	MaxDecimals       = 6   // a custom indicator's decimals
)

// Plan is a development plan of one country.
type Plan struct {
	ID          int64  `json:"id"`
	Country     string `json:"country"` // ISO 3166-1 alpha-3 area code
	Title       string `json:"title"`
	Description string `json:"description"`
	StartYear   int    `json:"startYear"`
	EndYear     int    `json:"endYear"`
	Status      string `json:"status"`
	// OrgID, TeamID and OwnerID are what record scopes check.
	OrgID     int64     `json:"orgId"`
	TeamID    int64     `json:"teamId,omitempty"`
	OwnerID   int64     `json:"ownerId"`
	Version   int64     `json:"version"` // optimistic concurrency: an update names the version it read
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// Goals are filled when the whole plan is read, in position order.
	Goals []Goal `json:"goals,omitempty"`
}

// Record returns the ownership facts record scopes check.
func (p Plan) Record() auth.Record {
	return auth.Record{OwnerID: p.OwnerID, TeamID: p.TeamID, OrgID: p.OrgID}
}

// Goal is one goal of a plan.
type Goal struct {
	ID          int64             `json:"id"`
	PlanID      int64             `json:"planId"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Position    int               `json:"position"`
	Indicators  []LinkedIndicator `json:"indicators"`
}

// LinkedIndicator is an indicator linked to a goal, with the baseline it
// starts from and the target it aims at: either an indicator of the
// library (built in or a user's own, stored in the indicators table) or
// a custom indicator of the plan — a figure no dataset holds, with its
// own name, unit and decimals, whose values are always reported by hand.
type LinkedIndicator struct {
	ID     int64 `json:"id"`
	PlanID int64 `json:"planId"`
	GoalID int64 `json:"goalId"`
	// Custom marks a custom indicator of the plan: Indicator is then
	// empty and Name, Unit and Decimals are its own.
	Custom bool `json:"custom"`
	// Indicator is the library code ("" for a custom indicator);
	// Counterpart the other country of a bilateral indicator (a
	// corridor); Sex the disaggregation.
	Indicator     string  `json:"indicator"`
	Counterpart   string  `json:"counterpart,omitempty"`
	Sex           string  `json:"sex"`
	BaselineValue float64 `json:"baselineValue"`
	BaselineYear  int     `json:"baselineYear"`
	TargetValue   float64 `json:"targetValue"`
	TargetYear    int     `json:"targetYear"`
	Source        string  `json:"source"`
	// Direction is derived: increase when the target is above the baseline.
	Direction string    `json:"direction"`
	CreatedBy int64     `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`

	// The library's name, unit and decimals, filled when read; a custom
	// indicator's own, given when it is linked.
	Name     string `json:"name,omitempty"`
	Unit     string `json:"unit,omitempty"`
	Decimals int    `json:"decimals"`
	// Measurements are filled when the whole plan is read: the reported
	// ones, or for a live indicator its values within the plan's period.
	Measurements []Measurement `json:"measurements,omitempty"`
	// Progress is filled with Measurements.
	Progress *Progress `json:"progress,omitempty"`
	// Citations are the sources of a live indicator's values.
	Citations []string `json:"citations,omitempty"`
}

// Measurement is one value of a linked indicator.
type Measurement struct {
	ID          int64   `json:"id,omitempty"` // 0 for live values, which are not stored
	IndicatorID int64   `json:"indicatorId"`
	Year        int     `json:"year"`
	Date        string  `json:"date,omitempty"` // YYYY-MM-DD within Year, when known
	Value       float64 `json:"value"`
	Note        string  `json:"note,omitempty"` // the evidence (reported values)
	Source      string  `json:"source"`         // live or reported
	// RecordedBy and RecordedByName say who reported a value; RecordedAt when.
	RecordedBy     int64     `json:"recordedBy,omitempty"`
	RecordedByName string    `json:"recordedByName,omitempty"`
	RecordedAt     time.Time `json:"recordedAt,omitzero"`
}

// FieldError is an invalid field: Field is its JSON name, Code and Args
// say why in a form the interface translates ("plans.reason.<Code>"; the
// argument names are those of the message catalogue: Min, Max, Value),
// and Msg is the English reason.
type FieldError struct {
	Field string
	Code  string
	Args  map[string]any
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap makes a FieldError an Invalid error.
func (e *FieldError) Unwrap() error { return derrors.Invalid }

// PublicMessage implements derrors.Public.
func (e *FieldError) PublicMessage() string { return e.Error() }

// Problems collects the field errors of one validation.
type Problems []*FieldError

func (ps *Problems) add(field, code string, args map[string]any, format string, a ...any) {
	for _, p := range *ps {
		if p.Field == field {
			return // the first problem of a field is the one to fix
		}
	}
	*ps = append(*ps, &FieldError{Field: field, Code: code, Args: args, Msg: fmt.Sprintf(format, a...)})
}

// Err returns the first problem, or nil.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps[0]
}

// Field returns the problem of a field, or nil.
func (ps Problems) Field(name string) *FieldError {
	for _, p := range ps {
		if p.Field == name {
			return p
		}
	}
	return nil
}

// text checks a text field: valid UTF-8, no control or invisible
// formatting characters (newlines and tabs too unless multiline), at most
// max characters, at least one when required.
func (ps *Problems) text(field, s string, required, multiline bool, max int) {
	switch {
	case !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError):
		ps.add(field, "text", nil, "not valid UTF-8 text")
	case strings.ContainsFunc(s, func(r rune) bool {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			return false
		}
		return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
	}):
		ps.add(field, "text", nil, "must not contain control or invisible formatting characters")
	case required && strings.TrimSpace(s) == "":
		ps.add(field, "required", nil, "required")
	case utf8.RuneCountInString(s) > max:
		ps.add(field, "tooLong", map[string]any{"Max": max}, "at most %d characters", max)
	}
}

func (ps *Problems) year(field string, y, lo, hi int) bool {
	if y < lo || y > hi {
		ps.add(field, "yearRange", map[string]any{"Min": lo, "Max": hi}, "a year from %d to %d", lo, hi)
		return false
	}
	return true
}

func (ps *Problems) finite(field string, v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e15 {
		ps.add(field, "number", nil, "a finite number (at most 10^15 in size)")
		return false
	}
	return true
}

func (ps *Problems) oneOf(field, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		list := strings.Join(allowed, ", ")
		ps.add(field, "oneOf", map[string]any{"Value": list}, "one of %s", list)
	}
}

var (
	iso3RE = regexp.MustCompile(`^[A-Z]{3}$`)
	codeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,63}$`)
	dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// Check returns every problem of a plan's own fields.
func (p Plan) Check() Problems {
	var ps Problems
	if !iso3RE.MatchString(p.Country) {
		ps.add("country", "iso3", nil, "an ISO 3166-1 alpha-3 code in capitals, such as KEN")
	}
	ps.text("title", p.Title, true, false, MaxTitle)
	ps.text("description", p.Description, false, true, MaxDescription)
	okStart := ps.year("startYear", p.StartYear, MinYear, MaxYear)
	okEnd := ps.year("endYear", p.EndYear, MinYear, MaxYear)
	if okStart && okEnd {
		switch {
		case p.EndYear <= p.StartYear:
			ps.add("endYear", "endAfterStart", map[string]any{"Value": p.StartYear}, "after the start year (%d)", p.StartYear)
		case p.EndYear-p.StartYear > MaxPeriodYears:
			ps.add("endYear", "periodLength", map[string]any{"Max": MaxPeriodYears}, "a plan spans at most %d years", MaxPeriodYears)
		}
	}
	ps.oneOf("status", p.Status, Statuses)
	return ps
}

// Validate checks a plan's own fields; the error is the first problem.
func (p Plan) Validate() error { return p.Check().Err() }

// Contains reports whether a year is inside the plan's period.
func (p Plan) Contains(year int) bool { return year >= p.StartYear && year <= p.EndYear }

// Check returns every problem of a goal.
func (g Goal) Check() Problems {
	var ps Problems
	ps.text("title", g.Title, true, false, MaxTitle)
	ps.text("description", g.Description, false, true, MaxDescription)
	if g.Position < 0 || g.Position > 10000 {
		ps.add("position", "range", map[string]any{"Min": 0, "Max": 10000}, "from 0 to 10000")
	}
	return ps
}

// Validate checks a goal; the error is the first problem.
func (g Goal) Validate() error { return g.Check().Err() }

// Check returns every problem of a linked indicator within its plan: a
// library code, or for a custom indicator no code but its own name, unit
// and decimals and values reported by hand (a custom indicator has no
// live series); the target year lies inside the plan's period, the
// baseline year comes before the target year and may lie before the
// plan's start (plans start from the latest figure known, often from an
// earlier year), the target differs from the baseline and both are
// finite numbers.
func (li LinkedIndicator) Check(p Plan) Problems {
	var ps Problems
	if li.Custom {
		if li.Indicator != "" {
			ps.add("indicator", "customWithCode", nil, "a custom indicator has no library code; leave it empty or link the library indicator")
		}
		ps.text("name", li.Name, true, false, MaxCustomName)
		ps.text("unit", li.Unit, true, false, MaxCustomUnit)
		if li.Decimals < 0 || li.Decimals > MaxDecimals {
			ps.add("decimals", "range", map[string]any{"Min": 0, "Max": MaxDecimals}, "from 0 to %d", MaxDecimals)
		}
		if li.Source == SourceLive {
			ps.add("source", "customLive", nil, "a custom indicator has no live series; its values are reported by hand (source reported)")
		}
	} else if !codeRE.MatchString(li.Indicator) {
		ps.add("indicator", "code", nil, "an indicator code of the library (lower-case letters, digits and '_'), or a custom indicator's name and unit")
	}
	if li.Counterpart != "" && !iso3RE.MatchString(li.Counterpart) {
		ps.add("counterpart", "iso3", nil, "an ISO 3166-1 alpha-3 code in capitals, such as KEN")
	}
	if li.Counterpart != "" && li.Counterpart == p.Country {
		ps.add("counterpart", "counterpartSelf", nil, "a country other than the plan's")
	}
	ps.oneOf("sex", li.Sex, Sexes)
	ps.oneOf("source", li.Source, Sources)
	okB := ps.finite("baselineValue", li.BaselineValue)
	okT := ps.finite("targetValue", li.TargetValue)
	if okB && okT && li.BaselineValue == li.TargetValue {
		ps.add("targetValue", "targetEqualsBaseline", nil, "must differ from the baseline value (a target that changes nothing cannot be tracked)")
	}
	// The baseline may precede the period, never its end: the target year,
	// inside the period, comes after it.
	okBY := ps.year("baselineYear", li.BaselineYear, MinYear, p.EndYear-1)
	okTY := ps.year("targetYear", li.TargetYear, p.StartYear, p.EndYear)
	if okBY && okTY && li.TargetYear <= li.BaselineYear {
		ps.add("targetYear", "targetAfterBaseline", map[string]any{"Value": li.BaselineYear},
			"after the baseline year (%d)", li.BaselineYear)
	}
	return ps
}

// Label names a linked indicator in an audit trail or a log: its library
// code, or "custom" and a custom indicator's name, quoted.
func (li LinkedIndicator) Label() string {
	if li.Custom {
		return "custom " + strconv.Quote(li.Name)
	}
	return li.Indicator
}

// Validate checks a linked indicator; the error is the first problem.
func (li LinkedIndicator) Validate(p Plan) error { return li.Check(p).Err() }

// DirectionOf derives the direction of a target from its baseline.
func DirectionOf(baseline, target float64) string {
	if target < baseline {
		return Decrease
	}
	return Increase
}

// Check returns every problem of a reported measurement within its plan:
// a year inside the plan's period, a date (when given) within that year,
// a finite value and the evidence note, which a reported value must have.
func (m Measurement) Check(p Plan) Problems {
	var ps Problems
	ps.year("year", m.Year, p.StartYear, p.EndYear)
	if m.Date != "" {
		d, err := time.Parse("2006-01-02", m.Date)
		switch {
		case !dateRE.MatchString(m.Date) || err != nil:
			ps.add("date", "date", nil, "a date as YYYY-MM-DD")
		case d.Year() != m.Year:
			ps.add("date", "dateInYear", map[string]any{"Value": m.Year}, "a date within the year %d", m.Year)
		}
	}
	ps.finite("value", m.Value)
	ps.text("note", m.Note, true, true, MaxNote)
	return ps
}

// Validate checks a measurement; the error is the first problem.
func (m Measurement) Validate(p Plan) error { return m.Check(p).Err() }

// SortMeasurements puts measurements in time order: by year, then date
// (a value without a date first), then id (the order they were reported).
func SortMeasurements(ms []Measurement) {
	slices.SortStableFunc(ms, func(a, b Measurement) int {
		if a.Year != b.Year {
			return a.Year - b.Year
		}
		if a.Date != b.Date {
			return strings.Compare(a.Date, b.Date)
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
}
