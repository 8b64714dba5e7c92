package remit

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// RPW's averages, as this package computes them:
//
//   - A service's cost is the total cost % of its quote for the basket
//     amount (USD 200 by default: RPW's headline figures, and the DataBank
//     series ATCR.CORR, are for USD 200).
//   - Non-transparent quotes are excluded from every average: the rate
//     applied is not disclosed, so the margin (and the total cost) is not
//     known. RPW does the same. They are counted in Excluded.
//   - Corridor average: the simple (unweighted) average over the services
//     quoted in the corridor in the quarter.
//   - Regional, sending-country, receiving-country and global averages: the
//     simple average over all services in the group's corridors (not an
//     average of corridor averages), as RPW computes them. Regions group
//     corridors by the receiving country's region.
//   - SmaRT: the average of the (up to) three cheapest services that are
//     transparent, take at most 5 days (speed class "3-5 days" or faster)
//     and are accessible (see Accessible).
//   - Each service counts once per corridor and quarter (Quote.ServiceID:
//     firm, payment instrument, access point, pick-up method, speed and
//     receiving currency), with its latest quote of the quarter; repeated
//     quotes of one service are one service, and the rows an RPW import
//     flags as exact duplicates (FlagDuplicate) are left out.
//   - Quotes whose cost is not known (non-transparent, or flagged
//     FlagsUnreliable — including a submitted interbank rate no reference
//     verified) are excluded like non-transparent ones.

// SmaRTMaxDays is the longest a service may take to count for SmaRT.
const SmaRTMaxDays = 5

// Accessible reports whether a quote's service counts as accessible for
// SmaRT. Corridor's rule: a service is accessible unless
//   - the receiver must hold an account with the sending firm or its partner
//     (pick-up method or access point "Own/partner bank account", "own
//     account", "partner account"…), or
//   - the stated receiving network coverage is limited ("limited", "low",
//     "partial", "poor", "few").
//
// Cash pick-up, any bank account, mobile wallets and home delivery are
// accessible. RPW's own SmaRT rule also looks at how the sender can pay;
// the quotes here carry no reliable field for that, so it is not used.
func Accessible(q *Quote) bool {
	for _, s := range [...]string{q.PickupMethod, q.AccessPoint} {
		if containsFold(s, "account") && (containsFold(s, "own") || containsFold(s, "partner") || containsFold(s, "same")) {
			return false
		}
	}
	c := q.NetworkCoverage
	if c == "" {
		return true
	}
	for _, w := range [...]string{"limited", "low", "partial", "poor", "few"} {
		if containsFold(c, w) {
			return false
		}
	}
	return true
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// ignoring ASCII case, without allocating (it runs once per quote).
func containsFold(s, sub string) bool {
	n := len(sub)
outer:
	for i := 0; i+n <= len(s); i++ {
		for j := 0; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				continue outer
			}
		}
		return true
	}
	return false
}

// SmaRTEligible reports whether a quote counts for SmaRT: transparent with
// a known cost, at most SmaRTMaxDays, accessible.
func SmaRTEligible(q *Quote) bool {
	return q.Complete() && q.Speed.WithinDays(SmaRTMaxDays) && Accessible(q)
}

// AggregateOptions select the quotes and the groups of an aggregation.
type AggregateOptions struct {
	// BasketUSD selects the quotes whose BasketUSD equals it. 0 means 200
	// (RPW's headline amount); a negative value takes every quote.
	BasketUSD float64
	// RegionOf maps a receiving country (ISO alpha-3) to its region code.
	// Corridors whose receiving country has no region count in no region
	// (but in the global average).
	RegionOf map[string]string
	// Workers is how many goroutines Aggregate uses; 0 means GOMAXPROCS.
	Workers int
}

// CorridorStats are the figures of one corridor in one quarter.
type CorridorStats struct {
	Corridor
	Period Period `json:"period"`
	// AveragePct is the simple average total cost % over Services services.
	AveragePct float64 `json:"averageTotalCostPct"`
	Services   int     `json:"services"`
	// Excluded counts the services left out because their cost is not
	// known (non-transparent, or flagged FlagsUnreliable).
	Excluded int `json:"excluded"`
	// SmaRTPct is the average of the SmaRTServices cheapest eligible
	// services; SmaRTServices is 3, or fewer when the corridor has fewer
	// eligible services (0: no SmaRT).
	SmaRTPct      float64 `json:"smartPct"`
	SmaRTServices int     `json:"smartServices"`
}

// String describes the figures for logs (it hides Corridor.String, which
// the embedding would otherwise promote).
func (c CorridorStats) String() string {
	return fmt.Sprintf("%s %s: average %.4f %% over %d services (%d excluded), SmaRT %.4f %% over %d",
		c.Corridor, c.Period, c.AveragePct, c.Services, c.Excluded, c.SmaRTPct, c.SmaRTServices)
}

