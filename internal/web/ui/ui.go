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
	"github.com/corridor-platform/corridor/internal/web/api"
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
	// db and auth serve the sign-in, account and administration pages;
	// without them (unit tests of the public pages) those are not
	// registered.
	db   *store.DB
	auth *webauth.Auth
	// memo keeps whole public statistics pages (api.Memo); trafMemo the
	// trafficking dashboard, validated by another token (trafficking.go).
	memo, trafMemo *api.Memo
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
	if (cfg.DB == nil) != (cfg.Auth == nil) {
		return nil, errors.New("ui: Config.DB and Config.Auth go together")
	}
	return &UI{geo: cfg.Geo, log: log, catalog: cfg.Catalog, version: cfg.Version, assets: a, pages: pages,
		db: cfg.DB, auth: cfg.Auth, memo: api.NewMemo(api.MemoSize, api.MemoEntry), trafMemo: api.NewMemo(api.MemoSize/4, api.MemoEntry)}, nil
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
		pageRoute("/countries/{iso3}", "countries", "Reference facts of one country", u.cachedPage(u.handle("countries", u.country))),
		pageRoute("/corridors/{corridor}", "statistics", "Statistics of one migration corridor (ORIGIN-DESTINATION, e.g. MEX-USA)",
			u.cachedPage(u.handle("statistics", u.corridor))),
		pageRoute("/regions", "statistics", "The world, UN M49 regions and SDG regions", u.cachedPage(u.handle("regions", u.regions))),
		pageRoute("/regions/{code}", "statistics", "Statistics of one region, published and computed from its members (M49 code, e.g. 014)",
			u.cachedPage(u.handle("regions", u.region))),
		pageRoute("/map", "statistics", "World map of an indicator at one period (choropleth, its table and downloads)", u.cachedPage(u.handle("map", u.worldMap))),
		pageRoute("/static/{path...}", "assets", "Static assets (CSS, JavaScript, icons)", http.HandlerFunc(u.serveAsset)),
	}
	for _, c := range capabilities {
		routes = append(routes, pageRoute(c.Path, "pages", "Capability page: "+c.Key, u.handle(c.Key, u.capabilityPage(c))))
	}
	routes = append(routes, u.indicatorRoutes()...)
	routes = append(routes, u.traffickingRoutes()...)
	routes = append(routes, u.remittanceRoutes()...)
	if u.accounts() {
		routes = append(routes, u.accountRoutes()...)
		routes = append(routes, u.planRoutes()...)
		routes = append(routes, u.caseRoutes()...)
		routes = append(routes, u.releaseRoutes()...)
		routes = append(routes, u.remitQuoteRoutes()...)
		routes = append(routes, u.labourRoutes()...)
	}
	return routes
}

// accounts reports whether the sign-in, account and administration pages
// are served.
func (u *UI) accounts() bool { return u.db != nil && u.auth != nil }

// accountRoutes are the pages of signing in and out, one's own account
// and the administration of users, organisations and teams, roles and the
// audit trail. The policy
// decides each from its resource and action; the handlers enforce record
// scopes as the JSON API does.
func (u *UI) accountRoutes() []web.Route {
	route := func(method, pattern, resource, action, summary string, h http.Handler) web.Route {
		return web.Route{Method: method, Pattern: pattern, Resource: resource, Action: action, Summary: summary, Handler: h}
	}
	signIn := route(http.MethodPost, "/login", "session", web.ActionCreate, "Sign in (form)", u.handle("login", u.login))
	// No session exists yet: the handler checks its own pre-session
	// double-submit token and the Origin instead.
	signIn.CSRFExempt, signIn.Public = true, true
	return []web.Route{
		pageRoute("/login", "pages", "Sign-in page", u.handle("login", u.loginForm)),
		signIn,
		route(http.MethodPost, "/logout", "session", web.ActionDelete, "Sign out (form)", http.HandlerFunc(u.logout)),
		route(http.MethodGet, "/account", "account", web.ActionRead, "One's own account", u.handle("account", u.account)),
		route(http.MethodPost, "/account/password", "account", web.ActionUpdate, "Change one's own password (form)",
			u.handle("account", u.changePassword)),
		route(http.MethodGet, "/admin/users", "users", web.ActionRead, "Users (administration)", u.handle("users", u.users)),
		route(http.MethodGet, "/admin/users/new", "users", web.ActionCreate, "New user form", u.handle("users", u.newUser)),
		route(http.MethodPost, "/admin/users", "users", web.ActionCreate, "Create a user (form)", u.handle("users", u.createUser)),
		route(http.MethodGet, "/admin/users/{id}", "users", web.ActionRead, "One user, with the form to change them",
			u.handle("users", u.userPage)),
		route(http.MethodPost, "/admin/users/{id}", "users", web.ActionUpdate, "Change a user: name, e-mail, roles, teams, disabled (form)",
			u.handle("users", u.updateUser)),
		route(http.MethodGet, "/admin/orgs", "orgs", web.ActionRead, "Organisations (administration)", u.handle("orgs", u.orgs)),
		route(http.MethodPost, "/admin/orgs", "orgs", web.ActionCreate, "Create an organisation (form)", u.handle("orgs", u.createOrg)),
		route(http.MethodGet, "/admin/orgs/{id}", "teams", web.ActionRead, "One organisation and its teams", u.handle("orgs", u.orgPage)),
		route(http.MethodPost, "/admin/orgs/{id}/teams", "teams", web.ActionCreate, "Create a team in an organisation (form)",
			u.handle("orgs", u.createTeam)),
		route(http.MethodGet, "/admin/roles", "roles", web.ActionRead, "Roles and permissions (administration)", u.handle("roles", u.roles)),
		route(http.MethodPost, "/admin/roles", "roles", web.ActionCreate, "Create a role, which grants nothing yet (form)",
			u.handle("roles", u.createRole)),
		route(http.MethodGet, "/admin/roles/{name}", "roles", web.ActionRead, "One role and its permission grid", u.handle("roles", u.rolePage)),
		route(http.MethodPost, "/admin/roles/{name}", "roles", web.ActionUpdate, "Replace a role's permissions (form)",
			u.handle("roles", u.updateRole)),
		route(http.MethodGet, "/admin/roles/{name}/delete", "roles", web.ActionDelete, "Confirm deleting a role",
			u.handle("roles", u.confirmDeleteRole)),
		route(http.MethodPost, "/admin/roles/{name}/delete", "roles", web.ActionDelete, "Delete a role that is not built in (form)",
			u.handle("roles", u.deleteRole)),
		route(http.MethodGet, "/admin/audit", "audit", web.ActionRead, "The audit trail (administration)", u.handle("audit", u.auditTrail)),
	}
}

// pageRoute declares a public GET page (GET patterns also answer HEAD).
func pageRoute(pattern, resource, summary string, h http.Handler) web.Route {
	return web.Route{
		Method: http.MethodGet, Pattern: pattern,
		Resource: resource, Action: web.ActionRead, Public: true,
		Summary: summary, Handler: h,
	}
}
