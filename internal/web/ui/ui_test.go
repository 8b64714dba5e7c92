package ui

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/i18n"
	"github.com/corridor-platform/corridor/internal/web"
)

// harness is the UI behind the real web.Stack, as cmd/corridor mounts it.
type harness struct {
	ui      *UI
	handler http.Handler
	logs    *bytes.Buffer
}

func newHarness(t *testing.T, store geo.Store) *harness {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	u, err := New(Config{Geo: store, Log: log, Catalog: cat, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	router := web.NewRouter(web.Instrument(nil, log))
	u.Register(router)
	stack := &web.Stack{Router: router, Log: log, BodyLimit: 1 << 20, NotFoundPage: u.NotFoundPage}
	return &harness{ui: u, handler: stack.Handler(), logs: logs}
}

// request is one test request; lang options set the ways a language arrives.
type request struct {
	method, url         string
	cookieLang, accepts string
}

func (h *harness) do(t *testing.T, req request) *httptest.ResponseRecorder {
	t.Helper()
	method := req.method
	if method == "" {
		method = http.MethodGet
	}
	r := httptest.NewRequest(method, req.url, nil)
	if req.cookieLang != "" {
		r.AddCookie(&http.Cookie{Name: i18n.CookieName, Value: req.cookieLang})
	}
	if req.accepts != "" {
		r.Header.Set("Accept-Language", req.accepts)
	}
	w := httptest.NewRecorder()
	h.handler.ServeHTTP(w, r)
	return w
}

func (h *harness) get(t *testing.T, url string) *httptest.ResponseRecorder {
	return h.do(t, request{url: url})
}

func TestPages(t *testing.T) {
	h := newHarness(t, newMemStore(testReference()))
	tests := []struct {
		name   string
		req    request
		status int
		want   []string
		reject []string
	}{
		{"home", request{url: "/"}, 200,
			[]string{`<html lang="en">`, "The migration corridor", "origin country", `action="/countries"`, `name="q"`,
				"Migration statistics and indicators", "Remittance prices and services", "Migrant information, law and rights"}, nil},
		{"country list", request{url: "/countries"}, 200,
			[]string{"Kenya", "France", "Antarctica", "7 countries and territories match.", "<caption", `scope="col"`, `scope="row"`},
			[]string{">Africa</a>"}},
		{"search by name", request{url: "/countries?q=kenya"}, 200,
			[]string{`href="/countries/KEN"`, "1 country or territory matches."}, []string{"France"}},
		{"search by ISO2", request{url: "/countries?q=ET"}, 200, []string{"Ethiopia"}, []string{"Kenya"}},
		{"search by alias", request{url: "/countries?q=cote"}, 200, []string{"Côte d&#39;Ivoire"}, nil},
		{"region filter", request{url: "/countries?region=africa"}, 200,
			[]string{"Kenya", "Ethiopia", `<option value="Africa" selected>`}, []string{"Mexico"}},
		{"sub-region filter", request{url: "/countries?subregion=Western+Europe"}, 200, []string{"France"}, []string{"Spain"}},
		{"no match", request{url: "/countries?q=atlantis"}, 200, []string{"No country or territory matches this search."}, []string{"<table"}},
		{"pagination", request{url: "/countries?limit=2&offset=2"}, 200,
			[]string{"Page 2 of 4", `href="/countries?limit=2&amp;offset=4"`, `href="/countries?limit=2"`, "3–4 of 7"}, nil},
		{"past the end", request{url: "/countries?offset=100"}, 200, []string{"past the end of the results"}, nil},

		{"negative offset", request{url: "/countries?offset=-1"}, 400, []string{"Invalid request", "“offset”", "0 or more"}, nil},
		{"non-numeric limit", request{url: "/countries?limit=abc"}, 400, []string{"“limit”", "whole number"}, nil},
		{"zero limit", request{url: "/countries?limit=0"}, 400, []string{"“limit”", "between 1 and 500"}, nil},
		{"huge limit", request{url: "/countries?limit=501"}, 400, []string{"“limit”"}, nil},
		{"unknown region", request{url: "/countries?region=Atlantis"}, 400, []string{"“region”", "Atlantis"}, nil},
		{"unknown sub-region", request{url: "/countries?subregion=Mars"}, 400, []string{"“subregion”"}, nil},
		{"long query", request{url: "/countries?q=" + strings.Repeat("a", 101)}, 400, []string{"“q”", "100 characters"}, nil},
		{"bad param in French", request{url: "/countries?offset=-1&lang=fr"}, 400, []string{"Requête invalide", "« offset »"}, nil},

		{"Kenya", request{url: "/countries/KEN"}, 200,
			[]string{"<h1>Kenya</h1>", "Africa", "Sub-Saharan Africa", "Eastern Africa", "Lower middle income",
				"<code>KE</code>", "<code>404</code>", `href="/countries?region=Africa"`, `href="/countries?subregion=Sub-Saharan&#43;Africa"`,
				"lukes/ISO-3166-Countries-with-Regional-Codes", "CC BY-SA 4.0", "CC BY 3.0 IGO", "World Development Indicators", "UNHCR"}, nil},
		{"country without regions", request{url: "/countries/ATA"}, 200, []string{"Antarctica", `class="none"`}, nil},
		{"unknown country", request{url: "/countries/ZZZ"}, 404, []string{"Page not found", "“ZZZ”"}, nil},
		{"region is not a country", request{url: "/countries/002"}, 404, []string{"“002”"}, nil},
		{"malformed code", request{url: "/countries/K-N"}, 400, []string{"“iso3”"}, nil},

		{"French country page", request{url: "/countries/KEN?lang=fr"}, 200,
			[]string{`<html lang="fr">`, "Région", "Sous-région", "Région intermédiaire", "Groupe de revenu", "Eastern Africa", "Accueil"},
			[]string{">Income group<"}},
		{"French from cookie", request{url: "/", cookieLang: "fr"}, 200, []string{`<html lang="fr">`, "Trouver un pays", "Pas encore construite"}, nil},
		{"Spanish from Accept-Language", request{url: "/", accepts: "es-ES,es;q=0.9,en;q=0.5"}, 200,
			[]string{`<html lang="es">`, "Buscar un país", "Inicio"}, nil},
		{"French plural", request{url: "/countries?q=kenya&lang=fr"}, 200, []string{"1 pays ou territoire correspond."}, nil},

		{"capability page", request{url: "/remittance-prices"}, 200,
			[]string{"Remittance prices and services", `<a href="/remittances">`, "Capability 7 of 11", "fee plus the exchange-rate margin",
				"World Bank Remittance Prices Worldwide", `aria-current="page"`}, nil},
		{"unknown path", request{url: "/no/such/page"}, 404, []string{"Page not found", `<html lang="en">`}, nil},
		{"unknown path in Spanish", request{url: "/nope", cookieLang: "es"}, 404, []string{"Página no encontrada"}, nil},
		{"wrong method", request{method: http.MethodPost, url: "/countries"}, 405, []string{"Method not allowed"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := h.do(t, tt.req)
			body := w.Body.String()
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d\n%s", w.Code, tt.status, body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			for _, s := range tt.want {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			for _, s := range tt.reject {
				if strings.Contains(body, s) {
					t.Errorf("page has %q", s)
				}
			}
		})
	}
	if h.logs.Len() > 0 {
		t.Errorf("unexpected log output:\n%s", h.logs)
	}
}

func TestMethodNotAllowedKeepsAllow(t *testing.T) {
	h := newHarness(t, newMemStore(testReference()))
	w := h.do(t, request{method: http.MethodDelete, url: "/countries/KEN"})
	if w.Code != 405 || !strings.Contains(w.Header().Get("Allow"), "GET") {
		t.Errorf("status %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
}

func TestHeadAnswersWithoutBody(t *testing.T) {
	h := newHarness(t, newMemStore(testReference()))
	w := h.do(t, request{method: http.MethodHead, url: "/countries/KEN"})
	if w.Code != 200 {
		t.Errorf("HEAD status = %d", w.Code)
	}
}

func TestRedirectsToCanonicalCode(t *testing.T) {
	h := newHarness(t, newMemStore(testReference()))
	for _, u := range []string{"/countries/ken", "/countries/KE", "/countries/ke", "/countries/404"} {
		w := h.get(t, u+"?lang=fr")
		if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/countries/KEN?lang=fr" {
			t.Errorf("%s: status %d, Location %q", u, w.Code, w.Header().Get("Location"))
		}
	}
}

func TestLanguageSwitchSetsCookieAndKeepsPage(t *testing.T) {
	h := newHarness(t, newMemStore(testReference()))
	w := h.get(t, "/countries?region=Africa&lang=fr")
	var lang *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == i18n.CookieName {
			lang = c
		}
	}
	if lang == nil {
		t.Fatal("no lang cookie set")
	}
	if lang.Value != "fr" || lang.Path != "/" || !lang.HttpOnly || lang.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie = %+v", lang)
	}
	body := w.Body.String()
	// Each language link points at this same page.
	for _, want := range []string{
		`href="/countries?lang=en&amp;region=Africa" lang="en" hreflang="en"`,
		`href="/countries?lang=es&amp;region=Africa" lang="es" hreflang="es"`,
		`hreflang="fr" aria-current="true"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("language switch lacks %s", want)
		}
	}
	if vary := w.Header().Values("Vary"); !slices.Contains(vary, "Accept-Language, Cookie") {
		t.Errorf("Vary = %v", vary)
	}
	// An unsupported choice is ignored, not remembered.
	w = h.get(t, "/?lang=de")
	if len(w.Result().Cookies()) != 0 || !strings.Contains(w.Body.String(), `<html lang="en">`) {
		t.Errorf("lang=de: cookies %v", w.Result().Cookies())
	}
}

// capabilityPaths are the 11 rows of PRODUCT.md's capability map.
var capabilityPaths = []string{
	"/statistics", "/development-plans", "/labour-mobility", "/trafficking-cases", "/trafficking-data", "/return",
	"/remittance-prices", "/diaspora", "/coordination", "/dialogue", "/migrant-information",
}

func TestNavigationReachesEveryCapability(t *testing.T) {
	h := newHarness(t, newMemStore(testReference()))
	for _, lang := range []string{"en", "fr", "es"} {
		doc := parseHTML(t, h.do(t, request{url: "/", cookieLang: lang}).Body)
		nav := findNav(doc, h.ui.catalog.Localizer(lang).T("nav.label"))
		if nav == nil {
			t.Fatalf("%s: no main navigation landmark", lang)
		}
		links := hrefs(nav)
		for _, p := range append([]string{"/", "/countries"}, capabilityPaths...) {
			if !slices.Contains(links, p) {
				t.Errorf("%s: main navigation lacks %s (has %v)", lang, p, links)
			}
		}
	}
	for i, p := range capabilityPaths {
		w := h.get(t, p)
		if w.Code != 200 {
			t.Errorf("%s: status %d", p, w.Code)
			continue
		}
		body := w.Body.String()
		num := "Capability " + strconv.Itoa(i+1) + " of 11"
		// Built capabilities link their pages; the others say plainly
		// that they are not built.
		notice := "Not built yet"
		switch p {
		case "/statistics":
			notice = `<a href="/map">`
		case "/development-plans":
			notice = `<a href="/plans">`
		case "/trafficking-cases":
			notice = `<a href="/cases">`
		case "/trafficking-data":
			notice = `<a href="/trafficking">`
		case "/return":
			notice = `<a href="/cases?kind=return">`
		case "/remittance-prices":
			notice = `<a href="/remittances">`
		case "/labour-mobility":
			notice = `<a href="/vacancies">`
		}
		if !strings.Contains(body, num) || !strings.Contains(body, notice) {
			t.Errorf("%s: lacks %q or %q", p, num, notice)
		}
	}
}

// pagesToCheck lists at least one URL of every page and error page.
func pagesToCheck() []string {
	urls := []string{"/", "/countries", "/countries?q=k&limit=1&offset=1", "/countries/KEN", "/countries/ATA",
		"/countries/ZZZ", "/countries?offset=-1", "/nope", "/countries?offset=99", "/trafficking",
		"/remittances", "/remittances?from=KEN&to=UGA", "/remittances/corridors"}
	return append(urls, capabilityPaths...)
}

// TestNoInlineScriptOrStyle holds every page, in every language, to the
// Content Security Policy: no inline script, no style attribute or element,
// no event-handler attributes or javascript: URLs; and it checks that no
// page asks for a message the catalogue lacks.
func TestNoInlineScriptOrStyle(t *testing.T) {
	h := newHarness(t, newMemStore(testReference()))
	for _, lang := range []string{"en", "fr", "es"} {
		for _, u := range pagesToCheck() {
			w := h.do(t, request{url: u, cookieLang: lang})
			if got := w.Header().Get("Content-Security-Policy"); got != web.ContentSecurityPolicy {
				t.Errorf("%s: CSP header = %q", u, got)
			}
			for _, problem := range cspViolations(parseHTML(t, w.Body)) {
				t.Errorf("%s (%s): %s", u, lang, problem)
			}
		}
	}
	if strings.Contains(h.logs.String(), "missing translation") {
		t.Errorf("pages asked for missing messages:\n%s", h.logs)
	}
}

func cspViolations(doc *html.Node) []string {
	var problems []string
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if n.Data == "style" {
			problems = append(problems, "<style> element")
		}
		if n.Data == "script" && (attr(n, "src") == "" || n.FirstChild != nil) {
			problems = append(problems, "inline <script>")
		}
		for _, a := range n.Attr {
			switch {
			case a.Key == "style":
				problems = append(problems, "style attribute on <"+n.Data+">")
			case strings.HasPrefix(a.Key, "on"):
				problems = append(problems, a.Key+" attribute on <"+n.Data+">")
			case strings.HasPrefix(strings.TrimSpace(strings.ToLower(a.Val)), "javascript:"):
				problems = append(problems, "javascript: URL")
			}
		}
	})
	return problems
}

// TestAccessibilityLandmarks checks the structure assistive technology
// relies on: a skip link to main, the landmarks, a label for every form
// control, a caption for every table.
func TestAccessibilityLandmarks(t *testing.T) {
	h := newHarness(t, newMemStore(testReference()))
	for _, u := range pagesToCheck() {
		doc := parseHTML(t, h.get(t, u).Body)
		for _, tag := range []string{"header", "nav", "main", "footer", "h1"} {
			if count(doc, tag) == 0 {
				t.Errorf("%s: no <%s>", u, tag)
			}
		}
		if first := firstElement(doc, "a"); first == nil || attr(first, "href") != "#main" {
			t.Errorf("%s: the first link is not the skip link", u)
		}
		labels := map[string]bool{}
		walk(doc, func(n *html.Node) {
			if n.Type == html.ElementNode && n.Data == "label" {
				labels[attr(n, "for")] = true
			}
		})
		walk(doc, func(n *html.Node) {
			if n.Type != html.ElementNode {
				return
			}
			switch n.Data {
			case "input", "select", "textarea":
				if attr(n, "type") != "hidden" && !labels[attr(n, "id")] {
					t.Errorf("%s: <%s name=%q> has no label", u, n.Data, attr(n, "name"))
				}
			case "table":
				if firstElement(n, "caption") == nil {
					t.Errorf("%s: table without caption", u)
				}
			case "th":
				if attr(n, "scope") == "" {
					t.Errorf("%s: <th> without scope", u)
				}
			}
		})
	}
}

// TestTemplatesUseKnownMessages: every id a template names, and every
// capability text, exists in the catalogue (which the i18n tests hold to
// all three languages).
func TestTemplatesUseKnownMessages(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	ids := regexp.MustCompile(`\.T "([^"]+)"`)
	files, err := templateFiles.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, f := range files {
		src, err := templateFiles.ReadFile("templates/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ids.FindAllStringSubmatch(string(src), -1) {
			seen++
			if !cat.Has(m[1]) {
				t.Errorf("%s uses unknown message %q", f.Name(), m[1])
			}
		}
	}
	if seen < 50 {
		t.Errorf("found only %d message uses; is the pattern still right?", seen)
	}
	for _, c := range capabilities {
		for _, field := range capabilityFields {
			if !cat.Has(c.ID(field)) {
				t.Errorf("capability %s lacks message %q", c.Key, c.ID(field))
			}
		}
	}
}

