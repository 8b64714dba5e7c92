// Package release is the safe public release of counter-trafficking case
// data in the shape of CTDC's global dataset (../shared/data/ctdc/SCHEMA.md).
//
// A release is a directory (files.go) holding what is published and how
// it was made: release.json (the Manifest: method, parameters, input,
// counts, the case-to-CTDC mapping, the generalisation hierarchies used,
// citation), report.json (the method's own report), aggregates.csv
// (attribute combinations with their counts), records.csv (released
// microdata) and datacard.md (the same facts for people). release.json
// and report.json hold confidential figures (exact input counts, metrics
// measured against the input) for the publisher: public downloads serve
// PublicManifest and PublicReport instead (files.go).
//
// The input is one row per consenting victim in the 27-column CTDC global
// schema: CTDCRow (ctdc.go) maps a case to it, LoadInput reads a CSV of
// it. Four methods turn the input into a release:
//
//   - kanon-aggregates: k-anonymous aggregates as in CTDC's 2021 release
//     (Synthetic Data Showcase): every reported combination of at most
//     ReportingLength attributes has a count of at least Resolution,
//     rounded down to a multiple of it.
//   - dp-aggregates: differentially private marginals (Epsilon, Delta)
//     rounded to Resolution.
//   - synthetic: synthetic microdata seeded from the aggregates, released
//     with them; no combination of at most ReportingLength attributes of a
//     synthetic record is absent from the released aggregates.
//   - kanon: generalised and suppressed microdata (hierarchy.go) where
//     every class over the QuasiIdentifiers has at least K records (and,
//     when Sensitive is declared, at least L distinct sensitive values).
//
// The methods themselves live in internal/release/sds and
// internal/release/kanon. Publication requires Verify (verify.go) to pass:
// it re-reads the written files and checks the guarantee of the recorded
// method independently of the code that produced them.
package release

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// Method names how a release was made.
type Method string

// The release methods.
const (
	MethodKAnonAggregates Method = "kanon-aggregates" // k-anonymous aggregates (SDS, CTDC 2021)
	MethodDPAggregates    Method = "dp-aggregates"    // differentially private aggregates
	MethodSynthetic       Method = "synthetic"        // synthetic microdata with its aggregates
	MethodKAnon           Method = "kanon"            // k-anonymous (optionally l-diverse) microdata
)

// Methods lists the release methods.
var Methods = []Method{MethodKAnonAggregates, MethodDPAggregates, MethodSynthetic, MethodKAnon}

// MaxReportingLength bounds ReportingLength: the number of attribute
// combinations grows as C(27, n), and CTDC's own releases stop at 4–6.
const MaxReportingLength = 6

// Params are the parameters of a release. Which ones a method reads is
// said per field; Validate checks those.
type Params struct {
	Method Method `json:"method"`
	// K is the smallest class size of kanon microdata.
	K int `json:"k,omitempty"`
	// ReportingLength is the longest attribute combination counted in
	// aggregates (aggregate methods and synthetic).
	ReportingLength int `json:"reportingLength,omitempty"`
	// Resolution: released counts are at least it and a multiple of it
	// (aggregate methods and synthetic). For kanon-aggregates it is the k
	// of k-anonymity, so at least 2.
	Resolution int `json:"resolution,omitempty"`
	// Epsilon and Delta are the differential-privacy budget of
	// dp-aggregates (and of synthetic when Epsilon is not zero).
	Epsilon float64 `json:"epsilon,omitempty"`
	Delta   float64 `json:"delta,omitempty"`
	// QuasiIdentifiers are the CTDC columns an attacker could link on
	// (kanon: required; aggregate methods: the attributes aggregated,
	// all columns when empty).
	QuasiIdentifiers []string `json:"quasiIdentifiers,omitempty"`
	// Sensitive and L make kanon microdata l-diverse: every class has at
	// least L distinct values of the Sensitive column.
	Sensitive string `json:"sensitive,omitempty"`
	L         int    `json:"l,omitempty"`
	// MaxSuppression is the largest share of input records kanon may
	// suppress, in [0, 1].
	MaxSuppression float64 `json:"maxSuppression,omitempty"`
	// Seed makes randomised methods reproducible.
	Seed uint64 `json:"seed,omitempty"`
}

