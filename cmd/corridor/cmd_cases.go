package main

// corridor cases generate: a synthetic caseload for demos, load tests and
// the data-release work (internal/cases/synth).
//
//	corridor cases generate --n 100000 --seed 7 --key-file corridor.key [--db corridor.db]
//
// The cases belong to fictitious organisations, teams and users that the
// command creates the first time (and reuses afterwards): organisations
// named "… (synthetic)", kind "other", each with teams of case workers
// and a supervisor, usernames synth-oO-tT-wW and synth-oO-tT-sup. Their
// passwords are random and never shown; set one to sign in as them for a
// demo (corridor user passwd --username synth-o1-t1-w1).
//
// Generated data is recognised by the settings row "synthetic_caseload",
// written in the transaction that creates the fictitious organisations:
// it lists their ids. A case is generated when its organisation is one of
// them. The command refuses a database holding any other case (a real
// caseload must never be mixed with fictitious records) unless --force,
// and refuses an organisation of a generator's name that the row does not
// list.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/cases/synth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/store"
)

func runCases(ctx context.Context, e *env, args []string) error {
	return runGroup(ctx, e, "cases", []subcommand{
		{"generate", "fill the database with a synthetic (fictitious) caseload", runCasesGenerate},
	}, args)
}

// syntheticSetting is the settings row that marks generated data.
const syntheticSetting = "synthetic_caseload"

// syntheticMark is the value of the settings row.
type syntheticMark struct {
	Orgs []int64 `json:"orgs"`
	Note string  `json:"note"`
}

// The fictitious organisations: name, country; each gets synthTeams teams
// of synthWorkers case workers and one supervisor.
var synthOrgs = []struct{ name, country string }{
	{"Coastal Shelter Network (synthetic)", "SEN"},
	{"Northern Return Office (synthetic)", "NER"},
	{"Lakeside Legal Aid (synthetic)", "KEN"},
}

const (
	synthTeams   = 2
	synthWorkers = 4
	maxSynthetic = 10_000_000
)

