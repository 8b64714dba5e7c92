package worldmap

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	naturalearth "github.com/corridor-platform/corridor/data/natural-earth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
)

var dataDir = filepath.Join("..", "..", "..", "data")

// TestEmbeddedFileIsTheShippedOne: the bytes compiled in are the file in
// data/natural-earth with the checksum its PROVENANCE.md states.
func TestEmbeddedFileIsTheShippedOne(t *testing.T) {
	onDisk, err := os.ReadFile(filepath.Join(dataDir, "natural-earth", "countries-110m.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(onDisk) != string(naturalearth.Countries110m) {
		t.Fatal("the embedded TopoJSON differs from data/natural-earth/countries-110m.json")
	}
	sum := sha256.Sum256(naturalearth.Countries110m)
	const want = "2516c915867c7baf18ddec727aec46c315541a07cfb3d79a6559b05d5e94eee8"
	if got := hex.EncodeToString(sum[:]); got != want || len(onDisk) != 107761 {
		t.Errorf("sha256 %s, %d bytes; PROVENANCE.md says %s, 107,761 bytes", got, len(onDisk), want)
	}
	prov, err := os.ReadFile(filepath.Join(dataDir, "natural-earth", "PROVENANCE.md"))
	if err != nil || !strings.Contains(string(prov), want) {
		t.Errorf("PROVENANCE.md does not state the checksum (%v)", err)
	}
}

func decodeShipped(t *testing.T) []Feature {
	t.Helper()
	feats, err := Decode(naturalearth.Countries110m, "countries")
	if err != nil {
		t.Fatal(err)
	}
	return feats
}

func feature(t *testing.T, feats []Feature, id string) Feature {
	t.Helper()
	for _, f := range feats {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no feature %q", id)
	return Feature{}
}

// TestDecode checks the decoder against the figures of topojson-client's
// conversion of the same file (countries-110m.geojson in the shared data
// folder, see PROVENANCE.md): positions, arcs and bounding boxes.
func TestDecode(t *testing.T) {
	feats := decodeShipped(t)
	if len(feats) != 177 {
		t.Fatalf("%d features, want 177", len(feats))
	}
	var noID []string
	for _, f := range feats {
		if f.ID == "" {
			noID = append(noID, f.Name)
		}
	}
	slices.Sort(noID)
	if want := []string{"Kosovo", "N. Cyprus", "Somaliland"}; !slices.Equal(noID, want) {
		t.Errorf("features without id: %v, want %v", noID, want)
	}
	tests := []struct {
		id, name             string
		polygons, positions  int
		arcs                 int // -1: not checked
		west, south, east, n float64
	}{
		{"404", "Kenya", 1, 37, 6, 33.89253892538926, -4.6759630390709646, 41.855818558185604, 5.506469518574406},
		{"840", "United States of America", 10, 443, -1, -171.79191791917918, 18.916611332773925, -66.9660696606966, 71.35715453980961},
		{"643", "Russia", 12, 610, -1, -180, 41.151753704746554, 179.99279992799927, 81.2501595762852},
		{"242", "Fiji", 2, 20, 2, -180, -18.28751932706699, 180, -16.02118335720543},
		{"250", "France", 3, 74, -1, -54.52434524345243, 2.0536499677771047, 9.55989559895599, 51.148004816025406},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := feature(t, feats, tt.id)
			if f.Name != tt.name {
				t.Errorf("name %q, want %q", f.Name, tt.name)
			}
			if len(f.Polygons) != tt.polygons || f.Positions() != tt.positions {
				t.Errorf("%d polygons, %d positions; want %d, %d", len(f.Polygons), f.Positions(), tt.polygons, tt.positions)
			}
			if tt.arcs >= 0 && f.Arcs != tt.arcs {
				t.Errorf("%d arcs, want %d", f.Arcs, tt.arcs)
			}
			w, s, e, n := f.BBox()
			for _, c := range []struct {
				what      string
				got, want float64
			}{{"west", w, tt.west}, {"south", s, tt.south}, {"east", e, tt.east}, {"north", n, tt.n}} {
				if math.Abs(c.got-c.want) > 1e-9 {
					t.Errorf("%s = %.12f, want %.12f", c.what, c.got, c.want)
				}
			}
			for _, poly := range f.Polygons {
				for _, ring := range poly {
					if ring[0] != ring[len(ring)-1] {
						t.Errorf("ring not closed: %v … %v", ring[0], ring[len(ring)-1])
					}
				}
			}
		})
	}
}

