// Package esco reads the ESCO classification (occupations, skills, skill
// groups, collections, occupation skill profiles) and the ISCO-08 groups,
// and holds them as an in-memory Taxonomy with fast, accent-insensitive
// search over labels and synonyms. It is pure: files in, values out; the
// store persists a Taxonomy's contents and rebuilds it with New.
//
// Sources (data/esco, data/isco, PROVENANCE.md): ESCO v1.2.0's CSV files,
// a derived occupation-profile table (esco_occupation_profiles.jsonl)
// that names skills by preferred LABEL, and the v1.0 en-us skills list.
// The v1.2 skills master list is not available, so the skills are the
// labels the profiles use plus the v1.2 collections' skills; their URIs
// come from the collections (v1.2) or, by label, the legacy list.
package esco

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// SkillID is a skill's dense identifier: 1…N over the skills sorted by
// folded label (then label), so the same input gives the same ids.
type SkillID = int32

// Skill types.
const (
	TypeSkill       = "skill/competence"
	TypeKnowledge   = "knowledge"
	TypeLanguage    = "language"    // a skill of the language collection
	TypeTransversal = "transversal" // a skill of the transversal collection
)

// ISCOGroup is an ISCO-08 group: level 1 (major, 1 digit) to 4 (unit
// group, 4 digits).
type ISCOGroup struct {
	Code        string   `json:"code"`
	URI         string   `json:"uri"`
	Label       string   `json:"label"`
	AltLabels   []string `json:"altLabels,omitempty"`
	Description string   `json:"description,omitempty"`
	Level       int      `json:"level"`
	Parent      string   `json:"parent,omitempty"` // code of the group above; "" at level 1
}

func (g *ISCOGroup) fill() {
	g.Level = len(g.Code)
	g.Parent = ""
	if len(g.Code) > 1 {
		g.Parent = g.Code[:len(g.Code)-1]
	}
}

// Occupation is an ESCO occupation.
type Occupation struct {
	URI          string    `json:"uri"`
	Code         string    `json:"code"` // ESCO code, e.g. 7212.1
	Label        string    `json:"label"`
	AltLabels    []string  `json:"altLabels,omitempty"`
	HiddenLabels []string  `json:"hiddenLabels,omitempty"`
	ISCOGroup    string    `json:"iscoGroup"`         // 4-digit unit group code
	Broader      string    `json:"broader,omitempty"` // URI of the broader occupation, if any
	Description  string    `json:"description,omitempty"`
	Essential    []SkillID `json:"essential,omitempty"`
	Optional     []SkillID `json:"optional,omitempty"`
}

// Skill is an ESCO skill, knowledge or competence.
type Skill struct {
	ID          SkillID  `json:"id"`
	URI         string   `json:"uri,omitempty"` // "" when no source gives it
	Label       string   `json:"label"`
	AltLabels   []string `json:"altLabels,omitempty"`
	Type        string   `json:"type,omitempty"` // Type*; "" unknown
	Collections []string `json:"collections,omitempty"`
	Groups      []string `json:"groups,omitempty"` // URIs of the skill groups above it
}

// SkillGroup is a node of ESCO's skills hierarchy.
type SkillGroup struct {
	URI       string   `json:"uri"`
	Code      string   `json:"code,omitempty"`
	Label     string   `json:"label"`
	AltLabels []string `json:"altLabels,omitempty"`
	Parent    string   `json:"parent,omitempty"`
	Level     int      `json:"level"`
}

// Input is everything a Taxonomy holds. Skills must have the ids 1…N,
// in any order; occupations refer to them.
type Input struct {
	ISCOGroups  []ISCOGroup
	Occupations []Occupation
	Skills      []Skill
	SkillGroups []SkillGroup
}

// Taxonomy is the ESCO/ISCO taxonomy in memory, with search indexes.
// It is read-only after New and safe for concurrent use; the pointers
// its methods return must not be modified.
type Taxonomy struct {
	groups      []ISCOGroup
	groupByCode map[string]int
	occs        []Occupation
	occByKey    map[string]int // URI and ESCO code
	skills      []Skill        // index id-1
	skillByURI  map[string]SkillID
	skillByLbl  map[string]SkillID // exact label, then folded label
	sgroups     []SkillGroup
	occIndex    index
	skillIndex  index
}

