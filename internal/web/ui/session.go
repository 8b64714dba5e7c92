package ui

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/webauth"
)

// The sign-in form has no session to carry a CSRF token yet, so it is
// protected by a pre-session double-submit token: a random value in a
// cookie only /login sees (HttpOnly, SameSite=Strict) that the form must
// repeat in a hidden field. A cross-site page can neither read the cookie
// nor, with SameSite=Strict, have the browser send it. The Origin (and
// Sec-Fetch-Site) of the POST must be this site as well.
const (
	loginCSRFCookie = "corridor_login_csrf"
	loginCSRFField  = "csrf_token"
	loginCSRFMaxAge = 2 * time.Hour
)

// crossOrigin refuses unsafe requests that a browser marks as coming from
// another site (Sec-Fetch-Site, else an Origin that is not this host).
var crossOrigin = http.NewCrossOriginProtection()

// loginPage is the data of the sign-in template.
type loginPage struct {
	Username string // what was typed, shown again after a failure
	Next     string // where to go after signing in (a local path)
	Token    string // the pre-session CSRF token
	Error    string // a translated, generic reason for the failure
	// UsernameError and PasswordError name an empty field.
	UsernameError, PasswordError string
}

// loginForm shows the sign-in form.
func (u *UI) loginForm(w http.ResponseWriter, r *http.Request, v *view) error {
	tok, err := u.loginToken(w, r)
	if err != nil {
		return err
	}
	return u.renderLogin(w, r, v, http.StatusOK, loginPage{Next: safeNext(r.URL.Query().Get("next")), Token: tok})
}

// login signs a user in from the form. Wrong credentials get one generic
// answer whatever was wrong; nothing typed into the form is logged.
func (u *UI) login(w http.ResponseWriter, r *http.Request, v *view) error {
	w.Header().Set("Cache-Control", "no-store")
	if err := parseForm(r); err != nil {
		return err
	}
	username, password := strings.TrimSpace(r.PostForm.Get("username")), r.PostForm.Get("password")
	page := loginPage{Next: safeNext(r.PostForm.Get("next"))}
	refuse := func(status int, msgID string) error {
		tok, err := u.loginToken(w, r)
		if err != nil {
			return err
		}
		page.Token, page.Error = tok, v.T(msgID)
		return u.renderLogin(w, r, v, status, page)
	}
	if crossOrigin.Check(r) != nil {
		return refuse(http.StatusForbidden, "login.error.crossSite")
	}
	if !validLoginToken(r) {
		return refuse(http.StatusForbidden, "login.error.expired")
	}
	page.Token = r.PostForm.Get(loginCSRFField)
	if username == "" || password == "" {
		// Only a form missing a field shows the username again: after
		// a refused attempt nothing typed is echoed, so that no part of
		// a password typed into the wrong field ends up on the page.
		if len(username) <= auth.MaxUsernameLength {
			page.Username = username
		}
		if username == "" {
			page.UsernameError = v.T("form.fieldError", "Field", v.T("login.username"), "Reason", v.T("form.reason.required"))
		}
		if password == "" {
			page.PasswordError = v.T("form.fieldError", "Field", v.T("login.password"), "Reason", v.T("form.reason.required"))
		}
		return u.renderLogin(w, r, v, http.StatusBadRequest, page)
	}

	web.SkipAudit(r) // SignIn audits every attempt itself
	old := web.IdentityFrom(r.Context()).Session
	if c, err := r.Cookie(auth.SessionCookie); err == nil && old == "" {
		old = c.Value // a stale or planted cookie: deleted, never reused
	}
	secret, _, _, err := u.auth.SignIn(r.Context(), username, password, web.ClientAddr(r), old)
	var te *webauth.ThrottledError
	switch {
	case errors.As(err, &te):
		w.Header().Set("Retry-After", strconv.Itoa(int(time.Until(te.Until).Seconds())+1))
		page.Error = v.T("login.error.throttled", "Time", te.Until.UTC().Format("15:04 UTC"))
		return u.renderLogin(w, r, v, http.StatusTooManyRequests, page)
	case errors.Is(err, derrors.Unauthenticated):
		page.Error = v.T("login.error.failed")
		return u.renderLogin(w, r, v, http.StatusUnauthorized, page)
	case err != nil:
		return err
	}
	u.auth.SetSessionCookie(w, r, secret)
	u.clearLoginToken(w, r)
	next := page.Next
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (u *UI) renderLogin(w http.ResponseWriter, r *http.Request, v *view, status int, page loginPage) error {
	w.Header().Set("Cache-Control", "no-store")
	v.Title, v.Data = v.T("login.title"), page
	q := url.Values{}
	if page.Next != "" {
		q.Set("next", page.Next)
	}
	v.Languages = u.languageLinksTo("/login", q, v.Lang)
	return u.render(w, status, "login", v)
}

// loginToken returns the pre-session CSRF token, setting its cookie. The
// token of a cookie the browser already has is kept when it is one this
// server could have made, so that several tabs may show the form.
func (u *UI) loginToken(w http.ResponseWriter, r *http.Request) (string, error) {
	if c, err := r.Cookie(loginCSRFCookie); err == nil && wellFormedToken(c.Value) {
		return c.Value, nil
	}
	tok, err := auth.NewSecret("")
	if err != nil {
		return "", err
	}
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: tok, Path: "/login", MaxAge: int(loginCSRFMaxAge.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: u.auth.SecureCookies || r.TLS != nil})
	return tok, nil
}

func (u *UI) clearLoginToken(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: "", Path: "/login", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: u.auth.SecureCookies || r.TLS != nil})
}

// wellFormedToken reports whether s has the shape of auth.NewSecret("").
func wellFormedToken(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}

// validLoginToken compares the form's token with the cookie's, in
// constant time. Equality is the whole check: a cross-site page can
// neither read the cookie nor have the browser send it.
func validLoginToken(r *http.Request) bool {
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || c.Value == "" {
		return false
	}
	got := r.PostForm.Get(loginCSRFField)
	return subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) == 1
}

// safeNext returns next when it is a path on this site, else "". It
// refuses what a browser would take for another host: "//host",
// "/\host", and anything with a scheme or control characters.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\") ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) || len(next) > 2048 {
		return ""
	}
	p, err := url.Parse(next)
	if err != nil || p.Scheme != "" || p.Host != "" || p.User != nil {
		return ""
	}
	if p.Path == "/login" {
		return ""
	}
	return next
}

// logout ends the session (the policy has checked its CSRF token) and
// goes home.
func (u *UI) logout(w http.ResponseWriter, r *http.Request) {
	if err := u.auth.SignOut(w, r); err != nil {
		u.renderError(w, r, u.newView(w, r, ""), err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
