package ui

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
)

// indicatorHarness is the account harness with the built-in indicators,
// two series to name, and an analyst (who may define indicators).
func indicatorHarness(t *testing.T) *accountHarness {
	t.Helper()
	h := newAccountHarness(t)
	ctx := context.Background()
	if err := h.db.Stats().EnsureBuiltinIndicators(ctx); err != nil {
		t.Fatal(err)
	}
	series := []stats.Series{
		{Code: "migrant_stock", Name: "International migrant stock", Unit: "persons", Source: "UN DESA", Licence: "CC BY 3.0 IGO", Citation: "UN DESA (2020)"},
		{Code: "population", Name: "Total population", Unit: "persons", Source: "UN DESA", Licence: "CC BY 3.0 IGO", Citation: "UN DESA (2020)"},
	}
	if err := h.db.InTx(ctx, func(tx *store.Tx) error { return store.ReplaceSeries(ctx, tx, "test", series) }); err != nil {
		t.Fatal(err)
	}
	h.addUser(t, auth.User{Username: "analyst", FullName: "Ana Lyst", Email: "ana@example.org", OrgID: h.orgA.ID, Roles: []string{auth.RoleAnalyst}})
	return h
}

func indicatorValues(c *client, kv ...string) url.Values {
	f := url.Values{"csrf_token": {c.csrf()}, "code": {"female_migrants"}, "name": {"Female migrants per 1,000 population"},
		"numerator": {"migrant_stock[sex=female]"}, "denominator": {"population[sex=total]"}, "factor": {"1000"},
		"unit": {"per 1,000 population"}, "decimals": {"1"}, "aggregation": {"none"}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

func TestIndicatorLibraryPage(t *testing.T) {
	h := indicatorHarness(t)
	anon := h.client(t)
	w := anon.get("/indicators")
	wantBody(t, w, []string{"<code>sdg_10_7_4</code>", "<code>migrant_share_of_population</code>",
		html.EscapeString("(migrant_stock) / (population) × 100")}, []string{`action="/indicators"`})

	viewer := h.client(t)
	viewer.signIn("viewer")
	wantBody(t, viewer.get("/indicators"), nil, []string{`action="/indicators"`})
	if w := viewer.do(http.MethodPost, "/indicators", indicatorValues(viewer)); w.Code != http.StatusForbidden {
		t.Fatalf("viewer POST: %d, want 403", w.Code)
	}
	if w := anon.do(http.MethodPost, "/indicators", url.Values{"code": {"x_y"}}); w.Code == http.StatusSeeOther && strings.Contains(w.Header().Get("Location"), "created") {
		t.Fatal("signed-out POST created an indicator")
	}
	if _, err := h.db.Stats().Indicator(context.Background(), "female_migrants"); err == nil {
		t.Fatal("an indicator was stored by a user without the permission")
	}
}

func TestCreateIndicatorForm(t *testing.T) {
	h := indicatorHarness(t)
	c := h.client(t)
	c.signIn("analyst")
	wantBody(t, c.get("/indicators"), []string{`action="/indicators"`, "<code>population</code>"}, nil)

	for _, tc := range []struct {
		name   string
		kv     []string
		want   []string
		status int
	}{
		{"bad token points at it", []string{"numerator", "migrant_stock[sex=female] +* 2"},
			[]string{"Numerator: at character 28 (*)", "migrant_stock[sex=female] &#43;* 2\n" + strings.Repeat(" ", 27) + "^",
				`value="migrant_stock[sex=female] &#43;* 2"`}, http.StatusBadRequest},
		{"unknown series", []string{"denominator", "populaton"}, []string{"Denominator (optional): at character 1 (populaton): no series"}, http.StatusBadRequest},
		{"bad code", []string{"code", "Bad Code"}, []string{"Code: use lower-case letters"}, http.StatusBadRequest},
		{"factor not offered", []string{"factor", "7"}, []string{"Factor: choose 1, 100"}, http.StatusBadRequest},
		{"decimals out of range", []string{"decimals", "9"}, []string{"Decimals shown: a whole number from 0 to 6."}, http.StatusBadRequest},
		{"name required", []string{"name", "  "}, []string{"Name: "}, http.StatusBadRequest},
		{"taken code", []string{"code", "migrant_stock"}, []string{"Code: an indicator with this code already exists."}, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := c.do(http.MethodPost, "/indicators", indicatorValues(c, tc.kv...))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d\n%s", w.Code, tc.status, w.Body)
			}
			wantBody(t, w, tc.want, nil)
		})
	}
	if _, err := h.db.Stats().Indicator(context.Background(), "female_migrants"); err == nil {
		t.Fatal("a refused form stored an indicator")
	}

	w := c.do(http.MethodPost, "/indicators", indicatorValues(c))
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/indicators?created=female_migrants") {
		t.Fatalf("create: %d %s\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	ind, err := h.db.Stats().Indicator(context.Background(), "female_migrants")
	if err != nil {
		t.Fatal(err)
	}
	if ind.Factor != 1000 || ind.Decimals != 1 || ind.Denominator != "population[sex=total]" || ind.Builtin {
		t.Fatalf("stored %+v", ind)
	}
	wantBody(t, c.get("/indicators?created=female_migrants"), []string{"Indicator female_migrants was created",
		`id="ind-female_migrants"`}, nil)
	entries, err := h.db.Audit().List(context.Background(), audit.Filter{Resource: "indicators", RecordID: "female_migrants", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Action != "create" || entries[0].Outcome != "ok" || entries[0].ActorName != "analyst" {
		t.Fatalf("audit entries for the created indicator: %+v", entries)
	}
}
