package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/crypt"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

func newKeyring(t *testing.T) *crypt.Keyring {
	t.Helper()
	b, err := crypt.GenerateKeyFile()
	if err != nil {
		t.Fatal(err)
	}
	k, err := crypt.ParseKeyring(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestCheckKeys: personal data without a key, or with another key file
// (even one whose key ids are the same), is refused at start.
func TestCheckKeys(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		if err := db.CheckKeys(ctx); err != nil {
			t.Fatalf("empty database without keys: %v", err)
		}
		if err := db.Accounts().EnsureBuiltinRoles(ctx); err != nil {
			t.Fatal(err)
		}
		right := newKeyring(t)
		db.SetKeys(right)
		if err := db.CheckKeys(ctx); err != nil {
			t.Fatal(err)
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			org, err := db.Accounts().CreateOrg(ctx, tx, auth.Org{Name: "NGO", Kind: "ngo", Country: "KEN"})
			if err != nil {
				return err
			}
			_, err = db.Accounts().CreateUser(ctx, tx, auth.User{Username: "someone", FullName: "Some One", OrgID: org.ID}, "a long enough passphrase here")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		other := openMigrated(t, e)
		if err := other.CheckKeys(ctx); !errors.Is(err, derrors.Unavailable) || !strings.Contains(err.Error(), "--key-file") {
			t.Errorf("personal data, no key: %v", err)
		}
		other.SetKeys(newKeyring(t)) // another key file generated today: same key id
		if err := other.CheckKeys(ctx); err == nil || !strings.Contains(err.Error(), "not the one") {
			t.Errorf("personal data, wrong key file: %v", err)
		}
		other.SetKeys(right)
		if err := other.CheckKeys(ctx); err != nil {
			t.Errorf("the right key: %v", err)
		}
		usage, err := other.KeyUsage(ctx)
		if err != nil || usage[right.ActiveKeyID()] != 1 {
			t.Errorf("KeyUsage = %v, %v", usage, err)
		}
	})
}

// TestCheckKeysCases: the start-up check covers the case tables: rows
// under a key the key file lacks, or case fields the key file cannot
// decrypt, are refused with a clear message.
func TestCheckKeysCases(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newCaseFixture(t, e)
		_, c := f.intake(t, f.w1, "Aminata", "Sow", "1990-02-03")
		if _, err := f.cs.AddComment(f.ctx, f.w1, c.ID, "First visit"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.cs.AddTask(f.ctx, f.w1, c.ID, cases.Task{Title: "Call back", Due: "2024-07-01"}); err != nil {
			t.Fatal(err)
		}
		if err := f.db.CheckKeys(f.ctx); err != nil {
			t.Fatalf("the right key: %v", err)
		}
		usage, err := f.db.KeyUsage(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, n := range usage {
			total += n
		}
		if total < 7+1+1+2 { // users, people, case, comment, task at least
			t.Errorf("KeyUsage = %v: the case tables are not counted", usage)
		}
		// A comment under a key id the key file does not hold.
		if _, err := f.db.SQL().ExecContext(f.ctx, `UPDATE case_comments SET key_id = 'k19990101a'`); err != nil {
			t.Fatal(err)
		}
		err = f.db.CheckKeys(f.ctx)
		if !errors.Is(err, derrors.Unavailable) || !strings.Contains(err.Error(), "case_comments") || !strings.Contains(err.Error(), "k19990101a") {
			t.Errorf("case rows under an unknown key: %v", err)
		}
		// A comment the key file cannot decrypt (the value of another
		// column, sealed for another place).
		var title, keyID string
		if err := f.db.SQL().QueryRowContext(f.ctx, `SELECT title_enc, key_id FROM case_tasks`).Scan(&title, &keyID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.SQL().ExecContext(f.ctx, `UPDATE case_comments SET key_id = '`+keyID+`', body_enc = '`+title+`'`); err != nil {
			t.Fatal(err)
		}
		err = f.db.CheckKeys(f.ctx)
		if !errors.Is(err, derrors.Unavailable) || !strings.Contains(err.Error(), "cannot decrypt the stored case data") || !strings.Contains(err.Error(), "case_comments.body") {
			t.Errorf("case data the key cannot decrypt: %v", err)
		}
	})
}
