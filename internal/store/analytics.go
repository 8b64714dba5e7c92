package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/stats"
)

// AreaValue is an indicator's value at one area; OK is false when the
// value is missing (no data, never zero).
type AreaValue struct {
	Area  string
	Value float64
	OK    bool
}

// EvalAreas evaluates an indicator at many areas for one period and sex
// (and, for a bilateral indicator, one counterpart), in a few queries: the
// observations each series reference needs at that period are read once
// (one query per distinct reference), and the expression is evaluated per
// area against them with stats.Compiled.Eval. The values are those the
// per-point Lookup gives: the same filters, the same sums over "*", the
// same "sparse sum" rule (summing over a dimension of a series that
// covers the period gives a true zero when no row matches), the same
// rounding. The result is in the order of areas.
//
// Indicators counting records (Records "incidents", SDG 10.7.3) are
// evaluated per country of incident as the data API does: the dead and
// missing of the year's incidents in that country; a country without an
// incident that year has no value.
func (s *Stats) EvalAreas(ctx context.Context, c stats.Compiled, areas []string, counterpart, period, sex string) (_ []AreaValue, err error) {
	defer derrors.Wrap(&err, "store.EvalAreas(%q, %q)", c.Code, period)
	out := make([]AreaValue, len(areas))
	for i, a := range areas {
		out[i].Area = a
	}
	if len(areas) == 0 {
		return out, nil
	}
	if c.Records == "incidents" {
		return s.incidentsByCountry(ctx, out, period, sex)
	}
	if c.Num == nil {
		return nil, derrors.Kindf(derrors.Invalid, "indicator %s is not compiled", c.Code)
	}
	b := &bulk{s: s, areas: areas, counterpart: counterpart, period: period, sex: sex,
		tables: map[string]*refTable{}}
	refs := stats.Refs(c.Num)
	if c.Den != nil {
		refs = append(refs, stats.Refs(c.Den)...)
	}
	for _, r := range refs {
		if err := b.prefetch(ctx, r); err != nil {
			return nil, err
		}
	}
	look := b.lookup(ctx)
	for i, a := range areas {
		v, ok, err := c.Eval(stats.Point{Area: a, Counterpart: counterpart, Period: period, Sex: sex}, look)
		if err != nil {
			return nil, err
		}
		out[i].Value, out[i].OK = v, ok
	}
	return out, nil
}

// bulk holds the observations of one evaluation.
type bulk struct {
	s                        *Stats
	areas                    []string
	counterpart, period, sex string
	tables                   map[string]*refTable // refKey → table
}

// A dimension of a reference resolves, for the point of area X, to a
// fixed code, to X itself, or to every value ("*").
const (
	dimFixed = iota
	dimArea
	dimAll
)

type dim struct {
	kind int
	code string // dimFixed
}

// refSpec is a reference resolved against the evaluation's constant
// point dimensions (counterpart, period, sex), exactly as Lookup resolves
// it.
type refSpec struct {
	series, sex string
	area, cp    dim
}

func (b *bulk) spec(series string, f map[string]string) refSpec {
	sp := refSpec{series: series, sex: b.sex, area: dim{kind: dimArea}, cp: dim{kind: dimFixed, code: b.counterpart}}
	if v, ok := f["sex"]; ok {
		sp.sex = v
	}
	switch v := f["area"]; v {
	case "":
	case "$counterpart":
		sp.area = dim{kind: dimFixed, code: b.counterpart}
	case "*":
		sp.area = dim{kind: dimAll}
	default:
		sp.area = dim{kind: dimFixed, code: v}
	}
	switch v := f["counterpart"]; v {
	case "":
	case "$area":
		sp.cp = dim{kind: dimArea}
	case "none":
		sp.cp = dim{kind: dimFixed, code: ""}
	case "*":
		sp.cp = dim{kind: dimAll}
	default:
		sp.cp = dim{kind: dimFixed, code: v}
	}
	// A fixed "*" (a counterpart of "*") sums, as in Lookup.
	if sp.area.kind == dimFixed && sp.area.code == "*" {
		sp.area = dim{kind: dimAll}
	}
	if sp.cp.kind == dimFixed && sp.cp.code == "*" {
		sp.cp = dim{kind: dimAll}
	}
	return sp
}

func (sp refSpec) key() string {
	return sp.series + "\x00" + sp.sex + "\x00" + strconv.Itoa(sp.area.kind) + sp.area.code + "\x00" + strconv.Itoa(sp.cp.kind) + sp.cp.code
}

