package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/crypt"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/i18n"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/webauth"
)

// testPassword is every test user's password: long, not a common one.
const testPassword = "violet-harbour-seventeen-kites"

// accountHarness is the UI on a real store (a temp SQLite file) behind the
// real policy layer, as cmd/corridor's buildHandler mounts it, with two
// organisations and a user per role that matters.
type accountHarness struct {
	*harness
	db         *store.DB
	orgA, orgB auth.Org
	ids        map[string]int64 // username → user id
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func newAccountHarness(t *testing.T) *accountHarness {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.Engines(t)[0].DSN, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Accounts().EnsureBuiltinRoles(ctx); err != nil {
		t.Fatal(err)
	}
	db.SetKeys(must(crypt.ParseKeyring(must(crypt.GenerateKeyFile()))))

	h := &accountHarness{db: db, ids: map[string]int64{}}
	err = db.InTx(ctx, func(tx *store.Tx) (err error) {
		acc := db.Accounts()
		if h.orgA, err = acc.CreateOrg(ctx, tx, auth.Org{Name: "Ministry of Labour", Kind: "government", Country: "KEN"}); err != nil {
			return err
		}
		if h.orgB, err = acc.CreateOrg(ctx, tx, auth.Org{Name: "Diaspora Network", Kind: "diaspora-association", Country: "FRA"}); err != nil {
			return err
		}
		for _, u := range []auth.User{
			{Username: "root", FullName: "Rania Root", Email: "root@example.org", OrgID: h.orgA.ID, Roles: []string{auth.RoleSystemAdmin}},
			{Username: "oadmin", FullName: "Omar Admin", Email: "oadmin@example.org", OrgID: h.orgA.ID, Roles: []string{auth.RoleOrgAdmin}},
			{Username: "viewer", FullName: "Vera Viewer", Email: "vera@example.org", OrgID: h.orgA.ID, Roles: []string{auth.RoleViewer}},
			{Username: "bob", FullName: "Bob Other", Email: "bob@example.net", OrgID: h.orgB.ID, Roles: []string{auth.RoleViewer}},
		} {
			created, err := acc.CreateUser(ctx, tx, u, testPassword)
			if err != nil {
				return err
			}
			h.ids[u.Username] = created.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	// Debug level: the test of personal data in logs sees every line.
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	authn := &webauth.Auth{DB: db}
	record := func(ctx context.Context, e audit.Entry) error { _, err := db.Audit().Append(ctx, e); return err }
	var u *UI
	pageError := func(w http.ResponseWriter, r *http.Request, err error) { u.PolicyError(w, r, err) }
	router := web.NewRouter(web.Chain(web.Instrument(nil, log), web.Policy(authn, record, log, pageError)))
	u, err = New(Config{Geo: newMemStore(testReference()), Log: log, Catalog: cat, Version: "test", DB: db, Auth: authn})
	if err != nil {
		t.Fatal(err)
	}
	u.Register(router)
	stack := &web.Stack{Router: router, Log: log, BodyLimit: 1 << 20, NotFoundPage: u.NotFoundPage}
	h.harness = &harness{ui: u, handler: stack.Handler(), logs: logs}
	return h
}

// addRole creates a role directly in the store.
func (h *accountHarness) addRole(t *testing.T, role auth.Role) {
	t.Helper()
	ctx := context.Background()
	err := h.db.InTx(ctx, func(tx *store.Tx) error { _, err := h.db.Accounts().CreateRole(ctx, tx, role); return err })
	if err != nil {
		t.Fatal(err)
	}
}

// addUser creates a user (with the test password) directly in the store.
func (h *accountHarness) addUser(t *testing.T, u auth.User) int64 {
	t.Helper()
	ctx := context.Background()
	err := h.db.InTx(ctx, func(tx *store.Tx) (err error) {
		u, err = h.db.Accounts().CreateUser(ctx, tx, u, testPassword)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	h.ids[u.Username] = u.ID
	return u.ID
}

// addTeam creates a team directly in the store.
func (h *accountHarness) addTeam(t *testing.T, orgID int64, name string) auth.Team {
	t.Helper()
	ctx := context.Background()
	team := auth.Team{OrgID: orgID, Name: name}
	err := h.db.InTx(ctx, func(tx *store.Tx) (err error) { team, err = h.db.Accounts().CreateTeam(ctx, tx, team); return err })
	if err != nil {
		t.Fatal(err)
	}
	return team
}

// role reads a role from the store.
func (h *accountHarness) role(t *testing.T, name string) (auth.Role, bool) {
	t.Helper()
	roles, err := h.db.Accounts().Roles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r, ok := roles[name]
	return r, ok
}

// user reads a user from the store.
func (h *accountHarness) user(t *testing.T, username string) auth.User {
	t.Helper()
	return must(h.db.Accounts().User(context.Background(), h.ids[username]))
}

// client is a browser: it keeps cookies (by name, honouring Path) and
// comes from one address.
type client struct {
	t       *testing.T
	handler http.Handler
	addr    string
	cookies map[string]*http.Cookie
}

func (h *accountHarness) client(t *testing.T) *client {
	return &client{t: t, handler: h.handler, addr: "192.0.2.10:4321", cookies: map[string]*http.Cookie{}}
}

// do sends a request; form, when not nil, is the urlencoded body; header
// holds name, value pairs.
func (c *client) do(method, target string, form url.Values, header ...string) *httptest.ResponseRecorder {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	r.RemoteAddr = c.addr
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	for _, ck := range c.cookies {
		if ck.Path == "" || strings.HasPrefix(r.URL.Path, ck.Path) {
			r.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
		}
	}
	w := httptest.NewRecorder()
	c.handler.ServeHTTP(w, r)
	for _, ck := range w.Result().Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	return w
}

func (c *client) get(target string) *httptest.ResponseRecorder {
	return c.do(http.MethodGet, target, nil)
}

func (c *client) session() string {
	if ck := c.cookies[auth.SessionCookie]; ck != nil {
		return ck.Value
	}
	return ""
}

var (
	loginTokenRE = regexp.MustCompile(`action="/login">\s*<input type="hidden" name="csrf_token" value="([^"]+)"`)
	csrfRE       = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
)

// loginForm opens the sign-in page and returns its form with the token.
func (c *client) loginForm(username, password, next string) url.Values {
	c.t.Helper()
	w := c.get("/login")
	m := loginTokenRE.FindStringSubmatch(w.Body.String())
	if w.Code != 200 || m == nil {
		c.t.Fatalf("GET /login: %d, no token\n%s", w.Code, w.Body)
	}
	return url.Values{"csrf_token": {m[1]}, "username": {username}, "password": {password}, "next": {next}}
}

// signIn signs in through the form and fails the test if that fails.
func (c *client) signIn(username string) {
	c.t.Helper()
	w := c.do(http.MethodPost, "/login", c.loginForm(username, testPassword, "/"))
	if w.Code != http.StatusSeeOther || c.session() == "" {
		c.t.Fatalf("signing in as %s: %d\n%s", username, w.Code, w.Body)
	}
}

// csrf reads the session's CSRF token from a page's sign-out form.
func (c *client) csrf() string {
	c.t.Helper()
	m := csrfRE.FindStringSubmatch(c.get("/").Body.String())
	if m == nil {
		c.t.Fatal("no csrf_token on the home page")
	}
	return m[1]
}

func wantBody(t *testing.T, w *httptest.ResponseRecorder, want, reject []string) {
	t.Helper()
	body := w.Body.String()
	for _, s := range want {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	for _, s := range reject {
		if strings.Contains(body, s) {
			t.Errorf("page has %q", s)
		}
	}
	if t.Failed() {
		t.Logf("status %d, body:\n%s", w.Code, body)
	}
}

func TestSignIn(t *testing.T) {
	h := newAccountHarness(t)
	tests := []struct {
		name               string
		username, password string
		next               string
		edit               func(c *client, f url.Values) // tampers with the request
		header             []string
		status             int
		location           string
		want, reject       []string
	}{
		{name: "success to next", username: "viewer", password: testPassword, next: "/account", status: 303, location: "/account"},
		{name: "success without next", username: "viewer", password: testPassword, status: 303, location: "/"},
		{name: "upper-case username", username: " VIEWER ", password: testPassword, status: 303, location: "/"},
		{name: "next keeps its query", username: "viewer", password: testPassword, next: "/countries?q=ken", status: 303, location: "/countries?q=ken"},
		{name: "open redirect //host", username: "viewer", password: testPassword, next: "//evil.example", status: 303, location: "/"},
		{name: "open redirect absolute", username: "viewer", password: testPassword, next: "https://evil.example/", status: 303, location: "/"},
		{name: "open redirect backslash", username: "viewer", password: testPassword, next: `/\evil.example`, status: 303, location: "/"},
		{name: "open redirect scheme-relative with tab", username: "viewer", password: testPassword, next: "/\t/evil.example", status: 303, location: "/"},
		{name: "same-origin Origin", username: "viewer", password: testPassword, header: []string{"Origin", "http://example.com"}, status: 303, location: "/"},

		{name: "wrong password", username: "viewer", password: "not-the-password-at-all", status: 401,
			want: []string{"Wrong username or password.", `role="alert"`}, reject: []string{`value="viewer"`}},
		{name: "unknown user", username: "nobody", password: testPassword, status: 401,
			want: []string{"Wrong username or password."}, reject: []string{"no such", "not exist"}},
		{name: "empty password", username: "viewer", password: "", status: 400,
			want: []string{"Password: this field is required.", `aria-invalid="true"`, `value="viewer"`}},
		{name: "missing token cookie", username: "viewer", password: testPassword, status: 403,
			edit: func(c *client, f url.Values) { delete(c.cookies, loginCSRFCookie) },
			want: []string{"The sign-in form has expired."}},
		{name: "missing token field", username: "viewer", password: testPassword, status: 403,
			edit: func(c *client, f url.Values) { f.Del("csrf_token") }, want: []string{"The sign-in form has expired."}},
		{name: "forged token", username: "viewer", password: testPassword, status: 403,
			edit: func(c *client, f url.Values) {
				f.Set("csrf_token", must(auth.NewSecret("")))
			}, want: []string{"The sign-in form has expired."}},
		{name: "cross-origin Origin", username: "viewer", password: testPassword, header: []string{"Origin", "https://evil.example"},
			status: 403, want: []string{"did not come from this site"}},
		{name: "cross-site fetch metadata", username: "viewer", password: testPassword, header: []string{"Sec-Fetch-Site", "cross-site"},
			status: 403, want: []string{"did not come from this site"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := h.client(t)
			f := c.loginForm(tt.username, tt.password, tt.next)
			if tt.edit != nil {
				tt.edit(c, f)
			}
			w := c.do(http.MethodPost, "/login", f, tt.header...)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d\n%s", w.Code, tt.status, w.Body)
			}
			if loc := w.Header().Get("Location"); loc != tt.location {
				t.Errorf("Location %q, want %q", loc, tt.location)
			}
			if tt.status == 303 {
				var sess *http.Cookie
				for _, ck := range w.Result().Cookies() {
					if ck.Name == auth.SessionCookie {
						sess = ck
					}
				}
				if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" {
					t.Fatalf("session cookie %+v", sess)
				}
				if c.cookies[loginCSRFCookie] != nil {
					t.Error("the sign-in token cookie outlived the sign-in")
				}
				if w := c.get("/account"); w.Code != 200 {
					t.Errorf("after signing in, /account: %d", w.Code)
				}
				return
			}
			if c.session() != "" {
				t.Error("a refused sign-in set a session cookie")
			}
			if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
			wantBody(t, w, append([]string{`<form class="form-card" method="post" action="/login">`}, tt.want...), tt.reject)
		})
	}
	// Nothing typed into the form reaches the logs.
	for _, secret := range []string{testPassword, "not-the-password-at-all", "nobody"} {
		if strings.Contains(h.logs.String(), secret) {
			t.Errorf("the logs contain %q", secret)
		}
	}
}

func TestLoginFormPage(t *testing.T) {
	h := newAccountHarness(t)
	c := h.client(t)
	w := c.get("/login?next=%2Fadmin%2Fusers&lang=fr")
	ck := c.cookies[loginCSRFCookie]
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/login" {
		t.Fatalf("login token cookie %+v", ck)
	}
	wantBody(t, w, []string{`<html lang="fr">`, "Se connecter à Corridor", `name="next" value="/admin/users"`,
		`name="csrf_token" value="` + ck.Value + `"`, `autocomplete="current-password"`,
		// The language links keep where to go after signing in.
		`href="/login?lang=es&amp;next=%2Fadmin%2Fusers"`}, nil)
	// A second visit keeps the token (another tab's form stays valid).
	c.get("/login")
	if c.cookies[loginCSRFCookie].Value != ck.Value {
		t.Error("the token changed between two visits")
	}
	// An unsafe next is not carried by the form.
	wantBody(t, c.get("/login?next=//evil.example"), []string{`name="next" value=""`}, []string{"evil.example"})
}

func TestSignInRotatesTheSession(t *testing.T) {
	h := newAccountHarness(t)
	c := h.client(t)
	// A session id planted before signing in is never signed in.
	c.cookies[auth.SessionCookie] = &http.Cookie{Name: auth.SessionCookie, Value: "s_planted", Path: "/"}
	c.signIn("viewer")
	first := c.session()
	if first == "s_planted" {
		t.Fatal("the planted session id was kept")
	}
	c.signIn("viewer") // signing in again, with the first session's cookie
	second := c.session()
	if second == first {
		t.Fatal("signing in again did not rotate the session")
	}
	old := h.client(t)
	old.cookies[auth.SessionCookie] = &http.Cookie{Name: auth.SessionCookie, Value: first, Path: "/"}
	if w := old.get("/account"); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?next=%2Faccount" {
		t.Errorf("the old session still works: %d %q", w.Code, w.Header().Get("Location"))
	}
	if w := c.get("/account"); w.Code != 200 {
		t.Errorf("the new session: %d", w.Code)
	}
}

func TestSignInThrottled(t *testing.T) {
	h := newAccountHarness(t)
	c := h.client(t)
	for i := range auth.MaxAccountFailures {
		if w := c.do(http.MethodPost, "/login", c.loginForm("viewer", "wrong-password-number-"+strconv.Itoa(i), "")); w.Code != 401 {
			t.Fatalf("failure %d: status %d", i+1, w.Code)
		}
	}
	// Locked now, even with the right password.
	w := c.do(http.MethodPost, "/login", c.loginForm("viewer", testPassword, ""))
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429\n%s", w.Code, w.Body)
	}
	if ra, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || ra <= 0 {
		t.Errorf("Retry-After %q", w.Header().Get("Retry-After"))
	}
	wantBody(t, w, []string{"Too many failed sign-ins. Try again after", " UTC."}, nil)
	if c.session() != "" {
		t.Error("a throttled sign-in set a session cookie")
	}
	// In Spanish too.
	w = c.do(http.MethodPost, "/login?lang=es", c.loginForm("viewer", testPassword, ""))
	wantBody(t, w, []string{"Demasiados inicios de sesión fallidos."}, nil)
}

func TestSignOut(t *testing.T) {
	h := newAccountHarness(t)
	c := h.client(t)
	c.signIn("viewer")
	token := c.csrf()

	// Without the CSRF token: refused with a page, still signed in.
	w := c.do(http.MethodPost, "/logout", url.Values{})
	if w.Code != http.StatusForbidden {
		t.Fatalf("sign-out without CSRF: %d", w.Code)
	}
	wantBody(t, w, []string{"The form has expired", "Error 403"}, nil)
	w = c.do(http.MethodPost, "/logout", url.Values{"csrf_token": {"wrong"}})
	if w.Code != http.StatusForbidden {
		t.Fatalf("sign-out with a wrong CSRF token: %d", w.Code)
	}
	if w := c.get("/account"); w.Code != 200 {
		t.Fatalf("a refused sign-out signed out: %d", w.Code)
	}

	// With it: signed out and home.
	sess := c.session()
	w = c.do(http.MethodPost, "/logout", url.Values{"csrf_token": {token}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/" {
		t.Fatalf("sign-out: %d %q", w.Code, w.Header().Get("Location"))
	}
	if c.session() != "" {
		t.Error("the session cookie was not cleared")
	}
	replay := h.client(t)
	replay.cookies[auth.SessionCookie] = &http.Cookie{Name: auth.SessionCookie, Value: sess, Path: "/"}
	if w := replay.get("/account"); w.Code != http.StatusSeeOther {
		t.Errorf("the ended session still works: %d", w.Code)
	}
	wantBody(t, c.get("/"), []string{`href="/login"`, ">Sign in<"}, []string{"/logout"})

	// Signing out while signed out: an error page, not a redirect.
	w = h.client(t).do(http.MethodPost, "/logout", url.Values{})
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("signed-out sign-out: %d", w.Code)
	}
	wantBody(t, w, []string{"Sign-in required", `href="/login"`}, nil)
}

func TestAccessControl(t *testing.T) {
	h := newAccountHarness(t)
	tests := []struct {
		user         string // "" signed out
		method, url  string
		status       int
		location     string
		want, reject []string
	}{
		{"", "GET", "/account", 303, "/login?next=%2Faccount", nil, nil},
		{"", "GET", "/admin/users?offset=0", 303, "/login?next=%2Fadmin%2Fusers%3Foffset%3D0", nil, nil},
		{"", "GET", "/admin/audit", 303, "/login?next=%2Fadmin%2Faudit", nil, nil},
		{"", "POST", "/account/password", 401, "", []string{"Sign-in required", "Error 401", `<html lang="en">`}, nil},
		{"", "POST", "/admin/users", 401, "", []string{"Sign-in required"}, nil},
		{"", "GET", "/login", 200, "", nil, nil},
		{"viewer", "GET", "/account", 200, "", []string{"Vera Viewer"}, nil},
		{"viewer", "GET", "/admin/users", 403, "", []string{"Access denied", "Error 403", "Signed in as viewer"}, []string{"Vera Viewer"}},
		{"viewer", "GET", "/admin/users/new", 403, "", []string{"Access denied"}, nil},
		{"viewer", "GET", "/admin/roles", 403, "", []string{"Access denied"}, nil},
		{"viewer", "GET", "/admin/audit", 403, "", []string{"Access denied"}, nil},
		{"viewer", "POST", "/admin/users", 403, "", []string{"Access denied"}, nil},
		{"oadmin", "GET", "/admin/users", 200, "", []string{"Omar Admin", "Vera Viewer", "vera@example.org", "Ministry of Labour", "3 users"},
			[]string{"Bob Other", "Diaspora Network"}},
		{"oadmin", "GET", "/admin/roles", 200, "", nil, nil},
		{"root", "GET", "/admin/users", 200, "", []string{"Rania Root", "Bob Other", "bob@example.net", "Diaspora Network", "4 users",
			"System administrator", "Viewer"}, nil},
		{"root", "GET", "/admin/users?limit=2", 200, "", []string{"Page 1 of 2", `href="/admin/users?limit=2&amp;offset=2"`, "Users 1–2 of 4"}, nil},
		{"root", "GET", "/admin/users?limit=2&offset=2&lang=fr", 200, "", []string{"Page 2 sur 2", "Utilisateurs 3 à 4 sur 4"}, nil},
		{"root", "GET", "/admin/users?limit=0&lang=en", 400, "", []string{"“limit”"}, nil},
	}
	clients := map[string]*client{}
	for _, tt := range tests {
		t.Run(tt.user+" "+tt.method+" "+tt.url, func(t *testing.T) {
			c := clients[tt.user]
			if c == nil {
				c = h.client(t)
				if tt.user != "" {
					c.signIn(tt.user)
				}
				clients[tt.user] = c
			}
			c.t = t
			var form url.Values
			if tt.method == http.MethodPost {
				form = url.Values{}
				if tt.user != "" {
					form.Set("csrf_token", c.csrf())
				}
			}
			w := c.do(tt.method, tt.url, form)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d\n%s", w.Code, tt.status, w.Body)
			}
			if loc := w.Header().Get("Location"); loc != tt.location {
				t.Errorf("Location %q, want %q", loc, tt.location)
			}
			if w.Code != http.StatusSeeOther && w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", w.Header().Get("Content-Type"))
			}
			wantBody(t, w, tt.want, tt.reject)
		})
	}
}

