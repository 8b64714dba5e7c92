-- Published aggregate-only releases on the public dashboard
-- (store.ReplaceTraffickingAggregates): a k-anonymous or differentially
-- private aggregates release holds counts of attribute combinations, not
-- records, so its source keeps the released counts themselves, and the
-- dashboard reads each view from the combinations that answer it (by
-- gender within a year: the combinations of exactly year and gender).
--   * dims names the dashboard attributes of the combination, in the
--     fixed order year,gender,age,citizenship,exploitation,flag, comma
--     separated; '' is the released total.
--   * An attribute not in the combination is ''; values as in
--     trafficking_records (flag is 'group.flag', a CTDC flag set to 1).
--   * Combinations with an attribute the dashboard does not show
--     (traffickMonths) or with two flags are not stored; missing values
--     are never counted (as SDS: an empty cell forms no item), so there is
--     no "unknown" bucket.
--   * trafficking_sources.combination_length is the release's reporting
--     length: a view needing a longer combination is not available (it is
--     NULL for record sources).

-- +goose Up
ALTER TABLE trafficking_sources ADD COLUMN combination_length INTEGER;

CREATE TABLE trafficking_aggregates (
    source       TEXT NOT NULL REFERENCES trafficking_sources (source) ON DELETE CASCADE,
    id           INTEGER NOT NULL,
    dims         TEXT NOT NULL,
    year_label   TEXT NOT NULL,
    gender       TEXT NOT NULL,
    age          TEXT NOT NULL,
    citizenship  TEXT NOT NULL,
    exploitation TEXT NOT NULL,
    flag         TEXT NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (source, id)
) $WITHOUT_ROWID;
CREATE INDEX trafficking_aggregates_dims ON trafficking_aggregates (source, dims);

-- +goose Down
DROP TABLE trafficking_aggregates;
ALTER TABLE trafficking_sources DROP COLUMN combination_length;
