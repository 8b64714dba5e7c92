package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/release"
	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// TestReleaseCLI: corridor release build from the consenting cases of a
// generated caseload, with every method, then release verify on the files;
// a tampered release fails verification; bad parameters and a missing user
// are refused naming the flag.
func TestReleaseCLI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		a := newAccounts(t, e)
		step{name: "generate", args: a.flags("cases", "generate", "--n", "1500", "--seed", "9"), code: 0, want: []string{"generated 1500"}}.check(t)
		dir := t.TempDir()
		build := func(method string, extra ...string) []string {
			args := a.flags("release", "build", "--data-dir", dataDir, "--user", synthUsername(1, 1, "sup"), "--method", method,
				"--out", filepath.Join(dir, method))
			return append(args, extra...)
		}
		for _, tc := range []struct {
			method string
			extra  []string
			want   []string
		}{
			{"kanon-aggregates", []string{"--resolution", "5", "--reporting-length", "3"}, []string{"aggregate rows", "aggregate-counts", "every count is at least 5"}},
			// ε = 20 (the largest allowed): the noise seed is secret (random), so the
			// build must pass whatever the noise; at ε = 4 the noisy total of the
			// 165 consenting cases fell below the resolution in about one run in
			// ten (the release then fails verification, as it should).
			{"dp-aggregates", []string{"--resolution", "5", "--epsilon", "20", "--delta", "1e-6"}, []string{"aggregate rows"}},
			{"synthetic", []string{"--resolution", "5", "--reporting-length", "3"}, []string{"records", "leakage"}},
			{"kanon", []string{"--k", "5"}, []string{"suppressed", "k-anonymity", "at least 5 records"}},
		} {
			step{name: "build " + tc.method, args: build(tc.method, tc.extra...), code: 0, want: append(tc.want, "release "+tc.method+" written"), notWant: []string{"FAIL"}}.check(t)
			out := filepath.Join(dir, tc.method)
			step{name: "verify " + tc.method, args: []string{"release", "verify", out}, code: 0, want: []string{"checks pass"}}.check(t)
			m, _, _, err := release.ReadRelease(out)
			if err != nil {
				t.Fatal(err)
			}
			if m.Input.Records == 0 || m.Input.Records >= 1500 || m.Counts.ExcludedNoConsent+m.Counts.ExcludedWithdrawn == 0 {
				t.Errorf("%s: input %d records, excluded %d + %d: the release should cover the consenting cases in scope only",
					tc.method, m.Input.Records, m.Counts.ExcludedNoConsent, m.Counts.ExcludedWithdrawn)
			}
			// DP noise gets an unpredictable seed unless --seed is given.
			if (m.Params.Seed == 1) != (tc.method != "dp-aggregates") {
				t.Errorf("%s: seed %d", tc.method, m.Params.Seed)
			}
		}
		// An aggregate count that is not a multiple of the resolution.
		agg := filepath.Join(dir, "kanon-aggregates", "aggregates.csv")
		b, err := os.ReadFile(agg)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		last := lines[len(lines)-1]
		lines[len(lines)-1] = last[:strings.LastIndex(last, ",")+1] + "7"
		if err := os.WriteFile(agg, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		step{name: "verify tampered", args: []string{"release", "verify", filepath.Join(dir, "kanon-aggregates")}, code: 1,
			want: []string{"FAIL", "aggregates.csv", "fails verification"}}.check(t)

		step{name: "existing out", args: build("kanon", "--k", "5"), code: 1, want: []string{"exists"}}.check(t)
		step{name: "bad epsilon", args: build("dp-aggregates", "--epsilon", "-1"), code: 1, want: []string{"epsilon"}}.check(t)
		step{name: "epsilon over 20", args: build("dp-aggregates", "--epsilon", "25", "--delta", "1e-6"), code: 1, want: []string{"parameter epsilon"}}.check(t)
		step{name: "delta over 1/n", args: build("dp-aggregates", "--epsilon", "1", "--delta", "0.5"), code: 1, want: []string{"parameter delta", "1/n"}}.check(t)
		step{name: "bad k", args: build("kanon", "--k", "1"), code: 1, want: []string{"k"}}.check(t)
		step{name: "no user", args: a.flags("release", "build", "--data-dir", dataDir, "--method", "kanon", "--out", filepath.Join(dir, "x")), code: 1,
			want: []string{"--user"}}.check(t)
		step{name: "no out", args: a.flags("release", "build", "--method", "kanon"), code: 2, want: []string{"--out"}}.check(t)
		step{name: "verify nothing", args: []string{"release", "verify", filepath.Join(dir, "none")}, code: 1, want: []string{"release.json"}}.check(t)
	})
}
