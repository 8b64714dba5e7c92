package audit

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

func TestFilterValidate(t *testing.T) {
	tests := []struct {
		name  string
		f     Filter
		field string // "" = valid
	}{
		{"default", Filter{Limit: DefaultLimit}, ""},
		{"everything", Filter{
			From: t0, To: t0.Add(time.Hour), ActorID: new(int64(0)), OrgID: new(int64(3)),
			Action: "signin.failed", Resource: "sessions", RecordID: "C-17", Outcome: "failed",
			AfterSeq: 10, BeforeSeq: 20, Desc: true, Limit: MaxLimit,
		}, ""},
		{"adjacent cursor", Filter{AfterSeq: 1, BeforeSeq: 2, Limit: 1}, ""},
		{"no limit", Filter{}, "limit"},
		{"limit too big", Filter{Limit: MaxLimit + 1}, "limit"},
		{"negative limit", Filter{Limit: -1}, "limit"},
		{"to before from", Filter{From: t0, To: t0.Add(-time.Second), Limit: 1}, "to"},
		{"empty time range", Filter{From: t0, To: t0, Limit: 1}, "to"},
		{"from before 1970", Filter{From: time.Unix(-1, 0), Limit: 1}, "from"},
		{"to after 9999", Filter{To: time.Date(10001, 1, 1, 0, 0, 0, 0, time.UTC), Limit: 1}, "to"},
		{"negative actor", Filter{ActorID: new(int64(-1)), Limit: 1}, "actorId"},
		{"negative org", Filter{OrgID: new(int64(-1)), Limit: 1}, "orgId"},
		{"bad action", Filter{Action: "READ", Limit: 1}, "action"},
		{"bad resource", Filter{Resource: "cases;drop", Limit: 1}, "resource"},
		{"bad outcome", Filter{Outcome: "o k", Limit: 1}, "outcome"},
		{"bad record id", Filter{RecordID: "a\nb", Limit: 1}, "recordId"},
		{"negative afterSeq", Filter{AfterSeq: -1, Limit: 1}, "afterSeq"},
		{"negative beforeSeq", Filter{BeforeSeq: -1, Limit: 1}, "beforeSeq"},
		{"crossed cursor", Filter{AfterSeq: 5, BeforeSeq: 5, Limit: 1}, "beforeSeq"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			fe, ok := errors.AsType[*FieldError](err)
			if !ok || fe.Field != tt.field || !errors.Is(err, derrors.Invalid) {
				t.Fatalf("Validate = %v, want an Invalid *FieldError for %q", err, tt.field)
			}
		})
	}
}

func TestFilterMatch(t *testing.T) {
	e := Head{Seq: 41, Hash: GenesisHash}.Next(validEntry()) // seq 42
	public := e
	public.ActorID, public.OrgID = 0, 0
	tests := []struct {
		name string
		f    Filter
		e    Entry
		want bool
	}{
		{"zero filter", Filter{}, e, true},
		{"from inclusive", Filter{From: e.Time}, e, true},
		{"from after", Filter{From: e.Time.Add(time.Microsecond)}, e, false},
		{"to exclusive", Filter{To: e.Time}, e, false},
		{"to after", Filter{To: e.Time.Add(time.Microsecond)}, e, true},
		{"actor", Filter{ActorID: new(int64(7))}, e, true},
		{"other actor", Filter{ActorID: new(int64(8))}, e, false},
		{"public actor", Filter{ActorID: new(int64(0))}, public, true},
		{"public actor, signed-in entry", Filter{ActorID: new(int64(0))}, e, false},
		{"org", Filter{OrgID: new(int64(3))}, e, true},
		{"no org", Filter{OrgID: new(int64(0))}, e, false},
		{"action", Filter{Action: ActionRead}, e, true},
		{"other action", Filter{Action: ActionExport}, e, false},
		{"resource", Filter{Resource: "cases"}, e, true},
		{"other resource", Filter{Resource: "users"}, e, false},
		{"record", Filter{RecordID: "C-17"}, e, true},
		{"other record", Filter{RecordID: "C-1"}, e, false},
		{"outcome", Filter{Outcome: OutcomeAllowed}, e, true},
		{"other outcome", Filter{Outcome: OutcomeDenied}, e, false},
		{"after", Filter{AfterSeq: 41}, e, true},
		{"after itself", Filter{AfterSeq: 42}, e, false},
		{"before", Filter{BeforeSeq: 43}, e, true},
		{"before itself", Filter{BeforeSeq: 42}, e, false},
		{"all conditions", Filter{From: t0, To: t0.Add(time.Hour), ActorID: new(int64(7)), OrgID: new(int64(3)),
			Action: "read", Resource: "cases", RecordID: "C-17", Outcome: "allowed", AfterSeq: 1, BeforeSeq: 100}, e, true},
		{"all but one", Filter{From: t0, To: t0.Add(time.Hour), ActorID: new(int64(7)), OrgID: new(int64(3)),
			Action: "read", Resource: "cases", RecordID: "C-17", Outcome: "denied", AfterSeq: 1, BeforeSeq: 100}, e, false},
	}
	for _, tt := range tests {
		if got := tt.f.Match(tt.e); got != tt.want {
			t.Errorf("%s: Match = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestFilterPaging pages through a trail both ways with Next, as the viewer
// and the export do, and checks every matching entry is seen exactly once.
func TestFilterPaging(t *testing.T) {
	es := buildChain(103)
	page := func(f Filter) []Entry {
		var out []Entry
		list := slices.Clone(es)
		if f.Desc {
			slices.Reverse(list)
		}
		for _, e := range list {
			if f.Match(e) && len(out) < f.Limit {
				out = append(out, e)
			}
		}
		return out
	}
	for _, desc := range []bool{false, true} {
		f := Filter{Resource: "cases", Desc: desc, Limit: 4}
		var got []int64
		for range 100 {
			if err := f.Validate(); err != nil {
				t.Fatalf("desc=%v: %v", desc, err)
			}
			p := page(f)
			for _, e := range p {
				got = append(got, e.Seq)
			}
			if len(p) < f.Limit {
				break
			}
			f = f.Next(p[len(p)-1])
		}
		var want []int64
		for _, e := range es {
			if e.Resource == "cases" {
				want = append(want, e.Seq)
			}
		}
		if desc {
			slices.Reverse(want)
		}
		if !slices.Equal(got, want) {
			t.Errorf("desc=%v: paged %v, want %v", desc, got, want)
		}
	}
}