func runCasesGenerate(ctx context.Context, e *env, name string, args []string) error {
	var cfg Config
	fs, err := cmdFlags(e, &cfg, name, name+" --n N [--seed S] [--until YYYY-MM-DD] [--force] --key-file FILE [--db DB]",
		`Fills the database with N fictitious people and their counter-trafficking
and return cases (with consents, referrals, services, comments and tasks),
shaped like the CTDC data; the same seed gives the same caseload. The
cases belong to fictitious organisations, teams and case workers created
on the first run ("… (synthetic)", users synth-…) and reused afterwards.
Personal fields are encrypted under the key of --key-file (or CORRIDOR_KEY).

It refuses a database that holds cases not made by the generator (a
settings row, synthetic_caseload, lists the generator's organisations),
unless --force.`, "db", "key-file", "log-level", "log-format")
	if err != nil {
		return err
	}
	n := fs.Int("n", 0, "how many cases to generate (1 to 10,000,000)")
	seed := fs.Uint64("seed", 1, "seed of the generator: the same seed gives the same caseload")
	until := fs.String("until", "2024-12-31", "last registration date and the caseload's today (statuses, overdue tasks)")
	batch := fs.Int("batch", 1000, "cases per transaction")
	force := fs.Bool("force", false, "add to a database that holds cases not made by the generator")
	if err := parseCmd(e, fs, args); err != nil {
		return helpOK(err)
	}
	if *n < 1 || *n > maxSynthetic {
		return usageError(e, fs, "--n must be from 1 to %d", maxSynthetic)
	}
	if *batch < 1 || *batch > 100_000 {
		return usageError(e, fs, "--batch must be from 1 to 100000")
	}
	untilDate, err := time.Parse("2006-01-02", *until)
	if err != nil {
		return usageError(e, fs, "--until must be a date YYYY-MM-DD")
	}
	db, done, err := openPersonal(ctx, e, &cfg)
	if err != nil {
		return err
	}
	defer done()
	if !db.KeysConfigured() {
		return fmt.Errorf("--key-file: %w", store.ErrNoKey)
	}

	mark, err := readSyntheticMark(ctx, db)
	if err != nil {
		return err
	}
	others, err := countOtherCases(ctx, db, mark.Orgs)
	if err != nil {
		return err
	}
	if others > 0 && !*force {
		return fmt.Errorf("the database holds %d cases not made by the generator; synthetic cases are never mixed into a real caseload "+
			"(use another --db, or --force if these cases are fictitious too)", others)
	}
	scopes, mark, err := ensureSyntheticAccounts(ctx, db, mark)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "%s: %d organisations, %d teams, %d case workers; generating %d cases (seed %d)\n",
		name, len(synthOrgs), len(synthOrgs)*synthTeams, len(scopes), *n, *seed)

	var kinds = map[string]int{}
	var consents, referrals, services, comments, tasks, dups int
	step := max(*n/10, 1)
	start := time.Now()
	recs := func(yield func(synth.Record) bool) {
		i := 0
		for r := range synth.All(synth.Options{Seed: *seed, Until: untilDate, Scopes: scopes}, *n) {
			kinds[r.Case.Kind]++
			consents += len(r.Consents)
			referrals += len(r.Referrals)
			services += len(r.Services)
			comments += len(r.Comments)
			tasks += len(r.Tasks)
			if r.DuplicateOf != 0 {
				dups++
			}
			if !yield(r) {
				return
			}
			if i++; i%step == 0 && i < *n {
				fmt.Fprintf(e.stderr, "  %d / %d cases (%.0f/s)\n", i, *n, float64(i)/time.Since(start).Seconds())
			}
		}
	}
	stored, err := db.BulkLoadSynthetic(ctx, cliActor+": cases generate", iter.Seq[synth.Record](recs), *batch)
	if err != nil {
		return fmt.Errorf("after %d cases stored: %w", stored, err)
	}
	took := time.Since(start)
	detail := fmt.Sprintf("synthetic caseload: %d cases, seed %d, until %s", stored, *seed, *until)
	if others > 0 {
		detail += fmt.Sprintf(" (forced: %d other cases present)", others)
	}
	if _, err := db.Audit().Append(ctx, cliEntry(audit.ActionCreate, "cases", "", detail)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "generated %d synthetic cases in %s (%.0f cases/s): %d trafficking, %d return, %d re-registrations with a misspelt name\n",
		stored, took.Round(time.Millisecond), float64(stored)/took.Seconds(), kinds[cases.KindTrafficking], kinds[cases.KindReturn], dups)
	fmt.Fprintf(e.stdout, "with %d consents, %d referrals, %d services, %d comments, %d tasks; organisations %s\n",
		consents, referrals, services, comments, tasks, joinIDs(mark.Orgs))
	fmt.Fprintf(e.stdout, "to sign in as a generated case worker: corridor user passwd --username %s\n", synthUsername(1, 1, "w1"))
	return nil
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

func synthUsername(org, team int, who string) string {
	return fmt.Sprintf("synth-o%d-t%d-%s", org, team, who)
}

// readSyntheticMark reads the settings row of generated data (empty when
// the generator never ran).
func readSyntheticMark(ctx context.Context, db *store.DB) (syntheticMark, error) {
	var m syntheticMark
	var v string
	err := db.InTx(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `SELECT value FROM settings WHERE name = ?`, syntheticSetting).Scan(&v)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return m, fmt.Errorf("settings %s: %w", syntheticSetting, err)
	}
	return m, nil
}

