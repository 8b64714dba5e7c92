package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/crypt"
	"github.com/corridor-platform/corridor/internal/people"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// A password that passes the policy.
const goodPassword = "tangerine-ferry-4-lighthouse"

// corridorIn runs a subcommand in-process with stdin as its standard input.
func corridorIn(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, strings.NewReader(stdin), &out, &errb, noEnv)
	return code, out.String(), errb.String()
}

// step is one CLI call of a table-driven test and what it must give.
type step struct {
	name    string
	stdin   string
	args    []string
	code    int
	want    []string // in stdout+stderr
	notWant []string
}

func (s step) check(t *testing.T) string {
	t.Helper()
	code, stdout, stderr := corridorIn(t, s.stdin, s.args...)
	all := stdout + stderr
	if code != s.code {
		t.Errorf("%s: exit %d, want %d\n%s", s.name, code, s.code, all)
	}
	for _, w := range s.want {
		if !strings.Contains(all, w) {
			t.Errorf("%s: output lacks %q:\n%s", s.name, w, all)
		}
	}
	for _, w := range s.notWant {
		if strings.Contains(all, w) {
			t.Errorf("%s: output contains %q:\n%s", s.name, w, all)
		}
	}
	return stdout
}

// accounts is a database with a key file, for the account commands.
type accounts struct {
	dsn, key string
}

// db and key are the flags of commands on personal data.
func (a accounts) flags(args ...string) []string {
	return append(args, "--db", a.dsn, "--key-file", a.key, "--log-level", "warn")
}

func newAccounts(t *testing.T, e storetest.Engine) accounts {
	t.Helper()
	key := filepath.Join(t.TempDir(), "corridor.key")
	if code, _, stderr := corridor(t, "keys", "generate", "--out", key); code != 0 {
		t.Fatalf("keys generate: %s", stderr)
	}
	return accounts{dsn: e.DSN, key: key}
}

// addOrg adds an organisation through the CLI.
func (a accounts) addOrg(t *testing.T, name, kind, country string) {
	t.Helper()
	if code, _, stderr := corridor(t, "org", "add", "--db", a.dsn, "--data-dir", dataDir, "--log-level", "warn",
		"--name", name, "--kind", kind, "--country", country); code != 0 {
		t.Fatalf("org add %s: %s", name, stderr)
	}
}

// addUser adds a user through the CLI, the password on stdin.
func (a accounts) addUser(t *testing.T, username, org, fullName, email string, roles ...string) {
	t.Helper()
	args := a.flags("user", "add", "--username", username, "--org", org, "--full-name", fullName, "--email", email)
	for _, r := range roles {
		args = append(args, "--role", r)
	}
	if code, _, stderr := corridorIn(t, goodPassword+"\n", args...); code != 0 {
		t.Fatalf("user add %s: %s", username, stderr)
	}
}

