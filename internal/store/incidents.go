package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Incident is one IOM Missing Migrants Project incident as published. Nil
// numbers are unknown (an empty cell), never zero. Lists hold the values of
// a multi-valued cell in source order.
type Incident struct {
	ID                int64            `json:"id"`        // position in the imported file, from 1 (set by the writer)
	SourceRow         int              `json:"sourceRow"` // row in the source file
	IncidentID        string           `json:"incidentId"`
	MainID            string           `json:"mainId"`
	Types             []string         `json:"incidentType"`
	Date              string           `json:"date,omitempty"` // YYYY-MM-DD; "" when unknown
	Year              *int             `json:"year"`
	Month             *int             `json:"month"`
	ReportedDate      string           `json:"reportedDate,omitempty"`
	Latitude          *float64         `json:"latitude"`
	Longitude         *float64         `json:"longitude"`
	Location          string           `json:"location"`
	Regions           []string         `json:"regionOfIncident"`
	Routes            []string         `json:"migrationRoute"`
	CountryCode       string           `json:"countryOfIncident"` // area code; "" when empty or no area
	CountryText       string           `json:"countryOfIncidentText"`
	Dead              *int64           `json:"dead"`
	Missing           *int64           `json:"missing"`
	DeadAndMissing    *int64           `json:"deadAndMissing"`
	Survivors         *int64           `json:"survivors"`
	Females           *int64           `json:"females"`
	Males             *int64           `json:"males"`
	Children          *int64           `json:"children"`
	Causes            []string         `json:"causeOfDeath"`
	Origins           []IncidentOrigin `json:"countriesOfOrigin"`
	OriginText        string           `json:"countryOfOriginText"`
	RegionsOfOrigin   []string         `json:"regionOfOrigin"`
	UNSDGroupings     []string         `json:"unsdGrouping"`
	InformationSource string           `json:"informationSource"`
	URLs              []string         `json:"url"`
	SourceQuality     []string         `json:"sourceQuality"`
}

// IncidentOrigin is one listed country of origin: AreaCode is "" when the
// name is no area ("Unknown", "Mixed").
type IncidentOrigin struct {
	AreaCode string `json:"area,omitempty"`
	Name     string `json:"name"`
}

// Incident value fields (incident_values.field): the multi-valued cells
// totals are filtered and grouped by.
const (
	IncidentFieldRegion = "region"
	IncidentFieldRoute  = "route"
	IncidentFieldCause  = "cause"
)

// valueLists returns the filterable multi-valued fields.
func (in *Incident) valueLists() [3]incidentList {
	return [3]incidentList{{IncidentFieldRegion, in.Regions}, {IncidentFieldRoute, in.Routes}, {IncidentFieldCause, in.Causes}}
}

type incidentList struct {
	field  string
	values []string
}

// validate checks what the schema relies on.
func (in *Incident) validate() error {
	bad := func(format string, args ...any) error {
		return derrors.Kindf(derrors.Invalid, "incident %q (row %d): %s", in.IncidentID, in.SourceRow, fmt.Sprintf(format, args...))
	}
	if in.Month != nil && (*in.Month < 1 || *in.Month > 12) {
		return bad("month %d is not 1..12", *in.Month)
	}
	if in.Latitude != nil && (*in.Latitude < -90 || *in.Latitude > 90) {
		return bad("latitude %g is out of range", *in.Latitude)
	}
	if in.Longitude != nil && (*in.Longitude < -180 || *in.Longitude > 180) {
		return bad("longitude %g is out of range", *in.Longitude)
	}
	for _, l := range []incidentList{{"incident type", in.Types}, {"region", in.Regions}, {"route", in.Routes}, {"cause of death", in.Causes},
		{"region of origin", in.RegionsOfOrigin}, {"UNSD grouping", in.UNSDGroupings}, {"URL", in.URLs}, {"source quality", in.SourceQuality}} {
		for _, v := range l.values {
			if v == "" || strings.Contains(v, "|") {
				return bad("%s value %q is empty or holds '|'", l.field, v)
			}
		}
	}
	return nil
}

