package store

import (
	"context"
	"database/sql"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
)

// ReferenceTx returns every area with members and every alias, read inside
// tx: what Geo.Reference returns, for importers that match area names while
// they write (and so see the reference as of their own transaction). An
// empty reference (no areas) means the countries dataset was never
// imported.
func ReferenceTx(ctx context.Context, tx *Tx) (_ geo.Reference, err error) {
	defer derrors.Wrap(&err, "store.ReferenceTx")
	return readReference(ctx, tx.Query)
}

// queryFunc runs a query with portable placeholders (DB.query, Tx.Query).
type queryFunc func(ctx context.Context, q string, args ...any) (*sql.Rows, error)

// readReference reads every area with members and every alias through q.
func readReference(ctx context.Context, q queryFunc) (geo.Reference, error) {
	var ref geo.Reference
	rows, err := q(ctx, `SELECT `+areaColumns+` FROM areas ORDER BY code`)
	if err != nil {
		return ref, classify(err)
	}
	index := map[string]int{}
	for rows.Next() {
		a, err := scanArea(rows)
		if err != nil {
			rows.Close()
			return ref, err
		}
		index[a.Code] = len(ref.Areas)
		ref.Areas = append(ref.Areas, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ref, err
	}
	if rows, err = q(ctx, `SELECT aggregate_code, member_code FROM area_members ORDER BY aggregate_code, member_code`); err != nil {
		return ref, classify(err)
	}
	for rows.Next() {
		var agg, m string
		if err := rows.Scan(&agg, &m); err != nil {
			rows.Close()
			return ref, err
		}
		if i, ok := index[agg]; ok {
			ref.Areas[i].Members = append(ref.Areas[i].Members, m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ref, err
	}
	if rows, err = q(ctx, `SELECT alias, area_code, source FROM area_aliases ORDER BY id`); err != nil {
		return ref, classify(err)
	}
	defer rows.Close()
	for rows.Next() {
		var al geo.Alias
		if err := rows.Scan(&al.Text, &al.AreaCode, &al.Source); err != nil {
			return ref, err
		}
		ref.Aliases = append(ref.Aliases, al)
	}
	return ref, rows.Err()
}
