package web

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Stack assembles the handler chain around a router: panic recovery,
// security headers, the body limit, and problem+json (API) or page
// (elsewhere) answers for unknown paths and wrong methods.
type Stack struct {
	Router    *Router
	Log       *slog.Logger
	BodyLimit int64
	// NotFoundPage renders HTML 404/405 pages; nil falls back to plain text.
	NotFoundPage func(w http.ResponseWriter, r *http.Request, status int)
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// Metrics, when set, also counts requests that match no route.
	Metrics *Metrics
}

// Handler returns the assembled handler.
func (s *Stack) Handler() http.Handler {
	var h http.Handler = http.HandlerFunc(s.dispatch)
	h = LimitBody(s.BodyLimit, h)
	h = SecureHeaders(h)
	return Recover(s.Log, h)
}

func (s *Stack) dispatch(w http.ResponseWriter, r *http.Request) {
	r = r.WithContext(context.WithValue(r.Context(), clientKey, resolveClient(r, s.TrustedProxies)))
	if _, pattern := s.Router.Mux().Handler(r); pattern != "" {
		s.Router.ServeHTTP(w, r)
		return
	}
	// No route: let the mux decide between 404 and 405 (it knows the
	// methods registered for the path), then answer in our own shape.
	if s.Metrics != nil {
		start := time.Now()
		sr := &statusRecorder{ResponseWriter: w}
		w = sr
		defer func() { s.Metrics.Observe("(unmatched)", r.Method, sr.status, time.Since(start)) }()
	}
	rec := httptest.NewRecorder()
	s.Router.ServeHTTP(rec, r)
	status := rec.Code
	if allow := rec.Header().Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	if IsAPI(r) || s.NotFoundPage == nil {
		err := derrors.Kindf(derrors.NotFound, "no such resource: %s", r.URL.Path)
		if status == http.StatusMethodNotAllowed {
			err = errMethod{method: r.Method}
		}
		WriteProblem(w, r, s.Log, err)
		return
	}
	s.NotFoundPage(w, r, status)
}

// errMethodNotAllowed is the web layer's own kind for 405 answers.
var errMethodNotAllowed = errors.New("method not allowed")

type errMethod struct{ method string }

func (e errMethod) Error() string { return "method " + e.method + " is not allowed here" }
func (e errMethod) Unwrap() error { return errMethodNotAllowed }

// Serve runs an HTTP server on ln until ctx is cancelled, then shuts down
// gracefully, letting requests in flight finish (up to 15 seconds).
// With certFile and keyFile it serves HTTPS (TLS 1.2 or later).
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, certFile, keyFile string) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
			errc <- srv.ServeTLS(ln, certFile, keyFile)
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", "15s")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
