package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/cases/synth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// wantRelease computes, from the generated records, the rows and counts
// ReleaseSource should return for the cases keep selects.
func wantRelease(recs []synth.Record, keep func(cases.Case) bool) ([]string, store.ReleaseCount) {
	today := time.Now().UTC().Format("2006-01-02")
	consents := map[int64][]cases.Consent{}
	for _, r := range recs {
		consents[r.Person.ID] = append(consents[r.Person.ID], r.Consents...)
	}
	var rows []string
	var n store.ReleaseCount
	for _, r := range recs {
		c := r.Case
		if c.Draft || c.Kind != cases.KindTrafficking || !keep(c) {
			continue
		}
		n.Cases++
		cs := consents[r.Person.ID]
		switch {
		case c.Trafficking.TraffickingStatus == "NotAVictimOfTrafficking":
			n.NotVictim++
		case cases.UsableForStatistics(cs, today):
			n.Included++
			rows = append(rows, strings.Join(release.CTDCRow(c, r.Person), ","))
		case slices.ContainsFunc(cs, func(x cases.Consent) bool { return x.Type == cases.ConsentStatistics && x.Given }):
			n.Withdrawn++
		default:
			n.NoConsent++
		}
	}
	return rows, n
}

func joinRows(rows [][]string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Join(r, ",")
	}
	return out
}

func TestCaseReleaseSource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newCaseFixture(t, e)
		recs := f.loadSynthetic(t, 160, 5)

		// Explicit consents on three new cases of w1: given, given then
		// withdrawn, none.
		consent := func(caseID int64, given bool, on string) {
			t.Helper()
			if _, err := f.cs.RecordConsent(f.ctx, f.w1, caseID, cases.Consent{Type: cases.ConsentStatistics, Given: given, Date: on}); err != nil {
				t.Fatal(err)
			}
		}
		pGiven, cGiven := f.intake(t, f.w1, "Awa", "Diop", "2001-02-03")
		consent(cGiven.ID, true, "2024-03-01")
		_, cWithdrawn := f.intake(t, f.w1, "Fatou", "Sow", "1999-01-01")
		consent(cWithdrawn.ID, true, "2024-03-01")
		consent(cWithdrawn.ID, false, "2024-04-01")
		f.intake(t, f.w1, "Binta", "Ba", "1990-05-05")
		explicit := func(n store.ReleaseCount) store.ReleaseCount {
			n.Cases, n.Included, n.Withdrawn, n.NoConsent = n.Cases+3, n.Included+1, n.Withdrawn+1, n.NoConsent+1
			return n
		}
		givenRow := strings.Join(release.CTDCRow(cGiven, pGiven), ",")

		analyst := auth.NewPrincipal(f.ids["admin"], "admin", f.orgA.ID, nil, []auth.Role{{Name: "analyst", Permissions: []auth.Permission{
			{Resource: "cases", Action: auth.Export, Scope: auth.ScopeOrg}}}}, nil)
		// A data publisher builds releases from its organisation's cases
		// without any grant on cases.
		publisher := auth.NewPrincipal(f.ids["admin"], "admin", f.orgA.ID, nil, []auth.Role{{Name: "data-publisher", Permissions: []auth.Permission{
			{Resource: "releases", Action: auth.Create, Scope: auth.ScopeOrg}}}}, nil)
		tests := []struct {
			name string
			p    *auth.Principal
			keep func(cases.Case) bool
		}{
			{"organisation A", analyst, func(c cases.Case) bool { return c.OrgID == f.orgA.ID }},
			{"data publisher of organisation A", publisher, func(c cases.Case) bool { return c.OrgID == f.orgA.ID }},
			{"case worker w1", f.w1, func(c cases.Case) bool { return c.OwnerID == f.ids["w1"] }},
		}
		for _, tc := range tests {
			rows, got, err := f.cs.ReleaseSource(f.ctx, tc.p)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			wantRows, want := wantRelease(recs, tc.keep)
			want = explicit(want)
			wantRows = append(wantRows, givenRow)
			if got != want {
				t.Errorf("%s: counts %+v, want %+v", tc.name, got, want)
			}
			if want.Included < 10 || want.NoConsent < 2 {
				t.Errorf("%s: fixture too small: %+v", tc.name, want)
			}
			t.Logf("%s: %+v", tc.name, got)
			gotRows := joinRows(rows)
			if !slices.Equal(gotRows, wantRows) {
				t.Errorf("%s: %d rows, want %d; first got %q want %q", tc.name, len(gotRows), len(wantRows), gotRows[:1], wantRows[:1])
			}
			for _, r := range rows {
				if len(r) != len(release.CTDCColumns) {
					t.Fatalf("row of %d cells", len(r))
				}
				for _, s := range []string{"Awa", "Diop", "Fatou", "Dakar", "2001-02-03"} {
					if strings.Contains(strings.Join(r, ","), s) {
						t.Fatalf("row holds %q: %v", s, r)
					}
				}
			}
		}

		// Permission: the org admin reads cases but may not export them.
		_, _, err := f.cs.ReleaseSource(f.ctx, f.admin)
		wantKind(t, err, derrors.Forbidden, "org admin release source")
		_, _, err = f.cs.ReleaseSource(f.ctx, nil)
		wantKind(t, err, derrors.Forbidden, "no principal")

		// One audit entry per call.
		es, err := f.db.Audit().List(f.ctx, audit.Filter{Resource: "cases", Action: audit.ActionExport, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, x := range es {
			if strings.HasPrefix(x.Detail, "release source:") {
				n++
			}
		}
		if n != len(tests) {
			t.Errorf("%d release-source audit entries, want %d", n, len(tests))
		}
	})
}
