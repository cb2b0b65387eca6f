-- Retention (EU 2021/555 Art 4(4)): records are kept 30 years after destruction for law
-- enforcement and 10 years for licensing and customs authorities. Nothing is deleted here: a
-- record whose period has passed is listed (GET /v1/firearms?retention=due) so that a person
-- decides, and the decision is recorded, insert-only, with who and why.
CREATE TABLE retention_decisions (
    id          uuid PRIMARY KEY,
    firearm_id  uuid NOT NULL REFERENCES firearms (id),
    use         text NOT NULL CHECK (use IN ('licensing', 'law_enforcement')),
    decision    text NOT NULL CHECK (decision IN ('keep', 'restrict_access')),
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    due_on      date NOT NULL,
    decided_by  text NOT NULL,
    decided_at  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    UNIQUE (firearm_id, use)
);
CREATE TRIGGER retention_decisions_insert_only BEFORE UPDATE OR DELETE ON retention_decisions
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER retention_decisions_no_truncate BEFORE TRUNCATE ON retention_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();
REVOKE ALL ON retention_decisions FROM PUBLIC;
GRANT SELECT, INSERT ON retention_decisions TO ifcd_app;
