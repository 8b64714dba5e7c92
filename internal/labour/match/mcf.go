package match

// flowNet is a min-cost flow network in compressed adjacency form. Arcs
// come in pairs: arc a and its reverse a^1. Costs are integers; potentials
// keep reduced costs non-negative so Dijkstra applies.
type flowNet struct {
	n      int
	to     []int32
	rcap   []int32 // residual capacity
	cost   []int32
	from   []int32 // only used to build the adjacency
	start  []int32 // adjacency of node u: adj[start[u]:start[u+1]]
	adj    []int32
	sorted []bool // node's arcs were added in non-decreasing cost order
	// sparse nodes have few arcs with residual capacity at any time (the
	// source once workers are assigned, a vacancy: its sink arc and the
	// reverse arcs of its assigned workers). They are scanned through
	// active, a superset of their residual arcs kept up to date when flow
	// is pushed, instead of their whole (large) adjacency.
	sparse   []bool
	active   [][]int32
	inActive []bool // arc is listed in active[from]
}

func newFlowNet(n, arcHint int) *flowNet {
	return &flowNet{n: n, to: make([]int32, 0, 2*arcHint), rcap: make([]int32, 0, 2*arcHint),
		cost: make([]int32, 0, 2*arcHint), from: make([]int32, 0, 2*arcHint), sorted: make([]bool, n), sparse: make([]bool, n)}
}

// addArc adds u->v and its reverse and returns the forward arc's id.
func (g *flowNet) addArc(u, v int, capacity, cost int) int {
	a := len(g.to)
	g.to = append(g.to, int32(v), int32(u))
	g.from = append(g.from, int32(u), int32(v))
	g.rcap = append(g.rcap, int32(capacity), 0)
	g.cost = append(g.cost, int32(cost), int32(-cost))
	return a
}

// build freezes the arcs into adjacency lists, keeping insertion order so
// that the result is deterministic.
func (g *flowNet) build() {
	g.start = make([]int32, g.n+1)
	for _, u := range g.from {
		g.start[u+1]++
	}
	for u := 0; u < g.n; u++ {
		g.start[u+1] += g.start[u]
	}
	g.adj = make([]int32, len(g.from))
	pos := make([]int32, g.n)
	copy(pos, g.start[:g.n])
	for a, u := range g.from {
		g.adj[pos[u]] = int32(a)
		pos[u]++
	}
	g.from = nil
	g.active = make([][]int32, g.n)
	g.inActive = make([]bool, len(g.to))
	for u := range g.sparse {
		if g.sparse[u] {
			for _, a := range g.adj[g.start[u]:g.start[u+1]] {
				if g.rcap[a] > 0 {
					g.active[u] = append(g.active[u], a)
					g.inActive[a] = true
				}
			}
		}
	}
	for u := range g.sorted {
		if g.sorted[u] {
			arcs := g.adj[g.start[u]:g.start[u+1]]
			for i := 1; i < len(arcs); i++ {
				if g.cost[arcs[i-1]] > g.cost[arcs[i]] {
					panic("match: arcs of a sorted node are not in cost order")
				}
			}
		}
	}
}

// push sends d units along arc a.
func (g *flowNet) push(a int32, d int32) {
	g.rcap[a] -= d
	r := a ^ 1
	g.rcap[r] += d
	if u := g.to[a]; g.sparse[u] && !g.inActive[r] { // u is r's tail
		g.inActive[r] = true
		g.active[u] = append(g.active[u], r)
	}
}

// residualArcs returns the arcs of u to scan: all of them, or for a sparse
// node its active list after dropping arcs without residual capacity.
func (g *flowNet) residualArcs(u int32, compact bool) []int32 {
	if !g.sparse[u] {
		return g.adj[g.start[u]:g.start[u+1]]
	}
	if compact {
		l := g.active[u][:0]
		for _, a := range g.active[u] {
			if g.rcap[a] > 0 {
				l = append(l, a)
			} else {
				g.inActive[a] = false
			}
		}
		g.active[u] = l
	}
	return g.active[u]
}

// qent is a bucket-queue entry: a node label (k < 0), or the next
// unexpanded arc position k of a settled node with sorted arcs.
type qent struct{ u, k int32 }

