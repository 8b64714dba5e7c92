package rpwfile

import (
	"slices"

	"github.com/corridor-platform/corridor/internal/remit"
)

// receiveCluster is how far apart, as a ratio, two interbank rates of the
// same sending currency and quarter may be and still be taken for the
// same receiving currency (the survey collects over several weeks; the
// excerpt's KES→RWF rates span 0.1 %, its TZS→KES rates 3.7 %).
const receiveCluster = 1.08

// InferReceiveCurrencies sets the receiving currency of RPW quotes, which
// the row-level files do not name, where the file allows it, and returns
// how many it set. The interbank rates of one sending currency in one
// quarter are grouped by order of magnitude (rates within 8 % of each
// other, chained):
//
//   - a group found on corridors to two or more countries whose own
//     currencies differ cannot be any of those currencies: it is the
//     common payout currency, USD (the excerpt's KES→USD 0.0077 on
//     KEN→UGA, KEN→TZA, KEN→RWA and KEN→SSD);
//   - otherwise, on each corridor, the group holding most of the
//     corridor's other quotes is the receiving country's own currency
//     (the first of internal/remit/countrycurrencies.txt);
//   - the rest, and quotes flagged remit.FlagCurrencyMismatch or
//     remit.FlagPlaceholderRate or without an interbank rate, keep "" —
//     "currency not stated".
//
// Quotes that already name a receiving currency are left as they are.
func InferReceiveCurrencies(quotes []remit.Quote) int {
	type groupKey struct {
		cur    string
		period remit.Period
	}
	groups := map[groupKey][]int{}
	for i := range quotes {
		q := &quotes[i]
		if q.ReceiveCurrency != "" || !(q.InterbankRate > 0) || q.Flags&(remit.FlagCurrencyMismatch|remit.FlagPlaceholderRate) != 0 {
			continue
		}
		k := groupKey{q.SendCurrency, q.Period}
		groups[k] = append(groups[k], i)
	}
	set := 0
	for _, idx := range groups {
		slices.SortFunc(idx, func(a, b int) int {
			if c := cmpFloat(quotes[a].InterbankRate, quotes[b].InterbankRate); c != 0 {
				return c
			}
			return a - b
		})
		// Chain the sorted rates into clusters.
		cluster := make([]int, len(idx)) // cluster number of idx[k]
		n := 0
		for k := 1; k < len(idx); k++ {
			if quotes[idx[k]].InterbankRate/quotes[idx[k-1]].InterbankRate > receiveCluster {
				n++
			}
			cluster[k] = n
		}
		n++
		shared := make([]bool, n)
		owns := make([]map[string]bool, n)
		for k, i := range idx {
			c := cluster[k]
			if owns[c] == nil {
				owns[c] = map[string]bool{}
			}
			own := quotes[i].To
			if cs := remit.CountryCurrencies(own); len(cs) > 0 {
				own = cs[0]
			}
			owns[c][own] = true
		}
		for c := range n {
			shared[c] = len(owns[c]) > 1
		}
		// Per corridor, the cluster with most quotes (not shared).
		count := map[remit.Corridor]map[int]int{}
		for k, i := range idx {
			c := cluster[k]
			if shared[c] {
				continue
			}
			m := count[quotes[i].Corridor]
			if m == nil {
				m = map[int]int{}
				count[quotes[i].Corridor] = m
			}
			m[c]++
		}
		main := map[remit.Corridor]int{}
		for cor, m := range count {
			best, bestN, tie := -1, 0, false
			for c, k := range m {
				switch {
				case k > bestN:
					best, bestN, tie = c, k, false
				case k == bestN:
					tie = true
				}
			}
			if !tie {
				main[cor] = best
			} else {
				main[cor] = -1
			}
		}
		for k, i := range idx {
			q := &quotes[i]
			c := cluster[k]
			switch {
			case shared[c]:
				q.ReceiveCurrency = "USD"
			case main[q.Corridor] == c:
				if cs := remit.CountryCurrencies(q.To); len(cs) > 0 {
					q.ReceiveCurrency = cs[0]
				}
			}
			if q.ReceiveCurrency != "" {
				set++
			}
		}
	}
	return set
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