// GroupAverage is a simple average over the services of a group of
// corridors in one quarter. Group is a region code, a country code, or
// "WLD" for the world.
type GroupAverage struct {
	Group    string  `json:"group"`
	Period   Period  `json:"period"`
	Pct      float64 `json:"averageTotalCostPct"`
	Services int     `json:"services"`
}

// Aggregates are every average of a set of quotes, for every quarter. Each
// slice is sorted by period, then group (or sending, receiving country).
type Aggregates struct {
	Corridors []CorridorStats `json:"corridors"`
	Regions   []GroupAverage  `json:"regions"`   // by region of the receiving country
	Sending   []GroupAverage  `json:"sending"`   // by sending country
	Receiving []GroupAverage  `json:"receiving"` // by receiving country
	Global    []GroupAverage  `json:"global"`    // Group "WLD"
	// Skipped counts quotes left out because their corridor codes or period
	// were not valid.
	Skipped int `json:"skipped"`
}

// Corridor returns the figures of a corridor in a quarter, or a
// derrors.NotFound error.
func (a *Aggregates) Corridor(c Corridor, p Period) (CorridorStats, error) {
	i, ok := slices.BinarySearchFunc(a.Corridors, CorridorStats{Corridor: c, Period: p}, cmpCorridorStats)
	if !ok {
		return CorridorStats{}, derrors.Kindf(derrors.NotFound, "no quotes for corridor %s in %s", c, p)
	}
	return a.Corridors[i], nil
}

// GlobalAt returns the global average of a quarter, or a derrors.NotFound
// error.
func (a *Aggregates) GlobalAt(p Period) (GroupAverage, error) {
	i, ok := slices.BinarySearchFunc(a.Global, p, func(g GroupAverage, p Period) int { return cmp.Compare(g.Period, p) })
	if !ok {
		return GroupAverage{}, derrors.Kindf(derrors.NotFound, "no quotes in %s", p)
	}
	return a.Global[i], nil
}

