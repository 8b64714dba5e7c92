package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// Releases stores de-identified releases of counter-trafficking data
// (internal/release) with their files and reports; schema and statuses:
// migrations/00015_releases.sql.
//
// The store does not build releases (the web layer does, from
// Cases.ReleaseSource) and does not check route permissions: callers pass
// a scope filter to List and check a release's Record against the
// principal. It writes the audit entry of every change (resource
// "releases") in the change's own transaction, so that a change and its
// trace commit together; web handlers then tell the policy layer not to
// write a second one (web.SkipAudit).
type Releases struct{ db *DB }

// Releases returns the release store.
func (db *DB) Releases() *Releases { return &Releases{db: db} }

const releasesResource = "releases"

// The statuses of a release.
const (
	ReleaseBuilt     = "built"     // verification passed: publishable
	ReleaseFailed    = "failed"    // verification failed: kept, never publishable
	ReleasePublished = "published" // served publicly
	ReleaseWithdrawn = "withdrawn" // no longer served
)

// ReleaseFiles are the files of a release, as the public API names them.
var ReleaseFiles = []string{"release.json", "report.json", "aggregates.csv", "records.csv", "datacard.md"}

// Release is a stored release. The JSON documents (Manifest, Report,
// Verify) are kept as written so that a download is byte for byte what
// was built and verified.
type Release struct {
	ID            int64      `json:"id"`
	OrgID         int64      `json:"orgId"`
	TeamID        int64      `json:"teamId,omitempty"`
	Title         string     `json:"title"`
	Method        string     `json:"method"`
	Status        string     `json:"status"`
	CreatedBy     int64      `json:"createdBy"`
	CreatedAt     time.Time  `json:"createdAt"`
	PublishedBy   int64      `json:"publishedBy,omitempty"`
	PublishedAt   *time.Time `json:"publishedAt,omitempty"`
	WithdrawnAt   *time.Time `json:"withdrawnAt,omitempty"`
	Manifest      string     `json:"-"`
	Report        string     `json:"-"`
	Verify        string     `json:"-"`
	AggregatesCSV string     `json:"-"`
	RecordsCSV    string     `json:"-"`
	DataCard      string     `json:"-"`
}

// Record is what a record-scope check needs of the release.
func (r Release) Record() auth.Record {
	return auth.Record{OwnerID: r.CreatedBy, TeamID: r.TeamID, OrgID: r.OrgID}
}

// TraffickingSource is the public trafficking source of a published
// release's records.
func (r Release) TraffickingSource() string { return "release:" + strconv.FormatInt(r.ID, 10) }

// File returns a file of the release by its public name; ok is false for
// an unknown name or a file the method does not produce.
func (r Release) File(name string) (body, contentType string, ok bool) {
	switch name {
	case "release.json":
		body, contentType = r.Manifest, "application/json"
	case "report.json":
		body, contentType = r.Report, "application/json"
	case "aggregates.csv":
		body, contentType = r.AggregatesCSV, "text/csv; charset=utf-8"
	case "records.csv":
		body, contentType = r.RecordsCSV, "text/csv; charset=utf-8"
	case "datacard.md":
		body, contentType = r.DataCard, "text/markdown; charset=utf-8"
	}
	return body, contentType, body != ""
}

const releaseMeta = `id, org_id, COALESCE(team_id, 0), title, method, status, created_by, created_at,
	COALESCE(published_by, 0), published_at, withdrawn_at`

const releaseColumns = releaseMeta + `, manifest, report, verify_report, aggregates_csv, records_csv, datacard`

func scanRelease(r interface{ Scan(...any) error }, files bool) (Release, error) {
	var rel Release
	var pub, wd sql.NullTime
	dest := []any{&rel.ID, &rel.OrgID, &rel.TeamID, &rel.Title, &rel.Method, &rel.Status, &rel.CreatedBy, &rel.CreatedAt,
		&rel.PublishedBy, &pub, &wd}
	if files {
		dest = append(dest, &rel.Manifest, &rel.Report, &rel.Verify, &rel.AggregatesCSV, &rel.RecordsCSV, &rel.DataCard)
	}
	if err := r.Scan(dest...); err != nil {
		return rel, err
	}
	rel.CreatedAt = rel.CreatedAt.UTC()
	if pub.Valid {
		t := pub.Time.UTC()
		rel.PublishedAt = &t
	}
	if wd.Valid {
		t := wd.Time.UTC()
		rel.WithdrawnAt = &t
	}
	return rel, nil
}

