package release

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// inputOf is an input in the CTDC schema holding the given cells, every
// other cell empty.
func inputOf(rows ...map[string]string) *table.Table {
	t := &table.Table{Columns: CTDCColumns}
	for _, r := range rows {
		row := make([]string, len(CTDCColumns))
		for c, v := range r {
			row[slices.Index(CTDCColumns, c)] = v
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// randomInput is n caseload-like records over a few columns.
func randomInput(n int, seed uint64) *table.Table {
	r := rand.New(rand.NewPCG(seed, 7))
	pick := func(vs []string, miss float64) string {
		if r.Float64() < miss {
			return ""
		}
		return vs[r.IntN(len(vs))]
	}
	var rows []map[string]string
	for range n {
		rows = append(rows, map[string]string{
			ColYear:             fmt.Sprint(2018 + r.IntN(3)),
			ColGender:           pick([]string{GenderWoman, GenderMan}, 0.05),
			ColAge:              pick([]string{"18--20", "21--23", "09--17"}, 0.2),
			ColCitizenship:      pick([]string{"SEN", "MLI"}, 0.1),
			ColSexualExploit:    pick([]string{Flag}, 0.5),
			ColCountryOfExploit: pick([]string{"SEN", "FRA"}, 0.3),
		})
	}
	return inputOf(rows...)
}

var testCountries = []CountryArea{{"SEN", "Sub-Saharan Africa", "Africa"}, {"MLI", "Sub-Saharan Africa", "Africa"}, {"FRA", "Western Europe", "Europe"}}

// TestBuildDPParameters: ε must be in (0, 20] and δ in (0, 1/n], n the
// input records, with errors naming the parameter.
func TestBuildDPParameters(t *testing.T) {
	const n = 1000 // 1/n = 0.001
	in := randomInput(n, 1)
	dp := func(eps, delta float64) Params {
		return Params{Method: MethodDPAggregates, ReportingLength: 2, Resolution: 5, Epsilon: eps, Delta: delta, Seed: 3}
	}
	synth := func(eps, delta float64) Params {
		p := dp(eps, delta)
		p.Method = MethodSynthetic
		return p
	}
	tests := []struct {
		name    string
		p       Params
		wantErr string // "" for a valid set
	}{
		{"usual", dp(4, 1e-6), ""},
		{"epsilon 20", dp(20, 1e-6), ""},
		{"delta exactly 1/n", dp(4, 1.0/n), ""},
		{"delta 0.5", dp(1, 0.5), "parameter delta"},
		{"delta just above 1/n", dp(1, 1.0/n*1.01), "parameter delta"},
		{"delta 0", dp(1, 0), "parameter delta"},
		{"epsilon 0", dp(0, 1e-6), "parameter epsilon"},
		{"epsilon 20.5", dp(20.5, 1e-6), "parameter epsilon"},
		{"epsilon infinite", dp(math.Inf(1), 1e-6), "parameter epsilon"},
		{"synthetic delta 0.5", synth(1, 0.5), "parameter delta"},
		{"synthetic epsilon 50", synth(50, 1e-6), "parameter epsilon"},
		{"synthetic without DP ignores delta", Params{Method: MethodSynthetic, ReportingLength: 2, Resolution: 5}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(Source{Table: in, Countries: testCountries}, tc.p, DataCard{Title: "t"}, "test")
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, derrors.Invalid) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want Invalid naming %q", err, tc.wantErr)
			}
		})
	}
}

