package geo

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/tabular"
	"github.com/xuri/excelize/v2"
)

// withBroken copies one shipped source file into a temporary folder,
// changed by edit, and returns the file set using it.
func withBroken(t *testing.T, which func(*SourceFiles) *string, edit func([]byte) []byte) SourceFiles {
	t.Helper()
	files := DefaultSourceFiles(dataDir)
	p := which(&files)
	b, err := os.ReadFile(*p)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(*p))
	if err := os.WriteFile(out, edit(b), 0o644); err != nil {
		t.Fatal(err)
	}
	*p = out
	return files
}

func isoFile(f *SourceFiles) *string     { return &f.ISO }
func annexFile(f *SourceFiles) *string   { return &f.UNDESAAnnex }
func wdiFile(f *SourceFiles) *string     { return &f.WDIMetadata }
func unhcrFile(f *SourceFiles) *string   { return &f.UNHCRCountries }
func aliasesFile(f *SourceFiles) *string { return &f.Aliases }

// lineOf returns the 1-based line of all.csv that starts with prefix.
func lineOf(t *testing.T, b []byte, prefix string) int {
	t.Helper()
	for i, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	t.Fatalf("no line starts with %q", prefix)
	return 0
}

func replaceOnce(t *testing.T, old, new string) func([]byte) []byte {
	return func(b []byte) []byte {
		if !bytes.Contains(b, []byte(old)) {
			t.Fatalf("%q not in the file", old)
		}
		return bytes.Replace(b, []byte(old), []byte(new), 1)
	}
}

