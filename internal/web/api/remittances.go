package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/remit"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// Remittance prices (internal/remit, store/remit*.go): the sender
// comparison of a corridor's services, a corridor's cost series by
// quarter, the averages of a quarter by group, and the quotes providers
// submit. Reads are public; submitting needs create on remittances at
// organisation scope (the remittance-provider role, organisation
// administrators). Every figure carries its source: "quotes" (computed
// from stored quotes by internal/remit, as RPW computes them) or the
// imported file of a published value.

// RemitCitation is the citation of the World Bank data.
const RemitCitation = "The World Bank, Remittance Prices Worldwide, http://remittanceprices.worldbank.org (CC BY 4.0)"

// RemitFlowCitation names the bilateral remittance flows that weigh the
// fees paid (and the volume-weighted average).
const RemitFlowCitation = "KNOMAD/World Bank bilateral remittance matrices (series " + store.RemitFlowSeries + ", US$)"

// RemitMaxBody is the largest quote submission accepted.
const RemitMaxBody = 16 << 10

func (a *API) registerRemittances(r *web.Router) {
	c := a.remitCache()
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/remittances/quotes", Resource: "remittances", Action: web.ActionRead, Public: true,
		Summary: "Sender comparison: a corridor's services for an amount, ranked by amount received (stale and non-transparent ones flagged, never ranked as complete); format=csv",
		Handler: a.remitSenderCache().Wrap(http.HandlerFunc(a.remitQuotes))})
	r.Handle(web.Route{Method: "POST", Pattern: "/api/v1/remittances/quotes", Resource: "remittances", Action: web.ActionCreate,
		Summary: "Submit a current quote for one's provider organisation (validated, timestamped, audited)",
		Handler: http.HandlerFunc(a.submitRemitQuote)})
	// A provider organisation's own quotes: list, correct, withdraw (the
	// same permission as submitting: create on remittances at
	// organisation scope; another organisation's quote is a 404).
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/remittances/quotes/mine", Resource: "remittances", Action: web.ActionCreate,
		Summary: "The quotes one's provider organisation submitted, newest first, with their status (active, superseded by a correction, withdrawn)",
		Handler: http.HandlerFunc(a.myRemitQuotes)})
	r.Handle(web.Route{Method: "POST", Pattern: "/api/v1/remittances/quotes/{id}/correction", Resource: "remittances", Action: web.ActionCreate,
		Summary: "Correct one of one's organisation's quotes: a new quote (validated, timestamped, audited) that supersedes it; the old prices stay in the history",
		Handler: http.HandlerFunc(a.correctRemitQuote)})
	r.Handle(web.Route{Method: "POST", Pattern: "/api/v1/remittances/quotes/{id}/withdraw", Resource: "remittances", Action: web.ActionCreate,
		Summary: "Withdraw one of one's organisation's quotes: no longer ranked or averaged from now on; kept, marked withdrawn (audited)",
		Handler: http.HandlerFunc(a.withdrawRemitQuote)})
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/remittances/corridors/{corridor}", Resource: "remittances", Action: web.ActionRead, Public: true,
		Summary: "A corridor's average total cost and SmaRT by quarter (published DataBank averages where no quotes exist, marked with their source); format=csv",
		Handler: c.Wrap(http.HandlerFunc(a.remitCorridor))})
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/remittances/averages", Resource: "remittances", Action: web.ActionRead, Public: true,
		Summary: "Average total cost of one quarter by group: global, region (M49, of the receiving country), sending or receiving country; format=csv",
		Handler: c.Wrap(http.HandlerFunc(a.remitAverages))})
	r.Handle(web.Route{Method: "GET", Pattern: "/api/v1/remittances/fees", Resource: "remittances", Action: web.ActionRead, Public: true,
		Summary: "Fees paid per corridor in a quarter: bilateral remittance flow × average total cost, and what the 3 % target would return; format=csv",
		Handler: c.Wrap(http.HandlerFunc(a.remitFees))})
}

