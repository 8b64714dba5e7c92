package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/store/storetest"
)

const dataDir = "../../data"

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs `corridor serve` in-process on a random port and returns its
// base URL; the server stops (gracefully) when the test ends.
func start(t *testing.T, dsn string, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	stderr := &syncBuffer{}
	args := append([]string{"serve", "--db", dsn, "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--log-level", "warn", "--load", "reference"}, extra...)
	go func() {
		done <- run(ctx, &env{args: args, stdout: io.Discard, stderr: stderr, getenv: noEnv,
			ready: func(addr string) { ready <- addr }})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after shutdown", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not shut down within 20s")
		}
	})
	select {
	case addr := <-ready:
		return "http://" + addr
	case err := <-done:
		t.Fatalf("serve exited early: %v\n%s", err, stderr.String())
	case <-time.After(120 * time.Second):
		t.Fatalf("serve did not start within 120s\n%s", stderr.String())
	}
	return ""
}

func noEnv(string) string { return "" }

// corridor runs a subcommand in-process and returns its exit code and output.
func corridor(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, strings.NewReader(""), &out, &errb, noEnv)
	return code, out.String(), errb.String()
}

func fetch(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func TestEndToEnd(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		base := start(t, e.DSN)

		status, _, body := fetch(t, base+"/")
		if status != 200 || !strings.Contains(body, "Corridor") {
			t.Errorf("GET / = %d", status)
		}
		status, _, body = fetch(t, base+"/countries/KEN")
		if status != 200 {
			t.Fatalf("GET /countries/KEN = %d", status)
		}
		for _, want := range []string{"Kenya", "Africa", "Sub-Saharan Africa", "Eastern Africa"} {
			if !strings.Contains(body, want) {
				t.Errorf("/countries/KEN lacks %q", want)
			}
		}
		status, _, body = fetch(t, base+"/countries?q=kenya")
		if status != 200 || !strings.Contains(body, "/countries/KEN") {
			t.Errorf("country search for kenya: status %d, no link to KEN", status)
		}

		status, hdr, body := fetch(t, base+"/api/v1/countries/DEU")
		if status != 200 || hdr.Get("Content-Type") != "application/json" {
			t.Fatalf("GET /api/v1/countries/DEU = %d %s", status, body)
		}
		var deu map[string]any
		json.Unmarshal([]byte(body), &deu)
		for k, want := range map[string]string{"iso3": "DEU", "iso2": "DE", "m49": "276", "region": "Europe", "name": "Germany", "subRegion": "Western Europe"} {
			if deu[k] != want {
				t.Errorf("DEU %s = %v, want %q", k, deu[k], want)
			}
		}

		status, hdr, body = fetch(t, base+"/api/v1/countries/XXX")
		if status != 404 || hdr.Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET /api/v1/countries/XXX = %d %q", status, hdr.Get("Content-Type"))
		}
		status, hdr, body = fetch(t, base+"/api/v1/countries?limit=abc")
		if status != 400 || hdr.Get("Content-Type") != "application/problem+json" || !strings.Contains(body, `"param":"limit"`) {
			t.Errorf("limit=abc = %d %s", status, body)
		}

		status, _, body = fetch(t, base+"/api/v1/countries?region=Africa&limit=500")
		var list struct {
			Total int `json:"total"`
		}
		json.Unmarshal([]byte(body), &list)
		// all.csv lists 60 areas with region Africa.
		if status != 200 || list.Total != 60 {
			t.Errorf("countries in Africa = %d (status %d), want 60", list.Total, status)
		}

		if status, _, body = fetch(t, base+"/healthz"); status != 200 || !strings.Contains(body, `"ok"`) {
			t.Errorf("/healthz = %d %s", status, body)
		}
		status, _, body = fetch(t, base+"/metrics")
		for _, want := range []string{`corridor_http_requests_total{code="200",method="GET",route="/api/v1/countries/{iso3}"}`,
			"corridor_http_request_duration_seconds_bucket", `go_sql_max_open_connections{db_name="corridor"}`} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		status, _, _ = fetch(t, base+"/api/v1/openapi.json")
		if status != 200 {
			t.Errorf("openapi.json = %d", status)
		}
	})
}

