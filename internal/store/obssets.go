package store

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/stats"
)

// allObservations is the relation every reader queries: the observations
// table and the observation sets (migration 00011) unpacked to one row per
// period, with the same columns (series, area, counterpart, period, sex,
// age, value, status). Both engines push a query's conditions on series,
// area, counterpart and sex into each arm, where the tables' keys serve
// them; a condition on period filters a set's unpacked periods.
func (d dialect) allObservations() string {
	if d.isPostgres() {
		return `(SELECT series, area, counterpart, period, sex, age, value, status FROM observations
		UNION ALL
		SELECT s.series, s.area, s.counterpart, j.key, s.sex, s.age, (j.value #>> '{}')::double precision,
			CASE WHEN jsonb_typeof(j.value) = 'null' THEN 'missing' ELSE s.status END
		FROM observation_sets s CROSS JOIN LATERAL jsonb_each(s.data) j) AS o`
	}
	return `(SELECT series, area, counterpart, period, sex, age, value, status FROM observations
		UNION ALL
		SELECT s.series, s.area, s.counterpart, j.key, s.sex, s.age, CAST(j.value AS REAL),
			CASE WHEN j.value IS NULL THEN 'missing' ELSE s.status END
		FROM observation_sets s, json_each(s.data) j) AS o`
}

// observationsOf is the relation to read a series' observations from:
// the observations table alone unless the series is stored as sets (the
// union costs every row a step through a co-routine on SQLite, a fifth
// more time for UNHCR's 110,000 refugee rows).
func (s *Stats) observationsOf(ctx context.Context, series string) (string, error) {
	packed, err := s.isPacked(ctx, series)
	if err != nil || !packed {
		return `observations`, err
	}
	return s.db.dialect.allObservations(), nil
}

// isPacked reports whether a series is stored as observation sets: one
// probe of the key, reused within the recheck interval (recheck.go).
func (s *Stats) isPacked(ctx context.Context, series string) (bool, error) {
	return recheckRead(s.db, "packed:"+series, func() (bool, error) {
		var one int
		err := s.db.queryRow(ctx, `SELECT 1 FROM observation_sets WHERE series = ? LIMIT 1`, series).Scan(&one)
		if noRowsErr(err) {
			return false, nil
		}
		return err == nil, classify(err)
	})
}

// eachPeriod calls fn for every period of a set's data, a JSON object of
// numbers and nulls as the writer makes it ({"1990":2.5,"1995":null}) or
// as PostgreSQL returns JSONB (with spaces), saying whether the value is
// present. It decodes only that form; anything else is an error. Keys
// are periods, which need no escapes.
func eachPeriod(data []byte, fn func(period string, present bool)) error {
	i := 0
	ws := func() {
		for i < len(data) && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r') {
			i++
		}
	}
	bad := func() error {
		return fmt.Errorf("set data: unexpected %q at byte %d", data[min(i, len(data)):min(i+10, len(data))], i)
	}
	ws()
	if i >= len(data) || data[i] != '{' {
		return bad()
	}
	i++
	ws()
	if i < len(data) && data[i] == '}' {
		return nil
	}
	for {
		ws()
		if i >= len(data) || data[i] != '"' {
			return bad()
		}
		end := bytes.IndexByte(data[i+1:], '"')
		if end < 0 {
			return bad()
		}
		key := data[i+1 : i+1+end]
		if bytes.IndexByte(key, '\\') >= 0 {
			return bad()
		}
		i += end + 2
		ws()
		if i >= len(data) || data[i] != ':' {
			return bad()
		}
		i++
		ws()
		start := i
		for i < len(data) && data[i] != ',' && data[i] != '}' && data[i] != ' ' {
			i++
		}
		val := data[start:i]
		switch {
		case string(val) == "null":
			fn(string(key), false)
		case len(val) > 0:
			if _, err := strconv.ParseFloat(string(val), 64); err != nil {
				i = start
				return bad()
			}
			fn(string(key), true)
		default:
			return bad()
		}
		ws()
		if i >= len(data) {
			return bad()
		}
		if data[i] == '}' {
			return nil
		}
		if data[i] != ',' {
			return bad()
		}
		i++
	}
}

// setBatch is the number of sets one INSERT writes (× 7 parameters).
const setBatch = 250

