// Package rpwfile reads the World Bank Remittance Prices Worldwide (RPW)
// files Corridor ships or accepts: the row-level RPW dataset (both column
// layouts), the DataBank corridor-average export, the UK corridor
// aggregates derived from RPW, and the WDI average-cost indicators. It
// parses and checks; it stores nothing.
//
// Problems with the file itself are *tabular.CellError values naming the
// row and column (derrors.Invalid). Data-quality findings that do not stop
// an import are counted in the import report.
package rpwfile

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/remit"
	"github.com/corridor-platform/corridor/internal/tabular"
)

// Layout is the column layout of a row-level RPW file.
type Layout int

// The RPW layouts.
const (
	// LayoutUpper is the older export with upper-case column names (PERIOD,
	// SOURCE_CODE, …, NOTE1, PICK-UP METHOD) and without access point,
	// receiving network coverage and pick-up location. The shipped East
	// Africa excerpt uses it.
	LayoutUpper Layout = iota + 1
	// LayoutCurrent is the layout of the RPW dataset sheet "Dataset (from
	// Q2 2016)": lower-case names, the source/destination region, income
	// and lending columns, access point, "Standard Note", receiving network
	// coverage, pickup location and pickup method. RPW changed its
	// questionnaire in Q2 2016; rows from before then lack those fields.
	LayoutCurrent
)

// String describes the layout.
func (l Layout) String() string {
	switch l {
	case LayoutUpper:
		return "RPW export with upper-case columns (NOTE1; no access point or network coverage)"
	case LayoutCurrent:
		return "RPW dataset layout from Q2 2016 (lower-case columns, access point, Standard Note, network coverage)"
	}
	return "unknown"
}

// MarshalText implements encoding.TextMarshaler: "upper" or "current".
func (l Layout) MarshalText() ([]byte, error) {
	switch l {
	case LayoutUpper:
		return []byte("upper"), nil
	case LayoutCurrent:
		return []byte("current"), nil
	}
	return []byte("unknown"), nil
}

// ChangeOf2016 is the first quarter of RPW's 2016 layout (Q2 2016).
var ChangeOf2016 = remit.NewPeriod(2016, 2)

// Options tune ParseRPW.
type Options struct {
	// DropDuplicates leaves exact duplicate rows out of the returned quotes
	// (they are counted in the report either way). Default: keep them, so
	// the import equals the file.
	DropDuplicates bool
	// TotalTolerancePP is how far, in percentage points, a row's total may
	// be from fee % + margin % (default 0.01: both are rounded to two
	// decimals in the file).
	TotalTolerancePP float64
	// MarginTolerancePP is how far the file's margin may be from the margin
	// computed from its rates (default 0.01).
	MarginTolerancePP float64
	// KnownCountry, when set, tells whether a country code is in the
	// reference geography; a row whose source or destination code is not
	// is an error naming the column (as a malformed code is). Nil accepts
	// every well-formed ISO alpha-3 code.
	KnownCountry func(code string) bool
}

// Duplicate is a row that repeats an earlier row cell for cell.
type Duplicate struct {
	Row int `json:"row"`
	Of  int `json:"of"`
}

// Discrepancy is a figure of the file that Corridor's computation does not
// reproduce within the tolerance.
type Discrepancy struct {
	Row      int     `json:"row"`
	Tier     int     `json:"tier"`  // 1: cc1 (USD 200), 2: cc2 (USD 500)
	Check    string  `json:"check"` // "total" (fee % + margin ≠ total) or "margin" (margin from the rates ≠ margin)
	File     float64 `json:"file"`
	Computed float64 `json:"computed"`
}

// SpellingVariant lists spellings of one value in one column that differ
// only in case, spacing or punctuation — or, for firm names (Column
// "FIRM (word)"), words that appear in several cases ("EcoBank" and
// "Ecobank").
type SpellingVariant struct {
	Column   string   `json:"column"`
	Variants []string `json:"variants"`
}

