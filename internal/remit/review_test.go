package remit

import (
	"testing"
	"time"
)

// Quotes flagged unreliable (placeholder rate of 1, stated total not
// reproduced) are left out of every average, SmaRT and the ranking.
func TestUnreliableQuotesExcluded(t *testing.T) {
	p := NewPeriod(2025, 3)
	d := time.Date(2025, 8, 19, 0, 0, 0, 0, time.UTC)
	good := Quote{Corridor: Corridor{"KEN", "SSD"}, Period: p, Date: d, QuotedAt: d, Firm: "Good", Amount: 100, SendCurrency: "KES",
		Fee: 2, Rate: 9.8, InterbankRate: 10, BasketUSD: 200, Speed: SpeedHour, PickupMethod: "Cash", Transparent: true}
	for _, tc := range []struct {
		name string
		flag Flag
	}{
		{"placeholder rate", FlagPlaceholderRate},
		{"total mismatch", FlagTotalMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := good
			bad.Firm, bad.Rate, bad.InterbankRate, bad.Flags = "Bad", 1, 0.24, tc.flag // margin −316 %
			if _, ok := bad.TotalCostPct(); ok {
				t.Errorf("TotalCostPct of a %s quote is known", tc.name)
			}
			a := Aggregate([]Quote{good, bad}, AggregateOptions{})
			c, err := a.Corridor(good.Corridor, p)
			if err != nil {
				t.Fatal(err)
			}
			if c.Services != 1 || c.Excluded != 1 || !near(c.AveragePct, 4) || c.SmaRTServices != 1 || !near(c.SmaRTPct, 4) {
				t.Errorf("corridor = %v", c)
			}
			if g, _ := a.GlobalAt(p); !near(g.Pct, 4) {
				t.Errorf("global = %+v", g)
			}
			got, err := Rank([]Quote{good, bad}, RankRequest{Corridor: good.Corridor, Amount: 100, Currency: "KES", Now: d})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].Provider != "Good" || !got[0].Complete || got[1].Complete || got[1].TotalCostPct != nil {
				t.Errorf("rank = %+v", got)
			}
		})
	}
}

func TestStaleOlderOfDateAndQuotedAt(t *testing.T) {
	now := time.Date(2025, 8, 19, 12, 0, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
	for _, tc := range []struct {
		name     string
		date, at time.Time
		stale    bool
	}{
		{"dated 26 days ago, submitted today", now.Add(-26 * 24 * time.Hour), now, true},
		{"dated today, imported 26 days ago", now, now.Add(-26 * 24 * time.Hour), true},
		{"both recent", now.Add(-24 * time.Hour), now, false},
		{"only date, recent", now.Add(-time.Hour), time.Time{}, false},
		{"only quotedAt, old", time.Time{}, now.Add(-8 * 24 * time.Hour), true},
	} {
		q := Quote{Date: tc.date, QuotedAt: tc.at}
		if got := q.Stale(now, week); got != tc.stale {
			t.Errorf("%s: Stale = %v, want %v", tc.name, got, tc.stale)
		}
	}
}

// Services paying out in different currencies are ranked by the value
// received in the sending currency at the interbank rate.
func TestRankAcrossReceiveCurrencies(t *testing.T) {
	p := NewPeriod(2025, 3)
	d := time.Date(2025, 8, 19, 0, 0, 0, 0, time.UTC)
	c := Corridor{"KEN", "UGA"}
	mk := func(firm, cur string, fee, rate, inter float64) Quote {
		return Quote{Corridor: c, Period: p, Date: d, QuotedAt: d, Firm: firm, Amount: 20000, SendCurrency: "KES", Fee: fee,
			Rate: rate, InterbankRate: inter, ReceiveCurrency: cur, Speed: SpeedHour, Transparent: true}
	}
	qs := []Quote{
		mk("UGX service", "UGX", 500, 24.35, 28.4),     // (19500 × 24.35) = 474,825 UGX ≈ 16,719 KES (margin 14 %)
		mk("USD service", "USD", 200, 0.0071, 0.00775), // 137.03 USD ≈ 17,681 KES
	}
	got, err := Rank(qs, RankRequest{Corridor: c, Amount: 20000, Currency: "KES", Now: d})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Provider != "USD service" || got[1].Provider != "UGX service" {
		t.Fatalf("order %s, %s; want the USD service first", got[0].Provider, got[1].Provider)
	}
	if !near(*got[0].AmountReceived, 19800*0.0071) || got[0].ReceiveCurrency != "USD" || !near(*got[0].ValueReceived, 19800*0.0071/0.00775) {
		t.Errorf("USD service = %+v", got[0])
	}
}

func TestRankFeeExceedsAmount(t *testing.T) {
	p := NewPeriod(2025, 3)
	d := time.Date(2025, 8, 19, 0, 0, 0, 0, time.UTC)
	c := Corridor{"KEN", "UGA"}
	q := Quote{Corridor: c, Period: p, Date: d, QuotedAt: d, Firm: "F", Amount: 1000, SendCurrency: "KES", Fee: 300,
		Rate: 9.8, InterbankRate: 10, Speed: SpeedHour, Transparent: true}
	for _, tc := range []struct {
		amount   float64
		complete bool
		reason   string
	}{
		{1000, true, ""},
		{301, true, ""},
		{300, false, ReasonFeeExceedsAmount},
		{100, false, ReasonFeeExceedsAmount},
	} {
		got, err := Rank([]Quote{q}, RankRequest{Corridor: c, Amount: tc.amount, Currency: "KES", Now: d})
		if err != nil {
			t.Fatal(err)
		}
		r := got[0]
		if r.Complete != tc.complete || r.Reason != tc.reason || (r.AmountReceived != nil && *r.AmountReceived <= 0) {
			t.Errorf("amount %g: complete %v reason %q received %v", tc.amount, r.Complete, r.Reason, r.AmountReceived)
		}
	}
}
