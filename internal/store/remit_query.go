package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/remit"
)

// The reads of remittance prices. Every average is recomputed from the
// stored quotes by internal/remit (remit.NewAggregator: simple averages
// over services, non-transparent quotes excluded, SmaRT), once per
// version of the quotes and of the reference geography, and kept in
// memory (remitCache), so that requests never recompute. Published
// corridor averages (DataBank, and the UK corridor aggregates) fill the
// quarters without quotes, served unchanged and marked with their source.

// RemitSourceQuotes marks a figure computed from the stored quotes.
const RemitSourceQuotes = "quotes"

// remitCache holds the aggregates and the sender comparison's services
// per corridor, for one version of the data.
type remitCache struct {
	mu       sync.Mutex
	compute  sync.Mutex // one recompute at a time
	agg      *RemitAggregates
	version  int64
	services map[string][]remit.Quote // "FROM|TO|CUR" → latest quote per service and amount
	loading  map[string]chan struct{} // lists being read: concurrent requests wait for them
}

// RemitPublished is a published corridor average (DataBank ATCR.CORR, or
// the UK corridor aggregates' average total cost).
type RemitPublished struct {
	remit.Corridor
	Period remit.Period `json:"period"`
	Pct    float64      `json:"averageTotalCostPct"`
	Series string       `json:"series"`
	Source string       `json:"source"`
}

// RemitAggregates are every average of the stored quotes (for the USD 200
// basket, as RPW's headline figures), with the published corridor
// averages, for one data version.
type RemitAggregates struct {
	*remit.Aggregates
	Version    int64 // RemitVersion they were computed at
	GeoVersion int64
	Quotes     int // quotes read: those for the USD 200 basket
	// RegionOf maps a country to its M49 region code; RegionName names
	// the codes.
	RegionOf   map[string]string
	RegionName map[string]string
	// CountryName names the countries of the reference geography by
	// ISO alpha-3 code (empty when it is not loaded).
	CountryName map[string]string
	byCorridor  map[remit.Corridor][]remit.CorridorStats // by period
	published   map[remit.Corridor][]RemitPublished      // by period
	pubPeriod   map[remit.Period][]RemitPublished
	quotePer    map[remit.Period]bool // periods with at least one costed quote
	surveyN     map[remit.Period]int  // corridors of DataBank's export (RPW's survey) by period
}

