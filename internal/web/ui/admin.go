package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// ---- users

// Users listing bounds.
const (
	usersDefaultLimit = 25
	usersMaxLimit     = 200
)

// usersPage is the data of the users template.
type usersPage struct {
	Rows            []userRow
	Total, From, To int
	Pager           pager
	CanCreate       bool
	Created         string // username of the user just created (the flash)
}

// userRow is one user in the listing.
type userRow struct {
	auth.User
	OrgName    string
	RoleTitles []string
}

// users lists the users within the principal's record scope, filtered in
// SQL; the policy audits the read (users hold personal data).
func (u *UI) users(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	p := web.PrincipalFrom(ctx)
	q := r.URL.Query()
	offset, err := intParam(q, "offset", 0, 0, -1)
	if err != nil {
		return err
	}
	limit, err := intParam(q, "limit", usersDefaultLimit, 1, usersMaxLimit)
	if err != nil {
		return err
	}
	list, total, err := u.db.Accounts().Users(ctx, p.FilterFor("users", auth.Read), limit, offset)
	if err != nil {
		return err
	}
	shown := make([]string, len(list))
	for i, usr := range list {
		shown[i] = strconv.FormatInt(usr.ID, 10)
	}
	web.NoteRecords(r, shown) // the list shows names and e-mails: each is a read
	orgs, err := u.orgNames(ctx)
	if err != nil {
		return err
	}
	roles, err := u.db.Accounts().Roles(ctx)
	if err != nil {
		return err
	}
	page := usersPage{Total: total, CanCreate: p.Can("users", auth.Create)}
	for _, usr := range list {
		row := userRow{User: usr, OrgName: orgs[usr.OrgID]}
		for _, name := range usr.Roles {
			row.RoleTitles = append(row.RoleTitles, v.roleView(roles[name]).Title)
		}
		page.Rows = append(page.Rows, row)
	}
	if len(list) > 0 {
		page.From, page.To = offset+1, offset+len(list)
	}
	page.Pager = offsetPager(offset, limit, total, func(off int) string {
		return usersURL(off, limit)
	})
	web.NoteDetail(r, "listed "+strconv.Itoa(len(list))+" of "+strconv.Itoa(total))
	if id, err := strconv.ParseInt(q.Get("created"), 10, 64); err == nil && id > 0 {
		page.Created = u.createdUsername(ctx, p, id)
	}
	v.Title, v.Data = v.T("users.title"), page
	return u.render(w, http.StatusOK, "users", v)
}

// createdUsername names the user a create just made, for the flash
// message, when the principal may see that user ("" otherwise).
func (u *UI) createdUsername(ctx context.Context, p *auth.Principal, id int64) string {
	rec, err := u.db.Accounts().UserRecord(ctx, id)
	if err != nil || !p.Allows("users", auth.Read, rec) {
		return ""
	}
	usr, err := u.db.Accounts().User(ctx, id)
	if err != nil {
		return ""
	}
	return usr.Username
}

func usersURL(offset, limit int) string {
	q := url.Values{}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	if limit != usersDefaultLimit {
		q.Set("limit", strconv.Itoa(limit))
	}
	if len(q) == 0 {
		return "/admin/users"
	}
	return "/admin/users?" + q.Encode()
}

// orgNames maps organisation ids to names.
func (u *UI) orgNames(ctx context.Context) (map[int64]string, error) {
	orgs, err := u.db.Accounts().Orgs(ctx, auth.Filter{All: true})
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(orgs))
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	return names, nil
}

// ---- new user

// userFormPage is the data of the new-user template.
type userFormPage struct {
	Username, FullName, Email string
	Orgs                      []orgOption
	Roles                     []roleOption
	Form                      *form
	MinUsername, MaxUsername  int
	MinPassword               int
}

type orgOption struct {
	ID       int64
	Name     string
	Selected bool
}

type roleOption struct {
	roleView
	Checked bool
}

// userForm holds what the principal may choose: the organisations they
// may add users to (their own unless their scope is all) and the roles
// they may grant (none allowing more than they may do).
type userForm struct {
	orgs  []auth.Org
	roles []auth.Role // grantable
	all   map[string]auth.Role
}

func (u *UI) userFormChoices(ctx context.Context, p *auth.Principal) (userForm, error) {
	var c userForm
	orgs, err := u.db.Accounts().Orgs(ctx, auth.Filter{All: true})
	if err != nil {
		return c, err
	}
	for _, o := range orgs {
		if p.Allows("users", auth.Create, auth.Record{OrgID: o.ID, OwnerID: -1}) {
			c.orgs = append(c.orgs, o)
		}
	}
	if len(c.orgs) == 0 {
		return c, derrors.Kindf(derrors.Forbidden, "you may not create users in any organisation")
	}
	if c.all, err = u.db.Accounts().Roles(ctx); err != nil {
		return c, err
	}
	for _, role := range assignableRoles(c.all) {
		if p.CanGrant(role) {
			c.roles = append(c.roles, role)
		}
	}
	return c, nil
}