// openStore opens the test database directly (keys from keyFile, if any).
func openStore(t *testing.T, dsn, keyFile string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if keyFile != "" {
		kr, err := crypt.LoadKeyring(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		db.SetKeys(kr)
	}
	return db
}

func TestOrgAndUserCommands(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		a := newAccounts(t, e)
		org := func(args ...string) []string {
			return append([]string{"org", "add", "--db", a.dsn, "--data-dir", dataDir, "--log-level", "warn"}, args...)
		}
		user := func(args ...string) []string { return a.flags(append([]string{"user"}, args...)...) }
		add := func(username string, extra ...string) []string {
			return user(append([]string{"add", "--username", username, "--org", "Ministry of Labour", "--full-name", "Amina Odhiambo"}, extra...)...)
		}
		steps := []step{
			{name: "org add", args: org("--name", "Ministry of Labour", "--kind", "government", "--country", "ken"), want: []string{"added organisation 1", "KEN", "Kenya"}},
			{name: "org add second", args: org("--name", "Kituo Cha Sheria", "--kind", "ngo", "--country", "KEN"), want: []string{"added organisation 2"}},
			{name: "org add duplicate", args: org("--name", "Ministry of Labour", "--kind", "government", "--country", "KEN"), code: 1, want: []string{"--name", "exists"}},
			{name: "org add unknown country", args: org("--name", "Nowhere NGO", "--kind", "ngo", "--country", "XXX"), code: 1, want: []string{"--country", `"XXX"`}},
			{name: "org add region as country", args: org("--name", "Region NGO", "--kind", "ngo", "--country", "002"), code: 1, want: []string{"--country"}},
			{name: "org add bad kind", args: org("--name", "A Club", "--kind", "club", "--country", "KEN"), code: 1, want: []string{"--kind", "government"}},
			{name: "org add no name", args: org("--kind", "ngo", "--country", "KEN"), code: 2, want: []string{"--name is required"}},
			{name: "org list", args: []string{"org", "list", "--db", a.dsn}, want: []string{"ID", "Ministry of Labour", "government", "KEN", "Kituo Cha Sheria"}, notWant: []string{"Nowhere", "Club"}},

			{name: "first administrator", stdin: goodPassword + "\n",
				args: add("admin", "--email", "amina@example.org", "--role", "system-admin"), want: []string{"added user 1 admin", "system-admin"},
				notWant: []string{goodPassword}},
			{name: "second user, org by id, two roles", stdin: goodPassword + "\r\n",
				args: user("add", "--username", "Worker1", "--org", "2", "--full-name", "Baraka Mwangi", "--role", "case-worker,viewer"),
				want: []string{"added user 2 worker1", "case-worker,viewer"}},
			{name: "too short", stdin: "short\n", args: add("short"), code: 1, want: []string{"password", "at least 12 characters"}, notWant: []string{"short\n"}},
			{name: "common", stdin: "1qaz2wsx3edc\n", args: add("common"), code: 1, want: []string{"password", "common passwords"}},
			{name: "password is the username", stdin: "carolinewanjiru\n", args: add("carolinewanjiru"), code: 1, want: []string{"password", "username"}},
			{name: "no password", stdin: "", args: add("nopw"), code: 1, want: []string{"password", "standard input"}},
			{name: "duplicate username", stdin: goodPassword + "\n", args: add("ADMIN"), code: 1, want: []string{"--username", `"admin" is taken`}},
			{name: "unknown org", stdin: goodPassword + "\n", args: user("add", "--username", "user-x1", "--org", "Nope", "--full-name", "X"), code: 1, want: []string{"--org", "Nope"}},
			{name: "unknown role", stdin: goodPassword + "\n", args: add("user-x2", "--role", "overlord"), code: 1, want: []string{"--role", "overlord", "case-worker"}},
			{name: "implicit role", stdin: goodPassword + "\n", args: add("user-x3", "--role", "public"), code: 1, want: []string{"--role", "implicit"}},
			{name: "unknown team", stdin: goodPassword + "\n", args: add("user-x4", "--team", "99"), code: 1, want: []string{"--team", "99"}},
			{name: "bad team", stdin: goodPassword + "\n", args: add("user-x5", "--team", "abc"), code: 2, want: []string{"-team", "abc"}},
			{name: "bad email", stdin: goodPassword + "\n", args: add("user-x6", "--email", "not-an-address"), code: 1, want: []string{"--email"}},
			{name: "bad username", stdin: goodPassword + "\n", args: add("a b"), code: 1, want: []string{"--username"}},
			{name: "no full name", args: user("add", "--username", "user-x7", "--org", "1"), code: 2, want: []string{"--full-name is required"}},
			{name: "password as an argument", args: append(add("user-x8"), goodPassword), code: 2, want: []string{"unexpected argument"}},
			{name: "no key", stdin: goodPassword + "\n",
				args: []string{"user", "add", "--db", a.dsn, "--username", "user-x9", "--org", "1", "--full-name", "X"}, code: 1, want: []string{"--key-file"}},

			{name: "list", args: user("list"), want: []string{"USERNAME", "admin", "Ministry of Labour", "system-admin", "worker1", "Kituo Cha Sheria", "case-worker,viewer"},
				notWant: []string{"Amina", "amina@", "Baraka", "short", "common", "user-x1", "FULL NAME"}},
			{name: "list one org", args: user("list", "--org", "Kituo Cha Sheria"), want: []string{"worker1"}, notWant: []string{"admin"}},
			{name: "list with names", args: user("list", "--show-names"), want: []string{"FULL NAME", "Amina Odhiambo", "amina@example.org", "Baraka Mwangi"}},

			{name: "passwd weak", stdin: "password\n", args: user("passwd", "--username", "worker1"), code: 1, want: []string{"password"}},
			{name: "passwd", stdin: "new-" + goodPassword + "\n", args: user("passwd", "--username", "worker1"), want: []string{"password of worker1 changed"}},
			{name: "passwd unknown", stdin: goodPassword + "\n", args: user("passwd", "--username", "ghost"), code: 1, want: []string{"--username", "ghost"}},
			{name: "passwd no username", args: user("passwd"), code: 2, want: []string{"--username is required"}},
			{name: "disable", args: user("disable", "--username", "worker1"), want: []string{"worker1 disabled"}},
			{name: "list shows disabled", args: user("list", "--org", "2"), want: []string{"worker1", "yes"}},
			{name: "disable unknown", args: user("disable", "--username", "ghost"), code: 1, want: []string{"--username", "ghost"}},
			{name: "enable", args: user("enable", "--username", "admin"), want: []string{"admin enabled"}},
			{name: "unknown subcommand", args: []string{"user", "delete"}, code: 2, want: []string{"unknown subcommand", "passwd"}},
			{name: "no subcommand", args: []string{"user"}, code: 2, want: []string{"Subcommands"}},
			{name: "help", args: []string{"user", "add", "-h"}, want: []string{"--username", "standard input", "system-admin"}},
		}
		for _, s := range steps {
			s.check(t)
		}

		db := openStore(t, a.dsn, a.key)
		ctx := context.Background()
		users, total, err := db.Accounts().Users(ctx, auth.Filter{All: true}, 100, 0)
		if err != nil || total != 2 {
			t.Fatalf("users after the steps: %d %v, want admin and worker1 only", total, err)
		}
		if !users[1].Disabled || users[0].Disabled {
			t.Errorf("disabled flags: admin %v, worker1 %v", users[0].Disabled, users[1].Disabled)
		}
		cred, err := db.Accounts().CredentialsFor(ctx, "worker1")
		if err != nil || !auth.VerifyPassword("new-"+goodPassword, cred.PasswordHash) || auth.VerifyPassword(goodPassword, cred.PasswordHash) {
			t.Errorf("worker1's password was not changed (%v)", err)
		}
		cred, _ = db.Accounts().CredentialsFor(ctx, "admin")
		if !auth.VerifyPassword(goodPassword, cred.PasswordHash) {
			t.Errorf("admin's password does not verify")
		}

		// Every change, and the reading of names, is in the audit trail,
		// by "cli", without personal data.
		stdout := step{name: "export", args: []string{"audit", "export", "--db", a.dsn, "--out", "-"}}.check(t)
		for _, want := range []string{",cli,0,create,orgs,1,ok,,", ",cli,0,create,users,1,ok,,", ",cli,0,create,users,2,ok,,",
			",cli,0,update,users,2,ok,,password set", ",cli,0,update,users,2,ok,,\"account disabled", ",cli,0,read,users,,ok,,full names"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("audit export lacks %q:\n%s", want, stdout)
			}
		}
		for _, no := range []string{"Amina", "Baraka", "example.org", goodPassword} {
			if strings.Contains(stdout, no) {
				t.Errorf("audit trail holds %q", no)
			}
		}
		step{name: "verify", args: []string{"audit", "verify", "--db", a.dsn, "--key-file", a.key}, want: []string{"audit trail OK: 9 entries, head 9:"}}.check(t)
	})
}

