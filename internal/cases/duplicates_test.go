package cases

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/geo"
)

func TestJaroWinkler(t *testing.T) {
	// Reference values from Winkler (1990) and the usual test pairs.
	tests := []struct {
		a, b string
		want float64
	}{
		{"MARTHA", "MARHTA", 0.961},
		{"DWAYNE", "DUANE", 0.840},
		{"DIXON", "DICKSONX", 0.813},
		{"JELLYFISH", "SMELLYFISH", 0.896},
		{"abc", "abc", 1},
		{"", "", 1},
		{"abc", "", 0},
		{"abc", "xyz", 0},
		{"a", "a", 1},
		{"ab", "ba", 0}, // outside the match window
		{"ÉLODIE", "ÉLODIE", 1},
		{"søren", "sören", 0.880}, // runes, not bytes
	}
	for _, tt := range tests {
		got := JaroWinkler(tt.a, tt.b)
		if math.Abs(got-tt.want) > 0.0005 {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, want %.3f", tt.a, tt.b, got, tt.want)
		}
		if back := JaroWinkler(tt.b, tt.a); math.Abs(back-got) > 1e-12 {
			t.Errorf("JaroWinkler not symmetric on %q, %q: %v vs %v", tt.a, tt.b, got, back)
		}
	}
}

