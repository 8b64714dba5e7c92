package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/api"
	"github.com/corridor-platform/corridor/internal/web/webauth"
)

// fakeGeo is a geo.Store over a fixed list, enough to test the handlers;
// the real store is tested in internal/store and end to end in cmd/corridor.
type fakeGeo struct{ areas []geo.Area }

func (f fakeGeo) Area(_ context.Context, code string) (geo.Area, error) {
	code = geo.NormalizeCode(code)
	for _, a := range f.areas {
		if a.Code == code || a.ISO2 == code || a.M49 == code {
			return a, nil
		}
	}
	return geo.Area{}, derrors.Kindf(derrors.NotFound, "no country or area with code %q", code)
}

func (f fakeGeo) Areas(_ context.Context, fl geo.Filter) (geo.Page, error) {
	if fl.Limit < 1 || fl.Limit > 500 {
		return geo.Page{}, derrors.Kindf(derrors.Invalid, "limit out of range")
	}
	var out []geo.Area
	kind := fl.Kind
	if kind == "" {
		kind = geo.KindCountry
	}
	for _, a := range f.areas {
		if a.Kind == kind && (fl.Region == "" || strings.EqualFold(a.Region, fl.Region)) &&
			(fl.Query == "" || strings.Contains(strings.ToLower(a.Name), strings.ToLower(fl.Query))) {
			out = append(out, a)
		}
	}
	p := geo.Page{Total: len(out)}
	end := min(fl.Offset+fl.Limit, len(out))
	if fl.Offset < end {
		p.Areas = out[fl.Offset:end]
	}
	return p, nil
}

func (f fakeGeo) Reference(context.Context) (geo.Reference, error) {
	return geo.Reference{Areas: f.areas}, nil
}

var sample = fakeGeo{areas: []geo.Area{
	{Code: "002", Kind: geo.KindRegion, Name: "Africa", M49: "002"},
	{Code: "150", Kind: geo.KindRegion, Name: "Europe", M49: "150"},
	{Code: "DEU", Kind: geo.KindCountry, Name: "Germany", ISO2: "DE", ISO3: "DEU", M49: "276", Region: "Europe", SubRegion: "Western Europe", IncomeGroup: "High income"},
	{Code: "KEN", Kind: geo.KindCountry, Name: "Kenya", ISO2: "KE", ISO3: "KEN", M49: "404", Region: "Africa", SubRegion: "Sub-Saharan Africa", IntermediateRegion: "Eastern Africa"},
	{Code: "UGA", Kind: geo.KindCountry, Name: "Uganda", ISO2: "UG", ISO3: "UGA", M49: "800", Region: "Africa", SubRegion: "Sub-Saharan Africa", IntermediateRegion: "Eastern Africa"},
}}

func newServer(t *testing.T, health func(context.Context) error) (*httptest.Server, *web.Router) {
	t.Helper()
	router := web.NewRouter(nil)
	api.New(api.Config{Geo: sample, Version: "test", Health: health, Metrics: http.NotFoundHandler()}).Register(router)
	stack := &web.Stack{Router: router, BodyLimit: 1 << 20}
	srv := httptest.NewServer(stack.Handler())
	t.Cleanup(srv.Close)
	return srv, router
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestCountry(t *testing.T) {
	srv, _ := newServer(t, nil)
	resp, body := get(t, srv.URL+"/api/v1/countries/DEU")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var c map[string]any
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"iso3": "DEU", "iso2": "DE", "m49": "276", "region": "Europe", "name": "Germany", "subRegion": "Western Europe", "incomeGroup": "High income"} {
		if c[k] != want {
			t.Errorf("%s = %v, want %q", k, c[k], want)
		}
	}
	for _, k := range []string{"intermediateRegion", "incomeGroup"} {
		if _, ok := c[k]; !ok {
			t.Errorf("field %s missing (must always be present)", k)
		}
	}
}

