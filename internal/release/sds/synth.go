package sds

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// SynthParams are the parameters of Synthesize.
type SynthParams struct {
	// Records, if > 0, fixes the number of synthetic records: targets are
	// the released counts scaled to Records/Total, and synthesis stops at
	// Records whether or not they are used up. 0 (the default) sizes the
	// output like SDS: Total records, then more until every released
	// single-attribute count is used up as far as the released
	// combinations allow (see Synthesize), so the record count may exceed
	// Total ("record expansion").
	Records int
	// MaxExpansion caps the output when Records is 0, as a multiple of the
	// released Total: at most ⌊MaxExpansion·Total⌋ records (per stream, its
	// share). 0 means DefaultMaxExpansion; values below 1 are raised to 1.
	MaxExpansion float64
	Seed         uint64 // seed of the PCG generator: same input and seed, same output
}

// DefaultMaxExpansion is the cap of SynthParams.MaxExpansion when it is 0.
// Expansion beyond it means records of one to three values each (values
// that combine with almost nothing released), which add little but rows
// and make a small caseload's records.csv look several times larger than
// the number of victims; 1.5 keeps most of the single-attribute counts
// (see TestSynthesizeExpansion) with at most half as many rows again as
// the released total. Pass MaxExpansion explicitly for a larger cap.
const DefaultMaxExpansion = 1.5

// extEntry is an item that extends a released combination, with the count
// of the extended combination.
type extEntry struct {
	id    uint32
	count float64
}

// synthModel is the released aggregates indexed for sampling: one node per
// released combination (and the empty one), holding its count, the items
// extending it into a released combination (with those counts) and the
// same items as a bit set, so that narrowing a record's allowed values is a
// few word-wise ANDs.
type synthModel struct {
	e     *encoder
	L     int
	index map[uint64]int32 // packed combination -> node
	nodes []node
	flat  []uint64 // the nodes' bit sets, words apiece, for locality
	words int
	// miss[i*ncols+c] is P(column c missing | item i) (i = 0: no item), see
	// synthesizer.pick; precomputed as it is asked for every column.
	miss []float64
	// closed: every sub-combination of a released combination is released
	// (true of KAnonAggregates and DPAggregates output). Then only the
	// largest combinations need narrowing the allowed set, as smaller ones
	// allow a superset.
	closed bool
}

type node struct {
	count float64
	ext   []extEntry // sorted by id
	bits  []uint64   // ext as a bit set over item ids
}

// lookup returns the node of a combination, nil if it is not released.
func (m *synthModel) lookup(key uint64) *node {
	if i, ok := m.index[key]; ok {
		return &m.nodes[i]
	}
	return nil
}

