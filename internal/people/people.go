// Package people is the shared registry of personal records: the people
// that counter-trafficking cases, return cases, worker profiles and
// diaspora profiles are about. Names, date of birth and document number
// are personal data: the store encrypts them and indexes the name and the
// document number with keyed blind indexes for exact lookups and
// duplicate checks.
package people

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// Value lists (HTCDS 2.0 "gender" and identity-document vocabularies,
// simplified).
var (
	Sexes         = []string{"female", "male", "other", "unknown"}
	DocumentTypes = []string{"passport", "national-id", "travel-document", "other", "none"}
)

// Person is one personal record.
type Person struct {
	ID             int64     `json:"id"`
	OrgID          int64     `json:"orgId"`
	TeamID         int64     `json:"teamId,omitempty"`
	OwnerID        int64     `json:"ownerId"`
	GivenName      string    `json:"givenName"`
	FamilyName     string    `json:"familyName"`
	BirthDate      string    `json:"birthDate,omitempty"` // YYYY-MM-DD, or YYYY when only the year is known
	Sex            string    `json:"sex"`
	Nationality    string    `json:"nationality,omitempty"` // ISO3
	DocumentType   string    `json:"documentType"`
	DocumentNumber string    `json:"documentNumber,omitempty"`
	Version        int64     `json:"version"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
}

// Record returns the ownership facts record scopes check.
func (p Person) Record() auth.Record {
	return auth.Record{OwnerID: p.OwnerID, TeamID: p.TeamID, OrgID: p.OrgID}
}

// FullName joins the names for the name index and display.
func (p Person) FullName() string { return strings.TrimSpace(p.GivenName + " " + p.FamilyName) }

// Validate checks the fields; errors wrap derrors.Invalid and name the field.
func (p Person) Validate() error {
	if ps := p.Problems(); len(ps) > 0 {
		return ps[0]
	}
	return nil
}

// Problems returns every problem of the person's fields, in field order
// (each wraps derrors.Invalid and starts with the field's name), so that
// a form shows them all at once.
func (p Person) Problems() []error {
	var ps []error
	add := func(format string, args ...any) { ps = append(ps, derrors.Kindf(derrors.Invalid, format, args...)) }
	for _, f := range []struct{ name, v string }{{"givenName", p.GivenName}, {"familyName", p.FamilyName}} {
		switch {
		case !utf8.ValidString(f.v) || strings.ContainsRune(f.v, utf8.RuneError):
			add("%s: not valid UTF-8 text", f.name)
		case utf8.RuneCountInString(f.v) > 100:
			add("%s: at most 100 characters", f.name)
		case strings.ContainsFunc(f.v, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }):
			add("%s: must not contain control or invisible formatting characters", f.name)
		}
	}
	if strings.TrimSpace(p.GivenName) == "" && strings.TrimSpace(p.FamilyName) == "" {
		add("givenName: a given or a family name is required")
	}
	if p.BirthDate != "" {
		d, err := time.Parse("2006-01-02", p.BirthDate)
		if err != nil {
			d, err = time.Parse("2006", p.BirthDate)
		}
		switch {
		case err != nil:
			add("birthDate: YYYY-MM-DD, or YYYY when only the year is known")
		case d.After(time.Now()) || d.Year() < 1900:
			add("birthDate: between 1900 and today")
		}
	}
	if !slices.Contains(Sexes, p.Sex) {
		add("sex: one of %s", strings.Join(Sexes, ", "))
	}
	if p.Nationality != "" && (len(p.Nationality) != 3 || strings.ToUpper(p.Nationality) != p.Nationality) {
		add("nationality: an ISO 3166-1 alpha-3 code in capitals")
	}
	if !slices.Contains(DocumentTypes, p.DocumentType) {
		add("documentType: one of %s", strings.Join(DocumentTypes, ", "))
	}
	switch {
	case len(p.DocumentNumber) > 64 || strings.ContainsFunc(p.DocumentNumber, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		add("documentNumber: at most 64 characters")
	case p.DocumentType == "none" && p.DocumentNumber != "":
		add("documentNumber: given with documentType none")
	}
	return ps
}
