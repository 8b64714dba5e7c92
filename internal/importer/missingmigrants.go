package importer

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/tabular"
)

// The missing-migrants dataset: IOM's Missing Migrants Project (MMP)
// incidents, the source of SDG 10.7.3 (deaths and disappearances during
// migration). One file: the MMP global export as CSV (the default) or as
// the XLSX IOM publishes (first sheet); both give the same incidents.
//
// Every row is one incident, stored as a record (store.Incident) with its
// numbers as published: an empty cell is unknown (NULL), never zero. The
// few negative "Minimum Estimated Number of Missing" values (IOM's
// corrections of split incidents: the published total is dead + missing)
// and the one negative survivor count are kept as published and counted in
// the report. An Incident Date of "0" is an unknown date (the year and
// month are kept). Text in a number, a malformed date or coordinate, an
// unknown month name fail the import naming the row and column.
//
// Multi-valued cells (incident type, region, route, cause of death, region
// of origin, UNSD grouping, URL, source quality, countries of origin) are
// split at each comma that is not followed by a space: the values are
// joined by a bare comma ("Drowning,Violence") while a comma inside a value
// is followed by a space ("… shelter, food, water", "China, Hong Kong
// Special Administrative Region").
//
// Countries (of incident and of origin) are matched in IOM's view of the
// reference geography. A name that is no area ("Unknown", "Mixed") is kept
// as written with an empty area code, and the report lists every such name
// with its count: the incident itself is always stored.

// MissingMigrantsName is the dataset name.
const MissingMigrantsName = "missing-migrants"

// mmpRequired are the columns an export must have.
var mmpRequired = []string{
	"Incident ID", "Incident Date", "Incident Year", "Month", "Region of Incident", "Country of Incident",
	"Number of Dead", "Minimum Estimated Number of Missing", "Total Number of Dead and Missing",
	"Country of Origin", "Cause of Death", "Migration Route", "Coordinates",
}

// MissingMigrants is the missing-migrants dataset.
func MissingMigrants() Dataset {
	const usage = "IOM Missing Migrants Project global export, .csv or .xlsx"
	return Dataset{
		Name:        MissingMigrantsName,
		Description: "IOM Missing Migrants Project: incidents of migrants' deaths and disappearances since 2014 (SDG 10.7.3)",
		Version:     1,
		Usage:       usage,
		DefaultFiles: func(dataDir string) []string {
			return []string{filepath.Join(dataDir, "iom-missing-migrants", "Missing_Migrants_Global_Figures_allData.csv")}
		},
		CheckFiles: CheckCount(usage, ".csv|.xlsx"),
		Load:       loadMissingMigrants,
	}
}

var mmpMonths = map[string]int{
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
	"august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}

// mmpSplit splits a multi-valued cell at each comma not followed by a
// space; values are trimmed, empty ones dropped.
func mmpSplit(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && (s[i] != ',' || i+1 < len(s) && s[i+1] == ' ') {
			continue
		}
		if v := strings.TrimSpace(s[start:i]); v != "" {
			out = append(out, v)
		}
		start = i + 1
	}
	return out
}

// mmpLoader holds the state of one import.
type mmpLoader struct {
	m    *geo.Matcher
	file string
	w    *store.IncidentWriter
	// For the report.
	incidents, noDate, zeroDate, dateYear, totalMismatch int
	negative                                             map[string]int
	dead, missing, deadMissing                           int64
	unmatchedIncident, unmatchedOrigin                   *impTally
	countryCache                                         map[string]string // text → area code ("" no area)
}

