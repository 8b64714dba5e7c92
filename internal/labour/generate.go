package labour

import (
	"fmt"
	"math/rand/v2"

	"github.com/corridor-platform/corridor/internal/labour/esco"
	"github.com/corridor-platform/corridor/internal/labour/match"
)

// Population is a synthetic benchmark population made from the ESCO
// occupation profiles (corridor labour generate): the matching attributes
// come from match.Generate; names, wages, channels and the other fields a
// stored profile or vacancy needs are filled in deterministically from
// the same seed. Nobody in it is real.
func Population(tax *esco.Taxonomy, workers, vacancies int, seed int64) ([]Worker, []Vacancy) {
	occs := tax.Occupations()
	profiles := make([]match.OccupationProfile, 0, len(occs))
	labels := map[string]string{}
	for _, o := range occs {
		if len(o.Essential) == 0 {
			continue
		}
		p := match.OccupationProfile{Occupation: match.Occupation{ESCO: o.URI, ISCO: o.ISCOGroup}}
		for _, s := range o.Essential {
			p.Essential = append(p.Essential, match.SkillID(s))
		}
		for _, s := range o.Optional {
			p.Optional = append(p.Optional, match.SkillID(s))
		}
		profiles = append(profiles, p)
		labels[o.URI] = o.Label
	}
	mws, mvs := match.Generate(profiles, match.GenerateOptions{Workers: workers, Vacancies: vacancies, Seed: seed})
	r := rand.New(rand.NewPCG(uint64(seed), 0x51a7))
	given := []string{"Amina", "Baraka", "Chidi", "Dewi", "Esra", "Farid", "Grace", "Hana", "Imran", "Joy", "Kiran", "Lina", "Maya", "Nuru", "Omar", "Priya"}
	family := []string{"Otieno", "Santos", "Rahman", "Haile", "Gurung", "Alaoui", "Mendoza", "Kumar", "Wanjiru", "Reyes", "Tadesse", "Shrestha"}
	ws := make([]Worker, len(mws))
	for i, m := range mws {
		w := Worker{Status: WorkerActive, Origin: m.Origin, Education: m.Education, ExperienceYears: m.ExperienceYears,
			GivenName: given[r.IntN(len(given))], FamilyName: family[r.IntN(len(family))],
			Consent:               Consent{Matching: true, ShareWithEmployers: r.IntN(4) > 0, Date: "2026-01-15", RecordedBy: "agency"},
			PreferredDestinations: nonNilStrings(m.PreferredDestinations)}
		for j, o := range m.Occupations {
			w.Occupations = append(w.Occupations, HeldOccupation{Occupation: o.ESCO, ISCO: o.ISCO, Years: max(0, m.ExperienceYears-j*3)})
		}
		seen := map[int32]bool{}
		for _, s := range m.Skills {
			if !seen[int32(s)] {
				seen[int32(s)] = true
				w.Skills = append(w.Skills, int32(s))
			}
		}
		w.Languages = levels(m.Languages)
		ws[i] = w
	}
	vs := make([]Vacancy, len(mvs))
	for i, m := range mvs {
		v := Vacancy{Status: VacancyPublished, Title: labels[m.Occupation.ESCO], Destination: m.Destination, Place: "Synthetic city",
			ISCO: m.Occupation.ISCO, Occupation: m.Occupation.ESCO, Sector: Sectors[r.IntN(len(Sectors)-2)], Positions: m.Positions,
			Education: m.Education, ExperienceYears: m.ExperienceYears, MonthlyWage: float64(1500 + r.IntN(3000)), Currency: "EUR",
			HoursPerWeek: 40, ContractMonths: 12 + 12*r.IntN(3), Housing: HousingOptions[r.IntN(len(HousingOptions))],
			Channel: Channel{Kind: ChannelKinds[r.IntN(len(ChannelKinds))], Name: "Synthetic programme"},
			Fees:    FeePolicy{EmployerPays: true}}
		if v.Title == "" {
			v.Title = fmt.Sprintf("Occupation %s", m.Occupation.ISCO)
		}
		// ESCO lists a few skills as both essential and optional for one
		// occupation: a vacancy states each once, as essential.
		seen := map[int32]bool{}
		for _, s := range m.Essential {
			if !seen[int32(s)] {
				seen[int32(s)] = true
				v.Essential = append(v.Essential, int32(s))
			}
		}
		for _, s := range m.Optional {
			if !seen[int32(s)] {
				seen[int32(s)] = true
				v.Optional = append(v.Optional, int32(s))
			}
		}
		v.Languages = levels(m.Languages)
		vs[i] = v
	}
	return ws, vs
}

func levels(ls []match.Language) []Language {
	out := make([]Language, 0, len(ls))
	for _, l := range ls {
		if l.Level >= 1 && int(l.Level) <= len(Levels) {
			out = append(out, Language{Code: l.Code, Level: Levels[l.Level-1]})
		}
	}
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
