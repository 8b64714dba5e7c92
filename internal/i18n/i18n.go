// Package i18n is Corridor's translation catalogue: every interface string
// in English, French and Spanish, loaded from embedded JSON message files
// (locales/{en,fr,es}.json) into a go-i18n bundle, and the negotiation of a
// request's language.
//
// Messages are go-i18n messages: a plain string, or an object with plural
// forms ("one", "many", "other") selected by a "Count" template value.
// Message text uses text/template syntax ({{.Name}}); it is plain text,
// never HTML, and is escaped by the html/template that shows it.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Default is the language used when a request states no supported one,
// and the fallback for a message missing from another language.
const Default = "en"

// CookieName and QueryParam name the cookie and the query parameter that
// carry a user's chosen language.
const (
	CookieName = "lang"
	QueryParam = "lang"
)

// Language is one supported interface language.
type Language struct {
	Code string // BCP 47 base language, e.g. "fr"
	Name string // the language's name in itself, e.g. "Français"
}

// supported lists the interface languages in display order. Each has a
// locales/<code>.json file.
var supported = []Language{
	{Code: "en", Name: "English"},
	{Code: "fr", Name: "Français"},
	{Code: "es", Name: "Español"},
}

//go:embed locales/*.json
var localeFiles embed.FS

// Catalog holds the messages of every supported language. It is safe for
// concurrent use once built.
type Catalog struct {
	bundle *goi18n.Bundle
	ids    map[string][]string // language code → sorted message ids
	plural map[string]bool     // ids of messages with plural forms
}

// New loads the embedded message files.
func New() (*Catalog, error) {
	return newFromFS(localeFiles)
}

func newFromFS(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{
		bundle: goi18n.NewBundle(language.MustParse(Default)),
		ids:    make(map[string][]string, len(supported)),
		plural: make(map[string]bool),
	}
	c.bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, l := range supported {
		mf, err := c.bundle.LoadMessageFileFS(fsys, "locales/"+l.Code+".json")
		if err != nil {
			return nil, fmt.Errorf("i18n: loading %s messages: %w", l.Code, err)
		}
		ids := make([]string, 0, len(mf.Messages))
		for _, m := range mf.Messages {
			ids = append(ids, m.ID)
			if m.One != "" || m.Many != "" || m.Few != "" || m.Two != "" || m.Zero != "" {
				c.plural[m.ID] = true
			}
		}
		sort.Strings(ids)
		c.ids[l.Code] = ids
	}
	return c, nil
}

// Languages returns the supported languages in display order.
func (c *Catalog) Languages() []Language { return slices.Clone(supported) }

// MessageIDs returns the ids of the messages of one language, sorted.
func (c *Catalog) MessageIDs(lang string) []string { return slices.Clone(c.ids[lang]) }

// Has reports whether the default language has a message with the id
// (every language has the same ids; the catalogue test enforces it).
func (c *Catalog) Has(id string) bool {
	_, found := slices.BinarySearch(c.ids[Default], id)
	return found
}

// IsPlural reports whether the message has plural forms (and so needs a
// "Count" value).
func (c *Catalog) IsPlural(id string) bool { return c.plural[id] }

// Match returns the supported language a tag such as "fr", "FR" or
// "es-MX" stands for, and false when it stands for none.
func (c *Catalog) Match(tag string) (string, bool) {
	t, err := language.Parse(strings.TrimSpace(tag))
	if err != nil {
		return "", false
	}
	base, _ := t.Base()
	for _, l := range supported {
		if base.String() == l.Code {
			return l.Code, true
		}
	}
	return "", false
}

// Negotiate picks a request's language: the ?lang= parameter, then the
// lang cookie, then the Accept-Language header, then Default. Values that
// name no supported language are skipped, not errors: a language is a
// preference, and the page is still useful in the next choice.
func (c *Catalog) Negotiate(r *http.Request) string {
	if l, ok := c.Match(r.URL.Query().Get(QueryParam)); ok {
		return l
	}
	if ck, err := r.Cookie(CookieName); err == nil {
		if l, ok := c.Match(ck.Value); ok {
			return l
		}
	}
	if l, ok := c.matchAcceptLanguage(r.Header.Get("Accept-Language")); ok {
		return l
	}
	return Default
}

// matchAcceptLanguage returns the first supported language in the header's
// preference order.
func (c *Catalog) matchAcceptLanguage(header string) (string, bool) {
	tags, q, err := language.ParseAcceptLanguage(header)
	if err != nil {
		return "", false
	}
	for i, t := range tags {
		if q[i] <= 0 {
			continue
		}
		if l, ok := c.Match(t.String()); ok {
			return l, true
		}
	}
	return "", false
}

// Localizer returns the translator for a language; an unsupported one gets
// the default language.
func (c *Catalog) Localizer(lang string) *Localizer {
	code, ok := c.Match(lang)
	if !ok {
		code = Default
	}
	return &Localizer{lang: code, loc: goi18n.NewLocalizer(c.bundle, code, Default)}
}

// Localizer translates messages into one language.
type Localizer struct {
	lang string
	loc  *goi18n.Localizer
}

// Lang returns the language code the localizer translates into.
func (l *Localizer) Lang() string { return l.lang }

// T returns the message with the id, filled with data. A "Count" value in
// data selects the plural form. A message missing from the language falls
// back to English; a message missing everywhere shows its id, so the gap
// is visible rather than silent (the catalogue tests keep that from
// shipping).
func (l *Localizer) T(id string, data ...map[string]any) string {
	var d map[string]any
	if len(data) > 0 {
		d = data[0]
	}
	s, err := l.loc.Localize(localizeConfig(id, d))
	if s == "" && err != nil {
		return id
	}
	return s
}

func localizeConfig(id string, data map[string]any) *goi18n.LocalizeConfig {
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if data != nil {
		cfg.TemplateData = data
		if n, ok := data["Count"]; ok {
			cfg.PluralCount = n
		}
	}
	return cfg
}
