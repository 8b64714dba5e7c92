package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// Accounts stores organisations, teams, users and roles.
type Accounts struct{ db *DB }

// Accounts returns the account store.
func (db *DB) Accounts() *Accounts { return &Accounts{db: db} }

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// ---- organisations and teams

// CreateOrg adds an organisation. A duplicate name wraps derrors.Conflict.
func (a *Accounts) CreateOrg(ctx context.Context, tx *Tx, o auth.Org) (_ auth.Org, err error) {
	defer derrors.Wrap(&err, "store.CreateOrg")
	if err := o.Validate(); err != nil {
		return o, err
	}
	err = tx.QueryRow(ctx, `INSERT INTO orgs (name, kind, country, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		strings.TrimSpace(o.Name), o.Kind, o.Country, now()).Scan(&o.ID)
	if err = classify(err); err != nil {
		return o, fmt.Errorf("name: an organisation named %q exists: %w", o.Name, err)
	}
	return o, nil
}

// Org returns one organisation (derrors.NotFound if absent).
func (a *Accounts) Org(ctx context.Context, id int64) (auth.Org, error) {
	var o auth.Org
	err := a.db.queryRow(ctx, `SELECT id, name, kind, country FROM orgs WHERE id = ?`, id).Scan(&o.ID, &o.Name, &o.Kind, &o.Country)
	if err == sql.ErrNoRows {
		return o, derrors.Kindf(derrors.NotFound, "no organisation %d", id)
	}
	return o, classify(err)
}

// OrgByName returns an organisation by exact name.
func (a *Accounts) OrgByName(ctx context.Context, name string) (auth.Org, error) {
	var o auth.Org
	err := a.db.queryRow(ctx, `SELECT id, name, kind, country FROM orgs WHERE name = ?`, name).Scan(&o.ID, &o.Name, &o.Kind, &o.Country)
	if err == sql.ErrNoRows {
		return o, derrors.Kindf(derrors.NotFound, "no organisation named %q", name)
	}
	return o, classify(err)
}

// Orgs lists organisations within a scope filter (org scope: one's own).
func (a *Accounts) Orgs(ctx context.Context, f auth.Filter) ([]auth.Org, error) {
	cond, args := scopeSQL(f, scopeColumns{org: "id", owner: "0", team: "1 = 0 AND 0 IN (%s)"})
	if !f.All && f.OrgID == 0 && !f.None { // own/team scope on orgs means one's own organisation
		cond, args = "1 = 0", nil
	}
	rows, err := a.db.query(ctx, `SELECT id, name, kind, country FROM orgs WHERE `+cond+` ORDER BY name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []auth.Org{}
	for rows.Next() {
		var o auth.Org
		if err := rows.Scan(&o.ID, &o.Name, &o.Kind, &o.Country); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// CreateTeam adds a team to an organisation.
func (a *Accounts) CreateTeam(ctx context.Context, tx *Tx, t auth.Team) (_ auth.Team, err error) {
	defer derrors.Wrap(&err, "store.CreateTeam")
	if err := t.Validate(); err != nil {
		return t, err
	}
	err = tx.QueryRow(ctx, `INSERT INTO teams (org_id, name) VALUES (?, ?) RETURNING id`, t.OrgID, strings.TrimSpace(t.Name)).Scan(&t.ID)
	return t, classify(err)
}

// Teams lists the teams of an organisation (0: all).
func (a *Accounts) Teams(ctx context.Context, orgID int64) ([]auth.Team, error) {
	q, args := `SELECT id, org_id, name FROM teams ORDER BY org_id, name`, []any{}
	if orgID != 0 {
		q, args = `SELECT id, org_id, name FROM teams WHERE org_id = ? ORDER BY name`, []any{orgID}
	}
	rows, err := a.db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []auth.Team{}
	for rows.Next() {
		var t auth.Team
		if err := rows.Scan(&t.ID, &t.OrgID, &t.Name); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ---- roles

type rolesCache struct {
	mu      sync.Mutex
	version int64
	roles   map[string]auth.Role
	// public is the principal of the public role's grants, built once per
	// roles version: every signed-out request asks for it.
	public *auth.Principal
}

// bumpVersion marks cached data of a kind as changed, inside tx.
func bumpVersion(ctx context.Context, tx *Tx, name string) error {
	_, err := tx.Exec(ctx, `UPDATE cache_versions SET version = version + 1 WHERE name = ?`, name)
	return classify(err)
}

// EnsureBuiltinRoles creates the built-in roles that do not exist yet. It
// never changes a role that exists: administrators own them afterwards.
//
// A role that exists keeps its permissions (an administrator may have
// changed them), except that the grants on resources added to the
// catalogue since the database last ran this are added (e.g. "cases" for
// a database made before case management existed); the setting
// builtin_role_resources remembers which resources those were.
func (a *Accounts) EnsureBuiltinRoles(ctx context.Context) error {
	return a.db.InTx(ctx, func(tx *Tx) error {
		recorded, err := a.recordedRoleResources(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range auth.BuiltinRoles() {
			var id int64
			err := tx.QueryRow(ctx, `SELECT id FROM roles WHERE name = ?`, r.Name).Scan(&id)
			if noRowsErr(err) {
				r.Builtin = true
				if _, err := a.createRole(ctx, tx, r); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return classify(err)
			}
			known := recorded
			if known == nil {
				if known, err = roleResources(ctx, tx, id); err != nil {
					return err
				}
			}
			var added []auth.Permission
			for _, p := range r.Permissions {
				if known[p.Resource] {
					continue
				}
				var n int // an administrator may have granted it already
				if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM role_permissions WHERE role_id = ? AND resource = ? AND action = ?`,
					id, p.Resource, p.Action).Scan(&n); err != nil {
					return classify(err)
				}
				if n == 0 {
					added = append(added, p)
				}
			}
			if err := a.setPermissions(ctx, tx, id, added); err != nil {
				return err
			}
		}
		var names []string
		for _, r := range auth.Resources {
			names = append(names, r.Name)
		}
		_, err = tx.Exec(ctx, `INSERT INTO settings (name, value) VALUES ('builtin_role_resources', ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, strings.Join(names, ","))
		return classify(err)
	})
}

// recordedRoleResources are the resources whose built-in grants the
// database already has, as EnsureBuiltinRoles recorded them; nil in a
// database made before the record was kept, where each role's own
// resources (roleResources) stand in.
func (a *Accounts) recordedRoleResources(ctx context.Context, tx *Tx) (map[string]bool, error) {
	var list string
	err := tx.QueryRow(ctx, `SELECT value FROM settings WHERE name = 'builtin_role_resources'`).Scan(&list)
	if noRowsErr(err) {
		return nil, nil
	}
	if err != nil {
		return nil, classify(err)
	}
	known := map[string]bool{}
	for _, r := range strings.Split(list, ",") {
		known[r] = true
	}
	return known, nil
}

// roleResources are the resources a role has any permission on.
func roleResources(ctx context.Context, tx *Tx, roleID int64) (map[string]bool, error) {
	known := map[string]bool{}
	rows, err := tx.Query(ctx, `SELECT DISTINCT resource FROM role_permissions WHERE role_id = ?`, roleID)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		known[r] = true
	}
	return known, rows.Err()
}

// CreateRole adds a role. New roles grant nothing unless permissions are
// given.
func (a *Accounts) CreateRole(ctx context.Context, tx *Tx, r auth.Role) (auth.Role, error) {
	r.Builtin = false
	return a.createRole(ctx, tx, r)
}

func (a *Accounts) createRole(ctx context.Context, tx *Tx, r auth.Role) (_ auth.Role, err error) {
	defer derrors.Wrap(&err, "store.CreateRole(%q)", r.Name)
	if err := auth.ValidateRoleName(r.Name); err != nil {
		return r, err
	}
	if strings.TrimSpace(r.Title) == "" {
		r.Title = r.Name
	}
	err = tx.QueryRow(ctx, `INSERT INTO roles (name, title, description, builtin) VALUES (?, ?, ?, ?) RETURNING id`,
		r.Name, r.Title, r.Description, r.Builtin).Scan(&r.ID)
	if err = classify(err); err != nil {
		return r, err
	}
	if err := a.setPermissions(ctx, tx, r.ID, r.Permissions); err != nil {
		return r, err
	}
	return r, bumpVersion(ctx, tx, "roles")
}

// SetRolePermissions replaces a role's permissions.
func (a *Accounts) SetRolePermissions(ctx context.Context, tx *Tx, name string, perms []auth.Permission) (err error) {
	defer derrors.Wrap(&err, "store.SetRolePermissions(%q)", name)
	var id int64
	if err := tx.QueryRow(ctx, `SELECT id FROM roles WHERE name = ?`, name).Scan(&id); err == sql.ErrNoRows {
		return derrors.Kindf(derrors.NotFound, "no role %q", name)
	} else if err != nil {
		return classify(err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM role_permissions WHERE role_id = ?`, id); err != nil {
		return classify(err)
	}
	if err := a.setPermissions(ctx, tx, id, perms); err != nil {
		return err
	}
	return bumpVersion(ctx, tx, "roles")
}

func (a *Accounts) setPermissions(ctx context.Context, tx *Tx, roleID int64, perms []auth.Permission) error {
	seen := map[[2]string]bool{}
	for i, p := range perms {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("permissions[%d]: %w", i, err)
		}
		k := [2]string{p.Resource, p.Action}
		if seen[k] {
			return derrors.Kindf(derrors.Invalid, "permissions[%d]: %s:%s is listed twice", i, p.Resource, p.Action)
		}
		seen[k] = true
		if _, err := tx.Exec(ctx, `INSERT INTO role_permissions (role_id, resource, action, scope) VALUES (?, ?, ?, ?)`,
			roleID, p.Resource, p.Action, int(p.Scope)); err != nil {
			return classify(err)
		}
	}
	return nil
}

// DeleteRole removes a role that is not built in.
func (a *Accounts) DeleteRole(ctx context.Context, tx *Tx, name string) (err error) {
	defer derrors.Wrap(&err, "store.DeleteRole(%q)", name)
	var builtin bool
	if err := tx.QueryRow(ctx, `SELECT builtin FROM roles WHERE name = ?`, name).Scan(&builtin); err == sql.ErrNoRows {
		return derrors.Kindf(derrors.NotFound, "no role %q", name)
	} else if err != nil {
		return classify(err)
	}
	if builtin {
		return derrors.Kindf(derrors.Conflict, "role %q is built in and cannot be deleted (remove its permissions instead)", name)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM roles WHERE name = ?`, name); err != nil {
		return classify(err)
	}
	return bumpVersion(ctx, tx, "roles")
}

// Roles returns every role with its permissions, from a cache validated
// against the roles version in the database on every call.
func (a *Accounts) Roles(ctx context.Context) (map[string]auth.Role, error) {
	roles, _, err := a.rolesAndPublic(ctx)
	return roles, err
}

// rolesAndPublic is Roles with the public principal of the same version.
func (a *Accounts) rolesAndPublic(ctx context.Context) (map[string]auth.Role, *auth.Principal, error) {
	v, err := a.db.versionOf(ctx, "roles", func(ctx context.Context) (v int64, err error) {
		err = classify(a.db.queryRow(ctx, `SELECT version FROM cache_versions WHERE name = 'roles'`).Scan(&v))
		return v, err
	})
	if err != nil {
		return nil, nil, err
	}
	c := &a.db.roles
	c.mu.Lock()
	if c.roles != nil && c.version == v {
		r, p := c.roles, c.public
		c.mu.Unlock()
		return r, p, nil
	}
	c.mu.Unlock()
	roles, err := a.loadRoles(ctx)
	if err != nil {
		return nil, nil, err
	}
	public := auth.NewPrincipal(0, "", 0, nil, []auth.Role{roles[auth.RolePublic]}, nil)
	c.mu.Lock()
	c.roles, c.version, c.public = roles, v, public
	c.mu.Unlock()
	return roles, public, nil
}

func (a *Accounts) loadRoles(ctx context.Context) (map[string]auth.Role, error) {
	rows, err := a.db.query(ctx, `SELECT r.id, r.name, r.title, r.description, r.builtin, p.resource, p.action, p.scope
		FROM roles r LEFT JOIN role_permissions p ON p.role_id = r.id ORDER BY r.name, p.resource, p.action`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]auth.Role{}
	for rows.Next() {
		var r auth.Role
		var res, act sql.NullString
		var scope sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Name, &r.Title, &r.Description, &r.Builtin, &res, &act, &scope); err != nil {
			return nil, err
		}
		cur, ok := out[r.Name]
		if !ok {
			cur = r
			cur.Permissions = []auth.Permission{}
		}
		if res.Valid {
			cur.Permissions = append(cur.Permissions, auth.Permission{Resource: res.String, Action: act.String, Scope: auth.Scope(scope.Int64)})
		}
		out[r.Name] = cur
	}
	return out, rows.Err()
}

// PublicPrincipal is the signed-out public: the "public" role's grants.
// It is shared by every signed-out request until the roles change: the
// caller must not modify it.
func (a *Accounts) PublicPrincipal(ctx context.Context) (*auth.Principal, error) {
	_, p, err := a.rolesAndPublic(ctx)
	return p, err
}
