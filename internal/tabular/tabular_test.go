package tabular

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/xuri/excelize/v2"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// readRows opens a file and returns its header and rows (cells and row
// numbers), or the first error.
func readRows(t *testing.T, path string, opt Options) (header []string, rows [][]string, numbers []int, err error) {
	t.Helper()
	r, err := Open(path, opt)
	if err != nil {
		return nil, nil, nil, err
	}
	defer r.Close()
	err = ReadAll(r, func(row Row) error {
		rows = append(rows, row.Cells())
		numbers = append(numbers, row.Number)
		return nil
	})
	return r.Header(), rows, numbers, err
}

func TestCSV(t *testing.T) {
	tests := []struct {
		name    string
		content string
		opt     Options
		header  []string
		rows    [][]string
		numbers []int
	}{
		{
			name:    "plain",
			content: "a,b\n1,2\n3,4\n",
			header:  []string{"a", "b"},
			rows:    [][]string{{"1", "2"}, {"3", "4"}},
			numbers: []int{2, 3},
		},
		{
			name:    "byte-order mark and CRLF, no final newline",
			content: "\xEF\xBB\xBFa,b\r\n1,2\r\n3,4",
			header:  []string{"a", "b"},
			rows:    [][]string{{"1", "2"}, {"3", "4"}},
			numbers: []int{2, 3},
		},
		{
			name:    "quoted fields with commas and newlines keep spreadsheet row numbers",
			content: "name,n\n\"Korea, Rep.\",1\n\"two\nlines\",2\nlast,3\n",
			header:  []string{"name", "n"},
			rows:    [][]string{{"Korea, Rep.", "1"}, {"two\nlines", "2"}, {"last", "3"}},
			numbers: []int{2, 3, 5},
		},
		{
			name:    "header found below a preamble (WDI download)",
			content: "\xEF\xBB\xBF\"Data Source\",\"World Development Indicators\",\n\n\"Last Updated Date\",\"2021-09-15\",\n\n\"Country Name\",\"Country Code\",\n\"Aruba\",\"ABW\",\n",
			opt:     Options{HeaderContains: []string{"Country Name", "Country Code"}, Required: []string{"Country Code"}},
			header:  []string{"Country Name", "Country Code", ""},
			rows:    [][]string{{"Aruba", "ABW", ""}},
			numbers: []int{6},
		},
		{
			name:    "blank lines are skipped",
			content: "a\n1\n\n2\n",
			header:  []string{"a"},
			rows:    [][]string{{"1"}, {"2"}},
			numbers: []int{2, 4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header, rows, numbers, err := readRows(t, writeFile(t, "t.csv", tt.content), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(header, tt.header) || !reflect.DeepEqual(rows, tt.rows) || !reflect.DeepEqual(numbers, tt.numbers) {
				t.Errorf("got %q %q %v\nwant %q %q %v", header, rows, numbers, tt.header, tt.rows, tt.numbers)
			}
		})
	}
}

func TestCSVErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		opt     Options
		want    CellError // Reason: a substring
	}{
		{
			name:    "missing required column",
			content: "name,alpha-2\nKenya,KE\n",
			opt:     Options{Required: []string{"name", "alpha-3", "m49"}},
			want:    CellError{File: "t.csv", Row: 1, Column: "alpha-3", Reason: `missing required column(s) "alpha-3", "m49"; the header has "name", "alpha-2"`},
		},
		{
			name:    "missing column below a preamble",
			content: "title\n\nCountry Name,Code\nKenya,KEN\n",
			opt:     Options{HeaderContains: []string{"Country Name"}, Required: []string{"Country Code"}},
			want:    CellError{File: "t.csv", Row: 3, Column: "Country Code", Reason: "missing required column"},
		},
		{
			name:    "no header row",
			content: "a,b\n1,2\n",
			opt:     Options{HeaderContains: []string{"Country Name"}},
			want:    CellError{File: "t.csv", Reason: `no header row with ["Country Name"] found`},
		},
		{
			name:    "empty file",
			content: "",
			want:    CellError{File: "t.csv", Reason: "the file is empty"},
		},
		{
			name:    "Latin-1 in a data row",
			content: "name,code\nKenya,KEN\nC\xF4te d'Ivoire,CIV\n",
			want:    CellError{File: "t.csv", Row: 3, Column: "name", Reason: "not valid UTF-8"},
		},
		{
			name:    "Latin-1 in the header",
			content: "n\xE9,code\nKenya,KEN\n",
			want:    CellError{File: "t.csv", Row: 1, Column: "#1", Reason: "not valid UTF-8"},
		},
		{
			name:    "truncated row names the first missing column",
			content: "name,alpha-2,alpha-3\nKenya,KE,KEN\nGermany,DE",
			want:    CellError{File: "t.csv", Row: 3, Column: "alpha-3", Reason: "has 2 fields, the header has 3"},
		},
		{
			name:    "too many fields",
			content: "a,b\n1,2,3\n",
			want:    CellError{File: "t.csv", Row: 2, Reason: "has 3 fields, the header has 2"},
		},
		{
			name:    "truncated inside quotes",
			content: "a,b\n1,2\n\"open,3\n",
			want:    CellError{File: "t.csv", Row: 3, Reason: "may be truncated"},
		},
		{
			name:    "bare quote",
			content: "a,b\n1,x\"y\n",
			want:    CellError{File: "t.csv", Row: 2, Reason: "malformed CSV (line 2, character"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := readRows(t, writeFile(t, "t.csv", tt.content), tt.opt)
			assertCellError(t, err, tt.want)
		})
	}
}

