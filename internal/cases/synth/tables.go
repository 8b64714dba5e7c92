package synth

import "math/rand/v2"

// The proportions below shape the generated caseload like the CTDC data
// in ../shared/data/ctdc (not copied here: CTDC's terms forbid re-hosting
// its files). They are hand-written, rounded from counts computed once
// from:
//
//   - [VP] CTDC_VPsynthetic_condensed.csv (21,194 records; the
//     Victim-Perpetrator synthetic dataset): gender, minor/adult, forced
//     labour and sexual exploitation, UN region of citizenship and of
//     exploitation, relation to the recruiter, year of registration;
//   - [NA] derived/madiforman_final_data_v2025_north_america.csv (a
//     third party's table built from CTDC's global synthetic v2025,
//     North America only): the split of the age bands within minors and
//     within adults, the only age bands available here.
//
// TestShapeMatchesCTDC recomputes those shares from the files (skipping
// when they are absent) and checks the generator's output against them.
// The other distributions (nationalities within a region, means of
// control, industries, durations, services, consents, statuses) are
// plausible hand-written values, not measured.

// Regions are the UN regions as CTDC's VP file names them.
const (
	Africa   = "Africa"
	Americas = "Americas/Oceania"
	Asia     = "Asia"
	Europe   = "Europe"
)

// Regions lists the regions in the order of the tables.
var Regions = []string{Africa, Americas, Asia, Europe}

// Share is one value and its probability.
type Share struct {
	Key string
	P   float64
}

// Proportions is the hand-written table.
type Proportions struct {
	// OriginRegions: UN region of citizenship [VP, records with it known].
	OriginRegions []Share
	// ExploitationRegion: region of exploitation given the region of
	// citizenship [VP, records with both known]. The Asia row is moved
	// three points from Europe to Asia so that the implied margin matches
	// the file's region-of-exploitation margin (the two are computed on
	// different subsets of the file).
	ExploitationRegion map[string][]Share
	// DomesticShare is the chance that exploitation in one's own region
	// happened in one's own country (hand-written).
	DomesticShare float64
	// FemaleByRegion: share of women among women and men, given the
	// region of citizenship [VP], each scaled by 0.925 so that the margin
	// is the file's 0.545.
	FemaleByRegion map[string]float64
	// OtherSex and UnknownSex are the shares recorded as "other" and
	// "unknown" in the people registry (hand-written).
	OtherSex, UnknownSex float64
	// MinorShare: share of minors at registration [VP: 1,212 of 17,591].
	MinorShare float64
	// MinorBands and AdultBands split minors and adults into CTDC's age
	// bands [NA].
	MinorBands, AdultBands []Share
	// Exploitation: forced labour only, sexual exploitation only, or both,
	// by sex [VP: women 0.303 SE and 0.735 FL, men 0.007 SE; scaled so
	// that the margins are the file's 0.835 FL and 0.189 SE].
	Exploitation map[string][]Share
	// OtherExploitationShare is the share of victims exploited in other
	// ways only (begging, marriage, servitude, …; CTDC's isOtherExploit,
	// absent from the VP file; hand-written).
	OtherExploitationShare float64
	// Relation: relation to the recruiter among records with it known
	// [VP IP_Relation; a record with several relations counts under the
	// closest: family, then friend, then stranger], as HTCDS
	// vic_RelationshipToTrafficker values; RelationKnown is the share of
	// records with a relation [VP: 0.69].
	Relation      []Share
	RelationKnown float64
	// RegistrationYears: year of registration by the VP file's bands; the
	// years are shifted so that the last band ends at Options.Until.
	RegistrationYears []Share
}

// Shape is the table the generator draws from.
var Shape = Proportions{
	OriginRegions: []Share{{Africa, 0.3004}, {Americas, 0.0158}, {Asia, 0.3491}, {Europe, 0.3348}},
	ExploitationRegion: map[string][]Share{
		Africa:   {{Africa, 0.7706}, {Americas, 0.0016}, {Asia, 0.2153}, {Europe, 0.0125}},
		Americas: {{Africa, 0.0313}, {Americas, 0.8187}, {Asia, 0.0250}, {Europe, 0.1250}},
		Asia:     {{Africa, 0.0434}, {Americas, 0}, {Asia, 0.7972}, {Europe, 0.1594}},
		Europe:   {{Africa, 0.0059}, {Americas, 0}, {Asia, 0.0592}, {Europe, 0.9349}},
	},
	DomesticShare:  0.35,
	FemaleByRegion: map[string]float64{Africa: 0.805, Americas: 0.768, Asia: 0.459, Europe: 0.391},
	OtherSex:       0.003,
	UnknownSex:     0.03,
	MinorShare:     0.0689,
	MinorBands:     []Share{{"0–8", 0.098}, {"9–17", 0.902}},
	AdultBands: []Share{{"18–20", 0.210}, {"21–23", 0.166}, {"24–26", 0.132}, {"27–29", 0.104},
		{"30–38", 0.217}, {"39–47", 0.106}, {"48+", 0.065}},
	Exploitation: map[string][]Share{
		"female": {{"ForcedLabour", 0.66}, {"SexualExploitation", 0.30}, {"both", 0.04}},
		"male":   {{"ForcedLabour", 0.992}, {"SexualExploitation", 0.007}, {"both", 0.001}},
	},
	OtherExploitationShare: 0.04,
	Relation:               []Share{{"Familial", 0.0718}, {"Acquainted", 0.3572}, {"Unaquainted", 0.5710}},
	RelationKnown:          0.69,
	RegistrationYears: []Share{{"2005-2013", 0.1443}, {"2014-2018", 0.3577}, {"2019", 0.1367}, {"2020", 0.1141},
		{"2021-2022", 0.2471}},
}

