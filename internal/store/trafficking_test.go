package store_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

func trafRecords() []store.TraffickingRecord {
	return []store.TraffickingRecord{
		{Year: "2019", Gender: "female", Age: "18-20", Citizenship: "PHL", Exploitation: "USA",
			Flags: map[string][]string{"exploitation": {"sexualExploit"}, "means": {"threats", "falsePromises"}}},
		{Year: "2019", Gender: "male", Age: "30-38", Citizenship: "PHL", Exploitation: "USA",
			Flags: map[string][]string{"exploitation": {"forcedLabour"}, "labour": {"construction"}}},
		{Year: "2014-2018", Gender: "female", Age: "9-17", Citizenship: "UKR", Exploitation: "POL",
			Flags: map[string][]string{"exploitation": {"forcedLabour", "sexualExploit"}, "recruiter": {"family"}}},
		{Year: "", Gender: "", Age: "", Citizenship: "", Exploitation: "POL"},
	}
}

func replaceTraf(t *testing.T, db *store.DB, source, layout string, rows ...store.TraffickingRecord) error {
	t.Helper()
	return db.InTx(context.Background(), func(tx *store.Tx) error {
		return store.ReplaceTraffickingRecords(context.Background(), tx, source, layout, rows...)
	})
}

func TestTraffickingRecords(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		v0, err := db.TraffickingVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := replaceTraf(t, db, "import:a.csv", store.TraffickingLayoutGlobal, trafRecords()...); err != nil {
			t.Fatal(err)
		}
		if v1, _ := db.TraffickingVersion(ctx); v1 == v0 {
			t.Errorf("version unchanged after a replacement: %d", v1)
		}
		s, err := db.TraffickingSummary(ctx, store.TraffickingFilter{Source: "import:a.csv"}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if s.Total != 4 || s.Layout != store.TraffickingLayoutGlobal {
			t.Errorf("total %d layout %q", s.Total, s.Layout)
		}
		wantYears := []store.TraffickingCount{{Key: "2014-2018", Count: 1}, {Key: "2019", Count: 2}, {Key: "", Count: 1}}
		if !equalCounts(s.ByYear, wantYears) {
			t.Errorf("by year %v, want %v", s.ByYear, wantYears)
		}
		if want := []store.TraffickingCount{{Key: "female", Count: 2}, {Key: "male", Count: 1}, {Key: "", Count: 1}}; !equalCounts(s.ByGender, want) {
			t.Errorf("by gender %v, want %v", s.ByGender, want)
		}
		if len(s.Corridors) != 2 || s.Corridors[0] != (store.TraffickingCorridor{Citizenship: "PHL", Exploitation: "USA", Count: 2}) {
			t.Errorf("corridors %v", s.Corridors)
		}
		if want := []store.TraffickingCount{{Key: "POL", Count: 2}, {Key: "USA", Count: 2}}; !equalCounts(s.ByExploitation, want) {
			t.Errorf("by exploitation %v, want %v", s.ByExploitation, want)
		}
		groups := map[string]store.TraffickingGroupCounts{}
		for _, g := range s.Groups {
			groups[g.Group] = g
		}
		ex := groups["exploitation"]
		if ex.Known != 3 || ex.Counts[0] != (store.TraffickingCount{Key: "forcedLabour", Count: 2}) || ex.Counts[1].Count != 2 || ex.Counts[2].Count != 0 {
			t.Errorf("exploitation %+v", ex)
		}
		if m := groups["means"]; m.Known != 1 || m.Counts[1].Count != 1 || m.Counts[3].Count != 1 {
			t.Errorf("means %+v", m)
		}

		// Filters.
		for _, c := range []struct {
			f    store.TraffickingFilter
			want int64
		}{
			{store.TraffickingFilter{Year: "2019"}, 2},
			{store.TraffickingFilter{Gender: "female"}, 2},
			{store.TraffickingFilter{Age: "9-17"}, 1},
			{store.TraffickingFilter{Citizenship: "PHL", Exploitation: "USA"}, 2},
			{store.TraffickingFilter{Exploitation: "POL", Year: "2014-2018"}, 1},
			{store.TraffickingFilter{Exploitation: "DEU"}, 0},
		} {
			c.f.Source = "import:a.csv"
			s, err := db.TraffickingSummary(ctx, c.f, 10)
			if err != nil || s.Total != c.want {
				t.Errorf("%+v: total %d, %v; want %d", c.f, s.Total, err, c.want)
			}
		}

		// A second source is apart; replacing one keeps the other.
		if err := replaceTraf(t, db, "release:7", store.TraffickingLayoutVP, trafRecords()[:1]...); err != nil {
			t.Fatal(err)
		}
		if err := replaceTraf(t, db, "import:a.csv", store.TraffickingLayoutGlobal, trafRecords()[:2]...); err != nil {
			t.Fatal(err)
		}
		srcs, err := db.TraffickingSources(ctx)
		if err != nil || len(srcs) != 2 {
			t.Fatalf("sources %v %v", srcs, err)
		}
		for _, src := range srcs {
			want := map[string]int64{"import:a.csv": 2, "release:7": 1}[src.Source]
			s, _ := db.TraffickingSummary(ctx, store.TraffickingFilter{Source: src.Source}, 10)
			if src.Records != want || s.Total != want {
				t.Errorf("%s: %d records, total %d; want %d", src.Source, src.Records, s.Total, want)
			}
		}
		if _, err := db.TraffickingSummary(ctx, store.TraffickingFilter{Source: "import:none.csv"}, 10); !errors.Is(err, derrors.NotFound) {
			t.Errorf("unknown source: %v", err)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return store.DeleteTraffickingSource(ctx, tx, "release:7") }); err != nil {
			t.Fatal(err)
		}
		if srcs, _ := db.TraffickingSources(ctx); len(srcs) != 1 {
			t.Errorf("after delete: %v", srcs)
		}
	})
}

