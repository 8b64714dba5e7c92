package match

// SkillID is a dense skill index assigned by the caller (an ESCO skill).
type SkillID int32

// Level is a CEFR language level: 1=A1 2=A2 3=B1 4=B2 5=C1 6=C2.
type Level int8

// CEFR levels.
const (
	A1 Level = 1 + iota
	A2
	B1
	B2
	C1
	C2
)

// Language is a language held (worker) or required (vacancy) at a CEFR level.
type Language struct {
	Code  string // ISO 639-1, e.g. "en"
	Level Level
}

// Occupation identifies an occupation by its ESCO URI or code and its
// ISCO-08 4-digit unit group code (e.g. "7112").
type Occupation struct {
	ESCO string
	ISCO string
	// Broader is the ESCO occupation this one is a specialisation of ("spot
	// welder" under "welder"), "" for a top ESCO occupation: the ESCO
	// hierarchy below the ISCO unit group.
	Broader string
}

// Worker is a migrant worker in a country of origin.
type Worker struct {
	ID                    int64
	Origin                string       // ISO 3166 alpha-3
	Occupations           []Occupation // occupations held
	Skills                []SkillID    // any order; treated as a set
	Languages             []Language
	Education             int // ISCED 2011 level 0..8
	ExperienceYears       int
	PreferredDestinations []string // ISO alpha-3; empty means any destination
}

// Vacancy is a job offer in a destination country.
type Vacancy struct {
	ID                  int64
	Destination         string // ISO alpha-3
	Occupation          Occupation
	Essential, Optional []SkillID
	Languages           []Language // required minimum levels
	Education           int        // minimum ISCED level (0 = none)
	ExperienceYears     int        // minimum years
	Positions           int        // open positions (>= 1)
}

// Occupation relations reported in Explanation.OccupationRelation, from
// the closest to the most distant.
const (
	SameOccupation    = "same-occupation"
	BroaderNarrower   = "broader-or-narrower-occupation" // one is a specialisation of the other in ESCO
	SiblingOccupation = "sibling-occupation"             // both specialise the same ESCO occupation
	SameUnitGroup     = "same-unit-group"
	SameMinorGroup    = "same-minor-group"
	SameSubMajorGroup = "same-sub-major-group"
	SameMajorGroup    = "same-major-group"
	Unrelated         = "unrelated"
)

// Explanation says why a pair got its score. The five component fields sum
// to Result.Score.
type Explanation struct {
	// Skill lists, each sorted ascending. A skill listed both as essential
	// and optional by a vacancy counts as essential only.
	MatchedEssential, MissingEssential, MatchedOptional, MissingOptional []SkillID
	OccupationRelation                                                   string
	// LanguagesMet carries the level the worker holds; LanguagesMissing the
	// level the vacancy requires. Both are sorted by code.
	LanguagesMet, LanguagesMissing []Language
	EducationMet                   bool
	ExperienceMet                  bool
	Preferred                      bool
	// Components: Skills 0..500, Occupation 0..200, Languages 0..150,
	// Qualifications 0..100, Preference 0..50.
	Skills, Occupation, Languages, Qualifications, Preference int
}

// Result is a scored worker–vacancy pair.
type Result struct {
	WorkerID, VacancyID int64
	Score               int
	Explanation         Explanation
}

// Pair is one worker assigned to one vacancy in a Plan.
type Pair struct {
	WorkerID  int64 `json:"workerId"`
	VacancyID int64 `json:"vacancyId"`
	Score     int   `json:"score"`
}

// Alternative is a next-best vacancy for a worker in a Plan.
type Alternative struct {
	VacancyID int64 `json:"vacancyId"`
	Score     int   `json:"score"`
	Full      bool  `json:"full"` // every position of that vacancy went to workers in the plan
}

// Plan is the outcome of a recruitment drive.
type Plan struct {
	Pairs      []Pair  `json:"pairs"`      // sorted by WorkerID
	Total      int     `json:"total"`      // sum of pair scores (the maximised objective)
	Unassigned []int64 `json:"unassigned"` // workers with no pair, sorted
	// Alternatives holds, per worker with at least one, up to 3 next-best
	// assignment-eligible vacancies (never the assigned one) by score
	// descending, ties by VacancyID ascending.
	Alternatives map[int64][]Alternative `json:"alternatives"`
}
