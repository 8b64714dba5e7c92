package geo

import (
	"slices"
	"strings"
)

// Matcher maps the names and codes datasets use to areas. It is built once
// from a Reference (every lookup is a map access on keys computed in
// NewMatcher) and is safe for concurrent use. The areas it returns share
// their Members slices with it: do not modify them.
//
// What it matches:
//
//   - names, through NormalizeName (case, diacritics, punctuation, "&",
//     a leading or trailing "the"), from every alias of every source;
//   - ISO 3166-1 alpha-3 codes, World Bank codes ("HIC", "SSF", "CHI",
//     "XKX") and Corridor's own area codes ("WB-HIC", "830");
//   - UN numeric codes, with or without zero padding ("4" = "004" =
//     Afghanistan), including UN DESA location codes of regions (903 =
//     Africa, M49 002);
//   - ISO 3166-1 alpha-2 codes, but only through MatchCode: in free text a
//     two-letter value is more often something else ("NA" for "not
//     available" would otherwise be Namibia);
//   - UNHCR's own country codes, but only through ForSource("unhcr") or
//     MatchUNHCRCode: see below.
//
// When two sources give the same text to different areas, the text is
// settled by source, then by kind:
//
//  0. the areas' own ISO and M49 codes before any alias;
//  1. sources in the order iso3166, undesa, wdi, the curated alias list
//     (corridor, iom, knomad, rpw, …), unhcr: the standard first, then the
//     publishers in the order of how closely they follow it; curated
//     entries fill gaps and never override a source. So "Sub-Saharan
//     Africa" is the M49 sub-region 202 by default, not the SDG region 947
//     (UN DESA) or the World Bank region SSF;
//  2. within one source, the more specific kind wins (country, world,
//     region, sub-region, intermediate region, SDG region, aggregate,
//     development group, income group): UN DESA's "Latin America and the
//     Caribbean" is both its geographic region 904 (= M49 419) and the SDG
//     region 1830, and means 419;
//  3. a text still claimed by two areas is ambiguous and matches nothing
//     (see Ambiguities) rather than one of them by chance.
//
// A dataset whose spellings mean something else than the default reads
// through ForSource: ForSource("wdi").Match("Sub-Saharan Africa") is WB-SSF,
// ForSource("undesa").Match("Sub-Saharan Africa") is the SDG region 947.
//
// UNHCR codes. UNHCR uses its own three-letter codes, most of which are not
// ISO codes ("ALG" Algeria, "GFR" Germany) and some of which are another
// country's ISO or World Bank code: AUS is Austria for UNHCR but Australia
// in ISO 3166, ARE is Egypt (ISO: United Arab Emirates), MAR is Martinique
// (ISO: Morocco) and CHI is China (World Bank and UN DESA: Channel
// Islands). A code alone cannot say which scheme it follows, so the default
// matcher ignores UNHCR codes entirely; ForSource("unhcr") tries them first
// and MatchUNHCRCode only them. UNHCR names are matched everywhere: they do
// not collide.
type Matcher struct {
	areas  []Area
	byCode map[string]int32 // Area.Code
	def    *index           // every source, settled by the rules above
	src    map[string]*index
	// The view: prefer is the index of the source given to ForSource (nil
	// for the default view); exact caches the answer for every alias text
	// exactly as written, so most lookups skip normalisation.
	source string
	prefer *index
	exact  map[string]int32
	texts  []string // every alias text, area name and code, trimmed, once
	// ambiguous lists the keys the default index refused (rule 3).
	ambiguous map[string][]string
}

// index holds the keys of one source (or of all, settled).
type index struct {
	codes map[string]int32 // upper-case alphanumeric codes of three or more characters
	iso2  map[string]int32 // two-letter codes
	nums  map[string]int32 // numeric codes without leading zeros
	names map[string]int32 // NormalizeName keys
}

