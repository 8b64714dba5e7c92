package cases

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
)

func TestReturnCheck(t *testing.T) {
	tests := []struct {
		name   string
		stage  string
		edit   func(*Case)
		field  string
		reason string
	}{
		{"application", StageApplication, func(*Case) {}, "", ""},
		{"monitoring", StageMonitoring, func(c *Case) {
			c.Return.Monitoring = []Monitoring{{Date: "2024-05-20", Economic: 0.4, Social: 0.6, Psychosocial: 0.5}}
		}, "", ""},
		{"closed", StageClosed, func(*Case) {}, "", ""},
		{"unknown stage", StageApplication, func(c *Case) { c.Return.Stage = "deported" }, "return.stage", "not one of"},
		{"return type", StageApplication, func(c *Case) { c.Return.ReturnType = "virtual" }, "return.returnType", "not one of permanent, temporary"},
		{"host country required", StageApplication, func(c *Case) { c.Return.HostCountry = "" }, "return.hostCountry", "required"},
		{"same countries", StageApplication, func(c *Case) { c.Return.OriginCountry = "NER" }, "return.originCountry", "differs from the host country"},
		{"application date", StageApplication, func(c *Case) { c.Return.ApplicationDate = "" }, "return.applicationDate", "required"},
		{"travel before application", StageTravel, func(c *Case) { c.Return.TravelDate = "2023-12-31" }, "return.travelDate", "not before the application"},
		{"arrival before travel", StageReception, func(c *Case) { c.Return.ArrivalDate = "2024-02-19" }, "return.arrivalDate", "not before the travel date"},
		{"travel stage needs a travel date", StageTravel, func(c *Case) { c.Return.TravelDate = "" }, "return.travelDate", "required from the travel stage"},
		{"reception needs an arrival date", StageReception, func(c *Case) { c.Return.ArrivalDate = "" }, "return.arrivalDate", "required from the reception stage"},
		{"draft in travel may lack the date", StageTravel, func(c *Case) { c.Draft, c.Return.TravelDate = true, "" }, "", ""},
		{"status must follow the stage", StageMonitoring, func(c *Case) { c.Status = StatusActive }, "cas_Status", "does not fit the return stage monitoring (expected FollowUp)"},
		{"open status on a closed stage", StageClosed, func(c *Case) { c.Status, c.ReasonForClosure, c.ClosedOn = StatusActive, "", "" }, "cas_Status", "does not fit"},
		{"closed referred on the closed stage", StageClosed, func(c *Case) { c.Status, c.ReasonForClosure = StatusClosedReferred, "" }, "", ""},
		{"trafficking details on a return case", StageApplication, func(c *Case) { c.Trafficking = &Trafficking{} }, "trafficking", "no trafficking details"},
		{"return details missing", StageApplication, func(c *Case) { c.Return = nil }, "return", "required"},
		{"monitoring score above one", StageMonitoring, func(c *Case) {
			c.Return.Monitoring = []Monitoring{{Date: "2024-05-20", Economic: 1.2, Social: 0.6, Psychosocial: 0.5}}
		}, "return.monitoring[0].economic", "from 0 to 1"},
		{"monitoring score NaN", StageMonitoring, func(c *Case) {
			c.Return.Monitoring = []Monitoring{{Date: "2024-05-20", Economic: 0.2, Social: math.NaN(), Psychosocial: 0.5}}
		}, "return.monitoring[0].social", "from 0 to 1"},
		{"monitoring negative", StageMonitoring, func(c *Case) {
			c.Return.Monitoring = []Monitoring{{Date: "2024-05-20", Psychosocial: -0.1}}
		}, "return.monitoring[0].psychosocial", "from 0 to 1"},
		{"monitoring before arrival", StageMonitoring, func(c *Case) {
			c.Return.Monitoring = []Monitoring{{Date: "2024-01-20", Economic: 0.2, Social: 0.2, Psychosocial: 0.2}}
		}, "return.monitoring[0].date", "not before the arrival (2024-02-20)"},
		{"monitoring without date", StageMonitoring, func(c *Case) { c.Return.Monitoring = []Monitoring{{}} }, "return.monitoring[0].date", "required"},
		{"monitoring without arrival", StageCounselling, func(c *Case) {
			c.Return.Monitoring = []Monitoring{{Date: "2024-05-20"}}
		}, "return.monitoring", "after arrival"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := returnCase(tt.stage)
			tt.edit(&c)
			ps := c.Check()
			if tt.field == "" {
				if len(ps) > 0 {
					t.Fatalf("unexpected problems: %v", ps)
				}
				return
			}
			p := ps.Field(tt.field)
			if p == nil {
				t.Fatalf("no problem with %s; got %v", tt.field, ps)
			}
			if !strings.Contains(p.Msg, tt.reason) {
				t.Errorf("%s: %q does not say %q", tt.field, p.Msg, tt.reason)
			}
		})
	}
}

