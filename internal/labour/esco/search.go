package esco

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Search limits: a query is cut to MaxQueryLen bytes and its first
// MaxQueryWords words (an API refuses longer ones before this).
const (
	MaxQueryLen   = 200
	MaxQueryWords = 12
)

// Ranks of a hit, best first. A query word that is a whole word of the
// label ("cook" in "diet cook") ranks above one that only starts a word
// ("cook" in "cookery book store manager"); the preferred label above a
// synonym at the same level.
const (
	RankExact         = 0 // the query is the preferred label
	RankSynonymExact  = 1 // the query is an alternative label
	RankLabelPrefix   = 2 // the preferred label starts with the query's words, whole
	RankLabelWords    = 3 // the preferred label has every query word, whole
	RankSynonymWords  = 4 // an alternative label has every query word, whole
	RankLabelPartial  = 5 // the preferred label has words starting with the query's
	RankSynonymPrefix = 6 // an alternative label has words starting with the query's
	RankWords         = RankSynonymPrefix
	RankCode          = 0 // an ISCO or ESCO code or a URI
)

// OccupationHit is an occupation found by SearchOccupations.
type OccupationHit struct {
	Occupation *Occupation
	// MatchedLabel is the label that matched (the preferred label, an
	// alternative label, or for a code search the ISCO group's label).
	MatchedLabel string
	Synonym      bool   // MatchedLabel is an alternative label
	MatchedBy    string // "label", "synonym", "isco", "code" or "uri"
	Rank         int
}

// SkillHit is a skill found by SearchSkills.
type SkillHit struct {
	Skill        *Skill
	MatchedLabel string
	Synonym      bool
	MatchedBy    string // "label", "synonym" or "uri"
	Rank         int
}

// index is a label search index: every label's words folded (lower case,
// no accents) and numbered in sorted order, so that "word w starts with
// p" is "id(w) is in the range of p".
type index struct {
	vocab  []string
	labels []ilabel // grouped by owner, preferred label first
	toks   []int32
}

type ilabel struct {
	owner      int32
	alt        int32 // -1: the preferred label, else index of the alternative label
	start, end int32 // of toks
}

// letterReplacer spells out the letters NFD does not decompose.
var letterReplacer = strings.NewReplacer("ß", "ss", "æ", "ae", "Æ", "ae", "ø", "o", "Ø", "o", "œ", "oe", "Œ", "oe", "ł", "l", "Ł", "l", "đ", "d", "Đ", "d")

var foldT = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// fold lower-cases s, removes accents and returns its words (runs of
// letters and digits).
func fold(s string) []string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		if out, _, err := transform.String(foldT, s); err == nil {
			s = out
		}
		s = letterReplacer.Replace(s)
	}
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// foldJoin is fold's words joined by single spaces.
func foldJoin(s string) string { return strings.Join(fold(s), " ") }

func buildIndex(n int, labels func(int) (string, []string)) index {
	type lab struct {
		owner, alt int32
		words      []string
	}
	var all []lab
	vocabSet := map[string]struct{}{}
	for i := 0; i < n; i++ {
		pref, alts := labels(i)
		seen := map[string]bool{}
		add := func(alt int32, s string) {
			w := fold(s)
			k := strings.Join(w, " ")
			if len(w) == 0 || seen[k] {
				return
			}
			seen[k] = true
			all = append(all, lab{int32(i), alt, w})
			for _, x := range w {
				vocabSet[x] = struct{}{}
			}
		}
		add(-1, pref)
		for j, a := range alts {
			add(int32(j), a)
		}
	}
	ix := index{vocab: make([]string, 0, len(vocabSet)), labels: make([]ilabel, 0, len(all))}
	for w := range vocabSet {
		ix.vocab = append(ix.vocab, w)
	}
	sort.Strings(ix.vocab)
	id := make(map[string]int32, len(ix.vocab))
	for i, w := range ix.vocab {
		id[w] = int32(i)
	}
	for _, l := range all {
		start := int32(len(ix.toks))
		for _, w := range l.words {
			ix.toks = append(ix.toks, id[w])
		}
		ix.labels = append(ix.labels, ilabel{owner: l.owner, alt: l.alt, start: start, end: int32(len(ix.toks))})
	}
	return ix
}

