package crypt

import (
	"errors"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Errors of Decrypt and friends. Each wraps [derrors.Invalid], so
// errors.Is(err, derrors.Invalid) holds for all three, and errors.Is with the
// specific error tells which problem it was. The returned errors add detail
// (which key id, how many bytes) around them.
var (
	// ErrMalformed: the value is not an envelope this package wrote (bad
	// version byte, truncated, bad key id, missing "enc1:" prefix, bad base64).
	ErrMalformed = derrors.Kindf(derrors.Invalid, "crypt: malformed encrypted value")
	// ErrUnknownKey: the value names a key id the keyring does not hold
	// (a retired key, or the wrong key file).
	ErrUnknownKey = derrors.Kindf(derrors.Invalid, "crypt: unknown key id")
	// ErrAuthentication: AES-GCM authentication failed: the value was
	// altered, or it is decrypted with a different AAD (another table, column
	// or row) than it was encrypted with, or the key under its id is not the
	// one it was encrypted with. GCM cannot tell these apart.
	ErrAuthentication = derrors.Kindf(derrors.Invalid, "crypt: authentication failed")
)

// ErrNoKey is returned when encryption is asked of a nil *Keyring: personal
// data is never stored in plaintext for want of a key. It is an internal
// (configuration) error, not a caller's mistake, so it wraps no kind.
var ErrNoKey = errors.New("crypt: no encryption key configured (set --key-file or CORRIDOR_KEY)")
