package labour

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/field"
)

func vacancy() Vacancy {
	return Vacancy{OrgID: 1, Status: VacancyPublished, Title: "Welder", Destination: "DEU", Place: "Kiel", ISCO: "7212", Sector: "C",
		Positions: 2, Essential: []int32{1, 2}, Optional: []int32{3}, Languages: []Language{{Code: "de", Level: "A2"}}, Education: 3,
		MonthlyWage: 2500, Currency: "EUR", HoursPerWeek: 40, ContractMonths: 24, Housing: "provided-paid",
		Channel: Channel{Kind: "work-visa", Name: "EU Blue Card"}, Fees: FeePolicy{EmployerPays: true}}
}

func firstField(ps field.Problems) string {
	if len(ps) == 0 {
		return ""
	}
	return ps[0].Field
}

func TestVacancyRules(t *testing.T) {
	for _, c := range []struct {
		name    string
		edit    func(*Vacancy)
		check   string // first field of Check, "" = valid
		publish string // first field of Publishable
	}{
		{"valid", func(*Vacancy) {}, "", ""},
		{"fee charged to workers", func(v *Vacancy) { v.Fees = FeePolicy{WorkerFee: 150} }, "", "feePolicy.workerFee"},
		{"employer does not pay", func(v *Vacancy) { v.Fees.EmployerPays = false }, "", "feePolicy.employerPays"},
		{"ISCO not a unit group", func(v *Vacancy) { v.ISCO = "721" }, "isco", "isco"},
		{"unknown language", func(v *Vacancy) { v.Languages = []Language{{Code: "zz", Level: "B1"}} }, "languages[0].code", "languages[0].code"},
		{"bad CEFR level", func(v *Vacancy) { v.Languages = []Language{{Code: "de", Level: "B3"}} }, "languages[0].level", "languages[0].level"},
		{"unknown currency", func(v *Vacancy) { v.Currency = "XXX" }, "currency", "currency"},
		{"skill both essential and optional", func(v *Vacancy) { v.Optional = []int32{2} }, "optionalSkills", "optionalSkills"},
		{"more filled than positions", func(v *Vacancy) { v.Filled = 3 }, "filled", "filled"},
		{"control character in the title", func(v *Vacancy) { v.Title = "Welder\x00" }, "title", "title"},
		{"negative wage", func(v *Vacancy) { v.MonthlyWage = -1 }, "monthlyWage", "monthlyWage"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := vacancy()
			c.edit(&v)
			if got := firstField(v.Check()); got != c.check {
				t.Errorf("Check: %q, want %q", got, c.check)
			}
			if got := firstField(v.Publishable()); got != c.publish {
				t.Errorf("Publishable: %q, want %q", got, c.publish)
			}
		})
	}
}

func TestWorkerConsentRequired(t *testing.T) {
	w := Worker{Status: WorkerActive, GivenName: "Amina", Origin: "KEN", Occupations: []HeldOccupation{{ISCO: "7212"}},
		Consent: Consent{Matching: true, Date: "2026-11-01", RecordedBy: "agency"}}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	w.Consent.Matching = false
	if got := firstField(w.Check()); got != "consent.matching" {
		t.Fatalf("without consent: %q", got)
	}
	w.Consent.Matching, w.PreferredDestinations = true, []string{"KEN"}
	if got := firstField(w.Check()); got != "preferredDestinations[0]" {
		t.Fatalf("origin as destination: %q", got)
	}
}

func TestPipelineMoves(t *testing.T) {
	modules := func(attended bool) []Module {
		var ms []Module
		for _, n := range DefaultModules {
			ms = append(ms, Module{Name: n, Attended: attended})
		}
		return ms
	}
	for _, c := range []struct {
		from, to string
		orient   bool
		kind     error
	}{
		{StageShortlisted, StageInterviewed, false, nil},
		{StageShortlisted, StageOffered, false, nil}, // the interview may be skipped
		{StageShortlisted, StageAccepted, false, derrors.Conflict},
		{StageVisa, StagePreDeparture, false, nil},
		{StagePreDeparture, StageTravel, false, derrors.Conflict}, // orientation not complete
		{StagePreDeparture, StageTravel, true, nil},
		{StageArrived, StagePlaced, true, nil},
		{StageOffered, StageRejected, false, nil},
		{StagePlaced, StageWithdrawn, true, derrors.Conflict}, // ended
		{StageOffered, "hired", false, derrors.Invalid},
	} {
		a := Application{Stage: c.from, Orientation: modules(c.orient)}
		err := CheckMove(a, c.to)
		if c.kind == nil && err != nil || c.kind != nil && !errors.Is(err, c.kind) {
			t.Errorf("%s → %s (orientation %v): %v, want %v", c.from, c.to, c.orient, err, c.kind)
		}
	}
}

