package importer

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/bits"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/xuri/excelize/v2"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/tabular"
)

// The un-migrant-stock dataset: UN DESA's International Migrant Stock.
//
// Files, in this order:
//
//  1. the IMS 2020 "Destination" workbook
//     (undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx), Tables 1–6;
//  2. the IMS 2019 origin–destination matrices, one CSV per sex: total,
//     male, female (ims2019_bilateral_origin_destination_{total,male,female}.csv).
//
// Series stored (codes as the data API uses them):
//
//	migrant_stock                           Table 1, persons, by sex, 1990–2020
//	population                              Table 2, persons (published in thousands
//	                                        with three decimals; stored ×1000 rounded
//	                                        to the person), by sex
//	migrant_share_of_population_published   Table 3, % of total population, by sex
//	migrant_female_share_published          Table 4, % of the migrant stock (sex "total":
//	                                        it describes the whole stock)
//	migrant_stock_growth_rate               Table 5, % per year, by sex; period = end
//	                                        year of the five-year interval (1990-1995
//	                                        is stored as 1995)
//	refugees_undesa                         Table 6, refugees and asylum seekers, persons
//	refugees_undesa_share_of_migrant_stock  Table 6, % of the migrant stock
//	refugees_undesa_growth_rate             Table 6, % per year (period = end year)
//	migrant_stock_bilateral                 IMS 2019, persons; area = destination,
//	                                        counterpart = origin, by sex, 1990…2015, 2019;
//	                                        the "Total" column (all origins) is stored
//	                                        with counterpart 001 (World)
//
// Areas are matched through the geo matcher in UN DESA's view: workbook rows
// by their location code (the name when the code is unknown), matrix rows and
// columns by name. Aggregates (WORLD, regions, development and income groups)
// are stored under the area code the matcher returns, as the source publishes
// them; nothing is recomputed here. Section headings of the matrices ("UN
// development groups", …) and the residual origin columns "Other South" and
// "Other North" are no areas: they are skipped and the report says so. Any
// other name that matches no area is rejected with its file, row and column.
//
// Cells: ".." (not available), "~" (suppressed: fewer than five) and "—"
// (non-zero but under half the unit) are stored as missing, never as zero;
// "-" in the matrices (four cells, undefined by the file) likewise. An empty
// cell of a matrix is the UN matrix's blank — no estimate for the pair — and
// no observation is stored for it (neither a zero nor a missing value: the
// API returns no row). Rows marked "I" in "Type of data" (imputed: no data on
// migrants) are stored with status estimated in the migrant-stock tables.
// Anything else that is not a number fails the import naming the file, row
// and column.

const (
	MigrantStockName = "un-migrant-stock"

	ims2020Source   = "UN DESA Population Division, International Migrant Stock 2020"
	ims2019Source   = "UN DESA Population Division, International Migrant Stock 2019"
	imsLicence      = "CC BY 3.0 IGO"
	ims2020Citation = "United Nations DESA, Population Division (2020). International Migrant Stock 2020"
	ims2019Citation = "United Nations DESA, Population Division (2019). International Migrant Stock 2019"

	worldCode = "001"
)

// MigrantStockFiles are the shipped files under dataDir, in Load's order.
func MigrantStockFiles(dataDir string) []string {
	dir := filepath.Join(dataDir, "un-desa-international-migrant-stock")
	return []string{
		filepath.Join(dir, "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"),
		filepath.Join(dir, "ims2019_bilateral_origin_destination_total.csv"),
		filepath.Join(dir, "ims2019_bilateral_origin_destination_male.csv"),
		filepath.Join(dir, "ims2019_bilateral_origin_destination_female.csv"),
	}
}

// MigrantStockSeries declares the dataset's series.
func MigrantStockSeries() []stats.Series {
	s20 := func(code, name, unit string) stats.Series {
		return stats.Series{Code: code, Name: name, Unit: unit, Dataset: MigrantStockName,
			Source: ims2020Source, Licence: imsLicence, Citation: ims2020Citation}
	}
	return []stats.Series{
		s20("migrant_stock", "International migrant stock at mid-year", "persons"),
		s20("population", "Total population at mid-year", "persons"),
		s20("migrant_share_of_population_published", "International migrant stock as a percentage of the total population (as published)", "% of population"),
		s20("migrant_female_share_published", "Female migrants as a percentage of the international migrant stock (as published)", "% of migrant stock"),
		s20("migrant_stock_growth_rate", "Annual rate of change of the migrant stock over the five years ending in the period", "% per year"),
		s20("refugees_undesa", "Refugees and asylum seekers at mid-year (UN DESA estimate)", "persons"),
		s20("refugees_undesa_share_of_migrant_stock", "Refugees and asylum seekers as a percentage of the international migrant stock", "% of migrant stock"),
		s20("refugees_undesa_growth_rate", "Annual rate of change of refugees and asylum seekers over the five years ending in the period", "% per year"),
		{Code: "migrant_stock_bilateral", Name: "International migrant stock at mid-year by origin (counterpart 001: all origins)",
			Unit: "persons", Dataset: MigrantStockName, Source: ims2019Source, Licence: imsLicence,
			Citation: ims2019Citation, Bilateral: true},
	}
}

