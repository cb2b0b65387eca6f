-- Seals written by a role of their own, one per run of entries, keyed.
--
-- The application role (its password, or code running in the daemon's request path) may no
-- longer write seals: only `ifcd_sealer` may, and it may read entries and nothing else. A seal now
-- covers a run of entries: `entry_seq` is the run's first sequence, `last_seq` its last, `holes`
-- the numbers in between that the run does not hold (a transaction not yet committed or rolled
-- back when the run was sealed; such an entry is sealed later in a run of its own), and
-- `entry_count` how many entries it holds. A keyed seal's hash is an HMAC-SHA-256, under a key
-- that is not in the database, over the seal's position, run, time and previous hash and the
-- run's entries in order: whoever holds the database but not the key cannot write a seal that
-- verifies. Seals written before this file (one per entry, plain SHA-256, `keyed` false) keep
-- verifying as they were; the first keyed seal continues their chain.
ALTER TABLE audit_seals
    ADD COLUMN last_seq bigint,
    ADD COLUMN entry_count integer NOT NULL DEFAULT 1 CHECK (entry_count > 0),
    ADD COLUMN holes bigint[],
    ADD COLUMN keyed boolean NOT NULL DEFAULT false;
ALTER TABLE audit_seals ADD CONSTRAINT audit_seals_run
    CHECK (last_seq IS NULL OR (last_seq >= entry_seq AND entry_count + coalesce(cardinality(holes), 0) = last_seq - entry_seq + 1));
ALTER TABLE audit_seals ADD CONSTRAINT audit_seals_keyed_run CHECK (NOT keyed OR last_seq IS NOT NULL);

-- How far each seal reaches: finds the seal holding an entry without walking the trail.
CREATE INDEX audit_seals_reach ON audit_seals ((coalesce(last_seq, entry_seq)));

-- The position of the seal that holds entry `seq`, or NULL while it is unsealed.
CREATE FUNCTION audit_sealed_by(seq bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT s.position FROM audit_seals s
    WHERE coalesce(s.last_seq, s.entry_seq) >= seq AND s.entry_seq <= seq
      AND NOT (seq = ANY (coalesce(s.holes, '{}')))
    ORDER BY coalesce(s.last_seq, s.entry_seq)
    LIMIT 1
$$;

-- The trail as auditors read it: each entry with the seal that holds it (NULL until sealed).
CREATE OR REPLACE VIEW audit_trail AS
    SELECT e.seq, e.at, e.actor, e.actor_id, e.roles, e.action, e.record_type, e.record_id,
           e.request_id, e.outcome, e.detail, s.position, s.prev_hash, s.hash, s.sealed_at
    FROM audit_entries e
    LEFT JOIN LATERAL (
        SELECT s.position, s.prev_hash, s.hash, s.sealed_at FROM audit_seals s
        WHERE coalesce(s.last_seq, s.entry_seq) >= e.seq AND s.entry_seq <= e.seq
          AND NOT (e.seq = ANY (coalesce(s.holes, '{}')))
        ORDER BY coalesce(s.last_seq, s.entry_seq)
        LIMIT 1
    ) s ON true;

-- The sealer's role is created with the cluster (or by the operator, for an external database).
REVOKE INSERT ON audit_seals FROM ifcd_app;
GRANT USAGE ON SCHEMA public TO ifcd_sealer;
GRANT SELECT ON audit_entries TO ifcd_sealer;
GRANT SELECT, INSERT ON audit_seals TO ifcd_sealer;
GRANT SELECT ON schema_migrations TO ifcd_sealer;