// Synthesize generates microdata from released aggregates only (never from
// sensitive data), in the spirit of SDS's aggregate-seeded synthesis.
//
// Each record is built column by column, in a random column order. For a
// column, the choice is between "missing", with the probability estimated
// from the released counts of the most recent item (see pick), and the
// allowed values, in proportion to the released count of W ∪ {v}, where W
// is the record so far if it has fewer than ReportingLength items, else its
// ReportingLength−1 most recent items. Both are scaled by the share of the
// single-attribute (or missing) target still unfilled, so the output tracks
// the released single-attribute counts (SDS's "use synthetic counts"
// balancing); a value whose target is used up is no longer drawn.
//
// Only values v such that every combination of length <= ReportingLength
// that v forms with the record so far is released may be chosen; the set
// of such values is maintained incrementally as a bit set. So every
// combination of length <= ReportingLength in the output is a released
// combination: synthesis fabricates nothing and reveals nothing suppressed.
//
// Record count. A release that suppresses many combinations leaves records
// less room than real ones: they hold fewer values, and a fixed count of
// records would fall short of the single-attribute counts. So, by default
// (Records == 0), Synthesize works as SDS does: it generates Total records,
// then a second pass adds values still short of their target to records
// that can take them (see fill), then it keeps generating records, each
// drawing only values with target left, until every single-attribute target
// is used up (filled as far as the released combinations allow: a record
// only ends when no column can take a value with target left). The output
// may then hold more records than Total (Evaluate's RecordExpansion). It
// ends in any case after ⌊MaxExpansion·Total⌋ records (DefaultMaxExpansion
// if 0), or when fillPatience records in a row could take no value. With
// Records > 0, exactly Records records are generated (plus the fill pass),
// against targets scaled to Records/Total, and some may stay unfilled.
//
// The records are generated in synthStreams independent streams run in
// parallel, each against its share of the targets (integral counts split
// so that the shares add up to the count); the output, stream after
// stream, depends only on the aggregates and the seed.
func Synthesize(a *Aggregates, p SynthParams) (*table.Table, error) {
	if err := checkAggregates(a); err != nil {
		return nil, err
	}
	if p.Records < 0 {
		return nil, derrors.Kindf(derrors.Invalid, "records: must be >= 0, got %d", p.Records)
	}
	if p.MaxExpansion < 0 || math.IsNaN(p.MaxExpansion) || math.IsInf(p.MaxExpansion, 0) {
		return nil, derrors.Kindf(derrors.Invalid, "maxExpansion: must be a finite number >= 0, got %v", p.MaxExpansion)
	}
	n := p.Records
	expand := 1.0
	if n == 0 {
		n = a.Total
		expand = p.MaxExpansion
		if expand == 0 {
			expand = DefaultMaxExpansion
		}
		expand = max(1, expand)
	}
	m, err := newSynthModel(a, n)
	if err != nil {
		return nil, err
	}
	parts := make([][][]string, synthStreams)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for k := range synthStreams {
		lo, hi := k*n/synthStreams, (k+1)*n/synthStreams
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			s := newSynthesizer(m, a, n, lo, hi, rand.New(rand.NewPCG(p.Seed, uint64(k))))
			parts[k] = s.run(hi-lo, int(expand*float64(hi-lo)))
		})
	}
	wg.Wait()
	out := &table.Table{Columns: slices.Clone(a.Columns)}
	out.Rows = slices.Concat(parts...)
	if out.Rows == nil {
		out.Rows = [][]string{}
	}
	return out, nil
}

// synthStreams is the number of independent generation streams, each
// producing its share of the records against its share of the targets.
// It is fixed (not the core count) so that the output depends only on the
// seed; the streams run in parallel.
const synthStreams = 4

// checkAggregates rejects a release that cannot be read.
func checkAggregates(a *Aggregates) error {
	if a == nil {
		return derrors.Kindf(derrors.Invalid, "aggregates: is nil")
	}
	if len(a.Columns) == 0 {
		return derrors.Kindf(derrors.Invalid, "aggregates.columns: is empty")
	}
	if a.ReportingLength < 1 {
		return derrors.Kindf(derrors.Invalid, "aggregates.reportingLength: must be >= 1, got %d", a.ReportingLength)
	}
	if a.Total < 0 {
		return derrors.Kindf(derrors.Invalid, "aggregates.total: must be >= 0, got %d", a.Total)
	}
	return nil
}

// aggregateEncoder builds the encoder of a release's values and the map of
// released counts keyed by packed combination.
func aggregateEncoder(a *Aggregates) (*encoder, map[uint64]float64, error) {
	colPos := map[string]int{}
	values := make([]map[string]struct{}, len(a.Columns))
	for j, c := range a.Columns {
		colPos[c] = j
		values[j] = map[string]struct{}{}
	}
	for i, ag := range a.Items {
		if len(ag.Combo) == 0 || len(ag.Combo) > a.ReportingLength {
			return nil, nil, derrors.Kindf(derrors.Invalid, "aggregates.items[%d]: length %d not in 1..%d", i, len(ag.Combo), a.ReportingLength)
		}
		for _, it := range ag.Combo {
			j, ok := colPos[it.Column]
			if !ok || it.Value == "" {
				return nil, nil, derrors.Kindf(derrors.Invalid, "aggregates.items[%d]: item %s:%q is not a column value", i, it.Column, it.Value)
			}
			values[j][it.Value] = struct{}{}
		}
	}
	e := newEncoder(slices.Clone(a.Columns), values)
	if err := e.checkLength(a.ReportingLength); err != nil {
		return nil, nil, err
	}
	counts := make(map[uint64]float64, len(a.Items))
	ids := make([]uint32, 0, a.ReportingLength)
	for i, ag := range a.Items {
		ids = ids[:0]
		for _, it := range ag.Combo {
			ids = append(ids, e.ids[colPos[it.Column]][it.Value])
		}
		slices.Sort(ids)
		for k := 1; k < len(ids); k++ {
			if e.colOf[ids[k]] == e.colOf[ids[k-1]] {
				return nil, nil, derrors.Kindf(derrors.Invalid, "aggregates.items[%d]: two values of column %s", i, e.cols[e.colOf[ids[k]]])
			}
		}
		counts[e.pack(ids)] = ag.Count
	}
	return e, counts, nil
}

