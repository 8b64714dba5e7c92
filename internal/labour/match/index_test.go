package match

import (
	"reflect"
	"sync"
	"testing"
)

func rankingFixture() ([]Worker, Vacancy) {
	v := Vacancy{ID: 100, Destination: "DEU", Occupation: Occupation{ESCO: "esco:x", ISCO: "7112"},
		Essential: []SkillID{1, 2}, Positions: 3}
	ws := []Worker{
		{ID: 5, Origin: "PHL", Occupations: []Occupation{{ESCO: "esco:y", ISCO: "7112"}}, Skills: []SkillID{1}},     // 250+160+150+100+50 = 710
		{ID: 1, Origin: "PHL", Occupations: []Occupation{{ESCO: "esco:x", ISCO: "7112"}}, Skills: []SkillID{1, 2}},  // 1000
		{ID: 2, Origin: "DEU", Occupations: []Occupation{{ESCO: "esco:x", ISCO: "7112"}}, Skills: []SkillID{1, 2}},  // same country: ineligible
		{ID: 3, Origin: "IND", Occupations: []Occupation{{ESCO: "esco:z", ISCO: "7112"}}, Skills: []SkillID{2, 50}}, // 710, tie with 5
		{ID: 4, Origin: "IND", Occupations: []Occupation{{ISCO: "9111"}}, Skills: []SkillID{99}},                    // unrelated: ineligible
		{ID: 6, Origin: "NPL", Occupations: []Occupation{{ISCO: "7115"}}},                                           // minor group only: 0+100+150+100+50 = 400
		{ID: 7, Origin: "KEN", Skills: []SkillID{1}, PreferredDestinations: []string{"ITA"}},                        // 250+0+150+100+0 = 500
	}
	return ws, v
}

func TestCandidatesRanking(t *testing.T) {
	ws, v := rankingFixture()
	ix := NewWorkerIndex(ws)
	type row struct {
		id    int64
		score int
	}
	want := []row{{1, 1000}, {3, 710}, {5, 710}, {7, 500}, {6, 400}}
	for _, limit := range []int{0, -1, 2, 5, 10} {
		got := ix.Candidates(v, limit)
		var rows []row
		for _, r := range got {
			rows = append(rows, row{r.WorkerID, r.Score})
			if r.VacancyID != v.ID {
				t.Errorf("vacancy ID %d", r.VacancyID)
			}
		}
		w := want
		if limit > 0 && limit < len(w) {
			w = w[:limit]
		}
		if !reflect.DeepEqual(rows, w) {
			t.Errorf("limit %d: got %v, want %v", limit, rows, w)
		}
	}
	// The same ranking through the worker side: each worker sees the
	// vacancy with the same score, or not at all.
	vix := NewVacancyIndex([]Vacancy{v})
	for _, w := range ws {
		got := vix.VacanciesFor(w, 0)
		r, ok := Score(w, v)
		if !ok {
			if len(got) != 0 {
				t.Errorf("worker %d: ineligible vacancy returned", w.ID)
			}
			continue
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], r) {
			t.Errorf("worker %d: got %+v, want %+v", w.ID, got, r)
		}
	}
}

func generatedPopulation() ([]Worker, []Vacancy) {
	ps := syntheticProfiles(3, 120, 40, 900, 5, 15)
	return Generate(ps, GenerateOptions{Workers: 2000, Vacancies: 200, Seed: 11,
		// Overlapping lists so that some pairs are same-country.
		Origins: []string{"PHL", "IND", "DEU"}, Destinations: []string{"DEU", "ITA", "GBR"}})
}

func TestCandidatesMatchBruteForce(t *testing.T) {
	ws, vs := generatedPopulation()
	ix := NewWorkerIndex(ws)
	total := 0
	for _, v := range vs {
		want := bruteCandidates(ws, v)
		total += len(want)
		got := ix.Candidates(v, 0)
		if len(got) != len(want) {
			t.Fatalf("vacancy %d: %d candidates, brute force %d", v.ID, len(got), len(want))
		}
		if !reflect.DeepEqual(got, want) {
			for i := range got {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("vacancy %d rank %d: got %+v\nwant %+v", v.ID, i, got[i], want[i])
				}
			}
		}
		if top := ix.Candidates(v, 10); !reflect.DeepEqual(top, want[:min(10, len(want))]) {
			t.Fatalf("vacancy %d: top 10 differs from brute force", v.ID)
		}
	}
	if total < len(vs)*20 {
		t.Fatalf("only %d eligible pairs: the population does not exercise the index", total)
	}
}

func TestVacanciesForMatchBruteForce(t *testing.T) {
	ws, vs := generatedPopulation()
	ix := NewVacancyIndex(vs)
	total := 0
	for _, w := range ws[:500] {
		want := bruteVacancies(vs, w)
		total += len(want)
		got := ix.VacanciesFor(w, 0)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("worker %d: got %d results, brute force %d (first difference in %+v)", w.ID, len(got), len(want), got)
		}
		if top := ix.VacanciesFor(w, 3); !reflect.DeepEqual(top, want[:min(3, len(want))]) {
			t.Fatalf("worker %d: top 3 differs from brute force", w.ID)
		}
	}
	if total < 500*2 {
		t.Fatalf("only %d eligible pairs: the population does not exercise the index", total)
	}
}

func TestIndexConcurrent(t *testing.T) {
	ws, vs := generatedPopulation()
	wix, vix := NewWorkerIndex(ws), NewVacancyIndex(vs)
	want := make([][]Result, 20)
	for i := range want {
		want[i] = wix.Candidates(vs[i], 5)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rep := 0; rep < 5; rep++ {
				for i := range want {
					if got := wix.Candidates(vs[i], 5); !reflect.DeepEqual(got, want[i]) {
						t.Errorf("concurrent Candidates differs for vacancy %d", vs[i].ID)
					}
					vix.VacanciesFor(ws[i], 5)
				}
			}
		}()
	}
	wg.Wait()
}

func TestEmptyIndexes(t *testing.T) {
	if got := NewWorkerIndex(nil).Candidates(Vacancy{ID: 1, Essential: []SkillID{1}}, 5); len(got) != 0 {
		t.Errorf("empty worker index returned %v", got)
	}
	if got := NewVacancyIndex(nil).VacanciesFor(Worker{ID: 1, Skills: []SkillID{1}}, 0); len(got) != 0 {
		t.Errorf("empty vacancy index returned %v", got)
	}
}
