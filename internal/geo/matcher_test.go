package geo

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
)

func TestNormalizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Côte d'Ivoire", "cote d ivoire"},
		{"Cote d'Ivoire", "cote d ivoire"},
		{"COTE D’IVOIRE", "cote d ivoire"},
		{"Türkiye", "turkiye"},
		{"Curaçao", "curacao"},
		{"Réunion", "reunion"},
		{"Åland Islands", "aland islands"},
		{"Gambia, The", "gambia"},
		{"The Gambia", "gambia"},
		{"Bahamas, The", "bahamas"},
		{"Netherlands (Kingdom of the)", "netherlands kingdom of"},
		{"Europe & Central Asia", "europe and central asia"},
		{"Bosnia&Herzegovina", "bosnia and herzegovina"},
		{"  Guinea-Bissau  ", "guinea bissau"},
		{"   Mauritius*", "mauritius"},
		{"St. Kitts and Nevis", "saint kitts and nevis"},
		{"Saint Kitts and Nevis", "saint kitts and nevis"},
		{"Korea, Dem. People's Rep.", "korea dem people s rep"},
		{"Latin America and the Caribbean", "latin america and the caribbean"},
		{"Færøerne", "faeroerne"},
		{"", ""},
		{"***", ""},
	}
	for _, tt := range tests {
		if got := NormalizeName(tt.in); got != tt.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	m := shippedMatcher(t)
	tests := []struct {
		text, want string // want "" = no match
	}{
		// Names, with every normalisation.
		{"Kenya", "KEN"},
		{"KENYA", "KEN"},
		{"Côte d'Ivoire", "CIV"},
		{"Cote d'Ivoire", "CIV"},
		{"Cote dIvoire", ""}, // the apostrophe separates words: no fuzzy matching
		{"Gambia, The", "GMB"},
		{"The Gambia", "GMB"},
		{"Türkiye", "TUR"},
		{"Turkey", "TUR"},
		{"Turkiye", "TUR"},
		{"Czechia", "CZE"},
		{"Czech Republic", "CZE"},
		{"Bosnia & Herzegovina", "BIH"},
		{"St. Lucia", "LCA"},
		{"China, Hong Kong SAR", "HKG"},
		{"Kosovo", "XKX"},
		{"Channel Islands", "830"},
		{"World", "001"},
		{"WORLD", "001"},
		// A name several sources give to different areas: ISO (M49) wins.
		{"Sub-Saharan Africa", "202"},
		{"Latin America and the Caribbean", "419"},
		{"Australia and New Zealand", "053"},
		{"High income", "WB-HIC"},
		{"High-income countries", "1503"},
		// ISO3, M49 with or without padding, UN DESA location codes, World Bank codes.
		{"DEU", "DEU"},
		{"deu", "DEU"},
		{"276", "DEU"},
		{"4", "AFG"},
		{"004", "AFG"},
		{"0004", "AFG"},
		{"903", "002"}, // UN DESA's Africa
		{"900", "001"},
		{"947", "947"},
		{"1503", "1503"},
		{"HIC", "WB-HIC"},
		{"WB-HIC", "WB-HIC"},
		{"SSF", "WB-SSF"},
		{"CHI", "830"}, // World Bank and UN DESA: Channel Islands
		{"XKX", "XKX"},
		{"KSV", "XKX"},
		{"WLD", "001"},
		// UNHCR codes are not matched by default (see ForSource).
		{"AUS", "AUS"}, // Australia (ISO), not Austria (UNHCR)
		{"ARE", "ARE"}, // United Arab Emirates (ISO), not Egypt (UNHCR)
		{"MAR", "MAR"}, // Morocco (ISO), not Martinique (UNHCR)
		{"GFR", ""},
		{"ALG", ""},
		// ISO alpha-2 only through MatchCode.
		{"DE", ""},
		{"NA", ""},
		// Not areas.
		{"Unknown", ""},
		{"Stateless", ""},
		{"Various", ""},
		{"Other South", ""},
		{"UNK", ""},
		{"", ""},
		{"   ", ""},
		{"0", ""},
	}
	for _, tt := range tests {
		got, ok := m.Match(tt.text)
		if ok != (tt.want != "") || got.Code != tt.want {
			t.Errorf("Match(%q) = %q, %v; want %q", tt.text, got.Code, ok, tt.want)
		}
	}
}

func TestMatchCodeAndName(t *testing.T) {
	m := shippedMatcher(t)
	codes := []struct{ in, want string }{
		{"DE", "DEU"}, {"de", "DEU"}, {" GB ", "GBR"}, {"NA", "NAM"}, {"GM", "GMB"},
		{"KEN", "KEN"}, {"404", "KEN"}, {"WB-LMC", "WB-LMC"}, {"830", "830"},
		{"Kenya", ""}, {"GFR", ""}, {"XX", ""},
	}
	for _, tt := range codes {
		got, ok := m.MatchCode(tt.in)
		if ok != (tt.want != "") || got.Code != tt.want {
			t.Errorf("MatchCode(%q) = %q, %v; want %q", tt.in, got.Code, ok, tt.want)
		}
	}
	names := []struct{ in, want string }{
		{"Kenya", "KEN"}, {"KEN", ""}, {"404", ""}, {"Namibia", "NAM"},
	}
	for _, tt := range names {
		got, ok := m.MatchName(tt.in)
		if ok != (tt.want != "") || got.Code != tt.want {
			t.Errorf("MatchName(%q) = %q, %v; want %q", tt.in, got.Code, ok, tt.want)
		}
	}
}

