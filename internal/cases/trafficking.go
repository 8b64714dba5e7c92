package cases

import (
	"fmt"
	"math"
	"slices"
)

// Trafficking is the counter-trafficking part of a case: the HTCDS victim
// context (vic_), perpetrators (per_), historic trafficking events (hte_)
// and support plans (spl_). Multiselect picklists are slices of HTCDS
// value names.
type Trafficking struct {
	TraffickingStatus          string   `json:"vic_TraffickingStatus"`
	StatusDecisionMakingOrg    string   `json:"vic_TraffickingStatusDecisionMakingOrg,omitempty"`
	RelationshipToTrafficker   string   `json:"vic_RelationshipToTrafficker,omitempty"`
	AgeWhenTrafficked          *int     `json:"vic_AgeWhenTrafficked,omitempty"`
	RecruitmentWebsitesAndApps []string `json:"vic_RecruitmentWebsitesAndApps,omitempty"`
	MethodOfRecruitment        []string `json:"vic_MethodOfRecruitment,omitempty"`
	MethodsOfControl           []string `json:"vic_MethodsOfControl,omitempty"`
	TypeOfExploitation         []string `json:"vic_TypeOfExploitation,omitempty"`
	// ForcedLabourIndustry is given only for forced or child labour.
	ForcedLabourIndustry string `json:"vic_ForcedLabourIndustry,omitempty"`
	// TypeOfSexExploitation is given only for sexual exploitation.
	TypeOfSexExploitation       []string `json:"vic_TypeOfSexExploitation,omitempty"`
	ExploitationWebsitesAndApps []string `json:"vic_ExploitationWebsitesAndApps,omitempty"`
	Vulnerabilities             []string `json:"vic_Vulnerabilities,omitempty"`
	DetailsOfVulnerabilities    string   `json:"vic_DetailsOfVulnerabilities,omitempty"`

	// Corridor extensions (not in HTCDS), used by CTDC-style statistics:
	// the country of exploitation (ISO3; CTDC CountryOfExploitation) and
	// how long the exploitation lasted in months (CTDC traffickMonths).
	CountryOfExploitation string `json:"corridor_CountryOfExploitation,omitempty"`
	DurationMonths        *int   `json:"corridor_DurationMonths,omitempty"`

	Perpetrators []Perpetrator `json:"perpetrators,omitempty"`
	Events       []Event       `json:"events,omitempty"`
	SupportPlans []SupportPlan `json:"supportPlans,omitempty"`
}

// Has reports whether the case records an exploitation type.
func (t Trafficking) Has(exploitationType string) bool {
	return slices.Contains(t.TypeOfExploitation, exploitationType)
}

// Check returns every problem of the trafficking details; required is
// false for drafts.
func (t Trafficking) Check(required bool) Problems {
	var ps Problems
	ps.oneOf("vic_TraffickingStatus", t.TraffickingStatus, TraffickingStatuses, required)
	ps.oneOf("vic_TraffickingStatusDecisionMakingOrg", t.StatusDecisionMakingOrg, DecisionMakingOrgs, false)
	ps.oneOf("vic_RelationshipToTrafficker", t.RelationshipToTrafficker, RelationshipsToTrafficker, false)
	ps.intRange("vic_AgeWhenTrafficked", t.AgeWhenTrafficked, 0, 120)
	ps.multi("vic_RecruitmentWebsitesAndApps", t.RecruitmentWebsitesAndApps, WebsitesAndApps, false)
	ps.multi("vic_MethodOfRecruitment", t.MethodOfRecruitment, RecruitmentMethods, false)
	ps.multi("vic_MethodsOfControl", t.MethodsOfControl, MethodsOfControl, false)
	// A person found not to be a victim has no exploitation to record.
	needType := required && t.TraffickingStatus != "" && t.TraffickingStatus != "NotAVictimOfTrafficking"
	ps.multi("vic_TypeOfExploitation", t.TypeOfExploitation, ExploitationTypes, needType)
	ps.oneOf("vic_ForcedLabourIndustry", t.ForcedLabourIndustry, Industries, false)
	if t.ForcedLabourIndustry != "" && !t.Has(ForcedLabour) && !t.Has(ChildLabour) {
		ps.add("vic_ForcedLabourIndustry", "needsForcedLabour", nil, "given only when the type of exploitation includes ForcedLabour or ChildLabour")
	}
	ps.multi("vic_TypeOfSexExploitation", t.TypeOfSexExploitation, SexExploitationTypes, false)
	if len(t.TypeOfSexExploitation) > 0 && !t.Has(SexualExploitation) {
		ps.add("vic_TypeOfSexExploitation", "needsSexualExploitation", nil, "given only when the type of exploitation includes SexualExploitation")
	}
	ps.multi("vic_ExploitationWebsitesAndApps", t.ExploitationWebsitesAndApps, WebsitesAndApps, false)
	ps.multi("vic_Vulnerabilities", t.Vulnerabilities, Vulnerabilities, false)
	ps.text("vic_DetailsOfVulnerabilities", t.DetailsOfVulnerabilities, false, true, MaxLongText)
	ps.iso3("corridor_CountryOfExploitation", t.CountryOfExploitation, false)
	ps.intRange("corridor_DurationMonths", t.DurationMonths, 0, 1200)
	if len(t.Perpetrators) > 100 || len(t.Events) > 200 || len(t.SupportPlans) > 100 {
		ps.add("trafficking", "tooMany", nil, "at most 100 perpetrators, 200 events and 100 support plans")
	}
	for i, p := range t.Perpetrators {
		ps.merge(fmt.Sprintf("perpetrators[%d].", i), p.Check(required))
	}
	for i, e := range t.Events {
		ps.merge(fmt.Sprintf("events[%d].", i), e.Check(required))
	}
	for i, s := range t.SupportPlans {
		ps.merge(fmt.Sprintf("supportPlans[%d].", i), s.Check(required))
	}
	return ps
}

