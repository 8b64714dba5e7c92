package store_test

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/crypt"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/field"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/labour/esco"
	"github.com/corridor-platform/corridor/internal/labour/match"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// labourFixture: an employer organisation in Germany (employer emp and a
// second employer org with emp2), a labour agency in Kenya (agency), a
// small taxonomy (welders 7212, plumbers 7126; skills 1–5) and the sample
// geography (KEN, CIV, DEU).
type labourFixture struct {
	db               *store.DB
	l                *store.Labour
	emp, emp2, agent *auth.Principal
	self, self2      *auth.Principal // two workers with their own accounts
	public           *auth.Principal
	ctx              context.Context
}

const (
	welderURI  = "http://data.europa.eu/esco/occupation/welder"
	plumberURI = "http://data.europa.eu/esco/occupation/plumber"
)

func smallTaxonomy() esco.Input {
	var groups []esco.ISCOGroup
	for _, c := range []string{"7", "72", "721", "7212", "71", "712", "7126"} {
		groups = append(groups, esco.ISCOGroup{Code: c, Label: "group " + c})
	}
	skills := []esco.Skill{{ID: 1, Label: "arc welding"}, {ID: 2, Label: "read blueprints"}, {ID: 3, Label: "metal cutting"},
		{ID: 4, Label: "install pipes"}, {ID: 5, Label: "workplace safety"}}
	return esco.Input{ISCOGroups: groups, Skills: skills, Occupations: []esco.Occupation{
		{URI: welderURI, Code: "7212.1", Label: "welder", ISCOGroup: "7212", Essential: []int32{1, 2, 3}, Optional: []int32{5}},
		{URI: plumberURI, Code: "7126.1", Label: "plumber", ISCOGroup: "7126", Essential: []int32{4, 2}, Optional: []int32{5}},
	}}
}