func (c userForm) page(v *view, orgID int64, roles []string) userFormPage {
	page := userFormPage{MinUsername: auth.MinUsernameLength, MaxUsername: auth.MaxUsernameLength,
		MinPassword: auth.MinPasswordLength}
	for _, o := range c.orgs {
		page.Orgs = append(page.Orgs, orgOption{ID: o.ID, Name: o.Name, Selected: o.ID == orgID})
	}
	for _, role := range c.roles {
		page.Roles = append(page.Roles, roleOption{roleView: v.roleView(role), Checked: slices.Contains(roles, role.Name)})
	}
	return page
}

// newUser shows the form to create a user.
func (u *UI) newUser(w http.ResponseWriter, r *http.Request, v *view) error {
	p := web.PrincipalFrom(r.Context())
	c, err := u.userFormChoices(r.Context(), p)
	if err != nil {
		return err
	}
	page := c.page(v, p.OrgID, nil)
	page.Form = &form{}
	return u.renderUserForm(w, v, http.StatusOK, page)
}

func (u *UI) renderUserForm(w http.ResponseWriter, v *view, status int, page userFormPage) error {
	v.Title, v.Data = v.T("userNew.title"), page
	v.Languages = u.languageLinksTo("/admin/users/new", nil, v.Lang)
	return u.render(w, status, "user_new", v)
}

// userFields maps the field names of the store's errors to the form's.
var userFields = map[string]string{"username": "username", "fullName": "full_name", "email": "email",
	"orgId": "org", "roles": "roles", "password": "password"}

// userFieldIDs are the form controls' ids (the error summary links there).
var userFieldIDs = map[string]string{"username": "user-username", "full_name": "user-full-name", "email": "user-email",
	"org": "user-org", "roles": "user-roles", "password": "user-password"}

// userFieldLabels are the message ids of the fields' labels.
var userFieldLabels = map[string]string{"username": "userNew.username", "full_name": "userNew.fullName",
	"email": "userNew.email", "org": "userNew.org", "roles": "userNew.roles", "password": "userNew.password"}

// createUser creates a user from the form. Every field is checked and
// every problem named; choosing an organisation or a role beyond one's
// own rights is refused (403) as the API refuses it.
func (u *UI) createUser(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	p := web.PrincipalFrom(ctx)
	c, err := u.userFormChoices(ctx, p)
	if err != nil {
		return err
	}
	in := r.PostForm
	usr := auth.User{
		Username: auth.NormalizeUsername(in.Get("username")),
		FullName: strings.TrimSpace(in.Get("full_name")),
		Email:    strings.TrimSpace(in.Get("email")),
		Roles:    in["roles"],
	}
	password := in.Get("password")
	f := &form{}
	status := http.StatusBadRequest
	bad := func(field, reasonID string, kv ...any) {
		f.add(v, field, userFieldIDs[field], userFieldLabels[field], reasonID, kv...)
	}

	switch n := len(usr.Username); {
	case n == 0:
		bad("username", "form.reason.required")
	case n < auth.MinUsernameLength || n > auth.MaxUsernameLength:
		bad("username", "form.reason.usernameLength", "Min", auth.MinUsernameLength, "Max", auth.MaxUsernameLength)
	case auth.ValidateUsername(usr.Username) != nil:
		bad("username", "form.reason.usernameChars")
	default:
		if _, err := u.db.Accounts().UserID(ctx, usr.Username); err == nil {
			bad("username", "form.reason.usernameTaken")
		} else if !errors.Is(err, derrors.NotFound) {
			return err
		}
	}
	if reason, kv := checkText(usr.FullName, true, auth.MaxDisplayNameBytes); reason != "" {
		bad("full_name", reason, kv...)
	}
	if usr.Email != "" && (len(usr.Email) > 254 || !strings.Contains(usr.Email, "@") ||
		strings.ContainsAny(usr.Email, " \t\r\n<>") || strings.HasPrefix(usr.Email, "@") || strings.HasSuffix(usr.Email, "@")) {
		bad("email", "form.reason.email")
	}
	orgID, err := strconv.ParseInt(strings.TrimSpace(in.Get("org")), 10, 64)
	switch {
	case strings.TrimSpace(in.Get("org")) == "":
		bad("org", "form.reason.required")
	case err != nil || !slices.ContainsFunc(c.orgs, func(o auth.Org) bool { return o.ID == orgID }):
		status = http.StatusForbidden
		bad("org", "form.reason.org")
	}
	usr.OrgID = orgID
	for _, name := range usr.Roles {
		role, ok := c.all[name]
		switch {
		case !ok || name == auth.RolePublic || name == auth.RoleSignedIn:
			bad("roles", "form.reason.roleUnknown", "Value", name)
		case !p.CanGrant(role):
			status = http.StatusForbidden
			bad("roles", "form.reason.roleEscalation", "Value", v.roleView(role).Title)
		}
	}
	if reason, kv := checkNewPassword(password, usr.Username); reason != "" {
		bad("password", reason, kv...)
	}

	if f.OK() {
		err = u.db.InTx(ctx, func(tx *store.Tx) (err error) {
			usr, err = u.db.Accounts().CreateUser(ctx, tx, usr, password)
			return err
		})
		switch {
		case err == nil:
			web.NoteRecord(r, strconv.FormatInt(usr.ID, 10))
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, "/admin/users?created="+strconv.FormatInt(usr.ID, 10), http.StatusSeeOther)
			return nil
		case errors.Is(err, derrors.Conflict):
			bad("username", "form.reason.usernameTaken")
		case errors.Is(err, derrors.Invalid):
			field, reason, ok := storeFieldError(err, userFields)
			if !ok {
				return err
			}
			f.addText(v, field, userFieldIDs[field], userFieldLabels[field], reason)
		default:
			return err
		}
	}
	page := c.page(v, orgID, usr.Roles)
	page.Username, page.FullName, page.Email, page.Form = in.Get("username"), in.Get("full_name"), in.Get("email"), f
	return u.renderUserForm(w, v, status, page)
}

