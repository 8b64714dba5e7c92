package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/crypt"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/people"
)

// Duplicate detection at intake. Names and dates of birth are encrypted,
// so candidates are selected through keyed blind indexes (HMAC, never the
// values): the exact name and document-number indexes of people, and the
// blocking keys of case_person_keys — the date of birth, and the first
// three letters of the folded family or given name with the year of
// birth (or with the nationality when the date is unknown). Only the
// candidates are decrypted, then scored with cases.FindDuplicates.

// maxCandidates caps how many people one duplicate check decrypts.
const maxCandidates = 500

func prefix3(folded string) string {
	r := []rune(folded)
	if len(r) > 3 {
		r = r[:3]
	}
	return string(r)
}

// blockingKeys returns the blind blocking keys of a person.
func blockingKeys(k *crypt.Keyring, given, family, birthDate, nationality string) []string {
	var out []string
	g, f := prefix3(cases.FoldPersonName(given)), prefix3(cases.FoldPersonName(family))
	if birthDate != "" {
		out = append(out, "d:"+k.BlindIndex("cases.block.birth", birthDate))
		year := birthDate[:min(4, len(birthDate))]
		if f != "" {
			out = append(out, "n:"+k.BlindIndex("cases.block.name-year", f+"|"+year))
		}
		if g != "" && g != f {
			out = append(out, "n:"+k.BlindIndex("cases.block.name-year", g+"|"+year))
		}
	} else if nationality != "" {
		for _, n := range []string{f, g} {
			if n != "" {
				out = append(out, "c:"+k.BlindIndex("cases.block.name-country", n+"|"+nationality))
			}
		}
	}
	return out
}

// writeBlockingKeys (re)writes the blocking keys of a person.
func (s *Cases) writeBlockingKeys(ctx context.Context, tx *Tx, personID int64) error {
	k, err := s.db.keyring()
	if err != nil {
		return err
	}
	pr, err := s.db.People().scan(tx.QueryRow(ctx, `SELECT `+personColumns+` FROM people WHERE id = ?`, personID))
	if err != nil {
		return classify(err)
	}
	return s.writeKeysOf(ctx, tx, k, pr)
}

