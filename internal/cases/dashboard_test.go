package cases

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestAgeAt(t *testing.T) {
	tests := []struct {
		birth string
		at    string
		age   int
		ok    bool
	}{
		{"2000-06-15", "2024-06-14", 23, true},
		{"2000-06-15", "2024-06-15", 24, true},
		{"2000-02-29", "2024-02-28", 23, true},
		{"2000-02-29", "2024-02-29", 24, true},
		{"2000", "2024-06-30", 23, true}, // year only: born 1 July
		{"2000", "2024-07-01", 24, true},
		{"2024-06-15", "2024-06-15", 0, true},
		{"2024-06-16", "2024-06-15", 0, false}, // born after the date
		{"", "2024-06-15", 0, false},
		{"15/06/2000", "2024-06-15", 0, false},
		{"2000-13-01", "2024-06-15", 0, false},
	}
	for _, tt := range tests {
		age, ok := AgeAt(tt.birth, day(tt.at))
		if age != tt.age && tt.ok || ok != tt.ok {
			t.Errorf("AgeAt(%q, %s) = %d %v, want %d %v", tt.birth, tt.at, age, ok, tt.age, tt.ok)
		}
	}
}

func TestBandOf(t *testing.T) {
	tests := map[int]string{0: "0–8", 8: "0–8", 9: "9–17", 17: "9–17", 18: "18–20", 20: "18–20", 21: "21–23",
		23: "21–23", 24: "24–26", 26: "24–26", 27: "27–29", 29: "27–29", 30: "30–38", 38: "30–38", 39: "39–47",
		47: "39–47", 48: "48+", 99: "48+", -1: Unknown}
	for age, want := range tests {
		if got := BandOf(age); got != want {
			t.Errorf("BandOf(%d) = %q, want %q", age, got, want)
		}
	}
	// The bands tile 0..120 with no gap or overlap.
	for age := range 121 {
		n := 0
		for _, b := range AgeBands {
			if age >= b.Min && (b.Max < 0 || age <= b.Max) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("age %d is in %d bands", age, n)
		}
	}
}

// TestAgeBandsMatchCTDCSchema checks the bands against the CTDC schema
// notes shipped with the data (skipped when absent).
func TestAgeBandsMatchCTDCSchema(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "data", "ctdc", "SCHEMA.md"))
	if os.IsNotExist(err) {
		t.Skip("CTDC SCHEMA.md absent")
	}
	if err != nil {
		t.Fatal(err)
	}
	schema := string(b)
	var ctdc []string
	for _, band := range AgeBands {
		ctdc = append(ctdc, band.CTDCName())
	}
	if !slices.Equal(ctdc, []string{"0--8", "09--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"}) {
		t.Errorf("CTDC names %v", ctdc)
	}
	// SCHEMA.md lists "0–8, 9–17, 18–20, … 48+" for ageBroad.
	line := ""
	for l := range strings.SplitSeq(schema, "\n") {
		if strings.Contains(l, "| ageBroad |") {
			line = l
		}
	}
	if line == "" {
		t.Fatal("no ageBroad row in SCHEMA.md")
	}
	for _, band := range AgeBands {
		if !strings.Contains(line, band.Name) {
			t.Errorf("band %s not in the schema's ageBroad row: %s", band.Name, line)
		}
	}
	for _, spelled := range []string{"`0--8`", "`09--17`", "`18--20`", "`48+`"} {
		if !strings.Contains(line, spelled) {
			t.Errorf("schema spelling %s not found", spelled)
		}
	}
}

