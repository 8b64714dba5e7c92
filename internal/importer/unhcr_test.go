package importer_test

import (
	"context"
	"encoding/csv"
	"errors"
	"github.com/corridor-platform/corridor/internal/testenv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// Helpers shared by the tests of the statistics importers. They read the
// shipped files in data/ and compute expectations from them independently
// of the importers (encoding/csv, no tabular, no geo).

var shippedData = filepath.Join("..", "..", "data")

func shipped(parts ...string) string {
	return filepath.Join(append([]string{shippedData}, parts...)...)
}

// statsDB opens a migrated database on the engine with the reference
// geography imported, and returns it with a runner of the built-in
// datasets.
func statsDB(t testing.TB, e storetest.Engine) (*store.DB, *importer.Runner) {
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
	rn := &importer.Runner{DB: db, Registry: importer.Builtin(), DataDir: shippedData, Host: "test"}
	if _, err := rn.Run(ctx, "countries", nil); err != nil {
		t.Fatal(err)
	}
	return db, rn
}

// readCSV reads a whole CSV file (a BOM is dropped) for expectations.
func readCSV(t testing.TB, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff")))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func colIndex(t testing.TB, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if strings.TrimSpace(h) == name {
			return i
		}
	}
	t.Fatalf("no column %q in %q", name, header)
	return -1
}

