package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/field"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/labour/esco"
	"github.com/corridor-platform/corridor/internal/labour/match"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// Labour mobility: vacancies (published ones are public), worker profiles
// (personal), matching both ways, recruitment drives with the optimal
// assignment and the pipeline, recruiters, recruitment costs (SDG 10.7.1)
// and the labour-market view.
func (a *API) registerLabour(r *web.Router) {
	h := func(method, pattern, resource, action, summary string, public bool, fn http.HandlerFunc) {
		r.Handle(web.Route{Method: method, Pattern: pattern, Resource: resource, Action: action, Public: public, Summary: summary, Handler: fn})
	}
	h("GET", "/api/v1/vacancies", "labour", web.ActionRead, "Published vacancies (filters destination, isco, sector, q); one's organisation's drafts and closed ones with status=", true, a.listVacancies)
	h("POST", "/api/v1/vacancies", "labour", web.ActionCreate, "Post a vacancy (draft or published; a vacancy charging workers a fee cannot be published)", false, labourWrite(a, http.StatusCreated, false, a.createVacancy))
	h("GET", "/api/v1/vacancies/{id}", "labour", web.ActionRead, "One vacancy with its skills, legal channel and rights", true, a.labourRead(true, a.getVacancy))
	h("POST", "/api/v1/vacancies/{id}/status", "labour", web.ActionUpdate, "Publish, withdraw or record filled positions (optimistic concurrency on version)", false, a.setVacancyStatus())
	h("GET", "/api/v1/vacancies/{id}/candidates", "labour", web.ActionRead, "Ranked candidates for a vacancy of one's organisation, each score explained (workers pseudonymous)", false, a.vacancyCandidates)
	h("GET", "/api/v1/workers", "workers", web.ActionRead, "The worker profiles one's organisation registered (personal; audited)", false, a.listWorkers)
	h("POST", "/api/v1/workers", "workers", web.ActionCreate, "Register a worker profile with the worker's consent (personal fields encrypted)", false, labourWrite(a, http.StatusCreated, false, a.createWorker))
	h("GET", "/api/v1/workers/{id}", "workers", web.ActionRead, "One worker profile: in full for the registering organisation or a shortlisting employer with consent, else pseudonymous", false, a.labourRead(true, a.getWorker))
	h("PUT", "/api/v1/workers/{id}", "workers", web.ActionUpdate, "Change a worker profile (the registering organisation or the worker's own account; optimistic concurrency on version)", false, labourWrite(a, http.StatusOK, true, func(ctx context.Context, p *auth.Principal, id int64, b workerBody) (any, error) {
		b.ID = id
		return a.saveWorker(ctx, p, b, true)
	}))
	h("POST", "/api/v1/workers/{id}/withdraw", "workers", web.ActionUpdate, "Record that a worker withdrew consent: never matched again, personal fields erased", false, labourWrite(a, 0, true, func(ctx context.Context, p *auth.Principal, id int64, _ noBody) (any, error) {
		return nil, a.db.Labour().WithdrawWorker(ctx, p, id)
	}))
	h("GET", "/api/v1/workers/{id}/vacancies", "workers", web.ActionRead, "Ranked published vacancies for a worker, each score explained", false, a.workerVacancies)
	h("GET", "/api/v1/workers/{id}/costs", "workers", web.ActionRead, "The recruitment costs a worker reported, with SDG 10.7.1 for the worker", false, a.workerCosts)
	h("POST", "/api/v1/workers/{id}/costs", "workers", web.ActionUpdate, "Record a recruitment cost the worker paid (fees, travel, documents, loans …)", false, labourWrite(a, http.StatusCreated, true, func(ctx context.Context, p *auth.Principal, id int64, c labour.Cost) (any, error) {
		c.WorkerID, c.ID = id, 0
		return a.db.Labour().RecordCost(ctx, p, c)
	}))
	h("PUT", "/api/v1/workers/{id}/wage", "workers", web.ActionUpdate, "Report the worker's first monthly wage in the destination (SDG 10.7.1 denominator)", false, labourWrite(a, 0, true, func(ctx context.Context, p *auth.Principal, id int64, wg store.Wage) (any, error) {
		return nil, a.db.Labour().ReportWage(ctx, p, id, wg)
	}))
	h("GET", "/api/v1/drives", "labour", web.ActionRead, "One's organisation's recruitment drives", false, a.labourRead(false, func(r *http.Request, p *auth.Principal, _ int64) (any, error) {
		ds, err := a.db.Labour().Drives(r.Context(), p)
		return map[string]any{"drives": nonNilSlice(ds)}, err
	}))
	h("POST", "/api/v1/drives", "labour", web.ActionCreate, "Start a recruitment drive over vacancies of one's organisation", false, labourWrite(a, http.StatusCreated, false, func(ctx context.Context, p *auth.Principal, _ int64, d labour.Drive) (any, error) {
		return a.db.Labour().CreateDrive(ctx, p, d)
	}))
	h("GET", "/api/v1/drives/{id}", "labour", web.ActionRead, "A drive: its plan and its pipeline board", false, a.getDrive)
	h("POST", "/api/v1/drives/{id}/assignment", "labour", web.ActionAssign, "Compute the optimal assignment of the drive's pool to its open positions (min-cost flow), with the greedy total and each worker's alternatives", false, a.assignDrive)
	h("POST", "/api/v1/drives/{id}/shortlist", "labour", web.ActionUpdate, "Put workers on the drive's pipeline (the given pairs, or the stored assignment)", false, labourWrite(a, http.StatusOK, true, func(ctx context.Context, p *auth.Principal, id int64, b shortlistBody) (any, error) {
		apps, err := a.db.Labour().Shortlist(ctx, p, id, b.Pairs, b.Date)
		return map[string]any{"shortlisted": nonNilSlice(apps)}, err
	}))
	h("GET", "/api/v1/applications/{id}", "labour", web.ActionRead, "One application with its stage history and orientation", false, a.labourRead(true, func(r *http.Request, p *auth.Principal, id int64) (any, error) {
		return a.db.Labour().Application(r.Context(), p, id)
	}))
	h("POST", "/api/v1/applications/{id}/stage", "labour", web.ActionUpdate, "Move an application to a stage (dated, responsible organisation, audited)", false, labourWrite(a, http.StatusOK, true, func(ctx context.Context, p *auth.Principal, id int64, b stageBody) (any, error) {
		return a.db.Labour().Move(ctx, p, id, b.Version, b.Stage, b.Date, b.Note)
	}))
	h("POST", "/api/v1/applications/{id}/orientation", "labour", web.ActionUpdate, "Record attendance of a pre-departure orientation module", false, labourWrite(a, http.StatusOK, true, func(ctx context.Context, p *auth.Principal, id int64, b attendBody) (any, error) {
		return a.db.Labour().Attend(ctx, p, id, b.Version, b.Module, b.Attended, b.Date)
	}))
	h("GET", "/api/v1/recruiters", "labour", web.ActionRead, "The recruiter register with certification and workers reporting fees paid", true, a.labourRead(false, func(r *http.Request, _ *auth.Principal, _ int64) (any, error) {
		rs, err := a.db.Labour().Recruiters(r.Context())
		return map[string]any{"recruiters": nonNilSlice(rs)}, err
	}))
	h("POST", "/api/v1/recruiters", "labour", web.ActionCreate, "Add a recruiter to the register", false, labourWrite(a, http.StatusCreated, false, func(ctx context.Context, p *auth.Principal, _ int64, rc labour.Recruiter) (any, error) {
		return a.db.Labour().CreateRecruiter(ctx, p, rc)
	}))
	h("PUT", "/api/v1/recruiters/{id}/certification", "labour", web.ActionPublish, "Record a recruiter's certification status (certified with an end date, in progress, suspended, revoked): the platform's certification desk", false, labourWrite(a, http.StatusOK, true, func(ctx context.Context, p *auth.Principal, id int64, b struct {
		Certification  string `json:"certification"`
		CertifiedUntil string `json:"certifiedUntil"`
	}) (any, error) {
		return a.db.Labour().SetCertification(ctx, p, id, b.Certification, b.CertifiedUntil)
	}))
	h("GET", "/api/v1/labour/costs", "labour", web.ActionRead, "SDG 10.7.1 (recruitment cost ÷ first monthly wage) by corridor or occupation, workers paying fees flagged; format=csv", true, a.recruitmentCosts)
	h("GET", "/api/v1/labour/market", "labour", web.ActionRead, "Demand (open positions) against supply (registered workers, cells under 3 withheld) by occupation: corridors where they meet, occupations at risk of skill drain", true, a.labourMarket)
}

