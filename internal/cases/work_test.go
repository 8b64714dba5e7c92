package cases

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

func TestTaskOverdue(t *testing.T) {
	nairobi := time.FixedZone("EAT", 3*3600)
	tests := []struct {
		name string
		task Task
		now  time.Time
		want bool
	}{
		{"due today is not overdue", Task{Due: "2024-06-15"}, day("2024-06-15"), false},
		{"due yesterday is overdue", Task{Due: "2024-06-14"}, day("2024-06-15"), true},
		{"due tomorrow", Task{Due: "2024-06-16"}, day("2024-06-15"), false},
		{"done tasks are never overdue", Task{Due: "2024-01-01", DoneOn: "2024-01-05"}, day("2024-06-15"), false},
		{"the worker's day counts: 22:30 UTC is already tomorrow in Nairobi",
			Task{Due: "2024-06-15"}, time.Date(2024, 6, 15, 22, 30, 0, 0, time.UTC).In(nairobi), true},
		{"same instant in UTC is still the due day", Task{Due: "2024-06-15"}, time.Date(2024, 6, 15, 22, 30, 0, 0, time.UTC), false},
		{"midnight starts the next day", Task{Due: "2024-06-15"}, time.Date(2024, 6, 16, 0, 0, 0, 0, time.UTC), true},
		{"unreadable due date", Task{Due: "soon"}, day("2024-06-15"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.task.Overdue(tt.now); got != tt.want {
				t.Errorf("Overdue = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOverdueTasks(t *testing.T) {
	tasks := []Task{
		{ID: 1, Due: "2024-06-10"},
		{ID: 2, Due: "2024-06-01", DoneOn: "2024-06-02"},
		{ID: 3, Due: "2024-05-30"},
		{ID: 4, Due: "2024-06-20"},
		{ID: 5, Due: "2024-06-10"},
	}
	got := OverdueTasks(tasks, day("2024-06-15"))
	var ids []int64
	for _, t := range got {
		ids = append(ids, t.ID)
	}
	if !slices.Equal(ids, []int64{3, 1, 5}) {
		t.Errorf("overdue %v, want [3 1 5]", ids)
	}
}

func TestTaskCommentServiceCheck(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		field string
	}{
		{"valid task", Task{Title: "Call back", Due: "2024-06-20", AssigneeID: 5}.Validate(), ""},
		{"task without title", Task{Due: "2024-06-20", AssigneeID: 5}.Validate(), "title"},
		{"task without due date", Task{Title: "Call", AssigneeID: 5}.Validate(), "due"},
		{"task with a bad due date", Task{Title: "Call", Due: "20/06/2024", AssigneeID: 5}.Validate(), "due"},
		{"task without assignee", Task{Title: "Call", Due: "2024-06-20"}.Validate(), "assigneeId"},
		{"task with a multi-line title", Task{Title: "Call\nback", Due: "2024-06-20", AssigneeID: 5}.Validate(), "title"},
		{"valid comment", Comment{Body: "Met the person at the shelter.\nStable.", AuthorID: 5}.Validate(), ""},
		{"empty comment", Comment{Body: "  ", AuthorID: 5}.Validate(), "cco_CaseComment"},
		{"comment with invisible characters", Comment{Body: "a\u200bb", AuthorID: 5}.Validate(), "cco_CaseComment"},
		{"comment without author", Comment{Body: "x"}.Validate(), "authorId"},
		{"valid service", Service{Type: "Shelter", Date: "2024-06-01", ProviderOrgID: 2, RecordedBy: 5}.Validate(), ""},
		{"unknown service", Service{Type: "Housing", Date: "2024-06-01", ProviderOrgID: 2, RecordedBy: 5}.Validate(), "type"},
		{"service without date", Service{Type: "Legal", ProviderOrgID: 2, RecordedBy: 5}.Validate(), "date"},
		{"service without provider", Service{Type: "Legal", Date: "2024-06-01", RecordedBy: 5}.Validate(), "providerOrgId"},
		{"valid consent", Consent{Type: ConsentReferral, Given: true, Date: "2024-06-01", PersonID: 11, RecordedBy: 5}.Validate(), ""},
		{"consent type", Consent{Type: "photos", Date: "2024-06-01", PersonID: 11, RecordedBy: 5}.Validate(), "type"},
		{"consent date", Consent{Type: ConsentStatistics, PersonID: 11, RecordedBy: 5}.Validate(), "date"},
		{"consent recorder", Consent{Type: ConsentStatistics, Date: "2024-06-01", PersonID: 11}.Validate(), "recordedBy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.field == "" {
				wantErr(t, tt.err, nil, "", "")
			} else {
				wantErr(t, tt.err, derrors.Invalid, tt.field, "")
			}
		})
	}
	// The services are all in the list.
	for _, s := range []string{"Shelter", "Medical", "Psychosocial", "Legal", "Return", "Reintegration"} {
		if !slices.Contains(ServiceTypes, s) {
			t.Errorf("service type %s missing", s)
		}
	}
}

func TestLatestConsent(t *testing.T) {
	cs := []Consent{
		{ID: 1, Type: ConsentReferral, Given: true, Date: "2024-01-10"},
		{ID: 2, Type: ConsentStatistics, Given: true, Date: "2024-01-10"},
		{ID: 3, Type: ConsentReferral, Given: false, Date: "2024-03-01"},
		{ID: 4, Type: ConsentReferral, Given: true, Date: "2024-05-01"},
		{ID: 5, Type: ConsentStatistics, Given: false, Date: "2024-05-01"},
		{ID: 6, Type: ConsentStatistics, Given: true, Date: "2024-05-01"}, // same day, recorded later: wins
	}
	tests := []struct {
		typ, date string
		wantID    int64
		given     bool
	}{
		{ConsentReferral, "2024-01-09", 0, false},
		{ConsentReferral, "2024-01-10", 1, true},
		{ConsentReferral, "2024-02-15", 1, true},
		{ConsentReferral, "2024-03-01", 3, false},
		{ConsentReferral, "2024-04-30", 3, false},
		{ConsentReferral, "2024-12-31", 4, true},
		{ConsentStatistics, "2024-05-01", 6, true},
		{ConsentAssistance, "2024-12-31", 0, false},
	}
	for _, tt := range tests {
		c, ok := LatestConsent(cs, tt.typ, tt.date)
		if c.ID != tt.wantID || ok != (tt.wantID != 0) {
			t.Errorf("LatestConsent(%s, %s) = %d %v, want %d", tt.typ, tt.date, c.ID, ok, tt.wantID)
		}
		if got := HasConsent(cs, tt.typ, tt.date); got != tt.given {
			t.Errorf("HasConsent(%s, %s) = %v, want %v", tt.typ, tt.date, got, tt.given)
		}
	}
	if !UsableForStatistics(cs, "2024-02-01") || UsableForStatistics(cs[2:5], "2024-06-01") {
		t.Errorf("UsableForStatistics wrong")
	}
}

func TestRequireReferralConsent(t *testing.T) {
	given := Consent{ID: 21, PersonID: 11, Type: ConsentReferral, Given: true, Date: "2024-03-01"}
	withdrawn := Consent{ID: 22, PersonID: 11, Type: ConsentReferral, Given: false, Date: "2024-04-01"}
	tests := []struct {
		name     string
		consents []Consent
		at       string
		wantID   int64
		frag     string
	}{
		{"no consent at all", nil, "2024-03-05", 0, "has not been recorded"},
		{"only assistance consent", []Consent{{ID: 1, PersonID: 11, Type: ConsentAssistance, Given: true, Date: "2024-01-01"}}, "2024-03-05", 0, "has not been recorded"},
		{"another person's consent", []Consent{{ID: 2, PersonID: 99, Type: ConsentReferral, Given: true, Date: "2024-01-01"}}, "2024-03-05", 0, "has not been recorded"},
		{"consent recorded after the referral date", []Consent{given}, "2024-02-28", 0, "has not been recorded"},
		{"consent given", []Consent{given}, "2024-03-05", 21, ""},
		{"consent given the same day", []Consent{given}, "2024-03-01", 21, ""},
		{"consent withdrawn", []Consent{given, withdrawn}, "2024-04-02", 0, "withdrew or refused consent to referral on 2024-04-01"},
		{"referral before the withdrawal", []Consent{withdrawn, given}, "2024-03-20", 21, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := RequireReferralConsent(tt.consents, 11, day(tt.at))
			if tt.wantID == 0 {
				wantErr(t, err, derrors.Conflict, "consent", tt.frag)
				return
			}
			wantErr(t, err, nil, "", "")
			if c.ID != tt.wantID {
				t.Errorf("consent %d, want %d", c.ID, tt.wantID)
			}
		})
	}
}

func TestNewReferral(t *testing.T) {
	consents := []Consent{{ID: 21, PersonID: 11, Type: ConsentReferral, Given: true, Date: "2024-03-01"}}
	c := traffickingCase()
	r, err := NewReferral(c, consents, 40, "AdditionalServicesRequired", " Legal aid ", 5, day("2024-03-05"))
	wantErr(t, err, nil, "", "")
	want := Referral{CaseID: 7, FromOrgID: 2, ToOrgID: 40, Reason: "AdditionalServicesRequired", Date: "2024-03-05",
		Details: "Legal aid", Status: ReferralRequested, ConsentID: 21, RequestedBy: 5}
	if r != want {
		t.Errorf("referral %+v\nwant     %+v", r, want)
	}

	tests := []struct {
		name     string
		edit     func(*Case)
		consents []Consent
		toOrg    int64
		reason   string
		details  string
		kind     error
		field    string
	}{
		{name: "without consent", consents: nil, toOrg: 40, reason: "Other", details: "x", kind: derrors.Conflict, field: "consent"},
		{name: "to its own organisation", consents: consents, toOrg: 2, reason: "Other", details: "x", kind: derrors.Invalid, field: "cas_ReferredOrganisation"},
		{name: "no organisation", consents: consents, toOrg: 0, reason: "Other", details: "x", kind: derrors.Invalid, field: "cas_ReferredOrganisation"},
		{name: "reason not HTCDS", consents: consents, toOrg: 40, reason: "Medical", kind: derrors.Invalid, field: "cas_ReasonForOutgoingReferral"},
		{name: "other needs details", consents: consents, toOrg: 40, reason: "Other", kind: derrors.Invalid, field: "cas_OutgoingReferralDetails"},
		{name: "closed case", edit: func(c *Case) { c.Status, c.ReasonForClosure, c.ClosedOn = StatusClosed, "x", "2024-03-02" },
			consents: consents, toOrg: 40, reason: "Other", details: "x", kind: derrors.Conflict, field: "cas_Status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := traffickingCase()
			if tt.edit != nil {
				tt.edit(&c)
			}
			_, err := NewReferral(c, tt.consents, tt.toOrg, tt.reason, tt.details, 5, day("2024-03-05"))
			wantErr(t, err, tt.kind, tt.field, "")
		})
	}
}