// yearBands are the VP file's registration bands as year offsets from
// its last year (2022).
var yearBands = [][2]int{{-17, -9}, {-8, -4}, {-3, -3}, {-2, -2}, {-1, 0}}

// Nationalities (ISO3) by region of citizenship, weighted
// (hand-written, after the main countries of citizenship in CTDC).
var nationalities = map[string][]Share{
	Africa: {{"NGA", 0.18}, {"ETH", 0.10}, {"GHA", 0.07}, {"SEN", 0.06}, {"GIN", 0.06}, {"MLI", 0.06}, {"KEN", 0.08},
		{"UGA", 0.08}, {"ERI", 0.05}, {"SDN", 0.06}, {"CMR", 0.05}, {"CIV", 0.05}, {"NER", 0.05}, {"MDG", 0.05}},
	Americas: {{"COL", 0.20}, {"HND", 0.15}, {"GTM", 0.15}, {"SLV", 0.10}, {"MEX", 0.15}, {"VEN", 0.10}, {"HTI", 0.10}, {"PNG", 0.05}},
	Asia: {{"PHL", 0.20}, {"IDN", 0.10}, {"KHM", 0.10}, {"MMR", 0.08}, {"VNM", 0.10}, {"NPL", 0.06}, {"BGD", 0.08},
		{"THA", 0.05}, {"KGZ", 0.04}, {"UZB", 0.07}, {"CHN", 0.05}, {"IND", 0.05}, {"AFG", 0.02}},
	Europe: {{"UKR", 0.35}, {"MDA", 0.20}, {"ROU", 0.12}, {"BLR", 0.08}, {"BGR", 0.06}, {"ALB", 0.06}, {"RUS", 0.08}, {"SRB", 0.05}},
}

// Countries of exploitation (ISO3) by region, weighted (hand-written).
var destinations = map[string][]Share{
	Africa: {{"LBY", 0.15}, {"NGA", 0.10}, {"NER", 0.08}, {"MLI", 0.06}, {"GHA", 0.08}, {"ETH", 0.06}, {"KEN", 0.07},
		{"UGA", 0.06}, {"ZAF", 0.08}, {"EGY", 0.06}, {"SDN", 0.06}, {"SEN", 0.05}, {"CIV", 0.05}, {"DJI", 0.04}},
	Americas: {{"USA", 0.30}, {"MEX", 0.20}, {"ARG", 0.10}, {"BRA", 0.10}, {"COL", 0.10}, {"GTM", 0.10}, {"AUS", 0.10}},
	Asia: {{"THA", 0.12}, {"MYS", 0.14}, {"SAU", 0.08}, {"ARE", 0.08}, {"KWT", 0.05}, {"QAT", 0.04}, {"LBN", 0.04},
		{"TUR", 0.06}, {"IDN", 0.07}, {"PHL", 0.07}, {"KHM", 0.05}, {"VNM", 0.04}, {"KAZ", 0.06}, {"CHN", 0.05}, {"IND", 0.05}},
	Europe: {{"RUS", 0.25}, {"UKR", 0.14}, {"POL", 0.08}, {"DEU", 0.08}, {"ITA", 0.08}, {"GBR", 0.08}, {"ROU", 0.05},
		{"MDA", 0.04}, {"FRA", 0.05}, {"ESP", 0.05}, {"GRC", 0.05}, {"NLD", 0.05}},
}

// Names by region: small built-in lists of common given and family
// names. Every generated person is fictitious.
type nameList struct{ female, male, family []string }

