package cases

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// htcdsCSV is the HTCDS 2.0 field standard as shipped in the shared data
// folder (see its PROVENANCE.md).
var htcdsCSV = filepath.Join("..", "..", "..", "shared", "data", "htcds", "htcds_field_standards_2.0.csv")

type htcdsField struct {
	name   string   // "Field Name including Prefix"
	typ    string   // "Field Type"
	values []string // "Value Names (if picklist)", one per line
}

// readHTCDS returns the standard's fields, skipping the test when the file
// is absent.
func readHTCDS(t *testing.T) map[string]htcdsField {
	t.Helper()
	f, err := os.Open(htcdsCSV)
	if os.IsNotExist(err) {
		t.Skipf("%s is absent", htcdsCSV)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := rows[0]
	col := func(name string) int {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("no column %q in %v", name, head)
		}
		return i
	}
	nameCol, typCol, valCol := col("Field Name including Prefix"), col("Field Type"), col("Value Names (if picklist)")
	out := map[string]htcdsField{}
	for _, row := range rows[1:] {
		if len(row) <= nameCol || row[nameCol] == "" || row[nameCol] == "N/A" {
			continue // section headings and placeholder questions
		}
		fd := htcdsField{name: row[nameCol]}
		if len(row) > typCol {
			fd.typ = row[typCol]
		}
		if len(row) > valCol {
			for _, v := range strings.Split(row[valCol], "\n") {
				if v = strings.TrimSpace(v); v != "" {
					fd.values = append(fd.values, v)
				}
			}
		}
		out[fd.name] = fd
	}
	if len(out) < 80 {
		t.Fatalf("read only %d fields from %s", len(out), htcdsCSV)
	}
	return out
}

// isValueList reports whether a field's "Value Names" are a list rather
// than a pointer to another standard ("Use ISO 3166 country codes…").
func isValueList(f htcdsField) bool {
	return strings.Contains(f.typ, "Picklist") && len(f.values) > 0 && !strings.HasPrefix(f.values[0], "Use ISO")
}

func TestPicklistsMatchHTCDS(t *testing.T) {
	fields := readHTCDS(t)
	for name, list := range HTCDSPicklists {
		f, ok := fields[name]
		if !ok {
			t.Errorf("%s: not a field of HTCDS 2.0", name)
			continue
		}
		if !slices.Equal(list, f.values) {
			t.Errorf("%s drifted from HTCDS 2.0:\n go:    %v\n htcds: %v", name, list, f.values)
		}
	}
	// Every value list of the standard is transcribed.
	for name, f := range fields {
		if isValueList(f) {
			if _, ok := HTCDSPicklists[name]; !ok {
				t.Errorf("HTCDS picklist %s (%d values) has no Go list in HTCDSPicklists", name, len(f.values))
			}
		}
	}
	// The standard's spelling is kept, typo included.
	if !slices.Contains(RelationshipsToTrafficker, "Unaquainted") {
		t.Errorf("vic_RelationshipToTrafficker must keep HTCDS's spelling Unaquainted")
	}
}

func TestExportColumnsAreHTCDSFields(t *testing.T) {
	fields := readHTCDS(t)
	seen := map[string]bool{}
	check := func(name string, htcds bool) {
		if seen[name] {
			t.Errorf("column %s appears twice", name)
		}
		seen[name] = true
		_, inStandard := fields[name]
		switch {
		case htcds && !inStandard:
			t.Errorf("column %s is marked HTCDS but the standard has no such field", name)
		case !htcds && !strings.HasPrefix(name, "corridor_"):
			t.Errorf("column %s is not HTCDS and lacks the corridor_ prefix", name)
		case !htcds && inStandard:
			t.Errorf("column %s is in HTCDS but marked as an extension", name)
		}
	}
	for _, c := range (Export{Visibility: Visibility{true, true, true}}).Columns() {
		check(c.Name, c.HTCDS)
	}
	for _, name := range EventHeader(Visibility{Narrative: true}) {
		if name != "corridor_CaseId" {
			if _, ok := fields[name]; !ok {
				t.Errorf("event column %s is not an HTCDS field", name)
			}
		}
	}
}

// TestJSONNamesAreHTCDSFields checks the HTCDS-looking JSON names of the
// case types against the standard, so that API payloads carry real
// field names.
func TestJSONNamesAreHTCDSFields(t *testing.T) {
	fields := readHTCDS(t)
	names := []string{"cas_Status", "cas_ReasonForCaseClosure", "cas_CaseOwner", "cas_ReferringOrganisation",
		"cas_ReferredOrganisation", "cas_ReasonForOutgoingReferral", "cas_OutgoingReferralDate",
		"cas_OutgoingReferralDetails", "cco_CaseComment", "con_Consent", "per_RoleInProcess", "per_RoleDetails",
		"prs_Gender", "prs_Citizenship", "spl_Type", "spl_Objectives", "spl_ActionPlan", "spl_PlannedEndDate",
		"spl_ActualEndDate", "hte_Type", "hte_Date", "hte_Country", "hte_State", "hte_City", "hte_Latitude",
		"hte_Longitude", "hte_Description"}
	for _, f := range jsonNames(Trafficking{}) {
		if strings.HasPrefix(f, "vic_") {
			names = append(names, f)
		}
	}
	if len(names) < 40 {
		t.Fatalf("only %d names collected", len(names))
	}
	for _, n := range names {
		if _, ok := fields[n]; !ok {
			t.Errorf("JSON name %s is not an HTCDS 2.0 field", n)
		}
	}
}

func TestGenderOfSex(t *testing.T) {
	for sex, want := range map[string]string{"female": "Feminine", "male": "Masculine", "other": "NonConforming",
		"unknown": "NonSpecifiedUnknown", "": "NonSpecifiedUnknown"} {
		if got := GenderOfSex(sex); got != want || !slices.Contains(Genders, got) {
			t.Errorf("GenderOfSex(%q) = %q, want %q", sex, got, want)
		}
	}
}
