package release

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// The files of a release directory.
const (
	ManifestFile   = "release.json"
	ReportFile     = "report.json"
	AggregatesFile = "aggregates.csv"
	RecordsFile    = "records.csv"
	DataCardFile   = "datacard.md"
)

// FormatVersion is the version of the release directory format.
const FormatVersion = 1

// Manifest is release.json: everything needed to understand, cite and
// verify a release.
type Manifest struct {
	FormatVersion int    `json:"formatVersion"`
	Method        Method `json:"method"`
	Params        Params `json:"parameters"`
	Input         Input  `json:"input"`
	Counts        Counts `json:"counts"`
	// Mapping is how case records became CTDC rows (CTDCMapping).
	Mapping []MappingRule `json:"mapping,omitempty"`
	// Hierarchies are the generalisation hierarchies of the columns that
	// were generalised, and LevelsUsed the level applied per column
	// (kanon); Verify accepts their values in those columns.
	Hierarchies []Hierarchy    `json:"hierarchies,omitempty"`
	LevelsUsed  map[string]int `json:"levelsUsed,omitempty"`
	Created     time.Time      `json:"created"`
	// ProgramVersion is the Corridor version that made the release.
	ProgramVersion string   `json:"programVersion"`
	DataCard       DataCard `json:"dataCard"`
	// Files lists the files of the release; WriteRelease fills it.
	Files []string `json:"files"`
}

// Input describes what the release was computed from.
type Input struct {
	Description string   `json:"description"`
	Source      string   `json:"source,omitempty"` // file name or "cases"
	Records     int      `json:"records"`
	Columns     []string `json:"columns"`
	Notes       []string `json:"notes,omitempty"` // e.g. dropped columns
}

// Counts are the record counts of a release.
type Counts struct {
	// ExcludedNoConsent and ExcludedWithdrawn are the cases left out of
	// the input for lack of consent to statistical use.
	ExcludedNoConsent int `json:"excludedNoConsent"`
	ExcludedWithdrawn int `json:"excludedWithdrawn"`
	InputRecords      int `json:"inputRecords"`
	// SuppressedRecords are input records a kanon release dropped.
	SuppressedRecords int `json:"suppressedRecords"`
	ReleasedRecords   int `json:"releasedRecords"`
	AggregateRows     int `json:"aggregateRows"`
}

// DataCard holds the citation and description of a release.
type DataCard struct {
	Title       string `json:"title"`
	Publisher   string `json:"publisher"`
	Version     string `json:"version,omitempty"`
	Citation    string `json:"citation"`
	Licence     string `json:"licence,omitempty"`
	Contact     string `json:"contact,omitempty"`
	Description string `json:"description,omitempty"`
}

// WriteRelease writes a release directory at dir: release.json from m,
// aggregates.csv and records.csv from the tables (a nil table is not
// written), report.json from report (not written when nil) and
// datacard.md. It writes into a temporary directory beside dir and
// renames it into place, so a failure never leaves a half release.
// Errors wrap derrors.Conflict when dir already exists and
// derrors.Invalid for a table with a row of the wrong length or a
// report that is not JSON.
func WriteRelease(dir string, m Manifest, aggregates *table.Table, records *table.Table, report any) (err error) {
	defer derrors.Wrap(&err, "release.WriteRelease(%s)", dir)
	if _, err := os.Stat(dir); err == nil {
		return derrors.Kindf(derrors.Conflict, "%s already exists; a release is never overwritten", dir)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	m.FormatVersion = FormatVersion
	m.Files = []string{ManifestFile, DataCardFile}
	var files []namedBytes
	for _, x := range []struct {
		name string
		t    *table.Table
	}{{AggregatesFile, aggregates}, {RecordsFile, records}} {
		if x.t == nil {
			continue
		}
		var b bytes.Buffer
		if err := x.t.WriteCSV(&b); err != nil {
			return derrors.Kindf(derrors.Invalid, "%s: %v", x.name, err)
		}
		files = append(files, namedBytes{x.name, b.Bytes()})
		m.Files = append(m.Files, x.name)
	}
	if report != nil {
		b, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			return derrors.Kindf(derrors.Invalid, "%s: %v", ReportFile, err)
		}
		files = append(files, namedBytes{ReportFile, append(b, '\n')})
		m.Files = append(m.Files, ReportFile)
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	files = append(files, namedBytes{ManifestFile, append(mb, '\n')}, namedBytes{DataCardFile, []byte(DataCardText(m))})
	for _, f := range files {
		if err := writeSynced(filepath.Join(tmp, f.name), f.data); err != nil {
			return err
		}
	}
	return os.Rename(tmp, dir)
}

type namedBytes struct {
	name string
	data []byte
}

// writeSynced writes a file and flushes it to disk before the rename
// publishes it.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadRelease reads a release directory: its manifest and its aggregate
// and record tables (nil when the file is absent). Errors wrap
// derrors.NotFound when release.json is missing and derrors.Invalid for
// a malformed file, naming it.
func ReadRelease(dir string) (Manifest, *table.Table, *table.Table, error) {
	m, err := readManifest(dir)
	if err != nil {
		return m, nil, nil, err
	}
	agg, err := readTable(dir, AggregatesFile)
	if err != nil {
		return m, nil, nil, err
	}
	rec, err := readTable(dir, RecordsFile)
	if err != nil {
		return m, nil, nil, err
	}
	return m, agg, rec, nil
}

func readManifest(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return m, derrors.Kindf(derrors.NotFound, "%s: missing in %s", ManifestFile, dir)
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, derrors.Kindf(derrors.Invalid, "%s: %v", ManifestFile, err)
	}
	return m, nil
}

