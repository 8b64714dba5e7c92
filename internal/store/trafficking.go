package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Public counter-trafficking records: the normalised form that both CTDC
// layouts (and the published releases, which use CTDC's schema) map into.
// The public dashboard reads these and nothing else: the case tables hold
// personal data and are never joined here. Schema and conventions:
// migrations/00014_trafficking.sql.

// The layouts a source may have.
const (
	TraffickingLayoutGlobal = "ctdc-global-synthetic" // CTDC Global Synthetic Dataset, 27 columns
	TraffickingLayoutVP     = "ctdc-vp-condensed"     // CTDC Victim-Perpetrator synthetic, condensed, 16 columns
	// TraffickingLayoutKAnon is a published k-anonymous release's records
	// (CTDC's global schema; generalised or suppressed values unknown).
	TraffickingLayoutKAnon = "release-kanon"
)

// TraffickingLayouts are the layouts a source of records may have.
var TraffickingLayouts = []string{TraffickingLayoutGlobal, TraffickingLayoutVP, TraffickingLayoutKAnon}

// TraffickingGenders are the gender codes ("" is unknown): CTDC's Woman
// and Female are female, Man and Male male, Trans/Transgender/NonConforming
// trans.
var TraffickingGenders = []string{"female", "male", "trans"}

// TraffickingAges are the age codes ("" is unknown), in order: CTDC's
// ageBroad bands, then the majority status a layout may give instead.
var TraffickingAges = []string{"0-8", "9-17", "18-20", "21-23", "24-26", "27-29", "30-38", "39-47", "48+", "adult", "minor"}

// TraffickingRegions are the UN regions the VP layout gives instead of
// countries (as published).
var TraffickingRegions = []string{"Africa", "Americas/Oceania", "Asia", "Europe"}

// TraffickingGroup is one CTDC flag group: multi-label, each flag set or
// not; a record with no flag of the group set is unknown for the group.
type TraffickingGroup struct {
	Name   string   // API name: means, exploitation, labour, sex, recruiter
	column string   // in trafficking_records
	Flags  []string // bit i is Flags[i]; never reorder, only append
}

// TraffickingGroups are the flag groups.
var TraffickingGroups = []TraffickingGroup{
	{"means", "means", []string{"debtBondageEarnings", "threats", "abusePsyPhySex", "falsePromises", "drugsAlcohol",
		"denyBasicNeeds", "excessiveWorkHours", "withholdDocs"}},
	{"exploitation", "exploit", []string{"forcedLabour", "sexualExploit", "otherExploit"}},
	{"labour", "labour", []string{"agriculture", "construction", "domesticWork", "hospitality"}},
	{"sex", "sex", []string{"prostitution", "pornography"}},
	// The global layout's four relations, then the VP layout's three
	// coarser ones: kept apart, as published.
	{"recruiter", "recruiter", []string{"intimatePartner", "friend", "family", "other",
		"familyIntimatePartner", "friendAcquaintance", "strangerUnknownOther"}},
}

// TraffickingRecord is one published record, normalised. "" is unknown.
type TraffickingRecord struct {
	Year         string `json:"year"` // "2019" or "2014-2018" as published
	Gender       string `json:"gender"`
	Age          string `json:"age"`
	Citizenship  string `json:"citizenship"`  // ISO3 or UN region
	Exploitation string `json:"exploitation"` // country of exploitation: ISO3 or UN region
	// Flags holds, by group name, the flags set; a group absent or empty
	// is unknown.
	Flags map[string][]string `json:"flags,omitempty"`
}

var (
	trafYearRe  = regexp.MustCompile(`^(\d{4})(?:-(\d{4}))?$`)
	trafPlaceRe = regexp.MustCompile(`^[A-Z]{3}$`)
)

// ParseTraffickingYear checks a year or year range as published and
// returns its bounds; the error wraps derrors.Invalid.
func ParseTraffickingYear(s string) (from, to int, err error) {
	m := trafYearRe.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, derrors.Kindf(derrors.Invalid, "year %q is not YYYY or YYYY-YYYY", s)
	}
	from, _ = strconv.Atoi(m[1])
	to = from
	if m[2] != "" {
		to, _ = strconv.Atoi(m[2])
	}
	if from < 1900 || to < from || to > 2999 {
		return 0, 0, derrors.Kindf(derrors.Invalid, "year %q is not a plausible year or range", s)
	}
	return from, to, nil
}

