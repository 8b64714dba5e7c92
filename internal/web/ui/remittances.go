package ui

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/geo/worldmap"
	"github.com/corridor-platform/corridor/internal/i18n"
	"github.com/corridor-platform/corridor/internal/remit"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/api"
)

// Remittance prices (internal/remit): the public sender comparison
// (/remittances), the planners' page (/remittances/corridors: corridor
// ranking, map of the average cost by receiving country, fees paid per
// year) and the quote form of signed-in provider organisations
// (/remittances/quotes/new). The figures are those of the API
// (/api/v1/remittances/…), computed by the same store calls and
// remit.Rank, and every page links the API's CSV and JSON.

const remitSection = "remittances"

func (u *UI) remittanceRoutes() []web.Route {
	return []web.Route{
		pageRoute("/remittances", "remittances",
			"Sender comparison: a corridor's services for an amount ranked by amount received, the corridor's cost history, SmaRT and SDG 10.c.1 status",
			u.handle(remitSection, u.remitSender)),
		pageRoute("/remittances/corridors", "remittances",
			"Planners: corridor ranking by average total cost, map of the average cost by receiving country, fees paid per year (flow × cost)",
			u.handle(remitSection, u.remitPlanner)),
	}
}

// remitQuoteRoutes are the provider's quote form (signed in).
func (u *UI) remitQuoteRoutes() []web.Route {
	return []web.Route{
		{Method: http.MethodGet, Pattern: "/remittances/quotes/new", Resource: "remittances", Action: web.ActionCreate,
			Summary: "Submit a current remittance quote for one's provider organisation (form)", Handler: u.handle(remitSection, u.remitQuoteForm)},
		{Method: http.MethodPost, Pattern: "/remittances/quotes/new", Resource: "remittances", Action: web.ActionCreate,
			Summary: "Submit a current remittance quote (form): validated, timestamped, audited", Handler: u.handle(remitSection, u.remitQuoteSubmit)},
		{Method: http.MethodGet, Pattern: "/remittances/quotes/mine", Resource: "remittances", Action: web.ActionCreate,
			Summary: "One's provider organisation's quotes with their status; correct or withdraw them", Handler: u.handle(remitSection, u.remitMine)},
		{Method: http.MethodPost, Pattern: "/remittances/quotes/{id}/withdraw", Resource: "remittances", Action: web.ActionCreate,
			Summary: "Withdraw one of one's organisation's quotes (form): no longer ranked or averaged; audited", Handler: u.handle(remitSection, u.remitWithdraw)},
	}
}

// ---- shared helpers

// remitNames are the reference geography's country names by code.
func (u *UI) remitNames(ctx context.Context) (map[string]string, []geo.Area, error) {
	areas, err := u.geo.Areas(ctx, geo.Filter{Limit: maxLimit})
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	for _, a := range areas.Areas {
		names[a.Code] = a.Name
	}
	return names, areas.Areas, nil
}

func remitName(names map[string]string, code string) string {
	if n := names[code]; n != "" {
		return n
	}
	if n := remit.CodeName(code); n != "" { // RPW's own codes: ANT, KSV
		return n
	}
	return code
}

// remitLink is a link with its text.
type remitLink struct{ URL, Label string }

// senderURL is the sender comparison of a corridor.
func senderURL(c remit.Corridor) string {
	return "/remittances?" + url.Values{"from": {c.From}, "to": {c.To}}.Encode()
}

// remitCode reads an optional ISO alpha-3 parameter.
func remitCode(q url.Values, name string) (string, error) {
	v := strings.ToUpper(strings.TrimSpace(q.Get(name)))
	if v == "" {
		return "", nil
	}
	if len(v) != 3 || strings.IndexFunc(v, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return "", &paramError{Param: name, ReasonID: "remit.error.country"}
	}
	return v, nil
}

// pct formats a percentage in the page's language.
func (v *view) pct(x float64) string { return v.T("remit.pct", "Value", v.num(x, 2)) }

// remitSource labels the source of a figure.
func (v *view) remitSource(s string) string {
	if s == store.RemitSourceQuotes {
		return v.T("remit.source.quotes")
	}
	if strings.HasSuffix(s, "official-corridors.csv") {
		return v.T("remit.source.publishedUK", "Value", strings.TrimPrefix(s, "import:"))
	}
	// The DataBank corridor averages: the publication's title, not the
	// export's file name (a UUID).
	return v.T("remit.source.published")
}

// remitStatus says where a cost stands against a target.
type remitStatus struct {
	Text  string
	Class string // progress-on-track, progress-off-track
}

func (v *view) remitStatus(s remit.SDGStatus) remitStatus {
	if s.Met {
		return remitStatus{Text: v.T("remit.sdg.met", "Value", v.pct(s.ValuePct), "Max", v.pct(s.TargetPct), "Number", v.num(math.Abs(s.GapPct), 2)),
			Class: "progress-on-track"}
	}
	return remitStatus{Text: v.T("remit.sdg.above", "Value", v.pct(s.ValuePct), "Max", v.pct(s.TargetPct), "Number", v.num(s.GapPct, 2)),
		Class: "progress-off-track"}
}

// ---- sender comparison

// remitService is one service as the page shows it.
type remitService struct {
	Rank                                   int // 0: not ranked (stale or incomplete)
	Provider, FirmType                     string
	Fee, Rate, FXMargin, TotalCost         string
	Received, ReceivedRaw                  string
	Speed, Pickup, Transparency, Date, Age string
	SubmittedAt                            string // "submitted …" (provider quotes), else ""
	Stale, Transparent, Exact              bool
	Flags                                  []string
	// Notes are the survey's notes on the price (promotion, account
	// required), translated.
	Notes []string
	// Source labels where the quote comes from; Submitted: the provider's
	// own quote (else World Bank RPW survey data).
	Source    string
	Submitted bool
}

