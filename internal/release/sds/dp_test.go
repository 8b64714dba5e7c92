package sds

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// TestSigmaFormula recomputes σk from the budget by the SDS formula:
// ρ = (√(εM + ln(2/δ)) − √ln(2/δ))², εM = ε(1 − Np), ρG = (1 − Qp)ρ,
// σk = pk·√(Σ 1/pj² / (2ρG)).
func TestSigmaFormula(t *testing.T) {
	tests := []struct {
		eps, delta, qp, np float64
		props              []float64
	}{
		{1, 1e-6, 0.01, 0.005, []float64{1, 1, 1}},
		{4, 1e-8, 0.1, 0.05, []float64{1, 0.5, 0.25}},
		{0.5, 1e-3, 0.2, 0.2, []float64{2, 1}},
	}
	for _, tc := range tests {
		p := DPParams{ReportingLength: len(tc.props), Epsilon: tc.eps, Delta: tc.delta,
			PercentileEpsilonProportion: tc.qp, NumberOfRecordsEpsilon: tc.np, SigmaProportions: tc.props}
		pl, err := planBudget(p)
		if err != nil {
			t.Fatal(err)
		}
		lg := math.Log(2 / tc.delta)
		rho := math.Pow(math.Sqrt(tc.eps*(1-tc.np)+lg)-math.Sqrt(lg), 2)
		inv := 0.0
		for _, q := range tc.props {
			inv += 1 / (q * q)
		}
		for k, q := range tc.props {
			want := q * math.Sqrt(inv/(2*(1-tc.qp)*rho))
			if got := pl.sigmas[k]; math.Abs(got-want) > 1e-6*want {
				t.Errorf("%+v: sigma[%d] = %v, want %v", tc, k+1, got, want)
			}
		}
		// The Gaussian parts of a real release carry Rho = 1/(2σk²) and
		// Sigma = σk·√Δk for an integral Δk >= 1.
		_, b, err := DPAggregates(skewedTable(500, 4, 3), p, 9)
		if err != nil {
			t.Fatal(err)
		}
		for k := range tc.props {
			part := findPart(t, b, fmt.Sprintf("gaussian length %d", k+1))
			sk := pl.sigmas[k]
			if math.Abs(part.Rho-1/(2*sk*sk)) > 1e-9*part.Rho {
				t.Errorf("length %d: rho %v, want %v", k+1, part.Rho, 1/(2*sk*sk))
			}
			d := part.Sigma * part.Sigma / (sk * sk)
			if d < 1-1e-9 || math.Abs(d-math.Round(d)) > 1e-6 {
				t.Errorf("length %d: (Sigma/σk)² = %v, want an integer contribution bound", k+1, d)
			}
		}
	}
}

func findPart(t *testing.T, b Budget, prefix string) BudgetPart {
	t.Helper()
	for _, p := range b.Parts {
		if strings.HasPrefix(p.Name, prefix) {
			return p
		}
	}
	t.Fatalf("no budget part %q in %+v", prefix, b.Parts)
	return BudgetPart{}
}

// TestBudgetWithinDeclared is a property test: for random valid
// parameters and contribution bounds, the parts never spend more than the
// declared (ε, δ), and the conversion part is the zCDP → (ε, δ) bound of
// the parts' summed ρ.
func TestBudgetWithinDeclared(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		r := 1 + rng.IntN(6)
		p := DPParams{
			ReportingLength:             r,
			Epsilon:                     math.Exp(rng.Float64()*8 - 5), // 0.007 .. 20
			Delta:                       math.Pow(10, -1-rng.Float64()*11),
			PercentileEpsilonProportion: 0.001 + rng.Float64()*0.49,
			NumberOfRecordsEpsilon:      0.001 + rng.Float64()*0.49,
		}
		if rng.IntN(2) == 0 {
			for range r {
				p.SigmaProportions = append(p.SigmaProportions, 0.05+rng.Float64()*3)
			}
		}
		pl, err := planBudget(p)
		if err != nil {
			t.Fatalf("%d: %+v: %v", i, p, err)
		}
		deltas := make([]int, r)
		for k := range deltas {
			deltas[k] = 1 + rng.IntN(5000)
		}
		b := pl.budget(deltas)
		if b.SpentEpsilon() > p.Epsilon || b.SpentDelta() > p.Delta {
			t.Fatalf("%d: %+v: spent (%v, %v) > declared (%v, %v)", i, p, b.SpentEpsilon(), b.SpentDelta(), p.Epsilon, p.Delta)
		}
		rho := 0.0
		for _, part := range b.Parts {
			rho += part.Rho
		}
		conv := findPart(t, b, "zcdp-conversion")
		if want := rho + 2*math.Sqrt(rho*math.Log(2/p.Delta)); math.Abs(conv.Epsilon-want) > 1e-12*want {
			t.Fatalf("%d: conversion ε %v, want %v", i, conv.Epsilon, want)
		}
	}
}

