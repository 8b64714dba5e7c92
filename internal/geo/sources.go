package geo

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/corridor-platform/corridor/internal/tabular"
)

// ---------------------------------------------------------------------------
// ISO 3166-1 with UN M49 regions (lukes/ISO-3166-Countries-with-Regional-Codes)

func (b *builder) loadISO(path string) error {
	r, err := b.open(path, tabular.Options{Required: []string{
		"name", "alpha-2", "alpha-3", "country-code", "region", "sub-region", "intermediate-region",
		"region-code", "sub-region-code", "intermediate-region-code",
	}})
	if err != nil {
		return err
	}
	n := 0
	err = b.each(r, func(row tabular.Row) error {
		n++
		name := row.Get("name")
		if name == "" {
			return row.Errorf("name", "is empty")
		}
		iso2, iso3 := row.Get("alpha-2"), row.Get("alpha-3")
		if !isUpperAlpha(iso2, 2) {
			return row.Errorf("alpha-2", "%q is not a two-letter ISO 3166-1 code", iso2)
		}
		if !isUpperAlpha(iso3, 3) {
			return row.Errorf("alpha-3", "%q is not a three-letter ISO 3166-1 code", iso3)
		}
		m49, ok := parseUNCode(row.Get("country-code"))
		if !ok || len(m49) != 3 {
			return row.Errorf("country-code", "%q is not a numeric M49 country code", row.Get("country-code"))
		}
		switch {
		case b.byISO3[iso3] != nil:
			return row.Errorf("alpha-3", "%s appears twice", iso3)
		case b.byISO2[iso2] != nil:
			return row.Errorf("alpha-2", "%s appears twice", iso2)
		case b.byNum[canonNum(m49)] != nil:
			return row.Errorf("country-code", "%s appears twice", m49)
		}
		region, err := b.m49Group(row, KindRegion, "region", "region-code", nil)
		if err != nil {
			return err
		}
		sub, err := b.m49Group(row, KindSubRegion, "sub-region", "sub-region-code", region)
		if err != nil {
			return err
		}
		inter, err := b.m49Group(row, KindIntermediateRegion, "intermediate-region", "intermediate-region-code", sub)
		if err != nil {
			return err
		}
		a := &Area{Code: iso3, Kind: KindCountry, Name: name, ISO2: iso2, ISO3: iso3, M49: m49}
		for _, g := range []*Area{region, sub, inter} {
			if g != nil {
				placeUnder(a, g)
			}
		}
		b.add(a)
		b.byISO3[iso3], b.byISO2[iso2] = a, a
		b.alias(a, SourceISO, name, iso2, iso3, row.Get("country-code"))
		return nil
	})
	if err == nil && n == 0 {
		err = &tabular.CellError{File: filepath.Base(path), Reason: "has no data rows"}
	}
	return err
}

// m49Group finds or creates the M49 region, sub-region or intermediate
// region a row of the ISO file names in a name column and a code column.
// Both empty means the row has none at that level (most countries have no
// intermediate region); one without the other is a broken row, and so is a
// code that names two different groupings on two rows.
func (b *builder) m49Group(row tabular.Row, kind Kind, nameCol, codeCol string, parent *Area) (*Area, error) {
	name, raw := row.Get(nameCol), row.Get(codeCol)
	if name == "" && raw == "" {
		return nil, nil
	}
	if raw == "" {
		return nil, row.Errorf(codeCol, "is empty but %s is %q", nameCol, name)
	}
	code, ok := parseUNCode(raw)
	if !ok {
		return nil, row.Errorf(codeCol, "%q is not a numeric M49 code", raw)
	}
	if name == "" {
		return nil, row.Errorf(nameCol, "is empty but %s is %q", codeCol, raw)
	}
	if a := b.byCode[code]; a != nil {
		if a.Kind != kind || a.Name != name {
			return nil, row.Errorf(codeCol, "M49 code %s names %q (%s) on an earlier row but %q (%s) here", code, a.Name, a.Kind, name, kind)
		}
		if parent != nil && !isUnder(a, parent) {
			return nil, row.Errorf(codeCol, "%s %q is under %s on an earlier row but under %s here", kind, name, parentCode(a), parent.Code)
		}
		return a, nil
	}
	a := &Area{Code: code, Kind: kind, Name: name, M49: code}
	if parent != nil {
		placeUnder(a, parent)
	}
	b.add(a)
	b.alias(a, SourceISO, name, raw)
	return a, nil
}

