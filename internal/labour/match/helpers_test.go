package match

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// syntheticProfiles builds nOcc occupations spread over nUnits ISCO unit
// groups (codes shaped like ISCO-08: major 1–9, then sub-major, minor and
// unit digits), drawing skills from nSkills. Each unit group has a pool of
// 40 skills; an occupation takes about half of its essential and optional
// skills from its group's pool (so related occupations share skills, as in
// ESCO) and the rest from all skills. Essential and optional counts are in
// [lo, hi].
func syntheticProfiles(seed uint64, nOcc, nUnits, nSkills, lo, hi int) []OccupationProfile {
	r := rand.New(rand.NewPCG(seed, 7))
	units := make([]string, nUnits)
	pools := make([][]SkillID, nUnits)
	for i := range units {
		units[i] = fmt.Sprintf("%d%d%d%d", 1+i%9, 1+(i/9)%4, 1+(i/36)%4, 1+i/144)
		for k := 0; k < 40; k++ {
			pools[i] = append(pools[i], SkillID(r.IntN(nSkills)))
		}
	}
	draw := func(u, n int) []SkillID {
		var out []SkillID
		for k := 0; k < n; k++ {
			if r.IntN(2) == 0 {
				out = append(out, pools[u][r.IntN(len(pools[u]))])
			} else {
				out = append(out, SkillID(r.IntN(nSkills)))
			}
		}
		return sortedSet(out)
	}
	ps := make([]OccupationProfile, nOcc)
	for j := range ps {
		u := j
		if j >= nUnits {
			u = r.IntN(nUnits)
		}
		ess := draw(u, lo+r.IntN(hi-lo+1))
		opt := slices.DeleteFunc(draw(u, lo+r.IntN(hi-lo+1)), func(s SkillID) bool {
			_, found := slices.BinarySearch(ess, s)
			return found
		})
		ps[j] = OccupationProfile{
			Occupation: Occupation{ESCO: fmt.Sprintf("esco:occupation:%d", j), ISCO: units[u]},
			Essential:  ess,
			Optional:   opt,
		}
	}
	return ps
}

// bruteCandidates scores every worker with Score and ranks the eligible.
func bruteCandidates(ws []Worker, v Vacancy) []Result {
	var out []Result
	for _, w := range ws {
		if r, ok := Score(w, v); ok {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b Result) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		return int(a.WorkerID - b.WorkerID)
	})
	return out
}

func bruteVacancies(vs []Vacancy, w Worker) []Result {
	var out []Result
	for _, v := range vs {
		if r, ok := Score(w, v); ok {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b Result) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		return int(a.VacancyID - b.VacancyID)
	})
	return out
}
