package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/corridor-platform/corridor/internal/store/storetest"
)

// TestTraffickingCLI: an imported CTDC file is listed, can be removed
// (audited), and a release source or an unknown one is refused.
func TestTraffickingCLI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		a := newAccounts(t, e)
		file := filepath.Join(t.TempDir(), "ctdc_copy.csv")
		body := "yearRegister,gender,majorityStatus,isForcedLabour,isSexualExploit,UN_COO_Region,UN_COE_Region,IP_Exploiter,IP_Gender," +
			"IP_ageBroad,IP_citizen_UNRegion,IP_Relation,IP_PayMoney,IP_RecruiterBroker,IP_TransactionProcess,IP_ControlAbuseKidnap\n" +
			"2019,Female,Adult,1,,Asia,Europe,,,,,,,,,\n2020,Male,Minor,,1,Africa,Europe,,,,,,,,,\n"
		if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		step{name: "import", args: []string{"import", "--db", a.dsn, "--log-level", "warn", "ctdc", file}, code: 0}.check(t)
		step{name: "list", args: a.flags("trafficking", "list"), code: 0, want: []string{"import:ctdc_copy.csv\tctdc-vp-condensed\t2\t"}}.check(t)
		step{name: "remove release", args: a.flags("trafficking", "remove", "release:1"), code: 1, want: []string{"withdraw"}}.check(t)
		step{name: "remove unknown", args: a.flags("trafficking", "remove", "import:nothing.csv"), code: 1, want: []string{"no trafficking source"}}.check(t)
		step{name: "remove", args: a.flags("trafficking", "remove", "import:ctdc_copy.csv"), code: 0, want: []string{"removed import:ctdc_copy.csv"}}.check(t)
		step{name: "list empty", args: a.flags("trafficking", "list"), code: 0, want: []string{"no source loaded"}}.check(t)
		step{name: "audited", args: a.flags("audit", "export", "--out", "-"), code: 0, want: []string{"import:ctdc_copy.csv", "public counter-trafficking source removed"}}.check(t)
	})
}