// MigrantStock is the un-migrant-stock dataset.
func MigrantStock() Dataset {
	const usage = "IMS 2020 destination workbook .xlsx, IMS 2019 bilateral total .csv, male .csv, female .csv"
	return Dataset{
		Name:         MigrantStockName,
		Description:  "UN DESA International Migrant Stock: 2020 stock, population, shares, growth and refugees by destination; 2019 origin–destination matrices by sex",
		Version:      1,
		Usage:        usage,
		DefaultFiles: MigrantStockFiles,
		CheckFiles:   CheckCount(usage, ".xlsx", ".csv", ".csv", ".csv"),
		Load:         loadMigrantStock,
	}
}

func loadMigrantStock(ctx context.Context, tx *store.Tx, files []string, rec *Recorder) error {
	return loadMS(ctx, tx, files[0], files[1:], rec)
}

// loadMS loads the workbook (none when "") and the matrices of the sexes
// total, male, female in that order.
func loadMS(ctx context.Context, tx *store.Tx, workbook string, matrices []string, rec *Recorder) error {
	ref, err := store.ReferenceTx(ctx, tx)
	if err != nil {
		return err
	}
	if len(ref.Areas) == 0 {
		return derrors.Kindf(derrors.Invalid, "the reference geography is empty: run `corridor import countries` first")
	}
	m := geo.NewMatcher(ref).ForSource(geo.SourceUNDESA)
	ms := &msLoader{ctx: ctx, m: m, rec: rec, perSeries: map[string]int64{}, names: map[string]nameMatch{}, strIdx: map[string]uint16{}}
	if workbook != "" {
		if err := ms.workbook(workbook); err != nil {
			return err
		}
	}
	for i, sex := range []string{stats.SexTotal, stats.SexMale, stats.SexFemale}[:len(matrices)] {
		if named := sexInName(matrices[i]); named != "" && named != sex {
			return derrors.Kindf(derrors.Invalid, "file %d must be the %s matrix, but %s names the %s one (order: total, male, female)",
				i+2, sex, filepath.Base(matrices[i]), named)
		}
		if err := ms.bilateral(matrices[i], sex); err != nil {
			return err
		}
	}
	// Every file has been read and checked: only now is the previous
	// version replaced (a broken file has failed above without a write).
	if err := store.ReplaceSeries(ctx, tx, MigrantStockName, MigrantStockSeries()); err != nil {
		return err
	}
	n, err := ms.write(ctx, tx)
	if err != nil {
		return err
	}
	ms.notes(n)
	return nil
}

// msLoader holds the state of one import.
type msLoader struct {
	ctx       context.Context
	m         *geo.Matcher
	rec       *Recorder
	buf       []packedObs
	strs      []string
	strIdx    map[string]uint16
	perSeries map[string]int64
	names     map[string]nameMatch // destination name → area (matrix rows)

	// For the report.
	missing     map[string]map[string]int // file label → symbol → cells stored as missing
	blanks      int64                     // empty matrix cells (no observation)
	headings    map[string]int            // section-heading rows skipped, by name
	residual    map[string]int            // residual columns skipped, by name
	repeats     map[string]int            // repeated aggregate rows: description → rows
	rejected    map[string]bool           // unmatched names, for the note
	totalColumn bool
}

type nameMatch struct {
	code string
	ok   bool
}

// add queues one observation. Observations are held compactly and written
// at the end in primary-key order (series, area, counterpart, period, sex):
// the table and its key index then grow at their ends instead of at random
// places, which is most of the cost of an import of this size.
func (ms *msLoader) add(series, area, counterpart, period, sex string, v float64, st stats.Status) {
	y, _ := strconv.Atoi(period)
	ms.buf = append(ms.buf, packedObs{
		value:  v,
		series: ms.intern(series), area: ms.intern(area), counterpart: ms.intern(counterpart),
		sex: ms.intern(sex), period: uint16(y), status: statusCode(st),
	})
	ms.perSeries[series]++
}

