package crypt_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/crypt"
)

func TestRoundTrip(t *testing.T) {
	k := newKeyring(t)
	big := make([]byte, 1<<20)
	rand.Read(big)
	aad := crypt.AAD("persons", "name", "7f3c")
	for _, tc := range []struct {
		name      string
		plaintext []byte
	}{
		{"empty", []byte{}},
		{"ASCII", []byte("John Smith")},
		{"Latin accents", []byte("José Pérez Núñez")},
		{"Arabic", []byte("محمد عبد الله")},
		{"Amharic", []byte("አበበ ቢቂላ")},
		{"Vietnamese", []byte("Nguyễn Thị Minh Khai")},
		{"Chinese", []byte("王秀英")},
		{"emoji and NUL", []byte("a\x00b 👩🏽‍⚕️")},
		{"binary", []byte{0, 1, 2, 0xff, 0xfe}},
		{"1 MiB", big},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, err := k.Encrypt(tc.plaintext, aad)
			if err != nil {
				t.Fatal(err)
			}
			id := k.ActiveKeyID()
			if want := 2 + len(id) + 12 + len(tc.plaintext) + 16; len(env) != want {
				t.Errorf("envelope is %d bytes, want %d", len(env), want)
			}
			if len(tc.plaintext) >= 8 && bytes.Contains(env, tc.plaintext) {
				t.Error("envelope contains the plaintext")
			}
			got, err := k.Decrypt(env, aad)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Error("Decrypt returned nil; want a non-nil slice even for an empty value")
			}
			if !bytes.Equal(got, tc.plaintext) {
				t.Errorf("round trip changed the value (%d bytes in, %d out)", len(tc.plaintext), len(got))
			}

			s, err := k.EncryptString(string(tc.plaintext), aad)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(s, "enc1:") || !crypt.IsEncryptedString(s) {
				t.Errorf("EncryptString = %.20q…, want the enc1: prefix", s)
			}
			for _, c := range []byte(s) {
				if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == ':') {
					t.Fatalf("EncryptString output has the character %q", c)
				}
			}
			gs, err := k.DecryptString(s, aad)
			if err != nil {
				t.Fatal(err)
			}
			if gs != string(tc.plaintext) {
				t.Error("string round trip changed the value")
			}
		})
	}
}

