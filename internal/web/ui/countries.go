package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
)

// Listing bounds. maxLimit is the store's own upper bound (geo.Filter).
const (
	defaultLimit = 25
	maxLimit     = 500
	maxQueryLen  = 100
)

// countrySearch is a validated /countries query.
type countrySearch struct {
	Q, Region, SubRegion string
	Offset, Limit        int
}

// countriesPage is the data of the countries template.
type countriesPage struct {
	countrySearch
	Regions, SubRegions []option
	Rows                []geo.Area
	Total               int
	From, To            int // 1-based positions of the rows shown
	Pager               pager
}

// option is one entry of a select.
type option struct {
	Value    string
	Selected bool
}

// countries lists countries and territories, with search, region filters
// and pagination, all as GET parameters so every result page has a URL.
func (u *UI) countries(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	regions, err := u.areaNames(ctx, geo.KindRegion)
	if err != nil {
		return err
	}
	subRegions, err := u.areaNames(ctx, geo.KindSubRegion)
	if err != nil {
		return err
	}
	s, err := parseCountrySearch(r.URL.Query(), regions, subRegions)
	if err != nil {
		return err
	}
	page, err := u.geo.Areas(ctx, geo.Filter{
		Query: s.Q, Region: s.Region, SubRegion: s.SubRegion, Offset: s.Offset, Limit: s.Limit,
	})
	if err != nil {
		return err
	}
	data := countriesPage{
		countrySearch: s,
		Regions:       options(regions, s.Region),
		SubRegions:    options(subRegions, s.SubRegion),
		Rows:          page.Areas,
		Total:         page.Total,
		Pager:         newPager(s, page.Total),
	}
	if len(page.Areas) > 0 {
		data.From, data.To = s.Offset+1, s.Offset+len(page.Areas)
	}
	v.Title, v.Data = v.T("countries.title"), data
	return u.render(w, http.StatusOK, "countries", v)
}

// parseCountrySearch validates the query parameters; the first bad one is
// the error, named. Region names are matched case-insensitively and
// returned as the data spells them.
func parseCountrySearch(q url.Values, regions, subRegions []string) (countrySearch, error) {
	s := countrySearch{Q: strings.TrimSpace(q.Get("q")), Limit: defaultLimit}
	if n := utf8.RuneCountInString(s.Q); n > maxQueryLen {
		return s, &paramError{Param: "q", ReasonID: "error.reason.tooLong", Data: map[string]any{"Max": maxQueryLen}}
	}
	var err error
	if s.Region, err = pickName("region", q.Get("region"), regions); err != nil {
		return s, err
	}
	if s.SubRegion, err = pickName("subregion", q.Get("subregion"), subRegions); err != nil {
		return s, err
	}
	if s.Offset, err = intParam(q, "offset", 0, 0, -1); err != nil {
		return s, err
	}
	if s.Limit, err = intParam(q, "limit", defaultLimit, 1, maxLimit); err != nil {
		return s, err
	}
	return s, nil
}

// intParam parses an integer parameter in [min, max] (max < 0: no upper
// bound); an absent or empty parameter takes the default.
func intParam(q url.Values, name string, def, min, max int) (int, error) {
	raw := strings.TrimSpace(q.Get(name))
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, &paramError{Param: name, ReasonID: "error.reason.notInteger"}
	}
	switch {
	case max >= 0 && (n < min || n > max):
		return 0, &paramError{Param: name, ReasonID: "error.reason.range", Data: map[string]any{"Min": min, "Max": max}}
	case n < min:
		return 0, &paramError{Param: name, ReasonID: "error.reason.min", Data: map[string]any{"Min": min}}
	}
	return n, nil
}

// pickName returns the known name that raw stands for ("" for none).
func pickName(param, raw string, known []string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	for _, k := range known {
		if strings.EqualFold(k, raw) {
			return k, nil
		}
	}
	return "", &paramError{Param: param, ReasonID: "error.reason.unknownRegion", Data: map[string]any{"Value": raw}}
}

// areaNames lists the names of the areas of one kind (the M49 regions or
// sub-regions), sorted by the store.
func (u *UI) areaNames(ctx context.Context, kind geo.Kind) ([]string, error) {
	page, err := u.geo.Areas(ctx, geo.Filter{Kind: kind, Limit: maxLimit})
	if err != nil {
		return nil, fmt.Errorf("listing %s areas: %w", kind, err)
	}
	names := make([]string, 0, len(page.Areas))
	for _, a := range page.Areas {
		names = append(names, a.Name)
	}
	return names, nil
}

func options(values []string, selected string) []option {
	out := make([]option, len(values))
	for i, val := range values {
		out[i] = option{Value: val, Selected: val == selected}
	}
	return out
}

// pager holds the links between result pages ("" where there is none).
type pager struct {
	First, Previous, Next, Last string
	Page, Pages                 int
}

func newPager(s countrySearch, total int) pager {
	return offsetPager(s.Offset, s.Limit, total, s.url)
}

// url is the /countries URL of the same search at another offset. The
// language is left out: the cookie carries it.
func (s countrySearch) url(offset int) string {
	q := url.Values{}
	for name, val := range map[string]string{"q": s.Q, "region": s.Region, "subregion": s.SubRegion} {
		if val != "" {
			q.Set(name, val)
		}
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	if s.Limit != defaultLimit {
		q.Set("limit", strconv.Itoa(s.Limit))
	}
	if len(q) == 0 {
		return "/countries"
	}
	return "/countries?" + q.Encode()
}

// countryCode is what /countries/{iso3} accepts: an ISO 3166-1 alpha-2 or
// alpha-3 code or an M49 number, in any case.
var countryCode = regexp.MustCompile(`^(?:[A-Za-z]{2,3}|[0-9]{1,3})$`)

// countryPage is the data of the country template.
type countryPage struct {
	Area                    geo.Area
	RegionURL, SubRegionURL string
	Stats                   *countryStats // migration statistics (stats_pages.go)
}

// country shows the reference facts of one country. Any code that names
// it (kEn, KE, 404) redirects to the canonical /countries/KEN.
func (u *UI) country(w http.ResponseWriter, r *http.Request, v *view) error {
	code := r.PathValue("iso3")
	if !countryCode.MatchString(code) {
		return &paramError{Param: "iso3", ReasonID: "error.reason.code"}
	}
	area, err := u.geo.Area(r.Context(), code)
	if errors.Is(err, derrors.NotFound) || (err == nil && !area.IsCountry()) {
		return &countryNotFound{Code: code}
	}
	if err != nil {
		return err
	}
	if code != area.Code {
		target := "/countries/" + url.PathEscape(area.Code)
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return nil
	}
	cs, err := u.countryStatistics(r.Context(), v, area)
	if err != nil {
		return err
	}
	v.Title = area.Name
	v.Data = countryPage{
		Area:         area,
		RegionURL:    filterURL("region", area.Region),
		SubRegionURL: filterURL("subregion", area.SubRegion),
		Stats:        cs,
	}
	return u.render(w, http.StatusOK, "country", v)
}

// filterURL links to the countries listing filtered by one region.
func filterURL(param, name string) string {
	if name == "" {
		return ""
	}
	return "/countries?" + url.Values{param: {name}}.Encode()
}
