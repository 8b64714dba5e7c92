-- Indicator definitions (internal/stats.Indicator), stored as data.

-- +goose Up
CREATE TABLE indicators (
    code        TEXT PRIMARY KEY,
    definition  TEXT NOT NULL,
    builtin     BOOLEAN NOT NULL,
    created_by  BIGINT NOT NULL,
    created_at  $TIME NOT NULL
);

-- +goose Down
DROP TABLE indicators;
