package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// The administration of roles: creating one (it grants nothing), its
// permission grid, deleting one that is not built in. The rules are the
// JSON API's: no role may allow more than the administrator may grant
// (auth.Principal.CanGrant), built-in roles are never deleted.

// Bounds of the new-role form (the name's are auth.ValidateRoleName's).
const (
	roleNameMin        = 2
	roleNameMax        = 40
	roleTitleMax       = 100
	roleDescriptionMax = 500
)

// newRoleForm is what the new-role form shows again, with its bounds.
type newRoleForm struct {
	Name, Title, Description string
	MinName, MaxName         int
	MaxTitle, MaxDescription int
}

func newRoleLimits() newRoleForm {
	return newRoleForm{MinName: roleNameMin, MaxName: roleNameMax, MaxTitle: roleTitleMax, MaxDescription: roleDescriptionMax}
}

// roleFields maps the field names of the store's errors to the form's.
var roleFields = map[string]string{"name": "name", "title": "title", "description": "description"}

var roleFieldIDs = map[string]string{"name": "role-name", "title": "role-title", "description": "role-description"}

var roleFieldLabels = map[string]string{"name": "roleNew.name", "title": "roleNew.title", "description": "roleNew.description"}

// createRole creates a role from the form. A new role grants nothing:
// its permissions are set afterwards on its own page, where the form
// leads.
func (u *UI) createRole(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	p := web.PrincipalFrom(ctx)
	in := r.PostForm
	role := auth.Role{Name: strings.TrimSpace(in.Get("name")), Title: strings.TrimSpace(in.Get("title")),
		Description: strings.TrimSpace(in.Get("description"))}
	all, err := u.db.Accounts().Roles(ctx)
	if err != nil {
		return err
	}
	f := &form{}
	status := http.StatusBadRequest
	bad := func(field, reasonID string, kv ...any) {
		f.add(v, field, roleFieldIDs[field], roleFieldLabels[field], reasonID, kv...)
	}
	switch _, taken := all[role.Name]; {
	case role.Name == "":
		bad("name", "form.reason.required")
	case auth.ValidateRoleName(role.Name) != nil:
		bad("name", "form.reason.roleName", "Min", roleNameMin, "Max", roleNameMax)
	case taken:
		bad("name", "form.reason.roleTaken")
	}
	if reason, kv := checkText(role.Title, true, roleTitleMax); reason != "" {
		bad("title", reason, kv...)
	}
	if reason, kv := checkText(role.Description, false, roleDescriptionMax); reason != "" {
		bad("description", reason, kv...)
	}
	// A new role has no permissions, which anyone may grant; the check
	// stays so that the rule holds if the form ever offers some.
	if !p.CanGrant(role) {
		status = http.StatusForbidden
		bad("name", "form.reason.roleBeyond")
	}
	if f.OK() {
		err = u.db.InTx(ctx, func(tx *store.Tx) (err error) {
			role, err = u.db.Accounts().CreateRole(ctx, tx, role)
			return err
		})
		switch {
		case err == nil:
			web.NoteRecord(r, role.Name)
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, roleURL(role.Name)+"?created=1", http.StatusSeeOther)
			return nil
		case errors.Is(err, derrors.Conflict):
			bad("name", "form.reason.roleTaken")
		case errors.Is(err, derrors.Invalid):
			field, reason, ok := storeFieldError(err, roleFields)
			if !ok {
				return err
			}
			f.addText(v, field, roleFieldIDs[field], roleFieldLabels[field], reason)
		default:
			return err
		}
	}
	page, err := u.rolesData(r, v)
	if err != nil {
		return err
	}
	page.Form = f
	page.New.Name, page.New.Title, page.New.Description = in.Get("name"), in.Get("title"), in.Get("description")
	return u.renderRoles(w, v, status, page)
}

func roleURL(name string) string { return "/admin/roles/" + url.PathEscape(name) }

// ---- one role: the permission grid

// rolePage is the data of the role template.
type rolePage struct {
	Role      roleView
	Builtin   bool
	URL       string
	CanUpdate bool // the grid is a form
	CanDelete bool // the role may be deleted (not built in, and roles:delete)
	Actions   []actionHead
	Rows      []permRow // one per resource, in the order of auth.Resources
	Granted   int       // how many permissions the role grants
	Form      *form
	Created   bool // the role was just created
	Saved     bool // its permissions were just saved
}

