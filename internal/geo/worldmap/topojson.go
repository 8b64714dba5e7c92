package worldmap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Point is a position in degrees: longitude, latitude (WGS84).
type Point struct{ Lon, Lat float64 }

// Ring is a closed ring of positions (the first equals the last).
type Ring []Point

// Polygon is an exterior ring followed by its holes.
type Polygon []Ring

// Feature is one country shape of a TopoJSON GeometryCollection.
type Feature struct {
	// ID is the feature's id as written (Natural Earth: the ISO 3166-1
	// numeric code, zero-padded, "404"); "" when the feature has none.
	ID   string
	Name string // properties.name
	// Polygons holds one polygon for a Polygon, several for a
	// MultiPolygon.
	Polygons []Polygon
	// Arcs is how many arc references the rings are stitched from.
	Arcs int
}

// BBox returns the feature's bounding box: west, south, east, north.
func (f Feature) BBox() (w, s, e, n float64) {
	w, s, e, n = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, poly := range f.Polygons {
		for _, ring := range poly {
			for _, p := range ring {
				w, e = math.Min(w, p.Lon), math.Max(e, p.Lon)
				s, n = math.Min(s, p.Lat), math.Max(n, p.Lat)
			}
		}
	}
	return w, s, e, n
}

// Positions counts the positions of every ring.
func (f Feature) Positions() int {
	k := 0
	for _, poly := range f.Polygons {
		for _, ring := range poly {
			k += len(ring)
		}
	}
	return k
}

type topology struct {
	Type      string `json:"type"`
	Transform *struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][]float64              `json:"arcs"`
	Objects map[string]json.RawMessage `json:"objects"`
}

type geometry struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Properties struct {
		Name string `json:"name"`
	} `json:"properties"`
	Arcs       json.RawMessage `json:"arcs"`
	Geometries []geometry      `json:"geometries"`
}

// Decode reads the features of one object (a GeometryCollection of
// Polygons and MultiPolygons) of a TopoJSON topology: arcs are
// delta-decoded and de-quantized with the topology's transform when it
// has one, and stitched into rings (a negative index ~i is arc i
// reversed; consecutive arcs share their joining position, kept once).
func Decode(data []byte, object string) (_ []Feature, err error) {
	defer derrors.Wrap(&err, "worldmap.Decode(%q)", object)
	var topo topology
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&topo); err != nil {
		return nil, derrors.Kindf(derrors.Invalid, "not TopoJSON: %v", err)
	}
	if topo.Type != "Topology" {
		return nil, derrors.Kindf(derrors.Invalid, "type is %q, not Topology", topo.Type)
	}
	raw, ok := topo.Objects[object]
	if !ok {
		return nil, derrors.Kindf(derrors.Invalid, "no object %q", object)
	}
	arcs := decodeArcs(&topo)
	var coll geometry
	if err := json.Unmarshal(raw, &coll); err != nil {
		return nil, derrors.Kindf(derrors.Invalid, "object %q: %v", object, err)
	}
	if coll.Type != "GeometryCollection" {
		return nil, derrors.Kindf(derrors.Invalid, "object %q is a %s, not a GeometryCollection", object, coll.Type)
	}
	out := make([]Feature, 0, len(coll.Geometries))
	for i, g := range coll.Geometries {
		f := Feature{Name: g.Properties.Name}
		if f.ID, err = decodeID(g.ID); err != nil {
			return nil, derrors.Kindf(derrors.Invalid, "geometry %d (%s): %v", i, f.Name, err)
		}
		var polys [][][]int
		switch g.Type {
		case "Polygon":
			var rings [][]int
			if err := json.Unmarshal(g.Arcs, &rings); err != nil {
				return nil, derrors.Kindf(derrors.Invalid, "geometry %d (%s): arcs: %v", i, f.Name, err)
			}
			polys = [][][]int{rings}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				return nil, derrors.Kindf(derrors.Invalid, "geometry %d (%s): arcs: %v", i, f.Name, err)
			}
		case "", "null":
			continue // a feature without geometry
		default:
			return nil, derrors.Kindf(derrors.Invalid, "geometry %d (%s): type %q is not a Polygon or MultiPolygon", i, f.Name, g.Type)
		}
		for _, rings := range polys {
			var poly Polygon
			for _, refs := range rings {
				ring, err := stitch(arcs, refs)
				if err != nil {
					return nil, derrors.Kindf(derrors.Invalid, "geometry %d (%s): %v", i, f.Name, err)
				}
				f.Arcs += len(refs)
				poly = append(poly, ring)
			}
			f.Polygons = append(f.Polygons, poly)
		}
		out = append(out, f)
	}
	return out, nil
}

// decodeID reads an id written as a string or a number.
func decodeID(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n float64
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", fmt.Errorf("id %s is neither a string nor a number", raw)
	}
	return strconv.FormatFloat(n, 'f', -1, 64), nil
}

// decodeArcs turns the arcs into absolute positions in degrees.
func decodeArcs(topo *topology) [][]Point {
	sx, sy, tx, ty := 1.0, 1.0, 0.0, 0.0
	quantized := topo.Transform != nil
	if quantized {
		sx, sy = topo.Transform.Scale[0], topo.Transform.Scale[1]
		tx, ty = topo.Transform.Translate[0], topo.Transform.Translate[1]
	}
	out := make([][]Point, len(topo.Arcs))
	for i, arc := range topo.Arcs {
		pts := make([]Point, 0, len(arc))
		var x, y float64
		for _, p := range arc {
			if len(p) < 2 {
				continue
			}
			if quantized {
				x, y = x+p[0], y+p[1] // delta-encoded
				pts = append(pts, Point{Lon: x*sx + tx, Lat: y*sy + ty})
			} else {
				pts = append(pts, Point{Lon: p[0], Lat: p[1]})
			}
		}
		out[i] = pts
	}
	return out
}

// stitch joins the arcs of one ring.
func stitch(arcs [][]Point, refs []int) (Ring, error) {
	var ring Ring
	for k, ref := range refs {
		idx, reverse := ref, false
		if ref < 0 {
			idx, reverse = ^ref, true
		}
		if idx >= len(arcs) {
			return nil, fmt.Errorf("arc %d does not exist (%d arcs)", ref, len(arcs))
		}
		arc := arcs[idx]
		start := len(ring)
		if reverse {
			for i := len(arc) - 1; i >= 0; i-- {
				ring = append(ring, arc[i])
			}
		} else {
			ring = append(ring, arc...)
		}
		if k > 0 && len(ring) > start {
			// The first position of each later arc repeats the last one.
			ring = append(ring[:start], ring[start+1:]...)
		}
	}
	if len(ring) < 4 {
		return nil, fmt.Errorf("a ring of %d positions (at least 4 close a ring)", len(ring))
	}
	return ring, nil
}