// Report is what an RPW import found.
type Report struct {
	File   string `json:"file"`
	Layout Layout `json:"layout"`
	Rows   int    `json:"rows"`
	Quotes int    `json:"quotes"` // returned (two per row, fewer when duplicates are dropped)
	// Periods are the quarters in the file, in order.
	Periods []remit.Period `json:"periods"`
	// RowsBefore2016 counts rows from before the Q2 2016 layout change.
	RowsBefore2016 int `json:"rowsBefore2016"`

	NonTransparent  int `json:"nonTransparent"`  // quotes: margin unknown, left out of averages
	NegativeMargin  int `json:"negativeMargin"`  // quotes whose margin is below 0
	PlaceholderRate int `json:"placeholderRate"` // quotes with a rate of exactly 1 beside an interbank rate that is not 1 (or the reverse); excluded from averages
	// TotalMismatch counts quotes whose stated total cost is not fee % +
	// margin % (a "total" discrepancy); they are flagged
	// remit.FlagTotalMismatch and excluded from averages.
	TotalMismatch int `json:"totalMismatch"`
	// Excluded counts the quotes left out of every average, SmaRT and the
	// sender ranking: non-transparent, placeholder rate, or total mismatch
	// (each quote counted once).
	Excluded int `json:"excluded"`
	ZeroFee  int `json:"zeroFee"` // quotes with a fee of 0
	// PromotionalRows are rows whose note says the price is a promotion,
	// marketing campaign or discount (RPW NOTE1 / Standard Note).
	PromotionalRows []int `json:"promotionalRows"`
	// AccountRequiredRows: the note says an account is needed for the
	// detailed price.
	AccountRequiredRows []int `json:"accountRequiredRows"`
	// CurrencyMismatchRows are rows whose amount equals the USD basket
	// amount (200, 500) while the currency code is not USD: the amounts are
	// in USD, not in the named local currency (RWA→KEN Western Union).
	CurrencyMismatchRows []int       `json:"currencyMismatchRows"`
	Duplicates           []Duplicate `json:"duplicates"`
	// CorridorMismatchRows: the CORRIDOR column is not source + destination.
	CorridorMismatchRows []int             `json:"corridorMismatchRows"`
	Spellings            []SpellingVariant `json:"spellings"`
	UnknownFirmTypes     []string          `json:"unknownFirmTypes"` // mapped to "other"
	UnknownSpeeds        []string          `json:"unknownSpeeds"`    // mapped to unknown
	// Discrepancies are the checks that failed; an empty list means every
	// row satisfies total = fee % + margin % and margin = (interbank −
	// rate) ÷ interbank × 100 within the tolerances.
	Discrepancies []Discrepancy `json:"discrepancies"`
	// Checked counts the (row, tier) pairs checked.
	Checked int `json:"checked"`
	// ReceiveCurrencyInferred counts the quotes whose receiving currency
	// (which the files do not name) InferReceiveCurrencies inferred;
	// ReceiveCurrencyNotStated the others ("currency not stated").
	ReceiveCurrencyInferred  int `json:"receiveCurrencyInferred"`
	ReceiveCurrencyNotStated int `json:"receiveCurrencyNotStated"`
}

// Counts summarises the report as named counts for an import log.
func (r *Report) Counts() map[string]int {
	return map[string]int{
		"rows": r.Rows, "quotes": r.Quotes, "rows_before_2016q2": r.RowsBefore2016,
		"non_transparent_quotes": r.NonTransparent, "negative_margin_quotes": r.NegativeMargin,
		"placeholder_rate_quotes": r.PlaceholderRate, "zero_fee_quotes": r.ZeroFee,
		"total_mismatch_quotes": r.TotalMismatch, "excluded_from_averages": r.Excluded,
		"promotional_rows": len(r.PromotionalRows), "account_required_rows": len(r.AccountRequiredRows),
		"currency_mismatch_rows": len(r.CurrencyMismatchRows), "duplicate_rows": len(r.Duplicates),
		"corridor_mismatch_rows": len(r.CorridorMismatchRows), "inconsistent_spellings": len(r.Spellings),
		"unknown_firm_types": len(r.UnknownFirmTypes), "unknown_speeds": len(r.UnknownSpeeds),
		"discrepancies": len(r.Discrepancies), "checked": r.Checked,
	}
}

// column keys: header names with case, spaces and punctuation removed.
// required are the columns both layouts have, as the current layout names
// them; a file's header is matched without regard to case, spacing or
// punctuation.
var required = []string{
	"period", "source_code", "destination_code", "firm", "firm_type", "speed actual",
	"cc1 lcu amount", "cc1 denomination amount", "cc1 lcu code", "cc1 lcu fee", "cc1 lcu fx rate", "cc1 fx margin", "cc1 total cost %",
	"cc2 lcu amount", "cc2 denomination amount", "cc2 lcu code", "cc2 lcu fee", "cc2 lcu fx rate", "cc2 fx margin", "cc2 total cost %",
	"inter lcu bank fx", "transparent",
}

