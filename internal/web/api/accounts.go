package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

func (a *API) registerAccounts(r *web.Router) {
	h := func(method, pattern, resource, action, summary string, fn http.HandlerFunc) {
		r.Handle(web.Route{Method: method, Pattern: pattern, Resource: resource, Action: action, Summary: summary, Handler: fn})
	}
	r.Handle(web.Route{Method: "POST", Pattern: "/api/v1/session", Resource: "session", Action: web.ActionCreate, CSRFExempt: true,
		Summary: "Sign in", Handler: http.HandlerFunc(a.createSession)})
	h("GET", "/api/v1/session", "session", web.ActionRead, "The current session", a.getSession)
	h("DELETE", "/api/v1/session", "session", web.ActionDelete, "Sign out", a.deleteSession)
	h("GET", "/api/v1/account", "account", web.ActionRead, "One's own account", a.getAccount)
	h("PUT", "/api/v1/account/password", "account", web.ActionUpdate, "Change one's own password", a.changePassword)

	h("GET", "/api/v1/users", "users", web.ActionRead, "List users", a.listUsers)
	h("POST", "/api/v1/users", "users", web.ActionCreate, "Create a user", a.createUser)
	h("GET", "/api/v1/users/{id}", "users", web.ActionRead, "One user", a.getUser)
	h("PUT", "/api/v1/users/{id}", "users", web.ActionUpdate, "Change a user (name, e-mail, roles, teams, disabled)", a.updateUser)

	h("GET", "/api/v1/orgs", "orgs", web.ActionRead, "List organisations", a.listOrgs)
	h("POST", "/api/v1/orgs", "orgs", web.ActionCreate, "Create an organisation", a.createOrg)
	h("GET", "/api/v1/orgs/{id}/teams", "teams", web.ActionRead, "Teams of an organisation", a.listTeams)
	h("POST", "/api/v1/orgs/{id}/teams", "teams", web.ActionCreate, "Create a team", a.createTeam)

	h("GET", "/api/v1/roles", "roles", web.ActionRead, "Roles and their permissions", a.listRoles)
	h("POST", "/api/v1/roles", "roles", web.ActionCreate, "Create a role (grants nothing until given permissions)", a.createRole)
	h("PUT", "/api/v1/roles/{name}", "roles", web.ActionUpdate, "Replace a role's permissions", a.updateRole)
	h("DELETE", "/api/v1/roles/{name}", "roles", web.ActionDelete, "Delete a role that is not built in", a.deleteRole)

	h("GET", "/api/v1/tokens", "tokens", web.ActionRead, "List API tokens", a.listTokens)
	h("POST", "/api/v1/tokens", "tokens", web.ActionCreate, "Create an API token (the secret is shown once)", a.createToken)
	h("DELETE", "/api/v1/tokens/{id}", "tokens", web.ActionDelete, "Revoke an API token", a.revokeToken)

	h("GET", "/api/v1/audit", "audit", web.ActionRead, "The audit trail", a.listAudit)
	h("GET", "/api/v1/audit/export", "audit", web.ActionExport, "The audit trail as CSV", a.exportAudit)
	h("GET", "/api/v1/audit/verify", "audit", web.ActionRead, "Verify the audit hash chain", a.verifyAudit)

	h("GET", "/api/v1/people", "people", web.ActionRead, "List personal records within one's record scope", a.listPeople)
	h("POST", "/api/v1/people", "people", web.ActionCreate, "Register a person", a.createPerson)
	h("GET", "/api/v1/people/{id}", "people", web.ActionRead, "One personal record", a.getPerson)
	h("PUT", "/api/v1/people/{id}", "people", web.ActionUpdate, "Change a personal record (optimistic concurrency on version)", a.updatePerson)
}

// pathID reads the {id} path parameter.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, &web.ParamError{Param: "id", Reason: "must be a positive whole number"}
	}
	return id, nil
}

