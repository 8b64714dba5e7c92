package derrors

import (
	"errors"
	"fmt"
	"testing"
)

func TestWrapKeepsKind(t *testing.T) {
	f := func() (err error) {
		defer Wrap(&err, "store.Area(%q)", "XXX")
		return Kindf(NotFound, "no country or area with code %q", "XXX")
	}
	err := f()
	if !errors.Is(err, NotFound) || Kind(err) != NotFound {
		t.Fatalf("kind lost: %v", err)
	}
	if got := err.Error(); got != `store.Area("XXX"): no country or area with code "XXX"` {
		t.Errorf("Error() = %q", got)
	}
	if got := Message(err); got != `no country or area with code "XXX"` {
		t.Errorf("Message() = %q, want the message without the log context", got)
	}
	var nilErr error
	Wrap(&nilErr, "x")
	if nilErr != nil {
		t.Errorf("Wrap made a nil error non-nil")
	}
	if Kind(errors.New("x")) != nil || Message(fmt.Errorf("plain")) != "plain" {
		t.Errorf("unclassified errors misreported")
	}
}
