package kanon

import (
	"cmp"
	"slices"
)

// lattice is the set of level vectors, node ids in mixed radix.
type lattice struct {
	heights []int
	mult    []int
	size    int
}

// newLattice numbers nodes with the first QI varying fastest.
func newLattice(heights []int) lattice {
	lt := lattice{heights: heights, mult: make([]int, len(heights)), size: 1}
	for j, h := range heights {
		lt.mult[j] = lt.size
		lt.size *= h
	}
	return lt
}

// levels decodes node id into dst (allocated if nil).
func (lt lattice) levels(id int, dst []int) []int {
	if dst == nil {
		dst = make([]int, len(lt.heights))
	}
	for j, h := range lt.heights {
		dst[j] = id / lt.mult[j] % h
	}
	return dst
}

// level is QI j's level in node id.
func (lt lattice) level(id, j int) int { return id / lt.mult[j] % lt.heights[j] }

// Node states: what is known about a node.
const (
	stAnon      uint8 = 1 << iota // satisfies the privacy model (checked or predicted)
	stNotAnon                     // does not (checked or predicted)
	stPruned                      // its metric bound exceeds the best value found
	stEvaluated                   // its class table was computed and its metric known
)

// search holds the state of one Flash-style traversal.
type search struct {
	d       *dataset
	metric  string
	lat     lattice
	state   []uint8
	lbs     []float64
	sums    []int
	base    *classTable // the bottom node's table, kept as the fallback source
	cache   []*classTable
	cached  int // classes held in cache
	checked int
	best    int
	bestVal float64
	buf     []int
}

// Cache limits: enough to keep the nodes of a few paths, bounded in memory.
const (
	maxCachedTables  = 64
	maxCachedClasses = 4 << 20
)

// newSearch precomputes every node's bound and level sum: O(lattice × QIs),
// negligible beside one pass over the records.
func newSearch(d *dataset, metric string) *search {
	s := &search{d: d, metric: metric, lat: newLattice(d.heights), best: -1}
	s.state = make([]uint8, s.lat.size)
	s.lbs = make([]float64, s.lat.size)
	s.sums = make([]int, s.lat.size)
	lv := make([]int, d.q)
	for id := range s.lat.size {
		s.lat.levels(id, lv)
		s.lbs[id] = d.lowerBound(metric, lv)
		for _, x := range lv {
			s.sums[id] += x
		}
	}
	s.buf = lv
	return s
}

// run traverses the lattice and returns the optimal node, or -1 if no
// node satisfies the privacy model.
//
// Phase 1 is Flash's traversal: nodes are visited bottom-up by level sum;
// from each node whose status is unknown a path is built upwards, always
// to the untagged successor with the smallest metric bound, and the
// lowest acceptable node on it is found by binary search. Each check tags
// predictively: an acceptable node makes all generalisations acceptable,
// an unacceptable one all specialisations unacceptable. Checked
// acceptable nodes update the best value, and every node whose bound
// exceeds it is pruned with its generalisations (bounds are monotone).
//
// Phase 2 makes the result optimal rather than merely minimal: nodes
// tagged acceptable by prediction have no metric yet, so they are
// evaluated in increasing order of bound until the bound exceeds the best
// value. Every node not evaluated is then unacceptable or has a bound,
// and so a metric, no better than the best.
func (s *search) run() int {
	for _, id := range s.order() {
		if s.state[id]&(stAnon|stNotAnon|stPruned) != 0 {
			continue
		}
		if s.prunable(id) {
			s.pruneUp(id)
			continue
		}
		s.checkPath(s.path(id))
	}
	var rest []int
	for id, st := range s.state {
		if st&stAnon != 0 && st&(stEvaluated|stPruned) == 0 {
			rest = append(rest, id)
		}
	}
	slices.SortFunc(rest, func(a, b int) int { return cmp.Or(cmp.Compare(s.lbs[a], s.lbs[b]), cmp.Compare(a, b)) })
	for _, id := range rest {
		if s.prunable(id) {
			break
		}
		s.evaluate(id)
	}
	return s.best
}

// order lists node ids by level sum, then id: bottom-up as in Flash.
func (s *search) order() []int {
	ids := make([]int, s.lat.size)
	for i := range ids {
		ids[i] = i
	}
	slices.SortStableFunc(ids, func(a, b int) int { return cmp.Compare(s.sums[a], s.sums[b]) })
	return ids
}

// prunable reports whether id cannot beat the best node found so far.
func (s *search) prunable(id int) bool {
	return s.best >= 0 && s.lbs[id] > s.bestVal+tolerance(s.bestVal)
}

