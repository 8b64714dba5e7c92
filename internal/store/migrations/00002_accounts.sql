-- Accounts, organisations, roles and permissions, sessions, API tokens,
-- sign-in throttling, the audit trail and personal records.
-- Personal fields end in _enc (AES-256-GCM envelopes, see internal/crypt)
-- and, where exact lookup is needed, have an HMAC blind index (_index).

-- +goose Up
CREATE TABLE orgs (
    id         $ID,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    country    TEXT NOT NULL,
    created_at $TIME NOT NULL
);

CREATE TABLE teams (
    id     $ID,
    org_id BIGINT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name   TEXT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE users (
    id                  $ID,
    username            TEXT NOT NULL UNIQUE,
    org_id              BIGINT NOT NULL REFERENCES orgs (id),
    full_name_enc       TEXT NOT NULL,
    email_enc           TEXT NOT NULL,
    email_index         TEXT NOT NULL,
    key_id              TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    disabled            BOOLEAN NOT NULL DEFAULT FALSE,
    locked_until        $TIME,
    created_at          $TIME NOT NULL,
    updated_at          $TIME NOT NULL,
    password_changed_at $TIME NOT NULL
);
CREATE INDEX users_org ON users (org_id);
CREATE INDEX users_email_index ON users (email_index);
CREATE INDEX users_key ON users (key_id);

CREATE TABLE team_members (
    team_id BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE roles (
    id          $ID,
    name        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    builtin     BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE role_permissions (
    role_id  BIGINT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    resource TEXT NOT NULL,
    action   TEXT NOT NULL,
    scope    INTEGER NOT NULL,
    PRIMARY KEY (role_id, resource, action)
);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id BIGINT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id)
);

-- Sessions are stored by the SHA-256 of their secret.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   $TIME NOT NULL,
    last_seen_at $TIME NOT NULL,
    client_addr  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           $ID,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    permissions  TEXT NOT NULL,
    created_at   $TIME NOT NULL,
    expires_at   $TIME NOT NULL,
    revoked_at   $TIME,
    last_used_at $TIME
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE signin_failures (
    id          $ID,
    username    TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    at          $TIME NOT NULL
);
CREATE INDEX signin_failures_user ON signin_failures (username, at);
CREATE INDEX signin_failures_addr ON signin_failures (client_addr, at);

-- Versions of data that servers cache in memory; bumped in the same
-- transaction as a change, checked on use (cache invalidation through the
-- database, so that several servers can share one).
CREATE TABLE cache_versions (
    name    TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO cache_versions (name, version) VALUES ('roles', 1);

-- The audit trail: append-only, hash-chained (internal/audit).
CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          $TIME NOT NULL,
    actor_id    BIGINT NOT NULL,
    actor_name  TEXT NOT NULL,
    org_id      BIGINT NOT NULL,
    action      TEXT NOT NULL,
    resource    TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_org ON audit_log (org_id, seq);
CREATE INDEX audit_log_resource ON audit_log (resource, record_id);

-- The head of the chain, kept apart so that a truncated tail is detected.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Personal records shared by the case, return, labour and diaspora
-- capabilities.
CREATE TABLE people (
    id                  $ID,
    org_id              BIGINT NOT NULL REFERENCES orgs (id),
    team_id             BIGINT REFERENCES teams (id),
    owner_id            BIGINT NOT NULL REFERENCES users (id),
    given_name_enc      TEXT NOT NULL,
    family_name_enc     TEXT NOT NULL,
    name_index          TEXT NOT NULL,
    birth_date_enc      TEXT NOT NULL,
    sex                 TEXT NOT NULL,
    nationality         TEXT NOT NULL,
    document_type       TEXT NOT NULL,
    document_number_enc TEXT NOT NULL,
    document_index      TEXT NOT NULL,
    key_id              TEXT NOT NULL,
    version             BIGINT NOT NULL,
    created_at          $TIME NOT NULL,
    updated_at          $TIME NOT NULL
);
CREATE INDEX people_org ON people (org_id);
CREATE INDEX people_team ON people (team_id);
CREATE INDEX people_owner ON people (owner_id);
CREATE INDEX people_name_index ON people (name_index);
CREATE INDEX people_document_index ON people (document_index);
CREATE INDEX people_key ON people (key_id);

-- +goose Down
DROP TABLE people;
DROP TABLE audit_head;
DROP TABLE audit_log;
DROP TABLE cache_versions;
DROP TABLE signin_failures;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE user_roles;
DROP TABLE role_permissions;
DROP TABLE roles;
DROP TABLE team_members;
DROP TABLE users;
DROP TABLE teams;
DROP TABLE orgs;
