package match

import (
	"slices"
	"sync"
)

// scratch holds per-query accumulators sized to the indexed collection. A
// generation stamp avoids clearing the arrays between queries: an entry is
// valid only when its stamp equals the current generation. Scratches are
// pooled so concurrent queries never share one.
type scratch struct {
	gen    uint32
	stamp  []uint32 // touched this query
	cstamp []uint32 // candidate (eligible apart from the origin check) this query
	weight []int32  // matched skill weight
	cands  []int32
}

func newScratch(n int) *scratch {
	return &scratch{stamp: make([]uint32, n), cstamp: make([]uint32, n), weight: make([]int32, n)}
}

func (s *scratch) begin() {
	s.gen++
	if s.gen == 0 { // wrapped: old stamps could collide
		clear(s.stamp)
		clear(s.cstamp)
		s.gen = 1
	}
	s.cands = s.cands[:0]
}

// add adds skill weight to item i and, if cand, makes it a candidate.
func (s *scratch) add(i int32, w int32, cand bool) {
	if s.stamp[i] != s.gen {
		s.stamp[i] = s.gen
		s.weight[i] = 0
	}
	s.weight[i] += w
	if cand && s.cstamp[i] != s.gen {
		s.cstamp[i] = s.gen
		s.cands = append(s.cands, i)
	}
}

// hit is a scored item before its explanation is computed.
type hit struct {
	score int32
	idx   int32
	id    int64
}

// better orders hits by score descending, then ID ascending, then position.
func better(a, b hit) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.id != b.id {
		return a.id < b.id
	}
	return a.idx < b.idx
}

// topK keeps the best k hits in a min-heap whose root is the worst kept
// hit, so a new hit costs O(1) when it cannot enter and O(log k) otherwise.
// k <= 0 keeps everything.
type topK struct {
	k int
	h []hit
}

func (t *topK) push(x hit) {
	if t.k <= 0 || len(t.h) < t.k {
		t.h = append(t.h, x)
		if t.k > 0 {
			t.up(len(t.h) - 1)
		}
		return
	}
	if !better(x, t.h[0]) {
		return
	}
	t.h[0] = x
	t.down(0)
}

func (t *topK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !better(t.h[p], t.h[i]) { // parent is worse or equal: heap holds
			break
		}
		t.h[p], t.h[i] = t.h[i], t.h[p]
		i = p
	}
}

func (t *topK) down(i int) {
	n := len(t.h)
	for {
		w := i
		if l := 2*i + 1; l < n && better(t.h[w], t.h[l]) {
			w = l
		}
		if r := 2*i + 2; r < n && better(t.h[w], t.h[r]) {
			w = r
		}
		if w == i {
			return
		}
		t.h[i], t.h[w] = t.h[w], t.h[i]
		i = w
	}
}