func TestDecodeRejectsBadInput(t *testing.T) {
	tests := []struct{ name, json, object, want string }{
		{"not JSON", `{`, "countries", "not TopoJSON"},
		{"not a topology", `{"type":"FeatureCollection"}`, "countries", "not Topology"},
		{"no object", `{"type":"Topology","arcs":[],"objects":{}}`, "countries", `no object "countries"`},
		{"missing arc", `{"type":"Topology","arcs":[[[0,0],[1,0],[0,1],[-1,-1]]],"objects":{"countries":{"type":"GeometryCollection","geometries":[{"type":"Polygon","arcs":[[1]]}]}}}`,
			"countries", "arc 1 does not exist"},
		{"point", `{"type":"Topology","arcs":[],"objects":{"countries":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[0,0]}]}}}`,
			"countries", "not a Polygon or MultiPolygon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.json), tt.object)
			if !errors.Is(err, derrors.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want Invalid with %q", err, tt.want)
			}
		})
	}
}

// TestDecodeQuantizedAndReversedArcs decodes a hand-made topology: a
// square from two arcs, the second used reversed, delta-encoded.
func TestDecodeQuantizedAndReversedArcs(t *testing.T) {
	const topo = `{"type":"Topology","transform":{"scale":[0.5,2],"translate":[10,20]},
	"arcs":[[[0,0],[2,0],[0,2]],[[0,0],[0,2],[2,0]]],
	"objects":{"countries":{"type":"GeometryCollection","geometries":[{"type":"Polygon","id":"001","properties":{"name":"Sq"},"arcs":[[0,-2]]}]}}}`
	feats, err := Decode([]byte(topo), "countries")
	if err != nil {
		t.Fatal(err)
	}
	// Arc 0: (0,0) (2,0) (2,2) → (10,20) (11,20) (11,24); arc 1 reversed:
	// (2,2) (0,2) (0,0) → its first position is arc 0's last, kept once.
	want := Ring{{10, 20}, {11, 20}, {11, 24}, {10, 24}, {10, 20}}
	if got := feats[0].Polygons[0][0]; !slices.Equal(got, want) {
		t.Errorf("ring = %v, want %v", got, want)
	}
	if feats[0].ID != "001" || feats[0].Name != "Sq" || feats[0].Arcs != 2 {
		t.Errorf("feature = %+v", feats[0])
	}
}

// TestEqualEarth checks the projection at known points: the equator's
// ends at ±π/(M·A1), the pole at A1+A2+A3+A4 applied to θ=π/3.
func TestEqualEarth(t *testing.T) {
	x, y := EqualEarth(180, 0)
	if math.Abs(x-math.Pi/(eeM*eeA1)) > 1e-12 || y != 0 {
		t.Errorf("(180, 0) → (%v, %v)", x, y)
	}
	th := math.Pi / 3
	wantY := th * (eeA1 + eeA2*th*th + math.Pow(th, 6)*(eeA3+eeA4*th*th))
	if x, y := EqualEarth(0, 90); math.Abs(x) > 1e-12 || math.Abs(y-wantY) > 1e-12 {
		t.Errorf("(0, 90) → (%v, %v), want (0, %v)", x, y, wantY)
	}
	if x, y := EqualEarth(-90, -45); x >= 0 || y >= 0 {
		t.Errorf("(-90, -45) → (%v, %v): west and south must be negative", x, y)
	}
}

var pathNumber = regexp.MustCompile(`-?\d+(\.\d+)?`)

// TestDefaultMap: every shape but Antarctica is drawn, inside the
// viewBox, and Kenya's shape lies east of Brazil's and south of Norway's.
func TestDefaultMap(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Shapes) != 176 {
		t.Errorf("%d shapes, want 176 (177 features less Antarctica)", len(m.Shapes))
	}
	if _, ok := m.Shape("010"); ok {
		t.Error("Antarctica is drawn")
	}
	if m.Width != 1000 || m.Height < 400 || m.Height > 520 {
		t.Errorf("viewBox %v × %v", m.Width, m.Height)
	}
	centre := map[string][2]float64{}
	for _, s := range m.Shapes {
		if !strings.HasPrefix(s.D, "M") || !strings.HasSuffix(s.D, "Z") {
			t.Errorf("%s: path %.40q…", s.Name, s.D)
		}
		nums := pathNumber.FindAllString(s.D, -1)
		var sx, sy float64
		for i := 0; i+1 < len(nums); i += 2 {
			x, _ := strconv.ParseFloat(nums[i], 64)
			y, _ := strconv.ParseFloat(nums[i+1], 64)
			if x < 0 || x > m.Width || y < 0 || y > m.Height {
				t.Fatalf("%s: (%v, %v) outside the viewBox", s.Name, x, y)
			}
			sx, sy = sx+x, sy+y
		}
		centre[s.ID] = [2]float64{sx / float64(len(nums)/2), sy / float64(len(nums)/2)}
	}
	ken, bra, nor := centre["404"], centre["076"], centre["578"]
	if !(ken[0] > bra[0] && ken[1] > nor[1]) {
		t.Errorf("Kenya at %v, Brazil at %v, Norway at %v", ken, bra, nor)
	}
	if again, _ := Default(); again != m {
		t.Error("Default projects again on each call")
	}
}