// placeUnder copies the M49 hierarchy of grouping p into a's fields, p
// itself included at its level.
func placeUnder(a, p *Area) {
	a.Region, a.RegionCode = p.Region, p.RegionCode
	a.SubRegion, a.SubRegionCode = p.SubRegion, p.SubRegionCode
	a.IntermediateRegion, a.IntermediateRegionCode = p.IntermediateRegion, p.IntermediateRegionCode
	switch p.Kind {
	case KindRegion:
		a.Region, a.RegionCode = p.Name, p.Code
	case KindSubRegion:
		a.SubRegion, a.SubRegionCode = p.Name, p.Code
	case KindIntermediateRegion:
		a.IntermediateRegion, a.IntermediateRegionCode = p.Name, p.Code
	}
}

func isUnder(a, p *Area) bool {
	switch p.Kind {
	case KindRegion:
		return a.RegionCode == p.Code
	case KindSubRegion:
		return a.SubRegionCode == p.Code
	}
	return true
}

func parentCode(a *Area) string {
	if a.SubRegionCode != "" && a.Kind == KindIntermediateRegion {
		return a.SubRegionCode
	}
	return a.RegionCode
}

// ---------------------------------------------------------------------------
// UN DESA International Migrant Stock 2020, Annex: classification of
// countries and areas by development group, region and subregion.
//
// The header row (row 11) repeats "Code" and "Name" under merged group
// labels that sit in row 10, so the columns after "ISO3 Alpha-code" are
// addressed by position, and the positions are checked against the
// expected labels before any row is trusted. The columns after those hold
// one UN grouping each, headed "<name>\n<code>", with the code in the cell
// of every member.

const annexNameCol = "Region, subregion, country or area*"

// annexLayout is what row 11 holds right after "ISO3 Alpha-code", and what
// each position means (from the merged labels of row 10).
var annexLayout = []struct{ header, meaning string }{
	{"Code", "Location Type code"},
	{"Name", "Location Type name"},
	{"", "Parent Location code"},
	{"Code", "WORLD code"},
	{"Code", "Subregion code"},
	{"Name", "Subregion name"},
	{"Code", "SDG subregion code"},
	{"Name", "SDG subregion name"},
	{"Code", "SDG region code"},
	{"Name", "SDG region name"},
	{"Code", "Geographic region code"},
	{"Name", "Geographic region name"},
}

// Positions in annexLayout.
const (
	annexType = iota
	annexTypeName
	annexParent
	annexWorld
	annexSub
	annexSubName
	annexSDGSub
	annexSDGSubName
	annexSDG
	annexSDGName
	annexGeo
	annexGeoName
)

// The location types the annex uses (code and name in the Location Type
// columns) and the kind of area each becomes.
var annexTypes = map[string]struct {
	name string
	kind Kind
}{
	"2":  {"Geographic region", KindRegion},
	"3":  {"Subregion", KindSubRegion},
	"4":  {"Country/Area", KindCountry},
	"5":  {"Development group", KindDevelopmentGroup},
	"12": {"SDG region", KindSDGRegion},
	"13": {"Income group", KindIncomeGroup},
}

type annexCols struct {
	name, code, iso3 int
	base             int // index of "ISO3 Alpha-code"; layout positions follow it
	groups           []annexGroup
}

type annexGroup struct {
	col   int
	label string // e.g. "More developed regions"
	code  string // e.g. "901"
}

func (c *annexCols) at(pos int) int { return c.base + 1 + pos }

