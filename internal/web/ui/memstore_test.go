package ui

import (
	"context"
	"slices"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
)

// memStore is an in-memory geo.Store over a geo.Reference, for tests: it
// follows the interface's contract (codes case-insensitive, Kind "" means
// countries, names sorted, Invalid for an out-of-range filter).
type memStore struct{ ref geo.Reference }

func newMemStore(ref geo.Reference) *memStore {
	slices.SortFunc(ref.Areas, func(a, b geo.Area) int { return strings.Compare(a.Name, b.Name) })
	return &memStore{ref: ref}
}

func (s *memStore) Area(_ context.Context, code string) (geo.Area, error) {
	code = geo.NormalizeCode(code)
	if code == "" {
		return geo.Area{}, derrors.Kindf(derrors.Invalid, "empty code")
	}
	for _, a := range s.ref.Areas {
		if code == a.Code || code == a.ISO2 || code == a.ISO3 || (a.M49 != "" && strings.TrimLeft(code, "0") == strings.TrimLeft(a.M49, "0")) {
			return a, nil
		}
	}
	return geo.Area{}, derrors.Kindf(derrors.NotFound, "no area with code %q", code)
}

func (s *memStore) Areas(_ context.Context, f geo.Filter) (geo.Page, error) {
	if f.Limit < 1 || f.Limit > 500 {
		return geo.Page{}, derrors.Kindf(derrors.Invalid, "limit: must be between 1 and 500")
	}
	if f.Offset < 0 {
		return geo.Page{}, derrors.Kindf(derrors.Invalid, "offset: must be 0 or more")
	}
	kind := f.Kind
	if kind == "" {
		kind = geo.KindCountry
	}
	var hits []geo.Area
	for _, a := range s.ref.Areas {
		if a.Kind == kind && s.matches(a, f) {
			hits = append(hits, a)
		}
	}
	p := geo.Page{Total: len(hits)}
	if f.Offset < len(hits) {
		p.Areas = hits[f.Offset:min(len(hits), f.Offset+f.Limit)]
	}
	return p, nil
}

func (s *memStore) matches(a geo.Area, f geo.Filter) bool {
	if f.Region != "" && !strings.EqualFold(f.Region, a.Region) && f.Region != a.RegionCode {
		return false
	}
	if f.SubRegion != "" && !strings.EqualFold(f.SubRegion, a.SubRegion) && f.SubRegion != a.SubRegionCode {
		return false
	}
	if f.Query == "" {
		return true
	}
	q := strings.ToLower(f.Query)
	if strings.Contains(strings.ToLower(a.Name), q) || strings.EqualFold(f.Query, a.ISO2) ||
		strings.EqualFold(f.Query, a.ISO3) || f.Query == a.M49 {
		return true
	}
	for _, al := range s.ref.Aliases {
		if al.AreaCode == a.Code && strings.Contains(strings.ToLower(al.Text), q) {
			return true
		}
	}
	return false
}

func (s *memStore) Reference(context.Context) (geo.Reference, error) { return s.ref, nil }

// testReference is a small slice of the real reference geography (values
// as in the shipped files), enough for the pages' tests.
func testReference() geo.Reference {
	country := func(name, iso3, iso2, m49, region, rc, sub, sc, inter, ic, sdg, income, wb, unhcr string) geo.Area {
		return geo.Area{
			Code: iso3, Kind: geo.KindCountry, Name: name, ISO2: iso2, ISO3: iso3, M49: m49,
			Region: region, RegionCode: rc, SubRegion: sub, SubRegionCode: sc,
			IntermediateRegion: inter, IntermediateRegionCode: ic, SDGRegion: sdg,
			IncomeGroup: income, WBRegion: wb, UNHCRCode: unhcr,
		}
	}
	region := func(kind geo.Kind, name, code string) geo.Area {
		return geo.Area{Code: code, Kind: kind, Name: name, M49: code}
	}
	return geo.Reference{Areas: []geo.Area{
		region(geo.KindRegion, "Africa", "002"),
		region(geo.KindRegion, "Americas", "019"),
		region(geo.KindRegion, "Europe", "150"),
		region(geo.KindSubRegion, "Sub-Saharan Africa", "202"),
		region(geo.KindSubRegion, "Latin America and the Caribbean", "419"),
		region(geo.KindSubRegion, "Southern Europe", "039"),
		region(geo.KindSubRegion, "Western Europe", "155"),
		country("Kenya", "KEN", "KE", "404", "Africa", "002", "Sub-Saharan Africa", "202", "Eastern Africa", "014",
			"Sub-Saharan Africa", "Lower middle income", "Sub-Saharan Africa", "KEN"),
		country("Ethiopia", "ETH", "ET", "231", "Africa", "002", "Sub-Saharan Africa", "202", "Eastern Africa", "014",
			"Sub-Saharan Africa", "Low income", "Sub-Saharan Africa", "ETH"),
		country("Côte d'Ivoire", "CIV", "CI", "384", "Africa", "002", "Sub-Saharan Africa", "202", "Western Africa", "011",
			"Sub-Saharan Africa", "Lower middle income", "Sub-Saharan Africa", "ICO"),
		country("Mexico", "MEX", "MX", "484", "Americas", "019", "Latin America and the Caribbean", "419", "Central America", "013",
			"Latin America and the Caribbean", "Upper middle income", "Latin America & Caribbean", "MEX"),
		country("Spain", "ESP", "ES", "724", "Europe", "150", "Southern Europe", "039", "", "",
			"Europe and Northern America", "High income", "Europe & Central Asia", "SPA"),
		country("France", "FRA", "FR", "250", "Europe", "150", "Western Europe", "155", "", "",
			"Europe and Northern America", "High income", "Europe & Central Asia", "FRA"),
		{Code: "ATA", Kind: geo.KindCountry, Name: "Antarctica", ISO2: "AQ", ISO3: "ATA", M49: "010"},
	}, Aliases: []geo.Alias{
		{Text: "Cote d'Ivoire", AreaCode: "CIV", Source: "corridor"},
		{Text: "Republic of Kenya", AreaCode: "KEN", Source: "corridor"},
	}}
}
