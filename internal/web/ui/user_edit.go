package ui

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// One user's page and the form to change them: full name, e-mail, roles,
// teams and whether the account is disabled. The rules are the JSON
// API's: the user must be within the principal's record scope (else the
// page is not found), roles given must be grantable, nobody changes their
// own roles or disables themselves. Disabling ends the user's sessions and
// API tokens at once.

// userPageData is the data of the user template.
type userPageData struct {
	User        auth.User
	URL         string
	OrgName     string
	RoleTitles  []string // the user's roles, translated
	TeamNames   []string // the user's teams
	CanUpdate   bool
	Self        bool // the principal's own account: roles and disabled are not offered
	FullName    string
	Email       string
	Roles       []roleOption // the roles the principal may grant, checked when given
	KeptRoles   []roleView   // roles the user holds that the principal may not grant: kept as they are
	Teams       []teamOption // the teams of the user's organisation
	Disabled    bool
	Form        *form
	Saved       bool
	MaxFullName int
}

type teamOption struct {
	ID      int64
	Name    string
	Checked bool
}

// userAllowed reports whether the principal may do action on a user (the
// API's userInScope): within the scope of their users permission, where a
// team scope reaches the members of the principal's teams.
func (u *UI) userAllowed(ctx context.Context, p *auth.Principal, usr auth.User, action string) bool {
	rec := auth.Record{OwnerID: usr.ID, OrgID: usr.OrgID}
	if p.Scope("users", action) == auth.ScopeTeam {
		for _, t := range usr.TeamIDs {
			if p.Allows("users", action, auth.Record{OwnerID: usr.ID, TeamID: t, OrgID: usr.OrgID}) {
				return true
			}
		}
	}
	return p.Allows("users", action, rec)
}

// userInScope finds the user of the {id} path parameter when the
// principal may do action on them; a user out of scope is not found, as
// one that does not exist, so that ids cannot be probed.
func (u *UI) userInScope(r *http.Request, action string) (auth.User, error) {
	ctx := r.Context()
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return auth.User{}, derrors.Kindf(derrors.NotFound, "no user %q", raw)
	}
	usr, err := u.db.Accounts().User(ctx, id)
	if err != nil {
		return usr, err
	}
	if !u.userAllowed(ctx, web.PrincipalFrom(ctx), usr, action) {
		return auth.User{}, derrors.Kindf(derrors.NotFound, "no user %d", id)
	}
	return usr, nil
}

func userURL(id int64) string { return "/admin/users/" + strconv.FormatInt(id, 10) }

// userChoices are what the edit form offers: the roles the principal may
// grant, and the teams of the user's organisation.
type userChoices struct {
	all       map[string]auth.Role
	grantable []auth.Role
	teams     []auth.Team
}

func (u *UI) userEditChoices(ctx context.Context, p *auth.Principal, usr auth.User) (userChoices, error) {
	var c userChoices
	var err error
	if c.all, err = u.db.Accounts().Roles(ctx); err != nil {
		return c, err
	}
	for _, role := range assignableRoles(c.all) {
		if p.CanGrant(role) {
			c.grantable = append(c.grantable, role)
		}
	}
	c.teams, err = u.db.Accounts().Teams(ctx, usr.OrgID)
	return c, err
}

func (c userChoices) grantableRole(name string) bool {
	return slices.ContainsFunc(c.grantable, func(r auth.Role) bool { return r.Name == name })
}

// page builds the user page; the form shows want (the user as they are,
// or as a refused form asked).
func (c userChoices) page(ctx context.Context, u *UI, v *view, usr, want auth.User) (userPageData, error) {
	p := web.PrincipalFrom(ctx)
	page := userPageData{User: usr, URL: userURL(usr.ID), Self: usr.ID == p.UserID,
		CanUpdate: u.userAllowed(ctx, p, usr, auth.Update), FullName: want.FullName, Email: want.Email,
		Disabled: want.Disabled, MaxFullName: auth.MaxDisplayNameBytes}
	if org, err := u.db.Accounts().Org(ctx, usr.OrgID); err == nil {
		page.OrgName = org.Name
	} else if !errors.Is(err, derrors.NotFound) {
		return page, err
	}
	for _, name := range usr.Roles {
		if role, ok := c.all[name]; ok {
			page.RoleTitles = append(page.RoleTitles, v.roleView(role).Title)
			if !c.grantableRole(name) {
				page.KeptRoles = append(page.KeptRoles, v.roleView(role))
			}
		}
	}
	for _, role := range c.grantable {
		page.Roles = append(page.Roles, roleOption{roleView: v.roleView(role), Checked: slices.Contains(want.Roles, role.Name)})
	}
	for _, t := range c.teams {
		if slices.Contains(usr.TeamIDs, t.ID) {
			page.TeamNames = append(page.TeamNames, t.Name)
		}
		page.Teams = append(page.Teams, teamOption{ID: t.ID, Name: t.Name, Checked: slices.Contains(want.TeamIDs, t.ID)})
	}
	return page, nil
}

