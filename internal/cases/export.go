package cases

import (
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/people"
)

// Column groups: what a caller must be allowed to see for a column to be
// in an export at all.
const (
	GroupCase      = "case"      // the case's coded fields: always exported
	GroupIdentity  = "identity"  // names, date of birth, identity document
	GroupProfile   = "profile"   // gender and citizenship
	GroupNarrative = "narrative" // free text and precise places, which may identify
)

// Visibility says which column groups the caller may see. The store
// decides it from the caller's permissions; the case group is always
// visible.
type Visibility struct {
	Identity  bool
	Profile   bool
	Narrative bool
}

func (v Visibility) sees(group string) bool {
	switch group {
	case GroupIdentity:
		return v.Identity
	case GroupProfile:
		return v.Profile
	case GroupNarrative:
		return v.Narrative
	}
	return true
}

// Column is one export column. Name is the HTCDS field name, or for the
// fields HTCDS does not define a name prefixed "corridor_" (HTCDS false).
type Column struct {
	Name  string `json:"name"`
	Group string `json:"group"`
	HTCDS bool   `json:"htcds"`
	// Kind is the case kind the column belongs to, "" for every kind.
	Kind string `json:"kind,omitempty"`
}

// rowData is what a column's value is taken from.
type rowData struct {
	c    Case
	p    people.Person
	hasP bool
	refs []Referral
}

type columnDef struct {
	Column
	value func(*rowData) string
}

func col(name, group, kind string, f func(*rowData) string) columnDef {
	return columnDef{Column{Name: name, Group: group, HTCDS: !strings.HasPrefix(name, "corridor_"), Kind: kind}, f}
}

// Multiselect values are joined with ";" (the Salesforce multiselect
// picklist convention HTCDS follows, and CTDC's).
func multi(vs []string) string { return strings.Join(vs, ";") }

func id(v int64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatInt(v, 10)
}

func optInt(v *int) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(*v)
}

