package release

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/sds"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// A release under test: manifest and tables, written by WriteRelease.
type fixture struct {
	m        Manifest
	agg, rec *table.Table
	report   any // report.json; none when nil
}

func kanonFixture() fixture {
	p := Params{Method: MethodKAnon, K: 2, QuasiIdentifiers: []string{ColAge, ColGender, ColCitizenship}, Sensitive: ColSexualExploit, L: 2, MaxSuppression: 0.5}
	m := testManifest(p)
	m.Counts.InputRecords = 7
	m.Hierarchies = []Hierarchy{CountryHierarchy(ColCitizenship, []CountryArea{{"SEN", "Sub-Saharan Africa", "Africa"}, {"MLI", "Sub-Saharan Africa", "Africa"}})}
	m.LevelsUsed = map[string]int{ColCitizenship: 1}
	cols := []string{ColYear, ColAge, ColGender, ColCitizenship, ColSexualExploit}
	return fixture{m: m, rec: &table.Table{Columns: cols, Rows: [][]string{
		{"2015-2019", Minor, GenderWoman, "Sub-Saharan Africa", "1"},
		{"2015-2019", Minor, GenderWoman, "Sub-Saharan Africa", ""},
		{"2020", Adult, "*", "Sub-Saharan Africa", "1"},
		{"2021", Adult, "*", "Sub-Saharan Africa", ""},
		{"2021", Adult, "*", "Sub-Saharan Africa", "1"},
	}}}
}

func aggregatesFixture() fixture {
	p := Params{Method: MethodKAnonAggregates, ReportingLength: 2, Resolution: 10}
	return fixture{m: testManifest(p), agg: &table.Table{Columns: []string{ColGender, ColAge, CountColumn}, Rows: [][]string{
		{"", "", "50"},
		{GenderWoman, "", "30"},
		{GenderMan, "", "20"},
		{"", "18--20", "40"},
		{GenderWoman, "18--20", "20"},
		{GenderMan, "18--20", "20"},
	}}}
}

func syntheticFixture() fixture {
	f := aggregatesFixture()
	f.m.Method, f.m.Params.Method = MethodSynthetic, MethodSynthetic
	f.rec = &table.Table{Columns: []string{ColGender, ColAge, ColMeansThreats}, Rows: [][]string{
		{GenderWoman, "18--20", ""},
		{GenderMan, "18--20", ""},
		{GenderWoman, "", ""},
		{"", "", ""},
	}}
	return f
}

func dpFixture() fixture {
	f := aggregatesFixture()
	f.m.Method = MethodDPAggregates
	f.m.Params = Params{Method: MethodDPAggregates, ReportingLength: 2, Resolution: 5, Epsilon: 1, Delta: 1e-6}
	f.agg.Rows = append(f.agg.Rows, []string{GenderTrans, "", "5"})
	return f
}

// write writes the release, with the released counts in release.json
// filled from the tables as Build does.
func (f fixture) write(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "release")
	if f.rec != nil {
		f.m.Counts.ReleasedRecords = len(f.rec.Rows)
		if f.m.Method == MethodSynthetic {
			f.m.Counts.SyntheticRecords = len(f.rec.Rows)
		}
	}
	if f.agg != nil {
		f.m.Counts.AggregateRows = len(f.agg.Rows)
		for _, r := range f.agg.Rows {
			if !slices.ContainsFunc(r[:len(r)-1], func(v string) bool { return v != "" }) {
				f.m.Counts.ReleasedTotal, _ = strconv.Atoi(r[len(r)-1])
			}
		}
	}
	if err := WriteRelease(dir, f.m, f.agg, f.rec, f.report); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestVerifyGoodReleases(t *testing.T) {
	withReport := syntheticFixture()
	withReport.report = Report{Method: MethodSynthetic, Aggregates: &sds.Report{Source: "synthetic", Leakage: 0}}
	for name, f := range map[string]fixture{"kanon": kanonFixture(), "kanon-aggregates": aggregatesFixture(),
		"dp-aggregates": dpFixture(), "synthetic": syntheticFixture(), "synthetic with report": withReport} {
		t.Run(name, func(t *testing.T) {
			rep, err := Verify(f.write(t))
			if err != nil || !rep.Pass {
				t.Fatalf("%v\n%+v", err, rep.Checks)
			}
			if len(rep.Checks) < 5 {
				t.Errorf("only %d checks: %+v", len(rep.Checks), rep.Checks)
			}
		})
	}
}