func parseAnnexHeader(file string, header []string) (*annexCols, error) {
	c := &annexCols{name: -1, code: -1, iso3: -1}
	for i, h := range header {
		switch strings.TrimSpace(h) {
		case annexNameCol:
			c.name = i
		case "Location code":
			c.code = i
		case "ISO3 Alpha-code":
			c.iso3 = i
		}
	}
	c.base = c.iso3
	for pos, want := range annexLayout {
		i := c.at(pos)
		got := ""
		if i < len(header) {
			got = strings.TrimSpace(header[i])
		}
		if got != want.header {
			return nil, &tabular.CellError{File: file, Column: fmt.Sprintf("#%d", i+1),
				Reason: fmt.Sprintf("the annex layout changed: expected the %s column headed %q, found %q", want.meaning, want.header, got)}
		}
	}
	for i := c.at(len(annexLayout)); i < len(header); i++ {
		h := strings.TrimSpace(header[i])
		if h == "" {
			continue
		}
		label, rawCode, ok := strings.Cut(h, "\n")
		code, isNum := parseUNCode(rawCode)
		if !ok || !isNum {
			return nil, &tabular.CellError{File: file, Column: h,
				Reason: "a grouping column must be headed by its name, a line break and its UN code (\"Least developed countries\\n941\")"}
		}
		c.groups = append(c.groups, annexGroup{col: i, label: strings.TrimSpace(label), code: code})
	}
	if len(c.groups) == 0 {
		return nil, &tabular.CellError{File: file, Reason: "the annex has no grouping columns after \"Geographic region\""}
	}
	return c, nil
}

// annexRow is one row of the annex, parsed.
type annexRow struct {
	row        tabular.Row
	name, code string // code zero-padded
	iso3       string
	typ        string // location type code, "" for WORLD
}