// allowRecord enforces the record scope of one record: out of scope is
// reported as not found, so that record ids cannot be probed.
func allowRecord(r *http.Request, resource, action string, rec auth.Record, what string) error {
	if !web.PrincipalFrom(r.Context()).Allows(resource, action, rec) {
		return derrors.Kindf(derrors.NotFound, "no %s %s", what, r.PathValue("id"))
	}
	return nil
}

func (a *API) inTx(ctx context.Context, fn func(*store.Tx) error) error { return a.db.InTx(ctx, fn) }

// ---- account

func (a *API) getAccount(w http.ResponseWriter, r *http.Request) {
	u, err := a.db.Accounts().User(r.Context(), web.PrincipalFrom(r.Context()).UserID)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, u)
}

// PasswordChange is the body of PUT /api/v1/account/password.
type PasswordChange struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

func (a *API) changePassword(w http.ResponseWriter, r *http.Request) {
	var req PasswordChange
	if err := decodeJSON(r, &req); err != nil {
		a.problem(w, r, err)
		return
	}
	p := web.PrincipalFrom(r.Context())
	cred, err := a.db.Accounts().CredentialsFor(r.Context(), p.Username)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	if !auth.VerifyPassword(req.CurrentPassword, cred.PasswordHash) {
		a.problem(w, r, &web.ParamError{Param: "currentPassword", Reason: "is wrong"})
		return
	}
	err = a.inTx(r.Context(), func(tx *store.Tx) error {
		return a.db.Accounts().SetPassword(r.Context(), tx, p.UserID, req.NewPassword, web.IdentityFrom(r.Context()).Session)
	})
	if err != nil {
		a.problem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ---- users

// UserRequest is the body of POST and PUT /api/v1/users.
type UserRequest struct {
	Username string   `json:"username"`
	FullName string   `json:"fullName"`
	Email    string   `json:"email"`
	OrgID    int64    `json:"orgId"`
	TeamIDs  []int64  `json:"teamIds"`
	Roles    []string `json:"roles"`
	Disabled bool     `json:"disabled"`
	Password string   `json:"password,omitempty"`
}

// UserList is a page of users.
type UserList struct {
	Items  []auth.User `json:"items"`
	Total  int         `json:"total"`
	Limit  int         `json:"limit"`
	Offset int         `json:"offset"`
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	limit, offset := q.intRange("limit", 50, 1, 500), q.intRange("offset", 0, 0, 1_000_000)
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	f := web.PrincipalFrom(r.Context()).FilterFor("users", auth.Read)
	users, total, err := a.db.Accounts().Users(r.Context(), f, limit, offset)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = strconv.FormatInt(u.ID, 10)
	}
	web.NoteRecords(r, ids)
	web.WriteJSON(w, http.StatusOK, UserList{Items: users, Total: total, Limit: limit, Offset: offset})
}

// checkGrants refuses roles the acting user could not hold themselves.
func (a *API) checkGrants(ctx context.Context, p *auth.Principal, names []string) error {
	roles, err := a.db.Accounts().Roles(ctx)
	if err != nil {
		return err
	}
	for _, n := range names {
		role, ok := roles[n]
		if !ok {
			return &web.ParamError{Param: "roles", Reason: "no role " + strconv.Quote(n)}
		}
		if !p.CanGrant(role) {
			return derrors.Kindf(derrors.Forbidden, "roles: you cannot grant %q, which allows more than you may do", n)
		}
	}
	return nil
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) {
	var req UserRequest
	if err := decodeJSON(r, &req); err != nil {
		a.problem(w, r, err)
		return
	}
	p := web.PrincipalFrom(r.Context())
	if req.OrgID == 0 {
		req.OrgID = p.OrgID
	}
	if !p.Allows("users", auth.Create, auth.Record{OrgID: req.OrgID, OwnerID: -1}) {
		a.problem(w, r, derrors.Kindf(derrors.Forbidden, "orgId: you may create users only in your own organisation"))
		return
	}
	if err := a.checkGrants(r.Context(), p, req.Roles); err != nil {
		a.problem(w, r, err)
		return
	}
	u := auth.User{Username: req.Username, FullName: req.FullName, Email: req.Email, OrgID: req.OrgID,
		TeamIDs: req.TeamIDs, Roles: req.Roles, Disabled: req.Disabled}
	err := a.inTx(r.Context(), func(tx *store.Tx) (err error) {
		u, err = a.db.Accounts().CreateUser(r.Context(), tx, u, req.Password)
		return err
	})
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.NoteRecord(r, strconv.FormatInt(u.ID, 10))
	u, err = a.db.Accounts().User(r.Context(), u.ID)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, u)
}

