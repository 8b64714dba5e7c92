package crypt

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// Envelope layout constants; see the package documentation.
const (
	envelopeVersion = 0x01
	nonceSize       = 12
	tagSize         = 16
	// TextPrefix starts every value of EncryptString: "enc1:" + base64url.
	TextPrefix = "enc1:"
)

// AAD returns the additional authenticated data that binds a value to the
// place it is stored: "table.column#id", e.g. AAD("persons", "name", "123")
// is "persons.name#123". Pass the same AAD to Encrypt and Decrypt: a value
// copied to another row or column then fails to decrypt. The row id must be
// known before the value is encrypted (generate it, or use a natural key),
// and must never change afterwards.
//
// The encoding is unambiguous: "%", "." and "#" in table, and "%" and "#" in
// column, are percent-escaped (real table and column names never contain
// them), so different (table, column, id) triples never give the same AAD.
func AAD(table, column, id string) []byte {
	b := make([]byte, 0, len(table)+len(column)+len(id)+2)
	b = appendEscaped(b, table, ".#")
	b = append(b, '.')
	b = appendEscaped(b, column, "#")
	b = append(b, '#')
	return append(b, id...)
}

func appendEscaped(b []byte, s, special string) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' || strings.IndexByte(special, c) >= 0 {
			b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
			continue
		}
		b = append(b, c)
	}
	return b
}

// Encrypt encrypts plaintext under the active key with AES-256-GCM and a
// random nonce, bound to aad (see [AAD]), and returns the envelope described
// in the package documentation. An empty plaintext gives a full envelope.
// The only error is [ErrNoKey] for a nil keyring.
func (k *Keyring) Encrypt(plaintext, aad []byte) ([]byte, error) {
	if k == nil {
		return nil, ErrNoKey
	}
	id := k.active
	hdr := 2 + len(id)
	out := make([]byte, hdr+nonceSize, hdr+nonceSize+len(plaintext)+tagSize)
	out[0] = envelopeVersion
	out[1] = byte(len(id))
	copy(out[2:], id)
	nonce := out[hdr : hdr+nonceSize]
	rand.Read(nonce) // never fails (crashes the program instead)
	return k.keys[id].aead.Seal(out, nonce, plaintext, additionalData(out[:hdr], aad)), nil
}

