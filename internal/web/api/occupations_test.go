package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/api"
	"github.com/corridor-platform/corridor/internal/web/webauth"
)

// occupationAPI returns the API over a fresh database in dir, with the
// shipped ISCO and ESCO files imported when load is true.
func occupationAPI(t *testing.T, load bool) http.Handler {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "o.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if load {
		rn := &importer.Runner{DB: db, Registry: importer.Builtin(), DataDir: filepath.Join("..", "..", "..", "data")}
		for _, n := range []string{importer.ISCOName, importer.ESCOName} {
			if _, err := rn.Run(ctx, n, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	router := web.NewRouter(nil)
	api.New(api.Config{Geo: db.Geo(), Version: "test", DB: db, Auth: &webauth.Auth{DB: db}}).Register(router)
	return (&web.Stack{Router: router, BodyLimit: 1 << 20}).Handler()
}

// TestOccupationAPI imports the shipped files once for its subtests.
func TestOccupationAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the shipped ESCO files")
	}
	h := occupationAPI(t, true)
	t.Run("search", func(t *testing.T) { testOccupationSearch(t, h) })
	t.Run("detail", func(t *testing.T) { testOccupationDetail(t, h) })
	t.Run("errors", func(t *testing.T) { testOccupationErrors(t, h) })
}

// TestOccupationAPINotLoaded: without the ESCO import, a 404 problem
// saying what to run.
func TestOccupationAPINotLoaded(t *testing.T) {
	h := occupationAPI(t, false)
	for _, target := range []string{"/api/v1/occupations?q=cook", "/api/v1/skills?q=cook", "/api/v1/occupations/7212"} {
		w := mapGet(t, h, target)
		if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "corridor import esco") {
			t.Errorf("%s: %d %s", target, w.Code, w.Body)
		}
	}
}

func occGet[T any](t *testing.T, h http.Handler, target string) T {
	t.Helper()
	w := mapGet(t, h, target)
	if w.Code != http.StatusOK {
		t.Fatalf("%s: %d %s", target, w.Code, w.Body)
	}
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	return v
}

func testOccupationSearch(t *testing.T, h http.Handler) {
	ans := occGet[api.OccupationsAnswer](t, h, "/api/v1/occupations?q=Welder&limit=3")
	if len(ans.Occupations) == 0 || len(ans.Occupations) > 3 {
		t.Fatalf("welder: %+v", ans)
	}
	o := ans.Occupations[0]
	if o.Label != "welder" || o.Code != "7212.3" || o.ISCOGroup != "7212" || o.ISCOLabel != "Welders and flamecutters" ||
		o.Synonym || o.EssentialSkills == 0 || o.OptionalSkills == 0 {
		t.Errorf("welder hit = %+v", o)
	}
	// A synonym-only query says which label matched.
	ans = occGet[api.OccupationsAnswer](t, h, "/api/v1/occupations?q=yield+manager")
	if len(ans.Occupations) == 0 || !ans.Occupations[0].Synonym || ans.Occupations[0].MatchedLabel != "yield manager" {
		t.Errorf("yield manager: %+v", ans.Occupations)
	}
	// An ISCO code lists its occupations.
	ans = occGet[api.OccupationsAnswer](t, h, "/api/v1/occupations?q=7212&limit=100")
	if len(ans.Occupations) == 0 {
		t.Fatal("7212: no occupations")
	}
	for _, o := range ans.Occupations {
		if o.ISCOGroup != "7212" {
			t.Errorf("7212 listed %+v", o)
		}
	}
	sk := occGet[api.SkillsAnswer](t, h, "/api/v1/skills?q=WELD+underwater")
	if len(sk.Skills) == 0 || sk.Skills[0].Label != "weld underwater" || sk.Skills[0].ID == 0 || sk.Skills[0].Collections == nil {
		t.Errorf("skills: %+v", sk)
	}
	sk = occGet[api.SkillsAnswer](t, h, "/api/v1/skills?q=Spanish&limit=100")
	found := false
	for _, s := range sk.Skills {
		if s.Label == "Spanish" && s.Type == "language" && strings.Contains(strings.Join(s.Collections, ","), "language") && s.URI != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("Spanish not found as a language skill: %+v", sk.Skills)
	}
}

func testOccupationDetail(t *testing.T, h http.Handler) {
	d := occGet[api.OccupationAnswer](t, h, "/api/v1/occupations/7212.3")
	if d.Occupation == nil || d.Occupation.Label != "welder" || len(d.EssentialSkills) != d.Occupation.EssentialSkills ||
		len(d.OptionalSkills) != d.Occupation.OptionalSkills || len(d.ISCO) != 4 || d.ISCO[0].Code != "7" {
		t.Fatalf("7212.3 = %+v", d)
	}
	g := occGet[api.OccupationAnswer](t, h, "/api/v1/occupations/7212")
	if g.Occupation != nil || len(g.ISCO) != 4 || g.ISCO[3].Label != "Welders and flamecutters" || len(g.Occupations) == 0 {
		t.Errorf("7212 = %+v", g)
	}
	if w := mapGet(t, h, "/api/v1/occupations/9999.99"); w.Code != http.StatusNotFound {
		t.Errorf("unknown code: %d %s", w.Code, w.Body)
	}
}

func testOccupationErrors(t *testing.T, h http.Handler) {
	long := strings.Repeat("a", 201)
	for _, c := range []struct{ target, param string }{
		{"/api/v1/occupations?q=" + long, "q"},
		{"/api/v1/occupations", "q"},
		{"/api/v1/occupations?q=cook&limit=0", "limit"},
		{"/api/v1/occupations?q=cook&limit=101", "limit"},
		{"/api/v1/occupations?q=cook&limit=x", "limit"},
		{"/api/v1/skills?q=" + long, "q"},
		{"/api/v1/skills?q=weld&limit=500", "limit"},
		{"/api/v1/skills?q=weld&lmit=5", "lmit"},
	} {
		w := mapGet(t, h, c.target)
		if w.Code != http.StatusBadRequest || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/problem+json") ||
			!strings.Contains(w.Body.String(), `"`+c.param+`"`) {
			t.Errorf("%.60s: %d %s %s", c.target, w.Code, w.Header().Get("Content-Type"), w.Body)
		}
	}
}
