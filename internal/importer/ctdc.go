package importer

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/tabular"
)

// The ctdc dataset: a file of the Counter-Trafficking Data Collaborative
// (CTDC, run by IOM) that the user downloaded. CTDC's terms forbid
// re-hosting its files, so none is shipped: `corridor import ctdc FILE`
// loads one into the public trafficking records (store.TraffickingRecord)
// under the source "import:<file name>", replacing that source's previous
// records; other sources are untouched.
//
// Two layouts, told apart by the header (../shared/data/ctdc/SCHEMA.md):
// the Global Synthetic Dataset (27 columns, section A) and the
// Victim-Perpetrator synthetic "condensed" file (16 columns, section C).
// Every cell is checked against CTDC's closed value sets; a row with a bad
// cell is rejected (reported with its line and column) and the others are
// loaded. An empty cell is unknown, never zero or "no"; multi-valued cells
// join their values with ';'. The VP file's perpetrator columns (IP_*) are
// checked but not stored, except IP_Relation, which is stored as the
// recruiter-relation group with the file's own three values.

// CTDCName is the dataset name.
const CTDCName = "ctdc"

// CTDCDownloadURL is where CTDC publishes its files.
const CTDCDownloadURL = "https://www.ctdatacollaborative.org/dataset/global-synthetic-data-and-resources"

// CTDC is the ctdc dataset.
func CTDC() Dataset {
	const usage = "a CTDC file you downloaded (.csv): the Global Synthetic Dataset or the Victim-Perpetrator condensed file"
	return Dataset{
		Name:        CTDCName,
		Description: "CTDC counter-trafficking data you downloaded (not shipped: CTDC's terms forbid re-hosting); shown on /trafficking",
		Version:     1,
		Usage:       usage,
		UserFiles:   true,
		// Nothing is shipped.
		DefaultFiles: func(string) []string { return nil },
		CheckFiles: func(files []string) error {
			if len(files) == 0 {
				return derrors.Kindf(derrors.Invalid, "no file given: CTDC's terms forbid re-hosting its data, so Corridor ships none. "+
					"Download the Global Synthetic Dataset or the Victim-Perpetrator file (resource \"microdata\") from %s "+
					"and run: corridor import ctdc FILE.csv", CTDCDownloadURL)
			}
			return CheckCount(usage, ".csv")(files)
		},
		Load: loadCTDC,
	}
}

// ctdcCells are the cells of one row by column name: a file's row, or a
// release's (CTDCGlobalRecord).
type ctdcCells interface {
	Get(col string) string
	Errorf(col, format string, args ...any) *tabular.CellError
}

// ctdcLayout is one CTDC file layout.
type ctdcLayout struct {
	name    string // store.TraffickingLayout*
	title   string
	columns []string
	read    func(row ctdcCells) (store.TraffickingRecord, *tabular.CellError)
}

// mapCells are cells given by column name (an absent column is empty).
type mapCells map[string]string

func (m mapCells) Get(col string) string { return strings.TrimSpace(m[col]) }
func (m mapCells) Errorf(col, format string, args ...any) *tabular.CellError {
	return &tabular.CellError{Column: col, Reason: fmt.Sprintf(format, args...)}
}

// CTDCGlobalRecord maps one row of CTDC's global synthetic schema (cells
// by column name, in CTDC's spellings: SCHEMA.md section A) to a public
// trafficking record, checking every cell as the import does; a
// published release stores its rows with store.ReplaceTraffickingRecords
// (source "release:<id>", store.TraffickingLayoutKAnon). The error is a
// *tabular.CellError naming the column (wrapping derrors.Invalid).
func CTDCGlobalRecord(cells map[string]string) (store.TraffickingRecord, error) {
	r, err := readGlobal(mapCells(cells))
	if err != nil {
		return r, err
	}
	return r, nil
}

