package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
)

// Geo is the stored reference geography; it implements geo.Store.
type Geo struct{ db *DB }

// Geo returns the geography store.
func (db *DB) Geo() *Geo { return &Geo{db: db} }

var _ geo.Store = (*Geo)(nil)

const areaColumns = `code, kind, name, iso2, iso3, m49, region, region_code, sub_region, sub_region_code,
	intermediate_region, intermediate_region_code, sdg_region, sdg_region_code, income_group,
	income_group_code, wb_region, unhcr_code, unhcr_region`

func scanArea(s interface{ Scan(...any) error }) (geo.Area, error) {
	var a geo.Area
	var kind string
	err := s.Scan(&a.Code, &kind, &a.Name, &a.ISO2, &a.ISO3, &a.M49, &a.Region, &a.RegionCode,
		&a.SubRegion, &a.SubRegionCode, &a.IntermediateRegion, &a.IntermediateRegionCode,
		&a.SDGRegion, &a.SDGRegionCode, &a.IncomeGroup, &a.IncomeGroupCode, &a.WBRegion,
		&a.UNHCRCode, &a.UNHCRRegion)
	a.Kind = geo.Kind(kind)
	return a, err
}

// Area returns one area by its code, ISO2, ISO3 or M49 code.
func (g *Geo) Area(ctx context.Context, code string) (_ geo.Area, err error) {
	defer derrors.Wrap(&err, "store.Area(%q)", code)
	code = geo.NormalizeCode(code)
	if code == "" || len(code) > 12 {
		return geo.Area{}, derrors.Kindf(derrors.Invalid, "area code %q is malformed", code)
	}
	snap, err := g.snapshot(ctx)
	if err != nil {
		return geo.Area{}, err
	}
	a, ok := snap.lookup(code)
	if !ok {
		return geo.Area{}, derrors.Kindf(derrors.NotFound, "no country or area with code %q", code)
	}
	a.Members = slices.Clone(a.Members) // the snapshot is shared
	return a, nil
}

// MaxPageSize bounds listings.
const MaxPageSize = 500

// Areas lists areas ordered by name.
func (g *Geo) Areas(ctx context.Context, f geo.Filter) (_ geo.Page, err error) {
	defer derrors.Wrap(&err, "store.Areas")
	if f.Limit < 1 || f.Limit > MaxPageSize {
		return geo.Page{}, derrors.Kindf(derrors.Invalid, "limit must be between 1 and %d", MaxPageSize)
	}
	if f.Offset < 0 {
		return geo.Page{}, derrors.Kindf(derrors.Invalid, "offset must not be negative")
	}
	snap, err := g.snapshot(ctx)
	if err != nil {
		return geo.Page{}, err
	}
	return snap.filter(f), nil
}

// Reference returns every area with members and every alias.
func (g *Geo) Reference(ctx context.Context) (_ geo.Reference, err error) {
	defer derrors.Wrap(&err, "store.Reference")
	return readReference(ctx, g.db.query)
}

