package main

import (
	"strconv"
	"testing"

	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/people"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// TestCaseTaskDoneAndMonitoringThroughTheAPI: a task is marked done once
// (a second time is a 409, a task of another case is not found), and a
// return case takes reintegration monitoring visits after arrival, listed
// with their composite score; a trafficking case has none.
func TestCaseTaskDoneAndMonitoringThroughTheAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		app := newCaseApp(t, e.DSN)
		type created struct {
			Case cases.Case `json:"case"`
		}
		var ct, rt created
		decodeInto(t, app.call(t, "w1", "POST", "/api/v1/cases", intakeBody("Fatou", "Ndiaye", "1990-01-01"), 201), &ct)
		decodeInto(t, app.call(t, "w1", "POST", "/api/v1/cases", map[string]any{
			"person": people.Person{GivenName: "Moussa", FamilyName: "Sarr", BirthDate: "1985-06-01", Sex: "male", Nationality: "SEN", DocumentType: "none"},
			"case": cases.Case{Kind: cases.KindReturn, OpenedOn: "2024-01-10", Return: &cases.Return{Stage: cases.StageApplication, ReturnType: "permanent",
				HostCountry: "MAR", OriginCountry: "SEN", ApplicationDate: "2024-01-10", TravelDate: "2024-02-01", ArrivalDate: "2024-02-02"}},
		}, 201), &rt)
		tbase := "/api/v1/cases/" + strconv.FormatInt(ct.Case.ID, 10)
		rbase := "/api/v1/cases/" + strconv.FormatInt(rt.Case.ID, 10)

		var task cases.Task
		decodeInto(t, app.call(t, "w1", "POST", tbase+"/tasks", map[string]any{"title": "Call the lawyer", "due": "2024-04-01"}, 201), &task)
		tid := strconv.FormatInt(task.ID, 10)
		app.call(t, "w1", "POST", rbase+"/tasks/"+tid+"/done", map[string]any{}, 404)
		app.call(t, "w3", "POST", tbase+"/tasks/"+tid+"/done", map[string]any{}, 404)
		app.call(t, "w1", "POST", tbase+"/tasks/"+tid+"/done", map[string]any{"doneOn": "yesterday"}, 400)
		var done cases.Task
		decodeInto(t, app.call(t, "w1", "POST", tbase+"/tasks/"+tid+"/done", map[string]any{"doneOn": "2024-03-30"}, 200), &done)
		if done.DoneOn != "2024-03-30" {
			t.Errorf("task done: %+v", done)
		}
		app.call(t, "w1", "POST", tbase+"/tasks/"+tid+"/done", map[string]any{}, 409)

		app.call(t, "w1", "POST", rbase+"/monitoring", map[string]any{"date": "2024-01-20", "economic": 0.5, "social": 0.5, "psychosocial": 0.5}, 400)
		app.call(t, "w1", "POST", rbase+"/monitoring", map[string]any{"date": "2024-03-01", "economic": 1.5, "social": 0.5, "psychosocial": 0.5}, 400)
		app.call(t, "w1", "POST", rbase+"/monitoring", map[string]any{"date": "2024-03-01", "social": 0.5, "psychosocial": 0.5}, 400)
		app.call(t, "w1", "POST", tbase+"/monitoring", map[string]any{"date": "2024-03-01", "economic": 0.5, "social": 0.5, "psychosocial": 0.5}, 409)
		app.call(t, "w1", "POST", rbase+"/monitoring", map[string]any{"date": "2024-05-01", "economic": 0.6, "social": 0.9, "psychosocial": 0.3}, 201)
		app.call(t, "w1", "POST", rbase+"/monitoring", map[string]any{"date": "2024-03-01", "economic": 0.3, "social": 0.6, "psychosocial": 0.3, "note": "first visit"}, 201)
		app.call(t, "w3", "GET", rbase+"/monitoring", nil, 404)
		var list struct {
			Items []struct {
				Date      string  `json:"date"`
				Economic  float64 `json:"economic"`
				Note      string  `json:"note"`
				Composite float64 `json:"composite"`
			} `json:"items"`
		}
		decodeInto(t, app.call(t, "w1", "GET", rbase+"/monitoring", nil, 200), &list)
		if len(list.Items) != 2 || list.Items[0].Date != "2024-03-01" || list.Items[0].Note != "first visit" ||
			list.Items[1].Composite < 0.599 || list.Items[1].Composite > 0.601 {
			t.Errorf("monitoring: %+v", list.Items)
		}
	})
}
