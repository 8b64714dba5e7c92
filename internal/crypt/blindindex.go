package crypt

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// IndexSize is the number of HMAC bytes a blind index keeps; BlindIndex
// returns them as 2*IndexSize hex characters.
const IndexSize = 16

// BlindIndex returns the blind index of value in field: the first 16 bytes
// of HMAC-SHA256 under the keyring's index key over the length-prefixed
// field name and NormalizeForIndex(value), as 32 lowercase hex characters.
// Store it in its own column and look rows up with
// WHERE name_bidx = BlindIndex("persons.name", typed) — equal values
// (after normalisation) in the same field give equal indexes, whichever data
// key is active.
//
// A value that normalises to "" (empty or blank) gives "": store NULL, so
// that blank values never match each other.
//
// The field name separates domains: the same value in "persons.name" and
// "workers.name" gives unrelated indexes, so rows can be linked across
// fields only where the caller chooses to use the same field name.
//
// BlindIndex panics on a nil keyring (a server must not start without keys).
func (k *Keyring) BlindIndex(field, value string) string {
	return k.blindIndex(field, NormalizeForIndex(value))
}

// BlindIndexNumber is BlindIndex for document numbers, passport and ID
// numbers, phone numbers: the value is normalised with NormalizeNumber, so
// "AB-12.345 6" and "ab123456" give the same index.
func (k *Keyring) BlindIndexNumber(field, value string) string {
	return k.blindIndex(field, NormalizeNumber(value))
}

func (k *Keyring) blindIndex(field, normalized string) string {
	if k == nil {
		panic(ErrNoKey)
	}
	if normalized == "" {
		return ""
	}
	m, _ := k.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, k.index)
	}
	defer k.macs.Put(m)
	m.Reset()
	var n [binary.MaxVarintLen64]byte
	m.Write(n[:binary.PutUvarint(n[:], uint64(len(field)))])
	io.WriteString(m, field)
	io.WriteString(m, normalized)
	var sum [sha256.Size]byte
	return hex.EncodeToString(m.Sum(sum[:0])[:IndexSize])
}

// NormalizeForIndex reduces a name or other text to the form BlindIndex
// hashes, so that spellings a person would call "the same" meet:
//
//  1. Unicode NFKC: compatibility forms become their plain equivalents
//     (full-width "ＪＯＳＥ" → "JOSE", the ligature "ﬁ" → "fi", no-break
//     space → space).
//  2. Unicode full case folding: "JOSÉ" → "josé", "STRASSE" and "Straße" →
//     "strasse", final sigma → sigma.
//  3. Diacritics stripped: the text is decomposed (NFKD) and combining
//     marks are removed when they are accents — the Combining Diacritical
//     Marks blocks (Latin, Greek, Cyrillic, Vietnamese accents: "é" → "e",
//     "ñ" → "n", "ё" → "е"), Cyrillic titlo, Hebrew points and Arabic
//     harakat (optional vowel marks). Marks that are letters' vowels in
//     Indic, Thai and other scripts are kept: removing them would change
//     the word, not its accent. Letters with a stroke or ligatures that
//     Unicode does not decompose are mapped too: ł → l, ø → o, đ → d,
//     ħ → h, ŧ → t, ı → i, æ → ae, œ → oe.
//  4. Invisible format characters (zero-width space and joiners, soft
//     hyphen, bidi controls) and control characters other than white space
//     are removed.
//  5. Typographic apostrophes (’ ‘ ʼ ʻ ` ′) become "'", every dash (Unicode
//     category Pd, and the minus sign) becomes "-"; other punctuation is
//     kept, so "Jean-Pierre" and "Jean Pierre" stay different.
//  6. White space is trimmed and every run of it becomes one space.
//
// Cherokee, which Unicode folds to its capital letters, comes out in
// capitals.
//
// So "  José   Pérez " → "jose perez", "ŁUKASZ" → "lukasz". The result is
// in NFKC and NormalizeForIndex(NormalizeForIndex(s)) ==
// NormalizeForIndex(s). Invalid UTF-8 bytes become U+FFFD first.
//
// Changing this function changes every blind index: the indexes must then be
// recomputed from the decrypted values.
func NormalizeForIndex(s string) string {
	var d string
	if isASCII(s) {
		// NFKC leaves ASCII alone and folding it is lower-casing.
		d = strings.ToLower(s)
	} else {
		d = norm.NFKD.String(foldCase.String(norm.NFKC.String(strings.ToValidUTF8(s, "\uFFFD"))))
	}
	var b strings.Builder
	b.Grow(len(d))
	space := false // a space is owed before the next character
	for _, r := range d {
		if removed(r) {
			continue
		}
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		switch {
		case 0xab70 <= r && r <= 0xabbf:
			// Cherokee folds to its capitals (Unicode CaseFolding.txt), but
			// x/text's Fold swaps capitals and small letters: settle on the
			// capitals, so that normalising twice changes nothing.
			b.WriteRune(r - 0xab70 + 0x13a0)
		case 0x13f8 <= r && r <= 0x13fd:
			b.WriteRune(r - 8)
		case letterMap[r] != "":
			b.WriteString(letterMap[r])
		case apostrophes[r]:
			b.WriteByte('\'')
		case r == '\u2212' || unicode.Is(unicode.Pd, r):
			b.WriteByte('-')
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFKC.String(b.String())
}

// NormalizeNumber normalises a document number, passport or ID number or
// phone number: NormalizeForIndex, then spaces, dashes and dots removed. So
// "AB-12.345 6", "ab 123 456" and "ＡＢ１２３４５６" all give "ab123456".
// Other characters ("/", "+") are kept.
func NormalizeNumber(s string) string {
	// Composing again matters only when the removed characters separated
	// letters that compose (Hangul jamo), but keeps the result in NFKC.
	return norm.NFKC.String(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '.' {
			return -1
		}
		return r
	}, NormalizeForIndex(s)))
}

