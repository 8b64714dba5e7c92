// Package synth generates a deterministic synthetic caseload: fictitious
// people and their counter-trafficking and return cases, with consents,
// referrals, services, comments and tasks, shaped like the CTDC data
// (see tables.go), for demos, load tests and the data-release work.
//
// Generation is streaming — Generator.Next returns one record at a time
// and All yields them as an iterator — so a million cases never sit in
// memory, and deterministic: the same Options (seed included) give the
// same records, on any machine. Nothing here is real: names come from
// small built-in lists and every value is drawn at random.
//
// A small share of records are deliberate near-duplicates: a person
// registered again with a misspelt name and the same date of birth
// (Record.DuplicateOf names the original), to exercise duplicate
// detection at intake.
package synth

import (
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/people"
)

// Options configure a generator. The zero value is usable: defaults are
// filled by New.
type Options struct {
	// Seed selects the caseload; the same seed gives the same records.
	Seed uint64
	// Until is the last registration date and the "today" of the
	// caseload (statuses, overdue tasks, monitoring); default 2024-12-31.
	Until time.Time
	// Scopes are the (organisation, team, owner) triples cases are
	// assigned to, chosen at random. Default: 4 organisations × 3 teams ×
	// 5 case workers, numbered from 1 (the caller maps them to real ids).
	// Referrals go to the organisations of other scopes.
	Scopes []auth.Record
	// ReturnShare is the share of return cases (default 0.25; negative
	// for none).
	ReturnShare float64
	// DuplicateShare is the share of near-duplicate re-registrations
	// (default 0.005; negative for none).
	DuplicateShare float64
}

// Record is one generated case with its person and related records. IDs
// are numbered from 1 in generation order (people, cases, consents,
// referrals, services, comments, tasks separately), and the references
// between them use those numbers.
type Record struct {
	Person    people.Person
	Case      cases.Case
	Consents  []cases.Consent
	Referrals []cases.Referral
	Services  []cases.Service
	Comments  []cases.Comment
	Tasks     []cases.Task
	// DuplicateOf is the id of the person this record re-registers with a
	// misspelt name (0 for an ordinary record).
	DuplicateOf int64
	// OriginRegion and ExploitationRegion are the UN regions (CTDC's
	// names) of the person's citizenship and of the country of
	// exploitation (for a return case: of the host country).
	OriginRegion, ExploitationRegion string
}

// Generator produces records one at a time. It is not safe for
// concurrent use.
type Generator struct {
	opt   Options
	r     *rand.Rand
	until time.Time
	// id counters
	person, kase, consent, referral, service, comment, task int64
	orgs                                                    []int64
	recent                                                  []people.Person // ring of recent people, for duplicates
	next                                                    int
	// pickers
	origin, minorBand, adultBand, relation, years     picker
	exploitRegion, nationality, destination, exploits map[string]picker
	control                                           [2]picker
	industry, sexType, otherType, recruit, app        picker
	vuln, decision, tstatus, supPlan                  picker
	trafServices, retServices                         []Share
	statusOld, statusNew, stageOld, stageNew          picker
	referralStatus, referralReason                    picker
}

const recentSize = 512