const labourBodyLimit = 64 << 10

// decodeLabour reads a JSON body of at most 64 KiB.
func decodeLabour(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, labourBodyLimit)
	err := decodeJSON(r, v)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, derrors.TooLarge) {
		return derrors.Kindf(derrors.TooLarge, "parameter body: larger than the %d-byte limit", labourBodyLimit)
	}
	return err
}

// labourError names the field of a labour error: a field.Error, or a
// store error whose message starts with the field path ("isco: …").
func labourError(err error) error {
	var fe *field.Error
	if errors.As(err, &fe) {
		return &web.ParamError{Param: fe.Field, Reason: fe.Msg}
	}
	if derrors.Kind(err) == derrors.Invalid {
		msg := derrors.Message(err)
		if i := strings.Index(msg, ": "); i > 0 && !strings.ContainsAny(msg[:i], " \t") {
			return &web.ParamError{Param: msg[:i], Reason: msg[i+2:]}
		}
	}
	return err
}

// labourFail answers a failed store call; a refusal to someone signed out
// is a 401 (sign in first), as the route layer answers.
func (a *API) labourFail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, derrors.Forbidden) && !web.PrincipalFrom(r.Context()).SignedIn() {
		err = derrors.Kindf(derrors.Unauthenticated, "sign in first: %s", derrors.Message(err))
	}
	a.problem(w, r, labourError(err))
}

