package audit

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Head is a position in the chain: the Seq and Hash of one entry. The head
// of a trail is its last entry's; the head of an empty trail is
// Head{Seq: 0, Hash: GenesisHash} (the zero Head means the same).
//
// A Head recorded outside the entries table is an anchor: see the package
// documentation and Verify.
type Head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// hash returns h.Hash, or GenesisHash for the zero Head.
func (h Head) hash() string {
	if h.Seq == 0 && h.Hash == "" {
		return GenesisHash
	}
	return h.Hash
}

// Next returns e as the entry after h: Seq h.Seq+1, PrevHash h's hash, and
// Hash computed. It is how the store appends: read the head, Next, insert.
func (h Head) Next(e Entry) Entry {
	e.Seq = h.Seq + 1
	return Chain(h.hash(), e)
}

// String formats h as "seq:hash", the form `corridor audit verify` prints
// and ParseHead reads.
func (h Head) String() string { return strconv.FormatInt(h.Seq, 10) + ":" + h.hash() }

// Validate checks that Seq is not negative, Hash is 64 lower-case hex
// digits, and a Seq 0 head has GenesisHash (the zero Head is valid).
func (h Head) Validate() error {
	if h.Seq < 0 {
		return derrors.Kindf(derrors.Invalid, "audit head %d: seq must not be negative", h.Seq)
	}
	if !isHash(h.hash()) {
		return derrors.Kindf(derrors.Invalid, "audit head %d: hash must be 64 lower-case hex digits", h.Seq)
	}
	if h.Seq == 0 && h.hash() != GenesisHash {
		return derrors.Kindf(derrors.Invalid, "audit head 0: hash must be the genesis hash (64 zeros)")
	}
	return nil
}

// ParseHead parses "seq:hash" as printed by Head.String. Surrounding space
// is ignored and the hash may be upper-case; anything else malformed is an
// error wrapping derrors.Invalid.
func ParseHead(s string) (Head, error) {
	seq, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return Head{}, derrors.Kindf(derrors.Invalid, "audit head %q: want seq:hash", s)
	}
	n, err := strconv.ParseInt(seq, 10, 64)
	if err != nil {
		return Head{}, derrors.Kindf(derrors.Invalid, "audit head %q: seq is not a number", s)
	}
	h := Head{Seq: n, Hash: strings.ToLower(hash)}
	if err := h.Validate(); err != nil {
		return Head{}, err
	}
	return h, nil
}

// Check names the verification check an entry failed.
type Check string

const (
	// CheckSeq: the entry is not the next in sequence. Either entries are
	// missing (ChainError.Seq is then the first missing number) or the
	// entry repeats or goes back (ChainError.Seq is its own number).
	CheckSeq Check = "seq"
	// CheckFormat: PrevHash or Hash is not 64 lower-case hex digits.
	CheckFormat Check = "format"
	// CheckHash: the entry's content does not match its Hash: a field (or
	// the Hash) was altered.
	CheckHash Check = "hash"
	// CheckPrev: the entry is intact in itself but its PrevHash is not the
	// previous entry's Hash: it was inserted, or the entry before it was
	// altered and re-hashed.
	CheckPrev Check = "prev"
	// CheckAnchor: the trail disagrees with a Head recorded elsewhere:
	// entries were removed from the end, added after it, or the trail was
	// rewritten up to the anchor.
	CheckAnchor Check = "anchor"
)

// ChainError reports the first bad entry of an audit trail. It wraps
// derrors.Invalid.
type ChainError struct {
	// Seq is the sequence number of the first entry that is missing or
	// fails a check.
	Seq int64
	// Check is the check that failed.
	Check Check
	// Reason says what is wrong, for people.
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("audit trail: entry %d: %s check failed: %s", e.Seq, e.Check, e.Reason)
}

// Unwrap makes errors.Is(err, derrors.Invalid) true.
func (e *ChainError) Unwrap() error { return derrors.Invalid }

// Result is the outcome of verifying a trail (or its intact prefix, if
// verification failed).
type Result struct {
	// Count is the number of entries that passed every check.
	Count int64 `json:"count"`
	// Head is the last entry that passed, Head{0, GenesisHash} if none.
	Head Head `json:"head"`
}

