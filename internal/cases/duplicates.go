package cases

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Candidate is a person as duplicate detection sees them: the decrypted
// names and date of birth, the nationality, and the keyed blind index of
// the document number (the store computes it; equal indexes mean equal
// numbers, and the number itself is not needed here).
type Candidate struct {
	PersonID      int64
	GivenName     string
	FamilyName    string
	BirthDate     string // YYYY-MM-DD, or YYYY when only the year is known
	Nationality   string // ISO3
	DocumentIndex string // blind index of the document number; "" when none
}

// Match is a possible duplicate: its score (0–1), the name similarity and
// the reasons, one per piece of evidence, in a fixed order.
type Match struct {
	PersonID  int64    `json:"personId"`
	Score     float64  `json:"score"`
	NameScore float64  `json:"nameScore"`
	Reasons   []string `json:"reasons"`
}

// Explanation joins the reasons for a reviewer: "name 0.93, same date of
// birth, same nationality".
func (m Match) Explanation() string { return strings.Join(m.Reasons, ", ") }

// DuplicateThreshold is the score from which a candidate is shown as a
// possible duplicate. A misspelt name with the same date of birth scores
// above 0.92; the same name with a different date of birth and
// nationality scores 0.6; the same name with an unknown date of birth
// and the same nationality 0.79; a different family name with the same
// date of birth and nationality stays under 0.87; the same name, year of
// birth and nationality where only the year is known reaches it
// (TestScore).
const DuplicateThreshold = 0.88

// Weights of the evidence in the score.
const (
	nameWeight        = 0.60
	birthWeight       = 0.30
	nationalityWeight = 0.10
)

// Score compares a new registration with a candidate. The score is
// 0.6 × name similarity + 0.3 × date-of-birth agreement + 0.1 ×
// nationality agreement, and 1 when the document numbers' blind indexes
// are equal (the same document is the same person, whatever the names).
//
// Names are folded first (FoldPersonName: case, diacritics and
// punctuation removed, so "N'Diaye" = "Ndiaye"). When both records have a
// given and a family name, name similarity is the geometric mean of the
// Jaro–Winkler similarities of the given names and of the family names —
// so that a shared first name cannot carry a different family name —
// taking the better of the two pairings, since given and family names are
// often swapped at registration. Otherwise it is Jaro–Winkler on the full
// names (in both orders, and with the words sorted).
//
// Date of birth: the same date 1; day and month swapped, or one digit
// off in the day or month 0.8; the same year when both are known only to
// the year 0.7, when one is 0.6 (many people assisted know only their
// year of birth); full dates in the same year 0.5; a year one digit off
// with the same day and month (a typing slip) 0.4; unknown on either side
// 0.3; otherwise 0. Nationality: the same 1, unknown 0.5, different 0.
func Score(probe, c Candidate) Match { return score(prepare(probe), prepare(c), true) }

// prepared is a candidate with its names folded once.
type prepared struct {
	Candidate
	given, family string
}

func prepare(c Candidate) prepared {
	return prepared{Candidate: c, given: FoldPersonName(c.GivenName), family: FoldPersonName(c.FamilyName)}
}

// score computes a match; the reasons are written only when explain is
// set (FindDuplicates explains only the matches it returns).
func score(probe, c prepared, explain bool) Match {
	m := Match{PersonID: c.PersonID}
	m.NameScore = nameSimilarity(probe, c)
	dob, dobReason := birthAgreement(probe.BirthDate, c.BirthDate)
	nat, natReason := 0.5, ""
	switch {
	case probe.Nationality == "" || c.Nationality == "":
	case probe.Nationality == c.Nationality:
		nat, natReason = 1, "same nationality"
	default:
		nat, natReason = 0, "different nationality"
	}
	m.Score = nameWeight*m.NameScore + birthWeight*dob + nationalityWeight*nat
	sameDoc := probe.DocumentIndex != "" && probe.DocumentIndex == c.DocumentIndex
	if sameDoc {
		m.Score = 1
	}
	m.Score = math.Round(m.Score*1000) / 1000
	if explain {
		m.Reasons = append(make([]string, 0, 4), fmt.Sprintf("name %.2f", m.NameScore))
		for _, r := range []string{dobReason, natReason} {
			if r != "" {
				m.Reasons = append(m.Reasons, r)
			}
		}
		if sameDoc {
			m.Reasons = append(m.Reasons, "same document number")
		}
	}
	return m
}

// nameSimilarity is the name part of Score.
func nameSimilarity(a, b prepared) float64 {
	ag, af, bg, bf := a.given, a.family, b.given, b.family
	if ag != "" && af != "" && bg != "" && bf != "" {
		straight := math.Sqrt(JaroWinkler(ag, bg) * JaroWinkler(af, bf))
		swapped := math.Sqrt(JaroWinkler(ag, bf) * JaroWinkler(af, bg))
		return max(straight, swapped)
	}
	best := 0.0
	for _, x := range nameForms(ag, af) {
		for _, y := range nameForms(bg, bf) {
			best = max(best, JaroWinkler(x, y))
		}
	}
	return best
}

// FindDuplicates scores the candidates and returns those at or above the
// threshold, best first (then by person id). The probe's own record, if
// among the candidates (same PersonID, non-zero), is skipped.
func FindDuplicates(probe Candidate, candidates []Candidate, threshold float64) []Match {
	var out []Match
	p := prepare(probe)
	for _, c := range candidates {
		if probe.PersonID != 0 && c.PersonID == probe.PersonID {
			continue
		}
		pc := prepare(c)
		if m := score(p, pc, false); m.Score >= threshold {
			out = append(out, score(p, pc, true))
		}
	}
	slices.SortFunc(out, func(a, b Match) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.PersonID, b.PersonID))
	})
	return out
}