// remitHistoryRow is one quarter of the corridor's series.
type remitHistoryRow struct {
	Period, Value, Raw, SmaRT, Services, Source string
}

type remitSenderPage struct {
	NotLoaded              bool
	From, To               []mapOption
	Currencies             []mapOption
	Amount, Currency       string
	AmountLabel            string // the amount in the page's language
	Asked                  bool
	Corridor, CorridorName string
	FromName, ToName       string
	Empty                  bool // the corridor has no data at all
	NoQuotes               bool // it has history but no quotes in the currency
	Suggestions            []remitLink
	OtherCurrencies        []remitLink // the corridor's currencies, when the asked one is not quoted
	Ranked, Unranked       []remitService
	// Survey is the World Bank RPW survey prices (stale imported quotes),
	// shown apart from the current offers under SurveyTitle; NoCurrent:
	// there is no current offer (the page says so).
	Survey                []remitService
	SurveyTitle           string
	NoCurrent             bool
	StaleDays             string
	Chart                 template.HTML
	History               []remitHistoryRow
	LatestPeriod          string
	LatestAverage, SmaRT  string
	LatestSource          string
	Vs5, Vs3              remitStatus
	QuotesCSV, QuotesJSON string
	SeriesCSV, SeriesJSON string
	Citation              string
	ProviderForm          bool
	WDI                   []remitWDIRow // the WDI average costs from the sending and to the receiving country
}

// remitWDIRow is a country's latest WDI average cost.
type remitWDIRow struct {
	ID, Text, Raw, Source string
}