// New returns a generator.
func New(opt Options) *Generator {
	if opt.Until.IsZero() {
		opt.Until = time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	if len(opt.Scopes) == 0 {
		for o := int64(1); o <= 4; o++ {
			for t := int64(1); t <= 3; t++ {
				team := (o-1)*3 + t
				for w := int64(1); w <= 5; w++ {
					opt.Scopes = append(opt.Scopes, auth.Record{OrgID: o, TeamID: team, OwnerID: (team-1)*5 + w})
				}
			}
		}
	}
	if opt.ReturnShare == 0 {
		opt.ReturnShare = 0.25
	}
	if opt.DuplicateShare == 0 {
		opt.DuplicateShare = 0.005
	}
	g := &Generator{opt: opt, r: rand.New(rand.NewPCG(opt.Seed, 0x636f727269646f72)), // "corridor"
		until:         time.Date(opt.Until.Year(), opt.Until.Month(), opt.Until.Day(), 0, 0, 0, 0, time.UTC),
		origin:        newPicker(Shape.OriginRegions),
		minorBand:     newPicker(Shape.MinorBands),
		adultBand:     newPicker(Shape.AdultBands),
		relation:      newPicker(Shape.Relation),
		years:         newPicker(Shape.RegistrationYears),
		exploitRegion: map[string]picker{}, nationality: map[string]picker{}, destination: map[string]picker{},
		exploits:     map[string]picker{},
		control:      [2]picker{newPicker(controlFL), newPicker(controlSE)},
		industry:     newPicker(industries),
		sexType:      newPicker(sexTypes),
		otherType:    newPicker(otherTypes),
		recruit:      newPicker(recruitment),
		app:          newPicker(apps),
		vuln:         newPicker(vulnerabilities),
		decision:     newPicker(decisionOrgs),
		tstatus:      newPicker(traffickingStatuses),
		supPlan:      newPicker(supportPlans),
		trafServices: servicesTrafficking, retServices: servicesReturn,
		statusOld: newPicker([]Share{{cases.StatusClosed, 0.75}, {cases.StatusClosedReferred, 0.10}, {cases.StatusFollowUp, 0.10}, {cases.StatusActive, 0.05}}),
		statusNew: newPicker([]Share{{cases.StatusActive, 0.60}, {cases.StatusFollowUp, 0.25}, {cases.StatusClosed, 0.10}, {cases.StatusClosedReferred, 0.05}}),
		stageOld:  newPicker([]Share{{cases.StageMonitoring, 0.15}, {cases.StageClosed, 0.85}}),
		stageNew:  newPicker(reintegrationStages),
		referralStatus: newPicker([]Share{{cases.ReferralAccepted, 0.6}, {cases.ReferralRequested, 0.1},
			{cases.ReferralDeclined, 0.2}, {cases.ReferralRevoked, 0.1}}),
		referralReason: newPicker([]Share{{"AdditionalServicesRequired", 0.7}, {"MigrationOrChangeOfLocation", 0.2}, {"Other", 0.1}}),
	}
	for _, reg := range Regions {
		g.exploitRegion[reg] = newPicker(Shape.ExploitationRegion[reg])
		g.nationality[reg] = newPicker(nationalities[reg])
		g.destination[reg] = newPicker(destinations[reg])
	}
	for sex, shares := range Shape.Exploitation {
		g.exploits[sex] = newPicker(shares)
	}
	for _, s := range opt.Scopes {
		if !slices.Contains(g.orgs, s.OrgID) {
			g.orgs = append(g.orgs, s.OrgID)
		}
	}
	return g
}

// All yields n records generated with the options (n < 0: without end,
// until the loop stops).
func All(opt Options, n int) iter.Seq[Record] {
	return func(yield func(Record) bool) {
		g := New(opt)
		for i := 0; n < 0 || i < n; i++ {
			if !yield(g.Next()) {
				return
			}
		}
	}
}

func (g *Generator) chance(p float64) bool { return g.r.Float64() < p }

func (g *Generator) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func (g *Generator) one(list []string) string { return list[g.r.IntN(len(list))] }

// some draws each share independently (a multiselect), at least one when
// atLeastOne, in the table's order.
func (g *Generator) some(shares []Share, atLeastOne bool) []string {
	var out []string
	for _, s := range shares {
		if g.chance(s.P) {
			out = append(out, s.Key)
		}
	}
	if len(out) == 0 && atLeastOne {
		out = append(out, shares[g.r.IntN(min(3, len(shares)))].Key)
	}
	return out
}

// date writes YYYY-MM-DD (a hand-written time.Format, which is a fifth
// of the generation time otherwise).
func date(t time.Time) string {
	y, m, d := t.Date()
	var b [10]byte
	b[0], b[1], b[2], b[3] = byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10)
	b[4], b[7] = '-', '-'
	b[5], b[6] = byte('0'+int(m)/10), byte('0'+int(m)%10)
	b[8], b[9] = byte('0'+d/10), byte('0'+d%10)
	return string(b[:])
}

