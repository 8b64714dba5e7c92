package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/api"
	"github.com/corridor-platform/corridor/internal/web/webauth"
)

// trafVP is a small CTDC Victim-Perpetrator condensed file.
const trafVP = "yearRegister,gender,majorityStatus,isForcedLabour,isSexualExploit,UN_COO_Region,UN_COE_Region," +
	"IP_Exploiter,IP_Gender,IP_ageBroad,IP_citizen_UNRegion,IP_Relation,IP_PayMoney,IP_RecruiterBroker,IP_TransactionProcess,IP_ControlAbuseKidnap\n" +
	"2019,Female,Adult,1,,Asia,Europe,1,Male,,Asia,StrangerUnknownOther,No,1,,\n" +
	"2019,Male,Adult,1,,Asia,Europe,,,,,,,,,\n" +
	"2014-2018,Female,Minor,,1,Africa,Europe,,,,,FamilyIntimatePartner,,,,\n" +
	",,,,,,,,,,,,,,,\n"

// trafficking is the API over a database holding one imported CTDC file.
func traffickingAPI(t *testing.T, withData bool) (http.Handler, *store.DB) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "t.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if withData {
		path := filepath.Join(dir, "vp.csv")
		if err := os.WriteFile(path, []byte(trafVP), 0o644); err != nil {
			t.Fatal(err)
		}
		rn := &importer.Runner{DB: db, Registry: importer.Builtin()}
		if _, err := rn.Run(ctx, importer.CTDCName, []string{path}); err != nil {
			t.Fatal(err)
		}
	}
	router := web.NewRouter(nil)
	api.New(api.Config{Geo: db.Geo(), Version: "test", DB: db, Auth: &webauth.Auth{DB: db}}).Register(router)
	return (&web.Stack{Router: router, BodyLimit: 1 << 20}).Handler(), db
}

func TestTraffickingAPIBadParameters(t *testing.T) {
	h, _ := traffickingAPI(t, true)
	for _, c := range []struct{ query, param string }{
		{"year=2019x", "year"},
		{"year=2019-2014", "year"},
		{"gender=Woman", "gender"},
		{"age=09--17", "age"},
		{"citizenship=Atlantis", "citizenship"},
		{"exploitation=12", "exploitation"},
		{"citizenship=ZZZ", "citizenship"}, // well-formed, no such country
		{"source=import:other.csv", "source"},
		{"format=xlsx", "format"},
		{"top=0", "top"},
		{"genre=female", "genre"},
		{"year=2019&year=2020", "year"},
	} {
		for _, path := range []string{"/api/v1/trafficking/summary", "/api/v1/trafficking/map"} {
			if path == "/api/v1/trafficking/map" && c.param == "top" {
				continue
			}
			w := mapGet(t, h, path+"?"+c.query)
			var p struct {
				Param string `json:"param"`
			}
			json.Unmarshal(w.Body.Bytes(), &p)
			if w.Code != http.StatusBadRequest || p.Param != c.param || !strings.Contains(w.Header().Get("Content-Type"), "problem+json") {
				t.Errorf("%s?%s: %d %s, want 400 naming %s", path, c.query, w.Code, w.Body, c.param)
			}
		}
	}
}

func TestTraffickingAPINoData(t *testing.T) {
	h, _ := traffickingAPI(t, false)
	w := mapGet(t, h, "/api/v1/trafficking/summary")
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "corridor import ctdc") {
		t.Errorf("summary without data: %d %s", w.Code, w.Body)
	}
	w = mapGet(t, h, "/api/v1/trafficking")
	var s api.TraffickingSources
	if err := json.Unmarshal(w.Body.Bytes(), &s); err != nil || w.Code != http.StatusOK || len(s.Sources) != 0 {
		t.Errorf("sources without data: %d %s", w.Code, w.Body)
	}
}

