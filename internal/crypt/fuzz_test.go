package crypt_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/corridor-platform/corridor/internal/crypt"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// fuzzKeyring is a fixed keyring: fuzz targets must be deterministic.
func fuzzKeyring(t testing.TB) *crypt.Keyring {
	return mustParse(t, keyJSON("k1", map[string]byte{"k1": 1, "k2": 3}, 2))
}

// FuzzDecrypt feeds arbitrary bytes to Decrypt, DecryptString and KeyID:
// they must never panic, and every failure must be an Invalid error.
func FuzzDecrypt(f *testing.F) {
	k := fuzzKeyring(f)
	valid, _ := k.Encrypt([]byte("Amina"), []byte("p.n#1"))
	empty, _ := k.Encrypt(nil, nil)
	for _, seed := range [][]byte{nil, {0}, {1}, {1, 0}, {1, 2, 'k', '1'}, {1, 33}, valid, empty, valid[:len(valid)-1], []byte("enc1:AQJrMQ")} {
		f.Add(seed, []byte("p.n#1"))
	}
	f.Fuzz(func(t *testing.T, env, aad []byte) {
		pt, err := k.Decrypt(env, aad)
		if err == nil {
			// Only a genuine envelope decrypts: the fuzzer cannot forge
			// one, but it replays the seeds (encrypted by whichever
			// process built the corpus, under the same fixed key).
			if s := string(pt); s != "Amina" && s != "" {
				t.Fatalf("forged envelope %x decrypted to %q", env, pt)
			}
		} else if !errors.Is(err, derrors.Invalid) {
			t.Fatalf("Decrypt error %v is not Invalid", err)
		}
		if _, err := k.DecryptString(string(env), aad); err != nil && !errors.Is(err, derrors.Invalid) {
			t.Fatalf("DecryptString error %v is not Invalid", err)
		}
		if id, err := crypt.KeyID(env); err == nil && id == "" {
			t.Fatal("KeyID returned an empty id without error")
		}
	})
}

// FuzzRoundTrip checks Decrypt(Encrypt(x)) == x for arbitrary values and
// AADs, for bytes and strings, and that another AAD fails.
func FuzzRoundTrip(f *testing.F) {
	k := fuzzKeyring(f)
	f.Add([]byte(""), []byte(""))
	f.Add([]byte("José Pérez"), []byte("persons.name#1"))
	f.Add([]byte{0, 0xff, 0xfe}, []byte{0})
	f.Fuzz(func(t *testing.T, pt, aad []byte) {
		env, err := k.Encrypt(pt, aad)
		if err != nil {
			t.Fatal(err)
		}
		got, err := k.Decrypt(env, aad)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("round trip of %q: %q, %v", pt, got, err)
		}
		if _, err := k.Decrypt(env, append(bytes.Clone(aad), 'x')); !errors.Is(err, crypt.ErrAuthentication) {
			t.Fatalf("other AAD: %v", err)
		}
		s, err := k.EncryptString(string(pt), aad)
		if err != nil {
			t.Fatal(err)
		}
		gs, err := k.DecryptString(s, aad)
		if err != nil || gs != string(pt) {
			t.Fatalf("string round trip of %q: %q, %v", pt, gs, err)
		}
	})
}