func TestReferralDecide(t *testing.T) {
	at := day("2024-03-10")
	tests := []struct {
		name     string
		from, to string
		note     string
		kind     error
		field    string
	}{
		{name: "accept", from: ReferralRequested, to: ReferralAccepted},
		{name: "decline with a reason", from: ReferralRequested, to: ReferralDeclined, note: "No capacity"},
		{name: "decline without a reason", from: ReferralRequested, to: ReferralDeclined, kind: derrors.Invalid, field: "note"},
		{name: "revoke a request", from: ReferralRequested, to: ReferralRevoked, note: "Sent in error"},
		{name: "revoke an accepted referral", from: ReferralAccepted, to: ReferralRevoked, note: "Person moved"},
		{name: "accept twice", from: ReferralAccepted, to: ReferralAccepted, kind: derrors.Conflict, field: "status"},
		{name: "accept a declined referral", from: ReferralDeclined, to: ReferralAccepted, kind: derrors.Conflict, field: "status"},
		{name: "accept a revoked referral", from: ReferralRevoked, to: ReferralAccepted, kind: derrors.Conflict, field: "status"},
		{name: "decline an accepted referral", from: ReferralAccepted, to: ReferralDeclined, note: "x", kind: derrors.Conflict, field: "status"},
		{name: "back to requested", from: ReferralAccepted, to: ReferralRequested, kind: derrors.Invalid, field: "status"},
		{name: "unknown", from: ReferralRequested, to: "approved", kind: derrors.Invalid, field: "status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Referral{ID: 3, Status: tt.from}
			err := r.Decide(tt.to, 8, at, tt.note)
			wantErr(t, err, tt.kind, tt.field, "")
			if err != nil {
				if r.Status != tt.from || r.DecidedBy != 0 {
					t.Errorf("a refused decision changed the referral: %+v", r)
				}
				return
			}
			if r.Status != tt.to || r.DecidedBy != 8 || !r.DecidedAt.Equal(at) || r.Note != tt.note {
				t.Errorf("referral after decision: %+v", r)
			}
		})
	}
}

