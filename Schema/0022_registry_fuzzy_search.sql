-- Fuzzy serial search (`GET /v1/firearms/search?fuzzy=true`): serials one or two edits away.
-- fuzzystrmatch is a trusted extension (PostgreSQL 13+): the database owner may create it. Its
-- levenshtein_less_equal runs only on the candidates the trigram indexes (0003, 0009) return.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
