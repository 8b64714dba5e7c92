// Package auth is Corridor's access-control domain: roles and their
// permissions (resource × action with a record scope), the principal a
// request acts as, the policy that decides a request, and the rules for
// passwords, sessions, API tokens and sign-in throttling. It holds no SQL
// and no HTTP; storage is in internal/store and the middleware in
// internal/web.
//
// The model follows Primero (UNICEF's case management): a permission
// grants an action on a resource within a record scope — own records,
// the user's teams' records, the organisation's records, or all records.
// A role is a set of permissions; a user has roles; a new role grants
// nothing until permissions are added (safe default).
package auth

import (
	"fmt"
	"slices"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Actions.
const (
	Read    = "read"
	Create  = "create"
	Update  = "update"
	Delete  = "delete"
	Export  = "export"
	Assign  = "assign"
	Refer   = "refer"
	Publish = "publish"
)

// Actions lists every action in a stable order.
var Actions = []string{Read, Create, Update, Delete, Export, Assign, Refer, Publish}

// Scope is how far a permission reaches over records.
type Scope int

const (
	ScopeNone Scope = iota // no access
	ScopeOwn               // records the user created or owns
	ScopeTeam              // records of the user's teams (and their own)
	ScopeOrg               // records of the user's organisation
	ScopeAll               // every record
)

var scopeNames = []string{"none", "own", "team", "organisation", "all"}

func (s Scope) String() string {
	if s < 0 || int(s) >= len(scopeNames) {
		return fmt.Sprintf("scope(%d)", int(s))
	}
	return scopeNames[s]
}

// ParseScope reads a scope name ("own", "team", "organisation"/"org", "all").
func ParseScope(s string) (Scope, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "own", "self":
		return ScopeOwn, nil
	case "team", "group":
		return ScopeTeam, nil
	case "organisation", "organization", "org", "agency":
		return ScopeOrg, nil
	case "all":
		return ScopeAll, nil
	case "none", "":
		return ScopeNone, nil
	}
	return ScopeNone, derrors.Kindf(derrors.Invalid, "scope %q is not one of own, team, organisation, all", s)
}

// MarshalText writes the scope name.
func (s Scope) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a scope name.
func (s *Scope) UnmarshalText(b []byte) error {
	v, err := ParseScope(string(b))
	*s = v
	return err
}

// Resource is something permissions are granted on.
type Resource struct {
	Name        string
	Description string
	// Personal marks resources that hold personal data: every read is
	// audited.
	Personal bool
	// Scoped marks resources whose records have an owner, team and
	// organisation, so that record scopes apply. For other resources any
	// scope above none means full access.
	Scoped bool
}

// Resources is the catalogue of resources. Routes must name one of them.
var Resources = []Resource{
	{Name: "pages", Description: "public web pages"},
	{Name: "assets", Description: "static files (styles, scripts, icons)"},
	{Name: "countries", Description: "reference geography"},
	{Name: "statistics", Description: "statistical series, observations and the data API"},
	{Name: "trafficking", Description: "public counter-trafficking statistics from published releases and imported CTDC files"},
	{Name: "indicators", Description: "indicator definitions"},
	{Name: "system", Description: "health check and API description"},
	{Name: "metrics", Description: "Prometheus metrics"},
	{Name: "session", Description: "signing in and out"},
	{Name: "account", Description: "one's own account and password"},
	{Name: "users", Description: "user accounts", Personal: true, Scoped: true},
	{Name: "orgs", Description: "organisations", Scoped: true},
	{Name: "teams", Description: "teams within organisations", Scoped: true},
	{Name: "roles", Description: "roles and permissions"},
	{Name: "tokens", Description: "API tokens", Scoped: true},
	{Name: "audit", Description: "the audit trail"},
	{Name: "people", Description: "personal records (victims, returnees, workers, diaspora members)", Personal: true, Scoped: true},
	{Name: "plans", Description: "development plans: goals, indicators, targets and measurements", Scoped: true},
	{Name: "cases", Description: "counter-trafficking and return cases: consents, referrals, services, comments, tasks", Personal: true, Scoped: true},
	{Name: "releases", Description: "de-identified releases of counter-trafficking data: build, report, publish", Scoped: true},
	{Name: "remittances", Description: "remittance prices: quotes, corridor, regional and global averages; providers submit their quotes", Scoped: true},
	{Name: "labour", Description: "labour mobility: vacancies (published ones are public), recruitment drives and their pipeline, recruiters, recruitment costs and SDG 10.7.1", Scoped: true},
	{Name: "workers", Description: "worker profiles registered for labour mobility (personal: names and contacts encrypted)", Personal: true, Scoped: true},
}

// LookupResource returns the catalogue entry of a resource.
func LookupResource(name string) (Resource, bool) {
	i := slices.IndexFunc(Resources, func(r Resource) bool { return r.Name == name })
	if i < 0 {
		return Resource{}, false
	}
	return Resources[i], true
}

// Permission grants an action on a resource within a scope.
type Permission struct {
	Resource string `json:"resource"`
	Action   string `json:"action"`
	Scope    Scope  `json:"scope"`
}

// Validate checks a permission against the catalogues.
func (p Permission) Validate() error {
	if _, ok := LookupResource(p.Resource); !ok {
		return derrors.Kindf(derrors.Invalid, "permission: unknown resource %q", p.Resource)
	}
	if !slices.Contains(Actions, p.Action) {
		return derrors.Kindf(derrors.Invalid, "permission: unknown action %q (want one of %s)", p.Action, strings.Join(Actions, ", "))
	}
	if p.Scope < ScopeOwn || p.Scope > ScopeAll {
		return derrors.Kindf(derrors.Invalid, "permission %s:%s: scope must be own, team, organisation or all", p.Resource, p.Action)
	}
	return nil
}

// Role is a named set of permissions.
type Role struct {
	ID          int64        `json:"id"`
	Name        string       `json:"name"` // slug: "case-worker"
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Builtin     bool         `json:"builtin"`
	Permissions []Permission `json:"permissions"`
}

// Built-in role names.
const (
	RoleSystemAdmin    = "system-admin"
	RoleOrgAdmin       = "org-admin"
	RoleCaseWorker     = "case-worker"
	RoleCaseSupervisor = "case-supervisor"
	RoleAnalyst        = "analyst"
	RoleDataPublisher  = "data-publisher"
	RoleEditor         = "editor"
	RoleViewer         = "viewer"
	RolePublic         = "public" // the signed-out public
)

// RoleRemittanceProvider is a remittance service provider's account: it
// submits its organisation's current quotes.
const RoleRemittanceProvider = "remittance-provider"

// Labour-mobility roles: an employer (or destination-country agency)
// posts vacancies and runs recruitment drives; a labour agency in a
// country of origin registers workers with their consent and records
// their recruitment costs.
const (
	RoleEmployer     = "employer"
	RoleLabourAgency = "labour-agency"
	// RoleWorker is a migrant worker's own account (made by the agency
	// the worker registers with): the worker registers and keeps their
	// own profile, sees the vacancies it matches, withdraws consent.
	RoleWorker = "worker"
)

// ValidateRoleName checks a role slug.
func ValidateRoleName(name string) error {
	if len(name) < 2 || len(name) > 40 {
		return derrors.Kindf(derrors.Invalid, "name: a role name has 2 to 40 characters")
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return derrors.Kindf(derrors.Invalid, "name: a role name uses lower-case letters, digits and '-'")
		}
	}
	return nil
}
