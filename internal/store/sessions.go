package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// Sessions stores sign-in sessions, API tokens and sign-in failures.
type Sessions struct{ db *DB }

// Sessions returns the session store.
func (db *DB) Sessions() *Sessions { return &Sessions{db: db} }

// Session is a stored session.
type Session struct {
	UserID    int64
	CSRFToken string
	Created   time.Time
	LastSeen  time.Time
}

// Create starts a session for a user and returns its secret (the cookie
// value) and CSRF token. replace, when not empty, is the secret of the
// session the browser had before: it is deleted, so a session id planted
// before sign-in never becomes signed in (session fixation).
func (s *Sessions) Create(ctx context.Context, userID int64, clientAddr, replace string) (secret, csrf string, err error) {
	defer derrors.Wrap(&err, "store.Sessions.Create")
	if secret, err = auth.NewSecret("s_"); err != nil {
		return "", "", err
	}
	if csrf, err = auth.NewSecret(""); err != nil {
		return "", "", err
	}
	t := now()
	err = s.db.InTx(ctx, func(tx *Tx) error {
		if replace != "" {
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, auth.HashSecret(replace)); err != nil {
				return classify(err)
			}
		}
		// Expired sessions of this user are cleaned up on the way.
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND (last_seen_at < ? OR created_at < ?)`,
			userID, t.Add(-auth.SessionIdle), t.Add(-auth.SessionAbsolute)); err != nil {
			return classify(err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, client_addr) VALUES (?, ?, ?, ?, ?, ?)`,
			auth.HashSecret(secret), userID, csrf, t, t, clientAddr)
		return classify(err)
	})
	return secret, csrf, err
}

// touchEvery limits last-seen writes to one a minute per session.
const touchEvery = time.Minute

// Lookup returns the live session of a secret and marks it used. An
// expired session is deleted; both unknown and expired wrap
// derrors.Unauthenticated.
func (s *Sessions) Lookup(ctx context.Context, secret string) (_ Session, err error) {
	var ss Session
	h := auth.HashSecret(secret)
	err = s.db.queryRow(ctx, `SELECT user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE id_hash = ?`, h).
		Scan(&ss.UserID, &ss.CSRFToken, &ss.Created, &ss.LastSeen)
	if err == sql.ErrNoRows {
		return ss, derrors.Kindf(derrors.Unauthenticated, "the session has ended; sign in again")
	}
	if err != nil {
		return ss, classify(err)
	}
	t := now()
	if auth.SessionExpired(ss.Created, ss.LastSeen, t) {
		s.db.sql.ExecContext(ctx, s.db.dialect.rebind(`DELETE FROM sessions WHERE id_hash = ?`), h)
		return ss, derrors.Kindf(derrors.Unauthenticated, "the session has expired; sign in again")
	}
	if t.Sub(ss.LastSeen) > touchEvery {
		if _, err := s.db.sql.ExecContext(ctx, s.db.dialect.rebind(`UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`), t, h); err != nil {
			return ss, classify(err)
		}
	}
	return ss, nil
}

// Delete ends a session.
func (s *Sessions) Delete(ctx context.Context, secret string) error {
	_, err := s.db.sql.ExecContext(ctx, s.db.dialect.rebind(`DELETE FROM sessions WHERE id_hash = ?`), auth.HashSecret(secret))
	return classify(err)
}

// ---- sign-in throttling

