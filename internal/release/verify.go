package release

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release/table"
)

// Check is the outcome of one verification.
type Check struct {
	Name    string `json:"name"`
	Pass    bool   `json:"pass"`
	Message string `json:"message"`
}

// VerifyReport lists the checks Verify made.
type VerifyReport struct {
	Dir    string  `json:"dir"`
	Method Method  `json:"method,omitempty"`
	Checks []Check `json:"checks"`
	Pass   bool    `json:"pass"`
}

// Verify checks a written release independently of the code that made
// it: it re-reads the files and checks the guarantee of the method
// recorded in release.json (kanon: class sizes, l-diversity, suppression
// and that every generalised column holds only values of its level;
// aggregate methods: every count at least the resolution and a multiple
// of it, no leakage reported in report.json; synthetic: no record
// combination missing from the aggregates), and for every release that
// the parameters are valid (δ at most 1/n), the directory holds exactly
// the files release.json lists, the tables the numbers of rows it states,
// every column is a CTDC column (or count) and every value in its
// column's closed set. It returns the report and, when any
// check fails, an error wrapping derrors.Invalid that names the first
// failure (file, line and column).
func Verify(dir string) (VerifyReport, error) {
	v := &verifier{dir: dir, rep: VerifyReport{Dir: dir}}
	v.run(dir)
	v.rep.Pass = true
	for _, c := range v.rep.Checks {
		if !c.Pass {
			v.rep.Pass = false
			return v.rep, derrors.Kindf(derrors.Invalid, "release %s: check %s failed: %s", dir, c.Name, c.Message)
		}
	}
	return v.rep, nil
}

type verifier struct {
	dir      string
	rep      VerifyReport
	m        Manifest
	agg, rec *table.Table
	allowed  map[string]map[string]bool // generalised values per column
}

func (v *verifier) add(name string, err error, okMsg string) {
	c := Check{Name: name, Pass: err == nil, Message: okMsg}
	if err != nil {
		c.Message = err.Error()
	}
	v.rep.Checks = append(v.rep.Checks, c)
}

func (v *verifier) run(dir string) {
	m, agg, rec, err := ReadRelease(dir)
	v.add("files", err, "release.json and the tables are readable")
	if err != nil {
		return
	}
	v.m, v.agg, v.rec, v.rep.Method = m, agg, rec, m.Method
	err = m.Params.Validate()
	if err == nil && m.Params.Method != m.Method {
		err = fmt.Errorf("%s: method %q but parameters.method %q", ManifestFile, m.Method, m.Params.Method)
	}
	if err == nil {
		err = m.Params.checkDelta(m.Counts.InputRecords)
	}
	v.add("parameters", err, "the recorded method and parameters are valid")
	if err != nil {
		return
	}
	v.allowed = map[string]map[string]bool{}
	for _, h := range m.Hierarchies {
		v.allowed[h.Column] = h.Values()
	}
	v.add("files-present", v.presence(), "the files the method publishes are present")
	v.add("files-listed", v.unlisted(), "the directory holds no file that release.json does not list")
	v.add("counts", v.releasedCounts(), "the released tables hold the numbers of rows release.json states")
	if agg != nil {
		v.add("aggregates-columns", v.columns(AggregatesFile, agg, true), "every column of aggregates.csv is a CTDC column or count")
		v.add("aggregates-values", v.values(AggregatesFile, agg), "every value of aggregates.csv is in its column's closed set")
	}
	if rec != nil {
		v.add("records-columns", v.columns(RecordsFile, rec, false), "every column of records.csv is a CTDC column")
		v.add("records-values", v.values(RecordsFile, rec), "every value of records.csv is in its column's closed set")
	}
	if !v.passing() {
		return
	}
	switch m.Method {
	case MethodKAnon:
		v.add("generalisation-levels", v.levels(), "every generalised column holds only values of its level of its hierarchy")
		v.add("k-anonymity", v.kAnonymity(), fmt.Sprintf("every class over the quasi-identifiers has at least %d records", m.Params.K))
		if m.Params.Sensitive != "" {
			v.add("l-diversity", v.lDiversity(), fmt.Sprintf("every class has at least %d distinct values of %s", m.Params.L, m.Params.Sensitive))
		}
		v.add("suppression", v.suppression(), "suppression is within maxSuppression")
	case MethodKAnonAggregates, MethodDPAggregates, MethodSynthetic:
		v.add("aggregate-counts", v.counts(), fmt.Sprintf("every count is at least %d and a multiple of it", m.Params.Resolution))
		v.add("aggregate-combinations", v.combinations(), "every combination is distinct and no longer than the reporting length; the total is present")
		if m.Method == MethodSynthetic {
			v.add("leakage", v.leakage(), "every combination of up to the reporting length in records.csv is in aggregates.csv")
		}
		// Leakage (a released combination rarer than the resolution in the
		// input) is what k-anonymous aggregates must never have. A
		// differentially private release may release one with noise: its
		// guarantee is the (ε, δ) budget, checked with the parameters.
		if m.Params.Epsilon == 0 {
			v.add("report-leakage", v.reportLeakage(), "report.json reports no leaked rare combination")
		}
	}
}

