package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/web"
)

// The recruiter register (/labour/recruiters): every recruiter with its
// licence and IRIS certification (and whether the certificate has ended),
// how many workers reported paying it a recruitment fee, and the flag
// that follows. Those who may add labour records add a recruiter (as not
// certified or certification in progress); the platform's certification
// desk (labour:publish at every scope) states and changes certifications.

const recruitersPath = "/labour/recruiters"

var recruiterLabels = map[string]string{
	"name": "labour.field.recruiterName", "country": "labour.field.recruiterCountry", "licence": "labour.field.licence",
	"certification": "labour.field.certification", "certifiedUntil": "labour.field.certifiedUntil", "website": "labour.field.website",
	"recruiter": "labour.field.recruiter",
}

type recruiterRegisterRow struct {
	ID                                   int64
	Name, Country, Licence, Website      string
	Certification, CertID, CertifiedTill string
	Expired, Flagged                     bool
	WorkersPayingFees                    int
}

type recruitersPage struct {
	Rows              []recruiterRegisterRow
	Flagged           int
	CanAdd, Desk      bool
	AddForm, CertForm *form
	AddSets, CertSets []lfieldset
	Saved             string
}

// certificationDesk reports whether p states recruiters' certifications
// (as the store decides: labour:publish at every scope).
func certificationDesk(p *auth.Principal) bool {
	return p.Scope("labour", auth.Publish) == auth.ScopeAll
}

// certOptions are the certifications p may state.
func (v *view) certOptions(p *auth.Principal, selected string) []mapOption {
	var out []mapOption
	for _, c := range labour.Certifications {
		if !certificationDesk(p) && c != "not-certified" {
			continue
		}
		out = append(out, mapOption{Value: c, Label: v.label("labour.cert", c, c), Selected: c == selected})
	}
	return out
}

type recruiterForms struct {
	add, cert         *labourForm
	addVals, certVals map[string]string
}

func (u *UI) renderRecruiters(w http.ResponseWriter, r *http.Request, v *view, status int, fs recruiterForms) error {
	ctx := r.Context()
	me := web.PrincipalFrom(ctx)
	rs, err := u.db.Labour().Recruiters(ctx)
	if err != nil {
		return err
	}
	names, err := u.labourNames(ctx)
	if err != nil {
		return err
	}
	p := recruitersPage{CanAdd: me.Can("labour", auth.Create), Desk: certificationDesk(me)}
	recOpts := []mapOption{{Value: "", Label: v.T("labour.choose")}}
	for _, rc := range rs {
		row := recruiterRegisterRow{ID: rc.ID, Name: rc.Name, Country: countryLabel(names, rc.Country), Licence: rc.Licence,
			Certification: v.label("labour.cert", rc.Certification, rc.Certification), CertID: rc.Certification,
			CertifiedTill: rc.CertifiedUntil, Expired: rc.Expired, Flagged: rc.Flagged, WorkersPayingFees: rc.WorkersPayingFees}
		p.Rows = append(p.Rows, row)
		if rc.Flagged {
			p.Flagged++
		}
		recOpts = append(recOpts, mapOption{Value: idString(rc.ID), Label: rc.Name + " (" + rc.Country + ")",
			Selected: fs.certVals != nil && fs.certVals["recruiter"] == idString(rc.ID)})
	}
	if s := r.URL.Query().Get("saved"); s == "added" || s == "certification" {
		p.Saved = s
	}
	fld := func(prefix, name, kind string, vals map[string]string, req bool) lfield {
		f := lfield{Name: name, ID: fieldID(prefix, name), Label: v.T(recruiterLabels[name]), Kind: kind, Value: vals[name], Required: req}
		if v.u.catalog.Has("labour.hint.recruiter." + name) {
			f.Hint = v.T("labour.hint.recruiter." + name)
		}
		return f
	}
	if p.CanAdd {
		if fs.add == nil {
			fs.add = newLabourForm(v, "rec")
		}
		if fs.addVals == nil {
			fs.addVals = map[string]string{"certification": "not-certified"}
		}
		countries, err := u.labourCountryOptions(ctx, v, fs.addVals["country"])
		if err != nil {
			return err
		}
		country := fld("rec", "country", "select", fs.addVals, true)
		country.Options = countries
		cert := fld("rec", "certification", "select", fs.addVals, true)
		cert.Options = v.certOptions(me, fs.addVals["certification"])
		fields := []lfield{fld("rec", "name", "text", fs.addVals, true), country, fld("rec", "licence", "text", fs.addVals, false), cert}
		if p.Desk {
			fields = append(fields, fld("rec", "certifiedUntil", "date", fs.addVals, false))
		}
		fields = append(fields, fld("rec", "website", "url", fs.addVals, false))
		p.AddForm, p.AddSets = fs.add.f, fs.add.finish([]lfieldset{{Legend: v.T("labour.recruiters.addLegend"), Fields: fields}})
	}
	if p.Desk && len(rs) > 0 {
		if fs.cert == nil {
			fs.cert = newLabourForm(v, "cert")
		}
		if fs.certVals == nil {
			fs.certVals = map[string]string{"certification": "iris-certified"}
		}
		rec := fld("cert", "recruiter", "select", fs.certVals, true)
		rec.Options = recOpts
		cert := fld("cert", "certification", "select", fs.certVals, true)
		cert.Options = v.certOptions(me, fs.certVals["certification"])
		until := fld("cert", "certifiedUntil", "date", fs.certVals, false)
		p.CertForm, p.CertSets = fs.cert.f, fs.cert.finish([]lfieldset{{Legend: v.T("labour.recruiters.certLegend"), Fields: []lfield{rec, cert, until}}})
	}
	v.Title, v.Data = v.T("labour.recruiters.title"), p
	v.Languages = u.languageLinksTo(recruitersPath, nil, v.Lang)
	return u.render(w, status, "labour_recruiters", v)
}

