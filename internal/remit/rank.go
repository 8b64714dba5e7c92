package remit

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// RankRequest is what a sender asks: send Amount of Currency from one
// country to another.
type RankRequest struct {
	Corridor
	Amount   float64
	Currency string
	Now      time.Time
	MaxAge   time.Duration // quotes older than this are stale (≤ 0: never)
}

// RankedService is one line of the sender comparison.
type RankedService struct {
	Quote *Quote `json:"-"`
	// Provider, FirmType, Speed, PickupMethod, QuotedAt repeat the quote's.
	Provider        string   `json:"provider"`
	FirmType        FirmType `json:"firmType"`
	FeePct          float64  `json:"feePct"`
	FXMarginPct     *float64 `json:"fxMarginPct"`     // nil: not known (non-transparent)
	TotalCostPct    *float64 `json:"totalCostPct"`    // nil: not known
	AmountReceived  *float64 `json:"amountReceived"`  // in ReceiveCurrency
	ReceiveCurrency string   `json:"receiveCurrency"` // "" when the source does not name it (RPW rows: the local currency)
	// ValueReceived is the amount received expressed in the sending
	// currency at the interbank rate: (amount − fee) × rate ÷ interbank.
	// It does not depend on the receiving currency, so services paying out
	// in different currencies compare; the ranking orders by it.
	ValueReceived *float64 `json:"valueReceived"`
	Speed         Speed    `json:"speed"`
	PickupMethod  string   `json:"pickupMethod"`
	Transparent   bool     `json:"transparent"`
	// QuotedAt is the price's date: the day the price was collected or
	// quoted (Quote.Date; the submission time when a quote has no date).
	// SubmittedAt is when a provider submitted it (nil for RPW survey
	// rows, whose stored time is their collection date). Stale is judged
	// on QuotedAt: a price dated weeks ago and submitted today is stale.
	QuotedAt    time.Time  `json:"quotedAt"`
	SubmittedAt *time.Time `json:"submittedAt"`
	Stale       bool       `json:"stale"`
	// InterbankVerified is false for a submitted quote whose interbank
	// rate no reference rate could verify (FlagInterbankUnverified): it
	// is listed apart (Reason ReasonInterbankUnverified), never ranked
	// as complete, and left out of every average.
	InterbankVerified bool `json:"interbankVerified"`
	// Complete: transparent, not stale, and every figure known. Complete
	// services come first; the others follow, flagged, never mixed in.
	Complete bool `json:"complete"`
	// Reason says why a service is not ranked when its figures would
	// otherwise be complete ("fee exceeds the amount": the fee is at least
	// the amount asked, so nothing would be received).
	Reason string `json:"reason,omitempty"`
	// Source is the quote's source: "import:<file>" (World Bank RPW survey
	// data) or "submitted:<organisation id>" (the provider's own quote).
	Source string `json:"source,omitempty"`
	// Exact is false when the quote was for another amount than the one
	// asked and the figures are the quote's fee and rate applied to the
	// asked amount.
	Exact bool `json:"exact"`
	// Notes are the codes of the quote's survey notes (NotePromotional,
	// NoteAccountRequired); Note is the source's own text of them
	// (English, as RPW publishes it).
	Notes []string `json:"notes"`
	Note  string   `json:"note,omitempty"`
}

