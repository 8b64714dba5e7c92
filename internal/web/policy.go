package web

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// Identity is who a request acts as and how it authenticated.
type Identity struct {
	Principal *auth.Principal
	// Session is the session secret when the request carried a session
	// cookie; CSRF is that session's token.
	Session string
	CSRF    string
	// Token is true when an API token authenticated the request.
	Token bool
}

// Authenticator resolves the identity of a request: the public when it
// carries no credentials, an error wrapping derrors.Unauthenticated when
// the credentials it carries are not valid (expired session, revoked
// token).
type Authenticator interface {
	Authenticate(r *http.Request) (Identity, error)
}

// AuditFunc records an audit entry; the policy calls it for every write,
// every request on personal data, every export and every denial.
type AuditFunc func(ctx context.Context, e audit.Entry) error

type ctxKey int

const (
	identityKey ctxKey = iota
	noteKey
	clientKey
)

// IdentityFrom returns the identity the policy attached to a request.
func IdentityFrom(ctx context.Context) Identity {
	id, _ := ctx.Value(identityKey).(Identity)
	return id
}

// PrincipalFrom returns the principal of a request (nil outside the policy).
func PrincipalFrom(ctx context.Context) *auth.Principal { return IdentityFrom(ctx).Principal }

// auditNote lets a handler tell the audit entry what it did.
type auditNote struct {
	recordID string
	records  []string // a listing's records: one entry each
	detail   string
	skip     bool
}

// NoteRecord names the record a request acted on (e.g. the id a create
// made), for its audit entry.
func NoteRecord(r *http.Request, id string) {
	if n, ok := r.Context().Value(noteKey).(*auditNote); ok {
		n.recordID = id
	}
}

// NoteRecords names the records a listing showed: each gets an audit
// entry of its own, so that a search can be traced to what it revealed.
func NoteRecords(r *http.Request, ids []string) {
	if n, ok := r.Context().Value(noteKey).(*auditNote); ok {
		n.records = ids
	}
}

// NoteDetail adds short, non-personal text to the audit entry.
func NoteDetail(r *http.Request, detail string) {
	if n, ok := r.Context().Value(noteKey).(*auditNote); ok {
		n.detail = detail
	}
}

// SkipAudit says the handler wrote the audit entry itself (sign-in).
func SkipAudit(r *http.Request) {
	if n, ok := r.Context().Value(noteKey).(*auditNote); ok {
		n.skip = true
	}
}

