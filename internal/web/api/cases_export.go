package api

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/xuri/excelize/v2"
)

// exportGroups are the column groups an export may ask for beyond the
// case's coded fields (cases.Group*); the store narrows them to what the
// caller may see.
var exportGroups = []string{cases.GroupIdentity, cases.GroupProfile, cases.GroupNarrative}

// exportVisibility reads the include parameter: a comma-separated list of
// column groups, "case" for the coded fields only; every group by default.
func exportVisibility(q *query) cases.Visibility {
	s := q.str("include", 100)
	if s == "" {
		return cases.Visibility{Identity: true, Profile: true, Narrative: true}
	}
	var v cases.Visibility
	for _, g := range strings.Split(s, ",") {
		switch strings.TrimSpace(g) {
		case cases.GroupCase:
		case cases.GroupIdentity:
			v.Identity = true
		case cases.GroupProfile:
			v.Profile = true
		case cases.GroupNarrative:
			v.Narrative = true
		default:
			q.fail("include", "a comma-separated list of "+cases.GroupCase+", "+strings.Join(exportGroups, ", "))
		}
	}
	return v
}

// exportCases streams the cases in the caller's record scope as CSV, or
// builds an XLSX workbook of them, with the HTCDS field names of
// cases.Export. Cells that a spreadsheet would read as a formula are
// defused (csvSafe). The store audits the export (what was asked, then
// how many rows) and narrows the columns to what the caller may see.
func (a *API) exportCases(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	format := q.str("format", 8)
	f := caseFilter(q)
	e := cases.Export{Kind: f.Kind, Visibility: exportVisibility(q)}
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	if format == "" {
		format = formatCSV
	}
	if format != formatCSV && format != formatXLSX {
		a.problem(w, r, &web.ParamError{Param: "format", Reason: "csv or xlsx"})
		return
	}
	started := false
	safe := func(cells []string) []string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = csvSafe(c)
		}
		return out
	}
	me := web.PrincipalFrom(r.Context())
	if format == formatCSV {
		var cw *csv.Writer
		rows := 0
		header := func(h []string) error {
			started = true
			audited(r) // the store wrote the entry of the export's start
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="corridor-cases.csv"`)
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
			cw = csv.NewWriter(w)
			return cw.Write(h)
		}
		row := func(cells []string) error {
			rows++
			if rows%100 == 0 {
				cw.Flush()
			}
			return cw.Write(safe(cells))
		}
		err := a.db.Cases().Export(casesCtx(r), me, f, e, header, row)
		if cw != nil {
			cw.Flush()
		}
		if err != nil {
			if !started {
				a.caseFail(w, r, err)
				return
			}
			a.log.ErrorContext(r.Context(), "case export failed mid-way", "rows", rows, "err", err)
		}
		return
	}

	x := excelize.NewFile()
	defer x.Close()
	const sheet = "cases"
	var sw *excelize.StreamWriter
	line := 0
	put := func(cells []string) error {
		line++
		vals := make([]any, len(cells))
		for i, c := range cells {
			vals[i] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, line)
		return sw.SetRow(cell, vals)
	}
	header := func(h []string) error {
		started = true
		audited(r)
		if err := x.SetSheetName("Sheet1", sheet); err != nil {
			return err
		}
		var err error
		if sw, err = x.NewStreamWriter(sheet); err != nil {
			return err
		}
		return put(h)
	}
	row := func(cells []string) error { return put(safe(cells)) }
	if err := a.db.Cases().Export(casesCtx(r), me, f, e, header, row); err != nil {
		a.caseFail(w, r, err)
		return
	}
	var buf bytes.Buffer
	err := sw.Flush()
	if err == nil {
		err = x.Write(&buf)
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", MediaTypeXLSX)
	w.Header().Set("Content-Disposition", `attachment; filename="corridor-cases.xlsx"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	buf.WriteTo(w)
}
