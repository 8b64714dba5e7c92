package ui

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/auth"
)

// A provider's own quotes page: the list, a correction through the
// prefilled form (a new quote superseding the old), a withdrawal (gone
// from the sender comparison); another organisation's provider cannot
// correct or withdraw them (404), a viewer cannot see the page (403).
func TestRemittanceMineCorrectWithdraw(t *testing.T) {
	h := newAccountHarness(t)
	h.addUser(t, auth.User{Username: "provider", FullName: "Pia Provider", Email: "pia@example.org", OrgID: h.orgB.ID,
		Roles: []string{auth.RoleRemittanceProvider}})
	h.addUser(t, auth.User{Username: "rival", FullName: "Rafa Rival", Email: "rafa@example.org", OrgID: h.orgA.ID,
		Roles: []string{auth.RoleRemittanceProvider}})
	if w := h.caseClient(t, "viewer").get("/remittances/quotes/mine"); w.Code != http.StatusForbidden {
		t.Errorf("viewer: %d, want 403", w.Code)
	}
	seedRemitReference(t, h, "GBP", "KES", 170)
	pc := h.caseClient(t, "provider")
	w := pc.get("/remittances/quotes/mine")
	wantCode(t, w, http.StatusOK)
	wantBody(t, w, []string{`id="remit-mine-empty"`}, nil)
	good := url.Values{"from": {"GBR"}, "to": {"KEN"}, "firm": {"Diaspora Network"}, "firmType": {"mto"}, "amount": {"200"}, "sendCurrency": {"GBP"},
		"fee": {"3"}, "rate": {"168"}, "interbankRate": {"170"}, "receiveCurrency": {"KES"}, "speed": {"Less than one hour"},
		"pickupMethod": {"Mobile wallet"}, "transparent": {"on"}}
	w = pc.post("/remittances/quotes/new", good)
	wantCode(t, w, http.StatusCreated)
	id := regexp.MustCompile(`Quote number</dt><dd>(\d+)</dd>`).FindStringSubmatch(w.Body.String())
	if id == nil {
		t.Fatalf("no quote number in %s", w.Body)
	}
	w = pc.get("/remittances/quotes/mine")
	wantBody(t, w, []string{`id="remit-mine-` + id[1] + `"`, "GBR-KEN", "Active", `href="/remittances/quotes/new?corrects=` + id[1] + `"`,
		`action="/remittances/quotes/` + id[1] + `/withdraw"`}, nil)
	for _, problem := range cspViolations(parseHTML(t, w.Body)) {
		t.Error(problem)
	}

	// Another organisation's provider: not found.
	rc := h.caseClient(t, "rival")
	if w := rc.get("/remittances/quotes/new?corrects=" + id[1]); w.Code != http.StatusNotFound {
		t.Errorf("rival opens the correction: %d, want 404", w.Code)
	}
	if w := rc.post("/remittances/quotes/"+id[1]+"/withdraw", url.Values{}); w.Code != http.StatusNotFound {
		t.Errorf("rival withdraws: %d, want 404", w.Code)
	}

	// The correction form starts from the quote.
	w = pc.get("/remittances/quotes/new?corrects=" + id[1])
	wantCode(t, w, http.StatusOK)
	wantBody(t, w, []string{`name="corrects" value="` + id[1] + `"`, `id="remit-correcting"`, `value="168"`, `value="GBR"`}, nil)
	fix := url.Values{}
	for k, v := range good {
		fix[k] = v
	}
	fix.Set("fee", "1")
	fix.Set("corrects", id[1])
	w = pc.post("/remittances/quotes/new", fix)
	wantCode(t, w, http.StatusCreated)
	wantBody(t, w, []string{"Corrects quote</dt><dd>" + id[1] + "</dd>"}, nil)
	nid := regexp.MustCompile(`Quote number</dt><dd>(\d+)</dd>`).FindStringSubmatch(w.Body.String())
	w = h.client(t).get("/remittances?from=GBR&to=KEN&amount=200&currency=GBP")
	wantBody(t, w, []string{`<data value="33432.00">33,432.00 KES</data>`}, []string{`33,096.00 KES`}) // (200 − 1) × 168
	w = pc.get("/remittances/quotes/mine")
	wantBody(t, w, []string{"Superseded by quote " + nid[1]}, nil)

	// The withdrawal: a redirect to the list, gone from the comparison.
	w = pc.post("/remittances/quotes/"+nid[1]+"/withdraw", url.Values{})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/remittances/quotes/mine?withdrawn=") {
		t.Fatalf("withdraw: %d %s", w.Code, w.Header().Get("Location"))
	}
	w = pc.get(w.Header().Get("Location"))
	wantBody(t, w, []string{`id="remit-mine-notice"`, "Withdrawn on"}, nil)
	w = h.client(t).get("/remittances?from=GBR&to=KEN&amount=200&currency=GBP")
	wantBody(t, w, nil, []string{"33,432.00 KES", "Diaspora Network"})
	// In every language, within the CSP, with no message missing.
	for _, lang := range []string{"fr", "es", "en"} {
		for _, path := range []string{"/remittances/quotes/mine?lang=" + lang, "/remittances/quotes/new?corrects=" + id[1] + "&lang=" + lang} {
			w := pc.get(path)
			wantCode(t, w, http.StatusOK)
			for _, problem := range cspViolations(parseHTML(t, w.Body)) {
				t.Errorf("%s: %s", path, problem)
			}
		}
	}
	if w := pc.get("/remittances/quotes/mine?lang=fr"); !strings.Contains(w.Body.String(), "Remplacée par la cotation "+nid[1]) {
		t.Errorf("French status missing")
	}
	if strings.Contains(h.logs.String(), "missing translation") {
		t.Errorf("the pages asked for missing messages:\n%s", h.logs)
	}
}

// RPW's codes that the reference geography lacks are shown by name on
// the planners' page and the sender page, never as raw codes.
func TestRemittanceNamesForRPWCodes(t *testing.T) {
	h := newAccountHarness(t)
	importShippedRPW(t, h)
	c := h.client(t)
	w := c.get("/remittances/corridors?period=2020Q3")
	wantCode(t, w, http.StatusOK)
	wantBody(t, w, []string{"DEU → Kosovo<", ">Kosovo<"}, []string{"→ KSV<", ">KSV<"}) // the test geography lacks DEU
	w = c.get("/remittances/corridors?period=2015Q3")
	wantCode(t, w, http.StatusOK)
	wantBody(t, w, []string{"→ Netherlands Antilles<"}, []string{"→ ANT<", ">ANT<"})
	w = c.get("/remittances?from=DEU&to=KSV")
	if w.Code == http.StatusOK {
		wantBody(t, w, []string{"→ Kosovo"}, nil)
	}
}
