package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/people"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
	"github.com/xuri/excelize/v2"
)

// caseApp is the real stack with case-work users: in the test app's
// organisation (a ministry), team T1 with case workers w1 and w2 and
// supervisor sup, and case worker w3 of team T2; organisation B (a
// shelter) with case worker wb. Sessions are keyed by those names.
type caseApp struct {
	*testApp
	orgB  int64
	ids   map[string]int64
	teams map[string]int64
}

func newCaseApp(t *testing.T, dsn string) *caseApp {
	t.Helper()
	ctx := context.Background()
	app := &caseApp{testApp: newTestApp(t, dsn), ids: map[string]int64{}, teams: map[string]int64{}}
	acc := app.db.Accounts()
	err := app.db.InTx(ctx, func(tx *store.Tx) error {
		b, err := acc.CreateOrg(ctx, tx, auth.Org{Name: "Shelter B", Kind: "ngo", Country: "SEN"})
		if err != nil {
			return err
		}
		app.orgB = b.ID
		for _, tm := range []struct {
			name string
			org  int64
		}{{"T1", app.orgID}, {"T2", app.orgID}, {"B1", b.ID}} {
			team, err := acc.CreateTeam(ctx, tx, auth.Team{OrgID: tm.org, Name: "Team " + tm.name})
			if err != nil {
				return err
			}
			app.teams[tm.name] = team.ID
		}
		for _, u := range []struct{ name, team, role string }{
			{"w1", "T1", auth.RoleCaseWorker}, {"w2", "T1", auth.RoleCaseWorker}, {"sup", "T1", auth.RoleCaseSupervisor},
			{"w3", "T2", auth.RoleCaseWorker}, {"wb", "B1", auth.RoleCaseWorker},
		} {
			org := app.orgID
			if u.team == "B1" {
				org = b.ID
			}
			created, err := acc.CreateUser(ctx, tx, auth.User{Username: "cw-" + u.name, FullName: "Case user " + u.name, OrgID: org,
				TeamIDs: []int64{app.teams[u.team]}, Roles: []string{u.role}}, goodPassword)
			if err != nil {
				return err
			}
			app.ids[u.name] = created.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"w1", "w2", "sup", "w3", "wb"} {
		app.sessions[name] = app.session(t, "cw-"+name)
	}
	return app
}

func (a *caseApp) call(t *testing.T, who, method, path string, body any, want int) []byte {
	t.Helper()
	s := ""
	switch b := body.(type) {
	case nil:
	case string:
		s = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		s = string(j)
	}
	rec := a.do(t, who, method, path, s)
	if rec.Code != want {
		t.Fatalf("%s %s as %q: %d, want %d: %s", method, path, who, rec.Code, want, rec.Body)
	}
	return rec.Body.Bytes()
}

func decodeInto(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

// intakeBody is a new person with a counter-trafficking case.
func intakeBody(given, family, birth string) map[string]any {
	return map[string]any{
		"person": people.Person{GivenName: given, FamilyName: family, BirthDate: birth, Sex: "female", Nationality: "SEN", DocumentType: "none"},
		"case": cases.Case{Kind: cases.KindTrafficking, OpenedOn: "2024-03-01", Trafficking: &cases.Trafficking{
			TraffickingStatus: "ActualVictimOfTrafficking", TypeOfExploitation: []string{"ForcedLabour"}, ForcedLabourIndustry: "F_Construction",
			MethodsOfControl: []string{"DebtBondage"}, DetailsOfVulnerabilities: "=HYPERLINK(\"http://evil.example\")",
			Events: []cases.Event{{Type: cases.EventRecruitment, Date: "2022-05", Country: "SEN", City: "Dakar"}}}},
	}
}

// TestCaseWorkThroughTheAPI walks the rules of issue 5 through the real
// stack on both engines: scope, duplicate warning at intake, optimistic
// concurrency, consent-gated referrals and their revocation, the export
// and its audit, and refusals.
func TestCaseWorkThroughTheAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		app := newCaseApp(t, e.DSN)
		type created struct {
			Case               cases.Case    `json:"case"`
			Person             people.Person `json:"person"`
			PossibleDuplicates []struct {
				PersonID    int64   `json:"personId"`
				Score       float64 `json:"score"`
				Explanation string  `json:"explanation"`
			} `json:"possibleDuplicates"`
			DuplicateCheck string `json:"duplicateCheck"`
		}

		// Intake by w1; the same woman registered again with a misspelt
		// name and the same date of birth is flagged, not merged.
		var first, again created
		decodeInto(t, app.call(t, "w1", "POST", "/api/v1/cases", intakeBody("Aminata", "Diallo", "1998-04-12"), 201), &first)
		if first.Case.ID == 0 || first.Case.Version != 1 || first.Case.OwnerID != app.ids["w1"] || first.Case.TeamID != app.teams["T1"] ||
			first.Case.Status != cases.StatusActive || first.DuplicateCheck != "done" || len(first.PossibleDuplicates) != 0 {
			t.Fatalf("first intake: %+v", first)
		}
		decodeInto(t, app.call(t, "w1", "POST", "/api/v1/cases", intakeBody("Aminatta", "Dialo", "1998-04-12"), 201), &again)
		if len(again.PossibleDuplicates) != 1 || again.PossibleDuplicates[0].PersonID != first.Person.ID ||
			!strings.Contains(again.PossibleDuplicates[0].Explanation, "date of birth") {
			t.Fatalf("re-registration: duplicates %+v, want person %d with an explanation", again.PossibleDuplicates, first.Person.ID)
		}
		t.Logf("duplicate at intake: person %d, score %.3f (%s)", first.Person.ID, again.PossibleDuplicates[0].Score, again.PossibleDuplicates[0].Explanation)
		base := "/api/v1/cases/" + strconv.FormatInt(first.Case.ID, 10)

		// Scope: another worker of the team does not see it, the team's
		// supervisor does.
		app.call(t, "w2", "GET", base, nil, 404)
		var page cases.Page
		decodeInto(t, app.call(t, "w2", "GET", "/api/v1/cases", nil, 200), &page)
		if page.Total != 0 {
			t.Errorf("w2 lists %d cases", page.Total)
		}
		var got cases.Case
		decodeInto(t, app.call(t, "sup", "GET", base, nil, 200), &got)
		if got.ID != first.Case.ID || got.Trafficking == nil || got.Trafficking.MethodsOfControl[0] != "DebtBondage" {
			t.Errorf("supervisor reads %+v", got)
		}
		var w2case created
		decodeInto(t, app.call(t, "w2", "POST", "/api/v1/cases", intakeBody("Fatou", "Ndiaye", "2001-09-30"), 201), &w2case)
		decodeInto(t, app.call(t, "sup", "GET", "/api/v1/cases?limit=2", nil, 200), &page)
		if page.Total != 3 || len(page.Items) != 2 || page.Next == 0 {
			t.Errorf("supervisor's first page: %+v", page)
		}
		var page2 cases.Page
		decodeInto(t, app.call(t, "sup", "GET", "/api/v1/cases?limit=2&after="+strconv.FormatInt(page.Next, 10), nil, 200), &page2)
		if len(page2.Items) != 1 || page2.Next != 0 || page2.Items[0].CaseID != first.Case.ID {
			t.Errorf("supervisor's second page: %+v", page2)
		}
		app.call(t, "sup", "GET", "/api/v1/cases?statuss=Active", nil, 400)
		app.call(t, "sup", "GET", "/api/v1/cases?status=Open", nil, 400)
		decodeInto(t, app.call(t, "sup", "GET", "/api/v1/cases?status=follow-up", nil, 200), &page)
		if page.Total != 0 {
			t.Errorf("follow-up cases: %d", page.Total)
		}
		app.call(t, "w3", "GET", base, nil, 404)

		// Optimistic concurrency: a stale PATCH is refused, naming the
		// current version, and nothing changes.
		decodeInto(t, app.call(t, "w1", "PATCH", base, `{"version":1,"openedOn":"2024-02-28"}`, 200), &got)
		if got.Version != 2 || got.OpenedOn != "2024-02-28" {
			t.Errorf("after PATCH: %+v", got)
		}
		var prob struct {
			Detail string `json:"detail"`
			Param  string `json:"param"`
		}
		decodeInto(t, app.call(t, "w1", "PATCH", base, `{"version":1,"openedOn":"2020-01-01"}`, 409), &prob)
		if !strings.Contains(prob.Detail, "now at version 2") {
			t.Errorf("409 detail %q does not name the current version", prob.Detail)
		}
		decodeInto(t, app.call(t, "w1", "GET", base, nil, 200), &got)
		if got.Version != 2 || got.OpenedOn != "2024-02-28" {
			t.Errorf("after the stale PATCH: version %d, openedOn %s", got.Version, got.OpenedOn)
		}
		decodeInto(t, app.call(t, "w1", "PATCH", base, `{"openedOn":"2020-01-01"}`, 400), &prob)
		if prob.Param != "version" {
			t.Errorf("PATCH without version: param %q", prob.Param)
		}
		app.call(t, "w2", "PATCH", base, `{"version":2,"openedOn":"2020-01-01"}`, 404)

		// Referral to organisation B: refused without consent, then
		// requested, accepted by B (whose worker can then read the case
		// and add work), revoked by the referring side (access ends).
		refer := map[string]any{"toOrgId": app.orgB, "cas_ReasonForOutgoingReferral": "AdditionalServicesRequired",
			"cas_OutgoingReferralDetails": "Needs shelter in Dakar"}
		app.call(t, "w1", "POST", base+"/referrals", refer, 409)
		today := time.Now().UTC().Format("2006-01-02")
		app.call(t, "w1", "POST", base+"/consents", map[string]any{"type": "referral", "con_Consent": true, "date": today}, 201)
		var ref cases.Referral
		decodeInto(t, app.call(t, "w1", "POST", base+"/referrals", refer, 201), &ref)
		if ref.Status != cases.ReferralRequested || ref.ToOrgID != app.orgB {
			t.Fatalf("referral %+v", ref)
		}
		rbase := base + "/referrals/" + strconv.FormatInt(ref.ID, 10) + "/decision"
		app.call(t, "wb", "GET", base, nil, 404) // requested, not yet accepted
		app.call(t, "w1", "POST", rbase, `{"decision":"accept"}`, 403)
		app.call(t, "wb", "POST", "/api/v1/cases/"+strconv.FormatInt(w2case.Case.ID, 10)+"/referrals/"+strconv.FormatInt(ref.ID, 10)+"/decision",
			`{"decision":"accept"}`, 404) // the referral is not that case's
		decodeInto(t, app.call(t, "wb", "POST", rbase, `{"decision":"accept"}`, 200), &ref)
		if ref.Status != cases.ReferralAccepted {
			t.Fatalf("accepted referral %+v", ref)
		}
		decodeInto(t, app.call(t, "wb", "GET", base, nil, 200), &got)
		if got.ID != first.Case.ID {
			t.Errorf("wb reads %+v", got)
		}
		decodeInto(t, app.call(t, "wb", "GET", "/api/v1/cases", nil, 200), &page)
		if page.Total != 1 || page.Items[0].CaseID != first.Case.ID {
			t.Errorf("wb lists %+v", page)
		}
		app.call(t, "wb", "POST", base+"/services", map[string]any{"type": "Shelter", "date": today, "note": "Bed in the Dakar shelter"}, 201)
		app.call(t, "wb", "POST", base+"/comments", map[string]any{"cco_CaseComment": "Arrived at the shelter."}, 201)
		app.call(t, "wb", "PATCH", base, `{"version":2,"openedOn":"2020-01-01"}`, 403) // reads, never edits
		var services struct{ Items []cases.Service }
		decodeInto(t, app.call(t, "w1", "GET", base+"/services", nil, 200), &services)
		if len(services.Items) != 1 || services.Items[0].ProviderOrgID != app.orgB {
			t.Errorf("services %+v", services.Items)
		}
		decodeInto(t, app.call(t, "w1", "POST", rbase, `{"decision":"revoke","note":"Moved to another shelter"}`, 200), &ref)
		if ref.Status != cases.ReferralRevoked {
			t.Errorf("revoked referral %+v", ref)
		}
		app.call(t, "wb", "GET", base, nil, 404)
		app.call(t, "wb", "GET", base+"/comments", nil, 404)
		decodeInto(t, app.call(t, "wb", "GET", "/api/v1/cases", nil, 200), &page)
		if page.Total != 0 {
			t.Errorf("after revocation wb lists %d cases", page.Total)
		}
		var refs struct{ Items []cases.Referral }
		decodeInto(t, app.call(t, "w1", "GET", base+"/referrals", nil, 200), &refs)
		if len(refs.Items) != 1 || refs.Items[0].Status != cases.ReferralRevoked {
			t.Errorf("referrals %+v", refs.Items)
		}

		// Work records, overdue tasks, status change.
		var task cases.Task
		decodeInto(t, app.call(t, "w1", "POST", base+"/tasks", map[string]any{"title": "Call the shelter", "due": "2020-01-10"}, 201), &task)
		var overdue struct{ Items []cases.Task }
		decodeInto(t, app.call(t, "w1", "GET", "/api/v1/cases/tasks/overdue?tz=Africa/Dakar", nil, 200), &overdue)
		if len(overdue.Items) != 1 || overdue.Items[0].ID != task.ID || task.AssigneeID != app.ids["w1"] {
			t.Errorf("overdue %+v (task %+v)", overdue.Items, task)
		}
		app.call(t, "w1", "GET", "/api/v1/cases/tasks/overdue?tz=Mars/Olympus", nil, 400)
		var consents struct{ Items []cases.Consent }
		decodeInto(t, app.call(t, "w1", "GET", base+"/consents", nil, 200), &consents)
		if len(consents.Items) != 1 || !consents.Items[0].Given {
			t.Errorf("consents %+v", consents.Items)
		}
		decodeInto(t, app.call(t, "w1", "POST", base+"/transition", `{"version":2,"status":"follow-up"}`, 200), &got)
		if got.Status != cases.StatusFollowUp || got.Version != 3 {
			t.Errorf("transition: %+v", got)
		}
		decodeInto(t, app.call(t, "w1", "POST", base+"/transition", `{"version":3,"status":"closed referred"}`, 409), &prob)
		app.call(t, "w1", "POST", base+"/assign", `{"version":3,"ownerId":`+strconv.FormatInt(app.ids["w2"], 10)+`}`, 403)

		// Dashboards: supervisors yes, case workers no.
		var cl cases.Caseload
		decodeInto(t, app.call(t, "sup", "GET", "/api/v1/cases/dashboard", nil, 200), &cl)
		if cl.Total != 3 {
			t.Errorf("supervisor's caseload %+v", cl)
		}
		app.call(t, "w1", "GET", "/api/v1/cases/dashboard", nil, 403)

		// Export: HTCDS headers, only the cases in scope, formulas
		// defused, in the audit trail.
		rec := app.do(t, "w1", "GET", "/api/v1/cases/export?format=csv", "")
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("export: %d %s", rec.Code, rec.Body)
		}
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for _, h := range []string{"cas_Status", "cas_CaseOwner", "vic_TypeOfExploitation", "vic_MethodsOfControl", "prs_FirstName", "prs_Birthdate", "cas_ReferredOrganisation"} {
			if _, ok := col[h]; !ok {
				t.Errorf("export header lacks %s: %v", h, rows[0])
			}
		}
		var ids []string
		for _, r := range rows[1:] {
			ids = append(ids, r[col["corridor_CaseId"]])
			if v := r[col["vic_DetailsOfVulnerabilities"]]; v != `'=HYPERLINK("http://evil.example")` {
				t.Errorf("formula cell exported as %q", v)
			}
		}
		slices.Sort(ids)
		wantIDs := []string{strconv.FormatInt(first.Case.ID, 10), strconv.FormatInt(again.Case.ID, 10)}
		slices.Sort(wantIDs)
		if !slices.Equal(ids, wantIDs) {
			t.Errorf("w1 exported cases %v, want %v (not w2's %d)", ids, wantIDs, w2case.Case.ID)
		}
		entries, err := app.db.Audit().List(ctx, audit.Filter{Resource: "cases", Action: audit.ActionExport, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		finished := false
		for _, en := range entries {
			if en.ActorID == app.ids["w1"] && en.Outcome == audit.OutcomeOK && strings.Contains(en.Detail, "export finished: 2 cases") && en.ClientAddr != "" {
				finished = true
			}
		}
		if !finished {
			t.Errorf("no audit entry of w1's export in %+v", entries)
		}
		rec = app.do(t, "sup", "GET", "/api/v1/cases/export?format=xlsx&include=case", "")
		if rec.Code != 200 {
			t.Fatalf("xlsx export: %d %s", rec.Code, rec.Body)
		}
		x, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		xrows, err := x.GetRows("cases")
		x.Close()
		if err != nil || len(xrows) != 4 || !slices.Contains(xrows[0], "cas_Status") || slices.Contains(xrows[0], "prs_FirstName") {
			t.Errorf("xlsx: %d rows (%v), header %v", len(xrows), err, xrows)
		}
		app.call(t, "w1", "GET", "/api/v1/cases/export?format=pdf", nil, 400)

		// The reviewed merge: the re-registration is merged into the
		// first person.
		app.call(t, "w1", "POST", "/api/v1/cases/merge", map[string]any{"keepId": first.Person.ID, "dropId": again.Person.ID,
			"keepVersion": first.Person.Version, "dropVersion": again.Person.Version + 1}, 409)
		app.call(t, "w1", "POST", "/api/v1/cases/merge", map[string]any{"keepId": first.Person.ID, "dropId": again.Person.ID,
			"keepVersion": first.Person.Version, "dropVersion": again.Person.Version}, 200)
		decodeInto(t, app.call(t, "w1", "GET", "/api/v1/cases/"+strconv.FormatInt(again.Case.ID, 10), nil, 200), &got)
		if got.PersonID != first.Person.ID {
			t.Errorf("after the merge the case's person is %d, want %d", got.PersonID, first.Person.ID)
		}

		// Refusals: signed out 401, roles without grants 403.
		for _, path := range []string{"/api/v1/cases", base, "/api/v1/cases/export", "/api/v1/cases/dashboard"} {
			app.call(t, "", "GET", path, nil, 401)
			app.call(t, "viewer", "GET", path, nil, 403)
			app.call(t, "analyst", "GET", path, nil, 403)
		}
		app.call(t, "viewer", "POST", "/api/v1/cases", intakeBody("X", "Y", "2000-01-01"), 403)
		app.call(t, "org-admin", "POST", "/api/v1/cases", intakeBody("X", "Y", "2000-01-01"), 403)

		// Reads are audited once each, by the store, with the client's
		// address: the supervisor's read of the case.
		entries, err = app.db.Audit().List(ctx, audit.Filter{Resource: "cases", RecordID: strconv.FormatInt(first.Case.ID, 10), Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		reads := 0
		for _, en := range entries {
			if en.ActorID == app.ids["sup"] && en.Action == audit.ActionRead && en.Outcome == audit.OutcomeAllowed && en.Detail == "" {
				reads++
				if en.ClientAddr == "" {
					t.Errorf("audit entry without client address: %+v", en)
				}
			}
		}
		if reads != 1 {
			t.Errorf("supervisor's reads of the case audited %d times, want 1", reads)
		}
	})
}
