package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/stats"
)

// ReplaceSeries declares the series of a dataset inside tx, deleting the
// dataset's previous series and all their observations (an import then
// writes the new ones: the replacement is atomic with the transaction).
func ReplaceSeries(ctx context.Context, tx *Tx, dataset string, series []stats.Series) (err error) {
	defer derrors.Wrap(&err, "store.ReplaceSeries(%q)", dataset)
	if !tx.d.isPostgres() {
		// Deleting most of the table row by row from its secondary
		// indexes costs more than building them again (see bulkWrite).
		total, err := storedRows(ctx, tx)
		if err != nil {
			return err
		}
		if total >= rebuildMinRows {
			var n int64
			if err := tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM observations WHERE series IN (SELECT code FROM series WHERE dataset = ?))
				+ (SELECT COUNT(*) FROM observation_sets WHERE series IN (SELECT code FROM series WHERE dataset = ?))`, dataset, dataset).Scan(&n); err != nil {
				return classify(err)
			}
			if bulkWrite(n, total-n) {
				if err := tx.dropObservationIndexes(ctx); err != nil {
					return err
				}
				restore, err := bulkCache(ctx, tx)
				if err != nil {
					return err
				}
				defer func() {
					if rerr := restore(); err == nil {
						err = rerr
					}
				}()
			}
		}
	}
	for _, table := range []string{"observations", "observation_sets"} {
		if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE series IN (SELECT code FROM series WHERE dataset = ?)`, dataset); err != nil {
			return classify(err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM series WHERE dataset = ?`, dataset); err != nil {
		return classify(err)
	}
	for _, s := range series {
		s.Dataset = dataset
		if err := s.Validate(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO series (code, name, unit, dataset, source, licence, citation, bilateral) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			s.Code, s.Name, s.Unit, s.Dataset, s.Source, s.Licence, s.Citation, s.Bilateral); err != nil {
			return classify(err)
		}
	}
	return nil
}

// ObservationWriter inserts observations in multi-row batches: one
// prepared statement per batch size, a few hundred rows a statement.
//
// On SQLite it also sets the connection up for a bulk write, for the
// length of the write: a 64 MiB page cache (restored at Close), foreign
// keys checked at COMMIT (defer_foreign_keys, which SQLite resets at the
// end of the transaction) and INSERT OR FAIL. Together these let SQLite
// write a multi-row INSERT without a statement journal: an immediate
// foreign-key check or OR ABORT would have it copy every page the
// statement touches to a temporary file first, to undo the statement
// alone on error. The write is still all or nothing: any error fails the
// import, whose transaction is rolled back, and a dangling series fails
// the COMMIT.
//
// With SizeHint, a large write on SQLite also builds the table's secondary
// indexes once at Close instead of row by row (see SizeHint); if Close is
// not called, DB.InTx builds them before COMMIT.
type ObservationWriter struct {
	ctx   context.Context
	tx    *Tx
	batch []stats.Observation
	args  []any
	stmt  *sql.Stmt
	n     int64

	// PackPeriods' sets (obssets.go).
	pack       map[string]bool // series stored as sets
	set        openSet
	setArgs    []any
	setStmt    *sql.Stmt
	setPeriods int64 // periods in setArgs

	hint         int
	started      bool
	closed       bool
	restoreCache func() error // SQLite: bulkCache's undo, at Close
}

const (
	obsBatch       = 250 // × 8 parameters, under SQLite's and PostgreSQL's limits
	rebuildMinRows = 20000
)

// bulkWrite reports whether writing (or deleting) n rows of observations
// next to other rows that stay should go without the secondary indexes,
// built again afterwards: on SQLite, inserting a row into the counterpart
// index at a random place costs some 3 times what a sorted build costs per
// row of the table (≈ 4 µs against ≈ 1.3 µs on the 2-core reference
// machine), so the build pays when n is at least half of the rest (the
// margin covers the other rows' share of the build), and a schema change
// is not worth it for small n.
func bulkWrite(n, rest int64) bool { return n >= rebuildMinRows && 2*n >= rest }

// bulkCache gives tx's SQLite connection a 64 MiB page cache until the
// returned function restores the previous size. SQLite's default 2 MB
// spills dirty pages of a large write to the WAL in the middle of the
// transaction and reads them back; no durability setting changes.
func bulkCache(ctx context.Context, tx *Tx) (restore func() error, err error) {
	var prev int64
	if err := tx.QueryRow(ctx, `PRAGMA cache_size`).Scan(&prev); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `PRAGMA cache_size = -65536`); err != nil { // KiB
		return nil, err
	}
	return func() error {
		_, err := tx.Exec(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, prev))
		return err
	}, nil
}

// dropObservationIndexes drops the secondary indexes of observations and
// observation_sets (those the migrations created; the primary key stays) inside tx and
// remembers them for restoreIndexes, which ObservationWriter.Close and, at
// the latest, DB.InTx before COMMIT call. Other connections keep reading
// the committed schema with its indexes; a rollback restores them. SQLite
// only.
func (tx *Tx) dropObservationIndexes(ctx context.Context) error {
	if len(tx.dropped) > 0 {
		return nil
	}
	qr, err := tx.Query(ctx, `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('observations', 'observation_sets') AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		return classify(err)
	}
	var names, creates []string
	for qr.Next() {
		var name, create string
		if err := qr.Scan(&name, &create); err != nil {
			qr.Close()
			return err
		}
		names, creates = append(names, name), append(creates, create)
	}
	qr.Close()
	if err := qr.Err(); err != nil {
		return err
	}
	for i, name := range names {
		if _, err := tx.Exec(ctx, `DROP INDEX "`+strings.ReplaceAll(name, `"`, `""`)+`"`); err != nil {
			return classify(err)
		}
		tx.dropped = append(tx.dropped, creates[i])
	}
	return nil
}

// restoreIndexes creates the indexes dropObservationIndexes dropped.
func (tx *Tx) restoreIndexes(ctx context.Context) error {
	for len(tx.dropped) > 0 {
		if _, err := tx.Exec(ctx, tx.dropped[0]); err != nil {
			return classify(err)
		}
		tx.dropped = tx.dropped[1:]
	}
	return nil
}

// NewObservationWriter writes observations inside tx.
func NewObservationWriter(ctx context.Context, tx *Tx) *ObservationWriter {
	return &ObservationWriter{ctx: ctx, tx: tx, batch: make([]stats.Observation, 0, obsBatch)}
}

// SizeHint tells the writer, before the first Add, how many observations
// are coming. On SQLite, when they are many next to the rows already in
// the table (bulkWrite), the writer drops the secondary indexes of
// observations and creates them again at Close, in one sorted pass,
// instead of inserting every row into them at a random place; ReplaceSeries
// does the same before deleting a large dataset. It happens inside the
// transaction: other connections keep reading the committed table and its
// indexes, and a rollback restores them. Importers write in primary-key
// order, so the table and its key index only grow at their ends.
func (w *ObservationWriter) SizeHint(n int) { w.hint = n }

// Add queues one observation (validated) and writes a full batch.
func (w *ObservationWriter) Add(o stats.Observation) error {
	if w.closed {
		return fmt.Errorf("store.ObservationWriter: Add after Close")
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if w.pack[o.Series] {
		return w.addToSet(o)
	}
	w.batch = append(w.batch, o)
	if len(w.batch) == obsBatch {
		return w.flush()
	}
	return nil
}

func (w *ObservationWriter) insertSQL(rows int) string {
	var b strings.Builder
	b.Grow(100 + rows*18)
	if w.tx.d.isPostgres() {
		b.WriteString(`INSERT INTO observations`)
	} else {
		b.WriteString(`INSERT OR FAIL INTO observations`)
	}
	b.WriteString(` (series, area, counterpart, period, sex, age, value, status) VALUES `)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?)")
	}
	return b.String()
}

