package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/labour/esco"
)

// The labour taxonomy (migration 00018): ISCO-08 groups written by the
// isco dataset, the ESCO classification by the esco dataset, read back as
// one esco.Taxonomy cached per version of the data ('labour_taxonomy' in
// cache_versions, bumped by both writers).

// labourVersionName is the cache_versions row of the labour taxonomy.
const labourVersionName = "labour_taxonomy"

// labourBatchVars bounds the placeholders of one multi-row statement
// (SQLite allows 32766, PostgreSQL 65535).
const labourBatchVars = 30000

// joinLabels stores a label list as one text (labels never hold a new
// line: ESCO separates them with one).
func joinLabels(s []string) string { return strings.Join(s, "\n") }

func splitLabels(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// insertRows runs an INSERT of n rows of cols values each in batches;
// row(i, args) appends the values of row i. suffix follows the VALUES
// list (an ON CONFLICT clause).
func insertRows(ctx context.Context, tx *Tx, head, suffix string, cols, n int, row func(i int, args []any) []any) error {
	per := labourBatchVars / cols
	args := make([]any, 0, per*cols)
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(i, args)
		}
		if _, err := tx.Exec(ctx, head+" VALUES "+incPlaceholders(end-start, cols)+suffix, args...); err != nil {
			return classify(err)
		}
	}
	return nil
}

// deleteMissing deletes the rows of table whose key is not in keep.
func deleteMissing(ctx context.Context, tx *Tx, table, key string, keep map[string]bool) error {
	rows, err := tx.Query(ctx, `SELECT `+key+` FROM `+table)
	if err != nil {
		return classify(err)
	}
	var gone []any
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return classify(err)
		}
		if !keep[k] {
			gone = append(gone, k)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return classify(err)
	}
	for start := 0; start < len(gone); start += 1000 {
		b := gone[start:min(start+1000, len(gone))]
		if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE `+key+` IN (`+placeholders(len(b))+`)`, b...); err != nil {
			return classify(err)
		}
	}
	return nil
}

// ReplaceISCOGroups replaces the ISCO-08 groups inside tx.
func ReplaceISCOGroups(ctx context.Context, tx *Tx, groups []esco.ISCOGroup) (err error) {
	defer derrors.Wrap(&err, "store.ReplaceISCOGroups")
	keep := make(map[string]bool, len(groups))
	for _, g := range groups {
		if g.Code == "" || keep[g.Code] {
			return derrors.Kindf(derrors.Invalid, "ISCO group %q: empty or given twice", g.Code)
		}
		keep[g.Code] = true
	}
	if err := deleteMissing(ctx, tx, "isco_groups", "code", keep); err != nil {
		return err
	}
	err = insertRows(ctx, tx, `INSERT INTO isco_groups (code, uri, label, alt_labels, description, level, parent)`,
		` ON CONFLICT (code) DO UPDATE SET uri = excluded.uri, label = excluded.label, alt_labels = excluded.alt_labels,
			description = excluded.description, level = excluded.level, parent = excluded.parent`, 7, len(groups),
		func(i int, a []any) []any {
			g := groups[i]
			parent := ""
			if len(g.Code) > 1 {
				parent = g.Code[:len(g.Code)-1]
			}
			return append(a, g.Code, g.URI, g.Label, joinLabels(g.AltLabels), g.Description, len(g.Code), nullText(parent))
		})
	if err != nil {
		return err
	}
	return bumpVersion(ctx, tx, labourVersionName)
}

// ReplaceESCO replaces the ESCO occupations, skills, skill groups and
// occupation skill profiles inside tx (in.ISCOGroups is ignored: the isco
// dataset writes them). Occupations and skills are upserted by URI and id,
// those no longer given deleted.
func ReplaceESCO(ctx context.Context, tx *Tx, in esco.Input) (err error) {
	defer derrors.Wrap(&err, "store.ReplaceESCO")
	if _, err := esco.New(in); err != nil { // checks ids and references
		return fmt.Errorf("%w: %v", derrors.Invalid, err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM esco_occupation_skills`); err != nil {
		return classify(err)
	}
	occKeep := make(map[string]bool, len(in.Occupations))
	for _, o := range in.Occupations {
		occKeep[o.URI] = true
	}
	if err := deleteMissing(ctx, tx, "esco_occupations", "uri", occKeep); err != nil {
		return err
	}
	err = insertRows(ctx, tx, `INSERT INTO esco_occupations (uri, code, label, alt_labels, hidden_labels, isco_group, broader_uri, description)`,
		` ON CONFLICT (uri) DO UPDATE SET code = excluded.code, label = excluded.label, alt_labels = excluded.alt_labels,
			hidden_labels = excluded.hidden_labels, isco_group = excluded.isco_group, broader_uri = excluded.broader_uri,
			description = excluded.description`, 8, len(in.Occupations),
		func(i int, a []any) []any {
			o := &in.Occupations[i]
			return append(a, o.URI, o.Code, o.Label, joinLabels(o.AltLabels), joinLabels(o.HiddenLabels), o.ISCOGroup, nullText(o.Broader), o.Description)
		})
	if err != nil {
		return err
	}
	// Skills: ids are dense, so the rows past the new count go; URIs are
	// cleared first so that one moving to another id never collides.
	if _, err := tx.Exec(ctx, `DELETE FROM esco_skills WHERE id > ?`, len(in.Skills)); err != nil {
		return classify(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE esco_skills SET uri = NULL WHERE uri IS NOT NULL`); err != nil {
		return classify(err)
	}
	err = insertRows(ctx, tx, `INSERT INTO esco_skills (id, uri, label, alt_labels, skill_type, collections, group_uris)`,
		` ON CONFLICT (id) DO UPDATE SET uri = excluded.uri, label = excluded.label, alt_labels = excluded.alt_labels,
			skill_type = excluded.skill_type, collections = excluded.collections, group_uris = excluded.group_uris`, 7, len(in.Skills),
		func(i int, a []any) []any {
			s := &in.Skills[i]
			return append(a, int64(s.ID), nullText(s.URI), s.Label, joinLabels(s.AltLabels), s.Type, joinLabels(s.Collections), joinLabels(s.Groups))
		})
	if err != nil {
		return err
	}
	type link struct {
		occ       string
		skill     esco.SkillID
		essential bool
		ordinal   int
	}
	var links []link
	for _, o := range in.Occupations {
		for i, id := range o.Essential {
			links = append(links, link{o.URI, id, true, i + 1})
		}
		for i, id := range o.Optional {
			links = append(links, link{o.URI, id, false, i + 1})
		}
	}
	err = insertRows(ctx, tx, `INSERT INTO esco_occupation_skills (occupation_uri, skill_id, essential, ordinal)`, "", 4, len(links),
		func(i int, a []any) []any {
			l := &links[i]
			return append(a, l.occ, int64(l.skill), l.essential, l.ordinal)
		})
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM esco_skill_groups`); err != nil {
		return classify(err)
	}
	err = insertRows(ctx, tx, `INSERT INTO esco_skill_groups (uri, code, label, alt_labels, parent_uri, level)`, "", 6, len(in.SkillGroups),
		func(i int, a []any) []any {
			g := &in.SkillGroups[i]
			return append(a, g.URI, g.Code, g.Label, joinLabels(g.AltLabels), nullText(g.Parent), g.Level)
		})
	if err != nil {
		return err
	}
	return bumpVersion(ctx, tx, labourVersionName)
}

