package release

import (
	"testing"

	"github.com/corridor-platform/corridor/internal/geo"
)

// checkShape: Levels[0] is identity, the last level is all "*", every
// level maps the same values, and "" stays "" below the top.
func checkShape(t *testing.T, h Hierarchy) {
	t.Helper()
	if len(h.Levels) < 2 {
		t.Fatalf("%s: %d levels", h.Column, len(h.Levels))
	}
	for v, g := range h.Levels[0] {
		if v != g {
			t.Errorf("%s level 0: %q → %q", h.Column, v, g)
		}
	}
	top := h.Levels[len(h.Levels)-1]
	for v, g := range top {
		if g != Suppressed {
			t.Errorf("%s top level: %q → %q", h.Column, v, g)
		}
	}
	for i, l := range h.Levels {
		if len(l) != len(h.Levels[0]) {
			t.Errorf("%s level %d has %d values, level 0 %d", h.Column, i, len(l), len(h.Levels[0]))
		}
		if i < len(h.Levels)-1 && l[""] != "" {
			t.Errorf("%s level %d: missing → %q", h.Column, i, l[""])
		}
	}
}

func TestHierarchies(t *testing.T) {
	countries := CountryAreas([]geo.Area{
		{Code: "SEN", Kind: geo.KindCountry, ISO3: "SEN", SubRegion: "Sub-Saharan Africa", Region: "Africa"},
		{Code: "EGY", Kind: geo.KindCountry, ISO3: "EGY", SubRegion: "Northern Africa", Region: "Africa"},
		{Code: "ATA", Kind: geo.KindCountry, ISO3: "ATA"},
		{Code: "002", Kind: geo.KindRegion, M49: "002", Name: "Africa"},
	})
	if len(countries) != 3 {
		t.Fatalf("countries: %v", countries)
	}
	all := Hierarchies(countries, 2002, 2024)
	if len(all) != len(CTDCColumns) {
		t.Fatalf("%d hierarchies", len(all))
	}
	for _, h := range all {
		checkShape(t, h)
	}
	byCol := map[string]Hierarchy{}
	for _, h := range all {
		byCol[h.Column] = h
	}
	tests := []struct {
		col   string
		level int
		in    string
		want  string
	}{
		{ColAge, 1, "09--17", Minor},
		{ColAge, 1, "0--8", Minor},
		{ColAge, 1, "18--20", Adult},
		{ColAge, 1, "48+", Adult},
		{ColAge, 2, "48+", "*"},
		{ColCitizenship, 1, "SEN", "Sub-Saharan Africa"},
		{ColCitizenship, 2, "SEN", "Africa"},
		{ColCitizenship, 3, "SEN", "*"},
		{ColCountryOfExploit, 1, "EGY", "Northern Africa"},
		{ColCountryOfExploit, 1, "ATA", NoSubRegion},
		{ColCountryOfExploit, 2, "ATA", NoRegion},
		{ColYear, 1, "2015", "2015-2019"},
		{ColYear, 1, "2019", "2015-2019"},
		{ColYear, 1, "2020", "2020-2024"},
		{ColYear, 1, "2002", "2000-2004"},
		{ColYear, 2, "2002", "*"},
		{ColGender, 1, GenderWoman, "*"},
		{ColTraffickMonths, 1, Months25Plus, "*"},
		{ColMeansThreats, 0, "1", "1"},
		{ColMeansThreats, 1, "1", "*"},
		{ColMeansThreats, 1, "", "*"},
	}
	for _, tc := range tests {
		h := byCol[tc.col]
		if tc.level >= len(h.Levels) {
			t.Errorf("%s: no level %d", tc.col, tc.level)
			continue
		}
		if got, ok := h.Levels[tc.level][tc.in]; !ok || got != tc.want {
			t.Errorf("%s level %d: %q → %q (%t), want %q", tc.col, tc.level, tc.in, got, ok, tc.want)
		}
	}
	if n := len(byCol[ColAge].Levels); n != 3 {
		t.Errorf("age hierarchy has %d levels, want 3", n)
	}
	if n := len(byCol[ColCitizenship].Levels); n != 4 {
		t.Errorf("country hierarchy has %d levels, want 4", n)
	}
}

func TestPeriod(t *testing.T) {
	for y, want := range map[int]string{2015: "2015-2019", 2019: "2015-2019", 2000: "2000-2004", 1999: "1995-1999"} {
		if got := Period(y); got != want {
			t.Errorf("Period(%d) = %q, want %q", y, got, want)
		}
	}
}
