package crypt_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/crypt"
	"github.com/corridor-platform/corridor/internal/derrors"
)

func TestGenerateKeyFile(t *testing.T) {
	content, err := crypt.GenerateKeyFile()
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Version int
		Active  string
		Keys    map[string]string
		Index   string
	}
	if err := json.Unmarshal(content, &f); err != nil {
		t.Fatalf("generated content is not JSON: %v\n%s", err, content)
	}
	if f.Version != 1 || len(f.Keys) != 1 || f.Keys[f.Active] == "" || f.Index == "" {
		t.Fatalf("unexpected key file:\n%s", content)
	}
	if !regexp.MustCompile(`^k\d{8}a$`).MatchString(f.Active) {
		t.Errorf("active key id %q, want k<yyyymmdd>a", f.Active)
	}
	k := mustParse(t, string(content))
	if k.ActiveKeyID() != f.Active {
		t.Errorf("ActiveKeyID = %q, want %q", k.ActiveKeyID(), f.Active)
	}
	again, err := crypt.GenerateKeyFile()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(content, again) {
		t.Error("two generated key files are equal")
	}
}

func TestParseKeyringErrors(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	zero := base64.StdEncoding.EncodeToString(make([]byte, 32))
	for _, tc := range []struct {
		name    string
		content string
		want    []string
	}{
		{"empty", ``, []string{"key file: empty"}},
		{"truncated JSON", `{"version": 1,`, []string{"invalid JSON", "unexpected end"}},
		{"syntax error", `{"version": 1 "active": "k1"}`, []string{"invalid JSON at byte"}},
		{"not an object", `["k1"]`, []string{"want an object"}},
		{"version as string", `{"version": "1"}`, []string{`field "version" must be a number`}},
		{"keys as list", `{"version": 1, "keys": ["k1"]}`, []string{`field "keys" must be an object`}},
		{"key as number", `{"version": 1, "keys": {"k1": 5}}`, []string{`each key in "keys" must be a base64 string, not number`}},
		{"unknown field", `{"version": 1, "activ": "k1"}`, []string{`unknown field "activ"`}},
		{"trailing data", keyJSON("k1", map[string]byte{"k1": 1}, 2) + `{}`, []string{"unexpected data after the object"}},
		{"missing version", `{"active": "k1", "keys": {"k1": "` + key(1) + `"}, "index": "` + key(2) + `"}`, []string{`missing "version"`}},
		{"future version", `{"version": 2, "active": "k1", "keys": {"k1": "` + key(1) + `"}, "index": "` + key(2) + `"}`, []string{`"version" is 2`}},
		{"no keys", `{"version": 1, "active": "k1", "keys": {}, "index": "` + key(2) + `"}`, []string{"no data keys"}},
		{"bad key id", keyJSON("k 1", map[string]byte{"k 1": 1}, 2), []string{`key id "k 1"`, "letters, digits"}},
		{"long key id", keyJSON(strings.Repeat("k", 33), map[string]byte{strings.Repeat("k", 33): 1}, 2), []string{"1 to 32"}},
		{"bad base64", `{"version": 1, "active": "k1", "keys": {"k1": "not*base64"}, "index": "` + key(2) + `"}`, []string{`key "k1": not valid base64`}},
		{"short key", `{"version": 1, "active": "k1", "keys": {"k1": "` + short + `"}, "index": "` + key(2) + `"}`, []string{`key "k1": decodes to 16 bytes, want 32`}},
		{"zero key", `{"version": 1, "active": "k1", "keys": {"k1": "` + zero + `"}, "index": "` + key(2) + `"}`, []string{`key "k1" is all zero`}},
		{"duplicate key", keyJSON("k1", map[string]byte{"k1": 1, "k2": 1}, 2), []string{`keys "k1" and "k2" are the same key`}},
		{"missing active", `{"version": 1, "keys": {"k1": "` + key(1) + `"}, "index": "` + key(2) + `"}`, []string{`missing "active"`}},
		{"unknown active", keyJSON("k9", map[string]byte{"k1": 1, "k2": 3}, 2), []string{`active key id "k9" is not among the keys (k1, k2)`}},
		{"missing index", `{"version": 1, "active": "k1", "keys": {"k1": "` + key(1) + `"}}`, []string{`missing "index"`}},
		{"short index", `{"version": 1, "active": "k1", "keys": {"k1": "` + key(1) + `"}, "index": "` + short + `"}`, []string{"index key: decodes to 16 bytes"}},
		{"zero index", `{"version": 1, "active": "k1", "keys": {"k1": "` + key(1) + `"}, "index": "` + zero + `"}`, []string{"index key is all zero"}},
		{"index equals data key", keyJSON("k1", map[string]byte{"k1": 1}, 1), []string{`index key must differ from data key "k1"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := crypt.ParseKeyring([]byte(tc.content))
			if k != nil {
				t.Errorf("got a keyring with the error")
			}
			wantInvalid(t, err, tc.want...)
			// Never echo key material.
			for _, b := range []byte{1, 2, 3} {
				if strings.Contains(fmt.Sprint(err), key(b)) {
					t.Errorf("error %q contains key material", err)
				}
			}
		})
	}
}

func TestParseKeyringLenientBase64(t *testing.T) {
	raw := bytes.Repeat([]byte{0xfb}, 32) // encodes with '+' / '-' and '/' / '_'
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		s := enc.EncodeToString(raw)
		content := `{"version": 1, "active": "k1", "keys": {"k1": "` + s + `"}, "index": "` + key(2) + `"}`
		if _, err := crypt.ParseKeyring([]byte(content)); err != nil {
			t.Errorf("key %q: %v", s, err)
		}
	}
}

func TestLoadKeyring(t *testing.T) {
	content, err := crypt.GenerateKeyFile()
	if err != nil {
		t.Fatal(err)
	}
	path := writeKeyFile(t, content)
	k, err := crypt.LoadKeyring(path)
	if err != nil {
		t.Fatalf("LoadKeyring(0600 file): %v", err)
	}
	if k.ActiveKeyID() == "" {
		t.Fatal("no active key")
	}

	t.Run("missing file", func(t *testing.T) {
		_, err := crypt.LoadKeyring(filepath.Join(t.TempDir(), "nope.key"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("got %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("directory", func(t *testing.T) {
		_, err := crypt.LoadKeyring(t.TempDir(), crypt.AllowInsecurePermissions())
		wantInvalid(t, err, "not a regular file")
	})
	t.Run("bad content names the path", func(t *testing.T) {
		bad := writeKeyFile(t, []byte(`{"version": 1}`))
		_, err := crypt.LoadKeyring(bad)
		wantInvalid(t, err, "key file "+bad+": ", "no data keys")
	})
	t.Run("permissions", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("file modes do not describe access on Windows")
		}
		for _, mode := range []os.FileMode{0o640, 0o604, 0o660, 0o644, 0o666} {
			p := writeKeyFile(t, content)
			if err := os.Chmod(p, mode); err != nil {
				t.Fatal(err)
			}
			_, err := crypt.LoadKeyring(p)
			wantInvalid(t, err, p, fmt.Sprintf("mode %04o", mode), "group or others", "chmod 600")
			if _, err := crypt.LoadKeyring(p, crypt.AllowInsecurePermissions()); err != nil {
				t.Errorf("mode %04o with AllowInsecurePermissions: %v", mode, err)
			}
		}
		p := writeKeyFile(t, content)
		if err := os.Chmod(p, 0o400); err != nil {
			t.Fatal(err)
		}
		if _, err := crypt.LoadKeyring(p); err != nil {
			t.Errorf("mode 0400: %v", err)
		}
	})
}

func TestWriteKeyFile(t *testing.T) {
	content, err := crypt.GenerateKeyFile()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "corridor.key")
	if err := crypt.WriteKeyFile(path, content); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", fi.Mode().Perm())
	}
	if _, err := crypt.LoadKeyring(path); err != nil {
		t.Fatal(err)
	}
	// Invalid content is refused and leaves the file (and the directory) alone.
	err = crypt.WriteKeyFile(path, []byte(`{"version": 1}`))
	wantInvalid(t, err, "no data keys")
	if got, _ := os.ReadFile(path); !bytes.Equal(got, content) {
		t.Error("WriteKeyFile with invalid content changed the file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the key file", len(entries))
	}
}

func TestFromEnv(t *testing.T) {
	t.Run("JSON", func(t *testing.T) {
		content := keyJSON("k1", map[string]byte{"k1": 1, "k0": 3}, 2)
		fromFile := mustParse(t, content)
		fromEnv, err := crypt.FromEnv("  " + content + "\n")
		if err != nil {
			t.Fatal(err)
		}
		env, err := fromEnv.Encrypt([]byte("Ana"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if pt, err := fromFile.Decrypt(env, nil); err != nil || string(pt) != "Ana" {
			t.Fatalf("Decrypt = %q, %v", pt, err)
		}
		if fromEnv.BlindIndex("f", "x") != fromFile.BlindIndex("f", "x") {
			t.Error("blind index differs between FromEnv and ParseKeyring of the same JSON")
		}
	})
	t.Run("JSON error", func(t *testing.T) {
		_, err := crypt.FromEnv(`{"version": 1}`)
		wantInvalid(t, err, "CORRIDOR_KEY: ", "no data keys")
	})
	t.Run("single key", func(t *testing.T) {
		master := bytes.Repeat([]byte{0x5a}, 32)
		a, err := crypt.FromEnv(base64.StdEncoding.EncodeToString(master))
		if err != nil {
			t.Fatal(err)
		}
		// Other base64 spellings of the same key give the same keyring.
		b, err := crypt.FromEnv(base64.RawURLEncoding.EncodeToString(master) + "\n")
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^e[0-9a-f]{10}$`).MatchString(a.ActiveKeyID()) {
			t.Errorf("derived key id %q, want e + 10 hex digits", a.ActiveKeyID())
		}
		if a.ActiveKeyID() != b.ActiveKeyID() {
			t.Errorf("key id not stable: %q vs %q", a.ActiveKeyID(), b.ActiveKeyID())
		}
		if strings.Contains(a.ActiveKeyID(), hex.EncodeToString(master)[:10]) {
			t.Error("key id shows the key")
		}
		env, err := a.Encrypt([]byte("Ana"), []byte("aad"))
		if err != nil {
			t.Fatal(err)
		}
		if pt, err := b.Decrypt(env, []byte("aad")); err != nil || string(pt) != "Ana" {
			t.Fatalf("Decrypt = %q, %v", pt, err)
		}
		if a.BlindIndex("f", "x") != b.BlindIndex("f", "x") {
			t.Error("blind index not stable")
		}
		// The data key and the index key are derived, not the master key
		// itself: an index computed with the master key does not match.
		asJSON := mustParse(t, fmt.Sprintf(`{"version": 1, "active": "m", "keys": {"m": %q}, "index": %q}`,
			base64.StdEncoding.EncodeToString(master), key(9)))
		if _, err := asJSON.Decrypt(env, []byte("aad")); err == nil {
			t.Error("master key decrypts directly: data key not derived")
		}

		other, err := crypt.FromEnv(key(7))
		if err != nil {
			t.Fatal(err)
		}
		if other.ActiveKeyID() == a.ActiveKeyID() {
			t.Error("different keys give the same key id")
		}
		if other.BlindIndex("f", "x") == a.BlindIndex("f", "x") {
			t.Error("different keys give the same blind index")
		}
		if other.IndexFingerprint() == a.IndexFingerprint() {
			t.Error("different keys give the same index fingerprint")
		}
	})
	t.Run("single key rotates into a key file", func(t *testing.T) {
		a, err := crypt.FromEnv(key(0x5a))
		if err != nil {
			t.Fatal(err)
		}
		old, _ := a.EncryptString("Ana", nil)
		content, id, err := a.Rotate()
		if err != nil {
			t.Fatal(err)
		}
		b := mustParse(t, string(content))
		if b.ActiveKeyID() != id || !b.HasKey(a.ActiveKeyID()) {
			t.Fatalf("rotated keyring %v, want active %s and %s kept", b, id, a.ActiveKeyID())
		}
		if pt, err := b.DecryptString(old, nil); err != nil || pt != "Ana" {
			t.Fatalf("DecryptString = %q, %v", pt, err)
		}
		if a.BlindIndex("f", "Ana") != b.BlindIndex("f", "Ana") || a.IndexFingerprint() != b.IndexFingerprint() {
			t.Error("rotation changed the blind index key")
		}
	})
	for _, tc := range []struct {
		name, value string
		want        []string
	}{
		{"empty", "", []string{"CORRIDOR_KEY is empty"}},
		{"blank", "  \n", []string{"CORRIDOR_KEY is empty"}},
		{"not base64", "correct horse battery staple", []string{"neither key file JSON nor a base64 256-bit key", "not valid base64", "openssl rand -base64 32"}},
		{"short", base64.StdEncoding.EncodeToString(make([]byte, 16)), []string{"decodes to 16 bytes, want 32"}},
		{"hex", hex.EncodeToString(bytes.Repeat([]byte{1}, 32)), []string{"decodes to 48 bytes, want 32"}},
		{"zero", base64.StdEncoding.EncodeToString(make([]byte, 32)), []string{"all zero"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := crypt.FromEnv(tc.value)
			if k != nil {
				t.Error("got a keyring with the error")
			}
			wantInvalid(t, err, tc.want...)
		})
	}
}

