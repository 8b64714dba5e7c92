package ui

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases/synth"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/api"
	"github.com/corridor-platform/corridor/internal/web/webauth"
)

var releaseIDRE = regexp.MustCompile(`^/releases/(\d+)$`)

// newReleaseHarness is the case harness with a data publisher in
// organisation A and a generated caseload of that organisation.
func newReleaseHarness(t *testing.T) (*accountHarness, http.Handler) {
	t.Helper()
	h := newCaseHarness(t)
	h.addUser(t, auth.User{Username: "publisher", FullName: "Pat Publisher", Email: "p@example.org", OrgID: h.orgA.ID,
		Roles: []string{auth.RoleDataPublisher}})
	owner := h.user(t, "worker")
	opt := synth.Options{Seed: 3, Scopes: []auth.Record{{OrgID: h.orgA.ID, TeamID: owner.TeamIDs[0], OwnerID: owner.ID}}}
	if _, err := h.db.BulkLoadSynthetic(context.Background(), "test", synth.All(opt, 400), 200); err != nil {
		t.Fatal(err)
	}
	// The public API over the same database, as the server mounts it.
	authn := &webauth.Auth{DB: h.db}
	record := func(ctx context.Context, e audit.Entry) error { _, err := h.db.Audit().Append(ctx, e); return err }
	router := web.NewRouter(web.Chain(web.Policy(authn, record, nil, h.ui.PolicyError)))
	api.New(api.Config{Geo: newMemStore(testReference()), Version: "test", DB: h.db, Auth: authn, NoMemo: true}).Register(router)
	return h, router
}

