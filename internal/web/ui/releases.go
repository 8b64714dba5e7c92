package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/release"
	"github.com/corridor-platform/corridor/internal/release/sds"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/api"
)

// The publication workflow of de-identified releases: the list of the
// releases in one's scope, the build form, a release's report (data card,
// parameters, input counts, verification checks, the method's metrics,
// downloads) with its Publish and Withdraw forms. The rules and the build
// are the JSON API's (internal/web/api/releases.go); the store audits
// every change, so handlers mark their requests web.SkipAudit.

func (u *UI) releaseRoutes() []web.Route {
	route := func(method, pattern, action, summary string, h pageFunc) web.Route {
		return web.Route{Method: method, Pattern: pattern, Resource: "releases", Action: action, Summary: summary, Handler: u.handle("releases", h)}
	}
	return []web.Route{
		route(http.MethodGet, "/releases", web.ActionRead, "De-identified releases in one's scope (list with status)", u.releasesList),
		route(http.MethodGet, "/releases/new", web.ActionCreate, "Build a de-identified release (form: method and parameters)", u.newReleaseForm),
		route(http.MethodPost, "/releases", web.ActionCreate, "Build a de-identified release from the consenting cases (form)", u.createRelease),
		route(http.MethodGet, "/releases/{id}", web.ActionRead, "One release: data card, parameters, input, verification, metrics, downloads", u.releasePage),
		route(http.MethodGet, "/releases/{id}/files/{file}", web.ActionRead, "Download a file of a release (signed in)", u.releaseFile),
		route(http.MethodPost, "/releases/{id}/publish", web.ActionPublish, "Publish a built (verified) release (form)", u.publishRelease),
		route(http.MethodPost, "/releases/{id}/withdraw", web.ActionPublish, "Withdraw a release from the public pages and API (form)", u.withdrawRelease),
	}
}

func releaseURL(id int64) string { return "/releases/" + strconv.FormatInt(id, 10) }

// ---- list

type releaseRow struct {
	URL, Title, Method, Status, StatusLabel, Created string
}

type releasesListPage struct {
	Rows      []releaseRow
	CanCreate bool
}

func (v *view) releaseMethodLabel(m string) string { return v.label("releases.method", m, m) }
func (v *view) releaseStatusLabel(s string) string { return v.label("releases.status", s, s) }

func (u *UI) releasesList(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	p := web.PrincipalFrom(ctx)
	list, err := u.db.Releases().List(ctx, p.FilterFor("releases", auth.Read), store.ReleaseQuery{Limit: 500})
	if err != nil {
		return err
	}
	page := releasesListPage{CanCreate: p.Can("releases", auth.Create)}
	for _, rel := range list {
		page.Rows = append(page.Rows, releaseRow{URL: releaseURL(rel.ID), Title: rel.Title, Method: v.releaseMethodLabel(rel.Method),
			Status: rel.Status, StatusLabel: v.releaseStatusLabel(rel.Status), Created: rel.CreatedAt.Format("2006-01-02 15:04 UTC")})
	}
	v.Title, v.Data = v.T("releases.title"), page
	return u.render(w, http.StatusOK, "releases", v)
}

// ---- build form

// releaseField is a form field: its name, control id and label id.
type releaseField struct{ name, id, label string }

// releaseFields map release.Params' parameter names (as its errors name
// them) to the form's fields.
var releaseFields = map[string]releaseField{
	"title":            {"title", "release-title", "releases.field.title"},
	"citation":         {"citation", "release-citation", "releases.field.citation"},
	"method":           {"method", "release-method", "releases.field.method"},
	"k":                {"k", "release-k", "releases.field.k"},
	"reportingLength":  {"reporting_length", "release-reporting-length", "releases.field.reportingLength"},
	"resolution":       {"resolution", "release-resolution", "releases.field.resolution"},
	"epsilon":          {"epsilon", "release-epsilon", "releases.field.epsilon"},
	"delta":            {"delta", "release-delta", "releases.field.delta"},
	"quasiIdentifiers": {"qi", "release-qi", "releases.field.quasiIdentifiers"},
	"sensitive":        {"sensitive", "release-sensitive", "releases.field.sensitive"},
	"l":                {"l", "release-l", "releases.field.l"},
	"maxSuppression":   {"max_suppression", "release-max-suppression", "releases.field.maxSuppression"},
}

