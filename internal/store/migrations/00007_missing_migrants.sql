-- IOM Missing Migrants Project incidents (store.ReplaceIncidents), one row
-- per incident as published: the source of SDG 10.7.3 (deaths and
-- disappearances during migration).
--
-- Conventions:
--   * A NULL number is unknown (an empty cell in the source), never zero.
--   * Multi-valued text cells (incident type, region, route, cause of death,
--     region of origin, UNSD grouping, URL, source quality) are stored as
--     their values joined by '|', in source order, each value trimmed
--     ("Drowning|Mixed or unknown"). The source separates values with a
--     comma not followed by a space; values never contain '|'.
--     The region, route and cause values are also in incident_values, one
--     row each, for filtering and grouping.
--   * The countries of origin are split into incident_origins, one row per
--     listed country: area_code is the matched area ('' when the name is no
--     area, e.g. "Unknown", "Mixed"), name the text as written.
--   * country_code is the matched area of the country of incident, '' when
--     the text is empty or no area; country_text keeps the text as written.
--   * id is the incident's position in the imported file (1, 2, …): the
--     source's own ids (incident_id, main_id) are not guaranteed unique
--     across export formats.

-- +goose Up
CREATE TABLE incidents (
    id                 INTEGER PRIMARY KEY,
    source_row         BIGINT NOT NULL,
    incident_id        TEXT NOT NULL,
    main_id            TEXT NOT NULL,
    incident_type      TEXT NOT NULL,
    incident_date      TEXT,             -- YYYY-MM-DD; NULL when unknown
    year               INTEGER,          -- NULL when unknown
    month              INTEGER,          -- 1..12; NULL when unknown
    reported_date      TEXT,             -- YYYY-MM-DD; NULL when the file has none
    latitude           $FLOAT,
    longitude          $FLOAT,
    location           TEXT NOT NULL,
    region             TEXT NOT NULL,
    route              TEXT NOT NULL,
    country_code       TEXT NOT NULL,
    country_text       TEXT NOT NULL,
    dead               INTEGER,
    missing            INTEGER,
    dead_and_missing   INTEGER,
    survivors          INTEGER,
    females            INTEGER,
    males              INTEGER,
    children           INTEGER,
    cause_of_death     TEXT NOT NULL,
    origin_text        TEXT NOT NULL,
    region_of_origin   TEXT NOT NULL,
    unsd_grouping      TEXT NOT NULL,
    information_source TEXT NOT NULL,
    url                TEXT NOT NULL,
    source_quality     TEXT NOT NULL
);
CREATE INDEX incidents_year ON incidents (year);
CREATE INDEX incidents_region ON incidents (region, year);
CREATE INDEX incidents_country ON incidents (country_code, year);
CREATE INDEX incidents_incident_id ON incidents (incident_id);

CREATE TABLE incident_origins (
    incident    INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    area_code   TEXT NOT NULL,
    name        TEXT NOT NULL,
    PRIMARY KEY (incident, position)
);
CREATE INDEX incident_origins_area ON incident_origins (area_code, incident);

-- The values of the multi-valued cells that totals are filtered and grouped
-- by (field: region, route, cause), one row each. The primary key serves
-- the lookups (field, value → incidents); it is also the order the writer
-- inserts in.
CREATE TABLE incident_values (
    field       TEXT NOT NULL,
    value       TEXT NOT NULL,
    incident    INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    PRIMARY KEY (field, value, incident, position)
);

-- +goose Down
DROP TABLE incident_values;
DROP TABLE incident_origins;
DROP TABLE incidents;