// brokenCopy copies the shipped reference files into a temp dir and lets
// edit change the ISO file.
func brokenCopy(t *testing.T, edit func(iso []byte) []byte) []string {
	t.Helper()
	dir := t.TempDir()
	var out []string
	for _, rel := range []string{"iso3166-un-m49/all.csv", "un-desa-international-migrant-stock/aggregates_correspondence_table_2020_1.xlsx",
		"remittances/wdi/wdi_country_metadata.csv", "unhcr-refugee-population/countries.csv", "corridor/area_aliases.csv"} {
		b, err := os.ReadFile(filepath.Join(dataDir, rel))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(rel, "all.csv") {
			b = edit(b)
		}
		p := filepath.Join(dir, strings.ReplaceAll(rel, "/", "_"))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func TestBrokenImportChangesNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		if code, _, stderr := corridor(t, "import", "--db", e.DSN, "--data-dir", dataDir, "countries"); code != 0 {
			t.Fatalf("first import failed: %s", stderr)
		}
		code, stdout, _ := corridor(t, "import", "--db", e.DSN, "--data-dir", dataDir, "countries")
		if code != 0 || !strings.Contains(stdout, "unchanged") {
			t.Errorf("re-import of the same files: code %d, %q; want unchanged", code, stdout)
		}
		tests := []struct {
			name string
			edit func([]byte) []byte
			want []string
		}{
			{"renamed column", func(b []byte) []byte { return bytes.Replace(b, []byte("alpha-3"), []byte("alpha3"), 1) },
				[]string{"all.csv", `"alpha-3"`, "missing"}},
			{"text where a number belongs", func(b []byte) []byte {
				return bytes.Replace(b, []byte("Kenya,KE,KEN,404"), []byte("Kenya,KE,KEN,4O4"), 1)
			}, []string{"all.csv", "row 118", "country-code"}},
			{"wrong encoding", func(b []byte) []byte { return bytes.Replace(b, []byte("Åland"), []byte("\xc5land"), 1) },
				[]string{"all.csv", "row 3", "UTF-8"}},
			{"truncated", func(b []byte) []byte { return b[:len(b)/2] }, []string{"all.csv", "row"}},
			{"truncated at a line boundary", func(b []byte) []byte {
				return bytes.Join(bytes.SplitAfter(b, []byte("\n"))[:100], nil)
			}, []string{"not in the ISO 3166-1 file", "truncated"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				files := brokenCopy(t, tt.edit)
				code, _, stderr := corridor(t, append([]string{"import", "--db", e.DSN, "countries"}, files...)...)
				if code == 0 {
					t.Fatalf("broken import exited 0")
				}
				for _, w := range tt.want {
					if !strings.Contains(stderr, w) {
						t.Errorf("message lacks %q:\n%s", w, stderr)
					}
				}
			})
		}
		// The data served before is still served, unchanged.
		base := start(t, e.DSN)
		status, _, body := fetch(t, base+"/api/v1/countries/KEN")
		if status != 200 || !strings.Contains(body, `"m49":"404"`) || !strings.Contains(body, `"intermediateRegion":"Eastern Africa"`) {
			t.Errorf("after broken imports KEN = %d %s", status, body)
		}
	})
}

func TestCLI(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "c.db")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{}, 2, "Usage"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"version"}, 0, "corridor"},
		{[]string{"import", "--list"}, 0, "countries"},
		{[]string{"import", "--db", dsn, "nosuch"}, 1, `no dataset "nosuch"`},
		{[]string{"import", "--db", dsn, "countries", "a.csv"}, 1, "want 5 files"},
		{[]string{"migrate", "--db", dsn}, 0, "schema version"},
		{[]string{"migrate", "--db", dsn, "--status"}, 0, "sqlite schema version 20 (latest 20)"},
		{[]string{"serve", "--log-level", "loud"}, 1, "--log-level"},
		{[]string{"serve", "--bogus"}, 2, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := corridor(t, tt.args...)
			if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s%s", code, tt.code, tt.want, stdout, stderr)
			}
		})
	}
}

func TestEnvironmentFallback(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "env.db")
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "CORRIDOR_DB" {
			return dsn
		}
		return ""
	}
	if code := Main(context.Background(), []string{"migrate"}, strings.NewReader(""), &out, &errb, getenv); code != 0 {
		t.Fatalf("migrate with CORRIDOR_DB: %d %s", code, errb.String())
	}
	if _, err := os.Stat(dsn); err != nil {
		t.Errorf("CORRIDOR_DB was not used: %v", err)
	}
}
