package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/remit"
	"github.com/corridor-platform/corridor/internal/remit/rpwfile"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/tabular"
)

// The rpw dataset: the World Bank's Remittance Prices Worldwide (RPW)
// files (data/rpw, PROVENANCE.md). Each file is one source,
// "import:<file name>", replaced as a whole when the file is imported
// again; the other sources are untouched. The kind of each file is told by
// its header:
//
//   - a row-level RPW file (either layout: the shipped East Africa excerpt's
//     upper-case export, or the "Dataset (from Q2 2016)" sheet of the full
//     workbook a user downloads): every row gives two quotes (USD 200 and
//     USD 500 equivalents), stored exactly as the file gives them; the
//     data-quality findings of rpwfile.ParseRPW (non-transparent quotes,
//     negative margins, placeholder rates of 1, duplicate rows, rows before
//     the 2016 layout change, inconsistent spellings, and every figure the
//     file states that Corridor's computation does not reproduce) are the
//     report's quality counts; placeholder rates and stated totals not
//     reproduced are excluded from the averages like non-transparent
//     quotes ("excluded_from_averages"). Country codes are checked against
//     the reference geography when one is loaded: an unknown code stops
//     the import with an error naming the row and column. The same survey
//     data under another file name: the new import replaces the earlier
//     sources' quotes with the same corridor, period, firm, amount and
//     sending currency (store.ReplaceRPWQuotes), counted as
//     "duplicates_across_files"; the same file imported again replaces its
//     previous import, counted as "replaced_previous_import" with a note
//     giving when that import was loaded;
//   - a DataBank "Remittance Prices Worldwide (Corridors)" export: the
//     corridor averages, stored as published;
//   - the UK corridor aggregates and provider comparisons (RPW Q3 2025);
//   - a WDI average-cost indicator (SI.RMT.COST.OB.ZS, SI.RMT.COST.IB.ZS).
//
// With no file given, the shipped files are loaded (on first start too).

// RPWName is the dataset name.
const RPWName = "rpw"

// rpwShipped are the shipped files under the data directory.
var rpwShipped = []string{
	"rpw/eastafrica_excerpt/rpw_eastafrica_2025_3Q_excerpt.csv",
	"rpw/databank_corridors/36d1ed87-9a2d-41da-8eac-c1c25d45fa65_Data.csv",
	"rpw/omt_uk_q3_2025/official-corridors.csv",
	"rpw/omt_uk_q3_2025/provider-comparisons.csv",
	"rpw/wdi_cost_indicators/SI.RMT.COST.OB.ZS_cost_sending_from.csv",
	"rpw/wdi_cost_indicators/SI.RMT.COST.IB.ZS_cost_sending_to.csv",
}

// RPWFiles returns the shipped files of the rpw dataset.
func RPWFiles(dataDir string) []string {
	out := make([]string, len(rpwShipped))
	for i, f := range rpwShipped {
		out[i] = filepath.Join(dataDir, filepath.FromSlash(f))
	}
	return out
}

// RPW is the rpw dataset.
func RPW() Dataset {
	const usage = "one or more RPW files (.csv): the row-level RPW dataset (either layout), a DataBank RPW corridors export, " +
		"the UK official-corridors.csv or provider-comparisons.csv, a WDI SI.RMT.COST.OB.ZS / SI.RMT.COST.IB.ZS sheet"
	return Dataset{
		Name:         RPWName,
		Description:  "World Bank Remittance Prices Worldwide: row-level quotes, DataBank corridor averages, UK corridor aggregates, WDI cost indicators",
		Version:      1,
		Usage:        usage,
		DefaultFiles: RPWFiles,
		CheckFiles: func(files []string) error {
			if len(files) == 0 {
				return derrors.Kindf(derrors.Invalid, "no file given (%s)", usage)
			}
			for i, f := range files {
				if strings.ToLower(filepath.Ext(f)) != ".csv" {
					return derrors.Kindf(derrors.Invalid, "file %d (%s) must be .csv: %s", i+1, usage, filepath.Base(f))
				}
			}
			return nil
		},
		Load: loadRPW,
	}
}

// rpwKind tells the kind of a file from its header.
func rpwKind(path string) (string, error) {
	r, err := tabular.OpenCSV(path, tabular.Options{})
	if err != nil {
		return "", err
	}
	defer r.Close()
	have := map[string]bool{}
	for _, h := range r.Header() {
		have[remit.NormalizeName(h)] = true
	}
	switch {
	case have["seriescode"] && have["sendingcountriescode"]:
		return store.RemitKindDataBank, nil
	case have["normalisedcostpergbp100"]:
		return store.RemitKindUKCorridors, nil
	case have["routeposition"]:
		return store.RemitKindUKProviders, nil
	case have["indicatorcode"] && have["countrycode"]:
		return store.RemitKindWDI, nil
	}
	// Anything else must be a row-level RPW file; ParseRPW names a
	// missing column.
	return store.RemitKindRPW, nil
}

// rpwKnownCountry returns the check of RPW country codes against the
// reference geography, or nil when none is loaded (the countries dataset
// was never imported): a row with a code the reference does not know is
// an error naming the row and column, as a malformed code is.
func rpwKnownCountry(ctx context.Context, tx *store.Tx) (func(string) bool, error) {
	ref, err := store.ReferenceTx(ctx, tx)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, a := range ref.Areas {
		if a.IsCountry() && a.ISO3 != "" {
			known[a.ISO3] = true
		}
	}
	if len(known) == 0 {
		return nil, nil
	}
	return func(c string) bool { return known[c] }, nil
}

