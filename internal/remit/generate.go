package remit

import (
	"math/rand/v2"
	"strings"
)

// Countries the generator draws from: RPW covers 48 sending and (in the
// DataBank export) 111 receiving countries.
const (
	genSenders   = "USA GBR DEU FRA ITA ESP CAN AUS JPN KOR SAU ARE QAT KWT OMN BHR RUS ZAF KEN TZA RWA NGA GHA SEN CIV BRA CHL ARG NZL SGP MYS THA IND CHN BEL NLD NOR SWE CHE AUT PRT GRC IRL DNK ISR TUR POL DOM"
	genReceivers = "MEX GTM SLV HND NIC CRI PAN COL ECU PER BOL PRY URY VEN DOM HTI JAM CUB GUY SUR BRA ARG CHL " +
		"IND PAK BGD NPL LKA AFG CHN VNM PHL IDN THA MMR KHM LAO MNG KGZ TJK UZB KAZ ARM GEO AZE UKR MDA BLR RUS " +
		"ALB SRB BIH MKD MNE XKX ROU BGR POL TUR EGY MAR DZA TUN LBN JOR SYR IRQ YEM PSE " +
		"NGA GHA SEN MLI BFA NER CIV TGO BEN CMR COD COG GAB KEN UGA TZA RWA BDI ETH SOM SSD SDN ERI " +
		"ZAF ZWE ZMB MWI MOZ AGO NAM BWA LSO SWZ MDG COM CPV GMB GIN SLE LBR FJI TON WSM"
)

var (
	genFirmTypes = [...]FirmType{FirmBank, FirmBank, FirmBank, FirmBank, FirmMTO, FirmMTO, FirmMTO, FirmMTO, FirmMobile, FirmPost}
	genSpeeds    = [...]Speed{SpeedHour, SpeedHour, SpeedHour, SpeedSameDay, SpeedNextDay, SpeedNextDay, Speed2Days, Speed3to5Days, Speed3to5Days, Speed6Plus}
	genPickups   = [...]string{"Cash", "Cash", "Bank account", "Bank account", "Mobile wallet", "Own/partner Bank account"}
	genPay       = [...]string{"Cash", "Bank account transfer", "Debit/credit card", "Mobile money", "Online"}
	genAccess    = [...]string{"Branch", "Agent", "Online", "Mobile app"}
)

// GenerateQuotes returns n quotes shaped like RPW data, the same for the
// same seed: about 370 corridors between 48 sending and 111 receiving
// countries (real codes), quarters 2011Q1 to 2025Q3 (about 13,000 quotes
// a quarter; past 2025Q3 it starts again at 2011Q1, deepening each quarter), 10–25 services per corridor (banks 40 %, money
// transfer operators 40 %, mobile operators 10 %, post offices 10 %), each
// quoted for USD 200 and USD 500; about 7 % non-transparent; fees and
// margins that give totals mostly between 2 and 15 %, a few negative
// margins and a few duplicates. It is for benchmarks and load tests.
func GenerateQuotes(n int, seed uint64) []Quote {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	senders := strings.Fields(genSenders)
	receivers := strings.Fields(genReceivers)
	type corr struct {
		Corridor
		services int
		rate     float64
		level    float64 // typical cost level of the corridor
	}
	var cs []corr
	seen := map[Corridor]bool{}
	for len(cs) < 370 {
		c := Corridor{From: senders[rng.IntN(len(senders))], To: receivers[rng.IntN(len(receivers))]}
		if c.From == c.To || seen[c] {
			continue
		}
		seen[c] = true
		cs = append(cs, corr{Corridor: c, services: 10 + rng.IntN(16), rate: 0.01 + rng.Float64()*500, level: 2 + rng.Float64()*8})
	}
	firms := make([]string, 200)
	for i := range firms {
		firms[i] = "Firm " + string(rune('A'+i%26)) + string(rune('a'+i/26%26))
	}
	out := make([]Quote, 0, n)
	p := NewPeriod(2011, 1)
	for len(out) < n {
		for ci := range cs {
			c := &cs[ci]
			for s := 0; s < c.services && len(out) < n; s += 1 {
				ft := genFirmTypes[(ci*7+s)%len(genFirmTypes)]
				day := p.Start().AddDate(0, 1, rng.IntN(45))
				inter := c.rate * (0.95 + rng.Float64()*0.1)
				margin := c.level/2 + rng.NormFloat64()*1.5
				if rng.IntN(100) == 0 {
					margin = -rng.Float64() * 2
				}
				transparent := rng.IntN(100) >= 7
				base := Quote{
					Corridor: c.Corridor, Period: p, Date: day, QuotedAt: day,
					Firm: firms[(ci*13+s*7)%len(firms)], FirmType: ft,
					SendCurrency: "USD",
					Rate:         inter * (1 - margin/100), InterbankRate: inter,
					Speed:             genSpeeds[(ci+s)%len(genSpeeds)],
					PaymentInstrument: genPay[(ci+3*s)%len(genPay)],
					AccessPoint:       genAccess[(ci+s)%len(genAccess)],
					PickupMethod:      genPickups[(ci*3+s)%len(genPickups)],
					Transparent:       transparent,
				}
				feeBase := max(0, c.level/2+rng.NormFloat64()*2) * 2 // USD on 200
				for _, basket := range [...]float64{200, 500} {
					if len(out) == n {
						break
					}
					q := base
					q.BasketUSD, q.Amount = basket, basket
					q.Fee = feeBase * (1 + (basket/200-1)*0.4)
					if q.Fee >= q.Amount {
						q.Fee = q.Amount / 10
					}
					out = append(out, q)
					if rng.IntN(200) == 0 && len(out) < n { // an exact duplicate, as in RPW files
						out = append(out, q)
					}
				}
			}
		}
		p = p.Next()
		if p > NewPeriod(2025, 3) {
			p = NewPeriod(2011, 1)
		}
	}
	return out
}
