package store

import (
	"reflect"
	"sort"
	"testing"

	"github.com/corridor-platform/corridor/internal/labour/match"
)

// The overlay (base index + changes) ranks exactly as an index built over
// the current workers: additions, changes and removals, with and without
// a limit, and after compaction.
func TestWorkerMatcherOverlayEqualsRebuild(t *testing.T) {
	var profiles []match.OccupationProfile
	for i := 0; i < 40; i++ {
		isco := []string{"7212", "7213", "7126", "5120", "2221"}[i%5]
		p := match.OccupationProfile{Occupation: match.Occupation{ESCO: "occ" + isco + string(rune('a'+i)), ISCO: isco}}
		for k := 0; k < 8; k++ {
			p.Essential = append(p.Essential, match.SkillID(1+(i*7+k)%60))
			p.Optional = append(p.Optional, match.SkillID(61+(i*5+k)%40))
		}
		profiles = append(profiles, p)
	}
	ws, vs := match.Generate(profiles, match.GenerateOptions{Workers: 800, Vacancies: 30, Seed: 3})
	now := map[int64]match.Worker{}
	ver := map[int64]int64{}
	for _, w := range ws[:600] {
		now[w.ID], ver[w.ID] = w, 1
	}
	base := make([]match.Worker, 0, 600)
	for _, w := range now {
		base = append(base, w)
	}
	sort.Slice(base, func(i, j int) bool { return base[i].ID < base[j].ID })
	m := newWorkerMatcher(base, ver)
	// 200 new, 30 changed (another worker's skills), 25 removed.
	for _, w := range ws[600:] {
		now[w.ID], ver[w.ID] = w, 1
	}
	for i := int64(1); i <= 30; i++ {
		w := now[i]
		w.Skills = ws[700+i].Skills
		now[i], ver[i] = w, 2
	}
	for i := int64(100); i < 125; i++ {
		delete(now, i)
		delete(ver, i)
	}
	m = m.update(now, ver)
	if len(m.extra) != 230 || len(m.gone) != 55 {
		t.Fatalf("overlay: %d extra, %d gone; want 230 and 55", len(m.extra), len(m.gone))
	}
	all := make([]match.Worker, 0, len(now))
	for _, w := range now {
		all = append(all, w)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	fresh := match.NewWorkerIndex(all)
	check := func(m *workerMatcher) {
		t.Helper()
		for _, v := range vs {
			v.Positions = max(v.Positions, 1)
			for _, limit := range []int{5, 20, 0} {
				got, want := m.candidates(v, limit), fresh.Candidates(v, limit)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("vacancy %d limit %d: overlay %d results, rebuild %d", v.ID, limit, len(got), len(want))
				}
			}
		}
	}
	check(m)
	// An update of the overlay with every version changed again carries
	// all 975 workers as changes, and still answers the same.
	again := map[int64]int64{}
	for id := range ver {
		again[id] = 9
	}
	c := m.update(now, again)
	if len(c.extra) != len(now) || c.base != m.base {
		t.Fatalf("overlay of every worker: %d extra of %d", len(c.extra), len(now))
	}
	check(c)
}
