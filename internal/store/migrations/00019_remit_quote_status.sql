-- Providers manage their own submitted quotes (store/remit_mine.go): a
-- correction is a new quote that supersedes the old one, a withdrawal
-- takes a quote out of the sender ranking and the averages; neither edits
-- prices in place, so the history stays.
--
--   * status: 'active' (every imported RPW quote, and a submitted quote
--     until it is corrected or withdrawn), 'superseded' (a correction
--     replaced it), 'withdrawn' (its provider withdrew it). Only active
--     quotes are ranked, averaged or offered as a reference rate.
--   * status_at: when the status last changed (NULL while active).
--   * replaces: on a correction, the id of the quote it supersedes.
--
-- remit_quotes_match serves the cross-file replacement of an RPW import
-- (store.ReplaceRPWQuotes: the quotes of other import sources with the
-- same corridor, quarter, provider, amount and currency), looked up from
-- the new source's rows.

-- +goose Up
ALTER TABLE remit_quotes ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE remit_quotes ADD COLUMN status_at $TIME;
ALTER TABLE remit_quotes ADD COLUMN replaces BIGINT;
CREATE INDEX remit_quotes_match ON remit_quotes (from_country, to_country, period, provider_id, amount, send_currency);

-- +goose Down
DROP INDEX remit_quotes_match;
ALTER TABLE remit_quotes DROP COLUMN replaces;
ALTER TABLE remit_quotes DROP COLUMN status_at;
ALTER TABLE remit_quotes DROP COLUMN status;
