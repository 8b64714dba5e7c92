package ui

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// The indicator library: every definition (built in or added by users) and
// the form to add one. Definitions are data; expressions are parsed and
// checked against the stored series, never executed as code.

// indicatorsPage is the library and, for those allowed, the new-indicator
// form.
type indicatorsPage struct {
	Indicators []libraryIndicator
	Series     []stats.Series // what expressions may name
	CanCreate  bool
	Created    string // code of the indicator just created
	New        indicatorForm
	Form       *form
	Factors    []string
	ExprFields []exprField
}

// exprField is the numerator or denominator control of the form.
type exprField struct {
	Field, Label, Hint, Value string
	Required                  bool
}

func (page *indicatorsPage) exprFields(v *view) {
	page.ExprFields = []exprField{
		{Field: "numerator", Label: v.T("indicatorNew.numerator"), Hint: v.T("indicatorNew.numerator.hint"), Value: page.New.Numerator, Required: true},
		{Field: "denominator", Label: v.T("indicatorNew.denominator"), Hint: v.T("indicatorNew.denominator.hint"), Value: page.New.Denominator},
	}
}

type libraryIndicator struct {
	stats.Indicator
	Definition string
	DataURL    string
}

// indicatorForm is what the form shows again after a problem.
type indicatorForm struct {
	Code, Name, Description, Numerator, Denominator, Unit string
	Factor, Decimals, Aggregation                         string
	Bilateral                                             bool
	// ExprField and ExprCaret point at the token a bad expression fails
	// on: the expression's text up to it, to align a caret under it.
	ExprField, ExprText, ExprBefore string
}

// The form's fields, their control ids and their labels.
var (
	indicatorFieldIDs = map[string]string{"code": "ind-code", "name": "ind-name", "description": "ind-description",
		"numerator": "ind-numerator", "denominator": "ind-denominator", "factor": "ind-factor", "unit": "ind-unit",
		"decimals": "ind-decimals", "aggregation": "ind-aggregation"}
	indicatorFieldLabels = map[string]string{"code": "indicatorNew.code", "name": "indicatorNew.name",
		"description": "indicatorNew.description", "numerator": "indicatorNew.numerator",
		"denominator": "indicatorNew.denominator", "factor": "indicatorNew.factor", "unit": "indicatorNew.unit",
		"decimals": "indicatorNew.decimals", "aggregation": "indicatorNew.aggregation"}
	indicatorFactors = []string{"1", "100", "1000", "100000", "1000000"}
)

const (
	indicatorNameMax        = 200
	indicatorDescriptionMax = 2000
	indicatorExprMax        = 1000
	indicatorUnitMax        = 60
)

// indicatorRoutes: the library is public; defining an indicator needs an
// account with the permission.
func (u *UI) indicatorRoutes() []web.Route {
	routes := []web.Route{pageRoute("/indicators", "indicators", "The indicator library: definitions and how each is computed",
		u.handle("indicators", u.indicators))}
	if u.accounts() {
		routes = append(routes, web.Route{Method: http.MethodPost, Pattern: "/indicators", Resource: "indicators",
			Action: web.ActionCreate, Summary: "Define an indicator (form); expressions are parsed and checked",
			Handler: u.handle("indicators", u.createIndicator)})
	}
	return routes
}

func (u *UI) indicators(w http.ResponseWriter, r *http.Request, v *view) error {
	page, err := u.indicatorsData(r)
	if err != nil {
		return err
	}
	page.New = indicatorForm{Factor: "1", Aggregation: "sum"}
	if c := r.URL.Query().Get("created"); c != "" && slices.ContainsFunc(page.Indicators,
		func(iv libraryIndicator) bool { return iv.Code == c && !iv.Builtin }) {
		page.Created = c
	}
	return u.renderIndicators(w, v, http.StatusOK, page)
}

func (u *UI) indicatorsData(r *http.Request) (indicatorsPage, error) {
	ctx := r.Context()
	page := indicatorsPage{Factors: indicatorFactors, Form: &form{},
		CanCreate: web.PrincipalFrom(ctx).Can("indicators", auth.Create)}
	if u.db == nil {
		return page, nil
	}
	inds, err := u.db.Stats().Indicators(ctx)
	if err != nil {
		return page, err
	}
	for _, ind := range inds {
		page.Indicators = append(page.Indicators, libraryIndicator{Indicator: ind, Definition: definitionText(ind),
			DataURL: "/api/v1/indicators/" + url.PathEscape(ind.Code)})
	}
	if page.CanCreate {
		if page.Series, err = u.db.Stats().AllSeries(ctx); err != nil {
			return page, err
		}
	}
	return page, nil
}

// definitionText writes an indicator's formula as the data API's meta
// does: (numerator) / (denominator) × factor.
func definitionText(ind stats.Indicator) string {
	if ind.Records != "" {
		return ind.Numerator
	}
	d := ind.Numerator
	if ind.Denominator != "" {
		d = "(" + ind.Numerator + ") / (" + ind.Denominator + ")"
	}
	if ind.Factor != 1 {
		d += " × " + strconv.FormatFloat(ind.Factor, 'f', -1, 64)
	}
	return d
}

