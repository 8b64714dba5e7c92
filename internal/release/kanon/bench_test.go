package kanon

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/corridor-platform/corridor/internal/release/table"
)

// ctdcLike builds n records shaped like CTDC's quasi-identifiers with
// skewed (Zipf-like) country distributions, and their hierarchies:
// year 2002–2022 (5-year, 10-year ranges, *), gender (*), ageBroad
// (minor/adult, *), citizenship and CountryOfExploitation (150 made-up
// ISO3-like codes → 17 subregions → 5 regions → *), traffickMonths (*)
// and two 1/"" flags (*). The lattice has 4·2·3·4·4·2·2·2 = 3072 nodes.
func ctdcLike(tb testing.TB, n int) (*table.Table, []Hierarchy) {
	rng := rand.New(rand.NewPCG(2024, 2))
	countries := make([]string, 150)
	for i := range countries {
		countries[i] = string([]byte{byte('A' + i/26%26), byte('A' + i%26), byte('A' + (i*7)%26)})
	}
	zipf := cumulative(len(countries), 1.2)
	pick := func(cum []float64) int {
		u := rng.Float64()
		for i, c := range cum {
			if u <= c {
				return i
			}
		}
		return len(cum) - 1
	}
	ages := []string{"0--8", "09--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"}
	months := []string{"0--12 (0-1 yr)", "13--24 (1-2 yrs)", "25+ (2+ yrs)"}
	genders := []string{"Woman", "Woman", "Woman", "Man", "Man", "Trans/Transgender/NonConforming"}
	t := &table.Table{Columns: []string{"yearOfRegistration", "gender", "ageBroad", "citizenship", "CountryOfExploitation", "traffickMonths", "meansThreats", "isForcedLabour", "isSexualExploit", "recruiterRelation"}}
	maybe := func(p float64, v string) string {
		if rng.Float64() < p {
			return v
		}
		return ""
	}
	for range n {
		cit := pick(zipf)
		coe := cit
		if rng.IntN(3) == 0 {
			coe = pick(zipf)
		}
		year := 2022 - int(math.Min(20, rng.ExpFloat64()*5))
		t.Rows = append(t.Rows, []string{
			maybe(0.97, fmt.Sprint(year)),
			maybe(0.95, genders[rng.IntN(len(genders))]),
			maybe(0.8, ages[rng.IntN(len(ages))]),
			maybe(0.85, countries[cit]),
			maybe(0.9, countries[coe]),
			maybe(0.3, months[rng.IntN(len(months))]),
			maybe(0.3, "1"),
			maybe(0.5, "1"),
			"1",
			maybe(0.5, []string{"IntimatePartner", "Friend", "Family", "Other"}[rng.IntN(4)]),
		})
	}
	return t, ctdcHierarchies(tb, countries, ages, months, genders)
}

// cumulative is the cumulative distribution of ranks 1..k with weight rank^-s.
func cumulative(k int, s float64) []float64 {
	cum := make([]float64, k)
	total := 0.0
	for i := range k {
		total += math.Pow(float64(i+1), -s)
		cum[i] = total
	}
	for i := range cum {
		cum[i] /= total
	}
	return cum
}

func ctdcHierarchies(tb testing.TB, countries, ages, months, genders []string) []Hierarchy {
	must := func(h Hierarchy, err error) Hierarchy {
		if err != nil {
			tb.Fatal(err)
		}
		return h
	}
	var years []string
	for y := 2002; y <= 2022; y++ {
		years = append(years, fmt.Sprint(y))
	}
	flat := func(col string, vals []string) Hierarchy {
		id, star := map[string]string{}, map[string]string{}
		for _, v := range vals {
			id[v], star[v] = v, "*"
		}
		return must(NewHierarchy(col, id, star))
	}
	age := [3]map[string]string{{}, {}, {}}
	for i, a := range ages {
		age[0][a], age[1][a], age[2][a] = a, "adult", "*"
		if i < 2 {
			age[1][a] = "minor"
		}
	}
	geo := func(col string) Hierarchy {
		lv := [4]map[string]string{{}, {}, {}, {}}
		for i, c := range countries {
			sub := i * 7 % 17 // a made-up deterministic subregion
			lv[0][c], lv[1][c], lv[2][c], lv[3][c] = c, fmt.Sprintf("sub%02d", sub), fmt.Sprintf("region%d", sub%5), "*"
		}
		return must(NewHierarchy(col, lv[:]...))
	}
	return []Hierarchy{
		must(IntervalHierarchy("yearOfRegistration", years, 5, 10)),
		flat("gender", genders),
		must(NewHierarchy("ageBroad", age[:]...)),
		geo("citizenship"),
		geo("CountryOfExploitation"),
		flat("traffickMonths", months),
		flat("meansThreats", []string{"1"}),
		flat("isForcedLabour", []string{"1"}),
	}
}

// BenchmarkAnonymise: 200,000 CTDC-shaped records, 8 QIs, k=10, 2% suppression.
func BenchmarkAnonymise(b *testing.B) {
	t, qis := ctdcLike(b, 200_000)
	p := Params{K: 10, QuasiIdentifiers: qis, MaxSuppression: 0.02}
	b.ResetTimer()
	for b.Loop() {
		res, err := Anonymise(t, p)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Checked), "checked")
		b.ReportMetric(float64(res.Lattice), "lattice")
		b.ReportMetric(res.Metrics.Loss, "loss")
		b.Logf("levels %v suppressed %d classes %d min %d metrics %+v", res.Levels, res.Suppressed, res.Classes, res.MinClassSize, res.Metrics)
	}
}

// BenchmarkAnonymiseVariants runs the other metrics and l-diversity on
// the same data, to show how the lower bounds prune for each.
func BenchmarkAnonymiseVariants(b *testing.B) {
	t, qis := ctdcLike(b, 200_000)
	for _, p := range []Params{
		{K: 10, MaxSuppression: 0.02, Metric: "discernibility"},
		{K: 10, MaxSuppression: 0.02, Metric: "entropy"},
		{K: 10, MaxSuppression: 0.02, Sensitive: "recruiterRelation", L: 2},
		{K: 5, MaxSuppression: 0.005},
	} {
		p.QuasiIdentifiers = qis
		b.Run(fmt.Sprintf("%s_k%d_supp%g_l%d", metricOf(p), p.K, p.MaxSuppression, p.L), func(b *testing.B) {
			for b.Loop() {
				res, err := Anonymise(t, p)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(res.Checked), "checked")
				b.Logf("levels %v suppressed %d", res.Levels, res.Suppressed)
			}
		})
	}
}
