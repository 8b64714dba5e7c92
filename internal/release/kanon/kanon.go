// Package kanon k-anonymises microdata by full-domain generalisation with
// hierarchies and record suppression, optionally with distinct
// l-diversity on one sensitive attribute. It searches the lattice of
// generalisation levels for the transformation that minimises a utility
// metric, in the manner of ARX's Flash algorithm (Kohlmayer et al.,
// "Flash: Efficient, Stable and Optimal K-Anonymity", 2012), and reports
// ARX's utility metrics (see Metrics).
//
// Privacy model: a transformation (one level per quasi-identifier) is
// acceptable when the records in equivalence classes with fewer than K
// members, or with fewer than L distinct non-missing sensitive values,
// number at most floor(MaxSuppression × n). Those records are suppressed:
// removed from the output table. Missing cells ("") stay missing at every
// level and so form classes of their own.
//
// Monotonicity: generalising merges classes; a class that satisfies the
// model still does after merging (it only grows and gains sensitive
// values), so the set of suppressed records can only shrink. Hence the
// model, including distinct l-diversity with suppression, is monotone:
// if a node is acceptable so are all its generalisations. This holds for
// distinct l-diversity only; entropy or recursive (c,l)-diversity are not
// monotone under merging and are not offered. The metrics are not
// monotone under suppression (generalising may cut suppression and so
// lower the loss), which is why the search uses lower bounds rather than
// stopping at the first acceptable nodes.
package kanon