// path follows untagged, unprunable successors from id upwards, taking
// the one with the smallest bound (then smallest id) at each step.
func (s *search) path(id int) []int {
	p := []int{id}
	for cur := id; ; {
		next := -1
		for j, h := range s.lat.heights {
			if s.lat.level(cur, j)+1 >= h {
				continue
			}
			c := cur + s.lat.mult[j]
			if s.state[c]&(stAnon|stNotAnon|stPruned) != 0 || s.prunable(c) {
				continue
			}
			if next < 0 || s.lbs[c] < s.lbs[next] || (s.lbs[c] == s.lbs[next] && c < next) {
				next = c
			}
		}
		if next < 0 {
			return p
		}
		p = append(p, next)
		cur = next
	}
}

// checkPath binary-searches path for its lowest acceptable node. Path
// nodes are ordered by generalisation, so acceptability is monotone
// along it.
func (s *search) checkPath(path []int) {
	lo, hi := 0, len(path)-1
	for lo <= hi {
		mid := (lo + hi) / 2
		id := path[mid]
		switch {
		case s.state[id]&stAnon != 0:
			hi = mid - 1
		case s.state[id]&stNotAnon != 0:
			lo = mid + 1
		case s.prunable(id):
			// Everything above is pruned too; only lower nodes may still matter.
			s.pruneUp(id)
			hi = mid - 1
		case s.evaluate(id):
			hi = mid - 1
		default:
			lo = mid + 1
		}
	}
}

// evaluate computes id's class table, tags it and its neighbours
// predictively, updates the best node and reports acceptability.
func (s *search) evaluate(id int) bool {
	lv := s.lat.levels(id, s.buf)
	ct := s.d.rollup(s.source(lv), lv, nil)
	s.remember(ct)
	if id == 0 {
		s.base = ct // fewer classes than records whenever records repeat
	}
	s.checked++
	a := s.d.assess(ct)
	s.state[id] |= stEvaluated
	if !a.ok {
		s.tag(id, stNotAnon, -1)
		return false
	}
	s.tag(id, stAnon, +1)
	v := a.metrics.value(s.metric)
	if s.best < 0 || v < s.bestVal-tolerance(s.bestVal) ||
		(v <= s.bestVal+tolerance(s.bestVal) && (s.sums[id] < s.sums[s.best] || (s.sums[id] == s.sums[s.best] && id < s.best))) {
		s.best, s.bestVal = id, v
	}
	if s.metric == metricDiscernibility && a.sumSqAll > s.bestVal+tolerance(s.bestVal) {
		// The suppression-free discernibility of id bounds that of every
		// generalisation (merging classes only grows squared sizes).
		s.pruneUp(id)
	}
	return true
}

// tag sets flag on id and, transitively, on its generalisations (dir +1)
// or specialisations (dir −1). It stops at nodes already flagged: their
// neighbours in that direction were flagged with them.
func (s *search) tag(id int, flag uint8, dir int) {
	stack := []int{id}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for j, h := range s.lat.heights {
			x := s.lat.level(cur, j) + dir
			if x < 0 || x >= h {
				continue
			}
			nb := cur + dir*s.lat.mult[j]
			if s.state[nb]&flag == 0 {
				s.state[nb] |= flag
				stack = append(stack, nb)
			}
		}
	}
	s.state[id] |= flag
}

// pruneUp marks id and its generalisations as unable to beat the best.
func (s *search) pruneUp(id int) {
	if s.state[id]&stPruned == 0 {
		s.tag(id, stPruned, +1)
	}
}

// source returns the cached class table with the fewest classes among
// specialisations of lv, falling back to the bottom node's table (Flash
// checks the bottom first) or, before that, to the records themselves.
func (s *search) source(lv []int) *classTable {
	src := s.d.records
	if s.base != nil {
		src = s.base
	}
	for _, ct := range s.cache {
		if ct.len() < src.len() && below(ct.levels, lv) {
			src = ct
		}
	}
	return src
}

// below reports whether a is a specialisation of (or equal to) b.
func below(a, b []int) bool {
	for j := range a {
		if a[j] > b[j] {
			return false
		}
	}
	return true
}

// remember caches ct, evicting the oldest tables beyond the limits.
func (s *search) remember(ct *classTable) {
	if ct.len() > maxCachedClasses {
		return
	}
	s.cache = append(s.cache, ct)
	s.cached += ct.len()
	for len(s.cache) > maxCachedTables || s.cached > maxCachedClasses {
		s.cached -= s.cache[0].len()
		s.cache = s.cache[1:]
	}
}
