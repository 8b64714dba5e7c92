package match

import (
	"reflect"
	"testing"
)

func TestScore(t *testing.T) {
	base := Vacancy{
		ID: 10, Destination: "DEU",
		Occupation:      Occupation{ESCO: "esco:a", ISCO: "7112"},
		Essential:       []SkillID{3, 1, 2},
		Optional:        []SkillID{5, 4},
		Languages:       []Language{{"en", B2}, {"de", B1}},
		Education:       3,
		ExperienceYears: 4,
		Positions:       1,
	}
	worker := Worker{
		ID: 1, Origin: "PHL",
		Occupations:           []Occupation{{ESCO: "esco:b", ISCO: "7113"}},
		Skills:                []SkillID{99, 4, 2, 1, 2},
		Languages:             []Language{{"en", C1}, {"de", A2}},
		Education:             3,
		ExperienceYears:       2,
		PreferredDestinations: []string{"ITA"},
	}
	noReq := Vacancy{ID: 11, Destination: "DEU", Occupation: Occupation{ESCO: "esco:a", ISCO: "7112"}, Positions: 1}
	tests := []struct {
		name     string
		w        Worker
		v        Vacancy
		score    int
		eligible bool
		want     Explanation
	}{
		{
			// 2 of 3 essential, 1 of 2 optional: 500×5/8 = 312.5 -> 313.
			name: "partial", w: worker, v: base, score: 313 + 100 + 75 + 80 + 0, eligible: true,
			want: Explanation{
				MatchedEssential: []SkillID{1, 2}, MissingEssential: []SkillID{3},
				MatchedOptional: []SkillID{4}, MissingOptional: []SkillID{5},
				OccupationRelation: SameMinorGroup,
				LanguagesMet:       []Language{{"en", C1}}, LanguagesMissing: []Language{{"de", B1}},
				EducationMet: true, ExperienceMet: false, Preferred: false,
				Skills: 313, Occupation: 100, Languages: 75, Qualifications: 60 + 20, Preference: 0,
			},
		},
		{
			// No listed skills: skills = 500 × 200/200.
			name: "same occupation, no requirements",
			w:    Worker{ID: 2, Origin: "IND", Occupations: []Occupation{{ESCO: "esco:a", ISCO: "9999"}}},
			v:    noReq, score: 1000, eligible: true,
			want: Explanation{OccupationRelation: SameOccupation, EducationMet: true, ExperienceMet: true, Preferred: true,
				Skills: 500, Occupation: 200, Languages: 150, Qualifications: 100, Preference: 50},
		},
		{
			name: "unit group, no requirements",
			w:    Worker{ID: 3, Origin: "IND", Occupations: []Occupation{{ESCO: "esco:z", ISCO: "7112"}}, PreferredDestinations: []string{"ITA", "DEU"}},
			v:    noReq, score: 400 + 160 + 150 + 100 + 50, eligible: true,
			want: Explanation{OccupationRelation: SameUnitGroup, EducationMet: true, ExperienceMet: true, Preferred: true,
				Skills: 400, Occupation: 160, Languages: 150, Qualifications: 100, Preference: 50},
		},
		{
			// Sub-major group (60 < 100) and no essential skill: not eligible.
			name: "sub-major, no essential",
			w:    Worker{ID: 4, Origin: "IND", Occupations: []Occupation{{ISCO: "7123"}}, Skills: []SkillID{4, 5}},
			v:    base, score: 125 + 60 + 0 + 0 + 50, eligible: false,
			want: Explanation{
				MissingEssential: []SkillID{1, 2, 3}, MatchedOptional: []SkillID{4, 5},
				OccupationRelation: SameSubMajorGroup,
				LanguagesMissing:   []Language{{"de", B1}, {"en", B2}},
				Skills:             125, Occupation: 60, Preferred: true, Preference: 50,
			},
		},
		{
			name: "same country is never eligible",
			w:    Worker{ID: 5, Origin: "DEU", Occupations: []Occupation{{ESCO: "esco:a", ISCO: "7112"}}},
			v:    noReq, score: 1000, eligible: false,
			want: Explanation{OccupationRelation: SameOccupation, EducationMet: true, ExperienceMet: true, Preferred: true,
				Skills: 500, Occupation: 200, Languages: 150, Qualifications: 100, Preference: 50},
		},
		{
			// Major group only, one essential skill: eligible. 1 of 3
			// essential: 500×2/8 = 125. Worker lists "de" twice: best level counts.
			name: "major group with essential skill",
			w: Worker{ID: 6, Origin: "NPL", Occupations: []Occupation{{ISCO: "7"}, {ISCO: "8111"}}, Skills: []SkillID{3},
				Languages: []Language{{"de", A1}, {"de", B2}}, Education: 1, ExperienceYears: 9},
			v: base, score: 125 + 20 + 75 + 40 + 50, eligible: true,
			want: Explanation{
				MatchedEssential: []SkillID{3}, MissingEssential: []SkillID{1, 2}, MissingOptional: []SkillID{4, 5},
				OccupationRelation: SameMajorGroup,
				LanguagesMet:       []Language{{"de", B2}}, LanguagesMissing: []Language{{"en", B2}},
				EducationMet: false, ExperienceMet: true, Preferred: true,
				Skills: 125, Occupation: 20, Languages: 75, Qualifications: 40, Preference: 50,
			},
		},
		{
			// Duplicates: skill 1 is essential and optional (counts as
			// essential), "en" required twice (highest level). Weight 2+2+1=5,
			// matched 2: 500×2/5 = 200. One language required after
			// deduplication (en B2), not met -> 0. Experience 0 of 3 -> 0.
			name: "duplicates and rounding",
			w:    Worker{ID: 7, Origin: "KEN", Skills: []SkillID{1}, Languages: []Language{{"en", B1}}, Education: 2},
			v: Vacancy{ID: 12, Destination: "GBR", Occupation: Occupation{ISCO: "5120"},
				Essential: []SkillID{1, 2, 1}, Optional: []SkillID{1, 7},
				Languages: []Language{{"en", A2}, {"en", B2}}, Education: 2, ExperienceYears: 3, Positions: 1},
			score: 200 + 0 + 0 + 60 + 0 + 50, eligible: true,
			want: Explanation{
				MatchedEssential: []SkillID{1}, MissingEssential: []SkillID{2}, MissingOptional: []SkillID{7},
				OccupationRelation: Unrelated, LanguagesMissing: []Language{{"en", B2}},
				EducationMet: true, ExperienceMet: false, Preferred: true,
				Skills: 200, Occupation: 0, Languages: 0, Qualifications: 60, Preference: 50,
			},
		},
		{
			// Optional only matched: 500×1/7 = 71.4 -> 71; 2 of 3 languages -> 100;
			// experience 40×5/7 = 28.
			name: "round down and language thirds",
			w: Worker{ID: 8, Origin: "ETH", Occupations: []Occupation{{ISCO: "2221"}}, Skills: []SkillID{9},
				Languages: []Language{{"fr", C2}, {"en", B1}}, Education: 7, ExperienceYears: 5, PreferredDestinations: []string{"CAN"}},
			v: Vacancy{ID: 13, Destination: "CAN", Occupation: Occupation{ISCO: "2221"},
				Essential: []SkillID{1, 2, 3}, Optional: []SkillID{9},
				Languages: []Language{{"fr", B2}, {"en", B1}, {"de", A1}}, Education: 6, ExperienceYears: 7, Positions: 2},
			score: 71 + 160 + 100 + 60 + 28 + 50, eligible: true,
			want: Explanation{
				MissingEssential: []SkillID{1, 2, 3}, MatchedOptional: []SkillID{9},
				OccupationRelation: SameUnitGroup,
				LanguagesMet:       []Language{{"en", B1}, {"fr", C2}}, LanguagesMissing: []Language{{"de", A1}},
				EducationMet: true, Preferred: true,
				Skills: 71, Occupation: 160, Languages: 100, Qualifications: 88, Preference: 50,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := Score(tc.w, tc.v)
			if ok != tc.eligible {
				t.Errorf("eligible = %v, want %v", ok, tc.eligible)
			}
			if r.Score != tc.score {
				t.Errorf("score = %d, want %d", r.Score, tc.score)
			}
			if r.WorkerID != tc.w.ID || r.VacancyID != tc.v.ID {
				t.Errorf("ids = %d/%d, want %d/%d", r.WorkerID, r.VacancyID, tc.w.ID, tc.v.ID)
			}
			if !reflect.DeepEqual(r.Explanation, tc.want) {
				t.Errorf("explanation\n got %+v\nwant %+v", r.Explanation, tc.want)
			}
			e := r.Explanation
			if sum := e.Skills + e.Occupation + e.Languages + e.Qualifications + e.Preference; sum != r.Score {
				t.Errorf("components sum to %d, score %d", sum, r.Score)
			}
		})
	}
}