func newSynthModel(a *Aggregates, n int) (*synthModel, error) {
	e, counts, err := aggregateEncoder(a)
	if err != nil {
		return nil, err
	}
	m := &synthModel{e: e, L: a.ReportingLength, index: map[uint64]int32{0: 0}, nodes: []node{{count: float64(n)}}, words: (len(e.items) + 63) / 64}
	if a.Total > 0 {
		m.nodes[0].count = float64(a.Total)
	}
	nodeOf := func(key uint64) *node {
		i, ok := m.index[key]
		if !ok {
			i = int32(len(m.nodes))
			m.index[key] = i
			m.nodes = append(m.nodes, node{})
		}
		return &m.nodes[i]
	}
	for key, c := range counts {
		if c > 0 {
			nodeOf(key).count = c
		}
	}
	ids := make([]uint32, 0, a.ReportingLength)
	for key, c := range counts {
		if c <= 0 {
			continue
		}
		ids = e.unpack(ids[:0], key)
		for i, id := range ids {
			p := nodeOf(e.without(ids, i))
			p.ext = append(p.ext, extEntry{id, c})
		}
	}
	m.closed = true
	for key, c := range counts {
		if c <= 0 {
			continue
		}
		ids = e.unpack(ids[:0], key)
		for i := range ids {
			if len(ids) > 1 && !(counts[e.without(ids, i)] > 0) {
				m.closed = false
			}
		}
	}
	flat := make([]uint64, len(m.nodes)*m.words)
	m.flat = flat
	for i := range m.nodes {
		nd := &m.nodes[i]
		slices.SortFunc(nd.ext, func(x, y extEntry) int { return int(x.id) - int(y.id) })
		nd.bits = flat[i*m.words : (i+1)*m.words : (i+1)*m.words]
		for _, x := range nd.ext {
			nd.bits[x.id>>6] |= 1 << (x.id & 63)
		}
	}
	m.missShares()
	return m, nil
}

// synthesizer holds the state of the generation: the targets still to fill
// and the scratch of the current record.
type synthesizer struct {
	m          *synthModel
	rng        *rand.Rand
	remain     []float64 // per item: target count still unfilled
	left       int       // items with remain > 0
	target     []float64
	missRemain []float64 // per column: "missing" target still unfilled
	missTarget []float64
	cols       []int
	allowed    []uint64
	win        *node    // the window W, or nil if not released
	open       []uint64 // items of the columns without a value
	chosen     []uint32 // choice order
	sorted     []uint32 // same ids, ascending
	weights    []float64
	opts       []uint32
	sub        []uint32 // the subset T being enumerated
	ubuf       []uint32 // T ∪ {id}, sorted
	wbuf       []uint32 // the window W, sorted
}

