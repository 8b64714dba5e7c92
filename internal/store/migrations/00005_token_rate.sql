-- Per-token request counts in one-minute windows, for API token rate
-- limiting shared by every server process.

-- +goose Up
CREATE TABLE token_usage (
    token_id BIGINT NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    window_start BIGINT NOT NULL,
    requests BIGINT NOT NULL,
    PRIMARY KEY (token_id, window_start)
);

-- +goose Down
DROP TABLE token_usage;
