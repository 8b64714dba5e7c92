package release

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/sds"
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
// verify a release. The release directory holds the publisher's copy,
// with the exact input, exclusion and suppression counts; public
// downloads serve PublicManifest's form of it instead.
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
	// (kanon); Verify accepts their values in those columns, and in a
	// column with a level only the values of that level.
	Hierarchies []Hierarchy    `json:"hierarchies,omitempty"`
	LevelsUsed  map[string]int `json:"levelsUsed,omitempty"`
	Created     time.Time      `json:"created"`
	// ProgramVersion is the Corridor version that made the release.
	ProgramVersion string   `json:"programVersion"`
	DataCard       DataCard `json:"dataCard"`
	// Files lists the files of the release; WriteRelease fills it.
	Files []string `json:"files"`
	// PublicNote is set by PublicManifest: what the public form leaves out.
	PublicNote string `json:"publicNote,omitempty"`
}

// Input describes what the release was computed from. Description,
// Source and Records are confidential (the description may name the
// publishing user, the record count is the exact caseload): PublicManifest
// drops them.
type Input struct {
	Description string   `json:"description,omitempty"`
	Source      string   `json:"source,omitempty"` // file name or "cases"
	Records     int      `json:"records,omitempty"`
	Columns     []string `json:"columns"`
	Notes       []string `json:"notes,omitempty"` // e.g. dropped columns
}

// Counts are the record counts of a release. The first four are exact
// counts of the confidential input, which PublicManifest drops (they are
// then absent from the JSON); the others are counts of what is released.
type Counts struct {
	// ExcludedNoConsent and ExcludedWithdrawn are the cases left out of
	// the input for lack of consent to statistical use.
	ExcludedNoConsent int `json:"excludedNoConsent,omitempty"`
	ExcludedWithdrawn int `json:"excludedWithdrawn,omitempty"`
	InputRecords      int `json:"inputRecords,omitempty"`
	// SuppressedRecords are input records a kanon release dropped.
	SuppressedRecords int `json:"suppressedRecords,omitempty"`
	// ReleasedRecords are the rows of records.csv (kanon, synthetic).
	ReleasedRecords int `json:"releasedRecords"`
	// SyntheticRecords are the rows of a synthetic release's records.csv
	// (equal to ReleasedRecords). They are not people: their number is
	// not the number of victims, ReleasedTotal is.
	SyntheticRecords int `json:"syntheticRecords,omitempty"`
	// AggregateRows are the rows of aggregates.csv, the total row
	// included.
	AggregateRows int `json:"aggregateRows"`
	// ReleasedTotal is the count of aggregates.csv's total row: the
	// released number of records (victims), rounded to the resolution
	// and, for differentially private aggregates, noisy.
	ReleasedTotal int `json:"releasedTotal,omitempty"`
}

// PublicNoteText is the PublicManifest's PublicNote.
const PublicNoteText = "Public form of release.json: the exact counts of the confidential input (records, cases left out for lack of consent, suppressed records) and the input's description and source are withheld; the counts given are those of the released files."

// PublicManifest returns the form of m that may be published: m without
// the exact counts of the confidential input (Counts.InputRecords,
// ExcludedNoConsent, ExcludedWithdrawn, SuppressedRecords; Input.Records)
// and without the input's description and source (which may name the
// user whose scope the release covers). A differentially private release
// also loses its seed, from which the noise could be regenerated. It
// keeps the method, the other parameters, the released counts (aggregate
// rows, released and synthetic records, the released total), the input's
// columns and notes, the mapping, the hierarchies and levels, the data
// card, the dates and the files, and sets PublicNote. m is not modified.
func PublicManifest(m Manifest) Manifest {
	out := m
	out.Input = Input{Columns: slices.Clone(m.Input.Columns), Notes: slices.Clone(m.Input.Notes)}
	out.Counts = Counts{ReleasedRecords: m.Counts.ReleasedRecords, SyntheticRecords: m.Counts.SyntheticRecords,
		AggregateRows: m.Counts.AggregateRows, ReleasedTotal: m.Counts.ReleasedTotal}
	out.Params = m.Params
	out.Params.QuasiIdentifiers = slices.Clone(m.Params.QuasiIdentifiers)
	if m.Params.usesDP() {
		out.Params.Seed = 0
	}
	out.Files = slices.Clone(m.Files)
	out.PublicNote = PublicNoteText
	return out
}

// usesDP reports whether the method draws differential-privacy noise.
func (p Params) usesDP() bool {
	return p.Method == MethodDPAggregates || p.Method == MethodSynthetic && (p.Epsilon > 0 || p.Delta > 0)
}

// PublicReportNote is the note of every public report.
const PublicReportNote = "Public form of report.json: utility measures computed against the confidential input (preservation, errors, suppressed and fabricated shares, record expansion against the input, ARX's discernibility, entropy, loss and precision, suppressed records) are shown to the publisher only, because they would reveal exact counts of the input (and, for differentially private releases, break the privacy guarantee)."