// releaseAudit appends the audit entry of a change to a release in tx.
func (s *Releases) releaseAudit(ctx context.Context, tx *Tx, p *auth.Principal, action string, id int64, detail string) error {
	e := audit.Entry{ActorID: p.UserID, ActorName: p.Username, OrgID: p.OrgID, Action: action, Resource: releasesResource,
		Outcome: audit.OutcomeOK, RecordID: strconv.FormatInt(id, 10), Detail: detail}
	if v, ok := ctx.Value(auditClientKey{}).([2]string); ok {
		e.ClientAddr = v[0]
	}
	if len(e.Detail) > audit.MaxDetailLen {
		e.Detail = e.Detail[:audit.MaxDetailLen]
	}
	_, err := s.db.Audit().AppendTx(ctx, tx, e)
	return err
}

// Create stores a release built by p (owner, organisation and, when p is
// in exactly one team, team) with status built or failed, and audits it.
// The error wraps derrors.Invalid for another status, a missing title,
// method or manifest.
func (s *Releases) Create(ctx context.Context, p *auth.Principal, rel Release) (_ Release, err error) {
	defer derrors.Wrap(&err, "store.Releases.Create")
	switch {
	case p == nil || !p.SignedIn():
		return rel, derrors.Kindf(derrors.Forbidden, "only a signed-in user builds releases")
	case rel.Status != ReleaseBuilt && rel.Status != ReleaseFailed:
		return rel, derrors.Kindf(derrors.Invalid, "status: a new release is built or failed, not %q", rel.Status)
	case rel.Method == "" || rel.Manifest == "":
		return rel, derrors.Kindf(derrors.Invalid, "method: a release needs its method and manifest")
	}
	if err := validText("title", rel.Title, 1, 200); err != nil {
		return rel, err
	}
	rel.OrgID, rel.CreatedBy, rel.CreatedAt, rel.TeamID = p.OrgID, p.UserID, now(), 0
	if len(p.TeamIDs) == 1 {
		rel.TeamID = p.TeamIDs[0]
	}
	rel.PublishedBy, rel.PublishedAt, rel.WithdrawnAt = 0, nil, nil
	err = s.db.InTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO releases (org_id, team_id, title, method, status, manifest, report, verify_report,
			aggregates_csv, records_csv, datacard, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			rel.OrgID, nullID(rel.TeamID), rel.Title, rel.Method, rel.Status, rel.Manifest, rel.Report, rel.Verify,
			rel.AggregatesCSV, rel.RecordsCSV, rel.DataCard, rel.CreatedBy, rel.CreatedAt).Scan(&rel.ID); err != nil {
			return classify(err)
		}
		return s.releaseAudit(ctx, tx, p, audit.ActionCreate, rel.ID, "release built: "+rel.Method+", "+rel.Status)
	})
	return rel, err
}

// ReleaseQuery narrows a listing of releases.
type ReleaseQuery struct {
	Status        string // "" = any
	Limit, Offset int    // Limit 0 = 100
}

var releasesScope = scopeColumns{org: "org_id", owner: "created_by", team: "team_id IN (%s)"}

