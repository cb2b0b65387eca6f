-- Who is authorised for which examinations, from when to when (issue 24; ISO/IEC 17025 §6.2.5,
-- §6.2.6: the laboratory authorises personnel for specific laboratory activities, and keeps the
-- record of it). A laboratory manager (the new role `lab_manager`) records each authorisation,
-- with its basis (training, competence assessment, proficiency test), never their own; it ends on
-- a day, once, with the reason; it is never rewritten or deleted, and each change is a version.
--
-- The table then refuses, whatever the code above it does:
-- - an examination recorded or changed for an examiner not authorised for its kind on the days
--   of the work (started_on and completed_on; today when neither is known);
-- - a verification by an examiner not authorised for the examination's kind on that day;
-- - a report's technical review by an examiner not authorised, on that day, for every kind of
--   examination the case holds.

ALTER TABLE users DROP CONSTRAINT users_roles_check;
ALTER TABLE users ADD CONSTRAINT users_roles_check CHECK (
    cardinality(roles) > 0
    AND roles <@ ARRAY['admin', 'clerk', 'analyst', 'examiner', 'liaison', 'auditor', 'bulk_reader', 'legal', 'lab_manager']::text[]);

CREATE TABLE examiner_authorisations (
    id                 uuid PRIMARY KEY,
    -- The examiner's account (read through the accounts module's API when granted); null only
    -- for the demo's named examiners, who have no account.
    user_id            uuid,
    username           text NOT NULL CHECK (length(username) BETWEEN 1 AND 100),
    kind               text NOT NULL CHECK (kind IN ('serial_number_restoration', 'operability', 'comparison',
                                                     'ammunition_identification', 'trigger_pull', 'other')),
    valid_from         date NOT NULL,
    -- The last day it holds; null until it is ended.
    valid_until        date,
    basis              text NOT NULL CHECK (length(basis) BETWEEN 1 AND 2000),
    granted_by         text NOT NULL,
    ended_by           text,
    ended_at           timestamptz,
    end_reason         text CHECK (length(end_reason) BETWEEN 1 AND 2000),
    version            integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at         timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at         timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    CHECK (valid_until IS NULL OR valid_until >= valid_from),
    CHECK ((ended_by IS NULL) = (ended_at IS NULL) AND (ended_by IS NULL) = (end_reason IS NULL)),
    CONSTRAINT authorisation_not_self_granted CHECK (lower(granted_by) <> lower(username))
);
CREATE INDEX examiner_authorisations_who ON examiner_authorisations (lower(username), kind, valid_from);
CREATE INDEX examiner_authorisations_created ON examiner_authorisations (created_at DESC, id DESC);

CREATE TABLE examiner_authorisation_versions (
    authorisation_id  uuid NOT NULL REFERENCES examiner_authorisations (id),
    version           integer NOT NULL,
    record            jsonb NOT NULL,
    change            text NOT NULL,
    changed_by        text NOT NULL,
    changed_at        timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    PRIMARY KEY (authorisation_id, version)
);

-- An authorisation is kept as granted: only its end is recorded on it, once, and never before it began.
CREATE FUNCTION examiner_authorisations_ended_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.ended_at IS NOT NULL THEN
        RAISE EXCEPTION 'authorisation % has ended already', OLD.id USING ERRCODE = 'check_violation', CONSTRAINT = 'authorisation_ended_once';
    END IF;
    IF (NEW.id, NEW.user_id, NEW.username, NEW.kind, NEW.valid_from, NEW.basis, NEW.granted_by, NEW.created_at)
       IS DISTINCT FROM (OLD.id, OLD.user_id, OLD.username, OLD.kind, OLD.valid_from, OLD.basis, OLD.granted_by, OLD.created_at)
       OR NEW.ended_at IS NULL OR NEW.valid_until IS NULL OR NEW.version <> OLD.version + 1 THEN
        RAISE EXCEPTION 'authorisation % is kept as granted: only its end is recorded', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'authorisation_ended_once';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER examiner_authorisations_ended_once BEFORE UPDATE ON examiner_authorisations
    FOR EACH ROW EXECUTE FUNCTION examiner_authorisations_ended_once();
CREATE TRIGGER examiner_authorisations_no_delete BEFORE DELETE ON examiner_authorisations
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER examiner_authorisations_no_truncate BEFORE TRUNCATE ON examiner_authorisations
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER examiner_authorisation_versions_insert_only BEFORE UPDATE OR DELETE ON examiner_authorisation_versions
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER examiner_authorisation_versions_no_truncate BEFORE TRUNCATE ON examiner_authorisation_versions
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();

