package importer_test

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/store/storetest"
	"github.com/corridor-platform/corridor/internal/tabular"
	"github.com/corridor-platform/corridor/internal/testenv"
)

// TestEscoImport imports the shipped files, then a broken copy of them:
// the error names file, row and column, and nothing changes.
func TestEscoImport(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the shipped ESCO files")
	}
	testenv.SkipHeavyUnderRace(t) // a whole real dataset: the second, race-free pass runs it
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		rn, db := ctdcRunner(t, e)
		rn.DataDir = rpwDataDir
		rep, err := rn.Run(ctx, importer.ISCOName, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Read != 619 || rep.Loaded != 619 || rep.Rejected != 0 {
			t.Errorf("isco: %d read, %d loaded, %d rejected", rep.Read, rep.Loaded, rep.Rejected)
		}
		rep, err = rn.Run(ctx, importer.ESCOName, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Quality["occupations_unknown_isco_group"] != 0 || rep.Quality["links_both_essential_and_optional"] != 17 {
			t.Errorf("quality = %v", rep.Quality)
		}
		before, err := db.LabourTaxonomy(ctx)
		if err != nil {
			t.Fatal(err)
		}

		// A broken copy: the welder's ISCO group damaged in the occupations.
		dir := t.TempDir()
		var files []string
		for _, f := range importer.ESCOFiles(rpwDataDir) {
			dst := filepath.Join(dir, filepath.Base(f))
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(filepath.Base(f), "occupations_en") {
				zr, err := gzip.NewReader(strings.NewReader(string(b)))
				if err != nil {
					t.Fatal(err)
				}
				plain, _ := io.ReadAll(zr)
				s := strings.Replace(string(plain), ",7212,welder,", ",72X2,welder,", 1)
				dst = strings.TrimSuffix(dst, ".gz")
				b = []byte(s)
			}
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, dst)
		}
		_, err = rn.Run(ctx, importer.ESCOName, files)
		ce, ok := tabular.AsCellError(err)
		if !ok || ce.File != "occupations_en.csv" || ce.Column != "iscoGroup" || ce.Row < 2 {
			t.Fatalf("broken file: %v", err)
		}
		after, err := db.LabourTaxonomy(ctx)
		if err != nil || after != before {
			t.Errorf("the failed import changed the taxonomy (%v)", err)
		}

		// Files the dataset does not know, or a required one missing.
		if _, err := rn.Run(ctx, importer.ESCOName, []string{filepath.Join(dir, "broken.csv")}); err == nil || !strings.Contains(err.Error(), "not an ESCO file") {
			t.Errorf("unknown file: %v", err)
		}
		if _, err := rn.Run(ctx, importer.ESCOName, files[:1]); err == nil || !strings.Contains(err.Error(), "esco_occupation_profiles.jsonl") {
			t.Errorf("missing profiles: %v", err)
		}
		if _, err := rn.Run(ctx, importer.ISCOName, files[:2]); err == nil {
			t.Error("isco with two files accepted")
		}
	})
}
