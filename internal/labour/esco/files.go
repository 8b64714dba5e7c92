package esco

import "path/filepath"

// Files names the ESCO files Load reads. Empty names are skipped (only
// Occupations and Profiles are required).
type Files struct {
	Occupations        string // occupations_en.csv
	Profiles           string // esco_occupation_profiles.jsonl
	BroaderOccupations string // broaderRelationsOccPillar_en.csv
	BroaderSkills      string // broaderRelationsSkillPillar_en.csv
	SkillGroups        string // skillGroups_en.csv
	Hierarchy          string // skillsHierarchy_en.csv
	Collections        map[string]string
	Legacy             string // skills_en-us.csv (v1.0)
}

// ShippedFiles returns the files shipped under dataDir/esco.
func ShippedFiles(dataDir string) Files {
	d := filepath.Join(dataDir, "esco")
	return Files{
		Occupations:        filepath.Join(d, "occupations_en.csv.gz"),
		Profiles:           filepath.Join(d, "esco_occupation_profiles.jsonl.gz"),
		BroaderOccupations: filepath.Join(d, "broaderRelationsOccPillar_en.csv.gz"),
		BroaderSkills:      filepath.Join(d, "broaderRelationsSkillPillar_en.csv.gz"),
		SkillGroups:        filepath.Join(d, "skillGroups_en.csv.gz"),
		Hierarchy:          filepath.Join(d, "skillsHierarchy_en.csv.gz"),
		Collections: map[string]string{
			CollectionDigital:     filepath.Join(d, "digitalSkillsCollection_en.csv.gz"),
			CollectionGreen:       filepath.Join(d, "greenSkillsCollection_en.csv.gz"),
			CollectionLanguage:    filepath.Join(d, "languageSkillsCollection_en.csv.gz"),
			CollectionTransversal: filepath.Join(d, "transversalSkillsCollection_en.csv"),
		},
		Legacy: filepath.Join(d, "skills_en-us.csv.gz"),
	}
}

// ShippedISCOFile returns the ISCO groups file shipped under dataDir/isco.
func ShippedISCOFile(dataDir string) string {
	return filepath.Join(dataDir, "isco", "ISCOGroups_en.csv.gz")
}

// ReadSources reads every file of f (concurrently: the profiles and the
// legacy list are the large ones).
func ReadSources(f Files) (Sources, error) {
	var src Sources
	src.Collections = map[string][]ListedSkill{}
	type job struct {
		path string
		run  func(string) error
	}
	var cols [4][]ListedSkill
	jobs := []job{
		{f.Occupations, func(p string) (err error) { src.Occupations, err = ReadOccupations(p); return }},
		{f.Profiles, func(p string) (err error) { src.Profiles, err = ReadProfiles(p); return }},
		{f.BroaderOccupations, func(p string) (err error) { src.BroaderOccupations, err = ReadBroader(p); return }},
		{f.BroaderSkills, func(p string) (err error) { src.BroaderSkills, err = ReadBroader(p); return }},
		{f.SkillGroups, func(p string) (err error) { src.SkillGroups, err = ReadSkillGroups(p); return }},
		{f.Hierarchy, func(p string) (err error) { src.Hierarchy, err = ReadSkillsHierarchy(p); return }},
		{f.Legacy, func(p string) (err error) { src.Legacy, err = ReadLegacySkills(p); return }},
	}
	for i, c := range Collections {
		jobs = append(jobs, job{f.Collections[c], func(p string) (err error) { cols[i], err = ReadCollection(p); return }})
	}
	errs := make([]error, len(jobs))
	done := make(chan struct{})
	for i, j := range jobs {
		go func() {
			defer func() { done <- struct{}{} }()
			if j.path != "" {
				errs[i] = j.run(j.path)
			}
		}()
	}
	for range jobs {
		<-done
	}
	for _, err := range errs { // the first file's error, in a stable order
		if err != nil {
			return Sources{}, err
		}
	}
	for i, c := range Collections {
		if f.Collections[c] != "" {
			src.Collections[c] = cols[i]
		}
	}
	return src, nil
}