// ValidTraffickingPlace reports whether s is an ISO 3166-1 alpha-3 code or
// one of TraffickingRegions.
func ValidTraffickingPlace(s string) bool {
	return trafPlaceRe.MatchString(s) || slices.Contains(TraffickingRegions, s)
}

// validate checks a record against the closed value sets and returns its
// year bounds and group bitmasks (nil: unknown).
func (r *TraffickingRecord) validate() (from, to *int, masks []*int64, err error) {
	if r.Year != "" {
		f, t, err := ParseTraffickingYear(r.Year)
		if err != nil {
			return nil, nil, nil, err
		}
		from, to = &f, &t
	}
	if r.Gender != "" && !slices.Contains(TraffickingGenders, r.Gender) {
		return nil, nil, nil, derrors.Kindf(derrors.Invalid, "gender %q is not one of %v", r.Gender, TraffickingGenders)
	}
	if r.Age != "" && !slices.Contains(TraffickingAges, r.Age) {
		return nil, nil, nil, derrors.Kindf(derrors.Invalid, "age %q is not one of %v", r.Age, TraffickingAges)
	}
	for _, p := range []string{r.Citizenship, r.Exploitation} {
		if p != "" && !ValidTraffickingPlace(p) {
			return nil, nil, nil, derrors.Kindf(derrors.Invalid, "place %q is neither ISO3 nor one of %v", p, TraffickingRegions)
		}
	}
	for name := range r.Flags {
		if !slices.ContainsFunc(TraffickingGroups, func(g TraffickingGroup) bool { return g.Name == name }) {
			return nil, nil, nil, derrors.Kindf(derrors.Invalid, "no flag group %q", name)
		}
	}
	masks = make([]*int64, len(TraffickingGroups))
	for i, g := range TraffickingGroups {
		var m int64
		for _, f := range r.Flags[g.Name] {
			bit := slices.Index(g.Flags, f)
			if bit < 0 {
				return nil, nil, nil, derrors.Kindf(derrors.Invalid, "%s flag %q is not one of %v", g.Name, f, g.Flags)
			}
			m |= 1 << bit
		}
		if m != 0 {
			masks[i] = &m
		}
	}
	return from, to, masks, nil
}

// validTraffickingSource checks a source name: "import:<file name>" or
// "release:<id>".
func validTraffickingSource(source string) error {
	kind, name, ok := strings.Cut(source, ":")
	if !ok || (kind != "import" && kind != "release") || name == "" || len(source) > 200 ||
		strings.ContainsFunc(source, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return derrors.Kindf(derrors.Invalid, "trafficking source %q is not import:<file name> or release:<id>", source)
	}
	return nil
}

const (
	trafCols  = 15
	trafBatch = 500 // × 15 parameters, under both engines' limits
)

// trafRow is a distinct normalised record and how many records it
// stands for.
type trafRow struct {
	year, gender, age, citizenship, exploitation string
	from, to                                     *int
	masks                                        [5]*int64
	records                                      int64
}

// key identifies a distinct record.
func (r *trafRow) key() string {
	k := r.year + "\x00" + r.gender + "\x00" + r.age + "\x00" + r.citizenship + "\x00" + r.exploitation
	for _, m := range r.masks {
		k += "\x00"
		if m != nil {
			k += strconv.FormatInt(*m, 10)
		}
	}
	return k
}

