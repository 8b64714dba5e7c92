package ui

import (
	"net/http"
)

// capability is one row of the capability map in PRODUCT.md. Its texts
// live in the catalogue under "cap.<Key>.<field>" (title, summary,
// description, users, references, mandate).
type capability struct {
	Number int    // row number in PRODUCT.md
	Key    string // message-id key, also the nav section
	Path   string // page URL
	// Pages are the parts already built (path and message id of the
	// link); a capability without any says plainly that it is planned.
	Pages []capabilityPart
}

// capabilityPart is a built page of a capability.
type capabilityPart struct{ Path, LabelID string }

// ID returns the message id of one of the capability's texts.
func (c capability) ID(field string) string { return "cap." + c.Key + "." + field }

// capabilityFields are the texts every capability has in the catalogue.
var capabilityFields = []string{"title", "summary", "description", "users", "references", "mandate"}

// capabilities is the capability map, in PRODUCT.md's order. A capability
// not built yet says so plainly and shows what it will do; one that is
// built (in part) links its pages.
var capabilities = []capability{
	{1, "statistics", "/statistics", []capabilityPart{
		{"/countries", "capability.part.countries"}, {"/regions", "capability.part.regions"},
		{"/map", "capability.part.map"}, {"/corridors/MEX-USA", "capability.part.corridor"},
		{"/indicators", "capability.part.indicators"}, {"/api/v1/indicators", "capability.part.api"}}},
	{2, "plans", "/development-plans", []capabilityPart{{"/plans", "capability.part.plans"}}},
	{3, "labour", "/labour-mobility", []capabilityPart{
		{"/vacancies", "capability.part.labourVacancies"}, {"/labour", "capability.part.labourPlanner"},
		{"/labour/vacancies/new", "capability.part.labourEmployer"}, {"/labour/workers/new", "capability.part.labourAgency"},
		{"/api/v1/vacancies", "capability.part.labourAPI"}}},
	{4, "cases", "/trafficking-cases", []capabilityPart{{"/cases", "capability.part.cases"}}},
	{5, "release", "/trafficking-data", []capabilityPart{{"/trafficking", "capability.part.trafficking"}}},
	{6, "return", "/return", []capabilityPart{{"/cases?kind=return", "capability.part.returnCases"}}},
	{7, "remit", "/remittance-prices", []capabilityPart{
		{"/remittances", "capability.part.remitSender"}, {"/remittances/corridors", "capability.part.remitPlanner"},
		{"/remittances/quotes/new", "capability.part.remitQuote"}, {"/api/v1/remittances/quotes", "capability.part.remitAPI"}}},
	{8, "diaspora", "/diaspora", nil},
	{9, "coord", "/coordination", nil},
	{10, "dialogue", "/dialogue", nil},
	{11, "info", "/migrant-information", nil},
}

// capabilityData is the data of a not-yet-built capability's page.
type capabilityData struct {
	capability
	Summary, Description, Users, References, Mandate string
}

// capabilityPage returns the handler of one capability's page.
func (u *UI) capabilityPage(c capability) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, v *view) error {
		v.Title = v.T(c.ID("title"))
		v.Data = capabilityData{
			capability:  c,
			Summary:     v.T(c.ID("summary")),
			Description: v.T(c.ID("description")),
			Users:       v.T(c.ID("users")),
			References:  v.T(c.ID("references")),
			Mandate:     v.T(c.ID("mandate")),
		}
		return u.render(w, http.StatusOK, "capability", v)
	}
}