// queryWords folds a query within the limits.
func queryWords(q string) []string {
	if len(q) > MaxQueryLen {
		q = q[:MaxQueryLen]
		for !utf8.ValidString(q) {
			q = q[:len(q)-1]
		}
	}
	w := fold(q)
	if len(w) > MaxQueryWords {
		w = w[:MaxQueryWords]
	}
	return w
}

type match struct {
	owner int32
	alt   int32
	rank  int
}

// search returns the best label match of each owner.
func (ix *index) search(words []string) []match {
	if len(words) == 0 {
		return nil
	}
	type rng struct{ lo, hi int32 }
	ordered := make([]rng, len(words)) // in query order
	exact := make([]int32, len(words)) // vocabulary id of each word, -1 if none
	for i, w := range words {
		lo := sort.SearchStrings(ix.vocab, w)
		hi := sort.SearchStrings(ix.vocab, w+"\xff")
		if lo == hi {
			return nil
		}
		ordered[i] = rng{int32(lo), int32(hi)}
		exact[i] = -1
		if ix.vocab[lo] == w {
			exact[i] = int32(lo)
		}
	}
	// Test the narrowest word first: most labels fail on it.
	rs := append([]rng(nil), ordered...)
	sort.Slice(rs, func(i, j int) bool { return rs[i].hi-rs[i].lo < rs[j].hi-rs[j].lo })
	// isPrefix: the label's first words start with the query's words, in
	// order; isExact: the label's words are the query's.
	isPrefix := func(toks []int32) bool {
		if len(toks) < len(ordered) {
			return false
		}
		for i, r := range ordered {
			if toks[i] < r.lo || toks[i] >= r.hi {
				return false
			}
		}
		return true
	}
	isExact := func(toks []int32) bool {
		if len(toks) != len(exact) {
			return false
		}
		for i, id := range exact {
			if toks[i] != id {
				return false
			}
		}
		return true
	}
	// hasWhole: every query word is a whole word of the label.
	hasWhole := func(toks []int32) bool {
		for _, id := range exact {
			if id < 0 || !slices.Contains(toks, id) {
				return false
			}
		}
		return true
	}
	var out []match
	best := match{owner: -1}
	for li := range ix.labels {
		l := &ix.labels[li]
		if l.owner != best.owner {
			if best.owner >= 0 && best.rank >= 0 {
				out = append(out, best)
			}
			best = match{owner: l.owner, rank: -1}
		}
		toks := ix.toks[l.start:l.end]
		ok := true
		for _, r := range rs {
			hit := false
			for _, t := range toks {
				if t >= r.lo && t < r.hi {
					hit = true
					break
				}
			}
			if !hit {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		rank := rankOf(l.alt >= 0, isExact(toks), isPrefix(toks) && hasWhole(toks), hasWhole(toks))
		if best.rank < 0 || rank < best.rank {
			best.rank, best.alt = rank, l.alt
		}
	}
	if best.owner >= 0 && best.rank >= 0 {
		out = append(out, best)
	}
	return out
}

// rankOf ranks a label that matched every query word.
func rankOf(synonym, exact, wholePrefix, whole bool) int {
	switch {
	case exact && !synonym:
		return RankExact
	case exact:
		return RankSynonymExact
	case wholePrefix && !synonym:
		return RankLabelPrefix
	case whole && !synonym:
		return RankLabelWords
	case whole:
		return RankSynonymWords
	case !synonym:
		return RankLabelPartial
	}
	return RankSynonymPrefix
}

func looksLikeURI(q string) bool {
	return strings.HasPrefix(q, "http://") || strings.HasPrefix(q, "https://")
}

// isESCOCode reports whether q looks like an ESCO occupation code
// (an ISCO unit group code, a dot, and dot-separated numbers).
func isESCOCode(q string) bool {
	parts := strings.Split(q, ".")
	if len(parts) < 2 || len(parts[0]) != 4 {
		return false
	}
	for _, p := range parts {
		if !isDigits(p) {
			return false
		}
	}
	return true
}

// SearchOccupations finds occupations whose preferred label or one
// alternative label has, for every query word, a word starting with it
// (ignoring case and accents). A query that is an ISCO code (1–4 digits)
// lists the occupations of that group; an ESCO code ("7212.1") or an
// occupation URI finds the occupation (and, for a code, those under it).
// Hits are ranked exact label, label prefix, synonym, others; then by
// shorter label, then label. limit ≤ 0 means 20.
func (t *Taxonomy) SearchOccupations(q string, limit int) []OccupationHit {
	if limit <= 0 {
		limit = 20
	}
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return nil
	case looksLikeURI(q):
		if o, ok := t.occByKey[q]; ok {
			return []OccupationHit{{Occupation: &t.occs[o], MatchedLabel: t.occs[o].Label, MatchedBy: "uri", Rank: RankCode}}
		}
		return nil
	case isDigits(q) && len(q) <= 4:
		label := ""
		if g, ok := t.ISCOGroup(q); ok {
			label = g.Label
		}
		var out []OccupationHit
		for _, o := range t.OccupationsInISCO(q) {
			if len(out) == limit {
				break
			}
			out = append(out, OccupationHit{Occupation: o, MatchedLabel: label, MatchedBy: "isco", Rank: RankCode})
		}
		return out
	case isESCOCode(q):
		var out []OccupationHit
		for i := range t.occs {
			o := &t.occs[i]
			if o.Code == q || strings.HasPrefix(o.Code, q+".") {
				out = append(out, OccupationHit{Occupation: o, MatchedLabel: o.Label, MatchedBy: "code", Rank: RankCode})
			}
		}
		sort.Slice(out, func(i, j int) bool { return codeLess(out[i].Occupation.Code, out[j].Occupation.Code) })
		return out[:min(len(out), limit)]
	}
	ms := t.occIndex.search(queryWords(q))
	hits := make([]OccupationHit, len(ms))
	for i, m := range ms {
		o := &t.occs[m.owner]
		h := OccupationHit{Occupation: o, MatchedLabel: o.Label, MatchedBy: "label", Rank: m.rank}
		if m.alt >= 0 {
			h.MatchedLabel, h.Synonym, h.MatchedBy = o.AltLabels[m.alt], true, "synonym"
		}
		hits[i] = h
	}
	slices.SortFunc(hits, func(a, b OccupationHit) int {
		return cmp.Or(cmp.Compare(a.Rank, b.Rank), cmp.Compare(len(a.Occupation.Label), len(b.Occupation.Label)), strings.Compare(a.Occupation.Label, b.Occupation.Label))
	})
	return hits[:min(len(hits), limit)]
}

// SearchSkills finds skills as SearchOccupations finds occupations (a
// skill URI finds that skill). limit ≤ 0 means 20.
func (t *Taxonomy) SearchSkills(q string, limit int) []SkillHit {
	if limit <= 0 {
		limit = 20
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return nil
	}
	if looksLikeURI(q) {
		if s, ok := t.SkillByURI(q); ok {
			return []SkillHit{{Skill: s, MatchedLabel: s.Label, MatchedBy: "uri", Rank: RankCode}}
		}
		return nil
	}
	ms := t.skillIndex.search(queryWords(q))
	hits := make([]SkillHit, len(ms))
	for i, m := range ms {
		s := &t.skills[m.owner]
		h := SkillHit{Skill: s, MatchedLabel: s.Label, MatchedBy: "label", Rank: m.rank}
		if m.alt >= 0 {
			h.MatchedLabel, h.Synonym, h.MatchedBy = s.AltLabels[m.alt], true, "synonym"
		}
		hits[i] = h
	}
	slices.SortFunc(hits, func(a, b SkillHit) int {
		return cmp.Or(cmp.Compare(a.Rank, b.Rank), cmp.Compare(len(a.Skill.Label), len(b.Skill.Label)), strings.Compare(a.Skill.Label, b.Skill.Label))
	})
	return hits[:min(len(hits), limit)]
}