func TestAdvanceStage(t *testing.T) {
	accepted := []Referral{{ID: 4, CaseID: 9, Status: ReferralAccepted}}
	tests := []struct {
		name       string
		from, to   string
		reason     string
		byReferral bool
		refs       []Referral
		edit       func(*Case)
		kind       error
		field      string
		frag       string
		status     string
	}{
		{name: "application to counselling", from: StageApplication, to: StageCounselling, status: StatusActive},
		{name: "counselling to travel documents", from: StageCounselling, to: StageTravelDocuments, status: StatusActive},
		{name: "documents to travel with a date", from: StageTravelDocuments, to: StageTravel, status: StatusActive,
			edit: func(c *Case) { c.Return.TravelDate = "2024-02-20" }},
		{name: "documents to travel without a date", from: StageTravelDocuments, to: StageTravel,
			kind: derrors.Invalid, field: "return.travelDate", frag: "required before the travel stage"},
		{name: "travel back to documents (rebooking)", from: StageTravel, to: StageTravelDocuments, status: StatusActive},
		{name: "travel to reception without arrival", from: StageTravel, to: StageReception,
			kind: derrors.Invalid, field: "return.arrivalDate", frag: "required before the reception stage"},
		{name: "travel to reception", from: StageTravel, to: StageReception, status: StatusActive,
			edit: func(c *Case) { c.Return.ArrivalDate = "2024-02-21" }},
		{name: "reception to assistance", from: StageReception, to: StageReintegrationAssistance, status: StatusActive},
		{name: "reception straight to monitoring", from: StageReception, to: StageMonitoring, status: StatusFollowUp},
		{name: "assistance to monitoring is follow-up", from: StageReintegrationAssistance, to: StageMonitoring, status: StatusFollowUp},
		{name: "monitoring back to assistance is active", from: StageMonitoring, to: StageReintegrationAssistance, status: StatusActive},
		{name: "monitoring to closed", from: StageMonitoring, to: StageClosed, reason: "Monitoring completed", status: StatusClosed},
		{name: "withdrawn application", from: StageApplication, to: StageClosed, reason: "Applicant withdrew", status: StatusClosed},
		{name: "closed without reason", from: StageMonitoring, to: StageClosed,
			kind: derrors.Invalid, field: "cas_ReasonForCaseClosure", frag: "required"},
		{name: "closed by referral", from: StageReintegrationAssistance, to: StageClosed, byReferral: true, refs: accepted, status: StatusClosedReferred},
		{name: "closed by referral without one", from: StageReintegrationAssistance, to: StageClosed, byReferral: true,
			kind: derrors.Conflict, field: "cas_Status", frag: "accepted"},
		{name: "skipping travel", from: StageCounselling, to: StageReception,
			kind: derrors.Conflict, field: "return.stage", frag: "cannot go from counselling to reception (allowed: travelDocuments, closed)"},
		{name: "closed is final", from: StageClosed, to: StageMonitoring,
			kind: derrors.Conflict, field: "return.stage", frag: "a closed return case is final"},
		{name: "unknown stage", from: StageApplication, to: "boarding", kind: derrors.Invalid, field: "return.stage", frag: "not one of"},
		{name: "draft cannot close", from: StageApplication, to: StageClosed, reason: "x", edit: func(c *Case) { c.Draft = true },
			kind: derrors.Conflict, field: "draft", frag: "completed before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := returnCase(tt.from)
			if tt.edit != nil {
				tt.edit(&c)
			}
			before, beforeReturn := c, *c.Return
			err := c.AdvanceStage(tt.to, tt.reason, tt.byReferral, tt.refs, day("2024-07-01"))
			wantErr(t, err, tt.kind, tt.field, tt.frag)
			if err != nil {
				if c.Status != before.Status || c.Return.Stage != beforeReturn.Stage {
					t.Errorf("a refused move changed the case: %s/%s", c.Status, c.Return.Stage)
				}
				return
			}
			if c.Return.Stage != tt.to || c.Status != tt.status {
				t.Errorf("stage %s status %s, want %s %s", c.Return.Stage, c.Status, tt.to, tt.status)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("case invalid after the move: %v", err)
			}
		})
	}
	tc := traffickingCase()
	wantErr(t, tc.AdvanceStage(StageCounselling, "", false, nil, day("2024-01-01")), derrors.Conflict, "return.stage", "only a return case")
}

