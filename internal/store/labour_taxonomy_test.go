package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// TestLabourTaxonomy imports the shipped ISCO and ESCO files on each
// engine and reads the taxonomy back.
func TestLabourTaxonomy(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the shipped ESCO files")
	}
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		if _, err := db.LabourTaxonomy(ctx); !errors.Is(err, derrors.NotFound) {
			t.Fatalf("before import: err = %v, want NotFound", err)
		}
		rn := &importer.Runner{DB: db, Registry: importer.Builtin(), DataDir: dataRoot, Host: "test"}
		// esco first, as a first start does (by name): it must not need isco.
		rep, err := rn.Run(ctx, importer.ESCOName, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("esco: %s", rep.Summary(5))
		tax, err := db.LabourTaxonomy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(tax.ISCOGroups()); n != 0 {
			t.Errorf("ISCO groups before the isco import = %d", n)
		}
		rep, err = rn.Run(ctx, importer.ISCOName, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Quality["occupations_unknown_isco_group"] != 0 {
			t.Errorf("occupations with an unknown ISCO group: %d", rep.Quality["occupations_unknown_isco_group"])
		}
		tax2, err := db.LabourTaxonomy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if tax2 == tax {
			t.Error("the isco import did not invalidate the cached taxonomy")
		}
		c := tax2.Counts()
		if c.ISCOGroups != 619 || c.ISCOByLevel != [5]int{0, 10, 43, 130, 436} {
			t.Errorf("ISCO groups = %d %v, want 619 = 10/43/130/436", c.ISCOGroups, c.ISCOByLevel)
		}
		if c.Occupations != 3039 || c.EssentialLinks != 67622 || c.OptionalLinks != 61382 || c.Skills != 13931 {
			t.Errorf("counts = %+v", c)
		}
		if c.SkillGroups != 640 {
			t.Errorf("skill groups = %d, want 640", c.SkillGroups)
		}
		again, err := db.LabourTaxonomy(ctx)
		if err != nil || again != tax2 {
			t.Errorf("second read not cached (%v)", err)
		}
		hits := tax2.SearchOccupations("welder", 5)
		if len(hits) == 0 || hits[0].Occupation.Label != "welder" || hits[0].Occupation.ISCOGroup != "7212" {
			t.Fatalf("welder: %+v", hits)
		}
		if g, ok := tax2.ISCOGroup("7212"); !ok || g.Label != "Welders and flamecutters" {
			t.Errorf("ISCO 7212 = %+v", g)
		}
		ess, opt := tax2.Profile(hits[0].Occupation.URI)
		if len(ess) == 0 || len(opt) == 0 {
			t.Errorf("welder profile: %d essential, %d optional", len(ess), len(opt))
		}
		if s := tax2.SearchSkills("weld underwater", 1); len(s) != 1 || s[0].Skill.Label != "weld underwater" {
			t.Errorf("skill search: %+v", s)
		}
		// The same files again: nothing done, the cache kept.
		rep, err = rn.Run(ctx, importer.ESCOName, nil)
		if err != nil || !rep.Unchanged {
			t.Fatalf("re-import: unchanged=%v err=%v", rep.Unchanged, err)
		}
		if again, _ := db.LabourTaxonomy(ctx); again != tax2 {
			t.Error("an unchanged re-import rebuilt the taxonomy")
		}
	})
}
