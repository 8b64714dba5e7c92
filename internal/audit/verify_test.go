package audit

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

const chainLen = 12

func TestVerifyIntact(t *testing.T) {
	for _, n := range []int{0, 1, 2, chainLen, 1000} {
		es := buildChain(n)
		res, err := Verify(all(es), nil)
		if err != nil {
			t.Fatalf("n=%d: Verify: %v", n, err)
		}
		want := Head{Seq: 0, Hash: GenesisHash}
		if n > 0 {
			want = es[n-1].Head()
		}
		if res.Count != int64(n) || res.Head != want {
			t.Errorf("n=%d: Result = %+v, want count %d head %v", n, res, n, want)
		}
		if err := res.EndsAt(want); err != nil {
			t.Errorf("n=%d: EndsAt(own head): %v", n, err)
		}
		// Every entry as an anchor (a few for long trails), and all of
		// them at once.
		anchors := []Head{{}}
		for _, e := range es {
			anchors = append(anchors, e.Head())
		}
		single := anchors
		if len(single) > 20 {
			single = append(slices.Clone(single[:10]), single[len(single)-10:]...)
		}
		for _, a := range single {
			if _, err := Verify(all(es), &a); err != nil {
				t.Fatalf("n=%d: Verify with anchor %v: %v", n, a, err)
			}
		}
		v := NewVerifier(anchors...)
		for _, e := range es {
			if err := v.Check(e); err != nil {
				t.Fatalf("n=%d: Check(%d) with all anchors: %v", n, e.Seq, err)
			}
		}
		if _, err := v.Done(); err != nil {
			t.Fatalf("n=%d: Done with all anchors: %v", n, err)
		}
		for _, e := range es {
			if err := e.Validate(); err != nil {
				t.Fatalf("test entry %d invalid: %v", e.Seq, err)
			}
		}
	}
}

// A tamper changes a copy of an intact trail of chainLen entries; k is the
// 1-based seq it aims at.
type tamperCase struct {
	name      string
	entries   []Entry
	anchor    *Head
	wantSeq   int64
	wantCheck Check // "" = the tamper goes undetected (by design)
}

func rehash(es []Entry, from int) []Entry {
	h := Head{Seq: 0, Hash: GenesisHash}
	if from > 0 {
		h = es[from-1].Head()
	}
	for i := from; i < len(es); i++ {
		es[i] = h.Next(es[i])
		h = es[i].Head()
	}
	return es
}

