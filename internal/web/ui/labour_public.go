package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/labour/esco"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/api"
)

// The public pages: the vacancy search, one vacancy with its rights, and
// the planners' overview. They show published vacancies and aggregates
// only: no worker, no personal field.

const vacanciesPerPage = 20

// vacancyCard is a published vacancy as the search and its page show it.
type vacancyCard struct {
	ID                      int64
	URL, Title, Org         string
	Destination, Place      string
	Wage, Hours, Contract   string
	Housing                 string
	Channel, ChannelName    string
	NoFees                  bool
	Start                   string
	Open, Positions         int
	Occupation, ISCO        string
	Sector                  string
	Essential, Optional     []string
	Languages               []string
	Education               string
	Qualifications          string
	Experience, Description string
}

func (v *view) vacancyCard(tax *esco.Taxonomy, names map[string]string, vc labour.Vacancy) vacancyCard {
	c := vacancyCard{ID: vc.ID, URL: "/vacancies/" + idString(vc.ID), Title: vc.Title, Org: vc.OrgName,
		Destination: countryLabel(names, vc.Destination), Place: vc.Place,
		Wage:     v.T("labour.perMonth", "Value", v.money(vc.MonthlyWage, vc.Currency)),
		Hours:    v.T("labour.hoursWeek", "Count", vc.HoursPerWeek),
		Contract: v.T("labour.months", "Count", vc.ContractMonths),
		Housing:  v.label("labour.housing", vc.Housing, vc.Housing),
		Channel:  v.label("labour.channel", vc.Channel.Kind, vc.Channel.Kind), ChannelName: vc.Channel.Name,
		NoFees: vc.Fees.EmployerPays && vc.Fees.WorkerFee == 0, Start: vc.StartDate, Open: vc.Open(), Positions: vc.Positions,
		Occupation: occupationLabel(tax, vc.Occupation), ISCO: iscoLabel(tax, vc.ISCO), Sector: v.sectorLabel(vc.Sector),
		Essential: skillLabels(tax, vc.Essential), Optional: skillLabels(tax, vc.Optional), Languages: languageTexts(vc.Languages),
		Education: v.T("labour.isced." + strconv.Itoa(vc.Education)), Qualifications: vc.Qualifications, Description: vc.Description,
		Experience: v.T("labour.years", "Count", vc.ExperienceYears)}
	return c
}

type vacancySearchPage struct {
	Destinations, Sectors []mapOption
	Occ, Q                string
	Asked                 bool
	ISCO, ISCOText        string // the ISCO group the occupation was resolved to
	OccNotFound           bool
	OccWords              []string // the occupations the words matched as well
	Results               []vacancyCard
	Total                 int
	From, To              int
	Prev, Next            string
	APIURL                string
	Mine                  bool // a worker's own account: the link to their profile
}

// isWorkerAccount reports whether p is a worker's own account (workers
// created and read at their own scope only): the one who sees /labour/me.
func isWorkerAccount(p *auth.Principal) bool {
	return p.Scope("workers", auth.Create) == auth.ScopeOwn && p.Scope("workers", auth.Read) == auth.ScopeOwn
}

