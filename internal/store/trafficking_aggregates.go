package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Published aggregate-only releases (k-anonymous or differentially private
// aggregates) on the public dashboard: the released counts themselves, each
// view answered by the combinations of exactly its attributes. Schema and
// conventions: migrations/00016_trafficking_aggregates.sql.

// TraffickingLayoutAggregates is the layout of a source made of released
// combination counts rather than records.
const TraffickingLayoutAggregates = "release-aggregates"

// TraffickingAggregate is one released count of a combination of the
// dashboard's attributes; an empty field is not part of the combination,
// and the combination with none is the released total.
type TraffickingAggregate struct {
	Year         string
	Gender       string
	Age          string
	Citizenship  string
	Exploitation string
	Flag         string // "group.flag" (e.g. "exploitation.forcedLabour")
	Count        int64
}

// trafDims are the attributes of a combination, in the order of dims.
var trafDims = []string{"year", "gender", "age", "citizenship", "exploitation", "flag"}

// trafDimColumn is the column of each attribute.
var trafDimColumn = map[string]string{"year": "year_label", "gender": "gender", "age": "age", "citizenship": "citizenship",
	"exploitation": "exploitation", "flag": "flag"}

func (a *TraffickingAggregate) values() []string {
	return []string{a.Year, a.Gender, a.Age, a.Citizenship, a.Exploitation, a.Flag}
}

// dims names the attributes of the combination (see the migration).
func (a *TraffickingAggregate) dims() string {
	var out []string
	for i, v := range a.values() {
		if v != "" {
			out = append(out, trafDims[i])
		}
	}
	return strings.Join(out, ",")
}

// validate checks the values against the records' value sets.
func (a *TraffickingAggregate) validate() error {
	if a.Count < 0 {
		return derrors.Kindf(derrors.Invalid, "count %d is negative", a.Count)
	}
	r := TraffickingRecord{Year: a.Year, Gender: a.Gender, Age: a.Age, Citizenship: a.Citizenship, Exploitation: a.Exploitation}
	if a.Flag != "" {
		group, flag, ok := strings.Cut(a.Flag, ".")
		if !ok {
			return derrors.Kindf(derrors.Invalid, "flag %q is not group.flag", a.Flag)
		}
		r.Flags = map[string][]string{group: {flag}}
	}
	_, _, _, err := r.validate()
	return err
}

// dimsOf is the dims value of a set of attributes.
func dimsOf(attrs map[string]bool) string {
	var out []string
	for _, d := range trafDims {
		if attrs[d] {
			out = append(out, d)
		}
	}
	return strings.Join(out, ",")
}

// ReplaceTraffickingAggregates replaces every record or count of source
// with the released counts of an aggregates release, inside tx: length is
// the release's reporting length (the longest combination it released),
// total its released total (the combination with no attribute, which rows
// must not hold). The error wraps derrors.Invalid for a bad
// source, length, value or a combination given twice (naming its
// position, from 1).
func ReplaceTraffickingAggregates(ctx context.Context, tx *Tx, source string, length int, total int64, rows ...TraffickingAggregate) (err error) {
	defer derrors.Wrap(&err, "store.ReplaceTraffickingAggregates(%q)", source)
	if err := validTraffickingSource(source); err != nil {
		return err
	}
	if length < 1 {
		return derrors.Kindf(derrors.Invalid, "reporting length %d: must be >= 1", length)
	}
	if total < 0 {
		return derrors.Kindf(derrors.Invalid, "total %d is negative", total)
	}
	seen := make(map[string]int, len(rows))
	for i := range rows {
		if err := rows[i].validate(); err != nil {
			return fmt.Errorf("combination %d: %w", i+1, err)
		}
		if rows[i].dims() == "" {
			return derrors.Kindf(derrors.Invalid, "combination %d: has no attribute (the total is given apart)", i+1)
		}
		k := strings.Join(rows[i].values(), "\x00")
		if j, ok := seen[k]; ok {
			return derrors.Kindf(derrors.Invalid, "combination %d: the same as combination %d", i+1, j)
		}
		seen[k] = i + 1
		if n := strings.Count(rows[i].dims(), ",") + 1; n > length {
			return derrors.Kindf(derrors.Invalid, "combination %d: %d attributes, more than the reporting length %d", i+1, n, length)
		}
	}
	if err := deleteTraffickingSource(ctx, tx, source); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO trafficking_sources (source, layout, records, loaded_at, combination_length) VALUES (?, ?, ?, ?, ?)`,
		source, TraffickingLayoutAggregates, total, time.Now().UTC(), length); err != nil {
		return classify(err)
	}
	const cols = 10
	for start := 0; start < len(rows); start += trafBatch {
		batch := rows[start:min(start+trafBatch, len(rows))]
		args := make([]any, 0, len(batch)*cols)
		for i := range batch {
			r := &batch[i]
			args = append(args, source, start+i+1, r.dims(), r.Year, r.Gender, r.Age, r.Citizenship, r.Exploitation, r.Flag, r.Count)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO trafficking_aggregates (source, id, dims, year_label, gender, age, citizenship,
			exploitation, flag, count) VALUES `+incPlaceholders(len(batch), cols), args...); err != nil {
			return classify(err)
		}
	}
	return bumpVersion(ctx, tx, "trafficking")
}

