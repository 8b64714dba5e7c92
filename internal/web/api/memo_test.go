package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestMemo: a kept answer is replayed byte for byte with its own headers
// and without running the handler; a new data token, another URL or
// representation runs it again; errors, answers setting cookies, HEAD
// requests and answers over the size bound are not kept.
func TestMemo(t *testing.T) {
	token := "v1"
	calls := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		switch r.URL.Path {
		case "/missing":
			http.Error(w, "no", http.StatusNotFound)
			return
		case "/cookie":
			http.SetCookie(w, &http.Cookie{Name: "lang", Value: "fr"})
		case "/big":
			w.Write([]byte(strings.Repeat("x", 2048)))
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="x.csv"`)
		w.Write([]byte("answer to " + r.URL.RawQuery + " at " + token))
	})
	memo := NewMemo(1<<20, 1024)
	c := Cache{Token: func(context.Context) (string, error) { return token, nil },
		Key:  func(r *http.Request) (string, bool) { return "accept=" + r.Header.Get("Accept"), true },
		Vary: "Accept", Memo: memo}.Wrap(h)
	get := func(method, url, accept string) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest(method, url, nil)
		r.Header.Set("Accept", accept)
		w := httptest.NewRecorder()
		w.Header().Set("X-Frame-Options", "DENY") // set by the layers around, per request
		c.ServeHTTP(w, r)
		return w
	}

	first := get("GET", "/data?a=1", "text/csv")
	second := get("GET", "/data?a=1", "text/csv")
	if calls != 1 {
		t.Fatalf("handler ran %d times for two equal requests", calls)
	}
	if first.Body.String() != second.Body.String() || second.Body.String() != "answer to a=1 at v1" {
		t.Fatalf("replayed %q, first %q", second.Body, first.Body)
	}
	for _, k := range []string{"Content-Type", "Content-Disposition", "ETag", "Cache-Control", "Vary", "X-Frame-Options"} {
		if first.Header().Get(k) != second.Header().Get(k) || second.Header().Get(k) == "" {
			t.Errorf("%s: first %q, replayed %q", k, first.Header().Get(k), second.Header().Get(k))
		}
	}
	if second.Header().Get("Content-Length") != "19" {
		t.Errorf("Content-Length %q", second.Header().Get("Content-Length"))
	}

	get("GET", "/data?a=2", "text/csv")
	get("GET", "/data?a=1", "application/json")
	if calls != 3 {
		t.Fatalf("another URL or representation was answered from the memo (%d calls)", calls)
	}
	token = "v2" // a re-import
	if got := get("GET", "/data?a=1", "text/csv").Body.String(); got != "answer to a=1 at v2" || calls != 4 {
		t.Fatalf("after a new token: %q (%d calls)", got, calls)
	}
	if memo.Len() != 1 {
		t.Errorf("the old token's answers are still kept: %d entries", memo.Len())
	}

	for _, tc := range []struct{ method, url string }{{"GET", "/missing"}, {"GET", "/cookie"}, {"GET", "/big"}, {"HEAD", "/data?a=9"}} {
		before := calls
		get(tc.method, tc.url, "")
		get(tc.method, tc.url, "")
		if calls != before+2 {
			t.Errorf("%s %s was kept", tc.method, tc.url)
		}
	}
	if w := get("HEAD", "/data?a=1", "text/csv"); w.Body.Len() != 0 || w.Code != 200 {
		t.Errorf("HEAD replay: %d, %d bytes", w.Code, w.Body.Len())
	}
}

// TestMemoBound: the memo never holds more than its size.
func TestMemoBound(t *testing.T) {
	m := NewMemo(4096, 4096)
	for i := range 100 {
		m.put("t", string(rune('a'+i%26))+strings.Repeat("k", i), &memoEntry{body: make([]byte, 1000)})
	}
	if m.size > 4096 || m.Len() == 0 || m.Len() > 4 {
		t.Fatalf("size %d with %d entries", m.size, m.Len())
	}
}
