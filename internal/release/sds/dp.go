package sds

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"github.com/corridor-platform/corridor/internal/release/table"
)

// DPAggregates releases differentially private counts of the combinations
// of length 1..ReportingLength, following SDS's DP marginals:
//
//  1. for each length k, a contribution bound Δk is chosen by a DP
//     percentile (exponential mechanism) of the per-record numbers of
//     k-combinations;
//  2. length by length, the candidates are the items present in the data
//     (k = 1) or every combination whose (k−1)-sub-combinations were all
//     released (k >= 2, including combinations absent from the data, so
//     that absence is not revealed); each record contributes to at most Δk
//     of its candidate combinations, sampled at random;
//  3. each candidate count gets Gaussian noise N(0, σk²·Δk) and survives if
//     above the length's threshold;
//  4. counts are made consistent (a combination's count is lowered to the
//     smallest count of its sub-combinations), rounded to the nearest
//     multiple of Resolution, and zero counts are dropped;
//  5. the record count gets Laplace noise of scale 1/εN.
//
// The Budget returned details the spending (see DPParams for the
// accounting). The seed drives a PCG generator: same input, parameters and
// seed give the same release.
func DPAggregates(t *table.Table, p DPParams, seed uint64) (*Aggregates, Budget, error) {
	if err := checkTable(t); err != nil {
		return nil, Budget{}, err
	}
	pl, err := planBudget(p)
	if err != nil {
		return nil, Budget{}, err
	}
	p = pl.p
	e := newEncoder(t.Columns, tableValues(t))
	if err := e.checkLength(p.ReportingLength); err != nil {
		return nil, Budget{}, err
	}
	rows := e.encodeRows(t, identity(len(t.Columns)))
	rng := rand.New(rand.NewPCG(seed, 0x5d5_a99))
	deltas := contributionBounds(rows, len(t.Columns), p, pl.epsQ, rng)
	released := make([]map[uint64]float64, p.ReportingLength+1)
	for k := 1; k <= p.ReportingLength; k++ {
		cands := candidates(e, k, released[k-1])
		counts := boundedCounts(e, rows, k, deltas[k-1], cands, released, rng.Uint64())
		std := pl.sigmas[k-1] * math.Sqrt(float64(deltas[k-1]))
		thr := pl.threshold1(deltas[0])
		if k > 1 {
			thr = pl.thresholdK(k, deltas[k-1])
		}
		released[k] = make(map[uint64]float64)
		for i, key := range cands.keys {
			if v := float64(counts[i]) + std*rng.NormFloat64(); v > thr {
				released[k][key] = v
			}
		}
		if len(released[k]) == 0 {
			released = released[:k+1]
			break
		}
	}
	out := consistent(e, released, float64(p.Resolution))
	total := float64(len(rows)) + (rng.ExpFloat64()-rng.ExpFloat64())/pl.epsN
	res := float64(p.Resolution)
	return &Aggregates{
		Columns:         append([]string(nil), t.Columns...),
		Total:           int(max(0, math.Round(total/res)*res)),
		ReportingLength: p.ReportingLength,
		Items:           e.sortedAggregates(out),
	}, pl.budget(deltas), nil
}

// contributionBounds picks Δk for k = 1..R with the DP percentile; a record
// with n non-empty items has C(n, k) k-combinations.
func contributionBounds(rows [][]uint32, ncols int, p DPParams, eps float64, rng *rand.Rand) []int {
	hist := make([]int, ncols+1) // records by number of non-empty items
	for _, r := range rows {
		hist[len(r)]++
	}
	out := make([]int, p.ReportingLength)
	for k := 1; k <= p.ReportingLength; k++ {
		out[k-1] = dpPercentile(hist, k, float64(p.PercentilePercentage)/100, eps, rng)
	}
	return out
}

// dpPercentile draws v in the public range [1, C(m, k)] (m = the number
// of columns) by the exponential mechanism with utility
// −|#{records with C(n, k) <= v} − q·N|, whose sensitivity under adding or
// removing a record is at most 1; hence ε-DP with weights exp(ε·u/2). The
// utility is constant on [C(n, k), C(n+1, k) − 1], so the draw picks such
// an interval (weighted by its length) and then a value in it uniformly.
func dpPercentile(hist []int, k int, q, eps float64, rng *rand.Rand) int {
	m := len(hist) - 1
	if m < k {
		return 1
	}
	total := 0
	for _, c := range hist {
		total += c
	}
	below := 0
	for n := 0; n < k; n++ {
		below += hist[n]
	}
	type span struct{ lo, n, logw float64 }
	spans := make([]span, 0, m-k+1)
	for n := k; n <= m; n++ {
		below += hist[n]
		lo, hi := choose(n, k), choose(n+1, k)-1
		if n == m {
			hi = lo
		}
		u := -math.Abs(float64(below) - q*float64(total))
		spans = append(spans, span{lo, hi - lo + 1, math.Log(hi-lo+1) + eps*u/2})
	}
	top := math.Inf(-1)
	for _, s := range spans {
		top = max(top, s.logw)
	}
	sum := 0.0
	for _, s := range spans {
		sum += math.Exp(s.logw - top)
	}
	x := rng.Float64() * sum
	for _, s := range spans {
		if x -= math.Exp(s.logw - top); x <= 0 {
			return int(min(s.lo+math.Floor(rng.Float64()*s.n), math.MaxInt32))
		}
	}
	return int(min(spans[len(spans)-1].lo, math.MaxInt32))
}

