package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/people"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// TestCasesGenerateCLI: corridor cases generate through Main — it needs
// the key, creates its fictitious organisations once and reuses them,
// stores readable cases that a generated supervisor sees, and refuses a
// database holding a case it did not make unless --force.
func TestCasesGenerateCLI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		a := newAccounts(t, e)
		gen := func(args ...string) []string { return a.flags(append([]string{"cases", "generate"}, args...)...) }

		step{name: "no key", args: []string{"cases", "generate", "--n", "5", "--db", a.dsn, "--log-level", "warn"}, code: 1,
			want: []string{"encryption key"}}.check(t)
		step{name: "no n", args: gen(), code: 2, want: []string{"--n must be"}}.check(t)
		step{name: "bad until", args: gen("--n", "5", "--until", "yesterday"), code: 2, want: []string{"--until"}}.check(t)
		step{name: "first run", args: gen("--n", "60", "--seed", "3"), code: 0,
			want: []string{"generated 60 synthetic cases", "trafficking", "referrals", "synth-o1-t1-w1"}}.check(t)
		step{name: "second run reuses the accounts", args: gen("--n", "15", "--seed", "4"), code: 0,
			want: []string{"generated 15 synthetic cases"}}.check(t)

		db := openStore(t, a.dsn, a.key)
		count := func(q string) int {
			t.Helper()
			var n int
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.QueryRow(ctx, q).Scan(&n) }); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(`SELECT COUNT(*) FROM cases`); n != 75 {
			t.Errorf("%d cases, want 75", n)
		}
		if n := count(`SELECT COUNT(*) FROM orgs WHERE name LIKE '%(synthetic)'`); n != len(synthOrgs) {
			t.Errorf("%d synthetic organisations, want %d", n, len(synthOrgs))
		}
		if n := count(`SELECT COUNT(*) FROM users WHERE username LIKE 'synth-%'`); n != len(synthOrgs)*synthTeams*(synthWorkers+1) {
			t.Errorf("%d synthetic users", n)
		}
		// A generated supervisor sees and reads (decrypts) their team's cases.
		supID, err := db.Accounts().UserID(ctx, synthUsername(1, 1, "sup"))
		if err != nil {
			t.Fatal(err)
		}
		sup, err := db.Accounts().Principal(ctx, supID, nil)
		if err != nil {
			t.Fatal(err)
		}
		page, err := db.Cases().List(ctx, sup, cases.Filter{Limit: 5, IncludeDrafts: true})
		if err != nil || page.Total == 0 || len(page.Items) == 0 {
			t.Fatalf("supervisor's list: %+v, %v", page, err)
		}
		c, err := db.Cases().Get(ctx, sup, page.Items[0].CaseID)
		if err != nil || c.Trafficking == nil && c.Return == nil {
			t.Errorf("generated case %d: %+v, %v", page.Items[0].CaseID, c, err)
		}

		// A real case in the database: the generator refuses, unless forced.
		a.addOrg(t, "Ministry of Labour", "government", "KEN")
		a.addUser(t, "worker", "Ministry of Labour", "Real Worker", "worker@example.org", auth.RoleCaseWorker)
		wid, err := db.Accounts().UserID(ctx, "worker")
		if err != nil {
			t.Fatal(err)
		}
		w, err := db.Accounts().Principal(ctx, wid, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = db.Cases().CreateWithPerson(ctx, w, people.Person{GivenName: "Awa", FamilyName: "Sow", BirthDate: "1990-01-01", Sex: "female",
			Nationality: "SEN", DocumentType: "none"}, cases.Case{Kind: cases.KindTrafficking, OrgID: w.OrgID, OwnerID: w.UserID, OpenedOn: "2024-03-01",
			Draft: true})
		if err != nil {
			t.Fatal(err)
		}
		step{name: "refused", args: gen("--n", "5"), code: 1, want: []string{"1 cases not made by the generator", "--force"}}.check(t)
		if n := count(`SELECT COUNT(*) FROM cases`); n != 76 {
			t.Errorf("after the refusal: %d cases, want 76", n)
		}
		step{name: "forced", args: gen("--n", "5", "--force"), code: 0, want: []string{"generated 5 synthetic cases"}}.check(t)
		if n := count(`SELECT COUNT(*) FROM cases`); n != 81 {
			t.Errorf("after --force: %d cases, want 81", n)
		}
		// An organisation with a generator's name that it did not make.
		if _, err := db.SQL().ExecContext(ctx, `DELETE FROM settings WHERE name = '`+syntheticSetting+`'`); err != nil {
			t.Fatal(err)
		}
		out := step{name: "name clash", args: gen("--n", "5", "--force"), code: 1, want: []string{"did not create"}}.check(t)
		if strings.Contains(out, "generated") {
			t.Errorf("generated despite the clash: %s", out)
		}
		t.Logf("%s: %s cases stored", e.Name, strconv.Itoa(count(`SELECT COUNT(*) FROM cases`)))
	})
}
