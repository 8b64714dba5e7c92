package kanon

import (
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// Metrics are ARX's utility metrics of one transformation; lower is better
// for all of them. With n records, q quasi-identifiers and suppressed
// records removed from the output:
//
//   - Discernibility: the sum over kept equivalence classes of the squared
//     class size, plus n for every suppressed record (each suppressed
//     record is indistinguishable from all n).
//   - NonUniformEntropy: ARX's non-uniform entropy, the sum over records
//     and QIs of −log2(count(original value) / count(records whose value
//     generalises to the same value)), counts taken over the whole input.
//     A suppressed record counts as generalised to "*", i.e. its term is
//     −log2(count(original value)/n). Missing cells stay missing, so a
//     kept missing cell contributes 0.
//   - Loss: ARX's "Loss" metric for hierarchies. A cell generalised to a
//     value covering s of the QI's D domain values (the hierarchy's keys)
//     loses (s−1)/(D−1); a kept missing cell loses 0; every cell of a
//     suppressed record loses 1. Loss is the mean over the n×q cells, so
//     0 is the original data and 1 everything suppressed. D counts the
//     hierarchy's keys, so a caller that makes missing a value of the
//     domain (a key, as package release does, mapped to itself below the
//     top level and to "*" at it) gets ARX's treatment of missing values:
//     D includes it, a missing cell loses 0 while it stays missing and 1
//     once generalised to "*".
//   - Precision: Sweeney's height-based precision loss, the mean over cells
//     of level/(levels−1), with suppressed cells 1.
type Metrics struct {
	Discernibility    float64
	NonUniformEntropy float64
	Loss              float64
	Precision         float64
}

// assessment is what evaluating a node yields.
type assessment struct {
	ok         bool // at most maxSupp suppressed records
	suppressed int
	classes    int // kept classes
	minSize    int // smallest kept class
	sumSqAll   float64
	metrics    Metrics
}

// assess derives suppression and every metric from a node's class table:
// records in classes with fewer than k members or fewer than l distinct
// sensitive values are suppressed. Only suppressed classes need a pass;
// the unsuppressed parts of loss and entropy come from per-level sums.
func (d *dataset) assess(ct *classTable) assessment {
	var a assessment
	var sumSqKept, extraLoss, extraEnt float64
	lv := ct.levels
	for c, cnt32 := range ct.counts {
		cnt := float64(cnt32)
		a.sumSqAll += cnt * cnt
		if d.kept(ct, c) {
			sumSqKept += cnt * cnt
			a.classes++
			if a.minSize == 0 || int(cnt32) < a.minSize {
				a.minSize = int(cnt32)
			}
			continue
		}
		a.suppressed += int(cnt32)
		rep := ct.reps[c*d.q : (c+1)*d.q]
		for j, qc := range d.qis {
			g := qc.gen[lv[j]][rep[j]]
			extraLoss += cnt * (1 - qc.cellLoss[lv[j]][g])
			extraEnt += cnt * qc.suppEnt[lv[j]][g]
		}
	}
	a.ok = a.suppressed <= d.maxSupp
	n, s := float64(d.n), float64(a.suppressed)
	a.metrics.Discernibility = sumSqKept + s*n
	var lsum, esum, prec float64
	for j, qc := range d.qis {
		lsum += qc.lossSum[lv[j]]
		esum += qc.entSum[lv[j]]
		prec += float64(lv[j]) / float64(d.heights[j]-1)
	}
	a.metrics.NonUniformEntropy = esum + extraEnt
	if cells := n * float64(d.q); cells > 0 {
		a.metrics.Loss = (lsum + extraLoss) / cells
		a.metrics.Precision = (prec*(n-s) + s*float64(d.q)) / cells
	}
	return a
}

// lowerBound is a cheap bound on the chosen metric at lv that never
// exceeds the true value and never decreases under generalisation, so a
// node whose bound exceeds the best value found can be skipped together
// with all its generalisations. For loss and entropy it is the metric
// without suppression (suppressing a cell never lowers its term); for
// discernibility it is n²/(maximum number of classes), since suppressed
// records cost n ≥ their class size.
func (d *dataset) lowerBound(metric string, lv []int) float64 {
	switch metric {
	case metricDiscernibility:
		if d.n == 0 {
			return 0
		}
		n := float64(d.n)
		return n * n / float64(d.maxClasses(lv))
	case metricEntropy:
		var s float64
		for j, qc := range d.qis {
			s += qc.entSum[lv[j]]
		}
		return s
	default:
		var s float64
		for j, qc := range d.qis {
			s += qc.lossSum[lv[j]]
		}
		if d.n == 0 {
			return 0
		}
		return s / (float64(d.n) * float64(d.q))
	}
}

// value picks the metric the search minimises.
func (m Metrics) value(metric string) float64 {
	switch metric {
	case metricDiscernibility:
		return m.Discernibility
	case metricEntropy:
		return m.NonUniformEntropy
	default:
		return m.Loss
	}
}

// Measure returns the metrics of the transformation that generalises
// original's quasi-identifiers to levels (one entry per QI column) and
// suppresses the records of classes smaller than p.K (or, with
// p.Sensitive, with fewer than p.L distinct sensitive values).
// MaxSuppression is not enforced: Measure reports, it does not judge.
// If anonymised is non-nil its row count must equal the records the
// transformation keeps, a cheap check that it came from this
// transformation.
func Measure(original, anonymised *table.Table, p Params, levels map[string]int) (Metrics, error) {
	if err := validateParams(original, p); err != nil {
		return Metrics{}, err
	}
	d, err := encode(original, p)
	if err != nil {
		return Metrics{}, err
	}
	lv := make([]int, d.q)
	for j, h := range p.QuasiIdentifiers {
		x, ok := levels[h.Column]
		if !ok || x < 0 || x >= len(h.Levels) {
			return Metrics{}, derrors.Kindf(derrors.Invalid, "parameter levels: column %q needs a level in 0..%d (got %d, present %v)", h.Column, len(h.Levels)-1, x, ok)
		}
		lv[j] = x
	}
	a := d.assess(d.rollup(d.records, lv, nil))
	if anonymised != nil && len(anonymised.Rows) != d.n-a.suppressed {
		return Metrics{}, derrors.Kindf(derrors.Invalid, "parameter anonymised: has %d rows, but the transformation keeps %d of %d", len(anonymised.Rows), d.n-a.suppressed, d.n)
	}
	return a.metrics, nil
}
