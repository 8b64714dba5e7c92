// Package derrors defines the small set of error kinds Corridor uses and the
// helpers to wrap errors with context. Domain and store code return errors
// that wrap one of the kinds below; the web edge maps kinds to HTTP statuses
// in a single table (see internal/web).
package derrors

import (
	"errors"
	"fmt"
)

// The error kinds. Test with errors.Is.
var (
	// NotFound: the thing asked for does not exist (never returned as nil, nil).
	NotFound = errors.New("not found")
	// Invalid: the caller's input is wrong; the message names the field,
	// parameter, row or column.
	Invalid = errors.New("invalid")
	// Conflict: the request contradicts the current state (duplicate key,
	// stale version, import already running).
	Conflict = errors.New("conflict")
	// Unauthenticated: the caller is not signed in or the credentials are wrong.
	Unauthenticated = errors.New("unauthenticated")
	// Forbidden: the caller is signed in but may not do this.
	Forbidden = errors.New("forbidden")
	// TooLarge: a body, file or parameter is over a limit.
	TooLarge = errors.New("too large")
	// TooManyRequests: throttled.
	TooManyRequests = errors.New("too many requests")
	// Unavailable: a dependency (the database) cannot be reached.
	Unavailable = errors.New("unavailable")
)

// Wrap adds context to a non-nil *errp, keeping the chain for errors.Is:
//
//	defer derrors.Wrap(&err, "store.Area(%q)", code)
func Wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}

// Kindf returns an error of the given kind whose message is the formatted
// text only: the kind does not appear in Error(), so messages shown to users
// stay readable ("parameter limit: must be between 1 and 500").
func Kindf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }

// PublicMessage is the message meant for users, without the wrapping
// context added for logs.
func (e *kindError) PublicMessage() string { return e.msg }
func (e *kindError) Unwrap() error         { return e.kind }

// Kind reports which of the kinds err wraps, or nil for an unclassified
// (internal) error.
func Kind(err error) error {
	for _, k := range []error{NotFound, Invalid, Conflict, Unauthenticated, Forbidden, TooLarge, TooManyRequests, Unavailable} {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}

// Public is implemented by errors that carry a message meant for users.
type Public interface{ PublicMessage() string }

// Message returns the user-facing message of err: that of the outermost
// error in the chain that implements Public, else err.Error(). Wrapping
// context ("store.Area(...)") is for logs and is dropped here.
func Message(err error) string {
	var p Public
	if errors.As(err, &p) {
		return p.PublicMessage()
	}
	return err.Error()
}
