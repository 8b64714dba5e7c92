package store_test

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/remit"
	"github.com/corridor-platform/corridor/internal/remit/rpwfile"
	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

var q3 = remit.NewPeriod(2025, 3)

// remitQuote is a transparent USD 200 basket quote of 200 GBP with an
// interbank rate of 100, so that fee % = fee ÷ 2 and margin % = 100 − rate.
func remitQuote(from, to, firm string, fee, rate float64, speed remit.Speed, pickup string) remit.Quote {
	d := time.Date(2025, 8, 19, 0, 0, 0, 0, time.UTC)
	return remit.Quote{Corridor: remit.Corridor{From: from, To: to}, Period: q3, Date: d, QuotedAt: d, Firm: firm,
		FirmType: remit.FirmMTO, Amount: 200, SendCurrency: "GBP", Fee: fee, Rate: rate, InterbankRate: 100, ReceiveCurrency: "KES",
		BasketUSD: 200, Speed: speed, PaymentInstrument: "Cash", AccessPoint: "Branch", PickupMethod: pickup, Transparent: true}
}

// remitFixture: GBR→KEN has six services in 2025Q3, DEU→KEN one; a USD
// 500 quote that no average may count.
//
//	A  fee 10, rate 99   → 5 + 1   = 6    SmaRT-eligible
//	B  fee 4,  rate 98   → 2 + 2   = 4    eligible
//	C  fee 2,  rate 96   → 1 + 4   = 5    6 days or more: not eligible
//	D  fee 6,  rate 99.5 → 3 + 0.5 = 3.5  own/partner account: not accessible
//	E  non-transparent               excluded from every average
//	F  fee 8,  rate 97   → 4 + 3   = 7    eligible
//
// GBR→KEN average = (6 + 4 + 5 + 3.5 + 7) ÷ 5 = 5.1; SmaRT = (4 + 6 + 7) ÷ 3
// = 5.6667. DEU→KEN: fee 2, rate 99 → 2. Global, Africa (KEN's region)
// and KEN = (25.5 + 2) ÷ 6 = 4.5833; sending GBR 5.1, DEU 2.
func remitFixture() []remit.Quote {
	e := remitQuote("GBR", "KEN", "E", 1, 0, remit.SpeedHour, "Cash")
	e.Transparent = false
	big := remitQuote("GBR", "KEN", "A", 50, 90, remit.SpeedHour, "Cash")
	big.Amount, big.BasketUSD = 500, 500
	return []remit.Quote{
		remitQuote("GBR", "KEN", "A", 10, 99, remit.SpeedHour, "Cash"),
		remitQuote("GBR", "KEN", "B", 4, 98, remit.SpeedNextDay, "Cash"),
		remitQuote("GBR", "KEN", "C", 2, 96, remit.Speed6Plus, "Cash"),
		remitQuote("GBR", "KEN", "D", 6, 99.5, remit.SpeedHour, "Own/partner Bank account"),
		e,
		remitQuote("GBR", "KEN", "F", 8, 97, remit.Speed2Days, "Mobile wallet"),
		remitQuote("DEU", "KEN", "G", 2, 99, remit.SpeedHour, "Cash"),
		big,
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b)) }

