package esco_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/corridor-platform/corridor/internal/labour/esco"
	"github.com/corridor-platform/corridor/internal/tabular"
)

var dataDir = filepath.Join("..", "..", "..", "data")

// shipped builds the taxonomy of the shipped files once.
var shipped = sync.OnceValues(func() (*esco.Taxonomy, error) {
	src, err := esco.ReadSources(esco.ShippedFiles(dataDir))
	if err != nil {
		return nil, err
	}
	in, _, err := esco.Build(src)
	if err != nil {
		return nil, err
	}
	if in.ISCOGroups, err = esco.ReadISCOGroups(esco.ShippedISCOFile(dataDir)); err != nil {
		return nil, err
	}
	return esco.New(in)
})

func taxonomy(tb testing.TB) *esco.Taxonomy {
	tb.Helper()
	t, err := shipped()
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// TestShippedCounts checks the counts PROVENANCE.md states.
func TestShippedCounts(t *testing.T) {
	tax := taxonomy(t)
	c := tax.Counts()
	if c.ISCOGroups != 619 || c.ISCOByLevel != [5]int{0, 10, 43, 130, 436} {
		t.Errorf("ISCO: %d %v, want 619 = 10/43/130/436", c.ISCOGroups, c.ISCOByLevel)
	}
	if c.Occupations != 3039 {
		t.Errorf("occupations = %d, want 3039", c.Occupations)
	}
	// Every link of the profiles is kept (no duplicates inside a list;
	// 17 skills are both essential and optional for one occupation and
	// count in both totals, as in the source).
	if c.EssentialLinks != 67622 || c.OptionalLinks != 61382 {
		t.Errorf("links = %d essential + %d optional, want 67622 + 61382", c.EssentialLinks, c.OptionalLinks)
	}
	if c.Skills != 13931 || c.SkillGroups != 640 {
		t.Errorf("skills = %d, skill groups = %d", c.Skills, c.SkillGroups)
	}
	if c.ByCollection["digital"] != 1284 || c.ByCollection["green"] != 591 || c.ByCollection["language"] != 359 || c.ByCollection["transversal"] != 95 {
		t.Errorf("collections = %v", c.ByCollection)
	}
	t.Logf("skills with URI: %d of %d; by type %v", c.SkillsWithURI, c.Skills, c.ByType)
	for _, o := range tax.Occupations() {
		if _, ok := tax.ISCOGroup(o.ISCOGroup); !ok {
			t.Errorf("%s: ISCO group %s unknown", o.URI, o.ISCOGroup)
		}
	}
	// Ids are dense and follow the folded label.
	sk := tax.Skills()
	for i, s := range sk {
		if s.ID != esco.SkillID(i+1) {
			t.Fatalf("skill %d has id %d", i, s.ID)
		}
	}
}

// TestProfileMatchesJSONL compares one occupation's profile with the
// JSON Lines file read independently.
func TestProfileMatchesJSONL(t *testing.T) {
	tax := taxonomy(t)
	f, err := os.Open(filepath.Join(dataDir, "esco", "esco_occupation_profiles.jsonl.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	welder, ok := tax.Occupation("7212.3")
	if !ok || welder.Label != "welder" {
		t.Fatalf("7212.3 = %+v", welder)
	}
	sc := bufio.NewScanner(gz)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var p struct {
			URI       string   `json:"occupation_uri"`
			Essential []string `json:"essential_skills"`
			Optional  []string `json:"optional_skills"`
		}
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		if p.URI != welder.URI {
			continue
		}
		ess, opt := tax.Profile(welder.URI)
		if len(ess) != len(p.Essential) || len(opt) != len(p.Optional) {
			t.Fatalf("welder: %d/%d skills, jsonl %d/%d", len(ess), len(opt), len(p.Essential), len(p.Optional))
		}
		for i, id := range ess {
			s, _ := tax.Skill(id)
			if s.Label != strings.TrimSpace(p.Essential[i]) {
				t.Errorf("essential %d = %q, jsonl %q", i, s.Label, p.Essential[i])
			}
		}
		for i, id := range opt {
			s, _ := tax.Skill(id)
			if s.Label != strings.TrimSpace(p.Optional[i]) {
				t.Errorf("optional %d = %q, jsonl %q", i, s.Label, p.Optional[i])
			}
		}
		s, ok := tax.SkillByLabel(p.Essential[0])
		if !ok || s.ID != ess[0] {
			t.Errorf("SkillByLabel(%q) = %+v", p.Essential[0], s)
		}
		return
	}
	t.Fatal("welder not in the jsonl")
}

func TestLookups(t *testing.T) {
	tax := taxonomy(t)
	anc := tax.ISCOAncestors("7212")
	if len(anc) != 4 || anc[0].Code != "7" || anc[3].Label != "Welders and flamecutters" || anc[3].Parent != "721" || anc[3].Level != 4 {
		t.Errorf("ancestors of 7212 = %+v", anc)
	}
	w, _ := tax.Occupation("7212.3")
	if byURI, ok := tax.Occupation(w.URI); !ok || byURI != w {
		t.Error("occupation by URI")
	}
	s, ok := tax.SkillByLabel("Spanish")
	if !ok || s.Type != esco.TypeLanguage || s.URI == "" {
		t.Errorf("Spanish = %+v", s)
	}
	if s2, ok := tax.SkillByURI(s.URI); !ok || s2.ID != s.ID {
		t.Error("skill by URI")
	}
	if _, ok := tax.Skill(0); ok {
		t.Error("skill 0 exists")
	}
	if e, o := tax.Profile("nope"); e != nil || o != nil {
		t.Error("profile of an unknown occupation")
	}
}

func TestSearch(t *testing.T) {
	tax := taxonomy(t)
	for _, c := range []struct {
		name, q      string
		wantLabel    string // label of the first hit ("" = no hit)
		wantSynonym  bool
		wantMatched  string // "" = don't check
		wantMinCount int
	}{
		{"label", "welder", "welder", false, "welder", 2},
		{"case", "WELDER", "welder", false, "welder", 1},
		{"synonym only", "yield manager", "hospitality revenue manager", true, "yield manager", 1},
		{"prefix words", "softw dev", "software developer", false, "", 2},
		{"accents", "électricien", "", false, "", 0},
		{"accents folded", "cook", "cook", false, "cook", 1},
		{"isco code", "7212", "", false, "Welders and flamecutters", 1},
		{"esco code", "7212.3", "welder", false, "", 1},
		{"empty", "   ", "", false, "", 0},
		{"oversized: cut to 200 bytes", strings.Repeat("welder ", 1000), "welder", false, "welder", 1},
		{"no match", "zzzqqq", "", false, "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			hits := tax.SearchOccupations(c.q, 50)
			if len(hits) < c.wantMinCount {
				t.Fatalf("%d hits, want ≥ %d", len(hits), c.wantMinCount)
			}
			if c.wantMinCount == 0 {
				if len(hits) != 0 && c.name != "accents" {
					t.Errorf("hits: %v", hits[0].Occupation.Label)
				}
				return
			}
			h := hits[0]
			if c.wantLabel != "" && h.Occupation.Label != c.wantLabel {
				t.Errorf("first = %q, want %q", h.Occupation.Label, c.wantLabel)
			}
			if h.Synonym != c.wantSynonym {
				t.Errorf("synonym = %v", h.Synonym)
			}
			if c.wantMatched != "" && h.MatchedLabel != c.wantMatched {
				t.Errorf("matched = %q, want %q", h.MatchedLabel, c.wantMatched)
			}
		})
	}
	// Accents and case in the data: "Gruyère" style labels are found
	// without the accent, and with it.
	for _, q := range []string{"cafe", "café", "CAFÉ"} {
		hits := tax.SearchOccupations(q, 5)
		if len(hits) == 0 || !strings.Contains(strings.ToLower(foldless(hits[0].MatchedLabel)), "caf") {
			t.Errorf("%q: %+v", q, hits)
		}
	}
	// Ranking: exact label before label prefix before synonym.
	hits := tax.SearchOccupations("cook", 20)
	if hits[0].Rank != esco.RankExact || hits[1].Rank < hits[0].Rank {
		t.Errorf("ranks: %+v", hits[:2])
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Rank < hits[i-1].Rank {
			t.Errorf("hit %d rank %d after %d", i, hits[i].Rank, hits[i-1].Rank)
		}
	}
	// A whole word ranks above a word that only starts with the query,
	// an exact synonym above a synonym that merely contains the words.
	labels := func(q string, n int) []string {
		var out []string
		for _, h := range tax.SearchOccupations(q, n) {
			out = append(out, h.Occupation.Label)
		}
		return out
	}
	if got := labels("cook", 10); !slices.Contains(got, "diet cook") || slices.Index(got, "diet cook") > slices.Index(append(got, "bookshop manager"), "bookshop manager") {
		t.Errorf("cook: %v (diet cook, a whole word, must come before cookery matches)", got)
	}
	if got := labels("care worker", 3); got[0] != "social care worker" {
		t.Errorf("care worker: %v (its exact synonym is social care worker's)", got)
	}
	sk := tax.SearchSkills("weld underwater", 3)
	if len(sk) == 0 || sk[0].Skill.Label != "weld underwater" || sk[0].Rank != esco.RankExact {
		t.Errorf("skills: %+v", sk)
	}
	// A US spelling from the legacy list is a synonym.
	sk = tax.SearchSkills("organize training", 3)
	if len(sk) == 0 || sk[0].Skill.Label != "organise training" || !sk[0].Synonym {
		t.Errorf("organize training: %+v", sk)
	}
	if got := tax.SearchOccupations("cook", 3); len(got) != 3 {
		t.Errorf("limit: %d hits", len(got))
	}
}

func foldless(s string) string { return strings.NewReplacer("é", "e", "É", "e").Replace(s) }

func BenchmarkSearchOccupations(b *testing.B) {
	tax := taxonomy(b)
	qs := []string{"welder", "software developer", "nurse", "m", "hospitality revenue", "électricien"}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		tax.SearchOccupations(qs[i%len(qs)], 20)
	}
}

