package audit

import "time"

// Page sizes for listing entries.
const (
	DefaultLimit = 100
	MaxLimit     = 500
)

// Filter selects entries for the audit viewer and its export. The zero
// value of every field but Limit means "any"; set fields combine with AND.
//
// Paging is by a Seq cursor, not an offset: entries are only ever
// appended, so a cursor stays stable while new entries arrive, and
// "seq < ? ORDER BY seq DESC LIMIT ?" uses the primary key however deep the
// page. Next moves the cursor past a page.
//
// The names in FieldError.Field (and in the comments below) are the ones
// the web layer should use as query parameters.
type Filter struct {
	// From and To bound Time: From <= Time < To. A zero time leaves that
	// side open.
	From time.Time // "from"
	To   time.Time // "to"
	// ActorID, if not nil, selects one actor; a pointer to 0 selects the
	// public (signed out), e.g. f.ActorID = new(int64(0)).
	ActorID *int64 // "actorId"
	// OrgID, if not nil, selects one organisation; a pointer to 0 selects
	// entries with no organisation.
	OrgID *int64 // "orgId"
	// Action, Resource, RecordID and Outcome, if not empty, must equal the
	// entry's field exactly.
	Action   string // "action"
	Resource string // "resource"
	RecordID string // "recordId"
	Outcome  string // "outcome"
	// AfterSeq and BeforeSeq are the cursor: AfterSeq < Seq < BeforeSeq;
	// 0 leaves that side open.
	AfterSeq  int64 // "afterSeq"
	BeforeSeq int64 // "beforeSeq"
	// Desc lists the newest entries first (Seq descending), as the viewer
	// does; otherwise oldest first, as an export does.
	Desc bool // "desc"
	// Limit is the page size, 1 to MaxLimit.
	Limit int // "limit"
}

// Validate checks the filter. It returns a *FieldError (wrapping
// derrors.Invalid) naming the first bad field.
func (f Filter) Validate() error {
	for _, t := range []struct {
		name string
		v    time.Time
	}{{"from", f.From}, {"to", f.To}} {
		if !t.v.IsZero() && (t.v.Before(minTime) || !t.v.Before(maxTime)) {
			return fieldErr(t.name, "must be between the years 1970 and 9999")
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return fieldErr("to", "must be after from")
	}
	if f.ActorID != nil && *f.ActorID < 0 {
		return fieldErr("actorId", "must not be negative")
	}
	if f.OrgID != nil && *f.OrgID < 0 {
		return fieldErr("orgId", "must not be negative")
	}
	for _, t := range []struct{ name, v string }{
		{"action", f.Action}, {"resource", f.Resource}, {"outcome", f.Outcome},
	} {
		if err := validToken(t.name, t.v, false); err != nil {
			return err
		}
	}
	if err := validText("recordId", f.RecordID, MaxRecordIDLen); err != nil {
		return err
	}
	if f.AfterSeq < 0 {
		return fieldErr("afterSeq", "must not be negative")
	}
	if f.BeforeSeq < 0 {
		return fieldErr("beforeSeq", "must not be negative")
	}
	if f.BeforeSeq > 0 && f.BeforeSeq <= f.AfterSeq {
		return fieldErr("beforeSeq", "must be greater than afterSeq")
	}
	if f.Limit < 1 || f.Limit > MaxLimit {
		return fieldErr("limit", "must be between 1 and %d", MaxLimit)
	}
	return nil
}

// Match reports whether e satisfies the filter's conditions, including the
// Seq cursor but not Limit or Desc. It defines the semantics the store's SQL
// implements, for in-memory fakes and for tests comparing the two.
func (f Filter) Match(e Entry) bool {
	switch {
	case !f.From.IsZero() && e.Time.Before(f.From),
		!f.To.IsZero() && !e.Time.Before(f.To),
		f.ActorID != nil && e.ActorID != *f.ActorID,
		f.OrgID != nil && e.OrgID != *f.OrgID,
		f.Action != "" && e.Action != f.Action,
		f.Resource != "" && e.Resource != f.Resource,
		f.RecordID != "" && e.RecordID != f.RecordID,
		f.Outcome != "" && e.Outcome != f.Outcome,
		e.Seq <= f.AfterSeq,
		f.BeforeSeq > 0 && e.Seq >= f.BeforeSeq:
		return false
	}
	return true
}

// Next returns the filter for the page after the one that ended with last:
// entries older than last when Desc, newer otherwise. The other side of the
// cursor is kept.
func (f Filter) Next(last Entry) Filter {
	if f.Desc {
		f.BeforeSeq = last.Seq
	} else {
		f.AfterSeq = last.Seq
	}
	return f
}
