package cases

import (
	"slices"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/people"
)

var identityCols = []string{"prs_FirstName", "prs_SecondName", "prs_Birthdate", "prs_IdentityNumber"}
var profileCols = []string{"prs_Gender", "prs_Citizenship"}
var narrativeCols = []string{"cas_ReasonForCaseClosure", "vic_DetailsOfVulnerabilities", "cas_OutgoingReferralDetails"}

func TestExportHeaders(t *testing.T) {
	all := Visibility{Identity: true, Profile: true, Narrative: true}
	tests := []struct {
		name    string
		e       Export
		has     []string
		lacks   []string
		firstFn string
	}{
		{"everything, both kinds", Export{Visibility: all},
			slices.Concat(identityCols, profileCols, narrativeCols, []string{"vic_MethodsOfControl", "corridor_ReturnStage", "cas_Status"}), nil, "corridor_CaseId"},
		{"coded fields only", Export{}, []string{"cas_Status", "vic_TypeOfExploitation", "cas_ReferredOrganisation"},
			slices.Concat(identityCols, profileCols, narrativeCols), "corridor_CaseId"},
		{"profile without identity", Export{Visibility: Visibility{Profile: true}}, profileCols, slices.Concat(identityCols, narrativeCols), ""},
		{"identity without narrative", Export{Visibility: Visibility{Identity: true}}, identityCols, narrativeCols, ""},
		{"trafficking only", Export{Kind: KindTrafficking, Visibility: all}, []string{"vic_TraffickingStatus", "per_RoleInProcess", "spl_Type"},
			[]string{"corridor_ReturnStage", "corridor_LatestCompositeScore"}, ""},
		{"return only", Export{Kind: KindReturn, Visibility: all}, []string{"corridor_ReturnStage", "corridor_LatestCompositeScore", "cas_Status"},
			[]string{"vic_TraffickingStatus", "vic_DetailsOfVulnerabilities"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.e.Header()
			for _, c := range tt.has {
				if !slices.Contains(h, c) {
					t.Errorf("header lacks %s", c)
				}
			}
			for _, c := range tt.lacks {
				if slices.Contains(h, c) {
					t.Errorf("header has %s, which the caller may not see", c)
				}
			}
			if tt.firstFn != "" && h[0] != tt.firstFn {
				t.Errorf("first column %s", h[0])
			}
			cols := tt.e.Columns()
			if len(cols) != len(h) {
				t.Fatalf("Columns and Header differ in length")
			}
			for i, c := range cols {
				if c.Name != h[i] {
					t.Errorf("column %d: %s vs %s", i, c.Name, h[i])
				}
			}
		})
	}
	// Narrowing visibility only removes columns, keeping the order.
	full, coded := (Export{Visibility: all}).Header(), (Export{}).Header()
	var kept []string
	for _, c := range full {
		if slices.Contains(coded, c) {
			kept = append(kept, c)
		}
	}
	if !slices.Equal(kept, coded) {
		t.Errorf("coded header is not the full header with columns removed")
	}
	wantErr(t, Export{Kind: "gbv"}.Validate(), derrors.Invalid, "kind", "")
	wantErr(t, Export{Kind: KindReturn}.Validate(), nil, "", "")
}