func TestEnvelopeLayout(t *testing.T) {
	k := mustParse(t, keyJSON("k20261127a", map[string]byte{"k20261127a": 1}, 2))
	env, err := k.Encrypt([]byte("abc"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if env[0] != 0x01 {
		t.Errorf("version byte %#x, want 0x01", env[0])
	}
	if env[1] != 10 || string(env[2:12]) != "k20261127a" {
		t.Errorf("key id field = %d %q", env[1], env[2:12])
	}
	if len(env) != 2+10+12+3+16 {
		t.Errorf("len = %d, want %d", len(env), 2+10+12+3+16)
	}
	if id, err := crypt.KeyID(env); err != nil || id != "k20261127a" {
		t.Errorf("KeyID = %q, %v", id, err)
	}
	// The empty string gives a full (non-NULL) envelope: 40 bytes here.
	empty, _ := k.Encrypt(nil, nil)
	if len(empty) != 40 {
		t.Errorf("empty plaintext gives %d bytes, want 40", len(empty))
	}
	es, _ := k.EncryptString("", nil)
	if es == "" || es == "enc1:" {
		t.Errorf("EncryptString(\"\") = %q, want a full value", es)
	}
	// Same value twice: different nonces, different envelopes.
	again, _ := k.Encrypt([]byte("abc"), nil)
	if bytes.Equal(env[12:24], again[12:24]) || bytes.Equal(env, again) {
		t.Error("two encryptions of the same value share a nonce")
	}
}

func TestTamperDetection(t *testing.T) {
	k := newKeyring(t)
	aad := crypt.AAD("cases", "notes", "1")
	env, err := k.Encrypt([]byte("victim identified at the border"), aad)
	if err != nil {
		t.Fatal(err)
	}
	for i := range env {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(env)
			bad[i] ^= bit
			if pt, err := k.Decrypt(bad, aad); err == nil {
				t.Fatalf("flipping bit %#x of byte %d went unnoticed: %q", bit, i, pt)
			} else {
				wantInvalid(t, err)
			}
		}
	}
	for n := range len(env) {
		_, err := k.Decrypt(env[:n], aad)
		wantInvalid(t, err)
		if !errors.Is(err, crypt.ErrMalformed) && !errors.Is(err, crypt.ErrAuthentication) {
			t.Errorf("truncated to %d bytes: %v", n, err)
		}
	}
	_, err = k.Decrypt(append(bytes.Clone(env), 0), aad)
	if !errors.Is(err, crypt.ErrAuthentication) {
		t.Errorf("appended byte: %v, want ErrAuthentication", err)
	}

	// The specific messages.
	_, err = k.Decrypt(nil, aad)
	wantInvalid(t, err, "malformed", "empty")
	bad := bytes.Clone(env)
	bad[0] = 2
	_, err = k.Decrypt(bad, aad)
	wantInvalid(t, err, "malformed", "format version 0x02")
	bad = bytes.Clone(env)
	bad[len(bad)-1] ^= 1
	_, err = k.Decrypt(bad, aad)
	wantInvalid(t, err, "authentication failed", "altered")
	if !errors.Is(err, crypt.ErrAuthentication) {
		t.Errorf("tampered tag: %v, want ErrAuthentication", err)
	}
	bad = bytes.Clone(env)
	bad[1] = 0
	_, err = k.Decrypt(bad, aad)
	wantInvalid(t, err, "key id length 0")
	bad = bytes.Clone(env)
	bad[2] = ' '
	_, err = k.Decrypt(bad, aad)
	wantInvalid(t, err, "malformed", "key id")
}

func TestWrongAAD(t *testing.T) {
	k := newKeyring(t)
	aad := crypt.AAD("persons", "name", "123")
	env, err := k.Encrypt([]byte("Fatima"), aad)
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range [][]byte{
		crypt.AAD("persons", "name", "124"),  // another row
		crypt.AAD("persons", "alias", "123"), // another column
		crypt.AAD("workers", "name", "123"),  // another table
		crypt.AAD("persons", "name", "123 "), // not the same id
		nil,                                  // none
	} {
		_, err := k.Decrypt(env, other)
		wantInvalid(t, err, "authentication failed", "AAD")
		if !errors.Is(err, crypt.ErrAuthentication) {
			t.Errorf("AAD %q: %v, want ErrAuthentication", other, err)
		}
	}
	s, _ := k.EncryptString("Fatima", aad)
	if _, err := k.DecryptString(s, crypt.AAD("persons", "name", "124")); !errors.Is(err, crypt.ErrAuthentication) {
		t.Errorf("DecryptString with another row's AAD: %v", err)
	}
}

func TestWrongKey(t *testing.T) {
	// Same key id, different key: a key file mix-up.
	a := mustParse(t, keyJSON("k1", map[string]byte{"k1": 1}, 9))
	b := mustParse(t, keyJSON("k1", map[string]byte{"k1": 2}, 9))
	env, err := a.Encrypt([]byte("Fatima"), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Decrypt(env, nil)
	wantInvalid(t, err, "authentication failed", `"k1"`, "different key")
	if !errors.Is(err, crypt.ErrAuthentication) {
		t.Errorf("wrong key: %v, want ErrAuthentication", err)
	}
}

func TestUnknownKeyID(t *testing.T) {
	a := mustParse(t, keyJSON("ka", map[string]byte{"ka": 1}, 9))
	b := mustParse(t, keyJSON("kb", map[string]byte{"kb": 2, "kc": 3}, 9))
	env, _ := a.Encrypt([]byte("Fatima"), nil)
	_, err := b.Decrypt(env, nil)
	wantInvalid(t, err, "unknown key id", `"ka"`, "(kb, kc)")
	if !errors.Is(err, crypt.ErrUnknownKey) {
		t.Errorf("%v is not ErrUnknownKey", err)
	}
}

func TestDecryptStringErrors(t *testing.T) {
	k := newKeyring(t)
	for _, tc := range []struct {
		name, value string
		want        []string
	}{
		{"plaintext", "Fatima", []string{"malformed", `does not start with "enc1:"`, "plaintext"}},
		{"empty", "", []string{`does not start with "enc1:"`}},
		{"bad base64", "enc1:***", []string{"not unpadded base64url"}},
		{"padded base64", "enc1:" + base64.URLEncoding.EncodeToString([]byte{1, 2, 3, 4}), []string{"not unpadded base64url"}},
		{"prefix only", "enc1:", []string{"malformed", "empty"}},
		{"short", "enc1:AQJrMQ", []string{"truncated"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := k.DecryptString(tc.value, nil)
			wantInvalid(t, err, tc.want...)
			if !errors.Is(err, crypt.ErrMalformed) {
				t.Errorf("%v is not ErrMalformed", err)
			}
			if _, err := crypt.KeyIDString(tc.value); !errors.Is(err, crypt.ErrMalformed) {
				t.Errorf("KeyIDString: %v, want ErrMalformed", err)
			}
		})
	}
	if _, err := crypt.KeyID([]byte("plain")); !errors.Is(err, crypt.ErrMalformed) {
		t.Errorf("KeyID(plaintext) = %v, want ErrMalformed", err)
	}
}

func TestAAD(t *testing.T) {
	for _, tc := range []struct {
		table, column, id, want string
	}{
		{"persons", "name", "123", "persons.name#123"},
		{"cases", "notes", "", "cases.notes#"},
		{"a.b", "c", "1", "a%2Eb.c#1"},
		{"a", "b.c", "1", "a.b.c#1"},
		{"a", "b#c", "1", "a.b%23c#1"},
		{"a%", "b", "1#2", "a%25.b#1#2"},
	} {
		if got := string(crypt.AAD(tc.table, tc.column, tc.id)); got != tc.want {
			t.Errorf("AAD(%q, %q, %q) = %q, want %q", tc.table, tc.column, tc.id, got, tc.want)
		}
	}
	// Triples that a naive join would confuse stay distinct.
	seen := map[string][3]string{}
	for _, tr := range [][3]string{
		{"a.b", "c", "1"}, {"a", "b.c", "1"}, {"a", "b#c", "1"}, {"a", "b", "c#1"},
		{"a%2Eb", "c", "1"}, {"a", "b%23c", "1"}, {"", ".", ""}, {".", "", ""},
	} {
		s := string(crypt.AAD(tr[0], tr[1], tr[2]))
		if prev, dup := seen[s]; dup {
			t.Errorf("AAD%q = AAD%q = %q", tr, prev, s)
		}
		seen[s] = tr
	}
}