func TestProblems(t *testing.T) {
	srv, _ := newServer(t, nil)
	tests := []struct {
		path, method string
		status       int
		param        string
	}{
		{"/api/v1/countries/XXX", "GET", 404, ""},
		{"/api/v1/countries/D%24U", "GET", 400, "iso3"},
		{"/api/v1/countries?limit=abc", "GET", 400, "limit"},
		{"/api/v1/countries?limit=0", "GET", 400, "limit"},
		{"/api/v1/countries?offset=-1", "GET", 400, "offset"},
		{"/api/v1/countries?kind=planet", "GET", 400, "kind"},
		{"/api/v1/countries?regoin=Africa", "GET", 400, "regoin"},
		{"/api/v1/countries?region=Atlantis", "GET", 400, "region"},
		{"/api/v1/countries?subRegion=Atlantis", "GET", 400, "subRegion"},
		{"/api/v1/countries?q=a&q=b", "GET", 400, "q"},
		{"/api/v1/countries?q=" + strings.Repeat("x", 101), "GET", 400, "q"},
		{"/api/v1/countries?q=%00x", "GET", 400, "q"},
		{"/api/v1/nothing", "GET", 404, ""},
		{"/api/v1/countries", "DELETE", 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var p web.Problem
			if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
				t.Fatal(err)
			}
			if p.Status != tt.status || p.Title == "" || p.Detail == "" || p.Param != tt.param {
				t.Errorf("problem = %+v, want status %d param %q", p, tt.status, tt.param)
			}
		})
	}
}

func TestListPagination(t *testing.T) {
	srv, _ := newServer(t, nil)
	_, body := get(t, srv.URL+"/api/v1/countries?region=Africa&limit=1")
	var page api.CountryList
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	if page.Total != 2 || len(page.Items) != 1 || page.Items[0].ISO3 != "KEN" || page.Next == "" {
		t.Fatalf("page = %+v", page)
	}
	_, body = get(t, srv.URL+page.Next)
	var next api.CountryList
	json.Unmarshal(body, &next)
	if len(next.Items) != 1 || next.Items[0].ISO3 != "UGA" || next.Next != "" {
		t.Fatalf("next page = %+v", next)
	}
}

func TestHealthz(t *testing.T) {
	srv, _ := newServer(t, nil)
	if resp, _ := get(t, srv.URL+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthy: status %d", resp.StatusCode)
	}
	down, _ := newServer(t, func(context.Context) error { return errors.New("connection refused") })
	resp, body := get(t, down.URL+"/healthz")
	if resp.StatusCode != 503 || !strings.Contains(string(body), "unreachable") {
		t.Errorf("database down: status %d body %s", resp.StatusCode, body)
	}
}

func TestSecurityHeadersAndBodyLimit(t *testing.T) {
	srv, _ := newServer(t, nil)
	resp, _ := get(t, srv.URL+"/api/v1/countries")
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("header %s missing", h)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	big := strings.NewReader(strings.Repeat("x", 2<<20))
	r, err := http.Post(srv.URL+"/api/v1/countries", "application/json", big)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 413 {
		t.Errorf("oversized body: status %d, want 413", r.StatusCode)
	}
}

// TestOpenAPIMatchesRoutes: every registered API route is described in the
// OpenAPI document and every described operation is registered.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	db, err := store.Open(context.Background(), storetest.Engines(t)[0].DSN, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	router := web.NewRouter(nil)
	api.New(api.Config{Geo: sample, Version: "test", Metrics: http.NotFoundHandler(), DB: db, Auth: &webauth.Auth{DB: db}}).Register(router)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	described := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			described[strings.ToUpper(method)+" "+path] = true
		}
	}
	registered := map[string]bool{}
	for _, r := range router.Routes() {
		registered[r.Method+" "+r.Pattern] = true
	}
	var missing, extra []string
	for k := range registered {
		if !described[k] {
			missing = append(missing, k)
		}
	}
	for k := range described {
		if !registered[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("routes not described: %v; described but not registered: %v", missing, extra)
	}
	if len(registered) < 30 {
		t.Errorf("only %d routes registered", len(registered))
	}
}
