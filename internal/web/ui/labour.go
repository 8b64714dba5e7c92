package ui

import (
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/field"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/labour/esco"
	"github.com/corridor-platform/corridor/internal/labour/match"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// Labour mobility (internal/labour): the public vacancy search for
// migrants (/vacancies, /vacancies/{id} with the rights that go with the
// legal channel), the planners' overview (/labour: SDG 10.7.1 by corridor
// and occupation, flagged recruiters, the labour-market view), the
// employer's pages (post a vacancy, the organisation's vacancies, ranked
// candidates with the explanation of every score, recruitment drives with
// the optimal assignment and the pipeline board) and the labour agency's
// pages (register a worker with consent, the profile with ranked
// vacancies, reported costs and SDG 10.7.1). The calls and the rules are
// the JSON API's (internal/web/api/labour.go); the store checks every
// record.

const (
	labourSection = "labour"
	labourPath    = "/labour"
)

// labourRoutes are every labour-mobility page. They need the store, so
// they are served with accounts only; without them /labour is the plain
// capability page.
func (u *UI) labourRoutes() []web.Route {
	route := func(method, pattern, resource, action, summary string, h pageFunc) web.Route {
		return web.Route{Method: method, Pattern: pattern, Resource: resource, Action: action, Summary: summary,
			Handler: u.handle(labourSection, h)}
	}
	return []web.Route{
		pageRoute("/vacancies", "labour", "Public vacancy search for migrants: published vacancies by destination, occupation, sector and words",
			u.handle(labourSection, u.vacancySearch)),
		pageRoute("/vacancies/{id}", "labour", "One published vacancy: requirements, terms, the legal channel and the worker's rights",
			u.handle(labourSection, u.vacancyPublic)),
		pageRoute(labourPath, "labour", "Labour mobility for planners: SDG 10.7.1 by corridor and occupation, flagged recruiters, demand against supply",
			u.handle(labourSection, u.labourOverview)),
		pageRoute(recruitersPath, "labour",
			"The recruiter register: licence, IRIS certification and its end, workers who reported paying a fee, flagged recruiters",
			u.handle(labourSection, u.recruitersList)),
		route(http.MethodPost, recruitersPath, "labour", web.ActionCreate,
			"Add a recruiter to the register (form): not certified or certification in progress unless the certification desk", u.recruiterCreate),
		route(http.MethodPost, recruitersPath+"/certification", "labour", web.ActionPublish,
			"Change a recruiter's certification (form; the platform's certification desk)", u.recruiterCertify),

		route(http.MethodGet, "/labour/vacancies/new", "labour", web.ActionCreate, "New vacancy form (employers)", u.vacancyNewForm),
		route(http.MethodPost, "/labour/vacancies", "labour", web.ActionCreate,
			"Post a vacancy (form): draft or published; a vacancy charging workers a fee cannot be published", u.vacancyCreate),
		route(http.MethodGet, "/labour/vacancies", "labour", web.ActionCreate, "One's organisation's vacancies with their status", u.vacancyMine),
		route(http.MethodPost, "/labour/vacancies/{id}/status", "labour", web.ActionUpdate, "Publish or withdraw a vacancy (form)", u.vacancyStatus),
		route(http.MethodGet, "/labour/vacancies/{id}/candidates", "labour", web.ActionUpdate,
			"Ranked candidates for a vacancy of one's organisation, every score explained (workers pseudonymous)", u.vacancyCandidates),

		route(http.MethodGet, "/labour/drives", "labour", web.ActionUpdate, "One's organisation's recruitment drives, and the form to start one", u.drivesList),
		route(http.MethodPost, "/labour/drives", "labour", web.ActionCreate,
			"Start a recruitment drive (form), shortlisting the candidates chosen", u.driveCreate),
		route(http.MethodGet, "/labour/drives/{id}", "labour", web.ActionUpdate, "A drive: its optimal assignment and its pipeline board", u.drivePage),
		route(http.MethodPost, "/labour/drives/{id}/assignment", "labour", web.ActionAssign,
			"Compute the drive's optimal assignment (form): total against greedy, each worker's alternatives", u.driveAssign),
		route(http.MethodPost, "/labour/drives/{id}/shortlist", "labour", web.ActionUpdate, "Shortlist the drive's assignment (form)", u.driveShortlist),
		route(http.MethodPost, "/labour/applications/{id}/stage", "labour", web.ActionUpdate,
			"Move an application to a stage (form): dated, with a note, audited", u.applicationMove),
		route(http.MethodPost, "/labour/applications/{id}/orientation", "labour", web.ActionUpdate,
			"Record attendance of the pre-departure orientation modules (form)", u.applicationAttend),

		route(http.MethodGet, "/labour/workers/new", "workers", web.ActionCreate, "Register a worker with consent (form)", u.workerNewForm),
		route(http.MethodPost, "/labour/workers", "workers", web.ActionCreate, "Register a worker (form): personal fields encrypted", u.workerCreate),
		route(http.MethodGet, "/labour/workers", "workers", web.ActionRead, "The workers one's organisation registered (personal; audited)", u.workersList),
		route(http.MethodGet, "/labour/workers/{id}", "workers", web.ActionRead,
			"A worker's profile: ranked vacancies, reported costs, first wage and SDG 10.7.1", u.workerPage),
		route(http.MethodPost, "/labour/workers/{id}/costs", "workers", web.ActionUpdate,
			"Record a recruitment cost the worker paid (form), with the rate into the wage currency", u.workerAddCost),
		route(http.MethodPost, "/labour/workers/{id}/wage", "workers", web.ActionUpdate,
			"Report the worker's first monthly wage in the destination (form): the SDG 10.7.1 denominator", u.workerReportWage),
		route(http.MethodPost, "/labour/workers/{id}/withdraw", "workers", web.ActionUpdate,
			"Record that the worker withdrew consent (form): never matched again, personal fields erased", u.workerWithdraw),

		route(http.MethodGet, mePath, "workers", web.ActionRead,
			"A worker's own account: their profile with the vacancies it matches, or the form to register it", u.labourMe),
		route(http.MethodPost, mePath, "workers", web.ActionCreate, "A worker registers their own profile (form): consent recorded by self", u.labourMeRegister),
		route(http.MethodPost, mePath+"/withdraw", "workers", web.ActionUpdate,
			"A worker withdraws consent (form): the profile is never matched again, the personal fields erased", u.labourMeWithdraw),
	}
}

// ---- shared helpers

// labourPathID reads the {id} path parameter; a malformed one is not found.
func labourPathID(r *http.Request, what string) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, derrors.Kindf(derrors.NotFound, "no %s %q", what, raw)
	}
	return id, nil
}

