package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/remit"
	"github.com/corridor-platform/corridor/internal/web"
)

// An oversized quote body is a 413 whose problem names the parameter
// "body", as the other body errors do.
func TestRemitSubmitBodyTooLarge(t *testing.T) {
	a := &API{}
	body := `{"firm":"` + strings.Repeat("x", RemitMaxBody+10) + `"}`
	r := httptest.NewRequest(http.MethodPost, "/api/v1/remittances/quotes", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	a.submitRemitQuote(w, r)
	var p web.Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if w.Code != http.StatusRequestEntityTooLarge || p.Status != http.StatusRequestEntityTooLarge || p.Param != "body" {
		t.Errorf("%d %s, want 413 naming body", w.Code, w.Body)
	}
}

// The problem detail names a field once: "parameter sendCurrency: …",
// not "parameter sendCurrency: sendCurrency: …".
func TestRemitParamErrorNamesFieldOnce(t *testing.T) {
	err := remitParamError(remit.FieldErrors{
		{Field: "sendCurrency", Reason: "not an ISO 4217 code"},
		{Field: "fee", Reason: "must not be negative"},
	})
	got := err.Error()
	if want := "parameter sendCurrency: not an ISO 4217 code; fee: must not be negative"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if p := web.ProblemFor(httptest.NewRequest("GET", "/", nil), err); p.Param != "sendCurrency" ||
		strings.Count(p.Detail, "sendCurrency") != 1 {
		t.Errorf("problem %+v", p)
	}
	one := remitParamError(&remit.FieldError{Field: "amount", Reason: "must be positive"})
	if one.Error() != "parameter amount: must be positive" {
		t.Errorf("single: %q", one)
	}
}