func (v *verifier) passing() bool {
	return !slices.ContainsFunc(v.rep.Checks, func(c Check) bool { return !c.Pass })
}

// presence: microdata methods publish records.csv, aggregate methods
// aggregates.csv, synthetic both.
func (v *verifier) presence() error {
	needAgg := v.m.Method != MethodKAnon
	needRec := v.m.Method == MethodKAnon || v.m.Method == MethodSynthetic
	switch {
	case needAgg && v.agg == nil:
		return fmt.Errorf("%s: missing (method %s)", AggregatesFile, v.m.Method)
	case needRec && v.rec == nil:
		return fmt.Errorf("%s: missing (method %s)", RecordsFile, v.m.Method)
	case !needRec && v.rec != nil:
		return fmt.Errorf("%s: method %s publishes no records", RecordsFile, v.m.Method)
	}
	// Every file release.json lists (the report and the data card among
	// them) is there: a release is published whole.
	for _, name := range v.m.Files {
		if _, err := os.Stat(filepath.Join(v.dir, filepath.Base(name))); err != nil {
			return fmt.Errorf("%s: missing (listed in %s)", name, ManifestFile)
		}
	}
	return nil
}

// unlisted: a release directory holds exactly what it publishes, so a
// stray file (a case export, notes) can never be served with it.
func (v *verifier) unlisted() error {
	entries, err := os.ReadDir(v.dir)
	if err != nil {
		return err
	}
	listed := map[string]bool{}
	for _, f := range v.m.Files {
		listed[filepath.Base(f)] = true
	}
	for _, e := range entries {
		if !listed[e.Name()] {
			return fmt.Errorf("%s: not listed in %s's files; a release directory holds only the files it publishes", e.Name(), ManifestFile)
		}
	}
	return nil
}

// releasedCounts: the tables hold the numbers of rows the manifest
// states, and the total row the released total.
func (v *verifier) releasedCounts() error {
	c := v.m.Counts
	if v.rec != nil {
		if n := len(v.rec.Rows); n != c.ReleasedRecords {
			return fmt.Errorf("%s: %d records, but %s's counts.releasedRecords is %d", RecordsFile, n, ManifestFile, c.ReleasedRecords)
		}
		if n := len(v.rec.Rows); v.m.Method == MethodSynthetic && c.SyntheticRecords != 0 && n != c.SyntheticRecords {
			return fmt.Errorf("%s: %d records, but %s's counts.syntheticRecords is %d", RecordsFile, n, ManifestFile, c.SyntheticRecords)
		}
	}
	if v.agg != nil {
		if n := len(v.agg.Rows); n != c.AggregateRows {
			return fmt.Errorf("%s: %d rows, but %s's counts.aggregateRows is %d", AggregatesFile, n, ManifestFile, c.AggregateRows)
		}
		if j := v.agg.Index(CountColumn); c.ReleasedTotal != 0 && j >= 0 {
			for i, r := range v.agg.Rows {
				total := true // every attribute cell empty
				for k, x := range r {
					total = total && (k == j || x == "")
				}
				if total && r[j] != strconv.Itoa(c.ReleasedTotal) {
					return fmt.Errorf("%s, line %d: total %s, but %s's counts.releasedTotal is %d", AggregatesFile, i+2, r[j], ManifestFile, c.ReleasedTotal)
				}
			}
		}
	}
	return nil
}