// candidateSet indexes the candidate combinations of one length.
type candidateSet struct {
	keys  []uint64
	index map[uint64]int32
}

// candidates lists the length-k candidates: for k = 1 every item, for
// k >= 2 every combination of distinct columns whose (k−1)-sub-combinations
// are all in prev. It joins pairs of prev combinations sharing their first
// k−2 items (the apriori join) and checks the remaining parents.
func candidates(e *encoder, k int, prev map[uint64]float64) candidateSet {
	cs := candidateSet{index: map[uint64]int32{}}
	add := func(key uint64) {
		cs.index[key] = int32(len(cs.keys))
		cs.keys = append(cs.keys, key)
	}
	if k == 1 {
		for id := 1; id < len(e.items); id++ {
			add(uint64(id))
		}
		return cs
	}
	parents := make([][]uint32, 0, len(prev))
	for key := range prev {
		parents = append(parents, e.unpack(make([]uint32, 0, k-1), key))
	}
	slices.SortFunc(parents, slices.Compare)
	ids := make([]uint32, k)
	for i := 0; i < len(parents); {
		j := i + 1
		for j < len(parents) && slices.Equal(parents[j][:k-2], parents[i][:k-2]) {
			j++
		}
		for a := i; a < j; a++ {
			for b := a + 1; b < j; b++ {
				x, y := parents[a][k-2], parents[b][k-2]
				if e.colOf[x] == e.colOf[y] {
					continue
				}
				copy(ids, parents[a])
				ids[k-1] = y
				if allParents(e, ids, prev, k-2) {
					add(e.pack(ids))
				}
			}
		}
		i = j
	}
	return cs
}

// allParents reports whether dropping each of the first n items of ids
// leaves a combination in prev (the others are known to be in it).
func allParents(e *encoder, ids []uint32, prev map[uint64]float64, n int) bool {
	for i := range n {
		if _, ok := prev[e.without(ids, i)]; !ok {
			return false
		}
	}
	return true
}

// boundChunks is the fixed number of row chunks of the contribution
// sampling; fixing it (rather than using the core count) keeps the release
// reproducible from the seed on any machine.
const boundChunks = 8

// boundedCounts counts, for each candidate, the records contributing to it,
// each record contributing to at most d of its candidate k-combinations,
// drawn uniformly at random.
func boundedCounts(e *encoder, rows [][]uint32, k, d int, cs candidateSet, released []map[uint64]float64, seed uint64) []uint32 {
	parts := make([][]uint32, boundChunks)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for c := range boundChunks {
		lo, hi := c*len(rows)/boundChunks, (c+1)*len(rows)/boundChunks
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			rng := rand.New(rand.NewPCG(seed, uint64(c)))
			parts[c] = boundRange(e, rows[lo:hi], k, d, cs, released, rng)
		})
	}
	wg.Wait()
	out := parts[0]
	for _, p := range parts[1:] {
		for i, n := range p {
			out[i] += n
		}
	}
	return out
}

func boundRange(e *encoder, rows [][]uint32, k, d int, cs candidateSet, released []map[uint64]float64, rng *rand.Rand) []uint32 {
	counts := make([]uint32, len(cs.keys))
	w := recordWalker{e: e, k: k, cs: cs, released: released, scratch: make([][]uint32, k)}
	for _, r := range rows {
		w.found = w.found[:0]
		w.walk(r, 0, 0)
		f := w.found
		if len(f) > d {
			for i := range d { // partial Fisher–Yates: a uniform d-subset
				j := i + rng.IntN(len(f)-i)
				f[i], f[j] = f[j], f[i]
			}
			f = f[:d]
		}
		for _, i := range f {
			counts[i]++
		}
	}
	return counts
}

// recordWalker enumerates a record's candidate k-combinations. Prefixes
// are extended only while released (every sub-combination of a candidate
// is released), which prunes most of the C(n, k) combinations.
type recordWalker struct {
	e        *encoder
	k        int
	cs       candidateSet
	released []map[uint64]float64
	scratch  [][]uint32
	found    []int32
}

func (w *recordWalker) walk(ids []uint32, key uint64, depth int) {
	shift := w.e.bits * uint(depth)
	for i, id := range ids {
		kk := key | uint64(id)<<shift
		if depth+1 == w.k {
			if j, ok := w.cs.index[kk]; ok {
				w.found = append(w.found, j)
			}
			continue
		}
		if _, ok := w.released[depth+1][kk]; ok && i+1 < len(ids) {
			w.walk(ids[i+1:], kk, depth+1)
		}
	}
}

// consistent lowers each combination's count to the smallest count of its
// sub-combinations (lengths in increasing order, so parents are final),
// rounds to the nearest multiple of res and drops zeros. Rounding is
// monotone, so children stay at or below their parents, and a child of a
// dropped parent rounds to 0 and is dropped too.
func consistent(e *encoder, released []map[uint64]float64, res float64) map[uint64]float64 {
	out := map[uint64]float64{}
	ids := make([]uint32, 0, len(released))
	for k := 2; k < len(released); k++ {
		for key, v := range released[k] {
			ids = e.unpack(ids[:0], key)
			for i := range ids {
				v = min(v, released[k-1][e.without(ids, i)])
			}
			released[k][key] = v
		}
	}
	for k := 1; k < len(released); k++ {
		for key, v := range released[k] {
			if r := math.Round(v/res) * res; r > 0 {
				out[key] = r
			}
		}
	}
	return out
}
