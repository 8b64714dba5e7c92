package kanon

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/corridor-platform/corridor/internal/release/table"
)

// TestFindersAgree rolls every node up with the dense, uint64 and string
// finders (the latter two forced) and expects identical class tables.
func TestFindersAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tab := &table.Table{Columns: []string{"a", "b", "c", "s"}}
	var qis []Hierarchy
	for _, col := range tab.Columns[:3] {
		lv := []map[string]string{{}, {}, {}}
		for v := range 100 {
			x := fmt.Sprint(v)
			lv[0][x], lv[1][x], lv[2][x] = x, fmt.Sprint(v/10), "*"
		}
		h, err := NewHierarchy(col, lv...)
		if err != nil {
			t.Fatal(err)
		}
		qis = append(qis, h)
	}
	for range 500 {
		tab.Rows = append(tab.Rows, []string{fmt.Sprint(rng.IntN(100)), fmt.Sprint(rng.IntN(100)), fmt.Sprint(rng.IntN(100)), fmt.Sprint(rng.IntN(4))})
	}
	d, err := encode(tab, Params{K: 2, QuasiIdentifiers: qis, Sensitive: "s", L: 3})
	if err != nil {
		t.Fatal(err)
	}
	lat := newLattice(d.heights)
	for id := range lat.size {
		lv := lat.levels(id, nil)
		want := d.rollup(d.records, lv, nil)
		strides := d.strides
		d.strides = nil
		got := d.rollup(d.records, lv, nil)
		d.strides = strides
		if !slices.Equal(want.counts, got.counts) || !slices.Equal(want.reps, got.reps) || !slices.Equal(want.sens, got.sens) || !slices.Equal(want.nsens, got.nsens) {
			t.Errorf("node %v: string-key rollup differs", lv)
		}
		if want.len() > 1000 || (id == 0 && want.len() < 400) {
			t.Errorf("node %v: %d classes", lv, want.len())
		}
	}
}

func TestEmptyTable(t *testing.T) {
	tab := &table.Table{Columns: []string{"age", "sex", "diag"}}
	res, err := Anonymise(tab, Params{K: 5, QuasiIdentifiers: fixtureQIs(t)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Suppressed != 0 || len(res.Table.Rows) != 0 || res.Levels["age"] != 0 || res.Metrics != (Metrics{}) {
		t.Errorf("empty table: %+v", res)
	}
}
