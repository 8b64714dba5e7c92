// Package store is Corridor's storage layer: one set of portable SQL over
// two engines, embedded SQLite (modernc.org/sqlite, no cgo; the default) and
// PostgreSQL (pgx). Dialect differences live in dialect.go; migrations are
// embedded and applied in order by goose.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/corridor-platform/corridor/internal/crypt"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// DB is an open Corridor database.
type DB struct {
	path    string // SQLite file; "" for PostgreSQL
	sql     *sql.DB
	dialect dialect
	log     *slog.Logger
	// stmts caches prepared statements of the hot read paths by query text;
	// parsing SQL costs more than running a key lookup.
	stmts sync.Map // string → *sql.Stmt
	geo   geoCache
	keys  crypt.Source // nil: no personal data can be read or written
	roles rolesCache
	// periods caches which periods each series covers (periods.go).
	periods periodCache
	// remit caches the remittance aggregates and sender lists
	// (remit_query.go).
	remit remitCache
	// labour caches the matching indexes per labour version
	// (labour_match.go).
	labour labourCache
	// taxonomy caches the ESCO/ISCO taxonomy per version
	// (labour_taxonomy.go).
	taxonomy taxonomyCache
	// recheck lets version reads be reused for a while (recheck.go).
	recheck recheck
	// cpStop and cpDone run the background WAL checkpointer (SQLite,
	// checkpoint.go).
	cpStop, cpDone chan struct{}
	cpOnce         sync.Once
}

// IsPostgresDSN reports whether a --db value names a PostgreSQL database.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn: a postgres:// URL, or else a file
// path for SQLite. It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, log *slog.Logger) (_ *DB, err error) {
	defer derrors.Wrap(&err, "store.Open")
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var db *DB
	if IsPostgresDSN(dsn) {
		db, err = openPostgres(dsn)
	} else {
		db, err = openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	db.log = log
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		err := db.sql.PingContext(pctx)
		if err == nil {
			if db.dialect.name == "sqlite" {
				db.startCheckpointer()
			}
			return db, nil
		}
		// A new SQLite file is switched to WAL by the first connection;
		// a process opening it at the same moment may find it locked for
		// that instant (the journal-mode change does not wait on the busy
		// timeout): try again shortly.
		if db.dialect.name == "sqlite" && strings.Contains(err.Error(), "SQLITE_BUSY") && pctx.Err() == nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		db.sql.Close()
		return nil, fmt.Errorf("%w: cannot reach the %s database: %v", derrors.Unavailable, db.dialect.name, redact(err))
	}
}

func openSQLite(path string) (*DB, error) {
	if path == "" {
		return nil, derrors.Kindf(derrors.Invalid, "--db: empty database path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
	}
	// The database holds (encrypted) personal data and the audit trail:
	// readable by its owner only.
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
		f.Close()
	}
	// WAL lets readers work while an import writes; foreign keys are off by
	// default in SQLite; the busy timeout makes concurrent writers wait
	// instead of failing; immediate transactions take the write lock at
	// BEGIN, so a read-then-write transaction never fails half-way.
	// The busy timeout comes first: setting the journal mode needs a lock
	// another process may hold (a migration, an import), and without a
	// timeout that would fail at once.
	q := url.Values{}
	// wal_autocheckpoint(0): checkpoints run in the background
	// (checkpoint.go), not in the commit that crosses the threshold.
	for _, p := range []string{"busy_timeout(10000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)", "wal_autocheckpoint(0)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	s, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	s.SetMaxOpenConns(8)
	s.SetMaxIdleConns(8)
	s.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{path: path, sql: s, dialect: sqliteDialect}, nil
}

func openPostgres(dsn string) (*DB, error) {
	s, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("%w: --db: %v", derrors.Invalid, redact(err))
	}
	s.SetMaxOpenConns(20)
	s.SetMaxIdleConns(10)
	s.SetConnMaxLifetime(30 * time.Minute)
	return &DB{sql: s, dialect: postgresDialect}, nil
}

// redact keeps passwords in connection strings out of messages and logs.
func redact(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "://"); i >= 0 {
		if j := strings.Index(msg[i:], "@"); j > 0 {
			msg = msg[:i+3] + "…" + msg[i+j:]
		}
	}
	return msg
}

// Engine returns "sqlite" or "postgres".
func (db *DB) Engine() string { return db.dialect.name }

// SQL exposes the pool for metrics.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close closes the pool.
func (db *DB) Close() error {
	db.stopCheckpointer()
	db.stmts.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		db.stmts.Delete(k)
		return true
	})
	return db.sql.Close()
}