func newIndex() *index {
	return &index{codes: map[string]int32{}, iso2: map[string]int32{}, nums: map[string]int32{}, names: map[string]int32{}}
}

// keyClass says which map of an index a text belongs in.
type keyClass int

const (
	className keyClass = iota
	classCode
	classISO2
	classNum
)

// classify decides whether an alias text is a code or a name. Codes are as
// the sources write them: digits (M49), two capital letters (ISO alpha-2),
// three capitals or digits (ISO alpha-3, UNHCR, World Bank), or Corridor's
// "WB-" codes. Everything else, including "WORLD" and "ASIA" in capitals,
// is a name.
func classify(t string) (keyClass, string) {
	if class, k, ok := codeKey(t); ok {
		return class, k
	}
	return className, NormalizeName(t)
}

func (ix *index) m(c keyClass) map[string]int32 {
	switch c {
	case classCode:
		return ix.codes
	case classISO2:
		return ix.iso2
	case classNum:
		return ix.nums
	}
	return ix.names
}

// sourceRank orders sources for rule 1 (the areas' own codes rank -1).
func sourceRank(source string) int {
	switch source {
	case SourceISO:
		return 0
	case SourceUNDESA:
		return 1
	case SourceWDI:
		return 2
	case SourceUNHCR:
		return 4
	}
	// Corridor's own entries and the curated alias list's dataset tags:
	// they fill gaps and never override what a source says.
	return 3
}

type candidate struct {
	area       int32
	srank, krk int
}

// NewMatcher indexes a reference. Building takes a few milliseconds; build
// one per import, not per row.
func NewMatcher(ref Reference) *Matcher {
	m := &Matcher{
		areas:     ref.Areas,
		byCode:    make(map[string]int32, len(ref.Areas)),
		def:       newIndex(),
		src:       map[string]*index{},
		ambiguous: map[string][]string{},
	}
	type key struct {
		class keyClass
		k     string
	}
	all := map[key][]candidate{}
	perSource := map[string]map[key][]candidate{}
	seen := map[string]bool{}
	add := func(source string, srank int, text string, i int32) {
		text = strings.TrimSpace(text)
		if text == "" {
			return
		}
		if !seen[text] {
			seen[text] = true
			m.texts = append(m.texts, text)
		}
		class, k := classify(text)
		if k == "" {
			return
		}
		c := candidate{area: i, srank: srank, krk: kindRank(m.areas[i].Kind)}
		kk := key{class, k}
		if source != "" {
			ps := perSource[source]
			if ps == nil {
				ps = map[key][]candidate{}
				perSource[source] = ps
			}
			ps[kk] = append(ps[kk], c)
		}
		// UNHCR codes stay out of the default index (see the type comment).
		if source == SourceUNHCR && class != className {
			return
		}
		all[kk] = append(all[kk], c)
	}
	for i, a := range m.areas {
		m.byCode[a.Code] = int32(i)
		// The areas' own codes outrank every alias (rule 0). Their names
		// normally come in again through the aliases, with their source's
		// rank; on their own they only fill gaps, as curated entries do.
		for _, t := range []string{a.ISO2, a.ISO3, a.M49} {
			add("", -1, t, int32(i))
		}
		add("", sourceRank(SourceCorridor), a.Name, int32(i))
	}
	for _, al := range ref.Aliases {
		if i, ok := m.byCode[al.AreaCode]; ok {
			add(al.Source, sourceRank(al.Source), al.Text, i)
		}
	}
	for kk, cs := range all {
		if best, ok := settle(cs, true); ok {
			m.def.m(kk.class)[kk.k] = best
		} else {
			m.ambiguous[kk.k] = m.codesOf(cs)
		}
	}
	for source, keys := range perSource {
		ix := newIndex()
		for kk, cs := range keys {
			// Within one source only kinds can settle a tie; an ambiguous
			// key is left to the default index.
			if best, ok := settle(cs, false); ok {
				ix.m(kk.class)[kk.k] = best
			}
		}
		m.src[source] = ix
	}
	m.exact = m.buildExact()
	return m
}

