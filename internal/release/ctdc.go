package release

import (
	"slices"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/people"
)

// CTDC column names (Global Synthetic Dataset v2024, SCHEMA.md section A),
// spelt as in CTDC's files.
const (
	ColYear              = "yearOfRegistration"
	ColGender            = "gender"
	ColAge               = "ageBroad"
	ColCitizenship       = "citizenship"
	ColCountryOfExploit  = "CountryOfExploitation"
	ColTraffickMonths    = "traffickMonths"
	ColMeansDebt         = "meansDebtBondageEarnings"
	ColMeansThreats      = "meansThreats"
	ColMeansAbuse        = "meansAbusePsyPhySex"
	ColMeansFalse        = "meansFalsePromises"
	ColMeansDrugs        = "meansDrugsAlcohol"
	ColMeansDeny         = "meansDenyBasicNeeds"
	ColMeansHours        = "meansExcessiveWorkHours"
	ColMeansDocs         = "meansWithholdDocs"
	ColForcedLabour      = "isForcedLabour"
	ColSexualExploit     = "isSexualExploit"
	ColOtherExploit      = "isOtherExploit"
	ColLabourAgriculture = "typeOfLabourAgriculture"
	ColLabourConstruct   = "typeOfLabourConstruction"
	ColLabourDomestic    = "typeOfLabourDomesticWork"
	ColLabourHospitality = "typeOfLabourHospitality"
	ColSexProstitution   = "typeOfSexProstitution"
	ColSexPornography    = "typeOfSexPornography"
	ColRecruiterPartner  = "recruiterRelationIntimatePartner"
	ColRecruiterFriend   = "recruiterRelationFriend"
	ColRecruiterFamily   = "recruiterRelationFamily"
	ColRecruiterOther    = "recruiterRelationOther"
)

// CTDCColumns are the 27 columns of CTDC's global synthetic schema, in
// CTDC's order: the only columns a release may hold (with "count" in
// aggregates).
var CTDCColumns = []string{
	ColYear, ColGender, ColAge, ColCitizenship, ColCountryOfExploit, ColTraffickMonths,
	ColMeansDebt, ColMeansThreats, ColMeansAbuse, ColMeansFalse, ColMeansDrugs, ColMeansDeny, ColMeansHours, ColMeansDocs,
	ColForcedLabour, ColSexualExploit, ColOtherExploit,
	ColLabourAgriculture, ColLabourConstruct, ColLabourDomestic, ColLabourHospitality,
	ColSexProstitution, ColSexPornography,
	ColRecruiterPartner, ColRecruiterFriend, ColRecruiterFamily, ColRecruiterOther,
}

// CountColumn is the count column of aggregates.csv.
const CountColumn = "count"

// CTDC value spellings.
const (
	GenderWoman = "Woman"
	GenderMan   = "Man"
	GenderTrans = "Trans/Transgender/NonConforming"

	Months0to12  = "0--12 (0-1 yr)"
	Months13to24 = "13--24 (1-2 yrs)"
	Months25Plus = "25+ (2+ yrs)"

	// Flag is a binary variable's "yes"; "no" and "unknown" are both
	// empty, as CTDC never writes 0.
	Flag = "1"
)

// columnKind groups columns by the shape of their values.
type columnKind int

const (
	kindClosed  columnKind = iota // one of closedValues
	kindYear                      // four digits
	kindCountry                   // ISO 3166-1 alpha-3
	kindFlag                      // "1" or empty
)

func kindOf(col string) columnKind {
	switch col {
	case ColYear:
		return kindYear
	case ColCitizenship, ColCountryOfExploit:
		return kindCountry
	case ColGender, ColAge, ColTraffickMonths:
		return kindClosed
	}
	return kindFlag
}

// ctdcAgeBands are CTDC's ageBroad values, youngest first.
var ctdcAgeBands = func() []string {
	out := make([]string, len(cases.AgeBands))
	for i, b := range cases.AgeBands {
		out[i] = b.CTDCName()
	}
	return out
}()

// closedValues are the values of the closed non-flag columns.
var closedValues = map[string][]string{
	ColGender:         {GenderMan, GenderWoman, GenderTrans},
	ColAge:            ctdcAgeBands,
	ColTraffickMonths: {Months0to12, Months13to24, Months25Plus},
}

// MappingRule documents how one CTDC column is derived from a case.
type MappingRule struct {
	Column string `json:"column"`
	From   string `json:"from"`
	Rule   string `json:"rule"`
}

