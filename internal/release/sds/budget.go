package sds

import (
	"fmt"
	"math"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// DPParams are the parameters of a differentially private aggregate
// release. The neighbouring relation is add/remove one record.
//
// Budget split (SDS's, from the DP-marginals note of Gopi et al.):
//
//   - εN = NumberOfRecordsEpsilon·ε (a proportion, not an absolute value)
//     goes to the Laplace-noised record count;
//   - the rest, εM = ε − εN, together with δ/2, is turned into a
//     zero-concentrated-DP budget ρ = (√(εM + ln(2/δ)) − √ln(2/δ))², the
//     largest ρ with ρ + 2√(ρ·ln(2/δ)) ≤ εM (Bun & Steinke's conversion);
//   - PercentileEpsilonProportion·ρ pays for the R DP-percentile selections
//     of the contribution bounds (each εQ-DP, hence εQ²/2-zCDP, with
//     εQ = √(2·ρQ/R));
//   - the remaining ρG = (1 − PercentileEpsilonProportion)·ρ pays for the R
//     Gaussian releases: length k gets noise N(0, σk²·Δk) on counts whose L2
//     sensitivity is √Δk, i.e. 1/(2σk²)-zCDP, with σk = pk·σ and
//     σ = √(Σ 1/pk² / (2ρG));
//   - the last δ/2 covers the length-1 threshold (DP set union): an item
//     held by a single record survives it with probability at most δ/2.
type DPParams struct {
	ReportingLength int     // longest combination released, >= 1
	Epsilon, Delta  float64 // the whole budget: ε > 0, 0 < δ < 1

	// PercentilePercentage (1..100, default 99) is the percentile of the
	// per-record combination counts used as the contribution bound Δk.
	PercentilePercentage int
	// PercentileEpsilonProportion (0..1, default 0.01) is the share of the
	// zCDP budget ρ spent on choosing the contribution bounds.
	PercentileEpsilonProportion float64
	// NumberOfRecordsEpsilon (0..1, default 0.005) is the share of ε spent
	// on the noisy record count. It is a proportion, as in SDS.
	// PercentileEpsilonProportion + NumberOfRecordsEpsilon must be < 1.
	NumberOfRecordsEpsilon float64
	// SigmaProportions are the relative noise scales pk of lengths 1..R
	// (σk = pk·σ); empty means all 1. They are weights, not shares: only
	// their ratios matter, and each must be > 0.
	SigmaProportions []float64
	// Thresholds: key 1 is an optional absolute minimum for the length-1
	// threshold, which is otherwise fixed by privacy at
	// 1 + σ1·√Δ1·Φ⁻¹((1 − δ/2)^(1/Δ1)); keys k >= 2 are SDS's adaptive
	// factors ηk in (0, 1], giving the threshold σk·√Δk·Φ⁻¹(1 − ηk/2).
	// Missing keys k >= 2 default to DefaultAdaptiveThreshold. Thresholds
	// for k >= 2 do not affect privacy, only how many fabricated
	// (noise-only) combinations survive. (SDS's note writes √Δ1 in the
	// adaptive threshold; we use √Δk, the noise scale of length k, so that
	// ηk is the share of zero-count candidates that pass.)
	Thresholds map[int]float64
	// Resolution (default 1) is the multiple released counts are rounded
	// to (to the nearest multiple; counts rounding to 0 are dropped).
	Resolution int
}

// DefaultAdaptiveThreshold is the adaptive factor η used for lengths >= 2
// when DPParams.Thresholds has none: Φ⁻¹(1 − 0.01/2) ≈ 2.58 noise standard
// deviations, so about 0.5% of the zero-count candidates are fabricated.
// SDS leaves η to the user (η = 1 means maximal fabrication); this
// conservative value keeps fabrication and candidate growth low.
const DefaultAdaptiveThreshold = 0.01

// Budget is how a DP release spent its (ε, δ): the declared totals and the
// parts. Parts accounted in zCDP ("percentile", "gaussian") report Rho and
// leave Epsilon and Delta at 0; the "zcdp-conversion" part turns the sum of
// their Rho into (ε, δ/2) with ε = ρ + 2√(ρ·ln(2/δ)). So the sums of the
// parts' Epsilon and Delta are the spent budget, and never exceed it.
type Budget struct {
	Epsilon, Delta float64
	Parts          []BudgetPart
}

// BudgetPart is one spending of the budget. Sigma, for Gaussian parts, is
// the standard deviation of the noise actually added to each count,
// σk·√Δk.
type BudgetPart struct {
	Name                       string
	Epsilon, Delta, Rho, Sigma float64
}

// SpentEpsilon sums the parts' Epsilon.
func (b Budget) SpentEpsilon() float64 {
	s := 0.0
	for _, p := range b.Parts {
		s += p.Epsilon
	}
	return s
}

// SpentDelta sums the parts' Delta.
func (b Budget) SpentDelta() float64 {
	s := 0.0
	for _, p := range b.Parts {
		s += p.Delta
	}
	return s
}

// plan is the budget split computed from validated parameters.
type plan struct {
	p          DPParams
	epsN       float64   // Laplace share for the record count
	rho        float64   // zCDP budget of percentile + Gaussian parts
	epsQ       float64   // per-length percentile ε
	sigmas     []float64 // σk, per unit of sensitivity; index k-1
	etas       []float64 // adaptive factors; index k-1 (unused for k=1)
	minThresh1 float64   // Thresholds[1], 0 if absent
}

// rhoSafety shrinks ρ by a relative 1e-9 so that rounding in the
// conversion can never push the spent ε above the declared one.
const rhoSafety = 1 - 1e-9

// validate fills defaults and rejects bad parameters, naming them.
func validate(p DPParams) (DPParams, error) {
	inv := func(format string, args ...any) (DPParams, error) {
		return p, derrors.Kindf(derrors.Invalid, format, args...)
	}
	switch {
	case p.ReportingLength < 1:
		return inv("reportingLength: must be >= 1, got %d", p.ReportingLength)
	case !(p.Epsilon > 0) || math.IsInf(p.Epsilon, 0):
		return inv("epsilon: must be a finite number > 0, got %v", p.Epsilon)
	case !(p.Delta > 0 && p.Delta < 1):
		return inv("delta: must be in (0, 1), got %v", p.Delta)
	}
	if p.PercentilePercentage == 0 {
		p.PercentilePercentage = 99
	}
	if p.PercentileEpsilonProportion == 0 {
		p.PercentileEpsilonProportion = 0.01
	}
	if p.NumberOfRecordsEpsilon == 0 {
		p.NumberOfRecordsEpsilon = 0.005
	}
	if p.Resolution == 0 {
		p.Resolution = 1
	}
	switch {
	case p.PercentilePercentage < 1 || p.PercentilePercentage > 100:
		return inv("percentilePercentage: must be in 1..100, got %d", p.PercentilePercentage)
	case !(p.PercentileEpsilonProportion > 0 && p.PercentileEpsilonProportion < 1):
		return inv("percentileEpsilonProportion: must be in (0, 1), got %v", p.PercentileEpsilonProportion)
	case !(p.NumberOfRecordsEpsilon > 0 && p.NumberOfRecordsEpsilon < 1):
		return inv("numberOfRecordsEpsilon: must be a proportion in (0, 1), got %v", p.NumberOfRecordsEpsilon)
	case p.PercentileEpsilonProportion+p.NumberOfRecordsEpsilon >= 1:
		return inv("percentileEpsilonProportion + numberOfRecordsEpsilon: must sum to < 1, got %v", p.PercentileEpsilonProportion+p.NumberOfRecordsEpsilon)
	case p.Resolution < 1:
		return inv("resolution: must be >= 1, got %d", p.Resolution)
	case len(p.SigmaProportions) != 0 && len(p.SigmaProportions) != p.ReportingLength:
		return inv("sigmaProportions: must have %d values (one per length), got %d", p.ReportingLength, len(p.SigmaProportions))
	}
	for i, s := range p.SigmaProportions {
		if !(s > 0) || math.IsInf(s, 0) {
			return inv("sigmaProportions[%d]: must be a finite number > 0, got %v", i, s)
		}
	}
	for k, v := range p.Thresholds {
		switch {
		case k < 1 || k > p.ReportingLength:
			return inv("thresholds[%d]: length must be in 1..%d", k, p.ReportingLength)
		case k == 1 && (!(v >= 0) || math.IsInf(v, 0)):
			return inv("thresholds[1]: must be a finite number >= 0, got %v", v)
		case k > 1 && !(v > 0 && v <= 1):
			return inv("thresholds[%d]: adaptive factor must be in (0, 1], got %v", k, v)
		}
	}
	return p, nil
}

// planBudget splits the budget as documented on DPParams.
func planBudget(p DPParams) (plan, error) {
	p, err := validate(p)
	if err != nil {
		return plan{}, err
	}
	r := p.ReportingLength
	pl := plan{p: p, epsN: p.NumberOfRecordsEpsilon * p.Epsilon, sigmas: make([]float64, r), etas: make([]float64, r)}
	epsM := p.Epsilon - pl.epsN
	lg := math.Log(2 / p.Delta)
	pl.rho = math.Pow(math.Sqrt(epsM+lg)-math.Sqrt(lg), 2) * rhoSafety
	rhoQ := p.PercentileEpsilonProportion * pl.rho
	pl.epsQ = math.Sqrt(2 * rhoQ / float64(r))
	rhoG := pl.rho - rhoQ
	props := p.SigmaProportions
	if len(props) == 0 {
		props = make([]float64, r)
		for i := range props {
			props[i] = 1
		}
	}
	inv := 0.0
	for _, q := range props {
		inv += 1 / (q * q)
	}
	sigma := math.Sqrt(inv / (2 * rhoG))
	for k := range r {
		pl.sigmas[k] = props[k] * sigma
		pl.etas[k] = DefaultAdaptiveThreshold
		if v, ok := p.Thresholds[k+1]; ok && k > 0 {
			pl.etas[k] = v
		}
	}
	pl.minThresh1 = p.Thresholds[1]
	return pl, nil
}

// budget reports the plan's spending given the chosen contribution bounds.
func (pl plan) budget(deltas []int) Budget {
	b := Budget{Epsilon: pl.p.Epsilon, Delta: pl.p.Delta}
	rho := 0.0
	for k, d := range deltas {
		rq := pl.epsQ * pl.epsQ / 2
		rho += rq
		b.Parts = append(b.Parts, BudgetPart{Name: fmt.Sprintf("percentile length %d (contribution bound %d)", k+1, d), Rho: rq})
	}
	for k, d := range deltas {
		rg := 1 / (2 * pl.sigmas[k] * pl.sigmas[k])
		rho += rg
		b.Parts = append(b.Parts, BudgetPart{Name: fmt.Sprintf("gaussian length %d", k+1), Rho: rg, Sigma: pl.sigmas[k] * math.Sqrt(float64(d))})
	}
	lg := math.Log(2 / pl.p.Delta)
	b.Parts = append(b.Parts,
		BudgetPart{Name: "zcdp-conversion", Epsilon: rho + 2*math.Sqrt(rho*lg), Delta: pl.p.Delta / 2},
		BudgetPart{Name: "threshold length 1 (set union)", Delta: pl.p.Delta / 2},
		BudgetPart{Name: "total (laplace)", Epsilon: pl.epsN},
	)
	return b
}

// threshold1 is the privacy-required length-1 threshold:
// 1 + σ1·√Δ1·Φ⁻¹((1 − δ/2)^(1/Δ1)), or Thresholds[1] if higher.
func (pl plan) threshold1(d int) float64 {
	// a = 1 − (1 − δ/2)^(1/Δ), computed without cancellation.
	a := -math.Expm1(math.Log1p(-pl.p.Delta/2) / float64(d))
	t := 1 + pl.sigmas[0]*math.Sqrt(float64(d))*upperQuantile(a)
	return max(t, pl.minThresh1)
}

// thresholdK is the adaptive threshold σk·√Δk·Φ⁻¹(1 − ηk/2) for k >= 2.
func (pl plan) thresholdK(k, d int) float64 {
	return pl.sigmas[k-1] * math.Sqrt(float64(d)) * upperQuantile(pl.etas[k-1]/2)
}

// upperQuantile is Φ⁻¹(1 − a) for the standard normal, accurate for tiny a.
func upperQuantile(a float64) float64 {
	return math.Sqrt2 * math.Erfcinv(2*a)
}