// foldCase is Unicode full case folding; a fold Caser is stateless and safe
// for concurrent use.
var foldCase = cases.Fold()

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// removed reports whether NormalizeForIndex drops r (after NFKD).
func removed(r rune) bool {
	if r < utf8.RuneSelf {
		return r < 0x20 && !unicode.IsSpace(r) || r == 0x7f
	}
	return unicode.Is(unicode.Cf, r) ||
		unicode.Is(unicode.Cc, r) && !unicode.IsSpace(r) ||
		unicode.Is(unicode.Mn, r) && unicode.Is(accentMarks, r)
}

// accentMarks are the blocks whose nonspacing marks are accents (see
// NormalizeForIndex); only their Mn characters are removed.
var accentMarks = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x0300, Hi: 0x036f, Stride: 1}, // Combining Diacritical Marks
		{Lo: 0x0483, Hi: 0x0489, Stride: 1}, // Cyrillic titlo and signs
		{Lo: 0x0591, Hi: 0x05c7, Stride: 1}, // Hebrew points and cantillation
		{Lo: 0x0610, Hi: 0x061a, Stride: 1}, // Arabic signs
		{Lo: 0x064b, Hi: 0x065f, Stride: 1}, // Arabic harakat
		{Lo: 0x0670, Hi: 0x0670, Stride: 1}, // Arabic superscript alef
		{Lo: 0x06d6, Hi: 0x06ed, Stride: 1}, // Arabic Quranic marks
		{Lo: 0x1ab0, Hi: 0x1aff, Stride: 1}, // Combining Diacritical Marks Extended
		{Lo: 0x1dc0, Hi: 0x1dff, Stride: 1}, // Combining Diacritical Marks Supplement
		{Lo: 0x20d0, Hi: 0x20ff, Stride: 1}, // Combining Diacritical Marks for Symbols
		{Lo: 0xfe20, Hi: 0xfe2f, Stride: 1}, // Combining Half Marks
	},
}

// letterMap maps letters that carry a "diacritic" Unicode does not decompose
// (after case folding, so lower case only).
var letterMap = map[rune]string{
	'ł': "l", 'ø': "o", 'đ': "d", 'ħ': "h", 'ŧ': "t", 'ı': "i",
	'æ': "ae", 'œ': "oe",
}

var apostrophes = map[rune]bool{
	'\u2019': true, // ’ right single quotation mark
	'\u2018': true, // ‘ left single quotation mark
	'\u02bc': true, // ʼ modifier letter apostrophe
	'\u02bb': true, // ʻ modifier letter turned comma ('okina)
	'`':      true,
	'\u2032': true, // ′ prime
}
