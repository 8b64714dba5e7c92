package ui

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/i18n"
	"github.com/corridor-platform/corridor/internal/web"
)

// view is the root of every template's data: the request's language, the
// layout's navigation and the page's own Data.
type view struct {
	u   *UI
	loc *i18n.Localizer

	Lang         string
	Title        string // translated page title, without the site name
	Section      string // "home", "countries" or a capability key: marks the current nav entry
	Languages    []langLink
	Capabilities []capLink
	Version      string
	Data         any

	// Accounts is true when signing in is possible (the sign-in link).
	Accounts bool
	// SignedIn, Username and CSRF describe the signed-in user: the header
	// shows the name, a link to the account and a sign-out form carrying
	// the session's CSRF token.
	SignedIn  bool
	Username  string
	CSRF      string
	SignInURL string    // the sign-in page, coming back here afterwards
	Admin     []navLink // administration pages the user may read
	Plans     bool      // the user may read development plans (the navigation's link)
	Cases     bool      // the user may read cases (the navigation's link)
	Releases  bool      // the user may read releases (the navigation's link)
}

// navLink is one entry of the administration navigation.
type navLink struct {
	Path, Label string
	Current     bool
}

// adminPages are the administration pages, shown in the navigation to
// those whose roles let them read the resource.
var adminPages = []struct{ section, resource, path, label string }{
	{"users", "users", "/admin/users", "nav.users"},
	{"orgs", "orgs", "/admin/orgs", "nav.orgs"},
	{"roles", "roles", "/admin/roles", "nav.roles"},
	{"audit", "audit", "/admin/audit", "nav.audit"},
}

// langLink switches the current page to another language.
type langLink struct {
	Code, Name, URL string
	Current         bool
}

// capLink is one capability in the navigation, translated.
type capLink struct {
	capability
	Title, Summary string
	Current        bool
}

// T translates a message; kv are template values as name, value pairs:
//
//	{{.T "pagination.status" "Page" 2 "Pages" 10}}
//
// A missing message is logged: the catalogue tests forbid it, and the log
// catches what the tests did not render.
func (v *view) T(id string, kv ...any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			data[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return v.translate(id, data)
}

// translate is T with the template values as a map.
func (v *view) translate(id string, data map[string]any) string {
	if !v.u.catalog.Has(id) {
		v.u.log.Error("missing translation message", "id", id)
	}
	return v.loc.T(id, data)
}

// newView negotiates the request's language and builds the layout data.
// It remembers a language chosen with ?lang= in a cookie, so the choice
// holds on the next pages without the parameter.
func (u *UI) newView(w http.ResponseWriter, r *http.Request, section string) *view {
	lang := u.catalog.Negotiate(r)
	if chosen, ok := u.catalog.Match(r.URL.Query().Get(i18n.QueryParam)); ok {
		http.SetCookie(w, &http.Cookie{
			Name: i18n.CookieName, Value: chosen, Path: "/",
			MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: r.TLS != nil,
			SameSite: http.SameSiteLaxMode,
		})
	}
	// The page depends on the language, which comes from these headers.
	w.Header().Add("Vary", "Accept-Language, Cookie")
	v := &view{u: u, loc: u.catalog.Localizer(lang), Lang: lang, Section: section, Version: u.version}
	v.Languages = u.languageLinks(r, lang)
	v.Capabilities = v.capabilityLinks()
	v.Accounts = u.accounts()
	if v.Accounts {
		v.SignInURL = signInURL(r)
	}
	id := web.IdentityFrom(r.Context())
	if p := id.Principal; p.SignedIn() {
		// The page names the user and carries their CSRF token: no cache
		// may keep it.
		w.Header().Set("Cache-Control", "no-store")
		v.SignedIn, v.Username, v.CSRF = true, p.Username, id.CSRF
		v.Plans = p.Can("plans", auth.Read)
		v.Cases = p.Can("cases", auth.Read)
		v.Releases = p.Can("releases", auth.Read)
		for _, a := range adminPages {
			if p.Can(a.resource, auth.Read) {
				v.Admin = append(v.Admin, navLink{Path: a.path, Label: v.T(a.label), Current: section == a.section})
			}
		}
	}
	return v
}

// signInURL is the sign-in page, with the current page as where to come
// back to (only for pages one can come back to with a GET).
func signInURL(r *http.Request) string {
	if r.Method != http.MethodGet || r.URL.Path == "/login" || r.URL.Path == "/" || web.IsAPI(r) {
		return "/login"
	}
	return "/login?" + url.Values{"next": {r.URL.RequestURI()}}.Encode()
}

// languageLinks point at the current page in each language.
func (u *UI) languageLinks(r *http.Request, current string) []langLink {
	return u.languageLinksTo(r.URL.EscapedPath(), r.URL.Query(), current)
}

// languageLinksTo point at a page (path and query) in each language: a
// form answered by a POST links to the page that shows the form again.
func (u *UI) languageLinksTo(path string, query url.Values, current string) []langLink {
	var links []langLink
	for _, l := range u.catalog.Languages() {
		q := cloneQuery(query)
		q.Set(i18n.QueryParam, l.Code)
		links = append(links, langLink{
			Code: l.Code, Name: l.Name, Current: l.Code == current,
			URL: path + "?" + q.Encode(),
		})
	}
	return links
}

func (v *view) capabilityLinks() []capLink {
	links := make([]capLink, len(capabilities))
	for i, c := range capabilities {
		links[i] = capLink{
			capability: c,
			Title:      v.T(c.ID("title")),
			Summary:    v.T(c.ID("summary")),
			Current:    v.Section == c.Key,
		}
	}
	return links
}

// InCapability reports whether the page is one of the capability pages
// (the capabilities menu is then the current navigation entry).
func (v *view) InCapability() bool {
	for _, c := range capabilities {
		if c.Key == v.Section {
			return true
		}
	}
	return false
}

func cloneQuery(q url.Values) url.Values {
	out := make(url.Values, len(q))
	for k, vs := range q {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// render executes a page into a buffer and only then writes it, so that a
// template error gives a clean error page rather than half a page.
func (u *UI) render(w http.ResponseWriter, status int, page string, v *view) error {
	t, ok := u.pages[page]
	if !ok {
		return fmt.Errorf("ui: no page template %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("ui: rendering %s: %w", page, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	if err != nil {
		// The client went away; nothing left to tell it.
		u.log.Debug("writing page", "page", page, "err", err)
	}
	return nil
}

// pageFunc handles one page: it renders it or returns the error to show.
type pageFunc func(w http.ResponseWriter, r *http.Request, v *view) error

// handle adapts a pageFunc to http.Handler, with error pages.
func (u *UI) handle(section string, h pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := u.newView(w, r, section)
		if err := h(w, r, v); err != nil {
			u.renderError(w, r, v, err)
		}
	})
}