// LabourISCOCheck counts, inside tx, the stored ESCO occupations and
// those whose ISCO unit group is not among the stored ISCO groups, and
// the stored ISCO groups.
func LabourISCOCheck(ctx context.Context, tx *Tx) (occupations, unknownGroup, groups int, err error) {
	defer derrors.Wrap(&err, "store.LabourISCOCheck")
	err = tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM esco_occupations),
		(SELECT COUNT(*) FROM esco_occupations o WHERE NOT EXISTS (SELECT 1 FROM isco_groups g WHERE g.code = o.isco_group)),
		(SELECT COUNT(*) FROM isco_groups)`).Scan(&occupations, &unknownGroup, &groups)
	return occupations, unknownGroup, groups, classify(err)
}

// LabourTaxonomyVersion is a number that changes whenever the ISCO or
// ESCO data change.
func (db *DB) LabourTaxonomyVersion(ctx context.Context) (int64, error) {
	return db.versionOf(ctx, labourVersionName, func(ctx context.Context) (int64, error) {
		var v int64
		err := db.queryRow(ctx, `SELECT version FROM cache_versions WHERE name = ?`, labourVersionName).Scan(&v)
		if err == sql.ErrNoRows {
			return 0, nil
		}
		return v, classify(err)
	})
}

// taxonomyCache holds the taxonomy built at one version.
type taxonomyCache struct {
	mu      sync.Mutex
	version int64
	tax     *esco.Taxonomy
}

// LabourTaxonomy returns the ISCO/ESCO taxonomy, built from the database
// once per data version (an import of either dataset makes the next call
// rebuild it). When ESCO was never imported the error wraps
// derrors.NotFound. ISCO groups may be missing (the isco dataset not
// imported): the occupations then have no group labels.
func (db *DB) LabourTaxonomy(ctx context.Context) (_ *esco.Taxonomy, err error) {
	defer derrors.Wrap(&err, "store.LabourTaxonomy")
	v, err := db.LabourTaxonomyVersion(ctx)
	if err != nil {
		return nil, err
	}
	c := &db.taxonomy
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tax != nil && c.version == v {
		return c.tax, nil
	}
	in, err := db.readLabourTaxonomy(ctx)
	if err != nil {
		return nil, err
	}
	if len(in.Occupations) == 0 {
		return nil, derrors.Kindf(derrors.NotFound, "the ESCO occupations and skills are not loaded: run `corridor import esco` (and `corridor import isco` for the ISCO-08 groups)")
	}
	t, err := esco.New(in)
	if err != nil {
		return nil, err
	}
	c.tax, c.version = t, v
	return t, nil
}

// readLabourTaxonomy reads every table in one read transaction (a
// consistent snapshot while an import commits).
func (db *DB) readLabourTaxonomy(ctx context.Context) (in esco.Input, err error) {
	stx, err := db.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.dialect.isPostgres()})
	if err != nil {
		return in, classify(err)
	}
	defer stx.Rollback()
	tx := &Tx{tx: stx, d: db.dialect}
	each := func(q string, scan func(*sql.Rows) error) error {
		rows, err := tx.Query(ctx, q)
		if err != nil {
			return classify(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return classify(err)
			}
		}
		return classify(rows.Err())
	}
	err = each(`SELECT code, uri, label, alt_labels, description FROM isco_groups ORDER BY code`, func(r *sql.Rows) error {
		var g esco.ISCOGroup
		var alts string
		if err := r.Scan(&g.Code, &g.URI, &g.Label, &alts, &g.Description); err != nil {
			return err
		}
		g.AltLabels = splitLabels(alts)
		in.ISCOGroups = append(in.ISCOGroups, g)
		return nil
	})
	if err != nil {
		return in, err
	}
	occIdx := map[string]int{}
	err = each(`SELECT uri, code, label, alt_labels, hidden_labels, isco_group, COALESCE(broader_uri, ''), description
		FROM esco_occupations ORDER BY uri`, func(r *sql.Rows) error {
		var o esco.Occupation
		var alts, hidden string
		if err := r.Scan(&o.URI, &o.Code, &o.Label, &alts, &hidden, &o.ISCOGroup, &o.Broader, &o.Description); err != nil {
			return err
		}
		o.AltLabels, o.HiddenLabels = splitLabels(alts), splitLabels(hidden)
		occIdx[o.URI] = len(in.Occupations)
		in.Occupations = append(in.Occupations, o)
		return nil
	})
	if err != nil {
		return in, err
	}
	err = each(`SELECT id, COALESCE(uri, ''), label, alt_labels, skill_type, collections, group_uris FROM esco_skills ORDER BY id`, func(r *sql.Rows) error {
		var s esco.Skill
		var id int64
		var alts, cols, groups string
		if err := r.Scan(&id, &s.URI, &s.Label, &alts, &s.Type, &cols, &groups); err != nil {
			return err
		}
		s.ID = esco.SkillID(id)
		s.AltLabels, s.Collections, s.Groups = splitLabels(alts), splitLabels(cols), splitLabels(groups)
		in.Skills = append(in.Skills, s)
		return nil
	})
	if err != nil {
		return in, err
	}
	err = each(`SELECT occupation_uri, skill_id, essential FROM esco_occupation_skills ORDER BY occupation_uri, essential DESC, ordinal`, func(r *sql.Rows) error {
		var uri string
		var id int64
		var essential bool
		if err := r.Scan(&uri, &id, &essential); err != nil {
			return err
		}
		i, ok := occIdx[uri]
		if !ok {
			return fmt.Errorf("occupation skill of unknown occupation %s", uri)
		}
		o := &in.Occupations[i]
		if essential {
			o.Essential = append(o.Essential, esco.SkillID(id))
		} else {
			o.Optional = append(o.Optional, esco.SkillID(id))
		}
		return nil
	})
	if err != nil {
		return in, err
	}
	err = each(`SELECT uri, code, label, alt_labels, COALESCE(parent_uri, ''), level FROM esco_skill_groups ORDER BY uri`, func(r *sql.Rows) error {
		var g esco.SkillGroup
		var alts string
		if err := r.Scan(&g.URI, &g.Code, &g.Label, &alts, &g.Parent, &g.Level); err != nil {
			return err
		}
		g.AltLabels = splitLabels(alts)
		in.SkillGroups = append(in.SkillGroups, g)
		return nil
	})
	return in, err
}