// packedObs is an observation in 32 bytes; strings are indexes into
// msLoader.strs, the period is a year; key is the sort key (write).
type packedObs struct {
	key                            uint64
	value                          float64
	series, area, counterpart, sex uint16
	period                         uint16
	status                         uint8
}

var statuses = []stats.Status{stats.Observed, stats.Estimated, stats.Missing}

func statusCode(st stats.Status) uint8 { return uint8(slices.Index(statuses, st)) }

// write sorts the queued observations by primary key and writes them.
func (ms *msLoader) write(ctx context.Context, tx *store.Tx) (int64, error) {
	// Rank the interned strings in byte order, the order of the key.
	order := make([]int, len(ms.strs))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return ms.strs[order[a]] < ms.strs[order[b]] })
	rank := make([]int, len(ms.strs))
	for r, i := range order {
		rank[i] = r
	}
	// The bilateral matrices are stored as observation sets (all years of
	// one destination × origin × sex in one row: store.PackPeriods), the
	// other series as rows. Each is written in the order of its table's
	// key: sets by series, area, counterpart, sex, year; rows by series,
	// area, counterpart, year, sex.
	packed := map[uint16]bool{}
	var packedCodes []string
	for _, s := range MigrantStockSeries() {
		if i, ok := ms.strIdx[s.Code]; ok && s.Bilateral {
			packed[i] = true
			packedCodes = append(packedCodes, s.Code)
		}
	}
	// One integer per observation, compared once per step of the sort:
	// the ranks of series, area, counterpart, then year and sex rank in
	// the table's order. Ranks are below len(ms.strs) (at most 65,536:
	// 16 bits).
	b := uint(bits.Len(uint(len(ms.strs))))
	for i := range ms.buf {
		p := &ms.buf[i]
		if b <= 12 {
			p.key = uint64(rank[p.series])<<(3*b+16) | uint64(rank[p.area])<<(2*b+16) | uint64(rank[p.counterpart])<<(b+16)
			if packed[p.series] {
				p.key |= uint64(rank[p.sex])<<16 | uint64(p.period)
			} else {
				p.key |= uint64(p.period)<<b | uint64(rank[p.sex])
			}
		}
	}
	slices.SortFunc(ms.buf, func(a, c packedObs) int {
		switch {
		case b <= 12:
			return cmp.Compare(a.key, c.key)
		case a.series != c.series:
			return rank[a.series] - rank[c.series]
		case a.area != c.area:
			return rank[a.area] - rank[c.area]
		case a.counterpart != c.counterpart:
			return rank[a.counterpart] - rank[c.counterpart]
		case packed[a.series] && a.sex != c.sex:
			return rank[a.sex] - rank[c.sex]
		case a.period != c.period:
			return int(a.period) - int(c.period)
		}
		return rank[a.sex] - rank[c.sex]
	})

	periods := map[uint16]string{}
	// The counterpart index would grow at some 1,600 places at once: the
	// writer builds it after the rows when they are most of the table.
	w := store.NewObservationWriter(ctx, tx)
	w.PackPeriods(packedCodes...)
	w.SizeHint(len(ms.buf))
	for i, p := range ms.buf {
		if i&0xfff == 0 {
			if err := ctx.Err(); err != nil {
				w.Close()
				return 0, err
			}
		}
		per, ok := periods[p.period]
		if !ok {
			per = strconv.Itoa(int(p.period))
			periods[p.period] = per
		}
		o := stats.Observation{Series: ms.strs[p.series], Area: ms.strs[p.area], Counterpart: ms.strs[p.counterpart],
			Period: per, Sex: ms.strs[p.sex], Value: p.value, Status: statuses[p.status]}
		if err := w.Add(o); err != nil {
			w.Close()
			return 0, err
		}
	}
	ms.buf = nil
	return w.Close()
}

// sexInName returns the sex a matrix file is named for, "" if none.
func sexInName(path string) string {
	b := strings.ToLower(filepath.Base(path))
	switch {
	case strings.Contains(b, "female"):
		return stats.SexFemale
	case strings.Contains(b, "male"):
		return stats.SexMale
	case strings.Contains(b, "total"):
		return stats.SexTotal
	}
	return ""
}

func (ms *msLoader) intern(s string) uint16 {
	if i, ok := ms.strIdx[s]; ok {
		return i
	}
	i := uint16(len(ms.strs))
	ms.strs = append(ms.strs, s)
	ms.strIdx[s] = i
	return i
}

