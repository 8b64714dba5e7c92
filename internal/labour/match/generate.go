package match

import (
	"math/rand/v2"
	"slices"
)

// OccupationProfile is an occupation with its essential and optional
// skills (from ESCO in production, synthetic in tests).
type OccupationProfile struct {
	Occupation          Occupation
	Essential, Optional []SkillID
}

// GenerateOptions configures Generate. Empty lists take defaults.
type GenerateOptions struct {
	Workers, Vacancies int
	Seed               int64
	Origins            []string // default PHL IND NPL BGD KEN ETH MAR GTM
	Destinations       []string // default DEU ITA ESP GBR CAN ARE QAT SAU
	Languages          []string // ISO 639-1 codes; default en de fr es it ar
}

var (
	defaultOrigins      = []string{"PHL", "IND", "NPL", "BGD", "KEN", "ETH", "MAR", "GTM"}
	defaultDestinations = []string{"DEU", "ITA", "ESP", "GBR", "CAN", "ARE", "QAT", "SAU"}
	defaultLanguages    = []string{"en", "de", "fr", "es", "it", "ar"}
)

// Generate builds a synthetic but realistic population for benchmarks and
// tests, deterministic for o.Seed (PCG). Occupations are drawn with a
// Zipf-like popularity (over a seeded random permutation of profiles, so
// popularity is not tied to ISCO codes), the same for supply and demand so
// that they overlap. A worker holds 1–2 occupations (the second usually in
// the same ISCO minor group), 60–100 % of their essential and 10–40 % of
// their optional skills plus 0–3 random others, 1–3 languages, ISCED
// education 1–7, 0–20 years of experience and 0–3 preferred destinations.
// A vacancy requires 50–100 % of its occupation's essential and 0–50 % of
// its optional skills, 0–2 languages, and has 1–20 positions (mean 10.5).
// IDs are 1..Workers and 1..Vacancies. With no profiles it returns nil.
func Generate(profiles []OccupationProfile, o GenerateOptions) ([]Worker, []Vacancy) {
	if len(profiles) == 0 {
		return nil, nil
	}
	origins, dests, langs := o.Origins, o.Destinations, o.Languages
	if len(origins) == 0 {
		origins = defaultOrigins
	}
	if len(dests) == 0 {
		dests = defaultDestinations
	}
	if len(langs) == 0 {
		langs = defaultLanguages
	}
	r := rand.New(rand.NewPCG(uint64(o.Seed), 0x9e3779b97f4a7c15))
	perm := r.Perm(len(profiles))
	var zipf *rand.Zipf
	if len(profiles) > 1 {
		// s=1.1, v=8: the most popular occupation takes a few percent of
		// the population and there is a long tail.
		zipf = rand.NewZipf(r, 1.1, 8, uint64(len(profiles)-1))
	}
	pick := func() int {
		if zipf == nil {
			return 0
		}
		return perm[zipf.Uint64()]
	}
	byMinor := map[string][]int{}
	var maxSkill SkillID
	for i, p := range profiles {
		m := minorGroup(p.Occupation.ISCO)
		byMinor[m] = append(byMinor[m], i)
		for _, s := range p.Essential {
			maxSkill = max(maxSkill, s)
		}
		for _, s := range p.Optional {
			maxSkill = max(maxSkill, s)
		}
	}
	frac := func(lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }
	// sample appends round(f·len(from)) distinct elements of from.
	sample := func(dst, from []SkillID, f float64) []SkillID {
		k := int(f*float64(len(from)) + 0.5)
		tmp := slices.Clone(from)
		for i := 0; i < k; i++ {
			j := i + r.IntN(len(tmp)-i)
			tmp[i], tmp[j] = tmp[j], tmp[i]
		}
		return append(dst, tmp[:k]...)
	}
	distinct := func(from []string, k int) []string {
		k = min(k, len(from))
		if k == 0 {
			return nil
		}
		out := make([]string, 0, k)
		for _, i := range r.Perm(len(from))[:k] {
			out = append(out, from[i])
		}
		return out
	}
	languages := func(k int, lo, hi int) []Language {
		var out []Language
		for _, c := range distinct(langs, k) {
			out = append(out, Language{Code: c, Level: Level(lo + r.IntN(hi-lo+1))})
		}
		return out
	}

	ws := make([]Worker, o.Workers)
	for i := range ws {
		w := &ws[i]
		w.ID = int64(i + 1)
		w.Origin = origins[r.IntN(len(origins))]
		first := pick()
		held := []int{first}
		if r.Float64() < 0.35 {
			second := -1
			if same := byMinor[minorGroup(profiles[first].Occupation.ISCO)]; len(same) > 1 && r.Float64() < 0.7 {
				second = same[r.IntN(len(same))]
			} else {
				second = pick()
			}
			if second != first {
				held = append(held, second)
			}
		}
		var skills []SkillID
		for _, pi := range held {
			p := &profiles[pi]
			w.Occupations = append(w.Occupations, p.Occupation)
			skills = sample(skills, p.Essential, frac(0.6, 1))
			skills = sample(skills, p.Optional, frac(0.1, 0.4))
		}
		for k := r.IntN(4); k > 0; k-- {
			skills = append(skills, SkillID(r.IntN(int(maxSkill)+1)))
		}
		w.Skills = sortedSet(skills)
		w.Languages = languages(1+r.IntN(3), 1, 6)
		w.Education = 1 + r.IntN(7)
		w.ExperienceYears = r.IntN(21)
		w.PreferredDestinations = distinct(dests, r.IntN(4))
	}

	vs := make([]Vacancy, o.Vacancies)
	for i := range vs {
		v := &vs[i]
		v.ID = int64(i + 1)
		v.Destination = dests[r.IntN(len(dests))]
		p := &profiles[pick()]
		v.Occupation = p.Occupation
		v.Essential = sortedSet(sample(nil, p.Essential, frac(0.5, 1)))
		if len(v.Essential) == 0 && len(p.Essential) > 0 {
			v.Essential = []SkillID{p.Essential[r.IntN(len(p.Essential))]}
		}
		v.Optional = sortedSet(sample(nil, p.Optional, frac(0, 0.5)))
		v.Languages = languages(r.IntN(3), 2, 5)
		v.Education = r.IntN(6)
		v.ExperienceYears = r.IntN(11)
		v.Positions = 1 + r.IntN(20)
	}
	return ws, vs
}
