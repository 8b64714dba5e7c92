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

// countryNotFound is an unknown code in /countries/{iso3}.
type countryNotFound struct{ Code string }

func (e *countryNotFound) Error() string { return "no country with code " + e.Code }
func (e *countryNotFound) Unwrap() error { return derrors.NotFound }

// errorPage is the data of the error template.
type errorPage struct {
	Status         int
	Title, Message string
}

// renderError shows err as an HTML page in the layout, with the status its
// kind maps to (the one table in internal/web). Server errors are logged
// and shown without their text, which may hold what users must not see.
func (u *UI) renderError(w http.ResponseWriter, r *http.Request, v *view, err error) {
	status := web.StatusFor(err)
	if status >= 500 {
		u.log.ErrorContext(r.Context(), "page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	u.writeErrorPage(w, v, errorPageFor(v, status, err))
}

// errorPageFor translates an error into the page that explains it.
func errorPageFor(v *view, status int, err error) errorPage {
	p := errorPage{Status: status}
	var pe *paramError
	var wpe *web.ParamError
	var cnf *countryNotFound
	switch {
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
	case status == http.StatusBadRequest && err != nil:
		// An Invalid error from the store: its text names the field but
		// is English only.
		p.Title, p.Message = v.T("error.badRequest.title"), err.Error()
	default:
		p.Title, p.Message = v.T("error.internal.title"), v.T("error.internal.text")
	}
	return p
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

// PolicyError answers a page the policy refused: signed-out visitors are
// sent to the sign-in page (coming back afterwards), others get the error
// page.
func (u *UI) PolicyError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, derrors.Unauthenticated) && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	u.renderError(w, r, u.newView(w, r, ""), err)
}