func (t *topK) sorted() []hit {
	slices.SortFunc(t.h, func(a, b hit) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
	return t.h
}

// postings maps a key to the positions of the items holding it.
type postings[K comparable] map[K][]int32

func (p postings[K]) add(k K, i int32) {
	l := p[k]
	if n := len(l); n > 0 && l[n-1] == i { // an item adds each key once
		return
	}
	p[k] = append(l, i)
}

// WorkerIndex answers "which workers fit this vacancy" without scoring
// every worker. It is immutable after construction and safe for concurrent
// use; the caller must not modify the workers passed to NewWorkerIndex.
type WorkerIndex struct {
	ws    []Worker
	skill postings[SkillID] // skill -> workers holding it
	minor postings[string]  // ISCO minor group -> workers with an occupation in it
	esco  postings[string]  // ESCO occupation -> workers holding it
	occ   [][]occKey        // each worker's occupations, interned
	names interner
	pool  sync.Pool
}

// NewWorkerIndex indexes ws by skill, ISCO minor group and ESCO occupation:
// the only ways a worker can be eligible for a vacancy.
func NewWorkerIndex(ws []Worker) *WorkerIndex {
	ix := &WorkerIndex{ws: slices.Clone(ws), skill: postings[SkillID]{}, minor: postings[string]{}, esco: postings[string]{},
		occ: make([][]occKey, len(ws)), names: interner{}}
	for i := range ix.ws {
		w := &ix.ws[i]
		for _, o := range w.Occupations {
			ix.occ[i] = append(ix.occ[i], ix.names.key(o, true))
		}
		for _, s := range sortedSet(w.Skills) {
			ix.skill.add(s, int32(i))
		}
		for _, o := range w.Occupations {
			if m := minorGroup(o.ISCO); m != "" {
				ix.minor.add(m, int32(i))
			}
			if o.ESCO != "" {
				ix.esco.add(o.ESCO, int32(i))
			}
		}
	}
	n := len(ix.ws)
	ix.pool.New = func() any { return newScratch(n) }
	return ix
}

// Len is the number of indexed workers.
func (ix *WorkerIndex) Len() int { return len(ix.ws) }

// Candidates returns the eligible workers for v ranked by Score descending,
// ties by WorkerID ascending, at most limit of them (limit <= 0: all).
func (ix *WorkerIndex) Candidates(v Vacancy, limit int) []Result {
	p := prepareVacancy(&v)
	sc := ix.pool.Get().(*scratch)
	defer ix.pool.Put(sc)
	sc.begin()
	// Workers sharing an essential skill are eligible; optional skills only
	// add weight; same minor group or ESCO occupation means occupation >= 100.
	for _, s := range p.ess {
		for _, i := range ix.skill[s] {
			sc.add(i, 2, true)
		}
	}
	for _, s := range p.opt {
		for _, i := range ix.skill[s] {
			sc.add(i, 1, false)
		}
	}
	if m := minorGroup(v.Occupation.ISCO); m != "" {
		for _, i := range ix.minor[m] {
			sc.add(i, 0, true)
		}
	}
	if v.Occupation.ESCO != "" {
		for _, i := range ix.esco[v.Occupation.ESCO] {
			sc.add(i, 0, true)
		}
	}
	top := topK{k: limit}
	vk := ix.names.key(v.Occupation, false)
	for _, i := range sc.cands {
		w := &ix.ws[i]
		if w.Origin == v.Destination {
			continue
		}
		s := fastScore(w, &v, &p, int(sc.weight[i]), bestKey(ix.occ[i], vk))
		top.push(hit{score: int32(s), idx: i, id: w.ID})
	}
	hits := top.sorted()
	out := make([]Result, len(hits))
	for j, h := range hits {
		out[j] = explain(&ix.ws[h.idx], &v, &p)
	}
	return out
}

// VacancyIndex answers "which vacancies fit this worker". It is immutable
// after construction and safe for concurrent use; the caller must not
// modify the vacancies passed to NewVacancyIndex.
type VacancyIndex struct {
	vs    []Vacancy
	preps []vacPrep
	ess   postings[SkillID] // essential skill -> vacancies
	opt   postings[SkillID] // optional skill -> vacancies
	minor postings[string]
	esco  postings[string]
	occ   []occKey // each vacancy's occupation, interned
	names interner
	pool  sync.Pool
}

// NewVacancyIndex indexes vs by essential skill, optional skill, ISCO minor
// group and ESCO occupation.
func NewVacancyIndex(vs []Vacancy) *VacancyIndex {
	ix := &VacancyIndex{
		vs: slices.Clone(vs), preps: make([]vacPrep, len(vs)),
		ess: postings[SkillID]{}, opt: postings[SkillID]{}, minor: postings[string]{}, esco: postings[string]{},
		occ: make([]occKey, len(vs)), names: interner{},
	}
	for i := range ix.vs {
		v := &ix.vs[i]
		p := prepareVacancy(v)
		ix.preps[i] = p
		ix.occ[i] = ix.names.key(v.Occupation, true)
		for _, s := range p.ess {
			ix.ess.add(s, int32(i))
		}
		for _, s := range p.opt {
			ix.opt.add(s, int32(i))
		}
		if m := minorGroup(v.Occupation.ISCO); m != "" {
			ix.minor.add(m, int32(i))
		}
		if v.Occupation.ESCO != "" {
			ix.esco.add(v.Occupation.ESCO, int32(i))
		}
	}
	n := len(ix.vs)
	ix.pool.New = func() any { return newScratch(n) }
	return ix
}

// Len is the number of indexed vacancies.
func (ix *VacancyIndex) Len() int { return len(ix.vs) }

// VacanciesFor returns the eligible vacancies for w ranked by Score
// descending, ties by VacancyID ascending, at most limit (limit <= 0: all).
func (ix *VacancyIndex) VacanciesFor(w Worker, limit int) []Result {
	sc := ix.pool.Get().(*scratch)
	defer ix.pool.Put(sc)
	top := topK{k: limit}
	ix.eligible(&w, sc, func(i int32, score int) {
		top.push(hit{score: int32(score), idx: i, id: ix.vs[i].ID})
	})
	hits := top.sorted()
	out := make([]Result, len(hits))
	for j, h := range hits {
		out[j] = explain(&w, &ix.vs[h.idx], &ix.preps[h.idx])
	}
	return out
}

// eligible calls fn for every vacancy eligible for w with its score, in
// first-touch order (deterministic for a given index and worker).
func (ix *VacancyIndex) eligible(w *Worker, sc *scratch, fn func(i int32, score int)) {
	sc.begin()
	for _, s := range sortedSet(w.Skills) {
		for _, i := range ix.ess[s] {
			sc.add(i, 2, true)
		}
		for _, i := range ix.opt[s] {
			sc.add(i, 1, false)
		}
	}
	for _, o := range w.Occupations {
		if m := minorGroup(o.ISCO); m != "" {
			for _, i := range ix.minor[m] {
				sc.add(i, 0, true)
			}
		}
		if o.ESCO != "" {
			for _, i := range ix.esco[o.ESCO] {
				sc.add(i, 0, true)
			}
		}
	}
	held := make([]occKey, 0, len(w.Occupations))
	for _, o := range w.Occupations {
		held = append(held, ix.names.key(o, false))
	}
	for _, i := range sc.cands {
		v := &ix.vs[i]
		if v.Destination == w.Origin {
			continue
		}
		s := fastScore(w, v, &ix.preps[i], int(sc.weight[i]), bestKey(held, ix.occ[i]))
		fn(i, s)
	}
}
