package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

func openMigrated(t *testing.T, e storetest.Engine) *store.DB {
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
	return db
}

// sampleReference is a small reference geography with the shapes that
// matter: countries, a region with members, an accented name, aliases.
func sampleReference() geo.Reference {
	return geo.Reference{
		Areas: []geo.Area{
			{Code: "002", Kind: geo.KindRegion, Name: "Africa", M49: "002", Members: []string{"KEN", "CIV"}},
			{Code: "KEN", Kind: geo.KindCountry, Name: "Kenya", ISO2: "KE", ISO3: "KEN", M49: "404",
				Region: "Africa", RegionCode: "002", SubRegion: "Sub-Saharan Africa", SubRegionCode: "202",
				IntermediateRegion: "Eastern Africa", IntermediateRegionCode: "014", IncomeGroup: "Lower middle income", IncomeGroupCode: "WB-LMC"},
			{Code: "CIV", Kind: geo.KindCountry, Name: "Côte d'Ivoire", ISO2: "CI", ISO3: "CIV", M49: "384",
				Region: "Africa", RegionCode: "002", SubRegion: "Sub-Saharan Africa", SubRegionCode: "202",
				IntermediateRegion: "Western Africa", IntermediateRegionCode: "011"},
			{Code: "DEU", Kind: geo.KindCountry, Name: "Germany", ISO2: "DE", ISO3: "DEU", M49: "276",
				Region: "Europe", RegionCode: "150", SubRegion: "Western Europe", SubRegionCode: "155"},
		},
		Aliases: []geo.Alias{
			{Text: "Ivory Coast", AreaCode: "CIV", Source: "corridor"},
			{Text: "Germany, Federal Republic of", AreaCode: "DEU", Source: "test"},
		},
	}
}

func load(t *testing.T, db *store.DB, ref geo.Reference) {
	t.Helper()
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		return store.ReplaceReference(context.Background(), tx, ref)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		db := openMigrated(t, e)
		applied, err := db.Migrate(context.Background())
		if err != nil || len(applied) != 0 {
			t.Fatalf("second Migrate applied %v, err %v; want nothing", applied, err)
		}
		cur, latest, err := db.SchemaVersion(context.Background())
		if err != nil || cur != latest || cur < 1 {
			t.Fatalf("SchemaVersion = %d, %d, %v", cur, latest, err)
		}
	})
}

func TestConcurrentMigrate(t *testing.T) {
	// Several servers starting together on one database must not trip
	// over each other's migrations.
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		var wg sync.WaitGroup
		errs := make(chan error, 3)
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := store.Open(context.Background(), e.DSN, nil)
				if err != nil {
					errs <- err
					return
				}
				defer db.Close()
				_, err = db.Migrate(context.Background())
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	})
}

func TestAreaLookup(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		db := openMigrated(t, e)
		load(t, db, sampleReference())
		ctx := context.Background()
		for _, code := range []string{"KEN", "ken", "KE", "404", " Ken "} {
			a, err := db.Geo().Area(ctx, code)
			if err != nil {
				t.Fatalf("Area(%q): %v", code, err)
			}
			if a.Code != "KEN" || a.IntermediateRegion != "Eastern Africa" || a.SubRegion != "Sub-Saharan Africa" || a.Region != "Africa" {
				t.Errorf("Area(%q) = %+v", code, a)
			}
		}
		a, err := db.Geo().Area(ctx, "002")
		if err != nil || a.Kind != geo.KindRegion || len(a.Members) != 2 {
			t.Errorf("Area(002) = %+v, %v; want the region with 2 members", a, err)
		}
		if _, err := db.Geo().Area(ctx, "XXX"); !errors.Is(err, derrors.NotFound) {
			t.Errorf("Area(XXX) err = %v, want NotFound", err)
		}
		if _, err := db.Geo().Area(ctx, ""); !errors.Is(err, derrors.Invalid) {
			t.Errorf("Area(\"\") err = %v, want Invalid", err)
		}
	})
}

func TestAreasFilter(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		db := openMigrated(t, e)
		load(t, db, sampleReference())
		ctx := context.Background()
		tests := []struct {
			name  string
			f     geo.Filter
			want  []string
			total int
		}{
			{"all countries by name", geo.Filter{Limit: 10}, []string{"CIV", "DEU", "KEN"}, 3},
			{"region by name", geo.Filter{Region: "africa", Limit: 10}, []string{"CIV", "KEN"}, 2},
			{"region by code", geo.Filter{Region: "150", Limit: 10}, []string{"DEU"}, 1},
			{"intermediate region", geo.Filter{SubRegion: "Eastern Africa", Limit: 10}, []string{"KEN"}, 1},
			{"search without accents", geo.Filter{Query: "cote", Limit: 10}, []string{"CIV"}, 1},
			{"search by alias", geo.Filter{Query: "ivory", Limit: 10}, []string{"CIV"}, 1},
			{"search by code", geo.Filter{Query: "de", Limit: 10}, []string{"DEU"}, 1},
			{"LIKE wildcards are literal", geo.Filter{Query: "%", Limit: 10}, nil, 0},
			{"pagination", geo.Filter{Limit: 1, Offset: 1}, []string{"DEU"}, 3},
			{"regions", geo.Filter{Kind: geo.KindRegion, Limit: 10}, []string{"002"}, 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				page, err := db.Geo().Areas(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, a := range page.Areas {
					got = append(got, a.Code)
				}
				if page.Total != tt.total || !equal(got, tt.want) {
					t.Errorf("got %v (total %d), want %v (total %d)", got, page.Total, tt.want, tt.total)
				}
			})
		}
		for _, bad := range []geo.Filter{{Limit: 0}, {Limit: 501}, {Limit: 10, Offset: -1}} {
			if _, err := db.Geo().Areas(ctx, bad); !errors.Is(err, derrors.Invalid) {
				t.Errorf("Areas(%+v) err = %v, want Invalid", bad, err)
			}
		}
	})
}