// header maps column keys to the header names of the file.
type header map[string]string

func newHeader(names []string) header {
	h := header{}
	for _, n := range names {
		k := remit.NormalizeName(n)
		if _, dup := h[k]; !dup {
			h[k] = strings.TrimSpace(n)
		}
	}
	// Aliases across layouts.
	if n, ok := h["standardnote"]; ok { // NOTE1 became "Standard Note"
		if _, has := h["note1"]; !has {
			h["note1"] = n
		}
	}
	return h
}

func (h header) get(r tabular.Row, key string) string {
	n, ok := h[key]
	if !ok {
		return ""
	}
	return r.Get(n)
}

// name is the file's spelling of a column (for messages).
func (h header) name(key string) string {
	if n, ok := h[key]; ok {
		return n
	}
	return key
}

// num parses a number; "", "..", "n.a.", "-" are missing.
func (h header) num(r tabular.Row, key string) (float64, bool, error) {
	switch strings.ToLower(h.get(r, key)) {
	case "", "..", "n.a.", "na", "n/a", "-":
		return 0, false, nil
	}
	return r.Float(h.name(key))
}

var dateLayouts = []string{"2/Jan/2006", "02-Jan-2006", "2-Jan-06", "2006-01-02", "2006-01-02 15:04:05", "2006-01-02T15:04:05Z07:00", "2 January 2006"}

func parseDate(s string) (time.Time, bool) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func parseYesNo(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "yes", "y", "1", "true":
		return true, true
	case "no", "n", "0", "false":
		return false, true
	}
	return false, false
}