type newReleasePage struct {
	Form    *form
	Methods []planOption
	Values  map[string]string // form field name → value shown
	Columns string            // the CTDC columns, for the hint
}

// releaseDefaults are the values the form starts with (the CLI's).
var releaseDefaults = map[string]string{"k": "10", "reporting_length": "4", "resolution": "10", "max_suppression": "0.02",
	"epsilon": "", "delta": "", "qi": "", "sensitive": "", "l": "", "title": "Counter-trafficking data release", "citation": ""}

func (u *UI) renderNewRelease(w http.ResponseWriter, v *view, status int, page newReleasePage, method string) error {
	for _, m := range release.Methods {
		page.Methods = append(page.Methods, planOption{Value: string(m), Label: v.releaseMethodLabel(string(m)), Selected: string(m) == method})
	}
	if page.Form == nil {
		page.Form = &form{}
	}
	page.Columns = strings.Join(release.CTDCColumns, ", ")
	v.Title, v.Data = v.T("releases.new.title"), page
	return u.render(w, status, "release_new", v)
}

func (u *UI) newReleaseForm(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.renderNewRelease(w, v, http.StatusOK, newReleasePage{Values: releaseDefaults}, string(release.MethodKAnonAggregates))
}

// releaseForm reads the build form into a request, recording each
// unreadable field on f.
func releaseForm(v *view, f *form, get func(string) string) api.ReleaseRequest {
	bad := func(param, reasonID string, kv ...any) {
		rf := releaseFields[param]
		f.add(v, rf.name, rf.id, rf.label, reasonID, kv...)
	}
	num := func(param string) float64 {
		s := strings.TrimSpace(strings.Replace(get(releaseFields[param].name), ",", ".", 1))
		if s == "" {
			// An emptied field takes the form's default (the CLI's), not
			// zero: no suppression at all would generalise nearly
			// everything away.
			s = releaseDefaults[releaseFields[param].name]
		}
		if s == "" {
			return 0
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			bad(param, "plans.reason.number")
		}
		return x
	}
	whole := func(param string) int {
		x := num(param)
		if x != math.Trunc(x) || math.Abs(x) > 1e9 {
			bad(param, "plans.reason.wholeNumber")
			return 0
		}
		return int(x)
	}
	in := api.ReleaseRequest{Title: strings.TrimSpace(get("title")), Citation: strings.TrimSpace(get("citation"))}
	if reason, kv := checkText(in.Title, true, 200); reason != "" {
		bad("title", reason, kv...)
	}
	if reason, kv := checkText(in.Citation, false, 1000); reason != "" {
		bad("citation", reason, kv...)
	}
	p := release.Params{Method: release.Method(get("method")), K: whole("k"), ReportingLength: whole("reportingLength"),
		Resolution: whole("resolution"), Epsilon: num("epsilon"), Delta: num("delta"), Sensitive: strings.TrimSpace(get("sensitive")),
		L: whole("l"), MaxSuppression: num("maxSuppression"), Seed: 1}

	for _, c := range strings.Split(get("qi"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			p.QuasiIdentifiers = append(p.QuasiIdentifiers, c)
		}
	}
	in.Params = normaliseParams(p)
	return in
}

// normaliseParams keeps the parameters the method reads, as the CLI does,
// so that a field the form shows for another method is not an error.
func normaliseParams(p release.Params) release.Params {
	switch p.Method {
	case release.MethodKAnon:
		p.ReportingLength, p.Resolution, p.Epsilon, p.Delta = 0, 0, 0, 0
		if len(p.QuasiIdentifiers) == 0 {
			p.QuasiIdentifiers = release.DefaultQuasiIdentifiers
		}
	default:
		p.K, p.Sensitive, p.L, p.MaxSuppression = 0, "", 0, 0
		if p.Method == release.MethodKAnonAggregates {
			p.Epsilon, p.Delta = 0, 0
		}
	}
	return p
}

