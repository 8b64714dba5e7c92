package synth

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/people"
)

var ctdcDir = filepath.Join("..", "..", "..", "..", "shared", "data", "ctdc")

func TestDeterministic(t *testing.T) {
	collect := func(seed uint64, n int) []Record {
		var out []Record
		for r := range All(Options{Seed: seed}, n) {
			out = append(out, r)
		}
		return out
	}
	a, b := collect(42, 300), collect(42, 300)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different records")
	}
	c := collect(43, 300)
	same := 0
	for i := range a {
		if a[i].Person.GivenName == c[i].Person.GivenName && a[i].Person.BirthDate == c[i].Person.BirthDate {
			same++
		}
	}
	if same > 30 {
		t.Errorf("seeds 42 and 43 agree on %d of 300 people", same)
	}
	// A record does not depend on how the stream is consumed: Next and All
	// agree.
	g := New(Options{Seed: 42})
	for i := range 300 {
		if r := g.Next(); !reflect.DeepEqual(r, a[i]) {
			t.Fatalf("record %d differs between Next and All", i)
		}
	}
}

func TestStreamingStopsEarly(t *testing.T) {
	n := 0
	for r := range All(Options{Seed: 1}, -1) {
		n++
		if r.Case.ID != int64(n) || r.Person.ID != int64(n) {
			t.Fatalf("ids %d/%d at record %d", r.Case.ID, r.Person.ID, n)
		}
		if n == 25 {
			break
		}
	}
	if n != 25 {
		t.Errorf("consumed %d", n)
	}
}

// TestRecordsValid checks that every generated record passes the domain
// validation and keeps the case-work rules.
func TestRecordsValid(t *testing.T) {
	scopes := []auth.Record{{OrgID: 10, TeamID: 100, OwnerID: 1000}, {OrgID: 20, TeamID: 200, OwnerID: 2000}, {OrgID: 20, TeamID: 201, OwnerID: 2001}}
	until := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	var (
		n, returns, drafts, dups, statsRefused, referrals int
		status                                            = map[string]int{}
		stages                                            = map[string]int{}
	)
	for r := range All(Options{Seed: 7, Scopes: scopes, Until: until}, 5000) {
		n++
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("record %d (%s case %d): %s", n, r.Case.Kind, r.Case.ID, fmt.Sprintf(format, args...))
		}
		if err := r.Person.Validate(); err != nil {
			fail("person: %v (%+v)", err, r.Person)
		}
		if err := r.Case.Validate(); err != nil {
			fail("case: %v", err)
		}
		if r.Case.PersonID != r.Person.ID || r.Case.Record() != r.Person.Record() || !slices.Contains(scopes, r.Case.Record()) {
			fail("scope or person mismatch: %+v", r.Case.Record())
		}
		if r.Case.OpenedOn > until.Format("2006-01-02") || r.Case.ClosedOn > until.Format("2006-01-02") {
			fail("dates after Until: %s %s", r.Case.OpenedOn, r.Case.ClosedOn)
		}
		status[r.Case.Status]++
		if r.Case.Kind == cases.KindReturn {
			returns++
			stages[r.Case.Return.Stage]++
		}
		if r.Case.Draft {
			drafts++
		}
		if r.DuplicateOf != 0 {
			dups++
		}
		hasConsent := map[string]bool{}
		for _, c := range r.Consents {
			if err := c.Validate(); err != nil || c.CaseID != r.Case.ID || c.PersonID != r.Person.ID || c.Date < r.Case.OpenedOn {
				fail("consent %+v: %v", c, err)
			}
			hasConsent[c.Type] = true
		}
		if !hasConsent[cases.ConsentAssistance] || !hasConsent[cases.ConsentStatistics] {
			fail("assistance and statistics consents are always recorded: %+v", r.Consents)
		}
		if !cases.UsableForStatistics(r.Consents, r.Case.OpenedOn) {
			statsRefused++
		}
		for _, ref := range r.Referrals {
			referrals++
			if err := ref.Validate(); err != nil || ref.CaseID != r.Case.ID || ref.FromOrgID != r.Case.OrgID {
				fail("referral %+v: %v", ref, err)
			}
			d, _ := time.Parse("2006-01-02", ref.Date)
			k, err := cases.RequireReferralConsent(r.Consents, r.Person.ID, d)
			if err != nil || k.ID != ref.ConsentID {
				fail("referral without its consent: %v", err)
			}
		}
		if r.Case.Status == cases.StatusClosedReferred && !slices.ContainsFunc(r.Referrals, func(x cases.Referral) bool { return x.Status == cases.ReferralAccepted }) {
			fail("ClosedReferred without an accepted referral")
		}
		for _, s := range r.Services {
			if err := s.Validate(); err != nil || s.Date < r.Case.OpenedOn {
				fail("service %+v: %v", s, err)
			}
		}
		for _, c := range r.Comments {
			if err := c.Validate(); err != nil {
				fail("comment: %v", err)
			}
		}
		for _, tk := range r.Tasks {
			if err := tk.Validate(); err != nil || r.Case.Closed() && tk.DoneOn == "" {
				fail("task %+v: %v", tk, err)
			}
		}
		if _, err := (cases.Export{Visibility: cases.Visibility{Identity: true, Profile: true, Narrative: true}}).Row(r.Case, &r.Person, r.Referrals); err != nil {
			fail("export: %v", err)
		}
	}
	share := func(k int) float64 { return float64(k) / float64(n) }
	if s := share(returns); math.Abs(s-0.25) > 0.03 {
		t.Errorf("return share %.3f, want 0.25", s)
	}
	if s := share(statsRefused); s < 0.10 || s > 0.25 {
		t.Errorf("share without statistics consent %.3f, want about 0.15", s)
	}
	if dups == 0 || share(dups) > 0.02 {
		t.Errorf("%d near-duplicates", dups)
	}
	if drafts == 0 || referrals == 0 {
		t.Errorf("drafts %d, referrals %d: the mix lacks them", drafts, referrals)
	}
	for _, s := range cases.CaseStatuses {
		if status[s] == 0 {
			t.Errorf("no %s case in the mix: %v", s, status)
		}
	}
	for _, s := range cases.Stages {
		if stages[s] == 0 {
			t.Errorf("no return case in stage %s: %v", s, stages)
		}
	}
}