// labourCtx carries the client address into the store's audit entries.
func labourCtx(r *http.Request) context.Context {
	return store.WithAuditClient(r.Context(), web.ClientAddr(r), "")
}

// labourTaxonomy is the imported ESCO/ISCO taxonomy, or nil when none is.
func (u *UI) labourTaxonomy(ctx context.Context) (*esco.Taxonomy, error) {
	tax, err := u.db.LabourTaxonomy(ctx)
	if errors.Is(err, derrors.NotFound) {
		return nil, nil
	}
	return tax, err
}

// skillLabels names skills by their preferred labels (the id when the
// taxonomy does not know it).
func skillLabels(tax *esco.Taxonomy, ids []int32) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, skillLabel(tax, id))
	}
	return out
}

func skillLabel(tax *esco.Taxonomy, id int32) string {
	if tax != nil {
		if s, ok := tax.Skill(id); ok {
			return s.Label
		}
	}
	return "#" + strconv.Itoa(int(id))
}

func matchSkillLabels(tax *esco.Taxonomy, ids []match.SkillID) []string {
	out := make([]int32, len(ids))
	for i, x := range ids {
		out[i] = int32(x)
	}
	return skillLabels(tax, out)
}

// iscoLabel is "7212 Welders and flame cutters" (the code alone when the
// taxonomy does not know it).
func iscoLabel(tax *esco.Taxonomy, code string) string {
	if tax != nil {
		if g, ok := tax.ISCOGroup(code); ok && g.Label != "" {
			return code + " " + g.Label
		}
	}
	return code
}

func occupationLabel(tax *esco.Taxonomy, uri string) string {
	if uri == "" {
		return ""
	}
	if tax != nil {
		if o, ok := tax.Occupation(uri); ok {
			return o.Label
		}
	}
	return uri
}

// languageText is "de B1" with the level.
func languageTexts(ls []labour.Language) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, strings.ToUpper(l.Code)+" "+l.Level)
	}
	return out
}