// FoldPersonName folds a personal name for comparison: lower case,
// diacritics removed (as geo.FoldName does, rune by rune here to keep
// duplicate scoring cheap), letters that do not decompose mapped (ø→o,
// ł→l, ß→ss, æ→ae …), apostrophes and full stops dropped, hyphens and
// other separators turned into spaces, runs of space collapsed.
// "Maryam N'Diaye" → "maryam ndiaye", "Jean-Luc Øst" → "jean luc ost".
func FoldPersonName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var dec [16]byte
	space := true // at the start: drop leading separators
	emit := func(r rune) {
		if rep, ok := letterFolds[r]; ok {
			b.WriteString(rep)
		} else {
			b.WriteRune(r)
		}
		space = false
	}
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			b.WriteByte(byte(r))
			space = false
		case r < utf8.RuneSelf && r >= 'A' && r <= 'Z':
			b.WriteByte(byte(r) + 'a' - 'A')
			space = false
		case r == '\'' || r == '’' || r == '`' || r == 'ʼ' || r == '.':
			// N'Diaye = NDiaye, O'Brien = OBrien, "Md." = "Md"
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			// Decompose (é → e + ◌́) and keep the letters, lower-cased.
			for _, d := range string(norm.NFD.Append(dec[:0], []byte(string(r))...)) {
				if !unicode.Is(unicode.Mn, d) {
					emit(unicode.ToLower(d))
				}
			}
		case unicode.Is(unicode.Mn, r):
			// a combining mark typed separately
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

var letterFolds = map[rune]string{
	'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ß': "ss", 'æ': "ae", 'œ': "oe", 'ı': "i", 'ħ': "h",
}

// nameForms returns the folded full name of folded given and family
// names in both orders and with its words sorted.
func nameForms(g, f string) []string {
	forms := []string{strings.TrimSpace(g + " " + f)}
	if g != "" && f != "" {
		forms = append(forms, f+" "+g)
	}
	words := strings.Fields(forms[0])
	if len(words) > 2 {
		slices.Sort(words)
		forms = append(forms, strings.Join(words, " "))
	}
	return forms
}

// birthAgreement scores two dates of birth and says why.
func birthAgreement(a, b string) (float64, string) {
	if a == "" || b == "" {
		return 0.3, ""
	}
	if a == b {
		if len(a) == 4 { // both known only to the year: as close as they can be
			return 0.7, "same year of birth"
		}
		return 1, "same date of birth"
	}
	if len(a) < 10 || len(b) < 10 { // one side known only to the year
		if a[:min(4, len(a))] == b[:min(4, len(b))] {
			return 0.6, "same year of birth"
		}
		return 0, "different year of birth"
	}
	ya, ma, da := a[:4], a[5:7], a[8:10]
	yb, mb, db := b[:4], b[5:7], b[8:10]
	switch {
	case ya == yb && ma == db && da == mb:
		return 0.8, "day and month of birth swapped"
	case ya == yb && (ma == mb && oneDigitOff(da, db) || da == db && oneDigitOff(ma, mb)):
		return 0.8, "date of birth one digit apart"
	case ya == yb:
		return 0.5, "same year of birth"
	case ma == mb && da == db && oneDigitOff(ya, yb):
		return 0.4, "date of birth one digit apart in the year"
	}
	return 0, "different date of birth"
}

// oneDigitOff reports whether two equal-length digit strings differ in
// exactly one position.
func oneDigitOff(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	n := 0
	for i := range len(a) {
		if a[i] != b[i] {
			n++
		}
	}
	return n == 1
}

// JaroWinkler returns the Jaro–Winkler similarity of two strings (0–1,
// 1 for equal strings), over runes: the Jaro similarity (matching
// characters within half the longer length, less half the
// transpositions) raised by 0.1 per character of common prefix, up to
// four, when the Jaro similarity is above 0.7 (Winkler's boost threshold).
func JaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	var sbuf, tbuf [48]rune
	var smb, tmb [48]bool
	s, t := appendRunes(sbuf[:0], a), appendRunes(tbuf[:0], b)
	if len(s) == 0 || len(t) == 0 {
		return 0
	}
	window := max(len(s), len(t))/2 - 1
	window = max(window, 0)
	sm, tm := smb[:0], tmb[:0]
	if len(s) <= len(smb) {
		sm = smb[:len(s)]
	} else {
		sm = make([]bool, len(s))
	}
	if len(t) <= len(tmb) {
		tm = tmb[:len(t)]
	} else {
		tm = make([]bool, len(t))
	}
	matches := 0
	for i := range s {
		lo, hi := max(0, i-window), min(len(t), i+window+1)
		for j := lo; j < hi; j++ {
			if !tm[j] && s[i] == t[j] {
				sm[i], tm[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transpositions, j := 0, 0
	for i := range s {
		if !sm[i] {
			continue
		}
		for !tm[j] {
			j++
		}
		if s[i] != t[j] {
			transpositions++
		}
		j++
	}
	m := float64(matches)
	jaro := (m/float64(len(s)) + m/float64(len(t)) + (m-float64(transpositions)/2)/m) / 3
	if jaro <= 0.7 {
		return jaro
	}
	prefix := 0
	for prefix < min(4, len(s), len(t)) && s[prefix] == t[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

func appendRunes(buf []rune, s string) []rune {
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}