var names = map[string]nameList{
	Africa: {
		female: []string{"Mariam", "Aisha", "Fatou", "Blessing", "Joy", "Amina", "Hawa", "Aminata", "Grace", "Mercy", "Hiwot", "Selam", "Esther", "Adaeze", "Nafissatou"},
		male:   []string{"Ibrahim", "Mamadou", "Emeka", "Abdoulaye", "Moussa", "Samuel", "Yonas", "Kwame", "Ousmane", "Chinedu", "Tesfaye", "Daniel", "Sekou", "Babajide"},
		family: []string{"Ndiaye", "Diallo", "Okafor", "Traoré", "Adeyemi", "Mensah", "Bekele", "Okonkwo", "Camara", "Sow", "Keita", "Osei", "Tadesse", "Mohammed", "Ouédraogo", "Nwosu"},
	},
	Americas: {
		female: []string{"María", "Guadalupe", "Ana", "Daniela", "Yesenia", "Rosa", "Carmen", "Luz", "Marie", "Sandra", "Lucía"},
		male:   []string{"José", "Juan", "Carlos", "Luis", "Jean", "Miguel", "Pedro", "Wilson", "Jorge", "Kevin"},
		family: []string{"García", "Hernández", "López", "Martínez", "Rodríguez", "Pérez", "González", "Joseph", "Ramírez", "Flores", "Castillo"},
	},
	Asia: {
		female: []string{"Siti", "Maricel", "Nurul", "Sreymom", "Lan", "Mai", "Anjali", "Fatema", "Gulnara", "Dilnoza", "Ratna", "Mei", "Aye", "Jennifer"},
		male:   []string{"Aung", "Budi", "Jomar", "Sok", "Minh", "Ramesh", "Rahim", "Bakyt", "Jasur", "Somchai", "Wei", "Arjun", "Ahmad"},
		family: []string{"Nguyen", "Tran", "Santos", "Reyes", "Chan", "Win", "Kumar", "Hossain", "Rahman", "Saputra", "Wijaya", "Karimov", "Tamang", "Dela Cruz", "Pham"},
	},
	Europe: {
		female: []string{"Olena", "Natalia", "Iryna", "Maria", "Elena", "Ana", "Svetlana", "Oksana", "Ioana", "Daniela", "Tatiana", "Alina", "Valentina"},
		male:   []string{"Oleksandr", "Ion", "Andrei", "Dmitri", "Mihai", "Sergei", "Artem", "Vasile", "Ivan", "Gheorghe", "Bogdan", "Arben"},
		family: []string{"Kovalenko", "Shevchenko", "Bondarenko", "Popescu", "Rusu", "Ceban", "Moldovan", "Hoxha", "Marin", "Lungu", "Tkachenko", "Melnyk", "Dumitru", "Nikolić"},
	},
}

// Means of control (HTCDS vic_MethodsOfControl) and their chance, for
// forced labour and for sexual exploitation (hand-written after CTDC's
// merged means-of-control shares).
var controlFL = []Share{{"WithholdsDocuments", 0.35}, {"ExcessiveWorkingHours", 0.30}, {"DebtBondage", 0.30},
	{"TakesEarnings", 0.25}, {"PhysicalThreats", 0.35}, {"PsychologicalAbuse", 0.35}, {"PhysicalAbuse", 0.25},
	{"FalsePromises", 0.25}, {"ThreatsLawEnforcement", 0.10}, {"RestrictsFinancialAccess", 0.10}, {"WithholdsNecessities", 0.15}}
var controlSE = []Share{{"SexualAbuse", 0.50}, {"PhysicalAbuse", 0.45}, {"PsychologicalAbuse", 0.50},
	{"PhysicalThreats", 0.45}, {"PsychoactiveSubstance", 0.25}, {"DebtBondage", 0.30}, {"TakesEarnings", 0.35},
	{"FalsePromises", 0.20}, {"ThreatensChildrenFamily", 0.10}, {"WithholdsDocuments", 0.15}, {"RestrictsMedicalCare", 0.10}}

var industries = []Share{{"A_AgricultureForestryAndFishing", 0.18}, {"F_Construction", 0.20},
	{"T_ActivitiesOfHouseholdsAsEmployers", 0.15}, {"C_Manufacturing", 0.12}, {"I_AccommodationAndFoodServiceActivities", 0.10},
	{"G_WholesaleAndRetailTradeRepairOfMotorVehicles", 0.05}, {"H_TransportationAndStorage", 0.04},
	{"B_MiningAndQuarrying", 0.04}, {"S_OtherServiceActivities", 0.05}, {"N_AdministrativeAndSupportServiceActivities", 0.03},
	{"R_ArtsEntertainmentAndRecreation", 0.04}}

var sexTypes = []Share{{"Prostitution", 0.82}, {"Pornography", 0.08}, {"RemoteInteractiveServices", 0.04}, {"PrivateSexualServices", 0.06}}