func (u *UI) remitSender(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	q := r.URL.Query()
	v.Title = v.T("remit.sender.title")
	for _, k := range slices.Sorted(maps.Keys(q)) {
		if !slices.Contains(remitSenderParams, k) {
			return &paramError{Param: k, ReasonID: "remit.error.senderParam"}
		}
		if len(q[k]) > 1 {
			return &paramError{Param: k, ReasonID: "remit.error.repeated"}
		}
	}
	p := remitSenderPage{Citation: api.RemitCitation, StaleDays: v.num(remit.DefaultRules().MaxAge.Hours()/24, 0)}
	if v.SignedIn {
		p.ProviderForm = web.PrincipalFrom(ctx).Can(store.RemitResource, auth.Create)
	}
	from, err := remitCode(q, "from")
	if err != nil {
		return err
	}
	to, err := remitCode(q, "to")
	if err != nil {
		return err
	}
	currency := strings.ToUpper(strings.TrimSpace(q.Get("currency")))
	if currency != "" && !remit.IsCurrency(currency, false) {
		return &paramError{Param: "currency", ReasonID: "remit.error.currency"}
	}
	if currency != "" && from != "" && !remit.CurrencyPlausible(from, currency) {
		return &paramError{Param: "currency", ReasonID: "remit.error.currencyCountry"}
	}
	amountS := strings.TrimSpace(strings.Replace(q.Get("amount"), ",", ".", 1))
	var amount float64
	if amountS != "" {
		amount, err = strconv.ParseFloat(amountS, 64)
		if !api.RemitPlainNumber(amountS) || err != nil || math.IsNaN(amount) || math.IsInf(amount, 0) || amount < remit.MinAmount || amount > remit.MaxAmount {
			return &paramError{Param: "amount", ReasonID: "remit.error.amount"}
		}
	}
	if from != "" && from == to {
		return &paramError{Param: "to", ReasonID: "remit.error.same"}
	}
	if u.db == nil {
		p.NotLoaded = true
		v.Data = p
		return u.render(w, http.StatusOK, "remittances", v)
	}
	for _, f := range [...][2]string{{"from", from}, {"to", to}} {
		if f[1] == "" {
			continue
		}
		ok, err := u.db.RemitCountryKnown(ctx, f[1])
		if err != nil {
			return err
		}
		if !ok && remit.CodeName(f[1]) != "" {
			// RPW's own codes the geography lacks (ANT, KSV): accepted
			// when the store holds data for them (the list offers them).
			ok, err = u.db.RemitCodeHasData(ctx, f[1])
			if err != nil {
				return err
			}
		}
		if !ok {
			return &paramError{Param: f[0], ReasonID: "remit.error.countryUnknown"}
		}
	}
	names, _, err := u.remitNames(ctx)
	if err != nil {
		return err
	}
	known, err := u.db.RemitKnownCorridors(ctx)
	if err != nil {
		return err
	}
	p.From, p.To = remitCountryOptions(known, names, from, to)
	if from == "" || to == "" {
		// The form alone, with the corridors that have quotes.
		p.Suggestions = remitSuggestions(known, names, "", "")
		v.Data = p
		return u.render(w, http.StatusOK, "remittances", v)
	}
	c := remit.Corridor{From: from, To: to}
	p.Asked, p.Corridor = true, c.String()
	p.FromName, p.ToName = remitName(names, from), remitName(names, to)
	p.CorridorName = v.T("remit.corridor.name", "From", p.FromName, "To", p.ToName)
	v.Title = v.T("remit.sender.titleCorridor", "Name", p.CorridorName)

	curs, err := u.db.RemitCorridorCurrencies(ctx, c)
	if err != nil {
		return err
	}
	if currency == "" && len(curs) > 0 {
		currency = curs[0].Code
	}
	for _, cu := range curs {
		p.Currencies = append(p.Currencies, mapOption{Value: cu.Code, Label: cu.Code, Selected: cu.Code == currency})
		if amount == 0 && cu.Code == currency {
			amount = cu.Basket200
		}
	}
	if currency != "" && !slices.ContainsFunc(curs, func(cu store.RemitCurrency) bool { return cu.Code == currency }) {
		p.Currencies = append(p.Currencies, mapOption{Value: currency, Label: currency, Selected: true})
		// The corridor is quoted in other currencies: offer them.
		for _, cu := range curs {
			q := url.Values{"from": {from}, "to": {to}, "currency": {cu.Code}}
			if cu.Basket200 > 0 {
				q.Set("amount", strconv.FormatFloat(cu.Basket200, 'f', -1, 64))
			}
			p.OtherCurrencies = append(p.OtherCurrencies, remitLink{URL: "/remittances?" + q.Encode(), Label: cu.Code})
		}
	}
	p.Currency = currency
	if amount > 0 {
		p.Amount, p.AmountLabel = strconv.FormatFloat(amount, 'f', -1, 64), v.num(amount, 2)
	}

	// The WDI average costs from the sending and to the receiving country.
	for _, w := range [...]struct{ id, indicator, country, name, msg string }{
		{"remit-wdi-from", store.RemitWDIFrom, from, p.FromName, "remit.wdi.from"},
		{"remit-wdi-to", store.RemitWDITo, to, p.ToName, "remit.wdi.to"},
	} {
		wc, ok, err := u.db.RemitWDILatest(ctx, w.indicator, w.country)
		if err != nil {
			return err
		}
		if ok {
			if w.name == w.country && wc.CountryName != "" {
				w.name = wc.CountryName // no reference geography: WDI's name
			}
			p.WDI = append(p.WDI, remitWDIRow{ID: w.id, Text: v.T(w.msg, "Name", w.name, "Value", v.pct(wc.Pct), "Time", strconv.Itoa(wc.Year)),
				Raw:    strconv.FormatFloat(wc.Pct, 'f', -1, 64),
				Source: v.T("remit.wdi.source", "Value", wc.Indicator, "Name", strings.TrimPrefix(wc.Source, "import:"))})
		}
	}

	// The history (quotes or published averages).
	series, err := u.db.RemitCorridorSeries(ctx, c)
	switch {
	case errors.Is(err, derrors.NotFound):
		series = nil
	case err != nil:
		return err
	}
	if len(series) > 0 {
		if err := v.remitHistory(&p, c, series); err != nil {
			return err
		}
	}
	// The services.
	if currency != "" && amount > 0 {
		quotes, err := u.db.RemitServices(ctx, c, currency)
		if err != nil {
			return err
		}
		rules := remit.DefaultRules()
		ranked, err := remit.Rank(quotes, remit.RankRequest{Corridor: c, Amount: amount, Currency: currency, Now: time.Now().UTC(), MaxAge: rules.MaxAge})
		if err != nil {
			return err
		}
		current, survey, info := remit.SplitSurvey(ranked)
		v.remitServices(&p, current, amount, currency)
		for _, s := range survey {
			p.Survey = append(p.Survey, v.remitService(&p, s, amount, currency))
		}
		if len(survey) > 0 {
			period := info.LastPeriod.String()
			if info.FirstPeriod != info.LastPeriod {
				period = info.FirstPeriod.String() + "–" + info.LastPeriod.String()
			}
			p.SurveyTitle = v.T("remit.survey.title", "Time", period, "From", info.CollectedFrom.Format(time.DateOnly),
				"To", info.CollectedTo.Format(time.DateOnly))
		}
		p.NoCurrent = len(current) == 0
		aq := url.Values{"from": {from}, "to": {to}, "amount": {p.Amount}, "currency": {currency}}
		p.QuotesJSON = "/api/v1/remittances/quotes?" + aq.Encode()
		aq.Set("format", "csv")
		p.QuotesCSV = "/api/v1/remittances/quotes?" + aq.Encode()
	}
	if len(p.Ranked)+len(p.Unranked)+len(p.Survey) == 0 {
		p.NoCurrent = false
		if len(series) == 0 {
			p.Empty = true
		} else {
			p.NoQuotes = true
		}
		p.Suggestions = remitSuggestions(known, names, from, to)
	}
	v.Data = p
	return u.render(w, http.StatusOK, "remittances", v)
}

// remitCountryOptions are the form's sending and receiving countries: the
// countries of the corridors with data, by name.
func remitCountryOptions(known []store.RemitCorridorInfo, names map[string]string, from, to string) (fo, tos []mapOption) {
	fs, ts := map[string]bool{}, map[string]bool{}
	for _, k := range known {
		fs[k.From], ts[k.To] = true, true
	}
	if from != "" {
		fs[from] = true
	}
	if to != "" {
		ts[to] = true
	}
	opts := func(set map[string]bool, chosen string) []mapOption {
		out := make([]mapOption, 0, len(set))
		for code := range set {
			out = append(out, mapOption{Value: code, Label: remitName(names, code), Selected: code == chosen})
		}
		slices.SortFunc(out, func(a, b mapOption) int { return compareStrings(a.Label, b.Label) })
		return out
	}
	return opts(fs, from), opts(ts, to)
}

// remitSuggestions are up to 8 corridors with quotes, those sharing the
// asked sending or receiving country first.
func remitSuggestions(known []store.RemitCorridorInfo, names map[string]string, from, to string) []remitLink {
	var near, other []remitLink
	for _, k := range known {
		if !k.HasQuotes || (k.From == from && k.To == to) {
			continue
		}
		l := remitLink{URL: senderURL(k.Corridor), Label: remitName(names, k.From) + " → " + remitName(names, k.To)}
		if from != "" && (k.From == from || k.To == to) {
			near = append(near, l)
		} else {
			other = append(other, l)
		}
	}
	out := append(near, other...)
	if len(out) > 8 {
		out = out[:8]
	}
	return out
}

