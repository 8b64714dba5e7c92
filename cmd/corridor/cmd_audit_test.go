package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// auditFixture makes five audit entries through CLI actions.
func auditFixture(t *testing.T, e storetest.Engine) accounts {
	t.Helper()
	a := newAccounts(t, e)
	a.addOrg(t, "Ministry of Labour", "government", "KEN") // 1
	a.addUser(t, "alice", "Ministry of Labour", "Alice A", "", "analyst")
	a.addUser(t, "bob", "Ministry of Labour", "Bob B", "", "viewer") // 3
	step{name: "passwd", stdin: "another-" + goodPassword + "\n", args: a.flags("user", "passwd", "--username", "alice")}.check(t)
	step{name: "disable", args: a.flags("user", "disable", "--username", "bob")}.check(t) // 5
	return a
}

var headRE = regexp.MustCompile(`head (\d+:[0-9a-f]{64})`)

func TestAuditVerifyDetectsTampering(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		a := auditFixture(t, e)
		verify := func(extra ...string) step {
			return step{name: "verify", args: append([]string{"audit", "verify", "--db", a.dsn, "--log-level", "warn"}, extra...)}
		}
		out := verify().check(t)
		if !strings.HasPrefix(out, "audit trail OK: 5 entries, head 5:") {
			t.Fatalf("verify of the intact trail: %q", out)
		}
		head5 := headRE.FindStringSubmatch(out)[1]

		ctx := context.Background()
		db := openStore(t, a.dsn, "")
		entries := map[int64]audit.Entry{}
		for en, err := range db.Audit().All(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			entries[en.Seq] = en
		}
		exec := func(stmts ...string) func(tx *store.Tx) error {
			return func(tx *store.Tx) error {
				for _, s := range stmts {
					if _, err := tx.Exec(ctx, s); err != nil {
						return fmt.Errorf("%s: %w", s, err)
					}
				}
				return nil
			}
		}
		tamper := func(fn func(tx *store.Tx) error) {
			t.Helper()
			if err := db.InTx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		// Someone with database access can lift the append-only guard.
		if e.Name == "sqlite" {
			tamper(exec(`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`))
		} else {
			tamper(exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`))
		}
		tamper(exec(`CREATE TABLE audit_backup AS SELECT * FROM audit_log`))
		restore := exec(`DELETE FROM audit_log`, `INSERT INTO audit_log SELECT * FROM audit_backup`,
			fmt.Sprintf(`UPDATE audit_head SET seq = 5, hash = '%s' WHERE id = 1`, entries[5].Hash))

		rehash := func(seq int64, edit func(*audit.Entry)) func(tx *store.Tx) error {
			return func(tx *store.Tx) error {
				en := entries[seq]
				edit(&en)
				_, err := tx.Exec(ctx, `UPDATE audit_log SET detail = ?, hash = ? WHERE seq = ?`, en.Detail, audit.ComputeHash(en.PrevHash, en), seq)
				return err
			}
		}
		forge := func(tx *store.Tx) error {
			en := entries[5].Head().Next(audit.Entry{Time: audit.Timestamp(time.Now()), ActorName: "cli", Action: "delete",
				Resource: "users", RecordID: "1", Outcome: "ok"})
			_, err := tx.Exec(ctx, `INSERT INTO audit_log (seq, at, actor_id, actor_name, org_id, action, resource, record_id, outcome,
				client_addr, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				en.Seq, en.Time, en.ActorID, en.ActorName, en.OrgID, en.Action, en.Resource, en.RecordID, en.Outcome,
				en.ClientAddr, en.Detail, en.PrevHash, en.Hash)
			return err
		}

		tests := []struct {
			name   string
			tamper func(tx *store.Tx) error
			anchor bool   // verify with --anchor head5
			okBare bool   // verify without the anchor still passes
			want   string // names the first bad entry
			reason string
		}{
			{"detail altered", exec(`UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3`), false, false, "entry 3 (hash check)", "altered"},
			{"actor altered", exec(`UPDATE audit_log SET actor_id = 1, actor_name = 'alice' WHERE seq = 2`), false, false, "entry 2 (hash check)", "altered"},
			{"outcome altered", exec(`UPDATE audit_log SET outcome = 'denied' WHERE seq = 4`), false, false, "entry 4 (hash check)", "altered"},
			{"record altered", exec(`UPDATE audit_log SET record_id = '1' WHERE seq = 5`), false, false, "entry 5 (hash check)", "altered"},
			{"hash altered", exec(`UPDATE audit_log SET hash = '` + strings.Repeat("a", 64) + `' WHERE seq = 3`), false, false, "entry 3 (hash check)", "altered"},
			{"entry deleted", exec(`DELETE FROM audit_log WHERE seq = 3`), false, false, "entry 3 (seq check)", "removed"},
			{"first entry deleted", exec(`DELETE FROM audit_log WHERE seq = 1`), false, false, "entry 1 (seq check)", "removed"},
			{"entries swapped", exec(`UPDATE audit_log SET seq = 100 WHERE seq = 2`, `UPDATE audit_log SET seq = 2 WHERE seq = 3`,
				`UPDATE audit_log SET seq = 3 WHERE seq = 100`), false, false, "entry 2 (hash check)", "altered"},
			{"altered and re-hashed", rehash(3, func(en *audit.Entry) { en.Detail = "nothing happened" }), false, false, "entry 4 (prev check)", "seq 3 was altered and re-hashed"},
			{"last entry deleted", exec(`DELETE FROM audit_log WHERE seq = 5`), false, false, "entry 5 (anchor check)", "removed from the end"},
			{"entry added behind the writer", forge, false, false, "entry 6 (anchor check)", "added outside"},
			{"last entry deleted and head rewritten", func(tx *store.Tx) error {
				return exec(`DELETE FROM audit_log WHERE seq = 5`,
					fmt.Sprintf(`UPDATE audit_head SET seq = 4, hash = '%s' WHERE id = 1`, entries[4].Hash))(tx)
			}, true, true, "entry 5 (anchor check)", "an anchor is seq 5"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tamper(tt.tamper)
				defer func() {
					tamper(restore)
					if out := verify().check(t); !strings.HasPrefix(out, "audit trail OK: 5 entries, head "+head5) {
						t.Fatalf("after restoring: %q", out)
					}
				}()
				if tt.okBare {
					verify().check(t)
				}
				var extra []string
				if tt.anchor {
					extra = []string{"--anchor", head5}
				}
				s := verify(extra...)
				s.code, s.want, s.notWant = 1, []string{tt.want, tt.reason}, []string{"audit trail OK"}
				s.check(t)
			})
		}

		// Anchors: one the trail contains passes; a wrong hash for an
		// existing entry fails at it; a malformed one names the flag.
		step{name: "anchor ok", args: verify("--anchor", head5).args, want: []string{"OK: 5 entries", "anchor 5:"}}.check(t)
		wrong := "3:" + strings.Repeat("b", 64)
		step{name: "anchor wrong", args: verify("--anchor", wrong).args, code: 1, want: []string{"entry 3 (anchor check)"}}.check(t)
		step{name: "anchor malformed", args: verify("--anchor", "five").args, code: 1, want: []string{"--anchor"}}.check(t)
	})
}

