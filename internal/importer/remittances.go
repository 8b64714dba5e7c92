package importer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/tabular"
)

// The remittance-flows dataset: the World Bank's remittance flows. Seven
// CSV files, in this order:
//
//  1. WDI BX.TRF.PWKR.CD.DT, personal remittances received (current US$)
//  2. WDI BM.TRF.PWKR.CD.DT, personal remittances paid (current US$)
//  3. WDI BX.TRF.PWKR.DT.GD.ZS, personal remittances received (% of GDP)
//  4. KNOMAD remittance inflows, June 2023 (US$ million)
//  5. KNOMAD remittance outflows, June 2023 (US$ million; and % of GDP 2022)
//  6. the bilateral remittance matrix 2021 (KNOMAD/World Bank, December 2022)
//  7. the bilateral remittance estimates 2017 (World Bank, April 2018)
//
// Each file is checked to be what its position says (the WDI Indicator
// Code, the KNOMAD table title, the matrix title and axes) before it is
// read. The KNOMAD and matrix spreadsheets are also shipped as .xlsx; they
// are read from their CSV conversions, which keep the workbook's full
// precision (the XLSX cells are formatted to whole millions).
//
// Series (sex total, period = year):
//
//	remittances_received_usd          WDI, current US$
//	remittances_paid_usd              WDI, current US$
//	remittances_received_pct_gdp      WDI, % of GDP
//	remittances_inflows_knomad_usd    KNOMAD, published in US$ million, stored in US$ (× 1,000,000)
//	remittances_outflows_knomad_usd   KNOMAD, likewise
//	remittances_outflows_knomad_pct_gdp  KNOMAD outflows' "% of GDP in 2022" column
//	bilateral_remittances_usd         the matrices, US$ million stored in US$; area =
//	                                  receiving country (the matrices' columns, "across"),
//	                                  counterpart = sending country (rows, "down");
//	                                  status estimated (modelled, not reported, data);
//	                                  the WORLD row and column are stored with the World
//	                                  (001) as counterpart or area, as published
//
// Aggregates the sources publish (World, income groups, regions: "WB-…"
// areas) are stored as published, never recomputed. An empty cell of WDI
// or KNOMAD is stored as missing (no data), never zero; a 0 is stored as
// published. An empty cell of a matrix is a pair the matrix gives no
// estimate for (the 2021 matrix leaves them blank where the 2017 one writes
// 0): no observation is stored and the report counts them. The four "-"
// cells of the 2017 matrix (India–Pakistan and Israel–Lebanon, both ways:
// not estimated) are stored as missing. A row or column
// whose name is no area (WDI's "Not classified", INX) is rejected with its
// file, row and column; text in a number fails the import.

// RemittanceFlowsName is the dataset name.
const RemittanceFlowsName = "remittance-flows"

const (
	remitWDISource        = "World Bank, World Development Indicators"
	remitWDILicence       = "CC BY 4.0"
	remitWDIUpdated       = "2023-05-10" // of the shipped files, whose CSV conversion dropped the preamble
	remitKnomadSource     = "KNOMAD/World Bank, annual remittance flows, June 2023 release"
	remitKnomadLicence    = "none stated (World Bank/KNOMAD publication; cite as shown)"
	remitInflowsCitation  = "World Bank-KNOMAD, June 2023"
	remitOutflowsCitation = "KNOMAD/World Bank, 2023"
	remitMatrixSource     = "KNOMAD/World Bank bilateral remittance estimates (modelled: Ratha and Shaw 2007 method)"
	remitMatrixCitation   = "KNOMAD/World Bank Bilateral Remittance Matrix 2021, December 2022 (period 2021); World Bank Bilateral Remittance Estimates for 2017, April 2018 version (period 2017)"
	remitUSD              = "current US$"
	remitMillion          = 1e6
)