func newLabourFixture(t *testing.T, e storetest.Engine) *labourFixture {
	t.Helper()
	ctx := context.Background()
	db := openMigrated(t, e)
	kb, err := crypt.GenerateKeyFile()
	if err != nil {
		t.Fatal(err)
	}
	k, err := crypt.ParseKeyring(kb)
	if err != nil {
		t.Fatal(err)
	}
	db.SetKeys(k)
	load(t, db, sampleReference())
	if err := db.Accounts().EnsureBuiltinRoles(ctx); err != nil {
		t.Fatal(err)
	}
	in := smallTaxonomy()
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := store.ReplaceISCOGroups(ctx, tx, in.ISCOGroups); err != nil {
			return err
		}
		return store.ReplaceESCO(ctx, tx, in)
	}); err != nil {
		t.Fatal(err)
	}
	f := &labourFixture{db: db, l: db.Labour(), ctx: ctx}
	acc := db.Accounts()
	ids := map[string]int64{}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		orgs := map[string]int64{}
		for _, o := range []auth.Org{{Name: "Werft Kiel", Kind: "employer", Country: "DEU"}, {Name: "Bau Berlin", Kind: "employer", Country: "DEU"},
			{Name: "Nairobi Labour Agency", Kind: "government", Country: "KEN"}} {
			created, err := acc.CreateOrg(ctx, tx, o)
			if err != nil {
				return err
			}
			orgs[o.Name] = created.ID
		}
		for _, u := range []struct{ name, org, role string }{{"emp", "Werft Kiel", auth.RoleEmployer}, {"emp2", "Bau Berlin", auth.RoleEmployer},
			{"agent", "Nairobi Labour Agency", auth.RoleLabourAgency}, {"self", "Nairobi Labour Agency", auth.RoleWorker},
			{"self2", "Nairobi Labour Agency", auth.RoleWorker}} {
			created, err := acc.CreateUser(ctx, tx, auth.User{Username: "user-" + u.name, FullName: "User " + u.name, OrgID: orgs[u.org],
				Roles: []string{u.role}}, "a long enough passphrase here")
			if err != nil {
				return err
			}
			ids[u.name] = created.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, dst := range map[string]**auth.Principal{"emp": &f.emp, "emp2": &f.emp2, "agent": &f.agent, "self": &f.self, "self2": &f.self2} {
		if *dst, err = acc.Principal(ctx, ids[name], nil); err != nil {
			t.Fatal(err)
		}
	}
	if f.public, err = acc.PublicPrincipal(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

func weldingVacancy() labour.Vacancy {
	return labour.Vacancy{Title: "Ship welder", Destination: "DEU", Place: "Kiel", ISCO: "7212", Occupation: welderURI, Sector: "C",
		Positions: 2, Essential: []int32{1, 2, 3}, Optional: []int32{5}, Languages: []labour.Language{{Code: "de", Level: "A2"}},
		Education: 3, ExperienceYears: 2, MonthlyWage: 2500, Currency: "EUR", HoursPerWeek: 40, ContractMonths: 24,
		Housing: "provided-paid", Channel: labour.Channel{Kind: "skills-partnership", Name: "Kenya–Germany skills partnership"},
		Fees: labour.FeePolicy{EmployerPays: true}, Status: labour.VacancyPublished}
}

func kenyanWelder(given string, skills []int32) labour.Worker {
	return labour.Worker{GivenName: given, FamilyName: "Otieno", BirthDate: "1994-03-02", Email: strings.ToLower(given) + "@example.org",
		Consent: labour.Consent{Matching: true, ShareWithEmployers: true, Date: "2026-11-01", RecordedBy: "agency"},
		Origin:  "KEN", Occupations: []labour.HeldOccupation{{Occupation: welderURI, ISCO: "7212", Years: 5}}, Skills: skills,
		Languages: []labour.Language{{Code: "de", Level: "B1"}, {Code: "en", Level: "C1"}}, Education: 3, ExperienceYears: 5,
		PreferredDestinations: []string{"DEU"}}
}

func wantField(t *testing.T, err error, name string) {
	t.Helper()
	var fe *field.Error
	if errors.As(err, &fe) && fe.Field == name {
		return
	}
	if err != nil && strings.HasPrefix(derrors.Message(err), name+":") {
		return
	}
	t.Fatalf("want an error naming %s, got %v", name, err)
}

func TestLabourVacancyFeePolicy(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newLabourFixture(t, e)
		v := weldingVacancy()
		v.Fees = labour.FeePolicy{EmployerPays: false, WorkerFee: 150}
		_, err := f.l.CreateVacancy(f.ctx, f.emp, v)
		wantField(t, err, "feePolicy.workerFee")
		// As a draft it is kept, but it cannot be published.
		v.Status = labour.VacancyDraft
		d, err := f.l.CreateVacancy(f.ctx, f.emp, v)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.l.SetVacancyStatus(f.ctx, f.emp, d.ID, d.Version, labour.VacancyPublished, -1)
		wantField(t, err, "feePolicy.workerFee")
		if got, _ := f.l.Vacancy(f.ctx, f.emp, d.ID); got.Status != labour.VacancyDraft || got.Version != d.Version {
			t.Fatalf("a refused publication changed the vacancy: %+v", got)
		}
		// The public never sees the draft.
		if _, err := f.l.Vacancy(f.ctx, f.public, d.ID); !errors.Is(err, derrors.NotFound) {
			t.Fatalf("public read of a draft: %v", err)
		}
		// The agency may not post vacancies it has no create right… it has
		// labour:create (drives, costs) but a vacancy from an unknown skill fails.
		bad := weldingVacancy()
		bad.Essential = []int32{1, 99}
		_, err = f.l.CreateVacancy(f.ctx, f.emp, bad)
		wantField(t, err, "essentialSkills[1]")
		bad = weldingVacancy()
		bad.ISCO = "7126" // the welder occupation is not a plumber
		_, err = f.l.CreateVacancy(f.ctx, f.emp, bad)
		wantField(t, err, "occupation")
		bad = weldingVacancy()
		bad.Destination = "XYZ"
		_, err = f.l.CreateVacancy(f.ctx, f.emp, bad)
		wantField(t, err, "destination")
		// Published and visible to the public, in the public list.
		pub, err := f.l.CreateVacancy(f.ctx, f.emp, weldingVacancy())
		if err != nil {
			t.Fatal(err)
		}
		list, total, err := f.l.Vacancies(f.ctx, f.public, store.VacancyFilter{Destination: "DEU"})
		if err != nil || total != 1 || len(list) != 1 || list[0].ID != pub.ID {
			t.Fatalf("public list: %v %d %v", list, total, err)
		}
		// Withdrawn: gone from the public list.
		if _, err := f.l.SetVacancyStatus(f.ctx, f.emp, pub.ID, pub.Version, labour.VacancyWithdrawn, -1); err != nil {
			t.Fatal(err)
		}
		if _, total, _ := f.l.Vacancies(f.ctx, f.public, store.VacancyFilter{}); total != 0 {
			t.Fatalf("withdrawn vacancy still listed: %d", total)
		}
		// Another employer cannot change it.
		if _, err := f.l.SetVacancyStatus(f.ctx, f.emp2, d.ID, d.Version, labour.VacancyWithdrawn, -1); err == nil {
			t.Fatal("another organisation withdrew the vacancy")
		}
	})
}

