package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The golden values were computed outside Go, with the shell:
//
//	printf '%s' '17:corridor-audit-v1,64:000…,1:1,…' | sha256sum
//
// A change here means every stored trail stops verifying: don't, add a new
// EncodingVersion instead.
func TestCanonicalGolden(t *testing.T) {
	e1 := Entry{
		Seq: 1, Time: time.Date(2026, 3, 1, 9, 30, 0, 1000, time.UTC),
		ActorID: 7, ActorName: "amina", OrgID: 3,
		Action: "read", Resource: "cases", RecordID: "C-17", Outcome: "allowed", ClientAddr: "203.0.113.7",
	}
	e2 := Entry{
		Seq: 2, Time: time.Date(2026, 3, 1, 9, 30, 1, 500_000_000, time.UTC),
		Action: "signin.failed", Resource: "sessions", Outcome: "failed", ClientAddr: "2001:db8::1",
		Detail: "unknown account — throttled",
	}
	const (
		enc1  = "17:corridor-audit-v1,64:" + GenesisHash + ",1:1,27:2026-03-01T09:30:00.000001Z,1:7,5:amina,1:3,4:read,5:cases,4:C-17,7:allowed,11:203.0.113.7,0:,"
		hash1 = "439d299f2a532c7306aed08ce855ddfa30cbca4b3b138941e80a2f36840526d4"
		enc2  = "17:corridor-audit-v1,64:" + hash1 + ",1:2,27:2026-03-01T09:30:01.500000Z,1:0,0:,1:0,13:signin.failed,8:sessions,0:,6:failed,11:2001:db8::1,29:unknown account — throttled,"
		hash2 = "03305d92a7531cd5ebc69e2cd1d42c149d31a46d6e970a6d7367040a3b225776"
	)
	if got := string(Canonical(GenesisHash, e1)); got != enc1 {
		t.Errorf("Canonical(entry 1) =\n%s\nwant\n%s", got, enc1)
	}
	if got := ComputeHash(GenesisHash, e1); got != hash1 {
		t.Errorf("ComputeHash(entry 1) = %s, want %s", got, hash1)
	}
	if got := string(Canonical(hash1, e2)); got != enc2 {
		t.Errorf("Canonical(entry 2) =\n%s\nwant\n%s", got, enc2)
	}
	if got := ComputeHash(hash1, e2); got != hash2 {
		t.Errorf("ComputeHash(entry 2) = %s, want %s", got, hash2)
	}
	// Head.Next builds the same chain from unnumbered entries.
	e1.Seq, e2.Seq = 0, 0
	c1 := Head{}.Next(e1)
	c2 := c1.Head().Next(e2)
	if c1.Seq != 1 || c1.PrevHash != GenesisHash || c1.Hash != hash1 ||
		c2.Seq != 2 || c2.PrevHash != hash1 || c2.Hash != hash2 {
		t.Errorf("Next: got (%d %s %s) (%d %s %s)", c1.Seq, c1.PrevHash, c1.Hash, c2.Seq, c2.PrevHash, c2.Hash)
	}
}

func TestComputeHashInputs(t *testing.T) {
	e := Head{}.Next(validEntry())
	h := e.Hash

	// Hash and PrevHash fields are not read: prev stands for PrevHash.
	x := e
	x.Hash, x.PrevHash = "junk", strings.Repeat("f", 64)
	if got := ComputeHash(GenesisHash, x); got != h {
		t.Error("ComputeHash reads the Hash or PrevHash field")
	}
	// The same instant in another zone hashes the same (the store may read
	// times back in the local zone).
	x = e
	x.Time = e.Time.In(time.FixedZone("EST", -5*3600))
	if got := ComputeHash(GenesisHash, x); got != h {
		t.Error("ComputeHash depends on the time's location")
	}
	// Changing prev changes the hash.
	if ComputeHash(strings.Repeat("1", 64), e) == h {
		t.Error("ComputeHash ignores prev")
	}
	if !isHash(h) {
		t.Errorf("hash %q is not 64 lower-case hex digits", h)
	}
	// Chain fills both fields and nothing else.
	c := Chain(GenesisHash, validEntry())
	want := validEntry()
	want.PrevHash, want.Hash = GenesisHash, ComputeHash(GenesisHash, want)
	if c != want {
		t.Errorf("Chain = %+v, want %+v", c, want)
	}
}