// settle picks the candidate that wins rules 1 and 2 (rule 2 only, when
// bySource is false); ok is false when the best rank is held by two
// different areas.
func settle(cs []candidate, bySource bool) (int32, bool) {
	rank := func(c candidate) [2]int {
		if bySource {
			return [2]int{c.srank, c.krk}
		}
		return [2]int{0, c.krk}
	}
	best := rank(cs[0])
	for _, c := range cs[1:] {
		if r := rank(c); r[0] < best[0] || r[0] == best[0] && r[1] < best[1] {
			best = r
		}
	}
	winner := int32(-1)
	for _, c := range cs {
		if rank(c) != best {
			continue
		}
		if winner >= 0 && winner != c.area {
			return 0, false
		}
		winner = c.area
	}
	return winner, true
}

func (m *Matcher) codesOf(cs []candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, m.areas[c.area].Code)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// buildExact precomputes the answer of this view for every alias text as
// written.
func (m *Matcher) buildExact() map[string]int32 {
	exact := make(map[string]int32, len(m.texts))
	for _, t := range m.texts {
		if i, ok := m.match(t); ok {
			exact[t] = i
		}
	}
	return exact
}

// ForSource returns a view of the matcher that reads texts the way the
// source writes them: the source's own codes and names are tried first,
// then the default rules. source is an Alias.Source tag ("unhcr", "wdi",
// "undesa", "iom", …); an unknown tag gives the default behaviour. The view
// shares the indexes; building it costs about as much as NewMatcher's last
// step, so make one per import.
func (m *Matcher) ForSource(source string) *Matcher {
	v := *m
	v.source, v.prefer = source, m.src[source]
	v.exact = v.buildExact()
	return &v
}

// Source returns the source tag given to ForSource ("" for the default).
func (m *Matcher) Source() string { return m.source }

// Match returns the area a name or code (ISO3, UN numeric, World Bank,
// Corridor code) denotes. ok is false for anything that is not an area
// ("Unknown", "Stateless", "Other South") and for ambiguous texts.
func (m *Matcher) Match(text string) (Area, bool) {
	t := strings.TrimSpace(text)
	if i, ok := m.exact[t]; ok {
		return m.areas[i], true
	}
	if i, ok := m.match(t); ok {
		return m.areas[i], true
	}
	return Area{}, false
}

func (m *Matcher) match(t string) (int32, bool) {
	if t == "" {
		return 0, false
	}
	if codeShaped(t) {
		if i, ok := m.code(strings.ToUpper(t), false); ok {
			return i, true
		}
	}
	return m.name(NormalizeName(t))
}

// MatchCode returns the area a code denotes: ISO 3166-1 alpha-3 or alpha-2,
// UN numeric (M49 or UN DESA location code), World Bank code, Corridor area
// code; and, in a ForSource view, the source's own codes first. Case and
// surrounding space are ignored.
func (m *Matcher) MatchCode(code string) (Area, bool) {
	if i, ok := m.code(strings.ToUpper(strings.TrimSpace(code)), true); ok {
		return m.areas[i], true
	}
	return Area{}, false
}

// MatchName returns the area a name denotes (never a code).
func (m *Matcher) MatchName(name string) (Area, bool) {
	if i, ok := m.name(NormalizeName(name)); ok {
		return m.areas[i], true
	}
	return Area{}, false
}

// MatchUNHCRCode returns the area a UNHCR country code denotes, trying only
// UNHCR's own codes ("AUS" is Austria here, "ARE" Egypt, "CHI" China).
func (m *Matcher) MatchUNHCRCode(code string) (Area, bool) {
	ix := m.src[SourceUNHCR]
	if ix == nil {
		return Area{}, false
	}
	if i, ok := ix.codes[strings.ToUpper(strings.TrimSpace(code))]; ok {
		return m.areas[i], true
	}
	return Area{}, false
}

