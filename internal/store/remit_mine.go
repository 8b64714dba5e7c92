package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// A provider organisation manages its own submitted quotes: it lists them
// (OrgQuotes), corrects one (CorrectQuote, store/remit.go: a new quote
// that supersedes it) and withdraws one (WithdrawQuote). Prices are never
// edited in place: a superseded or withdrawn quote keeps its figures and
// only its status changes (migrations/00019_remit_quote_status.sql), so
// the history stays; only active quotes are ranked and averaged.
// Another organisation's quotes are not found (derrors.NotFound), as if
// they did not exist.

// RemitOrgQuotesMax bounds the quotes OrgQuotes returns.
const RemitOrgQuotesMax = 500

const remitOwnSelect = remitQuoteSelect + `, COALESCE(submitted_by, 0), status, status_at, COALESCE(replaces, 0)`

func scanOwnQuote(r interface{ Scan(...any) error }) (SubmittedQuote, error) {
	var sq SubmittedQuote
	var at sql.NullTime
	var id int64
	var src string
	q := &sq.Quote
	var period, speed, flags int64
	var firmType string
	var date, quoted sql.NullTime
	err := r.Scan(&id, &src, &q.Firm, &firmType, &q.From, &q.To, &period, &date, &quoted, &q.Amount, &q.SendCurrency, &q.Fee, &q.Rate,
		&q.InterbankRate, &q.ReceiveCurrency, &q.BasketUSD, &speed, &q.PaymentInstrument, &q.AccessPoint, &q.PickupMethod,
		&q.NetworkCoverage, &q.Transparent, &flags, &q.Note, &sq.SubmittedBy, &sq.Status, &at, &sq.Replaces)
	if err != nil {
		return sq, classify(err)
	}
	fillRemitQuote(q, firmType, period, speed, flags, date, quoted)
	q.Source = src
	sq.ID, sq.Source = id, src
	if at.Valid {
		t := at.Time.UTC()
		sq.StatusAt = &t
	}
	return sq, nil
}

// OrgQuotes lists the quotes p's organisation submitted, the newest
// first (at most RemitOrgQuotesMax), with their status: active,
// superseded (ReplacedBy names the correction) or withdrawn. p must be
// allowed to submit quotes (derrors.Forbidden otherwise).
func (db *DB) OrgQuotes(ctx context.Context, p *auth.Principal) (_ []SubmittedQuote, err error) {
	defer derrors.Wrap(&err, "store.OrgQuotes")
	if err := remitProviderCheck(p); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT `+remitOwnSelect+` FROM remit_quotes WHERE source = ? ORDER BY id DESC LIMIT ?`,
		"submitted:"+strconv.FormatInt(p.OrgID, 10), RemitOrgQuotesMax)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SubmittedQuote{}
	byID := map[int64]int{}
	for rows.Next() {
		sq, err := scanOwnQuote(rows)
		if err != nil {
			return nil, err
		}
		byID[sq.ID] = len(out)
		out = append(out, sq)
	}
	if err := rows.Err(); err != nil {
		return nil, classify(err)
	}
	// A correction is newer than the quote it supersedes: both are here
	// unless the older fell past the limit.
	for _, sq := range out {
		if i, ok := byID[sq.Replaces]; ok && sq.Replaces != 0 {
			out[i].ReplacedBy = sq.ID
		}
	}
	return out, nil
}

// OrgQuote returns quote id of p's organisation. The error wraps
// derrors.NotFound when there is no such quote or it is another
// organisation's (or imported survey data), derrors.Forbidden when p may
// not submit quotes.
func (db *DB) OrgQuote(ctx context.Context, p *auth.Principal, id int64) (_ SubmittedQuote, err error) {
	defer derrors.Wrap(&err, "store.OrgQuote(%d)", id)
	if err := remitProviderCheck(p); err != nil {
		return SubmittedQuote{}, err
	}
	sq, err := scanOwnQuote(db.queryRow(ctx, `SELECT `+remitOwnSelect+` FROM remit_quotes WHERE id = ? AND source = ?`,
		id, "submitted:"+strconv.FormatInt(p.OrgID, 10)))
	if err != nil {
		if errors.Is(err, derrors.NotFound) {
			return SubmittedQuote{}, derrors.Kindf(derrors.NotFound, "no quote %d of your organisation", id)
		}
		return SubmittedQuote{}, err
	}
	if sq.Status == RemitStatusSuperseded {
		var by int64
		if err := db.queryRow(ctx, `SELECT id FROM remit_quotes WHERE source = ? AND replaces = ?`, sq.Source, id).Scan(&by); err == nil {
			sq.ReplacedBy = by
		}
	}
	return sq, nil
}

// WithdrawQuote withdraws quote id of p's organisation: from now on it is
// neither ranked nor averaged; its prices stay stored (status withdrawn,
// with the time). The audit entry (resource "remittances") commits with
// it. The error wraps derrors.NotFound when id is not a quote of p's
// organisation, derrors.Conflict when it is not active (already withdrawn,
// or superseded by a correction: withdraw the correction),
// derrors.Forbidden when p may not submit quotes.
func (db *DB) WithdrawQuote(ctx context.Context, p *auth.Principal, id int64) (_ SubmittedQuote, err error) {
	defer derrors.Wrap(&err, "store.WithdrawQuote(%d)", id)
	sq, err := db.OrgQuote(ctx, p, id)
	if err != nil {
		return SubmittedQuote{}, err
	}
	if sq.Status != RemitStatusActive {
		return SubmittedQuote{}, derrors.Kindf(derrors.Conflict, "quote %d is %s: only an active quote is withdrawn", id, sq.Status)
	}
	t := now()
	err = db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE remit_quotes SET status = ?, status_at = ? WHERE id = ? AND source = ? AND status = ?`,
			RemitStatusWithdrawn, t, id, sq.Source, RemitStatusActive)
		if err != nil {
			return classify(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return derrors.Kindf(derrors.Conflict, "quote %d is no longer active", id)
		}
		return db.remitAudit(ctx, tx, p, audit.ActionUpdate, id, fmt.Sprintf("quote withdrawn: %s %s %g %s", sq.Corridor, sq.Firm, sq.Amount, sq.SendCurrency))
	})
	if err != nil {
		return SubmittedQuote{}, err
	}
	sq.Status = RemitStatusWithdrawn
	ut := t.UTC()
	sq.StatusAt = &ut
	return sq, nil
}
