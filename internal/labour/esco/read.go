package esco

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/tabular"
)

// The readers below take a file path; a name ending in ".gz" is read
// through gzip (the shipped files are gzipped, e.g. occupations_en.csv.gz).
// Every error is a *tabular.CellError naming the file (its base name), the
// row (the line a CSV record starts on, the header being row 1; the line
// of a JSON Lines record) and, where one is at fault, the column.

// openFile opens path, through gzip when its name ends in ".gz".
func openFile(path string) (io.Reader, func() error, error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, nil, &tabular.CellError{File: name, Reason: fmt.Sprintf("cannot open: %v", err)}
	}
	if !strings.HasSuffix(strings.ToLower(path), ".gz") {
		return bufio.NewReaderSize(f, 64<<10), f.Close, nil
	}
	gz, err := gzip.NewReader(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		f.Close()
		return nil, nil, &tabular.CellError{File: name, Reason: fmt.Sprintf("not a gzip file: %v", err)}
	}
	return gz, func() error { gz.Close(); return f.Close() }, nil
}

// csvFile reads one CSV table with encoding/csv (quoted fields may hold
// new lines, as ESCO's label lists do).
type csvFile struct {
	name   string
	r      *csv.Reader
	close  func() error
	header []string
	index  map[string]int
}

// record is one data row of a csvFile.
type record struct {
	f     *csvFile
	line  int
	cells []string
}

func openCSV(path string, required ...string) (_ *csvFile, err error) {
	rd, closeFn, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			closeFn()
		}
	}()
	br := bufio.NewReader(rd)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	c := &csvFile{name: filepath.Base(path), r: csv.NewReader(br), close: closeFn, index: map[string]int{}}
	c.r.FieldsPerRecord = -1
	c.r.ReuseRecord = false
	h, err := c.r.Read()
	if err == io.EOF {
		return nil, &tabular.CellError{File: c.name, Reason: "the file is empty (no header row)"}
	}
	if err != nil {
		return nil, c.csvError(err)
	}
	c.header = h
	for i, s := range h {
		s = strings.TrimSpace(s)
		if _, dup := c.index[s]; !dup {
			c.index[s] = i
		}
	}
	for _, col := range required {
		if _, ok := c.index[col]; !ok {
			return nil, &tabular.CellError{File: c.name, Row: 1, Column: col,
				Reason: fmt.Sprintf("missing required column %q; the header has %s", col, summarize(h))}
		}
	}
	return c, nil
}

func summarize(h []string) string {
	q := make([]string, 0, 13)
	for i, s := range h {
		if i == 12 {
			q = append(q, fmt.Sprintf("… (%d columns)", len(h)))
			break
		}
		q = append(q, fmt.Sprintf("%q", clip(s)))
	}
	return strings.Join(q, ", ")
}

func (c *csvFile) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &tabular.CellError{File: c.name, Row: pe.StartLine,
			Reason: fmt.Sprintf("malformed CSV (line %d, character %d: %v)", pe.Line, pe.Column, pe.Err)}
	}
	return &tabular.CellError{File: c.name, Reason: err.Error()}
}

// next returns the next record, or io.EOF. A row with more fields than
// the header is an error; a shorter one reads "" for the missing cells
// (skillsHierarchy_en.csv leaves the trailing empty cells out).
func (c *csvFile) next() (record, error) {
	cells, err := c.r.Read()
	if err == io.EOF {
		return record{}, io.EOF
	}
	if err != nil {
		return record{}, c.csvError(err)
	}
	line, _ := c.r.FieldPos(0)
	if len(cells) > len(c.header) {
		return record{}, &tabular.CellError{File: c.name, Row: line,
			Reason: fmt.Sprintf("has %d fields, the header has %d (misaligned row)", len(cells), len(c.header))}
	}
	for i, s := range cells {
		if !utf8.ValidString(s) {
			return record{}, &tabular.CellError{File: c.name, Row: line, Column: c.header[i], Reason: "text is not valid UTF-8"}
		}
	}
	return record{f: c, line: line, cells: cells}, nil
}

