package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzSignIn sends arbitrary credentials to the JSON sign-in and to the
// sign-in form. Whatever comes in, the answer is a deliberate status
// (created, bad request, unauthorised, throttled, forbidden, redirect),
// never a server error, and never echoes the password.
func FuzzSignIn(f *testing.F) {
	app := newTestApp(f, "")
	f.Add("u-viewer", pw("viewer"))
	f.Add("u-viewer", "wrong")
	f.Add("", "")
	f.Add("<script>alert(1)</script>", "x")
	f.Add("a\x00b", "\xff\xfe")
	f.Add(strings.Repeat("u", 300), strings.Repeat("p", 3000))
	f.Add("ROBERT'); DROP TABLE users;--", "' OR 1=1 --")
	f.Fuzz(func(t *testing.T, username, password string) {
		body, _ := json.Marshal(map[string]string{"username": username, "password": password})
		req := httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		app.handler.ServeHTTP(rec, req)
		checkAnswer(t, "POST /api/v1/session", rec, password)

		form := url.Values{"username": {username}, "password": {password}, "csrf_token": {"x"}}
		req = httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "corridor_login_csrf", Value: "x"})
		rec = httptest.NewRecorder()
		app.handler.ServeHTTP(rec, req)
		checkAnswer(t, "POST /login", rec, password)
	})
}

func checkAnswer(t *testing.T, what string, rec *httptest.ResponseRecorder, password string) {
	t.Helper()
	switch rec.Code {
	case http.StatusCreated, http.StatusSeeOther, http.StatusBadRequest, http.StatusUnauthorized,
		http.StatusForbidden, http.StatusTooManyRequests, http.StatusRequestEntityTooLarge:
	default:
		t.Fatalf("%s: status %d: %s", what, rec.Code, rec.Body)
	}
	if len(password) >= 6 && strings.Contains(rec.Body.String(), password) {
		t.Fatalf("%s echoes the password", what)
	}
}