// Next generates the next record.
func (g *Generator) Next() Record {
	var rec Record
	scope := g.opt.Scopes[g.r.IntN(len(g.opt.Scopes))]
	opened := g.registrationDate()
	rec.OriginRegion = g.origin.pick(g.r)
	rec.ExploitationRegion = g.exploitRegion[rec.OriginRegion].pick(g.r)

	if g.opt.DuplicateShare > 0 && len(g.recent) > 0 && g.chance(g.opt.DuplicateShare) {
		// Registered again some weeks or months after the first time.
		orig := g.recent[g.r.IntN(len(g.recent))]
		rec.Person = g.misspelt(orig)
		rec.DuplicateOf = orig.ID
		rec.OriginRegion = regionOf(orig.Nationality)
		rec.ExploitationRegion = g.exploitRegion[rec.OriginRegion].pick(g.r)
		opened = g.dateAfter(orig.CreatedAt, 1, 365)
	} else {
		rec.Person = g.newPerson(rec.OriginRegion, opened)
	}
	g.person++
	rec.Person.ID = g.person
	rec.Person.OrgID, rec.Person.TeamID, rec.Person.OwnerID = scope.OrgID, scope.TeamID, scope.OwnerID
	rec.Person.Version = 1
	rec.Person.CreatedAt, rec.Person.UpdatedAt = opened, opened
	if len(g.recent) < recentSize {
		g.recent = append(g.recent, rec.Person)
	} else {
		g.recent[g.next] = rec.Person
		g.next = (g.next + 1) % recentSize
	}

	g.kase++
	c := cases.Case{ID: g.kase, PersonID: rec.Person.ID, OrgID: scope.OrgID, TeamID: scope.TeamID, OwnerID: scope.OwnerID,
		OpenedOn: date(opened), Version: 1, CreatedAt: opened, UpdatedAt: opened}
	rec.Case = c
	if g.opt.ReturnShare > 0 && g.chance(g.opt.ReturnShare) {
		g.returnCase(&rec, opened)
	} else {
		g.traffickingCase(&rec, opened)
	}
	g.work(&rec, opened)
	return rec
}

// registrationDate draws a date following the VP file's registration
// years, shifted to end at Until.
func (g *Generator) registrationDate() time.Time {
	band := g.years.pick(g.r)
	i := slices.IndexFunc(Shape.RegistrationYears, func(s Share) bool { return s.Key == band })
	y := g.until.Year() + g.between(yearBands[i][0], yearBands[i][1])
	start := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	days := 365
	if y == g.until.Year() {
		days = g.until.YearDay()
	}
	return start.AddDate(0, 0, g.r.IntN(days))
}

func regionOf(iso3 string) string {
	for _, reg := range Regions {
		if slices.ContainsFunc(nationalities[reg], func(s Share) bool { return s.Key == iso3 }) {
			return reg
		}
	}
	return Asia
}