func (a *API) userInScope(r *http.Request, action string) (int64, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, err
	}
	rec, err := a.db.Accounts().UserRecord(r.Context(), id)
	if err != nil {
		return 0, err
	}
	p := web.PrincipalFrom(r.Context())
	// Team scope over users: the user is in one of the principal's teams.
	u := auth.User{ID: id}
	if p.Scope("users", action) == auth.ScopeTeam {
		full, err := a.db.Accounts().User(r.Context(), id)
		if err != nil {
			return 0, err
		}
		u = full
		for _, t := range u.TeamIDs {
			if p.Allows("users", action, auth.Record{OwnerID: id, TeamID: t, OrgID: rec.OrgID}) {
				return id, nil
			}
		}
	}
	return id, allowRecord(r, "users", action, rec, "user")
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request) {
	id, err := a.userInScope(r, auth.Read)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	u, err := a.db.Accounts().User(r.Context(), id)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, u)
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request) {
	id, err := a.userInScope(r, auth.Update)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	var req UserRequest
	if err := decodeJSON(r, &req); err != nil {
		a.problem(w, r, err)
		return
	}
	if req.Password != "" || req.Username != "" || req.OrgID != 0 {
		a.problem(w, r, &web.ParamError{Param: "body", Reason: "username, orgId and password cannot be changed here"})
		return
	}
	p := web.PrincipalFrom(r.Context())
	cur, err := a.db.Accounts().User(r.Context(), id)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	// Roles added and roles removed must both be ones p may grant: no one
	// strips a role more powerful than their own.
	if err := a.checkGrants(r.Context(), p, symmetricDifference(cur.Roles, req.Roles)); err != nil {
		a.problem(w, r, err)
		return
	}
	if id == p.UserID {
		if cur, err := a.db.Accounts().User(r.Context(), id); err == nil && !sameSet(cur.Roles, req.Roles) {
			a.problem(w, r, derrors.Kindf(derrors.Forbidden, "roles: you cannot change your own roles"))
			return
		}
	}
	if id == p.UserID && req.Disabled {
		a.problem(w, r, &web.ParamError{Param: "disabled", Reason: "you cannot disable your own account"})
		return
	}
	u := auth.User{ID: id, FullName: req.FullName, Email: req.Email, TeamIDs: req.TeamIDs, Roles: req.Roles, Disabled: req.Disabled}
	if err := a.inTx(r.Context(), func(tx *store.Tx) error { return a.db.Accounts().UpdateUser(r.Context(), tx, u) }); err != nil {
		a.problem(w, r, err)
		return
	}
	out, err := a.db.Accounts().User(r.Context(), id)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, out)
}

// ---- organisations and teams

func (a *API) listOrgs(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).done(); err != nil {
		a.problem(w, r, err)
		return
	}
	orgs, err := a.db.Accounts().Orgs(r.Context(), web.PrincipalFrom(r.Context()).FilterFor("orgs", auth.Read))
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": orgs})
}

