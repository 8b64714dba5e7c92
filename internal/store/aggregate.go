package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/stats"
)

// Indicators are evaluated here in two ways beyond Lookup:
//
//   - Eval and Published evaluate an indicator at one point exactly as
//     Compiled.Eval over Lookup does, and also report the status of the
//     observations used: estimated when any of them is an estimate, so a
//     figure made from estimates is never called observed.
//   - Aggregate computes an indicator for an aggregate area (a region, the
//     world) from its member countries: every series the indicator refers
//     to is summed over the members, and the indicator's expressions are
//     evaluated over the sums, so a ratio becomes Σnumerator ÷ Σdenominator
//     rather than a sum or a mean of ratios. Only the members with a value
//     for every series of the indicator take part (a ratio's parts then
//     cover the same countries); a member without a value is left out and
//     named in the coverage, never counted as zero.
//
// What a source publishes for an aggregate is read with Published, under
// the aggregate's own area code; the two are kept apart for the caller to
// show side by side.

// Coverage says how many of an aggregate's member countries a computed
// value stands on.
type Coverage struct {
	Members  int      `json:"members"`           // member countries of the aggregate
	WithData int      `json:"withData"`          // members with a value for every series used
	Missing  []string `json:"missing,omitempty"` // the other members' codes, sorted
}

// Evaluation is an indicator's value at a point and what it is made of.
type Evaluation struct {
	Value float64
	OK    bool // false: missing (a part is missing or a denominator is zero)
	// Status is Missing when !OK; otherwise Estimated when any observation
	// used is an estimate, else Observed.
	Status stats.Status
	// Coverage is set on computed aggregates (nil otherwise, and when the
	// indicator cannot be computed from its members).
	Coverage *Coverage
}

// Evaluator evaluates indicators for one request; it remembers which
// series are additive. It is not safe for concurrent use.
type Evaluator struct {
	s        *Stats
	ctx      context.Context
	additive map[string]bool
}

// Evaluator returns an evaluator reading the stored observations.
func (s *Stats) Evaluator(ctx context.Context) *Evaluator {
	return &Evaluator{s: s, ctx: ctx, additive: map[string]bool{}}
}

// Eval evaluates c at a point with Lookup's semantics (a sum over a
// dimension of a sparse table counts an absent row as zero when the series
// covers the period), with the status of the observations used.
func (e *Evaluator) Eval(c stats.Compiled, at stats.Point) (Evaluation, error) {
	return e.eval(c, at, true)
}

// Published evaluates c at an aggregate's own area code: the figure the
// source publishes for the aggregate (or derives from the parts it
// publishes). Unlike Eval, every series must have a row: a source that
// publishes nothing for the aggregate yields a missing value, never a zero.
func (e *Evaluator) Published(c stats.Compiled, at stats.Point) (Evaluation, error) {
	return e.eval(c, at, false)
}

func (e *Evaluator) eval(c stats.Compiled, at stats.Point, sparseZero bool) (Evaluation, error) {
	if c.Records != "" {
		return Evaluation{}, derrors.Kindf(derrors.Invalid, "indicator %s counts records, not series", c.Code)
	}
	estimated := false
	look := func(series string, f map[string]string, at stats.Point) (float64, bool, error) {
		area, cp, sex := resolveRef(f, at, at.Area)
		r, err := e.point(series, area, cp, sex, at.Period, sparseZero)
		if r.ok && r.estimated {
			estimated = true
		}
		return r.sum, r.ok, err
	}
	v, ok, err := c.Eval(at, look)
	if err != nil {
		return Evaluation{}, err
	}
	return evaluation(v, ok, estimated), nil
}

func evaluation(v float64, ok, estimated bool) Evaluation {
	switch {
	case !ok:
		return Evaluation{Status: stats.Missing}
	case estimated:
		return Evaluation{Value: v, OK: true, Status: stats.Estimated}
	}
	return Evaluation{Value: v, OK: true, Status: stats.Observed}
}

