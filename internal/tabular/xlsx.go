package tabular

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/xuri/excelize/v2"
)

type xlsxReader struct {
	f      *excelize.File
	rows   *excelize.Rows
	cols   *columns
	header []string
	row    int
	// progress mirrors row for Progress, which may run on another goroutine.
	progress atomic.Int64
	total    int64
}

// OpenXLSX opens a sheet of an Office Open XML workbook and streams its rows.
func OpenXLSX(path string, opt Options) (_ Reader, err error) {
	name := filepath.Base(path)
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, &CellError{File: name, Reason: fmt.Sprintf("not a readable XLSX workbook (truncated or another format?): %v", err)}
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	sheet := opt.Sheet
	if sheet == "" {
		sheet = f.GetSheetName(0)
	}
	if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
		return nil, &CellError{File: name, Reason: fmt.Sprintf("no sheet named %q (sheets: %s)", sheet, strings.Join(f.GetSheetList(), ", "))}
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, &CellError{File: name, Reason: fmt.Sprintf("sheet %q: %v", sheet, err)}
	}
	x := &xlsxReader{f: f, rows: rows}
	if dim, err := f.GetSheetDimension(sheet); err == nil {
		if _, r, err := excelize.CellNameToCoordinates(lastCell(dim)); err == nil {
			x.total = int64(r)
		}
	}
	label := fmt.Sprintf("%s [%s]", name, sheet)
	for {
		rec, err := x.next(label)
		if err == io.EOF {
			if len(opt.HeaderContains) == 0 {
				return nil, &CellError{File: label, Reason: "the sheet is empty (no header row)"}
			}
			return nil, &CellError{File: label, Reason: fmt.Sprintf("no header row with %q found", opt.HeaderContains)}
		}
		if err != nil {
			return nil, err
		}
		if len(opt.HeaderContains) == 0 || containsAll(rec, opt.HeaderContains) {
			x.header = rec
			if x.cols, err = newColumns(label, x.row, rec, opt.Required); err != nil {
				return nil, err
			}
			return x, nil
		}
		if x.row >= 50 {
			return nil, &CellError{File: label, Reason: fmt.Sprintf("no header row with %q in the first 50 rows", opt.HeaderContains)}
		}
	}
}

func lastCell(dim string) string {
	if i := strings.IndexByte(dim, ':'); i >= 0 {
		return dim[i+1:]
	}
	return dim
}

func (x *xlsxReader) next(label string) ([]string, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, &CellError{File: label, Row: x.row + 1, Reason: fmt.Sprintf("cannot read row: %v", err)}
		}
		return nil, io.EOF
	}
	x.row++
	x.progress.Store(int64(x.row))
	rec, err := x.rows.Columns()
	if err != nil {
		return nil, &CellError{File: label, Row: x.row, Reason: fmt.Sprintf("cannot read row: %v", err)}
	}
	if err := checkUTF8(label, x.row, x.header, rec); err != nil {
		return nil, err
	}
	return rec, nil
}

func (x *xlsxReader) Header() []string { return x.header }

// Next returns the next row; blank rows are skipped.
func (x *xlsxReader) Next() (Row, error) {
	for {
		rec, err := x.next(x.cols.file)
		if err != nil {
			return Row{}, err
		}
		if blank(rec) {
			continue
		}
		return Row{Number: x.row, cells: rec, cols: x.cols}, nil
	}
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Progress counts rows. The total comes from the sheet's declared
// dimension, which some writers leave at "A1": once the reader is past it,
// the total is reported as unknown rather than smaller than done.
func (x *xlsxReader) Progress() (int64, int64) {
	if x.progress.Load() > x.total {
		return x.progress.Load(), 0
	}
	return x.progress.Load(), x.total
}

func (x *xlsxReader) Close() error {
	x.rows.Close()
	return x.f.Close()
}
