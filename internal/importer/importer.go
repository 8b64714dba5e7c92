// Package importer runs dataset imports: a registry of datasets, each with
// a loader that streams its files into the store inside one transaction, a
// report of every row read, loaded and rejected, and progress output.
//
// An import replaces the previous version of its dataset atomically: the
// loader writes inside a transaction that commits only when the whole file
// was read. A broken file returns an error naming the file, row and column,
// and the database stays exactly as it was. Importing files identical to
// those of the version served is a no-op.
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/tabular"
)

// Dataset declares one importable dataset.
type Dataset struct {
	Name        string
	Description string
	// Version is part of the checksum: bump it when the loader changes, so
	// that files imported by an older loader are loaded again.
	Version int
	// Files names the files the dataset reads; Usage explains them.
	Usage string
	// DefaultFiles returns the shipped files under the data directory.
	DefaultFiles func(dataDir string) []string
	// UserFiles marks a dataset whose files are never shipped (their terms
	// forbid re-hosting, e.g. CTDC): the user imports them. List leaves it
	// out, so that a first start does not try to load it; All lists it.
	UserFiles bool
	// CheckFiles validates the files given on the command line (count,
	// extensions) before anything is read. May be nil.
	CheckFiles func(files []string) error
	// Load streams files into the store through tx. It reports each row
	// through rec; it returns an error (preferably a *tabular.CellError)
	// for a broken file.
	Load func(ctx context.Context, tx *store.Tx, files []string, rec *Recorder) error
}

// Registry holds the datasets by name.
type Registry struct {
	datasets map[string]Dataset
}

// NewRegistry returns a registry of the given datasets.
func NewRegistry(ds ...Dataset) *Registry {
	r := &Registry{datasets: map[string]Dataset{}}
	for _, d := range ds {
		if d.Name == "" || d.Load == nil || d.DefaultFiles == nil {
			panic("importer: dataset without name, loader or default files")
		}
		if _, dup := r.datasets[d.Name]; dup {
			panic("importer: dataset " + d.Name + " registered twice")
		}
		r.datasets[d.Name] = d
	}
	return r
}

// List returns the datasets loaded from shipped files, sorted by name:
// those a first start loads. All adds the datasets of user files.
func (r *Registry) List() []Dataset {
	return slices.DeleteFunc(r.All(), func(d Dataset) bool { return d.UserFiles })
}