func loadRemitFixture(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := store.ReplaceRemitQuotes(ctx, tx, store.RemitSource{Source: "import:fixture.csv", Layout: "test"}, remitFixture(), false); err != nil {
			return err
		}
		return store.ReplaceRemitCorridorAverages(ctx, tx, store.RemitSource{Source: "import:databank.csv", Layout: "test"},
			[]rpwfile.CorridorValue{
				{Corridor: remit.Corridor{From: "GBR", To: "KEN"}, Period: remit.NewPeriod(2020, 3), Pct: 7.25, Series: "ATCR.CORR"},
				{Corridor: remit.Corridor{From: "GBR", To: "KEN"}, Period: q3, Pct: 9.99, Series: "ATCR.CORR"}, // quotes win
				{Corridor: remit.Corridor{From: "DEU", To: "KEN"}, Period: remit.NewPeriod(2020, 3), Pct: 4.75, Series: "ATCR.CORR"},
			})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRemitAggregatesHandComputed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		load(t, db, sampleReference())
		loadRemitFixture(t, db)

		series, err := db.RemitCorridorSeries(ctx, remit.Corridor{From: "GBR", To: "KEN"})
		if err != nil {
			t.Fatal(err)
		}
		if len(series) != 2 {
			t.Fatalf("series = %+v", series)
		}
		pub, cur := series[0], series[1]
		if pub.Period != remit.NewPeriod(2020, 3) || pub.AverageTotalCostPct != 7.25 || pub.Source != "import:databank.csv" || pub.Services != nil {
			t.Errorf("2020Q3 = %+v, want the published 7.25", pub)
		}
		if cur.Period != q3 || !near(cur.AverageTotalCostPct, 5.1) || cur.Services == nil || *cur.Services != 5 ||
			cur.SmaRTPct == nil || !near(*cur.SmaRTPct, 17.0/3) || cur.Source != store.RemitSourceQuotes {
			t.Errorf("2025Q3 = %+v (smart %v), want average 5.1 over 5, SmaRT 5.6667", cur, cur.SmaRTPct)
		}

		want := map[string]map[string]float64{
			store.RemitGroupGlobal:    {"WLD": 27.5 / 6},
			store.RemitGroupRegion:    {"002": 27.5 / 6},
			store.RemitGroupSending:   {"GBR": 5.1, "DEU": 2},
			store.RemitGroupReceiving: {"KEN": 27.5 / 6},
		}
		for group, w := range want {
			got, err := db.RemitAverages(ctx, q3, group)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(w) {
				t.Errorf("%s: %+v", group, got)
			}
			for _, g := range got {
				if !near(g.AverageTotalCostPct, w[g.Group]) || g.Method != store.RemitMethodServices {
					t.Errorf("%s %s = %g (%s), want %g", group, g.Group, g.AverageTotalCostPct, g.Method, w[g.Group])
				}
			}
		}
		reg, _ := db.RemitAverages(ctx, q3, store.RemitGroupRegion)
		if len(reg) != 1 || reg[0].Name != "Africa" {
			t.Errorf("region = %+v", reg)
		}
		glob, _ := db.RemitAverages(ctx, q3, store.RemitGroupGlobal)
		if glob[0].SDG == nil || glob[0].SDG.Met || glob[0].Services != 6 {
			t.Errorf("global = %+v", glob[0])
		}
		// A quarter without quotes: the mean of the published corridor
		// averages, said so.
		old, err := db.RemitAverages(ctx, remit.NewPeriod(2020, 3), store.RemitGroupGlobal)
		if err != nil || len(old) != 1 || !near(old[0].AverageTotalCostPct, 6) || old[0].Corridors != 2 || old[0].Method != store.RemitMethodCorridors {
			t.Errorf("2020Q3 global = %+v, %v", old, err)
		}
		if _, err := db.RemitAverages(ctx, remit.NewPeriod(2001, 1), store.RemitGroupGlobal); !errors.Is(err, derrors.NotFound) {
			t.Errorf("empty quarter: %v", err)
		}
		if _, err := db.RemitAverages(ctx, q3, "continent"); !errors.Is(err, derrors.Invalid) {
			t.Errorf("bad group: %v", err)
		}
		if _, err := db.RemitCorridorSeries(ctx, remit.Corridor{From: "FRA", To: "SEN"}); !errors.Is(err, derrors.NotFound) {
			t.Errorf("unknown corridor: %v", err)
		}
		// The cache serves the same object until the data change.
		a1, _ := db.RemitAggregates(ctx)
		a2, _ := db.RemitAggregates(ctx)
		if a1 != a2 {
			t.Error("aggregates recomputed without a change")
		}
	})
}

