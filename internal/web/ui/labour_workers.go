package ui

import (
	"cmp"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// The labour agency's pages: register a worker with consent, the
// organisation's workers, and a worker's profile with ranked vacancies,
// reported costs (and the form to add one), the first wage, SDG 10.7.1 and
// the withdrawal of consent.

const (
	workerLanguageRows   = 3
	workerOccupationRows = 2
)

func workerURL(id int64) string { return "/labour/workers/" + idString(id) }

var workerLabels = map[string]string{
	"consent.matching": "labour.field.consentMatching", "consent.shareWithEmployers": "labour.field.consentShare",
	"consent.date": "labour.field.consentDate", "consent.recordedBy": "labour.field.consentRecordedBy",
	"givenName": "labour.field.givenName", "familyName": "labour.field.familyName", "birthDate": "labour.field.birthDate",
	"email": "labour.field.email", "phone": "labour.field.phone", "origin": "labour.field.origin",
	"occupations": "labour.field.occupationHeld", "skills": "labour.field.skills", "education": "labour.field.education",
	"qualifications": "labour.field.qualifications", "experienceYears": "labour.field.experienceYears",
	"availableFrom": "labour.field.availableFrom", "preferredDestinations": "labour.field.preferredDestinations",
	"notes": "labour.field.notes", "status": "labour.field.status",
}

func occupationRowLabels() map[string]string {
	out := map[string]string{}
	for i := range workerOccupationRows {
		p := "occupations[" + strconv.Itoa(i) + "]"
		out[p+".occupation"] = "labour.field.occupationHeld"
		out[p+".years"] = "labour.field.occupationYears"
	}
	return out
}

type workerFormPage struct {
	Form *form
	Sets []lfieldset
}

func (u *UI) workerFieldsets(r *http.Request, v *view, vals map[string]string) ([]lfieldset, error) {
	countries, err := u.labourCountryOptions(r.Context(), v, vals["origin"])
	if err != nil {
		return nil, err
	}
	labels := workerLabels
	fld := func(name, kind string, req bool) lfield {
		f := lfield{Name: name, ID: fieldID("wk", name), Label: v.T(labels[name]), Kind: kind, Value: vals[name], Required: req}
		if v.u.catalog.Has("labour.hint." + name) {
			f.Hint = v.T("labour.hint." + name)
		}
		return f
	}
	check := func(name string) lfield {
		f := fld(name, "checkbox", false)
		f.Checked = vals[name] != ""
		return f
	}
	matching := check("consent.matching")
	matching.Required = true
	occ := []lfield{}
	for i := range workerOccupationRows {
		p := "occupations[" + strconv.Itoa(i) + "]"
		n := strconv.Itoa(i + 1)
		occ = append(occ,
			lfield{Name: p + ".occupation", ID: fieldID("wk", p+".occupation"), Label: v.T("labour.field.occupationN", "Number", n),
				Hint: v.T("labour.hint.occupation"), Kind: "text", Value: vals[p+".occupation"], Required: i == 0},
			lfield{Name: p + ".years", ID: fieldID("wk", p+".years"), Label: v.T("labour.field.occupationYearsN", "Number", n),
				Kind: "number", Value: vals[p+".years"], Min: "0", Max: "60", InputMode: "numeric"})
	}
	skills := fld("skills", "textarea", false)
	skills.Rows = 5
	langs := v.languageFields("wk", vals, workerLanguageRows)
	edu := fld("education", "select", false)
	edu.Options = v.educationOptions(vals["education"])
	quals := fld("qualifications", "textarea", false)
	quals.Rows = 3
	exp := fld("experienceYears", "number", false)
	exp.Min, exp.Max, exp.InputMode = "0", "60", "numeric"
	origin := fld("origin", "select", true)
	origin.Options = countries
	rec := fld("consent.recordedBy", "select", true)
	rec.Options = v.pickOptions("labour.recordedBy", labour.ConsentRecorders, vals["consent.recordedBy"])
	email := fld("email", "email", false)
	phone := fld("phone", "tel", false)
	notes := fld("notes", "textarea", false)
	notes.Rows = 2
	return []lfieldset{
		{Legend: v.T("labour.legend.consent"), Fields: []lfield{matching, check("consent.shareWithEmployers"), fld("consent.date", "date", true), rec}},
		{Legend: v.T("labour.legend.person"), Fields: []lfield{fld("givenName", "text", true), fld("familyName", "text", false),
			fld("birthDate", "date", false), email, phone, origin}},
		{Legend: v.T("labour.legend.occupations"), Fields: occ},
		{Legend: v.T("labour.legend.skills"), Fields: append(append([]lfield{skills}, langs...), edu, quals, exp)},
		{Legend: v.T("labour.legend.availability"), Fields: []lfield{fld("availableFrom", "date", false), fld("preferredDestinations", "text", false), notes}},
	}, nil
}

func (u *UI) renderWorkerForm(w http.ResponseWriter, r *http.Request, v *view, status int, lf *labourForm, vals map[string]string) error {
	sets, err := u.workerFieldsets(r, v, vals)
	if err != nil {
		return err
	}
	v.Title = v.T("labour.workerNew.title")
	v.Data = workerFormPage{Form: lf.f, Sets: lf.finish(sets)}
	v.Languages = u.languageLinksTo("/labour/workers/new", nil, v.Lang)
	return u.render(w, status, "labour_worker_new", v)
}

func (u *UI) workerNewForm(w http.ResponseWriter, r *http.Request, v *view) error {
	vals := map[string]string{"consent.date": today(), "consent.recordedBy": "agency", "education": "0", "experienceYears": "0"}
	return u.renderWorkerForm(w, r, v, http.StatusOK, newLabourForm(v, "wk"), vals)
}

func (u *UI) workerCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	me := web.PrincipalFrom(ctx)
	get := func(name string) string { return strings.TrimSpace(r.PostForm.Get(name)) }
	lf := newLabourForm(v, "wk")
	lf.register(workerLabels)
	lf.register(languageLabelIDs(workerLanguageRows))
	lf.register(occupationRowLabels())
	tax, err := u.labourTaxonomy(ctx)
	if err != nil {
		return err
	}
	wk := labour.Worker{Status: labour.WorkerActive,
		Consent: labour.Consent{Matching: get("consent.matching") != "", ShareWithEmployers: get("consent.shareWithEmployers") != "",
			Date: get("consent.date"), RecordedBy: get("consent.recordedBy")},
		GivenName: get("givenName"), FamilyName: get("familyName"), BirthDate: get("birthDate"), Email: get("email"), Phone: get("phone"),
		Qualifications: get("qualifications"), Notes: get("notes"), Origin: strings.ToUpper(get("origin")), AvailableFrom: get("availableFrom")}
	wk.Education = lf.integer("education", get("education"), false)
	wk.ExperienceYears = lf.integer("experienceYears", get("experienceYears"), false)
	for i := range workerOccupationRows {
		p := "occupations[" + strconv.Itoa(i) + "]"
		q := get(p + ".occupation")
		if q == "" {
			continue
		}
		o, reason, kv := resolveOccupation(tax, q)
		if reason != "" {
			lf.bad(p+".occupation", reason, kv...)
			continue
		}
		idx := "occupations[" + strconv.Itoa(len(wk.Occupations)) + "]"
		lf.alias[idx+".occupation"], lf.alias[idx+".isco"], lf.alias[idx+".years"] = p+".occupation", p+".occupation", p+".years"
		wk.Occupations = append(wk.Occupations, labour.HeldOccupation{Occupation: o.URI, ISCO: o.ISCOGroup,
			Years: lf.integer(p+".years", get(p+".years"), false)})
	}
	lf.alias["occupations"] = "occupations[0].occupation"
	wk.Skills = lf.resolveSkillLines(tax, "skills", r.PostForm.Get("skills"))
	wk.Languages = lf.languageRows(get, workerLanguageRows)
	for _, d := range strings.FieldsFunc(strings.ToUpper(get("preferredDestinations")), func(c rune) bool { return c == ',' || c == ' ' || c == ';' }) {
		wk.PreferredDestinations = append(wk.PreferredDestinations, d)
	}
	lf.problems(wk.Check())
	if lf.f.OK() {
		created, err := u.db.Labour().CreateWorker(labourCtx(r), me, wk)
		switch {
		case err == nil:
			web.SkipAudit(r)
			return seeOther(w, r, workerURL(created.ID)+"?saved=created")
		case !lf.storeError(err):
			return err
		}
	}
	vals := labourValues(r)
	for _, k := range []string{"skills", "qualifications", "notes"} {
		vals[k] = r.PostForm.Get(k)
	}
	return u.renderWorkerForm(w, r, v, http.StatusBadRequest, lf, vals)
}

