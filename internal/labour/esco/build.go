package esco

import (
	"sort"
	"strings"
)

// Sources are the parsed ESCO files Build combines.
type Sources struct {
	Occupations []Occupation
	Profiles    []Profile
	// BroaderOccupations is broaderRelationsOccPillar_en.csv: an
	// occupation's broader occupation.
	BroaderOccupations []Broader
	SkillGroups        []SkillGroup
	Hierarchy          []HierarchyLink
	// BroaderSkills is broaderRelationsSkillPillar_en.csv: the skill
	// groups above a skill (by URI) and above a skill group.
	BroaderSkills []Broader
	// Collections holds each collection's skills by collection name
	// (CollectionDigital …).
	Collections map[string][]ListedSkill
	// Legacy is the v1.0 en-us skills list (fallback URIs, types and
	// alternative labels, matched by label).
	Legacy []ListedSkill
}

// BuildReport counts what Build found: the data-quality figures of an
// import.
type BuildReport struct {
	Occupations    int `json:"occupations"`
	Skills         int `json:"skills"`
	EssentialLinks int `json:"essentialLinks"`
	OptionalLinks  int `json:"optionalLinks"`
	// SkillsFromProfiles are the distinct labels the profiles use;
	// SkillsOnlyInCollections the collection skills no profile uses.
	SkillsFromProfiles      int `json:"skillsFromProfiles"`
	SkillsOnlyInCollections int `json:"skillsOnlyInCollections"`
	// URI coverage: from a v1.2 collection, from the legacy list by exact
	// label, by label with US/UK spelling folded; none.
	URIFromCollection     int `json:"uriFromCollection"`
	URIFromLegacy         int `json:"uriFromLegacy"`
	URIFromLegacySpelling int `json:"uriFromLegacySpelling"`
	SkillsWithoutURI      int `json:"skillsWithoutUri"`
	// ProfileLabelsWithoutURI are profile links whose skill has no URI.
	ProfileLinksWithoutURI int `json:"profileLinksWithoutUri"`
	SkillsWithoutType      int `json:"skillsWithoutType"`
	SkillsWithGroup        int `json:"skillsWithGroup"`
	// LinksBothEssentialOptional: the same skill listed as essential and
	// optional for one occupation (kept as both, as the source has it).
	LinksBothEssentialOptional int `json:"linksBothEssentialOptional"`
	// DuplicateLinks: a skill listed twice in one list (kept once).
	DuplicateLinks int `json:"duplicateLinks"`
	// ProfilesUnknownOccupation: profile lines for an occupation not in
	// occupations_en.csv (skipped); OccupationsWithoutProfile: the reverse.
	ProfilesUnknownOccupation int `json:"profilesUnknownOccupation"`
	OccupationsWithoutProfile int `json:"occupationsWithoutProfile"`
	// BroaderUnknown: broader-occupation rows naming an occupation not in
	// the file (skipped).
	BroaderUnknown int `json:"broaderUnknown"`
	// LegacyURIConflicts: a legacy URI matched to two skills by spelling
	// folding (given to neither).
	LegacyURIConflicts int `json:"legacyUriConflicts"`
	// LegacyWithoutLabel: legacy rows with an empty preferred label.
	LegacyWithoutLabel int `json:"legacyWithoutLabel"`
}

