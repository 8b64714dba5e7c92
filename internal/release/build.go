package release

import (
	"fmt"
	"slices"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/kanon"
	"github.com/corridor-platform/corridor/internal/release/sds"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// DefaultQuasiIdentifiers are the CTDC columns kanon generalises when none
// are named: those a person's identity could be linked on.
var DefaultQuasiIdentifiers = []string{ColYear, ColGender, ColAge, ColCitizenship, ColCountryOfExploit, ColTraffickMonths}

// Source is the input of a build.
type Source struct {
	Table *table.Table // in the CTDC global schema (CTDCColumns)
	Input Input
	// Counts of cases left out for lack of consent (input from cases).
	ExcludedNoConsent, ExcludedWithdrawn int
	// Countries place ISO3 codes in M49 sub-regions and regions (kanon).
	Countries []CountryArea
}

// Built is a release computed in memory, ready for WriteRelease.
type Built struct {
	Manifest   Manifest
	Aggregates *table.Table // nil for kanon
	Records    *table.Table // nil for aggregate releases
	Report     Report
	total      int // the released total of Aggregates
}

// Report is report.json: the method's utility and risk measures.
type Report struct {
	Method Method `json:"method"`
	// Aggregates: SDS's measures of the released aggregates or synthetic
	// records against the input (sds.Evaluate).
	Aggregates *sds.Report `json:"aggregates,omitempty"`
	// Budget is how a differentially private release spent (ε, δ).
	Budget *sds.Budget `json:"budget,omitempty"`
	// KAnon: ARX's measures and the search of a kanon release.
	KAnon *KAnonReport `json:"kanon,omitempty"`
	// Seconds is how long the method took (evaluation not included).
	Seconds float64 `json:"seconds"`
}

// KAnonReport describes a kanon release. The metrics are kanon's (ARX's),
// over the n input records and the quasi-identifier columns, with a
// missing cell treated as a value of its column's domain, as the
// hierarchies of release.json have it (a key "" that stays "" below the
// top level and becomes "*" at it). So Loss, the mean over the n×q cells,
// is what one recomputes from release.json and records.csv: a released
// value covering s of the D keys of its column's hierarchy ("" included)
// loses (s−1)/(D−1), a released "" loses 0 (a missing cell generalised
// to "*" loses 1, as the released "*" no longer says it was missing), and
// every cell of a suppressed record loses 1.
type KAnonReport struct {
	Levels         map[string]int `json:"levels"`
	Suppressed     int            `json:"suppressed"`
	Classes        int            `json:"classes"`
	MinClassSize   int            `json:"minClassSize"`
	Discernibility float64        `json:"discernibility"`
	Entropy        float64        `json:"nonUniformEntropy"`
	Loss           float64        `json:"loss"`
	Precision      float64        `json:"precision"`
	NodesChecked   int            `json:"nodesChecked"`
	LatticeSize    int            `json:"latticeSize"`
}

// Build computes a release of src with the parameters p. Errors wrap
// derrors.Invalid (bad parameters, an input not in the CTDC schema, no
// transformation satisfying k) or derrors.TooLarge (a lattice or key too
// large).
func Build(src Source, p Params, card DataCard, version string) (_ Built, err error) {
	defer derrors.Wrap(&err, "release.Build(%s)", p.Method)
	if err := p.Validate(); err != nil {
		return Built{}, err
	}
	if src.Table == nil {
		return Built{}, derrors.Kindf(derrors.Invalid, "input: no records: no case in scope (the cases of the builder's organisation, team or own, as the role allows) has a consent to statistical use")
	}
	// Too few records to release anything: say so before building a
	// release that would hold nothing but a rounded-away total.
	if need := max(p.K, p.Resolution, 2); len(src.Table.Rows) < need {
		return Built{}, derrors.Kindf(derrors.Invalid, "input: %d records (consenting cases in scope); this release needs at least %d", len(src.Table.Rows), need)
	}
	if err := p.checkDelta(len(src.Table.Rows)); err != nil {
		return Built{}, err
	}
	cols := p.QuasiIdentifiers
	if p.Method != MethodKAnon && len(cols) == 0 {
		cols = CTDCColumns
	}
	b := Built{Report: Report{Method: p.Method}}
	start := time.Now()
	switch p.Method {
	case MethodKAnonAggregates, MethodDPAggregates, MethodSynthetic:
		err = b.aggregate(src.Table, cols, p)
	case MethodKAnon:
		err = b.kanon(src, p)
	default:
		err = derrors.Kindf(derrors.Invalid, "method: unknown %q", p.Method)
	}
	if err != nil {
		return Built{}, err
	}
	b.Report.Seconds = time.Since(start).Seconds()
	created := time.Now().UTC().Truncate(time.Second)
	if card.Publisher == "" {
		card.Publisher = "Corridor"
	}
	if card.Citation == "" {
		card.Citation = fmt.Sprintf("%s (%d). %s (%s release of %s).", card.Publisher, created.Year(), card.Title, p.Method,
			created.Format("2 January 2006"))
	}
	b.Manifest = Manifest{FormatVersion: FormatVersion, Method: p.Method, Params: p, Input: src.Input, Mapping: CTDCMapping,
		Created: created, ProgramVersion: version, DataCard: card,
		Counts: Counts{ExcludedNoConsent: src.ExcludedNoConsent, ExcludedWithdrawn: src.ExcludedWithdrawn, InputRecords: len(src.Table.Rows)}}
	if b.Records != nil {
		b.Manifest.Counts.ReleasedRecords = len(b.Records.Rows)
		if p.Method == MethodSynthetic {
			b.Manifest.Counts.SyntheticRecords = len(b.Records.Rows)
		}
	}
	if b.Aggregates != nil {
		b.Manifest.Counts.AggregateRows = len(b.Aggregates.Rows)
		b.Manifest.Counts.ReleasedTotal = b.total
	}
	if k := b.Report.KAnon; k != nil {
		b.Manifest.Counts.SuppressedRecords = k.Suppressed
		b.Manifest.LevelsUsed = k.Levels
		b.Manifest.Hierarchies = src.hierarchies(p.QuasiIdentifiers)
	}
	return b, nil
}

// aggregate builds the aggregate methods and synthetic records: k-anonymous
// aggregates, or differentially private ones when ε is given.
func (b *Built) aggregate(t *table.Table, cols []string, p Params) error {
	in, err := t.Select(cols...)
	if err != nil {
		return err
	}
	var agg *sds.Aggregates
	if p.Method == MethodDPAggregates || (p.Method == MethodSynthetic && p.Epsilon > 0) {
		var budget sds.Budget
		agg, budget, err = sds.DPAggregates(in, sds.DPParams{ReportingLength: p.ReportingLength, Epsilon: p.Epsilon, Delta: p.Delta,
			PercentilePercentage: 99, PercentileEpsilonProportion: 0.01, Resolution: max(p.Resolution, 1)}, p.Seed)
		b.Report.Budget = &budget
	} else {
		agg, err = sds.KAnonAggregates(in, sds.KAnonParams{ReportingLength: p.ReportingLength, Resolution: p.Resolution})
	}
	if err != nil {
		return err
	}
	if len(agg.Items) == 0 {
		return derrors.Kindf(derrors.Invalid, "input: %d records, but every attribute value is rarer than the resolution (%d): nothing would be released", len(t.Rows), p.Resolution)
	}
	b.Aggregates, b.total = AggregateTable(agg), agg.Total
	var synthetic *table.Table
	if p.Method == MethodSynthetic {
		if synthetic, err = sds.Synthesize(agg, sds.SynthParams{Seed: p.Seed}); err != nil {
			return err
		}
		b.Records = synthetic
	}
	rep, err := sds.Evaluate(in, agg, synthetic, p.ReportingLength, max(p.Resolution, 1))
	if err != nil {
		return err
	}
	b.Report.Aggregates = &rep
	return nil
}

// AggregateTable is aggregates.csv: one column per attribute and count;
// an empty attribute is not part of the combination; the first row, all
// attributes empty, is the total.
func AggregateTable(a *sds.Aggregates) *table.Table {
	t := &table.Table{Columns: append(slices.Clone(a.Columns), CountColumn)}
	pos := map[string]int{}
	for j, c := range a.Columns {
		pos[c] = j
	}
	row := func(items sds.Combination, count float64) []string {
		r := make([]string, len(t.Columns))
		for _, it := range items {
			r[pos[it.Column]] = it.Value
		}
		r[len(r)-1] = fmt.Sprint(int64(count))
		return r
	}
	t.Rows = append(t.Rows, row(nil, float64(a.Total)))
	for _, it := range a.Items {
		t.Rows = append(t.Rows, row(it.Combo, it.Count))
	}
	return t
}

// missingValue stands for a missing quasi-identifier during the search:
// the kanon package keeps "" apart at every level, but a missing value
// must generalise to "*" like any other, or the rare records with missing
// fields could never join a class of k.
const missingValue = "\x00missing"

// kanon builds k-anonymous microdata with the CTDC hierarchies.
func (b *Built) kanon(src Source, p Params) error {
	var qis []kanon.Hierarchy
	for _, h := range src.hierarchies(p.QuasiIdentifiers) {
		kh, err := toKAnon(h)
		if err != nil {
			return err
		}
		qis = append(qis, kh)
	}
	in := mapCells(src.Table, p.QuasiIdentifiers, "", missingValue)
	res, err := kanon.Anonymise(in, kanon.Params{K: p.K, QuasiIdentifiers: qis, MaxSuppression: p.MaxSuppression,
		Sensitive: p.Sensitive, L: p.L})
	if err != nil {
		return err
	}
	b.Records = mapCells(res.Table, p.QuasiIdentifiers, missingValue, "")
	b.Report.KAnon = &KAnonReport{Levels: res.Levels, Suppressed: res.Suppressed, Classes: res.Classes, MinClassSize: res.MinClassSize,
		Discernibility: res.Metrics.Discernibility, Entropy: res.Metrics.NonUniformEntropy, Loss: res.Metrics.Loss,
		Precision: res.Metrics.Precision, NodesChecked: res.Checked, LatticeSize: res.Lattice}
	return nil
}

// hierarchies are the CTDC hierarchies of the named columns, years
// spanning the input's.
func (src Source) hierarchies(cols []string) []Hierarchy {
	from, to := 2000, time.Now().Year()
	if ys, err := src.Table.Column(ColYear); err == nil {
		first := true
		for _, y := range ys {
			var n int
			if _, err := fmt.Sscanf(y, "%d", &n); err != nil || len(y) != 4 {
				continue
			}
			if first || n < from {
				from = n
			}
			if first || n > to {
				to = n
			}
			first = false
		}
	}
	// A code the reference does not place (CTDC's data may hold codes
	// Corridor's reference lacks) generalises to the unknown groups.
	countries := slices.Clone(src.Countries)
	known := map[string]bool{}
	for _, c := range countries {
		known[c.ISO3] = true
	}
	for _, col := range []string{ColCitizenship, ColCountryOfExploit} {
		vs, _ := src.Table.Column(col)
		for _, v := range vs {
			if v != "" && !known[v] {
				known[v] = true
				countries = append(countries, CountryArea{ISO3: v})
			}
		}
	}
	var out []Hierarchy
	for _, h := range Hierarchies(countries, from, to) {
		if slices.Contains(cols, h.Column) {
			out = append(out, h)
		}
	}
	return out
}

// toKAnon converts a hierarchy to the kanon package's form, a missing
// value written missingValue: itself below the top level, "*" at it.
func toKAnon(h Hierarchy) (kanon.Hierarchy, error) {
	levels := make([]map[string]string, len(h.Levels))
	for i, l := range h.Levels {
		m := make(map[string]string, len(l))
		for k, v := range l {
			if k != "" {
				m[k] = v
			}
		}
		m[missingValue] = missingValue
		if i == len(h.Levels)-1 {
			m[missingValue] = Suppressed
		}
		levels[i] = m
	}
	return kanon.NewHierarchy(h.Column, levels...)
}

// mapCells returns a copy of t with the value from replaced by to in the
// named columns.
func mapCells(t *table.Table, cols []string, from, to string) *table.Table {
	var idx []int
	for _, c := range cols {
		if j := t.Index(c); j >= 0 {
			idx = append(idx, j)
		}
	}
	out := &table.Table{Columns: t.Columns, Rows: make([][]string, len(t.Rows))}
	for i, r := range t.Rows {
		r = slices.Clone(r)
		for _, j := range idx {
			if r[j] == from {
				r[j] = to
			}
		}
		out.Rows[i] = r
	}
	return out
}