// EndsAt checks that a verified trail ends exactly at stored, the head the
// store records in its own table in the same transaction as every append.
// Unlike an anchor (which only has to be contained in the trail), the
// stored head must be the last entry: more entries mean rows were added
// behind the store's back, fewer mean rows were removed from the end. The
// error is a *ChainError with CheckAnchor.
func (r Result) EndsAt(stored Head) error {
	switch got := r.Head; {
	case got.Seq < stored.Seq:
		return truncated(got.Seq, stored.Seq, "the recorded head")
	case got.Seq > stored.Seq:
		return &ChainError{Seq: stored.Seq + 1, Check: CheckAnchor, Reason: fmt.Sprintf(
			"the recorded head is seq %d but the trail continues to seq %d: entries were added outside the audit log writer",
			stored.Seq, got.Seq)}
	case got.hash() != stored.hash():
		return &ChainError{Seq: got.Seq, Check: CheckAnchor, Reason: "hash differs from the recorded head: the trail was rewritten"}
	}
	return nil
}

func truncated(last, anchor int64, what string) error {
	ends := fmt.Sprintf("the trail ends at seq %d", last)
	if last == 0 {
		ends = "the trail is empty"
	}
	return &ChainError{Seq: last + 1, Check: CheckAnchor, Reason: fmt.Sprintf(
		"missing: %s but %s is seq %d (entries removed from the end)", ends, what, anchor)}
}

// Verifier checks an audit trail entry by entry, in Seq order, without
// holding it in memory:
//
//	v := audit.NewVerifier(anchors...)
//	for each entry, ordered by seq {
//		if err := v.Check(e); err != nil {
//			return err // a *ChainError naming the first bad entry
//		}
//	}
//	res, err := v.Done() // err: an anchor beyond the last entry (truncation)
//
// For each entry it checks, in this order: Seq is the previous Seq + 1
// (CheckSeq), PrevHash and Hash are well-formed (CheckFormat), Hash matches
// the content (CheckHash), PrevHash is the previous entry's Hash
// (CheckPrev), and the Hash equals any anchor at that Seq (CheckAnchor).
// It does not require times to increase: clocks may step back.
//
// The first failure is sticky: Check and Done return it from then on. A
// Verifier is not safe for concurrent use.
type Verifier struct {
	head    Head
	count   int64
	anchors []Head // sorted by Seq, no duplicates; anchors[next:] are ahead
	next    int
	err     error
}

// NewVerifier returns a Verifier for a trail from entry 1. Each anchor is a
// Head recorded earlier (a Head.String line kept by operators, the head
// table): the trail must contain an entry with the anchor's Seq and Hash.
// It may continue beyond it. Invalid or contradictory anchors make every
// Check and Done fail with an error wrapping derrors.Invalid.
func NewVerifier(anchors ...Head) *Verifier {
	v := &Verifier{head: Head{Seq: 0, Hash: GenesisHash}}
	as := make([]Head, 0, len(anchors))
	for _, a := range anchors {
		if err := a.Validate(); err != nil {
			v.err = err
			return v
		}
		as = append(as, Head{Seq: a.Seq, Hash: a.hash()})
	}
	slices.SortFunc(as, func(a, b Head) int { return cmp.Compare(a.Seq, b.Seq) })
	as = slices.Compact(as)
	for i := 1; i < len(as); i++ {
		if as[i].Seq == as[i-1].Seq {
			v.err = derrors.Kindf(derrors.Invalid, "audit anchors: two different hashes for seq %d", as[i].Seq)
			return v
		}
	}
	// A seq 0 anchor has the genesis hash (Validate) and holds trivially.
	for len(as) > 0 && as[0].Seq == 0 {
		as = as[1:]
	}
	v.anchors = as
	return v
}

// Check verifies the next entry. It returns nil if the entry is the correct
// continuation of the entries checked so far, and otherwise a *ChainError
// naming the first bad entry (or the error of NewVerifier's anchors).
func (v *Verifier) Check(e Entry) error {
	if v.err != nil {
		return v.err
	}
	if err := v.check(e); err != nil {
		v.err = err
		return err
	}
	v.head = Head{Seq: e.Seq, Hash: e.Hash}
	v.count++
	return nil
}