func TestScoreDoesNotModifyInput(t *testing.T) {
	w := Worker{ID: 1, Origin: "PHL", Skills: []SkillID{3, 1, 2}}
	v := Vacancy{ID: 1, Destination: "DEU", Essential: []SkillID{2, 1}, Optional: []SkillID{3, 1}, Positions: 1}
	Score(w, v)
	if !reflect.DeepEqual(w.Skills, []SkillID{3, 1, 2}) || !reflect.DeepEqual(v.Essential, []SkillID{2, 1}) || !reflect.DeepEqual(v.Optional, []SkillID{3, 1}) {
		t.Errorf("inputs modified: %v %v %v", w.Skills, v.Essential, v.Optional)
	}
}

// The ESCO hierarchy below the ISCO unit group: a specialisation of the
// vacancy's occupation (or the reverse) is closer than any occupation of
// the unit group, and two specialisations of one occupation are siblings.
func TestOccupationThroughESCOHierarchy(t *testing.T) {
	welder := Occupation{ESCO: "esco:welder", ISCO: "7212"}
	spot := Occupation{ESCO: "esco:spot-welder", ISCO: "7212", Broader: "esco:welder"}
	tig := Occupation{ESCO: "esco:tig-welder", ISCO: "7212", Broader: "esco:welder"}
	solderer := Occupation{ESCO: "esco:solderer", ISCO: "7212"}
	none := Occupation{ISCO: "7212"}
	for _, c := range []struct {
		held, want Occupation
		pts        int
		relation   string
	}{
		{spot, welder, 180, BroaderNarrower},
		{welder, spot, 180, BroaderNarrower},
		{spot, tig, 170, SiblingOccupation},
		{solderer, welder, 160, SameUnitGroup},
		{none, welder, 160, SameUnitGroup},
		{welder, none, 160, SameUnitGroup},
	} {
		w := Worker{ID: 1, Origin: "KEN", Occupations: []Occupation{c.held}}
		v := Vacancy{ID: 2, Destination: "DEU", Occupation: c.want, Positions: 1}
		r, _ := Score(w, v)
		if r.Explanation.Occupation != c.pts || r.Explanation.OccupationRelation != c.relation {
			t.Errorf("%s for %s: %d %s, want %d %s", c.held.ESCO, c.want.ESCO, r.Explanation.Occupation, r.Explanation.OccupationRelation, c.pts, c.relation)
		}
		// The indexes score the same.
		if got := NewWorkerIndex([]Worker{w}).Candidates(v, 0); len(got) != 1 || got[0].Score != r.Score {
			t.Errorf("%s for %s: index %+v, Score %d", c.held.ESCO, c.want.ESCO, got, r.Score)
		}
		if got := NewVacancyIndex([]Vacancy{v}).VacanciesFor(w, 0); len(got) != 1 || got[0].Score != r.Score {
			t.Errorf("%s for %s: vacancy index %+v, Score %d", c.held.ESCO, c.want.ESCO, got, r.Score)
		}
	}
}