// taxonomy returns the imported ESCO/ISCO taxonomy (NotFound if none).
func (a *API) taxonomy(r *http.Request) (*esco.Taxonomy, error) {
	return a.db.LabourTaxonomy(r.Context())
}

// skillRef is a skill given by id or by preferred label.
type skillRef struct {
	id    int32
	label string
}

func (s *skillRef) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &s.label)
	}
	return json.Unmarshal(b, &s.id)
}

// resolveSkills turns references into ids, naming the first unknown one.
func resolveSkills(tax *esco.Taxonomy, name string, refs []skillRef) ([]int32, error) {
	out := make([]int32, 0, len(refs))
	for i, ref := range refs {
		if ref.label != "" {
			sk, ok := tax.SkillByLabel(ref.label)
			if !ok {
				return nil, &web.ParamError{Param: name + "[" + strconv.Itoa(i) + "]", Reason: "no ESCO skill labelled " + strconv.Quote(clip(ref.label))}
			}
			out = append(out, sk.ID)
			continue
		}
		out = append(out, ref.id)
	}
	return out, nil
}

func clip(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

// resolveOccupation fills the ESCO URI (from a code or URI) and, when not
// given, the ISCO unit group of the occupation.
func resolveOccupation(tax *esco.Taxonomy, name string, occ, isco *string) error {
	if *occ == "" {
		return nil
	}
	o, ok := tax.Occupation(*occ)
	if !ok {
		return &web.ParamError{Param: name, Reason: "no ESCO occupation " + strconv.Quote(clip(*occ))}
	}
	*occ = o.URI
	if *isco == "" {
		*isco = o.ISCOGroup
	}
	return nil
}

// labourRead answers GET routes: do gets the principal and the path id (0
// for a route without {id}) and returns the answer.
func (a *API) labourRead(withID bool, do func(r *http.Request, p *auth.Principal, id int64) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var id int64
		if withID {
			var err error
			if id, err = pathID(r); err != nil {
				a.problem(w, r, err)
				return
			}
		}
		if err := newQuery(r).done(); err != nil {
			a.problem(w, r, err)
			return
		}
		// The store audits some reads: its entries carry the client's address.
		out, err := do(r.WithContext(casesCtx(r)), web.PrincipalFrom(r.Context()), id)
		if err != nil {
			a.labourFail(w, r, err)
			return
		}
		web.WriteJSON(w, http.StatusOK, out)
	}
}

