package geo

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/tabular"
)

// Source tags on aliases. Datasets that only appear through the alias list
// (data/corridor/area_aliases.csv) carry their own tag there: "iom",
// "knomad", "rpw", …
const (
	SourceISO      = "iso3166"  // data/iso3166-un-m49/all.csv
	SourceUNDESA   = "undesa"   // the UN DESA IMS 2020 classification annex
	SourceWDI      = "wdi"      // World Bank WDI country metadata
	SourceUNHCR    = "unhcr"    // UNHCR countries.csv (names and UNHCR's own codes)
	SourceCorridor = "corridor" // defined by Corridor itself (World, M49 001)
)

// SourceFiles names the five files the reference geography is built from.
type SourceFiles struct{ ISO, UNDESAAnnex, WDIMetadata, UNHCRCountries, Aliases string }

// DefaultSourceFiles returns the shipped files under dataDir (the data/
// folder of the repository).
func DefaultSourceFiles(dataDir string) SourceFiles {
	return SourceFiles{
		ISO:            filepath.Join(dataDir, "iso3166-un-m49", "all.csv"),
		UNDESAAnnex:    filepath.Join(dataDir, "un-desa-international-migrant-stock", "aggregates_correspondence_table_2020_1.xlsx"),
		WDIMetadata:    filepath.Join(dataDir, "remittances", "wdi", "wdi_country_metadata.csv"),
		UNHCRCountries: filepath.Join(dataDir, "unhcr-refugee-population", "countries.csv"),
		Aliases:        filepath.Join(dataDir, "corridor", "area_aliases.csv"),
	}
}

// Hooks let the caller follow a load. Any of them may be nil.
type Hooks struct {
	// Reject receives a row that is well-formed but cannot be linked to the
	// rest of the reference (a UNHCR iso_code that is not in the ISO list,
	// an alias pointing to an unknown code). The row is skipped.
	Reject func(*tabular.CellError)
	// Row is called once for every data row read, from every file.
	Row func()
	// Source is called when a file is opened, with its base name and its
	// reader (for progress reporting).
	Source func(name string, r tabular.Reader)
}

// LoadReference reads the five source files, streaming each through
// internal/tabular, and builds the reference geography.
//
// The ISO 3166 file is the backbone: one country area per row, and the M49
// regions, sub-regions and intermediate regions it names. The UN DESA annex
// adds SDG regions, UN development groups and UN DESA's income groups, the
// Channel Islands (830) and the UN location codes of its regions; the WDI
// metadata adds World Bank regions, income groups, Kosovo (XKX) and the
// World Bank aggregates; UNHCR adds its own country codes and regions; the
// alias list adds spellings the four sources do not use.
//
// A broken file (missing or renamed column, bad encoding, truncated row,
// text where a code belongs) stops the load with a *tabular.CellError
// (wrapping derrors.Invalid) naming the file, row and column. A row that is
// well-formed but cannot be linked goes to hooks.Reject and is skipped.
func LoadReference(ctx context.Context, files SourceFiles, hooks Hooks) (Reference, error) {
	b := newBuilder(ctx, hooks)
	steps := []struct {
		path string
		load func(string) error
	}{
		{files.ISO, b.loadISO},
		{files.UNDESAAnnex, b.loadAnnex},
		{files.WDIMetadata, b.loadWDI},
		{files.UNHCRCountries, b.loadUNHCR},
		{files.Aliases, b.loadAliases},
	}
	for _, s := range steps {
		if err := s.load(s.path); err != nil {
			return Reference{}, err
		}
	}
	return b.finish(), nil
}

// builder accumulates the reference while the files are read. Areas are
// held by pointer so that later files can enrich earlier ones in place.
type builder struct {
	ctx   context.Context
	hooks Hooks

	areas  []*Area
	byCode map[string]*Area // Area.Code
	byISO3 map[string]*Area // ISO 3166-1 alpha-3 (and XKX)
	byISO2 map[string]*Area
	// byNum maps a canonical UN numeric code (no leading zeros) to its area:
	// M49 codes, and UN DESA location codes that name an M49 area under a
	// different number (UN DESA's Africa is 903, M49's is 002).
	byNum map[string]*Area
	// byUNCode maps the alpha codes the UN DESA annex uses where ISO has
	// none ("CHI" for the Channel Islands), so WDI rows can find them.
	byUNCode map[string]*Area

	// groupNames indexes M49 groupings by normalised name (see m49ByName).
	groupNames map[string]*Area

	members map[string]map[string]bool // aggregate code → member codes from explicit lists
	aliases []Alias
	seen    map[Alias]bool
}

