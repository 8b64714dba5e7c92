// Package field holds the validation vocabulary domain packages share: an
// invalid field (Error) and the problems of one validation (Problems),
// with the checks every form needs (text, picklists, numbers, codes).
//
// An Error wraps derrors.Invalid, so the web edge maps it to 400 / 422 and
// names the field; Code and Args let the interface translate the reason
// ("<domain>.reason.<Code>").
package field

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

// Error is an invalid field: Field is its JSON name (with a path for
// nested records, such as "languages[1].level"), Code and Args say why in
// a form the interface translates (argument names as in the message
// catalogue: Min, Max, Value), and Msg is the English reason.
type Error struct {
	Field string
	Code  string
	Args  map[string]any
	Msg   string
}

func (e *Error) Error() string { return e.Field + ": " + e.Msg }

// Unwrap makes an Error an Invalid error.
func (e *Error) Unwrap() error { return derrors.Invalid }

// PublicMessage implements derrors.Public.
func (e *Error) PublicMessage() string { return e.Error() }

// Problems collects the field errors of one validation, so that a form
// can show every problem at once.
type Problems []*Error

// Add records a problem; the first problem of a field is the one kept
// (it is the one to fix first).
func (ps *Problems) Add(field, code string, args map[string]any, format string, a ...any) {
	for _, p := range *ps {
		if p.Field == field {
			return
		}
	}
	*ps = append(*ps, &Error{Field: field, Code: code, Args: args, Msg: fmt.Sprintf(format, a...)})
}

// Err returns the first problem, or nil.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps[0]
}

// Field returns the problem of a field, or nil.
func (ps Problems) Field(name string) *Error {
	for _, p := range ps {
		if p.Field == name {
			return p
		}
	}
	return nil
}

// Merge appends the problems of a nested record under a path prefix.
func (ps *Problems) Merge(prefix string, sub Problems) {
	for _, p := range sub {
		ps.Add(prefix+p.Field, p.Code, p.Args, "%s", p.Msg)
	}
}

// Text checks a text field: valid UTF-8, no control or invisible
// formatting characters (newlines and tabs allowed when multiline), at
// most max characters, at least one when required.
func (ps *Problems) Text(field, s string, required, multiline bool, max int) {
	switch {
	case !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError):
		ps.Add(field, "text", nil, "not valid UTF-8 text")
	case strings.ContainsFunc(s, func(r rune) bool {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			return false
		}
		return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
	}):
		ps.Add(field, "text", nil, "must not contain control or invisible formatting characters")
	case required && strings.TrimSpace(s) == "":
		ps.Add(field, "required", nil, "required")
	case utf8.RuneCountInString(s) > max:
		ps.Add(field, "tooLong", map[string]any{"Max": max}, "at most %d characters", max)
	}
}

// OneOf checks a picklist value; "" passes unless required.
func (ps *Problems) OneOf(field, v string, allowed []string, required bool) {
	if v == "" {
		if required {
			ps.Add(field, "required", nil, "required (one of %s)", strings.Join(allowed, ", "))
		}
		return
	}
	if !slices.Contains(allowed, v) {
		list := strings.Join(allowed, ", ")
		ps.Add(field, "oneOf", map[string]any{"Value": list}, "%q is not one of %s", clip(v), list)
	}
}

// IntRange checks lo ≤ v ≤ hi.
func (ps *Problems) IntRange(field string, v, lo, hi int) bool {
	if v < lo || v > hi {
		ps.Add(field, "range", map[string]any{"Min": lo, "Max": hi}, "from %d to %d", lo, hi)
		return false
	}
	return true
}

// Amount checks a finite amount of money or a rate: 0 ≤ v ≤ max (or
// 0 < v when positive).
func (ps *Problems) Amount(field string, v float64, positive bool, max float64) bool {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		ps.Add(field, "number", nil, "a finite number")
	case positive && v <= 0:
		ps.Add(field, "positive", nil, "must be greater than 0")
	case v < 0:
		ps.Add(field, "negative", nil, "must not be negative")
	case v > max:
		ps.Add(field, "tooLarge", map[string]any{"Max": max}, "at most %g", max)
	default:
		return true
	}
	return false
}

var (
	iso3RE     = regexp.MustCompile(`^[A-Z]{3}$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	dateRE     = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$`)
)

// Country checks an ISO 3166-1 alpha-3 code in capitals ("" passes unless
// required). Whether the country exists is the store's check.
func (ps *Problems) Country(field, v string, required bool) bool {
	if v == "" && !required {
		return true
	}
	if !iso3RE.MatchString(v) {
		ps.Add(field, "iso3", nil, "an ISO 3166-1 alpha-3 code in capitals, such as KEN")
		return false
	}
	return true
}

// Currency checks an ISO 4217 code in capitals.
func (ps *Problems) Currency(field, v string, required bool) bool {
	if v == "" && !required {
		return true
	}
	if !currencyRE.MatchString(v) {
		ps.Add(field, "currency", nil, "an ISO 4217 currency code in capitals, such as EUR")
		return false
	}
	return true
}

// Date checks a calendar date written YYYY-MM-DD ("" passes unless required).
func (ps *Problems) Date(field, v string, required bool) bool {
	if v == "" {
		if required {
			ps.Add(field, "required", nil, "required (YYYY-MM-DD)")
			return false
		}
		return true
	}
	if _, err := time.Parse("2006-01-02", v); err != nil || !dateRE.MatchString(v) {
		ps.Add(field, "date", nil, "a date written YYYY-MM-DD (a day of the calendar)")
		return false
	}
	return true
}

// clip shortens a hostile or long value quoted back in a message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}
