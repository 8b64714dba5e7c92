package api

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// Public counter-trafficking statistics: aggregates of the public
// trafficking records only (published de-identified releases and imported
// CTDC files, store.TraffickingRecord). Nothing here reads the case
// tables, and no answer holds a record: only counts.

// CTDC's terms and the citation it asks for (PROVENANCE.md), shown with
// every answer built from an imported CTDC file.
const (
	CTDCCitation = "Source: Counter-Trafficking Data Collaborative (CTDC). Available at: https://www.ctdatacollaborative.org/"
	CTDCTerms    = "CTDC Terms of Use: https://www.ctdatacollaborative.org/page/terms-use — synthetic (differentially private / " +
		"k-anonymous) records, not real victim records; do not re-host them and do not try to re-identify anyone."
	CTDCDownload = "https://www.ctdatacollaborative.org/dataset/global-synthetic-data-and-resources"
)

// TraffickingTop is how many corridors a summary lists by default, and
// TraffickingMaxTop the most it may ask for.
const (
	TraffickingTop    = 20
	TraffickingMaxTop = 200
)

func (a *API) registerTrafficking(r *web.Router) {
	h := func(f http.HandlerFunc) http.Handler { return a.traffickingCache().Wrap(f) }
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/trafficking", Resource: "trafficking", Action: web.ActionRead, Public: true,
		Summary: "Public counter-trafficking statistics: the loaded sources (published releases, imported CTDC files) and their record counts",
		Handler: h(a.traffickingSources)})
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/trafficking/summary", Resource: "trafficking", Action: web.ActionRead, Public: true,
		Summary: "Counter-trafficking aggregates of one source (by year, corridor, exploitation, labour, means of control, age, gender); format=csv",
		Handler: h(a.traffickingSummary)})
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/trafficking/map", Resource: "trafficking", Action: web.ActionRead, Public: true,
		Summary: "Counter-trafficking records of one source by country (or region) of exploitation; format=csv",
		Handler: h(a.traffickingMap)})
}

// traffickingCache validates the trafficking answers with the trafficking
// records' own version, in a memo of their own: sharing the data routes'
// memo under another token would empty it at every alternation.
func (a *API) traffickingCache() Cache {
	if a.db == nil {
		return Cache{}
	}
	return Cache{
		Token: func(ctx context.Context) (string, error) {
			v, err := a.db.TraffickingVersion(ctx)
			return a.version + "/t" + strconv.FormatInt(v, 10), err
		},
		Key:  func(r *http.Request) (string, bool) { return "accept=" + r.Header.Get("Accept"), true },
		Vary: "Accept",
		Memo: a.trafMemo,
	}
}

// TraffickingSources is the answer of /api/v1/trafficking.
type TraffickingSources struct {
	// Sources are listed each with its own records; there is no grand
	// total, as sources overlap (releases of the same caseload, a CTDC
	// file imported under two names).
	Sources  []store.TraffickingSource `json:"sources"`
	Groups   map[string][]string       `json:"groups"` // the flags of each group, in order
	Citation string                    `json:"citation"`
	Terms    string                    `json:"terms"`
	Download string                    `json:"download"`
}

func (a *API) traffickingSources(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).done(); err != nil {
		a.problem(w, r, err)
		return
	}
	srcs, err := a.db.TraffickingSources(r.Context())
	if err != nil {
		a.problem(w, r, err)
		return
	}
	out := TraffickingSources{Sources: srcs, Groups: map[string][]string{}, Citation: CTDCCitation, Terms: CTDCTerms, Download: CTDCDownload}
	for _, g := range store.TraffickingGroups {
		out.Groups[g.Name] = g.Flags
	}
	web.WriteJSON(w, http.StatusOK, out)
}

// TraffickingFilterParams are the query parameters of a filter.
var TraffickingFilterParams = []string{"source", "year", "gender", "age", "citizenship", "exploitation"}

