package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/i18n"
)

// The administration pages of roles, organisations and teams, and of one
// user, on the account harness: the same rules as the JSON API.

// post sends a form with the session's CSRF token.
func (c *client) post(target string, form url.Values) *httptest.ResponseRecorder {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", c.csrf())
	}
	return c.do(http.MethodPost, target, form)
}

func wantStatus(t *testing.T, w *httptest.ResponseRecorder, status int, location string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d\n%s", w.Code, status, w.Body)
	}
	if location != "" && w.Header().Get("Location") != location {
		t.Fatalf("Location %q, want %q", w.Header().Get("Location"), location)
	}
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func TestAdminAccessControl(t *testing.T) {
	h := newAccountHarness(t)
	h.addRole(t, auth.Role{Name: "border-officer", Title: "Border officer"})
	tests := []struct {
		user         string // "" signed out
		method, url  string
		status       int
		want, reject []string
	}{
		{"", "GET", "/admin/orgs", 303, nil, nil},
		{"", "GET", "/admin/roles/viewer", 303, nil, nil},
		{"", "POST", "/admin/roles", 401, []string{"Sign-in required"}, nil},
		{"", "POST", "/admin/orgs", 401, []string{"Sign-in required"}, nil},
		{"", "POST", "/admin/users/" + id(h.ids["viewer"]), 401, []string{"Sign-in required"}, nil},
		{"viewer", "GET", "/admin/roles/viewer", 403, []string{"Access denied"}, nil},
		{"viewer", "POST", "/admin/roles/border-officer", 403, []string{"Access denied"}, nil},
		{"viewer", "POST", "/admin/roles/border-officer/delete", 403, []string{"Access denied"}, nil},
		{"viewer", "GET", "/admin/users/" + id(h.ids["viewer"]), 403, []string{"Access denied"}, nil},
		// The viewer may read the directory of organisations, not their teams.
		{"viewer", "GET", "/admin/orgs", 200, []string{"Ministry of Labour", "Diaspora Network"},
			[]string{`href="/admin/orgs/`, `action="/admin/orgs"`}},
		{"viewer", "GET", "/admin/orgs/" + id(h.orgA.ID), 403, []string{"Access denied"}, nil},
		// The organisation administrator: roles read-only; their own
		// organisation; users of their organisation only.
		{"oadmin", "GET", "/admin/roles", 200, []string{`href="/admin/roles/border-officer"`}, []string{`action="/admin/roles"`}},
		{"oadmin", "GET", "/admin/roles/org-admin", 200, []string{"<h1>Role: Organisation administrator <code>org-admin</code></h1>",
			`class="scope scope-organisation">Organisation</td>`}, []string{"<select", `action="/admin/roles/org-admin"`, "/delete"}},
		{"oadmin", "POST", "/admin/roles", 403, []string{"Access denied"}, nil},
		{"oadmin", "POST", "/admin/roles/border-officer/delete", 403, []string{"Access denied"}, nil},
		{"oadmin", "GET", "/admin/orgs", 200, []string{"Ministry of Labour", `href="/admin/orgs/` + id(h.orgA.ID) + `"`, "1 organisation"},
			[]string{"Diaspora Network", `action="/admin/orgs"`}},
		{"oadmin", "POST", "/admin/orgs", 403, []string{"Access denied"}, nil},
		{"oadmin", "GET", "/admin/orgs/" + id(h.orgA.ID), 200, []string{"<h1>Ministry of Labour</h1>", `action="/admin/orgs/` + id(h.orgA.ID) + `/teams"`}, nil},
		{"oadmin", "GET", "/admin/orgs/" + id(h.orgB.ID), 404, []string{"Page not found"}, []string{"Diaspora Network"}},
		{"oadmin", "POST", "/admin/orgs/" + id(h.orgB.ID) + "/teams", 404, []string{"Page not found"}, nil},
		{"oadmin", "GET", "/admin/users/" + id(h.ids["viewer"]), 200, []string{"Vera Viewer", `action="/admin/users/` + id(h.ids["viewer"]) + `"`}, nil},
		{"oadmin", "GET", "/admin/users/" + id(h.ids["bob"]), 404, []string{"Page not found"}, []string{"Bob Other"}},
		{"oadmin", "POST", "/admin/users/" + id(h.ids["bob"]), 404, []string{"Page not found"}, nil},
		{"root", "GET", "/admin/users/nobody", 404, nil, nil},
		{"root", "GET", "/admin/users/999999", 404, nil, nil},
		{"root", "GET", "/admin/orgs/0", 404, nil, nil},
		{"root", "GET", "/admin/roles/no-such-role", 404, nil, nil},
		{"root", "POST", "/admin/roles/no-such-role", 404, nil, nil},
		{"root", "POST", "/admin/roles/no-such-role/delete", 404, nil, nil},
	}
	clients := map[string]*client{}
	for _, tt := range tests {
		t.Run(tt.user+" "+tt.method+" "+tt.url, func(t *testing.T) {
			c := clients[tt.user]
			if c == nil {
				c = h.client(t)
				if tt.user != "" {
					c.signIn(tt.user)
				}
				clients[tt.user] = c
			}
			c.t = t
			var form url.Values
			if tt.method == http.MethodPost {
				form = url.Values{}
				if tt.user != "" {
					form.Set("csrf_token", c.csrf())
				}
			}
			w := c.do(tt.method, tt.url, form)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d\n%s", w.Code, tt.status, w.Body)
			}
			if tt.status == 303 && !strings.HasPrefix(w.Header().Get("Location"), "/login?next=") {
				t.Errorf("Location %q", w.Header().Get("Location"))
			}
			wantBody(t, w, tt.want, tt.reject)
		})
	}
	// Without the CSRF token nothing is written.
	root := h.client(t)
	root.signIn("root")
	if w := root.do(http.MethodPost, "/admin/roles/border-officer/delete", url.Values{}); w.Code != http.StatusForbidden {
		t.Errorf("delete without CSRF: %d", w.Code)
	}
	if _, ok := h.role(t, "border-officer"); !ok {
		t.Error("a delete without CSRF deleted the role")
	}
}