// newPerson draws a fictitious person of a region, of an age at opened
// following the CTDC age bands.
func (g *Generator) newPerson(region string, opened time.Time) people.Person {
	p := people.Person{Nationality: g.nationality[region].pick(g.r)}
	x := g.r.Float64()
	switch {
	case x < Shape.OtherSex:
		p.Sex = "other"
	case x < Shape.OtherSex+Shape.UnknownSex:
		p.Sex = "unknown"
	case g.chance(Shape.FemaleByRegion[region]):
		p.Sex = "female"
	default:
		p.Sex = "male"
	}
	nl := names[region]
	female := p.Sex == "female" || p.Sex != "male" && g.chance(0.5)
	if female {
		p.GivenName = g.one(nl.female)
	} else {
		p.GivenName = g.one(nl.male)
	}
	p.FamilyName = g.one(nl.family)

	var band string
	if g.chance(Shape.MinorShare) {
		band = g.minorBand.pick(g.r)
	} else {
		band = g.adultBand.pick(g.r)
	}
	b := bandRange(band)
	age := g.between(b[0], b[1])
	birth := opened.AddDate(-age, 0, -g.r.IntN(365))
	switch x := g.r.Float64(); {
	case x < 0.03: // date of birth unknown
	case x < 0.05:
		p.BirthDate = strconv.Itoa(birth.Year()) // only the year known
	default:
		p.BirthDate = date(birth)
	}

	switch x := g.r.Float64(); {
	case x < 0.45:
		p.DocumentType, p.DocumentNumber = "passport", g.docNumber(p.Nationality[:1])
	case x < 0.65:
		p.DocumentType, p.DocumentNumber = "national-id", g.docNumber("")
	case x < 0.70:
		p.DocumentType, p.DocumentNumber = "travel-document", g.docNumber("T")
	default:
		p.DocumentType = "none"
	}
	return p
}

func bandRange(name string) [2]int {
	for _, b := range cases.AgeBands {
		if b.Name == name {
			if b.Max < 0 {
				return [2]int{b.Min, 70}
			}
			return [2]int{b.Min, b.Max}
		}
	}
	return [2]int{18, 60}
}

func (g *Generator) docNumber(prefix string) string {
	return prefix + strconv.FormatUint(10000000+g.r.Uint64N(90000000), 10)
}

// misspelt re-registers a person: one typing or transcription slip in
// the given or the family name, the same date of birth (or one digit off
// in the day, one time in six), the same nationality, and one time in
// three the same document.
func (g *Generator) misspelt(orig people.Person) people.Person {
	p := orig
	p.ID = 0
	if g.chance(0.5) {
		p.GivenName = g.typo(p.GivenName)
	} else {
		p.FamilyName = g.typo(p.FamilyName)
	}
	if len(p.BirthDate) == 10 && g.chance(1.0/6) {
		if d, err := time.Parse("2006-01-02", p.BirthDate); err == nil {
			day := d.Day()
			alt := day + 1
			if day%10 == 9 {
				alt = day - 1
			}
			if n := d.AddDate(0, 0, alt-day); n.Month() == d.Month() {
				p.BirthDate = date(n)
			}
		}
	}
	if p.DocumentNumber != "" && !g.chance(1.0/3) {
		p.DocumentType, p.DocumentNumber = "none", ""
	}
	return p
}

// typo applies one slip to a name: a vowel exchanged (i↔y, e↔a, o↔u),
// a letter dropped or doubled, or an apostrophe inserted after the
// first letter (N'Diaye).
func (g *Generator) typo(name string) string {
	rs := []rune(name)
	if len(rs) < 3 {
		return name + "h"
	}
	swap := map[rune]rune{'i': 'y', 'y': 'i', 'e': 'a', 'a': 'e', 'o': 'u', 'u': 'o'}
	for range 4 {
		i := 1 + g.r.IntN(len(rs)-1)
		switch g.r.IntN(4) {
		case 0:
			if s, ok := swap[rs[i]]; ok {
				rs[i] = s
				return string(rs)
			}
		case 1:
			if i < len(rs)-1 {
				return string(slices.Delete(slices.Clone(rs), i, i+1))
			}
		case 2:
			return string(slices.Insert(slices.Clone(rs), i, rs[i]))
		case 3:
			if !strings.ContainsRune(name, '\'') && utf8.RuneLen(rs[0]) == 1 {
				return string(rs[:1]) + "'" + string(rs[1:])
			}
		}
	}
	return string(slices.Insert(slices.Clone(rs), len(rs)-1, rs[len(rs)-1]))
}

