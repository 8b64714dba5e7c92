package release

import (
	"slices"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/people"
)

func intp(v int) *int { return &v }

// baseCase is a minimal counter-trafficking case; tests change one field.
func baseCase() (cases.Case, people.Person) {
	return cases.Case{Kind: cases.KindTrafficking, OpenedOn: "2021-06-15", Trafficking: &cases.Trafficking{TraffickingStatus: "ActualVictimOfTrafficking"}},
		people.Person{GivenName: "Awa", FamilyName: "Diop", Sex: "unknown", DocumentNumber: "X123", DocumentType: "passport"}
}

func cell(t *testing.T, row []string, col string) string {
	t.Helper()
	j := slices.Index(CTDCColumns, col)
	if j < 0 {
		t.Fatalf("no column %s", col)
	}
	return row[j]
}

func TestCTDCColumns(t *testing.T) {
	if len(CTDCColumns) != 27 {
		t.Fatalf("%d columns, want 27", len(CTDCColumns))
	}
	if len(CTDCMapping) != len(CTDCColumns) {
		t.Fatalf("mapping has %d rules for %d columns", len(CTDCMapping), len(CTDCColumns))
	}
	for i, r := range CTDCMapping {
		if r.Column != CTDCColumns[i] || r.From == "" || r.Rule == "" {
			t.Errorf("mapping rule %d: %+v", i, r)
		}
	}
}

