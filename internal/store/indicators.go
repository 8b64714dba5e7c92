package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/stats"
)

// EnsureBuiltinIndicators stores the built-in indicators: those missing
// are created, and those stored by an earlier version of the program take
// the current definition (built-in definitions are Corridor's, not users').
func (s *Stats) EnsureBuiltinIndicators(ctx context.Context) error {
	return s.db.InTx(ctx, func(tx *Tx) error {
		for _, ind := range stats.BuiltinIndicators() {
			ind.Builtin = true
			def, _ := json.Marshal(ind)
			if _, err := tx.Exec(ctx, `INSERT INTO indicators (code, definition, builtin, created_by, created_at) VALUES (?, ?, ?, 0, ?)
				ON CONFLICT (code) DO UPDATE SET definition = excluded.definition WHERE indicators.builtin`, ind.Code, string(def), true, now()); err != nil {
				return classify(err)
			}
		}
		return nil
	})
}

// KnownSeries reports which series codes exist.
func (s *Stats) KnownSeries(ctx context.Context) (func(string) bool, error) {
	rows, err := s.db.query(ctx, `SELECT code FROM series`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		set[c] = true
	}
	return func(c string) bool { return set[c] }, rows.Err()
}

// CreateIndicator stores a user's indicator after compiling it against the
// series that exist (a bad expression is an error pointing at the token).
func (s *Stats) CreateIndicator(ctx context.Context, tx *Tx, ind stats.Indicator, userID int64) (err error) {
	defer derrors.Wrap(&err, "store.CreateIndicator(%q)", ind.Code)
	known, err := s.KnownSeries(ctx)
	if err != nil {
		return err
	}
	ind.Builtin = false
	if _, err := ind.Compile(known); err != nil {
		return err
	}
	def, _ := json.Marshal(ind)
	_, err = tx.Exec(ctx, `INSERT INTO indicators (code, definition, builtin, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
		ind.Code, string(def), false, userID, now())
	return classify(err)
}

// Indicator returns one indicator (derrors.NotFound if absent).
func (s *Stats) Indicator(ctx context.Context, code string) (stats.Indicator, error) {
	var def string
	var ind stats.Indicator
	err := s.db.queryRow(ctx, `SELECT definition FROM indicators WHERE code = ?`, code).Scan(&def)
	if err == sql.ErrNoRows {
		return ind, derrors.Kindf(derrors.NotFound, "no indicator %q", code)
	}
	if err != nil {
		return ind, classify(err)
	}
	return ind, json.Unmarshal([]byte(def), &ind)
}

// Indicators lists every indicator by code.
func (s *Stats) Indicators(ctx context.Context) ([]stats.Indicator, error) {
	rows, err := s.db.query(ctx, `SELECT definition FROM indicators ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []stats.Indicator{}
	for rows.Next() {
		var def string
		var ind stats.Indicator
		if err := rows.Scan(&def); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(def), &ind); err != nil {
			return nil, err
		}
		out = append(out, ind)
	}
	return out, rows.Err()
}

// Lookup returns a stats.Lookup over the stored observations: the point's
// dimensions with the reference's filters applied; "*" sums over a
// dimension; a value is missing when no observed or estimated row exists.
func (s *Stats) Lookup(ctx context.Context) stats.Lookup {
	return func(series string, f map[string]string, at stats.Point) (float64, bool, error) {
		area, cp, sex := resolveRef(f, at, at.Area)
		from, err := s.observationsOf(ctx, series)
		if err != nil {
			return 0, false, err
		}
		q := `SELECT COUNT(value), COALESCE(SUM(value), 0) FROM ` + from + ` WHERE series = ? AND period = ? AND sex = ? AND age = ''`
		args := []any{series, at.Period, sex}
		if area != "*" {
			q += ` AND area = ?`
			args = append(args, area)
		}
		if cp != "*" {
			q += ` AND counterpart = ?`
			args = append(args, cp)
		}
		var n int
		var sum float64
		if err := s.db.queryRow(ctx, q, args...).Scan(&n, &sum); err != nil {
			return 0, false, classify(err)
		}
		if n == 0 && (area == "*" || cp == "*") {
			// Summing over a dimension of a sparse table (UNHCR publishes
			// only the pairs with people): when the series covers the
			// period at all, no row means nobody, a true zero.
			zero, err := s.absentIsZero(ctx, series, at.Period, area, cp)
			return 0, zero, err
		}
		return sum, n > 0, nil
	}
}

// AllSeries lists every stored series by code: what indicator expressions
// may name.
func (s *Stats) AllSeries(ctx context.Context) (_ []stats.Series, err error) {
	defer derrors.Wrap(&err, "store.AllSeries")
	rows, err := s.db.query(ctx, `SELECT code, name, unit, dataset, source, licence, citation, bilateral FROM series ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.Series
	for rows.Next() {
		var sr stats.Series
		if err := rows.Scan(&sr.Code, &sr.Name, &sr.Unit, &sr.Dataset, &sr.Source, &sr.Licence, &sr.Citation, &sr.Bilateral); err != nil {
			return nil, err
		}
		out = append(out, sr)
	}
	return out, rows.Err()
}
