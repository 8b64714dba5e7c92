package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/labour"
)

// labourApp is the test app with the shipped ISCO and ESCO imported and
// the reference geography loaded.
func labourApp(t *testing.T) *testApp {
	t.Helper()
	app := newTestApp(t, "")
	rn := &importer.Runner{DB: app.db, Registry: importer.Builtin(), DataDir: dataDir}
	for _, ds := range []string{"countries", "isco", "esco"} {
		if _, err := rn.Run(context.Background(), ds, nil); err != nil {
			t.Fatal(err)
		}
	}
	return app
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return v
}

type problem struct {
	Status int    `json:"status"`
	Param  string `json:"param"`
	Detail string `json:"detail"`
}

// TestLabourAPI follows a vacancy from posting to arrival through the API,
// with the real ESCO taxonomy: skills given by label, the fee rule, the
// ranking with its explanation, the drive's optimal assignment, the
// pipeline, recruitment costs and SDG 10.7.1 through the statistics API.
func TestLabourAPI(t *testing.T) {
	app := labourApp(t)
	tax, err := app.db.LabourTaxonomy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	welder, ok := tax.Occupation("7212.3")
	if !ok {
		t.Fatal("no ESCO occupation 7212.3 (welder)")
	}
	label := func(id int32) string { s, _ := tax.Skill(id); return s.Label }
	ess := []string{label(welder.Essential[0]), label(welder.Essential[1]), label(welder.Essential[2])}
	vacancy := func(fee float64, status string) string {
		b, _ := json.Marshal(map[string]any{"title": "Ship welder", "destination": "DEU", "place": "Kiel", "occupation": "7212.3", "sector": "C",
			"positions": 3, "essentialSkills": ess, "optionalSkills": []any{}, "languages": []labour.Language{{Code: "de", Level: "A2"}},
			"education": 3, "experienceYears": 2, "monthlyWage": 2500, "currency": "EUR", "hoursPerWeek": 40, "contractMonths": 24,
			"housing": "provided-paid", "channel": labour.Channel{Kind: "skills-partnership", Name: "Triple Win"},
			"feePolicy": labour.FeePolicy{EmployerPays: fee == 0, WorkerFee: fee}, "status": status})
		return string(b)
	}
	emp, agency := auth.RoleEmployer, auth.RoleLabourAgency

	// A fee charged to workers: not published, nothing stored.
	rec := app.do(t, emp, "POST", "/api/v1/vacancies", vacancy(200, "published"))
	if p := decode[problem](t, rec.Body.Bytes()); rec.Code != http.StatusBadRequest || p.Param != "feePolicy.workerFee" {
		t.Fatalf("fee to workers: %d %s", rec.Code, rec.Body)
	}
	// Bad input names the field; an oversized body is 413.
	bad := strings.Replace(vacancy(0, "published"), ess[0], "no such skill at all", 1)
	if rec := app.do(t, emp, "POST", "/api/v1/vacancies", bad); decode[problem](t, rec.Body.Bytes()).Param != "essentialSkills[0]" {
		t.Fatalf("unknown skill: %d %s", rec.Code, rec.Body)
	}
	if rec := app.do(t, emp, "POST", "/api/v1/vacancies", `{"title":"`+strings.Repeat("x", 70<<10)+`"}`); rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body: %d %s", rec.Code, rec.Body)
	}
	if rec := app.do(t, "", "GET", "/api/v1/vacancies", ""); !strings.Contains(rec.Body.String(), `"total":0`) {
		t.Fatalf("refused vacancies were stored: %s", rec.Body)
	}
	rec = app.do(t, emp, "POST", "/api/v1/vacancies", vacancy(0, "published"))
	if rec.Code != http.StatusCreated {
		t.Fatalf("post vacancy: %d %s", rec.Code, rec.Body)
	}
	v := decode[struct {
		ID              int64 `json:"id"`
		ISCO            string
		EssentialSkills []struct{ Label string }
		Rights          []string
	}](t, rec.Body.Bytes())
	if v.ISCO != "7212" || len(v.EssentialSkills) != 3 || v.EssentialSkills[0].Label != ess[0] || len(v.Rights) == 0 {
		t.Fatalf("vacancy answer: %+v", v)
	}
	// Public: the vacancy, not its candidates.
	if rec := app.do(t, "", "GET", fmt.Sprintf("/api/v1/vacancies/%d", v.ID), ""); rec.Code != http.StatusOK {
		t.Fatalf("public vacancy: %d", rec.Code)
	}
	if rec := app.do(t, "", "GET", fmt.Sprintf("/api/v1/vacancies/%d/candidates", v.ID), ""); rec.Code != http.StatusUnauthorized {
		t.Fatalf("public candidates: %d %s", rec.Code, rec.Body)
	}

	// Workers: the agency registers three Kenyan welders with consent.
	worker := func(given string, skills []string, consent bool) string {
		b, _ := json.Marshal(map[string]any{"givenName": given, "familyName": "Otieno", "email": strings.ToLower(given) + "@example.org",
			"consent": labour.Consent{Matching: consent, ShareWithEmployers: true, Date: "2026-11-01", RecordedBy: "self"},
			"origin":  "KEN", "occupations": []labour.HeldOccupation{{Occupation: "7212.3", Years: 4}}, "skills": skills,
			"languages": []labour.Language{{Code: "de", Level: "B1"}}, "education": 3, "experienceYears": 4, "preferredDestinations": []string{"DEU"},
			"status": "active"})
		return string(b)
	}
	if rec := app.do(t, agency, "POST", "/api/v1/workers", worker("Zawadi", ess, false)); decode[problem](t, rec.Body.Bytes()).Param != "consent.matching" {
		t.Fatalf("no consent: %d %s", rec.Code, rec.Body)
	}
	if rec := app.do(t, emp, "POST", "/api/v1/workers", worker("Zawadi", ess, true)); rec.Code != http.StatusForbidden {
		t.Fatalf("employer registering a worker: %d", rec.Code)
	}
	var workers []int64
	for i, name := range []string{"Amina", "Baraka", "Chausiku"} {
		rec := app.do(t, agency, "POST", "/api/v1/workers", worker(name, ess[:3-i], true))
		if rec.Code != http.StatusCreated {
			t.Fatalf("register %s: %d %s", name, rec.Code, rec.Body)
		}
		workers = append(workers, decode[struct{ ID int64 }](t, rec.Body.Bytes()).ID)
	}
	rec = app.do(t, emp, "GET", fmt.Sprintf("/api/v1/vacancies/%d/candidates", v.ID), "")
	cands := decode[struct {
		Candidates []struct {
			WorkerID         int64
			Worker           string
			Score            int
			MissingEssential []struct{ Label string }
			MatchedEssential []struct{ Label string }
		}
	}](t, rec.Body.Bytes()).Candidates
	if len(cands) != 3 || cands[0].WorkerID != workers[0] || cands[2].WorkerID != workers[2] || len(cands[0].MissingEssential) != 0 ||
		len(cands[2].MatchedEssential) != 1 || cands[2].MatchedEssential[0].Label != ess[0] || len(cands[2].MissingEssential) != 2 || strings.Contains(rec.Body.String(), "Amina") {
		t.Fatalf("candidates: %s", rec.Body)
	}

	// A drive: the optimal assignment gives all three a position.
	rec = app.do(t, emp, "POST", "/api/v1/drives", fmt.Sprintf(`{"name":"Kiel","vacancies":[%d],"origins":["KEN"]}`, v.ID))
	drive := decode[struct{ ID int64 }](t, rec.Body.Bytes()).ID
	rec = app.do(t, emp, "POST", fmt.Sprintf("/api/v1/drives/%d/assignment", drive), "")
	plan := decode[struct {
		Total, GreedyTotal int
		Pairs              []struct{ WorkerID, VacancyID int64 }
	}](t, rec.Body.Bytes())
	if len(plan.Pairs) != 3 || plan.Total != cands[0].Score+cands[1].Score+cands[2].Score || plan.GreedyTotal > plan.Total {
		t.Fatalf("assignment: %s", rec.Body)
	}
	rec = app.do(t, emp, "POST", fmt.Sprintf("/api/v1/drives/%d/shortlist", drive), "")
	apps := decode[struct {
		Shortlisted []labour.Application
	}](t, rec.Body.Bytes()).Shortlisted
	if len(apps) != 3 {
		t.Fatalf("shortlist: %s", rec.Body)
	}
	a := apps[0]
	day := time.Now().UTC().Format("2006-01-02") // the shortlist's date: moves cannot be earlier, nor in the future
	move := func(stage, date string) *http.Response {
		rec := app.do(t, emp, "POST", fmt.Sprintf("/api/v1/applications/%d/stage", a.ID), fmt.Sprintf(`{"stage":%q,"version":%d,"date":%q}`, stage, a.Version, date))
		if rec.Code == http.StatusOK {
			a = decode[labour.Application](t, rec.Body.Bytes())
		}
		return rec.Result()
	}
	for _, st := range []string{"offered", "accepted", "visa", "pre-departure"} {
		if r := move(st, day); r.StatusCode != http.StatusOK {
			t.Fatalf("move to %s: %d", st, r.StatusCode)
		}
	}
	if r := move("travel", day); r.StatusCode != http.StatusConflict {
		t.Fatalf("travel before orientation: %d", r.StatusCode)
	}
	for _, m := range a.Orientation {
		rec := app.do(t, agency, "POST", fmt.Sprintf("/api/v1/applications/%d/orientation", a.ID),
			fmt.Sprintf(`{"module":%q,"attended":true,"version":%d,"date":%q}`, m.Name, a.Version, day))
		if rec.Code != http.StatusOK {
			t.Fatalf("attend %s: %d %s", m.Name, rec.Code, rec.Body)
		}
		a = decode[labour.Application](t, rec.Body.Bytes())
	}
	for _, st := range []string{"travel", "arrived"} {
		if r := move(st, day); r.StatusCode != http.StatusOK {
			t.Fatalf("move to %s: %d", st, r.StatusCode)
		}
	}
	rec = app.do(t, emp, "GET", fmt.Sprintf("/api/v1/drives/%d", drive), "")
	board := decode[struct {
		Board map[string][]labour.Application
	}](t, rec.Body.Bytes()).Board
	if len(board["arrived"]) != 1 || len(board["shortlisted"]) != 2 {
		t.Fatalf("board: %s", rec.Body)
	}
	// The employer and the agency are one organisation here (the test app has one): full access. Across organisations the store test pins "shared".
	if rec := app.do(t, emp, "GET", fmt.Sprintf("/api/v1/workers/%d", a.WorkerID), ""); !strings.Contains(rec.Body.String(), `"access":"full"`) {
		t.Fatalf("employer after shortlist: %s", rec.Body)
	}

	// SDG 10.7.1: costs ÷ first monthly wage, averaged over the corridor.
	// The arrived worker's wage is the vacancy's (2,500 EUR); the other two
	// report theirs.
	costs := map[int64][]float64{workers[0]: {500, 250}, workers[1]: {3000}, workers[2]: {}}
	wages := map[int64]float64{workers[0]: 2500, workers[1]: 2000, workers[2]: 2400}
	for _, id := range workers {
		if id != a.WorkerID {
			body := fmt.Sprintf(`{"destination":"DEU","isco":"7212","monthlyWage":%g,"currency":"EUR"}`, wages[id])
			if rec := app.do(t, agency, "PUT", fmt.Sprintf("/api/v1/workers/%d/wage", id), body); rec.Code != http.StatusNoContent {
				t.Fatalf("wage: %d %s", rec.Code, rec.Body)
			}
		}
		for _, amt := range costs[id] {
			body := fmt.Sprintf(`{"kind":"travel","amount":%g,"currency":"EUR","rateToWage":1,"paidTo":"other","date":"2026-10-02"}`, amt)
			if rec := app.do(t, agency, "POST", fmt.Sprintf("/api/v1/workers/%d/costs", id), body); rec.Code != http.StatusCreated {
				t.Fatalf("cost: %d %s", rec.Code, rec.Body)
			}
		}
	}
	if rec := app.do(t, agency, "POST", fmt.Sprintf("/api/v1/workers/%d/costs", workers[0]), `{"kind":"travel","amount":-5,"currency":"EUR","rateToWage":1,"paidTo":"other","date":"2026-10-02"}`); decode[problem](t, rec.Body.Bytes()).Param != "amount" {
		t.Fatalf("negative cost: %s", rec.Body)
	}
	want := (750.0/2500 + 3000.0/2000 + 0/2400.0) / 3
	rec = app.do(t, "", "GET", "/api/v1/data?indicator=sdg_10_7_1&area=KEN&counterpart=DEU", "")
	rows := decode[struct {
		Rows []struct {
			Value  *float64
			Status string
		} `json:"rows"`
	}](t, rec.Body.Bytes()).Rows
	if len(rows) != 1 || rows[0].Value == nil || math.Abs(*rows[0].Value-want) > 1e-12 {
		t.Fatalf("sdg_10_7_1 = %s, want %g", rec.Body, want)
	}
	rec = app.do(t, "", "GET", "/api/v1/labour/costs?group=corridor", "")
	groups := decode[struct{ Groups []labour.CostGroup }](t, rec.Body.Bytes()).Groups
	if len(groups) != 1 || math.Abs(groups[0].Mean-want) > 1e-12 || groups[0].Workers != 3 || groups[0].Median != 0.3 {
		t.Fatalf("costs by corridor: %s", rec.Body)
	}
}