func loadRPW(ctx context.Context, tx *store.Tx, files []string, rec *Recorder) error {
	var known func(string) bool
	var knownLoaded bool
	for _, f := range files {
		kind, err := rpwKind(f)
		if err != nil {
			return err
		}
		src := store.RemitSource{Source: "import:" + filepath.Base(f), Layout: kind}
		switch kind {
		case store.RemitKindRPW:
			if !knownLoaded {
				if known, err = rpwKnownCountry(ctx, tx); err != nil {
					return err
				}
				knownLoaded = true
			}
			quotes, rep, err := rpwfile.ParseRPW(f, rpwfile.Options{KnownCountry: known})
			if err != nil {
				return err
			}
			b, _ := json.Marshal(rep)
			src.Report, src.Rows = b, int64(rep.Rows)
			if lt, err := rep.Layout.MarshalText(); err == nil {
				src.Layout = "rpw-" + string(lt)
			}
			repl, err := store.ReplaceRPWQuotesReport(ctx, tx, src, quotes, true)
			if err != nil {
				return err
			}
			replaced := repl.OtherFiles
			for range rep.Rows {
				rec.Read()
			}
			rec.Loaded(int64(len(quotes)))
			for k, n := range rep.Counts() {
				rec.Count(k, n)
			}
			rec.Count("duplicates_across_files", int(replaced))
			// A file imported again replaces its previous import: say how
			// many quotes were replaced, not just how many were loaded.
			rec.Count("replaced_previous_import", int(repl.Previous))
			if !repl.PreviousLoadedAt.IsZero() {
				rec.Note("%s: imported before (%s): its %d quotes were replaced by the %d of this import", rep.File,
					repl.PreviousLoadedAt.Format("2006-01-02 15:04 UTC"), repl.Previous, len(quotes))
			}
			if replaced > 0 {
				rec.Note("%s: replaced %d quotes of earlier imports with the same corridor, period, firm, amount and currency", rep.File, replaced)
			}
			rec.Note("%s: %s, %d rows, %d quotes (%d checked: total = fee %% + margin %% and margin = (interbank − rate) ÷ interbank, %d discrepancies)",
				rep.File, rep.Layout, rep.Rows, len(quotes), rep.Checked, len(rep.Discrepancies))
			for i, d := range rep.Discrepancies {
				if i == 20 {
					rec.Note("%s: … and %d more discrepancies (see the source's report)", rep.File, len(rep.Discrepancies)-20)
					break
				}
				rec.Note("%s row %d tier %d: %s in the file %g, computed %g", rep.File, d.Row, d.Tier, d.Check, d.File, d.Computed)
			}
			if len(rep.Spellings) > 0 {
				for _, s := range rep.Spellings {
					rec.Note("%s: inconsistent spellings in %s: %s", rep.File, s.Column, strings.Join(s.Variants, " | "))
				}
			}
		case store.RemitKindDataBank:
			vals, rep, err := rpwfile.ParseDataBank(f)
			if err != nil {
				return err
			}
			b, _ := json.Marshal(rep)
			src.Report, src.Rows = b, int64(rep.Rows)
			if err := store.ReplaceRemitCorridorAverages(ctx, tx, src, vals); err != nil {
				return err
			}
			for range rep.Rows {
				rec.Read()
			}
			rec.Loaded(int64(len(vals)))
			rec.Count("databank_values", rep.Values)
			rec.Count("databank_missing_cells", rep.Missing)
			rec.Note("%s: %d corridor averages of %d corridors (%d sending, %d receiving countries), %d cells without data; %s",
				rep.File, rep.Values, rep.Corridors, rep.Sending, rep.Receiving, rep.Missing, rep.LastUpdated)
		case store.RemitKindUKCorridors:
			rows, err := rpwfile.ParseUKCorridors(f)
			if err != nil {
				return err
			}
			src.Rows = int64(len(rows))
			if err := store.ReplaceRemitUKCorridors(ctx, tx, src, rows); err != nil {
				return err
			}
			countRows(rec, len(rows))
		case store.RemitKindUKProviders:
			rows, err := rpwfile.ParseUKProviders(f)
			if err != nil {
				return err
			}
			src.Rows = int64(len(rows))
			if err := store.ReplaceRemitUKProviders(ctx, tx, src, rows); err != nil {
				return err
			}
			countRows(rec, len(rows))
		case store.RemitKindWDI:
			vals, err := rpwfile.ParseWDICost(f)
			if err != nil {
				return err
			}
			src.Rows = int64(len(vals))
			if err := store.ReplaceRemitWDICosts(ctx, tx, src, vals); err != nil {
				return err
			}
			for range vals {
				rec.Read()
			}
			rec.Loaded(int64(len(vals)))
			rec.Note("%s: %d country-year values", filepath.Base(f), len(vals))
		default:
			return fmt.Errorf("rpw: unknown kind %q", kind)
		}
	}
	return nil
}

func countRows(rec *Recorder, n int) {
	for range n {
		rec.Read()
	}
	rec.Loaded(int64(n))
}
