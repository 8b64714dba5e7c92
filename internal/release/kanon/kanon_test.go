package kanon

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// fixture is 12 records of (age band, sex, diagnosis):
//
//	age counts: 0-8:1, 09-17:2, 18-29:4, 30+:5; sex F:6, M:6
//	diag is X everywhere except records 3, 6, 10, 12 (Y): every woman is X.
func fixture() *table.Table {
	rows := [][]string{
		{"0-8", "F", "X"}, {"09-17", "F", "X"}, {"09-17", "M", "Y"},
		{"18-29", "F", "X"}, {"18-29", "F", "X"}, {"18-29", "M", "Y"}, {"18-29", "M", "X"},
		{"30+", "F", "X"}, {"30+", "F", "X"}, {"30+", "M", "Y"}, {"30+", "M", "X"}, {"30+", "M", "Y"},
	}
	return &table.Table{Columns: []string{"age", "sex", "diag"}, Rows: rows}
}

// fixtureQIs: age id → minor/adult → *; sex id → *. Loss per cell: age
// level 1 is (2−1)/(4−1) = 1/3, level 2 is 1; sex level 1 is 1.
func fixtureQIs(t testing.TB) []Hierarchy {
	age, err := NewHierarchy("age",
		map[string]string{"0-8": "0-8", "09-17": "09-17", "18-29": "18-29", "30+": "30+"},
		map[string]string{"0-8": "minor", "09-17": "minor", "18-29": "adult", "30+": "adult"},
		map[string]string{"0-8": "*", "09-17": "*", "18-29": "*", "30+": "*"})
	if err != nil {
		t.Fatal(err)
	}
	sex, err := NewHierarchy("sex", map[string]string{"F": "F", "M": "M"}, map[string]string{"F": "*", "M": "*"})
	if err != nil {
		t.Fatal(err)
	}
	return []Hierarchy{age, sex}
}

// TestAnonymiseFixture checks optima computed by hand. Nodes are
// (age level, sex level); the lattice has 6 nodes.
func TestAnonymiseFixture(t *testing.T) {
	tests := []struct {
		name       string
		p          Params
		levels     [2]int
		value      float64 // the minimised metric
		dm         float64
		suppressed int
	}{
		// k=2, no suppression: (0,0), (1,0) [minor M has 1] and (0,1)
		// [0-8 has 1] fail. (1,1): classes 3, 9, loss 12·(1/3+1)/24 = 2/3.
		// (2,0): classes 6, 6, loss 12·1/24 = 1/2, DM 36+36 = 72. (2,1): loss 1.
		{"k2 loss", Params{K: 2}, [2]int{2, 0}, 0.5, 72, 0},
		// Non-uniform entropy of (2,0): Σ c·log2(12/c) over age counts
		// 1, 2, 4, 5 = 3.585+5.170+6.340+6.315 = 21.4099; (1,1) is 11.675+12.
		{"k2 entropy", Params{K: 2, Metric: "entropy"}, [2]int{2, 0},
			math.Log2(12) + 2*math.Log2(6) + 4*math.Log2(3) + 5*math.Log2(12.0/5), 72, 0},
		// k=3, 3 records may go. (1,0): minor F (2) and minor M (1)
		// suppressed; loss (9·1/3 + 3·2)/24 = 0.375, DM 16+25+3·12 = 77.
		// (0,1): loss (9+6)/24; (2,0) 0.5; (0,0) would suppress 9.
		{"k3 supp loss", Params{K: 3, MaxSuppression: 0.25}, [2]int{1, 0}, 0.375, 77, 3},
		// Same but minimising discernibility: (2,0) at 72 beats 77.
		{"k3 supp dm", Params{K: 3, MaxSuppression: 0.25, Metric: "discernibility"}, [2]int{2, 0}, 72, 72, 0},
		// k=2, 3 may go: (0,0) suppresses 3 (loss 6/24 = 0.25) but (1,0)
		// suppresses only minor M: loss (11/3 + 2)/24 = 17/72 ≈ 0.2361.
		{"k2 supp loss", Params{K: 2, MaxSuppression: 0.25}, [2]int{1, 0}, 17.0 / 72, 4 + 16 + 25 + 12, 1},
		// l=2 on diag: (2,0) fails (all women X); (1,1) minor {X,Y},
		// adult {X,Y}: loss 2/3, DM 9+81.
		{"k2 l2 loss", Params{K: 2, Sensitive: "diag", L: 2}, [2]int{1, 1}, 2.0 / 3, 90, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.p.QuasiIdentifiers = fixtureQIs(t)
			res, err := Anonymise(fixture(), tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if got := [2]int{res.Levels["age"], res.Levels["sex"]}; got != tc.levels {
				t.Errorf("levels = %v, want %v", got, tc.levels)
			}
			if v := res.Metrics.value(metricOf(tc.p)); math.Abs(v-tc.value) > 1e-9 {
				t.Errorf("metric = %v, want %v", v, tc.value)
			}
			if math.Abs(res.Metrics.Discernibility-tc.dm) > 1e-9 {
				t.Errorf("discernibility = %v, want %v", res.Metrics.Discernibility, tc.dm)
			}
			if res.Suppressed != tc.suppressed || len(res.Table.Rows) != 12-tc.suppressed {
				t.Errorf("suppressed = %d (%d rows), want %d", res.Suppressed, len(res.Table.Rows), tc.suppressed)
			}
			if res.Lattice != 6 {
				t.Errorf("lattice = %d, want 6", res.Lattice)
			}
			classes, minSize, err := Check(res.Table, []string{"age", "sex"}, tc.p.K, tc.p.Sensitive, tc.p.L)
			if err != nil || classes != res.Classes || minSize != res.MinClassSize {
				t.Errorf("Check = %d, %d, %v; result says %d, %d", classes, minSize, err, res.Classes, res.MinClassSize)
			}
		})
	}
}