// New builds a Taxonomy. It checks that skill ids are 1…N and that
// every profile refers to a known skill.
func New(in Input) (*Taxonomy, error) {
	t := &Taxonomy{
		groups:      slices.Clone(in.ISCOGroups),
		groupByCode: make(map[string]int, len(in.ISCOGroups)),
		occs:        slices.Clone(in.Occupations),
		occByKey:    make(map[string]int, 2*len(in.Occupations)),
		skills:      make([]Skill, len(in.Skills)),
		skillByURI:  make(map[string]SkillID, len(in.Skills)),
		skillByLbl:  make(map[string]SkillID, 2*len(in.Skills)),
		sgroups:     slices.Clone(in.SkillGroups),
	}
	sort.Slice(t.groups, func(i, j int) bool { return t.groups[i].Code < t.groups[j].Code })
	for i := range t.groups {
		g := &t.groups[i]
		g.fill()
		if _, dup := t.groupByCode[g.Code]; dup {
			return nil, fmt.Errorf("esco: ISCO group %s twice", g.Code)
		}
		t.groupByCode[g.Code] = i
	}
	for _, s := range in.Skills {
		if s.ID < 1 || int(s.ID) > len(in.Skills) || t.skills[s.ID-1].ID != 0 {
			return nil, fmt.Errorf("esco: skill ids must be 1…%d, each once (bad: %d %q)", len(in.Skills), s.ID, s.Label)
		}
		t.skills[s.ID-1] = s
	}
	for i := range t.skills {
		s := &t.skills[i]
		if s.URI != "" {
			t.skillByURI[s.URI] = s.ID
		}
		t.skillByLbl[s.Label] = s.ID
	}
	for i := range t.skills { // folded labels after every exact one
		s := &t.skills[i]
		if k := foldJoin(s.Label); k != "" {
			if _, ok := t.skillByLbl[k]; !ok {
				t.skillByLbl[k] = s.ID
			}
		}
	}
	sort.Slice(t.occs, func(i, j int) bool { return t.occs[i].URI < t.occs[j].URI })
	n := SkillID(len(t.skills))
	for i := range t.occs {
		o := &t.occs[i]
		for _, id := range slices.Concat(o.Essential, o.Optional) {
			if id < 1 || id > n {
				return nil, fmt.Errorf("esco: occupation %s: unknown skill id %d", o.URI, id)
			}
		}
		t.occByKey[o.URI] = i
		if o.Code != "" {
			t.occByKey[o.Code] = i
		}
	}
	sort.Slice(t.sgroups, func(i, j int) bool { return t.sgroups[i].URI < t.sgroups[j].URI })

	t.occIndex = buildIndex(len(t.occs), func(i int) (string, []string) { return t.occs[i].Label, t.occs[i].AltLabels })
	t.skillIndex = buildIndex(len(t.skills), func(i int) (string, []string) { return t.skills[i].Label, t.skills[i].AltLabels })
	return t, nil
}

// ISCOGroups returns the ISCO groups by code.
func (t *Taxonomy) ISCOGroups() []ISCOGroup { return t.groups }

// Occupations returns the occupations by URI.
func (t *Taxonomy) Occupations() []Occupation { return t.occs }

// Skills returns the skills by id (Skills()[id-1]).
func (t *Taxonomy) Skills() []Skill { return t.skills }

// SkillGroups returns the skill groups by URI.
func (t *Taxonomy) SkillGroups() []SkillGroup { return t.sgroups }

// ISCOGroup returns a group by its code.
func (t *Taxonomy) ISCOGroup(code string) (*ISCOGroup, bool) {
	i, ok := t.groupByCode[strings.TrimSpace(code)]
	if !ok {
		return nil, false
	}
	return &t.groups[i], true
}

// ISCOAncestors returns the group of code and the groups above it, from
// the major group down (["7", "71", "711", "7112"]); the codes unknown
// to the taxonomy are left out.
func (t *Taxonomy) ISCOAncestors(code string) []ISCOGroup {
	var out []ISCOGroup
	code = strings.TrimSpace(code)
	for l := 1; l <= len(code); l++ {
		if g, ok := t.ISCOGroup(code[:l]); ok {
			out = append(out, *g)
		}
	}
	return out
}

