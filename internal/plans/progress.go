package plans

import "math"

// Progress statuses.
const (
	OnTrack  = "on-track"
	AtRisk   = "at-risk"
	OffTrack = "off-track"
	NoData   = "no-data" // no measurement after the baseline year
)

// The thresholds of the progress statuses, as shares of the progress
// expected by the latest measurement's year on the straight line from the
// baseline to the target:
//
//   - on track: at least OnTrackRatio of the expected progress made, or the
//     target already met (at or beyond it in the target's direction);
//   - at risk: at least AtRiskRatio of it;
//   - off track: less than AtRiskRatio (no progress, or movement away from
//     the target, is a negative ratio).
const (
	OnTrackRatio = 0.95
	AtRiskRatio  = 0.75
)

// Progress is where a linked indicator stands.
type Progress struct {
	Status string `json:"status"`
	// Latest is the most recent measurement after the baseline year;
	// nil with NoData.
	Latest *Measurement `json:"latest,omitempty"`
	// Expected is the value on the straight line from the baseline to the
	// target in the latest measurement's year (the target itself from the
	// target year on).
	Expected *float64 `json:"expected,omitempty"`
	// Ratio is (latest − baseline) / (expected − baseline): 1 is exactly
	// on the path, 0 no change since the baseline, negative a movement
	// away from the target.
	Ratio *float64 `json:"ratio,omitempty"`
	// TargetMet is true when the latest value is at or beyond the target.
	TargetMet bool `json:"targetMet"`
}

// Expected returns the value on the straight line from the baseline to
// the target in a year: the baseline before the baseline year, the target
// from the target year on.
func (li LinkedIndicator) Expected(year int) float64 {
	switch {
	case year <= li.BaselineYear:
		return li.BaselineValue
	case year >= li.TargetYear:
		return li.TargetValue
	}
	f := float64(year-li.BaselineYear) / float64(li.TargetYear-li.BaselineYear)
	return li.BaselineValue + (li.TargetValue-li.BaselineValue)*f
}

// Met reports whether a value reaches the target in its direction.
func (li LinkedIndicator) Met(v float64) bool {
	if DirectionOf(li.BaselineValue, li.TargetValue) == Decrease {
		return v <= li.TargetValue
	}
	return v >= li.TargetValue
}

// Assess computes the progress of a linked indicator from its
// measurements (in any order). Measurements in or before the baseline
// year are ignored: the baseline is the starting point, not progress.
// The latest measurement is the one of the latest year (by date, then by
// the order reported, within a year).
func (li LinkedIndicator) Assess(ms []Measurement) Progress {
	var after []Measurement
	for _, m := range ms {
		if m.Year > li.BaselineYear && !math.IsNaN(m.Value) && !math.IsInf(m.Value, 0) {
			after = append(after, m)
		}
	}
	if len(after) == 0 {
		return Progress{Status: NoData}
	}
	SortMeasurements(after)
	latest := after[len(after)-1]
	expected := li.Expected(latest.Year)
	p := Progress{Latest: &latest, Expected: &expected, TargetMet: li.Met(latest.Value)}
	// expected ≠ baseline: the year is after the baseline year and the
	// target differs from the baseline (both checked by Validate).
	if d := expected - li.BaselineValue; d != 0 {
		r := (latest.Value - li.BaselineValue) / d
		p.Ratio = &r
	}
	switch {
	case p.TargetMet:
		p.Status = OnTrack
	case p.Ratio == nil:
		p.Status = NoData
	case *p.Ratio >= OnTrackRatio:
		p.Status = OnTrack
	case *p.Ratio >= AtRiskRatio:
		p.Status = AtRisk
	default:
		p.Status = OffTrack
	}
	return p
}