// TestReferralGrantsAccess covers the access rule of the issue: the
// receiving organisation sees the case only once consent is recorded and
// the referral accepted, and loses it on revocation or withdrawal.
func TestReferralGrantsAccess(t *testing.T) {
	consent := Consent{ID: 21, PersonID: 11, Type: ConsentReferral, Given: true, Date: "2024-03-01"}
	withdrawal := Consent{ID: 22, PersonID: 11, Type: ConsentReferral, Given: false, Date: "2024-05-01"}
	ref := func(status string) Referral {
		return Referral{ID: 3, CaseID: 7, FromOrgID: 2, ToOrgID: 40, Status: status}
	}
	tests := []struct {
		name     string
		r        Referral
		consents []Consent
		org      int64
		at       string
		want     bool
	}{
		{"requested, not yet accepted", ref(ReferralRequested), []Consent{consent}, 40, "2024-03-10", false},
		{"accepted with consent", ref(ReferralAccepted), []Consent{consent}, 40, "2024-03-10", true},
		{"accepted, other organisation", ref(ReferralAccepted), []Consent{consent}, 41, "2024-03-10", false},
		{"accepted, no organisation", ref(ReferralAccepted), []Consent{consent}, 0, "2024-03-10", false},
		{"accepted but no consent recorded", ref(ReferralAccepted), nil, 40, "2024-03-10", false},
		{"declined", ref(ReferralDeclined), []Consent{consent}, 40, "2024-03-10", false},
		{"revoked", ref(ReferralRevoked), []Consent{consent}, 40, "2024-03-10", false},
		{"consent withdrawn later", ref(ReferralAccepted), []Consent{consent, withdrawal}, 40, "2024-05-02", false},
		{"before the withdrawal", ref(ReferralAccepted), []Consent{consent, withdrawal}, 40, "2024-04-30", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReferralGrantsAccess(tt.r, tt.consents, 11, tt.org, day(tt.at)); got != tt.want {
				t.Errorf("ReferralGrantsAccess = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReferralCheckNamesHTCDSFields(t *testing.T) {
	ps := Referral{}.Check()
	for _, f := range []string{"cas_ReferringOrganisation", "cas_ReferredOrganisation", "cas_ReasonForOutgoingReferral",
		"cas_OutgoingReferralDate", "status", "consentId", "requestedBy"} {
		if p := ps.Field(f); p == nil || !strings.Contains(p.Msg, "required") {
			t.Errorf("%s: %v", f, p)
		}
	}
}