// actionHead is one column of the grid.
type actionHead struct{ Name, Label string }

// permRow is one resource of the grid.
type permRow struct {
	Resource, ResourceLabel string
	Cells                   []permCell // in the order of auth.Actions
}

// permCell is one resource:action of the grid: a select of the scopes in
// the form, the scope otherwise.
type permCell struct {
	Field, ID, Label  string // the form field, the control's id, its (visually hidden) label
	Scope, ScopeLabel string
	Options           []selectOption
	Error             string
}

// scopes are the choices of a grid cell, from none to all.
var scopes = []auth.Scope{auth.ScopeNone, auth.ScopeOwn, auth.ScopeTeam, auth.ScopeOrg, auth.ScopeAll}

func permField(resource, action string) string { return "perm." + resource + "." + action }
func permID(resource, action string) string    { return "perm-" + resource + "-" + action }

// lookupRole finds the role of the {name} path parameter (NotFound if
// there is none).
func (u *UI) lookupRole(r *http.Request) (auth.Role, error) {
	name := r.PathValue("name")
	web.NoteRecord(r, name)
	all, err := u.db.Accounts().Roles(r.Context())
	if err != nil {
		return auth.Role{}, err
	}
	role, ok := all[name]
	if !ok {
		return role, derrors.Kindf(derrors.NotFound, "no role %q", name)
	}
	return role, nil
}

