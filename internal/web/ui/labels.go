package ui

import (
	"slices"
	"strings"

	"github.com/corridor-platform/corridor/internal/auth"
)

// The names of roles, resources, actions, scopes and audit outcomes are
// identifiers; the pages show them translated where the catalogue has a
// message ("role.<name>.title", "resource.<name>", "action.<name>",
// "scope.<name>", "outcome.<name>") and as they are otherwise (a role an
// administrator created, an audit action added later).

// label translates an identifier, or returns fallback when the catalogue
// has no message for it.
func (v *view) label(prefix, name, fallback string) string {
	id := prefix + "." + name
	if v.u.catalog.Has(id) {
		return v.T(id)
	}
	return fallback
}

// roleView is a role as the pages show it.
type roleView struct {
	Name, Title, Description string
}

func (v *view) roleView(r auth.Role) roleView {
	return roleView{
		Name:        r.Name,
		Title:       v.label("role", r.Name+".title", r.Title),
		Description: v.label("role", r.Name+".description", r.Description),
	}
}

// permissionView is one grant as the pages show it.
type permissionView struct {
	Resource, ResourceLabel string
	Action, ActionLabel     string
	Scope, ScopeLabel       string
}

func (v *view) permissionView(p auth.Permission) permissionView {
	return permissionView{
		Resource: p.Resource, ResourceLabel: v.label("resource", p.Resource, p.Resource),
		Action: p.Action, ActionLabel: v.label("action", p.Action, p.Action),
		Scope: p.Scope.String(), ScopeLabel: v.scopeLabel(p.Scope),
	}
}

func (v *view) scopeLabel(s auth.Scope) string {
	return v.label("scope", s.String(), s.String())
}

// assignableRoles are the roles that can be given to a user, by name: not
// the implicit "public" and "signed-in".
func assignableRoles(all map[string]auth.Role) []auth.Role {
	out := make([]auth.Role, 0, len(all))
	for _, r := range all {
		if r.Name != auth.RolePublic && r.Name != auth.RoleSignedIn {
			out = append(out, r)
		}
	}
	sortRoles(out)
	return out
}

// sortRoles puts the built-in roles first in the order of
// auth.BuiltinRoles (from the widest to the narrowest), then the others
// by name.
func sortRoles(rs []auth.Role) {
	order := map[string]int{}
	for i, r := range auth.BuiltinRoles() {
		order[r.Name] = i + 1
	}
	rank := func(r auth.Role) int {
		if n, ok := order[r.Name]; ok {
			return n
		}
		return len(order) + 1
	}
	slices.SortFunc(rs, func(a, b auth.Role) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return strings.Compare(a.Name, b.Name)
	})
}
