package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// The in-memory caches of the store (geography snapshot, roles, series
// coverage, the data token of HTTP validators) are validated against
// version numbers in the database, so that an import or a role change by
// another process is seen. By default every use asks the database. A
// server may set a recheck interval: a version read less than the
// interval ago is then reused, unless this process has committed a
// transaction since (its own writes are always seen at once). Another
// process's change is then seen within the interval. That bounded delay
// buys the hot read paths a query or two per request.

type recheck struct {
	interval atomic.Int64  // nanoseconds; 0: ask every time
	writes   atomic.Uint64 // transactions this process committed
	mu       sync.Mutex
	m        map[string]recheckEntry
}

type recheckEntry struct {
	v      any
	writes uint64
	at     time.Time
}

// SetRecheckInterval sets how long a version read from the database may
// be reused (0, the default, asks on every use).
func (db *DB) SetRecheckInterval(d time.Duration) { db.recheck.interval.Store(int64(max(d, 0))) }

// committed records that this process committed a write.
func (db *DB) committed() { db.recheck.writes.Add(1) }

// recheckRead returns the value read under key, from memory when it is
// recent enough and no local write happened since, else through read.
func recheckRead[T any](db *DB, key string, read func() (T, error)) (T, error) {
	rc := &db.recheck
	interval := time.Duration(rc.interval.Load())
	if interval <= 0 {
		return read()
	}
	writes := rc.writes.Load()
	now := time.Now()
	rc.mu.Lock()
	e, ok := rc.m[key]
	rc.mu.Unlock()
	if ok && e.writes == writes && now.Sub(e.at) < interval {
		return e.v.(T), nil
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	rc.mu.Lock()
	if rc.m == nil {
		rc.m = map[string]recheckEntry{}
	}
	rc.m[key] = recheckEntry{v: v, writes: writes, at: now}
	rc.mu.Unlock()
	return v, nil
}

// versionOf is recheckRead for the common case of a version query.
func (db *DB) versionOf(ctx context.Context, key string, read func(context.Context) (int64, error)) (int64, error) {
	return recheckRead(db, key, func() (int64, error) { return read(ctx) })
}