// ---- roles

// rolesPage is the data of the roles template: every role, and the
// matrix of the resource:action pairs any role grants × roles, with the
// scope in each cell.
type rolesPage struct {
	Roles   []roleView
	Groups  []matrixGroup // one per resource any role grants something on
	Columns int           // the table's columns: the permission and each role
	// CanCreate shows the new-role form; New and Form are what it shows.
	CanCreate bool
	New       newRoleForm
	Form      *form
	Deleted   string // the name of the role just deleted (the flash)
}

// matrixGroup is the rows of one resource.
type matrixGroup struct {
	Resource, ResourceLabel string
	Rows                    []matrixRow
}

type matrixRow struct {
	Permission permissionView
	Cells      []matrixCell
}

type matrixCell struct {
	Scope, Label string // "" when the role does not grant it
}

func (u *UI) roles(w http.ResponseWriter, r *http.Request, v *view) error {
	page, err := u.rolesData(r, v)
	if err != nil {
		return err
	}
	page.Form = &form{}
	if name := r.URL.Query().Get("deleted"); name != "" && auth.ValidateRoleName(name) == nil && !slices.ContainsFunc(page.Roles,
		func(rv roleView) bool { return rv.Name == name }) {
		page.Deleted = name
	}
	return u.renderRoles(w, v, http.StatusOK, page)
}

func (u *UI) renderRoles(w http.ResponseWriter, v *view, status int, page rolesPage) error {
	v.Title, v.Data = v.T("roles.title"), page
	v.Languages = u.languageLinksTo("/admin/roles", nil, v.Lang)
	return u.render(w, status, "roles", v)
}

// rolesData is the roles page: every role and the permission matrix.
func (u *UI) rolesData(r *http.Request, v *view) (rolesPage, error) {
	all, err := u.db.Accounts().Roles(r.Context())
	if err != nil {
		return rolesPage{}, err
	}
	roles := make([]auth.Role, 0, len(all))
	for _, role := range all {
		roles = append(roles, role)
	}
	sortRoles(roles)
	grants := make([]map[[2]string]auth.Scope, len(roles))
	page := rolesPage{CanCreate: web.PrincipalFrom(r.Context()).Can("roles", auth.Create), New: newRoleLimits()}
	for i, role := range roles {
		page.Roles = append(page.Roles, v.roleView(role))
		grants[i] = map[[2]string]auth.Scope{}
		for _, perm := range role.Permissions {
			grants[i][[2]string{perm.Resource, perm.Action}] = perm.Scope
		}
	}
	page.Columns = len(roles) + 1
	for _, res := range auth.Resources {
		group := matrixGroup{Resource: res.Name, ResourceLabel: v.label("resource", res.Name, res.Name)}
		for _, act := range auth.Actions {
			k := [2]string{res.Name, act}
			row := matrixRow{Permission: v.permissionView(auth.Permission{Resource: res.Name, Action: act})}
			granted := false
			for i := range roles {
				s := grants[i][k]
				if s > auth.ScopeNone {
					granted = true
					row.Cells = append(row.Cells, matrixCell{Scope: s.String(), Label: v.scopeLabel(s)})
				} else {
					row.Cells = append(row.Cells, matrixCell{})
				}
			}
			if granted {
				group.Rows = append(group.Rows, row)
			}
		}
		if len(group.Rows) > 0 {
			page.Groups = append(page.Groups, group)
		}
	}
	return page, nil
}

// ---- pagination by offset

// offsetPager links the pages of an offset listing; link builds the URL
// of the page at an offset.
func offsetPager(offset, limit, total int, link func(offset int) string) pager {
	p := pager{Page: offset/limit + 1, Pages: (total + limit - 1) / limit}
	if p.Pages <= 1 && offset == 0 {
		return pager{}
	}
	lastOffset := max(0, (p.Pages-1)*limit)
	if offset > 0 {
		p.First = link(0)
		p.Previous = link(max(0, min(offset-limit, lastOffset)))
	}
	if offset+limit < total {
		p.Next = link(offset + limit)
		p.Last = link(lastOffset)
	}
	return p
}
