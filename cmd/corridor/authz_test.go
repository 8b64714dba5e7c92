package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/crypt"
	"github.com/corridor-platform/corridor/internal/store"
)

// routePolicy is the authorization table: every API route with the
// resource and action it must declare. A route that is registered but not
// listed here fails TestAuthorizationTable, so a new route cannot slip in
// without a policy decision.
var routePolicy = map[string][2]string{
	"GET /api/v1/countries":         {"countries", "read"},
	"GET /api/v1/countries/{iso3}":  {"countries", "read"},
	"GET /api/v1/openapi.json":      {"system", "read"},
	"GET /healthz":                  {"system", "read"},
	"GET /metrics":                  {"metrics", "read"},
	"POST /api/v1/session":          {"session", "create"},
	"GET /api/v1/session":           {"session", "read"},
	"DELETE /api/v1/session":        {"session", "delete"},
	"GET /api/v1/account":           {"account", "read"},
	"PUT /api/v1/account/password":  {"account", "update"},
	"GET /api/v1/users":             {"users", "read"},
	"POST /api/v1/users":            {"users", "create"},
	"GET /api/v1/users/{id}":        {"users", "read"},
	"PUT /api/v1/users/{id}":        {"users", "update"},
	"GET /api/v1/orgs":              {"orgs", "read"},
	"POST /api/v1/orgs":             {"orgs", "create"},
	"GET /api/v1/orgs/{id}/teams":   {"teams", "read"},
	"POST /api/v1/orgs/{id}/teams":  {"teams", "create"},
	"GET /api/v1/roles":             {"roles", "read"},
	"POST /api/v1/roles":            {"roles", "create"},
	"PUT /api/v1/roles/{name}":      {"roles", "update"},
	"DELETE /api/v1/roles/{name}":   {"roles", "delete"},
	"GET /api/v1/tokens":            {"tokens", "read"},
	"POST /api/v1/tokens":           {"tokens", "create"},
	"DELETE /api/v1/tokens/{id}":    {"tokens", "delete"},
	"GET /api/v1/audit":             {"audit", "read"},
	"GET /api/v1/audit/export":      {"audit", "export"},
	"GET /api/v1/audit/verify":      {"audit", "read"},
	"GET /api/v1/indicators":        {"indicators", "read"},
	"POST /api/v1/indicators":       {"indicators", "create"},
	"GET /api/v1/indicators/{code}": {"indicators", "read"},
	"GET /api/v1/data":              {"statistics", "read"},
	"GET /api/v1/map":               {"statistics", "read"},
	"GET /api/v1/people":            {"people", "read"},
	"POST /api/v1/people":           {"people", "create"},
	"GET /api/v1/people/{id}":       {"people", "read"},
	"PUT /api/v1/people/{id}":       {"people", "update"},

	// Development plans (internal/plans).
	"GET /api/v1/plans":                                             {"plans", "read"},
	"POST /api/v1/plans":                                            {"plans", "create"},
	"GET /api/v1/plans/{id}":                                        {"plans", "read"},
	"PATCH /api/v1/plans/{id}":                                      {"plans", "update"},
	"DELETE /api/v1/plans/{id}":                                     {"plans", "delete"},
	"POST /api/v1/plans/{id}/goals":                                 {"plans", "update"},
	"POST /api/v1/plans/{id}/indicators":                            {"plans", "update"},
	"POST /api/v1/plans/{id}/indicators/{indicatorId}/measurements": {"plans", "update"},
	"GET /api/v1/plans/{id}/progress":                               {"plans", "read"},
	"GET /api/v1/plans/{id}/report.csv":                             {"plans", "export"},

	// De-identified releases: built, reported and published by data
	// publishers; the public reads published releases only.
	"GET /api/v1/releases":                         {"releases", "read"},
	"POST /api/v1/releases":                        {"releases", "create"},
	"GET /api/v1/releases/{id}":                    {"releases", "read"},
	"POST /api/v1/releases/{id}/publish":           {"releases", "publish"},
	"POST /api/v1/releases/{id}/withdraw":          {"releases", "publish"},
	"GET /api/v1/trafficking/releases":             {"trafficking", "read"},
	"GET /api/v1/trafficking/releases/{id}/{file}": {"trafficking", "read"},

	// Remittance prices: public reads; providers (and organisation
	// administrators) submit their organisation's quotes.
	"GET /api/v1/remittances/quotes":                  {"remittances", "read"},
	"POST /api/v1/remittances/quotes":                 {"remittances", "create"},
	"GET /api/v1/remittances/corridors/{corridor}":    {"remittances", "read"},
	"GET /api/v1/remittances/averages":                {"remittances", "read"},
	"GET /api/v1/remittances/fees":                    {"remittances", "read"},
	"GET /api/v1/remittances/quotes/mine":             {"remittances", "create"},
	"POST /api/v1/remittances/quotes/{id}/correction": {"remittances", "create"},
	"POST /api/v1/remittances/quotes/{id}/withdraw":   {"remittances", "create"},

	// Labour mobility (internal/labour): vacancies (published ones public),
	// workers (personal, scoped); the store checks each record's scope.
	"GET /api/v1/occupations":                    {"statistics", "read"},
	"GET /api/v1/occupations/{code}":             {"statistics", "read"},
	"GET /api/v1/skills":                         {"statistics", "read"},
	"GET /api/v1/vacancies":                      {"labour", "read"},
	"POST /api/v1/vacancies":                     {"labour", "create"},
	"GET /api/v1/vacancies/{id}":                 {"labour", "read"},
	"POST /api/v1/vacancies/{id}/status":         {"labour", "update"},
	"GET /api/v1/vacancies/{id}/candidates":      {"labour", "read"},
	"GET /api/v1/workers":                        {"workers", "read"},
	"POST /api/v1/workers":                       {"workers", "create"},
	"GET /api/v1/workers/{id}":                   {"workers", "read"},
	"PUT /api/v1/workers/{id}":                   {"workers", "update"},
	"POST /api/v1/workers/{id}/withdraw":         {"workers", "update"},
	"GET /api/v1/workers/{id}/vacancies":         {"workers", "read"},
	"GET /api/v1/workers/{id}/costs":             {"workers", "read"},
	"POST /api/v1/workers/{id}/costs":            {"workers", "update"},
	"PUT /api/v1/workers/{id}/wage":              {"workers", "update"},
	"GET /api/v1/drives":                         {"labour", "read"},
	"POST /api/v1/drives":                        {"labour", "create"},
	"GET /api/v1/drives/{id}":                    {"labour", "read"},
	"POST /api/v1/drives/{id}/assignment":        {"labour", "assign"},
	"POST /api/v1/drives/{id}/shortlist":         {"labour", "update"},
	"GET /api/v1/applications/{id}":              {"labour", "read"},
	"POST /api/v1/applications/{id}/stage":       {"labour", "update"},
	"POST /api/v1/applications/{id}/orientation": {"labour", "update"},
	"GET /api/v1/recruiters":                     {"labour", "read"},
	"PUT /api/v1/recruiters/{id}/certification":  {"labour", "publish"},
	"POST /api/v1/recruiters":                    {"labour", "create"},
	"GET /api/v1/labour/costs":                   {"labour", "read"},
	"GET /api/v1/labour/market":                  {"labour", "read"},

	// Case management (internal/cases): personal, scoped; the store checks
	// each case's scope and audits.
	"GET /api/v1/cases":                                {"cases", "read"},
	"GET /api/v1/trafficking":                          {"trafficking", "read"},
	"GET /api/v1/trafficking/summary":                  {"trafficking", "read"},
	"GET /api/v1/trafficking/map":                      {"trafficking", "read"},
	"POST /api/v1/cases":                               {"cases", "create"},
	"GET /api/v1/cases/dashboard":                      {"cases", "read"},
	"GET /api/v1/cases/export":                         {"cases", "export"},
	"GET /api/v1/cases/tasks/overdue":                  {"cases", "read"},
	"POST /api/v1/cases/merge":                         {"cases", "update"},
	"GET /api/v1/cases/{id}":                           {"cases", "read"},
	"PATCH /api/v1/cases/{id}":                         {"cases", "update"},
	"POST /api/v1/cases/{id}/transition":               {"cases", "update"},
	"POST /api/v1/cases/{id}/assign":                   {"cases", "assign"},
	"GET /api/v1/cases/{id}/referrals":                 {"cases", "read"},
	"POST /api/v1/cases/{id}/referrals":                {"cases", "refer"},
	"POST /api/v1/cases/{id}/referrals/{rid}/decision": {"cases", "refer"},
	"GET /api/v1/cases/{id}/services":                  {"cases", "read"},
	"POST /api/v1/cases/{id}/services":                 {"cases", "update"},
	"GET /api/v1/cases/{id}/consents":                  {"cases", "read"},
	"POST /api/v1/cases/{id}/consents":                 {"cases", "update"},
	"GET /api/v1/cases/{id}/comments":                  {"cases", "read"},
	"POST /api/v1/cases/{id}/comments":                 {"cases", "update"},
	"GET /api/v1/cases/{id}/tasks":                     {"cases", "read"},
	"POST /api/v1/cases/{id}/tasks":                    {"cases", "update"},
	"POST /api/v1/cases/{id}/tasks/{tid}/done":         {"cases", "update"},
	"GET /api/v1/cases/{id}/monitoring":                {"cases", "read"},
	"POST /api/v1/cases/{id}/monitoring":               {"cases", "update"},
}