// ---- the organisation's workers

type workerRow struct {
	URL, Ref, Name, Origin, Occupations, Status, StatusLabel, Created string
}

type workersPage struct {
	Rows      []workerRow
	Total     int
	CanCreate bool
}

func (u *UI) workersList(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	me := web.PrincipalFrom(ctx)
	ws, total, err := u.db.Labour().Workers(labourCtx(r), me, store.WorkerFilter{Limit: 200})
	if err != nil {
		return err
	}
	web.SkipAudit(r) // the store audited the read of the listing
	tax, err := u.labourTaxonomy(ctx)
	if err != nil {
		return err
	}
	names, err := u.labourNames(ctx)
	if err != nil {
		return err
	}
	p := workersPage{Total: total, CanCreate: me.Can("workers", auth.Create)}
	for _, wk := range ws {
		var occs []string
		for _, o := range wk.Occupations {
			if l := occupationLabel(tax, o.Occupation); l != "" {
				occs = append(occs, l)
			} else {
				occs = append(occs, iscoLabel(tax, o.ISCO))
			}
		}
		p.Rows = append(p.Rows, workerRow{URL: workerURL(wk.ID), Ref: wk.Reference(), Name: strings.TrimSpace(wk.GivenName + " " + wk.FamilyName),
			Origin: countryLabel(names, wk.Origin), Occupations: strings.Join(occs, "; "), Status: wk.Status,
			StatusLabel: v.label("labour.workerStatus", wk.Status, wk.Status), Created: wk.CreatedAt.UTC().Format("2006-01-02")})
	}
	v.Title, v.Data = v.T("labour.workers.title"), p
	return u.render(w, http.StatusOK, "labour_workers", v)
}