// resolveRef applies a reference's filters to a point whose area is area
// (the point's own area, or one member of an aggregate): the area,
// counterpart and sex to read, "*" for a sum over a dimension. It has
// Lookup's meaning.
func resolveRef(f map[string]string, at stats.Point, area string) (string, string, string) {
	cp, sex := at.Counterpart, at.Sex
	if v, ok := f["sex"]; ok {
		sex = v
	}
	member := area
	switch v := f["area"]; v {
	case "":
	case "$counterpart":
		area = at.Counterpart
	default:
		area = v
	}
	switch v := f["counterpart"]; v {
	case "":
	case "$area":
		cp = member
	case "none":
		cp = ""
	default:
		cp = v
	}
	return area, cp, sex
}

// cell is what one lookup found.
type cell struct {
	sum       float64
	ok        bool
	estimated bool
}

// point reads one series at one area, counterpart, period and sex ("*"
// sums over the dimension).
func (e *Evaluator) point(series, area, cp, sex, period string, sparseZero bool) (cell, error) {
	from, err := e.s.observationsOf(e.ctx, series)
	if err != nil {
		return cell{}, err
	}
	q := `SELECT COUNT(value), COALESCE(SUM(value), 0), COALESCE(SUM(CASE WHEN status = 'estimated' AND value IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM ` + from + ` WHERE series = ? AND period = ? AND sex = ? AND age = ''`
	args := []any{series, period, sex}
	if area != "*" {
		q += ` AND area = ?`
		args = append(args, area)
	}
	if cp != "*" {
		q += ` AND counterpart = ?`
		args = append(args, cp)
	}
	var n, est int64
	var sum float64
	if err := e.s.db.queryRow(e.ctx, q, args...).Scan(&n, &sum, &est); err != nil {
		return cell{}, classify(err)
	}
	if n == 0 && sparseZero && (area == "*" || cp == "*") {
		zero, err := e.s.absentIsZero(e.ctx, series, period, area, cp)
		return cell{ok: zero}, err
	}
	return cell{sum: sum, ok: n > 0, estimated: est > 0}, nil
}

// CanAggregate reports whether c can be computed for an aggregate from its
// members: it counts no records, and every series it refers to is a count
// or an amount (a percentage, a rate or a per-capita series cannot be
// summed; a ratio indicator is computable when its parts are counts).
func (e *Evaluator) CanAggregate(c stats.Compiled) (bool, error) {
	if c.Records != "" {
		return false, nil
	}
	refs := append(stats.Refs(c.Num), refsOf(c.Den)...)
	if len(refs) == 0 {
		return false, nil
	}
	dependsOnArea := false
	for _, r := range refs {
		add, ok := e.additive[r.Series]
		if !ok {
			sr, err := e.s.Series(e.ctx, r.Series)
			if errors.Is(err, derrors.NotFound) {
				return false, nil // never imported: nothing to sum
			}
			if err != nil {
				return false, err
			}
			add = additiveUnit(sr.Unit)
			e.additive[r.Series] = add
		}
		if !add {
			return false, nil
		}
		if refDependsOnArea(r) {
			dependsOnArea = true
		}
	}
	return dependsOnArea, nil
}

func refsOf(e stats.Expr) []stats.Ref {
	if e == nil {
		return nil
	}
	return stats.Refs(e)
}

// additiveUnit reports whether values in unit add up over countries:
// persons and money do; "% of …", "… per year" and "per 100,000 …" do not.
func additiveUnit(unit string) bool {
	u := strings.ToLower(strings.TrimSpace(unit))
	return u != "" && !strings.Contains(u, "%") && !strings.HasPrefix(u, "per ") && !strings.Contains(u, " per ")
}

