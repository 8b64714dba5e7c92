package cases

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

func intp(v int) *int { return &v }

func day(s string) time.Time {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		panic(err)
	}
	return t.Add(10 * time.Hour)
}

// traffickingCase is a complete, valid trafficking case.
func traffickingCase() Case {
	return Case{
		ID: 7, Kind: KindTrafficking, PersonID: 11, OrgID: 2, TeamID: 3, OwnerID: 5,
		Status: StatusActive, OpenedOn: "2024-03-01", Version: 1,
		Trafficking: &Trafficking{
			TraffickingStatus:        "ActualVictimOfTrafficking",
			StatusDecisionMakingOrg:  "NGO",
			RelationshipToTrafficker: "Acquainted",
			AgeWhenTrafficked:        intp(19),
			MethodOfRecruitment:      []string{"ThroughFriendsOrSocialEvents"},
			MethodsOfControl:         []string{"DebtBondage", "WithholdsDocuments"},
			TypeOfExploitation:       []string{"ForcedLabour"},
			ForcedLabourIndustry:     "F_Construction",
			Vulnerabilities:          []string{"Poverty", "Migration"},
			CountryOfExploitation:    "LBY",
			DurationMonths:           intp(14),
			Perpetrators:             []Perpetrator{{Roles: []string{"RecruiterOrIntermediary"}, Gender: "Masculine", Citizenship: "NGA"}},
			Events: []Event{
				{Type: EventRecruitment, Date: "2022-05", Country: "NGA", City: "Benin City"},
				{Type: EventExploitation, Date: "2022-09-14", Country: "LBY", City: "Sabha"},
			},
			SupportPlans: []SupportPlan{{Type: "Health", Objectives: "Treatment and counselling"}},
		},
	}
}

// returnCase is a complete, valid return case in the given stage.
func returnCase(stage string) Case {
	c := Case{
		ID: 9, Kind: KindReturn, PersonID: 12, OrgID: 2, OwnerID: 5, Status: StatusOfStage(stage),
		OpenedOn: "2024-01-10", Version: 3,
		Return: &Return{Stage: stage, ReturnType: "permanent", HostCountry: "NER", OriginCountry: "GIN",
			ApplicationDate: "2024-01-10"},
	}
	if i := indexOf(Stages, stage); i >= indexOf(Stages, StageTravel) {
		c.Return.TravelDate = "2024-02-20"
	}
	if i := indexOf(Stages, stage); i >= indexOf(Stages, StageReception) {
		c.Return.ArrivalDate = "2024-02-20"
	}
	if stage == StageClosed {
		c.ReasonForClosure, c.ClosedOn = "Reintegration completed", "2024-12-01"
	}
	return c
}

func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// wantErr checks an error's kind and that its message names a field
// (the text before the first colon) and contains a fragment.
func wantErr(t *testing.T, err error, kind error, field, fragment string) {
	t.Helper()
	if kind == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want %v naming %q", kind, field)
	}
	if !errors.Is(err, kind) || derrors.Kind(err) != kind {
		t.Fatalf("error %q is %v, want %v", err, derrors.Kind(err), kind)
	}
	msg := derrors.Message(err)
	if field != "" && !strings.HasPrefix(msg, field+":") {
		t.Errorf("error %q does not name the field %q", msg, field)
	}
	if !strings.Contains(msg, fragment) {
		t.Errorf("error %q does not say %q", msg, fragment)
	}
}

// jsonNames returns the JSON names of a struct's fields.
func jsonNames(v any) []string {
	var out []string
	rt := reflect.TypeOf(v)
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}
