// Package remit is Corridor's remittance price model: providers and the
// quotes they give for sending money along a corridor, the cost figures the
// World Bank's Remittance Prices Worldwide (RPW) computes from a quote, the
// corridor, regional and global averages, SmaRT, the SDG 10.c.1 status and
// the ranking a sender sees.
//
// The package holds types, validation and pure computations; it imports
// neither SQL nor HTTP. Parsing of the RPW files lives in
// internal/remit/rpwfile.
//
// Formulas (as RPW):
//
//	fee %           = fee ÷ amount sent × 100
//	FX margin %     = (interbank rate − applied rate) ÷ interbank rate × 100
//	total cost %    = fee % + FX margin %
//	amount received = (amount sent − fee) × applied rate
//
// Rates are in units of the receiving currency per unit of the sending
// currency, as in RPW's "lcu fx rate" and "inter lcu bank fx" columns.
package remit

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// FirmType is the kind of remittance service provider, as RPW classifies it.
type FirmType uint8

// The firm types. FirmOther is also what an unknown spelling maps to when
// the caller chooses to accept it (see ParseFirmType).
const (
	FirmOther  FirmType = iota // other (including RPW's "Other", "Non-bank financial institution")
	FirmBank                   // bank
	FirmMTO                    // money transfer operator
	FirmMobile                 // mobile (network) operator
	FirmPost                   // post office
)

var firmTypeNames = [...]string{FirmOther: "other", FirmBank: "bank", FirmMTO: "mto", FirmMobile: "mobile", FirmPost: "post"}

// String returns the stable code of the firm type ("bank", "mto", "mobile",
// "post", "other"), used in the API and the database.
func (t FirmType) String() string {
	if int(t) < len(firmTypeNames) {
		return firmTypeNames[t]
	}
	return "other"
}

// Label returns the English name of the firm type as RPW writes it.
func (t FirmType) Label() string {
	switch t {
	case FirmBank:
		return "Bank"
	case FirmMTO:
		return "Money Transfer Operator"
	case FirmMobile:
		return "Mobile Operator"
	case FirmPost:
		return "Post Office"
	}
	return "Other"
}

