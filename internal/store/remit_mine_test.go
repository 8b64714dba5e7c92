package store_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/remit"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// A provider lists its organisation's quotes, corrects one (a new quote
// superseding the old, whose prices stay) and withdraws one (out of the
// ranking and the averages from then on); another organisation's quotes
// are not found; every change is audited.
func TestOrgQuotesCorrectWithdraw(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openMigrated(t, e)
		var acme, other auth.Org
		if err := db.InTx(ctx, func(tx *store.Tx) (err error) {
			if acme, err = db.Accounts().CreateOrg(ctx, tx, auth.Org{Name: "Acme Remit", Kind: "other", Country: "GBR"}); err != nil {
				return err
			}
			other, err = db.Accounts().CreateOrg(ctx, tx, auth.Org{Name: "Other Remit", Kind: "other", Country: "GBR"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		role := []auth.Role{{Name: auth.RoleRemittanceProvider, Permissions: []auth.Permission{
			{Resource: "remittances", Action: auth.Create, Scope: auth.ScopeOrg}, {Resource: "remittances", Action: auth.Read, Scope: auth.ScopeOrg}}}}
		provider := auth.NewPrincipal(7, "provider", acme.ID, nil, role, nil)
		rival := auth.NewPrincipal(9, "rival", other.ID, nil, role, nil)
		reader := auth.NewPrincipal(8, "reader", acme.ID, nil, []auth.Role{{Name: "viewer",
			Permissions: []auth.Permission{{Resource: "remittances", Action: auth.Read, Scope: auth.ScopeAll}}}}, nil)

		seedRemitReference(t, db)
		q := remitQuote("GBR", "KEN", "Acme Remit", 4, 98, remit.SpeedHour, "Cash")
		q.Date = time.Now().UTC().Add(-time.Hour)
		q.Period, q.QuotedAt = remit.PeriodOf(q.Date), time.Time{}
		first, err := db.SubmitQuote(ctx, provider, q, remit.DefaultRules())
		if err != nil {
			t.Fatal(err)
		}
		second := q
		second.Amount, second.Fee, second.BasketUSD = 500, 6, 500
		kept, err := db.SubmitQuote(ctx, provider, second, remit.DefaultRules())
		if err != nil {
			t.Fatal(err)
		}
		rivalQ := q
		rivalQ.Firm = "Other Remit"
		if _, err := db.SubmitQuote(ctx, rival, rivalQ, remit.DefaultRules()); err != nil {
			t.Fatal(err)
		}
		services := func() map[string]float64 { // provider → fee of the 200 quote ranked
			t.Helper()
			list, err := db.RemitServices(ctx, remit.Corridor{From: "GBR", To: "KEN"}, "GBP")
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]float64{}
			for _, s := range list {
				if s.Amount == 200 {
					out[s.Firm] = s.Fee
				}
			}
			return out
		}
		avg := func() (float64, int) {
			t.Helper()
			a, err := db.RemitAggregates(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, cs := range a.Corridors {
				if cs.Corridor == (remit.Corridor{From: "GBR", To: "KEN"}) && cs.Period == q.Period {
					return cs.AveragePct, cs.Services
				}
			}
			return 0, 0
		}
		if s := services(); s["Acme Remit"] != 4 || s["Other Remit"] != 4 {
			t.Fatalf("services = %v", s)
		}

		// The list: this organisation's quotes only, newest first.
		mine, err := db.OrgQuotes(ctx, provider)
		if err != nil || len(mine) != 2 || mine[0].ID != kept.ID || mine[1].ID != first.ID || mine[0].Status != store.RemitStatusActive {
			t.Fatalf("OrgQuotes = %+v, %v", mine, err)
		}

		// Another organisation's quote is not found, for every operation.
		if _, err := db.WithdrawQuote(ctx, rival, first.ID); !errors.Is(err, derrors.NotFound) {
			t.Errorf("rival withdraws: %v, want NotFound", err)
		}
		if _, err := db.CorrectQuote(ctx, rival, first.ID, rivalQ, remit.DefaultRules()); !errors.Is(err, derrors.NotFound) {
			t.Errorf("rival corrects: %v, want NotFound", err)
		}
		if _, err := db.OrgQuotes(ctx, reader); !errors.Is(err, derrors.Forbidden) {
			t.Errorf("reader lists: %v, want Forbidden", err)
		}
		if _, err := db.WithdrawQuote(ctx, reader, first.ID); !errors.Is(err, derrors.Forbidden) {
			t.Errorf("reader withdraws: %v, want Forbidden", err)
		}

		// A correction: a new quote; the old keeps its prices, superseded.
		fix := q
		fix.Fee = 2
		corr, err := db.CorrectQuote(ctx, provider, first.ID, fix, remit.DefaultRules())
		if err != nil {
			t.Fatal(err)
		}
		if corr.ID == first.ID || corr.Replaces != first.ID || corr.Status != store.RemitStatusActive || corr.QuotedAt.IsZero() {
			t.Errorf("correction = %+v", corr)
		}
		old, err := db.OrgQuote(ctx, provider, first.ID)
		if err != nil || old.Status != store.RemitStatusSuperseded || old.Fee != 4 || old.StatusAt == nil || old.ReplacedBy != corr.ID {
			t.Errorf("corrected quote = %+v, %v", old, err)
		}
		if s := services(); s["Acme Remit"] != 2 {
			t.Errorf("after the correction, services = %v", s)
		}
		if _, n := avg(); n != 2 {
			t.Errorf("after the correction, %d services averaged, want 2", n)
		}
		// The superseded quote is corrected or withdrawn no more.
		if _, err := db.CorrectQuote(ctx, provider, first.ID, fix, remit.DefaultRules()); !errors.Is(err, derrors.Conflict) {
			t.Errorf("second correction of the same quote: %v, want Conflict", err)
		}
		if _, err := db.WithdrawQuote(ctx, provider, first.ID); !errors.Is(err, derrors.Conflict) {
			t.Errorf("withdrawing a superseded quote: %v, want Conflict", err)
		}
		// An invalid correction changes nothing.
		bad := fix
		bad.Amount = -1
		if _, err := db.CorrectQuote(ctx, provider, corr.ID, bad, remit.DefaultRules()); !errors.Is(err, derrors.Invalid) {
			t.Errorf("invalid correction: %v", err)
		}

		// A withdrawal: out of the ranking and the averages at once.
		v0, _ := db.RemitVersion(ctx)
		w, err := db.WithdrawQuote(ctx, provider, corr.ID)
		if err != nil || w.Status != store.RemitStatusWithdrawn || w.StatusAt == nil {
			t.Fatalf("withdraw = %+v, %v", w, err)
		}
		if v1, _ := db.RemitVersion(ctx); v1 == v0 {
			t.Error("version not bumped by the withdrawal")
		}
		if s := services(); s["Acme Remit"] != 0 || s["Other Remit"] != 4 {
			t.Errorf("after the withdrawal, services = %v", s)
		}
		if a, n := avg(); n != 1 || !near(a, 2+2) { // Other Remit: fee 4 of 200 = 2 %, margin 2 %
			t.Errorf("after the withdrawal, average %v over %d services, want 4 over 1", a, n)
		}
		if _, err := db.WithdrawQuote(ctx, provider, corr.ID); !errors.Is(err, derrors.Conflict) {
			t.Errorf("second withdrawal: %v, want Conflict", err)
		}
		mine, _ = db.OrgQuotes(ctx, provider)
		if len(mine) != 3 || mine[0].Status != store.RemitStatusWithdrawn || mine[2].ReplacedBy != corr.ID {
			t.Errorf("history = %+v", mine)
		}

		// Audited like a submission: who, what, which quote.
		es, err := db.Audit().List(ctx, audit.Filter{Resource: "remittances", Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var sawCorrect, sawWithdraw bool
		for _, e := range es {
			if e.ActorID == 7 && e.Action == audit.ActionUpdate && e.RecordID == strconv.FormatInt(corr.ID, 10) {
				switch {
				case e.Detail != "" && e.Detail[:len("quote withdrawn")] == "quote withdrawn":
					sawWithdraw = true
				default:
					sawCorrect = true
				}
			}
		}
		if !sawCorrect || !sawWithdraw || len(es) != 5 {
			t.Errorf("audit (%d entries): correction %v, withdrawal %v: %+v", len(es), sawCorrect, sawWithdraw, es)
		}
	})
}

// seedRemitReference imports survey rows that give the reference rates a
// submission is checked against: GBP→KES 100 (on GBR→UGA: the pair is
// looked up on any corridor) and GBP→USD 1.1 (so GBP 200 is in the USD
// 200 basket and GBP 500 in the USD 500 one). Before the review, a
// submitted interbank rate without a same-corridor reference was
// trusted; now such a quote is not averaged.
func seedRemitReference(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	ref := func(to, recv string, inter float64) remit.Quote {
		q := remitQuote("GBR", to, "Reference Survey Firm", 1, inter*0.98, remit.SpeedHour, "Cash")
		q.Period, q.Date, q.QuotedAt = remit.NewPeriod(2025, 2), time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
		q.InterbankRate, q.ReceiveCurrency, q.BasketUSD = inter, recv, 0
		return q
	}
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		return store.ReplaceRemitQuotes(ctx, tx, store.RemitSource{Source: "import:reference.csv", Layout: "test"},
			[]remit.Quote{ref("UGA", "KES", 100), ref("SSD", "USD", 1.1)}, false)
	}); err != nil {
		t.Fatal(err)
	}
}
