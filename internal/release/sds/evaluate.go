package sds

import (
	"math"
	"slices"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// Report holds SDS's utility and privacy metrics of a release. The
// "target" counts are those of the synthetic table, or, when no synthetic
// table is given, the released aggregate counts (Source says which). All
// combinations considered have length 1..ReportingLength.
//
// Definitions (S = sensitive count, T = target count, r = resolution; a
// "reportable" combination is a sensitive one with S >= r):
//
//   - Preservation: Σ T / Σ S over reportable combinations (T = 0 when the
//     target lacks the combination): the share of the sensitive counts the
//     release reproduces (SDS's count preservation; >1 means inflation).
//   - MeanProportionalError: mean of |T − S| / S over reportable
//     combinations.
//   - MeanAbsoluteError: mean of |T − S| over reportable combinations and
//     target combinations (so fabricated ones count too).
//   - SuppressedPercent: 100 × reportable combinations absent from the
//     target / reportable combinations. Rare ones (S < r) are meant to be
//     suppressed and are not counted here.
//   - FabricatedPercent: 100 × target combinations with S = 0 / target
//     combinations.
//   - Leakage: target combinations with 0 < S < r, i.e. rare sensitive
//     combinations reproduced. It must be 0 for a k-anonymous release.
//   - RecordExpansion: synthetic records / sensitive records (released
//     Total / sensitive records without a synthetic table).
//
// ByLength breaks these down per combination length; ByBucket per bucket
// of sensitive count [r·2^i, r·2^(i+1)) for reportable combinations.
type Report struct {
	Source                string          `json:"source"` // "synthetic" or "aggregates"
	ReportingLength       int             `json:"reportingLength"`
	Resolution            int             `json:"resolution"`
	SensitiveRecords      int             `json:"sensitiveRecords"`
	TargetRecords         int             `json:"targetRecords"`
	RecordExpansion       float64         `json:"recordExpansion"`
	Preservation          float64         `json:"preservation"`
	MeanProportionalError float64         `json:"meanProportionalError"`
	MeanAbsoluteError     float64         `json:"meanAbsoluteError"`
	SuppressedPercent     float64         `json:"suppressedPercent"`
	FabricatedPercent     float64         `json:"fabricatedPercent"`
	Leakage               int             `json:"leakage"`
	ByLength              []GroupMetrics  `json:"byLength"`
	ByBucket              []BucketMetrics `json:"byBucket"`
}

// GroupMetrics are the metrics of one group of combinations (all, one
// length). Counts of combinations are distinct combinations.
type GroupMetrics struct {
	Length                int     `json:"length,omitempty"` // 0 for all lengths
	Sensitive             int     `json:"sensitive"`        // distinct sensitive combinations
	Reportable            int     `json:"reportable"`       // of which S >= r
	Target                int     `json:"target"`           // distinct target combinations
	Suppressed            int     `json:"suppressed"`
	Fabricated            int     `json:"fabricated"`
	Leakage               int     `json:"leakage"`
	Preservation          float64 `json:"preservation"`
	MeanProportionalError float64 `json:"meanProportionalError"`
	MeanAbsoluteError     float64 `json:"meanAbsoluteError"`
	SuppressedPercent     float64 `json:"suppressedPercent"`
	FabricatedPercent     float64 `json:"fabricatedPercent"`
}

// BucketMetrics are the metrics of the reportable combinations whose
// sensitive count is in [Lower, Upper).
type BucketMetrics struct {
	Lower                 int     `json:"lower"`
	Upper                 int     `json:"upper"`
	Combinations          int     `json:"combinations"`
	MeanLength            float64 `json:"meanLength"`
	Preservation          float64 `json:"preservation"`
	MeanProportionalError float64 `json:"meanProportionalError"`
}

// acc accumulates one group's sums.
type acc struct {
	g                        GroupMetrics
	sumS, sumT, sumPE, sumAE float64
	nAE                      int
	sumLen                   float64
}

// Evaluate compares a release with the sensitive data it came from (see
// Report for the metrics). synthetic may be nil for an aggregates-only
// release. The sensitive table must hold the release's columns; the
// synthetic table too.
func Evaluate(sensitive *table.Table, released *Aggregates, synthetic *table.Table, reportingLength, resolution int) (Report, error) {
	if err := checkTable(sensitive); err != nil {
		return Report{}, err
	}
	if err := checkAggregates(released); err != nil {
		return Report{}, err
	}
	if reportingLength < 1 {
		return Report{}, derrors.Kindf(derrors.Invalid, "reportingLength: must be >= 1, got %d", reportingLength)
	}
	if resolution < 1 {
		return Report{}, derrors.Kindf(derrors.Invalid, "resolution: must be >= 1, got %d", resolution)
	}
	sens, err := sensitive.Select(released.Columns...)
	if err != nil {
		return Report{}, err
	}
	var syn *table.Table
	if synthetic != nil {
		if err := checkTable(synthetic); err != nil {
			return Report{}, err
		}
		if syn, err = synthetic.Select(released.Columns...); err != nil {
			return Report{}, err
		}
	}
	return evaluate(sens, released, syn, reportingLength, resolution)
}

func evaluate(sens *table.Table, rel *Aggregates, syn *table.Table, L, res int) (Report, error) {
	values := tableValues(sens)
	for i, ag := range rel.Items {
		for _, it := range ag.Combo {
			j := slices.Index(rel.Columns, it.Column)
			if j < 0 || it.Value == "" {
				return Report{}, derrors.Kindf(derrors.Invalid, "aggregates.items[%d]: item %s:%q is not a column value", i, it.Column, it.Value)
			}
			values[j][it.Value] = struct{}{}
		}
	}
	if syn != nil {
		for j, set := range tableValues(syn) {
			for v := range set {
				values[j][v] = struct{}{}
			}
		}
	}
	e := newEncoder(rel.Columns, values)
	if err := e.checkLength(L); err != nil {
		return Report{}, err
	}
	cnt := &counter{e: e, minLen: 1, maxLen: L}
	sc := cnt.count(e.encodeRows(sens, identity(len(rel.Columns)))).toMap()
	rep := Report{Source: "aggregates", ReportingLength: L, Resolution: res, SensitiveRecords: len(sens.Rows), TargetRecords: rel.Total}
	tc := map[uint64]float64{}
	if syn != nil {
		rep.Source, rep.TargetRecords = "synthetic", len(syn.Rows)
		sy := cnt.count(e.encodeRows(syn, identity(len(rel.Columns))))
		for i, k := range sy.keys {
			tc[k] = float64(sy.n[i])
		}
	} else {
		ids := make([]uint32, 0, L)
		for _, ag := range rel.Items {
			if len(ag.Combo) > L || ag.Count <= 0 {
				continue
			}
			ids = ids[:0]
			for _, it := range ag.Combo {
				ids = append(ids, e.ids[slices.Index(rel.Columns, it.Column)][it.Value])
			}
			slices.Sort(ids)
			tc[e.pack(ids)] = ag.Count
		}
	}
	if rep.SensitiveRecords > 0 {
		rep.RecordExpansion = float64(rep.TargetRecords) / float64(rep.SensitiveRecords)
	}
	fillMetrics(&rep, e, sc, tc, L, float64(res))
	return rep, nil
}

// fillMetrics accumulates every combination into its length group, the
// overall group and, if reportable, its count bucket.
func fillMetrics(rep *Report, e *encoder, sc map[uint64]uint32, tc map[uint64]float64, L int, r float64) {
	all := &acc{}
	byLen := make([]*acc, L+1)
	for l := range byLen {
		byLen[l] = &acc{g: GroupMetrics{Length: l}}
	}
	var buckets []*acc
	for k, n := range sc {
		s := float64(n)
		t := tc[k]
		l := e.keyLen(k)
		for _, a := range []*acc{all, byLen[l]} {
			a.addSensitive(s, t, r)
		}
		if s >= r {
			b := int(math.Log2(s / r))
			for len(buckets) <= b {
				buckets = append(buckets, &acc{})
			}
			buckets[b].addSensitive(s, t, r)
			buckets[b].sumLen += float64(l)
		}
	}
	for k, t := range tc {
		s := float64(sc[k])
		for _, a := range []*acc{all, byLen[e.keyLen(k)]} {
			a.addTarget(s, t, r)
		}
	}
	g := all.finish()
	rep.Preservation, rep.MeanProportionalError, rep.MeanAbsoluteError = g.Preservation, g.MeanProportionalError, g.MeanAbsoluteError
	rep.SuppressedPercent, rep.FabricatedPercent, rep.Leakage = g.SuppressedPercent, g.FabricatedPercent, g.Leakage
	for _, a := range byLen[1:] {
		rep.ByLength = append(rep.ByLength, a.finish())
	}
	for i, a := range buckets {
		lo := int(r) << i
		bm := BucketMetrics{Lower: lo, Upper: 2 * lo}
		if a.g.Reportable > 0 {
			g := a.finish()
			bm.Combinations, bm.Preservation, bm.MeanProportionalError = g.Reportable, g.Preservation, g.MeanProportionalError
			bm.MeanLength = a.sumLen / float64(g.Reportable)
		}
		rep.ByBucket = append(rep.ByBucket, bm)
	}
}

// addSensitive records a sensitive combination of count s (target t).
func (a *acc) addSensitive(s, t, r float64) {
	a.g.Sensitive++
	if s < r {
		return
	}
	a.g.Reportable++
	a.sumS += s
	a.sumT += t
	a.sumPE += math.Abs(t-s) / s
	a.sumAE += math.Abs(t - s)
	a.nAE++
	if t == 0 {
		a.g.Suppressed++
	}
}

// addTarget records a target combination of count t (sensitive s).
func (a *acc) addTarget(s, t, r float64) {
	a.g.Target++
	switch {
	case s == 0:
		a.g.Fabricated++
	case s < r:
		a.g.Leakage++
	default:
		return // already counted as reportable
	}
	a.sumAE += math.Abs(t - s)
	a.nAE++
}

// finish turns the sums into means and percentages (0 when undefined).
func (a *acc) finish() GroupMetrics {
	g := a.g
	div := func(x float64, n int) float64 {
		if n == 0 {
			return 0
		}
		return x / float64(n)
	}
	if a.sumS > 0 {
		g.Preservation = a.sumT / a.sumS
	}
	g.MeanProportionalError = div(a.sumPE, g.Reportable)
	g.MeanAbsoluteError = div(a.sumAE, a.nAE)
	g.SuppressedPercent = 100 * div(float64(g.Suppressed), g.Reportable)
	g.FabricatedPercent = 100 * div(float64(g.Fabricated), g.Target)
	return g
}
