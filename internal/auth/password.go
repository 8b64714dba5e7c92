package auth

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Password rules (OWASP ASVS 2.1): at least 12 characters, at most 256,
// any characters, not a common password, not the username.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1
// lane) — a deliberate balance between resisting offline guessing and
// signing in quickly on a 2-core server.
type ArgonParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
	SaltLen int
}

// DefaultArgon are the parameters new hashes use.
var DefaultArgon = ArgonParams{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

//go:embed common-passwords.txt
var commonPasswordsFile []byte

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 50000)
	sc := bufio.NewScanner(bytes.NewReader(commonPasswordsFile))
	for sc.Scan() {
		set[strings.ToLower(sc.Text())] = struct{}{}
	}
	return set
})

// IsCommonPassword reports whether a password is on the shipped list of
// common passwords (49,233 entries from zxcvbn-ts, case-insensitive).
func IsCommonPassword(pw string) bool {
	_, ok := commonPasswords()[strings.ToLower(pw)]
	return ok
}

// ValidatePassword checks a new password; the error names the field
// "password" and says what is wrong, never echoing the password.
func ValidatePassword(pw, username string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return derrors.Kindf(derrors.Invalid, "password: must be valid UTF-8 text")
	case n < MinPasswordLength:
		return derrors.Kindf(derrors.Invalid, "password: must have at least %d characters", MinPasswordLength)
	case n > MaxPasswordLength:
		return derrors.Kindf(derrors.Invalid, "password: must have at most %d characters", MaxPasswordLength)
	case IsCommonPassword(pw):
		return derrors.Kindf(derrors.Invalid, "password: is on the list of common passwords; choose another")
	case username != "" && strings.EqualFold(pw, username):
		return derrors.Kindf(derrors.Invalid, "password: must not be the username")
	}
	return nil
}

// HashPassword returns an encoded argon2id hash in the PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(pw string) (string, error) {
	p := DefaultArgon
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches an encoded hash, in constant
// time for the comparison. A malformed hash never matches.
func VerifyPassword(pw, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var p ArgonParams
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false
	}
	if p.Memory > 1<<20 || p.Time > 16 || p.Threads == 0 { // refuse absurd cost from a tampered row
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when a username does not exist, so that
// signing in as an unknown user takes as long as with a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("corridor-timing-equaliser-password")
	return h
})

// VerifyDummy spends the time of one password verification.
func VerifyDummy(pw string) { VerifyPassword(pw, dummyHash()) }
