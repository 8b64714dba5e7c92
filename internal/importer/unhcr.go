package importer

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/tabular"
)

// The unhcr-population dataset: UNHCR's population statistics (the table
// "population" of UNHCR's R package refugees, 2025.12.1), one row per
// year × country of origin × country of asylum, 1951–2025.
//
// Each population column becomes a series by year (sex total). All but
// "stateless" are bilateral: area = country of asylum (coa), counterpart =
// country of origin (coo). Stateless persons have no country of origin —
// UNHCR files every one of them under the origin "Stateless" (STA) — so
// "stateless" is stored by country of residence (coa) without a
// counterpart, summed over the rows of that country and year. Countries
// are matched by UNHCR's own code (coo, coa: "AUS" is Austria here), then
// by the ISO column (coo_iso, coa_iso), then by name.
//
// Cells. UNHCR's table is sparse: a pair of countries and a year with
// nobody of concern has no row, and within a row a population type with
// nobody is written 0 or left empty (R's NA; "oip" holds no zero at all:
// every cell is a positive count or NA). All three say the same — UNHCR
// reports nobody — so only positive counts are stored (status observed);
// zero and empty cells store no observation, neither a zero nor a missing
// value, and the report counts them. Anything else (text, a fraction, a
// negative count) fails the import naming the row and column.
//
// Origins that are no country — "Unknown" (UKN), "Stateless" (STA),
// "Tibetan" (TIB) — and the asylum "Unknown" are categories of UNHCR's,
// not areas. Their people count in UNHCR's totals (Germany's refugees
// include those of unknown origin), so they are stored under pseudo-area
// codes, UNHCR-UKN, UNHCR-STA and UNHCR-TIB: a sum over all origins or all
// countries of asylum then equals UNHCR's, while no page or query by area
// ever shows them as a country. The report counts them per category. A
// row naming any other unknown area is rejected, naming the file, row and
// column and the figures not stored.

// UNHCRPopulationName is the dataset name.
const UNHCRPopulationName = "unhcr-population"

const (
	unhcrSource   = "UNHCR Refugee Data Finder (unhcr.org/refugee-statistics), via the R package refugees 2025.12.1"
	unhcrLicence  = "CC BY 4.0"
	unhcrCitation = "UNHCR Refugee Data Finder (unhcr.org/refugee-statistics), via the R package `refugees` version 2025.12.1"
)

// unhcrColumn is one population column of population.csv.
type unhcrColumn struct {
	col, code, name string
	required        bool
	byResidence     bool // not bilateral: area = country of asylum/residence only
}

var unhcrColumns = []unhcrColumn{
	{col: "refugees", code: "refugees", name: "Refugees under UNHCR's mandate", required: true},
	{col: "asylum_seekers", code: "asylum_seekers", name: "Asylum-seekers", required: true},
	{col: "returned_refugees", code: "returned_refugees", name: "Returned refugees"},
	{col: "idps", code: "idps", name: "Internally displaced persons of concern to UNHCR"},
	{col: "returned_idps", code: "returned_idps", name: "Returned internally displaced persons"},
	{col: "stateless", code: "stateless", name: "Stateless persons", byResidence: true},
	{col: "ooc", code: "others_of_concern", name: "Others of concern to UNHCR"},
	{col: "oip", code: "others_in_need", name: "Other people in need of international protection"},
	{col: "hst", code: "host_community", name: "Host community"},
}

// UNHCRPopulationSeries declares the series of the columns a file has (all
// of them when has is nil).
func UNHCRPopulationSeries(has func(col string) bool) []stats.Series {
	var out []stats.Series
	for _, c := range unhcrColumns {
		if has != nil && !has(c.col) {
			continue
		}
		name := c.name + " (UNHCR), by country of asylum and country of origin"
		if c.byResidence {
			name = c.name + " (UNHCR), by country of residence"
		}
		out = append(out, stats.Series{
			Code: c.code, Name: name, Unit: "persons", Dataset: UNHCRPopulationName,
			Source: unhcrSource, Licence: unhcrLicence, Citation: unhcrCitation, Bilateral: !c.byResidence,
		})
	}
	return out
}

