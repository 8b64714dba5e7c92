package worldmap

import "math"

// The 1:110m shapes are split at the antimeridian for the most part, but
// a few rings still cross it (Fiji, Russia's mainland and Wrangel Island;
// Antarctica, which winds round the pole): an edge from 179.99° E to
// 180° W joins two points a degree apart on the globe, and would be drawn
// right across the map. splitAntimeridian cuts such rings at ±180° before
// projection.

// splitAntimeridian returns the rings of a polygon with every ring that
// crosses the antimeridian cut into one ring on each side of it. Holes
// are cut the same way; with the even-odd fill rule the cut pieces still
// draw the holes. A ring round a pole (whose longitudes do not come back
// to where they started once unwrapped) is kept as it is.
func splitAntimeridian(poly Polygon) []Ring {
	var out []Ring
	for _, ring := range poly {
		u := unwrap(ring)
		if u == nil {
			out = append(out, ring)
			continue
		}
		west, east := math.Inf(1), math.Inf(-1)
		for _, p := range u {
			west, east = math.Min(west, p.Lon), math.Max(east, p.Lon)
		}
		switch {
		case east > 180:
			out = appendRing(out, clipLon(u, 180, false, 0))
			out = appendRing(out, clipLon(u, 180, true, -360))
		case west < -180:
			out = appendRing(out, clipLon(u, -180, true, 0))
			out = appendRing(out, clipLon(u, -180, false, 360))
		default:
			out = append(out, u)
		}
	}
	return out
}

// unwrap makes a ring's longitudes continuous (no step longer than 180°),
// or returns nil for a ring round a pole.
func unwrap(ring Ring) Ring {
	if len(ring) == 0 {
		return ring
	}
	u := make(Ring, len(ring))
	u[0] = ring[0]
	for i := 1; i < len(ring); i++ {
		lon := ring[i].Lon
		prev := u[i-1].Lon
		for lon-prev > 180 {
			lon -= 360
		}
		for prev-lon > 180 {
			lon += 360
		}
		u[i] = Point{Lon: lon, Lat: ring[i].Lat}
	}
	if math.Abs(u[len(u)-1].Lon-u[0].Lon) > 1e-9 {
		return nil
	}
	// Where the ring is mostly west of 180° W (or east of 180° E), shift
	// it back by a turn.
	if u[0].Lon > 180 || u[0].Lon < -180 {
		shift := -360.0
		if u[0].Lon < -180 {
			shift = 360
		}
		for i := range u {
			u[i].Lon += shift
		}
	}
	return u
}

// clipLon keeps the part of a closed ring at longitudes ≤ at (east false)
// or ≥ at (east true) — Sutherland–Hodgman against one meridian — and
// shifts it by shift degrees. Crossings are interpolated linearly.
func clipLon(ring Ring, at float64, east bool, shift float64) Ring {
	inside := func(p Point) bool {
		if east {
			return p.Lon >= at
		}
		return p.Lon <= at
	}
	var out Ring
	n := len(ring) - 1 // the last position repeats the first
	for i := range n {
		a, b := ring[i], ring[i+1]
		ina, inb := inside(a), inside(b)
		if ina {
			out = append(out, a)
		}
		if ina != inb {
			t := (at - a.Lon) / (b.Lon - a.Lon)
			out = append(out, Point{Lon: at, Lat: a.Lat + t*(b.Lat-a.Lat)})
		}
	}
	if len(out) < 3 {
		return nil
	}
	out = append(out, out[0])
	for i := range out {
		out[i].Lon += shift
	}
	return out
}

func appendRing(rings []Ring, r Ring) []Ring {
	if r == nil {
		return rings
	}
	return append(rings, r)
}