// The navigation offers the organisations to those who may read them.
func TestNavigationOffersOrganisations(t *testing.T) {
	h := newAccountHarness(t)
	anon := h.client(t)
	wantBody(t, anon.get("/countries"), nil, []string{`href="/admin/orgs"`})
	viewer := h.client(t)
	viewer.signIn("viewer")
	wantBody(t, viewer.get("/countries"), []string{`<li class="nav-admin"><a href="/admin/orgs">Organisations</a></li>`},
		[]string{`href="/admin/users"`})
	root := h.client(t)
	root.signIn("root")
	w := root.get("/admin/orgs?lang=fr")
	wantBody(t, w, []string{`<a href="/admin/users">Utilisateurs</a></li>`, `<a href="/admin/orgs" aria-current="page">Organisations</a>`,
		`<a href="/admin/roles">Rôles</a>`}, nil)
	body := w.Body.String()
	if u, o, r := strings.Index(body, `href="/admin/users"`), strings.Index(body, `href="/admin/orgs"`), strings.Index(body, `href="/admin/roles"`); !(u < o && o < r) {
		t.Errorf("the navigation order is not Users, Organisations, Roles")
	}
}

func TestRoleAdministration(t *testing.T) {
	h := newAccountHarness(t)
	ctx := context.Background()
	root := h.client(t)
	root.signIn("root")

	// The roles page offers the form to those who may create roles.
	wantBody(t, root.get("/admin/roles"), []string{`<form class="form-card" method="post" action="/admin/roles">`,
		`<label for="role-name">Name (identifier)</label>`, `href="/admin/roles/case-worker"`, "Roles and the scope of each permission"}, nil)

	// Creating: every field checked, nothing created on a refusal.
	valid := func() url.Values {
		return url.Values{"name": {"border-officer"}, "title": {"Border officer"}, "description": {"Checks travellers at the border."}}
	}
	for _, tt := range []struct {
		name string
		edit func(url.Values)
		want []string
	}{
		{"no name", func(f url.Values) { f.Set("name", "") }, []string{"Name (identifier): this field is required.", `href="#role-name"`}},
		{"bad name", func(f url.Values) { f.Set("name", "Border Officer") }, []string{
			"Name (identifier): use 2 to 40 characters: lower-case letters, digits and hyphens.", `aria-invalid="true"`,
			`value="Border Officer"`}},
		{"name taken", func(f url.Values) { f.Set("name", "viewer") }, []string{"Name (identifier): a role with this name already exists."}},
		{"no title", func(f url.Values) { f.Set("title", " ") }, []string{"Title: this field is required.", `href="#role-title"`}},
		{"long description", func(f url.Values) { f.Set("description", strings.Repeat("x", 501)) },
			[]string{"Description (optional): use at most 500 characters."}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root.t = t
			f := valid()
			tt.edit(f)
			w := root.post("/admin/roles", f)
			wantStatus(t, w, http.StatusBadRequest, "")
			wantBody(t, w, append([]string{`role="alert"`, "Permission matrix"}, tt.want...), nil)
			if _, ok := h.role(t, f.Get("name")); ok && f.Get("name") != "viewer" {
				t.Errorf("a refused form created role %q", f.Get("name"))
			}
		})
	}
	root.t = t
	wantBody(t, root.post("/admin/roles?lang=es", url.Values{"name": {"X"}, "title": {"x"}}),
		[]string{"Nombre (identificador): de 2 a 40 caracteres: letras minúsculas, cifras y guiones."}, nil)
	delete(root.cookies, i18n.CookieName)

	w := root.post("/admin/roles", valid())
	wantStatus(t, w, http.StatusSeeOther, "/admin/roles/border-officer?created=1")
	role, ok := h.role(t, "border-officer")
	if !ok || role.Title != "Border officer" || role.Description != "Checks travellers at the border." || role.Builtin {
		t.Fatalf("created %+v", role)
	}
	if len(role.Permissions) != 0 {
		t.Errorf("a new role grants %v", role.Permissions)
	}
	// Its page: the grid, every cell none, the flash.
	w = root.get("/admin/roles/border-officer?created=1")
	wantBody(t, w, []string{"<h1>Role: Border officer <code>border-officer</code></h1>", "It allows nothing yet",
		"This role grants 0 permissions.", `<form method="post" action="/admin/roles/border-officer">`,
		`<label class="visually-hidden" for="perm-people-read">Personal records: Read</label>`,
		`<select id="perm-people-read" name="perm.people.read">`, `<option value="none" selected>None</option>`,
		`<option value="organisation">Organisation</option>`, `href="/admin/roles/border-officer/delete"`}, []string{" selected>All<"})
	if n := strings.Count(w.Body.String(), "<select "); n != len(auth.Resources)*len(auth.Actions) {
		t.Errorf("%d selects, want one per resource and action (%d)", n, len(auth.Resources)*len(auth.Actions))
	}

	// Editing the permissions: the grid replaces them all.
	grid := url.Values{"perm.people.read": {"team"}, "perm.people.create": {"own"}, "perm.orgs.read": {"all"}, "perm.users.read": {"none"}}
	w = root.post("/admin/roles/border-officer", grid)
	wantStatus(t, w, http.StatusSeeOther, "/admin/roles/border-officer?saved=1")
	role, _ = h.role(t, "border-officer")
	got := map[string]auth.Scope{}
	for _, p := range role.Permissions {
		got[p.Resource+":"+p.Action] = p.Scope
	}
	if len(got) != 3 || got["people:read"] != auth.ScopeTeam || got["people:create"] != auth.ScopeOwn || got["orgs:read"] != auth.ScopeAll {
		t.Errorf("permissions %v", role.Permissions)
	}
	wantBody(t, root.get("/admin/roles/border-officer?saved=1"), []string{"permissions have been saved", "This role grants 3 permissions.",
		`<option value="team" selected>Team</option>`}, nil)
	// The matrix shows the new role.
	wantBody(t, root.get("/admin/roles"), []string{`<span class="role-head">Border officer</span>`}, nil)
	updates, err := h.db.Audit().List(ctx, audit.Filter{Resource: "roles", Action: "update", Outcome: audit.OutcomeOK, RecordID: "border-officer", Limit: 10})
	if err != nil || len(updates) != 1 {
		t.Errorf("the update's audit entry: %+v (%v)", updates, err)
	}

	// A scope that is not one of the five: the cell is named, nothing changes.
	w = root.post("/admin/roles/border-officer", url.Values{"perm.people.read": {"everything"}, "perm.orgs.read": {"all"}})
	wantStatus(t, w, http.StatusBadRequest, "")
	wantBody(t, w, []string{"Personal records: Read: choose one of the scopes offered.", `href="#perm-people-read"`,
		`<td class="cell-invalid">`, `aria-invalid="true" aria-describedby="perm-people-read-error"`}, nil)
	if r, _ := h.role(t, "border-officer"); len(r.Permissions) != 3 {
		t.Errorf("a refused grid changed the role: %v", r.Permissions)
	}

	// Escalation: a role manager who may read people of their own only
	// cannot make a role that reads everyone's.
	h.addRole(t, auth.Role{Name: "role-manager", Title: "Role manager", Permissions: []auth.Permission{
		{Resource: "roles", Action: auth.Read, Scope: auth.ScopeAll}, {Resource: "roles", Action: auth.Create, Scope: auth.ScopeAll},
		{Resource: "roles", Action: auth.Update, Scope: auth.ScopeAll}, {Resource: "roles", Action: auth.Delete, Scope: auth.ScopeAll},
		{Resource: "people", Action: auth.Read, Scope: auth.ScopeOwn},
	}})
	h.addUser(t, auth.User{Username: "rita", FullName: "Rita Roles", OrgID: h.orgA.ID, Roles: []string{"role-manager"}})
	rita := h.client(t)
	rita.signIn("rita")
	w = rita.post("/admin/roles/border-officer", url.Values{"perm.people.read": {"all"}, "perm.users.delete": {"organisation"}})
	wantStatus(t, w, http.StatusForbidden, "")
	wantBody(t, w, []string{"There are 2 problems with this form",
		"Personal records: Read: you cannot grant the scope “All”: it allows more than you may do yourself.",
		"User accounts: Delete: you cannot grant the scope “Organisation”", `href="#perm-people-read"`,
		`<option value="all" selected>All</option>`}, nil)
	if r, _ := h.role(t, "border-officer"); len(r.Permissions) != 3 {
		t.Errorf("a refused escalation changed the role: %v", r.Permissions)
	}
	failed, err := h.db.Audit().List(ctx, audit.Filter{Resource: "roles", Action: "update", Outcome: audit.OutcomeFailed,
		ActorID: new(h.ids["rita"]), Limit: 10})
	if err != nil || len(failed) != 1 || failed[0].RecordID != "border-officer" {
		t.Errorf("the refused escalation's audit entry: %+v (%v)", failed, err)
	}
	wantBody(t, rita.post("/admin/roles/border-officer?lang=fr", url.Values{"perm.people.read": {"all"}}),
		[]string{"Dossiers personnels : Lire : vous ne pouvez pas accorder la portée « Tous »"}, nil)
	delete(rita.cookies, i18n.CookieName)
	// Even a grid within her own rights is refused: the role as it stands
	// allows more than she may grant, and emptying it is an attack too.
	wantStatus(t, rita.post("/admin/roles/border-officer", url.Values{"perm.people.read": {"own"}, "perm.roles.read": {"all"}}),
		http.StatusForbidden, "")
	// On a role within her rights, it works.
	h.addRole(t, auth.Role{Name: "reader", Title: "Reader", Permissions: []auth.Permission{{Resource: "people", Action: auth.Read, Scope: auth.ScopeOwn}}})
	wantStatus(t, rita.post("/admin/roles/reader", url.Values{"perm.people.read": {"own"}, "perm.roles.read": {"all"}}),
		http.StatusSeeOther, "/admin/roles/reader?saved=1")

	// Deleting a custom role: confirmation, then the role is gone and the
	// users who held it lose it.
	holder := h.addUser(t, auth.User{Username: "holder", FullName: "Hana Holder", OrgID: h.orgA.ID, Roles: []string{"border-officer", auth.RoleViewer}})
	w = root.get("/admin/roles/border-officer/delete")
	wantStatus(t, w, http.StatusOK, "")
	wantBody(t, w, []string{"<h1>Delete the role Border officer?</h1>", `<form class="form-card" method="post" action="/admin/roles/border-officer/delete">`,
		`href="/admin/roles/border-officer">Cancel</a>`}, nil)
	if _, ok := h.role(t, "border-officer"); !ok {
		t.Fatal("the confirmation page deleted the role")
	}
	w = root.post("/admin/roles/border-officer/delete", nil)
	wantStatus(t, w, http.StatusSeeOther, "/admin/roles?deleted=border-officer")
	if _, ok := h.role(t, "border-officer"); ok {
		t.Fatal("the role still exists")
	}
	if u := must(h.db.Accounts().User(ctx, holder)); !slices.Equal(u.Roles, []string{auth.RoleViewer}) {
		t.Errorf("the holder's roles: %v", u.Roles)
	}
	wantBody(t, root.get("/admin/roles?deleted=border-officer"), []string{"The role border-officer has been deleted.", `role="status"`},
		[]string{`href="/admin/roles/border-officer"`})
	// The flash names only a role that is really gone.
	wantBody(t, root.get("/admin/roles?deleted=viewer"), nil, []string{"has been deleted"})
	deletes, err := h.db.Audit().List(ctx, audit.Filter{Resource: "roles", Action: "delete", Outcome: audit.OutcomeOK, RecordID: "border-officer", Limit: 10})
	if err != nil || len(deletes) != 1 {
		t.Errorf("the delete's audit entry: %+v (%v)", deletes, err)
	}
	if w := root.get("/admin/roles/border-officer"); w.Code != http.StatusNotFound {
		t.Errorf("the deleted role's page: %d", w.Code)
	}

	// A built-in role cannot be deleted: no link, a refusal that says why.
	wantBody(t, root.get("/admin/roles/viewer"), []string{"It is built in"}, []string{"/delete"})
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		var w *httptest.ResponseRecorder
		if method == http.MethodGet {
			w = root.get("/admin/roles/viewer/delete")
		} else {
			w = root.post("/admin/roles/viewer/delete", nil)
		}
		wantStatus(t, w, http.StatusConflict, "")
		wantBody(t, w, []string{"Built-in role", "The role Viewer is built in and cannot be deleted."}, []string{"<form class=\"form-card\""})
	}
	if _, ok := h.role(t, auth.RoleViewer); !ok {
		t.Fatal("the built-in role was deleted")
	}
	wantBody(t, root.post("/admin/roles/viewer/delete?lang=es", nil), []string{"El rol Lector es predefinido"}, nil)
}

