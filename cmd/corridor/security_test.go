package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// signIn signs in through the API and returns the session cookie value
// and the CSRF token.
func signIn(t *testing.T, h http.Handler, username, password string, cookie string) (*httptest.ResponseRecorder, string, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	req := httptest.NewRequest("POST", "/api/v1/session", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = "198.51.100.7:4000"
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: cookie})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var secret string
	for _, c := range rec.Result().Cookies() {
		if c.Name == auth.SessionCookie {
			secret = c.Value
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie flags: HttpOnly=%v SameSite=%v", c.HttpOnly, c.SameSite)
			}
		}
	}
	var info struct {
		CSRFToken string `json:"csrfToken"`
	}
	json.Unmarshal(rec.Body.Bytes(), &info)
	return rec, secret, info.CSRFToken
}

type client struct {
	h            http.Handler
	cookie, csrf string
	bearer       string
}

func (c client) do(t *testing.T, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: c.cookie})
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	return rec
}

func pw(role string) string { return "correct horse battery staple " + role }

func TestSignInSessionsAndCSRF(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		app := newTestApp(t, e.DSN)
		rec, secret, csrf := signIn(t, app.handler, "u-case-worker", pw("case-worker"), "")
		if rec.Code != http.StatusCreated || secret == "" || csrf == "" {
			t.Fatalf("sign-in: %d %s", rec.Code, rec.Body)
		}
		cw := client{h: app.handler, cookie: secret, csrf: csrf}
		person := `{"givenName":"Amina","familyName":"Yusuf","sex":"female","documentType":"passport","documentNumber":"A1234567","nationality":"KEN"}`

		noCSRF := client{h: app.handler, cookie: secret}
		if r := noCSRF.do(t, "POST", "/api/v1/people", person); r.Code != http.StatusForbidden || !strings.Contains(r.Body.String(), "CSRF") {
			t.Errorf("write without CSRF token: %d %s", r.Code, r.Body)
		}
		wrong := client{h: app.handler, cookie: secret, csrf: "forged"}
		if r := wrong.do(t, "POST", "/api/v1/people", person); r.Code != http.StatusForbidden {
			t.Errorf("write with a forged CSRF token: %d", r.Code)
		}
		if r := cw.do(t, "POST", "/api/v1/people", person); r.Code != http.StatusCreated {
			t.Fatalf("write with the CSRF token: %d %s", r.Code, r.Body)
		}

		// Session fixation: a cookie planted before sign-in is replaced, and
		// the previous session stops working after signing in again.
		_, planted, _ := signIn(t, app.handler, "u-viewer", pw("viewer"), "s_planted-by-an-attacker")
		if planted == "s_planted-by-an-attacker" || planted == "" {
			t.Errorf("sign-in kept the planted session id")
		}
		_, renewed, _ := signIn(t, app.handler, "u-case-worker", pw("case-worker"), secret)
		if renewed == secret {
			t.Errorf("session id not rotated at sign-in")
		}
		if r := (client{h: app.handler, cookie: secret}).do(t, "GET", "/api/v1/account", ""); r.Code != http.StatusUnauthorized {
			t.Errorf("the session from before the new sign-in still works: %d", r.Code)
		}
		// Sign-out ends the session.
		c2 := client{h: app.handler, cookie: renewed}
		if r := c2.do(t, "DELETE", "/api/v1/session", ""); r.Code != http.StatusForbidden {
			t.Errorf("sign-out without CSRF: %d, want 403", r.Code)
		}
	})
}

func TestSessionExpiry(t *testing.T) {
	app := newTestApp(t, "")
	_, secret, _ := signIn(t, app.handler, "u-viewer", pw("viewer"), "")
	c := client{h: app.handler, cookie: secret}
	if r := c.do(t, "GET", "/api/v1/account", ""); r.Code != 200 {
		t.Fatalf("fresh session: %d", r.Code)
	}
	// Idle for longer than the idle timeout.
	if _, err := app.db.SQL().Exec(`UPDATE sessions SET last_seen_at = ?`, time.Now().Add(-auth.SessionIdle-time.Minute).UTC()); err != nil {
		t.Fatal(err)
	}
	if r := c.do(t, "GET", "/api/v1/account", ""); r.Code != http.StatusUnauthorized {
		t.Errorf("idle session: %d, want 401", r.Code)
	}
}