// TestUNHCRCodes covers every UNHCR code that is another area's ISO3 or
// World Bank code (found in countries.csv): read through the UNHCR view
// they mean UNHCR's country, through the default one the standard's.
func TestUNHCRCodes(t *testing.T) {
	m := shippedMatcher(t)
	u := m.ForSource(SourceUNHCR)
	tests := []struct{ code, unhcr, standard string }{
		{"AUS", "AUT", "AUS"}, // Austria / Australia
		{"ARE", "EGY", "ARE"}, // Egypt / United Arab Emirates
		{"MAR", "MTQ", "MAR"}, // Martinique / Morocco
		{"CHI", "CHN", "830"}, // China / Channel Islands (World Bank, UN DESA)
		{"AUL", "AUS", ""},    // Australia for UNHCR, nothing in ISO
		{"GFR", "DEU", ""},
		{"COD", "COD", "COD"}, // the two agree
		{"KEN", "KEN", "KEN"},
		{"AUT", "", "AUT"}, // not a UNHCR code: MatchUNHCRCode says no …
	}
	for _, tt := range tests {
		if got, ok := m.MatchUNHCRCode(tt.code); ok != (tt.unhcr != "") || got.Code != tt.unhcr {
			t.Errorf("MatchUNHCRCode(%q) = %q, %v; want %q", tt.code, got.Code, ok, tt.unhcr)
		}
		if got, ok := m.Match(tt.code); ok != (tt.standard != "") || got.Code != tt.standard {
			t.Errorf("Match(%q) = %q, %v; want %q", tt.code, got.Code, ok, tt.standard)
		}
		// … but the UNHCR view falls back to the default for other codes.
		want := tt.unhcr
		if want == "" {
			want = tt.standard
		}
		if got, ok := u.Match(tt.code); !ok || got.Code != want {
			t.Errorf("ForSource(unhcr).Match(%q) = %q, %v; want %q", tt.code, got.Code, ok, want)
		}
	}
	if u.Source() != SourceUNHCR || m.Source() != "" {
		t.Errorf("Source() = %q, %q", u.Source(), m.Source())
	}
}

func TestForSource(t *testing.T) {
	m := shippedMatcher(t)
	tests := []struct{ source, text, want string }{
		{"", "Sub-Saharan Africa", "202"},
		{SourceUNDESA, "Sub-Saharan Africa", "947"},
		{SourceWDI, "Sub-Saharan Africa", "WB-SSF"},
		{SourceUNDESA, "Latin America and the Caribbean", "419"}, // region 904 before SDG region 1830 (kind rule)
		{SourceUNDESA, "Australia and New Zealand", "927"},
		{SourceWDI, "Latin America & Caribbean", "WB-LCN"},
		{SourceWDI, "World", "001"},
		{"no-such-source", "Sub-Saharan Africa", "202"},
		{SourceUNHCR, "Germany", "DEU"},
	}
	for _, tt := range tests {
		got, ok := m.ForSource(tt.source).Match(tt.text)
		if !ok || got.Code != tt.want {
			t.Errorf("ForSource(%q).Match(%q) = %q, %v; want %q", tt.source, tt.text, got.Code, ok, tt.want)
		}
	}
}

func TestMatchList(t *testing.T) {
	m := shippedMatcher(t).ForSource("iom")
	tests := []struct {
		in        string
		codes     []string
		unmatched []string
	}{
		{"Eritrea,Ethiopia,Sudan,Unknown", []string{"ERI", "ETH", "SDN"}, []string{"Unknown"}},
		{"Côte d'Ivoire,Guinea,Mali", []string{"CIV", "GIN", "MLI"}, nil},
		{"China, Hong Kong Special Administrative Region,Viet Nam", []string{"HKG", "VNM"}, nil},
		{"Congo, Democratic Republic of the,Rwanda", []string{"COD", "RWA"}, nil},
		{"Korea, Republic of", []string{"KOR"}, nil},
		{"Mixed,Mixed/Unknown", nil, []string{"Mixed", "Mixed/Unknown"}},
		{"Guinea-Bissau, Senegal", []string{"GNB", "SEN"}, nil},
		{"", nil, nil},
	}
	for _, tt := range tests {
		got, un := m.MatchList(tt.in)
		var codes []string
		for _, a := range got {
			codes = append(codes, a.Code)
		}
		if !reflect.DeepEqual(codes, tt.codes) || !reflect.DeepEqual(un, tt.unmatched) {
			t.Errorf("MatchList(%q) = %v, %v; want %v, %v", tt.in, codes, un, tt.codes, tt.unmatched)
		}
	}
}

