package cases

// The value lists of the Human Trafficking Case Data Standard (HTCDS) 2.0
// by IOM (CC BY 4.0; see ../shared/data/htcds/PROVENANCE.md), transcribed
// from the "Value Names" column of the field standards in their published
// order. Stored values, JSON and exports use these names unchanged so that
// data moves between HTCDS systems; display labels come from the message
// catalogue. TestPicklistsMatchHTCDS compares every list with the
// standard's CSV, so the lists cannot drift.
//
// Spelling is the standard's, including its typo "Unaquainted".

// Case (cas_).
const (
	StatusActive         = "Active"
	StatusFollowUp       = "FollowUp"
	StatusClosed         = "Closed"
	StatusClosedReferred = "ClosedReferred"
)

// CaseStatuses is cas_Status.
var CaseStatuses = []string{StatusActive, StatusFollowUp, StatusClosed, StatusClosedReferred}

// ReferralReasons is cas_ReasonForOutgoingReferral (and
// cas_ReasonForIncomingReferral, which has the same values).
var ReferralReasons = []string{"AdditionalServicesRequired", "MigrationOrChangeOfLocation", "Other"}

// Person (prs_).
var (
	// Genders is prs_Gender.
	Genders = []string{"Feminine", "Masculine", "TransgenderFeminine", "TransgenderMasculine", "NonConforming", "NonSpecifiedUnknown"}
	// MaritalStatuses is prs_MaritalStatus.
	MaritalStatuses = []string{"Single", "Married", "Widowed", "Divorced", "Separated", "RegisteredPartnership"}
	// EducationLevels is prs_HighestLevelOfEducation (ISCED 2011).
	EducationLevels = []string{"EarlyChildhoodEducation", "PrimaryEducation", "LowerSecondaryEducation",
		"UpperSecondaryEducation", "PostSecondaryNonTertiaryEducation", "ShortCycleTertiaryEducation",
		"BachelorsOrEquivalentLevel", "MastersOrEquivalentLevel", "DoctoralOrEquivalentLevel"}
)

// Organisation (org_).
var OrgTypes = []string{"NGO", "LawEnforcement", "HealthServiceOrganisation", "CentralGovernmentOrganisation",
	"LocalGovernmentOrganisation", "ImmigrationService", "LegalService", "CorporateBusiness", "SchoolOrCollege"}

// Victim context (vic_).
var (
	// TraffickingStatuses is vic_TraffickingStatus.
	TraffickingStatuses = []string{"PossibleVictimOfTrafficking", "ActualVictimOfTrafficking", "NotAVictimOfTrafficking"}
	// DecisionMakingOrgs is vic_TraffickingStatusDecisionMakingOrg.
	DecisionMakingOrgs = []string{"Police", "NGO", "CourtOrProsecution", "NonPoliceGovernmentalOrganization", "Other"}
	// RelationshipsToTrafficker is vic_RelationshipToTrafficker.
	RelationshipsToTrafficker = []string{"Familial", "Acquainted", "Unaquainted"}
	// WebsitesAndApps is vic_RecruitmentWebsitesAndApps and
	// vic_ExploitationWebsitesAndApps.
	WebsitesAndApps = []string{"Facebook", "Instagram", "WhatsApp", "Telegram", "FacebookMessenger", "Viber",
		"SnapChat", "Line", "4Sale", "WeChat", "QQ", "QZone", "TikTok", "Twitter", "Other"}
	// RecruitmentMethods is vic_MethodOfRecruitment.
	RecruitmentMethods = []string{"AtAPlaceOfBusiness", "AtAnEducationalInstitution", "AtWork",
		"ThroughOnlineSocialNetworks", "ThroughAnOnlineAdvertisement", "ThroughATelevisionAdvert",
		"ThroughANewspaperAdvert", "ThroughFamilyOrFamilyEvents", "ThroughFriendsOrSocialEvents", "Other"}
	// MethodsOfControl is vic_MethodsOfControl.
	MethodsOfControl = []string{"PhysicalThreats", "ThreatsLawEnforcement", "ThreatensChildrenFamily", "DebtBondage",
		"FalsePromises", "PhysicalAbuse", "SexualAbuse", "TakesEarnings", "RestrictsFinancialAccess",
		"RestrictsMedicalCare", "WithholdsNecessities", "PsychologicalAbuse", "PsychoactiveSubstance",
		"ExcessiveWorkingHours", "WithholdsDocuments", "Other"}
	// ExploitationTypes is vic_TypeOfExploitation.
	ExploitationTypes = []string{"ForcedLabour", "SexualExploitation", "ChildLabour", "ForcedMarriage", "Servitude",
		"ForcedMilitaryByNonStateActors", "OrganRemoval", "ForcedBegging", "ForcedAdoption", "Surrogacy", "Other"}
	// Industries is vic_ForcedLabourIndustry (ISIC Rev. 4 sections).
	Industries = []string{"A_AgricultureForestryAndFishing", "B_MiningAndQuarrying", "C_Manufacturing",
		"D_ElectricityGasSteamAndAirConditioningSupply", "E_WaterSupplySewerageWasteManagement", "F_Construction",
		"G_WholesaleAndRetailTradeRepairOfMotorVehicles", "H_TransportationAndStorage",
		"I_AccommodationAndFoodServiceActivities", "J_InformationAndCommunication",
		"K_FinancialAndInsuranceActivities", "L_RealEstateActivities",
		"M_ProfessionalScientificAndTechnicalActivities", "N_AdministrativeAndSupportServiceActivities",
		"O_PublicAdministrationAndDefence", "P_Education", "Q_HumanHealthAndSocialWorkActivities",
		"R_ArtsEntertainmentAndRecreation", "S_OtherServiceActivities", "T_ActivitiesOfHouseholdsAsEmployers",
		"U_ActivitiesOfExtraterritorialOrganizations"}
	// SexExploitationTypes is vic_TypeOfSexExploitation.
	SexExploitationTypes = []string{"Prostitution", "Pornography", "RemoteInteractiveServices", "PrivateSexualServices"}
	// Vulnerabilities is vic_Vulnerabilities. HTCDS 2.0 marks the field
	// DEPRECATED in favour of its (still placeholder) assessment
	// sections; Corridor keeps it because no replacement list exists yet.
	Vulnerabilities = []string{"Addiction", "SocialGroup", "Discrimination", "Poverty", "DisabilityAndPhysicalHealth",
		"MentalHealth", "Migration", "Homelessness", "AbuseSocialMedia", "AbusePhysical", "Education", "WorkEnvironment"}
)