// ParseTraffickingFilter reads a filter from query parameters and checks
// each against its value set; an empty source is the most recently
// loaded. It returns the loaded sources too. A bad value is a
// *web.ParamError naming the parameter; no source loaded at all wraps
// derrors.NotFound.
func ParseTraffickingFilter(ctx context.Context, db *store.DB, q url.Values) (store.TraffickingFilter, []store.TraffickingSource, error) {
	f := store.TraffickingFilter{Source: q.Get("source"), Year: q.Get("year"), Gender: q.Get("gender"), Age: q.Get("age"),
		Citizenship: geo.NormalizeCode(q.Get("citizenship")), Exploitation: geo.NormalizeCode(q.Get("exploitation"))}
	// Regions keep their published spelling.
	for _, p := range []*string{&f.Citizenship, &f.Exploitation} {
		if i := slices.IndexFunc(store.TraffickingRegions, func(r string) bool { return strings.EqualFold(r, *p) }); i >= 0 {
			*p = store.TraffickingRegions[i]
		}
	}
	switch {
	case f.Year != "":
		if _, _, err := store.ParseTraffickingYear(f.Year); err != nil {
			return f, nil, &web.ParamError{Param: "year", Reason: "a year or range as published (YYYY or YYYY-YYYY, e.g. 2014-2018)"}
		}
	}
	if f.Gender != "" && !slices.Contains(store.TraffickingGenders, f.Gender) {
		return f, nil, &web.ParamError{Param: "gender", Reason: "one of " + strings.Join(store.TraffickingGenders, ", ")}
	}
	if f.Age != "" && !slices.Contains(store.TraffickingAges, f.Age) {
		return f, nil, &web.ParamError{Param: "age", Reason: "one of " + strings.Join(store.TraffickingAges, ", ")}
	}
	for _, p := range []struct{ name, v string }{{"citizenship", f.Citizenship}, {"exploitation", f.Exploitation}} {
		if p.v != "" && !store.ValidTraffickingPlace(p.v) {
			return f, nil, &web.ParamError{Param: p.name, Reason: "an ISO 3166-1 alpha-3 code or one of " + strings.Join(store.TraffickingRegions, ", ")}
		}
	}
	srcs, err := db.TraffickingSources(ctx)
	if err != nil {
		return f, nil, err
	}
	if f.Source == "" {
		if len(srcs) == 0 {
			return f, srcs, derrors.Kindf(derrors.NotFound, "no counter-trafficking data is loaded: import a CTDC file "+
				"(corridor import ctdc FILE; download from %s) or publish a release", CTDCDownload)
		}
		// The default is the largest source, not the newest: a small test
		// import must not replace the CTDC file on the public page.
		f.Source = slices.MaxFunc(srcs, func(a, b store.TraffickingSource) int { return cmp.Compare(a.Records, b.Records) }).Source
	} else if !slices.ContainsFunc(srcs, func(s store.TraffickingSource) bool { return s.Source == f.Source }) {
		names := make([]string, len(srcs))
		for i, s := range srcs {
			names[i] = s.Source
		}
		return f, srcs, &web.ParamError{Param: "source", Reason: "no source " + strconv.Quote(f.Source) + " is loaded (loaded: " + strings.Join(names, ", ") + ")"}
	}
	for _, p := range []struct{ name, v string }{{"citizenship", f.Citizenship}, {"exploitation", f.Exploitation}} {
		if err := checkTraffickingCountry(ctx, db, f.Source, p.name, p.v); err != nil {
			return f, srcs, err
		}
	}
	return f, srcs, nil
}

// checkTraffickingCountry refuses a well-formed country code (ZZZ) that
// is neither in the reference geography nor in the source: a mistake,
// not a filter with no records.
func checkTraffickingCountry(ctx context.Context, db *store.DB, source, param, code string) error {
	if code == "" || slices.Contains(store.TraffickingRegions, code) {
		return nil
	}
	_, err := db.Geo().Area(ctx, code)
	if err == nil || !(errors.Is(err, derrors.NotFound) || errors.Is(err, derrors.Invalid)) {
		return err
	}
	if ok, err := db.TraffickingHasPlace(ctx, source, code); err != nil || ok {
		return err
	}
	return &web.ParamError{Param: param, Reason: strconv.Quote(code) + " is neither a country of the reference geography nor a place in " + source}
}

// readTraffickingQuery reads the filter, the format and, when top is not
// nil, the number of corridors.
func (a *API) readTraffickingQuery(r *http.Request, top *int) (store.TraffickingFilter, string, error) {
	q := newQuery(r)
	for _, p := range TraffickingFilterParams {
		q.str(p, 200)
	}
	format := q.str("format", 8)
	if top != nil {
		*top = q.intRange("top", TraffickingTop, 1, TraffickingMaxTop)
	}
	if err := q.done(); err != nil {
		return store.TraffickingFilter{}, "", err
	}
	if format != "" && format != formatJSON && format != formatCSV {
		return store.TraffickingFilter{}, "", &web.ParamError{Param: "format", Reason: "json or csv"}
	}
	f, _, err := ParseTraffickingFilter(r.Context(), a.db, r.URL.Query())
	return f, dataFormat(r, format), err
}

// TraffickingSummaryAnswer is the answer of /api/v1/trafficking/summary.
type TraffickingSummaryAnswer struct {
	store.TraffickingSummary
	// Total shadows the summary's: null when the filtered combination of
	// an aggregates release is withheld (its count is not published, so
	// never 0).
	Total    *int64 `json:"total"`
	Citation string `json:"citation"`
	Terms    string `json:"terms"`
}

// NewTraffickingSummaryAnswer is the answer of a summary.
func NewTraffickingSummaryAnswer(s store.TraffickingSummary) TraffickingSummaryAnswer {
	a := TraffickingSummaryAnswer{TraffickingSummary: s, Citation: CTDCCitation, Terms: CTDCTerms}
	if !s.Withheld {
		a.Total = &s.Total
	}
	return a
}

func (a *API) traffickingSummary(w http.ResponseWriter, r *http.Request) {
	var top int
	f, format, err := a.readTraffickingQuery(r, &top)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	s, err := a.db.TraffickingSummary(r.Context(), f, top)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	addVary(w.Header(), "Accept")
	if format == formatCSV {
		WriteTraffickingSummaryCSV(w, s)
		return
	}
	web.WriteJSON(w, http.StatusOK, NewTraffickingSummaryAnswer(s))
}