// The header and navigation follow who is signed in and what they may do.
func TestLayoutFollowsThePrincipal(t *testing.T) {
	h := newAccountHarness(t)
	adminLinks := []string{`href="/admin/users"`, `href="/admin/roles"`, `href="/admin/audit"`}
	tests := []struct {
		user         string
		want, reject []string
	}{
		{"", []string{`href="/login?next=%2Fcountries"`, ">Sign in<"}, append([]string{"/logout", "Signed in as"}, adminLinks...)},
		{"viewer", []string{"Signed in as viewer", `href="/account"`, `action="/logout"`, `name="csrf_token"`}, append([]string{">Sign in<"}, adminLinks...)},
		{"oadmin", append([]string{"Signed in as oadmin"}, adminLinks...), nil},
		{"root", append([]string{"Signed in as root"}, adminLinks...), nil},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			c := h.client(t)
			if tt.user != "" {
				c.signIn(tt.user)
			}
			w := c.get("/countries")
			if w.Code != 200 {
				t.Fatalf("status %d", w.Code)
			}
			wantBody(t, w, tt.want, tt.reject)
			if cc := w.Header().Get("Cache-Control"); (tt.user != "") != (cc == "no-store") {
				t.Errorf("Cache-Control %q for %q", cc, tt.user)
			}
		})
	}
}