// Exploitation types used by rules and by CTDC-style counts.
const (
	ForcedLabour       = "ForcedLabour"
	SexualExploitation = "SexualExploitation"
	ChildLabour        = "ChildLabour"
)

// PerpetratorRoles is per_RoleInProcess.
var PerpetratorRoles = []string{"TravellingPartner", "Transporter", "RecruiterOrIntermediary", "BrokerTravelAgent",
	"TransferredIndividual", "HarbouredIndividual", "SoldIndividual", "BoughtIndividual", "ReceivedIndividual",
	"ControlledIndividual", "Smuggler", "Abuser", "Kidnapper", "Exploiter", "Other"}

// Historic trafficking events (hte_).
const (
	EventRecruitment  = "Recruitment"
	EventTransit      = "Transit"
	EventExploitation = "Exploitation"
)

// EventTypes is hte_Type.
var EventTypes = []string{EventRecruitment, EventTransit, EventExploitation}

// SupportPlanTypes is spl_Type.
var SupportPlanTypes = []string{"Education", "Financial", "Health", "LabourExploitationRehabilitation", "Legal",
	"Livelihood", "RightsBasedTraining", "SexualExploitationRehabilitation", "SocialCare"}

// HTCDSPicklists maps every picklist field of HTCDS 2.0 to the Go list
// holding its values.
var HTCDSPicklists = map[string][]string{
	"org_Type":                               OrgTypes,
	"prs_Gender":                             Genders,
	"prs_MaritalStatus":                      MaritalStatuses,
	"prs_HighestLevelOfEducation":            EducationLevels,
	"vic_TraffickingStatus":                  TraffickingStatuses,
	"vic_TraffickingStatusDecisionMakingOrg": DecisionMakingOrgs,
	"vic_RelationshipToTrafficker":           RelationshipsToTrafficker,
	"vic_RecruitmentWebsitesAndApps":         WebsitesAndApps,
	"vic_MethodOfRecruitment":                RecruitmentMethods,
	"vic_MethodsOfControl":                   MethodsOfControl,
	"vic_TypeOfExploitation":                 ExploitationTypes,
	"vic_ForcedLabourIndustry":               Industries,
	"vic_TypeOfSexExploitation":              SexExploitationTypes,
	"vic_ExploitationWebsitesAndApps":        WebsitesAndApps,
	"vic_Vulnerabilities":                    Vulnerabilities,
	"per_RoleInProcess":                      PerpetratorRoles,
	"cas_Status":                             CaseStatuses,
	"cas_ReasonForIncomingReferral":          ReferralReasons,
	"cas_ReasonForOutgoingReferral":          ReferralReasons,
	"hte_Type":                               EventTypes,
	"spl_Type":                               SupportPlanTypes,
}

// GenderOfSex maps the people registry's sex (internal/people.Sexes) to
// prs_Gender. The registry records sex with a short list; HTCDS records
// gender with a longer one, so "other" maps to NonConforming.
func GenderOfSex(sex string) string {
	switch sex {
	case "female":
		return "Feminine"
	case "male":
		return "Masculine"
	case "other":
		return "NonConforming"
	}
	return "NonSpecifiedUnknown"
}
