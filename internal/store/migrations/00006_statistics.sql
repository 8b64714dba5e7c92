-- Statistical series and observations (internal/stats).

-- +goose Up
CREATE TABLE series (
    code      TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    unit      TEXT NOT NULL,
    dataset   TEXT NOT NULL,
    source    TEXT NOT NULL,
    licence   TEXT NOT NULL,
    citation  TEXT NOT NULL,
    bilateral BOOLEAN NOT NULL
);
CREATE INDEX series_dataset ON series (dataset);

-- One value per series × area × counterpart × period × sex × age. Missing
-- values are rows with status 'missing' and a NULL value, never zero.
-- Areas are not foreign keys: a re-import of the reference geography must
-- not be blocked by statistics, and importers check every area against it.
CREATE TABLE observations (
    series      TEXT NOT NULL REFERENCES series (code) ON DELETE CASCADE,
    area        TEXT NOT NULL,
    counterpart TEXT NOT NULL,
    period      TEXT NOT NULL,
    sex         TEXT NOT NULL,
    age         TEXT NOT NULL,
    value       $FLOAT,
    status      TEXT NOT NULL,
    PRIMARY KEY (series, area, counterpart, period, sex, age)
);
CREATE INDEX observations_counterpart ON observations (series, counterpart, period);

-- +goose Down
DROP TABLE observations;
DROP TABLE series;
