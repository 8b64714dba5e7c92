package cases

import "testing"

// BenchmarkScore measures one duplicate comparison (folding included).
func BenchmarkScore(b *testing.B) {
	p := Candidate{GivenName: "Maryam", FamilyName: "N'Diaye", BirthDate: "1996-04-12", Nationality: "SEN"}
	c := Candidate{PersonID: 1, GivenName: "Mariam", FamilyName: "Ndiayé", BirthDate: "1996-04-12", Nationality: "SEN"}
	for b.Loop() {
		Score(p, c)
	}
}

// BenchmarkFindDuplicates scores an intake against 1,000 candidates.
func BenchmarkFindDuplicates(b *testing.B) {
	p := Candidate{GivenName: "Maryam", FamilyName: "N'Diaye", BirthDate: "1996-04-12", Nationality: "SEN"}
	given := []string{"Mariam", "Aisha", "Fatou", "Aminata", "Hawa", "Grace", "Awa", "Khady"}
	family := []string{"Ndiaye", "Diallo", "Sow", "Fall", "Diop", "Ba", "Camara", "Traoré"}
	var cs []Candidate
	for i := range 1000 {
		cs = append(cs, Candidate{PersonID: int64(i + 1), GivenName: given[i%8], FamilyName: family[(i/8)%8],
			BirthDate: "1996-04-12", Nationality: "SEN"})
	}
	for b.Loop() {
		FindDuplicates(p, cs, DuplicateThreshold)
	}
}
