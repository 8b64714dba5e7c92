package geo

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// FoldName folds a name for search: lower case, diacritics removed
// ("Côte d'Ivoire" → "cote d'ivoire", "Türkiye" → "turkiye"), runs of
// white space collapsed. Stored beside each name so that a search typed
// without accents finds the accented name on both database engines.
func FoldName(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.Join(strings.Fields(strings.ToLower(out)), " ")
}