func tamperCases() []tamperCase {
	orig := buildChain(chainLen)
	n := int64(chainLen)
	head := orig[n-1].Head()
	otherHash := strings.Repeat("ab", 32)
	clone := func() []Entry { return slices.Clone(orig) }
	var cases []tamperCase
	add := func(name string, k int64, es []Entry, anchor *Head, seq int64, check Check) {
		cases = append(cases, tamperCase{fmt.Sprintf("%s/k=%d", name, k), es, anchor, seq, check})
	}

	// Every field of entry k, altered in place without re-hashing.
	fields := []struct {
		name  string
		alter func(*Entry)
		check Check
	}{
		{"seq", func(e *Entry) { e.Seq += 1000 }, CheckSeq},
		{"time", func(e *Entry) { e.Time = e.Time.Add(time.Microsecond) }, CheckHash},
		{"actorId", func(e *Entry) { e.ActorID++ }, CheckHash},
		{"actorName", func(e *Entry) { e.ActorName += "x" }, CheckHash},
		{"orgId", func(e *Entry) { e.OrgID = 0 }, CheckHash},
		{"action", func(e *Entry) { e.Action = "forged" }, CheckHash},
		{"resource", func(e *Entry) { e.Resource = "forged" }, CheckHash},
		{"recordId", func(e *Entry) { e.RecordID = "" }, CheckHash},
		{"outcome", func(e *Entry) { e.Outcome = "forged" }, CheckHash},
		{"clientAddr", func(e *Entry) { e.ClientAddr = "198.51.100.1" }, CheckHash},
		{"detail", func(e *Entry) { e.Detail = "" }, CheckHash},
		{"prevHash", func(e *Entry) { e.PrevHash = otherHash }, CheckHash},
		{"hash", func(e *Entry) { e.Hash = otherHash }, CheckHash},
		{"hash upper case", func(e *Entry) { e.Hash = strings.ToUpper(e.Hash) }, CheckFormat},
		{"prevHash truncated", func(e *Entry) { e.PrevHash = e.PrevHash[:63] }, CheckFormat},
	}
	for _, k := range []int64{1, 2, n / 2, n - 1, n} {
		for _, f := range fields {
			es := clone()
			f.alter(&es[k-1])
			add("alter "+f.name, k, es, nil, k, f.check)
		}

		// Entry k altered and re-hashed: the next entry no longer links.
		// The last entry so rewritten is only caught by an anchor.
		es := clone()
		es[k-1].Detail = "rewritten"
		es[k-1] = Chain(es[k-1].PrevHash, es[k-1])
		if k < n {
			add("alter and rehash", k, es, nil, k+1, CheckPrev)
		} else {
			add("alter and rehash last, no anchor", k, es, nil, 0, "")
			add("alter and rehash last, anchor", k, es, &head, k, CheckAnchor)
		}

		// Entry k removed.
		es = slices.Delete(clone(), int(k-1), int(k))
		if k < n {
			add("delete", k, es, nil, k, CheckSeq)
		} else {
			add("delete last, no anchor", k, es, nil, 0, "")
			add("delete last, anchor", k, es, &head, k, CheckAnchor)
		}

		// Entry k removed, the rest renumbered and re-hashed: consistent in
		// itself, so only an anchor at or after k catches it.
		es = slices.Delete(clone(), int(k-1), int(k))
		for i := k - 1; i < int64(len(es)); i++ {
			es[i].Seq--
		}
		es = rehash(es, int(k-1))
		add("delete and rewrite, no anchor", k, es, nil, 0, "")
		add("delete and rewrite, anchor at head", k, es, &head, n, CheckAnchor)
		if k < n {
			a := orig[k-1].Head()
			add("delete and rewrite, anchor at k", k, es, &a, k, CheckAnchor)
		}
		if k > 1 {
			a := orig[k-2].Head()
			add("delete and rewrite, anchor before k", k, es, &a, 0, "")
		}

		if k < n {
			// Entries k and k+1 swapped, each keeping its seq.
			es = clone()
			es[k-1], es[k] = es[k], es[k-1]
			add("swap", k, es, nil, k, CheckSeq)

			// Contents of k and k+1 swapped, seq numbers left in place.
			es = clone()
			es[k-1].Seq, es[k].Seq = es[k].Seq, es[k-1].Seq
			es[k-1], es[k] = es[k], es[k-1]
			add("swap contents", k, es, nil, k, CheckHash)
		}

		// A forged entry with a valid hash but a wrong prev, inserted as seq k.
		forged := entryN(999)
		forged.Seq = k
		forged = Chain(otherHash, forged)
		es = slices.Insert(clone(), int(k-1), forged)
		add("insert, wrong prev", k, es, nil, k, CheckPrev)

		// A forged entry that links correctly, inserted as a second seq k.
		forged = Chain(orig[k-1].PrevHash, forged)
		es = slices.Insert(clone(), int(k-1), forged)
		add("insert, duplicate seq", k, es, nil, k, CheckSeq)

		// The same, with the entries after it renumbered (not re-hashed):
		// the old entry k, now numbered k+1, no longer matches its hash.
		es = slices.Insert(clone(), int(k-1), forged)
		for i := k; i < int64(len(es)); i++ {
			es[i].Seq++
		}
		add("insert and renumber", k, es, nil, k+1, CheckHash)

		// The last entries from k on removed.
		es = clone()[:k-1]
		add("truncate, no anchor", k, es, nil, 0, "")
		add("truncate, anchor at head", k, es, &head, k, CheckAnchor)
		a := orig[k-1].Head()
		add("truncate, anchor at k", k, es, &a, k, CheckAnchor)
	}

	// Whole-trail cases.
	es := clone()
	slices.Reverse(es)
	add("reversed", 1, es, nil, 1, CheckSeq)

	es = clone()
	es[0] = Chain(otherHash, es[0])
	add("first entry not from genesis", 1, es, nil, 1, CheckPrev)

	es = clone()
	es[3].Seq = 0
	add("seq zero", 4, es, nil, 0, CheckSeq)

	es = slices.Insert(clone(), 5, orig[2])
	add("old entry replayed", 6, es, nil, 3, CheckSeq)

	es = rehash(clone(), 0)
	for i := range es {
		es[i].Detail = "everything rewritten"
	}
	es = rehash(es, 0)
	add("whole trail rewritten, no anchor", 1, es, nil, 0, "")
	a := orig[0].Head()
	add("whole trail rewritten, anchor at 1", 1, es, &a, 1, CheckAnchor)

	add("empty trail, anchor", 1, nil, &head, 1, CheckAnchor)
	add("empty trail, zero anchor", 1, nil, &Head{}, 0, "")
	return cases
}

