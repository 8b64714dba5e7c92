-- Development plans (internal/plans): a plan of one country, its goals,
-- the indicators linked to each goal with baseline and target — library
-- indicators, or custom indicators of the plan (their own name, unit and
-- decimals, values always reported by hand) — and the measurements
-- reported by hand. Live values are not stored: they
-- are evaluated from the imported data when a plan is read.

-- +goose Up
CREATE TABLE plans (
    id          $ID,
    country     TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    start_year  INTEGER NOT NULL,
    end_year    INTEGER NOT NULL,
    status      TEXT NOT NULL,
    org_id      BIGINT NOT NULL REFERENCES orgs (id),
    team_id     BIGINT REFERENCES teams (id) ON DELETE SET NULL,
    owner_id    BIGINT NOT NULL REFERENCES users (id),
    version     BIGINT NOT NULL,
    created_at  $TIME NOT NULL,
    updated_at  $TIME NOT NULL,
    CHECK (end_year > start_year),
    CHECK (status IN ('draft', 'active', 'closed'))
);
CREATE INDEX plans_org ON plans (org_id);
CREATE INDEX plans_team ON plans (team_id);
CREATE INDEX plans_owner ON plans (owner_id);

CREATE TABLE plan_goals (
    id          $ID,
    plan_id     BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    position    INTEGER NOT NULL,
    created_at  $TIME NOT NULL
);
CREATE INDEX plan_goals_plan ON plan_goals (plan_id, position);

CREATE TABLE plan_indicators (
    id             $ID,
    plan_id        BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    goal_id        BIGINT NOT NULL REFERENCES plan_goals (id) ON DELETE CASCADE,
    indicator_code TEXT REFERENCES indicators (code), -- NULL: a custom indicator
    custom_name    TEXT,
    custom_unit    TEXT,
    custom_decimals INTEGER,
    counterpart    TEXT NOT NULL,
    sex            TEXT NOT NULL,
    baseline_value $FLOAT NOT NULL,
    baseline_year  INTEGER NOT NULL,
    target_value   $FLOAT NOT NULL,
    target_year    INTEGER NOT NULL,
    source         TEXT NOT NULL,
    created_by     BIGINT NOT NULL REFERENCES users (id),
    created_at     $TIME NOT NULL,
    CHECK (target_year > baseline_year),
    CHECK (source IN ('live', 'reported')),
    CHECK ((indicator_code IS NULL) = (custom_name IS NOT NULL)),
    CHECK (indicator_code IS NOT NULL OR (custom_unit IS NOT NULL AND custom_decimals BETWEEN 0 AND 6 AND source = 'reported'))
);
CREATE INDEX plan_indicators_plan ON plan_indicators (plan_id, goal_id);
CREATE INDEX plan_indicators_goal ON plan_indicators (goal_id);

CREATE TABLE plan_measurements (
    id               $ID,
    plan_id          BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    indicator_id     BIGINT NOT NULL REFERENCES plan_indicators (id) ON DELETE CASCADE,
    year             INTEGER NOT NULL,
    measured_on      TEXT NOT NULL,
    value            $FLOAT NOT NULL,
    note             TEXT NOT NULL,
    recorded_by      BIGINT NOT NULL REFERENCES users (id),
    recorded_by_name TEXT NOT NULL,
    recorded_at      $TIME NOT NULL
);
CREATE INDEX plan_measurements_indicator ON plan_measurements (indicator_id, year);
CREATE INDEX plan_measurements_plan ON plan_measurements (plan_id);

-- +goose Down
DROP TABLE plan_measurements;
DROP TABLE plan_indicators;
DROP TABLE plan_goals;
DROP TABLE plans;