func (u *UI) vacancySearch(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	q := r.URL.Query()
	dest, err := remitCode(q, "destination")
	if err != nil {
		return err
	}
	sector := strings.ToUpper(strings.TrimSpace(q.Get("sector")))
	if sector != "" && labour.SectorNames[sector] == "" {
		return &paramError{Param: "sector", ReasonID: "labour.error.sector"}
	}
	occ, words := strings.TrimSpace(q.Get("occ")), strings.TrimSpace(q.Get("q"))
	if len([]rune(occ)) > 100 || len([]rune(words)) > 100 {
		return &paramError{Param: "q", ReasonID: "error.reason.tooLong", Data: map[string]any{"Max": 100}}
	}
	// isco is an ISCO-08 code prefix, as the API takes it.
	isco := strings.TrimSpace(q.Get("isco"))
	if isco != "" && !isDigitsN(isco, 1, 4) {
		return &paramError{Param: "isco", ReasonID: "vacancies.error.isco"}
	}
	offset := 0
	if s := q.Get("offset"); s != "" {
		if offset, err = strconv.Atoi(s); err != nil || offset < 0 || offset > 1_000_000 {
			return &paramError{Param: "offset", ReasonID: "error.reason.min", Data: map[string]any{"Min": 0}}
		}
	}
	tax, err := u.labourTaxonomy(ctx)
	if err != nil {
		return err
	}
	p := vacancySearchPage{Occ: occ, Q: words, Asked: dest != "" || sector != "" || occ != "" || words != "" || isco != "",
		Mine: isWorkerAccount(web.PrincipalFrom(ctx))}
	f := store.VacancyFilter{Destination: dest, Sector: sector, Q: words, ISCO: isco, Limit: vacanciesPerPage, Offset: offset}
	// The words find vacancies whose occupation they name too (its labels
	// and synonyms), whatever the vacancy's title: "welder" finds a "hull
	// fitter" whose occupation is welder (as the API does).
	if words != "" && tax != nil {
		for _, h := range tax.SearchOccupations(words, 50) {
			f.Occupations = append(f.Occupations, h.Occupation.URI)
			if len(p.OccWords) < 5 {
				p.OccWords = append(p.OccWords, h.Occupation.Label)
			}
		}
	}
	if occ != "" && isco == "" {
		// An ISCO code is a prefix; a label or an ESCO code is resolved
		// through the taxonomy to its unit group.
		if isDigitsN(occ, 1, 4) {
			f.ISCO = occ
		} else if tax != nil {
			if hits := tax.SearchOccupations(occ, 1); len(hits) > 0 {
				f.ISCO = hits[0].Occupation.ISCOGroup
			}
		}
		if f.ISCO == "" {
			p.OccNotFound = true
		} else {
			p.ISCO, p.ISCOText = f.ISCO, iscoLabel(tax, f.ISCO)
		}
	} else if isco != "" {
		p.ISCO, p.ISCOText = isco, iscoLabel(tax, isco)
	}
	names, err := u.labourNames(ctx)
	if err != nil {
		return err
	}
	if !p.OccNotFound {
		vs, total, err := u.db.Labour().Vacancies(ctx, web.PrincipalFrom(ctx), f)
		if err != nil {
			return err
		}
		p.Total = total
		for _, vc := range vs {
			p.Results = append(p.Results, v.vacancyCard(tax, names, vc))
		}
		if len(vs) > 0 {
			p.From, p.To = offset+1, offset+len(vs)
		}
		page := func(off int) string {
			qq := url.Values{}
			for k, val := range map[string]string{"destination": dest, "sector": sector, "occ": occ, "q": words, "isco": isco} {
				if val != "" {
					qq.Set(k, val)
				}
			}
			if off > 0 {
				qq.Set("offset", strconv.Itoa(off))
			}
			if len(qq) == 0 {
				return "/vacancies"
			}
			return "/vacancies?" + qq.Encode()
		}
		if offset > 0 {
			p.Prev = page(max(0, offset-vacanciesPerPage))
		}
		if offset+len(vs) < total {
			p.Next = page(offset + vacanciesPerPage)
		}
	}
	if p.Destinations, err = u.labourCountryOptions(ctx, v, dest); err != nil {
		return err
	}
	p.Destinations[0].Label = v.T("labour.anyCountry")
	p.Sectors = append([]mapOption{{Value: "", Label: v.T("labour.anySector")}}, v.sectorOptions(sector)...)
	api := url.Values{}
	if dest != "" {
		api.Set("destination", dest)
	}
	if f.ISCO != "" {
		api.Set("isco", f.ISCO)
	}
	if sector != "" {
		api.Set("sector", sector)
	}
	if words != "" {
		api.Set("q", words)
	}
	p.APIURL = "/api/v1/vacancies"
	if len(api) > 0 {
		p.APIURL += "?" + api.Encode()
	}
	v.Title, v.Data = v.T("vacancies.title"), p
	return u.render(w, http.StatusOK, "vacancies", v)
}