func TestAccountPage(t *testing.T) {
	h := newAccountHarness(t)
	c := h.client(t)
	c.signIn("oadmin")
	wantBody(t, c.get("/account"), []string{"<h1>Your account</h1>", "<code>oadmin</code>", "Omar Admin", "oadmin@example.org",
		"Ministry of Labour", "Organisation administrator", "<code>org-admin</code>",
		// effective permissions, with their scope
		"User accounts <code>users</code>", "Audit trail <code>audit</code>", "Own account <code>account</code>",
		`action="/account/password"`, `name="current"`, `name="new"`, `name="confirm"`}, []string{"Rania Root"})
	wantBody(t, c.get("/account?lang=es"), []string{"Su cuenta", "Administrador de organización", "Organización", "Cambiar su contraseña"}, nil)
}

func TestChangePassword(t *testing.T) {
	h := newAccountHarness(t)
	c := h.client(t)
	c.signIn("viewer")
	other := h.client(t)
	other.addr = "198.51.100.7:5555"
	other.signIn("viewer")
	token := c.csrf()
	const newPassword = "amber-lighthouse-ninety-owls"
	tests := []struct {
		name                  string
		current, new, confirm string
		want                  []string
	}{
		{"all empty", "", "", "", []string{"There are 3 problems with this form", "Current password: this field is required.",
			"New password: this field is required.", "New password again: this field is required.", `href="#password-current"`}},
		{"wrong current", "not-my-password-at-all", newPassword, newPassword, []string{"There is 1 problem with this form",
			"Current password: this is not your current password.", `aria-invalid="true" aria-describedby="password-current-error"`}},
		{"short", testPassword, "short", "short", []string{"New password: use at least 12 characters."}},
		{"common", testPassword, "password1234", "password1234", []string{"New password: this password is on the list of common passwords"}},
		{"username", testPassword, "viewer", "viewer", []string{"New password: use at least 12 characters."}},
		{"same", testPassword, testPassword, testPassword, []string{"New password: it must differ from your current password."}},
		{"mismatch", testPassword, newPassword, newPassword + "x", []string{"New password again: it does not match the new password."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.t = t
			w := c.do(http.MethodPost, "/account/password", url.Values{"csrf_token": {token}, "current": {tt.current}, "new": {tt.new}, "confirm": {tt.confirm}})
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d\n%s", w.Code, w.Body)
			}
			var reject []string
			if tt.new != "" {
				reject = append(reject, `value="`+tt.new+`"`) // passwords are never shown again
			}
			wantBody(t, w, append([]string{`role="alert"`}, tt.want...), reject)
		})
	}
	c.t = t
	// In French, the field is named in French.
	w := c.do(http.MethodPost, "/account/password?lang=fr", url.Values{"csrf_token": {token}, "current": {testPassword}, "new": {"court"}, "confirm": {"court"}})
	wantBody(t, w, []string{"Nouveau mot de passe : 12 caractères au minimum."}, nil)
	delete(c.cookies, i18n.CookieName)
	// Without the CSRF token nothing changes.
	if w := c.do(http.MethodPost, "/account/password", url.Values{"current": {testPassword}, "new": {newPassword}, "confirm": {newPassword}}); w.Code != 403 {
		t.Fatalf("without CSRF: %d", w.Code)
	}

	w = c.do(http.MethodPost, "/account/password", url.Values{"csrf_token": {token}, "current": {testPassword}, "new": {newPassword}, "confirm": {newPassword}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/account?changed=password" {
		t.Fatalf("change: %d %q\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	wantBody(t, c.get(w.Header().Get("Location")), []string{"Your password has been changed."}, nil)
	// This session goes on; the other one has ended.
	if w := other.get("/account"); w.Code != http.StatusSeeOther {
		t.Errorf("the other session survived the change: %d", w.Code)
	}
	// The old password no longer signs in; the new one does.
	fresh := h.client(t)
	if w := fresh.do(http.MethodPost, "/login", fresh.loginForm("viewer", testPassword, "")); w.Code != 401 {
		t.Errorf("old password: %d", w.Code)
	}
	if w := fresh.do(http.MethodPost, "/login", fresh.loginForm("viewer", newPassword, "")); w.Code != 303 {
		t.Errorf("new password: %d", w.Code)
	}
	for _, secret := range []string{testPassword, newPassword} {
		if strings.Contains(h.logs.String(), secret) {
			t.Errorf("the logs contain a password")
		}
	}
}

func TestCreateUser(t *testing.T) {
	h := newAccountHarness(t)
	oadmin := h.client(t)
	oadmin.signIn("oadmin")
	root := h.client(t)
	root.signIn("root")

	// The form offers what the principal may choose.
	w := oadmin.get("/admin/users/new")
	wantBody(t, w, []string{`<option value="` + strconv.FormatInt(h.orgA.ID, 10) + `" selected>Ministry of Labour</option>`,
		`<label for="role-org-admin">Organisation administrator</label>`, `id="role-case-worker"`, `id="role-viewer"`},
		// Roles that allow more than an organisation administrator may
		// hand out are not offered (see auth.Principal.CanGrant).
		[]string{"Diaspora Network", `id="role-system-admin"`, `id="role-public"`, `id="role-signed-in"`})
	wantBody(t, root.get("/admin/users/new"), []string{"Diaspora Network", `id="role-system-admin"`}, nil)

	token := oadmin.csrf()
	valid := func() url.Values {
		return url.Values{"csrf_token": {token}, "username": {"newcomer"}, "full_name": {"Nadia Newcomer"},
			"email": {"nadia@example.org"}, "org": {strconv.FormatInt(h.orgA.ID, 10)}, "roles": {auth.RoleOrgAdmin}, "password": {"copper-meadow-forty-herons"}}
	}
	tests := []struct {
		name   string
		edit   func(url.Values)
		status int
		want   []string
	}{
		{"username too short", func(f url.Values) { f.Set("username", "x") }, 400,
			[]string{"Username: use 3 to 64 characters.", `href="#user-username"`, `aria-invalid="true"`, `value="Nadia Newcomer"`}},
		{"username characters", func(f url.Values) { f.Set("username", "nadia newcomer") }, 400,
			[]string{"Username: use only letters, digits and the characters . - _ @"}},
		{"username taken", func(f url.Values) { f.Set("username", "Viewer") }, 400, []string{"Username: this username is already taken."}},
		{"no full name", func(f url.Values) { f.Set("full_name", "  ") }, 400, []string{"Full name: this field is required.", `href="#user-full-name"`}},
		{"bad e-mail", func(f url.Values) { f.Set("email", "nadia at example") }, 400, []string{"E-mail (optional): this is not a valid e-mail address."}},
		{"short password", func(f url.Values) { f.Set("password", "short") }, 400, []string{"Initial password: use at least 12 characters."}},
		{"several problems", func(f url.Values) { f.Set("username", ""); f.Set("password", "") }, 400,
			[]string{"There are 2 problems with this form", "Username: this field is required.", "Initial password: this field is required."}},
		{"unknown role", func(f url.Values) { f["roles"] = []string{"wizard"} }, 400, []string{"Roles: there is no role “wizard”"}},
		{"implicit role", func(f url.Values) { f["roles"] = []string{"signed-in"} }, 400, []string{"Roles: there is no role “signed-in”"}},
		{"role escalation", func(f url.Values) { f["roles"] = []string{auth.RoleOrgAdmin, auth.RoleSystemAdmin} }, 403,
			[]string{"Roles: you cannot grant the role “System administrator”: it allows more than you may do yourself.", `href="#user-roles"`}},
		{"role escalation in bulk", func(f url.Values) { f["roles"] = []string{auth.RoleSystemAdmin, auth.RoleCaseWorker} }, 403,
			[]string{"Roles: you cannot grant the role “System administrator”: it allows more than you may do yourself.", `href="#user-roles"`}},
		{"another organisation", func(f url.Values) { f.Set("org", strconv.FormatInt(h.orgB.ID, 10)) }, 403,
			[]string{"Organisation: choose an organisation you may add users to."}},
		{"no organisation", func(f url.Values) { f.Set("org", "") }, 400, []string{"Organisation: this field is required."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oadmin.t = t
			f := valid()
			tt.edit(f)
			w := oadmin.do(http.MethodPost, "/admin/users", f)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d\n%s", w.Code, tt.status, w.Body)
			}
			wantBody(t, w, append([]string{`role="alert"`, `action="/admin/users"`}, tt.want...), []string{"copper-meadow-forty-herons"})
			if _, err := h.db.Accounts().UserID(context.Background(), f.Get("username")); f.Get("username") != "Viewer" && !errors.Is(err, derrors.NotFound) {
				t.Errorf("a refused form created user %q (%v)", f.Get("username"), err)
			}
		})
	}
	oadmin.t = t

	// The refused escalation is in the audit trail as a failed create.
	failed, err := h.db.Audit().List(context.Background(), audit.Filter{Resource: "users", Action: "create", Outcome: audit.OutcomeFailed,
		ActorID: new(h.ids["oadmin"]), Limit: 100})
	if err != nil || len(failed) < len(tests) {
		t.Errorf("failed creates audited: %d (%v), want %d", len(failed), err, len(tests))
	}

	// In Spanish, the problem names the field in Spanish.
	f := valid()
	f.Set("username", "x")
	wantBody(t, oadmin.do(http.MethodPost, "/admin/users?lang=es", f), []string{"Nombre de usuario: de 3 a 64 caracteres."}, nil)
	delete(oadmin.cookies, i18n.CookieName)

	// Success: back to the list with a flash message; the user exists in
	// the organisation with the role; the write is audited.
	w = oadmin.do(http.MethodPost, "/admin/users", valid())
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/admin/users?created=") {
		t.Fatalf("create: %d %q\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	id, err := h.db.Accounts().UserID(context.Background(), "newcomer")
	if err != nil {
		t.Fatal(err)
	}
	if w.Header().Get("Location") != "/admin/users?created="+strconv.FormatInt(id, 10) {
		t.Errorf("Location %q", w.Header().Get("Location"))
	}
	usr := must(h.db.Accounts().User(context.Background(), id))
	if usr.OrgID != h.orgA.ID || usr.FullName != "Nadia Newcomer" || len(usr.Roles) != 1 || usr.Roles[0] != auth.RoleOrgAdmin {
		t.Errorf("created %+v", usr)
	}
	wantBody(t, oadmin.get(w.Header().Get("Location")), []string{"The user newcomer has been created.", `role="status"`, "Nadia Newcomer"}, nil)
	ok, err := h.db.Audit().List(context.Background(), audit.Filter{Resource: "users", Action: "create", Outcome: audit.OutcomeOK,
		RecordID: strconv.FormatInt(id, 10), Limit: 10})
	if err != nil || len(ok) != 1 || ok[0].ActorID != h.ids["oadmin"] {
		t.Errorf("the create's audit entry: %+v (%v)", ok, err)
	}
	// The newcomer can sign in.
	c := h.client(t)
	if w := c.do(http.MethodPost, "/login", c.loginForm("newcomer", "copper-meadow-forty-herons", "")); w.Code != 303 {
		t.Errorf("the new user cannot sign in: %d", w.Code)
	}
	// A flash about a user out of scope names nobody.
	wantBody(t, oadmin.get("/admin/users?created="+strconv.FormatInt(h.ids["bob"], 10)), nil, []string{"has been created", "bob"})

	// The system administrator may create users in another organisation
	// with any role.
	f = valid()
	f.Set("csrf_token", root.csrf())
	f.Set("username", "second.admin")
	f.Set("org", strconv.FormatInt(h.orgB.ID, 10))
	f["roles"] = []string{auth.RoleSystemAdmin}
	if w := root.do(http.MethodPost, "/admin/users", f); w.Code != http.StatusSeeOther {
		t.Errorf("root creating a system administrator in another organisation: %d\n%s", w.Code, w.Body)
	}
}

func TestRolesPage(t *testing.T) {
	h := newAccountHarness(t)
	c := h.client(t)
	c.signIn("oadmin")
	w := c.get("/admin/roles")
	wantBody(t, w, []string{"<h1>Roles and permissions</h1>", "Organisation administrator <code>org-admin</code>",
		"Roles and the scope of each permission", `<th scope="col"><span class="role-head">Case supervisor</span></th>`,
		"<code>users:create</code>", "<code>people:refer</code>", `class="scope scope-organisation">Organisation</td>`,
		`class="scope scope-all">All</td>`, `class="scope scope-own">Own records</td>`, `<span class="visually-hidden">None</span>`},
		// No role grants publishing anything but the system administrator
		// (all): the row exists; a pair nobody grants does not.
		nil)
	doc := parseHTML(t, w.Body)
	table := firstElement(doc, "table")
	headers := 0
	walk(table, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "th" && attr(n, "scope") == "col" {
			headers++
		}
	})
	if roles := len(auth.BuiltinRoles()); headers != roles+1 {
		t.Errorf("%d column headers, want %d roles + 1", headers, roles)
	}
	wantBody(t, c.get("/admin/roles?lang=fr"), []string{"Rôles et autorisations", "Matrice des autorisations", "Administrateur système"}, nil)
}

func TestAuditPage(t *testing.T) {
	h := newAccountHarness(t)
	ctx := context.Background()
	// Some history: a failed sign-in of bob (organisation B), a refused
	// page for the viewer, sign-ins.
	bob := h.client(t)
	bob.do(http.MethodPost, "/login", bob.loginForm("bob", "wrong-password-for-bob", ""))
	bob.signIn("bob")
	viewer := h.client(t)
	viewer.signIn("viewer")
	viewer.get("/admin/users")
	root := h.client(t)
	root.signIn("root")
	oadmin := h.client(t)
	oadmin.signIn("oadmin")
	total := must(h.db.Audit().Head(ctx)).Seq
	today := time.Now().UTC().Format(dateLayout)
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(dateLayout)

	tests := []struct {
		name, user, url string
		status          int
		want, reject    []string
	}{
		{"everything", "root", "/admin/audit", 200,
			[]string{"<h1>Audit trail</h1>", "Failed sign-in <code>signin.failed</code>", "Sign-in <code>signin</code>", "Denied",
				`href="/api/v1/audit/export"`, "<code>192.0.2.10</code>"},
			[]string{"You see the entries of your organisation only", "Older", "Newer"}},
		{"by action", "root", "/admin/audit?action=signin.failed", 200,
			[]string{"<code>signin.failed</code>", `<option value="signin.failed" selected>`, `href="/api/v1/audit/export?action=signin.failed"`},
			[]string{"<code>signin</code>"}},
		{"by outcome and resource", "root", "/admin/audit?outcome=denied&resource=users", 200,
			[]string{"viewer <code>#" + strconv.FormatInt(h.ids["viewer"], 10) + "</code>", "Denied"}, []string{"Done</span>"}},
		{"by actor", "root", "/admin/audit?actorId=" + strconv.FormatInt(h.ids["bob"], 10), 200, []string{"bob <code>#"}, []string{"viewer <code>#"}},
		{"public actor", "root", "/admin/audit?actorId=0", 200, nil, []string{"<code>#"}},
		{"from today", "root", "/admin/audit?from=" + today, 200, []string{"<code>signin</code>",
			`href="/api/v1/audit/export?from=` + today + `T00%3A00%3A00Z"`}, nil},
		{"to yesterday", "root", "/admin/audit?to=" + yesterday, 200, []string{"No entry matches this filter."}, []string{"<table"}},
		{"bad date", "root", "/admin/audit?from=27/11/2026", 400, []string{"Invalid request", "“from”", "2026-11-27"}, nil},
		{"dates reversed", "root", "/admin/audit?from=" + today + "&to=" + yesterday, 400, []string{"“to”"}, nil},
		{"bad actor", "root", "/admin/audit?actorId=me", 400, []string{"“actorId”"}, nil},
		{"bad action", "root", "/admin/audit?action=DROP%20TABLE", 400, []string{"“action”"}, nil},
		{"organisation only", "oadmin", "/admin/audit", 200,
			[]string{"You see the entries of your organisation only", "viewer <code>#", "oadmin <code>#"},
			[]string{"bob <code>#"}},
		{"organisation only, asking for another's actor", "oadmin", "/admin/audit?actorId=" + strconv.FormatInt(h.ids["bob"], 10), 200,
			[]string{"No entry matches this filter."}, nil},
		{"French", "root", "/admin/audit?lang=fr&outcome=denied", 200, []string{"Journal d&#39;audit", "Refusé", "Exporter en CSV"}, nil},
	}
	clients := map[string]*client{"root": root, "oadmin": oadmin}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clients[tt.user]
			c.t = t
			w := c.get(tt.url)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d\n%s", w.Code, tt.status, w.Body)
			}
			wantBody(t, w, tt.want, tt.reject)
		})
	}
	root.t = t

	// Cursor pagination, newest first: pages of 2 walk back to the first
	// entry and forward again.
	seqRE := regexp.MustCompile(`<th scope="row"><code>(\d+)</code></th>`)
	olderRE := regexp.MustCompile(`href="(/admin/audit\?[^"]*beforeSeq=\d+[^"]*)" rel="next"`)
	newerRE := regexp.MustCompile(`href="(/admin/audit\?[^"]*afterSeq=\d+[^"]*)" rel="prev"`)
	var seen []string
	target := "/admin/audit?limit=2"
	var pages []string
	for range 1000 {
		w := root.get(target)
		body := strings.ReplaceAll(w.Body.String(), "&amp;", "&")
		if w.Code != 200 {
			t.Fatalf("%s: %d", target, w.Code)
		}
		pages = append(pages, target)
		for _, m := range seqRE.FindAllStringSubmatch(body, -1) {
			seen = append(seen, m[1])
		}
		m := olderRE.FindStringSubmatch(body)
		if m == nil {
			break
		}
		target = m[1]
	}
	if len(seen) < int(total) || seen[0] != strconv.FormatInt(int64(len(seen)), 10) || seen[len(seen)-1] != "1" {
		t.Errorf("walking back saw %v (head %d)", seen, total)
	}
	for i := 1; i < len(seen); i++ {
		a, _ := strconv.Atoi(seen[i-1])
		b, _ := strconv.Atoi(seen[i])
		if a != b+1 {
			t.Fatalf("entries out of order or missing: %v", seen)
		}
	}
	// From the oldest page, "Newer" leads back to the page before it.
	last := strings.ReplaceAll(root.get(pages[len(pages)-1]).Body.String(), "&amp;", "&")
	m := newerRE.FindStringSubmatch(last)
	if m == nil {
		t.Fatalf("the oldest page has no Newer link")
	}
	newer := strings.ReplaceAll(root.get(m[1]).Body.String(), "&amp;", "&")
	before := strings.ReplaceAll(root.get(pages[len(pages)-2]).Body.String(), "&amp;", "&")
	if got, want := seqRE.FindAllString(newer, -1), seqRE.FindAllString(before, -1); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Newer from the oldest page shows %v, want %v", got, want)
	}
	if !strings.Contains(newer, `href="/admin/audit?limit=2"`) {
		t.Error("a page away from the newest lacks the link to the newest entries")
	}
}

