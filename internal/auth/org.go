package auth

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Organisation kinds.
var OrgKinds = []string{"government", "un-agency", "ngo", "employer", "recruitment-agency", "research-institute", "diaspora-association", "other"}

// Org is an organisation using Corridor.
type Org struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Country string `json:"country"` // ISO3
}

// Validate checks an organisation.
func (o Org) Validate() error {
	if err := validText("name", o.Name, 2, 200); err != nil {
		return err
	}
	if !slices.Contains(OrgKinds, o.Kind) {
		return derrors.Kindf(derrors.Invalid, "kind: must be one of %s", strings.Join(OrgKinds, ", "))
	}
	if len(o.Country) != 3 || strings.ToUpper(o.Country) != o.Country {
		return derrors.Kindf(derrors.Invalid, "country: an ISO 3166-1 alpha-3 code in capitals, e.g. KEN")
	}
	return nil
}

// Team is a group of users within an organisation.
type Team struct {
	ID    int64  `json:"id"`
	OrgID int64  `json:"orgId"`
	Name  string `json:"name"`
}

// Validate checks a team.
func (t Team) Validate() error { return validText("name", t.Name, 2, 100) }

// User is an account. FullName and Email are personal data: the store
// encrypts them.
type User struct {
	ID       int64    `json:"id"`
	Username string   `json:"username"`
	FullName string   `json:"fullName"`
	Email    string   `json:"email"`
	OrgID    int64    `json:"orgId"`
	TeamIDs  []int64  `json:"teamIds"`
	Roles    []string `json:"roles"`
	Disabled bool     `json:"disabled"`
}

// Validate checks a user's fields (not the password).
func (u User) Validate() error {
	if err := ValidateUsername(u.Username); err != nil {
		return err
	}
	if err := validText("fullName", u.FullName, 1, MaxDisplayNameBytes); err != nil {
		return err
	}
	if u.Email != "" && (len(u.Email) > 254 || !strings.Contains(u.Email, "@") || strings.ContainsAny(u.Email, " \t\r\n<>")) {
		return derrors.Kindf(derrors.Invalid, "email: not an e-mail address")
	}
	if u.OrgID <= 0 {
		return derrors.Kindf(derrors.Invalid, "orgId: every user belongs to an organisation")
	}
	return nil
}

func validText(field, s string, minLen, maxLen int) error {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	switch {
	case !utf8.ValidString(s):
		return derrors.Kindf(derrors.Invalid, "%s: must be valid UTF-8 text", field)
	case n < minLen:
		return derrors.Kindf(derrors.Invalid, "%s: is required (at least %d characters)", field, minLen)
	case n > maxLen:
		return derrors.Kindf(derrors.Invalid, "%s: at most %d characters", field, maxLen)
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return derrors.Kindf(derrors.Invalid, "%s: must not contain control characters", field)
	}
	return nil
}