// MarshalText implements encoding.TextMarshaler (the stable code).
func (t FirmType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it accepts the codes
// and every RPW spelling ParseFirmType knows.
func (t *FirmType) UnmarshalText(b []byte) error {
	v, ok := ParseFirmType(string(b))
	if !ok {
		return derrors.Kindf(derrors.Invalid, "firmType: unknown firm type %q", string(b))
	}
	*t = v
	return nil
}

// ParseFirmType maps a firm type as written by RPW (any case and spacing:
// "Bank", "Money Transfer Operator", "MTO", "Mobile Operator", "Post Office",
// "Post", "Other", "Non-Bank Financial Institution"…) or a code returned by
// String to a FirmType. ok is false for an unknown spelling.
func ParseFirmType(s string) (t FirmType, ok bool) {
	switch normKey(s) {
	case "bank", "banks", "commercialbank":
		return FirmBank, true
	case "mto", "moneytransferoperator", "moneytransferoperators", "moneytransfercompany", "remittancecompany":
		return FirmMTO, true
	case "mobile", "mobileoperator", "mobileoperators", "mobilenetworkoperator", "mno", "mobilemoneyoperator":
		return FirmMobile, true
	case "post", "postoffice", "postoffices", "postaloperator", "post/postoffice":
		return FirmPost, true
	case "other", "others", "nonbankfinancialinstitution", "nbfi", "microfinanceinstitution":
		return FirmOther, true
	}
	return FirmOther, false
}

// normKey lower-cases s and drops everything but letters and digits, so
// spellings that differ only in case, spacing or punctuation compare equal.
func normKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r > 127 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NormalizeName is the key two spellings of a name share when they differ
// only in case, spacing or punctuation ("EcoBank  Rapid-Transfer" and
// "Ecobank Rapid Transfer" both give "ecobankrapidtransfer").
func NormalizeName(s string) string { return normKey(s) }

// Provider is a remittance service provider (a "firm" in RPW).
type Provider struct {
	Name string   `json:"name"`
	Type FirmType `json:"firmType"`
}

// Speed is how long a transfer takes to reach the receiver, in RPW's
// classes ("speed actual").
type Speed uint8

// The speed classes, fastest first. SpeedUnknown is the zero value.
const (
	SpeedUnknown  Speed = iota
	SpeedHour           // less than one hour
	SpeedSameDay        // same day
	SpeedNextDay        // next day
	Speed2Days          // 2 days
	Speed3to5Days       // 3–5 days
	Speed6Plus          // 6 days or more
)

var speedNames = [...]string{"unknown", "Less than one hour", "Same day", "Next day", "2 days", "3-5 days", "6 days or more"}

// String returns the RPW label of the speed class.
func (s Speed) String() string {
	if int(s) < len(speedNames) {
		return speedNames[s]
	}
	return "unknown"
}

// MaxDays is the longest the class may take in whole days (0 for the same
// day); -1 when unknown.
func (s Speed) MaxDays() int {
	switch s {
	case SpeedHour, SpeedSameDay:
		return 0
	case SpeedNextDay:
		return 1
	case Speed2Days:
		return 2
	case Speed3to5Days:
		return 5
	case Speed6Plus:
		return 1 << 30
	}
	return -1
}

// WithinDays reports whether a transfer of this class arrives within n days.
// An unknown speed is never within.
func (s Speed) WithinDays(n int) bool { m := s.MaxDays(); return m >= 0 && m <= n }

// MarshalText implements encoding.TextMarshaler (the RPW label).
func (s Speed) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Speed) UnmarshalText(b []byte) error {
	v, ok := ParseSpeed(string(b))
	if !ok {
		return derrors.Kindf(derrors.Invalid, "speed: unknown speed %q", string(b))
	}
	*s = v
	return nil
}

// ParseSpeed maps an RPW speed label ("Less than one hour", "Same day",
// "Next day", "2 days", "3-5 days", "6 days or more", any case) to a Speed.
// ok is false for an unknown label; "" gives SpeedUnknown with ok true.
func ParseSpeed(s string) (Speed, bool) {
	switch normKey(s) {
	case "", "unknown":
		return SpeedUnknown, true
	case "lessthanonehour", "lessthan1hour", "lessthananhour", "minutes", "instant":
		return SpeedHour, true
	case "sameday":
		return SpeedSameDay, true
	case "nextday", "1day", "oneday":
		return SpeedNextDay, true
	case "2days", "twodays":
		return Speed2Days, true
	case "35days", "3to5days", "threetofivedays":
		return Speed3to5Days, true
	case "6daysormore", "6ormoredays", "morethan5days", "6days":
		return Speed6Plus, true
	}
	return SpeedUnknown, false
}

// Period is a calendar quarter. The zero value is "no period". Periods
// order like the quarters they stand for.
type Period int32

// NewPeriod returns the period of a year and quarter (1–4).
func NewPeriod(year, quarter int) Period { return Period(year*4 + quarter) }

// PeriodOf returns the quarter a time falls in (UTC).
func PeriodOf(t time.Time) Period {
	t = t.UTC()
	return NewPeriod(t.Year(), (int(t.Month())-1)/3+1)
}

// Year returns the year of the period.
func (p Period) Year() int { return int(p-1) / 4 }

// Quarter returns the quarter of the period, 1–4.
func (p Period) Quarter() int { return int(p-1)%4 + 1 }

// Valid reports whether p is a quarter of a year between 1900 and 2999.
func (p Period) Valid() bool { return p > 0 && p.Year() >= 1900 && p.Year() <= 2999 }

// Next returns the following quarter.
func (p Period) Next() Period { return p + 1 }

// Start returns the first instant of the quarter (UTC).
func (p Period) Start() time.Time {
	return time.Date(p.Year(), time.Month((p.Quarter()-1)*3+1), 1, 0, 0, 0, 0, time.UTC)
}

