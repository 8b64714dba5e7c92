package store

import (
	"cmp"
	"context"
	"slices"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/remit"
)

// The corridor lists of the remittance pages: which corridors have data
// (the sender form's choices, the suggestions of an empty corridor), the
// corridor averages of one quarter (the planners' ranking and map) and
// the sending currencies quoted on a corridor. They read the same cached
// aggregates as RemitCorridorSeries.

// RemitCorridorAverage is a corridor's average total cost in one quarter.
type RemitCorridorAverage struct {
	remit.Corridor
	Period              remit.Period `json:"period"`
	AverageTotalCostPct float64      `json:"averageTotalCostPct"`
	SmaRTPct            *float64     `json:"smartPct"`
	Services            *int         `json:"services"`
	// Source is RemitSourceQuotes or the published value's source.
	Source string `json:"source"`
}

// RemitCorridorAverages returns every corridor's average total cost in
// quarter p, computed from quotes where the corridor has costed quotes in
// p, else the published value, cheapest first (then by corridor).
func (db *DB) RemitCorridorAverages(ctx context.Context, p remit.Period) (_ []RemitCorridorAverage, err error) {
	defer derrors.Wrap(&err, "store.RemitCorridorAverages(%s)", p)
	a, err := db.RemitAggregates(ctx)
	if err != nil {
		return nil, err
	}
	out := []RemitCorridorAverage{}
	have := map[remit.Corridor]bool{}
	for _, cs := range a.Corridors {
		if cs.Period != p || cs.Services == 0 {
			continue
		}
		r := RemitCorridorAverage{Corridor: cs.Corridor, Period: p, AverageTotalCostPct: cs.AveragePct, Source: RemitSourceQuotes}
		n := cs.Services
		r.Services = &n
		if cs.SmaRTServices > 0 {
			s := cs.SmaRTPct
			r.SmaRTPct = &s
		}
		have[cs.Corridor] = true
		out = append(out, r)
	}
	for _, pv := range a.pubPeriod[p] {
		if !have[pv.Corridor] {
			out = append(out, RemitCorridorAverage{Corridor: pv.Corridor, Period: p, AverageTotalCostPct: pv.Pct, Source: pv.Source})
		}
	}
	slices.SortFunc(out, func(x, y RemitCorridorAverage) int {
		return cmp.Or(cmp.Compare(x.AverageTotalCostPct, y.AverageTotalCostPct), cmp.Compare(x.From, y.From), cmp.Compare(x.To, y.To))
	})
	return out, nil
}

// RemitPeriods returns the quarters with any corridor average (from
// quotes or published), oldest first.
func (db *DB) RemitPeriods(ctx context.Context) (_ []remit.Period, err error) {
	defer derrors.Wrap(&err, "store.RemitPeriods")
	a, err := db.RemitAggregates(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[remit.Period]bool{}
	for p := range a.quotePer {
		seen[p] = true
	}
	for p := range a.pubPeriod {
		seen[p] = true
	}
	out := make([]remit.Period, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out, nil
}

// RemitCorridorInfo is a corridor with data: its latest quarter and
// whether it has stored quotes (a sender comparison) or only published
// averages.
type RemitCorridorInfo struct {
	remit.Corridor
	Latest    remit.Period `json:"latest"`
	HasQuotes bool         `json:"hasQuotes"`
}

// RemitKnownCorridors lists every corridor with stored quotes or
// published averages, those with quotes first, then by corridor.
func (db *DB) RemitKnownCorridors(ctx context.Context) (_ []RemitCorridorInfo, err error) {
	defer derrors.Wrap(&err, "store.RemitKnownCorridors")
	a, err := db.RemitAggregates(ctx)
	if err != nil {
		return nil, err
	}
	m := map[remit.Corridor]*RemitCorridorInfo{}
	for c, list := range a.byCorridor {
		if len(list) > 0 {
			m[c] = &RemitCorridorInfo{Corridor: c, Latest: list[len(list)-1].Period, HasQuotes: true}
		}
	}
	for c, list := range a.published {
		if len(list) == 0 {
			continue
		}
		last := list[len(list)-1].Period
		if i, ok := m[c]; ok {
			i.Latest = max(i.Latest, last)
		} else {
			m[c] = &RemitCorridorInfo{Corridor: c, Latest: last}
		}
	}
	out := make([]RemitCorridorInfo, 0, len(m))
	for _, i := range m {
		out = append(out, *i)
	}
	slices.SortFunc(out, func(x, y RemitCorridorInfo) int {
		if x.HasQuotes != y.HasQuotes {
			if x.HasQuotes {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(x.From, y.From), cmp.Compare(x.To, y.To))
	})
	return out, nil
}

// RemitCurrency is a sending currency quoted on a corridor: how many
// quotes use it and the amount of its latest USD 200 basket quote (0 when
// none), the amount a sender is offered first.
type RemitCurrency struct {
	Code      string  `json:"code"`
	Quotes    int     `json:"quotes"`
	Basket200 float64 `json:"basket200"`
}

// RemitCorridorCurrencies lists the sending currencies quoted on a
// corridor, the most quoted first.
func (db *DB) RemitCorridorCurrencies(ctx context.Context, c remit.Corridor) (_ []RemitCurrency, err error) {
	defer derrors.Wrap(&err, "store.RemitCorridorCurrencies(%s)", c)
	rows, err := db.query(ctx, `SELECT send_currency, COUNT(*),
		COALESCE(MAX(CASE WHEN basket_usd = 200 THEN amount END), 0) FROM remit_quotes
		WHERE from_country = ? AND to_country = ? AND status = 'active' GROUP BY send_currency ORDER BY COUNT(*) DESC, send_currency`, c.From, c.To)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RemitCurrency{}
	for rows.Next() {
		var r RemitCurrency
		if err := rows.Scan(&r.Code, &r.Quotes, &r.Basket200); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, classify(rows.Err())
}

// The WDI average-cost indicators (remit_wdi_costs).
const (
	RemitWDIFrom = "SI.RMT.COST.OB.ZS" // average cost of sending from the country, %
	RemitWDITo   = "SI.RMT.COST.IB.ZS" // average cost of sending to the country, %
)

// RemitWDICost is a country's latest value of a WDI average-cost
// indicator, as published.
type RemitWDICost struct {
	Indicator   string  `json:"indicator"`
	CountryCode string  `json:"countryCode"`
	CountryName string  `json:"countryName"`
	Year        int     `json:"year"`
	Pct         float64 `json:"valuePct"`
	Source      string  `json:"source"`
}

// RemitWDILatest returns the latest year's value of indicator for the
// country (ISO alpha-3), and false when there is none.
func (db *DB) RemitWDILatest(ctx context.Context, indicator, country string) (_ RemitWDICost, _ bool, err error) {
	defer derrors.Wrap(&err, "store.RemitWDILatest(%s, %s)", indicator, country)
	rows, err := db.query(ctx, `SELECT indicator, country_code, country_name, year, value_pct, source FROM remit_wdi_costs
		WHERE indicator = ? AND country_code = ? ORDER BY year DESC, source LIMIT 1`, indicator, country)
	if err != nil {
		return RemitWDICost{}, false, err
	}
	defer rows.Close()
	var c RemitWDICost
	if !rows.Next() {
		return c, false, classify(rows.Err())
	}
	if err := rows.Scan(&c.Indicator, &c.CountryCode, &c.CountryName, &c.Year, &c.Pct, &c.Source); err != nil {
		return c, false, err
	}
	return c, true, classify(rows.Err())
}
