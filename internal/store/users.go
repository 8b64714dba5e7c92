package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// CreateUser adds a user with a password (already validated by the
// caller's policy, hashed here). Full name and e-mail are encrypted; the
// e-mail gets a blind index.
func (a *Accounts) CreateUser(ctx context.Context, tx *Tx, u auth.User, password string) (_ auth.User, err error) {
	defer derrors.Wrap(&err, "store.CreateUser")
	u.Username = auth.NormalizeUsername(u.Username)
	if err := u.Validate(); err != nil {
		return u, err
	}
	if err := auth.ValidatePassword(password, u.Username); err != nil {
		return u, err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return u, err
	}
	if _, err := a.db.keyring(); err != nil {
		return u, err
	}
	t := now()
	err = tx.QueryRow(ctx, `INSERT INTO users (username, org_id, full_name_enc, email_enc, email_index, key_id, password_hash,
		disabled, created_at, updated_at, password_changed_at) VALUES (?, ?, '', '', '', '', ?, ?, ?, ?, ?) RETURNING id`,
		u.Username, u.OrgID, hash, u.Disabled, t, t, t).Scan(&u.ID)
	if err = classify(err); err != nil {
		if strings.Contains(err.Error(), "FOREIGN KEY") || strings.Contains(err.Error(), "foreign key") {
			return u, derrors.Kindf(derrors.Invalid, "orgId: no organisation %d", u.OrgID)
		}
		return u, fmt.Errorf("username: %q is taken: %w", u.Username, err)
	}
	if err := a.writeUserFields(ctx, tx, u); err != nil {
		return u, err
	}
	if err := a.setUserRoles(ctx, tx, u.ID, u.Roles); err != nil {
		return u, err
	}
	return u, a.setUserTeams(ctx, tx, u.ID, u.OrgID, u.TeamIDs)
}

// writeUserFields encrypts and stores the personal fields of a user.
func (a *Accounts) writeUserFields(ctx context.Context, tx *Tx, u auth.User) error {
	s, err := a.db.sealer("users", u.ID)
	if err != nil {
		return err
	}
	name, email := s.seal("full_name", u.FullName), s.seal("email", u.Email)
	if s.err != nil {
		return s.err
	}
	_, err = tx.Exec(ctx, `UPDATE users SET full_name_enc = ?, email_enc = ?, email_index = ?, key_id = ?, updated_at = ? WHERE id = ?`,
		name, email, s.k.BlindIndex("users.email", u.Email), s.keyID(), now(), u.ID)
	return classify(err)
}

