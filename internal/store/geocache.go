package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"sync"

	"github.com/corridor-platform/corridor/internal/geo"
)

// geoSnapshot is an in-memory copy of the reference geography, tagged with
// the version of the "countries" dataset it was read at. Every read first
// asks the database for the current version (a primary-key lookup), so a
// snapshot is never served after another process imported new data: cache
// invalidation goes through the database, and several servers can share
// one PostgreSQL database without talking to each other.
type geoSnapshot struct {
	version int64
	areas   []geo.Area // sorted by folded name, then code
	folded  []string   // folded names, parallel to areas
	byCode  map[string]int
	byISO2  map[string]int
	byM49   map[string][]int
	aliases map[string][]string // area code → folded aliases
}

type geoCache struct {
	mu   sync.Mutex
	snap *geoSnapshot
}

// referenceVersion is the version of the reference data; 0 when none was
// imported (tables may still hold rows written directly, e.g. by tests).
func (g *Geo) referenceVersion(ctx context.Context) (int64, error) {
	var v int64
	err := g.db.queryRow(ctx, `SELECT version FROM datasets WHERE name = 'countries'`).Scan(&v)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return v, classify(err)
}

// snapshot returns a snapshot that is current with the database.
func (g *Geo) snapshot(ctx context.Context) (*geoSnapshot, error) {
	v, err := g.db.versionOf(ctx, "geo", g.referenceVersion)
	if err != nil {
		return nil, err
	}
	c := &g.db.geo
	c.mu.Lock()
	s := c.snap
	c.mu.Unlock()
	// Version 0 means data not loaded through an import: never cache it.
	if s != nil && s.version == v && v != 0 {
		return s, nil
	}
	for range 3 {
		ref, err := g.Reference(ctx)
		if err != nil {
			return nil, err
		}
		after, err := g.referenceVersion(ctx)
		if err != nil {
			return nil, err
		}
		if after != v {
			v = after // an import committed while reading: read again
			continue
		}
		s = newGeoSnapshot(v, ref)
		c.mu.Lock()
		c.snap = s
		c.mu.Unlock()
		return s, nil
	}
	return s, nil
}

func newGeoSnapshot(version int64, ref geo.Reference) *geoSnapshot {
	s := &geoSnapshot{version: version, areas: ref.Areas, byCode: map[string]int{}, byISO2: map[string]int{},
		byM49: map[string][]int{}, aliases: map[string][]string{}}
	// Fold each name once: folding in the comparison allocated for every
	// one of the sort's thousands of comparisons.
	order := make([]int, len(s.areas))
	folded := make([]string, len(s.areas))
	for i, a := range s.areas {
		order[i], folded[i] = i, geo.FoldName(a.Name)
	}
	slices.SortStableFunc(order, func(i, j int) int {
		return cmp.Or(cmp.Compare(folded[i], folded[j]), cmp.Compare(s.areas[i].Code, s.areas[j].Code))
	})
	areas := make([]geo.Area, len(order))
	s.folded = make([]string, len(order))
	for k, i := range order {
		areas[k], s.folded[k] = s.areas[i], folded[i]
	}
	s.areas = areas
	for i, a := range s.areas {
		s.byCode[a.Code] = i
		if a.ISO2 != "" {
			s.byISO2[a.ISO2] = i
		}
		if a.M49 != "" {
			s.byM49[a.M49] = append(s.byM49[a.M49], i)
		}
	}
	for _, al := range ref.Aliases {
		s.aliases[al.AreaCode] = append(s.aliases[al.AreaCode], geo.FoldName(al.Text))
	}
	return s
}

// lookup finds an area by key, then ISO2, then M49 (countries first).
func (s *geoSnapshot) lookup(code string) (geo.Area, bool) {
	if i, ok := s.byCode[code]; ok {
		return s.areas[i], true
	}
	if i, ok := s.byISO2[code]; ok {
		return s.areas[i], true
	}
	idx := s.byM49[code]
	if len(idx) == 0 {
		return geo.Area{}, false
	}
	best := idx[0]
	for _, i := range idx {
		if s.areas[i].IsCountry() && !s.areas[best].IsCountry() || s.areas[i].IsCountry() == s.areas[best].IsCountry() && s.areas[i].Code < s.areas[best].Code {
			best = i
		}
	}
	return s.areas[best], true
}

// filter applies a geo.Filter with the same meaning as the SQL it replaces:
// kind (countries by default), region and sub-region by code or
// case-insensitive name, query as a folded substring of the name or any
// alias, or an exact code.
func (s *geoSnapshot) filter(f geo.Filter) geo.Page {
	kind := f.Kind
	if kind == "" {
		kind = geo.KindCountry
	}
	region := strings.ToLower(strings.TrimSpace(f.Region))
	sub := strings.ToLower(strings.TrimSpace(f.SubRegion))
	q := strings.TrimSpace(f.Query)
	folded, code := geo.FoldName(q), geo.NormalizeCode(q)
	page := geo.Page{Areas: []geo.Area{}}
	for i, a := range s.areas {
		if a.Kind != kind {
			continue
		}
		if region != "" && a.RegionCode != f.Region && strings.ToLower(a.Region) != region {
			continue
		}
		if sub != "" && a.SubRegionCode != f.SubRegion && strings.ToLower(a.SubRegion) != sub &&
			a.IntermediateRegionCode != f.SubRegion && strings.ToLower(a.IntermediateRegion) != sub {
			continue
		}
		if q != "" && !s.matches(i, folded, code) {
			continue
		}
		if page.Total >= f.Offset && len(page.Areas) < f.Limit {
			page.Areas = append(page.Areas, a)
		}
		page.Total++
	}
	return page
}

func (s *geoSnapshot) matches(i int, folded, code string) bool {
	a := s.areas[i]
	if a.Code == code || a.ISO2 == code || a.M49 == code || strings.Contains(s.folded[i], folded) {
		return true
	}
	for _, al := range s.aliases[a.Code] {
		if strings.Contains(al, folded) {
			return true
		}
	}
	return false
}
