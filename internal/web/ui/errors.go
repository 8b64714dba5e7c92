package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/web"
)

// paramError is a bad query or path parameter, with a translatable reason.
// It wraps derrors.Invalid so that it classifies like every Invalid error.
type paramError struct {
	Param    string
	ReasonID string         // message id of the reason, e.g. "error.reason.range"
	Data     map[string]any // values for the reason message
}

func (e *paramError) Error() string {
	return fmt.Sprintf("parameter %s: %s %v", e.Param, e.ReasonID, e.Data)
}
func (e *paramError) Unwrap() error { return derrors.Invalid }

// refusal is an error a page explains in the user's language: a request
// the handler refuses (a built-in role cannot be deleted, a record out of
// scope). Kind is the derrors kind that decides the status.
type refusal struct {
	Kind            error
	TitleID, TextID string         // message ids of the page's title and text
	Data            map[string]any // values for the text message
}

func (e *refusal) Error() string { return e.Kind.Error() + ": " + e.TextID }
func (e *refusal) Unwrap() error { return e.Kind }

// countryNotFound is an unknown code in /countries/{iso3}.
type countryNotFound struct{ Code string }

func (e *countryNotFound) Error() string { return "no country with code " + e.Code }
func (e *countryNotFound) Unwrap() error { return derrors.NotFound }

// errorPage is the data of the error template.
type errorPage struct {
	Status         int
	Title, Message string
	// SignInURL, when set, offers the sign-in page (a 401).
	SignInURL string
}

// renderError shows err as an HTML page in the layout, with the status its
// kind maps to (the one table in internal/web). Server errors are logged
// and shown without their text, which may hold what users must not see.
func (u *UI) renderError(w http.ResponseWriter, r *http.Request, v *view, err error) {
	status := web.StatusFor(err)
	if status >= 500 {
		u.log.ErrorContext(r.Context(), "page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p := errorPageFor(v, status, err)
	if status == http.StatusUnauthorized && v.Accounts {
		p.SignInURL = v.SignInURL
	}
	u.writeErrorPage(w, v, p)
}

// errorPageFor translates an error into the page that explains it.
func errorPageFor(v *view, status int, err error) errorPage {
	p := errorPage{Status: status}
	var pe *paramError
	var wpe *web.ParamError
	var cnf *countryNotFound
	var ref *refusal
	switch {
	case errors.As(err, &ref):
		p.Title, p.Message = v.T(ref.TitleID), v.translate(ref.TextID, ref.Data)
	case errors.As(err, &pe):
		p.Title = v.T("error.badRequest.title")
		p.Message = v.T("error.badParam.text", "Param", pe.Param, "Reason", v.translate(pe.ReasonID, pe.Data))
	case errors.As(err, &wpe):
		p.Title = v.T("error.badRequest.title")
		p.Message = v.T("error.badParam.text", "Param", wpe.Param, "Reason", wpe.Reason)
	case errors.As(err, &cnf):
		p.Title = v.T("error.notFound.title")
		p.Message = v.T("error.countryNotFound.text", "Code", cnf.Code)
	case status == http.StatusNotFound:
		p.Title, p.Message = v.T("error.notFound.title"), v.T("error.notFound.text")
	case status == http.StatusMethodNotAllowed:
		p.Title, p.Message = v.T("error.methodNotAllowed.title"), v.T("error.methodNotAllowed.text")
	case status == http.StatusUnauthorized:
		p.Title, p.Message = v.T("error.unauthenticated.title"), v.T("error.unauthenticated.text")
	case status == http.StatusForbidden && isCSRFRefusal(err):
		p.Title, p.Message = v.T("error.csrf.title"), v.T("error.csrf.text")
	case status == http.StatusForbidden:
		p.Title, p.Message = v.T("error.forbidden.title"), v.T("error.forbidden.text")
	case status == http.StatusTooManyRequests:
		p.Title, p.Message = v.T("error.tooManyRequests.title"), v.T("error.tooManyRequests.text")
	case status == http.StatusRequestEntityTooLarge:
		p.Title, p.Message = v.T("error.tooLarge.title"), v.T("error.tooLarge.text")
	case status == http.StatusBadRequest && err != nil:
		// An Invalid error from the store: its text names the field but
		// is English only.
		p.Title, p.Message = v.T("error.badRequest.title"), derrors.Message(err)
	case status == http.StatusConflict && err != nil:
		p.Title, p.Message = v.T("error.conflict.title"), derrors.Message(err)
	default:
		p.Title, p.Message = v.T("error.internal.title"), v.T("error.internal.text")
	}
	return p
}

// isCSRFRefusal reports whether the policy refused an unsafe request for
// its missing or wrong CSRF token (a stale form, or a forged request),
// rather than for the user's roles.
func isCSRFRefusal(err error) bool {
	return errors.Is(err, web.ErrCSRF)
}

func (u *UI) writeErrorPage(w http.ResponseWriter, v *view, p errorPage) {
	v.Title, v.Data = p.Title, p
	w.Header().Set("Cache-Control", "no-store")
	if err := u.render(w, p.Status, "error", v); err != nil {
		// The error page itself failed: fall back to plain text.
		u.log.Error("rendering the error page", "err", err)
		http.Error(w, p.Title, p.Status)
	}
}

// NotFoundPage answers a request that matched no route with an HTML 404
// or 405 page in the layout; plug it into web.Stack.NotFoundPage.
func (u *UI) NotFoundPage(w http.ResponseWriter, r *http.Request, status int) {
	v := u.newView(w, r, "")
	// The router decided the status; the page only needs to explain it.
	u.writeErrorPage(w, v, errorPageFor(v, status, nil))
}

// PolicyError answers a page the policy refused. A signed-out visitor
// asking for a page is sent to the sign-in page, coming back afterwards;
// everything else gets a translated error page with the refusal's status:
// 401 for a form sent without being signed in (the session may have
// ended), 403 for a page the user's roles do not allow or a form without
// its CSRF token.
func (u *UI) PolicyError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, derrors.Unauthenticated) && u.accounts() &&
		(r.Method == http.MethodGet || r.Method == http.MethodHead) {
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	u.renderError(w, r, u.newView(w, r, ""), err)
}
