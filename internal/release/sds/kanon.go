package sds

import (
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// KAnonParams are the parameters of a k-anonymous aggregate release.
type KAnonParams struct {
	ReportingLength int // longest combination counted, >= 1
	Resolution      int // k: counts are rounded down to a multiple of it, >= 1
}

// maxPairMatrix bounds the item count for which the pair-pruning bit matrix
// is built (n² bits: 8,192 items take 8 MiB).
const maxPairMatrix = 8192

// KAnonAggregates counts every combination of length 1..ReportingLength,
// rounds each count down to a multiple of Resolution and releases the
// combinations whose rounded count is positive, i.e. whose true count is at
// least Resolution: this is SDS's k-anonymous aggregate release with
// k = Resolution. Total is the record count rounded down the same way.
//
// Because a combination's count never exceeds that of its sub-combinations,
// only combinations whose every item and every pair is frequent need to be
// counted; the enumeration is pruned accordingly.
func KAnonAggregates(t *table.Table, p KAnonParams) (*Aggregates, error) {
	if err := checkTable(t); err != nil {
		return nil, err
	}
	if p.ReportingLength < 1 {
		return nil, derrors.Kindf(derrors.Invalid, "reportingLength: must be >= 1, got %d", p.ReportingLength)
	}
	if p.Resolution < 1 {
		return nil, derrors.Kindf(derrors.Invalid, "resolution: must be >= 1, got %d", p.Resolution)
	}
	e := newEncoder(t.Columns, tableValues(t))
	if err := e.checkLength(p.ReportingLength); err != nil {
		return nil, err
	}
	rows := e.encodeRows(t, identity(len(t.Columns)))
	res := uint32(p.Resolution)
	counts := frequentCounts(e, rows, p.ReportingLength, res)
	out := make(map[uint64]float64, len(counts))
	for k, n := range counts {
		if n >= res {
			out[k] = float64(n / res * res)
		}
	}
	return &Aggregates{
		Columns:         append([]string(nil), t.Columns...),
		Total:           len(t.Rows) / p.Resolution * p.Resolution,
		ReportingLength: p.ReportingLength,
		Items:           e.sortedAggregates(out),
	}, nil
}

// frequentCounts returns the counts of all combinations up to maxLen whose
// items and pairs all have count >= res (plus, harmlessly, some infrequent
// ones of length >= 3, which the caller filters).
func frequentCounts(e *encoder, rows [][]uint32, maxLen int, res uint32) map[uint64]uint32 {
	single := itemCounts(rows, len(e.items))
	out := make(map[uint64]uint32)
	for id, n := range single {
		if n > 0 {
			out[uint64(id)] = n
		}
	}
	if maxLen == 1 {
		return out
	}
	freq := filterRows(rows, func(id uint32) bool { return single[id] >= res })
	pairs := (&counter{e: e, minLen: 2, maxLen: 2}).count(freq)
	var adj *bitMatrix
	if len(e.items) <= maxPairMatrix {
		adj = newBitMatrix(len(e.items))
	}
	for i, k := range pairs.keys {
		n := pairs.n[i]
		out[k] = n
		if n >= res && adj != nil {
			var buf [2]uint32
			ids := e.unpack(buf[:0], k)
			adj.set(ids[0], ids[1])
		}
	}
	if maxLen == 2 {
		return out
	}
	rest := (&counter{e: e, minLen: 3, maxLen: maxLen, adj: adj}).count(freq)
	for i, k := range rest.keys {
		if rest.n[i] >= res {
			out[k] = rest.n[i]
		}
	}
	return out
}

// filterRows keeps, in each row, the ids that pass keep, in a new backing
// array (the input rows are left intact).
func filterRows(rows [][]uint32, keep func(uint32) bool) [][]uint32 {
	flat := make([]uint32, 0, 1024)
	ends := make([]int, len(rows))
	for i, r := range rows {
		for _, id := range r {
			if keep(id) {
				flat = append(flat, id)
			}
		}
		ends[i] = len(flat)
	}
	out := make([][]uint32, len(rows))
	start := 0
	for i, end := range ends {
		out[i] = flat[start:end:end]
		start = end
	}
	return out
}