// TestStageMachine checks the shape of the stage graph: every stage is
// reachable from application, closed is reachable from every stage, and
// moves only go to known stages.
func TestStageMachine(t *testing.T) {
	reached := map[string]bool{StageApplication: true}
	queue := []string{StageApplication}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, n := range AllowedStages(s) {
			if !slices.Contains(Stages, n) {
				t.Errorf("%s → unknown stage %s", s, n)
			}
			if !reached[n] {
				reached[n] = true
				queue = append(queue, n)
			}
		}
	}
	for _, s := range Stages {
		if !reached[s] {
			t.Errorf("stage %s is unreachable from application", s)
		}
		if s != StageClosed && !CanAdvance(s, StageClosed) {
			t.Errorf("stage %s cannot be closed", s)
		}
	}
	// The forward path is the documented order.
	for i := range len(Stages) - 1 {
		if !CanAdvance(Stages[i], Stages[i+1]) {
			t.Errorf("%s → %s (the next stage) not allowed", Stages[i], Stages[i+1])
		}
	}
	if len(AllowedStages(StageClosed)) != 0 {
		t.Errorf("closed is not final")
	}
}

func TestComposite(t *testing.T) {
	m := Monitoring{Economic: 0.3, Social: 0.6, Psychosocial: 0.9}
	tests := []struct {
		name string
		w    Weights
		want float64
	}{
		{"equal weights", EqualWeights, 0.6},
		{"unnormalised equal", Weights{1, 1, 1}, 0.6},
		{"economic only", Weights{1, 0, 0}, 0.3},
		{"psychosocial heavier", Weights{0.25, 0.25, 0.5}, 0.675},
		{"zero weights", Weights{}, math.NaN()},
		{"negative weight", Weights{-1, 1, 1}, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.Composite(tt.w)
			if math.IsNaN(tt.want) {
				if !math.IsNaN(got) {
					t.Errorf("Composite = %v, want NaN", got)
				}
				return
			}
			if math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("Composite = %v, want %v", got, tt.want)
			}
		})
	}
	// The composite of scores on the 0–1 scale stays on it.
	for _, x := range []Monitoring{{}, {Economic: 1, Social: 1, Psychosocial: 1}} {
		if c := x.Composite(Weights{2, 3, 5}); c < 0 || c > 1 {
			t.Errorf("composite %v off the 0–1 scale", c)
		}
	}
}

func TestTrajectoryAndChange(t *testing.T) {
	ms := []Monitoring{
		{ID: 3, Date: "2024-11-02", Economic: 0.6, Social: 0.7, Psychosocial: 0.8},
		{ID: 1, Date: "2024-03-01", Economic: 0.2, Social: 0.4, Psychosocial: 0.3},
		{ID: 2, Date: "2024-06-15", Economic: 0.4, Social: 0.5, Psychosocial: 0.6},
	}
	pts := Trajectory(ms, EqualWeights)
	dates := []string{pts[0].Date, pts[1].Date, pts[2].Date}
	if !slices.Equal(dates, []string{"2024-03-01", "2024-06-15", "2024-11-02"}) {
		t.Fatalf("order %v", dates)
	}
	if math.Abs(pts[0].Composite-0.3) > 1e-12 || math.Abs(pts[2].Composite-0.7) > 1e-12 {
		t.Errorf("composites %v %v", pts[0].Composite, pts[2].Composite)
	}
	if ms[0].ID != 3 {
		t.Errorf("Trajectory reordered its input")
	}
	d, ok := Change(pts)
	if !ok || math.Abs(d.Economic-0.4) > 1e-12 || math.Abs(d.Composite-0.4) > 1e-12 || d.Date != "2024-11-02" {
		t.Errorf("Change = %+v, %v", d, ok)
	}
	if _, ok := Change(pts[:1]); ok {
		t.Errorf("Change of one point should not be ok")
	}
}
