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
// every combination of length <= L in the output is released, that the
// record count is between Total and the expansion cap, and that for the
// k-anonymous release, single-attribute counts are close to the released
// ones: within 5% of the released count + 2·resolution + 10 (the
// synthesis balances on single-attribute counts, but a value can run out
// of allowed combinations late in the run; both releases are filled
// exactly as measured). The DP release of so small a table suppresses most
// 3-combinations, which leaves records little room: it takes record
// expansion (1.45 measured, 1.006 for k-anon) to fill its single-attribute
// counts. Length-1 preservation must reach 0.95 (0.997 and 0.998).
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
			if n := len(syn.Rows); n < a.Total || n > int(DefaultMaxExpansion*float64(a.Total)) || !reflect.DeepEqual(syn.Columns, a.Columns) {
				t.Fatalf("got %d rows %v, want %d..%d rows %v", n, syn.Columns, a.Total, int(DefaultMaxExpansion*float64(a.Total)), a.Columns)
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
				if math.Abs(got-it.Count) > tol {
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
			if l1 := rep.ByLength[0].Preservation; l1 < 0.95 {
				t.Errorf("length-1 preservation %.3f, want >= 0.95", l1)
			}
			t.Logf("records %d (expansion %.3f), preservation %.3f (length 1: %.3f), MPE %.3f, suppressed %.1f%%, fabricated %.1f%%, leakage %d",
				len(syn.Rows), rep.RecordExpansion, rep.Preservation, rep.ByLength[0].Preservation, rep.MeanProportionalError,
				rep.SuppressedPercent, rep.FabricatedPercent, rep.Leakage)
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

// TestSynthesizeExpansion synthesizes from the k-anonymous release
// (reporting length 4, resolution 10) of 1,208 caseload-shaped records
// (ctdcTable: 27 CTDC columns). So small a table has most 3- and
// 4-combinations of its many-valued columns (year, age, citizenship,
// country) suppressed, so a synthetic record holds far fewer values than
// a real one (about 2–3 against 6.5). With the record count fixed at Total
// the single-attribute counts fall to under half (0.455 measured); by
// default synthesis adds records until they are used up, up to the cap.
// Measured: length-1 preservation 0.934 (the released counts themselves,
// rounded down to the resolution, give 0.946) at record expansion 2.97;
// the cap is hit. With MaxExpansion 3 (the former default) expansion is
// at most 3; the default cap of 1.5 keeps less but far more than a fixed
// count.
func TestSynthesizeExpansion(t *testing.T) {
	tb := ctdcTable(1208, 3)
	const rl, res = 4, 10
	a, err := KAnonAggregates(tb, KAnonParams{ReportingLength: rl, Resolution: res})
	if err != nil {
		t.Fatal(err)
	}
	eval := func(p SynthParams) (Report, int) {
		t.Helper()
		syn, err := Synthesize(a, p)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Evaluate(tb, a, syn, rl, res)
		if err != nil {
			t.Fatal(err)
		}
		return rep, len(syn.Rows)
	}

	syn, err := Synthesize(a, SynthParams{MaxExpansion: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Synthesize(a, SynthParams{MaxExpansion: 3, Seed: 1})
	if !reflect.DeepEqual(syn, again) {
		t.Error("same aggregates and seed, different output")
	}
	released := map[string]bool{}
	for _, it := range a.Items {
		released[it.Combo.String()] = true
	}
	for c, n := range bruteCounts(syn, rl) {
		if !released[c] {
			t.Errorf("synthetic combination %s (count %d) is not released", c, n)
		}
	}
	rep, err := Evaluate(tb, a, syn, rl, res)
	if err != nil {
		t.Fatal(err)
	}
	l1 := rep.ByLength[0].Preservation
	if l1 < 0.9 || rep.Leakage != 0 || rep.FabricatedPercent != 0 {
		t.Errorf("length-1 preservation %.3f (want >= 0.9), leakage %d, fabricated %v%%", l1, rep.Leakage, rep.FabricatedPercent)
	}
	if n := len(syn.Rows); n <= a.Total || n > 3*a.Total {
		t.Errorf("%d records, want %d < n <= %d", n, a.Total, 3*a.Total)
	}
	t.Logf("MaxExpansion 3: %d records for Total %d (expansion %.3f), preservation %.3f, length 1..4: %.3f %.3f %.3f %.3f",
		len(syn.Rows), a.Total, rep.RecordExpansion, rep.Preservation, rep.ByLength[0].Preservation,
		rep.ByLength[1].Preservation, rep.ByLength[2].Preservation, rep.ByLength[3].Preservation)

	fixed, n := eval(SynthParams{Records: a.Total, Seed: 1})
	if n != a.Total || fixed.ByLength[0].Preservation > l1-0.3 {
		t.Errorf("Records %d: %d records, length-1 preservation %.3f (default %.3f)", a.Total, n, fixed.ByLength[0].Preservation, l1)
	}
	t.Logf("Records = Total: length-1 preservation %.3f", fixed.ByLength[0].Preservation)

	// The default cap, DefaultMaxExpansion = 1.5.
	capped, n := eval(SynthParams{Seed: 1})
	if n > a.Total*3/2 || n <= a.Total || capped.ByLength[0].Preservation >= l1 || capped.ByLength[0].Preservation <= fixed.ByLength[0].Preservation {
		t.Errorf("default cap: %d records for Total %d, length-1 preservation %.3f (cap 3: %.3f, fixed: %.3f)", n, a.Total, capped.ByLength[0].Preservation, l1, fixed.ByLength[0].Preservation)
	}
	t.Logf("default (MaxExpansion 1.5): %d records, length-1 preservation %.3f", n, capped.ByLength[0].Preservation)
}

// TestSynthesizeTerminates gives single-attribute counts that no number of
// records within the cap can use up (10 records released, values counted
// 100 times): synthesis stops at the cap, and MaxExpansion is checked.
func TestSynthesizeTerminates(t *testing.T) {
	a := &Aggregates{Columns: []string{"A", "B"}, Total: 10, ReportingLength: 2,
		Items: []Aggregate{agg("A:a", 100), agg("B:b", 100), agg("A:a;B:b", 100)}}
	// The default cap, 1.5 × 10, is applied per stream (each its share,
	// rounded down): 14.
	for _, tc := range []struct {
		p    SynthParams
		want int
	}{{SynthParams{}, 14}, {SynthParams{MaxExpansion: 3}, 30}, {SynthParams{MaxExpansion: 5}, 50}, {SynthParams{MaxExpansion: 0.5}, 10}, {SynthParams{Records: 7}, 7}} {
		syn, err := Synthesize(a, tc.p)
		if err != nil || len(syn.Rows) != tc.want {
			t.Errorf("%+v: %v records, %v; want %d", tc.p, len(syn.Rows), err, tc.want)
			continue
		}
		for _, r := range syn.Rows {
			if r[0] != "a" || r[1] != "b" {
				t.Errorf("%+v: record %q, want [a b]", tc.p, r)
				break
			}
		}
	}
	for _, x := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := Synthesize(a, SynthParams{MaxExpansion: x}); !errors.Is(err, derrors.Invalid) {
			t.Errorf("MaxExpansion %v: %v", x, err)
		}
	}
}
