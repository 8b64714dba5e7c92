// Package match matches migrant workers in countries of origin to vacancies
// in destination countries (like EURES on ESCO skills), explains every
// score, and computes an exactly optimal assignment for a recruitment
// drive. It is pure logic: no SQL, no HTTP, no I/O.
//
// # Score
//
// A worker–vacancy pair scores 0..1000, the sum of five integer components.
// Integers (not floats) make the assignment objective exact and the
// ranking reproducible.
//
//   - skills 0..500: each essential skill weighs 2, each optional 1;
//     500 × matched weight ÷ total weight, rounded half up. A vacancy that
//     lists no skills gets 500 × (occupation component ÷ 200) instead, so
//     it is not penalised for a short description. Skills are sets:
//     duplicates count once and a skill listed both as essential and
//     optional counts as essential.
//   - occupation 0..200: the best over the worker's occupations: same ESCO
//     occupation 200; otherwise the longest shared ISCO-08 prefix: unit
//     group (4 digits) 160, minor group (3) 100, sub-major group (2) 60,
//     major group (1) 20; else 0. ISCO's hierarchy is a cheap, standard
//     proxy for how transferable an occupation's experience is.
//   - languages 0..150: 150 × required languages held at or above the CEFR
//     level ÷ required languages (integer division); 150 if none required.
//     A language listed twice counts with its highest level.
//   - qualifications 0..100: 60 if the ISCED education level reaches the
//     minimum; 40 if the experience reaches the minimum, else 40 × years ÷
//     required years (integer division).
//   - preference 0..50: 50 if the destination is among the worker's
//     preferred destinations or the worker states none.
//
// Explanation carries the matched and missing skills, the occupation
// relation, the languages met and missing, the qualification and
// preference flags, and the five components, which always sum to the score.
//
// # Eligibility
//
// A pair is eligible when the worker's origin differs from the vacancy's
// destination (this is labour mobility, not domestic recruitment) and the
// worker either holds at least one essential skill or has an occupation in
// the same ISCO minor group (occupation component >= 100). Otherwise a
// worker could rank on languages and paperwork alone for a job they cannot
// do. Ineligible pairs are never returned or assigned. For the assignment
// only, a pair is also excluded when the destination is outside the
// worker's non-empty preferred destinations: rankings may show a worker an
// opportunity elsewhere, a plan must not send them there.
//
// # Indexes
//
// Eligibility can only come from a shared essential skill, the same ISCO
// minor group, or the same ESCO occupation, so WorkerIndex and
// VacancyIndex keep inverted posting lists for exactly those keys (plus
// optional skills, for their weight). A query walks the posting lists of
// its own keys, accumulating matched skill weight per item in a pooled
// scratch array (generation-stamped, so it is never cleared), scores only
// the candidates reached this way, keeps the best in a bounded heap, and
// builds explanations only for the returned results. The full Score
// function and the index path share the same component functions, and the
// tests check they agree on every pair. Indexes are immutable after
// construction and safe for concurrent use.
//
// # Assignment
//
// Assign maximises the total score subject to one vacancy per worker and
// Positions workers per vacancy. It is a min-cost flow: source→worker (cap
// 1, cost 0), worker→vacancy for each assignment-eligible pair (cap 1, cost
// 1000−score), worker→sink "unassigned" (cap 1, cost 1000), and
// vacancy→sink (cap Positions, cost 0). All costs are non-negative and
// every worker can always route its unit through the unassigned arc, so the
// maximum flow is the number of workers and its cost is 1000·workers −
// total score: minimising the cost maximises the total.
//
// The solver is the primal–dual (successive shortest paths) method with
// Johnson potentials: each phase runs Dijkstra on the non-negative reduced
// costs, stopped when the sink is settled; potentials are raised by the
// distances (capped at the sink's), which makes every shortest path consist
// of zero-reduced-cost arcs; then a Dinic blocking flow pushes flow along
// all of those paths at once. Augmenting only along shortest paths keeps the
// flow min-cost at every step, so the result is optimal, not a heuristic;
// the number of Dijkstra runs is the number of distinct shortest-path
// lengths (at most 1001 here) instead of one per worker. Reduced distances
// never exceed 1000 (the unassigned route), so the Dijkstra uses a bucket
// queue. Two structural facts keep phases cheap: potentials never rise
// above the sink's, so with a worker's arcs sorted by cost a lower bound on
// every arc's reduced cost is known and arcs that cannot matter in this
// phase are never scanned; and the source and vacancies have few arcs with
// residual capacity (a vacancy: its sink arc and its assigned workers), so
// they are scanned through a maintained active-arc list rather than their
// full adjacency. A brute-force test enumerates every feasible assignment
// of hundreds of random small instances to check optimality.
//
// Greedy (best pair first) is kept for comparison; it can be arbitrarily
// worse, e.g. it gives a vacancy to the one worker who had a good
// alternative and leaves another worker, who fitted only that vacancy,
// unemployed.
//
// Alternatives lists, per worker, up to three next-best assignment-eligible
// vacancies with a flag saying whether each was filled entirely by the
// plan, which explains to a caseworker why the worker did not get it.
package match
