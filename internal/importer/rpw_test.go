package importer_test

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/remit"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

var rpwDataDir = filepath.Join("..", "..", "data")

// readExcerpt reads the shipped RPW excerpt with encoding/csv alone, as
// a check independent of rpwfile: the file's rows by column name.
func readExcerpt(t *testing.T) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(rpwDataDir, "rpw", "eastafrica_excerpt", "rpw_eastafrica_2025_3Q_excerpt.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

func TestRPWShippedFiles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		rn, db := ctdcRunner(t, e)
		rn.DataDir = rpwDataDir
		rep, err := rn.Run(ctx, importer.RPWName, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The data-quality counts of the excerpt (PROVENANCE.md).
		for k, want := range map[string]int{"rows": 72, "quotes": 144, "non_transparent_quotes": 0, "negative_margin_quotes": 2,
			"placeholder_rate_quotes": 0, "duplicate_rows": 20, "promotional_rows": 2, "currency_mismatch_rows": 1,
			"inconsistent_spellings": 1, "discrepancies": 0, "databank_values": 10417} {
			if got := rep.Quality[k]; got != want {
				t.Errorf("quality %s = %d, want %d", k, got, want)
			}
		}
		if !strings.Contains(rep.Summary(5), "data quality:") {
			t.Errorf("summary lacks the quality counts:\n%s", rep.Summary(5))
		}

		// Every stored quote: total = fee % + margin % within rounding,
		// and the computed figures equal the file's own columns.
		rows := readExcerpt(t)
		quotes, err := db.RemitQuotesOf(ctx, "import:rpw_eastafrica_2025_3Q_excerpt.csv")
		if err != nil {
			t.Fatal(err)
		}
		if len(quotes) != 2*len(rows) || len(rows) != 72 {
			t.Fatalf("%d quotes stored for %d rows", len(quotes), len(rows))
		}
		for i, row := range rows {
			for tier, cc := range []string{"CC1", "CC2"} {
				q := quotes[2*i+tier]
				if q.From != row["SOURCE_CODE"] || q.To != row["DESTINATION_CODE"] || q.Firm != row["FIRM"] ||
					q.Amount != num(t, row[cc+" LCU AMOUNT"]) || q.Fee != num(t, row[cc+" LCU FEE"]) ||
					q.Rate != num(t, row[cc+" LCU FX RATE"]) || q.SendCurrency != row[cc+" LCU CODE"] ||
					q.Period != remit.NewPeriod(2025, 3) {
					t.Errorf("row %d %s: stored %+v, file %v", i+2, cc, q, row)
					continue
				}
				fee := q.FeePct()
				margin, ok1 := q.FXMarginPct()
				total, ok2 := q.TotalCostPct()
				if !ok1 || !ok2 {
					t.Errorf("row %d %s: margin unknown for a transparent quote", i+2, cc)
					continue
				}
				if math.Abs(total-(fee+margin)) > 1e-9 {
					t.Errorf("row %d %s: total %g ≠ fee %g + margin %g", i+2, cc, total, fee, margin)
				}
				fileMargin, fileTotal := num(t, row[cc+" FX MARGIN"]), num(t, row[cc+" TOTAL COST %"])
				if math.Abs(margin-fileMargin) > 0.01 || math.Abs(total-fileTotal) > 0.01 ||
					math.Abs(fee+fileMargin-fileTotal) > 0.01 {
					t.Errorf("row %d %s: computed margin %.4f total %.4f, file %g %g", i+2, cc, margin, total, fileMargin, fileTotal)
				}
			}
		}

		// The DataBank series is served unchanged: USA→MEX 2020Q3 is
		// 4.18037033081055 in the file.
		series, err := db.RemitCorridorSeries(ctx, remit.Corridor{From: "USA", To: "MEX"})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range series {
			if p.Period == remit.NewPeriod(2020, 3) {
				found = true
				if p.AverageTotalCostPct != 4.18037033081055 || p.Source != "import:36d1ed87-9a2d-41da-8eac-c1c25d45fa65_Data.csv" ||
					p.SmaRTPct != nil || p.Services != nil {
					t.Errorf("USA-MEX 2020Q3 = %+v", p)
				}
			}
		}
		if !found {
			t.Errorf("USA-MEX series lacks 2020Q3: %+v", series)
		}
		// The excerpt's corridors are averaged from its quotes.
		ku, err := db.RemitCorridorSeries(ctx, remit.Corridor{From: "KEN", To: "UGA"})
		if err != nil {
			t.Fatal(err)
		}
		last := ku[len(ku)-1]
		if last.Period != remit.NewPeriod(2025, 3) || last.Source != store.RemitSourceQuotes || last.Services == nil || *last.Services == 0 {
			t.Errorf("KEN-UGA 2025Q3 = %+v", last)
		}

		// Importing the same files again changes nothing.
		again, err := rn.Run(ctx, importer.RPWName, nil)
		if err != nil || !again.Unchanged {
			t.Errorf("second import: unchanged %v, %v", again.Unchanged, err)
		}
	})
}

