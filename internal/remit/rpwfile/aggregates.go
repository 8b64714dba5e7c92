package rpwfile

import (
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/remit"
	"github.com/corridor-platform/corridor/internal/tabular"
)

// CorridorValue is one published corridor average: the DataBank series
// ATCR.CORR "Average Total Cost to remit in corridor" (% of USD 200).
type CorridorValue struct {
	remit.Corridor
	Period remit.Period `json:"period"`
	Pct    float64      `json:"averageTotalCostPct"`
	Series string       `json:"series"` // the series code, e.g. ATCR.CORR
}

// DataBankReport describes a DataBank export.
type DataBankReport struct {
	File        string         `json:"file"`
	Rows        int            `json:"rows"`        // data rows (one per corridor and series)
	FooterRows  int            `json:"footerRows"`  // blank and source-note rows after the data
	Values      int            `json:"values"`      // cells with a value
	Missing     int            `json:"missing"`     // ".." cells
	Corridors   int            `json:"corridors"`   // corridors with at least one value
	Sending     int            `json:"sending"`     // sending countries of those corridors
	Receiving   int            `json:"receiving"`   // receiving countries of those corridors
	Periods     []remit.Period `json:"periods"`     // the quarter columns
	Source      string         `json:"source"`      // footer "Data from database: …"
	LastUpdated string         `json:"lastUpdated"` // footer "Last Updated: …"
}