func (a *API) createOrg(w http.ResponseWriter, r *http.Request) {
	var o auth.Org
	if err := decodeJSON(r, &o); err != nil {
		a.problem(w, r, err)
		return
	}
	if o.ID != 0 {
		a.problem(w, r, &web.ParamError{Param: "id", Reason: "is assigned by the server"})
		return
	}
	if o.Country != "" {
		if _, err := a.geo.Area(r.Context(), o.Country); err != nil {
			a.problem(w, r, &web.ParamError{Param: "country", Reason: "no country " + strconv.Quote(o.Country)})
			return
		}
	}
	err := a.inTx(r.Context(), func(tx *store.Tx) (err error) {
		o, err = a.db.Accounts().CreateOrg(r.Context(), tx, o)
		return err
	})
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.NoteRecord(r, strconv.FormatInt(o.ID, 10))
	web.WriteJSON(w, http.StatusCreated, o)
}

func (a *API) orgInScope(r *http.Request, resource, action string) (int64, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, err
	}
	if _, err := a.db.Accounts().Org(r.Context(), id); err != nil {
		return 0, err
	}
	return id, allowRecord(r, resource, action, auth.Record{OrgID: id}, "organisation")
}

func (a *API) listTeams(w http.ResponseWriter, r *http.Request) {
	id, err := a.orgInScope(r, "teams", auth.Read)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	teams, err := a.db.Accounts().Teams(r.Context(), id)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": teams})
}

func (a *API) createTeam(w http.ResponseWriter, r *http.Request) {
	id, err := a.orgInScope(r, "teams", auth.Create)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	var t auth.Team
	if err := decodeJSON(r, &t); err != nil {
		a.problem(w, r, err)
		return
	}
	t.OrgID = id
	err = a.inTx(r.Context(), func(tx *store.Tx) (err error) {
		t, err = a.db.Accounts().CreateTeam(r.Context(), tx, t)
		return err
	})
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, t)
}

// ---- roles

func (a *API) listRoles(w http.ResponseWriter, r *http.Request) {
	roles, err := a.db.Accounts().Roles(r.Context())
	if err != nil {
		a.problem(w, r, err)
		return
	}
	out := make([]auth.Role, 0, len(roles))
	for _, role := range roles {
		out = append(out, role)
	}
	sortRoles(out)
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": out})
}

func (a *API) createRole(w http.ResponseWriter, r *http.Request) {
	var role auth.Role
	if err := decodeJSON(r, &role); err != nil {
		a.problem(w, r, err)
		return
	}
	if !web.PrincipalFrom(r.Context()).CanGrant(role) {
		a.problem(w, r, derrors.Kindf(derrors.Forbidden, "permissions: a role cannot allow more than you may do"))
		return
	}
	err := a.inTx(r.Context(), func(tx *store.Tx) (err error) {
		role, err = a.db.Accounts().CreateRole(r.Context(), tx, role)
		return err
	})
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.NoteRecord(r, role.Name)
	web.WriteJSON(w, http.StatusCreated, role)
}

// RolePermissions is the body of PUT /api/v1/roles/{name}.
type RolePermissions struct {
	Permissions []auth.Permission `json:"permissions"`
}

func (a *API) updateRole(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	web.NoteRecord(r, name)
	var req RolePermissions
	if err := decodeJSON(r, &req); err != nil {
		a.problem(w, r, err)
		return
	}
	if !web.PrincipalFrom(r.Context()).CanGrant(auth.Role{Permissions: req.Permissions}) {
		a.problem(w, r, derrors.Kindf(derrors.Forbidden, "permissions: a role cannot allow more than you may do"))
		return
	}
	if err := a.mayChangeRole(r, name); err != nil {
		a.problem(w, r, err)
		return
	}
	err := a.inTx(r.Context(), func(tx *store.Tx) error {
		return a.db.Accounts().SetRolePermissions(r.Context(), tx, name, req.Permissions)
	})
	if err != nil {
		a.problem(w, r, err)
		return
	}
	roles, err := a.db.Accounts().Roles(r.Context())
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, roles[name])
}

