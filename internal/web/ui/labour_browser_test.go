package ui

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/store"
)

// TestBrowserLabourPipeline walks labour mobility in a real Chromium
// through the plain forms: an employer posts and publishes a vacancy; a
// labour agency registers a worker whose skills match; the employer sees
// the worker ranked on the candidates page with the matched skills,
// starts a drive shortlisting the worker, computes the optimal
// assignment, and moves the candidate stage by stage (attending every
// orientation module before travel) to arrival, where the board shows the
// card in the arrived column.
func TestBrowserLabourPipeline(t *testing.T) {
	chrome := requireChromium(t)
	h := newLabourHarness(t)
	srv := newHTTPServer(t, h.harness)
	ctx, console := newBrowser(t, chrome)

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

	// The employer posts a vacancy and publishes it.
	signIn("sign in as the employer on the way to the vacancy form", "employer", "/labour/vacancies/new", "#vac-title")
	do(t, ctx, "fill in and publish the vacancy",
		chromedp.SendKeys(chromedp.ID("vac-title"), "Cruise ship welder"),
		chromedp.SendKeys(chromedp.ID("vac-occupation"), "welder"),
		chromedp.SetValue(chromedp.ID("vac-sector"), "C"),
		chromedp.SetValue(chromedp.ID("vac-positions"), "2"),
		chromedp.SetValue(chromedp.ID("vac-destination"), "FRA"),
		chromedp.SendKeys(chromedp.ID("vac-place"), "Saint-Nazaire"),
		chromedp.SetValue(chromedp.ID("vac-essentialSkills"), "arc welding\nread blueprints\nmetal cutting"),
		chromedp.SetValue(chromedp.ID("vac-optionalSkills"), "workplace safety"),
		chromedp.SendKeys(chromedp.ID("vac-languages-0-code"), "fr"),
		chromedp.SetValue(chromedp.ID("vac-languages-0-level"), "A2"),
		chromedp.SendKeys(chromedp.ID("vac-monthlyWage"), "2400"),
		chromedp.SendKeys(chromedp.ID("vac-currency"), "EUR"),
		chromedp.SetValue(chromedp.ID("vac-housing"), "provided-paid"),
		chromedp.SetValue(chromedp.ID("vac-channel-kind"), "skills-partnership"),
		chromedp.SendKeys(chromedp.ID("vac-channel-name"), "Kenya–France welding partnership"),
		chromedp.Click(chromedp.ID("vac-publish")),
		chromedp.WaitVisible(chromedp.CSS(`.notice-success`)),
	)
	if s := text("read the vacancy's status", "#vacancy-table .vacancy-status"); s != "Published" {
		t.Fatalf("the posted vacancy is %q", s)
	}
	signOut()

	// The agency registers a worker with consent.
	signIn("sign in as the agency on the way to the registration form", "agent", "/labour/workers/new", "#wk-givenName")
	do(t, ctx, "register the worker",
		chromedp.Click(chromedp.ID("wk-consent-matching")),
		chromedp.Click(chromedp.ID("wk-consent-shareWithEmployers")),
		chromedp.SendKeys(chromedp.ID("wk-givenName"), "Amina"),
		chromedp.SendKeys(chromedp.ID("wk-familyName"), "Otieno"),
		chromedp.SetValue(chromedp.ID("wk-origin"), "KEN"),
		chromedp.SendKeys(chromedp.ID("wk-occupations-0-occupation"), "welder"),
		chromedp.SendKeys(chromedp.ID("wk-occupations-0-years"), "5"),
		chromedp.SetValue(chromedp.ID("wk-skills"), "arc welding\nread blueprints\nmetal cutting\nworkplace safety"),
		chromedp.SendKeys(chromedp.ID("wk-languages-0-code"), "fr"),
		chromedp.SetValue(chromedp.ID("wk-languages-0-level"), "B1"),
		chromedp.SetValue(chromedp.ID("wk-education"), "3"),
		chromedp.SetValue(chromedp.ID("wk-experienceYears"), "5"),
		chromedp.SendKeys(chromedp.ID("wk-preferredDestinations"), "FRA"),
		chromedp.Click(chromedp.ID("wk-submit")),
		chromedp.WaitVisible(chromedp.ID("worker-vacancies")),
	)
	if s := text("read the worker's name", "#worker-name"); s != "Amina Otieno" {
		t.Errorf("the registered worker is %q", s)
	}
	if s := text("read the worker's vacancies", "#worker-vacancies"); !strings.Contains(s, "Cruise ship welder") {
		t.Errorf("the worker's ranked vacancies: %q", s)
	}
	signOut()

	// The employer sees the worker ranked, by reference, with the skills
	// matched, and starts a drive shortlisting the worker.
	signIn("sign in as the employer again", "employer", "/labour/vacancies", "#vacancy-table")
	do(t, ctx, "open the candidates",
		chromedp.Click(chromedp.CSS(`#vacancy-table a[href$="/candidates"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.candidate`)),
	)
	ref := text("read the first candidate", ".candidate .candidate-ref")
	if !strings.HasPrefix(ref, "W-") {
		t.Errorf("the candidate is shown as %q", ref)
	}
	if s := text("read the matched skills", ".candidate .labour-matched"); s != "arc welding, read blueprints, metal cutting" {
		t.Errorf("matched essential skills %q", s)
	}
	if s := text("read the missing skills", ".candidate .labour-missing"); s != "none" {
		t.Errorf("missing essential skills %q", s)
	}
	if s := text("read the candidates page", "main"); strings.Contains(s, "Amina") {
		t.Error("the candidates page names the worker before shortlisting")
	}
	do(t, ctx, "tick the candidate and start the drive",
		chromedp.Click(chromedp.CSS(`.candidate input[name="worker"]`)),
		chromedp.Click(chromedp.ID("candidates-shortlist")),
		chromedp.WaitVisible(chromedp.CSS(`#stage-shortlisted .board-card`)),
	)
	card := get(t, ctx, "read the card's id", chromedp.Evaluate[string](`document.querySelector("#stage-shortlisted .board-card").id`))
	if s := text("read the card", "#"+card); !strings.Contains(s, ref) || !strings.Contains(s, "Amina Otieno") || !strings.Contains(s, "Cruise ship welder") {
		t.Errorf("the shortlisted card: %q", s)
	}
	do(t, ctx, "compute the optimal assignment",
		chromedp.Click(chromedp.ID("drive-assign")),
		chromedp.WaitVisible(chromedp.ID("drive-totals")),
	)
	if s := text("read the plan", "#drive-pairs"); !strings.Contains(s, ref) || !strings.Contains(s, "Cruise ship welder") {
		t.Errorf("the plan: %q", s)
	}

	// Through the pipeline: each stage's form moves the card to the next.
	id := strings.TrimPrefix(card, "app-")
	for _, stage := range []string{"interviewed", "offered", "accepted", "visa", "pre-departure"} {
		do(t, ctx, "move to "+stage,
			chromedp.Click(chromedp.ID("move-"+id)),
			chromedp.WaitVisible(chromedp.CSS("#stage-"+stage+" #"+card)),
		)
	}
	// Travel before the orientation is refused, on the card.
	do(t, ctx, "try to travel before the orientation",
		chromedp.SetValue(chromedp.ID("move-stage-"+id), "travel"),
		chromedp.Click(chromedp.ID("move-"+id)),
		chromedp.WaitVisible(chromedp.ID("drive-problem")),
	)
	if s := text("read the refusal", "#"+card+" .field-error"); !strings.Contains(s, "orientation") {
		t.Errorf("travel before the orientation: %q", s)
	}
	modules := get(t, ctx, "count the modules", chromedp.Evaluate[int](`document.querySelectorAll("#`+card+` input[name=module]").length`))
	if modules != 6 {
		t.Errorf("%d orientation modules, want 6", modules)
	}
	do(t, ctx, "attend every orientation module",
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("#`+card+` input[name=module]").forEach(c => { c.checked = true })`),
		chromedp.Click(chromedp.ID("attend-"+id)),
		chromedp.WaitVisible(chromedp.CSS(`#drive-saved`)),
	)
	if s := text("read the orientation", "#"+card+" .orientation-form legend"); !strings.Contains(s, "complete") {
		t.Errorf("after attending every module the orientation is %q", s)
	}
	for _, stage := range []string{"travel", "arrived"} {
		do(t, ctx, "move to "+stage,
			chromedp.Click(chromedp.ID("move-"+id)),
			chromedp.WaitVisible(chromedp.CSS("#stage-"+stage+" #"+card)),
		)
	}
	if n := get(t, ctx, "count the arrived cards", chromedp.Evaluate[int](`document.querySelectorAll("#stage-arrived .board-card").length`)); n != 1 {
		t.Errorf("%d cards in the arrived column", n)
	}
	if s := text("read the arrived card", "#stage-arrived #"+card); !strings.Contains(s, "Chantiers de l'Atlantique") {
		t.Errorf("the arrived card does not name the responsible organisation: %q", s)
	}
	// On a phone the public search, the vacancy and the board fit the
	// width (nothing scrolls sideways).
	drive := get(t, ctx, "read the drive's address", chromedp.Evaluate[string](`location.pathname`))
	for _, path := range []string{"/vacancies?occ=welder", "/vacancies/1", drive} {
		do(t, ctx, "open "+path+" on a phone",
			chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
			chromedp.Navigate(srv+path),
			chromedp.WaitVisible(chromedp.CSS("h1")),
		)
		if w := get(t, ctx, "measure "+path, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`)); w > 1 {
			t.Errorf("%s: the page scrolls sideways by %d px on a phone", path, w)
		}
	}
	for _, msg := range console.messages() {
		// The refused move to travel answers 409 on purpose.
		if strings.Contains(msg, "status of 409") && strings.HasSuffix(msg, "/labour/applications/"+id+"/stage") {
			continue
		}
		t.Errorf("browser reported: %s", msg)
	}
}

// TestBrowserLabourMe walks a worker's own account in a real Chromium
// through the plain forms: the worker follows the link on /labour to
// /labour/me, registers their profile with their own consent, sees the
// vacancy it matches, and withdraws consent, which brings the
// registration form back.
func TestBrowserLabourMe(t *testing.T) {
	chrome := requireChromium(t)
	h := newLabourHarness(t)
	wantCode(t, h.caseClient(t, "employer").post("/labour/vacancies", welderVacancyForm("Cruise ship welder")), http.StatusSeeOther)
	addWorkerAccount(t, h, "wanjiru")
	srv := newHTTPServer(t, h.harness)
	ctx, console := newBrowser(t, chrome)

	do(t, ctx, "sign in as the worker on the way to /labour",
		chromedp.Navigate(srv+"/login?next=%2Flabour"),
		chromedp.WaitVisible(chromedp.ID("login-username")),
		chromedp.SendKeys(chromedp.ID("login-username"), "wanjiru"),
		chromedp.SendKeys(chromedp.ID("login-password"), testPassword),
		chromedp.Click(chromedp.CSS(`form.form-card button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("labour-me-link")),
		chromedp.Click(chromedp.ID("labour-me-link")),
		chromedp.WaitVisible(chromedp.ID("wk-givenName")),
	)
	do(t, ctx, "register the profile",
		chromedp.Click(chromedp.ID("wk-consent-matching")),
		chromedp.SendKeys(chromedp.ID("wk-givenName"), "Wanjiru"),
		chromedp.SendKeys(chromedp.ID("wk-familyName"), "Kamau"),
		chromedp.SetValue(chromedp.ID("wk-origin"), "KEN"),
		chromedp.SendKeys(chromedp.ID("wk-occupations-0-occupation"), "welder"),
		chromedp.SetValue(chromedp.ID("wk-skills"), "arc welding\nread blueprints\nmetal cutting"),
		chromedp.SendKeys(chromedp.ID("wk-languages-0-code"), "fr"),
		chromedp.SetValue(chromedp.ID("wk-languages-0-level"), "B1"),
		chromedp.Click(chromedp.ID("me-submit")),
		chromedp.WaitVisible(chromedp.ID("me-vacancies")),
	)
	if s := get(t, ctx, "read the name", chromedp.Text(chromedp.ID("me-name"))); s != "Wanjiru Kamau" {
		t.Errorf("the profile is %q", s)
	}
	if s := get(t, ctx, "read the vacancies", chromedp.Text(chromedp.ID("me-vacancies"))); !strings.Contains(s, "Cruise ship welder") {
		t.Errorf("the matched vacancies: %q", s)
	}
	do(t, ctx, "withdraw consent",
		chromedp.Click(chromedp.ID("me-withdraw-button")),
		chromedp.WaitVisible(chromedp.ID("me-withdrawn")),
	)
	ws, _, err := h.db.Labour().Workers(context.Background(), h.principal(t, "wanjiru"), store.WorkerFilter{})
	if err != nil || len(ws) != 1 || ws[0].Status != labour.WorkerWithdrawn || ws[0].Consent.RecordedBy != "self" {
		t.Errorf("the worker's profile after withdrawal: %+v %v", ws, err)
	}
	for _, msg := range console.messages() {
		t.Errorf("browser reported: %s", msg)
	}
}