// remitCache validates the corridor and averages answers with the
// remittance data's version and the datasets' (the reference geography
// gives the regions).
func (a *API) remitCache() Cache {
	if a.db == nil {
		return Cache{}
	}
	return Cache{
		Token: func(ctx context.Context) (string, error) {
			v, err := a.db.RemitVersion(ctx)
			if err != nil {
				return "", err
			}
			d, err := a.db.DataVersion(ctx)
			return a.version + "/r" + strconv.FormatInt(v, 10) + "/" + d, err
		},
		Key:  func(r *http.Request) (string, bool) { return "accept=" + r.Header.Get("Accept"), true },
		Vary: "Accept",
		Memo: a.remitMemo,
	}
}

// remitSenderCache is remitCache for the sender comparison, whose stale
// flags also depend on the time: they are judged at the start of the
// current minute (senderNow), and the minute is part of the validator, so
// an answer is kept for the rest of its minute and a quote turns stale at
// most a minute late.
func (a *API) remitSenderCache() Cache {
	c := a.remitCache()
	if c.Token == nil {
		return c
	}
	token := c.Token
	c.Token = func(ctx context.Context) (string, error) {
		t, err := token(ctx)
		return t + "/m" + strconv.FormatInt(senderNow().Unix()/60, 10), err
	}
	c.Memo = a.senderMemo
	return c
}

// senderNow is the time stale quotes are judged at: the start of the
// current minute (see remitSenderCache).
func senderNow() time.Time { return time.Now().UTC().Truncate(time.Minute) }

// remitFormat reads format=json|csv.
func remitFormat(r *http.Request, q *query) string {
	f := q.str("format", 8)
	if f != "" && f != formatJSON && f != formatCSV {
		q.fail("format", "json or csv")
	}
	return dataFormat(r, f)
}

// remitCountry reads a required ISO alpha-3 parameter.
func remitCountry(q *query, name string) string {
	v := strings.ToUpper(q.str(name, 3))
	if q.err != nil {
		return ""
	}
	if len(v) != 3 || strings.IndexFunc(v, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		q.fail(name, "required: an ISO 3166-1 alpha-3 country code (e.g. GBR)")
	}
	return v
}

// RemitQuotesAnswer is the sender comparison.
type RemitQuotesAnswer struct {
	From     string  `json:"from"`
	To       string  `json:"to"`
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
	// StaleAfterHours is the age past which a quote is flagged stale.
	StaleAfterHours float64 `json:"staleAfterHours"`
	// Services is every service of the corridor in the currency: the
	// complete current ones ranked first, then the flagged ones (stale,
	// non-transparent…), survey prices included.
	Services []remit.RankedService `json:"services"`
	// CurrentOffers counts the services that are not survey prices (0:
	// no current offer for the corridor — say so).
	CurrentOffers int `json:"currentOffers"`
	// Survey is the World Bank RPW survey prices among Services (imported
	// survey data older than the stale age: remit.RankedService.IsSurvey),
	// by amount received — what a mystery shopper was quoted in a survey
	// wave, not a current offer; each is stale, with its date. SurveyInfo
	// gives the survey quarters and collection days (absent when Survey
	// is empty).
	Survey     []remit.RankedService `json:"survey"`
	SurveyInfo *remit.SurveyInfo     `json:"surveyInfo,omitempty"`
	Citation   string                `json:"citation"`
	// Rules state how the answer was made: the interbank-rate check,
	// what stale is judged on, and what a service is.
	Rules RemitRules `json:"rules"`
}

// RemitRules are the rules RemitQuotesAnswer states.
type RemitRules struct {
	Interbank string `json:"interbank"`
	Stale     string `json:"stale"`
	Services  string `json:"services"`
}

