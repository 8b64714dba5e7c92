package ui

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCaseJourney walks a case in a real Chromium through the
// plain forms: intake, assistance (a service and a comment), referral
// (consent to referral, referral to another organisation, accepted by a
// user of that organisation) and closure as referred.
func TestBrowserCaseJourney(t *testing.T) {
	chrome := requireChromium(t)
	h := newCaseHarness(t)
	srv := newHTTPServer(t, h.harness)
	ctx, console := newBrowser(t, chrome)

	notice := func(text string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(chromedp.Search(`//div[contains(@class,"notice-success")][contains(., "` + text + `")]`))
	}
	signIn := func(step, username, path, waitFor string) {
		t.Helper()
		do(t, ctx, step,
			chromedp.Navigate(srv+path),
			chromedp.WaitVisible(chromedp.ID("login-username")),
			chromedp.SendKeys(chromedp.ID("login-username"), username),
			chromedp.SendKeys(chromedp.ID("login-password"), testPassword),
			chromedp.Click(chromedp.CSS(`form.form-card button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(waitFor)),
		)
	}
	signOut := func() {
		t.Helper()
		do(t, ctx, "sign out",
			chromedp.Click(chromedp.CSS(`.signout-form button`)),
			chromedp.WaitVisible(chromedp.CSS(`.signin-link`)),
		)
	}
	text := func(step, sel string) string {
		t.Helper()
		return get(t, ctx, step, chromedp.Text(chromedp.CSS(sel)))
	}

	// Intake.
	signIn("sign in on the way to the intake form", "worker", "/cases/new", "#case-given-name")
	do(t, ctx, "register the person and open the case",
		chromedp.SendKeys(chromedp.ID("case-given-name"), "Esther"),
		chromedp.SendKeys(chromedp.ID("case-family-name"), "Adeyemi"),
		chromedp.SendKeys(chromedp.ID("case-birth-date"), "1998-07-03"),
		chromedp.SetValue(chromedp.ID("case-sex"), "female"),
		chromedp.SendKeys(chromedp.ID("case-nationality"), "NGA"),
		chromedp.SetValue(chromedp.ID("case-trafficking-status"), "ActualVictimOfTrafficking"),
		chromedp.Click(chromedp.ID("case-exploitation-ForcedLabour")),
		chromedp.Click(chromedp.ID("case-create")),
		notice("The case was opened"),
	)
	casePath := strings.TrimPrefix(strings.SplitN(get(t, ctx, "read the URL", chromedp.Location()), "?", 2)[0], srv)
	if s := text("read the status", "#case-status"); !strings.Contains(s, "Active") {
		t.Errorf("a new case is %q", s)
	}

	// Assistance.
	do(t, ctx, "record a service",
		chromedp.SetValue(chromedp.ID("service-type"), "Shelter"),
		chromedp.SendKeys(chromedp.ID("service-note"), "Two weeks at the women's shelter"),
		chromedp.Click(chromedp.CSS(`form[action$="/services"] button[type="submit"]`)),
		notice("The service was recorded"),
	)
	do(t, ctx, "add a comment",
		chromedp.SendKeys(chromedp.ID("comment-body"), "Identified at the bus station; wants legal advice."),
		chromedp.Click(chromedp.CSS(`form[action$="/comments"] button[type="submit"]`)),
		notice("The comment was added"),
	)
	if s := text("read the services", "#case-services"); !strings.Contains(s, "Two weeks at the women's shelter") {
		t.Errorf("services: %q", s)
	}
	if s := text("read the comments", "#case-comments"); !strings.Contains(s, "wants legal advice") {
		t.Errorf("comments: %q", s)
	}

	// Referral: consent first, then the referral.
	do(t, ctx, "record consent to referral",
		chromedp.SetValue(chromedp.ID("consent-type"), "referral"),
		chromedp.Click(chromedp.CSS(`form[action$="/consents"] button[type="submit"]`)),
		notice("The consent decision was recorded"),
	)
	do(t, ctx, "refer the case",
		chromedp.SetValue(chromedp.ID("referral-org"), id(h.orgB.ID)),
		chromedp.SetValue(chromedp.ID("referral-reason"), "AdditionalServicesRequired"),
		chromedp.Click(chromedp.CSS(`form[action$="/referrals"] button[type="submit"]`)),
		notice("The case was referred"),
	)
	if s := text("read the referrals", "#case-referrals"); !strings.Contains(s, "Diaspora Network") || !strings.Contains(s, "Requested") {
		t.Errorf("referrals: %q", s)
	}
	signOut()

	signIn("sign in as the other organisation", "bworker", "/cases", "#incoming-referrals")
	do(t, ctx, "accept the referral",
		chromedp.Click(chromedp.CSS(`#incoming-referrals button[value="accept"]`)),
		notice("The referral was accepted"),
	)
	if s := text("read the person", "#case-person"); s != "Esther Adeyemi" {
		t.Errorf("the accepting organisation sees %q", s)
	}
	signOut()

	// Closure.
	signIn("sign in again as the case worker", "worker", casePath, "#status-to-ClosedReferred")
	if s := text("read the referrals", "#case-referrals"); !strings.Contains(s, "Accepted") {
		t.Errorf("referrals after acceptance: %q", s)
	}
	do(t, ctx, "close the case as referred",
		chromedp.SendKeys(chromedp.ID("status-reason-ClosedReferred"), "Referred to Diaspora Network for legal aid"),
		chromedp.Click(chromedp.ID("status-to-ClosedReferred")),
		notice("The status was changed"),
	)
	if s := text("read the status", "#case-status"); !strings.Contains(s, "Closed (referred)") {
		t.Errorf("after closing the case is %q", s)
	}
	if s := text("read the reason", "#case-closure-reason"); s != "Referred to Diaspora Network for legal aid" {
		t.Errorf("reason for closure %q", s)
	}

	for _, msg := range console.messages() {
		t.Errorf("browser reported: %s", msg)
	}
}