func newBuilder(ctx context.Context, hooks Hooks) *builder {
	b := &builder{
		ctx:      ctx,
		hooks:    hooks,
		byCode:   map[string]*Area{},
		byISO3:   map[string]*Area{},
		byISO2:   map[string]*Area{},
		byNum:    map[string]*Area{},
		byUNCode: map[string]*Area{},
		members:  map[string]map[string]bool{},
		seen:     map[Alias]bool{},
	}
	// The world is not a row in the ISO file; M49 gives it 001.
	w := b.add(&Area{Code: "001", Kind: KindWorld, Name: "World", M49: "001"})
	b.alias(w, SourceCorridor, "World", "001")
	return b
}

func (b *builder) add(a *Area) *Area {
	b.areas = append(b.areas, a)
	b.byCode[a.Code] = a
	if a.M49 != "" {
		b.byNum[canonNum(a.M49)] = a
	}
	return a
}

// alias records spellings or codes of an area from a source (empty texts
// and exact repeats are dropped).
func (b *builder) alias(a *Area, source string, texts ...string) {
	for _, t := range texts {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		al := Alias{Text: t, AreaCode: a.Code, Source: source}
		if !b.seen[al] {
			b.seen[al] = true
			b.aliases = append(b.aliases, al)
		}
	}
}

func (b *builder) member(agg *Area, m *Area) {
	set := b.members[agg.Code]
	if set == nil {
		set = map[string]bool{}
		b.members[agg.Code] = set
	}
	set[m.Code] = true
}

func (b *builder) reject(e *tabular.CellError) {
	if b.hooks.Reject != nil {
		b.hooks.Reject(e)
	}
}

// open opens a source file and announces it to hooks.Source.
func (b *builder) open(path string, opt tabular.Options) (tabular.Reader, error) {
	if err := b.ctx.Err(); err != nil {
		return nil, err
	}
	r, err := tabular.Open(path, opt)
	if err != nil {
		return nil, err
	}
	if b.hooks.Source != nil {
		b.hooks.Source(filepath.Base(path), r)
	}
	return r, nil
}