// labourWrite answers the routes that change something: it decodes the
// JSON body into a B (64 KiB at most), calls do with the audit context
// (the store audits), the principal and the path id, and answers status
// with what do returns (204 when nil).
func labourWrite[B any](a *API, status int, withID bool, do func(ctx context.Context, p *auth.Principal, id int64, b B) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var id int64
		if withID {
			var err error
			if id, err = pathID(r); err != nil {
				a.problem(w, r, err)
				return
			}
		}
		var b B
		if r.ContentLength != 0 { // no body: the zero B, which validation names
			if err := decodeLabour(w, r, &b); err != nil {
				a.problem(w, r, err)
				return
			}
		}
		out, err := do(casesCtx(r), web.PrincipalFrom(r.Context()), id, b)
		if err != nil {
			a.labourFail(w, r, err)
			return
		}
		audited(r)
		if out == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		web.WriteJSON(w, status, out)
	}
}

// The bodies of the write routes that are not domain records.
type (
	vacancyStatusBody struct {
		Status  string `json:"status"`
		Version int64  `json:"version"`
		Filled  *int   `json:"filled"`
	}
	stageBody struct {
		Stage   string `json:"stage"`
		Version int64  `json:"version"`
		Date    string `json:"date"`
		Note    string `json:"note"`
	}
	attendBody struct {
		Module   string `json:"module"`
		Attended bool   `json:"attended"`
		Version  int64  `json:"version"`
		Date     string `json:"date"`
	}
	shortlistBody struct {
		Pairs []match.Pair `json:"pairs"`
		Date  string       `json:"date"`
	}
	noBody struct{}
)

func (a *API) getVacancy(r *http.Request, p *auth.Principal, id int64) (any, error) {
	v, err := a.db.Labour().Vacancy(r.Context(), p, id)
	return a.vacancyOut(r, v), err
}

func (a *API) setVacancyStatus() http.HandlerFunc {
	return labourWrite(a, http.StatusOK, true, func(ctx context.Context, p *auth.Principal, id int64, b vacancyStatusBody) (any, error) {
		filled := -1
		if b.Filled != nil {
			filled = *b.Filled
		}
		v, err := a.db.Labour().SetVacancyStatus(ctx, p, id, b.Version, b.Status, filled)
		if err != nil {
			return nil, err
		}
		tax, _ := a.db.LabourTaxonomy(ctx)
		return vacancyJSON{Vacancy: v, EssentialSkills: skillsJSON(tax, v.Essential), OptionalSkills: skillsJSON(tax, v.Optional), Rights: labour.RightsOf(v)}, nil
	})
}

// occupationsMatching are the ESCO occupations whose labels or synonyms
// match the words of a vacancy search, so that "welder" finds vacancies
// whose occupation is welder whatever their title.
func (a *API) occupationsMatching(r *http.Request, q string) []string {
	if strings.TrimSpace(q) == "" {
		return nil
	}
	tax, err := a.taxonomy(r)
	if err != nil {
		return nil
	}
	var out []string
	for _, h := range tax.SearchOccupations(q, 50) {
		out = append(out, h.Occupation.URI)
	}
	return out
}

// ---- vacancies

type vacancyBody struct {
	labour.Vacancy
	EssentialSkills []skillRef `json:"essentialSkills"`
	OptionalSkills  []skillRef `json:"optionalSkills"`
}

// vacancyJSON is a vacancy as answered: skills with their labels, the
// rights that go with the legal channel.
type vacancyJSON struct {
	labour.Vacancy
	EssentialSkills []skillJSON       `json:"essentialSkills"`
	OptionalSkills  []skillJSON       `json:"optionalSkills"`
	Rights          []string          `json:"rights,omitempty"`
	Recruiter       *labour.Recruiter `json:"recruiter,omitempty"` // with its certification status
}

type skillJSON struct {
	ID    int32  `json:"id"`
	Label string `json:"label"`
}

func skillsJSON(tax *esco.Taxonomy, ids []int32) []skillJSON {
	out := make([]skillJSON, 0, len(ids))
	for _, id := range ids {
		s := skillJSON{ID: id}
		if tax != nil {
			if sk, ok := tax.Skill(id); ok {
				s.Label = sk.Label
			}
		}
		out = append(out, s)
	}
	return out
}

