// Package labour is the labour-mobility capability (IMDI): vacancies posted
// by employers and destination-country agencies, worker profiles registered
// with consent in countries of origin, recruitment drives with their
// pipeline from shortlist to placement, the recruiter register, the costs
// workers report paying and SDG indicator 10.7.1 computed from them, and
// the labour-market view for planners.
//
// It holds types, validation and pure logic; matching and the optimal
// assignment are in labour/match, the ESCO/ISCO taxonomy in labour/esco,
// storage in internal/store. Occupations are ESCO occupations (by URI)
// within ISCO-08 unit groups; skills are the taxonomy's skill ids.
//
// Ethical recruitment follows the employer-pays principle of IOM's IRIS
// standard and the ILO General principles for fair recruitment: a vacancy
// that charges workers any recruitment fee cannot be published.
package labour

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/field"
	"github.com/corridor-platform/corridor/internal/remit"
)

// Field limits.
const (
	MaxText      = 200
	MaxLongText  = 4000
	MaxPositions = 10000
	MaxSkills    = 200
	MaxLanguages = 10
	MaxWage      = 1e9
)

// Language levels: the Common European Framework of Reference (CEFR).
var Levels = []string{"A1", "A2", "B1", "B2", "C1", "C2"}

// LevelRank is 1 (A1) … 6 (C2), 0 for an unknown level.
func LevelRank(l string) int { return slices.Index(Levels, l) + 1 }

// Language is a language (ISO 639-1 code) at a CEFR level.
type Language struct {
	Code  string `json:"code"`
	Level string `json:"level"`
}

// Vacancy statuses. A draft becomes published (visible to migrants and
// open to matching) only when it passes Publishable; withdrawn and filled
// end it.
const (
	VacancyDraft     = "draft"
	VacancyPublished = "published"
	VacancyWithdrawn = "withdrawn"
	VacancyFilled    = "filled"
)

// VacancyStatuses lists the statuses.
var VacancyStatuses = []string{VacancyDraft, VacancyPublished, VacancyWithdrawn, VacancyFilled}

// Housing offers.
var HousingOptions = []string{"provided-free", "provided-paid", "assistance", "not-provided"}

// Legal channels through which a worker is admitted.
var ChannelKinds = []string{"work-visa", "seasonal-visa", "bilateral-agreement", "regional-free-movement", "skills-partnership"}

// Sectors (ISIC Rev.4 sections, by letter).
var Sectors = []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U"}

// SectorNames are the ISIC Rev.4 section titles.
var SectorNames = map[string]string{
	"A": "Agriculture, forestry and fishing", "B": "Mining and quarrying", "C": "Manufacturing",
	"D": "Electricity, gas, steam and air conditioning supply", "E": "Water supply; sewerage, waste management",
	"F": "Construction", "G": "Wholesale and retail trade", "H": "Transportation and storage",
	"I": "Accommodation and food service activities", "J": "Information and communication",
	"K": "Financial and insurance activities", "L": "Real estate activities",
	"M": "Professional, scientific and technical activities", "N": "Administrative and support service activities",
	"O": "Public administration and defence", "P": "Education", "Q": "Human health and social work activities",
	"R": "Arts, entertainment and recreation", "S": "Other service activities",
	"T": "Activities of households as employers", "U": "Activities of extraterritorial organisations",
}

// Channel is the legal channel of a vacancy: the kind and its name ("EU
// Blue Card", "Germany–Philippines Triple Win").
type Channel struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// FeePolicy says who pays for recruitment. Under the employer-pays
// principle WorkerFee is 0; a vacancy with WorkerFee > 0 (or
// EmployerPays false) is never published.
type FeePolicy struct {
	EmployerPays bool    `json:"employerPays"`
	WorkerFee    float64 `json:"workerFee"` // a fee charged to the worker, in the wage currency
	Note         string  `json:"note,omitempty"`
}

// Vacancy is a job offer in a destination country.
type Vacancy struct {
	ID              int64      `json:"id"`
	OrgID           int64      `json:"orgId"`
	OrgName         string     `json:"orgName,omitempty"`
	Status          string     `json:"status"`
	Title           string     `json:"title"`
	Description     string     `json:"description,omitempty"`
	Destination     string     `json:"destination"`
	Place           string     `json:"place"`
	ISCO            string     `json:"isco"`
	Occupation      string     `json:"occupation"` // ESCO occupation URI
	Sector          string     `json:"sector"`
	Positions       int        `json:"positions"`
	Filled          int        `json:"filled"`
	Essential       []int32    `json:"essentialSkills"`
	Optional        []int32    `json:"optionalSkills"`
	Languages       []Language `json:"languages"`
	Education       int        `json:"education"` // minimum ISCED 2011 level, 0 = none
	Qualifications  string     `json:"qualifications,omitempty"`
	ExperienceYears int        `json:"experienceYears"`
	MonthlyWage     float64    `json:"monthlyWage"`
	Currency        string     `json:"currency"`
	HoursPerWeek    int        `json:"hoursPerWeek"`
	ContractMonths  int        `json:"contractMonths"`
	Housing         string     `json:"housing"`
	Channel         Channel    `json:"channel"`
	RecruiterID     int64      `json:"recruiterId,omitempty"`
	Fees            FeePolicy  `json:"feePolicy"`
	StartDate       string     `json:"startDate,omitempty"`
	Version         int64      `json:"version"`
	CreatedAt       time.Time  `json:"createdAt"`
	PublishedAt     time.Time  `json:"publishedAt,omitzero"`
	ClosedAt        time.Time  `json:"closedAt,omitzero"`
}

