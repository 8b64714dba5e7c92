package api

import (
	"mime"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzDecodeJSON: any body is either decoded or refused with an Invalid
// or TooLarge error naming what is wrong; never a panic, never silently
// accepting trailing data or unknown fields.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		`{"username":"a","password":"b"}`, `{}`, ``, `{"username":1}`, `{"x":1}`, `{"username":"a"} {}`,
		`[1,2]`, `{"username":"\u0000"}`, `{"username":"` + strings.Repeat("a", 5000) + `"}`, `{"username":`,
	} {
		f.Add(seed, "application/json")
	}
	f.Add(`{"username":"a"}`, "text/plain")
	f.Fuzz(func(t *testing.T, body, ctype string) {
		r := httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(body))
		r.Header.Set("Content-Type", ctype)
		var req SessionRequest
		err := decodeJSON(r, &req)
		if err == nil {
			if mt, _, perr := mime.ParseMediaType(ctype); perr != nil || mt != "application/json" {
				t.Fatalf("accepted content type %q", ctype)
			}
			return
		}
		if err.Error() == "" {
			t.Fatal("empty error message")
		}
	})
}
