package store

import (
	"context"
	"time"
)

// SQLite's WAL is copied back into the database file by a checkpoint. By
// default the commit that grows the WAL past 1,000 pages runs it, and on a
// large file that commit waits for the copy and its fsync: at 1,000,000
// cases one case opening in a hundred (each writes its audit entry) took
// 40 ms instead of 0.5 ms. The connections therefore leave checkpoints to
// a background goroutine (wal_autocheckpoint 0), which runs a PASSIVE one
// — it never blocks readers or writers — whenever the WAL has grown.

// checkpointEvery is how often the background checkpointer looks.
const checkpointEvery = 250 * time.Millisecond

// startCheckpointer runs PASSIVE checkpoints until stop is closed; done
// is closed when it has returned.
func (db *DB) startCheckpointer() {
	db.cpStop, db.cpDone = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(db.cpDone)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-db.cpStop:
				return
			case <-t.C:
				db.checkpoint()
			}
		}
	}()
}

// checkpoint copies the committed WAL frames into the database file. An
// error (the database closing, a busy lock) is only retried at the next
// tick: nothing depends on a checkpoint's success but the WAL's size.
func (db *DB) checkpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var busy, logFrames, done int
	if err := db.sql.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &done); err != nil && db.log != nil {
		db.log.Debug("background checkpoint", "err", err)
	}
}

// stopCheckpointer stops the goroutine and runs a last checkpoint; a
// second call (Close twice) does nothing.
func (db *DB) stopCheckpointer() {
	if db.cpStop == nil {
		return
	}
	db.cpOnce.Do(func() {
		close(db.cpStop)
		<-db.cpDone
		db.checkpoint()
	})
}