// start prepares a SQLite connection for the write (see ObservationWriter).
func (w *ObservationWriter) start() (err error) {
	w.started = true
	if w.tx.d.isPostgres() {
		return nil
	}
	ctx, tx := w.ctx, w.tx
	if w.restoreCache, err = bulkCache(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return err
	}
	if w.hint < rebuildMinRows || len(tx.dropped) > 0 {
		return nil
	}
	rows, err := storedRows(ctx, tx)
	if err != nil {
		return err
	}
	hint := int64(w.hint)
	if w.pack != nil {
		hint /= 4 // a set holds several periods (7 for the IMS matrices)
	}
	if bulkWrite(hint, rows) {
		return tx.dropObservationIndexes(ctx)
	}
	return nil
}

func (w *ObservationWriter) flush() error {
	if !w.started {
		if err := w.start(); err != nil {
			return err
		}
	}
	if len(w.batch) == 0 {
		return nil
	}
	args := w.args[:0]
	for _, o := range w.batch {
		var v any = o.Value
		if o.Status == stats.Missing {
			v = nil
		}
		args = append(args, o.Series, o.Area, o.Counterpart, o.Period, o.Sex, o.Age, v, string(o.Status))
	}
	w.args = args
	var err error
	if len(w.batch) == obsBatch {
		if w.stmt == nil {
			if w.stmt, err = w.tx.Prepare(w.ctx, w.insertSQL(obsBatch)); err != nil {
				return classify(err)
			}
		}
		_, err = w.stmt.ExecContext(w.ctx, args...)
	} else {
		_, err = w.tx.Exec(w.ctx, w.insertSQL(len(w.batch)), args...)
	}
	clear(args) // let the strings go
	if err != nil {
		return classify(err)
	}
	w.n += int64(len(w.batch))
	w.batch = w.batch[:0]
	return nil
}