// Occupation returns an occupation by URI or ESCO code.
func (t *Taxonomy) Occupation(uriOrCode string) (*Occupation, bool) {
	i, ok := t.occByKey[strings.TrimSpace(uriOrCode)]
	if !ok {
		return nil, false
	}
	return &t.occs[i], true
}

// OccupationsInISCO returns the occupations of an ISCO group and of the
// groups under it (code "71" gives every 71xx occupation), by ESCO code.
func (t *Taxonomy) OccupationsInISCO(code string) []*Occupation {
	code = strings.TrimSpace(code)
	if code == "" || !isDigits(code) {
		return nil
	}
	var out []*Occupation
	for i := range t.occs {
		if strings.HasPrefix(t.occs[i].ISCOGroup, code) {
			out = append(out, &t.occs[i])
		}
	}
	sort.Slice(out, func(i, j int) bool { return codeLess(out[i].Code, out[j].Code) })
	return out
}

// codeLess orders ESCO codes numerically part by part (2511.2 < 2511.10).
func codeLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] != pb[i] {
			if len(pa[i]) != len(pb[i]) {
				return len(pa[i]) < len(pb[i])
			}
			return pa[i] < pb[i]
		}
	}
	return len(pa) < len(pb)
}

// Skill returns a skill by id.
func (t *Taxonomy) Skill(id SkillID) (*Skill, bool) {
	if id < 1 || int(id) > len(t.skills) {
		return nil, false
	}
	return &t.skills[id-1], true
}

// SkillByLabel returns a skill by its preferred label (exactly, else
// ignoring case, accents and punctuation).
func (t *Taxonomy) SkillByLabel(label string) (*Skill, bool) {
	id, ok := t.skillByLbl[strings.TrimSpace(label)]
	if !ok {
		id, ok = t.skillByLbl[foldJoin(label)]
	}
	if !ok {
		return nil, false
	}
	return &t.skills[id-1], true
}

// SkillByURI returns a skill by its ESCO URI.
func (t *Taxonomy) SkillByURI(uri string) (*Skill, bool) {
	id, ok := t.skillByURI[strings.TrimSpace(uri)]
	if !ok {
		return nil, false
	}
	return &t.skills[id-1], true
}

// Profile returns an occupation's essential and optional skills (nil,
// nil for an unknown occupation).
func (t *Taxonomy) Profile(occupationURI string) (essential, optional []SkillID) {
	o, ok := t.Occupation(occupationURI)
	if !ok {
		return nil, nil
	}
	return o.Essential, o.Optional
}

// Counts summarises a Taxonomy.
type Counts struct {
	ISCOGroups     int            `json:"iscoGroups"`
	ISCOByLevel    [5]int         `json:"iscoByLevel"` // [1]…[4]
	Occupations    int            `json:"occupations"`
	Skills         int            `json:"skills"`
	SkillsWithURI  int            `json:"skillsWithUri"`
	SkillGroups    int            `json:"skillGroups"`
	EssentialLinks int            `json:"essentialLinks"`
	OptionalLinks  int            `json:"optionalLinks"`
	ByType         map[string]int `json:"byType"`
	ByCollection   map[string]int `json:"byCollection"`
}

// Counts returns the sizes of the taxonomy.
func (t *Taxonomy) Counts() Counts {
	c := Counts{ISCOGroups: len(t.groups), Occupations: len(t.occs), Skills: len(t.skills), SkillGroups: len(t.sgroups),
		ByType: map[string]int{}, ByCollection: map[string]int{}}
	for _, g := range t.groups {
		if g.Level >= 1 && g.Level <= 4 {
			c.ISCOByLevel[g.Level]++
		}
	}
	for _, o := range t.occs {
		c.EssentialLinks += len(o.Essential)
		c.OptionalLinks += len(o.Optional)
	}
	for _, s := range t.skills {
		if s.URI != "" {
			c.SkillsWithURI++
		}
		c.ByType[s.Type]++
		for _, col := range s.Collections {
			c.ByCollection[col]++
		}
	}
	return c
}
