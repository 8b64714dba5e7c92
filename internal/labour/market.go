package labour

import "sort"

// Demand is open positions in a destination for an occupation (ISCO unit
// group), from published vacancies.
type Demand struct {
	Destination string `json:"destination"`
	ISCO        string `json:"isco"`
	Open        int    `json:"open"`
}

// Supply is active registered workers in a country of origin who hold an
// occupation (ISCO unit group).
type Supply struct {
	Origin  string `json:"origin"`
	ISCO    string `json:"isco"`
	Workers int    `json:"workers"`
}

// Meeting is a corridor where demand and supply meet for an occupation:
// Potential is the most placements it could carry (the smaller side).
type Meeting struct {
	Origin      string `json:"origin"`
	Destination string `json:"destination"`
	ISCO        string `json:"isco"`
	Supply      int    `json:"supply"`
	Demand      int    `json:"demand"`
	Potential   int    `json:"potential"`
}

// DrainRisk is an occupation where a country of origin risks losing scarce
// skills: demand abroad is a large share of the workers the country has
// registered. Ratio = demand abroad ÷ registered supply.
type DrainRisk struct {
	Origin       string  `json:"origin"`
	ISCO         string  `json:"isco"`
	Supply       int     `json:"supply"`
	DemandAbroad int     `json:"demandAbroad"`
	Ratio        float64 `json:"ratio"`
	Level        string  `json:"level"` // high (≥ 1: abroad could absorb every registered worker) or elevated (≥ 0.5)
}

// Drain-risk thresholds on demand abroad ÷ supply.
const (
	DrainElevated = 0.5
	DrainHigh     = 1.0
)

// Market joins demand and supply by occupation: the corridors where they
// meet (largest potential first) and the occupations at risk of a drain
// of skills in each origin (highest ratio first). A corridor needs origin ≠
// destination.
func Market(demand []Demand, supply []Supply) (meetings []Meeting, risks []DrainRisk) {
	demandBy := map[string][]Demand{}
	totalDemand := map[string]int{}
	for _, d := range demand {
		if d.Open <= 0 {
			continue
		}
		demandBy[d.ISCO] = append(demandBy[d.ISCO], d)
		totalDemand[d.ISCO] += d.Open
	}
	for _, s := range supply {
		if s.Workers <= 0 {
			continue
		}
		abroad := 0
		for _, d := range demandBy[s.ISCO] {
			if d.Destination == s.Origin {
				continue
			}
			abroad += d.Open
			meetings = append(meetings, Meeting{Origin: s.Origin, Destination: d.Destination, ISCO: s.ISCO,
				Supply: s.Workers, Demand: d.Open, Potential: min(s.Workers, d.Open)})
		}
		if abroad == 0 {
			continue
		}
		r := float64(abroad) / float64(s.Workers)
		if r >= DrainElevated {
			level := "elevated"
			if r >= DrainHigh {
				level = "high"
			}
			risks = append(risks, DrainRisk{Origin: s.Origin, ISCO: s.ISCO, Supply: s.Workers, DemandAbroad: abroad, Ratio: r, Level: level})
		}
	}
	sort.Slice(meetings, func(i, j int) bool {
		a, b := meetings[i], meetings[j]
		if a.Potential != b.Potential {
			return a.Potential > b.Potential
		}
		return a.Origin+a.Destination+a.ISCO < b.Origin+b.Destination+b.ISCO
	})
	sort.Slice(risks, func(i, j int) bool {
		a, b := risks[i], risks[j]
		if a.Ratio != b.Ratio {
			return a.Ratio > b.Ratio
		}
		return a.Origin+a.ISCO < b.Origin+b.ISCO
	})
	return meetings, risks
}
