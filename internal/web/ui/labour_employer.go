package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/labour/esco"
	"github.com/corridor-platform/corridor/internal/labour/match"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// The employer's pages: post a vacancy, the organisation's vacancies
// (publish, withdraw) and a vacancy's ranked candidates.

const vacancyLanguageRows = 3

// vacancyLabels are the vacancy form's controls and their label ids.
var vacancyLabels = map[string]string{
	"title": "labour.field.title", "description": "labour.field.description", "occupation": "labour.field.occupation",
	"isco": "labour.field.isco", "sector": "labour.field.sector", "positions": "labour.field.positions",
	"destination": "labour.field.destination", "place": "labour.field.place", "startDate": "labour.field.startDate",
	"essentialSkills": "labour.field.essentialSkills", "optionalSkills": "labour.field.optionalSkills",
	"education": "labour.field.education", "qualifications": "labour.field.qualifications", "experienceYears": "labour.field.experienceYears",
	"monthlyWage": "labour.field.monthlyWage", "currency": "labour.field.currency", "hoursPerWeek": "labour.field.hoursPerWeek",
	"contractMonths": "labour.field.contractMonths", "housing": "labour.field.housing", "channel.kind": "labour.field.channelKind",
	"channel.name": "labour.field.channelName", "recruiterId": "labour.field.recruiter",
	"feePolicy.employerPays": "labour.field.employerPays", "feePolicy.workerFee": "labour.field.workerFee",
	"feePolicy.note": "labour.field.feeNote", "status": "labour.field.status", "filled": "labour.field.positions",
}

type vacancyFormPage struct {
	Form     *form
	Sets     []lfieldset
	Taxonomy bool
}

func (u *UI) vacancyFieldsets(r *http.Request, v *view, vals map[string]string) ([]lfieldset, error) {
	ctx := r.Context()
	countries, err := u.labourCountryOptions(ctx, v, vals["destination"])
	if err != nil {
		return nil, err
	}
	recs, err := u.db.Labour().Recruiters(ctx)
	if err != nil {
		return nil, err
	}
	recOpts := []mapOption{{Value: "", Label: v.T("labour.recruiter.self")}}
	for _, rc := range recs {
		recOpts = append(recOpts, mapOption{Value: idString(rc.ID), Label: rc.Name + " (" + rc.Country + ", " +
			v.label("labour.cert", rc.Certification, rc.Certification) + ")", Selected: vals["recruiterId"] == idString(rc.ID)})
	}
	fld := func(name, kind string, req bool) lfield {
		f := lfield{Name: name, ID: fieldID("vac", name), Label: v.T(vacancyLabels[name]), Kind: kind, Value: vals[name], Required: req}
		if v.u.catalog.Has("labour.hint." + name) {
			f.Hint = v.T("labour.hint." + name)
		}
		return f
	}
	withOpts := func(f lfield, opts []mapOption) lfield { f.Options = opts; return f }
	num := func(f lfield, min, max string) lfield { f.Min, f.Max, f.InputMode = min, max, "numeric"; return f }
	area := func(f lfield, rows int) lfield { f.Rows = rows; return f }
	maxLen := func(f lfield, n int) lfield { f.MaxLength = n; return f }
	pays := fld("feePolicy.employerPays", "checkbox", false)
	pays.Checked = vals["feePolicy.employerPays"] != ""
	fee := num(fld("feePolicy.workerFee", "number", false), "0", "")
	fee.Step = "any"
	wage := num(fld("monthlyWage", "number", true), "0", "")
	wage.Step, wage.InputMode = "any", "decimal"
	reqs := []lfield{
		area(fld("essentialSkills", "textarea", false), 5), area(fld("optionalSkills", "textarea", false), 3),
	}
	reqs = append(reqs, v.languageFields("vac", vals, vacancyLanguageRows)...)
	reqs = append(reqs, withOpts(fld("education", "select", false), v.educationOptions(vals["education"])),
		area(fld("qualifications", "textarea", false), 3), num(fld("experienceYears", "number", false), "0", "50"))
	return []lfieldset{
		{Legend: v.T("labour.legend.job"), Fields: []lfield{
			maxLen(fld("title", "text", true), labour.MaxText), area(fld("description", "textarea", false), 4),
			fld("occupation", "text", false), maxLen(fld("isco", "text", false), 4),
			withOpts(fld("sector", "select", true), append([]mapOption{{Value: "", Label: v.T("labour.choose")}}, v.sectorOptions(vals["sector"])...)),
			num(fld("positions", "number", true), "1", strconv.Itoa(labour.MaxPositions)),
		}},
		{Legend: v.T("labour.legend.where"), Fields: []lfield{
			withOpts(fld("destination", "select", true), countries), maxLen(fld("place", "text", true), labour.MaxText), fld("startDate", "date", false),
		}},
		{Legend: v.T("labour.legend.requirements"), Fields: reqs},
		{Legend: v.T("labour.legend.terms"), Fields: []lfield{
			wage, maxLen(fld("currency", "text", true), 3), num(fld("hoursPerWeek", "number", true), "1", "84"),
			num(fld("contractMonths", "number", true), "1", "120"),
			withOpts(fld("housing", "select", true), append([]mapOption{{Value: "", Label: v.T("labour.choose")}},
				v.pickOptions("labour.housing", labour.HousingOptions, vals["housing"])...)),
			withOpts(fld("channel.kind", "select", true), append([]mapOption{{Value: "", Label: v.T("labour.choose")}},
				v.pickOptions("labour.channel", labour.ChannelKinds, vals["channel.kind"])...)),
			maxLen(fld("channel.name", "text", true), labour.MaxText),
			withOpts(fld("recruiterId", "select", false), recOpts),
		}},
		{Legend: v.T("labour.legend.fees"), Fields: []lfield{pays, fee, area(fld("feePolicy.note", "textarea", false), 2)}},
	}, nil
}