func TestStaticAssets(t *testing.T) {
	h := newHarness(t, newMemStore(testReference()))
	cssURL, err := h.ui.assets.url("corridor.css")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.get(t, "/").Body.String(), `href="`+cssURL+`"`) {
		t.Errorf("the layout does not link %s", cssURL)
	}
	tests := []struct {
		url, contentType, cache string
		status                  int
	}{
		{cssURL, "text/css; charset=utf-8", "public, max-age=31536000, immutable", 200},
		{"/static/corridor.css", "text/css; charset=utf-8", "public, no-cache", 200},
		{"/static/corridor.css?v=stale", "text/css; charset=utf-8", "public, no-cache", 200},
		{"/static/corridor.js", "text/javascript; charset=utf-8", "public, no-cache", 200},
		{"/static/favicon.svg", "image/svg+xml", "public, no-cache", 200},
		{"/static/nope.css", "text/html; charset=utf-8", "no-store", 404},
	}
	for _, tt := range tests {
		w := h.get(t, tt.url)
		if w.Code != tt.status || w.Header().Get("Content-Type") != tt.contentType || w.Header().Get("Cache-Control") != tt.cache {
			t.Errorf("%s: %d %q %q", tt.url, w.Code, w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"))
		}
	}
	// Revalidation by ETag.
	etag := h.get(t, cssURL).Header().Get("ETag")
	r := httptest.NewRequest(http.MethodGet, "/static/corridor.css", nil)
	r.Header.Set("If-None-Match", etag)
	w := httptest.NewRecorder()
	h.handler.ServeHTTP(w, r)
	if etag == "" || w.Code != http.StatusNotModified {
		t.Errorf("If-None-Match %q: status %d", etag, w.Code)
	}
}

