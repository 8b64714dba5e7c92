package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/remit"
	"github.com/corridor-platform/corridor/internal/store"
)

// seedRemitReference imports survey rows giving the reference interbank
// rates GBP→KES 170 (on another corridor: the pair is looked up on any)
// and GBP→USD 1.1 (GBP 200 is then in the USD 200 basket). Submitted
// quotes without a reference are "interbank rate not verified" and never
// ranked (review defect 1).
func seedRemitReference(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	d := time.Date(2025, 8, 19, 0, 0, 0, 0, time.UTC)
	mk := func(to, recv string, inter float64) remit.Quote {
		return remit.Quote{Corridor: remit.Corridor{From: "GBR", To: to}, Period: remit.PeriodOf(d), Date: d, QuotedAt: d, Firm: "Reference Survey Firm",
			Amount: 100, SendCurrency: "GBP", Fee: 1, Rate: inter * 0.98, InterbankRate: inter, ReceiveCurrency: recv, Speed: remit.SpeedHour, Transparent: true}
	}
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		return store.ReplaceRemitQuotes(ctx, tx, store.RemitSource{Source: "import:reference.csv", Layout: "test"},
			[]remit.Quote{mk("UGA", "KES", 170), mk("SSD", "USD", 1.1)}, false)
	}); err != nil {
		t.Fatal(err)
	}
}

// reviewProblem is the param and status of an answer.
func reviewProblem(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var p struct {
		Param string `json:"param"`
	}
	json.Unmarshal(rec.Body.Bytes(), &p)
	return p.Param
}

