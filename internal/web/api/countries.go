package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/web"
)

// Country is the API representation of an area.
type Country struct {
	Code                   string   `json:"code"`
	Kind                   string   `json:"kind"`
	ISO3                   string   `json:"iso3"`
	ISO2                   string   `json:"iso2"`
	M49                    string   `json:"m49"`
	Name                   string   `json:"name"`
	Region                 string   `json:"region"`
	RegionCode             string   `json:"regionCode"`
	SubRegion              string   `json:"subRegion"`
	SubRegionCode          string   `json:"subRegionCode"`
	IntermediateRegion     string   `json:"intermediateRegion"`
	IntermediateRegionCode string   `json:"intermediateRegionCode"`
	SDGRegion              string   `json:"sdgRegion"`
	IncomeGroup            string   `json:"incomeGroup"`
	IncomeGroupCode        string   `json:"incomeGroupCode"`
	WBRegion               string   `json:"wbRegion"`
	UNHCRCode              string   `json:"unhcrCode"`
	Members                []string `json:"members,omitempty"`
}

func countryOf(a geo.Area) Country {
	return Country{
		Code: a.Code, Kind: string(a.Kind), ISO3: a.ISO3, ISO2: a.ISO2, M49: a.M49, Name: a.Name,
		Region: a.Region, RegionCode: a.RegionCode, SubRegion: a.SubRegion, SubRegionCode: a.SubRegionCode,
		IntermediateRegion: a.IntermediateRegion, IntermediateRegionCode: a.IntermediateRegionCode,
		SDGRegion: a.SDGRegion, IncomeGroup: a.IncomeGroup, IncomeGroupCode: a.IncomeGroupCode,
		WBRegion: a.WBRegion, UNHCRCode: a.UNHCRCode, Members: a.Members,
	}
}

// CountryList is a page of countries.
type CountryList struct {
	Items  []Country `json:"items"`
	Total  int       `json:"total"`
	Limit  int       `json:"limit"`
	Offset int       `json:"offset"`
	// Next is the URL of the next page, empty on the last.
	Next string `json:"next,omitempty"`
}

var areaKinds = map[string]geo.Kind{
	"": geo.KindCountry, "country": geo.KindCountry, "world": geo.KindWorld, "region": geo.KindRegion,
	"sub-region": geo.KindSubRegion, "intermediate-region": geo.KindIntermediateRegion,
	"sdg-region": geo.KindSDGRegion, "income-group": geo.KindIncomeGroup,
	"development-group": geo.KindDevelopmentGroup, "aggregate": geo.KindAggregate,
}

func (a *API) listCountries(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	f := geo.Filter{
		Query:     q.str("q", 100),
		Region:    q.str("region", 100),
		SubRegion: q.str("subRegion", 100),
		Limit:     q.intRange("limit", 50, 1, 500),
		Offset:    q.intRange("offset", 0, 0, 1_000_000),
	}
	kind := q.str("kind", 30)
	k, ok := areaKinds[kind]
	if !ok {
		q.fail("kind", "must be one of country, world, region, sub-region, intermediate-region, sdg-region, income-group, development-group, aggregate")
	}
	f.Kind = k
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	if err := a.checkGrouping(r, "region", f.Region, geo.KindRegion); err != nil {
		a.problem(w, r, err)
		return
	}
	if err := a.checkGrouping(r, "subRegion", f.SubRegion, geo.KindSubRegion, geo.KindIntermediateRegion); err != nil {
		a.problem(w, r, err)
		return
	}
	page, err := a.geo.Areas(r.Context(), f)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	out := CountryList{Items: make([]Country, 0, len(page.Areas)), Total: page.Total, Limit: f.Limit, Offset: f.Offset}
	for _, ar := range page.Areas {
		out.Items = append(out.Items, countryOf(ar))
	}
	if next := f.Offset + f.Limit; next < page.Total {
		u := *r.URL
		v := u.Query()
		v.Set("offset", strconv.Itoa(next))
		u.RawQuery = v.Encode()
		out.Next = u.RequestURI()
	}
	web.WriteJSON(w, http.StatusOK, out)
}

func (a *API) getCountry(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("iso3")
	if err := validCode(code); err != nil {
		a.problem(w, r, err)
		return
	}
	area, err := a.geo.Area(r.Context(), code)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, countryOf(area))
}

// validCode accepts area codes: letters, digits and '-' up to 12 characters.
func validCode(code string) error {
	if code == "" || len(code) > 12 {
		return &web.ParamError{Param: "iso3", Reason: "must be 1 to 12 letters, digits or '-'"}
	}
	for _, c := range code {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return &web.ParamError{Param: "iso3", Reason: "must be 1 to 12 letters, digits or '-'"}
		}
	}
	return nil
}

// checkGrouping refuses a region or sub-region filter that names no M49
// grouping: a misspelt region must not look like a region without
// countries.
func (a *API) checkGrouping(r *http.Request, param, value string, kinds ...geo.Kind) error {
	if value == "" {
		return nil
	}
	for _, k := range kinds {
		page, err := a.geo.Areas(r.Context(), geo.Filter{Kind: k, Limit: 500})
		if err != nil {
			return err
		}
		for _, ar := range page.Areas {
			if strings.EqualFold(ar.Name, value) || ar.Code == value || ar.M49 == value {
				return nil
			}
		}
	}
	return &web.ParamError{Param: param, Reason: "no M49 " + strings.ReplaceAll(string(kinds[0]), "-", " ") + " is named or coded " + strconv.Quote(value)}
}