// Throttled reports whether sign-in is refused for this username or
// address, and until when (the latest failure plus the window).
func (s *Sessions) Throttled(ctx context.Context, username, addr string) (bool, time.Time, error) {
	since := now().Add(-auth.ThrottleWindow)
	for _, c := range []struct {
		col, v string
		max    int
	}{{"username", failureKey(username), auth.MaxAccountFailures}, {"client_addr", addr, auth.MaxAddressFailures}} {
		// Read the times rather than MAX(at): SQLite returns aggregates
		// of timestamps as text. Invalid API tokens are counted apart.
		rows, err := s.db.query(ctx, `SELECT at FROM signin_failures WHERE `+c.col+` = ? AND username <> '`+TokenFailureUsername+`' AND at > ? ORDER BY at DESC LIMIT ?`, c.v, since, c.max)
		if err != nil {
			return false, time.Time{}, err
		}
		var times []time.Time
		for rows.Next() {
			var t time.Time
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return false, time.Time{}, err
			}
			times = append(times, t)
		}
		rows.Close()
		if len(times) >= c.max {
			return true, times[0].Add(auth.ThrottleWindow), nil
		}
	}
	return false, time.Time{}, nil
}

// RecordFailure counts a failed sign-in and prunes old failures.
func (s *Sessions) RecordFailure(ctx context.Context, username, addr string) error {
	return s.db.InTx(ctx, func(tx *Tx) error {
		t := now()
		if _, err := tx.Exec(ctx, `DELETE FROM signin_failures WHERE at < ?`, t.Add(-24*time.Hour)); err != nil {
			return classify(err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO signin_failures (username, client_addr, at) VALUES (?, ?, ?)`,
			failureKey(username), addr, t)
		return classify(err)
	})
}

// ClearFailures forgets an account's failures after a successful sign-in.
func (s *Sessions) ClearFailures(ctx context.Context, username string) error {
	_, err := s.db.sql.ExecContext(ctx, s.db.dialect.rebind(`DELETE FROM signin_failures WHERE username = ?`), failureKey(username))
	return classify(err)
}

// ---- API tokens

// Token is an API token as listed (never with its secret).
type Token struct {
	ID          int64             `json:"id"`
	UserID      int64             `json:"userId"`
	Name        string            `json:"name"`
	Permissions []auth.Permission `json:"permissions"` // empty: all of the user's
	CreatedAt   time.Time         `json:"createdAt"`
	ExpiresAt   time.Time         `json:"expiresAt"`
	RevokedAt   *time.Time        `json:"revokedAt,omitempty"`
	LastUsedAt  *time.Time        `json:"lastUsedAt,omitempty"`
}

// CreateToken makes an API token and returns its secret, shown once.
func (s *Sessions) CreateToken(ctx context.Context, tx *Tx, t Token) (_ Token, secret string, err error) {
	defer derrors.Wrap(&err, "store.CreateToken")
	if err := validText("name", t.Name, 1, 100); err != nil {
		return t, "", err
	}
	if err := auth.ValidateTokenExpiry(t.ExpiresAt, time.Now()); err != nil {
		return t, "", err
	}
	for i, p := range t.Permissions {
		if err := p.Validate(); err != nil {
			return t, "", derrors.Kindf(derrors.Invalid, "permissions[%d]: %s", i, derrors.Message(err))
		}
	}
	if secret, err = auth.NewSecret(auth.TokenPrefix); err != nil {
		return t, "", err
	}
	perms, _ := json.Marshal(t.Permissions)
	if t.Permissions == nil {
		perms = []byte("null")
	}
	t.CreatedAt = now()
	t.ExpiresAt = t.ExpiresAt.UTC().Truncate(time.Microsecond)
	err = tx.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, permissions, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		t.UserID, t.Name, auth.HashSecret(secret), string(perms), t.CreatedAt, t.ExpiresAt).Scan(&t.ID)
	return t, secret, classify(err)
}

// LookupToken returns the live token of a secret; unknown, expired and
// revoked tokens wrap derrors.Unauthenticated.
func (s *Sessions) LookupToken(ctx context.Context, secret string) (Token, error) {
	t, err := s.scanToken(s.db.queryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = ?`, auth.HashSecret(secret)))
	if err == sql.ErrNoRows {
		return t, derrors.Kindf(derrors.Unauthenticated, "unknown API token")
	}
	if err != nil {
		return t, classify(err)
	}
	switch {
	case t.RevokedAt != nil:
		return t, derrors.Kindf(derrors.Unauthenticated, "the API token was revoked")
	case !time.Now().Before(t.ExpiresAt):
		return t, derrors.Kindf(derrors.Unauthenticated, "the API token expired on %s", t.ExpiresAt.Format(time.RFC3339))
	}
	if t.LastUsedAt == nil || time.Since(*t.LastUsedAt) > touchEvery {
		s.db.sql.ExecContext(ctx, s.db.dialect.rebind(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`), now(), t.ID)
	}
	return t, nil
}

const tokenColumns = `id, user_id, name, permissions, created_at, expires_at, revoked_at, last_used_at`

func (s *Sessions) scanToken(r interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var perms string
	var revoked, used sql.NullTime
	if err := r.Scan(&t.ID, &t.UserID, &t.Name, &perms, &t.CreatedAt, &t.ExpiresAt, &revoked, &used); err != nil {
		return t, err
	}
	json.Unmarshal([]byte(perms), &t.Permissions)
	if revoked.Valid {
		t.RevokedAt = &revoked.Time
	}
	if used.Valid {
		t.LastUsedAt = &used.Time
	}
	return t, nil
}

var tokensScope = scopeColumns{org: "user_id IN (SELECT id FROM users WHERE org_id = ?)", owner: "user_id",
	team: "user_id IN (SELECT user_id FROM team_members WHERE team_id IN (%s))"}

// Tokens lists tokens within a scope filter.
func (s *Sessions) Tokens(ctx context.Context, f auth.Filter) ([]Token, error) {
	cond, args := scopeSQL(f, tokensScope)
	if f.OrgID != 0 {
		cond = "user_id IN (SELECT id FROM users WHERE org_id = ?)"
	}
	rows, err := s.db.query(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE `+cond+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t, err := s.scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Token returns one token (derrors.NotFound if absent).
func (s *Sessions) Token(ctx context.Context, id int64) (Token, error) {
	t, err := s.scanToken(s.db.queryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return t, derrors.Kindf(derrors.NotFound, "no API token %d", id)
	}
	return t, classify(err)
}

// RevokeToken revokes a token.
func (s *Sessions) RevokeToken(ctx context.Context, tx *Tx, id int64) error {
	res, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, now(), id)
	if err != nil {
		return classify(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return derrors.Kindf(derrors.NotFound, "no live API token %d", id)
	}
	return nil
}

// CountTokenUse counts one request of a token in the current minute and
// returns the count so far; old windows are pruned on the way.
func (s *Sessions) CountTokenUse(ctx context.Context, tokenID int64, at time.Time) (n int64, err error) {
	window := at.Unix() / 60
	err = s.db.InTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO token_usage (token_id, window_start, requests) VALUES (?, ?, 1)
			ON CONFLICT (token_id, window_start) DO UPDATE SET requests = token_usage.requests + 1 RETURNING requests`,
			tokenID, window).Scan(&n); err != nil {
			return classify(err)
		}
		_, err := tx.Exec(ctx, `DELETE FROM token_usage WHERE token_id = ? AND window_start < ?`, tokenID, window-1)
		return classify(err)
	})
	return n, err
}

// TokenFailureUsername marks invalid API tokens in signin_failures.
const TokenFailureUsername = "(api token)"

// TokenGuessingThrottled reports whether an address sent too many invalid
// API tokens recently. Failed password sign-ins do not count: one noisy
// browser behind a shared address must not cut off every integration.
func (s *Sessions) TokenGuessingThrottled(ctx context.Context, addr string) (bool, error) {
	var n int
	err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM signin_failures WHERE client_addr = ? AND username = ? AND at > ?`,
		addr, TokenFailureUsername, now().Add(-auth.ThrottleWindow)).Scan(&n)
	return n >= auth.MaxAddressFailures, classify(err)
}

// failureKey is how a failed sign-in's username is kept: hashed, because
// people type passwords into the username box.
func failureKey(username string) string {
	if username == TokenFailureUsername {
		return username
	}
	return "h:" + auth.HashSecret(auth.NormalizeUsername(username))
}