// observation reads one stored observation (sex total); ok is false when
// there is none.
func observation(t testing.TB, db *store.DB, series, area, counterpart, period string) (stats.Observation, bool) {
	t.Helper()
	obs, err := db.Stats().Observations(context.Background(), store.ObservationQuery{
		Series: series, Areas: []string{area}, Counterpart: counterpart, Period: stats.PeriodRange{From: period, To: period}, Sex: stats.SexTotal,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range obs {
		if o.Period == period {
			return o, true
		}
	}
	return stats.Observation{}, false
}

func countObservations(t testing.TB, db *store.DB, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.SQL().QueryRowContext(context.Background(), db.Rebind(`SELECT COUNT(*) FROM observations WHERE `+where), args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// copyTo copies files into dir, changing the named one's content with
// edit, and returns the new paths.
func copyTo(t testing.TB, dir string, files []string, edited string, edit func(string) string) []string {
	t.Helper()
	out := make([]string, len(files))
	found := false
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if filepath.Base(f) == edited {
			found = true
			e := edit(s)
			if e == s {
				t.Fatalf("the edit changed nothing in %s", edited)
			}
			s = e
		}
		out[i] = filepath.Join(dir, filepath.Base(f))
		if err := os.WriteFile(out[i], []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !found {
		t.Fatalf("%s is not among the files", edited)
	}
	return out
}

// tableFingerprint is a digest of a table's rows, to prove a failed
// import changed nothing.
func tableFingerprint(t testing.TB, db *store.DB, q string) string {
	t.Helper()
	var n int64
	var sum float64
	if err := db.SQL().QueryRowContext(context.Background(), q).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(n, 10) + "/" + strconv.FormatFloat(sum, 'g', -1, 64)
}

// brokenImport runs an import of broken files and checks the error names
// the file, row and column and that nothing changed.
func brokenImport(t *testing.T, db *store.DB, rn *importer.Runner, dataset string, files []string, fingerprint func() string, want ...string) {
	t.Helper()
	before := fingerprint()
	_, err := rn.Run(context.Background(), dataset, files)
	if err == nil {
		t.Fatalf("import of a broken copy succeeded")
	}
	if !errors.Is(err, derrors.Invalid) {
		t.Errorf("error %v is not derrors.Invalid", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
	if after := fingerprint(); after != before {
		t.Errorf("a failed import changed the data: %s → %s", before, after)
	}
}

// ---------------------------------------------------------------------------
// unhcr-population

func TestUNHCRPopulation(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db, rn := statsDB(t, e)
		rep, err := rn.Run(ctx, importer.UNHCRPopulationName, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(rep.Summary(5))

		// Expectations from the file itself.
		rows := readCSV(t, shipped("unhcr-refugee-population", "population.csv"))
		h := rows[0]
		iYear, iCoo, iCoa := colIndex(t, h, "year"), colIndex(t, h, "coo_iso"), colIndex(t, h, "coa_iso")
		iRef, iAsy, iOip := colIndex(t, h, "refugees"), colIndex(t, h, "asylum_seekers"), colIndex(t, h, "oip")
		// UNHCR's categories that are no country (ISO columns UNK, XXA,
		// TIB) are stored under pseudo-area codes, nothing is rejected.
		pseudo := map[string]string{"UNK": "UNHCR-UKN", "XXA": "UNHCR-STA", "TIB": "UNHCR-TIB"}
		iStateless := colIndex(t, h, "stateless")
		var dataRows, rejected int64
		refugees2024, statelessTHA2024 := 0.0, 0.0
		hostedDEU2024, unknownInDEU2024, unknownAsylum2024 := 0.0, 0.0, 0.0
		var syrTur []string
		var oipEmpty, oipNumber, zeroRef []string // one row each
		var positiveRefugees int64
		for _, r := range rows[1:] {
			dataRows++
			if r[iCoa] == "THA" && r[iYear] == "2024" {
				v, _ := strconv.ParseFloat(r[iStateless], 64)
				statelessTHA2024 += v
			}
			if r[iRef] != "0" && r[iRef] != "" {
				positiveRefugees++
			}
			if r[iYear] == "2024" {
				v, _ := strconv.ParseFloat(r[iRef], 64)
				refugees2024 += v
				if r[iCoa] == "DEU" {
					hostedDEU2024 += v
					if r[iCoo] == "UNK" {
						unknownInDEU2024 += v
					}
				}
				if r[iCoa] == "UNK" {
					unknownAsylum2024 += v
				}
			}
			if r[iCoo] == "SYR" && r[iCoa] == "TUR" && r[iYear] == "2020" {
				syrTur = r
			}
			if pseudo[r[iCoa]] != "" || pseudo[r[iCoo]] != "" {
				continue // the single-row checks below look rows up by country code
			}
			if zeroRef == nil && r[iRef] == "0" && r[iAsy] != "0" && r[iAsy] != "" {
				zeroRef = r
			}
			if oipEmpty == nil && r[iOip] == "" && r[iCoo] != r[iCoa] {
				oipEmpty = r
			}
			if oipNumber == nil && r[iOip] != "" && r[iOip] != "0" {
				oipNumber = r
			}
		}
		if statelessTHA2024 == 0 {
			t.Fatal("no stateless persons in Thailand in 2024 in the file")
		}
		if o, ok := observation(t, db, "stateless", "THA", "", "2024"); !ok || o.Value != statelessTHA2024 {
			t.Errorf("stateless persons in Thailand 2024 = %+v, %v; want %v", o, ok, statelessTHA2024)
		}
		if rep.Read != dataRows || rep.Rejected != rejected || rep.Loaded != dataRows-rejected {
			t.Errorf("read %d, loaded %d, rejected %d; want %d, %d, %d", rep.Read, rep.Loaded, rep.Rejected, dataRows, dataRows-rejected, rejected)
		}
		// Germany's refugees over all origins equal the file's, those of
		// unknown origin included (stored under UNHCR-UKN).
		if unknownInDEU2024 == 0 {
			t.Fatal("no refugees of unknown origin in Germany in 2024 in the file")
		}
		var deu float64
		if err := db.SQL().QueryRowContext(ctx, db.Rebind(`SELECT SUM(value) FROM observations WHERE series = 'refugees' AND period = '2024' AND area = 'DEU'`)).Scan(&deu); err != nil {
			t.Fatal(err)
		}
		if deu != hostedDEU2024 {
			t.Errorf("refugees in Germany 2024 over all origins: %v, want %v", deu, hostedDEU2024)
		}
		if o, ok := observation(t, db, "refugees", "DEU", pseudo["UNK"], "2024"); !ok || o.Value != unknownInDEU2024 {
			t.Errorf("refugees of unknown origin in Germany 2024 = %+v, %v; want %v", o, ok, unknownInDEU2024)
		}
		if unknownAsylum2024 > 0 {
			var got float64
			db.SQL().QueryRowContext(ctx, db.Rebind(`SELECT COALESCE(SUM(value), 0) FROM observations WHERE series = 'refugees' AND period = '2024' AND area = 'UNHCR-UKN'`)).Scan(&got)
			if got != unknownAsylum2024 {
				t.Errorf("refugees in an unknown country of asylum 2024: %v, want %v", got, unknownAsylum2024)
			}
		}
		if syrTur == nil {
			t.Fatal("no Syria → Türkiye 2020 row in the file")
		}
		for _, c := range []struct{ col, series string }{{"refugees", "refugees"}, {"asylum_seekers", "asylum_seekers"}} {
			o, ok := observation(t, db, c.series, "TUR", "SYR", "2020")
			want, _ := strconv.ParseFloat(syrTur[colIndex(t, h, c.col)], 64)
			if want == 0 && ok || want != 0 && (!ok || o.Value != want || o.Status != stats.Observed) {
				t.Errorf("%s Syria → Türkiye 2020 = %+v, %v; want %v observed (0: no observation)", c.series, o, ok, want)
			}
		}
		// AUS in population.csv's coa column is Austria: UNHCR's code.
		if o, ok := observation(t, db, "refugees", "AUT", "SYR", "2020"); !ok || o.Value <= 0 {
			t.Errorf("refugees from Syria in Austria 2020 = %+v, %v", o, ok)
		}
		var got float64
		if err := db.SQL().QueryRowContext(ctx, db.Rebind(`SELECT SUM(value) FROM observations WHERE series = 'refugees' AND period = '2024'`)).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != refugees2024 {
			t.Errorf("refugees 2024, all pairs of areas: %v, want %v", got, refugees2024)
		}
		// An empty (NA) or zero cell says nobody: no observation, neither
		// zero nor missing; a positive count is observed.
		if o, ok := observation(t, db, "others_in_need", oipEmpty[iCoa], oipEmpty[iCoo], oipEmpty[iYear]); ok {
			t.Errorf("others_in_need %s → %s %s (empty cell) = %+v; want no observation", oipEmpty[iCoo], oipEmpty[iCoa], oipEmpty[iYear], o)
		}
		if o, ok := observation(t, db, "refugees", zeroRef[iCoa], zeroRef[iCoo], zeroRef[iYear]); ok {
			t.Errorf("refugees %s → %s %s (0) = %+v; want no observation", zeroRef[iCoo], zeroRef[iCoa], zeroRef[iYear], o)
		}
		if o, ok := observation(t, db, "asylum_seekers", zeroRef[iCoa], zeroRef[iCoo], zeroRef[iYear]); !ok || strconv.FormatFloat(o.Value, 'f', -1, 64) != zeroRef[iAsy] {
			t.Errorf("asylum_seekers %s → %s %s = %+v, %v; want %s", zeroRef[iCoo], zeroRef[iCoa], zeroRef[iYear], o, ok, zeroRef[iAsy])
		}
		if n := countObservations(t, db, "series IN ('refugees', 'asylum_seekers', 'others_in_need') AND (status <> 'observed' OR value <= 0)"); n != 0 {
			t.Errorf("%d observations are not positive observed counts", n)
		}
		if n := countObservations(t, db, "series = 'refugees'"); n != positiveRefugees {
			t.Errorf("%d refugees observations; want %d (the positive cells of loaded rows)", n, positiveRefugees)
		}
		want, _ := strconv.ParseFloat(oipNumber[iOip], 64)
		if o, ok := observation(t, db, "others_in_need", oipNumber[iCoa], oipNumber[iCoo], oipNumber[iYear]); !ok || o.Status != stats.Observed || o.Value != want {
			t.Errorf("others_in_need %s → %s %s = %+v, %v; want %v", oipNumber[iCoo], oipNumber[iCoa], oipNumber[iYear], o, ok, want)
		}
		// Unknown, Stateless, Tibetan are reported with their pseudo-codes.
		s := rep.Summary(3)
		for _, w := range []string{"origin Unknown (UNHCR-UKN)", "origin Stateless (UNHCR-STA)", "origin Tibetan (UNHCR-TIB)", "asylum Unknown (UNHCR-UKN)"} {
			if !strings.Contains(s, w) {
				t.Errorf("summary does not report %q:\n%s", w, s)
			}
		}

		again, err := rn.Run(ctx, importer.UNHCRPopulationName, nil)
		if err != nil || !again.Unchanged {
			t.Errorf("re-import: %+v, %v; want unchanged", again.Summary(1), err)
		}
	})
}

func TestUNHCRPopulationBroken(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	db, rn := statsDB(t, storetest.Engines(t)[0])
	ctx := context.Background()
	if _, err := rn.Run(ctx, importer.UNHCRPopulationName, nil); err != nil {
		t.Fatal(err)
	}
	fp := func() string {
		return tableFingerprint(t, db, `SELECT COUNT(*), COALESCE(SUM(value), 0) FROM observations WHERE series = 'refugees'`)
	}
	src := []string{shipped("unhcr-refugee-population", "population.csv")}
	dir := t.TempDir()
	t.Run("text in a number", func(t *testing.T) {
		files := copyTo(t, dir, src, "population.csv", func(s string) string {
			return strings.Replace(s, "\n1951,Unknown,UKN,UNK,Austria,AUS,AUT,282000,", "\n1951,Unknown,UKN,UNK,Austria,AUS,AUT,lots,", 1)
		})
		brokenImport(t, db, rn, importer.UNHCRPopulationName, files, fp, "population.csv: row 3", `column "refugees"`, `"lots" is not a whole number`)
	})
	t.Run("renamed column", func(t *testing.T) {
		files := copyTo(t, dir, src, "population.csv", func(s string) string {
			return strings.Replace(s, ",asylum_seekers,", ",asylum,", 1)
		})
		brokenImport(t, db, rn, importer.UNHCRPopulationName, files, fp, "population.csv: row 1", `column "asylum_seekers"`, "missing required column")
	})
	t.Run("truncated", func(t *testing.T) {
		files := copyTo(t, dir, src, "population.csv", func(s string) string {
			i := strings.Index(s, "\n2020,")
			return s[:i+20]
		})
		brokenImport(t, db, rn, importer.UNHCRPopulationName, files, fp, "population.csv: row")
	})
}

// ---------------------------------------------------------------------------
// Benchmarks: one import of the shipped files on SQLite (the reference
// geography loaded once, outside the timing).

var benchOnce sync.Map

func benchImport(b *testing.B, dataset string) {
	ctx := context.Background()
	_, rn := statsDB(b, storetest.Engines(b)[0])
	var rep importer.Report
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// Force a reload: forget the stored checksum.
		if _, err := rn.DB.SQL().ExecContext(ctx, rn.DB.Rebind(`DELETE FROM datasets WHERE name = ?`), dataset); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var err error
		if rep, err = rn.Run(ctx, dataset, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(rep.Read), "rows")
	if _, done := benchOnce.LoadOrStore(dataset, true); !done {
		b.Log(strings.TrimSpace(rep.Summary(0)))
	}
}

func BenchmarkImportUNHCRPopulation(b *testing.B) { benchImport(b, importer.UNHCRPopulationName) }
