package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// trafAggregates is a reporting-length-2 release: the total, every
// one-attribute count, and some pairs (others withheld).
func trafAggregates() []store.TraffickingAggregate {
	return []store.TraffickingAggregate{
		{Year: "2019", Count: 60}, {Year: "2020", Count: 30},
		{Gender: "female", Count: 50}, {Gender: "male", Count: 40},
		{Citizenship: "PHL", Count: 70}, {Exploitation: "USA", Count: 80},
		{Flag: "exploitation.forcedLabour", Count: 40}, {Flag: "exploitation.sexualExploit", Count: 30},
		{Flag: "means.threats", Count: 20},
		{Year: "2019", Gender: "female", Count: 30}, {Year: "2019", Gender: "male", Count: 20},
		{Year: "2019", Flag: "exploitation.forcedLabour", Count: 20},
		{Citizenship: "PHL", Exploitation: "USA", Count: 60},
		{Gender: "female", Flag: "exploitation.sexualExploit", Count: 20},
	}
}

func replaceAgg(db *store.DB, source string, length int, total int64, rows ...store.TraffickingAggregate) error {
	ctx := context.Background()
	return db.InTx(ctx, func(tx *store.Tx) error {
		return store.ReplaceTraffickingAggregates(ctx, tx, source, length, total, rows...)
	})
}

