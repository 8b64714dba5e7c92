package crypt_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/crypt"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// key returns the base64 of a test key made of 32 bytes of b.
func key(b byte) string {
	return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, crypt.KeySize))
}

// keyJSON returns key file content with the given data keys (id → fill
// byte), active id and index fill byte.
func keyJSON(active string, keys map[string]byte, index byte) string {
	var parts []string
	for id, b := range keys {
		parts = append(parts, fmt.Sprintf("%q: %q", id, key(b)))
	}
	return fmt.Sprintf(`{"version": 1, "active": %q, "keys": {%s}, "index": %q}`, active, strings.Join(parts, ", "), key(index))
}

// mustParse parses key file content or fails the test.
func mustParse(t testing.TB, content string) *crypt.Keyring {
	t.Helper()
	k, err := crypt.ParseKeyring([]byte(content))
	if err != nil {
		t.Fatalf("ParseKeyring: %v", err)
	}
	return k
}

// newKeyring returns a fresh random keyring.
func newKeyring(t testing.TB) *crypt.Keyring {
	t.Helper()
	content, err := crypt.GenerateKeyFile()
	if err != nil {
		t.Fatal(err)
	}
	return mustParse(t, string(content))
}

// writeKeyFile writes content to a 0600 file in a temporary directory.
func writeKeyFile(t testing.TB, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "corridor.key")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantInvalid fails unless err wraps derrors.Invalid and its message
// contains every one of parts.
func wantInvalid(t testing.TB, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", parts)
	}
	if !errors.Is(err, derrors.Invalid) {
		t.Errorf("error %q does not wrap derrors.Invalid", err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}