func TestRemitServicesLatestPerService(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		older := remitQuote("GBR", "KEN", "A", 20, 90, remit.SpeedHour, "Cash")
		older.QuotedAt = older.QuotedAt.Add(-48 * time.Hour)
		quotes := append(remitFixture(), older)
		err := db.InTx(ctx, func(tx *store.Tx) error {
			return store.ReplaceRemitQuotes(ctx, tx, store.RemitSource{Source: "import:fixture.csv", Layout: "test"}, quotes, false)
		})
		if err != nil {
			t.Fatal(err)
		}
		list, err := db.RemitServices(ctx, remit.Corridor{From: "GBR", To: "KEN"}, "GBP")
		if err != nil {
			t.Fatal(err)
		}
		// A at 200 and 500, B, C, D, E, F: the older A quote is not offered.
		if len(list) != 7 {
			t.Fatalf("%d services: %+v", len(list), list)
		}
		for _, q := range list {
			if q.Firm == "A" && q.Amount == 200 && q.Fee != 10 {
				t.Errorf("A at 200 is the older quote: %+v", q)
			}
		}
		if l, _ := db.RemitServices(ctx, remit.Corridor{From: "GBR", To: "KEN"}, "EUR"); len(l) != 0 {
			t.Errorf("EUR: %d quotes", len(l))
		}
	})
}

func TestSubmitQuote(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		var org auth.Org
		if err := db.InTx(ctx, func(tx *store.Tx) (err error) {
			org, err = db.Accounts().CreateOrg(ctx, tx, auth.Org{Name: "Acme Remit", Kind: "other", Country: "GBR"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		src := "submitted:" + strconv.FormatInt(org.ID, 10)
		provider := auth.NewPrincipal(7, "provider", org.ID, nil, []auth.Role{{Name: auth.RoleRemittanceProvider,
			Permissions: []auth.Permission{{Resource: "remittances", Action: auth.Create, Scope: auth.ScopeOrg}}}}, nil)
		reader := auth.NewPrincipal(8, "reader", org.ID, nil, []auth.Role{{Name: "viewer",
			Permissions: []auth.Permission{{Resource: "remittances", Action: auth.Read, Scope: auth.ScopeAll}}}}, nil)
		good := remitQuote("GBR", "KEN", "Acme Remit", 3, 98.5, remit.SpeedHour, "Mobile wallet")
		good.Date = time.Now().UTC().Add(-time.Hour)
		good.Period = remit.PeriodOf(good.Date)
		good.QuotedAt = time.Time{}

		ref := sampleReference() // GBR is not in it: add it
		ref.Areas = append(ref.Areas, geo.Area{Code: "GBR", Kind: geo.KindCountry, Name: "United Kingdom", ISO2: "GB", ISO3: "GBR", M49: "826"})
		load(t, db, ref)
		// An RPW survey quote gives the reference interbank rate (100).
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			return store.ReplaceRemitQuotes(ctx, tx, store.RemitSource{Source: "import:rpw.csv", Layout: "test"},
				[]remit.Quote{remitQuote("GBR", "KEN", "Other Firm", 3, 98, remit.SpeedHour, "Cash")}, false)
		}); err != nil {
			t.Fatal(err)
		}
		v0, _ := db.RemitVersion(ctx)
		sq, err := db.SubmitQuote(ctx, provider, good, remit.DefaultRules())
		if err != nil {
			t.Fatal(err)
		}
		if sq.ID == 0 || sq.Source != src || sq.QuotedAt.IsZero() || sq.SubmittedBy != 7 {
			t.Errorf("submitted = %+v", sq)
		}
		v1, _ := db.RemitVersion(ctx)
		if v1 == v0 {
			t.Error("version not bumped")
		}
		stored, _ := db.RemitQuotesOf(ctx, src)
		if len(stored) != 1 || stored[0].Fee != 3 || stored[0].QuotedAt.IsZero() {
			t.Fatalf("stored = %+v", stored)
		}
		es, err := db.Audit().List(ctx, audit.Filter{Resource: "remittances", Limit: 10})
		if err != nil || len(es) != 1 || es[0].ActorID != 7 || es[0].Action != audit.ActionCreate {
			t.Errorf("audit = %+v, %v", es, err)
		}

		// Refused input changes nothing.
		for name, tc := range map[string]struct {
			p     *auth.Principal
			q     func(q *remit.Quote)
			field string
			kind  error
		}{
			"bad currency":           {provider, func(q *remit.Quote) { q.SendCurrency = "XXQ" }, "sendCurrency", derrors.Invalid},
			"negative amount":        {provider, func(q *remit.Quote) { q.Amount = -5 }, "amount", derrors.Invalid},
			"inverted rate":          {provider, func(q *remit.Quote) { q.Rate = 0.01 }, "rate", derrors.Invalid},
			"another firm":           {provider, func(q *remit.Quote) { q.Firm = "Western Union" }, "firm", derrors.Invalid},
			"unknown country":        {provider, func(q *remit.Quote) { q.To = "XXX" }, "to", derrors.Invalid},
			"interbank far from RPW": {provider, func(q *remit.Quote) { q.InterbankRate, q.Rate = 120, 118 }, "interbankRate", derrors.Invalid},
			"no permission":          {reader, func(*remit.Quote) {}, "", derrors.Forbidden},
			"signed out":             {nil, func(*remit.Quote) {}, "", derrors.Forbidden},
		} {
			q := good
			tc.q(&q)
			_, err := db.SubmitQuote(ctx, tc.p, q, remit.DefaultRules())
			if !errors.Is(err, tc.kind) {
				t.Errorf("%s: %v, want %v", name, err, tc.kind)
				continue
			}
			var fes remit.FieldErrors
			if tc.field != "" && (!errors.As(err, &fes) || fes[0].Field != tc.field) {
				t.Errorf("%s: %v, want the field %s named", name, err, tc.field)
			}
		}
		// An empty firm takes the organisation's name.
		noFirm := good
		noFirm.Firm = ""
		if sq, err := db.SubmitQuote(ctx, provider, noFirm, remit.DefaultRules()); err != nil || sq.Firm != "Acme Remit" {
			t.Errorf("empty firm: %+v, %v", sq, err)
		}
		v1, _ = db.RemitVersion(ctx)
		stored, _ = db.RemitQuotesOf(ctx, src)
		if len(stored) != 2 || stored[0].Source != src {
			t.Fatalf("stored = %+v", stored)
		}
		stored = stored[:1]
		es = es[:0]
		es, _ = db.Audit().List(ctx, audit.Filter{Resource: "remittances", Limit: 10})
		nAudit := len(es)

		v2, _ := db.RemitVersion(ctx)
		stored, _ = db.RemitQuotesOf(ctx, src)
		es, _ = db.Audit().List(ctx, audit.Filter{Resource: "remittances", Limit: 10})
		if v2 != v1 || len(stored) != 2 || len(es) != nAudit {
			t.Errorf("refused input changed data: version %d→%d, %d quotes, %d audit entries", v1, v2, len(stored), len(es))
		}
	})
}