func cmpCorridorStats(a, b CorridorStats) int {
	return cmp.Or(cmp.Compare(a.Period, b.Period), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
}

// svcEntry is the quote a service counts with in a cell: its latest
// (by quote time, then sequence) in the quarter.
type svcEntry struct {
	t, seq int64
	cost   float64
	costed bool // the total cost is known
	smart  bool // eligible for SmaRT
}

// svcID identifies a service within a cell (Quote.ServiceID's parts):
// the normalised ServiceKey, the speed and the receiving currency.
type svcID struct {
	key   string
	speed Speed
	recv  string
}

// cell accumulates one corridor in one quarter: one entry per service.
type cell struct {
	key      uint64
	from, to string
	svc      map[svcID]int32
	list     []svcEntry
}

// put keeps e as service id's entry when it is later than the one held.
func (c *cell) put(id svcID, e svcEntry) {
	if i, ok := c.svc[id]; ok {
		o := &c.list[i]
		if e.t > o.t || (e.t == o.t && e.seq > o.seq) {
			*o = e
		}
		return
	}
	if c.svc == nil {
		c.svc = make(map[svcID]int32, 16)
	}
	c.svc[id] = int32(len(c.list))
	c.list = append(c.list, e)
}

// stats sums the cell's services: the costed ones (sum, n), the others
// (excluded), and the three cheapest SmaRT-eligible costs, ascending.
func (c *cell) stats() (sum float64, n, excluded int, smart []float64) {
	for i := range c.list {
		e := &c.list[i]
		if !e.costed {
			excluded++
			continue
		}
		sum += e.cost
		n++
		if e.smart {
			smart = append(smart, e.cost)
		}
	}
	slices.Sort(smart)
	if len(smart) > 3 {
		smart = smart[:3]
	}
	return sum, n, excluded, smart
}

// Aggregator accumulates quotes one at a time (for a store streaming rows)
// and gives the Aggregates at the end. It is not safe for concurrent use;
// Aggregate runs one per worker and merges them.
//
// Each service (Quote.ServiceID: firm, payment instrument, access point,
// pick-up method, speed, receiving currency) counts once per corridor and
// quarter, with its latest quote of the quarter (by QuotedAt, else Date);
// quotes flagged FlagDuplicate (exact duplicate rows of an RPW file) are
// left out. A firm quoting the same service six times in a quarter is one
// service in the averages, SmaRT and the SDG status, as in RPW.
type Aggregator struct {
	basket  float64
	region  map[string]string
	index   map[uint64]int32
	cells   []cell
	skipped int
	seq     int64
	keys    map[[4]string]string // raw firm, instrument, access point, pick-up → ServiceKey (Add)
}

// NewAggregator returns an empty Aggregator.
func NewAggregator(opt AggregateOptions) *Aggregator {
	b := opt.BasketUSD
	if b == 0 {
		b = 200
	}
	return &Aggregator{basket: b, region: opt.RegionOf, index: make(map[uint64]int32, 1024)}
}

// packISO3 packs an upper-case ISO alpha-3 code into 15 bits.
func packISO3(s string) (uint64, bool) {
	if len(s) != 3 {
		return 0, false
	}
	var v uint64
	for i := 0; i < 3; i++ {
		c := s[i]
		if c < 'A' || c > 'Z' {
			return 0, false
		}
		v = v<<5 | uint64(c-'A'+1)
	}
	return v, true
}

// Add accumulates one quote; its service is q.ServiceID() and later
// quotes added for the same service and time win.
func (g *Aggregator) Add(q *Quote) {
	g.seq++
	if g.basket >= 0 && q.BasketUSD != g.basket {
		return
	}
	raw := [4]string{q.Firm, q.PaymentInstrument, q.AccessPoint, q.PickupMethod}
	k, ok := g.keys[raw]
	if !ok {
		if g.keys == nil {
			g.keys = map[[4]string]string{}
		}
		k = q.ServiceKey()
		g.keys[raw] = k
	}
	g.AddService(q, k, quoteTime(q).UnixNano(), g.seq)
}

// AddService accumulates one quote of the service whose Quote.ServiceKey
// is serviceKey (e.g. as stored) with q's speed and receiving currency
// (together Quote.ServiceID), quoted at t (Unix nanoseconds); seq orders
// quotes of the same time (a stored id).
func (g *Aggregator) AddService(q *Quote, serviceKey string, t, seq int64) {
	if g.basket >= 0 && q.BasketUSD != g.basket {
		return
	}
	if q.Flags.Has(FlagDuplicate) {
		return
	}
	f, ok1 := packISO3(q.From)
	to, ok2 := packISO3(q.To)
	if !ok1 || !ok2 || q.Period <= 0 || q.Period >= 1<<20 {
		g.skipped++
		return
	}
	key := f<<35 | to<<20 | uint64(q.Period)
	i, ok := g.index[key]
	if !ok {
		i = int32(len(g.cells))
		g.index[key] = i
		g.cells = append(g.cells, cell{key: key, from: q.From, to: q.To})
	}
	e := svcEntry{t: t, seq: seq}
	if cost, ok := q.TotalCostPct(); ok {
		e.cost, e.costed = cost, true
		e.smart = q.Speed.WithinDays(SmaRTMaxDays) && Accessible(q)
	}
	g.cells[i].put(svcID{key: serviceKey, speed: q.Speed, recv: q.ReceiveCurrency}, e)
}

// Merge adds everything another Aggregator accumulated.
func (g *Aggregator) Merge(o *Aggregator) {
	g.skipped += o.skipped
	for k := range o.cells {
		oc := &o.cells[k]
		i, ok := g.index[oc.key]
		if !ok {
			g.index[oc.key] = int32(len(g.cells))
			g.cells = append(g.cells, *oc)
			continue
		}
		c := &g.cells[i]
		for id, j := range oc.svc {
			c.put(id, oc.list[j])
		}
	}
}

type groupKey struct {
	group  string
	period Period
}

type groupSum struct {
	sum float64
	n   int
}

// Result computes the Aggregates of everything added so far.
func (g *Aggregator) Result() *Aggregates {
	a := &Aggregates{Skipped: g.skipped, Corridors: make([]CorridorStats, 0, len(g.cells))}
	regions := map[groupKey]*groupSum{}
	sending := map[groupKey]*groupSum{}
	receiving := map[groupKey]*groupSum{}
	global := map[groupKey]*groupSum{}
	add := func(m map[groupKey]*groupSum, k groupKey, sum float64, n int) {
		s := m[k]
		if s == nil {
			s = &groupSum{}
			m[k] = s
		}
		s.sum += sum
		s.n += n
	}
	for k := range g.cells {
		c := &g.cells[k]
		p := Period(c.key & (1<<20 - 1))
		sum, n, excluded, smart := c.stats()
		cs := CorridorStats{Corridor: Corridor{From: c.from, To: c.to}, Period: p, Services: n, Excluded: excluded, SmaRTServices: len(smart)}
		if n > 0 {
			cs.AveragePct = sum / float64(n)
			add(sending, groupKey{c.from, p}, sum, n)
			add(receiving, groupKey{c.to, p}, sum, n)
			add(global, groupKey{"WLD", p}, sum, n)
			if r, ok := g.region[c.to]; ok && r != "" {
				add(regions, groupKey{r, p}, sum, n)
			}
		}
		if len(smart) > 0 {
			var s float64
			for _, v := range smart {
				s += v
			}
			cs.SmaRTPct = s / float64(len(smart))
		}
		a.Corridors = append(a.Corridors, cs)
	}
	slices.SortFunc(a.Corridors, cmpCorridorStats)
	a.Regions = groupList(regions)
	a.Sending = groupList(sending)
	a.Receiving = groupList(receiving)
	a.Global = groupList(global)
	return a
}

func groupList(m map[groupKey]*groupSum) []GroupAverage {
	out := make([]GroupAverage, 0, len(m))
	for k, s := range m {
		out = append(out, GroupAverage{Group: k.group, Period: k.period, Pct: s.sum / float64(s.n), Services: s.n})
	}
	slices.SortFunc(out, func(a, b GroupAverage) int {
		return cmp.Or(cmp.Compare(a.Period, b.Period), cmp.Compare(a.Group, b.Group))
	})
	return out
}

// Aggregate computes every corridor, regional, sending, receiving, global
// and SmaRT figure of every quarter in quotes, in one pass split over
// opt.Workers goroutines.
func Aggregate(quotes []Quote, opt AggregateOptions) *Aggregates {
	w := opt.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	if w > 1 && len(quotes) < 50_000 {
		w = 1
	}
	parts := make([]*Aggregator, w)
	var wg sync.WaitGroup
	chunk := (len(quotes) + w - 1) / w
	for i := range w {
		parts[i] = NewAggregator(opt)
		lo, hi := min(i*chunk, len(quotes)), min((i+1)*chunk, len(quotes))
		wg.Go(func() {
			g := parts[i]
			for j := lo; j < hi; j++ {
				g.Add(&quotes[j])
			}
		})
	}
	wg.Wait()
	for _, p := range parts[1:] {
		parts[0].Merge(p)
	}
	return parts[0].Result()
}

// WeightedAverage is a volume-weighted average of corridor averages.
type WeightedAverage struct {
	Period Period  `json:"period"`
	Pct    float64 `json:"averageTotalCostPct"`
	// Corridors is how many corridors had both an average and a weight.
	Corridors int `json:"corridors"`
	// Weight is the total weight of those corridors (the weights' unit).
	Weight float64 `json:"weight"`
}

// VolumeWeightedAverage is Σ weight × corridor average ÷ Σ weight over the
// corridors of period p that have both an average (Services > 0) and a
// positive weight; other corridors are left out. RPW's published global
// average is a simple average; this is Corridor's volume-weighted figure.
//
// Weights: Corridor uses the remittance flow from the sending to the
// receiving country in the KNOMAD/World Bank Bilateral Remittance Matrix
// 2021 (US$ million, data/remittances/bilateral), so a corridor counts in
// proportion to the money sent along it. Any non-negative weights in one
// unit work. The error is derrors.NotFound when no corridor qualifies.
func VolumeWeightedAverage(corridors []CorridorStats, p Period, weights map[Corridor]float64) (WeightedAverage, error) {
	r := WeightedAverage{Period: p}
	var s float64
	for i := range corridors {
		c := &corridors[i]
		if c.Period != p || c.Services == 0 {
			continue
		}
		w := weights[c.Corridor]
		if !(w > 0) {
			continue
		}
		s += w * c.AveragePct
		r.Weight += w
		r.Corridors++
	}
	if r.Corridors == 0 {
		return r, derrors.Kindf(derrors.NotFound, "no corridor in %s has both an average and a weight", p)
	}
	r.Pct = s / r.Weight
	return r, nil
}

// The SDG 10.c.1 targets: "By 2030, reduce to less than 3 per cent the
// transaction costs of migrant remittances and eliminate remittance
// corridors with costs higher than 5 per cent".
const (
	SDGGlobalTargetPct   = 3.0
	SDGCorridorTargetPct = 5.0
)

// SDGStatus is where a cost stands against an SDG 10.c.1 target.
type SDGStatus struct {
	ValuePct  float64 `json:"valuePct"`
	TargetPct float64 `json:"targetPct"`
	// Met: the global average is below 3 % (strictly), or the corridor's
	// average is at most 5 %.
	Met bool `json:"met"`
	// GapPct is value − target (negative: below the target).
	GapPct float64 `json:"gapPct"`
}

// GlobalSDGStatus compares a global average with the 3 % target.
func GlobalSDGStatus(avgPct float64) SDGStatus {
	return SDGStatus{ValuePct: avgPct, TargetPct: SDGGlobalTargetPct, Met: avgPct < SDGGlobalTargetPct, GapPct: avgPct - SDGGlobalTargetPct}
}

// CorridorSDGStatus compares a corridor average with the 5 % ceiling.
func CorridorSDGStatus(avgPct float64) SDGStatus {
	return SDGStatus{ValuePct: avgPct, TargetPct: SDGCorridorTargetPct, Met: avgPct <= SDGCorridorTargetPct, GapPct: avgPct - SDGCorridorTargetPct}
}
