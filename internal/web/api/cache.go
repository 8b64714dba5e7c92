package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strings"
)

// Answers derived from imported data are validated with an ETag made of a
// token of the data (store.DB.DataVersion: it changes when any dataset is
// imported again or an indicator is defined), the program's version, the
// request's path and query and whatever else the representation depends
// on (the Accept header, the page's language). A request whose
// If-None-Match names the current ETag is answered 304 without running the
// handler. Personal answers are never validated nor made cacheable.

// CacheControlData is the Cache-Control of public answers derived from
// imported data: shared caches may keep them a minute, then must ask again.
const CacheControlData = "public, max-age=60, must-revalidate"

// Cache validates the answers of a handler. The zero Token disables it.
type Cache struct {
	// Token returns the current data token.
	Token func(context.Context) (string, error)
	// Key returns what the representation depends on besides the URL;
	// ok false means the answer is personal: no ETag, nothing cacheable.
	Key func(*http.Request) (key string, ok bool)
	// Vary lists the request headers the representation depends on.
	Vary string
	// CacheControl is sent with the ETag (CacheControlData by default).
	CacheControl string
	// Memo, when set, keeps whole answers by ETag and replays them
	// without running the handler.
	Memo *Memo
}

// Wrap returns h with conditional GET. Only 200 answers get the ETag and
// Cache-Control; an answer that set its own Cache-Control keeps it.
func (c Cache) Wrap(h http.Handler) http.Handler {
	if c.Token == nil {
		return h
	}
	cc := c.CacheControl
	if cc == "" {
		cc = CacheControlData
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.ServeHTTP(w, r)
			return
		}
		key := ""
		if c.Key != nil {
			var ok bool
			if key, ok = c.Key(r); !ok {
				h.ServeHTTP(w, r)
				return
			}
		}
		token, err := c.Token(r.Context())
		if err != nil {
			// The answer itself will meet the same database: let the
			// handler report it.
			h.ServeHTTP(w, r)
			return
		}
		etag := ETag(token, key, r)
		if MatchesETag(r.Header.Get("If-None-Match"), etag) {
			addVary(w.Header(), c.Vary)
			w.Header().Set("ETag", etag)
			w.Header().Set("Cache-Control", cc)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if c.Memo == nil {
			h.ServeHTTP(&etagWriter{ResponseWriter: w, etag: etag, cacheControl: cc, vary: c.Vary}, r)
			return
		}
		if e, ok := c.Memo.get(token, etag); ok {
			e.replay(w, r)
			return
		}
		rec := &recorder{ResponseWriter: w, max: c.Memo.maxEntry}
		h.ServeHTTP(&etagWriter{ResponseWriter: rec, etag: etag, cacheControl: cc, vary: c.Vary}, r)
		if e, ok := rec.entry(); ok && r.Method == http.MethodGet {
			c.Memo.put(token, etag, e)
		}
	})
}

// ETag is the validator of a request's answer: a hash of the data token,
// the representation key, the path and the query (parameters sorted).
func ETag(token, key string, r *http.Request) string {
	q := r.URL.Query()
	names := make([]string, 0, len(q))
	for n := range q {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, s := range []string{token, key, r.URL.Path} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	for _, n := range names {
		for _, v := range q[n] {
			h.Write([]byte(n + "=" + v))
			h.Write([]byte{0})
		}
	}
	return `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
}

// MatchesETag reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 wants for If-None-Match; "*" matches).
func MatchesETag(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t != "" && t == strings.TrimPrefix(etag, "W/") {
			return true
		}
	}
	return false
}

// etagWriter adds the validator to a 200 answer.
type etagWriter struct {
	http.ResponseWriter
	etag, cacheControl, vary string
	wrote                    bool
}

func (w *etagWriter) WriteHeader(status int) {
	if !w.wrote {
		w.wrote = true
		if status == http.StatusOK {
			h := w.Header()
			h.Set("ETag", w.etag)
			addVary(h, w.vary)
			if h.Get("Cache-Control") == "" {
				h.Set("Cache-Control", w.cacheControl)
			}
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *etagWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// addVary adds the header names of vary that h's Vary does not list yet.
func addVary(h http.Header, vary string) {
	have := map[string]bool{}
	for _, v := range h.Values("Vary") {
		for _, n := range strings.Split(v, ",") {
			have[strings.ToLower(strings.TrimSpace(n))] = true
		}
	}
	for _, n := range strings.Split(vary, ",") {
		if n = strings.TrimSpace(n); n != "" && !have[strings.ToLower(n)] {
			h.Add("Vary", n)
			have[strings.ToLower(n)] = true
		}
	}
}

func (w *etagWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// dataCache validates answers of the API derived from imported data; the
// representation follows the Accept header. Without a database it does
// nothing.
func (a *API) dataCache() Cache {
	if a.db == nil {
		return Cache{}
	}
	return Cache{
		Token: func(ctx context.Context) (string, error) {
			v, err := a.db.DataVersion(ctx)
			return a.version + "/" + v, err
		},
		Key:  func(r *http.Request) (string, bool) { return "accept=" + r.Header.Get("Accept"), true },
		Vary: "Accept",
		Memo: a.memo,
	}
}

// cached is h with conditional GET over the imported data: wrap the
// handler of any route whose answer derives only from imported data (and
// is the same for every caller), e.g.
//
//	Handler: a.cached(http.HandlerFunc(a.data))
func (a *API) cached(h http.Handler) http.Handler { return a.dataCache().Wrap(h) }
