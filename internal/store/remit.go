package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/remit"
	"github.com/corridor-platform/corridor/internal/remit/rpwfile"
)

// Remittance prices: RPW quotes and published averages imported from
// files (one source per file, 'import:<file name>', replaced atomically)
// and quotes submitted by signed-in provider organisations (source
// 'submitted:<org id>'). Schema and conventions:
// migrations/00017_remittance_prices.sql. Cost figures are never stored:
// internal/remit computes them from the stored amounts, fees and rates.

// RemitResource is the authorization resource of remittance prices.
const RemitResource = "remittances"

// The kinds of an imported remittance source.
const (
	RemitKindRPW         = "rpw"          // row-level RPW quotes
	RemitKindDataBank    = "databank"     // DataBank corridor averages (ATCR.CORR)
	RemitKindUKCorridors = "uk-corridors" // UK corridor aggregates
	RemitKindUKProviders = "uk-providers" // UK provider comparisons
	RemitKindWDI         = "wdi"          // WDI average-cost indicators
)

// RemitSource is one imported file.
type RemitSource struct {
	Source   string          `json:"source"` // import:<file name>
	Kind     string          `json:"kind"`
	Layout   string          `json:"layout"`
	Rows     int64           `json:"rows"`
	Report   json.RawMessage `json:"report,omitempty"`
	LoadedAt time.Time       `json:"loadedAt"`
}

func validRemitImportSource(source string) error {
	kind, name, ok := strings.Cut(source, ":")
	if !ok || kind != "import" || name == "" || len(source) > 200 ||
		strings.ContainsFunc(source, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return derrors.Kindf(derrors.Invalid, "remittance source %q is not import:<file name>", source)
	}
	return nil
}

// beginRemitSource checks src, removes every row of its source and writes
// its source row.
func beginRemitSource(ctx context.Context, tx *Tx, src RemitSource, kind string) error {
	if err := validRemitImportSource(src.Source); err != nil {
		return err
	}
	if err := deleteRemitSource(ctx, tx, src.Source); err != nil {
		return err
	}
	var report any
	if len(src.Report) > 0 {
		report = string(src.Report)
	}
	_, err := tx.Exec(ctx, `INSERT INTO remit_sources (source, kind, layout, row_count, report, loaded_at) VALUES (?, ?, ?, ?, ?, ?)`,
		src.Source, kind, src.Layout, src.Rows, report, now())
	return classify(err)
}

func deleteRemitSource(ctx context.Context, tx *Tx, source string) error {
	for _, t := range []string{"remit_quotes", "remit_corridor_averages", "remit_uk_corridors", "remit_uk_providers", "remit_wdi_costs", "remit_sources"} {
		if _, err := tx.Exec(ctx, `DELETE FROM `+t+` WHERE source = ?`, source); err != nil {
			return classify(err)
		}
	}
	return nil
}

// DeleteRemitSource removes an imported source and everything it holds,
// inside tx; a source that does not exist is no error.
func DeleteRemitSource(ctx context.Context, tx *Tx, source string) (err error) {
	defer derrors.Wrap(&err, "store.DeleteRemitSource(%q)", source)
	if err := deleteRemitSource(ctx, tx, source); err != nil {
		return err
	}
	return bumpVersion(ctx, tx, "remittances")
}

const (
	remitQuoteCols  = 28
	remitQuoteBatch = 400 // × 28 parameters, under both engines' limits
)

const remitQuoteInsert = `INSERT INTO remit_quotes (source, source_row, tier, provider_id, firm, firm_type, from_country, to_country,
	period, quote_date, quoted_at, amount, send_currency, fee, rate, interbank_rate, receive_currency, basket_usd, speed,
	payment_instrument, access_point, pickup_method, network_coverage, transparent, flags, note, service_key, submitted_by) VALUES `