func candidate(p people.Person) cases.Candidate {
	return cases.Candidate{PersonID: p.ID, GivenName: p.GivenName, FamilyName: p.FamilyName, BirthDate: p.BirthDate,
		Nationality: p.Nationality, DocumentIndex: p.DocumentNumber} // the number stands in for its blind index
}

// TestNearDuplicatesFound runs duplicate detection over the generated
// re-registrations: nearly all are found, and unrelated people are not.
func TestNearDuplicatesFound(t *testing.T) {
	people := map[int64]people.Person{}
	var dups []Record
	var window []cases.Candidate
	falsePositives, probes := 0, 0
	for r := range All(Options{Seed: 11, DuplicateShare: 0.02}, 20000) {
		people[r.Person.ID] = r.Person
		if r.DuplicateOf != 0 {
			dups = append(dups, r)
		} else if r.Person.ID%20 == 0 && len(window) > 0 {
			// Unrelated people: a sample of ordinary records against the
			// last 300 people registered.
			probes++
			for _, m := range cases.FindDuplicates(candidate(r.Person), window, cases.DuplicateThreshold) {
				if people[m.PersonID].ID != r.DuplicateOf {
					falsePositives++
				}
			}
		}
		window = append(window, candidate(r.Person))
		if len(window) > 300 {
			window = window[1:]
		}
	}
	if len(dups) < 300 {
		t.Fatalf("only %d near-duplicates", len(dups))
	}
	found, exact, withDate, foundWithDate := 0, 0, 0, 0
	for _, d := range dups {
		orig := people[d.DuplicateOf]
		if orig.GivenName == d.Person.GivenName && orig.FamilyName == d.Person.FamilyName {
			exact++
		}
		hit := cases.Score(candidate(d.Person), candidate(orig)).Score >= cases.DuplicateThreshold
		if hit {
			found++
		}
		if len(orig.BirthDate) == 10 {
			withDate++
			if hit {
				foundWithDate++
			}
		}
	}
	if exact > 0 {
		t.Errorf("%d duplicates have no spelling difference", exact)
	}
	recall, recallWithDate := float64(found)/float64(len(dups)), float64(foundWithDate)/float64(withDate)
	t.Logf("near-duplicates found: %d of %d (%.3f); with a full date of birth %d of %d (%.3f); false positives: %d over %d probes × 300 people",
		found, len(dups), recall, foundWithDate, withDate, recallWithDate, falsePositives, probes)
	// Without a date of birth a name alone is not enough evidence, by
	// design; with one, nearly every re-registration is found.
	if recallWithDate < 0.98 || recall < 0.95 {
		t.Errorf("recall %.3f (%.3f with a full date of birth), want ≥ 0.95 (0.98)", recall, recallWithDate)
	}
	if falsePositives > probes/200 {
		t.Errorf("%d false positives over %d probes", falsePositives, probes)
	}
}

