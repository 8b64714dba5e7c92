package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/cases/synth"
	"github.com/corridor-platform/corridor/internal/crypt"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/people"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// caseFixture: organisations A and B; in A teams A1 and A2, case workers
// w1 and w2 (A1) and w3 (A2), supervisor sup (A1), organisation admin
// admin; in B case worker wb and supervisor supB (team B1).
type caseFixture struct {
	db                *store.DB
	cs                *store.Cases
	orgA, orgB        auth.Org
	teamA1, teamA2    auth.Team
	teamB1            auth.Team
	w1, w2, w3, sup   *auth.Principal
	admin, wb, supB   *auth.Principal
	ids               map[string]int64
	teamOf            map[string]int64
	ctx               context.Context
	personSeq, caseNo int
}

func newCaseFixture(t testing.TB, e storetest.Engine) *caseFixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, e.DSN, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	kb, err := crypt.GenerateKeyFile()
	if err != nil {
		t.Fatal(err)
	}
	k, err := crypt.ParseKeyring(kb)
	if err != nil {
		t.Fatal(err)
	}
	db.SetKeys(k)
	if err := db.Accounts().EnsureBuiltinRoles(ctx); err != nil {
		t.Fatal(err)
	}
	f := &caseFixture{db: db, cs: db.Cases(), ids: map[string]int64{}, teamOf: map[string]int64{}, ctx: ctx}
	acc := db.Accounts()
	err = db.InTx(ctx, func(tx *store.Tx) (err error) {
		if f.orgA, err = acc.CreateOrg(ctx, tx, auth.Org{Name: "Shelter A", Kind: "ngo", Country: "SEN"}); err != nil {
			return err
		}
		if f.orgB, err = acc.CreateOrg(ctx, tx, auth.Org{Name: "Clinic B", Kind: "ngo", Country: "MLI"}); err != nil {
			return err
		}
		for _, x := range []struct {
			t    *auth.Team
			org  int64
			name string
		}{{&f.teamA1, f.orgA.ID, "A1"}, {&f.teamA2, f.orgA.ID, "A2"}, {&f.teamB1, f.orgB.ID, "B1"}} {
			if *x.t, err = acc.CreateTeam(ctx, tx, auth.Team{OrgID: x.org, Name: x.name}); err != nil {
				return err
			}
		}
		for _, u := range []struct {
			name string
			org  int64
			team int64
			role string
		}{
			{"w1", f.orgA.ID, f.teamA1.ID, auth.RoleCaseWorker}, {"w2", f.orgA.ID, f.teamA1.ID, auth.RoleCaseWorker},
			{"w3", f.orgA.ID, f.teamA2.ID, auth.RoleCaseWorker}, {"sup", f.orgA.ID, f.teamA1.ID, auth.RoleCaseSupervisor},
			{"admin", f.orgA.ID, 0, auth.RoleOrgAdmin}, {"wb", f.orgB.ID, f.teamB1.ID, auth.RoleCaseWorker},
			{"supb", f.orgB.ID, f.teamB1.ID, auth.RoleCaseSupervisor},
		} {
			var teams []int64
			if u.team != 0 {
				teams = []int64{u.team}
			}
			created, err := acc.CreateUser(ctx, tx, auth.User{Username: "user-" + u.name, FullName: "User " + u.name, OrgID: u.org, TeamIDs: teams,
				Roles: []string{u.role}}, "a long enough passphrase here")
			if err != nil {
				return err
			}
			f.ids[u.name], f.teamOf[u.name] = created.ID, u.team
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, dst := range map[string]**auth.Principal{"w1": &f.w1, "w2": &f.w2, "w3": &f.w3, "sup": &f.sup, "admin": &f.admin, "wb": &f.wb, "supb": &f.supB} {
		if *dst, err = acc.Principal(ctx, f.ids[name], nil); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func intp(v int) *int { return &v }

func trafficking() *cases.Trafficking {
	return &cases.Trafficking{TraffickingStatus: "ActualVictimOfTrafficking", TypeOfExploitation: []string{"ForcedLabour"},
		ForcedLabourIndustry: "F_Construction", MethodsOfControl: []string{"DebtBondage"}, AgeWhenTrafficked: intp(19),
		DetailsOfVulnerabilities: "Lost her job in Dakar before recruitment",
		Events:                   []cases.Event{{Type: cases.EventRecruitment, Date: "2022-05", Country: "SEN", City: "Dakar"}}}
}

// intake registers a person and a trafficking case owned by p.
func (f *caseFixture) intake(t testing.TB, p *auth.Principal, given, family, birth string) (people.Person, cases.Case) {
	t.Helper()
	team := int64(0)
	if len(p.TeamIDs) > 0 {
		team = p.TeamIDs[0]
	}
	pr, c, err := f.cs.CreateWithPerson(f.ctx, p, people.Person{GivenName: given, FamilyName: family, BirthDate: birth, Sex: "female",
		Nationality: "SEN", DocumentType: "none"},
		cases.Case{Kind: cases.KindTrafficking, OrgID: p.OrgID, TeamID: team, OwnerID: p.UserID, OpenedOn: "2024-03-01", Trafficking: trafficking()})
	if err != nil {
		t.Fatalf("intake: %v", err)
	}
	return pr, c
}

func listIDs(t *testing.T, f *caseFixture, p *auth.Principal) []int64 {
	t.Helper()
	page, err := f.cs.List(f.ctx, p, cases.Filter{Limit: 100})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var ids []int64
	for _, s := range page.Items {
		ids = append(ids, s.CaseID)
	}
	slices.Sort(ids)
	if page.Total != len(ids) {
		t.Errorf("total %d, items %d", page.Total, len(ids))
	}
	return ids
}

func wantKind(t *testing.T, err, kind error, what string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: got %v, want %v", what, err, kind)
	}
}

func TestCaseScopes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newCaseFixture(t, e)
		_, c1 := f.intake(t, f.w1, "Awa", "Diop", "1995-02-03")
		_, c2 := f.intake(t, f.w2, "Fatou", "Sall", "1990-07-08")
		_, c3 := f.intake(t, f.w3, "Aminata", "Ba", "1988-11-30")
		if c1.Version != 1 || c1.Status != cases.StatusActive {
			t.Fatalf("created %+v", c1)
		}
		for _, x := range []struct {
			who  string
			p    *auth.Principal
			want []int64
		}{
			{"w1 (own)", f.w1, []int64{c1.ID}}, {"w2 (own)", f.w2, []int64{c2.ID}},
			{"sup (team A1)", f.sup, []int64{c1.ID, c2.ID}}, {"admin (org A)", f.admin, []int64{c1.ID, c2.ID, c3.ID}},
			{"wb (other org)", f.wb, nil}, {"supB (other org)", f.supB, nil},
		} {
			if got := listIDs(t, f, x.p); !slices.Equal(got, x.want) {
				t.Errorf("%s lists %v, want %v", x.who, got, x.want)
			}
		}
		if _, err := f.cs.Get(f.ctx, f.w1, c2.ID); !errors.Is(err, derrors.NotFound) {
			t.Errorf("w1 reads w2's case: %v, want NotFound", err)
		}
		if _, err := f.cs.Get(f.ctx, f.wb, c1.ID); !errors.Is(err, derrors.NotFound) {
			t.Errorf("other org reads: %v, want NotFound", err)
		}
		if got, err := f.cs.Get(f.ctx, f.sup, c2.ID); err != nil || got.Trafficking == nil || got.Trafficking.DetailsOfVulnerabilities == "" {
			t.Errorf("supervisor reads team case: %+v, %v", got, err)
		}
		_, err := f.cs.Update(f.ctx, f.admin, c1.ID, cases.Patch{Version: 1, OpenedOn: ptr("2024-03-02")})
		wantKind(t, err, derrors.Forbidden, "org admin edits")
		_, err = f.cs.Assign(f.ctx, f.w1, c1.ID, cases.Assignment{Version: 1, OwnerID: f.ids["w2"]})
		wantKind(t, err, derrors.Forbidden, "case worker assigns")
		moved, err := f.cs.Assign(f.ctx, f.sup, c1.ID, cases.Assignment{Version: 1, OwnerID: f.ids["w2"]})
		if err != nil || moved.OwnerID != f.ids["w2"] || moved.Version != 2 {
			t.Fatalf("supervisor assigns: %+v, %v", moved, err)
		}
		if got := listIDs(t, f, f.w1); len(got) != 0 {
			t.Errorf("after the transfer w1 lists %v", got)
		}
		// Filters and keyset pages.
		page, err := f.cs.List(f.ctx, f.admin, cases.Filter{Limit: 2})
		if err != nil || len(page.Items) != 2 || page.Total != 3 || page.Next == 0 {
			t.Fatalf("page 1: %+v, %v", page, err)
		}
		page2, err := f.cs.List(f.ctx, f.admin, cases.Filter{Limit: 2, After: page.Next})
		if err != nil || len(page2.Items) != 1 || page2.Next != 0 || page2.Items[0].CaseID != c1.ID {
			t.Fatalf("page 2: %+v, %v", page2, err)
		}
		page, err = f.cs.List(f.ctx, f.admin, cases.Filter{Limit: 10, OwnerID: f.ids["w2"], Status: cases.StatusActive, Nationality: "SEN"})
		if err != nil || page.Total != 2 {
			t.Fatalf("filtered by owner, status, nationality: %+v, %v", page, err)
		}
		_, err = f.cs.List(f.ctx, f.admin, cases.Filter{Limit: 10, Status: "Open"})
		if !errors.Is(err, derrors.Invalid) || !strings.Contains(err.Error(), "status") {
			t.Errorf("bad filter: %v", err)
		}
		// Reads are audited.
		es, err := f.db.Audit().List(f.ctx, audit.Filter{Resource: "cases", Action: audit.ActionRead, RecordID: fmt.Sprint(c2.ID), Limit: 10})
		if err != nil || len(es) == 0 || es[0].ActorID != f.ids["sup"] {
			t.Errorf("audit of the read: %+v, %v", es, err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestCaseReferralAccess(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newCaseFixture(t, e)
		_, c := f.intake(t, f.w1, "Awa", "Diop", "1995-02-03")
		today := time.Now().UTC().Format("2006-01-02")
		_, err := f.cs.Refer(f.ctx, f.w1, c.ID, f.orgB.ID, "AdditionalServicesRequired", "")
		wantKind(t, err, derrors.Conflict, "referral without consent")
		if _, err := f.cs.RecordConsent(f.ctx, f.w1, c.ID, cases.Consent{Type: cases.ConsentReferral, Given: true, Date: today}); err != nil {
			t.Fatal(err)
		}
		ref, err := f.cs.Refer(f.ctx, f.w1, c.ID, f.orgB.ID, "AdditionalServicesRequired", "")
		if err != nil || ref.Status != cases.ReferralRequested || ref.ConsentID == 0 {
			t.Fatalf("Refer: %+v, %v", ref, err)
		}
		if _, err := f.cs.Get(f.ctx, f.wb, c.ID); !errors.Is(err, derrors.NotFound) {
			t.Errorf("before acceptance: %v, want NotFound", err)
		}
		_, err = f.cs.DecideReferral(f.ctx, f.w1, ref.ID, cases.ReferralAccepted, "")
		wantKind(t, err, derrors.Forbidden, "the referring side accepts")
		_, err = f.cs.DecideReferral(f.ctx, f.wb, ref.ID, cases.ReferralRevoked, "no")
		wantKind(t, err, derrors.Forbidden, "the receiving side revokes")
		if ref, err = f.cs.DecideReferral(f.ctx, f.wb, ref.ID, cases.ReferralAccepted, ""); err != nil || ref.Status != cases.ReferralAccepted {
			t.Fatalf("accept: %+v, %v", ref, err)
		}
		if got, err := f.cs.Get(f.ctx, f.wb, c.ID); err != nil || got.ID != c.ID {
			t.Fatalf("after acceptance: %v", err)
		}
		if got := listIDs(t, f, f.supB); !slices.Equal(got, []int64{c.ID}) {
			t.Errorf("B's supervisor lists %v", got)
		}
		if _, err := f.cs.AddService(f.ctx, f.wb, c.ID, cases.Service{Type: "Medical", Date: today}); err != nil {
			t.Errorf("receiving org records a service: %v", err)
		}
		_, err = f.cs.Update(f.ctx, f.wb, c.ID, cases.Patch{Version: c.Version, OpenedOn: ptr("2024-03-02")})
		wantKind(t, err, derrors.Forbidden, "receiving org edits the case")
		if _, err := f.cs.DecideReferral(f.ctx, f.w1, ref.ID, cases.ReferralRevoked, "needs changed"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.cs.Get(f.ctx, f.wb, c.ID); !errors.Is(err, derrors.NotFound) {
			t.Errorf("after revocation: %v, want NotFound", err)
		}
		if got := listIDs(t, f, f.wb); len(got) != 0 {
			t.Errorf("after revocation B lists %v", got)
		}

		// A new referral, accepted, then the person withdraws consent.
		ref2, err := f.cs.Refer(f.ctx, f.w1, c.ID, f.orgB.ID, "AdditionalServicesRequired", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.cs.DecideReferral(f.ctx, f.wb, ref2.ID, cases.ReferralAccepted, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.cs.Get(f.ctx, f.wb, c.ID); err != nil {
			t.Fatal(err)
		}
		// The check of one case re-reads the consent in force: a
		// withdrawal written directly (without the store revoking the
		// referral) is enough to refuse opening it. Listings read
		// case_access, which only the store's transactions maintain, so
		// they are checked after the withdrawal through the store below.
		if _, err := f.db.SQL().ExecContext(f.ctx, f.db.Rebind(`INSERT INTO case_consents (case_id, person_id, type, given, consent_date,
			recorded_by, note_enc, key_id, created_at) VALUES (?, ?, 'referral', ?, ?, ?, '', '', ?)`),
			c.ID, c.PersonID, false, today, f.ids["w1"], time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := f.cs.Get(f.ctx, f.wb, c.ID); !errors.Is(err, derrors.NotFound) {
			t.Errorf("after a withdrawal in the table: %v, want NotFound", err)
		}
		// Consent given again, then withdrawn through the store: the
		// referral is revoked too.
		if _, err := f.cs.RecordConsent(f.ctx, f.w1, c.ID, cases.Consent{Type: cases.ConsentReferral, Given: true, Date: today}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.cs.Get(f.ctx, f.wb, c.ID); err != nil {
			t.Fatalf("consent given again: %v", err)
		}
		if got := listIDs(t, f, f.wb); len(got) != 1 || got[0] != c.ID {
			t.Errorf("consent given again: B lists %v", got)
		}
		if _, err := f.cs.RecordConsent(f.ctx, f.w1, c.ID, cases.Consent{Type: cases.ConsentReferral, Given: false, Date: today}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.cs.Get(f.ctx, f.wb, c.ID); !errors.Is(err, derrors.NotFound) {
			t.Errorf("after withdrawal: %v, want NotFound", err)
		}
		if got := listIDs(t, f, f.wb); len(got) != 0 {
			t.Errorf("after withdrawal B lists %v", got)
		}
		refs, err := f.cs.Referrals(f.ctx, f.w1, c.ID)
		if err != nil || len(refs) != 2 || refs[1].Status != cases.ReferralRevoked {
			t.Errorf("referrals after withdrawal: %+v, %v", refs, err)
		}
	})
}

func TestCaseStaleUpdate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newCaseFixture(t, e)
		_, c := f.intake(t, f.w1, "Awa", "Diop", "1995-02-03")
		tr := trafficking()
		tr.TypeOfExploitation = []string{"SexualExploitation"}
		tr.ForcedLabourIndustry = ""
		v2, err := f.cs.Update(f.ctx, f.w1, c.ID, cases.Patch{Version: 1, Trafficking: tr})
		if err != nil || v2.Version != 2 {
			t.Fatalf("first edit: %+v, %v", v2, err)
		}
		stale := trafficking()
		_, err = f.cs.Update(f.ctx, f.w1, c.ID, cases.Patch{Version: 1, Trafficking: stale})
		wantKind(t, err, derrors.Conflict, "stale edit")
		if !strings.Contains(err.Error(), "version") {
			t.Errorf("message: %v", err)
		}
		got, err := f.cs.Get(f.ctx, f.w1, c.ID)
		if err != nil || got.Version != 2 || !reflect.DeepEqual(got.Trafficking, v2.Trafficking) {
			t.Fatalf("stored case changed: %+v, %v", got, err)
		}
		_, err = f.cs.Transition(f.ctx, f.w1, c.ID, 1, cases.StatusClosed, "done")
		wantKind(t, err, derrors.Conflict, "stale transition")
		_, err = f.cs.Transition(f.ctx, f.w1, c.ID, 2, cases.StatusClosed, "")
		wantKind(t, err, derrors.Invalid, "closing without a reason")
		closed, err := f.cs.Transition(f.ctx, f.w1, c.ID, 2, cases.StatusClosed, "Assistance completed")
		if err != nil || closed.Status != cases.StatusClosed || closed.ClosedOn == "" || closed.Version != 3 {
			t.Fatalf("close: %+v, %v", closed, err)
		}
		_, err = f.cs.Transition(f.ctx, f.w1, c.ID, 3, cases.StatusClosedReferred, "x")
		wantKind(t, err, derrors.Conflict, "closed → closed referred")
	})
}

func TestCaseDuplicatesAndMerge(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newCaseFixture(t, e)
		orig, c1 := f.intake(t, f.w1, "Maryam", "Ndiaye", "1990-04-12")
		f.intake(t, f.w1, "Maryam", "Ndiaye", "1971-09-01") // same name, another person
		f.intake(t, f.w1, "Oumar", "Fall", "1990-04-12")    // same birth date, another person
		probe := cases.Candidate{GivenName: "Mariam", FamilyName: "N'Diay", BirthDate: "1990-04-12", Nationality: "SEN"}
		ms, err := f.cs.Duplicates(f.ctx, f.w1, probe)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].PersonID != orig.ID || ms[0].Score < cases.DuplicateThreshold {
			t.Fatalf("duplicates: %+v", ms)
		}
		if ms, err := f.cs.Duplicates(f.ctx, f.wb, probe); err != nil || len(ms) != 0 {
			t.Errorf("another organisation finds %+v, %v", ms, err)
		}
		_, err = f.cs.Duplicates(f.ctx, f.w1, cases.Candidate{BirthDate: "1990-04-12"})
		wantKind(t, err, derrors.Invalid, "empty probe")

		// The re-registration is stored, then merged into the original.
		dup, c2 := f.intake(t, f.w1, "Mariam", "N'Diay", "1990-04-12")
		err = f.cs.MergePeople(f.ctx, f.w1, orig.ID, dup.ID, orig.Version, dup.Version+1)
		wantKind(t, err, derrors.Conflict, "stale merge")
		err = f.cs.MergePeople(f.ctx, f.wb, orig.ID, dup.ID, orig.Version, dup.Version)
		wantKind(t, err, derrors.NotFound, "merge by another organisation")
		if err := f.cs.MergePeople(f.ctx, f.w1, orig.ID, dup.ID, orig.Version, dup.Version); err != nil {
			t.Fatal(err)
		}
		got, err := f.cs.Get(f.ctx, f.w1, c2.ID)
		if err != nil || got.PersonID != orig.ID {
			t.Fatalf("moved case: %+v, %v", got, err)
		}
		page, err := f.cs.List(f.ctx, f.w1, cases.Filter{Limit: 10, PersonID: orig.ID})
		if err != nil || page.Total != 2 {
			t.Errorf("cases of the surviving person: %+v, %v (first %d)", page, err, c1.ID)
		}
		if _, err := f.db.People().Get(f.ctx, dup.ID); !errors.Is(err, derrors.NotFound) {
			t.Errorf("dropped person: %v", err)
		}
		merges, err := f.cs.Merges(f.ctx, orig.ID)
		if err != nil || len(merges) != 1 || merges[0].MergedBy != f.ids["w1"] || merges[0].CasesMoved != 1 {
			t.Errorf("merge record: %+v, %v", merges, err)
		}
		if ms, err := f.cs.Duplicates(f.ctx, f.w1, probe); err != nil || len(ms) != 1 || ms[0].PersonID != orig.ID {
			t.Errorf("after the merge: %+v, %v", ms, err)
		}
	})
}

func TestCaseOverdueTasks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newCaseFixture(t, e)
		_, c1 := f.intake(t, f.w1, "Awa", "Diop", "1995-02-03")
		_, c2 := f.intake(t, f.w2, "Fatou", "Sall", "1990-07-08")
		now := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
		add := func(p *auth.Principal, caseID int64, title, due string) cases.Task {
			t.Helper()
			tk, err := f.cs.AddTask(f.ctx, p, caseID, cases.Task{Title: title, Due: due})
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}
		late := add(f.w1, c1.ID, "Call the shelter", "2024-06-01")
		later := add(f.w1, c1.ID, "Medical follow-up", "2024-06-09")
		add(f.w1, c1.ID, "Today's visit", "2024-06-10")
		done := add(f.w1, c1.ID, "Done one", "2024-05-01")
		other := add(f.w2, c2.ID, "Other worker's", "2024-05-20")
		if _, err := f.cs.CompleteTask(f.ctx, f.w1, done.ID, "2024-05-02"); err != nil {
			t.Fatal(err)
		}
		_, err := f.cs.CompleteTask(f.ctx, f.w1, done.ID, "2024-05-03")
		wantKind(t, err, derrors.Conflict, "completing twice")
		_, err = f.cs.CompleteTask(f.ctx, f.w1, other.ID, "2024-05-03")
		wantKind(t, err, derrors.NotFound, "completing another's task")
		ts, err := f.cs.OverdueTasks(f.ctx, f.w1, now)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, x := range ts {
			got = append(got, x.ID)
		}
		if !slices.Equal(got, []int64{late.ID, later.ID}) || ts[0].Title != "Call the shelter" {
			t.Errorf("w1 overdue: %v (%+v)", got, ts)
		}
		ts, err = f.cs.OverdueTasks(f.ctx, f.sup, now)
		if err != nil || len(ts) != 3 || ts[0].ID != other.ID {
			t.Errorf("supervisor overdue: %+v, %v", ts, err)
		}
	})
}