// ParseDataBank reads a World Bank DataBank export of "Remittance Prices
// Worldwide (Corridors)": a UTF-8 BOM, columns Sending Countries Name and
// Code, Series Name and Code, Receiving Countries Name and Code (with two
// spaces in the file), then one column per quarter headed "2011Q1
// [YR2011Q1]"; ".." means no data; blank and note rows at the end. Values
// are returned exactly as written, ordered as in the file. DataBank stores
// single-precision values: USA→MEX 2020Q3 is 4.18037033081055 in the file,
// shown as 4.18 to two decimals.
func ParseDataBank(path string) (vals []CorridorValue, rep *DataBankReport, err error) {
	defer derrors.Wrap(&err, "rpwfile.ParseDataBank(%q)", path)
	r, err := tabular.OpenCSV(path, tabular.Options{})
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	hdr := r.Header()
	h := newHeader(hdr)
	for _, name := range []string{"Sending Countries Code", "Series Code", "Receiving Countries Code"} {
		if _, ok := h[remit.NormalizeName(name)]; !ok {
			return nil, nil, &tabular.CellError{File: fileName(path), Row: 1, Column: name, Reason: "missing column (is this a DataBank RPW corridors export?)"}
		}
	}
	rep = &DataBankReport{File: fileName(path)}
	type qcol struct {
		i int
		p remit.Period
	}
	var qcols []qcol
	for i, name := range hdr {
		if p, err := remit.ParsePeriod(name); err == nil {
			qcols = append(qcols, qcol{i, p})
			rep.Periods = append(rep.Periods, p)
		}
	}
	if len(qcols) == 0 {
		return nil, nil, &tabular.CellError{File: fileName(path), Row: 1, Reason: `no quarter columns (headed like "2011Q1 [YR2011Q1]")`}
	}
	corr := map[remit.Corridor]bool{}
	send, recv := map[string]bool{}, map[string]bool{}
	footer := false
	err = tabular.ReadAll(r, func(row tabular.Row) error {
		from := h.get(row, "sendingcountriescode")
		first := row.At(0)
		if from == "" || footer {
			// Footer: blank rows and source notes. Nothing may follow them
			// but more footer.
			switch {
			case strings.HasPrefix(first, "Data from database:"):
				rep.Source = strings.TrimSpace(strings.TrimPrefix(first, "Data from database:"))
			case strings.HasPrefix(first, "Last Updated:"):
				rep.LastUpdated = strings.TrimSpace(strings.TrimPrefix(first, "Last Updated:"))
			case strings.Join(row.Cells(), "") == "":
			default:
				if from != "" {
					return row.Errorf(h.name("sendingcountriescode"), "data row after the footer (blank or note rows) began")
				}
				return row.Errorf(h.name("sendingcountriescode"), "sending country code is empty")
			}
			footer = true
			rep.FooterRows++
			return nil
		}
		to := h.get(row, "receivingcountriescode")
		c, err := remit.ParseCorridor(from + to)
		if err != nil {
			col := "receivingcountriescode"
			if len(from) != 3 {
				col = "sendingcountriescode"
			}
			return row.Errorf(h.name(col), "%q is not an ISO 3166 alpha-3 code", h.get(row, col))
		}
		rep.Rows++
		series := h.get(row, "seriescode")
		has := false
		for _, q := range qcols {
			s := row.At(q.i)
			if s == ".." || s == "" {
				rep.Missing++
				continue
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return row.Errorf(strings.TrimSpace(hdr[q.i]), "%q is not a number or \"..\"", s)
			}
			vals = append(vals, CorridorValue{Corridor: c, Period: q.p, Pct: v, Series: series})
			rep.Values++
			has = true
		}
		if has {
			corr[c], send[c.From], recv[c.To] = true, true, true
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	rep.Corridors, rep.Sending, rep.Receiving = len(corr), len(send), len(recv)
	return vals, rep, nil
}

// UKCorridor is one row of the UK corridor aggregates (RPW Q3 2025,
// computed by Finofin: official-corridors.csv). Destination codes are ISO
// 3166 alpha-2, as in the file.
type UKCorridor struct {
	SourceCountry          string       `json:"sourceCountry"`
	DestinationCode        string       `json:"destinationCode"`
	DestinationCountry     string       `json:"destinationCountry"`
	DestinationIncomeGroup string       `json:"destinationIncomeGroup"`
	Period                 remit.Period `json:"period"`
	SourceAmountGBP        float64      `json:"sourceAmountGbp"`
	NormalisedCostPerGBP   float64      `json:"normalisedCostPerGbp100"`
	CostOnSourceAmountGBP  float64      `json:"costOnSourceAmountGbp"`
	BasketUSD              float64      `json:"worldBankStandardBasketUsd"`
	DistinctFirms          int          `json:"distinctFirms"`
	ServiceObservations    int          `json:"serviceObservations"`
	AverageTotalCostPct    float64      `json:"averageTotalCostPct"`
	SourceURL              string       `json:"sourceUrl"`
}

// UKProvider is one row of provider-comparisons.csv: a provider's cheapest
// ("lowest") or dearest ("highest") UK-outbound destination in Q3 2025.
type UKProvider struct {
	Provider                string       `json:"provider"`
	Period                  remit.Period `json:"period"`
	RoutePosition           string       `json:"routePosition"`
	DestinationCode         string       `json:"destinationCode"`
	DestinationCountry      string       `json:"destinationCountry"`
	ObservedServices        int          `json:"observedServices"`
	AverageTotalCostPct     float64      `json:"averageTotalCostPct"`
	AverageFeeGBP           float64      `json:"averageFeeGbp"`
	AverageFXMarginPct      float64      `json:"averageExchangeRateMarginPct"`
	ServiceMix              string       `json:"serviceMix"`
	HighestToLowestMultiple float64      `json:"highestToLowestCostMultiple"`
	SourceURL               string       `json:"sourceUrl"`
}

// cells reads typed cells of one row, keeping the first error.
type cells struct {
	row tabular.Row
	err error
}

func (c *cells) str(col string) string { return c.row.Get(col) }

func (c *cells) f(col string) float64 {
	v, ok, err := c.row.Float(col)
	if c.err == nil {
		if err != nil {
			c.err = err
		} else if !ok {
			c.err = c.row.Errorf(col, "empty")
		}
	}
	return v
}

func (c *cells) i(col string) int {
	v, ok, err := c.row.Int(col)
	if c.err == nil {
		if err != nil {
			c.err = err
		} else if !ok {
			c.err = c.row.Errorf(col, "empty")
		}
	}
	return int(v)
}

func (c *cells) period(col string) remit.Period {
	p, err := remit.ParsePeriod(c.row.Get(col))
	if err != nil && c.err == nil {
		c.err = c.row.Errorf(col, "%q is not a quarter (want e.g. Q3 2025)", c.row.Get(col))
	}
	return p
}

// ParseUKCorridors reads official-corridors.csv.
func ParseUKCorridors(path string) (out []UKCorridor, err error) {
	defer derrors.Wrap(&err, "rpwfile.ParseUKCorridors(%q)", path)
	cols := []string{"source_country", "destination_code", "destination_country", "destination_income_group", "period",
		"source_amount_gbp", "normalised_cost_per_gbp_100", "cost_on_source_amount_gbp", "world_bank_standard_basket_usd",
		"distinct_firms", "service_observations", "average_total_cost_pct", "source_url"}
	r, err := tabular.OpenCSV(path, tabular.Options{Required: cols})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	err = tabular.ReadAll(r, func(row tabular.Row) error {
		c := cells{row: row}
		u := UKCorridor{
			SourceCountry: c.str("source_country"), DestinationCode: c.str("destination_code"),
			DestinationCountry: c.str("destination_country"), DestinationIncomeGroup: c.str("destination_income_group"),
			Period: c.period("period"), SourceAmountGBP: c.f("source_amount_gbp"),
			NormalisedCostPerGBP: c.f("normalised_cost_per_gbp_100"), CostOnSourceAmountGBP: c.f("cost_on_source_amount_gbp"),
			BasketUSD: c.f("world_bank_standard_basket_usd"), DistinctFirms: c.i("distinct_firms"),
			ServiceObservations: c.i("service_observations"), AverageTotalCostPct: c.f("average_total_cost_pct"),
			SourceURL: c.str("source_url"),
		}
		if c.err != nil {
			return c.err
		}
		if len(u.DestinationCode) != 2 {
			return row.Errorf("destination_code", "%q is not an ISO 3166 alpha-2 code", u.DestinationCode)
		}
		out = append(out, u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ParseUKProviders reads provider-comparisons.csv.
func ParseUKProviders(path string) (out []UKProvider, err error) {
	defer derrors.Wrap(&err, "rpwfile.ParseUKProviders(%q)", path)
	cols := []string{"provider", "period", "route_position", "destination_code", "destination_country", "observed_services",
		"average_total_cost_pct", "average_fee_gbp", "average_exchange_rate_margin_pct", "service_mix",
		"highest_to_lowest_cost_multiple", "source_url"}
	r, err := tabular.OpenCSV(path, tabular.Options{Required: cols})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	err = tabular.ReadAll(r, func(row tabular.Row) error {
		c := cells{row: row}
		u := UKProvider{
			Provider: c.str("provider"), Period: c.period("period"), RoutePosition: c.str("route_position"),
			DestinationCode: c.str("destination_code"), DestinationCountry: c.str("destination_country"),
			ObservedServices: c.i("observed_services"), AverageTotalCostPct: c.f("average_total_cost_pct"),
			AverageFeeGBP: c.f("average_fee_gbp"), AverageFXMarginPct: c.f("average_exchange_rate_margin_pct"),
			ServiceMix: c.str("service_mix"), HighestToLowestMultiple: c.f("highest_to_lowest_cost_multiple"),
			SourceURL: c.str("source_url"),
		}
		if c.err != nil {
			return c.err
		}
		if u.RoutePosition != "lowest" && u.RoutePosition != "highest" {
			return row.Errorf("route_position", "%q is neither lowest nor highest", u.RoutePosition)
		}
		out = append(out, u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// WDIValue is one country-year value of a WDI remittance cost indicator:
// SI.RMT.COST.OB.ZS (average cost of sending from the country, %) or
// SI.RMT.COST.IB.ZS (… to the country, %), both for USD 200.
type WDIValue struct {
	CountryCode string  `json:"countryCode"` // ISO alpha-3 or a World Bank aggregate code
	CountryName string  `json:"countryName"`
	Indicator   string  `json:"indicator"`
	Year        int     `json:"year"`
	Pct         float64 `json:"pct"`
}

// WDI cost indicator codes.
const (
	WDICostFrom = "SI.RMT.COST.OB.ZS" // average transaction cost of sending remittances from a specific country (%)
	WDICostTo   = "SI.RMT.COST.IB.ZS" // … to a specific country (%)
)

// ParseWDICost reads a WDI "Data" sheet CSV of a remittance cost
// indicator (Country Name, Country Code, Indicator Name, Indicator Code,
// then one column per year). Empty cells are no data and are skipped.
// Rows of another indicator are an error naming the row.
func ParseWDICost(path string) (out []WDIValue, err error) {
	defer derrors.Wrap(&err, "rpwfile.ParseWDICost(%q)", path)
	r, err := tabular.OpenCSV(path, tabular.Options{Required: []string{"Country Name", "Country Code", "Indicator Code"}})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	hdr := r.Header()
	type ycol struct{ i, year int }
	var years []ycol
	for i, name := range hdr {
		if y, err := strconv.Atoi(strings.TrimSpace(name)); err == nil && y >= 1900 && y <= 2999 {
			years = append(years, ycol{i, y})
		}
	}
	err = tabular.ReadAll(r, func(row tabular.Row) error {
		ind := row.Get("Indicator Code")
		if ind != WDICostFrom && ind != WDICostTo {
			return row.Errorf("Indicator Code", "%q is not a remittance cost indicator (%s or %s)", ind, WDICostFrom, WDICostTo)
		}
		for _, y := range years {
			s := row.At(y.i)
			if s == "" {
				continue
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return row.Errorf(strings.TrimSpace(hdr[y.i]), "%q is not a number", s)
			}
			out = append(out, WDIValue{CountryCode: row.Get("Country Code"), CountryName: row.Get("Country Name"), Indicator: ind, Year: y.year, Pct: v})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
