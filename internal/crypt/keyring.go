package crypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// KeySize is the size in bytes of every key: AES-256 data keys, the blind
// index key and the single key CORRIDOR_KEY may hold.
const KeySize = 32

// keyFileVersion is the only key file version this package reads and writes.
const keyFileVersion = 1

// maxKeyIDLen bounds a key id; it must fit the envelope's one-byte length.
const maxKeyIDLen = 32

// HKDF info strings for the single-key form of CORRIDOR_KEY. Changing them
// changes every derived key: never do.
const (
	infoDataKey     = "corridor/crypt v1 data key"
	infoIndexKey    = "corridor/crypt v1 blind index key"
	infoKeyID       = "corridor/crypt v1 key id"
	infoFingerprint = "corridor/crypt v1 index fingerprint"
)

// Keyring holds the data keys (one of them active) and the blind index key.
// It is immutable once built and safe for concurrent use. Its String, Format
// and LogValue methods show key ids only, never key material.
//
// A nil *Keyring is "no key configured": Encrypt and Decrypt return
// [ErrNoKey], BlindIndex panics.
type Keyring struct {
	active string
	keys   map[string]*dataKey
	index  []byte
	macs   sync.Pool // of hash.Hash: HMAC-SHA256 under index, keyed once
}

type dataKey struct {
	raw  []byte
	aead cipher.AEAD
}

// Source gives the keyring to use now. Both *Keyring (always itself) and
// *Reloader (the latest key file) implement it, so the store can take a
// Source and not care whether keys are static or reloaded.
type Source interface {
	Current() *Keyring
}

// Current returns k itself, making a *Keyring a [Source].
func (k *Keyring) Current() *Keyring { return k }

// keyFile is the JSON shape of a key file; see the package documentation.
type keyFile struct {
	Version int               `json:"version"`
	Active  string            `json:"active"`
	Keys    map[string]string `json:"keys"`
	Index   string            `json:"index"`
}

// GenerateKeyFile returns the content of a new key file: one fresh data key,
// active, and a fresh blind index key. Write it with [WriteKeyFile].
func GenerateKeyFile() ([]byte, error) {
	id := nextKeyID(time.Now(), nil)
	k, err := newKeyring(id, map[string][]byte{id: randomKey()}, randomKey())
	if err != nil {
		return nil, err
	}
	return k.marshal()
}

// ParseKeyring parses key file content. Every error wraps [derrors.Invalid]
// and names the problem: bad JSON, unsupported version, a key that is not
// base64 or not 32 bytes, an active id that is not among the keys, a missing
// index key. Messages never contain key material.
func ParseKeyring(data []byte) (*Keyring, error) {
	k, err := parseKeyFile(data)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	return k, nil
}

// FromEnv builds a keyring from the value of CORRIDOR_KEY, which is either
//
//   - the JSON content of a key file (it starts with "{"), or
//   - one base64-encoded 32-byte key (e.g. the output of
//     `openssl rand -base64 32`). HKDF-SHA256 (no salt) derives from it a data
//     key (info "corridor/crypt v1 data key") and a separate blind index key
//     (info "corridor/crypt v1 blind index key"). The key id is "e" followed
//     by 10 hex characters of a third HKDF output (info "corridor/crypt v1
//     key id"): stable for a given key, different for different keys, and
//     revealing nothing about the key.
//
// The single-key form has one data key. To rotate, call [Keyring.Rotate]: it
// returns a key file holding the derived key (same id, so existing values
// stay readable) plus the new one; switch to --key-file from then on.
func FromEnv(value string) (*Keyring, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return nil, derrors.Kindf(derrors.Invalid, "CORRIDOR_KEY is empty")
	}
	if strings.HasPrefix(v, "{") {
		k, err := parseKeyFile([]byte(v))
		if err != nil {
			return nil, fmt.Errorf("CORRIDOR_KEY: %w", err)
		}
		return k, nil
	}
	master, err := decodeKey(v)
	if err != nil {
		return nil, derrors.Kindf(derrors.Invalid,
			"CORRIDOR_KEY: neither key file JSON nor a base64 256-bit key: %v (generate one with: openssl rand -base64 32)", err)
	}
	if isZero(master) {
		return nil, derrors.Kindf(derrors.Invalid, "CORRIDOR_KEY: the key is all zero bytes (a placeholder?)")
	}
	return deriveKeyring(master)
}

// deriveKeyring expands one master key into a keyring (see FromEnv).
func deriveKeyring(master []byte) (*Keyring, error) {
	dk, err := hkdf.Key(sha256.New, master, nil, infoDataKey, KeySize)
	if err != nil {
		return nil, err
	}
	ik, err := hkdf.Key(sha256.New, master, nil, infoIndexKey, KeySize)
	if err != nil {
		return nil, err
	}
	idb, err := hkdf.Key(sha256.New, master, nil, infoKeyID, 5)
	if err != nil {
		return nil, err
	}
	id := "e" + hex.EncodeToString(idb)
	return newKeyring(id, map[string][]byte{id: dk}, ik)
}

