-- Need-to-know, first step (issue 24): a user's clearance and a case's team.
--
-- A user sees a `standard` or `restricted` case when their role reads cases and their clearance
-- is at least the case's level; a `confidential` or `secret` case only as a current member of its
-- team with that clearance. `forensic_case_visible` is the rule, said once: the forensics module's
-- reads of one case and its lists (filtered in SQL, so pages stay full) all ask it.

ALTER TABLE users ADD COLUMN clearance text NOT NULL DEFAULT 'standard'
    CHECK (clearance IN ('standard', 'restricted', 'confidential', 'secret'));

-- A changed clearance narrows or widens what a token may see: serving processes drop cached principals.
DROP TRIGGER users_notify ON users;
CREATE TRIGGER users_notify AFTER UPDATE OF roles, disabled, password_hash, must_change_password, username, clearance ON users
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_auth_changed();

-- A case's team: its creator, and users a member who is an examiner added, each with a reason.
-- A membership is never rewritten or deleted: its end is recorded on it, once.
CREATE TABLE forensic_case_members (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES forensic_cases (id),
    -- An account of the accounts module (read through its API when a member is added).
    user_id         uuid NOT NULL,
    username        text NOT NULL,
    reason          text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    added_by        text NOT NULL,
    added_at        timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    removed_by      text,
    removed_at      timestamptz,
    removal_reason  text CHECK (length(removal_reason) BETWEEN 1 AND 1000),
    CHECK ((removed_at IS NULL) = (removed_by IS NULL))
);
CREATE UNIQUE INDEX forensic_case_members_current ON forensic_case_members (case_id, user_id) WHERE removed_at IS NULL;
CREATE INDEX forensic_case_members_user ON forensic_case_members (user_id, case_id) WHERE removed_at IS NULL;

CREATE FUNCTION forensic_case_members_ended_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.removed_at IS NOT NULL THEN
        RAISE EXCEPTION 'membership % has ended already', OLD.id USING ERRCODE = 'check_violation', CONSTRAINT = 'membership_ended_once';
    END IF;
    IF (NEW.id, NEW.case_id, NEW.user_id, NEW.username, NEW.reason, NEW.added_by, NEW.added_at)
       IS DISTINCT FROM (OLD.id, OLD.case_id, OLD.user_id, OLD.username, OLD.reason, OLD.added_by, OLD.added_at) THEN
        RAISE EXCEPTION 'membership % is kept as it was added', OLD.id USING ERRCODE = 'check_violation', CONSTRAINT = 'membership_ended_once';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER forensic_case_members_ended_once BEFORE UPDATE ON forensic_case_members
    FOR EACH ROW EXECUTE FUNCTION forensic_case_members_ended_once();
CREATE TRIGGER forensic_case_members_no_delete BEFORE DELETE ON forensic_case_members
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER forensic_case_members_no_truncate BEFORE TRUNCATE ON forensic_case_members
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();

-- The creators of the cases recorded before teams existed are their first members.
INSERT INTO forensic_case_members (id, case_id, user_id, username, reason, added_by, added_at)
SELECT gen_random_uuid(), c.id, u.id, u.username, 'created the case', c.created_by, c.created_at
FROM forensic_cases c JOIN users u ON lower(u.username) = lower(c.created_by);

CREATE FUNCTION ifcd_clearance_rank(level text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT array_position(ARRAY['standard', 'restricted', 'confidential', 'secret'], level) $$;

-- The rule: may the user `viewer`, cleared to `clearance`, see case `case_id` of level `confidentiality`?
CREATE FUNCTION forensic_case_visible(case_id uuid, confidentiality text, viewer uuid, clearance text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ifcd_clearance_rank(confidentiality) <= ifcd_clearance_rank(clearance)
       AND (confidentiality IN ('standard', 'restricted')
            OR EXISTS (SELECT 1 FROM forensic_case_members m
                       WHERE m.case_id = forensic_case_visible.case_id AND m.user_id = viewer AND m.removed_at IS NULL))
$$;

REVOKE ALL ON forensic_case_members FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON forensic_case_members TO ifcd_app;
REVOKE ALL ON FUNCTION ifcd_clearance_rank(text), forensic_case_visible(uuid, text, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ifcd_clearance_rank(text), forensic_case_visible(uuid, text, uuid, text) TO ifcd_app;

-- The rule as another module's list asks it, by case id alone (the exhibits module filters its
-- exhibits and leads with it, in SQL, so that pages stay full): the forensics module's published
-- read of its own table, like a view. No case, no sight.
CREATE FUNCTION forensic_case_visible_to(case_id uuid, viewer uuid, clearance text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce((SELECT forensic_case_visible(c.id, c.confidentiality, viewer, clearance)
                     FROM forensic_cases c WHERE c.id = forensic_case_visible_to.case_id), false)
$$;
REVOKE ALL ON FUNCTION forensic_case_visible_to(uuid, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION forensic_case_visible_to(uuid, uuid, text) TO ifcd_app;
