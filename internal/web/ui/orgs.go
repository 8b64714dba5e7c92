package ui

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// The administration of organisations and their teams. Listings follow
// the principal's record scope (filtered in SQL); one organisation's page
// and its teams need the teams permission within that scope, as the JSON
// API's do.

// Bounds of the organisation and team forms (auth.Org.Validate's and
// auth.Team.Validate's).
const (
	orgNameMin  = 2
	orgNameMax  = 200
	teamNameMin = 2
	teamNameMax = 100
)

// orgsPage is the data of the orgs template.
type orgsPage struct {
	Rows      []orgRow
	CanCreate bool
	Kinds     []selectOption
	Name      string // the form's values, shown again
	Country   string
	Form      *form
	Created   string // the name of the organisation just created (the flash)
	MinName   int
	MaxName   int
}

// orgRow is one organisation as the pages show it.
type orgRow struct {
	auth.Org
	KindLabel   string
	CountryName string // "" when the reference geography lacks the code
	URL         string // its page, when the principal may see its teams
}

func (u *UI) orgRow(ctx context.Context, v *view, p *auth.Principal, o auth.Org, names map[string]string) (orgRow, error) {
	row := orgRow{Org: o, KindLabel: v.label("orgKind", o.Kind, o.Kind)}
	if name, ok := names[o.Country]; ok {
		row.CountryName = name
	} else {
		a, err := u.geo.Area(ctx, o.Country)
		switch {
		case err == nil && a.ISO3 == o.Country:
			row.CountryName = a.Name
		case err != nil && !errors.Is(err, derrors.NotFound) && !errors.Is(err, derrors.Invalid):
			return row, err
		}
		names[o.Country] = row.CountryName
	}
	if p.Allows("teams", auth.Read, auth.Record{OrgID: o.ID}) {
		row.URL = orgURL(o.ID)
	}
	return row, nil
}

func orgURL(id int64) string { return "/admin/orgs/" + strconv.FormatInt(id, 10) }

// orgsData lists the organisations the principal may see.
func (u *UI) orgsData(r *http.Request, v *view) (orgsPage, error) {
	ctx := r.Context()
	p := web.PrincipalFrom(ctx)
	list, err := u.db.Accounts().Orgs(ctx, p.FilterFor("orgs", auth.Read))
	if err != nil {
		return orgsPage{}, err
	}
	page := orgsPage{CanCreate: p.Can("orgs", auth.Create), MinName: orgNameMin, MaxName: orgNameMax}
	names := map[string]string{}
	for _, o := range list {
		row, err := u.orgRow(ctx, v, p, o, names)
		if err != nil {
			return page, err
		}
		page.Rows = append(page.Rows, row)
	}
	return page, nil
}

func (page *orgsPage) kinds(v *view, chosen string) {
	page.Kinds = nil
	for _, k := range auth.OrgKinds {
		page.Kinds = append(page.Kinds, selectOption{Value: k, Label: v.label("orgKind", k, k), Selected: k == chosen})
	}
}

// orgs lists the organisations within the principal's scope, with the
// form to create one for those who may.
func (u *UI) orgs(w http.ResponseWriter, r *http.Request, v *view) error {
	page, err := u.orgsData(r, v)
	if err != nil {
		return err
	}
	page.Form = &form{}
	page.kinds(v, "")
	if id, err := strconv.ParseInt(r.URL.Query().Get("created"), 10, 64); err == nil {
		if i := slices.IndexFunc(page.Rows, func(o orgRow) bool { return o.ID == id }); i >= 0 {
			page.Created = page.Rows[i].Name
		}
	}
	return u.renderOrgs(w, v, http.StatusOK, page)
}

func (u *UI) renderOrgs(w http.ResponseWriter, v *view, status int, page orgsPage) error {
	v.Title, v.Data = v.T("orgs.title"), page
	v.Languages = u.languageLinksTo("/admin/orgs", nil, v.Lang)
	return u.render(w, status, "orgs", v)
}

var orgFields = map[string]string{"name": "name", "kind": "kind", "country": "country"}

var orgFieldIDs = map[string]string{"name": "org-name", "kind": "org-kind", "country": "org-country"}

var orgFieldLabels = map[string]string{"name": "orgNew.name", "kind": "orgNew.kind", "country": "orgNew.country"}