// newSynthesizer prepares the stream of records lo..hi of n: its targets
// are the released counts scaled to n records (n/Total) and split among
// the streams by rounding cumulative shares, so that integral scaled
// counts split into integral targets that add up to them.
func newSynthesizer(m *synthModel, a *Aggregates, n, lo, hi int, rng *rand.Rand) *synthesizer {
	e := m.e
	part := hi - lo
	den := float64(max(1, n))
	if a.Total > 0 {
		den = float64(a.Total)
	}
	share := func(c float64) float64 { // c scaled to records lo..hi
		return max(0, math.Round(c*float64(hi)/den)-math.Round(c*float64(lo)/den))
	}
	s := &synthesizer{m: m, rng: rng, remain: make([]float64, len(e.items)), target: make([]float64, len(e.items)),
		missRemain: make([]float64, len(e.cols)), missTarget: make([]float64, len(e.cols)), cols: identity(len(e.cols)),
		allowed: make([]uint64, m.words), open: make([]uint64, m.words)}
	for j := range e.cols {
		filled := 0.0
		for id := e.first[j]; id < e.first[j+1]; id++ {
			t := 0.0
			if nd := m.lookup(uint64(id)); nd != nil {
				t = share(nd.count)
			}
			s.target[id], s.remain[id] = t, t
			if t > 0 {
				s.left++
			}
			filled += t
		}
		s.missTarget[j] = max(0, float64(part)-filled)
		s.missRemain[j] = s.missTarget[j]
	}
	return s
}

// run generates the stream's records: part records, the fill pass over
// them, then, while a single-attribute target is left and the stream has
// fewer than limit records, more records (see Synthesize). A record that
// takes no value is not kept; fillPatience of them in a row end the run.
func (s *synthesizer) run(part, limit int) [][]string {
	w := s.m.words
	rows := make([][]string, part, max(part, min(limit, part+part/4)))
	recs := make([][]uint32, part)
	saved := make([]uint64, part*w)
	for i := range part {
		rows[i] = s.record()
		recs[i] = slices.Clone(s.sorted)
		copy(saved[i*w:], s.allowed)
	}
	s.fill(rows, recs, saved)
	idle := 0
	for len(rows) < limit && s.left > 0 && idle < fillPatience {
		row := s.record()
		if len(s.sorted) == 0 {
			idle++
			continue
		}
		idle = 0
		rows = append(rows, row)
	}
	return rows
}

// record generates one synthetic record.
func (s *synthesizer) record() []string {
	e := s.m.e
	copy(s.allowed, s.m.nodes[0].bits)
	copy(s.open, s.m.nodes[0].bits)
	s.chosen, s.sorted = s.chosen[:0], s.sorted[:0]
	s.win = &s.m.nodes[0]
	s.rng.Shuffle(len(s.cols), func(i, j int) { s.cols[i], s.cols[j] = s.cols[j], s.cols[i] })
	row := make([]string, len(e.cols))
	for _, c := range s.cols {
		if s.left == 0 {
			break // nothing left to draw: the rest of the record is missing
		}
		id, ok := s.pick(c)
		if !ok {
			s.missRemain[c] = max(0, s.missRemain[c]-1)
			continue
		}
		row[c] = e.items[id].Value
		s.use(id)
		s.close(c)
		s.add(id)
	}
	return row
}

// use counts one more record holding item id against its target.
func (s *synthesizer) use(id uint32) {
	if r := s.remain[id]; r > 0 && r <= 1 {
		s.left--
	}
	s.remain[id] = max(0, s.remain[id]-1)
}

// fill is a second pass over the stream's records that adds values whose
// single-attribute target is not yet met to records with the column empty,
// wherever every combination the value would form is released. Strict
// releases (many suppressed combinations, as DP ones of small tables)
// otherwise leave records too sparse.
func (s *synthesizer) fill(rows [][]string, recs [][]uint32, saved []uint64) {
	e := s.m.e
	short := func() bool {
		for id := 1; id < len(e.items); id++ {
			if s.remain[id] >= 1 {
				return true
			}
		}
		return false
	}
	idle := 0 // records visited since a value was last placed
	for k, i := range s.rng.Perm(len(rows)) {
		if k%64 == 0 && !short() || idle > fillPatience {
			return
		}
		idle++
		s.restore(recs[i], saved[i*s.m.words:(i+1)*s.m.words])
		s.rng.Shuffle(len(s.cols), func(i, j int) { s.cols[i], s.cols[j] = s.cols[j], s.cols[i] })
		for _, c := range s.cols {
			if rows[i][c] != "" || !s.allowedIn(c) {
				continue
			}
			s.close(c)
			if id, ok := s.pickShort(c); ok {
				rows[i][c] = e.items[id].Value
				s.use(id)
				s.missRemain[c] = max(0, s.missRemain[c]-1)
				s.add(id)
				idle = 0
			}
		}
	}
}

