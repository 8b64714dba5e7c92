package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/corridor-platform/corridor/internal/remit"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// A provider organisation's own quotes (/remittances/quotes/mine): the
// list with each quote's status, a link to correct an active quote (the
// quote form, prefilled: a correction is a new quote that supersedes it)
// and a button to withdraw it. The same store calls as the API's
// /api/v1/remittances/quotes/mine, …/{id}/correction and …/{id}/withdraw.

// remitMineRow is one of the organisation's quotes as the page shows it.
type remitMineRow struct {
	ID, Corridor, CorridorURL, Amount, Fee, Rate, Total, Speed, Date, QuotedAt string
	Status, StatusClass                                                        string
	Active, Stale                                                              bool
	CorrectURL, WithdrawURL                                                    string
}

type remitMinePage struct {
	Rows      []remitMineRow
	Notice    string
	StaleDays string
	JSON      string
}

func (u *UI) remitMine(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Title = v.T("remit.mine.title")
	list, err := u.db.OrgQuotes(r.Context(), web.PrincipalFrom(r.Context()))
	if err != nil {
		return err
	}
	p := remitMinePage{StaleDays: v.num(remit.DefaultRules().MaxAge.Hours()/24, 0), JSON: "/api/v1/remittances/quotes/mine"}
	if id := r.URL.Query().Get("withdrawn"); id != "" {
		if _, err := strconv.ParseInt(id, 10, 64); err == nil {
			p.Notice = v.T("remit.mine.withdrawnNotice", "Number", id)
		}
	}
	now := time.Now().UTC()
	for _, sq := range list {
		q := sq.Quote
		id := strconv.FormatInt(sq.ID, 10)
		row := remitMineRow{ID: id, Corridor: q.Corridor.String(),
			CorridorURL: "/remittances?" + url.Values{"from": {q.From}, "to": {q.To}, "amount": {strconv.FormatFloat(q.Amount, 'f', -1, 64)},
				"currency": {q.SendCurrency}}.Encode(),
			Amount: v.T("remit.money", "Value", v.num(q.Amount, 2), "Unit", q.SendCurrency),
			Fee:    v.T("remit.money", "Value", v.num(q.Fee, 2), "Unit", q.SendCurrency) + " (" + v.pct(q.FeePct()) + ")",
			Rate:   v.T("remit.notDisclosed"), Total: v.T("remit.notKnown"),
			Speed: v.label("remit.speed", strconv.Itoa(int(q.Speed)), q.Speed.String()),
			Date:  q.Date.Format(time.DateOnly), QuotedAt: q.QuotedAt.Format("2006-01-02 15:04 UTC"),
			Active: sq.Status == store.RemitStatusActive}
		if q.Rate > 0 && q.Transparent {
			row.Rate = v.num(q.Rate, 4)
		}
		if t, ok := q.TotalCostPct(); ok {
			row.Total = v.pct(t)
		} else if q.Flags.Has(remit.FlagInterbankUnverified) {
			// No reference rate verified the interbank rate: not ranked,
			// not averaged; the provider is told why.
			row.Total = v.T("remit.flag.interbankUnverified")
		}
		at := ""
		if sq.StatusAt != nil {
			at = sq.StatusAt.Format(time.DateOnly)
		}
		switch sq.Status {
		case store.RemitStatusActive:
			row.Status, row.StatusClass = v.T("remit.mine.status.active"), "progress-on-track"
			row.Stale = q.Stale(now, remit.DefaultRules().MaxAge)
			if row.Stale {
				row.Status = v.T("remit.mine.status.stale", "Count", p.StaleDays)
				row.StatusClass = "progress-off-track"
			}
			row.CorrectURL = "/remittances/quotes/new?corrects=" + id
			row.WithdrawURL = "/remittances/quotes/" + id + "/withdraw"
		case store.RemitStatusSuperseded:
			row.Status = v.T("remit.mine.status.superseded", "Time", at)
			if sq.ReplacedBy != 0 {
				row.Status = v.T("remit.mine.status.supersededBy", "Number", strconv.FormatInt(sq.ReplacedBy, 10), "Time", at)
			}
		case store.RemitStatusWithdrawn:
			row.Status = v.T("remit.mine.status.withdrawn", "Time", at)
		}
		p.Rows = append(p.Rows, row)
	}
	w.Header().Set("Cache-Control", "no-store")
	v.Data = p
	return u.render(w, http.StatusOK, "remittances_mine", v)
}

func (u *UI) remitWithdraw(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return &paramError{Param: "id", ReasonID: "remit.error.quoteID"}
	}
	ctx := store.WithAuditClient(r.Context(), web.ClientAddr(r), "")
	if _, err := u.db.WithdrawQuote(ctx, web.PrincipalFrom(r.Context()), id); err != nil {
		return err
	}
	web.SkipAudit(r) // the store audited the withdrawal
	http.Redirect(w, r, "/remittances/quotes/mine?withdrawn="+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// remitQuoteValues are the quote form's values of a stored quote (the
// starting point of its correction; the date is today's).
func remitQuoteValues(q remit.Quote) map[string]string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	vals := map[string]string{"from": q.From, "to": q.To, "firm": q.Firm, "firmType": q.FirmType.String(),
		"date": time.Now().UTC().Format(time.DateOnly), "amount": f(q.Amount), "sendCurrency": q.SendCurrency, "fee": f(q.Fee),
		"rate": f(q.Rate), "interbankRate": f(q.InterbankRate), "receiveCurrency": q.ReceiveCurrency, "speed": q.Speed.String(),
		"paymentInstrument": q.PaymentInstrument, "accessPoint": q.AccessPoint, "pickupMethod": q.PickupMethod,
		"networkCoverage": q.NetworkCoverage}
	if q.Transparent {
		vals["transparent"] = "on"
	}
	return vals
}
