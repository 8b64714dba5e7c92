package kanon

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// qiCodes is one quasi-identifier encoded as integers. Original values
// get codes 1..domain (sorted hierarchy keys); code 0 is a missing cell,
// which generalises to code 0 at every level. gen[lv][v] is the code of
// v's generalisation at level lv, an index into labels[lv].
type qiCodes struct {
	column   string
	col      int         // position in the input table
	labels   [][]string  // labels[lv][g]; labels[lv][0] == ""
	gen      [][]int32   // gen[lv][v]
	domain   int         // number of original values in the hierarchy
	cellLoss [][]float64 // cellLoss[lv][g]: (group size-1)/(domain-1); 0 for missing
	suppEnt  [][]float64 // suppEnt[lv][g]: log2(n/count(g)), the extra entropy of suppressing such a cell
	lossSum  []float64   // lossSum[lv]: sum over records of cellLoss, no suppression
	entSum   []float64   // entSum[lv]: non-uniform entropy of this QI, no suppression
	distinct []int       // distinct[lv]: generalised codes present in the data
}

// dataset is the encoded input shared by the search, Measure and output.
type dataset struct {
	t       *table.Table
	n, q    int
	qis     []qiCodes
	heights []int
	strides []uint64 // mixed-radix multipliers for packed keys; nil if codes do not fit 64 bits
	records *classTable
	k, l    int
	lw      int // sensitive values stored per class: min(l, distinct values)
	maxSupp int
	slots   []int32 // dense finder scratch, all -1 between calls
}

// encode validates p against t and builds the integer encoding. It does
// not validate K, L or the metric: callers do (see validateParams).
func encode(t *table.Table, p Params) (*dataset, error) {
	d := &dataset{t: t, n: len(t.Rows), q: len(p.QuasiIdentifiers), k: p.K, l: max(p.L, 1)}
	d.maxSupp = int(math.Floor(p.MaxSuppression*float64(d.n) + 1e-9))
	for i, r := range t.Rows {
		if len(r) != len(t.Columns) {
			return nil, derrors.Kindf(derrors.Invalid, "row %d: has %d cells, the header has %d", i+1, len(r), len(t.Columns))
		}
	}
	codes := make([][]int32, d.q)
	for j, h := range p.QuasiIdentifiers {
		qc, c, err := encodeQI(t, h)
		if err != nil {
			return nil, err
		}
		d.qis = append(d.qis, qc)
		d.heights = append(d.heights, len(h.Levels))
		codes[j] = c
	}
	sens := -1
	if p.Sensitive != "" {
		sens = t.Index(p.Sensitive)
	}
	d.records = d.recordTable(t, codes, sens)
	for j := range d.qis {
		d.qis[j].summarise(codes[j], d.n)
	}
	d.strides = packStrides(d.qis)
	return d, nil
}

// encodeQI codes one column with its hierarchy and returns the per-record codes.
func encodeQI(t *table.Table, h Hierarchy) (qiCodes, []int32, error) {
	col := t.Index(h.Column)
	if col < 0 {
		return qiCodes{}, nil, derrors.Kindf(derrors.Invalid, "parameter QuasiIdentifiers: column %q is not in the table", h.Column)
	}
	if err := h.validate(); err != nil {
		return qiCodes{}, nil, err
	}
	domain := sortedKeys(h.Levels[0])
	code := make(map[string]int32, len(domain))
	for i, v := range domain {
		code[v] = int32(i + 1)
	}
	qc := qiCodes{column: h.Column, col: col, domain: len(domain)}
	for _, lv := range h.Levels {
		labels, gen := []string{""}, make([]int32, len(domain)+1)
		index := map[string]int32{}
		for i, v := range domain {
			g, ok := index[lv[v]]
			if !ok {
				g = int32(len(labels))
				index[lv[v]] = g
				labels = append(labels, lv[v])
			}
			gen[i+1] = g
		}
		qc.labels, qc.gen = append(qc.labels, labels), append(qc.gen, gen)
	}
	out := make([]int32, len(t.Rows))
	for i, r := range t.Rows {
		v := r[col]
		if v == "" {
			continue
		}
		c, ok := code[v]
		if !ok {
			return qiCodes{}, nil, derrors.Kindf(derrors.Invalid, "column %q: value %q (row %d) is missing from the hierarchy", h.Column, v, i+1)
		}
		out[i] = c
	}
	return qc, out, nil
}