func TestRotateAndRetire(t *testing.T) {
	k1 := newKeyring(t)
	id1 := k1.ActiveKeyID()
	aad := crypt.AAD("persons", "name", "42")
	v1, err := k1.Encrypt([]byte("Amina Diallo"), aad)
	if err != nil {
		t.Fatal(err)
	}
	s1, err := k1.EncryptString("AB123456", aad)
	if err != nil {
		t.Fatal(err)
	}
	idx1 := k1.BlindIndex("persons.name", "Amina Diallo")

	content, id2, err := k1.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if id2 == id1 {
		t.Fatalf("Rotate reused key id %q", id1)
	}
	if k1.ActiveKeyID() != id1 || k1.HasKey(id2) {
		t.Fatal("Rotate modified the receiver")
	}
	k2 := mustParse(t, string(content))
	if k2.ActiveKeyID() != id2 {
		t.Fatalf("active after rotation = %q, want %q", k2.ActiveKeyID(), id2)
	}
	if got := k2.KeyIDs(); len(got) != 2 || !k2.HasKey(id1) || !k2.HasKey(id2) {
		t.Fatalf("KeyIDs after rotation = %v", got)
	}
	v2, err := k2.Encrypt([]byte("Amina Diallo"), aad)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env    []byte
		wantID string
	}{{v1, id1}, {v2, id2}} {
		if got, err := crypt.KeyID(tc.env); err != nil || got != tc.wantID {
			t.Errorf("KeyID = %q, %v; want %q", got, err, tc.wantID)
		}
		if pt, err := k2.Decrypt(tc.env, aad); err != nil || string(pt) != "Amina Diallo" {
			t.Errorf("Decrypt under rotated keyring = %q, %v", pt, err)
		}
	}
	if got, err := crypt.KeyIDString(s1); err != nil || got != id1 {
		t.Errorf("KeyIDString = %q, %v; want %q", got, err, id1)
	}
	if _, err := k1.Decrypt(v2, aad); !errors.Is(err, crypt.ErrUnknownKey) {
		t.Errorf("old keyring decrypting a new value: %v, want ErrUnknownKey", err)
	}
	if idx2 := k2.BlindIndex("persons.name", "Amina Diallo"); idx2 != idx1 {
		t.Errorf("blind index changed with rotation: %s vs %s", idx1, idx2)
	}
	if k1.IndexFingerprint() != k2.IndexFingerprint() {
		t.Error("index fingerprint changed with rotation")
	}

	// A second rotation the same day gets a fresh id too.
	content3, id3, err := k2.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if id3 == id1 || id3 == id2 {
		t.Fatalf("second rotation reused an id: %s", id3)
	}
	k3 := mustParse(t, string(content3))

	// Re-encrypt the old values, then retire k1.
	v1new, changed, err := k3.Reencrypt(v1, aad)
	if err != nil || !changed {
		t.Fatalf("Reencrypt = %v, %v", changed, err)
	}
	if got, _ := crypt.KeyID(v1new); got != id3 {
		t.Errorf("re-encrypted value under %q, want %q", got, id3)
	}
	s1new, changed, err := k3.ReencryptString(s1, aad)
	if err != nil || !changed {
		t.Fatalf("ReencryptString = %v, %v", changed, err)
	}
	if same, changed, err := k3.Reencrypt(v1new, aad); err != nil || changed || !bytes.Equal(same, v1new) {
		t.Errorf("Reencrypt of a value under the active key = changed %v, %v", changed, err)
	}
	if same, changed, err := k3.ReencryptString(s1new, aad); err != nil || changed || same != s1new {
		t.Errorf("ReencryptString of a value under the active key = changed %v, %v", changed, err)
	}
	if _, _, err := k3.Reencrypt(v1, crypt.AAD("persons", "name", "43")); !errors.Is(err, crypt.ErrAuthentication) {
		t.Errorf("Reencrypt with the wrong AAD: %v", err)
	}

	_, err = k3.Retire(id3)
	wantInvalid(t, err, "active key", "cannot be retired")
	_, err = k3.Retire("nope")
	if !errors.Is(err, derrors.NotFound) || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("Retire(unknown) = %v, want NotFound naming the id", err)
	}

	retired, err := k3.Retire(id1)
	if err != nil {
		t.Fatal(err)
	}
	k4 := mustParse(t, string(retired))
	if k4.HasKey(id1) || !k4.HasKey(id2) || k4.ActiveKeyID() != id3 {
		t.Fatalf("after Retire(%s): %v", id1, k4)
	}
	_, err = k4.Decrypt(v1, aad)
	wantInvalid(t, err, "unknown key id", fmt.Sprintf("%q", id1), "not in the keyring", "retired")
	if !errors.Is(err, crypt.ErrUnknownKey) {
		t.Errorf("error %v is not ErrUnknownKey", err)
	}
	_, err = k4.DecryptString(s1, aad)
	if !errors.Is(err, crypt.ErrUnknownKey) {
		t.Errorf("DecryptString after retire: %v", err)
	}
	for _, v := range [][]byte{v1new, v2} {
		if pt, err := k4.Decrypt(v, aad); err != nil || string(pt) != "Amina Diallo" {
			t.Errorf("Decrypt after retire = %q, %v", pt, err)
		}
	}
	if pt, err := k4.DecryptString(s1new, aad); err != nil || pt != "AB123456" {
		t.Errorf("DecryptString after retire = %q, %v", pt, err)
	}
	if k4.BlindIndex("persons.name", "Amina Diallo") != idx1 {
		t.Error("blind index changed with Retire")
	}
}