// SDG 10.7.1 on fixtures: costs in the wage currency count as they are,
// others through their rate into the wage currency; a cost that cannot be
// converted makes the value unknown, never a guess.
func TestIndicator1071(t *testing.T) {
	costs := []Cost{
		{Kind: CostFee, Amount: 300, Currency: "EUR", RateToWage: 1, RateTo: "EUR"},
		{Kind: CostTravel, Amount: 26000, Currency: "KES", RateToWage: 200.0 / 26000, RateTo: "EUR"},
	}
	total, ratio, ok := Indicator1071(costs, 2500, "EUR")
	if !ok || math.Abs(total-500) > 1e-9 || math.Abs(ratio-0.2) > 1e-12 {
		t.Fatalf("10.7.1 = %g / %g (%v), want 500 / 0.2", total, ratio, ok)
	}
	if _, ratio, ok := Indicator1071(nil, 2000, "EUR"); !ok || ratio != 0 {
		t.Fatalf("no cost: %g %v, want 0", ratio, ok)
	}
	// The wage turned out to be in CAD: the EUR costs have no rate into it.
	if _, ratio, ok := Indicator1071(costs, 3700, "CAD"); ok || !math.IsNaN(ratio) {
		t.Fatalf("unconvertible: %g %v", ratio, ok)
	}
	// A cost in the wage currency with a rate other than 1 is refused.
	c := Cost{Kind: CostTravel, Amount: 100, Currency: "EUR", RateToWage: 0.5, PaidTo: "other", Date: "2026-01-01"}
	if got := firstField(c.Check()); got != "rateToWage" {
		t.Fatalf("same currency, rate 0.5: %q", got)
	}
}

func TestGroupCosts(t *testing.T) {
	obs := []WorkerCost{
		{WorkerID: 1, Origin: "KEN", Destination: "DEU", ISCO: "7212", Ratio: 0.3, PaidFees: true},
		{WorkerID: 2, Origin: "KEN", Destination: "DEU", ISCO: "7212", Ratio: 1.5},
		{WorkerID: 3, Origin: "KEN", Destination: "DEU", ISCO: "5120", Ratio: 0},
		{WorkerID: 4, Origin: "PHL", Destination: "DEU", ISCO: "5120", Ratio: 0.1},
		{WorkerID: 5, Origin: "PHL", Destination: "DEU", ISCO: "5120", Ratio: math.NaN(), Unconverted: true},
	}
	g := GroupCosts(obs, ByCorridor)
	if len(g) != 2 || g[0].Origin != "KEN" || g[0].Workers != 3 || math.Abs(g[0].Mean-0.6) > 1e-12 || g[0].Median != 0.3 || !g[0].Flagged ||
		g[1].Workers != 1 || g[1].Flagged {
		t.Fatalf("by corridor: %+v", g)
	}
	g = GroupCosts(obs, ByOccupation)
	if len(g) != 2 || g[0].ISCO != "7212" || g[0].Mean != 0.9 || g[1].ISCO != "5120" || math.Abs(g[1].Mean-0.05) > 1e-12 {
		t.Fatalf("by occupation: %+v", g)
	}
}

func TestMarket(t *testing.T) {
	demand := []Demand{{Destination: "DEU", ISCO: "2221", Open: 40}, {Destination: "GBR", ISCO: "2221", Open: 30}, {Destination: "DEU", ISCO: "7212", Open: 5}}
	supply := []Supply{{Origin: "KEN", ISCO: "2221", Workers: 50}, {Origin: "KEN", ISCO: "7212", Workers: 100}, {Origin: "DEU", ISCO: "7212", Workers: 3}}
	meetings, risks := Market(demand, supply)
	if len(meetings) != 3 || meetings[0] != (Meeting{Origin: "KEN", Destination: "DEU", ISCO: "2221", Supply: 50, Demand: 40, Potential: 40}) {
		t.Fatalf("meetings: %+v", meetings)
	}
	// Nurses: 70 positions abroad for 50 registered (high); welders 5 for
	// 100 (no risk); German welders: demand only at home (not a corridor).
	if len(risks) != 1 || risks[0].Origin != "KEN" || risks[0].ISCO != "2221" || risks[0].Level != "high" || risks[0].Ratio != 1.4 {
		t.Fatalf("risks: %+v", risks)
	}
}

func TestWorkerCostJSONUnknownRatio(t *testing.T) {
	b, err := json.Marshal(WorkerCost{WorkerID: 1, Ratio: math.NaN(), Unconverted: true})
	if err != nil || !strings.Contains(string(b), `"ratio":null`) || !strings.Contains(string(b), `"unconverted":true`) {
		t.Fatalf("%s %v", b, err)
	}
	b, _ = json.Marshal(WorkerCost{WorkerID: 1, Ratio: 0.25})
	if !strings.Contains(string(b), `"ratio":0.25`) {
		t.Fatalf("%s", b)
	}
}