// TestLDiversityForcesGeneralisation: the same k, with and without l.
func TestLDiversityForcesGeneralisation(t *testing.T) {
	qis := fixtureQIs(t)
	plain, err := Anonymise(fixture(), Params{K: 2, QuasiIdentifiers: qis})
	if err != nil {
		t.Fatal(err)
	}
	diverse, err := Anonymise(fixture(), Params{K: 2, QuasiIdentifiers: qis, Sensitive: "diag", L: 2})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Levels["age"]+plain.Levels["sex"] != 2 || diverse.Levels["age"]+diverse.Levels["sex"] != 2 || diverse.Metrics.Loss <= plain.Metrics.Loss {
		t.Errorf("k-anonymous %v (loss %v), l-diverse %v (loss %v): l=2 should cost utility", plain.Levels, plain.Metrics.Loss, diverse.Levels, diverse.Metrics.Loss)
	}
	if _, _, err := Check(plain.Table, []string{"age", "sex"}, 2, "diag", 2); err == nil || !strings.Contains(err.Error(), `sex="F"`) {
		t.Errorf("Check of the k-only output for l=2: %v, want the women's class named", err)
	}
	_, err = Anonymise(fixture(), Params{K: 2, QuasiIdentifiers: qis, Sensitive: "diag", L: 3})
	if !errors.Is(err, derrors.Invalid) || !strings.Contains(err.Error(), "L") {
		t.Errorf("l=3 with two values: %v, want Invalid naming L", err)
	}
}