func getPublic(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

func syntheticForm() url.Values {
	return url.Values{"method": {"synthetic"}, "title": {"Test synthetic release"}, "citation": {"Test (2025). Synthetic release."},
		"reporting_length": {"3"}, "resolution": {"5"}, "k": {"10"}, "max_suppression": {"0.02"}}
}

func TestReleaseFormNamesFields(t *testing.T) {
	h, _ := newReleaseHarness(t)
	c := h.caseClient(t, "publisher")
	tests := []struct {
		name  string
		set   map[string]string
		field string // the form field whose error the page shows
	}{
		{"no title", map[string]string{"title": " "}, "release-title"},
		{"resolution not a number", map[string]string{"resolution": "ten"}, "release-resolution"},
		{"k below 2", map[string]string{"method": "kanon", "k": "1"}, "release-k"},
		{"unknown quasi-identifier", map[string]string{"method": "kanon", "qi": "gender,shoeSize"}, "release-qi"},
		{"unknown method", map[string]string{"method": "magic"}, "release-method"},
	}
	for _, tc := range tests {
		f := syntheticForm()
		for k, v := range tc.set {
			f.Set(k, v)
		}
		w := c.post("/releases", f)
		if w.Code != http.StatusBadRequest {
			t.Fatalf("%s: status %d\n%s", tc.name, w.Code, w.Body)
		}
		if !strings.Contains(w.Body.String(), `id="`+tc.field+`-error"`) {
			t.Errorf("%s: no error on %s", tc.name, tc.field)
		}
	}
}

func TestReleasePublicationFlow(t *testing.T) {
	h, public := newReleaseHarness(t)
	c := h.caseClient(t, "publisher")

	wantCode(t, c.get("/releases/new"), http.StatusOK)
	w := c.post("/releases", syntheticForm())
	wantCode(t, w, http.StatusSeeOther)
	m := releaseIDRE.FindStringSubmatch(w.Header().Get("Location"))
	if m == nil {
		t.Fatalf("Location %q", w.Header().Get("Location"))
	}
	id, page := m[1], w.Header().Get("Location")

	// The report.
	w = c.get(page)
	wantCode(t, w, http.StatusOK)
	body := w.Body.String()
	for _, want := range []string{"Test synthetic release", "Test (2025). Synthetic release.", "Excluded: no consent", "Verification",
		"Preservation (%) by combination length", "<svg", "records.csv", `action="/releases/` + id + `/publish"`} {
		if !strings.Contains(body, want) {
			t.Errorf("report page lacks %q", want)
		}
	}
	if strings.Contains(body, "FAIL") {
		t.Fatalf("a check failed:\n%s", body)
	}
	wantCode(t, c.get(page+"/files/records.csv"), http.StatusOK)
	// Preservation, a fraction in report.json, is shown in per cent.
	var rep struct {
		Aggregates struct {
			Preservation float64 `json:"preservation"`
		} `json:"aggregates"`
	}
	if err := json.Unmarshal(c.get(page+"/files/report.json").Body.Bytes(), &rep); err != nil || rep.Aggregates.Preservation <= 0 {
		t.Fatalf("report.json: %v %+v", err, rep)
	}
	if want := fmt.Sprintf("%.1f %%", 100*rep.Aggregates.Preservation); !strings.Contains(body, want) {
		t.Errorf("report page lacks preservation %q", want)
	}

	// Nothing public before publication.
	fileURL := "/api/v1/trafficking/releases/" + id + "/records.csv"
	wantCode(t, getPublic(t, public, fileURL), http.StatusNotFound)
	if strings.Contains(getPublic(t, h.handler, "/trafficking").Body.String(), "Test synthetic release") {
		t.Fatal("the dashboard lists an unpublished release")
	}

	// Publish.
	w = c.post(page+"/publish", url.Values{})
	wantCode(t, w, http.StatusSeeOther)
	if !strings.Contains(c.get(w.Header().Get("Location")).Body.String(), "The release is published.") {
		t.Error("no notice of publication")
	}
	wantCode(t, c.post(page+"/publish", url.Values{}), http.StatusConflict)

	// Public: the dashboard, the list and the files.
	dash := getPublic(t, h.handler, "/trafficking")
	wantCode(t, dash, http.StatusOK)
	if b := dash.Body.String(); !strings.Contains(b, "Published releases") || !strings.Contains(b, fileURL) {
		t.Errorf("dashboard lacks the release:\n%s", b)
	}
	w = getPublic(t, public, "/api/v1/trafficking/releases")
	wantCode(t, w, http.StatusOK)
	var list struct{ Items []api.PublishedRelease }
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil || len(list.Items) != 1 || list.Items[0].Files["records.csv"] != fileURL {
		t.Fatalf("public list %s: %v", w.Body, err)
	}
	for _, f := range []string{"release.json", "report.json", "aggregates.csv", "records.csv", "datacard.md"} {
		w := getPublic(t, public, "/api/v1/trafficking/releases/"+id+"/"+f)
		wantCode(t, w, http.StatusOK)
		if w.Body.Len() == 0 {
			t.Errorf("%s is empty", f)
		}
	}
	// The public documents hold no figure computed from the confidential
	// cases; the publisher's copies do.
	for f, banned := range map[string][]string{"release.json": {`"inputRecords"`, `"excludedNoConsent"`, `"excludedWithdrawn"`, "scope"},
		"report.json": {`"preservation"`, `"meanProportionalError"`}} {
		pub := getPublic(t, public, "/api/v1/trafficking/releases/"+id+"/"+f).Body.String()
		own := c.get(page + "/files/" + f).Body.String()
		for _, b := range banned {
			if strings.Contains(pub, b) {
				t.Errorf("public %s holds %s:\n%s", f, b, pub)
			}
		}
		if !strings.Contains(own, banned[0]) {
			t.Errorf("the publisher's %s lacks %s", f, banned[0])
		}
	}
	if got := getPublic(t, public, fileURL).Body.String(); !strings.HasPrefix(got, "yearOfRegistration,") {
		t.Errorf("records.csv starts %.60q", got)
	}
	wantCode(t, getPublic(t, public, "/api/v1/trafficking/releases/"+id+"/secrets.txt"), http.StatusNotFound)
	srcs := getPublic(t, public, "/api/v1/trafficking")
	if !strings.Contains(srcs.Body.String(), `"release:`+id+`"`) {
		t.Errorf("records not loaded as a public source: %s", srcs.Body)
	}

	// Withdraw: gone from the public.
	wantCode(t, c.post(page+"/withdraw", url.Values{}), http.StatusSeeOther)
	wantCode(t, getPublic(t, public, fileURL), http.StatusNotFound)

	// The changes are audited under releases (the refused second
	// publication too, as failed).
	es, err := h.db.Audit().List(context.Background(), audit.Filter{Resource: "releases", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range es {
		if e.Outcome == audit.OutcomeOK {
			actions = append(actions, e.Action)
		}
	}
	slices.Sort(actions)
	if !slices.Equal(actions, []string{"create", "publish", "publish"}) {
		t.Errorf("audit actions %v", actions)
	}
}

func TestReleasesNeedThePermission(t *testing.T) {
	h, _ := newReleaseHarness(t)
	c := h.caseClient(t, "worker")
	for _, target := range []string{"/releases", "/releases/new", "/releases/1"} {
		if w := c.get(target); w.Code != http.StatusForbidden && w.Code != http.StatusNotFound {
			t.Errorf("case worker GET %s: status %d", target, w.Code)
		}
	}
	if w := c.post("/releases", syntheticForm()); w.Code != http.StatusForbidden && w.Code != http.StatusNotFound {
		t.Errorf("case worker builds a release: status %d", w.Code)
	}
}

// TestAggregatesReleaseFeedsDashboard: a published aggregates release (no
// records) is a dashboard source whose every figure is a count of its
// aggregates.csv, and a filter that needs longer combinations than it
// released says so rather than showing figures.
func TestAggregatesReleaseFeedsDashboard(t *testing.T) {
	h, public := newReleaseHarness(t)
	c := h.caseClient(t, "publisher")
	form := url.Values{"method": {"kanon-aggregates"}, "title": {"Test aggregates release"}, "citation": {"Test (2025). Aggregates."},
		"reporting_length": {"2"}, "resolution": {"5"}}
	w := c.post("/releases", form)
	wantCode(t, w, http.StatusSeeOther)
	m := releaseIDRE.FindStringSubmatch(w.Header().Get("Location"))
	if m == nil {
		t.Fatalf("Location %q", w.Header().Get("Location"))
	}
	id, page := m[1], w.Header().Get("Location")
	wantCode(t, c.post(page+"/publish", url.Values{}), http.StatusSeeOther)

	// The released counts, read from the public file.
	rows, err := csv.NewReader(strings.NewReader(getPublic(t, public, "/api/v1/trafficking/releases/"+id+"/aggregates.csv").Body.String())).ReadAll()
	if err != nil || len(rows) < 3 {
		t.Fatalf("aggregates.csv: %v (%d rows)", err, len(rows))
	}
	header := rows[0]
	col := func(name string) int { return slices.Index(header, name) }
	// released[attrs] maps the values of a combination of exactly attrs
	// to its count.
	released := func(attrs ...string) map[string]int64 {
		out := map[string]int64{}
		for _, r := range rows[1:] {
			set := 0
			for i, v := range r {
				if v != "" && header[i] != "count" {
					set++
				}
			}
			if set != len(attrs) {
				continue
			}
			var key []string
			for _, a := range attrs {
				key = append(key, r[col(a)])
			}
			if !slices.Contains(key, "") {
				n, _ := strconv.ParseInt(r[col("count")], 10, 64)
				out[strings.Join(key, "|")] = n
			}
		}
		return out
	}
	summary := func(query string) api.TraffickingSummaryAnswer {
		t.Helper()
		w := getPublic(t, public, "/api/v1/trafficking/summary?source=release:"+id+query)
		wantCode(t, w, http.StatusOK)
		var s api.TraffickingSummaryAnswer
		if err := json.Unmarshal(w.Body.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		if s.Total != nil {
			s.TraffickingSummary.Total = *s.Total
		}
		return s
	}
	s := summary("")
	if s.Layout != "release-aggregates" || s.CombinationLength != 2 || s.Total == nil || *s.Total != released()[""] || *s.Total == 0 {
		t.Fatalf("summary head: layout %q length %d total %v (file %d)", s.Layout, s.CombinationLength, s.Total, released()[""])
	}
	years := released("yearOfRegistration")
	if len(years) == 0 || len(s.ByYear) != len(years) {
		t.Fatalf("by year %v, file %v", s.ByYear, years)
	}
	for _, c := range s.ByYear {
		if years[c.Key] != c.Count {
			t.Errorf("year %s = %d, file %d", c.Key, c.Count, years[c.Key])
		}
	}
	forced := released("isForcedLabour")["1"]
	for _, g := range s.Groups {
		if g.Group == "exploitation" && (g.Counts[0].Count != forced || g.Counts[0].NotRecorded != (forced == 0)) {
			t.Errorf("forced labour = %+v, file %d", g.Counts[0], forced)
		}
	}
	// Filtered by a year: the pairs with that year.
	year := s.ByYear[0].Key
	pairs := released("yearOfRegistration", "gender")
	s = summary("&year=" + year)
	if s.Total == nil || *s.Total != years[year] {
		t.Errorf("total in %s = %v, file %d", year, s.Total, years[year])
	}
	spell := map[string]string{"female": "Woman", "male": "Man", "trans": "Trans/Transgender/NonConforming"}
	n := 0
	for k := range pairs {
		if strings.HasPrefix(k, year+"|") {
			n++
		}
	}
	if len(s.ByGender) != n {
		t.Errorf("genders in %s: %v, file has %d pairs", year, s.ByGender, n)
	}
	for _, c := range s.ByGender {
		if want := pairs[year+"|"+spell[c.Key]]; c.Count != want {
			t.Errorf("%s %s = %d, file %d", year, c.Key, c.Count, want)
		}
	}
	if !slices.Contains(s.Unavailable, "corridors") {
		t.Errorf("unavailable = %v, want corridors (three attributes)", s.Unavailable)
	}
	// A pair the release withheld: no total, never 0.
	if _, ok := pairs[year+"|"+spell["trans"]]; !ok {
		w := getPublic(t, public, "/api/v1/trafficking/summary?source=release:"+id+"&year="+year+"&gender=trans")
		wantCode(t, w, http.StatusOK)
		if b := w.Body.String(); !strings.Contains(b, `"total":null`) || !strings.Contains(b, `"withheld":true`) {
			t.Errorf("withheld pair answers %s", b)
		}
	}
	// The page says what the figures are.
	body := getPublic(t, h.handler, "/trafficking?source=release:"+id+"&year="+year).Body.String()
	for _, want := range []string{"release of aggregates", "combinations of more than 2 attributes"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
}

// TestTamperedReleaseIsNotPublished: publication verifies the files as
// stored, so a release altered in the database after it was built is
// refused, and nothing becomes public.
func TestTamperedReleaseIsNotPublished(t *testing.T) {
	h, public := newReleaseHarness(t)
	c := h.caseClient(t, "publisher")
	form := url.Values{"method": {"kanon-aggregates"}, "title": {"Tampered"}, "citation": {"Test (2025)."},
		"reporting_length": {"2"}, "resolution": {"5"}}
	w := c.post("/releases", form)
	wantCode(t, w, http.StatusSeeOther)
	m := releaseIDRE.FindStringSubmatch(w.Header().Get("Location"))
	if m == nil {
		t.Fatalf("Location %q", w.Header().Get("Location"))
	}
	id, page := m[1], w.Header().Get("Location")
	ctx := context.Background()
	var agg string
	if err := h.db.SQL().QueryRowContext(ctx, `SELECT aggregates_csv FROM releases WHERE id = `+id).Scan(&agg); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(agg, "\n"), "\n")
	last := lines[len(lines)-1]
	lines[len(lines)-1] = last[:strings.LastIndex(last, ",")+1] + "3" // a count below the resolution
	if _, err := h.db.SQL().ExecContext(ctx, `UPDATE releases SET aggregates_csv = $1 WHERE id = `+id, strings.Join(lines, "\n")+"\n"); err != nil {
		t.Fatal(err)
	}
	w = c.post(page+"/publish", url.Values{})
	wantCode(t, w, http.StatusConflict)
	if !strings.Contains(w.Body.String(), "do not verify") {
		t.Errorf("refusal does not say why: %s", w.Body)
	}
	wantCode(t, getPublic(t, public, "/api/v1/trafficking/releases/"+id+"/aggregates.csv"), http.StatusNotFound)
	if strings.Contains(getPublic(t, public, "/api/v1/trafficking").Body.String(), "release:"+id) {
		t.Error("the tampered release became a public source")
	}
}