// loadSynthetic fills the fixture with n generated cases spread over the
// fixture's case workers.
func (f *caseFixture) loadSynthetic(t testing.TB, n int, seed uint64) []synth.Record {
	t.Helper()
	var scopes []auth.Record
	for _, w := range []string{"w1", "w2", "w3", "wb"} {
		org := f.orgA.ID
		if w == "wb" {
			org = f.orgB.ID
		}
		scopes = append(scopes, auth.Record{OrgID: org, TeamID: f.teamOf[w], OwnerID: f.ids[w]})
	}
	opt := synth.Options{Seed: seed, Scopes: scopes}
	var recs []synth.Record
	for r := range synth.All(opt, n) {
		recs = append(recs, r)
	}
	if _, err := f.db.BulkLoadSynthetic(f.ctx, "test", slices.Values(recs), 100); err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestCaseCaseload(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newCaseFixture(t, e)
		recs := f.loadSynthetic(t, 400, 7)
		want := func(keep func(cases.Case) bool) cases.Caseload {
			var ss []cases.Summary
			for _, r := range recs {
				if !r.Case.Draft && keep(r.Case) {
					ss = append(ss, cases.SummaryOf(r.Case, r.Person.BirthDate, r.Person.Nationality))
				}
			}
			return cases.Summarise(ss)
		}
		got, err := f.cs.Caseload(f.ctx, f.admin, cases.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		w := want(func(c cases.Case) bool { return c.OrgID == f.orgA.ID })
		if !reflect.DeepEqual(got, w) {
			t.Errorf("org A caseload:\n got %+v\nwant %+v", got, w)
		}
		if w.Total == 0 || len(w.ByNationality) < 2 {
			t.Fatalf("fixture too small: %+v", w)
		}
		got, err = f.cs.Caseload(f.ctx, f.sup, cases.Filter{Status: cases.StatusActive})
		if err != nil {
			t.Fatal(err)
		}
		w = want(func(c cases.Case) bool {
			return c.Status == cases.StatusActive && (c.TeamID == f.teamA1.ID || c.OwnerID == f.ids["sup"])
		})
		if !reflect.DeepEqual(got, w) {
			t.Errorf("team A1 active caseload:\n got %+v\nwant %+v", got, w)
		}
		_, err = f.cs.Caseload(f.ctx, f.w1, cases.Filter{})
		wantKind(t, err, derrors.Forbidden, "case worker dashboard")
		// The list agrees with the counts.
		page, err := f.cs.List(f.ctx, f.sup, cases.Filter{Status: cases.StatusActive, Limit: 500})
		if err != nil || page.Total < w.Total || len(page.Items) != page.Total {
			t.Errorf("supervisor's active list: total %d (caseload %d), %v", page.Total, w.Total, err)
		}
	})
}