// Close writes what is queued, recreates the indexes SizeHint dropped and
// returns the number of rows written. Call it also after an error.
func (w *ObservationWriter) Close() (n int64, err error) {
	if w.closed {
		return w.n, nil
	}
	w.closed = true
	err = w.flush()
	if err == nil && w.pack != nil {
		if err = w.closeSet(); err == nil {
			err = w.flushSets()
		}
	}
	if w.stmt != nil {
		w.stmt.Close()
	}
	if w.setStmt != nil {
		w.setStmt.Close()
	}
	if xerr := w.tx.restoreIndexes(w.ctx); xerr != nil && err == nil {
		err = xerr
	}
	if w.restoreCache != nil {
		if xerr := w.restoreCache(); xerr != nil && err == nil {
			err = xerr
		}
	}
	return w.n, err
}

// storedRows counts the rows of observations and observation_sets.
func storedRows(ctx context.Context, tx *Tx) (int64, error) {
	var n int64
	err := tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM observations) + (SELECT COUNT(*) FROM observation_sets)`).Scan(&n)
	return n, classify(err)
}

// Stats reads series and observations.
type Stats struct{ db *DB }

// Stats returns the statistics store.
func (db *DB) Stats() *Stats { return &Stats{db: db} }

// Series returns one series (derrors.NotFound if absent).
func (s *Stats) Series(ctx context.Context, code string) (stats.Series, error) {
	var sr stats.Series
	err := s.db.queryRow(ctx, `SELECT code, name, unit, dataset, source, licence, citation, bilateral FROM series WHERE code = ?`, code).
		Scan(&sr.Code, &sr.Name, &sr.Unit, &sr.Dataset, &sr.Source, &sr.Licence, &sr.Citation, &sr.Bilateral)
	if err == sql.ErrNoRows {
		return sr, derrors.Kindf(derrors.NotFound, "no series %q", code)
	}
	return sr, classify(err)
}

// ObservationQuery selects observations of one series.
type ObservationQuery struct {
	Series      string
	Areas       []string // empty: any
	Counterpart string   // "" with Bilateral false: not bilateral; "*": any
	Period      stats.PeriodRange
	Sex         string // "" = any
}

// Observations returns the matching observations ordered by area,
// counterpart, period, sex.
func (s *Stats) Observations(ctx context.Context, q ObservationQuery) (_ []stats.Observation, err error) {
	defer derrors.Wrap(&err, "store.Observations(%q)", q.Series)
	conds := []string{"series = ?"}
	args := []any{q.Series}
	if len(q.Areas) > 0 {
		conds = append(conds, "area IN ("+strings.TrimSuffix(strings.Repeat("?,", len(q.Areas)), ",")+")")
		for _, a := range q.Areas {
			args = append(args, a)
		}
	}
	if q.Counterpart != "*" {
		conds = append(conds, "counterpart = ?")
		args = append(args, q.Counterpart)
	}
	if q.Period.From != "" {
		conds = append(conds, "period >= ? AND period <= ?")
		args = append(args, q.Period.From, q.Period.To+"~") // "~" sorts after "-Qn" and "-mm-dd" suffixes
	}
	if q.Sex != "" {
		conds = append(conds, "sex = ?")
		args = append(args, q.Sex)
	}
	from, err := s.observationsOf(ctx, q.Series)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT series, area, counterpart, period, sex, age, value, status FROM `+from+` WHERE `+
		strings.Join(conds, " AND ")+` ORDER BY area, counterpart, period, sex, age`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []stats.Observation{}
	for rows.Next() {
		var o stats.Observation
		var v sql.NullFloat64
		var st string
		if err := rows.Scan(&o.Series, &o.Area, &o.Counterpart, &o.Period, &o.Sex, &o.Age, &v, &st); err != nil {
			return nil, err
		}
		o.Value, o.Status = v.Float64, stats.Status(st)
		out = append(out, o)
	}
	return out, rows.Err()
}
