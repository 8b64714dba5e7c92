package cases

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
)

func TestCaseCheck(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Case)
		field  string // "" = valid
		reason string
	}{
		{"valid trafficking case", func(*Case) {}, "", ""},
		{"unknown kind", func(c *Case) { c.Kind = "asylum" }, "kind", "not one of trafficking, return"},
		{"no person", func(c *Case) { c.PersonID = 0 }, "personId", "required"},
		{"no organisation", func(c *Case) { c.OrgID = 0 }, "orgId", "required"},
		{"negative team", func(c *Case) { c.TeamID = -1 }, "teamId", "not a valid id"},
		{"no owner", func(c *Case) { c.OwnerID = 0 }, "cas_CaseOwner", "required"},
		{"status not HTCDS", func(c *Case) { c.Status = "Open" }, "cas_Status", `"Open" is not one of Active, FollowUp, Closed, ClosedReferred`},
		{"status lower case", func(c *Case) { c.Status = "active" }, "cas_Status", "not one of"},
		{"closed without reason", func(c *Case) { c.Status, c.ClosedOn = StatusClosed, "2024-05-01" }, "cas_ReasonForCaseClosure", "required"},
		{"closed without date", func(c *Case) { c.Status, c.ReasonForClosure = StatusClosed, "Assistance completed" }, "closedOn", "required"},
		{"closed before opened", func(c *Case) {
			c.Status, c.ReasonForClosure, c.ClosedOn = StatusClosed, "done", "2024-02-01"
		}, "closedOn", "not before the case was opened (2024-03-01)"},
		{"closed properly", func(c *Case) { c.Status, c.ReasonForClosure, c.ClosedOn = StatusClosed, "done", "2024-05-01" }, "", ""},
		{"closed referred needs no reason", func(c *Case) { c.Status, c.ClosedOn = StatusClosedReferred, "2024-05-01" }, "", ""},
		{"reason on an open case", func(c *Case) { c.ReasonForClosure = "x" }, "cas_ReasonForCaseClosure", "only when the case is closed"},
		{"closing date on an open case", func(c *Case) { c.ClosedOn = "2024-05-01" }, "closedOn", "only when the case is closed"},
		{"reason with control characters", func(c *Case) {
			c.Status, c.ReasonForClosure, c.ClosedOn = StatusClosed, "done\x00", "2024-05-01"
		}, "cas_ReasonForCaseClosure", "control"},
		{"reason too long", func(c *Case) {
			c.Status, c.ReasonForClosure, c.ClosedOn = StatusClosed, strings.Repeat("x", MaxLongText+1), "2024-05-01"
		}, "cas_ReasonForCaseClosure", "at most 4000"},
		{"opened date missing", func(c *Case) { c.OpenedOn = "" }, "openedOn", "required"},
		{"opened date malformed", func(c *Case) { c.OpenedOn = "01/03/2024" }, "openedOn", "YYYY-MM-DD"},
		{"opened date impossible", func(c *Case) { c.OpenedOn = "2024-02-30" }, "openedOn", "YYYY-MM-DD"},
		{"negative version", func(c *Case) { c.Version = -1 }, "version", "not negative"},
		{"draft closed", func(c *Case) {
			c.Draft, c.Status, c.ReasonForClosure, c.ClosedOn = true, StatusClosed, "x", "2024-05-01"
		}, "draft", "completed before it is closed"},
		{"trafficking details missing", func(c *Case) { c.Trafficking = nil }, "trafficking", "required"},
		{"draft without details", func(c *Case) { c.Draft, c.Trafficking = true, nil }, "", ""},
		{"return details on a trafficking case", func(c *Case) { c.Return = returnCase(StageApplication).Return }, "return", "no return details"},
		{"trafficking status required", func(c *Case) { c.Trafficking.TraffickingStatus = "" }, "trafficking.vic_TraffickingStatus", "required"},
		{"draft may omit trafficking status", func(c *Case) { c.Draft, c.Trafficking.TraffickingStatus = true, "" }, "", ""},
		{"draft values still checked", func(c *Case) { c.Draft, c.Trafficking.MethodsOfControl = true, []string{"Violence"} }, "trafficking.vic_MethodsOfControl", `"Violence" is not one of`},
		{"unknown decision org", func(c *Case) { c.Trafficking.StatusDecisionMakingOrg = "Army" }, "trafficking.vic_TraffickingStatusDecisionMakingOrg", "not one of"},
		{"unknown relationship", func(c *Case) { c.Trafficking.RelationshipToTrafficker = "Unacquainted" }, "trafficking.vic_RelationshipToTrafficker", "not one of"},
		{"age out of range", func(c *Case) { c.Trafficking.AgeWhenTrafficked = intp(130) }, "trafficking.vic_AgeWhenTrafficked", "from 0 to 120"},
		{"repeated method of control", func(c *Case) {
			c.Trafficking.MethodsOfControl = []string{"DebtBondage", "DebtBondage"}
		}, "trafficking.vic_MethodsOfControl", `"DebtBondage" is given twice`},
		{"unknown recruitment method", func(c *Case) { c.Trafficking.MethodOfRecruitment = []string{"Online"} }, "trafficking.vic_MethodOfRecruitment", "not one of"},
		{"unknown app", func(c *Case) { c.Trafficking.RecruitmentWebsitesAndApps = []string{"MySpace"} }, "trafficking.vic_RecruitmentWebsitesAndApps", "not one of"},
		{"exploitation type required for a victim", func(c *Case) {
			c.Trafficking.TypeOfExploitation, c.Trafficking.ForcedLabourIndustry = nil, ""
		}, "trafficking.vic_TypeOfExploitation", "choose at least one"},
		{"no exploitation type for a non-victim", func(c *Case) {
			c.Trafficking.TraffickingStatus = "NotAVictimOfTrafficking"
			c.Trafficking.TypeOfExploitation, c.Trafficking.ForcedLabourIndustry = nil, ""
		}, "", ""},
		{"unknown exploitation type", func(c *Case) { c.Trafficking.TypeOfExploitation = []string{"Slavery"} }, "trafficking.vic_TypeOfExploitation", "not one of"},
		{"industry not ISIC", func(c *Case) { c.Trafficking.ForcedLabourIndustry = "Construction" }, "trafficking.vic_ForcedLabourIndustry", "not one of"},
		{"industry without forced labour", func(c *Case) {
			c.Trafficking.TypeOfExploitation = []string{"SexualExploitation"}
		}, "trafficking.vic_ForcedLabourIndustry", "only when the type of exploitation includes ForcedLabour"},
		{"industry with child labour", func(c *Case) { c.Trafficking.TypeOfExploitation = []string{"ChildLabour"} }, "", ""},
		{"sex exploitation type without sexual exploitation", func(c *Case) {
			c.Trafficking.TypeOfSexExploitation = []string{"Prostitution"}
		}, "trafficking.vic_TypeOfSexExploitation", "only when the type of exploitation includes SexualExploitation"},
		{"sex exploitation type with it", func(c *Case) {
			c.Trafficking.TypeOfExploitation = []string{"ForcedLabour", "SexualExploitation"}
			c.Trafficking.TypeOfSexExploitation = []string{"Prostitution"}
		}, "", ""},
		{"unknown vulnerability", func(c *Case) { c.Trafficking.Vulnerabilities = []string{"Debt"} }, "trafficking.vic_Vulnerabilities", "not one of"},
		{"country of exploitation lower case", func(c *Case) { c.Trafficking.CountryOfExploitation = "lby" }, "trafficking.corridor_CountryOfExploitation", "alpha-3"},
		{"negative duration", func(c *Case) { c.Trafficking.DurationMonths = intp(-1) }, "trafficking.corridor_DurationMonths", "from 0 to 1200"},
		{"perpetrator without role", func(c *Case) { c.Trafficking.Perpetrators[0].Roles = nil }, "trafficking.perpetrators[0].per_RoleInProcess", "choose at least one"},
		{"perpetrator unknown role", func(c *Case) { c.Trafficking.Perpetrators[0].Roles = []string{"Boss"} }, "trafficking.perpetrators[0].per_RoleInProcess", "not one of"},
		{"perpetrator gender", func(c *Case) { c.Trafficking.Perpetrators[0].Gender = "male" }, "trafficking.perpetrators[0].prs_Gender", "not one of"},
		{"event type", func(c *Case) { c.Trafficking.Events[1].Type = "Rescue" }, "trafficking.events[1].hte_Type", "not one of Recruitment, Transit, Exploitation"},
		{"event partial date ok", func(c *Case) { c.Trafficking.Events[1].Date = "2022" }, "", ""},
		{"event date malformed", func(c *Case) { c.Trafficking.Events[1].Date = "2022-13" }, "trafficking.events[1].hte_Date", "YYYY-MM"},
		{"event country required", func(c *Case) { c.Trafficking.Events[0].Country = "" }, "trafficking.events[0].hte_Country", "required"},
		{"event latitude alone", func(c *Case) { lat := 10.0; c.Trafficking.Events[0].Latitude = &lat }, "trafficking.events[0].hte_Latitude", "together"},
		{"event latitude range", func(c *Case) {
			lat, lon := 91.0, 3.0
			c.Trafficking.Events[0].Latitude, c.Trafficking.Events[0].Longitude = &lat, &lon
		}, "trafficking.events[0].hte_Latitude", "from -90 to 90"},
		{"event longitude NaN", func(c *Case) {
			lat, lon := 6.3, math.NaN()
			c.Trafficking.Events[0].Latitude, c.Trafficking.Events[0].Longitude = &lat, &lon
		}, "trafficking.events[0].hte_Longitude", "from -180 to 180"},
		{"support plan type", func(c *Case) { c.Trafficking.SupportPlans[0].Type = "Shelter" }, "trafficking.supportPlans[0].spl_Type", "not one of"},
		{"support plan objectives", func(c *Case) { c.Trafficking.SupportPlans[0].Objectives = " " }, "trafficking.supportPlans[0].spl_Objectives", "required"},
		{"support plan date", func(c *Case) { c.Trafficking.SupportPlans[0].PlannedEndDate = "2024-6-1" }, "trafficking.supportPlans[0].spl_PlannedEndDate", "YYYY-MM-DD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := traffickingCase()
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
			wantErr(t, c.Validate(), derrors.Invalid, ps[0].Field, "")
		})
	}
}

