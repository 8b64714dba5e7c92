package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/auth"
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