// A refused import leaves the source as it was.
func TestReplaceRemitQuotesRefusedLeavesData(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		loadRemitFixture(t, db)
		v0, _ := db.RemitVersion(ctx)
		bad := remitFixture()
		bad[3].Period = 0
		err := db.InTx(ctx, func(tx *store.Tx) error {
			return store.ReplaceRemitQuotes(ctx, tx, store.RemitSource{Source: "import:fixture.csv", Layout: "test"}, bad, false)
		})
		if !errors.Is(err, derrors.Invalid) {
			t.Fatalf("bad quote: %v", err)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return store.ReplaceRemitQuotes(ctx, tx, store.RemitSource{Source: "fixture.csv"}, remitFixture(), false)
		})
		if !errors.Is(err, derrors.Invalid) {
			t.Fatalf("bad source: %v", err)
		}
		v1, _ := db.RemitVersion(ctx)
		got, _ := db.RemitQuotesOf(ctx, "import:fixture.csv")
		if v1 != v0 || len(got) != len(remitFixture()) {
			t.Errorf("version %d→%d, %d quotes", v0, v1, len(got))
		}
	})
}

// Fees paid: flow × average cost, with the flow of the latest year up to
// the quarter's (else the earliest later one).
func TestRemitFeesPaid(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		loadRemitFixture(t, db)
		if _, err := db.RemitFeesPaid(ctx, q3); !errors.Is(err, derrors.NotFound) {
			t.Fatalf("without flows: %v", err)
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			s := stats.Series{Code: store.RemitFlowSeries, Name: "flows", Unit: "US$", Source: "test", Licence: "CC0", Citation: "test", Bilateral: true}
			if err := store.ReplaceSeries(ctx, tx, "remittance-flows", []stats.Series{s}); err != nil {
				return err
			}
			w := store.NewObservationWriter(ctx, tx)
			for _, o := range []stats.Observation{
				{Area: "KEN", Counterpart: "GBR", Period: "2017", Value: 5e8},
				{Area: "KEN", Counterpart: "GBR", Period: "2021", Value: 1e9},
				{Area: "KEN", Counterpart: "DEU", Period: "2021", Value: 2e8},
				{Area: "KEN", Counterpart: "USA", Period: "2021", Value: 3e9}, // no cost: left out
			} {
				o.Series, o.Sex, o.Status = store.RemitFlowSeries, stats.SexTotal, stats.Estimated
				if err := w.Add(o); err != nil {
					return err
				}
			}
			_, err := w.Close()
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		f, err := db.RemitFeesPaid(ctx, q3)
		if err != nil {
			t.Fatal(err)
		}
		// GBR→KEN 5.1 % of 1e9 (2021), 2.1 points above 3 %; DEU→KEN 2 % of 2e8.
		if len(f.Corridors) != 2 || f.Corridors[0].From != "GBR" || f.Corridors[0].FlowYear != "2021" ||
			!near(f.Corridors[0].FeesUSD, 5.1e7) || !near(f.Corridors[0].AboveTargetUSD, 2.1e7) ||
			!near(f.Corridors[1].FeesUSD, 4e6) || f.Corridors[1].AboveTargetUSD != 0 ||
			!near(f.TotalFeesUSD, 5.5e7) || !near(f.Weighted.Pct, 5.5e9/1.2e9) || f.Weighted.Corridors != 2 {
			t.Errorf("fees 2025Q3 = %+v", f)
		}
		// 2020Q3: the published averages; GBR→KEN takes 2017, DEU→KEN
		// (no flow up to 2020) 2021.
		f, err = db.RemitFeesPaid(ctx, remit.NewPeriod(2020, 3))
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Corridors) != 2 || f.Corridors[0].FlowYear != "2017" || !near(f.Corridors[0].FeesUSD, 5e8*7.25/100) ||
			f.Corridors[1].FlowYear != "2021" || f.Corridors[0].CostSource != "import:databank.csv" {
			t.Errorf("fees 2020Q3 = %+v", f)
		}
	})
}

