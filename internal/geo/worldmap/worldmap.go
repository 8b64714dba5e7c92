// Package worldmap draws the world map of Corridor's choropleths from the
// shipped Natural Earth 1:110m country shapes (data/natural-earth): it
// decodes the TopoJSON, projects it with the Equal Earth projection into
// SVG path data once, joins the shapes to the reference geography's
// countries by their ISO 3166-1 numeric code, and classifies values into
// colour classes. No tiles, no network.
//
// The package holds types and pure logic; it imports neither SQL nor HTTP.
package worldmap

import (
	"math"
	"strconv"
	"strings"
	"sync"

	naturalearth "github.com/corridor-platform/corridor/data/natural-earth"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// Shape is one projected country shape.
type Shape struct {
	ID   string // ISO 3166-1 numeric ("404"); "" for the three Natural Earth features without one
	Name string // Natural Earth's short name ("Dem. Rep. Congo"): not for display next to data
	// D is the SVG path data in the map's coordinates (viewBox 0 0 Width
	// Height), one subpath per ring; draw it with fill-rule="evenodd".
	D string
}

// Map is the projected world: shapes in an SVG coordinate system.
type Map struct {
	Width, Height float64
	Shapes        []Shape
	byID          map[string]int
}

// Omitted are the Natural Earth features left off the drawing: Antarctica
// (010), which has no figures and would fill a fifth of the map.
var Omitted = map[string]bool{"010": true}

// mapWidth is the width of the viewBox; the height follows the projection.
const mapWidth = 1000.0

// margin around the shapes, in viewBox units.
const margin = 4.0

// New projects the features of a topology's "countries" object.
func New(topoJSON []byte) (*Map, error) {
	feats, err := Decode(topoJSON, "countries")
	if err != nil {
		return nil, err
	}
	return Project(feats)
}

// Project projects features with Equal Earth and scales them into a
// viewBox mapWidth wide; Omitted features are left out.
func Project(feats []Feature) (_ *Map, err error) {
	defer derrors.Wrap(&err, "worldmap.Project")
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	type projected struct {
		f     Feature
		rings [][][2]float64
	}
	var ps []projected
	for _, f := range feats {
		if Omitted[f.ID] {
			continue
		}
		p := projected{f: f}
		for _, poly := range f.Polygons {
			for _, ring := range splitAntimeridian(poly) {
				xy := make([][2]float64, len(ring))
				for i, pt := range ring {
					x, y := EqualEarth(pt.Lon, pt.Lat)
					y = -y // SVG's y grows downwards
					xy[i] = [2]float64{x, y}
					minX, maxX = math.Min(minX, x), math.Max(maxX, x)
					minY, maxY = math.Min(minY, y), math.Max(maxY, y)
				}
				p.rings = append(p.rings, xy)
			}
		}
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		return nil, derrors.Kindf(derrors.Invalid, "no shapes to draw")
	}
	k := (mapWidth - 2*margin) / (maxX - minX)
	m := &Map{Width: mapWidth, Height: math.Ceil((maxY-minY)*k + 2*margin), byID: map[string]int{}}
	for _, p := range ps {
		var b strings.Builder
		for _, ring := range p.rings {
			writeRing(&b, ring, func(x, y float64) (float64, float64) {
				return (x-minX)*k + margin, (y-minY)*k + margin
			})
		}
		if p.f.ID != "" {
			m.byID[p.f.ID] = len(m.Shapes)
		}
		m.Shapes = append(m.Shapes, Shape{ID: p.f.ID, Name: p.f.Name, D: b.String()})
	}
	return m, nil
}

// writeRing writes one closed subpath with coordinates rounded to a tenth
// of a unit, dropping positions that round to the previous one.
func writeRing(b *strings.Builder, ring [][2]float64, scale func(x, y float64) (float64, float64)) {
	var lastX, lastY float64
	n := 0
	for i, p := range ring {
		if i == len(ring)-1 && len(ring) > 1 {
			break // the closing position: Z closes the ring
		}
		x, y := scale(p[0], p[1])
		x, y = math.Round(x*10)/10, math.Round(y*10)/10
		if n > 0 && x == lastX && y == lastY {
			continue
		}
		if n == 0 {
			b.WriteByte('M')
		} else {
			b.WriteByte('L')
		}
		b.WriteString(strconv.FormatFloat(x, 'f', -1, 64))
		b.WriteByte(' ')
		b.WriteString(strconv.FormatFloat(y, 'f', -1, 64))
		lastX, lastY = x, y
		n++
	}
	if n > 0 {
		b.WriteByte('Z')
	}
}

// Shape returns the shape with an id (ISO 3166-1 numeric).
func (m *Map) Shape(id string) (Shape, bool) {
	i, ok := m.byID[id]
	if !ok {
		return Shape{}, false
	}
	return m.Shapes[i], true
}

// Default is the map of the shipped Natural Earth shapes, decoded and
// projected on first use and then shared (it is never modified).
var Default = sync.OnceValues(func() (*Map, error) { return New(naturalearth.Countries110m) })

// Credit is the credit line to show under a map drawn from Default.
const Credit = naturalearth.Credit

// Equal Earth projection constants (Šavrič, Patterson & Jenny 2018).
const (
	eeA1 = 1.340264
	eeA2 = -0.081106
	eeA3 = 0.000893
	eeA4 = 0.003796
)

var eeM = math.Sqrt(3) / 2

// EqualEarth projects a longitude and latitude in degrees with the Equal
// Earth projection (an equal-area pseudocylindrical projection: every
// country is drawn at its true relative size), onto a plane where the
// equator runs from about −2.7066 to 2.7066 and y grows northwards.
func EqualEarth(lon, lat float64) (x, y float64) {
	lambda, phi := lon*math.Pi/180, lat*math.Pi/180
	t := math.Asin(eeM * math.Sin(phi))
	t2 := t * t
	t6 := t2 * t2 * t2
	x = lambda * math.Cos(t) / (eeM * (eeA1 + 3*eeA2*t2 + t6*(7*eeA3+9*eeA4*t2)))
	y = t * (eeA1 + eeA2*t2 + t6*(eeA3+eeA4*t2))
	return x, y
}