// releaseProblems records the "parameter NAME: reason" parts of a
// release error on their fields; it reports whether it recorded any.
func releaseProblems(v *view, f *form, err error) bool {
	if !errors.Is(err, derrors.Invalid) && !errors.Is(err, derrors.TooLarge) {
		return false
	}
	n := len(f.Errors)
	for _, part := range strings.Split(derrors.Message(err), "; ") {
		_, rest, ok := strings.Cut(part, "parameter ")
		if !ok {
			continue
		}
		name, reason, ok := strings.Cut(rest, ": ")
		if i := strings.Index(name, "["); i > 0 {
			name = name[:i]
		}
		if rf, known := releaseFields[name]; ok && known {
			f.addText(v, rf.name, rf.id, rf.label, reason)
		}
	}
	if len(f.Errors) == n {
		// Not about one parameter (no transformation satisfies k, an
		// input too large): the method is what to change.
		rf := releaseFields["method"]
		f.addText(v, rf.name, rf.id, rf.label, derrors.Message(err))
	}
	return true
}

func (u *UI) createRelease(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := &form{}
	in := releaseForm(v, f, r.PostForm.Get)
	if f.OK() {
		ctx := casesCtx(r)
		rel, err := api.BuildRelease(ctx, u.db, u.geo, web.PrincipalFrom(ctx), in, u.version)
		switch {
		case err == nil:
			web.SkipAudit(r)
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, releaseURL(rel.ID), http.StatusSeeOther)
			return nil
		case !releaseProblems(v, f, err):
			return err
		}
	}
	values := map[string]string{}
	for _, rf := range releaseFields {
		values[rf.name] = r.PostForm.Get(rf.name)
	}
	return u.renderNewRelease(w, v, http.StatusBadRequest, newReleasePage{Form: f, Values: values}, r.PostForm.Get("method"))
}

// ---- one release

type kv struct{ Key, Value string }

type releaseCheck struct {
	Name, Message string
	Pass          bool
}

type metricRow struct {
	Label                                                string
	Combinations, Preservation, Error, Suppressed, Fabri string
}

type releaseFileLink struct{ Name, URL string }

type releasePage struct {
	Release                  store.Release
	MethodLabel, StatusLabel string
	Card                     release.DataCard
	Created, Published       string
	Params, Counts, KAnon    []kv
	Budget                   []kv
	Checks                   []releaseCheck
	Pass                     bool
	Summary                  []kv
	ByLength, ByBucket       []metricRow
	PreservationChart        template.HTML
	ErrorChart               template.HTML
	Files                    []releaseFileLink
	PublicFiles              []releaseFileLink
	CanPublish, CanWithdraw  bool
	Notice                   string
}

func (u *UI) releaseInScope(r *http.Request, action string) (store.Release, error) {
	return api.ReleaseInScope(r, u.db, action)
}

func (u *UI) releasePage(w http.ResponseWriter, r *http.Request, v *view) error {
	rel, err := u.releaseInScope(r, auth.Read)
	if err != nil {
		return err
	}
	page, err := v.releaseView(rel)
	if err != nil {
		return err
	}
	me := web.PrincipalFrom(r.Context())
	mayPublish := me.Allows("releases", auth.Publish, rel.Record())
	page.CanPublish = mayPublish && rel.Status == store.ReleaseBuilt
	page.CanWithdraw = mayPublish && rel.Status == store.ReleasePublished
	if n := r.URL.Query().Get("done"); n == "published" || n == "withdrawn" {
		page.Notice = v.T("releases.done." + n)
	}
	v.Title, v.Data = rel.Title, page
	return u.render(w, http.StatusOK, "release", v)
}

// releaseView reads the stored documents of a release into its page.
func (v *view) releaseView(rel store.Release) (releasePage, error) {
	page := releasePage{Release: rel, MethodLabel: v.releaseMethodLabel(rel.Method), StatusLabel: v.releaseStatusLabel(rel.Status),
		Created: rel.CreatedAt.Format("2006-01-02 15:04 UTC")}
	if rel.PublishedAt != nil {
		page.Published = rel.PublishedAt.Format("2006-01-02 15:04 UTC")
	}
	var m release.Manifest
	var rep release.Report
	var ver release.VerifyReport
	for _, d := range []struct {
		what, body string
		dst        any
	}{{"manifest", rel.Manifest, &m}, {"report", rel.Report, &rep}, {"verification", rel.Verify, &ver}} {
		if d.body == "" {
			continue
		}
		if err := json.Unmarshal([]byte(d.body), d.dst); err != nil {
			return page, fmt.Errorf("release %d: %s: %w", rel.ID, d.what, err)
		}
	}
	page.Card = m.DataCard
	page.Params = v.paramRows(m.Params)
	c := m.Counts
	page.Counts = []kv{{v.T("releases.count.input"), v.num(float64(c.InputRecords), 0)},
		{v.T("releases.count.noConsent"), v.num(float64(c.ExcludedNoConsent), 0)},
		{v.T("releases.count.withdrawn"), v.num(float64(c.ExcludedWithdrawn), 0)},
		{v.T("releases.count.released"), v.num(float64(c.ReleasedRecords), 0)},
		{v.T("releases.count.aggregates"), v.num(float64(c.AggregateRows), 0)},
		{v.T("releases.count.suppressed"), v.num(float64(c.SuppressedRecords), 0)}}
	page.Pass = ver.Pass
	for _, ch := range ver.Checks {
		page.Checks = append(page.Checks, releaseCheck{Name: ch.Name, Message: ch.Message, Pass: ch.Pass})
	}
	v.releaseMetrics(&page, rep)
	for _, f := range store.ReleaseFiles {
		if _, _, ok := rel.File(f); ok {
			page.Files = append(page.Files, releaseFileLink{f, releaseURL(rel.ID) + "/files/" + f})
			page.PublicFiles = append(page.PublicFiles, releaseFileLink{f, api.PublicReleaseFileURL(rel.ID, f)})
		}
	}
	return page, nil
}

