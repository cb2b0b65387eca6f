-- The second person, enforced by the table (issue 24; ISO/IEC 17025 §7.7, the two-examiner rule).
--
-- The service sets `ifcd.actor` (set_config, local to the transaction) to the user who writes; the
-- table then refuses, whatever the code above it does:
-- - a change of an examination's content by anyone but its examiner;
-- - a verification by anyone who set or changed its conclusion or result (`conclusion_by`), of an
--   examination not completed, or recorded in another user's name;
-- and a change of the conclusion or result voids a verification given before (it is verified again).
-- The verification records the version it verified.

ALTER TABLE examinations
    ADD COLUMN conclusion_by text[] NOT NULL DEFAULT '{}',
    ADD COLUMN verified_version integer;
UPDATE examinations SET conclusion_by = ARRAY[examiner],
                        verified_version = CASE WHEN verified_by IS NOT NULL THEN version - 1 END;

ALTER TABLE examinations ADD CONSTRAINT examination_verifier_not_a_changer
    CHECK (verified_by IS NULL OR NOT (verified_by = ANY (conclusion_by)));
-- Verifications given before this rule may have verified unfinished work: they stay as they were.
ALTER TABLE examinations ADD CONSTRAINT examination_verified_when_completed
    CHECK (verified_by IS NULL OR completed_on IS NOT NULL) NOT VALID;
ALTER TABLE examinations ADD CONSTRAINT examination_verification_names_version
    CHECK ((verified_by IS NULL) = (verified_version IS NULL));

CREATE FUNCTION examinations_four_eyes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor text := nullif(current_setting('ifcd.actor', true), '');
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.conclusion_by := ARRAY[NEW.examiner];
        NEW.verified_by := NULL;
        NEW.verified_at := NULL;
        NEW.verified_version := NULL;
        RETURN NEW;
    END IF;
    NEW.conclusion_by := OLD.conclusion_by;
    IF (NEW.examiner, NEW.method, NEW.requested_on, NEW.started_on, NEW.completed_on, NEW.result, NEW.afte_conclusion,
        NEW.elimination_reason, NEW.recovered_serial, NEW.part_examined)
       IS DISTINCT FROM (OLD.examiner, OLD.method, OLD.requested_on, OLD.started_on, OLD.completed_on, OLD.result, OLD.afte_conclusion,
                         OLD.elimination_reason, OLD.recovered_serial, OLD.part_examined)
       AND actor IS DISTINCT FROM OLD.examiner THEN
        RAISE EXCEPTION 'examination % is changed by its examiner % only', OLD.id, OLD.examiner
            USING ERRCODE = 'check_violation', CONSTRAINT = 'examination_changed_by_its_examiner';
    END IF;
    IF (NEW.result, NEW.afte_conclusion) IS DISTINCT FROM (OLD.result, OLD.afte_conclusion) THEN
        NEW.conclusion_by := ARRAY(SELECT DISTINCT x FROM unnest(OLD.conclusion_by || actor) x ORDER BY x);
        IF OLD.verified_by IS NOT NULL AND NEW.verified_by IS NOT DISTINCT FROM OLD.verified_by THEN
            NEW.verified_by := NULL;
            NEW.verified_at := NULL;
            NEW.verified_version := NULL;
            NEW.verification_note := NULL;
        END IF;
    END IF;
    IF NEW.verified_by IS NOT NULL AND NEW.verified_by IS DISTINCT FROM OLD.verified_by THEN
        IF actor IS DISTINCT FROM NEW.verified_by THEN
            RAISE EXCEPTION 'examination % is verified by the user who verifies it, not in another name', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'examination_verified_by_its_verifier';
        END IF;
        NEW.verified_version := OLD.version;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER examinations_four_eyes BEFORE INSERT OR UPDATE ON examinations
    FOR EACH ROW EXECUTE FUNCTION examinations_four_eyes();
