package store

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/remit"
)

// RemitFlowSeries is the series of bilateral remittance flows the
// remittance-flows dataset imports (importer/remittances.go): area = the
// receiving country, counterpart = the sending country, US$ (the KNOMAD /
// World Bank bilateral remittance matrices 2021 and 2017).
const RemitFlowSeries = "bilateral_remittances_usd"

// RemitCorridorFees is the money a corridor's senders pay in fees and
// margins in a year: the remittance flow × the corridor's average total
// cost.
type RemitCorridorFees struct {
	remit.Corridor
	AverageTotalCostPct float64 `json:"averageTotalCostPct"`
	CostSource          string  `json:"costSource"` // quotes, or the published average's source
	FlowYear            string  `json:"flowYear"`
	FlowUSD             float64 `json:"flowUsd"`
	// FeesUSD = FlowUSD × AverageTotalCostPct ÷ 100.
	FeesUSD float64 `json:"feesUsd"`
	// AboveTargetUSD = FlowUSD × max(AverageTotalCostPct − 3, 0) ÷ 100:
	// what the SDG 10.c.1 3 % target would return to families.
	AboveTargetUSD float64 `json:"aboveTargetUsd"`
}

// RemitFees is the fees paid on every corridor of a quarter that has both
// an average cost and a flow, largest fees first.
type RemitFees struct {
	Period              remit.Period        `json:"period"`
	Corridors           []RemitCorridorFees `json:"corridors"`
	TotalFlowUSD        float64             `json:"totalFlowUsd"`
	TotalFeesUSD        float64             `json:"totalFeesUsd"`
	TotalAboveTargetUSD float64             `json:"totalAboveTargetUsd"`
	// Weighted is the volume-weighted average cost of those corridors
	// (remit.VolumeWeightedAverage, weights = the flows in US$).
	Weighted remit.WeightedAverage `json:"volumeWeighted"`
}

// RemitFeesPaid computes the fees paid in quarter p on each corridor: the
// corridor's average (from quotes, or published where no quotes exist)
// times the bilateral remittance flow of the latest year up to p's year
// (else the earliest later year). The error wraps derrors.NotFound when
// the flows are not loaded or no corridor has both.
func (db *DB) RemitFeesPaid(ctx context.Context, p remit.Period) (_ RemitFees, err error) {
	defer derrors.Wrap(&err, "store.RemitFeesPaid(%s)", p)
	out := RemitFees{Period: p, Corridors: []RemitCorridorFees{}}
	a, err := db.RemitAggregates(ctx)
	if err != nil {
		return out, err
	}
	costs := map[remit.Corridor]RemitCorridorFees{}
	for c, list := range a.byCorridor {
		for _, cs := range list {
			if cs.Period == p && cs.Services > 0 {
				costs[c] = RemitCorridorFees{Corridor: c, AverageTotalCostPct: cs.AveragePct, CostSource: RemitSourceQuotes}
			}
		}
	}
	for _, pv := range a.pubPeriod[p] {
		if _, ok := costs[pv.Corridor]; !ok {
			costs[pv.Corridor] = RemitCorridorFees{Corridor: pv.Corridor, AverageTotalCostPct: pv.Pct, CostSource: pv.Source}
		}
	}
	obs, err := db.Stats().Observations(ctx, ObservationQuery{Series: RemitFlowSeries, Counterpart: "*"})
	if errors.Is(err, derrors.NotFound) || err == nil && len(obs) == 0 {
		return out, derrors.Kindf(derrors.NotFound, "the bilateral remittance flows are not loaded (corridor import remittance-flows)")
	}
	if err != nil {
		return out, err
	}
	year := strconv.Itoa(p.Year())
	type flow struct {
		year  string
		value float64
	}
	flows := map[remit.Corridor]flow{}
	for _, o := range obs {
		c := remit.Corridor{From: o.Counterpart, To: o.Area}
		if _, ok := costs[c]; !ok || !(o.Value > 0) {
			continue
		}
		f, ok := flows[c]
		better := !ok ||
			(o.Period <= year && (f.year > year || o.Period > f.year)) || // the latest year up to p's
			(o.Period > year && f.year > year && o.Period < f.year) // else the earliest later one
		if better {
			flows[c] = flow{o.Period, o.Value}
		}
	}
	var stats []remit.CorridorStats
	weights := map[remit.Corridor]float64{}
	for c, f := range flows {
		r := costs[c]
		r.FlowYear, r.FlowUSD = f.year, f.value
		r.FeesUSD = f.value * r.AverageTotalCostPct / 100
		r.AboveTargetUSD = f.value * max(r.AverageTotalCostPct-remit.SDGGlobalTargetPct, 0) / 100
		out.Corridors = append(out.Corridors, r)
		out.TotalFlowUSD += r.FlowUSD
		out.TotalFeesUSD += r.FeesUSD
		out.TotalAboveTargetUSD += r.AboveTargetUSD
		stats = append(stats, remit.CorridorStats{Corridor: c, Period: p, AveragePct: r.AverageTotalCostPct, Services: 1})
		weights[c] = f.value
	}
	if len(out.Corridors) == 0 {
		return out, derrors.Kindf(derrors.NotFound, "no corridor in %s has both an average cost and a remittance flow", p)
	}
	slices.SortFunc(out.Corridors, func(x, y RemitCorridorFees) int {
		return cmp.Or(cmp.Compare(y.FeesUSD, x.FeesUSD), cmp.Compare(x.From, y.From), cmp.Compare(x.To, y.To))
	})
	out.Weighted, err = remit.VolumeWeightedAverage(stats, p, weights)
	return out, err
}
