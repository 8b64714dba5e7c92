package geo

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/corridor-platform/corridor/internal/tabular"
)

// dataDir is the repository's data/ folder, seen from this package.
var dataDir = filepath.Join("..", "..", "data")

// sharedDataDir holds the full public datasets (not shipped in data/) whose
// spellings the matcher must know. CORRIDOR_SHARED_DATA overrides it.
func sharedDataDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("CORRIDOR_SHARED_DATA")
	if dir == "" {
		dir = "/work/shared/data"
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the public datasets folder %s is absent (set CORRIDOR_SHARED_DATA to run the dataset spelling tests): %v", dir, err)
	}
	return dir
}

var shipped struct {
	once    sync.Once
	ref     Reference
	rejects []*tabular.CellError
	rows    int
	sources []string
	err     error
}

// shippedReference loads the reference from data/ once for all tests.
func shippedReference(t testing.TB) (Reference, []*tabular.CellError) {
	t.Helper()
	shipped.once.Do(func() {
		shipped.ref, shipped.err = LoadReference(context.Background(), DefaultSourceFiles(dataDir), Hooks{
			Reject: func(e *tabular.CellError) { shipped.rejects = append(shipped.rejects, e) },
			Row:    func() { shipped.rows++ },
			Source: func(name string, _ tabular.Reader) { shipped.sources = append(shipped.sources, name) },
		})
	})
	if shipped.err != nil {
		t.Fatalf("LoadReference(data/): %v", shipped.err)
	}
	return shipped.ref, shipped.rejects
}

var shippedM struct {
	once sync.Once
	m    *Matcher
}

func shippedMatcher(t testing.TB) *Matcher {
	t.Helper()
	ref, _ := shippedReference(t)
	shippedM.once.Do(func() { shippedM.m = NewMatcher(ref) })
	return shippedM.m
}

func areaByCode(t testing.TB, ref Reference, code string) Area {
	t.Helper()
	for _, a := range ref.Areas {
		if a.Code == code {
			return a
		}
	}
	t.Fatalf("no area %q in the reference", code)
	return Area{}
}
