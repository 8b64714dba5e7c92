package importer_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"github.com/corridor-platform/corridor/internal/testenv"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
	"github.com/corridor-platform/corridor/internal/tabular"
)

// The tests below read the real shipped files.
var (
	dataRoot = filepath.Join("..", "..", "data")
	imsFiles = importer.MigrantStockFiles(dataRoot)
)

const imsWorkbookName = "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"

// ---------------------------------------------------------------------------
// Figures read from the source files independently of the importer.

// wbCell is one cell of the IMS 2020 workbook, located by the test itself.
type wbCell struct {
	sheet string
	row   int    // 1-based
	col   int    // 0-based
	raw   string // stored value
}

func (c wbCell) ref() string {
	name, _ := excelize.CoordinatesToCellName(c.col+1, c.row)
	return name
}

// workbookCell finds the cell of an area (by the name in column B) for a
// group label and a year header, reading the workbook with excelize.
func workbookCell(t *testing.T, f *excelize.File, sheet, area, group, year string) wbCell {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	groupRow, headerRow := -1, -1
	for i, r := range rows {
		if groupRow < 0 && slices.Contains(r, group) {
			groupRow = i
		}
		if slices.Contains(r, "Location code") {
			headerRow = i
			break
		}
	}
	if groupRow < 0 || headerRow < 0 {
		t.Fatalf("%s: group %q or header not found", sheet, group)
	}
	start := slices.Index(rows[groupRow], group)
	col := -1
	for j := start; j < len(rows[headerRow]); j++ {
		if rows[headerRow][j] == year {
			col = j
			break
		}
	}
	if col < 0 {
		t.Fatalf("%s: no column %s after group %q", sheet, year, group)
	}
	for i := headerRow + 1; i < len(rows); i++ {
		r := rows[i]
		if len(r) > 1 && strings.TrimSpace(strings.TrimRight(strings.TrimSpace(r[1]), "*")) == area {
			return wbCell{sheet: sheet, row: i + 1, col: col, raw: r[col]}
		}
	}
	t.Fatalf("%s: no row %q", sheet, area)
	return wbCell{}
}

func (c wbCell) float(t *testing.T) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(c.raw, 64)
	if err != nil {
		t.Fatalf("%s!%s = %q: %v", c.sheet, c.ref(), c.raw, err)
	}
	return v
}

// matrixCell returns a cell of a 2019 matrix: the row of a year and
// destination, the column of an origin.
func matrixCell(t *testing.T, path, year, dest, origin string) (value string, row int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(header, origin)
	if col < 0 {
		t.Fatalf("%s: no column %q", path, origin)
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec[0] == year && rec[1] == dest {
			return rec[col], line
		}
	}
	t.Fatalf("%s: no row %s %s", path, year, dest)
	return "", 0
}

// ---------------------------------------------------------------------------

func imsRunner(t *testing.T, e storetest.Engine) *importer.Runner {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, e.DSN, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rn := &importer.Runner{DB: db, Registry: importer.Builtin(), DataDir: dataRoot, Host: "test"}
	if _, err := rn.Run(ctx, "countries", nil); err != nil {
		t.Fatal(err)
	}
	return rn
}