func TestLabourMatchingPipelineAndCosts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newLabourFixture(t, e)
		ctx := f.ctx
		v, err := f.l.CreateVacancy(ctx, f.emp, weldingVacancy())
		if err != nil {
			t.Fatal(err)
		}
		noConsent := kenyanWelder("Amina", []int32{1, 2, 3})
		noConsent.Consent.Matching = false
		_, err = f.l.CreateWorker(ctx, f.agent, noConsent)
		wantField(t, err, "consent.matching")
		if _, err := f.l.CreateWorker(ctx, f.emp, kenyanWelder("Amina", nil)); !errors.Is(err, derrors.Forbidden) {
			t.Fatalf("an employer registered a worker: %v", err)
		}
		full, err := f.l.CreateWorker(ctx, f.agent, kenyanWelder("Amina", []int32{1, 2, 3, 5}))
		if err != nil {
			t.Fatal(err)
		}
		partial, err := f.l.CreateWorker(ctx, f.agent, kenyanWelder("Baraka", []int32{1}))
		if err != nil {
			t.Fatal(err)
		}
		german := kenyanWelder("Claus", []int32{1, 2, 3, 5})
		german.Origin, german.PreferredDestinations = "DEU", nil
		if _, err := f.l.CreateWorker(ctx, f.agent, german); err != nil {
			t.Fatal(err)
		}

		// The name is sealed at rest.
		raw, err := f.db.SQL().QueryContext(ctx, `SELECT personal_enc FROM labour_workers`)
		if err != nil {
			t.Fatal(err)
		}
		for raw.Next() {
			var enc string
			raw.Scan(&enc)
			if strings.Contains(enc, "Amina") || strings.Contains(enc, "Otieno") || enc == "" {
				t.Fatalf("personal fields not sealed: %q", enc)
			}
		}
		raw.Close()

		// Candidates: Amina (every skill) before Baraka (one essential
		// skill); the German worker is in the destination: not a candidate.
		_, cands, err := f.l.Candidates(ctx, f.emp, v.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(cands) != 2 || cands[0].WorkerID != full.ID || cands[1].WorkerID != partial.ID {
			t.Fatalf("candidates: %+v", cands)
		}
		if got := cands[1].Explanation.MissingEssential; len(got) != 2 || got[0] != 2 || got[1] != 3 {
			t.Fatalf("Baraka's missing essential skills: %v", got)
		}
		if _, _, err := f.l.Candidates(ctx, f.emp2, v.ID, 10); err == nil {
			t.Fatal("another employer saw the candidates")
		}
		// Before shortlisting, the employer sees Amina pseudonymously.
		w, acc, err := f.l.Worker(ctx, f.emp, full.ID)
		if err != nil || acc != store.WorkerPseudonymous || w.GivenName != "" {
			t.Fatalf("employer before shortlist: %v %v %q", acc, err, w.GivenName)
		}
		// The agency ranks vacancies for its worker.
		vs, err := f.l.VacanciesFor(ctx, f.agent, full.ID, 5)
		if err != nil || len(vs) != 1 || vs[0].VacancyID != v.ID || vs[0].Score != cands[0].Score {
			t.Fatalf("vacancies for Amina: %+v %v", vs, err)
		}

		// A drive with an optimal assignment: both Kenyans get a position.
		d, err := f.l.CreateDrive(ctx, f.emp, labour.Drive{Name: "Kiel 2027", Vacancies: []int64{v.ID}, Origins: []string{"KEN"}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := f.l.Assign(ctx, f.emp, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Plan.Pairs) != 2 || res.Plan.Total != cands[0].Score+cands[1].Score {
			t.Fatalf("plan: %+v", res.Plan)
		}
		apps, err := f.l.Shortlist(ctx, f.emp, d.ID, []match.Pair{{WorkerID: full.ID, VacancyID: v.ID}}, "2026-10-01")
		if err != nil || len(apps) != 1 {
			t.Fatalf("shortlist: %v %v", apps, err)
		}
		// Shortlisted with consent to share: the employer now sees her name
		// (and the read is audited).
		w, acc, err = f.l.Worker(ctx, f.emp, full.ID)
		if err != nil || acc != store.WorkerShared || w.GivenName != "Amina" || w.BirthDate != "" || w.Email == "" {
			t.Fatalf("employer after shortlist: %v %v %q", acc, err, w.GivenName)
		}
		entries, err := f.db.Audit().List(ctx, audit.Filter{Resource: "workers", Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		reads := 0
		for _, en := range entries {
			if en.Action == audit.ActionRead && en.RecordID == strconv.FormatInt(full.ID, 10) {
				reads++
			}
		}
		if reads == 0 {
			t.Fatal("reading a worker's personal fields was not audited")
		}

		// The pipeline, in order; travel needs the orientation.
		a := apps[0]
		for _, st := range []string{labour.StageInterviewed, labour.StageOffered, labour.StageAccepted, labour.StageVisa, labour.StagePreDeparture} {
			if a, err = f.l.Move(ctx, f.emp, a.ID, a.Version, st, "2026-10-10", ""); err != nil {
				t.Fatalf("move to %s: %v", st, err)
			}
		}
		if _, err := f.l.Move(ctx, f.emp, a.ID, a.Version, labour.StageArrived, "", ""); !errors.Is(err, derrors.Conflict) {
			t.Fatalf("skipping travel: %v", err)
		}
		if _, err := f.l.Move(ctx, f.emp, a.ID, a.Version, labour.StageTravel, "", ""); !errors.Is(err, derrors.Conflict) {
			t.Fatalf("travel before orientation: %v", err)
		}
		for _, m := range a.Orientation {
			if a, err = f.l.Attend(ctx, f.agent, a.ID, a.Version, m.Name, true, "2026-10-20"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.l.Move(ctx, f.emp, a.ID, a.Version, labour.StageTravel, "2026-10-05", ""); !errors.Is(err, derrors.Invalid) {
			t.Fatalf("travel dated before the previous stage: %v", err)
		}
		if _, err := f.l.Move(ctx, f.emp, a.ID, a.Version-1, labour.StageTravel, "", ""); !errors.Is(err, derrors.Conflict) {
			t.Fatalf("stale version: %v", err)
		}
		for _, st := range []string{labour.StageTravel, labour.StageArrived, labour.StagePlaced} {
			if a, err = f.l.Move(ctx, f.emp, a.ID, a.Version, st, "2026-11-01", ""); err != nil {
				t.Fatalf("move to %s: %v", st, err)
			}
		}
		if len(a.Events) != 9 || a.Events[0].Stage != labour.StageShortlisted || a.Events[8].OrgName != "Werft Kiel" || a.Events[8].Date != "2026-11-01" {
			t.Fatalf("events: %+v", a.Events)
		}
		if got, _ := f.l.Vacancy(ctx, f.emp, v.ID); got.Filled != 1 {
			t.Fatalf("placement did not fill a position: %d", got.Filled)
		}

		// Costs: a recruiter fee and travel; 10.7.1 = (300 + 200) / 2500.
		rc, err := f.l.CreateRecruiter(ctx, f.agent, labour.Recruiter{Name: "Fast Jobs Ltd", Country: "KEN", Certification: "not-certified"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.l.RecordCost(ctx, f.agent, labour.Cost{WorkerID: full.ID, Kind: labour.CostFee, Amount: 300, Currency: "EUR",
			RateToWage: 1, PaidTo: "recruiter", RecruiterID: rc.ID, Date: "2026-10-02"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.l.RecordCost(ctx, f.agent, labour.Cost{WorkerID: full.ID, Kind: labour.CostTravel, Amount: 26000, Currency: "KES",
			RateToWage: 200.0 / 26000, RateTo: "EUR", PaidTo: "other", Date: "2026-11-02"}); err != nil {
			t.Fatal(err)
		}
		_, err = f.l.RecordCost(ctx, f.agent, labour.Cost{WorkerID: full.ID, Kind: "bribe", Amount: 1, Currency: "EUR", RateToWage: 1, PaidTo: "other", Date: "2026-10-01"})
		wantField(t, err, "kind")
		obs, err := f.l.RecruitmentCosts(ctx)
		if err != nil || len(obs) != 1 {
			t.Fatalf("observations: %v %v", obs, err)
		}
		if o := obs[0]; math.Abs(o.Ratio-0.2) > 1e-12 || !o.PaidFees || o.Origin != "KEN" || o.Destination != "DEU" || o.MonthlyWage != 2500 {
			t.Fatalf("10.7.1: %+v", o)
		}
		rs, err := f.l.Recruiters(ctx)
		if err != nil || len(rs) != 1 || !rs[0].Flagged || rs[0].WorkersPayingFees != 1 {
			t.Fatalf("recruiters: %+v %v", rs, err)
		}

		// Withdrawn consent: erased and never matched again.
		if err := f.l.WithdrawWorker(ctx, f.agent, partial.ID); err != nil {
			t.Fatal(err)
		}
		if _, cands, _ = f.l.Candidates(ctx, f.emp, v.ID, 10); len(cands) != 0 {
			t.Fatalf("candidates after placement and withdrawal: %+v", cands)
		}
		w, _, err = f.l.Worker(ctx, f.agent, partial.ID)
		if err != nil || w.GivenName != "" || w.Status != labour.WorkerWithdrawn {
			t.Fatalf("withdrawn worker: %+v %v", w, err)
		}
	})
}

// TestLabourBulkLoad stores a generated population in one go (corridor
// labour generate) on both engines: the sealed names open, matching finds
// the workers, and a registration afterwards gets the next id.
func TestLabourBulkLoad(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newLabourFixture(t, e)
		tax, err := f.db.LabourTaxonomy(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		ws, vs := labour.Population(tax, 300, 20, 7)
		for i := range ws {
			ws[i].Origin, ws[i].PreferredDestinations = "KEN", nil
		}
		for i := range vs {
			vs[i].Destination = "DEU"
		}
		if err := f.db.BulkLoadLabour(f.ctx, 0, f.agent.OrgID, f.emp.OrgID, ws, vs); err != nil {
			t.Fatal(err)
		}
		w, acc, err := f.l.Worker(f.ctx, f.agent, ws[10].ID)
		if err != nil || acc != store.WorkerFull || w.GivenName != ws[10].GivenName || w.GivenName == "" {
			t.Fatalf("bulk worker: %+v %v %v", w, acc, err)
		}
		_, cands, err := f.l.Candidates(f.ctx, f.emp, vs[0].ID, 0)
		if err != nil || len(cands) == 0 {
			t.Fatalf("no candidate among 300 generated workers: %v", err)
		}
		next, err := f.l.CreateWorker(f.ctx, f.agent, kenyanWelder("Dalia", []int32{1}))
		if err != nil || next.ID != ws[len(ws)-1].ID+1 {
			t.Fatalf("registration after the bulk load: id %d, want %d (%v)", next.ID, ws[len(ws)-1].ID+1, err)
		}
	})
}

// TestLabourWorkerOwnAccount: a worker registers their own profile, sees
// it and the vacancies it matches; another worker of the same agency does
// not see it; the agency does.
func TestLabourWorkerOwnAccount(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newLabourFixture(t, e)
		v, err := f.l.CreateVacancy(f.ctx, f.emp, weldingVacancy())
		if err != nil {
			t.Fatal(err)
		}
		me := kenyanWelder("Imani", []int32{1, 2})
		me.Consent.RecordedBy = "self"
		w, err := f.l.CreateWorker(f.ctx, f.self, me)
		if err != nil {
			t.Fatal(err)
		}
		if got, acc, err := f.l.Worker(f.ctx, f.self, w.ID); err != nil || acc != store.WorkerFull || got.GivenName != "Imani" {
			t.Fatalf("own profile: %v %v", acc, err)
		}
		if res, err := f.l.VacanciesFor(f.ctx, f.self, w.ID, 5); err != nil || len(res) != 1 || res[0].VacancyID != v.ID {
			t.Fatalf("own matches: %+v %v", res, err)
		}
		if _, err := f.l.VacanciesFor(f.ctx, f.self2, w.ID, 5); !errors.Is(err, derrors.NotFound) {
			t.Fatalf("another worker's matches: %v", err)
		}
		if _, _, err := f.l.Worker(f.ctx, f.self2, w.ID); !errors.Is(err, derrors.NotFound) {
			t.Fatalf("another worker read the profile: %v", err)
		}
		if _, acc, err := f.l.Worker(f.ctx, f.agent, w.ID); err != nil || acc != store.WorkerFull {
			t.Fatalf("the agency: %v %v", acc, err)
		}
		if err := f.l.WithdrawWorker(f.ctx, f.self, w.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// TestLabourReviewRules pins what a new-user review found: drives and
// applications are private to their organisations (the public, another
// employer and a worker see nothing); a worker in a drive's pipeline for
// one vacancy is not shortlisted for another; placement never exceeds the
// positions; withdrawing consent ends the applications; the pipeline
// records no future; a worker's own account has one profile; recruiters
// are one per folded name and only the certification desk certifies.
func TestLabourReviewRules(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newLabourFixture(t, e)
		ctx := f.ctx
		one := weldingVacancy()
		one.Positions = 1
		v, err := f.l.CreateVacancy(ctx, f.emp, one)
		if err != nil {
			t.Fatal(err)
		}
		v2, err := f.l.CreateVacancy(ctx, f.emp, weldingVacancy())
		if err != nil {
			t.Fatal(err)
		}
		a1, _ := f.l.CreateWorker(ctx, f.agent, kenyanWelder("Amina", []int32{1, 2, 3}))
		a2, _ := f.l.CreateWorker(ctx, f.agent, kenyanWelder("Baraka", []int32{1, 2, 3}))
		a3, _ := f.l.CreateWorker(ctx, f.agent, kenyanWelder("Chausiku", []int32{1, 2}))
		d, err := f.l.CreateDrive(ctx, f.emp, labour.Drive{Name: "Kiel", Vacancies: []int64{v.ID, v2.ID}})
		if err != nil {
			t.Fatal(err)
		}
		apps, err := f.l.Shortlist(ctx, f.emp, d.ID, []match.Pair{{WorkerID: a1.ID, VacancyID: v.ID}, {WorkerID: a2.ID, VacancyID: v.ID},
			{WorkerID: a3.ID, VacancyID: v2.ID}}, "2026-10-01")
		if err != nil || len(apps) != 3 {
			t.Fatalf("shortlist: %v %v", apps, err)
		}
		if _, err := f.l.Shortlist(ctx, f.emp, d.ID, []match.Pair{{WorkerID: a1.ID, VacancyID: v2.ID}}, "2026-10-01"); !errors.Is(err, derrors.Conflict) {
			t.Fatalf("a second vacancy in the same drive: %v", err)
		}
		for _, p := range []*auth.Principal{f.public, f.emp2, f.self} {
			if _, err := f.l.Drive(ctx, p, d.ID); !errors.Is(err, derrors.NotFound) {
				t.Errorf("drive seen by %q: %v", p.Username, err)
			}
			if _, err := f.l.Application(ctx, p, apps[0].ID); !errors.Is(err, derrors.NotFound) {
				t.Errorf("application seen by %q: %v", p.Username, err)
			}
		}
		if _, err := f.l.Move(ctx, f.emp, apps[0].ID, apps[0].Version, labour.StageOffered, "2031-01-01", ""); !errors.Is(err, derrors.Invalid) {
			t.Fatalf("a move dated in the future: %v", err)
		}
		// Both welders reach arrival; the one position goes to the first.
		toArrival := func(a labour.Application) labour.Application {
			t.Helper()
			var err error
			for _, st := range []string{labour.StageOffered, labour.StageAccepted, labour.StageVisa, labour.StagePreDeparture} {
				if a, err = f.l.Move(ctx, f.emp, a.ID, a.Version, st, "2026-10-10", "passport P1234567"); err != nil {
					t.Fatalf("%s: %v", st, err)
				}
			}
			for _, m := range a.Orientation {
				if a, err = f.l.Attend(ctx, f.agent, a.ID, a.Version, m.Name, true, "2026-10-12"); err != nil {
					t.Fatal(err)
				}
			}
			for _, st := range []string{labour.StageTravel, labour.StageArrived} {
				if a, err = f.l.Move(ctx, f.emp, a.ID, a.Version, st, "2026-10-20", ""); err != nil {
					t.Fatalf("%s: %v", st, err)
				}
			}
			return a
		}
		first := toArrival(apps[0])
		if _, err := f.l.Move(ctx, f.emp, first.ID, first.Version, labour.StagePlaced, "2026-10-21", ""); err != nil {
			t.Fatal(err)
		}
		// The one position is taken: the second welder's offer cannot be
		// accepted (so no one travels to a job that no longer exists).
		second, err := f.l.Move(ctx, f.emp, apps[1].ID, apps[1].Version, labour.StageOffered, "2026-10-10", "passport P1234567")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.l.Move(ctx, f.emp, second.ID, second.Version, labour.StageAccepted, "2026-10-21", ""); !errors.Is(err, derrors.Conflict) {
			t.Fatalf("an offer accepted beyond the positions: %v", err)
		}
		// The stage notes are sealed at rest and open for the drive.
		var enc string
		if err := f.db.SQL().QueryRowContext(ctx, `SELECT note_enc FROM labour_stage_events WHERE note_enc <> '' LIMIT 1`).Scan(&enc); err != nil ||
			strings.Contains(enc, "P1234567") {
			t.Fatalf("stage note at rest: %q %v", enc, err)
		}
		if got, err := f.l.Application(ctx, f.emp, second.ID); err != nil || got.Events[1].Note != "passport P1234567" {
			t.Fatalf("stage note for the drive: %+v %v", got.Events, err)
		}
		// Withdrawal ends the third worker's application; no further move.
		if err := f.l.WithdrawWorker(ctx, f.agent, a3.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := f.l.Application(ctx, f.emp, apps[2].ID); err != nil || got.Stage != labour.StageWithdrawn {
			t.Fatalf("after withdrawal: %+v %v", got, err)
		}
		if _, err := f.l.VacanciesFor(ctx, f.agent, a3.ID, 5); !errors.Is(err, derrors.Conflict) {
			t.Fatalf("matching a withdrawn worker: %v", err)
		}
		// A worker's own account: one profile, recorded by self.
		me := kenyanWelder("Imani", []int32{1})
		me.Consent.RecordedBy = "self"
		if _, err := f.l.CreateWorker(ctx, f.self, me); err != nil {
			t.Fatal(err)
		}
		if _, err := f.l.CreateWorker(ctx, f.self, me); !errors.Is(err, derrors.Conflict) {
			t.Fatalf("a second own profile: %v", err)
		}
		future := kenyanWelder("Zuri", nil)
		future.BirthDate = "2030-01-01"
		if _, err := f.l.CreateWorker(ctx, f.agent, future); !errors.Is(err, derrors.Invalid) {
			t.Fatalf("born in the future: %v", err)
		}
		// Recruiters.
		if _, err := f.l.CreateRecruiter(ctx, f.agent, labour.Recruiter{Name: "Quick Jobs Ltd", Country: "KEN", Certification: "not-certified"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.l.CreateRecruiter(ctx, f.agent, labour.Recruiter{Name: "quick  jobs.", Country: "KEN", Certification: "not-certified"}); !errors.Is(err, derrors.Conflict) {
			t.Fatalf("the same recruiter spelt otherwise: %v", err)
		}
		if _, err := f.l.CreateRecruiter(ctx, f.emp, labour.Recruiter{Name: "Gold Standard", Country: "KEN", Certification: "iris-certified",
			CertifiedUntil: "2030-01-01"}); !errors.Is(err, derrors.Forbidden) {
			t.Fatalf("an employer certifying a recruiter: %v", err)
		}
	})
}

// TestLabourSecondReview pins what a second review found: one accepted
// offer per worker and never more accepted offers than open positions;
// withdrawing a vacancy ends its applications; no shortlist onto a draft;
// a costs rate without its currency is refused; the wage is validated; an
// employer who shortlisted sees only name and contacts; a minimum age; a
// worker's own profile can be updated.
func TestLabourSecondReview(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newLabourFixture(t, e)
		ctx := f.ctx
		one := weldingVacancy()
		one.Positions = 1
		v1, _ := f.l.CreateVacancy(ctx, f.emp, one)
		other := weldingVacancy()
		other.Destination = "CIV"
		v2, err := f.l.CreateVacancy(ctx, f.emp2, other)
		if err != nil {
			t.Fatal(err)
		}
		draft := weldingVacancy()
		draft.Status = labour.VacancyDraft
		v3, _ := f.l.CreateVacancy(ctx, f.emp, draft)
		amina := kenyanWelder("Amina", []int32{1, 2, 3})
		amina.PreferredDestinations = nil
		amina.Notes, amina.BirthDate = "agency notes", "1990-01-01"
		w1, _ := f.l.CreateWorker(ctx, f.agent, amina)
		w2, _ := f.l.CreateWorker(ctx, f.agent, kenyanWelder("Baraka", []int32{1, 2, 3}))
		d1, _ := f.l.CreateDrive(ctx, f.emp, labour.Drive{Name: "Kiel", Vacancies: []int64{v1.ID, v3.ID}})
		d2, _ := f.l.CreateDrive(ctx, f.emp2, labour.Drive{Name: "Abidjan", Vacancies: []int64{v2.ID}})
		if _, err := f.l.Shortlist(ctx, f.emp, d1.ID, []match.Pair{{WorkerID: w2.ID, VacancyID: v3.ID}}, "2026-10-01"); !errors.Is(err, derrors.Conflict) {
			t.Fatalf("shortlist onto a draft: %v", err)
		}
		a1, err := f.l.Shortlist(ctx, f.emp, d1.ID, []match.Pair{{WorkerID: w1.ID, VacancyID: v1.ID}, {WorkerID: w2.ID, VacancyID: v1.ID}}, "2026-10-01")
		if err != nil {
			t.Fatal(err)
		}
		a2, err := f.l.Shortlist(ctx, f.emp2, d2.ID, []match.Pair{{WorkerID: w1.ID, VacancyID: v2.ID}}, "2026-10-01")
		if err != nil {
			t.Fatal(err)
		}
		// Shortlisted by the other employer: name and contacts only.
		got, acc, err := f.l.Worker(ctx, f.emp2, w1.ID)
		if err != nil || acc != store.WorkerShared || got.GivenName != "Amina" || got.Notes != "" || got.BirthDate != "" {
			t.Fatalf("shared view: %v %+v %v", acc, got, err)
		}
		step := func(a labour.Application, p *auth.Principal, stages ...string) (labour.Application, error) {
			var err error
			for _, st := range stages {
				if a, err = f.l.Move(ctx, p, a.ID, a.Version, st, "2026-10-05", ""); err != nil {
					return a, err
				}
			}
			return a, nil
		}
		x, err := step(a1[0], f.emp, labour.StageOffered, labour.StageAccepted)
		if err != nil {
			t.Fatal(err)
		}
		// Amina holds an accepted offer: she cannot accept another; the one
		// position of v1 is taken by her acceptance: Baraka cannot accept.
		if _, err := step(a2[0], f.emp2, labour.StageOffered, labour.StageAccepted); !errors.Is(err, derrors.Conflict) {
			t.Fatalf("a second accepted offer: %v", err)
		}
		if _, err := step(a1[1], f.emp, labour.StageOffered, labour.StageAccepted); !errors.Is(err, derrors.Conflict) {
			t.Fatalf("more accepted offers than positions: %v", err)
		}
		_ = x
		// Withdrawing the vacancy ends its applications.
		cur, _ := f.l.Vacancy(ctx, f.emp, v1.ID)
		if _, err := f.l.SetVacancyStatus(ctx, f.emp, v1.ID, cur.Version, labour.VacancyWithdrawn, -1); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.l.Application(ctx, f.emp, a1[1].ID); got.Stage != labour.StageRejected {
			t.Fatalf("after the vacancy was withdrawn: %s", got.Stage)
		}
		// Costs and wage.
		if _, err := f.l.RecordCost(ctx, f.agent, labour.Cost{WorkerID: w1.ID, Kind: labour.CostTravel, Amount: 50000, Currency: "KES",
			RateToWage: 0.007, PaidTo: "other", Date: "2026-10-01"}); !errors.Is(err, derrors.Invalid) {
			t.Fatalf("a rate without rateTo: %v", err)
		}
		for name, wg := range map[string]store.Wage{
			"currency":    {Destination: "DEU", ISCO: "7212", MonthlyWage: 2500, Currency: "ABC"},
			"isco":        {Destination: "DEU", ISCO: "9999", MonthlyWage: 2500, Currency: "EUR"},
			"destination": {Destination: "KEN", ISCO: "7212", MonthlyWage: 2500, Currency: "KES"},
			"monthlyWage": {Destination: "DEU", ISCO: "7212", MonthlyWage: 1e-9, Currency: "EUR"},
		} {
			wantField(t, f.l.ReportWage(ctx, f.agent, w2.ID, wg), name)
		}
		child := kenyanWelder("Zuri", []int32{1})
		child.BirthDate = "2020-01-01"
		_, err = f.l.CreateWorker(ctx, f.agent, child)
		wantField(t, err, "birthDate")
		// A worker keeps their own profile up to date.
		me := kenyanWelder("Imani", []int32{1})
		me.Consent.RecordedBy = "self"
		mine, err := f.l.CreateWorker(ctx, f.self, me)
		if err != nil {
			t.Fatal(err)
		}
		mine.Skills, mine.Phone = []int32{1, 2}, "+254 700 000000"
		if mine, err = f.l.UpdateWorker(ctx, f.self, mine); err != nil || mine.Version != 2 {
			t.Fatalf("update own profile: %v", err)
		}
		if _, err := f.l.UpdateWorker(ctx, f.self, mine); err != nil {
			t.Fatal(err)
		}
		mine.Version = 1
		if _, err := f.l.UpdateWorker(ctx, f.self, mine); !errors.Is(err, derrors.Conflict) {
			t.Fatalf("stale update: %v", err)
		}
		if _, err := f.l.UpdateWorker(ctx, f.self2, mine); !errors.Is(err, derrors.NotFound) {
			t.Fatalf("another worker's update: %v", err)
		}
	})
}

// Two employers accept the same worker at the same moment: one wins.
func TestLabourConcurrentAcceptance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		f := newLabourFixture(t, e)
		ctx := f.ctx
		v1, _ := f.l.CreateVacancy(ctx, f.emp, weldingVacancy())
		other := weldingVacancy()
		other.Destination = "CIV"
		v2, _ := f.l.CreateVacancy(ctx, f.emp2, other)
		w := kenyanWelder("Amina", []int32{1, 2, 3})
		w.PreferredDestinations = nil
		wk, _ := f.l.CreateWorker(ctx, f.agent, w)
		var apps []labour.Application
		for _, x := range []struct {
			p *auth.Principal
			v int64
		}{{f.emp, v1.ID}, {f.emp2, v2.ID}} {
			d, err := f.l.CreateDrive(ctx, x.p, labour.Drive{Name: "d", Vacancies: []int64{x.v}})
			if err != nil {
				t.Fatal(err)
			}
			as, err := f.l.Shortlist(ctx, x.p, d.ID, []match.Pair{{WorkerID: wk.ID, VacancyID: x.v}}, "2026-10-01")
			if err != nil {
				t.Fatal(err)
			}
			a, err := f.l.Move(ctx, x.p, as[0].ID, as[0].Version, labour.StageOffered, "2026-10-02", "")
			if err != nil {
				t.Fatal(err)
			}
			apps = append(apps, a)
		}
		errs := make(chan error, 2)
		for i, p := range []*auth.Principal{f.emp, f.emp2} {
			go func() {
				_, err := f.l.Move(ctx, p, apps[i].ID, apps[i].Version, labour.StageAccepted, "2026-10-03", "")
				errs <- err
			}()
		}
		ok := 0
		for range 2 {
			if err := <-errs; err == nil {
				ok++
			}
		}
		if ok != 1 {
			t.Fatalf("%d acceptances of one worker at once, want exactly 1", ok)
		}
	})
}
