package release

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
)

func TestParamsValidate(t *testing.T) {
	tests := []struct {
		name    string
		p       Params
		wantErr []string // substrings; none for a valid set
	}{
		{"kanon", Params{Method: MethodKAnon, K: 5, QuasiIdentifiers: []string{ColAge, ColGender}, MaxSuppression: 0.1}, nil},
		{"kanon l-diverse", Params{Method: MethodKAnon, K: 5, L: 2, Sensitive: ColSexualExploit, QuasiIdentifiers: []string{ColAge}}, nil},
		{"kanon-aggregates", Params{Method: MethodKAnonAggregates, ReportingLength: 3, Resolution: 10}, nil},
		{"dp-aggregates", Params{Method: MethodDPAggregates, ReportingLength: 4, Resolution: 5, Epsilon: 1, Delta: 1e-6}, nil},
		{"synthetic k-anonymous", Params{Method: MethodSynthetic, ReportingLength: 4, Resolution: 10}, nil},
		{"synthetic dp", Params{Method: MethodSynthetic, ReportingLength: 4, Resolution: 1, Epsilon: 2, Delta: 1e-5}, nil},
		{"unknown method", Params{Method: "magic"}, []string{"parameter method"}},
		{"k too small", Params{Method: MethodKAnon, K: 1, QuasiIdentifiers: []string{ColAge}}, []string{"parameter k:"}},
		{"no quasi-identifiers", Params{Method: MethodKAnon, K: 2}, []string{"parameter quasiIdentifiers:"}},
		{"unknown quasi-identifier", Params{Method: MethodKAnon, K: 2, QuasiIdentifiers: []string{"givenName"}}, []string{"parameter quasiIdentifiers[0]"}},
		{"duplicate quasi-identifier", Params{Method: MethodKAnon, K: 2, QuasiIdentifiers: []string{ColAge, ColAge}}, []string{"parameter quasiIdentifiers[1]"}},
		{"l without sensitive", Params{Method: MethodKAnon, K: 3, L: 2, QuasiIdentifiers: []string{ColAge}}, []string{"parameter l:"}},
		{"l over k", Params{Method: MethodKAnon, K: 3, L: 4, Sensitive: ColGender, QuasiIdentifiers: []string{ColAge}}, []string{"parameter l:"}},
		{"sensitive is a QI", Params{Method: MethodKAnon, K: 3, L: 2, Sensitive: ColAge, QuasiIdentifiers: []string{ColAge}}, []string{"parameter sensitive:"}},
		{"suppression out of range", Params{Method: MethodKAnon, K: 3, QuasiIdentifiers: []string{ColAge}, MaxSuppression: 1.5}, []string{"parameter maxSuppression:"}},
		{"reporting length 0", Params{Method: MethodKAnonAggregates, ReportingLength: 0, Resolution: 10}, []string{"parameter reportingLength:"}},
		{"reporting length 7", Params{Method: MethodSynthetic, ReportingLength: 7, Resolution: 10}, []string{"parameter reportingLength:"}},
		{"kanon-aggregates resolution 1", Params{Method: MethodKAnonAggregates, ReportingLength: 3, Resolution: 1}, []string{"parameter resolution:"}},
		{"epsilon zero", Params{Method: MethodDPAggregates, ReportingLength: 3, Resolution: 1, Delta: 1e-6}, []string{"parameter epsilon:"}},
		{"epsilon NaN", Params{Method: MethodDPAggregates, ReportingLength: 3, Resolution: 1, Epsilon: math.NaN(), Delta: 1e-6}, []string{"parameter epsilon:"}},
		{"delta 1", Params{Method: MethodDPAggregates, ReportingLength: 3, Resolution: 1, Epsilon: 1, Delta: 1}, []string{"parameter delta:"}},
		{"several at once", Params{Method: MethodDPAggregates, ReportingLength: 9, Resolution: 0, Epsilon: -1, Delta: 0},
			[]string{"parameter reportingLength:", "parameter resolution:", "parameter epsilon:", "parameter delta:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, derrors.Invalid) {
				t.Fatalf("got %v, want Invalid", err)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// csvOf builds a CTDC CSV: extra columns first, then the CTDC columns;
// cells sets values by column.
func csvOf(extra []string, rows ...map[string]string) string {
	head := append(append([]string{}, extra...), CTDCColumns...)
	var b strings.Builder
	b.WriteString(strings.Join(head, ",") + "\n")
	for _, r := range rows {
		cells := make([]string, len(head))
		for j, c := range head {
			cells[j] = r[c]
		}
		b.WriteString(strings.Join(cells, ",") + "\n")
	}
	return b.String()
}

func TestLoadInput(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.csv", csvOf([]string{"Datasource"},
		map[string]string{"Datasource": "Hotline", ColYear: "2019", ColGender: "Woman", ColAge: "09--17", ColCitizenship: "PHL",
			ColTraffickMonths: Months13to24, ColMeansThreats: "1"},
		map[string]string{ColYear: "2020"}))
	tab, notes, err := LoadInputNotes(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 2 || strings.Join(tab.Columns, ",") != strings.Join(CTDCColumns, ",") {
		t.Fatalf("table %v", tab.Columns)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "Datasource") {
		t.Errorf("notes %v", notes)
	}
	if _, err := LoadInput(good); err != nil {
		t.Error(err)
	}

	tests := []struct {
		name, body string
		kind       error
		want       []string
	}{
		{"bad age band", csvOf(nil, map[string]string{ColAge: "18-20"}), derrors.Invalid, []string{"line 2, column ageBroad", `"18-20"`}},
		{"flag 0", csvOf(nil, map[string]string{}, map[string]string{ColMeansThreats: "0"}), derrors.Invalid, []string{"line 3, column meansThreats"}},
		{"alpha-2 country", csvOf(nil, map[string]string{ColCitizenship: "PH"}), derrors.Invalid, []string{"column citizenship"}},
		{"free text gender", csvOf(nil, map[string]string{ColGender: "Female"}), derrors.Invalid, []string{"column gender"}},
		{"missing column", "yearOfRegistration,gender\n2019,Man\n", derrors.Invalid, []string{"missing CTDC column", "ageBroad"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadInput(writeFile(t, dir, "bad.csv", tc.body))
			if !errors.Is(err, tc.kind) {
				t.Fatalf("got %v, want %v", err, tc.kind)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
	if _, err := LoadInput(filepath.Join(dir, "none.csv")); !errors.Is(err, derrors.NotFound) {
		t.Errorf("missing file: %v", err)
	}
}