// buildAndWrite builds a release of in and writes it.
func buildAndWrite(t *testing.T, in *table.Table, p Params) (Built, string) {
	t.Helper()
	src := Source{Table: in, Countries: testCountries, ExcludedNoConsent: 7, ExcludedWithdrawn: 3,
		Input: Input{Description: "counter-trafficking cases in pub2's export scope", Source: "cases", Records: len(in.Rows), Columns: CTDCColumns}}
	b, err := Build(src, p, DataCard{Title: "Test"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "r")
	if err := WriteRelease(dir, b.Manifest, b.Aggregates, b.Records, b.Report); err != nil {
		t.Fatal(err)
	}
	return b, dir
}

var buildMethods = []struct {
	name string
	p    Params
}{
	{"kanon-aggregates", Params{Method: MethodKAnonAggregates, ReportingLength: 2, Resolution: 10}},
	{"dp-aggregates", Params{Method: MethodDPAggregates, ReportingLength: 2, Resolution: 5, Epsilon: 4, Delta: 1e-6, Seed: 9}},
	{"synthetic", Params{Method: MethodSynthetic, ReportingLength: 2, Resolution: 10, Seed: 2}},
	{"synthetic dp", Params{Method: MethodSynthetic, ReportingLength: 2, Resolution: 5, Epsilon: 4, Delta: 1e-6, Seed: 2}},
	{"kanon", Params{Method: MethodKAnon, K: 5, QuasiIdentifiers: []string{ColYear, ColGender, ColAge, ColCitizenship}, MaxSuppression: 0.05}},
}

// TestBuildCountsAndVerify: release.json states the released counts
// (total, synthetic records), the synthetic records stay within
// DefaultMaxExpansion of the total, and Verify passes.
func TestBuildCountsAndVerify(t *testing.T) {
	in := randomInput(400, 2)
	for _, tc := range buildMethods {
		t.Run(tc.name, func(t *testing.T) {
			b, dir := buildAndWrite(t, in, tc.p)
			c := b.Manifest.Counts
			if c.InputRecords != 400 || c.ExcludedNoConsent != 7 {
				t.Errorf("publisher's counts %+v", c)
			}
			if b.Aggregates != nil {
				if c.ReleasedTotal <= 0 || c.ReleasedTotal%tc.p.Resolution != 0 || b.Aggregates.Rows[0][len(b.Aggregates.Columns)-1] != fmt.Sprint(c.ReleasedTotal) {
					t.Errorf("released total %d, total row %v", c.ReleasedTotal, b.Aggregates.Rows[0])
				}
			}
			if tc.p.Method == MethodSynthetic {
				if c.SyntheticRecords != len(b.Records.Rows) || c.SyntheticRecords == 0 || float64(c.SyntheticRecords) > 1.5*float64(c.ReleasedTotal) {
					t.Errorf("synthetic records %d, released total %d, records.csv %d", c.SyntheticRecords, c.ReleasedTotal, len(b.Records.Rows))
				}
				card, _ := os.ReadFile(filepath.Join(dir, DataCardFile))
				if want := fmt.Sprintf("%d synthetic records. They are not people: the number of synthetic rows is not the number of victims; use the released total (%d)", c.SyntheticRecords, c.ReleasedTotal); !strings.Contains(string(card), want) {
					t.Errorf("datacard.md lacks %q:\n%s", want, card)
				}
			} else if c.SyntheticRecords != 0 {
				t.Errorf("syntheticRecords %d for %s", c.SyntheticRecords, tc.p.Method)
			}
			if rep, err := Verify(dir); err != nil {
				t.Fatalf("%v\n%+v", err, rep.Checks)
			}
		})
	}
}

// TestPublicFiles: the public manifest, report and data card hold no
// exact count of the confidential input, no input description and no
// metric computed against the input.
func TestPublicFiles(t *testing.T) {
	in := randomInput(407, 3) // 407 is no multiple of a resolution
	for _, tc := range buildMethods {
		t.Run(tc.name, func(t *testing.T) {
			b, dir := buildAndWrite(t, in, tc.p)
			m, _, _, err := ReadRelease(dir)
			if err != nil {
				t.Fatal(err)
			}
			pm := PublicManifest(m)
			pmj, _ := json.Marshal(pm)
			rb, err := os.ReadFile(filepath.Join(dir, ReportFile))
			if err != nil {
				t.Fatal(err)
			}
			pr, err := PublicReport(m, rb)
			if err != nil {
				t.Fatal(err)
			}
			card, _ := os.ReadFile(filepath.Join(dir, DataCardFile))
			for name, doc := range map[string]string{"manifest": string(pmj), "report": string(pr), "data card": string(card)} {
				for _, bad := range []string{"pub2", "export scope", "407", "(7", " 7 ", "inputRecords"} {
					if strings.Contains(doc, bad) {
						t.Errorf("public %s contains %q", name, bad)
					}
				}
				if name == "data card" {
					continue
				}
				for _, key := range []string{"inputRecords", "excludedNoConsent", "excludedWithdrawn", "suppressedRecords", "description", "source",
					"records", "preservation", "meanProportionalError", "meanAbsoluteError", "sensitiveRecords", "targetRecords",
					"recordExpansion", "suppressedPercent", "fabricatedPercent", "byBucket", "discernibility", "nonUniformEntropy",
					"loss", "precision", "suppressed", "seconds"} {
					if strings.Contains(doc, `"`+key+`":`) {
						t.Errorf("public %s has key %q", name, key)
					}
				}
			}
			if pm.Input.Records != 0 || pm.Counts != (Counts{ReleasedRecords: m.Counts.ReleasedRecords, SyntheticRecords: m.Counts.SyntheticRecords,
				AggregateRows: m.Counts.AggregateRows, ReleasedTotal: m.Counts.ReleasedTotal}) || pm.PublicNote == "" ||
				!slices.Equal(pm.Files, m.Files) || pm.Method != m.Method || len(pm.Mapping) != len(CTDCColumns) {
				t.Errorf("public manifest %+v", pm)
			}
			if m.Counts.InputRecords != 407 || m.Input.Description == "" {
				t.Errorf("PublicManifest changed its argument: %+v", m.Counts)
			}
			if (pm.Params.Seed == 0) != m.Params.usesDP() && m.Params.Seed != 0 {
				t.Errorf("seed %d in the public manifest (DP %t)", pm.Params.Seed, m.Params.usesDP())
			}
			var doc map[string]any
			if err := json.Unmarshal(pr, &doc); err != nil {
				t.Fatal(err)
			}
			if doc["note"] != PublicReportNote || doc["method"] != string(tc.p.Method) {
				t.Errorf("public report %s", pr)
			}
			if _, ok := doc["budget"]; ok != m.Params.usesDP() {
				t.Errorf("budget present %t, DP %t: %s", ok, m.Params.usesDP(), pr)
			}
			switch tc.p.Method {
			case MethodKAnon:
				k := doc["kanon"].(map[string]any)
				if k["releasedRecords"] != float64(len(b.Records.Rows)) || k["classes"] != float64(b.Report.KAnon.Classes) || k["levels"] == nil {
					t.Errorf("public kanon report %s", pr)
				}
			default:
				r := doc["released"].(map[string]any)
				if r["releasedTotal"] != float64(m.Counts.ReleasedTotal) || r["aggregateRows"] != float64(m.Counts.AggregateRows) ||
					r["leakage"] != float64(0) || len(r["combinationsByLength"].([]any)) != tc.p.ReportingLength {
					t.Errorf("public aggregate report %s", pr)
				}
			}
		})
	}
	if _, err := PublicReport(Manifest{Method: MethodKAnon}, []byte(`{"method":"dp-aggregates"}`)); !errors.Is(err, derrors.Invalid) {
		t.Errorf("report of another method: %v", err)
	}
	if _, err := PublicReport(Manifest{Method: MethodKAnon}, []byte(`{`)); !errors.Is(err, derrors.Invalid) {
		t.Errorf("malformed report: %v", err)
	}
}

// TestKAnonLoss checks the reported loss against values computed by hand
// with the definition of KAnonReport: quasi-identifiers gender (3 values
// and missing: D = 4) and ageBroad (9 bands and missing: D = 10; Minor
// covers 2 bands, Adult 7), k = 2.
func TestKAnonLoss(t *testing.T) {
	w, m := GenderWoman, GenderMan
	row := func(g, a string) map[string]string {
		return map[string]string{ColYear: "2020", ColGender: g, ColAge: a}
	}
	tests := []struct {
		name       string
		qis        []string
		maxSupp    float64
		rows       []map[string]string
		levels     map[string]int
		suppressed int
		loss       float64
	}{
		// (0,0) leaves classes of one. (0,1): classes (Woman, Minor) 2,
		// (Man, Adult) 2, (missing, Adult) 2; gender loses 0, a Minor cell
		// (2−1)/9, an Adult cell (7−1)/9: (2·1/9 + 4·6/9)/12 = 26/108.
		// (0,2) would lose 6/12, (1,1) (6 + 26/9)/12.
		{"age to adult/minor", []string{ColGender, ColAge}, 0,
			[]map[string]string{row(w, "09--17"), row(w, "0--8"), row(m, "18--20"), row(m, "30--38"), row("", "48+"), row("", "21--23")},
			map[string]int{ColGender: 0, ColAge: 1}, 0, 26.0 / 108},
		// Missing ages stay missing at level 1 and lose 0:
		// (2·1/9 + 2·6/9)/12 = 14/108.
		{"missing kept", []string{ColGender, ColAge}, 0,
			[]map[string]string{row(w, "09--17"), row(w, "0--8"), row(w, ""), row(w, ""), row(m, "18--20"), row(m, "30--38")},
			map[string]int{ColGender: 0, ColAge: 1}, 0, 14.0 / 108},
		// The one man must go: generalising gender to "*" loses every
		// cell, the missing ones included (5/5); suppressing him loses his
		// one cell (1/5).
		{"missing generalised to *", []string{ColGender}, 0,
			[]map[string]string{row(w, ""), row(w, ""), row(m, ""), row("", ""), row("", "")},
			map[string]int{ColGender: 1}, 0, 1},
		{"suppression", []string{ColGender}, 0.2,
			[]map[string]string{row(w, ""), row(w, ""), row(m, ""), row("", ""), row("", "")},
			map[string]int{ColGender: 0}, 1, 0.2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Params{Method: MethodKAnon, K: 2, QuasiIdentifiers: tc.qis, MaxSuppression: tc.maxSupp}
			b, err := Build(Source{Table: inputOf(tc.rows...), Countries: testCountries}, p, DataCard{}, "test")
			if err != nil {
				t.Fatal(err)
			}
			k := b.Report.KAnon
			if !mapsEqual(k.Levels, tc.levels) || k.Suppressed != tc.suppressed || math.Abs(k.Loss-tc.loss) > 1e-12 {
				t.Errorf("levels %v, suppressed %d, loss %.6f; want %v, %d, %.6f", k.Levels, k.Suppressed, k.Loss, tc.levels, tc.suppressed, tc.loss)
			}
		})
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestKAnonLossFromFiles recomputes a built release's loss from
// release.json's hierarchies and levels, records.csv and the suppressed
// count, with the definition of KAnonReport, as a reader of the release
// would.
func TestKAnonLossFromFiles(t *testing.T) {
	in := randomInput(407, 5)
	p := Params{Method: MethodKAnon, K: 5, QuasiIdentifiers: []string{ColYear, ColGender, ColAge, ColCitizenship, ColCountryOfExploit}, MaxSuppression: 0.05}
	b, dir := buildAndWrite(t, in, p)
	m, _, rec, err := ReadRelease(dir)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, h := range m.Hierarchies {
		l, d := m.LevelsUsed[h.Column], len(h.Levels[0]) // "" is a key
		j := rec.Index(h.Column)
		for _, r := range rec.Rows {
			if r[j] == "" {
				continue
			}
			s := 0
			for _, g := range h.Levels[l] {
				if g == r[j] {
					s++
				}
			}
			sum += float64(s-1) / float64(d-1)
		}
	}
	q := float64(len(p.QuasiIdentifiers))
	want := (sum + float64(m.Counts.SuppressedRecords)*q) / (float64(m.Counts.InputRecords) * q)
	if got := b.Report.KAnon.Loss; math.Abs(got-want) > 1e-9 || len(m.Hierarchies) != len(p.QuasiIdentifiers) {
		t.Errorf("reported loss %v, recomputed %v (levels %v)", got, want, m.LevelsUsed)
	}
	t.Logf("loss %.4f at levels %v, %d suppressed", want, m.LevelsUsed, m.Counts.SuppressedRecords)
}