// Health checks that the database answers a query.
func (db *DB) Health(ctx context.Context) error {
	var one int
	if err := db.sql.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("%w: database: %v", derrors.Unavailable, redact(err))
	}
	return nil
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrate applies pending migrations in order and returns the versions it
// applied. On PostgreSQL an advisory lock serialises processes that start
// together, so several servers can share one database.
func (db *DB) Migrate(ctx context.Context) (applied []int64, err error) {
	defer derrors.Wrap(&err, "store.Migrate")
	p, err := db.migrationProvider()
	if err != nil {
		return nil, err
	}
	if db.path != "" {
		unlock, err := lockFile(db.path + ".migrate-lock")
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range res {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// SchemaVersion returns the current and the newest known schema versions.
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	defer derrors.Wrap(&err, "store.SchemaVersion")
	p, err := db.migrationProvider()
	if err != nil {
		return 0, 0, err
	}
	if current, err = p.GetDBVersion(ctx); err != nil {
		return 0, 0, err
	}
	srcs := p.ListSources()
	if len(srcs) > 0 {
		latest = srcs[len(srcs)-1].Version
	}
	return current, latest, nil
}

func (db *DB) migrationProvider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	fsys, err := templateFS(sub, db.dialect)
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	gd := goose.DialectSQLite3
	if db.dialect.isPostgres() {
		gd = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(gd, db.sql, fsys, opts...)
}

// templateFS returns the migration files with the dialect's type tokens
// replaced, so that one file per migration serves both engines.
func templateFS(src fs.FS, d dialect) (fs.FS, error) {
	out := fstest.MapFS{}
	err := fs.WalkDir(src, ".", func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		// NAME.sqlite.sql and NAME.postgres.sql hold statements that only
		// one engine understands; the other engine's twin is left out.
		name := path
		for _, e := range []string{"sqlite", "postgres"} {
			if strings.HasSuffix(path, "."+e+".sql") {
				if e != d.name {
					return nil
				}
				name = strings.TrimSuffix(path, "."+e+".sql") + ".sql"
			}
		}
		b, err := fs.ReadFile(src, path)
		if err != nil {
			return err
		}
		out[name] = &fstest.MapFile{Data: []byte(d.types.Replace(string(b))), Mode: 0o444}
		return nil
	})
	return out, err
}

// Tx is a transaction with portable placeholders.
type Tx struct {
	tx *sql.Tx
	d  dialect
	// dropped holds the CREATE INDEX statements of indexes a bulk write
	// dropped (SQLite; stats.go): InTx creates them again before COMMIT
	// if the writer has not.
	dropped []string
}

func (tx *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, tx.d.rebind(q), args...)
}

func (tx *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.d.rebind(q), args...)
}

func (tx *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.d.rebind(q), args...)
}

// Prepare prepares a statement for repeated use inside the transaction.
func (tx *Tx) Prepare(ctx context.Context, q string) (*sql.Stmt, error) {
	return tx.tx.PrepareContext(ctx, tx.d.rebind(q))
}

// Engine returns "sqlite" or "postgres".
func (tx *Tx) Engine() string { return tx.d.name }

// InTx runs fn in a transaction, committing when it returns nil and
// rolling back otherwise (also on panic).
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) (err error) {
	stx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	tx := &Tx{tx: stx, d: db.dialect}
	defer func() {
		if p := recover(); p != nil {
			stx.Rollback()
			panic(p)
		}
		if err != nil {
			stx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.restoreIndexes(ctx); err != nil {
		return err
	}
	if err = classify(stx.Commit()); err == nil {
		db.committed()
	}
	return err
}

func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := db.prepared(ctx, q)
	if err != nil {
		return nil, classify(err)
	}
	rows, err := st.QueryContext(ctx, args...)
	return rows, classify(err)
}

func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := db.prepared(ctx, q)
	if err != nil {
		// Let the error surface at Scan, as database/sql does.
		return db.sql.QueryRowContext(ctx, db.dialect.rebind(q), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// prepared returns a cached prepared statement for q.
func (db *DB) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := db.stmts.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.sql.PrepareContext(ctx, db.dialect.rebind(q))
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// classify maps driver errors onto the error kinds.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %v", derrors.NotFound, err)
	}
	var pge *pgconn.PgError
	if errors.As(err, &pge) && pge.Code == "23505" {
		return fmt.Errorf("%w: %s", derrors.Conflict, pge.Message)
	}
	if strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return fmt.Errorf("%w: %v", derrors.Conflict, err)
	}
	if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "connection refused") {
		return fmt.Errorf("%w: %v", derrors.Unavailable, err)
	}
	return err
}

// Rebind turns portable "?" placeholders into the engine's own, for the
// few callers (tests, tools) that use SQL() directly.
func (db *DB) Rebind(q string) string { return db.dialect.rebind(q) }
