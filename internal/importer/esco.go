package importer

import (
	"context"
	"path/filepath"
	"slices"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/labour/esco"
	"github.com/corridor-platform/corridor/internal/store"
)

// The isco and esco datasets (data/isco, data/esco, PROVENANCE.md): the
// ISCO-08 groups, and the ESCO v1.2 occupations, skills, skill groups,
// collections and occupation skill profiles (internal/labour/esco). They
// load independently (a first start loads esco before isco, by name): the
// esco dataset stores each occupation's ISCO unit group as a code and
// counts the codes the stored ISCO groups do not know once both are
// loaded. Either import makes the next store.LabourTaxonomy rebuild.

// Dataset names.
const (
	ISCOName = "isco"
	ESCOName = "esco"
)

// ISCO is the isco dataset: ISCOGroups_en.csv (plain or .gz).
func ISCO() Dataset {
	const usage = "ISCOGroups_en.csv (the ISCO-08 groups of the ESCO download; .csv or .csv.gz)"
	return Dataset{
		Name:         ISCOName,
		Description:  "ISCO-08 occupation groups (10 major, 43 sub-major, 130 minor, 436 unit groups), from ESCO v1.2.0",
		Version:      1,
		Usage:        usage,
		DefaultFiles: func(dataDir string) []string { return []string{esco.ShippedISCOFile(dataDir)} },
		CheckFiles: func(files []string) error {
			if len(files) != 1 {
				return derrors.Kindf(derrors.Invalid, "want 1 file (%s), got %d", usage, len(files))
			}
			if b := strings.ToLower(strings.TrimSuffix(filepath.Base(files[0]), ".gz")); filepath.Ext(b) != ".csv" {
				return derrors.Kindf(derrors.Invalid, "file 1 (%s) must be .csv or .csv.gz: %s", usage, filepath.Base(files[0]))
			}
			return nil
		},
		Load: loadISCO,
	}
}

func loadISCO(ctx context.Context, tx *store.Tx, files []string, rec *Recorder) error {
	groups, err := esco.ReadISCOGroups(files[0])
	if err != nil {
		return err
	}
	var levels [5]int
	for _, g := range groups {
		rec.Read()
		levels[g.Level]++
	}
	if err := store.ReplaceISCOGroups(ctx, tx, groups); err != nil {
		return err
	}
	rec.Loaded(int64(len(groups)))
	rec.Note("%d ISCO-08 groups: %d major, %d sub-major, %d minor, %d unit groups", len(groups), levels[1], levels[2], levels[3], levels[4])
	return escoISCOCheck(ctx, tx, rec)
}

// escoISCOCheck counts the stored occupations whose ISCO group is unknown.
func escoISCOCheck(ctx context.Context, tx *store.Tx, rec *Recorder) error {
	occ, unknown, groups, err := store.LabourISCOCheck(ctx, tx)
	if err != nil {
		return err
	}
	switch {
	case occ == 0:
		rec.Note("ESCO not loaded yet (corridor import esco): occupations are checked against these groups then")
	case groups == 0:
		rec.Note("ISCO groups not loaded yet (corridor import isco): the occupations' ISCO codes are checked for their form only")
	default:
		rec.Count("occupations_unknown_isco_group", unknown)
		if unknown > 0 {
			rec.Note("%d of %d ESCO occupations name an ISCO unit group that is not loaded", unknown, occ)
		}
	}
	return nil
}

// escoRoles names each ESCO file by its base name (without .gz).
type escoRole struct {
	name     string
	required bool
	set      func(f *esco.Files, path string)
}

var escoRoles = []escoRole{
	{"occupations_en.csv", true, func(f *esco.Files, p string) { f.Occupations = p }},
	{"esco_occupation_profiles.jsonl", true, func(f *esco.Files, p string) { f.Profiles = p }},
	{"broaderRelationsOccPillar_en.csv", false, func(f *esco.Files, p string) { f.BroaderOccupations = p }},
	{"broaderRelationsSkillPillar_en.csv", false, func(f *esco.Files, p string) { f.BroaderSkills = p }},
	{"skillGroups_en.csv", false, func(f *esco.Files, p string) { f.SkillGroups = p }},
	{"skillsHierarchy_en.csv", false, func(f *esco.Files, p string) { f.Hierarchy = p }},
	{"digitalSkillsCollection_en.csv", false, func(f *esco.Files, p string) { f.Collections[esco.CollectionDigital] = p }},
	{"greenSkillsCollection_en.csv", false, func(f *esco.Files, p string) { f.Collections[esco.CollectionGreen] = p }},
	{"languageSkillsCollection_en.csv", false, func(f *esco.Files, p string) { f.Collections[esco.CollectionLanguage] = p }},
	{"transversalSkillsCollection_en.csv", false, func(f *esco.Files, p string) { f.Collections[esco.CollectionTransversal] = p }},
	{"skills_en-us.csv", false, func(f *esco.Files, p string) { f.Legacy = p }},
}

const escoUsage = "ESCO files by their download names (each .csv/.jsonl or gzipped .gz): occupations_en.csv and " +
	"esco_occupation_profiles.jsonl (required); broaderRelationsOccPillar_en.csv, broaderRelationsSkillPillar_en.csv, " +
	"skillGroups_en.csv, skillsHierarchy_en.csv, {digital,green,language,transversal}SkillsCollection_en.csv, " +
	"skills_en-us.csv (legacy v1.0 skills list) (optional)"