func (a *API) vacancyOut(r *http.Request, v labour.Vacancy) vacancyJSON {
	tax, _ := a.taxonomy(r)
	out := vacancyJSON{Vacancy: v, EssentialSkills: skillsJSON(tax, v.Essential), OptionalSkills: skillsJSON(tax, v.Optional),
		Rights: labour.RightsOf(v)}
	if v.RecruiterID != 0 {
		if rc, err := a.db.Labour().Recruiter(r.Context(), v.RecruiterID); err == nil {
			out.Recruiter = &rc
		}
	}
	return out
}

func (a *API) listVacancies(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	f := store.VacancyFilter{Status: q.str("status", 20), Destination: strings.ToUpper(q.str("destination", 3)),
		ISCO: q.str("isco", 4), Sector: strings.ToUpper(q.str("sector", 1)), Q: q.str("q", 100),
		Limit: q.intRange("limit", 50, 1, 200), Offset: q.intRange("offset", 0, 0, 1_000_000)}
	if f.Status != "" && f.Status != "all" && !slices.Contains(labour.VacancyStatuses, f.Status) {
		q.fail("status", "one of all, "+strings.Join(labour.VacancyStatuses, ", "))
	}
	if f.Destination != "" {
		if ar, err := a.geo.Area(r.Context(), f.Destination); err != nil || !ar.IsCountry() {
			q.fail("destination", "no country "+strconv.Quote(f.Destination))
		}
	}
	for _, c := range f.ISCO {
		if c < '0' || c > '9' {
			q.fail("isco", "an ISCO-08 code prefix: 1 to 4 digits")
			break
		}
	}
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	f.Occupations = a.occupationsMatching(r, f.Q)
	vs, total, err := a.db.Labour().Vacancies(r.Context(), web.PrincipalFrom(r.Context()), f)
	if err != nil {
		a.labourFail(w, r, err)
		return
	}
	out := make([]vacancyJSON, 0, len(vs))
	for _, v := range vs {
		out = append(out, a.vacancyOut(r, v))
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"vacancies": out, "total": total, "limit": f.Limit, "offset": f.Offset})
}

// explained is a match result as answered: the score, its components and
// the skills matched and missing, by label.
type explained struct {
	WorkerID           int64             `json:"workerId,omitempty"`
	Worker             string            `json:"worker,omitempty"` // pseudonymous reference
	Origin             string            `json:"origin,omitempty"`
	VacancyID          int64             `json:"vacancyId,omitempty"`
	Title              string            `json:"title,omitempty"`
	Destination        string            `json:"destination,omitempty"`
	Score              int               `json:"score"`
	Components         map[string]int    `json:"components"`
	OccupationRelation string            `json:"occupationRelation"`
	MatchedEssential   []skillJSON       `json:"matchedEssential"`
	MissingEssential   []skillJSON       `json:"missingEssential"`
	MatchedOptional    []skillJSON       `json:"matchedOptional"`
	MissingOptional    []skillJSON       `json:"missingOptional"`
	LanguagesMet       []labour.Language `json:"languagesMet"`
	LanguagesMissing   []labour.Language `json:"languagesMissing"`
	EducationMet       bool              `json:"educationMet"`
	ExperienceMet      bool              `json:"experienceMet"`
	Preferred          bool              `json:"preferredDestination"`
}

func explain(tax *esco.Taxonomy, res match.Result) explained {
	e := res.Explanation
	ids := func(s []match.SkillID) []int32 {
		out := make([]int32, len(s))
		for i, x := range s {
			out[i] = int32(x)
		}
		return out
	}
	langs := func(ls []match.Language) []labour.Language {
		out := make([]labour.Language, 0, len(ls))
		for _, l := range ls {
			lvl := ""
			if l.Level >= 1 && int(l.Level) <= len(labour.Levels) {
				lvl = labour.Levels[l.Level-1]
			}
			out = append(out, labour.Language{Code: l.Code, Level: lvl})
		}
		return out
	}
	return explained{Score: res.Score, OccupationRelation: e.OccupationRelation,
		Components: map[string]int{"skills": e.Skills, "occupation": e.Occupation, "languages": e.Languages,
			"qualifications": e.Qualifications, "preference": e.Preference},
		MatchedEssential: skillsJSON(tax, ids(e.MatchedEssential)), MissingEssential: skillsJSON(tax, ids(e.MissingEssential)),
		MatchedOptional: skillsJSON(tax, ids(e.MatchedOptional)), MissingOptional: skillsJSON(tax, ids(e.MissingOptional)),
		LanguagesMet: langs(e.LanguagesMet), LanguagesMissing: langs(e.LanguagesMissing),
		EducationMet: e.EducationMet, ExperienceMet: e.ExperienceMet, Preferred: e.Preferred}
}