// reportLeakage: the SDS evaluation in report.json found no rare
// combination (sensitive count below the resolution) in the released
// data. A release without report.json passes; one whose report is
// unreadable fails.
func (v *verifier) reportLeakage() error {
	if !slices.Contains(v.m.Files, ReportFile) {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(v.dir, ReportFile))
	if err != nil {
		return err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("%s: %v", ReportFile, err)
	}
	if a := r.Aggregates; a != nil && a.Leakage > 0 {
		return fmt.Errorf("%s: leakage %d: %d combination(s) rarer than the resolution %d in the input are released", ReportFile, a.Leakage, a.Leakage, v.m.Params.Resolution)
	}
	return nil
}

// levels: a column generalised to level L (levelsUsed) holds only values
// of level L of its hierarchy ("" where the hierarchy keeps a missing
// value at that level): full-domain generalisation, so no record keeps a
// finer value than its class.
func (v *verifier) levels() error {
	cols := make([]string, 0, len(v.m.LevelsUsed))
	for c := range v.m.LevelsUsed {
		cols = append(cols, c)
	}
	slices.Sort(cols)
	for _, col := range cols {
		l := v.m.LevelsUsed[col]
		k := slices.IndexFunc(v.m.Hierarchies, func(h Hierarchy) bool { return h.Column == col })
		if k < 0 {
			return fmt.Errorf("%s: levelsUsed names %s, which has no hierarchy", ManifestFile, col)
		}
		h := v.m.Hierarchies[k]
		if l < 0 || l >= len(h.Levels) {
			return fmt.Errorf("%s: levelsUsed gives %s level %d, but its hierarchy has levels 0..%d", ManifestFile, col, l, len(h.Levels)-1)
		}
		allowed := map[string]bool{}
		for _, g := range h.Levels[l] {
			allowed[g] = true
		}
		j := v.rec.Index(col)
		if j < 0 {
			return fmt.Errorf("%s, line 1: generalised column %q is missing", RecordsFile, col)
		}
		for i, r := range v.rec.Rows {
			if !allowed[r[j]] {
				return fmt.Errorf("%s, line %d, column %s: %q is not a value of level %d of the column's hierarchy (%s levelsUsed)", RecordsFile, i+2, col, r[j], l, ManifestFile)
			}
		}
	}
	return nil
}

// columns: only CTDC columns, so no direct identifier or free-text
// column can be published; aggregates also need count.
func (v *verifier) columns(file string, t *table.Table, aggregates bool) error {
	for j, c := range t.Columns {
		if slices.Contains(CTDCColumns, c) || aggregates && c == CountColumn {
			continue
		}
		return fmt.Errorf("%s, line 1, column %d: %q is not a CTDC column (identifiers and free text are never released)", file, j+1, c)
	}
	if aggregates && t.Index(CountColumn) < 0 {
		return fmt.Errorf("%s, line 1: no %q column", file, CountColumn)
	}
	return nil
}

var (
	rePeriod = regexp.MustCompile(`^([0-9]{4})-([0-9]{4})$`)
	reCount  = regexp.MustCompile(`^[0-9]+$`)
)

// values: every cell is in its column's closed set.
func (v *verifier) values(file string, t *table.Table) error {
	for i, r := range t.Rows {
		for j, val := range r {
			if !v.valueOK(t.Columns[j], val) {
				return fmt.Errorf("%s, line %d, column %s: %q is not in the column's closed value set", file, i+2, t.Columns[j], val)
			}
		}
	}
	return nil
}

func (v *verifier) valueOK(col, val string) bool {
	if col == CountColumn {
		return reCount.MatchString(val)
	}
	if val == Suppressed || inputValueOK(col, val) {
		return true
	}
	switch col {
	case ColYear:
		if m := rePeriod.FindStringSubmatch(val); m != nil {
			lo, _ := strconv.Atoi(m[1])
			hi, _ := strconv.Atoi(m[2])
			return lo <= hi
		}
	case ColAge:
		return val == Adult || val == Minor
	}
	return v.allowed[col][val]
}

