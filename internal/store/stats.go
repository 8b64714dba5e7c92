package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/stats"
)

// ReplaceSeries declares the series of a dataset inside tx, deleting the
// dataset's previous series and all their observations (an import then
// writes the new ones: the replacement is atomic with the transaction).
func ReplaceSeries(ctx context.Context, tx *Tx, dataset string, series []stats.Series) (err error) {
	defer derrors.Wrap(&err, "store.ReplaceSeries(%q)", dataset)
	if _, err := tx.Exec(ctx, `DELETE FROM observations WHERE series IN (SELECT code FROM series WHERE dataset = ?)`, dataset); err != nil {
		return classify(err)
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
type ObservationWriter struct {
	ctx   context.Context
	tx    *Tx
	batch []stats.Observation
	stmt  *sql.Stmt
	n     int64
}

const obsBatch = 250 // × 8 parameters, under SQLite's and PostgreSQL's limits

// NewObservationWriter writes observations inside tx.
func NewObservationWriter(ctx context.Context, tx *Tx) *ObservationWriter {
	return &ObservationWriter{ctx: ctx, tx: tx, batch: make([]stats.Observation, 0, obsBatch)}
}

// Add queues one observation (validated) and writes a full batch.
func (w *ObservationWriter) Add(o stats.Observation) error {
	if err := o.Validate(); err != nil {
		return err
	}
	w.batch = append(w.batch, o)
	if len(w.batch) == obsBatch {
		return w.flush()
	}
	return nil
}

func insertObsSQL(rows int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO observations (series, area, counterpart, period, sex, age, value, status) VALUES `)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?)")
	}
	return b.String()
}

func (w *ObservationWriter) flush() error {
	if len(w.batch) == 0 {
		return nil
	}
	args := make([]any, 0, len(w.batch)*8)
	for _, o := range w.batch {
		var v any = o.Value
		if o.Status == stats.Missing {
			v = nil
		}
		args = append(args, o.Series, o.Area, o.Counterpart, o.Period, o.Sex, o.Age, v, string(o.Status))
	}
	var err error
	if len(w.batch) == obsBatch {
		if w.stmt == nil {
			if w.stmt, err = w.tx.Prepare(w.ctx, insertObsSQL(obsBatch)); err != nil {
				return classify(err)
			}
		}
		_, err = w.stmt.ExecContext(w.ctx, args...)
	} else {
		_, err = w.tx.Exec(w.ctx, insertObsSQL(len(w.batch)), args...)
	}
	if err != nil {
		return classify(err)
	}
	w.n += int64(len(w.batch))
	w.batch = w.batch[:0]
	return nil
}

// Close writes what is queued and returns the number of rows written.
func (w *ObservationWriter) Close() (int64, error) {
	err := w.flush()
	if w.stmt != nil {
		w.stmt.Close()
	}
	return w.n, err
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
	rows, err := s.db.query(ctx, `SELECT series, area, counterpart, period, sex, age, value, status FROM observations WHERE `+
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
