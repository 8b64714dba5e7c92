package geo

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestLoadReferenceCounts(t *testing.T) {
	ref, rejects := shippedReference(t)
	kinds := map[Kind]int{}
	iso := 0
	for _, a := range ref.Areas {
		kinds[a.Kind]++
		if a.IsCountry() && a.ISO2 != "" {
			iso++
		}
	}
	// all.csv has 249 rows; Kosovo (XKX, from WDI) is the 250th country.
	if iso != 249 {
		t.Errorf("ISO countries = %d, want 249", iso)
	}
	want := map[Kind]int{
		KindCountry:            250,
		KindWorld:              1,
		KindRegion:             5,  // Africa, Americas, Asia, Europe, Oceania
		KindSubRegion:          17, // as named in all.csv
		KindIntermediateRegion: 7,
		KindSDGRegion:          8,  // the annex's SDG region rows
		KindDevelopmentGroup:   7,  // 901 902 934 941 948 1636 1637
		KindIncomeGroup:        12, // UN DESA 1500-1503, 1517, 1518; World Bank HIC UMC LMC LIC MIC LMY
		KindAggregate:          42, // Channel Islands + 41 other WB aggregates (48 aggregate rows − WLD − 6 income groups)
	}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%s areas = %d, want %d", k, kinds[k], n)
		}
	}
	// Every area code is unique, and every member and alias points at an area.
	codes := map[string]bool{}
	for _, a := range ref.Areas {
		if codes[a.Code] {
			t.Errorf("area code %s appears twice", a.Code)
		}
		codes[a.Code] = true
	}
	for _, a := range ref.Areas {
		for _, m := range a.Members {
			if !codes[m] {
				t.Errorf("%s lists unknown member %s", a.Code, m)
			}
		}
	}
	for _, al := range ref.Aliases {
		if !codes[al.AreaCode] {
			t.Errorf("alias %+v points at no area", al)
		}
	}
	// The five UNHCR rows without an ISO country: CRB, CUR (placeholders
	// with no iso_code), Stateless (XXA), Tibetan, Unknown (XXX).
	var rejected []string
	for _, e := range rejects {
		if e.File != "countries.csv" || e.Column != "iso_code" {
			t.Errorf("unexpected rejection %v", e)
		}
		rejected = append(rejected, strings.Fields(e.Reason)[1])
	}
	if got, want := strings.Join(rejected, " "), `(CRB, (CUR, (Stateless, (Tibetan, (Unknown,`; got != want {
		t.Errorf("rejections: got %s, want %s", got, want)
	}
	if len(shipped.sources) != 5 || shipped.sources[0] != "all.csv" || shipped.sources[4] != "area_aliases.csv" {
		t.Errorf("hooks.Source saw %v", shipped.sources)
	}
	// 249 + 289 annex rows below the header + 265 + 232 + the alias list.
	if shipped.rows < 249+265+232+280 {
		t.Errorf("hooks.Row counted %d rows", shipped.rows)
	}
}

