package labour

import (
	"slices"
	"strconv"
	"time"

	"github.com/corridor-platform/corridor/internal/field"
)

// Worker statuses: an active profile is matched; a withdrawn one (the
// worker withdrew consent) never is; a placed one has arrived in a job.
const (
	WorkerActive    = "active"
	WorkerWithdrawn = "withdrawn"
	WorkerPlaced    = "placed"
)

// WorkerStatuses lists the statuses.
var WorkerStatuses = []string{WorkerActive, WorkerWithdrawn, WorkerPlaced}

// Consent is what the worker agreed to, recorded when the profile is
// registered. Matching needs it; sharing the profile (name and contacts)
// with an employer needs ShareWithEmployers, and happens only for drives
// the worker is shortlisted in.
type Consent struct {
	Matching           bool   `json:"matching"`
	ShareWithEmployers bool   `json:"shareWithEmployers"`
	Date               string `json:"date"`
	RecordedBy         string `json:"recordedBy"` // self or agency
}

// MinWorkingAge is the youngest age at which Corridor registers a worker
// for recruitment abroad (ILO Convention 138 sets 18 for hazardous work;
// international recruitment programmes use 18).
const MinWorkingAge = 18

// ConsentRecorders say how consent was recorded.
var ConsentRecorders = []string{"self", "agency"}

// HeldOccupation is an occupation a worker has held.
type HeldOccupation struct {
	Occupation string `json:"occupation"` // ESCO occupation URI ("" when only the ISCO group is known)
	ISCO       string `json:"isco"`       // ISCO-08 unit group
	Years      int    `json:"years"`
}

// Worker is a person in a country of origin looking for work abroad. The
// personal fields (names, birth date, contacts, qualifications text,
// notes) are encrypted at rest; the matching attributes (origin,
// occupations, skills, languages, education level, experience,
// availability, preferred destinations) are not, so that matching can
// index them, and are shown to employers without the person's identity.
type Worker struct {
	ID      int64   `json:"id"`
	OrgID   int64   `json:"orgId"`
	OwnerID int64   `json:"ownerId"`
	Status  string  `json:"status"`
	Consent Consent `json:"consent"`

	// Personal (encrypted at rest).
	GivenName      string `json:"givenName"`
	FamilyName     string `json:"familyName"`
	BirthDate      string `json:"birthDate,omitempty"`
	Email          string `json:"email,omitempty"`
	Phone          string `json:"phone,omitempty"`
	Qualifications string `json:"qualifications,omitempty"`
	Notes          string `json:"notes,omitempty"`

	// Matching attributes.
	Origin                string           `json:"origin"`
	Occupations           []HeldOccupation `json:"occupations"`
	Skills                []int32          `json:"skills"`
	Languages             []Language       `json:"languages"`
	Education             int              `json:"education"`
	ExperienceYears       int              `json:"experienceYears"`
	AvailableFrom         string           `json:"availableFrom,omitempty"`
	PreferredDestinations []string         `json:"preferredDestinations"`

	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Reference is the pseudonymous reference shown to employers before a
// worker is shortlisted: no name, no contacts.
func (w Worker) Reference() string { return "W-" + strconv.FormatInt(w.ID, 10) }

// Check returns every problem of a worker profile's own fields.
func (w Worker) Check() field.Problems {
	var ps field.Problems
	ps.OneOf("status", w.Status, WorkerStatuses, true)
	if !w.Consent.Matching {
		ps.Add("consent.matching", "consent", nil, "the worker's consent to be matched with vacancies is required to register a profile")
	}
	ps.Date("consent.date", w.Consent.Date, true)
	ps.OneOf("consent.recordedBy", w.Consent.RecordedBy, ConsentRecorders, true)
	ps.Text("givenName", w.GivenName, true, false, MaxText)
	ps.Text("familyName", w.FamilyName, false, false, MaxText)
	ps.Date("birthDate", w.BirthDate, false)
	ps.Text("email", w.Email, false, false, MaxText)
	if w.Email != "" && !plausibleEmail(w.Email) {
		ps.Add("email", "email", nil, "an e-mail address such as name@example.org")
	}
	ps.Text("phone", w.Phone, false, false, 40)
	ps.Text("qualifications", w.Qualifications, false, true, MaxLongText)
	ps.Text("notes", w.Notes, false, true, MaxLongText)
	ps.Country("origin", w.Origin, true)
	if len(w.Occupations) == 0 {
		ps.Add("occupations", "required", nil, "at least one occupation held")
	}
	if len(w.Occupations) > 10 {
		ps.Add("occupations", "tooMany", map[string]any{"Max": 10}, "at most 10 occupations")
	}
	for i, o := range w.Occupations {
		p := "occupations[" + strconv.Itoa(i) + "]"
		if !isDigits(o.ISCO, iscoUnitLen) {
			ps.Add(p+".isco", "isco", nil, "an ISCO-08 unit group: 4 digits, such as 7212")
		}
		ps.Text(p+".occupation", o.Occupation, false, false, MaxText)
		ps.IntRange(p+".years", o.Years, 0, 60)
	}
	checkSkills(&ps, "skills", w.Skills)
	checkLanguages(&ps, "languages", w.Languages)
	ps.IntRange("education", w.Education, 0, 8)
	ps.IntRange("experienceYears", w.ExperienceYears, 0, 60)
	ps.Date("availableFrom", w.AvailableFrom, false)
	if len(w.PreferredDestinations) > 20 {
		ps.Add("preferredDestinations", "tooMany", map[string]any{"Max": 20}, "at most 20 countries")
	}
	for i, d := range w.PreferredDestinations {
		if !ps.Country("preferredDestinations["+strconv.Itoa(i)+"]", d, true) {
			break
		}
		if d == w.Origin {
			ps.Add("preferredDestinations["+strconv.Itoa(i)+"]", "origin", nil, "the country of origin is not a destination")
		}
		if slices.Index(w.PreferredDestinations, d) != i {
			ps.Add("preferredDestinations["+strconv.Itoa(i)+"]", "duplicate", nil, "%s is listed twice", d)
		}
	}
	return ps
}

// Validate checks a profile's own fields; the error is the first problem.
func (w Worker) Validate() error { return w.Check().Err() }

func plausibleEmail(s string) bool {
	at := -1
	for i, c := range s {
		if c == '@' {
			if at >= 0 {
				return false
			}
			at = i
		}
		if c == ' ' {
			return false
		}
	}
	return at > 0 && at < len(s)-3
}