func TestCheck(t *testing.T) {
	tab := fixture()
	tests := []struct {
		name    string
		qis     []string
		k       int
		sens    string
		l       int
		classes int
		minSize int
		wantErr string // substring; "" for none
	}{
		{"k1 ok", []string{"age"}, 1, "", 0, 4, 1, ""},
		{"k2 names class", []string{"age"}, 2, "", 0, 4, 1, `age="0-8"`},
		{"sex k6 ok", []string{"sex"}, 6, "", 0, 2, 6, ""},
		{"l2 names class", []string{"sex"}, 2, "diag", 2, 2, 6, `{sex="F"} has 1 distinct`},
		{"k0", []string{"sex"}, 0, "", 0, 0, 0, "parameter k"},
		{"unknown column", []string{"nope"}, 2, "", 0, 0, 0, `"nope"`},
		{"no qis", nil, 2, "", 0, 0, 0, "parameter qis"},
		{"l0", []string{"sex"}, 2, "diag", 0, 0, 0, "parameter l"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			classes, minSize, err := Check(tab, tc.qis, tc.k, tc.sens, tc.l)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else if !errors.Is(err, derrors.Invalid) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want Invalid containing %q", err, tc.wantErr)
			}
			if classes != tc.classes || minSize != tc.minSize {
				t.Errorf("classes, minSize = %d, %d; want %d, %d", classes, minSize, tc.classes, tc.minSize)
			}
		})
	}
}

func TestBadParams(t *testing.T) {
	qis := fixtureQIs(t)
	short := Hierarchy{Column: "age", Levels: []map[string]string{
		{"0-8": "0-8", "09-17": "09-17", "18-29": "18-29"},
		{"0-8": "*", "09-17": "*", "18-29": "*"}}}
	tests := []struct {
		name string
		p    Params
		want string
	}{
		{"K0", Params{K: 0, QuasiIdentifiers: qis}, "parameter K"},
		{"supp negative", Params{K: 2, QuasiIdentifiers: qis, MaxSuppression: -0.1}, "parameter MaxSuppression"},
		{"supp over 1", Params{K: 2, QuasiIdentifiers: qis, MaxSuppression: 1.5}, "parameter MaxSuppression"},
		{"supp NaN", Params{K: 2, QuasiIdentifiers: qis, MaxSuppression: math.NaN()}, "parameter MaxSuppression"},
		{"unknown column", Params{K: 2, QuasiIdentifiers: []Hierarchy{{Column: "zip", Levels: qis[0].Levels}}}, `"zip"`},
		{"no QIs", Params{K: 2}, "parameter QuasiIdentifiers"},
		{"value missing from hierarchy", Params{K: 2, QuasiIdentifiers: []Hierarchy{short}}, `column "age": value "30+"`},
		{"bad metric", Params{K: 2, QuasiIdentifiers: qis, Metric: "fun"}, "parameter Metric"},
		{"unknown sensitive", Params{K: 2, QuasiIdentifiers: qis, Sensitive: "nope", L: 2}, "parameter Sensitive"},
		{"L without sensitive", Params{K: 2, QuasiIdentifiers: qis, L: 2}, "parameter Sensitive"},
		{"L0", Params{K: 2, QuasiIdentifiers: qis, Sensitive: "diag"}, "parameter L"},
		{"sensitive is QI", Params{K: 2, QuasiIdentifiers: qis, Sensitive: "sex", L: 2}, "parameter Sensitive"},
		{"duplicate QI", Params{K: 2, QuasiIdentifiers: []Hierarchy{qis[1], qis[1]}}, "appears twice"},
		{"L above any class", Params{K: 2, QuasiIdentifiers: qis, Sensitive: "diag", L: 1 << 40}, "L"},
		{"hierarchy without levels", Params{K: 2, QuasiIdentifiers: []Hierarchy{{Column: "sex"}}}, "at least 2 levels"},
		{"K above n", Params{K: 13, QuasiIdentifiers: qis}, "K"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Anonymise(fixture(), tc.p)
			if !errors.Is(err, derrors.Invalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want Invalid containing %q", err, tc.want)
			}
		})
	}
}