func TestCaseExport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newCaseFixture(t, e)
		recs := f.loadSynthetic(t, 120, 3)
		var own []int64
		for _, r := range recs {
			if r.Case.OwnerID == f.ids["w1"] && !r.Case.Draft {
				own = append(own, r.Case.ID)
			}
		}
		run := func(p *auth.Principal, ex cases.Export) ([]string, [][]string, error) {
			var h []string
			var rows [][]string
			err := f.cs.Export(f.ctx, p, cases.Filter{}, ex, func(x []string) error { h = x; return nil },
				func(x []string) error { rows = append(rows, x); return nil })
			return h, rows, err
		}
		all := cases.Visibility{Identity: true, Profile: true, Narrative: true}
		h, rows, err := run(f.w1, cases.Export{Visibility: all})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(own) || !slices.Contains(h, "prs_FirstName") {
			t.Fatalf("w1 exports %d rows (own %d), header %v", len(rows), len(own), h)
		}
		first := slices.Index(h, "prs_FirstName")
		owner := slices.Index(h, "cas_CaseOwner")
		for _, r := range rows {
			if r[owner] != fmt.Sprint(f.ids["w1"]) || r[first] == "" {
				t.Fatalf("row outside scope or without name: %v", r)
			}
		}
		_, _, err = run(f.admin, cases.Export{Visibility: all})
		wantKind(t, err, derrors.Forbidden, "org admin exports")
		// A role that may export cases but not personal records gets no
		// identity or narrative column.
		analyst := auth.NewPrincipal(f.ids["admin"], "admin", f.orgA.ID, nil, []auth.Role{{Name: "x", Permissions: []auth.Permission{
			{Resource: "cases", Action: auth.Export, Scope: auth.ScopeOrg}}}}, nil)
		h, rows, err = run(analyst, cases.Export{Visibility: all})
		if err != nil || slices.Contains(h, "prs_FirstName") || slices.Contains(h, "vic_DetailsOfVulnerabilities") || !slices.Contains(h, "prs_Gender") {
			t.Fatalf("case-only export: %v, %v", h, err)
		}
		nA := 0
		for _, r := range recs {
			if r.Case.OrgID == f.orgA.ID && !r.Case.Draft {
				nA++
			}
		}
		if len(rows) != nA {
			t.Errorf("org export: %d rows, want %d", len(rows), nA)
		}
		gender := slices.Index(h, "prs_Gender")
		for _, r := range rows {
			if r[gender] != "" {
				t.Fatalf("person column filled without people export: %v", r)
			}
		}
		es, err := f.db.Audit().List(f.ctx, audit.Filter{Resource: "cases", Action: audit.ActionExport, Limit: 100})
		if err != nil || len(es) < 4 {
			t.Errorf("export audit entries: %d, %v", len(es), err)
		}
	})
}