// The flag columns of the global layout: group and flag of each.
var ctdcGlobalFlags = []struct{ col, group, flag string }{
	{"meansDebtBondageEarnings", "means", "debtBondageEarnings"},
	{"meansThreats", "means", "threats"},
	{"meansAbusePsyPhySex", "means", "abusePsyPhySex"},
	{"meansFalsePromises", "means", "falsePromises"},
	{"meansDrugsAlcohol", "means", "drugsAlcohol"},
	{"meansDenyBasicNeeds", "means", "denyBasicNeeds"},
	{"meansExcessiveWorkHours", "means", "excessiveWorkHours"},
	{"meansWithholdDocs", "means", "withholdDocs"},
	{"isForcedLabour", "exploitation", "forcedLabour"},
	{"isSexualExploit", "exploitation", "sexualExploit"},
	{"isOtherExploit", "exploitation", "otherExploit"},
	{"typeOfLabourAgriculture", "labour", "agriculture"},
	{"typeOfLabourConstruction", "labour", "construction"},
	{"typeOfLabourDomesticWork", "labour", "domesticWork"},
	{"typeOfLabourHospitality", "labour", "hospitality"},
	{"typeOfSexProstitution", "sex", "prostitution"},
	{"typeOfSexPornography", "sex", "pornography"},
	{"recruiterRelationIntimatePartner", "recruiter", "intimatePartner"},
	{"recruiterRelationFriend", "recruiter", "friend"},
	{"recruiterRelationFamily", "recruiter", "family"},
	{"recruiterRelationOther", "recruiter", "other"},
}

var (
	ctdcGlobalGender = map[string]string{"Man": "male", "Woman": "female", "Trans/Transgender/NonConforming": "trans"}
	// The file's spellings (double hyphen, "09--17" zero-padded).
	ctdcGlobalAge = map[string]string{"0--8": "0-8", "09--17": "9-17", "18--20": "18-20", "21--23": "21-23", "24--26": "24-26",
		"27--29": "27-29", "30--38": "30-38", "39--47": "39-47", "48+": "48+"}
	ctdcMonths   = map[string]string{"0--12 (0-1 yr)": "", "13--24 (1-2 yrs)": "", "25+ (2+ yrs)": ""}
	ctdcYearRe   = regexp.MustCompile(`^(19|20)\d\d$`)
	ctdcISO3Re   = regexp.MustCompile(`^[A-Z]{3}$`)
	ctdcVPGender = map[string]string{"Female": "female", "Male": "male"}
	ctdcVPAge    = map[string]string{"Adult": "adult", "Minor": "minor"}
	ctdcRegions  = setOf(store.TraffickingRegions...)
	ctdcRelation = map[string]string{"FamilyIntimatePartner": "familyIntimatePartner", "FriendAcquaintance": "friendAcquaintance",
		"StrangerUnknownOther": "strangerUnknownOther"}
	ctdcIPGender = setOf("Female", "Male")
	ctdcIPAge    = setOf("0--29", "30--38", "39--47", "48+")
	ctdcIPPay    = setOf("No", "Yes")
)

func setOf(vs ...string) map[string]string {
	m := make(map[string]string, len(vs))
	for _, v := range vs {
		m[v] = v
	}
	return m
}

var ctdcLayouts = []ctdcLayout{
	{store.TraffickingLayoutGlobal, "Global Synthetic Dataset (27 columns)", append([]string{"yearOfRegistration", "gender", "ageBroad",
		"citizenship", "CountryOfExploitation", "traffickMonths"}, globalFlagColumns()...), readGlobal},
	{store.TraffickingLayoutVP, "Victim-Perpetrator condensed file (16 columns)", []string{"yearRegister", "gender", "majorityStatus",
		"isForcedLabour", "isSexualExploit", "UN_COO_Region", "UN_COE_Region", "IP_Exploiter", "IP_Gender", "IP_ageBroad",
		"IP_citizen_UNRegion", "IP_Relation", "IP_PayMoney", "IP_RecruiterBroker", "IP_TransactionProcess", "IP_ControlAbuseKidnap"}, readVP},
}

func globalFlagColumns() []string {
	out := make([]string, len(ctdcGlobalFlags))
	for i, f := range ctdcGlobalFlags {
		out[i] = f.col
	}
	return out
}

