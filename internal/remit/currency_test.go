package remit

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A submitted quote's currencies must be used in its countries (or be
// USD or EUR): the error names the field and the country's currencies.
func TestValidateCurrencyPlausibility(t *testing.T) {
	now := time.Now().UTC()
	rules := DefaultRules()
	for _, tc := range []struct {
		name      string
		edit      func(q *Quote)
		field     string // "" = valid
		mentioned string
	}{
		{"own currencies", func(q *Quote) {}, "", ""},
		{"USD sent", func(q *Quote) { q.SendCurrency = "USD" }, "", ""},
		{"EUR received", func(q *Quote) { q.ReceiveCurrency = "EUR" }, "", ""},
		{"Lesotho receives rand", func(q *Quote) { q.To, q.ReceiveCurrency = "LSO", "ZAR" }, "", ""},
		{"Zimbabwe receives USD", func(q *Quote) { q.To, q.ReceiveCurrency = "ZWE", "USD" }, "", ""},
		{"yen from the UK", func(q *Quote) { q.SendCurrency = "JPY" }, "sendCurrency", "GBP"},
		{"shillings of the wrong country", func(q *Quote) { q.ReceiveCurrency = "UGX" }, "receiveCurrency", "KES"},
		{"currencies swapped", func(q *Quote) { q.SendCurrency, q.ReceiveCurrency = "KES", "GBP" }, "sendCurrency", "GBP"},
	} {
		q := goodQuote(now)
		tc.edit(&q)
		err := Validate(&q, rules, now)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var fes FieldErrors
		if !errors.As(err, &fes) || fes[0].Field != tc.field || !strings.Contains(fes[0].Reason, tc.mentioned) {
			t.Errorf("%s: %v, want %s naming %s", tc.name, err, tc.field, tc.mentioned)
		}
	}
}

// Every country RPW covers — the sending and receiving countries of the
// DataBank corridor export and of the shipped excerpt — has its currencies
// in the table, each an ISO 4217 code.
func TestCountryCurrenciesTable(t *testing.T) {
	rpw := strings.Fields(`ARE AUS AUT BEL BRA CAN CHE CHN DEU DNK ESP FRA GBR GRC IND ISR ITA JPN KOR KWT MYS NLD NOR NZL OMN PRT QAT RUS SAU
		SGP SWE THA TUR USA ZAF AFG AGO ALB ARM AZE BGD BLR BOL BRB BTN BWA CIV CMR COD COL CRI CUB DOM DZA ECU EGY ETH FJI GEO GHA GMB
		GTM GUY HND HTI IDN JAM JOR KAZ KEN KGZ KHM LAO LBN LKA LSO MAR MDA MDG MEX MLI MMR MNG MOZ MWI NAM NER NGA NIC NPL PAK PAN PER
		PHL PNG PRY ROU RWA SDN SEN SLE SLV SOM SRB SSD SUR SWZ SYR TCD TGO TJK TON TUN TZA UGA UKR UZB VNM VUT WSM YEM ZMB ZWE ANT KSV
		BIH MKD MNE POL HRV BGR CZE LTU VEN`)
	for _, c := range rpw {
		list := CountryCurrencies(c)
		if len(list) == 0 {
			t.Errorf("%s: no currencies", c)
		}
		for _, cur := range list {
			if !IsCurrency(cur, false) {
				t.Errorf("%s: %s is not an ISO 4217 code of the currency list", c, cur)
			}
		}
	}
	if got := CountryCurrencies("KSV"); len(got) != 1 || got[0] != "EUR" {
		t.Errorf("KSV = %v", got)
	}
}