// IncidentWriter writes incidents in multi-row batches inside a
// transaction; see ReplaceIncidents.
type IncidentWriter struct {
	ctx    context.Context
	tx     *Tx
	batch  []Incident
	n      int64
	values []incidentValue // written at Close, in primary-key order
}

type incidentValue struct {
	field, value       string
	incident, position int64
}

const (
	incidentCols  = 30
	incidentBatch = 100 // × 30 parameters
)

// ReplaceIncidents deletes every stored incident inside tx and returns a
// writer for the new ones: the replacement is atomic with the transaction.
func ReplaceIncidents(ctx context.Context, tx *Tx) (_ *IncidentWriter, err error) {
	defer derrors.Wrap(&err, "store.ReplaceIncidents")
	for _, t := range []string{"incident_values", "incident_origins", "incidents"} {
		if _, err := tx.Exec(ctx, `DELETE FROM `+t); err != nil {
			return nil, classify(err)
		}
	}
	return &IncidentWriter{ctx: ctx, tx: tx, batch: make([]Incident, 0, incidentBatch)}, nil
}

// Add validates an incident, numbers it and queues it; a full batch is
// written.
func (w *IncidentWriter) Add(in Incident) error {
	if err := in.validate(); err != nil {
		return err
	}
	in.ID = w.n + int64(len(w.batch)) + 1
	w.batch = append(w.batch, in)
	if len(w.batch) == incidentBatch {
		return w.flush()
	}
	return nil
}

func incPlaceholders(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
}

func incNullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func incNullInt(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

func incNullInt64(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func incNullFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func incJoin(l []string) string { return strings.Join(l, "|") }

func (w *IncidentWriter) flush() (err error) {
	if len(w.batch) == 0 {
		return nil
	}
	defer derrors.Wrap(&err, "store.IncidentWriter")
	args := make([]any, 0, len(w.batch)*incidentCols)
	var origins []any
	for i := range w.batch {
		in := &w.batch[i]
		args = append(args, in.ID, in.SourceRow, in.IncidentID, in.MainID, incJoin(in.Types), incNullStr(in.Date),
			incNullInt(in.Year), incNullInt(in.Month), incNullStr(in.ReportedDate), incNullFloat(in.Latitude), incNullFloat(in.Longitude),
			in.Location, incJoin(in.Regions), incJoin(in.Routes), in.CountryCode, in.CountryText,
			incNullInt64(in.Dead), incNullInt64(in.Missing), incNullInt64(in.DeadAndMissing), incNullInt64(in.Survivors),
			incNullInt64(in.Females), incNullInt64(in.Males), incNullInt64(in.Children), incJoin(in.Causes), in.OriginText,
			incJoin(in.RegionsOfOrigin), incJoin(in.UNSDGroupings), in.InformationSource, incJoin(in.URLs),
			incJoin(in.SourceQuality))
		for p, o := range in.Origins {
			origins = append(origins, in.ID, p+1, o.AreaCode, o.Name)
		}
		for _, l := range in.valueLists() {
			for p, v := range l.values {
				w.values = append(w.values, incidentValue{l.field, v, in.ID, int64(p + 1)})
			}
		}
	}
	if _, err := w.tx.Exec(w.ctx, `INSERT INTO incidents (id, source_row, incident_id, main_id, incident_type, incident_date,
		year, month, reported_date, latitude, longitude, location, region, route, country_code, country_text,
		dead, missing, dead_and_missing, survivors, females, males, children, cause_of_death, origin_text,
		region_of_origin, unsd_grouping, information_source, url, source_quality) VALUES `+incPlaceholders(len(w.batch), incidentCols), args...); err != nil {
		return classify(err)
	}
	if err := w.insertChunks(`INSERT INTO incident_origins (incident, position, area_code, name) VALUES `, origins, 4); err != nil {
		return err
	}
	w.n += int64(len(w.batch))
	w.batch = w.batch[:0]
	return nil
}

// insertChunks inserts args (cols per row) in statements of at most 500
// rows.
func (w *IncidentWriter) insertChunks(prefix string, args []any, cols int) error {
	const maxRows = 500
	for len(args) > 0 {
		rows := min(len(args)/cols, maxRows)
		if _, err := w.tx.Exec(w.ctx, prefix+incPlaceholders(rows, cols), args[:rows*cols]...); err != nil {
			return classify(err)
		}
		args = args[rows*cols:]
	}
	return nil
}

// Close writes what is queued and returns the number of incidents written.
func (w *IncidentWriter) Close() (_ int64, err error) {
	if err := w.flush(); err != nil {
		return w.n, err
	}
	defer derrors.Wrap(&err, "store.IncidentWriter")
	// In index order: appending is much faster than inserting at random.
	slices.SortFunc(w.values, func(a, b incidentValue) int {
		return cmp.Or(cmp.Compare(a.field, b.field), cmp.Compare(a.value, b.value), cmp.Compare(a.incident, b.incident), cmp.Compare(a.position, b.position))
	})
	args := make([]any, 0, len(w.values)*4)
	for _, v := range w.values {
		args = append(args, v.field, v.value, v.incident, v.position)
	}
	w.values = nil
	return w.n, w.insertChunks(`INSERT INTO incident_values (field, value, incident, position) VALUES `, args, 4)
}

// IncidentFilter selects incidents. Zero fields select everything.
type IncidentFilter struct {
	Year              int    // incident year; 0 = any
	Region            string // a Region of Incident value as published ("Mediterranean"); incidents listing several regions match each
	CountryOfIncident string // area code ("LBY")
	Route             string // a Migration Route value as published ("Central Mediterranean")
	Origin            string // area code of a listed country of origin
	Cause             string // a Cause of Death value as published ("Drowning")
	// Aggregate is an M49 aggregate code ("002" Africa, "015" Northern
	// Africa, an SDG region): the incidents whose country of incident is
	// one of its member countries in the reference geography (the store's
	// geo). Unlike IOM's Region of Incident it holds no sea: an incident
	// without a country of incident is in no aggregate.
	Aggregate string

	members  []string // the aggregate's member countries, resolved by resolve
	resolved bool
}

// resolveIncidentFilter looks up the members of the filter's aggregate in the reference
// geography.
func (db *DB) resolveIncidentFilter(ctx context.Context, f IncidentFilter) (IncidentFilter, error) {
	if f.Aggregate == "" || f.resolved {
		return f, nil
	}
	a, err := db.Geo().Area(ctx, f.Aggregate)
	if err != nil {
		return f, err
	}
	if a.IsCountry() || len(a.Members) == 0 {
		return f, derrors.Kindf(derrors.Invalid, "area %q is no M49 aggregate with member countries", f.Aggregate)
	}
	f.members, f.resolved = a.Members, true
	return f, nil
}

func (f IncidentFilter) conds() ([]string, []any) {
	var conds []string
	var args []any
	if f.Aggregate != "" {
		if len(f.members) == 0 {
			// Unresolved (or empty): select nothing rather than everything.
			conds = append(conds, "1 = 0")
		} else {
			conds = append(conds, "i.country_code IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.members)), ",")+")")
			for _, m := range f.members {
				args = append(args, m)
			}
		}
	}
	if f.Year != 0 {
		conds = append(conds, "i.year = ?")
		args = append(args, f.Year)
	}
	if f.Region != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM incident_values v WHERE v.field = 'region' AND v.value = ? AND v.incident = i.id)")
		args = append(args, f.Region)
	}
	if f.Route != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM incident_values v WHERE v.field = 'route' AND v.value = ? AND v.incident = i.id)")
		args = append(args, f.Route)
	}
	if f.Cause != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM incident_values v WHERE v.field = 'cause' AND v.value = ? AND v.incident = i.id)")
		args = append(args, f.Cause)
	}
	if f.CountryOfIncident != "" {
		conds = append(conds, "i.country_code = ?")
		args = append(args, f.CountryOfIncident)
	}
	if f.Origin != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM incident_origins o WHERE o.incident = i.id AND o.area_code = ?)")
		args = append(args, f.Origin)
	}
	return conds, args
}

