package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/stats"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// TestRecheckInterval: with a recheck interval, a version read is reused
// until the interval passes or this process commits; by default (0) every
// read asks the database. Another process's change is therefore seen at
// once by default, within the interval when one is set, and a process's
// own change always at once.
func TestRecheckInterval(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		a := openMigrated(t, e)
		b, err := store.Open(ctx, e.DSN, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		token := func(db *store.DB) string {
			t.Helper()
			v, err := db.DataVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		defineIndicator := func(db *store.DB, code string) {
			t.Helper()
			ind := stats.Indicator{Code: code, Name: code, Numerator: "1", Factor: 1, Unit: "units", Aggregation: "sum"}
			if err := db.InTx(ctx, func(tx *store.Tx) error { return db.Stats().CreateIndicator(ctx, tx, ind, 1) }); err != nil {
				t.Fatal(err)
			}
		}

		t0 := token(a)
		defineIndicator(b, "first_one")
		t1 := token(a)
		if t1 == t0 {
			t.Fatal("without a recheck interval, another process's change was not seen")
		}

		a.SetRecheckInterval(time.Hour)
		token(a) // read and keep
		defineIndicator(b, "second_one")
		if got := token(a); got != t1 {
			t.Fatalf("within the interval the token changed without a local write: %s → %s", t1, got)
		}
		defineIndicator(a, "third_one") // a local commit: seen at once
		t3 := token(a)
		if t3 == t1 {
			t.Fatal("a local write was not seen within the interval")
		}

		a.SetRecheckInterval(time.Millisecond)
		defineIndicator(b, "fourth_one")
		time.Sleep(5 * time.Millisecond)
		if token(a) == t3 {
			t.Fatal("after the interval, another process's change was not seen")
		}
	})
}
