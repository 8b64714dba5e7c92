package remit

import (
	"math"
	"testing"
	"time"
)

// Review defect 2: one provider's repeated identical quotes are one
// service; RPW's exact duplicate rows are left out.
func TestAggregateCountsEachServiceOnce(t *testing.T) {
	p := NewPeriod(2026, 4)
	c := Corridor{From: "KEN", To: "UGA"}
	d := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	mk := func(firm string, fee float64, day int) Quote {
		at := d.AddDate(0, 0, day)
		return Quote{Corridor: c, Period: p, Date: at, QuotedAt: at, Firm: firm, Amount: 200, SendCurrency: "KES", Fee: fee,
			Rate: 99, InterbankRate: 100, ReceiveCurrency: "UGX", BasketUSD: 200, Speed: SpeedHour, PickupMethod: "Cash", Transparent: true}
	}
	var qs []Quote
	for i := 0; i < 6; i++ { // one firm's six copies: 10 % + 1 % each
		qs = append(qs, mk("Copycat", 20, 0))
	}
	qs = append(qs, mk("Other", 2, 0))  // 1 % + 1 % = 2 %
	qs = append(qs, mk("Later", 10, 0)) // superseded in the quarter by the next
	qs = append(qs, mk("Later", 4, 5))  // its latest quote: 2 % + 1 % = 3 %
	dup := mk("Dup", 40, 0)             // a row the importer flagged as an exact duplicate
	dup.Flags |= FlagDuplicate
	qs = append(qs, dup)
	a := Aggregate(qs, AggregateOptions{})
	cs, err := a.Corridor(c, p)
	if err != nil {
		t.Fatal(err)
	}
	want := (11.0 + 2 + 3) / 3
	if cs.Services != 3 || math.Abs(cs.AveragePct-want) > 1e-9 || math.Abs(cs.SmaRTPct-want) > 1e-9 {
		t.Errorf("KEN→UGA %s: %v, want 3 services averaging %.4f %% (SmaRT the same)", p, cs, want)
	}
	g, _ := a.GlobalAt(p)
	if g.Services != 3 || math.Abs(g.Pct-want) > 1e-9 {
		t.Errorf("global: %+v", g)
	}
	// The same quotes in another order, and split over workers, agree.
	rev := make([]Quote, len(qs))
	for i := range qs {
		rev[len(qs)-1-i] = qs[i]
	}
	if cs2, _ := Aggregate(rev, AggregateOptions{}).Corridor(c, p); cs2.Services != 3 || math.Abs(cs2.AveragePct-want) > 1e-9 {
		t.Errorf("reversed: %v", cs2)
	}
}

// Review defect 1: an interbank rate no reference verified makes the
// quote's cost unknown: never complete, never averaged.
func TestInterbankUnverifiedNotCounted(t *testing.T) {
	p := NewPeriod(2026, 4)
	d := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	q := Quote{Corridor: Corridor{From: "USA", To: "MEX"}, Period: p, Date: d, QuotedAt: d, Firm: "Mto1", Amount: 200, SendCurrency: "USD",
		Rate: 400, InterbankRate: 400, ReceiveCurrency: "MXN", BasketUSD: 200, Speed: SpeedHour, Transparent: true, Flags: FlagInterbankUnverified,
		Source: "submitted:1"}
	if q.Complete() {
		t.Error("unverified quote complete")
	}
	if cs, _ := Aggregate([]Quote{q}, AggregateOptions{}).Corridor(q.Corridor, p); cs.Services != 0 || cs.Excluded != 1 {
		t.Errorf("averaged: %v", cs)
	}
	r, err := Rank([]Quote{q}, RankRequest{Corridor: q.Corridor, Amount: 200, Currency: "USD", Now: d, MaxAge: 7 * 24 * time.Hour})
	if err != nil || len(r) != 1 || r[0].Complete || r[0].InterbankVerified || r[0].Reason != ReasonInterbankUnverified {
		t.Errorf("ranked: %+v %v", r, err)
	}
}

// Review defect 4: a firm's fast and slow products, or its payouts in two
// currencies, are different services in the comparison.
func TestRankServiceIdentityHasSpeedAndCurrency(t *testing.T) {
	d := time.Date(2025, 8, 19, 0, 0, 0, 0, time.UTC)
	c := Corridor{From: "RWA", To: "KEN"}
	mk := func(fee float64, speed Speed, recv string) Quote {
		return Quote{Corridor: c, Period: PeriodOf(d), Date: d, QuotedAt: d, Firm: "Ecobank Rapidcash", Amount: 150000, SendCurrency: "RWF",
			Fee: fee, Rate: 0.09, InterbankRate: 0.0892, ReceiveCurrency: recv, Speed: speed, PickupMethod: "Cash", Transparent: true}
	}
	qs := []Quote{mk(50000, Speed3to5Days, "KES"), mk(2000, SpeedHour, "KES"), mk(2000, SpeedHour, "USD")}
	r, err := Rank(qs, RankRequest{Corridor: c, Amount: 150000, Currency: "RWF", Now: d})
	if err != nil || len(r) != 3 {
		t.Fatalf("%d services, want 3: %+v %v", len(r), r, err)
	}
}

// Review defect 8: quotedAt is the price's date, submittedAt the
// submission time.
func TestRankQuotedAtIsPriceDate(t *testing.T) {
	date := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	sub := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	q := Quote{Corridor: Corridor{From: "KEN", To: "UGA"}, Period: PeriodOf(date), Date: date, QuotedAt: sub, Firm: "Pesa Express", Amount: 18000,
		SendCurrency: "KES", Fee: 100, Rate: 27, InterbankRate: 27.5, ReceiveCurrency: "UGX", Speed: SpeedHour, Transparent: true, Source: "submitted:1"}
	r, _ := Rank([]Quote{q}, RankRequest{Corridor: q.Corridor, Amount: 18000, Currency: "KES", Now: sub, MaxAge: 7 * 24 * time.Hour})
	if !r[0].QuotedAt.Equal(date) || r[0].SubmittedAt == nil || !r[0].SubmittedAt.Equal(sub) || !r[0].Stale {
		t.Errorf("quotedAt %v submittedAt %v stale %v", r[0].QuotedAt, r[0].SubmittedAt, r[0].Stale)
	}
}

// Review defect 3: the basket of an amount worth usd dollars.
func TestBasketOf(t *testing.T) {
	for usd, want := range map[float64]float64{200: 200, 161: 200, 239: 200, 250: 0, 500: 500, 401: 500, 601: 0, 0: 0, 1e308: 0} {
		if got := BasketOf(usd); got != want {
			t.Errorf("BasketOf(%g) = %g, want %g", usd, got, want)
		}
	}
}