// Perpetrator is a person involved in the trafficking (per_), recorded
// without identifying details.
type Perpetrator struct {
	Roles       []string `json:"per_RoleInProcess"`
	RoleDetails string   `json:"per_RoleDetails,omitempty"`
	Gender      string   `json:"prs_Gender,omitempty"`
	Citizenship string   `json:"prs_Citizenship,omitempty"` // ISO3
}

// Check returns every problem of a perpetrator.
func (p Perpetrator) Check(required bool) Problems {
	var ps Problems
	ps.multi("per_RoleInProcess", p.Roles, PerpetratorRoles, required)
	ps.text("per_RoleDetails", p.RoleDetails, false, true, MaxLongText)
	ps.oneOf("prs_Gender", p.Gender, Genders, false)
	ps.iso3("prs_Citizenship", p.Citizenship, false)
	return ps
}

// Event is a historic trafficking event (hte_): where and when the person
// was recruited, moved or exploited. The date may be partial (YYYY or
// YYYY-MM) because survivors often recall only the month or year.
type Event struct {
	Type        string   `json:"hte_Type"`
	Date        string   `json:"hte_Date,omitempty"`
	Country     string   `json:"hte_Country"` // ISO3 (HTCDS: text)
	State       string   `json:"hte_State,omitempty"`
	City        string   `json:"hte_City,omitempty"`
	Latitude    *float64 `json:"hte_Latitude,omitempty"`
	Longitude   *float64 `json:"hte_Longitude,omitempty"`
	Description string   `json:"hte_Description,omitempty"`
}

// Check returns every problem of an event.
func (e Event) Check(required bool) Problems {
	var ps Problems
	ps.oneOf("hte_Type", e.Type, EventTypes, true)
	ps.partialDate("hte_Date", e.Date)
	ps.iso3("hte_Country", e.Country, required)
	ps.text("hte_State", e.State, false, false, MaxText)
	ps.text("hte_City", e.City, false, false, MaxText)
	ps.text("hte_Description", e.Description, false, true, MaxLongText)
	switch {
	case (e.Latitude == nil) != (e.Longitude == nil):
		ps.add("hte_Latitude", "coordinates", nil, "latitude and longitude are given together")
	case e.Latitude != nil && (math.IsNaN(*e.Latitude) || *e.Latitude < -90 || *e.Latitude > 90):
		ps.add("hte_Latitude", "range", map[string]any{"Min": -90, "Max": 90}, "from -90 to 90")
	case e.Longitude != nil && (math.IsNaN(*e.Longitude) || *e.Longitude < -180 || *e.Longitude > 180):
		ps.add("hte_Longitude", "range", map[string]any{"Min": -180, "Max": 180}, "from -180 to 180")
	}
	return ps
}

// SupportPlan is an HTCDS support plan (spl_).
type SupportPlan struct {
	Type           string `json:"spl_Type"`
	Objectives     string `json:"spl_Objectives"`
	ActionPlan     string `json:"spl_ActionPlan,omitempty"`
	PlannedEndDate string `json:"spl_PlannedEndDate,omitempty"`
	ActualEndDate  string `json:"spl_ActualEndDate,omitempty"`
}

// Check returns every problem of a support plan.
func (s SupportPlan) Check(required bool) Problems {
	var ps Problems
	ps.oneOf("spl_Type", s.Type, SupportPlanTypes, true)
	ps.text("spl_Objectives", s.Objectives, required, true, MaxLongText)
	ps.text("spl_ActionPlan", s.ActionPlan, false, true, MaxLongText)
	ps.date("spl_PlannedEndDate", s.PlannedEndDate, false)
	ps.date("spl_ActualEndDate", s.ActualEndDate, false)
	return ps
}