// userPage shows one user within the principal's scope, with the form to
// change them for those who may.
func (u *UI) userPage(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	usr, err := u.userInScope(r, auth.Read)
	if err != nil {
		return err
	}
	c, err := u.userEditChoices(ctx, web.PrincipalFrom(ctx), usr)
	if err != nil {
		return err
	}
	page, err := c.page(ctx, u, v, usr, usr)
	if err != nil {
		return err
	}
	page.Form = &form{}
	page.Saved = r.URL.Query().Get("saved") != ""
	return u.renderUser(w, v, http.StatusOK, page)
}

func (u *UI) renderUser(w http.ResponseWriter, v *view, status int, page userPageData) error {
	v.Title, v.Data = v.T("userEdit.title", "Username", page.User.Username), page
	v.Languages = u.languageLinksTo(page.URL, nil, v.Lang)
	return u.render(w, status, "user", v)
}

var userEditFieldIDs = map[string]string{"full_name": "user-full-name", "email": "user-email", "roles": "user-roles",
	"teams": "user-teams", "disabled": "user-disabled"}

var userEditFieldLabels = map[string]string{"full_name": "userNew.fullName", "email": "userNew.email", "roles": "userNew.roles",
	"teams": "userEdit.teams", "disabled": "userEdit.disabled"}

// userEditFields maps the field names of the store's errors to the form's.
var userEditFields = map[string]string{"fullName": "full_name", "email": "email", "roles": "roles", "teamIds": "teams"}

// updateUser changes a user from the form. Roles the principal may not
// grant cannot be given (403); those the user already holds are kept, as
// the form does not offer them. The principal's own roles and account
// status cannot be changed here.
func (u *UI) updateUser(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	cur, err := u.userInScope(r, auth.Update)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	p := web.PrincipalFrom(ctx)
	c, err := u.userEditChoices(ctx, p, cur)
	if err != nil {
		return err
	}
	in := r.PostForm
	self := cur.ID == p.UserID
	want := auth.User{ID: cur.ID, FullName: strings.TrimSpace(in.Get("full_name")), Email: strings.TrimSpace(in.Get("email")),
		Roles: cur.Roles, TeamIDs: []int64{}, Disabled: in.Get("disabled") != ""}
	f := &form{}
	status := http.StatusBadRequest
	bad := func(field, reasonID string, kv ...any) {
		f.add(v, field, userEditFieldIDs[field], userEditFieldLabels[field], reasonID, kv...)
	}
	if reason, kv := checkText(want.FullName, true, auth.MaxDisplayNameBytes); reason != "" {
		bad("full_name", reason, kv...)
	}
	if want.Email != "" && (len(want.Email) > 254 || !strings.Contains(want.Email, "@") ||
		strings.ContainsAny(want.Email, " \t\r\n<>") || strings.HasPrefix(want.Email, "@") || strings.HasSuffix(want.Email, "@")) {
		bad("email", "form.reason.email")
	}
	// Roles: the form's checkboxes (when it showed them, or when roles
	// were sent anyway) plus the roles held that the principal may not
	// grant, which the form does not offer and which stay.
	if in.Get("roles_shown") != "" || len(in["roles"]) > 0 {
		roles := []string{}
		for _, name := range cur.Roles {
			if !c.grantableRole(name) {
				roles = append(roles, name)
			}
		}
		for _, name := range in["roles"] {
			role, ok := c.all[name]
			switch {
			case !ok || name == auth.RolePublic || name == auth.RoleSignedIn:
				bad("roles", "form.reason.roleUnknown", "Value", name)
			case slices.Contains(roles, name):
			case !p.CanGrant(role):
				status = http.StatusForbidden
				bad("roles", "form.reason.roleEscalation", "Value", v.roleView(role).Title)
			default:
				roles = append(roles, name)
			}
		}
		want.Roles = roles
	}
	if self && f.Err("roles") == "" && !sameRoles(cur.Roles, want.Roles) {
		status = http.StatusForbidden
		bad("roles", "form.reason.ownRoles")
	}
	for _, raw := range in["teams"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || !slices.ContainsFunc(c.teams, func(t auth.Team) bool { return t.ID == id }) {
			bad("teams", "form.reason.team")
			continue
		}
		if !slices.Contains(want.TeamIDs, id) {
			want.TeamIDs = append(want.TeamIDs, id)
		}
	}
	if self && want.Disabled {
		bad("disabled", "form.reason.disableSelf")
	}
	if f.OK() {
		err = u.db.InTx(ctx, func(tx *store.Tx) error { return u.db.Accounts().UpdateUser(ctx, tx, want) })
		switch {
		case err == nil:
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, userURL(cur.ID)+"?saved=1", http.StatusSeeOther)
			return nil
		case errors.Is(err, derrors.Invalid):
			field, reason, ok := storeFieldError(err, userEditFields)
			if !ok {
				return err
			}
			f.addText(v, field, userEditFieldIDs[field], userEditFieldLabels[field], reason)
		default:
			return err
		}
	}
	page, err := c.page(ctx, u, v, cur, want)
	if err != nil {
		return err
	}
	page.FullName, page.Email, page.Form = in.Get("full_name"), in.Get("email"), f
	return u.renderUser(w, v, status, page)
}

// sameRoles reports whether two lists hold the same role names.
func sameRoles(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