func TestCaseEncryptionAtRest(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newCaseFixture(t, e)
		_, c := f.intake(t, f.w1, "Zainabou", "Kouyatéssa", "1993-01-17")
		if _, err := f.cs.AddComment(f.ctx, f.w1, c.ID, "Met her at the bus station in Tambacounda"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.cs.AddTask(f.ctx, f.w1, c.ID, cases.Task{Title: "Visit the aunt in Kaolack", Due: "2024-07-01"}); err != nil {
			t.Fatal(err)
		}
		var dump strings.Builder
		for _, table := range []string{"people", "cases", "case_comments", "case_tasks", "case_person_keys", "audit_log"} {
			rows, err := f.db.SQL().QueryContext(f.ctx, "SELECT * FROM "+table)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				for _, v := range vals {
					fmt.Fprintf(&dump, "%s|", v)
				}
			}
			rows.Close()
		}
		for _, secret := range []string{"Zainabou", "Kouyat", "1993-01-17", "Tambacounda", "Kaolack", "Lost her job", "Dakar"} {
			if strings.Contains(dump.String(), secret) {
				t.Errorf("%q is stored in clear", secret)
			}
		}
		got, err := f.cs.Comments(f.ctx, f.w1, c.ID)
		if err != nil || len(got) != 1 || got[0].Body != "Met her at the bus station in Tambacounda" {
			t.Errorf("comments read back: %+v, %v", got, err)
		}
	})
}

