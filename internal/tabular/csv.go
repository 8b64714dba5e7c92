package tabular

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
)

type csvReader struct {
	f      *os.File
	count  *countingReader
	size   int64
	r      *csv.Reader
	cols   *columns
	row    int
	header []string
}

type countingReader struct {
	r io.Reader
	n atomic.Int64 // read by Progress from another goroutine
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// OpenCSV opens a comma-separated UTF-8 file (a leading byte-order mark is
// allowed). Every row must have as many fields as the header.
func OpenCSV(path string, opt Options) (_ Reader, err error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return nil, &CellError{File: name, Reason: fmt.Sprintf("cannot open: %v", errors.Unwrap(err))}
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	cr := &countingReader{r: f}
	br := bufio.NewReaderSize(cr, 64<<10)
	if b, _ := br.Peek(3); len(b) == 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.ReuseRecord = false
	r.FieldsPerRecord = -1 // checked below, with a clearer message
	c := &csvReader{f: f, count: cr, size: st.Size(), r: r}
	if err := c.findHeader(name, opt); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *csvReader) findHeader(name string, opt Options) error {
	for {
		rec, err := c.r.Read()
		c.row++
		if err == io.EOF {
			if len(opt.HeaderContains) > 0 {
				return &CellError{File: name, Reason: fmt.Sprintf("no header row with %q found", opt.HeaderContains)}
			}
			return &CellError{File: name, Reason: "the file is empty (no header row)"}
		}
		if err != nil {
			return csvError(name, err)
		}
		if err := checkUTF8(name, c.row, nil, rec); err != nil {
			return err
		}
		if len(opt.HeaderContains) == 0 || containsAll(rec, opt.HeaderContains) {
			c.header = rec
			line, _ := c.r.FieldPos(0)
			cols, err := newColumns(name, line, rec, opt.Required)
			if err != nil {
				return err
			}
			c.cols = cols
			return nil
		}
		if c.row >= 50 {
			return &CellError{File: name, Reason: fmt.Sprintf("no header row with %q in the first 50 rows", opt.HeaderContains)}
		}
	}
}

func containsAll(rec, want []string) bool {
	for _, w := range want {
		if !slices.ContainsFunc(rec, func(s string) bool { return strings.TrimSpace(s) == w }) {
			return false
		}
	}
	return true
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &CellError{File: name, Row: pe.StartLine, Reason: fmt.Sprintf("malformed CSV (line %d, character %d: %v); the file may be truncated or not comma-separated", pe.Line, pe.Column, pe.Err)}
	}
	return &CellError{File: name, Reason: err.Error()}
}

func (c *csvReader) Header() []string { return c.header }

func (c *csvReader) Next() (Row, error) {
	rec, err := c.r.Read()
	if err == io.EOF {
		return Row{}, io.EOF
	}
	c.row++
	if err != nil {
		return Row{}, csvError(c.cols.file, err)
	}
	line, _ := c.r.FieldPos(0)
	if err := checkUTF8(c.cols.file, line, c.header, rec); err != nil {
		return Row{}, err
	}
	if len(rec) != len(c.header) {
		// Name the first column the row does not reach: where a truncated
		// row was cut.
		col := ""
		if len(rec) < len(c.header) {
			col = strings.TrimSpace(c.header[len(rec)])
		}
		return Row{}, &CellError{File: c.cols.file, Row: line, Column: col,
			Reason: fmt.Sprintf("has %d fields, the header has %d (truncated or misaligned row)", len(rec), len(c.header))}
	}
	return Row{Number: line, cells: rec, cols: c.cols}, nil
}

func (c *csvReader) Progress() (int64, int64) { return c.count.n.Load(), c.size }

func (c *csvReader) Close() error { return c.f.Close() }