func (u *UI) recruitersList(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.renderRecruiters(w, r, v, http.StatusOK, recruiterForms{})
}

// recruiterCreate adds a recruiter to the register (form).
func (u *UI) recruiterCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := parseForm(r); err != nil {
		return err
	}
	get := func(name string) string { return strings.TrimSpace(r.PostForm.Get(name)) }
	lf := newLabourForm(v, "rec")
	lf.register(recruiterLabels)
	rc := labour.Recruiter{Name: get("name"), Country: strings.ToUpper(get("country")), Licence: get("licence"),
		Certification: get("certification"), CertifiedUntil: get("certifiedUntil"), Website: get("website")}
	lf.problems(rc.Check())
	if lf.f.OK() {
		_, err := u.db.Labour().CreateRecruiter(labourCtx(r), web.PrincipalFrom(r.Context()), rc)
		switch {
		case err == nil:
			web.SkipAudit(r)
			return seeOther(w, r, recruitersPath+"?saved=added#recruiter-register")
		case !lf.storeError(err):
			return err
		}
	}
	return u.renderRecruiters(w, r, v, http.StatusBadRequest, recruiterForms{add: lf, addVals: labourValues(r)})
}

// recruiterCertify changes a recruiter's certification (form; the
// certification desk).
func (u *UI) recruiterCertify(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := parseForm(r); err != nil {
		return err
	}
	get := func(name string) string { return strings.TrimSpace(r.PostForm.Get(name)) }
	lf := newLabourForm(v, "cert")
	lf.register(recruiterLabels)
	id, err := strconv.ParseInt(get("recruiter"), 10, 64)
	if err != nil || id <= 0 {
		lf.bad("recruiter", "form.reason.choice")
	}
	cert, until := get("certification"), get("certifiedUntil")
	if lf.f.OK() {
		_, err := u.db.Labour().SetCertification(labourCtx(r), web.PrincipalFrom(r.Context()), id, cert, until)
		switch {
		case err == nil:
			web.SkipAudit(r)
			return seeOther(w, r, recruitersPath+"?saved=certification#recruiter-register")
		case !lf.storeError(err):
			return err
		}
	}
	return u.renderRecruiters(w, r, v, http.StatusBadRequest, recruiterForms{cert: lf, certVals: labourValues(r)})
}
