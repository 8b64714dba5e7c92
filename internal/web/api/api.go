// Package api is Corridor's JSON API under /api/v1, described by the
// OpenAPI document served at /api/v1/openapi.json.
package api

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/webauth"
)

// Config holds what the API needs.
type Config struct {
	Geo     geo.Store
	Log     *slog.Logger
	Version string
	// Health checks the database; nil means healthy.
	Health func(context.Context) error
	// Metrics serves /metrics; nil leaves the route out.
	Metrics http.Handler
	// DB and Auth serve the account, audit and personal-data routes; nil
	// leaves them out (tests of the public routes).
	DB   *store.DB
	Auth *webauth.Auth
	// NoMemo turns off the memo of whole answers (memo.go): every request
	// is computed, as benchmarks of uncached answers need.
	NoMemo bool
}

func newMemoUnless(off bool) *Memo {
	if off {
		return nil
	}
	return NewMemo(MemoSize, MemoEntry)
}

// API serves the JSON routes.
type API struct {
	geo     geo.Store
	log     *slog.Logger
	version string
	health  func(context.Context) error
	metrics http.Handler
	db      *store.DB
	auth    *webauth.Auth
	// memo keeps whole answers derived from imported data (memo.go);
	// trafMemo those of the public trafficking statistics, validated by
	// another token (trafficking.go).
	memo, trafMemo *Memo
	// remitMemo keeps the remittance answers (remittances.go), validated
	// by the remittance data's version.
	remitMemo *Memo
	// senderMemo keeps the sender comparisons, which also change with the
	// minute (remitSenderCache).
	senderMemo *Memo
}

// New returns the API.
func New(cfg Config) *API {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &API{geo: cfg.Geo, log: cfg.Log, version: cfg.Version, health: cfg.Health, metrics: cfg.Metrics, db: cfg.DB, auth: cfg.Auth,
		memo: newMemoUnless(cfg.NoMemo), trafMemo: newMemoUnless(cfg.NoMemo), remitMemo: newMemoUnless(cfg.NoMemo),
		senderMemo: newMemoUnless(cfg.NoMemo)}
}

//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the OpenAPI 3.1 document.
func OpenAPIDocument() []byte { return openAPIDocument }

// Register adds the API routes to the router.
func (a *API) Register(r *web.Router) {
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/countries", Resource: "countries", Action: web.ActionRead,
		Public: true, Summary: "List countries and areas", Handler: a.cached(http.HandlerFunc(a.listCountries))})
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/countries/{iso3}", Resource: "countries", Action: web.ActionRead,
		Public: true, Summary: "One country or area", Handler: a.cached(http.HandlerFunc(a.getCountry))})
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/openapi.json", Resource: "system", Action: web.ActionRead,
		Public: true, Summary: "This API's OpenAPI document", Handler: http.HandlerFunc(serveOpenAPI)})
	r.Handle(web.Route{Method: "GET", Pattern: "/healthz", Resource: "system", Action: web.ActionRead,
		Public: true, Summary: "Health check (database)", Handler: http.HandlerFunc(a.healthz)})
	if a.metrics != nil {
		r.Handle(web.Route{Method: "GET", Pattern: "/metrics", Resource: "system", Action: web.ActionRead,
			Public: true, Summary: "Prometheus metrics", Handler: a.metrics})
	}
	if a.db != nil && a.auth != nil {
		a.registerAccounts(r)
		a.registerStatistics(r)
		a.registerMap(r)
		a.registerPlans(r)
		a.registerCases(r)
		a.registerTrafficking(r)
		a.registerReleases(r)
		a.registerRemittances(r)
		a.registerLabour(r)
		a.registerOccupations(r)
	}
}

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIDocument)
}

// Health is the /healthz answer.
type Health struct {
	Status   string `json:"status"`
	Database string `json:"database"`
	Version  string `json:"version"`
}

func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	h := Health{Status: "ok", Database: "ok", Version: a.version}
	if a.health != nil {
		if err := a.health(ctx); err != nil {
			a.log.Warn("health check failed", "err", err)
			h.Status, h.Database = "unavailable", "unreachable"
			w.Header().Set("Cache-Control", "no-store")
			web.WriteJSON(w, http.StatusServiceUnavailable, h)
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, h)
}

func (a *API) problem(w http.ResponseWriter, r *http.Request, err error) {
	web.WriteProblem(w, r, a.log, err)
}