// ctdcShares are the proportions the generator is shaped by, computed
// the same way from the CTDC VP file and from generated cases.
type ctdcShares map[string]float64

type counter struct{ num, den map[string]float64 }

func newCounter() *counter { return &counter{num: map[string]float64{}, den: map[string]float64{}} }

// add counts one record in a group's denominator and, for the key, in
// the numerator.
func (c *counter) add(group, key string) {
	c.den[group]++
	c.num[group+"="+key]++
}

func (c *counter) shares() ctdcShares {
	out := ctdcShares{}
	for k, v := range c.num {
		group, _, _ := strings.Cut(k, "=")
		out[k] = v / c.den[group]
	}
	return out
}

// closest reduces CTDC's multi-valued IP_Relation to one HTCDS value
// (the closest relation wins, as in tables.go).
func closest(rel string) string {
	switch {
	case strings.Contains(rel, "FamilyIntimatePartner"):
		return "Familial"
	case strings.Contains(rel, "FriendAcquaintance"):
		return "Acquainted"
	}
	return "Unaquainted"
}

func readVP(t *testing.T) ctdcShares {
	f, err := os.Open(filepath.Join(ctdcDir, "CTDC_VPsynthetic_condensed.csv"))
	if os.IsNotExist(err) {
		t.Skip("CTDC VP file absent")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	c := newCounter()
	rows := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows++
		get := func(name string) string { return rec[col[name]] }
		if g := get("gender"); g != "" {
			c.add("female", strconv.FormatBool(g == "Female"))
		}
		if m := get("majorityStatus"); m != "" {
			c.add("minor", strconv.FormatBool(m == "Minor"))
		}
		fl, se := get("isForcedLabour") == "1", get("isSexualExploit") == "1"
		if fl || se {
			c.add("forcedLabour", strconv.FormatBool(fl))
			c.add("sexualExploitation", strconv.FormatBool(se))
		}
		if v := get("UN_COO_Region"); v != "" {
			c.add("citizenshipRegion", v)
		}
		if v := get("UN_COE_Region"); v != "" {
			c.add("exploitationRegion", v)
		}
		if v := get("IP_Relation"); v != "" {
			c.add("relation", closest(v))
		}
		if v := get("yearRegister"); v != "" {
			c.add("registered", v)
		}
	}
	if rows < 20000 {
		t.Fatalf("read %d rows", rows)
	}
	return c.shares()
}

// countryRegion maps the generator's countries to their UN region.
func countryRegion() map[string]string {
	out := map[string]string{}
	for _, tbl := range []map[string][]Share{nationalities, destinations} {
		for reg, shares := range tbl {
			for _, s := range shares {
				out[s.Key] = reg
			}
		}
	}
	return out
}

