package ui

import "net/http"

// home explains the corridor idea, offers the country search and links to
// every capability (the layout's capability list is the page's body too).
func (u *UI) home(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Title = v.T("home.title")
	return u.render(w, http.StatusOK, "home", v)
}