// escoFiles assigns the files to their roles by base name; missing lists
// the optional files not given.
func escoFiles(files []string) (f esco.Files, missing []string, err error) {
	f = esco.Files{Collections: map[string]string{}}
	seen := map[string]bool{}
	for i, p := range files {
		base := strings.TrimSuffix(filepath.Base(p), ".gz")
		k := slices.IndexFunc(escoRoles, func(r escoRole) bool { return strings.EqualFold(r.name, base) })
		if k < 0 {
			return f, nil, derrors.Kindf(derrors.Invalid, "file %d (%s): not an ESCO file this importer reads; want %s", i+1, filepath.Base(p), escoUsage)
		}
		if seen[escoRoles[k].name] {
			return f, nil, derrors.Kindf(derrors.Invalid, "file %d (%s): %s given twice", i+1, filepath.Base(p), escoRoles[k].name)
		}
		seen[escoRoles[k].name] = true
		escoRoles[k].set(&f, p)
	}
	for _, r := range escoRoles {
		switch {
		case r.required && !seen[r.name]:
			return f, nil, derrors.Kindf(derrors.Invalid, "missing %s (%s)", r.name, escoUsage)
		case !seen[r.name]:
			missing = append(missing, r.name)
		}
	}
	return f, missing, nil
}

// ESCOFiles returns the shipped files of the esco dataset.
func ESCOFiles(dataDir string) []string {
	f := esco.ShippedFiles(dataDir)
	out := []string{f.Occupations, f.Profiles, f.BroaderOccupations, f.BroaderSkills, f.SkillGroups, f.Hierarchy}
	for _, c := range esco.Collections {
		out = append(out, f.Collections[c])
	}
	return append(out, f.Legacy)
}

// ESCO is the esco dataset.
func ESCO() Dataset {
	return Dataset{
		Name:         ESCOName,
		Description:  "ESCO v1.2.0 occupations, skills, skill groups, collections and occupation skill profiles (European Commission)",
		Version:      1,
		Usage:        escoUsage,
		DefaultFiles: ESCOFiles,
		CheckFiles: func(files []string) error {
			_, _, err := escoFiles(files)
			return err
		},
		Load: loadESCO,
	}
}

func loadESCO(ctx context.Context, tx *store.Tx, files []string, rec *Recorder) error {
	f, missing, err := escoFiles(files)
	if err != nil {
		return err
	}
	src, err := esco.ReadSources(f)
	if err != nil {
		return err
	}
	rows := len(src.Occupations) + len(src.Profiles) + len(src.BroaderOccupations) + len(src.BroaderSkills) +
		len(src.SkillGroups) + len(src.Hierarchy) + len(src.Legacy)
	for _, c := range src.Collections {
		rows += len(c)
	}
	for range rows {
		rec.Read()
	}
	in, rep, err := esco.Build(src)
	if err != nil {
		return err
	}
	if err := store.ReplaceESCO(ctx, tx, in); err != nil {
		return err
	}
	rec.Loaded(int64(rows - rep.LegacyWithoutLabel))
	withURI := rep.URIFromCollection + rep.URIFromLegacy + rep.URIFromLegacySpelling
	rec.Note("%d occupations, %d skills (%d used by the profiles, %d only in the collections), %d skill groups; %d essential + %d optional occupation-skill links",
		rep.Occupations, rep.Skills, rep.SkillsFromProfiles, rep.SkillsOnlyInCollections, len(in.SkillGroups), rep.EssentialLinks, rep.OptionalLinks)
	rec.Note("skill URIs: %d of %d skills (%.1f %%): %d from the v1.2 collections, %d from the v1.0 list by label, %d by label with US/UK spelling folded; %d without",
		withURI, rep.Skills, 100*float64(withURI)/float64(max(rep.Skills, 1)), rep.URIFromCollection, rep.URIFromLegacy, rep.URIFromLegacySpelling, rep.SkillsWithoutURI)
	for k, v := range map[string]int{
		"skills_without_uri":                     rep.SkillsWithoutURI,
		"profile_links_skill_without_uri":        rep.ProfileLinksWithoutURI,
		"skills_without_type":                    rep.SkillsWithoutType,
		"links_both_essential_and_optional":      rep.LinksBothEssentialOptional,
		"duplicate_links":                        rep.DuplicateLinks,
		"profiles_unknown_occupation":            rep.ProfilesUnknownOccupation,
		"occupations_without_profile":            rep.OccupationsWithoutProfile,
		"broader_occupation_unknown":             rep.BroaderUnknown,
		"legacy_uri_conflicts":                   rep.LegacyURIConflicts,
		"legacy_rows_without_label":              rep.LegacyWithoutLabel,
		"skill_uri_from_legacy_spelling_folding": rep.URIFromLegacySpelling,
	} {
		rec.Count(k, v)
	}
	if rep.LinksBothEssentialOptional > 0 {
		rec.Note("%d occupation-skill links are listed as both essential and optional in the source; both are kept", rep.LinksBothEssentialOptional)
	}
	if f.Legacy == "" {
		rec.Note("no legacy skills list given: skill URIs come from the collections only")
	}
	if len(missing) > 0 {
		rec.Note("optional files not given: %s", strings.Join(missing, ", "))
	}
	return escoISCOCheck(ctx, tx, rec)
}