// ReplaceTraffickingRecords replaces every record of source with rows,
// inside tx (atomic with it). Layout is one of TraffickingLayouts. The
// error wraps derrors.Invalid for a bad source, layout or record (naming
// the record's position, from 1).
func ReplaceTraffickingRecords(ctx context.Context, tx *Tx, source, layout string, rows ...TraffickingRecord) (err error) {
	defer derrors.Wrap(&err, "store.ReplaceTraffickingRecords(%q)", source)
	if err := validTraffickingSource(source); err != nil {
		return err
	}
	if !slices.Contains(TraffickingLayouts, layout) {
		return derrors.Kindf(derrors.Invalid, "layout %q is not one of %v", layout, TraffickingLayouts)
	}
	distinct, err := distinctTraffickingRows(rows)
	if err != nil {
		return err
	}
	if err := deleteTraffickingSource(ctx, tx, source); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO trafficking_sources (source, layout, records, loaded_at) VALUES (?, ?, ?, ?)`,
		source, layout, len(rows), time.Now().UTC()); err != nil {
		return classify(err)
	}
	for start := 0; start < len(distinct); start += trafBatch {
		batch := distinct[start:min(start+trafBatch, len(distinct))]
		args := make([]any, 0, len(batch)*trafCols)
		for i, r := range batch {
			args = append(args, source, start+i+1, r.records, r.year, nullIntPtr(r.from), nullIntPtr(r.to), r.gender, r.age,
				r.citizenship, r.exploitation)
			for _, m := range r.masks {
				args = append(args, incNullInt64(m))
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO trafficking_records (source, id, records, year_label, year_from, year_to, gender, age,
			citizenship, exploitation, means, exploit, labour, sex, recruiter) VALUES `+incPlaceholders(len(batch), trafCols), args...); err != nil {
			return classify(err)
		}
	}
	return bumpVersion(ctx, tx, "trafficking")
}

// distinctTraffickingRows validates the records and counts the identical
// ones, in the order first seen.
func distinctTraffickingRows(rows []TraffickingRecord) ([]*trafRow, error) {
	var out []*trafRow
	seen := map[string]*trafRow{}
	for i := range rows {
		r := &rows[i]
		from, to, masks, err := r.validate()
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i+1, err)
		}
		tr := &trafRow{year: r.Year, gender: r.Gender, age: r.Age, citizenship: r.Citizenship, exploitation: r.Exploitation,
			from: from, to: to, records: 1}
		copy(tr.masks[:], masks)
		k := tr.key()
		if prev, ok := seen[k]; ok {
			prev.records++
			continue
		}
		seen[k] = tr
		out = append(out, tr)
	}
	return out, nil
}

// DeleteTraffickingSource removes a source and its records inside tx (a
// release withdrawn); a source that does not exist is no error.
func DeleteTraffickingSource(ctx context.Context, tx *Tx, source string) (err error) {
	defer derrors.Wrap(&err, "store.DeleteTraffickingSource(%q)", source)
	if err := deleteTraffickingSource(ctx, tx, source); err != nil {
		return err
	}
	return bumpVersion(ctx, tx, "trafficking")
}

func deleteTraffickingSource(ctx context.Context, tx *Tx, source string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM trafficking_aggregates WHERE source = ?`, source); err != nil {
		return classify(err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM trafficking_records WHERE source = ?`, source); err != nil {
		return classify(err)
	}
	_, err := tx.Exec(ctx, `DELETE FROM trafficking_sources WHERE source = ?`, source)
	return classify(err)
}