// TestNoiseStd releases one column of 1,000 values each held by exactly
// 100 records: Δ1 is then necessarily 1 (the range [1, C(1,1)]), so each
// released count is 100 + N(0, σ1²) rounded; the empirical standard
// deviation must be within 10% of the Sigma the budget reports.
func TestNoiseStd(t *testing.T) {
	tb := &table.Table{Columns: []string{"x"}}
	for v := range 1000 {
		for range 100 {
			tb.Rows = append(tb.Rows, []string{fmt.Sprint("v", v)})
		}
	}
	a, b, err := DPAggregates(tb, DPParams{ReportingLength: 1, Epsilon: 1, Delta: 1e-6}, 5)
	if err != nil {
		t.Fatal(err)
	}
	sigma := findPart(t, b, "gaussian length 1").Sigma
	if len(a.Items) < 990 {
		t.Fatalf("released %d of 1000 values", len(a.Items))
	}
	ss := 0.0
	for _, it := range a.Items {
		ss += (it.Count - 100) * (it.Count - 100)
	}
	std := math.Sqrt(ss / float64(len(a.Items)))
	if math.Abs(std-sigma) > 0.1*sigma {
		t.Errorf("empirical std %v, sigma %v", std, sigma)
	}
}

func TestDPInvalid(t *testing.T) {
	ok := DPParams{ReportingLength: 2, Epsilon: 1, Delta: 1e-6}
	tests := []struct {
		param string
		edit  func(p *DPParams)
	}{
		{"epsilon", func(p *DPParams) { p.Epsilon = 0 }},
		{"epsilon", func(p *DPParams) { p.Epsilon = -1 }},
		{"epsilon", func(p *DPParams) { p.Epsilon = math.Inf(1) }},
		{"delta", func(p *DPParams) { p.Delta = 0 }},
		{"delta", func(p *DPParams) { p.Delta = 1 }},
		{"reportingLength", func(p *DPParams) { p.ReportingLength = 0 }},
		{"percentilePercentage", func(p *DPParams) { p.PercentilePercentage = 101 }},
		{"percentileEpsilonProportion", func(p *DPParams) { p.PercentileEpsilonProportion = 1.5 }},
		{"numberOfRecordsEpsilon", func(p *DPParams) { p.NumberOfRecordsEpsilon = -0.1 }},
		{"percentileEpsilonProportion + numberOfRecordsEpsilon", func(p *DPParams) {
			p.PercentileEpsilonProportion, p.NumberOfRecordsEpsilon = 0.6, 0.5
		}},
		{"sigmaProportions", func(p *DPParams) { p.SigmaProportions = []float64{1} }},
		{"sigmaProportions[1]", func(p *DPParams) { p.SigmaProportions = []float64{1, 0} }},
		{"thresholds[2]", func(p *DPParams) { p.Thresholds = map[int]float64{2: 0} }},
		{"thresholds[3]", func(p *DPParams) { p.Thresholds = map[int]float64{3: 0.5} }},
		{"resolution", func(p *DPParams) { p.Resolution = -1 }},
	}
	for _, tc := range tests {
		p := ok
		tc.edit(&p)
		_, _, err := DPAggregates(fixture(), p, 1)
		if !errors.Is(err, derrors.Invalid) || !strings.HasPrefix(err.Error(), tc.param+":") {
			t.Errorf("%s: err = %v, want Invalid naming it", tc.param, err)
		}
	}
	if _, _, err := DPAggregates(fixture(), ok, 1); err != nil {
		t.Errorf("valid params: %v", err)
	}
}

// TestDPConsistency checks the released structure on random data for
// several resolutions and thresholds: every count is a positive multiple
// of the resolution, every sub-combination of a released combination is
// released with a count at least as large, and the same seed reproduces
// the release.
func TestDPConsistency(t *testing.T) {
	tb := skewedTable(4000, 6, 11)
	tests := []DPParams{
		{ReportingLength: 3, Epsilon: 2, Delta: 1e-6, Resolution: 5},
		{ReportingLength: 4, Epsilon: 8, Delta: 1e-5, Resolution: 1, Thresholds: map[int]float64{2: 1, 3: 1, 4: 1}},
		{ReportingLength: 2, Epsilon: 0.5, Delta: 1e-7, Resolution: 10, SigmaProportions: []float64{1, 0.5}},
	}
	for i, p := range tests {
		a, _, err := DPAggregates(tb, p, uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Items) == 0 {
			t.Fatalf("%d: nothing released", i)
		}
		res := float64(max(1, p.Resolution))
		got := map[string]float64{}
		for _, it := range a.Items {
			got[it.Combo.String()] = it.Count
		}
		for _, it := range a.Items {
			if it.Count <= 0 || math.Mod(it.Count, res) != 0 {
				t.Errorf("%d: %s count %v not a positive multiple of %v", i, it.Combo, it.Count, res)
			}
			for j := range it.Combo {
				if len(it.Combo) == 1 {
					break
				}
				parent := append(append(Combination{}, it.Combo[:j]...), it.Combo[j+1:]...)
				pc, ok := got[parent.String()]
				if !ok || pc < it.Count {
					t.Errorf("%d: %s = %v but parent %s = %v (released %v)", i, it.Combo, it.Count, parent, pc, ok)
				}
			}
		}
		// Laplace noise of scale 1/εN exceeds 20 scales with probability e^-20.
		if epsN := 0.005 * p.Epsilon; a.Total%int(res) != 0 || math.Abs(float64(a.Total-4000)) > 20/epsN+res {
			t.Errorf("%d: total %d", i, a.Total)
		}
		again, _, _ := DPAggregates(tb, p, uint64(i))
		if !reflect.DeepEqual(a, again) {
			t.Errorf("%d: same seed, different release", i)
		}
	}
}
