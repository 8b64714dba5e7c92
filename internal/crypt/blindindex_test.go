package crypt_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/crypt"
	"golang.org/x/text/unicode/norm"
)

func TestNormalizeForIndex(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"José  Pérez", "jose perez"},
		{"jose perez", "jose perez"},
		{"  JOSÉ\tPÉREZ \n", "jose perez"},
		{"Jose\u0301 Pe\u0301rez", "jose perez"}, // decomposed accents
		{"ＪＯＳＥ　ＰＥＲＥＺ", "jose perez"},             // full-width letters and space
		{"José\u00a0Pérez", "jose perez"},        // no-break space
		{"Jo\u200bsé\u00adPérez", "joseperez"},   // zero-width space, soft hyphen
		{"Straße", "strasse"},
		{"STRASSE", "strasse"},
		{"ŁUKASZ Żółć", "lukasz zolc"},
		{"Søren Ærø", "soren aero"},
		{"Œdipe", "oedipe"},
		{"Đorđe", "dorde"},
		{"İstanbul", "istanbul"},
		{"Nguyễn Thị Minh Khai", "nguyen thi minh khai"},
		{"O’Brien", "o'brien"},
		{"O'Brien", "o'brien"},
		{"Jean–Pierre", "jean-pierre"}, // en dash
		{"Jean-Pierre", "jean-pierre"},
		{"Jean Pierre", "jean pierre"}, // punctuation kept: not the same as Jean-Pierre
		{"ΟΔΥΣΣΕΥΣ", "οδυσσευσ"},       // final sigma folded
		{"Ёлка", "елка"},
		{"مُحَمَّد", "محمد"}, // harakat removed
		{"हिंदी", "हिंदी"},   // Devanagari vowel signs kept
		{"ﬁnn", "finn"},      // ligature
		{"", ""},
		{" \t\n ", ""},
		{"a\x00b", "ab"},
		{"\xff", "\ufffd"},
	} {
		if got := crypt.NormalizeForIndex(tc.in); got != tc.want {
			t.Errorf("NormalizeForIndex(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizeNumber(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"AB-12.345 6", "ab123456"},
		{"ab123456", "ab123456"},
		{" ab 123 456 ", "ab123456"},
		{"ＡＢ１２３４５６", "ab123456"},
		{"AB–123—456", "ab123456"}, // en and em dashes
		{"+41 22 717 91 11", "+41227179111"},
		{"12/34", "12/34"},
		{"", ""},
		{" - . ", ""},
	} {
		if got := crypt.NormalizeNumber(tc.in); got != tc.want {
			t.Errorf("NormalizeNumber(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBlindIndex(t *testing.T) {
	k := mustParse(t, keyJSON("k1", map[string]byte{"k1": 1}, 2))
	idx := k.BlindIndex("persons.name", "José  Pérez")
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(idx) {
		t.Fatalf("BlindIndex = %q, want 32 lowercase hex characters", idx)
	}
	// Known answer: pins the construction (uvarint field length, field,
	// normalised value; HMAC-SHA256 under the index key; first 16 bytes).
	m := hmac.New(sha256.New, []byte(repeat(2, 32)))
	m.Write([]byte{byte(len("persons.name"))})
	m.Write([]byte("persons.name"))
	m.Write([]byte("jose perez"))
	if want := hex.EncodeToString(m.Sum(nil)[:16]); idx != want {
		t.Errorf("BlindIndex = %s, want %s", idx, want)
	}

	for _, same := range []string{"jose perez", "JOSE PEREZ", " José Pérez ", "Jose\u0301 Pe\u0301rez"} {
		if got := k.BlindIndex("persons.name", same); got != idx {
			t.Errorf("BlindIndex(%q) = %s, want %s (same as \"José  Pérez\")", same, got, idx)
		}
	}
	for _, other := range []string{"jose pere", "josé-pérez", "perez jose"} {
		if k.BlindIndex("persons.name", other) == idx {
			t.Errorf("BlindIndex(%q) equals that of \"José  Pérez\"", other)
		}
	}
	if k.BlindIndex("workers.name", "José Pérez") == idx {
		t.Error("the field name does not separate domains")
	}
	// Length-prefixing: ("ab", "c…") and ("a", "bc…") differ.
	if k.BlindIndex("ab", "cd") == k.BlindIndex("a", "bcd") {
		t.Error("field and value are not separated")
	}
	if got := k.BlindIndex("persons.name", " \t"); got != "" {
		t.Errorf("BlindIndex of a blank value = %q, want \"\"", got)
	}

	doc := k.BlindIndexNumber("persons.document", "AB-12.345 6")
	if doc == "" || doc != k.BlindIndexNumber("persons.document", "ab123456") {
		t.Error(`BlindIndexNumber("AB-12.345 6") != BlindIndexNumber("ab123456")`)
	}
	if k.BlindIndex("persons.document", "AB-12.345 6") == doc {
		t.Error("BlindIndex does not strip dashes and dots; it should differ from BlindIndexNumber")
	}

	// Stable across data key rotation, different under another index key.
	content, _, err := k.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	k2 := mustParse(t, string(content))
	if k2.BlindIndex("persons.name", "jose perez") != idx || k2.BlindIndexNumber("persons.document", "AB123456") != doc {
		t.Error("blind index changed with data key rotation")
	}
	k3 := mustParse(t, keyJSON("k1", map[string]byte{"k1": 1}, 3))
	if k3.BlindIndex("persons.name", "jose perez") == idx {
		t.Error("another index key gives the same blind index")
	}
	if k3.IndexFingerprint() == k.IndexFingerprint() || len(k.IndexFingerprint()) != 16 {
		t.Errorf("IndexFingerprint %q vs %q", k.IndexFingerprint(), k3.IndexFingerprint())
	}
}

func repeat(b byte, n int) string {
	s := make([]byte, n)
	for i := range s {
		s[i] = b
	}
	return string(s)
}

// FuzzNormalize checks that normalisation is idempotent (so a value
// normalised once, stored and typed again still finds itself), keeps valid
// UTF-8 in NFKC, and never leaves outer or double spaces.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"José  Pérez", "AB-12.345 6", "Straße", "İ", "ﬁ", "مُحَمَّد", "हिंदी", "\u1100\u200d\u1161", "ǅ", "ΐ", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := crypt.NormalizeForIndex(s)
		if !utf8.ValidString(n) {
			t.Fatalf("NormalizeForIndex(%q) = %q: invalid UTF-8", s, n)
		}
		if !norm.NFKC.IsNormalString(n) {
			t.Fatalf("NormalizeForIndex(%q) = %q: not NFKC", s, n)
		}
		if again := crypt.NormalizeForIndex(n); again != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, again)
		}
		if len(n) > 0 && (n[0] == ' ' || n[len(n)-1] == ' ') || strings.Contains(n, "  ") {
			t.Fatalf("NormalizeForIndex(%q) = %q: stray spaces", s, n)
		}
		num := crypt.NormalizeNumber(s)
		if again := crypt.NormalizeNumber(num); again != num {
			t.Fatalf("NormalizeNumber not idempotent: %q → %q → %q", s, num, again)
		}
	})
}