// checkStoredQuote checks what the table needs of a quote (the import's
// own checks are rpwfile's; a submission is checked by remit.Validate).
func checkStoredQuote(q *remit.Quote) error {
	switch {
	case len(q.From) != 3 || len(q.To) != 3:
		return derrors.Kindf(derrors.Invalid, "corridor %q: not two ISO alpha-3 codes", q.Corridor.String())
	case !q.Period.Valid():
		return derrors.Kindf(derrors.Invalid, "period: not a quarter")
	case strings.TrimSpace(q.Firm) == "":
		return derrors.Kindf(derrors.Invalid, "firm: missing")
	case !(q.Amount > 0):
		return derrors.Kindf(derrors.Invalid, "amount: must be positive")
	}
	return nil
}

// remitProviders returns the provider id of every firm in quotes, creating
// the providers not known yet.
func remitProviders(ctx context.Context, tx *Tx, quotes []remit.Quote) (map[string]int64, error) {
	ids := map[string]int64{}
	for i := range quotes {
		q := &quotes[i]
		k := remit.NormalizeName(q.Firm)
		if _, ok := ids[k]; ok {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO remit_providers (name_key, name, firm_type) VALUES (?, ?, ?) ON CONFLICT (name_key) DO NOTHING`,
			k, strings.TrimSpace(q.Firm), q.FirmType.String()); err != nil {
			return nil, classify(err)
		}
		var id int64
		if err := tx.QueryRow(ctx, `SELECT id FROM remit_providers WHERE name_key = ?`, k).Scan(&id); err != nil {
			return nil, classify(err)
		}
		ids[k] = id
	}
	return ids, nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// quoteArgs appends the insert arguments of one quote.
func quoteArgs(args []any, source string, row, tier int, provider int64, q *remit.Quote, submittedBy int64) []any {
	return append(args, source, nullInt(row), nullInt(tier), provider, q.Firm, q.FirmType.String(), q.From, q.To,
		int64(q.Period), nullTime(q.Date), nullTime(q.QuotedAt), q.Amount, q.SendCurrency, q.Fee, q.Rate, q.InterbankRate,
		q.ReceiveCurrency, q.BasketUSD, int64(q.Speed), q.PaymentInstrument, q.AccessPoint, q.PickupMethod, q.NetworkCoverage,
		q.Transparent, int64(q.Flags), q.Note, q.ServiceKey(), nullID(submittedBy))
}

func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return int64(n)
}

// ReplaceRemitQuotes replaces every row of src.Source (import:<file
// name>) with the quotes of an RPW file, inside tx (atomic with it).
// quotes are as rpwfile.ParseRPW returns them, two per file row (cc1,
// cc2), so that each stored quote keeps its row (the header is row 1) and
// tier; RowsPerQuote false stores them without. The error wraps
// derrors.Invalid for a bad source or quote (naming its position, from
// 1); nothing is then changed.
func ReplaceRemitQuotes(ctx context.Context, tx *Tx, src RemitSource, quotes []remit.Quote, rowsPerQuote bool) (err error) {
	_, err = ReplaceRPWQuotes(ctx, tx, src, quotes, rowsPerQuote)
	return err
}

// ReplaceRPWQuotes is ReplaceRemitQuotes, and returns how many quotes of
// other import sources it replaced.
//
// The rule for the same survey data imported under several file names: a
// new import replaces the quotes of every other import source (import:*;
// provider submissions are never touched) that have the same corridor,
// period, firm (compared without regard to case or spacing, as providers
// are), amount sent and sending currency as one of its own quotes. The
// latest import wins; the earlier source keeps its other quotes.
func ReplaceRPWQuotes(ctx context.Context, tx *Tx, src RemitSource, quotes []remit.Quote, rowsPerQuote bool) (replaced int64, err error) {
	r, err := ReplaceRPWQuotesReport(ctx, tx, src, quotes, rowsPerQuote)
	return r.OtherFiles, err
}

// RPWReplacement is what an RPW import replaced.
type RPWReplacement struct {
	// Previous is the number of quotes of the file's previous import
	// (the same source, imported again), PreviousLoadedAt when it was
	// loaded (zero: the file is new).
	Previous         int64
	PreviousLoadedAt time.Time
	// OtherFiles is the number of quotes of other import sources the
	// same survey rows replaced (ReplaceRPWQuotes).
	OtherFiles int64
}

// ReplaceRPWQuotesReport is ReplaceRPWQuotes, and says what it replaced:
// the quotes of the file's previous import and those of other files.
func ReplaceRPWQuotesReport(ctx context.Context, tx *Tx, src RemitSource, quotes []remit.Quote, rowsPerQuote bool) (rep RPWReplacement, err error) {
	defer derrors.Wrap(&err, "store.ReplaceRemitQuotes(%q)", src.Source)
	for i := range quotes {
		if err := checkStoredQuote(&quotes[i]); err != nil {
			return rep, fmt.Errorf("quote %d: %w", i+1, err)
		}
	}
	if err := validRemitImportSource(src.Source); err != nil {
		return rep, err
	}
	var at sql.NullTime
	if err := tx.QueryRow(ctx, `SELECT loaded_at FROM remit_sources WHERE source = ?`, src.Source).Scan(&at); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return rep, classify(err)
	}
	if at.Valid {
		rep.PreviousLoadedAt = at.Time.UTC()
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM remit_quotes WHERE source = ?`, src.Source).Scan(&rep.Previous); err != nil {
			return rep, classify(err)
		}
	}
	if err := beginRemitSource(ctx, tx, src, RemitKindRPW); err != nil {
		return rep, err
	}
	providers, err := remitProviders(ctx, tx, quotes)
	if err != nil {
		return rep, err
	}
	args := make([]any, 0, remitQuoteBatch*remitQuoteCols)
	for start := 0; start < len(quotes); start += remitQuoteBatch {
		batch := quotes[start:min(start+remitQuoteBatch, len(quotes))]
		args = args[:0]
		for i := range batch {
			n := start + i
			row, tier := 0, 0
			if rowsPerQuote {
				row, tier = n/2+2, n%2+1
			}
			q := &batch[i]
			args = quoteArgs(args, src.Source, row, tier, providers[remit.NormalizeName(q.Firm)], q, 0)
		}
		if _, err := tx.Exec(ctx, remitQuoteInsert+incPlaceholders(len(batch), remitQuoteCols), args...); err != nil {
			return rep, classify(err)
		}
	}
	// Driven from the new source's rows (remit_quotes_source), each
	// looking up its matches through remit_quotes_match: the cost grows
	// with the size of the import, not of the table (a correlated EXISTS
	// over every stored import row took 11.6 s for 144 quotes next to
	// 1,000,000; README, Performance).
	res, err := tx.Exec(ctx, `DELETE FROM remit_quotes WHERE id IN (
		SELECT o.id FROM remit_quotes n JOIN remit_quotes o ON o.from_country = n.from_country AND o.to_country = n.to_country
			AND o.period = n.period AND o.provider_id = n.provider_id AND o.amount = n.amount AND o.send_currency = n.send_currency
		WHERE n.source = ? AND o.source <> ? AND o.source LIKE 'import:%')`, src.Source, src.Source)
	if err != nil {
		return rep, classify(err)
	}
	rep.OtherFiles, _ = res.RowsAffected()
	return rep, bumpVersion(ctx, tx, "remittances")
}

