package rpwfile_test

import (
	"path/filepath"
	"testing"

	"github.com/corridor-platform/corridor/internal/remit"
	"github.com/corridor-platform/corridor/internal/remit/rpwfile"
)

// The excerpt's rows do not name the receiving currency; KEN→UGA pays
// out in UGX (KES→UGX 27.59) and in USD (KES→USD 0.0077, the rate seen
// on four corridors to countries with different currencies).
func TestRPWReceiveCurrencyInferred(t *testing.T) {
	qs, rep, err := rpwfile.ParseRPW(filepath.Join("..", "..", "..", "data", "rpw", "eastafrica_excerpt", "rpw_eastafrica_2025_3Q_excerpt.csv"), rpwfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]string]string{}
	for _, q := range qs {
		k := [2]string{q.Corridor.String(), q.ReceiveCurrency}
		want[k] = q.ReceiveCurrency
		switch {
		case q.Flags.Has(remit.FlagCurrencyMismatch):
			if q.ReceiveCurrency != "" {
				t.Errorf("%s: currency-mismatch row given %q", q.String(), q.ReceiveCurrency)
			}
		case q.InterbankRate < 0.01:
			if q.ReceiveCurrency != "USD" {
				t.Errorf("%s rate %g: receive %q, want USD", q.String(), q.InterbankRate, q.ReceiveCurrency)
			}
		default:
			own := remit.CountryCurrencies(q.To)[0]
			if q.ReceiveCurrency != own {
				t.Errorf("%s rate %g: receive %q, want %s", q.String(), q.InterbankRate, q.ReceiveCurrency, own)
			}
		}
	}
	if _, ok := want[[2]string{"KEN-UGA", "UGX"}]; !ok {
		t.Error("no KEN-UGA quote in UGX")
	}
	if _, ok := want[[2]string{"KEN-UGA", "USD"}]; !ok {
		t.Error("no KEN-UGA quote in USD")
	}
	if rep.ReceiveCurrencyInferred+rep.ReceiveCurrencyNotStated != rep.Quotes || rep.ReceiveCurrencyNotStated == 0 {
		t.Errorf("report: inferred %d, not stated %d of %d", rep.ReceiveCurrencyInferred, rep.ReceiveCurrencyNotStated, rep.Quotes)
	}
}
