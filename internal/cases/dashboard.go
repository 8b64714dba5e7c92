package cases

import (
	"cmp"
	"slices"
	"strconv"
	"time"
)

// AgeBand is one of CTDC's broad age groups (ageBroad), with its
// inclusive bounds in years; Max is -1 for the open last band.
type AgeBand struct {
	Name     string
	Min, Max int
}

// AgeBands are CTDC's ageBroad groups (CTDC Global Synthetic Data
// Codebook v2024; ../shared/data/ctdc/SCHEMA.md). Names are written with
// an en dash; CTDCName gives the spelling of CTDC's files.
var AgeBands = []AgeBand{
	{"0–8", 0, 8}, {"9–17", 9, 17}, {"18–20", 18, 20}, {"21–23", 21, 23}, {"24–26", 24, 26},
	{"27–29", 27, 29}, {"30–38", 30, 38}, {"39–47", 39, 47}, {"48+", 48, -1},
}

// Unknown is the key of counts whose value is missing.
const Unknown = "unknown"

// CTDCName is the band as CTDC's files spell it: "0--8", "09--17",
// "18--20", …, "48+".
func (b AgeBand) CTDCName() string {
	if b.Max < 0 {
		return strconv.Itoa(b.Min) + "+"
	}
	lo := strconv.Itoa(b.Min)
	if b.Min == 9 {
		lo = "09"
	}
	return lo + "--" + strconv.Itoa(b.Max)
}

// AgeAt returns the age in whole years on a date of someone born on
// birthDate (YYYY-MM-DD, or YYYY when only the year is known, taken as
// 1 July, the demographers' mid-year convention). ok is false for an
// unreadable date or a birth after the date.
func AgeAt(birthDate string, at time.Time) (age int, ok bool) {
	var b time.Time
	var err error
	switch len(birthDate) {
	case 10:
		b, err = time.Parse(dateLayout, birthDate)
	case 4:
		b, err = time.Parse("2006", birthDate)
		b = b.AddDate(0, 6, 0)
	default:
		return 0, false
	}
	if err != nil {
		return 0, false
	}
	y, m, d := at.Date()
	age = y - b.Year()
	if m < b.Month() || m == b.Month() && d < b.Day() {
		age--
	}
	return age, age >= 0
}

// BandOf returns the name of the band of an age, or Unknown.
func BandOf(age int) string {
	for _, b := range AgeBands {
		if age >= b.Min && (b.Max < 0 || age <= b.Max) {
			return b.Name
		}
	}
	return Unknown
}

// AgeBandAt is BandOf(AgeAt(birthDate, at)), Unknown when the age is not
// known. CTDC counts the age when the person was assisted, identified or
// reported: pass the case's OpenedOn.
func AgeBandAt(birthDate string, at time.Time) string {
	age, ok := AgeAt(birthDate, at)
	if !ok {
		return Unknown
	}
	return BandOf(age)
}

// Summary is what caseload counts need to know about one case: the
// case's own fields and the few person fields the dashboard counts by.
type Summary struct {
	CaseID            int64    `json:"caseId"`
	Kind              string   `json:"kind"`
	Status            string   `json:"status"`
	OrgID             int64    `json:"orgId"`
	TeamID            int64    `json:"teamId,omitempty"`
	OwnerID           int64    `json:"ownerId"`
	OpenedOn          string   `json:"openedOn"`
	BirthDate         string   `json:"-"`           // for the age group only; never shown
	Nationality       string   `json:"nationality"` // ISO3, "" when unknown
	ExploitationTypes []string `json:"exploitationTypes,omitempty"`
}

// SummaryOf builds a summary from a case and its person's date of birth
// and nationality.
func SummaryOf(c Case, birthDate, nationality string) Summary {
	s := Summary{CaseID: c.ID, Kind: c.Kind, Status: c.Status, OrgID: c.OrgID, TeamID: c.TeamID, OwnerID: c.OwnerID,
		OpenedOn: c.OpenedOn, BirthDate: birthDate, Nationality: nationality}
	if c.Trafficking != nil {
		s.ExploitationTypes = slices.Clone(c.Trafficking.TypeOfExploitation)
	}
	return s
}

// AgeBand returns the summary's age group at the opening of the case.
func (s Summary) AgeBand() string {
	at, err := time.Parse(dateLayout, s.OpenedOn)
	if err != nil {
		return Unknown
	}
	return AgeBandAt(s.BirthDate, at)
}

