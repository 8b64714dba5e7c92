package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Session lifetimes (OWASP ASVS 3.3): a session ends after 30 minutes
// without use and 12 hours after sign-in, whichever comes first.
const (
	SessionIdle     = 30 * time.Minute
	SessionAbsolute = 12 * time.Hour
	SessionCookie   = "corridor_session"
)

// NewSecret returns a random 256-bit secret as URL-safe text, with a
// prefix that says what it is (e.g. "crd_" for API tokens), so leaked
// tokens are recognisable by secret scanners.
func NewSecret(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashSecret is how sessions and tokens are stored: only a SHA-256 hash
// (the secrets are random and long, so no slow hash is needed), so a copy
// of the database does not let anyone sign in.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// SessionExpired reports whether a session created at created and last
// seen at lastSeen has expired at now.
func SessionExpired(created, lastSeen, now time.Time) bool {
	return now.Sub(lastSeen) > SessionIdle || now.Sub(created) > SessionAbsolute
}

// TokenPrefix starts every API token.
const TokenPrefix = "crd_"

// LooksLikeToken reports whether a bearer credential has the token shape.
func LooksLikeToken(s string) bool {
	return strings.HasPrefix(s, TokenPrefix) && len(s) == len(TokenPrefix)+43
}

// MaxTokenRequestsPerMinute limits each API token (OWASP ASVS 11.1.4):
// beyond it requests answer 429 until the next minute.
const MaxTokenRequestsPerMinute = 600

// MaxTokenLifetime bounds API token expiry.
const MaxTokenLifetime = 366 * 24 * time.Hour

// DefaultTokenLifetime is the expiry of an API token created without one:
// expiry is optional when creating a token, never absent from a token.
const DefaultTokenLifetime = 90 * 24 * time.Hour

// TokenExpiry is the expiry of a new token: the requested one, or now plus
// DefaultTokenLifetime when none (the zero time) is requested.
func TokenExpiry(requested, now time.Time) time.Time {
	if requested.IsZero() {
		return now.Add(DefaultTokenLifetime).UTC().Truncate(time.Second)
	}
	return requested
}

// ValidateTokenExpiry checks a requested expiry.
func ValidateTokenExpiry(expires, now time.Time) error {
	if !expires.After(now) {
		return derrors.Kindf(derrors.Invalid, "expiresAt: must be in the future")
	}
	if expires.Sub(now) > MaxTokenLifetime {
		return derrors.Kindf(derrors.Invalid, "expiresAt: at most 366 days ahead")
	}
	return nil
}

// Sign-in throttling (OWASP ASVS 2.2.1): after 5 failures for one account
// within 15 minutes the account is locked for 15 minutes; after 20
// failures from one address within 15 minutes that address is refused for
// 15 minutes. Counted in the database, so every server process agrees.
const (
	ThrottleWindow      = 15 * time.Minute
	MaxAccountFailures  = 5
	MaxAddressFailures  = 20
	MaxUsernameLength   = 64
	MinUsernameLength   = 3
	MaxDisplayNameBytes = 200
)

// ValidateUsername checks a username: 3–64 characters of letters, digits,
// '.', '-', '_' and '@' (e-mail addresses work as usernames).
func ValidateUsername(u string) error {
	if len(u) < MinUsernameLength || len(u) > MaxUsernameLength {
		return derrors.Kindf(derrors.Invalid, "username: must have %d to %d characters", MinUsernameLength, MaxUsernameLength)
	}
	for _, c := range u {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-_@", c)) {
			return derrors.Kindf(derrors.Invalid, "username: use letters, digits, '.', '-', '_' or '@'")
		}
	}
	return nil
}

// NormalizeUsername is the stored form: lower case.
func NormalizeUsername(u string) string { return strings.ToLower(strings.TrimSpace(u)) }