var otherTypes = []Share{{"ForcedBegging", 0.30}, {"ForcedMarriage", 0.25}, {"Servitude", 0.20},
	{"ForcedMilitaryByNonStateActors", 0.05}, {"OrganRemoval", 0.02}, {"Other", 0.18}}

var recruitment = []Share{{"ThroughFriendsOrSocialEvents", 0.30}, {"ThroughFamilyOrFamilyEvents", 0.10},
	{"ThroughAnOnlineAdvertisement", 0.12}, {"ThroughOnlineSocialNetworks", 0.15}, {"AtWork", 0.10},
	{"AtAPlaceOfBusiness", 0.08}, {"ThroughANewspaperAdvert", 0.03}, {"ThroughATelevisionAdvert", 0.01},
	{"AtAnEducationalInstitution", 0.03}, {"Other", 0.08}}

var apps = []Share{{"Facebook", 0.40}, {"WhatsApp", 0.20}, {"Telegram", 0.10}, {"Instagram", 0.10}, {"Viber", 0.05},
	{"TikTok", 0.05}, {"WeChat", 0.03}, {"Line", 0.03}, {"Other", 0.04}}

var vulnerabilities = []Share{{"Poverty", 0.60}, {"Migration", 0.40}, {"Education", 0.20}, {"Discrimination", 0.10},
	{"WorkEnvironment", 0.15}, {"AbusePhysical", 0.10}, {"MentalHealth", 0.05}, {"Homelessness", 0.05},
	{"Addiction", 0.03}, {"DisabilityAndPhysicalHealth", 0.04}, {"SocialGroup", 0.05}, {"AbuseSocialMedia", 0.03}}

var decisionOrgs = []Share{{"NGO", 0.40}, {"Police", 0.25}, {"NonPoliceGovernmentalOrganization", 0.20},
	{"CourtOrProsecution", 0.10}, {"Other", 0.05}}

var traffickingStatuses = []Share{{"ActualVictimOfTrafficking", 0.70}, {"PossibleVictimOfTrafficking", 0.28}, {"NotAVictimOfTrafficking", 0.02}}

// durationBands are CTDC's traffickMonths bands (0–12, 13–24, 25+) with
// hand-written shares; months are uniform within a band (25+ up to 120).
var durationBands = []struct {
	lo, hi int
	p      float64
}{{0, 12, 0.55}, {13, 24, 0.25}, {25, 120, 0.20}}

var servicesTrafficking = []Share{{"Shelter", 0.45}, {"Medical", 0.55}, {"Psychosocial", 0.50}, {"Legal", 0.35},
	{"Return", 0.20}, {"Reintegration", 0.20}, {"Interpretation", 0.10}, {"Documentation", 0.15}, {"FamilyTracing", 0.05},
	{"Livelihood", 0.10}, {"Financial", 0.10}}
var servicesReturn = []Share{{"Return", 0.90}, {"Reintegration", 0.70}, {"Medical", 0.20}, {"Psychosocial", 0.20},
	{"Documentation", 0.50}, {"Livelihood", 0.40}, {"Education", 0.10}, {"Financial", 0.30}}

var supportPlans = []Share{{"Health", 0.50}, {"SocialCare", 0.40}, {"Legal", 0.25}, {"Livelihood", 0.30},
	{"Financial", 0.20}, {"Education", 0.10}, {"RightsBasedTraining", 0.05}}

var closingReasons = []string{"Assistance completed", "Person returned home", "Lost contact with the person",
	"Person declined further assistance", "Person moved to another country", "Support plan objectives met"}

var commentTexts = []string{"Initial interview held with an interpreter.", "Accompanied to a medical appointment.",
	"Safety assessment updated; no immediate risk identified.", "Contacted the family with the person's agreement.",
	"Legal counselling session held.", "Follow-up call: the person is in stable accommodation.",
	"Discussed options for return and reintegration.", "Referred for psychosocial support."}

var taskTitles = []string{"Follow-up call", "Book a medical appointment", "Renew shelter placement",
	"Prepare the travel documents", "Monitoring visit", "Review the support plan", "Confirm school enrolment"}

// picker draws from weighted shares (weights need not sum to 1).
type picker struct {
	keys []string
	cum  []float64
}

func newPicker(shares []Share) picker {
	p := picker{keys: make([]string, len(shares)), cum: make([]float64, len(shares))}
	total := 0.0
	for i, s := range shares {
		total += s.P
		p.keys[i], p.cum[i] = s.Key, total
	}
	for i := range p.cum {
		p.cum[i] /= total
	}
	return p
}

func (p picker) pick(r *rand.Rand) string {
	x := r.Float64()
	for i, c := range p.cum {
		if x < c {
			return p.keys[i]
		}
	}
	return p.keys[len(p.keys)-1]
}
