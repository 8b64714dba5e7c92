// Package audit is the domain logic of Corridor's tamper-evident audit
// trail: the Entry type and its validation, the hash chain that links every
// entry to the one before it, a streaming verifier that names the first bad
// entry, and the Filter the administrators' audit viewer lists entries by.
//
// The package holds types, validation and pure logic only; it imports
// neither SQL nor HTTP. Storage lives in internal/store, the viewer in
// internal/web and `corridor audit verify` in cmd/corridor.
//
// # What is recorded
//
// Every write, every read of personal data, every export, every sign-in and
// failed sign-in: who (ActorID, ActorName, OrgID), when (Time), what (Action
// on Resource, RecordID), how it ended (Outcome) and from where
// (ClientAddr). Entries never hold personal data of data subjects: a case is
// named by its record id, never by the victim's name, and Detail is short
// non-personal text.
//
// # The chain
//
// Entries are numbered 1, 2, 3, … without gaps (Seq). Each entry carries the
// hash of the entry before it (PrevHash; GenesisHash for entry 1) and its own
// hash (Hash), computed by ComputeHash over PrevHash and every other field
// (see Canonical for the exact bytes). Changing any field of a stored entry,
// removing an entry, or reordering entries therefore breaks the chain at
// that entry, and Verify names it.
//
// # Appending (the store's side)
//
// The store appends in one serialised transaction: read the head (the last
// entry's Seq and Hash, or the zero Head for an empty trail), build the entry
// with Head.Next, insert it, and update the head. Seq is the table's primary
// key; rows are never updated or deleted (the store should refuse to, and
// on PostgreSQL the application role should hold only INSERT and SELECT on
// the table).
//
// # Anchors: what the chain alone cannot detect
//
// Two attacks leave a chain that is consistent in itself: removing entries
// from the end (truncation), and rewriting the whole trail from some entry
// on, recomputing every hash (SHA-256 has no secret). Both are caught by
// comparing with a Head recorded elsewhere, an anchor:
//
//   - The store keeps the head in a separate table, updated in the same
//     transaction as each append; after verifying, it checks
//     Result.EndsAt(storedHead). That catches rows removed from (or appended
//     to) the end of the entries table behind the store's back.
//   - `corridor audit verify` prints the head it verified (Head.String, e.g.
//     "1234:9f86d0…"). Operators keep that line outside the database (a
//     ticket, a signed e-mail, a second system) and later pass it back
//     (`--expect-head 1234:9f86d0…`, parsed with ParseHead). Verify then
//     requires that entry 1234 still exists with that hash, which catches
//     truncation and any rewrite of the first 1234 entries, even by someone
//     who also rewrote the head table.
package audit