// String returns the period as "2025Q3" ("" for the zero value).
func (p Period) String() string {
	if p == 0 {
		return ""
	}
	return strconv.Itoa(p.Year()) + "Q" + strconv.Itoa(p.Quarter())
}

// MarshalText implements encoding.TextMarshaler ("2025Q3").
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Period) UnmarshalText(b []byte) error {
	v, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// ParsePeriod parses a quarter written as "2025Q3" (Corridor's form), or as
// the sources write it: RPW "2025_3Q", DataBank "2025Q3 [YR2025Q3]", the UK
// aggregates "Q3 2025". The error (derrors.Invalid) names the field
// "period".
func ParsePeriod(s string) (Period, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if i := strings.IndexByte(t, '['); i > 0 { // DataBank "2011Q1 [YR2011Q1]"
		t = strings.TrimSpace(t[:i])
	}
	var year, q string
	switch {
	case len(t) == 6 && t[4] == 'Q': // 2025Q3
		year, q = t[:4], t[5:]
	case len(t) == 7 && t[4] == '_' && t[6] == 'Q': // 2025_3Q
		year, q = t[:4], t[5:6]
	case len(t) == 7 && t[0] == 'Q' && t[2] == ' ': // Q3 2025
		year, q = t[3:], t[1:2]
	case len(t) == 7 && t[4] == '-' && t[5] == 'Q': // 2025-Q3
		year, q = t[:4], t[6:]
	default:
		return 0, derrors.Kindf(derrors.Invalid, "period: %q is not a quarter (want e.g. 2025Q3)", clip(s))
	}
	y, err1 := strconv.Atoi(year)
	n, err2 := strconv.Atoi(q)
	if err1 != nil || err2 != nil || n < 1 || n > 4 || y < 1900 || y > 2999 {
		return 0, derrors.Kindf(derrors.Invalid, "period: %q is not a quarter (want e.g. 2025Q3)", clip(s))
	}
	return NewPeriod(y, n), nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// Corridor is a sending and a receiving country (ISO 3166-1 alpha-3).
type Corridor struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// String returns "FROM-TO", the form used in URLs.
func (c Corridor) String() string { return c.From + "-" + c.To }

// ParseCorridor parses "KEN-UGA" or RPW's "KENUGA".
func ParseCorridor(s string) (Corridor, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.ReplaceAll(t, "-", "")
	t = strings.ReplaceAll(t, "→", "")
	if len(t) != 6 || !isISO3(t[:3]) || !isISO3(t[3:]) {
		return Corridor{}, derrors.Kindf(derrors.Invalid, "corridor: %q is not two ISO 3166 alpha-3 codes (want e.g. KEN-UGA)", clip(s))
	}
	return Corridor{From: t[:3], To: t[3:]}, nil
}

// rpwCodeNames names the country codes RPW (and the DataBank corridor
// export) uses that are not ISO 3166-1 alpha-3 codes, so that the
// reference geography does not know them: ANT, the Netherlands Antilles
// (dissolved in 2010, still in RPW's history), and KSV and XKX, Kosovo
// (the World Bank's code and the user-assigned code in common use).
var rpwCodeNames = map[string]string{"ANT": "Netherlands Antilles", "KSV": "Kosovo", "XKX": "Kosovo"}

// CodeName returns the English name of a country code RPW uses that is
// not an ISO 3166-1 code (ANT, KSV, XKX), or "" for any other code:
// the reference geography names those.
func CodeName(code string) string { return rpwCodeNames[code] }

func isISO3(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// Flag marks a data-quality finding attached to one quote.
type Flag uint16

// The quote flags. Importers set them; ranking and averages read them.
const (
	FlagPromotional         Flag = 1 << iota // fee or rate of a promotion, marketing campaign or discount (RPW note)
	FlagNegativeMargin                       // applied rate better than the interbank rate
	FlagPlaceholderRate                      // an exchange rate of exactly 1 between different currencies
	FlagDuplicate                            // exact copy of an earlier row of the same file
	FlagCurrencyMismatch                     // the amount is not in the currency the quote names (e.g. USD amounts under an RWF code)
	FlagAccountRequired                      // provider shows detailed prices only to account holders (RPW note)
	FlagTotalMismatch                        // the source's stated total cost differs from fee % + margin % (imported rows)
	FlagInterbankUnverified                  // a submitted quote's interbank rate could not be checked: no reference rate for its currency pair
)

// FlagsUnreliable are the findings that make a quote's cost unknown: a
// placeholder exchange rate of 1, a stated total the quote's own
// figures do not reproduce, or a submitted interbank rate no reference
// rate could verify (the provider's own interbank rate would make any
// applied rate look cheap). Such quotes are treated like non-transparent
// ones: the margin is not known, so they are left out of every average,
// SmaRT, the SDG status and the sender ranking.
const FlagsUnreliable = FlagPlaceholderRate | FlagTotalMismatch | FlagInterbankUnverified

// The codes of the survey notes a quote carries (RankedService.Notes):
// RPW's NOTE1 / "Standard Note" column says a price is a promotion,
// marketing campaign or discount rate, or that the provider shows
// detailed prices only to account holders (rpwfile sets FlagPromotional
// and FlagAccountRequired from it).
const (
	NotePromotional     = "promotional"
	NoteAccountRequired = "accountRequired"
)

// NoteCodes returns the codes of the survey notes of flags, in a fixed
// order; never nil.
func (f Flag) NoteCodes() []string {
	out := []string{}
	if f.Has(FlagPromotional) {
		out = append(out, NotePromotional)
	}
	if f.Has(FlagAccountRequired) {
		out = append(out, NoteAccountRequired)
	}
	return out
}

// Has reports whether all bits of g are set in f.
func (f Flag) Has(g Flag) bool { return f&g == g }

// Quote is one priced service: what a provider charges on one day for
// sending one amount along one corridor with one combination of payment
// instrument, access point and pick-up method. RPW calls this a service and
// gives two quotes per service (USD 200 and USD 500 equivalents).
type Quote struct {
	Corridor
	Period Period    `json:"period"` // the RPW survey quarter
	Date   time.Time `json:"date"`   // the day the price was collected
	// QuotedAt is when the quote was submitted (or imported: the
	// collection date); zero: use Date. JSON "submittedAt", so that
	// "quotedAt" means the price's date everywhere the API says it
	// (remit.RankedService.QuotedAt).
	QuotedAt time.Time `json:"submittedAt"`

	Firm     string   `json:"firm"`
	FirmType FirmType `json:"firmType"`

	Amount          float64 `json:"amount"`          // amount sent, in SendCurrency
	SendCurrency    string  `json:"sendCurrency"`    // ISO 4217
	Fee             float64 `json:"fee"`             // in SendCurrency
	Rate            float64 `json:"rate"`            // applied: ReceiveCurrency per unit of SendCurrency; 0 when not disclosed
	InterbankRate   float64 `json:"interbankRate"`   // mid-market rate at collection, same units
	ReceiveCurrency string  `json:"receiveCurrency"` // ISO 4217; may be empty for imported RPW rows (the files do not name it)
	BasketUSD       float64 `json:"basketUsd"`       // the USD amount this quote is the equivalent of (RPW: 200 or 500); 0 for other amounts

	Speed             Speed  `json:"speed"`
	PaymentInstrument string `json:"paymentInstrument"` // how the sender pays (cash, bank account, card, mobile money…)
	AccessPoint       string `json:"accessPoint"`       // where the sender starts (branch, agent, online…)
	PickupMethod      string `json:"pickupMethod"`      // how the receiver gets the money (cash, bank account, mobile wallet…)
	NetworkCoverage   string `json:"networkCoverage"`   // receiving network coverage as stated
	Transparent       bool   `json:"transparent"`       // the provider disclosed the rate applied, so the margin is known

	Note  string `json:"note,omitempty"`  // the source's notes, joined
	Flags Flag   `json:"flags,omitempty"` // data-quality findings

	// Source is where the stored quote comes from: "import:<file>" (World
	// Bank RPW survey data) or "submitted:<organisation id>" (a provider's
	// own submission). Set by the store when reading; empty otherwise.
	Source string `json:"source,omitempty"`
}

// Submitted reports whether the quote was submitted by a provider (rather
// than imported from RPW survey data).
func (q *Quote) Submitted() bool { return strings.HasPrefix(q.Source, "submitted:") }

// Provider returns the provider of the quote.
func (q *Quote) Provider() Provider { return Provider{Name: q.Firm, Type: q.FirmType} }

// FeePct is fee ÷ amount × 100 (0 when the amount is not positive).
func (q *Quote) FeePct() float64 {
	if q.Amount <= 0 {
		return 0
	}
	return q.Fee / q.Amount * 100
}

// FXMarginPct is (interbank − applied) ÷ interbank × 100. ok is false when
// the margin is unknown: a non-transparent quote, a rate missing, or a
// quote flagged unreliable (FlagsUnreliable: placeholder rate of 1, stated
// total not reproduced).
func (q *Quote) FXMarginPct() (pct float64, ok bool) {
	if !q.Transparent || q.InterbankRate <= 0 || q.Rate <= 0 || q.Flags&FlagsUnreliable != 0 {
		return 0, false
	}
	return (q.InterbankRate - q.Rate) / q.InterbankRate * 100, true
}

// TotalCostPct is fee % + FX margin %. ok is false when the margin is
// unknown (see FXMarginPct).
func (q *Quote) TotalCostPct() (pct float64, ok bool) {
	m, ok := q.FXMarginPct()
	if !ok {
		return 0, false
	}
	return q.FeePct() + m, true
}

// AmountReceived is (amount − fee) × applied rate, in ReceiveCurrency. ok
// is false when the applied rate is not known.
func (q *Quote) AmountReceived() (v float64, ok bool) {
	if q.Rate <= 0 {
		return 0, false
	}
	return (q.Amount - q.Fee) * q.Rate, true
}

// Complete reports whether every cost figure of the quote is known (it is
// transparent and carries both rates).
func (q *Quote) Complete() bool { _, ok := q.FXMarginPct(); return ok }

// Stale reports whether the quote is older than maxAge at now, judged by
// the older of its Date (the day the price was collected) and its QuotedAt
// (when it was submitted or imported): a quote dated weeks ago and
// submitted today is as old as its date. maxAge ≤ 0 never makes a quote
// stale. A quote with no time at all is stale.
func (q *Quote) Stale(now time.Time, maxAge time.Duration) bool {
	if maxAge <= 0 {
		return false
	}
	t := q.QuotedAt
	if t.IsZero() || (!q.Date.IsZero() && q.Date.Before(t)) {
		t = q.Date
	}
	if t.IsZero() {
		return true
	}
	return now.Sub(t) > maxAge
}

// ServiceKey identifies the service a quote prices within its corridor:
// firm, payment instrument, access point and pick-up method, compared
// without regard to case or spacing.
func (q *Quote) ServiceKey() string {
	return normKey(q.Firm) + "|" + normKey(q.PaymentInstrument) + "|" + normKey(q.AccessPoint) + "|" + normKey(q.PickupMethod)
}

// ServiceID identifies a service for the sender comparison and the
// averages: ServiceKey (firm, payment instrument, access point, pick-up
// method) with the speed and the receiving currency, so that a firm's
// fast and slow products, or its payouts in local currency and in USD,
// are different services.
func (q *Quote) ServiceID() string {
	return q.ServiceKey() + "|" + strconv.Itoa(int(q.Speed)) + "|" + q.ReceiveCurrency
}

// String describes the quote for logs.
func (q *Quote) String() string {
	return fmt.Sprintf("%s %s %s %g %s", q.Corridor, q.Period, q.Firm, q.Amount, q.SendCurrency)
}