func isDigitsN(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// rightView is one right translated with its explanation.
type rightView struct{ Code, Title, Text string }

type vacancyPage struct {
	vacancyCard
	// Recruiter names the recruiter and its certification status, so a
	// migrant can check whom they deal with.
	Recruiter string
	Rights    []rightView
	APIURL    string
	Updated   string
}

func (u *UI) vacancyPublic(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	id, err := labourPathID(r, "vacancy")
	if err != nil {
		return err
	}
	vc, err := u.db.Labour().Vacancy(ctx, web.PrincipalFrom(ctx), id)
	if err != nil {
		return err
	}
	// The public page shows published vacancies only, whoever asks: a
	// draft is the employer's, seen on the employer's pages.
	if vc.Status != labour.VacancyPublished {
		return derrors.Kindf(derrors.NotFound, "no vacancy %d", id)
	}
	tax, err := u.labourTaxonomy(ctx)
	if err != nil {
		return err
	}
	names, err := u.labourNames(ctx)
	if err != nil {
		return err
	}
	p := vacancyPage{vacancyCard: v.vacancyCard(tax, names, vc), APIURL: "/api/v1/vacancies/" + idString(id)}
	if !vc.PublishedAt.IsZero() {
		p.Updated = vc.PublishedAt.UTC().Format("2006-01-02")
	}
	if vc.RecruiterID != 0 {
		if rc, err := u.db.Labour().Recruiter(ctx, vc.RecruiterID); err == nil {
			p.Recruiter = rc.Name + " (" + countryLabel(names, rc.Country) + ") — " + v.T("labour.cert."+rc.Certification)
			if rc.Expired {
				p.Recruiter += ", " + v.T("labour.recruiters.expired")
			}
		}
	}
	for _, code := range labour.RightsOf(vc) {
		p.Rights = append(p.Rights, rightView{Code: code, Title: v.T("labour.right." + code), Text: v.T("labour.right." + code + ".text")})
	}
	v.Title, v.Data = vc.Title, p
	return u.render(w, http.StatusOK, "vacancies_detail", v)
}

// ---- the planners' overview

type costGroupRow struct {
	Corridor, Occupation string
	Workers              int
	Mean, Median         string
	PayingFees           int
	Flagged              bool
}

type recruiterRow struct {
	Name, Country, Certification string
	WorkersPayingFees            int
}

type marketRow struct {
	Origin, Destination, Occupation string
	Supply, Demand, Potential       int
}

type drainRow struct {
	Origin, Occupation    string
	Supply, DemandAbroad  int
	Ratio, Level, LevelID string
}

type demandRow struct {
	Destination, Occupation string
	Open                    int
}

type labourOverviewPage struct {
	Number                       int
	ByCorridor, ByOccupation     []costGroupRow
	WithheldCorridor, WithheldOc int
	Observations                 int
	MinWorkers                   int
	Recruiters, Flagged          []recruiterRow
	Demand                       []demandRow
	Meetings                     []marketRow
	Risks                        []drainRow
	WithheldSupply               int
	SignedIn                     bool
	Mine                         bool // a worker's own account: the link to their profile
}

func (u *UI) labourOverview(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	l := u.db.Labour()
	tax, err := u.labourTaxonomy(ctx)
	if err != nil {
		return err
	}
	names, err := u.labourNames(ctx)
	if err != nil {
		return err
	}
	obs, err := l.RecruitmentCosts(ctx)
	if err != nil {
		return err
	}
	p := labourOverviewPage{Number: 3, Observations: len(obs), MinWorkers: api.MinPublicCell, SignedIn: v.SignedIn,
		Mine: isWorkerAccount(web.PrincipalFrom(ctx))}
	rows := func(key func(labour.WorkerCost) labour.CostGroup) (out []costGroupRow, withheld int) {
		for _, g := range labour.GroupCosts(obs, key) {
			if g.Workers < api.MinPublicCell {
				withheld++
				continue
			}
			row := costGroupRow{Workers: g.Workers, Mean: v.num(g.Mean, 2), Median: v.num(g.Median, 2), PayingFees: g.PayingFees, Flagged: g.Flagged}
			if g.ISCO != "" {
				row.Occupation = iscoLabel(tax, g.ISCO)
			} else {
				row.Corridor = countryLabel(names, g.Origin) + " → " + countryLabel(names, g.Destination)
			}
			out = append(out, row)
		}
		return out, withheld
	}
	p.ByCorridor, p.WithheldCorridor = rows(labour.ByCorridor)
	p.ByOccupation, p.WithheldOc = rows(labour.ByOccupation)
	rs, err := l.Recruiters(ctx)
	if err != nil {
		return err
	}
	for _, rc := range rs {
		row := recruiterRow{Name: rc.Name, Country: countryLabel(names, rc.Country),
			Certification: v.label("labour.cert", rc.Certification, rc.Certification), WorkersPayingFees: rc.WorkersPayingFees}
		p.Recruiters = append(p.Recruiters, row)
		if rc.Flagged {
			p.Flagged = append(p.Flagged, row)
		}
	}
	demand, supply, err := l.LabourMarket(ctx)
	if err != nil {
		return err
	}
	// Registered workers are people: a supply cell under MinPublicCell
	// is withheld from every figure (as the API does).
	var shown []labour.Supply
	for _, s := range supply {
		if s.Workers < api.MinPublicCell {
			p.WithheldSupply++
			continue
		}
		shown = append(shown, s)
	}
	for _, d := range demand {
		p.Demand = append(p.Demand, demandRow{Destination: countryLabel(names, d.Destination), Occupation: iscoLabel(tax, d.ISCO), Open: d.Open})
	}
	meetings, risks := labour.Market(demand, shown)
	for i, m := range meetings {
		if i == 50 {
			break
		}
		p.Meetings = append(p.Meetings, marketRow{Origin: countryLabel(names, m.Origin), Destination: countryLabel(names, m.Destination),
			Occupation: iscoLabel(tax, m.ISCO), Supply: m.Supply, Demand: m.Demand, Potential: m.Potential})
	}
	for _, d := range risks {
		p.Risks = append(p.Risks, drainRow{Origin: countryLabel(names, d.Origin), Occupation: iscoLabel(tax, d.ISCO), Supply: d.Supply,
			DemandAbroad: d.DemandAbroad, Ratio: v.num(d.Ratio, 2), Level: v.label("labour.drain", d.Level, d.Level), LevelID: d.Level})
	}
	v.Title, v.Data = v.T("cap.labour.title"), p
	return u.render(w, http.StatusOK, "labour", v)
}