func TestCTDCRowRules(t *testing.T) {
	tests := []struct {
		name   string
		change func(*cases.Case, *people.Person)
		want   map[string]string // columns expected; every other column is empty
	}{
		{"year and nothing else", func(*cases.Case, *people.Person) {}, map[string]string{ColYear: "2021"}},
		{"unreadable opening date", func(c *cases.Case, _ *people.Person) { c.OpenedOn = "" }, map[string]string{}},
		{"woman", func(_ *cases.Case, p *people.Person) { p.Sex = "female" }, map[string]string{ColYear: "2021", ColGender: GenderWoman}},
		{"man", func(_ *cases.Case, p *people.Person) { p.Sex = "male" }, map[string]string{ColYear: "2021", ColGender: GenderMan}},
		{"other sex", func(_ *cases.Case, p *people.Person) { p.Sex = "other" }, map[string]string{ColYear: "2021", ColGender: GenderTrans}},
		{"age 8 at opening", func(_ *cases.Case, p *people.Person) { p.BirthDate = "2012-06-16" }, map[string]string{ColYear: "2021", ColAge: "0--8"}},
		{"age 9", func(_ *cases.Case, p *people.Person) { p.BirthDate = "2012-06-15" }, map[string]string{ColYear: "2021", ColAge: "09--17"}},
		{"age 17 the day before 18", func(_ *cases.Case, p *people.Person) { p.BirthDate = "2003-06-16" }, map[string]string{ColYear: "2021", ColAge: "09--17"}},
		{"age 18", func(_ *cases.Case, p *people.Person) { p.BirthDate = "2003-06-15" }, map[string]string{ColYear: "2021", ColAge: "18--20"}},
		{"age 30", func(_ *cases.Case, p *people.Person) { p.BirthDate = "1991-01-01" }, map[string]string{ColYear: "2021", ColAge: "30--38"}},
		{"age 48+", func(_ *cases.Case, p *people.Person) { p.BirthDate = "1950" }, map[string]string{ColYear: "2021", ColAge: "48+"}},
		{"birth after opening", func(_ *cases.Case, p *people.Person) { p.BirthDate = "2022-01-01" }, map[string]string{ColYear: "2021"}},
		{"citizenship", func(_ *cases.Case, p *people.Person) { p.Nationality = "SEN" }, map[string]string{ColYear: "2021", ColCitizenship: "SEN"}},
		{"malformed nationality dropped", func(_ *cases.Case, p *people.Person) { p.Nationality = "Senegal" }, map[string]string{ColYear: "2021"}},
		{"country of exploitation", func(c *cases.Case, _ *people.Person) { c.Trafficking.CountryOfExploitation = "MLI" },
			map[string]string{ColYear: "2021", ColCountryOfExploit: "MLI"}},
		{"0 months", func(c *cases.Case, _ *people.Person) { c.Trafficking.DurationMonths = intp(0) }, map[string]string{ColYear: "2021", ColTraffickMonths: Months0to12}},
		{"12 months", func(c *cases.Case, _ *people.Person) { c.Trafficking.DurationMonths = intp(12) }, map[string]string{ColYear: "2021", ColTraffickMonths: Months0to12}},
		{"13 months", func(c *cases.Case, _ *people.Person) { c.Trafficking.DurationMonths = intp(13) }, map[string]string{ColYear: "2021", ColTraffickMonths: Months13to24}},
		{"24 months", func(c *cases.Case, _ *people.Person) { c.Trafficking.DurationMonths = intp(24) }, map[string]string{ColYear: "2021", ColTraffickMonths: Months13to24}},
		{"25 months", func(c *cases.Case, _ *people.Person) { c.Trafficking.DurationMonths = intp(25) }, map[string]string{ColYear: "2021", ColTraffickMonths: Months25Plus}},
		{"debt bondage and takes earnings merge", func(c *cases.Case, _ *people.Person) {
			c.Trafficking.MethodsOfControl = []string{"DebtBondage", "TakesEarnings"}
		}, map[string]string{ColYear: "2021", ColMeansDebt: "1"}},
		{"threats merge", func(c *cases.Case, _ *people.Person) {
			c.Trafficking.MethodsOfControl = []string{"ThreatensChildrenFamily", "ThreatsLawEnforcement"}
		}, map[string]string{ColYear: "2021", ColMeansThreats: "1"}},
		{"abuse merge", func(c *cases.Case, _ *people.Person) { c.Trafficking.MethodsOfControl = []string{"SexualAbuse"} },
			map[string]string{ColYear: "2021", ColMeansAbuse: "1"}},
		{"deny basic needs merge", func(c *cases.Case, _ *people.Person) {
			c.Trafficking.MethodsOfControl = []string{"RestrictsMedicalCare", "WithholdsNecessities", "RestrictsFinancialAccess"}
		}, map[string]string{ColYear: "2021", ColMeansDeny: "1"}},
		{"renamed means", func(c *cases.Case, _ *people.Person) {
			c.Trafficking.MethodsOfControl = []string{"FalsePromises", "PsychoactiveSubstance", "ExcessiveWorkingHours", "WithholdsDocuments", "Other"}
		}, map[string]string{ColYear: "2021", ColMeansFalse: "1", ColMeansDrugs: "1", ColMeansHours: "1", ColMeansDocs: "1"}},
		{"forced, child labour and begging are forced labour", func(c *cases.Case, _ *people.Person) {
			c.Trafficking.TypeOfExploitation = []string{"ChildLabour", "ForcedBegging"}
		}, map[string]string{ColYear: "2021", ColForcedLabour: "1"}},
		{"sexual and other exploitation", func(c *cases.Case, _ *people.Person) {
			c.Trafficking.TypeOfExploitation = []string{"SexualExploitation", "ForcedMarriage", "OrganRemoval"}
		}, map[string]string{ColYear: "2021", ColSexualExploit: "1", ColOtherExploit: "1"}},
		{"agriculture", func(c *cases.Case, _ *people.Person) {
			c.Trafficking.ForcedLabourIndustry = "A_AgricultureForestryAndFishing"
		},
			map[string]string{ColYear: "2021", ColLabourAgriculture: "1"}},
		{"construction", func(c *cases.Case, _ *people.Person) { c.Trafficking.ForcedLabourIndustry = "F_Construction" },
			map[string]string{ColYear: "2021", ColLabourConstruct: "1"}},
		{"domestic work", func(c *cases.Case, _ *people.Person) {
			c.Trafficking.ForcedLabourIndustry = "T_ActivitiesOfHouseholdsAsEmployers"
		},
			map[string]string{ColYear: "2021", ColLabourDomestic: "1"}},
		{"hospitality", func(c *cases.Case, _ *people.Person) {
			c.Trafficking.ForcedLabourIndustry = "I_AccommodationAndFoodServiceActivities"
		},
			map[string]string{ColYear: "2021", ColLabourHospitality: "1"}},
		{"manufacturing has no column", func(c *cases.Case, _ *people.Person) { c.Trafficking.ForcedLabourIndustry = "C_Manufacturing" },
			map[string]string{ColYear: "2021"}},
		{"sex types", func(c *cases.Case, _ *people.Person) {
			c.Trafficking.TypeOfSexExploitation = []string{"Prostitution", "Pornography", "RemoteInteractiveServices"}
		}, map[string]string{ColYear: "2021", ColSexProstitution: "1", ColSexPornography: "1"}},
		{"familial recruiter", func(c *cases.Case, _ *people.Person) { c.Trafficking.RelationshipToTrafficker = "Familial" },
			map[string]string{ColYear: "2021", ColRecruiterFamily: "1"}},
		{"acquainted recruiter is a friend", func(c *cases.Case, _ *people.Person) { c.Trafficking.RelationshipToTrafficker = "Acquainted" },
			map[string]string{ColYear: "2021", ColRecruiterFriend: "1"}},
		{"stranger recruiter is other", func(c *cases.Case, _ *people.Person) { c.Trafficking.RelationshipToTrafficker = "Unaquainted" },
			map[string]string{ColYear: "2021", ColRecruiterOther: "1"}},
		{"broker perpetrator is other", func(c *cases.Case, _ *people.Person) {
			c.Trafficking.RelationshipToTrafficker = "Familial"
			c.Trafficking.Perpetrators = []cases.Perpetrator{{Roles: []string{"Exploiter"}}, {Roles: []string{"BrokerTravelAgent"}, RoleDetails: "a broker named Ali"}}
		}, map[string]string{ColYear: "2021", ColRecruiterFamily: "1", ColRecruiterOther: "1"}},
		{"exploiter perpetrator sets nothing", func(c *cases.Case, _ *people.Person) {
			c.Trafficking.Perpetrators = []cases.Perpetrator{{Roles: []string{"Exploiter", "RecruiterOrIntermediary"}}}
		}, map[string]string{ColYear: "2021"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, p := baseCase()
			tc.change(&c, &p)
			row := CTDCRow(c, p)
			if len(row) != len(CTDCColumns) {
				t.Fatalf("row of %d cells", len(row))
			}
			for _, col := range CTDCColumns {
				if got := cell(t, row, col); got != tc.want[col] {
					t.Errorf("%s = %q, want %q", col, got, tc.want[col])
				}
			}
		})
	}
}