// aggQuery answers the views of an aggregates source under a filter.
type aggQuery struct {
	db     *DB
	f      TraffickingFilter
	length int
	// unavailable collects the views that need longer combinations than
	// the release has.
	unavailable []string
}

// filterAttrs are the attributes a filter fixes, with their values.
func (q *aggQuery) filterAttrs() map[string]string {
	out := map[string]string{}
	for _, kv := range [][2]string{{"year", q.f.Year}, {"gender", q.f.Gender}, {"age", q.f.Age}, {"citizenship", q.f.Citizenship},
		{"exploitation", q.f.Exploitation}} {
		if kv[1] != "" {
			out[kv[0]] = kv[1]
		}
	}
	return out
}

// rows reads the combinations of the filter's attributes plus view,
// matching the filter, as the view's columns and the count. ok is false
// (and the view noted unavailable) when the combination is longer than
// the release's reporting length.
func (q *aggQuery) rows(ctx context.Context, name string, view []string, order string, limit int) (out [][]string, counts []int64, ok bool, err error) {
	fixed := q.filterAttrs()
	attrs := map[string]bool{}
	for a := range fixed {
		attrs[a] = true
	}
	for _, a := range view {
		attrs[a] = true
	}
	if len(attrs) > q.length {
		q.unavailable = append(q.unavailable, name)
		return nil, nil, false, nil
	}
	sel := []string{}
	for _, a := range view {
		sel = append(sel, trafDimColumn[a])
	}
	conds := []string{"source = ?", "dims = ?"}
	args := []any{q.f.Source, dimsOf(attrs)}
	for _, a := range trafDims {
		if v, ok := fixed[a]; ok {
			conds = append(conds, trafDimColumn[a]+" = ?")
			args = append(args, v)
		}
	}
	query := `SELECT ` + strings.Join(append(sel, "count"), ", ") + ` FROM trafficking_aggregates WHERE ` + strings.Join(conds, " AND ")
	if order != "" {
		query += " ORDER BY " + order
	}
	if limit > 0 {
		query += " LIMIT ?"
		args = append(args, limit)
	}
	rs, err := q.db.query(ctx, query, args...)
	if err != nil {
		return nil, nil, true, err
	}
	defer rs.Close()
	for rs.Next() {
		vals := make([]string, len(view))
		var n int64
		dest := make([]any, 0, len(view)+1)
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rs.Scan(append(dest, &n)...); err != nil {
			return nil, nil, true, err
		}
		out, counts = append(out, vals), append(counts, n)
	}
	return out, counts, true, rs.Err()
}

// counts is a one-attribute view.
func (q *aggQuery) counts(ctx context.Context, name, attr string) ([]TraffickingCount, error) {
	vals, ns, _, err := q.rows(ctx, name, []string{attr}, "", 0)
	out := make([]TraffickingCount, len(vals))
	for i := range vals {
		out[i] = TraffickingCount{Key: vals[i][0], Count: ns[i]}
	}
	return out, err
}

