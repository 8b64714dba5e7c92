package sds

import (
	"testing"

	"github.com/corridor-platform/corridor/internal/release/table"
)

// TestEdgeTables runs every method on a table without rows and on one
// whose cells are all empty: nothing is released, nothing fails.
func TestEdgeTables(t *testing.T) {
	for name, tb := range map[string]*table.Table{
		"no rows":     {Columns: []string{"A", "B"}},
		"empty cells": {Columns: []string{"A", "B"}, Rows: [][]string{{"", ""}, {"", ""}}},
	} {
		a, err := KAnonAggregates(tb, KAnonParams{ReportingLength: 2, Resolution: 1})
		if err != nil || len(a.Items) != 0 || a.Total != len(tb.Rows) {
			t.Errorf("%s: k-anon %+v, %v", name, a, err)
		}
		d, _, err := DPAggregates(tb, DPParams{ReportingLength: 2, Epsilon: 1, Delta: 1e-6}, 1)
		if err != nil || len(d.Items) != 0 {
			t.Errorf("%s: dp %+v, %v", name, d, err)
		}
		syn, err := Synthesize(a, SynthParams{Records: 3})
		if err != nil || len(syn.Rows) != 3 || syn.Rows[0][0] != "" {
			t.Errorf("%s: synthesize %+v, %v", name, syn, err)
		}
		if _, err := Evaluate(tb, a, syn, 2, 1); err != nil {
			t.Errorf("%s: evaluate %v", name, err)
		}
	}
}