func (b *builder) loadAnnex(path string) error {
	r, err := b.open(path, tabular.Options{
		Sheet:          "Annex",
		HeaderContains: []string{"Location code", "ISO3 Alpha-code"},
		Required:       []string{annexNameCol, "Location code", "ISO3 Alpha-code"},
	})
	if err != nil {
		return err
	}
	var cols *annexCols
	var rows []annexRow // about 290 rows: held to link them in dependency order
	err = b.each(r, func(row tabular.Row) error {
		if cols == nil {
			var err error
			if cols, err = parseAnnexHeader(row.File(), r.Header()); err != nil {
				return err
			}
		}
		name := stripNote(row.At(cols.name))
		raw := row.At(cols.code)
		if name == "" && raw == "" {
			return nil // a note or spacer row below the table
		}
		if name == "" {
			return row.Errorf(annexNameCol, "is empty but the location code is %q", raw)
		}
		code, ok := parseUNCode(raw)
		if !ok {
			return row.Errorf("Location code", "%q is not a numeric UN location code", raw)
		}
		ar := annexRow{row: row, name: name, code: code, iso3: strings.TrimSpace(row.At(cols.iso3))}
		if t := row.At(cols.at(annexType)); t != "" {
			typ, ok := annexTypes[t]
			if !ok || typ.name != row.At(cols.at(annexTypeName)) {
				return row.Errorf("Location Type", "unknown location type %q %q", t, row.At(cols.at(annexTypeName)))
			}
			ar.typ = t
		} else if NormalizeName(name) != "world" {
			return row.Errorf("Location Type", "is empty (only the WORLD row has no type)")
		}
		if ar.typ == "4" && !isAlnumUpper(ar.iso3, 3) {
			return row.Errorf("ISO3 Alpha-code", "%q is not a three-letter code", ar.iso3)
		}
		rows = append(rows, ar)
		return nil
	})
	if err != nil {
		return err
	}
	if cols == nil {
		return &tabular.CellError{File: filepath.Base(path), Reason: "the annex has no rows below its header"}
	}
	// 1. WORLD (UN DESA 900) is M49's 001.
	// 2. Geographic regions and subregions are M49 groupings under UN DESA's
	//    own location codes (Africa 903 = M49 002): link them by name, so a
	//    UN DESA table row coded 903 lands on area 002.
	// 3. SDG regions, development groups and income groups become areas
	//    under their UN codes.
	// 4. Countries: enrich the ISO areas (SDG region, group membership).
	for _, pass := range [][]string{{""}, {"2", "3"}, {"12", "5", "13"}, {"4"}} {
		for _, ar := range rows {
			if !slicesContains(pass, ar.typ) {
				continue
			}
			var err error
			switch ar.typ {
			case "":
				err = b.annexWorld(ar)
			case "2", "3":
				err = b.annexRegion(ar)
			case "12", "5", "13":
				err = b.annexGroup(ar)
			case "4":
				err = b.annexCountry(ar, cols)
			}
			if err != nil {
				return err
			}
		}
	}
	return b.annexGroupColumns(rows, cols)
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (b *builder) annexWorld(ar annexRow) error {
	w := b.byCode["001"]
	if prev := b.byNum[canonNum(ar.code)]; prev != nil && prev != w {
		return ar.row.Errorf("Location code", "%s is WORLD here but %s (%s) elsewhere", ar.code, prev.Name, prev.Code)
	}
	b.byNum[canonNum(ar.code)] = w
	b.alias(w, SourceUNDESA, ar.name, strings.TrimLeft(ar.code, "0"))
	return nil
}

// m49ByName finds the M49 grouping (region, sub-region or intermediate
// region) with the name, ignoring case and punctuation ("SOUTH-EASTERN
// ASIA" = "South-eastern Asia"). The index is built on first use, after the
// ISO file; annexRegion adds the groupings it creates.
func (b *builder) m49ByName(name string) *Area {
	if b.groupNames == nil {
		b.groupNames = map[string]*Area{}
		for _, a := range b.areas {
			switch a.Kind {
			case KindRegion, KindSubRegion, KindIntermediateRegion:
				b.groupNames[NormalizeName(a.Name)] = a
			}
		}
	}
	return b.groupNames[NormalizeName(name)]
}

func (b *builder) annexRegion(ar annexRow) error {
	a := b.m49ByName(ar.name)
	if a == nil {
		// Not an M49 grouping in the ISO file: keep it under UN DESA's code.
		if prev := b.byCode[ar.code]; prev != nil {
			return ar.row.Errorf("Location code", "%s is %q here but %q elsewhere", ar.code, ar.name, prev.Name)
		}
		a = b.add(&Area{Code: ar.code, Kind: annexTypes[ar.typ].kind, Name: ar.name, M49: ar.code})
		b.groupNames[NormalizeName(ar.name)] = a
	}
	if prev := b.byNum[canonNum(ar.code)]; prev != nil && prev != a {
		return ar.row.Errorf("Location code", "%s is %q here but %q (%s) elsewhere", ar.code, ar.name, prev.Name, prev.Code)
	}
	b.byNum[canonNum(ar.code)] = a
	b.alias(a, SourceUNDESA, ar.name, strings.TrimLeft(ar.code, "0"))
	return nil
}

func (b *builder) annexGroup(ar annexRow) error {
	if prev := b.byNum[canonNum(ar.code)]; prev != nil {
		if prev.Name == ar.name && prev.Kind == annexTypes[ar.typ].kind {
			// The annex repeats a row where it serves twice: Australia
			// and New Zealand (927) is an SDG region and, under OCEANIA,
			// stands in for the subregion of the same countries.
			return nil
		}
		return ar.row.Errorf("Location code", "%s is %q here but %q (%s) elsewhere", ar.code, ar.name, prev.Name, prev.Code)
	}
	a := b.add(&Area{Code: ar.code, Kind: annexTypes[ar.typ].kind, Name: ar.name, M49: ar.code})
	b.alias(a, SourceUNDESA, ar.name, strings.TrimLeft(ar.code, "0"))
	return nil
}

func (b *builder) annexCountry(ar annexRow, cols *annexCols) error {
	row := ar.row
	a := b.byISO3[ar.iso3]
	switch {
	case a != nil && canonNum(a.M49) != canonNum(ar.code):
		b.reject(row.Errorf("Location code", "%s is %s in the ISO file but %s here; row skipped", ar.iso3, a.M49, ar.code))
		return nil
	case a == nil && b.byNum[canonNum(ar.code)] != nil:
		prev := b.byNum[canonNum(ar.code)]
		b.reject(row.Errorf("ISO3 Alpha-code", "location %s is %s (%s) in the ISO file but %s here; row skipped", ar.code, prev.Name, prev.Code, ar.iso3))
		return nil
	case a == nil && !nonISOLocations[ar.iso3]:
		// Every other country row of the annex has its ISO code in the ISO
		// file; one missing means that file is truncated or the wrong one,
		// and loading on would silently drop countries.
		return row.Errorf("ISO3 Alpha-code", "%s (%s) is not in the ISO 3166-1 file: the ISO file looks truncated or is not the expected one", ar.iso3, ar.name)
	case a == nil:
		// A UN location without an ISO 3166-1 code: the Channel Islands
		// (830, "CHI"), which UN DESA and the World Bank report as one
		// area. It is an aggregate of ISO countries (Guernsey, Jersey), so
		// it is keyed by its UN code like the other UN aggregates.
		a = b.add(&Area{Code: ar.code, Kind: KindAggregate, Name: ar.name, M49: ar.code})
		b.byUNCode[ar.iso3] = a
	}
	// SDG region: the code must be one of the SDG region rows.
	if code, ok := parseUNCode(row.At(cols.at(annexSDG))); ok {
		sdg := b.byCode[code]
		if sdg == nil || sdg.Kind != KindSDGRegion {
			b.reject(row.Errorf("SDG region", "%s is not an SDG region row of the annex; SDG region left empty", code))
		} else {
			a.SDGRegion, a.SDGRegionCode = sdg.Name, sdg.Code
		}
	} else if s := row.At(cols.at(annexSDG)); s != "" {
		return row.Errorf("SDG region", "%q is not a numeric UN code", s)
	}
	// SDG subregions (Europe 917, Northern America 918) only appear in
	// these columns; they are the M49 groupings of the same name.
	if code, ok := parseUNCode(row.At(cols.at(annexSDGSub))); ok {
		if m := b.m49ByName(row.At(cols.at(annexSDGSubName))); m != nil {
			if prev := b.byNum[canonNum(code)]; prev == nil || prev == m {
				b.byNum[canonNum(code)] = m
				b.alias(m, SourceUNDESA, strings.TrimLeft(code, "0"))
			}
		}
	}
	// The ISO file gives no region for a few places M49 files under another
	// country (Taiwan) or does not list at all (the Channel Islands); UN
	// DESA places them, so its regions fill the gap.
	if a.RegionCode == "" {
		for _, pos := range []int{annexGeo, annexSub} {
			code, ok := parseUNCode(row.At(cols.at(pos)))
			if g := b.byNum[canonNum(code)]; ok && g != nil {
				switch g.Kind {
				case KindRegion, KindSubRegion, KindIntermediateRegion:
					placeUnder(a, g)
				}
			}
		}
	}
	for _, g := range cols.groups {
		cell := row.At(g.col)
		if cell == "" {
			continue
		}
		if code, ok := parseUNCode(cell); !ok || code != g.code {
			return row.Errorf(g.label, "%q is not this column's code %s", cell, strings.TrimLeft(g.code, "0"))
		}
		// Areas for the codes are made in annexGroupColumns, once every
		// row has been read; remember the membership by code for now.
		set := b.members[g.code]
		if set == nil {
			set = map[string]bool{}
			b.members[g.code] = set
		}
		set[a.Code] = true
	}
	b.alias(a, SourceUNDESA, ar.name, strings.TrimLeft(ar.code, "0"), ar.iso3)
	return nil
}

// annexGroupColumns checks that every grouping column names a known area,
// and adds the column heading as an alias ("More developed regions" for
// the row "Developed regions", 901). A column without a row of its own
// ("No income group available", 1518) becomes an area of the same kind as
// the column before it.
func (b *builder) annexGroupColumns(rows []annexRow, cols *annexCols) error {
	var prevKind Kind = KindDevelopmentGroup
	for _, g := range cols.groups {
		a := b.byCode[g.code]
		if a == nil {
			a = b.add(&Area{Code: g.code, Kind: prevKind, Name: g.label, M49: g.code})
		}
		switch a.Kind {
		case KindDevelopmentGroup, KindIncomeGroup:
		default:
			file := ""
			if len(rows) > 0 {
				file = rows[0].row.File()
			}
			return &tabular.CellError{File: file, Column: g.label,
				Reason: fmt.Sprintf("grouping column code %s is a %s (%s), not a development or income group", g.code, a.Kind, a.Name)}
		}
		prevKind = a.Kind
		b.alias(a, SourceUNDESA, g.label)
	}
	return nil
}

// ---------------------------------------------------------------------------
// World Bank WDI country metadata ("Metadata - Countries" sheet)

// wbIncomeGroups are the World Bank aggregates that are income groups; the
// other aggregates (regions, lending groups, demographic dividend, small
// states, …) are KindAggregate.
var wbIncomeGroups = map[string]bool{"HIC": true, "UMC": true, "LMC": true, "LIC": true, "MIC": true, "LMY": true}

type wdiRow struct {
	row                        tabular.Row
	code, name, region, income string
}

func (b *builder) loadWDI(path string) error {
	r, err := b.open(path, tabular.Options{Required: []string{"Country Code", "Region", "IncomeGroup", "TableName"}})
	if err != nil {
		return err
	}
	var rows []wdiRow
	err = b.each(r, func(row tabular.Row) error {
		wr := wdiRow{row: row, code: row.Get("Country Code"), name: row.Get("TableName"),
			region: row.Get("Region"), income: row.Get("IncomeGroup")}
		if !isAlnumUpper(wr.code, 3) {
			return row.Errorf("Country Code", "%q is not a three-character World Bank code", wr.code)
		}
		if wr.name == "" {
			return row.Errorf("TableName", "is empty")
		}
		rows = append(rows, wr)
		return nil
	})
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return &tabular.CellError{File: filepath.Base(path), Reason: "has no data rows"}
	}
	// Aggregates first (an empty Region marks them), so economies can be
	// placed in their region and income group by name.
	aggByName := map[string]*Area{}
	for _, wr := range rows {
		if wr.region != "" {
			continue
		}
		if wr.code == "WLD" {
			// The World Bank's world is the world: one area, not two.
			b.alias(b.byCode["001"], SourceWDI, wr.name, wr.code)
			continue
		}
		code := "WB-" + wr.code
		if b.byCode[code] != nil {
			return wr.row.Errorf("Country Code", "%s appears twice", wr.code)
		}
		kind := KindAggregate
		if wbIncomeGroups[wr.code] {
			kind = KindIncomeGroup
		}
		a := b.add(&Area{Code: code, Kind: kind, Name: wr.name})
		aggByName[wr.name] = a
		b.alias(a, SourceWDI, wr.name, wr.code)
	}
	for _, wr := range rows {
		if wr.region == "" {
			continue
		}
		a := b.byISO3[wr.code]
		if a == nil {
			a = b.byUNCode[wr.code] // CHI: the Channel Islands, found through UN DESA
		}
		if a == nil && !nonISOEconomies[wr.code] {
			return wr.row.Errorf("Country Code", "%s (%s) is not in the ISO 3166-1 file: the ISO file looks truncated or is not the expected one", wr.code, wr.name)
		}
		if a == nil {
			// An economy with no ISO 3166-1 code: Kosovo, for which the
			// World Bank uses the user-assigned XKX. M49 counts Kosovo
			// within Serbia, so it gets no M49 code or region.
			a = b.add(&Area{Code: wr.code, Kind: KindCountry, Name: wr.name, ISO3: wr.code})
			b.byISO3[wr.code] = a
		}
		a.WBRegion = wr.region
		if agg := aggByName[wr.region]; agg != nil {
			b.member(agg, a)
		} else {
			b.reject(wr.row.Errorf("Region", "%q is not the TableName of any aggregate row; %s is in no World Bank region's members", wr.region, wr.code))
		}
		if wr.income != "" {
			agg := aggByName[wr.income]
			if agg == nil || agg.Kind != KindIncomeGroup {
				b.reject(wr.row.Errorf("IncomeGroup", "%q is not a World Bank income group row; income group left empty for %s", wr.income, wr.code))
			} else {
				a.IncomeGroup, a.IncomeGroupCode = wr.income, agg.Code
				b.member(agg, a)
				// The World Bank defines "Middle income" as lower- plus
				// upper-middle income, and "Low & middle income" as those
				// plus low income.
				switch agg.Code {
				case "WB-LMC", "WB-UMC":
					b.memberOf("WB-MIC", a)
					b.memberOf("WB-LMY", a)
				case "WB-LIC":
					b.memberOf("WB-LMY", a)
				}
			}
		}
		b.alias(a, SourceWDI, wr.name, wr.code)
	}
	return nil
}

