package geo

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/tabular"
)

// nonAreas are the texts the public datasets use in a country column that
// are deliberately no area. The matcher must not match them: an importer
// reports such rows instead of filing them under some country.
// (One exception, see nonAreaExcept.)
var nonAreas = map[string]string{
	"Unknown":       "origin not known (UNHCR coo_name, Missing Migrants Country of Origin)",
	"UKN":           "UNHCR code for Unknown",
	"UNK":           "UNHCR population.csv coo_iso for Unknown",
	"Stateless":     "UNHCR: stateless people have no country of origin",
	"STA":           "UNHCR code for Stateless",
	"XXA":           "UNHCR population.csv coo_iso for Stateless (ISO user-assigned)",
	"Tibetan":       "UNHCR origin group: a people, not a country",
	"TIB":           "UNHCR code and coo_iso for Tibetan",
	"Mixed":         "Missing Migrants: several origins, not itemised",
	"Mixed/Unknown": "Missing Migrants: several or unknown origins",
	"Other South":   "IMS 2019 origin column: residual migrants from less developed regions",
	"Other North":   "IMS 2019 origin column: residual migrants from more developed regions",
	// Section headings between the destination rows of the IMS 2019 CSVs.
	"Geographic regions":                         "IMS 2019 heading row",
	"Sustainable Development Goal (SDG) regions": "IMS 2019 heading row",
	"UN development groups":                      "IMS 2019 heading row",
	"World Bank income groups":                   "IMS 2019 heading row",
	"Not classified":                             "WDI: economies without an income classification (code INX), not a place",
	"INX":                                        "WDI code for Not classified",
	// RPW DataBank lists it as a receiving country (code ANT) with no
	// values. It was dissolved in 2010 into Curaçao, Sint Maarten and the
	// Caribbean Netherlands; no single area succeeds it, so it is not
	// mapped. (ANT is also UNHCR's code for Antigua and Barbuda, which the
	// default matcher rightly ignores.)
	"Netherlands-Antilles": "RPW: former country, dissolved 2010, no single successor",
	"ANT":                  "RPW code for Netherlands-Antilles",
}

// nonAreaExcept names the source view in which a listed non-area is a real
// code: ANT is UNHCR's code for Antigua and Barbuda.
var nonAreaExcept = map[string]struct{ source, code string }{
	"ANT": {SourceUNHCR, "ATG"},
}

func isNonArea(m *Matcher, text string) bool {
	if _, ok := nonAreas[text]; !ok {
		return false
	}
	ex, ok := nonAreaExcept[text]
	return !ok || ex.source != m.Source()
}

// spellings collects what one dataset writes, and checks it.
type spellings struct {
	t        *testing.T
	m        *Matcher // the view for the dataset's source
	file     string
	checked  int
	nonAreas map[string]int
	failures []string
}

func newSpellings(t *testing.T, m *Matcher, file string) *spellings {
	return &spellings{t: t, m: m, file: file, nonAreas: map[string]int{}}
}

func (s *spellings) fail(format string, args ...any) {
	if len(s.failures) < 40 {
		s.failures = append(s.failures, fmt.Sprintf(format, args...))
	}
}

// look matches one text (a name, or a code when code is set) and reports
// whether it is an area.
func (s *spellings) look(text string, code bool, where int) (Area, bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Area{}, false
	}
	s.checked++
	var a Area
	var ok bool
	if code {
		a, ok = s.m.MatchCode(text)
	} else {
		a, ok = s.m.Match(text)
	}
	if isNonArea(s.m, text) {
		s.nonAreas[text]++
		if ok {
			s.fail("row %d: %q is listed as no area but matched %s (%s)", where, text, a.Code, a.Name)
		}
		return Area{}, false
	}
	if !ok {
		s.fail("row %d: %q matches no area", where, text)
	}
	return a, ok
}

