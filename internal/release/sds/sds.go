// Package sds implements the aggregate-based privacy methods of Microsoft's
// Synthetic Data Showcase (SDS), which CTDC (IOM) uses to publish victim
// data: k-anonymous aggregates (counts of attribute combinations rounded
// down to a resolution), differentially private aggregates ("DP marginals",
// Gopi, Mahabadi, Yekhanin et al.), aggregate-seeded synthesis of microdata
// from released aggregates only (which, like SDS, adds records until the
// released single-attribute counts are used up, so the synthetic table may
// hold more records than the released total: "record expansion"), and the
// SDS evaluation metrics.
//
// Vocabulary. An item is a (column, value) pair for a non-empty cell; a
// combination is a set of items from distinct columns; its count is the
// number of records holding all of its items. Empty cells form no items, so
// "missing" is never counted as a value.
//
// Internally items are integer-encoded (one id per distinct (column, value),
// assigned column by column, values sorted), and a combination is packed
// into a uint64 with one fixed-width field per item. That is what keeps the
// counting of millions of combinations within seconds.
package sds

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// Item is one attribute value: a column and a non-empty value.
type Item struct{ Column, Value string }

// Combination is a set of items from distinct columns, sorted by the
// position of their column in the input table's Columns.
type Combination []Item

// String renders the combination as "col:value;col:value", for logs and
// test messages.
func (c Combination) String() string {
	parts := make([]string, len(c))
	for i, it := range c {
		parts[i] = it.Column + ":" + it.Value
	}
	return strings.Join(parts, ";")
}

// Aggregate is a released combination and its count. K-anonymous counts are
// integral; DP counts are integral once released (they are rounded to the
// resolution), the float type only leaves room for unrounded uses.
type Aggregate struct {
	Combo Combination
	Count float64
}

// Aggregates is a release: the counts of attribute combinations of length
// 1..ReportingLength. It is all that Synthesize reads.
type Aggregates struct {
	Columns         []string    // attribute columns, in order
	Total           int         // released (possibly noisy) record count
	ReportingLength int         // longest released combination
	Items           []Aggregate // sorted by length, then columns, then values
}

// encoder maps (column, value) pairs to dense item ids 1..n (0 is the empty
// field of a packed key) and back.
type encoder struct {
	cols   []string
	ids    []map[string]uint32 // per column: value -> id
	items  []Item              // id -> item; items[0] unused
	colOf  []int32             // id -> column position
	first  []uint32            // per column: smallest id (ids of a column are contiguous)
	bits   uint                // width of one field of a packed key
	maxLen int                 // longest combination a key can hold
}

// newEncoder assigns ids to the values of the given columns, gathered from
// value sets (one set per column), sorted so that ids follow column order
// then value order; that makes key order match the documented output order.
func newEncoder(cols []string, values []map[string]struct{}) *encoder {
	e := &encoder{cols: cols, ids: make([]map[string]uint32, len(cols)), items: []Item{{}}, colOf: []int32{-1}, first: make([]uint32, len(cols)+1)}
	for j, set := range values {
		vs := make([]string, 0, len(set))
		for v := range set {
			vs = append(vs, v)
		}
		slices.Sort(vs)
		e.ids[j] = make(map[string]uint32, len(vs))
		e.first[j] = uint32(len(e.items))
		for _, v := range vs {
			e.ids[j][v] = uint32(len(e.items))
			e.items = append(e.items, Item{Column: cols[j], Value: v})
			e.colOf = append(e.colOf, int32(j))
		}
	}
	e.first[len(cols)] = uint32(len(e.items))
	e.bits = uint(bits.Len32(uint32(len(e.items) - 1)))
	if e.bits == 0 {
		e.bits = 1
	}
	e.maxLen = int(64 / e.bits)
	return e
}

// tableValues collects, per column, the distinct non-empty values.
func tableValues(t *table.Table) []map[string]struct{} {
	out := make([]map[string]struct{}, len(t.Columns))
	for j := range out {
		out[j] = map[string]struct{}{}
	}
	for _, r := range t.Rows {
		for j, v := range r {
			if v != "" {
				out[j][v] = struct{}{}
			}
		}
	}
	return out
}