func (a *API) vacancyCandidates(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	q := newQuery(r)
	limit := q.intRange("limit", 20, 1, 200)
	offset := q.intRange("offset", 0, 0, 1000)
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	v, res, err := a.db.Labour().Candidates(r.Context(), web.PrincipalFrom(r.Context()), id, limit+offset)
	if err != nil {
		a.labourFail(w, r, err)
		return
	}
	tax, _ := a.taxonomy(r)
	origins, err := a.db.Labour().Origins(r.Context(), res)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	more := len(res) == limit+offset // there may be more beyond this page
	res = res[min(offset, len(res)):]
	out := make([]explained, 0, len(res))
	for _, x := range res {
		e := explain(tax, x)
		e.WorkerID, e.Worker, e.Origin = x.WorkerID, labour.Worker{ID: x.WorkerID}.Reference(), origins[x.WorkerID]
		out = append(out, e)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"vacancy": a.vacancyOut(r, v), "candidates": out, "offset": offset, "limit": limit, "more": more})
}

// ---- workers

// createVacancy resolves the vacancy's occupation and skills (by code or
// label) through the taxonomy and stores it.
func (a *API) createVacancy(ctx context.Context, p *auth.Principal, _ int64, b vacancyBody) (any, error) {
	tax, err := a.db.LabourTaxonomy(ctx)
	if err != nil {
		return nil, err
	}
	v := b.Vacancy
	if err := resolveOccupation(tax, "occupation", &v.Occupation, &v.ISCO); err != nil {
		return nil, err
	}
	if v.Essential, err = resolveSkills(tax, "essentialSkills", b.EssentialSkills); err != nil {
		return nil, err
	}
	if v.Optional, err = resolveSkills(tax, "optionalSkills", b.OptionalSkills); err != nil {
		return nil, err
	}
	if v, err = a.db.Labour().CreateVacancy(ctx, p, v); err != nil {
		return nil, err
	}
	return vacancyJSON{Vacancy: v, EssentialSkills: skillsJSON(tax, v.Essential), OptionalSkills: skillsJSON(tax, v.Optional), Rights: labour.RightsOf(v)}, nil
}

// createWorker resolves the profile's occupations and skills and stores it.
func (a *API) createWorker(ctx context.Context, p *auth.Principal, _ int64, b workerBody) (any, error) {
	return a.saveWorker(ctx, p, b, false)
}

// saveWorker resolves a profile's occupations and skills (by code or
// label) through the taxonomy and registers or updates it.
func (a *API) saveWorker(ctx context.Context, p *auth.Principal, b workerBody, update bool) (any, error) {
	tax, err := a.db.LabourTaxonomy(ctx)
	if err != nil {
		return nil, err
	}
	wk := b.Worker
	for i := range wk.Occupations {
		o := &wk.Occupations[i]
		if err := resolveOccupation(tax, "occupations["+strconv.Itoa(i)+"].occupation", &o.Occupation, &o.ISCO); err != nil {
			return nil, err
		}
	}
	if wk.Skills, err = resolveSkills(tax, "skills", b.Skills); err != nil {
		return nil, err
	}
	if update {
		wk, err = a.db.Labour().UpdateWorker(ctx, p, wk)
	} else {
		wk, err = a.db.Labour().CreateWorker(ctx, p, wk)
	}
	if err != nil {
		return nil, err
	}
	return workerJSON{Worker: wk, Reference: wk.Reference(), Skills: skillsJSON(tax, wk.Skills), Access: "full"}, nil
}