var remitRules = RemitRules{
	Interbank: "a submitted quote's interbank rate is checked against a reference rate for its currency pair from the stored World Bank RPW survey data " +
		"(the pair on any corridor, else the cross rate through USD when both legs are known) and must lie within ±10 % of it; " +
		"a quote with no reference is stored but marked interbankVerified=false (reason \"" + remit.ReasonInterbankUnverified + "\"): " +
		"listed apart, never ranked as complete, and left out of the corridor, regional and global averages, SmaRT and the SDG status",
	Stale: "stale is judged on quotedAt, the price's date (submittedAt is when a provider submitted it); a quote is stale when older than staleAfterHours",
	Services: "a service is a provider's combination of payment instrument, access point, pick-up method, speed and receiving currency; " +
		"each is listed once (its quote nearest the asked amount, the latest on a tie); averages count each service once per corridor and quarter " +
		"(its latest quote), exact duplicate survey rows excluded",
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.RFC3339)
}

// RemitPlainNumber reports whether s is a plain decimal number: digits
// with at most one decimal point (no sign, exponent, underscore, hex or
// grouping).
func RemitPlainNumber(s string) bool {
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

func (a *API) remitQuotes(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	from, to := remitCountry(q, "from"), remitCountry(q, "to")
	amountS := q.str("amount", 24)
	currency := strings.ToUpper(q.str("currency", 3))
	format := remitFormat(r, q)
	var amount float64
	if q.err == nil {
		var err error
		amount, err = strconv.ParseFloat(amountS, 64)
		switch {
		case amountS == "":
			q.fail("amount", "required: the amount to send, in the currency given")
		case !RemitPlainNumber(amountS) || err != nil || math.IsNaN(amount) || math.IsInf(amount, 0):
			q.fail("amount", "must be a plain number (digits, an optional decimal point: e.g. 200 or 18000.50)")
		case amount <= 0:
			q.fail("amount", "must be positive")
		case amount < remit.MinAmount:
			q.fail("amount", "must be at least 1 (a whole unit of the currency)")
		case amount > remit.MaxAmount:
			q.fail("amount", "must be at most 1,000,000,000")
		}
	}
	if q.err == nil && !remit.IsCurrency(currency, false) {
		q.fail("currency", "required: an ISO 4217 currency code (e.g. GBP)")
	}
	if q.err == nil && len(from) == 3 && !remit.CurrencyPlausible(from, currency) {
		q.fail("currency", fmt.Sprintf("%s is not a currency of the sending country %s (%s; USD and EUR are also accepted)",
			currency, from, strings.Join(remit.CountryCurrencies(from), ", ")))
	}
	if q.err == nil && from == to {
		q.fail("to", "must differ from the sending country")
	}
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	for _, f := range [...][2]string{{"from", from}, {"to", to}} {
		ok, err := a.db.RemitCountryKnown(r.Context(), f[1])
		if err == nil && !ok && remit.CodeName(f[1]) != "" {
			// RPW's own codes the geography lacks (ANT, KSV), when data exist.
			ok, err = a.db.RemitCodeHasData(r.Context(), f[1])
		}
		if err != nil {
			a.problem(w, r, err)
			return
		}
		if !ok {
			a.problem(w, r, &web.ParamError{Param: f[0], Reason: fmt.Sprintf("%q is not a country of the reference geography", f[1])})
			return
		}
	}
	c := remit.Corridor{From: from, To: to}
	quotes, err := a.db.RemitServices(r.Context(), c, currency)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	rules := remit.DefaultRules()
	ranked, err := remit.Rank(quotes, remit.RankRequest{Corridor: c, Amount: amount, Currency: currency, Now: senderNow(), MaxAge: rules.MaxAge})
	if err != nil {
		a.problem(w, r, remitParamError(err))
		return
	}
	if format == formatCSV {
		cw := csvDownload(w, `remittance-quotes-`+c.String()+`.csv`)
		cw.Write([]string{"rank", "provider", "firmType", "feePct", "fxMarginPct", "totalCostPct", "amountReceived", "receiveCurrency",
			"speed", "pickupMethod", "transparent", "quotedAt", "submittedAt", "stale", "complete", "valueReceived", "source", "reason", "survey", "notes",
			"interbankVerified"})
		// Only complete services are ranked (they come first, numbered 1…n);
		// stale and incomplete ones have an empty rank, as on the page.
		for i, s := range ranked {
			rank := ""
			if s.Complete {
				rank = strconv.Itoa(i + 1)
			}
			cw.Write([]string{rank, csvSafe(s.Provider), s.FirmType.String(), fmtPct(&s.FeePct), fmtPct(s.FXMarginPct),
				fmtPct(s.TotalCostPct), fmtPct(s.AmountReceived), s.ReceiveCurrency, s.Speed.String(), csvSafe(s.PickupMethod),
				strconv.FormatBool(s.Transparent), s.QuotedAt.Format(time.RFC3339), fmtTime(s.SubmittedAt), strconv.FormatBool(s.Stale),
				strconv.FormatBool(s.Complete), fmtPct(s.ValueReceived), csvSafe(s.Source), csvSafe(s.Reason), strconv.FormatBool(s.IsSurvey()),
				strings.Join(s.Notes, " "), strconv.FormatBool(s.InterbankVerified)})
		}
		cw.Flush()
		return
	}
	current, survey, info := remit.SplitSurvey(ranked)
	out := RemitQuotesAnswer{From: from, To: to, Amount: amount, Currency: currency, StaleAfterHours: rules.MaxAge.Hours(),
		Services: ranked, CurrentOffers: len(current), Survey: survey, Citation: RemitCitation, Rules: remitRules}
	if len(survey) > 0 {
		out.SurveyInfo = &info
	}
	web.WriteJSON(w, http.StatusOK, out)
}

func fmtPct(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// remitBodyTooLarge is an oversized quote body: a 413 (through
// http.MaxBytesError) whose problem names the parameter "body".
type remitBodyTooLarge struct{ limit int64 }

func (e *remitBodyTooLarge) Error() string {
	return fmt.Sprintf("parameter body: larger than the %d-byte limit", e.limit)
}

func (e *remitBodyTooLarge) Unwrap() []error {
	return []error{&http.MaxBytesError{Limit: e.limit},
		&web.ParamError{Param: "body", Reason: fmt.Sprintf("larger than the %d-byte limit", e.limit)}}
}

// remitParamError names the parameter of a remit error ("amount: …").
func remitParamError(err error) error {
	var fes remit.FieldErrors
	if errors.As(err, &fes) && len(fes) > 0 {
		// The first field names the parameter; its name is not repeated
		// in the reason ("parameter amount: …; fee: …").
		reason := fes[0].Reason
		if len(fes) > 1 {
			reason += "; " + fes[1:].Error()
		}
		return &web.ParamError{Param: fes[0].Field, Reason: reason}
	}
	var fe *remit.FieldError
	if errors.As(err, &fe) {
		return &web.ParamError{Param: fe.Field, Reason: fe.Reason}
	}
	msg := err.Error()
	for _, p := range []string{"from", "to", "amount", "currency", "period", "corridor"} {
		if strings.HasPrefix(msg, p+": ") {
			return &web.ParamError{Param: p, Reason: strings.TrimPrefix(msg, p+": ")}
		}
	}
	return err
}

// RemitSeriesAnswer is a corridor's series.
type RemitSeriesAnswer struct {
	Corridor string                   `json:"corridor"`
	Series   []store.RemitSeriesPoint `json:"series"`
	// SDG is the latest quarter against the SDG 10.c.1 5 % corridor
	// ceiling.
	SDG      *remit.SDGStatus `json:"sdg,omitempty"`
	Citation string           `json:"citation"`
}

func (a *API) remitCorridor(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	format := remitFormat(r, q)
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	c, err := parseCorridorPath(r.PathValue("corridor"))
	if err != nil {
		a.problem(w, r, err)
		return
	}
	series, err := a.db.RemitCorridorSeries(r.Context(), c)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	if format == formatCSV {
		cw := csvDownload(w, `remittance-corridor-`+c.String()+`.csv`)
		cw.Write([]string{"corridor", "period", "averageTotalCostPct", "smartPct", "services", "source"})
		for _, p := range series {
			n := ""
			if p.Services != nil {
				n = strconv.Itoa(*p.Services)
			}
			cw.Write([]string{c.String(), p.Period.String(), fmtPct(&p.AverageTotalCostPct), fmtPct(p.SmaRTPct), n, csvSafe(p.Source)})
		}
		cw.Flush()
		return
	}
	last := series[len(series)-1]
	s := remit.CorridorSDGStatus(last.AverageTotalCostPct)
	web.WriteJSON(w, http.StatusOK, RemitSeriesAnswer{Corridor: c.String(), Series: series, SDG: &s, Citation: RemitCitation})
}

// parseCorridorPath reads FROM-TO (ISO alpha-3 codes joined by a hyphen).
func parseCorridorPath(s string) (remit.Corridor, error) {
	if len(s) != 7 || s[3] != '-' {
		return remit.Corridor{}, &web.ParamError{Param: "corridor", Reason: "FROM-TO: two ISO 3166-1 alpha-3 codes joined by a hyphen (e.g. GBR-KEN)"}
	}
	c, err := remit.ParseCorridor(s)
	if err != nil {
		return c, &web.ParamError{Param: "corridor", Reason: "FROM-TO: two ISO 3166-1 alpha-3 codes joined by a hyphen (e.g. GBR-KEN)"}
	}
	if c.From == c.To {
		return c, &web.ParamError{Param: "corridor", Reason: "the sending and receiving countries must differ"}
	}
	return c, nil
}

// RemitAveragesAnswer is the averages of a quarter.
type RemitAveragesAnswer struct {
	Period   remit.Period              `json:"period"`
	Group    string                    `json:"group"`
	Averages []store.RemitGroupAverage `json:"averages"`
	Citation string                    `json:"citation"`
}

func (a *API) remitAverages(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	ps := q.str("period", 20)
	group := q.str("group", 16)
	format := remitFormat(r, q)
	var p remit.Period
	if q.err == nil {
		var err error
		if ps == "" {
			q.fail("period", "required: a quarter (e.g. 2020Q3)")
		} else if p, err = remit.ParsePeriod(ps); err != nil {
			q.fail("period", "a quarter (e.g. 2020Q3)")
		}
	}
	if group == "" {
		group = store.RemitGroupGlobal
	}
	if q.err == nil && !slices.Contains(store.RemitGroups, group) {
		q.fail("group", "one of "+strings.Join(store.RemitGroups, ", "))
	}
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	avgs, err := a.db.RemitAverages(r.Context(), p, group)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	if format == formatCSV {
		cw := csvDownload(w, `remittance-averages-`+p.String()+`-`+group+`.csv`)
		cw.Write([]string{"period", "group", "code", "name", "averageTotalCostPct", "services", "corridors", "source", "method",
			"surveyCorridors", "partial", "coverage"})
		for _, g := range avgs {
			cw.Write([]string{p.String(), group, g.Group, csvSafe(g.Name), fmtPct(&g.AverageTotalCostPct), strconv.Itoa(g.Services),
				strconv.Itoa(g.Corridors), csvSafe(g.Source), g.Method, strconv.Itoa(g.SurveyCorridors), strconv.FormatBool(g.Partial),
				g.Coverage})
		}
		cw.Flush()
		return
	}
	web.WriteJSON(w, http.StatusOK, RemitAveragesAnswer{Period: p, Group: group, Averages: avgs, Citation: RemitCitation})
}

// RemitFeesAnswer is the fees paid in a quarter.
type RemitFeesAnswer struct {
	store.RemitFees
	Citation     string `json:"citation"`
	FlowCitation string `json:"flowCitation"`
}

func (a *API) remitFees(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	ps := q.str("period", 20)
	format := remitFormat(r, q)
	var p remit.Period
	if q.err == nil {
		var err error
		if ps == "" {
			q.fail("period", "required: a quarter (e.g. 2020Q3)")
		} else if p, err = remit.ParsePeriod(ps); err != nil {
			q.fail("period", "a quarter (e.g. 2020Q3)")
		}
	}
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	f, err := a.db.RemitFeesPaid(r.Context(), p)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	if format == formatCSV {
		cw := csvDownload(w, `remittance-fees-`+p.String()+`.csv`)
		cw.Write([]string{"period", "from", "to", "averageTotalCostPct", "costSource", "flowYear", "flowUsd", "feesUsd", "aboveTargetUsd"})
		for _, c := range f.Corridors {
			cw.Write([]string{p.String(), c.From, c.To, fmtPct(&c.AverageTotalCostPct), csvSafe(c.CostSource), c.FlowYear,
				fmtPct(&c.FlowUSD), fmtPct(&c.FeesUSD), fmtPct(&c.AboveTargetUSD)})
		}
		cw.Flush()
		return
	}
	web.WriteJSON(w, http.StatusOK, RemitFeesAnswer{RemitFees: f, Citation: RemitCitation,
		FlowCitation: RemitFlowCitation})
}

// RemitQuoteRequest is a quote a provider submits. Date defaults to now;
// the quarter is the date's.
type RemitQuoteRequest struct {
	From            string  `json:"from"`
	To              string  `json:"to"`
	Firm            string  `json:"firm"`
	FirmType        string  `json:"firmType"`
	Date            string  `json:"date"` // RFC 3339 or YYYY-MM-DD; default now
	Amount          float64 `json:"amount"`
	SendCurrency    string  `json:"sendCurrency"`
	Fee             float64 `json:"fee"`
	Rate            float64 `json:"rate"`
	InterbankRate   float64 `json:"interbankRate"`
	ReceiveCurrency string  `json:"receiveCurrency"`
	// BasketUSD is accepted for compatibility and ignored: the server
	// derives the basket from the amount (its USD value at the reference
	// rate within ±20 % of 200 or 500; else 0, in no RPW basket).
	BasketUSD         float64 `json:"basketUsd"`
	Speed             string  `json:"speed"`
	PaymentInstrument string  `json:"paymentInstrument"`
	AccessPoint       string  `json:"accessPoint"`
	PickupMethod      string  `json:"pickupMethod"`
	NetworkCoverage   string  `json:"networkCoverage"`
	Transparent       *bool   `json:"transparent"` // default true
}

func (a *API) submitRemitQuote(w http.ResponseWriter, r *http.Request) {
	q, _, err := readRemitQuote(w, r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	ctx := store.WithAuditClient(r.Context(), web.ClientAddr(r), "")
	sq, err := a.db.SubmitQuote(ctx, web.PrincipalFrom(r.Context()), q, remit.DefaultRules())
	if err != nil {
		a.problem(w, r, remitParamError(err))
		return
	}
	web.SkipAudit(r) // the store audited the submission with it
	w.Header().Set("Location", "/api/v1/remittances/quotes?from="+sq.From+"&to="+sq.To+"&amount="+
		strconv.FormatFloat(sq.Amount, 'f', -1, 64)+"&currency="+sq.SendCurrency)
	web.WriteJSON(w, http.StatusCreated, sq)
}

// readRemitQuote reads a RemitQuoteRequest body into a quote, and says
// whether firmType was given. The error names the parameter at fault:
// Content-Type (not application/json), body (too large: 413; malformed),
// a key given twice, or the field.
func readRemitQuote(w http.ResponseWriter, r *http.Request) (remit.Quote, bool, error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return remit.Quote{}, false, &web.ParamError{Param: "Content-Type", Reason: "must be application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, RemitMaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return remit.Quote{}, false, &remitBodyTooLarge{limit: RemitMaxBody}
		}
		return remit.Quote{}, false, &web.ParamError{Param: "body", Reason: "could not be read"}
	}
	if k, ok := remitDuplicateKey(body); ok {
		return remit.Quote{}, false, &web.ParamError{Param: k, Reason: "given more than once in the JSON object"}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var in RemitQuoteRequest
	if err := decodeJSON(r, &in); err != nil {
		if errors.Is(err, derrors.TooLarge) {
			err = &remitBodyTooLarge{limit: RemitMaxBody}
		}
		return remit.Quote{}, false, err
	}
	q, err := remitQuoteFrom(in)
	return q, in.FirmType != "", err
}

// remitDuplicateKey returns the first key given twice in a JSON object of
// body (at any depth); ok is false when there is none or body is not
// well-formed JSON (decoding then names the problem).
func remitDuplicateKey(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		object bool
		keys   map[string]bool
		expect bool // the next token of an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if top != nil && top.object {
					top.expect = true
				}
				stack = append(stack, &frame{object: d == '{', keys: map[string]bool{}, expect: d == '{'})
			case '}', ']':
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 {
				return "", false
			}
			continue
		}
		if top != nil && top.object {
			if top.expect {
				k, _ := tok.(string)
				if top.keys[k] {
					return k, true
				}
				top.keys[k] = true
				top.expect = false
			} else {
				top.expect = true
			}
		}
	}
}