func TestKeyringNeverPrintsKeys(t *testing.T) {
	content := keyJSON("k1", map[string]byte{"k1": 0xa1, "k2": 0xa2}, 0xa3)
	k := mustParse(t, content)
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("keys", "keyring", k)
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%d", "%q"} {
		out = append(out, fmt.Sprintf(verb, k))
	}
	out = append(out, k.String(), logged.String())
	for _, s := range out {
		for _, b := range []byte{0xa1, 0xa2, 0xa3} {
			raw := bytes.Repeat([]byte{b}, 32)
			for _, secret := range []string{key(b), hex.EncodeToString(raw), hex.EncodeToString(raw[:4]), fmt.Sprint(raw[:4])} {
				if strings.Contains(strings.ToLower(s), strings.ToLower(secret)) {
					t.Errorf("output %q shows key material", s)
				}
			}
		}
	}
	if !strings.Contains(k.String(), "active: k1") || !strings.Contains(logged.String(), `"active":"k1"`) {
		t.Errorf("String = %q, slog = %q: want the active key id", k.String(), logged.String())
	}
}

func TestNilKeyring(t *testing.T) {
	var k *crypt.Keyring
	if _, err := k.Encrypt([]byte("x"), nil); !errors.Is(err, crypt.ErrNoKey) {
		t.Errorf("Encrypt on nil keyring: %v", err)
	}
	if _, err := k.EncryptString("x", nil); !errors.Is(err, crypt.ErrNoKey) {
		t.Errorf("EncryptString on nil keyring: %v", err)
	}
	if _, err := k.Decrypt([]byte("x"), nil); !errors.Is(err, crypt.ErrNoKey) {
		t.Errorf("Decrypt on nil keyring: %v", err)
	}
	if _, err := k.DecryptString("x", nil); !errors.Is(err, crypt.ErrNoKey) {
		t.Errorf("DecryptString on nil keyring: %v", err)
	}
	if _, _, err := k.Rotate(); !errors.Is(err, crypt.ErrNoKey) {
		t.Errorf("Rotate on nil keyring: %v", err)
	}
	if !strings.Contains(crypt.ErrNoKey.Error(), "--key-file") {
		t.Errorf("ErrNoKey %q does not say how to configure a key", crypt.ErrNoKey)
	}
	defer func() {
		if recover() == nil {
			t.Error("BlindIndex on nil keyring did not panic")
		}
	}()
	k.BlindIndex("f", "x")
}

func TestRotateManyTimes(t *testing.T) {
	k := newKeyring(t)
	seen := map[string]bool{k.ActiveKeyID(): true}
	for range 30 {
		content, id, err := k.Rotate()
		if err != nil {
			t.Fatal(err)
		}
		if seen[id] {
			t.Fatalf("Rotate reused key id %q", id)
		}
		if !regexp.MustCompile(`^k\d{8}[a-z]+$`).MatchString(id) {
			t.Errorf("key id %q, want k<yyyymmdd><letters>", id)
		}
		seen[id] = true
		k = mustParse(t, string(content))
	}
	if n := len(k.KeyIDs()); n != 31 {
		t.Errorf("%d keys after 30 rotations, want 31", n)
	}
}
