package store

import (
	"context"
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
// data: a missing key, or a key file that lacks a key some rows were
// encrypted with, is a clear error at start.
func (db *DB) CheckKeys(ctx context.Context) error {
	has, err := db.HasPersonalData(ctx)
	if err != nil || !has {
		return err
	}
	k, err := db.keyring()
	if err != nil {
		return fmt.Errorf("the database holds personal data: %w", err)
	}
	for _, table := range []string{"users", "people"} {
		rows, err := db.query(ctx, `SELECT DISTINCT key_id FROM `+table)
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
	return nil
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