// A broken RPW file names its row and column and leaves the stored data
// as it was.
func TestRPWBrokenFileChangesNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		rn, db := ctdcRunner(t, e)
		rn.DataDir = rpwDataDir
		if _, err := rn.Run(ctx, importer.RPWName, []string{filepath.Join(rpwDataDir, "rpw", "eastafrica_excerpt", "rpw_eastafrica_2025_3Q_excerpt.csv")}); err != nil {
			t.Fatal(err)
		}
		v0, _ := db.RemitVersion(ctx)
		src, err := os.ReadFile(filepath.Join(rpwDataDir, "rpw", "eastafrica_excerpt", "rpw_eastafrica_2025_3Q_excerpt.csv"))
		if err != nil {
			t.Fatal(err)
		}
		// Same file name, a bad period on the third data row.
		lines := strings.Split(string(src), "\n")
		lines[3] = strings.Replace(lines[3], "2025_3Q", "2025_7Q", 1)
		dir := t.TempDir()
		bad := filepath.Join(dir, "rpw_eastafrica_2025_3Q_excerpt.csv")
		if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = rn.Run(ctx, importer.RPWName, []string{bad})
		if err == nil || !strings.Contains(err.Error(), "row 4") || !strings.Contains(strings.ToLower(err.Error()), "period") {
			t.Fatalf("broken file: %v", err)
		}
		v1, _ := db.RemitVersion(ctx)
		quotes, _ := db.RemitQuotesOf(ctx, "import:rpw_eastafrica_2025_3Q_excerpt.csv")
		if v1 != v0 || len(quotes) != 144 {
			t.Errorf("after a broken import: version %d→%d, %d quotes", v0, v1, len(quotes))
		}
	})
}