// yearBand maps a registration year back to the VP file's bands, undoing
// the shift to Until.
func yearBand(year, until int) string {
	off := year - until
	for i, b := range yearBands {
		if off >= b[0] && off <= b[1] {
			return Shape.RegistrationYears[i].Key
		}
	}
	return "outside"
}

func generatedShares(n int, seed uint64) (ctdcShares, *counter) {
	regions := countryRegion()
	c := newCounter()
	bands := newCounter()
	opt := Options{Seed: seed}
	for r := range All(opt, n) {
		if r.Case.Kind != cases.KindTrafficking {
			continue
		}
		p, tr := r.Person, r.Case.Trafficking
		if p.Sex == "female" || p.Sex == "male" {
			c.add("female", strconv.FormatBool(p.Sex == "female"))
		}
		opened, _ := time.Parse("2006-01-02", r.Case.OpenedOn)
		if age, ok := cases.AgeAt(p.BirthDate, opened); ok {
			c.add("minor", strconv.FormatBool(age < 18))
			group := "adultBand"
			if age < 18 {
				group = "minorBand"
			}
			bands.add(group, cases.BandOf(age))
		}
		fl, se := tr.Has(cases.ForcedLabour), tr.Has(cases.SexualExploitation)
		if fl || se {
			c.add("forcedLabour", strconv.FormatBool(fl))
			c.add("sexualExploitation", strconv.FormatBool(se))
		}
		c.add("citizenshipRegion", regions[p.Nationality])
		c.add("exploitationRegion", regions[tr.CountryOfExploitation])
		if tr.RelationshipToTrafficker != "" {
			c.add("relation", tr.RelationshipToTrafficker)
		}
		c.add("registered", yearBand(opened.Year(), 2024))
	}
	return c.shares(), bands
}

// Tolerance is the largest absolute difference allowed between a share
// of the generated caseload (20,000 cases, seed 1, about 15,000 of them
// trafficking cases, so a sampling error of at most 0.004) and the same
// share in the CTDC file.
const tolerance = 0.02

// TestShapeMatchesCTDC checks the generator against the CTDC VP file:
// gender, minors, forced labour and sexual exploitation, region of
// citizenship and of exploitation, relation to the recruiter, and year
// of registration.
func TestShapeMatchesCTDC(t *testing.T) {
	want := readVP(t)
	got, _ := generatedShares(20000, 1)
	checked := 0
	for k, w := range want {
		if strings.HasSuffix(k, "=false") {
			continue // the complement of "=true"
		}
		g := got[k]
		checked++
		if math.Abs(g-w) > tolerance {
			t.Errorf("%-40s generated %.4f, CTDC %.4f (off by %.4f)", k, g, w, g-w)
		} else {
			t.Logf("%-40s generated %.4f, CTDC %.4f", k, g, w)
		}
	}
	if checked < 20 {
		t.Errorf("only %d shares compared", checked)
	}
	for _, k := range []string{"citizenshipRegion=", "exploitationRegion="} {
		if got[k] != 0 {
			t.Errorf("%d%% of countries have no region", int(got[k]*100))
		}
	}
}

// TestAgeBandsMatchCTDC checks the split of age bands within minors and
// within adults against the only CTDC-derived file with age bands (the
// North American table; skipped when absent).
func TestAgeBandsMatchCTDC(t *testing.T) {
	f, err := os.Open(filepath.Join(ctdcDir, "derived", "madiforman_final_data_v2025_north_america.csv"))
	if os.IsNotExist(err) {
		t.Skip("derived CTDC file absent")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	ageCol := slices.Index(head, "Age Band")
	if ageCol < 0 {
		t.Fatalf("no Age Band column in %v", head)
	}
	want := newCounter()
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		// 0 = unknown, 1 = "0--8", 2 = "09--17", 3 = "18--20" … 9 = "48+".
		code, err := strconv.Atoi(rec[ageCol])
		if err != nil || code < 0 || code > len(cases.AgeBands) {
			t.Fatalf("Age Band %q", rec[ageCol])
		}
		if code == 0 {
			continue
		}
		band := cases.AgeBands[code-1].Name
		group := "adultBand"
		if code <= 2 {
			group = "minorBand"
		}
		want.add(group, band)
	}
	_, bands := generatedShares(20000, 1)
	got := bands.shares()
	for k, w := range want.shares() {
		tol := tolerance
		if strings.HasPrefix(k, "minorBand") {
			tol = 0.05 // about a thousand minors: a sampling error up to 0.01 per band
		}
		if math.Abs(got[k]-w) > tol {
			t.Errorf("%-20s generated %.4f, CTDC %.4f", k, got[k], w)
		}
	}
}