func matchLanguageTexts(ls []match.Language) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		lvl := ""
		if l.Level >= 1 && int(l.Level) <= len(labour.Levels) {
			lvl = labour.Levels[l.Level-1]
		}
		out = append(out, strings.TrimSpace(strings.ToUpper(l.Code)+" "+lvl))
	}
	return out
}

// money is an amount with its currency in the page's language.
func (v *view) money(x float64, currency string) string {
	return v.T("labour.money", "Value", v.num(x, 0), "Unit", currency)
}

// labourNames are the reference geography's country names by code.
func (u *UI) labourNames(ctx context.Context) (map[string]string, error) {
	names, _, err := u.remitNames(ctx)
	return names, err
}

func countryLabel(names map[string]string, code string) string {
	if n := names[code]; n != "" {
		return n
	}
	return code
}

func (v *view) sectorLabel(s string) string {
	return v.label("labour.sector", s, labour.SectorNames[s])
}

func (v *view) sectorOptions(selected string) []mapOption {
	out := make([]mapOption, 0, len(labour.Sectors))
	for _, s := range labour.Sectors {
		out = append(out, mapOption{Value: s, Label: s + " – " + v.sectorLabel(s), Selected: s == selected})
	}
	return out
}

func (v *view) pickOptions(prefix string, values []string, selected string) []mapOption {
	out := make([]mapOption, 0, len(values))
	for _, s := range values {
		out = append(out, mapOption{Value: s, Label: v.label(prefix, s, s), Selected: s == selected})
	}
	return out
}

func (v *view) educationOptions(selected string) []mapOption {
	out := make([]mapOption, 0, 9)
	for i := 0; i <= 8; i++ {
		s := strconv.Itoa(i)
		out = append(out, mapOption{Value: s, Label: v.T("labour.isced." + s), Selected: s == selected})
	}
	return out
}

func levelOptions(selected string) []mapOption {
	out := []mapOption{{Value: "", Label: "–"}}
	for _, l := range labour.Levels {
		out = append(out, mapOption{Value: l, Label: l, Selected: l == selected})
	}
	return out
}

func (u *UI) labourCountryOptions(ctx context.Context, v *view, selected string) ([]mapOption, error) {
	opts, err := u.countryOptions(ctx, selected)
	if err != nil {
		return nil, err
	}
	out := []mapOption{{Value: "", Label: v.T("labour.choose")}}
	for _, o := range opts {
		out = append(out, mapOption{Value: o.Value, Label: o.Label, Selected: o.Selected})
	}
	return out, nil
}

// ---- forms

// lfield is one control of a labour form, as the "labour-field" partial
// draws it: the label, hint and error are already translated.
type lfield struct {
	Name, ID, Label, Hint string
	Kind                  string // text, number, date, email, tel, select, textarea, checkbox
	Value                 string
	Error                 string
	Required, Checked     bool
	Options               []mapOption
	Min, Max, Step        string
	MaxLength             int
	Rows                  int
	InputMode             string
}

// Described is the aria-describedby of the control.
func (f lfield) Described() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// lfieldset is a group of controls under a legend.
type lfieldset struct {
	Legend string
	Fields []lfield
}

// fieldID is a control's id: the form's prefix and the name with
// brackets and dots as hyphens.
func fieldID(prefix, name string) string {
	return prefix + "-" + strings.NewReplacer("[", "-", "]", "", ".", "-").Replace(name)
}

// labourForm collects the problems of a labour form. Fields are named as
// the domain names them ("feePolicy.workerFee", "languages[0].level"),
// so the domain's and the store's problems land on their control.
type labourForm struct {
	v      *view
	f      *form
	prefix string
	fields map[string]string // field name → label message id
	alias  map[string]string // domain field → form field (occupations[0].isco → occupations[0].occupation)
}

func newLabourForm(v *view, prefix string) *labourForm {
	return &labourForm{v: v, f: &form{}, prefix: prefix, fields: map[string]string{}, alias: map[string]string{}}
}

func (lf *labourForm) labelID(name string) string {
	if id, ok := lf.fields[name]; ok {
		return id
	}
	return "labour.field." + name
}

// bad records a problem; reasonID and kv as form.add.
func (lf *labourForm) bad(name, reasonID string, kv ...any) {
	lf.f.add(lf.v, name, fieldID(lf.prefix, name), lf.labelID(name), reasonID, kv...)
}