// ClientAddr is the client's address as resolved by the Stack (honouring
// trusted proxies).
func ClientAddr(r *http.Request) string {
	if a, ok := r.Context().Value(clientKey).(string); ok {
		return a
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// resolveClient finds the client address: the peer, or — when the peer is
// a trusted proxy — the last address in X-Forwarded-For that is not itself
// a trusted proxy.
func resolveClient(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(peer, trusted) {
		return host
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !isTrusted(a, trusted) {
			return a.String()
		}
	}
	return host
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// Policy returns the wrapper that decides every request from its route's
// declared resource and action. It refuses (at registration) a route whose
// resource is not in the catalogue.
//
// pageError, when not nil, answers refusals of HTML pages (not /api/):
// typically a redirect to the sign-in page or an error page.
func Policy(authn Authenticator, record AuditFunc, log *slog.Logger, pageError func(http.ResponseWriter, *http.Request, error)) func(Route, http.Handler) http.Handler {
	return func(rt Route, h http.Handler) http.Handler {
		res, ok := auth.LookupResource(rt.Resource)
		if !ok {
			panic("web: route " + rt.Method + " " + rt.Pattern + " names unknown resource " + strconv.Quote(rt.Resource))
		}
		unsafe := rt.Method != http.MethodGet && rt.Method != http.MethodHead
		audited := unsafe || res.Personal || rt.Action == ActionExport
		refuse := func(w http.ResponseWriter, r *http.Request, err error) {
			if pageError != nil && !IsAPI(r) {
				pageError(w, r, err)
				return
			}
			WriteProblem(w, r, log, err)
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, err := authn.Authenticate(r)
			if err != nil {
				refuse(w, r, err)
				return
			}
			note := &auditNote{recordID: r.PathValue("id")}
			ctx := context.WithValue(context.WithValue(r.Context(), identityKey, id), noteKey, note)
			r = r.WithContext(ctx)
			p := id.Principal
			// The entry is written after the answer: a client that hangs
			// up must not cancel it.
			actx := context.WithoutCancel(ctx)
			entry := func(outcome string) audit.Entry {
				detail := note.detail
				if p.TokenID != 0 {
					detail = strings.TrimSuffix("API token "+strconv.FormatInt(p.TokenID, 10)+"; "+detail, "; ")
				}
				return audit.Entry{ActorID: p.UserID, ActorName: p.Username, OrgID: p.OrgID, Action: rt.Action,
					Resource: rt.Resource, RecordID: clip(note.recordID, audit.MaxRecordIDLen), Outcome: outcome,
					ClientAddr: ClientAddr(r), Detail: clip(detail, audit.MaxDetailLen)}
			}
			if !p.Can(rt.Resource, rt.Action) {
				if audited || p.SignedIn() {
					if err := record(actx, entry(audit.OutcomeDenied)); err != nil {
						log.Error("audit append failed", "err", err)
					}
				}
				if !p.SignedIn() {
					refuse(w, r, derrors.Kindf(derrors.Unauthenticated, "sign in to %s %s", rt.Action, rt.Resource))
					return
				}
				refuse(w, r, derrors.Kindf(derrors.Forbidden, "your roles do not allow %s on %s", rt.Action, rt.Resource))
				return
			}
			if unsafe && id.Session != "" && !rt.CSRFExempt && !validCSRF(r, id.CSRF) {
				refuse(w, r, ErrCSRF)
				return
			}
			rec := &statusRecorder{ResponseWriter: w}
			h.ServeHTTP(rec, r)
			if audited && !note.skip {
				outcome := audit.OutcomeOK
				if !unsafe {
					outcome = audit.OutcomeAllowed
				}
				if rec.status >= 400 {
					outcome = audit.OutcomeFailed
				}
				if err := record(actx, entry(outcome)); err != nil {
					log.Error("audit append failed", "err", err)
				}
				for _, rid := range note.records {
					e := entry(outcome)
					e.RecordID, e.Detail = clip(rid, audit.MaxRecordIDLen), clip("shown in a listing", audit.MaxDetailLen)
					if err := record(actx, e); err != nil {
						log.Error("audit append failed", "err", err)
					}
				}
			}
		})
	}
}

// clip makes a value from the request safe for the audit trail: invalid
// UTF-8 and control or formatting characters become '?', and it is cut to
// n bytes on a character boundary. An entry must never be lost because a
// hostile path held such characters.
func clip(s string, n int) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "?") {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			r = '?'
		}
		if b.Len()+utf8.RuneLen(r) > n {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// validCSRF compares the request's CSRF token with the session's, in
// constant time.
func validCSRF(r *http.Request, want string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		got = r.PostFormValue("csrf_token")
	}
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// ErrCSRF refuses an unsafe request with a session cookie but without the
// session's CSRF token. It wraps derrors.Forbidden.
var ErrCSRF error = csrfError{}

type csrfError struct{}

func (csrfError) Error() string {
	return "missing or wrong CSRF token (send the X-CSRF-Token header or the csrf_token form field)"
}
func (csrfError) Unwrap() error           { return derrors.Forbidden }
func (e csrfError) PublicMessage() string { return e.Error() }

// Chain combines route wrappers; the first is outermost.
func Chain(wraps ...func(Route, http.Handler) http.Handler) func(Route, http.Handler) http.Handler {
	return func(rt Route, h http.Handler) http.Handler {
		for i := len(wraps) - 1; i >= 0; i-- {
			h = wraps[i](rt, h)
		}
		return h
	}
}
