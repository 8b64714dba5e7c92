-- Observation sets: the periods of one series × area × counterpart × sex ×
-- age packed into one row. Long bilateral matrices (IMS 2019: some 450,000
-- observations, 7 periods each) are written as sets, seven times fewer
-- rows to insert and index than one row per period. Readers see sets and
-- observations as one relation (allObservations in stats.go).
--
-- data maps each period to its value: a JSON object {"1990": 2.5,
-- "1995": null}; null is a missing value (status 'missing'), and every
-- present value has the set's status. A period is in either a set or the
-- observations table, never both (the writer keeps them apart by series).
-- On SQLite the table is its primary key (WITHOUT ROWID): reading a
-- series' sets is one sequential pass, with no lookup of each row.

-- +goose Up
CREATE TABLE observation_sets (
    series      TEXT NOT NULL REFERENCES series (code) ON DELETE CASCADE,
    area        TEXT NOT NULL,
    counterpart TEXT NOT NULL,
    sex         TEXT NOT NULL,
    age         TEXT NOT NULL,
    status      TEXT NOT NULL,
    data        $JSON NOT NULL,
    PRIMARY KEY (series, area, counterpart, sex, age)
) $WITHOUT_ROWID;
CREATE INDEX observation_sets_counterpart ON observation_sets (series, counterpart);

-- +goose Down
DROP TABLE observation_sets;