func remitQuoteFrom(in RemitQuoteRequest) (remit.Quote, error) {
	date := time.Now().UTC()
	if ds := strings.TrimSpace(in.Date); ds != "" {
		d, err := time.Parse(time.RFC3339, ds)
		if err != nil {
			d, err = time.Parse(time.DateOnly, ds)
		}
		if err != nil {
			return remit.Quote{}, &web.ParamError{Param: "date", Reason: "a date (2025-08-19) or time (2025-08-19T10:00:00Z)"}
		}
		date = d.UTC()
	}
	q := remit.Quote{Corridor: remit.Corridor{From: strings.ToUpper(strings.TrimSpace(in.From)), To: strings.ToUpper(strings.TrimSpace(in.To))},
		Date: date, Firm: strings.TrimSpace(in.Firm), Amount: in.Amount, SendCurrency: strings.ToUpper(strings.TrimSpace(in.SendCurrency)),
		Fee: in.Fee, Rate: in.Rate, InterbankRate: in.InterbankRate, ReceiveCurrency: strings.ToUpper(strings.TrimSpace(in.ReceiveCurrency)),
		BasketUSD: in.BasketUSD, PaymentInstrument: strings.TrimSpace(in.PaymentInstrument), AccessPoint: strings.TrimSpace(in.AccessPoint),
		PickupMethod: strings.TrimSpace(in.PickupMethod), NetworkCoverage: strings.TrimSpace(in.NetworkCoverage), Transparent: true}
	if in.Transparent != nil {
		q.Transparent = *in.Transparent
	}
	q.Period = remit.PeriodOf(q.Date)
	if in.FirmType != "" {
		ft, ok := remit.ParseFirmType(in.FirmType)
		if !ok {
			return remit.Quote{}, &web.ParamError{Param: "firmType", Reason: "one of bank, mto, mobile, post, other"}
		}
		q.FirmType = ft
	}
	if sp, ok := remit.ParseSpeed(in.Speed); ok {
		q.Speed = sp
	} else {
		return remit.Quote{}, &web.ParamError{Param: "speed", Reason: "one of: Less than one hour, Same day, Next day, 2 days, 3-5 days, 6 days or more"}
	}
	if in.BasketUSD != 0 && in.BasketUSD != 200 && in.BasketUSD != 500 {
		return remit.Quote{}, &web.ParamError{Param: "basketUsd", Reason: "200, 500 or 0 (not a USD basket amount)"}
	}
	return q, nil
}