// obs returns one stored observation; ok is false when there is none.
func obs(t *testing.T, db *store.DB, series, area, counterpart, period, sex string) (stats.Observation, bool) {
	t.Helper()
	q := store.ObservationQuery{Series: series, Areas: []string{area}, Counterpart: counterpart,
		Period: stats.PeriodRange{From: period, To: period}, Sex: sex}
	got, err := db.Stats().Observations(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	switch len(got) {
	case 0:
		return stats.Observation{}, false
	case 1:
		return got[0], true
	}
	t.Fatalf("%s %s/%s %s %s: %d observations", series, area, counterpart, period, sex, len(got))
	return stats.Observation{}, false
}

func wantValue(t *testing.T, db *store.DB, series, area, counterpart, period, sex string, want float64, status stats.Status) {
	t.Helper()
	o, ok := obs(t, db, series, area, counterpart, period, sex)
	switch {
	case !ok:
		t.Errorf("%s %s←%s %s %s: not stored, want %v", series, area, counterpart, period, sex, want)
	case o.Status != status || o.Value != want:
		t.Errorf("%s %s←%s %s %s = %v (%s), want %v (%s)", series, area, counterpart, period, sex, o.Value, o.Status, want, status)
	}
}

// fingerprint summarises everything the dataset stored.
func fingerprint(t *testing.T, db *store.DB) string {
	t.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), `SELECT series, status, COUNT(*), COUNT(value), COALESCE(SUM(value), 0)
		FROM `+db.AllObservations()+` GROUP BY series, status ORDER BY series, status`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var s, st string
		var n, nv int64
		var sum float64
		if err := rows.Scan(&s, &st, &n, &nv, &sum); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s %d %d %.6g\n", s, st, n, nv, sum)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var nSeries int64
	if err := db.SQL().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM series`).Scan(&nSeries); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "series %d\n", nSeries)
	return b.String()
}

// TestMigrantStock imports the shipped files and checks figures against
// cells read from the same files here, then re-imports and imports broken
// copies.
func TestMigrantStock(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	wb, err := excelize.OpenFile(imsFiles[0])
	if err != nil {
		t.Fatal(err)
	}
	const (
		stockTotal  = "International migrant stock at mid-year, both sexes combined"
		stockMale   = "International migrant stock at mid-year, males"
		stockFemale = "International migrant stock at mid-year, females"
	)
	world2020 := workbookCell(t, wb, "Table 1", "WORLD", stockTotal, "2020")
	kenya := map[string]wbCell{
		stats.SexTotal:  workbookCell(t, wb, "Table 1", "Kenya", stockTotal, "2020"),
		stats.SexMale:   workbookCell(t, wb, "Table 1", "Kenya", stockMale, "2020"),
		stats.SexFemale: workbookCell(t, wb, "Table 1", "Kenya", stockFemale, "2020"),
	}
	kenyaPop := workbookCell(t, wb, "Table 2", "Kenya", "Total population at mid-year, both sexes combined (thousands)", "2020")
	kenyaShare := workbookCell(t, wb, "Table 3", "Kenya", "International migrant stock as a percentage of the total population, both sexes combined", "2020")
	kenyaRate := workbookCell(t, wb, "Table 5", "Kenya", "Annual rate of change of the migrant stock, both sexes combined", "2015-2020")
	southSudan1990 := workbookCell(t, wb, "Table 1", "South Sudan", stockTotal, "1990")
	eritrea2020 := workbookCell(t, wb, "Table 1", "Eritrea", stockTotal, "2020") // type of data "I R": imputed
	comoros1990 := workbookCell(t, wb, "Table 6", "Comoros", "Refugee and asylum seekers at mid-year, both sexes combined", "1990")
	wb.Close()
	if world2020.float(t) != 280598105 {
		t.Fatalf("workbook WORLD 2020 = %s, PROVENANCE says 280,598,105", world2020.raw)
	}
	if southSudan1990.raw != ".." || comoros1990.raw != "~" {
		t.Fatalf("fixture cells changed: South Sudan 1990 %q, Comoros refugees 1990 %q", southSudan1990.raw, comoros1990.raw)
	}

	germanySyria, _ := matrixCell(t, imsFiles[1], "2019", "Germany", "Syrian Arab Republic")
	germanyTotal, _ := matrixCell(t, imsFiles[1], "2019", "Germany", "Total")
	if germanySyria != "589628" || germanyTotal != "13132146" {
		t.Fatalf("matrix Germany 2019: total %q, from Syria %q; PROVENANCE says 13,132,146 and 589,628", germanyTotal, germanySyria)
	}
	sxm1990, _ := matrixCell(t, imsFiles[1], "1990", "Sint Maarten (Dutch part)", "Total")
	kenyaAlbania, _ := matrixCell(t, imsFiles[1], "2019", "Kenya", "Albania")
	if sxm1990 != ".." || kenyaAlbania != "" {
		t.Fatalf("fixture cells changed: Sint Maarten 1990 total %q, Kenya←Albania 2019 %q", sxm1990, kenyaAlbania)
	}

	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		rn := imsRunner(t, e)
		db := rn.DB
		rep, err := rn.Run(ctx, importer.MigrantStockName, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s", rep.Summary(20))

		// The report: every row accounted for, no unmatched name.
		if rep.Rejected != 0 || len(rep.Rejections) != 0 {
			t.Errorf("%d rows rejected: %v", rep.Rejected, rep.Rejections)
		}
		// 6 tables × 283 rows + 3 matrices × 1,981 rows.
		if rep.Read != 6*283+3*1981 {
			t.Errorf("rows read = %d, want %d", rep.Read, 6*283+3*1981)
		}
		notes := strings.Join(rep.Notes, "\n")
		for _, want := range []string{
			`"UN development groups" (21 rows)`, `"World Bank income groups" (21 rows)`,
			`"Geographic regions" (21 rows)`, `"Sustainable Development Goal (SDG) regions" (21 rows)`,
			`"Other North" (3 files)`, `"Other South" (3 files)`,
			"migrant_stock_bilateral 451483",
		} {
			if !strings.Contains(notes, want) {
				t.Errorf("notes lack %q:\n%s", want, notes)
			}
		}
		if strings.Contains(notes, "unmatched") {
			t.Errorf("notes list unmatched names:\n%s", notes)
		}

		// Figures equal the source cells.
		wantValue(t, db, "migrant_stock", "001", "", "2020", stats.SexTotal, 280598105, stats.Observed)
		for sex, c := range kenya {
			wantValue(t, db, "migrant_stock", "KEN", "", "2020", sex, c.float(t), stats.Observed)
		}
		wantValue(t, db, "population", "KEN", "", "2020", stats.SexTotal, math.Round(kenyaPop.float(t)*1000), stats.Observed)
		wantValue(t, db, "migrant_share_of_population_published", "KEN", "", "2020", stats.SexTotal, kenyaShare.float(t), stats.Observed)
		wantValue(t, db, "migrant_stock_growth_rate", "KEN", "", "2020", stats.SexTotal, kenyaRate.float(t), stats.Observed)
		wantValue(t, db, "migrant_stock", "ERI", "", "2020", stats.SexTotal, eritrea2020.float(t), stats.Estimated)
		wantValue(t, db, "migrant_stock_bilateral", "DEU", "001", "2019", stats.SexTotal, 13132146, stats.Observed)
		wantValue(t, db, "migrant_stock_bilateral", "DEU", "SYR", "2019", stats.SexTotal, 589628, stats.Observed)

		// ".." and "~" are stored as missing, not zero; an empty matrix
		// cell stores nothing.
		wantValue(t, db, "migrant_stock", "SSD", "", "1990", stats.SexTotal, 0, stats.Missing)
		wantValue(t, db, "refugees_undesa", "COM", "", "1990", stats.SexTotal, 0, stats.Missing)
		wantValue(t, db, "migrant_stock_bilateral", "SXM", "001", "1990", stats.SexTotal, 0, stats.Missing)
		var null sql.NullFloat64
		if err := db.SQL().QueryRowContext(ctx, `SELECT value FROM `+db.AllObservations()+` WHERE series = 'migrant_stock' AND area = 'SSD' AND period = '1990' AND sex = 'total'`).Scan(&null); err != nil || null.Valid {
			t.Errorf("missing value stored as %v (%v), want NULL", null, err)
		}
		if o, ok := obs(t, db, "migrant_stock_bilateral", "KEN", "ALB", "2019", stats.SexTotal); ok {
			t.Errorf("empty matrix cell stored as %+v", o)
		}

		// Aggregates are the source's own, under the matcher's codes.
		wantValue(t, db, "migrant_stock_bilateral", "001", "001", "2019", stats.SexTotal, 271642105, stats.Observed)
		if o, ok := obs(t, db, "migrant_stock", "947", "", "2020", stats.SexTotal); !ok || o.Value != 22221538 {
			t.Errorf("Sub-Saharan Africa (947) 2020 = %+v, want 22,221,538", o)
		}

		// Every series carries source, licence and citation.
		for _, s := range importer.MigrantStockSeries() {
			got, err := db.Stats().Series(ctx, s.Code)
			if err != nil {
				t.Fatal(err)
			}
			if got.Licence != "CC BY 3.0 IGO" || !strings.HasPrefix(got.Source, "UN DESA Population Division, International Migrant Stock 20") ||
				!strings.HasPrefix(got.Citation, "United Nations DESA, Population Division (20") || got.Dataset != importer.MigrantStockName {
				t.Errorf("series %s = %+v", s.Code, got)
			}
		}
		if s, _ := db.Stats().Series(ctx, "migrant_stock_bilateral"); !s.Bilateral || !strings.Contains(s.Citation, "(2019)") {
			t.Errorf("bilateral series = %+v", s)
		}

		before := fingerprint(t, db)

		// The same files again: nothing to do.
		again, err := rn.Run(ctx, importer.MigrantStockName, nil)
		if err != nil || !again.Unchanged {
			t.Errorf("re-import: %+v, %v; want unchanged", again.Unchanged, err)
		}

		// Broken copies fail naming file, row and column, and change nothing.
		for _, bc := range brokenIMS(t) {
			t.Run(bc.name, func(t *testing.T) {
				_, err := rn.Run(ctx, importer.MigrantStockName, bc.files)
				ce, ok := tabular.AsCellError(err)
				if !ok {
					t.Fatalf("err = %v, want a *tabular.CellError", err)
				}
				if ce.File != bc.file || ce.Row != bc.row || !strings.Contains(ce.Column, bc.column) || !strings.Contains(ce.Reason, bc.reason) {
					t.Errorf("err = %+v\nwant file %q row %d column ~%q reason ~%q", ce, bc.file, bc.row, bc.column, bc.reason)
				}
				if got := fingerprint(t, db); got != before {
					t.Errorf("a failed import changed the data:\n%s\nwant\n%s", got, before)
				}
				wantValue(t, db, "migrant_stock", "001", "", "2020", stats.SexTotal, 280598105, stats.Observed)
			})
		}

		// A forced reload (a newer loader version) stores the same figures.
		ds := importer.MigrantStock()
		ds.Version++
		forced := &importer.Runner{DB: db, Registry: importer.NewRegistry(ds), DataDir: dataRoot}
		rep2, err := forced.Run(ctx, importer.MigrantStockName, nil)
		if err != nil || rep2.Unchanged {
			t.Fatalf("forced re-import: unchanged %v, %v", rep2.Unchanged, err)
		}
		if got := fingerprint(t, db); got != before {
			t.Errorf("re-import changed the data:\n%s\nwant\n%s", got, before)
		}
		if rep2.Read != rep.Read || rep2.Loaded != rep.Loaded || rep2.Rejected != 0 {
			t.Errorf("re-import report %d/%d/%d, first %d/%d/%d", rep2.Read, rep2.Loaded, rep2.Rejected, rep.Read, rep.Loaded, rep.Rejected)
		}
	})
}

type brokenCase struct {
	name   string
	files  []string
	file   string
	row    int
	column string
	reason string
}

// brokenIMS writes broken copies of the shipped files: each case is the
// four files with one of them damaged.
func brokenIMS(t *testing.T) []brokenCase {
	t.Helper()
	dir := t.TempDir()
	with := func(i int, path string) []string {
		fs := slices.Clone(imsFiles)
		fs[i] = path
		return fs
	}
	read := func(i int) string {
		b, err := os.ReadFile(imsFiles[i])
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	write := func(sub, name, content string) string {
		p := filepath.Join(dir, sub, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var cases []brokenCase

	// A renamed column in the male matrix.
	male := filepath.Base(imsFiles[2])
	src := read(2)
	cases = append(cases, brokenCase{"renamed matrix column",
		with(2, write("renamed", male, strings.Replace(src, ",Destination,", ",Destination area,", 1))),
		male, 1, "Destination", "missing required column"})

	// Text in a number cell of the female matrix: Germany 2019, from Syria.
	female := filepath.Base(imsFiles[3])
	fsrc := read(3)
	_, row := matrixCell(t, imsFiles[3], "2019", "Germany", "Syrian Arab Republic")
	lines := strings.SplitAfter(fsrc, "\n")
	header, err := csv.NewReader(strings.NewReader(lines[0])).Read()
	if err != nil {
		t.Fatal(err)
	}
	syria := slices.Index(header, "Syrian Arab Republic")
	// Germany's data rows hold numbers only: no quoted commas.
	fields := strings.Split(strings.TrimRight(lines[row-1], "\r\n"), ",")
	if len(fields) != len(header) {
		t.Fatalf("row %d has %d fields", row, len(fields))
	}
	fields[syria] = "about 590k"
	lines[row-1] = strings.Join(fields, ",") + "\n"
	cases = append(cases, brokenCase{"text in a matrix number cell",
		with(3, write("text", female, strings.Join(lines, ""))),
		female, row, "Syrian Arab Republic", `"about 590k" is not a number`})

	// A truncated matrix: cut in the middle of a row.
	total := filepath.Base(imsFiles[1])
	tsrc := read(1)
	cut := strings.Index(tsrc[len(tsrc)/2:], "\n") + len(tsrc)/2 + 40
	truncRow := strings.Count(tsrc[:cut], "\n") + 1
	cases = append(cases, brokenCase{"truncated matrix",
		with(1, write("trunc", total, tsrc[:cut])),
		total, truncRow, "", "truncated"})

	// The workbook: a renamed column, text in a number cell, a truncated file.
	wbCopy := func(sub string, edit func(f *excelize.File)) string {
		f, err := excelize.OpenFile(imsFiles[0])
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		edit(f)
		p := filepath.Join(dir, sub, imsWorkbookName)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := f.SaveAs(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases = append(cases, brokenCase{"renamed workbook column",
		with(0, wbCopy("wbrenamed", func(f *excelize.File) {
			if err := f.SetCellValue("Table 3", "D11", "Location"); err != nil {
				t.Fatal(err)
			}
		})),
		imsWorkbookName + " [Table 3]", 11, "Location code", "missing required column"})
	var kenyaMale wbCell
	textWB := wbCopy("wbtext", func(f *excelize.File) {
		kenyaMale = workbookCell(t, f, "Table 1", "Kenya", "International migrant stock at mid-year, males", "2020")
		if err := f.SetCellValue("Table 1", kenyaMale.ref(), "n/a"); err != nil {
			t.Fatal(err)
		}
	})
	letter, _ := excelize.ColumnNumberToName(kenyaMale.col + 1)
	cases = append(cases, brokenCase{"text in a workbook number cell", with(0, textWB),
		imsWorkbookName + " [Table 1]", kenyaMale.row, letter + ` "2020" (International migrant stock at mid-year, males)`, `"n/a" is not a number`})
	wsrc, err := os.ReadFile(imsFiles[0])
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, brokenCase{"truncated workbook",
		with(0, write("wbtrunc", imsWorkbookName, string(wsrc[:len(wsrc)/2]))),
		imsWorkbookName, 0, "", "not a readable XLSX workbook"})
	return cases
}

// TestMigrantStockNeedsReference: without the countries dataset nothing can
// be matched; the import says so instead of rejecting every row.
func TestMigrantStockNeedsReference(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.Engines(t)[0].DSN, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rn := &importer.Runner{DB: db, Registry: importer.Builtin(), DataDir: dataRoot}
	if _, err := rn.Run(ctx, importer.MigrantStockName, nil); err == nil || !strings.Contains(err.Error(), "corridor import countries") {
		t.Errorf("err = %v, want a pointer to `corridor import countries`", err)
	}
}

// TestMigrantStockFileOrder: the matrices are told apart by position; a
// file named for another sex is refused.
func TestMigrantStockFileOrder(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	rn := imsRunner(t, storetest.Engines(t)[0])
	files := []string{imsFiles[0], imsFiles[1], imsFiles[3], imsFiles[2]}
	_, err := rn.Run(context.Background(), importer.MigrantStockName, files)
	if err == nil || !strings.Contains(err.Error(), "file 3 must be the male matrix") {
		t.Errorf("err = %v", err)
	}
}
