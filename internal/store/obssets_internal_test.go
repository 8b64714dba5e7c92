package store

import (
	"reflect"
	"testing"
)

func TestEachPeriod(t *testing.T) {
	for _, tc := range []struct {
		data string
		want []string // period, "+" present or "-" missing
		bad  bool
	}{
		{data: `{"1990":2.5,"1995":null,"2000":1e+21}`, want: []string{"1990+", "1995-", "2000+"}},
		{data: `{"1990": 123, "1995": null}`, want: []string{"1990+", "1995-"}}, // PostgreSQL's JSONB text
		{data: ` { } `, want: nil},
		{data: `{"2019":-0.5}`, want: []string{"2019+"}},
		{data: ``, bad: true},
		{data: `[1,2]`, bad: true},
		{data: `{"1990":}`, bad: true},
		{data: `{"1990":"x"}`, bad: true},
		{data: `{"1990":1`, bad: true},
		{data: `{"1990":1;"1995":2}`, bad: true},
		{data: `{"19\"90":1}`, bad: true},
		{data: `{1990:1}`, bad: true},
	} {
		var got []string
		err := eachPeriod([]byte(tc.data), func(p string, present bool) {
			if present {
				got = append(got, p+"+")
			} else {
				got = append(got, p+"-")
			}
		})
		if tc.bad {
			if err == nil {
				t.Errorf("%q: no error", tc.data)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %v %v, want %v", tc.data, got, err, tc.want)
		}
	}
}
