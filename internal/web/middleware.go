package web

import (
	"fmt"

	"github.com/corridor-platform/corridor/internal/derrors"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Instrument wraps a route's handler with metrics and an access log line.
// The log names the route pattern, not the URL: query strings may carry
// personal data and must not reach the logs.
func Instrument(m *Metrics, log *slog.Logger) func(Route, http.Handler) http.Handler {
	return func(rt Route, h http.Handler) http.Handler {
		label := rt.Pattern
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &statusRecorder{ResponseWriter: w}
			h.ServeHTTP(rec, r)
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			d := time.Since(start)
			if m != nil {
				m.Observe(label, r.Method, rec.status, d)
			}
			if log != nil {
				log.LogAttrs(r.Context(), slog.LevelDebug, "request",
					slog.String("method", r.Method), slog.String("route", label),
					slog.Int("status", rec.status), slog.Duration("duration", d))
			}
		})
	}
}

// ContentSecurityPolicy allows only the server's own scripts, styles and
// images; no inline script, no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// SecureHeaders sets the security headers on every response.
func SecureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// LimitBody caps request bodies; reading past the limit fails with
// *http.MaxBytesError, which WriteProblem turns into 413.
func LimitBody(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			WriteProblem(w, r, nil, derrors.Kindf(derrors.TooLarge, "request body: larger than the %d-byte limit", limit))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// Recover turns a panic into a logged 500 problem.
func Recover(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				WriteProblem(w, r, log, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// IsAPI reports whether a request is for the JSON API (errors are
// problem+json there and HTML pages elsewhere).
func IsAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/healthz"
}
