// Package storetest gives tests a fresh database on every engine: a temp
// SQLite file always, and PostgreSQL when CORRIDOR_TEST_POSTGRES holds a
// DSN. Each PostgreSQL database is a schema of its own, dropped when the
// test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// EnvPostgres names the variable holding the PostgreSQL test DSN.
const EnvPostgres = "CORRIDOR_TEST_POSTGRES"

// Engine is one database to run a test against.
type Engine struct {
	Name string // "sqlite" or "postgres"
	DSN  string // what --db takes
}

// Engines returns a fresh SQLite database and, when configured, a fresh
// PostgreSQL schema. Cleanup is registered on t.
func Engines(t testing.TB) []Engine {
	t.Helper()
	out := []Engine{{Name: "sqlite", DSN: filepath.Join(t.TempDir(), "corridor.db")}}
	if dsn := os.Getenv(EnvPostgres); dsn != "" {
		out = append(out, Engine{Name: "postgres", DSN: PostgresSchema(t, dsn)})
	} else {
		t.Logf("%s not set: PostgreSQL tests skipped", EnvPostgres)
	}
	return out
}

// Run runs fn as a subtest on every engine.
func Run(t *testing.T, fn func(t *testing.T, e Engine)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}

// PostgresSchema creates a schema with a random name and returns a DSN
// whose search_path points at it; the schema is dropped at cleanup.
func PostgresSchema(t testing.TB, dsn string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "corridor_test_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		t.Fatalf("%s: create schema: %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		defer db.Close()
		if _, err := db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		t.Fatalf("%s must be a postgres:// URL", EnvPostgres)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