-- The examiners who recorded examinations before authorisations were kept are authorised for the
-- kinds they examined, from their first such examination, on the laboratory's earlier practice.
INSERT INTO examiner_authorisations (id, username, kind, valid_from, basis, granted_by)
SELECT gen_random_uuid(), e.examiner, e.kind, min(coalesce(e.started_on, e.requested_on, e.created_at::date)),
       'recorded before authorisations were kept (migration 0035)', 'migration 0035'
FROM examinations e GROUP BY e.examiner, e.kind;
INSERT INTO examiner_authorisations (id, username, kind, valid_from, basis, granted_by)
SELECT gen_random_uuid(), e.verified_by, e.kind, min(e.verified_at::date),
       'recorded before authorisations were kept (migration 0035)', 'migration 0035'
FROM examinations e
WHERE e.verified_by IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM examiner_authorisations a WHERE a.username = e.verified_by AND a.kind = e.kind)
GROUP BY e.verified_by, e.kind;
INSERT INTO examiner_authorisation_versions (authorisation_id, version, record, change, changed_by)
SELECT a.id, 1, to_jsonb(a), 'granted', a.granted_by FROM examiner_authorisations a;

-- The rule: is `who` authorised for examinations of `kind` on `day`?
CREATE FUNCTION examiner_authorised(who text, kind text, day date) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM examiner_authorisations a
                   WHERE lower(a.username) = lower(who) AND a.kind = examiner_authorised.kind
                     AND a.valid_from <= day AND (a.valid_until IS NULL OR a.valid_until >= day))
$$;

CREATE FUNCTION examinations_authorised() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR (NEW.examiner, NEW.kind, NEW.started_on, NEW.completed_on)
                           IS DISTINCT FROM (OLD.examiner, OLD.kind, OLD.started_on, OLD.completed_on) THEN
        IF (NEW.started_on IS NOT NULL AND NOT examiner_authorised(NEW.examiner, NEW.kind, NEW.started_on))
           OR (NEW.completed_on IS NOT NULL AND NOT examiner_authorised(NEW.examiner, NEW.kind, NEW.completed_on))
           OR (NEW.started_on IS NULL AND NEW.completed_on IS NULL AND NOT examiner_authorised(NEW.examiner, NEW.kind, current_date)) THEN
            RAISE EXCEPTION '% is not authorised for % examinations on the days of the work', NEW.examiner, NEW.kind
                USING ERRCODE = 'check_violation', CONSTRAINT = 'examiner_authorised_for_kind';
        END IF;
    END IF;
    IF NEW.verified_by IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.verified_by IS DISTINCT FROM OLD.verified_by
                                        OR NEW.verified_at IS DISTINCT FROM OLD.verified_at)
       AND NOT examiner_authorised(NEW.verified_by, NEW.kind, NEW.verified_at::date) THEN
        RAISE EXCEPTION '% is not authorised for % examinations on %: the verification is an authorised examiner''s', NEW.verified_by,
            NEW.kind, NEW.verified_at::date
            USING ERRCODE = 'check_violation', CONSTRAINT = 'verifier_authorised_for_kind';
    END IF;
    RETURN NEW;
END $$;
-- Named to run after examinations_four_eyes (triggers fire in name order), which may clear a verification.
CREATE TRIGGER examinations_zz_authorised BEFORE INSERT OR UPDATE ON examinations
    FOR EACH ROW EXECUTE FUNCTION examinations_authorised();

CREATE FUNCTION report_reviews_authorised() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing text;
BEGIN
    IF NEW.kind <> 'technical' THEN RETURN NEW; END IF;
    SELECT string_agg(DISTINCT e.kind, ', ' ORDER BY e.kind) INTO missing FROM examinations e
    WHERE e.case_id = NEW.case_id AND NOT examiner_authorised(NEW.reviewer, e.kind, NEW.reviewed_at::date);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'the technical review of case % is given by an examiner authorised for its examinations (not for %)', NEW.case_id, missing
            USING ERRCODE = 'check_violation', CONSTRAINT = 'technical_reviewer_authorised';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER report_reviews_authorised BEFORE INSERT ON report_reviews
    FOR EACH ROW EXECUTE FUNCTION report_reviews_authorised();

REVOKE ALL ON examiner_authorisations, examiner_authorisation_versions FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON examiner_authorisations TO ifcd_app;
GRANT SELECT, INSERT ON examiner_authorisation_versions TO ifcd_app;
REVOKE ALL ON FUNCTION examiner_authorised(text, text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION examiner_authorised(text, text, date) TO ifcd_app;