func (v *Verifier) check(e Entry) error {
	last := v.head.Seq
	switch want := last + 1; {
	case e.Seq < 1:
		return &ChainError{Seq: e.Seq, Check: CheckSeq, Reason: fmt.Sprintf(
			"the entry after seq %d has seq %d; seqs start at 1", last, e.Seq)}
	case e.Seq > want:
		missing := "entry " + strconv.FormatInt(want, 10)
		if e.Seq-want > 1 {
			missing = fmt.Sprintf("entries %d to %d", want, e.Seq-1)
		}
		found := fmt.Sprintf("seq %d is followed by seq %d", last, e.Seq)
		if last == 0 {
			found = fmt.Sprintf("the trail starts at seq %d", e.Seq)
		}
		return &ChainError{Seq: want, Check: CheckSeq, Reason: fmt.Sprintf(
			"missing: %s (%s removed, or entries out of order)", found, missing)}
	case e.Seq == last && last > 0:
		return &ChainError{Seq: e.Seq, Check: CheckSeq, Reason: "appears twice (an entry was inserted)"}
	case e.Seq < want:
		return &ChainError{Seq: e.Seq, Check: CheckSeq, Reason: fmt.Sprintf(
			"out of order: comes after seq %d (entries reordered or renumbered)", last)}
	}
	if !isHash(e.PrevHash) {
		return &ChainError{Seq: e.Seq, Check: CheckFormat, Reason: "prev hash is not 64 lower-case hex digits"}
	}
	if !isHash(e.Hash) {
		return &ChainError{Seq: e.Seq, Check: CheckFormat, Reason: "hash is not 64 lower-case hex digits"}
	}
	if h := hexHash(e.PrevHash, &e); string(h[:]) != e.Hash {
		return &ChainError{Seq: e.Seq, Check: CheckHash, Reason: "content does not match the hash (the entry or its hash was altered)"}
	}
	if e.PrevHash != v.head.Hash {
		reason := fmt.Sprintf("prev hash is not the hash of seq %d (this entry was inserted, or seq %d was altered and re-hashed)", last, last)
		if last == 0 {
			reason = "prev hash of the first entry is not the genesis hash (entries before it were removed, or it was forged)"
		}
		return &ChainError{Seq: e.Seq, Check: CheckPrev, Reason: reason}
	}
	if v.next < len(v.anchors) && v.anchors[v.next].Seq == e.Seq {
		if v.anchors[v.next].Hash != e.Hash {
			return &ChainError{Seq: e.Seq, Check: CheckAnchor, Reason: "hash differs from the anchor recorded for it (the trail was rewritten up to here)"}
		}
		v.next++
	}
	return nil
}

// Done ends verification. It returns the Result for the entries that
// passed and the first failure: the error Check returned, or a
// *ChainError (CheckAnchor) if an anchor lies beyond the last entry, which
// means entries were removed from the end.
func (v *Verifier) Done() (Result, error) {
	if v.err == nil && v.next < len(v.anchors) {
		v.err = truncated(v.head.Seq, v.anchors[len(v.anchors)-1].Seq, "an anchor")
	}
	return Result{Count: v.count, Head: v.head}, v.err
}

// Verify checks a whole trail. entries must yield every entry in Seq order
// (ORDER BY seq), or stop with a non-nil error, which Verify returns as is.
// expectHead, if not nil, is an anchor (see NewVerifier): the trail must
// contain that entry with that hash, which detects a truncated tail and a
// trail rewritten up to it. Verify stops at the first bad entry and returns
// a *ChainError naming it, with the Result of the entries before it.
//
// A store that keeps the head in its own table also checks
// Result.EndsAt(storedHead) after a successful Verify.
func Verify(entries iter.Seq2[Entry, error], expectHead *Head) (Result, error) {
	var v *Verifier
	if expectHead != nil {
		v = NewVerifier(*expectHead)
	} else {
		v = NewVerifier()
	}
	for e, err := range entries {
		if err != nil {
			return Result{Count: v.count, Head: v.head}, err
		}
		if err := v.Check(e); err != nil {
			break
		}
	}
	return v.Done()
}
