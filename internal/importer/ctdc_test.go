package importer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/store/storetest"
	"github.com/corridor-platform/corridor/internal/tabular"
)

const ctdcGlobalHeader = "yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,traffickMonths," +
	"meansDebtBondageEarnings,meansThreats,meansAbusePsyPhySex,meansFalsePromises,meansDrugsAlcohol,meansDenyBasicNeeds," +
	"meansExcessiveWorkHours,meansWithholdDocs,isForcedLabour,isSexualExploit,isOtherExploit,typeOfLabourAgriculture," +
	"typeOfLabourConstruction,typeOfLabourDomesticWork,typeOfLabourHospitality,typeOfSexProstitution,typeOfSexPornography," +
	"recruiterRelationIntimatePartner,recruiterRelationFriend,recruiterRelationFamily,recruiterRelationOther\n"

// ctdcGlobalFixture: 4 good rows and 2 bad ones (lines 6 and 7).
const ctdcGlobalFixture = ctdcGlobalHeader +
	"2019,Woman,09--17,PHL,USA,0--12 (0-1 yr),,1,,1,,,,,,1,,,,,,1,,,,1,\n" +
	"2019,Man,30--38,PHL,USA,,1,,,,,,1,,1,,,,1,,,,,,,,1\n" +
	"2020,Trans/Transgender/NonConforming,48+,UKR,POL,25+ (2+ yrs),,,,,,,,,,,1,,,,,,,,,,\n" +
	",,,,,,,,,,,,,,,,,,,,,,,,,,\n" +
	"2021,Female,18--20,PHL,USA,,,,,,,,,,,,,,,,,,,,,,\n" +
	"2021,Woman,18--20,PHL,USA,,,,,,,,,,0,,,,,,,,,,,,\n"

const ctdcVPHeader = "yearRegister,gender,majorityStatus,isForcedLabour,isSexualExploit,UN_COO_Region,UN_COE_Region," +
	"IP_Exploiter,IP_Gender,IP_ageBroad,IP_citizen_UNRegion,IP_Relation,IP_PayMoney,IP_RecruiterBroker,IP_TransactionProcess,IP_ControlAbuseKidnap\n"

// ctdcVPFixture: 3 good rows and 2 bad ones (lines 5 and 6).
const ctdcVPFixture = ctdcVPHeader +
	",Female,Adult,1,,Europe,Europe,1,Female;Male,,Europe,StrangerUnknownOther,No;Yes,1,1,1\n" +
	"2014-2018,Male,Minor,1,1,Asia,Africa,,Male,30--38;48+,Asia,FriendAcquaintance;StrangerUnknownOther,,,,\n" +
	"2019,,,,,,,,,,,,,,,\n" +
	"2019,Female,Adult,1,,Oceania,Europe,,,,,,,,,\n" +
	"2019,Female,Adult,1,,Asia,Europe,,,,,Stranger,,,,\n"

func ctdcRunner(t *testing.T, e storetest.Engine) (*importer.Runner, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), e.DSN, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &importer.Runner{DB: db, Registry: importer.Builtin()}, db
}