// formName maps a domain field to the form's control.
func (lf *labourForm) formName(name string) string {
	if a, ok := lf.alias[name]; ok {
		return a
	}
	if _, ok := lf.fields[name]; ok {
		return name
	}
	// essentialSkills[2] → essentialSkills.
	if i := strings.LastIndexByte(name, '['); i > 0 && strings.HasSuffix(name, "]") {
		base := name[:i]
		if a, ok := lf.alias[base]; ok {
			return a
		}
		if _, ok := lf.fields[base]; ok {
			return base
		}
	}
	return name
}

// problem records a domain problem, translated when the catalogue has
// "labour.reason.<code>".
func (lf *labourForm) problem(fe *field.Error) {
	name := lf.formName(fe.Field)
	reason := fe.Msg
	if id := "labour.reason." + fe.Code; fe.Code != "" && lf.v.u.catalog.Has(id) {
		reason = lf.v.translate(id, fe.Args)
	}
	lf.f.addText(lf.v, name, fieldID(lf.prefix, name), lf.labelID(name), reason)
}

func (lf *labourForm) problems(ps field.Problems) {
	for _, p := range ps {
		lf.problem(p)
	}
}

// storeError puts an Invalid or Conflict error of the store on its
// field; it reports whether it could (others are the page's error).
func (lf *labourForm) storeError(err error) bool {
	var fe *field.Error
	if errors.As(err, &fe) {
		lf.problem(fe)
		return true
	}
	if !errors.Is(err, derrors.Invalid) && !errors.Is(err, derrors.Conflict) {
		return false
	}
	name, reason, found := strings.Cut(derrors.Message(err), ": ")
	if !found || strings.ContainsAny(name, " \t") {
		return false
	}
	name = lf.formName(name)
	lf.f.addText(lf.v, name, fieldID(lf.prefix, name), lf.labelID(name), reason)
	return true
}

// number reads a number written with a decimal point or comma; "" is 0
// (required: a problem).
func (lf *labourForm) number(name, s string, required bool) float64 {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if s == "" {
		if required {
			lf.bad(name, "form.reason.required")
		}
		return 0
	}
	if !strings.Contains(s, ".") && strings.Count(s, ",") == 1 {
		s = strings.Replace(s, ",", ".", 1)
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		lf.bad(name, "plans.reason.number")
		return 0
	}
	return x
}

// integer reads a whole number; "" is 0 (required: a problem).
func (lf *labourForm) integer(name, s string, required bool) int {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			lf.bad(name, "form.reason.required")
		}
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		lf.bad(name, "plans.reason.wholeNumber")
		return 0
	}
	return n
}

// finish fills in each control's error.
func (lf *labourForm) finish(sets []lfieldset) []lfieldset {
	for i := range sets {
		for j := range sets[i].Fields {
			sets[i].Fields[j].Error = lf.f.Err(sets[i].Fields[j].Name)
		}
	}
	return sets
}

// register remembers the controls of a form (their label ids), so that
// problems find them.
func (lf *labourForm) register(names map[string]string) {
	for k, id := range names {
		lf.fields[k] = id
	}
}

// resolveOccupation finds an ESCO occupation by URI, code or label (the
// best hit when it is exact or alone). It returns the reason's message id
// and values when it cannot.
func resolveOccupation(tax *esco.Taxonomy, q string) (*esco.Occupation, string, []any) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, "", nil
	}
	if tax == nil {
		return nil, "labour.reason.noTaxonomy", nil
	}
	if o, ok := tax.Occupation(q); ok {
		return o, "", nil
	}
	hits := tax.SearchOccupations(q, 5)
	switch {
	case len(hits) == 0:
		return nil, "labour.reason.unknownOccupation", []any{"Value", clipText(q)}
	case len(hits) == 1 || hits[0].Rank == esco.RankExact || strings.EqualFold(hits[0].Occupation.Label, q):
		return hits[0].Occupation, "", nil
	}
	labels := make([]string, 0, len(hits))
	for _, h := range hits {
		labels = append(labels, h.Occupation.Label+" ("+h.Occupation.Code+")")
	}
	return nil, "labour.reason.ambiguousOccupation", []any{"Value", strings.Join(labels, "; ")}
}