type workerBody struct {
	labour.Worker
	Skills []skillRef `json:"skills"`
}

type workerJSON struct {
	labour.Worker
	Reference string      `json:"reference"`
	Skills    []skillJSON `json:"skills"`
	Access    string      `json:"access"` // full, shared (name and contacts) or pseudonymous
}

func (a *API) workerOut(r *http.Request, wk labour.Worker, acc store.WorkerAccess) workerJSON {
	tax, _ := a.taxonomy(r)
	out := workerJSON{Worker: wk, Reference: wk.Reference(), Skills: skillsJSON(tax, wk.Skills), Access: "full"}
	switch acc {
	case store.WorkerFull:
	case store.WorkerShared: // the store blanked what the worker did not share
		out.Access, out.OwnerID = "shared", 0
	default:
		out.Access = "pseudonymous"
		out.GivenName, out.FamilyName, out.BirthDate, out.Email, out.Phone, out.Qualifications, out.Notes = "", "", "", "", "", "", ""
		out.OwnerID = 0
	}
	return out
}

func (a *API) listWorkers(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	f := store.WorkerFilter{Status: q.str("status", 20), Origin: strings.ToUpper(q.str("origin", 3)), ISCO: q.str("isco", 4),
		Limit: q.intRange("limit", 50, 1, 200), Offset: q.intRange("offset", 0, 0, 1_000_000)}
	if f.Status != "" && !slices.Contains(labour.WorkerStatuses, f.Status) {
		q.fail("status", "one of "+strings.Join(labour.WorkerStatuses, ", "))
	}
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	ws, total, err := a.db.Labour().Workers(casesCtx(r), web.PrincipalFrom(r.Context()), f)
	if err != nil {
		a.labourFail(w, r, err)
		return
	}
	audited(r)
	out := make([]workerJSON, 0, len(ws))
	for _, wk := range ws {
		out = append(out, a.workerOut(r, wk, store.WorkerFull))
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"workers": out, "total": total})
}

func (a *API) getWorker(r *http.Request, p *auth.Principal, id int64) (any, error) {
	wk, acc, err := a.db.Labour().Worker(casesCtx(r), p, id)
	if err != nil {
		return nil, err
	}
	audited(r)
	return a.workerOut(r, wk, acc), nil
}

func (a *API) workerVacancies(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	q := newQuery(r)
	limit := q.intRange("limit", 20, 1, 200)
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	p := web.PrincipalFrom(r.Context())
	res, err := a.db.Labour().VacanciesFor(r.Context(), p, id, limit)
	if err != nil {
		a.labourFail(w, r, err)
		return
	}
	tax, _ := a.taxonomy(r)
	out := make([]explained, 0, len(res))
	for _, x := range res {
		e := explain(tax, x)
		e.VacancyID = x.VacancyID
		if v, err := a.db.Labour().Vacancy(r.Context(), p, x.VacancyID); err == nil {
			e.Title, e.Destination = v.Title, v.Destination
		}
		out = append(out, e)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"workerId": id, "vacancies": out})
}

func (a *API) workerCosts(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	cs, err := a.db.Labour().Costs(r.Context(), web.PrincipalFrom(r.Context()), id)
	if err != nil {
		a.labourFail(w, r, err)
		return
	}
	o, ok, err := a.db.Labour().WorkerCostOf(r.Context(), web.PrincipalFrom(r.Context()), id)
	if err != nil {
		a.labourFail(w, r, err)
		return
	}
	out := map[string]any{"workerId": id, "costs": nonNilSlice(cs)}
	if ok {
		out["sdg_10_7_1"] = o
	}
	web.WriteJSON(w, http.StatusOK, out)
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ---- drives and pipeline

func (a *API) getDrive(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	d, apps, err := a.db.Labour().Board(casesCtx(r), web.PrincipalFrom(r.Context()), id)
	if err != nil {
		a.labourFail(w, r, err)
		return
	}
	board := map[string][]labour.Application{}
	for _, s := range append(append([]string{}, labour.Stages...), labour.EndStages...) {
		board[s] = []labour.Application{}
	}
	for _, ap := range apps {
		board[ap.Stage] = append(board[ap.Stage], ap)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"drive": d, "stages": labour.Stages, "board": board})
}