func TestVerifyTampered(t *testing.T) {
	for _, tc := range tamperCases() {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Verify(all(tc.entries), tc.anchor)
			if tc.wantCheck == "" {
				if err != nil {
					t.Fatalf("Verify = %v, want nil (undetectable without an anchor)", err)
				}
				return
			}
			ce, ok := errors.AsType[*ChainError](err)
			if !ok {
				t.Fatalf("Verify = %v (%T), want a *ChainError", err, err)
			}
			if ce.Seq != tc.wantSeq || ce.Check != tc.wantCheck {
				t.Fatalf("Verify = %v, want entry %d, check %s", err, tc.wantSeq, tc.wantCheck)
			}
			if !errors.Is(err, derrors.Invalid) {
				t.Errorf("%v does not wrap derrors.Invalid", err)
			}
			if want := fmt.Sprintf("entry %d: %s check failed: ", ce.Seq, ce.Check); !strings.Contains(err.Error(), want) || ce.Reason == "" {
				t.Errorf("message %q does not name the entry and check", err)
			}
			// The result covers exactly the entries before the bad one.
			if res.Count != res.Head.Seq || (ce.Check != CheckAnchor && ce.Check != CheckSeq && res.Head.Seq != ce.Seq-1) {
				t.Errorf("Result = %+v for %v", res, err)
			}
		})
	}
}

func TestEndsAt(t *testing.T) {
	es := buildChain(chainLen)
	head := es[chainLen-1].Head()
	tests := []struct {
		name    string
		entries []Entry
		wantSeq int64 // 0 = ok
	}{
		{"same", es, 0},
		{"last row removed", es[:chainLen-1], chainLen},
		{"all rows removed", nil, 1},
		{"row appended behind the store's back", append(slices.Clone(es), head.Next(entryN(500))), chainLen + 1},
		{"last row rewritten", append(slices.Clone(es[:chainLen-1]), es[chainLen-2].Head().Next(entryN(501))), chainLen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Verify(all(tt.entries), nil)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			err = res.EndsAt(head)
			if tt.wantSeq == 0 {
				if err != nil {
					t.Fatalf("EndsAt = %v", err)
				}
				return
			}
			ce, ok := errors.AsType[*ChainError](err)
			if !ok || ce.Seq != tt.wantSeq || ce.Check != CheckAnchor {
				t.Fatalf("EndsAt = %v, want entry %d, anchor check", err, tt.wantSeq)
			}
		})
	}
	// The zero Head is the head of an empty trail.
	if res, _ := Verify(all(nil), nil); res.EndsAt(Head{}) != nil {
		t.Error("empty trail does not end at the zero Head")
	}
}

