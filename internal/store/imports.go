package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"hash/fnv"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// DatasetState is what the database holds of one imported dataset.
type DatasetState struct {
	Name     string
	Version  int64
	Checksum string
	ImportID int64
	LoadedAt time.Time
}

// ImportRecord is one completed import, as logged in the imports table.
type ImportRecord struct {
	ID           int64     `json:"id"`
	Dataset      string    `json:"dataset"`
	Status       string    `json:"status"`
	Checksum     string    `json:"checksum"`
	Files        []string  `json:"files"`
	RowsRead     int64     `json:"rowsRead"`
	RowsLoaded   int64     `json:"rowsLoaded"`
	RowsRejected int64     `json:"rowsRejected"`
	Rejections   any       `json:"rejections,omitempty"`
	StartedAt    time.Time `json:"startedAt"`
	FinishedAt   time.Time `json:"finishedAt"`
	Host         string    `json:"host"`
}

// LockDataset serialises imports of one dataset across processes. On
// PostgreSQL it takes a transaction-scoped advisory lock; SQLite
// transactions already hold the database's write lock from BEGIN.
func LockDataset(ctx context.Context, tx *Tx, name string) error {
	if !tx.d.isPostgres() {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte("corridor-import:" + name))
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(h.Sum64()))
	return classify(err)
}

// Dataset returns the stored state of a dataset inside tx; the error wraps
// derrors.NotFound when it was never imported.
func Dataset(ctx context.Context, tx *Tx, name string) (_ DatasetState, err error) {
	defer derrors.Wrap(&err, "store.Dataset(%q)", name)
	var s DatasetState
	err = tx.QueryRow(ctx, `SELECT name, version, checksum, import_id, loaded_at FROM datasets WHERE name = ?`, name).
		Scan(&s.Name, &s.Version, &s.Checksum, &s.ImportID, &s.LoadedAt)
	if err == sql.ErrNoRows {
		return s, derrors.Kindf(derrors.NotFound, "dataset %q has not been imported", name)
	}
	return s, classify(err)
}

// RecordImport logs a completed import and makes it the served version of
// its dataset.
func RecordImport(ctx context.Context, tx *Tx, rec ImportRecord) (id int64, err error) {
	defer derrors.Wrap(&err, "store.RecordImport(%q)", rec.Dataset)
	files, _ := json.Marshal(rec.Files)
	rej, _ := json.Marshal(rec.Rejections)
	err = tx.QueryRow(ctx, `INSERT INTO imports (dataset, status, checksum, files, rows_read, rows_loaded,
		rows_rejected, rejections, started_at, finished_at, host) VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
		rec.Dataset, rec.Status, rec.Checksum, string(files), rec.RowsRead, rec.RowsLoaded, rec.RowsRejected,
		string(rej), rec.StartedAt.UTC(), rec.FinishedAt.UTC(), rec.Host).Scan(&id)
	if err != nil {
		return 0, classify(err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO datasets (name, version, checksum, import_id, loaded_at) VALUES (?, 1, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET version = datasets.version + 1, checksum = excluded.checksum,
		import_id = excluded.import_id, loaded_at = excluded.loaded_at`,
		rec.Dataset, rec.Checksum, id, rec.FinishedAt.UTC())
	return id, classify(err)
}

// Imports lists the most recent imports, newest first.
func (db *DB) Imports(ctx context.Context, limit int) (_ []ImportRecord, err error) {
	defer derrors.Wrap(&err, "store.Imports")
	rows, err := db.query(ctx, `SELECT id, dataset, status, checksum, files, rows_read, rows_loaded, rows_rejected,
		started_at, finished_at, host FROM imports ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ImportRecord
	for rows.Next() {
		var r ImportRecord
		var files string
		if err := rows.Scan(&r.ID, &r.Dataset, &r.Status, &r.Checksum, &files, &r.RowsRead, &r.RowsLoaded,
			&r.RowsRejected, &r.StartedAt, &r.FinishedAt, &r.Host); err != nil {
			return nil, err
		}
		json.Unmarshal([]byte(files), &r.Files)
		out = append(out, r)
	}
	return out, rows.Err()
}

// DatasetLoaded reports whether a dataset has ever been imported.
func (db *DB) DatasetLoaded(ctx context.Context, name string) (bool, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM datasets WHERE name = ?`, name).Scan(&n)
	return n > 0, classify(err)
}

// ImportRecordTx returns one logged import inside tx.
func ImportRecordTx(ctx context.Context, tx *Tx, id int64) (ImportRecord, error) {
	var r ImportRecord
	var files string
	err := tx.QueryRow(ctx, `SELECT id, dataset, status, checksum, files, rows_read, rows_loaded, rows_rejected,
		started_at, finished_at, host FROM imports WHERE id = ?`, id).Scan(&r.ID, &r.Dataset, &r.Status, &r.Checksum, &files,
		&r.RowsRead, &r.RowsLoaded, &r.RowsRejected, &r.StartedAt, &r.FinishedAt, &r.Host)
	if err == sql.ErrNoRows {
		return r, derrors.Kindf(derrors.NotFound, "no import %d", id)
	}
	json.Unmarshal([]byte(files), &r.Files)
	return r, classify(err)
}