func loadMissingMigrants(ctx context.Context, tx *store.Tx, files []string, rec *Recorder) error {
	base, err := referenceMatcher(ctx, tx)
	if err != nil {
		return err
	}
	r, err := tabular.Open(files[0], tabular.Options{Required: mmpRequired})
	if err != nil {
		return err
	}
	defer r.Close()
	ld := &mmpLoader{
		m: base.ForSource("iom"), file: filepath.Base(files[0]), negative: map[string]int{},
		unmatchedIncident: newImpTally(), unmatchedOrigin: newImpTally(), countryCache: map[string]string{},
	}
	rec.Source(ld.file, r)
	if ld.w, err = store.ReplaceIncidents(ctx, tx); err != nil {
		return err
	}
	err = tabular.ReadAll(r, func(row tabular.Row) error {
		rec.Read()
		in, err := ld.incident(row)
		if err != nil {
			return err
		}
		if err := ld.w.Add(in); err != nil {
			return row.Errorf("Incident ID", "%v", err)
		}
		rec.Loaded(1)
		return nil
	})
	n, cerr := ld.w.Close()
	if err != nil {
		return err
	}
	if cerr != nil {
		return cerr
	}
	ld.notes(rec, n)
	return nil
}

func (ld *mmpLoader) country(text string) (string, bool) {
	if code, ok := ld.countryCache[text]; ok {
		return code, code != ""
	}
	a, ok := ld.m.Match(text)
	ld.countryCache[text] = a.Code
	return a.Code, ok
}

// count reads a count column: nil when empty; negative values are kept and
// counted.
func (ld *mmpLoader) count(row tabular.Row, col string) (*int64, error) {
	if !row.Has(col) {
		return nil, nil
	}
	v, ok, err := row.Int(col)
	if err != nil || !ok {
		return nil, err
	}
	if v < 0 {
		ld.negative[col]++
	}
	return &v, nil
}

func mmpDate(row tabular.Row, col string) (string, error) {
	s := row.Get(col)
	if s == "" {
		return "", nil
	}
	// YYYY-MM-DD as IOM writes it; mm-dd-yy is how a workbook's date cell
	// (built-in format 14) reads.
	for _, layout := range []string{"2006-01-02", "01-02-06"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d.Format("2006-01-02"), nil
		}
	}
	return "", row.Errorf(col, "%q is not a date (YYYY-MM-DD)", s)
}