// TestPersonalDataNotInPlaintext stores a user and a person with
// distinctive personal data and checks that neither the raw SQLite files
// nor a text dump of the PostgreSQL rows contain any of it, while the
// values read back through the key.
func TestPersonalDataNotInPlaintext(t *testing.T) {
	const (
		fullName   = "Zephyrine Quillborough-Achterberg"
		email      = "zq.vantablack@distinct-example.org"
		givenName  = "Marisolene"
		familyName = "Oyelaran-Whitcombe"
		docNumber  = "ZX98765432"
	)
	secrets := []string{fullName, "Zephyrine", "Quillborough", email, "vantablack", givenName, familyName, docNumber, "98765432"}
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		a := newAccounts(t, e)
		a.addOrg(t, "Counter-Trafficking Unit", "government", "NGA")
		a.addUser(t, "caseworker", "Counter-Trafficking Unit", fullName, email, "case-worker")

		ctx := context.Background()
		db := openStore(t, a.dsn, a.key)
		uid, err := db.Accounts().UserID(ctx, "caseworker")
		if err != nil {
			t.Fatal(err)
		}
		var p people.Person
		err = db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			p, err = db.People().Create(ctx, tx, people.Person{OrgID: 1, OwnerID: uid, GivenName: givenName, FamilyName: familyName,
				BirthDate: "1994-03-07", Sex: "female", Nationality: "NGA", DocumentType: "passport", DocumentNumber: docNumber})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// The data is there and reads back with the key …
		got, err := db.People().Get(ctx, p.ID)
		if err != nil || got.GivenName != givenName || got.DocumentNumber != docNumber {
			t.Fatalf("person read back: %+v %v", got, err)
		}
		found, _, err := db.People().List(ctx, auth.Filter{All: true}, store.PeopleQuery{DocumentNumber: "zx 9876 5432", Limit: 10})
		if err != nil || len(found) != 1 {
			t.Errorf("blind index lookup by document number: %d found, %v", len(found), err)
		}
		step{name: "names", args: a.flags("user", "list", "--show-names"), want: []string{fullName, email}}.check(t)

		// … but nowhere in plaintext.
		var dump []byte
		if e.Name == "sqlite" {
			db.Close()
			for _, f := range []string{a.dsn, a.dsn + "-wal", a.dsn + "-journal"} {
				b, err := os.ReadFile(f)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				dump = append(dump, b...)
			}
			if len(dump) < 4096 {
				t.Fatalf("read only %d bytes of the SQLite database", len(dump))
			}
		} else {
			pg, err := sql.Open("pgx", a.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer pg.Close()
			for _, table := range []string{"users", "people", "audit_log", "orgs"} {
				rows, err := pg.QueryContext(ctx, `SELECT t::text FROM `+table+` t`)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						t.Fatal(err)
					}
					dump = append(dump, s...)
					dump = append(dump, '\n')
					n++
				}
				rows.Close()
				if n == 0 {
					t.Fatalf("table %s is empty", table)
				}
			}
			if !bytes.Contains(dump, []byte("enc1:")) {
				t.Fatalf("the dump holds no ciphertext:\n%s", dump)
			}
		}
		lower := bytes.ToLower(dump)
		for _, s := range secrets {
			if bytes.Contains(lower, []byte(strings.ToLower(s))) {
				t.Errorf("%s database holds %q in plaintext", e.Name, s)
			}
		}
		if !bytes.Contains(dump, []byte("caseworker")) {
			t.Errorf("sanity: the dump lacks the username (not personal data), so the check reads the wrong bytes")
		}
	})
}