func (f IncidentFilter) where() (string, []any) {
	conds, args := f.conds()
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// IncidentTotal sums the incidents of one group. Unknown numbers count as
// nothing in the sums; DeadAndMissing is the sum of the published totals.
type IncidentTotal struct {
	Key            string `json:"key"` // year or region; "" for incidents without one
	Dead           int64  `json:"dead"`
	Missing        int64  `json:"missing"`
	DeadAndMissing int64  `json:"deadAndMissing"`
	Incidents      int    `json:"incidents"`
}

const incidentSums = `COALESCE(SUM(i.dead), 0), COALESCE(SUM(i.missing), 0), COALESCE(SUM(i.dead_and_missing), 0), COUNT(*)`

// IncidentTotals returns the dead and missing of the selected incidents and
// how many incidents there are (SDG 10.7.3).
func (db *DB) IncidentTotals(ctx context.Context, f IncidentFilter) (dead, missing int64, n int, err error) {
	defer derrors.Wrap(&err, "store.IncidentTotals")
	if f, err = db.resolveIncidentFilter(ctx, f); err != nil {
		return 0, 0, 0, err
	}
	where, args := f.where()
	var total int64
	err = db.queryRow(ctx, `SELECT `+incidentSums+` FROM incidents i`+where, args...).Scan(&dead, &missing, &total, &n)
	return dead, missing, n, classify(err)
}

// IncidentTotalsByYear returns the totals of the selected incidents by
// incident year, in year order; incidents without a year come first, with
// Key "".
func (db *DB) IncidentTotalsByYear(ctx context.Context, f IncidentFilter) (_ []IncidentTotal, err error) {
	defer derrors.Wrap(&err, "store.IncidentTotalsByYear")
	if f, err = db.resolveIncidentFilter(ctx, f); err != nil {
		return nil, err
	}
	where, args := f.where()
	rows, err := db.query(ctx, `SELECT i.year, `+incidentSums+` FROM incidents i`+where+` GROUP BY i.year ORDER BY i.year`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []IncidentTotal{}
	for rows.Next() {
		var y sql.NullInt64
		var t IncidentTotal
		if err := rows.Scan(&y, &t.Dead, &t.Missing, &t.DeadAndMissing, &t.Incidents); err != nil {
			return nil, err
		}
		if y.Valid {
			t.Key = strconv.FormatInt(y.Int64, 10)
		}
		out = append(out, t)
	}
	// NULL sorts first in SQLite and last in PostgreSQL: put it first.
	if n := len(out); n > 1 && out[n-1].Key == "" {
		out = append(out[n-1:], out[:n-1]...)
	}
	return out, rows.Err()
}

// IncidentTotalsByRegion returns the totals of the selected incidents by
// Region of Incident, ordered by region. An incident listing several
// regions counts in each of them (three incidents in the shipped file), so
// the regions may add up to more than the world.
func (db *DB) IncidentTotalsByRegion(ctx context.Context, f IncidentFilter) (_ []IncidentTotal, err error) {
	defer derrors.Wrap(&err, "store.IncidentTotalsByRegion")
	if f, err = db.resolveIncidentFilter(ctx, f); err != nil {
		return nil, err
	}
	conds, args := f.conds()
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := db.query(ctx, `SELECT r.value, `+incidentSums+` FROM incidents i JOIN incident_values r ON r.incident = i.id AND r.field = 'region'`+
		where+` GROUP BY r.value ORDER BY r.value`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []IncidentTotal{}
	for rows.Next() {
		var t IncidentTotal
		if err := rows.Scan(&t.Key, &t.Dead, &t.Missing, &t.DeadAndMissing, &t.Incidents); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// IncidentValues returns the distinct values of a multi-valued field
// (IncidentFieldRegion, …) with the number of incidents listing each,
// ordered by value.
func (db *DB) IncidentValues(ctx context.Context, field string) (_ map[string]int, err error) {
	defer derrors.Wrap(&err, "store.IncidentValues(%q)", field)
	rows, err := db.query(ctx, `SELECT value, COUNT(*) FROM incident_values WHERE field = ? GROUP BY value`, field)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var v string
		var n int
		if err := rows.Scan(&v, &n); err != nil {
			return nil, err
		}
		out[v] = n
	}
	return out, rows.Err()
}

func incSplit(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// Incidents lists the selected incidents in file order.
func (db *DB) Incidents(ctx context.Context, f IncidentFilter, limit, offset int) (_ []Incident, err error) {
	defer derrors.Wrap(&err, "store.Incidents")
	if limit < 1 || limit > MaxPageSize {
		return nil, derrors.Kindf(derrors.Invalid, "limit must be between 1 and %d", MaxPageSize)
	}
	if offset < 0 {
		return nil, derrors.Kindf(derrors.Invalid, "offset must not be negative")
	}
	if f, err = db.resolveIncidentFilter(ctx, f); err != nil {
		return nil, err
	}
	where, args := f.where()
	rows, err := db.query(ctx, `SELECT i.id, i.source_row, i.incident_id, i.main_id, i.incident_type, i.incident_date, i.year, i.month,
		i.reported_date, i.latitude, i.longitude, i.location, i.region, i.route, i.country_code, i.country_text,
		i.dead, i.missing, i.dead_and_missing, i.survivors, i.females, i.males, i.children, i.cause_of_death,
		i.origin_text, i.region_of_origin, i.unsd_grouping, i.information_source, i.url, i.source_quality
		FROM incidents i`+where+` ORDER BY i.id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	out := []Incident{}
	index := map[int64]int{}
	for rows.Next() {
		var in Incident
		var types, regions, routes, causes, rorigin, unsd, urls, quality string
		var date, reported sql.NullString
		var year, month, dead, missing, dm, surv, fem, male, child sql.NullInt64
		var lat, lon sql.NullFloat64
		if err := rows.Scan(&in.ID, &in.SourceRow, &in.IncidentID, &in.MainID, &types, &date, &year, &month, &reported,
			&lat, &lon, &in.Location, &regions, &routes, &in.CountryCode, &in.CountryText, &dead, &missing, &dm, &surv,
			&fem, &male, &child, &causes, &in.OriginText, &rorigin, &unsd, &in.InformationSource, &urls, &quality); err != nil {
			rows.Close()
			return nil, err
		}
		in.Date, in.ReportedDate = date.String, reported.String
		in.Types, in.Regions, in.Routes, in.Causes = incSplit(types), incSplit(regions), incSplit(routes), incSplit(causes)
		in.RegionsOfOrigin, in.UNSDGroupings, in.URLs, in.SourceQuality = incSplit(rorigin), incSplit(unsd), incSplit(urls), incSplit(quality)
		in.Year, in.Month = incIntPtr(year), incIntPtr(month)
		in.Dead, in.Missing, in.DeadAndMissing, in.Survivors = incInt64Ptr(dead), incInt64Ptr(missing), incInt64Ptr(dm), incInt64Ptr(surv)
		in.Females, in.Males, in.Children = incInt64Ptr(fem), incInt64Ptr(male), incInt64Ptr(child)
		if lat.Valid {
			in.Latitude = &lat.Float64
		}
		if lon.Valid {
			in.Longitude = &lon.Float64
		}
		index[in.ID] = len(out)
		out = append(out, in)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	orows, err := db.query(ctx, `SELECT incident, area_code, name FROM incident_origins WHERE incident BETWEEN ? AND ? ORDER BY incident, position`,
		out[0].ID, out[len(out)-1].ID)
	if err != nil {
		return nil, err
	}
	defer orows.Close()
	for orows.Next() {
		var id int64
		var o IncidentOrigin
		if err := orows.Scan(&id, &o.AreaCode, &o.Name); err != nil {
			return nil, err
		}
		if i, ok := index[id]; ok {
			out[i].Origins = append(out[i].Origins, o)
		}
	}
	return out, orows.Err()
}

func incIntPtr(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	i := int(v.Int64)
	return &i
}

func incInt64Ptr(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}
