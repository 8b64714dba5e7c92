-- Settings the database must remember about itself, e.g. the fingerprint
-- of the blind-index key its personal data was written with.

-- +goose Up
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