// All returns every dataset, sorted by name.
func (r *Registry) All() []Dataset {
	out := make([]Dataset, 0, len(r.datasets))
	for _, d := range r.datasets {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get returns a dataset; the error wraps derrors.NotFound and lists the
// known names.
func (r *Registry) Get(name string) (Dataset, error) {
	d, ok := r.datasets[name]
	if !ok {
		var names []string
		for _, d := range r.All() {
			names = append(names, d.Name)
		}
		return Dataset{}, derrors.Kindf(derrors.NotFound, "no dataset %q (known: %s; see corridor import --list)", name, strings.Join(names, ", "))
	}
	return d, nil
}

// Report is the outcome of one import.
type Report struct {
	Dataset    string               `json:"dataset"`
	Files      []string             `json:"files"`
	Checksum   string               `json:"checksum"`
	Unchanged  bool                 `json:"unchanged"` // same files as the version served: nothing done
	Read       int64                `json:"rowsRead"`
	Loaded     int64                `json:"rowsLoaded"`
	Rejected   int64                `json:"rowsRejected"`
	Rejections []*tabular.CellError `json:"rejections"`
	Started    time.Time            `json:"startedAt"`
	Duration   time.Duration        `json:"durationNs"`
	ImportID   int64                `json:"importId,omitempty"`
	Notes      []string             `json:"notes,omitempty"`
	// Quality holds the data-quality counts a loader found (e.g. the rpw
	// dataset's non-transparent quotes, negative margins, duplicates), by
	// name.
	Quality map[string]int `json:"quality,omitempty"`
	// Previous is the import that loaded the same files, when Unchanged.
	Previous *store.ImportRecord `json:"previous,omitempty"`
}

// Summary is the report as a few lines of text, listing at most max
// rejections.
func (r *Report) Summary(max int) string {
	var b strings.Builder
	if r.Unchanged {
		fmt.Fprintf(&b, "%s: unchanged: the same files are already loaded; nothing to do\n", r.Dataset)
		if p := r.Previous; p != nil {
			fmt.Fprintf(&b, "  loaded by import #%d on %s: %d rows read, %d loaded, %d rejected\n",
				p.ID, p.FinishedAt.UTC().Format(time.RFC3339), p.RowsRead, p.RowsLoaded, p.RowsRejected)
		}
		return b.String()
	}
	fmt.Fprintf(&b, "%s: %d rows read, %d loaded, %d rejected in %s\n", r.Dataset, r.Read, r.Loaded, r.Rejected, r.Duration.Round(time.Millisecond))
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	if len(r.Quality) > 0 {
		names := make([]string, 0, len(r.Quality))
		for k := range r.Quality {
			names = append(names, k)
		}
		sort.Strings(names)
		fmt.Fprintf(&b, "  data quality:")
		for _, k := range names {
			fmt.Fprintf(&b, " %s=%d", k, r.Quality[k])
		}
		b.WriteString("\n")
	}
	for i, rej := range r.Rejections {
		if i == max {
			fmt.Fprintf(&b, "  … and %d more rejected rows (use --report FILE for all)\n", len(r.Rejections)-max)
			break
		}
		fmt.Fprintf(&b, "  rejected: %s\n", rej.Error())
	}
	return b.String()
}

// Recorder counts rows for the report and feeds the progress display.
type Recorder struct {
	report   *Report
	progress *Progress
}

// Source tells the progress display which reader is being read.
func (r *Recorder) Source(name string, rd tabular.Reader) {
	if r.progress != nil {
		r.progress.source(name, rd)
	}
}

// Read counts one row read from a source file.
func (r *Recorder) Read() {
	r.report.Read++
	if r.progress != nil {
		r.progress.rows.Add(1)
	}
}

// Loaded counts n rows stored.
func (r *Recorder) Loaded(n int64) { r.report.Loaded += n }

// Reject records a row that was well-formed but could not be loaded.
func (r *Recorder) Reject(e *tabular.CellError) {
	r.report.Rejected++
	r.report.Rejections = append(r.report.Rejections, e)
}

// Note adds a remark to the report (e.g. what a quirk of the file meant).
func (r *Recorder) Note(format string, args ...any) {
	r.report.Notes = append(r.report.Notes, fmt.Sprintf(format, args...))
}

// Count adds n to a named data-quality count of the report.
func (r *Recorder) Count(name string, n int) {
	if r.report.Quality == nil {
		r.report.Quality = map[string]int{}
	}
	r.report.Quality[name] += n
}

// Runner runs imports against a database.
type Runner struct {
	DB       *store.DB
	Registry *Registry
	DataDir  string
	// Progress output (a terminal gets a bar, anything else log lines); nil
	// writes nothing.
	Progress io.Writer
	// ProgressEvery is the interval of plain progress lines (default 5s).
	ProgressEvery time.Duration
	Host          string
	now           func() time.Time
}

// Run imports a dataset from files (the shipped files when files is empty).
func (rn *Runner) Run(ctx context.Context, name string, files []string) (rep Report, err error) {
	defer derrors.Wrap(&err, "import %s", name)
	d, err := rn.Registry.Get(name)
	if err != nil {
		return rep, err
	}
	if len(files) == 0 {
		files = d.DefaultFiles(rn.DataDir)
	}
	if d.CheckFiles != nil {
		if err := d.CheckFiles(files); err != nil {
			return rep, err
		}
	}
	sum, err := checksum(d, files)
	if err != nil {
		return rep, err
	}
	now := time.Now
	if rn.now != nil {
		now = rn.now
	}
	rep = Report{Dataset: name, Files: baseNames(files), Checksum: sum, Started: now(), Rejections: []*tabular.CellError{}}
	prog := newProgress(rn.Progress, name, rn.ProgressEvery)
	defer prog.stop()
	rec := &Recorder{report: &rep, progress: prog}
	err = rn.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := store.LockDataset(ctx, tx, name); err != nil {
			return err
		}
		cur, err := store.Dataset(ctx, tx, name)
		if err == nil && cur.Checksum == sum {
			rep.Unchanged = true
			if prev, err := store.ImportRecordTx(ctx, tx, cur.ImportID); err == nil {
				rep.Previous = &prev
			}
			return nil
		}
		if err != nil && !errors.Is(err, derrors.NotFound) {
			return err
		}
		if err := d.Load(ctx, tx, files, rec); err != nil {
			return err
		}
		rep.Duration = now().Sub(rep.Started)
		rep.ImportID, err = store.RecordImport(ctx, tx, store.ImportRecord{
			Dataset: name, Status: "loaded", Checksum: sum, Files: rep.Files,
			RowsRead: rep.Read, RowsLoaded: rep.Loaded, RowsRejected: rep.Rejected,
			Rejections: firstN(rep.Rejections, 1000), StartedAt: rep.Started, FinishedAt: now(), Host: rn.Host,
		})
		return err
	})
	rep.Duration = now().Sub(rep.Started)
	prog.stop()
	return rep, err
}

func firstN[T any](s []T, n int) []T { return s[:min(len(s), n)] }

func baseNames(files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = filepath.Base(f)
	}
	return out
}

// checksum hashes the dataset name, loader version and file contents
// (and, for user files, their names: a CTDC file is stored under its
// name, so the same bytes under another name are another import).
func checksum(d Dataset, files []string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", d.Name, d.Version)
	for _, f := range files {
		if d.UserFiles {
			fmt.Fprintf(h, "%s\x00", filepath.Base(f))
		}
		fh, err := os.Open(f)
		if err != nil {
			return "", &tabular.CellError{File: filepath.Base(f), Reason: "cannot open: " + errors.Unwrap(err).Error()}
		}
		_, err = io.Copy(h, fh)
		fh.Close()
		if err != nil {
			return "", &tabular.CellError{File: filepath.Base(f), Reason: "cannot read: " + err.Error()}
		}
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CheckCount returns a CheckFiles function that wants exactly the given
// extensions in order (e.g. ".csv", ".xlsx").
func CheckCount(usage string, exts ...string) func([]string) error {
	return func(files []string) error {
		if len(files) != len(exts) {
			return derrors.Kindf(derrors.Invalid, "want %d files (%s), got %d", len(exts), usage, len(files))
		}
		for i, f := range files {
			if !slices.Contains(strings.Split(exts[i], "|"), strings.ToLower(filepath.Ext(f))) {
				return derrors.Kindf(derrors.Invalid, "file %d (%s) must be %s: %s", i+1, usage, exts[i], filepath.Base(f))
			}
		}
		return nil
	}
}