// classes groups records by their values of cols.
func classes(t *table.Table, cols []string) (map[string][]int, error) {
	idx := make([]int, len(cols))
	for k, c := range cols {
		if idx[k] = t.Index(c); idx[k] < 0 {
			return nil, fmt.Errorf("%s, line 1: quasi-identifier or sensitive column %q is missing", RecordsFile, c)
		}
	}
	out := map[string][]int{}
	for i, r := range t.Rows {
		key := make([]string, len(idx))
		for k, j := range idx {
			key[k] = r[j]
		}
		ks := strings.Join(key, "\x1f")
		out[ks] = append(out[ks], i)
	}
	return out, nil
}

// describeClass names a class by the file line of its first record and
// its values.
func describeClass(cols []string, t *table.Table, rows []int) string {
	r := t.Rows[rows[0]]
	var parts []string
	for _, c := range cols {
		parts = append(parts, c+"="+strconv.Quote(r[t.Index(c)]))
	}
	return fmt.Sprintf("%s, line %d, columns %s: class {%s}", RecordsFile, rows[0]+2, strings.Join(cols, ","), strings.Join(parts, ", "))
}

func (v *verifier) kAnonymity() error {
	qi := v.m.Params.QuasiIdentifiers
	cls, err := classes(v.rec, qi)
	if err != nil {
		return err
	}
	for _, rows := range sortedClasses(cls) {
		if len(rows) < v.m.Params.K {
			return fmt.Errorf("%s has %d records, fewer than k = %d", describeClass(qi, v.rec, rows), len(rows), v.m.Params.K)
		}
	}
	return nil
}

// lDiversity counts distinct values as written, "" (missing) included:
// for a flag, "" is the "no" that makes 1 non-certain.
func (v *verifier) lDiversity() error {
	qi, s := v.m.Params.QuasiIdentifiers, v.m.Params.Sensitive
	cls, err := classes(v.rec, qi)
	if err != nil {
		return err
	}
	j := v.rec.Index(s)
	if j < 0 {
		return fmt.Errorf("%s, line 1: sensitive column %q is missing", RecordsFile, s)
	}
	for _, rows := range sortedClasses(cls) {
		distinct := map[string]bool{}
		for _, i := range rows {
			distinct[v.rec.Rows[i][j]] = true
		}
		if len(distinct) < v.m.Params.L {
			return fmt.Errorf("%s has %d distinct values of %s, fewer than l = %d", describeClass(qi, v.rec, rows), len(distinct), s, v.m.Params.L)
		}
	}
	return nil
}

// sortedClasses orders classes by their first line, so that the first
// failure reported is the first in the file.
func sortedClasses(cls map[string][]int) [][]int {
	out := make([][]int, 0, len(cls))
	for _, rows := range cls {
		out = append(out, rows)
	}
	slices.SortFunc(out, func(a, b []int) int { return a[0] - b[0] })
	return out
}

func (v *verifier) suppression() error {
	in := v.m.Counts.InputRecords
	if in == 0 {
		return nil
	}
	dropped := in - len(v.rec.Rows)
	if dropped < 0 {
		return fmt.Errorf("%s: %d records, more than the %d input records in %s", RecordsFile, len(v.rec.Rows), in, ManifestFile)
	}
	if float64(dropped) > v.m.Params.MaxSuppression*float64(in) {
		return fmt.Errorf("%s: %d of %d input records suppressed, more than maxSuppression %v", RecordsFile, dropped, in, v.m.Params.MaxSuppression)
	}
	return nil
}

// counts: released counts are at least the resolution and a multiple of
// it, the total row included.
func (v *verifier) counts() error {
	j, res := v.agg.Index(CountColumn), v.m.Params.Resolution
	for i, r := range v.agg.Rows {
		n, err := strconv.Atoi(r[j])
		switch {
		case err != nil:
			return fmt.Errorf("%s, line %d, column %s: %q is not a count", AggregatesFile, i+2, CountColumn, r[j])
		case n < res:
			return fmt.Errorf("%s, line %d, column %s: count %d is below the resolution %d", AggregatesFile, i+2, CountColumn, n, res)
		case n%res != 0:
			return fmt.Errorf("%s, line %d, column %s: count %d is not a multiple of the resolution %d", AggregatesFile, i+2, CountColumn, n, res)
		}
	}
	return nil
}