// each calls fn for every record.
func (c *csvFile) each(fn func(record) error) error {
	defer c.close()
	for {
		r, err := c.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
}

// get returns the trimmed cell of a column.
func (r record) get(col string) string {
	i, ok := r.f.index[col]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

func (r record) errorf(col, format string, args ...any) error {
	return &tabular.CellError{File: r.f.name, Row: r.line, Column: col, Reason: fmt.Sprintf(format, args...)}
}

// need returns a cell that must not be empty.
func (r record) need(col string) (string, error) {
	v := r.get(col)
	if v == "" {
		return "", r.errorf(col, "empty: a value is required")
	}
	return v, nil
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > 60 {
		return string([]rune(s)[:60]) + "…"
	}
	return s
}

// splitLines splits a newline-separated label list (ESCO's altLabels).
func splitLines(s string) []string { return splitOn(s, "\n") }

// splitOn splits a label list, trimming and dropping empty items and
// repeats.
func splitOn(s, sep string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(s, sep) {
		p = strings.TrimSpace(p)
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ReadISCOGroups reads ISCOGroups_en.csv: the 619 ISCO-08 groups (codes of
// 1 to 4 digits; the parent of a group is its code less the last digit).
func ReadISCOGroups(path string) ([]ISCOGroup, error) {
	c, err := openCSV(path, "conceptUri", "code", "preferredLabel", "altLabels", "description")
	if err != nil {
		return nil, err
	}
	var out []ISCOGroup
	seen := map[string]int{}
	err = c.each(func(r record) error {
		code, err := r.need("code")
		if err != nil {
			return err
		}
		if !isDigits(code) || len(code) > 4 {
			return r.errorf("code", "%q is not an ISCO-08 code (1 to 4 digits)", clip(code))
		}
		if prev, dup := seen[code]; dup {
			return r.errorf("code", "ISCO group %s given twice (also row %d)", code, prev)
		}
		seen[code] = r.line
		uri, err := r.need("conceptUri")
		if err != nil {
			return err
		}
		label, err := r.need("preferredLabel")
		if err != nil {
			return err
		}
		g := ISCOGroup{Code: code, URI: uri, Label: label, AltLabels: splitLines(r.get("altLabels")), Description: r.get("description")}
		g.fill()
		out = append(out, g)
		return nil
	})
	return out, err
}

// ReadOccupations reads occupations_en.csv (ESCO occupations; iscoGroup
// must be a 4-digit ISCO-08 unit group code).
func ReadOccupations(path string) ([]Occupation, error) {
	c, err := openCSV(path, "conceptUri", "iscoGroup", "preferredLabel", "altLabels", "hiddenLabels", "description", "code")
	if err != nil {
		return nil, err
	}
	var out []Occupation
	seen := map[string]int{}
	err = c.each(func(r record) error {
		uri, err := r.need("conceptUri")
		if err != nil {
			return err
		}
		if prev, dup := seen[uri]; dup {
			return r.errorf("conceptUri", "occupation %s given twice (also row %d)", clip(uri), prev)
		}
		seen[uri] = r.line
		isco := r.get("iscoGroup")
		if len(isco) != 4 || !isDigits(isco) {
			return r.errorf("iscoGroup", "%q is not an ISCO-08 unit group code (4 digits)", clip(isco))
		}
		label, err := r.need("preferredLabel")
		if err != nil {
			return err
		}
		out = append(out, Occupation{URI: uri, Code: r.get("code"), Label: label, AltLabels: splitLines(r.get("altLabels")),
			HiddenLabels: splitLines(r.get("hiddenLabels")), ISCOGroup: isco, Description: r.get("description")})
		return nil
	})
	return out, err
}

// Broader is one row of broaderRelationsOccPillar_en.csv or
// broaderRelationsSkillPillar_en.csv: a concept and the concept above it.
type Broader struct {
	ConceptType, URI, BroaderType, BroaderURI string
}

// ReadBroader reads a broaderRelations*Pillar_en.csv file.
func ReadBroader(path string) ([]Broader, error) {
	c, err := openCSV(path, "conceptType", "conceptUri", "broaderType", "broaderUri")
	if err != nil {
		return nil, err
	}
	var out []Broader
	err = c.each(func(r record) error {
		var b Broader
		var err error
		if b.URI, err = r.need("conceptUri"); err != nil {
			return err
		}
		if b.BroaderURI, err = r.need("broaderUri"); err != nil {
			return err
		}
		b.ConceptType, b.BroaderType = r.get("conceptType"), r.get("broaderType")
		out = append(out, b)
		return nil
	})
	return out, err
}

// ReadSkillGroups reads skillGroups_en.csv.
func ReadSkillGroups(path string) ([]SkillGroup, error) {
	c, err := openCSV(path, "conceptUri", "preferredLabel", "altLabels", "code")
	if err != nil {
		return nil, err
	}
	var out []SkillGroup
	err = c.each(func(r record) error {
		uri, err := r.need("conceptUri")
		if err != nil {
			return err
		}
		label, err := r.need("preferredLabel")
		if err != nil {
			return err
		}
		out = append(out, SkillGroup{URI: uri, Code: r.get("code"), Label: label, AltLabels: splitLines(r.get("altLabels"))})
		return nil
	})
	return out, err
}

// HierarchyLink is one row of skillsHierarchy_en.csv reduced to its
// deepest concept, its level (0–3) and the concept above it.
type HierarchyLink struct {
	URI, Parent, Label, Code string
	Level                    int
}

// ReadSkillsHierarchy reads skillsHierarchy_en.csv (each row a path from
// a level-0 concept down to the concept it describes).
func ReadSkillsHierarchy(path string) ([]HierarchyLink, error) {
	c, err := openCSV(path, "Level 0 URI", "Level 1 URI", "Level 2 URI", "Level 3 URI")
	if err != nil {
		return nil, err
	}
	var out []HierarchyLink
	err = c.each(func(r record) error {
		var path []string
		var label, code string
		for l := 0; l <= 3; l++ {
			u := r.get(fmt.Sprintf("Level %d URI", l))
			if u == "" {
				break
			}
			path = append(path, u)
			label, code = r.get(fmt.Sprintf("Level %d preferred term", l)), r.get(fmt.Sprintf("Level %d code", l))
		}
		if len(path) == 0 {
			return r.errorf("Level 0 URI", "empty: a value is required")
		}
		h := HierarchyLink{URI: path[len(path)-1], Level: len(path) - 1, Label: label, Code: code}
		if len(path) > 1 {
			h.Parent = path[len(path)-2]
		}
		out = append(out, h)
		return nil
	})
	return out, err
}

// ListedSkill is a skill of a v1.2 collection file or of the legacy
// skills list: URI, label, alternative labels, type.
type ListedSkill struct {
	URI, Label, Type, Description string
	AltLabels                     []string
	// Broader lists the broaderConceptUri of a collection row.
	Broader []string
}

// The collections of ESCO v1.2 (…SkillsCollection_en.csv).
const (
	CollectionDigital     = "digital"
	CollectionGreen       = "green"
	CollectionTransversal = "transversal"
	CollectionLanguage    = "language"
)

// Collections lists the collection names in order.
var Collections = []string{CollectionDigital, CollectionGreen, CollectionLanguage, CollectionTransversal}

// ReadCollection reads one of the four collection files
// (digitalSkillsCollection_en.csv …; altLabels and broaderConceptUri are
// " | "-separated).
func ReadCollection(path string) ([]ListedSkill, error) {
	return readListed(path, " | ", false)
}

// ReadLegacySkills reads the legacy skills list (skills_en-us.csv of ESCO
// v1.0; altLabels newline-separated). Its 13 rows without a label are
// kept with Label "" (Build skips them).
func ReadLegacySkills(path string) ([]ListedSkill, error) {
	return readListed(path, "\n", true)
}

func readListed(path, sep string, emptyLabelOK bool) ([]ListedSkill, error) {
	c, err := openCSV(path, "conceptUri", "skillType", "preferredLabel", "altLabels")
	if err != nil {
		return nil, err
	}
	var out []ListedSkill
	err = c.each(func(r record) error {
		uri, err := r.need("conceptUri")
		if err != nil {
			return err
		}
		label := r.get("preferredLabel")
		if label == "" && !emptyLabelOK {
			return r.errorf("preferredLabel", "empty: a value is required")
		}
		t := r.get("skillType")
		switch t {
		case "", TypeSkill, TypeKnowledge:
		case "skill/competence knowledge": // one legacy row
			t = TypeSkill
		default:
			return r.errorf("skillType", "%q is not a skill type (skill/competence or knowledge)", clip(t))
		}
		out = append(out, ListedSkill{URI: uri, Label: label, Type: t, Description: r.get("description"),
			AltLabels: splitOn(r.get("altLabels"), sep), Broader: splitOn(r.get("broaderConceptUri"), "|")})
		return nil
	})
	return out, err
}

// Profile is one line of esco_occupation_profiles.jsonl: an occupation's
// essential and optional skills, by preferred label.
type Profile struct {
	Line          int
	OccupationURI string
	Essential     []string
	Optional      []string
	// Knowledge lists the essential skills the file marks as knowledge
	// (essential_knowledge).
	Knowledge []string
}

type profileJSON struct {
	URI       *string  `json:"occupation_uri"`
	Essential []string `json:"essential_skills"`
	Optional  []string `json:"optional_skills"`
	Knowledge []string `json:"essential_knowledge"`
}

// ReadProfiles reads esco_occupation_profiles.jsonl (one JSON object per
// line; only occupation_uri, essential_skills, optional_skills and
// essential_knowledge are used). Labels are trimmed; blank lines skipped.
func ReadProfiles(path string) ([]Profile, error) {
	rd, closeFn, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	name := filepath.Base(path)
	br := bufio.NewReaderSize(rd, 256<<10)
	var out []Profile
	seen := map[string]int{}
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return nil, &tabular.CellError{File: name, Row: line, Reason: err.Error()}
		}
		if len(bytes.TrimSpace(b)) > 0 {
			var pj profileJSON
			if jerr := json.Unmarshal(b, &pj); jerr != nil {
				return nil, jsonError(name, line, jerr)
			}
			if pj.URI == nil || strings.TrimSpace(*pj.URI) == "" {
				return nil, &tabular.CellError{File: name, Row: line, Column: "occupation_uri", Reason: "missing or empty"}
			}
			uri := strings.TrimSpace(*pj.URI)
			if prev, dup := seen[uri]; dup {
				return nil, &tabular.CellError{File: name, Row: line, Column: "occupation_uri", Reason: fmt.Sprintf("occupation %s given twice (also line %d)", clip(uri), prev)}
			}
			seen[uri] = line
			out = append(out, Profile{Line: line, OccupationURI: uri, Essential: trimAll(pj.Essential), Optional: trimAll(pj.Optional), Knowledge: trimAll(pj.Knowledge)})
		}
		if err == io.EOF {
			return out, nil
		}
	}
}

func jsonError(file string, line int, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &tabular.CellError{File: file, Row: line, Reason: fmt.Sprintf("broken JSON at character %d: %v", se.Offset, err)}
	case errors.As(err, &te):
		return &tabular.CellError{File: file, Row: line, Column: te.Field, Reason: fmt.Sprintf("wrong JSON type: %s where %s was expected", te.Value, te.Type)}
	}
	return &tabular.CellError{File: file, Row: line, Reason: "broken JSON: " + err.Error()}
}

func trimAll(s []string) []string {
	out := s[:0:0]
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
