package ui

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/corridor-platform/corridor/internal/geo"
)

// TestBrowserJourney drives a real headless Chromium through the pages a
// visitor uses: home → search "Kenya" → the results → Kenya's page →
// French. It also checks that the stylesheet and script load under the
// Content Security Policy and that the page logs no errors.
//
// Without a Chromium it skips, except in CI (CI set), where it fails: the
// browser is part of the test environment there.
func TestBrowserJourney(t *testing.T) {
	chrome := requireChromium(t)
	h := newHarness(t, browserStore(t))
	srv := newHTTPServer(t, h)

	ctx, console := newBrowser(t, chrome)

	// Home: the stylesheet and the script load under the CSP.
	do(t, ctx, "open the home page",
		chromedp.Navigate(srv+"/"),
		chromedp.WaitVisible(chromedp.ID("home-q")),
	)
	if lang := get(t, ctx, "read <html lang>", chromedp.AttributeValue(chromedp.CSS("html"), "lang")); lang.Value != "en" {
		t.Errorf("home page lang = %q, want en", lang.Value)
	}
	bg := get(t, ctx, "read the header colour",
		chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".site-header")).backgroundColor`))
	if bg != "rgb(13, 59, 102)" {
		t.Errorf("header background = %q: the stylesheet did not load", bg)
	}
	if !get(t, ctx, "check the script ran", chromedp.Evaluate[bool](`document.documentElement.classList.contains("js")`)) {
		t.Error("corridor.js did not run")
	}

	// The capabilities menu opens on click and closes on Escape (the script).
	const menuOpen = `document.querySelector(".nav-menu details").open`
	do(t, ctx, "open the capabilities menu", chromedp.Click(chromedp.CSS(".nav-menu summary")))
	openAfterClick := get(t, ctx, "read the menu state", chromedp.Evaluate[bool](menuOpen))
	do(t, ctx, "press Escape", chromedp.KeyEvent(kb.Escape))
	openAfterEscape := get(t, ctx, "read the menu state", chromedp.Evaluate[bool](menuOpen))
	if !openAfterClick || openAfterEscape {
		t.Errorf("capabilities menu: open after click %v, after Escape %v", openAfterClick, openAfterEscape)
	}

	// Search for Kenya.
	kenyaLink := chromedp.CSS(`table.results a[href="/countries/KEN"]`)
	do(t, ctx, "search for Kenya",
		chromedp.SendKeys(chromedp.ID("home-q"), "Kenya"),
		chromedp.Click(chromedp.CSS(`form.search-box button[type="submit"]`)),
		chromedp.WaitVisible(kenyaLink),
	)
	if loc := get(t, ctx, "read the URL", chromedp.Location()); !strings.Contains(loc, "/countries?q=Kenya") {
		t.Errorf("results URL = %q", loc)
	}

	// Results → Kenya.
	do(t, ctx, "open Kenya", chromedp.Click(kenyaLink), chromedp.WaitVisible(chromedp.ID("facts-m49")))
	if h1 := get(t, ctx, "read the heading", chromedp.Text(chromedp.CSS("h1"))); h1 != "Kenya" {
		t.Errorf("h1 = %q, want Kenya", h1)
	}
	facts := get(t, ctx, "read the facts", chromedp.Text(chromedp.CSS(".fact-grid")))
	for _, want := range []string{"Africa", "Sub-Saharan Africa", "Eastern Africa", "Intermediate region"} {
		if !strings.Contains(facts, want) {
			t.Errorf("Kenya's facts lack %q:\n%s", want, facts)
		}
	}

	// Switch to French: the same page, a French interface, the data as is.
	do(t, ctx, "switch to French",
		chromedp.Click(chromedp.CSS(`.lang-switch a[hreflang="fr"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="fr"] #facts-m49`)),
	)
	if loc := get(t, ctx, "read the URL", chromedp.Location()); !strings.Contains(loc, "/countries/KEN") {
		t.Errorf("after switching language the page is %q, want Kenya's", loc)
	}
	frFacts := get(t, ctx, "read the French facts", chromedp.Text(chromedp.CSS(".fact-grid")))
	for _, want := range []string{"Région intermédiaire", "Sous-région", "Groupe de revenu", "Eastern Africa"} {
		if !strings.Contains(frFacts, want) {
			t.Errorf("French facts lack %q:\n%s", want, frFacts)
		}
	}
	frNav := get(t, ctx, "read the French navigation", chromedp.Text(chromedp.CSS(".site-nav")))
	for _, want := range []string{"Accueil", "Pays", "Fonctions"} {
		if !strings.Contains(frNav, want) {
			t.Errorf("French navigation lacks %q: %q", want, frNav)
		}
	}
	if src := get(t, ctx, "read the sources", chromedp.Text(chromedp.CSS(".sources"))); !strings.Contains(src, "Sources et citation") {
		t.Errorf("French sources heading missing: %q", src)
	}

	// The choice holds on the next page, through the cookie.
	do(t, ctx, "go home in French",
		chromedp.Click(chromedp.CSS(`.site-nav a[href="/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="fr"] #home-q`)),
	)
	if h := get(t, ctx, "read the search heading", chromedp.Text(chromedp.ID("home-search-heading"))); h != "Trouver un pays" {
		t.Errorf("home search heading = %q after choosing French", h)
	}

	for _, msg := range console.messages() {
		t.Errorf("browser reported: %s", msg)
	}
}