// summarise precomputes the per-level quantities the metrics and lower
// bounds need, so a node's bound costs O(number of QIs).
func (qc *qiCodes) summarise(codes []int32, n int) {
	count := make([]int64, qc.domain+1)
	for _, c := range codes {
		count[c]++
	}
	for lv, gen := range qc.gen {
		gcount := make([]int64, len(qc.labels[lv]))
		size := make([]int, len(qc.labels[lv]))
		for v, g := range gen {
			gcount[g] += count[v]
			if v > 0 {
				size[g]++
			}
		}
		loss, supp := make([]float64, len(gcount)), make([]float64, len(gcount))
		distinct := 0
		for g := range gcount {
			if g > 0 && qc.domain > 1 {
				loss[g] = float64(size[g]-1) / float64(qc.domain-1)
			}
			if gcount[g] > 0 {
				distinct++
				supp[g] = math.Log2(float64(n) / float64(gcount[g]))
			}
		}
		var lsum, esum float64
		for v, g := range gen {
			if count[v] > 0 {
				lsum += float64(count[v]) * loss[g]
				esum -= float64(count[v]) * math.Log2(float64(count[v])/float64(gcount[g]))
			}
		}
		qc.cellLoss = append(qc.cellLoss, loss)
		qc.suppEnt = append(qc.suppEnt, supp)
		qc.lossSum = append(qc.lossSum, lsum)
		qc.entSum = append(qc.entSum, esum)
		qc.distinct = append(qc.distinct, distinct)
	}
}

// packStrides returns mixed-radix multipliers that pack a record's codes
// into one uint64 key, or nil when the product of radices overflows.
func packStrides(qis []qiCodes) []uint64 {
	strides := make([]uint64, len(qis))
	var acc uint64 = 1
	for j, qc := range qis {
		strides[j] = acc
		hi, lo := bits.Mul64(acc, uint64(qc.domain+1))
		if hi != 0 {
			return nil
		}
		acc = lo
	}
	return strides
}

// classTable is the class-count table of one lattice node: for each
// equivalence class the original codes of one member (enough to derive
// the class's codes at this or any more general node), its size and,
// with l-diversity, up to l distinct sensitive codes, stored flat so that
// a table is a handful of allocations however many classes it has.
type classTable struct {
	levels []int
	reps   []int32 // reps[c*q : (c+1)*q]
	counts []int32
	sens   []int32 // sens[c*lw : c*lw+nsens[c]]; nil without l-diversity
	nsens  []int32
}

// len is the number of classes.
func (ct *classTable) len() int { return len(ct.counts) }

// recordTable treats every record as a class of one: the most specific
// table, from which any node can be rolled up. With l-diversity it also
// sets d.lw, the number of sensitive values kept per class.
func (d *dataset) recordTable(t *table.Table, codes [][]int32, sens int) *classTable {
	n, q := len(t.Rows), len(codes)
	ct := &classTable{levels: make([]int, q), reps: make([]int32, n*q), counts: make([]int32, n)}
	for i := range n {
		for j := range q {
			ct.reps[i*q+j] = codes[j][i]
		}
		ct.counts[i] = 1
	}
	if sens < 0 || d.l <= 1 {
		return ct
	}
	index := map[string]int32{}
	scode := make([]int32, n)
	for i, r := range t.Rows {
		scode[i] = -1 // a missing sensitive value is not a distinct value
		if v := r[sens]; v != "" {
			c, ok := index[v]
			if !ok {
				c = int32(len(index))
				index[v] = c
			}
			scode[i] = c
		}
	}
	// No class can hold more distinct values than the data has, so a huge
	// L costs no memory; such classes simply never reach L.
	d.lw = min(d.l, len(index))
	ct.sens, ct.nsens = make([]int32, n*d.lw), make([]int32, n)
	for i, c := range scode {
		if c >= 0 && d.lw > 0 {
			ct.sens[i*d.lw], ct.nsens[i] = c, 1
		}
	}
	return ct
}

// kept reports whether class c is large and diverse enough to publish.
func (d *dataset) kept(ct *classTable, c int) bool {
	return int(ct.counts[c]) >= d.k && (ct.nsens == nil || int(ct.nsens[c]) >= d.l)
}