// Rank compares the services of a corridor for a sender. For each service
// (Quote.ServiceID: firm, payment instrument, access point, pick-up
// method, speed and receiving currency) it takes the quote in the asked currency whose amount
// is nearest the asked amount (the newest on a tie), applies its fee and
// rate to the asked amount, and orders:
//
//  1. complete services (transparent, not stale, cost known, fee below the
//     amount) by value received — (amount − fee) × rate ÷ interbank, the
//     amount received expressed in the sending currency, which compares
//     across receiving currencies — most first, then lower total cost,
//     then provider name;
//  2. then the incomplete ones — stale, non-transparent or flagged
//     unreliable (margin unknown), or whose fee is not below the amount
//     (Reason "fee exceeds the amount") — flagged, in the same order (a
//     service with no value received last).
//
// Quotes in another sending currency or flagged FlagCurrencyMismatch are
// not offered. The error is derrors.Invalid for a bad request.
func Rank(quotes []Quote, req RankRequest) ([]RankedService, error) {
	switch {
	case !isISO3(req.From):
		return nil, derrors.Kindf(derrors.Invalid, "from: %q is not an ISO 3166 alpha-3 code", clip(req.From))
	case !isISO3(req.To):
		return nil, derrors.Kindf(derrors.Invalid, "to: %q is not an ISO 3166 alpha-3 code", clip(req.To))
	case !(req.Amount > 0) || math.IsInf(req.Amount, 0):
		return nil, derrors.Kindf(derrors.Invalid, "amount: must be a positive number")
	case !IsCurrency(req.Currency, false):
		return nil, derrors.Kindf(derrors.Invalid, "currency: %q is not an ISO 4217 currency code", clip(req.Currency))
	}
	best := map[string]*Quote{}
	var order []string
	for i := range quotes {
		q := &quotes[i]
		if q.Corridor != req.Corridor || q.SendCurrency != req.Currency || q.Flags.Has(FlagCurrencyMismatch) || !(q.Amount > 0) {
			continue
		}
		k := q.ServiceID()
		b, ok := best[k]
		if !ok {
			best[k] = q
			order = append(order, k)
			continue
		}
		db, dq := math.Abs(b.Amount-req.Amount), math.Abs(q.Amount-req.Amount)
		if dq < db || (dq == db && quoteTime(q).After(quoteTime(b))) {
			best[k] = q
		}
	}
	out := make([]RankedService, 0, len(order))
	for _, k := range order {
		q := best[k]
		r := RankedService{
			Quote: q, Provider: q.Firm, FirmType: q.FirmType, ReceiveCurrency: q.ReceiveCurrency,
			Speed: q.Speed, PickupMethod: q.PickupMethod, Transparent: q.Transparent,
			QuotedAt: priceTime(q), Stale: q.Stale(req.Now, req.MaxAge), Exact: q.Amount == req.Amount, Source: q.Source,
			Notes: q.Flags.NoteCodes(), Note: q.Note, InterbankVerified: !q.Flags.Has(FlagInterbankUnverified),
		}
		if q.Submitted() && !q.QuotedAt.IsZero() {
			t := q.QuotedAt
			r.SubmittedAt = &t
		}
		if !r.InterbankVerified {
			r.Reason = ReasonInterbankUnverified
		}
		// The quote's fee and rate applied to the asked amount.
		at := *q
		at.Amount = req.Amount
		r.FeePct = at.FeePct()
		if m, ok := at.FXMarginPct(); ok {
			t := r.FeePct + m
			r.FXMarginPct, r.TotalCostPct = &m, &t
		}
		if v, ok := at.AmountReceived(); ok && r.TotalCostPct != nil {
			if at.Fee >= at.Amount {
				r.Reason = ReasonFeeExceedsAmount
			} else {
				r.AmountReceived = &v
				w := v / q.InterbankRate
				r.ValueReceived = &w
			}
		}
		r.Complete = r.TotalCostPct != nil && r.ValueReceived != nil && !r.Stale
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b RankedService) int {
		if a.Complete != b.Complete {
			if a.Complete {
				return -1
			}
			return 1
		}
		if (a.ValueReceived == nil) != (b.ValueReceived == nil) {
			if a.ValueReceived != nil {
				return -1
			}
			return 1
		}
		if a.ValueReceived != nil {
			if c := cmp.Compare(*b.ValueReceived, *a.ValueReceived); c != 0 {
				return c
			}
		}
		if a.TotalCostPct != nil && b.TotalCostPct != nil {
			if c := cmp.Compare(*a.TotalCostPct, *b.TotalCostPct); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Provider, b.Provider)
	})
	return out, nil
}

// ReasonFeeExceedsAmount is RankedService.Reason when the fee is at least
// the amount asked; ReasonInterbankUnverified when the quote's interbank
// rate could not be verified against a reference rate.
const (
	ReasonFeeExceedsAmount    = "fee exceeds the amount"
	ReasonInterbankUnverified = "interbank rate not verified"
)

// priceTime is the price's date: Date, else QuotedAt.
func priceTime(q *Quote) time.Time {
	if !q.Date.IsZero() {
		return q.Date
	}
	return q.QuotedAt
}

func quoteTime(q *Quote) time.Time {
	if !q.QuotedAt.IsZero() {
		return q.QuotedAt
	}
	return q.Date
}

// IsSurvey reports whether a ranked service is a World Bank RPW survey
// price rather than a current offer: imported survey data (Source
// "import:…") that is stale. Survey prices are history — the price a
// mystery shopper was quoted in a survey wave — and are shown apart from
// current offers, never ranked as one.
func (s *RankedService) IsSurvey() bool {
	return s.Stale && strings.HasPrefix(s.Source, "import:")
}

// SurveyInfo describes the survey prices of a comparison: the survey
// quarters and the days the prices were collected.
type SurveyInfo struct {
	FirstPeriod   Period    `json:"firstPeriod"`
	LastPeriod    Period    `json:"lastPeriod"`
	CollectedFrom time.Time `json:"collectedFrom"`
	CollectedTo   time.Time `json:"collectedTo"`
}

// SplitSurvey separates Rank's result into the current offers (every
// service that is not IsSurvey, in Rank's order) and the survey prices
// (IsSurvey, in Rank's order: by value received, most first, those
// without a known amount received last), with the survey's quarters and
// collection days (zero when there are no survey prices).
func SplitSurvey(ranked []RankedService) (current, survey []RankedService, info SurveyInfo) {
	current, survey = []RankedService{}, []RankedService{}
	for _, s := range ranked {
		if !s.IsSurvey() {
			current = append(current, s)
			continue
		}
		survey = append(survey, s)
		if s.Quote == nil {
			continue
		}
		q := s.Quote
		if info.FirstPeriod == 0 || q.Period < info.FirstPeriod {
			info.FirstPeriod = q.Period
		}
		info.LastPeriod = max(info.LastPeriod, q.Period)
		d := q.Date
		if d.IsZero() {
			d = s.QuotedAt
		}
		if !d.IsZero() && (info.CollectedFrom.IsZero() || d.Before(info.CollectedFrom)) {
			info.CollectedFrom = d
		}
		if d.After(info.CollectedTo) {
			info.CollectedTo = d
		}
	}
	return current, survey, info
}