// TestTemplateErrorGivesWholeErrorPage: a template that fails half-way
// must not leave half a page behind.
func TestTemplateErrorGivesWholeErrorPage(t *testing.T) {
	h := newHarness(t, newMemStore(testReference()))
	broken := template.Must(template.New("").Parse(`{{define "layout"}}HALF-WRITTEN{{.NoSuchField}}{{end}}`))
	h.ui.pages["home"] = broken
	w := h.get(t, "/")
	body := w.Body.String()
	if w.Code != 500 || strings.Contains(body, "HALF-WRITTEN") || !strings.Contains(body, "Something went wrong") {
		t.Errorf("status %d, body:\n%s", w.Code, body)
	}
	if !strings.Contains(h.logs.String(), "page failed") {
		t.Errorf("the failure was not logged: %q", h.logs)
	}
}

// failingStore fails every call, like an unreachable database.
type failingStore struct{ geo.Store }

var errDatabaseDown = errors.New("connection refused: secret-host:5432")

func (failingStore) Area(context.Context, string) (geo.Area, error) {
	return geo.Area{}, errDatabaseDown
}
func (failingStore) Areas(context.Context, geo.Filter) (geo.Page, error) {
	return geo.Page{}, errDatabaseDown
}

func TestStoreFailureIsA500WithoutDetails(t *testing.T) {
	h := newHarness(t, failingStore{})
	for _, u := range []string{"/countries", "/countries/KEN"} {
		w := h.get(t, u)
		body := w.Body.String()
		if w.Code != 500 || strings.Contains(body, "secret-host") || !strings.Contains(body, "Something went wrong") {
			t.Errorf("%s: status %d, body:\n%s", u, w.Code, body)
		}
	}
	if !strings.Contains(h.logs.String(), "secret-host") {
		t.Error("the cause was not logged")
	}
}