// The new-user review of remittance prices (defects 1, 3, 9, 10): an
// interbank rate with no reference is stored but never ranked or
// averaged; the basket is derived by the server; a correction keeps the
// corridor and the firm type; loose input is refused naming the field.
func TestRemittanceReviewSubmissions(t *testing.T) {
	app := newTestApp(t, "")
	seedRemitReference(t, app.db)
	ctx := context.Background()
	date := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	post := func(path, body string) *httptest.ResponseRecorder {
		return app.do(t, auth.RoleRemittanceProvider, "POST", path, body)
	}
	// 1. USA→MEX, no USD→MXN reference: stored, flagged, not ranked, not averaged.
	mex := `{"from":"USA","to":"MEX","firmType":"mto","date":"` + date + `","amount":200,"sendCurrency":"USD","fee":0,"rate":400,` +
		`"interbankRate":400,"receiveCurrency":"MXN","speed":"Less than one hour","pickupMethod":"Cash"}`
	rec := post("/api/v1/remittances/quotes", mex)
	if rec.Code != http.StatusCreated {
		t.Fatalf("unverified quote: %d %s", rec.Code, rec.Body)
	}
	rec = app.do(t, "", "GET", "/api/v1/remittances/quotes?from=USA&to=MEX&amount=200&currency=USD", "")
	var out struct {
		Services []map[string]any `json:"services"`
		Rules    map[string]string
	}
	json.Unmarshal(rec.Body.Bytes(), &out)
	if len(out.Services) != 1 || out.Services[0]["complete"] != false || out.Services[0]["interbankVerified"] != false ||
		out.Services[0]["reason"] != remit.ReasonInterbankUnverified || out.Services[0]["totalCostPct"] != nil || out.Rules["interbank"] == "" {
		t.Errorf("unverified quote listed: %s", rec.Body)
	}
	if a, err := app.db.RemitAggregates(ctx); err != nil {
		t.Fatal(err)
	} else if cs, err := a.Corridor(remit.Corridor{From: "USA", To: "MEX"}, remit.PeriodOf(time.Now().UTC())); err == nil && cs.Services != 0 {
		t.Errorf("unverified quote averaged: %+v", cs)
	}

	// 3. The basket is the server's: GBP 200 at 1.1 = USD 220 → 200,
	// whatever the body says; an absurd amount is refused naming it.
	good := `{"from":"GBR","to":"KEN","firm":"ministry  OF labour","date":"` + date + `","amount":200,"sendCurrency":"GBP",` +
		`"fee":3,"rate":168,"interbankRate":170,"receiveCurrency":"KES","speed":"Less than one hour","pickupMethod":"Mobile wallet","basketUsd":500}`
	rec = post("/api/v1/remittances/quotes", good)
	var sq struct {
		ID        int64   `json:"id"`
		BasketUSD float64 `json:"basketUsd"`
		Firm      string  `json:"firm"`
		FirmType  string  `json:"firmType"`
		Flags     int     `json:"flags"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &sq); rec.Code != http.StatusCreated || err != nil || sq.BasketUSD != 200 || sq.Flags != 0 {
		t.Fatalf("basket derived: %d %s", rec.Code, rec.Body)
	}
	// 8. The stored quote says when it was submitted ("submittedAt");
	// "quotedAt" means the price's date wherever the API says it.
	if b := rec.Body.String(); !strings.Contains(b, `"submittedAt":"`) || strings.Contains(b, `"quotedAt"`) {
		t.Errorf("stored quote times: %s", b)
	}
	if rec := app.do(t, "", "GET", "/api/v1/remittances/quotes?from=GBR&to=KEN&amount=200&currency=GBP&format=csv", ""); !strings.Contains(rec.Body.String(), "quotedAt,submittedAt,stale") {
		t.Errorf("CSV lacks quotedAt and submittedAt: %s", rec.Body)
	}
	// 10. The canonical name of the organisation, not the spelling typed.
	if sq.Firm != "Ministry of Labour" {
		t.Errorf("firm stored as %q, want the organisation's name", sq.Firm)
	}
	rec = post("/api/v1/remittances/quotes", strings.Replace(good, `"amount":200`, `"amount":1e308`, 1))
	if rec.Code != http.StatusBadRequest || reviewProblem(t, rec) != "amount" {
		t.Errorf("amount 1e308: %d %s", rec.Code, rec.Body)
	}
	rec = post("/api/v1/remittances/quotes", strings.Replace(strings.Replace(good, `"amount":200`, `"amount":2000`, 1), `"fee":3`, `"fee":30`, 1))
	var other struct {
		BasketUSD float64 `json:"basketUsd"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &other); rec.Code != http.StatusCreated || other.BasketUSD != 0 {
		t.Errorf("GBP 2000 (USD 2,200) is in no basket: %d %s", rec.Code, rec.Body)
	}

	// 9. A correction keeps the corridor and the firm type.
	typed := strings.Replace(good, `"firm":"ministry  OF labour",`, `"firmType":"bank",`, 1)
	rec = post("/api/v1/remittances/quotes", typed)
	if err := json.Unmarshal(rec.Body.Bytes(), &sq); rec.Code != http.StatusCreated || err != nil || sq.FirmType != "bank" {
		t.Fatalf("typed quote: %d %s", rec.Code, rec.Body)
	}
	id := strconv.FormatInt(sq.ID, 10)
	rec = post("/api/v1/remittances/quotes/"+id+"/correction", strings.Replace(typed, `"to":"KEN"`, `"to":"TZA"`, 1))
	if rec.Code != http.StatusBadRequest || reviewProblem(t, rec) != "to" {
		t.Errorf("correction to another corridor: %d %s", rec.Code, rec.Body)
	}
	rec = post("/api/v1/remittances/quotes/"+id+"/correction", strings.Replace(strings.Replace(typed, `"firmType":"bank",`, ``, 1), `"fee":3`, `"fee":2`, 1))
	if err := json.Unmarshal(rec.Body.Bytes(), &sq); rec.Code != http.StatusCreated || err != nil || sq.FirmType != "bank" {
		t.Errorf("correction without firmType: %d %s, want the corrected quote's bank", rec.Code, rec.Body)
	}

	// 10. Loose input.
	for _, c := range []struct{ path, param string }{
		{"/api/v1/remittances/quotes?from=KEN&to=UGA&amount=0.0001&currency=KES", "amount"},
		{"/api/v1/remittances/quotes?from=KEN&to=UGA&amount=1_000&currency=KES", "amount"},
		{"/api/v1/remittances/quotes?from=KEN&to=UGA&amount=1e3&currency=KES", "amount"},
		{"/api/v1/remittances/quotes?from=KEN&to=UGA&amount=1000&currency=JPY", "currency"},
	} {
		if rec := app.do(t, "", "GET", c.path, ""); rec.Code != http.StatusBadRequest || reviewProblem(t, rec) != c.param {
			t.Errorf("%s: %d %s, want 400 naming %s", c.path, rec.Code, rec.Body, c.param)
		}
	}
	if rec := app.do(t, "", "GET", "/api/v1/remittances/quotes?from=KEN&to=UGA&amount=1000&currency=USD", ""); rec.Code != http.StatusOK {
		t.Errorf("USD from Kenya: %d %s", rec.Code, rec.Body)
	}
	dup := strings.Replace(good, `"fee":3,`, `"fee":3,"fee":0,`, 1)
	if rec := post("/api/v1/remittances/quotes", dup); rec.Code != http.StatusBadRequest || reviewProblem(t, rec) != "fee" {
		t.Errorf("duplicate key: %d %s, want 400 naming fee", rec.Code, rec.Body)
	}
	req := httptest.NewRequest("POST", "/api/v1/remittances/quotes", strings.NewReader(good))
	req.Header.Set("Content-Type", "text/plain")
	s := app.sessions[auth.RoleRemittanceProvider]
	req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: s[0]})
	req.Header.Set("X-CSRF-Token", s[1])
	rec = httptest.NewRecorder()
	app.handler.ServeHTTP(rec, req)
	if (rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnsupportedMediaType) || reviewProblem(t, rec) != "Content-Type" {
		t.Errorf("text/plain body: %d %s", rec.Code, rec.Body)
	}
}

// Remittance prices through the real stack: a public GET needs no
// sign-in; submitting a quote needs create on remittances (the
// remittance-provider role, organisation administrators), is validated
// field by field, size-limited and audited.
func TestRemittanceQuotePermissions(t *testing.T) {
	app := newTestApp(t, "")
	seedRemitReference(t, app.db)
	if rec := app.do(t, "", "GET", "/api/v1/remittances/quotes?from=GBR&to=KEN&amount=200&currency=GBP", ""); rec.Code != http.StatusOK ||
		!strings.Contains(rec.Body.String(), `"services":[]`) {
		t.Errorf("public GET: %d %s", rec.Code, rec.Body)
	}
	date := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	good := `{"from":"GBR","to":"KEN","firm":"Ministry of Labour","firmType":"mto","date":"` + date + `","amount":200,"sendCurrency":"GBP",` +
		`"fee":3,"rate":168,"interbankRate":170,"receiveCurrency":"KES","speed":"Less than one hour","pickupMethod":"Mobile wallet"}`
	for _, c := range []struct {
		role string
		want int
	}{
		{"", http.StatusUnauthorized},
		{auth.RoleViewer, http.StatusForbidden},
		{auth.RoleCaseWorker, http.StatusForbidden},
		{auth.RoleRemittanceProvider, http.StatusCreated},
		{auth.RoleOrgAdmin, http.StatusCreated},
	} {
		if rec := app.do(t, c.role, "POST", "/api/v1/remittances/quotes", good); rec.Code != c.want {
			t.Errorf("POST as %q: %d %s, want %d", c.role, rec.Code, rec.Body, c.want)
		}
	}
	for _, c := range []struct{ body, param string }{
		{strings.Replace(good, `"sendCurrency":"GBP"`, `"sendCurrency":"GBX"`, 1), "sendCurrency"},
		// A currency not used in the country (nor USD or EUR).
		{strings.Replace(good, `"receiveCurrency":"KES"`, `"receiveCurrency":"UGX"`, 1), "receiveCurrency"},
		{strings.Replace(good, `"sendCurrency":"GBP"`, `"sendCurrency":"JPY"`, 1), "sendCurrency"},
		{strings.Replace(good, `"amount":200`, `"amount":-200`, 1), "amount"},
		{strings.Replace(good, `"rate":168`, `"rate":0.0059`, 1), "rate"},
		{strings.Replace(good, `"from":"GBR"`, `"from":"UK"`, 1), "from"},
		{strings.Replace(good, `"speed":"Less than one hour"`, `"speed":"warp"`, 1), "speed"},
		{strings.Replace(good, `"amount":200`, `"amount":"200"`, 1), "amount"},
		{strings.Replace(good, `"firm":`, `"frim":`, 1), "frim"},
		{strings.Replace(good, date, "19/08/2025", 1), "date"},
		{strings.Replace(good, date, "2099-01-01", 1), "date"},
		// An organisation submits its own quotes, under its own name.
		{strings.Replace(good, `"firm":"Ministry of Labour"`, `"firm":"Western Union"`, 1), "firm"},
	} {
		rec := app.do(t, auth.RoleRemittanceProvider, "POST", "/api/v1/remittances/quotes", c.body)
		var p struct {
			Param string `json:"param"`
		}
		json.Unmarshal(rec.Body.Bytes(), &p)
		if rec.Code != http.StatusBadRequest || p.Param != c.param {
			t.Errorf("%s: %d %s, want 400 naming %s", c.param, rec.Code, rec.Body, c.param)
		}
	}
	huge := strings.Replace(good, `"pickupMethod":"Mobile wallet"`, `"pickupMethod":"`+strings.Repeat("x", 20_000)+`"`, 1)
	if rec := app.do(t, auth.RoleRemittanceProvider, "POST", "/api/v1/remittances/quotes", huge); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d %s", rec.Code, rec.Body)
	}
	// Two accepted quotes, each audited once; the refused ones stored nothing.
	rec := app.do(t, "", "GET", "/api/v1/remittances/quotes?from=GBR&to=KEN&amount=200&currency=GBP", "")
	var out struct {
		Services []map[string]any `json:"services"`
	}
	json.Unmarshal(rec.Body.Bytes(), &out)
	if len(out.Services) != 1 || out.Services[0]["provider"] != "Ministry of Labour" || out.Services[0]["complete"] != true {
		t.Errorf("after submissions: %s", rec.Body)
	}
	es, err := app.db.Audit().List(context.Background(), audit.Filter{Resource: "remittances", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	ok := 0
	for _, e := range es {
		if e.Action == audit.ActionCreate && e.Outcome == audit.OutcomeOK {
			ok++
		}
	}
	if ok != 2 {
		t.Errorf("%d successful audit entries, want 2: %+v", ok, es)
	}
}

// A provider manages its organisation's quotes through the API: lists
// them, corrects one (a new quote superseding it), withdraws one (gone
// from the sender comparison at once); another organisation's provider
// gets a 404 for them, a viewer a 403, and each change is audited.
func TestRemittanceOwnQuotes(t *testing.T) {
	app := newTestApp(t, "")
	ctx := context.Background()
	err := app.db.InTx(ctx, func(tx *store.Tx) error {
		org, err := app.db.Accounts().CreateOrg(ctx, tx, auth.Org{Name: "Rival Remit", Kind: "other", Country: "GBR"})
		if err != nil {
			return err
		}
		_, err = app.db.Accounts().CreateUser(ctx, tx, auth.User{Username: "rival", FullName: "Rival", OrgID: org.ID,
			Roles: []string{auth.RoleRemittanceProvider}}, "correct horse battery staple rival")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	app.sessions["rival"] = app.session(t, "rival")
	seedRemitReference(t, app.db)
	date := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	good := `{"from":"GBR","to":"KEN","firmType":"mto","date":"` + date + `","amount":200,"sendCurrency":"GBP",` +
		`"fee":3,"rate":168,"interbankRate":170,"receiveCurrency":"KES","speed":"Less than one hour","pickupMethod":"Mobile wallet"}`
	rec := app.do(t, auth.RoleRemittanceProvider, "POST", "/api/v1/remittances/quotes", good)
	var sq struct {
		ID         int64   `json:"id"`
		Fee        float64 `json:"fee"`
		Status     string  `json:"status"`
		Replaces   int64   `json:"replaces"`
		ReplacedBy int64   `json:"replacedBy"`
		FeePct     float64 `json:"feePct"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &sq); rec.Code != http.StatusCreated || err != nil || sq.Status != "active" {
		t.Fatalf("submit: %d %s", rec.Code, rec.Body)
	}
	id := strconv.FormatInt(sq.ID, 10)
	received := func() []map[string]any {
		t.Helper()
		rec := app.do(t, "", "GET", "/api/v1/remittances/quotes?from=GBR&to=KEN&amount=200&currency=GBP", "")
		var out struct {
			Services []map[string]any `json:"services"`
		}
		json.Unmarshal(rec.Body.Bytes(), &out)
		return out.Services
	}
	if s := received(); len(s) != 1 || s[0]["feePct"] != 1.5 {
		t.Fatalf("before the correction: %v", s)
	}

	// Who may see and change the quote.
	for _, c := range []struct {
		who, method, path, body string
		want                    int
	}{
		{"", "GET", "/api/v1/remittances/quotes/mine", "", http.StatusUnauthorized},
		{auth.RoleViewer, "GET", "/api/v1/remittances/quotes/mine", "", http.StatusForbidden},
		{auth.RoleViewer, "POST", "/api/v1/remittances/quotes/" + id + "/withdraw", "", http.StatusForbidden},
		{"rival", "POST", "/api/v1/remittances/quotes/" + id + "/withdraw", "", http.StatusNotFound},
		{"rival", "POST", "/api/v1/remittances/quotes/" + id + "/correction", good, http.StatusNotFound},
		{auth.RoleRemittanceProvider, "POST", "/api/v1/remittances/quotes/abc/withdraw", "", http.StatusBadRequest},
		{auth.RoleRemittanceProvider, "POST", "/api/v1/remittances/quotes/999999/withdraw", "", http.StatusNotFound},
	} {
		if rec := app.do(t, c.who, c.method, c.path, c.body); rec.Code != c.want {
			t.Errorf("%s %s as %q: %d %s, want %d", c.method, c.path, c.who, rec.Code, rec.Body, c.want)
		}
	}
	rec = app.do(t, "rival", "GET", "/api/v1/remittances/quotes/mine", "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"quotes":[]`) {
		t.Errorf("rival's list: %d %s", rec.Code, rec.Body)
	}

	// The correction: a new quote; the old one superseded, kept.
	rec = app.do(t, auth.RoleRemittanceProvider, "POST", "/api/v1/remittances/quotes/"+id+"/correction", strings.Replace(good, `"fee":3`, `"fee":1`, 1))
	var corr = sq
	if err := json.Unmarshal(rec.Body.Bytes(), &corr); rec.Code != http.StatusCreated || err != nil || corr.Replaces != sq.ID || corr.ID == sq.ID {
		t.Fatalf("correction: %d %s", rec.Code, rec.Body)
	}
	if s := received(); len(s) != 1 || s[0]["feePct"] != 0.5 {
		t.Errorf("after the correction: %v", s)
	}
	// An invalid correction names the field and changes nothing.
	rec = app.do(t, auth.RoleOrgAdmin, "POST", "/api/v1/remittances/quotes/"+strconv.FormatInt(corr.ID, 10)+"/correction",
		strings.Replace(good, `"amount":200`, `"amount":-1`, 1))
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"param":"amount"`) {
		t.Errorf("invalid correction: %d %s", rec.Code, rec.Body)
	}
	rec = app.do(t, auth.RoleRemittanceProvider, "POST", "/api/v1/remittances/quotes/"+id+"/correction", good)
	if rec.Code != http.StatusConflict {
		t.Errorf("correcting a superseded quote: %d %s, want 409", rec.Code, rec.Body)
	}
	var mine struct {
		Quotes []struct {
			ID         int64  `json:"id"`
			Status     string `json:"status"`
			ReplacedBy int64  `json:"replacedBy"`
			Fee        float64
		} `json:"quotes"`
	}
	rec = app.do(t, auth.RoleRemittanceProvider, "GET", "/api/v1/remittances/quotes/mine", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &mine); err != nil || len(mine.Quotes) != 2 || mine.Quotes[0].ID != corr.ID ||
		mine.Quotes[1].Status != "superseded" || mine.Quotes[1].ReplacedBy != corr.ID || mine.Quotes[1].Fee != 3 {
		t.Errorf("mine: %d %s", rec.Code, rec.Body)
	}

	// The withdrawal (by the organisation's administrator): gone from
	// the comparison at once.
	rec = app.do(t, auth.RoleOrgAdmin, "POST", "/api/v1/remittances/quotes/"+strconv.FormatInt(corr.ID, 10)+"/withdraw", "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"status":"withdrawn"`) {
		t.Fatalf("withdraw: %d %s", rec.Code, rec.Body)
	}
	if s := received(); len(s) != 0 {
		t.Errorf("after the withdrawal: %v", s)
	}
	es, err := app.db.Audit().List(ctx, audit.Filter{Resource: "remittances", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, e := range es {
		if e.Outcome == audit.OutcomeOK && e.Action == audit.ActionUpdate {
			details = append(details, e.Detail)
		}
	}
	if len(details) != 2 || !strings.HasPrefix(details[0], "quote withdrawn") && !strings.HasPrefix(details[1], "quote withdrawn") {
		t.Errorf("audit: %q", details)
	}
}