func (u *UI) renderVacancyForm(w http.ResponseWriter, r *http.Request, v *view, status int, lf *labourForm, vals map[string]string) error {
	sets, err := u.vacancyFieldsets(r, v, vals)
	if err != nil {
		return err
	}
	tax, err := u.labourTaxonomy(r.Context())
	if err != nil {
		return err
	}
	v.Title = v.T("labour.vacancyNew.title")
	v.Data = vacancyFormPage{Form: lf.f, Sets: lf.finish(sets), Taxonomy: tax != nil}
	v.Languages = u.languageLinksTo("/labour/vacancies/new", nil, v.Lang)
	return u.render(w, status, "labour_vacancy_new", v)
}

func (u *UI) vacancyNewForm(w http.ResponseWriter, r *http.Request, v *view) error {
	vals := map[string]string{"positions": "1", "hoursPerWeek": "40", "contractMonths": "12", "feePolicy.employerPays": "on",
		"feePolicy.workerFee": "0", "education": "0", "experienceYears": "0"}
	return u.renderVacancyForm(w, r, v, http.StatusOK, newLabourForm(v, "vac"), vals)
}

func (u *UI) vacancyCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	me := web.PrincipalFrom(ctx)
	get := func(name string) string { return strings.TrimSpace(r.PostForm.Get(name)) }
	lf := newLabourForm(v, "vac")
	lf.register(vacancyLabels)
	lf.register(languageLabelIDs(vacancyLanguageRows))
	tax, err := u.labourTaxonomy(ctx)
	if err != nil {
		return err
	}
	vc := labour.Vacancy{OrgID: me.OrgID, Title: get("title"), Description: get("description"), Destination: strings.ToUpper(get("destination")),
		Place: get("place"), ISCO: get("isco"), Sector: strings.ToUpper(get("sector")), Qualifications: get("qualifications"),
		Currency: strings.ToUpper(get("currency")), Housing: get("housing"), StartDate: get("startDate"),
		Channel: labour.Channel{Kind: get("channel.kind"), Name: get("channel.name")},
		Fees:    labour.FeePolicy{EmployerPays: get("feePolicy.employerPays") != "", Note: get("feePolicy.note")}}
	vc.Status = labour.VacancyDraft
	if get("status") == labour.VacancyPublished {
		vc.Status = labour.VacancyPublished
	}
	vc.Positions = lf.integer("positions", get("positions"), true)
	vc.Education = lf.integer("education", get("education"), false)
	vc.ExperienceYears = lf.integer("experienceYears", get("experienceYears"), false)
	vc.HoursPerWeek = lf.integer("hoursPerWeek", get("hoursPerWeek"), true)
	vc.ContractMonths = lf.integer("contractMonths", get("contractMonths"), true)
	vc.MonthlyWage = lf.number("monthlyWage", get("monthlyWage"), true)
	vc.Fees.WorkerFee = lf.number("feePolicy.workerFee", get("feePolicy.workerFee"), false)
	if s := get("recruiterId"); s != "" {
		if vc.RecruiterID, err = strconv.ParseInt(s, 10, 64); err != nil {
			lf.bad("recruiterId", "form.reason.choice")
		}
	}
	if o, reason, kv := resolveOccupation(tax, get("occupation")); reason != "" {
		lf.bad("occupation", reason, kv...)
	} else if o != nil {
		vc.Occupation = o.URI
		if vc.ISCO == "" {
			vc.ISCO = o.ISCOGroup
		}
	}
	vc.Essential = lf.resolveSkillLines(tax, "essentialSkills", r.PostForm.Get("essentialSkills"))
	vc.Optional = lf.resolveSkillLines(tax, "optionalSkills", r.PostForm.Get("optionalSkills"))
	vc.Languages = lf.languageRows(get, vacancyLanguageRows)
	check := vc.Check
	if vc.Status == labour.VacancyPublished {
		check = vc.Publishable
	}
	lf.problems(check())
	if lf.f.OK() {
		created, err := u.db.Labour().CreateVacancy(labourCtx(r), me, vc)
		switch {
		case err == nil:
			web.SkipAudit(r) // the store audited it
			return seeOther(w, r, "/labour/vacancies?"+url.Values{"saved": {created.Status}}.Encode()+"#vacancy-"+idString(created.ID))
		case !lf.storeError(err):
			return err
		}
	}
	vals := labourValues(r)
	if r.PostForm.Get("feePolicy.employerPays") == "" {
		delete(vals, "feePolicy.employerPays")
	}
	for _, k := range []string{"essentialSkills", "optionalSkills", "description", "qualifications", "feePolicy.note"} {
		vals[k] = r.PostForm.Get(k) // textareas keep their lines
	}
	return u.renderVacancyForm(w, r, v, http.StatusBadRequest, lf, vals)
}