// RemitOwnQuote is one of a provider organisation's quotes as its staff
// see it: the stored quote, its status, the figures computed from it, and
// whether it is stale now.
type RemitOwnQuote struct {
	store.SubmittedQuote
	FeePct       float64  `json:"feePct"`
	FXMarginPct  *float64 `json:"fxMarginPct"`
	TotalCostPct *float64 `json:"totalCostPct"`
	Stale        bool     `json:"stale"`
}

// RemitOwnQuotesAnswer lists a provider organisation's quotes.
type RemitOwnQuotesAnswer struct {
	Quotes          []RemitOwnQuote `json:"quotes"`
	StaleAfterHours float64         `json:"staleAfterHours"`
}

// remitOwn adds the computed figures to a stored quote.
func remitOwn(sq store.SubmittedQuote, now time.Time) RemitOwnQuote {
	o := RemitOwnQuote{SubmittedQuote: sq, FeePct: sq.FeePct(), Stale: sq.Stale(now, remit.DefaultRules().MaxAge)}
	if m, ok := sq.FXMarginPct(); ok {
		t := o.FeePct + m
		o.FXMarginPct, o.TotalCostPct = &m, &t
	}
	return o
}

func (a *API) myRemitQuotes(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).done(); err != nil {
		a.problem(w, r, err)
		return
	}
	list, err := a.db.OrgQuotes(r.Context(), web.PrincipalFrom(r.Context()))
	if err != nil {
		a.problem(w, r, err)
		return
	}
	now := time.Now().UTC()
	out := RemitOwnQuotesAnswer{Quotes: make([]RemitOwnQuote, len(list)), StaleAfterHours: remit.DefaultRules().MaxAge.Hours()}
	for i, sq := range list {
		out.Quotes[i] = remitOwn(sq, now)
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, out)
}