func TestExportRow(t *testing.T) {
	c := traffickingCase()
	c.Status, c.ReasonForClosure, c.ClosedOn = StatusClosedReferred, "", "2024-05-01"
	c.Trafficking.DetailsOfVulnerabilities = "Lost job; debts"
	c.Trafficking.Perpetrators = append(c.Trafficking.Perpetrators,
		Perpetrator{Roles: []string{"Exploiter", "RecruiterOrIntermediary"}})
	p := &people.Person{ID: 11, GivenName: "Mariam", FamilyName: "Ndiaye", BirthDate: "2004-02-01", Sex: "female",
		Nationality: "SEN", DocumentType: "passport", DocumentNumber: "A1234567"}
	refs := []Referral{
		{ToOrgID: 40, Reason: "AdditionalServicesRequired", Date: "2024-04-01", Status: ReferralDeclined, Details: "Legal; urgent"},
		{ToOrgID: 41, Reason: "MigrationOrChangeOfLocation", Date: "2024-04-20", Status: ReferralAccepted},
	}
	all := Visibility{Identity: true, Profile: true, Narrative: true}

	e := Export{Kind: KindTrafficking, Visibility: all}
	row, err := e.Row(c, p, refs)
	if err != nil {
		t.Fatal(err)
	}
	h := e.Header()
	if len(row) != len(h) {
		t.Fatalf("row has %d cells, header %d", len(row), len(h))
	}
	cell := func(name string) string { return row[slices.Index(h, name)] }
	want := map[string]string{
		"corridor_CaseId": "7", "corridor_Kind": "trafficking", "corridor_PersonId": "11", "cas_CaseOwner": "5",
		"cas_Status": "ClosedReferred", "corridor_ClosedOn": "2024-05-01",
		"prs_FirstName": "Mariam", "prs_SecondName": "Ndiaye", "prs_Birthdate": "2004-02-01", "prs_IdentityNumber": "A1234567",
		"prs_Gender": "Feminine", "prs_Citizenship": "SEN",
		"vic_TraffickingStatus": "ActualVictimOfTrafficking", "vic_AgeWhenTrafficked": "19",
		"vic_MethodsOfControl": "DebtBondage;WithholdsDocuments", "vic_TypeOfExploitation": "ForcedLabour",
		"vic_ForcedLabourIndustry": "F_Construction", "vic_TypeOfSexExploitation": "", "vic_Vulnerabilities": "Poverty;Migration",
		"vic_DetailsOfVulnerabilities": "Lost job; debts", "corridor_CountryOfExploitation": "LBY", "corridor_DurationMonths": "14",
		"per_RoleInProcess": "RecruiterOrIntermediary;Exploiter", "spl_Type": "Health",
		"cas_ReferredOrganisation": "40;41", "cas_ReasonForOutgoingReferral": "AdditionalServicesRequired;MigrationOrChangeOfLocation",
		"cas_OutgoingReferralDate": "2024-04-01;2024-04-20", "corridor_ReferralStatus": "declined;accepted",
		"cas_OutgoingReferralDetails": "Legal, urgent;",
	}
	for k, v := range want {
		if got := cell(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}

	// A caller who may not see identity or narrative gets rows without
	// those columns at all, and no cell carries their values.
	coded := Export{Kind: KindTrafficking, Visibility: Visibility{Profile: true}}
	row, err = coded.Row(c, p, refs)
	if err != nil {
		t.Fatal(err)
	}
	if len(row) != len(coded.Header()) {
		t.Fatalf("row/header length mismatch")
	}
	joined := strings.Join(row, "|")
	for _, secret := range []string{"Mariam", "Ndiaye", "2004-02-01", "A1234567", "Lost job", "urgent"} {
		if strings.Contains(joined, secret) {
			t.Errorf("restricted value %q exported: %s", secret, joined)
		}
	}

	// Without a person, person columns are empty but present.
	row, err = e.Row(c, nil, nil)
	if err != nil || row[slices.Index(h, "prs_FirstName")] != "" || row[slices.Index(h, "cas_ReferredOrganisation")] != "" {
		t.Errorf("row without person: %v %v", row, err)
	}

	// Errors.
	_, err = Export{Kind: KindReturn}.Row(c, nil, nil)
	wantErr(t, err, derrors.Invalid, "kind", "is a trafficking case")
	other := *p
	other.ID = 12
	_, err = e.Row(c, &other, nil)
	wantErr(t, err, derrors.Invalid, "personId", "not the person of case 7")
}

func TestExportReturnRow(t *testing.T) {
	c := returnCase(StageMonitoring)
	c.Return.Monitoring = []Monitoring{
		{Date: "2024-09-01", Economic: 0.5, Social: 0.6, Psychosocial: 0.7},
		{Date: "2024-04-01", Economic: 0.1, Social: 0.2, Psychosocial: 0.3},
	}
	e := Export{Visibility: Visibility{}} // both kinds
	row, err := e.Row(c, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := e.Header()
	cell := func(name string) string { return row[slices.Index(h, name)] }
	for k, v := range map[string]string{"corridor_Kind": "return", "cas_Status": "FollowUp", "corridor_ReturnStage": "monitoring",
		"corridor_HostCountry": "NER", "corridor_OriginCountry": "GIN", "corridor_ArrivalDate": "2024-02-20",
		"corridor_MonitoringVisits": "2", "corridor_LatestMonitoringDate": "2024-09-01", "corridor_LatestEconomicScore": "0.500",
		"corridor_LatestCompositeScore": "0.600", "vic_TraffickingStatus": "", "vic_MethodsOfControl": ""} {
		if got := cell(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestEventRows(t *testing.T) {
	c := traffickingCase()
	lat, lon := 27.03, 14.43
	c.Trafficking.Events[1].Latitude, c.Trafficking.Events[1].Longitude = &lat, &lon
	c.Trafficking.Events[1].Description = "Held at a farm"
	open := Visibility{Narrative: true}
	rows := EventRows(c, open)
	h := EventHeader(open)
	if len(rows) != 2 || len(rows[1]) != len(h) {
		t.Fatalf("rows %v", rows)
	}
	if !slices.Equal(rows[1], []string{"7", "Exploitation", "2022-09-14", "LBY", "", "Sabha", "27.03", "14.43", "Held at a farm"}) {
		t.Errorf("event row %v", rows[1])
	}
	closed := EventRows(c, Visibility{})
	if len(closed[1]) != len(EventHeader(Visibility{})) || slices.Contains(closed[1], "Held at a farm") || slices.Contains(EventHeader(Visibility{}), "hte_Latitude") {
		t.Errorf("restricted event row %v", closed[1])
	}
	if EventRows(returnCase(StageApplication), open) != nil {
		t.Errorf("a return case has no events")
	}
}
