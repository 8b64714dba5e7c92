package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/testenv"
)

// TestTokenWithoutExpiry: expiresAt is optional; a token without it
// expires after auth.DefaultTokenLifetime, as the README says.
func TestTokenWithoutExpiry(t *testing.T) {
	app := newTestApp(t, "")
	_, secret, csrf := signIn(t, app.handler, "u-case-worker", pw("case-worker"), "")
	cw := client{h: app.handler, cookie: secret, csrf: csrf}
	r := cw.do(t, "POST", "/api/v1/tokens", `{"name":"no expiry given"}`)
	if r.Code != http.StatusCreated {
		t.Fatalf("token without expiresAt: %d %s", r.Code, r.Body)
	}
	var tok struct {
		ExpiresAt time.Time `json:"expiresAt"`
		Secret    string    `json:"secret"`
	}
	json.Unmarshal(r.Body.Bytes(), &tok)
	if d := time.Until(tok.ExpiresAt) - auth.DefaultTokenLifetime; d > time.Minute || d < -time.Minute {
		t.Errorf("expiresAt %v, want about now + %v", tok.ExpiresAt, auth.DefaultTokenLifetime)
	}
	if r := (client{h: app.handler, bearer: tok.Secret}).do(t, "GET", "/api/v1/account", ""); r.Code != 200 {
		t.Errorf("token without expiry given: %d %s", r.Code, r.Body)
	}
	if r := cw.do(t, "POST", "/api/v1/tokens", `{"name":"past","expiresAt":"2020-01-01T00:00:00Z"}`); r.Code != http.StatusBadRequest ||
		!strings.Contains(r.Body.String(), "future") {
		t.Errorf("token expiring in the past: %d %s", r.Code, r.Body)
	}
}

// TestTokenIndicatorDefinitions: POST /api/v1/indicators defaults factor
// 1, aggregation sum and decimals 0, and its problems name the field.
func TestTokenIndicatorDefinitions(t *testing.T) {
	testenv.SkipHeavyUnderRace(t)
	app := newTestApp(t, "")
	for _, ds := range []string{"countries", "remittance-flows"} {
		rn := &importer.Runner{DB: app.db, Registry: importer.Builtin(), DataDir: dataDir}
		if _, err := rn.Run(context.Background(), ds, nil); err != nil {
			t.Fatalf("import %s: %v", ds, err)
		}
	}
	_, secret, csrf := signIn(t, app.handler, "u-analyst", pw("analyst"), "")
	c := client{h: app.handler, cookie: secret, csrf: csrf}
	r := c.do(t, "POST", "/api/v1/indicators", `{"code":"my_stock","name":"My stock","unit":"persons","numerator":"remittances_received_usd"}`)
	if r.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	var ind struct {
		Factor      float64 `json:"factor"`
		Aggregation string  `json:"aggregation"`
		Decimals    int     `json:"decimals"`
	}
	json.Unmarshal(r.Body.Bytes(), &ind)
	if ind.Factor != 1 || ind.Aggregation != "sum" || ind.Decimals != 0 {
		t.Errorf("defaults: %+v, want factor 1, sum, 0 decimals", ind)
	}
	for _, tt := range []struct{ body, param, detail string }{
		{`{"code":"a1","name":"A","unit":"persons","numerator":"remittances_received_usd","factor":7}`, "factor", "1, 100"},
		{`{"code":"a2","name":"A","unit":"persons","numerator":"remittances_received_usd","aggregation":"avg"}`, "aggregation", "sum or none"},
		{`{"code":"a3","name":"A","numerator":"remittances_received_usd"}`, "unit", "required"},
		{`{"code":"a4","name":"A","unit":"persons","numerator":"remittances_received_usd + + 1"}`, "numerator", "position 28"},
		{`{"code":"a5","name":"A","unit":"persons","numerator":"remittances_received_usd","denominator":"remittances_paid_usd *"}`, "denominator", "position"},
	} {
		r := c.do(t, "POST", "/api/v1/indicators", tt.body)
		if r.Code != http.StatusBadRequest || !strings.Contains(r.Body.String(), `"param":"`+tt.param+`"`) || !strings.Contains(r.Body.String(), tt.detail) {
			t.Errorf("%s: %d %s, want 400 naming %s with %q", tt.body, r.Code, r.Body, tt.param, tt.detail)
		}
	}
}
