-- Counter-trafficking and return case management (internal/cases, issue 5).
--
-- A case refers to a person of the shared registry (people). The coded
-- fields that listings, scopes and dashboards filter on are columns in
-- clear (kind, status, stage, nationality copied from the person, the
-- CTDC age band at opening, the exploitation types); everything personal
-- or free text is an AES-256-GCM envelope (_enc, see internal/crypt)
-- bound to its table, column and row id: the HTCDS sections of a case
-- (victim context, perpetrators, trafficking events, support plans, or the
-- return details) in cases.details_enc, the reason for closure, comments,
-- task titles, notes and referral details.
--
-- Listings are keyset-paginated newest first: every index ends with the
-- id, after the equality columns a listing binds (scope column, draft,
-- status), so that one page is an index range read.

-- +goose Up
CREATE TABLE cases (
    id           $ID,
    kind         TEXT NOT NULL,
    person_id    BIGINT NOT NULL REFERENCES people (id),
    org_id       BIGINT NOT NULL REFERENCES orgs (id),
    team_id      BIGINT REFERENCES teams (id) ON DELETE SET NULL,
    owner_id     BIGINT NOT NULL REFERENCES users (id),
    status       TEXT NOT NULL,
    stage        TEXT NOT NULL,
    draft        BOOLEAN NOT NULL,
    version      BIGINT NOT NULL,
    opened_on    TEXT NOT NULL,
    closed_on    TEXT NOT NULL,
    nationality  TEXT NOT NULL,
    age_band     TEXT NOT NULL,
    -- HTCDS vic_TypeOfExploitation as ";A;B;" ('' when none or a return case)
    exploitation TEXT NOT NULL,
    reason_enc   TEXT NOT NULL,
    details_enc  TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    created_at   $TIME NOT NULL,
    updated_at   $TIME NOT NULL,
    CHECK (kind IN ('trafficking', 'return')),
    CHECK (status IN ('Active', 'FollowUp', 'Closed', 'ClosedReferred'))
);
CREATE INDEX cases_org ON cases (org_id, draft, status, id);
CREATE INDEX cases_org_nationality ON cases (org_id, nationality, draft, status, id);
CREATE INDEX cases_team ON cases (team_id, draft, status, id);
CREATE INDEX cases_owner ON cases (owner_id, draft, status, id);
CREATE INDEX cases_owner_nationality ON cases (owner_id, nationality, draft, status, id);
CREATE INDEX cases_team_nationality ON cases (team_id, nationality, draft, status, id);
CREATE INDEX cases_nationality ON cases (nationality, draft, status, id);
CREATE INDEX cases_status ON cases (draft, status, id);
CREATE INDEX cases_person ON cases (person_id);
CREATE INDEX cases_key ON cases (key_id);

CREATE TABLE case_comments (
    id         $ID,
    case_id    BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    author_id  BIGINT NOT NULL REFERENCES users (id),
    body_enc   TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    created_at $TIME NOT NULL
);
CREATE INDEX case_comments_case ON case_comments (case_id, id);

CREATE TABLE case_tasks (
    id          $ID,
    case_id     BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    title_enc   TEXT NOT NULL,
    due         TEXT NOT NULL,
    assignee_id BIGINT NOT NULL REFERENCES users (id),
    done_on     TEXT NOT NULL,
    created_by  BIGINT NOT NULL REFERENCES users (id),
    key_id      TEXT NOT NULL,
    created_at  $TIME NOT NULL
);
CREATE INDEX case_tasks_case ON case_tasks (case_id, due);
-- The overdue list: open tasks by due date.
CREATE INDEX case_tasks_open ON case_tasks (due, case_id) WHERE done_on = '';

CREATE TABLE case_services (
    id              $ID,
    case_id         BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    type            TEXT NOT NULL,
    service_date    TEXT NOT NULL,
    provider_org_id BIGINT NOT NULL REFERENCES orgs (id),
    note_enc        TEXT NOT NULL,
    recorded_by     BIGINT NOT NULL REFERENCES users (id),
    key_id          TEXT NOT NULL,
    created_at      $TIME NOT NULL
);
CREATE INDEX case_services_case ON case_services (case_id, service_date);

