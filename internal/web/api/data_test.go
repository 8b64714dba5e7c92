package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
	"github.com/corridor-platform/corridor/internal/testenv"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/api"
	"github.com/corridor-platform/corridor/internal/web/webauth"
)

var dataRoot = filepath.Join("..", "..", "..", "data")

// dataServer serves the API over a SQLite store with the reference
// geography and UN DESA's migrant stock imported from the shipped files.
func dataServer(t *testing.T) (*httptest.Server, *store.DB, *importer.Runner) {
	t.Helper()
	testenv.SkipHeavyUnderRace(t)
	if testing.Short() {
		t.Skip("imports the shipped datasets")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.Engines(t)[0].DSN, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Stats().EnsureBuiltinIndicators(ctx); err != nil {
		t.Fatal(err)
	}
	rn := &importer.Runner{DB: db, Registry: importer.Builtin(), DataDir: dataRoot, Host: "test"}
	for _, name := range []string{"countries", "un-migrant-stock"} {
		if _, err := rn.Run(ctx, name, nil); err != nil {
			t.Fatal(err)
		}
	}
	router := web.NewRouter(nil)
	api.New(api.Config{Geo: db.Geo(), Version: "test", DB: db, Auth: &webauth.Auth{DB: db}}).Register(router)
	srv := httptest.NewServer((&web.Stack{Router: router, BodyLimit: 1 << 20}).Handler())
	t.Cleanup(srv.Close)
	return srv, db, rn
}

// ims2020 reads Table 1 of the IMS 2020 workbook with excelize: the 2020
// both-sexes cell and the "Type of data" of each row, by location code
// and by name.
type imsRow struct {
	value float64
	ok    bool
	typ   string
}

func ims2020(t *testing.T) (byCode, byName map[string]imsRow) {
	t.Helper()
	f, err := excelize.OpenFile(filepath.Join(dataRoot, "un-desa-international-migrant-stock", "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Table 1", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	byCode, byName = map[string]imsRow{}, map[string]imsRow{}
	header := -1
	for i, r := range rows {
		if header < 0 {
			if slices.Contains(r, "Location code") {
				header = i
				if r[11] != "2020" {
					t.Fatalf("Table 1: column L is %q, want 2020", r[11])
				}
			}
			continue
		}
		if len(r) < 12 {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(r[11]), 64)
		row := imsRow{value: v, ok: err == nil, typ: r[4]}
		byCode[strings.TrimSpace(r[3])] = row
		byName[strings.TrimRight(strings.TrimSpace(r[1]), "*")] = row
	}
	return byCode, byName
}

type dataAnswer struct {
	Rows []api.DataRow `json:"rows"`
	Meta api.DataMeta  `json:"meta"`
}

func fetch(t *testing.T, url string, header map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func fetchJSON(t *testing.T, url string) dataAnswer {
	t.Helper()
	resp := fetch(t, url, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d", url, resp.StatusCode)
	}
	var out dataAnswer
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDataAggregates checks the data API's aggregate rows and statuses
// against the workbook, its CSV and XLSX against its JSON, and its
// validators.
func TestDataAggregates(t *testing.T) {
	srv, db, rn := dataServer(t)
	ctx := context.Background()
	byCode, byName := ims2020(t)
	// computed sums the workbook's members of an aggregate as the
	// reference geography lists them; missing are those without a value.
	computed := func(t *testing.T, code string) (sum float64, missing []string, estimated bool, members int) {
		a, err := db.Geo().Area(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range a.Members {
			c, err := db.Geo().Area(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			n, _ := strconv.Atoi(c.M49)
			row, ok := byCode[strconv.Itoa(n)]
			if !ok || !row.ok || c.M49 == "" {
				missing = append(missing, m)
				continue
			}
			sum += row.value
			estimated = estimated || strings.Contains(row.typ, "I")
		}
		return sum, missing, estimated, len(a.Members)
	}
	status := func(estimated bool) string {
		if estimated {
			return "estimated"
		}
		return "observed"
	}

	const url = "/api/v1/data?indicator=migrant_stock&area=014,154,202,830,ERI,KEN&period=2020"
	got := fetchJSON(t, srv.URL+url)
	if len(got.Rows) != 6 {
		t.Fatalf("%d rows: %+v", len(got.Rows), got.Rows)
	}
	rows := map[string]api.DataRow{}
	for _, r := range got.Rows {
		rows[r.Area] = r
	}
	t.Run("published and computed", func(t *testing.T) {
		for _, tc := range []struct{ code, name string }{{"014", "Eastern Africa"}, {"154", "Northern Europe"}} {
			r := rows[tc.code]
			pub := byName[tc.name]
			sum, missing, est, members := computed(t, tc.code)
			if r.Value == nil || *r.Value != pub.value || r.Basis != "published" || r.Status != "observed" {
				t.Errorf("%s: value %v basis %q status %q; the workbook's row %v", tc.code, r.Value, r.Basis, r.Status, pub.value)
			}
			if r.Computed == nil || *r.Computed != sum || r.Difference == nil || *r.Difference != pub.value-sum {
				t.Errorf("%s: computed %v difference %v; Σ members %v", tc.code, r.Computed, r.Difference, sum)
			}
			if r.Coverage == nil || r.Coverage.Members != members || r.Coverage.WithData != members-len(missing) || !slices.Equal(r.Coverage.Missing, missing) {
				t.Errorf("%s: coverage %+v, want %d members, missing %v", tc.code, r.Coverage, members, missing)
			}
			t.Logf("%s %s 2020: published %v, computed %v (%s), difference %v, coverage %d/%d, missing %v",
				tc.code, tc.name, pub.value, sum, status(est), pub.value-sum, members-len(missing), members, missing)
		}
		// The Channel Islands are published together, never by island.
		if d := *rows["154"].Difference; d != byName["Channel Islands"].value {
			t.Errorf("Northern Europe's difference %v is not the Channel Islands' %v", d, byName["Channel Islands"].value)
		}
		ci := rows["830"]
		if ci.Value == nil || *ci.Value != byName["Channel Islands"].value || ci.Basis != "published" || ci.Computed != nil ||
			ci.Coverage == nil || ci.Coverage.WithData != 0 {
			t.Errorf("830: %+v", ci)
		}
	})
	t.Run("computed only", func(t *testing.T) {
		// UN DESA publishes SDG Sub-Saharan Africa (947), not the M49
		// sub-region 202: its figure is computed, and says so.
		r := rows["202"]
		sum, missing, est, members := computed(t, "202")
		if r.Value == nil || *r.Value != sum || r.Basis != "computed" || r.Status != status(est) || r.Computed != nil ||
			r.Coverage == nil || r.Coverage.Members != members || !slices.Equal(r.Coverage.Missing, missing) {
			t.Errorf("202: %+v (coverage %+v); want Σ members %v (%s), missing %v", r, r.Coverage, sum, status(est), missing)
		}
	})
	t.Run("status", func(t *testing.T) {
		for _, tc := range []struct{ code, m49 string }{{"ERI", "232"}, {"KEN", "404"}} {
			wb := byCode[tc.m49]
			r := rows[tc.code]
			if r.Value == nil || *r.Value != wb.value || r.Status != status(strings.Contains(wb.typ, "I")) || r.Basis != "" {
				t.Errorf("%s: %+v; workbook %v type %q", tc.code, r, wb.value, wb.typ)
			}
		}
		if rows["ERI"].Status != "estimated" {
			t.Error("Eritrea's imputed figure must be estimated")
		}
	})
	t.Run("csv and xlsx equal json", func(t *testing.T) {
		want := [][]string{}
		for _, r := range got.Rows {
			f := func(v *float64) string {
				if v == nil {
					return ""
				}
				return strconv.FormatFloat(*v, 'f', -1, 64)
			}
			cov, miss := "", ""
			if r.Coverage != nil {
				cov = strconv.Itoa(r.Coverage.WithData) + "/" + strconv.Itoa(r.Coverage.Members)
				miss = strings.Join(r.Coverage.Missing, " ")
			}
			want = append(want, []string{r.Indicator, r.Area, got.Meta.AreaNames[r.Area], r.Counterpart, r.Period, r.Sex, f(r.Value), r.Status,
				r.Basis, f(r.Computed), f(r.Difference), cov, miss, got.Meta.Unit,
				strings.Join(got.Meta.Sources, "; "), strings.Join(got.Meta.Citations, "; "), strings.Join(got.Meta.Licences, "; ")})
		}
		for _, how := range []struct {
			name, query string
			header      map[string]string
		}{
			{"format=csv", "&format=csv", nil},
			{"Accept: text/csv", "", map[string]string{"Accept": "text/csv"}},
		} {
			resp := fetch(t, srv.URL+url+how.query, how.header)
			recs, err := csv.NewReader(resp.Body).ReadAll()
			if err != nil || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
				t.Fatalf("%s: %v, %s", how.name, err, resp.Header.Get("Content-Type"))
			}
			if !slices.Equal(recs[0][:8], []string{"indicator", "area", "area_name", "counterpart", "period", "sex", "value", "status"}) ||
				!slices.EqualFunc(recs[1:], want, slices.Equal) {
				t.Errorf("%s:\n got %q\nwant %q", how.name, recs, want)
			}
		}
		for _, how := range []struct {
			name, query string
			header      map[string]string
		}{
			{"format=xlsx", "&format=xlsx", nil},
			{"Accept: xlsx", "", map[string]string{"Accept": api.MediaTypeXLSX}},
		} {
			resp := fetch(t, srv.URL+url+how.query, how.header)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != api.MediaTypeXLSX {
				t.Fatalf("%s: %d %s", how.name, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			f, err := excelize.OpenReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			data, err := f.GetRows(api.SheetData, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			for i, rec := range data[1:] {
				if i >= len(want) {
					t.Fatalf("%s: %d rows, want %d", how.name, len(data)-1, len(want))
				}
				rec = append(rec, make([]string, len(want[i])-len(rec))...) // trailing empty cells
				for j := range rec {
					if rec[j] == want[i][j] {
						continue
					}
					// Numbers are cells of type number: compare values.
					a, errA := strconv.ParseFloat(rec[j], 64)
					b, errB := strconv.ParseFloat(want[i][j], 64)
					if errA != nil || errB != nil || a != b {
						t.Errorf("%s: row %d column %s = %q, JSON %q", how.name, i+1, data[0][j], rec[j], want[i][j])
					}
				}
				if typ, _ := f.GetCellType(api.SheetData, "G"+strconv.Itoa(i+2)); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset && want[i][6] != "" {
					// (a cell without a type attribute is a number)
					t.Errorf("%s: value cell of row %d is type %v, not a number", how.name, i+1, typ)
				}
			}
			if len(data)-1 != len(want) {
				t.Errorf("%s: %d rows, want %d", how.name, len(data)-1, len(want))
			}
			src, err := f.GetRows(api.SheetSource)
			if err != nil {
				t.Fatal(err)
			}
			text := ""
			for _, r := range src {
				text += strings.Join(r, "\t") + "\n"
			}
			for _, w := range []string{"International migrant stock", "persons", "United Nations DESA, Population Division (2020). International Migrant Stock 2020",
				"CC BY 3.0 IGO", srv.URL + "/api/v1/data?indicator=migrant_stock", "basis computed"} {
				if !strings.Contains(text, w) {
					t.Errorf("%s: source sheet lacks %q:\n%s", how.name, w, text)
				}
			}
			f.Close()
		}
	})
	t.Run("etag", func(t *testing.T) {
		first := fetch(t, srv.URL+url, nil)
		etag := first.Header.Get("ETag")
		if etag == "" || first.Header.Get("Cache-Control") != api.CacheControlData {
			t.Fatalf("no validator: ETag %q, Cache-Control %q", etag, first.Header.Get("Cache-Control"))
		}
		again := fetch(t, srv.URL+url, map[string]string{"If-None-Match": etag})
		var body bytes.Buffer
		body.ReadFrom(again.Body)
		if again.StatusCode != http.StatusNotModified || body.Len() != 0 || again.Header.Get("ETag") != etag {
			t.Errorf("repeat: %d, %d bytes, ETag %q", again.StatusCode, body.Len(), again.Header.Get("ETag"))
		}
		// Another representation is another entity.
		csvTag := fetch(t, srv.URL+url+"&format=csv", nil).Header.Get("ETag")
		acceptTag := fetch(t, srv.URL+url, map[string]string{"Accept": "text/csv"}).Header.Get("ETag")
		if csvTag == etag || acceptTag == etag || csvTag == "" || acceptTag == "" {
			t.Errorf("json %s, format=csv %s, Accept: text/csv %s", etag, csvTag, acceptTag)
		}
		if resp := fetch(t, srv.URL+url+"&format=csv", map[string]string{"If-None-Match": etag}); resp.StatusCode != 200 {
			t.Errorf("the JSON's ETag validated the CSV: %d", resp.StatusCode)
		}
		// A bad request is no entity to validate.
		if resp := fetch(t, srv.URL+"/api/v1/data?indicator=nope&area=KEN", nil); resp.StatusCode != 400 || resp.Header.Get("ETag") != "" {
			t.Errorf("bad request: %d, ETag %q", resp.StatusCode, resp.Header.Get("ETag"))
		}

		changed := func(what string) {
			t.Helper()
			resp := fetch(t, srv.URL+url, map[string]string{"If-None-Match": etag})
			if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag {
				t.Errorf("after %s: %d, ETag %q (was %q)", what, resp.StatusCode, resp.Header.Get("ETag"), etag)
			}
			etag = resp.Header.Get("ETag")
		}
		// Importing a dataset, and importing it again with other files.
		dir := t.TempDir()
		src, err := os.ReadFile(filepath.Join(dataRoot, "iom-missing-migrants", "Missing_Migrants_Global_Figures_allData.csv"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(src), "\n")
		for i, n := range []int{30, 40} {
			file := filepath.Join(dir, "mm"+strconv.Itoa(i)+".csv")
			if err := os.WriteFile(file, []byte(strings.Join(lines[:n], "")), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := rn.Run(ctx, importer.MissingMigrantsName, []string{file}); err != nil {
				t.Fatal(err)
			}
			changed("importing missing-migrants (" + strconv.Itoa(n) + " lines)")
		}
		// Defining an indicator.
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return db.Stats().CreateIndicator(ctx, tx, stats.Indicator{Code: "stock_thousands", Name: "Migrant stock (thousands)",
				Numerator: "migrant_stock / 1000", Factor: 1, Unit: "thousand persons", Aggregation: "sum"}, 0)
		})
		if err != nil {
			t.Fatal(err)
		}
		changed("defining an indicator")
		if resp := fetch(t, srv.URL+url, map[string]string{"If-None-Match": etag}); resp.StatusCode != http.StatusNotModified {
			t.Errorf("unchanged data: %d, want 304", resp.StatusCode)
		}
	})
}
