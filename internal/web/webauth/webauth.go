// Package webauth authenticates web requests (session cookie or bearer
// API token), signs users in with throttling and auditing, and manages the
// session cookie. It implements web.Authenticator for the policy layer and
// is shared by the JSON API and the HTML pages.
package webauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// Auth authenticates requests (session cookie or bearer API token) and
// signs users in and out. It implements web.Authenticator.
type Auth struct {
	DB *store.DB
	// SecureCookies sets the Secure flag (serving over TLS or behind a TLS
	// proxy).
	SecureCookies bool
}

var _ web.Authenticator = (*Auth)(nil)

// Authenticate resolves a request's identity.
func (a *Auth) Authenticate(r *http.Request) (web.Identity, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		return a.byToken(ctx, h, web.ClientAddr(r))
	}
	if c, err := r.Cookie(auth.SessionCookie); err == nil && c.Value != "" {
		id, err := a.bySession(ctx, c.Value)
		if err == nil || !errors.Is(err, derrors.Unauthenticated) {
			return id, err
		}
		// A stale cookie makes the request a public one, not an error:
		// the browser still sees public pages and the sign-in form.
	}
	p, err := a.DB.Accounts().PublicPrincipal(ctx)
	return web.Identity{Principal: p}, err
}

// byToken authenticates an API token. Guessing tokens is throttled per
// address (invalid tokens count as failed sign-ins), and each token may
// make at most auth.MaxTokenRequestsPerMinute requests a minute.
func (a *Auth) byToken(ctx context.Context, header, addr string) (web.Identity, error) {
	sess := a.DB.Sessions()
	if throttled, err := sess.TokenGuessingThrottled(ctx, addr); err != nil {
		return web.Identity{}, err
	} else if throttled {
		return web.Identity{}, &ThrottledError{Until: time.Now().Add(auth.ThrottleWindow), What: "too many invalid API tokens from this address"}
	}
	secret, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || !auth.LooksLikeToken(strings.TrimSpace(secret)) {
		sess.RecordFailure(ctx, store.TokenFailureUsername, addr)
		return web.Identity{}, derrors.Kindf(derrors.Unauthenticated, "Authorization: expected \"Bearer crd_…\" with an API token")
	}
	t, err := sess.LookupToken(ctx, strings.TrimSpace(secret))
	if err != nil {
		if errors.Is(err, derrors.Unauthenticated) {
			sess.RecordFailure(ctx, store.TokenFailureUsername, addr)
		}
		return web.Identity{}, err
	}
	n, err := sess.CountTokenUse(ctx, t.ID, time.Now())
	if err != nil {
		return web.Identity{}, err
	}
	if n > auth.MaxTokenRequestsPerMinute {
		next := time.Now().Truncate(time.Minute).Add(time.Minute)
		return web.Identity{}, &ThrottledError{Until: next, What: fmt.Sprintf("API token %d made more than %d requests this minute", t.ID, auth.MaxTokenRequestsPerMinute)}
	}
	p, err := a.DB.Accounts().Principal(ctx, t.UserID, t.Permissions)
	if err != nil {
		return web.Identity{}, err
	}
	p.TokenID = t.ID
	return web.Identity{Principal: p, Token: true}, nil
}

func (a *Auth) bySession(ctx context.Context, secret string) (web.Identity, error) {
	s, err := a.DB.Sessions().Lookup(ctx, secret)
	if err != nil {
		return web.Identity{}, err
	}
	p, err := a.DB.Accounts().Principal(ctx, s.UserID, nil)
	if err != nil {
		return web.Identity{}, err
	}
	p.SessionID = secret
	return web.Identity{Principal: p, Session: secret, CSRF: s.CSRFToken}, nil
}

// ThrottledError is a sign-in refused by throttling; it wraps
// derrors.TooManyRequests and says when to try again.
type ThrottledError struct {
	Until time.Time
	What  string // what was too many; default: failed sign-ins
}

func (e *ThrottledError) Error() string {
	what := e.What
	if what == "" {
		what = "too many failed sign-ins"
	}
	return fmt.Sprintf("%s; try again after %s", what, e.Until.UTC().Format("15:04:05 MST"))
}