import (
	"fmt"
	"math"
	"slices"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// Metric names accepted in Params.Metric.
const (
	metricLoss           = "loss"
	metricDiscernibility = "discernibility"
	metricEntropy        = "entropy"
)

// maxLattice bounds the lattice so a mistaken set of hierarchies fails
// fast instead of exhausting memory.
const maxLattice = 1 << 22

// Params configures Anonymise and Measure.
type Params struct {
	// K is the minimum equivalence-class size, at least 1.
	K int
	// QuasiIdentifiers are the columns to generalise, each with its hierarchy.
	QuasiIdentifiers []Hierarchy
	// MaxSuppression is the fraction of records, in [0, 1], that may be
	// suppressed (e.g. 0.02).
	MaxSuppression float64
	// Sensitive optionally names a column that must be distinct
	// l-diverse in every kept class; it must not be a quasi-identifier.
	Sensitive string
	// L is the number of distinct sensitive values required, used with Sensitive.
	L int
	// Metric is what the search minimises: "loss" (the default),
	// "discernibility" or "entropy" (non-uniform entropy).
	Metric string
}

// Result is the optimal transformation and its output.
type Result struct {
	// Levels is the chosen hierarchy level per quasi-identifier column.
	Levels map[string]int
	// Table is the anonymised microdata: quasi-identifiers generalised,
	// suppressed records removed (not starred), other columns as given,
	// rows in input order.
	Table *table.Table
	// Suppressed is the number of records removed.
	Suppressed int
	// Classes is the number of equivalence classes in Table.
	Classes int
	// MinClassSize is the size of the smallest class in Table (0 if empty).
	MinClassSize int
	// Metrics are the utility metrics of the transformation.
	Metrics Metrics
	// Checked is the number of lattice nodes whose class table was computed.
	Checked int
	// Lattice is the number of nodes in the generalisation lattice.
	Lattice int
}

// Anonymise finds the transformation that satisfies p with the least
// value of p.Metric among all satisfying lattice nodes and applies it to
// t. Ties (metrics within a relative 1e-9) go to the node with the
// smaller sum of levels, then to the smaller level vector read with the
// last QI most significant, so the result is deterministic. Errors wrap
// derrors.Invalid and name the parameter or column at fault, including
// when no transformation satisfies p; a lattice over 2^22 nodes is
// derrors.TooLarge.
func Anonymise(t *table.Table, p Params) (Result, error) {
	if err := validateParams(t, p); err != nil {
		return Result{}, err
	}
	d, err := encode(t, p)
	if err != nil {
		return Result{}, err
	}
	s := newSearch(d, metricOf(p))
	best := s.run()
	if best < 0 {
		return Result{}, derrors.Kindf(derrors.Invalid,
			"parameters K, L, MaxSuppression: no transformation makes the data %d-anonymous%s with at most %d suppressed records (MaxSuppression %g); raise MaxSuppression or lower K/L",
			p.K, lDesc(p), d.maxSupp, p.MaxSuppression)
	}
	lv := s.lat.levels(best, nil)
	res := d.apply(lv)
	res.Checked, res.Lattice = s.checked, s.lat.size
	res.Levels = make(map[string]int, d.q)
	for j, qc := range d.qis {
		res.Levels[qc.column] = lv[j]
	}
	return res, nil
}

// lDesc describes the l-diversity requirement for error messages.
func lDesc(p Params) string {
	if p.Sensitive == "" {
		return ""
	}
	return fmt.Sprintf(" and distinct %d-diverse in %q", p.L, p.Sensitive)
}

// metricOf applies the default metric.
func metricOf(p Params) string {
	if p.Metric == "" {
		return metricLoss
	}
	return p.Metric
}

// validateParams checks everything that does not need the encoding.
func validateParams(t *table.Table, p Params) error {
	if t == nil {
		return derrors.Kindf(derrors.Invalid, "parameter table: is nil")
	}
	if p.K < 1 {
		return derrors.Kindf(derrors.Invalid, "parameter K: must be at least 1 (got %d)", p.K)
	}
	if math.IsNaN(p.MaxSuppression) || p.MaxSuppression < 0 || p.MaxSuppression > 1 {
		return derrors.Kindf(derrors.Invalid, "parameter MaxSuppression: must be in [0, 1] (got %g)", p.MaxSuppression)
	}
	switch p.Metric {
	case "", metricLoss, metricDiscernibility, metricEntropy:
	default:
		return derrors.Kindf(derrors.Invalid, "parameter Metric: %q is not one of loss, discernibility, entropy", p.Metric)
	}
	if len(p.QuasiIdentifiers) == 0 {
		return derrors.Kindf(derrors.Invalid, "parameter QuasiIdentifiers: at least one is required")
	}
	size := 1
	var cols []string
	for _, h := range p.QuasiIdentifiers {
		if slices.Contains(cols, h.Column) {
			return derrors.Kindf(derrors.Invalid, "parameter QuasiIdentifiers: column %q appears twice", h.Column)
		}
		if t.Index(h.Column) < 0 {
			return derrors.Kindf(derrors.Invalid, "parameter QuasiIdentifiers: column %q is not in the table", h.Column)
		}
		cols = append(cols, h.Column)
		size *= max(len(h.Levels), 1)
		if size > maxLattice {
			return derrors.Kindf(derrors.TooLarge, "parameter QuasiIdentifiers: the lattice exceeds %d nodes", maxLattice)
		}
	}
	return validateSensitive(t, p, cols)
}

// validateSensitive checks Sensitive and L together: each needs the other.
func validateSensitive(t *table.Table, p Params, qis []string) error {
	if p.Sensitive == "" {
		if p.L > 1 {
			return derrors.Kindf(derrors.Invalid, "parameter Sensitive: required when L is %d", p.L)
		}
		return nil
	}
	if t.Index(p.Sensitive) < 0 {
		return derrors.Kindf(derrors.Invalid, "parameter Sensitive: column %q is not in the table", p.Sensitive)
	}
	if slices.Contains(qis, p.Sensitive) {
		return derrors.Kindf(derrors.Invalid, "parameter Sensitive: column %q is also a quasi-identifier", p.Sensitive)
	}
	if p.L < 1 {
		return derrors.Kindf(derrors.Invalid, "parameter L: must be at least 1 with Sensitive (got %d)", p.L)
	}
	return nil
}

// apply generalises the table at lv and removes suppressed records.
func (d *dataset) apply(lv []int) Result {
	member := make([]int32, d.n)
	ct := d.rollup(d.records, lv, member)
	a := d.assess(ct)
	keep := make([]bool, ct.len())
	for c := range keep {
		keep[c] = d.kept(ct, c)
	}
	out := &table.Table{Columns: slices.Clone(d.t.Columns), Rows: make([][]string, 0, d.n-a.suppressed)}
	w := len(d.t.Columns)
	cells := make([]string, (d.n-a.suppressed)*w) // one allocation for all output rows
	for i, r := range d.t.Rows {
		if !keep[member[i]] {
			continue
		}
		row := cells[:w:w]
		cells = cells[w:]
		copy(row, r)
		rep := d.records.reps[i*d.q : (i+1)*d.q]
		for j, qc := range d.qis {
			row[qc.col] = qc.labels[lv[j]][qc.gen[lv[j]][rep[j]]]
		}
		out.Rows = append(out.Rows, row)
	}
	return Result{Table: out, Suppressed: a.suppressed, Classes: a.classes, MinClassSize: a.minSize, Metrics: a.metrics}
}

// tolerance is the slack for comparing float metrics: values this close
// are ties, so summation order cannot make a bound prune the optimum.
func tolerance(best float64) float64 { return 1e-9 * math.Max(1, math.Abs(best)) }