func fixed3(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

func tr(f func(*Trafficking) string) func(*rowData) string {
	return func(r *rowData) string {
		if r.c.Trafficking == nil {
			return ""
		}
		return f(r.c.Trafficking)
	}
}

func rt(f func(*Return) string) func(*rowData) string {
	return func(r *rowData) string {
		if r.c.Return == nil {
			return ""
		}
		return f(r.c.Return)
	}
}

func person(f func(people.Person) string) func(*rowData) string {
	return func(r *rowData) string {
		if !r.hasP {
			return ""
		}
		return f(r.p)
	}
}

func refs(f func(Referral) string) func(*rowData) string {
	return func(r *rowData) string {
		vs := make([]string, len(r.refs))
		for i, ref := range r.refs {
			vs[i] = f(ref)
		}
		return multi(vs)
	}
}

func latestMonitoring(r *Return) (Monitoring, bool) {
	if len(r.Monitoring) == 0 {
		return Monitoring{}, false
	}
	pts := slices.Clone(r.Monitoring)
	slices.SortStableFunc(pts, func(a, b Monitoring) int { return strings.Compare(a.Date, b.Date) })
	return pts[len(pts)-1], true
}

func latest(f func(Monitoring) string) func(*rowData) string {
	return rt(func(r *Return) string {
		m, ok := latestMonitoring(r)
		if !ok {
			return ""
		}
		return f(m)
	})
}

// caseColumns is the export's column order.
var caseColumns = []columnDef{
	col("corridor_CaseId", GroupCase, "", func(r *rowData) string { return id(r.c.ID) }),
	col("corridor_Kind", GroupCase, "", func(r *rowData) string { return r.c.Kind }),
	col("corridor_PersonId", GroupCase, "", func(r *rowData) string { return id(r.c.PersonID) }),
	col("corridor_OrgId", GroupCase, "", func(r *rowData) string { return id(r.c.OrgID) }),
	col("cas_CaseOwner", GroupCase, "", func(r *rowData) string { return id(r.c.OwnerID) }),
	col("cas_Status", GroupCase, "", func(r *rowData) string { return r.c.Status }),
	col("corridor_OpenedOn", GroupCase, "", func(r *rowData) string { return r.c.OpenedOn }),
	col("corridor_ClosedOn", GroupCase, "", func(r *rowData) string { return r.c.ClosedOn }),
	col("cas_ReasonForCaseClosure", GroupNarrative, "", func(r *rowData) string { return r.c.ReasonForClosure }),

	col("prs_FirstName", GroupIdentity, "", person(func(p people.Person) string { return p.GivenName })),
	col("prs_SecondName", GroupIdentity, "", person(func(p people.Person) string { return p.FamilyName })),
	col("prs_Birthdate", GroupIdentity, "", person(func(p people.Person) string { return p.BirthDate })),
	col("prs_IdentityNumber", GroupIdentity, "", person(func(p people.Person) string { return p.DocumentNumber })),
	col("prs_Gender", GroupProfile, "", person(func(p people.Person) string { return GenderOfSex(p.Sex) })),
	col("prs_Citizenship", GroupProfile, "", person(func(p people.Person) string { return p.Nationality })),

	col("vic_TraffickingStatus", GroupCase, KindTrafficking, tr(func(t *Trafficking) string { return t.TraffickingStatus })),
	col("vic_TraffickingStatusDecisionMakingOrg", GroupCase, KindTrafficking, tr(func(t *Trafficking) string { return t.StatusDecisionMakingOrg })),
	col("vic_RelationshipToTrafficker", GroupCase, KindTrafficking, tr(func(t *Trafficking) string { return t.RelationshipToTrafficker })),
	col("vic_AgeWhenTrafficked", GroupCase, KindTrafficking, tr(func(t *Trafficking) string { return optInt(t.AgeWhenTrafficked) })),
	col("vic_RecruitmentWebsitesAndApps", GroupCase, KindTrafficking, tr(func(t *Trafficking) string { return multi(t.RecruitmentWebsitesAndApps) })),
	col("vic_MethodOfRecruitment", GroupCase, KindTrafficking, tr(func(t *Trafficking) string { return multi(t.MethodOfRecruitment) })),
	col("vic_MethodsOfControl", GroupCase, KindTrafficking, tr(func(t *Trafficking) string { return multi(t.MethodsOfControl) })),
	col("vic_TypeOfExploitation", GroupCase, KindTrafficking, tr(func(t *Trafficking) string { return multi(t.TypeOfExploitation) })),
	col("vic_ForcedLabourIndustry", GroupCase, KindTrafficking, tr(func(t *Trafficking) string { return t.ForcedLabourIndustry })),
	col("vic_TypeOfSexExploitation", GroupCase, KindTrafficking, tr(func(t *Trafficking) string { return multi(t.TypeOfSexExploitation) })),
	col("vic_ExploitationWebsitesAndApps", GroupCase, KindTrafficking, tr(func(t *Trafficking) string { return multi(t.ExploitationWebsitesAndApps) })),
	col("vic_Vulnerabilities", GroupCase, KindTrafficking, tr(func(t *Trafficking) string { return multi(t.Vulnerabilities) })),
	col("vic_DetailsOfVulnerabilities", GroupNarrative, KindTrafficking, tr(func(t *Trafficking) string { return t.DetailsOfVulnerabilities })),
	col("corridor_CountryOfExploitation", GroupCase, KindTrafficking, tr(func(t *Trafficking) string { return t.CountryOfExploitation })),
	col("corridor_DurationMonths", GroupCase, KindTrafficking, tr(func(t *Trafficking) string { return optInt(t.DurationMonths) })),
	col("per_RoleInProcess", GroupCase, KindTrafficking, tr(func(t *Trafficking) string {
		var roles []string
		for _, p := range t.Perpetrators {
			for _, role := range p.Roles {
				if !slices.Contains(roles, role) {
					roles = append(roles, role)
				}
			}
		}
		return multi(roles)
	})),
	col("spl_Type", GroupCase, KindTrafficking, tr(func(t *Trafficking) string {
		var types []string
		for _, s := range t.SupportPlans {
			if !slices.Contains(types, s.Type) {
				types = append(types, s.Type)
			}
		}
		return multi(types)
	})),

	col("corridor_ReturnStage", GroupCase, KindReturn, rt(func(r *Return) string { return r.Stage })),
	col("corridor_ReturnType", GroupCase, KindReturn, rt(func(r *Return) string { return r.ReturnType })),
	col("corridor_HostCountry", GroupCase, KindReturn, rt(func(r *Return) string { return r.HostCountry })),
	col("corridor_OriginCountry", GroupCase, KindReturn, rt(func(r *Return) string { return r.OriginCountry })),
	col("corridor_ApplicationDate", GroupCase, KindReturn, rt(func(r *Return) string { return r.ApplicationDate })),
	col("corridor_TravelDate", GroupCase, KindReturn, rt(func(r *Return) string { return r.TravelDate })),
	col("corridor_ArrivalDate", GroupCase, KindReturn, rt(func(r *Return) string { return r.ArrivalDate })),
	col("corridor_MonitoringVisits", GroupCase, KindReturn, rt(func(r *Return) string {
		if len(r.Monitoring) == 0 {
			return ""
		}
		return strconv.Itoa(len(r.Monitoring))
	})),
	col("corridor_LatestMonitoringDate", GroupCase, KindReturn, latest(func(m Monitoring) string { return m.Date })),
	col("corridor_LatestEconomicScore", GroupCase, KindReturn, latest(func(m Monitoring) string { return fixed3(m.Economic) })),
	col("corridor_LatestSocialScore", GroupCase, KindReturn, latest(func(m Monitoring) string { return fixed3(m.Social) })),
	col("corridor_LatestPsychosocialScore", GroupCase, KindReturn, latest(func(m Monitoring) string { return fixed3(m.Psychosocial) })),
	col("corridor_LatestCompositeScore", GroupCase, KindReturn, latest(func(m Monitoring) string { return fixed3(m.Composite(EqualWeights)) })),

	// Outgoing referrals, one value per referral in the order given,
	// joined with ";" (HTCDS: "there may be multiple referred
	// organisations").
	col("cas_ReferredOrganisation", GroupCase, "", refs(func(r Referral) string { return id(r.ToOrgID) })),
	col("cas_ReasonForOutgoingReferral", GroupCase, "", refs(func(r Referral) string { return r.Reason })),
	col("cas_OutgoingReferralDate", GroupCase, "", refs(func(r Referral) string { return r.Date })),
	col("corridor_ReferralStatus", GroupCase, "", refs(func(r Referral) string { return r.Status })),
	col("cas_OutgoingReferralDetails", GroupNarrative, "", refs(func(r Referral) string {
		return strings.ReplaceAll(r.Details, ";", ",") // keep one value per referral
	})),
}

// Export maps cases to rows. Kind restricts the export to one kind of
// case ("" exports both, with the columns of both); Visibility drops the
// columns the caller may not see entirely — they are not blanked, they
// are absent from the header and the rows.
type Export struct {
	Kind       string
	Visibility Visibility
}

func (e Export) defs() []columnDef {
	var out []columnDef
	for _, d := range caseColumns {
		if (e.Kind == "" || d.Kind == "" || d.Kind == e.Kind) && e.Visibility.sees(d.Group) {
			out = append(out, d)
		}
	}
	return out
}

// Validate checks the export's kind.
func (e Export) Validate() error {
	if e.Kind != "" && !slices.Contains(Kinds, e.Kind) {
		return derrors.Kindf(derrors.Invalid, "kind: one of %s, or empty for both", strings.Join(Kinds, ", "))
	}
	return nil
}

// Columns returns the export's columns in order.
func (e Export) Columns() []Column {
	defs := e.defs()
	out := make([]Column, len(defs))
	for i, d := range defs {
		out[i] = d.Column
	}
	return out
}

// Header returns the column names: every writer (CSV, XLSX) uses it so
// that the headers are identical.
func (e Export) Header() []string {
	defs := e.defs()
	out := make([]string, len(defs))
	for i, d := range defs {
		out[i] = d.Name
	}
	return out
}

// Row returns a case's cells in Header order. p is the case's person
// (nil when the caller has none to give: the person columns are then
// empty); refs are the case's outgoing referrals. Errors wrap
// derrors.Invalid: a case of another kind than the export's, or a person
// who is not the case's.
func (e Export) Row(c Case, p *people.Person, refs []Referral) ([]string, error) {
	if e.Kind != "" && c.Kind != e.Kind {
		return nil, derrors.Kindf(derrors.Invalid, "kind: case %d is a %s case, the export is of %s cases", c.ID, c.Kind, e.Kind)
	}
	r := rowData{c: c, refs: refs}
	if p != nil {
		if p.ID != c.PersonID {
			return nil, derrors.Kindf(derrors.Invalid, "personId: person %d is not the person of case %d", p.ID, c.ID)
		}
		r.p, r.hasP = *p, true
	}
	defs := e.defs()
	out := make([]string, len(defs))
	for i, d := range defs {
		out[i] = d.value(&r)
	}
	return out, nil
}

// EventHeader returns the columns of the trafficking-event sheet: one row
// per historic trafficking event (hte_). Coordinates and descriptions are
// in the narrative group.
func EventHeader(v Visibility) []string {
	h := []string{"corridor_CaseId", "hte_Type", "hte_Date", "hte_Country", "hte_State", "hte_City"}
	if v.Narrative {
		h = append(h, "hte_Latitude", "hte_Longitude", "hte_Description")
	}
	return h
}

// EventRows returns the event rows of a case, in EventHeader order.
func EventRows(c Case, v Visibility) [][]string {
	if c.Trafficking == nil {
		return nil
	}
	coord := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	var out [][]string
	for _, ev := range c.Trafficking.Events {
		row := []string{id(c.ID), ev.Type, ev.Date, ev.Country, ev.State, ev.City}
		if v.Narrative {
			row = append(row, coord(ev.Latitude), coord(ev.Longitude), ev.Description)
		}
		out = append(out, row)
	}
	return out
}