// RetryAfter is the Retry-After header value, in seconds.
func (e *ThrottledError) RetryAfter() int       { return max(1, int(time.Until(e.Until).Seconds())+1) }
func (e *ThrottledError) Unwrap() error         { return derrors.TooManyRequests }
func (e *ThrottledError) PublicMessage() string { return e.Error() }

// SignIn checks a username and password, with throttling per account and
// per address, and starts a session. Every attempt is audited. The error
// for a wrong username and a wrong password is the same.
func (a *Auth) SignIn(ctx context.Context, username, password, addr, oldSession string) (secret, csrf string, p *auth.Principal, err error) {
	failed := derrors.Kindf(derrors.Unauthenticated, "wrong username or password")
	username = auth.NormalizeUsername(username)
	if len(username) > auth.MaxUsernameLength || len(password) > auth.MaxPasswordLength {
		return "", "", nil, failed
	}
	sess := a.DB.Sessions()
	if throttled, until, err := sess.Throttled(ctx, username, addr); err != nil {
		return "", "", nil, err
	} else if throttled {
		a.audit(ctx, audit.Entry{ActorName: safeName(username), Action: audit.ActionSignInFailed, Resource: "session",
			Outcome: audit.OutcomeDenied, ClientAddr: addr, Detail: "throttled"})
		return "", "", nil, &ThrottledError{Until: until}
	}
	cred, err := a.DB.Accounts().CredentialsFor(ctx, username)
	ok := false
	switch {
	case errors.Is(err, derrors.NotFound):
		auth.VerifyDummy(password) // same time as a wrong password
	case err != nil:
		return "", "", nil, err
	default:
		ok = auth.VerifyPassword(password, cred.PasswordHash) && !cred.Disabled
	}
	if !ok {
		if err := sess.RecordFailure(ctx, username, addr); err != nil {
			return "", "", nil, err
		}
		a.audit(ctx, audit.Entry{ActorID: cred.UserID, ActorName: safeName(username), OrgID: cred.OrgID,
			Action: audit.ActionSignInFailed, Resource: "session", Outcome: audit.OutcomeFailed, ClientAddr: addr})
		return "", "", nil, failed
	}
	if secret, csrf, err = sess.Create(ctx, cred.UserID, addr, oldSession); err != nil {
		return "", "", nil, err
	}
	sess.ClearFailures(ctx, username)
	if p, err = a.DB.Accounts().Principal(ctx, cred.UserID, nil); err != nil {
		return "", "", nil, err
	}
	a.audit(ctx, audit.Entry{ActorID: cred.UserID, ActorName: cred.Username, OrgID: cred.OrgID,
		Action: audit.ActionSignIn, Resource: "session", Outcome: audit.OutcomeOK, ClientAddr: addr})
	return secret, csrf, p, nil
}

// safeName keeps only the characters a username may have, so that a
// hostile string typed into the sign-in form cannot reach the audit trail.
func safeName(u string) string {
	if auth.ValidateUsername(u) != nil {
		return "(invalid username)"
	}
	return u
}

func (a *Auth) audit(ctx context.Context, e audit.Entry) {
	a.DB.Audit().Append(ctx, e)
}

// SetSessionCookie sets the session cookie: HttpOnly, SameSite=Lax,
// Secure under TLS, no Expires (the server decides expiry).
func (a *Auth) SetSessionCookie(w http.ResponseWriter, r *http.Request, secret string) {
	http.SetCookie(w, &http.Cookie{Name: auth.SessionCookie, Value: secret, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: a.SecureCookies || r.TLS != nil})
}

// ClearSessionCookie removes the session cookie.
func (a *Auth) ClearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: auth.SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: a.SecureCookies || r.TLS != nil})
}

// SignOut ends the request's session.
func (a *Auth) SignOut(w http.ResponseWriter, r *http.Request) error {
	id := web.IdentityFrom(r.Context())
	if id.Session != "" {
		if err := a.DB.Sessions().Delete(r.Context(), id.Session); err != nil {
			return err
		}
	}
	a.ClearSessionCookie(w, r)
	return nil
}
