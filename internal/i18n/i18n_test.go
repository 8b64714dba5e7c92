package i18n

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func newCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestEveryMessageInEveryLanguage is the missing-translation check: the
// three message files must hold exactly the same ids.
func TestEveryMessageInEveryLanguage(t *testing.T) {
	c := newCatalog(t)
	want := c.MessageIDs(Default)
	if len(want) == 0 {
		t.Fatal("no English messages loaded")
	}
	for _, l := range c.Languages() {
		got := c.MessageIDs(l.Code)
		for _, id := range want {
			if !slices.Contains(got, id) {
				t.Errorf("%s: missing translation of %q", l.Code, id)
			}
		}
		for _, id := range got {
			if !slices.Contains(want, id) {
				t.Errorf("%s: message %q has no English original", l.Code, id)
			}
		}
	}
}

// TestMessagesRender renders every message in every language with sample
// data and plural counts that reach every CLDR form (0, 1, 2, a million):
// a broken template or a missing plural form fails here, not on a page.
func TestMessagesRender(t *testing.T) {
	c := newCatalog(t)
	data := map[string]any{
		"Version": "v1", "From": 1, "To": 25, "Total": 249, "Page": 1, "Pages": 10,
		"Name": "Africa", "Number": 7, "Paragraph": "B", "Status": 404, "Code": "ZZZ",
		"Param": "offset", "Reason": "bad", "Min": 1, "Max": 500, "Value": "Atlantis",
		"Username": "amina", "Time": "14:35 UTC", "Field": "Username",
		"Count": 3, "Position": 12, "Token": "+", "Origin": "Mexico", "Dest": "Canada", "Region": "Europe", "Unit": "US$",
	}
	for _, l := range c.Languages() {
		loc := c.Localizer(l.Code)
		for _, id := range c.MessageIDs(l.Code) {
			counts := []any{nil}
			if c.IsPlural(id) {
				counts = []any{0, 1, 2, 1000000}
			}
			for _, n := range counts {
				d := map[string]any{}
				for k, v := range data {
					d[k] = v
				}
				if n != nil {
					d["Count"] = n
				}
				_, err := loc.loc.Localize(localizeConfig(id, d))
				if err != nil {
					t.Errorf("%s %s (count %d): %v", l.Code, id, n, err)
				}
				if s := loc.T(id, d); strings.Contains(s, "<no value>") {
					t.Errorf("%s %s: template data missing: %q", l.Code, id, s)
				}
			}
		}
	}
}

func TestLocalizerTranslatesAndPlurals(t *testing.T) {
	c := newCatalog(t)
	tests := []struct {
		lang, id string
		data     map[string]any
		want     string
	}{
		{"en", "nav.countries", nil, "Countries"},
		{"fr", "nav.countries", nil, "Pays"},
		{"es", "nav.countries", nil, "Países"},
		{"en", "countries.results.count", map[string]any{"Count": 1}, "1 country or territory matches."},
		{"en", "countries.results.count", map[string]any{"Count": 3}, "3 countries and territories match."},
		{"fr", "countries.results.count", map[string]any{"Count": 0}, "0 pays ou territoire correspond."},
		{"es", "countries.results.count", map[string]any{"Count": 2}, "2 países y territorios coinciden."},
		{"de", "nav.home", nil, "Home"},                   // unsupported → English
		{"en", "no.such.message", nil, "no.such.message"}, // visible gap
	}
	for _, tt := range tests {
		got := c.Localizer(tt.lang).T(tt.id, tt.data)
		if got != tt.want {
			t.Errorf("%s %s = %q, want %q", tt.lang, tt.id, got, tt.want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	c := newCatalog(t)
	tests := []struct {
		name, url, cookie, accept, want string
	}{
		{"default", "/", "", "", "en"},
		{"query wins", "/?lang=fr", "es", "es", "fr"},
		{"query region subtag", "/?lang=es-MX", "", "", "es"},
		{"unsupported query falls through to cookie", "/?lang=de", "es", "fr", "es"},
		{"cookie before header", "/", "fr", "es", "fr"},
		{"bad cookie falls through", "/", "xx-!!", "es", "es"},
		{"header order", "/", "", "de-DE, fr;q=0.8, es;q=0.5", "fr"},
		{"header quality", "/", "", "es;q=0.9, fr;q=0.95", "fr"},
		{"header nothing supported", "/", "", "de, it", "en"},
		{"garbage header", "/", "", ";;;===", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tt.url, nil)
			if tt.cookie != "" {
				r.AddCookie(&http.Cookie{Name: CookieName, Value: tt.cookie})
			}
			if tt.accept != "" {
				r.Header.Set("Accept-Language", tt.accept)
			}
			if got := c.Negotiate(r); got != tt.want {
				t.Errorf("Negotiate = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLanguagesAndHas(t *testing.T) {
	c := newCatalog(t)
	var codes []string
	for _, l := range c.Languages() {
		codes = append(codes, l.Code)
	}
	if !slices.Equal(codes, []string{"en", "fr", "es"}) {
		t.Errorf("Languages = %v", codes)
	}
	if !c.Has("nav.home") || c.Has("nav.nope") {
		t.Error("Has is wrong")
	}
	if got := c.Localizer("FR").Lang(); got != "fr" {
		t.Errorf("Localizer(FR).Lang() = %q", got)
	}
}
