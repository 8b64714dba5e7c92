package store

import (
	"context"
	"iter"
	"strings"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// Audit stores the hash-chained audit trail.
type Audit struct{ db *DB }

// Audit returns the audit store.
func (db *DB) Audit() *Audit { return &Audit{db: db} }

// AppendTx appends an entry inside tx, so that a write and its audit entry
// commit or roll back together. The head row is updated first: that takes
// its row lock on PostgreSQL (SQLite transactions already hold the write
// lock), so concurrent appends serialise and the chain has no forks.
func (a *Audit) AppendTx(ctx context.Context, tx *Tx, e audit.Entry) (_ audit.Entry, err error) {
	defer derrors.Wrap(&err, "store.Audit.Append")
	if e.Time.IsZero() {
		e.Time = audit.Timestamp(now())
	}
	e.Time = audit.Timestamp(e.Time)
	if _, err := tx.Exec(ctx, `UPDATE audit_head SET seq = seq WHERE id = 1`); err != nil {
		return e, classify(err)
	}
	var head audit.Head
	if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head.Seq, &head.Hash); err != nil {
		return e, classify(err)
	}
	e = head.Next(e)
	if err := e.Validate(); err != nil {
		return e, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (seq, at, actor_id, actor_name, org_id, action, resource, record_id, outcome,
		client_addr, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.Time, e.ActorID, e.ActorName, e.OrgID, e.Action, e.Resource, e.RecordID, e.Outcome,
		e.ClientAddr, e.Detail, e.PrevHash, e.Hash); err != nil {
		return e, classify(err)
	}
	_, err = tx.Exec(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, e.Seq, e.Hash)
	return e, classify(err)
}

// Append appends an entry in its own transaction (reads, failed sign-ins).
func (a *Audit) Append(ctx context.Context, e audit.Entry) (out audit.Entry, err error) {
	err = a.db.InTx(ctx, func(tx *Tx) error {
		out, err = a.AppendTx(ctx, tx, e)
		return err
	})
	return out, err
}

// Head returns the recorded head of the chain.
func (a *Audit) Head(ctx context.Context) (audit.Head, error) {
	var h audit.Head
	err := a.db.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&h.Seq, &h.Hash)
	return h, classify(err)
}

const auditColumns = `seq, at, actor_id, actor_name, org_id, action, resource, record_id, outcome, client_addr, detail, prev_hash, hash`

func scanEntry(r interface{ Scan(...any) error }) (audit.Entry, error) {
	var e audit.Entry
	err := r.Scan(&e.Seq, &e.Time, &e.ActorID, &e.ActorName, &e.OrgID, &e.Action, &e.Resource, &e.RecordID,
		&e.Outcome, &e.ClientAddr, &e.Detail, &e.PrevHash, &e.Hash)
	e.Time = e.Time.UTC()
	return e, err
}

// List returns a page of entries matching the filter (see audit.Filter).
func (a *Audit) List(ctx context.Context, f audit.Filter) (_ []audit.Entry, err error) {
	defer derrors.Wrap(&err, "store.Audit.List")
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var conds []string
	var args []any
	add := func(c string, v any) { conds = append(conds, c); args = append(args, v) }
	if !f.From.IsZero() {
		add("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UTC())
	}
	if f.ActorID != nil {
		add("actor_id = ?", *f.ActorID)
	}
	if f.OrgID != nil {
		add("org_id = ?", *f.OrgID)
	}
	for _, c := range []struct{ col, v string }{{"action", f.Action}, {"resource", f.Resource}, {"record_id", f.RecordID}, {"outcome", f.Outcome}} {
		if c.v != "" {
			add(c.col+" = ?", c.v)
		}
	}
	if f.AfterSeq > 0 {
		add("seq > ?", f.AfterSeq)
	}
	if f.BeforeSeq > 0 {
		add("seq < ?", f.BeforeSeq)
	}
	where := "1 = 1"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	order := "ASC"
	if f.Desc {
		order = "DESC"
	}
	limit := f.Limit
	if limit <= 0 {
		limit = audit.DefaultLimit
	}
	rows, err := a.db.sql.QueryContext(ctx, a.db.dialect.rebind(`SELECT `+auditColumns+` FROM audit_log WHERE `+where+
		` ORDER BY seq `+order+` LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	out := []audit.Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// All streams every entry in sequence order, for verification and export.
func (a *Audit) All(ctx context.Context) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		rows, err := a.db.sql.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`)
		if err != nil {
			yield(audit.Entry{}, classify(err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEntry(rows)
			if !yield(e, err) || err != nil {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(audit.Entry{}, err)
		}
	}
}

// Verify checks the whole chain and that it ends at the recorded head
// (and contains anchor, when given). The error names the first bad entry.
func (a *Audit) Verify(ctx context.Context, anchor *audit.Head) (audit.Result, error) {
	res, err := audit.Verify(a.All(ctx), anchor)
	if err != nil {
		return res, err
	}
	head, err := a.Head(ctx)
	if err != nil {
		return res, err
	}
	return res, res.EndsAt(head)
}