// pair checks a name and the code on the same row: both must match, and
// must agree when either is a country (UN aggregates legitimately differ:
// UN DESA's name "Latin America and the Caribbean" is both 904 and 1830).
func (s *spellings) pair(name, code string, codeIsCode bool, where int) {
	a, okA := s.look(name, false, where)
	b, okB := s.look(code, codeIsCode, where)
	if okA && okB && a.Code != b.Code && (a.IsCountry() || b.IsCountry()) {
		s.fail("row %d: name %q is %s but code %q is %s", where, name, a.Code, code, b.Code)
	}
}

func (s *spellings) done() {
	s.t.Helper()
	if s.checked == 0 {
		s.t.Errorf("%s: no spellings read", s.file)
	}
	for _, f := range s.failures {
		s.t.Errorf("%s: %s", s.file, f)
	}
	var non []string
	for k, n := range s.nonAreas {
		non = append(non, fmt.Sprintf("%s×%d", k, n))
	}
	sort.Strings(non)
	s.t.Logf("%s: %d spellings checked; known non-areas: %s", s.file, s.checked, strings.Join(non, ", "))
}

// readTable streams a table through internal/tabular, stopping early when
// fn returns io.EOF (below a table, where notes begin). header is the
// table's header row.
func readTable(t *testing.T, path string, opt tabular.Options, fn func(header []string, row tabular.Row) error) {
	t.Helper()
	r, err := tabular.Open(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		row, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := fn(r.Header(), row); err == io.EOF {
			return
		} else if err != nil {
			t.Fatal(err)
		}
	}
}