func nullIntPtr(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

// TraffickingVersion is a number that changes whenever public trafficking
// records change (in this or, within the recheck interval, another
// process); answers derived from them are validated with it.
func (db *DB) TraffickingVersion(ctx context.Context) (int64, error) {
	return db.versionOf(ctx, "trafficking", func(ctx context.Context) (int64, error) {
		var v int64
		err := db.queryRow(ctx, `SELECT version FROM cache_versions WHERE name = 'trafficking'`).Scan(&v)
		return v, classify(err)
	})
}

// TraffickingSource is one loaded source of public trafficking records.
type TraffickingSource struct {
	Source   string    `json:"source"`
	Layout   string    `json:"layout"`
	Records  int64     `json:"records"` // for an aggregates release, its released total
	LoadedAt time.Time `json:"loadedAt"`
	// CombinationLength is the reporting length of an aggregates release
	// (TraffickingLayoutAggregates), 0 for record sources.
	CombinationLength int `json:"combinationLength,omitempty"`
}

// scanTraffickingSource reads source, layout, records, loaded_at and
// combination_length.
func scanTraffickingSource(r interface{ Scan(...any) error }) (TraffickingSource, error) {
	var s TraffickingSource
	var length sql.NullInt64
	err := r.Scan(&s.Source, &s.Layout, &s.Records, &s.LoadedAt, &length)
	s.CombinationLength = int(length.Int64)
	return s, err
}

// TraffickingSources lists the loaded sources, the most recently loaded
// first.
func (db *DB) TraffickingSources(ctx context.Context) (_ []TraffickingSource, err error) {
	defer derrors.Wrap(&err, "store.TraffickingSources")
	rows, err := db.query(ctx, `SELECT source, layout, records, loaded_at, combination_length FROM trafficking_sources
		ORDER BY loaded_at DESC, source`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []TraffickingSource{}
	for rows.Next() {
		s, err := scanTraffickingSource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// TraffickingFilter selects records of one source; an empty field does not
// filter. Year is a label as published ("2014-2018").
type TraffickingFilter struct {
	Source       string `json:"source"`
	Year         string `json:"year,omitempty"`
	Gender       string `json:"gender,omitempty"`
	Age          string `json:"age,omitempty"`
	Citizenship  string `json:"citizenship,omitempty"`
	Exploitation string `json:"exploitation,omitempty"`
}

// where returns the WHERE clause and its arguments.
func (f TraffickingFilter) where() (string, []any) {
	conds := []string{"source = ?"}
	args := []any{f.Source}
	for _, c := range []struct{ col, v string }{{"year_label", f.Year}, {"gender", f.Gender}, {"age", f.Age},
		{"citizenship", f.Citizenship}, {"exploitation", f.Exploitation}} {
		if c.v != "" {
			conds = append(conds, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// groupBy is the GROUP BY expression of a column. Unfiltered, the column
// itself: its index (source, column, records) answers alone. Filtered, an
// expression SQLite cannot read from that index: otherwise its planner
// walks the whole source in the column's order, looking each row up to
// test the filter, where the filter's own index reads only the rows that
// match.
func (f TraffickingFilter) groupBy(col string) string {
	if f == (TraffickingFilter{Source: f.Source}) {
		return col
	}
	return col + " || ''"
}

// TraffickingCount is the number of records with one value ("" is unknown).
type TraffickingCount struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
	// NotRecorded marks a flag the source does not record (the VP file
	// has no means of control) or, for an aggregates release, did not
	// release: Count is 0 then, and means nothing.
	NotRecorded bool `json:"notRecorded,omitempty"`
	// Withheld marks, for an aggregates release, a flag it released
	// overall but whose count under the filter is below its resolution:
	// Count is 0 then, and means nothing.
	Withheld bool `json:"withheld,omitempty"`
}

// TraffickingCorridor is the number of records from a citizenship to a
// country (or region) of exploitation.
type TraffickingCorridor struct {
	Citizenship  string `json:"citizenship"`
	Exploitation string `json:"exploitation"`
	Count        int64  `json:"count"`
}

// TraffickingGroupCounts are the counts of one flag group: Known records
// have at least one flag of the group set (CTDC's denominator); each flag
// counts the records that have it (multi-label: they may add up to more
// than Known).
type TraffickingGroupCounts struct {
	Group string `json:"group"`
	// Known is 0 for an aggregates release, which does not publish it.
	Known  int64              `json:"known"`
	Counts []TraffickingCount `json:"counts"`
	// Recorded is whether the source records (or released) any flag of
	// the group.
	Recorded bool `json:"recorded"`
}

// TraffickingSummary is every aggregate of the public dashboard over the
// records a filter selects.
type TraffickingSummary struct {
	Filter TraffickingFilter `json:"filter"`
	Layout string            `json:"layout"`
	Total  int64             `json:"total"`
	// ByYear in year order, unknown last.
	ByYear   []TraffickingCount `json:"byYear"`
	ByGender []TraffickingCount `json:"byGender"`
	ByAge    []TraffickingCount `json:"byAge"`
	// Corridors are the top pairs with both sides known, largest first.
	Corridors []TraffickingCorridor `json:"corridors"`
	// ByExploitation counts by country (or region) of exploitation,
	// largest first (the map).
	ByExploitation []TraffickingCount `json:"byExploitation"`
	// ByCitizenship counts by citizenship, largest first.
	ByCitizenship []TraffickingCount       `json:"byCitizenship"`
	Groups        []TraffickingGroupCounts `json:"groups"`
	// Of an aggregates release (Layout TraffickingLayoutAggregates), whose
	// figures are released combination counts: its reporting length; the
	// views (year, gender, age, citizenship, exploitation, corridors,
	// groups, total) the filter makes longer than it, so not available;
	// and Withheld when the filter's own combination was not released
	// (fewer records than the resolution).
	CombinationLength int      `json:"combinationLength,omitempty"`
	Unavailable       []string `json:"unavailable,omitempty"`
	Withheld          bool     `json:"withheld,omitempty"`
}

// TraffickingSourceOf returns a loaded source; the error wraps
// derrors.NotFound when it is not loaded.
func (db *DB) TraffickingSourceOf(ctx context.Context, source string) (_ TraffickingSource, err error) {
	defer derrors.Wrap(&err, "store.TraffickingSourceOf(%q)", source)
	s, err := scanTraffickingSource(db.queryRow(ctx, `SELECT source, layout, records, loaded_at, combination_length
		FROM trafficking_sources WHERE source = ?`, source))
	if err == sql.ErrNoRows {
		return s, derrors.Kindf(derrors.NotFound, "no trafficking source %q", source)
	}
	return s, classify(err)
}

// TraffickingSummary computes the dashboard's aggregates; top bounds the
// corridors. The error wraps derrors.NotFound when the filter's source is
// not loaded.
func (db *DB) TraffickingSummary(ctx context.Context, f TraffickingFilter, top int) (_ TraffickingSummary, err error) {
	defer derrors.Wrap(&err, "store.TraffickingSummary")
	src, err := db.TraffickingSourceOf(ctx, f.Source)
	if err != nil {
		return TraffickingSummary{}, err
	}
	if src.Layout == TraffickingLayoutAggregates {
		return db.traffickingAggregateSummary(ctx, f, src, top)
	}
	s := TraffickingSummary{Filter: f, Layout: src.Layout}
	if s.ByYear, err = db.traffickingByYear(ctx, f); err != nil {
		return s, err
	}
	for _, c := range s.ByYear {
		s.Total += c.Count
	}
	if s.ByGender, err = db.traffickingCounts(ctx, f, "gender"); err != nil {
		return s, err
	}
	orderBy(s.ByGender, TraffickingGenders)
	if s.ByAge, err = db.traffickingCounts(ctx, f, "age"); err != nil {
		return s, err
	}
	orderBy(s.ByAge, TraffickingAges)
	if s.ByExploitation, err = db.TraffickingByExploitation(ctx, f); err != nil {
		return s, err
	}
	if s.ByCitizenship, err = db.traffickingCounts(ctx, f, "citizenship"); err != nil {
		return s, err
	}
	byCount(s.ByCitizenship)
	if s.Corridors, err = db.traffickingCorridors(ctx, f, top); err != nil {
		return s, err
	}
	s.Groups, err = db.traffickingGroups(ctx, f, src.Layout)
	return s, err
}

// TraffickingByExploitation counts the records a filter selects by country
// (or region) of exploitation, largest first, unknown ("") included. The
// error wraps derrors.NotFound when the source is not loaded.
func (db *DB) TraffickingByExploitation(ctx context.Context, f TraffickingFilter) (_ []TraffickingCount, err error) {
	defer derrors.Wrap(&err, "store.TraffickingByExploitation")
	src, err := db.TraffickingSourceOf(ctx, f.Source)
	if err != nil {
		return nil, err
	}
	var out []TraffickingCount
	if src.Layout == TraffickingLayoutAggregates {
		q := &aggQuery{db: db, f: f, length: src.CombinationLength}
		out, err = q.counts(ctx, "exploitation", "exploitation")
	} else {
		out, err = db.traffickingCounts(ctx, f, "exploitation")
	}
	byCount(out)
	return out, err
}

// byCount sorts counts largest first, then by key.
func byCount(cs []TraffickingCount) {
	slices.SortStableFunc(cs, func(a, b TraffickingCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Key, b.Key))
	})
}

// traffickingCounts groups by one column (a constant of this file).
func (db *DB) traffickingCounts(ctx context.Context, f TraffickingFilter, col string) ([]TraffickingCount, error) {
	where, args := f.where()
	g := f.groupBy(col)
	rows, err := db.query(ctx, `SELECT `+g+`, SUM(records) FROM trafficking_records`+where+` GROUP BY `+g, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []TraffickingCount{}
	for rows.Next() {
		var c TraffickingCount
		if err := rows.Scan(&c.Key, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// orderBy sorts counts in the order of a value set, unknown last.
func orderBy(cs []TraffickingCount, order []string) {
	rank := func(k string) int {
		if k == "" {
			return len(order) + 1
		}
		if i := slices.Index(order, k); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(cs, func(a, b TraffickingCount) int { return cmp.Compare(rank(a.Key), rank(b.Key)) })
}

// traffickingByYear counts by year label, in year order (ranges by their
// first year), unknown last.
func (db *DB) traffickingByYear(ctx context.Context, f TraffickingFilter) ([]TraffickingCount, error) {
	out, err := db.traffickingCounts(ctx, f, "year_label")
	sortYears(out)
	return out, err
}

// sortYears sorts counts by year label in year order (ranges by their
// first year), unknown last.
func sortYears(out []TraffickingCount) {
	first := func(label string) int {
		if from, _, err := ParseTraffickingYear(label); err == nil {
			return from
		}
		return math.MaxInt // unknown last
	}
	slices.SortFunc(out, func(a, b TraffickingCount) int {
		return cmp.Or(cmp.Compare(first(a.Key), first(b.Key)), cmp.Compare(a.Key, b.Key))
	})
}

func (db *DB) traffickingCorridors(ctx context.Context, f TraffickingFilter, top int) ([]TraffickingCorridor, error) {
	where, args := f.where()
	c, e := f.groupBy("citizenship"), f.groupBy("exploitation")
	rows, err := db.query(ctx, `SELECT `+c+`, `+e+`, SUM(records) AS n FROM trafficking_records`+where+
		` AND citizenship <> '' AND exploitation <> '' GROUP BY `+c+`, `+e+`
		ORDER BY n DESC, 1, 2 LIMIT ?`, append(args, max(top, 1))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []TraffickingCorridor{}
	for rows.Next() {
		var c TraffickingCorridor
		if err := rows.Scan(&c.Citizenship, &c.Exploitation, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// traffickingGroups counts every flag of every group in one scan: a flag
// is a bit of its group's column, a NULL column an unknown group.
func (db *DB) traffickingGroups(ctx context.Context, f TraffickingFilter, layout string) ([]TraffickingGroupCounts, error) {
	var sel []string
	for _, g := range TraffickingGroups {
		sel = append(sel, fmt.Sprintf("COALESCE(SUM(CASE WHEN %s IS NOT NULL THEN records ELSE 0 END), 0)", g.column))
		for bit := range g.Flags {
			sel = append(sel, fmt.Sprintf("COALESCE(SUM(CASE WHEN (%s & %d) <> 0 THEN records ELSE 0 END), 0)", g.column, 1<<bit))
		}
	}
	where, args := f.where()
	vals := make([]int64, len(sel))
	dest := make([]any, len(sel))
	for i := range vals {
		dest[i] = &vals[i]
	}
	if err := db.queryRow(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM trafficking_records`+where, args...).Scan(dest...); err != nil {
		return nil, classify(err)
	}
	out := make([]TraffickingGroupCounts, 0, len(TraffickingGroups))
	i := 0
	for _, g := range TraffickingGroups {
		gc := TraffickingGroupCounts{Group: g.Name, Known: vals[i], Counts: make([]TraffickingCount, len(g.Flags))}
		i++
		for j, fl := range g.Flags {
			rec := traffickingRecorded(layout, g.Name, fl)
			gc.Counts[j] = TraffickingCount{Key: fl, Count: vals[i], NotRecorded: !rec}
			gc.Recorded = gc.Recorded || rec
			i++
		}
		out = append(out, gc)
	}
	return out, nil
}

// TraffickingHasPlace reports whether a source has a record (or a
// released count) with code as citizenship or country of exploitation.
func (db *DB) TraffickingHasPlace(ctx context.Context, source, code string) (_ bool, err error) {
	defer derrors.Wrap(&err, "store.TraffickingHasPlace(%q, %q)", source, code)
	var n int
	err = db.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM (SELECT 1 FROM trafficking_records WHERE source = ? AND (citizenship = ? OR exploitation = ?) LIMIT 1) r) +
		(SELECT COUNT(*) FROM (SELECT 1 FROM trafficking_aggregates WHERE source = ? AND (citizenship = ? OR exploitation = ?) LIMIT 1) a)`,
		source, code, code, source, code, code).Scan(&n)
	return n > 0, classify(err)
}