// each streams the rows of r into fn, counting them and honouring the
// context; it closes r.
func (b *builder) each(r tabular.Reader, fn func(tabular.Row) error) error {
	defer r.Close()
	for {
		if err := b.ctx.Err(); err != nil {
			return err
		}
		row, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if b.hooks.Row != nil {
			b.hooks.Row()
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}

// finish derives the member lists and returns the areas in a stable order:
// by kind (countries first), then code.
func (b *builder) finish() Reference {
	b.fillSDGRegions()
	world := b.byCode["001"]
	for _, a := range b.areas {
		if !a.IsCountry() {
			continue
		}
		b.member(world, a)
		// M49 hierarchy and SDG regions follow from each country's own
		// fields, so members and fields can never disagree.
		for _, code := range []string{a.RegionCode, a.SubRegionCode, a.IntermediateRegionCode, a.SDGRegionCode} {
			if agg := b.byCode[code]; code != "" && agg != nil {
				b.member(agg, a)
			}
		}
	}
	// M49 lists the Channel Islands (830) as Guernsey (831) and Jersey
	// (832) (plus Sark, which has no ISO 3166-1 code). The ISO file does not
	// carry the grouping, and UN DESA and the World Bank report the islands
	// only together, so the membership is stated here.
	if ci := b.byCode["830"]; ci != nil {
		for _, iso3 := range []string{"GGY", "JEY"} {
			if m := b.byISO3[iso3]; m != nil {
				b.member(ci, m)
			}
		}
	}
	for _, a := range b.areas {
		if set := b.members[a.Code]; len(set) > 0 {
			a.Members = make([]string, 0, len(set))
			for m := range set {
				a.Members = append(a.Members, m)
			}
			slices.Sort(a.Members)
		}
	}
	ref := Reference{Areas: make([]Area, len(b.areas)), Aliases: b.aliases}
	for i, a := range b.areas {
		ref.Areas[i] = *a
	}
	slices.SortFunc(ref.Areas, func(x, y Area) int {
		return cmp.Or(cmp.Compare(kindRank(x.Kind), kindRank(y.Kind)), cmp.Compare(x.Code, y.Code))
	})
	slices.SortFunc(ref.Aliases, func(x, y Alias) int {
		return cmp.Or(cmp.Compare(x.AreaCode, y.AreaCode), cmp.Compare(x.Source, y.Source), cmp.Compare(x.Text, y.Text))
	})
	return ref
}

// fillSDGRegions gives an SDG region to the ISO countries the UN DESA
// annex does not list (Åland, Guernsey, Jersey, Christmas Island, Svalbard,
// …: territories without a population estimate of their own). Every SDG
// region is a union of M49 sub-regions or intermediate regions (Europe and
// Northern America = 150 + 021, Sub-Saharan Africa = 202, …), so a country
// takes the SDG region that all the listed countries of its intermediate
// region — or, failing that, its sub-region — share. A grouping whose
// listed countries disagree decides nothing.
func (b *builder) fillSDGRegions() {
	seen := map[string]map[string]bool{} // M49 grouping code → SDG region codes of its listed countries
	for _, a := range b.areas {
		if !a.IsCountry() || a.SDGRegionCode == "" {
			continue
		}
		for _, g := range []string{a.IntermediateRegionCode, a.SubRegionCode} {
			if g == "" {
				continue
			}
			if seen[g] == nil {
				seen[g] = map[string]bool{}
			}
			seen[g][a.SDGRegionCode] = true
		}
	}
	for _, a := range b.areas {
		if !a.IsCountry() || a.SDGRegionCode != "" {
			continue
		}
		for _, g := range []string{a.IntermediateRegionCode, a.SubRegionCode} {
			if len(seen[g]) != 1 {
				continue
			}
			for code := range seen[g] {
				sdg := b.byCode[code]
				a.SDGRegion, a.SDGRegionCode = sdg.Name, sdg.Code
			}
			break
		}
	}
}

// kindRank orders kinds from the most specific (a country) to the broadest
// groupings; the Matcher uses the same order to settle a name shared by
// two areas of one source.
func kindRank(k Kind) int {
	switch k {
	case KindCountry:
		return 0
	case KindWorld:
		return 1
	case KindRegion:
		return 2
	case KindSubRegion:
		return 3
	case KindIntermediateRegion:
		return 4
	case KindSDGRegion:
		return 5
	case KindAggregate:
		return 6
	case KindDevelopmentGroup:
		return 7
	case KindIncomeGroup:
		return 8
	}
	return 9
}

// --- small parsers shared by the loaders ---

// canonNum strips leading zeros from a numeric code ("004" → "4"), the key
// under which M49 and UN location codes are compared.
func canonNum(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" && s != "" {
		return "0"
	}
	return t
}

// padM49 writes a numeric code with at least three digits, as M49 does.
func padM49(n int) string { return fmt.Sprintf("%03d", n) }

// parseUNCode reads a UN numeric code (M49 or UN DESA location code) and
// returns it zero-padded to three digits ("4" → "004", "1503" stays).
// Spreadsheets sometimes store the code as a float ("947.0"), which is
// accepted; ok is false for anything that is not a positive whole number.
func parseUNCode(s string) (code string, ok bool) {
	t := strings.TrimSuffix(strings.TrimSpace(s), ".0")
	if t == "" || len(t) > 5 || strings.Trim(t, "0123456789") != "" {
		return "", false
	}
	n, err := strconv.Atoi(t)
	if err != nil || n == 0 {
		return "", false
	}
	return padM49(n), true
}

func isAlnumUpper(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func isUpperAlpha(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// stripNote removes UN DESA's footnote mark and indentation:
// "   Mauritius*" → "Mauritius".
func stripNote(s string) string {
	return strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), "*"))
}
