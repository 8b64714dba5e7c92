package store

import (
	"sort"

	"github.com/corridor-platform/corridor/internal/labour/match"
)

// workerMatcher ranks workers for a vacancy from an index built at some
// point (base) and the changes since: the workers added or changed
// (extra, scored one by one) and the base workers that changed or left
// (gone, dropped from the base's answers). A registration among 100,000
// profiles then costs a few microseconds per query instead of rebuilding
// the index (half a second); the index is rebuilt when the changes grow
// past maxOverlay.
type workerMatcher struct {
	base    *match.WorkerIndex
	baseVer map[int64]int64 // version of each worker in base
	extra   []match.Worker  // sorted by id
	gone    map[int64]bool
}

// maxOverlay is how many changes a matcher carries before it is rebuilt.
const maxOverlay = 2000

// newWorkerMatcher indexes every worker.
func newWorkerMatcher(ws []match.Worker, ver map[int64]int64) *workerMatcher {
	bv := make(map[int64]int64, len(ws))
	for _, w := range ws {
		bv[w.ID] = ver[w.ID]
	}
	return &workerMatcher{base: match.NewWorkerIndex(ws), baseVer: bv, gone: map[int64]bool{}}
}

// update returns the matcher for the workers now indexed (by id, at the
// versions ver): the same base with a new overlay, or a new index when
// the overlay would be too large.
func (m *workerMatcher) update(now map[int64]match.Worker, ver map[int64]int64) *workerMatcher {
	next := &workerMatcher{base: m.base, baseVer: m.baseVer, gone: map[int64]bool{}}
	for id, v := range m.baseVer {
		if nv, ok := ver[id]; !ok || nv != v {
			next.gone[id] = true
		}
	}
	for id, w := range now {
		if v, ok := m.baseVer[id]; !ok || v != ver[id] {
			next.extra = append(next.extra, w)
		}
	}
	if len(next.gone)+len(next.extra) > maxOverlay {
		ws := make([]match.Worker, 0, len(now))
		for _, w := range now {
			ws = append(ws, w)
		}
		sort.Slice(ws, func(i, j int) bool { return ws[i].ID < ws[j].ID })
		return newWorkerMatcher(ws, ver)
	}
	sort.Slice(next.extra, func(i, j int) bool { return next.extra[i].ID < next.extra[j].ID })
	return next
}

// candidates ranks the eligible workers for v as
// match.WorkerIndex.Candidates does over the current workers.
func (m *workerMatcher) candidates(v match.Vacancy, limit int) []match.Result {
	if len(m.extra) == 0 && len(m.gone) == 0 {
		return m.base.Candidates(v, limit)
	}
	ask := limit
	if limit > 0 {
		ask = limit + len(m.gone)
	}
	var out []match.Result
	for _, r := range m.base.Candidates(v, ask) {
		if !m.gone[r.WorkerID] {
			out = append(out, r)
		}
	}
	for _, w := range m.extra {
		if r, ok := match.Score(w, v); ok {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].WorkerID < out[j].WorkerID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}