// refTable is the sum and count of the values a reference reads, by the
// area of the point (key "" when the reference does not depend on it).
type refTable struct {
	sum map[string]float64
	n   map[string]int
}

// prefetch reads the observations one reference needs, in one query.
func (b *bulk) prefetch(ctx context.Context, r stats.Ref) error {
	sp := b.spec(r.Series, r.Filters)
	k := sp.key()
	if _, ok := b.tables[k]; ok {
		return nil
	}
	// One period of the series: the observations_period index (series,
	// period, sex, age, counterpart, area) serves it, whichever dimension
	// takes the areas.
	from, err := b.s.observationsOf(ctx, sp.series)
	if err != nil {
		return err
	}
	q := `SELECT area, counterpart, value FROM ` + from + ` WHERE series = ? AND period = ? AND sex = ? AND age = '' AND value IS NOT NULL`
	args := []any{sp.series, b.period, sp.sex}
	in := func(col string) {
		q += ` AND ` + col + ` IN (` + strings.TrimSuffix(strings.Repeat("?,", len(b.areas)), ",") + `)`
		for _, a := range b.areas {
			args = append(args, a)
		}
	}
	for _, d := range []struct {
		col string
		dim dim
	}{{"area", sp.area}, {"counterpart", sp.cp}} {
		switch d.dim.kind {
		case dimFixed:
			q += ` AND ` + d.col + ` = ?`
			args = append(args, d.dim.code)
		case dimArea:
			in(d.col)
		}
	}
	rows, err := b.s.db.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	t := &refTable{sum: map[string]float64{}, n: map[string]int{}}
	for rows.Next() {
		var area, cp string
		var v float64
		if err := rows.Scan(&area, &cp, &v); err != nil {
			return err
		}
		key := ""
		switch {
		case sp.area.kind == dimArea && sp.cp.kind == dimArea:
			if area != cp {
				continue
			}
			key = area
		case sp.area.kind == dimArea:
			key = area
		case sp.cp.kind == dimArea:
			key = cp
		}
		t.sum[key] += v
		t.n[key]++
	}
	if err := rows.Err(); err != nil {
		return classify(err)
	}
	b.tables[k] = t
	return nil
}

// lookup answers the references from the prefetched tables.
func (b *bulk) lookup(ctx context.Context) stats.Lookup {
	return func(series string, f map[string]string, at stats.Point) (float64, bool, error) {
		if at.Period != b.period || at.Counterpart != b.counterpart || at.Sex != b.sex {
			return 0, false, derrors.Kindf(derrors.Invalid, "bulk evaluation at %+v outside its period, counterpart and sex", at)
		}
		sp := b.spec(series, f)
		t, ok := b.tables[sp.key()]
		if !ok {
			return 0, false, derrors.Kindf(derrors.Invalid, "series %s was not prefetched", series)
		}
		key := ""
		if sp.area.kind == dimArea || sp.cp.kind == dimArea {
			key = at.Area
		}
		if n := t.n[key]; n > 0 {
			return t.sum[key], true, nil
		}
		switch {
		case sp.area.kind == dimAll:
			cp := "*"
			switch sp.cp.kind {
			case dimArea:
				cp = at.Area
			case dimFixed:
				cp = sp.cp.code
			}
			zero, err := b.s.absentIsZero(ctx, series, b.period, "*", cp)
			return 0, zero, err
		case sp.cp.kind == dimAll:
			// As in Lookup: one area summed over counterparts is zero only
			// when the area itself has a value in the period.
			area := at.Area
			if sp.area.kind == dimFixed {
				area = sp.area.code
			}
			zero, err := b.s.absentIsZero(ctx, series, b.period, area, "*")
			return 0, zero, err
		}
		return 0, false, nil
	}
}

