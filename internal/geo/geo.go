// Package geo is Corridor's reference geography: countries and areas with
// their ISO 3166-1 and UN M49 codes, M49 regions, SDG regions and World Bank
// income groups, the aggregates that datasets publish (world, regions,
// income groups, "Channel Islands"), and a matcher from every spelling and
// code the shipped datasets use to an area.
//
// The package holds types, validation and logic only; storage lives in
// internal/store and HTTP in internal/web.
package geo

import (
	"context"
	"strings"
)

// Kind says what an area is.
type Kind string

const (
	KindCountry            Kind = "country"             // a country or territory (ISO 3166-1 or UN location)
	KindWorld              Kind = "world"               // the world (M49 001)
	KindRegion             Kind = "region"              // M49 region (Africa, 002)
	KindSubRegion          Kind = "sub-region"          // M49 sub-region (Sub-Saharan Africa, 202)
	KindIntermediateRegion Kind = "intermediate-region" // M49 intermediate region (Eastern Africa, 014)
	KindSDGRegion          Kind = "sdg-region"          // UN SDG region (Sub-Saharan Africa, 947)
	KindIncomeGroup        Kind = "income-group"        // income group (World Bank; UN DESA's own codes)
	KindDevelopmentGroup   Kind = "development-group"   // UN development group (more/less developed, LDCs)
	KindAggregate          Kind = "aggregate"           // any other declared aggregate (WB regions, Channel Islands, …)
)

// Area is a country or an aggregate of countries.
//
// Code is the stable key used everywhere in Corridor: the ISO 3166-1
// alpha-3 code for countries (user-assigned XKX for Kosovo), the UN M49
// numeric code for UN aggregates ("001", "002", "1503"), and "WB-" plus
// the World Bank code for World Bank aggregates ("WB-HIC"). The three forms
// never collide.
type Area struct {
	Code string `json:"code"`
	Kind Kind   `json:"kind"`
	Name string `json:"name"`

	ISO2 string `json:"iso2,omitempty"`
	ISO3 string `json:"iso3,omitempty"`
	M49  string `json:"m49,omitempty"` // zero-padded to three digits for countries and M49 regions

	Region                 string `json:"region,omitempty"`
	RegionCode             string `json:"regionCode,omitempty"`
	SubRegion              string `json:"subRegion,omitempty"`
	SubRegionCode          string `json:"subRegionCode,omitempty"`
	IntermediateRegion     string `json:"intermediateRegion,omitempty"`
	IntermediateRegionCode string `json:"intermediateRegionCode,omitempty"`
	SDGRegion              string `json:"sdgRegion,omitempty"`
	SDGRegionCode          string `json:"sdgRegionCode,omitempty"`
	IncomeGroup            string `json:"incomeGroup,omitempty"`     // World Bank, e.g. "Lower middle income"
	IncomeGroupCode        string `json:"incomeGroupCode,omitempty"` // e.g. "WB-LMC"
	WBRegion               string `json:"wbRegion,omitempty"`        // World Bank region, e.g. "Sub-Saharan Africa"
	UNHCRCode              string `json:"unhcrCode,omitempty"`       // UNHCR's own code, e.g. "ALG" for Algeria
	UNHCRRegion            string `json:"unhcrRegion,omitempty"`
	// Members lists the codes of the countries in an aggregate, where known.
	Members []string `json:"members,omitempty"`
}

// IsCountry reports whether the area is a single country or territory.
func (a Area) IsCountry() bool { return a.Kind == KindCountry }

// Alias is one spelling or code that names an area in some source.
type Alias struct {
	Text     string `json:"text"`     // as written in the source
	AreaCode string `json:"areaCode"` // Area.Code
	Source   string `json:"source"`   // e.g. "iso3166", "undesa", "wdi", "unhcr", "iom", "corridor"
}

// Reference is the whole reference geography: areas and their aliases.
type Reference struct {
	Areas   []Area
	Aliases []Alias
}

// Filter selects areas in a listing.
type Filter struct {
	Kind      Kind   // "" = countries only
	Region    string // M49 region name or code, case-insensitive ("Africa", "002")
	SubRegion string // M49 sub-region name or code
	Query     string // substring of the name or any alias, or an exact code
	Limit     int    // 1..500
	Offset    int    // >= 0
}

// Page is one page of a listing.
type Page struct {
	Areas []Area `json:"items"`
	Total int    `json:"total"`
}

// Store reads the stored reference geography.
type Store interface {
	// Area returns the area with the code (Area.Code, ISO2, ISO3 or M49,
	// case-insensitive). It returns an error wrapping derrors.NotFound when
	// there is none, derrors.Invalid for a malformed code.
	Area(ctx context.Context, code string) (Area, error)
	// Areas lists areas by name. It returns an error wrapping
	// derrors.Invalid when the filter is out of range.
	Areas(ctx context.Context, f Filter) (Page, error)
	// Reference returns all areas and aliases, for building a Matcher.
	Reference(ctx context.Context) (Reference, error)
}

// NormalizeCode upper-cases and trims a code typed by a user.
func NormalizeCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
