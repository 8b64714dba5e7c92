// Package table is the tabular form every release method reads and
// writes: microdata (one row per person) and aggregate tables, as strings
// with "" for a missing value, the way CTDC's files encode them. It holds
// no method; internal/release/sds and internal/release/kanon do.
package table

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Table is a header and rows of equal length.
type Table struct {
	Columns []string
	Rows    [][]string // Rows[i][j] is the value of Columns[j]; "" is missing
}

// Index returns the position of a column, -1 if absent.
func (t *Table) Index(col string) int { return slices.Index(t.Columns, col) }

// Column returns the values of one column, or an error naming it.
func (t *Table) Column(col string) ([]string, error) {
	j := t.Index(col)
	if j < 0 {
		return nil, derrors.Kindf(derrors.Invalid, "column %q: not in the table (columns: %s)", col, strings.Join(t.Columns, ", "))
	}
	out := make([]string, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = r[j]
	}
	return out, nil
}

// Select returns a table of the given columns, in that order.
func (t *Table) Select(cols ...string) (*Table, error) {
	idx := make([]int, len(cols))
	for k, c := range cols {
		if idx[k] = t.Index(c); idx[k] < 0 {
			return nil, derrors.Kindf(derrors.Invalid, "column %q: not in the table (columns: %s)", c, strings.Join(t.Columns, ", "))
		}
	}
	out := &Table{Columns: slices.Clone(cols), Rows: make([][]string, len(t.Rows))}
	for i, r := range t.Rows {
		row := make([]string, len(idx))
		for k, j := range idx {
			row[k] = r[j]
		}
		out.Rows[i] = row
	}
	return out, nil
}

// MaxFileBytes bounds what ReadCSV accepts.
const MaxFileBytes = 512 << 20

// ReadCSV reads a CSV file with a header row. A UTF-8 byte-order mark is
// ignored; cells are trimmed of surrounding spaces. Errors wrap
// derrors.Invalid and name the line and column: a duplicate or empty
// header, a row of another length, a malformed quote; a file over
// MaxFileBytes is derrors.TooLarge.
func ReadCSV(r io.Reader) (*Table, error) {
	lr := &io.LimitedReader{R: r, N: MaxFileBytes + 1}
	cr := csv.NewReader(lr)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, derrors.Kindf(derrors.Invalid, "line 1: the file is empty (a header row is required)")
	}
	if err != nil {
		return nil, derrors.Kindf(derrors.Invalid, "%v", err)
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff")
	}
	seen := map[string]bool{}
	for j, h := range head {
		h = strings.TrimSpace(h)
		head[j] = h
		if h == "" {
			return nil, derrors.Kindf(derrors.Invalid, "line 1, column %d: empty column name", j+1)
		}
		if seen[h] {
			return nil, derrors.Kindf(derrors.Invalid, "line 1, column %d: column %q appears twice", j+1, h)
		}
		seen[h] = true
	}
	t := &Table{Columns: head}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if lr.N <= 0 {
			return nil, derrors.Kindf(derrors.TooLarge, "the file is larger than %d MiB", MaxFileBytes>>20)
		}
		if err != nil {
			return nil, derrors.Kindf(derrors.Invalid, "%v", err)
		}
		if len(rec) != len(head) {
			line, _ := cr.FieldPos(0)
			return nil, derrors.Kindf(derrors.Invalid, "line %d: %d cells, the header has %d", line, len(rec), len(head))
		}
		for j := range rec {
			rec[j] = strings.TrimSpace(rec[j])
		}
		t.Rows = append(t.Rows, rec)
	}
	if lr.N <= 0 {
		return nil, derrors.Kindf(derrors.TooLarge, "the file is larger than %d MiB", MaxFileBytes>>20)
	}
	return t, nil
}

// WriteCSV writes the header and rows.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Columns); err != nil {
		return err
	}
	for i, r := range t.Rows {
		if len(r) != len(t.Columns) {
			return fmt.Errorf("table: row %d has %d cells, the header %d", i+1, len(r), len(t.Columns))
		}
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