func (v *view) remitServices(p *remitSenderPage, ranked []remit.RankedService, amount float64, currency string) {
	n := 0
	for _, s := range ranked {
		rs := v.remitService(p, s, amount, currency)
		if s.Complete {
			n++
			rs.Rank = n
			p.Ranked = append(p.Ranked, rs)
		} else {
			p.Unranked = append(p.Unranked, rs)
		}
	}
}

// remitService is one ranked service as the page shows it (Rank unset).
func (v *view) remitService(p *remitSenderPage, s remit.RankedService, amount float64, currency string) remitService {
	rs := remitService{Provider: s.Provider, FirmType: v.label("remit.firm", s.FirmType.String(), s.FirmType.Label()),
		Speed: v.label("remit.speed", strconv.Itoa(int(s.Speed)), s.Speed.String()), Pickup: v.label("remit.pickup", pickupKey(s.PickupMethod), s.PickupMethod),
		Stale: s.Stale, Transparent: s.Transparent, Exact: s.Exact, Submitted: strings.HasPrefix(s.Source, "submitted:")}
	rs.Source = v.T("remit.source.rpw")
	if rs.Submitted {
		rs.Source = v.T("remit.source.submitted")
	}
	if rs.Pickup == "" {
		rs.Pickup = v.T("remit.unknown")
	}
	rs.Fee = v.T("remit.money", "Value", v.num(s.FeePct*amount/100, 2), "Unit", currency) + " (" + v.pct(s.FeePct) + ")"
	rs.Rate = v.T("remit.notDisclosed")
	if s.Quote != nil && s.Quote.Rate > 0 && s.Transparent {
		rs.Rate = v.num(s.Quote.Rate, 4)
	}
	rs.FXMargin, rs.TotalCost = v.T("remit.notKnown"), v.T("remit.notKnown")
	if s.FXMarginPct != nil {
		rs.FXMargin = v.pct(*s.FXMarginPct)
	}
	if s.TotalCostPct != nil {
		rs.TotalCost = v.pct(*s.TotalCostPct)
	}
	rs.Received = v.T("remit.notKnown")
	if s.AmountReceived != nil {
		rs.ReceivedRaw = strconv.FormatFloat(*s.AmountReceived, 'f', 2, 64)
		rs.Received = v.num(*s.AmountReceived, 2)
		unit := s.ReceiveCurrency
		if unit == "" { // RPW rows do not name it, and it could not be inferred on import
			unit = v.T("remit.currencyNotStated")
		}
		rs.Received = v.T("remit.money", "Value", rs.Received, "Unit", unit)
	}
	if s.Reason == remit.ReasonFeeExceedsAmount {
		rs.Flags = append(rs.Flags, v.T("remit.flag.feeExceeds"))
	}
	if !s.InterbankVerified {
		rs.Flags = append(rs.Flags, v.T("remit.flag.interbankUnverified"))
	}
	rs.Transparency = v.T("remit.transparent.yes")
	if !s.Transparent {
		rs.Transparency = v.T("remit.transparent.no")
		rs.Flags = append(rs.Flags, v.T("remit.flag.nonTransparent"))
	}
	if s.Stale {
		rs.Flags = append(rs.Flags, v.T("remit.flag.stale", "Count", p.StaleDays))
	}
	if !s.Exact && s.Quote != nil {
		rs.Flags = append(rs.Flags, v.T("remit.flag.inexact", "Value", v.num(s.Quote.Amount, 2), "Unit", currency))
	}
	for _, n := range s.Notes {
		rs.Notes = append(rs.Notes, v.T("remit.note."+n))
	}
	rs.Date = s.QuotedAt.Format(time.DateOnly) // the price's date (stale is judged on it)
	if s.SubmittedAt != nil {
		rs.SubmittedAt = v.T("remit.submittedAt", "Time", s.SubmittedAt.Format("2006-01-02 15:04 UTC"))
	}
	return rs
}

func (v *view) remitHistory(p *remitSenderPage, c remit.Corridor, series []store.RemitSeriesPoint) error {
	periods := make([]string, len(series))
	avg := make([]statPoint, len(series))
	target := make([]statPoint, len(series))
	for i, s := range series {
		periods[i] = s.Period.String()
		avg[i] = statPoint{Period: periods[i], Value: s.AverageTotalCostPct, OK: true}
		target[i] = statPoint{Period: periods[i], Value: remit.SDGCorridorTargetPct, OK: true}
		row := remitHistoryRow{Period: periods[i], Value: v.pct(s.AverageTotalCostPct), Raw: strconv.FormatFloat(s.AverageTotalCostPct, 'f', -1, 64),
			SmaRT: "—", Services: "—", Source: v.remitSource(s.Source)}
		if s.SmaRTPct != nil {
			row.SmaRT = v.pct(*s.SmaRTPct)
		}
		if s.Services != nil {
			row.Services = v.num(float64(*s.Services), 0)
		}
		p.History = append(p.History, row)
	}
	last := series[len(series)-1]
	p.LatestPeriod, p.LatestAverage, p.LatestSource = last.Period.String(), v.pct(last.AverageTotalCostPct), v.remitSource(last.Source)
	p.SmaRT = v.T("remit.smart.none")
	if last.SmaRTPct != nil {
		p.SmaRT = v.pct(*last.SmaRTPct)
	}
	p.Vs5 = v.remitStatus(remit.CorridorSDGStatus(last.AverageTotalCostPct))
	p.Vs3 = v.remitStatus(remit.GlobalSDGStatus(last.AverageTotalCostPct))
	base := "/api/v1/remittances/corridors/" + c.String()
	p.SeriesJSON, p.SeriesCSV = base, base+"?format=csv"
	svg, err := renderChart(chartSpec{ID: "remit-history", Title: v.T("remit.history.title", "Name", p.CorridorName),
		Desc: v.T("remit.history.desc", "Count", len(periods)), Unit: v.T("remit.unit"), NoData: v.T("stats.noData"), Lang: v.Lang,
		Decimals: 2, Periods: periods, Line: true, Series: []chartLine{
			{Name: v.T("remit.history.average"), Values: avg},
			{Name: v.T("remit.history.target"), Values: target, Dashed: true},
		}})
	p.Chart = svg
	return err
}

