package audit

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

func validEntry() Entry {
	return Entry{
		Time: t0, ActorID: 7, ActorName: "amina", OrgID: 3,
		Action: ActionRead, Resource: "cases", RecordID: "C-17", Outcome: OutcomeAllowed,
		ClientAddr: "203.0.113.7", Detail: "opened from the case list",
	}
}

func TestEntryValidate(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		name  string
		edit  func(*Entry)
		field string // "" = valid
	}{
		{"valid", func(*Entry) {}, ""},
		{"valid public actor, no addr, no record", func(e *Entry) { e.ActorID, e.ActorName, e.OrgID, e.ClientAddr, e.RecordID = 0, "", 0, "", "" }, ""},
		{"valid chained", func(e *Entry) { *e = Head{}.Next(*e) }, ""},
		{"valid IPv6 with zone", func(e *Entry) { e.ClientAddr = "fe80::1%eth0" }, ""},
		{"valid non-ASCII text", func(e *Entry) { e.ActorName, e.Detail = "zoë", "rôle changé — analyste" }, ""},
		{"valid token chars", func(e *Entry) { e.Action, e.Resource = "token.create", "case_notes-v2" }, ""},
		{"valid max lengths", func(e *Entry) {
			e.Action, e.Detail, e.RecordID = "a"+strings.Repeat("b", MaxTokenLen-1), strings.Repeat("x", MaxDetailLen), strings.Repeat("9", MaxRecordIDLen)
		}, ""},

		{"negative seq", func(e *Entry) { e.Seq = -1 }, "seq"},
		{"zero time", func(e *Entry) { e.Time = time.Time{} }, "time"},
		{"time not UTC", func(e *Entry) { e.Time = t0.In(paris) }, "time"},
		{"time with nanoseconds", func(e *Entry) { e.Time = t0.Add(1) }, "time"},
		{"time before 1970", func(e *Entry) { e.Time = time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC) }, "time"},
		{"time after 9999", func(e *Entry) { e.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "time"},
		{"negative actor", func(e *Entry) { e.ActorID = -2 }, "actorId"},
		{"actor name newline", func(e *Entry) { e.ActorName = "amina\nadmin" }, "actorName"},
		{"actor name too long", func(e *Entry) { e.ActorName = strings.Repeat("a", MaxActorNameLen+1) }, "actorName"},
		{"negative org", func(e *Entry) { e.OrgID = -1 }, "orgId"},
		{"action missing", func(e *Entry) { e.Action = "" }, "action"},
		{"action upper case", func(e *Entry) { e.Action = "Read" }, "action"},
		{"action leading digit", func(e *Entry) { e.Action = "1read" }, "action"},
		{"action space", func(e *Entry) { e.Action = "sign in" }, "action"},
		{"action too long", func(e *Entry) { e.Action = strings.Repeat("a", MaxTokenLen+1) }, "action"},
		{"resource missing", func(e *Entry) { e.Resource = "" }, "resource"},
		{"resource slash", func(e *Entry) { e.Resource = "cases/1" }, "resource"},
		{"record id NUL", func(e *Entry) { e.RecordID = "C\x0017" }, "recordId"},
		{"record id too long", func(e *Entry) { e.RecordID = strings.Repeat("9", MaxRecordIDLen+1) }, "recordId"},
		{"outcome missing", func(e *Entry) { e.Outcome = "" }, "outcome"},
		{"outcome punctuation", func(e *Entry) { e.Outcome = "ok!" }, "outcome"},
		{"client addr with port", func(e *Entry) { e.ClientAddr = "203.0.113.7:443" }, "clientAddr"},
		{"client addr hostname", func(e *Entry) { e.ClientAddr = "example.org" }, "clientAddr"},
		{"client addr too long", func(e *Entry) { e.ClientAddr = "fe80::1%" + strings.Repeat("e", MaxClientAddrLen) }, "clientAddr"},
		{"detail tab", func(e *Entry) { e.Detail = "a\tb" }, "detail"},
		{"detail DEL", func(e *Entry) { e.Detail = "a\x7fb" }, "detail"},
		{"detail C1", func(e *Entry) { e.Detail = "a\u0085b" }, "detail"},
		{"detail escape", func(e *Entry) { e.Detail = "\x1b[31mred" }, "detail"},
		{"detail line separator", func(e *Entry) { e.Detail = "a\u2028b" }, "detail"},
		{"detail bidi override", func(e *Entry) { e.Detail = "a\u202eb" }, "detail"},
		{"detail bidi isolate", func(e *Entry) { e.Detail = "a\u2067b" }, "detail"},
		{"detail invalid UTF-8", func(e *Entry) { e.Detail = "a\xffb" }, "detail"},
		{"detail too long", func(e *Entry) { e.Detail = strings.Repeat("x", MaxDetailLen+1) }, "detail"},
		{"prev hash upper case", func(e *Entry) { e.PrevHash = strings.ToUpper(Head{}.Next(*e).Hash) }, "prevHash"},
		{"hash short", func(e *Entry) { e.Hash = "abc" }, "hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validEntry()
			tt.edit(&e)
			err := e.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, derrors.Invalid) {
				t.Fatalf("Validate() = %v, want an error wrapping derrors.Invalid", err)
			}
			fe, ok := errors.AsType[*FieldError](err)
			if !ok || fe.Field != tt.field {
				t.Fatalf("Validate() = %v (%T), want a *FieldError for %q", err, err, tt.field)
			}
			if !strings.HasPrefix(err.Error(), tt.field+": ") {
				t.Errorf("message %q does not start with the field name", err)
			}
		})
	}
}

func TestTimestamp(t *testing.T) {
	in := time.Date(2026, 3, 1, 10, 30, 0, 123456789, time.FixedZone("CET", 3600))
	got := Timestamp(in)
	want := time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)
	if !got.Equal(want) || got.Location() != time.UTC || got != want {
		t.Errorf("Timestamp(%v) = %v, want %v", in, got, want)
	}
	// A reading of time.Now carries a monotonic clock, which == would see.
	if now := Timestamp(time.Now()); now != now.Round(0) {
		t.Error("Timestamp kept the monotonic clock reading")
	}
	e := validEntry()
	e.Time = Timestamp(time.Now())
	if err := e.Validate(); err != nil {
		t.Errorf("entry with Timestamp(time.Now()): %v", err)
	}
}