// fillPatience ends the fill pass after this many records in a row took
// no value: the remaining shortfall is then structural (the short values
// form unreleased combinations with almost every record), and visiting
// more records would double the synthesis time for nothing.
const fillPatience = 500

// restore sets the record state to the items ids (ascending) and the
// allowed set it had when generated.
func (s *synthesizer) restore(ids []uint32, allowed []uint64) {
	e := s.m.e
	copy(s.allowed, allowed)
	copy(s.open, s.m.nodes[0].bits)
	s.chosen = append(s.chosen[:0], ids...)
	s.sorted = append(s.sorted[:0], ids...)
	for _, id := range ids {
		s.close(int(e.colOf[id]))
	}
}

// pickShort draws an allowed value of column c among those still short of
// their target, weighted by the shortfall.
func (s *synthesizer) pickShort(c int) (uint32, bool) {
	e := s.m.e
	s.opts, s.weights = s.opts[:0], s.weights[:0]
	sum := 0.0
	for id := e.first[c]; id < e.first[c+1]; id++ {
		if s.allowed[id>>6]&(1<<(id&63)) != 0 && s.remain[id] >= 1 {
			s.opts = append(s.opts, id)
			s.weights = append(s.weights, s.remain[id])
			sum += s.remain[id]
		}
	}
	if sum == 0 {
		return 0, false
	}
	x := s.rng.Float64() * sum
	for i, w := range s.weights {
		if x -= w; x < 0 {
			return s.opts[i], true
		}
	}
	return s.opts[len(s.opts)-1], true
}

// window sets W, the conditioning combination: the record so far if it
// has fewer than L items, else its L−1 most recent items.
func (s *synthesizer) window() {
	w := s.chosen
	if len(w) >= s.m.L {
		w = w[len(w)-(s.m.L-1):]
	}
	s.wbuf = append(s.wbuf[:0], w...)
	slices.Sort(s.wbuf)
	s.win = s.m.lookup(s.m.e.pack(s.wbuf))
}

// close removes column c's items from the open set.
func (s *synthesizer) close(c int) {
	lo, hi := s.m.e.first[c], s.m.e.first[c+1]
	for id := lo; id < hi; {
		w := id >> 6
		end := min(hi, (w+1)<<6)
		mask := ^uint64(0) << (id & 63)
		if end&63 != 0 && end>>6 == w {
			mask &= 1<<(end&63) - 1
		}
		s.open[w] &^= mask
		id = end
	}
}

// anyOpen reports whether an item of a column without a value is still
// allowed; once none is, the record can take no more values and narrowing
// stops. (Columns visited and left missing stay open so that the allowed
// set stays exact for the fill pass.)
func (s *synthesizer) anyOpen() bool {
	for w, b := range s.allowed {
		if b&s.open[w] != 0 {
			return true
		}
	}
	return false
}

// allowedIn reports whether an item of column c is allowed.
func (s *synthesizer) allowedIn(c int) bool {
	lo, hi := s.m.e.first[c], s.m.e.first[c+1]
	for id := lo; id < hi; {
		w := id >> 6
		end := min(hi, (w+1)<<6)
		mask := ^uint64(0) << (id & 63)
		if end&63 != 0 && end>>6 == w {
			mask &= 1<<(end&63) - 1
		}
		if s.allowed[w]&mask != 0 {
			return true
		}
		id = end
	}
	return false
}

