package sds

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// TestEvaluateFixture evaluates a hand-made synthetic table against the
// fixture (see fixture for its counts) with L = 2, resolution r = 2.
//
// Synthetic rows: (a1 b1 c1) (a1 b1 -) (a2 b2 c1) (- - c2), so
// T: a1 2, a2 1, b1 2, b2 1, c1 2, c2 1; a1b1 2, a2b2 1, a1c1 1, a2c1 1,
// b1c1 1, b2c1 1.
//
// Length 1 (all 6 reportable, S >= 2): S/T = a1 5/2, a2 3/1, b1 5/2,
// b2 2/1, c1 5/2, c2 2/1. Preservation 9/22; MPE (3/5+2/3+3/5+1/2+3/5+1/2)/6
// = 3.4667/6 = 0.57778; MAE (3+2+3+1+3+1)/6 = 13/6.
//
// Length 2: sensitive 11 combinations, reportable a1b1 3/2, a2b1 2/0,
// a1c1 3/1, a2c1 2/1, b1c1 4/1. Preservation 5/14; MPE
// (1/3+1+2/3+1/2+3/4)/5 = 0.65; suppressed a2b1: 1/5 = 20%. Targets not
// reportable: a2b2 (S = 1: leakage), b2c1 (S = 0: fabricated, 1 of 6 =
// 16.67%). MAE (1+2+2+1+3 + 0 + 1)/7 = 10/7.
//
// All: preservation 14/36; MPE (3.4667+3.25)/11 = 0.61061; MAE 23/13;
// suppressed 1/11; fabricated 1/12; leakage 1; expansion 4/8.
//
// Buckets [2,4): a2 3/1, b2 2/1, c2 2/1, a1b1 3/2, a2b1 2/0, a1c1 3/1,
// a2c1 2/1: 7 combinations, preservation 7/17, MPE
// (2/3+1/2+1/2+1/3+1+2/3+1/2)/7 = 0.59524, mean length 11/7.
// [4,8): a1 5/2, b1 5/2, c1 5/2, b1c1 4/1: preservation 7/19, MPE
// (3·3/5+3/4)/4 = 0.6375, mean length 5/4.
func TestEvaluateFixture(t *testing.T) {
	rel, err := KAnonAggregates(fixture(), KAnonParams{ReportingLength: 2, Resolution: 2})
	if err != nil {
		t.Fatal(err)
	}
	syn := &table.Table{Columns: []string{"A", "B", "C"}, Rows: [][]string{
		{"a1", "b1", "c1"}, {"a1", "b1", ""}, {"a2", "b2", "c1"}, {"", "", "c2"},
	}}
	rep, err := Evaluate(fixture(), rel, syn, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"expansion", rep.RecordExpansion, 0.5},
		{"preservation", rep.Preservation, 14.0 / 36},
		{"mpe", rep.MeanProportionalError, (3.4 + 1.0/15 + 3.25) / 11},
		{"mae", rep.MeanAbsoluteError, 23.0 / 13},
		{"suppressed%", rep.SuppressedPercent, 100.0 / 11},
		{"fabricated%", rep.FabricatedPercent, 100.0 / 12},
		{"leakage", float64(rep.Leakage), 1},
		{"l1 preservation", rep.ByLength[0].Preservation, 9.0 / 22},
		{"l1 mpe", rep.ByLength[0].MeanProportionalError, (3.4 + 1.0/15) / 6},
		{"l1 mae", rep.ByLength[0].MeanAbsoluteError, 13.0 / 6},
		{"l1 suppressed", float64(rep.ByLength[0].Suppressed), 0},
		{"l2 sensitive", float64(rep.ByLength[1].Sensitive), 11},
		{"l2 reportable", float64(rep.ByLength[1].Reportable), 5},
		{"l2 preservation", rep.ByLength[1].Preservation, 5.0 / 14},
		{"l2 mpe", rep.ByLength[1].MeanProportionalError, 0.65},
		{"l2 mae", rep.ByLength[1].MeanAbsoluteError, 10.0 / 7},
		{"l2 suppressed%", rep.ByLength[1].SuppressedPercent, 20},
		{"l2 fabricated%", rep.ByLength[1].FabricatedPercent, 100.0 / 6},
		{"l2 leakage", float64(rep.ByLength[1].Leakage), 1},
		{"b0 lower", float64(rep.ByBucket[0].Lower), 2},
		{"b0 n", float64(rep.ByBucket[0].Combinations), 7},
		{"b0 preservation", rep.ByBucket[0].Preservation, 7.0 / 17},
		{"b0 mpe", rep.ByBucket[0].MeanProportionalError, (2.0/3 + 0.5 + 0.5 + 1.0/3 + 1 + 2.0/3 + 0.5) / 7},
		{"b0 length", rep.ByBucket[0].MeanLength, 11.0 / 7},
		{"b1 upper", float64(rep.ByBucket[1].Upper), 8},
		{"b1 preservation", rep.ByBucket[1].Preservation, 7.0 / 19},
		{"b1 mpe", rep.ByBucket[1].MeanProportionalError, 0.6375},
		{"b1 length", rep.ByBucket[1].MeanLength, 1.25},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if len(rep.ByBucket) != 2 || len(rep.ByLength) != 2 {
		t.Errorf("buckets %d, lengths %d", len(rep.ByBucket), len(rep.ByLength))
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Error(err)
	}
}

// TestEvaluateAggregatesOnly compares the resolution-2 k-anon release
// (L = 2) with the fixture: released a1 4, a2 2, b1 4, b2 2, c1 4, c2 2,
// a1b1 2, a2b1 2, a1c1 2, a2c1 2, b1c1 4. Every reportable combination is
// released (suppressed 0), nothing is fabricated or leaked; preservation
// (18+12)/(22+14) = 30/36; length-1 MPE (1/5+1/3+1/5+0+1/5+0)/6 = 0.15556;
// expansion = Total/records = 8/8.
func TestEvaluateAggregatesOnly(t *testing.T) {
	rel, _ := KAnonAggregates(fixture(), KAnonParams{ReportingLength: 2, Resolution: 2})
	rep, err := Evaluate(fixture(), rel, nil, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Source != "aggregates" || rep.Leakage != 0 || rep.SuppressedPercent != 0 || rep.FabricatedPercent != 0 ||
		math.Abs(rep.Preservation-30.0/36) > 1e-9 || math.Abs(rep.ByLength[0].MeanProportionalError-(0.6+1.0/3)/6) > 1e-9 ||
		rep.RecordExpansion != 1 {
		t.Errorf("report %+v", rep)
	}
}

func TestEvaluateInvalid(t *testing.T) {
	rel, _ := KAnonAggregates(fixture(), KAnonParams{ReportingLength: 2, Resolution: 2})
	other := &table.Table{Columns: []string{"A", "B"}, Rows: [][]string{{"a1", "b1"}}}
	for name, err := range map[string]error{
		"reportingLength": func() error { _, err := Evaluate(fixture(), rel, nil, 0, 2); return err }(),
		"resolution":      func() error { _, err := Evaluate(fixture(), rel, nil, 2, 0); return err }(),
		"column":          func() error { _, err := Evaluate(other, rel, nil, 2, 2); return err }(),
	} {
		if !errors.Is(err, derrors.Invalid) {
			t.Errorf("%s: err = %v, want Invalid", name, err)
		}
	}
}