func TestVerifyBadReleases(t *testing.T) {
	tests := []struct {
		name  string
		make  func() fixture
		after func(t *testing.T, dir string) // changes the written files
		check string                         // the failing check
		want  []string                       // substrings of its message
	}{
		{"class smaller than k", func() fixture {
			f := kanonFixture()
			f.rec.Rows[4][1] = "18--20"
			return f
		}, nil, "k-anonymity", []string{"records.csv, line 6", "ageBroad", "1 records, fewer than k = 2"}},
		{"class not l-diverse", func() fixture {
			f := kanonFixture()
			f.rec.Rows[1][4] = "1"
			return f
		}, nil, "l-diversity", []string{"records.csv, line 2", "fewer than l = 2"}},
		{"too much suppression", func() fixture {
			f := kanonFixture()
			f.m.Counts.InputRecords = 20
			return f
		}, nil, "suppression", []string{"15 of 20 input records suppressed"}},
		{"unrounded count", func() fixture {
			f := aggregatesFixture()
			f.agg.Rows[1][2] = "35"
			return f
		}, nil, "aggregate-counts", []string{"aggregates.csv, line 3, column count", "not a multiple of the resolution 10"}},
		{"count below resolution", func() fixture {
			f := aggregatesFixture()
			f.agg.Rows = append(f.agg.Rows, []string{GenderTrans, "", "0"})
			return f
		}, nil, "aggregate-counts", []string{"aggregates.csv, line 8, column count", "below the resolution 10"}},
		{"unrounded total", func() fixture {
			f := dpFixture()
			f.agg.Rows[0][2] = "52"
			return f
		}, nil, "aggregate-counts", []string{"aggregates.csv, line 2", "not a multiple of the resolution 5"}},
		{"no total", func() fixture {
			f := aggregatesFixture()
			f.agg.Rows = f.agg.Rows[1:]
			return f
		}, nil, "aggregate-combinations", []string{"no total row"}},
		{"leaked rare combination", func() fixture {
			f := syntheticFixture()
			f.rec.Rows = append(f.rec.Rows, []string{GenderMan, "48+", ""})
			return f
		}, nil, "leakage", []string{"records.csv, line 6", "ageBroad", `ageBroad=48+`}},
		{"leaked rare pair", func() fixture {
			f := syntheticFixture()
			f.agg.Rows = f.agg.Rows[:5] // drops Man & 18--20
			return f
		}, nil, "leakage", []string{"records.csv, line 3", "columns gender,ageBroad"}},
		{"identifier column", func() fixture {
			f := kanonFixture()
			f.rec.Columns = append(f.rec.Columns, "givenName")
			for i := range f.rec.Rows {
				f.rec.Rows[i] = append(f.rec.Rows[i], "Awa")
			}
			return f
		}, nil, "records-columns", []string{"records.csv, line 1, column 6", `"givenName"`}},
		{"identifier column in aggregates", func() fixture {
			f := aggregatesFixture()
			f.agg.Columns[0] = "prs_DocumentNumber"
			return f
		}, nil, "aggregates-columns", []string{"aggregates.csv, line 1, column 1"}},
		{"free-text value", func() fixture {
			f := syntheticFixture()
			f.rec.Rows[2][1] = "lost her job in Dakar"
			return f
		}, nil, "records-values", []string{"records.csv, line 4, column ageBroad", "lost her job"}},
		{"ungeneralised region without hierarchy", func() fixture {
			f := kanonFixture()
			f.m.Hierarchies = nil
			return f
		}, nil, "records-values", []string{"records.csv, line 2, column citizenship"}},
		{"missing release.json", aggregatesFixture, func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, ManifestFile)); err != nil {
				t.Fatal(err)
			}
		}, "files", []string{"release.json: missing"}},
		{"missing records for kanon", kanonFixture, func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, RecordsFile)); err != nil {
				t.Fatal(err)
			}
		}, "files-present", []string{"records.csv: missing"}},
		{"missing data card", aggregatesFixture, func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, DataCardFile)); err != nil {
				t.Fatal(err)
			}
		}, "files-present", []string{"datacard.md: missing (listed in release.json)"}},
		{"leakage in report, kanon-aggregates", func() fixture {
			f := aggregatesFixture()
			f.report = Report{Method: MethodKAnonAggregates, Aggregates: &sds.Report{Source: "aggregates", Leakage: 1}}
			return f
		}, nil, "report-leakage", []string{"report.json: leakage 1"}},
		{"leakage in report, synthetic", func() fixture {
			f := syntheticFixture()
			f.report = Report{Method: MethodSynthetic, Aggregates: &sds.Report{Source: "synthetic", Leakage: 3}}
			return f
		}, nil, "report-leakage", []string{"report.json: leakage 3", "resolution 10"}},
		{"unreadable report", aggregatesFixture, func(t *testing.T, dir string) {
			// Listed in release.json, but not JSON.
			p := filepath.Join(dir, ManifestFile)
			b, _ := os.ReadFile(p)
			if err := os.WriteFile(p, []byte(strings.Replace(string(b), `"aggregates.csv"`, `"aggregates.csv", "report.json"`, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, ReportFile), []byte("{"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "report-leakage", []string{"report.json:"}},
		{"unlisted file with names", kanonFixture, func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "cases.csv"), []byte("givenName,familyName\nAwa,Diop\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "files-listed", []string{"cases.csv: not listed in release.json"}},
		{"unlisted directory", aggregatesFixture, func(t *testing.T, dir string) {
			if err := os.Mkdir(filepath.Join(dir, "extra"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, "files-listed", []string{"extra: not listed"}},
		{"records.csv longer than the manifest says", syntheticFixture, func(t *testing.T, dir string) {
			appendLine(t, filepath.Join(dir, RecordsFile), "Woman,18--20,\n")
		}, "counts", []string{"records.csv: 5 records", "counts.releasedRecords is 4"}},
		{"kanon records.csv shorter than the manifest says", kanonFixture, func(t *testing.T, dir string) {
			editManifest(t, dir, `"releasedRecords": 5`, `"releasedRecords": 6`)
		}, "counts", []string{"records.csv: 5 records", "counts.releasedRecords is 6"}},
		{"aggregate total differs from the manifest", aggregatesFixture, func(t *testing.T, dir string) {
			editManifest(t, dir, `"releasedTotal": 50`, `"releasedTotal": 60`)
		}, "counts", []string{"aggregates.csv, line 2: total 50", "counts.releasedTotal is 60"}},
		{"value finer than its level", func() fixture {
			f := kanonFixture()
			f.rec.Rows[2][3] = "SEN" // a country in a column generalised to sub-regions
			return f
		}, nil, "generalisation-levels", []string{"records.csv, line 4, column citizenship", `"SEN" is not a value of level 1`}},
		{"year in a column generalised to *", func() fixture {
			f := kanonFixture()
			f.m.Hierarchies = append(f.m.Hierarchies, YearHierarchy(2015, 2021))
			f.m.LevelsUsed[ColYear] = 2
			for i := range f.rec.Rows {
				f.rec.Rows[i][0] = Suppressed
			}
			f.rec.Rows[3][0] = "2019"
			return f
		}, nil, "generalisation-levels", []string{"records.csv, line 5, column yearOfRegistration", `"2019" is not a value of level 2`}},
		{"level without hierarchy", func() fixture {
			f := kanonFixture()
			f.m.LevelsUsed[ColAge] = 1
			return f
		}, nil, "generalisation-levels", []string{"levelsUsed names ageBroad, which has no hierarchy"}},
		{"delta above 1/n", func() fixture {
			f := dpFixture()
			f.m.Params.Delta = 0.5
			return f
		}, nil, "parameters", []string{"parameter delta", "1/n"}},
		{"epsilon above 20", func() fixture {
			f := dpFixture()
			f.m.Params.Epsilon = 25
			return f
		}, nil, "parameters", []string{"parameter epsilon"}},
		{"tampered parameters", aggregatesFixture, func(t *testing.T, dir string) {
			p := filepath.Join(dir, ManifestFile)
			b, _ := os.ReadFile(p)
			if err := os.WriteFile(p, []byte(strings.Replace(string(b), `"resolution": 10`, `"resolution": 1`, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "parameters", []string{"parameter resolution"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.make().write(t)
			if tc.after != nil {
				tc.after(t, dir)
			}
			rep, err := Verify(dir)
			if !errors.Is(err, derrors.Invalid) || rep.Pass {
				t.Fatalf("got %v, pass %t", err, rep.Pass)
			}
			var failed *Check
			for i := range rep.Checks {
				if !rep.Checks[i].Pass {
					failed = &rep.Checks[i]
					break
				}
			}
			if failed == nil || failed.Name != tc.check {
				t.Fatalf("first failure %+v, want check %s", failed, tc.check)
			}
			for _, w := range tc.want {
				if !strings.Contains(failed.Message, w) || !strings.Contains(err.Error(), w) {
					t.Errorf("message %q / error %q does not contain %q", failed.Message, err, w)
				}
			}
		})
	}
}

func appendLine(t *testing.T, path, line string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(line); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// editManifest replaces old by new in release.json, failing if old is
// not there (so the test cannot pass vacuously).
func editManifest(t *testing.T, dir, old, new string) {
	t.Helper()
	p := filepath.Join(dir, ManifestFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("release.json lacks %q:\n%s", old, b)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyDPLeakageAllowed: a differentially private release may release
// a rare combination with noise (its guarantee is the budget), so a
// leakage in its report does not fail it, where it fails k-anonymous
// aggregates (TestVerifyBadReleases).
func TestVerifyDPLeakageAllowed(t *testing.T) {
	f := dpFixture()
	f.report = Report{Method: MethodDPAggregates, Aggregates: &sds.Report{Source: "aggregates", Leakage: 1}}
	rep, err := Verify(f.write(t))
	if err != nil || !rep.Pass {
		t.Fatalf("Verify = %+v, %v; want a pass", rep, err)
	}
	if slices.ContainsFunc(rep.Checks, func(c Check) bool { return c.Name == "report-leakage" }) {
		t.Error("a DP release was checked for leakage")
	}
}
