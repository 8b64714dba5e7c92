package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/crypt"
	"github.com/corridor-platform/corridor/internal/people"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

func TestKeysGenerate(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "corridor.key")
	steps := []step{
		{name: "no --out", args: []string{"keys", "generate"}, code: 2, want: []string{"--out is required"}},
		{name: "generate", args: []string{"keys", "generate", "--out", key}, want: []string{"wrote key file " + key, "0600", "active key k"}},
		{name: "never overwrites", args: []string{"keys", "generate", "--out", key}, code: 1, want: []string{"--out", "exists"}},
		{name: "no directory", args: []string{"keys", "generate", "--out", filepath.Join(dir, "nope", "k")}, code: 1, want: []string{"--out"}},
		{name: "unknown subcommand", args: []string{"keys", "make"}, code: 2, want: []string{"unknown subcommand", "rotate"}},
		{name: "rotate help tells the order", args: []string{"keys", "rotate", "-h"}, want: []string{"--wait", "retire", "no-new-key", "within 10 seconds"}},
	}
	before := []byte(nil)
	for _, s := range steps {
		s.check(t)
		if s.name == "generate" {
			before, _ = os.ReadFile(key)
		}
	}
	st, err := os.Stat(key)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	after, _ := os.ReadFile(key)
	if !bytes.Equal(before, after) {
		t.Errorf("the refused second generate changed the key file")
	}
	kr, err := crypt.LoadKeyring(key)
	if err != nil || len(kr.KeyIDs()) != 1 {
		t.Fatalf("generated key file: %v %v", kr, err)
	}
}