// ---- one worker

type matchedVacancyView struct {
	URL, Title, Destination string
	explanationView
}

type costRow struct {
	Kind, Amount, InWage, PaidTo, Date, Note string
	Fee                                      bool
}

type workerPageData struct {
	ID                         int64
	Ref, Name, Status, StatusL string
	Full, Withdrawn            bool
	Facts                      []kv
	Skills, Languages          []string
	Occupations                []string
	Vacancies                  []matchedVacancyView
	Costs                      []costRow
	Wage                       string
	Ratio, CostsTotal          string
	PaidFees                   bool
	CostForm                   *form
	CostSets                   []lfieldset
	CanUpdate, Own             bool
	Saved                      string
}

var costLabels = map[string]string{
	"kind": "labour.field.costKind", "amount": "labour.field.amount", "currency": "labour.field.currency",
	"rateToWage": "labour.field.rateToWage", "paidTo": "labour.field.paidTo", "recruiterId": "labour.field.recruiter",
	"date": "labour.field.costDate", "note": "labour.field.note",
}

func (u *UI) costFieldsets(r *http.Request, v *view, vals map[string]string) ([]lfieldset, error) {
	recs, err := u.db.Labour().Recruiters(r.Context())
	if err != nil {
		return nil, err
	}
	recOpts := []mapOption{{Value: "", Label: v.T("labour.recruiter.none")}}
	for _, rc := range recs {
		recOpts = append(recOpts, mapOption{Value: idString(rc.ID), Label: rc.Name + " (" + rc.Country + ")", Selected: vals["recruiterId"] == idString(rc.ID)})
	}
	fld := func(name, kind string, req bool) lfield {
		f := lfield{Name: name, ID: fieldID("cost", name), Label: v.T(costLabels[name]), Kind: kind, Value: vals[name], Required: req}
		if v.u.catalog.Has("labour.hint.cost." + name) {
			f.Hint = v.T("labour.hint.cost." + name)
		}
		return f
	}
	kind := fld("kind", "select", true)
	kind.Options = v.pickOptions("labour.costKind", labour.CostKinds, vals["kind"])
	amount := fld("amount", "number", true)
	amount.Min, amount.Step, amount.InputMode = "0", "any", "decimal"
	rate := fld("rateToWage", "number", true)
	rate.Min, rate.Step, rate.InputMode = "0", "any", "decimal"
	paid := fld("paidTo", "select", true)
	paid.Options = v.pickOptions("labour.payee", labour.Payees, vals["paidTo"])
	rec := fld("recruiterId", "select", false)
	rec.Options = recOpts
	cur := fld("currency", "text", true)
	cur.MaxLength = 3
	return []lfieldset{{Legend: v.T("labour.costs.add"), Fields: []lfield{kind, amount, cur, rate, paid, rec, fld("date", "date", true), fld("note", "text", false)}}}, nil
}