func TestCaseBadInput(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newCaseFixture(t, e)
		_, c := f.intake(t, f.w1, "Awa", "Diop", "1995-02-03")
		count := func() (n int) {
			t.Helper()
			if err := f.db.SQL().QueryRowContext(f.ctx, `SELECT (SELECT COUNT(*) FROM cases) + (SELECT COUNT(*) FROM people) + (SELECT COUNT(*) FROM case_comments) + (SELECT COUNT(*) FROM case_tasks) + (SELECT COUNT(*) FROM case_consents)`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		bad := trafficking()
		bad.TraffickingStatus = "Maybe"
		for _, x := range []struct {
			field string
			err   error
		}{
			{"trafficking.vic_TraffickingStatus", func() error {
				_, _, err := f.cs.CreateWithPerson(f.ctx, f.w1, people.Person{GivenName: "A", FamilyName: "B", Sex: "female", DocumentType: "none"},
					cases.Case{Kind: cases.KindTrafficking, OrgID: f.orgA.ID, TeamID: f.teamA1.ID, OwnerID: f.ids["w1"], OpenedOn: "2024-01-01", Trafficking: bad})
				return err
			}()},
			{"cas_CaseOwner", func() error {
				_, _, err := f.cs.CreateWithPerson(f.ctx, f.sup, people.Person{GivenName: "A", FamilyName: "B", Sex: "female", DocumentType: "none"},
					cases.Case{Kind: cases.KindTrafficking, OrgID: f.orgA.ID, TeamID: f.teamA1.ID, OwnerID: f.ids["sup"] + 1000, OpenedOn: "2024-01-01", Trafficking: trafficking()})
				if errors.Is(err, derrors.Forbidden) {
					return nil
				}
				return err
			}()},
			{"openedOn", func() error {
				_, err := f.cs.Update(f.ctx, f.w1, c.ID, cases.Patch{Version: 1, OpenedOn: ptr("2024-13-01")})
				return err
			}()},
			{"cco_CaseComment", func() error { _, err := f.cs.AddComment(f.ctx, f.w1, c.ID, "  "); return err }()},
			{"due", func() error {
				_, err := f.cs.AddTask(f.ctx, f.w1, c.ID, cases.Task{Title: "x", Due: "tomorrow"})
				return err
			}()},
			{"type", func() error {
				_, err := f.cs.RecordConsent(f.ctx, f.w1, c.ID, cases.Consent{Type: "everything", Given: true, Date: "2024-01-01"})
				return err
			}()},
			{"date", func() error {
				_, err := f.cs.RecordConsent(f.ctx, f.w1, c.ID, cases.Consent{Type: cases.ConsentReferral, Given: true, Date: "2999-01-01"})
				return err
			}()},
		} {
			if x.err == nil {
				if x.field != "cas_CaseOwner" {
					t.Errorf("%s: no error", x.field)
				}
				continue
			}
			if !errors.Is(x.err, derrors.Invalid) || !strings.Contains(x.err.Error(), x.field) {
				t.Errorf("%s: %v", x.field, x.err)
			}
		}
		if after := count(); after != before {
			t.Errorf("rows changed by refused input: %d → %d", before, after)
		}
		got, err := f.cs.Get(f.ctx, f.w1, c.ID)
		if err != nil || got.Version != 1 || got.OpenedOn != "2024-03-01" {
			t.Errorf("case changed: %+v, %v", got, err)
		}
	})
}

