package importer_test

import (
	"context"
	"github.com/corridor-platform/corridor/internal/testenv"
	"strconv"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// csvCell returns the cell of the row whose first-found key column equals
// key, in column col.
func csvCell(t *testing.T, rows [][]string, header int, keyCol, key, col string) string {
	t.Helper()
	k, c := colIndex(t, rows[header], keyCol), colIndex(t, rows[header], col)
	for _, r := range rows[header+1:] {
		if len(r) > k && strings.TrimSpace(r[k]) == key {
			return strings.TrimSpace(r[c])
		}
	}
	t.Fatalf("no row %s = %q", keyCol, key)
	return ""
}

func parseF(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func wantObs(t *testing.T, db *store.DB, series, area, cp, period string, value float64, status stats.Status) {
	t.Helper()
	o, ok := observation(t, db, series, area, cp, period)
	if !ok || o.Status != status || status != stats.Missing && o.Value != value {
		t.Errorf("%s %s←%s %s = %+v, %v; want %v %s", series, area, cp, period, o, ok, value, status)
	}
}

func TestRemittanceFlows(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	files := importer.RemittanceFlowsFiles(shippedData)
	received, paid, pct := readCSV(t, files[0]), readCSV(t, files[1]), readCSV(t, files[2])
	inflows, outflows := readCSV(t, files[3]), readCSV(t, files[4])
	m2021, m2017 := readCSV(t, files[5]), readCSV(t, files[6])

	// Rows the importer should read: WDI all rows, KNOMAD and matrices
	// down to the blank row above the notes.
	tableRows := func(rows [][]string, header int) int64 {
		n := int64(0)
		for _, r := range rows[header+1:] {
			if strings.TrimSpace(r[0]) == "" {
				break
			}
			n++
		}
		return n
	}
	wantRead := int64(len(received)-1+len(paid)-1+len(pct)-1) + tableRows(inflows, 0) + tableRows(outflows, 1) + tableRows(m2021, 1) + tableRows(m2017, 1)

	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db, rn := statsDB(t, e)
		rep, err := rn.Run(ctx, importer.RemittanceFlowsName, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(rep.Summary(10))
		// WDI's "Not classified" (INX) is the only name that is no area,
		// once per WDI file.
		if rep.Read != wantRead || rep.Rejected != 3 || rep.Loaded != wantRead-3 {
			t.Errorf("read %d, loaded %d, rejected %d; want %d, %d, 3", rep.Read, rep.Loaded, rep.Rejected, wantRead, wantRead-3)
		}
		for _, r := range rep.Rejections {
			if r.Column != "Country Code" || !strings.Contains(r.Reason, "INX (Not classified)") {
				t.Errorf("rejection %v", r)
			}
		}
		if s := rep.Summary(0); !strings.Contains(s, `unmatched names (rejected, see the rejections): "Not classified (INX)" ×3`) {
			t.Errorf("summary does not list the unmatched name:\n%s", s)
		}

		// WDI: Kenya 2022, received and paid; % of GDP 2021.
		wantObs(t, db, "remittances_received_usd", "KEN", "", "2022", parseF(t, csvCell(t, received, 0, "Country Code", "KEN", "2022")), stats.Observed)
		wantObs(t, db, "remittances_paid_usd", "KEN", "", "2021", parseF(t, csvCell(t, paid, 0, "Country Code", "KEN", "2021")), stats.Observed)
		wantObs(t, db, "remittances_received_pct_gdp", "KEN", "", "2021", parseF(t, csvCell(t, pct, 0, "Country Code", "KEN", "2021")), stats.Observed)
		// An empty cell is missing, never zero; aggregates as published.
		if csvCell(t, received, 0, "Country Code", "KEN", "1960") != "" || csvCell(t, paid, 0, "Country Code", "KEN", "2022") != "" {
			t.Fatal("Kenya 1960 received or 2022 paid is not empty in the WDI files")
		}
		wantObs(t, db, "remittances_received_usd", "KEN", "", "1960", 0, stats.Missing)
		wantObs(t, db, "remittances_paid_usd", "KEN", "", "2022", 0, stats.Missing)
		wantObs(t, db, "remittances_received_usd", "001", "", "2022", parseF(t, csvCell(t, received, 0, "Country Code", "WLD", "2022")), stats.Observed)
		wantObs(t, db, "remittances_received_usd", "WB-LMY", "", "2022", parseF(t, csvCell(t, received, 0, "Country Code", "LMY", "2022")), stats.Observed)

		// KNOMAD: US$ million stored in US$.
		in := "Remittance inflows (US$ million)"
		wantObs(t, db, "remittances_inflows_knomad_usd", "IND", "", "2022", parseF(t, csvCell(t, inflows, 0, in, "India", "2022"))*1e6, stats.Observed)
		wantObs(t, db, "remittances_inflows_knomad_usd", "WB-LMY", "", "2022", parseF(t, csvCell(t, inflows, 0, in, "Low-and Middle-Income Countries", "2022"))*1e6, stats.Observed)
		if csvCell(t, inflows, 0, in, "American Samoa", "2022") != "" {
			t.Fatal("American Samoa 2022 is not empty in the KNOMAD file")
		}
		wantObs(t, db, "remittances_inflows_knomad_usd", "ASM", "", "2022", 0, stats.Missing)
		out := "Remittance outflows (US$ million)"
		wantObs(t, db, "remittances_outflows_knomad_usd", "GBR", "", "2022", parseF(t, csvCell(t, outflows, 1, out, "United Kingdom", "2022"))*1e6, stats.Observed)
		wantObs(t, db, "remittances_outflows_knomad_pct_gdp", "GBR", "", "2022", parseF(t, csvCell(t, outflows, 1, out, "United Kingdom", "% of GDP in 2022")), stats.Observed)

		// Matrices: area = receiving (across), counterpart = sending (down).
		corner21, corner17 := strings.TrimSpace(m2021[1][0]), strings.TrimSpace(m2017[1][0])
		wantObs(t, db, "bilateral_remittances_usd", "MEX", "USA", "2021", parseF(t, csvCell(t, m2021, 1, corner21, "United States", "Mexico"))*1e6, stats.Estimated)
		wantObs(t, db, "bilateral_remittances_usd", "MEX", "USA", "2017", parseF(t, csvCell(t, m2017, 1, corner17, "United States", "Mexico"))*1e6, stats.Estimated)
		wantObs(t, db, "bilateral_remittances_usd", "MEX", "001", "2021", parseF(t, csvCell(t, m2021, 1, corner21, "WORLD", "Mexico"))*1e6, stats.Estimated)
		wantObs(t, db, "bilateral_remittances_usd", "001", "USA", "2021", parseF(t, csvCell(t, m2021, 1, corner21, "United States", "WORLD"))*1e6, stats.Estimated)
		// The sending direction is not the receiving one.
		if o, _ := observation(t, db, "bilateral_remittances_usd", "USA", "MEX", "2021"); o.Value == parseF(t, csvCell(t, m2021, 1, corner21, "United States", "Mexico"))*1e6 {
			t.Error("the 2021 matrix is stored transposed")
		}
		// 2021 blanks store nothing; 2017 zeros are zeros.
		if csvCell(t, m2021, 1, corner21, "Afghanistan", "Albania") != "" || csvCell(t, m2017, 1, corner17, "Afghanistan", "Albania") != "0" {
			t.Fatal("Afghanistan → Albania is not blank in 2021 and 0 in 2017")
		}
		if o, ok := observation(t, db, "bilateral_remittances_usd", "ALB", "AFG", "2021"); ok {
			t.Errorf("a blank matrix cell stored %+v", o)
		}
		wantObs(t, db, "bilateral_remittances_usd", "ALB", "AFG", "2017", 0, stats.Estimated)
		// "-" (not estimated) is missing.
		if csvCell(t, m2017, 1, corner17, "India", "Pakistan") != "-" {
			t.Fatal("India → Pakistan 2017 is not \"-\"")
		}
		wantObs(t, db, "bilateral_remittances_usd", "PAK", "IND", "2017", 0, stats.Missing)
		var nonEmpty int64
		for _, m := range [][][]string{m2021, m2017} {
			for _, r := range m[2:] {
				if strings.TrimSpace(r[0]) == "" {
					break
				}
				for _, c := range r[1:] {
					if strings.TrimSpace(c) != "" {
						nonEmpty++
					}
				}
			}
		}
		if got := countObservations(t, db, "series = 'bilateral_remittances_usd'"); got != nonEmpty {
			t.Errorf("%d bilateral observations; want %d, the non-empty matrix cells", got, nonEmpty)
		}

		sr, err := db.Stats().Series(ctx, "remittances_received_usd")
		if err != nil || sr.Citation != "World Bank, World Development Indicators, BX.TRF.PWKR.CD.DT (Last Updated Date 2023-05-10)" || sr.Licence != "CC BY 4.0" {
			t.Errorf("series %+v, %v", sr, err)
		}

		again, err := rn.Run(ctx, importer.RemittanceFlowsName, nil)
		if err != nil || !again.Unchanged {
			t.Errorf("re-import: %v, %v; want unchanged", again.Summary(0), err)
		}
	})
}

func TestRemittanceFlowsBroken(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	db, rn := statsDB(t, storetest.Engines(t)[0])
	ctx := context.Background()
	if _, err := rn.Run(ctx, importer.RemittanceFlowsName, nil); err != nil {
		t.Fatal(err)
	}
	fp := func() string {
		return tableFingerprint(t, db, `SELECT COUNT(*), COALESCE(SUM(value), 0) FROM observations WHERE series LIKE '%remittances%'`)
	}
	src := importer.RemittanceFlowsFiles(shippedData)
	dir := t.TempDir()
	t.Run("text in a number", func(t *testing.T) {
		files := copyTo(t, dir, src, "BX.TRF.PWKR.CD.DT_received_usd.csv", func(s string) string {
			i := strings.Index(s, "\nKenya,KEN,")
			j := i + strings.Index(s[i+1:], "\n") + 1
			line := s[i:j]
			k := strings.LastIndex(line, ",")
			return s[:i] + line[:k+1] + "n/a" + s[j:]
		})
		brokenImport(t, db, rn, importer.RemittanceFlowsName, files, fp, "BX.TRF.PWKR.CD.DT_received_usd.csv: row ", `column "2022"`, `"n/a" is not a number`)
	})
	t.Run("renamed column", func(t *testing.T) {
		files := copyTo(t, dir, src, "BM.TRF.PWKR.CD.DT_paid_usd.csv", func(s string) string {
			return strings.Replace(s, "Country Name,Country Code,Indicator Name,Indicator Code", "Country Name,Country Code,Indicator Name,Indicator", 1)
		})
		brokenImport(t, db, rn, importer.RemittanceFlowsName, files, fp, "BM.TRF.PWKR.CD.DT_paid_usd.csv: row 1", `column "Indicator Code"`, "missing required column")
	})
	t.Run("files in the wrong order", func(t *testing.T) {
		files := copyTo(t, dir, src, "BM.TRF.PWKR.CD.DT_paid_usd.csv", func(s string) string { return s + "\n" })
		files[0], files[1] = files[1], files[0]
		brokenImport(t, db, rn, importer.RemittanceFlowsName, files, fp, "BM.TRF.PWKR.CD.DT_paid_usd.csv: row 2", `column "Indicator Code"`, "BX.TRF.PWKR.CD.DT")
	})
	t.Run("text in a matrix cell", func(t *testing.T) {
		files := copyTo(t, dir, src, "bilateral_remittance_matrix_2021.csv", func(s string) string {
			return strings.Replace(s, "369.3011409082328", "369.30 est.", 1)
		})
		brokenImport(t, db, rn, importer.RemittanceFlowsName, files, fp, "bilateral_remittance_matrix_2021.csv: row 3", `"369.30 est." is not a number`)
	})
	t.Run("matrix title without a year", func(t *testing.T) {
		files := copyTo(t, dir, src, "WB_Bilateral_Remittance_Estimates_2017.csv", func(s string) string {
			return strings.Replace(s, "Estimates for 2017", "Estimates", 1)
		})
		brokenImport(t, db, rn, importer.RemittanceFlowsName, files, fp, "WB_Bilateral_Remittance_Estimates_2017.csv: row 1", "does not give the year")
	})
}

func BenchmarkImportRemittanceFlows(b *testing.B) { benchImport(b, importer.RemittanceFlowsName) }
