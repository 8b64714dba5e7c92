package stats

import (
	"strings"
	"testing"
)

func TestParsePeriodRange(t *testing.T) {
	for _, tt := range []struct{ in, from, to string }{
		{"2019", "2019", "2019"}, {"2010:2020", "2010", "2020"}, {"2020-Q1:2020-Q3", "2020-Q1", "2020-Q3"},
	} {
		r, err := ParsePeriodRange(tt.in)
		if err != nil || r.From != tt.from || r.To != tt.to {
			t.Errorf("%q: %+v, %v", tt.in, r, err)
		}
	}
	// Each error says what is wrong.
	for _, tt := range []struct{ in, want string }{
		{"20x9", `"20x9" is not a year`},
		{"2010:20x0", `"20x0" is not a year`},
		{"2020:2010", "starts (2020) after it ends (2010)"},
		{":2010", "no start"},
		{"2010:", "no end"},
	} {
		_, err := ParsePeriodRange(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "start before the end") && tt.want != "" && !strings.Contains(tt.want, "after") {
			t.Errorf("%q: %v speaks of the order", tt.in, err)
		}
	}
}
