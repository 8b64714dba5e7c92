package ui

import (
	"errors"
	"net/http"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// A worker's own account (role worker) at /labour/me: without a profile,
// the registration form in the worker's own words (the consent is theirs:
// recorded by self); with one, the profile, the vacancies it matches and
// the withdrawal of consent. The store keeps one active profile per
// account and shows the worker no one else's.

const mePath = "/labour/me"

type mePage struct {
	Registered bool
	// Without a profile: the registration form.
	Form            *form
	Sets            []lfieldset
	WithdrawnBefore bool
	// With one: the profile.
	ID                         int64
	Ref, Name, StatusL         string
	Facts                      []kv
	Occupations, Skills, Langs []string
	Vacancies                  []matchedVacancyView
	ProfileURL                 string
	Saved                      string
}

// ownProfile is the worker account's active profile (nil without one),
// and whether an earlier one was withdrawn.
func (u *UI) ownProfile(r *http.Request) (*labour.Worker, bool, error) {
	ws, _, err := u.db.Labour().Workers(labourCtx(r), web.PrincipalFrom(r.Context()), store.WorkerFilter{Limit: 20})
	if err != nil {
		return nil, false, err
	}
	web.SkipAudit(r) // the store audited the read
	withdrawn := false
	for i := range ws {
		if ws[i].Status != labour.WorkerWithdrawn {
			return &ws[i], withdrawn, nil
		}
		withdrawn = true
	}
	return nil, withdrawn, nil
}

// notWorkerAccount refuses /labour/me's forms to accounts that are not a
// worker's own (agencies register workers at /labour/workers/new).
func notWorkerAccount() error {
	return &refusal{Kind: derrors.Forbidden, TitleID: "error.forbidden.title", TextID: "labour.me.onlyWorkers"}
}

func (u *UI) labourMe(w http.ResponseWriter, r *http.Request, v *view) error {
	if !isWorkerAccount(web.PrincipalFrom(r.Context())) {
		// Agencies and employers see the workers their scope reaches.
		return seeOther(w, r, "/labour/workers")
	}
	wk, withdrawn, err := u.ownProfile(r)
	if err != nil {
		return err
	}
	if wk == nil {
		vals := map[string]string{"consent.date": today(), "education": "0", "experienceYears": "0"}
		return u.renderMeForm(w, r, v, http.StatusOK, newLabourForm(v, "wk"), vals, withdrawn)
	}
	ctx := r.Context()
	tax, err := u.labourTaxonomy(ctx)
	if err != nil {
		return err
	}
	names, err := u.labourNames(ctx)
	if err != nil {
		return err
	}
	p := mePage{Registered: true, ID: wk.ID, Ref: wk.Reference(), Name: wk.GivenName + " " + wk.FamilyName,
		StatusL: v.label("labour.workerStatus", wk.Status, wk.Status), Skills: skillLabels(tax, wk.Skills), Langs: languageTexts(wk.Languages),
		ProfileURL: workerURL(wk.ID)}
	p.Facts, p.Occupations = v.workerFacts(tax, names, *wk, true)
	if wk.Consent.Matching {
		if p.Vacancies, err = u.matchedVacancies(ctx, v, tax, names, wk.ID); err != nil {
			return err
		}
	}
	if s := r.URL.Query().Get("saved"); s == "created" {
		p.Saved = s
	}
	v.Title, v.Data = v.T("labour.me.title"), p
	return u.render(w, http.StatusOK, "labour_me", v)
}

func (u *UI) renderMeForm(w http.ResponseWriter, r *http.Request, v *view, status int, lf *labourForm, vals map[string]string, withdrawn bool) error {
	sets, err := u.workerFieldsets(r, v, vals, true)
	if err != nil {
		return err
	}
	if s := r.URL.Query().Get("saved"); s == "withdrawn" {
		withdrawn = true
	}
	v.Title = v.T("labour.me.registerTitle")
	v.Data = mePage{Form: lf.f, Sets: lf.finish(sets), WithdrawnBefore: withdrawn}
	v.Languages = u.languageLinksTo(mePath, nil, v.Lang)
	return u.render(w, status, "labour_me", v)
}

// labourMeRegister registers the worker's own profile (form), consent
// recorded by self.
func (u *UI) labourMeRegister(w http.ResponseWriter, r *http.Request, v *view) error {
	if !isWorkerAccount(web.PrincipalFrom(r.Context())) {
		return notWorkerAccount()
	}
	if err := parseForm(r); err != nil {
		return err
	}
	lf := newLabourForm(v, "wk")
	wk, err := u.readWorkerForm(r, lf, true)
	if err != nil {
		return err
	}
	if lf.f.OK() {
		_, err := u.db.Labour().CreateWorker(labourCtx(r), web.PrincipalFrom(r.Context()), wk)
		switch {
		case err == nil:
			web.SkipAudit(r)
			return seeOther(w, r, mePath+"?saved=created")
		case errors.Is(err, derrors.Conflict):
			// A profile already (the form sent twice): it is the page to see.
			return seeOther(w, r, mePath)
		case !lf.storeError(err):
			return err
		}
	}
	return u.renderMeForm(w, r, v, http.StatusBadRequest, lf, workerFormValues(r), false)
}

// labourMeWithdraw records that the worker withdraws consent (form): the
// profile is never matched again and the personal fields are erased.
func (u *UI) labourMeWithdraw(w http.ResponseWriter, r *http.Request, v *view) error {
	if !isWorkerAccount(web.PrincipalFrom(r.Context())) {
		return notWorkerAccount()
	}
	wk, _, err := u.ownProfile(r)
	if err != nil {
		return err
	}
	if wk == nil {
		return seeOther(w, r, mePath)
	}
	if err := u.db.Labour().WithdrawWorker(labourCtx(r), web.PrincipalFrom(r.Context()), wk.ID); err != nil {
		return err
	}
	web.SkipAudit(r)
	return seeOther(w, r, mePath+"?saved=withdrawn")
}