// Every HTCDS value of the mapped picklists is either mapped or
// documented as having no CTDC column, so a new HTCDS value cannot be
// silently dropped.
func TestCTDCMappingCoversHTCDS(t *testing.T) {
	unmapped := map[string][]string{
		"MethodsOfControl": {"Other"},
		"Industries": {"B_MiningAndQuarrying", "C_Manufacturing", "D_ElectricityGasSteamAndAirConditioningSupply",
			"E_WaterSupplySewerageWasteManagement", "G_WholesaleAndRetailTradeRepairOfMotorVehicles", "H_TransportationAndStorage",
			"J_InformationAndCommunication", "K_FinancialAndInsuranceActivities", "L_RealEstateActivities",
			"M_ProfessionalScientificAndTechnicalActivities", "N_AdministrativeAndSupportServiceActivities",
			"O_PublicAdministrationAndDefence", "P_Education", "Q_HumanHealthAndSocialWorkActivities",
			"R_ArtsEntertainmentAndRecreation", "S_OtherServiceActivities", "U_ActivitiesOfExtraterritorialOrganizations"},
		"SexExploitationTypes": {"RemoteInteractiveServices", "PrivateSexualServices"},
	}
	for _, x := range []struct {
		name   string
		values []string
		m      map[string]string
	}{
		{"MethodsOfControl", cases.MethodsOfControl, meansOf},
		{"ExploitationTypes", cases.ExploitationTypes, exploitOf},
		{"Industries", cases.Industries, labourOf},
		{"SexExploitationTypes", cases.SexExploitationTypes, sexOf},
		{"RelationshipsToTrafficker", cases.RelationshipsToTrafficker, recruiterOf},
	} {
		for _, v := range x.values {
			if _, ok := x.m[v]; !ok && !slices.Contains(unmapped[x.name], v) {
				t.Errorf("%s value %q is neither mapped nor documented as unmapped", x.name, v)
			}
		}
		for v := range x.m {
			if !slices.Contains(x.values, v) {
				t.Errorf("%s: mapped value %q is not an HTCDS value", x.name, v)
			}
		}
	}
}

func TestCTDCRowReturnCaseAndNoPersonalData(t *testing.T) {
	c, p := baseCase()
	if row := CTDCRow(cases.Case{Kind: cases.KindReturn, OpenedOn: "2021-01-01", Return: &cases.Return{}}, p); row != nil {
		t.Errorf("return case mapped: %v", row)
	}
	c.Trafficking.DetailsOfVulnerabilities = "secret story"
	row := CTDCRow(c, p)
	joined := strings.Join(row, "|")
	for _, s := range []string{"Awa", "Diop", "X123", "secret"} {
		if strings.Contains(joined, s) {
			t.Errorf("row holds %q: %v", s, row)
		}
	}
	for j, v := range row {
		if !inputValueOK(CTDCColumns[j], v) {
			t.Errorf("%s = %q is outside the closed set", CTDCColumns[j], v)
		}
	}
}