-- Consent records are appended, never edited (the store has no update or
-- delete of them; a withdrawal is a new record). Merging two people moves
-- the dropped person's records to the surviving one (person_id only).
CREATE TABLE case_consents (
    id           $ID,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    person_id    BIGINT NOT NULL REFERENCES people (id),
    type         TEXT NOT NULL,
    given        BOOLEAN NOT NULL,
    consent_date TEXT NOT NULL,
    recorded_by  BIGINT NOT NULL REFERENCES users (id),
    note_enc     TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    created_at   $TIME NOT NULL,
    CHECK (type IN ('assistance', 'referral', 'data-use-for-statistics'))
);
-- The consent in force: latest by date, then id, per person and type.
CREATE INDEX case_consents_person ON case_consents (person_id, type, consent_date, id);
CREATE INDEX case_consents_case ON case_consents (case_id, id);

CREATE TABLE case_referrals (
    id            $ID,
    case_id       BIGINT NOT NULL REFERENCES cases (id),
    from_org_id   BIGINT NOT NULL REFERENCES orgs (id),
    to_org_id     BIGINT NOT NULL REFERENCES orgs (id),
    reason        TEXT NOT NULL,
    referral_date TEXT NOT NULL,
    details_enc   TEXT NOT NULL,
    status        TEXT NOT NULL,
    consent_id    BIGINT NOT NULL REFERENCES case_consents (id),
    requested_by  BIGINT NOT NULL REFERENCES users (id),
    decided_by    BIGINT REFERENCES users (id),
    decided_at    $TIME,
    note_enc      TEXT NOT NULL,
    key_id        TEXT NOT NULL,
    created_at    $TIME NOT NULL,
    CHECK (status IN ('requested', 'accepted', 'declined', 'revoked'))
);
-- Access through referrals: the cases referred to an organisation.
CREATE INDEX case_referrals_to ON case_referrals (to_org_id, status, case_id);
CREATE INDEX case_referrals_case ON case_referrals (case_id, id);

-- Access through referrals, maintained by the store in the transactions
-- that change referrals, consents or the case (accept, decline, revoke,
-- consent recorded or withdrawn, people merged, case saved): one row per
-- organisation (to_org_id) and case (id) referred to it by an accepted
-- referral while the person's consent to referral is in force, with a
-- copy of the case's columns that listings filter and scope on. Listings
-- read it as an index range (to_org_id, draft, status, newest case first)
-- instead of checking the latest consent of every candidate row.
CREATE TABLE case_access (
    to_org_id   BIGINT NOT NULL REFERENCES orgs (id),
    id          BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    person_id   BIGINT NOT NULL,
    org_id      BIGINT NOT NULL,
    team_id     BIGINT,
    owner_id    BIGINT NOT NULL,
    status      TEXT NOT NULL,
    draft       BOOLEAN NOT NULL,
    nationality TEXT NOT NULL,
    PRIMARY KEY (to_org_id, id)
);
CREATE INDEX case_access_list ON case_access (to_org_id, draft, status, id);
CREATE INDEX case_access_case ON case_access (id);

CREATE TABLE case_monitoring (
    id           $ID,
    case_id      BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    visit_date   TEXT NOT NULL,
    economic     $FLOAT NOT NULL,
    social       $FLOAT NOT NULL,
    psychosocial $FLOAT NOT NULL,
    recorded_by  BIGINT NOT NULL REFERENCES users (id),
    note_enc     TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    created_at   $TIME NOT NULL
);
CREATE INDEX case_monitoring_case ON case_monitoring (case_id, visit_date, id);

-- Blocking keys for duplicate detection at intake: keyed blind indexes
-- (HMAC) of the date of birth and of a folded name prefix with the year
-- of birth, so that candidates are selected without decrypting anyone;
-- only the candidates are decrypted and scored.
CREATE TABLE case_person_keys (
    block_key TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (block_key, person_id)
);
CREATE INDEX case_person_keys_person ON case_person_keys (person_id);

-- Reviewed merges of duplicate people: who merged which record into which.
CREATE TABLE person_merges (
    id           $ID,
    kept_id      BIGINT NOT NULL,
    dropped_id   BIGINT NOT NULL,
    cases_moved  INTEGER NOT NULL,
    merged_by    BIGINT NOT NULL REFERENCES users (id),
    merged_at    $TIME NOT NULL
);
CREATE INDEX person_merges_kept ON person_merges (kept_id);

-- +goose Down
DROP TABLE person_merges;
DROP TABLE case_access;
DROP TABLE case_person_keys;
DROP TABLE case_monitoring;
DROP TABLE case_referrals;
DROP TABLE case_consents;
DROP TABLE case_services;
DROP TABLE case_tasks;
DROP TABLE case_comments;
DROP TABLE cases;
