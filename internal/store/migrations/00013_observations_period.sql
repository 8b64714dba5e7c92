-- Observations by period: the world map and the region tables read one
-- period of a series across every area (e.g. refugees by country of
-- asylum in 2024: some 5,000 of the series' 110,000 rows). The primary key
-- (series, area, counterpart, period, …) would have SQLite walk every row
-- of every area to find them; this index is that period's range, with the
-- counterpart next so that a fixed origin narrows it further.

-- +goose Up
CREATE INDEX observations_period ON observations (series, period, sex, age, counterpart, area);

-- +goose Down
DROP INDEX observations_period;