// The same RPW data imported under another file name replaces the earlier
// source's quotes of the same corridor, period, firm, amount and currency.
func TestRPWCrossSourceDuplicates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		imp := func(src string, quotes []remit.Quote) int64 {
			var n int64
			if err := db.InTx(ctx, func(tx *store.Tx) (err error) {
				n, err = store.ReplaceRPWQuotes(ctx, tx, store.RemitSource{Source: src, Layout: "test"}, quotes, false)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := imp("import:a.csv", remitFixture()); n != 0 {
			t.Errorf("first import replaced %d", n)
		}
		// The same data, one firm spelled differently, plus a quote only a.csv has.
		again := remitFixture()
		again[0].Firm = " a "
		if n := imp("import:b.csv", again[:7]); n != 7 {
			t.Errorf("second import replaced %d, want 7", n)
		}
		a, _ := db.RemitQuotesOf(ctx, "import:a.csv")
		b, _ := db.RemitQuotesOf(ctx, "import:b.csv")
		if len(a) != 1 || a[0].Amount != 500 || len(b) != 7 {
			t.Errorf("a.csv keeps %d quotes, b.csv has %d", len(a), len(b))
		}
		agg, err := db.RemitAggregates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := agg.Corridor(remit.Corridor{From: "GBR", To: "KEN"}, q3); c.Services != 5 || math.Abs(c.AveragePct-5.1) > 1e-9 {
			t.Errorf("GBR→KEN after a re-import under another name: %v", c)
		}
	})
}

