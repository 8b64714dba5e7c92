package match

import (
	"cmp"
	"slices"
)

// Component maxima.
const (
	maxSkills         = 500
	maxOccupation     = 200
	maxLanguages      = 150
	educationPoints   = 60
	experiencePoints  = 40
	preferencePoints  = 50
	eligibleOccupancy = 100 // occupation points that make a pair eligible without a shared essential skill
	// MaxScore is the highest possible score.
	MaxScore = maxSkills + maxOccupation + maxLanguages + educationPoints + experiencePoints + preferencePoints
)

// vacPrep is a vacancy normalised once per query: skill sets deduplicated
// and sorted, languages deduplicated by code (the highest required level
// wins) and sorted by code. The index fast path and Score both use it so
// they cannot disagree.
type vacPrep struct {
	ess, opt []SkillID
	langs    []Language
	total    int // skill weight: 2 per essential, 1 per optional
}

func prepareVacancy(v *Vacancy) vacPrep {
	ess := sortedSet(v.Essential)
	opt := sortedSet(v.Optional)
	if len(ess) > 0 && len(opt) > 0 {
		opt = slices.DeleteFunc(opt, func(s SkillID) bool {
			_, found := slices.BinarySearch(ess, s)
			return found
		})
	}
	return vacPrep{ess: ess, opt: opt, langs: requiredLanguages(v.Languages), total: 2*len(ess) + len(opt)}
}