// PublicReportDoc is the public form of report.json (PublicReport): only
// what is computed from the released files and the parameters.
type PublicReportDoc struct {
	Method Method `json:"method"`
	Note   string `json:"note"`
	// Budget is the privacy-budget ledger of a DP release.
	Budget *sds.Budget `json:"budget,omitempty"`
	// Released describes an aggregate or synthetic release.
	Released *PublicAggregates `json:"released,omitempty"`
	// KAnon describes a kanon release.
	KAnon *PublicKAnon `json:"kanon,omitempty"`
}

// PublicAggregates are the public measures of an aggregate or synthetic
// release.
type PublicAggregates struct {
	ReportingLength int `json:"reportingLength"`
	Resolution      int `json:"resolution"`
	// ReleasedTotal is aggregates.csv's total: the released number of
	// records (victims).
	ReleasedTotal int `json:"releasedTotal"`
	AggregateRows int `json:"aggregateRows"`
	// SyntheticRecords (synthetic only) are records.csv's rows, which are
	// not people; SyntheticPerReleased is SyntheticRecords/ReleasedTotal.
	SyntheticRecords     int     `json:"syntheticRecords,omitempty"`
	SyntheticPerReleased float64 `json:"syntheticPerReleased,omitempty"`
	// Leakage is 0 for every release that passes Verify.
	Leakage int `json:"leakage"`
	// CombinationsByLength counts the distinct attribute combinations of
	// each length in the released data evaluated, CombinationsOf:
	// "aggregates" (aggregates.csv) or "synthetic" (records.csv).
	CombinationsOf       string               `json:"combinationsOf"`
	CombinationsByLength []LengthCombinations `json:"combinationsByLength,omitempty"`
}

// LengthCombinations is the number of distinct released combinations of
// one length.
type LengthCombinations struct {
	Length       int `json:"length"`
	Combinations int `json:"combinations"`
}

// PublicKAnon are the public measures of a kanon release: the chosen
// transformation and what can be counted in records.csv.
type PublicKAnon struct {
	Levels          map[string]int `json:"levels"`
	ReleasedRecords int            `json:"releasedRecords"`
	Classes         int            `json:"classes"`
	MinClassSize    int            `json:"minClassSize"`
	NodesChecked    int            `json:"nodesChecked"`
	LatticeSize     int            `json:"latticeSize"`
}

