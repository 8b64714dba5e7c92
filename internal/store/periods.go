package store

import (
	"context"
	"database/sql"
	"sort"
	"sync"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/stats"
)

// Which periods a series covers is asked by every statistics answer (the
// data API lists a series' periods; the sparse-sum rule of Lookup asks
// whether a period is covered at all). Answering from the observations
// means scanning every row of the series — 450,000 for the bilateral
// migrant stock — so the answer is cached per series and tagged with the
// version of the dataset that wrote the series. Each use checks that
// version in the database (one indexed lookup), so an import by any
// process invalidates the cache, as for the geography snapshot.

// seriesPeriods is what a series covers, at one dataset version.
type seriesPeriods struct {
	version int64
	periods []string       // ascending
	values  map[string]int // period → observations with a value
}

type periodCache struct {
	mu sync.Mutex
	m  map[string]*seriesPeriods
}

// seriesVersion is the version of the dataset that wrote the series; 0
// when the series was written without an import (tests), which is never
// cached.
func (s *Stats) seriesVersion(ctx context.Context, series string) (int64, error) {
	var v int64
	err := s.db.queryRow(ctx, `SELECT d.version FROM series s JOIN datasets d ON d.name = s.dataset WHERE s.code = ?`, series).Scan(&v)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return v, classify(err)
}

// coverage returns the periods of a series, from the cache when it is
// current.
func (s *Stats) coverage(ctx context.Context, series string) (_ *seriesPeriods, err error) {
	defer derrors.Wrap(&err, "store.coverage(%q)", series)
	v, err := s.db.versionOf(ctx, "series:"+series, func(ctx context.Context) (int64, error) { return s.seriesVersion(ctx, series) })
	if err != nil {
		return nil, err
	}
	c := &s.db.periods
	c.mu.Lock()
	sp := c.m[series]
	c.mu.Unlock()
	if sp != nil && sp.version == v && v != 0 {
		return sp, nil
	}
	for range 3 {
		sp, err = s.readCoverage(ctx, series)
		if err != nil {
			return nil, err
		}
		after, err := s.seriesVersion(ctx, series)
		if err != nil {
			return nil, err
		}
		if after != v {
			v = after // an import committed while reading: read again
			continue
		}
		break
	}
	sp.version = v
	if v != 0 {
		c.mu.Lock()
		if c.m == nil {
			c.m = map[string]*seriesPeriods{}
		}
		c.m[series] = sp
		c.mu.Unlock()
	}
	return sp, nil
}

func (s *Stats) readCoverage(ctx context.Context, series string) (*seriesPeriods, error) {
	rows, err := s.db.query(ctx, `SELECT period, COUNT(value) FROM observations WHERE series = ? GROUP BY period`, series)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sp := &seriesPeriods{values: map[string]int{}}
	for rows.Next() {
		var p string
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			return nil, err
		}
		sp.periods = append(sp.periods, p)
		sp.values[p] = n
	}
	sort.Strings(sp.periods)
	return sp, rows.Err()
}

// Periods lists the distinct periods of a series within a range,
// ascending.
func (s *Stats) Periods(ctx context.Context, series string, r stats.PeriodRange) ([]string, error) {
	sp, err := s.coverage(ctx, series)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range sp.periods {
		// "~" sorts after the "-Qn" and "-mm-dd" suffixes: 2020 to 2020
		// includes 2020-Q3.
		if p >= r.From && p <= r.To+"~" {
			out = append(out, p)
		}
	}
	return out, nil
}

// covered reports whether the series has a value for any area in the
// period.
func (s *Stats) covered(ctx context.Context, series, period string) (bool, error) {
	sp, err := s.coverage(ctx, series)
	if err != nil {
		return false, err
	}
	return sp.values[period] > 0, nil
}