// TestDatasetSpellings reads every country column of the public datasets
// Corridor imports and requires each name and code to match an area, or to
// be one of the listed non-areas.
func TestDatasetSpellings(t *testing.T) {
	dir := sharedDataDir(t)
	m := shippedMatcher(t)
	path := func(p string) string { return filepath.Join(dir, p) }

	t.Run("undesa-ims2020-destination", func(t *testing.T) {
		// Every table of the workbook lists the same locations; Table 1 and
		// Table 6 are read to be sure.
		for _, sheet := range []string{"Table 1", "Table 6"} {
			s := newSpellings(t, m.ForSource(SourceUNDESA), sheet)
			readTable(t, path("un-desa-international-migrant-stock/undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"),
				tabular.Options{Sheet: sheet, HeaderContains: []string{"Region, development group, country or area", "Location code"}},
				func(_ []string, row tabular.Row) error {
					s.pair(row.Get("Region, development group, country or area"), row.Get("Location code"), true, row.Number)
					return nil
				})
			s.done()
		}
	})

	t.Run("undesa-ims2019-bilateral", func(t *testing.T) {
		for _, sex := range []string{"total", "male", "female"} {
			s := newSpellings(t, m.ForSource(SourceUNDESA), "ims2019 "+sex)
			first := true
			seen := map[string]bool{}
			readTable(t, path("un-desa-international-migrant-stock/ims2019_bilateral_origin_destination_"+sex+".csv"),
				tabular.Options{Required: []string{"Year", "Destination", "Total"}},
				func(header []string, row tabular.Row) error {
					if first {
						first = false
						for _, origin := range header[3:] {
							s.look(origin, false, 1)
						}
					}
					if d := row.Get("Destination"); !seen[d] {
						seen[d] = true
						s.look(d, false, row.Number)
					}
					return nil
				})
			s.done()
		}
	})

	t.Run("unhcr-population", func(t *testing.T) {
		// coo/coa are UNHCR codes (read through the UNHCR view), coo_iso and
		// coa_iso ISO3 (the default view): all three must name one area.
		s := newSpellings(t, m.ForSource(SourceUNHCR), "population.csv")
		iso := newSpellings(t, m, "population.csv ISO columns")
		type triple struct{ name, code, iso string }
		seen := map[triple]int{}
		readTable(t, path("unhcr-refugee-population/population.csv"),
			tabular.Options{Required: []string{"coo_name", "coo", "coo_iso", "coa_name", "coa", "coa_iso"}},
			func(_ []string, row tabular.Row) error {
				for _, side := range []string{"coo", "coa"} {
					k := triple{row.Get(side + "_name"), row.Get(side), row.Get(side + "_iso")}
					if _, dup := seen[k]; !dup {
						seen[k] = row.Number
					}
				}
				return nil
			})
		for k, n := range seen {
			s.pair(k.name, k.code, true, n)
			a, okA := s.m.Match(k.code)
			b, okB := iso.look(k.iso, true, n)
			if okA && okB && a.Code != b.Code {
				s.fail("row %d: UNHCR code %s is %s but ISO column %s is %s", n, k.code, a.Code, k.iso, b.Code)
			}
		}
		s.done()
		iso.done()
	})

	t.Run("wdi", func(t *testing.T) {
		files := []struct {
			file string
			opt  tabular.Options
		}{
			{"remittances/wdi/BX.TRF.PWKR.CD.DT_received_usd.csv", tabular.Options{}},
			{"remittances/wdi/BM.TRF.PWKR.CD.DT_paid_usd.csv", tabular.Options{}},
			{"remittances/wdi/BX.TRF.PWKR.DT.GD.ZS_received_pct_gdp.csv", tabular.Options{}},
			// 2021 vintage: four preamble lines, a BOM, a trailing comma.
			{"remittances/wdi/API_BM.TRF.PWKR.CD.DT_DS2_en_csv_v2_3012027.csv", tabular.Options{HeaderContains: []string{"Country Name", "Country Code"}}},
			{"rpw/wdi_cost_indicators/SI.RMT.COST.IB.ZS_cost_sending_to.csv", tabular.Options{}},
			{"rpw/wdi_cost_indicators/SI.RMT.COST.OB.ZS_cost_sending_from.csv", tabular.Options{}},
		}
		for _, f := range files {
			s := newSpellings(t, m.ForSource(SourceWDI), filepath.Base(f.file))
			f.opt.Required = []string{"Country Name", "Country Code"}
			readTable(t, path(f.file), f.opt, func(_ []string, row tabular.Row) error {
				s.pair(row.Get("Country Name"), row.Get("Country Code"), true, row.Number)
				return nil
			})
			s.done()
		}
	})

	t.Run("knomad", func(t *testing.T) {
		files := []struct{ file, first string }{
			{"remittances/knomad/knomad_remittance_inflows_june2023.csv", "Remittance inflows (US$ million)"},
			{"remittances/knomad/knomad_remittance_outflows_june2023.csv", "Remittance outflows (US$ million)"},
		}
		for _, f := range files {
			s := newSpellings(t, m.ForSource("knomad"), filepath.Base(f.file))
			readTable(t, path(f.file), tabular.Options{HeaderContains: []string{f.first}}, func(_ []string, row tabular.Row) error {
				name := row.Get(f.first)
				if name == "" {
					return io.EOF // the notes below the table
				}
				s.look(name, false, row.Number)
				return nil
			})
			s.done()
		}
	})

	t.Run("bilateral-matrices", func(t *testing.T) {
		for _, f := range []string{
			"remittances/bilateral/WB_Bilateral_Remittance_Estimates_2017.csv",
			"remittances/bilateral/bilateral_remittance_matrix_2021.csv",
		} {
			s := newSpellings(t, m.ForSource("knomad"), filepath.Base(f))
			first := true
			readTable(t, path(f), tabular.Options{HeaderContains: []string{"Afghanistan", "Albania"}}, func(header []string, row tabular.Row) error {
				if first {
					first = false
					for _, h := range header[1:] { // receiving countries, across
						s.look(h, false, 1)
					}
				}
				name := row.At(0) // sending countries, down, to the WORLD row
				s.look(name, false, row.Number)
				if name == "WORLD" {
					return io.EOF
				}
				return nil
			})
			s.done()
		}
	})

	t.Run("missing-migrants", func(t *testing.T) {
		// Country of Origin may hold several countries joined by commas
		// ("Eritrea,Ethiopia,Sudan,Unknown"), and names may hold commas
		// themselves: MatchList takes the longest known name.
		iom := m.ForSource("iom")
		s := newSpellings(t, iom, "Missing Migrants")
		seen := map[string]bool{}
		readTable(t, path("iom-missing-migrants/Missing_Migrants_Global_Figures_allData.csv"),
			tabular.Options{Required: []string{"Country of Origin", "Country of Incident"}},
			func(_ []string, row tabular.Row) error {
				if inc := row.Get("Country of Incident"); !seen["i:"+inc] {
					seen["i:"+inc] = true
					s.look(inc, false, row.Number)
				}
				origin := row.Get("Country of Origin")
				if seen["o:"+origin] {
					return nil
				}
				seen["o:"+origin] = true
				matched, unmatched := iom.MatchList(origin)
				s.checked += len(matched)
				for _, u := range unmatched {
					s.look(u, false, row.Number) // fails unless a listed non-area
				}
				return nil
			})
		s.done()
	})

	t.Run("rpw", func(t *testing.T) {
		rpw := m.ForSource("rpw")
		s := newSpellings(t, rpw, "RPW DataBank corridors")
		readTable(t, path("rpw/databank_corridors/36d1ed87-9a2d-41da-8eac-c1c25d45fa65_Data.csv"),
			tabular.Options{Required: []string{"Sending Countries Name", "Sending Countries Code", "Receiving Countries  Name", "Receiving Countries  Code"}},
			func(_ []string, row tabular.Row) error {
				if row.Get("Sending Countries Code") == "" {
					return io.EOF // footer
				}
				s.pair(row.Get("Sending Countries Name"), row.Get("Sending Countries Code"), true, row.Number)
				s.pair(row.Get("Receiving Countries  Name"), row.Get("Receiving Countries  Code"), true, row.Number)
				return nil
			})
		s.done()

		s = newSpellings(t, rpw, "RPW East Africa excerpt")
		readTable(t, path("rpw/eastafrica_excerpt/rpw_eastafrica_2025_3Q_excerpt.csv"),
			tabular.Options{Required: []string{"SOURCE_CODE", "SOURCE_NAME", "DESTINATION_CODE", "DESTINATION_NAME"}},
			func(_ []string, row tabular.Row) error {
				s.pair(row.Get("SOURCE_NAME"), row.Get("SOURCE_CODE"), true, row.Number)
				s.pair(row.Get("DESTINATION_NAME"), row.Get("DESTINATION_CODE"), true, row.Number)
				return nil
			})
		s.done()

		// Finofin's UK files: ISO alpha-2 destination codes.
		for _, f := range []string{"official-corridors.csv", "provider-comparisons.csv"} {
			s = newSpellings(t, rpw, f)
			readTable(t, path("rpw/omt_uk_q3_2025/"+f), tabular.Options{Required: []string{"destination_code", "destination_country"}},
				func(_ []string, row tabular.Row) error {
					s.pair(row.Get("destination_country"), row.Get("destination_code"), true, row.Number)
					if row.Has("source_country") {
						s.look(row.Get("source_country"), false, row.Number)
					}
					return nil
				})
			s.done()
		}
	})
}

// TestNonAreasNeverMatch holds the matcher to the list in every view.
func TestNonAreasNeverMatch(t *testing.T) {
	m := shippedMatcher(t)
	views := []*Matcher{m}
	for _, src := range []string{SourceISO, SourceUNDESA, SourceWDI, SourceUNHCR, "iom", "knomad", "rpw"} {
		views = append(views, m.ForSource(src))
	}
	for text := range nonAreas {
		for _, v := range views {
			a, ok := v.Match(text)
			if !isNonArea(v, text) {
				if want := nonAreaExcept[text].code; !ok || a.Code != want {
					t.Errorf("[%s] Match(%q) = %s, %v; want %s", v.Source(), text, a.Code, ok, want)
				}
				continue
			}
			if ok {
				t.Errorf("[%s] Match(%q) = %s; it is no area (%s)", v.Source(), text, a.Code, nonAreas[text])
			}
		}
	}
	for _, text := range []string{"Various", "Other", "N/A", "NA", "..", "-", "Total"} {
		if a, ok := m.Match(text); ok {
			t.Errorf("Match(%q) = %s", text, a.Code)
		}
	}
}
