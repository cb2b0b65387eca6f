-- An examination of a case's items. A comparison carries its AFTE conclusion; an identification
-- is verified by a second examiner, never the one who made it: the table refuses it, whatever
-- the code above it does.
CREATE TABLE examinations (
    id                    uuid PRIMARY KEY,
    case_id               uuid NOT NULL REFERENCES forensic_cases (id),
    kind                  text NOT NULL CHECK (kind IN ('serial_number_restoration', 'operability', 'comparison',
                                                        'ammunition_identification', 'trigger_pull', 'other')),
    method                text CHECK (length(method) BETWEEN 1 AND 300),
    examiner              text NOT NULL CHECK (length(examiner) BETWEEN 1 AND 100),
    requested_on          date,
    started_on            date,
    completed_on          date,
    result                text CHECK (length(result) BETWEEN 1 AND 8000),
    afte_conclusion       text CHECK (afte_conclusion IN ('identification', 'inconclusive_a', 'inconclusive_b', 'inconclusive_c',
                                                          'elimination', 'unsuitable')),
    elimination_reason    text CHECK (length(elimination_reason) BETWEEN 1 AND 2000),
    verified_by           text CHECK (length(verified_by) BETWEEN 1 AND 100),
    verified_at           timestamptz,
    verification_note     text CHECK (length(verification_note) BETWEEN 1 AND 2000),
    recovered_serial      text CHECK (recovered_serial ~ '^[A-Z0-9?]{1,100}$'),
    part_examined         text CHECK (part_examined IN ('frame', 'receiver', 'slide', 'barrel', 'bolt', 'breech_block', 'cylinder', 'other')),
    candidates            jsonb CHECK (candidates IS NULL OR jsonb_typeof(candidates) = 'array'),
    searched_at           timestamptz,
    confirmed_firearm_id  uuid,
    version               integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at            timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at            timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    CONSTRAINT examination_completed_after_started CHECK (completed_on IS NULL OR (started_on IS NOT NULL AND completed_on >= started_on)),
    CONSTRAINT examination_afte_only_on_comparison CHECK (afte_conclusion IS NULL OR kind = 'comparison'),
    CONSTRAINT examination_elimination_has_reason CHECK ((afte_conclusion IS NOT DISTINCT FROM 'elimination') = (elimination_reason IS NOT NULL)),
    CONSTRAINT examination_verifies_identification CHECK (verified_by IS NULL OR afte_conclusion = 'identification'),
    CONSTRAINT examination_verifier_is_second_examiner CHECK (verified_by IS NULL OR verified_by <> examiner),
    CONSTRAINT examination_verification_complete CHECK ((verified_by IS NULL) = (verified_at IS NULL)),
    CONSTRAINT examination_restoration_fields CHECK (kind = 'serial_number_restoration'
                                                     OR (recovered_serial IS NULL AND part_examined IS NULL AND candidates IS NULL))
);
CREATE INDEX examinations_case ON examinations (case_id, created_at, id);

CREATE TABLE examination_versions (
    examination_id  uuid NOT NULL REFERENCES examinations (id),
    version         integer NOT NULL,
    record          jsonb NOT NULL,
    change          text NOT NULL,
    changed_by      text NOT NULL,
    changed_at      timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    PRIMARY KEY (examination_id, version)
);

CREATE TRIGGER examination_versions_insert_only BEFORE UPDATE OR DELETE ON examination_versions
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER examination_versions_no_truncate BEFORE TRUNCATE ON examination_versions
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();

REVOKE ALL ON examinations, examination_versions FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON examinations TO ifcd_app;
GRANT SELECT, INSERT ON examination_versions TO ifcd_app;