// ParseRPW reads a row-level RPW CSV file in either layout. Each row gives
// two quotes: cc1 (the USD 200 equivalent, BasketUSD 200) and cc2 (USD
// 500). The quotes keep the file's values; flags mark what the report
// counts. Every row's figures are checked: total = fee % + margin % and the
// margin equals the one computed from the rates; rows that differ are
// listed in Report.Discrepancies (they are still imported).
//
// A missing column, an unreadable number, date, period, transparency
// value or country code is an error naming the row and column.
func ParseRPW(path string, opt Options) (quotes []remit.Quote, rep *Report, err error) {
	defer derrors.Wrap(&err, "rpwfile.ParseRPW(%q)", path)
	if opt.TotalTolerancePP == 0 {
		opt.TotalTolerancePP = 0.01
	}
	if opt.MarginTolerancePP == 0 {
		opt.MarginTolerancePP = 0.01
	}
	r, err := tabular.OpenCSV(path, tabular.Options{})
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	h := newHeader(r.Header())
	for _, name := range required {
		if _, ok := h[remit.NormalizeName(name)]; !ok {
			return nil, nil, &tabular.CellError{File: fileName(path), Row: 1, Column: name,
				Reason: fmt.Sprintf("missing required RPW column %q (the header has %d columns; is this a row-level RPW file?)", name, len(r.Header()))}
		}
	}
	rep = &Report{File: fileName(path), Layout: LayoutUpper}
	if _, ok := h["accesspoint"]; ok {
		rep.Layout = LayoutCurrent
	} else if _, ok := h["standardnote"]; ok {
		rep.Layout = LayoutCurrent
	}

	seenRows := map[string]int{}
	periods := map[remit.Period]bool{}
	spell := map[string]map[string]map[string]bool{} // column → key → spellings
	words := map[string]map[string]bool{}            // firm words: lower → spellings
	unknownFT, unknownSp := map[string]bool{}, map[string]bool{}
	note := func(col, v string) {
		if v == "" {
			return
		}
		m := spell[col]
		if m == nil {
			m = map[string]map[string]bool{}
			spell[col] = m
		}
		k := remit.NormalizeName(v)
		if m[k] == nil {
			m[k] = map[string]bool{}
		}
		m[k][v] = true
	}

	err = tabular.ReadAll(r, func(row tabular.Row) error {
		rep.Rows++
		line := strings.Join(row.Cells(), "\x1f")
		dupOf, dup := seenRows[line]
		if dup {
			rep.Duplicates = append(rep.Duplicates, Duplicate{Row: row.Number, Of: dupOf})
		} else {
			seenRows[line] = row.Number
		}

		p, perr := remit.ParsePeriod(h.get(row, "period"))
		if perr != nil {
			return row.Errorf(h.name("period"), "%q is not an RPW period (want e.g. 2025_3Q)", h.get(row, "period"))
		}
		periods[p] = true
		if p < ChangeOf2016 {
			rep.RowsBefore2016++
		}
		from, to := strings.ToUpper(h.get(row, "sourcecode")), strings.ToUpper(h.get(row, "destinationcode"))
		if _, err := remit.ParseCorridor(from + to); err != nil {
			col := "sourcecode"
			if len(from) == 3 {
				col = "destinationcode"
			}
			return row.Errorf(h.name(col), "%q is not an ISO 3166 alpha-3 code", h.get(row, col))
		}
		if opt.KnownCountry != nil {
			for _, c := range [...][2]string{{"sourcecode", from}, {"destinationcode", to}} {
				if !opt.KnownCountry(c[1]) {
					return row.Errorf(h.name(c[0]), "%q is not a country of the reference geography", h.get(row, c[0]))
				}
			}
		}
		if c := h.get(row, "corridor"); c != "" && !strings.EqualFold(c, from+to) {
			rep.CorridorMismatchRows = append(rep.CorridorMismatchRows, row.Number)
		}
		firm := h.get(row, "firm")
		if firm == "" {
			return row.Errorf(h.name("firm"), "firm is empty")
		}
		ftRaw := h.get(row, "firmtype")
		ft, ok := remit.ParseFirmType(ftRaw)
		if !ok {
			unknownFT[ftRaw] = true
		}
		spRaw := h.get(row, "speedactual")
		sp, ok := remit.ParseSpeed(spRaw)
		if !ok {
			unknownSp[spRaw] = true
		}
		transparent, ok := parseYesNo(h.get(row, "transparent"))
		if !ok {
			return row.Errorf(h.name("transparent"), "%q is not Yes or No", h.get(row, "transparent"))
		}
		var date time.Time
		if s := h.get(row, "date"); s != "" {
			if date, ok = parseDate(s); !ok {
				return row.Errorf(h.name("date"), "%q is not a date (want e.g. 19/Aug/2025)", s)
			}
		}
		inter, _, err := h.num(row, "interlcubankfx")
		if err != nil {
			return err
		}
		n1, n2 := h.get(row, "note1"), h.get(row, "note2")
		notes := strings.Join(slices.DeleteFunc([]string{n1, n2}, func(s string) bool { return s == "" }), "; ")
		var rowFlags remit.Flag
		ln := strings.ToLower(notes)
		if strings.Contains(ln, "promotion") || strings.Contains(ln, "marketing campaign") || strings.Contains(ln, "discount") {
			rowFlags |= remit.FlagPromotional
			rep.PromotionalRows = append(rep.PromotionalRows, row.Number)
		}
		if strings.Contains(ln, "account required") {
			rowFlags |= remit.FlagAccountRequired
			rep.AccountRequiredRows = append(rep.AccountRequiredRows, row.Number)
		}
		if dup {
			rowFlags |= remit.FlagDuplicate
		}
		for _, col := range []string{"firm", "firmtype", "paymentinstrument", "speedactual", "accesspoint", "pickupmethod", "pickuplocation", "receivingnetworkcoverage", "sourcename", "destinationname"} {
			note(h.name(col), h.get(row, col))
		}
		for _, w := range strings.Fields(firm) {
			lw := strings.ToLower(w)
			if words[lw] == nil {
				words[lw] = map[string]bool{}
			}
			words[lw][w] = true
		}

		mismatch := false
		var tier [2]remit.Quote
		for t := 0; t < 2; t++ {
			cc := fmt.Sprintf("cc%d", t+1)
			amount, okA, err := h.num(row, cc+"lcuamount")
			if err != nil {
				return err
			}
			if !okA || amount <= 0 {
				return row.Errorf(h.name(cc+"lcuamount"), "the amount sent must be a positive number")
			}
			basket, _, err := h.num(row, cc+"denominationamount")
			if err != nil {
				return err
			}
			fee, okF, err := h.num(row, cc+"lcufee")
			if err != nil {
				return err
			}
			rate, okR, err := h.num(row, cc+"lcufxrate")
			if err != nil {
				return err
			}
			margin, okM, err := h.num(row, cc+"fxmargin")
			if err != nil {
				return err
			}
			total, okT, err := h.num(row, cc+"totalcost")
			if err != nil {
				return err
			}
			code := strings.ToUpper(h.get(row, cc+"lcucode"))
			if code != "" && !remit.IsCurrency(code, false) {
				return row.Errorf(h.name(cc+"lcucode"), "%q is not an ISO 4217 currency code", code)
			}
			q := remit.Quote{
				Corridor: remit.Corridor{From: from, To: to}, Period: p, Date: date, QuotedAt: date,
				Firm: firm, FirmType: ft, Amount: amount, SendCurrency: code, Fee: fee, Rate: rate, InterbankRate: inter,
				BasketUSD: basket, Speed: sp,
				PaymentInstrument: h.get(row, "paymentinstrument"), AccessPoint: h.get(row, "accesspoint"),
				PickupMethod: h.get(row, "pickupmethod"), NetworkCoverage: h.get(row, "receivingnetworkcoverage"),
				// A "transparent" row without a rate applied cannot give a margin.
				Transparent: transparent && okR, Note: notes, Flags: rowFlags,
			}
			if !q.Transparent {
				rep.NonTransparent++
			}
			if okF && fee == 0 {
				rep.ZeroFee++
			}
			if (okM && margin < 0) || (!okM && q.Transparent && rate > inter) {
				q.Flags |= remit.FlagNegativeMargin
				rep.NegativeMargin++
			}
			if okR && inter > 0 && (rate == 1) != (inter == 1) {
				q.Flags |= remit.FlagPlaceholderRate
				rep.PlaceholderRate++
			}
			if basket > 0 && amount == basket && code != "USD" {
				mismatch = true
			}
			// The file's own figures against Corridor's computation.
			if q.Transparent && okM && okT {
				rep.Checked++
				if d := q.FeePct() + margin; math.Abs(d-total) > opt.TotalTolerancePP+1e-9 {
					rep.Discrepancies = append(rep.Discrepancies, Discrepancy{Row: row.Number, Tier: t + 1, Check: "total", File: total, Computed: d})
					q.Flags |= remit.FlagTotalMismatch
					rep.TotalMismatch++
				}
				// The margin from the rates directly: FXMarginPct is
				// unknown for a quote flagged unreliable.
				if inter > 0 && rate > 0 {
					if m := (inter - rate) / inter * 100; math.Abs(m-margin) > opt.MarginTolerancePP+1e-9 {
						rep.Discrepancies = append(rep.Discrepancies, Discrepancy{Row: row.Number, Tier: t + 1, Check: "margin", File: margin, Computed: m})
					}
				}
			}
			if !q.Complete() {
				rep.Excluded++
			}
			tier[t] = q
		}
		if mismatch {
			rep.CurrencyMismatchRows = append(rep.CurrencyMismatchRows, row.Number)
			tier[0].Flags |= remit.FlagCurrencyMismatch
			tier[1].Flags |= remit.FlagCurrencyMismatch
		}
		if !(dup && opt.DropDuplicates) {
			quotes = append(quotes, tier[0], tier[1])
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	rep.Quotes = len(quotes)
	rep.ReceiveCurrencyInferred = InferReceiveCurrencies(quotes)
	rep.ReceiveCurrencyNotStated = len(quotes) - rep.ReceiveCurrencyInferred
	for p := range periods {
		rep.Periods = append(rep.Periods, p)
	}
	slices.Sort(rep.Periods)
	for col, m := range spell {
		for _, variants := range m {
			if len(variants) > 1 {
				rep.Spellings = append(rep.Spellings, SpellingVariant{Column: col, Variants: sortedKeys(variants)})
			}
		}
	}
	for _, variants := range words {
		if len(variants) > 1 {
			rep.Spellings = append(rep.Spellings, SpellingVariant{Column: h.name("firm") + " (word)", Variants: sortedKeys(variants)})
		}
	}
	slices.SortFunc(rep.Spellings, func(a, b SpellingVariant) int {
		return strings.Compare(a.Column+"\x00"+a.Variants[0], b.Column+"\x00"+b.Variants[0])
	})
	rep.UnknownFirmTypes = sortedKeys(unknownFT)
	rep.UnknownSpeeds = sortedKeys(unknownSp)
	return quotes, rep, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func fileName(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[i+1:]
	}
	return path
}