// createOrg creates an organisation from the form. The country must be
// the ISO 3166-1 alpha-3 code of a country or territory of the reference
// geography.
func (u *UI) createOrg(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	in := r.PostForm
	o := auth.Org{Name: strings.TrimSpace(in.Get("name")), Kind: strings.TrimSpace(in.Get("kind")),
		Country: strings.ToUpper(strings.TrimSpace(in.Get("country")))}
	f := &form{}
	bad := func(field, reasonID string, kv ...any) {
		f.add(v, field, orgFieldIDs[field], orgFieldLabels[field], reasonID, kv...)
	}
	if reason, kv := checkText(o.Name, true, orgNameMax); reason != "" {
		bad("name", reason, kv...)
	} else if len([]rune(o.Name)) < orgNameMin {
		bad("name", "form.reason.tooShort", "Min", orgNameMin)
	} else if _, err := u.db.Accounts().OrgByName(ctx, o.Name); err == nil {
		bad("name", "form.reason.orgTaken")
	} else if !errors.Is(err, derrors.NotFound) {
		return err
	}
	switch {
	case o.Kind == "":
		bad("kind", "form.reason.required")
	case !slices.Contains(auth.OrgKinds, o.Kind):
		bad("kind", "form.reason.choice")
	}
	if err := u.checkCountry(ctx, o.Country); err != nil {
		var fe *fieldReason
		if !errors.As(err, &fe) {
			return err
		}
		bad("country", fe.ID, fe.KV...)
	}
	if f.OK() {
		err := u.db.InTx(ctx, func(tx *store.Tx) (err error) {
			o, err = u.db.Accounts().CreateOrg(ctx, tx, o)
			return err
		})
		switch {
		case err == nil:
			web.NoteRecord(r, strconv.FormatInt(o.ID, 10))
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, "/admin/orgs?created="+strconv.FormatInt(o.ID, 10), http.StatusSeeOther)
			return nil
		case errors.Is(err, derrors.Conflict):
			bad("name", "form.reason.orgTaken")
		case errors.Is(err, derrors.Invalid):
			field, reason, ok := storeFieldError(err, orgFields)
			if !ok {
				return err
			}
			f.addText(v, field, orgFieldIDs[field], orgFieldLabels[field], reason)
		default:
			return err
		}
	}
	page, err := u.orgsData(r, v)
	if err != nil {
		return err
	}
	page.kinds(v, in.Get("kind"))
	page.Name, page.Country, page.Form = in.Get("name"), in.Get("country"), f
	return u.renderOrgs(w, v, http.StatusBadRequest, page)
}

// fieldReason is why a field is refused: a message id and its values.
type fieldReason struct {
	ID string
	KV []any
}

func (e *fieldReason) Error() string { return e.ID }

// checkCountry checks an organisation's country: three capital letters
// that the reference geography knows as the ISO3 code of a country or
// territory. The refusal is a *fieldReason; any other error is the
// geography's failure.
func (u *UI) checkCountry(ctx context.Context, code string) error {
	if code == "" {
		return &fieldReason{ID: "form.reason.required"}
	}
	if len(code) != 3 || strings.ContainsFunc(code, func(c rune) bool { return c < 'A' || c > 'Z' }) {
		return &fieldReason{ID: "form.reason.iso3"}
	}
	a, err := u.geo.Area(ctx, code)
	switch {
	case errors.Is(err, derrors.NotFound) || errors.Is(err, derrors.Invalid):
		return &fieldReason{ID: "form.reason.country", KV: []any{"Value", code}}
	case err != nil:
		return err
	case a.Kind != geo.KindCountry || a.ISO3 != code:
		return &fieldReason{ID: "form.reason.country", KV: []any{"Value", code}}
	}
	return nil
}

// ---- one organisation and its teams

// orgPage is the data of the org template.
type orgPage struct {
	Org       orgRow
	Teams     []auth.Team
	CanCreate bool
	TeamName  string // the form's value, shown again
	Form      *form
	Created   string // the name of the team just created (the flash)
	MinName   int
	MaxName   int
}