// paramRows lists the parameters that are set.
func (v *view) paramRows(p release.Params) []kv {
	var out []kv
	add := func(id, val string) {
		if val != "" && val != "0" {
			out = append(out, kv{v.T(id), val})
		}
	}
	add("releases.field.method", v.releaseMethodLabel(string(p.Method)))
	add("releases.field.k", strconv.Itoa(p.K))
	add("releases.field.reportingLength", strconv.Itoa(p.ReportingLength))
	add("releases.field.resolution", strconv.Itoa(p.Resolution))
	add("releases.field.epsilon", strconv.FormatFloat(p.Epsilon, 'g', -1, 64))
	add("releases.field.delta", strconv.FormatFloat(p.Delta, 'g', -1, 64))
	add("releases.field.quasiIdentifiers", strings.Join(p.QuasiIdentifiers, ", "))
	add("releases.field.sensitive", p.Sensitive)
	add("releases.field.l", strconv.Itoa(p.L))
	add("releases.field.maxSuppression", strconv.FormatFloat(p.MaxSuppression, 'g', -1, 64))
	return out
}

// releaseMetrics fills the method's measures: SDS's for aggregates and
// synthetic records, ARX's for kanon, the spent DP budget.
func (v *view) releaseMetrics(page *releasePage, rep release.Report) {
	pct := func(x float64) string { return v.num(x, 1) + " %" }
	// Preservation is a fraction (SDS); shown, like the other shares, in %.
	frac := func(x float64) string { return pct(100 * x) }
	if a := rep.Aggregates; a != nil {
		page.Summary = []kv{{v.T("releases.metric.preservation"), frac(a.Preservation)},
			{v.T("releases.metric.error"), v.num(a.MeanProportionalError, 3)},
			{v.T("releases.metric.suppressed"), pct(a.SuppressedPercent)},
			{v.T("releases.metric.fabricated"), pct(a.FabricatedPercent)},
			{v.T("releases.metric.leakage"), v.num(float64(a.Leakage), 0)}}
		var labels []string
		var pres, errs []float64
		for _, g := range a.ByLength {
			if g.Length == 0 {
				continue
			}
			l := strconv.Itoa(g.Length)
			page.ByLength = append(page.ByLength, metricRow{Label: l, Combinations: v.num(float64(g.Sensitive), 0),
				Preservation: frac(g.Preservation), Error: v.num(g.MeanProportionalError, 3), Suppressed: pct(g.SuppressedPercent),
				Fabri: pct(g.FabricatedPercent)})
			labels, pres, errs = append(labels, l), append(pres, 100*g.Preservation), append(errs, g.MeanProportionalError)
		}
		for _, b := range a.ByBucket {
			page.ByBucket = append(page.ByBucket, metricRow{Label: strconv.Itoa(b.Lower) + "–" + strconv.Itoa(b.Upper),
				Combinations: v.num(float64(b.Combinations), 0), Preservation: frac(b.Preservation), Error: v.num(b.MeanProportionalError, 3)})
		}
		page.PreservationChart = barChart(v.T("releases.chart.preservation"), labels, pres, 100)
		page.ErrorChart = barChart(v.T("releases.chart.error"), labels, errs, 0)
	}
	if k := rep.KAnon; k != nil {
		levels := make([]string, 0, len(k.Levels))
		for c, l := range k.Levels {
			levels = append(levels, c+" "+strconv.Itoa(l))
		}
		slices.Sort(levels)
		page.KAnon = []kv{{v.T("releases.kanon.levels"), strings.Join(levels, ", ")},
			{v.T("releases.kanon.suppressed"), v.num(float64(k.Suppressed), 0)},
			{v.T("releases.kanon.classes"), v.num(float64(k.Classes), 0)},
			{v.T("releases.kanon.minClass"), v.num(float64(k.MinClassSize), 0)},
			{v.T("releases.kanon.discernibility"), v.num(k.Discernibility, 0)},
			{v.T("releases.kanon.entropy"), v.num(k.Entropy, 2)},
			{v.T("releases.kanon.loss"), v.num(k.Loss, 3)}}
	}
	if b := rep.Budget; b != nil {
		page.Budget = budgetRows(v, b)
	}
}