func TestVerifierSticky(t *testing.T) {
	es := buildChain(5)
	es[2].Detail = "altered"
	v := NewVerifier()
	var first error
	for _, e := range es {
		if err := v.Check(e); err != nil && first == nil {
			first = err
		}
	}
	if ce, ok := errors.AsType[*ChainError](first); !ok || ce.Seq != 3 {
		t.Fatalf("first error %v, want entry 3", first)
	}
	if err := v.Check(es[4]); err != first {
		t.Errorf("Check after failure = %v, want the first error", err)
	}
	res, err := v.Done()
	if err != first || res.Count != 2 || res.Head != es[1].Head() {
		t.Errorf("Done = %+v, %v; want count 2 at entry 2 and the first error", res, err)
	}
}

func TestVerifyStopsEarly(t *testing.T) {
	es := buildChain(10)
	es[3].Hash = es[4].Hash
	seen := 0
	entries := func(yield func(Entry, error) bool) {
		for _, e := range es {
			seen++
			if !yield(e, nil) {
				return
			}
		}
	}
	if _, err := Verify(entries, nil); err == nil {
		t.Fatal("Verify passed")
	}
	if seen != 4 {
		t.Errorf("Verify read %d entries, want to stop at the 4th", seen)
	}
}

func TestVerifyIteratorError(t *testing.T) {
	es := buildChain(3)
	boom := errors.New("connection reset")
	var entries iter.Seq2[Entry, error] = func(yield func(Entry, error) bool) {
		if yield(es[0], nil) && yield(es[1], nil) {
			yield(Entry{}, boom)
		}
	}
	res, err := Verify(entries, nil)
	if err != boom || res.Count != 2 || res.Head != es[1].Head() {
		t.Errorf("Verify = %+v, %v; want the iterator's error after 2 entries", res, err)
	}
}

func TestBadAnchors(t *testing.T) {
	es := buildChain(3)
	tests := []struct {
		name    string
		anchors []Head
	}{
		{"negative seq", []Head{{Seq: -1, Hash: GenesisHash}}},
		{"short hash", []Head{{Seq: 2, Hash: "abc"}}},
		{"no hash", []Head{{Seq: 2}}},
		{"seq 0 not genesis", []Head{{Seq: 0, Hash: es[0].Hash}}},
		{"contradictory", []Head{es[1].Head(), {Seq: 2, Hash: es[0].Hash}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := NewVerifier(tt.anchors...)
			err := v.Check(es[0])
			if !errors.Is(err, derrors.Invalid) {
				t.Fatalf("Check = %v, want an Invalid error", err)
			}
			if _, err2 := v.Done(); err2 != err {
				t.Errorf("Done = %v, want %v", err2, err)
			}
		})
	}
	// Repeating the same anchor is fine.
	v := NewVerifier(es[1].Head(), es[1].Head(), Head{})
	for _, e := range es {
		if err := v.Check(e); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := v.Done(); err != nil {
		t.Fatal(err)
	}
}

func TestHeadStringParse(t *testing.T) {
	es := buildChain(2)
	h := es[1].Head()
	s := h.String()
	if s != "2:"+h.Hash {
		t.Errorf("String = %q", s)
	}
	for _, in := range []string{s, "  " + s + "\n", "2:" + strings.ToUpper(h.Hash)} {
		got, err := ParseHead(in)
		if err != nil || got != h {
			t.Errorf("ParseHead(%q) = %v, %v; want %v", in, got, err, h)
		}
	}
	if got := (Head{}).String(); got != "0:"+GenesisHash {
		t.Errorf("zero Head String = %q", got)
	}
	if got, err := ParseHead("0:" + GenesisHash); err != nil || got.Seq != 0 || got.Hash != GenesisHash {
		t.Errorf("ParseHead(genesis) = %v, %v", got, err)
	}
	for _, bad := range []string{"", "2", h.Hash, "x:" + h.Hash, "-1:" + h.Hash, "2:" + h.Hash[:63], "2:" + h.Hash + "0", "0:" + h.Hash, "2:" + strings.Repeat("g", 64), "2 :" + h.Hash} {
		if _, err := ParseHead(bad); !errors.Is(err, derrors.Invalid) {
			t.Errorf("ParseHead(%q) = %v, want an Invalid error", bad, err)
		}
	}
}
