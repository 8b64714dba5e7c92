package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/i18n"
	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/api"
	"github.com/corridor-platform/corridor/internal/web/ui"
	"github.com/corridor-platform/corridor/internal/web/webauth"
)

func runServe(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs, err := newFlagSet("serve", e, &cfg, "db", "addr", "data-dir", "log-level", "log-format", "body-limit", "no-load", "load",
		"key-file", "tls-cert", "tls-key", "trusted-proxies", "secure-cookies", "recheck-ms")
	if err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	log := cfg.logger(e.stderr)
	db, closeKeys, err := openWithKeys(ctx, e, &cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	defer closeKeys()
	db.SetRecheckInterval(time.Duration(cfg.RecheckMS) * time.Millisecond)
	if !cfg.NoLoad && cfg.Load != "none" {
		if err := loadShippedData(ctx, e, &cfg, db, log); err != nil {
			return err
		}
	}
	tuneGC(e.getenv)
	handler, err := buildHandler(&cfg, db, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	addr := ln.Addr().String()
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	log.Info("Corridor is serving", "url", scheme+"://"+addr, "engine", db.Engine(), "personalData", db.KeysConfigured())
	// Build the matching indexes now rather than on the first matching
	// request (seconds with 100,000 worker profiles).
	go func() {
		start := time.Now()
		if err := db.WarmLabour(ctx); err != nil {
			if ctx.Err() != nil {
				return // shutting down
			}
			log.Warn("labour matching indexes not built at start", "err", err)
			return
		}
		log.Info("labour matching indexes built", "ms", time.Since(start).Milliseconds())
	}()
	if e.ready != nil {
		e.ready(addr)
	}
	return web.Serve(ctx, ln, handler, log, cfg.TLSCert, cfg.TLSKey)
}

// helpOK turns -h into a clean exit.
func helpOK(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// openDB opens and migrates the database named by cfg.DB.
func openDB(ctx context.Context, cfg *Config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DB, log)
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("database migrated", "engine", db.Engine(), "applied", applied)
	}
	return db, nil
}

// loadShippedData loads the shipped datasets that the database does not
// hold yet (the reference geography first: the others match their areas
// against it), so that a newcomer sees real data at once. Several
// processes starting together on PostgreSQL do this safely: each import
// takes its dataset's lock and a second process finds the data loaded.
func loadShippedData(ctx context.Context, e *env, cfg *Config, db *store.DB, log *slog.Logger) error {
	reg := importer.Builtin()
	names := []string{"countries"}
	if cfg.Load != "reference" {
		for _, d := range reg.List() {
			if d.Name != "countries" {
				names = append(names, d.Name)
			}
		}
	}
	for _, name := range names {
		loaded, err := db.DatasetLoaded(ctx, name)
		if err != nil {
			return err
		}
		if loaded {
			continue
		}
		if err := cfg.resolveDataDir(); err != nil {
			return err
		}
		log.Info("first start: loading shipped data", "dataset", name, "dir", cfg.DataDir)
		rn := &importer.Runner{DB: db, Registry: reg, DataDir: cfg.DataDir, Progress: e.stderr, Host: hostname()}
		rep, err := rn.Run(ctx, name, nil)
		if err != nil {
			return err
		}
		log.Info("shipped data loaded", "dataset", name, "rows", rep.Loaded, "rejected", rep.Rejected, "duration", rep.Duration.Round(time.Millisecond))
		// Rows that name no place (UNHCR's "Stateless", "Unknown", …) are
		// expected; each is in the import report and logged, not alarming.
		for _, rej := range rep.Rejections {
			log.Info("row skipped", "dataset", name, "file", rej.File, "row", rej.Row, "column", rej.Column, "reason", rej.Reason)
		}
	}
	return nil
}

// openWithKeys opens and migrates the database, creates the built-in
// roles, and loads the encryption keys. Personal data present without a
// key (or without a key some rows need) is an error, never a plaintext
// fallback.
func openWithKeys(ctx context.Context, e *env, cfg *Config, log *slog.Logger) (*store.DB, func(), error) {
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*store.DB, func(), error) { db.Close(); return nil, nil, err }
	if err := db.Accounts().EnsureBuiltinRoles(ctx); err != nil {
		return fail(err)
	}
	if err := db.Stats().EnsureBuiltinIndicators(ctx); err != nil {
		return fail(err)
	}
	keys, closeKeys, err := cfg.keys(e.getenv)
	if err != nil {
		return fail(err)
	}
	if keys != nil {
		db.SetKeys(keys)
	}
	if err := db.CheckKeys(ctx); err != nil {
		closeKeys()
		return fail(err)
	}
	return db, closeKeys, nil
}

// buildHandler assembles the whole HTTP stack.
func buildHandler(cfg *Config, db *store.DB, log *slog.Logger) (http.Handler, error) {
	h, _, err := buildStack(cfg, db, log)
	return h, err
}

// buildStack is buildHandler that also returns the router, whose declared
// routes the authorization tests enumerate.
func buildStack(cfg *Config, db *store.DB, log *slog.Logger) (http.Handler, *web.Router, error) {
	metrics := web.NewMetrics(db.SQL())
	authn := &webauth.Auth{DB: db, SecureCookies: cfg.SecureCookies || cfg.TLSCert != ""}
	record := func(ctx context.Context, e audit.Entry) error { _, err := db.Audit().Append(ctx, e); return err }
	var pages *ui.UI
	pageError := func(w http.ResponseWriter, r *http.Request, err error) { pages.PolicyError(w, r, err) }
	router := web.NewRouter(web.Chain(web.Instrument(metrics, log), web.Policy(authn, record, log, pageError)))
	proxies, err := cfg.trustedProxies()
	if err != nil {
		return nil, nil, err
	}
	cat, err := i18n.New()
	if err != nil {
		return nil, nil, err
	}
	pages, err = ui.New(ui.Config{Geo: db.Geo(), Log: log, Catalog: cat, Version: version(), DB: db, Auth: authn})
	if err != nil {
		return nil, nil, err
	}
	api.New(api.Config{Geo: db.Geo(), Log: log, Version: version(), Health: db.Health, Metrics: metrics.Handler(),
		DB: db, Auth: authn}).Register(router)
	pages.Register(router)
	stack := &web.Stack{Router: router, Log: log, BodyLimit: cfg.BodyLimit, NotFoundPage: pages.NotFoundPage, TrustedProxies: proxies, Metrics: metrics}
	return stack.Handler(), router, nil
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}

// Garbage collection of the server, unless GOGC or GOMEMLIMIT is set in
// the environment. The live heap is small (tens of MB: caches and memoised
// answers) and nearly every request's allocations are garbage at once, so
// the default GOGC=100 collects many times a second under load, and the
// collector's assists lengthen the latency tail (p99 of the sender
// comparison at 32 connections: 9.9 ms at 100, 7.9 ms at 400). A soft
// memory limit makes it collect more often again before the heap grows
// large.
const (
	serveGCPercent  = 400
	serveMemorySoft = 2 << 30
)

func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemorySoft)
	}
}