// Area returns the area with the Corridor code (Area.Code).
func (m *Matcher) Area(code string) (Area, bool) {
	if i, ok := m.byCode[code]; ok {
		return m.areas[i], true
	}
	return Area{}, false
}

// MatchList splits a comma-separated list of names, as the Missing Migrants
// Project writes several countries of origin in one cell
// ("Eritrea,Ethiopia,Sudan,Unknown"), and matches each. Some names contain
// a comma themselves ("China, Hong Kong SAR", "Korea, Rep."), so at each
// position the longest run of pieces that is a known name is taken
// (at most four pieces). Pieces that are no area are returned in unmatched,
// trimmed, in order.
func (m *Matcher) MatchList(text string) (matched []Area, unmatched []string) {
	parts := strings.Split(text, ",")
	for i := 0; i < len(parts); {
		taken := 0
		for j := min(len(parts), i+4); j > i; j-- {
			cand := strings.Join(parts[i:j], ",")
			if a, ok := m.Match(cand); ok {
				matched = append(matched, a)
				taken = j - i
				break
			}
		}
		if taken == 0 {
			if p := strings.TrimSpace(parts[i]); p != "" {
				unmatched = append(unmatched, p)
			}
			taken = 1
		}
		i += taken
	}
	return matched, unmatched
}

// Ambiguities returns the normalised names and codes that two areas claim
// with equal rank, which the default view therefore does not match, with
// the codes of the areas claiming each.
func (m *Matcher) Ambiguities() map[string][]string {
	out := make(map[string][]string, len(m.ambiguous))
	for k, v := range m.ambiguous {
		out[k] = slices.Clone(v)
	}
	return out
}

// codeShaped reports whether free text has the shape of a code in any
// case ("AUS", "aus", "004", "WB-HIC"), before anything is allocated for
// it. A three-letter word passes too; the code lookup then fails and the
// name lookup answers.
func codeShaped(t string) bool {
	if len(t) == 6 && strings.EqualFold(t[:3], "WB-") {
		t = t[3:]
	}
	digits := true
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case '0' <= c && c <= '9':
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
			digits = false
		default:
			return false
		}
	}
	return digits || len(t) == 2 || len(t) == 3
}

// codeKey says which code map an upper-cased code belongs in, without
// normalising it as a name; ok is false when it has no code shape.
func codeKey(c string) (keyClass, string, bool) {
	switch {
	case c != "" && strings.Trim(c, "0123456789") == "":
		return classNum, canonNum(c), true
	case isUpperAlpha(c, 2):
		return classISO2, c, true
	case isAlnumUpper(c, 3) && strings.Trim(c, "0123456789") != "",
		strings.HasPrefix(c, "WB-") && isAlnumUpper(c[3:], 3):
		return classCode, c, true
	}
	return className, "", false
}

// code looks an upper-cased code up: the preferred source first, then the
// Corridor codes, then the default index. Two-letter codes only when
// withISO2.
func (m *Matcher) code(c string, withISO2 bool) (int32, bool) {
	if c == "" {
		return 0, false
	}
	class, k, ok := codeKey(c)
	if !ok || class == classISO2 && !withISO2 {
		return 0, false
	}
	if m.prefer != nil {
		if i, ok := m.prefer.m(class)[k]; ok {
			return i, true
		}
	}
	if i, ok := m.byCode[c]; ok {
		return i, true
	}
	i, ok := m.def.m(class)[k]
	return i, ok
}

func (m *Matcher) name(k string) (int32, bool) {
	if k == "" {
		return 0, false
	}
	if m.prefer != nil {
		if i, ok := m.prefer.names[k]; ok {
			return i, true
		}
	}
	i, ok := m.def.names[k]
	return i, ok
}
