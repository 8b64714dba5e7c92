package importer

import (
	"context"

	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/store"
)

// Countries is the reference geography: ISO 3166-1 with M49 regions, the
// UN DESA classification annex, World Bank income groups and UNHCR codes,
// plus Corridor's alias list.
func Countries() Dataset {
	const usage = "ISO all.csv, UN DESA annex .xlsx, WDI country metadata .csv, UNHCR countries.csv, area_aliases.csv"
	return Dataset{
		Name:        "countries",
		Description: "reference geography: countries, M49 regions, SDG regions, income groups, aliases",
		Version:     1,
		Usage:       usage,
		DefaultFiles: func(dataDir string) []string {
			f := geo.DefaultSourceFiles(dataDir)
			return []string{f.ISO, f.UNDESAAnnex, f.WDIMetadata, f.UNHCRCountries, f.Aliases}
		},
		CheckFiles: CheckCount(usage, ".csv", ".xlsx", ".csv", ".csv", ".csv"),
		Load: func(ctx context.Context, tx *store.Tx, files []string, rec *Recorder) error {
			src := geo.SourceFiles{ISO: files[0], UNDESAAnnex: files[1], WDIMetadata: files[2], UNHCRCountries: files[3], Aliases: files[4]}
			ref, err := geo.LoadReference(ctx, src, geo.Hooks{
				Reject: rec.Reject,
				Row:    rec.Read,
				Source: rec.Source,
			})
			if err != nil {
				return err
			}
			if err := store.ReplaceReference(ctx, tx, ref); err != nil {
				return err
			}
			rec.Loaded(rec.report.Read - rec.report.Rejected)
			rec.Note("%d areas and %d aliases stored", len(ref.Areas), len(ref.Aliases))
			return nil
		},
	}
}

// Builtin returns the registry of every dataset Corridor can import.
func Builtin() *Registry {
	return NewRegistry(
		Countries(),
		MigrantStock(),
		UNHCRPopulation(),
		MissingMigrants(),
		RemittanceFlows(),
		CTDC(),
		RPW(),
		ISCO(),
		ESCO(),
	)
}