import (
	"fmt"
	"net/netip"
	"time"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Entry is one audit record. The zero value is not valid: Action, Resource,
// Outcome and Time are required.
type Entry struct {
	// Seq numbers the entries 1, 2, 3, … without gaps, in the order they
	// were appended. It is 0 until the store assigns it (Head.Next).
	Seq int64 `json:"seq"`
	// Time is when the action happened: UTC, truncated to microseconds so
	// it reads back unchanged from both SQLite and PostgreSQL (timestamptz
	// keeps microseconds). Use Timestamp to make one.
	Time time.Time `json:"time"`
	// ActorID is the user who acted; 0 for the public (signed out) and for
	// failed sign-ins that name no known account.
	ActorID int64 `json:"actorId"`
	// ActorName is the actor's username at the time. Usernames are account
	// names, not personal data of the people the records are about.
	ActorName string `json:"actorName,omitempty"`
	// OrgID is the actor's organisation; 0 for none.
	OrgID int64 `json:"orgId"`
	// Action is what was done: one of the Action constants or another
	// lower-case token (see Validate).
	Action string `json:"action"`
	// Resource is what it was done to: "users", "cases", "audit", …
	Resource string `json:"resource"`
	// RecordID identifies the record acted on, if any.
	RecordID string `json:"recordId,omitempty"`
	// Outcome is how it ended: one of the Outcome constants or another
	// lower-case token.
	Outcome string `json:"outcome"`
	// ClientAddr is the client's IP address ("203.0.113.7", "2001:db8::1"),
	// empty for actions not made over the network (the CLI).
	ClientAddr string `json:"clientAddr,omitempty"`
	// Detail is short, non-personal free text ("role changed to analyst",
	// "lockout after 5 failures"). Never a name, a document number or a
	// password.
	Detail string `json:"detail,omitempty"`
	// PrevHash is the Hash of entry Seq-1, or GenesisHash for entry 1.
	PrevHash string `json:"prevHash"`
	// Hash is ComputeHash(PrevHash, entry): lower-case hex SHA-256.
	Hash string `json:"hash"`
}

// Common actions. The first eight are the permission actions of the
// authorization policy; the rest are events of sign-in and administration.
// Validate accepts any other lower-case token too.
const (
	ActionRead         = "read"
	ActionCreate       = "create"
	ActionUpdate       = "update"
	ActionDelete       = "delete"
	ActionExport       = "export"
	ActionAssign       = "assign"
	ActionRefer        = "refer"
	ActionPublish      = "publish"
	ActionSignIn       = "signin"
	ActionSignInFailed = "signin.failed"
	ActionSignOut      = "signout"
	ActionTokenCreate  = "token.create"
	ActionTokenRevoke  = "token.revoke"
)

// Common outcomes. Validate accepts any other lower-case token too.
const (
	// OutcomeOK: the action was carried out (a write, a sign-in).
	OutcomeOK = "ok"
	// OutcomeAllowed: the policy allowed the request (typically a read).
	OutcomeAllowed = "allowed"
	// OutcomeDenied: the policy refused the request.
	OutcomeDenied = "denied"
	// OutcomeFailed: the action was attempted and failed (wrong password,
	// invalid input, an error).
	OutcomeFailed = "failed"
)

// Length limits, in bytes, enforced by Validate (and usable as column
// sizes).
const (
	MaxTokenLen      = 64  // Action, Resource, Outcome
	MaxActorNameLen  = 128 // ActorName
	MaxRecordIDLen   = 128 // RecordID
	MaxClientAddrLen = 64  // ClientAddr (an IPv6 address with a zone fits)
	MaxDetailLen     = 512 // Detail
)

// Timestamp returns t as an audit entry's Time: in UTC, truncated to
// microseconds, without a monotonic clock reading.
func Timestamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Head returns the entry's position in the chain: its Seq and Hash.
func (e Entry) Head() Head { return Head{Seq: e.Seq, Hash: e.Hash} }

// FieldError is an Invalid error about one field of an Entry or a Filter.
// Field is the field's JSON name ("action", "recordId", "limit"), which the
// web layer can report as the parameter name.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Unwrap makes errors.Is(err, derrors.Invalid) true.
func (e *FieldError) Unwrap() error { return derrors.Invalid }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Validate checks the fields a caller supplies before an entry is appended.
// It returns a *FieldError (wrapping derrors.Invalid) naming the first bad
// field:
//
//   - Action, Resource and Outcome are required tokens: a lower-case ASCII
//     letter, then lower-case letters, digits, '.', '_' or '-', at most
//     MaxTokenLen bytes ("signin.failed", "case-notes").
//   - Time is required, in UTC, with no sub-microsecond part, between the
//     years 1970 and 9999.
//   - ActorID, OrgID and Seq are not negative (Seq 0: not yet assigned).
//   - ActorName, RecordID and Detail are valid UTF-8 text within their
//     Max…Len limits, with no control characters (see validText).
//   - ClientAddr is empty or an IP address (netip.ParseAddr; no port).
//   - PrevHash and Hash are empty (not yet chained) or 64 lower-case hex
//     digits.
//
// The chain itself (Seq order, PrevHash links, Hash values) is checked by
// the Verifier, not here.
func (e Entry) Validate() error {
	if e.Seq < 0 {
		return fieldErr("seq", "must not be negative")
	}
	if err := validTime("time", e.Time); err != nil {
		return err
	}
	if e.ActorID < 0 {
		return fieldErr("actorId", "must not be negative")
	}
	if err := validText("actorName", e.ActorName, MaxActorNameLen); err != nil {
		return err
	}
	if e.OrgID < 0 {
		return fieldErr("orgId", "must not be negative")
	}
	for _, f := range []struct{ name, v string }{
		{"action", e.Action}, {"resource", e.Resource},
	} {
		if err := validToken(f.name, f.v, true); err != nil {
			return err
		}
	}
	if err := validText("recordId", e.RecordID, MaxRecordIDLen); err != nil {
		return err
	}
	if err := validToken("outcome", e.Outcome, true); err != nil {
		return err
	}
	if err := validAddr("clientAddr", e.ClientAddr); err != nil {
		return err
	}
	if err := validText("detail", e.Detail, MaxDetailLen); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{
		{"prevHash", e.PrevHash}, {"hash", e.Hash},
	} {
		if f.v != "" && !isHash(f.v) {
			return fieldErr(f.name, "must be empty or 64 lower-case hex digits")
		}
	}
	return nil
}

var (
	minTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
)

func validTime(field string, t time.Time) error {
	switch {
	case t.IsZero():
		return fieldErr(field, "required")
	case t.Location() != time.UTC:
		return fieldErr(field, "must be in UTC (use audit.Timestamp)")
	case t.Nanosecond()%int(time.Microsecond) != 0:
		return fieldErr(field, "must not be finer than a microsecond (use audit.Timestamp)")
	case t.Before(minTime) || !t.Before(maxTime):
		return fieldErr(field, "must be between the years 1970 and 9999")
	}
	return nil
}

// validToken checks an identifier-like value: a lower-case ASCII letter,
// then lower-case letters, digits, '.', '_' or '-', at most MaxTokenLen
// bytes. Empty is an error only when required.
func validToken(field, s string, required bool) error {
	if s == "" {
		if required {
			return fieldErr(field, "required")
		}
		return nil
	}
	if len(s) > MaxTokenLen {
		return fieldErr(field, "longer than %d bytes", MaxTokenLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' ||
			i > 0 && (c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-')
		if !ok {
			return fieldErr(field, "must be a lower-case letter followed by lower-case letters, digits, '.', '_' or '-'")
		}
	}
	return nil
}

// validText checks free text: valid UTF-8, at most max bytes, and none of
// the characters that could forge or hide lines in a log or a viewer: C0
// and C1 control characters (NUL, tab, newline, escape, …), DEL, the
// Unicode line and paragraph separators, and the bidirectional embedding,
// override and isolate controls.
func validText(field, s string, max int) error {
	if len(s) > max {
		return fieldErr(field, "longer than %d bytes", max)
	}
	if !utf8.ValidString(s) {
		return fieldErr(field, "not valid UTF-8")
	}
	for _, r := range s {
		if forbiddenRune(r) {
			return fieldErr(field, "must not contain control character %U", r)
		}
	}
	return nil
}

func forbiddenRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f: // C0, DEL, C1
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi controls
		return true
	}
	return false
}

func validAddr(field, s string) error {
	if s == "" {
		return nil
	}
	if len(s) > MaxClientAddrLen {
		return fieldErr(field, "longer than %d bytes", MaxClientAddrLen)
	}
	if _, err := netip.ParseAddr(s); err != nil {
		return fieldErr(field, "must be an IP address without a port")
	}
	return nil
}

// isHash reports whether s is 64 lower-case hex digits, the form ComputeHash
// returns.
func isHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
