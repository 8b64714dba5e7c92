package ui

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageNames lists the page templates: every templates/*.html except the
// layout and the partials (files named *partials.html). Each page defines
// "content", which the "layout" template of templates/layout.html places
// in the page.
func pageNames() ([]string, error) {
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name != "layout" && !strings.HasSuffix(name, "partials") {
			names = append(names, name)
		}
	}
	return names, nil
}

// parsePages builds one template set per page: the layout plus the page.
// Parsing happens once, in New; a syntax error stops the program there.
func parsePages(a *assets) (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(template.FuncMap{"asset": a.url}).
		ParseFS(templateFiles, "templates/layout.html", "templates/*partials.html")
	if err != nil {
		return nil, fmt.Errorf("ui: parsing the layout: %w", err)
	}
	names, err := pageNames()
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template, len(names))
	for _, name := range names {
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