func (ms *msLoader) countMissing(file, symbol string) {
	if ms.missing == nil {
		ms.missing = map[string]map[string]int{}
	}
	if ms.missing[file] == nil {
		ms.missing[file] = map[string]int{}
	}
	ms.missing[file][symbol]++
}

func (ms *msLoader) reject(e *tabular.CellError, name string) {
	ms.rec.Reject(e)
	if ms.rejected == nil {
		ms.rejected = map[string]bool{}
	}
	ms.rejected[name] = true
}

func (ms *msLoader) notes(total int64) {
	rec := ms.rec
	var parts []string
	for _, s := range MigrantStockSeries() {
		parts = append(parts, fmt.Sprintf("%s %d", s.Code, ms.perSeries[s.Code]))
	}
	rec.Note("%d observations stored: %s", total, strings.Join(parts, ", "))
	if len(ms.headings) > 0 {
		rec.Note("skipped %s: section headings of the 2019 matrices, not areas (all their cells are \"..\")", countList(ms.headings, "row"))
	}
	if len(ms.residual) > 0 {
		rec.Note("skipped origin columns %s of the 2019 matrices: residual origin groups, not areas (their cells are not stored)", countList(ms.residual, "file"))
	}
	if ms.totalColumn {
		rec.Note("the \"Total\" column of the 2019 matrices (all origins) is stored as migrant_stock_bilateral with counterpart 001 (World)")
	}
	if len(ms.repeats) > 0 {
		var rs []string
		for _, k := range sortedKeys(ms.repeats) {
			rs = append(rs, fmt.Sprintf("%s (%d rows)", k, ms.repeats[k]))
		}
		rec.Note("skipped rows that repeat an area given earlier in the same table (and year) with identical figures, stored once: %s", strings.Join(rs, "; "))
	}
	if ms.blanks > 0 {
		rec.Note("%d empty cells of the 2019 matrices are blanks of the UN matrix (no estimate for the pair): no observation stored, neither zero nor missing", ms.blanks)
	}
	for _, file := range sortedKeys(ms.missing) {
		rec.Note("%s: cells stored as missing (no value): %s", file, countList(ms.missing[file], "cell"))
	}
	if len(ms.rejected) > 0 {
		rec.Note("unmatched names (rejected, see the rejections): %s", strings.Join(sortedKeys(ms.rejected), "; "))
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func countList(m map[string]int, unit string) string {
	var out []string
	for _, k := range sortedKeys(m) {
		u := unit
		if m[k] != 1 {
			u += "s"
		}
		out = append(out, fmt.Sprintf("%q (%d %s)", k, m[k], u))
	}
	return strings.Join(out, ", ")
}

// ---------------------------------------------------------------------------
// Cells

// cellKind says what a cell holds.
type cellKind int

const (
	cellNumber  cellKind = iota
	cellMissing          // a symbol for "no value"
	cellBlank            // empty
)

// parseCell reads a number or one of the given missing-value symbols. A
// count must not be negative; its float artefacts ("37593.00000000001",
// "1050147.0000000002") are rounded to the whole number.
func parseCell(s string, symbols []string, count bool) (float64, cellKind, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, cellBlank, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		if slices.Contains(symbols, s) {
			return 0, cellMissing, nil
		}
		quoted := make([]string, len(symbols))
		for i, q := range symbols {
			quoted[i] = strconv.Quote(q)
		}
		return 0, 0, fmt.Errorf("%q is not a number (nor %s)", clipCell(s), strings.Join(quoted, ", "))
	}
	if count {
		if v < 0 {
			return 0, 0, fmt.Errorf("%s is negative, but it counts persons", s)
		}
		if r := math.Round(v); math.Abs(v-r) < 1e-6 {
			v = r
		}
	}
	return v, cellNumber, nil
}

func clipCell(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// ---------------------------------------------------------------------------
// IMS 2020 destination workbook

// wbGroup is a block of columns under one label of the header block, e.g.
// "International migrant stock at mid-year, males", one column per year.
type wbGroup struct {
	label  string
	series string
	sex    string
	scale  float64 // multiply by (1000 for thousands); 0 = 1
	count  bool    // whole persons
	rate   bool    // columns are intervals "1990-1995", stored at the end year
	// imputed: rows whose "Type of data" has "I" are estimates.
	imputed bool
}

type wbTable struct {
	sheet  string
	groups []wbGroup
}

var wbTables = []wbTable{
	{"Table 1", []wbGroup{
		{label: "International migrant stock at mid-year, both sexes combined", series: "migrant_stock", sex: stats.SexTotal, count: true, imputed: true},
		{label: "International migrant stock at mid-year, males", series: "migrant_stock", sex: stats.SexMale, count: true, imputed: true},
		{label: "International migrant stock at mid-year, females", series: "migrant_stock", sex: stats.SexFemale, count: true, imputed: true},
	}},
	{"Table 2", []wbGroup{
		{label: "Total population at mid-year, both sexes combined (thousands)", series: "population", sex: stats.SexTotal, scale: 1000, count: true},
		{label: "Total population at mid-year, males (thousands)", series: "population", sex: stats.SexMale, scale: 1000, count: true},
		{label: "Total population at mid-year, females (thousands)", series: "population", sex: stats.SexFemale, scale: 1000, count: true},
	}},
	{"Table 3", []wbGroup{
		{label: "International migrant stock as a percentage of the total population, both sexes combined", series: "migrant_share_of_population_published", sex: stats.SexTotal, imputed: true},
		{label: "International migrant stock as a percentage of the total population, males", series: "migrant_share_of_population_published", sex: stats.SexMale, imputed: true},
		{label: "International migrant stock as a percentage of the total population, females", series: "migrant_share_of_population_published", sex: stats.SexFemale, imputed: true},
	}},
	{"Table 4", []wbGroup{
		{label: "Female migrants as a percentage of the international migrant stock", series: "migrant_female_share_published", sex: stats.SexTotal, imputed: true},
	}},
	{"Table 5", []wbGroup{
		{label: "Annual rate of change of the migrant stock, both sexes combined", series: "migrant_stock_growth_rate", sex: stats.SexTotal, rate: true, imputed: true},
		{label: "Annual rate of change of the migrant stock, males", series: "migrant_stock_growth_rate", sex: stats.SexMale, rate: true, imputed: true},
		{label: "Annual rate of change of the migrant stock, females", series: "migrant_stock_growth_rate", sex: stats.SexFemale, rate: true, imputed: true},
	}},
	{"Table 6", []wbGroup{
		{label: "Refugee and asylum seekers at mid-year, both sexes combined", series: "refugees_undesa", sex: stats.SexTotal, count: true},
		{label: "Refugee and asylum seekers as a percentage of the international migrant stock", series: "refugees_undesa_share_of_migrant_stock", sex: stats.SexTotal, imputed: true},
		{label: "Annual rate of change of the refugee and asylum seekers, both sexes combined", series: "refugees_undesa_growth_rate", sex: stats.SexTotal, rate: true},
	}},
}

// Header cells of the workbook tables.
const (
	wbColName = "Region, development group, country or area"
	wbColCode = "Location code"
	wbColType = "Type of data"
)

// wbMissing are the workbook's symbols for "no value" (see its Notes sheet).
var wbMissing = []string{"..", "~", "—"}

// sheetProgress feeds the progress display while a sheet is read. The
// workbook is read through excelize directly, for the cells' stored values
// (tabular's XLSX reader returns them as displayed: Table 2 rounded to
// thousands, percentages to one decimal), so this reader only reports how
// far the sheet is; it yields no rows.
type sheetProgress struct {
	done  atomic.Int64
	total int64
}

func (p *sheetProgress) Header() []string           { return nil }
func (p *sheetProgress) Next() (tabular.Row, error) { return tabular.Row{}, io.EOF }
func (p *sheetProgress) Progress() (int64, int64)   { return p.done.Load(), p.total }
func (p *sheetProgress) Close() error               { return nil }

var _ tabular.Reader = (*sheetProgress)(nil)

func (ms *msLoader) workbook(path string) error {
	name := filepath.Base(path)
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
	if err != nil {
		return &tabular.CellError{File: name, Reason: fmt.Sprintf("not a readable XLSX workbook (truncated or another format?): %v", err)}
	}
	defer f.Close()
	for _, t := range wbTables {
		if err := ms.ctx.Err(); err != nil {
			return err
		}
		if err := ms.table(f, name, t); err != nil {
			return err
		}
	}
	return nil
}

// wbColumn is one value column of a table.
type wbColumn struct {
	index  int
	group  *wbGroup
	period string
	label  string // for messages: `L "2020" (International migrant stock at mid-year, both sexes combined)`
}

func (ms *msLoader) table(f *excelize.File, file string, t wbTable) error {
	label := fmt.Sprintf("%s [%s]", file, t.sheet)
	if idx, _ := f.GetSheetIndex(t.sheet); idx < 0 {
		return &tabular.CellError{File: file, Reason: fmt.Sprintf("no sheet named %q (sheets: %s)", t.sheet, strings.Join(f.GetSheetList(), ", "))}
	}
	rows, err := f.Rows(t.sheet)
	if err != nil {
		return &tabular.CellError{File: label, Reason: fmt.Sprintf("cannot read the sheet: %v", err)}
	}
	defer rows.Close()
	prog := &sheetProgress{}
	if dim, err := f.GetSheetDimension(t.sheet); err == nil {
		_, last, _ := strings.Cut(dim, ":")
		if last == "" {
			last = dim
		}
		if _, r, err := excelize.CellNameToCoordinates(last); err == nil {
			prog.total = int64(r)
		}
	}
	ms.rec.Source(label, prog)

	rowNum := 0
	next := func() ([]string, error) {
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return nil, &tabular.CellError{File: label, Row: rowNum + 1, Reason: fmt.Sprintf("cannot read row: %v", err)}
			}
			return nil, io.EOF
		}
		rowNum++
		prog.done.Store(int64(rowNum))
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, &tabular.CellError{File: label, Row: rowNum, Reason: fmt.Sprintf("cannot read row: %v", err)}
		}
		return cells, nil
	}

	// The header block: group labels on some row above the header row,
	// which holds the name, code and type columns and the years.
	var above [][]string
	var header []string
	for header == nil {
		cells, err := next()
		if err == io.EOF || err == nil && rowNum > 50 {
			return &tabular.CellError{File: label, Reason: fmt.Sprintf("no header row with %q and %q in the first 50 rows", wbColName, wbColCode)}
		}
		if err != nil {
			return err
		}
		if hasCell(cells, wbColName) || hasCell(cells, wbColCode) {
			header = cells
			break
		}
		above = append(above, cells)
	}
	headerRow := rowNum
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if _, dup := col[h]; !dup && h != "" {
			col[h] = i
		}
	}
	for _, req := range []string{wbColName, wbColCode, wbColType} {
		if _, ok := col[req]; !ok {
			return &tabular.CellError{File: label, Row: headerRow, Column: req, Reason: fmt.Sprintf("missing required column %q", req)}
		}
	}
	cols, err := wbColumns(label, headerRow, header, above, t, col[wbColType])
	if err != nil {
		return err
	}

	iName, iCode, iType := col[wbColName], col[wbColCode], col[wbColType]
	type seen struct {
		row  int
		name string
		hash uint64
	}
	seenArea := map[string]seen{}
	for {
		cells, err := next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if blankCells(cells) {
			continue
		}
		ms.rec.Read()
		at := func(i int) string {
			if i < len(cells) {
				return strings.TrimSpace(cells[i])
			}
			return ""
		}
		name := strings.TrimSpace(strings.TrimRight(at(iName), "*"))
		code := at(iCode)
		area, ok := ms.wbArea(code, name)
		if !ok {
			ms.reject(&tabular.CellError{File: label, Row: rowNum, Column: wbColCode,
				Reason: fmt.Sprintf("location code %q (%q) is not a known country or area; row not loaded", code, name)}, name)
			continue
		}
		h := fnv.New64a()
		for _, c := range cols {
			h.Write([]byte(at(c.index)))
			h.Write([]byte{0})
		}
		sum := h.Sum64()
		if prev, dup := seenArea[area.Code]; dup {
			if prev.hash == sum {
				ms.repeat(name, area, prev.name, "IMS 2020 workbook, every table")
				continue
			}
			ms.reject(&tabular.CellError{File: label, Row: rowNum, Column: wbColCode,
				Reason: fmt.Sprintf("%q is area %s (%s), already given on row %d with other figures; row not loaded", name, area.Code, area.Name, prev.row)}, name)
			continue
		}
		seenArea[area.Code] = seen{rowNum, name, sum}
		imputed := strings.Contains(strings.ToUpper(at(iType)), "I")
		for _, c := range cols {
			v, kind, err := parseCell(at(c.index), wbMissing, c.group.count)
			if err != nil {
				return &tabular.CellError{File: label, Row: rowNum, Column: c.label, Reason: err.Error()}
			}
			st := stats.Observed
			switch kind {
			case cellBlank:
				return &tabular.CellError{File: label, Row: rowNum, Column: c.label, Reason: "is empty (the table marks an unavailable value with \"..\"): truncated or edited?"}
			case cellMissing:
				st, v = stats.Missing, 0
				ms.countMissing(file, strings.TrimSpace(at(c.index)))
			default:
				if c.group.scale != 0 {
					v *= c.group.scale
					if c.group.count {
						v = math.Round(v)
					}
				}
				if imputed && c.group.imputed {
					st = stats.Estimated
				}
			}
			ms.add(c.group.series, area.Code, "", c.period, c.group.sex, v, st)
		}
		ms.rec.Loaded(1)
	}
}