// ReplaceReference replaces the stored reference geography inside tx.
// Areas are upserted (other datasets point at them), areas no longer in the
// reference are deleted, members and aliases are rewritten.
func ReplaceReference(ctx context.Context, tx *Tx, ref geo.Reference) (err error) {
	defer derrors.Wrap(&err, "store.ReplaceReference")
	upsert, err := tx.Prepare(ctx, `INSERT INTO areas (`+areaColumns+`, search_name)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, name = excluded.name, iso2 = excluded.iso2,
		iso3 = excluded.iso3, m49 = excluded.m49, region = excluded.region, region_code = excluded.region_code,
		sub_region = excluded.sub_region, sub_region_code = excluded.sub_region_code,
		intermediate_region = excluded.intermediate_region, intermediate_region_code = excluded.intermediate_region_code,
		sdg_region = excluded.sdg_region, sdg_region_code = excluded.sdg_region_code,
		income_group = excluded.income_group, income_group_code = excluded.income_group_code,
		wb_region = excluded.wb_region, unhcr_code = excluded.unhcr_code, unhcr_region = excluded.unhcr_region,
		search_name = excluded.search_name`)
	if err != nil {
		return err
	}
	defer upsert.Close()
	keep := make(map[string]bool, len(ref.Areas))
	for _, a := range ref.Areas {
		if err := validArea(a); err != nil {
			return err
		}
		if keep[a.Code] {
			return derrors.Kindf(derrors.Invalid, "area code %q appears twice", a.Code)
		}
		keep[a.Code] = true
		if _, err := upsert.ExecContext(ctx, a.Code, string(a.Kind), a.Name, a.ISO2, a.ISO3, a.M49, a.Region,
			a.RegionCode, a.SubRegion, a.SubRegionCode, a.IntermediateRegion, a.IntermediateRegionCode,
			a.SDGRegion, a.SDGRegionCode, a.IncomeGroup, a.IncomeGroupCode, a.WBRegion, a.UNHCRCode,
			a.UNHCRRegion, geo.FoldName(a.Name)); err != nil {
			return classify(err)
		}
	}
	if err := deleteStaleAreas(ctx, tx, keep); err != nil {
		return err
	}
	if err := writeMembers(ctx, tx, ref.Areas, keep); err != nil {
		return err
	}
	return writeAliases(ctx, tx, ref.Aliases, keep)
}

func validArea(a geo.Area) error {
	switch {
	case a.Code == "":
		return derrors.Kindf(derrors.Invalid, "area %q has no code", a.Name)
	case a.Name == "":
		return derrors.Kindf(derrors.Invalid, "area %q has no name", a.Code)
	case a.Kind == "":
		return derrors.Kindf(derrors.Invalid, "area %q has no kind", a.Code)
	}
	return nil
}

func deleteStaleAreas(ctx context.Context, tx *Tx, keep map[string]bool) error {
	rows, err := tx.Query(ctx, `SELECT code FROM areas`)
	if err != nil {
		return classify(err)
	}
	var stale []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		if !keep[c] {
			stale = append(stale, c)
		}
	}
	rows.Close()
	for _, c := range stale {
		if _, err := tx.Exec(ctx, `DELETE FROM areas WHERE code = ?`, c); err != nil {
			return fmt.Errorf("area %s is no longer in the reference but is still used: %w", c, classify(err))
		}
	}
	return nil
}

func writeMembers(ctx context.Context, tx *Tx, areas []geo.Area, known map[string]bool) error {
	if _, err := tx.Exec(ctx, `DELETE FROM area_members`); err != nil {
		return classify(err)
	}
	ins, err := tx.Prepare(ctx, `INSERT INTO area_members (aggregate_code, member_code) VALUES (?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, a := range areas {
		for _, m := range a.Members {
			if !known[m] {
				return derrors.Kindf(derrors.Invalid, "aggregate %s lists unknown member %q", a.Code, m)
			}
			if _, err := ins.ExecContext(ctx, a.Code, m); err != nil {
				return classify(err)
			}
		}
	}
	return nil
}

func writeAliases(ctx context.Context, tx *Tx, aliases []geo.Alias, known map[string]bool) error {
	if _, err := tx.Exec(ctx, `DELETE FROM area_aliases`); err != nil {
		return classify(err)
	}
	ins, err := tx.Prepare(ctx, `INSERT INTO area_aliases (area_code, alias, search_name, source) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, al := range aliases {
		if !known[al.AreaCode] {
			return derrors.Kindf(derrors.Invalid, "alias %q points to unknown area %q", al.Text, al.AreaCode)
		}
		if _, err := ins.ExecContext(ctx, al.AreaCode, al.Text, geo.FoldName(al.Text), al.Source); err != nil {
			return classify(err)
		}
	}
	return nil
}
