package api

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/web"
)

// query reads and validates URL query parameters, collecting the first
// error so that a handler can read all its parameters and check once.
type query struct {
	r     *http.Request
	err   error
	known map[string]bool
}

func newQuery(r *http.Request) *query { return &query{r: r, known: map[string]bool{}} }

func (q *query) fail(param, reason string) {
	if q.err == nil {
		q.err = &web.ParamError{Param: param, Reason: reason}
	}
}

// str returns a text parameter of at most maxLen characters.
func (q *query) str(name string, maxLen int) string {
	q.known[name] = true
	vals := q.r.URL.Query()[name]
	if len(vals) > 1 {
		q.fail(name, "given more than once")
		return ""
	}
	if len(vals) == 0 {
		return ""
	}
	v := strings.TrimSpace(vals[0])
	switch {
	case !utf8.ValidString(v):
		q.fail(name, "is not valid UTF-8")
	case utf8.RuneCountInString(v) > maxLen:
		q.fail(name, "is longer than "+strconv.Itoa(maxLen)+" characters")
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		q.fail(name, "contains control characters")
	}
	return v
}

// intRange returns an integer parameter within [lo, hi], or def if absent.
func (q *query) intRange(name string, def, lo, hi int) int {
	s := q.str(name, 12)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		q.fail(name, "must be a whole number")
		return def
	}
	if n < lo || n > hi {
		q.fail(name, "must be between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
		return def
	}
	return n
}

// done reports the first error, and refuses parameters the route does not
// know (a misspelt filter must not silently return everything).
func (q *query) done() error {
	if q.err != nil {
		return q.err
	}
	for name := range q.r.URL.Query() {
		if !q.known[name] {
			return &web.ParamError{Param: name, Reason: "unknown parameter"}
		}
	}
	return nil
}