// traffickingAggregateSummary is TraffickingSummary for an aggregates
// source: every figure is a released count, never a sum of smaller ones
// (which would add up their rounding and leave out what was withheld).
func (db *DB) traffickingAggregateSummary(ctx context.Context, f TraffickingFilter, src TraffickingSource, top int) (TraffickingSummary, error) {
	s := TraffickingSummary{Filter: f, Layout: src.Layout, CombinationLength: src.CombinationLength}
	q := &aggQuery{db: db, f: f, length: src.CombinationLength}
	var err error
	if len(q.filterAttrs()) == 0 {
		s.Total = src.Records // the released total
	} else {
		_, total, ok, err := q.rows(ctx, "total", nil, "", 0)
		if err != nil {
			return s, err
		}
		if ok && len(total) == 1 {
			s.Total = total[0]
		} else if ok {
			s.Withheld = true // the filter's own combination was not released
		}
	}
	if s.ByYear, err = q.counts(ctx, "year", "year"); err != nil {
		return s, err
	}
	sortYears(s.ByYear)
	if s.ByGender, err = q.counts(ctx, "gender", "gender"); err != nil {
		return s, err
	}
	orderBy(s.ByGender, TraffickingGenders)
	if s.ByAge, err = q.counts(ctx, "age", "age"); err != nil {
		return s, err
	}
	orderBy(s.ByAge, TraffickingAges)
	if s.ByExploitation, err = q.counts(ctx, "exploitation", "exploitation"); err != nil {
		return s, err
	}
	byCount(s.ByExploitation)
	if s.ByCitizenship, err = q.counts(ctx, "citizenship", "citizenship"); err != nil {
		return s, err
	}
	byCount(s.ByCitizenship)
	vals, ns, _, err := q.rows(ctx, "corridors", []string{"citizenship", "exploitation"}, "count DESC, citizenship, exploitation", max(top, 1))
	if err != nil {
		return s, err
	}
	s.Corridors = make([]TraffickingCorridor, len(vals))
	for i := range vals {
		s.Corridors[i] = TraffickingCorridor{Citizenship: vals[i][0], Exploitation: vals[i][1], Count: ns[i]}
	}
	flags, err := q.counts(ctx, "groups", "flag")
	if err != nil {
		return s, err
	}
	all := flags
	if len(q.filterAttrs()) > 0 {
		unfiltered := &aggQuery{db: db, f: TraffickingFilter{Source: f.Source}, length: src.CombinationLength}
		if all, err = unfiltered.counts(ctx, "groups", "flag"); err != nil {
			return s, err
		}
	}
	s.Groups = aggregateGroups(flags, all)
	s.Unavailable = q.unavailable
	return s, nil
}

// aggregateGroups arranges the released flag counts of a filter by group:
// a flag the release has no count of at all (not among its attributes, or
// rarer than its resolution overall) is marked not recorded; one released
// overall but not under the filter is marked withheld. Known is 0: an
// aggregates release does not publish how many records have any flag of a
// group.
func aggregateGroups(flags, all []TraffickingCount) []TraffickingGroupCounts {
	released := map[string]int64{}
	for _, c := range flags {
		released[c.Key] = c.Count
	}
	anywhere := map[string]bool{}
	for _, c := range all {
		anywhere[c.Key] = true
	}
	out := make([]TraffickingGroupCounts, 0, len(TraffickingGroups))
	for _, g := range TraffickingGroups {
		gc := TraffickingGroupCounts{Group: g.Name, Counts: make([]TraffickingCount, len(g.Flags))}
		for i, fl := range g.Flags {
			key := g.Name + "." + fl
			n, ok := released[key]
			gc.Counts[i] = TraffickingCount{Key: fl, Count: n, NotRecorded: !anywhere[key], Withheld: anywhere[key] && !ok}
			gc.Recorded = gc.Recorded || anywhere[key]
		}
		out = append(out, gc)
	}
	return out
}

// traffickingRecorded reports whether a record layout records a flag: the
// VP file has only two exploitation types and its own three recruiter
// relations; the global layout has every flag but those three.
func traffickingRecorded(layout, group, flag string) bool {
	vpRecruiter := []string{"familyIntimatePartner", "friendAcquaintance", "strangerUnknownOther"}
	switch layout {
	case TraffickingLayoutVP:
		return (group == "exploitation" && (flag == "forcedLabour" || flag == "sexualExploit")) ||
			(group == "recruiter" && slices.Contains(vpRecruiter, flag))
	case TraffickingLayoutGlobal, TraffickingLayoutKAnon:
		return !(group == "recruiter" && slices.Contains(vpRecruiter, flag))
	}
	return true
}