// PublicReport returns the form of report.json (a Report as WriteRelease
// wrote it) that may be published with the release of manifest m.
//
//   - dp-aggregates, synthetic and kanon-aggregates keep only what is
//     computed from the released files and the parameters: the privacy
//     budget ledger (DP), the released total, aggregate rows, synthetic
//     records, the leakage (0 once verified) and the number of released
//     combinations per length. Every SDS metric computed against the
//     sensitive counts is dropped: for DP it is a function of the
//     confidential data outside the budget, and for k-anonymous aggregates
//     it would sharpen the rounded-down counts (a length with one
//     reportable combination gives its exact count from the preservation).
//   - kanon keeps the levels, classes, smallest class and search size; it
//     drops the suppressed records and ARX's discernibility, non-uniform
//     entropy, loss and precision, each of which involves the input's
//     record count n and so, with the released record count, reveals it.
//
// The result has a "note" saying so. Errors wrap derrors.Invalid for a
// report that is not a Report of m's method.
func PublicReport(m Manifest, report []byte) ([]byte, error) {
	var r Report
	if err := json.Unmarshal(report, &r); err != nil {
		return nil, derrors.Kindf(derrors.Invalid, "%s: %v", ReportFile, err)
	}
	if r.Method != m.Method {
		return nil, derrors.Kindf(derrors.Invalid, "%s: method %q, but %s says %q", ReportFile, r.Method, ManifestFile, m.Method)
	}
	out := PublicReportDoc{Method: m.Method, Note: PublicReportNote}
	switch m.Method {
	case MethodKAnon:
		out.KAnon = &PublicKAnon{ReleasedRecords: m.Counts.ReleasedRecords}
		if k := r.KAnon; k != nil {
			out.KAnon.Levels, out.KAnon.Classes, out.KAnon.MinClassSize = k.Levels, k.Classes, k.MinClassSize
			out.KAnon.NodesChecked, out.KAnon.LatticeSize = k.NodesChecked, k.LatticeSize
		}
	default:
		if m.Params.usesDP() {
			out.Budget = r.Budget
		}
		pa := &PublicAggregates{ReportingLength: m.Params.ReportingLength, Resolution: m.Params.Resolution,
			ReleasedTotal: m.Counts.ReleasedTotal, AggregateRows: m.Counts.AggregateRows, SyntheticRecords: m.Counts.SyntheticRecords}
		if pa.ReleasedTotal > 0 && pa.SyntheticRecords > 0 {
			pa.SyntheticPerReleased = float64(pa.SyntheticRecords) / float64(pa.ReleasedTotal)
		}
		if a := r.Aggregates; a != nil {
			pa.Leakage, pa.CombinationsOf = a.Leakage, a.Source
			for _, g := range a.ByLength {
				pa.CombinationsByLength = append(pa.CombinationsByLength, LengthCombinations{Length: g.Length, Combinations: g.Target})
			}
		}
		out.Released = pa
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
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
	MethodSynthetic:       "synthetic records generated from the released aggregates; they are not real people, and no combination of up to the reporting length of their attributes is absent from the aggregates. As in SDS, records are generated until the released single-attribute counts are used up (up to 1.5 times the released total by default), so there are usually more synthetic records than victims, many holding only a few attributes.",
	MethodKAnon:           "k-anonymous records: values generalised or suppressed so that every group of records sharing the quasi-identifiers has at least k members.",
}

// DataCardText renders datacard.md: the method, parameters, date,
// citation, the released counts, what the public files hold and the
// meaning of the columns. datacard.md is published, so it is rendered from
// PublicManifest(m): it never states an exact count of the confidential
// input or the input's description.
func DataCardText(m Manifest) string {
	m = PublicManifest(m)
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
	b.WriteString("## Released counts\n\n")
	b.WriteString(countsText(m))
	b.WriteString("\nOnly cases whose person consented to statistical use enter a release. The exact number of input records, of cases left out for lack of consent and of suppressed records is not published.\n\n")
	for _, n := range m.Input.Notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	fmt.Fprintf(&b, "\n## Files\n\n")
	for _, f := range m.Files {
		fmt.Fprintf(&b, "- `%s`\n", f)
	}
	b.WriteString("\n" + publicFilesText(m.Params))
	b.WriteString("\nIn `aggregates.csv` an empty attribute cell means the attribute is not part of the combination; the row with every attribute empty is the total. In `records.csv` an empty cell is missing (or, for a flag, not recorded), and `*` is a suppressed value.\n")
	b.WriteString("\n## Columns\n\nThe columns follow CTDC's global synthetic schema (2024). Flags hold 1 or nothing.\n\n| column | derived from | rule |\n|---|---|---|\n")
	for _, r := range m.Mapping {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r.Column, r.From, strings.ReplaceAll(r.Rule, "|", "\\|"))
	}
	return b.String()
}

// countsText states the released counts on the data card.
func countsText(m Manifest) string {
	var b strings.Builder
	c := m.Counts
	switch m.Method {
	case MethodKAnon:
		fmt.Fprintf(&b, "- `records.csv`: %d records, one per victim kept (records in classes smaller than k were removed).\n", c.ReleasedRecords)
	default:
		kind := "rounded down to a multiple of the resolution"
		if m.Params.usesDP() {
			kind = "with differential-privacy noise, rounded to the resolution"
		}
		fmt.Fprintf(&b, "- Released total: %d victims (the total row of `aggregates.csv`, %s).\n", c.ReleasedTotal, kind)
		fmt.Fprintf(&b, "- `aggregates.csv`: %d rows, the total row included.\n", c.AggregateRows)
		if m.Method == MethodSynthetic {
			fmt.Fprintf(&b, "- `records.csv`: %d synthetic records. They are not people: the number of synthetic rows is not the number of victims; use the released total (%d) for that.\n",
				c.SyntheticRecords, c.ReleasedTotal)
		}
	}
	return b.String()
}

// publicFilesText says what the public downloads of a release contain.
func publicFilesText(p Params) string {
	var rep string
	switch p.Method {
	case MethodKAnon:
		rep = "the chosen generalisation levels, the number of classes and the smallest class, and the size of the search; the suppressed records and ARX's utility measures (discernibility, entropy, loss, precision), which involve the exact input count, are shown to the publisher only"
	case MethodDPAggregates:
		rep = "the privacy budget ledger (how ε and δ were spent), the released total and the number of released combinations per length; utility measures computed against the confidential data are shown to the publisher only, as publishing them would break the differential-privacy guarantee"
	default:
		rep = "the released total, the number of released combinations per length, the leakage (0) and, for DP-seeded synthesis, the privacy budget ledger; utility measures computed against the confidential data are shown to the publisher only, as they would reveal exact counts"
	}
	return "### What the public files contain\n\n" +
		"- `release.json`: the method, parameters, released counts, case-to-CTDC mapping, generalisation hierarchies, data card, dates and file list. The exact input, exclusion and suppression counts and the input's description are withheld" +
		map[bool]string{true: ", and so is the seed of the noise", false: ""}[p.usesDP()] + ".\n" +
		"- `report.json`: " + rep + ".\n" +
		"- `datacard.md`: this page.\n"
}
