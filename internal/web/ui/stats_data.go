package ui

import (
	"context"
	"errors"
	"net/url"
	"slices"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
)

// The statistics on the country and corridor pages are evaluated exactly
// as the data API (/api/v1/data) evaluates them: the stored indicator
// definition, compiled, evaluated at each period of the series its
// numerator first refers to, through the store's Lookup. The numbers a
// page shows are therefore the numbers its download links return.

// statPoint is one period of an evaluated indicator; OK is false when the
// value is missing (shown as a gap, never as zero).
type statPoint struct {
	Period string
	Value  float64
	OK     bool
}

// statSeries is an indicator evaluated at one area (and counterpart) and
// sex over every period of its data, with what the page cites.
type statSeries struct {
	Indicator stats.Indicator
	Area      string
	Counter   string
	Sex       string
	Points    []statPoint
	Sources   []stats.Series // the series the numerator refers to
}

// latest is the most recent point with a value.
func (s *statSeries) latest() (statPoint, bool) {
	if s == nil {
		return statPoint{}, false
	}
	for i := len(s.Points) - 1; i >= 0; i-- {
		if s.Points[i].OK {
			return s.Points[i], true
		}
	}
	return statPoint{}, false
}

// hasData reports whether any point has a value.
func (s *statSeries) hasData() bool {
	_, ok := s.latest()
	return ok
}

// allPeriods is the data API's default period range.
var allPeriods = stats.PeriodRange{From: "1900", To: "2100"}

// evalIndicator evaluates a stored indicator as the data API does. A
// missing indicator or a series that was never imported is (nil, nil):
// the page then says that no data is loaded.
//
// With latestOnly, only the most recent period with a value is evaluated
// (the periods are walked from the newest): a headline figure.
func evalIndicator(ctx context.Context, db *store.DB, code, area, counterpart, sex string, latestOnly bool) (*statSeries, error) {
	if db == nil {
		return nil, nil
	}
	st := db.Stats()
	ind, err := st.Indicator(ctx, code)
	if errors.Is(err, derrors.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	compiled, err := ind.Compile(nil)
	if err != nil {
		return nil, err
	}
	refs := stats.Refs(compiled.Num)
	if len(refs) == 0 {
		return nil, nil
	}
	sources, err := seriesOf(ctx, st, refs)
	if err != nil || len(sources) == 0 {
		return nil, err
	}
	periods, err := st.Periods(ctx, refs[0].Series, allPeriods)
	if err != nil || len(periods) == 0 {
		return nil, err
	}
	s := &statSeries{Indicator: ind, Area: area, Counter: counterpart, Sex: sex, Sources: sources}
	look := st.Lookup(ctx)
	if latestOnly {
		for i := len(periods) - 1; i >= 0; i-- {
			v, ok, err := compiled.Eval(stats.Point{Area: area, Counterpart: counterpart, Period: periods[i], Sex: sex}, look)
			if err != nil {
				return nil, err
			}
			if ok {
				s.Points = []statPoint{{Period: periods[i], Value: v, OK: true}}
				break
			}
		}
		return s, nil
	}
	for _, p := range periods {
		v, ok, err := compiled.Eval(stats.Point{Area: area, Counterpart: counterpart, Period: p, Sex: sex}, look)
		if err != nil {
			return nil, err
		}
		s.Points = append(s.Points, statPoint{Period: p, Value: v, OK: ok})
	}
	return s, nil
}

// evalSeries evaluates one stored series at a point (area, counterpart,
// sex) over its periods, for figures no indicator defines (refugees from
// one origin in one country of asylum).
func evalSeries(ctx context.Context, db *store.DB, series, area, counterpart, sex string) (*statSeries, error) {
	if db == nil {
		return nil, nil
	}
	st := db.Stats()
	sr, err := st.Series(ctx, series)
	if errors.Is(err, derrors.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	periods, err := st.Periods(ctx, series, allPeriods)
	if err != nil || len(periods) == 0 {
		return nil, err
	}
	s := &statSeries{
		Indicator: stats.Indicator{Code: sr.Code, Name: sr.Name, Unit: sr.Unit, Factor: 1},
		Area:      area, Counter: counterpart, Sex: sex, Sources: []stats.Series{sr},
	}
	look := st.Lookup(ctx)
	for _, p := range periods {
		v, ok, err := look(series, nil, stats.Point{Area: area, Counterpart: counterpart, Period: p, Sex: sex})
		if err != nil {
			return nil, err
		}
		s.Points = append(s.Points, statPoint{Period: p, Value: v, OK: ok})
	}
	return s, nil
}

// seriesOf returns the distinct stored series the references name, in
// order; series that do not exist are left out.
func seriesOf(ctx context.Context, st *store.Stats, refs []stats.Ref) ([]stats.Series, error) {
	var out []stats.Series
	seen := map[string]bool{}
	for _, r := range refs {
		if seen[r.Series] {
			continue
		}
		seen[r.Series] = true
		s, err := st.Series(ctx, r.Series)
		if errors.Is(err, derrors.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// dataURL is the data API request for exactly the numbers of a series.
func dataURL(code, area, counterpart, sex, format string) string {
	q := url.Values{"indicator": {code}, "area": {area}}
	if counterpart != "" {
		q.Set("counterpart", counterpart)
	}
	if sex != "" && sex != stats.SexTotal {
		q.Set("sex", sex)
	}
	q.Set("format", format)
	return "/api/v1/data?" + q.Encode()
}

// corridorRank is one counterpart of a country's bilateral migrant stock.
type corridorRank struct {
	Code, Name string
	Value      float64
	Period     string
}

// topCounterparts ranks the countries at the other end of a country's
// bilateral migrant stock in the latest period: the origins of the
// migrants living in it (origins true) or the destinations of its
// emigrants. Aggregates (world, regions) are left out.
func (u *UI) topCounterparts(ctx context.Context, country string, origins bool, n int) ([]corridorRank, error) {
	const series = "migrant_stock_bilateral"
	if u.db == nil {
		return nil, nil
	}
	st := u.db.Stats()
	periods, err := st.Periods(ctx, series, allPeriods)
	if err != nil || len(periods) == 0 {
		return nil, err
	}
	period := periods[len(periods)-1]
	q := store.ObservationQuery{Series: series, Counterpart: "*", Sex: stats.SexTotal,
		Period: stats.PeriodRange{From: period, To: period}}
	if origins {
		q.Areas = []string{country}
	} else {
		q.Counterpart = country
	}
	obs, err := st.Observations(ctx, q)
	if err != nil {
		return nil, err
	}
	obs = slices.DeleteFunc(obs, func(o stats.Observation) bool {
		return o.Status == stats.Missing || o.Age != "" || o.Period != period || o.Area == o.Counterpart
	})
	slices.SortStableFunc(obs, func(a, b stats.Observation) int {
		switch {
		case a.Value > b.Value:
			return -1
		case a.Value < b.Value:
			return 1
		}
		return 0
	})
	var out []corridorRank
	for _, o := range obs {
		if len(out) == n {
			break
		}
		other := o.Counterpart
		if !origins {
			other = o.Area
		}
		a, err := u.geo.Area(ctx, other)
		if errors.Is(err, derrors.NotFound) || (err == nil && !a.IsCountry()) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, corridorRank{Code: a.Code, Name: a.Name, Value: o.Value, Period: period})
	}
	return out, nil
}