// ---- planners

type remitRankRow struct {
	Name, URL, Corridor, Value, Raw, SmaRT, Services, Source string
	Status                                                   remitStatus
}

type remitFeeRow struct {
	Name, Cost, Flow, FlowYear, Fees, Above, AboveRaw string
}

// remitGlobal is the global average of the quarter against 3 %, with
// what it covers.
type remitGlobal struct {
	Value, Raw, Source string
	Status             remitStatus
	Coverage           string
	Partial            bool
	PartialText        string
	JSON               string
}

type remitPlannerPage struct {
	NotLoaded                   bool
	Global                      *remitGlobal
	Periods, Sorts              []mapOption
	Period                      string
	Rows                        []remitRankRow
	Above5                      int
	AveragesCSV, AveragesJSON   string
	SendingCSV                  string
	MapSVG                      template.HTML
	MapNotice                   string
	Legend                      []mapLegendItem
	NoDataFill, NoHatch, Credit string
	Receiving                   []remitRankRow
	FeesNotice                  string
	Fees                        []remitFeeRow
	TotalFlow, TotalFees        string
	TotalAbove                  string
	Weighted                    string
	FeesCSV, FeesJSON           string
	FlowCitation, Citation      string
}

// remitSenderParams are the sender page's query parameters; any other is
// refused naming it, as the API does.
var remitSenderParams = []string{"from", "to", "amount", "currency", i18n.QueryParam}

// remitPlannerParams are the planner page's query parameters.
var remitPlannerParams = []string{"period", "sort", i18n.QueryParam}

// remitSorts are the ranking's orders.
var remitSorts = []string{"cost", "-cost", "corridor"}