// remitQuoteID reads the {id} of a quote path.
func remitQuoteID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, &web.ParamError{Param: "id", Reason: "a quote id (a positive whole number)"}
	}
	return id, nil
}

func (a *API) correctRemitQuote(w http.ResponseWriter, r *http.Request) {
	id, err := remitQuoteID(r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	q, firmTypeGiven, err := readRemitQuote(w, r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	if !firmTypeGiven {
		// The firm type of the quote corrected, unless given.
		old, err := a.db.OrgQuote(r.Context(), web.PrincipalFrom(r.Context()), id)
		if err != nil {
			a.problem(w, r, err)
			return
		}
		q.FirmType = old.FirmType
	}
	ctx := store.WithAuditClient(r.Context(), web.ClientAddr(r), "")
	sq, err := a.db.CorrectQuote(ctx, web.PrincipalFrom(r.Context()), id, q, remit.DefaultRules())
	if err != nil {
		a.problem(w, r, remitParamError(err))
		return
	}
	web.SkipAudit(r) // the store audited the correction with it
	w.Header().Set("Location", "/api/v1/remittances/quotes/mine")
	web.WriteJSON(w, http.StatusCreated, remitOwn(sq, time.Now().UTC()))
}

func (a *API) withdrawRemitQuote(w http.ResponseWriter, r *http.Request) {
	id, err := remitQuoteID(r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	ctx := store.WithAuditClient(r.Context(), web.ClientAddr(r), "")
	sq, err := a.db.WithdrawQuote(ctx, web.PrincipalFrom(r.Context()), id)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.SkipAudit(r) // the store audited the withdrawal with it
	web.WriteJSON(w, http.StatusOK, remitOwn(sq, time.Now().UTC()))
}