func (u *UI) renderWorker(w http.ResponseWriter, r *http.Request, v *view, id int64, status int, lf *labourForm, vals map[string]string) error {
	ctx := r.Context()
	me := web.PrincipalFrom(ctx)
	l := u.db.Labour()
	wk, acc, err := l.Worker(labourCtx(r), me, id)
	if err != nil {
		return err
	}
	web.SkipAudit(r) // the store audited the read of the personal fields
	tax, err := u.labourTaxonomy(ctx)
	if err != nil {
		return err
	}
	names, err := u.labourNames(ctx)
	if err != nil {
		return err
	}
	p := workerPageData{ID: id, Ref: wk.Reference(), Status: wk.Status, StatusL: v.label("labour.workerStatus", wk.Status, wk.Status),
		Full: acc == store.WorkerFull, Withdrawn: wk.Status == labour.WorkerWithdrawn,
		Skills: skillLabels(tax, wk.Skills), Languages: languageTexts(wk.Languages),
		CanUpdate: me.Allows("workers", auth.Update, auth.Record{OrgID: wk.OrgID, OwnerID: wk.OwnerID})}
	if p.Full {
		p.Name = strings.TrimSpace(wk.GivenName + " " + wk.FamilyName)
	}
	yes := func(b bool) string {
		if b {
			return v.T("labour.yes")
		}
		return v.T("labour.no")
	}
	p.Facts = append(p.Facts, kv{v.T("labour.field.origin"), countryLabel(names, wk.Origin)})
	if p.Full {
		for _, f := range []kv{{v.T("labour.field.birthDate"), wk.BirthDate}, {v.T("labour.field.email"), wk.Email}, {v.T("labour.field.phone"), wk.Phone}} {
			if f.Value != "" {
				p.Facts = append(p.Facts, f)
			}
		}
	}
	p.Facts = append(p.Facts,
		kv{v.T("labour.field.consentMatching"), yes(wk.Consent.Matching)},
		kv{v.T("labour.field.consentShare"), yes(wk.Consent.ShareWithEmployers)},
		kv{v.T("labour.field.consentDate"), wk.Consent.Date},
		kv{v.T("labour.field.education"), v.T("labour.isced." + strconv.Itoa(wk.Education))},
		kv{v.T("labour.field.experienceYears"), v.T("labour.years", "Count", wk.ExperienceYears)})
	if wk.AvailableFrom != "" {
		p.Facts = append(p.Facts, kv{v.T("labour.field.availableFrom"), wk.AvailableFrom})
	}
	if len(wk.PreferredDestinations) > 0 {
		var ds []string
		for _, d := range wk.PreferredDestinations {
			ds = append(ds, countryLabel(names, d))
		}
		p.Facts = append(p.Facts, kv{v.T("labour.field.preferredDestinations"), strings.Join(ds, ", ")})
	}
	if p.Full && wk.Qualifications != "" {
		p.Facts = append(p.Facts, kv{v.T("labour.field.qualifications"), wk.Qualifications})
	}
	for _, o := range wk.Occupations {
		label := occupationLabel(tax, o.Occupation)
		if label == "" {
			label = iscoLabel(tax, o.ISCO)
		}
		p.Occupations = append(p.Occupations, v.T("labour.occupationYears", "Name", label, "Code", o.ISCO, "Count", o.Years))
	}
	// Ranked vacancies and reported costs are the registering
	// organisation's; an employer who shortlisted the worker sees the
	// profile only.
	own := me.Allows("workers", auth.Read, auth.Record{OrgID: wk.OrgID, OwnerID: wk.OwnerID})
	p.Own = own
	if !p.Withdrawn && own {
		res, err := l.VacanciesFor(ctx, me, id, 20)
		if err != nil {
			return err
		}
		labels := v.explainLabels()
		for _, x := range res {
			mv := matchedVacancyView{URL: "/vacancies/" + idString(x.VacancyID), Title: "#" + idString(x.VacancyID), explanationView: v.explanation(tax, labels, x)}
			if vc, err := l.Vacancy(ctx, me, x.VacancyID); err == nil {
				mv.Title, mv.Destination = vc.Title+" ("+vc.Place+")", countryLabel(names, vc.Destination)
			}
			p.Vacancies = append(p.Vacancies, mv)
		}
	}
	var costs []labour.Cost
	if own {
		if costs, err = l.Costs(ctx, me, id); err != nil {
			return err
		}
	}
	for _, c := range costs {
		p.Costs = append(p.Costs, costRow{Kind: v.label("labour.costKind", c.Kind, c.Kind), Amount: v.money(c.Amount, c.Currency),
			InWage: v.money(c.Amount*c.RateToWage, cmp.Or(c.RateTo, c.Currency)), PaidTo: v.label("labour.payee", c.PaidTo, c.PaidTo), Date: c.Date, Note: c.Note, Fee: c.IsFee()})
	}
	var obs []labour.WorkerCost
	if own {
		if obs, err = l.RecruitmentCosts(ctx); err != nil {
			return err
		}
	}
	for _, o := range obs {
		if o.WorkerID == id {
			p.Wage = v.T("labour.perMonth", "Value", v.money(o.MonthlyWage, o.Currency))
			p.CostsTotal = v.money(o.Costs, o.Currency)
			if !math.IsNaN(o.Ratio) {
				p.Ratio = v.num(o.Ratio, 2)
			}
			p.PaidFees = o.PaidFees
		}
	}
	if s := r.URL.Query().Get("saved"); s == "created" || s == "cost" {
		p.Saved = s
	}
	if lf == nil {
		lf = newLabourForm(v, "cost")
	}
	if vals == nil {
		vals = map[string]string{"rateToWage": "1", "date": today(), "kind": labour.CostFee, "paidTo": "recruiter"}
	}
	sets, err := u.costFieldsets(r, v, vals)
	if err != nil {
		return err
	}
	p.CostForm, p.CostSets = lf.f, lf.finish(sets)
	v.Title, v.Data = p.Ref, p
	return u.render(w, status, "labour_worker", v)
}

