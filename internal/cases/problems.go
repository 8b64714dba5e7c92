package cases

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// FieldError is an invalid field: Field is its JSON name (an HTCDS field
// name where HTCDS defines one, with a path for nested records, such as
// "trafficking.events[1].hte_Date"), Code and Args say why in a form the
// interface translates ("cases.reason.<Code>"; argument names as in the
// message catalogue: Min, Max, Value), and Msg is the English reason.
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

// Problems collects the field errors of one validation, so that a form
// can show every problem at once.
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

// merge appends the problems of a nested record under a path prefix.
func (ps *Problems) merge(prefix string, sub Problems) {
	for _, p := range sub {
		ps.add(prefix+p.Field, p.Code, p.Args, "%s", p.Msg)
	}
}

// Field limits.
const (
	MaxText     = 200  // one-line text
	MaxLongText = 4000 // HTCDS "Long Text"
)

// text checks a text field: valid UTF-8, no control or invisible
// formatting characters (newlines and tabs allowed when multiline), at
// most max characters, at least one when required.
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

// oneOf checks a picklist value; "" passes unless required.
func (ps *Problems) oneOf(field, v string, allowed []string, required bool) {
	if v == "" {
		if required {
			ps.add(field, "required", nil, "required (one of %s)", strings.Join(allowed, ", "))
		}
		return
	}
	if !slices.Contains(allowed, v) {
		list := strings.Join(allowed, ", ")
		ps.add(field, "oneOf", map[string]any{"Value": list}, "%q is not one of %s", v, list)
	}
}

// multi checks a multiselect picklist: known values, each once.
func (ps *Problems) multi(field string, vs []string, allowed []string, required bool) {
	if len(vs) == 0 && required {
		ps.add(field, "required", nil, "choose at least one of %s", strings.Join(allowed, ", "))
		return
	}
	for i, v := range vs {
		if !slices.Contains(allowed, v) {
			list := strings.Join(allowed, ", ")
			ps.add(field, "oneOf", map[string]any{"Value": list}, "%q is not one of %s", v, list)
			return
		}
		if slices.Contains(vs[:i], v) {
			ps.add(field, "repeated", map[string]any{"Value": v}, "%q is given twice", v)
			return
		}
	}
}

var iso3RE = regexp.MustCompile(`^[A-Z]{3}$`)

// iso3 checks an ISO 3166-1 alpha-3 code; "" passes unless required.
func (ps *Problems) iso3(field, v string, required bool) {
	switch {
	case v == "" && required:
		ps.add(field, "required", nil, "required (an ISO 3166-1 alpha-3 code such as NGA)")
	case v != "" && !iso3RE.MatchString(v):
		ps.add(field, "iso3", nil, "an ISO 3166-1 alpha-3 code in capitals, such as NGA")
	}
}

// id checks a reference to another record.
func (ps *Problems) id(field string, v int64, required bool) {
	switch {
	case v < 0:
		ps.add(field, "id", nil, "not a valid id")
	case v == 0 && required:
		ps.add(field, "required", nil, "required")
	}
}

// Dates.
const dateLayout = "2006-01-02"

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// date checks a YYYY-MM-DD date from 1900 on; "" passes unless required.
func (ps *Problems) date(field, v string, required bool) bool {
	if v == "" {
		if required {
			ps.add(field, "required", nil, "required (a date as YYYY-MM-DD)")
		}
		return false
	}
	d, err := time.Parse(dateLayout, v)
	if !dateRE.MatchString(v) || err != nil {
		ps.add(field, "date", nil, "a date as YYYY-MM-DD")
		return false
	}
	if d.Year() < 1900 || d.Year() > 2200 {
		ps.add(field, "dateRange", map[string]any{"Min": 1900, "Max": 2200}, "a date between 1900 and 2200")
		return false
	}
	return true
}

var partialDateRE = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)

// partialDate checks YYYY, YYYY-MM or YYYY-MM-DD (trafficking events are
// often remembered only to the month or year).
func (ps *Problems) partialDate(field, v string) {
	if v == "" {
		return
	}
	ok := partialDateRE.MatchString(v)
	if ok {
		layout := map[int]string{4: "2006", 7: "2006-01", 10: dateLayout}[len(v)]
		d, err := time.Parse(layout, v)
		ok = err == nil && d.Year() >= 1900 && d.Year() <= 2200
	}
	if !ok {
		ps.add(field, "partialDate", nil, "a date as YYYY-MM-DD, or YYYY-MM or YYYY when only those are known")
	}
}

// intRange checks an optional integer.
func (ps *Problems) intRange(field string, v *int, lo, hi int) {
	if v != nil && (*v < lo || *v > hi) {
		ps.add(field, "range", map[string]any{"Min": lo, "Max": hi}, "from %d to %d", lo, hi)
	}
}

// unit checks a score on the 0–1 scale.
func (ps *Problems) unit(field string, v float64) {
	if math.IsNaN(v) || v < 0 || v > 1 {
		ps.add(field, "unitScore", map[string]any{"Min": 0, "Max": 1}, "a score from 0 to 1")
	}
}

// civilDate returns the calendar date of t in its own location, as
// YYYY-MM-DD (dates compare correctly as strings).
func civilDate(t time.Time) string { return t.Format(dateLayout) }