// incidentsByCountry fills the values of SDG 10.7.3 by country of
// incident for one year.
func (s *Stats) incidentsByCountry(ctx context.Context, out []AreaValue, period, sex string) ([]AreaValue, error) {
	if sex != stats.SexTotal {
		return nil, derrors.Kindf(derrors.Invalid, "sex: incidents are counted for both sexes only (total)")
	}
	year, err := strconv.Atoi(period)
	if err != nil || len(period) != 4 {
		return nil, derrors.Kindf(derrors.Invalid, "period: incidents are counted by year (YYYY), not %q", period)
	}
	rows, err := s.db.query(ctx, `SELECT i.country_code, COALESCE(SUM(i.dead_and_missing), 0) FROM incidents i
		WHERE i.year = ? AND i.country_code <> '' GROUP BY i.country_code`, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// The project records every incident it learns of: in a year with
	// any incident, a country without one has a recorded zero (as the
	// data API answers), not a missing value.
	totals := map[string]int64{}
	yearCovered := false
	for rows.Next() {
		var code string
		var n int64
		if err := rows.Scan(&code, &n); err != nil {
			return nil, err
		}
		totals[code] = n
	}
	if err := rows.Err(); err != nil {
		return nil, classify(err)
	}
	if len(totals) == 0 {
		var one int
		err := s.db.queryRow(ctx, `SELECT 1 FROM incidents WHERE year = ? LIMIT 1`, year).Scan(&one)
		if err != nil && !noRowsErr(err) {
			return nil, classify(err)
		}
		yearCovered = err == nil
	} else {
		yearCovered = true
	}
	for i := range out {
		if n, ok := totals[out[i].Area]; ok {
			out[i].Value, out[i].OK = float64(n), true
		} else if yearCovered {
			out[i].Value, out[i].OK = 0, true
		}
	}
	return out, nil
}

// IndicatorPeriods lists the periods an indicator can have values for,
// ascending: the periods in which every series it refers to (numerator
// and denominator) has at least one value, or the years of the incidents
// for SDG 10.7.3. A reference with the filter missing=0 counts a missing
// value as zero (stats.Eval), so it never makes the indicator missing and
// does not narrow the periods; when every reference has it, the periods
// are those of any of them.
func (s *Stats) IndicatorPeriods(ctx context.Context, c stats.Compiled) (_ []string, err error) {
	defer derrors.Wrap(&err, "store.IndicatorPeriods(%q)", c.Code)
	if c.Records == "incidents" {
		rows, err := s.db.query(ctx, `SELECT DISTINCT year FROM incidents WHERE year IS NOT NULL ORDER BY year`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var y int
			if err := rows.Scan(&y); err != nil {
				return nil, err
			}
			out = append(out, strconv.Itoa(y))
		}
		return out, rows.Err()
	}
	refs := stats.Refs(c.Num)
	if c.Den != nil {
		refs = append(refs, stats.Refs(c.Den)...)
	}
	if len(refs) == 0 {
		return nil, nil
	}
	var required, optional []string
	for _, r := range refs {
		list := &required
		if r.Filters["missing"] == "0" {
			list = &optional
		}
		if !slices.Contains(*list, r.Series) {
			*list = append(*list, r.Series)
		}
	}
	combine := func(series []string, intersect bool) ([]string, error) {
		var out []string
		for i, code := range series {
			sp, err := s.coverage(ctx, code)
			if err != nil {
				return nil, err
			}
			var withValues []string
			for _, p := range sp.periods {
				if sp.values[p] > 0 {
					withValues = append(withValues, p)
				}
			}
			switch {
			case i == 0:
				out = withValues
			case intersect:
				out = slices.DeleteFunc(out, func(p string) bool { return !slices.Contains(withValues, p) })
			default:
				for _, p := range withValues {
					if !slices.Contains(out, p) {
						out = append(out, p)
					}
				}
				slices.Sort(out)
			}
		}
		return out, nil
	}
	if len(required) == 0 {
		return combine(optional, false)
	}
	return combine(required, true)
}

// IndicatorSexes lists the sexes the indicator's first series has values
// for ("total" first), so that a form offers only those.
func (s *Stats) IndicatorSexes(ctx context.Context, c stats.Compiled) (_ []string, err error) {
	defer derrors.Wrap(&err, "store.IndicatorSexes(%q)", c.Code)
	out := []string{stats.SexTotal}
	refs := stats.Refs(c.Num)
	if c.Records != "" || len(refs) == 0 {
		return out, nil
	}
	from, err := s.observationsOf(ctx, refs[0].Series)
	if err != nil {
		return nil, err
	}
	for _, sex := range []string{stats.SexMale, stats.SexFemale} {
		var one int
		err := s.db.queryRow(ctx, `SELECT 1 FROM `+from+` WHERE series = ? AND sex = ? LIMIT 1`, refs[0].Series, sex).Scan(&one)
		if err != nil && !noRowsErr(err) {
			return nil, classify(err)
		}
		if err == nil {
			out = append(out, sex)
		}
	}
	return out, nil
}

func noRowsErr(err error) bool { return errors.Is(err, sql.ErrNoRows) }