// The JSON and the CSV give the store's numbers.
func TestTraffickingAPIMatchesStore(t *testing.T) {
	h, db := traffickingAPI(t, true)
	ctx := context.Background()
	w := mapGet(t, h, "/api/v1/trafficking")
	var srcs api.TraffickingSources
	if err := json.Unmarshal(w.Body.Bytes(), &srcs); err != nil || len(srcs.Sources) != 1 || srcs.Sources[0].Records != 4 ||
		srcs.Sources[0].Source != "import:vp.csv" || !strings.Contains(srcs.Citation, "CTDC") {
		t.Fatalf("sources: %d %s", w.Code, w.Body)
	}
	for _, query := range []string{"", "year=2019", "gender=female", "age=adult&citizenship=asia", "exploitation=Europe&source=import:vp.csv"} {
		t.Run(query, func(t *testing.T) {
			f, _, err := api.ParseTraffickingFilter(ctx, db, mustQuery(t, query))
			if err != nil {
				t.Fatal(err)
			}
			want, err := db.TraffickingSummary(ctx, f, api.TraffickingTop)
			if err != nil {
				t.Fatal(err)
			}
			w := mapGet(t, h, "/api/v1/trafficking/summary?"+query)
			if w.Code != http.StatusOK || w.Header().Get("ETag") == "" {
				t.Fatalf("status %d etag %q: %s", w.Code, w.Header().Get("ETag"), w.Body)
			}
			var got api.TraffickingSummaryAnswer
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Total == nil {
				t.Fatalf("total is null for a record source")
			}
			got.TraffickingSummary.Total = *got.Total
			gj, _ := json.Marshal(got.TraffickingSummary)
			wj, _ := json.Marshal(want)
			if string(gj) != string(wj) {
				t.Errorf("JSON\n%s\nstore\n%s", gj, wj)
			}
			// The CSV: every figure of the store, once.
			w = mapGet(t, h, "/api/v1/trafficking/summary?format=csv&"+query)
			recs, err := csv.NewReader(strings.NewReader(w.Body.String())).ReadAll()
			if err != nil || w.Code != http.StatusOK {
				t.Fatalf("csv: %d %v", w.Code, err)
			}
			csvCounts := map[string]int64{}
			for _, r := range recs[1:] {
				n, _ := strconv.ParseInt(r[4], 10, 64)
				csvCounts[r[1]+"|"+r[2]+"|"+r[3]] = n
			}
			check := func(table, key, to string, n int64) {
				if got, ok := csvCounts[table+"|"+key+"|"+to]; !ok || got != n {
					t.Errorf("csv %s %q %q: %d (%v), want %d", table, key, to, got, ok, n)
				}
			}
			check("total", "", "", want.Total)
			for _, c := range want.ByYear {
				check("year", c.Key, "", c.Count)
			}
			for _, c := range want.ByGender {
				check("gender", c.Key, "", c.Count)
			}
			for _, c := range want.Corridors {
				check("corridor", c.Citizenship, c.Exploitation, c.Count)
			}
			for _, g := range want.Groups {
				for _, c := range g.Counts {
					if c.NotRecorded {
						if _, ok := csvCounts[g.Group+"|"+c.Key+"|"]; ok {
							t.Errorf("CSV has a row for %s.%s, which the source does not record", g.Group, c.Key)
						}
						continue
					}
					check(g.Group, c.Key, "", c.Count)
				}
			}
			// The map: the store's counts by country of exploitation.
			w = mapGet(t, h, "/api/v1/trafficking/map?"+query)
			var m api.TraffickingMap
			if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil || len(m.Rows) != len(want.ByExploitation) {
				t.Fatalf("map %d %s", w.Code, w.Body)
			}
			for i, c := range want.ByExploitation {
				if m.Rows[i].Place != c.Key || m.Rows[i].Count != c.Count {
					t.Errorf("map row %d: %+v, want %+v", i, m.Rows[i], c)
				}
			}
		})
	}
	// Figures: the fixture's.
	s, _ := db.TraffickingSummary(ctx, store.TraffickingFilter{Source: "import:vp.csv"}, 10)
	if s.Total != 4 || len(s.Corridors) != 2 || s.Corridors[0] != (store.TraffickingCorridor{Citizenship: "Asia", Exploitation: "Europe", Count: 2}) {
		t.Errorf("summary %+v", s)
	}
}

func mustQuery(t *testing.T, q string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
