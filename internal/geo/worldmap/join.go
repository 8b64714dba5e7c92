package worldmap

import (
	"sort"

	"github.com/corridor-platform/corridor/internal/geo"
)

// nameRules join the Natural Earth features that have no id. Only Kosovo
// has a Corridor area (XKX, user-assigned); "N. Cyprus" and "Somaliland"
// stay unjoined: they are no area of the reference geography, so they are
// drawn as "no data".
var nameRules = map[string]string{"Kosovo": "XKX"}

// Join says which shape draws which country.
type Join struct {
	// ShapeOf maps a country's area code to the index of its shape in
	// Map.Shapes.
	ShapeOf map[string]int
	// AreaOf is, for each shape, the area code it draws ("" if none).
	AreaOf []string
	// Unjoined names the shapes that draw no country of the reference.
	Unjoined []string
	// LeftOff holds the countries whose shape the map leaves off on
	// purpose (Omitted: Antarctica), by area code.
	LeftOff map[string]bool
}

// Drawn reports whether a country has a shape on the map.
func (j Join) Drawn(code string) bool {
	_, ok := j.ShapeOf[code]
	return ok
}

// Join matches the shapes to the reference's countries: a shape's id is
// the ISO 3166-1 numeric code, which is the country's Area.M49; Kosovo by
// name. Aggregates never match. A country without a shape at 1:110m
// (Singapore, Bahrain, Malta, most small island states) is absent from
// ShapeOf: show it in a table, never let it vanish.
func (m *Map) Join(areas []geo.Area) Join {
	byM49 := map[string]string{}
	codes := map[string]bool{}
	j := Join{ShapeOf: map[string]int{}, AreaOf: make([]string, len(m.Shapes)), LeftOff: map[string]bool{}}
	for _, a := range areas {
		if !a.IsCountry() {
			continue
		}
		codes[a.Code] = true
		if a.M49 != "" {
			byM49[a.M49] = a.Code
		}
		if Omitted[a.M49] {
			j.LeftOff[a.Code] = true
		}
	}
	for i, s := range m.Shapes {
		code := ""
		if s.ID != "" {
			code = byM49[s.ID]
		} else if c, ok := nameRules[s.Name]; ok && codes[c] {
			code = c
		}
		if code == "" {
			j.Unjoined = append(j.Unjoined, s.Name)
			continue
		}
		j.AreaOf[i] = code
		j.ShapeOf[code] = i
	}
	sort.Strings(j.Unjoined)
	return j
}
