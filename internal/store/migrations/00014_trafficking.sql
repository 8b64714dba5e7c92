-- Public counter-trafficking records (store.ReplaceTraffickingRecords):
-- the only counter-trafficking data the public pages and API read. They
-- come from published de-identified releases (source 'release:<id>') and
-- from CTDC files a user imported (source 'import:<file name>'); never
-- from the case tables.
--
-- Both CTDC layouts (the global synthetic dataset, 27 columns, and the
-- victim-perpetrator condensed file, 16 columns) map into one normalised
-- row per published record:
--   * '' is unknown (an empty cell in the source), never a value.
--   * year_label is the year or year range as published ('2019',
--     '2014-2018'); year_from and year_to are its bounds (NULL unknown),
--     used to order the years.
--   * gender is 'female', 'male' or 'trans'; age a CTDC ageBroad band
--     ('0-8', '9-17', … '48+') or a majority status ('adult', 'minor').
--   * citizenship and exploitation (the country of exploitation) are an
--     ISO 3166-1 alpha-3 code or a UN region as published ('Asia',
--     'Americas/Oceania').
--   * Each flag group (means of control, exploitation types, labour types,
--     sex-exploitation types, recruiter relations) is one integer bitmask
--     of the flags set (bit i = the group's i-th flag in
--     store.TraffickingGroups); NULL when no flag of the group is set,
--     which CTDC reads as unknown and leaves out of the group's
--     denominator. One column per group keeps a row narrow (~60 bytes)
--     and every group's counts one scan.
--
-- Identical records of a source are stored once, with their number in
-- records: CTDC's synthetic files repeat records heavily (the VP file's
-- 21,195 records are 3,108 distinct ones), so every aggregate is a
-- SUM(records) over several times fewer rows. The table is clustered by
-- source (WITHOUT ROWID on SQLite), so that a source's rows are one range
-- read in order; every index leads with source, then the GROUP BY
-- columns, then records, so that the unfiltered aggregates read the index
-- alone.

-- +goose Up
CREATE TABLE trafficking_sources (
    source      TEXT PRIMARY KEY,
    layout      TEXT NOT NULL,
    records     BIGINT NOT NULL,
    loaded_at   $TIME NOT NULL
);

CREATE TABLE trafficking_records (
    source       TEXT NOT NULL REFERENCES trafficking_sources (source) ON DELETE CASCADE,
    id           INTEGER NOT NULL,    -- 1, 2, … within the source
    records      INTEGER NOT NULL,    -- how many identical records this row stands for
    year_label   TEXT NOT NULL,
    year_from    INTEGER,
    year_to      INTEGER,
    gender       TEXT NOT NULL,
    age          TEXT NOT NULL,
    citizenship  TEXT NOT NULL,
    exploitation TEXT NOT NULL,
    means        INTEGER,
    exploit      INTEGER,
    labour       INTEGER,
    sex          INTEGER,
    recruiter    INTEGER,
    PRIMARY KEY (source, id)
) $WITHOUT_ROWID;
CREATE INDEX trafficking_records_year ON trafficking_records (source, year_label, records);
CREATE INDEX trafficking_records_gender ON trafficking_records (source, gender, records);
CREATE INDEX trafficking_records_age ON trafficking_records (source, age, records);
CREATE INDEX trafficking_records_corridor ON trafficking_records (source, citizenship, exploitation, records);
CREATE INDEX trafficking_records_exploitation ON trafficking_records (source, exploitation, records);

-- The public answers' validator (store.DB.TraffickingVersion).
INSERT INTO cache_versions (name, version) VALUES ('trafficking', 1);

-- +goose Down
DELETE FROM cache_versions WHERE name = 'trafficking';
DROP TABLE trafficking_records;
DROP TABLE trafficking_sources;