func TestTraffickingAggregates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		const src = "release:7"
		if err := replaceAgg(db, src, 2, 100, trafAggregates()...); err != nil {
			t.Fatal(err)
		}
		s, err := db.TraffickingSummary(ctx, store.TraffickingFilter{Source: src}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if s.Layout != store.TraffickingLayoutAggregates || s.CombinationLength != 2 || s.Total != 100 || s.Withheld || len(s.Unavailable) != 0 {
			t.Fatalf("summary head = %+v", s)
		}
		want := map[string][]store.TraffickingCount{
			"year":   {{Key: "2019", Count: 60}, {Key: "2020", Count: 30}},
			"gender": {{Key: "female", Count: 50}, {Key: "male", Count: 40}},
			"cit":    {{Key: "PHL", Count: 70}},
			"expl":   {{Key: "USA", Count: 80}},
		}
		for name, got := range map[string][]store.TraffickingCount{"year": s.ByYear, "gender": s.ByGender, "cit": s.ByCitizenship, "expl": s.ByExploitation} {
			if !equalCounts(got, want[name]) {
				t.Errorf("%s = %v, want %v", name, got, want[name])
			}
		}
		if len(s.ByAge) != 0 {
			t.Errorf("by age = %v, want none released", s.ByAge)
		}
		if want := []store.TraffickingCorridor{{Citizenship: "PHL", Exploitation: "USA", Count: 60}}; !slices.Equal(s.Corridors, want) {
			t.Errorf("corridors = %v, want %v", s.Corridors, want)
		}
		groups := map[string]store.TraffickingGroupCounts{}
		for _, g := range s.Groups {
			groups[g.Group] = g
		}
		ex := groups["exploitation"]
		if !ex.Recorded || ex.Known != 0 || ex.Counts[0] != (store.TraffickingCount{Key: "forcedLabour", Count: 40}) ||
			ex.Counts[1].Count != 30 || !ex.Counts[2].NotRecorded {
			t.Errorf("exploitation = %+v", ex)
		}
		if m := groups["means"]; !m.Recorded || m.Counts[1].Count != 20 || !m.Counts[0].NotRecorded {
			t.Errorf("means = %+v", m)
		}
		if l := groups["labour"]; l.Recorded {
			t.Errorf("labour = %+v, want not recorded", l)
		}
		for code, want := range map[string]bool{"PHL": true, "USA": true, "ZZZ": false} {
			if got, err := db.TraffickingHasPlace(ctx, src, code); err != nil || got != want {
				t.Errorf("has place %s = %v, %v; want %v", code, got, err, want)
			}
		}
		m, err := db.TraffickingByExploitation(ctx, store.TraffickingFilter{Source: src})
		if err != nil || !equalCounts(m, want["expl"]) {
			t.Errorf("map = %v, %v", m, err)
		}

		// One filter: every view is the pair with the filter; the
		// corridors would need three attributes.
		s, err = db.TraffickingSummary(ctx, store.TraffickingFilter{Source: src, Year: "2019"}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if s.Total != 60 || s.Withheld || !equalCounts(s.ByGender, []store.TraffickingCount{{Key: "female", Count: 30}, {Key: "male", Count: 20}}) ||
			!equalCounts(s.ByYear, []store.TraffickingCount{{Key: "2019", Count: 60}}) || len(s.ByCitizenship) != 0 {
			t.Errorf("year 2019: %+v", s)
		}
		if !slices.Equal(s.Unavailable, []string{"corridors"}) || len(s.Corridors) != 0 {
			t.Errorf("unavailable = %v, corridors = %v", s.Unavailable, s.Corridors)
		}
		for _, g := range s.Groups {
			// sexualExploit is released overall, not in 2019: withheld;
			// otherExploit is not in the release at all.
			if g.Group == "exploitation" && (g.Counts[0].Count != 20 || !g.Counts[1].Withheld || g.Counts[1].NotRecorded ||
				!g.Counts[2].NotRecorded || g.Counts[2].Withheld) {
				t.Errorf("exploitation in 2019 = %+v", g)
			}
		}
		// Two filters: only the total (their pair) is answerable; a pair
		// that was not released is withheld.
		s, err = db.TraffickingSummary(ctx, store.TraffickingFilter{Source: src, Year: "2020", Gender: "female"}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Withheld || s.Total != 0 || len(s.Unavailable) != 5 || len(s.ByYear) != 0 || slices.Contains(s.Unavailable, "total") {
			t.Errorf("2020 female: withheld %v total %d unavailable %v", s.Withheld, s.Total, s.Unavailable)
		}

		// Refused: nothing changes.
		v0, _ := db.TraffickingVersion(ctx)
		for name, rows := range map[string][]store.TraffickingAggregate{
			"twice":    {{Year: "2019", Count: 10}, {Year: "2019", Count: 20}},
			"too long": {{Year: "2019", Gender: "male", Age: "adult", Count: 10}},
			"value":    {{Gender: "woman", Count: 10}},
			"flag":     {{Flag: "exploitation.nothing", Count: 10}},
			"negative": {{Year: "2019", Count: -10}},
			"empty":    {{Count: 10}},
		} {
			err := replaceAgg(db, src, 2, 100, rows...)
			if !errors.Is(err, derrors.Invalid) {
				t.Errorf("%s: err = %v, want Invalid", name, err)
			}
		}
		if v1, _ := db.TraffickingVersion(ctx); v1 != v0 {
			t.Errorf("version changed by refused replacements")
		}
		if s, err := db.TraffickingSummary(ctx, store.TraffickingFilter{Source: src}, 10); err != nil || s.Total != 100 || len(s.ByYear) != 2 {
			t.Errorf("after refusals: %+v, %v", s, err)
		}
		// A withdrawn release leaves nothing.
		if err := db.InTx(ctx, func(tx *store.Tx) error { return store.DeleteTraffickingSource(ctx, tx, src) }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TraffickingSummary(ctx, store.TraffickingFilter{Source: src}, 10); !errors.Is(err, derrors.NotFound) {
			t.Errorf("after delete: %v, want NotFound", err)
		}
	})
}

// TestTraffickingRecordedFlags: a layout's flags it does not record are
// marked, never shown as a count of 0.
func TestTraffickingRecordedFlags(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		vp := []store.TraffickingRecord{{Year: "2019", Gender: "female", Age: "adult", Citizenship: "Asia", Exploitation: "Europe",
			Flags: map[string][]string{"exploitation": {"forcedLabour"}, "recruiter": {"friendAcquaintance"}}}}
		if err := replaceTraf(t, db, "import:vp.csv", store.TraffickingLayoutVP, vp...); err != nil {
			t.Fatal(err)
		}
		if err := replaceTraf(t, db, "import:g.csv", store.TraffickingLayoutGlobal, trafRecords()...); err != nil {
			t.Fatal(err)
		}
		notRecorded := func(source string) map[string][]string {
			s, err := db.TraffickingSummary(ctx, store.TraffickingFilter{Source: source}, 10)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string][]string{}
			for _, g := range s.Groups {
				if !g.Recorded {
					out[g.Group] = []string{"*"}
					continue
				}
				for _, c := range g.Counts {
					if c.NotRecorded {
						out[g.Group] = append(out[g.Group], c.Key)
					}
				}
			}
			return out
		}
		got := notRecorded("import:vp.csv")
		for g, want := range map[string][]string{"means": {"*"}, "labour": {"*"}, "sex": {"*"}, "exploitation": {"otherExploit"},
			"recruiter": {"intimatePartner", "friend", "family", "other"}} {
			if !slices.Equal(got[g], want) {
				t.Errorf("VP %s not recorded = %v, want %v", g, got[g], want)
			}
		}
		for code, want := range map[string]bool{"UKR": true, "POL": true, "ZZZ": false} {
			if got, err := db.TraffickingHasPlace(ctx, "import:g.csv", code); err != nil || got != want {
				t.Errorf("has place %s = %v, %v; want %v", code, got, err, want)
			}
		}
		got = notRecorded("import:g.csv")
		if len(got) != 1 || !slices.Equal(got["recruiter"], []string{"familyIntimatePartner", "friendAcquaintance", "strangerUnknownOther"}) {
			t.Errorf("global not recorded = %v", got)
		}
	})
}
