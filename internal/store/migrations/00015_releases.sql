-- De-identified releases of counter-trafficking data (store.Releases):
-- what a data publisher built from the consenting cases with
-- internal/release, its reports and its files, kept in the database so
-- that a release survives restarts and every server serves the same
-- files. The rows hold no personal data: only the released (aggregate or
-- de-identified) files and their reports.
--   * status: built (verification passed; publishable), failed
--     (verification failed; kept to show why, never publishable),
--     published (served by the public pages and API; its records, if any,
--     are the trafficking source 'release:<id>'), withdrawn (no longer
--     served).
--   * manifest, report and verify_report are the JSON of release.json,
--     report.json and the verification; aggregates_csv and records_csv
--     are '' when the method releases none.

-- +goose Up
CREATE TABLE releases (
    id             $ID,
    org_id         BIGINT NOT NULL REFERENCES orgs (id),
    team_id        BIGINT REFERENCES teams (id) ON DELETE SET NULL,
    title          TEXT NOT NULL,
    method         TEXT NOT NULL,
    status         TEXT NOT NULL,
    manifest       TEXT NOT NULL,
    report         TEXT NOT NULL,
    verify_report  TEXT NOT NULL,
    aggregates_csv TEXT NOT NULL,
    records_csv    TEXT NOT NULL,
    datacard       TEXT NOT NULL,
    created_by     BIGINT NOT NULL REFERENCES users (id),
    created_at     $TIME NOT NULL,
    published_by   BIGINT REFERENCES users (id),
    published_at   $TIME,
    withdrawn_at   $TIME,
    CHECK (status IN ('built', 'failed', 'published', 'withdrawn'))
);
CREATE INDEX releases_org ON releases (org_id, id);
CREATE INDEX releases_status ON releases (status, id);

-- +goose Down
DROP TABLE releases;
