-- Remittance prices (internal/remit, store/remit*.go): the World Bank's
-- Remittance Prices Worldwide (RPW) data and the quotes providers submit.
--
--   * remit_sources: one row per imported file, under the source
--     'import:<file name>', with its kind (rpw, databank, uk-corridors,
--     uk-providers, wdi), its layout and the importer's data-quality report
--     (JSON, rpwfile.Report for RPW files). Importing a file again replaces
--     every row of its source, in one transaction.
--   * remit_providers: remittance service providers by normalised name
--     (remit.NormalizeName: "EcoBank Rapid-Transfer" and "Ecobank Rapid
--     Transfer" are one provider), with the name and firm type first seen.
--   * remit_quotes: one priced service on one day (remit.Quote). RPW gives
--     two quotes per row (cc1 = the USD 200 equivalent, cc2 = USD 500;
--     source_row and tier say which); a submitted quote has no row. Money:
--     amount and fee in send_currency; rate (applied; 0 = not disclosed) and
--     interbank_rate in receive_currency per unit of send_currency;
--     receive_currency is '' for RPW rows (the files do not name it).
--     period is remit.Period (year × 4 + quarter: 2025Q3 = 8103);
--     quote_date the day the price was collected (NULL when the source
--     gives none); quoted_at when it was submitted (for an imported quote the
--     collection date; NULL: a stale check uses quote_date). speed is remit.Speed (1 = less than
--     one hour … 6 = 6 days or more; 0 unknown), firm_type
--     the remit.FirmType code, flags the remit.Flag bits (promotional,
--     negative margin, placeholder rate 1, duplicate row, currency mismatch,
--     account required). service_key is remit.Quote.ServiceKey (firm,
--     payment instrument, access point, pick-up method). source is
--     'import:<file>' or 'submitted:<org id>'; submitted_by the user id of
--     a submission. Fee %, FX margin % and total cost % are not stored:
--     they are computed from these columns by internal/remit, exactly as
--     RPW computes them.
--   * remit_corridor_averages: published corridor averages (the World Bank
--     DataBank export, series ATCR.CORR, % of USD 200), stored as published
--     (the file's single-precision values written out in full, e.g. USA→MEX
--     2020Q3 = 4.18037033081055), never recomputed.
--   * remit_uk_corridors, remit_uk_providers: the UK corridor and provider
--     aggregates (RPW Q3 2025, computed by Finofin), as published;
--     destination codes are ISO 3166 alpha-2, as in the files.
--   * remit_wdi_costs: the WDI average-cost indicators SI.RMT.COST.OB.ZS
--     (from a country) and SI.RMT.COST.IB.ZS (to a country), per year.
--
-- Indexes: remit_quotes_sender serves the sender comparison (one corridor
-- and sending currency, the latest quote of each service at each amount,
-- ordered by service and amount); remit_quotes_period the per-quarter
-- aggregation and the corridor series; remit_quotes_source the
-- replacement of a source. The cache version 'remittances' is bumped by
-- every change to quotes or published averages (store.RemitVersion).

-- +goose Up
CREATE TABLE remit_sources (
    source    TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    layout    TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    report    $JSON,
    loaded_at $TIME NOT NULL
);

CREATE TABLE remit_providers (
    id        $ID,
    name_key  TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    firm_type TEXT NOT NULL
);

CREATE TABLE remit_quotes (
    id                 $ID,
    source             TEXT NOT NULL,
    source_row         INTEGER,
    tier               INTEGER,
    provider_id        BIGINT NOT NULL REFERENCES remit_providers (id),
    firm               TEXT NOT NULL,
    firm_type          TEXT NOT NULL,
    from_country       TEXT NOT NULL,
    to_country         TEXT NOT NULL,
    period             INTEGER NOT NULL,
    quote_date         $TIME,
    quoted_at          $TIME,
    amount             $FLOAT NOT NULL,
    send_currency      TEXT NOT NULL,
    fee                $FLOAT NOT NULL,
    rate               $FLOAT NOT NULL,
    interbank_rate     $FLOAT NOT NULL,
    receive_currency   TEXT NOT NULL,
    basket_usd         $FLOAT NOT NULL,
    speed              INTEGER NOT NULL,
    payment_instrument TEXT NOT NULL,
    access_point       TEXT NOT NULL,
    pickup_method      TEXT NOT NULL,
    network_coverage   TEXT NOT NULL,
    transparent        BOOLEAN NOT NULL,
    flags              INTEGER NOT NULL,
    note               TEXT NOT NULL,
    service_key        TEXT NOT NULL,
    submitted_by       BIGINT
);
CREATE INDEX remit_quotes_sender ON remit_quotes (from_country, to_country, send_currency, service_key, amount);
CREATE INDEX remit_quotes_period ON remit_quotes (period, from_country, to_country);
CREATE INDEX remit_quotes_source ON remit_quotes (source);

CREATE TABLE remit_corridor_averages (
    source       TEXT NOT NULL,
    series       TEXT NOT NULL,
    from_country TEXT NOT NULL,
    to_country   TEXT NOT NULL,
    period       INTEGER NOT NULL,
    value_pct    $FLOAT NOT NULL,
    PRIMARY KEY (source, series, from_country, to_country, period)
);
CREATE INDEX remit_corridor_averages_corridor ON remit_corridor_averages (from_country, to_country, period);

CREATE TABLE remit_uk_corridors (
    source                   TEXT NOT NULL,
    destination_code         TEXT NOT NULL,
    source_country           TEXT NOT NULL,
    destination_country      TEXT NOT NULL,
    destination_income_group TEXT NOT NULL,
    period                   INTEGER NOT NULL,
    source_amount_gbp        $FLOAT NOT NULL,
    normalised_cost_per_gbp_100 $FLOAT NOT NULL,
    cost_on_source_amount_gbp $FLOAT NOT NULL,
    basket_usd               $FLOAT NOT NULL,
    distinct_firms           INTEGER NOT NULL,
    service_observations     INTEGER NOT NULL,
    average_total_cost_pct   $FLOAT NOT NULL,
    source_url               TEXT NOT NULL,
    PRIMARY KEY (source, destination_code, period)
);

CREATE TABLE remit_uk_providers (
    source                TEXT NOT NULL,
    id                    INTEGER NOT NULL,
    provider              TEXT NOT NULL,
    period                INTEGER NOT NULL,
    route_position        TEXT NOT NULL,
    destination_code      TEXT NOT NULL,
    destination_country   TEXT NOT NULL,
    observed_services     INTEGER NOT NULL,
    average_total_cost_pct $FLOAT NOT NULL,
    average_fee_gbp       $FLOAT NOT NULL,
    average_fx_margin_pct $FLOAT NOT NULL,
    service_mix           TEXT NOT NULL,
    highest_to_lowest_multiple $FLOAT NOT NULL,
    source_url            TEXT NOT NULL,
    PRIMARY KEY (source, id)
);

CREATE TABLE remit_wdi_costs (
    source       TEXT NOT NULL,
    indicator    TEXT NOT NULL,
    country_code TEXT NOT NULL,
    country_name TEXT NOT NULL,
    year         INTEGER NOT NULL,
    value_pct    $FLOAT NOT NULL,
    PRIMARY KEY (source, indicator, country_code, year)
);

INSERT INTO cache_versions (name, version) VALUES ('remittances', 1);

-- +goose Down
DELETE FROM cache_versions WHERE name = 'remittances';
DROP TABLE remit_wdi_costs;
DROP TABLE remit_uk_providers;
DROP TABLE remit_uk_corridors;
DROP TABLE remit_corridor_averages;
DROP TABLE remit_quotes;
DROP TABLE remit_providers;
DROP TABLE remit_sources;
