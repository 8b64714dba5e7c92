package audit

import (
	"fmt"
	"iter"
	"time"
)

var t0 = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

// entryN returns an unchained, valid entry whose fields all depend on i, so
// that no two entries of a test trail are alike.
func entryN(i int) Entry {
	actions := []string{ActionRead, ActionCreate, ActionUpdate, ActionDelete, ActionExport, ActionSignIn, ActionSignInFailed, ActionSignOut, ActionTokenCreate}
	outcomes := []string{OutcomeOK, OutcomeAllowed, OutcomeDenied, OutcomeFailed}
	resources := []string{"cases", "users", "orgs", "workers", "audit"}
	return Entry{
		Time:       t0.Add(time.Duration(i) * 1500 * time.Microsecond),
		ActorID:    int64(i%7 + 1),
		ActorName:  fmt.Sprintf("user%d", i%7+1),
		OrgID:      int64(i%3 + 1),
		Action:     actions[i%len(actions)],
		Resource:   resources[i%len(resources)],
		RecordID:   fmt.Sprintf("R-%d", i),
		Outcome:    outcomes[i%len(outcomes)],
		ClientAddr: fmt.Sprintf("192.0.2.%d", i%250+1),
		Detail:     fmt.Sprintf("detail %d", i),
	}
}

// buildChain returns a valid trail of n entries, Seq 1..n.
func buildChain(n int) []Entry {
	out := make([]Entry, 0, n)
	var h Head
	for i := range n {
		e := h.Next(entryN(i))
		out = append(out, e)
		h = e.Head()
	}
	return out
}

// all yields the entries as a store's row iterator would.
func all(entries []Entry) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		for _, e := range entries {
			if !yield(e, nil) {
				return
			}
		}
	}
}