func (u *UI) remitPlanner(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	q := r.URL.Query()
	v.Title = v.T("remit.planner.title")
	p := remitPlannerPage{Citation: api.RemitCitation, FlowCitation: api.RemitFlowCitation}
	for _, k := range slices.Sorted(maps.Keys(q)) {
		if !slices.Contains(remitPlannerParams, k) {
			return &paramError{Param: k, ReasonID: "remit.error.plannerParam"}
		}
		if len(q[k]) > 1 {
			return &paramError{Param: k, ReasonID: "remit.error.repeated"}
		}
	}
	sort := q.Get("sort")
	if sort == "" {
		sort = "cost"
	}
	if !slices.Contains(remitSorts, sort) {
		return &paramError{Param: "sort", ReasonID: "remit.error.sort"}
	}
	ps := strings.TrimSpace(q.Get("period"))
	var period remit.Period
	if ps != "" {
		var err error
		if period, err = remit.ParsePeriod(ps); err != nil {
			return &paramError{Param: "period", ReasonID: "remit.error.period"}
		}
	}
	if u.db == nil {
		p.NotLoaded = true
		v.Data = p
		return u.render(w, http.StatusOK, "remittances_corridors", v)
	}
	periods, err := u.db.RemitPeriods(ctx)
	if err != nil {
		return err
	}
	if len(periods) == 0 {
		p.NotLoaded = true
		v.Data = p
		return u.render(w, http.StatusOK, "remittances_corridors", v)
	}
	if ps == "" {
		period = periods[len(periods)-1]
	} else if !slices.Contains(periods, period) {
		return &paramError{Param: "period", ReasonID: "remit.error.periodNoData",
			Data: map[string]any{"From": periods[0].String(), "To": periods[len(periods)-1].String()}}
	}
	p.Period = period.String()
	for i := len(periods) - 1; i >= 0; i-- {
		p.Periods = append(p.Periods, mapOption{Value: periods[i].String(), Label: periods[i].String(), Selected: periods[i] == period})
	}
	for _, s := range remitSorts {
		p.Sorts = append(p.Sorts, mapOption{Value: s, Label: v.T("remit.sort." + strings.Replace(s, "-", "desc", 1)), Selected: s == sort})
	}
	names, areas, err := u.remitNames(ctx)
	if err != nil {
		return err
	}
	avgs, err := u.db.RemitCorridorAverages(ctx, period)
	if err != nil {
		return err
	}
	glob, err := u.db.RemitAverages(ctx, period, store.RemitGroupGlobal)
	if err != nil && !errors.Is(err, derrors.NotFound) {
		return err
	}
	if len(glob) > 0 {
		g := glob[0]
		p.Global = &remitGlobal{Value: v.pct(g.AverageTotalCostPct), Raw: strconv.FormatFloat(g.AverageTotalCostPct, 'f', -1, 64),
			Source: v.remitSource(g.Source), Status: v.remitStatus(remit.GlobalSDGStatus(g.AverageTotalCostPct)), Partial: g.Partial}
		if g.Services > 0 {
			p.Global.Coverage = v.T("remit.global.coverageServices", "Count", v.num(float64(g.Services), 0), "Total", v.num(float64(g.Corridors), 0))
		} else {
			p.Global.Coverage = v.T("remit.global.coverageCorridors", "Total", v.num(float64(g.Corridors), 0))
		}
		if g.Partial {
			p.Global.PartialText = v.T("remit.global.partial", "Max", v.num(float64(g.SurveyCorridors), 0))
		}
		gq := url.Values{"period": {p.Period}, "group": {store.RemitGroupGlobal}}
		p.Global.JSON = "/api/v1/remittances/averages?" + gq.Encode()
	}
	for _, a := range avgs {
		row := remitRankRow{Name: v.T("remit.corridor.name", "From", remitName(names, a.From), "To", remitName(names, a.To)),
			URL: senderURL(a.Corridor), Corridor: a.Corridor.String(), Value: v.pct(a.AverageTotalCostPct),
			Raw: strconv.FormatFloat(a.AverageTotalCostPct, 'f', -1, 64), SmaRT: "—", Services: "—", Source: v.remitSource(a.Source),
			Status: v.remitStatus(remit.CorridorSDGStatus(a.AverageTotalCostPct))}
		if a.SmaRTPct != nil {
			row.SmaRT = v.pct(*a.SmaRTPct)
		}
		if a.Services != nil {
			row.Services = v.num(float64(*a.Services), 0)
		}
		if a.AverageTotalCostPct > remit.SDGCorridorTargetPct {
			p.Above5++
		}
		p.Rows = append(p.Rows, row)
	}
	switch sort {
	case "-cost":
		slices.Reverse(p.Rows)
	case "corridor":
		slices.SortStableFunc(p.Rows, func(a, b remitRankRow) int { return compareStrings(a.Name, b.Name) })
	}
	aq := url.Values{"period": {p.Period}, "group": {store.RemitGroupReceiving}}
	p.AveragesJSON = "/api/v1/remittances/averages?" + aq.Encode()
	aq.Set("format", "csv")
	p.AveragesCSV = "/api/v1/remittances/averages?" + aq.Encode()
	aq.Set("group", store.RemitGroupSending)
	p.SendingCSV = "/api/v1/remittances/averages?" + aq.Encode()
	fq := url.Values{"period": {p.Period}}
	p.FeesJSON = "/api/v1/remittances/fees?" + fq.Encode()
	fq.Set("format", "csv")
	p.FeesCSV = "/api/v1/remittances/fees?" + fq.Encode()

	if err := u.remitMap(ctx, v, &p, period, names, areas); err != nil {
		return err
	}
	fees, err := u.db.RemitFeesPaid(ctx, period)
	switch {
	case errors.Is(err, derrors.NotFound):
		p.FeesNotice = v.T("remit.fees.none")
	case err != nil:
		return err
	default:
		for _, f := range fees.Corridors {
			p.Fees = append(p.Fees, remitFeeRow{Name: v.T("remit.corridor.name", "From", remitName(names, f.From), "To", remitName(names, f.To)),
				Cost: v.pct(f.AverageTotalCostPct), Flow: v.usd(f.FlowUSD), FlowYear: f.FlowYear, Fees: v.usd(f.FeesUSD),
				Above: v.usd(f.AboveTargetUSD), AboveRaw: strconv.FormatFloat(f.AboveTargetUSD, 'f', 0, 64)})
		}
		p.TotalFlow, p.TotalFees, p.TotalAbove = v.usd(fees.TotalFlowUSD), v.usd(fees.TotalFeesUSD), v.usd(fees.TotalAboveTargetUSD)
		p.Weighted = v.pct(fees.Weighted.Pct)
	}
	v.Data = p
	return u.render(w, http.StatusOK, "remittances_corridors", v)
}

// usd formats an amount of US dollars, whole.
func (v *view) usd(x float64) string { return v.T("remit.usd", "Value", v.num(x, 0)) }

// remitMap draws the average cost by receiving country (the API's
// averages?group=receiving) as a choropleth, as /map does.
func (u *UI) remitMap(ctx context.Context, v *view, p *remitPlannerPage, period remit.Period, names map[string]string, areas []geo.Area) error {
	p.NoDataFill, p.NoHatch, p.Credit = worldmap.NoDataFill, worldmap.NoDataHatch, worldmap.Credit
	avgs, err := u.db.RemitAverages(ctx, period, store.RemitGroupReceiving)
	switch {
	case errors.Is(err, derrors.NotFound):
		p.MapNotice = v.T("remit.map.none")
		return nil
	case err != nil:
		return err
	}
	values := map[string]float64{}
	published := map[string]string{} // receiving countries whose value is a published average: its source
	var all []float64
	for _, a := range avgs {
		values[a.Group] = a.AverageTotalCostPct
		if a.Source != store.RemitSourceQuotes {
			published[a.Group] = v.remitSource(a.Source)
		}
		all = append(all, a.AverageTotalCostPct)
		p.Receiving = append(p.Receiving, remitRankRow{Name: remitName(names, a.Group), Corridor: a.Group, Value: v.pct(a.AverageTotalCostPct),
			Raw: strconv.FormatFloat(a.AverageTotalCostPct, 'f', -1, 64), Source: v.remitSource(a.Source)})
	}
	if len(all) == 0 {
		p.MapNotice = v.T("remit.map.none")
		return nil
	}
	shapes, err := worldmap.Default()
	if err != nil {
		return err
	}
	cl := worldmap.Quantiles(all, worldmap.DefaultClasses)
	for _, c := range cl.Classes {
		label := v.pct(c.Min)
		if c.Max != c.Min {
			label = v.T("map.legend.range", "From", v.num(c.Min, 2), "To", v.pct(c.Max))
		}
		p.Legend = append(p.Legend, mapLegendItem{Colour: c.Colour, Label: label})
	}
	unit := v.T("remit.unit")
	title := v.T("remit.map.title", "Time", p.Period)
	spec := mapSVG{Width: fmtCoord(shapes.Width), Height: fmtCoord(shapes.Height), Title: title,
		Desc: v.T("remit.map.desc", "Total", len(all)), NoDataFill: worldmap.NoDataFill, NoDataHatch: worldmap.NoDataHatch}
	join := shapes.Join(areas)
	for i, s := range shapes.Shapes {
		path := mapPath{D: s.D, Fill: "url(#map-nodata)", Class: "map-area map-nodata", Title: v.T("map.path.noArea", "Name", s.Name)}
		if code := join.AreaOf[i]; code != "" {
			path.Area = code
			if x, ok := values[code]; ok {
				path.Fill, path.Class = cl.Classes[cl.Index(x)].Colour, "map-area"
				path.Title = v.T("map.path.value", "Name", s.Name, "Value", v.num(x, 2), "Field", unit)
				if src, ok := published[code]; ok {
					path.Title += " — " + src // marked published, with its source
				}
			} else {
				path.Title = v.T("map.path.noData", "Name", s.Name)
			}
		}
		spec.Paths = append(spec.Paths, path)
	}
	var buf bytes.Buffer
	if err := mapTemplate.Execute(&buf, spec); err != nil {
		return err
	}
	p.MapSVG = template.HTML(buf.String())
	return nil
}