// rollup groups the classes of src (a node at or below lv) by their codes
// at lv. Classes of a specialisation merge into classes of lv because
// hierarchies are monotone, so counts add and sensitive sets unite.
// If member is non-nil, member[c] receives the new class of src class c.
func (d *dataset) rollup(src *classTable, lv []int, member []int32) *classTable {
	hint := min(src.len(), d.maxClasses(lv))
	dst := &classTable{levels: append([]int(nil), lv...), reps: make([]int32, 0, hint*d.q), counts: make([]int32, 0, hint)}
	if src.nsens != nil {
		dst.sens, dst.nsens = make([]int32, 0, hint*d.lw), make([]int32, 0, hint)
	}
	find, done := d.finder(src.len(), lv, hint)
	defer done()
	for c := range src.len() {
		rep := src.reps[c*d.q : (c+1)*d.q]
		next := int32(dst.len())
		idx := find(rep, next)
		if idx == next {
			dst.reps = append(dst.reps, rep...)
			dst.counts = append(dst.counts, 0)
			if src.nsens != nil {
				dst.sens = append(dst.sens, make([]int32, d.lw)...)
				dst.nsens = append(dst.nsens, 0)
			}
		}
		dst.counts[idx] += src.counts[c]
		if src.nsens != nil {
			d.unite(dst, int(idx), src, c)
		}
		if member != nil {
			member[c] = idx
		}
	}
	return dst
}

// maxDense bounds the slot array of the dense finder.
const maxDense = 1 << 22

// finder returns a function that maps a class representative to its
// class at lv (registering next when the class is new) and a clean-up.
// When the generalised codes at lv span few combinations it indexes a
// reusable dense array, much faster than hashing; otherwise it hashes a
// packed uint64 key, or a string key if codes do not fit 64 bits.
func (d *dataset) finder(srcLen int, lv []int, hint int) (func([]int32, int32) int32, func()) {
	strides, prod := d.denseStrides(lv)
	if prod > 0 && prod <= maxDense && prod <= max(1<<16, 4*srcLen) {
		if len(d.slots) < prod {
			d.slots = slices.Repeat([]int32{-1}, prod)
		}
		var used []int
		key := func(rep []int32) int {
			k := 0
			for j, c := range rep {
				k += int(d.qis[j].gen[lv[j]][c]) * strides[j]
			}
			return k
		}
		return func(rep []int32, next int32) int32 {
				k := key(rep)
				if idx := d.slots[k]; idx >= 0 {
					return idx
				}
				d.slots[k] = next
				used = append(used, k)
				return next
			}, func() {
				for _, k := range used {
					d.slots[k] = -1 // keep the array all -1 for the next call
				}
			}
	}
	if d.strides != nil {
		index := make(map[uint64]int32, hint)
		return func(rep []int32, next int32) int32 {
			var k uint64
			for j, c := range rep {
				k += uint64(d.qis[j].gen[lv[j]][c]) * d.strides[j]
			}
			return lookup(index, k, next)
		}, func() {}
	}
	index := make(map[string]int32, hint)
	buf := make([]byte, 0, 4*d.q)
	return func(rep []int32, next int32) int32 {
		buf = buf[:0]
		for j, c := range rep {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(d.qis[j].gen[lv[j]][c]))
		}
		if idx, ok := index[string(buf)]; ok {
			return idx
		}
		index[string(buf)] = next
		return next
	}, func() {}
}

// lookup returns m[k], storing next first if k is absent.
func lookup[K comparable](m map[K]int32, k K, next int32) int32 {
	if idx, ok := m[k]; ok {
		return idx
	}
	m[k] = next
	return next
}

// denseStrides returns mixed-radix multipliers over the generalised codes
// at lv and their product, or 0 if it exceeds maxDense.
func (d *dataset) denseStrides(lv []int) ([]int, int) {
	strides := make([]int, d.q)
	prod := 1
	for j, qc := range d.qis {
		strides[j] = prod
		prod *= len(qc.labels[lv[j]])
		if prod > maxDense {
			return nil, 0
		}
	}
	return strides, prod
}

// unite adds the sensitive values of src class c to dst class i,
// stopping at lw values: a class with l distinct values is l-diverse
// whatever else it holds, so more need not be kept.
func (d *dataset) unite(dst *classTable, i int, src *classTable, c int) {
	l := d.lw
	have := dst.sens[i*l : i*l+l]
	for _, v := range src.sens[c*l : c*l+int(src.nsens[c])] {
		n := int(dst.nsens[i])
		if n >= l {
			return
		}
		if !slices.Contains(have[:n], v) {
			have[n] = v
			dst.nsens[i]++
		}
	}
}

// maxClasses bounds the number of classes at lv: at most one per record
// and at most the product of distinct generalised codes.
func (d *dataset) maxClasses(lv []int) int {
	m := d.n
	prod := 1
	for j, qc := range d.qis {
		prod *= qc.distinct[lv[j]]
		if prod >= m {
			return m
		}
	}
	return prod
}
