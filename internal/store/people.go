package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/people"
)

// People stores personal records, encrypted field by field.
type People struct{ db *DB }

// People returns the personal-records store.
func (db *DB) People() *People { return &People{db: db} }

// Create stores a person; the caller sets OrgID, TeamID and OwnerID.
func (s *People) Create(ctx context.Context, tx *Tx, p people.Person) (_ people.Person, err error) {
	defer derrors.Wrap(&err, "store.People.Create")
	if err := p.Validate(); err != nil {
		return p, err
	}
	if _, err := s.db.keyring(); err != nil {
		return p, err
	}
	t := now()
	p.CreatedAt, p.UpdatedAt, p.Version = t, t, 1
	err = tx.QueryRow(ctx, `INSERT INTO people (org_id, team_id, owner_id, given_name_enc, family_name_enc, name_index, birth_date_enc,
		sex, nationality, document_type, document_number_enc, document_index, key_id, version, created_at, updated_at)
		VALUES (?, ?, ?, '', '', '', '', ?, ?, ?, '', '', '', 1, ?, ?) RETURNING id`,
		p.OrgID, nullID(p.TeamID), p.OwnerID, p.Sex, p.Nationality, p.DocumentType, t, t).Scan(&p.ID)
	if err = classify(err); err != nil {
		return p, err
	}
	return p, s.writeSealed(ctx, tx, p)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (s *People) writeSealed(ctx context.Context, tx *Tx, p people.Person) error {
	sl, err := s.db.sealer("people", p.ID)
	if err != nil {
		return err
	}
	given, family := sl.seal("given_name", p.GivenName), sl.seal("family_name", p.FamilyName)
	birth, doc := sl.seal("birth_date", p.BirthDate), sl.seal("document_number", p.DocumentNumber)
	if sl.err != nil {
		return sl.err
	}
	docIndex := ""
	if p.DocumentNumber != "" {
		docIndex = sl.k.BlindIndexNumber("people.document_number", p.DocumentNumber)
	}
	_, err = tx.Exec(ctx, `UPDATE people SET given_name_enc = ?, family_name_enc = ?, name_index = ?, birth_date_enc = ?,
		document_number_enc = ?, document_index = ?, key_id = ? WHERE id = ?`,
		given, family, sl.k.BlindIndex("people.name", p.FullName()), birth, doc, docIndex, sl.keyID(), p.ID)
	return classify(err)
}

const personColumns = `id, org_id, COALESCE(team_id, 0), owner_id, given_name_enc, family_name_enc, birth_date_enc, sex, nationality,
	document_type, document_number_enc, version, created_at, updated_at`

func (s *People) scan(r interface{ Scan(...any) error }) (people.Person, error) {
	var p people.Person
	var given, family, birth, doc string
	if err := r.Scan(&p.ID, &p.OrgID, &p.TeamID, &p.OwnerID, &given, &family, &birth, &p.Sex, &p.Nationality,
		&p.DocumentType, &doc, &p.Version, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return p, err
	}
	sl, err := s.db.sealer("people", p.ID)
	if err != nil {
		return p, err
	}
	p.GivenName, p.FamilyName = sl.open("given_name", given), sl.open("family_name", family)
	p.BirthDate, p.DocumentNumber = sl.open("birth_date", birth), sl.open("document_number", doc)
	return p, sl.err
}

// Get returns a person (derrors.NotFound if absent).
func (s *People) Get(ctx context.Context, id int64) (_ people.Person, err error) {
	defer derrors.Wrap(&err, "store.People.Get(%d)", id)
	p, err := s.scan(s.db.queryRow(ctx, `SELECT `+personColumns+` FROM people WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return p, derrors.Kindf(derrors.NotFound, "no person %d", id)
	}
	return p, classify(err)
}

var peopleScope = scopeColumns{org: "org_id", owner: "owner_id", team: "team_id IN (%s)"}

// PeopleQuery narrows a listing by exact name or document number, matched
// through the blind indexes (the values themselves are never in SQL).
type PeopleQuery struct {
	Name           string
	DocumentNumber string
	Limit, Offset  int
}

// List returns the people a scope filter allows.
func (s *People) List(ctx context.Context, f auth.Filter, q PeopleQuery) (_ []people.Person, total int, err error) {
	defer derrors.Wrap(&err, "store.People.List")
	cond, args := scopeSQL(f, peopleScope)
	if q.Name != "" || q.DocumentNumber != "" {
		k, err := s.db.keyring()
		if err != nil {
			return nil, 0, err
		}
		if q.Name != "" {
			cond += " AND name_index = ?"
			args = append(args, k.BlindIndex("people.name", q.Name))
		}
		if q.DocumentNumber != "" {
			cond += " AND document_index = ?"
			args = append(args, k.BlindIndexNumber("people.document_number", q.DocumentNumber))
		}
	}
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM people WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, classify(err)
	}
	rows, err := s.db.query(ctx, `SELECT `+personColumns+` FROM people WHERE `+cond+` ORDER BY id LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []people.Person{}
	for rows.Next() {
		p, err := s.scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// Update changes a person if p.Version is the stored version (optimistic
// concurrency: a stale edit wraps derrors.Conflict and changes nothing).
func (s *People) Update(ctx context.Context, tx *Tx, p people.Person) (_ people.Person, err error) {
	defer derrors.Wrap(&err, "store.People.Update(%d)", p.ID)
	if err := p.Validate(); err != nil {
		return p, err
	}
	t := now()
	res, err := tx.Exec(ctx, `UPDATE people SET team_id = ?, sex = ?, nationality = ?, document_type = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ?`, nullID(p.TeamID), p.Sex, p.Nationality, p.DocumentType, t, p.ID, p.Version)
	if err != nil {
		return p, classify(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var cur int64
		if err := tx.QueryRow(ctx, `SELECT version FROM people WHERE id = ?`, p.ID).Scan(&cur); err == sql.ErrNoRows {
			return p, derrors.Kindf(derrors.NotFound, "no person %d", p.ID)
		}
		return p, derrors.Kindf(derrors.Conflict, "version: the record changed since you loaded it (now version %d, you sent %d); reload and apply your edit again", cur, p.Version)
	}
	p.Version++
	p.UpdatedAt = t
	return p, s.writeSealed(ctx, tx, p)
}

// RotateKeys re-encrypts, in batches, every personal field not under the
// active key (users and people). It can run while servers serve: each
// batch is one short transaction, and servers read both keys meanwhile.
func (db *DB) RotateKeys(ctx context.Context, batch int, progress func(table string, done int)) (total int, err error) {
	defer derrors.Wrap(&err, "store.RotateKeys")
	k, err := db.keyring()
	if err != nil {
		return 0, err
	}
	active := k.ActiveKeyID()
	for _, t := range []struct {
		table string
		cols  []string
	}{
		{"users", []string{"full_name", "email"}},
		{"people", []string{"given_name", "family_name", "birth_date", "document_number"}},
		{"labour_workers", []string{"personal"}},
		{"labour_stage_events", []string{"note"}},
	} {
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

func (db *DB) rotateBatch(ctx context.Context, table string, cols []string, active string, batch int) (n int, err error) {
	k, err := db.keyring()
	if err != nil {
		return 0, err
	}
	sel := "id"
	for _, c := range cols {
		sel += ", " + c + "_enc"
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+sel+` FROM `+table+` WHERE key_id <> ? ORDER BY id LIMIT ?`, active, batch)
		if err != nil {
			return classify(err)
		}
		type row struct {
			id   int64
			vals []string
		}
		var todo []row
		for rows.Next() {
			r := row{vals: make([]string, len(cols))}
			dest := []any{&r.id}
			for i := range r.vals {
				dest = append(dest, &r.vals[i])
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, r)
		}
		rows.Close()
		for _, r := range todo {
			set, args := "key_id = ?", []any{active}
			for i, c := range cols {
				out, _, err := k.ReencryptString(r.vals[i], aadFor(table, c, r.id))
				if err != nil {
					return fmt.Errorf("%s.%s of row %d: %w", table, c, r.id, err)
				}
				set += ", " + c + "_enc = ?"
				args = append(args, out)
			}
			if _, err := tx.Exec(ctx, `UPDATE `+table+` SET `+set+` WHERE id = ?`, append(args, r.id)...); err != nil {
				return classify(err)
			}
		}
		n = len(todo)
		return nil
	})
	return n, err
}