// TestAccountPagesFollowTheRules holds the new pages to the rules of the
// public ones: the CSP (no inline script or style), a label for every
// control, captions and header scopes, every message in the catalogue, in
// every language.
func TestAccountPagesFollowTheRules(t *testing.T) {
	h := newAccountHarness(t)
	h.addRole(t, auth.Role{Name: "border-officer", Title: "Border officer"})
	team := h.addTeam(t, h.orgA.ID, "Returns desk")
	root := h.client(t)
	root.signIn("root")
	token := root.csrf()
	oadmin := h.client(t)
	oadmin.signIn("oadmin")
	oadminToken := oadmin.csrf()
	anon := h.client(t)
	orgA, viewerID, rootID := strconv.FormatInt(h.orgA.ID, 10), strconv.FormatInt(h.ids["viewer"], 10), strconv.FormatInt(h.ids["root"], 10)
	type page struct {
		c      *client
		method string
		url    string
		form   url.Values
	}
	pages := []page{
		{anon, "GET", "/login", nil},
		{anon, "POST", "/login", url.Values{"username": {"x"}}},
		{root, "GET", "/", nil},
		{root, "GET", "/account", nil},
		{root, "POST", "/account/password", url.Values{"csrf_token": {token}}},
		{root, "GET", "/admin/users", nil},
		{root, "GET", "/admin/users/new", nil},
		{root, "POST", "/admin/users", url.Values{"csrf_token": {token}}},
		{root, "GET", "/admin/roles", nil},
		{root, "POST", "/admin/roles", url.Values{"csrf_token": {token}, "name": {"Bad Name"}}},
		{root, "GET", "/admin/roles/viewer", nil},
		{root, "GET", "/admin/roles/border-officer?created=1", nil},
		{root, "POST", "/admin/roles/border-officer", url.Values{"csrf_token": {token}, "perm.people.read": {"everything"},
			"perm.users.read": {"galaxy"}}},
		{oadmin, "GET", "/admin/roles/org-admin", nil}, // read-only grid
		{root, "GET", "/admin/roles/border-officer/delete", nil},
		{root, "GET", "/admin/roles/viewer/delete", nil}, // 409 page
		{root, "GET", "/admin/roles/no-such-role", nil},  // 404 page
		{root, "GET", "/admin/orgs?created=" + orgA, nil},
		{root, "POST", "/admin/orgs", url.Values{"csrf_token": {token}, "country": {"XYZ"}}},
		{oadmin, "GET", "/admin/orgs", nil},
		{root, "GET", "/admin/orgs/" + orgA + "?created=" + strconv.FormatInt(team.ID, 10), nil},
		{root, "POST", "/admin/orgs/" + orgA + "/teams", url.Values{"csrf_token": {token}}},
		{root, "GET", "/admin/users/" + viewerID + "?saved=1", nil},
		{root, "GET", "/admin/users/" + rootID, nil},   // one's own: no roles or disabled to change
		{oadmin, "GET", "/admin/users/" + rootID, nil}, // roles kept that oadmin may not grant
		{root, "POST", "/admin/users/" + viewerID, url.Values{"csrf_token": {token}, "roles_shown": {"1"}, "roles": {"wizard"},
			"teams": {"999999"}, "email": {"x"}}},
		{oadmin, "POST", "/admin/users/" + strconv.FormatInt(h.ids["oadmin"], 10), url.Values{"csrf_token": {oadminToken},
			"full_name": {"Omar Admin"}, "disabled": {"1"}}},
		{root, "GET", "/admin/audit?limit=1", nil},
		{root, "GET", "/admin/audit?action=nothing", nil},
		{root, "POST", "/logout", url.Values{}}, // 403 page
	}
	for _, lang := range []string{"en", "fr", "es"} {
		for _, p := range pages {
			p.c.cookies[i18n.CookieName] = &http.Cookie{Name: i18n.CookieName, Value: lang, Path: "/"}
			w := p.c.do(p.method, p.url, p.form)
			if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("%s %s (%s): %d %q", p.method, p.url, lang, w.Code, ct)
				continue
			}
			if !strings.Contains(w.Body.String(), `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: not in %s", p.method, p.url, lang)
			}
			doc := parseHTML(t, w.Body)
			for _, problem := range append(cspViolations(doc), a11yProblems(doc)...) {
				t.Errorf("%s %s (%s): %s", p.method, p.url, lang, problem)
			}
		}
	}
	if strings.Contains(h.logs.String(), "missing translation") {
		t.Errorf("pages asked for missing messages:\n%s", h.logs)
	}
}

func TestAccountRoutesAreDeclared(t *testing.T) {
	h := newAccountHarness(t)
	r := web.NewRouter(nil)
	h.ui.Register(r)
	want := map[string]string{
		"GET /login": "pages:read", "POST /login": "session:create", "POST /logout": "session:delete",
		"GET /account": "account:read", "POST /account/password": "account:update",
		"GET /admin/users": "users:read", "GET /admin/users/new": "users:create", "POST /admin/users": "users:create",
		"GET /admin/roles": "roles:read", "GET /admin/audit": "audit:read",
		"GET /admin/users/{id}": "users:read", "POST /admin/users/{id}": "users:update",
		"GET /admin/orgs": "orgs:read", "POST /admin/orgs": "orgs:create",
		"GET /admin/orgs/{id}": "teams:read", "POST /admin/orgs/{id}/teams": "teams:create",
		"POST /admin/roles": "roles:create", "GET /admin/roles/{name}": "roles:read", "POST /admin/roles/{name}": "roles:update",
		"GET /admin/roles/{name}/delete": "roles:delete", "POST /admin/roles/{name}/delete": "roles:delete",
	}
	for _, rt := range r.Routes() {
		key := rt.Method + " " + rt.Pattern
		if _, ok := auth.LookupResource(rt.Resource); !ok {
			t.Errorf("%s: unknown resource %q", key, rt.Resource)
		}
		if rt.CSRFExempt != (key == "POST /login") {
			t.Errorf("%s: CSRFExempt %v", key, rt.CSRFExempt)
		}
		if w, ok := want[key]; ok {
			if got := rt.Resource + ":" + rt.Action; got != w {
				t.Errorf("%s: %s, want %s", key, got, w)
			}
			delete(want, key)
		}
	}
	for key := range want {
		t.Errorf("route %s not registered", key)
	}
}

// a11yProblems lists what assistive technology would miss on a page: the
// landmarks, the skip link, a label for every control, a caption for
// every table, a scope for every header cell, ids that are unique.
func a11yProblems(doc *html.Node) []string {
	var problems []string
	for _, tag := range []string{"header", "nav", "main", "footer", "h1"} {
		if count(doc, tag) == 0 {
			problems = append(problems, "no <"+tag+">")
		}
	}
	if first := firstElement(doc, "a"); first == nil || attr(first, "href") != "#main" {
		problems = append(problems, "the first link is not the skip link")
	}
	labels, ids := map[string]bool{}, map[string]bool{}
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if n.Data == "label" {
			labels[attr(n, "for")] = true
		}
		if id := attr(n, "id"); id != "" {
			if ids[id] {
				problems = append(problems, "duplicate id "+id)
			}
			ids[id] = true
		}
	})
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "input", "select", "textarea":
			if attr(n, "type") != "hidden" && !labels[attr(n, "id")] {
				problems = append(problems, "<"+n.Data+" name="+attr(n, "name")+"> has no label")
			}
		case "table":
			if firstElement(n, "caption") == nil {
				problems = append(problems, "table without caption")
			}
		case "th":
			if attr(n, "scope") == "" {
				problems = append(problems, "<th> without scope")
			}
		case "button":
			if strings.TrimSpace(textOf(n)) == "" {
				problems = append(problems, "button without text")
			}
		}
		for _, ref := range strings.Fields(attr(n, "aria-describedby")) {
			if !ids[ref] {
				problems = append(problems, "aria-describedby names missing id "+ref)
			}
		}
	})
	return problems
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}
