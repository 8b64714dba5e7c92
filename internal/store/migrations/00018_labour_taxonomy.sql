-- Labour taxonomy (internal/labour/esco, store/labour_taxonomy.go): the
-- ISCO-08 groups and the ESCO classification (occupations, skills, skill
-- groups, occupation skill profiles), written by `corridor import isco`
-- and `corridor import esco`, read back into an esco.Taxonomy cached per
-- data version.
--
--   * isco_groups: the 619 ISCO-08 groups by code (1 to 4 digits; level =
--     number of digits; parent = the code less its last digit, NULL for a
--     major group). Label lists (alt_labels here and below) are the labels
--     separated by a new line ('' when none).
--   * esco_occupations: ESCO occupations keyed by their URI (the stable
--     key other tables use, e.g. labour vacancies); code is the ESCO code
--     (7212.1), isco_group the 4-digit ISCO unit group (text, not a
--     foreign key: the isco and esco datasets load independently);
--     broader_uri the broader ESCO occupation, NULL under an ISCO group.
--   * esco_skills: skills, knowledge and competences with a DENSE integer
--     id (1…N by folded label, esco.SkillID: stable for the same files);
--     uri when a source gives it (NULL otherwise); skill_type is
--     skill/competence, knowledge, language, transversal or '' unknown;
--     collections the ESCO collections (digital, green, language,
--     transversal) and group_uris the skill-group URIs above the skill, both
--     new-line separated.
--   * esco_occupation_skills: an occupation's essential (essential = TRUE)
--     and optional skills, ordinal = order in the source list (from 1).
--     The source lists 17 skills as both essential and optional for one
--     occupation: both links are kept, hence essential in the key.
--   * esco_skill_groups: the skills hierarchy (level 0 to 3, parent_uri).
--
-- An import replaces a dataset's rows in one transaction: occupations and
-- skills are upserted by key and rows no longer in the files deleted, so
-- keys that did not change keep their rows. The cache version
-- 'labour_taxonomy' is bumped by every import of either dataset.

-- +goose Up
CREATE TABLE isco_groups (
    code        TEXT PRIMARY KEY,
    uri         TEXT NOT NULL,
    label       TEXT NOT NULL,
    alt_labels  TEXT NOT NULL,
    description TEXT NOT NULL,
    level       INTEGER NOT NULL,
    parent      TEXT
);

CREATE TABLE esco_occupations (
    uri           TEXT PRIMARY KEY,
    code          TEXT NOT NULL,
    label         TEXT NOT NULL,
    alt_labels    TEXT NOT NULL,
    hidden_labels TEXT NOT NULL,
    isco_group    TEXT NOT NULL,
    broader_uri   TEXT,
    description   TEXT NOT NULL
);

CREATE INDEX esco_occupations_isco ON esco_occupations (isco_group);

CREATE TABLE esco_skills (
    id          INTEGER PRIMARY KEY,
    uri         TEXT UNIQUE,
    label       TEXT NOT NULL,
    alt_labels  TEXT NOT NULL,
    skill_type  TEXT NOT NULL,
    collections TEXT NOT NULL,
    group_uris  TEXT NOT NULL
);

CREATE TABLE esco_occupation_skills (
    occupation_uri TEXT NOT NULL REFERENCES esco_occupations (uri),
    skill_id       INTEGER NOT NULL REFERENCES esco_skills (id),
    essential      BOOLEAN NOT NULL,
    ordinal        INTEGER NOT NULL,
    PRIMARY KEY (occupation_uri, skill_id, essential)
);

CREATE INDEX esco_occupation_skills_skill ON esco_occupation_skills (skill_id);

CREATE TABLE esco_skill_groups (
    uri        TEXT PRIMARY KEY,
    code       TEXT NOT NULL,
    label      TEXT NOT NULL,
    alt_labels TEXT NOT NULL,
    parent_uri TEXT,
    level      INTEGER NOT NULL
);

INSERT INTO cache_versions (name, version) VALUES ('labour_taxonomy', 1);

-- +goose Down
DELETE FROM cache_versions WHERE name = 'labour_taxonomy';
DROP TABLE esco_skill_groups;
DROP TABLE esco_occupation_skills;
DROP TABLE esco_skills;
DROP TABLE esco_occupations;
DROP TABLE isco_groups;