func TestSummarise(t *testing.T) {
	ss := []Summary{
		{CaseID: 1, Kind: KindTrafficking, Status: StatusActive, OpenedOn: "2024-01-01", BirthDate: "2000-01-01", Nationality: "NGA", ExploitationTypes: []string{"ForcedLabour"}},
		{CaseID: 2, Kind: KindTrafficking, Status: StatusActive, OpenedOn: "2024-01-01", BirthDate: "2010-05-05", Nationality: "NGA", ExploitationTypes: []string{"SexualExploitation", "ForcedLabour"}},
		{CaseID: 3, Kind: KindTrafficking, Status: StatusClosed, OpenedOn: "2024-01-01", BirthDate: "1970", Nationality: "UKR", ExploitationTypes: nil},
		{CaseID: 4, Kind: KindReturn, Status: StatusFollowUp, OpenedOn: "2024-01-01", BirthDate: "", Nationality: "GIN"},
		{CaseID: 5, Kind: KindReturn, Status: StatusFollowUp, OpenedOn: "2024-01-01", BirthDate: "2003-01-02", Nationality: ""},
		{CaseID: 6, Kind: KindTrafficking, Status: StatusActive, OpenedOn: "bad", BirthDate: "2000-01-01", Nationality: "UKR", ExploitationTypes: []string{"ForcedBegging"}},
	}
	got := Summarise(ss)
	if got.Total != 6 {
		t.Errorf("total %d", got.Total)
	}
	want := map[string][]Count{
		"status": {{"Active", 3}, {"FollowUp", 2}, {"Closed", 1}, {"ClosedReferred", 0}},
		"kind":   {{"trafficking", 4}, {"return", 2}},
		// multi-label: case 2 counts twice; return cases are not counted.
		"exploitation": {{"ForcedLabour", 2}, {"SexualExploitation", 1}, {"ForcedBegging", 1}, {Unknown, 1}},
		// case 1: 24 at opening; case 2: 13; case 3: 53 (year only); case 5: 20 (a day short of 21);
		// case 4 has no birth date and case 6 no readable opening date.
		"age": {{"0–8", 0}, {"9–17", 1}, {"18–20", 1}, {"21–23", 0}, {"24–26", 1}, {"27–29", 0}, {"30–38", 0},
			{"39–47", 0}, {"48+", 1}, {Unknown, 2}},
		"nationality": {{"NGA", 2}, {"UKR", 2}, {"GIN", 1}, {Unknown, 1}},
	}
	check := func(name string, got []Count) {
		if !slices.Equal(got, want[name]) {
			t.Errorf("%s:\n got  %v\n want %v", name, got, want[name])
		}
	}
	check("status", got.ByStatus)
	check("kind", got.ByKind)
	check("exploitation", got.ByExploitation)
	check("age", got.ByAgeBand)
	check("nationality", got.ByNationality)

	// A status outside the list is counted, not dropped.
	odd := CountByStatus([]Summary{{Status: "Archived"}, {Status: StatusActive}})
	if odd[len(odd)-1] != (Count{Unknown, 1}) || odd[0] != (Count{StatusActive, 1}) {
		t.Errorf("odd statuses: %v", odd)
	}
	// Empty input gives the fixed rows with zeros.
	empty := Summarise(nil)
	if empty.Total != 0 || len(empty.ByStatus) != 4 || len(empty.ByAgeBand) != 10 || len(empty.ByNationality) != 0 || len(empty.ByExploitation) != 0 {
		t.Errorf("empty caseload: %+v", empty)
	}
}

func TestSummaryOf(t *testing.T) {
	c := traffickingCase()
	s := SummaryOf(c, "2004-02-01", "NGA")
	if s.CaseID != 7 || s.OwnerID != 5 || s.TeamID != 3 || s.Nationality != "NGA" || !slices.Equal(s.ExploitationTypes, []string{"ForcedLabour"}) {
		t.Errorf("summary %+v", s)
	}
	if s.AgeBand() != "18–20" { // 20 on 2024-03-01
		t.Errorf("age band %s", s.AgeBand())
	}
	s.ExploitationTypes[0] = "x"
	if c.Trafficking.TypeOfExploitation[0] != "ForcedLabour" {
		t.Errorf("SummaryOf shares the case's slice")
	}
}