func TestCheckCollectsEveryProblem(t *testing.T) {
	c := traffickingCase()
	c.Kind, c.OwnerID, c.OpenedOn = "x", 0, ""
	ps := c.Check()
	for _, f := range []string{"kind", "cas_CaseOwner", "openedOn"} {
		if ps.Field(f) == nil {
			t.Errorf("no problem reported for %s in %v", f, ps)
		}
	}
	if ps[0].Code == "" || ps[0].Error() != ps[0].Field+": "+ps[0].Msg {
		t.Errorf("field error badly formed: %+v", ps[0])
	}
}

func TestTransition(t *testing.T) {
	accepted := []Referral{{ID: 1, CaseID: 7, Status: ReferralAccepted}}
	requested := []Referral{{ID: 1, CaseID: 7, Status: ReferralRequested}}
	otherCase := []Referral{{ID: 1, CaseID: 99, Status: ReferralAccepted}}
	tests := []struct {
		name        string
		from, to    string
		reason      string
		refs        []Referral
		draft       bool
		kind        error
		field, frag string
	}{
		{name: "active to follow-up", from: StatusActive, to: StatusFollowUp},
		{name: "follow-up back to active", from: StatusFollowUp, to: StatusActive},
		{name: "close with a reason", from: StatusActive, to: StatusClosed, reason: "Assistance completed"},
		{name: "close from follow-up", from: StatusFollowUp, to: StatusClosed, reason: "Lost contact"},
		{name: "close without a reason", from: StatusActive, to: StatusClosed, reason: "  ",
			kind: derrors.Invalid, field: "cas_ReasonForCaseClosure", frag: "required"},
		{name: "closed referred with an accepted referral", from: StatusActive, to: StatusClosedReferred, refs: accepted},
		{name: "closed referred with only a requested referral", from: StatusActive, to: StatusClosedReferred, refs: requested,
			kind: derrors.Conflict, field: "cas_Status", frag: "accepted"},
		{name: "closed referred without referral", from: StatusFollowUp, to: StatusClosedReferred,
			kind: derrors.Conflict, field: "cas_Status", frag: "accepted"},
		{name: "closed referred with another case's referral", from: StatusActive, to: StatusClosedReferred, refs: otherCase,
			kind: derrors.Conflict, field: "cas_Status", frag: "accepted"},
		{name: "reopen", from: StatusClosed, to: StatusActive},
		{name: "reopen a referred case", from: StatusClosedReferred, to: StatusActive},
		{name: "closed to follow-up", from: StatusClosed, to: StatusFollowUp,
			kind: derrors.Conflict, field: "cas_Status", frag: "cannot go from Closed to FollowUp (allowed: Active)"},
		{name: "closed to closed referred", from: StatusClosed, to: StatusClosedReferred, refs: accepted,
			kind: derrors.Conflict, field: "cas_Status", frag: "cannot go from Closed"},
		{name: "same status", from: StatusActive, to: StatusActive, kind: derrors.Conflict, field: "cas_Status", frag: "already Active"},
		{name: "unknown status", from: StatusActive, to: "Archived", kind: derrors.Invalid, field: "cas_Status", frag: "not one of"},
		{name: "draft cannot close", from: StatusActive, to: StatusClosed, reason: "x", draft: true,
			kind: derrors.Conflict, field: "draft", frag: "completed before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := traffickingCase()
			c.Status, c.Draft = tt.from, tt.draft
			if IsClosedStatus(tt.from) {
				c.ReasonForClosure, c.ClosedOn = "earlier closure", "2024-04-01"
			}
			before := c
			err := c.Transition(tt.to, tt.reason, tt.refs, day("2024-06-15"))
			wantErr(t, err, tt.kind, tt.field, tt.frag)
			if err != nil {
				if c.Status != before.Status || c.ReasonForClosure != before.ReasonForClosure || c.ClosedOn != before.ClosedOn {
					t.Errorf("a refused transition changed the case: %+v", c)
				}
				return
			}
			if c.Status != tt.to {
				t.Errorf("status %s, want %s", c.Status, tt.to)
			}
			if IsClosedStatus(tt.to) {
				if c.ClosedOn != "2024-06-15" || c.ReasonForClosure != strings.TrimSpace(tt.reason) {
					t.Errorf("closing recorded %q on %q", c.ReasonForClosure, c.ClosedOn)
				}
			} else if c.ClosedOn != "" || c.ReasonForClosure != "" {
				t.Errorf("open case keeps closure fields: %q %q", c.ReasonForClosure, c.ClosedOn)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("case invalid after the transition: %v", err)
			}
		})
	}
}