// repeat counts a row that repeats an area with identical figures.
func (ms *msLoader) repeat(name string, a geo.Area, firstName, where string) {
	if ms.repeats == nil {
		ms.repeats = map[string]int{}
	}
	ms.repeats[fmt.Sprintf("%q = %q = area %s %s, %s", name, firstName, a.Code, a.Name, where)]++
}

// wbArea matches a workbook row: by UN location code, else by name.
func (ms *msLoader) wbArea(code, name string) (geo.Area, bool) {
	if c, ok := unCode(code); ok {
		if a, ok := ms.m.MatchCode(c); ok {
			return a, true
		}
	}
	if name == "" {
		return geo.Area{}, false
	}
	return ms.m.MatchName(name)
}

// unCode reads a numeric location code ("900", or "900.0" from a float cell).
func unCode(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f != math.Trunc(f) || f > 1e6 {
		return "", false
	}
	return strconv.FormatInt(int64(f), 10), true
}

// wbColumns maps the value columns of a table: each must fall under one of
// the table's group labels (found in the rows above the header) and carry a
// year, or an interval for rate groups.
func wbColumns(label string, headerRow int, header []string, above [][]string, t wbTable, lastFixed int) ([]wbColumn, error) {
	// Find the row of group labels: the one holding the first label.
	var labels []string
	labelRow := 0
	for i, r := range above {
		if hasCell(r, t.groups[0].label) {
			labels, labelRow = r, i+1
			break
		}
	}
	if labels == nil {
		return nil, &tabular.CellError{File: label, Row: headerRow, Reason: fmt.Sprintf("no group label %q above the header", t.groups[0].label)}
	}
	// start column of each group label
	type span struct {
		g     *wbGroup
		start int
	}
	var spans []span
	for i := range t.groups {
		g := &t.groups[i]
		j := slices.IndexFunc(labels, func(s string) bool { return strings.TrimSpace(s) == g.label })
		if j < 0 {
			return nil, &tabular.CellError{File: label, Row: labelRow, Reason: fmt.Sprintf("no column group %q (the header block has %s)", g.label, nonEmpty(labels))}
		}
		spans = append(spans, span{g, j})
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a].start < spans[b].start })
	var cols []wbColumn
	for k, s := range spans {
		end := len(header)
		if k+1 < len(spans) {
			end = spans[k+1].start
		}
		if s.start <= lastFixed {
			return nil, &tabular.CellError{File: label, Row: labelRow, Reason: fmt.Sprintf("column group %q starts before the value columns", s.g.label)}
		}
		for i := s.start; i < end; i++ {
			h := strings.TrimSpace(header[i])
			letter, _ := excelize.ColumnNumberToName(i + 1)
			c := wbColumn{index: i, group: s.g, label: fmt.Sprintf("%s %q (%s)", letter, h, s.g.label)}
			if h == "" {
				// trailing empty header cells past the last year
				continue
			}
			var ok bool
			if s.g.rate {
				c.period, ok = intervalEnd(h)
			} else {
				c.period, ok = yearCell(h)
			}
			if !ok {
				want := "a year"
				if s.g.rate {
					want = "an interval of years (1990-1995)"
				}
				return nil, &tabular.CellError{File: label, Row: headerRow, Column: c.label, Reason: fmt.Sprintf("header %q is not %s", h, want)}
			}
			cols = append(cols, c)
		}
		if len(cols) == 0 || cols[len(cols)-1].group != s.g {
			return nil, &tabular.CellError{File: label, Row: headerRow, Reason: fmt.Sprintf("column group %q has no year columns", s.g.label)}
		}
	}
	return cols, nil
}