// orgInScope finds the organisation of the {id} path parameter and checks
// that the principal may do action on resource within it. An organisation
// out of scope is not found, as one that does not exist, so that ids
// cannot be probed.
func (u *UI) orgInScope(r *http.Request, resource, action string) (auth.Org, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return auth.Org{}, derrors.Kindf(derrors.NotFound, "no organisation %q", raw)
	}
	o, err := u.db.Accounts().Org(r.Context(), id)
	if err != nil {
		return o, err
	}
	if !web.PrincipalFrom(r.Context()).Allows(resource, action, auth.Record{OrgID: id}) {
		return o, derrors.Kindf(derrors.NotFound, "no organisation %d", id)
	}
	return o, nil
}

func (u *UI) orgPageData(r *http.Request, v *view, o auth.Org) (orgPage, error) {
	ctx := r.Context()
	p := web.PrincipalFrom(ctx)
	row, err := u.orgRow(ctx, v, p, o, map[string]string{})
	if err != nil {
		return orgPage{}, err
	}
	teams, err := u.db.Accounts().Teams(ctx, o.ID)
	if err != nil {
		return orgPage{}, err
	}
	return orgPage{Org: row, Teams: teams, CanCreate: p.Allows("teams", auth.Create, auth.Record{OrgID: o.ID}),
		MinName: teamNameMin, MaxName: teamNameMax}, nil
}

// orgPage shows one organisation and its teams, with the form to add a
// team for those who may.
func (u *UI) orgPage(w http.ResponseWriter, r *http.Request, v *view) error {
	o, err := u.orgInScope(r, "teams", auth.Read)
	if err != nil {
		return err
	}
	page, err := u.orgPageData(r, v, o)
	if err != nil {
		return err
	}
	page.Form = &form{}
	if id, err := strconv.ParseInt(r.URL.Query().Get("created"), 10, 64); err == nil {
		if i := slices.IndexFunc(page.Teams, func(t auth.Team) bool { return t.ID == id }); i >= 0 {
			page.Created = page.Teams[i].Name
		}
	}
	return u.renderOrg(w, v, http.StatusOK, page)
}

func (u *UI) renderOrg(w http.ResponseWriter, v *view, status int, page orgPage) error {
	v.Title, v.Data = page.Org.Name, page
	v.Languages = u.languageLinksTo(orgURL(page.Org.ID), nil, v.Lang)
	return u.render(w, status, "org", v)
}

// createTeam adds a team to an organisation within the principal's scope.
func (u *UI) createTeam(w http.ResponseWriter, r *http.Request, v *view) error {
	o, err := u.orgInScope(r, "teams", auth.Create)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	page, err := u.orgPageData(r, v, o)
	if err != nil {
		return err
	}
	t := auth.Team{OrgID: o.ID, Name: strings.TrimSpace(r.PostForm.Get("name"))}
	f := &form{}
	bad := func(reasonID string, kv ...any) { f.add(v, "name", "team-name", "teamNew.name", reasonID, kv...) }
	if reason, kv := checkText(t.Name, true, teamNameMax); reason != "" {
		bad(reason, kv...)
	} else if len([]rune(t.Name)) < teamNameMin {
		bad("form.reason.tooShort", "Min", teamNameMin)
	} else if slices.ContainsFunc(page.Teams, func(x auth.Team) bool { return strings.EqualFold(x.Name, t.Name) }) {
		bad("form.reason.teamTaken")
	}
	if f.OK() {
		err = u.db.InTx(ctx, func(tx *store.Tx) (err error) {
			t, err = u.db.Accounts().CreateTeam(ctx, tx, t)
			return err
		})
		switch {
		case err == nil:
			web.NoteRecord(r, strconv.FormatInt(t.ID, 10))
			web.NoteDetail(r, "team of organisation "+strconv.FormatInt(o.ID, 10))
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, orgURL(o.ID)+"?created="+strconv.FormatInt(t.ID, 10), http.StatusSeeOther)
			return nil
		case errors.Is(err, derrors.Conflict):
			bad("form.reason.teamTaken")
		case errors.Is(err, derrors.Invalid):
			_, reason, ok := storeFieldError(err, map[string]string{"name": "name"})
			if !ok {
				return err
			}
			f.addText(v, "name", "team-name", "teamNew.name", reason)
		default:
			return err
		}
	}
	page.TeamName, page.Form = r.PostForm.Get("name"), f
	return u.renderOrg(w, v, http.StatusBadRequest, page)
}
