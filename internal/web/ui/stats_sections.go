package ui

import (
	"context"
	"strings"

	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
)

// The time series of a country page beyond the migrant stock: remittances
// received and paid, refugees from and in the country, and the dead and
// missing recorded in its region.

// seriesChart draws indicators of one area over their periods, leaving
// out those without data; nil when none has any.
func (v *view) seriesChart(ctx context.Context, id, title string, area, counterpart string, codes, nameIDs []string) (*statChart, error) {
	var series []*statSeries
	var names []string
	for i, code := range codes {
		s, err := evalIndicator(ctx, v.u.db, code, area, counterpart, stats.SexTotal, false)
		if err != nil {
			return nil, err
		}
		if s.hasData() {
			series = append(series, s)
			names = append(names, v.T(nameIDs[i]))
		}
	}
	if len(series) == 0 {
		return nil, nil
	}
	c, err := v.chart(id, title, series, names)
	if err != nil {
		return nil, err
	}
	// Each series cites its own sources (the chart keeps the first's).
	seen := map[string]bool{}
	c.Sources = nil
	for _, s := range series {
		for _, src := range s.Sources {
			if !seen[src.Code] {
				seen[src.Code] = true
				c.Sources = append(c.Sources, src)
			}
		}
	}
	return c, nil
}

// countryRemittances: personal remittances received and paid, by year.
func (v *view) countryRemittances(ctx context.Context, a geo.Area) (*statChart, error) {
	return v.seriesChart(ctx, "remittances", v.T("stats.remittances.title", "Name", a.Name), a.Code, "",
		[]string{"remittances_received_usd", "remittances_paid_usd"},
		[]string{"stats.remittances.received", "stats.remittances.paid"})
}

// countryRefugees: refugees from the country (in every country of asylum)
// and refugees the country hosts, by year.
func (v *view) countryRefugees(ctx context.Context, a geo.Area) (*statChart, error) {
	return v.seriesChart(ctx, "refugees", v.T("stats.refugees.title", "Name", a.Name), a.Code, "",
		[]string{"refugees_by_origin", "refugees_by_asylum"},
		[]string{"stats.refugees.fromCountry", "stats.refugees.inCountry"})
}

// incidentRegion is the Region of Incident of IOM's Missing Migrants
// Project that a country lies in: its UN intermediate region, sub-region
// or region, whichever IOM uses by that name ("Eastern Africa", "Northern
// Africa", "Central America", "Europe", …); "" when none matches.
func incidentRegion(a geo.Area, regions map[string]int) string {
	for _, name := range []string{a.IntermediateRegion, a.SubRegion, a.Region} {
		if name == "" {
			continue
		}
		for r := range regions {
			if strings.EqualFold(r, name) {
				return r
			}
		}
	}
	// UN M49 calls it "Northern America"; IOM "North America".
	if strings.EqualFold(a.SubRegion, "Northern America") {
		if _, ok := regions["North America"]; ok {
			return "North America"
		}
	}
	return ""
}

// countryDeaths: the dead and missing (SDG 10.7.3) recorded in the
// country's region of incident and in the country itself, by year, from
// the Missing Migrants incidents, exactly as the data API counts them.
func (v *view) countryDeaths(ctx context.Context, a geo.Area) (*statChart, string, error) {
	db := v.u.db
	regions, err := db.IncidentValues(ctx, store.IncidentFieldRegion)
	if err != nil || len(regions) == 0 {
		return nil, "", err
	}
	ind, err := db.Stats().Indicator(ctx, "sdg_10_7_3")
	if err != nil {
		return nil, "", err
	}
	src := []stats.Series{{Code: "missing_migrants", Name: "Missing Migrants Project", Unit: "persons",
		Source: "IOM Missing Migrants Project", Citation: "IOM's Missing Migrants Project", Licence: "CC BY 4.0"}}
	region := incidentRegion(a, regions)
	var series []*statSeries
	var names []string
	add := func(f store.IncidentFilter, key, name string) error {
		totals, err := db.IncidentTotalsByYear(ctx, f)
		if err != nil {
			return err
		}
		s := &statSeries{Indicator: ind, Area: key, Sex: stats.SexTotal, Sources: src}
		for _, t := range totals {
			if t.Key != "" {
				s.Points = append(s.Points, statPoint{Period: t.Key, Value: float64(t.DeadAndMissing), OK: true})
			}
		}
		if len(s.Points) > 0 {
			series = append(series, s)
			names = append(names, name)
		}
		return nil
	}
	if region != "" {
		if err := add(store.IncidentFilter{Region: region}, region, v.T("stats.deaths.region", "Region", region)); err != nil {
			return nil, "", err
		}
	}
	if err := add(store.IncidentFilter{CountryOfIncident: a.Code}, a.Code, v.T("stats.deaths.country", "Name", a.Name)); err != nil {
		return nil, "", err
	}
	if len(series) == 0 {
		return nil, region, nil
	}
	covered, err := db.IncidentTotalsByYear(ctx, store.IncidentFilter{})
	if err != nil {
		return nil, "", err
	}
	fillYears(series, covered)
	c, err := v.chart("deaths", v.T("stats.deaths.title", "Name", a.Name), series, names)
	if err != nil {
		return nil, "", err
	}
	c.Sources = src
	return c, region, nil
}

// fillYears gives every incident series a point for every year the
// project covers (any incident anywhere that year), as the data API does:
// a place without incidents in such a year has a recorded zero (IOM
// records every incident it learns of), not a gap.
func fillYears(series []*statSeries, covered []store.IncidentTotal) {
	for _, s := range series {
		have := map[string]statPoint{}
		for _, p := range s.Points {
			have[p.Period] = p
		}
		s.Points = s.Points[:0]
		for _, y := range covered {
			if y.Key == "" {
				continue
			}
			p, ok := have[y.Key]
			if !ok {
				p = statPoint{Period: y.Key, Value: 0, OK: true}
			}
			s.Points = append(s.Points, p)
		}
	}
}
