package remit

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestQuoteComputations(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		q                         Quote
		fee, margin, total, recv  float64
		marginOK, totalOK, recvOK bool
	}{
		// The first row of the East Africa excerpt (KEN→UGA Western Union,
		// USD 200 tier): the file says margin 4.65, total 5.8.
		{name: "rpw KEN-UGA WU", q: Quote{Amount: 18000, Fee: 207, Rate: 26.31, InterbankRate: 27.5928792569659, Transparent: true},
			fee: 1.15, margin: (27.5928792569659 - 26.31) / 27.5928792569659 * 100, total: 1.15 + (27.5928792569659-26.31)/27.5928792569659*100,
			recv: (18000 - 207) * 26.31, marginOK: true, totalOK: true, recvOK: true},
		{name: "hand", q: Quote{Amount: 200, Fee: 10, Rate: 9.5, InterbankRate: 10, Transparent: true},
			fee: 5, margin: 5, total: 10, recv: 1805, marginOK: true, totalOK: true, recvOK: true},
		{name: "negative margin", q: Quote{Amount: 100, Fee: 0, Rate: 10.1, InterbankRate: 10, Transparent: true},
			fee: 0, margin: -1, total: -1, recv: 1010, marginOK: true, totalOK: true, recvOK: true},
		{name: "non-transparent", q: Quote{Amount: 100, Fee: 3, Rate: 9, InterbankRate: 10},
			fee: 3, recv: 873, recvOK: true},
		{name: "no rate", q: Quote{Amount: 100, Fee: 3, InterbankRate: 10, Transparent: true}, fee: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.q.FeePct(); !near(got, tc.fee) {
				t.Errorf("FeePct = %v, want %v", got, tc.fee)
			}
			m, ok := tc.q.FXMarginPct()
			if ok != tc.marginOK || !near(m, tc.margin) {
				t.Errorf("FXMarginPct = %v, %v; want %v, %v", m, ok, tc.margin, tc.marginOK)
			}
			tot, ok := tc.q.TotalCostPct()
			if ok != tc.totalOK || !near(tot, tc.total) {
				t.Errorf("TotalCostPct = %v, %v; want %v, %v", tot, ok, tc.total, tc.totalOK)
			}
			r, ok := tc.q.AmountReceived()
			if ok != tc.recvOK || !near(r, tc.recv) {
				t.Errorf("AmountReceived = %v, %v; want %v, %v", r, ok, tc.recv, tc.recvOK)
			}
		})
	}
	// The file's own rounded figures for that row.
	q := Quote{Amount: 18000, Fee: 207, Rate: 26.31, InterbankRate: 27.5928792569659, Transparent: true}
	m, _ := q.FXMarginPct()
	tot, _ := q.TotalCostPct()
	if math.Round(m*100)/100 != 4.65 || math.Round(tot*100)/100 != 5.8 {
		t.Errorf("KEN-UGA WU: margin %.4f total %.4f, file says 4.65 and 5.8", m, tot)
	}
}

func TestParsePeriod(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"2025Q3", "2025Q3", true},
		{"2025_3Q", "2025Q3", true},
		{"2011Q1 [YR2011Q1]", "2011Q1", true},
		{"Q3 2025", "2025Q3", true},
		{"2016q2", "2016Q2", true},
		{"2025Q5", "", false},
		{"2025", "", false},
		{"", "", false},
		{"20x5Q1", "", false},
	} {
		p, err := ParsePeriod(tc.in)
		if (err == nil) != tc.ok || p.String() != tc.want {
			t.Errorf("ParsePeriod(%q) = %q, %v; want %q ok=%v", tc.in, p, err, tc.want, tc.ok)
		}
		if err != nil && (!errors.Is(err, derrors.Invalid) || !strings.HasPrefix(err.Error(), "period:")) {
			t.Errorf("ParsePeriod(%q) error %v should be Invalid naming the period", tc.in, err)
		}
	}
	p := NewPeriod(2025, 3)
	if p.Year() != 2025 || p.Quarter() != 3 || p.Next().String() != "2025Q4" || NewPeriod(2025, 4).Next().String() != "2026Q1" {
		t.Errorf("period arithmetic wrong")
	}
	if PeriodOf(time.Date(2025, 8, 19, 0, 0, 0, 0, time.UTC)) != p || !p.Start().Equal(time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("PeriodOf/Start wrong")
	}
	b, _ := json.Marshal(struct{ P Period }{p})
	if string(b) != `{"P":"2025Q3"}` {
		t.Errorf("json %s", b)
	}
}