func budgetRows(v *view, b *sds.Budget) []kv {
	out := []kv{{v.T("releases.budget.total"), "ε " + strconv.FormatFloat(b.Epsilon, 'g', 4, 64) + ", δ " + strconv.FormatFloat(b.Delta, 'g', 4, 64)}}
	for _, p := range b.Parts {
		val := "ε " + strconv.FormatFloat(p.Epsilon, 'g', 4, 64) + ", δ " + strconv.FormatFloat(p.Delta, 'g', 4, 64)
		if p.Rho != 0 {
			val += ", ρ " + strconv.FormatFloat(p.Rho, 'g', 4, 64)
		}
		if p.Sigma != 0 {
			val += ", σ " + strconv.FormatFloat(p.Sigma, 'g', 4, 64)
		}
		out = append(out, kv{p.Name, val})
	}
	return out
}

// barChart draws a small horizontal bar chart as inline SVG (no script,
// no style attribute: the CSP allows it); top is the scale's maximum, 0
// for the largest value. The table beside it holds the same numbers.
func barChart(title string, labels []string, values []float64, top float64) template.HTML {
	if len(values) == 0 {
		return ""
	}
	for _, x := range values {
		top = max(top, x)
	}
	if top <= 0 {
		top = 1
	}
	const rowH, labelW, barW = 22, 40, 300
	h := rowH*len(values) + 4
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="release-chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d">`,
		template.HTMLEscapeString(title), labelW+barW+70, h, labelW+barW+70, h)
	for i, x := range values {
		y := i*rowH + 2
		w := int(math.Round(x / top * barW))
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="12">%s</text>`, y+15, template.HTMLEscapeString(labels[i]))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="16" fill="#2b6cb0"></rect>`, labelW, y+2, w)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">%s</text>`, labelW+w+4, y+15, strconv.FormatFloat(x, 'f', 2, 64))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built here from numbers and escaped labels
}

func (u *UI) releaseFile(w http.ResponseWriter, r *http.Request, v *view) error {
	rel, err := u.releaseInScope(r, auth.Read)
	if err != nil {
		return err
	}
	var failed error
	api.ServeReleaseFile(w, r, rel, r.PathValue("file"), func(_ http.ResponseWriter, _ *http.Request, err error) { failed = err })
	return failed
}

func (u *UI) publishRelease(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.changeRelease(w, r, "published", func(rel store.Release) error {
		_, err := u.db.Releases().Publish(casesCtx(r), web.PrincipalFrom(r.Context()), rel.ID, api.LoadReleaseRecords)
		return err
	})
}

func (u *UI) withdrawRelease(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.changeRelease(w, r, "withdrawn", func(rel store.Release) error {
		_, err := u.db.Releases().Withdraw(casesCtx(r), web.PrincipalFrom(r.Context()), rel.ID)
		return err
	})
}

// changeRelease applies a change to the release of the {id} path
// parameter within the principal's publish scope, then shows it again.
func (u *UI) changeRelease(w http.ResponseWriter, r *http.Request, done string, change func(store.Release) error) error {
	if err := parseForm(r); err != nil {
		return err
	}
	rel, err := u.releaseInScope(r, auth.Publish)
	if err != nil {
		return err
	}
	if err := change(rel); err != nil {
		return err
	}
	web.SkipAudit(r)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, releaseURL(rel.ID)+"?done="+done, http.StatusSeeOther)
	return nil
}
