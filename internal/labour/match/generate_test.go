package match

import (
	"reflect"
	"testing"
)

func TestGenerate(t *testing.T) {
	ps := syntheticProfiles(2, 200, 60, 2000, 10, 30)
	o := GenerateOptions{Workers: 3000, Vacancies: 1000, Seed: 5}
	ws, vs := Generate(ps, o)
	ws2, vs2 := Generate(ps, o)
	if !reflect.DeepEqual(ws, ws2) || !reflect.DeepEqual(vs, vs2) {
		t.Fatal("Generate is not deterministic for a seed")
	}
	if ws3, _ := Generate(ps, GenerateOptions{Workers: 3000, Vacancies: 1000, Seed: 6}); reflect.DeepEqual(ws, ws3) {
		t.Fatal("different seeds gave the same population")
	}
	origins := map[string]bool{}
	for _, c := range defaultOrigins {
		origins[c] = true
	}
	two := 0
	for _, w := range ws {
		if n := len(w.Occupations); n < 1 || n > 2 {
			t.Fatalf("worker %d holds %d occupations", w.ID, n)
		} else if n == 2 {
			two++
		}
		if !origins[w.Origin] || len(w.Skills) == 0 || len(w.Languages) < 1 || len(w.Languages) > 3 ||
			w.Education < 1 || w.Education > 7 || w.ExperienceYears < 0 || w.ExperienceYears > 20 || len(w.PreferredDestinations) > 3 {
			t.Fatalf("worker out of range: %+v", w)
		}
	}
	if two < len(ws)/5 || two > len(ws)/2 {
		t.Errorf("%d of %d workers hold two occupations", two, len(ws))
	}
	positions := 0
	for _, v := range vs {
		if v.Positions < 1 || v.Positions > 20 || len(v.Essential) == 0 || len(v.Languages) > 2 {
			t.Fatalf("vacancy out of range: %+v", v)
		}
		positions += v.Positions
	}
	if mean := float64(positions) / float64(len(vs)); mean < 9 || mean > 12 {
		t.Errorf("mean positions %.1f, want ~10", mean)
	}
	if ws, vs := Generate(nil, o); ws != nil || vs != nil {
		t.Error("no profiles should give no population")
	}
}