// TestCaseCreateMerged: the reviewed merge at intake registers the typed
// person with the new case and merges them into the registered person in
// one transaction; a stale review stores nothing at all.
func TestCaseCreateMerged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newCaseFixture(t, e)
		orig, c1 := f.intake(t, f.w1, "Maryam", "Ndiaye", "1990-04-12")
		counts := func() (n [3]int) {
			t.Helper()
			for i, table := range []string{"people", "cases", "person_merges"} {
				if err := f.db.SQL().QueryRowContext(f.ctx, `SELECT COUNT(*) FROM `+table).Scan(&n[i]); err != nil {
					t.Fatal(err)
				}
			}
			return n
		}
		typed := people.Person{GivenName: "Mariam", FamilyName: "N'Diay", BirthDate: "1990-04-12", Sex: "female", Nationality: "SEN", DocumentType: "none"}
		newCase := cases.Case{Kind: cases.KindTrafficking, OrgID: f.orgA.ID, TeamID: f.teamA1.ID, OwnerID: f.ids["w1"], OpenedOn: "2024-05-01", Trafficking: trafficking()}
		before := counts()
		_, err := f.cs.CreateMerged(f.ctx, f.w1, typed, newCase, orig.ID, orig.Version+1)
		wantKind(t, err, derrors.Conflict, "stale review")
		if got := counts(); got != before {
			t.Fatalf("after a stale review: people, cases, merges = %v, want %v", got, before)
		}
		_, err = f.cs.CreateMerged(f.ctx, f.wb, typed, cases.Case{Kind: cases.KindTrafficking, OrgID: f.orgB.ID, TeamID: f.teamB1.ID,
			OwnerID: f.ids["wb"], OpenedOn: "2024-05-01", Trafficking: trafficking()}, orig.ID, orig.Version)
		wantKind(t, err, derrors.NotFound, "merge into a person of another organisation")
		if got := counts(); got != before {
			t.Fatalf("after a refused merge: people, cases, merges = %v, want %v", got, before)
		}
		c2, err := f.cs.CreateMerged(f.ctx, f.w1, typed, newCase, orig.ID, orig.Version)
		if err != nil {
			t.Fatal(err)
		}
		if c2.PersonID != orig.ID || c2.ID == c1.ID || c2.OpenedOn != "2024-05-01" {
			t.Fatalf("merged case: %+v", c2)
		}
		if got, want := counts(), [3]int{before[0], before[1] + 1, before[2] + 1}; got != want {
			t.Errorf("after the merge: people, cases, merges = %v, want %v", got, want)
		}
		page, err := f.cs.List(f.ctx, f.w1, cases.Filter{Limit: 10, PersonID: orig.ID})
		if err != nil || page.Total != 2 {
			t.Errorf("cases of the registered person: %+v, %v", page, err)
		}
	})
}