// refDependsOnArea reports whether a reference reads the point's area (its
// value then differs from member to member).
func refDependsOnArea(r stats.Ref) bool {
	return r.Filters["area"] == "" || r.Filters["counterpart"] == "$area"
}

// refKey identifies a reference by its series and filters.
func refKey(series string, f map[string]string) string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(series)
	for _, k := range keys {
		b.WriteString("|" + k + "=" + f[k])
	}
	return b.String()
}

// Aggregate computes c at a point whose area is an aggregate with the given
// member countries. Each series is summed over the members that have a
// value for every series of the indicator; the coverage names the others.
// When c cannot be computed from members (CanAggregate) the evaluation is
// missing with no coverage.
func (e *Evaluator) Aggregate(c stats.Compiled, members []string, at stats.Point) (_ Evaluation, err error) {
	defer derrors.Wrap(&err, "store.Aggregate(%q, %q)", c.Code, at.Area)
	can, err := e.CanAggregate(c)
	if err != nil || !can {
		return Evaluation{Status: stats.Missing}, err
	}
	members = slices.Compact(slices.Sorted(slices.Values(members)))
	refs := append(stats.Refs(c.Num), refsOf(c.Den)...)
	type refData struct {
		ref     stats.Ref
		cells   map[string]cell // member → value (area-dependent references)
		single  cell            // references that do not read the area
		depends bool
	}
	byKey := map[string]*refData{}
	var order []string
	for _, r := range refs {
		k := refKey(r.Series, r.Filters)
		if byKey[k] != nil {
			continue
		}
		d := &refData{ref: r, depends: refDependsOnArea(r)}
		if d.depends {
			if d.cells, err = e.members(r, members, at); err != nil {
				return Evaluation{}, err
			}
		} else {
			area, cp, sex := resolveRef(r.Filters, at, at.Area)
			if d.single, err = e.point(r.Series, area, cp, sex, at.Period, true); err != nil {
				return Evaluation{}, err
			}
		}
		byKey[k] = d
		order = append(order, k)
	}
	cov := &Coverage{Members: len(members)}
	var complete []string
	for _, m := range members {
		all := true
		for _, k := range order {
			if d := byKey[k]; d.depends && !d.cells[m].ok {
				all = false
				break
			}
		}
		if all {
			complete = append(complete, m)
		} else {
			cov.Missing = append(cov.Missing, m)
		}
	}
	cov.WithData = len(complete)
	if len(complete) == 0 {
		return Evaluation{Status: stats.Missing, Coverage: cov}, nil
	}
	sums := map[string]cell{}
	estimated := false
	for _, k := range order {
		d := byKey[k]
		if !d.depends {
			sums[k] = d.single
			if d.single.ok && d.single.estimated {
				estimated = true
			}
			continue
		}
		s := cell{ok: true}
		for _, m := range complete {
			c := d.cells[m]
			s.sum += c.sum
			s.estimated = s.estimated || c.estimated
		}
		sums[k] = s
		estimated = estimated || s.estimated
	}
	look := func(series string, f map[string]string, _ stats.Point) (float64, bool, error) {
		s, ok := sums[refKey(series, f)]
		if !ok {
			return 0, false, fmt.Errorf("reference %s not read", series)
		}
		return s.sum, s.ok, nil
	}
	v, ok, err := c.Eval(at, look)
	if err != nil {
		return Evaluation{}, err
	}
	ev := evaluation(v, ok, estimated)
	ev.Coverage = cov
	return ev, nil
}