// RemitAggregates returns the aggregates of the current data, computing
// them when quotes, published averages or the reference geography
// changed since they were last computed.
func (db *DB) RemitAggregates(ctx context.Context) (_ *RemitAggregates, err error) {
	defer derrors.Wrap(&err, "store.RemitAggregates")
	v, err := db.RemitVersion(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := db.Geo().snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var gv int64
	if snap != nil {
		gv = snap.version
	}
	c := &db.remit
	c.mu.Lock()
	a := c.agg
	c.mu.Unlock()
	if a != nil && a.Version == v && a.GeoVersion == gv {
		return a, nil
	}
	c.compute.Lock()
	defer c.compute.Unlock()
	c.mu.Lock()
	a = c.agg
	c.mu.Unlock()
	if a != nil && a.Version == v && a.GeoVersion == gv {
		return a, nil
	}
	region, names, countries := map[string]string{}, map[string]string{}, map[string]string{}
	iso3 := map[string]string{} // ISO alpha-2 → alpha-3 (the UK corridor aggregates' destination codes)
	if snap != nil {
		for _, ar := range snap.areas {
			if ar.IsCountry() && ar.ISO2 != "" && ar.ISO3 != "" {
				iso3[ar.ISO2] = ar.ISO3
			}
			if ar.IsCountry() && ar.ISO3 != "" {
				countries[ar.ISO3] = ar.Name
			}
			if ar.IsCountry() && ar.RegionCode != "" {
				region[ar.Code] = ar.RegionCode
				names[ar.RegionCode] = ar.Region
			}
		}
	}
	a, err = db.computeRemitAggregates(ctx, region, iso3)
	if err != nil {
		return nil, err
	}
	a.Version, a.GeoVersion, a.RegionName, a.CountryName = v, gv, names, countries
	c.mu.Lock()
	c.agg = a
	c.mu.Unlock()
	return a, nil
}

// ComputeRemitAggregates recomputes every aggregate from the database,
// bypassing the cache (benchmarks).
func (db *DB) ComputeRemitAggregates(ctx context.Context) (*RemitAggregates, error) {
	return db.computeRemitAggregates(ctx, nil, nil)
}

func (db *DB) computeRemitAggregates(ctx context.Context, region, iso3 map[string]string) (*RemitAggregates, error) {
	// The quotes are read in id ranges by parallel workers (each its own
	// connection and remit.Aggregator), then merged.
	var lo, hi sql.NullInt64
	if err := db.sql.QueryRowContext(ctx, `SELECT MIN(id), MAX(id) FROM remit_quotes`).Scan(&lo, &hi); err != nil {
		return nil, classify(err)
	}
	workers := 1
	if hi.Int64-lo.Int64 > 50_000 {
		workers = min(runtime.GOMAXPROCS(0), 8)
	}
	parts := make([]*remit.Aggregator, workers)
	counts := make([]int, workers)
	errs := make([]error, workers)
	step := (hi.Int64 - lo.Int64 + int64(workers)) / int64(workers)
	var wg sync.WaitGroup
	for w := range workers {
		parts[w] = remit.NewAggregator(remit.AggregateOptions{RegionOf: region})
		from := lo.Int64 + int64(w)*step
		to := min(from+step-1, hi.Int64)
		if w == workers-1 {
			to = hi.Int64
		}
		wg.Go(func() { counts[w], errs[w] = db.scanRemitRange(ctx, parts[w], from, to) })
	}
	wg.Wait()
	n := 0
	for w := range workers {
		if errs[w] != nil {
			return nil, errs[w]
		}
		n += counts[w]
		if w > 0 {
			parts[0].Merge(parts[w])
		}
	}
	g := parts[0]
	a := &RemitAggregates{Aggregates: g.Result(), Quotes: n, RegionOf: region,
		byCorridor: map[remit.Corridor][]remit.CorridorStats{}, published: map[remit.Corridor][]RemitPublished{},
		pubPeriod: map[remit.Period][]RemitPublished{}, quotePer: map[remit.Period]bool{},
		surveyN: map[remit.Period]int{}}
	for _, cs := range a.Corridors { // sorted by period
		a.byCorridor[cs.Corridor] = append(a.byCorridor[cs.Corridor], cs)
		if cs.Services > 0 {
			a.quotePer[cs.Period] = true
		}
	}
	prow, err := db.sql.QueryContext(ctx, `SELECT source, series, from_country, to_country, period, value_pct FROM remit_corridor_averages
		ORDER BY from_country, to_country, period, source`)
	if err != nil {
		return nil, classify(err)
	}
	defer prow.Close()
	for prow.Next() {
		var p RemitPublished
		var per int64
		if err := prow.Scan(&p.Source, &p.Series, &p.From, &p.To, &per, &p.Pct); err != nil {
			return nil, err
		}
		p.Period = remit.Period(per)
		list := a.published[p.Corridor]
		if len(list) > 0 && list[len(list)-1].Period == p.Period {
			continue // another source's value for the same quarter: the first source's is kept
		}
		a.published[p.Corridor] = append(list, p)
		a.pubPeriod[p.Period] = append(a.pubPeriod[p.Period], p)
		if p.Series == RemitSeriesDataBank {
			a.surveyN[p.Period]++
		}
	}
	if err := prow.Err(); err != nil {
		return nil, classify(err)
	}
	if err := db.addRemitUKCorridors(ctx, a, iso3); err != nil {
		return nil, err
	}
	return a, nil
}

// RemitSeriesDataBank is the series of DataBank's corridor averages;
// RemitSeriesUK marks the UK corridor aggregates' average total cost.
const (
	RemitSeriesDataBank = "ATCR.CORR"
	RemitSeriesUK       = "UK.average_total_cost_pct"
)

// remitUKOrigin maps the UK file's source_country to its ISO alpha-3
// code.
var remitUKOrigin = map[string]string{"United Kingdom": "GBR"}

// remitISO3 maps the ISO alpha-2 destination codes of the shipped UK
// corridor aggregates to alpha-3, for when the reference geography is not
// loaded (it is used first when it is).
var remitISO3 = map[string]string{
	"AF": "AFG", "AL": "ALB", "BD": "BGD", "BG": "BGR", "BR": "BRA", "CN": "CHN", "ER": "ERI", "ET": "ETH", "GH": "GHA",
	"GM": "GMB", "IN": "IND", "JM": "JAM", "KE": "KEN", "LB": "LBN", "LK": "LKA", "LT": "LTU", "NG": "NGA", "NP": "NPL",
	"PH": "PHL", "PK": "PAK", "PL": "POL", "RO": "ROU", "RW": "RWA", "SL": "SLE", "SO": "SOM", "SS": "SSD", "TH": "THA",
	"TZ": "TZA", "UG": "UGA", "VN": "VNM", "ZA": "ZAF", "ZM": "ZMB", "ZW": "ZWE",
}

// addRemitUKCorridors adds the UK corridor aggregates (remit_uk_corridors:
// average_total_cost_pct per UK → destination and quarter) to the
// published values, marked with their import source. A quarter already
// holding a DataBank value keeps it; rows whose countries cannot be
// coded are left out.
func (db *DB) addRemitUKCorridors(ctx context.Context, a *RemitAggregates, iso3 map[string]string) error {
	rows, err := db.sql.QueryContext(ctx, `SELECT source, source_country, destination_code, period, average_total_cost_pct
		FROM remit_uk_corridors ORDER BY destination_code, period, source`)
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	changed := map[remit.Corridor]bool{}
	for rows.Next() {
		var p RemitPublished
		var origin, dest string
		var per int64
		if err := rows.Scan(&p.Source, &origin, &dest, &per, &p.Pct); err != nil {
			return err
		}
		to := iso3[dest]
		if to == "" {
			to = remitISO3[dest]
		}
		from := remitUKOrigin[origin]
		if from == "" || to == "" {
			continue
		}
		p.Corridor, p.Period, p.Series = remit.Corridor{From: from, To: to}, remit.Period(per), RemitSeriesUK
		list := a.published[p.Corridor]
		if slices.ContainsFunc(list, func(x RemitPublished) bool { return x.Period == p.Period }) {
			continue
		}
		a.published[p.Corridor] = append(list, p)
		a.pubPeriod[p.Period] = append(a.pubPeriod[p.Period], p)
		changed[p.Corridor] = true
	}
	if err := rows.Err(); err != nil {
		return classify(err)
	}
	for c := range changed {
		slices.SortStableFunc(a.published[c], func(x, y RemitPublished) int { return cmp.Compare(x.Period, y.Period) })
	}
	return nil
}

// scanRemitRange adds the quotes with ids from..to to g. A quote's
// service is its stored service_key with its speed and receiving currency
// (remit.Quote.ServiceID), its time COALESCE(quoted_at, quote_date), its
// id the tie-break: each service counts once per corridor and quarter,
// with its latest quote (remit.Aggregator).
func (db *DB) scanRemitRange(ctx context.Context, g *remit.Aggregator, from, to int64) (int, error) {
	rows, err := db.sql.QueryContext(ctx, db.dialect.rebind(`SELECT id, from_country, to_country, period, basket_usd, amount, fee, rate,
		interbank_rate, transparent, speed, pickup_method, access_point, network_coverage, flags, service_key, receive_currency,
		quoted_at, quote_date FROM remit_quotes WHERE id BETWEEN ? AND ? AND basket_usd = 200 AND status = 'active'`), from, to)
	if err != nil {
		return 0, classify(err)
	}
	defer rows.Close()
	intern := map[string]string{}
	in := func(b []byte) string {
		if s, ok := intern[string(b)]; ok {
			return s
		}
		s := string(b)
		intern[s] = s
		return s
	}
	var fromC, toC, pickup, access, cover, skey, recv sql.RawBytes
	var q remit.Quote
	var id, period, speed, flags int64
	var at, date sql.NullTime
	n := 0
	for rows.Next() {
		if err := rows.Scan(&id, &fromC, &toC, &period, &q.BasketUSD, &q.Amount, &q.Fee, &q.Rate, &q.InterbankRate, &q.Transparent, &speed,
			&pickup, &access, &cover, &flags, &skey, &recv, &at, &date); err != nil {
			return 0, err
		}
		q.From, q.To, q.PickupMethod, q.AccessPoint, q.NetworkCoverage = in(fromC), in(toC), in(pickup), in(access), in(cover)
		q.Period, q.Speed, q.Flags, q.ReceiveCurrency = remit.Period(period), remit.Speed(speed), remit.Flag(flags), in(recv)
		var t int64
		if at.Valid {
			t = at.Time.UnixNano()
		} else if date.Valid {
			t = date.Time.UnixNano()
		}
		g.AddService(&q, in(skey), t, id)
		n++
	}
	return n, classify(rows.Err())
}

// RemitSeriesPoint is one quarter of a corridor's series.
type RemitSeriesPoint struct {
	Period              remit.Period `json:"period"`
	AverageTotalCostPct float64      `json:"averageTotalCostPct"`
	// SmaRTPct is nil when no service qualifies, and for published values
	// (DataBank publishes no SmaRT).
	SmaRTPct *float64 `json:"smartPct"`
	// Services is the number of costed services; nil for published values.
	Services *int `json:"services"`
	// Source is RemitSourceQuotes, or the source of a published value
	// ("import:<DataBank file>", "import:official-corridors.csv").
	Source string `json:"source"`
}

// RemitCorridorSeries is a corridor's series by quarter: the averages
// recomputed from quotes where the quarter has costed quotes, else the
// published (DataBank or UK corridor aggregates) value, unchanged. The error wraps
// derrors.NotFound when the corridor has neither.
func (db *DB) RemitCorridorSeries(ctx context.Context, c remit.Corridor) (_ []RemitSeriesPoint, err error) {
	defer derrors.Wrap(&err, "store.RemitCorridorSeries(%s)", c)
	a, err := db.RemitAggregates(ctx)
	if err != nil {
		return nil, err
	}
	out := []RemitSeriesPoint{}
	have := map[remit.Period]bool{}
	for _, cs := range a.byCorridor[c] {
		if cs.Services == 0 {
			continue
		}
		p := RemitSeriesPoint{Period: cs.Period, AverageTotalCostPct: cs.AveragePct, Source: RemitSourceQuotes}
		n := cs.Services
		p.Services = &n
		if cs.SmaRTServices > 0 {
			s := cs.SmaRTPct
			p.SmaRTPct = &s
		}
		have[cs.Period] = true
		out = append(out, p)
	}
	for _, pv := range a.published[c] {
		if !have[pv.Period] {
			out = append(out, RemitSeriesPoint{Period: pv.Period, AverageTotalCostPct: pv.Pct, Source: pv.Source})
		}
	}
	if len(out) == 0 {
		return nil, derrors.Kindf(derrors.NotFound, "no remittance prices for corridor %s", c)
	}
	slices.SortFunc(out, func(x, y RemitSeriesPoint) int { return cmp.Compare(x.Period, y.Period) })
	return out, nil
}

// The groups of RemitAverages.
const (
	RemitGroupGlobal    = "global"
	RemitGroupRegion    = "region"
	RemitGroupSending   = "sending"
	RemitGroupReceiving = "receiving"
)

// RemitGroups are the groups RemitAverages knows.
var RemitGroups = []string{RemitGroupGlobal, RemitGroupRegion, RemitGroupSending, RemitGroupReceiving}

// RemitGroupAverage is the average cost of a group of corridors in one
// quarter.
type RemitGroupAverage struct {
	// Group is "WLD", an M49 region code (of the receiving country), or an
	// ISO alpha-3 country code.
	Group               string       `json:"group"`
	Name                string       `json:"name,omitempty"`
	Period              remit.Period `json:"period"`
	AverageTotalCostPct float64      `json:"averageTotalCostPct"`
	// Services counts the costed services averaged (from quotes; 0 for
	// published averages); Corridors the corridors they cover (with
	// costed quotes, or the published corridor averages averaged).
	Services  int `json:"services,omitempty"`
	Corridors int `json:"corridors"`
	// SurveyCorridors is the number of corridors in RPW's survey of the
	// quarter (DataBank's export; RemitSurveyCorridors where the quarter
	// is not in it), in the group; 0 when unknown. Partial is true when the average covers fewer
	// corridors, and Coverage then says it covers only those corridors.
	SurveyCorridors int `json:"surveyCorridors"`
	// SurveyPeriod is the quarter whose survey SurveyCorridors counts: the
	// quarter itself when DataBank's export has it, else the latest
	// quarter it has (2020Q3 for the shipped export, which ends there:
	// the row-level quotes of later quarters are compared with the survey
	// as it last stood); absent when unknown.
	SurveyPeriod remit.Period `json:"surveyPeriod,omitempty"`
	Partial      bool         `json:"partial"`
	Coverage     string       `json:"coverage"`
	Source       string       `json:"source"`
	Method       string       `json:"method"`
	// SDG is the global average against the SDG 10.c.1 3 % target (global
	// group only).
	SDG *remit.SDGStatus `json:"sdg,omitempty"`
}

// RemitSurveyCorridors is the size of RPW's survey (corridors) in the
// latest quarter of DataBank's export (2020Q3), the reference for
// quarters after it.
const RemitSurveyCorridors = 367

// surveySize is the number of corridors of RPW's survey in quarter p.
func (a *RemitAggregates) surveySize(p remit.Period) int {
	if n := a.surveyN[p]; n > 0 {
		return n
	}
	if ref := a.surveyRef(p); ref != 0 {
		return a.surveyN[ref]
	}
	return RemitSurveyCorridors
}

// surveyRef is the quarter of DataBank's export whose survey is the
// reference for quarter p: p itself when the export has it, else the
// latest quarter the export has before p (0: none).
func (a *RemitAggregates) surveyRef(p remit.Period) remit.Period {
	if a.surveyN[p] > 0 {
		return p
	}
	var ref remit.Period
	for q := range a.surveyN {
		if q < p && q > ref {
			ref = q
		}
	}
	return ref
}

// remitCoverage states what an average covers.
func remitCoverage(services, corridors, survey int) (bool, string) {
	what := fmt.Sprintf("%d corridors", corridors)
	if services > 0 {
		what = fmt.Sprintf("%d services on %d corridors", services, corridors)
	}
	if survey == 0 {
		return true, fmt.Sprintf("averages %s, not RPW's full survey: it covers only those corridors", what)
	}
	if corridors < survey {
		return true, fmt.Sprintf("averages %s, not RPW's full survey of %d corridors: it covers only those corridors", what, survey)
	}
	return false, fmt.Sprintf("averages %s (RPW's survey of the quarter: %d corridors)", what, survey)
}

// The methods a group average states.
const (
	RemitMethodServices  = "simple average over services (RPW)"
	RemitMethodCorridors = "simple average of the published corridor averages (no quotes stored for the quarter and group)"
)

// RemitAverages returns the averages of one quarter for a group (global,
// region, sending, receiving), sorted by group code. A quarter with
// costed quotes gives RPW's averages over services; a quarter without
// gives the simple average of the published corridor averages of each
// group, marked with that source and method. Regions come from the
// reference geography (none when it is not loaded: an empty list). The
// error wraps derrors.Invalid for an unknown group, derrors.NotFound for
// a quarter with no data.
func (db *DB) RemitAverages(ctx context.Context, p remit.Period, group string) (_ []RemitGroupAverage, err error) {
	defer derrors.Wrap(&err, "store.RemitAverages(%s, %s)", p, group)
	if !slices.Contains(RemitGroups, group) {
		return nil, derrors.Kindf(derrors.Invalid, "group: one of global, region, sending, receiving")
	}
	a, err := db.RemitAggregates(ctx)
	if err != nil {
		return nil, err
	}
	name := func(code string) string {
		switch group {
		case RemitGroupRegion:
			return a.RegionName[code]
		case RemitGroupGlobal:
			return "World"
		}
		if n := a.CountryName[code]; n != "" { // sending, receiving: the country's name
			return n
		}
		return remit.CodeName(code) // RPW's own codes the geography lacks: ANT, KSV
	}
	out := []RemitGroupAverage{}
	key := func(c remit.Corridor) string {
		switch group {
		case RemitGroupGlobal:
			return "WLD"
		case RemitGroupRegion:
			return a.RegionOf[c.To]
		case RemitGroupSending:
			return c.From
		}
		return c.To
	}
	if a.quotePer[p] {
		corridors := map[string]int{}
		for _, cs := range a.Corridors {
			if cs.Period == p && cs.Services > 0 {
				corridors[key(cs.Corridor)]++
			}
		}
		var list []remit.GroupAverage
		switch group {
		case RemitGroupGlobal:
			list = a.Global
		case RemitGroupRegion:
			list = a.Regions
		case RemitGroupSending:
			list = a.Sending
		case RemitGroupReceiving:
			list = a.Receiving
		}
		have := map[string]bool{}
		for _, g := range list {
			if g.Period == p {
				have[g.Group] = true
				out = append(out, RemitGroupAverage{Group: g.Group, Name: name(g.Group), Period: p, AverageTotalCostPct: g.Pct,
					Services: g.Services, Corridors: corridors[g.Group], Source: RemitSourceQuotes, Method: RemitMethodServices})
			}
		}
		// A group with no quotes in the quarter but published corridor
		// averages (the UK corridor aggregates of 2025Q3: United Kingdom →
		// India) shows the simple average of those, marked with their
		// source and method, so that the planners' ranking (which lists
		// the published corridors) and the map agree. Never for the
		// global average, which stays RPW's average over services.
		if group != RemitGroupGlobal {
			type acc struct {
				sum    float64
				n      int
				source string
			}
			m := map[string]*acc{}
			for _, pv := range a.pubPeriod[p] {
				k := key(pv.Corridor)
				if k == "" || have[k] {
					continue
				}
				if cs, ok := a.Corridor(pv.Corridor, p); ok == nil && cs.Services > 0 {
					continue // the corridor has quotes: they are the figure
				}
				s := m[k]
				if s == nil {
					s = &acc{source: pv.Source}
					m[k] = s
				}
				s.sum += pv.Pct
				s.n++
			}
			for k, s := range m {
				out = append(out, RemitGroupAverage{Group: k, Name: name(k), Period: p, AverageTotalCostPct: s.sum / float64(s.n),
					Corridors: s.n, Source: s.source, Method: RemitMethodCorridors})
			}
		}
	} else {
		type acc struct {
			sum    float64
			n      int
			source string
		}
		m := map[string]*acc{}
		for _, pv := range a.pubPeriod[p] {
			k := key(pv.Corridor)
			if k == "" {
				continue
			}
			s := m[k]
			if s == nil {
				s = &acc{source: pv.Source}
				m[k] = s
			}
			s.sum += pv.Pct
			s.n++
		}
		for k, s := range m {
			out = append(out, RemitGroupAverage{Group: k, Name: name(k), Period: p, AverageTotalCostPct: s.sum / float64(s.n),
				Corridors: s.n, Source: s.source, Method: RemitMethodCorridors})
		}
	}
	if !a.quotePer[p] && len(a.pubPeriod[p]) == 0 {
		return nil, derrors.Kindf(derrors.NotFound, "no remittance prices in %s", p)
	}
	slices.SortFunc(out, func(x, y RemitGroupAverage) int { return cmp.Compare(x.Group, y.Group) })
	total := len(a.pubPeriod[p]) // corridors of the quarter
	if a.quotePer[p] {
		total = 0
		for _, cs := range a.Corridors {
			if cs.Period == p && cs.Services > 0 {
				total++
			}
		}
	}
	ref := a.surveyRef(p)
	for i := range out {
		// The global average is compared with the survey's size; a group
		// with the survey's corridors in that group (DataBank) in the
		// quarter or, for a quarter after DataBank's export (the
		// row-level quotes of 2025), in the export's latest quarter before
		// it: the survey as it last stood.
		survey := a.surveySize(p)
		if group != RemitGroupGlobal {
			switch {
			case ref != 0:
				n := 0
				for _, pv := range a.pubPeriod[ref] {
					if pv.Series == RemitSeriesDataBank && key(pv.Corridor) == out[i].Group {
						n++
					}
				}
				survey = 0 // the group was not in the survey: unknown
				if n > 0 {
					survey = max(n, out[i].Corridors)
				}
			case total >= survey:
				survey = out[i].Corridors
			default:
				survey = 0 // unknown, and the quarter's data are partial
			}
		}
		out[i].SurveyCorridors = survey
		out[i].Partial, out[i].Coverage = remitCoverage(out[i].Services, out[i].Corridors, survey)
		if survey > 0 && ref != 0 {
			out[i].SurveyPeriod = ref
			if ref != p {
				out[i].Coverage += fmt.Sprintf("; RPW's survey as of %s, the latest quarter of DataBank's corridor export, is the reference", ref)
			}
		} else if survey == 0 && ref != 0 && ref != p {
			out[i].Coverage += fmt.Sprintf("; not in RPW's survey as of %s, the latest quarter of DataBank's corridor export", ref)
		}
		if group == RemitGroupGlobal {
			s := remit.GlobalSDGStatus(out[i].AverageTotalCostPct)
			out[i].SDG = &s
		}
	}
	return out, nil
}

const remitQuoteSelect = `id, source, firm, firm_type, from_country, to_country, period, quote_date, quoted_at, amount, send_currency,
	fee, rate, interbank_rate, receive_currency, basket_usd, speed, payment_instrument, access_point, pickup_method, network_coverage,
	transparent, flags, note`

func scanRemitQuote(r interface{ Scan(...any) error }) (int64, string, remit.Quote, error) {
	var q remit.Quote
	var id, period, speed, flags int64
	var source, firmType string
	var date, at sql.NullTime
	err := r.Scan(&id, &source, &q.Firm, &firmType, &q.From, &q.To, &period, &date, &at, &q.Amount, &q.SendCurrency, &q.Fee, &q.Rate,
		&q.InterbankRate, &q.ReceiveCurrency, &q.BasketUSD, &speed, &q.PaymentInstrument, &q.AccessPoint, &q.PickupMethod,
		&q.NetworkCoverage, &q.Transparent, &flags, &q.Note)
	if err != nil {
		return 0, "", q, err
	}
	fillRemitQuote(&q, firmType, period, speed, flags, date, at)
	q.Source = source
	return id, source, q, nil
}

// fillRemitQuote sets the fields of q scanned as other types.
func fillRemitQuote(q *remit.Quote, firmType string, period, speed, flags int64, date, at sql.NullTime) {
	q.FirmType, _ = remit.ParseFirmType(firmType)
	q.Period, q.Speed, q.Flags = remit.Period(period), remit.Speed(speed), remit.Flag(flags)
	if date.Valid {
		q.Date = date.Time.UTC()
	}
	if at.Valid {
		q.QuotedAt = at.Time.UTC()
	}
}

// remitServicesMax bounds the per-corridor entries of the services cache.
const remitServicesMax = 20_000

// RemitServices returns what the sender comparison ranks for a corridor
// and sending currency: the latest quote (by quoted time, then date) of
// each service (remit.Quote.ServiceID: the stored service key, speed and
// receiving currency) at each amount quoted. The lists
// are kept in memory per data version.
func (db *DB) RemitServices(ctx context.Context, c remit.Corridor, currency string) (_ []remit.Quote, err error) {
	defer derrors.Wrap(&err, "store.RemitServices(%s, %s)", c, currency)
	v, err := db.RemitVersion(ctx)
	if err != nil {
		return nil, err
	}
	key := c.From + "|" + c.To + "|" + currency
	rc := &db.remit
	rc.mu.Lock()
	if rc.version != v || rc.services == nil || len(rc.services) > remitServicesMax {
		rc.version, rc.services = v, map[string][]remit.Quote{}
	}
	list, ok := rc.services[key]
	if !ok {
		if ch, busy := rc.loading[key]; busy {
			// Another request is reading this list: wait for it rather
			// than run the same query (a cold cache under load).
			rc.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			rc.mu.Lock()
			list, ok = rc.services[key]
		}
	}
	if ok {
		rc.mu.Unlock()
		return list, nil
	}
	if rc.loading == nil {
		rc.loading = map[string]chan struct{}{}
	}
	done := make(chan struct{})
	rc.loading[key] = done
	rc.mu.Unlock()
	defer func() {
		rc.mu.Lock()
		delete(rc.loading, key)
		rc.mu.Unlock()
		close(done)
	}()
	rows, err := db.query(ctx, `SELECT `+remitQuoteSelect+` FROM (
		SELECT `+remitQuoteSelect+`, service_key, ROW_NUMBER() OVER (PARTITION BY service_key, speed, receive_currency, amount
			ORDER BY COALESCE(quoted_at, quote_date) DESC, id DESC) AS rn
		FROM remit_quotes WHERE from_country = ? AND to_country = ? AND send_currency = ? AND status = 'active') latest
		WHERE rn = 1 ORDER BY service_key, amount`, c.From, c.To, currency)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list = []remit.Quote{}
	for rows.Next() {
		_, _, q, err := scanRemitQuote(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, q)
	}
	if err := rows.Err(); err != nil {
		return nil, classify(err)
	}
	rc.mu.Lock()
	if rc.version == v && rc.services != nil {
		rc.services[key] = list
	}
	rc.mu.Unlock()
	return list, nil
}

// RemitQuotesOf returns the stored quotes of a source in stored order
// (tests, exports).
func (db *DB) RemitQuotesOf(ctx context.Context, source string) (_ []remit.Quote, err error) {
	defer derrors.Wrap(&err, "store.RemitQuotesOf(%q)", source)
	rows, err := db.query(ctx, `SELECT `+remitQuoteSelect+` FROM remit_quotes WHERE source = ? ORDER BY id`, source)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []remit.Quote{}
	for rows.Next() {
		_, _, q, err := scanRemitQuote(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, classify(rows.Err())
}

// RemitCorridorKnown reports whether a corridor has any stored quote or
// published average.
func (a *RemitAggregates) RemitCorridorKnown(c remit.Corridor) bool {
	return len(a.byCorridor[c]) > 0 || len(a.published[c]) > 0
}

// RemitCountryKnown reports whether code is a country of the reference
// geography (by ISO alpha-3 code). With no reference loaded (the
// countries dataset never imported) every code is accepted: there is
// nothing to check against.
func (db *DB) RemitCountryKnown(ctx context.Context, code string) (bool, error) {
	snap, err := db.Geo().snapshot(ctx)
	if err != nil {
		return false, err
	}
	if snap == nil || len(snap.areas) == 0 {
		return true, nil
	}
	a, ok := snap.lookup(code)
	return ok && a.IsCountry() && a.ISO3 == code, nil
}

// RemitCodeHasData reports whether a country code has any stored quote or
// published corridor average, as sending or receiving country (RPW's own
// codes the reference geography lacks — ANT, KSV — are accepted by the
// sender page when they have data).
func (db *DB) RemitCodeHasData(ctx context.Context, code string) (bool, error) {
	a, err := db.RemitAggregates(ctx)
	if err != nil {
		return false, err
	}
	for c := range a.published {
		if c.From == code || c.To == code {
			return true, nil
		}
	}
	for c := range a.byCorridor {
		if c.From == code || c.To == code {
			return true, nil
		}
	}
	return false, nil
}