// exploitation draws the exploitation types of a person.
func (g *Generator) exploitation(sex string) []string {
	if g.chance(Shape.OtherExploitationShare) {
		return []string{g.otherType.pick(g.r)}
	}
	if sex != "female" && sex != "male" {
		sex = "male"
		if g.chance(0.545) {
			sex = "female"
		}
	}
	switch g.exploits[sex].pick(g.r) {
	case "ForcedLabour":
		return []string{cases.ForcedLabour}
	case "SexualExploitation":
		return []string{cases.SexualExploitation}
	}
	return []string{cases.ForcedLabour, cases.SexualExploitation}
}

func (g *Generator) destinationCountry(region, nationality string) string {
	if region == regionOf(nationality) && g.chance(Shape.DomesticShare) {
		return nationality
	}
	for range 8 {
		if c := g.destination[region].pick(g.r); c != nationality {
			return c
		}
	}
	return g.destination[region].keys[0]
}

func (g *Generator) traffickingCase(rec *Record, opened time.Time) {
	c := &rec.Case
	c.Kind = cases.KindTrafficking
	p := rec.Person
	t := &cases.Trafficking{TraffickingStatus: g.tstatus.pick(g.r)}
	c.Trafficking = t
	if g.chance(0.85) {
		t.StatusDecisionMakingOrg = g.decision.pick(g.r)
	}
	if g.chance(Shape.RelationKnown) {
		t.RelationshipToTrafficker = g.relation.pick(g.r)
	}
	if t.TraffickingStatus != "NotAVictimOfTrafficking" {
		t.TypeOfExploitation = g.exploitation(p.Sex)
	}
	fl, se := slices.Contains(t.TypeOfExploitation, cases.ForcedLabour), slices.Contains(t.TypeOfExploitation, cases.SexualExploitation)
	if fl {
		t.ForcedLabourIndustry = g.industry.pick(g.r)
	}
	if se {
		t.TypeOfSexExploitation = g.some(sexTypes, true)
	}
	if len(t.TypeOfExploitation) > 0 {
		ctl := controlFL
		if se && (!fl || g.chance(0.5)) {
			ctl = controlSE
		}
		t.MethodsOfControl = g.some(ctl, true)
	}
	if g.chance(0.8) {
		t.MethodOfRecruitment = []string{g.recruit.pick(g.r)}
		if m := t.MethodOfRecruitment[0]; m == "ThroughOnlineSocialNetworks" || m == "ThroughAnOnlineAdvertisement" {
			t.RecruitmentWebsitesAndApps = []string{g.app.pick(g.r)}
		}
	}
	t.Vulnerabilities = g.some(vulnerabilities, g.chance(0.7))
	t.CountryOfExploitation = g.destinationCountry(rec.ExploitationRegion, p.Nationality)

	months := -1
	if g.chance(0.75) {
		x, acc := g.r.Float64(), 0.0
		for _, b := range durationBands {
			acc += b.p
			if x < acc || b.hi == 120 {
				months = g.between(b.lo, b.hi)
				break
			}
		}
		t.DurationMonths = &months
	}
	if age, ok := cases.AgeAt(p.BirthDate, opened); ok && g.chance(0.7) {
		a := max(0, age-max(months, 0)/12)
		t.AgeWhenTrafficked = &a
	}

	// Perpetrators.
	np := 1
	if g.chance(0.35) {
		np = 2
	}
	for range np {
		var roles []string
		if g.chance(0.56) {
			roles = append(roles, "RecruiterOrIntermediary")
		}
		if g.chance(0.6) || len(roles) == 0 {
			roles = append(roles, "Exploiter")
		}
		if g.chance(0.2) {
			roles = append(roles, "Transporter")
		}
		per := cases.Perpetrator{Roles: roles}
		switch x := g.r.Float64(); {
		case x < 0.65:
			per.Gender = "Masculine"
		case x < 0.85:
			per.Gender = "Feminine"
		}
		if g.chance(0.6) {
			per.Citizenship = p.Nationality
		} else {
			per.Citizenship = t.CountryOfExploitation
		}
		t.Perpetrators = append(t.Perpetrators, per)
	}

	// Events: recruitment at home, transit when abroad, exploitation.
	exploitStart := opened.AddDate(0, -max(months, 1), 0)
	t.Events = append(t.Events, cases.Event{Type: cases.EventRecruitment, Country: p.Nationality,
		Date: g.partial(exploitStart.AddDate(0, 0, -g.between(7, 120)))})
	if t.CountryOfExploitation != p.Nationality && g.chance(0.5) {
		t.Events = append(t.Events, cases.Event{Type: cases.EventTransit, Country: g.destination[rec.ExploitationRegion].pick(g.r),
			Date: g.partial(exploitStart.AddDate(0, 0, -g.between(1, 6)))})
	}
	t.Events = append(t.Events, cases.Event{Type: cases.EventExploitation, Country: t.CountryOfExploitation, Date: g.partial(exploitStart)})

	if g.chance(0.6) {
		types := g.some(supportPlans, true)
		if fl && g.chance(0.2) {
			types = append(types, "LabourExploitationRehabilitation")
		}
		if se && g.chance(0.4) {
			types = append(types, "SexualExploitationRehabilitation")
		}
		for _, ty := range types {
			t.SupportPlans = append(t.SupportPlans, cases.SupportPlan{Type: ty, Objectives: "Recovery and safety: " + strings.ToLower(ty),
				PlannedEndDate: date(opened.AddDate(0, 6, 0))})
		}
	}
	g.status(rec, opened)
}

