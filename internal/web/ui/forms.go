package ui

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// form is the state of a submitted form shown again: the values to keep
// and the problems, each naming its field. The template lists the
// problems in a summary at the top (each linking to its field) and again
// next to each field, which gets aria-invalid and aria-describedby.
type form struct {
	Errors []fieldError
}

// fieldError is one problem with one field.
type fieldError struct {
	Field   string // the form field's name
	ID      string // the control's id (the summary links to it)
	Message string // translated, names the field: "Username: …"
}

// add records a problem with a field; label and reason are message ids
// (the reason with its values as name, value pairs).
func (f *form) add(v *view, field, id, labelID, reasonID string, kv ...any) {
	reason := v.T(reasonID, kv...)
	f.addText(v, field, id, labelID, reason)
}

// addText records a problem whose reason is already text.
func (f *form) addText(v *view, field, id, labelID, reason string) {
	f.addLabeled(v, field, id, v.T(labelID), reason)
}

// addLabeled records a problem whose field label and reason are already
// text (a cell of the permission grid is labelled by its resource and
// action).
func (f *form) addLabeled(v *view, field, id, label, reason string) {
	for _, e := range f.Errors {
		if e.Field == field {
			return // the first problem of a field is the one to fix
		}
	}
	f.Errors = append(f.Errors, fieldError{Field: field, ID: id,
		Message: v.T("form.fieldError", "Field", label, "Reason", reason)})
}

// Err returns the message of a field's problem ("" when it has none).
func (f *form) Err(field string) string {
	if f == nil {
		return ""
	}
	for _, e := range f.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// OK reports whether the form has no problems.
func (f *form) OK() bool { return f == nil || len(f.Errors) == 0 }

// parseForm reads a urlencoded form body. A body over the limit is a 413
// page; anything else unreadable is a 400.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return derrors.Kindf(derrors.Invalid, "the form could not be read")
	}
	return nil
}

// checkNewPassword applies the password rules of auth.ValidatePassword,
// with translated reasons: length, the list of common passwords, not the
// username. It returns the reason's message id and values, or "".
func checkNewPassword(pw, username string) (string, []any) {
	n := utf8.RuneCountInString(pw)
	switch {
	case pw == "":
		return "form.reason.required", nil
	case !utf8.ValidString(pw):
		return "form.reason.text", nil
	case n < auth.MinPasswordLength:
		return "form.reason.passwordShort", []any{"Min", auth.MinPasswordLength}
	case n > auth.MaxPasswordLength:
		return "form.reason.passwordLong", []any{"Max", auth.MaxPasswordLength}
	case auth.IsCommonPassword(pw):
		return "form.reason.passwordCommon", nil
	case username != "" && strings.EqualFold(pw, username):
		return "form.reason.passwordUsername", nil
	}
	return "", nil
}

// checkText applies the rules of a required or optional text field:
// valid UTF-8, no control characters, at most max characters.
func checkText(s string, required bool, max int) (string, []any) {
	switch {
	case strings.TrimSpace(s) == "" && required:
		return "form.reason.required", nil
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "form.reason.text", nil
	case utf8.RuneCountInString(strings.TrimSpace(s)) > max:
		return "form.reason.tooLong", []any{"Max", max}
	}
	return "", nil
}

// storeFieldError maps an Invalid or Conflict error of the store, whose
// text starts with the field's name ("username: …"), to a form field.
// The UI checks the fields first and in the user's language; this is the
// fallback for rules only the store knows, and its reason is English.
func storeFieldError(err error, fields map[string]string) (field, reason string, ok bool) {
	msg := derrors.Message(err)
	name, reason, found := strings.Cut(msg, ": ")
	if !found {
		return "", "", false
	}
	if f, known := fields[name]; known {
		return f, reason, true
	}
	return "", "", false
}