func assertCellError(t *testing.T, err error, want CellError) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if !errors.Is(err, derrors.Invalid) {
		t.Errorf("%v does not wrap derrors.Invalid", err)
	}
	ce, ok := AsCellError(err)
	if !ok {
		t.Fatalf("%T %v is not a *CellError", err, err)
	}
	if ce.File != want.File || ce.Row != want.Row || ce.Column != want.Column || !strings.Contains(ce.Reason, want.Reason) {
		t.Errorf("got  %+v\nwant %+v", *ce, want)
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "absent.csv"), Options{})
	assertCellError(t, err, CellError{File: "absent.csv", Reason: "cannot open"})
	_, err = Open(writeFile(t, "t.ods", "x"), Options{})
	assertCellError(t, err, CellError{File: "t.ods", Reason: "unsupported file type"})
	_, err = Open(writeFile(t, "t.xlsx", "PK\x03\x04 truncated"), Options{})
	assertCellError(t, err, CellError{File: "t.xlsx", Reason: "not a readable XLSX workbook"})
}

// writeXLSX makes a workbook with one sheet holding rows (nil = blank row).
func writeXLSX(t *testing.T, sheet string, rows [][]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if sheet != "Sheet1" {
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range rows {
		if r == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "t.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestXLSX(t *testing.T) {
	p := writeXLSX(t, "Annex", [][]any{
		{"International Migrant Stock 2020"},
		nil,
		{"", "Region, country or area", "Location code", "Share"},
		{"", "  WORLD", 900, 1.5},
		nil, // blank rows are skipped, row numbers stay the sheet's
		{"", "   Kenya*", 404, "12.0"},
	})
	r, err := Open(p, Options{Sheet: "Annex", HeaderContains: []string{"Location code"}, Required: []string{"Location code"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if h := r.Header(); !reflect.DeepEqual(h, []string{"", "Region, country or area", "Location code", "Share"}) {
		t.Errorf("header %q", h)
	}
	type got struct {
		n    int
		name string
		code int64
		f    float64
	}
	var rows []got
	err = ReadAll(r, func(row Row) error {
		code, _, err := row.Int("Location code")
		if err != nil {
			return err
		}
		f, _, err := row.Float("Share")
		if err != nil {
			return err
		}
		if row.File() != "t.xlsx [Annex]" {
			t.Errorf("File() = %q", row.File())
		}
		rows = append(rows, got{row.Number, row.Get("Region, country or area"), code, f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []got{{4, "WORLD", 900, 1.5}, {6, "Kenya*", 404, 12}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %+v, want %+v", rows, want)
	}
	// excelize's writer declares the dimension "A1": past it, the total is
	// unknown (0), never smaller than what was read.
	if done, total := r.Progress(); done != 6 || total != 0 {
		t.Errorf("Progress() = %d, %d", done, total)
	}
}

func TestXLSXErrors(t *testing.T) {
	p := writeXLSX(t, "Data", [][]any{{"name", "code"}, {"Kenya", "KEN"}})
	_, err := Open(p, Options{Sheet: "Annex"})
	assertCellError(t, err, CellError{File: "t.xlsx", Reason: `no sheet named "Annex" (sheets: Data)`})
	_, err = Open(p, Options{Required: []string{"code", "m49"}})
	assertCellError(t, err, CellError{File: "t.xlsx [Data]", Row: 1, Column: "m49", Reason: "missing required column"})
	_, err = Open(p, Options{HeaderContains: []string{"Location code"}})
	assertCellError(t, err, CellError{File: "t.xlsx [Data]", Reason: "no header row"})
	empty := writeXLSX(t, "Sheet1", nil)
	_, err = Open(empty, Options{})
	assertCellError(t, err, CellError{File: "t.xlsx [Sheet1]", Reason: "the sheet is empty"})
}

func TestRowAccessors(t *testing.T) {
	p := writeFile(t, "t.csv", "n,x,s\n\" 1,234 \",12.0,  padded  \n1.5,NaN,\nabc,1e300,\n")
	r, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	row, _ := r.Next()
	if v, ok, err := row.Int("n"); v != 1234 || !ok || err != nil {
		t.Errorf("Int(1,234) = %d %v %v", v, ok, err)
	}
	if v, ok, err := row.Int("x"); v != 12 || !ok || err != nil {
		t.Errorf("Int(12.0) = %d %v %v", v, ok, err)
	}
	if row.Get("s") != "padded" || row.Get("absent") != "" || row.At(9) != "" || !row.Has("s") || row.Has("absent") {
		t.Errorf("Get/At/Has: %q", row.Cells())
	}
	row, _ = r.Next()
	if _, _, err := row.Int("n"); err == nil {
		t.Error("Int(1.5) accepted")
	}
	if _, _, err := row.Float("x"); err == nil {
		t.Error("Float(NaN) accepted")
	}
	if _, ok, err := row.Float("s"); ok || err != nil {
		t.Errorf("Float(empty) = %v %v", ok, err)
	}
	row, _ = r.Next()
	_, _, err = row.Int("n")
	assertCellError(t, err, CellError{File: "t.csv", Row: 4, Column: "n", Reason: `"abc" is not a whole number`})
	if _, _, err := row.Int("x"); err == nil {
		t.Error("Int(1e300) accepted")
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last row: %v", err)
	}
	if done, total := r.Progress(); done != total || total == 0 {
		t.Errorf("Progress() = %d/%d", done, total)
	}
}