func (ld *mmpLoader) incident(row tabular.Row) (store.Incident, error) {
	in := store.Incident{
		SourceRow:         row.Number,
		IncidentID:        row.Get("Incident ID"),
		MainID:            row.Get("Main ID"),
		Types:             mmpSplit(row.Get("Incident Type")),
		Location:          row.Get("Location of Incident"),
		Regions:           mmpSplit(row.Get("Region of Incident")),
		Routes:            mmpSplit(row.Get("Migration Route")),
		CountryText:       row.Get("Country of Incident"),
		Causes:            mmpSplit(row.Get("Cause of Death")),
		OriginText:        row.Get("Country of Origin"),
		RegionsOfOrigin:   mmpSplit(row.Get("Region of Origin")),
		UNSDGroupings:     mmpSplit(row.Get("UNSD Geographical Grouping")),
		InformationSource: row.Get("Information Source"),
		URLs:              mmpSplit(row.Get("URL")),
		SourceQuality:     mmpSplit(row.Get("Source Quality")),
	}
	if in.IncidentID == "" {
		return in, row.Errorf("Incident ID", "empty: every incident needs its id")
	}
	ld.incidents++

	// Dates.
	var err error
	switch row.Get("Incident Date") {
	case "":
		ld.noDate++
	case "0":
		ld.zeroDate++
	default:
		if in.Date, err = mmpDate(row, "Incident Date"); err != nil {
			return in, err
		}
	}
	if row.Has("Reported Date") {
		if in.ReportedDate, err = mmpDate(row, "Reported Date"); err != nil {
			return in, err
		}
	}
	y, ok, err := row.Int("Incident Year")
	if err != nil {
		return in, err
	}
	if ok {
		if y < 1900 || y > 2100 {
			return in, row.Errorf("Incident Year", "%d is not a plausible year", y)
		}
		yi := int(y)
		in.Year = &yi
		if in.Date != "" && in.Date[:4] != strconv.Itoa(yi) {
			ld.dateYear++
		}
	}
	if mo := row.Get("Month"); mo != "" {
		n, ok := mmpMonths[strings.ToLower(mo)]
		if !ok {
			if v, err := strconv.Atoi(mo); err == nil && v >= 1 && v <= 12 {
				n, ok = v, true
			}
		}
		if !ok {
			return in, row.Errorf("Month", "%q is not a month", mo)
		}
		in.Month = &n
	}

	// Numbers.
	for _, c := range []struct {
		col string
		dst **int64
	}{
		{"Number of Dead", &in.Dead}, {"Minimum Estimated Number of Missing", &in.Missing},
		{"Total Number of Dead and Missing", &in.DeadAndMissing}, {"Number of Survivors", &in.Survivors},
		{"Number of Females", &in.Females}, {"Number of Males", &in.Males}, {"Number of Children", &in.Children},
	} {
		if *c.dst, err = ld.count(row, c.col); err != nil {
			return in, err
		}
	}
	var d, m int64
	if in.Dead != nil {
		d = *in.Dead
	}
	if in.Missing != nil {
		m = *in.Missing
	}
	ld.dead += d
	ld.missing += m
	if in.DeadAndMissing != nil {
		ld.deadMissing += *in.DeadAndMissing
		if *in.DeadAndMissing != d+m {
			ld.totalMismatch++
		}
	}

	// Coordinates: "lat, lon".
	if c := row.Get("Coordinates"); c != "" {
		latS, lonS, ok := strings.Cut(c, ",")
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(latS), 64)
		lon, err2 := strconv.ParseFloat(strings.TrimSpace(lonS), 64)
		if !ok || err1 != nil || err2 != nil {
			return in, row.Errorf("Coordinates", "%q is not \"latitude, longitude\"", c)
		}
		if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			return in, row.Errorf("Coordinates", "%q is out of range (latitude -90..90, longitude -180..180)", c)
		}
		in.Latitude, in.Longitude = &lat, &lon
	}

	// Countries.
	if in.CountryText != "" {
		code, ok := ld.country(in.CountryText)
		if !ok {
			ld.unmatchedIncident.add(in.CountryText, ld.file, row.Number)
		}
		in.CountryCode = code
	}
	for _, name := range mmpSplit(in.OriginText) {
		code, ok := ld.country(name)
		if !ok {
			ld.unmatchedOrigin.add(name, ld.file, row.Number)
		}
		in.Origins = append(in.Origins, store.IncidentOrigin{AreaCode: code, Name: name})
	}
	return in, nil
}

func (ld *mmpLoader) notes(rec *Recorder, n int64) {
	rec.Note("%d incidents stored: %d dead + %d missing = %d dead and missing (sum of the published totals: %d)",
		n, ld.dead, ld.missing, ld.dead+ld.missing, ld.deadMissing)
	if ld.noDate+ld.zeroDate > 0 {
		rec.Note("incidents without a date: %d with an empty Incident Date, %d with \"0\" (stored as unknown; year and month kept where given)", ld.noDate, ld.zeroDate)
	}
	if ld.dateYear > 0 {
		rec.Note("%d incidents have an Incident Date outside their Incident Year (both kept as published)", ld.dateYear)
	}
	if len(ld.negative) > 0 {
		var parts []string
		for _, k := range impKeys(ld.negative) {
			parts = append(parts, fmt.Sprintf("%s ×%d", k, ld.negative[k]))
		}
		rec.Note("negative numbers kept as published (IOM's corrections of split incidents): %s", strings.Join(parts, ", "))
	}
	if ld.totalMismatch > 0 {
		rec.Note("%d incidents have a Total Number of Dead and Missing other than dead + missing (kept as published)", ld.totalMismatch)
	}
	if ld.unmatchedIncident.len() > 0 {
		rec.Note("unmatched Country of Incident (stored with an empty area code): %s", ld.unmatchedIncident)
	}
	if ld.unmatchedOrigin.len() > 0 {
		rec.Note("unmatched Country of Origin names, no area (stored as written with an empty area code): %s", ld.unmatchedOrigin)
	}
}

// impKeys returns a map's keys, sorted.
func impKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