// countOtherCases counts the cases whose organisation is not one of orgs.
func countOtherCases(ctx context.Context, db *store.DB, orgs []int64) (int, error) {
	q, args := `SELECT COUNT(*) FROM cases`, []any{}
	if len(orgs) > 0 {
		q += ` WHERE org_id NOT IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(orgs)), ", ") + `)`
		for _, id := range orgs {
			args = append(args, id)
		}
	}
	var n int
	err := db.InTx(ctx, func(tx *store.Tx) error { return tx.QueryRow(ctx, q, args...).Scan(&n) })
	return n, err
}

// ensureSyntheticAccounts creates (or finds) the fictitious organisations,
// teams and users, records the organisations in the settings row, and
// returns the generator's scopes.
func ensureSyntheticAccounts(ctx context.Context, db *store.DB, mark syntheticMark) ([]auth.Record, syntheticMark, error) {
	acc := db.Accounts()
	var scopes []auth.Record
	err := db.InTx(ctx, func(tx *store.Tx) error {
		scopes = nil
		known := map[int64]bool{}
		for _, id := range mark.Orgs {
			known[id] = true
		}
		for oi, o := range synthOrgs {
			var orgID int64
			err := tx.QueryRow(ctx, `SELECT id FROM orgs WHERE name = ?`, o.name).Scan(&orgID)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				org, err := acc.CreateOrg(ctx, tx, auth.Org{Name: o.name, Kind: "other", Country: o.country})
				if err != nil {
					return err
				}
				orgID = org.ID
				mark.Orgs = append(mark.Orgs, orgID)
				known[orgID] = true
				if _, err := db.Audit().AppendTx(ctx, tx, cliEntry(audit.ActionCreate, "orgs", strconv.FormatInt(orgID, 10),
					"fictitious organisation of the synthetic caseload: "+o.name)); err != nil {
					return err
				}
			case err != nil:
				return err
			case !known[orgID]:
				return derrors.Kindf(derrors.Conflict, "an organisation named %q exists that the generator did not create; rename it first", o.name)
			}
			for t := 1; t <= synthTeams; t++ {
				teamName := fmt.Sprintf("Team %d", t)
				var teamID int64
				err := tx.QueryRow(ctx, `SELECT id FROM teams WHERE org_id = ? AND name = ?`, orgID, teamName).Scan(&teamID)
				if errors.Is(err, sql.ErrNoRows) {
					team, err := acc.CreateTeam(ctx, tx, auth.Team{OrgID: orgID, Name: teamName})
					if err != nil {
						return err
					}
					teamID = team.ID
				} else if err != nil {
					return err
				}
				user := func(who, role string) (int64, error) {
					username := synthUsername(oi+1, t, who)
					var id int64
					err := tx.QueryRow(ctx, `SELECT id FROM users WHERE username = ?`, username).Scan(&id)
					if err == nil || !errors.Is(err, sql.ErrNoRows) {
						return id, err
					}
					u, err := acc.CreateUser(ctx, tx, auth.User{Username: username, FullName: synthFullName(who, o.name),
						OrgID: orgID, TeamIDs: []int64{teamID}, Roles: []string{role}}, randomPassword())
					return u.ID, err
				}
				if _, err := user("sup", auth.RoleCaseSupervisor); err != nil {
					return err
				}
				for w := 1; w <= synthWorkers; w++ {
					id, err := user("w"+strconv.Itoa(w), auth.RoleCaseWorker)
					if err != nil {
						return err
					}
					scopes = append(scopes, auth.Record{OrgID: orgID, TeamID: teamID, OwnerID: id})
				}
			}
		}
		mark.Note = "organisations of the synthetic caseload (corridor cases generate); their cases are fictitious"
		b, err := json.Marshal(mark)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
			syntheticSetting, string(b))
		return err
	})
	return scopes, mark, err
}

func synthFullName(who, org string) string {
	if who == "sup" {
		return "Supervisor, " + org
	}
	return "Case worker " + strings.TrimPrefix(who, "w") + ", " + org
}

// randomPassword is a password nobody knows (generated users sign in only
// after an administrator sets one).
func randomPassword() string {
	return "synthetic-" + rand.Text()
}