// ---- quote submission

// remitQuoteFields are the form's fields in order: name (the API's
// field, which remit.Validate names), control id and label message.
var remitQuoteFields = []string{"from", "to", "firm", "firmType", "date", "amount", "sendCurrency", "fee", "rate", "interbankRate",
	"receiveCurrency", "speed", "paymentInstrument", "accessPoint", "pickupMethod", "networkCoverage", "transparent"}

type remitQuotePage struct {
	Form       *form
	Values     map[string]string
	Corrects   int64 // the quote being corrected (0: a new quote)
	FirmTypes  []mapOption
	Speeds     []mapOption
	Saved      bool
	Stored     []kv
	CompareURL string
}

func remitFieldID(name string) string { return "remit-" + name }

func (v *view) remitQuoteOptions(p *remitQuotePage) {
	for _, ft := range []remit.FirmType{remit.FirmMTO, remit.FirmBank, remit.FirmMobile, remit.FirmPost, remit.FirmOther} {
		p.FirmTypes = append(p.FirmTypes, mapOption{Value: ft.String(), Label: v.label("remit.firm", ft.String(), ft.Label()),
			Selected: p.Values["firmType"] == ft.String()})
	}
	for s := remit.SpeedUnknown + 1; s <= remit.Speed6Plus; s++ {
		p.Speeds = append(p.Speeds, mapOption{Value: s.String(), Label: v.label("remit.speed", strconv.Itoa(int(s)), s.String()),
			Selected: p.Values["speed"] == s.String()})
	}
}

func (u *UI) remitQuoteForm(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Title = v.T("remit.quote.title")
	p := remitQuotePage{Values: map[string]string{"firmType": "mto", "transparent": "on", "date": time.Now().UTC().Format(time.DateOnly)}}
	if cs := r.URL.Query().Get("corrects"); cs != "" {
		// A correction: the form starts from the quote it corrects (of
		// the user's organisation; another's is not found).
		id, err := strconv.ParseInt(cs, 10, 64)
		if err != nil || id <= 0 {
			return &paramError{Param: "corrects", ReasonID: "remit.error.quoteID"}
		}
		sq, err := u.db.OrgQuote(r.Context(), web.PrincipalFrom(r.Context()), id)
		if err != nil {
			return err
		}
		v.Title = v.T("remit.mine.correctTitle", "Number", strconv.FormatInt(id, 10))
		p.Corrects, p.Values = id, remitQuoteValues(sq.Quote)
	}
	v.remitQuoteOptions(&p)
	v.Data = p
	return u.render(w, http.StatusOK, "remittances_quote", v)
}

