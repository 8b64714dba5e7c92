// Package ui is Corridor's server-rendered web interface: html/template
// pages with embedded templates and static assets, every interface string
// from the i18n catalogue, and no inline script or style (the Content
// Security Policy forbids both). JavaScript is progressive enhancement
// only: every page works without it.
package ui

import (
	"errors"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/i18n"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/webauth"
)

// Config is what the UI needs from the rest of the program.
type Config struct {
	Geo     geo.Store
	Log     *slog.Logger // nil discards
	Catalog *i18n.Catalog
	Version string // shown in the footer
	// DB and Auth serve sign-in, account and administration pages.
	DB   *store.DB
	Auth *webauth.Auth
}

// UI serves the HTML pages. Build it with New; it is safe for concurrent use.
type UI struct {
	geo     geo.Store
	log     *slog.Logger
	catalog *i18n.Catalog
	version string
	assets  *assets
	pages   map[string]*template.Template // page name → layout + page
}

// New parses the embedded templates and fingerprints the static assets.
func New(cfg Config) (*UI, error) {
	if cfg.Geo == nil || cfg.Catalog == nil {
		return nil, errors.New("ui: Config.Geo and Config.Catalog are required")
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	pages, err := parsePages(a)
	if err != nil {
		return nil, err
	}
	return &UI{geo: cfg.Geo, log: log, catalog: cfg.Catalog, version: cfg.Version, assets: a, pages: pages}, nil
}

// Register declares every page and the static assets on the router.
func (u *UI) Register(r *web.Router) {
	for _, rt := range u.routes() {
		r.Handle(rt)
	}
}

func (u *UI) routes() []web.Route {
	routes := []web.Route{
		pageRoute("/{$}", "pages", "Home page", u.handle("home", u.home)),
		pageRoute("/countries", "countries", "Country and territory search", u.handle("countries", u.countries)),
		pageRoute("/countries/{iso3}", "countries", "Reference facts of one country", u.handle("countries", u.country)),
		pageRoute("/static/{path...}", "assets", "Static assets (CSS, JavaScript, icons)", http.HandlerFunc(u.serveAsset)),
	}
	for _, c := range capabilities {
		routes = append(routes, pageRoute(c.Path, "pages", "Capability page: "+c.Key, u.handle(c.Key, u.capabilityPage(c))))
	}
	return routes
}

// pageRoute declares a public GET page (GET patterns also answer HEAD).
func pageRoute(pattern, resource, summary string, h http.Handler) web.Route {
	return web.Route{
		Method: http.MethodGet, Pattern: pattern,
		Resource: resource, Action: web.ActionRead, Public: true,
		Summary: summary, Handler: h,
	}
}
