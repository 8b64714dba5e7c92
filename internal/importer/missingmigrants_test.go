package importer_test

import (
	"context"
	"github.com/corridor-platform/corridor/internal/testenv"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

const (
	mmpCSV  = "Missing_Migrants_Global_Figures_allData.csv"
	mmpXLSX = "Missing_Migrants_Global_Figures_allData.xlsx"
)

// mmpExpect holds what the CSV says, read with encoding/csv.
type mmpExpect struct {
	rows                       [][]string
	col                        func(string) int
	byYear                     map[string]int64 // dead and missing ("" = no year)
	total, dead, missing       int64
	deadEmpty, survivorsEmpty  int64
	mediterranean, libya, cmed int64 // dead and missing: region, country of incident, route
	mediterraneanN             int
}

func readMMP(t *testing.T) *mmpExpect {
	t.Helper()
	rows := readCSV(t, shipped("iom-missing-migrants", mmpCSV))
	e := &mmpExpect{rows: rows, byYear: map[string]int64{}}
	e.col = func(name string) int { return colIndex(t, rows[0], name) }
	num := func(s string) int64 {
		if s == "" {
			return 0
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		return v
	}
	iTotal, iDead, iMissing, iYear := e.col("Total Number of Dead and Missing"), e.col("Number of Dead"), e.col("Minimum Estimated Number of Missing"), e.col("Incident Year")
	iRegion, iCountry, iRoute, iSurv := e.col("Region of Incident"), e.col("Country of Incident"), e.col("Migration Route"), e.col("Number of Survivors")
	for _, r := range rows[1:] {
		tot := num(r[iTotal])
		e.total += tot
		e.dead += num(r[iDead])
		e.missing += num(r[iMissing])
		e.byYear[r[iYear]] += tot
		if r[iDead] == "" {
			e.deadEmpty++
		}
		if r[iSurv] == "" {
			e.survivorsEmpty++
		}
		// Multi-valued: "Mediterranean,North America" counts for both.
		if slices.Contains(strings.Split(r[iRegion], ","), "Mediterranean") {
			e.mediterranean += tot
			e.mediterraneanN++
		}
		if r[iCountry] == "Libya" {
			e.libya += tot
		}
		if slices.Contains(strings.Split(r[iRoute], ","), "Central Mediterranean") {
			e.cmed += tot
		}
	}
	return e
}

func allIncidents(t *testing.T, db *store.DB) []store.Incident {
	t.Helper()
	var out []store.Incident
	for off := 0; ; off += store.MaxPageSize {
		page, err := db.Incidents(context.Background(), store.IncidentFilter{}, store.MaxPageSize, off)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < store.MaxPageSize {
			return out
		}
	}
}

func TestMissingMigrants(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	exp := readMMP(t)
	// The figures the issue quotes, from the file itself.
	if exp.byYear["2024"] != 9002 || exp.total != 74376 {
		t.Fatalf("the CSV gives %d dead and missing in 2024 and %d in all; the issue says 9,002 and 74,376", exp.byYear["2024"], exp.total)
	}
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db, rn := statsDB(t, e)
		rep, err := rn.Run(ctx, importer.MissingMigrantsName, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(rep.Summary(5))
		n := int64(len(exp.rows) - 1)
		if rep.Read != n || rep.Loaded != n || rep.Rejected != 0 {
			t.Errorf("read %d, loaded %d, rejected %d; want %d, %d, 0", rep.Read, rep.Loaded, rep.Rejected, n, n)
		}

		dead, missing, count, err := db.IncidentTotals(ctx, store.IncidentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if dead+missing != 74376 || dead != exp.dead || missing != exp.missing || int64(count) != n {
			t.Errorf("all incidents: %d dead + %d missing in %d incidents; want %d + %d = 74,376 in %d", dead, missing, count, exp.dead, exp.missing, n)
		}
		dead, missing, _, err = db.IncidentTotals(ctx, store.IncidentFilter{Year: 2024})
		if err != nil || dead+missing != 9002 {
			t.Errorf("2024: %d dead + %d missing, %v; want 9,002", dead, missing, err)
		}
		byYear, err := db.IncidentTotalsByYear(ctx, store.IncidentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(byYear) != len(exp.byYear) || byYear[0].Key != "" {
			t.Errorf("by year: %d groups, first %q; want %d, the unknown year first", len(byYear), byYear[0].Key, len(exp.byYear))
		}
		for _, g := range byYear {
			if g.Dead+g.Missing != exp.byYear[g.Key] || g.DeadAndMissing != exp.byYear[g.Key] {
				t.Errorf("year %q: %+v; want %d dead and missing", g.Key, g, exp.byYear[g.Key])
			}
		}
		for _, c := range []struct {
			f    store.IncidentFilter
			want int64
		}{
			{store.IncidentFilter{Region: "Mediterranean"}, exp.mediterranean},
			{store.IncidentFilter{CountryOfIncident: "LBY"}, exp.libya},
			{store.IncidentFilter{Route: "Central Mediterranean"}, exp.cmed},
		} {
			d, m, _, err := db.IncidentTotals(ctx, c.f)
			if err != nil || d+m != c.want || c.want == 0 {
				t.Errorf("%+v: %d dead and missing, %v; want %d", c.f, d+m, err, c.want)
			}
		}
		regions, err := db.IncidentTotalsByRegion(ctx, store.IncidentFilter{Year: 0})
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, g := range regions {
			sum += g.DeadAndMissing
			if g.Key == "Mediterranean" && (g.DeadAndMissing != exp.mediterranean || g.Incidents != exp.mediterraneanN) {
				t.Errorf("Mediterranean: %+v; want %d in %d incidents", g, exp.mediterranean, exp.mediterraneanN)
			}
		}
		if sum < exp.total {
			t.Errorf("regions sum to %d, less than the %d of all incidents", sum, exp.total)
		}

		// Empty means unknown: NULL, not zero.
		var deadNull, survNull int64
		if err := db.SQL().QueryRowContext(ctx, `SELECT
			SUM(CASE WHEN dead IS NULL THEN 1 ELSE 0 END), SUM(CASE WHEN survivors IS NULL THEN 1 ELSE 0 END) FROM incidents`).Scan(&deadNull, &survNull); err != nil {
			t.Fatal(err)
		}
		if deadNull != exp.deadEmpty || survNull != exp.survivorsEmpty || deadNull == 0 {
			t.Errorf("NULL dead %d, survivors %d; want %d, %d (the empty cells)", deadNull, survNull, exp.deadEmpty, exp.survivorsEmpty)
		}

		// Records: every stored incident equals its row.
		all := allIncidents(t, db)
		if int64(len(all)) != n {
			t.Fatalf("%d incidents listed; want %d", len(all), n)
		}
		col := exp.col
		for i, in := range all {
			r := exp.rows[i+1]
			date := r[col("Incident Date")]
			if date == "0" {
				date = "" // the one "0": unknown
			}
			// Text is stored trimmed. SourceRow is the line a CSV record starts on: after a cell
			// holding a line break it runs ahead of the record count.
			if in.SourceRow < i+2 || in.IncidentID != r[col("Incident ID")] || in.Date != date ||
				in.Location != strings.TrimSpace(r[col("Location of Incident")]) || in.CountryText != strings.TrimSpace(r[col("Country of Incident")]) || in.OriginText != strings.TrimSpace(r[col("Country of Origin")]) ||
				strings.Join(in.Causes, ",") != r[col("Cause of Death")] || strings.Join(in.Regions, ",") != r[col("Region of Incident")] ||
				strings.Join(in.Routes, ",") != r[col("Migration Route")] || in.InformationSource != strings.TrimSpace(r[col("Information Source")]) {
				t.Fatalf("incident %d = %+v\nrow: %q", i+1, in, r)
			}
			for _, c := range []struct {
				col string
				v   *int64
			}{{"Number of Dead", in.Dead}, {"Minimum Estimated Number of Missing", in.Missing}, {"Number of Survivors", in.Survivors},
				{"Number of Females", in.Females}, {"Number of Males", in.Males}, {"Number of Children", in.Children}} {
				got := ""
				if c.v != nil {
					got = strconv.FormatInt(*c.v, 10)
				}
				if got != r[col(c.col)] {
					t.Fatalf("incident %d %s = %q; want %q", i+1, c.col, got, r[col(c.col)])
				}
			}
			latS, lonS, _ := strings.Cut(r[col("Coordinates")], ",")
			lat, err1 := strconv.ParseFloat(strings.TrimSpace(latS), 64)
			lon, err2 := strconv.ParseFloat(strings.TrimSpace(lonS), 64)
			if err1 != nil || err2 != nil || in.Latitude == nil || *in.Latitude != lat || *in.Longitude != lon {
				t.Fatalf("incident %d coordinates %v, %v; want %q", i+1, in.Latitude, in.Longitude, r[col("Coordinates")])
			}
		}
		// A multi-valued cause holding commas inside a value.
		var found bool
		for _, in := range all {
			if len(in.Causes) == 2 && in.Causes[0] == "Harsh environmental conditions / lack of adequate shelter, food, water" {
				found = true
				break
			}
		}
		if !found {
			t.Error("no incident with the cause \"Harsh environmental conditions / lack of adequate shelter, food, water\" first of two")
		}
		// Countries of origin: matched codes, unmatched names kept.
		var multi *store.Incident
		for i := range all {
			if strings.Count(all[i].OriginText, ",") >= 2 && strings.Contains(all[i].OriginText, "Unknown") {
				multi = &all[i]
				break
			}
		}
		if multi == nil {
			t.Fatal("no incident with three or more origins including Unknown")
		}
		if len(multi.Origins) != len(strings.Split(multi.OriginText, ",")) {
			t.Errorf("origins of %s: %+v from %q", multi.IncidentID, multi.Origins, multi.OriginText)
		}
		for _, o := range multi.Origins {
			if (o.AreaCode == "") != (o.Name == "Unknown") {
				t.Errorf("origin %+v of %q", o, multi.OriginText)
			}
		}
		d, m, _, err := db.IncidentTotals(ctx, store.IncidentFilter{Origin: "AFG", Year: 2024})
		if err != nil || d+m == 0 {
			t.Errorf("Afghan origin 2024: %d, %v", d+m, err)
		}

		// Unmatched names are reported: only the origins that are no area.
		s := rep.Summary(0)
		if strings.Contains(s, "unmatched Country of Incident") {
			t.Errorf("a country of incident is unmatched:\n%s", s)
		}
		if !strings.Contains(s, `unmatched Country of Origin names, no area (stored as written with an empty area code): "Unknown" ×`) {
			t.Errorf("summary does not report the unknown origins:\n%s", s)
		}
		for _, line := range strings.Split(s, "\n") {
			if strings.Contains(line, "unmatched Country of Origin") {
				_, list, _ := strings.Cut(line, "empty area code): ")
				for _, part := range strings.Split(list, "; ") {
					name, _, _ := strings.Cut(strings.Trim(part, `"`), `" ×`)
					if name != "Unknown" && name != "Mixed" && name != "Mixed/Unknown" {
						t.Errorf("unmatched origin %q", name)
					}
				}
			}
		}

		again, err := rn.Run(ctx, importer.MissingMigrantsName, nil)
		if err != nil || !again.Unchanged {
			t.Errorf("re-import: %v, %v; want unchanged", again.Summary(0), err)
		}
	})
}

// TestMissingMigrantsXLSX: the XLSX IOM publishes gives the same
// incidents as the CSV.
func TestMissingMigrantsXLSX(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	if testing.Short() {
		t.Skip("reads the 19,000-row workbook")
	}
	ctx := context.Background()
	db, rn := statsDB(t, storetest.Engines(t)[0])
	if _, err := rn.Run(ctx, importer.MissingMigrantsName, nil); err != nil {
		t.Fatal(err)
	}
	fromCSV := allIncidents(t, db)
	rep, err := rn.Run(ctx, importer.MissingMigrantsName, []string{shipped("iom-missing-migrants", mmpXLSX)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unchanged || rep.Loaded != int64(len(fromCSV)) {
		t.Fatalf("XLSX import: %s", rep.Summary(3))
	}
	fromXLSX := allIncidents(t, db)
	for i := range fromCSV {
		// Rows are numbered as each file counts them: CSV lines (a cell
		// may hold a line break), sheet rows.
		fromCSV[i].SourceRow, fromXLSX[i].SourceRow = 0, 0
		if !reflect.DeepEqual(fromCSV[i], fromXLSX[i]) {
			t.Fatalf("incident %d differs:\nCSV  %+v\nXLSX %+v", i+1, fromCSV[i], fromXLSX[i])
		}
	}
}

func TestMissingMigrantsBroken(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	db, rn := statsDB(t, storetest.Engines(t)[0])
	ctx := context.Background()
	if _, err := rn.Run(ctx, importer.MissingMigrantsName, nil); err != nil {
		t.Fatal(err)
	}
	fp := func() string {
		return tableFingerprint(t, db, `SELECT COUNT(*), COALESCE(SUM(dead_and_missing), 0) FROM incidents`)
	}
	src := []string{shipped("iom-missing-migrants", mmpCSV)}
	dir := t.TempDir()
	const row3 = "2014.MMP00002,2014.MMP00002,Incident,North America,2014-01-12,2014,January,1,"
	for _, c := range []struct {
		name string
		edit func(string) string
		want []string
	}{
		{"text in a number", func(s string) string {
			return strings.Replace(s, row3, strings.Replace(row3, "January,1,", "January,one,", 1), 1)
		}, []string{mmpCSV + ": row 3", `column "Number of Dead"`, `"one" is not a whole number`}},
		{"renamed column", func(s string) string {
			return strings.Replace(s, ",Number of Dead,", ",Dead,", 1)
		}, []string{mmpCSV + ": row 1", `column "Number of Dead"`, "missing required column"}},
		{"bad date", func(s string) string {
			return strings.Replace(s, row3, strings.Replace(row3, "2014-01-12", "12/01/2014", 1), 1)
		}, []string{mmpCSV + ": row 3", `column "Incident Date"`, `"12/01/2014" is not a date`}},
		{"bad coordinates", func(s string) string {
			return strings.Replace(s, `"31.59713, -111.73756"`, `"31.59713; -111.73756"`, 1)
		}, []string{mmpCSV + ": row 3", `column "Coordinates"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := copyTo(t, dir, src, mmpCSV, c.edit)
			brokenImport(t, db, rn, importer.MissingMigrantsName, files, fp, c.want...)
		})
	}
}

func BenchmarkImportMissingMigrants(b *testing.B) { benchImport(b, importer.MissingMigrantsName) }
