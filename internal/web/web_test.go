package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
)

func TestStatusFor(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{derrors.Kindf(derrors.NotFound, "x"), 404},
		{fmt.Errorf("wrapped: %w", derrors.Kindf(derrors.Invalid, "x")), 400},
		{&ParamError{Param: "limit", Reason: "bad"}, 400},
		{derrors.Kindf(derrors.Conflict, "x"), 409},
		{derrors.Kindf(derrors.Unauthenticated, "x"), 401},
		{derrors.Kindf(derrors.Forbidden, "x"), 403},
		{derrors.Kindf(derrors.TooLarge, "x"), 413},
		{&http.MaxBytesError{Limit: 10}, 413},
		{derrors.Kindf(derrors.TooManyRequests, "x"), 429},
		{derrors.Kindf(derrors.Unavailable, "x"), 503},
		{errMethod{method: "PUT"}, 405},
		{errors.New("boom"), 500},
	}
	for _, tt := range tests {
		if got := StatusFor(tt.err); got != tt.want {
			t.Errorf("StatusFor(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestInternalErrorsAreNotShown(t *testing.T) {
	r := httptest.NewRequest("GET", "/api/v1/x", nil)
	p := ProblemFor(r, errors.New("pq: password authentication failed for user secret"))
	if p.Status != 500 || strings.Contains(p.Detail, "secret") {
		t.Errorf("problem = %+v", p)
	}
}

func TestRouteWithoutDeclarationPanics(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for _, rt := range []Route{
		{Method: "GET", Pattern: "/a", Handler: ok},
		{Method: "GET", Pattern: "/b", Resource: "x", Action: "frobnicate", Handler: ok},
		{Method: "", Pattern: "/c", Resource: "x", Action: ActionRead, Handler: ok},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Handle(%+v) did not panic", rt)
				}
			}()
			NewRouter(nil).Handle(rt)
		}()
	}
}

func TestStackNotFound(t *testing.T) {
	rt := NewRouter(nil)
	rt.Handle(Route{Method: "GET", Pattern: "/api/v1/x", Resource: "x", Action: ActionRead,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("x")) })})
	rt.Handle(Route{Method: "GET", Pattern: "/page", Resource: "x", Action: ActionRead,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("bug") })})
	var pageStatus int
	s := &Stack{Router: rt, BodyLimit: 1024, NotFoundPage: func(w http.ResponseWriter, r *http.Request, status int) {
		pageStatus = status
		w.WriteHeader(status)
	}}
	h := s.Handler()
	tests := []struct {
		method, path string
		status       int
		problem      bool
	}{
		{"GET", "/api/v1/x", 200, false},
		{"GET", "/api/v1/y", 404, true},
		{"POST", "/api/v1/x", 405, true},
		{"GET", "/nowhere", 404, false},
		{"GET", "/page", 500, true},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		isProblem := rec.Header().Get("Content-Type") == "application/problem+json"
		if rec.Code != tt.status || isProblem != tt.problem {
			t.Errorf("%s %s = %d problem=%v, want %d problem=%v", tt.method, tt.path, rec.Code, isProblem, tt.status, tt.problem)
		}
		if rec.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("%s %s: no CSP header", tt.method, tt.path)
		}
	}
	if pageStatus != 404 {
		t.Errorf("HTML 404 page not used for /nowhere")
	}
}

func TestClipForAudit(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"42", 128, "42"},
		{"a\nb\x00c", 128, "a?b?c"},
		{"\xff\xfe", 128, "?"},
		{"ééé", 5, "éé"},
		{"a\u202eb", 128, "a?b"},
	}
	for _, tt := range tests {
		if got := clip(tt.in, tt.n); got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