func TestTransitionRefusesReturnCases(t *testing.T) {
	c := returnCase(StageCounselling)
	err := c.Transition(StatusClosed, "withdrawn", nil, day("2024-02-01"))
	wantErr(t, err, derrors.Conflict, "cas_Status", "follows its stage")
}

func TestStatusMachine(t *testing.T) {
	for _, from := range CaseStatuses {
		for _, to := range AllowedStatuses(from) {
			if !slices.Contains(CaseStatuses, to) || to == from {
				t.Errorf("%s → %s is not a valid transition target", from, to)
			}
		}
		if IsClosedStatus(from) && !CanTransition(from, StatusActive) {
			t.Errorf("%s cannot be reopened", from)
		}
	}
	if CanTransition(StatusClosed, StatusClosedReferred) || CanTransition("", StatusActive) {
		t.Errorf("unexpected transitions allowed")
	}
	// AllowedStatuses returns a copy.
	AllowedStatuses(StatusActive)[0] = "x"
	if !CanTransition(StatusActive, StatusFollowUp) {
		t.Errorf("AllowedStatuses leaked the table")
	}
}

func TestCheckVersion(t *testing.T) {
	wantErr(t, CheckVersion(4, 4), nil, "", "")
	err := CheckVersion(5, 4)
	wantErr(t, err, derrors.Conflict, "version", "you edited version 4, it is now at version 5")
}