func TestFoldPersonName(t *testing.T) {
	for in, want := range map[string]string{
		"Maryam N'Diaye":      "maryam ndiaye",
		"  MARIAM   NDIAYE ":  "mariam ndiaye",
		"Jean-Luc Østergård":  "jean luc ostergard",
		"Łukasz Wałęsa":       "lukasz walesa",
		"Thérèse O’Brien":     "therese obrien",
		"Straße":              "strasse",
		"Nguyễn Thị Minh":     "nguyen thi minh",
		"Md. Rahman":          "md rahman",
		"Ayşe Yılmaz":         "ayse yilmaz",
		"al-Hassan, Fatima":   "al hassan fatima",
		"Mohammed\u00a0Salah": "mohammed salah",
	} {
		if got := FoldPersonName(in); got != want {
			t.Errorf("FoldPersonName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFoldPersonNameMirrorsGeo checks that the rune-by-rune folding
// agrees with geo.FoldName on names without punctuation.
func TestFoldPersonNameMirrorsGeo(t *testing.T) {
	for _, s := range []string{"Côte", "Türkiye", "ÉLODIE Müller", "Nguyễn Thị Minh", "Ouédraogo", "Şahin Çelik",
		"Ñúñez", "Ågren", "Dvořák", "Ελένη", "Анна Петрова", "  two   spaces ", "Zoë"} {
		if got, want := FoldPersonName(s), geo.FoldName(s); got != want {
			t.Errorf("FoldPersonName(%q) = %q, geo.FoldName = %q", s, got, want)
		}
	}
}

func TestScore(t *testing.T) {
	mariam := Candidate{PersonID: 1, GivenName: "Mariam", FamilyName: "Ndiaye", BirthDate: "1996-04-12", Nationality: "SEN"}
	tests := []struct {
		name      string
		probe     Candidate
		duplicate bool
		reasons   []string // each must appear in the explanation
	}{
		{"re-registered with a misspelt name", Candidate{GivenName: "Maryam", FamilyName: "N'Diaye", BirthDate: "1996-04-12", Nationality: "SEN"},
			true, []string{"name 0.9", "same date of birth", "same nationality"}},
		{"misspelt, nationality not recorded", Candidate{GivenName: "Maryam", FamilyName: "N'Diaye", BirthDate: "1996-04-12"},
			true, []string{"same date of birth"}},
		{"names swapped", Candidate{GivenName: "Ndiaye", FamilyName: "Mariam", BirthDate: "1996-04-12", Nationality: "SEN"},
			true, []string{"name 1.00", "same date of birth"}},
		{"day and month swapped", Candidate{GivenName: "Mariam", FamilyName: "Ndiaye", BirthDate: "1996-12-04", Nationality: "SEN"},
			true, []string{"day and month of birth swapped"}},
		{"day and month swapped, nationality not recorded", Candidate{GivenName: "Mariam", FamilyName: "Ndiaye", BirthDate: "1996-12-04"},
			true, []string{"day and month of birth swapped"}},
		{"misspelt and a typo in the birth day", Candidate{GivenName: "Maryam", FamilyName: "Ndiay", BirthDate: "1996-04-13", Nationality: "SEN"},
			true, []string{"date of birth one digit apart"}},
		{"accents and case", Candidate{GivenName: "MARIAM", FamilyName: "NDIAYÉ", BirthDate: "1996-04-12", Nationality: "SEN"},
			true, []string{"name 1.00"}},
		{"same document, different spelling and no birth date", Candidate{GivenName: "M.", FamilyName: "Diallo", DocumentIndex: "idx-A"},
			true, []string{"same document number"}},
		{"same name, different person (birth date and nationality differ)", Candidate{GivenName: "Mariam", FamilyName: "Ndiaye", BirthDate: "1971-09-30", Nationality: "MLI"},
			false, []string{"name 1.00", "different date of birth", "different nationality"}},
		{"same name, same nationality, birth date unknown", Candidate{GivenName: "Mariam", FamilyName: "Ndiaye", Nationality: "SEN"},
			false, []string{"same nationality"}},
		{"different name, same birth date", Candidate{GivenName: "Fatou", FamilyName: "Sow", BirthDate: "1996-04-12", Nationality: "SEN"},
			false, []string{"same date of birth"}},
		{"sister born the same day (twins)", Candidate{GivenName: "Fatou", FamilyName: "Ndiaye", BirthDate: "1996-04-12", Nationality: "SEN"},
			false, []string{"same date of birth", "same nationality"}},
		{"same name and nationality, only the year of birth known", Candidate{GivenName: "Mariam", FamilyName: "Ndiaye", BirthDate: "1996", Nationality: "SEN"},
			true, []string{"same year of birth"}},
		{"same name, full dates in the same year", Candidate{GivenName: "Mariam", FamilyName: "Ndiaye", BirthDate: "1996-09-30", Nationality: "SEN"},
			false, []string{"same year of birth"}},
		{"similar first name only", Candidate{GivenName: "Mariama", FamilyName: "Diop", BirthDate: "1996-04-12", Nationality: "SEN"},
			false, nil},
		{"different people", Candidate{GivenName: "Oluwaseun", FamilyName: "Adeyemi", BirthDate: "1988-01-02", Nationality: "NGA"},
			false, nil},
	}
	candidates := []Candidate{mariam, {PersonID: 2, GivenName: "Awa", FamilyName: "Diallo", BirthDate: "1990", Nationality: "GIN", DocumentIndex: "idx-A"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := FindDuplicates(tt.probe, candidates, DuplicateThreshold)
			found := len(ms) > 0
			if found != tt.duplicate {
				t.Fatalf("found %v (%+v), want %v; score vs Mariam %+v", found, ms, tt.duplicate, Score(tt.probe, mariam))
			}
			m := Score(tt.probe, mariam)
			if found {
				m = ms[0]
			}
			for _, r := range tt.reasons {
				if !strings.Contains(m.Explanation(), r) {
					t.Errorf("explanation %q lacks %q", m.Explanation(), r)
				}
			}
			if m.Score < 0 || m.Score > 1 {
				t.Errorf("score %v off the 0–1 scale", m.Score)
			}
		})
	}
}

func TestScoreExplanationFormat(t *testing.T) {
	m := Score(Candidate{GivenName: "Maryam", FamilyName: "N'Diaye", BirthDate: "1996-04-12", Nationality: "SEN"},
		Candidate{PersonID: 1, GivenName: "Mariam", FamilyName: "Ndiaye", BirthDate: "1996-04-12", Nationality: "SEN"})
	// "maryam ndiaye" vs "mariam ndiaye": 12 of 13 runes match in place.
	if m.NameScore < 0.93 || m.NameScore > 0.99 {
		t.Errorf("name score %v", m.NameScore)
	}
	want := "name " + strings.TrimPrefix(m.Reasons[0], "name ") + ", same date of birth, same nationality"
	if m.Explanation() != want || !strings.HasPrefix(m.Explanation(), "name 0.9") {
		t.Errorf("explanation %q", m.Explanation())
	}
	if m.Score < 0.95 {
		t.Errorf("score %v, want ≥ 0.95", m.Score)
	}
}

func TestBirthAgreement(t *testing.T) {
	tests := []struct {
		a, b   string
		want   float64
		reason string
	}{
		{"1996-04-12", "1996-04-12", 1, "same date of birth"},
		{"1996-04-12", "1996-12-04", 0.8, "day and month of birth swapped"},
		{"1996-04-12", "1996-04-13", 0.8, "date of birth one digit apart"},
		{"1996-04-12", "1996-05-12", 0.8, "date of birth one digit apart"},
		{"1996-04-12", "1996-08-30", 0.5, "same year of birth"},
		{"1996-04-12", "1996", 0.6, "same year of birth"},
		{"1996", "1996", 0.7, "same year of birth"},
		{"1996-04-12", "1997-04-12", 0.4, "date of birth one digit apart in the year"},
		{"1996-04-12", "1986-04-12", 0.4, "date of birth one digit apart in the year"},
		{"1996-04-12", "2001-04-12", 0, "different date of birth"},
		{"1996", "1999", 0, "different year of birth"},
		{"1996-04-12", "", 0.3, ""},
	}
	for _, tt := range tests {
		got, reason := birthAgreement(tt.a, tt.b)
		if got != tt.want || reason != tt.reason {
			t.Errorf("birthAgreement(%q, %q) = %v %q, want %v %q", tt.a, tt.b, got, reason, tt.want, tt.reason)
		}
	}
}

func TestFindDuplicatesOrderAndSelf(t *testing.T) {
	probe := Candidate{PersonID: 10, GivenName: "Ahmed", FamilyName: "Hassan", BirthDate: "1990-01-01", Nationality: "SDN"}
	cands := []Candidate{
		probe, // the probe's own record
		{PersonID: 12, GivenName: "Ahmad", FamilyName: "Hasan", BirthDate: "1990-01-01", Nationality: "SDN"},
		{PersonID: 11, GivenName: "Ahmed", FamilyName: "Hassan", BirthDate: "1990-01-01", Nationality: "SDN"},
		{PersonID: 13, GivenName: "Ahmed", FamilyName: "Hassan", BirthDate: "1990-01-01", Nationality: "SDN"},
		{PersonID: 14, GivenName: "Ahmed", FamilyName: "Hassan", BirthDate: "1955-07-07", Nationality: "EGY"},
	}
	ms := FindDuplicates(probe, cands, DuplicateThreshold)
	var ids []int64
	for _, m := range ms {
		ids = append(ids, m.PersonID)
	}
	if !slices.Equal(ids, []int64{11, 13, 12}) {
		t.Errorf("matches %v, want [11 13 12] (exact ties by id, then the misspelt one; not self, not 14)", ids)
	}
}