// Build combines the parsed files into a Taxonomy's input (without ISCO
// groups, which come from their own file): the skills are every label the
// profiles use and every collection skill, numbered 1…N by folded label.
func Build(src Sources) (Input, BuildReport, error) {
	var rep BuildReport
	in := Input{Occupations: make([]Occupation, len(src.Occupations))}
	copy(in.Occupations, src.Occupations)
	occIdx := make(map[string]int, len(in.Occupations))
	for i, o := range in.Occupations {
		occIdx[o.URI] = i
	}

	// Skills: profile labels ∪ collection labels.
	type info struct {
		uri, typ  string
		alts      []string
		altSeen   map[string]bool
		cols      []string
		groups    []string
		knowledge bool
		inProfile bool
		uriSource int // 1 collection, 2 legacy exact, 3 legacy spelling
	}
	skills := map[string]*info{}
	get := func(label string) *info {
		s := skills[label]
		if s == nil {
			s = &info{altSeen: map[string]bool{label: true}}
			skills[label] = s
		}
		return s
	}
	addAlts := func(s *info, alts ...string) {
		for _, a := range alts {
			if a != "" && !s.altSeen[a] {
				s.altSeen[a] = true
				s.alts = append(s.alts, a)
			}
		}
	}
	for _, p := range src.Profiles {
		for _, l := range p.Essential {
			get(l).inProfile = true
		}
		for _, l := range p.Optional {
			get(l).inProfile = true
		}
		for _, l := range p.Knowledge {
			get(l).knowledge = true
		}
	}
	for _, s := range skills {
		if s.inProfile {
			rep.SkillsFromProfiles++
		}
	}
	groupURIs := map[string]bool{}
	for _, g := range src.SkillGroups {
		groupURIs[g.URI] = true
	}
	for _, h := range src.Hierarchy {
		groupURIs[h.URI] = true
	}
	uriOwner := map[string]string{} // URI → label
	for _, col := range Collections {
		for _, ls := range src.Collections[col] {
			s := get(ls.Label)
			if s.uri == "" {
				if _, taken := uriOwner[ls.URI]; !taken {
					s.uri, s.uriSource = ls.URI, 1
					uriOwner[ls.URI] = ls.Label
				}
			}
			if s.typ == "" {
				s.typ = ls.Type
			}
			switch col {
			case CollectionLanguage:
				s.typ = TypeLanguage
			case CollectionTransversal:
				if s.typ != TypeLanguage {
					s.typ = TypeTransversal
				}
			}
			s.cols = append(s.cols, col)
			addAlts(s, ls.AltLabels...)
			for _, b := range ls.Broader {
				if groupURIs[b] {
					s.groups = append(s.groups, b)
				}
			}
		}
	}
	for _, s := range skills {
		if !s.inProfile {
			rep.SkillsOnlyInCollections++
		}
	}

	// Legacy list: exact label first, then US/UK spelling folded (only
	// when the folded label names one legacy skill).
	legacyByLabel := map[string]*ListedSkill{}
	legacyBySpelling := map[string][]*ListedSkill{}
	for i := range src.Legacy {
		ls := &src.Legacy[i]
		if ls.Label == "" {
			rep.LegacyWithoutLabel++
			continue
		}
		if _, dup := legacyByLabel[ls.Label]; !dup {
			legacyByLabel[ls.Label] = ls
		}
		k := spellingKey(ls.Label)
		legacyBySpelling[k] = append(legacyBySpelling[k], ls)
	}
	labels := make([]string, 0, len(skills))
	for l := range skills {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	spellingClaims := map[string][]string{} // legacy URI → labels claiming it by spelling
	legacyOf := map[string]*ListedSkill{}
	for _, l := range labels {
		s := skills[l]
		ls, exact := legacyByLabel[l]
		if !exact {
			if c := legacyBySpelling[spellingKey(l)]; len(c) == 1 {
				ls = c[0]
			}
		}
		if ls == nil {
			continue
		}
		legacyOf[l] = ls
		if s.uri == "" {
			if _, taken := uriOwner[ls.URI]; !taken {
				if exact {
					s.uri, s.uriSource = ls.URI, 2
					uriOwner[ls.URI] = l
				} else {
					spellingClaims[ls.URI] = append(spellingClaims[ls.URI], l)
				}
			}
		}
	}
	for uri, ls := range spellingClaims {
		if _, taken := uriOwner[uri]; taken || len(ls) > 1 {
			rep.LegacyURIConflicts++
			continue
		}
		s := skills[ls[0]]
		s.uri, s.uriSource = uri, 3
		uriOwner[uri] = ls[0]
	}
	for _, l := range labels {
		s, ls := skills[l], legacyOf[l]
		if ls == nil {
			continue
		}
		if ls.Label != l {
			addAlts(s, ls.Label) // the US spelling is a synonym
		}
		addAlts(s, ls.AltLabels...)
		if s.typ == "" && s.knowledge {
			s.typ = TypeKnowledge
		}
		if s.typ == "" {
			s.typ = ls.Type
		}
	}

	// Skill groups of skills with a URI.
	broaderOf := map[string][]string{}
	for _, b := range src.BroaderSkills {
		if b.BroaderType == "SkillGroup" || groupURIs[b.BroaderURI] {
			broaderOf[b.URI] = append(broaderOf[b.URI], b.BroaderURI)
		}
	}

	// Dense ids by folded label, then label.
	type keyed struct{ key, label string }
	order := make([]keyed, len(labels))
	for i, l := range labels {
		order[i] = keyed{foldJoin(l), l}
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].key != order[j].key {
			return order[i].key < order[j].key
		}
		return order[i].label < order[j].label
	})
	idOf := make(map[string]SkillID, len(order))
	in.Skills = make([]Skill, len(order))
	for i, k := range order {
		s := skills[k.label]
		id := SkillID(i + 1)
		idOf[k.label] = id
		if s.typ == "" && s.knowledge {
			s.typ = TypeKnowledge
		}
		groups := s.groups
		if s.uri != "" {
			groups = append(groups, broaderOf[s.uri]...)
		}
		in.Skills[i] = Skill{ID: id, URI: s.uri, Label: k.label, AltLabels: s.alts, Type: s.typ,
			Collections: uniqSorted(s.cols), Groups: uniqSorted(groups)}
		switch s.uriSource {
		case 0:
			rep.SkillsWithoutURI++
		case 1:
			rep.URIFromCollection++
		case 2:
			rep.URIFromLegacy++
		case 3:
			rep.URIFromLegacySpelling++
		}
		if s.typ == "" {
			rep.SkillsWithoutType++
		}
		if len(in.Skills[i].Groups) > 0 {
			rep.SkillsWithGroup++
		}
	}

	// Profiles.
	hasProfile := make([]bool, len(in.Occupations))
	for _, p := range src.Profiles {
		i, ok := occIdx[p.OccupationURI]
		if !ok {
			rep.ProfilesUnknownOccupation++
			continue
		}
		hasProfile[i] = true
		o := &in.Occupations[i]
		ess := map[SkillID]bool{}
		o.Essential, o.Optional = nil, nil
		for _, l := range p.Essential {
			id := idOf[l]
			if ess[id] {
				rep.DuplicateLinks++
				continue
			}
			ess[id] = true
			o.Essential = append(o.Essential, id)
		}
		opt := map[SkillID]bool{}
		for _, l := range p.Optional {
			id := idOf[l]
			if opt[id] {
				rep.DuplicateLinks++
				continue
			}
			opt[id] = true
			if ess[id] {
				rep.LinksBothEssentialOptional++
			}
			o.Optional = append(o.Optional, id)
		}
		for _, id := range o.Essential {
			if in.Skills[id-1].URI == "" {
				rep.ProfileLinksWithoutURI++
			}
		}
		for _, id := range o.Optional {
			if in.Skills[id-1].URI == "" {
				rep.ProfileLinksWithoutURI++
			}
		}
		rep.EssentialLinks += len(o.Essential)
		rep.OptionalLinks += len(o.Optional)
	}
	for _, h := range hasProfile {
		if !h {
			rep.OccupationsWithoutProfile++
		}
	}

	// Broader occupations.
	for _, b := range src.BroaderOccupations {
		if b.ConceptType != "Occupation" || b.BroaderType != "Occupation" {
			continue
		}
		i, ok := occIdx[b.URI]
		_, ok2 := occIdx[b.BroaderURI]
		if !ok || !ok2 {
			rep.BroaderUnknown++
			continue
		}
		in.Occupations[i].Broader = b.BroaderURI
	}

	in.SkillGroups = buildSkillGroups(src)
	rep.Occupations, rep.Skills = len(in.Occupations), len(in.Skills)
	return in, rep, nil
}

