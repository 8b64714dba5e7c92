package ui

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/auth"

	"github.com/chromedp/chromedp"
)

// TestBrowserRemittancesPhone drives a headless Chromium at a phone's
// size (390×844) over the shipped RPW files: a sender chooses the
// sending and receiving countries and the amount, submits, and sees the
// services with the amount received; the services become cards that fit
// the width (the page never scrolls sideways) and the controls are large
// enough to touch.
func TestBrowserRemittancesPhone(t *testing.T) {
	chrome := requireChromium(t)
	h := newAccountHarness(t)
	importShippedRPW(t, h)
	// The shipped quotes are from August 2025, stale now: a provider
	// submits a current one, which is ranked.
	h.addUser(t, auth.User{Username: "provider", FullName: "Pia Provider", Email: "pia@example.org", OrgID: h.orgB.ID,
		Roles: []string{auth.RoleRemittanceProvider}})
	w := h.caseClient(t, "provider").post("/remittances/quotes/new", url.Values{"from": {"KEN"}, "to": {"UGA"}, "firm": {"Diaspora Network"},
		"firmType": {"mobile"}, "amount": {"18000"}, "sendCurrency": {"KES"}, "fee": {"150"}, "rate": {"26.9"}, "interbankRate": {"27.59"},
		"receiveCurrency": {"UGX"}, "speed": {"Less than one hour"}, "pickupMethod": {"Mobile wallet"}, "transparent": {"on"}})
	wantCode(t, w, http.StatusCreated)
	srv := newHTTPServer(t, h.harness)
	ctx, console := newBrowser(t, chrome)
	do(t, ctx, "open the comparison on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(srv+"/remittances"),
		chromedp.WaitVisible(chromedp.ID("remit-form")),
	)
	// Large touch targets: the selects, the amount and the button.
	small := get(t, ctx, "measure the controls", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#remit-form select, #remit-form input, #remit-form button")]
		.filter(e => e.getBoundingClientRect().height < 44).map(e => e.id + " " + e.getBoundingClientRect().height)`))
	for _, s := range small {
		t.Errorf("control smaller than 44 px: %s", s)
	}
	do(t, ctx, "choose Kenya → Uganda, 18000",
		chromedp.SetValue(chromedp.ID("remit-from"), "KEN"),
		chromedp.SetValue(chromedp.ID("remit-to"), "UGA"),
		chromedp.SendKeys(chromedp.ID("remit-amount"), "18000"),
		chromedp.SendKeys(chromedp.ID("remit-currency"), "KES"),
		chromedp.Click(chromedp.ID("remit-submit")),
		chromedp.WaitVisible(chromedp.ID("remit-services")),
	)
	url := get(t, ctx, "read the address", chromedp.Evaluate[string](`location.search`))
	for _, p := range []string{"from=KEN", "to=UGA", "amount=18000", "currency=KES"} {
		if !strings.Contains(url, p) {
			t.Errorf("address %q lacks %s", url, p)
		}
	}
	received := get(t, ctx, "read the amounts received", chromedp.Evaluate[[]string](`[...document.querySelectorAll(".remit-received data")].map(d => d.value)`))
	if len(received) == 0 {
		t.Fatal("no service shows an amount received")
	}
	first := get(t, ctx, "read the first ranked service", chromedp.Evaluate[[]string](`[...document.querySelectorAll(".remit-ranked")].map(tr =>
		tr.querySelector(".remit-rank").textContent.trim() + " " + tr.querySelector(".remit-provider").textContent.trim().split("\n")[0] + " " + tr.querySelector(".remit-received data").value)`))
	// (18000 − 150) × 26.9 = 480,165 UGX.
	if len(first) != 1 || !strings.HasPrefix(first[0], "1 Diaspora Network") || !strings.HasSuffix(first[0], " 480165.00") {
		t.Errorf("ranked services %q, want the submitted quote first with 480165.00 received", first)
	}
	problems := get(t, ctx, "measure the layout", chromedp.Evaluate[[]string](`(() => {
		const vw = document.documentElement.clientWidth, bad = [];
		if (document.documentElement.scrollWidth > vw + 1) bad.push("the page scrolls sideways: " + document.documentElement.scrollWidth + " px in " + vw);
		if (document.body.scrollWidth > vw + 1) bad.push("the body is wider than the window: " + document.body.scrollWidth);
		for (const tr of document.querySelectorAll(".remit-table tbody tr")) {
			const r = tr.getBoundingClientRect();
			if (r.left < -1 || r.right > vw + 1) bad.push("a service card reaches past the window: " + r.left + "–" + r.right);
		}
		for (const td of document.querySelectorAll(".remit-table td[data-label]")) {
			if (getComputedStyle(td, "::before").content.indexOf(td.dataset.label) < 0) bad.push("a cell without its label: " + td.dataset.label);
		}
		for (const c of document.querySelectorAll(".chart-scroll")) {
			const r = c.getBoundingClientRect();
			if (r.right > vw + 1) bad.push("a chart reaches past the window: " + r.right);
		}
		return bad;
	})()`))
	for _, p := range problems {
		t.Error(p)
	}
	// The shipped survey prices (older than the stale age) are a table of
	// their own below the current offers, each row marked stale; it fits
	// the phone like the rest (measured above with every .remit-table).
	survey := get(t, ctx, "read the survey table", chromedp.Evaluate[[]string](`[document.querySelector("#remit-survey-heading")?.textContent ?? "",
		String(document.querySelectorAll("#remit-survey .remit-service").length),
		String(document.querySelectorAll("#remit-survey .remit-service .remit-stale").length),
		String(document.querySelectorAll("#remit-survey .remit-ranked").length),
		String(document.querySelector("#remit-survey").getBoundingClientRect().top > document.querySelector("#remit-services").getBoundingClientRect().top)]`))
	if !strings.HasPrefix(survey[0], "Latest survey (World Bank RPW, 2025Q3") || survey[1] == "0" || survey[1] != survey[2] || survey[3] != "0" || survey[4] != "true" {
		t.Errorf("survey table on the phone: heading %q, %s rows, %s marked stale, %s ranked, below the offers %s", survey[0], survey[1], survey[2], survey[3], survey[4])
	}
	// The cards show the received amount with its label.
	label := get(t, ctx, "read a card's label", chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".remit-received"), "::before").content`))
	if !strings.Contains(label, "Amount received") {
		t.Errorf("the amount received is labelled %s", label)
	}
	// The planners' page fits the phone too: its tables scroll inside
	// their wrappers, the map shrinks.
	for _, path := range []string{"/remittances/corridors?period=2025Q3", "/remittances/corridors?period=2020Q3&lang=fr"} {
		do(t, ctx, "open "+path, chromedp.Navigate(srv+path), chromedp.WaitVisible(chromedp.ID("remit-ranking")))
		if w := get(t, ctx, "measure "+path, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`)); w > 1 {
			t.Errorf("%s: the page scrolls sideways by %d px", path, w)
		}
	}
	for _, msg := range console.messages() {
		t.Errorf("browser reported: %s", msg)
	}
}