func nonEmpty(cells []string) string {
	var out []string
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, strconv.Quote(c))
		}
	}
	return strings.Join(out, ", ")
}

func yearCell(s string) (string, bool) {
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && f >= 1900 && f <= 2200 {
		return strconv.Itoa(int(f)), true
	}
	return "", false
}

func intervalEnd(s string) (string, bool) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return "", false
	}
	a, ok1 := yearCell(strings.TrimSpace(from))
	b, ok2 := yearCell(strings.TrimSpace(to))
	if !ok1 || !ok2 || a >= b {
		return "", false
	}
	return b, true
}

func hasCell(cells []string, want string) bool {
	return slices.ContainsFunc(cells, func(s string) bool { return strings.TrimSpace(s) == want })
}

func blankCells(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------------------
// IMS 2019 bilateral matrices

// Section headings of the matrices' destination column: no areas.
var bilateralHeadings = []string{
	"UN development groups",
	"World Bank income groups",
	"Geographic regions",
	"Sustainable Development Goal (SDG) regions",
}

// Residual origin columns: no areas.
var bilateralResidual = []string{"Other South", "Other North"}

// bilateralMissing are the matrices' symbols for "no value".
var bilateralMissing = []string{"..", "-"}

const (
	bilYear  = "Year"
	bilDest  = "Destination"
	bilTotal = "Total"
)

func (ms *msLoader) bilateral(path, sex string) error {
	file := filepath.Base(path)
	r, err := tabular.OpenCSV(path, tabular.Options{Required: append([]string{bilYear, bilDest, bilTotal}, bilateralResidual...)})
	if err != nil {
		return err
	}
	defer r.Close()
	ms.rec.Source(file, r)
	header := r.Header()

	// Origins: one area code per column ("" = not stored).
	origin := make([]string, len(header))
	originCol := map[string]string{} // area code → column, for repeated areas
	for i, h := range header {
		h = strings.TrimSpace(h)
		switch {
		case h == bilYear || h == bilDest:
			continue
		case h == bilTotal:
			origin[i] = worldCode
			ms.totalColumn = true
			continue
		case slices.Contains(bilateralResidual, h):
			if ms.residual == nil {
				ms.residual = map[string]int{}
			}
			ms.residual[h]++
			continue
		}
		a, ok := ms.m.Match(h)
		if !ok {
			ms.reject(&tabular.CellError{File: file, Row: 1, Column: h, Reason: "origin is not a known country or area; the column is not loaded"}, h)
			continue
		}
		if prev, dup := originCol[a.Code]; dup || a.Code == worldCode {
			if a.Code == worldCode {
				prev = bilTotal
			}
			ms.reject(&tabular.CellError{File: file, Row: 1, Column: h, Reason: fmt.Sprintf("origin is area %s (%s), as column %q; the column is not loaded", a.Code, a.Name, prev)}, h)
			continue
		}
		originCol[a.Code] = h
		origin[i] = a.Code
	}

	type seen struct {
		row  int
		name string
		hash uint64
	}
	seenArea := map[string]seen{} // year|area
	iYear, iDest := slices.Index(header, bilYear), slices.Index(header, bilDest)
	for {
		if err := ms.ctx.Err(); err != nil {
			return err
		}
		row, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		ms.rec.Read()
		cells := row.Cells()
		year, ok := yearCell(strings.TrimSpace(cells[iYear]))
		if !ok {
			return row.Errorf(bilYear, "%q is not a year", clipCell(row.Get(bilYear)))
		}
		dest := strings.TrimSpace(cells[iDest])
		if slices.Contains(bilateralHeadings, dest) {
			if ms.headings == nil {
				ms.headings = map[string]int{}
			}
			ms.headings[dest]++
			continue
		}
		nm, cached := ms.names[dest]
		if !cached {
			a, ok := ms.m.Match(dest)
			nm = nameMatch{a.Code, ok}
			ms.names[dest] = nm
		}
		if !nm.ok {
			ms.reject(row.Errorf(bilDest, "%q is not a known country or area; row not loaded", clipCell(dest)), dest)
			continue
		}
		h := fnv.New64a()
		for i, c := range cells {
			if origin[i] != "" {
				h.Write([]byte(c))
				h.Write([]byte{0})
			}
		}
		sum := h.Sum64()
		key := year + "|" + nm.code
		if prev, dup := seenArea[key]; dup {
			if prev.hash == sum {
				a, _ := ms.m.Area(nm.code)
				ms.repeat(dest, a, prev.name, "IMS 2019 matrices, every year and sex")
				continue
			}
			ms.reject(row.Errorf(bilDest, "%q is area %s, already given on row %d for %s with other figures; row not loaded", dest, nm.code, prev.row, year), dest)
			continue
		}
		seenArea[key] = seen{row.Number, dest, sum}
		for i, c := range cells {
			if origin[i] == "" {
				continue
			}
			v, kind, err := parseCell(c, bilateralMissing, true)
			if err != nil {
				return row.Errorf(header[i], "%s", err.Error())
			}
			st := stats.Observed
			switch kind {
			case cellBlank:
				ms.blanks++
				continue
			case cellMissing:
				st, v = stats.Missing, 0
				ms.countMissing(file, strings.TrimSpace(c))
			}
			ms.add("migrant_stock_bilateral", nm.code, origin[i], year, sex, v, st)
		}
		ms.rec.Loaded(1)
	}
}