// encodeRows turns each row into the ascending ids of its non-empty cells.
// Values unknown to the encoder are skipped (they cannot be in a release).
// The ids share one backing array to keep 200,000 rows cheap.
func (e *encoder) encodeRows(t *table.Table, colIdx []int) [][]uint32 {
	n := 0
	for _, r := range t.Rows {
		for _, j := range colIdx {
			if r[j] != "" {
				n++
			}
		}
	}
	flat := make([]uint32, 0, n)
	out := make([][]uint32, len(t.Rows))
	for i, r := range t.Rows {
		start := len(flat)
		for k, j := range colIdx {
			if v := r[j]; v != "" {
				if id, ok := e.ids[k][v]; ok {
					flat = append(flat, id)
				}
			}
		}
		out[i] = flat[start:len(flat):len(flat)]
	}
	return out
}

// pack builds the key of ascending ids.
func (e *encoder) pack(ids []uint32) uint64 {
	var k uint64
	for i, id := range ids {
		k |= uint64(id) << (e.bits * uint(i))
	}
	return k
}

// unpack appends the ids of a key to dst.
func (e *encoder) unpack(dst []uint32, k uint64) []uint32 {
	mask := uint64(1)<<e.bits - 1
	for ; k != 0; k >>= e.bits {
		dst = append(dst, uint32(k&mask))
	}
	return dst
}

// keyLen is the number of items in a key.
func (e *encoder) keyLen(k uint64) int {
	n := 0
	for ; k != 0; k >>= e.bits {
		n++
	}
	return n
}

// checkLength rejects reporting lengths a packed key cannot hold.
func (e *encoder) checkLength(l int) error {
	if l > e.maxLen {
		return derrors.Kindf(derrors.TooLarge, "reportingLength: %d is too long for %d distinct values (at most %d)", l, len(e.items)-1, e.maxLen)
	}
	return nil
}

// without reports the key of the combination ids minus its i-th item: the
// parents of a combination are its keys without each item in turn.
func (e *encoder) without(ids []uint32, i int) uint64 {
	var k uint64
	p := uint(0)
	for j, id := range ids {
		if j == i {
			continue
		}
		k |= uint64(id) << (e.bits * p)
		p++
	}
	return k
}

// sortedAggregates turns counts into the documented deterministic order:
// length, then the column positions, then the value ids.
func (e *encoder) sortedAggregates(counts map[uint64]float64) []Aggregate {
	type row struct {
		ids []uint32
		n   float64
	}
	rows := make([]row, 0, len(counts))
	for k, n := range counts {
		rows = append(rows, row{e.unpack(nil, k), n})
	}
	slices.SortFunc(rows, func(a, b row) int {
		if c := cmp.Compare(len(a.ids), len(b.ids)); c != 0 {
			return c
		}
		for i := range a.ids {
			if c := cmp.Compare(e.colOf[a.ids[i]], e.colOf[b.ids[i]]); c != 0 {
				return c
			}
		}
		return slices.Compare(a.ids, b.ids)
	})
	out := make([]Aggregate, len(rows))
	for i, r := range rows {
		c := make(Combination, len(r.ids))
		for j, id := range r.ids {
			c[j] = e.items[id]
		}
		out[i] = Aggregate{Combo: c, Count: r.n}
	}
	return out
}

// checkTable rejects a nil table or ragged rows before any method runs.
func checkTable(t *table.Table) error {
	if t == nil {
		return derrors.Kindf(derrors.Invalid, "table: is nil")
	}
	if len(t.Columns) == 0 {
		return derrors.Kindf(derrors.Invalid, "table: has no columns")
	}
	for i, r := range t.Rows {
		if len(r) != len(t.Columns) {
			return derrors.Kindf(derrors.Invalid, "table: row %d has %d cells, the header %d", i+1, len(r), len(t.Columns))
		}
	}
	return nil
}

// identity returns 0..n-1, the column mapping of a table onto itself.
func identity(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