// UNHCRPopulation is the unhcr-population dataset.
func UNHCRPopulation() Dataset {
	const usage = "UNHCR population.csv (refugees R package)"
	return Dataset{
		Name:        UNHCRPopulationName,
		Description: "UNHCR refugees, asylum-seekers, other people in need of international protection, stateless persons and others of concern, by asylum × origin × year",
		Version:     1,
		Usage:       usage,
		DefaultFiles: func(dataDir string) []string {
			return []string{filepath.Join(dataDir, "unhcr-refugee-population", "population.csv")}
		},
		CheckFiles: CheckCount(usage, ".csv"),
		Load:       loadUNHCRPopulation,
	}
}

// unhcrSide is a matched country column pair (asylum or origin).
type unhcrSide struct {
	area geo.Area
	ok   bool
	// category is set for UNHCR's non-country categories, stored under a
	// pseudo-area code (unhcrCategories).
	category bool
}

// unhcrCategories maps UNHCR's codes of origins (and an asylum) that are
// no country to the pseudo-area codes their people are stored under.
var unhcrCategories = map[string]string{"UKN": "UNHCR-UKN", "STA": "UNHCR-STA", "TIB": "UNHCR-TIB"}

// unhcrKey identifies an observation of one series.
type unhcrKey struct{ year, area, cp string }