// ctdcDetect picks the layout whose columns the header has. Without one,
// the error names the columns missing from the closest layout.
func ctdcDetect(file string, header []string) (ctdcLayout, error) {
	have := map[string]bool{}
	for _, h := range header {
		have[strings.TrimSpace(h)] = true
	}
	best, bestN := 0, -1
	var missing [][]string
	for i, l := range ctdcLayouts {
		var miss []string
		for _, c := range l.columns {
			if !have[c] {
				miss = append(miss, c)
			}
		}
		if len(miss) == 0 {
			return l, nil
		}
		missing = append(missing, miss)
		if n := len(l.columns) - len(miss); n > bestN {
			best, bestN = i, n
		}
	}
	l := ctdcLayouts[best]
	return l, &tabular.CellError{File: file, Row: 1, Column: missing[best][0], Reason: fmt.Sprintf(
		"not a CTDC file Corridor reads: closest is the %s, which lacks column(s) %s (the other layout, the %s, lacks %d)",
		l.title, strings.Join(missing[best], ", "), ctdcLayouts[1-best].title, len(missing[1-best]))}
}

func loadCTDC(ctx context.Context, tx *store.Tx, files []string, rec *Recorder) error {
	r, err := tabular.OpenCSV(files[0], tabular.Options{})
	if err != nil {
		return err
	}
	defer r.Close()
	file := filepath.Base(files[0])
	layout, err := ctdcDetect(file, r.Header())
	if err != nil {
		return err
	}
	rec.Source(file, r)
	var rows []store.TraffickingRecord
	err = tabular.ReadAll(r, func(row tabular.Row) error {
		rec.Read()
		tr, cerr := layout.read(row)
		if cerr != nil {
			rec.Reject(cerr)
			return nil
		}
		rows = append(rows, tr)
		return nil
	})
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		// An empty public source would only hide the others.
		return derrors.Kindf(derrors.Invalid, "%s: no valid record (%d rows read, all rejected or none): nothing imported", file, rec.report.Read)
	}
	if err := store.ReplaceTraffickingRecords(ctx, tx, "import:"+file, layout.name, rows...); err != nil {
		return err
	}
	rec.Loaded(int64(len(rows)))
	rec.Note("layout: CTDC %s; stored as source %q", layout.title, "import:"+file)
	if layout.name == store.TraffickingLayoutVP {
		rec.Note("the perpetrator columns (IP_*) were checked; only IP_Relation is stored (as recruiter relations)")
	}
	return nil
}

// ctdcOne maps a single-valued cell through its value set; empty is "".
func ctdcOne(row ctdcCells, col string, set map[string]string) (string, *tabular.CellError) {
	v := row.Get(col)
	if v == "" {
		return "", nil
	}
	out, ok := set[v]
	if !ok {
		return "", row.Errorf(col, "%q is not one of %s", clipCell(v), setList(set))
	}
	return out, nil
}

// ctdcMulti maps a ';'-joined cell through its value set.
func ctdcMulti(row ctdcCells, col string, set map[string]string) ([]string, *tabular.CellError) {
	v := row.Get(col)
	if v == "" {
		return nil, nil
	}
	var out []string
	for _, p := range strings.Split(v, ";") {
		m, ok := set[strings.TrimSpace(p)]
		if !ok {
			return nil, row.Errorf(col, "%q is not one of %s (several joined by ';')", clipCell(p), setList(set))
		}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out, nil
}

// ctdcFlag reads a binary cell: CTDC writes 1 or nothing, never 0.
func ctdcFlag(row ctdcCells, col string) (bool, *tabular.CellError) {
	switch v := row.Get(col); v {
	case "":
		return false, nil
	case "1":
		return true, nil
	default:
		return false, row.Errorf(col, "%q is not 1 or empty (CTDC flags are 1 or empty)", clipCell(v))
	}
}

func ctdcPattern(row ctdcCells, col string, re *regexp.Regexp, want string) (string, *tabular.CellError) {
	v := row.Get(col)
	if v != "" && !re.MatchString(v) {
		return "", row.Errorf(col, "%q is not %s", clipCell(v), want)
	}
	return v, nil
}

func setList(set map[string]string) string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, fmt.Sprintf("%q", k))
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

