-- Indexes for the filtered listings of referred cases (case_access, see
-- 00010). A listing filtered by owner, team or nationality reads the
-- referred cases as an index range on that column, like the cases table's
-- own indexes, instead of walking every referred case of the status and
-- dropping those that do not match: at 1,000,000 cases a supervisor's
-- list of one case worker's cases walked all the referred cases (none of
-- which that worker owns) and took 200 ms.

-- +goose Up
CREATE INDEX case_access_owner ON case_access (to_org_id, owner_id, draft, status, id);
CREATE INDEX case_access_team ON case_access (to_org_id, team_id, draft, status, id);
CREATE INDEX case_access_nationality ON case_access (to_org_id, nationality, draft, status, id);

-- +goose Down
DROP INDEX case_access_nationality;
DROP INDEX case_access_team;
DROP INDEX case_access_owner;
