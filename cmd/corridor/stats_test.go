package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"github.com/corridor-platform/corridor/internal/testenv"
	"math"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/corridor-platform/corridor/internal/importer"
)

// TestSDG1074Syria: SDG 10.7.4 for Syria from the data API equals UNHCR's
// formula computed here straight from the shipped files: the people from
// Syria who are refugees or other people in need of international
// protection, in every country of asylum, per 100,000 of Syria's mid-year
// population (UN DESA) plus those people — in 2020, and in 2015, before
// UNHCR reported other people in need (the category then held nobody).
func TestSDG1074Syria(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	if testing.Short() {
		t.Skip("imports three datasets")
	}
	app := newTestApp(t, "")
	ctx := context.Background()
	for _, ds := range []string{"countries", "un-migrant-stock", "unhcr-population"} {
		rn := &importer.Runner{DB: app.db, Registry: importer.Builtin(), DataDir: dataDir}
		if _, err := rn.Run(ctx, ds, nil); err != nil {
			t.Fatalf("import %s: %v", ds, err)
		}
	}
	for _, year := range []string{"2020", "2015"} {
		t.Run(year, func(t *testing.T) { testSDG1074Syria(t, app, year) })
	}
}

func testSDG1074Syria(t *testing.T, app *testApp, year string) {
	// Numerator from population.csv.
	f, err := os.Open(filepath.Join(dataDir, "unhcr-refugee-population", "population.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var people float64
	for _, r := range recs[1:] {
		if r[col["year"]] == year && r[col["coo_iso"]] == "SYR" {
			for _, c := range []string{"refugees", "oip"} {
				if v, err := strconv.ParseFloat(r[col[c]], 64); err == nil {
					people += v
				}
			}
		}
	}
	// Denominator from the UN DESA workbook, Table 2 (thousands).
	wb, err := excelize.OpenFile(filepath.Join(dataDir, "un-desa-international-migrant-stock", "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.GetRows("Table 2", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var pop float64
	for i, r := range rows {
		if len(r) > 3 && strings.TrimSpace(r[1]) == "Syrian Arab Republic" {
			// The header row above names the columns: the first "2020" is both sexes.
			for j := i - 1; j >= 0; j-- {
				for k, h := range rows[j] {
					if strings.TrimSpace(h) == year && pop == 0 {
						pop, _ = strconv.ParseFloat(r[k], 64)
					}
				}
				if pop != 0 {
					break
				}
			}
			break
		}
	}
	if people == 0 || pop == 0 {
		t.Fatalf("could not read the sources: people %v, population %v", people, pop)
	}
	want := math.Round(people/(pop*1000+people)*100000*10) / 10

	req := httptest.NewRequest("GET", "/api/v1/data?indicator=sdg_10_7_4&area=SYR&period="+year, nil)
	rec := httptest.NewRecorder()
	app.handler.ServeHTTP(rec, req)
	var out struct {
		Rows []struct {
			Value  *float64 `json:"value"`
			Status string   `json:"status"`
		} `json:"rows"`
	}
	json.Unmarshal(rec.Body.Bytes(), &out)
	if rec.Code != 200 || len(out.Rows) != 1 || out.Rows[0].Value == nil {
		t.Fatalf("data API: %d %s", rec.Code, rec.Body)
	}
	if got := *out.Rows[0].Value; got != want {
		t.Errorf("SDG 10.7.4 Syria %s = %v, want %v (%.0f people / %.0f thousand)", year, got, want, people, pop)
	}
}

// TestSDG1073: dead and missing from the data API equal the sums of the
// Missing Migrants file: 9,002 in 2024 worldwide, and the Mediterranean
// and Libya figures computed here from the CSV.
func TestSDG1073(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	app := newTestApp(t, "")
	for _, ds := range []string{"countries", "missing-migrants"} {
		rn := &importer.Runner{DB: app.db, Registry: importer.Builtin(), DataDir: dataDir}
		if _, err := rn.Run(context.Background(), ds, nil); err != nil {
			t.Fatalf("import %s: %v", ds, err)
		}
	}
	f, err := os.Open(filepath.Join(dataDir, "iom-missing-migrants", "Missing_Migrants_Global_Figures_allData.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var world, med, libya float64
	for _, r := range recs[1:] {
		if r[col["Incident Year"]] != "2024" {
			continue
		}
		v, _ := strconv.ParseFloat(r[col["Total Number of Dead and Missing"]], 64)
		world += v
		if r[col["Region of Incident"]] == "Mediterranean" {
			med += v
		}
		if r[col["Country of Incident"]] == "Libya" {
			libya += v
		}
	}
	if world != 9002 {
		t.Fatalf("the file gives %v for 2024, the issue says 9,002", world)
	}
	for _, tt := range []struct {
		area string
		want float64
	}{{"001", world}, {"Mediterranean", med}, {"LBY", libya}} {
		req := httptest.NewRequest("GET", "/api/v1/data?indicator=sdg_10_7_3&period=2024&area="+url.QueryEscape(tt.area), nil)
		rec := httptest.NewRecorder()
		app.handler.ServeHTTP(rec, req)
		var out struct {
			Rows []struct {
				Value *float64 `json:"value"`
			} `json:"rows"`
		}
		json.Unmarshal(rec.Body.Bytes(), &out)
		if rec.Code != 200 || len(out.Rows) != 1 || out.Rows[0].Value == nil || *out.Rows[0].Value != tt.want {
			t.Errorf("sdg_10_7_3 %s 2024: %d %s, want %v", tt.area, rec.Code, rec.Body, tt.want)
		}
	}
	req := httptest.NewRequest("GET", "/api/v1/data?indicator=sdg_10_7_3&period=2024&area=Atlantis", nil)
	rec := httptest.NewRecorder()
	app.handler.ServeHTTP(rec, req)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"param":"area"`) {
		t.Errorf("unknown area: %d %s", rec.Code, rec.Body)
	}
}