func (b *builder) memberOf(aggCode string, a *Area) {
	if agg := b.byCode[aggCode]; agg != nil {
		b.member(agg, a)
	}
}

// ---------------------------------------------------------------------------
// UNHCR countries.csv (refugees R package): ISO3, UNHCR's own code, region.

func (b *builder) loadUNHCR(path string) error {
	r, err := b.open(path, tabular.Options{Required: []string{"iso_code", "unhcr_code", "name", "unhcr_region"}})
	if err != nil {
		return err
	}
	byUNHCR := map[string]tabular.Row{}
	n := 0
	err = b.each(r, func(row tabular.Row) error {
		n++
		iso, code, name := row.Get("iso_code"), row.Get("unhcr_code"), row.Get("name")
		if !isAlnumUpper(code, 3) {
			return row.Errorf("unhcr_code", "%q is not a three-character UNHCR code", code)
		}
		if name == "" {
			return row.Errorf("name", "is empty")
		}
		if prev, dup := byUNHCR[code]; dup {
			return row.Errorf("unhcr_code", "%s appears twice (first on row %d)", code, prev.Number)
		}
		byUNHCR[code] = row
		a := b.byISO3[iso]
		if a == nil && isAlnumUpper(iso, 3) && !strings.HasPrefix(iso, "X") {
			return row.Errorf("iso_code", "%s (%s) is not in the ISO 3166-1 file: the ISO file looks truncated or is not the expected one", iso, name)
		}
		if a == nil {
			// Stateless (XXA), Unknown (XXX), Tibetan (no ISO code) and
			// UNHCR's placeholders are not places in the reference.
			b.reject(row.Errorf("iso_code", "%q (%s, UNHCR %s) is not an ISO 3166-1 alpha-3 code in the reference; row skipped", iso, name, code))
			return nil
		}
		a.UNHCRCode, a.UNHCRRegion = code, row.Get("unhcr_region")
		b.alias(a, SourceUNHCR, name, code)
		return nil
	})
	if err == nil && n == 0 {
		err = &tabular.CellError{File: filepath.Base(path), Reason: "has no data rows"}
	}
	return err
}

