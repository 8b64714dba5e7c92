package ui

import (
	"cmp"
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/field"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/labour/esco"
	"github.com/corridor-platform/corridor/internal/remit"
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

// workerFieldsets are the controls of the registration form. self is a
// worker registering their own profile: the consent is theirs (recorded by
// self, no choice) and the labels speak to them.
func (u *UI) workerFieldsets(r *http.Request, v *view, vals map[string]string, self bool) ([]lfieldset, error) {
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
	share := check("consent.shareWithEmployers")
	consent := []lfield{matching, share, fld("consent.date", "date", true), rec}
	person := v.T("labour.legend.person")
	if self {
		matching.Label, matching.Hint = v.T("labour.me.consentMatching"), v.T("labour.me.hint.consentMatching")
		share.Label, share.Hint = v.T("labour.me.consentShare"), v.T("labour.me.hint.consentShare")
		date := fld("consent.date", "date", true)
		date.Label = v.T("labour.me.consentDate")
		consent = []lfield{matching, share, date}
		person = v.T("labour.me.legendPerson")
	}
	return []lfieldset{
		{Legend: v.T("labour.legend.consent"), Fields: consent},
		{Legend: person, Fields: []lfield{fld("givenName", "text", true), fld("familyName", "text", false),
			fld("birthDate", "date", false), email, phone, origin}},
		{Legend: v.T("labour.legend.occupations"), Fields: occ},
		{Legend: v.T("labour.legend.skills"), Fields: append(append([]lfield{skills}, langs...), edu, quals, exp)},
		{Legend: v.T("labour.legend.availability"), Fields: []lfield{fld("availableFrom", "date", false), fld("preferredDestinations", "text", false), notes}},
	}, nil
}

func (u *UI) renderWorkerForm(w http.ResponseWriter, r *http.Request, v *view, status int, lf *labourForm, vals map[string]string) error {
	sets, err := u.workerFieldsets(r, v, vals, false)
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
	lf := newLabourForm(v, "wk")
	wk, err := u.readWorkerForm(r, lf, false)
	if err != nil {
		return err
	}
	if lf.f.OK() {
		created, err := u.db.Labour().CreateWorker(labourCtx(r), web.PrincipalFrom(r.Context()), wk)
		switch {
		case err == nil:
			web.SkipAudit(r)
			return seeOther(w, r, workerURL(created.ID)+"?saved=created")
		case !lf.storeError(err):
			return err
		}
	}
	return u.renderWorkerForm(w, r, v, http.StatusBadRequest, lf, workerFormValues(r))
}

// workerFormValues are the registration form's values sent, to show them
// again (the text areas as typed).
func workerFormValues(r *http.Request) map[string]string {
	vals := labourValues(r)
	for _, k := range []string{"skills", "qualifications", "notes"} {
		vals[k] = r.PostForm.Get(k)
	}
	return vals
}

// readWorkerForm reads the registration form (parsed) into a worker,
// recording the problems in lf; the domain's checks are run. self is a
// worker registering themselves: the consent is recorded by self.
func (u *UI) readWorkerForm(r *http.Request, lf *labourForm, self bool) (labour.Worker, error) {
	get := func(name string) string { return strings.TrimSpace(r.PostForm.Get(name)) }
	lf.register(workerLabels)
	lf.register(languageLabelIDs(workerLanguageRows))
	lf.register(occupationRowLabels())
	tax, err := u.labourTaxonomy(r.Context())
	if err != nil {
		return labour.Worker{}, err
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
	if self {
		wk.Consent.RecordedBy = "self"
	}
	lf.problems(wk.Check())
	return wk, nil
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
	Wage, WageWhere, WageFrom  string // the first wage, where and in what, and its source
	Ratio, CostsTotal          string
	PaidFees                   bool
	CostForm, WageForm         *form
	CostSets, WageSets         []lfieldset
	CanUpdate, Own             bool
	SelfView                   bool // the worker's own account: the way back is /labour/me
	Saved                      string
}

var costLabels = map[string]string{
	"kind": "labour.field.costKind", "amount": "labour.field.amount", "currency": "labour.field.currency",
	"rateTo": "labour.field.rateTo", "rateToWage": "labour.field.rateToWage", "paidTo": "labour.field.paidTo",
	"recruiterId": "labour.field.recruiter", "date": "labour.field.costDate", "note": "labour.field.note",
}

var wageLabels = map[string]string{
	"destination": "labour.field.destination", "isco": "labour.field.isco",
	"monthlyWage": "labour.field.firstWage", "currency": "labour.field.wageCurrency",
}

// workerForms are the worker page's forms as sent back with their
// problems (nil: the fresh forms).
type workerForms struct {
	cost, wage         *labourForm
	costVals, wageVals map[string]string
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
	cur := fld("currency", "text", true)
	cur.MaxLength, cur.Hint = 3, v.T("labour.hint.cost.currencyPaid")
	// The rate converts the amount into the wage's currency; paid in that
	// currency, the rate is 1 and the wage currency may stay empty.
	rateTo := fld("rateTo", "text", false)
	rateTo.MaxLength, rateTo.Hint = 3, v.T("labour.hint.cost.rateToCurrency")
	rate := fld("rateToWage", "number", false)
	rate.Min, rate.Step, rate.InputMode, rate.Hint = "0", "any", "decimal", v.T("labour.hint.cost.rateWhenOne")
	paid := fld("paidTo", "select", true)
	paid.Options = v.pickOptions("labour.payee", labour.Payees, vals["paidTo"])
	rec := fld("recruiterId", "select", false)
	rec.Options = recOpts
	return []lfieldset{{Legend: v.T("labour.costs.add"), Fields: []lfield{kind, amount, cur, rateTo, rate, paid, rec, fld("date", "date", true), fld("note", "text", false)}}}, nil
}

func (u *UI) wageFieldsets(r *http.Request, v *view, vals map[string]string) ([]lfieldset, error) {
	dests, err := u.labourCountryOptions(r.Context(), v, vals["destination"])
	if err != nil {
		return nil, err
	}
	fld := func(name, kind string) lfield {
		return lfield{Name: name, ID: fieldID("wage", name), Label: v.T(wageLabels[name]), Kind: kind, Value: vals[name], Required: true}
	}
	dest := fld("destination", "select")
	dest.Options = dests
	isco := fld("isco", "text")
	isco.MaxLength, isco.InputMode, isco.Hint = 4, "numeric", v.T("labour.hint.wage.isco")
	wage := fld("monthlyWage", "number")
	wage.Min, wage.Step, wage.InputMode, wage.Hint = "0", "any", "decimal", v.T("labour.hint.wage.monthlyWage")
	cur := fld("currency", "text")
	cur.MaxLength, cur.Hint = 3, v.T("labour.hint.currency")
	return []lfieldset{{Legend: v.T("labour.wage.legend"), Fields: []lfield{dest, isco, wage, cur}}}, nil
}

// wageSource says where a worker's first wage comes from: reported (on
// the day it was) or the vacancy's wage, recorded when the worker arrived.
func (u *UI) wageSource(ctx context.Context, v *view, workerID int64) (string, error) {
	wg, ok, err := u.db.Labour().WageOf(ctx, web.PrincipalFrom(ctx), workerID)
	if err != nil || !ok {
		return "", err
	}
	if wg.Source == "reported" {
		return v.T("labour.wage.source.reported", "Value", wg.RecordedAt.UTC().Format("2006-01-02")), nil
	}
	return v.T("labour.wage.source.placement"), nil
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func (u *UI) renderWorker(w http.ResponseWriter, r *http.Request, v *view, id int64, status int, fs workerForms) error {
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
		Full: acc >= store.WorkerShared, Withdrawn: wk.Status == labour.WorkerWithdrawn,
		Skills: skillLabels(tax, wk.Skills), Languages: languageTexts(wk.Languages),
		CanUpdate: me.Allows("workers", auth.Update, auth.Record{OrgID: wk.OrgID, OwnerID: wk.OwnerID}),
		SelfView:  me.Scope("workers", auth.Read) == auth.ScopeOwn}
	if p.Full {
		p.Name = strings.TrimSpace(wk.GivenName + " " + wk.FamilyName)
	}
	p.Facts, p.Occupations = v.workerFacts(tax, names, wk, p.Full)
	// Ranked vacancies and reported costs are the registering
	// organisation's; an employer who shortlisted the worker sees the
	// profile only.
	own := me.Allows("workers", auth.Read, auth.Record{OrgID: wk.OrgID, OwnerID: wk.OwnerID})
	p.Own = own
	if !p.Withdrawn && own {
		if p.Vacancies, err = u.matchedVacancies(ctx, v, tax, names, id); err != nil {
			return err
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
	var wage *labour.WorkerCost
	if own {
		o, ok, err := l.WorkerCostOf(ctx, me, id)
		if err != nil {
			return err
		}
		if ok {
			wage = &o
			p.Wage = v.T("labour.perMonth", "Value", v.money(o.MonthlyWage, o.Currency))
			p.WageWhere = countryLabel(names, o.Destination) + " · " + iscoLabel(tax, o.ISCO)
			p.CostsTotal = v.money(o.Costs, o.Currency)
			if o.Unconverted {
				p.CostsTotal = v.T("labour.costs.unconverted")
			}
			if !math.IsNaN(o.Ratio) {
				p.Ratio = v.num(o.Ratio, 2)
			}
			p.PaidFees = o.PaidFees
			if p.WageFrom, err = u.wageSource(ctx, v, id); err != nil {
				return err
			}
		}
	}
	if s := r.URL.Query().Get("saved"); s == "created" || s == "cost" || s == "wage" {
		p.Saved = s
	}
	if fs.cost == nil {
		fs.cost = newLabourForm(v, "cost")
	}
	if fs.costVals == nil {
		fs.costVals = map[string]string{"date": today(), "kind": labour.CostFee, "paidTo": "recruiter"}
		if wage != nil {
			fs.costVals["rateTo"] = wage.Currency
		}
	}
	if fs.wage == nil {
		fs.wage = newLabourForm(v, "wage")
	}
	if fs.wageVals == nil {
		fs.wageVals = map[string]string{}
		switch {
		case wage != nil:
			fs.wageVals = map[string]string{"destination": wage.Destination, "isco": wage.ISCO, "monthlyWage": num(wage.MonthlyWage), "currency": wage.Currency}
		default:
			if len(wk.PreferredDestinations) > 0 {
				fs.wageVals["destination"] = wk.PreferredDestinations[0]
			}
			if len(wk.Occupations) > 0 {
				fs.wageVals["isco"] = wk.Occupations[0].ISCO
			}
		}
	}
	sets, err := u.costFieldsets(r, v, fs.costVals)
	if err != nil {
		return err
	}
	p.CostForm, p.CostSets = fs.cost.f, fs.cost.finish(sets)
	if sets, err = u.wageFieldsets(r, v, fs.wageVals); err != nil {
		return err
	}
	p.WageForm, p.WageSets = fs.wage.f, fs.wage.finish(sets)
	v.Title, v.Data = p.Ref, p
	v.Languages = u.languageLinksTo(workerURL(id), nil, v.Lang)
	return u.render(w, status, "labour_worker", v)
}

// workerFacts are a profile's facts (personal ones when full) and its
// occupations with their years.
func (v *view) workerFacts(tax *esco.Taxonomy, names map[string]string, wk labour.Worker, full bool) (facts []kv, occs []string) {
	yes := func(b bool) string {
		if b {
			return v.T("labour.yes")
		}
		return v.T("labour.no")
	}
	facts = append(facts, kv{v.T("labour.field.origin"), countryLabel(names, wk.Origin)})
	if full {
		for _, f := range []kv{{v.T("labour.field.birthDate"), wk.BirthDate}, {v.T("labour.field.email"), wk.Email}, {v.T("labour.field.phone"), wk.Phone}} {
			if f.Value != "" {
				facts = append(facts, f)
			}
		}
	}
	facts = append(facts,
		kv{v.T("labour.field.consentMatching"), yes(wk.Consent.Matching)},
		kv{v.T("labour.field.consentShare"), yes(wk.Consent.ShareWithEmployers)},
		kv{v.T("labour.field.consentDate"), wk.Consent.Date},
		kv{v.T("labour.field.education"), v.T("labour.isced." + strconv.Itoa(wk.Education))},
		kv{v.T("labour.field.experienceYears"), v.T("labour.years", "Count", wk.ExperienceYears)})
	if wk.AvailableFrom != "" {
		facts = append(facts, kv{v.T("labour.field.availableFrom"), wk.AvailableFrom})
	}
	if len(wk.PreferredDestinations) > 0 {
		var ds []string
		for _, d := range wk.PreferredDestinations {
			ds = append(ds, countryLabel(names, d))
		}
		facts = append(facts, kv{v.T("labour.field.preferredDestinations"), strings.Join(ds, ", ")})
	}
	if full && wk.Qualifications != "" {
		facts = append(facts, kv{v.T("labour.field.qualifications"), wk.Qualifications})
	}
	for _, o := range wk.Occupations {
		label := occupationLabel(tax, o.Occupation)
		if label == "" {
			label = iscoLabel(tax, o.ISCO)
		}
		occs = append(occs, v.T("labour.occupationYears", "Name", label, "Code", o.ISCO, "Count", o.Years))
	}
	return facts, occs
}

// matchedVacancies are the published vacancies ranked for a worker, each
// score explained.
func (u *UI) matchedVacancies(ctx context.Context, v *view, tax *esco.Taxonomy, names map[string]string, id int64) ([]matchedVacancyView, error) {
	l, me := u.db.Labour(), web.PrincipalFrom(ctx)
	res, err := l.VacanciesFor(ctx, me, id, 20)
	if err != nil {
		return nil, err
	}
	labels := v.explainLabels()
	var out []matchedVacancyView
	for _, x := range res {
		mv := matchedVacancyView{URL: "/vacancies/" + idString(x.VacancyID), Title: "#" + idString(x.VacancyID), explanationView: v.explanation(tax, labels, x)}
		if vc, err := l.Vacancy(ctx, me, x.VacancyID); err == nil {
			mv.Title, mv.Destination = vc.Title+" ("+vc.Place+")", countryLabel(names, vc.Destination)
		}
		out = append(out, mv)
	}
	return out, nil
}

func (u *UI) workerPage(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := labourPathID(r, "worker")
	if err != nil {
		return err
	}
	return u.renderWorker(w, r, v, id, http.StatusOK, workerForms{})
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
	c := labour.Cost{WorkerID: id, Kind: get("kind"), Currency: strings.ToUpper(get("currency")), RateTo: strings.ToUpper(get("rateTo")),
		PaidTo: get("paidTo"), Date: get("date"), Note: get("note")}
	c.Amount = lf.number("amount", get("amount"), true)
	// The rate is needed only to convert into another currency: paid in
	// the wage's currency it is 1, whether typed or left empty.
	c.RateToWage = lf.number("rateToWage", get("rateToWage"), c.RateTo != "" && c.RateTo != c.Currency)
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
	return u.renderWorker(w, r, v, id, http.StatusBadRequest, workerForms{cost: lf, costVals: labourValues(r)})
}

// workerReportWage records the first monthly wage the worker reports
// earning in the destination: the denominator of SDG 10.7.1.
func (u *UI) workerReportWage(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := labourPathID(r, "worker")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	get := func(name string) string { return strings.TrimSpace(r.PostForm.Get(name)) }
	lf := newLabourForm(v, "wage")
	lf.register(wageLabels)
	wg := store.Wage{Destination: strings.ToUpper(get("destination")), ISCO: get("isco"), Currency: strings.ToUpper(get("currency"))}
	wg.MonthlyWage = lf.number("monthlyWage", get("monthlyWage"), true)
	var ps field.Problems
	ps.Country("destination", wg.Destination, true)
	switch {
	case wg.ISCO == "":
		ps.Add("isco", "required", nil, "required")
	case !isDigitsN(wg.ISCO, 4, 4):
		ps.Add("isco", "isco", nil, "an ISCO-08 unit group: 4 digits")
	default:
		tax, err := u.labourTaxonomy(r.Context())
		if err != nil {
			return err
		}
		if tax != nil {
			if _, ok := tax.ISCOGroup(wg.ISCO); !ok {
				lf.bad("isco", "labour.reason.unknownISCO", "Value", wg.ISCO)
			}
		}
	}
	ps.Amount("monthlyWage", wg.MonthlyWage, true, labour.MaxWage)
	if ps.Currency("currency", wg.Currency, true) && !remit.IsCurrency(wg.Currency, false) {
		ps.Add("currency", "currency", nil, "%s is not an ISO 4217 currency", wg.Currency)
	}
	lf.problems(ps)
	if lf.f.OK() {
		err := u.db.Labour().ReportWage(labourCtx(r), web.PrincipalFrom(r.Context()), id, wg)
		switch {
		case err == nil:
			web.SkipAudit(r)
			return seeOther(w, r, workerURL(id)+"?saved=wage#worker-sdg")
		case !lf.storeError(err):
			return err
		}
	}
	return u.renderWorker(w, r, v, id, http.StatusBadRequest, workerForms{wage: lf, wageVals: labourValues(r)})
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
