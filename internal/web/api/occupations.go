package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/labour/esco"
	"github.com/corridor-platform/corridor/internal/web"
)

// The labour taxonomy routes: occupation and skill search over ESCO v1.2
// and ISCO-08 (store.DB.LabourTaxonomy), public reads under the
// "statistics" resource.

// ESCOCitation is the attribution of the ESCO and ISCO data.
const ESCOCitation = "ESCO classification v1.2.0, European Commission; ISCO-08, International Labour Organization"

// Search parameter limits.
const (
	OccupationQueryMax = 200
	OccupationLimitMax = 100
	occupationLimitDef = 20
)

func (a *API) registerOccupations(r *web.Router) {
	c := a.occupationCache()
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/occupations", Resource: "statistics", Action: web.ActionRead, Public: true,
		Summary: "Search ESCO occupations by label or synonym (accents and case ignored), ISCO-08 code, ESCO code or URI",
		Handler: c.Wrap(http.HandlerFunc(a.searchOccupations))})
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/occupations/{code}", Resource: "statistics", Action: web.ActionRead, Public: true,
		Summary: "One ESCO occupation (by ESCO code) with its essential and optional skills, or an ISCO-08 group (1–4 digits) with its occupations",
		Handler: c.Wrap(http.HandlerFunc(a.getOccupation))})
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/skills", Resource: "statistics", Action: web.ActionRead, Public: true,
		Summary: "Search ESCO skills and knowledge by label or synonym (accents and case ignored) or URI",
		Handler: c.Wrap(http.HandlerFunc(a.searchSkills))})
}

// occupationCache validates the answers with the taxonomy's version.
func (a *API) occupationCache() Cache {
	if a.db == nil {
		return Cache{}
	}
	return Cache{
		Token: func(ctx context.Context) (string, error) {
			v, err := a.db.LabourTaxonomyVersion(ctx)
			return a.version + "/l" + strconv.FormatInt(v, 10), err
		},
	}
}

// OccupationHit is one occupation of a search.
type OccupationHit struct {
	URI             string `json:"uri"`
	Code            string `json:"code"`
	Label           string `json:"label"`
	ISCOGroup       string `json:"iscoGroup"`
	ISCOLabel       string `json:"iscoLabel"`
	MatchedLabel    string `json:"matchedLabel"`
	Synonym         bool   `json:"synonym"`
	EssentialSkills int    `json:"essentialSkills"`
	OptionalSkills  int    `json:"optionalSkills"`
}

// OccupationsAnswer is the occupation search.
type OccupationsAnswer struct {
	Query       string          `json:"query"`
	Occupations []OccupationHit `json:"occupations"`
	Citation    string          `json:"citation"`
}

// SkillHit is one skill of a search or of an occupation's profile.
type SkillHit struct {
	ID           esco.SkillID `json:"id"`
	URI          string       `json:"uri"`
	Label        string       `json:"label"`
	Type         string       `json:"type"`
	MatchedLabel string       `json:"matchedLabel,omitempty"`
	Synonym      bool         `json:"synonym"`
	Collections  []string     `json:"collections"`
}

// SkillsAnswer is the skill search.
type SkillsAnswer struct {
	Query    string     `json:"query"`
	Skills   []SkillHit `json:"skills"`
	Citation string     `json:"citation"`
}

// OccupationAnswer is one occupation with its skills, or one ISCO group
// (Occupation nil) with its ancestors and occupations.
type OccupationAnswer struct {
	Occupation      *OccupationDetail `json:"occupation,omitempty"`
	ISCO            []esco.ISCOGroup  `json:"isco"` // the group and those above it, major group first
	Occupations     []OccupationHit   `json:"occupations,omitempty"`
	EssentialSkills []SkillHit        `json:"essentialSkills,omitempty"`
	OptionalSkills  []SkillHit        `json:"optionalSkills,omitempty"`
	Citation        string            `json:"citation"`
}

// OccupationDetail is an occupation's description.
type OccupationDetail struct {
	OccupationHit
	AltLabels   []string `json:"altLabels"`
	Description string   `json:"description"`
	Broader     string   `json:"broader,omitempty"`
}

// searchParams reads q (required, ≤ 200 characters) and limit (1–100).
func searchParams(r *http.Request) (string, int, error) {
	q := newQuery(r)
	text := q.str("q", OccupationQueryMax)
	limit := q.intRange("limit", occupationLimitDef, 1, OccupationLimitMax)
	if q.err == nil && text == "" {
		q.fail("q", "required: words of a label, a code or a URI")
	}
	return text, limit, q.done()
}