// writeKeysOf (re)writes the blocking keys of a person read in clear.
func (s *Cases) writeKeysOf(ctx context.Context, tx *Tx, k *crypt.Keyring, pr people.Person) error {
	personID := pr.ID
	if _, err := tx.Exec(ctx, `DELETE FROM case_person_keys WHERE person_id = ?`, personID); err != nil {
		return classify(err)
	}
	for _, key := range blockingKeys(k, pr.GivenName, pr.FamilyName, pr.BirthDate, pr.Nationality) {
		if _, err := tx.Exec(ctx, `INSERT INTO case_person_keys (block_key, person_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, key, personID); err != nil {
			return classify(err)
		}
	}
	return nil
}

// ProbeOf makes the duplicate-detection probe of an intake: the person's
// names, date of birth, nationality and the blind index of the document
// number (which the caller cannot compute without the keys).
func (s *Cases) ProbeOf(p people.Person) (cases.Candidate, error) {
	c := cases.Candidate{PersonID: p.ID, GivenName: p.GivenName, FamilyName: p.FamilyName, BirthDate: p.BirthDate, Nationality: p.Nationality}
	if p.DocumentNumber != "" {
		k, err := s.db.keyring()
		if err != nil {
			return c, err
		}
		c.DocumentIndex = k.BlindIndexNumber("people.document_number", p.DocumentNumber)
	}
	return c, nil
}

// Duplicates returns the people that may be the probe, from
// cases.DuplicateThreshold, best first: among the people in the caller's
// people-read scope or with a case in its case-read scope.
func (s *Cases) Duplicates(ctx context.Context, p *auth.Principal, probe cases.Candidate) (out []cases.Match, err error) {
	defer derrors.Wrap(&err, "store.Cases.Duplicates")
	if probe.GivenName == "" && probe.FamilyName == "" && probe.DocumentIndex == "" {
		return nil, &cases.FieldError{Field: "familyName", Code: "required", Msg: "a name or a document number is needed to look for duplicates"}
	}
	if p == nil || !p.Can(casesResource, auth.Read) {
		return nil, forbidden(auth.Read)
	}
	k, err := s.db.keyring()
	if err != nil {
		return nil, err
	}
	keys := blockingKeys(k, probe.GivenName, probe.FamilyName, probe.BirthDate, probe.Nationality)
	var conds []string
	var args []any
	if len(keys) > 0 {
		conds = append(conds, `id IN (SELECT person_id FROM case_person_keys WHERE block_key IN (`+placeholders(len(keys))+`))`)
		for _, key := range keys {
			args = append(args, key)
		}
	}
	conds = append(conds, `name_index = ?`)
	args = append(args, k.BlindIndex("people.name", (people.Person{GivenName: probe.GivenName, FamilyName: probe.FamilyName}).FullName()))
	if probe.DocumentIndex != "" {
		conds = append(conds, `document_index = ?`)
		args = append(args, probe.DocumentIndex)
	}
	pscope, pargs := scopeSQL(p.FilterFor("people", auth.Read), peopleScope)
	cscope, cargs := scopeSQL(p.FilterFor(casesResource, auth.Read), casesScope)
	where := "(" + joinOr(conds) + ") AND (" + pscope + " OR EXISTS (SELECT 1 FROM cases c WHERE c.person_id = people.id AND " + cscope + "))"
	args = append(append(args, pargs...), cargs...)
	err = s.db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+personColumns+`, document_index FROM people WHERE `+where+` ORDER BY id LIMIT ?`, append(args, maxCandidates)...)
		if err != nil {
			return classify(err)
		}
		var cands []cases.Candidate
		ppl := s.db.People()
		for rows.Next() {
			var docIndex string
			pr, err := ppl.scan(scanExtra{rows, &docIndex})
			if err != nil {
				rows.Close()
				return err
			}
			cands = append(cands, cases.Candidate{PersonID: pr.ID, GivenName: pr.GivenName, FamilyName: pr.FamilyName,
				BirthDate: pr.BirthDate, Nationality: pr.Nationality, DocumentIndex: docIndex})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		out = cases.FindDuplicates(probe, cands, cases.DuplicateThreshold)
		if out == nil {
			out = []cases.Match{}
		}
		return s.audit(ctx, tx, p, audit.ActionRead, audit.OutcomeAllowed, 0,
			fmt.Sprintf("duplicate check: %d candidates decrypted, %d matches", len(cands), len(out)))
	})
	return out, err
}

func joinOr(conds []string) string {
	out := ""
	for i, c := range conds {
		if i > 0 {
			out += " OR "
		}
		out += c
	}
	return out
}

// scanExtra scans a person row followed by extra columns.
type scanExtra struct {
	r     interface{ Scan(...any) error }
	extra *string
}

func (s scanExtra) Scan(dest ...any) error { return s.r.Scan(append(dest, s.extra)...) }

// MergePeople merges a reviewed duplicate: the cases and consent records
// of drop move to keep (referrals follow their cases), drop is deleted,
// and the merge is recorded (person_merges: who merged what, and the
// audit trail). It needs update on both people and on cases, and the
// versions of both people as reviewed.
func (s *Cases) MergePeople(ctx context.Context, p *auth.Principal, keepID, dropID, keepVersion, dropVersion int64) (err error) {
	defer derrors.Wrap(&err, "store.Cases.MergePeople(%d, %d)", keepID, dropID)
	if keepID <= 0 || dropID <= 0 || keepID == dropID {
		return &cases.FieldError{Field: "dropId", Code: "samePerson", Msg: "two different people are merged"}
	}
	if p == nil || !p.Can("people", auth.Update) || !p.Can(casesResource, auth.Update) {
		return derrors.Kindf(derrors.Forbidden, "merging people needs update on people and cases")
	}
	return s.db.InTx(ctx, func(tx *Tx) error { return s.mergePeople(ctx, tx, p, keepID, dropID, keepVersion, dropVersion) })
}

// mergePeople is MergePeople inside tx, after its checks of the caller.
func (s *Cases) mergePeople(ctx context.Context, tx *Tx, p *auth.Principal, keepID, dropID, keepVersion, dropVersion int64) error {
	ppl := s.db.People()
	var keep people.Person
	for _, x := range []struct {
		id, version int64
		out         *people.Person
	}{{keepID, keepVersion, &keep}, {dropID, dropVersion, nil}} {
		pr, err := ppl.scan(tx.QueryRow(ctx, `SELECT `+personColumns+` FROM people WHERE id = ?`, x.id))
		if errors.Is(err, sql.ErrNoRows) || err == nil && !p.Allows("people", auth.Read, pr.Record()) {
			return derrors.Kindf(derrors.NotFound, "no person %d", x.id)
		}
		if err != nil {
			return classify(err)
		}
		if !p.Allows("people", auth.Update, pr.Record()) {
			return derrors.Kindf(derrors.Forbidden, "you may not change person %d", x.id)
		}
		if pr.Version != x.version {
			return derrors.Kindf(derrors.Conflict, "version: person %d changed since it was reviewed (now version %d, reviewed %d); review again", x.id, pr.Version, x.version)
		}
		if x.out != nil {
			*x.out = pr
		}
	}
	rows, err := tx.Query(ctx, `SELECT id, opened_on FROM cases WHERE person_id = ?`, dropID)
	if err != nil {
		return classify(err)
	}
	type moved struct {
		id     int64
		opened string
	}
	var ms []moved
	for rows.Next() {
		var m moved
		if err := rows.Scan(&m.id, &m.opened); err != nil {
			rows.Close()
			return err
		}
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	t := now()
	for _, m := range ms {
		if _, err := tx.Exec(ctx, `UPDATE cases SET person_id = ?, nationality = ?, age_band = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			keepID, keep.Nationality, ageBand(keep.BirthDate, m.opened), t, m.id); err != nil {
			return classify(err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE case_consents SET person_id = ? WHERE person_id = ?`, keepID, dropID); err != nil {
		return classify(err)
	}
	if err := syncAccess(ctx, tx, keepID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM case_person_keys WHERE person_id = ?`, dropID); err != nil {
		return classify(err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM people WHERE id = ?`, dropID); err != nil {
		return classify(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE people SET version = version + 1, updated_at = ? WHERE id = ?`, t, keepID); err != nil {
		return classify(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO person_merges (kept_id, dropped_id, cases_moved, merged_by, merged_at) VALUES (?, ?, ?, ?, ?)`,
		keepID, dropID, len(ms), p.UserID, t); err != nil {
		return classify(err)
	}
	if err := s.writeBlockingKeys(ctx, tx, keepID); err != nil {
		return err
	}
	e := audit.Entry{ActorID: p.UserID, ActorName: p.Username, OrgID: p.OrgID, Action: audit.ActionUpdate, Resource: "people",
		RecordID: strconv.FormatInt(keepID, 10), Outcome: audit.OutcomeOK,
		Detail: fmt.Sprintf("merged person %d into %d: %d cases moved", dropID, keepID, len(ms))}
	if v, ok := ctx.Value(auditClientKey{}).([2]string); ok {
		e.ClientAddr = v[0]
	}
	if _, err := s.db.Audit().AppendTx(ctx, tx, e); err != nil {
		return err
	}
	for _, m := range ms {
		if err := s.audit(ctx, tx, p, audit.ActionUpdate, audit.OutcomeOK, m.id, fmt.Sprintf("person %d merged into %d", dropID, keepID)); err != nil {
			return err
		}
	}
	return nil
}

// Merge is one recorded merge of duplicate people.
type Merge struct {
	KeptID, DroppedID int64
	CasesMoved        int
	MergedBy          int64
}

// Merges lists the recorded merges into a person.
func (s *Cases) Merges(ctx context.Context, keptID int64) ([]Merge, error) {
	rows, err := s.db.query(ctx, `SELECT kept_id, dropped_id, cases_moved, merged_by FROM person_merges WHERE kept_id = ? ORDER BY id`, keptID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Merge
	for rows.Next() {
		var m Merge
		if err := rows.Scan(&m.KeptID, &m.DroppedID, &m.CasesMoved, &m.MergedBy); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// caseTables are the encrypted columns of the case tables, for key
// rotation.
var caseTables = []struct {
	table string
	cols  []string
}{
	{"cases", []string{"reason", "details"}},
	{"case_comments", []string{"body"}},
	{"case_tasks", []string{"title"}},
	{"case_services", []string{"note"}},
	{"case_consents", []string{"note"}},
	{"case_referrals", []string{"details", "note"}},
	{"case_monitoring", []string{"note"}},
}

// RotateCaseKeys re-encrypts, in batches, every case field not under the
// active key (DB.RotateKeys does users and people).
func (db *DB) RotateCaseKeys(ctx context.Context, batch int, progress func(table string, done int)) (total int, err error) {
	defer derrors.Wrap(&err, "store.RotateCaseKeys")
	k, err := db.keyring()
	if err != nil {
		return 0, err
	}
	active := k.ActiveKeyID()
	for _, t := range caseTables {
		for {
			n, err := db.rotateBatch(ctx, t.table, t.cols, active, batch)
			if err != nil {
				return total, err
			}
			total += n
			if progress != nil && n > 0 {
				progress(t.table, total)
			}
			if n < batch {
				break
			}
		}
	}
	return total, nil
}