// Validate checks the parameters the method reads. The error wraps
// derrors.Invalid and names every bad parameter.
func (p Params) Validate() error {
	var bad []string
	add := func(param, format string, args ...any) {
		bad = append(bad, "parameter "+param+": "+fmt.Sprintf(format, args...))
	}
	if !slices.Contains(Methods, p.Method) {
		add("method", "%q is not one of %s", p.Method, joinMethods())
		return derrors.Kindf(derrors.Invalid, "%s", strings.Join(bad, "; "))
	}
	p.checkColumns(add)
	switch p.Method {
	case MethodKAnon:
		p.checkKAnon(add)
	case MethodKAnonAggregates:
		p.checkAggregates(add, 2)
	case MethodDPAggregates:
		p.checkAggregates(add, 1)
		p.checkDP(add, true)
	case MethodSynthetic:
		// Without a privacy budget the synthesis is seeded from
		// k-anonymous aggregates, whose resolution is their k.
		minRes := 1
		if p.Epsilon == 0 && p.Delta == 0 {
			minRes = 2
		}
		p.checkAggregates(add, minRes)
		p.checkDP(add, false)
	}
	if len(bad) > 0 {
		return derrors.Kindf(derrors.Invalid, "%s", strings.Join(bad, "; "))
	}
	return nil
}

func joinMethods() string {
	s := make([]string, len(Methods))
	for i, m := range Methods {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}

// checkColumns: quasi-identifiers and the sensitive column are CTDC
// columns, named once.
func (p Params) checkColumns(add func(string, string, ...any)) {
	seen := map[string]bool{}
	for i, q := range p.QuasiIdentifiers {
		switch {
		case !slices.Contains(CTDCColumns, q):
			add(fmt.Sprintf("quasiIdentifiers[%d]", i), "%q is not a CTDC column", q)
		case seen[q]:
			add(fmt.Sprintf("quasiIdentifiers[%d]", i), "%q is named twice", q)
		}
		seen[q] = true
	}
	if p.Sensitive != "" && !slices.Contains(CTDCColumns, p.Sensitive) {
		add("sensitive", "%q is not a CTDC column", p.Sensitive)
	}
	if p.Sensitive != "" && seen[p.Sensitive] {
		add("sensitive", "%q is also a quasi-identifier", p.Sensitive)
	}
}

func (p Params) checkKAnon(add func(string, string, ...any)) {
	if p.K < 2 {
		add("k", "must be at least 2 (got %d)", p.K)
	}
	if len(p.QuasiIdentifiers) == 0 {
		add("quasiIdentifiers", "at least one column is required for kanon")
	}
	switch {
	case p.L != 0 && p.Sensitive == "":
		add("l", "needs a sensitive column")
	case p.Sensitive != "" && p.L < 2:
		add("l", "must be at least 2 when a sensitive column is declared (got %d)", p.L)
	case p.L > p.K && p.K >= 2:
		add("l", "must not exceed k (%d > %d): a class of k records cannot hold more distinct values", p.L, p.K)
	}
	if math.IsNaN(p.MaxSuppression) || p.MaxSuppression < 0 || p.MaxSuppression > 1 {
		add("maxSuppression", "must be between 0 and 1 (got %v)", p.MaxSuppression)
	}
}

func (p Params) checkAggregates(add func(string, string, ...any), minResolution int) {
	if p.ReportingLength < 1 || p.ReportingLength > MaxReportingLength {
		add("reportingLength", "must be between 1 and %d (got %d)", MaxReportingLength, p.ReportingLength)
	}
	if p.Resolution < minResolution {
		add("resolution", "must be at least %d (got %d)", minResolution, p.Resolution)
	}
}

// checkDP checks the privacy budget; required says whether one must be
// given.
func (p Params) checkDP(add func(string, string, ...any), required bool) {
	if !required && p.Epsilon == 0 && p.Delta == 0 {
		return
	}
	if math.IsNaN(p.Epsilon) || p.Epsilon <= 0 || p.Epsilon > MaxEpsilon {
		add("epsilon", "must be greater than 0 and at most %v (got %v)", MaxEpsilon, p.Epsilon)
	}
	if math.IsNaN(p.Delta) || p.Delta <= 0 || p.Delta >= 1 {
		add("delta", "must be greater than 0 and at most 1/n, n the number of input records (got %v)", p.Delta)
	}
}

// MaxEpsilon bounds ε: beyond it the noise no longer protects anyone
// (e^20 ≈ 5·10⁸ as the likelihood ratio of neighbouring inputs).
const MaxEpsilon = 20

// checkDelta checks δ against the number n of input records of a release
// that uses DP: δ ≤ 1/n (SDS advises δ well below 1/n, since a mechanism
// that published one record in full with probability δ would meet any
// larger δ). The error wraps derrors.Invalid and names parameter delta.
func (p Params) checkDelta(n int) error {
	if !p.usesDP() || n <= 0 {
		return nil
	}
	if limit := 1 / float64(n); p.Delta > limit {
		return derrors.Kindf(derrors.Invalid, "parameter delta: must be at most 1/n = %.3g for n = %d input records (got %v); choose δ well below 1/n", limit, n, p.Delta)
	}
	return nil
}

// MaxInputProblems bounds how many bad cells LoadInput lists.
const MaxInputProblems = 20

// LoadInput reads a CSV in the CTDC global schema (CTDCColumns; see
// LoadInputNotes for the rules). Errors wrap derrors.NotFound for a
// missing file and derrors.Invalid for a bad one.
func LoadInput(path string) (*table.Table, error) {
	t, _, err := LoadInputNotes(path)
	return t, err
}

// LoadInputNotes reads a CSV in the CTDC global schema: every column of
// CTDCColumns is required; extra columns are dropped and named in the
// notes (for the manifest's input description); every cell of a kept
// column must be in the column's closed value set of the input (CTDC's
// own spellings, not generalised values). The table's columns are in
// CTDCColumns order. Errors wrap derrors.NotFound for a missing file,
// derrors.TooLarge for one over table.MaxFileBytes and derrors.Invalid
// otherwise, naming the line and column of up to MaxInputProblems cells.
func LoadInputNotes(path string) (*table.Table, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil, derrors.Kindf(derrors.NotFound, "input %s: no such file", path)
		}
		return nil, nil, err
	}
	defer f.Close()
	raw, err := table.ReadCSV(f)
	if err != nil {
		return nil, nil, fmt.Errorf("input %s: %w", path, err)
	}
	var missing, notes []string
	for _, c := range CTDCColumns {
		if raw.Index(c) < 0 {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, nil, derrors.Kindf(derrors.Invalid, "input %s, line 1: missing CTDC column(s) %s", path, strings.Join(missing, ", "))
	}
	for _, c := range raw.Columns {
		if !slices.Contains(CTDCColumns, c) {
			notes = append(notes, fmt.Sprintf("column %q is not in the CTDC global schema and was dropped", c))
		}
	}
	t, err := raw.Select(CTDCColumns...)
	if err != nil {
		return nil, nil, err
	}
	if err := checkInputValues(path, t); err != nil {
		return nil, nil, err
	}
	return t, notes, nil
}