func (u *UI) workerPage(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := labourPathID(r, "worker")
	if err != nil {
		return err
	}
	return u.renderWorker(w, r, v, id, http.StatusOK, nil, nil)
}

func (u *UI) workerAddCost(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := labourPathID(r, "worker")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	get := func(name string) string { return strings.TrimSpace(r.PostForm.Get(name)) }
	lf := newLabourForm(v, "cost")
	lf.register(costLabels)
	c := labour.Cost{WorkerID: id, Kind: get("kind"), Currency: strings.ToUpper(get("currency")), PaidTo: get("paidTo"), Date: get("date"), Note: get("note")}
	c.Amount = lf.number("amount", get("amount"), true)
	c.RateToWage = lf.number("rateToWage", get("rateToWage"), true)
	if s := get("recruiterId"); s != "" {
		if c.RecruiterID, err = strconv.ParseInt(s, 10, 64); err != nil {
			lf.bad("recruiterId", "form.reason.choice")
		}
	}
	lf.problems(c.Check())
	if lf.f.OK() {
		_, err := u.db.Labour().RecordCost(labourCtx(r), web.PrincipalFrom(r.Context()), c)
		switch {
		case err == nil:
			web.SkipAudit(r)
			return seeOther(w, r, workerURL(id)+"?saved=cost#worker-costs")
		case !lf.storeError(err):
			return err
		}
	}
	return u.renderWorker(w, r, v, id, http.StatusBadRequest, lf, labourValues(r))
}

func (u *UI) workerWithdraw(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := labourPathID(r, "worker")
	if err != nil {
		return err
	}
	if err := u.db.Labour().WithdrawWorker(labourCtx(r), web.PrincipalFrom(r.Context()), id); err != nil {
		return err
	}
	web.SkipAudit(r)
	return seeOther(w, r, workerURL(id))
}