func loadUNHCRPopulation(ctx context.Context, tx *store.Tx, files []string, rec *Recorder) error {
	base, err := referenceMatcher(ctx, tx)
	if err != nil {
		return err
	}
	m := base.ForSource(geo.SourceUNHCR)
	required := []string{"year", "coo_name", "coo", "coo_iso", "coa_name", "coa", "coa_iso"}
	for _, c := range unhcrColumns {
		if c.required {
			required = append(required, c.col)
		}
	}
	r, err := tabular.Open(files[0], tabular.Options{Required: required})
	if err != nil {
		return err
	}
	defer r.Close()
	name := filepath.Base(files[0])
	rec.Source(name, r)

	var cols []unhcrColumn
	header := map[string]bool{}
	for _, h := range r.Header() {
		header[strings.TrimSpace(h)] = true
	}
	for _, c := range unhcrColumns {
		if header[c.col] {
			cols = append(cols, c)
		}
	}
	if err := store.ReplaceSeries(ctx, tx, UNHCRPopulationName, UNHCRPopulationSeries(func(c string) bool { return header[c] })); err != nil {
		return err
	}
	w := &sortedObservations{}

	// Matching is cached per (code, ISO code, name) triple: a few hundred
	// distinct ones over 139,000 rows.
	cache := map[[3]string]unhcrSide{}
	match := func(row tabular.Row, side string) unhcrSide {
		k := [3]string{row.Get(side), row.Get(side + "_iso"), row.Get(side + "_name")}
		if s, ok := cache[k]; ok {
			return s
		}
		var s unhcrSide
		if s.area, s.ok = m.MatchUNHCRCode(k[0]); !s.ok {
			if s.area, s.ok = base.MatchCode(k[1]); !s.ok {
				s.area, s.ok = m.Match(k[2])
			}
		}
		if pseudo, isCategory := unhcrCategories[strings.TrimSpace(k[0])]; !s.ok && isCategory {
			s = unhcrSide{area: geo.Area{Code: pseudo, Name: k[2]}, ok: true, category: true}
		}
		cache[k] = s
		return s
	}

	seen := make(map[unhcrKey]int, 140_000)
	residence := map[unhcrKey]float64{} // by-residence series: (year, area, code) → sum
	unmatched := newImpTally()
	categories := map[string]int64{}           // "origin Unknown (UNHCR-UKN)" → rows
	notStored := map[string]map[string]int64{} // unmatched text → series code → persons
	perSeries := map[string]int64{}
	zeros, empty := map[string]int64{}, map[string]int64{}
	values := make([]float64, len(cols))
	present := make([]bool, len(cols))

	err = tabular.ReadAll(r, func(row tabular.Row) error {
		rec.Read()
		y, ok, err := row.Int("year")
		if err != nil {
			return err
		}
		if !ok || y < 1900 || y > 2100 {
			return row.Errorf("year", "%q is not a year", row.Get("year"))
		}
		for i, c := range cols {
			v, ok, err := row.Int(c.col)
			if err != nil {
				return err
			}
			if v < 0 {
				return row.Errorf(c.col, "%d is negative, but it counts persons", v)
			}
			values[i], present[i] = float64(v), ok
		}
		period := strconv.FormatInt(y, 10)
		coa, coo := match(row, "coa"), match(row, "coo")
		for _, sd := range []struct {
			s     unhcrSide
			label string
		}{{coo, "origin"}, {coa, "asylum"}} {
			if sd.s.category {
				categories[fmt.Sprintf("%s %s (%s)", sd.label, sd.s.area.Name, sd.s.area.Code)]++
			}
		}
		if coa.ok && coo.ok {
			k := unhcrKey{period, coa.area.Code, coo.area.Code}
			if prev, dup := seen[k]; dup {
				return row.Errorf("coa", "asylum %s, origin %s and year %s are already on row %d (both name the same areas)", coa.area.Code, coo.area.Code, period, prev)
			}
			seen[k] = row.Number
		}
		var lost, kept []string // positive figures not stored, and stored, for a rejection
		for i, c := range cols {
			switch {
			case !present[i]:
				empty[c.code]++
				continue
			case values[i] == 0:
				zeros[c.code]++
				continue
			}
			if !coa.ok || !c.byResidence && !coo.ok {
				lost = append(lost, fmt.Sprintf("%s %d", c.col, int64(values[i])))
				continue
			}
			if c.byResidence {
				residence[unhcrKey{period, coa.area.Code, c.code}] += values[i]
				kept = append(kept, fmt.Sprintf("%s %d", c.col, int64(values[i])))
				continue
			}
			o := stats.Observation{Series: c.code, Area: coa.area.Code, Counterpart: coo.area.Code, Period: period, Sex: stats.SexTotal,
				Value: values[i], Status: stats.Observed}
			if err := w.add(o); err != nil {
				return row.Errorf(c.col, "%v", err)
			}
			perSeries[c.code]++
		}
		if coa.ok && (coo.ok || len(lost) == 0) {
			rec.Loaded(1)
			return nil
		}
		side, label := "coo", "origin"
		if !coa.ok {
			side, label = "coa", "asylum"
		}
		text := fmt.Sprintf("%s %s (UNHCR code %s)", label, row.Get(side+"_name"), row.Get(side))
		unmatched.add(text, name, row.Number)
		if notStored[text] == nil {
			notStored[text] = map[string]int64{}
		}
		for i, c := range cols {
			if present[i] && values[i] != 0 && (!coa.ok || !c.byResidence) {
				notStored[text][c.code] += int64(values[i])
			}
		}
		msg := fmt.Sprintf("%q (UNHCR code %s) is no country or area in the reference geography; not stored: %s",
			row.Get(side+"_name"), row.Get(side), strings.Join(lost, ", "))
		if len(kept) > 0 {
			msg += fmt.Sprintf(" (stored by country of residence: %s)", strings.Join(kept, ", "))
		}
		rec.Reject(row.Errorf(side+"_name", "%s", msg))
		return nil
	})
	if err != nil {
		return err
	}
	// The by-residence sums (write sorts them).
	for k, v := range residence {
		if err := w.add(stats.Observation{Series: k.cp, Area: k.area, Period: k.year, Sex: stats.SexTotal, Value: v, Status: stats.Observed}); err != nil {
			return err
		}
		perSeries[k.cp]++
	}
	n, err := w.write(ctx, tx)
	if err != nil {
		return err
	}

	var parts, skipped []string
	for _, c := range cols {
		parts = append(parts, fmt.Sprintf("%s %d", c.code, perSeries[c.code]))
		if zeros[c.code]+empty[c.code] > 0 {
			skipped = append(skipped, fmt.Sprintf("%s %d zero + %d empty", c.code, zeros[c.code], empty[c.code]))
		}
	}
	rec.Note("%d observations stored (positive counts; area = country of asylum, counterpart = country of origin; stateless by country of residence): %s", n, strings.Join(parts, ", "))
	if len(skipped) > 0 {
		rec.Note("cells saying nobody (0, or empty = R's NA), no observation stored: %s", strings.Join(skipped, ", "))
	}
	if len(categories) > 0 {
		var cs []string
		for _, k := range slices.Sorted(maps.Keys(categories)) {
			cs = append(cs, fmt.Sprintf("%s %d rows", k, categories[k]))
		}
		rec.Note("UNHCR categories that are no country, stored under pseudo-area codes so that totals equal UNHCR's: %s", strings.Join(cs, ", "))
	}
	for _, text := range unmatched.keys() {
		var sums []string
		for _, c := range cols {
			if v := notStored[text][c.code]; v != 0 {
				sums = append(sums, fmt.Sprintf("%s %d", c.code, v))
			}
		}
		rec.Note("unmatched: %s is no area: %s rejected; persons not stored: %s", text, unmatched.describe(text), impOr(strings.Join(sums, ", "), "none"))
	}
	return nil
}

