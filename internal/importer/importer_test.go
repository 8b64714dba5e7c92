package importer_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
	"github.com/corridor-platform/corridor/internal/tabular"
)

// rowsDataset is a test dataset that counts the rows of a CSV into the
// report, rejecting rows whose "ok" column is "no".
func rowsDataset(slow time.Duration) importer.Dataset {
	return importer.Dataset{
		Name: "rows", Description: "test rows", Version: 1, Usage: "one CSV",
		DefaultFiles: func(dir string) []string { return []string{filepath.Join(dir, "rows.csv")} },
		CheckFiles:   importer.CheckCount("one CSV", ".csv"),
		Load: func(ctx context.Context, tx *store.Tx, files []string, rec *importer.Recorder) error {
			r, err := tabular.Open(files[0], tabular.Options{Required: []string{"name", "ok"}})
			if err != nil {
				return err
			}
			defer r.Close()
			rec.Source("rows.csv", r)
			time.Sleep(slow)
			return tabular.ReadAll(r, func(row tabular.Row) error {
				rec.Read()
				if row.Get("ok") == "no" {
					rec.Reject(row.Errorf("ok", "row marked not ok"))
					return nil
				}
				rec.Loaded(1)
				return nil
			})
		},
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func newRunner(t *testing.T, e storetest.Engine, ds importer.Dataset, dir string) *importer.Runner {
	t.Helper()
	db, err := store.Open(context.Background(), e.DSN, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &importer.Runner{DB: db, Registry: importer.NewRegistry(ds), DataDir: dir, Host: "test"}
}

func TestRunReportAndNoOp(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		dir := t.TempDir()
		writeFile(t, dir, "rows.csv", "name,ok\na,yes\nb,no\nc,yes\n")
		rn := newRunner(t, e, rowsDataset(0), dir)
		ctx := context.Background()
		rep, err := rn.Run(ctx, "rows", nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Unchanged || rep.Read != 3 || rep.Loaded != 2 || rep.Rejected != 1 || len(rep.Rejections) != 1 {
			t.Fatalf("report = %+v", rep)
		}
		if r := rep.Rejections[0]; r.File != "rows.csv" || r.Row != 3 || r.Column != "ok" {
			t.Errorf("rejection = %+v, want rows.csv row 3 column ok", r)
		}
		if s := rep.Summary(10); !strings.Contains(s, "3 rows read, 2 loaded, 1 rejected") || !strings.Contains(s, "rows.csv: row 3") {
			t.Errorf("summary = %q", s)
		}
		again, err := rn.Run(ctx, "rows", nil)
		if err != nil || !again.Unchanged {
			t.Errorf("same file again: %+v, %v; want unchanged", again, err)
		}
		writeFile(t, dir, "rows.csv", "name,ok\na,yes\n")
		changed, err := rn.Run(ctx, "rows", nil)
		if err != nil || changed.Unchanged || changed.Read != 1 {
			t.Errorf("changed file: %+v, %v", changed, err)
		}
		recs, err := rn.DB.Imports(ctx, 10)
		if err != nil || len(recs) != 2 {
			t.Errorf("imports logged = %d, %v; want 2 (the no-op is not logged)", len(recs), err)
		}
	})
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	rn := newRunner(t, storetest.Engines(t)[0], rowsDataset(0), dir)
	ctx := context.Background()
	tests := []struct {
		name  string
		files []string
		kind  error
		want  string
	}{
		{"unknown dataset", nil, derrors.NotFound, `no dataset "nope"`},
		{"missing file", []string{filepath.Join(dir, "absent.csv")}, derrors.Invalid, "absent.csv: cannot open"},
		{"wrong extension", []string{writeFile(t, dir, "x.txt", "")}, derrors.Invalid, "must be .csv"},
		{"wrong count", []string{"a.csv", "b.csv"}, derrors.Invalid, "want 1 files"},
		{"missing column", []string{writeFile(t, dir, "bad.csv", "name,okay\na,yes\n")}, derrors.Invalid, `missing required column(s) "ok"`},
		{"short row", []string{writeFile(t, dir, "short.csv", "name,ok\na,yes\nb\n")}, derrors.Invalid, "row 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "rows"
			if tt.name == "unknown dataset" {
				name = "nope"
			}
			_, err := rn.Run(ctx, name, tt.files)
			if !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want kind %v containing %q", err, tt.kind, tt.want)
			}
		})
	}
	if recs, _ := rn.DB.Imports(ctx, 10); len(recs) != 0 {
		t.Errorf("failed imports left %d records", len(recs))
	}
}

// TestConcurrentImports: two processes importing the same dataset at the
// same time serialise; one loads, the other finds it unchanged.
func TestConcurrentImports(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		dir := t.TempDir()
		writeFile(t, dir, "rows.csv", "name,ok\na,yes\n")
		runners := []*importer.Runner{newRunner(t, e, rowsDataset(200*time.Millisecond), dir), newRunner(t, e, rowsDataset(200*time.Millisecond), dir)}
		var wg sync.WaitGroup
		reps := make([]importer.Report, 2)
		errs := make([]error, 2)
		for i, rn := range runners {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reps[i], errs[i] = rn.Run(context.Background(), "rows", nil)
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("errors: %v, %v", errs[0], errs[1])
		}
		if reps[0].Unchanged == reps[1].Unchanged {
			t.Errorf("unchanged flags %v, %v: want exactly one import to load", reps[0].Unchanged, reps[1].Unchanged)
		}
	})
}

func TestProgressLines(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "rows.csv", "name,ok\na,yes\n")
	rn := newRunner(t, storetest.Engines(t)[0], rowsDataset(300*time.Millisecond), dir)
	rn.ProgressEvery = 50 * time.Millisecond
	var buf bytes.Buffer
	rn.Progress = &safeWriter{w: &buf}
	if _, err := rn.Run(context.Background(), "rows", nil); err != nil {
		t.Fatal(err)
	}
	if out := rn.Progress.(*safeWriter).String(); !strings.Contains(out, "import rows:") || !strings.Contains(out, "rows/s") {
		t.Errorf("no progress line written when not on a terminal: %q", out)
	}
}

type safeWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *safeWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *safeWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

func TestRegistry(t *testing.T) {
	reg := importer.Builtin()
	if _, err := reg.Get("countries"); err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, d := range reg.List() {
		names = append(names, d.Name)
		if d.Description == "" || d.Usage == "" {
			t.Errorf("dataset %s lacks a description or usage", d.Name)
		}
	}
	if len(names) == 0 {
		t.Fatal("no datasets")
	}
}
