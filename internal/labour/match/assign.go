package match

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// ErrInvalidInput is wrapped by the errors Assign returns for bad input.
var ErrInvalidInput = errors.New("match: invalid input")

// unassignedCost is the cost of the worker->sink "unassigned" arc. A pair
// costs unassignedCost − score ≥ 0, so all costs are non-negative and
// minimising cost maximises the total score of the assigned pairs.
const unassignedCost = MaxScore

// edge is an assignment-eligible pair: a vacancy position and its score.
type edge struct {
	v     int32
	score int32
}

// assignmentEdges lists, for each worker (by position), the assignment-
// eligible vacancies (eligible and within the worker's preferences) sorted
// by vacancy position. The vacancy index makes this proportional to the
// eligible pairs rather than to workers × vacancies.
func assignmentEdges(ws []Worker, vs []Vacancy) [][]edge {
	ix := NewVacancyIndex(vs)
	sc := newScratch(len(vs))
	out := make([][]edge, len(ws))
	for wi := range ws {
		w := &ws[wi]
		var es []edge
		ix.eligible(w, sc, func(i int32, score int) {
			if withinPreferences(w, vs[i].Destination) {
				es = append(es, edge{v: i, score: int32(score)})
			}
		})
		slices.SortFunc(es, func(a, b edge) int { return cmp.Compare(a.v, b.v) })
		out[wi] = es
	}
	return out
}

func validate(ws []Worker, vs []Vacancy) error {
	seen := make(map[int64]struct{}, len(ws))
	for _, w := range ws {
		if _, dup := seen[w.ID]; dup {
			return fmt.Errorf("%w: duplicate worker ID %d", ErrInvalidInput, w.ID)
		}
		seen[w.ID] = struct{}{}
	}
	clear(seen)
	for _, v := range vs {
		if _, dup := seen[v.ID]; dup {
			return fmt.Errorf("%w: duplicate vacancy ID %d", ErrInvalidInput, v.ID)
		}
		seen[v.ID] = struct{}{}
		if v.Positions < 1 {
			return fmt.Errorf("%w: vacancy %d has %d positions, want >= 1", ErrInvalidInput, v.ID, v.Positions)
		}
	}
	return nil
}

// Assign computes an assignment of workers to vacancies that maximises the
// total score, with each worker in at most one vacancy, each vacancy given
// at most Positions workers, and only assignment-eligible pairs (eligible
// and within the worker's non-empty preferred destinations). It is exact:
// a min-cost flow, see the package documentation. The result is
// deterministic for a given input order. It returns an error wrapping
// ErrInvalidInput for duplicate worker or vacancy IDs or Positions < 1.
func Assign(ws []Worker, vs []Vacancy) (Plan, error) {
	if err := validate(ws, vs); err != nil {
		return Plan{}, err
	}
	edges := assignmentEdges(ws, vs)
	n, m := len(ws), len(vs)
	// Nodes: source 0, workers 1..n, vacancies n+1..n+m, sink n+m+1.
	src, sink := 0, n+m+1
	ne := 0
	for _, es := range edges {
		ne += len(es)
	}
	g := newFlowNet(n+m+2, 2*n+m+ne)
	pairArc := make([][]int, n) // forward arc ids, parallel to edges
	for wi, es := range edges {
		// Arcs in cost order (best score first; the reverse of the source
		// arc costs 0 and the unassigned arc MaxScore) let the flow prune
		// a worker's arcs, see minCostFlow.
		es = slices.Clone(es)
		slices.SortStableFunc(es, func(a, b edge) int { return cmp.Compare(b.score, a.score) })
		edges[wi] = es
		g.sorted[1+wi] = true
		g.addArc(src, 1+wi, 1, 0)
		pairArc[wi] = make([]int, len(es))
		for k, e := range es {
			pairArc[wi][k] = g.addArc(1+wi, 1+n+int(e.v), 1, unassignedCost-int(e.score))
		}
		g.addArc(1+wi, sink, 1, unassignedCost)
	}
	for vi := range vs {
		g.addArc(1+n+vi, sink, vs[vi].Positions, 0)
		g.sparse[1+n+vi] = true
	}
	g.sparse[src] = true
	g.build()
	g.minCostFlow(src, sink, unassignedCost)
	assigned := make([]int32, n)
	for wi, es := range edges {
		assigned[wi] = -1
		for k, a := range pairArc[wi] {
			if g.rcap[a] == 0 {
				assigned[wi] = es[k].v
				break
			}
		}
	}
	return buildPlan(ws, vs, edges, assigned), nil
}

// Greedy takes the assignment-eligible pairs in descending score (ties by
// WorkerID, then VacancyID, ascending) and keeps each pair whose worker is
// still free and whose vacancy still has a position. It is the baseline
// Assign is compared with. It does not validate its input: vacancies with
// Positions < 1 simply take nobody.
func Greedy(ws []Worker, vs []Vacancy) Plan {
	edges := assignmentEdges(ws, vs)
	type cand struct {
		w, v  int32
		score int32
	}
	var all []cand
	for wi, es := range edges {
		for _, e := range es {
			all = append(all, cand{int32(wi), e.v, e.score})
		}
	}
	slices.SortFunc(all, func(a, b cand) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		if c := cmp.Compare(ws[a.w].ID, ws[b.w].ID); c != 0 {
			return c
		}
		return cmp.Compare(vs[a.v].ID, vs[b.v].ID)
	})
	assigned := make([]int32, len(ws))
	for i := range assigned {
		assigned[i] = -1
	}
	left := make([]int, len(vs))
	for i, v := range vs {
		left[i] = v.Positions
	}
	for _, c := range all {
		if assigned[c.w] >= 0 || left[c.v] <= 0 {
			continue
		}
		assigned[c.w] = c.v
		left[c.v]--
	}
	return buildPlan(ws, vs, edges, assigned)
}

// buildPlan turns per-worker vacancy positions (-1: none) into a Plan.
func buildPlan(ws []Worker, vs []Vacancy, edges [][]edge, assigned []int32) Plan {
	p := Plan{Alternatives: map[int64][]Alternative{}}
	filled := make([]int, len(vs))
	for wi, vi := range assigned {
		if vi < 0 {
			p.Unassigned = append(p.Unassigned, ws[wi].ID)
			continue
		}
		filled[vi]++
		for _, e := range edges[wi] {
			if e.v == vi {
				p.Pairs = append(p.Pairs, Pair{WorkerID: ws[wi].ID, VacancyID: vs[vi].ID, Score: int(e.score)})
				p.Total += int(e.score)
				break
			}
		}
	}
	slices.SortFunc(p.Pairs, func(a, b Pair) int { return cmp.Compare(a.WorkerID, b.WorkerID) })
	slices.Sort(p.Unassigned)
	for wi, es := range edges {
		var alts []Alternative
		for _, e := range es {
			if e.v == assigned[wi] {
				continue
			}
			alts = append(alts, Alternative{VacancyID: vs[e.v].ID, Score: int(e.score), Full: filled[e.v] >= vs[e.v].Positions})
		}
		if len(alts) == 0 {
			continue
		}
		slices.SortFunc(alts, func(a, b Alternative) int {
			if c := cmp.Compare(b.Score, a.Score); c != 0 {
				return c
			}
			return cmp.Compare(a.VacancyID, b.VacancyID)
		})
		p.Alternatives[ws[wi].ID] = slices.Clip(alts[:min(3, len(alts))])
	}
	return p
}