func TestParseFirmTypeAndSpeed(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want FirmType
		ok   bool
	}{
		{"Bank", FirmBank, true},
		{"Money Transfer Operator", FirmMTO, true},
		{"money transfer  operator", FirmMTO, true},
		{"MTO", FirmMTO, true},
		{"Mobile Operator", FirmMobile, true},
		{"Post Office", FirmPost, true},
		{"Other", FirmOther, true},
		{"Non-Bank Financial Institution", FirmOther, true},
		{"Bakery", FirmOther, false},
	} {
		got, ok := ParseFirmType(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseFirmType(%q) = %v, %v", tc.in, got, ok)
		}
	}
	for _, tc := range []struct {
		in     string
		want   Speed
		within bool // within 5 days
	}{
		{"Less than one hour", SpeedHour, true},
		{"Same day", SpeedSameDay, true},
		{"Next day", SpeedNextDay, true},
		{"2 days", Speed2Days, true},
		{"3-5 days", Speed3to5Days, true},
		{"6 days or more", Speed6Plus, false},
		{"", SpeedUnknown, false},
	} {
		got, ok := ParseSpeed(tc.in)
		if !ok || got != tc.want || got.WithinDays(5) != tc.within {
			t.Errorf("ParseSpeed(%q) = %v, %v (within 5 days %v)", tc.in, got, ok, got.WithinDays(5))
		}
	}
}

func goodQuote(now time.Time) Quote {
	return Quote{
		Corridor: Corridor{From: "GBR", To: "KEN"}, Period: PeriodOf(now), Date: now, QuotedAt: now,
		Firm: "Example Remit", FirmType: FirmMTO, Amount: 200, SendCurrency: "GBP", Fee: 3,
		Rate: 160, InterbankRate: 164, ReceiveCurrency: "KES", Speed: SpeedHour, Transparent: true,
	}
}