// keyIDs returns the key ids the rows of a table are encrypted under.
func keyIDs(t *testing.T, db *store.DB, table string) []string {
	t.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), `SELECT key_id FROM `+table+` ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func allEqual(ids []string, want string) bool {
	for _, id := range ids {
		if id != want {
			return false
		}
	}
	return len(ids) > 0
}

func TestKeysRotateAndRetire(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		a := newAccounts(t, e)
		a.addOrg(t, "Ministry of Labour", "government", "KEN")
		a.addUser(t, "alice", "Ministry of Labour", "Alice Atieno", "alice@example.org", "case-worker")
		a.addUser(t, "bob", "Ministry of Labour", "Bob Barasa", "bob@example.org", "viewer")
		ctx := context.Background()
		db := openStore(t, a.dsn, a.key)
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for _, n := range []string{"Chebet", "Dalmas", "Esther"} {
				if _, err := db.People().Create(ctx, tx, people.Person{OrgID: 1, OwnerID: 1, GivenName: n, FamilyName: "Kamau",
					Sex: "unknown", DocumentType: "national-id", DocumentNumber: "ID-" + n}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		first, err := crypt.LoadKeyring(a.key)
		if err != nil {
			t.Fatal(err)
		}
		keyA := first.ActiveKeyID()
		for _, table := range []string{"users", "people"} {
			if ids := keyIDs(t, db, table); !allEqual(ids, keyA) {
				t.Fatalf("%s key ids %v, want all %s", table, ids, keyA)
			}
		}
		keys := func(args ...string) []string { return a.flags(append([]string{"keys"}, args...)...) }
		names := step{name: "names readable", args: a.flags("user", "list", "--show-names"), want: []string{"Alice Atieno", "bob@example.org"}}

		// A second key is added by hand (as a rotation interrupted before
		// re-encrypting would leave it): rows still use key A.
		content, keyB, err := first.Rotate()
		if err != nil {
			t.Fatal(err)
		}
		if err := crypt.WriteKeyFile(a.key, content); err != nil {
			t.Fatal(err)
		}
		steps := []step{
			{name: "retire in use", args: keys("retire", "--key", keyA), code: 1, want: []string{"--key", keyA, "still in use", "--no-new-key"}},
			{name: "retire active", args: keys("retire", "--key", keyB), code: 1, want: []string{"--key", "active key"}},
			{name: "retire unknown", args: keys("retire", "--key", "k19990101a"), code: 1, want: []string{"--key", "k19990101a", keyA}},
			{name: "retire no --key", args: keys("retire"), code: 2, want: []string{"--key is required"}},
			{name: "rotate bad batch", args: keys("rotate", "--batch", "0"), code: 1, want: []string{"--batch"}},
			{name: "rotate no key file", args: []string{"keys", "rotate", "--db", a.dsn}, code: 2, want: []string{"--key-file is required"}},
			{name: "rotate missing key file", args: []string{"keys", "rotate", "--db", a.dsn, "--key-file", a.key + ".missing"}, code: 1, want: []string{"--key-file"}},
			names,
			// Finish the interrupted rotation: everything moves to B.
			{name: "re-encrypt", args: keys("rotate", "--no-new-key", "--batch", "2"), want: []string{"under key " + keyB, "users: 2 row(s)", "people: 5 row(s)", "done: 5 row(s)"},
				notWant: []string{"added key"}},
		}
		for _, s := range steps {
			s.check(t)
		}
		for _, table := range []string{"users", "people"} {
			if ids := keyIDs(t, db, table); !allEqual(ids, keyB) {
				t.Fatalf("after re-encryption %s key ids %v, want all %s", table, ids, keyB)
			}
		}
		step{name: "retire A", args: keys("retire", "--key", keyA), want: []string{"retired key " + keyA, "active " + keyB}}.check(t)
		names.check(t)

		// A full rotation: a new key C is added and made active, every row
		// moves to it, B can be retired, and the data still reads.
		out := step{name: "rotate", args: keys("rotate", "--wait", "0", "--batch", "1"), want: []string{"added key", "(active)", keyB, "users: 1 row(s)", "users: 2 row(s)", "done: 5 row(s)", "retire"}}.check(t)
		now, err := crypt.LoadKeyring(a.key)
		if err != nil {
			t.Fatal(err)
		}
		keyC := now.ActiveKeyID()
		if keyC == keyB || !now.HasKey(keyB) || len(now.KeyIDs()) != 2 || !strings.Contains(out, "added key "+keyC) {
			t.Fatalf("after rotate the key file holds %v (active %s)", now.KeyIDs(), keyC)
		}
		if st, _ := os.Stat(a.key); st.Mode().Perm() != 0o600 {
			t.Errorf("rotated key file mode %v", st.Mode().Perm())
		}
		for _, table := range []string{"users", "people"} {
			if ids := keyIDs(t, db, table); !allEqual(ids, keyC) {
				t.Fatalf("after rotate %s key ids %v, want all %s", table, ids, keyC)
			}
		}
		step{name: "retire B", args: keys("retire", "--key", keyB), want: []string{"retired key " + keyB}}.check(t)
		names.check(t)
		db.SetKeys(now)
		p, err := db.People().Get(ctx, 2)
		if err != nil || p.GivenName != "Dalmas" || p.DocumentNumber != "ID-Dalmas" {
			t.Errorf("person 2 after rotations: %+v %v", p, err)
		}

		// The old key file no longer opens the data: a server given it
		// refuses to start, naming the keys it lacks.
		old := filepath.Join(t.TempDir(), "old.key")
		oldContent, _, _ := first.Rotate() // holds A and a fresh key, not C
		if err := crypt.WriteKeyFile(old, oldContent); err != nil {
			t.Fatal(err)
		}
		step{name: "stale key file", args: []string{"user", "list", "--db", a.dsn, "--key-file", old}, code: 1, want: []string{"corridor:"}}.check(t)
		before, _ := os.ReadFile(old)
		step{name: "rotate with a stale key file", args: []string{"keys", "rotate", "--db", a.dsn, "--key-file", old, "--wait", "0"}, code: 1,
			want: []string{"--key-file"}, notWant: []string{"added key"}}.check(t)
		if after, _ := os.ReadFile(old); !bytes.Equal(before, after) {
			t.Errorf("a refused rotate changed the key file")
		}

		// The rotations are in the audit trail.
		step{name: "audit", args: []string{"audit", "export", "--db", a.dsn, "--out", "-"},
			want: []string{"rotate,keys," + keyC, "reencrypt,keys," + keyB, "reencrypt,keys," + keyC, "retire,keys," + keyA, "retire,keys," + keyB}}.check(t)
	})
}

func TestKeysRotateFromEnvironmentKey(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "env.db")
	key := filepath.Join(t.TempDir(), "corridor.key")
	const envKey = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=" // base64 of 32 bytes, test only
	getenv := func(k string) string {
		if k == "CORRIDOR_KEY" {
			return envKey
		}
		return ""
	}
	run := func(stdin string, args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := Main(context.Background(), args, strings.NewReader(stdin), &out, &errb, getenv)
		return code, out.String() + errb.String()
	}
	if code, out := run("", "org", "add", "--db", dsn, "--data-dir", dataDir, "--name", "Diaspora Network", "--kind", "diaspora-association", "--country", "GHA"); code != 0 {
		t.Fatal(out)
	}
	if code, out := run(goodPassword+"\n", "user", "add", "--db", dsn, "--username", "kofi", "--org", "1", "--full-name", "Kofi Mensah"); code != 0 {
		t.Fatal(out)
	}
	envRing, err := crypt.FromEnv(envKey)
	if err != nil {
		t.Fatal(err)
	}
	code, out := run("", "keys", "rotate", "--db", dsn, "--key-file", key, "--wait", "0")
	if code != 0 || !strings.Contains(out, "CORRIDOR_KEY") || !strings.Contains(out, "done: 1 row(s)") {
		t.Fatalf("rotate from CORRIDOR_KEY: %d\n%s", code, out)
	}
	kr, err := crypt.LoadKeyring(key)
	if err != nil || !kr.HasKey(envRing.ActiveKeyID()) || kr.ActiveKeyID() == envRing.ActiveKeyID() {
		t.Fatalf("key file after rotating from CORRIDOR_KEY: %v %v", kr, err)
	}
	step{name: "names with the new file", args: []string{"user", "list", "--db", dsn, "--key-file", key, "--show-names"}, want: []string{"Kofi Mensah"}}.check(t)
}

// TestServeRefusesWithoutKey: personal data present and no key is a clear
// error at start, never a plaintext fallback.
func TestServeRefusesWithoutKey(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		a := newAccounts(t, e)
		a.addOrg(t, "Ministry of Labour", "government", "KEN")
		a.addUser(t, "admin", "Ministry of Labour", "Amina Odhiambo", "", "system-admin")
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		var out, errb bytes.Buffer
		start := time.Now()
		code := Main(ctx, []string{"serve", "--db", a.dsn, "--addr", "127.0.0.1:0", "--no-load", "--log-level", "warn"},
			strings.NewReader(""), &out, &errb, noEnv)
		if code == 0 || ctx.Err() != nil {
			t.Fatalf("serve without a key: exit %d after %v\n%s", code, time.Since(start), errb.String())
		}
		if msg := errb.String(); !strings.Contains(msg, "--key-file") || !strings.Contains(msg, "personal data") {
			t.Errorf("serve without a key: message does not say what to do:\n%s", msg)
		}
		// With the key it starts.
		base := start2(t, a.dsn, "--key-file", a.key)
		if status, _, _ := fetch(t, base+"/healthz"); status != 200 {
			t.Errorf("serve with the key: /healthz %d", status)
		}
	})
}

// start2 is start with the reference data not loaded (faster).
func start2(t *testing.T, dsn string, extra ...string) string {
	return start(t, dsn, append([]string{"--no-load"}, extra...)...)
}

// TestKeysRotateCases: a rotation re-encrypts the case tables' fields too,
// and the cases read with the new key alone once the old one is retired.
func TestKeysRotateCases(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		a := newAccounts(t, e)
		a.addOrg(t, "Shelter", "ngo", "SEN")
		a.addUser(t, "alice", "Shelter", "Alice Atieno", "alice@example.org", "case-worker")
		ctx := context.Background()
		db := openStore(t, a.dsn, a.key)
		var uid int64
		if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM users WHERE username = 'alice'`).Scan(&uid); err != nil {
			t.Fatal(err)
		}
		me, err := db.Accounts().Principal(ctx, uid, nil)
		if err != nil {
			t.Fatal(err)
		}
		cs := db.Cases()
		_, c, err := cs.CreateWithPerson(ctx, me, people.Person{GivenName: "Awa", FamilyName: "Diop", Sex: "female", Nationality: "SEN", DocumentType: "none"},
			cases.Case{Kind: cases.KindTrafficking, OrgID: me.OrgID, OwnerID: uid, OpenedOn: "2024-03-01",
				Trafficking: &cases.Trafficking{TraffickingStatus: "ActualVictimOfTrafficking", TypeOfExploitation: []string{"ForcedLabour"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cs.AddComment(ctx, me, c.ID, "Met at the bus station"); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.AddTask(ctx, me, c.ID, cases.Task{Title: "Call the aunt", Due: "2024-07-01"}); err != nil {
			t.Fatal(err)
		}
		first, err := crypt.LoadKeyring(a.key)
		if err != nil {
			t.Fatal(err)
		}
		keyA := first.ActiveKeyID()
		step{name: "rotate", args: a.flags("keys", "rotate", "--wait", "0"), want: []string{"added key", "cases: 3 row(s)", "case_comments: 4 row(s)", "case_tasks: 5 row(s)", "done: 5 row(s)"}}.check(t)
		now, err := crypt.LoadKeyring(a.key)
		if err != nil {
			t.Fatal(err)
		}
		keyB := now.ActiveKeyID()
		for _, table := range []string{"cases", "case_comments", "case_tasks"} {
			if ids := keyIDs(t, db, table); !allEqual(ids, keyB) {
				t.Fatalf("after rotate %s key ids %v, want all %s", table, ids, keyB)
			}
		}
		step{name: "retire A", args: a.flags("keys", "retire", "--key", keyA), want: []string{"retired key " + keyA}}.check(t)
		only, err := crypt.LoadKeyring(a.key)
		if err != nil || only.HasKey(keyA) {
			t.Fatalf("key file after retire: %v %v", only.KeyIDs(), err)
		}
		db.SetKeys(only)
		if err := db.CheckKeys(ctx); err != nil {
			t.Fatalf("CheckKeys with the new key only: %v", err)
		}
		got, err := cs.Get(ctx, me, c.ID)
		if err != nil || got.Trafficking == nil || got.Trafficking.TraffickingStatus != "ActualVictimOfTrafficking" {
			t.Errorf("case after rotation: %+v %v", got, err)
		}
		cm, err := cs.Comments(ctx, me, c.ID)
		if err != nil || len(cm) != 1 || cm[0].Body != "Met at the bus station" {
			t.Errorf("comments after rotation: %+v %v", cm, err)
		}
		ts, err := cs.Tasks(ctx, me, c.ID)
		if err != nil || len(ts) != 1 || ts[0].Title != "Call the aunt" {
			t.Errorf("tasks after rotation: %+v %v", ts, err)
		}
	})
}