// resolveSkillLines turns a textarea of skills (one a line: a preferred
// label or an id) into ids, reporting the first unknown one.
func (lf *labourForm) resolveSkillLines(tax *esco.Taxonomy, name, text string) []int32 {
	var out []int32
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if n, err := strconv.ParseInt(line, 10, 32); err == nil {
			out = append(out, int32(n))
			continue
		}
		if tax == nil {
			lf.bad(name, "labour.reason.noTaxonomy")
			return nil
		}
		if s, ok := tax.SkillByLabel(line); ok {
			out = append(out, s.ID)
			continue
		}
		var near []string
		for _, h := range tax.SearchSkills(line, 3) {
			near = append(near, h.Skill.Label)
		}
		if len(near) > 0 {
			lf.bad(name, "labour.reason.unknownSkillNear", "Value", clipText(line), "Name", strings.Join(near, "; "))
		} else {
			lf.bad(name, "labour.reason.unknownSkill", "Value", clipText(line))
		}
		return nil
	}
	return out
}

// languageRows reads the language rows of a form (code and level).
func (lf *labourForm) languageRows(get func(string) string, rows int) []labour.Language {
	var out []labour.Language
	for i := range rows {
		p := "languages[" + strconv.Itoa(i) + "]"
		code := strings.ToLower(get(p + ".code"))
		level := get(p + ".level")
		if code == "" && level == "" {
			continue
		}
		// The domain names the row by its position in the list.
		idx := len(out)
		if idx != i {
			lf.alias["languages["+strconv.Itoa(idx)+"].code"] = p + ".code"
			lf.alias["languages["+strconv.Itoa(idx)+"].level"] = p + ".level"
		}
		out = append(out, labour.Language{Code: code, Level: level})
	}
	return out
}

// languageFields are the rows of language controls.
func (v *view) languageFields(prefix string, values map[string]string, rows int) []lfield {
	var out []lfield
	for i := range rows {
		p := "languages[" + strconv.Itoa(i) + "]"
		n := strconv.Itoa(i + 1)
		out = append(out,
			lfield{Name: p + ".code", ID: fieldID(prefix, p+".code"), Label: v.T("labour.field.languageCode", "Number", n),
				Hint: v.T("labour.hint.languageCode"), Kind: "text", Value: values[p+".code"], MaxLength: 2},
			lfield{Name: p + ".level", ID: fieldID(prefix, p+".level"), Label: v.T("labour.field.languageLevel", "Number", n),
				Kind: "select", Options: levelOptions(values[p+".level"])})
	}
	return out
}

func languageLabelIDs(rows int) map[string]string {
	out := map[string]string{}
	for i := range rows {
		p := "languages[" + strconv.Itoa(i) + "]"
		out[p+".code"] = "labour.field.languageCodeShort"
		out[p+".level"] = "labour.field.languageLevelShort"
	}
	return out
}

func clipText(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

// formValues keeps a form's submitted values to show them again.
func labourValues(r *http.Request) map[string]string {
	out := map[string]string{}
	for k, vs := range r.PostForm {
		if k == "csrf_token" || len(vs) == 0 {
			continue
		}
		out[k] = vs[0]
	}
	return out
}

// storeMessage is a store error shown on a page: the known pipeline
// refusals translated, the others as the store words them.
func (v *view) storeMessage(err error) string {
	var fe *field.Error
	if errors.As(err, &fe) {
		reason := fe.Msg
		if id := "labour.reason." + fe.Code; fe.Code != "" && v.u.catalog.Has(id) {
			reason = v.translate(id, fe.Args)
		}
		return v.T("form.fieldError", "Field", v.label("labour.field", fe.Field, fe.Field), "Reason", reason)
	}
	msg := derrors.Message(err)
	switch {
	case strings.Contains(msg, "orientation is not complete"):
		return v.T("labour.error.orientation")
	case strings.Contains(msg, "the next stage is"):
		return v.T("labour.error.order") + " (" + msg + ")"
	case strings.Contains(msg, "version:"):
		return v.T("labour.error.stale")
	case strings.Contains(msg, "compute the drive's assignment first"):
		return v.T("labour.error.noPlan")
	}
	return msg
}

// storeRefusal reports whether err is one the page explains next to the
// form (Invalid or Conflict) rather than an error page.
func storeRefusal(err error) bool {
	return errors.Is(err, derrors.Invalid) || errors.Is(err, derrors.Conflict)
}

func statusOf(err error) int {
	if errors.Is(err, derrors.Conflict) {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// seeOther answers a form with a redirect (POST-redirect-GET).
func seeOther(w http.ResponseWriter, r *http.Request, target string) error {
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

func containsID(ids []int64, id int64) bool { return slices.Contains(ids, id) }