// rolePageData builds the grid of a role with the scope of each cell:
// the role's own, or what a refused form chose.
func rolePageData(r *http.Request, v *view, role auth.Role, chosen map[[2]string]auth.Scope, f *form) rolePage {
	p := web.PrincipalFrom(r.Context())
	page := rolePage{Role: v.roleView(role), Builtin: role.Builtin, URL: roleURL(role.Name),
		CanUpdate: p.Can("roles", auth.Update), CanDelete: !role.Builtin && p.Can("roles", auth.Delete), Form: f}
	for _, a := range auth.Actions {
		page.Actions = append(page.Actions, actionHead{Name: a, Label: v.label("action", a, a)})
	}
	for _, res := range auth.Resources {
		row := permRow{Resource: res.Name, ResourceLabel: v.label("resource", res.Name, res.Name)}
		for _, a := range auth.Actions {
			s := chosen[[2]string{res.Name, a}]
			if s > auth.ScopeNone {
				page.Granted++
			}
			cell := permCell{Field: permField(res.Name, a), ID: permID(res.Name, a),
				Label: v.T("roleEdit.cell", "Name", row.ResourceLabel, "Value", v.label("action", a, a)),
				Scope: s.String(), ScopeLabel: v.scopeLabel(s)}
			cell.Error = f.Err(cell.Field)
			if page.CanUpdate {
				for _, o := range scopes {
					cell.Options = append(cell.Options, selectOption{Value: o.String(), Label: v.scopeLabel(o), Selected: o == s})
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		page.Rows = append(page.Rows, row)
	}
	return page
}

func roleGrants(role auth.Role) map[[2]string]auth.Scope {
	out := map[[2]string]auth.Scope{}
	for _, perm := range role.Permissions {
		out[[2]string{perm.Resource, perm.Action}] = perm.Scope
	}
	return out
}

// rolePage shows a role and its permission grid: a form of one select
// per resource and action for those who may change roles.
func (u *UI) rolePage(w http.ResponseWriter, r *http.Request, v *view) error {
	role, err := u.lookupRole(r)
	if err != nil {
		return err
	}
	page := rolePageData(r, v, role, roleGrants(role), &form{})
	q := r.URL.Query()
	page.Created, page.Saved = q.Get("created") != "", q.Get("saved") != ""
	return u.renderRole(w, v, http.StatusOK, page)
}

func (u *UI) renderRole(w http.ResponseWriter, v *view, status int, page rolePage) error {
	v.Title, v.Data = v.T("roleEdit.title", "Name", page.Role.Title), page
	v.Languages = u.languageLinksTo(page.URL, nil, v.Lang)
	return u.render(w, status, "role", v)
}

// updateRole replaces a role's permissions with the grid's. A cell the
// administrator may not grant (auth.Principal.CanGrant) refuses the whole
// form with 403 and names the cell; nothing changes.
func (u *UI) updateRole(w http.ResponseWriter, r *http.Request, v *view) error {
	role, err := u.lookupRole(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	p := web.PrincipalFrom(ctx)
	f := &form{}
	status := http.StatusBadRequest
	chosen := map[[2]string]auth.Scope{}
	var perms []auth.Permission
	for _, res := range auth.Resources {
		resLabel := v.label("resource", res.Name, res.Name)
		for _, a := range auth.Actions {
			field := permField(res.Name, a)
			label := v.T("roleEdit.cell", "Name", resLabel, "Value", v.label("action", a, a))
			raw := strings.TrimSpace(r.PostForm.Get(field))
			s, ok := auth.ScopeNone, raw == ""
			for _, o := range scopes {
				if raw == o.String() {
					s, ok = o, true
				}
			}
			if !ok {
				f.addLabeled(v, field, permID(res.Name, a), label, v.T("form.reason.scope"))
				continue
			}
			chosen[[2]string{res.Name, a}] = s
			if s == auth.ScopeNone {
				continue
			}
			perm := auth.Permission{Resource: res.Name, Action: a, Scope: s}
			// CanGrant decides each permission on its own: checking them
			// one by one names every cell at fault.
			if !p.CanGrant(auth.Role{Permissions: []auth.Permission{perm}}) {
				status = http.StatusForbidden
				f.addLabeled(v, field, permID(res.Name, a), label, v.T("form.reason.permEscalation", "Value", v.scopeLabel(s)))
			}
			perms = append(perms, perm)
		}
	}
	if f.OK() && !p.CanGrant(auth.Role{Permissions: perms}) {
		return derrors.Kindf(derrors.Forbidden, "permissions: a role cannot allow more than you may do")
	}
	// Nor may anyone change a role that already allows more than they may
	// grant (emptying an administrator role is an attack too).
	if f.OK() && !p.CanGrant(role) {
		return derrors.Kindf(derrors.Forbidden, "role %s allows more than you may grant; you cannot change it", role.Name)
	}
	if f.OK() {
		err = u.db.InTx(ctx, func(tx *store.Tx) error {
			return u.db.Accounts().SetRolePermissions(ctx, tx, role.Name, perms)
		})
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, roleURL(role.Name)+"?saved=1", http.StatusSeeOther)
		return nil
	}
	return u.renderRole(w, v, status, rolePageData(r, v, role, chosen, f))
}

// ---- deleting a role

// roleDeletePage is the data of the role_delete template.
type roleDeletePage struct {
	Role roleView
	URL  string
}

// builtinRefusal explains that a built-in role cannot be deleted.
func builtinRefusal(v *view, role auth.Role) error {
	return &refusal{Kind: derrors.Conflict, TitleID: "roleDelete.builtin.title", TextID: "roleDelete.builtin.text",
		Data: map[string]any{"Name": v.roleView(role).Title}}
}

// confirmDeleteRole asks to confirm deleting a role.
func (u *UI) confirmDeleteRole(w http.ResponseWriter, r *http.Request, v *view) error {
	role, err := u.lookupRole(r)
	if err != nil {
		return err
	}
	if role.Builtin {
		return builtinRefusal(v, role)
	}
	page := roleDeletePage{Role: v.roleView(role), URL: roleURL(role.Name)}
	v.Title, v.Data = v.T("roleDelete.title", "Name", page.Role.Title), page
	return u.render(w, http.StatusOK, "role_delete", v)
}

// deleteRole deletes a role that is not built in; the users who held it
// lose its permissions.
func (u *UI) deleteRole(w http.ResponseWriter, r *http.Request, v *view) error {
	role, err := u.lookupRole(r)
	if err != nil {
		return err
	}
	if role.Builtin {
		return builtinRefusal(v, role)
	}
	if !web.PrincipalFrom(r.Context()).CanGrant(role) {
		return derrors.Kindf(derrors.Forbidden, "role %s allows more than you may grant; you cannot delete it", role.Name)
	}
	ctx := r.Context()
	err = u.db.InTx(ctx, func(tx *store.Tx) error { return u.db.Accounts().DeleteRole(ctx, tx, role.Name) })
	switch {
	case errors.Is(err, derrors.Conflict):
		return builtinRefusal(v, role)
	case err != nil:
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/admin/roles?deleted="+url.QueryEscape(role.Name), http.StatusSeeOther)
	return nil
}