// remitWDIFiles are the WDI indicators of files 1–3.
var remitWDIFiles = []struct{ indicator, series, name, unit string }{
	{"BX.TRF.PWKR.CD.DT", "remittances_received_usd", "Personal remittances, received (current US$)", remitUSD},
	{"BM.TRF.PWKR.CD.DT", "remittances_paid_usd", "Personal remittances, paid (current US$)", remitUSD},
	{"BX.TRF.PWKR.DT.GD.ZS", "remittances_received_pct_gdp", "Personal remittances, received (% of GDP)", "% of GDP"},
}

// RemittanceFlowsFiles are the shipped files under dataDir, in Load's order.
func RemittanceFlowsFiles(dataDir string) []string {
	dir := filepath.Join(dataDir, "remittances")
	return []string{
		filepath.Join(dir, "wdi", "BX.TRF.PWKR.CD.DT_received_usd.csv"),
		filepath.Join(dir, "wdi", "BM.TRF.PWKR.CD.DT_paid_usd.csv"),
		filepath.Join(dir, "wdi", "BX.TRF.PWKR.DT.GD.ZS_received_pct_gdp.csv"),
		filepath.Join(dir, "knomad", "knomad_remittance_inflows_june2023.csv"),
		filepath.Join(dir, "knomad", "knomad_remittance_outflows_june2023.csv"),
		filepath.Join(dir, "bilateral", "bilateral_remittance_matrix_2021.csv"),
		filepath.Join(dir, "bilateral", "WB_Bilateral_Remittance_Estimates_2017.csv"),
	}
}

// RemittanceFlowsSeries declares the dataset's series; wdiUpdated gives the
// Last Updated Date of each WDI file (by indicator).
func RemittanceFlowsSeries(wdiUpdated map[string]string) []stats.Series {
	var out []stats.Series
	for _, f := range remitWDIFiles {
		d := wdiUpdated[f.indicator]
		if d == "" {
			d = remitWDIUpdated
		}
		out = append(out, stats.Series{Code: f.series, Name: f.name, Unit: f.unit, Dataset: RemittanceFlowsName,
			Source: remitWDISource + ", " + f.indicator, Licence: remitWDILicence,
			Citation: fmt.Sprintf("World Bank, World Development Indicators, %s (Last Updated Date %s)", f.indicator, d)})
	}
	k := func(code, name, unit, citation string) stats.Series {
		return stats.Series{Code: code, Name: name, Unit: unit, Dataset: RemittanceFlowsName,
			Source: remitKnomadSource, Licence: remitKnomadLicence, Citation: citation}
	}
	return append(out,
		k("remittances_inflows_knomad_usd", "Remittance inflows (KNOMAD estimates; published in US$ million)", remitUSD, remitInflowsCitation),
		k("remittances_outflows_knomad_usd", "Remittance outflows (KNOMAD estimates; published in US$ million)", remitUSD, remitOutflowsCitation),
		k("remittances_outflows_knomad_pct_gdp", "Remittance outflows (KNOMAD estimates), % of GDP", "% of GDP", remitOutflowsCitation),
		stats.Series{Code: "bilateral_remittances_usd",
			Name: "Bilateral remittances, estimated (area: receiving country; counterpart: sending country; published in US$ million)",
			Unit: remitUSD, Dataset: RemittanceFlowsName, Source: remitMatrixSource, Licence: remitKnomadLicence,
			Citation: remitMatrixCitation, Bilateral: true},
	)
}

// RemittanceFlows is the remittance-flows dataset.
func RemittanceFlows() Dataset {
	const usage = "WDI received US$ .csv, WDI paid US$ .csv, WDI received % of GDP .csv, KNOMAD inflows .csv, KNOMAD outflows .csv, bilateral matrix 2021 .csv, bilateral estimates 2017 .csv"
	return Dataset{
		Name:         RemittanceFlowsName,
		Description:  "World Bank remittance flows: WDI received, paid and % of GDP; KNOMAD inflows and outflows; bilateral remittance matrices 2021 and 2017",
		Version:      1,
		Usage:        usage,
		DefaultFiles: RemittanceFlowsFiles,
		CheckFiles:   CheckCount(usage, ".csv", ".csv", ".csv", ".csv", ".csv", ".csv", ".csv"),
		Load:         loadRemittanceFlows,
	}
}