// buildSkillGroups gives each skill group its parent and level: from the
// skills hierarchy file, else from the broader relations; concepts of the
// hierarchy missing from skillGroups_en.csv are added from it.
func buildSkillGroups(src Sources) []SkillGroup {
	byURI := map[string]*SkillGroup{}
	var out []*SkillGroup
	for _, g := range src.SkillGroups {
		g := g
		g.Level = -1
		byURI[g.URI] = &g
		out = append(out, &g)
	}
	for _, h := range src.Hierarchy {
		g := byURI[h.URI]
		if g == nil {
			g = &SkillGroup{URI: h.URI, Label: h.Label, Code: h.Code}
			byURI[h.URI] = g
			out = append(out, g)
		}
		g.Parent, g.Level = h.Parent, h.Level
	}
	for _, b := range src.BroaderSkills {
		if g := byURI[b.URI]; g != nil && g.Parent == "" && g.Level < 0 && byURI[b.BroaderURI] != nil {
			g.Parent = b.BroaderURI
		}
	}
	res := make([]SkillGroup, 0, len(out))
	for _, g := range out {
		if g.Level < 0 { // depth by the parent chain
			d, p := 0, g.Parent
			for p != "" && d < 10 {
				d++
				if pg := byURI[p]; pg != nil {
					p = pg.Parent
				} else {
					p = ""
				}
			}
			g.Level = d
		}
		res = append(res, *g)
	}
	return res
}

func uniqSorted(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	s = append([]string(nil), s...)
	sort.Strings(s)
	out := s[:1]
	for _, v := range s[1:] {
		if v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

// spellingKey folds a label and the usual US/UK spelling differences
// ("organize"/"organise", "color"/"colour", "pediatric"/"paediatric",
// "center"/"centre", "modeling"/"modelling", "catalog"/"catalogue",
// "license"/"licence"), to match the en-us legacy list to v1.2 labels.
var spellingReplacer = strings.NewReplacer("yz", "ys", "iz", "is", "our", "or", "ae", "e", "oe", "e", "ll", "l", "ogue", "og", "ence", "ense")

func spellingKey(label string) string {
	words := fold(label)
	for i, w := range words {
		w = spellingReplacer.Replace(w)
		if strings.HasSuffix(w, "tre") {
			w = strings.TrimSuffix(w, "tre") + "ter"
		}
		if strings.HasSuffix(w, "tres") {
			w = strings.TrimSuffix(w, "tres") + "ters"
		}
		words[i] = w
	}
	return strings.Join(words, " ")
}