// pick draws a value of column c, or reports false for "missing".
//
// Missing has probability pm, the share of records holding the most recent
// item (or all records, for the first column) that lack column c:
// (count(w) − Σv count(w ∪ {v})) / count(w). Single items and pairs are
// rarely suppressed, so this residual is reliable, whereas with the whole
// window W suppressed and rounded-down combinations would inflate it. The
// allowed values share 1 − pm in proportion to count(W ∪ {v}). Both are
// then scaled by the unfilled share of their target.
func (s *synthesizer) pick(c int) (uint32, bool) {
	if s.win == nil || !s.allowedIn(c) {
		return 0, false
	}
	pm := s.missShare(c)
	ext := s.colExt(s.win.ext, c)
	s.opts, s.weights = s.opts[:0], s.weights[:0]
	mass := 0.0
	for _, x := range ext {
		if s.allowed[x.id>>6]&(1<<(x.id&63)) == 0 || s.target[x.id] <= 0 {
			continue
		}
		mass += x.count
		if w := x.count * s.remain[x.id] / s.target[x.id]; w > 0 {
			s.opts = append(s.opts, x.id)
			s.weights = append(s.weights, w)
		}
	}
	if len(s.opts) == 0 {
		return 0, false
	}
	sum := 0.0
	for i := range s.weights {
		s.weights[i] *= (1 - pm) / mass
		sum += s.weights[i]
	}
	miss := 0.0
	if s.missTarget[c] > 0 {
		miss = pm * s.missRemain[c] / s.missTarget[c]
	}
	x := s.rng.Float64() * (sum + miss)
	for i, w := range s.weights {
		if x -= w; x < 0 {
			return s.opts[i], true
		}
	}
	return 0, false
}

// colExt is the part of an extension list in column c.
func (s *synthesizer) colExt(ext []extEntry, c int) []extEntry {
	e := s.m.e
	lo, _ := slices.BinarySearchFunc(ext, e.first[c], func(x extEntry, t uint32) int { return int(x.id) - int(t) })
	hi := lo
	for hi < len(ext) && ext[hi].id < e.first[c+1] {
		hi++
	}
	return ext[lo:hi]
}

// missShare is P(column c missing | most recent item).
func (s *synthesizer) missShare(c int) float64 {
	last := uint32(0)
	if len(s.chosen) > 0 {
		last = s.chosen[len(s.chosen)-1]
	}
	return s.m.miss[int(last)*len(s.m.e.cols)+c]
}

// missShares fills m.miss: for the empty combination and each single item
// w, (count(w) − Σv∈c count(w ∪ {v})) / count(w), clamped to [0, 1].
func (m *synthModel) missShares() {
	ncols := len(m.e.cols)
	m.miss = make([]float64, len(m.e.items)*ncols)
	for i := range m.e.items {
		nd := m.lookup(uint64(i))
		if nd == nil || nd.count <= 0 {
			continue
		}
		row := m.miss[i*ncols : (i+1)*ncols]
		for c := range row {
			row[c] = nd.count
		}
		for _, x := range nd.ext {
			row[m.e.colOf[x.id]] -= x.count
		}
		for c := range row {
			row[c] = min(1, max(0, row[c]/nd.count))
		}
	}
}

// add puts id in the record and narrows the allowed set: every T ⊆ record
// with |T| <= L−2 gives the combination U = T ∪ {id}, and a later value x
// stays allowed only if U ∪ {x} is released.
func (s *synthesizer) add(id uint32) {
	if s.m.L >= 2 && s.anyOpen() {
		s.subsets(0, 0, id)
	}
	s.chosen = append(s.chosen, id)
	i, _ := slices.BinarySearch(s.sorted, id)
	s.sorted = slices.Insert(s.sorted, i, id)
	s.window()
}

// subsets enumerates T ⊆ s.sorted[from:] added to s.sub (size depth) and
// intersects the allowed set with ext(T ∪ {id}).
func (s *synthesizer) subsets(from, depth int, id uint32) {
	s.sub = s.sub[:depth]
	s.ubuf = append(append(s.ubuf[:0], s.sub...), id)
	slices.Sort(s.ubuf)
	maximal := depth == min(len(s.sorted), s.m.L-2)
	if !s.m.closed || maximal {
		s.intersect(s.m.e.pack(s.ubuf))
	}
	if depth+1 > s.m.L-2 || !s.anyOpen() {
		return
	}
	for i := from; i < len(s.sorted); i++ {
		s.sub = append(s.sub[:depth], s.sorted[i])
		s.subsets(i+1, depth+1, id)
	}
}

// intersect keeps in allowed only the items extending combination key.
func (s *synthesizer) intersect(key uint64) {
	i, ok := s.m.index[key]
	if !ok {
		clear(s.allowed)
		return
	}
	for w, b := range s.m.flat[int(i)*s.m.words : int(i+1)*s.m.words] {
		s.allowed[w] &= b
	}
}
