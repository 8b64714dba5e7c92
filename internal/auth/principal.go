package auth

import "slices"

// Principal is who a request acts as: a signed-in user (through a session
// or an API token) or the public.
type Principal struct {
	UserID   int64    `json:"userId,omitempty"`
	Username string   `json:"username,omitempty"`
	OrgID    int64    `json:"orgId,omitempty"`
	TeamIDs  []int64  `json:"teamIds,omitempty"`
	Roles    []string `json:"roles"`
	// SessionID or TokenID say how the user authenticated.
	SessionID string `json:"-"`
	TokenID   int64  `json:"tokenId,omitempty"`

	grants map[grantKey]Scope
}

type grantKey struct{ resource, action string }

// NewPrincipal combines roles into a principal's grants: for each resource
// and action the widest scope any role gives. limit, when not nil (an API
// token with a narrower list), caps every grant at the token's scope.
func NewPrincipal(userID int64, username string, orgID int64, teams []int64, roles []Role, limit []Permission) *Principal {
	p := &Principal{UserID: userID, Username: username, OrgID: orgID, TeamIDs: teams, grants: map[grantKey]Scope{}}
	for _, r := range roles {
		p.Roles = append(p.Roles, r.Name)
		for _, perm := range r.Permissions {
			k := grantKey{perm.Resource, perm.Action}
			p.grants[k] = max(p.grants[k], perm.Scope)
		}
	}
	if limit != nil {
		caps := map[grantKey]Scope{}
		for _, perm := range limit {
			caps[grantKey{perm.Resource, perm.Action}] = perm.Scope
		}
		for k, s := range p.grants {
			p.grants[k] = min(s, caps[k])
		}
	}
	return p
}

// SignedIn reports whether the principal is a user rather than the public.
func (p *Principal) SignedIn() bool { return p != nil && p.UserID != 0 }

// Scope returns how far the principal may do action on resource.
func (p *Principal) Scope(resource, action string) Scope {
	if p == nil {
		return ScopeNone
	}
	return p.grants[grantKey{resource, action}]
}

// Can reports whether the principal may do action on some records of
// resource. The route-level decision; record-level checks use Allows.
func (p *Principal) Can(resource, action string) bool { return p.Scope(resource, action) > ScopeNone }

// Permissions lists the principal's effective grants.
func (p *Principal) Permissions() []Permission {
	out := make([]Permission, 0, len(p.grants))
	for k, s := range p.grants {
		if s > ScopeNone {
			out = append(out, Permission{Resource: k.resource, Action: k.action, Scope: s})
		}
	}
	slices.SortFunc(out, func(a, b Permission) int {
		if a.Resource != b.Resource {
			if a.Resource < b.Resource {
				return -1
			}
			return 1
		}
		return slices.Index(Actions, a.Action) - slices.Index(Actions, b.Action)
	})
	return out
}

// Record is what a record-scope check needs to know about a record.
type Record struct {
	OwnerID int64 // the user who owns (usually created) it
	TeamID  int64 // 0 when the record belongs to no team
	OrgID   int64
}

// Allows reports whether the principal may do action on this record.
func (p *Principal) Allows(resource, action string, rec Record) bool {
	return ScopeCovers(p.Scope(resource, action), p, rec)
}

// ScopeCovers reports whether a scope, held by p, reaches rec.
func ScopeCovers(s Scope, p *Principal, rec Record) bool {
	switch s {
	case ScopeAll:
		return true
	case ScopeOrg:
		return rec.OrgID != 0 && rec.OrgID == p.OrgID
	case ScopeTeam:
		return rec.OwnerID == p.UserID && p.UserID != 0 || rec.TeamID != 0 && slices.Contains(p.TeamIDs, rec.TeamID)
	case ScopeOwn:
		return rec.OwnerID != 0 && rec.OwnerID == p.UserID
	}
	return false
}

// Filter is a record scope turned into the terms a store query filters
// on, so that listings are filtered in SQL and never after loading.
type Filter struct {
	All     bool    // no restriction
	OrgID   int64   // records of this organisation (ScopeOrg)
	TeamIDs []int64 // records of these teams (ScopeTeam) …
	OwnerID int64   // … or owned by this user (ScopeOwn, ScopeTeam)
	None    bool    // nothing at all
}

// FilterFor returns the listing filter of action on resource.
func (p *Principal) FilterFor(resource, action string) Filter {
	switch p.Scope(resource, action) {
	case ScopeAll:
		return Filter{All: true}
	case ScopeOrg:
		return Filter{OrgID: p.OrgID}
	case ScopeTeam:
		return Filter{TeamIDs: p.TeamIDs, OwnerID: p.UserID}
	case ScopeOwn:
		return Filter{OwnerID: p.UserID}
	}
	return Filter{None: true}
}

// CanGrant reports whether p may hand role to someone without
// escalation. Each permission of the role must be one of:
//   - within p's own grants (same or wider scope); or
//   - a permission on records (people and other data resources, not the
//     administration of accounts, roles, audit or tokens) whose scope is no
//     wider than p's scope for assigning users — so an organisation
//     administrator can make case workers and supervisors in their
//     organisation without being one; or
//   - reading the directory of organisations and teams.
func (p *Principal) CanGrant(role Role) bool {
	assign := p.Scope("users", Assign)
	for _, perm := range role.Permissions {
		switch {
		case p.Scope(perm.Resource, perm.Action) >= perm.Scope:
		case assign > ScopeNone && !adminResources[perm.Resource] && perm.Scope <= assign:
		case assign > ScopeNone && perm.Action == Read && (perm.Resource == "orgs" || perm.Resource == "teams"):
		default:
			return false
		}
	}
	return true
}

// adminResources are administered, not worked on: granting rights over
// them needs those rights oneself.
var adminResources = map[string]bool{
	"users": true, "roles": true, "audit": true, "tokens": true, "orgs": true, "teams": true,
	"metrics": true, "system": true, "session": true, "account": true,
}