// members reads an area-dependent reference for every member at once: one
// query grouped by the dimension that takes the member's code.
func (e *Evaluator) members(r stats.Ref, members []string, at stats.Point) (map[string]cell, error) {
	out := make(map[string]cell, len(members))
	if len(members) == 0 {
		return out, nil
	}
	// The dimensions with a placeholder member resolve to "\x00" and are
	// then replaced by the member list.
	const m = "\x00"
	area, cp, sex := resolveRef(r.Filters, at, m)
	from, err := e.s.observationsOf(e.ctx, r.Series)
	if err != nil {
		return nil, err
	}
	q := `SELECT %s, COUNT(value), COALESCE(SUM(value), 0), COALESCE(SUM(CASE WHEN status = 'estimated' AND value IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM ` + from + ` WHERE series = ? AND period = ? AND sex = ? AND age = ''`
	args := []any{r.Series, at.Period, sex}
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(members)), ",") + ")"
	var group string
	switch {
	case area == m && cp == m:
		group = "area"
		q += ` AND area IN ` + in + ` AND counterpart = area`
		for _, c := range members {
			args = append(args, c)
		}
	case area == m:
		group = "area"
		q += ` AND area IN ` + in
		for _, c := range members {
			args = append(args, c)
		}
		if cp != "*" {
			q += ` AND counterpart = ?`
			args = append(args, cp)
		}
	case cp == m:
		group = "counterpart"
		q += ` AND counterpart IN ` + in
		for _, c := range members {
			args = append(args, c)
		}
		if area != "*" {
			q += ` AND area = ?`
			args = append(args, area)
		}
	default:
		return nil, fmt.Errorf("reference to %s does not read the area", r.Series)
	}
	q = strings.Replace(q, "%s", group, 1) + ` GROUP BY ` + group
	rows, err := e.s.db.query(e.ctx, q, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var n, est int64
		var sum float64
		if err := rows.Scan(&code, &n, &sum, &est); err != nil {
			return nil, classify(err)
		}
		if n > 0 {
			out[code] = cell{sum: sum, ok: true, estimated: est > 0}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, classify(err)
	}
	// As in Lookup: a sum over the other dimension of a sparse table
	// counts an absent member as nobody when the series covers the period.
	other := cp
	if group == "counterpart" {
		other = area
	}
	if other == "*" && len(out) < len(members) {
		for _, c := range members {
			if _, ok := out[c]; ok {
				continue
			}
			a, cpt := c, "*" // members are areas, summed over counterparts
			if group == "counterpart" {
				a, cpt = "*", c
			}
			zero, err := e.s.absentIsZero(e.ctx, r.Series, at.Period, a, cpt)
			if err != nil {
				return nil, err
			}
			if zero {
				out[c] = cell{ok: true}
			}
		}
	}
	return out, nil
}

// Difference is published − computed, rounded to the indicator's decimals.
func Difference(published, computed float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round((published-computed)*p) / p
}

// DataVersion is a token that changes whenever data that answers derive
// from changes: a dataset imported or re-imported (the datasets table's
// versions and newest import) or an indicator defined. One query; HTTP
// validators (ETag) are built from it.
func (db *DB) DataVersion(ctx context.Context) (string, error) {
	return recheckRead(db, "data", func() (string, error) { return db.readDataVersion(ctx) })
}

func (db *DB) readDataVersion(ctx context.Context) (string, error) {
	// The definitions' total length changes when a new program version
	// updates a built-in definition (EnsureBuiltinIndicators).
	// labour_costs changes with every recruitment cost or first wage
	// recorded (SDG 10.7.1 is computed from them).
	var n, versions, lastImport, indicators, defs, costs int64
	err := db.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM datasets),
		(SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM datasets),
		(SELECT CAST(COALESCE(MAX(import_id), 0) AS BIGINT) FROM datasets),
		(SELECT COUNT(*) FROM indicators),
		(SELECT CAST(COALESCE(SUM(LENGTH(definition)), 0) AS BIGINT) FROM indicators),
		(SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM cache_versions WHERE name = 'labour_costs')`).
		Scan(&n, &versions, &lastImport, &indicators, &defs, &costs)
	if err != nil {
		return "", classify(err)
	}
	return fmt.Sprintf("%d.%d.%d.%d.%d.%d", n, versions, lastImport, indicators, defs, costs), nil
}