func TestRecordScope(t *testing.T) {
	c := traffickingCase()
	if got := c.Record(); got != (auth.Record{OwnerID: 5, TeamID: 3, OrgID: 2}) {
		t.Errorf("Record() = %+v", got)
	}
}

func TestCaseJSONUsesHTCDSNames(t *testing.T) {
	c := traffickingCase()
	c.Status, c.ReasonForClosure, c.ClosedOn = StatusClosed, "done", "2024-05-01"
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, frag := range []string{`"cas_Status":"Closed"`, `"cas_ReasonForCaseClosure":"done"`, `"cas_CaseOwner":5`,
		`"vic_MethodsOfControl":["DebtBondage","WithholdsDocuments"]`, `"vic_ForcedLabourIndustry":"F_Construction"`,
		`"hte_Type":"Recruitment"`, `"per_RoleInProcess":["RecruiterOrIntermediary"]`, `"spl_Type":"Health"`} {
		if !strings.Contains(s, frag) {
			t.Errorf("JSON lacks %s:\n%s", frag, s)
		}
	}
	var back Case
	if err := json.Unmarshal(b, &back); err != nil || back.Trafficking.ForcedLabourIndustry != "F_Construction" || back.Status != StatusClosed {
		t.Errorf("round trip: %v %+v", err, back)
	}
}