func TestValidate(t *testing.T) {
	now := time.Date(2025, 8, 19, 12, 0, 0, 0, time.UTC)
	rules := DefaultRules()
	if err := Validate(ptr(goodQuote(now)), rules, now); err != nil {
		t.Fatalf("good quote rejected: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*Quote)
		field  string
	}{
		{"from", func(q *Quote) { q.From = "gb" }, "from"},
		{"same country", func(q *Quote) { q.To = "GBR" }, "to"},
		{"period format", func(q *Quote) { q.Period = 0 }, "period"},
		{"period vs date", func(q *Quote) { q.Period = NewPeriod(2025, 2) }, "period"},
		{"future", func(q *Quote) { q.Date = now.Add(48 * time.Hour); q.Period = PeriodOf(q.Date) }, "date"},
		{"currency", func(q *Quote) { q.SendCurrency = "GPB" }, "sendCurrency"},
		{"metal", func(q *Quote) { q.ReceiveCurrency = "XAU" }, "receiveCurrency"},
		{"withdrawn", func(q *Quote) { q.ReceiveCurrency = "ZMK" }, "receiveCurrency"},
		{"amount", func(q *Quote) { q.Amount = 0 }, "amount"},
		{"amount negative", func(q *Quote) { q.Amount = -5 }, "amount"},
		{"fee negative", func(q *Quote) { q.Fee = -1 }, "fee"},
		{"fee ≥ amount", func(q *Quote) { q.Fee = 200 }, "fee"},
		{"inverted rate", func(q *Quote) { q.Rate = 1.0 / 160 }, "rate"},
		{"rate too good", func(q *Quote) { q.Rate = 180 }, "rate"},
		{"interbank", func(q *Quote) { q.InterbankRate = 0 }, "interbankRate"},
		{"speed", func(q *Quote) { q.Speed = SpeedUnknown }, "speed"},
		{"firm", func(q *Quote) { q.Firm = " " }, "firm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := goodQuote(now)
			tc.change(&q)
			err := Validate(&q, rules, now)
			if !errors.Is(err, derrors.Invalid) {
				t.Fatalf("err = %v, want Invalid", err)
			}
			var fe FieldErrors
			if !errors.As(err, &fe) || fe[0].Field != tc.field {
				t.Errorf("err = %v, want first field %q", err, tc.field)
			}
			if !strings.Contains(derrors.Message(err), tc.field+":") {
				t.Errorf("message %q does not name %s", derrors.Message(err), tc.field)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestStale(t *testing.T) {
	now := time.Date(2025, 8, 19, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		q     Quote
		age   time.Duration
		stale bool
	}{
		{"fresh", Quote{QuotedAt: now.Add(-time.Hour)}, 24 * time.Hour, false},
		{"old", Quote{QuotedAt: now.Add(-25 * time.Hour)}, 24 * time.Hour, true},
		{"date used when no quotedAt", Quote{Date: now.Add(-48 * time.Hour)}, 24 * time.Hour, true},
		{"no time at all", Quote{}, 24 * time.Hour, true},
		{"no max age", Quote{}, 0, false},
	} {
		if got := tc.q.Stale(now, tc.age); got != tc.stale {
			t.Errorf("%s: Stale = %v", tc.name, got)
		}
	}
}

func TestAccessible(t *testing.T) {
	for _, tc := range []struct {
		pickup, access, coverage string
		want                     bool
	}{
		{"Cash", "", "", true},
		{"Bank account", "", "", true},
		{"Mobile wallet", "", "", true},
		{"Own/partner Bank account", "", "", false},
		{"Cash", "Own account", "", false},
		{"Cash", "", "Limited", false},
		{"Cash", "", "Nationwide", true},
	} {
		q := Quote{PickupMethod: tc.pickup, AccessPoint: tc.access, NetworkCoverage: tc.coverage}
		if got := Accessible(&q); got != tc.want {
			t.Errorf("Accessible(%q, %q, %q) = %v", tc.pickup, tc.access, tc.coverage, got)
		}
	}
}

// fixture: costs are chosen so the averages can be worked out by hand.
// Every quote sends 100 KES at an interbank rate of 10.
func fixture() []Quote {
	p := NewPeriod(2025, 3)
	d := time.Date(2025, 8, 19, 0, 0, 0, 0, time.UTC)
	mk := func(c Corridor, firm string, fee, rate float64, speed Speed, pickup string, transparent bool) Quote {
		return Quote{Corridor: c, Period: p, Date: d, QuotedAt: d, Firm: firm, FirmType: FirmMTO, Amount: 100, SendCurrency: "KES",
			Fee: fee, Rate: rate, InterbankRate: 10, BasketUSD: 200, Speed: speed, PickupMethod: pickup, Transparent: transparent}
	}
	ku := Corridor{From: "KEN", To: "UGA"}
	tk := Corridor{From: "TZA", To: "KEN"}
	qs := []Quote{
		mk(ku, "A", 2, 9.8, SpeedHour, "Cash", true),                     // 2 + 2 = 4, SmaRT
		mk(ku, "B", 5, 9.9, SpeedNextDay, "Bank account", true),          // 5 + 1 = 6, SmaRT
		mk(ku, "C", 1, 9.6, Speed6Plus, "Cash", true),                    // 1 + 4 = 5, too slow
		mk(ku, "D", 0, 9.7, SpeedHour, "Own/partner Bank account", true), // 0 + 3 = 3, not accessible
		mk(ku, "E", 3, 9.9, SpeedHour, "Cash", false),                    // non-transparent: excluded
		mk(ku, "F", 7, 9.9, Speed3to5Days, "Mobile wallet", true),        // 7 + 1 = 8, SmaRT
		mk(ku, "G", 2, 9.9, SpeedSameDay, "Cash", true),                  // 2 + 1 = 3, SmaRT
		mk(tk, "H", 1, 9.9, SpeedHour, "Cash", true),                     // 1 + 1 = 2, SmaRT
		mk(tk, "I", 2, 9.8, SpeedHour, "Cash", true),                     // 2 + 2 = 4, SmaRT
	}
	big := mk(ku, "A", 2.5, 9.8, SpeedHour, "Cash", true) // the USD 500 tier of A: not in the USD 200 averages
	big.Amount, big.BasketUSD = 250, 500
	qs = append(qs, big)
	q2 := mk(ku, "A", 10, 10, SpeedHour, "Cash", true) // 2025Q2: 10 + 0 = 10
	q2.Period = NewPeriod(2025, 2)
	q2.Date = time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	return append(qs, q2)
}

func TestAggregateFixture(t *testing.T) {
	for _, workers := range []int{1, 2} {
		a := Aggregate(fixture(), AggregateOptions{RegionOf: map[string]string{"UGA": "R1", "KEN": "R2"}, Workers: workers})
		p := NewPeriod(2025, 3)
		ku, err := a.Corridor(Corridor{"KEN", "UGA"}, p)
		if err != nil {
			t.Fatal(err)
		}
		// (4 + 6 + 5 + 3 + 8 + 3) / 6 = 29/6; SmaRT: 3, 4, 6 → 13/3.
		if !near(ku.AveragePct, 29.0/6) || ku.Services != 6 || ku.Excluded != 1 || !near(ku.SmaRTPct, 13.0/3) || ku.SmaRTServices != 3 {
			t.Errorf("KEN-UGA = %+v", ku)
		}
		tk, _ := a.Corridor(Corridor{"TZA", "KEN"}, p)
		if !near(tk.AveragePct, 3) || !near(tk.SmaRTPct, 3) || tk.SmaRTServices != 2 {
			t.Errorf("TZA-KEN = %+v", tk)
		}
		g, _ := a.GlobalAt(p)
		if !near(g.Pct, 35.0/8) || g.Services != 8 { // (29 + 6) / 8 services
			t.Errorf("global = %+v", g)
		}
		g2, _ := a.GlobalAt(NewPeriod(2025, 2))
		if !near(g2.Pct, 10) {
			t.Errorf("global 2025Q2 = %+v", g2)
		}
		if _, err := a.GlobalAt(NewPeriod(2020, 1)); !errors.Is(err, derrors.NotFound) {
			t.Errorf("missing period: %v", err)
		}
		if _, err := a.Corridor(Corridor{"USA", "MEX"}, p); !errors.Is(err, derrors.NotFound) {
			t.Errorf("missing corridor: %v", err)
		}
		want := map[string]float64{"R1": 29.0 / 6, "R2": 3}
		n := 0
		for _, r := range a.Regions {
			if r.Period == p {
				n++
				if !near(r.Pct, want[r.Group]) {
					t.Errorf("region %s = %v", r.Group, r.Pct)
				}
			}
		}
		if n != 2 {
			t.Errorf("regions %+v", a.Regions)
		}
		// Weighted: KEN-UGA weight 1, TZA-KEN weight 3 → (29/6 + 9) / 4 = 83/24.
		w, err := VolumeWeightedAverage(a.Corridors, p, map[Corridor]float64{{"KEN", "UGA"}: 1, {"TZA", "KEN"}: 3, {"USA", "MEX"}: 100})
		if err != nil || !near(w.Pct, 83.0/24) || w.Corridors != 2 || w.Weight != 4 {
			t.Errorf("weighted = %+v, %v", w, err)
		}
		if _, err := VolumeWeightedAverage(a.Corridors, p, nil); !errors.Is(err, derrors.NotFound) {
			t.Errorf("no weights: %v", err)
		}
		// USD 500 tier alone: only A's big quote, 2.5/250 = 1 % + 2 % = 3.
		b5 := Aggregate(fixture(), AggregateOptions{BasketUSD: 500, Workers: workers})
		if c, _ := b5.Corridor(Corridor{"KEN", "UGA"}, p); !near(c.AveragePct, 3) || c.Services != 1 {
			t.Errorf("USD 500 = %+v", c)
		}
	}
}

func TestSDGStatus(t *testing.T) {
	for _, tc := range []struct {
		v            float64
		global, corr bool
	}{{2.99, true, true}, {3, false, true}, {5, false, true}, {5.01, false, false}} {
		if g := GlobalSDGStatus(tc.v); g.Met != tc.global || !near(g.GapPct, tc.v-3) {
			t.Errorf("global %v: %+v", tc.v, g)
		}
		if c := CorridorSDGStatus(tc.v); c.Met != tc.corr {
			t.Errorf("corridor %v: %+v", tc.v, c)
		}
	}
}

func TestRank(t *testing.T) {
	qs := fixture()
	now := time.Date(2025, 8, 20, 0, 0, 0, 0, time.UTC)
	qs[3].QuotedAt = now.Add(-30 * 24 * time.Hour) // D: stale
	got, err := Rank(qs, RankRequest{Corridor: Corridor{"KEN", "UGA"}, Amount: 100, Currency: "KES", Now: now, MaxAge: 7 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// Received: G 98×9.9=970.2, A 98×9.8=960.4, C 99×9.6=950.4, B 95×9.9=940.5,
	// F 93×9.9=920.7; then D (stale, 970) and E (non-transparent).
	want := []string{"G", "A", "C", "B", "F", "D", "E"}
	var names []string
	for _, r := range got {
		names = append(names, r.Provider)
	}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("order %v, want %v", names, want)
	}
	if r := got[0]; !r.Complete || !near(*r.AmountReceived, 970.2) || !near(*r.TotalCostPct, 3) || !r.Exact {
		t.Errorf("first = %+v", r)
	}
	if r := got[5]; r.Complete || !r.Stale {
		t.Errorf("D should be flagged stale: %+v", r)
	}
	if r := got[6]; r.Complete || r.Transparent || r.TotalCostPct != nil || r.AmountReceived != nil {
		t.Errorf("E should be incomplete without cost: %+v", r)
	}
	// Another amount: A's nearest quote is the 250 one (fee 2.5).
	got, _ = Rank(qs, RankRequest{Corridor: Corridor{"KEN", "UGA"}, Amount: 240, Currency: "KES", Now: now})
	for _, r := range got {
		if r.Provider == "A" && (r.Exact || !near(*r.AmountReceived, (240-2.5)*9.8)) {
			t.Errorf("A at 240: %+v", r)
		}
	}
	for _, tc := range []struct {
		req   RankRequest
		field string
	}{
		{RankRequest{Corridor: Corridor{"KE", "UGA"}, Amount: 1, Currency: "KES"}, "from"},
		{RankRequest{Corridor: Corridor{"KEN", "UGA"}, Amount: 0, Currency: "KES"}, "amount"},
		{RankRequest{Corridor: Corridor{"KEN", "UGA"}, Amount: 1, Currency: "KSH"}, "currency"},
	} {
		_, err := Rank(qs, tc.req)
		if !errors.Is(err, derrors.Invalid) || !strings.HasPrefix(err.Error(), tc.field) {
			t.Errorf("%+v: %v", tc.req, err)
		}
	}
}

func TestGenerateQuotesDeterministic(t *testing.T) {
	a, b := GenerateQuotes(5000, 7), GenerateQuotes(5000, 7)
	if len(a) != 5000 {
		t.Fatalf("len %d", len(a))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("quote %d differs", i)
		}
	}
	var nonTransparent int
	for i := range a {
		if !a[i].Transparent {
			nonTransparent++
		}
	}
	if nonTransparent == 0 || nonTransparent > 1000 {
		t.Errorf("non-transparent %d of 5000", nonTransparent)
	}
}

// BenchmarkAggregate1M recomputes every corridor, regional, sending,
// receiving, global and SmaRT figure for every quarter over 1,000,000
// generated quotes:
//
//	go test -run '^$' -bench Aggregate1M -benchmem ./internal/remit/
func BenchmarkAggregate1M(b *testing.B) {
	qs := GenerateQuotes(1_000_000, 1)
	region := map[string]string{}
	for i, c := range strings.Fields(genReceivers) {
		region[c] = []string{"EAP", "ECA", "LAC", "MENA", "SA", "SSA"}[i%6]
	}
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			for b.Loop() {
				a := Aggregate(qs, AggregateOptions{RegionOf: region, Workers: w})
				if len(a.Corridors) == 0 {
					b.Fatal("nothing")
				}
			}
		})
	}
}

// TestMergeMatchesSinglePass: splitting the work (as Aggregate does on
// several cores) gives the same figures as one pass.
func TestMergeMatchesSinglePass(t *testing.T) {
	qs := append(GenerateQuotes(120_000, 3), fixture()...)
	one := Aggregate(qs, AggregateOptions{Workers: 1})
	two := Aggregate(qs, AggregateOptions{Workers: 2})
	a, b := NewAggregator(AggregateOptions{}), NewAggregator(AggregateOptions{})
	for i := range qs {
		if i%3 == 0 {
			a.Add(&qs[i])
		} else {
			b.Add(&qs[i])
		}
	}
	a.Merge(b)
	for _, got := range []*Aggregates{two, a.Result()} {
		if len(got.Corridors) != len(one.Corridors) || len(got.Global) != len(one.Global) {
			t.Fatalf("%d corridors vs %d", len(got.Corridors), len(one.Corridors))
		}
		for i, c := range got.Corridors {
			o := one.Corridors[i]
			if c.Corridor != o.Corridor || c.Period != o.Period || c.Services != o.Services || c.Excluded != o.Excluded ||
				c.SmaRTServices != o.SmaRTServices || math.Abs(c.AveragePct-o.AveragePct) > 1e-9 || math.Abs(c.SmaRTPct-o.SmaRTPct) > 1e-9 {
				t.Fatalf("corridor %d: %+v vs %+v", i, c, o)
			}
		}
		for i, g := range got.Global {
			if g.Services != one.Global[i].Services || math.Abs(g.Pct-one.Global[i].Pct) > 1e-9 {
				t.Fatalf("global %d differs", i)
			}
		}
	}
}