func TestNewRequiresStoreAndCatalog(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New without Geo and Catalog succeeded")
	}
}

func TestRoutesAreDeclaredPublicReads(t *testing.T) {
	h := newHarness(t, newMemStore(testReference()))
	r := web.NewRouter(nil)
	h.ui.Register(r)
	for _, rt := range r.Routes() {
		if rt.Method != http.MethodGet || rt.Action != web.ActionRead || !rt.Public || rt.Summary == "" {
			t.Errorf("route %+v", rt)
		}
	}
	// Without accounts, only the public pages are served: the statistics
	// pages and the indicator library among them.
	patterns := map[string]bool{}
	for _, rt := range r.Routes() {
		patterns[rt.Pattern] = true
	}
	for _, want := range append([]string{"/{$}", "/countries", "/countries/{iso3}", "/corridors/{corridor}", "/static/{path...}",
		"/regions", "/regions/{code}", "/indicators"}, capabilityPaths...) {
		if !patterns[want] {
			t.Errorf("no route %s", want)
		}
	}
}

// HTML helpers.

func parseHTML(t *testing.T, r io.Reader) *html.Node {
	t.Helper()
	doc, err := html.Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func walk(n *html.Node, visit func(*html.Node)) {
	visit(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, visit)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func firstElement(n *html.Node, tag string) *html.Node {
	var found *html.Node
	walk(n, func(c *html.Node) {
		if found == nil && c.Type == html.ElementNode && c.Data == tag {
			found = c
		}
	})
	return found
}

func count(n *html.Node, tag string) int {
	k := 0
	walk(n, func(c *html.Node) {
		if c.Type == html.ElementNode && c.Data == tag {
			k++
		}
	})
	return k
}

func findNav(doc *html.Node, label string) *html.Node {
	var nav *html.Node
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "nav" && attr(n, "aria-label") == label {
			nav = n
		}
	})
	return nav
}

func hrefs(n *html.Node) []string {
	var out []string
	walk(n, func(c *html.Node) {
		if c.Type == html.ElementNode && c.Data == "a" {
			out = append(out, attr(c, "href"))
		}
	})
	return out
}
