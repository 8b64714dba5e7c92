package kanon

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Hierarchy generalises one column. Levels[0] is the identity (every
// value maps to itself); Levels[i] maps each original value to its
// generalisation at level i; the last level maps every value to "*".
// Every level has the same keys (the column's domain). Missing cells ("")
// are not keys: they stay "" at every level.
type Hierarchy struct {
	Column string
	Levels []map[string]string
}

// NewHierarchy builds a Hierarchy from its levels, the identity level
// first, and validates it: the identity level, equal key sets, a last
// level of "*" only, and monotonicity (values equal at level i stay equal
// at level i+1), which the lattice search relies on.
func NewHierarchy(column string, levels ...map[string]string) (Hierarchy, error) {
	h := Hierarchy{Column: column, Levels: levels}
	if err := h.validate(); err != nil {
		return Hierarchy{}, err
	}
	return h, nil
}

// IntervalHierarchy builds a hierarchy for integer codes such as years.
// Each width groups the integers into aligned ranges ("2005-2009" for
// width 5: floor(v/w)*w to that plus w-1); a final level maps to "*".
// Each width must be a multiple of the previous one so that ranges nest.
// Empty strings in values are skipped (missing cells need no entry).
func IntervalHierarchy(column string, values []string, widths ...int) (Hierarchy, error) {
	for i, w := range widths {
		if w < 1 {
			return Hierarchy{}, derrors.Kindf(derrors.Invalid, "column %q: interval width %d must be at least 1", column, w)
		}
		if i > 0 && w%widths[i-1] != 0 {
			return Hierarchy{}, derrors.Kindf(derrors.Invalid, "column %q: interval width %d is not a multiple of %d, so ranges would not nest", column, w, widths[i-1])
		}
	}
	levels := make([]map[string]string, len(widths)+2)
	for i := range levels {
		levels[i] = make(map[string]string, len(values))
	}
	for _, v := range values {
		if v == "" {
			continue
		}
		x, err := strconv.Atoi(v)
		if err != nil {
			return Hierarchy{}, derrors.Kindf(derrors.Invalid, "column %q: value %q is not an integer", column, v)
		}
		levels[0][v] = v
		for i, w := range widths {
			lo := floorDiv(x, w) * w
			levels[i+1][v] = fmt.Sprintf("%d-%d", lo, lo+w-1)
		}
		levels[len(levels)-1][v] = "*"
	}
	return NewHierarchy(column, levels...)
}

// floorDiv rounds towards minus infinity so negative codes group the same
// way as positive ones.
func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// validate checks the structural rules documented on Hierarchy.
func (h Hierarchy) validate() error {
	if h.Column == "" {
		return derrors.Kindf(derrors.Invalid, "parameter QuasiIdentifiers: a hierarchy has an empty column name")
	}
	if len(h.Levels) < 2 {
		return derrors.Kindf(derrors.Invalid, "column %q: hierarchy needs at least 2 levels (identity and \"*\"), got %d", h.Column, len(h.Levels))
	}
	base := h.Levels[0]
	for _, v := range sortedKeys(base) {
		if v == "" {
			return derrors.Kindf(derrors.Invalid, "column %q: hierarchy level 0 has an empty value (missing cells need no entry)", h.Column)
		}
		if base[v] != v {
			return derrors.Kindf(derrors.Invalid, "column %q: hierarchy level 0 must be the identity, but maps %q to %q", h.Column, v, base[v])
		}
	}
	for i, lv := range h.Levels[1:] {
		if err := h.sameKeys(i+1, lv); err != nil {
			return err
		}
		for _, v := range sortedKeys(lv) {
			if lv[v] == "" {
				return derrors.Kindf(derrors.Invalid, "column %q: hierarchy level %d maps %q to \"\", which would read as missing", h.Column, i+1, v)
			}
		}
	}
	last := len(h.Levels) - 1
	for _, v := range sortedKeys(base) {
		if g := h.Levels[last][v]; g != "*" {
			return derrors.Kindf(derrors.Invalid, "column %q: the last hierarchy level must map every value to \"*\", but maps %q to %q", h.Column, v, g)
		}
	}
	for i := 0; i < last; i++ {
		if err := h.monotone(i); err != nil {
			return err
		}
	}
	return nil
}

// sameKeys reports a value of the domain that level i lacks, or a value
// level i has that the domain lacks.
func (h Hierarchy) sameKeys(i int, lv map[string]string) error {
	base := h.Levels[0]
	for _, v := range sortedKeys(base) {
		if _, ok := lv[v]; !ok {
			return derrors.Kindf(derrors.Invalid, "column %q: value %q is missing from hierarchy level %d", h.Column, v, i)
		}
	}
	for _, v := range sortedKeys(lv) {
		if _, ok := base[v]; !ok {
			return derrors.Kindf(derrors.Invalid, "column %q: value %q is in hierarchy level %d but not in level 0", h.Column, v, i)
		}
	}
	return nil
}

// monotone checks that values sharing a generalisation at level i share
// one at level i+1; without it a generalisation could split a class and
// predictive tagging would be wrong.
func (h Hierarchy) monotone(i int) error {
	type seen struct{ value, next string }
	first := map[string]seen{}
	for _, v := range sortedKeys(h.Levels[0]) {
		g, next := h.Levels[i][v], h.Levels[i+1][v]
		if s, ok := first[g]; ok && s.next != next {
			return derrors.Kindf(derrors.Invalid, "column %q: hierarchy is not monotone: %q and %q share %q at level %d but become %q and %q at level %d",
				h.Column, s.value, v, g, i, s.next, next, i+1)
		}
		if _, ok := first[g]; !ok {
			first[g] = seen{v, next}
		}
	}
	return nil
}

// sortedKeys makes iteration (and so codes and error messages) deterministic.
func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