// ---- the organisation's vacancies

type vacancyRow struct {
	ID                          int64
	Title, Status, StatusLabel  string
	Destination, Place, Created string
	Positions, Filled           int
	Version                     int64
	PublicURL, CandidatesURL    string
	CanPublish, CanWithdraw     bool
}

type vacancyMinePage struct {
	Rows      []vacancyRow
	Saved     string
	Problem   string
	ProblemID int64
	CanCreate bool
}

func (u *UI) vacancyMineData(r *http.Request, v *view) (vacancyMinePage, error) {
	ctx := r.Context()
	me := web.PrincipalFrom(ctx)
	p := vacancyMinePage{CanCreate: me.Can("labour", auth.Create)}
	if me.OrgID == 0 {
		return p, nil
	}
	vs, _, err := u.db.Labour().Vacancies(ctx, me, store.VacancyFilter{Status: "all", OrgID: me.OrgID, Limit: 200})
	if err != nil {
		return p, err
	}
	names, err := u.labourNames(ctx)
	if err != nil {
		return p, err
	}
	canPublish := me.Can("labour", auth.Publish)
	for _, vc := range vs {
		row := vacancyRow{ID: vc.ID, Title: vc.Title, Status: vc.Status, StatusLabel: v.label("labour.status", vc.Status, vc.Status),
			Destination: countryLabel(names, vc.Destination), Place: vc.Place, Created: vc.CreatedAt.UTC().Format("2006-01-02"),
			Positions: vc.Positions, Filled: vc.Filled, Version: vc.Version,
			CandidatesURL: "/labour/vacancies/" + idString(vc.ID) + "/candidates",
			CanPublish:    canPublish && vc.Status == labour.VacancyDraft,
			CanWithdraw:   vc.Status == labour.VacancyDraft || vc.Status == labour.VacancyPublished}
		if vc.Status == labour.VacancyPublished {
			row.PublicURL = "/vacancies/" + idString(vc.ID)
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

func (u *UI) vacancyMine(w http.ResponseWriter, r *http.Request, v *view) error {
	p, err := u.vacancyMineData(r, v)
	if err != nil {
		return err
	}
	switch s := r.URL.Query().Get("saved"); s {
	case labour.VacancyDraft, labour.VacancyPublished, labour.VacancyWithdrawn:
		p.Saved = s
	}
	v.Title, v.Data = v.T("labour.vacancies.title"), p
	return u.render(w, http.StatusOK, "labour_vacancies", v)
}

func (u *UI) vacancyStatus(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := labourPathID(r, "vacancy")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	status := r.PostForm.Get("status")
	if status != labour.VacancyPublished && status != labour.VacancyWithdrawn {
		return &paramError{Param: "status", ReasonID: "form.reason.choice"}
	}
	version, _ := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	_, err = u.db.Labour().SetVacancyStatus(labourCtx(r), web.PrincipalFrom(r.Context()), id, version, status, -1)
	if err == nil {
		web.SkipAudit(r)
		return seeOther(w, r, "/labour/vacancies?saved="+status+"#vacancy-"+idString(id))
	}
	if !storeRefusal(err) {
		return err
	}
	p, derr := u.vacancyMineData(r, v)
	if derr != nil {
		return derr
	}
	p.Problem, p.ProblemID = v.storeMessage(err), id
	v.Title, v.Data = v.T("labour.vacancies.title"), p
	return u.render(w, statusOf(err), "labour_vacancies", v)
}

// ---- candidates

// explanationView explains one score.
type explanationView struct {
	L                                  *explainLabels
	ScoreText, Requirements            string
	Score, Max                         int
	Components                         []componentView
	Relation                           string
	MatchedEssential, MissingEssential []string
	MatchedOptional, MissingOptional   []string
	LanguagesMet, LanguagesMissing     []string
	EducationMet, ExperienceMet        bool
	Preferred                          bool
}

type componentView struct {
	Label      string
	Value, Max int
}

// explainLabels are the headings of an explanation, translated once per
// page (the partial that draws it has no translator).
type explainLabels struct {
	Score, Explain, Components, Component, Points, Relation string
	MatchedEssential, MissingEssential, MatchedOptional     string
	LanguagesMet, LanguagesMissing, Requirements, None      string
}

func (v *view) explainLabels() *explainLabels {
	return &explainLabels{Score: v.T("labour.score"), Explain: v.T("labour.explain"), Components: v.T("labour.components"),
		Component: v.T("labour.component"), Points: v.T("labour.points"), Relation: v.T("labour.relationLabel"),
		MatchedEssential: v.T("labour.matchedEssential"), MissingEssential: v.T("labour.missingEssential"),
		MatchedOptional: v.T("labour.matchedOptional"), LanguagesMet: v.T("labour.languagesMet"),
		LanguagesMissing: v.T("labour.languagesMissing"), Requirements: v.T("labour.requirementsMet"), None: v.T("labour.none")}
}

func (v *view) explanation(tax *esco.Taxonomy, l *explainLabels, res match.Result) explanationView {
	e := res.Explanation
	req := []string{v.T("labour.educationNotMet"), v.T("labour.experienceNotMet")}
	if e.EducationMet {
		req[0] = v.T("labour.educationMet")
	}
	if e.ExperienceMet {
		req[1] = v.T("labour.experienceMet")
	}
	if e.Preferred {
		req = append(req, v.T("labour.preferred"))
	}
	return explanationView{L: l, ScoreText: v.T("labour.scoreOf", "Value", res.Score, "Max", match.MaxScore),
		Requirements: strings.Join(req, "; "), Score: res.Score, Max: match.MaxScore,
		Components: []componentView{
			{v.T("labour.component.skills"), e.Skills, 500}, {v.T("labour.component.occupation"), e.Occupation, 200},
			{v.T("labour.component.languages"), e.Languages, 150}, {v.T("labour.component.qualifications"), e.Qualifications, 100},
			{v.T("labour.component.preference"), e.Preference, 50}},
		Relation:         v.label("labour.relation", e.OccupationRelation, e.OccupationRelation),
		MatchedEssential: matchSkillLabels(tax, e.MatchedEssential), MissingEssential: matchSkillLabels(tax, e.MissingEssential),
		MatchedOptional: matchSkillLabels(tax, e.MatchedOptional), MissingOptional: matchSkillLabels(tax, e.MissingOptional),
		LanguagesMet: matchLanguageTexts(e.LanguagesMet), LanguagesMissing: matchLanguageTexts(e.LanguagesMissing),
		EducationMet: e.EducationMet, ExperienceMet: e.ExperienceMet, Preferred: e.Preferred}
}

type candidateView struct {
	WorkerID    int64
	Ref, Origin string
	Rank        int
	explanationView
}

type candidatesPage struct {
	Vacancy    vacancyRow
	Candidates []candidateView
	DriveName  string
	APIURL     string
	From, To   int    // the ranks shown
	Prev, Next string // the neighbouring pages
}

// candidatesPerPage is a page of ranked candidates; candidatesMaxOffset
// how deep the ranking can be paged (as the API).
const (
	candidatesPerPage   = 20
	candidatesMaxOffset = 1000
)

func (u *UI) vacancyCandidates(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	id, err := labourPathID(r, "vacancy")
	if err != nil {
		return err
	}
	offset := 0
	if s := r.URL.Query().Get("offset"); s != "" {
		if offset, err = strconv.Atoi(s); err != nil || offset < 0 || offset > candidatesMaxOffset {
			return &paramError{Param: "offset", ReasonID: "error.reason.range", Data: map[string]any{"Min": 0, "Max": candidatesMaxOffset}}
		}
	}
	me := web.PrincipalFrom(ctx)
	// The ranking up to the end of this page, and one more to know
	// whether a next page exists.
	vc, res, err := u.db.Labour().Candidates(ctx, me, id, offset+candidatesPerPage+1)
	if err != nil {
		return err
	}
	more := len(res) > offset+candidatesPerPage
	res = res[min(offset, len(res)):min(offset+candidatesPerPage, len(res))]
	tax, err := u.labourTaxonomy(ctx)
	if err != nil {
		return err
	}
	origins, err := u.db.Labour().Origins(ctx, res)
	if err != nil {
		return err
	}
	names, err := u.labourNames(ctx)
	if err != nil {
		return err
	}
	p := candidatesPage{Vacancy: vacancyRow{ID: vc.ID, Title: vc.Title, Status: vc.Status, StatusLabel: v.label("labour.status", vc.Status, vc.Status),
		Destination: countryLabel(names, vc.Destination), Place: vc.Place, Positions: vc.Positions, Filled: vc.Filled},
		DriveName: v.T("labour.drive.defaultName", "Value", vc.Title), APIURL: "/api/v1/vacancies/" + idString(id) + "/candidates"}
	labels := v.explainLabels()
	for i, x := range res {
		p.Candidates = append(p.Candidates, candidateView{WorkerID: x.WorkerID, Ref: labour.Worker{ID: x.WorkerID}.Reference(),
			Origin: countryLabel(names, origins[x.WorkerID]), Rank: offset + i + 1, explanationView: v.explanation(tax, labels, x)})
	}
	page := func(off int) string {
		u := "/labour/vacancies/" + idString(id) + "/candidates"
		if off > 0 {
			u += "?offset=" + strconv.Itoa(off)
		}
		return u
	}
	if len(res) > 0 {
		p.From, p.To = offset+1, offset+len(res)
	}
	if offset > 0 {
		p.Prev = page(max(0, offset-candidatesPerPage))
	}
	if more && offset+candidatesPerPage <= candidatesMaxOffset {
		p.Next = page(offset + candidatesPerPage)
	}
	if offset > 0 {
		p.APIURL += "?offset=" + strconv.Itoa(offset)
	}
	v.Title, v.Data = v.T("labour.candidates.title", "Value", vc.Title), p
	return u.render(w, http.StatusOK, "labour_candidates", v)
}