func TestTablesConsistent(t *testing.T) {
	seen := map[string]string{}
	for _, tbl := range []map[string][]Share{nationalities, destinations} {
		for reg, shares := range tbl {
			if !slices.Contains(Regions, reg) {
				t.Errorf("unknown region %s", reg)
			}
			for _, s := range shares {
				if prev, ok := seen[s.Key]; ok && prev != reg {
					t.Errorf("%s is in %s and %s", s.Key, prev, reg)
				}
				seen[s.Key] = reg
			}
		}
	}
	for _, reg := range Regions {
		sum := 0.0
		for _, s := range Shape.ExploitationRegion[reg] {
			sum += s.P
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Errorf("exploitation region given %s sums to %v", reg, sum)
		}
		nl := names[reg]
		if len(nl.female) < 10 || len(nl.male) < 8 || len(nl.family) < 10 {
			t.Errorf("name lists of %s too short", reg)
		}
	}
	// Every value the tables use is a valid HTCDS or Corridor value.
	check := func(list []string, shares ...[]Share) {
		for _, ss := range shares {
			for _, s := range ss {
				if !slices.Contains(list, s.Key) {
					t.Errorf("%s is not a valid value", s.Key)
				}
			}
		}
	}
	check(cases.MethodsOfControl, controlFL, controlSE)
	check(cases.Industries, industries)
	check(cases.SexExploitationTypes, sexTypes)
	check(cases.ExploitationTypes, otherTypes)
	check(cases.RecruitmentMethods, recruitment)
	check(cases.WebsitesAndApps, apps)
	check(cases.Vulnerabilities, vulnerabilities)
	check(cases.DecisionMakingOrgs, decisionOrgs)
	check(cases.TraffickingStatuses, traffickingStatuses)
	check(cases.ServiceTypes, servicesTrafficking, servicesReturn)
	check(cases.SupportPlanTypes, supportPlans)
	check(cases.RelationshipsToTrafficker, Shape.Relation)
	check(cases.Stages, reintegrationStages)
}

func TestDate(t *testing.T) {
	for _, d := range []time.Time{time.Date(1907, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2024, 12, 31, 23, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC)} {
		if got, want := date(d), d.Format("2006-01-02"); got != want {
			t.Errorf("date = %s, want %s", got, want)
		}
	}
}

func TestTypo(t *testing.T) {
	g := New(Options{Seed: 3})
	for _, name := range []string{"Ndiaye", "Mariam", "Lan", "Wei", "Dela Cruz", "Traoré", "Ab"} {
		for range 50 {
			got := g.typo(name)
			if got == name {
				t.Fatalf("typo(%q) left it unchanged", name)
			}
			if d := len([]rune(got)) - len([]rune(name)); d < -1 || d > 1 {
				t.Fatalf("typo(%q) = %q changes more than one letter", name, got)
			}
		}
	}
}

// BenchmarkGenerate measures generation speed; it reports cases/s.
func BenchmarkGenerate(b *testing.B) {
	g := New(Options{Seed: 1})
	n := 0
	start := time.Now()
	for b.Loop() {
		r := g.Next()
		n += len(r.Consents)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "cases/s")
	if n == 0 {
		b.Fatal("no consents generated")
	}
}