func TestLoadReferenceFacts(t *testing.T) {
	ref, _ := shippedReference(t)
	tests := []struct {
		code string
		want Area
	}{
		{"KEN", Area{Code: "KEN", Kind: KindCountry, Name: "Kenya", ISO2: "KE", ISO3: "KEN", M49: "404",
			Region: "Africa", RegionCode: "002", SubRegion: "Sub-Saharan Africa", SubRegionCode: "202",
			IntermediateRegion: "Eastern Africa", IntermediateRegionCode: "014",
			SDGRegion: "Sub-Saharan Africa", SDGRegionCode: "947",
			IncomeGroup: "Lower middle income", IncomeGroupCode: "WB-LMC", WBRegion: "Sub-Saharan Africa",
			UNHCRCode: "KEN", UNHCRRegion: "Eastern and Southern Africa"}},
		{"DEU", Area{Code: "DEU", Kind: KindCountry, Name: "Germany", ISO2: "DE", ISO3: "DEU", M49: "276",
			Region: "Europe", RegionCode: "150", SubRegion: "Western Europe", SubRegionCode: "155",
			SDGRegion: "Europe and Northern America", SDGRegionCode: "1829",
			IncomeGroup: "High income", IncomeGroupCode: "WB-HIC", WBRegion: "Europe & Central Asia",
			UNHCRCode: "GFR", UNHCRRegion: "Europe"}},
		{"AFG", Area{Code: "AFG", Kind: KindCountry, Name: "Afghanistan", ISO2: "AF", ISO3: "AFG", M49: "004",
			Region: "Asia", RegionCode: "142", SubRegion: "Southern Asia", SubRegionCode: "034",
			SDGRegion: "Central and Southern Asia", SDGRegionCode: "921",
			IncomeGroup: "Low income", IncomeGroupCode: "WB-LIC", WBRegion: "South Asia",
			UNHCRCode: "AFG", UNHCRRegion: "Asia and the Pacific"}},
		{"AUT", Area{Code: "AUT", Kind: KindCountry, Name: "Austria", ISO2: "AT", ISO3: "AUT", M49: "040",
			Region: "Europe", RegionCode: "150", SubRegion: "Western Europe", SubRegionCode: "155",
			SDGRegion: "Europe and Northern America", SDGRegionCode: "1829",
			IncomeGroup: "High income", IncomeGroupCode: "WB-HIC", WBRegion: "Europe & Central Asia",
			UNHCRCode: "AUS", UNHCRRegion: "Europe"}},
		// Venezuela has no World Bank income group in this vintage.
		{"VEN", Area{Code: "VEN", Kind: KindCountry, Name: "Venezuela, Bolivarian Republic of", ISO2: "VE", ISO3: "VEN", M49: "862",
			Region: "Americas", RegionCode: "019", SubRegion: "Latin America and the Caribbean", SubRegionCode: "419",
			IntermediateRegion: "South America", IntermediateRegionCode: "005",
			SDGRegion: "Latin America and the Caribbean", SDGRegionCode: "1830",
			WBRegion: "Latin America & Caribbean", UNHCRCode: "VEN", UNHCRRegion: "The Americas"}},
		// Kosovo: a World Bank economy (XKX) without ISO or M49 code.
		{"XKX", Area{Code: "XKX", Kind: KindCountry, Name: "Kosovo", ISO3: "XKX",
			IncomeGroup: "Upper middle income", IncomeGroupCode: "WB-UMC", WBRegion: "Europe & Central Asia"}},
		// Taiwan: no region in all.csv; UN DESA places it in Eastern Asia.
		{"TWN", Area{Code: "TWN", Kind: KindCountry, Name: "Taiwan, Province of China", ISO2: "TW", ISO3: "TWN", M49: "158",
			Region: "Asia", RegionCode: "142", SubRegion: "Eastern Asia", SubRegionCode: "030",
			SDGRegion: "Eastern and South-Eastern Asia", SDGRegionCode: "1832"}},
		// Guernsey: not in the annex; its SDG region follows from Northern Europe.
		{"GGY", Area{Code: "GGY", Kind: KindCountry, Name: "Guernsey", ISO2: "GG", ISO3: "GGY", M49: "831",
			Region: "Europe", RegionCode: "150", SubRegion: "Northern Europe", SubRegionCode: "154",
			SDGRegion: "Europe and Northern America", SDGRegionCode: "1829"}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			got := areaByCode(t, ref, tt.code)
			got.Members = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestLoadReferenceAggregates(t *testing.T) {
	ref, _ := shippedReference(t)
	tests := []struct {
		code, name  string
		kind        Kind
		members     int
		has, hasNot []string
	}{
		{"001", "World", KindWorld, 250, []string{"KEN", "XKX", "ATA"}, []string{"830", "002"}},
		{"002", "Africa", KindRegion, 60, []string{"KEN", "DZA"}, []string{"DEU"}},
		{"202", "Sub-Saharan Africa", KindSubRegion, 53, []string{"KEN"}, []string{"DZA"}},
		{"014", "Eastern Africa", KindIntermediateRegion, 22, []string{"KEN"}, []string{"NGA"}},
		{"947", "Sub-Saharan Africa", KindSDGRegion, 53, []string{"KEN", "NGA"}, []string{"DZA"}},
		{"927", "Australia and New Zealand", KindSDGRegion, 6, []string{"AUS", "NZL", "NFK"}, nil},
		{"941", "Least developed countries", KindDevelopmentGroup, 47, []string{"AFG", "BDI"}, []string{"KEN"}},
		{"1501", "Lower-middle-income countries", KindIncomeGroup, 50, []string{"KEN", "IND"}, []string{"DEU"}},
		{"1518", "No income group available", KindIncomeGroup, 18, []string{"MYT", "REU"}, nil},
		// Channel Islands: UN M49 830, World Bank "CHI".
		{"830", "Channel Islands", KindAggregate, 2, []string{"GGY", "JEY"}, nil},
		// The World Bank's groups, from the IncomeGroup and Region columns.
		{"WB-HIC", "High income", KindIncomeGroup, 80, []string{"DEU", "830", "AUS"}, []string{"KEN", "VEN"}},
		{"WB-LMC", "Lower middle income", KindIncomeGroup, 54, []string{"KEN", "IND", "PHL", "NGA"}, nil},
		{"WB-MIC", "Middle income", KindIncomeGroup, 108, []string{"KEN", "MEX", "XKX"}, []string{"AFG"}},
		{"WB-LMY", "Low & middle income", KindIncomeGroup, 136, []string{"AFG", "KEN", "MEX"}, []string{"DEU", "VEN"}},
		{"WB-SSF", "Sub-Saharan Africa", KindAggregate, 48, []string{"KEN"}, []string{"DZA"}},
		{"WB-ECS", "Europe & Central Asia", KindAggregate, 58, []string{"DEU", "XKX", "830"}, nil},
		{"WB-EUU", "European Union", KindAggregate, 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			a := areaByCode(t, ref, tt.code)
			if a.Name != tt.name || a.Kind != tt.kind {
				t.Errorf("got %q (%s), want %q (%s)", a.Name, a.Kind, tt.name, tt.kind)
			}
			if len(a.Members) != tt.members {
				t.Errorf("%d members, want %d", len(a.Members), tt.members)
			}
			for _, m := range tt.has {
				if !slices.Contains(a.Members, m) {
					t.Errorf("members lack %s", m)
				}
			}
			for _, m := range tt.hasNot {
				if slices.Contains(a.Members, m) {
					t.Errorf("members include %s", m)
				}
			}
		})
	}
	ci := areaByCode(t, ref, "830")
	if ci.IncomeGroupCode != "WB-HIC" || ci.RegionCode != "150" || ci.SubRegionCode != "154" || ci.SDGRegionCode != "1829" {
		t.Errorf("Channel Islands: %+v", ci)
	}
}

// TestLoadReferenceAgainstSources re-reads the WDI metadata and the UN DESA
// annex directly (encoding/csv, excelize) and checks every country's World
// Bank income group and region and SDG region against them.
func TestLoadReferenceAgainstSources(t *testing.T) {
	ref, _ := shippedReference(t)
	m := NewMatcher(ref)
	files := DefaultSourceFiles(dataDir)

	f, err := os.Open(files.WDIMetadata)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range recs[1:] {
		code, region, income := r[0], r[1], r[2]
		if region == "" {
			continue
		}
		n++
		a, ok := m.MatchCode(code)
		if !ok {
			t.Errorf("WDI economy %s not found", code)
			continue
		}
		if a.WBRegion != region || a.IncomeGroup != income {
			t.Errorf("%s: WB region %q income %q, WDI says %q %q", code, a.WBRegion, a.IncomeGroup, region, income)
		}
	}
	if n != 217 {
		t.Errorf("%d WDI economies, want 217", n)
	}

	x, err := excelize.OpenFile(files.UNDESAAnnex)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("Annex")
	if err != nil {
		t.Fatal(err)
	}
	n = 0
	for _, r := range rows[11:] { // data from row 12
		if len(r) < 15 || strings.TrimSpace(r[5]) != "4" {
			continue
		}
		n++
		iso3, loc, sdg := strings.TrimSpace(r[4]), strings.TrimSpace(r[3]), strings.TrimSuffix(r[13], ".0")
		a, ok := m.Match(iso3)
		if !ok {
			a, ok = m.ForSource(SourceUNDESA).MatchCode(iso3)
		}
		if !ok {
			t.Errorf("annex country %s not found", iso3)
			continue
		}
		if canonNum(a.M49) != loc {
			t.Errorf("%s: M49 %s, annex location code %s", iso3, a.M49, loc)
		}
		if a.SDGRegionCode != sdg || a.SDGRegion != r[14] {
			t.Errorf("%s: SDG region %s %q, annex says %s %q", iso3, a.SDGRegionCode, a.SDGRegion, sdg, r[14])
		}
	}
	if n != 235 {
		t.Errorf("%d annex countries, want 235", n)
	}
}

func TestLoadReferenceAliases(t *testing.T) {
	ref, _ := shippedReference(t)
	has := func(text, code, source string) bool {
		return slices.Contains(ref.Aliases, Alias{Text: text, AreaCode: code, Source: source})
	}
	for _, al := range []Alias{
		{"Kenya", "KEN", SourceISO}, {"KE", "KEN", SourceISO}, {"KEN", "KEN", SourceISO}, {"404", "KEN", SourceISO},
		{"Germany", "DEU", SourceUNHCR}, {"GFR", "DEU", SourceUNHCR},
		{"Côte d'Ivoire", "CIV", SourceUNDESA}, {"Cote d'Ivoire", "CIV", SourceUNHCR},
		{"Channel Islands", "830", SourceUNDESA}, {"CHI", "830", SourceUNDESA}, {"CHI", "830", SourceWDI},
		{"CHI", "CHN", SourceUNHCR},
		{"AFRICA", "002", SourceUNDESA}, {"903", "002", SourceUNDESA},
		{"WORLD", "001", SourceUNDESA}, {"900", "001", SourceUNDESA}, {"WLD", "001", SourceWDI},
		{"HIC", "WB-HIC", SourceWDI}, {"Kosovo", "XKX", SourceWDI},
		{"More developed regions", "901", SourceUNDESA},
		{"Ivory Coast", "CIV", "rpw"}, {"KSV", "XKX", "rpw"}, {"Palestinian Territories", "PSE", "iom"},
	} {
		if !has(al.Text, al.AreaCode, al.Source) {
			t.Errorf("missing alias %+v", al)
		}
	}
}

func TestLoadReferenceCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := LoadReference(ctx, DefaultSourceFiles(dataDir), Hooks{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}
