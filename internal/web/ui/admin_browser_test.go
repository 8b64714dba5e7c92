package ui

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/corridor-platform/corridor/internal/auth"
)

// TestBrowserAdminJourney administers roles, organisations and a user in
// a real Chromium, through the forms as a person uses them (the browser's
// own form checks included): create a role, set a permission in its grid,
// delete it after confirming; create an organisation after a refused
// country; give a user a role.
func TestBrowserAdminJourney(t *testing.T) {
	chrome := requireChromium(t)
	h := newAccountHarness(t)
	srv := newHTTPServer(t, h.harness)
	ctx, console := newBrowser(t, chrome)

	do(t, ctx, "sign in on the way to the roles",
		chromedp.Navigate(srv+"/admin/roles"),
		chromedp.WaitVisible(chromedp.ID("login-username")),
		chromedp.SendKeys(chromedp.ID("login-username"), "root"),
		chromedp.SendKeys(chromedp.ID("login-password"), testPassword),
		chromedp.Click(chromedp.CSS(`form.form-card button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("role-name")),
	)

	// A new role, then its grid.
	do(t, ctx, "create a role",
		chromedp.SendKeys(chromedp.ID("role-name"), "border-officer"),
		chromedp.SendKeys(chromedp.ID("role-title"), "Border officer"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/roles"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("perm-people-read")),
	)
	if loc := get(t, ctx, "read the URL", chromedp.Location()); loc != srv+"/admin/roles/border-officer?created=1" {
		t.Errorf("after creating the role the page is %q", loc)
	}
	if n := get(t, ctx, "count the grid", chromedp.Evaluate[int](`document.querySelectorAll(".perm-grid select").length`)); n != len(auth.Resources)*len(auth.Actions) {
		t.Errorf("%d selects in the grid", n)
	}
	// The page that comes back has a notice too: the one of the creation
	// goes first, so that waiting for a notice waits for the new page.
	get(t, ctx, "remove the creation notice", chromedp.Evaluate[bool](`document.querySelector(".notice-success").remove() === undefined`))
	do(t, ctx, "give the role team-wide reading of personal records",
		chromedp.SetValue(chromedp.ID("perm-people-read"), "team"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/roles/border-officer"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice-success")),
	)
	if loc := get(t, ctx, "read the URL", chromedp.Location()); loc != srv+"/admin/roles/border-officer?saved=1" {
		t.Errorf("after saving the page is %q", loc)
	}
	if v := get(t, ctx, "read the saved scope", chromedp.Evaluate[string](`document.getElementById("perm-people-read").value`)); v != "team" {
		t.Errorf("after saving, people:read = %q", v)
	}
	if role, _ := h.role(t, "border-officer"); len(role.Permissions) != 1 {
		t.Errorf("saved permissions %v", role.Permissions)
	}

	do(t, ctx, "delete the role after confirming",
		chromedp.Click(chromedp.CSS(`a[href="/admin/roles/border-officer/delete"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/roles/border-officer/delete"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/admin/roles/border-officer/delete"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice-success")),
	)
	if loc := get(t, ctx, "read the URL", chromedp.Location()); loc != srv+"/admin/roles?deleted=border-officer" {
		t.Errorf("after deleting the role the page is %q", loc)
	}
	if _, ok := h.role(t, "border-officer"); ok {
		t.Error("the role was not deleted")
	}

	// An organisation: a country the geography does not know is refused,
	// the summary names the field; then a good one.
	do(t, ctx, "open the organisations from the navigation",
		chromedp.Click(chromedp.CSS(`.site-nav a[href="/admin/orgs"]`)),
		chromedp.WaitVisible(chromedp.ID("org-name")),
		chromedp.SendKeys(chromedp.ID("org-name"), "Returnee Support Centre"),
		chromedp.SetValue(chromedp.ID("org-kind"), "ngo"),
		chromedp.SendKeys(chromedp.ID("org-country"), "XYZ"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/orgs"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")),
	)
	if s := get(t, ctx, "read the summary", chromedp.Text(chromedp.CSS(".error-summary"))); !strings.Contains(s, "no country or territory with the code “XYZ”") {
		t.Errorf("error summary %q", s)
	}
	do(t, ctx, "correct the country",
		chromedp.SetValue(chromedp.ID("org-country"), "esp"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/orgs"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice-success")),
	)
	if s := get(t, ctx, "read the list", chromedp.Text(chromedp.CSS("table.data-table"))); !strings.Contains(s, "Returnee Support Centre") || !strings.Contains(s, "ESP") {
		t.Errorf("the list lacks the new organisation:\n%s", s)
	}

	// A user gets a role.
	do(t, ctx, "give the viewer the case-worker role",
		chromedp.Click(chromedp.CSS(`.site-nav a[href="/admin/users"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/admin/users/`+id(h.ids["viewer"])+`"]`)),
		chromedp.Click(chromedp.CSS(`a[href$="/admin/users/`+id(h.ids["viewer"])+`"]`)),
		chromedp.WaitVisible(chromedp.ID("role-case-worker")),
		chromedp.Click(chromedp.ID("role-case-worker")),
		chromedp.Click(chromedp.CSS(`form[action="/admin/users/`+id(h.ids["viewer"])+`"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice-success")),
	)
	if s := get(t, ctx, "read the user", chromedp.Text(chromedp.ID("user-details"))); s == "" {
		t.Error("no user details")
	}
	if u := h.user(t, "viewer"); len(u.Roles) != 2 {
		t.Errorf("viewer's roles %v", u.Roles)
	}

	for _, msg := range console.messages() {
		// The refused organisation form comes with status 400, which the
		// browser logs; that one is expected.
		if strings.Contains(msg, "status of 400") && strings.HasSuffix(msg, srv+"/admin/orgs") {
			continue
		}
		t.Errorf("browser reported: %s", msg)
	}
}