// TestFieldBoundaries checks that moving bytes from one field to the next
// changes the encoding.
func TestFieldBoundaries(t *testing.T) {
	base := validEntry()
	base.Seq = 5
	pairs := []struct {
		name string
		a, b func(*Entry)
	}{
		{"actorName|action", func(e *Entry) { e.ActorName, e.Action = "ab", "c" }, func(e *Entry) { e.ActorName, e.Action = "a", "bc" }},
		{"action|resource", func(e *Entry) { e.Action, e.Resource = "ab", "c" }, func(e *Entry) { e.Action, e.Resource = "a", "bc" }},
		{"resource|recordId", func(e *Entry) { e.Resource, e.RecordID = "ab", "c" }, func(e *Entry) { e.Resource, e.RecordID = "a", "bc" }},
		{"recordId|outcome", func(e *Entry) { e.RecordID, e.Outcome = "ab", "c" }, func(e *Entry) { e.RecordID, e.Outcome = "a", "bc" }},
		{"clientAddr|detail", func(e *Entry) { e.ClientAddr, e.Detail = "::1", "1" }, func(e *Entry) { e.ClientAddr, e.Detail = "::", "11" }},
		{"empty moves", func(e *Entry) { e.RecordID, e.Detail = "", "x" }, func(e *Entry) { e.RecordID, e.Detail = "x", "" }},
		{"netstring lookalike", func(e *Entry) { e.RecordID, e.Outcome = "1:a,", "b" }, func(e *Entry) { e.RecordID, e.Outcome = "", "b" }},
		{"seq|time digits", func(e *Entry) { e.Seq, e.ActorID = 12, 3 }, func(e *Entry) { e.Seq, e.ActorID = 1, 23 }},
		{"actorId|orgId", func(e *Entry) { e.ActorID, e.OrgID = 12, 3 }, func(e *Entry) { e.ActorID, e.OrgID = 1, 23 }},
		{"actorId|actorName", func(e *Entry) { e.ActorID, e.ActorName = 1, "2x" }, func(e *Entry) { e.ActorID, e.ActorName = 12, "x" }},
	}
	for _, p := range pairs {
		a, b := base, base
		p.a(&a)
		p.b(&b)
		if bytes.Equal(Canonical(GenesisHash, a), Canonical(GenesisHash, b)) || ComputeHash(GenesisHash, a) == ComputeHash(GenesisHash, b) {
			t.Errorf("%s: the two entries encode alike", p.name)
		}
	}
}

// decodeCanonical parses the canonical encoding back into prev and an entry
// (Time as its encoded text). That it can is the proof that the encoding is
// unambiguous: one byte string, one field list.
func decodeCanonical(b []byte) (prev string, e Entry, timeText string, err error) {
	var fields []string
	for len(b) > 0 {
		colon := bytes.IndexByte(b, ':')
		if colon < 1 {
			return "", Entry{}, "", fmt.Errorf("no length at %q", b)
		}
		n, err := strconv.Atoi(string(b[:colon]))
		if err != nil || n < 0 || colon+1+n >= len(b) || b[colon+1+n] != ',' {
			return "", Entry{}, "", fmt.Errorf("bad netstring at %q", b)
		}
		fields = append(fields, string(b[colon+1:colon+1+n]))
		b = b[colon+2+n:]
	}
	if len(fields) != 13 {
		return "", Entry{}, "", fmt.Errorf("%d fields, want 13", len(fields))
	}
	if fields[0] != EncodingVersion {
		return "", Entry{}, "", fmt.Errorf("version %q", fields[0])
	}
	ints := make([]int64, 0, 3)
	for _, i := range []int{2, 4, 6} {
		n, err := strconv.ParseInt(fields[i], 10, 64)
		if err != nil || strconv.FormatInt(n, 10) != fields[i] {
			return "", Entry{}, "", fmt.Errorf("field %d: non-canonical integer %q", i, fields[i])
		}
		ints = append(ints, n)
	}
	e = Entry{
		Seq: ints[0], ActorID: ints[1], ActorName: fields[5], OrgID: ints[2],
		Action: fields[7], Resource: fields[8], RecordID: fields[9], Outcome: fields[10],
		ClientAddr: fields[11], Detail: fields[12],
	}
	return fields[1], e, fields[3], nil
}

// sameFields reports whether a and b agree on every hashed field, with
// times compared at microsecond precision as the encoding does.
func sameFields(a, b Entry) bool {
	a.Hash, a.PrevHash, b.Hash, b.PrevHash = "", "", "", ""
	ta, tb := a.Time.Truncate(time.Microsecond), b.Time.Truncate(time.Microsecond)
	a.Time, b.Time = time.Time{}, time.Time{}
	return a == b && ta.Equal(tb)
}

