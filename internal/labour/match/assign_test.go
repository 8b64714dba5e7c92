package match

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// assignable is the independent (index-free) definition of an
// assignment-eligible pair.
func assignable(w Worker, v Vacancy) (int, bool) {
	r, ok := Score(w, v)
	return r.Score, ok && withinPreferences(&w, v.Destination)
}

// bruteOptimum enumerates every feasible assignment.
func bruteOptimum(ws []Worker, vs []Vacancy) int {
	left := make([]int, len(vs))
	for i, v := range vs {
		left[i] = v.Positions
	}
	score := make([][]int, len(ws)) // -1: not assignable
	for i, w := range ws {
		score[i] = make([]int, len(vs))
		for j, v := range vs {
			s, ok := assignable(w, v)
			if !ok {
				s = -1
			}
			score[i][j] = s
		}
	}
	best := 0
	var rec func(i, total int)
	rec = func(i, total int) {
		if i == len(ws) {
			best = max(best, total)
			return
		}
		rec(i+1, total) // worker i unassigned
		for j := range vs {
			if score[i][j] >= 0 && left[j] > 0 {
				left[j]--
				rec(i+1, total+score[i][j])
				left[j]++
			}
		}
	}
	rec(0, 0)
	return best
}

// checkPlan verifies feasibility and internal consistency of a plan.
func checkPlan(t *testing.T, label string, ws []Worker, vs []Vacancy, p Plan) {
	t.Helper()
	wByID := map[int64]Worker{}
	for _, w := range ws {
		wByID[w.ID] = w
	}
	vByID := map[int64]Vacancy{}
	for _, v := range vs {
		vByID[v.ID] = v
	}
	used := map[int64]int{}
	seen := map[int64]bool{}
	total := 0
	for i, pr := range p.Pairs {
		if i > 0 && p.Pairs[i-1].WorkerID >= pr.WorkerID {
			t.Fatalf("%s: pairs not sorted by worker / worker twice: %v", label, p.Pairs)
		}
		w, v := wByID[pr.WorkerID], vByID[pr.VacancyID]
		s, ok := assignable(w, v)
		if !ok || s != pr.Score {
			t.Fatalf("%s: pair %+v not assignable (ok=%v score=%d)", label, pr, ok, s)
		}
		used[v.ID]++
		if used[v.ID] > v.Positions {
			t.Fatalf("%s: vacancy %d over capacity", label, v.ID)
		}
		seen[w.ID] = true
		total += pr.Score
	}
	if total != p.Total {
		t.Fatalf("%s: Total %d, pairs sum to %d", label, p.Total, total)
	}
	var unassigned []int64
	for _, w := range ws {
		if !seen[w.ID] {
			unassigned = append(unassigned, w.ID)
		}
	}
	if len(unassigned) != len(p.Unassigned) || (len(unassigned) > 0 && !reflect.DeepEqual(sortedIDs(unassigned), p.Unassigned)) {
		t.Fatalf("%s: Unassigned %v, want %v", label, p.Unassigned, sortedIDs(unassigned))
	}
	assignedTo := map[int64]int64{}
	for _, pr := range p.Pairs {
		assignedTo[pr.WorkerID] = pr.VacancyID
	}
	for wid, alts := range p.Alternatives {
		if len(alts) == 0 || len(alts) > 3 {
			t.Fatalf("%s: worker %d has %d alternatives", label, wid, len(alts))
		}
		for k, a := range alts {
			s, ok := assignable(wByID[wid], vByID[a.VacancyID])
			if !ok || s != a.Score || a.VacancyID == assignedTo[wid] {
				t.Fatalf("%s: bad alternative %+v for worker %d", label, a, wid)
			}
			if a.Full != (used[a.VacancyID] >= vByID[a.VacancyID].Positions) {
				t.Fatalf("%s: alternative %+v Full is wrong", label, a)
			}
			if k > 0 && (alts[k-1].Score < a.Score || alts[k-1].Score == a.Score && alts[k-1].VacancyID > a.VacancyID) {
				t.Fatalf("%s: alternatives not ordered: %v", label, alts)
			}
		}
	}
}

func sortedIDs(ids []int64) []int64 {
	out := append([]int64(nil), ids...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j-1] > out[j]; j-- {
			out[j-1], out[j] = out[j], out[j-1]
		}
	}
	return out
}

func TestAssignBruteForce(t *testing.T) {
	// Few occupations and skills so that many pairs are eligible and
	// workers compete for positions.
	ps := syntheticProfiles(5, 6, 4, 30, 2, 5)
	strictlyBetter := 0
	for seed := int64(1); seed <= 300; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 99))
		ws, vs := Generate(ps, GenerateOptions{Workers: 1 + r.IntN(6), Vacancies: 1 + r.IntN(3), Seed: seed,
			Origins: []string{"PHL", "IND", "DEU"}, Destinations: []string{"DEU", "ITA"}})
		for i := range vs {
			vs[i].Positions = 1 + r.IntN(3)
		}
		want := bruteOptimum(ws, vs)
		p, err := Assign(ws, vs)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		label := fmt.Sprintf("seed %d", seed)
		checkPlan(t, label, ws, vs, p)
		if p.Total != want {
			t.Fatalf("seed %d: Assign total %d, brute-force optimum %d\nplan %+v", seed, p.Total, want, p)
		}
		g := Greedy(ws, vs)
		checkPlan(t, label+" greedy", ws, vs, g)
		if g.Total > want {
			t.Fatalf("seed %d: greedy %d beats the optimum %d", seed, g.Total, want)
		}
		if g.Total < want {
			strictlyBetter++
		}
		if p2, _ := Assign(ws, vs); !reflect.DeepEqual(p, p2) {
			t.Fatalf("seed %d: Assign is not deterministic", seed)
		}
	}
	t.Logf("Assign strictly beat Greedy on %d of 300 instances", strictlyBetter)
}

