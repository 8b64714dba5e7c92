package store

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/cases/synth"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// BulkLoadSynthetic stores generated records (internal/cases/synth) fast:
// explicit ids (each table's ids continue from its largest, offset by the
// generator's numbering), prepared statements, every field encrypted as
// the ordinary path does, one transaction and one audit entry per batch.
// It is the path of `corridor cases generate` and of the benchmarks'
// setup; the records' organisations, teams and owners must exist
// (synth.Options.Scopes with real ids). actor names the command in the
// audit trail. It returns how many records were stored.
func (db *DB) BulkLoadSynthetic(ctx context.Context, actor string, recs iter.Seq[synth.Record], batch int) (n int, err error) {
	defer derrors.Wrap(&err, "store.BulkLoadSynthetic")
	if batch <= 0 {
		batch = 1000
	}
	k, err := db.keyring()
	if err != nil {
		return 0, err
	}
	tables := []string{"people", "cases", "case_consents", "case_referrals", "case_services", "case_comments", "case_tasks", "case_monitoring"}
	base := map[string]int64{}
	for _, t := range tables {
		var m int64
		if err := db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+t).Scan(&m); err != nil {
			return 0, classify(err)
		}
		base[t] = m
	}
	var monitoringID int64 = base["case_monitoring"]
	keyID := k.ActiveKeyID()
	seal := func(table, col string, id int64, v string) (string, error) {
		return k.EncryptString(v, aadFor(table, col, id))
	}
	stmts := map[string]string{
		"people": `INSERT INTO people (id, org_id, team_id, owner_id, given_name_enc, family_name_enc, name_index, birth_date_enc, sex, nationality,
			document_type, document_number_enc, document_index, key_id, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		"keys": `INSERT INTO case_person_keys (block_key, person_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
		"cases": `INSERT INTO cases (id, kind, person_id, org_id, team_id, owner_id, status, stage, draft, version, opened_on, closed_on, nationality,
			age_band, exploitation, reason_enc, details_enc, key_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		"case_consents": `INSERT INTO case_consents (id, case_id, person_id, type, given, consent_date, recorded_by, note_enc, key_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		"case_referrals": `INSERT INTO case_referrals (id, case_id, from_org_id, to_org_id, reason, referral_date, details_enc, status, consent_id,
			requested_by, decided_by, decided_at, note_enc, key_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		"case_services": `INSERT INTO case_services (id, case_id, type, service_date, provider_org_id, note_enc, recorded_by, key_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		"case_comments": `INSERT INTO case_comments (id, case_id, author_id, body_enc, key_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		"case_tasks": `INSERT INTO case_tasks (id, case_id, title_enc, due, assignee_id, done_on, created_by, key_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		"case_monitoring": `INSERT INTO case_monitoring (id, case_id, visit_date, economic, social, psychosocial, recorded_by, note_enc, key_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	}
	var pending []synth.Record
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		err := db.InTx(ctx, func(tx *Tx) error {
			// Rows are gathered per table and written as multi-row
			// INSERTs after the batch: one statement per table and chunk
			// instead of one round trip per row (PostgreSQL loaded about
			// 500 cases/s row by row).
			rows := map[string][]any{}
			exec := func(name string, args ...any) error {
				rows[name] = append(rows[name], args...)
				return nil
			}
			t := now()
			for _, r := range pending {
				pr, c := r.Person, r.Case
				pid, cid := base["people"]+pr.ID, base["cases"]+c.ID
				var enc [4]string
				for i, f := range []struct{ col, v string }{{"given_name", pr.GivenName}, {"family_name", pr.FamilyName},
					{"birth_date", pr.BirthDate}, {"document_number", pr.DocumentNumber}} {
					if enc[i], err = seal("people", f.col, pid, f.v); err != nil {
						return err
					}
				}
				docIndex := ""
				if pr.DocumentNumber != "" {
					docIndex = k.BlindIndexNumber("people.document_number", pr.DocumentNumber)
				}
				if err := exec("people", pid, pr.OrgID, nullID(pr.TeamID), pr.OwnerID, enc[0], enc[1], k.BlindIndex("people.name", pr.FullName()),
					enc[2], pr.Sex, pr.Nationality, pr.DocumentType, enc[3], docIndex, keyID, pr.CreatedAt, pr.UpdatedAt); err != nil {
					return err
				}
				for _, key := range blockingKeys(k, pr.GivenName, pr.FamilyName, pr.BirthDate, pr.Nationality) {
					if err := exec("keys", key, pid); err != nil {
						return err
					}
				}
				d := details{Trafficking: c.Trafficking}
				if c.Return != nil {
					rr := *c.Return
					rr.Monitoring = nil
					d.Return = &rr
				}
				b, err := json.Marshal(d)
				if err != nil {
					return err
				}
				reason, err := seal("cases", "reason", cid, c.ReasonForClosure)
				if err != nil {
					return err
				}
				det, err := seal("cases", "details", cid, string(b))
				if err != nil {
					return err
				}
				if err := exec("cases", cid, c.Kind, pid, c.OrgID, nullID(c.TeamID), c.OwnerID, c.Status, stageOf(c), c.Draft, c.OpenedOn,
					c.ClosedOn, pr.Nationality, ageBand(pr.BirthDate, c.OpenedOn), exploitationKey(c), reason, det, keyID, c.CreatedAt, c.UpdatedAt); err != nil {
					return err
				}
				for _, x := range r.Consents {
					id := base["case_consents"] + x.ID
					note, err := seal("case_consents", "note", id, x.Note)
					if err != nil {
						return err
					}
					if err := exec("case_consents", id, cid, pid, x.Type, x.Given, x.Date, x.RecordedBy, note, keyID, t); err != nil {
						return err
					}
				}
				for _, x := range r.Referrals {
					id := base["case_referrals"] + x.ID
					det, err := seal("case_referrals", "details", id, x.Details)
					if err != nil {
						return err
					}
					note, err := seal("case_referrals", "note", id, x.Note)
					if err != nil {
						return err
					}
					var decided any
					if !x.DecidedAt.IsZero() {
						decided = x.DecidedAt
					}
					if err := exec("case_referrals", id, cid, x.FromOrgID, x.ToOrgID, x.Reason, x.Date, det, x.Status, base["case_consents"]+x.ConsentID,
						x.RequestedBy, nullID(x.DecidedBy), decided, note, keyID, t); err != nil {
						return err
					}
				}
				for _, x := range r.Services {
					id := base["case_services"] + x.ID
					note, err := seal("case_services", "note", id, x.Note)
					if err != nil {
						return err
					}
					if err := exec("case_services", id, cid, x.Type, x.Date, x.ProviderOrgID, note, x.RecordedBy, keyID, t); err != nil {
						return err
					}
				}
				for _, x := range r.Comments {
					id := base["case_comments"] + x.ID
					body, err := seal("case_comments", "body", id, x.Body)
					if err != nil {
						return err
					}
					if err := exec("case_comments", id, cid, x.AuthorID, body, keyID, x.CreatedAt); err != nil {
						return err
					}
				}
				for _, x := range r.Tasks {
					id := base["case_tasks"] + x.ID
					title, err := seal("case_tasks", "title", id, x.Title)
					if err != nil {
						return err
					}
					if err := exec("case_tasks", id, cid, title, x.Due, x.AssigneeID, x.DoneOn, x.CreatedBy, keyID, x.CreatedAt); err != nil {
						return err
					}
				}
				if c.Return != nil {
					for _, m := range c.Return.Monitoring {
						monitoringID++
						note, err := seal("case_monitoring", "note", monitoringID, m.Note)
						if err != nil {
							return err
						}
						by := m.RecordedBy
						if by == 0 {
							by = c.OwnerID
						}
						if err := exec("case_monitoring", monitoringID, cid, m.Date, m.Economic, m.Social, m.Psychosocial, by, note, keyID, t); err != nil {
							return err
						}
					}
				}
			}
			for _, name := range bulkOrder {
				if err := execRows(ctx, tx, name, stmts[name], rows[name]); err != nil {
					return err
				}
			}
			lo, hi := int64(-1), int64(-1)
			for _, r := range pending {
				cid := base["cases"] + r.Case.ID
				if lo < 0 || cid < lo {
					lo = cid
				}
				hi = max(hi, cid)
			}
			if _, err := tx.Exec(ctx, insertAccessSQL+`c.id BETWEEN ? AND ? ON CONFLICT DO NOTHING`, today(), lo, hi); err != nil {
				return classify(err)
			}
			e := audit.Entry{Action: audit.ActionCreate, Resource: casesResource, Outcome: audit.OutcomeOK, ActorName: actor,
				Detail: "bulk load of " + strconv.Itoa(len(pending)) + " synthetic cases"}
			_, err := db.Audit().AppendTx(ctx, tx, e)
			return err
		})
		if err != nil {
			return err
		}
		n += len(pending)
		pending = pending[:0]
		return nil
	}
	for r := range recs {
		pending = append(pending, r)
		if len(pending) >= batch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := flush(); err != nil {
		return n, err
	}
	if db.dialect.isPostgres() {
		for _, t := range tables {
			if _, err := db.sql.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT COALESCE(MAX(id), 1) FROM `+t+`))`); err != nil {
				return n, classify(err)
			}
		}
	}
	return n, nil
}

// bulkOrder is the order the tables of a batch are written in: every row
// after the rows it refers to.
var bulkOrder = []string{"people", "keys", "cases", "case_consents", "case_referrals", "case_services", "case_comments", "case_tasks",
	"case_monitoring"}

// bulkMaxArgs bounds the parameters of one statement, under SQLite's
// 32,766 and PostgreSQL's 65,535.
const bulkMaxArgs = 30000

// execRows writes rows (their arguments one after the other) with the
// single-row INSERT stmt repeated as a multi-row one: its VALUES tuple is
// repeated per row, whatever follows it (ON CONFLICT …) kept.
func execRows(ctx context.Context, tx *Tx, name, stmt string, args []any) error {
	if len(args) == 0 {
		return nil
	}
	head, rest, ok := strings.Cut(stmt, "VALUES")
	open, closing := strings.Index(rest, "("), strings.Index(rest, ")")
	if !ok || open < 0 || closing < open {
		return fmt.Errorf("%s: statement without a VALUES tuple", name)
	}
	tuple, tail := rest[open:closing+1], rest[closing+1:]
	per := strings.Count(tuple, "?")
	if per == 0 || len(args)%per != 0 {
		return fmt.Errorf("%s: %d arguments for rows of %d", name, len(args), per)
	}
	chunk := max(1, bulkMaxArgs/per) * per
	for start := 0; start < len(args); start += chunk {
		part := args[start:min(start+chunk, len(args))]
		n := len(part) / per
		var b strings.Builder
		b.WriteString(head)
		b.WriteString("VALUES ")
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tuple)
		}
		b.WriteString(tail)
		if _, err := tx.Exec(ctx, b.String(), part...); err != nil {
			return fmt.Errorf("%s: %w", name, classify(err))
		}
	}
	return nil
}
