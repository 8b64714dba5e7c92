package labour

import (
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/corridor-platform/corridor/internal/field"
	"github.com/corridor-platform/corridor/internal/remit"
)

// Recruiter certification statuses (IOM IRIS: certified recruiters have
// been audited against the standard; others have not, or lost it).
var Certifications = []string{"iris-certified", "iris-in-progress", "not-certified", "suspended", "revoked"}

// Recruiter is a private recruitment agency or public employment service
// in the recruiter register.
type Recruiter struct {
	ID             int64     `json:"id"`
	Name           string    `json:"name"`
	Country        string    `json:"country"`
	Licence        string    `json:"licence,omitempty"`
	Certification  string    `json:"certification"`
	CertifiedUntil string    `json:"certifiedUntil,omitempty"`
	Website        string    `json:"website,omitempty"`
	CreatedAt      time.Time `json:"createdAt"`
	// Computed: workers who reported paying this recruiter a fee; a
	// certificate past its end date.
	WorkersPayingFees int  `json:"workersPayingFees"`
	Flagged           bool `json:"flagged"`
	Expired           bool `json:"certificationExpired"`
}

// RecruiterKey folds a recruiter's name for uniqueness: case, accents,
// punctuation and spaces aside ("Quíck Jöbs", "QuickJobs" and "Quick
// Jobs Ltd." are one), and the legal-form words that vary between
// spellings of one firm.
func RecruiterKey(name string) string {
	folded, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), strings.ToLower(name))
	if err != nil {
		folded = strings.ToLower(name)
	}
	var b strings.Builder
	for _, w := range strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		switch w {
		case "ltd", "limited", "inc", "llc", "plc", "co", "company", "corp", "sa", "sarl", "gmbh", "pvt", "pte":
			continue
		}
		b.WriteString(w)
	}
	return b.String()
}

// Check returns every problem of a recruiter's fields.
func (r Recruiter) Check() field.Problems {
	var ps field.Problems
	ps.Text("name", r.Name, true, false, MaxText)
	ps.Country("country", r.Country, true)
	ps.Text("licence", r.Licence, false, false, MaxText)
	ps.OneOf("certification", r.Certification, Certifications, true)
	ps.Date("certifiedUntil", r.CertifiedUntil, false)
	ps.Text("website", r.Website, false, false, MaxText)
	if r.Certification == "iris-certified" && r.CertifiedUntil == "" {
		ps.Add("certifiedUntil", "required", nil, "a certified recruiter's certificate has an end date")
	}
	if r.Certification != "iris-certified" && r.CertifiedUntil != "" {
		ps.Add("certifiedUntil", "notCertified", nil, "only a certified recruiter's certificate has an end date")
	}
	if RecruiterKey(r.Name) == "" {
		ps.Add("name", "required", nil, "a name with letters or digits")
	}
	return ps
}

// Cost kinds a worker reports paying, after the SDG 10.7.1 methodology
// (ILO/World Bank KNOMAD recruitment cost surveys).
const (
	CostFee       = "recruitment-fee"
	CostService   = "service-charge"
	CostTravel    = "travel"
	CostDocuments = "documents"
	CostMedical   = "medical"
	CostTraining  = "training"
	CostLoan      = "loan-interest"
	CostOther     = "other"
)

// CostKinds lists the kinds.
var CostKinds = []string{CostFee, CostService, CostTravel, CostDocuments, CostMedical, CostTraining, CostLoan, CostOther}

// FeeKinds are the costs that are recruitment fees in the strict sense:
// charging them to a worker breaks the employer-pays principle.
var FeeKinds = []string{CostFee, CostService}

// Payees say whom a worker paid.
var Payees = []string{"recruiter", "employer", "government", "lender", "other"}

// Cost is one payment a worker reports having made to be recruited.
// Amount is in Currency; RateToWage converts it into RateTo, the currency
// of the worker's first wage in the destination (RateTo = Currency and
// rate 1 when the worker paid in that currency). A cost whose currencies
// do not lead to the wage's currency cannot count in SDG 10.7.1: it is
// reported as not converted, never guessed.
type Cost struct {
	ID          int64     `json:"id"`
	WorkerID    int64     `json:"workerId"`
	Kind        string    `json:"kind"`
	Amount      float64   `json:"amount"`
	Currency    string    `json:"currency"`
	RateToWage  float64   `json:"rateToWage"`
	RateTo      string    `json:"rateTo,omitempty"`
	PaidTo      string    `json:"paidTo"`
	RecruiterID int64     `json:"recruiterId,omitempty"`
	Date        string    `json:"date"`
	Note        string    `json:"note,omitempty"`
	RecordedAt  time.Time `json:"recordedAt"`
}

// InCurrency is the amount in the wage currency cur, and whether the
// cost's currencies lead there.
func (c Cost) InCurrency(cur string) (float64, bool) {
	switch {
	case c.Currency == cur:
		return c.Amount, true
	case c.RateTo == cur:
		return c.Amount * c.RateToWage, true
	}
	return 0, false
}

// IsFee reports whether the cost is a recruitment fee.
func (c Cost) IsFee() bool { return slices.Contains(FeeKinds, c.Kind) }

