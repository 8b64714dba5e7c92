package ui

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// testCountrySections checks the remittance, refugee and deaths charts of
// Kenya's page: each column of each table equals the data API's rows for
// the same indicator and area (the numbers the downloads return), and
// the corridor page's refugee table equals the API's corridor rows.
func testCountrySections(t *testing.T, h *statsHarness) {
	body := h.get(t, "/countries/KEN").Body.String()
	doc := parseHTML(t, strings.NewReader(body))
	// Each column downloads its own indicator.
	for _, code := range []string{"remittances_received_usd", "remittances_paid_usd", "refugees_by_origin", "refugees_by_asylum", "sdg_10_7_3"} {
		if !strings.Contains(body, "format=csv&amp;indicator="+code+`"`) {
			t.Errorf("Kenya's page has no CSV download of %s", code)
		}
	}
	for _, tc := range []struct {
		caption string
		columns []string // data API queries, one per table column
		decimal int
	}{
		{"Personal remittances of Kenya", []string{"indicator=remittances_received_usd&area=KEN", "indicator=remittances_paid_usd&area=KEN"}, 0},
		{"Refugees from and in Kenya", []string{"indicator=refugees_by_origin&area=KEN", "indicator=refugees_by_asylum&area=KEN"}, 0},
		{"People recorded dead or missing during migration, Kenya", []string{
			"indicator=sdg_10_7_3&area=" + url.QueryEscape("Eastern Africa"), "indicator=sdg_10_7_3&area=KEN"}, 0},
	} {
		table := tableByCaption(doc, tc.caption)
		if len(table) == 0 {
			t.Errorf("Kenya's page has no table %q", tc.caption)
			continue
		}
		for col, q := range tc.columns {
			compareColumn(t, h, tc.caption, table, col+1, "/api/v1/data?format=csv&"+q, tc.decimal)
		}
	}

	doc = parseHTML(t, strings.NewReader(h.get(t, "/corridors/SYR-DEU").Body.String()))
	table := tableByCaption(doc, "Refugees from Syrian Arab Republic in Germany")
	if len(table) == 0 {
		t.Fatal("the SYR-DEU corridor has no refugee table")
	}
	compareColumn(t, h, "SYR-DEU refugees", table, 1, "/api/v1/data?format=csv&indicator=refugees_corridor&area=DEU&counterpart=SYR", 0)
}

// compareColumn checks one table column against the API's values, period
// by period: every period of the API is in the table with the same
// number, and every other row of the table says "No data".
func compareColumn(t *testing.T, h *statsHarness, name string, table [][]string, col int, apiURL string, decimals int) {
	t.Helper()
	api := map[string]string{}
	for _, rec := range apiCSV(t, h, apiURL) {
		cell := "No data"
		if rec[6] != "" {
			v, err := strconv.ParseFloat(rec[6], 64)
			if err != nil {
				t.Fatal(err)
			}
			cell = formatNumber("en", v, decimals)
		}
		api[rec[4]] = cell
	}
	if len(api) == 0 {
		t.Errorf("%s: the API has no rows for %s", name, apiURL)
	}
	for _, row := range table {
		want, ok := api[row[0]]
		if !ok {
			want = "No data"
		}
		if len(row) <= col || row[col] != want {
			t.Errorf("%s, %s, column %d: table %q, API %q (%s)", name, row[0], col, row, want, apiURL)
		}
		delete(api, row[0])
	}
	for p, v := range api {
		if v != "No data" {
			t.Errorf("%s: the API's %s = %s is not in the table", name, p, v)
		}
	}
}
