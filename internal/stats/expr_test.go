package stats

import (
	"errors"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
)

func TestParseErrorsPointAtTheToken(t *testing.T) {
	known := func(s string) bool { return s == "migrant_stock" || s == "population" }
	tests := []struct {
		expr  string
		pos   int
		token string
	}{
		{"migrant_stock / popul", 16, "popul"},
		{"migrant_stock +", 15, ""},
		{"migrant_stock[sex=both]", 18, "both"},
		{"migrant_stock[age=5]", 14, "age"},
		{"(migrant_stock", 14, ""},
		{"migrant_stock ; drop", 14, ";"},
		{"migrant_stock population", 14, "population"},
		{"migrant_stock[sex=male, sex=female]", 24, "sex"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.expr, known)
		var ee *ExprError
		if !errors.As(err, &ee) || !errors.Is(err, derrors.Invalid) {
			t.Errorf("Parse(%q) = %v, want an ExprError", tt.expr, err)
			continue
		}
		if ee.Pos != tt.pos || ee.Token != tt.token {
			t.Errorf("Parse(%q) points at %d %q (%s), want %d %q", tt.expr, ee.Pos, ee.Token, ee.Reason, tt.pos, tt.token)
		}
	}
}

func TestEval(t *testing.T) {
	data := map[string]float64{
		"migrant_stock|KEN||2020|total":  1050147,
		"migrant_stock|KEN||2020|female": 529000,
		"population|KEN||2020|total":     53771300,
		"refugees|UGA|SSD|2020|total":    900000,
		"refugees|KEN|SSD|2020|total":    120000,
		"refugees|KEN|SOM|2020|total":    260000,
	}
	look := func(series string, f map[string]string, at Point) (float64, bool, error) {
		area, cp, sex := at.Area, at.Counterpart, at.Sex
		if v, ok := f["sex"]; ok {
			sex = v
		}
		switch f["counterpart"] {
		case "$area":
			cp = at.Area
		case "*":
			cp = "*"
		}
		if f["area"] == "*" {
			area = "*"
		}
		sum, found := 0.0, false
		for _, a := range []string{"KEN", "UGA"} {
			for _, c := range []string{"", "SSD", "SOM"} {
				if (area == "*" || a == area) && (cp == "*" || c == cp) {
					if v, ok := data[series+"|"+a+"|"+c+"|"+at.Period+"|"+sex]; ok {
						sum, found = sum+v, true
					}
				}
			}
		}
		return sum, found, nil
	}
	byCode := map[string]Indicator{}
	for _, ind := range BuiltinIndicators() {
		byCode[ind.Code] = ind
	}
	tests := []struct {
		code string
		at   Point
		want float64
		ok   bool
	}{
		{"migrant_share_of_population", Point{Area: "KEN", Period: "2020", Sex: "total"}, 2.0, true},
		{"migrant_female_share", Point{Area: "KEN", Period: "2020", Sex: "total"}, 50.4, true},
		{"refugees_by_origin", Point{Area: "SSD", Period: "2020", Sex: "total"}, 1020000, true},
		{"refugees_by_asylum", Point{Area: "KEN", Period: "2020", Sex: "total"}, 380000, true},
		{"migrant_stock", Point{Area: "KEN", Period: "2019", Sex: "total"}, 0, false},
	}
	for _, tt := range tests {
		c, err := byCode[tt.code].Compile(nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.code, err)
		}
		got, ok, err := c.Eval(tt.at, look)
		if err != nil || ok != tt.ok || ok && got != tt.want {
			t.Errorf("%s at %+v = %v, %v, %v; want %v, %v", tt.code, tt.at, got, ok, err, tt.want, tt.ok)
		}
	}
}

func TestPeriodRange(t *testing.T) {
	for _, s := range []string{"2019", "2010:2020", "2020-Q1:2020-Q4"} {
		if _, err := ParsePeriodRange(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"", "19", "2020:2010", "2019:", "abcd", "2019-13"} {
		if _, err := ParsePeriodRange(s); !errors.Is(err, derrors.Invalid) {
			t.Errorf("%q accepted", s)
		}
	}
}

// TestMissingAsZero: a reference with missing=0 counts a missing value as
// zero; without it the whole expression is missing; only "0" is allowed.
func TestMissingAsZero(t *testing.T) {
	look := func(series string, f map[string]string, at Point) (float64, bool, error) {
		if series == "a" {
			return 5, true, nil
		}
		return 0, false, nil // b is missing
	}
	for _, tc := range []struct {
		expr string
		v    float64
		ok   bool
	}{
		{"a + b", 0, false},
		{"a + b[missing=0]", 5, true},
		{"a[missing=0] * 2", 10, true},
	} {
		e, err := Parse(tc.expr, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		v, ok, err := Eval(e, Point{Area: "KEN", Period: "2020", Sex: SexTotal}, look)
		if err != nil || v != tc.v || ok != tc.ok {
			t.Errorf("%s = %v, %v, %v; want %v, %v", tc.expr, v, ok, err, tc.v, tc.ok)
		}
	}
	if _, err := Parse("b[missing=1]", nil); err == nil {
		t.Error("missing=1 accepted")
	}
}
