-- Labour mobility (internal/labour, store/labour*.go): vacancies, worker
-- profiles, recruitment drives and their pipeline, the recruiter register
-- and the recruitment costs workers report (SDG 10.7.1).
--
--   * labour_recruiters: the recruiter register (certification per IOM IRIS);
--     name_key is the name folded (case, spaces, punctuation, "Ltd"…) so
--     that "Quick Jobs  Ltd." and "quick jobs" are one recruiter.
--   * labour_vacancies: a job offer (labour.Vacancy). Skills are JSON arrays
--     of ESCO skill ids (esco_skills.id, migration 00018), languages a
--     JSON array of {code, level}; occupation the ESCO occupation URI, isco
--     the ISCO-08 unit group. status: draft, published, withdrawn, filled;
--     a vacancy charging workers a fee (worker_fee > 0) is never published
--     (labour.Vacancy.Publishable).
--   * labour_workers: a worker profile registered with consent. Personal
--     fields (names, birth date, contacts, qualifications, notes) are one
--     sealed JSON document in personal_enc (AES-GCM envelope, key_id the
--     key it is under, rotated by store.RotateKeys); the matching
--     attributes (origin, occupations, skills, languages, education,
--     experience, availability, preferred destinations) are clear so that
--     matching can index them; they identify nobody without the names.
--   * labour_wages: the first monthly wage of a worker in the destination,
--     the denominator of SDG 10.7.1 (from the vacancy on arrival, or
--     reported).
--   * labour_costs: each recruitment cost a worker reports paying.
--   * labour_drives: a recruitment drive (vacancies and the origin countries
--     of the pool) with the summary of its latest optimal assignment;
--     labour_assignments the pairs of that assignment.
--   * labour_applications: one worker's way through the pipeline for one
--     vacancy of a drive (stage, orientation modules as JSON);
--     labour_stage_events every move with its date and responsible
--     organisation; its free-text note may name people, so it is sealed
--     (note_enc, key_id) like the workers' personal fields.
-- The cache version 'labour' is bumped by every change that matching or
-- the market view reads (vacancies, workers), so the in-memory matching
-- indexes are rebuilt only when needed; 'labour_costs' by every cost or
-- first wage recorded (SDG 10.7.1, part of the data API's version).

-- +goose Up
CREATE TABLE labour_recruiters (
    id              $ID,
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    country         TEXT NOT NULL,
    licence         TEXT NOT NULL DEFAULT '',
    certification   TEXT NOT NULL,
    certified_until TEXT NOT NULL DEFAULT '',
    website         TEXT NOT NULL DEFAULT '',
    created_by      BIGINT NOT NULL,
    created_at      $TIME NOT NULL
);
CREATE UNIQUE INDEX labour_recruiters_name ON labour_recruiters (country, name_key);

CREATE TABLE labour_vacancies (
    id               $ID,
    org_id           BIGINT NOT NULL REFERENCES orgs (id),
    status           TEXT NOT NULL,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL,
    destination      TEXT NOT NULL,
    place            TEXT NOT NULL,
    isco             TEXT NOT NULL,
    occupation       TEXT NOT NULL,
    sector           TEXT NOT NULL,
    positions        INTEGER NOT NULL,
    filled           INTEGER NOT NULL,
    essential_skills TEXT NOT NULL,
    optional_skills  TEXT NOT NULL,
    languages        TEXT NOT NULL,
    education        INTEGER NOT NULL,
    qualifications   TEXT NOT NULL,
    experience_years INTEGER NOT NULL,
    monthly_wage     $FLOAT NOT NULL,
    currency         TEXT NOT NULL,
    hours_per_week   INTEGER NOT NULL,
    contract_months  INTEGER NOT NULL,
    housing          TEXT NOT NULL,
    channel_kind     TEXT NOT NULL,
    channel_name     TEXT NOT NULL,
    recruiter_id     BIGINT REFERENCES labour_recruiters (id),
    employer_pays    BOOLEAN NOT NULL,
    worker_fee       $FLOAT NOT NULL,
    fee_note         TEXT NOT NULL,
    start_date       TEXT NOT NULL,
    version          BIGINT NOT NULL,
    created_by       BIGINT NOT NULL,
    created_at       $TIME NOT NULL,
    published_at     $TIME,
    closed_at        $TIME
);
CREATE INDEX labour_vacancies_status ON labour_vacancies (status, destination, isco);
CREATE INDEX labour_vacancies_org ON labour_vacancies (org_id, status);

CREATE TABLE labour_workers (
    id               $ID,
    org_id           BIGINT NOT NULL REFERENCES orgs (id),
    owner_id         BIGINT NOT NULL,
    status           TEXT NOT NULL,
    consent_matching BOOLEAN NOT NULL,
    consent_share    BOOLEAN NOT NULL,
    consent_date     TEXT NOT NULL,
    consent_by       TEXT NOT NULL,
    personal_enc     TEXT NOT NULL,
    key_id           TEXT NOT NULL,
    origin           TEXT NOT NULL,
    occupations      TEXT NOT NULL,
    skills           TEXT NOT NULL,
    languages        TEXT NOT NULL,
    education        INTEGER NOT NULL,
    experience_years INTEGER NOT NULL,
    available_from   TEXT NOT NULL,
    preferred        TEXT NOT NULL,
    version          BIGINT NOT NULL,
    created_at       $TIME NOT NULL,
    updated_at       $TIME NOT NULL
);
CREATE INDEX labour_workers_org ON labour_workers (org_id, status);
CREATE INDEX labour_workers_key ON labour_workers (key_id);

CREATE TABLE labour_wages (
    worker_id    BIGINT PRIMARY KEY REFERENCES labour_workers (id),
    destination  TEXT NOT NULL,
    isco         TEXT NOT NULL,
    monthly_wage $FLOAT NOT NULL,
    currency     TEXT NOT NULL,
    source       TEXT NOT NULL,
    recorded_at  $TIME NOT NULL
);

CREATE TABLE labour_costs (
    id           $ID,
    worker_id    BIGINT NOT NULL REFERENCES labour_workers (id),
    kind         TEXT NOT NULL,
    amount       $FLOAT NOT NULL,
    currency     TEXT NOT NULL,
    rate_to_wage $FLOAT NOT NULL,
    rate_to      TEXT NOT NULL,
    paid_to      TEXT NOT NULL,
    recruiter_id BIGINT REFERENCES labour_recruiters (id),
    cost_date    TEXT NOT NULL,
    note         TEXT NOT NULL,
    recorded_by  BIGINT NOT NULL,
    recorded_at  $TIME NOT NULL
);
CREATE INDEX labour_costs_worker ON labour_costs (worker_id);

CREATE TABLE labour_drives (
    id           $ID,
    org_id       BIGINT NOT NULL REFERENCES orgs (id),
    name         TEXT NOT NULL,
    vacancies    TEXT NOT NULL,
    origins      TEXT NOT NULL,
    plan_total   BIGINT,
    greedy_total BIGINT,
    plan_pairs   INTEGER,
    planned_at   $TIME,
    created_by   BIGINT NOT NULL,
    created_at   $TIME NOT NULL
);

CREATE TABLE labour_assignments (
    drive_id     BIGINT NOT NULL REFERENCES labour_drives (id),
    worker_id    BIGINT NOT NULL REFERENCES labour_workers (id),
    vacancy_id   BIGINT NOT NULL REFERENCES labour_vacancies (id),
    score        INTEGER NOT NULL,
    alternatives TEXT NOT NULL,
    PRIMARY KEY (drive_id, worker_id)
);

CREATE TABLE labour_applications (
    id          $ID,
    drive_id    BIGINT NOT NULL REFERENCES labour_drives (id),
    vacancy_id  BIGINT NOT NULL REFERENCES labour_vacancies (id),
    worker_id   BIGINT NOT NULL REFERENCES labour_workers (id),
    stage       TEXT NOT NULL,
    score       INTEGER NOT NULL,
    orientation TEXT NOT NULL,
    version     BIGINT NOT NULL,
    created_at  $TIME NOT NULL,
    updated_at  $TIME NOT NULL
);
CREATE UNIQUE INDEX labour_applications_pair ON labour_applications (drive_id, vacancy_id, worker_id);
CREATE INDEX labour_applications_worker ON labour_applications (worker_id);

CREATE TABLE labour_stage_events (
    id             $ID,
    application_id BIGINT NOT NULL REFERENCES labour_applications (id),
    stage          TEXT NOT NULL,
    event_date     TEXT NOT NULL,
    org_id         BIGINT NOT NULL,
    by_user        BIGINT NOT NULL,
    note_enc       TEXT NOT NULL,
    key_id         TEXT NOT NULL,
    recorded_at    $TIME NOT NULL
);
CREATE INDEX labour_stage_events_app ON labour_stage_events (application_id);

INSERT INTO cache_versions (name, version) VALUES ('labour', 1);
INSERT INTO cache_versions (name, version) VALUES ('labour_costs', 1);

-- +goose Down
DELETE FROM cache_versions WHERE name IN ('labour', 'labour_costs');
DROP TABLE labour_stage_events;
DROP TABLE labour_applications;
DROP TABLE labour_assignments;
DROP TABLE labour_drives;
DROP TABLE labour_costs;
DROP TABLE labour_wages;
DROP TABLE labour_workers;
DROP TABLE labour_vacancies;
DROP TABLE labour_recruiters;