func TestOrgAdministration(t *testing.T) {
	h := newAccountHarness(t)
	ctx := context.Background()
	root := h.client(t)
	root.signIn("root")

	w := root.get("/admin/orgs")
	wantBody(t, w, []string{"<h1>Organisations</h1>", "2 organisations", `<a href="/admin/orgs/` + id(h.orgA.ID) + `">Ministry of Labour</a>`,
		"Government ministry or agency", "Kenya <code>KEN</code>", "Diaspora association", "France <code>FRA</code>",
		`<form class="form-card" method="post" action="/admin/orgs">`, `<option value="un-agency">UN agency</option>`}, nil)
	wantBody(t, root.get("/admin/orgs?lang=fr"), []string{"Association de la diaspora", "Agence des Nations Unies", "Nouvelle organisation"}, nil)
	delete(root.cookies, i18n.CookieName)

	valid := func() url.Values {
		return url.Values{"name": {"Returnee Support Centre"}, "kind": {"ngo"}, "country": {"esp"}}
	}
	for _, tt := range []struct {
		name string
		edit func(url.Values)
		want []string
	}{
		{"unknown country", func(f url.Values) { f.Set("country", "XYZ") }, []string{
			"Country (ISO 3166-1 alpha-3 code): there is no country or territory with the code “XYZ”.", `href="#org-country"`,
			`aria-invalid="true"`, `value="XYZ"`, `value="Returnee Support Centre"`, `<option value="ngo" selected>`}},
		{"two-letter country", func(f url.Values) { f.Set("country", "KE") }, []string{
			"Country (ISO 3166-1 alpha-3 code): use a three-letter ISO 3166-1 code, such as KEN."}},
		{"numeric country", func(f url.Values) { f.Set("country", "404") }, []string{"use a three-letter ISO 3166-1 code"}},
		{"region code", func(f url.Values) { f.Set("country", "ZZZ") }, []string{"no country or territory with the code “ZZZ”"}},
		{"no country", func(f url.Values) { f.Set("country", "") }, []string{"Country (ISO 3166-1 alpha-3 code): this field is required."}},
		{"no kind", func(f url.Values) { f.Set("kind", "") }, []string{"Kind: this field is required.", `href="#org-kind"`}},
		{"bad kind", func(f url.Values) { f.Set("kind", "cartel") }, []string{"Kind: choose one of the options offered."}},
		{"short name", func(f url.Values) { f.Set("name", "X") }, []string{"Name: use at least 2 characters."}},
		{"name taken", func(f url.Values) { f.Set("name", "Ministry of Labour") }, []string{"Name: an organisation with this name already exists."}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root.t = t
			f := valid()
			tt.edit(f)
			w := root.post("/admin/orgs", f)
			wantStatus(t, w, http.StatusBadRequest, "")
			wantBody(t, w, append([]string{`role="alert"`, "Ministry of Labour"}, tt.want...), nil)
			if _, err := h.db.Accounts().OrgByName(ctx, "Returnee Support Centre"); err == nil {
				t.Fatal("a refused form created the organisation")
			}
		})
	}
	root.t = t
	wantBody(t, root.post("/admin/orgs?lang=es", url.Values{"name": {"Returnee Support Centre"}, "kind": {"ngo"}, "country": {"XYZ"}}),
		[]string{"no existe ningún país ni territorio con el código «XYZ»"}, nil)
	delete(root.cookies, i18n.CookieName)

	w = root.post("/admin/orgs", valid())
	org, err := h.db.Accounts().OrgByName(ctx, "Returnee Support Centre")
	if err != nil {
		t.Fatalf("not created: %v\n%d %s", err, w.Code, w.Body)
	}
	wantStatus(t, w, http.StatusSeeOther, "/admin/orgs?created="+id(org.ID))
	if org.Kind != "ngo" || org.Country != "ESP" {
		t.Errorf("created %+v", org)
	}
	wantBody(t, root.get(w.Header().Get("Location")), []string{"The organisation Returnee Support Centre has been created.",
		"Spain <code>ESP</code>", "3 organisations"}, nil)
	creates, err := h.db.Audit().List(ctx, audit.Filter{Resource: "orgs", Action: "create", Outcome: audit.OutcomeOK, RecordID: id(org.ID), Limit: 10})
	if err != nil || len(creates) != 1 {
		t.Errorf("the create's audit entry: %+v (%v)", creates, err)
	}

	// Teams of the new organisation.
	orgPath := "/admin/orgs/" + id(org.ID)
	wantBody(t, root.get(orgPath), []string{"<h1>Returnee Support Centre</h1>", "This organisation has no teams yet.",
		`<form class="form-card" method="post" action="` + orgPath + `/teams">`, `<label for="team-name">Team name</label>`}, nil)
	wantStatus(t, root.post(orgPath+"/teams", url.Values{"name": {""}}), http.StatusBadRequest, "")
	wantBody(t, root.post(orgPath+"/teams", url.Values{"name": {"  "}}), []string{"Team name: this field is required.", `href="#team-name"`}, nil)
	w = root.post(orgPath+"/teams", url.Values{"name": {"Reintegration"}})
	teams := must(h.db.Accounts().Teams(ctx, org.ID))
	if len(teams) != 1 || teams[0].Name != "Reintegration" {
		t.Fatalf("teams %+v\n%d %s", teams, w.Code, w.Body)
	}
	wantStatus(t, w, http.StatusSeeOther, orgPath+"?created="+id(teams[0].ID))
	wantBody(t, root.get(w.Header().Get("Location")), []string{"The team Reintegration has been created.", "<li>Reintegration</li>"},
		[]string{"no teams yet"})
	w = root.post(orgPath+"/teams", url.Values{"name": {"reintegration"}})
	wantStatus(t, w, http.StatusBadRequest, "")
	wantBody(t, w, []string{"Team name: this organisation already has a team with this name.", `value="reintegration"`}, nil)
	if n := len(must(h.db.Accounts().Teams(ctx, org.ID))); n != 1 {
		t.Errorf("%d teams after a refused duplicate", n)
	}
	teamCreates, err := h.db.Audit().List(ctx, audit.Filter{Resource: "teams", Action: "create", Outcome: audit.OutcomeOK,
		RecordID: id(teams[0].ID), Limit: 10})
	if err != nil || len(teamCreates) != 1 {
		t.Errorf("the team create's audit entry: %+v (%v)", teamCreates, err)
	}

	// The organisation administrator adds teams to their own organisation
	// only.
	oadmin := h.client(t)
	oadmin.signIn("oadmin")
	wantStatus(t, oadmin.post("/admin/orgs/"+id(h.orgA.ID)+"/teams", url.Values{"name": {"Labour migration"}}), http.StatusSeeOther, "")
	wantStatus(t, oadmin.post(orgPath+"/teams", url.Values{"name": {"Intruders"}}), http.StatusNotFound, "")
	if n := len(must(h.db.Accounts().Teams(ctx, org.ID))); n != 1 {
		t.Errorf("an out-of-scope team was created (%d teams)", n)
	}
}