// comboKey is the key of the attribute combination of an aggregate row
// or of chosen record cells: "col=value" pairs in CTDCColumns order.
func comboKey(cols []string, vals []string) string {
	var parts []string
	for k, c := range cols {
		parts = append(parts, c+"="+vals[k])
	}
	return strings.Join(parts, "\x1f")
}

// aggregateKeys returns the combination of every aggregate row (its
// non-empty attribute cells), in CTDCColumns order.
func (v *verifier) aggregateKeys() ([]string, []int) {
	keys := make([]string, len(v.agg.Rows))
	lens := make([]int, len(v.agg.Rows))
	for i, r := range v.agg.Rows {
		var cols, vals []string
		for _, c := range CTDCColumns {
			if j := v.agg.Index(c); j >= 0 && r[j] != "" {
				cols, vals = append(cols, c), append(vals, r[j])
			}
		}
		keys[i], lens[i] = comboKey(cols, vals), len(cols)
	}
	return keys, lens
}

func (v *verifier) combinations() error {
	keys, lens := v.aggregateKeys()
	seen := map[string]int{}
	total := false
	for i, k := range keys {
		if lens[i] > v.m.Params.ReportingLength {
			return fmt.Errorf("%s, line %d: a combination of %d attributes, longer than the reporting length %d", AggregatesFile, i+2, lens[i], v.m.Params.ReportingLength)
		}
		if first, dup := seen[k]; dup {
			return fmt.Errorf("%s, line %d: the combination of line %d again", AggregatesFile, i+2, first+2)
		}
		seen[k] = i
		total = total || lens[i] == 0
	}
	if !total {
		return errors.New(AggregatesFile + ": no total row (every attribute empty)")
	}
	return nil
}

// leakage: every combination of at most ReportingLength non-empty
// values of a synthetic record is a released aggregate, so a rare real
// combination withheld from the aggregates cannot reappear in records.
func (v *verifier) leakage() error {
	keys, _ := v.aggregateKeys()
	released := make(map[string]bool, len(keys))
	for _, k := range keys {
		released[k] = true
	}
	for i, r := range v.rec.Rows {
		var cols, vals []string
		for _, c := range CTDCColumns {
			if j := v.rec.Index(c); j >= 0 && r[j] != "" {
				cols, vals = append(cols, c), append(vals, r[j])
			}
		}
		if bad := firstUnreleased(cols, vals, v.m.Params.ReportingLength, released); bad != nil {
			return fmt.Errorf("%s, line %d, columns %s: combination {%s} is not in %s", RecordsFile, i+2,
				strings.Join(bad, ","), strings.ReplaceAll(comboKeyOf(bad, cols, vals), "\x1f", ", "), AggregatesFile)
		}
	}
	return nil
}

func comboKeyOf(sub, cols, vals []string) string {
	var sv []string
	for _, c := range sub {
		sv = append(sv, vals[slices.Index(cols, c)])
	}
	return comboKey(sub, sv)
}

// firstUnreleased returns the columns of the first combination of at
// most n of the record's values that is not released, or nil.
func firstUnreleased(cols, vals []string, n int, released map[string]bool) []string {
	var pick []int
	var walk func(start int) []string
	walk = func(start int) []string {
		if len(pick) > 0 {
			sc, sv := make([]string, len(pick)), make([]string, len(pick))
			for k, j := range pick {
				sc[k], sv[k] = cols[j], vals[j]
			}
			if !released[comboKey(sc, sv)] {
				return sc
			}
		}
		if len(pick) == n {
			return nil
		}
		for j := start; j < len(cols); j++ {
			pick = append(pick, j)
			if bad := walk(j + 1); bad != nil {
				return bad
			}
			pick = pick[:len(pick)-1]
		}
		return nil
	}
	return walk(0)
}