func (a *Accounts) setUserRoles(ctx context.Context, tx *Tx, userID int64, names []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM user_roles WHERE user_id = ?`, userID); err != nil {
		return classify(err)
	}
	for _, name := range names {
		if name == auth.RolePublic || name == auth.RoleSignedIn {
			return derrors.Kindf(derrors.Invalid, "roles: %q is implicit and cannot be assigned", name)
		}
		res, err := tx.Exec(ctx, `INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE name = ?`, userID, name)
		if err != nil {
			return classify(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return derrors.Kindf(derrors.Invalid, "roles: no role %q", name)
		}
	}
	return nil
}

func (a *Accounts) setUserTeams(ctx context.Context, tx *Tx, userID, orgID int64, teams []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM team_members WHERE user_id = ?`, userID); err != nil {
		return classify(err)
	}
	for _, t := range teams {
		res, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, user_id) SELECT id, ? FROM teams WHERE id = ? AND org_id = ?`, userID, t, orgID)
		if err != nil {
			return classify(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return derrors.Kindf(derrors.Invalid, "teamIds: no team %d in the user's organisation", t)
		}
	}
	return nil
}

const userColumns = `u.id, u.username, u.org_id, u.full_name_enc, u.email_enc, u.disabled`

func (a *Accounts) scanUser(s interface{ Scan(...any) error }) (auth.User, error) {
	var u auth.User
	var name, email string
	if err := s.Scan(&u.ID, &u.Username, &u.OrgID, &name, &email, &u.Disabled); err != nil {
		return u, err
	}
	sl, err := a.db.sealer("users", u.ID)
	if err != nil {
		return u, err
	}
	u.FullName, u.Email = sl.open("full_name", name), sl.open("email", email)
	return u, sl.err
}

// User returns a user with roles and teams (derrors.NotFound if absent).
func (a *Accounts) User(ctx context.Context, id int64) (_ auth.User, err error) {
	defer derrors.Wrap(&err, "store.User(%d)", id)
	u, err := a.scanUser(a.db.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
	if err == sql.ErrNoRows {
		return u, derrors.Kindf(derrors.NotFound, "no user %d", id)
	}
	if err != nil {
		return u, classify(err)
	}
	return u, a.fillMemberships(ctx, &u)
}

func (a *Accounts) fillMemberships(ctx context.Context, u *auth.User) error {
	u.Roles, u.TeamIDs = []string{}, []int64{}
	rows, err := a.db.query(ctx, `SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ? ORDER BY r.name`, u.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		u.Roles = append(u.Roles, n)
	}
	rows.Close()
	rows, err = a.db.query(ctx, `SELECT team_id FROM team_members WHERE user_id = ? ORDER BY team_id`, u.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var t int64
		if err := rows.Scan(&t); err != nil {
			return err
		}
		u.TeamIDs = append(u.TeamIDs, t)
	}
	return rows.Err()
}

var usersScope = scopeColumns{org: "u.org_id", owner: "u.id",
	team: "u.id IN (SELECT user_id FROM team_members WHERE team_id IN (%s))"}

// Users lists the users a scope filter allows, by username.
func (a *Accounts) Users(ctx context.Context, f auth.Filter, limit, offset int) (_ []auth.User, total int, err error) {
	defer derrors.Wrap(&err, "store.Users")
	cond, args := scopeSQL(f, usersScope)
	if err := a.db.queryRow(ctx, `SELECT COUNT(*) FROM users u WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, classify(err)
	}
	rows, err := a.db.query(ctx, `SELECT `+userColumns+` FROM users u WHERE `+cond+` ORDER BY u.username LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	var out []auth.User
	for rows.Next() {
		u, err := a.scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for i := range out {
		if err := a.fillMemberships(ctx, &out[i]); err != nil {
			return nil, 0, err
		}
	}
	if out == nil {
		out = []auth.User{}
	}
	return out, total, nil
}

// UserRecord returns what a record-scope check needs about a user.
func (a *Accounts) UserRecord(ctx context.Context, id int64) (auth.Record, error) {
	rec := auth.Record{OwnerID: id}
	err := a.db.queryRow(ctx, `SELECT org_id FROM users WHERE id = ?`, id).Scan(&rec.OrgID)
	if err == sql.ErrNoRows {
		return rec, derrors.Kindf(derrors.NotFound, "no user %d", id)
	}
	return rec, classify(err)
}

// UpdateUser changes a user's name, e-mail, roles, teams and disabled
// flag. Disabling ends the user's sessions and tokens at once.
func (a *Accounts) UpdateUser(ctx context.Context, tx *Tx, u auth.User) (err error) {
	defer derrors.Wrap(&err, "store.UpdateUser(%d)", u.ID)
	var orgID int64
	var username string
	if err := tx.QueryRow(ctx, `SELECT org_id, username FROM users WHERE id = ?`, u.ID).Scan(&orgID, &username); err == sql.ErrNoRows {
		return derrors.Kindf(derrors.NotFound, "no user %d", u.ID)
	} else if err != nil {
		return classify(err)
	}
	u.OrgID, u.Username = orgID, username
	if err := u.Validate(); err != nil {
		return err
	}
	if err := a.writeUserFields(ctx, tx, u); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, u.Disabled, u.ID); err != nil {
		return classify(err)
	}
	if u.Disabled {
		if err := endAccess(ctx, tx, u.ID); err != nil {
			return err
		}
	}
	if err := a.setUserRoles(ctx, tx, u.ID, u.Roles); err != nil {
		return err
	}
	return a.setUserTeams(ctx, tx, u.ID, orgID, u.TeamIDs)
}

// endAccess removes a user's sessions and revokes their tokens.
func endAccess(ctx context.Context, tx *Tx, userID int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return classify(err)
	}
	_, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, now(), userID)
	return classify(err)
}

// SetPassword changes a user's password and ends their other sessions.
func (a *Accounts) SetPassword(ctx context.Context, tx *Tx, userID int64, password, keepSession string) (err error) {
	defer derrors.Wrap(&err, "store.SetPassword(%d)", userID)
	var username string
	if err := tx.QueryRow(ctx, `SELECT username FROM users WHERE id = ?`, userID).Scan(&username); err == sql.ErrNoRows {
		return derrors.Kindf(derrors.NotFound, "no user %d", userID)
	} else if err != nil {
		return classify(err)
	}
	if err := auth.ValidatePassword(password, username); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	t := now()
	if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ?, locked_until = NULL WHERE id = ?`,
		hash, t, t, userID); err != nil {
		return classify(err)
	}
	_, err = tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?`, userID, auth.HashSecret(keepSession))
	return classify(err)
}

// SetDisabled disables or enables a user by username.
func (a *Accounts) SetDisabled(ctx context.Context, tx *Tx, username string, disabled bool) (id int64, err error) {
	defer derrors.Wrap(&err, "store.SetDisabled(%q)", username)
	err = tx.QueryRow(ctx, `UPDATE users SET disabled = ?, updated_at = ? WHERE username = ? RETURNING id`,
		disabled, now(), auth.NormalizeUsername(username)).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, derrors.Kindf(derrors.NotFound, "no user %q", username)
	}
	if err != nil {
		return 0, classify(err)
	}
	if disabled {
		return id, endAccess(ctx, tx, id)
	}
	return id, nil
}

// UserID returns the id of a username.
func (a *Accounts) UserID(ctx context.Context, username string) (int64, error) {
	var id int64
	err := a.db.queryRow(ctx, `SELECT id FROM users WHERE username = ?`, auth.NormalizeUsername(username)).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, derrors.Kindf(derrors.NotFound, "no user %q", username)
	}
	return id, classify(err)
}

// Credentials is what sign-in needs about an account.
type Credentials struct {
	UserID       int64
	Username     string
	OrgID        int64
	PasswordHash string
	Disabled     bool
	LockedUntil  time.Time
}

// CredentialsFor returns the credentials of a username (derrors.NotFound
// if there is no such account).
func (a *Accounts) CredentialsFor(ctx context.Context, username string) (Credentials, error) {
	var c Credentials
	var locked sql.NullTime
	err := a.db.queryRow(ctx, `SELECT id, username, org_id, password_hash, disabled, locked_until FROM users WHERE username = ?`,
		auth.NormalizeUsername(username)).Scan(&c.UserID, &c.Username, &c.OrgID, &c.PasswordHash, &c.Disabled, &locked)
	if err == sql.ErrNoRows {
		return c, derrors.Kindf(derrors.NotFound, "no such account")
	}
	c.LockedUntil = locked.Time
	return c, classify(err)
}

// Principal builds the principal of a user: the public and signed-in
// roles plus the user's own, capped by limit (an API token's list).
func (a *Accounts) Principal(ctx context.Context, userID int64, limit []auth.Permission) (*auth.Principal, error) {
	var username string
	var orgID int64
	var disabled bool
	err := a.db.queryRow(ctx, `SELECT username, org_id, disabled FROM users WHERE id = ?`, userID).Scan(&username, &orgID, &disabled)
	if err == sql.ErrNoRows || err == nil && disabled {
		return nil, derrors.Kindf(derrors.Unauthenticated, "the account does not exist or is disabled")
	}
	if err != nil {
		return nil, classify(err)
	}
	all, err := a.Roles(ctx)
	if err != nil {
		return nil, err
	}
	roles := []auth.Role{all[auth.RolePublic], all[auth.RoleSignedIn]}
	u := auth.User{ID: userID}
	if err := a.fillMemberships(ctx, &u); err != nil {
		return nil, err
	}
	for _, n := range u.Roles {
		if r, ok := all[n]; ok {
			roles = append(roles, r)
		}
	}
	p := auth.NewPrincipal(userID, username, orgID, u.TeamIDs, roles, limit)
	p.Roles = slices.DeleteFunc(p.Roles, func(n string) bool { return n == auth.RolePublic || n == auth.RoleSignedIn })
	return p, nil
}