// HTCDS vic_MethodsOfControl → CTDC means columns, following CTDC's
// merges (SCHEMA.md "Merges"). HTCDS has no "restricts movement" value,
// and its "Other" has no CTDC column (meansOfControlOther was dropped in
// 2021), so it sets nothing.
var meansOf = map[string]string{
	"DebtBondage":              ColMeansDebt,
	"TakesEarnings":            ColMeansDebt,
	"PhysicalThreats":          ColMeansThreats,
	"ThreatsLawEnforcement":    ColMeansThreats,
	"ThreatensChildrenFamily":  ColMeansThreats, // CTDC's "uses children"
	"PsychologicalAbuse":       ColMeansAbuse,
	"PhysicalAbuse":            ColMeansAbuse,
	"SexualAbuse":              ColMeansAbuse,
	"FalsePromises":            ColMeansFalse,
	"PsychoactiveSubstance":    ColMeansDrugs,
	"RestrictsFinancialAccess": ColMeansDeny,
	"RestrictsMedicalCare":     ColMeansDeny,
	"WithholdsNecessities":     ColMeansDeny,
	"ExcessiveWorkingHours":    ColMeansHours,
	"WithholdsDocuments":       ColMeansDocs,
}

// exploitOf maps vic_TypeOfExploitation to CTDC's three exploitation
// flags. Child labour and forced begging are forced labour (CTDC's 2021
// schema listed begging as a type of labour); every other HTCDS type is
// CTDC's "other" (forced marriage, military service, organ removal, …).
var exploitOf = map[string]string{
	"ForcedLabour":                   ColForcedLabour,
	"ChildLabour":                    ColForcedLabour,
	"ForcedBegging":                  ColForcedLabour,
	"SexualExploitation":             ColSexualExploit,
	"ForcedMarriage":                 ColOtherExploit,
	"Servitude":                      ColOtherExploit,
	"ForcedMilitaryByNonStateActors": ColOtherExploit,
	"OrganRemoval":                   ColOtherExploit,
	"ForcedAdoption":                 ColOtherExploit,
	"Surrogacy":                      ColOtherExploit,
	"Other":                          ColOtherExploit,
}

// labourOf maps the ISIC section of vic_ForcedLabourIndustry to CTDC's
// four labour columns; other sections have no column since CTDC dropped
// typeOfLabourOther.
var labourOf = map[string]string{
	"A_AgricultureForestryAndFishing":         ColLabourAgriculture,
	"F_Construction":                          ColLabourConstruct,
	"T_ActivitiesOfHouseholdsAsEmployers":     ColLabourDomestic,
	"I_AccommodationAndFoodServiceActivities": ColLabourHospitality,
}

// sexOf maps vic_TypeOfSexExploitation; remote interactive and private
// sexual services have no column since CTDC dropped typeOfSexOther.
var sexOf = map[string]string{
	"Prostitution": ColSexProstitution,
	"Pornography":  ColSexPornography,
}

// recruiterOf maps vic_RelationshipToTrafficker. HTCDS has no intimate
// partner value, so recruiterRelationIntimatePartner is never set from a
// case. "Acquainted" is CTDC's friend (the CTDC victim-perpetrator data
// joins them as FriendAcquaintance); a stranger is "other".
var recruiterOf = map[string]string{
	"Familial":    ColRecruiterFamily,
	"Acquainted":  ColRecruiterFriend,
	"Unaquainted": ColRecruiterOther,
}

// otherRecruiterRoles are perpetrator roles (per_RoleInProcess) that
// CTDC counts under recruiterRelationOther ("brokers, employers,
// smugglers").
var otherRecruiterRoles = []string{"BrokerTravelAgent", "Smuggler"}