// TestBrowserSignInJourney signs in and out in a real Chromium: the
// account page sends a signed-out visitor to the sign-in form and back;
// a wrong password is refused with the generic message; the right one
// opens the account page with the user in the header; signing out (a
// POST form carrying the CSRF token) closes it again.
func TestBrowserSignInJourney(t *testing.T) {
	chrome := requireChromium(t)
	h := newAccountHarness(t)
	srv := newHTTPServer(t, h.harness)
	ctx, console := newBrowser(t, chrome)

	do(t, ctx, "open the account page signed out",
		chromedp.Navigate(srv+"/account"),
		chromedp.WaitVisible(chromedp.ID("login-username")),
	)
	if loc := get(t, ctx, "read the URL", chromedp.Location()); loc != srv+"/login?next=%2Faccount" {
		t.Errorf("signed out, /account led to %q", loc)
	}

	submit := chromedp.CSS(`form.form-card button[type="submit"]`)
	do(t, ctx, "sign in with a wrong password",
		chromedp.SendKeys(chromedp.ID("login-username"), "viewer"),
		chromedp.SendKeys(chromedp.ID("login-password"), "not-the-right-password"),
		chromedp.Click(submit),
		chromedp.WaitVisible(chromedp.ID("login-error")),
	)
	if msg := get(t, ctx, "read the error", chromedp.Text(chromedp.ID("login-error"))); !strings.Contains(msg, "Wrong username or password.") {
		t.Errorf("sign-in error = %q", msg)
	}

	do(t, ctx, "sign in",
		chromedp.SetValue(chromedp.ID("login-username"), "viewer"),
		chromedp.SendKeys(chromedp.ID("login-password"), testPassword),
		chromedp.Click(submit),
		chromedp.WaitVisible(chromedp.ID("account-details")),
	)
	if loc := get(t, ctx, "read the URL", chromedp.Location()); loc != srv+"/account" {
		t.Errorf("after signing in the page is %q, want the account page", loc)
	}
	details := get(t, ctx, "read the account", chromedp.Text(chromedp.CSS(".fact-grid")))
	for _, want := range []string{"viewer", "Vera Viewer", "vera@example.org", "Ministry of Labour", "Viewer"} {
		if !strings.Contains(details, want) {
			t.Errorf("the account page lacks %q:\n%s", want, details)
		}
	}
	if bar := get(t, ctx, "read the header", chromedp.Text(chromedp.CSS(".account-bar"))); !strings.Contains(bar, "Signed in as viewer") {
		t.Errorf("header = %q", bar)
	}
	if get(t, ctx, "read document.cookie", chromedp.Evaluate[bool](`document.cookie.includes("corridor_session")`)) {
		t.Error("the session cookie is readable by scripts")
	}

	do(t, ctx, "sign out",
		chromedp.Click(chromedp.CSS(".signout-form button")),
		chromedp.WaitVisible(chromedp.CSS(".signin-link")),
	)
	if loc := get(t, ctx, "read the URL", chromedp.Location()); loc != srv+"/" {
		t.Errorf("after signing out the page is %q, want home", loc)
	}
	do(t, ctx, "open the account page again",
		chromedp.Navigate(srv+"/account"),
		chromedp.WaitVisible(chromedp.ID("login-username")),
	)

	for _, msg := range console.messages() {
		// The wrong password's page comes with status 401, which the
		// browser logs; that one is expected.
		if strings.Contains(msg, "status of 401") && strings.HasSuffix(msg, srv+"/login") {
			continue
		}
		t.Errorf("browser reported: %s", msg)
	}
}

