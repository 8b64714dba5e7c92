package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
)

// Remittance prices through the real stack: a public GET needs no
// sign-in; submitting a quote needs create on remittances (the
// remittance-provider role, organisation administrators), is validated
// field by field, size-limited and audited.
func TestRemittanceQuotePermissions(t *testing.T) {
	app := newTestApp(t, "")
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
