package table

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
)

func TestReadWriteCSV(t *testing.T) {
	in := "\ufeffgender, ageBroad ,isForcedLabour\nWoman,18--20,1\nMan,,\n\"Trans/Transgender/NonConforming\",48+,1\n"
	tb, err := ReadCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"gender", "ageBroad", "isForcedLabour"}; !reflect.DeepEqual(tb.Columns, want) {
		t.Fatalf("columns %q", tb.Columns)
	}
	if len(tb.Rows) != 3 || tb.Rows[1][1] != "" || tb.Rows[2][0] != "Trans/Transgender/NonConforming" {
		t.Fatalf("rows %q", tb.Rows)
	}
	col, err := tb.Column("ageBroad")
	if err != nil || !reflect.DeepEqual(col, []string{"18--20", "", "48+"}) {
		t.Fatalf("Column: %q %v", col, err)
	}
	sel, err := tb.Select("isForcedLabour", "gender")
	if err != nil || !reflect.DeepEqual(sel.Rows[0], []string{"1", "Woman"}) {
		t.Fatalf("Select: %q %v", sel, err)
	}
	var buf bytes.Buffer
	if err := tb.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(&buf)
	if err != nil || !reflect.DeepEqual(back, tb) {
		t.Fatalf("round trip: %+v %v", back, err)
	}
}

func TestReadCSVRefuses(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "empty"},
		{"a,,b\n1,2,3\n", "column 2: empty column name"},
		{"a,b,a\n", `column "a" appears twice`},
		{"a,b\n1,2\n3\n", "line 3: 1 cells, the header has 2"},
		{"a,b\n\"1,2\n", "quote"},
	} {
		_, err := ReadCSV(strings.NewReader(tc.in))
		if !errors.Is(err, derrors.Invalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want Invalid naming %q", tc.in, err, tc.want)
		}
	}
	tb := &Table{Columns: []string{"a"}}
	if _, err := tb.Column("b"); !errors.Is(err, derrors.Invalid) {
		t.Errorf("Column of a missing column: %v", err)
	}
}
