package release

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

func testManifest(p Params) Manifest {
	return Manifest{Method: p.Method, Params: p,
		Input:   Input{Description: "synthetic test cases", Source: "cases", Records: 4, Columns: CTDCColumns},
		Counts:  Counts{InputRecords: 4, ExcludedNoConsent: 1, ExcludedWithdrawn: 1},
		Mapping: CTDCMapping, Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ProgramVersion: "test",
		DataCard: DataCard{Title: "Test release", Publisher: "Shelter A", Citation: "Shelter A (2026). Test release.", Licence: "CC BY 4.0"}}
}

func TestWriteReadRelease(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "r1")
	m := testManifest(Params{Method: MethodKAnonAggregates, ReportingLength: 2, Resolution: 10})
	agg := &table.Table{Columns: []string{ColGender, CountColumn}, Rows: [][]string{{"", "20"}, {GenderWoman, "10"}}}
	report := json.RawMessage(`{"suppressed":3}`)
	if err := WriteRelease(dir, m, agg, nil, report); err != nil {
		t.Fatal(err)
	}
	got, gotAgg, gotRec, err := ReadRelease(dir)
	if err != nil {
		t.Fatal(err)
	}
	if gotRec != nil {
		t.Errorf("records.csv written for a nil table")
	}
	if !reflect.DeepEqual(gotAgg, agg) {
		t.Errorf("aggregates: %+v", gotAgg)
	}
	wantFiles := []string{ManifestFile, DataCardFile, AggregatesFile, ReportFile}
	if got.Method != m.Method || got.Params.Resolution != 10 || !got.Created.Equal(m.Created) || !reflect.DeepEqual(got.Files, wantFiles) ||
		got.FormatVersion != FormatVersion || len(got.Mapping) != len(CTDCColumns) {
		t.Errorf("manifest: %+v", got)
	}
	if b, err := os.ReadFile(filepath.Join(dir, ReportFile)); err != nil || !strings.Contains(string(b), `"suppressed": 3`) {
		t.Errorf("report.json: %s, %v", b, err)
	}
	card, err := os.ReadFile(filepath.Join(dir, DataCardFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"# Test release", "Shelter A (2026). Test release.", "`kanon-aggregates`", `"resolution": 10`, "| meansThreats |", "2026-01-02T03:04:05Z"} {
		if !strings.Contains(string(card), s) {
			t.Errorf("datacard.md lacks %q", s)
		}
	}
	// A release is never overwritten.
	if err := WriteRelease(dir, m, agg, nil, nil); !errors.Is(err, derrors.Conflict) {
		t.Errorf("second write: %v", err)
	}
}

func TestWriteReleaseLeavesNothingOnFailure(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "r")
	bad := &table.Table{Columns: []string{ColGender, CountColumn}, Rows: [][]string{{"", "20", "extra"}}}
	err := WriteRelease(dir, testManifest(Params{Method: MethodKAnonAggregates, ReportingLength: 2, Resolution: 10}), bad, nil, nil)
	if !errors.Is(err, derrors.Invalid) {
		t.Fatalf("got %v", err)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
	err = WriteRelease(dir, testManifest(Params{Method: MethodKAnon}), nil, nil, func() {})
	if !errors.Is(err, derrors.Invalid) {
		t.Fatalf("unmarshalable report: %v", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestReadReleaseMissingManifest(t *testing.T) {
	if _, _, _, err := ReadRelease(t.TempDir()); !errors.Is(err, derrors.NotFound) {
		t.Errorf("got %v", err)
	}
}
