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
}

// ID returns the message id of one of the capability's texts.
func (c capability) ID(field string) string { return "cap." + c.Key + "." + field }

// capabilityFields are the texts every capability has in the catalogue.
var capabilityFields = []string{"title", "summary", "description", "users", "references", "mandate"}

// capabilities is the capability map, in PRODUCT.md's order. None is built
// yet: each page says so plainly and shows what it will do. When a
// capability gets real pages, its path here moves to its own handlers.
var capabilities = []capability{
	{1, "statistics", "/statistics"},
	{2, "plans", "/development-plans"},
	{3, "labour", "/labour"},
	{4, "cases", "/trafficking-cases"},
	{5, "release", "/trafficking-data"},
	{6, "return", "/return"},
	{7, "remit", "/remittances"},
	{8, "diaspora", "/diaspora"},
	{9, "coord", "/coordination"},
	{10, "dialogue", "/dialogue"},
	{11, "info", "/migrant-information"},
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