// The UK corridor aggregates are served as published values of the
// corridor series (ISO alpha-2 destinations coded to alpha-3, marked with
// their source; quotes win their quarter); group averages state their
// coverage; the WDI average costs are read back, latest year first.
func TestRemitUKCorridorsCoverageWDI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		loadRemitFixture(t, db)
		uk := func(code string, p remit.Period, pct float64) rpwfile.UKCorridor {
			return rpwfile.UKCorridor{SourceCountry: "United Kingdom", DestinationCode: code, DestinationCountry: code, Period: p,
				BasketUSD: 200, AverageTotalCostPct: pct}
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := store.ReplaceRemitUKCorridors(ctx, tx, store.RemitSource{Source: "import:official-corridors.csv", Layout: "uk"},
				[]rpwfile.UKCorridor{uk("KE", q3, 3.43), uk("KE", remit.NewPeriod(2024, 3), 3.5), uk("UG", q3, 6.1), uk("XX", q3, 1)}); err != nil {
				return err
			}
			return store.ReplaceRemitWDICosts(ctx, tx, store.RemitSource{Source: "import:wdi.csv", Layout: "wdi"}, []rpwfile.WDIValue{
				{CountryCode: "GBR", CountryName: "United Kingdom", Indicator: store.RemitWDIFrom, Year: 2019, Pct: 7},
				{CountryCode: "GBR", CountryName: "United Kingdom", Indicator: store.RemitWDIFrom, Year: 2020, Pct: 6.5},
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		series, err := db.RemitCorridorSeries(ctx, remit.Corridor{From: "GBR", To: "KEN"})
		if err != nil || len(series) != 3 {
			t.Fatalf("series = %+v, %v", series, err)
		}
		if s := series[1]; s.Period != remit.NewPeriod(2024, 3) || s.AverageTotalCostPct != 3.5 || s.Source != "import:official-corridors.csv" || s.Services != nil {
			t.Errorf("2024Q3 = %+v, want the UK file's 3.5", s)
		}
		if s := series[2]; s.Source != store.RemitSourceQuotes {
			t.Errorf("2025Q3 = %+v, want the quotes' average", s)
		}
		ug, err := db.RemitCorridorSeries(ctx, remit.Corridor{From: "GBR", To: "UGA"})
		if err != nil || len(ug) != 1 || ug[0].AverageTotalCostPct != 6.1 {
			t.Errorf("GBR-UGA = %+v, %v", ug, err)
		}
		// 2020Q3: DataBank's (here two) corridors are the survey.
		old, err := db.RemitAverages(ctx, remit.NewPeriod(2020, 3), store.RemitGroupGlobal)
		if err != nil || len(old) != 1 || old[0].Partial || old[0].Corridors != 2 || old[0].SurveyCorridors != 2 {
			t.Errorf("2020Q3 global = %+v, %v", old, err)
		}
		glob, err := db.RemitAverages(ctx, q3, store.RemitGroupGlobal)
		if err != nil || len(glob) != 1 {
			t.Fatal(glob, err)
		}
		// The fixture's DataBank has one corridor in 2025Q3: that is the
		// survey the two corridors with quotes are compared with.
		if g := glob[0]; g.Services != 6 || g.Corridors != 2 || g.Partial || g.SurveyCorridors != 1 ||
			!strings.Contains(g.Coverage, "6 services on 2 corridors") {
			t.Errorf("2025Q3 global = %+v", g)
		}
		// Without DataBank's 2025Q3 value, RPW's survey size is the
		// reference: two corridors are partial.
		err = db.InTx(ctx, func(tx *store.Tx) error { return store.DeleteRemitSource(ctx, tx, "import:databank.csv") })
		if err != nil {
			t.Fatal(err)
		}
		glob, err = db.RemitAverages(ctx, q3, store.RemitGroupGlobal)
		if err != nil || len(glob) != 1 {
			t.Fatal(glob, err)
		}
		if g := glob[0]; g.Corridors != 2 || !g.Partial || g.SurveyCorridors != store.RemitSurveyCorridors ||
			!strings.Contains(g.Coverage, "covers only those corridors") {
			t.Errorf("2025Q3 global without DataBank = %+v", g)
		}
		wc, ok, err := db.RemitWDILatest(ctx, store.RemitWDIFrom, "GBR")
		if err != nil || !ok || wc.Year != 2020 || wc.Pct != 6.5 || wc.Source != "import:wdi.csv" {
			t.Errorf("WDI GBR = %+v %v %v", wc, ok, err)
		}
		if _, ok, err := db.RemitWDILatest(ctx, store.RemitWDITo, "GBR"); ok || err != nil {
			t.Errorf("WDI to GBR: %v %v", ok, err)
		}
	})
}
