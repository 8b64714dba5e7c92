package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
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
	periods []string                   // ascending
	values  map[string]int             // period → observations with a value
	areas   map[string]map[string]bool // period → areas with a value
	// origins counts, by period, the values whose counterpart is a
	// country or area rather than a category of the source (UNHCR's
	// Unknown, Stateless and Tibetan origins: pseudo-area codes "UNHCR-…").
	origins map[string]int
}

// categoryCode reports whether a code is a source's category stored as a
// pseudo-area (UNHCR-UKN, UNHCR-STA, UNHCR-TIB), not an area.
func categoryCode(code string) bool { return strings.HasPrefix(code, "UNHCR-") }

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
	sp := &seriesPeriods{values: map[string]int{}, areas: map[string]map[string]bool{}, origins: map[string]int{}}
	packed, err := s.isPacked(ctx, series)
	if err != nil {
		return nil, err
	}
	if packed {
		return sp, s.readSetCoverage(ctx, series, sp)
	}
	rows, err := s.db.query(ctx, `SELECT period, area, COUNT(value),
		COUNT(CASE WHEN counterpart <> '' AND counterpart NOT LIKE 'UNHCR-%' THEN value END)
		FROM observations WHERE series = ? GROUP BY period, area`, series)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p, area string
		var n, origins int
		if err := rows.Scan(&p, &area, &n, &origins); err != nil {
			return nil, err
		}
		sp.origins[p] += origins
		if _, seen := sp.values[p]; !seen {
			sp.periods = append(sp.periods, p)
			sp.areas[p] = map[string]bool{}
		}
		sp.values[p] += n
		if n > 0 {
			sp.areas[p][area] = true
		}
	}
	sort.Strings(sp.periods)
	return sp, rows.Err()
}

// readSetCoverage fills sp from a series stored as observation sets,
// decoding the sets here: SQLite's json_each and GROUP BY over the
// 450,000 periods of the bilateral migrant stock take about 1 s, this
// a small part of it.
func (s *Stats) readSetCoverage(ctx context.Context, series string, sp *seriesPeriods) error {
	rows, err := s.db.query(ctx, `SELECT area, counterpart, data FROM observation_sets WHERE series = ?`, series)
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	var data []byte
	for rows.Next() {
		var area, cp string
		if err := rows.Scan(&area, &cp, &data); err != nil {
			return err
		}
		origin := cp != "" && !categoryCode(cp)
		err := eachPeriod(data, func(p string, present bool) {
			if _, seen := sp.values[p]; !seen {
				sp.periods = append(sp.periods, p)
				sp.values[p] = 0
				sp.areas[p] = map[string]bool{}
			}
			if !present {
				return
			}
			sp.values[p]++
			sp.areas[p][area] = true
			if origin {
				sp.origins[p]++
			}
		})
		if err != nil {
			return fmt.Errorf("observation set %s/%s/%s: %w", series, area, cp, err)
		}
	}
	sort.Strings(sp.periods)
	return rows.Err()
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

// absentIsZero reports whether no row for a point of a sparse table
// (UNHCR publishes only the pairs of countries with people) means nobody,
// a true zero, rather than no data. Summing over areas (area "*"), it does
// when the series has any value in the period: the table covers the
// period. Summing over counterparts of one area (counterpart "*"), it does
// only when that area has a value in the period: a country of asylum that
// UNHCR reports nothing for in a year is not known to host nobody.
func (s *Stats) absentIsZero(ctx context.Context, series, period, area, counterpart string) (bool, error) {
	switch {
	case area == "*" && counterpart != "*" && !categoryCode(counterpart):
		// One origin summed over areas: zero when the table reports
		// origins that year (in 1951 UNHCR knew no origins, only
		// "Unknown": nobody's count from a given country is known).
		sp, err := s.coverage(ctx, series)
		if err != nil {
			return false, err
		}
		if sp.values[period] == 0 {
			return false, nil
		}
		if bilateral := sp.hasCounterparts(); bilateral {
			return sp.origins[period] > 0, nil
		}
		return true, nil
	case area == "*":
		return s.covered(ctx, series, period)
	case counterpart == "*":
		sp, err := s.coverage(ctx, series)
		if err != nil {
			return false, err
		}
		return sp.areas[period][area], nil
	}
	return false, nil
}

// hasCounterparts reports whether the series is bilateral in practice:
// some period has values with a country as counterpart.
func (sp *seriesPeriods) hasCounterparts() bool {
	for _, n := range sp.origins {
		if n > 0 {
			return true
		}
	}
	return false
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
