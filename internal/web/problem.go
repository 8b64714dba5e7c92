package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// statusOf is the one table that maps error kinds to HTTP statuses.
var statusOf = []struct {
	kind   error
	status int
}{
	{derrors.NotFound, http.StatusNotFound},
	{derrors.Invalid, http.StatusBadRequest},
	{derrors.Conflict, http.StatusConflict},
	{derrors.Unauthenticated, http.StatusUnauthorized},
	{derrors.Forbidden, http.StatusForbidden},
	{derrors.TooLarge, http.StatusRequestEntityTooLarge},
	{derrors.TooManyRequests, http.StatusTooManyRequests},
	{derrors.Unavailable, http.StatusServiceUnavailable},
	{errMethodNotAllowed, http.StatusMethodNotAllowed},
}

// StatusFor returns the HTTP status for an error (500 for unclassified ones).
func StatusFor(err error) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	for _, e := range statusOf {
		if errors.Is(err, e.kind) {
			return e.status
		}
	}
	return http.StatusInternalServerError
}

// Problem is an RFC 9457 problem detail.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Param names the query or path parameter or body field at fault.
	Param string `json:"param,omitempty"`
}

// ParamError is an Invalid error about one named request parameter.
type ParamError struct {
	Param  string
	Reason string
}

func (e *ParamError) Error() string { return "parameter " + e.Param + ": " + e.Reason }
func (e *ParamError) Unwrap() error { return derrors.Invalid }

// PublicMessage implements derrors.Public.
func (e *ParamError) PublicMessage() string { return e.Error() }

// ProblemFor builds the problem detail for an error. Internal errors get a
// generic detail: their text may hold things users must not see.
func ProblemFor(r *http.Request, err error) Problem {
	status := StatusFor(err)
	p := Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Instance: r.URL.Path}
	if status != http.StatusInternalServerError {
		p.Detail = derrors.Message(err)
	} else {
		p.Detail = "An internal error occurred; it has been logged."
	}
	var pe *ParamError
	if errors.As(err, &pe) {
		p.Param = pe.Param
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		p.Detail = "request body is larger than the limit"
	}
	if status == http.StatusRequestEntityTooLarge && p.Param == "" {
		p.Param = "body" // the only thing a request can send too much of
	}
	return p
}

// WriteProblem writes err as application/problem+json and logs server errors.
func WriteProblem(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := ProblemFor(r, err)
	var ra interface{ RetryAfter() int }
	if errors.As(err, &ra) {
		w.Header().Set("Retry-After", strconv.Itoa(ra.RetryAfter()))
	}
	if p.Status >= 500 && log != nil {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}