func TestTraffickingRecordsInvalid(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		db := openMigrated(t, e)
		if err := replaceTraf(t, db, "import:ok.csv", store.TraffickingLayoutGlobal, trafRecords()...); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, source, layout string
			rec                  store.TraffickingRecord
		}{
			{"source", "cases:1", store.TraffickingLayoutGlobal, store.TraffickingRecord{}},
			{"layout", "import:ok.csv", "other", store.TraffickingRecord{}},
			{"year", "import:ok.csv", store.TraffickingLayoutGlobal, store.TraffickingRecord{Year: "2019-2014"}},
			{"gender", "import:ok.csv", store.TraffickingLayoutGlobal, store.TraffickingRecord{Gender: "Woman"}},
			{"age", "import:ok.csv", store.TraffickingLayoutGlobal, store.TraffickingRecord{Age: "09--17"}},
			{"place", "import:ok.csv", store.TraffickingLayoutGlobal, store.TraffickingRecord{Citizenship: "Oceania"}},
			{"flag", "import:ok.csv", store.TraffickingLayoutGlobal, store.TraffickingRecord{Flags: map[string][]string{"means": {"x"}}}},
			{"group", "import:ok.csv", store.TraffickingLayoutGlobal, store.TraffickingRecord{Flags: map[string][]string{"x": {"x"}}}},
		} {
			err := replaceTraf(t, db, c.source, c.layout, trafRecords()[0], c.rec)
			if !errors.Is(err, derrors.Invalid) {
				t.Errorf("%s: %v, want Invalid", c.name, err)
			}
		}
		// Nothing changed: the transaction rolled back.
		s, err := db.TraffickingSummary(context.Background(), store.TraffickingFilter{Source: "import:ok.csv"}, 10)
		if err != nil || s.Total != 4 {
			t.Errorf("after refused replacements: %d %v", s.Total, err)
		}
	})
}

func equalCounts(a, b []store.TraffickingCount) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// BenchmarkTraffickingSummary is the dashboard's aggregates over 250,000
// records of one source (the size of CTDC's global synthetic file), with
// and without filters.
func BenchmarkTraffickingSummary(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.Engines(b)[0].DSN, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	places := []string{"USA", "PHL", "UKR", "POL", "IDN", "MYS", "KEN", "UGA", "MEX", "GBR", "ITA", "NGA", "", "THA", "KHM", "MMR"}
	rows := make([]store.TraffickingRecord, 250000)
	for i := range rows {
		rows[i] = store.TraffickingRecord{Year: strconv.Itoa(2002 + i%21), Gender: store.TraffickingGenders[i%3], Age: store.TraffickingAges[i%9],
			Citizenship: places[i%16], Exploitation: places[(i/16)%16],
			Flags: map[string][]string{"exploitation": {store.TraffickingGroups[1].Flags[i%3]}, "means": {store.TraffickingGroups[0].Flags[i%8]}}}
	}
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		return store.ReplaceTraffickingRecords(ctx, tx, "import:bench.csv", store.TraffickingLayoutGlobal, rows...)
	}); err != nil {
		b.Fatal(err)
	}
	for _, f := range []store.TraffickingFilter{{}, {Year: "2019"}, {Citizenship: "PHL", Gender: "female"}} {
		f.Source = "import:bench.csv"
		b.Run(fmt.Sprintf("%+v", f), func(b *testing.B) {
			for b.Loop() {
				if _, err := db.TraffickingSummary(ctx, f, 20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