// ---------------------------------------------------------------------------
// data/corridor/area_aliases.csv: Corridor's hand-curated spellings.

func (b *builder) loadAliases(path string) error {
	r, err := b.open(path, tabular.Options{Required: []string{"alias", "code", "source", "note"}})
	if err != nil {
		return err
	}
	return b.each(r, func(row tabular.Row) error {
		text, code, source := row.Get("alias"), row.Get("code"), row.Get("source")
		switch {
		case text == "":
			return row.Errorf("alias", "is empty")
		case code == "":
			return row.Errorf("code", "is empty")
		case !isSourceTag(source):
			return row.Errorf("source", "%q is not a source tag (lower-case letters, digits and dashes)", source)
		}
		a := b.byCode[code]
		if a == nil {
			b.reject(row.Errorf("code", "%q is not the code of any area; alias %q skipped", code, text))
			return nil
		}
		b.alias(a, source, text)
		return nil
	})
}

func isSourceTag(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// The known places without an ISO 3166-1 code. Any other code a source
// gives that the ISO file lacks is a broken or truncated ISO file.
var (
	nonISOLocations = map[string]bool{"CHI": true} // UN DESA: Channel Islands (830)
	nonISOEconomies = map[string]bool{"XKX": true} // World Bank: Kosovo
)