// ReplaceRemitCorridorAverages replaces the rows of src.Source with
// published corridor averages (a DataBank export), stored as published.
func ReplaceRemitCorridorAverages(ctx context.Context, tx *Tx, src RemitSource, vals []rpwfile.CorridorValue) (err error) {
	defer derrors.Wrap(&err, "store.ReplaceRemitCorridorAverages(%q)", src.Source)
	if err := beginRemitSource(ctx, tx, src, RemitKindDataBank); err != nil {
		return err
	}
	const cols, batchN = 6, 1000
	for start := 0; start < len(vals); start += batchN {
		batch := vals[start:min(start+batchN, len(vals))]
		args := make([]any, 0, len(batch)*cols)
		for _, v := range batch {
			if !v.Period.Valid() || len(v.From) != 3 || len(v.To) != 3 {
				return derrors.Kindf(derrors.Invalid, "corridor average %s %s: bad corridor or period", v.Corridor, v.Period)
			}
			args = append(args, src.Source, v.Series, v.From, v.To, int64(v.Period), v.Pct)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO remit_corridor_averages (source, series, from_country, to_country, period, value_pct) VALUES `+
			incPlaceholders(len(batch), cols), args...); err != nil {
			return classify(err)
		}
	}
	return bumpVersion(ctx, tx, "remittances")
}

// ReplaceRemitUKCorridors replaces the rows of src.Source with the UK
// corridor aggregates, as published.
func ReplaceRemitUKCorridors(ctx context.Context, tx *Tx, src RemitSource, rows []rpwfile.UKCorridor) (err error) {
	defer derrors.Wrap(&err, "store.ReplaceRemitUKCorridors(%q)", src.Source)
	if err := beginRemitSource(ctx, tx, src, RemitKindUKCorridors); err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := tx.Exec(ctx, `INSERT INTO remit_uk_corridors (source, destination_code, source_country, destination_country,
			destination_income_group, period, source_amount_gbp, normalised_cost_per_gbp_100, cost_on_source_amount_gbp, basket_usd,
			distinct_firms, service_observations, average_total_cost_pct, source_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			src.Source, r.DestinationCode, r.SourceCountry, r.DestinationCountry, r.DestinationIncomeGroup, int64(r.Period),
			r.SourceAmountGBP, r.NormalisedCostPerGBP, r.CostOnSourceAmountGBP, r.BasketUSD, r.DistinctFirms, r.ServiceObservations,
			r.AverageTotalCostPct, r.SourceURL); err != nil {
			return classify(err)
		}
	}
	return bumpVersion(ctx, tx, "remittances")
}

// ReplaceRemitUKProviders replaces the rows of src.Source with the UK
// provider comparisons, as published.
func ReplaceRemitUKProviders(ctx context.Context, tx *Tx, src RemitSource, rows []rpwfile.UKProvider) (err error) {
	defer derrors.Wrap(&err, "store.ReplaceRemitUKProviders(%q)", src.Source)
	if err := beginRemitSource(ctx, tx, src, RemitKindUKProviders); err != nil {
		return err
	}
	for i, r := range rows {
		if _, err := tx.Exec(ctx, `INSERT INTO remit_uk_providers (source, id, provider, period, route_position, destination_code,
			destination_country, observed_services, average_total_cost_pct, average_fee_gbp, average_fx_margin_pct, service_mix,
			highest_to_lowest_multiple, source_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			src.Source, i+1, r.Provider, int64(r.Period), r.RoutePosition, r.DestinationCode, r.DestinationCountry, r.ObservedServices,
			r.AverageTotalCostPct, r.AverageFeeGBP, r.AverageFXMarginPct, r.ServiceMix, r.HighestToLowestMultiple, r.SourceURL); err != nil {
			return classify(err)
		}
	}
	return bumpVersion(ctx, tx, "remittances")
}

// ReplaceRemitWDICosts replaces the rows of src.Source with WDI
// average-cost values, as published.
func ReplaceRemitWDICosts(ctx context.Context, tx *Tx, src RemitSource, vals []rpwfile.WDIValue) (err error) {
	defer derrors.Wrap(&err, "store.ReplaceRemitWDICosts(%q)", src.Source)
	if err := beginRemitSource(ctx, tx, src, RemitKindWDI); err != nil {
		return err
	}
	const cols, batchN = 6, 1000
	for start := 0; start < len(vals); start += batchN {
		batch := vals[start:min(start+batchN, len(vals))]
		args := make([]any, 0, len(batch)*cols)
		for _, v := range batch {
			args = append(args, src.Source, v.Indicator, v.CountryCode, v.CountryName, v.Year, v.Pct)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO remit_wdi_costs (source, indicator, country_code, country_name, year, value_pct) VALUES `+
			incPlaceholders(len(batch), cols), args...); err != nil {
			return classify(err)
		}
	}
	return bumpVersion(ctx, tx, "remittances")
}

// RemitSources lists the imported sources, by name.
func (db *DB) RemitSources(ctx context.Context) (_ []RemitSource, err error) {
	defer derrors.Wrap(&err, "store.RemitSources")
	rows, err := db.query(ctx, `SELECT source, kind, layout, row_count, COALESCE(report, ''), loaded_at FROM remit_sources ORDER BY source`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RemitSource{}
	for rows.Next() {
		var s RemitSource
		var rep string
		if err := rows.Scan(&s.Source, &s.Kind, &s.Layout, &s.Rows, &rep, &s.LoadedAt); err != nil {
			return nil, err
		}
		if rep != "" {
			s.Report = json.RawMessage(rep)
		}
		s.LoadedAt = s.LoadedAt.UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// SubmittedQuote is a quote a provider organisation submitted.
type SubmittedQuote struct {
	ID     int64  `json:"id"`
	Source string `json:"source"` // submitted:<org id>
	remit.Quote
	SubmittedBy int64 `json:"submittedBy"`
	// Status is RemitStatusActive, RemitStatusSuperseded (a correction
	// replaced it: ReplacedBy) or RemitStatusWithdrawn; StatusAt is when
	// it last changed (nil while active).
	Status   string     `json:"status"`
	StatusAt *time.Time `json:"statusAt,omitempty"`
	// Replaces is the quote a correction supersedes; ReplacedBy the
	// correction that superseded this one (0: none).
	Replaces   int64 `json:"replaces,omitempty"`
	ReplacedBy int64 `json:"replacedBy,omitempty"`
}

// The statuses of a stored quote (remit_quotes.status). Only active
// quotes are ranked, averaged and offered as reference rates.
const (
	RemitStatusActive     = "active"
	RemitStatusSuperseded = "superseded"
	RemitStatusWithdrawn  = "withdrawn"
)

// remitProviderCheck checks that p may manage quotes for its
// organisation: signed in, in an organisation, holding create on
// remittances at organisation scope or wider (the remittance-provider
// role, organisation administrators). The error is derrors.Forbidden.
func remitProviderCheck(p *auth.Principal) error {
	switch {
	case p == nil || !p.SignedIn():
		return derrors.Kindf(derrors.Forbidden, "only a signed-in provider submits quotes")
	case p.OrgID == 0:
		return derrors.Kindf(derrors.Forbidden, "quotes are submitted for an organisation; this account has none")
	case p.Scope(RemitResource, auth.Create) < auth.ScopeOrg:
		return derrors.Kindf(derrors.Forbidden, "submitting quotes needs create on remittances for the organisation")
	}
	return nil
}

// SubmitQuote stores a quote submitted by p for p's organisation (source
// submitted:<org id>), timestamped now (QuotedAt), after remit.Validate
// with rules; the audit entry (resource "remittances") commits with it.
// The store checks that p is signed in, belongs to an organisation and
// holds create on remittances at organisation scope or wider; route
// permissions are the web layer's. The error is remit.FieldErrors
// (derrors.Invalid) for an invalid quote, derrors.Forbidden otherwise;
// nothing is stored then.
func (db *DB) SubmitQuote(ctx context.Context, p *auth.Principal, q remit.Quote, rules remit.Rules) (_ SubmittedQuote, err error) {
	defer derrors.Wrap(&err, "store.SubmitQuote")
	return db.submitQuote(ctx, p, q, rules, 0, nil)
}

// CorrectQuote stores q as the correction of p's organisation's quote id:
// a new quote, validated and timestamped as SubmitQuote does, that
// supersedes the old one (status superseded; its prices stay as they
// were, for the history). A correction keeps the corridor: a from or to
// other than the old quote's is a remit.FieldError naming it. Both change in one transaction with the audit
// entry. The error wraps derrors.NotFound when id is not a quote of p's
// organisation (another organisation's quotes are not revealed),
// derrors.Conflict when it was already corrected or withdrawn, and is as
// SubmitQuote's otherwise.
func (db *DB) CorrectQuote(ctx context.Context, p *auth.Principal, id int64, q remit.Quote, rules remit.Rules) (_ SubmittedQuote, err error) {
	defer derrors.Wrap(&err, "store.CorrectQuote(%d)", id)
	if err := remitProviderCheck(p); err != nil {
		return SubmittedQuote{}, err
	}
	old, err := db.OrgQuote(ctx, p, id)
	if err != nil {
		return SubmittedQuote{}, err
	}
	if old.Status != RemitStatusActive {
		return SubmittedQuote{}, derrors.Kindf(derrors.Conflict, "quote %d is %s: only an active quote is corrected", id, old.Status)
	}
	return db.submitQuote(ctx, p, q, rules, id, &old)
}

func (db *DB) submitQuote(ctx context.Context, p *auth.Principal, q remit.Quote, rules remit.Rules, replaces int64, old *SubmittedQuote) (_ SubmittedQuote, err error) {
	if err := remitProviderCheck(p); err != nil {
		return SubmittedQuote{}, err
	}
	org, err := db.Accounts().Org(ctx, p.OrgID)
	if err != nil {
		if errors.Is(err, derrors.NotFound) {
			return SubmittedQuote{}, derrors.Kindf(derrors.Forbidden, "the account's organisation %d does not exist", p.OrgID)
		}
		return SubmittedQuote{}, err
	}
	t := now()
	q.QuotedAt = t
	q.Flags = 0
	q.BasketUSD = 0
	// The firm is the submitting organisation: an empty firm takes its
	// name, another firm's name is refused.
	var es remit.FieldErrors
	switch q.Firm = strings.TrimSpace(q.Firm); {
	case q.Firm == "":
		q.Firm = org.Name
	case remit.NormalizeName(q.Firm) != remit.NormalizeName(org.Name):
		es = append(es, &remit.FieldError{Field: "firm", Reason: fmt.Sprintf("%q is not the submitting organisation %q: an organisation submits its own quotes", clipName(q.Firm), org.Name)})
		q.Firm = org.Name
	default:
		q.Firm = org.Name // the canonical spelling ("pesa  EXPRESS" is stored as "Pesa Express")
	}
	if old != nil {
		// A correction keeps the corridor of the quote it corrects.
		if q.From != old.From {
			es = append(es, &remit.FieldError{Field: "from", Reason: fmt.Sprintf("%q: a correction keeps the sending country %s of quote %d; withdraw it and submit a new quote for another corridor", clipName(q.From), old.From, replaces)})
		}
		if q.To != old.To {
			es = append(es, &remit.FieldError{Field: "to", Reason: fmt.Sprintf("%q: a correction keeps the receiving country %s of quote %d; withdraw it and submit a new quote for another corridor", clipName(q.To), old.To, replaces)})
		}
	}
	if err := remit.Validate(&q, rules, t); err != nil {
		var ves remit.FieldErrors
		if !errors.As(err, &ves) {
			return SubmittedQuote{}, err
		}
		es = append(es, ves...)
	}
	// Countries must be in the reference geography (when one is loaded).
	if snap, err := db.Geo().snapshot(ctx); err != nil {
		return SubmittedQuote{}, err
	} else if snap != nil && len(snap.areas) > 0 {
		for _, f := range [...][2]string{{"from", q.From}, {"to", q.To}} {
			if a, ok := snap.lookup(f[1]); len(f[1]) == 3 && (!ok || !a.IsCountry() || a.ISO3 != f[1]) {
				es = append(es, &remit.FieldError{Field: f[0], Reason: fmt.Sprintf("%q is not a country of the reference geography", f[1])})
			}
		}
	}
	// The interbank rate against a reference rate for the currency pair
	// (remitReferenceRate: the latest RPW survey interbank rate of the
	// pair on any corridor, or the cross rate through USD). With no
	// reference the quote is stored flagged FlagInterbankUnverified: shown
	// apart, never ranked, left out of every average. The USD basket is
	// derived from the amount (remit.BasketOf), never taken from the client.
	q.BasketUSD = 0
	if len(es) == 0 {
		ref, err := db.remitReferenceRate(ctx, q.SendCurrency, q.ReceiveCurrency, q.InterbankRate)
		if err != nil {
			return SubmittedQuote{}, err
		}
		if ref > 0 {
			if err := remit.CheckInterbank(&q, ref, rules); err != nil {
				es = append(es, err.(*remit.FieldError))
			}
		} else {
			q.Flags |= remit.FlagInterbankUnverified
		}
		usd, err := db.remitReferenceRate(ctx, q.SendCurrency, "USD", 0)
		if err != nil {
			return SubmittedQuote{}, err
		}
		q.BasketUSD = remit.BasketOf(q.Amount * usd)
	}
	if len(es) > 0 {
		return SubmittedQuote{}, es
	}
	if m, ok := q.FXMarginPct(); ok && m < 0 {
		q.Flags |= remit.FlagNegativeMargin
	}
	sq := SubmittedQuote{Source: "submitted:" + strconv.FormatInt(p.OrgID, 10), Quote: q, SubmittedBy: p.UserID,
		Status: RemitStatusActive, Replaces: replaces}
	err = db.InTx(ctx, func(tx *Tx) error {
		if replaces != 0 {
			// Superseded only while still active: a concurrent correction
			// or withdrawal wins, and this one changes nothing.
			res, err := tx.Exec(ctx, `UPDATE remit_quotes SET status = ?, status_at = ? WHERE id = ? AND source = ? AND status = ?`,
				RemitStatusSuperseded, t, replaces, sq.Source, RemitStatusActive)
			if err != nil {
				return classify(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return derrors.Kindf(derrors.Conflict, "quote %d is no longer active: only an active quote is corrected", replaces)
			}
		}
		providers, err := remitProviders(ctx, tx, []remit.Quote{q})
		if err != nil {
			return err
		}
		args := quoteArgs(nil, sq.Source, 0, 0, providers[remit.NormalizeName(q.Firm)], &q, p.UserID)
		if err := tx.QueryRow(ctx, remitQuoteInsert+incPlaceholders(1, remitQuoteCols)+` RETURNING id`, args...).Scan(&sq.ID); err != nil {
			return classify(err)
		}
		if replaces != 0 {
			if _, err := tx.Exec(ctx, `UPDATE remit_quotes SET replaces = ? WHERE id = ?`, replaces, sq.ID); err != nil {
				return classify(err)
			}
		}
		action, detail := audit.ActionCreate, fmt.Sprintf("quote submitted: %s %s %g %s", q.Corridor, q.Firm, q.Amount, q.SendCurrency)
		if replaces != 0 {
			action, detail = audit.ActionUpdate, fmt.Sprintf("quote %d corrected by quote %d: %s %s %g %s", replaces, sq.ID, q.Corridor, q.Firm, q.Amount, q.SendCurrency)
		}
		return db.remitAudit(ctx, tx, p, action, sq.ID, detail)
	})
	if err != nil {
		return SubmittedQuote{}, err
	}
	return sq, nil
}

// remitAudit appends the audit entry of a change to a submitted quote
// and bumps the remittances version, inside tx.
func (db *DB) remitAudit(ctx context.Context, tx *Tx, p *auth.Principal, action string, id int64, detail string) error {
	e := audit.Entry{ActorID: p.UserID, ActorName: p.Username, OrgID: p.OrgID, Action: action, Resource: RemitResource,
		Outcome: audit.OutcomeOK, RecordID: strconv.FormatInt(id, 10), Detail: detail}
	if v, ok := ctx.Value(auditClientKey{}).([2]string); ok {
		e.ClientAddr = v[0]
	}
	if len(e.Detail) > audit.MaxDetailLen {
		e.Detail = e.Detail[:audit.MaxDetailLen]
	}
	if _, err := db.Audit().AppendTx(ctx, tx, e); err != nil {
		return err
	}
	return bumpVersion(ctx, tx, "remittances")
}

// remitRefQuery reads the interbank rates of the imported (RPW) quotes
// that name their receiving currency and touch a, b or USD.
const remitRefQuery = `SELECT send_currency, receive_currency, period, interbank_rate FROM remit_quotes
	WHERE source LIKE 'import:%' AND status = 'active' AND receive_currency <> '' AND send_currency <> '' AND interbank_rate > 0
	AND (flags & ?) = 0 AND (send_currency IN (?, ?, 'USD') OR receive_currency IN (?, ?, 'USD'))`

// remitReferenceRate returns a reference interbank rate (units of b per
// unit of a) from the stored RPW survey data, or 0 when there is none:
//   - the pair's own rates, from any corridor (or the inverse pair's,
//     inverted), of the latest quarter surveyed — the one nearest near
//     when several (near ≤ 0: the median);
//   - else the cross rate through USD, when both legs are known (each
//     leg directly, inverted, or through a third currency X quoted
//     against both the leg's currency and USD).
func (db *DB) remitReferenceRate(ctx context.Context, a, b string, near float64) (float64, error) {
	if a == "" || b == "" {
		return 0, nil
	}
	if a == b {
		return 1, nil
	}
	bad := int64(remit.FlagCurrencyMismatch | remit.FlagsUnreliable)
	rows, err := db.query(ctx, remitRefQuery, bad, a, b, a, b)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	type obs struct {
		period remit.Period
		rates  []float64
	}
	pairs := map[[2]string]*obs{}
	for rows.Next() {
		var s, r string
		var per int64
		var rate float64
		if err := rows.Scan(&s, &r, &per, &rate); err != nil {
			return 0, classify(err)
		}
		if s == r {
			continue
		}
		k := [2]string{s, r}
		o := pairs[k]
		switch {
		case o == nil:
			pairs[k] = &obs{period: remit.Period(per), rates: []float64{rate}}
		case remit.Period(per) > o.period:
			o.period, o.rates = remit.Period(per), []float64{rate}
		case remit.Period(per) == o.period:
			o.rates = append(o.rates, rate)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, classify(err)
	}
	// direct: the rates of x→y, or of y→x inverted (the latest quarter).
	direct := func(x, y string) []float64 {
		d, i := pairs[[2]string{x, y}], pairs[[2]string{y, x}]
		switch {
		case d != nil && (i == nil || d.period >= i.period):
			return d.rates
		case i != nil:
			out := make([]float64, len(i.rates))
			for k, r := range i.rates {
				out[k] = 1 / r
			}
			return out
		}
		return nil
	}
	pick := func(rates []float64, near float64) float64 {
		if len(rates) == 0 {
			return 0
		}
		if near > 0 {
			best, bestD := 0.0, 0.0
			for _, r := range rates {
				if d := math.Abs(math.Log(near / r)); best == 0 || d < bestD {
					best, bestD = r, d
				}
			}
			return best
		}
		s := slices.Clone(rates)
		slices.Sort(s)
		return s[len(s)/2]
	}
	if r := pick(direct(a, b), near); r > 0 {
		return r, nil
	}
	// usd is USD per unit of c.
	usd := func(c string) float64 {
		if c == "USD" {
			return 1
		}
		if r := pick(direct(c, "USD"), 0); r > 0 {
			return r
		}
		for k := range pairs { // through X: (X→USD) ÷ (X→c)
			x := k[0]
			if x == c || x == "USD" {
				continue
			}
			xu, xc := pick(direct(x, "USD"), 0), pick(direct(x, c), 0)
			if xu > 0 && xc > 0 {
				return xu / xc
			}
		}
		return 0
	}
	ua, ub := usd(a), usd(b)
	if ua > 0 && ub > 0 {
		return ua / ub, nil
	}
	return 0, nil
}

func clipName(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// RemitVersion is a number that changes whenever quotes or published
// remittance averages change (the validator of the public answers).
func (db *DB) RemitVersion(ctx context.Context) (int64, error) {
	return db.versionOf(ctx, "remittances", func(ctx context.Context) (int64, error) {
		var v int64
		err := db.queryRow(ctx, `SELECT version FROM cache_versions WHERE name = 'remittances'`).Scan(&v)
		if err == sql.ErrNoRows {
			return 0, nil
		}
		return v, classify(err)
	})
}
