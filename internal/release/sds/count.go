package sds

import (
	"runtime"
	"slices"
	"sync"
)

// bitMatrix is a square n×n bit matrix: adj.has(a, b) says the pair of item
// ids (a, b) may appear together. It prunes the combination enumeration: a
// combination with an infrequent pair can never be frequent.
type bitMatrix struct {
	n     int
	words int
	b     []uint64
}

func newBitMatrix(n int) *bitMatrix {
	w := (n + 63) / 64
	return &bitMatrix{n: n, words: w, b: make([]uint64, n*w)}
}

func (m *bitMatrix) set(a, b uint32) {
	m.b[int(a)*m.words+int(b>>6)] |= 1 << (b & 63)
	m.b[int(b)*m.words+int(a>>6)] |= 1 << (a & 63)
}

func (m *bitMatrix) has(a, b uint32) bool {
	return m.b[int(a)*m.words+int(b>>6)]&(1<<(b&63)) != 0
}

// counter counts, over encoded rows, every combination of length
// minLen..maxLen whose pairs are all allowed by adj (nil: no pruning).
//
// Counting is sort-based: each worker appends the packed keys of its rows'
// combinations to a slice, radix-sorts it and run-length encodes it; the
// workers' sorted runs are then merged. Streaming through memory this way
// is several times faster than incrementing a hash map of millions of
// keys, whose every update is a cache miss.
type counter struct {
	e              *encoder
	minLen, maxLen int
	adj            *bitMatrix
}

// counts is a sorted list of distinct keys and their counts.
type counts struct {
	keys []uint64
	n    []uint32
}

// count enumerates each row's combinations on every core; disjoint row
// ranges make the workers independent.
func (c *counter) count(rows [][]uint32) *counts {
	w := min(runtime.GOMAXPROCS(0), max(1, len(rows)/1000))
	parts := make([]*counts, w)
	var wg sync.WaitGroup
	for k := range w {
		lo, hi := k*len(rows)/w, (k+1)*len(rows)/w
		wg.Go(func() { parts[k] = c.countRange(rows[lo:hi]) })
	}
	wg.Wait()
	out := parts[0]
	for _, p := range parts[1:] {
		out = mergeCounts(out, p)
	}
	return out
}

func (c *counter) countRange(rows [][]uint32) *counts {
	est := 0.0 // combinations without pruning: an upper bound, avoids regrowth
	for _, r := range rows {
		for l := c.minLen; l <= c.maxLen; l++ {
			est += choose(len(r), l)
		}
	}
	keys := make([]uint64, 0, int(min(est, 1<<28)))
	scratch := make([][]uint32, c.maxLen)
	for _, r := range rows {
		keys = c.dfs(keys, r, 0, 0, scratch)
	}
	keys = radixSort(keys, uint(c.maxLen)*c.e.bits)
	out := &counts{keys: keys[:0], n: make([]uint32, 0, len(keys)/4)}
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		out.keys = append(out.keys, keys[i]) // in place: len(out.keys) <= i
		out.n = append(out.n, uint32(j-i))
		i = j
	}
	out.keys = slices.Clip(out.keys)
	return out
}

// mergeCounts merges two sorted count lists, adding the counts of equal
// keys.
func mergeCounts(a, b *counts) *counts {
	out := &counts{keys: make([]uint64, 0, len(a.keys)+len(b.keys)), n: make([]uint32, 0, len(a.keys)+len(b.keys))}
	i, j := 0, 0
	for i < len(a.keys) || j < len(b.keys) {
		switch {
		case j == len(b.keys) || (i < len(a.keys) && a.keys[i] < b.keys[j]):
			out.keys, out.n = append(out.keys, a.keys[i]), append(out.n, a.n[i])
			i++
		case i == len(a.keys) || b.keys[j] < a.keys[i]:
			out.keys, out.n = append(out.keys, b.keys[j]), append(out.n, b.n[j])
			j++
		default:
			out.keys, out.n = append(out.keys, a.keys[i]), append(out.n, a.n[i]+b.n[j])
			i, j = i+1, j+1
		}
	}
	return out
}

// radixSort sorts keys whose set bits are all below bits, by LSD radix
// sort on 11-bit digits; it returns the sorted slice (keys or a buffer).
func radixSort(keys []uint64, bits uint) []uint64 {
	const d = 11
	buf := make([]uint64, len(keys))
	for shift := uint(0); shift < bits; shift += d {
		var cnt [1 << d]int
		for _, k := range keys {
			cnt[(k>>shift)&(1<<d-1)]++
		}
		sum := 0
		for i, c := range cnt {
			cnt[i], sum = sum, sum+c
		}
		for _, k := range keys {
			b := (k >> shift) & (1<<d - 1)
			buf[cnt[b]] = k
			cnt[b]++
		}
		keys, buf = buf, keys
	}
	return keys
}

// dfs extends the combination key (depth items so far) with each candidate
// in turn, appending the keys of length >= minLen; the candidates for the
// next depth are those after it that pair with it, so only combinations
// whose pairs are all allowed are visited.
func (c *counter) dfs(keys []uint64, cands []uint32, key uint64, depth int, scratch [][]uint32) []uint64 {
	shift := c.e.bits * uint(depth)
	for i, id := range cands {
		k := key | uint64(id)<<shift
		if depth+1 >= c.minLen {
			keys = append(keys, k)
		}
		if depth+1 >= c.maxLen || i+1 == len(cands) {
			continue
		}
		next := scratch[depth][:0]
		if c.adj == nil {
			next = append(next, cands[i+1:]...)
		} else {
			for _, x := range cands[i+1:] {
				if c.adj.has(id, x) {
					next = append(next, x)
				}
			}
		}
		scratch[depth] = next
		keys = c.dfs(keys, next, k, depth+1, scratch)
	}
	return keys
}

// itemCounts counts single items into a dense array indexed by id.
func itemCounts(rows [][]uint32, nItems int) []uint32 {
	out := make([]uint32, nItems)
	for _, r := range rows {
		for _, id := range r {
			out[id]++
		}
	}
	return out
}

// choose is the binomial coefficient C(n, k) as a float (it may be large).
func choose(n, k int) float64 {
	if k < 0 || k > n {
		return 0
	}
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

// toMap returns the counts as a map, for random lookups.
func (c *counts) toMap() map[uint64]uint32 {
	m := make(map[uint64]uint32, len(c.keys))
	for i, k := range c.keys {
		m[k] = c.n[i]
	}
	return m
}