func TestAssignBeatsGreedy(t *testing.T) {
	// A fits X perfectly (1000) and Y well (800); B fits only X (700).
	// Greedy gives X to A and leaves B out: 1000. The optimum sends A to Y
	// and B to X: 1500.
	occ := Occupation{ESCO: "esco:x", ISCO: "7112"}
	ws := []Worker{
		{ID: 1, Origin: "PHL", Occupations: []Occupation{occ}, Skills: []SkillID{1, 2, 3}},
		{ID: 2, Origin: "IND", Occupations: []Occupation{{ESCO: "esco:b", ISCO: "7112"}}, Skills: []SkillID{2}},
	}
	vs := []Vacancy{
		{ID: 10, Destination: "DEU", Occupation: occ, Essential: []SkillID{1, 2}, Positions: 1},
		{ID: 20, Destination: "ITA", Occupation: Occupation{ISCO: "9999"}, Essential: []SkillID{1, 3}, Positions: 1},
	}
	p, err := Assign(ws, vs)
	if err != nil {
		t.Fatal(err)
	}
	wantPairs := []Pair{{1, 20, 800}, {2, 10, 250 + 160 + 300}}
	if !reflect.DeepEqual(p.Pairs, wantPairs) || p.Total != 1510 || len(p.Unassigned) != 0 {
		t.Errorf("Assign = %+v, want pairs %v total 1510", p, wantPairs)
	}
	wantAlts := map[int64][]Alternative{1: {{VacancyID: 10, Score: 1000, Full: true}}}
	if !reflect.DeepEqual(p.Alternatives, wantAlts) {
		t.Errorf("alternatives = %v, want %v", p.Alternatives, wantAlts)
	}
	g := Greedy(ws, vs)
	if !reflect.DeepEqual(g.Pairs, []Pair{{1, 10, 1000}}) || g.Total != 1000 || !reflect.DeepEqual(g.Unassigned, []int64{2}) {
		t.Errorf("Greedy = %+v", g)
	}
	if g.Total >= p.Total {
		t.Errorf("greedy %d not strictly worse than optimum %d", g.Total, p.Total)
	}
	checkPlan(t, "hand-made", ws, vs, p)
	checkPlan(t, "hand-made greedy", ws, vs, g)
}

func TestAssignPreferencesAndOrigin(t *testing.T) {
	occ := Occupation{ESCO: "esco:x", ISCO: "7112"}
	ws := []Worker{
		{ID: 1, Origin: "PHL", Occupations: []Occupation{occ}, PreferredDestinations: []string{"ITA"}}, // DEU outside preferences
		{ID: 2, Origin: "DEU", Occupations: []Occupation{occ}},                                         // same country
		{ID: 3, Origin: "IND", Occupations: []Occupation{occ}},                                         // any destination
	}
	vs := []Vacancy{{ID: 7, Destination: "DEU", Occupation: occ, Positions: 5}}
	p, err := Assign(ws, vs)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Pairs, []Pair{{3, 7, 1000}}) || !reflect.DeepEqual(p.Unassigned, []int64{1, 2}) || len(p.Alternatives) != 0 {
		t.Errorf("plan = %+v", p)
	}
	// Worker 1 is still a ranked candidate: preferences only bind the assignment.
	if got := NewWorkerIndex(ws).Candidates(vs[0], 0); len(got) != 2 || got[0].WorkerID != 3 || got[1].WorkerID != 1 {
		t.Errorf("candidates = %+v", got)
	}
}

func TestAssignInvalidInput(t *testing.T) {
	ok := Vacancy{ID: 1, Destination: "DEU", Positions: 1}
	tests := []struct {
		name string
		ws   []Worker
		vs   []Vacancy
		id   string
	}{
		{"duplicate worker", []Worker{{ID: 4}, {ID: 42}, {ID: 42}}, []Vacancy{ok}, "worker ID 42"},
		{"duplicate vacancy", []Worker{{ID: 1}}, []Vacancy{ok, {ID: 9, Positions: 1}, {ID: 9, Positions: 2}}, "vacancy ID 9"},
		{"zero positions", []Worker{{ID: 1}}, []Vacancy{ok, {ID: 77, Positions: 0}}, "vacancy 77"},
		{"negative positions", nil, []Vacancy{{ID: -3, Positions: -1}}, "vacancy -3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Assign(tc.ws, tc.vs)
			if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), tc.id) {
				t.Errorf("err = %v, want ErrInvalidInput naming %q", err, tc.id)
			}
		})
	}
}

func TestAssignEmpty(t *testing.T) {
	p, err := Assign(nil, nil)
	if err != nil || len(p.Pairs) != 0 || p.Total != 0 {
		t.Errorf("empty: %+v %v", p, err)
	}
	p, err = Assign([]Worker{{ID: 2}, {ID: 1}}, nil)
	if err != nil || !reflect.DeepEqual(p.Unassigned, []int64{1, 2}) {
		t.Errorf("no vacancies: %+v %v", p, err)
	}
}