func TestParseStatus(t *testing.T) {
	for in, want := range map[string]string{"Active": StatusActive, "follow-up": StatusFollowUp, "FOLLOW UP": StatusFollowUp,
		" closed ": StatusClosed, "closed_referred": StatusClosedReferred, "ClosedReferred": StatusClosedReferred} {
		got, err := ParseStatus(in)
		if err != nil || got != want {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseStatus("open")
	wantErr(t, err, derrors.Invalid, "status", `"open" is not one of`)
}

func TestFilterValidate(t *testing.T) {
	tests := []struct {
		name  string
		f     Filter
		field string
	}{
		{"defaults", Filter{Limit: 50}, ""},
		{"everything", Filter{Kind: KindReturn, Status: StatusFollowUp, OwnerID: 3, TeamID: 2, OrgID: 1, Nationality: "SEN", Limit: 500, Offset: 1000}, ""},
		{"limit zero", Filter{}, "limit"},
		{"limit too big", Filter{Limit: 501}, "limit"},
		{"negative offset", Filter{Limit: 5, Offset: -1}, "offset"},
		{"bad status", Filter{Limit: 5, Status: "open"}, "status"},
		{"bad kind", Filter{Limit: 5, Kind: "gbv"}, "kind"},
		{"bad nationality", Filter{Limit: 5, Nationality: "SN"}, "nationality"},
		{"negative owner", Filter{Limit: 5, OwnerID: -2}, "ownerId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Validate()
			if tt.field == "" {
				wantErr(t, err, nil, "", "")
				return
			}
			wantErr(t, err, derrors.Invalid, tt.field, "")
		})
	}
}