func occupationHit(t *esco.Taxonomy, o *esco.Occupation) OccupationHit {
	h := OccupationHit{URI: o.URI, Code: o.Code, Label: o.Label, ISCOGroup: o.ISCOGroup, MatchedLabel: o.Label,
		EssentialSkills: len(o.Essential), OptionalSkills: len(o.Optional)}
	if g, ok := t.ISCOGroup(o.ISCOGroup); ok {
		h.ISCOLabel = g.Label
	}
	return h
}

func skillHit(s *esco.Skill) SkillHit {
	cols := s.Collections
	if cols == nil {
		cols = []string{}
	}
	return SkillHit{ID: s.ID, URI: s.URI, Label: s.Label, Type: s.Type, Collections: cols}
}

func (a *API) searchOccupations(w http.ResponseWriter, r *http.Request) {
	text, limit, err := searchParams(r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	t, err := a.db.LabourTaxonomy(r.Context())
	if err != nil {
		a.problem(w, r, err)
		return
	}
	ans := OccupationsAnswer{Query: text, Occupations: []OccupationHit{}, Citation: ESCOCitation}
	for _, h := range t.SearchOccupations(text, limit) {
		oh := occupationHit(t, h.Occupation)
		oh.MatchedLabel, oh.Synonym = h.MatchedLabel, h.Synonym
		ans.Occupations = append(ans.Occupations, oh)
	}
	web.WriteJSON(w, http.StatusOK, ans)
}

func (a *API) searchSkills(w http.ResponseWriter, r *http.Request) {
	text, limit, err := searchParams(r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	t, err := a.db.LabourTaxonomy(r.Context())
	if err != nil {
		a.problem(w, r, err)
		return
	}
	ans := SkillsAnswer{Query: text, Skills: []SkillHit{}, Citation: ESCOCitation}
	for _, h := range t.SearchSkills(text, limit) {
		sh := skillHit(h.Skill)
		sh.MatchedLabel, sh.Synonym = h.MatchedLabel, h.Synonym
		ans.Skills = append(ans.Skills, sh)
	}
	web.WriteJSON(w, http.StatusOK, ans)
}

func (a *API) getOccupation(w http.ResponseWriter, r *http.Request) {
	code := strings.TrimSpace(r.PathValue("code"))
	if err := newQuery(r).done(); err != nil {
		a.problem(w, r, err)
		return
	}
	if code == "" || len(code) > 40 {
		a.problem(w, r, &web.ParamError{Param: "code", Reason: "an ESCO occupation code (e.g. 7212.3) or an ISCO-08 code of 1 to 4 digits"})
		return
	}
	t, err := a.db.LabourTaxonomy(r.Context())
	if err != nil {
		a.problem(w, r, err)
		return
	}
	ans := OccupationAnswer{Citation: ESCOCitation}
	if o, ok := t.Occupation(code); ok {
		d := &OccupationDetail{OccupationHit: occupationHit(t, o), AltLabels: o.AltLabels, Description: o.Description, Broader: o.Broader}
		if d.AltLabels == nil {
			d.AltLabels = []string{}
		}
		ans.Occupation = d
		ans.ISCO = t.ISCOAncestors(o.ISCOGroup)
		ans.EssentialSkills, ans.OptionalSkills = []SkillHit{}, []SkillHit{}
		for _, id := range o.Essential {
			if s, ok := t.Skill(id); ok {
				ans.EssentialSkills = append(ans.EssentialSkills, skillHit(s))
			}
		}
		for _, id := range o.Optional {
			if s, ok := t.Skill(id); ok {
				ans.OptionalSkills = append(ans.OptionalSkills, skillHit(s))
			}
		}
		web.WriteJSON(w, http.StatusOK, ans)
		return
	}
	if _, ok := t.ISCOGroup(code); ok {
		ans.ISCO = t.ISCOAncestors(code)
		ans.Occupations = []OccupationHit{}
		for _, o := range t.OccupationsInISCO(code) {
			ans.Occupations = append(ans.Occupations, occupationHit(t, o))
		}
		web.WriteJSON(w, http.StatusOK, ans)
		return
	}
	a.problem(w, r, derrors.Kindf(derrors.NotFound, "no ESCO occupation or ISCO-08 group with code %q", code))
}