// variant returns a with one change chosen by which: for which%20 in 0..12,
// field which (in encoding order after the version: prev, seq, time,
// actorId, actorName, orgId, action, resource, recordId, outcome,
// clientAddr, detail; 12 = time by one microsecond) set from alt or altInt;
// for 13..19, the bytes of two neighbouring strings re-split at altInt
// (("ab","c") -> ("a","bc")). The change may be a no-op (alt equal to the
// old value, a split at the old boundary).
func variant(prev string, a Entry, which uint8, alt string, altInt int64) (string, Entry) {
	b := a
	strs := []*string{&prev, &b.ActorName, &b.Action, &b.Resource, &b.RecordID, &b.Outcome, &b.ClientAddr, &b.Detail}
	switch w := which % 20; w {
	case 0:
		prev = alt
	case 1:
		b.Seq = altInt
	case 2:
		b.Time = time.UnixMicro(altInt).UTC()
	case 3:
		b.ActorID = altInt
	case 4:
		b.ActorName = alt
	case 5:
		b.OrgID = altInt
	case 6:
		b.Action = alt
	case 7:
		b.Resource = alt
	case 8:
		b.RecordID = alt
	case 9:
		b.Outcome = alt
	case 10:
		b.ClientAddr = alt
	case 11:
		b.Detail = alt
	case 12:
		b.Time = b.Time.Add(time.Microsecond)
	default: // 13..19: re-split strs[w-13] and strs[w-12]
		x, y := strs[w-13], strs[w-12]
		joined := *x + *y
		cut := int(uint64(altInt) % uint64(len(joined)+1))
		*x, *y = joined[:cut], joined[cut:]
	}
	return prev, b
}

// FuzzEntryHash checks that two entries (with their prev hashes) that differ
// in any field never encode, and so never hash, the same, including when
// bytes move across a field boundary ("ab","c" / "a","bc"); and that the
// encoding decodes back to exactly its fields, which proves it unambiguous.
func FuzzEntryHash(f *testing.F) {
	us := t0.UnixMicro()
	f.Add(GenesisHash, int64(1), us, int64(7), "amina", int64(3), "read", "cases", "C-17", "allowed", "203.0.113.7", "", uint8(0), GenesisHash, int64(0))
	f.Add(GenesisHash, int64(1), us, int64(0), "ab", int64(0), "c", "x", "", "ok", "", "", uint8(14), "", int64(1))
	f.Add("", int64(12), us, int64(3), "", int64(0), "", "", "", "", "", "1:a,", uint8(1), "", int64(1))
	f.Add("ab", int64(-1), int64(0), int64(math.MinInt64), "", int64(math.MaxInt64), "", "", "1:", "a,", "", "", uint8(17), "", int64(3))
	f.Add("", int64(0), int64(math.MinInt64), int64(0), "", int64(0), "", "", "", "", "", "", uint8(2), "", int64(math.MaxInt64))
	f.Add(GenesisHash, int64(2), us, int64(1), "zoë", int64(1), "update", "users", "", "ok", "::1", "\u2028", uint8(12), "", int64(0))
	f.Add(GenesisHash, int64(2), us, int64(1), "zoë", int64(1), "update", "users", "", "ok", "::1", "x", uint8(4), "zoe\u0308", int64(0))
	f.Fuzz(func(t *testing.T, prevA string, seq, micros, actor int64, name string, org int64,
		action, resource, record, outcome, addr, detail string, which uint8, alt string, altInt int64,
	) {
		a := Entry{
			Seq: seq, Time: time.UnixMicro(micros).UTC(), ActorID: actor, ActorName: name, OrgID: org,
			Action: action, Resource: resource, RecordID: record, Outcome: outcome, ClientAddr: addr, Detail: detail,
		}
		prevB, b := variant(prevA, a, which, alt, altInt)

		encA, encB := Canonical(prevA, a), Canonical(prevB, b)
		hA, hB := ComputeHash(prevA, a), ComputeHash(prevB, b)
		if sum := sha256.Sum256(encA); hA != hex.EncodeToString(sum[:]) {
			t.Fatal("ComputeHash is not the SHA-256 of Canonical")
		}

		// Round trip: the encoding determines every field.
		for _, c := range []struct {
			prev string
			e    Entry
			enc  []byte
		}{{prevA, a, encA}, {prevB, b, encB}} {
			prev, got, tt, err := decodeCanonical(c.enc)
			if err != nil {
				t.Fatalf("decode %q: %v", c.enc, err)
			}
			want := c.e
			want.Time = time.Time{}
			if prev != c.prev || got != want || tt != c.e.Time.UTC().Format(timeLayout) {
				t.Fatalf("decode %q: got (%q, %+v, %s)", c.enc, prev, got, tt)
			}
		}

		same := prevA == prevB && sameFields(a, b)
		if same != bytes.Equal(encA, encB) {
			t.Fatalf("fields equal: %v, encodings equal: %v\nA=%q\nB=%q", same, !same, encA, encB)
		}
		if same != (hA == hB) {
			t.Fatalf("fields equal: %v, hashes equal: %v\nA=%q\nB=%q", same, !same, encA, encB)
		}
	})
}
