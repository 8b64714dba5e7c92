-- Foundation: reference geography and the import log.
-- Types written as $TOKENS are replaced per engine (see dialect.go).

-- +goose Up
CREATE TABLE areas (
    code                     TEXT PRIMARY KEY,
    kind                     TEXT NOT NULL,
    name                     TEXT NOT NULL,
    search_name              TEXT NOT NULL,
    iso2                     TEXT NOT NULL DEFAULT '',
    iso3                     TEXT NOT NULL DEFAULT '',
    m49                      TEXT NOT NULL DEFAULT '',
    region                   TEXT NOT NULL DEFAULT '',
    region_code              TEXT NOT NULL DEFAULT '',
    sub_region               TEXT NOT NULL DEFAULT '',
    sub_region_code          TEXT NOT NULL DEFAULT '',
    intermediate_region      TEXT NOT NULL DEFAULT '',
    intermediate_region_code TEXT NOT NULL DEFAULT '',
    sdg_region               TEXT NOT NULL DEFAULT '',
    sdg_region_code          TEXT NOT NULL DEFAULT '',
    income_group             TEXT NOT NULL DEFAULT '',
    income_group_code        TEXT NOT NULL DEFAULT '',
    wb_region                TEXT NOT NULL DEFAULT '',
    unhcr_code               TEXT NOT NULL DEFAULT '',
    unhcr_region             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX areas_kind_name ON areas (kind, search_name);
CREATE INDEX areas_iso2 ON areas (iso2);
CREATE INDEX areas_m49 ON areas (m49);
CREATE INDEX areas_region ON areas (region_code, sub_region_code);

CREATE TABLE area_members (
    aggregate_code TEXT NOT NULL REFERENCES areas (code) ON DELETE CASCADE,
    member_code    TEXT NOT NULL REFERENCES areas (code) ON DELETE CASCADE,
    PRIMARY KEY (aggregate_code, member_code)
);

CREATE TABLE area_aliases (
    id          $ID,
    area_code   TEXT NOT NULL REFERENCES areas (code) ON DELETE CASCADE,
    alias       TEXT NOT NULL,
    search_name TEXT NOT NULL,
    source      TEXT NOT NULL
);
CREATE INDEX area_aliases_search ON area_aliases (search_name);
CREATE INDEX area_aliases_area ON area_aliases (area_code);

-- One row per dataset: the version currently served and the checksum of
-- the files it came from (re-importing the same files is a no-op).
CREATE TABLE datasets (
    name       TEXT PRIMARY KEY,
    version    BIGINT NOT NULL,
    checksum   TEXT NOT NULL,
    import_id  BIGINT NOT NULL,
    loaded_at  $TIME NOT NULL
);

-- Every import that changed or confirmed a dataset, with its report.
CREATE TABLE imports (
    id            $ID,
    dataset       TEXT NOT NULL,
    status        TEXT NOT NULL,
    checksum      TEXT NOT NULL,
    files         TEXT NOT NULL,
    rows_read     BIGINT NOT NULL,
    rows_loaded   BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    rejections    TEXT NOT NULL,
    started_at    $TIME NOT NULL,
    finished_at   $TIME NOT NULL,
    host          TEXT NOT NULL
);
CREATE INDEX imports_dataset ON imports (dataset, id);

-- +goose Down
DROP TABLE imports;
DROP TABLE datasets;
DROP TABLE area_aliases;
DROP TABLE area_members;
DROP TABLE areas;