// mayChangeRole refuses changing or deleting a role that allows more than
// the principal may grant (emptying an administrator role is an attack).
func (a *API) mayChangeRole(r *http.Request, name string) error {
	roles, err := a.db.Accounts().Roles(r.Context())
	if err != nil {
		return err
	}
	role, ok := roles[name]
	if !ok {
		return derrors.Kindf(derrors.NotFound, "no role %q", name)
	}
	if !web.PrincipalFrom(r.Context()).CanGrant(role) {
		return derrors.Kindf(derrors.Forbidden, "role %s allows more than you may grant; you cannot change it", name)
	}
	return nil
}

func (a *API) deleteRole(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	web.NoteRecord(r, name)
	if err := a.mayChangeRole(r, name); err != nil {
		a.problem(w, r, err)
		return
	}
	if err := a.inTx(r.Context(), func(tx *store.Tx) error { return a.db.Accounts().DeleteRole(r.Context(), tx, name) }); err != nil {
		a.problem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ---- API tokens

// TokenRequest is the body of POST /api/v1/tokens. ExpiresAt is optional:
// without it the token expires after auth.DefaultTokenLifetime (90 days);
// with it, it must be in the future and at most 366 days ahead.
type TokenRequest struct {
	Name        string            `json:"name"`
	ExpiresAt   time.Time         `json:"expiresAt,omitzero"`
	Permissions []auth.Permission `json:"permissions"`
}

// NewToken is a created token with its secret, shown only this once.
type NewToken struct {
	store.Token
	Secret string `json:"secret"`
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) {
	toks, err := a.db.Sessions().Tokens(r.Context(), web.PrincipalFrom(r.Context()).FilterFor("tokens", auth.Read))
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": toks})
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) {
	var req TokenRequest
	if err := decodeJSON(r, &req); err != nil {
		a.problem(w, r, err)
		return
	}
	p := web.PrincipalFrom(r.Context())
	if req.Permissions != nil && !p.CanGrant(auth.Role{Permissions: req.Permissions}) {
		a.problem(w, r, derrors.Kindf(derrors.Forbidden, "permissions: a token cannot allow more than you may do"))
		return
	}
	if web.IdentityFrom(r.Context()).Token {
		a.problem(w, r, derrors.Kindf(derrors.Forbidden, "API tokens cannot create API tokens; sign in"))
		return
	}
	var out NewToken
	err := a.inTx(r.Context(), func(tx *store.Tx) (err error) {
		out.Token, out.Secret, err = a.db.Sessions().CreateToken(r.Context(), tx,
			store.Token{UserID: p.UserID, Name: req.Name, ExpiresAt: auth.TokenExpiry(req.ExpiresAt, time.Now()), Permissions: req.Permissions})
		return err
	})
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.NoteRecord(r, strconv.FormatInt(out.ID, 10))
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusCreated, out)
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	t, err := a.db.Sessions().Token(r.Context(), id)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	rec, err := a.db.Accounts().UserRecord(r.Context(), t.UserID)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	if err := allowRecord(r, "tokens", auth.Delete, rec, "API token"); err != nil {
		a.problem(w, r, err)
		return
	}
	if err := a.inTx(r.Context(), func(tx *store.Tx) error { return a.db.Sessions().RevokeToken(r.Context(), tx, id) }); err != nil {
		a.problem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		if seen[x] == 0 {
			return false
		}
		seen[x]--
	}
	return true
}

// symmetricDifference lists the names in exactly one of a and b.
func symmetricDifference(a, b []string) []string {
	in := map[string]int{}
	for _, x := range a {
		in[x] |= 1
	}
	for _, x := range b {
		in[x] |= 2
	}
	var out []string
	for x, v := range in {
		if v != 3 {
			out = append(out, x)
		}
	}
	return out
}