func (a *API) assignDrive(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	res, err := a.db.Labour().Assign(casesCtx(r), web.PrincipalFrom(r.Context()), id)
	if err != nil {
		a.labourFail(w, r, err)
		return
	}
	audited(r)
	gain := 0.0
	if res.GreedyTotal > 0 {
		gain = float64(res.Plan.Total-res.GreedyTotal) / float64(res.GreedyTotal) * 100
	}
	alts := map[string][]match.Alternative{}
	for wid, as := range res.Plan.Alternatives {
		alts[strconv.FormatInt(wid, 10)] = as
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"driveId": id, "method": "min-cost flow (exact)",
		"workers": res.Workers, "positions": res.Positions, "pairs": nonNilSlice(res.Plan.Pairs), "total": res.Plan.Total,
		"greedyTotal": res.GreedyTotal, "gainOverGreedyPct": gain, "unassigned": nonNilSlice(res.Plan.Unassigned),
		"alternatives": alts, "milliseconds": res.Elapsed.Milliseconds()})
}

// ---- recruiters, costs, market

// MinPublicCell is the fewest workers a published SDG 10.7.1 group may
// hold: smaller groups are withheld so no worker's costs can be read off.
const MinPublicCell = 3

func (a *API) recruitmentCosts(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	group := q.str("group", 20)
	format := q.str("format", 4)
	if group == "" {
		group = "corridor"
	}
	if group != "corridor" && group != "occupation" {
		q.fail("group", "corridor or occupation")
	}
	if format != "" && format != "json" && format != "csv" {
		q.fail("format", "json or csv")
	}
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	obs, err := a.db.Labour().RecruitmentCosts(r.Context())
	if err != nil {
		a.problem(w, r, err)
		return
	}
	key := labour.ByCorridor
	if group == "occupation" {
		key = labour.ByOccupation
	}
	groups := labour.GroupCosts(obs, key)
	var shown []labour.CostGroup
	withheld := 0
	for _, g := range groups {
		if g.Workers < MinPublicCell {
			withheld++
			continue
		}
		shown = append(shown, g)
	}
	if format == "csv" {
		cw := csvDownload(w, "sdg_10_7_1_by_"+group+".csv")
		cw.Write([]string{"origin", "destination", "isco", "workers", "mean_ratio", "median_ratio", "workers_paying_fees", "flagged"})
		for _, g := range shown {
			cw.Write([]string{g.Origin, g.Destination, g.ISCO, strconv.Itoa(g.Workers), strconv.FormatFloat(g.Mean, 'f', 4, 64),
				strconv.FormatFloat(g.Median, 'f', 4, 64), strconv.Itoa(g.PayingFees), strconv.FormatBool(g.Flagged)})
		}
		cw.Flush()
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"indicator": "sdg_10_7_1",
		"definition": "recruitment cost borne by the worker ÷ first monthly wage in the destination, mean over workers (1.0 = one month of wages)",
		"group":      group, "groups": nonNilSlice(shown), "withheldGroups": withheld, "minWorkers": MinPublicCell, "workers": len(obs)})
}

func (a *API) labourMarket(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).done(); err != nil {
		a.problem(w, r, err)
		return
	}
	demand, supply, err := a.db.Labour().LabourMarket(r.Context())
	if err != nil {
		a.problem(w, r, err)
		return
	}
	// Registered workers are people: a cell of fewer than MinPublicCell
	// is withheld from every figure, so that no one can be singled out.
	shown, withheld := supply[:0:0], 0
	for _, s := range supply {
		if s.Workers < MinPublicCell {
			withheld++
			continue
		}
		shown = append(shown, s)
	}
	meetings, risks := labour.Market(demand, shown)
	if len(meetings) > 500 {
		meetings = meetings[:500]
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"demand": nonNilSlice(demand), "supply": nonNilSlice(shown),
		"withheldSupplyCells": withheld, "minWorkers": MinPublicCell,
		"meetings": nonNilSlice(meetings), "drainRisks": nonNilSlice(risks),
		"drainThresholds": map[string]float64{"elevated": labour.DrainElevated, "high": labour.DrainHigh}})
}