func (u *UI) remitQuoteSubmit(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Title = v.T("remit.quote.title")
	if err := parseForm(r); err != nil {
		return err
	}
	get := func(name string) string { return strings.TrimSpace(r.PostForm.Get(name)) }
	f := &form{}
	bad := func(field, reasonID string, kv ...any) {
		f.add(v, field, remitFieldID(field), "remit.field."+field, reasonID, kv...)
	}
	num := func(field string, required bool) float64 {
		s := strings.Replace(get(field), ",", ".", 1)
		if s == "" {
			if required {
				bad(field, "form.reason.required")
			}
			return 0
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			bad(field, "plans.reason.number")
		}
		return x
	}
	for _, name := range []string{"firm", "paymentInstrument", "accessPoint", "pickupMethod", "networkCoverage"} {
		if reason, kv := checkText(get(name), name == "firm", 200); reason != "" {
			bad(name, reason, kv...)
		}
	}
	q := remit.Quote{Corridor: remit.Corridor{From: strings.ToUpper(get("from")), To: strings.ToUpper(get("to"))},
		Firm: get("firm"), SendCurrency: strings.ToUpper(get("sendCurrency")), ReceiveCurrency: strings.ToUpper(get("receiveCurrency")),
		PaymentInstrument: get("paymentInstrument"), AccessPoint: get("accessPoint"), PickupMethod: get("pickupMethod"),
		NetworkCoverage: get("networkCoverage"), Transparent: r.PostForm.Get("transparent") != ""}
	q.Amount = num("amount", true)
	q.Fee = num("fee", true)
	q.Rate = num("rate", q.Transparent)
	q.InterbankRate = num("interbankRate", true)
	q.Date = time.Now().UTC()
	if ds := get("date"); ds != "" {
		d, err := time.Parse(time.DateOnly, ds)
		if err != nil {
			bad("date", "remit.reason.date")
		} else if d.Format(time.DateOnly) != q.Date.Format(time.DateOnly) {
			// A past day: its noon (UTC); today: now.
			q.Date = d.Add(12 * time.Hour)
			if q.Date.After(time.Now().UTC()) {
				q.Date = d
			}
		}
	}
	q.Period = remit.PeriodOf(q.Date)
	if ft, ok := remit.ParseFirmType(get("firmType")); ok {
		q.FirmType = ft
	} else {
		bad("firmType", "remit.reason.choose")
	}
	if sp, ok := remit.ParseSpeed(get("speed")); ok {
		q.Speed = sp
	} else {
		bad("speed", "remit.reason.choose")
	}
	p := remitQuotePage{Form: f, Values: map[string]string{}}
	for _, name := range remitQuoteFields {
		p.Values[name] = r.PostForm.Get(name)
	}
	if cs := get("corrects"); cs != "" {
		id, err := strconv.ParseInt(cs, 10, 64)
		if err != nil || id <= 0 {
			return &paramError{Param: "corrects", ReasonID: "remit.error.quoteID"}
		}
		p.Corrects = id
		v.Title = v.T("remit.mine.correctTitle", "Number", cs)
	}
	if f.OK() {
		ctx := store.WithAuditClient(r.Context(), web.ClientAddr(r), "")
		var sq store.SubmittedQuote
		var err error
		if p.Corrects != 0 {
			sq, err = u.db.CorrectQuote(ctx, web.PrincipalFrom(r.Context()), p.Corrects, q, remit.DefaultRules())
		} else {
			sq, err = u.db.SubmitQuote(ctx, web.PrincipalFrom(r.Context()), q, remit.DefaultRules())
		}
		var fes remit.FieldErrors
		switch {
		case err == nil:
			web.SkipAudit(r) // the store audited the submission
			w.Header().Set("Cache-Control", "no-store")
			p.Saved = true
			p.Stored = v.remitStored(sq)
			p.CompareURL = "/remittances?" + url.Values{"from": {sq.From}, "to": {sq.To},
				"amount": {strconv.FormatFloat(sq.Amount, 'f', -1, 64)}, "currency": {sq.SendCurrency}}.Encode()
			v.Data = p
			return u.render(w, http.StatusCreated, "remittances_quote", v)
		case errors.As(err, &fes):
			for _, fe := range fes {
				if slices.Contains(remitQuoteFields, fe.Field) {
					f.addText(v, fe.Field, remitFieldID(fe.Field), "remit.field."+fe.Field, fe.Reason)
				} else {
					// period: the quarter follows the date.
					f.addText(v, "date", remitFieldID("date"), "remit.field.date", fe.Reason)
				}
			}
		default:
			return err
		}
	}
	v.remitQuoteOptions(&p)
	v.Data = p
	return u.render(w, http.StatusBadRequest, "remittances_quote", v)
}

// remitStored lists a stored quote's fields and computed figures.
func (v *view) remitStored(sq store.SubmittedQuote) []kv {
	q := sq.Quote
	out := []kv{
		{v.T("remit.stored.id"), strconv.FormatInt(sq.ID, 10)},
		{v.T("remit.col.provider"), q.Firm},
		{v.T("remit.col.firmType"), v.label("remit.firm", q.FirmType.String(), q.FirmType.Label())},
		{v.T("remit.stored.corridor"), q.Corridor.String()},
		{v.T("remit.field.amount"), v.T("remit.money", "Value", v.num(q.Amount, 2), "Unit", q.SendCurrency)},
		{v.T("remit.field.fee"), v.T("remit.money", "Value", v.num(q.Fee, 2), "Unit", q.SendCurrency) + " (" + v.pct(q.FeePct()) + ")"},
		{v.T("remit.field.rate"), v.num(q.Rate, 4)},
		{v.T("remit.field.interbankRate"), v.num(q.InterbankRate, 4)},
	}
	if m, ok := q.FXMarginPct(); ok {
		out = append(out, kv{v.T("remit.col.margin"), v.pct(m)})
	}
	if t, ok := q.TotalCostPct(); ok {
		out = append(out, kv{v.T("remit.col.total"), v.pct(t)})
	}
	if a, ok := q.AmountReceived(); ok {
		out = append(out, kv{v.T("remit.col.received"), v.T("remit.money", "Value", v.num(a, 2), "Unit", q.ReceiveCurrency)})
	}
	out = append(out,
		kv{v.T("remit.col.speed"), v.label("remit.speed", strconv.Itoa(int(q.Speed)), q.Speed.String())},
		kv{v.T("remit.stored.period"), q.Period.String()},
		kv{v.T("remit.stored.quotedAt"), q.QuotedAt.Format(time.RFC3339)},
		kv{v.T("remit.stored.source"), sq.Source})
	if sq.Replaces != 0 {
		out = append(out, kv{v.T("remit.mine.replaces"), strconv.FormatInt(sq.Replaces, 10)})
	}
	return out
}

// pickupKey is the message key of an RPW pick-up method ("Own/partner Bank
// account" → own_partner_bank_account); a method without a message is
// shown as published.
func pickupKey(method string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(method) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			sep = false
		} else {
			sep = true
		}
	}
	return b.String()
}