// remitLoader holds the state of one import.
type remitLoader struct {
	ctx       context.Context
	rec       *Recorder
	w         *sortedObservations
	wdi       *geo.Matcher
	knomad    *geo.Matcher
	perSeries map[string]int64
	missing   map[string]int64 // series → cells stored as missing
	blanks    map[string]int64 // matrix file → empty cells, no observation
	unmatched *impTally
	years     map[string]string // matrix period → file
	dashes    []string          // matrix cells "-", stored as missing
}

// remitStop ends a table before the notes below it.
var remitStop = errors.New("end of table")

func loadRemittanceFlows(ctx context.Context, tx *store.Tx, files []string, rec *Recorder) error {
	base, err := referenceMatcher(ctx, tx)
	if err != nil {
		return err
	}
	updated := map[string]string{}
	for i, f := range remitWDIFiles {
		if d, err := wdiLastUpdated(files[i]); err != nil {
			return err
		} else if d != "" {
			updated[f.indicator] = d
		}
	}
	if err := store.ReplaceSeries(ctx, tx, RemittanceFlowsName, RemittanceFlowsSeries(updated)); err != nil {
		return err
	}
	rl := &remitLoader{
		ctx: ctx, rec: rec, w: &sortedObservations{},
		wdi: base.ForSource(geo.SourceWDI), knomad: base.ForSource("knomad"),
		perSeries: map[string]int64{}, missing: map[string]int64{}, blanks: map[string]int64{},
		unmatched: newImpTally(), years: map[string]string{},
	}
	err = func() error {
		for i, f := range remitWDIFiles {
			if err := rl.wdiFile(files[i], f.indicator, f.series); err != nil {
				return err
			}
		}
		if err := rl.knomadFile(files[3], "Remittance inflows (US$ million)", "remittances_inflows_knomad_usd", ""); err != nil {
			return err
		}
		if err := rl.knomadFile(files[4], "Remittance outflows (US$ million)", "remittances_outflows_knomad_usd", "remittances_outflows_knomad_pct_gdp"); err != nil {
			return err
		}
		for _, f := range files[5:] {
			if err := rl.matrix(f); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		return err
	}
	n, err := rl.w.write(ctx, tx)
	if err != nil {
		return err
	}
	rl.notes(n)
	return nil
}

// add writes an observation, locating a failure in the source file.
func (rl *remitLoader) add(row tabular.Row, col string, o stats.Observation) error {
	if err := rl.w.add(o); err != nil {
		return row.Errorf(col, "%v", err)
	}
	rl.perSeries[o.Series]++
	if o.Status == stats.Missing {
		rl.missing[o.Series]++
	}
	return nil
}

// value reads a number cell: ok false for an empty cell.
// addCell stores one cell of a wide table: its value, or missing when the
// cell is empty.
func (rl *remitLoader) addCell(row tabular.Row, col string, scale float64, series, area, period string) error {
	v, ok, err := remitValue(row, col, scale)
	if err != nil {
		return err
	}
	o := stats.Observation{Series: series, Area: area, Period: period, Sex: stats.SexTotal, Value: v, Status: stats.Observed}
	if !ok {
		o.Status = stats.Missing
	}
	return rl.add(row, col, o)
}

func remitValue(row tabular.Row, col string, scale float64) (float64, bool, error) {
	v, ok, err := row.Float(col)
	if err != nil || !ok {
		return 0, false, err
	}
	return v * scale, true, nil
}

// reject reports a row (or column) whose name is no area.
func (rl *remitLoader) reject(e *tabular.CellError, name string) {
	rl.unmatched.add(name, e.File, e.Row)
	rl.rec.Reject(e)
}

var remitYear = regexp.MustCompile(`^(19|20)\d\d$`)

// yearColumns returns the header's year columns.
func yearColumns(header []string) []string {
	var out []string
	for _, h := range header {
		if h = strings.TrimSpace(h); remitYear.MatchString(h) {
			out = append(out, h)
		}
	}
	return out
}

// wdiLastUpdated reads the "Last Updated Date" of a WDI bulk CSV's
// preamble; "" when the file has none (it starts with the header).
func wdiLastUpdated(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", &tabular.CellError{File: filepath.Base(path), Reason: "cannot open: " + errors.Unwrap(err).Error()}
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	for range 5 {
		rec, err := r.Read()
		if err != nil {
			return "", nil // the real reader reports broken files
		}
		if len(rec) >= 2 && strings.TrimSpace(strings.TrimPrefix(rec[0], "\ufeff")) == "Last Updated Date" {
			return strings.TrimSpace(rec[1]), nil
		}
	}
	return "", nil
}

// wdiFile reads a WDI bulk CSV: one row per economy or aggregate, one
// column per year.
func (rl *remitLoader) wdiFile(path, indicator, series string) error {
	r, err := tabular.Open(path, tabular.Options{
		HeaderContains: []string{"Country Name", "Country Code"},
		Required:       []string{"Country Name", "Country Code", "Indicator Name", "Indicator Code"},
	})
	if err != nil {
		return err
	}
	defer r.Close()
	file := filepath.Base(path)
	rl.rec.Source(file, r)
	years := yearColumns(r.Header())
	if len(years) == 0 {
		return &tabular.CellError{File: file, Reason: "no year columns (1960, 1961, …) in the header"}
	}
	seen := map[string]int{}
	return tabular.ReadAll(r, func(row tabular.Row) error {
		rl.rec.Read()
		if got := row.Get("Indicator Code"); got != indicator {
			return row.Errorf("Indicator Code", "%q: this file should hold indicator %s (see the order of the files in corridor import --list)", got, indicator)
		}
		code, name := row.Get("Country Code"), row.Get("Country Name")
		a, ok := rl.wdi.MatchCode(code)
		if !ok {
			a, ok = rl.wdi.Match(name)
		}
		if !ok {
			n := 0
			for _, y := range years {
				if row.Get(y) != "" {
					n++
				}
			}
			what := fmt.Sprintf("its %d values are not stored", n)
			if n == 0 {
				what = "it has no values"
			}
			rl.reject(row.Errorf("Country Code", "%s (%s) is no country or area in the reference geography; %s", code, name, what), name+" ("+code+")")
			return nil
		}
		if prev, dup := seen[a.Code]; dup {
			return row.Errorf("Country Code", "%s (%s) is area %s, already on row %d", code, name, a.Code, prev)
		}
		seen[a.Code] = row.Number
		for _, y := range years {
			if err := rl.addCell(row, y, 1, series, a.Code, y); err != nil {
				return err
			}
		}
		rl.rec.Loaded(1)
		return nil
	})
}

var remitPctGDP = regexp.MustCompile(`^% of GDP in ((19|20)\d\d)$`)

// knomadFile reads a KNOMAD annual flows table: a title cell naming the
// unit above the country names, one column per year; notes below the
// table, after a blank row.
func (rl *remitLoader) knomadFile(path, title, series, pctSeries string) error {
	r, err := tabular.Open(path, tabular.Options{HeaderContains: []string{title}})
	if err != nil {
		return err
	}
	defer r.Close()
	file := filepath.Base(path)
	rl.rec.Source(file, r)
	header := r.Header()
	years := yearColumns(header)
	if len(years) == 0 {
		return &tabular.CellError{File: file, Reason: "no year columns (2000, 2001, …) in the header"}
	}
	if !strings.Contains(title, "US$ million") {
		return &tabular.CellError{File: file, Column: title, Reason: "the unit is not US$ million"}
	}
	pctCol, pctYear := "", ""
	for _, h := range header {
		if m := remitPctGDP.FindStringSubmatch(strings.TrimSpace(h)); m != nil && pctSeries != "" {
			pctCol, pctYear = strings.TrimSpace(h), m[1]
		}
	}
	seen := map[string]int{}
	err = tabular.ReadAll(r, func(row tabular.Row) error {
		name := row.Get(title)
		if name == "" {
			return remitStop // the notes below the table
		}
		rl.rec.Read()
		a, ok := rl.knomad.Match(name)
		if !ok {
			rl.reject(row.Errorf(title, "%q is no country or area in the reference geography; its values are not stored", name), name)
			return nil
		}
		if prev, dup := seen[a.Code]; dup {
			return row.Errorf(title, "%q is area %s, already on row %d", name, a.Code, prev)
		}
		seen[a.Code] = row.Number
		for _, y := range years {
			if err := rl.addCell(row, y, remitMillion, series, a.Code, y); err != nil {
				return err
			}
		}
		if pctCol != "" {
			if err := rl.addCell(row, pctCol, 1, pctSeries, a.Code, pctYear); err != nil {
				return err
			}
		}
		rl.rec.Loaded(1)
		return nil
	})
	if err == remitStop {
		err = nil
	}
	return err
}

var remitMatrixTitle = regexp.MustCompile(`Estimates for ((19|20)\d\d)\b.*\(millions of US\$\)`)

// matrixTitle reads the first line of a bilateral matrix: its year and
// unit.
func matrixTitle(path string) (year string, err error) {
	file := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return "", &tabular.CellError{File: file, Reason: "cannot open: " + errors.Unwrap(err).Error()}
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rec, err := r.Read()
	if err == io.EOF {
		return "", &tabular.CellError{File: file, Reason: "the file is empty"}
	}
	if err != nil {
		return "", &tabular.CellError{File: file, Row: 1, Reason: "malformed CSV: " + err.Error()}
	}
	title := strings.TrimPrefix(rec[0], "\ufeff")
	m := remitMatrixTitle.FindStringSubmatch(title)
	if m == nil {
		return "", &tabular.CellError{File: file, Row: 1, Reason: fmt.Sprintf("the title %q does not give the year and the unit (\"Bilateral Remittance Estimates for YYYY … (millions of US$)\")", clipTitle(title))}
	}
	return m[1], nil
}

func clipTitle(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}

// matrix reads a bilateral remittance matrix: receiving countries across,
// sending countries down, US$ million.
func (rl *remitLoader) matrix(path string) error {
	file := filepath.Base(path)
	year, err := matrixTitle(path)
	if err != nil {
		return err
	}
	if prev, dup := rl.years[year]; dup {
		return &tabular.CellError{File: file, Row: 1, Reason: fmt.Sprintf("a matrix for %s was already read from %s", year, prev)}
	}
	rl.years[year] = file
	r, err := tabular.Open(path, tabular.Options{HeaderContains: []string{"Afghanistan", "Zimbabwe", "WORLD"}})
	if err != nil {
		return err
	}
	defer r.Close()
	rl.rec.Source(file, r)
	header := r.Header()
	// The corner cell says which axis is which.
	corner := strings.ToLower(header[0])
	iRecv, iAcross, iSend, iDown := strings.Index(corner, "receiving"), strings.Index(corner, "(across)"), strings.Index(corner, "sending"), strings.Index(corner, "(down)")
	if iRecv < 0 || iAcross < iRecv || iSend < iAcross || iDown < iSend {
		return &tabular.CellError{File: file, Column: strings.TrimSpace(header[0]),
			Reason: "the corner cell does not say \"receiving (across) … sending (down)\": cannot tell which axis receives"}
	}
	// Receiving countries, across.
	type column struct {
		name string
		area string
	}
	cols := make([]column, len(header))
	seen := map[string]string{}
	for i := 1; i < len(header); i++ {
		name := strings.TrimSpace(header[i])
		if name == "" {
			continue
		}
		a, ok := rl.knomad.Match(name)
		if !ok {
			cols[i].name = name
			continue
		}
		if prev, dup := seen[a.Code]; dup {
			return &tabular.CellError{File: file, Column: name, Reason: fmt.Sprintf("receiving country %q is area %s, as is column %q", name, a.Code, prev)}
		}
		seen[a.Code] = name
		cols[i] = column{name: name, area: a.Code}
	}
	first := true
	sending := map[string]int{}
	err = tabular.ReadAll(r, func(row tabular.Row) error {
		name := row.At(0)
		if first {
			first = false
			// Columns that are no area, reported once on the header row.
			for _, c := range cols[1:] {
				if c.name != "" && c.area == "" {
					rl.reject(&tabular.CellError{File: file, Row: row.Number - 1, Column: c.name,
						Reason: fmt.Sprintf("receiving country %q is no country or area in the reference geography; its column is not stored", c.name)}, c.name)
				}
			}
		}
		if name == "" {
			return remitStop // the notes below the matrix
		}
		rl.rec.Read()
		a, ok := rl.knomad.Match(name)
		if !ok {
			rl.reject(row.Errorf(strings.TrimSpace(header[0]), "sending country %q is no country or area in the reference geography; its row is not stored", name), name)
			return nil
		}
		if prev, dup := sending[a.Code]; dup {
			return row.Errorf(strings.TrimSpace(header[0]), "sending country %q is area %s, already on row %d", name, a.Code, prev)
		}
		sending[a.Code] = row.Number
		cells := row.Cells()
		for i := 1; i < len(cols) && i < len(cells); i++ {
			c := cols[i]
			if c.area == "" {
				continue
			}
			o := stats.Observation{Series: "bilateral_remittances_usd", Area: c.area, Counterpart: a.Code, Period: year, Sex: stats.SexTotal, Status: stats.Estimated}
			if strings.TrimSpace(cells[i]) == "-" {
				o.Status = stats.Missing // no estimate: India–Pakistan, Israel–Lebanon in 2017
				rl.dashes = append(rl.dashes, fmt.Sprintf("%s → %s %s", name, c.name, year))
			} else {
				v, ok, err := remitValue(row, strings.TrimSpace(header[i]), remitMillion)
				if err != nil {
					return err
				}
				if !ok {
					rl.blanks[file]++
					continue
				}
				o.Value = v
			}
			if err := rl.add(row, c.name, o); err != nil {
				return err
			}
		}
		rl.rec.Loaded(1)
		return nil
	})
	if err == remitStop {
		err = nil
	}
	return err
}

func (rl *remitLoader) notes(n int64) {
	var parts []string
	for _, s := range RemittanceFlowsSeries(nil) {
		p := fmt.Sprintf("%s %d", s.Code, rl.perSeries[s.Code])
		if m := rl.missing[s.Code]; m > 0 {
			p += fmt.Sprintf(" (%d missing)", m)
		}
		parts = append(parts, p)
	}
	rl.rec.Note("%d observations stored (missing: empty WDI and KNOMAD cells, \"-\" matrix cells): %s", n, strings.Join(parts, ", "))
	rl.rec.Note("KNOMAD and matrix values are published in US$ million and stored in US$ (× 1,000,000); matrix values are estimates")
	for _, f := range impKeys(rl.blanks) {
		rl.rec.Note("%s: %d empty cells (no estimate for the pair): no observation stored, neither zero nor missing", f, rl.blanks[f])
	}
	if len(rl.dashes) > 0 {
		rl.rec.Note("matrix cells \"-\" (corridors the World Bank does not estimate; the 2021 notes assume them zero \"given the political economy situations\"), stored as missing: %s", strings.Join(rl.dashes, ", "))
	}
	if rl.unmatched.len() > 0 {
		rl.rec.Note("unmatched names (rejected, see the rejections): %s", rl.unmatched)
	}
}