// Check returns every problem of a reported cost.
func (c Cost) Check() field.Problems {
	var ps field.Problems
	ps.OneOf("kind", c.Kind, CostKinds, true)
	ps.Amount("amount", c.Amount, true, MaxWage)
	if ps.Currency("currency", c.Currency, true) && !remit.IsCurrency(c.Currency, false) {
		ps.Add("currency", "currency", nil, "%s is not an ISO 4217 currency", c.Currency)
	}
	switch {
	case c.RateTo == "" || c.RateTo == c.Currency:
		if c.RateToWage != 1 && c.RateToWage != 0 {
			ps.Add("rateToWage", "sameCurrency", nil, "must be 1 (or omitted) when the cost is in the wage currency; give rateTo, the wage currency, to convert")
		}
	default:
		if ps.Currency("rateTo", c.RateTo, true) && !remit.IsCurrency(c.RateTo, false) {
			ps.Add("rateTo", "currency", nil, "%s is not an ISO 4217 currency", c.RateTo)
		}
		ps.Amount("rateToWage", c.RateToWage, true, 1e6)
	}
	ps.OneOf("paidTo", c.PaidTo, Payees, true)
	ps.Date("date", c.Date, true)
	ps.Text("note", c.Note, false, true, MaxLongText)
	if c.PaidTo == "recruiter" && c.RecruiterID == 0 {
		ps.Add("recruiterId", "required", nil, "name the recruiter that was paid (from the recruiter register)")
	}
	return ps
}

// WorkerCost is the SDG 10.7.1 observation of one worker: every cost the
// worker reported, in the currency of the first monthly wage, divided by
// that wage.
type WorkerCost struct {
	WorkerID    int64   `json:"workerId"`
	Origin      string  `json:"origin"`
	Destination string  `json:"destination"`
	ISCO        string  `json:"isco"`
	Year        string  `json:"year"` // when the first wage was recorded
	Costs       float64 `json:"costs"`
	MonthlyWage float64 `json:"monthlyWage"`
	Currency    string  `json:"currency"`
	Ratio       float64 `json:"ratio"` // Costs ÷ MonthlyWage (1.5 = one and a half months of wages)
	PaidFees    bool    `json:"paidFees"`
	// Unconverted: a cost is in a currency with no rate into the wage's;
	// the worker's ratio is unknown (NaN) and left out of every group.
	Unconverted bool `json:"unconverted,omitempty"`
}

// MarshalJSON writes an unknown ratio (NaN: a cost not converted, no
// wage) as null: JSON has no NaN.
func (o WorkerCost) MarshalJSON() ([]byte, error) {
	type plain WorkerCost
	var ratio *float64
	if !math.IsNaN(o.Ratio) && !math.IsInf(o.Ratio, 0) {
		ratio = &o.Ratio
	}
	return json.Marshal(struct {
		plain
		Ratio *float64 `json:"ratio"`
	}{plain(o), ratio})
}

// Indicator1071 computes one worker's SDG 10.7.1 value: the recruitment
// costs the worker bore, in the wage's currency, divided by the first
// monthly wage earned in the destination. A worker with no reported cost
// has ratio 0 (a worker who paid nothing is an observation, not a gap); a
// cost that cannot be converted into the wage's currency makes the
// worker's value unknown (ok false), never a guess.
func Indicator1071(costs []Cost, monthlyWage float64, currency string) (total, ratio float64, ok bool) {
	for _, c := range costs {
		v, conv := c.InCurrency(currency)
		if !conv {
			return 0, math.NaN(), false
		}
		total += v
	}
	if monthlyWage <= 0 {
		return total, math.NaN(), false
	}
	return total, total / monthlyWage, true
}

// CostGroup is SDG 10.7.1 aggregated over the workers of a corridor or an
// occupation: the mean of the workers' ratios (the indicator as
// published), the median, and how many paid recruitment fees.
type CostGroup struct {
	Origin      string  `json:"origin,omitempty"`
	Destination string  `json:"destination,omitempty"`
	ISCO        string  `json:"isco,omitempty"`
	Workers     int     `json:"workers"`
	Mean        float64 `json:"mean"`
	Median      float64 `json:"median"`
	PayingFees  int     `json:"workersPayingFees"`
	Flagged     bool    `json:"flagged"` // some worker paid a recruitment fee
}

// GroupCosts aggregates worker observations by the key key returns
// (corridor: origin+destination; occupation: ISCO). Groups are sorted by
// mean, highest first, then by key.
func GroupCosts(obs []WorkerCost, key func(WorkerCost) CostGroup) []CostGroup {
	type acc struct {
		g      CostGroup
		ratios []float64
	}
	byKey := map[CostGroup]*acc{}
	var order []CostGroup
	for _, o := range obs {
		if math.IsNaN(o.Ratio) {
			continue
		}
		k := key(o)
		a := byKey[k]
		if a == nil {
			a = &acc{g: k}
			byKey[k] = a
			order = append(order, k)
		}
		a.ratios = append(a.ratios, o.Ratio)
		if o.PaidFees {
			a.g.PayingFees++
		}
	}
	out := make([]CostGroup, 0, len(order))
	for _, k := range order {
		a := byKey[k]
		g := a.g
		g.Workers = len(a.ratios)
		var sum float64
		for _, r := range a.ratios {
			sum += r
		}
		g.Mean = sum / float64(g.Workers)
		g.Median = median(a.ratios)
		g.Flagged = g.PayingFees > 0
		out = append(out, g)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Mean != out[j].Mean {
			return out[i].Mean > out[j].Mean
		}
		return out[i].Origin+out[i].Destination+out[i].ISCO < out[j].Origin+out[j].Destination+out[j].ISCO
	})
	return out
}

// ByCorridor keys an observation by its corridor.
func ByCorridor(o WorkerCost) CostGroup {
	return CostGroup{Origin: o.Origin, Destination: o.Destination}
}

// ByOccupation keys an observation by its ISCO unit group.
func ByOccupation(o WorkerCost) CostGroup { return CostGroup{ISCO: o.ISCO} }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
