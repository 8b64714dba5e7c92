// Package web holds what every HTTP handler in Corridor shares: the router
// with declared routes, the problem+json error shape, middleware, metrics
// and the server lifecycle. The JSON API lives in internal/web/api and the
// HTML pages in internal/web/ui.
package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Actions a route may declare.
const (
	ActionRead    = "read"
	ActionCreate  = "create"
	ActionUpdate  = "update"
	ActionDelete  = "delete"
	ActionExport  = "export"
	ActionAssign  = "assign"
	ActionRefer   = "refer"
	ActionPublish = "publish"
)

// Route declares one endpoint. Every route must say which resource it
// touches and with which action, so that the policy layer can decide every
// request; Router.Handle refuses a route without them.
type Route struct {
	Method   string // GET, POST, …
	Pattern  string // net/http pattern without the method, e.g. "/api/v1/countries/{iso3}"
	Resource string // e.g. "countries", "system"
	Action   string // one of the Action constants
	Public   bool   // documentation only: the public role's grants decide
	// CSRFExempt marks the few unsafe routes that protect themselves
	// otherwise (signing in has no session yet).
	CSRFExempt bool
	// Summary describes the route (used in the OpenAPI test and logs).
	Summary string
	Handler http.Handler
}

// Router registers declared routes on a ServeMux and remembers them.
type Router struct {
	mux    *http.ServeMux
	routes []Route
	wrap   func(Route, http.Handler) http.Handler
}

// NewRouter returns a router; wrap (may be nil) decorates each route's
// handler, e.g. with per-route metrics and the policy check.
func NewRouter(wrap func(Route, http.Handler) http.Handler) *Router {
	return &Router{mux: http.NewServeMux(), wrap: wrap}
}

var validActions = []string{ActionRead, ActionCreate, ActionUpdate, ActionDelete, ActionExport, ActionAssign, ActionRefer, ActionPublish}

// Handle registers a route. It panics on a route without a resource or a
// valid action: that is a programming error caught by the first test run.
func (rt *Router) Handle(r Route) {
	if r.Method == "" || !strings.HasPrefix(r.Pattern, "/") {
		panic(fmt.Sprintf("web: route %q %q: method and pattern required", r.Method, r.Pattern))
	}
	if r.Resource == "" || !slices.Contains(validActions, r.Action) {
		panic(fmt.Sprintf("web: route %s %s declares no resource/action", r.Method, r.Pattern))
	}
	h := r.Handler
	if rt.wrap != nil {
		h = rt.wrap(r, h)
	}
	rt.mux.Handle(r.Method+" "+r.Pattern, h)
	rt.routes = append(rt.routes, r)
}

// Routes returns the registered routes in registration order.
func (rt *Router) Routes() []Route { return slices.Clone(rt.routes) }

// ServeHTTP dispatches to the registered routes.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) { rt.mux.ServeHTTP(w, r) }

// Mux exposes the underlying mux for lookups (tests, 404 handling).
func (rt *Router) Mux() *http.ServeMux { return rt.mux }