// Decrypt opens an envelope written by Encrypt with the same aad. It never
// panics on arbitrary input. Errors wrap [derrors.Invalid] and one of
// [ErrMalformed], [ErrUnknownKey] or [ErrAuthentication], saying which. An
// empty plaintext comes back as an empty, non-nil slice.
func (k *Keyring) Decrypt(envelope, aad []byte) ([]byte, error) {
	if k == nil {
		return nil, ErrNoKey
	}
	e, err := parseEnvelope(envelope)
	if err != nil {
		return nil, err
	}
	dk, ok := k.keys[e.keyID]
	if !ok {
		return nil, fmt.Errorf("%w: the value is under key id %q, which is not in the keyring (%s): retired, or not the key file it was written with",
			ErrUnknownKey, e.keyID, strings.Join(k.KeyIDs(), ", "))
	}
	pt, err := dk.aead.Open(nil, e.nonce, e.ciphertext, additionalData(e.header, aad))
	if err != nil {
		return nil, fmt.Errorf("%w under key id %q: the value was altered, or its AAD (table, column, row) differs from the one it was written with, or the key file holds a different key under that id",
			ErrAuthentication, e.keyID)
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, nil
}

// additionalData is the GCM additional data: the envelope header, then the
// caller's AAD. The header is length-prefixed, so the split is unambiguous.
func additionalData(header, aad []byte) []byte {
	if len(aad) == 0 {
		return header
	}
	ad := make([]byte, 0, len(header)+len(aad))
	return append(append(ad, header...), aad...)
}

type envelopeParts struct {
	keyID      string
	header     []byte // version, key id length, key id
	nonce      []byte
	ciphertext []byte // with the tag
}

func parseEnvelope(b []byte) (envelopeParts, error) {
	if len(b) == 0 {
		return envelopeParts{}, fmt.Errorf("%w: empty", ErrMalformed)
	}
	if b[0] != envelopeVersion {
		return envelopeParts{}, fmt.Errorf("%w: format version %#02x, want %#02x (not a value this package encrypted?)", ErrMalformed, b[0], envelopeVersion)
	}
	if len(b) < 2 {
		return envelopeParts{}, fmt.Errorf("%w: truncated after 1 byte", ErrMalformed)
	}
	n := int(b[1])
	if n == 0 || n > maxKeyIDLen {
		return envelopeParts{}, fmt.Errorf("%w: key id length %d, want 1 to %d", ErrMalformed, n, maxKeyIDLen)
	}
	hdr := 2 + n
	if need := hdr + nonceSize + tagSize; len(b) < need {
		return envelopeParts{}, fmt.Errorf("%w: truncated: %d bytes, at least %d needed", ErrMalformed, len(b), need)
	}
	id := b[2:hdr]
	if !validKeyID(id) {
		return envelopeParts{}, fmt.Errorf("%w: key id %q has characters other than letters, digits, \"-\" and \"_\"", ErrMalformed, id)
	}
	return envelopeParts{
		keyID:      string(id),
		header:     b[:hdr],
		nonce:      b[hdr : hdr+nonceSize],
		ciphertext: b[hdr+nonceSize:],
	}, nil
}

// KeyID returns the id of the key an envelope was encrypted under, without
// decrypting it (and so without authenticating it: Decrypt does that). A
// rotation job uses it to find the values not yet under the active key.
// Errors wrap [ErrMalformed].
func KeyID(envelope []byte) (string, error) {
	e, err := parseEnvelope(envelope)
	if err != nil {
		return "", err
	}
	return e.keyID, nil
}

// Reencrypt returns the envelope re-encrypted under the active key, and
// true; or, if it already is under the active key, the envelope itself and
// false (it is then not decrypted). Errors are those of Decrypt.
func (k *Keyring) Reencrypt(envelope, aad []byte) ([]byte, bool, error) {
	if k == nil {
		return nil, false, ErrNoKey
	}
	id, err := KeyID(envelope)
	if err != nil {
		return nil, false, err
	}
	if id == k.active {
		return envelope, false, nil
	}
	pt, err := k.Decrypt(envelope, aad)
	if err != nil {
		return nil, false, err
	}
	out, err := k.Encrypt(pt, aad)
	clear(pt)
	return out, err == nil, err
}

// EncryptString is Encrypt for TEXT columns: it returns TextPrefix ("enc1:")
// followed by the envelope in unpadded base64url, which is ASCII and safe in
// any SQL text type, URL or JSON string. "" encrypts to a non-empty value.
func (k *Keyring) EncryptString(plaintext string, aad []byte) (string, error) {
	env, err := k.Encrypt([]byte(plaintext), aad)
	if err != nil {
		return "", err
	}
	return encodeText(env), nil
}

func encodeText(env []byte) string {
	b := make([]byte, 0, len(TextPrefix)+base64.RawURLEncoding.EncodedLen(len(env)))
	b = append(b, TextPrefix...)
	return string(base64.RawURLEncoding.AppendEncode(b, env))
}

// DecryptString reverses EncryptString. A value without the "enc1:" prefix —
// plaintext left in an encrypted column, say — is an [ErrMalformed] error,
// never returned as if it had been decrypted.
func (k *Keyring) DecryptString(value string, aad []byte) (string, error) {
	if k == nil {
		return "", ErrNoKey
	}
	env, err := decodeText(value)
	if err != nil {
		return "", err
	}
	pt, err := k.Decrypt(env, aad)
	if err != nil {
		return "", err
	}
	return string(pt), nil
}

func decodeText(value string) ([]byte, error) {
	rest, ok := strings.CutPrefix(value, TextPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: text value does not start with %q (plaintext in an encrypted column?)", ErrMalformed, TextPrefix)
	}
	env, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return nil, fmt.Errorf("%w: text value is not unpadded base64url after %q: %v", ErrMalformed, TextPrefix, err)
	}
	return env, nil
}

// IsEncryptedString reports whether value looks like an EncryptString
// result (it has the "enc1:" prefix). It does not authenticate it; use it to
// find plaintext left over in a column being migrated to encryption.
func IsEncryptedString(value string) bool { return strings.HasPrefix(value, TextPrefix) }

// KeyIDString is KeyID for a value of EncryptString.
func KeyIDString(value string) (string, error) {
	env, err := decodeText(value)
	if err != nil {
		return "", err
	}
	return KeyID(env)
}

// ReencryptString is Reencrypt for a value of EncryptString.
func (k *Keyring) ReencryptString(value string, aad []byte) (string, bool, error) {
	if k == nil {
		return "", false, ErrNoKey
	}
	env, err := decodeText(value)
	if err != nil {
		return "", false, err
	}
	out, changed, err := k.Reencrypt(env, aad)
	if err != nil {
		return "", false, err
	}
	if !changed {
		return value, false, nil
	}
	return encodeText(out), true, nil
}
