-- Separation of duties, temporary passwords, and entries whose position and time come from the
-- server.
--
-- An administrator manages accounts and nothing else: no user holds admin together with
-- auditor (who checks the administrators) or with a record role (who would grant themselves
-- access to records). Checked for every new or changed user; users created before this file
-- keep their roles until they are next changed.
ALTER TABLE users ADD CONSTRAINT users_admin_alone CHECK (NOT ('admin' = ANY (roles)) OR roles = ARRAY['admin']) NOT VALID;

-- A password an administrator set for someone else is temporary: its user must change it at
-- the next login and reaches no record until then.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- Each entry's time is the server's clock at insert, and its position the one the sequence
-- issued for it, whatever the INSERT says (an explicit seq with OVERRIDING SYSTEM VALUE that the
-- sequence did not just issue in this session is refused): no entry can be back-dated or slipped
-- between two others. It runs as the owner, who may read the sequence (the app role need not).
CREATE FUNCTION audit_entry_stamp() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF NEW.seq IS DISTINCT FROM currval(pg_get_serial_sequence('audit_entries', 'seq')) THEN
        RAISE EXCEPTION 'an audit entry takes the position the sequence issues, not %', NEW.seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    NEW.at := clock_timestamp();
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_entries_stamp BEFORE INSERT ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entry_stamp();
REVOKE ALL ON FUNCTION audit_entry_stamp() FROM PUBLIC;

-- Failed logins counted per username (as typed, lower-cased, whether or not such a user exists)
-- and client address: guessing from one address locks that pair only, so a remote attacker
-- cannot keep an account (admin) locked out for everyone, and a locked unknown name answers as
-- a locked known one does. The count decays: a failure outside the window starts a new one.
CREATE TABLE login_attempts (
    username        text NOT NULL CHECK (length(username) BETWEEN 1 AND 64),
    address         text NOT NULL CHECK (length(address) BETWEEN 1 AND 64),
    failures        integer NOT NULL CHECK (failures >= 0),
    window_started  timestamptz NOT NULL,
    locked_until    timestamptz,
    PRIMARY KEY (username, address)
);
REVOKE ALL ON login_attempts FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON login_attempts TO ifcd_app;