// partial writes an event date to the day, month or year, as survivors
// remember them.
func (g *Generator) partial(t time.Time) string {
	switch x := g.r.Float64(); {
	case x < 0.10:
		return strconv.Itoa(t.Year())
	case x < 0.40:
		return t.Format("2006-01")
	}
	return date(t)
}

// status sets a trafficking case's status from its age: older cases are
// mostly closed.
func (g *Generator) status(rec *Record, opened time.Time) {
	c := &rec.Case
	if g.until.Sub(opened) > 365*24*time.Hour {
		c.Status = g.statusOld.pick(g.r)
	} else {
		c.Status = g.statusNew.pick(g.r)
	}
	if cases.IsClosedStatus(c.Status) {
		c.ClosedOn = date(g.dateAfter(opened, 30, 700))
		if c.Status == cases.StatusClosed {
			c.ReasonForClosure = g.one(closingReasons)
		}
	}
	if c.Status == cases.StatusActive && g.chance(0.02) {
		c.Draft = true
	}
}

// dateAfter returns a date lo..hi days after t, not after Until.
func (g *Generator) dateAfter(t time.Time, lo, hi int) time.Time {
	d := t.AddDate(0, 0, g.between(lo, hi))
	if d.After(g.until) {
		d = g.until
	}
	if d.Before(t) {
		d = t
	}
	return d
}

var reintegrationStages = []Share{{cases.StageApplication, 0.05}, {cases.StageCounselling, 0.07},
	{cases.StageTravelDocuments, 0.08}, {cases.StageTravel, 0.05}, {cases.StageReception, 0.10},
	{cases.StageReintegrationAssistance, 0.25}, {cases.StageMonitoring, 0.25}, {cases.StageClosed, 0.15}}