// TestMatcherSettlesTies checks the rules on a small hand-made reference.
func TestMatcherSettlesTies(t *testing.T) {
	ref := Reference{
		Areas: []Area{
			{Code: "AAA", Kind: KindCountry, Name: "Alpha", ISO3: "AAA"},
			{Code: "BBB", Kind: KindCountry, Name: "Beta", ISO3: "BBB"},
			{Code: "900", Kind: KindRegion, Name: "Greater Alpha", M49: "900"},
		},
		Aliases: []Alias{
			{"Alpha", "AAA", SourceISO},
			{"Alpha", "900", SourceWDI}, // rule 1: ISO wins by default
			{"Twin", "AAA", "x"},        // rule 3: same source, same kind → ambiguous
			{"Twin", "BBB", "x"},        //
			{"Greater", "AAA", "y"},     // rule 2: country beats region in one source
			{"Greater", "900", "y"},     //
			{"ZZZ", "BBB", SourceUNHCR}, // UNHCR codes: only through the UNHCR view
			{"Zed", "BBB", SourceUNHCR}, // UNHCR names: everywhere
			{"AAA", "BBB", SourceUNHCR}, // a UNHCR code that is another's ISO3
		},
	}
	m := NewMatcher(ref)
	check := func(mm *Matcher, text, want string) {
		t.Helper()
		got, ok := mm.Match(text)
		if ok != (want != "") || got.Code != want {
			t.Errorf("[%s] Match(%q) = %q, %v; want %q", mm.Source(), text, got.Code, ok, want)
		}
	}
	check(m, "Alpha", "AAA")
	check(m.ForSource(SourceWDI), "Alpha", "900")
	check(m, "Twin", "")
	check(m.ForSource("x"), "Twin", "")
	check(m, "Greater", "AAA")
	check(m, "ZZZ", "")
	check(m.ForSource(SourceUNHCR), "ZZZ", "BBB")
	check(m, "Zed", "BBB")
	check(m, "AAA", "AAA")
	check(m.ForSource(SourceUNHCR), "AAA", "BBB")
	if amb := m.Ambiguities(); !reflect.DeepEqual(amb, map[string][]string{"twin": {"AAA", "BBB"}}) {
		t.Errorf("Ambiguities() = %v", amb)
	}
}

func TestShippedMatcherHasNoAmbiguities(t *testing.T) {
	if amb := shippedMatcher(t).Ambiguities(); len(amb) != 0 {
		t.Errorf("names or codes two areas claim with equal rank: %v", amb)
	}
}

func TestMatcherConcurrent(t *testing.T) {
	m := shippedMatcher(t)
	u := m.ForSource(SourceUNHCR)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				if a, ok := m.Match("Côte d'Ivoire"); !ok || a.Code != "CIV" {
					t.Error("CIV")
					return
				}
				if a, ok := u.Match("AUS"); !ok || a.Code != "AUT" {
					t.Error("AUT")
					return
				}
			}
		}()
	}
	wg.Wait()
}

// benchTexts mixes what imports send: names as written (cache hits),
// spellings that need normalising, codes, and non-areas.
var benchTexts = []string{
	"Kenya", "Germany", "Côte d'Ivoire", "COTE D'IVOIRE", "United States of America", "Gambia, The",
	"KEN", "DEU", "404", "004", "WB-HIC", "Unknown", "Syrian Arab Republic", "   Mauritius*",
	"Venezuela (Bolivarian Republic of)", "Other South", "Türkiye", "turkiye",
}

func BenchmarkMatch(b *testing.B) {
	m := shippedMatcher(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.Match(benchTexts[i%len(benchTexts)])
	}
}

func BenchmarkMatchExact(b *testing.B) {
	m := shippedMatcher(b)
	b.ReportAllocs()
	for b.Loop() {
		m.Match("Syrian Arab Republic")
	}
}

func BenchmarkMatchNormalised(b *testing.B) {
	m := shippedMatcher(b)
	for _, text := range []string{"COTE D'IVOIRE", "turkiye", "Cote d’Ivoire"} {
		b.Run(text, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m.Match(text)
			}
		})
	}
}

func BenchmarkNewMatcher(b *testing.B) {
	ref, _ := shippedReference(b)
	b.ReportAllocs()
	for b.Loop() {
		NewMatcher(ref)
	}
}

func ExampleMatcher_ForSource() {
	ref := Reference{
		Areas: []Area{
			{Code: "AUS", Kind: KindCountry, Name: "Australia", ISO3: "AUS"},
			{Code: "AUT", Kind: KindCountry, Name: "Austria", ISO3: "AUT"},
		},
		Aliases: []Alias{{"AUL", "AUS", SourceUNHCR}, {"AUS", "AUT", SourceUNHCR}},
	}
	m := NewMatcher(ref)
	a, _ := m.Match("AUS")
	b, _ := m.ForSource(SourceUNHCR).Match("AUS")
	fmt.Println(a.Name, "/", b.Name)
	// Output: Australia / Austria
}
