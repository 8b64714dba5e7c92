package kanon

import (
	"fmt"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// Check verifies independently of the search that t is k-anonymous over
// qis and, if sensitive is not "" and l > 1, distinct l-diverse (missing
// sensitive values do not count as a value; l = 1 imposes nothing, as in
// Anonymise). It groups the rows by their QI values
// as they stand; it knows nothing of hierarchies. It returns the number of
// classes and the smallest class size, and an error wrapping
// derrors.Invalid that names the first class (in order of first row) with
// fewer than k records or fewer than l distinct sensitive values.
func Check(t *table.Table, qis []string, k int, sensitive string, l int) (classes int, minSize int, err error) {
	cols, sens, err := checkParams(t, qis, k, sensitive, l)
	if err != nil {
		return 0, 0, err
	}
	type class struct {
		first int
		size  int
		vals  map[string]bool
	}
	byKey := map[string]*class{}
	var order []*class
	var b strings.Builder
	for i, r := range t.Rows {
		if len(r) != len(t.Columns) {
			return 0, 0, derrors.Kindf(derrors.Invalid, "row %d: has %d cells, the header has %d", i+1, len(r), len(t.Columns))
		}
		b.Reset()
		for _, c := range cols {
			b.WriteString(r[c])
			b.WriteByte(0)
		}
		c, ok := byKey[b.String()]
		if !ok {
			c = &class{first: i, vals: map[string]bool{}}
			byKey[b.String()] = c
			order = append(order, c)
		}
		c.size++
		if sens >= 0 && r[sens] != "" {
			c.vals[r[sens]] = true
		}
	}
	for _, c := range order {
		if minSize == 0 || c.size < minSize {
			minSize = c.size
		}
	}
	for _, c := range order {
		if c.size < k {
			return len(order), minSize, derrors.Kindf(derrors.Invalid, "class %s has %d records, fewer than k=%d", describe(t, qis, cols, c.first), c.size, k)
		}
		if sens >= 0 && l > 1 && len(c.vals) < l {
			return len(order), minSize, derrors.Kindf(derrors.Invalid, "class %s has %d distinct values of %q, fewer than l=%d", describe(t, qis, cols, c.first), len(c.vals), sensitive, l)
		}
	}
	return len(order), minSize, nil
}

// checkParams validates Check's arguments and resolves column positions.
func checkParams(t *table.Table, qis []string, k int, sensitive string, l int) ([]int, int, error) {
	if t == nil {
		return nil, 0, derrors.Kindf(derrors.Invalid, "parameter table: is nil")
	}
	if k < 1 {
		return nil, 0, derrors.Kindf(derrors.Invalid, "parameter k: must be at least 1 (got %d)", k)
	}
	if len(qis) == 0 {
		return nil, 0, derrors.Kindf(derrors.Invalid, "parameter qis: at least one column is required")
	}
	cols := make([]int, len(qis))
	for j, q := range qis {
		if cols[j] = t.Index(q); cols[j] < 0 {
			return nil, 0, derrors.Kindf(derrors.Invalid, "parameter qis: column %q is not in the table", q)
		}
	}
	sens := -1
	if sensitive != "" {
		if sens = t.Index(sensitive); sens < 0 {
			return nil, 0, derrors.Kindf(derrors.Invalid, "parameter sensitive: column %q is not in the table", sensitive)
		}
		if l < 1 {
			return nil, 0, derrors.Kindf(derrors.Invalid, "parameter l: must be at least 1 with a sensitive column (got %d)", l)
		}
	}
	return cols, sens, nil
}

// describe names a class by its QI values, e.g. {gender="Man", ageBroad="*"}.
func describe(t *table.Table, qis []string, cols []int, row int) string {
	parts := make([]string, len(qis))
	for j, q := range qis {
		parts[j] = fmt.Sprintf("%s=%q", q, t.Rows[row][cols[j]])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