// PackPeriods has the writer store the observations of the given series as
// sets: every run of observations that share series, area, counterpart, sex
// and age becomes one row holding all their periods. The caller adds a
// key's observations one after another (a key seen again later fails as a
// duplicate at the insert); a series is stored either all as sets or all
// as rows, since the writer is the only one to write it. The present values
// of one set share one status (observed or estimated); missing values may
// sit among them. Call before the first Add.
func (w *ObservationWriter) PackPeriods(series ...string) {
	if w.pack == nil {
		w.pack = map[string]bool{}
	}
	for _, s := range series {
		w.pack[s] = true
	}
}

// openSet is the set being filled by PackPeriods' writer.
type openSet struct {
	key    stats.Observation // Series, Area, Counterpart, Sex, Age
	status stats.Status      // of its present values; "" while all are missing
	data   []byte            // the JSON object, without its closing brace
	n      int               // periods
}

func sameSet(a, b *stats.Observation) bool {
	return a.Series == b.Series && a.Area == b.Area && a.Counterpart == b.Counterpart && a.Sex == b.Sex && a.Age == b.Age
}

// addToSet puts a validated observation into the open set, first closing
// the open set when o starts another.
func (w *ObservationWriter) addToSet(o stats.Observation) error {
	s := &w.set
	if s.n > 0 && !sameSet(&s.key, &o) {
		if err := w.closeSet(); err != nil {
			return err
		}
	}
	if s.n == 0 {
		s.key = stats.Observation{Series: o.Series, Area: o.Area, Counterpart: o.Counterpart, Sex: o.Sex, Age: o.Age}
		s.status = ""
		s.data = append(s.data[:0], '{')
	} else {
		s.data = append(s.data, ',')
	}
	s.data = strconv.AppendQuote(s.data, o.Period)
	s.data = append(s.data, ':')
	if o.Status == stats.Missing {
		s.data = append(s.data, "null"...)
	} else {
		switch s.status {
		case "":
			s.status = o.Status
		case o.Status:
		default:
			return derrors.Kindf(derrors.Invalid, "observation %s/%s/%s/%s/%s: status %s in a set of %s values (a set holds one status)",
				o.Series, o.Area, o.Counterpart, o.Period, o.Sex, o.Status, s.status)
		}
		s.data = strconv.AppendFloat(s.data, o.Value, 'g', -1, 64)
	}
	s.n++
	return nil
}

// closeSet queues the open set for the next INSERT.
func (w *ObservationWriter) closeSet() error {
	s := &w.set
	if s.n == 0 {
		return nil
	}
	status := s.status
	if status == "" {
		status = stats.Observed // all missing: the status is never read
	}
	w.setArgs = append(w.setArgs, s.key.Series, s.key.Area, s.key.Counterpart, s.key.Sex, s.key.Age,
		string(status), string(append(s.data, '}')))
	w.setPeriods += int64(s.n)
	s.n = 0
	if len(w.setArgs) == 7*setBatch {
		return w.flushSets()
	}
	return nil
}

// flushSets writes the queued sets.
func (w *ObservationWriter) flushSets() error {
	if !w.started {
		if err := w.start(); err != nil {
			return err
		}
	}
	rows := len(w.setArgs) / 7
	if rows == 0 {
		return nil
	}
	var err error
	if rows == setBatch {
		if w.setStmt == nil {
			if w.setStmt, err = w.tx.Prepare(w.ctx, w.insertSetsSQL(rows)); err != nil {
				return classify(err)
			}
		}
		_, err = w.setStmt.ExecContext(w.ctx, w.setArgs...)
	} else {
		_, err = w.tx.Exec(w.ctx, w.insertSetsSQL(rows), w.setArgs...)
	}
	clear(w.setArgs)
	w.setArgs = w.setArgs[:0]
	if err != nil {
		return classify(err)
	}
	w.n += w.setPeriods
	w.setPeriods = 0
	return nil
}

func (w *ObservationWriter) insertSetsSQL(rows int) string {
	var b strings.Builder
	b.Grow(100 + rows*16)
	if w.tx.d.isPostgres() {
		b.WriteString(`INSERT INTO observation_sets`)
	} else {
		b.WriteString(`INSERT OR FAIL INTO observation_sets`)
	}
	b.WriteString(` (series, area, counterpart, sex, age, status, data) VALUES `)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?)")
	}
	return b.String()
}

// AllObservations returns the SQL relation (a parenthesised subquery with
// an alias) of every stored observation, rows and unpacked sets alike, for
// tests and tools that read observations with their own SQL.
func (db *DB) AllObservations() string { return db.dialect.allObservations() }