// TraffickingSummaryColumns are the columns of the summary CSV: one row
// per figure; table names the aggregate, key its value ("" unknown), to
// the country of exploitation of a corridor, known a flag group's
// denominator (empty for an aggregates release), note "withheld" for a
// figure an aggregates release does not publish under the filter (its
// count is empty, never 0). Flags the source does not record have no row.
var TraffickingSummaryColumns = []string{"source", "table", "key", "to", "count", "known", "note"}

// WriteTraffickingSummaryCSV writes a summary as CSV.
func WriteTraffickingSummaryCSV(w http.ResponseWriter, s store.TraffickingSummary) {
	cw := csvDownload(w, `trafficking-summary.csv`)
	cw.Write(TraffickingSummaryColumns)
	src := csvSafe(s.Filter.Source)
	row := func(table, key, to string, n int64, known string) {
		cw.Write([]string{src, table, csvSafe(key), csvSafe(to), strconv.FormatInt(n, 10), known, ""})
	}
	withheld := func(table, key string) { cw.Write([]string{src, table, csvSafe(key), "", "", "", "withheld"}) }
	if s.Withheld {
		withheld("total", "")
	} else {
		row("total", "", "", s.Total, "")
	}
	for _, t := range []struct {
		name string
		cs   []store.TraffickingCount
	}{{"year", s.ByYear}, {"gender", s.ByGender}, {"age", s.ByAge}, {"exploitation_country", s.ByExploitation},
		{"citizenship", s.ByCitizenship}} {
		for _, c := range t.cs {
			row(t.name, c.Key, "", c.Count, "")
		}
	}
	for _, c := range s.Corridors {
		row("corridor", c.Citizenship, c.Exploitation, c.Count, "")
	}
	known := func(g store.TraffickingGroupCounts) string {
		if s.Layout == store.TraffickingLayoutAggregates {
			return "" // an aggregates release does not publish it
		}
		return strconv.FormatInt(g.Known, 10)
	}
	for _, g := range s.Groups {
		for _, c := range g.Counts {
			switch {
			case c.NotRecorded: // a flag the source does not record has no count, not 0
			case c.Withheld:
				withheld(g.Group, c.Key)
			default:
				row(g.Group, c.Key, "", c.Count, known(g))
			}
		}
	}
	cw.Flush()
}

// TraffickingMapRow is one place of exploitation: Kind is country (an
// ISO3 code the map can draw), region (a UN region as published) or
// unknown (Place "").
type TraffickingMapRow struct {
	Place string `json:"place"`
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Count int64  `json:"count"`
}

// TraffickingMap is the answer of /api/v1/trafficking/map.
type TraffickingMap struct {
	Filter   store.TraffickingFilter `json:"filter"`
	Rows     []TraffickingMapRow     `json:"rows"`
	Citation string                  `json:"citation"`
}

// BuildTraffickingMap counts a filter's records by country of
// exploitation, with the countries' names from the reference geography.
// The error wraps derrors.NotFound when the source is not loaded.
func BuildTraffickingMap(ctx context.Context, db *store.DB, g geo.Store, f store.TraffickingFilter) (TraffickingMap, error) {
	m := TraffickingMap{Filter: f, Rows: []TraffickingMapRow{}, Citation: CTDCCitation}
	cs, err := db.TraffickingByExploitation(ctx, f)
	if err != nil {
		return m, err
	}
	for _, c := range cs {
		row := TraffickingMapRow{Place: c.Key, Name: c.Key, Kind: "region", Count: c.Count}
		switch {
		case c.Key == "":
			row.Kind = "unknown"
		case !slices.Contains(store.TraffickingRegions, c.Key):
			row.Kind = "country"
			if a, err := g.Area(ctx, c.Key); err == nil {
				row.Name = a.Name
			} else if !errors.Is(err, derrors.NotFound) && !errors.Is(err, derrors.Invalid) {
				return m, err
			}
		}
		m.Rows = append(m.Rows, row)
	}
	return m, nil
}

func (a *API) traffickingMap(w http.ResponseWriter, r *http.Request) {
	f, format, err := a.readTraffickingQuery(r, nil)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	m, err := BuildTraffickingMap(r.Context(), a.db, a.geo, f)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	addVary(w.Header(), "Accept")
	if format != formatCSV {
		web.WriteJSON(w, http.StatusOK, m)
		return
	}
	cw := csvDownload(w, `trafficking-map.csv`)
	cw.Write([]string{"source", "place", "name", "kind", "count"})
	for _, row := range m.Rows {
		cw.Write([]string{csvSafe(f.Source), csvSafe(row.Place), csvSafe(row.Name), row.Kind, strconv.FormatInt(row.Count, 10)})
	}
	cw.Flush()
}

// csvDownload starts a CSV attachment named filename and returns its
// writer (the caller writes the header row and flushes).
func csvDownload(w http.ResponseWriter, filename string) *csv.Writer {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	return csv.NewWriter(w)
}
