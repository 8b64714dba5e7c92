package sds

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// fixture is 8 records over A, B, C. Hand counts (records in brackets):
//
//	A: a1 5 [1,2,3,4,7]  a2 3 [5,6,8]
//	B: b1 5 [1,2,3,5,6]  b2 2 [4,8]
//	C: c1 5 [1,2,5,6,7]  c2 2 [3,8]
//	AB: a1b1 3, a1b2 1, a2b1 2, a2b2 1
//	AC: a1c1 3, a1c2 1, a2c1 2, a2c2 1
//	BC: b1c1 4, b1c2 1, b2c2 1
//	ABC: a1b1c1 2, a1b1c2 1, a2b1c1 2, a2b2c2 1
func fixture() *table.Table {
	return &table.Table{Columns: []string{"A", "B", "C"}, Rows: [][]string{
		{"a1", "b1", "c1"},
		{"a1", "b1", "c1"},
		{"a1", "b1", "c2"},
		{"a1", "b2", ""},
		{"a2", "b1", "c1"},
		{"a2", "b1", "c1"},
		{"a1", "", "c1"},
		{"a2", "b2", "c2"},
	}}
}

// agg builds an Aggregate from "A:a1;B:b1" notation.
func agg(spec string, n float64) Aggregate {
	var c Combination
	for _, p := range strings.Split(spec, ";") {
		col, val, _ := strings.Cut(p, ":")
		c = append(c, Item{col, val})
	}
	return Aggregate{Combo: c, Count: n}
}

func TestKAnonAggregatesFixture(t *testing.T) {
	tests := []struct {
		name  string
		res   int
		total int
		want  []Aggregate
	}{
		{"resolution 2", 2, 8, []Aggregate{
			agg("A:a1", 4), agg("A:a2", 2), agg("B:b1", 4), agg("B:b2", 2), agg("C:c1", 4), agg("C:c2", 2),
			agg("A:a1;B:b1", 2), agg("A:a2;B:b1", 2), agg("A:a1;C:c1", 2), agg("A:a2;C:c1", 2), agg("B:b1;C:c1", 4),
			agg("A:a1;B:b1;C:c1", 2), agg("A:a2;B:b1;C:c1", 2),
		}},
		{"resolution 3", 3, 6, []Aggregate{
			agg("A:a1", 3), agg("A:a2", 3), agg("B:b1", 3), agg("C:c1", 3),
			agg("A:a1;B:b1", 3), agg("A:a1;C:c1", 3), agg("B:b1;C:c1", 3),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := KAnonAggregates(fixture(), KAnonParams{ReportingLength: 3, Resolution: tc.res})
			if err != nil {
				t.Fatal(err)
			}
			if got.Total != tc.total || got.ReportingLength != 3 || !reflect.DeepEqual(got.Columns, []string{"A", "B", "C"}) {
				t.Errorf("header = %v %d %d, want total %d", got.Columns, got.Total, got.ReportingLength, tc.total)
			}
			if !reflect.DeepEqual(got.Items, tc.want) {
				t.Errorf("items:\n got %v\nwant %v", got.Items, tc.want)
			}
		})
	}
}

func TestKAnonInvalid(t *testing.T) {
	tests := []struct {
		p     KAnonParams
		param string
	}{
		{KAnonParams{ReportingLength: 0, Resolution: 2}, "reportingLength"},
		{KAnonParams{ReportingLength: 2, Resolution: 0}, "resolution"},
	}
	for _, tc := range tests {
		_, err := KAnonAggregates(fixture(), tc.p)
		if !errors.Is(err, derrors.Invalid) || !strings.Contains(err.Error(), tc.param) {
			t.Errorf("%+v: err = %v, want Invalid naming %s", tc.p, err, tc.param)
		}
	}
}

// TestKAnonMatchesBruteForce checks the pruned counting against a naive
// count over string keys on random data.
func TestKAnonMatchesBruteForce(t *testing.T) {
	tb := skewedTable(3000, 6, 7)
	const L, res = 3, 7
	got, err := KAnonAggregates(tb, KAnonParams{ReportingLength: L, Resolution: res})
	if err != nil {
		t.Fatal(err)
	}
	want := bruteCounts(tb, L)
	n := 0
	for _, a := range got.Items {
		c := want[a.Combo.String()]
		if c < res || a.Count != float64(c/res*res) {
			t.Errorf("%s: count %v, true %d", a.Combo, a.Count, c)
		}
	}
	for _, c := range want {
		if c >= res {
			n++
		}
	}
	if n != len(got.Items) {
		t.Errorf("released %d combinations, want %d", len(got.Items), n)
	}
}

// bruteCounts counts every combination of length <= L of every row, keyed
// by Combination.String().
func bruteCounts(tb *table.Table, L int) map[string]int {
	out := map[string]int{}
	for _, r := range tb.Rows {
		var items Combination
		for j, v := range r {
			if v != "" {
				items = append(items, Item{tb.Columns[j], v})
			}
		}
		var rec func(from int, cur Combination)
		rec = func(from int, cur Combination) {
			for i := from; i < len(items); i++ {
				c := append(cur[:len(cur):len(cur)], items[i])
				out[c.String()]++
				if len(c) < L {
					rec(i+1, c)
				}
			}
		}
		rec(0, nil)
	}
	return out
}