func TestMeasureErrors(t *testing.T) {
	p := Params{K: 2, QuasiIdentifiers: fixtureQIs(t)}
	if _, err := Measure(fixture(), nil, p, map[string]int{"age": 2}); !errors.Is(err, derrors.Invalid) || !strings.Contains(err.Error(), `"sex"`) {
		t.Errorf("missing level: %v, want Invalid naming sex", err)
	}
	if _, err := Measure(fixture(), nil, p, map[string]int{"age": 3, "sex": 0}); !errors.Is(err, derrors.Invalid) || !strings.Contains(err.Error(), `"age"`) {
		t.Errorf("level out of range: %v, want Invalid naming age", err)
	}
	if _, err := Measure(fixture(), fixture(), p, map[string]int{"age": 1, "sex": 0}); !errors.Is(err, derrors.Invalid) || !strings.Contains(err.Error(), "anonymised") {
		t.Errorf("12-row output for a node that suppresses 1: %v, want Invalid naming anonymised", err)
	}
	// (1,1) from the fixture comment: loss 2/3, discernibility 90,
	// precision (1/2 + 1)/2 = 3/4.
	m, err := Measure(fixture(), nil, p, map[string]int{"age": 1, "sex": 1})
	if err != nil || math.Abs(m.Loss-2.0/3) > 1e-12 || m.Discernibility != 90 || math.Abs(m.Precision-0.75) > 1e-12 {
		t.Errorf("Measure(1,1) = %+v, %v", m, err)
	}
}

func TestHierarchyValidation(t *testing.T) {
	tests := []struct {
		name   string
		levels []map[string]string
		want   string
	}{
		{"one level", []map[string]string{{"a": "a"}}, "at least 2 levels"},
		{"not identity", []map[string]string{{"a": "b"}, {"a": "*"}}, "identity"},
		{"missing at level", []map[string]string{{"a": "a", "b": "b"}, {"a": "x"}, {"a": "*", "b": "*"}}, `value "b" is missing from hierarchy level 1`},
		{"empty generalisation", []map[string]string{{"a": "a"}, {"a": ""}, {"a": "*"}}, "missing"},
		{"last not star", []map[string]string{{"a": "a"}, {"a": "x"}}, `"*"`},
		{"not monotone", []map[string]string{
			{"a": "a", "b": "b", "c": "c"}, {"a": "x", "b": "x", "c": "y"}, {"a": "p", "b": "q", "c": "q"}, {"a": "*", "b": "*", "c": "*"}}, "not monotone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewHierarchy("col", tc.levels...)
			if !errors.Is(err, derrors.Invalid) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `"col"`) {
				t.Errorf("err = %v, want Invalid naming the column and containing %q", err, tc.want)
			}
		})
	}
}

func TestIntervalHierarchy(t *testing.T) {
	h, err := IntervalHierarchy("year", []string{"2002", "2009", "2010", "", "-3"}, 5, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"2002": {"2002", "2000-2004", "2000-2009", "*"},
		"2009": {"2009", "2005-2009", "2000-2009", "*"},
		"2010": {"2010", "2010-2014", "2010-2019", "*"},
		"-3":   {"-3", "-5--1", "-10--1", "*"},
	}
	for v, gens := range want {
		for i, g := range gens {
			if h.Levels[i][v] != g {
				t.Errorf("level %d of %s = %q, want %q", i, v, h.Levels[i][v], g)
			}
		}
	}
	if _, err := IntervalHierarchy("year", []string{"2002"}, 5, 7); !errors.Is(err, derrors.Invalid) {
		t.Errorf("widths 5, 7: %v, want Invalid", err)
	}
	if _, err := IntervalHierarchy("year", []string{"20x2"}, 5); !errors.Is(err, derrors.Invalid) || !strings.Contains(err.Error(), "20x2") {
		t.Errorf("non-integer: %v, want Invalid naming the value", err)
	}
}

