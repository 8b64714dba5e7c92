package ui

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// accountPage is the data of the account template.
type accountPage struct {
	User        auth.User
	OrgName     string
	Roles       []roleView
	Actions     []string      // the column headers: every action, translated
	Permissions []resourceRow // the resources the user may do something with
	Form        *form
	Changed     bool // the password was just changed
	MinPassword int
}

// resourceRow is one resource and the scope of each action on it.
type resourceRow struct {
	Resource, ResourceLabel string
	Cells                   []matrixCell // in the order of auth.Actions
}

// account shows the signed-in user's own account: who they are, their
// organisation, roles and effective permissions, and the form to change
// their password.
func (u *UI) account(w http.ResponseWriter, r *http.Request, v *view) error {
	page, err := u.accountData(r, v)
	if err != nil {
		return err
	}
	page.Changed = r.URL.Query().Get("changed") == "password"
	return u.renderAccount(w, v, http.StatusOK, page)
}

func (u *UI) accountData(r *http.Request, v *view) (accountPage, error) {
	ctx := r.Context()
	p := web.PrincipalFrom(ctx)
	usr, err := u.db.Accounts().User(ctx, p.UserID)
	if err != nil {
		return accountPage{}, err
	}
	page := accountPage{User: usr, Form: &form{}, MinPassword: auth.MinPasswordLength}
	if org, err := u.db.Accounts().Org(ctx, usr.OrgID); err == nil {
		page.OrgName = org.Name
	} else if !errors.Is(err, derrors.NotFound) {
		return page, err
	}
	roles, err := u.db.Accounts().Roles(ctx)
	if err != nil {
		return page, err
	}
	for _, name := range usr.Roles {
		if role, ok := roles[name]; ok {
			page.Roles = append(page.Roles, v.roleView(role))
		}
	}
	for _, a := range auth.Actions {
		page.Actions = append(page.Actions, v.label("action", a, a))
	}
	for _, res := range auth.Resources {
		row := resourceRow{Resource: res.Name, ResourceLabel: v.label("resource", res.Name, res.Name)}
		granted := false
		for _, a := range auth.Actions {
			cell := matrixCell{}
			if s := p.Scope(res.Name, a); s > auth.ScopeNone {
				cell, granted = matrixCell{Scope: s.String(), Label: v.scopeLabel(s)}, true
			}
			row.Cells = append(row.Cells, cell)
		}
		if granted {
			page.Permissions = append(page.Permissions, row)
		}
	}
	return page, nil
}

func (u *UI) renderAccount(w http.ResponseWriter, v *view, status int, page accountPage) error {
	v.Title, v.Data = v.T("account.title"), page
	return u.render(w, status, "account", v)
}

// changePassword changes the signed-in user's password: the current one
// must be right, the new one must follow the password rules and be typed
// twice. The session in use is kept; every other one ends.
func (u *UI) changePassword(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	id := web.IdentityFrom(ctx)
	p := id.Principal
	current, newPW, confirm := r.PostForm.Get("current"), r.PostForm.Get("new"), r.PostForm.Get("confirm")
	f := &form{}
	cred, err := u.db.Accounts().CredentialsFor(ctx, p.Username)
	if err != nil {
		return err
	}
	// Guessing the current password from a stolen session is throttled
	// like signing in.
	addr := web.ClientAddr(r)
	status := http.StatusBadRequest
	throttled, until, err := u.db.Sessions().Throttled(ctx, p.Username, addr)
	if err != nil {
		return err
	}
	switch {
	case current == "":
		f.add(v, "current", "password-current", "account.password.current", "form.reason.required")
	case throttled:
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", strconv.Itoa(int(time.Until(until).Seconds())+1))
		f.add(v, "current", "password-current", "account.password.current", "form.reason.throttled",
			"Time", until.UTC().Format("15:04 UTC"))
	case len(current) > auth.MaxPasswordLength || !auth.VerifyPassword(current, cred.PasswordHash):
		if err := u.db.Sessions().RecordFailure(ctx, p.Username, addr); err != nil {
			return err
		}
		f.add(v, "current", "password-current", "account.password.current", "form.reason.passwordWrong")
	}
	if reason, kv := checkNewPassword(newPW, p.Username); reason != "" {
		f.add(v, "new", "password-new", "account.password.new", reason, kv...)
	} else if newPW == current {
		f.add(v, "new", "password-new", "account.password.new", "form.reason.passwordSame")
	}
	if confirm == "" {
		f.add(v, "confirm", "password-confirm", "account.password.confirm", "form.reason.required")
	} else if confirm != newPW {
		f.add(v, "confirm", "password-confirm", "account.password.confirm", "form.reason.passwordMismatch")
	}
	if f.OK() {
		err = u.db.InTx(ctx, func(tx *store.Tx) error {
			return u.db.Accounts().SetPassword(ctx, tx, p.UserID, newPW, id.Session)
		})
		switch {
		case err == nil:
			u.db.Sessions().ClearFailures(ctx, p.Username)
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, "/account?changed=password", http.StatusSeeOther)
			return nil
		case errors.Is(err, derrors.Invalid):
			// A rule only the store knows: its reason is English.
			f.addText(v, "new", "password-new", "account.password.new", derrors.Message(err))
		default:
			return err
		}
	}
	page, err := u.accountData(r, v)
	if err != nil {
		return err
	}
	page.Form = f
	return u.renderAccount(w, v, status, page)
}