// narrowedRoutes are routes whose handler asks more than the declared
// grant: a role holding the grant may still get 403 there when its scope
// is narrower than the one named (the caseload dashboard needs read on
// cases at team scope or wider; a case worker's own list is the case list).
var narrowedRoutes = map[string]struct {
	resource, action string
	min              auth.Scope
}{
	"GET /api/v1/cases/dashboard": {"cases", "read", auth.ScopeTeam},
}

// testApp is the real stack over a temp SQLite database with keys, one
// organisation and one signed-in user per built-in role.
type testApp struct {
	db       *store.DB
	handler  http.Handler
	routes   []string             // "METHOD PATTERN" of every declared route
	sessions map[string][2]string // role → {session secret, csrf}
	orgID    int64
}

func newTestApp(t testing.TB, dsn string) *testApp {
	t.Helper()
	ctx := context.Background()
	if dsn == "" {
		dsn = filepath.Join(t.TempDir(), "authz.db")
	}
	cfg := &Config{DB: dsn, BodyLimit: 1 << 20, DataDir: dataDir}
	db, err := openDB(ctx, cfg, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Accounts().EnsureBuiltinRoles(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Stats().EnsureBuiltinIndicators(ctx); err != nil {
		t.Fatal(err)
	}
	kf, err := crypt.GenerateKeyFile()
	if err != nil {
		t.Fatal(err)
	}
	kr, err := crypt.ParseKeyring(kf)
	if err != nil {
		t.Fatal(err)
	}
	db.SetKeys(kr)
	h, router, err := buildStack(cfg, db, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	app := &testApp{db: db, handler: h, sessions: map[string][2]string{}}
	for _, r := range router.Routes() {
		app.routes = append(app.routes, r.Method+" "+r.Pattern)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		org, err := db.Accounts().CreateOrg(ctx, tx, auth.Org{Name: "Ministry of Labour", Kind: "government", Country: "KEN"})
		if err != nil {
			return err
		}
		app.orgID = org.ID
		for _, r := range auth.BuiltinRoles() {
			if r.Name == auth.RolePublic || r.Name == auth.RoleSignedIn {
				continue
			}
			u := auth.User{Username: "u-" + r.Name, FullName: "User " + r.Name, OrgID: org.ID, Roles: []string{r.Name}}
			if _, err := db.Accounts().CreateUser(ctx, tx, u, "correct horse battery staple "+r.Name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range auth.BuiltinRoles() {
		if r.Name == auth.RolePublic || r.Name == auth.RoleSignedIn {
			continue
		}
		app.sessions[r.Name] = app.session(t, "u-"+r.Name)
	}
	return app
}

// session starts a session for a user directly in the store (signing in
// through the API is tested separately; argon2 per request would be slow).
func (a *testApp) session(t testing.TB, username string) [2]string {
	t.Helper()
	id, err := a.db.Accounts().UserID(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	secret, csrf, err := a.db.Sessions().Create(context.Background(), id, "127.0.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	return [2]string{secret, csrf}
}

// do sends a request as a role ("" = signed out).
func (a *testApp) do(t testing.TB, role, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	if role != "" {
		s := a.sessions[role]
		req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: s[0]})
		req.Header.Set("X-CSRF-Token", s[1])
	}
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, req)
	return rec
}

// concretePath fills path parameters with values that touch nothing real
// (unknown ids and names), so allowed requests end in 400/404, never in a
// change that would disturb the other cases.
func concretePath(pattern string) string {
	return strings.NewReplacer("{iso3}", "KEN", "{id}", "999999", "{name}", "no-such-role", "{code}", "no_such_indicator",
		"{indicatorId}", "999999", "{rid}", "999999", "{file}", "records.csv", "{corridor}", "KEN-UGA").Replace(pattern)
}

func isAPIRoute(key string) bool {
	path := strings.SplitN(key, " ", 2)[1]
	return strings.HasPrefix(path, "/api/") || path == "/healthz" || path == "/metrics"
}

func TestAuthorizationTable(t *testing.T) {
	app := newTestApp(t, "")
	var api []string
	for _, k := range app.routes {
		if isAPIRoute(k) {
			api = append(api, k)
			if _, ok := routePolicy[k]; !ok {
				t.Errorf("route %s has no entry in the authorization table (routePolicy)", k)
			}
		}
	}
	for k := range routePolicy {
		if !contains(app.routes, k) {
			t.Errorf("routePolicy lists %s, which is not registered", k)
		}
	}
	sort.Strings(api)

	roles := map[string]auth.Role{}
	for _, r := range auth.BuiltinRoles() {
		roles[r.Name] = r
	}
	principals := []string{""} // signed out
	for name := range app.sessions {
		principals = append(principals, name)
	}
	sort.Strings(principals)
	checked := 0
	defer func() {
		t.Logf("%d route × principal cases checked (%d API routes, %d principals)", checked, len(api), len(principals))
	}()
	for _, who := range principals {
		granted := []auth.Role{roles[auth.RolePublic]}
		if who != "" {
			granted = append(granted, roles[auth.RoleSignedIn], roles[who])
		}
		p := auth.NewPrincipal(1, who, 1, nil, granted, nil)
		for _, k := range api {
			if k == "DELETE /api/v1/session" && who != "" {
				continue // tested below with a session of its own
			}
			ra := routePolicy[k]
			method, pattern, _ := strings.Cut(k, " ")
			body := ""
			if method == "POST" || method == "PUT" || method == "PATCH" {
				body = "{}"
			}
			rec := app.do(t, who, method, concretePath(pattern), body)
			checked++
			label := who
			if label == "" {
				label = "signed-out"
			}
			allowed := p.Can(ra[0], ra[1])
			if n, ok := narrowedRoutes[k]; ok && allowed && p.Scope(n.resource, n.action) < n.min {
				if rec.Code != http.StatusForbidden {
					t.Errorf("%s as %s: status %d, want 403 (scope narrower than %v)", k, who, rec.Code, n.min)
				}
				continue
			}
			switch {
			case !allowed && who == "" && rec.Code != http.StatusUnauthorized:
				t.Errorf("%s as %s: status %d, want 401 (not allowed %s:%s)", k, label, rec.Code, ra[0], ra[1])
			case !allowed && who != "" && rec.Code != http.StatusForbidden:
				t.Errorf("%s as %s: status %d, want 403 (not allowed %s:%s)", k, label, rec.Code, ra[0], ra[1])
			case allowed && (rec.Code == http.StatusForbidden || rec.Code == http.StatusUnauthorized && k != "POST /api/v1/session"):
				t.Errorf("%s as %s: status %d, want the request let through (allowed %s:%s): %s", k, label, rec.Code, ra[0], ra[1], rec.Body)
			}
		}
	}
	// Signing out with a session of its own, for every role.
	for role := range app.sessions {
		app.sessions[role] = app.session(t, "u-"+role)
		if rec := app.do(t, role, "DELETE", "/api/v1/session", ""); rec.Code != http.StatusNoContent {
			t.Errorf("DELETE /api/v1/session as %s: %d", role, rec.Code)
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