func (u *UI) createIndicator(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := parseForm(r); err != nil {
		return err
	}
	in := r.PostForm
	nf := indicatorForm{Code: strings.TrimSpace(in.Get("code")), Name: strings.TrimSpace(in.Get("name")),
		Description: strings.TrimSpace(in.Get("description")), Numerator: strings.TrimSpace(in.Get("numerator")),
		Denominator: strings.TrimSpace(in.Get("denominator")), Unit: strings.TrimSpace(in.Get("unit")),
		Factor: in.Get("factor"), Decimals: strings.TrimSpace(in.Get("decimals")), Aggregation: in.Get("aggregation"),
		Bilateral: in.Get("bilateral") == "on"}
	f := &form{}
	bad := func(field, reasonID string, kv ...any) {
		f.add(v, field, indicatorFieldIDs[field], indicatorFieldLabels[field], reasonID, kv...)
	}
	ind, ok := nf.indicator(bad)
	if ok {
		ctx := r.Context()
		p := web.PrincipalFrom(ctx)
		err := u.db.InTx(ctx, func(tx *store.Tx) error { return u.db.Stats().CreateIndicator(ctx, tx, ind, p.UserID) })
		var ee *stats.ExprError
		switch {
		case err == nil:
			web.NoteRecord(r, ind.Code)
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, "/indicators?created="+url.QueryEscape(ind.Code)+"#ind-"+ind.Code, http.StatusSeeOther)
			return nil
		case errors.As(err, &ee):
			field := "numerator"
			if strings.HasSuffix(ee.Reason, "(in denominator)") {
				field = "denominator"
			}
			nf.pointAt(field, ee)
			reason := strings.TrimSuffix(strings.TrimSuffix(ee.Reason, " (in "+field+")"), " ")
			bad(field, "indicatorNew.reason.expression", "Position", exprColumn(nf.ExprText, ee.Pos), "Token", ee.Token, "Reason", reason)
		case errors.Is(err, derrors.Conflict):
			bad("code", "indicatorNew.reason.taken")
		case errors.Is(err, derrors.Invalid):
			field, reason, known := storeFieldError(err, map[string]string{"code": "code", "name": "name", "unit": "unit",
				"factor": "factor", "decimals": "decimals", "aggregation": "aggregation"})
			if !known {
				return err
			}
			f.addText(v, field, indicatorFieldIDs[field], indicatorFieldLabels[field], reason)
		default:
			return err
		}
	}
	page, err := u.indicatorsData(r)
	if err != nil {
		return err
	}
	page.New, page.Form = nf, f
	return u.renderIndicators(w, v, http.StatusBadRequest, page)
}

// indicator checks the form's fields in the user's language and returns
// the definition; the store then compiles the expressions against the
// series that exist.
func (nf indicatorForm) indicator(bad func(field, reasonID string, kv ...any)) (stats.Indicator, bool) {
	ok := true
	fail := func(field, reasonID string, kv ...any) { ok = false; bad(field, reasonID, kv...) }
	ind := stats.Indicator{Code: nf.Code, Name: nf.Name, Description: nf.Description, Numerator: nf.Numerator,
		Denominator: nf.Denominator, Unit: nf.Unit, Aggregation: nf.Aggregation, Bilateral: nf.Bilateral}
	switch {
	case nf.Code == "":
		fail("code", "form.reason.required")
	case !validIndicatorCode(nf.Code):
		fail("code", "indicatorNew.reason.code")
	}
	for _, t := range []struct {
		field, value string
		required     bool
		max          int
	}{
		{"name", nf.Name, true, indicatorNameMax}, {"description", nf.Description, false, indicatorDescriptionMax},
		{"numerator", nf.Numerator, true, indicatorExprMax}, {"denominator", nf.Denominator, false, indicatorExprMax},
		{"unit", nf.Unit, true, indicatorUnitMax},
	} {
		if reason, kv := checkText(t.value, t.required, t.max); reason != "" {
			fail(t.field, reason, kv...)
		}
	}
	factor, err := strconv.ParseFloat(nf.Factor, 64)
	if err != nil || !slices.Contains(indicatorFactors, nf.Factor) {
		fail("factor", "indicatorNew.reason.factor")
	}
	ind.Factor = factor
	if nf.Decimals == "" {
		nf.Decimals = "0"
	}
	if d, err := strconv.Atoi(nf.Decimals); err != nil || d < 0 || d > 6 {
		fail("decimals", "indicatorNew.reason.decimals")
	} else {
		ind.Decimals = d
	}
	if nf.Aggregation != "sum" && nf.Aggregation != "none" {
		fail("aggregation", "indicatorNew.reason.aggregation")
	}
	return ind, ok
}

func validIndicatorCode(c string) bool {
	if len(c) < 2 || len(c) > 64 || c[0] < 'a' || c[0] > 'z' {
		return false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// pointAt keeps the failing expression and its text before the bad token,
// so that the page can put a caret under the token.
func (nf *indicatorForm) pointAt(field string, ee *stats.ExprError) {
	text := nf.Numerator
	if field == "denominator" {
		text = nf.Denominator
	}
	pos := min(max(ee.Pos, 0), len(text))
	nf.ExprField, nf.ExprText, nf.ExprBefore = field, text, strings.Repeat(" ", utf8.RuneCountInString(text[:pos]))
}

// exprColumn is the 1-based character (not byte) position of a byte
// offset, as people count.
func exprColumn(text string, pos int) int {
	pos = min(max(pos, 0), len(text))
	return utf8.RuneCountInString(text[:pos]) + 1
}

func (u *UI) renderIndicators(w http.ResponseWriter, v *view, status int, page indicatorsPage) error {
	page.exprFields(v)
	v.Title, v.Data = v.T("indicators.title"), page
	v.Languages = u.languageLinksTo("/indicators", nil, v.Lang)
	return u.render(w, status, "indicators", v)
}