// parseKeyFile parses and validates key file JSON. Its errors carry no
// "key file" prefix; the callers add where the content came from.
func parseKeyFile(data []byte) (*Keyring, error) {
	var f keyFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, derrors.Kindf(derrors.Invalid, "invalid JSON: unexpected data after the object at byte %d", dec.InputOffset())
	}

	switch {
	case f.Version == 0:
		return nil, derrors.Kindf(derrors.Invalid, `missing "version" (want %d)`, keyFileVersion)
	case f.Version != keyFileVersion:
		return nil, derrors.Kindf(derrors.Invalid, `"version" is %d; this build reads version %d`, f.Version, keyFileVersion)
	case len(f.Keys) == 0:
		return nil, derrors.Kindf(derrors.Invalid, `no data keys in "keys"`)
	}

	raw := make(map[string][]byte, len(f.Keys))
	for _, id := range slices.Sorted(maps.Keys(f.Keys)) {
		if err := checkKeyID(id); err != nil {
			return nil, err
		}
		b, err := decodeKey(f.Keys[id])
		if err != nil {
			return nil, derrors.Kindf(derrors.Invalid, "key %q: %v", id, err)
		}
		if isZero(b) {
			return nil, derrors.Kindf(derrors.Invalid, "key %q is all zero bytes (a placeholder?)", id)
		}
		for other, ob := range raw {
			if hmac.Equal(b, ob) {
				return nil, derrors.Kindf(derrors.Invalid, "keys %q and %q are the same key", other, id)
			}
		}
		raw[id] = b
	}

	if f.Active == "" {
		return nil, derrors.Kindf(derrors.Invalid, `missing "active" (the id of the key new values are encrypted under)`)
	}
	if _, ok := raw[f.Active]; !ok {
		return nil, derrors.Kindf(derrors.Invalid, "active key id %q is not among the keys (%s)",
			f.Active, strings.Join(slices.Sorted(maps.Keys(raw)), ", "))
	}

	if f.Index == "" {
		return nil, derrors.Kindf(derrors.Invalid, `missing "index" (the blind index key, kept across data key rotations)`)
	}
	index, err := decodeKey(f.Index)
	if err != nil {
		return nil, derrors.Kindf(derrors.Invalid, "index key: %v", err)
	}
	if isZero(index) {
		return nil, derrors.Kindf(derrors.Invalid, "index key is all zero bytes (a placeholder?)")
	}
	for id, b := range raw {
		if hmac.Equal(b, index) {
			return nil, derrors.Kindf(derrors.Invalid, "index key must differ from data key %q", id)
		}
	}
	return newKeyring(f.Active, raw, index)
}

// jsonError turns a decoding error into an Invalid error naming the place.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return derrors.Kindf(derrors.Invalid, "empty (want a JSON object)")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return derrors.Kindf(derrors.Invalid, "invalid JSON: unexpected end of input")
	case errors.As(err, &syn):
		return derrors.Kindf(derrors.Invalid, "invalid JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return derrors.Kindf(derrors.Invalid, "invalid JSON: want an object, not %s", typ.Value)
		}
		if field == "keys" && typ.Type.Kind() == reflect.String {
			return derrors.Kindf(derrors.Invalid, `invalid JSON: each key in "keys" must be a base64 string, not %s`, typ.Value)
		}
		return derrors.Kindf(derrors.Invalid, "invalid JSON: field %q must be %s, not %s", field, jsonType(typ.Type.String()), typ.Value)
	default:
		// e.g. `json: unknown field "foo"`.
		return derrors.Kindf(derrors.Invalid, "invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
}

func jsonType(goType string) string {
	switch goType {
	case "int":
		return "a number"
	case "string":
		return "a string"
	default:
		return "an object"
	}
}

// checkKeyID reports whether id is a valid key id.
func checkKeyID(id string) error {
	if !validKeyID(id) {
		return derrors.Kindf(derrors.Invalid, `key id %q: must be 1 to %d letters, digits, "-" or "_"`, id, maxKeyIDLen)
	}
	return nil
}