// Open is the number of positions still to fill.
func (v Vacancy) Open() int { return max(0, v.Positions-v.Filled) }

var iscoUnitLen = 4

// Check returns every problem of a vacancy's own fields (whether the
// destination, occupation, skills and recruiter exist is the store's
// check).
func (v Vacancy) Check() field.Problems {
	var ps field.Problems
	ps.Text("title", v.Title, true, false, MaxText)
	ps.Text("description", v.Description, false, true, MaxLongText)
	ps.Country("destination", v.Destination, true)
	ps.Text("place", v.Place, true, false, MaxText)
	if !isDigits(v.ISCO, iscoUnitLen) {
		ps.Add("isco", "isco", nil, "an ISCO-08 unit group: 4 digits, such as 7212")
	}
	ps.Text("occupation", v.Occupation, false, false, MaxText)
	ps.OneOf("sector", v.Sector, Sectors, true)
	ps.IntRange("positions", v.Positions, 1, MaxPositions)
	if v.Filled < 0 || v.Filled > v.Positions {
		ps.Add("filled", "range", map[string]any{"Min": 0, "Max": v.Positions}, "from 0 to the number of positions (%d)", v.Positions)
	}
	checkSkills(&ps, "essentialSkills", v.Essential)
	checkSkills(&ps, "optionalSkills", v.Optional)
	for _, id := range v.Essential {
		if slices.Contains(v.Optional, id) {
			ps.Add("optionalSkills", "both", nil, "skill %d is listed as essential and optional", id)
			break
		}
	}
	checkLanguages(&ps, "languages", v.Languages)
	ps.IntRange("education", v.Education, 0, 8)
	ps.Text("qualifications", v.Qualifications, false, true, MaxLongText)
	ps.IntRange("experienceYears", v.ExperienceYears, 0, 50)
	ps.Amount("monthlyWage", v.MonthlyWage, true, MaxWage)
	if ps.Currency("currency", v.Currency, true) && !remit.IsCurrency(v.Currency, true) {
		ps.Add("currency", "currency", nil, "%s is not an ISO 4217 currency", v.Currency)
	}
	ps.IntRange("hoursPerWeek", v.HoursPerWeek, 1, 84)
	ps.IntRange("contractMonths", v.ContractMonths, 1, 120)
	ps.OneOf("housing", v.Housing, HousingOptions, true)
	ps.OneOf("channel.kind", v.Channel.Kind, ChannelKinds, true)
	ps.Text("channel.name", v.Channel.Name, true, false, MaxText)
	ps.Amount("feePolicy.workerFee", v.Fees.WorkerFee, false, MaxWage)
	ps.Text("feePolicy.note", v.Fees.Note, false, true, MaxLongText)
	ps.Date("startDate", v.StartDate, false)
	ps.OneOf("status", v.Status, VacancyStatuses, true)
	return ps
}

// Validate checks a vacancy's own fields; the error is the first problem.
func (v Vacancy) Validate() error { return v.Check().Err() }

// Publishable returns the problems that stop a vacancy from being
// published: its own field problems and any recruitment fee charged to
// workers (the employer-pays principle).
func (v Vacancy) Publishable() field.Problems {
	ps := v.Check()
	if v.Fees.WorkerFee > 0 {
		ps.Add("feePolicy.workerFee", "workerFee", nil,
			"a vacancy that charges workers a recruitment fee cannot be published: under the employer-pays principle (IOM IRIS, ILO fair recruitment) the employer bears every recruitment cost")
	} else if !v.Fees.EmployerPays {
		ps.Add("feePolicy.employerPays", "employerPays", nil,
			"the employer must bear the recruitment costs (employer-pays principle) before the vacancy is published")
	}
	if v.RecruiterID == 0 && v.OrgID == 0 {
		ps.Add("recruiterId", "required", nil, "name the recruiter or the employer that recruits")
	}
	return ps
}

func checkSkills(ps *field.Problems, name string, ids []int32) {
	if len(ids) > MaxSkills {
		ps.Add(name, "tooMany", map[string]any{"Max": MaxSkills}, "at most %d skills", MaxSkills)
		return
	}
	seen := map[int32]bool{}
	for _, id := range ids {
		if id < 0 {
			ps.Add(name, "skill", nil, "skill ids are not negative")
			return
		}
		if seen[id] {
			ps.Add(name, "duplicate", nil, "skill %d is listed twice", id)
			return
		}
		seen[id] = true
	}
}

func checkLanguages(ps *field.Problems, name string, ls []Language) {
	if len(ls) > MaxLanguages {
		ps.Add(name, "tooMany", map[string]any{"Max": MaxLanguages}, "at most %d languages", MaxLanguages)
		return
	}
	seen := map[string]bool{}
	for i, l := range ls {
		p := name + "[" + strconv.Itoa(i) + "]"
		if len(l.Code) != 2 || strings.ToLower(l.Code) != l.Code || !isLetters(l.Code) || !IsLanguage(l.Code) {
			ps.Add(p+".code", "language", nil, "an ISO 639-1 language code in lower case, such as en")
			continue
		}
		if LevelRank(l.Level) == 0 {
			ps.Add(p+".level", "oneOf", map[string]any{"Value": strings.Join(Levels, ", ")}, "a CEFR level: one of %s", strings.Join(Levels, ", "))
		}
		if seen[l.Code] {
			ps.Add(p+".code", "duplicate", nil, "language %s is listed twice", l.Code)
		}
		seen[l.Code] = true
	}
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isLetters(s string) bool {
	for _, c := range s {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
