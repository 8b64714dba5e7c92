// Package tabular reads CSV and XLSX files row by row (streaming, never the
// whole file in memory) behind one interface, and reports problems with the
// file, row and column they were found in.
package tabular

import (
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// CellError locates a problem in a source file. Row is the 1-based row
// number as a spreadsheet program shows it (the header is row 1 in a CSV).
// It wraps derrors.Invalid.
type CellError struct {
	File   string `json:"file"`
	Row    int    `json:"row,omitempty"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

func (e *CellError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Row > 0 {
		fmt.Fprintf(&b, ": row %d", e.Row)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %q", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

func (e *CellError) Unwrap() error { return derrors.Invalid }

// PublicMessage implements derrors.Public.
func (e *CellError) PublicMessage() string { return e.Error() }

// AsCellError returns the CellError inside err, if any.
func AsCellError(err error) (*CellError, bool) {
	var ce *CellError
	ok := errors.As(err, &ce)
	return ce, ok
}

// Reader yields the data rows of one table.
type Reader interface {
	// Header returns the column names of the table.
	Header() []string
	// Next returns the next data row, or io.EOF after the last one. Any
	// other error is a broken file (a *CellError naming the row).
	Next() (Row, error)
	// Progress reports how far the reader is: done and total in the same
	// unit (bytes for CSV, rows for XLSX); total is 0 when unknown. It is
	// safe to call from another goroutine while Next runs.
	Progress() (done, total int64)
	Close() error
}

// Options control how a table is found in a file.
type Options struct {
	// Sheet names the XLSX sheet (default: the first).
	Sheet string
	// HeaderContains finds the header row: the first row (within the first
	// 50) that holds all of these cells. Empty: the first row is the header.
	HeaderContains []string
	// Required columns must exist in the header, else Open fails naming them.
	Required []string
}

// Open opens a CSV or XLSX file by its extension.
func Open(path string, opt Options) (Reader, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return OpenCSV(path, opt)
	case ".xlsx":
		return OpenXLSX(path, opt)
	default:
		return nil, &CellError{File: filepath.Base(path), Reason: "unsupported file type (want .csv or .xlsx)"}
	}
}

// columns maps header names to positions.
type columns struct {
	file  string
	names []string
	index map[string]int
}

// newColumns indexes a header found on row headerRow. A missing required
// column is reported on the header row, naming the first missing column.
func newColumns(file string, headerRow int, header []string, required []string) (*columns, error) {
	c := &columns{file: file, names: header, index: make(map[string]int, len(header))}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if _, dup := c.index[h]; !dup {
			c.index[h] = i
		}
	}
	var missing []string
	for _, r := range required {
		if _, ok := c.index[r]; !ok {
			missing = append(missing, strconv.Quote(r))
		}
	}
	if len(missing) > 0 {
		first, _ := strconv.Unquote(missing[0])
		return nil, &CellError{File: file, Row: headerRow, Column: first, Reason: fmt.Sprintf("missing required column(s) %s; the header has %s",
			strings.Join(missing, ", "), summarize(header))}
	}
	return c, nil
}

func summarize(header []string) string {
	const max = 12
	q := make([]string, 0, max)
	for i, h := range header {
		if i == max {
			q = append(q, fmt.Sprintf("… (%d columns)", len(header)))
			break
		}
		q = append(q, strconv.Quote(h))
	}
	return strings.Join(q, ", ")
}

// Row is one data row.
type Row struct {
	Number int // 1-based row number in the file
	cells  []string
	cols   *columns
}

// File returns the base name of the file the row came from.
func (r Row) File() string { return r.cols.file }

// Cells returns the raw cells of the row.
func (r Row) Cells() []string { return r.cells }

// Has reports whether the table has the column.
func (r Row) Has(col string) bool { _, ok := r.cols.index[col]; return ok }

// Get returns the trimmed cell of a column ("" when the row is short or the
// column is absent: use Options.Required to make absence an error).
func (r Row) Get(col string) string {
	i, ok := r.cols.index[col]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// At returns the trimmed cell at a position.
func (r Row) At(i int) string {
	if i < 0 || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// Errorf makes a CellError for a column of this row.
func (r Row) Errorf(col, format string, args ...any) *CellError {
	return &CellError{File: r.cols.file, Row: r.Number, Column: col, Reason: fmt.Sprintf(format, args...)}
}

// Int parses a whole number; ok is false for an empty cell.
func (r Row) Int(col string) (v int64, ok bool, err error) {
	s := r.Get(col)
	if s == "" {
		return 0, false, nil
	}
	t := strings.ReplaceAll(s, ",", "") // thousands separators
	v, perr := strconv.ParseInt(t, 10, 64)
	if perr != nil {
		// Spreadsheets store whole numbers as floats ("12.0", "1,234.0").
		f, ferr := strconv.ParseFloat(t, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, false, r.Errorf(col, "%q is not a whole number", clip(s))
		}
		v = int64(f)
	}
	return v, true, nil
}

// Float parses a number; ok is false for an empty cell.
func (r Row) Float(col string) (v float64, ok bool, err error) {
	s := r.Get(col)
	if s == "" {
		return 0, false, nil
	}
	v, perr := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if perr != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, r.Errorf(col, "%q is not a number", clip(s))
	}
	return v, true, nil
}

// clip shortens hostile or huge cell values in messages.
func clip(s string) string {
	if utf8.RuneCountInString(s) > 60 {
		r := []rune(s)
		return string(r[:60]) + "…"
	}
	return s
}

// checkUTF8 reports the first cell that is not valid UTF-8.
func checkUTF8(file string, row int, header, cells []string) error {
	for i, c := range cells {
		if !utf8.ValidString(c) {
			col := ""
			if i < len(header) {
				col = header[i]
			} else {
				col = fmt.Sprintf("#%d", i+1)
			}
			return &CellError{File: file, Row: row, Column: col, Reason: "text is not valid UTF-8 (save the file as UTF-8)"}
		}
	}
	return nil
}

// ReadAll calls fn for every row. It stops at the first error from the
// reader or fn.
func ReadAll(r Reader, fn func(Row) error) error {
	for {
		row, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}