// checkInputValues reports the cells outside their column's closed set.
func checkInputValues(path string, t *table.Table) error {
	var probs []string
	n := 0
	for i, r := range t.Rows {
		for j, v := range r {
			if inputValueOK(t.Columns[j], v) {
				continue
			}
			n++
			if len(probs) < MaxInputProblems {
				probs = append(probs, fmt.Sprintf("line %d, column %s: %q is not a valid value", i+2, t.Columns[j], v))
			}
		}
	}
	if n == 0 {
		return nil
	}
	more := ""
	if n > len(probs) {
		more = fmt.Sprintf(" (and %d more)", n-len(probs))
	}
	return derrors.Kindf(derrors.Invalid, "input %s: %d invalid cell(s): %s%s", path, n, strings.Join(probs, "; "), more)
}

var (
	reYear = regexp.MustCompile(`^[0-9]{4}$`)
	reISO3 = regexp.MustCompile(`^[A-Z]{3}$`)
)

// inputValueOK reports whether v is one of the column's CTDC values (or
// missing).
func inputValueOK(col, v string) bool {
	if v == "" {
		return true
	}
	switch kindOf(col) {
	case kindYear:
		return reYear.MatchString(v)
	case kindCountry:
		return reISO3.MatchString(v)
	case kindFlag:
		return v == "1"
	default:
		return slices.Contains(closedValues[col], v)
	}
}