func TestLockout(t *testing.T) {
	app := newTestApp(t, "")
	for i := 0; i < auth.MaxAccountFailures; i++ {
		if rec, _, _ := signIn(t, app.handler, "u-analyst", "wrong password number "+string(rune('a'+i)), ""); rec.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, rec.Code)
		}
	}
	rec, _, _ := signIn(t, app.handler, "u-analyst", pw("analyst"), "")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("after %d failures the right password: %d (Retry-After %q), want 429", auth.MaxAccountFailures, rec.Code, rec.Header().Get("Retry-After"))
	}
	// Another account from the same address is not locked by these.
	if rec, _, _ := signIn(t, app.handler, "u-viewer", pw("viewer"), ""); rec.Code != http.StatusCreated {
		t.Errorf("another account: %d", rec.Code)
	}
	// Unknown and wrong give the same answer.
	a, _, _ := signIn(t, app.handler, "nobody-here", "whatever password", "")
	b, _, _ := signIn(t, app.handler, "u-viewer", "whatever password", "")
	if a.Code != b.Code || a.Body.String() != b.Body.String() {
		t.Errorf("unknown user %d %s vs wrong password %d %s", a.Code, a.Body, b.Code, b.Body)
	}
	// Per address: many accounts tried from one address.
	for i := 0; i < auth.MaxAddressFailures; i++ {
		signIn(t, app.handler, "spray-"+string(rune('a'+i)), "guess guess guess", "")
	}
	if rec, _, _ := signIn(t, app.handler, "u-editor", pw("editor"), ""); rec.Code != http.StatusTooManyRequests {
		t.Errorf("after %d failures from one address: %d, want 429", auth.MaxAddressFailures, rec.Code)
	}
}

func TestAPITokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		app := newTestApp(t, e.DSN)
		_, secret, csrf := signIn(t, app.handler, "u-case-worker", pw("case-worker"), "")
		cw := client{h: app.handler, cookie: secret, csrf: csrf}
		exp := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
		r := cw.do(t, "POST", "/api/v1/tokens", `{"name":"sync job","expiresAt":"`+exp+`","permissions":[{"resource":"people","action":"read","scope":"own"}]}`)
		if r.Code != http.StatusCreated {
			t.Fatalf("create token: %d %s", r.Code, r.Body)
		}
		var tok struct {
			ID     int64  `json:"id"`
			Secret string `json:"secret"`
		}
		json.Unmarshal(r.Body.Bytes(), &tok)
		if !auth.LooksLikeToken(tok.Secret) {
			t.Fatalf("token secret %q", tok.Secret)
		}
		// Shown once: listings never carry it.
		if l := cw.do(t, "GET", "/api/v1/tokens", ""); strings.Contains(l.Body.String(), tok.Secret) {
			t.Errorf("the token list shows the secret")
		}
		var raw string
		app.db.SQL().QueryRow(app.db.Rebind(`SELECT token_hash FROM api_tokens WHERE id = ?`), tok.ID).Scan(&raw)
		if raw == tok.Secret || raw != auth.HashSecret(tok.Secret) {
			t.Errorf("token not stored hashed")
		}
		bot := client{h: app.handler, bearer: tok.Secret}
		if r := bot.do(t, "GET", "/api/v1/people", ""); r.Code != 200 {
			t.Errorf("token within its permissions: %d %s", r.Code, r.Body)
		}
		if r := bot.do(t, "POST", "/api/v1/people", `{"givenName":"X","sex":"male","documentType":"none"}`); r.Code != http.StatusForbidden {
			t.Errorf("token outside its permissions: %d, want 403", r.Code)
		}
		if r := (client{h: app.handler, bearer: "crd_" + strings.Repeat("A", 43)}).do(t, "GET", "/api/v1/people", ""); r.Code != http.StatusUnauthorized {
			t.Errorf("unknown token: %d", r.Code)
		}
		// Revocation.
		if r := cw.do(t, "DELETE", "/api/v1/tokens/"+itoa(tok.ID), ""); r.Code != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", r.Code, r.Body)
		}
		if r := bot.do(t, "GET", "/api/v1/people", ""); r.Code != http.StatusUnauthorized {
			t.Errorf("revoked token: %d, want 401", r.Code)
		}
		// Expiry.
		r = cw.do(t, "POST", "/api/v1/tokens", `{"name":"short","expiresAt":"`+exp+`"}`)
		json.Unmarshal(r.Body.Bytes(), &tok)
		if _, err := app.db.SQL().Exec(app.db.Rebind(`UPDATE api_tokens SET expires_at = ? WHERE id = ?`), time.Now().Add(-time.Minute).UTC(), tok.ID); err != nil {
			t.Fatal(err)
		}
		if r := (client{h: app.handler, bearer: tok.Secret}).do(t, "GET", "/api/v1/account", ""); r.Code != http.StatusUnauthorized || !strings.Contains(r.Body.String(), "expired") {
			t.Errorf("expired token: %d %s", r.Code, r.Body)
		}
		if r := cw.do(t, "POST", "/api/v1/tokens", `{"name":"past","expiresAt":"2020-01-01T00:00:00Z"}`); r.Code != http.StatusBadRequest {
			t.Errorf("token expiring in the past: %d", r.Code)
		}
		// Rate limit per token: past the per-minute budget, 429.
		r = cw.do(t, "POST", "/api/v1/tokens", `{"name":"busy","expiresAt":"`+exp+`"}`)
		json.Unmarshal(r.Body.Bytes(), &tok)
		busy := client{h: app.handler, bearer: tok.Secret}
		if r := busy.do(t, "GET", "/api/v1/account", ""); r.Code != 200 {
			t.Fatalf("busy token first request: %d", r.Code)
		}
		if _, err := app.db.SQL().Exec(app.db.Rebind(`UPDATE token_usage SET requests = ? WHERE token_id = ?`), auth.MaxTokenRequestsPerMinute, tok.ID); err != nil {
			t.Fatal(err)
		}
		if r := busy.do(t, "GET", "/api/v1/account", ""); r.Code != http.StatusTooManyRequests {
			t.Errorf("token over its rate: %d, want 429", r.Code)
		}
		// Guessing tokens from one address is throttled.
		for i := 0; i < auth.MaxAddressFailures; i++ {
			(client{h: app.handler, bearer: "crd_" + strings.Repeat("B", 43)}).do(t, "GET", "/api/v1/account", "")
		}
		if r := cw.do(t, "GET", "/api/v1/account", ""); r.Code != 200 {
			t.Errorf("session unaffected by token guessing: %d", r.Code)
		}
		if r := (client{h: app.handler, bearer: "crd_" + strings.Repeat("C", 43)}).do(t, "GET", "/api/v1/account", ""); r.Code != http.StatusTooManyRequests {
			t.Errorf("after %d invalid tokens from one address: %d, want 429", auth.MaxAddressFailures, r.Code)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestRecordScope: case workers see their own records, supervisors their
// teams', organisation administrators none.
func TestRecordScope(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		app := newTestApp(t, e.DSN)
		ctx := context.Background()
		var team int64
		err := app.db.InTx(ctx, func(tx *store.Tx) error {
			tm, err := app.db.Accounts().CreateTeam(ctx, tx, auth.Team{OrgID: app.orgID, Name: "Mombasa office"})
			if err != nil {
				return err
			}
			team = tm.ID
			for _, u := range []auth.User{
				{Username: "worker-a", FullName: "Worker A", OrgID: app.orgID, Roles: []string{"case-worker"}, TeamIDs: []int64{team}},
				{Username: "worker-b", FullName: "Worker B", OrgID: app.orgID, Roles: []string{"case-worker"}},
				{Username: "super-t", FullName: "Supervisor T", OrgID: app.orgID, Roles: []string{"case-supervisor"}, TeamIDs: []int64{team}},
			} {
				if _, err := app.db.Accounts().CreateUser(ctx, tx, u, "correct horse battery staple x"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		as := func(u string) client {
			s := app.session(t, u)
			return client{h: app.handler, cookie: s[0], csrf: s[1]}
		}
		a, b, sup := as("worker-a"), as("worker-b"), as("super-t")
		r := a.do(t, "POST", "/api/v1/people", `{"givenName":"Chidi","familyName":"Okafor","sex":"male","documentType":"none","teamId":`+itoa(team)+`}`)
		if r.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Code, r.Body)
		}
		var p struct{ ID int64 }
		json.Unmarshal(r.Body.Bytes(), &p)
		path := "/api/v1/people/" + itoa(p.ID)
		tests := []struct {
			name  string
			c     client
			get   int
			total string
		}{
			{"owner", a, 200, `"total":1`},
			{"other case worker", b, 404, `"total":0`},
			{"team supervisor", sup, 200, `"total":1`},
		}
		for _, tt := range tests {
			if r := tt.c.do(t, "GET", path, ""); r.Code != tt.get {
				t.Errorf("%s GET %s: %d, want %d", tt.name, path, r.Code, tt.get)
			}
			if r := tt.c.do(t, "GET", "/api/v1/people", ""); !strings.Contains(r.Body.String(), tt.total) {
				t.Errorf("%s list: %s, want %s", tt.name, r.Body, tt.total)
			}
		}
		admin := client{h: app.handler, cookie: app.sessions["org-admin"][0], csrf: app.sessions["org-admin"][1]}
		if r := admin.do(t, "GET", path, ""); r.Code != http.StatusForbidden {
			t.Errorf("org admin reading a personal record: %d, want 403", r.Code)
		}
		// Optimistic concurrency: a stale version is refused.
		upd := `{"givenName":"Chidi","familyName":"Okafor","sex":"male","documentType":"none","version":1}`
		if r := a.do(t, "PUT", path, upd); r.Code != 200 {
			t.Fatalf("update: %d %s", r.Code, r.Body)
		}
		if r := a.do(t, "PUT", path, upd); r.Code != http.StatusConflict {
			t.Errorf("stale update: %d, want 409", r.Code)
		}
		// Reads of personal data are audited with the record id.
		entries, err := app.db.Audit().List(ctx, auditFilterFor("people", itoa(p.ID)))
		if err != nil {
			t.Fatal(err)
		}
		outcomes := map[string]int{}
		for _, e := range entries {
			outcomes[e.Action+"/"+e.Outcome]++
		}
		if outcomes["read/allowed"] < 2 || outcomes["update/ok"] != 1 || outcomes["update/failed"] != 1 {
			t.Errorf("audit of person %d: %v", p.ID, outcomes)
		}
		listed, err := app.db.Audit().List(ctx, audit.Filter{Resource: "people", RecordID: itoa(p.ID), Action: "read", Limit: 100})
		shown := 0
		for _, e := range listed {
			if e.Detail == "shown in a listing" {
				shown++
			}
		}
		if err != nil || shown < 2 {
			t.Errorf("listings that showed person %d: %d audit entries (%v), want one per listing", p.ID, shown, err)
		}
		if _, err := app.db.Audit().Verify(ctx, nil); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}

// TestNoPersonalDataInLogs: with debug logging, storing, reading and
// searching a person leaves neither the name nor the document number in
// the logs.
func TestNoPersonalDataInLogs(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	app := newTestApp(t, filepath.Join(t.TempDir(), "logs.db"))
	h, _, err := buildStack(&Config{BodyLimit: 1 << 20}, app.db, log)
	if err != nil {
		t.Fatal(err)
	}
	s := app.sessions["case-worker"]
	c := client{h: h, cookie: s[0], csrf: s[1]}
	const name, doc = "Zebulon", "ZX-998877"
	r := c.do(t, "POST", "/api/v1/people", `{"givenName":"`+name+`","familyName":"Quartermaine","sex":"male","documentType":"passport","documentNumber":"`+doc+`"}`)
	if r.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	c.do(t, "GET", "/api/v1/people?name=Zebulon+Quartermaine&documentNumber="+doc, "")
	c.do(t, "GET", "/api/v1/people/1", "")
	c.do(t, "POST", "/api/v1/people", `{"givenName":"`+name+`","sex":"bogus","documentType":"passport","documentNumber":"`+doc+`"}`)
	out := logs.String()
	if !strings.Contains(out, "request") {
		t.Fatalf("no request logs captured: %q", out)
	}
	for _, secret := range []string{name, "Quartermaine", doc} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
}

func auditFilterFor(resource, record string) audit.Filter {
	return audit.Filter{Resource: resource, RecordID: record, Limit: 100}
}

// TestNoEscalationThroughRoles: nobody grants, strips or rewrites a role
// that allows more than they may grant, nor changes their own roles.
func TestNoEscalationThroughRoles(t *testing.T) {
	app := newTestApp(t, "")
	as := func(role string) client {
		s := app.sessions[role]
		return client{h: app.handler, cookie: s[0], csrf: s[1]}
	}
	admin := as("org-admin")
	rootID, _ := app.db.Accounts().UserID(context.Background(), "u-system-admin")
	selfID, _ := app.db.Accounts().UserID(context.Background(), "u-org-admin")
	workerID, _ := app.db.Accounts().UserID(context.Background(), "u-case-worker")
	tests := []struct {
		name, method, path, body string
		want                     int
	}{
		{"strip system-admin from another user", "PUT", "/api/v1/users/" + itoa(rootID), `{"fullName":"User system-admin","roles":[]}`, http.StatusForbidden},
		{"grant system-admin", "PUT", "/api/v1/users/" + itoa(workerID), `{"fullName":"W","roles":["case-worker","system-admin"]}`, http.StatusForbidden},
		{"change own roles", "PUT", "/api/v1/users/" + itoa(selfID), `{"fullName":"Me","roles":["org-admin","case-supervisor"]}`, http.StatusForbidden},
		{"make a case worker a supervisor", "PUT", "/api/v1/users/" + itoa(workerID), `{"fullName":"W","roles":["case-supervisor"]}`, http.StatusOK},
	}
	for _, tt := range tests {
		if r := admin.do(t, tt.method, tt.path, tt.body); r.Code != tt.want {
			t.Errorf("%s: %d, want %d: %s", tt.name, r.Code, tt.want, r.Body)
		}
	}
	// A role manager with limited rights cannot empty the system-admin role.
	root := as("system-admin")
	if r := root.do(t, "POST", "/api/v1/roles", `{"name":"role-manager","title":"Role manager","permissions":[{"resource":"roles","action":"update","scope":"all"},{"resource":"roles","action":"read","scope":"all"}]}`); r.Code != http.StatusCreated {
		t.Fatalf("create role-manager: %d %s", r.Code, r.Body)
	}
	if r := root.do(t, "PUT", "/api/v1/users/"+itoa(workerID), `{"fullName":"W","roles":["role-manager"]}`); r.Code != http.StatusOK {
		t.Fatalf("assign role-manager: %d %s", r.Code, r.Body)
	}
	app.sessions["role-manager"] = app.session(t, "u-case-worker")
	if r := as("role-manager").do(t, "PUT", "/api/v1/roles/system-admin", `{"permissions":[]}`); r.Code != http.StatusForbidden {
		t.Errorf("emptying system-admin: %d, want 403", r.Code)
	}
}

// hangUp cancels the request's context as soon as the answer is written,
// like a client that closes the connection once it has the page.
type hangUp struct {
	*httptest.ResponseRecorder
	cancel context.CancelFunc
}

func (h hangUp) Write(b []byte) (int, error) {
	n, err := h.ResponseRecorder.Write(b)
	h.cancel()
	return n, err
}

// TestAuditSurvivesHangUp: a read of personal data is audited even when
// the client goes away right after receiving it.
func TestAuditSurvivesHangUp(t *testing.T) {
	app := newTestApp(t, "")
	s := app.sessions["system-admin"]
	id, _ := app.db.Accounts().UserID(context.Background(), "u-viewer")
	for range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		req := httptest.NewRequest("GET", "/api/v1/users/"+itoa(id), nil).WithContext(ctx)
		req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: s[0]})
		w := hangUp{ResponseRecorder: httptest.NewRecorder(), cancel: cancel}
		app.handler.ServeHTTP(w, req)
		if w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
	}
	got, err := app.db.Audit().List(context.Background(), audit.Filter{Resource: "users", RecordID: itoa(id), Action: "read", Limit: 10})
	if err != nil || len(got) != 3 {
		t.Errorf("audited reads after hang-ups: %d (%v), want 3", len(got), err)
	}
}