func validKeyID[S string | []byte](id S) bool {
	if len(id) == 0 || len(id) > maxKeyIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// decodeKey decodes a base64 key in any of the four RFC 4648 variants and
// checks its length. Errors say why without echoing the input.
func decodeKey(s string) ([]byte, error) {
	var b []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("not valid base64 (%v)", err)
	}
	if len(b) != KeySize {
		return nil, fmt.Errorf("decodes to %d bytes, want %d (a 256-bit key)", len(b), KeySize)
	}
	return b, nil
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func randomKey() []byte {
	b := make([]byte, KeySize)
	rand.Read(b) // never fails (crashes the program instead)
	return b
}

// newKeyring builds a keyring; raw and index are owned by it from now on.
func newKeyring(active string, raw map[string][]byte, index []byte) (*Keyring, error) {
	k := &Keyring{active: active, keys: make(map[string]*dataKey, len(raw)), index: index}
	for id, b := range raw {
		block, err := aes.NewCipher(b)
		if err != nil {
			return nil, fmt.Errorf("crypt: key %q: %w", id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("crypt: key %q: %w", id, err)
		}
		k.keys[id] = &dataKey{raw: b, aead: aead}
	}
	return k, nil
}

// nextKeyID returns "k" + the UTC date of now + the first of a, b, …, z, aa,
// ab, … that is not taken.
func nextKeyID(now time.Time, taken map[string]*dataKey) string {
	base := "k" + now.UTC().Format("20060102")
	for i := 0; ; i++ {
		id := base + letters(i)
		if _, ok := taken[id]; !ok {
			return id
		}
	}
}

// letters is bijective base 26: 0 → "a", 25 → "z", 26 → "aa".
func letters(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append(b, byte('a'+(i-1)%26))
	}
	slices.Reverse(b)
	return string(b)
}

// marshal returns k as key file content.
func (k *Keyring) marshal() ([]byte, error) {
	f := keyFile{
		Version: keyFileVersion,
		Active:  k.active,
		Keys:    make(map[string]string, len(k.keys)),
		Index:   base64.StdEncoding.EncodeToString(k.index),
	}
	for id, dk := range k.keys {
		f.Keys[id] = base64.StdEncoding.EncodeToString(dk.raw)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Rotate returns the content of a new key file: the keys of k plus a fresh
// data key, which is active; the blind index key is unchanged. k itself is
// not modified: write the content with [WriteKeyFile] (a [Reloader] picks it
// up) or parse it with [ParseKeyring].
func (k *Keyring) Rotate() (newFileContent []byte, newKeyID string, err error) {
	if k == nil {
		return nil, "", ErrNoKey
	}
	raw := make(map[string][]byte, len(k.keys)+1)
	for id, dk := range k.keys {
		raw[id] = dk.raw
	}
	id := nextKeyID(time.Now(), k.keys)
	raw[id] = randomKey()
	nk, err := newKeyring(id, raw, k.index)
	if err != nil {
		return nil, "", err
	}
	content, err := nk.marshal()
	if err != nil {
		return nil, "", err
	}
	return content, id, nil
}

// Retire returns the content of a new key file without the data key keyID.
// Values still encrypted under it become unreadable ([ErrUnknownKey]), so
// retire a key only once [KeyID] finds no row under it. The active key
// cannot be retired (an error wrapping [derrors.Invalid]); an unknown id is
// an error wrapping [derrors.NotFound]. k itself is not modified.
func (k *Keyring) Retire(keyID string) ([]byte, error) {
	if k == nil {
		return nil, ErrNoKey
	}
	if _, ok := k.keys[keyID]; !ok {
		return nil, derrors.Kindf(derrors.NotFound, "key id %q is not in the keyring (%s)", keyID, strings.Join(k.KeyIDs(), ", "))
	}
	if keyID == k.active {
		return nil, derrors.Kindf(derrors.Invalid, "key id %q is the active key and cannot be retired; rotate first", keyID)
	}
	raw := make(map[string][]byte, len(k.keys)-1)
	for id, dk := range k.keys {
		if id != keyID {
			raw[id] = dk.raw
		}
	}
	nk, err := newKeyring(k.active, raw, k.index)
	if err != nil {
		return nil, err
	}
	return nk.marshal()
}

// ActiveKeyID returns the id of the key new values are encrypted under.
func (k *Keyring) ActiveKeyID() string {
	if k == nil {
		return ""
	}
	return k.active
}

// KeyIDs returns the ids of all data keys, sorted.
func (k *Keyring) KeyIDs() []string {
	if k == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(k.keys))
}

// HasKey reports whether the keyring holds the data key keyID.
func (k *Keyring) HasKey(keyID string) bool {
	if k == nil {
		return false
	}
	_, ok := k.keys[keyID]
	return ok
}

// IndexFingerprint identifies the blind index key without revealing it: 16
// hex characters of an HMAC under it. Store it beside the data and compare at
// start-up: a different fingerprint means the key file is not the one the
// indexes were computed with, and every blind index lookup would silently
// find nothing.
func (k *Keyring) IndexFingerprint() string {
	if k == nil {
		return ""
	}
	m := hmac.New(sha256.New, k.index)
	m.Write([]byte(infoFingerprint))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// sameIndexKey reports whether k and o use the same blind index key.
func (k *Keyring) sameIndexKey(o *Keyring) bool {
	return hmac.Equal(k.index, o.index)
}

// String describes the keyring by key ids only.
func (k *Keyring) String() string {
	if k == nil {
		return "crypt.Keyring(none)"
	}
	return fmt.Sprintf("crypt.Keyring{active: %s, keys: [%s]}", k.active, strings.Join(k.KeyIDs(), " "))
}

// Format makes every fmt verb (%v, %+v, %#v, %x, %d, …) print String, so
// that key bytes can never reach a log through fmt.
func (k *Keyring) Format(f fmt.State, _ rune) { io.WriteString(f, k.String()) }

// LogValue shows key ids only in log/slog output.
func (k *Keyring) LogValue() slog.Value {
	if k == nil {
		return slog.StringValue("none")
	}
	return slog.GroupValue(
		slog.String("active", k.active),
		slog.Any("keys", k.KeyIDs()),
		slog.String("index", k.IndexFingerprint()),
	)
}