func TestCTDCFixtures(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		rn, db := ctdcRunner(t, e)
		dir := t.TempDir()
		for _, c := range []struct {
			file, content, layout string
			loaded                int64
			rejected              []tabular.CellError
			check                 func(t *testing.T, s store.TraffickingSummary)
		}{
			{"global.csv", ctdcGlobalFixture, store.TraffickingLayoutGlobal, 4, []tabular.CellError{
				{File: "global.csv", Row: 6, Column: "gender"}, {File: "global.csv", Row: 7, Column: "isForcedLabour"}},
				func(t *testing.T, s store.TraffickingSummary) {
					want := map[string]int64{"2019": 2, "2020": 1, "": 1}
					for _, y := range s.ByYear {
						if want[y.Key] != y.Count {
							t.Errorf("year %q: %d, want %d", y.Key, y.Count, want[y.Key])
						}
					}
					if len(s.Corridors) == 0 || s.Corridors[0] != (store.TraffickingCorridor{Citizenship: "PHL", Exploitation: "USA", Count: 2}) {
						t.Errorf("corridors %v", s.Corridors)
					}
					if s.ByAge[0] != (store.TraffickingCount{Key: "9-17", Count: 1}) {
						t.Errorf("ages %v", s.ByAge)
					}
					g := groupOf(s, "means")
					if g.Known != 2 || g.Counts[0].Count != 1 || g.Counts[1].Count != 1 || g.Counts[6].Count != 1 {
						t.Errorf("means %+v", g)
					}
					if g := groupOf(s, "exploitation"); g.Known != 3 || g.Counts[0].Count != 1 || g.Counts[2].Count != 1 {
						t.Errorf("exploitation %+v", g)
					}
					if g := groupOf(s, "recruiter"); g.Known != 2 || g.Counts[2].Count != 1 || g.Counts[3].Count != 1 {
						t.Errorf("recruiter %+v", g)
					}
				}},
			{"vp.csv", ctdcVPFixture, store.TraffickingLayoutVP, 3, []tabular.CellError{
				{File: "vp.csv", Row: 5, Column: "UN_COO_Region"}, {File: "vp.csv", Row: 6, Column: "IP_Relation"}},
				func(t *testing.T, s store.TraffickingSummary) {
					if s.ByAge[0] != (store.TraffickingCount{Key: "adult", Count: 1}) || s.ByAge[1] != (store.TraffickingCount{Key: "minor", Count: 1}) {
						t.Errorf("ages %v", s.ByAge)
					}
					if g := groupOf(s, "recruiter"); g.Known != 2 || g.Counts[5].Count != 1 || g.Counts[6].Count != 2 {
						t.Errorf("recruiter %+v", g)
					}
					if g := groupOf(s, "exploitation"); g.Known != 2 || g.Counts[0].Count != 2 || g.Counts[1].Count != 1 {
						t.Errorf("exploitation %+v", g)
					}
				}},
		} {
			t.Run(c.file, func(t *testing.T) {
				path := writeFile(t, dir, c.file, c.content)
				rep, err := rn.Run(ctx, importer.CTDCName, []string{path})
				if err != nil {
					t.Fatal(err)
				}
				if rep.Loaded != c.loaded || rep.Rejected != int64(len(c.rejected)) {
					t.Errorf("loaded %d rejected %d, want %d and %d: %s", rep.Loaded, rep.Rejected, c.loaded, len(c.rejected), rep.Summary(10))
				}
				for i, want := range c.rejected {
					if i >= len(rep.Rejections) {
						break
					}
					got := rep.Rejections[i]
					if got.File != want.File || got.Row != want.Row || got.Column != want.Column {
						t.Errorf("rejection %d: %v, want line %d column %s", i, got, want.Row, want.Column)
					}
				}
				s, err := db.TraffickingSummary(ctx, store.TraffickingFilter{Source: "import:" + c.file}, 10)
				if err != nil {
					t.Fatal(err)
				}
				if s.Total != c.loaded || s.Layout != c.layout {
					t.Errorf("total %d layout %s", s.Total, s.Layout)
				}
				c.check(t, s)
			})
		}
		// Importing a file again changes nothing; the same bytes under
		// another name are another source, beside the first.
		path := writeFile(t, dir, "vp.csv", ctdcVPFixture)
		if rep, err := rn.Run(ctx, importer.CTDCName, []string{path}); err != nil || !rep.Unchanged {
			t.Errorf("re-import: unchanged %v, %v", rep.Unchanged, err)
		}
		path = writeFile(t, dir, "vp-copy.csv", ctdcVPFixture)
		if rep, err := rn.Run(ctx, importer.CTDCName, []string{path}); err != nil || rep.Unchanged || rep.Loaded != 3 {
			t.Errorf("copy: %+v, %v", rep, err)
		}
		srcs, err := db.TraffickingSources(ctx)
		if err != nil || len(srcs) != 3 {
			t.Errorf("sources %v %v", srcs, err)
		}
	})
}

func groupOf(s store.TraffickingSummary, name string) store.TraffickingGroupCounts {
	for _, g := range s.Groups {
		if g.Group == name {
			return g
		}
	}
	return store.TraffickingGroupCounts{}
}