// minCostFlow pushes as much flow as possible from s to t at minimum cost
// with the primal–dual method:
//
//  1. Dijkstra on reduced costs c(u,v)+π(u)−π(v) ≥ 0 from s, stopped as soon
//     as t is settled. Distances are small integers (≤ maxDist, see below),
//     so a bucket queue (Dial) replaces the binary heap: O(E + maxDist).
//  2. π(v) += min(d(v), d(t)). This keeps every residual reduced cost ≥ 0
//     and makes every shortest s–t path consist of zero-reduced-cost arcs.
//  3. Augment along all of them at once: Dinic's blocking flow restricted to
//     the admissible arcs (residual, reduced cost 0). Levels from BFS make
//     the DFS terminate even when the admissible graph has zero-cost cycles.
//
// Every augmenting path is a shortest path, so the flow stays min-cost at
// every value (the successive-shortest-path invariant); batching them only
// reduces the number of Dijkstra runs to the number of distinct shortest
// path lengths. maxDist must bound the reduced s–t distance of every phase;
// the caller guarantees it with an always-available s->w->t path of cost
// maxDist (the "unassigned" arc).
//
// Pruning of nodes with sorted arcs: step 2 never raises π(v) by more than
// π(t), so π(v) ≤ π(t) for every v, and c(u,v)+π(u)−π(t) is a lower bound
// of the reduced cost of arc (u,v). When u's arcs are sorted by cost the
// bounds are non-decreasing, so Dijkstra expands them lazily, in bound
// order, and stops at d(t); the admissible-arc scans stop at the first
// arc whose bound is positive. Workers have sorted arcs, so a free worker
// costs only its arcs that are cheap enough to matter in this phase, not
// its whole degree in every phase.
func (g *flowNet) minCostFlow(s, t int, maxDist int) (flow int) {
	n := g.n
	pi := make([]int64, n)
	dist := make([]int32, n)
	settled := make([]int32, n) // phase number in which the node was settled
	level := make([]int32, n)
	it := make([]int32, n)
	queue := make([]int32, 0, n)
	buckets := make([][]qent, maxDist+1)
	const inf = int32(1<<31 - 1)
	for phase := int32(1); ; phase++ {
		// 1. Dijkstra with early exit at t.
		for i := range dist {
			dist[i] = inf
		}
		piT := pi[t]
		dist[s] = 0
		buckets[0] = append(buckets[0], qent{int32(s), -1})
		dt := int32(-1)
		// relax relaxes arc a out of u, settled at distance du; labels
		// beyond maxDist or the sink's current label cannot matter.
		relax := func(u, a int32, du int32) {
			if g.rcap[a] <= 0 {
				return
			}
			v := g.to[a]
			nd := int64(du) + int64(g.cost[a]) + pi[u] - pi[v]
			if nd < int64(dist[v]) && nd <= int64(maxDist) && nd <= int64(dist[t]) {
				dist[v] = int32(nd)
				buckets[nd] = append(buckets[nd], qent{v, -1})
			}
		}
		// expandSorted relaxes u's arcs from position k whose lower bound
		// is at most cur and queues the rest lazily at their bound.
		expandSorted := func(u, k int32, cur int) {
			du := int64(dist[u])
			for end := g.start[u+1]; k < end; k++ {
				a := g.adj[k]
				lb := du + int64(g.cost[a]) + pi[u] - piT
				if lb > int64(maxDist) || lb > int64(dist[t]) {
					return
				}
				if lb > int64(cur) {
					buckets[lb] = append(buckets[lb], qent{u, k})
					return
				}
				relax(u, a, int32(du))
			}
		}
	scan:
		for d := 0; d <= maxDist; d++ {
			for len(buckets[d]) > 0 {
				b := buckets[d]
				e := b[len(b)-1]
				buckets[d] = b[:len(b)-1]
				u := e.u
				if e.k >= 0 {
					expandSorted(u, e.k, d)
					continue
				}
				if dist[u] != int32(d) || settled[u] == phase {
					continue
				}
				settled[u] = phase
				if int(u) == t {
					dt = int32(d)
					break scan
				}
				if g.sorted[u] {
					expandSorted(u, g.start[u], d)
					continue
				}
				for _, a := range g.residualArcs(u, true) {
					relax(u, a, int32(d))
				}
			}
		}
		for d := range buckets {
			buckets[d] = buckets[d][:0]
		}
		if dt < 0 {
			return flow
		}
		// 2. Potentials.
		for v := range pi {
			if settled[v] == phase {
				pi[v] += int64(dist[v])
			} else {
				pi[v] += int64(dt)
			}
		}
		// 3. Blocking flows on the admissible subgraph until t is cut off.
		for {
			for i := range level {
				level[i] = -1
			}
			level[s] = 0
			queue = append(queue[:0], int32(s))
			for qi := 0; qi < len(queue) && level[t] < 0; qi++ {
				u := queue[qi]
				for _, a := range g.residualArcs(u, false) {
					if g.sorted[u] && int64(g.cost[a])+pi[u]-pi[t] > 0 {
						break
					}
					v := g.to[a]
					if g.rcap[a] > 0 && level[v] < 0 && int64(g.cost[a])+pi[u]-pi[v] == 0 {
						level[v] = level[u] + 1
						queue = append(queue, v)
					}
				}
			}
			if level[t] < 0 {
				break
			}
			clear(it)
			for {
				f := g.augment(int32(s), int32(t), inf, level, it, pi)
				if f == 0 {
					break
				}
				flow += int(f)
			}
		}
	}
}

// augment finds one admissible level-increasing path from u to t by DFS
// with current-arc pointers (Dinic) and pushes up to f along it. it[u] is
// the position in u's residualArcs.
func (g *flowNet) augment(u, t int32, f int32, level, it []int32, pi []int64) int32 {
	if u == t {
		return f
	}
	arcs := g.residualArcs(u, false)
	for ; int(it[u]) < len(arcs); it[u]++ {
		a := arcs[it[u]]
		if g.sorted[u] && int64(g.cost[a])+pi[u]-pi[t] > 0 {
			it[u] = int32(len(arcs))
			return 0
		}
		v := g.to[a]
		if g.rcap[a] <= 0 || level[v] != level[u]+1 || int64(g.cost[a])+pi[u]-pi[v] != 0 {
			continue
		}
		if d := g.augment(v, t, min(f, g.rcap[a]), level, it, pi); d > 0 {
			g.push(a, d)
			return d
		}
	}
	return 0
}