// ---------------------------------------------------------------------------
// Helpers shared by the statistics importers (unhcr-population,
// missing-migrants, remittance-flows).

// referenceMatcher builds a matcher from the reference geography as the
// transaction sees it.
func referenceMatcher(ctx context.Context, tx *store.Tx) (*geo.Matcher, error) {
	ref, err := store.ReferenceTx(ctx, tx)
	if err != nil {
		return nil, err
	}
	if len(ref.Areas) == 0 {
		return nil, derrors.Kindf(derrors.Invalid, "the reference geography is empty: import the countries dataset first (corridor import countries)")
	}
	return geo.NewMatcher(ref), nil
}

// sortedObservations buffers observations and writes them in the order
// of the observations' primary key: appending to the index is several
// times faster than inserting in file order.
type sortedObservations struct{ obs []stats.Observation }

// add validates and queues one observation.
func (s *sortedObservations) add(o stats.Observation) error {
	if err := o.Validate(); err != nil {
		return err
	}
	s.obs = append(s.obs, o)
	return nil
}

// write sorts and stores the observations inside tx.
func (s *sortedObservations) write(ctx context.Context, tx *store.Tx) (int64, error) {
	slices.SortFunc(s.obs, func(a, b stats.Observation) int {
		return cmp.Or(cmp.Compare(a.Series, b.Series), cmp.Compare(a.Area, b.Area), cmp.Compare(a.Counterpart, b.Counterpart),
			cmp.Compare(a.Period, b.Period), cmp.Compare(a.Sex, b.Sex), cmp.Compare(a.Age, b.Age))
	})
	w := store.NewObservationWriter(ctx, tx)
	w.SizeHint(len(s.obs))
	for _, o := range s.obs {
		if err := w.Add(o); err != nil {
			w.Close()
			return 0, err
		}
	}
	s.obs = nil
	return w.Close()
}

// impTally counts the texts that matched no area, for the report.
type impTally struct {
	count map[string]int
	first map[string]string
}

func newImpTally() *impTally {
	return &impTally{count: map[string]int{}, first: map[string]string{}}
}

func (t *impTally) add(text, file string, row int) {
	if t.count[text] == 0 {
		t.first[text] = fmt.Sprintf("%s row %d", file, row)
	}
	t.count[text]++
}

func (t *impTally) len() int { return len(t.count) }

// keys returns the texts, most frequent first.
func (t *impTally) keys() []string {
	out := make([]string, 0, len(t.count))
	for k := range t.count {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if t.count[out[i]] != t.count[out[j]] {
			return t.count[out[i]] > t.count[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

func (t *impTally) describe(text string) string {
	n := t.count[text]
	unit := "rows"
	if n == 1 {
		unit = "row"
	}
	return fmt.Sprintf("%d %s, first at %s", n, unit, t.first[text])
}

// String lists every text with its count: `"Unknown" ×3 (first at f row 2); …`.
func (t *impTally) String() string {
	var out []string
	for _, k := range t.keys() {
		out = append(out, fmt.Sprintf("%q ×%d (first at %s)", k, t.count[k], t.first[k]))
	}
	return strings.Join(out, "; ")
}

func impOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
