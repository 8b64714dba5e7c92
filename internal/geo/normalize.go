package geo

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormalizeName reduces a place name to the key the Matcher compares, so
// that the spellings datasets use for the same name meet:
//
//   - case and diacritics are ignored: "Côte d'Ivoire" = "COTE D'IVOIRE",
//     "Türkiye" = "Turkiye", "Curaçao" = "Curacao";
//   - every run of punctuation and white space is one space, so
//     "Guinea-Bissau" = "Guinea Bissau", "Mauritius*" (UN DESA's footnote
//     mark) = "Mauritius", "Korea, Rep." = "Korea Rep";
//   - "&" is "and": "Europe & Central Asia" = "Europe and Central Asia";
//   - a leading or trailing "the" is dropped: "The Gambia" = "Gambia, The" =
//     "Gambia", "Netherlands (Kingdom of the)" = "Netherlands (Kingdom of)";
//   - the word "St" is "Saint": "St. Lucia" = "Saint Lucia".
//
// It deliberately does not expand other abbreviations ("Rep.", "Dem.") or
// reorder words ("Korea, Republic of"): those variants come from the source
// files and the alias list, where a person has checked them, instead of
// from rules that could join two different places.
func NormalizeName(s string) string {
	buf := make([]byte, 0, len(s)+4)
	pending := false // a separator is owed before the next word character
	emit := func(p ...byte) {
		if pending && len(buf) > 0 {
			buf = append(buf, ' ')
		}
		pending = false
		buf = append(buf, p...)
	}
	var rb [utf8.UTFMax]byte
	rune1 := func(r rune) {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			emit(byte(r))
		case 'A' <= r && r <= 'Z':
			emit(byte(r + ('a' - 'A')))
		case r == '&':
			pending = true
			emit('a', 'n', 'd')
			pending = true
		case r < utf8.RuneSelf:
			pending = true
		case unicode.Is(unicode.Mn, r):
			// A combining mark (text already decomposed): part of the
			// letter before it, dropped.
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if f, ok := letterFolds[r]; ok {
				emit(f...)
				return
			}
			n := utf8.EncodeRune(rb[:], unicode.ToLower(r))
			emit(rb[:n]...)
		default:
			pending = true
		}
	}
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			rune1(rune(s[i]))
			i++
			continue
		}
		// Canonical decomposition of one character ("ô" → "o" + U+0302),
		// read from the Unicode tables without allocating; the marks are
		// then dropped by rune1.
		r, size := utf8.DecodeRuneInString(s[i:])
		if d := norm.NFD.PropertiesString(s[i:]).Decomposition(); d != nil {
			for _, dr := range string(d) {
				rune1(dr)
			}
		} else {
			rune1(r)
		}
		i += size
	}
	out := string(buf)
	out = strings.TrimPrefix(out, "the ")
	out = strings.TrimSuffix(out, " the")
	if out == "st" || strings.HasPrefix(out, "st ") || strings.HasSuffix(out, " st") || strings.Contains(out, " st ") {
		out = strings.TrimSpace(strings.ReplaceAll(" "+out+" ", " st ", " saint "))
	}
	return out
}

// letterFolds spells the few Latin letters that have no decomposition into
// base letter + mark, so stripMarks cannot reduce them.
var letterFolds = map[rune][]byte{
	'ø': []byte("o"), 'Ø': []byte("o"), 'æ': []byte("ae"), 'Æ': []byte("ae"),
	'œ': []byte("oe"), 'Œ': []byte("oe"), 'ß': []byte("ss"), 'đ': []byte("d"),
	'Đ': []byte("d"), 'ł': []byte("l"), 'Ł': []byte("l"), 'ı': []byte("i"),
	'þ': []byte("th"), 'ð': []byte("d"),
}