func TestLoadReferenceBrokenFiles(t *testing.T) {
	iso, err := os.ReadFile(DefaultSourceFiles(dataDir).ISO)
	if err != nil {
		t.Fatal(err)
	}
	kenya := lineOf(t, iso, "Kenya,")
	korea := lineOf(t, iso, `"Korea, Democratic`)
	tests := []struct {
		name   string
		files  SourceFiles
		want   tabular.CellError // Reason: a substring
		reject bool
	}{
		{
			name:  "renamed column",
			files: withBroken(t, isoFile, replaceOnce(t, "alpha-3,country-code,", "alpha-3,numeric-code,")),
			want:  tabular.CellError{File: "all.csv", Row: 1, Column: "country-code", Reason: `missing required column(s) "country-code"`},
		},
		{
			name:  "non-numeric M49 code",
			files: withBroken(t, isoFile, replaceOnce(t, "Kenya,KE,KEN,404,", "Kenya,KE,KEN,4O4,")),
			want:  tabular.CellError{File: "all.csv", Row: kenya, Column: "country-code", Reason: `"4O4" is not a numeric M49 country code`},
		},
		{
			name:  "non-numeric region code",
			files: withBroken(t, isoFile, replaceOnce(t, "Kenya,KE,KEN,404,ISO 3166-2:KE,Africa,Sub-Saharan Africa,Eastern Africa,002,", "Kenya,KE,KEN,404,ISO 3166-2:KE,Africa,Sub-Saharan Africa,Eastern Africa,AF,")),
			want:  tabular.CellError{File: "all.csv", Row: kenya, Column: "region-code", Reason: `"AF" is not a numeric M49 code`},
		},
		{
			name:  "region code naming two regions",
			files: withBroken(t, isoFile, replaceOnce(t, "Kenya,KE,KEN,404,ISO 3166-2:KE,Africa,", "Kenya,KE,KEN,404,ISO 3166-2:KE,Afrika,")),
			want:  tabular.CellError{File: "all.csv", Row: kenya, Column: "region-code", Reason: `M49 code 002 names "Africa" (region) on an earlier row but "Afrika" (region) here`},
		},
		{
			name:  "empty alpha-3",
			files: withBroken(t, isoFile, replaceOnce(t, "Kenya,KE,KEN,", "Kenya,KE,,")),
			want:  tabular.CellError{File: "all.csv", Row: kenya, Column: "alpha-3", Reason: `"" is not a three-letter ISO 3166-1 code`},
		},
		{
			name:  "duplicate alpha-3",
			files: withBroken(t, isoFile, replaceOnce(t, "Kenya,KE,KEN,", "Kenya,KE,KAZ,")),
			want:  tabular.CellError{File: "all.csv", Row: kenya, Column: "alpha-3", Reason: "KAZ appears twice"},
		},
		{
			name:  "Latin-1 bytes",
			files: withBroken(t, isoFile, replaceOnce(t, "Åland Islands", "\xC5land Islands")),
			want:  tabular.CellError{File: "all.csv", Row: 3, Column: "name", Reason: "not valid UTF-8"},
		},
		{
			name: "truncated in a row",
			files: withBroken(t, isoFile, func(b []byte) []byte {
				i := bytes.Index(b, []byte("Kenya,KE,KEN,404,"))
				return b[:i+len("Kenya,KE,KEN,404,")]
			}),
			// The row ends after the (empty) fifth field: the first column it
			// does not reach is "region".
			want: tabular.CellError{File: "all.csv", Row: kenya, Column: "region", Reason: "has 5 fields, the header has 11"},
		},
		{
			name: "truncated in a quoted field",
			files: withBroken(t, isoFile, func(b []byte) []byte {
				i := bytes.Index(b, []byte(`"Korea, Democratic`))
				return b[:i+len(`"Korea, Dem`)]
			}),
			want: tabular.CellError{File: "all.csv", Row: korea, Reason: "truncated"},
		},
		{
			name:  "header only",
			files: withBroken(t, isoFile, func(b []byte) []byte { return b[:bytes.IndexByte(b, '\n')+1] }),
			want:  tabular.CellError{File: "all.csv", Reason: "has no data rows"},
		},
		{
			name: "missing file",
			files: func() SourceFiles {
				f := DefaultSourceFiles(dataDir)
				f.ISO = filepath.Join(t.TempDir(), "all.csv")
				return f
			}(),
			want: tabular.CellError{File: "all.csv", Reason: "cannot open"},
		},
		{
			name:  "truncated workbook",
			files: withBroken(t, annexFile, func(b []byte) []byte { return b[:len(b)/2] }),
			want:  tabular.CellError{File: "aggregates_correspondence_table_2020_1.xlsx", Reason: "not a readable XLSX workbook"},
		},
		{
			name:  "annex: text as a location code",
			files: withBroken(t, annexFile, setCell(t, "Annex", "D40", "Kenya")),
			want:  tabular.CellError{File: "aggregates_correspondence_table_2020_1.xlsx [Annex]", Row: 40, Column: "Location code", Reason: `"Kenya" is not a numeric UN location code`},
		},
		{
			name:  "annex: layout changed",
			files: withBroken(t, annexFile, setCell(t, "Annex", "N11", "SDG")),
			want:  tabular.CellError{File: "aggregates_correspondence_table_2020_1.xlsx [Annex]", Column: "#14", Reason: `expected the SDG region code column headed "Code", found "SDG"`},
		},
		{
			name:  "annex: membership cell with another code",
			files: withBroken(t, annexFile, setCell(t, "Annex", "S40", "941")),
			want:  tabular.CellError{File: "aggregates_correspondence_table_2020_1.xlsx [Annex]", Row: 40, Column: "Less developed regions", Reason: `"941" is not this column's code 902`},
		},
		{
			name:  "WDI: renamed column",
			files: withBroken(t, wdiFile, replaceOnce(t, "IncomeGroup", "Income Group")),
			want:  tabular.CellError{File: "wdi_country_metadata.csv", Row: 1, Column: "IncomeGroup", Reason: "missing required column"},
		},
		{
			name:  "UNHCR: duplicate code",
			files: withBroken(t, unhcrFile, replaceOnce(t, "ALB,ALB,Albania", "ALB,AFG,Albania")),
			want:  tabular.CellError{File: "countries.csv", Row: 3, Column: "unhcr_code", Reason: "AFG appears twice (first on row 2)"},
		},
		{
			name:  "aliases: empty alias",
			files: withBroken(t, aliasesFile, func(b []byte) []byte { return append(b, ",KEN,iom,\n"...) }),
			want:  tabular.CellError{File: "area_aliases.csv", Column: "alias", Reason: "is empty"},
		},
		{
			name:  "aliases: bad source tag",
			files: withBroken(t, aliasesFile, func(b []byte) []byte { return append(b, "Kenia,KEN,IOM data,\n"...) }),
			want:  tabular.CellError{File: "area_aliases.csv", Column: "source", Reason: `"IOM data" is not a source tag`},
		},
		{
			name:   "aliases: unknown code is rejected, not fatal",
			files:  withBroken(t, aliasesFile, func(b []byte) []byte { return append(b, "Atlantis,ATL,corridor,\n"...) }),
			want:   tabular.CellError{File: "area_aliases.csv", Column: "code", Reason: `"ATL" is not the code of any area; alias "Atlantis" skipped`},
			reject: true,
		},
		{
			// A real-looking code the ISO file lacks means a truncated or
			// wrong ISO file: fatal, not a skipped row.
			name:  "UNHCR: iso_code not in the ISO list is fatal",
			files: withBroken(t, unhcrFile, replaceOnce(t, "KEN,KEN,Kenya", "KEX,KEN,Kenya")),
			want:  tabular.CellError{File: "countries.csv", Row: 111, Column: "iso_code", Reason: `KEX (Kenya) is not in the ISO 3166-1 file: the ISO file looks truncated or is not the expected one`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rejects []*tabular.CellError
			ref, err := LoadReference(context.Background(), tt.files, Hooks{Reject: func(e *tabular.CellError) { rejects = append(rejects, e) }})
			var got *tabular.CellError
			if tt.reject {
				if err != nil {
					t.Fatalf("LoadReference: %v", err)
				}
				if len(ref.Areas) == 0 {
					t.Fatal("no areas")
				}
				for _, e := range rejects {
					if strings.Contains(e.Reason, tt.want.Reason) {
						got = e
					}
				}
				if got == nil {
					t.Fatalf("no rejection %q among %v", tt.want.Reason, rejects)
				}
				if got.Row <= 1 {
					t.Errorf("rejection row %d", got.Row)
				}
				tt.want.Row = got.Row
			} else {
				if err == nil {
					t.Fatal("LoadReference succeeded on a broken file")
				}
				if !errors.Is(err, derrors.Invalid) {
					t.Errorf("error %v does not wrap derrors.Invalid", err)
				}
				var ok bool
				if got, ok = tabular.AsCellError(err); !ok {
					t.Fatalf("error %T %v is not a *tabular.CellError", err, err)
				}
			}
			t.Logf("%v", got)
			if got.File != tt.want.File || got.Column != tt.want.Column || !strings.Contains(got.Reason, tt.want.Reason) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
			if tt.want.Row != 0 && got.Row != tt.want.Row {
				t.Errorf("row %d, want %d (%v)", got.Row, tt.want.Row, got)
			}
			if tt.name == "aliases: empty alias" || tt.name == "aliases: bad source tag" {
				if got.Row < 2 {
					t.Errorf("row %d", got.Row)
				}
			}
		})
	}
}

// setCell returns an edit that changes one cell of an XLSX workbook.
func setCell(t *testing.T, sheet, cell, value string) func([]byte) []byte {
	return func(b []byte) []byte {
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.SetCellStr(sheet, cell, value); err != nil {
			t.Fatal(err)
		}
		buf, err := f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
}