// firstErr returns the first non-nil error.
func firstErr(errs ...*tabular.CellError) *tabular.CellError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func readGlobal(row ctdcCells) (store.TraffickingRecord, *tabular.CellError) {
	var tr store.TraffickingRecord
	var e [6]*tabular.CellError
	tr.Year, e[0] = ctdcPattern(row, "yearOfRegistration", ctdcYearRe, "a year (YYYY)")
	tr.Gender, e[1] = ctdcOne(row, "gender", ctdcGlobalGender)
	tr.Age, e[2] = ctdcOne(row, "ageBroad", ctdcGlobalAge)
	tr.Citizenship, e[3] = ctdcPattern(row, "citizenship", ctdcISO3Re, "an ISO 3166-1 alpha-3 code")
	tr.Exploitation, e[4] = ctdcPattern(row, "CountryOfExploitation", ctdcISO3Re, "an ISO 3166-1 alpha-3 code")
	_, e[5] = ctdcOne(row, "traffickMonths", ctdcMonths)
	if err := firstErr(e[:]...); err != nil {
		return tr, err
	}
	for _, f := range ctdcGlobalFlags {
		set, err := ctdcFlag(row, f.col)
		if err != nil {
			return tr, err
		}
		if set {
			tr.Flags = addFlag(tr.Flags, f.group, f.flag)
		}
	}
	return tr, nil
}

func addFlag(m map[string][]string, group, flag string) map[string][]string {
	if m == nil {
		m = map[string][]string{}
	}
	m[group] = append(m[group], flag)
	return m
}

func readVP(row ctdcCells) (store.TraffickingRecord, *tabular.CellError) {
	var tr store.TraffickingRecord
	if y := row.Get("yearRegister"); y != "" {
		if _, _, err := store.ParseTraffickingYear(y); err != nil {
			return tr, row.Errorf("yearRegister", "%q is not a year or a range of years (YYYY or YYYY-YYYY)", clipCell(y))
		}
		tr.Year = y
	}
	var e [4]*tabular.CellError
	tr.Gender, e[0] = ctdcOne(row, "gender", ctdcVPGender)
	tr.Age, e[1] = ctdcOne(row, "majorityStatus", ctdcVPAge)
	tr.Citizenship, e[2] = ctdcOne(row, "UN_COO_Region", ctdcRegions)
	tr.Exploitation, e[3] = ctdcOne(row, "UN_COE_Region", ctdcRegions)
	if err := firstErr(e[:]...); err != nil {
		return tr, err
	}
	for _, f := range []struct{ col, flag string }{{"isForcedLabour", "forcedLabour"}, {"isSexualExploit", "sexualExploit"}} {
		set, err := ctdcFlag(row, f.col)
		if err != nil {
			return tr, err
		}
		if set {
			tr.Flags = addFlag(tr.Flags, "exploitation", f.flag)
		}
	}
	rel, err := ctdcMulti(row, "IP_Relation", ctdcRelation)
	if err != nil {
		return tr, err
	}
	for _, r := range rel {
		tr.Flags = addFlag(tr.Flags, "recruiter", r)
	}
	return tr, checkVPPerpetrator(row)
}

// checkVPPerpetrator checks the perpetrator columns that are not stored.
func checkVPPerpetrator(row ctdcCells) *tabular.CellError {
	for _, c := range []string{"IP_Exploiter", "IP_RecruiterBroker", "IP_TransactionProcess", "IP_ControlAbuseKidnap"} {
		if _, err := ctdcFlag(row, c); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		col string
		set map[string]string
	}{{"IP_Gender", ctdcIPGender}, {"IP_ageBroad", ctdcIPAge}, {"IP_citizen_UNRegion", ctdcRegions}, {"IP_PayMoney", ctdcIPPay}} {
		if _, err := ctdcMulti(row, c.col, c.set); err != nil {
			return err
		}
	}
	return nil
}
