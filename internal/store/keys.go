package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/corridor-platform/corridor/internal/crypt"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// ErrNoKey is returned when personal data must be read or written and no
// encryption key was configured. It wraps derrors.Unavailable.
var ErrNoKey = fmt.Errorf("%w: personal data needs the encryption key: pass --key-file FILE or set CORRIDOR_KEY (create one with: corridor keys generate --out corridor.key)", derrors.Unavailable)

// SetKeys gives the store the keys for personal fields. Without keys the
// store serves public data only and refuses personal data (never a
// plaintext fallback).
func (db *DB) SetKeys(src crypt.Source) { db.keys = src }

// KeysConfigured reports whether personal data can be read and written.
func (db *DB) KeysConfigured() bool { return db.keys != nil }

// keyring returns the current keyring or ErrNoKey.
func (db *DB) keyring() (*crypt.Keyring, error) {
	if db.keys == nil {
		return nil, ErrNoKey
	}
	k := db.keys.Current()
	if k == nil {
		return nil, ErrNoKey
	}
	return k, nil
}

// HasPersonalData reports whether any personal record is stored (users,
// people): starting without a key is then an error.
func (db *DB) HasPersonalData(ctx context.Context) (bool, error) {
	for _, table := range []string{"users", "people"} {
		var n int
		if err := db.queryRow(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			return false, classify(err)
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// CheckKeys verifies that the configured keys can read the stored personal
// data: a missing key, a key file that lacks a key some rows were
// encrypted with, or a different key file (its blind-index key fingerprint
// differs from the one recorded) is a clear error at start. With keys and
// no fingerprint recorded yet, it records this key file's.
func (db *DB) CheckKeys(ctx context.Context) error {
	has, err := db.HasPersonalData(ctx)
	if err != nil {
		return err
	}
	if !has && db.keys == nil {
		return nil
	}
	k, err := db.keyring()
	if err != nil {
		return fmt.Errorf("the database holds personal data: %w", err)
	}
	if err := db.checkFingerprint(ctx, k, has); err != nil {
		return err
	}
	for _, table := range encryptedTables() {
		rows, err := db.query(ctx, `SELECT DISTINCT key_id FROM `+table+` WHERE key_id <> ''`)
		if err != nil {
			return err
		}
		var missing []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			if !k.HasKey(id) {
				missing = append(missing, id)
			}
		}
		rows.Close()
		if len(missing) > 0 {
			return fmt.Errorf("%w: %s rows are encrypted with key(s) %v that the key file does not hold", derrors.Unavailable, table, missing)
		}
	}
	return db.trialDecrypt(ctx)
}

func (db *DB) checkFingerprint(ctx context.Context, k *crypt.Keyring, hasData bool) error {
	fp := k.IndexFingerprint()
	var stored string
	err := db.queryRow(ctx, `SELECT value FROM settings WHERE name = 'index_fingerprint'`).Scan(&stored)
	switch {
	case err == sql.ErrNoRows || err == nil && stored != fp && !hasData:
		return db.InTx(ctx, func(tx *Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO settings (name, value) VALUES ('index_fingerprint', ?)
				ON CONFLICT (name) DO UPDATE SET value = excluded.value`, fp)
			return classify(err)
		})
	case err != nil:
		return classify(err)
	case stored != fp:
		return fmt.Errorf("%w: the key file is not the one this database's personal data was written with (index key fingerprint %s, expected %s)", derrors.Unavailable, fp, stored)
	}
	return nil
}

// trialDecrypt reads one user and one person, so that a key file with the
// right ids but the wrong keys fails at start, not at the first request.
func (db *DB) trialDecrypt(ctx context.Context) error {
	var id int64
	if err := db.queryRow(ctx, `SELECT COALESCE(MIN(id), 0) FROM users`).Scan(&id); err != nil {
		return classify(err)
	}
	if id > 0 {
		if _, err := db.Accounts().User(ctx, id); err != nil {
			return fmt.Errorf("%w: the key file cannot decrypt the stored personal data: %v", derrors.Unavailable, err)
		}
	}
	if err := db.queryRow(ctx, `SELECT COALESCE(MIN(id), 0) FROM people`).Scan(&id); err != nil {
		return classify(err)
	}
	if id > 0 {
		if _, err := db.People().Get(ctx, id); err != nil {
			return fmt.Errorf("%w: the key file cannot decrypt the stored personal data: %v", derrors.Unavailable, err)
		}
	}
	return db.trialDecryptCases(ctx)
}

// encryptedTables are the tables whose rows carry encrypted fields under
// a key_id: users, people and the case tables (caseTables).
func encryptedTables() []string {
	out := []string{"users", "people"}
	for _, t := range caseTables {
		out = append(out, t.table)
	}
	return out
}

// trialDecryptCases decrypts every encrypted column of the first row of
// each case table (comments, tasks, services, consents, referrals,
// monitoring), as trialDecrypt does for users and people.
func (db *DB) trialDecryptCases(ctx context.Context) error {
	for _, t := range caseTables {
		sel := "id"
		for _, c := range t.cols {
			sel += ", " + c + "_enc"
		}
		vals := make([]string, len(t.cols))
		var id int64
		dest := []any{&id}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		err := db.queryRow(ctx, `SELECT `+sel+` FROM `+t.table+` WHERE key_id <> '' ORDER BY id LIMIT 1`).Scan(dest...)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return classify(err)
		}
		sl, err := db.sealer(t.table, id)
		if err != nil {
			return err
		}
		for i, c := range t.cols {
			sl.open(c, vals[i])
		}
		if sl.err != nil {
			return fmt.Errorf("%w: the key file cannot decrypt the stored case data: %v", derrors.Unavailable, sl.err)
		}
	}
	return nil
}

// KeyUsage counts the rows encrypted under each key id.
func (db *DB) KeyUsage(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	for _, table := range encryptedTables() {
		rows, err := db.query(ctx, `SELECT key_id, COUNT(*) FROM `+table+` GROUP BY key_id`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] += n
		}
		rows.Close()
	}
	return out, nil
}

// sealer encrypts and decrypts the personal fields of one row.
type sealer struct {
	k     *crypt.Keyring
	table string
	id    string
	err   error
}

func (db *DB) sealer(table string, id int64) (*sealer, error) {
	k, err := db.keyring()
	if err != nil {
		return nil, err
	}
	return &sealer{k: k, table: table, id: fmt.Sprint(id)}, nil
}

// seal encrypts a field value; the first error sticks.
func (s *sealer) seal(column, v string) string {
	if s.err != nil {
		return ""
	}
	out, err := s.k.EncryptString(v, crypt.AAD(s.table, column, s.id))
	s.err = err
	return out
}

// open decrypts a field value; the first error sticks.
func (s *sealer) open(column, v string) string {
	if s.err != nil {
		return ""
	}
	out, err := s.k.DecryptString(v, crypt.AAD(s.table, column, s.id))
	if err != nil {
		s.err = fmt.Errorf("%s.%s of row %s: %w", s.table, column, s.id, err)
	}
	return out
}

func (s *sealer) keyID() string { return s.k.ActiveKeyID() }

func aadFor(table, column string, id int64) []byte { return crypt.AAD(table, column, fmt.Sprint(id)) }