func (g *Generator) returnCase(rec *Record, opened time.Time) {
	c := &rec.Case
	c.Kind = cases.KindReturn
	p := rec.Person
	host := g.destinationCountry(rec.ExploitationRegion, p.Nationality)
	if host == p.Nationality {
		host = g.destination[rec.ExploitationRegion].keys[0]
		if host == p.Nationality {
			host = g.destination[rec.ExploitationRegion].keys[1]
		}
	}
	r := &cases.Return{ReturnType: "permanent", HostCountry: host, OriginCountry: p.Nationality, ApplicationDate: date(opened)}
	if g.chance(0.1) {
		r.ReturnType = "temporary"
	}
	c.Return = r
	// Old cases are further along.
	var stage string
	if g.until.Sub(opened) > 2*365*24*time.Hour {
		stage = g.stageOld.pick(g.r)
	} else {
		stage = g.stageNew.pick(g.r)
	}
	withdrawn := stage == cases.StageClosed && g.chance(0.08) // closed before travel
	idx := slices.Index(cases.Stages, stage)
	if idx >= slices.Index(cases.Stages, cases.StageTravel) && !withdrawn {
		travel := g.dateAfter(opened, 20, 120)
		r.TravelDate, r.ArrivalDate = date(travel), date(travel.AddDate(0, 0, g.r.IntN(2)))
		if r.ArrivalDate > date(g.until) {
			r.ArrivalDate = r.TravelDate
		}
		if idx < slices.Index(cases.Stages, cases.StageReception) {
			r.ArrivalDate = ""
		}
	}
	if idx >= slices.Index(cases.Stages, cases.StageReintegrationAssistance) && !withdrawn && r.ArrivalDate != "" {
		arrival, _ := time.Parse("2006-01-02", r.ArrivalDate)
		// Monitoring at 3, 6, 12 and 18 months after arrival, up to Until;
		// scores start low and mostly improve.
		e, s, ps := 0.2+0.3*g.r.Float64(), 0.3+0.3*g.r.Float64(), 0.25+0.3*g.r.Float64()
		for _, m := range []int{3, 6, 12, 18} {
			d := arrival.AddDate(0, m, 0)
			if d.After(g.until) || stage == cases.StageReintegrationAssistance && m > 3 {
				break
			}
			r.Monitoring = append(r.Monitoring, cases.Monitoring{Date: date(d), Economic: round2(e), Social: round2(s), Psychosocial: round2(ps),
				RecordedBy: c.OwnerID})
			e, s, ps = step(g, e), step(g, s), step(g, ps)
		}
	}
	r.Stage = stage
	c.Status = cases.StatusOfStage(stage)
	if stage == cases.StageClosed {
		if withdrawn {
			c.ReasonForClosure = "Application withdrawn"
			c.ClosedOn = date(g.dateAfter(opened, 5, 60))
		} else {
			c.ReasonForClosure = "Reintegration completed"
			last := opened
			if n := len(r.Monitoring); n > 0 {
				last, _ = time.Parse("2006-01-02", r.Monitoring[n-1].Date)
			} else if r.ArrivalDate != "" {
				last, _ = time.Parse("2006-01-02", r.ArrivalDate)
			}
			c.ClosedOn = date(g.dateAfter(last, 1, 60))
		}
	}
}