// requireChromium returns the Chromium to drive, or skips the test (fails
// it in CI, where the browser is part of the test environment).
func requireChromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chrome := chromiumPath()
	if chrome == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but no Chromium was found (chromium, chromium-browser, google-chrome on PATH, /usr/bin/chromium); install it with apt-get install -y chromium")
		}
		t.Skip("no Chromium found (chromium, chromium-browser, google-chrome on PATH, /usr/bin/chromium): skipping the browser test")
	}
	return chrome
}

// chromiumPath finds a Chromium or Chrome binary, or returns "".
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	return ""
}

// browserStore is the reference geography built from the shipped data
// files when they are there (the real thing), else the test reference.
func browserStore(t *testing.T) geo.Store {
	t.Helper()
	files := geo.DefaultSourceFiles(filepath.Join("..", "..", "..", "data"))
	if _, err := os.Stat(files.ISO); err != nil {
		t.Logf("no shipped reference data (%v): using the test reference", err)
		return newMemStore(testReference())
	}
	ref, err := geo.LoadReference(context.Background(), files, geo.Hooks{})
	if err != nil {
		t.Fatalf("loading the shipped reference data: %v", err)
	}
	return newMemStore(ref)
}

func newHTTPServer(t *testing.T, h *harness) string {
	t.Helper()
	srv := httptest.NewServer(h.handler)
	t.Cleanup(srv.Close)
	return srv.URL
}

// consoleLog collects the errors a page reports: uncaught exceptions and
// error-level log entries (CSP violations, failed loads).
type consoleLog struct {
	mu   sync.Mutex
	msgs []string
}

func (c *consoleLog) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, s)
}

func (c *consoleLog) messages() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.msgs...)
}

// newBrowser starts Chromium with a fresh profile; the whole journey must
// finish within 20 seconds.
func newBrowser(t *testing.T, chrome string) (context.Context, *consoleLog) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	// The timeout bounds the whole browser, which is the point here.
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 20*time.Second)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	console := &consoleLog{}
	ctx, cancelBrowser := chromedp.NewContext(ctx, chromedp.WithListener(console.listen))
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
	})
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("starting Chromium (%s): %v", chrome, err)
	}
	return ctx, console
}

// listen runs in the tab's event loop: it must return fast.
func (c *consoleLog) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		c.add("exception: " + ev.ExceptionDetails.Text)
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError {
			c.add(string(ev.Entry.Source) + ": " + ev.Entry.Text + " " + ev.Entry.URL)
		}
	}
}

// do runs steps of the journey that return nothing, naming the step when
// one fails.
func do(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// get runs one step that reads a value.
func get[T any](t *testing.T, ctx context.Context, step string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	return v
}
