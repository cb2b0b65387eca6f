-- The audit trail: append-only entries, and seals that hash-chain them.
--
-- Entries are written by requests: a write's entry inside the write's own transaction, read
-- entries batched across concurrent requests (group commit). The chain is computed apart from
-- requests by one sealer at a time, which appends a seal (position, entry, previous hash, hash)
-- for each committed entry. So the chain never serialises the API, and `ifcd audit verify`
-- walks the seals. Neither table can be updated, deleted from or truncated by any role:
-- triggers refuse it, and the application role holds only SELECT and INSERT.

CREATE TABLE audit_entries (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor        text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    actor_id     uuid,
    roles        text[] NOT NULL,
    action       text NOT NULL CHECK (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
    record_type  text,
    record_id    text,
    request_id   text,
    outcome      text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
    detail       jsonb
);

CREATE INDEX audit_entries_record ON audit_entries (record_type, record_id, seq);
CREATE INDEX audit_entries_actor ON audit_entries (actor, seq);
CREATE INDEX audit_entries_at ON audit_entries (at);

CREATE TABLE audit_seals (
    position   bigint PRIMARY KEY CHECK (position > 0),
    entry_seq  bigint NOT NULL UNIQUE,
    prev_hash  bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash       bytea NOT NULL CHECK (length(hash) = 32),
    sealed_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_entries_append_only
    BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_entries_no_truncate
    BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_seals_append_only
    BEFORE UPDATE OR DELETE ON audit_seals
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_seals_no_truncate
    BEFORE TRUNCATE ON audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- The trail as auditors read it: each entry with its chain position and hashes (NULL until sealed).
CREATE VIEW audit_trail AS
    SELECT e.seq, e.at, e.actor, e.actor_id, e.roles, e.action, e.record_type, e.record_id,
           e.request_id, e.outcome, e.detail, s.position, s.prev_hash, s.hash, s.sealed_at
    FROM audit_entries e
    LEFT JOIN audit_seals s ON s.entry_seq = e.seq;

REVOKE ALL ON audit_entries, audit_seals, audit_trail FROM PUBLIC;
GRANT SELECT, INSERT ON audit_entries, audit_seals TO ifcd_app;
GRANT SELECT ON audit_trail TO ifcd_app;
-- The app role reads the applied versions for /ready.
GRANT SELECT ON schema_migrations TO ifcd_app;