// CTDCMapping documents CTDCRow column by column; a release records it
// in its manifest.
var CTDCMapping = []MappingRule{
	{ColYear, "openedOn", "year of the date the case was opened (the person identified or registered)"},
	{ColGender, "person.sex", "female → Woman, male → Man, other → Trans/Transgender/NonConforming, unknown → empty"},
	{ColAge, "person.birthDate, openedOn", "age in whole years when the case was opened (a birth year alone is taken as 1 July) → CTDC band 0--8, 09--17, 18--20, 21--23, 24--26, 27--29, 30--38, 39--47, 48+; empty when unknown"},
	{ColCitizenship, "person.nationality", "ISO 3166-1 alpha-3 as recorded; empty when unknown"},
	{ColCountryOfExploit, "trafficking.corridor_CountryOfExploitation", "ISO 3166-1 alpha-3 as recorded; empty when unknown"},
	{ColTraffickMonths, "trafficking.corridor_DurationMonths", "0–12 → 0--12 (0-1 yr), 13–24 → 13--24 (1-2 yrs), 25+ → 25+ (2+ yrs); empty when unknown"},
	{ColMeansDebt, "vic_MethodsOfControl", "DebtBondage or TakesEarnings"},
	{ColMeansThreats, "vic_MethodsOfControl", "PhysicalThreats, ThreatsLawEnforcement or ThreatensChildrenFamily"},
	{ColMeansAbuse, "vic_MethodsOfControl", "PsychologicalAbuse, PhysicalAbuse or SexualAbuse"},
	{ColMeansFalse, "vic_MethodsOfControl", "FalsePromises"},
	{ColMeansDrugs, "vic_MethodsOfControl", "PsychoactiveSubstance"},
	{ColMeansDeny, "vic_MethodsOfControl", "RestrictsFinancialAccess, RestrictsMedicalCare or WithholdsNecessities (HTCDS has no restricts-movement value)"},
	{ColMeansHours, "vic_MethodsOfControl", "ExcessiveWorkingHours"},
	{ColMeansDocs, "vic_MethodsOfControl", "WithholdsDocuments (Other sets no column: CTDC dropped meansOfControlOther)"},
	{ColForcedLabour, "vic_TypeOfExploitation", "ForcedLabour, ChildLabour or ForcedBegging"},
	{ColSexualExploit, "vic_TypeOfExploitation", "SexualExploitation"},
	{ColOtherExploit, "vic_TypeOfExploitation", "ForcedMarriage, Servitude, ForcedMilitaryByNonStateActors, OrganRemoval, ForcedAdoption, Surrogacy or Other"},
	{ColLabourAgriculture, "vic_ForcedLabourIndustry", "A_AgricultureForestryAndFishing (ISIC A)"},
	{ColLabourConstruct, "vic_ForcedLabourIndustry", "F_Construction (ISIC F)"},
	{ColLabourDomestic, "vic_ForcedLabourIndustry", "T_ActivitiesOfHouseholdsAsEmployers (ISIC T); other sections set no column"},
	{ColLabourHospitality, "vic_ForcedLabourIndustry", "I_AccommodationAndFoodServiceActivities (ISIC I)"},
	{ColSexProstitution, "vic_TypeOfSexExploitation", "Prostitution"},
	{ColSexPornography, "vic_TypeOfSexExploitation", "Pornography (RemoteInteractiveServices and PrivateSexualServices set no column)"},
	{ColRecruiterPartner, "—", "never set: HTCDS records no intimate-partner relationship"},
	{ColRecruiterFriend, "vic_RelationshipToTrafficker", "Acquainted"},
	{ColRecruiterFamily, "vic_RelationshipToTrafficker", "Familial"},
	{ColRecruiterOther, "vic_RelationshipToTrafficker, perpetrators", "Unaquainted, or a perpetrator whose per_RoleInProcess includes BrokerTravelAgent or Smuggler"},
}

// CTDCRow maps a counter-trafficking case and its person to a row of
// CTDCColumns. Only coded fields are read: names, document numbers and
// free text never reach the row. A return case (no Trafficking details)
// is not a CTDC record: CTDCRow returns nil for it, and callers leave it
// out.
func CTDCRow(c cases.Case, p people.Person) []string {
	t := c.Trafficking
	if t == nil {
		return nil
	}
	row := make([]string, len(CTDCColumns))
	set := func(col, v string) { row[slices.Index(CTDCColumns, col)] = v }
	set(ColYear, yearOf(c.OpenedOn))
	set(ColGender, genderOf(p.Sex))
	set(ColAge, ageBroadOf(p.BirthDate, c.OpenedOn))
	set(ColCitizenship, iso3(p.Nationality))
	set(ColCountryOfExploit, iso3(t.CountryOfExploitation))
	set(ColTraffickMonths, monthsBand(t.DurationMonths))
	flags := func(m map[string]string, values ...string) {
		for _, v := range values {
			if col, ok := m[v]; ok {
				set(col, Flag)
			}
		}
	}
	flags(meansOf, t.MethodsOfControl...)
	flags(exploitOf, t.TypeOfExploitation...)
	flags(labourOf, t.ForcedLabourIndustry)
	flags(sexOf, t.TypeOfSexExploitation...)
	flags(recruiterOf, t.RelationshipToTrafficker)
	for _, per := range t.Perpetrators {
		if slices.ContainsFunc(per.Roles, func(r string) bool { return slices.Contains(otherRecruiterRoles, r) }) {
			set(ColRecruiterOther, Flag)
		}
	}
	return row
}

// yearOf returns the year of a YYYY-MM-DD date, "" when unreadable.
func yearOf(date string) string {
	if len(date) < 4 || !reYear.MatchString(date[:4]) {
		return ""
	}
	return date[:4]
}

func genderOf(sex string) string {
	switch sex {
	case "female":
		return GenderWoman
	case "male":
		return GenderMan
	case "other":
		return GenderTrans
	}
	return ""
}

// ageBroadOf is the CTDC band of the age on the opening date, "" when
// either date is unknown.
func ageBroadOf(birthDate, openedOn string) string {
	at, err := time.Parse(time.DateOnly, openedOn)
	if err != nil {
		return ""
	}
	age, ok := cases.AgeAt(birthDate, at)
	if !ok {
		return ""
	}
	for _, b := range cases.AgeBands {
		if age >= b.Min && (b.Max < 0 || age <= b.Max) {
			return b.CTDCName()
		}
	}
	return ""
}

// iso3 keeps a well-formed code only, so that a malformed stored value
// cannot carry text into a release.
func iso3(code string) string {
	code = strings.TrimSpace(code)
	if !reISO3.MatchString(code) {
		return ""
	}
	return code
}

func monthsBand(months *int) string {
	switch {
	case months == nil || *months < 0:
		return ""
	case *months <= 12:
		return Months0to12
	case *months <= 24:
		return Months13to24
	}
	return Months25Plus
}