func TestCTDCBadFiles(t *testing.T) {
	rn, db := ctdcRunner(t, storetest.Engines(t)[0])
	ctx := context.Background()
	dir := t.TempDir()
	for _, c := range []struct {
		name    string
		files   []string
		content string
		want    []string
	}{
		{"no file", nil, "", []string{"no file given", importer.CTDCDownloadURL}},
		{"other columns", []string{"x.csv"}, "a,b,c\n1,2,3\n", []string{"not a CTDC file", "yearOfRegistration", "Victim-Perpetrator"}},
		{"renamed column", []string{"vp.csv"}, strings.Replace(ctdcVPFixture, "UN_COE_Region", "COE", 1),
			[]string{"vp.csv", "UN_COE_Region", "Victim-Perpetrator"}},
		{"xlsx", []string{"vp.xlsx"}, "", []string{".csv"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var files []string
			for _, f := range c.files {
				files = append(files, writeFile(t, dir, f, c.content))
			}
			_, err := rn.Run(ctx, importer.CTDCName, files)
			if !errors.Is(err, derrors.Invalid) {
				t.Fatalf("error %v, want Invalid", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	if srcs, _ := db.TraffickingSources(ctx); len(srcs) != 0 {
		t.Errorf("sources after refused imports: %v", srcs)
	}
	// The first start loads only shipped datasets.
	for _, d := range importer.Builtin().List() {
		if d.Name == importer.CTDCName {
			t.Error("ctdc is in List: a first start would try to load it")
		}
	}
}

// The real VP file (not in the repository: CTDC's terms forbid
// re-hosting); figures from SCHEMA.md section C, computed from the file.
// The file holds 21,195 data rows (21,196 lines, the last without a
// newline): PROVENANCE.md's "21,194" is its newline count less the header,
// while SCHEMA.md's value counts add up to 21,195.
func TestCTDCRealVP(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "ctdc", "CTDC_VPsynthetic_condensed.csv")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("the CTDC VP file is not here: %v", err)
	}
	ctx := context.Background()
	rn, db := ctdcRunner(t, storetest.Engines(t)[0])
	rep, err := rn.Run(ctx, importer.CTDCName, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 21195 || rep.Loaded != 21195 || rep.Rejected != 0 {
		t.Fatalf("read %d loaded %d rejected %d: %s", rep.Read, rep.Loaded, rep.Rejected, rep.Summary(5))
	}
	s, err := db.TraffickingSummary(ctx, store.TraffickingFilter{Source: "import:CTDC_VPsynthetic_condensed.csv"}, 50)
	if err != nil {
		t.Fatal(err)
	}
	counts := func(cs []store.TraffickingCount) map[string]int64 {
		m := map[string]int64{}
		for _, c := range cs {
			m[c.Key] = c.Count
		}
		return m
	}
	for _, c := range []struct {
		name string
		got  map[string]int64
		want map[string]int64
	}{
		{"yearRegister", counts(s.ByYear), map[string]int64{"2005-2013": 2531, "2014-2018": 6274, "2019": 2398, "2020": 2002, "2021-2022": 4335, "": 3655}},
		{"gender", counts(s.ByGender), map[string]int64{"female": 9589, "male": 7995, "": 3611}},
		{"majorityStatus", counts(s.ByAge), map[string]int64{"adult": 16379, "minor": 1212, "": 3604}},
		{"exploitation", counts(groupOf(s, "exploitation").Counts), map[string]int64{"forcedLabour": 12248, "sexualExploit": 2775, "otherExploit": 0}},
	} {
		if len(c.got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
		for k, w := range c.want {
			if c.got[k] != w {
				t.Errorf("%s %q: %d, want %d", c.name, k, c.got[k], w)
			}
		}
	}
	if s.Total != 21195 || s.Layout != store.TraffickingLayoutVP {
		t.Errorf("total %d layout %s", s.Total, s.Layout)
	}
	// The year order: ranges by their first year, unknown last.
	if s.ByYear[0].Key != "2005-2013" || s.ByYear[len(s.ByYear)-1].Key != "" {
		t.Errorf("year order %v", s.ByYear)
	}
}

func TestCTDCGlobalRecord(t *testing.T) {
	r, err := importer.CTDCGlobalRecord(map[string]string{"yearOfRegistration": "2021", "gender": "Woman", "ageBroad": "09--17",
		"citizenship": "NGA", "CountryOfExploitation": "ITA", "isSexualExploit": "1", "meansThreats": "1"})
	if err != nil || r.Year != "2021" || r.Gender != "female" || r.Age != "9-17" || r.Citizenship != "NGA" || r.Exploitation != "ITA" ||
		len(r.Flags["exploitation"]) != 1 || r.Flags["means"][0] != "threats" {
		t.Errorf("%+v %v", r, err)
	}
	_, err = importer.CTDCGlobalRecord(map[string]string{"gender": "Female"})
	var ce *tabular.CellError
	if !errors.As(err, &ce) || ce.Column != "gender" || !errors.Is(err, derrors.Invalid) {
		t.Errorf("bad gender: %v", err)
	}
}
