package remit

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

//go:embed currencies.txt
var currencyList string

var currencies = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool, 200)
	for _, line := range strings.Split(currencyList, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		m[f[0]] = f[1] == "active"
	}
	return m
})

// IsCurrency reports whether code is an ISO 4217 code of a currency money
// can be sent in. With active false, withdrawn codes (e.g. ZMK, VEF, HRK),
// which appear in RPW history, are accepted too. The list is embedded
// (currencies.txt); funds, metals and test codes are not in it.
func IsCurrency(code string, active bool) bool {
	a, ok := currencies()[code]
	return ok && (a || !active)
}

//go:embed countrycurrencies.txt
var countryCurrencyList string

var countryCurrencies = sync.OnceValue(func() map[string][]string {
	m := make(map[string][]string, 260)
	for _, line := range strings.Split(countryCurrencyList, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		m[f[0]] = strings.Split(f[1], ",")
	}
	return m
})

// CountryCurrencies returns the ISO 4217 codes of the currencies used in
// a country (ISO 3166-1 alpha-3), the country's own first; nil when the
// country is not in the table. The table (countrycurrencies.txt, from
// ISO 4217's list one) covers every ISO 3166-1 country and the codes RPW
// uses besides (ANT, KSV, XKX).
func CountryCurrencies(country string) []string { return countryCurrencies()[country] }

// CurrencyPlausible reports whether money may be sent from or received
// in country in currency: a currency used in the country, or USD or EUR,
// which RPW quotes on many corridors. A country the table does not know
// accepts any currency: there is nothing to check against.
func CurrencyPlausible(country, currency string) bool {
	if currency == "USD" || currency == "EUR" {
		return true
	}
	list, ok := countryCurrencies()[country]
	return !ok || slices.Contains(list, currency)
}

// FieldError is one problem with a submitted quote; Field is the JSON name
// of the field. It wraps derrors.Invalid.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error returns "field: reason".
func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Unwrap makes errors.Is(err, derrors.Invalid) true.
func (e *FieldError) Unwrap() error { return derrors.Invalid }

// PublicMessage implements derrors.Public.
func (e *FieldError) PublicMessage() string { return e.Error() }

// FieldErrors is every problem found with one quote, in field order. It
// wraps derrors.Invalid.
type FieldErrors []*FieldError

// Error joins the problems with "; ".
func (es FieldErrors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "; ")
}

// Unwrap makes errors.Is(err, derrors.Invalid) true.
func (es FieldErrors) Unwrap() error { return derrors.Invalid }

// PublicMessage implements derrors.Public.
func (es FieldErrors) PublicMessage() string { return es.Error() }

// Rules are the limits a submitted quote is checked against.
type Rules struct {
	// MinMarginPct and MaxMarginPct bound the FX margin a plausible applied
	// rate gives against the interbank rate. A rate outside the band is
	// most likely a typo, an inverted rate (KES per UGX instead of UGX per
	// KES) or a rate for other currencies.
	MinMarginPct, MaxMarginPct float64
	// MaxAge is how old a quote may be before it is flagged stale.
	MaxAge time.Duration
	// MaxFuture is how far in the future a quote's date may lie (clock skew).
	MaxFuture time.Duration
	// InterbankBandPct bounds how far, in per cent, a submitted interbank
	// rate may lie from the reference rate (the latest RPW interbank rate
	// stored for the same corridor and currencies), when there is one.
	// ≤ 0: not checked.
	InterbankBandPct float64
}

// DefaultRules returns Corridor's default limits:
//   - margin band −5 % … +30 %. In RPW, margins are almost always between 0
//     and 15 %; a few are negative (the East Africa excerpt has −1.22 %, a
//     promotional rate) and a few banks in small corridors reach 25 %. An
//     inverted or mistyped rate lands far outside (−100 % or more, or close
//     to +100 %).
//   - a quote is stale after 7 days (commercial comparison sites refresh at
//     least weekly; RPW's quarterly wave is history, not a live quote).
//   - a date up to 1 hour in the future is tolerated.
//   - a submitted interbank rate must lie within ±10 % of the reference
//     rate (the latest RPW survey interbank rate of the same corridor and
//     currencies): mid-market rates of the currencies RPW covers rarely move
//     that much between a survey wave and the next, while an inverted or
//     mistyped rate — which would make any applied rate look plausible —
//     lands far outside.
func DefaultRules() Rules {
	return Rules{MinMarginPct: -5, MaxMarginPct: 30, MaxAge: 7 * 24 * time.Hour, MaxFuture: time.Hour, InterbankBandPct: 10}
}

// CheckInterbank checks a submitted interbank rate against a reference
// rate (ref ≤ 0: none, nothing to check). The error is a *FieldError
// naming interbankRate when the rate differs from ref by more than
// rules.InterbankBandPct per cent.
func CheckInterbank(q *Quote, ref float64, rules Rules) error {
	if !(ref > 0) || rules.InterbankBandPct <= 0 || !(q.InterbankRate > 0) {
		return nil
	}
	d := (q.InterbankRate - ref) / ref * 100
	if d < -rules.InterbankBandPct || d > rules.InterbankBandPct {
		return &FieldError{Field: "interbankRate", Reason: fmt.Sprintf(
			"%g differs by %.1f %% from the reference interbank rate %g (latest RPW survey rate for %s %s); plausible: within ±%g %%",
			q.InterbankRate, d, ref, q.Corridor, q.SendCurrency, rules.InterbankBandPct)}
	}
	return nil
}

