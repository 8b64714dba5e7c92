package sds

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// TestSynthesizeNoLeakage synthesizes from k-anonymous and DP releases of
// 5,000 skewed records × 8 columns with missing cells, and checks that
// every combination of length <= L in the output is released, and that
// for the k-anonymous release, single-attribute counts are close to the
// released ones: within 5% of the released count + 2·resolution + 10 (the
// synthesis balances on single-attribute counts, but a value can run out
// of allowed combinations late in the run). The DP release of so small a
// table suppresses most 3-combinations, which leaves records little room:
// its single-attribute counts fall short and are only logged.
func TestSynthesizeNoLeakage(t *testing.T) {
	tb := skewedTable(5000, 8, 21)
	kanon, err := KAnonAggregates(tb, KAnonParams{ReportingLength: 3, Resolution: 5})
	if err != nil {
		t.Fatal(err)
	}
	dp, _, err := DPAggregates(tb, DPParams{ReportingLength: 3, Epsilon: 4, Delta: 1e-6, Resolution: 5}, 3)
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]*Aggregates{"k-anon": kanon, "dp": dp} {
		t.Run(name, func(t *testing.T) {
			syn, err := Synthesize(a, SynthParams{Seed: 8})
			if err != nil {
				t.Fatal(err)
			}
			if len(syn.Rows) != a.Total || !reflect.DeepEqual(syn.Columns, a.Columns) {
				t.Fatalf("got %d rows %v, want %d rows %v", len(syn.Rows), syn.Columns, a.Total, a.Columns)
			}
			released := map[string]float64{}
			for _, it := range a.Items {
				released[it.Combo.String()] = it.Count
			}
			synCounts := bruteCounts(syn, a.ReportingLength)
			for c, n := range synCounts {
				if _, ok := released[c]; !ok {
					t.Errorf("synthetic combination %s (count %d) is not released", c, n)
				}
			}
			worst := 0.0
			for _, it := range a.Items {
				if len(it.Combo) != 1 {
					continue
				}
				got := float64(synCounts[it.Combo.String()])
				tol := 0.05*it.Count + 2*5 + 10
				worst = max(worst, math.Abs(got-it.Count)/tol)
				if name == "k-anon" && math.Abs(got-it.Count) > tol {
					t.Errorf("%s: synthetic %v, released %v", it.Combo, got, it.Count)
				}
			}
			t.Logf("worst single-attribute error: %.2f of tolerance", worst)
			rep, err := Evaluate(tb, a, syn, a.ReportingLength, 5)
			if err != nil {
				t.Fatal(err)
			}
			if name == "k-anon" && (rep.Leakage != 0 || rep.FabricatedPercent != 0) {
				t.Errorf("k-anon synthesis: leakage %d, fabricated %v%%", rep.Leakage, rep.FabricatedPercent)
			}
			t.Logf("preservation %.3f, MPE %.3f, suppressed %.1f%%, fabricated %.1f%%, leakage %d",
				rep.Preservation, rep.MeanProportionalError, rep.SuppressedPercent, rep.FabricatedPercent, rep.Leakage)
		})
	}
}

func TestSynthesizeReproducibleAndSized(t *testing.T) {
	a, err := KAnonAggregates(fixture(), KAnonParams{ReportingLength: 2, Resolution: 2})
	if err != nil {
		t.Fatal(err)
	}
	x, _ := Synthesize(a, SynthParams{Records: 50, Seed: 1})
	y, _ := Synthesize(a, SynthParams{Records: 50, Seed: 1})
	if len(x.Rows) != 50 || !reflect.DeepEqual(x, y) {
		t.Errorf("rows %d, same seed equal %v", len(x.Rows), reflect.DeepEqual(x, y))
	}
	if _, err := Synthesize(a, SynthParams{Records: -1}); !errors.Is(err, derrors.Invalid) {
		t.Errorf("records -1: %v", err)
	}
	bad := &Aggregates{Columns: []string{"A"}, ReportingLength: 1, Items: []Aggregate{agg("Z:z", 3)}}
	if _, err := Synthesize(bad, SynthParams{}); !errors.Is(err, derrors.Invalid) {
		t.Errorf("unknown column: %v", err)
	}
}