// readTable reads one CSV of the release, nil when it is absent.
func readTable(dir, name string) (*table.Table, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := table.ReadCSV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}

// methodText explains each method on the data card.
var methodText = map[Method]string{
	MethodKAnonAggregates: "k-anonymous aggregates: every combination of up to the reporting length of attributes is counted; counts below the resolution are withheld and the others rounded down to a multiple of it.",
	MethodDPAggregates:    "differentially private aggregates: counts of attribute combinations with calibrated noise (epsilon, delta), rounded to the resolution.",
	MethodSynthetic:       "synthetic records generated from the released aggregates; they are not real people, and no combination of up to the reporting length of their attributes is absent from the aggregates. As in SDS, records are generated until the released single-attribute counts are used up, so there may be more synthetic records than input records (the report's record expansion).",
	MethodKAnon:           "k-anonymous records: values generalised or suppressed so that every group of records sharing the quasi-identifiers has at least k members.",
}

// DataCardText renders datacard.md: the method, parameters, date,
// citation and the meaning of the columns.
func DataCardText(m Manifest) string {
	var b strings.Builder
	title := m.DataCard.Title
	if title == "" {
		title = "Counter-trafficking data release"
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	if m.DataCard.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", m.DataCard.Description)
	}
	fmt.Fprintf(&b, "- Publisher: %s\n- Created: %s\n- Program version: %s\n", m.DataCard.Publisher, m.Created.UTC().Format(time.RFC3339), m.ProgramVersion)
	if m.DataCard.Version != "" {
		fmt.Fprintf(&b, "- Release version: %s\n", m.DataCard.Version)
	}
	if m.DataCard.Licence != "" {
		fmt.Fprintf(&b, "- Licence: %s\n", m.DataCard.Licence)
	}
	if m.DataCard.Contact != "" {
		fmt.Fprintf(&b, "- Contact: %s\n", m.DataCard.Contact)
	}
	fmt.Fprintf(&b, "\n## How to cite\n\n%s\n\n## Method\n\n`%s`: %s\n\n", m.DataCard.Citation, m.Method, methodText[m.Method])
	pj, _ := json.MarshalIndent(m.Params, "", "  ")
	fmt.Fprintf(&b, "Parameters:\n\n```json\n%s\n```\n\n", pj)
	fmt.Fprintf(&b, "## Input\n\n%s (%d records; %d cases left out for lack of consent to statistical use, %d because it was withdrawn).\n\n",
		m.Input.Description, m.Counts.InputRecords, m.Counts.ExcludedNoConsent, m.Counts.ExcludedWithdrawn)
	for _, n := range m.Input.Notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	fmt.Fprintf(&b, "\n## Files\n\n")
	for _, f := range m.Files {
		fmt.Fprintf(&b, "- `%s`\n", f)
	}
	b.WriteString("\nIn `aggregates.csv` an empty attribute cell means the attribute is not part of the combination; the row with every attribute empty is the total. In `records.csv` an empty cell is missing (or, for a flag, not recorded), and `*` is a suppressed value.\n")
	b.WriteString("\n## Columns\n\nThe columns follow CTDC's global synthetic schema (2024). Flags hold 1 or nothing.\n\n| column | derived from | rule |\n|---|---|---|\n")
	for _, r := range m.Mapping {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r.Column, r.From, strings.ReplaceAll(r.Rule, "|", "\\|"))
	}
	return b.String()
}
