package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// testRelease is a stored release of status; its records are one CTDC
// row the loader turns into a public trafficking record.
func testRelease(status string) store.Release {
	return store.Release{Title: "Test release", Method: "synthetic", Status: status, Manifest: `{"method":"synthetic"}`,
		Report: `{}`, Verify: `{"pass":true}`, AggregatesCSV: "gender,count\n,10\n", RecordsCSV: "gender\nWoman\n", DataCard: "# Test\n"}
}

func TestReleases(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newCaseFixture(t, e)
		ctx := f.ctx
		pub := auth.NewPrincipal(f.ids["admin"], "admin", f.orgA.ID, nil, []auth.Role{{Name: "data-publisher",
			Permissions: []auth.Permission{{Resource: "releases", Action: auth.Create, Scope: auth.ScopeOrg}}}}, nil)
		rs := f.db.Releases()
		loads := 0
		load := func(ctx context.Context, tx *store.Tx, rel store.Release) error {
			loads++
			return store.ReplaceTraffickingRecords(ctx, tx, rel.TraffickingSource(), store.TraffickingLayoutGlobal,
				store.TraffickingRecord{Gender: "female"})
		}

		built, err := rs.Create(ctx, pub, testRelease(store.ReleaseBuilt))
		if err != nil {
			t.Fatal(err)
		}
		failed, err := rs.Create(ctx, pub, testRelease(store.ReleaseFailed))
		if err != nil {
			t.Fatal(err)
		}
		_, err = rs.Create(ctx, pub, testRelease(store.ReleasePublished))
		wantKind(t, err, derrors.Invalid, "create as published")

		// Not yet public.
		_, err = rs.PublishedRelease(ctx, built.ID)
		wantKind(t, err, derrors.NotFound, "unpublished release, publicly")

		tests := []struct {
			name string
			do   func() (store.Release, error)
			kind error // nil: succeeds
			want string
		}{
			{"failed release cannot be published", func() (store.Release, error) { return rs.Publish(ctx, pub, failed.ID, load) }, derrors.Conflict, ""},
			{"failed release cannot be withdrawn", func() (store.Release, error) { return rs.Withdraw(ctx, pub, failed.ID) }, derrors.Conflict, ""},
			{"unknown release", func() (store.Release, error) { return rs.Publish(ctx, pub, 99999, load) }, derrors.NotFound, ""},
			{"publish", func() (store.Release, error) { return rs.Publish(ctx, pub, built.ID, load) }, nil, store.ReleasePublished},
			{"publish again", func() (store.Release, error) { return rs.Publish(ctx, pub, built.ID, load) }, derrors.Conflict, ""},
			{"withdraw", func() (store.Release, error) { return rs.Withdraw(ctx, pub, built.ID) }, nil, store.ReleaseWithdrawn},
			{"withdraw again", func() (store.Release, error) { return rs.Withdraw(ctx, pub, built.ID) }, derrors.Conflict, ""},
		}
		for _, tc := range tests {
			rel, err := tc.do()
			if tc.kind != nil {
				wantKind(t, err, tc.kind, tc.name)
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if rel.Status != tc.want {
				t.Errorf("%s: status %q, want %q", tc.name, rel.Status, tc.want)
			}
			got, err := rs.Get(ctx, built.ID)
			if err != nil || got.Status != tc.want {
				t.Fatalf("%s: stored %q, %v", tc.name, got.Status, err)
			}
			if tc.want == store.ReleasePublished {
				if got.PublishedAt == nil || got.PublishedBy != pub.UserID {
					t.Errorf("publish: by %d at %v", got.PublishedBy, got.PublishedAt)
				}
				if _, err := f.db.TraffickingSourceOf(ctx, rel.TraffickingSource()); err != nil {
					t.Errorf("publish: records not loaded: %v", err)
				}
				if p, err := rs.PublishedRelease(ctx, built.ID); err != nil || p.RecordsCSV == "" {
					t.Errorf("published release, publicly: %v", err)
				}
				if list, err := rs.Published(ctx); err != nil || len(list) != 1 || list[0].ID != built.ID || list[0].RecordsCSV != "" {
					t.Errorf("published list: %+v, %v", list, err)
				}
			}
			if tc.want == store.ReleaseWithdrawn {
				_, err := f.db.TraffickingSourceOf(ctx, rel.TraffickingSource())
				wantKind(t, err, derrors.NotFound, "withdrawn release's records")
				_, err = rs.PublishedRelease(ctx, built.ID)
				wantKind(t, err, derrors.NotFound, "withdrawn release, publicly")
			}
		}
		if loads != 1 {
			t.Errorf("loader called %d times, want 1", loads)
		}

		// Listings follow the scope filter.
		for _, tc := range []struct {
			name string
			f    auth.Filter
			n    int
		}{
			{"organisation A", auth.Filter{OrgID: f.orgA.ID}, 2},
			{"organisation B", auth.Filter{OrgID: f.orgB.ID}, 0},
			{"own", auth.Filter{OwnerID: pub.UserID}, 2},
			{"none", auth.Filter{None: true}, 0},
		} {
			list, err := rs.List(ctx, tc.f, store.ReleaseQuery{})
			if err != nil || len(list) != tc.n {
				t.Errorf("list %s: %d releases, %v; want %d", tc.name, len(list), err, tc.n)
			}
		}

		// Every change is audited: two creates, one publish, one withdrawal.
		es, err := f.db.Audit().List(ctx, audit.Filter{Resource: "releases", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, x := range es {
			count[x.Action+" "+strings.SplitN(x.Detail, ":", 2)[0]]++
		}
		want := map[string]int{"create release built": 2, "publish release published": 1, "publish release withdrawn": 1}
		for k, n := range want {
			if count[k] != n {
				t.Errorf("audit %q: %d entries, want %d (all: %v)", k, count[k], n, count)
			}
		}
	})
}