func sortedSet(s []SkillID) []SkillID {
	if len(s) == 0 {
		return nil
	}
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

func requiredLanguages(ls []Language) []Language {
	if len(ls) == 0 {
		return nil
	}
	out := slices.Clone(ls)
	// Highest level first within a code, then keep the first of each code.
	slices.SortFunc(out, func(a, b Language) int {
		if c := cmp.Compare(a.Code, b.Code); c != 0 {
			return c
		}
		return cmp.Compare(b.Level, a.Level)
	})
	return slices.CompactFunc(out, func(a, b Language) bool { return a.Code == b.Code })
}

// occupationPoints compares two occupations: same ESCO occupation 200;
// through the ESCO hierarchy, one a specialisation of the other 180, two
// specialisations of the same occupation 170; then the longest common
// ISCO-08 prefix: unit group (4 digits) 160, minor group (3) 100,
// sub-major group (2) 60, major group (1) 20.
func occupationPoints(a, b Occupation) int {
	if a.ESCO != "" && a.ESCO == b.ESCO {
		return 200
	}
	if a.ESCO != "" && a.ESCO == b.Broader || b.ESCO != "" && b.ESCO == a.Broader {
		return 180
	}
	if a.Broader != "" && a.Broader == b.Broader {
		return 170
	}
	for _, l := range [...]struct{ n, pts int }{{4, 160}, {3, 100}, {2, 60}, {1, 20}} {
		if len(a.ISCO) >= l.n && len(b.ISCO) >= l.n && a.ISCO[:l.n] == b.ISCO[:l.n] {
			return l.pts
		}
	}
	return 0
}

// bestOccupation is the best occupationPoints over the worker's occupations.
func bestOccupation(held []Occupation, o Occupation) int {
	best := 0
	for _, h := range held {
		if p := occupationPoints(h, o); p > best {
			best = p
		}
	}
	return best
}

func relationName(pts int) string {
	switch pts {
	case 200:
		return SameOccupation
	case 180:
		return BroaderNarrower
	case 170:
		return SiblingOccupation
	case 160:
		return SameUnitGroup
	case 100:
		return SameMinorGroup
	case 60:
		return SameSubMajorGroup
	case 20:
		return SameMajorGroup
	}
	return Unrelated
}

// minorGroup is the ISCO-08 minor group (first 3 digits) used as an index
// key, or "" when the code is too short to have one.
func minorGroup(isco string) string {
	if len(isco) < 3 {
		return ""
	}
	return isco[:3]
}

// skillPoints is 500 × matched ÷ total rounded half up; with no listed
// skills it falls back to 500 × the occupation closeness fraction (occ/200).
func skillPoints(matched, total, occ int) int {
	if total == 0 {
		return (maxSkills*occ*2 + maxOccupation) / (2 * maxOccupation)
	}
	return (2*maxSkills*matched + total) / (2 * total)
}

// workerLevel is the highest level the worker lists for code (0 if none).
func workerLevel(w *Worker, code string) Level {
	var best Level
	for _, l := range w.Languages {
		if l.Code == code && l.Level > best {
			best = l.Level
		}
	}
	return best
}

func languagePoints(met, required int) int {
	if required == 0 {
		return maxLanguages
	}
	return maxLanguages * met / required
}

func experienceMet(w *Worker, v *Vacancy) bool {
	return v.ExperienceYears <= 0 || w.ExperienceYears >= v.ExperienceYears
}

func experiencePointsFor(w *Worker, v *Vacancy) int {
	if experienceMet(w, v) {
		return experiencePoints
	}
	if w.ExperienceYears <= 0 {
		return 0
	}
	return experiencePoints * w.ExperienceYears / v.ExperienceYears
}

func prefers(w *Worker, dest string) bool {
	return len(w.PreferredDestinations) == 0 || slices.Contains(w.PreferredDestinations, dest)
}

// withinPreferences reports whether the destination is acceptable for the
// assignment: the worker listed it, or listed nothing.
func withinPreferences(w *Worker, dest string) bool { return prefers(w, dest) }

// occKey is an occupation as the indexes compare it: the ESCO occupation
// interned to a number (-1: none) and the ISCO code's digits, so that the
// hot loop compares integers instead of long URIs.
type occKey struct {
	esco, broader int32
	isco          [4]byte
	n             int8 // digits in isco
}

// interner numbers ESCO occupation URIs.
type interner map[string]int32

func (in interner) key(o Occupation, add bool) occKey {
	k := occKey{esco: in.id(o.ESCO, add), broader: in.id(o.Broader, add)}
	k.n = int8(copy(k.isco[:], o.ISCO))
	return k
}

// id numbers an occupation URI (-1: none, or unknown when not adding).
func (in interner) id(uri string, add bool) int32 {
	if uri == "" {
		return -1
	}
	id, ok := in[uri]
	if !ok {
		if !add {
			return -1
		}
		id = int32(len(in))
		in[uri] = id
	}
	return id
}

// points is occupationPoints on keys.
func (a occKey) points(b occKey) int {
	if a.esco >= 0 && a.esco == b.esco {
		return 200
	}
	if a.esco >= 0 && a.esco == b.broader || b.esco >= 0 && b.esco == a.broader {
		return 180
	}
	if a.broader >= 0 && a.broader == b.broader {
		return 170
	}
	for _, l := range [...]struct {
		n   int8
		pts int
	}{{4, 160}, {3, 100}, {2, 60}, {1, 20}} {
		if a.n >= l.n && b.n >= l.n && string(a.isco[:l.n]) == string(b.isco[:l.n]) {
			return l.pts
		}
	}
	return 0
}

func bestKey(held []occKey, o occKey) int {
	best := 0
	for _, h := range held {
		if p := h.points(o); p > best {
			best = p
		}
	}
	return best
}

// fastScore is the score without an explanation, given the matched skill
// weight and the occupation points computed by the caller (from posting
// lists and interned occupations in the indexes).
func fastScore(w *Worker, v *Vacancy, p *vacPrep, matched, occ int) int {
	score := skillPoints(matched, p.total, occ) + occ
	met := 0
	for _, l := range p.langs {
		if workerLevel(w, l.Code) >= l.Level {
			met++
		}
	}
	score += languagePoints(met, len(p.langs))
	if w.Education >= v.Education {
		score += educationPoints
	}
	score += experiencePointsFor(w, v)
	if prefers(w, v.Destination) {
		score += preferencePoints
	}
	return score
}

// Score scores worker w for vacancy v and explains the score. The bool
// reports eligibility: the worker's origin differs from the destination and
// the worker has at least one essential skill or an occupation in the same
// ISCO minor group (occupation component >= 100). The Result is filled in
// even for an ineligible pair.
func Score(w Worker, v Vacancy) (Result, bool) {
	p := prepareVacancy(&v)
	r := explain(&w, &v, &p)
	return r, eligible(&w, &v, len(r.Explanation.MatchedEssential) > 0, r.Explanation.Occupation)
}

func eligible(w *Worker, v *Vacancy, essentialMatched bool, occ int) bool {
	return w.Origin != v.Destination && (essentialMatched || occ >= eligibleOccupancy)
}

// explain computes the full Result for a prepared vacancy.
func explain(w *Worker, v *Vacancy, p *vacPrep) Result {
	ws := sortedSet(w.Skills)
	var e Explanation
	e.MatchedEssential, e.MissingEssential = splitSkills(p.ess, ws)
	e.MatchedOptional, e.MissingOptional = splitSkills(p.opt, ws)
	occ := bestOccupation(w.Occupations, v.Occupation)
	e.OccupationRelation = relationName(occ)
	e.Occupation = occ
	e.Skills = skillPoints(2*len(e.MatchedEssential)+len(e.MatchedOptional), p.total, occ)
	for _, l := range p.langs {
		if have := workerLevel(w, l.Code); have >= l.Level {
			e.LanguagesMet = append(e.LanguagesMet, Language{Code: l.Code, Level: have})
		} else {
			e.LanguagesMissing = append(e.LanguagesMissing, l)
		}
	}
	e.Languages = languagePoints(len(e.LanguagesMet), len(p.langs))
	e.EducationMet = w.Education >= v.Education
	e.ExperienceMet = experienceMet(w, v)
	if e.EducationMet {
		e.Qualifications = educationPoints
	}
	e.Qualifications += experiencePointsFor(w, v)
	e.Preferred = prefers(w, v.Destination)
	if e.Preferred {
		e.Preference = preferencePoints
	}
	return Result{
		WorkerID:    w.ID,
		VacancyID:   v.ID,
		Score:       e.Skills + e.Occupation + e.Languages + e.Qualifications + e.Preference,
		Explanation: e,
	}
}

// splitSkills splits the sorted set want into those present in the sorted
// set have and those absent (merge of two sorted lists).
func splitSkills(want, have []SkillID) (matched, missing []SkillID) {
	i := 0
	for _, s := range want {
		for i < len(have) && have[i] < s {
			i++
		}
		if i < len(have) && have[i] == s {
			matched = append(matched, s)
		} else {
			missing = append(missing, s)
		}
	}
	return matched, missing
}