func step(g *Generator, v float64) float64 {
	return math.Min(1, math.Max(0, v+0.02+0.12*g.r.Float64()-0.04))
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// work adds consents, referrals, services, comments and tasks.
func (g *Generator) work(rec *Record, opened time.Time) {
	c := &rec.Case
	openedOn := date(opened)
	end := g.until
	if c.ClosedOn != "" {
		end, _ = time.Parse("2006-01-02", c.ClosedOn)
	}
	consent := func(typ string, given bool, on string) cases.Consent {
		g.consent++
		x := cases.Consent{ID: g.consent, CaseID: c.ID, PersonID: c.PersonID, Type: typ, Given: given, Date: on, RecordedBy: c.OwnerID}
		rec.Consents = append(rec.Consents, x)
		return x
	}
	consent(cases.ConsentAssistance, true, openedOn)
	// Most people allow statistical use; some refuse, a few withdraw later.
	if g.chance(0.85) {
		consent(cases.ConsentStatistics, true, openedOn)
		if g.chance(0.03) {
			consent(cases.ConsentStatistics, false, date(g.dateAfter(opened, 10, 400)))
		}
	} else {
		consent(cases.ConsentStatistics, false, openedOn)
	}

	// Referrals need consent to referral; a ClosedReferred case has an
	// accepted one.
	needAccepted := c.Status == cases.StatusClosedReferred
	if (needAccepted || g.chance(0.4)) && len(g.orgs) > 1 {
		on := date(g.dateAfter(opened, 0, 20))
		if on > date(end) {
			on = date(end)
		}
		if on < openedOn {
			on = openedOn
		}
		k := consent(cases.ConsentReferral, true, on)
		if needAccepted || g.chance(0.7) {
			to := c.OrgID
			for to == c.OrgID {
				to = g.orgs[g.r.IntN(len(g.orgs))]
			}
			status := g.referralStatus.pick(g.r)
			if needAccepted {
				status = cases.ReferralAccepted
			} else if status == cases.ReferralRequested && c.Closed() {
				status = cases.ReferralDeclined
			}
			reason := g.referralReason.pick(g.r)
			g.referral++
			ref := cases.Referral{ID: g.referral, CaseID: c.ID, FromOrgID: c.OrgID, ToOrgID: to, Reason: reason, Date: on,
				Status: status, ConsentID: k.ID, RequestedBy: c.OwnerID}
			if reason == "Other" {
				ref.Details = "Specialised support not available locally"
			}
			if status != cases.ReferralRequested {
				d, _ := time.Parse("2006-01-02", on)
				ref.DecidedBy, ref.DecidedAt = c.OwnerID, g.between2(d, earliest(d.AddDate(0, 0, 5), end))
				switch status {
				case cases.ReferralDeclined:
					ref.Note = "No capacity at present"
				case cases.ReferralRevoked:
					ref.Note = "The person's needs changed"
				}
			}
			rec.Referrals = append(rec.Referrals, ref)
		}
	}

	// Services.
	shares := g.trafServices
	if c.Kind == cases.KindReturn {
		shares = g.retServices
	}
	if !c.Draft {
		for _, ty := range g.some(shares, true) {
			g.service++
			provider := c.OrgID
			if len(rec.Referrals) > 0 && rec.Referrals[0].Status == cases.ReferralAccepted && g.chance(0.3) {
				provider = rec.Referrals[0].ToOrgID
			}
			rec.Services = append(rec.Services, cases.Service{ID: g.service, CaseID: c.ID, Type: ty,
				Date: date(g.between2(opened, end)), ProviderOrgID: provider, RecordedBy: c.OwnerID, CreatedAt: opened})
		}
	}
	// Comments.
	for range g.r.IntN(4) {
		g.comment++
		at := g.between2(opened, end)
		rec.Comments = append(rec.Comments, cases.Comment{ID: g.comment, CaseID: c.ID, AuthorID: c.OwnerID,
			Body: g.one(commentTexts), CreatedAt: at})
	}
	// Tasks: open cases have follow-ups around Until, some overdue; closed
	// cases have done ones.
	for range g.r.IntN(3) {
		g.task++
		t := cases.Task{ID: g.task, CaseID: c.ID, Title: g.one(taskTitles), AssigneeID: c.OwnerID, CreatedBy: c.OwnerID, CreatedAt: opened}
		if c.Closed() {
			due := g.between2(opened, end)
			t.Due, t.DoneOn = date(due), date(due)
		} else {
			due := g.until.AddDate(0, 0, g.between(-30, 45))
			if due.Before(opened) {
				due = opened
			}
			t.Due = date(due)
		}
		rec.Tasks = append(rec.Tasks, t)
	}
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// between2 returns a date from a to b (inclusive).
func (g *Generator) between2(a, b time.Time) time.Time {
	days := int(b.Sub(a).Hours() / 24)
	if days <= 0 {
		return a
	}
	return a.AddDate(0, 0, g.r.IntN(days+1))
}
