package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// TestEnsureBuiltinRolesAddsNewResources: a database made before a
// resource existed (here: before case management, no "cases" grants and
// no record of the known resources) gets the built-in grants on the new
// resource at the next start, for each role without any grant on it;
// permissions an administrator set stay as they are, and a grant removed
// after that start is not added back.
func TestEnsureBuiltinRolesAddsNewResources(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		acc := db.Accounts()
		if err := acc.EnsureBuiltinRoles(ctx); err != nil {
			t.Fatal(err)
		}
		perms := func(role string) []auth.Permission {
			t.Helper()
			roles, err := acc.Roles(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ps := roles[role].Permissions
			slices.SortFunc(ps, func(a, b auth.Permission) int {
				if a.Resource != b.Resource {
					return strings.Compare(a.Resource, b.Resource)
				}
				return strings.Compare(a.Action, b.Action)
			})
			return ps
		}
		without := func(ps []auth.Permission, drop func(auth.Permission) bool) []auth.Permission {
			return slices.DeleteFunc(slices.Clone(ps), drop)
		}
		isCases := func(p auth.Permission) bool { return p.Resource == "cases" }
		worker, super := perms(auth.RoleCaseWorker), perms(auth.RoleCaseSupervisor)
		if !slices.ContainsFunc(worker, isCases) || !slices.ContainsFunc(super, isCases) {
			t.Fatalf("built-in roles without cases grants: %v / %v", worker, super)
		}
		// The database as an older version left it, and an administrator's
		// change: the worker may no longer export people; the supervisor
		// had been given one of the cases grants by hand.
		noPeopleExport := func(p auth.Permission) bool { return p.Resource == "people" && p.Action == auth.Export }
		firstCases := slices.IndexFunc(super, isCases)
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := acc.SetRolePermissions(ctx, tx, auth.RoleCaseWorker, without(worker, func(p auth.Permission) bool { return isCases(p) || noPeopleExport(p) })); err != nil {
				return err
			}
			kept := 0
			if err := acc.SetRolePermissions(ctx, tx, auth.RoleCaseSupervisor, without(super, func(p auth.Permission) bool {
				if isCases(p) {
					kept++
					return kept > 1
				}
				return false
			})); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `DELETE FROM settings WHERE name = 'builtin_role_resources'`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if firstCases < 0 {
			t.Fatal("no cases grant on the supervisor")
		}
		if err := acc.EnsureBuiltinRoles(ctx); err != nil {
			t.Fatal(err)
		}
		if got, want := perms(auth.RoleCaseWorker), without(worker, noPeopleExport); !slices.Equal(got, want) {
			t.Errorf("case worker after the start:\n got %v\nwant %v", got, want)
		}
		// The supervisor's cases grants were set by hand: they stay so.
		if got := perms(auth.RoleCaseSupervisor); len(got) != len(super)-countFunc(super, isCases)+1 {
			t.Errorf("case supervisor after the start: %v", got)
		}
		// Removed after that start: stays removed.
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return acc.SetRolePermissions(ctx, tx, auth.RoleCaseWorker, without(worker, isCases))
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := acc.EnsureBuiltinRoles(ctx); err != nil {
			t.Fatal(err)
		}
		if got := perms(auth.RoleCaseWorker); slices.ContainsFunc(got, isCases) {
			t.Errorf("a removed grant came back: %v", got)
		}
	})
}

func countFunc[T any](s []T, f func(T) bool) int {
	n := 0
	for _, x := range s {
		if f(x) {
			n++
		}
	}
	return n
}