func equal(a, b []string) bool {
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

func TestReplaceReferenceIsAtomic(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		db := openMigrated(t, e)
		load(t, db, sampleReference())
		ctx := context.Background()
		bad := sampleReference()
		bad.Areas[1].Name = "Kenya (changed)"
		bad.Aliases = append(bad.Aliases, geo.Alias{Text: "Nowhere", AreaCode: "ZZZ", Source: "test"})
		err := db.InTx(ctx, func(tx *store.Tx) error { return store.ReplaceReference(ctx, tx, bad) })
		if !errors.Is(err, derrors.Invalid) {
			t.Fatalf("err = %v, want Invalid for the alias to an unknown area", err)
		}
		a, err := db.Geo().Area(ctx, "KEN")
		if err != nil || a.Name != "Kenya" {
			t.Errorf("after a failed replace Kenya is %q, %v; want the old name", a.Name, err)
		}
		ref, err := db.Geo().Reference(ctx)
		if err != nil || len(ref.Areas) != 4 || len(ref.Aliases) != 2 {
			t.Errorf("Reference = %d areas, %d aliases, %v; want 4, 2", len(ref.Areas), len(ref.Aliases), err)
		}
		// A replace that drops an area deletes it.
		smaller := sampleReference()
		smaller.Areas = smaller.Areas[:3]
		smaller.Aliases = smaller.Aliases[:1]
		load(t, db, smaller)
		if _, err := db.Geo().Area(ctx, "DEU"); !errors.Is(err, derrors.NotFound) {
			t.Errorf("DEU after removal: %v, want NotFound", err)
		}
	})
}

func TestImportRecords(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		db := openMigrated(t, e)
		ctx := context.Background()
		start := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
		for i, sum := range []string{"aaa", "bbb"} {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				if err := store.LockDataset(ctx, tx, "countries"); err != nil {
					return err
				}
				_, err := store.RecordImport(ctx, tx, store.ImportRecord{Dataset: "countries", Status: "loaded",
					Checksum: sum, Files: []string{"all.csv"}, RowsRead: 10, RowsLoaded: 9, RowsRejected: 1,
					StartedAt: start, FinishedAt: start.Add(time.Second), Host: "test"})
				return err
			})
			if err != nil {
				t.Fatalf("import %d: %v", i, err)
			}
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			s, err := store.Dataset(ctx, tx, "countries")
			if err != nil {
				return err
			}
			if s.Version != 2 || s.Checksum != "bbb" {
				t.Errorf("dataset state = %+v, want version 2 checksum bbb", s)
			}
			if _, err := store.Dataset(ctx, tx, "nothing"); !errors.Is(err, derrors.NotFound) {
				t.Errorf("Dataset(nothing) err = %v, want NotFound", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		recs, err := db.Imports(ctx, 10)
		if err != nil || len(recs) != 2 || recs[0].Checksum != "bbb" || recs[0].Files[0] != "all.csv" || !recs[0].StartedAt.Equal(start) {
			t.Errorf("Imports = %+v, %v", recs, err)
		}
	})
}

func TestHealth(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		db := openMigrated(t, e)
		if err := db.Health(context.Background()); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if err := db.Health(context.Background()); !errors.Is(err, derrors.Unavailable) {
			t.Errorf("Health on a closed pool = %v, want Unavailable", err)
		}
	})
}

func TestOpenUnreachablePostgres(t *testing.T) {
	_, err := store.Open(context.Background(), "postgres://nobody:secret@127.0.0.1:1/none?connect_timeout=2", nil)
	if !errors.Is(err, derrors.Unavailable) {
		t.Fatalf("err = %v, want Unavailable", err)
	}
	if contains(err.Error(), "secret") {
		t.Errorf("error leaks the password: %v", err)
	}
}

func contains(s, sub string) bool {
	return len(sub) > 0 && len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// TestCacheInvalidationAcrossProcesses: a server's in-memory copy of the
// geography follows imports made by another process on the same database.
func TestCacheInvalidationAcrossProcesses(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		writer, reader := openMigrated(t, e), openMigrated(t, e)
		importRef := func(ref geo.Reference, sum string) {
			t.Helper()
			err := writer.InTx(ctx, func(tx *store.Tx) error {
				if err := store.ReplaceReference(ctx, tx, ref); err != nil {
					return err
				}
				now := time.Now()
				_, err := store.RecordImport(ctx, tx, store.ImportRecord{Dataset: "countries", Status: "loaded",
					Checksum: sum, StartedAt: now, FinishedAt: now})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		importRef(sampleReference(), "v1")
		if a, err := reader.Geo().Area(ctx, "KEN"); err != nil || a.Name != "Kenya" {
			t.Fatalf("reader sees %q, %v", a.Name, err)
		}
		changed := sampleReference()
		changed.Areas[1].Name = "Kenya (renamed)"
		importRef(changed, "v2")
		if a, err := reader.Geo().Area(ctx, "KEN"); err != nil || a.Name != "Kenya (renamed)" {
			t.Errorf("after another process imported, reader sees %q, %v", a.Name, err)
		}
		page, err := reader.Geo().Areas(ctx, geo.Filter{Query: "renamed", Limit: 5})
		if err != nil || page.Total != 1 {
			t.Errorf("search after import: %+v, %v", page, err)
		}
	})
}