// TestJoinShippedReference joins the shapes to the reference geography
// built from data/ as `corridor import countries` builds it.
func TestJoinShippedReference(t *testing.T) {
	ref, err := geo.LoadReference(context.Background(), geo.DefaultSourceFiles(dataDir), geo.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	j := m.Join(ref.Areas)
	t.Logf("%d of %d shapes joined", len(j.ShapeOf), len(m.Shapes))
	if n := len(j.ShapeOf); n < 170 {
		t.Errorf("%d shapes joined to countries, want at least 170", n)
	}
	if want := []string{"N. Cyprus", "Somaliland"}; !slices.Equal(j.Unjoined, want) {
		t.Errorf("unjoined shapes %v, want %v", j.Unjoined, want)
	}
	byCode := map[string]geo.Area{}
	for _, a := range ref.Areas {
		byCode[a.Code] = a
	}
	for code, i := range j.ShapeOf {
		a := byCode[code]
		if !a.IsCountry() {
			t.Errorf("shape %s joined to %s, which is not a country", m.Shapes[i].Name, code)
		}
		if m.Shapes[i].ID != a.M49 && !(code == "XKX" && m.Shapes[i].Name == "Kosovo") {
			t.Errorf("shape %s (%s) joined to %s (M49 %s)", m.Shapes[i].Name, m.Shapes[i].ID, code, a.M49)
		}
		if j.AreaOf[i] != code {
			t.Errorf("AreaOf[%d] = %q, want %q", i, j.AreaOf[i], code)
		}
	}
	for code, name := range map[string]string{"KEN": "Kenya", "USA": "United States of America", "COD": "Dem. Rep. Congo",
		"XKX": "Kosovo", "NOR": "Norway", "TWN": "Taiwan", "PSE": "Palestine", "ESH": "W. Sahara"} {
		i, ok := j.ShapeOf[code]
		if !ok {
			t.Errorf("%s has no shape", code)
			continue
		}
		if m.Shapes[i].Name != name {
			t.Errorf("%s drawn by %q, want %q", code, m.Shapes[i].Name, name)
		}
	}
	if len(j.LeftOff) != 1 || !j.LeftOff["ATA"] {
		t.Errorf("left off %v, want Antarctica only", j.LeftOff)
	}
	for _, code := range []string{"SGP", "BHR", "MLT", "HKG", "MAC", "MDV", "ATA"} {
		if j.Drawn(code) {
			t.Errorf("%s is drawn; at 1:110m it has no shape (or is left off)", code)
		}
	}
}

func TestQuantiles(t *testing.T) {
	nan := math.NaN()
	type cl struct {
		min, max float64
		count    int
	}
	tests := []struct {
		name   string
		values []float64
		k      int
		want   []cl
	}{
		{"none", nil, 5, nil},
		{"only NaN", []float64{nan, math.Inf(1)}, 5, nil},
		{"one value", []float64{42}, 5, []cl{{42, 42, 1}}},
		{"all equal", []float64{3, 3, 3, 3, 3, 3}, 5, []cl{{3, 3, 6}}},
		{"NaN excluded", []float64{nan, 1, 2, nan, 3, 4, 5}, 5, []cl{{1, 1, 1}, {2, 2, 1}, {3, 3, 1}, {4, 4, 1}, {5, 5, 1}}},
		{"ten into five", []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 5, []cl{{1, 2, 2}, {3, 4, 2}, {5, 6, 2}, {7, 8, 2}, {9, 10, 2}}},
		{"ties stay together", []float64{1, 1, 1, 1, 1, 1, 2, 3}, 4, []cl{{1, 1, 6}, {2, 3, 2}}},
		{"two distinct", []float64{0, 0, 0, 7}, 5, []cl{{0, 0, 3}, {7, 7, 1}}},
		{"negative and zero", []float64{-5, 0, 0, 5}, 2, []cl{{-5, -5, 1}, {0, 5, 3}}},
		{"k clamped to 7", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, 12, []cl{{1, 2, 2}, {3, 4, 2}, {5, 6, 2}, {7, 8, 2}, {9, 10, 2}, {11, 12, 2}, {13, 14, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Quantiles(tt.values, tt.k)
			if c.Method != "quantiles" {
				t.Errorf("method %q", c.Method)
			}
			var got []cl
			for _, x := range c.Classes {
				got = append(got, cl{x.Min, x.Max, x.Count})
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("classes %v, want %v", got, tt.want)
			}
			colours := map[string]bool{}
			for i, x := range c.Classes {
				if x.Colour == "" || colours[x.Colour] || x.Colour == NoDataFill {
					t.Errorf("class %d colour %q (repeated, empty or the no-data grey)", i, x.Colour)
				}
				colours[x.Colour] = true
			}
			for _, v := range tt.values {
				i := c.Index(v)
				if math.IsNaN(v) || math.IsInf(v, 0) {
					if i != -1 {
						t.Errorf("Index(%v) = %d, want -1", v, i)
					}
					continue
				}
				if i < 0 || v < c.Classes[i].Min || v > c.Classes[i].Max {
					t.Errorf("Index(%v) = %d, outside its class", v, i)
				}
			}
		})
	}
	if i := (Classification{}).Index(1); i != -1 {
		t.Errorf("no classes: Index = %d", i)
	}
}

// TestNoEdgeAcrossTheMap: after the antimeridian cut, no ring steps more
// than 180° of longitude, and no drawn edge crosses a fifth of the map
// (an edge from 180° E to 180° W would cross all of it: Fiji, Russia).
func TestNoEdgeAcrossTheMap(t *testing.T) {
	feats := decodeShipped(t)
	crossing := 0
	for _, f := range feats {
		for _, poly := range f.Polygons {
			for _, ring := range poly {
				for i := 1; i < len(ring); i++ {
					if math.Abs(ring[i].Lon-ring[i-1].Lon) > 180 {
						crossing++
						break
					}
				}
			}
			if f.ID == "010" {
				continue // round the pole: left off the map
			}
			for _, ring := range splitAntimeridian(poly) {
				for i := 1; i < len(ring); i++ {
					if d := math.Abs(ring[i].Lon - ring[i-1].Lon); d > 180 {
						t.Errorf("%s: a step of %v° after the cut", f.Name, d)
					}
					if ring[i].Lon < -180 || ring[i].Lon > 180 {
						t.Errorf("%s: longitude %v", f.Name, ring[i].Lon)
					}
				}
			}
		}
	}
	if crossing < 3 {
		t.Errorf("only %d rings cross the antimeridian in the file; the cut is not tested", crossing)
	}
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range m.Shapes {
		for _, sub := range strings.Split(s.D, "M")[1:] {
			nums := pathNumber.FindAllString(sub, -1)
			for i := 2; i+1 < len(nums); i += 2 {
				x0, _ := strconv.ParseFloat(nums[i-2], 64)
				x1, _ := strconv.ParseFloat(nums[i], 64)
				if math.Abs(x1-x0) > m.Width/5 {
					t.Errorf("%s: an edge from x=%v to x=%v", s.Name, x0, x1)
				}
			}
		}
	}
}

func TestSplitAntimeridian(t *testing.T) {
	// A square from 170° E to 170° W, written across the antimeridian.
	sq := Polygon{Ring{{170, 0}, {-170, 0}, {-170, 10}, {170, 10}, {170, 0}}}
	got := splitAntimeridian(sq)
	if len(got) != 2 {
		t.Fatalf("%d rings, want 2: %v", len(got), got)
	}
	for _, r := range got {
		w, e := 180.0, -180.0
		for _, p := range r {
			w, e = math.Min(w, p.Lon), math.Max(e, p.Lon)
		}
		if !(w == 170 && e == 180) && !(w == -180 && e == -170) {
			t.Errorf("ring %v spans %v to %v", r, w, e)
		}
	}
	inside := Polygon{Ring{{10, 0}, {20, 0}, {20, 10}, {10, 0}}}
	if got := splitAntimeridian(inside); len(got) != 1 || !slices.Equal(got[0], inside[0]) {
		t.Errorf("a ring away from the antimeridian changed: %v", got)
	}
}

// TestChoropleth: missing values get no class (never the lowest), every
// country stays a row, drawn or not.
func TestChoropleth(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	areas := []geo.Area{
		{Code: "KEN", Kind: geo.KindCountry, M49: "404"}, {Code: "UGA", Kind: geo.KindCountry, M49: "800"},
		{Code: "SGP", Kind: geo.KindCountry, M49: "702"}, {Code: "TZA", Kind: geo.KindCountry, M49: "834"},
	}
	data := []Datum{{Area: "KEN", Value: 2, OK: true}, {Area: "UGA", Value: 0, OK: false}, {Area: "SGP", Value: 43, OK: true},
		{Area: "TZA", Value: 0, OK: true}}
	c := m.Join(areas).Choropleth(data, 5)
	if len(c.Rows) != 4 || len(c.Classes) != 3 {
		t.Fatalf("%d rows, %d classes", len(c.Rows), len(c.Classes))
	}
	want := []struct {
		class int
		drawn bool
	}{{1, true}, {-1, true}, {2, false}, {0, true}}
	for i, w := range want {
		if r := c.Rows[i]; r.Class != w.class || r.Drawn != w.drawn || r.Area != data[i].Area {
			t.Errorf("row %d = %+v, want class %d drawn %v", i, r, w.class, w.drawn)
		}
	}
}