func TestEditUser(t *testing.T) {
	h := newAccountHarness(t)
	ctx := context.Background()
	desk := h.addTeam(t, h.orgA.ID, "Returns desk")
	labour := h.addTeam(t, h.orgA.ID, "Labour migration")
	other := h.addTeam(t, h.orgB.ID, "Paris chapter")
	oadmin := h.client(t)
	oadmin.signIn("oadmin")
	viewerPath := "/admin/users/" + id(h.ids["viewer"])

	// The users list links to each user.
	wantBody(t, oadmin.get("/admin/users"), []string{`<a href="` + viewerPath + `"><code>viewer</code></a>`}, nil)

	// The page: the user, and a form offering what oadmin may choose.
	w := oadmin.get(viewerPath)
	wantBody(t, w, []string{"<h1>User viewer</h1>", "Vera Viewer", "vera@example.org", "Ministry of Labour",
		`<form class="form-card" method="post" action="` + viewerPath + `">`, `value="Vera Viewer"`,
		`<input id="role-viewer" name="roles" type="checkbox" value="viewer" checked`, `id="role-case-worker"`,
		`<label for="team-` + id(desk.ID) + `">Returns desk</label>`, `id="team-` + id(labour.ID) + `"`,
		`<label for="user-disabled">Disabled</label>`, `name="roles_shown"`},
		[]string{`id="role-system-admin"`, "Paris chapter"})

	token := oadmin.csrf()
	valid := func() url.Values {
		return url.Values{"csrf_token": {token}, "full_name": {"Vera V. Viewer"}, "email": {"vera.v@example.org"},
			"roles_shown": {"1"}, "roles": {auth.RoleViewer, auth.RoleCaseWorker}, "teams": {id(desk.ID), id(labour.ID)}}
	}
	for _, tt := range []struct {
		name   string
		edit   func(url.Values)
		status int
		want   []string
	}{
		{"no full name", func(f url.Values) { f.Set("full_name", "") }, 400, []string{"Full name: this field is required.", `href="#user-full-name"`}},
		{"bad e-mail", func(f url.Values) { f.Set("email", "vera at example") }, 400, []string{"E-mail (optional): this is not a valid e-mail address."}},
		{"unknown role", func(f url.Values) { f["roles"] = []string{"wizard"} }, 400, []string{"Roles: there is no role “wizard”"}},
		{"role escalation", func(f url.Values) { f["roles"] = []string{auth.RoleViewer, auth.RoleSystemAdmin} }, 403,
			[]string{"Roles: you cannot grant the role “System administrator”: it allows more than you may do yourself.", `href="#user-roles"`}},
		{"team of another organisation", func(f url.Values) { f["teams"] = []string{id(other.ID)} }, 400,
			[]string{"Teams: choose teams of the user&#39;s organisation.", `href="#user-teams"`}},
		{"team not a number", func(f url.Values) { f["teams"] = []string{"desk"} }, 400, []string{"Teams: choose teams of the user&#39;s organisation."}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			oadmin.t = t
			f := valid()
			tt.edit(f)
			w := oadmin.do(http.MethodPost, viewerPath, f)
			wantStatus(t, w, tt.status, "")
			wantBody(t, w, append([]string{`role="alert"`}, tt.want...), nil)
			if u := h.user(t, "viewer"); u.FullName != "Vera Viewer" || !slices.Equal(u.Roles, []string{auth.RoleViewer}) || len(u.TeamIDs) != 0 {
				t.Errorf("a refused form changed the user: %+v", u)
			}
		})
	}
	oadmin.t = t

	// Success.
	w = oadmin.do(http.MethodPost, viewerPath, valid())
	wantStatus(t, w, http.StatusSeeOther, viewerPath+"?saved=1")
	u := h.user(t, "viewer")
	slices.Sort(u.TeamIDs)
	if u.FullName != "Vera V. Viewer" || u.Email != "vera.v@example.org" || !slices.Equal(u.Roles, []string{auth.RoleCaseWorker, auth.RoleViewer}) ||
		!slices.Equal(u.TeamIDs, []int64{desk.ID, labour.ID}) || u.Disabled {
		t.Errorf("saved %+v", u)
	}
	wantBody(t, oadmin.get(viewerPath+"?saved=1"), []string{"The changes to viewer have been saved.", "Case worker, Viewer",
		"Returns desk", `value="case-worker" checked`}, nil)
	updates, err := h.db.Audit().List(ctx, audit.Filter{Resource: "users", Action: "update", Outcome: audit.OutcomeOK,
		RecordID: id(h.ids["viewer"]), Limit: 10})
	if err != nil || len(updates) != 1 || updates[0].ActorID != h.ids["oadmin"] {
		t.Errorf("the update's audit entry: %+v (%v)", updates, err)
	}

	// Nobody changes their own roles; changing one's own name is fine.
	selfPath := "/admin/users/" + id(h.ids["oadmin"])
	wantBody(t, oadmin.get(selfPath), []string{"You cannot change your own roles", "You cannot disable your own account."},
		[]string{`name="roles_shown"`, `name="roles"`, `name="disabled"`})
	w = oadmin.do(http.MethodPost, selfPath, url.Values{"csrf_token": {token}, "full_name": {"Omar Admin"}, "roles_shown": {"1"},
		"roles": {auth.RoleViewer}})
	wantStatus(t, w, http.StatusForbidden, "")
	wantBody(t, w, []string{"Roles: you cannot change your own roles; ask another administrator."}, nil)
	w = oadmin.do(http.MethodPost, selfPath, url.Values{"csrf_token": {token}, "full_name": {"Omar Admin"}, "roles_shown": {"1"}})
	wantStatus(t, w, http.StatusForbidden, "")
	w = oadmin.do(http.MethodPost, selfPath, url.Values{"csrf_token": {token}, "full_name": {"Omar Admin"}, "disabled": {"1"}})
	wantStatus(t, w, http.StatusBadRequest, "")
	wantBody(t, w, []string{"Disabled: you cannot disable your own account."}, nil)
	if u := h.user(t, "oadmin"); !slices.Equal(u.Roles, []string{auth.RoleOrgAdmin}) || u.Disabled {
		t.Fatalf("oadmin changed themselves: %+v", u)
	}
	w = oadmin.do(http.MethodPost, selfPath, url.Values{"csrf_token": {token}, "full_name": {"Omar A. Admin"}, "email": {"oadmin@example.org"}})
	wantStatus(t, w, http.StatusSeeOther, selfPath+"?saved=1")
	if u := h.user(t, "oadmin"); u.FullName != "Omar A. Admin" || !slices.Equal(u.Roles, []string{auth.RoleOrgAdmin}) {
		t.Errorf("self edit: %+v", u)
	}
	// Root cannot change their own roles either, even to add one.
	root := h.client(t)
	root.signIn("root")
	rootPath := "/admin/users/" + id(h.ids["root"])
	wantStatus(t, root.post(rootPath, url.Values{"full_name": {"Rania Root"}, "roles": {auth.RoleSystemAdmin, auth.RoleViewer}}), http.StatusForbidden, "")

	// Roles held that the editor may not grant are shown and kept.
	w = oadmin.get(rootPath)
	wantBody(t, w, []string{"which you may not grant; they are kept", "<strong>System administrator</strong> <code>system-admin</code>"},
		[]string{`id="role-system-admin"`})
	wantStatus(t, oadmin.post(rootPath, url.Values{"full_name": {"Rania Root"}, "email": {"root@example.org"}, "roles_shown": {"1"},
		"roles": {auth.RoleViewer}}), http.StatusSeeOther, rootPath+"?saved=1")
	if u := h.user(t, "root"); !slices.Equal(u.Roles, []string{auth.RoleSystemAdmin, auth.RoleViewer}) {
		t.Errorf("root's roles after oadmin's edit: %v", u.Roles)
	}

	// Disabling a user ends their session at once; they cannot sign in.
	viewer := h.client(t)
	viewer.signIn("viewer")
	if w := viewer.get("/account"); w.Code != http.StatusOK {
		t.Fatalf("viewer's account before: %d", w.Code)
	}
	f := valid()
	f.Set("disabled", "1")
	wantStatus(t, oadmin.do(http.MethodPost, viewerPath, f), http.StatusSeeOther, viewerPath+"?saved=1")
	if !h.user(t, "viewer").Disabled {
		t.Fatal("not disabled")
	}
	if w := viewer.get("/account"); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
		t.Errorf("the disabled user's session still works: %d %q", w.Code, w.Header().Get("Location"))
	}
	fresh := h.client(t)
	if w := fresh.do(http.MethodPost, "/login", fresh.loginForm("viewer", testPassword, "")); w.Code == http.StatusSeeOther {
		t.Error("a disabled user signed in")
	}
	wantBody(t, oadmin.get(viewerPath), []string{`<span class="badge badge-planned">Disabled</span>`, `name="disabled" type="checkbox" value="1" checked`}, nil)
	wantBody(t, oadmin.get("/admin/users"), []string{"Disabled"}, nil)
	// And enabling again.
	wantStatus(t, oadmin.do(http.MethodPost, viewerPath, valid()), http.StatusSeeOther, "")
	if h.user(t, "viewer").Disabled {
		t.Error("not enabled again")
	}

	// Out of scope: not found, nothing changed.
	bobPath := "/admin/users/" + id(h.ids["bob"])
	wantStatus(t, oadmin.do(http.MethodPost, bobPath, url.Values{"csrf_token": {token}, "full_name": {"Hacked"}, "disabled": {"1"}}),
		http.StatusNotFound, "")
	if u := h.user(t, "bob"); u.FullName != "Bob Other" || u.Disabled {
		t.Errorf("bob changed: %+v", u)
	}

	// In French, the fields are named in French.
	f = valid()
	f.Set("full_name", "")
	wantBody(t, oadmin.do(http.MethodPost, viewerPath+"?lang=fr", f), []string{"Nom complet : ce champ est obligatoire."}, nil)

	// Names typed into the forms never reach the logs.
	for _, secret := range []string{"Vera V. Viewer", "vera.v@example.org", "Omar A. Admin"} {
		if strings.Contains(h.logs.String(), secret) {
			t.Errorf("the logs contain %q", secret)
		}
	}
}