// List returns the releases a scope filter allows, newest first, without
// their files.
func (s *Releases) List(ctx context.Context, f auth.Filter, q ReleaseQuery) (_ []Release, err error) {
	defer derrors.Wrap(&err, "store.Releases.List")
	cond, args := scopeSQL(f, releasesScope)
	if q.Status != "" {
		cond += " AND status = ?"
		args = append(args, q.Status)
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	rows, err := s.db.query(ctx, `SELECT `+releaseMeta+` FROM releases WHERE `+cond+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	out := []Release{}
	for rows.Next() {
		rel, err := scanRelease(rows, false)
		if err != nil {
			return nil, err
		}
		out = append(out, rel)
	}
	return out, rows.Err()
}

// Published lists the published releases, newest publication first,
// without their files: what the public pages and API show.
func (s *Releases) Published(ctx context.Context) ([]Release, error) {
	rels, err := s.List(ctx, auth.Filter{All: true}, ReleaseQuery{Status: ReleasePublished, Limit: 500})
	if err != nil {
		return nil, err
	}
	return rels, nil
}

// Get returns a release with its files (derrors.NotFound if absent).
func (s *Releases) Get(ctx context.Context, id int64) (_ Release, err error) {
	defer derrors.Wrap(&err, "store.Releases.Get(%d)", id)
	rel, err := scanRelease(s.db.queryRow(ctx, `SELECT `+releaseColumns+` FROM releases WHERE id = ?`, id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return rel, derrors.Kindf(derrors.NotFound, "no release %d", id)
	}
	return rel, classify(err)
}

// PublishedRelease returns a release with its files only when it is
// published; any other release is derrors.NotFound, as if it did not
// exist, so that the public cannot probe unpublished ones.
func (s *Releases) PublishedRelease(ctx context.Context, id int64) (Release, error) {
	rel, err := s.Get(ctx, id)
	if err == nil && rel.Status != ReleasePublished {
		return Release{}, derrors.Kindf(derrors.NotFound, "no published release %d", id)
	}
	return rel, err
}

// lockRelease reads a release inside tx after touching its row, so that
// two publications of one release are serialised on both engines.
func lockRelease(ctx context.Context, tx *Tx, id int64) (Release, error) {
	res, err := tx.Exec(ctx, `UPDATE releases SET status = status WHERE id = ?`, id)
	if err != nil {
		return Release{}, classify(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Release{}, derrors.Kindf(derrors.NotFound, "no release %d", id)
	}
	rel, err := scanRelease(tx.QueryRow(ctx, `SELECT `+releaseColumns+` FROM releases WHERE id = ?`, id), true)
	return rel, classify(err)
}

// ReleaseLoader loads a published release's records (or, for an
// aggregates release, its released counts) into the public trafficking
// store inside tx (store cannot parse CTDC rows itself: the
// importer does, and it imports the store).
type ReleaseLoader func(ctx context.Context, tx *Tx, rel Release) error

// Publish makes a built release public, as p, in one transaction with
// load (called when the release has records or aggregates; nil loads nothing) and the
// audit entry; the public trafficking answers change version. Errors:
// derrors.NotFound (no release), derrors.Conflict (not built: a failed
// release never passes, and a published or withdrawn one is not
// published again), or load's error (nothing is changed then).
func (s *Releases) Publish(ctx context.Context, p *auth.Principal, id int64, load ReleaseLoader) (_ Release, err error) {
	defer derrors.Wrap(&err, "store.Releases.Publish(%d)", id)
	var rel Release
	err = s.db.InTx(ctx, func(tx *Tx) error {
		if rel, err = lockRelease(ctx, tx, id); err != nil {
			return err
		}
		switch rel.Status {
		case ReleaseBuilt:
		case ReleaseFailed:
			return derrors.Kindf(derrors.Conflict, "status: release %d failed verification and can never be published; build a new one", id)
		default:
			return derrors.Kindf(derrors.Conflict, "status: release %d is %s; only a built release can be published", id, rel.Status)
		}
		if (rel.RecordsCSV != "" || rel.AggregatesCSV != "") && load != nil {
			if err := load(ctx, tx, rel); err != nil {
				return err
			}
		}
		t := now()
		if _, err := tx.Exec(ctx, `UPDATE releases SET status = ?, published_by = ?, published_at = ? WHERE id = ?`,
			ReleasePublished, p.UserID, t, id); err != nil {
			return classify(err)
		}
		rel.Status, rel.PublishedBy, rel.PublishedAt = ReleasePublished, p.UserID, &t
		// The public pages list published releases: their answers change.
		if err := bumpVersion(ctx, tx, "trafficking"); err != nil {
			return err
		}
		return s.releaseAudit(ctx, tx, p, audit.ActionPublish, id, "release published: "+rel.Method)
	})
	return rel, err
}

// Withdraw stops serving a published release and removes its records
// from the public trafficking store, audited. Errors: derrors.NotFound,
// derrors.Conflict (not published: built, failed or already withdrawn).
func (s *Releases) Withdraw(ctx context.Context, p *auth.Principal, id int64) (_ Release, err error) {
	defer derrors.Wrap(&err, "store.Releases.Withdraw(%d)", id)
	var rel Release
	err = s.db.InTx(ctx, func(tx *Tx) error {
		if rel, err = lockRelease(ctx, tx, id); err != nil {
			return err
		}
		if rel.Status != ReleasePublished {
			return derrors.Kindf(derrors.Conflict, "status: release %d is %s; only a published release can be withdrawn", id, rel.Status)
		}
		if err := DeleteTraffickingSource(ctx, tx, rel.TraffickingSource()); err != nil {
			return err
		}
		t := now()
		if _, err := tx.Exec(ctx, `UPDATE releases SET status = ?, withdrawn_at = ? WHERE id = ?`, ReleaseWithdrawn, t, id); err != nil {
			return classify(err)
		}
		rel.Status, rel.WithdrawnAt = ReleaseWithdrawn, &t
		return s.releaseAudit(ctx, tx, p, audit.ActionPublish, id, "release withdrawn: "+rel.Method)
	})
	return rel, err
}