func TestAuditExport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		a := auditFixture(t, e)
		dir := t.TempDir()
		out := filepath.Join(dir, "audit.csv")
		export := func(extra ...string) []string {
			return append([]string{"audit", "export", "--db", a.dsn, "--log-level", "warn"}, extra...)
		}
		steps := []step{
			{name: "no --out", args: export(), code: 2, want: []string{"--out is required"}},
			{name: "bad --from", args: export("--out", out, "--from", "yesterday"), code: 1, want: []string{"--from", "RFC 3339"}},
			{name: "--to before --from", args: export("--out", out, "--from", "2026-01-02T00:00:00Z", "--to", "2026-01-01T00:00:00Z"), code: 1, want: []string{"--to"}},
			{name: "export", args: export("--out", out), want: []string{"exported 5 audit entries to " + out}},
			{name: "never overwrites", args: export("--out", out), code: 1, want: []string{"--out", "exists"}},
			{name: "future range", args: export("--out", "-", "--from", "2999-01-01T00:00:00Z"), want: []string{"seq,time,actorId"}, notWant: []string{",cli,"}},
		}
		for _, s := range steps {
			s.check(t)
		}
		st, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("export mode %v, want 0600", st.Mode().Perm())
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 6 || rows[0][0] != "seq" || rows[0][12] != "hash" {
			t.Fatalf("export has %d rows, header %v", len(rows), rows[0])
		}
		for i, r := range rows[1:] {
			if r[0] != fmt.Sprint(i+1) || r[3] != "cli" {
				t.Errorf("row %d: seq %s actor %s, want %d cli (oldest first)", i+1, r[0], r[3], i+1)
			}
		}
		// The exports were recorded (the second one too: it wrote nothing
		// of the trail, but it is an export).
		step{name: "verify", args: []string{"audit", "verify", "--db", a.dsn}, want: []string{"OK: 7 entries"}}.check(t)
		step{name: "export recorded", args: export("--out", "-", "--from", "2000-01-01T00:00:00Z"), want: []string{"export,audit,,ok,,5 entries exported"}}.check(t)
	})
}