func BenchmarkSearchSkills(b *testing.B) {
	tax := taxonomy(b)
	qs := []string{"weld", "manage staff", "communication", "a", "spanish", "organize training"}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		tax.SearchSkills(qs[i%len(qs)], 20)
	}
}

// Malformed files name the file, row and column.
func TestMalformed(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	check := func(err error, file string, row int, col string) {
		t.Helper()
		ce, ok := tabular.AsCellError(err)
		if !ok {
			t.Fatalf("err = %v, want a CellError", err)
		}
		if ce.File != file || ce.Row != row || ce.Column != col {
			t.Errorf("err = %v (file %q row %d column %q), want %s row %d column %q", err, ce.File, ce.Row, ce.Column, file, row, col)
		}
	}
	isco := "conceptType,conceptUri,code,preferredLabel,status,altLabels,inScheme,description\n"
	_, err := esco.ReadISCOGroups(write("bad_header.csv", "conceptUri,code,label\nx,1,y\n"))
	check(err, "bad_header.csv", 1, "preferredLabel")
	_, err = esco.ReadISCOGroups(write("bad_code.csv", isco+"ISCOGroup,u1,1,Managers,released,\"a\nb\",s,d\nISCOGroup,u2,7A,Bad,released,,s,d\n"))
	check(err, "bad_code.csv", 4, "code") // row 2 spans two lines
	occ := "conceptType,conceptUri,iscoGroup,preferredLabel,altLabels,hiddenLabels,status,modifiedDate,regulatedProfessionNote,scopeNote,definition,inScheme,description,code\n"
	_, err = esco.ReadOccupations(write("occ.csv", occ+"Occupation,u1,721,welder,,,released,,,,,,d,7212.3\n"))
	check(err, "occ.csv", 2, "iscoGroup")
	_, err = esco.ReadOccupations(write("occ2.csv", occ+"Occupation,,7212,welder,,,released,,,,,,d,7212.3\n"))
	check(err, "occ2.csv", 2, "conceptUri")
	_, err = esco.ReadProfiles(write("p.jsonl", `{"occupation_uri":"u1","essential_skills":["a"]}`+"\n"+`{"occupation_uri":"u2","essential_skills":["a"`+"\n"))
	check(err, "p.jsonl", 2, "")
	_, err = esco.ReadProfiles(write("p2.jsonl", `{"occupation_uri":"u1","essential_skills":"a"}`+"\n"))
	check(err, "p2.jsonl", 1, "essential_skills")
	_, err = esco.ReadProfiles(write("p3.jsonl", `{"essential_skills":[]}`+"\n"))
	check(err, "p3.jsonl", 1, "occupation_uri")
	_, err = esco.ReadCollection(write("c.csv", "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,status,altLabels,description,broaderConceptUri,broaderConceptPT\nK,u,talent,x,l,released,,,,\n"))
	check(err, "c.csv", 2, "skillType")
	_, err = esco.ReadOccupations(write("quote.csv", occ+"Occupation,\"u1,7212\n"))
	check(err, "quote.csv", 2, "")
	_, err = esco.ReadOccupations(filepath.Join(dir, "missing.csv"))
	check(err, "missing.csv", 0, "")
	_, err = esco.ReadOccupations(write("notgz.csv.gz", occ))
	check(err, "notgz.csv.gz", 0, "")
}