// Validate checks a quote a provider submits. now is the submission time.
// The error is a FieldErrors (derrors.Invalid) naming every bad field:
// from, to (ISO 3166 alpha-3, different), period (a valid quarter, the one
// the date falls in), date (set, not in the future), firm, sendCurrency
// and receiveCurrency (active ISO 4217 codes, each used in its country
// or USD or EUR: CurrencyPlausible), amount (MinAmount … MaxAmount), fee (≥ 0 and
// less than the amount), rate and interbankRate (> 0; for a transparent
// quote the margin they give lies within the rules' band), speed (known).
func Validate(q *Quote, rules Rules, now time.Time) error {
	var es FieldErrors
	add := func(field, format string, args ...any) {
		es = append(es, &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if !isISO3(q.From) {
		add("from", "%q is not an ISO 3166 alpha-3 code", clip(q.From))
	}
	if !isISO3(q.To) {
		add("to", "%q is not an ISO 3166 alpha-3 code", clip(q.To))
	} else if q.To == q.From {
		add("to", "must differ from the sending country")
	}
	switch {
	case !q.Period.Valid():
		add("period", "missing or not a quarter (want e.g. 2025Q3)")
	case !q.Date.IsZero() && PeriodOf(q.Date) != q.Period:
		add("period", "%s does not contain the date %s", q.Period, q.Date.Format(time.DateOnly))
	}
	switch {
	case q.Date.IsZero():
		add("date", "missing")
	case q.Date.After(now.Add(rules.MaxFuture)):
		add("date", "%s is in the future", q.Date.Format(time.RFC3339))
	}
	if strings.TrimSpace(q.Firm) == "" {
		add("firm", "missing")
	}
	for _, c := range [...]struct{ field, code, country, role string }{
		{"sendCurrency", q.SendCurrency, q.From, "sending"},
		{"receiveCurrency", q.ReceiveCurrency, q.To, "receiving"},
	} {
		switch {
		case !IsCurrency(c.code, true):
			add(c.field, "%q is not an ISO 4217 currency code", clip(c.code))
		case isISO3(c.country) && !CurrencyPlausible(c.country, c.code):
			add(c.field, "%s is not a currency used in the %s country %s (%s; USD and EUR are also accepted)",
				c.code, c.role, c.country, strings.Join(CountryCurrencies(c.country), ", "))
		}
	}
	switch {
	case !(q.Amount > 0):
		add("amount", "must be positive")
	case q.Amount < MinAmount:
		add("amount", "%g is below the minimum of 1 (a whole unit of the currency)", q.Amount)
	case q.Amount > MaxAmount:
		add("amount", "%g is above the maximum of 1,000,000,000", q.Amount)
	}
	switch {
	case !(q.Fee >= 0):
		add("fee", "must be zero or positive")
	case q.Amount > 0 && q.Fee >= q.Amount:
		add("fee", "%g is not less than the amount %g", q.Fee, q.Amount)
	}
	rateOK := true
	if q.Transparent && !(q.Rate > 0) {
		add("rate", "must be positive for a transparent quote")
		rateOK = false
	} else if q.Rate < 0 {
		add("rate", "must not be negative")
		rateOK = false
	}
	if !(q.InterbankRate > 0) {
		add("interbankRate", "must be positive")
		rateOK = false
	}
	if rateOK && q.Rate > 0 {
		m := (q.InterbankRate - q.Rate) / q.InterbankRate * 100
		if m < rules.MinMarginPct || m > rules.MaxMarginPct {
			add("rate", "%g gives an exchange-rate margin of %.2f %% against the interbank rate %g; plausible margins are %g %% to %g %% (inverted or mistyped rate?)",
				q.Rate, m, q.InterbankRate, rules.MinMarginPct, rules.MaxMarginPct)
		}
	}
	if q.Speed == SpeedUnknown || q.Speed > Speed6Plus {
		add("speed", "missing or unknown")
	}
	if len(es) > 0 {
		return es
	}
	return nil
}

// MinAmount and MaxAmount bound the amount of a quote and of a sender's
// comparison: at least one unit of the currency (smaller amounts give
// meaningless fee percentages), at most 1,000,000,000.
const (
	MinAmount = 1
	MaxAmount = 1e9
)

// BasketBandPct is how far, in per cent, a quote's amount in USD may lie
// from one of RPW's baskets (USD 200, USD 500) and still count as that
// basket.
const BasketBandPct = 20

// BasketOf returns the RPW basket (200 or 500) an amount worth usd US
// dollars counts in — within ±BasketBandPct % of it — or 0 when it is
// in neither (or usd is not known: ≤ 0). A quote of basket 0 is still
// shown to senders but is not part of RPW's baskets, so it counts in no
// average.
func BasketOf(usd float64) float64 {
	for _, b := range [...]float64{200, 500} {
		if usd >= b*(1-BasketBandPct/100.0) && usd <= b*(1+BasketBandPct/100.0) {
			return b
		}
	}
	return 0
}
