package ui

import (
	"embed"
	"fmt"
	"html/template"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageNames are the page templates; each defines "content", which the
// "layout" template of templates/layout.html places in the page.
var pageNames = []string{"home", "countries", "country", "corridor", "capability", "error",
	"login", "account", "users", "user_new", "user", "roles", "role", "role_delete", "orgs", "org", "audit"}

// parsePages builds one template set per page: the layout plus the page.
// Parsing happens once, in New; a syntax error stops the program there.
func parsePages(a *assets) (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(template.FuncMap{"asset": a.url}).
		ParseFS(templateFiles, "templates/layout.html", "templates/stats_partials.html")
	if err != nil {
		return nil, fmt.Errorf("ui: parsing the layout: %w", err)
	}
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(templateFiles, "templates/"+name+".html")
		}
		if err != nil {
			return nil, fmt.Errorf("ui: parsing page %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}