// TestAgainstBruteForce compares Measure and Anonymise with a
// brute-force search over the whole lattice, computed from the metric
// definitions on strings, on random small tables with missing values.
func TestAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	metrics := []string{"loss", "discernibility", "entropy"}
	trials := 200
	if testing.Short() {
		trials = 60
	}
	for trial := range trials {
		tab, qis := randomTable(rng)
		p := Params{K: 1 + rng.IntN(4), QuasiIdentifiers: qis, MaxSuppression: []float64{0, 0.05, 0.1, 0.3}[rng.IntN(4)], Metric: metrics[trial%3]}
		if rng.IntN(3) == 0 {
			p.Sensitive, p.L = "s", 1+rng.IntN(3)
		}
		name := fmt.Sprintf("trial %d (n=%d, k=%d, supp=%g, l=%d, %s)", trial, len(tab.Rows), p.K, p.MaxSuppression, p.L, p.Metric)
		bestVal, bestOK := bruteForce(tab, p)
		res, err := Anonymise(tab, p)
		if !bestOK {
			if !errors.Is(err, derrors.Invalid) {
				t.Errorf("%s: brute force finds no solution; Anonymise: %v", name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := res.Metrics.value(p.Metric); math.Abs(got-bestVal) > 1e-9*math.Max(1, bestVal) {
			t.Errorf("%s: Anonymise %v = %v at %v, brute-force optimum %v", name, p.Metric, got, res.Levels, bestVal)
		}
		want, ok := bruteMetrics(tab, p, res.Levels)
		if !ok || !metricsClose(want, res.Metrics) {
			t.Errorf("%s: metrics %+v, definition gives %+v (acceptable %v)", name, res.Metrics, want, ok)
		}
		m, err := Measure(tab, res.Table, p, res.Levels)
		if err != nil || !metricsClose(m, res.Metrics) {
			t.Errorf("%s: Measure = %+v, %v; want %+v", name, m, err, res.Metrics)
		}
		qcols := make([]string, len(qis))
		for j, h := range qis {
			qcols[j] = h.Column
		}
		if _, _, err := Check(res.Table, qcols, p.K, p.Sensitive, p.L); err != nil {
			t.Errorf("%s: output fails Check: %v", name, err)
		}
	}
}

func metricsClose(a, b Metrics) bool {
	eq := func(x, y float64) bool { return math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(x)) }
	return eq(a.Discernibility, b.Discernibility) && eq(a.Loss, b.Loss) && eq(a.NonUniformEntropy, b.NonUniformEntropy) && eq(a.Precision, b.Precision)
}

// randomTable makes 3 or 4 QIs of 2–6 values with hierarchies that halve
// the domain per level, random missing cells and a sensitive column s.
func randomTable(rng *rand.Rand) (*table.Table, []Hierarchy) {
	nq := 3 + rng.IntN(2)
	n := 6 + rng.IntN(40)
	tab := &table.Table{}
	var qis []Hierarchy
	for j := range nq {
		col := fmt.Sprintf("q%d", j)
		tab.Columns = append(tab.Columns, col)
		d := 2 + rng.IntN(5)
		var levels []map[string]string
		for width := 1; ; width *= 2 {
			lv := map[string]string{}
			for v := range d {
				lv[fmt.Sprint(v)] = fmt.Sprint(v / width)
				if width == 1 {
					lv[fmt.Sprint(v)] = fmt.Sprint(v)
				} else {
					lv[fmt.Sprint(v)] = fmt.Sprintf("g%d", v/width)
				}
			}
			levels = append(levels, lv)
			if width >= d {
				break
			}
		}
		star := map[string]string{}
		for v := range d {
			star[fmt.Sprint(v)] = "*"
		}
		levels = append(levels, star)
		h, err := NewHierarchy(col, levels...)
		if err != nil {
			panic(err)
		}
		qis = append(qis, h)
	}
	tab.Columns = append(tab.Columns, "s")
	for range n {
		row := make([]string, nq+1)
		for j := range nq {
			if rng.IntN(8) > 0 {
				row[j] = fmt.Sprint(rng.IntN(len(qis[j].Levels[0])))
			}
		}
		if rng.IntN(6) > 0 {
			row[nq] = []string{"a", "b", "c"}[rng.IntN(3)]
		}
		tab.Rows = append(tab.Rows, row)
	}
	return tab, qis
}

// bruteForce evaluates every level vector from the definitions and
// returns the least metric value among acceptable ones.
func bruteForce(tab *table.Table, p Params) (float64, bool) {
	best, found := math.Inf(1), false
	lv := make([]int, len(p.QuasiIdentifiers))
	var walk func(j int)
	walk = func(j int) {
		if j == len(lv) {
			levels := map[string]int{}
			for i, h := range p.QuasiIdentifiers {
				levels[h.Column] = lv[i]
			}
			if m, ok := bruteMetrics(tab, p, levels); ok {
				found = true
				best = math.Min(best, m.value(metricOf(p)))
			}
			return
		}
		for x := range p.QuasiIdentifiers[j].Levels {
			lv[j] = x
			walk(j + 1)
		}
	}
	walk(0)
	return best, found
}

// bruteMetrics computes the metrics of one transformation record by
// record, straight from the definitions in the Metrics doc comment, and
// whether the transformation is acceptable.
func bruteMetrics(tab *table.Table, p Params, levels map[string]int) (Metrics, bool) {
	n, q := len(tab.Rows), len(p.QuasiIdentifiers)
	gen := func(h Hierarchy, lv int, v string) string {
		if v == "" {
			return ""
		}
		return h.Levels[lv][v]
	}
	keys := make([]string, n)
	size, vals := map[string]int{}, map[string]map[string]bool{}
	for i, r := range tab.Rows {
		var parts []string
		for _, h := range p.QuasiIdentifiers {
			parts = append(parts, gen(h, levels[h.Column], r[tab.Index(h.Column)]))
		}
		keys[i] = strings.Join(parts, "\x00")
		size[keys[i]]++
		if vals[keys[i]] == nil {
			vals[keys[i]] = map[string]bool{}
		}
		if p.Sensitive != "" && r[tab.Index(p.Sensitive)] != "" {
			vals[keys[i]][r[tab.Index(p.Sensitive)]] = true
		}
	}
	supp := make([]bool, n)
	var m Metrics
	ns := 0
	for i := range n {
		supp[i] = size[keys[i]] < p.K || (p.Sensitive != "" && p.L > 1 && len(vals[keys[i]]) < p.L)
		if supp[i] {
			ns++
			m.Discernibility += float64(n)
		} else {
			m.Discernibility += float64(size[keys[i]]) // summed per record: size² per class
		}
	}
	for j, h := range p.QuasiIdentifiers {
		col, lv := tab.Index(h.Column), levels[h.Column]
		count, gcount := map[string]int{}, map[string]int{}
		for _, r := range tab.Rows {
			count[r[col]]++
			gcount[gen(h, lv, r[col])]++
		}
		domain := len(h.Levels[0])
		for i, r := range tab.Rows {
			v := r[col]
			switch {
			case supp[i]:
				m.Loss++
				m.Precision++
				m.NonUniformEntropy -= math.Log2(float64(count[v]) / float64(n))
			default:
				m.Precision += float64(lv) / float64(len(h.Levels)-1)
				m.NonUniformEntropy -= math.Log2(float64(count[v]) / float64(gcount[gen(h, lv, v)]))
				if v != "" && domain > 1 {
					s := 0
					for w := range h.Levels[0] {
						if h.Levels[lv][w] == h.Levels[lv][v] {
							s++
						}
					}
					m.Loss += float64(s-1) / float64(domain-1)
				}
			}
		}
		_ = j
	}
	if n > 0 {
		m.Loss /= float64(n * q)
		m.Precision /= float64(n * q)
	}
	return m, ns <= int(math.Floor(p.MaxSuppression*float64(n)+1e-9))
}