// The same RPW data under another file name replaces the earlier import's
// quotes rather than adding them again; the report counts them.
func TestRPWSameDataAnotherName(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		rn, db := ctdcRunner(t, e)
		rn.DataDir = rpwDataDir
		orig := filepath.Join(rpwDataDir, "rpw", "eastafrica_excerpt", "rpw_eastafrica_2025_3Q_excerpt.csv")
		b, err := os.ReadFile(orig)
		if err != nil {
			t.Fatal(err)
		}
		// The same rows with another line ending: the file differs (so the
		// import is not skipped as unchanged), the data does not.
		copyPath := filepath.Join(t.TempDir(), "rpw_copy.csv")
		if err := os.WriteFile(copyPath, []byte(strings.ReplaceAll(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n", "\r\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		services := func() int {
			a, err := db.RemitAggregates(ctx)
			if err != nil {
				t.Fatal(err)
			}
			c, err := a.Corridor(remit.Corridor{From: "KEN", To: "UGA"}, remit.NewPeriod(2025, 3))
			if err != nil {
				t.Fatal(err)
			}
			return c.Services
		}
		if _, err := rn.Run(ctx, importer.RPWName, []string{orig}); err != nil {
			t.Fatal(err)
		}
		before := services()
		rep, err := rn.Run(ctx, importer.RPWName, []string{copyPath})
		if err != nil {
			t.Fatal(err)
		}
		if after := services(); after != before {
			t.Errorf("KEN→UGA services %d → %d after importing the same data under another name", before, after)
		}
		if rep.Quality["duplicates_across_files"] != 144 {
			t.Errorf("duplicates_across_files = %d, want 144", rep.Quality["duplicates_across_files"])
		}
		if q, _ := db.RemitQuotesOf(ctx, "import:rpw_eastafrica_2025_3Q_excerpt.csv"); len(q) != 0 {
			t.Errorf("the earlier source keeps %d quotes", len(q))
		}
		if rep.Quality["replaced_previous_import"] != 0 {
			t.Errorf("a new file: replaced_previous_import = %d", rep.Quality["replaced_previous_import"])
		}
		// The same file again (changed by a byte, so not skipped): the
		// report says its previous import's quotes were replaced.
		if err := os.WriteFile(copyPath, append([]byte(strings.ReplaceAll(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n", "\r\n")), "\r\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
		rep, err = rn.Run(ctx, importer.RPWName, []string{copyPath})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Loaded != 144 || rep.Quality["replaced_previous_import"] != 144 || rep.Quality["duplicates_across_files"] != 0 {
			t.Errorf("re-import: loaded %d, replaced_previous_import %d, duplicates_across_files %d; want 144, 144, 0",
				rep.Loaded, rep.Quality["replaced_previous_import"], rep.Quality["duplicates_across_files"])
		}
		if !slices.ContainsFunc(rep.Notes, func(n string) bool {
			return strings.Contains(n, "imported before") && strings.Contains(n, "144 quotes were replaced")
		}) {
			t.Errorf("re-import notes %q lack the replacement", rep.Notes)
		}
		if after := services(); after != before {
			t.Errorf("KEN→UGA services %d → %d after importing the same file again", before, after)
		}
	})
}

// TestRPWKenUgaServicesOnce pins KEN→UGA 2025Q3 (review defect 2): the
// excerpt has ten KEN→UGA rows; rows 17 and 18 repeat row 11 (GT Bank)
// and row 30 repeats row 27 (EcoBank, bank transfer) cell for cell, and
// EcoBank's cash service is quoted on 1 Sep (row 28) and 3 Sep (row 36).
// Counting every row gave 8.80 %; each service once (its latest quote),
// duplicates out, it is six services:
//
//	Western Union  cash → cash            1.15 + 4.649 = 5.799
//	MoneyGram      cash → cash            1.944 + 2.512 = 4.457
//	MoneyGram      cash → mobile wallet   4.457
//	GT Bank        bank transfer, USD     16.375 + 1.808 = 18.183
//	EcoBank        bank transfer, USD     2.875 + 1.808 = 4.683
//	EcoBank        cash, USD (3 Sep)      2.875 + 1.845 = 4.720
//	average        42.299 ÷ 6 = 7.050 %
//
// (The review estimated ≈ 6.38 %; by hand it is 6.71 % with only the
// exact duplicates removed, 7.05 % with each service counted once.)
func TestRPWKenUgaServicesOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		rn, db := ctdcRunner(t, e)
		rn.DataDir = rpwDataDir
		if _, err := rn.Run(ctx, importer.RPWName, nil); err != nil {
			t.Fatal(err)
		}
		a, err := db.RemitAggregates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c, err := a.Corridor(remit.Corridor{From: "KEN", To: "UGA"}, remit.NewPeriod(2025, 3))
		if err != nil {
			t.Fatal(err)
		}
		cost := func(fee, rate, inter float64) float64 { return fee/18000*100 + (inter-rate)/inter*100 }
		const ugx, usd, usd2 = 27.5928792569659, 0.00773993808049535, 0.00774293457220286
		want := (cost(207, 26.31, ugx) + 2*cost(350, 26.8997, ugx) + cost(2947.5, 0.0076, usd) + cost(517.5, 0.0076, usd) +
			cost(517.5, 0.0076, usd2)) / 6
		if c.Services != 6 || math.Abs(c.AveragePct-want) > 1e-9 || math.Abs(want-7.0498) > 0.001 {
			t.Errorf("KEN→UGA 2025Q3 = %v, want 6 services averaging %.4f %%", c, want)
		}
	})
}