// Count is one row of a count: a key and how many cases have it.
type Count struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}

// Caseload is a dashboard's counts over a set of cases.
type Caseload struct {
	Total int `json:"total"`
	// ByStatus follows CaseStatuses (every status, zeros included).
	ByStatus []Count `json:"byStatus"`
	// ByKind follows Kinds.
	ByKind []Count `json:"byKind"`
	// ByExploitation follows ExploitationTypes, then Unknown for
	// trafficking cases with none recorded; zeros are left out. A case
	// with several types counts under each (multi-label, as CTDC).
	ByExploitation []Count `json:"byExploitation"`
	// ByAgeBand follows AgeBands, then Unknown (every band, zeros
	// included).
	ByAgeBand []Count `json:"byAgeBand"`
	// ByNationality is by count, largest first, then by code; Unknown
	// last.
	ByNationality []Count `json:"byNationality"`
}

// CountByStatus counts cases per cas_Status, in CaseStatuses order,
// zeros included; a status outside the list is counted under Unknown,
// added at the end only when non-zero.
func CountByStatus(ss []Summary) []Count {
	return countOrdered(ss, CaseStatuses, true, func(s Summary) []string { return []string{s.Status} })
}

// CountByKind counts cases per kind, in Kinds order, zeros included.
func CountByKind(ss []Summary) []Count {
	return countOrdered(ss, Kinds, true, func(s Summary) []string { return []string{s.Kind} })
}

// CountByExploitation counts trafficking cases per exploitation type
// (multi-label), non-zero types only, in ExploitationTypes order, then
// Unknown for those with no type recorded. Return cases are not counted.
func CountByExploitation(ss []Summary) []Count {
	return countOrdered(ss, ExploitationTypes, false, func(s Summary) []string {
		if s.Kind != KindTrafficking {
			return nil
		}
		if len(s.ExploitationTypes) == 0 {
			return []string{Unknown}
		}
		return s.ExploitationTypes
	})
}

// CountByAgeBand counts cases per CTDC age band at the opening of the
// case, every band in order (zeros included), then Unknown.
func CountByAgeBand(ss []Summary) []Count {
	names := make([]string, 0, len(AgeBands)+1)
	for _, b := range AgeBands {
		names = append(names, b.Name)
	}
	names = append(names, Unknown)
	return countOrdered(ss, names, true, func(s Summary) []string { return []string{s.AgeBand()} })
}

// CountByNationality counts cases per nationality, largest first (ties by
// code), with Unknown last.
func CountByNationality(ss []Summary) []Count {
	n := map[string]int{}
	for _, s := range ss {
		k := s.Nationality
		if k == "" {
			k = Unknown
		}
		n[k]++
	}
	out := make([]Count, 0, len(n))
	for k, v := range n {
		if k != Unknown {
			out = append(out, Count{k, v})
		}
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Key, b.Key)) })
	if v := n[Unknown]; v > 0 {
		out = append(out, Count{Unknown, v})
	}
	return out
}

// Summarise computes every count of a caseload dashboard.
func Summarise(ss []Summary) Caseload {
	return Caseload{Total: len(ss), ByStatus: CountByStatus(ss), ByKind: CountByKind(ss),
		ByExploitation: CountByExploitation(ss), ByAgeBand: CountByAgeBand(ss), ByNationality: CountByNationality(ss)}
}

// countOrdered counts keys in the order of names; keys outside names go
// under Unknown (appended when non-zero and not already in names).
func countOrdered(ss []Summary, names []string, zeros bool, keys func(Summary) []string) []Count {
	idx := make(map[string]int, len(names))
	for i, k := range names {
		idx[k] = i
	}
	counts := make([]int, len(names))
	other := 0
	for _, s := range ss {
		for _, k := range keys(s) {
			if i, ok := idx[k]; ok {
				counts[i]++
			} else {
				other++
			}
		}
	}
	out := make([]Count, 0, len(names)+1)
	for i, k := range names {
		if zeros || counts[i] > 0 {
			out = append(out, Count{k, counts[i]})
		}
	}
	if other > 0 {
		if i := slices.IndexFunc(out, func(c Count) bool { return c.Key == Unknown }); i >= 0 {
			out[i].N += other
		} else {
			out = append(out, Count{Unknown, other})
		}
	}
	return out
}
