package sds

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/corridor-platform/corridor/internal/release/table"
)

// skewedTable makes n records over ncols columns with Zipf-like values
// (cardinality 2..9) and about 15% missing cells, seeded.
func skewedTable(n, ncols int, seed uint64) *table.Table {
	rng := rand.New(rand.NewPCG(seed, 1))
	t := &table.Table{}
	card := make([]int, ncols)
	for j := range ncols {
		t.Columns = append(t.Columns, fmt.Sprintf("c%d", j))
		card[j] = 2 + j%8
	}
	for range n {
		r := make([]string, ncols)
		for j := range ncols {
			if rng.Float64() < 0.15 {
				continue
			}
			// Geometric-like skew: value v with probability ∝ 2^-v.
			v := min(int(rng.ExpFloat64()/math.Ln2), card[j]-1)
			r[j] = fmt.Sprintf("v%d", v)
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}

// ctdcColumns is the CTDC Global Synthetic Dataset v2024 header (SCHEMA.md
// section A).
var ctdcColumns = []string{"yearOfRegistration", "gender", "ageBroad", "citizenship", "CountryOfExploitation", "traffickMonths",
	"meansDebtBondageEarnings", "meansThreats", "meansAbusePsyPhySex", "meansFalsePromises", "meansDrugsAlcohol",
	"meansDenyBasicNeeds", "meansExcessiveWorkHours", "meansWithholdDocs", "isForcedLabour", "isSexualExploit",
	"isOtherExploit", "typeOfLabourAgriculture", "typeOfLabourConstruction", "typeOfLabourDomesticWork",
	"typeOfLabourHospitality", "typeOfSexProstitution", "typeOfSexPornography", "recruiterRelationIntimatePartner",
	"recruiterRelationFriend", "recruiterRelationFamily", "recruiterRelationOther"}

// ctdcFlagRate is the share of "1" of each binary flag (columns 7..27):
// means of control are sparse, exploitation type frequent, labour and
// recruiter types rare, roughly as in the published files.
var ctdcFlagRate = []float64{0.08, 0.10, 0.15, 0.12, 0.03, 0.12, 0.06, 0.07,
	0.45, 0.40, 0.05, 0.04, 0.03, 0.08, 0.03, 0.20, 0.02, 0.02, 0.05, 0.06, 0.10}

// ctdcTable makes n records shaped like the CTDC global synthetic data:
// 21 years, 3 genders, 9 age bands, ~120 citizenships and ~100 countries
// of exploitation with a heavy head, 3 duration bands, 21 sparse flags;
// categorical cells are missing at realistic rates.
func ctdcTable(n int, seed uint64) *table.Table {
	rng := rand.New(rand.NewPCG(seed, 2))
	ages := []string{"0--8", "09--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"}
	genders := []string{"Man", "Woman", "Trans/Transgender/NonConforming"}
	months := []string{"0--12 (0-1 yr)", "13--24 (1-2 yrs)", "25+ (2+ yrs)"}
	country := func(k int) string { // up to k codes, a heavy head and a long tail
		return fmt.Sprintf("C%03d", min(k-1, int(rng.ExpFloat64()*float64(k)/8)))
	}
	t := &table.Table{Columns: append([]string(nil), ctdcColumns...), Rows: make([][]string, n)}
	for i := range t.Rows {
		r := make([]string, len(ctdcColumns))
		r[0] = fmt.Sprint(2002 + min(20, int(rng.ExpFloat64()*5)))
		if rng.Float64() < 0.9 {
			r[1] = genders[min(2, int(rng.ExpFloat64()*0.7))]
		}
		if rng.Float64() < 0.6 {
			r[2] = ages[rng.IntN(len(ages))]
		}
		if rng.Float64() < 0.7 {
			r[3] = country(120)
		}
		if rng.Float64() < 0.8 {
			r[4] = country(100)
		}
		if rng.Float64() < 0.2 {
			r[5] = months[rng.IntN(3)]
		}
		for f, p := range ctdcFlagRate {
			if rng.Float64() < p {
				r[6+f] = "1"
			}
		}
		t.Rows[i] = r
	}
	return t
}
