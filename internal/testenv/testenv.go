// Package testenv tells tests about the way they run.
package testenv

import "testing"

// SkipHeavyUnderRace skips a test that imports whole real datasets when
// the race detector is on: those imports are single-goroutine loops over
// hundreds of thousands of rows, which the detector slows tenfold without
// finding anything. CI runs them in a second pass without -race (see
// .ci/run), so they still run on both engines.
func SkipHeavyUnderRace(t testing.TB) {
	t.Helper()
	if raceEnabled {
		t.Skip("imports whole datasets: run without -race (the second pass of .ci/run)")
	}
}
