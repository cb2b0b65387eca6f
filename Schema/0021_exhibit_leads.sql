-- Ballistic imaging: acquisitions of exhibits into imaging systems, the leads a correlation
-- offers between two exhibits, and the examiner's decision on each. Clusters are not stored:
-- they are derived from the current hits whenever they are read.

CREATE TABLE exhibit_acquisitions (
    id                uuid PRIMARY KEY,
    exhibit_id        uuid NOT NULL REFERENCES exhibits (id),
    system            text NOT NULL CHECK (system IN ('ibis', 'evofinder', 'brastrax', 'other')),
    network           text NOT NULL CHECK (network IN ('national', 'regional', 'interpol')),
    acquired_on       date NOT NULL,
    system_reference  text NOT NULL CHECK (length(system_reference) BETWEEN 1 AND 100),
    created_by        text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    UNIQUE (system, system_reference)
);
CREATE INDEX exhibit_acquisitions_exhibit ON exhibit_acquisitions (exhibit_id, acquired_on);

-- A lead between two exhibits of the same class (two cartridge cases, two bullets), stored
-- once per pair (exhibit_a < exhibit_b). Its decision is the AFTE range; an identification is a
-- hit and names the verified comparison examination behind it. A hit withdrawn (a reasoned
-- correction) stays, marked withdrawn.
CREATE TABLE exhibit_leads (
    id                   uuid PRIMARY KEY,
    exhibit_a            uuid NOT NULL REFERENCES exhibits (id),
    exhibit_b            uuid NOT NULL REFERENCES exhibits (id),
    source_system        text NOT NULL CHECK (source_system IN ('ibis', 'evofinder', 'brastrax', 'other')),
    source_reference     text NOT NULL CHECK (length(source_reference) BETWEEN 1 AND 100),
    score                double precision CHECK (score >= 0),
    status               text NOT NULL DEFAULT 'open'
                         CHECK (status IN ('open', 'identification', 'inconclusive', 'elimination', 'unsuitable')),
    examination_id       uuid,
    decided_by           text,
    decided_at           timestamptz,
    decision_note        text CHECK (length(decision_note) BETWEEN 1 AND 2000),
    flagged_for_review   boolean NOT NULL DEFAULT false,
    withdrawn_by         text,
    withdrawn_at         timestamptz,
    withdrawal_reason    text CHECK (length(withdrawal_reason) BETWEEN 1 AND 2000),
    created_by           text NOT NULL,
    created_at           timestamptz NOT NULL,
    version              integer NOT NULL DEFAULT 1 CHECK (version > 0),
    CONSTRAINT lead_pair_ordered CHECK (exhibit_a < exhibit_b),
    CONSTRAINT lead_pair_once UNIQUE (exhibit_a, exhibit_b),
    CONSTRAINT lead_decision_complete CHECK ((status = 'open') = (decided_by IS NULL) AND (decided_by IS NULL) = (decided_at IS NULL)),
    CONSTRAINT lead_hit_names_examination CHECK ((status = 'identification') = (examination_id IS NOT NULL)),
    CONSTRAINT lead_withdrawal_of_hit CHECK (withdrawn_at IS NULL OR (status = 'identification' AND withdrawn_by IS NOT NULL
                                                                      AND withdrawal_reason IS NOT NULL))
);
CREATE INDEX exhibit_leads_open ON exhibit_leads (created_at, id) WHERE status = 'open';
CREATE INDEX exhibit_leads_a ON exhibit_leads (exhibit_a);
CREATE INDEX exhibit_leads_b ON exhibit_leads (exhibit_b);

-- A decision is made once; a hit is withdrawn once; nothing else changes.
CREATE FUNCTION exhibit_leads_decided_once() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'open' AND (NEW.status <> OLD.status OR NEW.examination_id IS DISTINCT FROM OLD.examination_id
                                 OR NEW.decided_by IS DISTINCT FROM OLD.decided_by) THEN
        RAISE EXCEPTION 'lead % is decided already', OLD.id USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_decided_once';
    END IF;
    IF OLD.withdrawn_at IS NOT NULL AND NEW.withdrawn_at IS DISTINCT FROM OLD.withdrawn_at THEN
        RAISE EXCEPTION 'lead % is withdrawn already', OLD.id USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_decided_once';
    END IF;
    IF NEW.exhibit_a <> OLD.exhibit_a OR NEW.exhibit_b <> OLD.exhibit_b OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'lead % links the same exhibits for ever', OLD.id USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_decided_once';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER exhibit_leads_decided_once BEFORE UPDATE ON exhibit_leads
    FOR EACH ROW EXECUTE FUNCTION exhibit_leads_decided_once();

CREATE TRIGGER exhibit_acquisitions_insert_only BEFORE UPDATE OR DELETE ON exhibit_acquisitions
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER exhibit_acquisitions_no_truncate BEFORE TRUNCATE ON exhibit_acquisitions
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER exhibit_leads_no_delete BEFORE DELETE ON exhibit_leads
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER exhibit_leads_no_truncate BEFORE TRUNCATE ON exhibit_leads
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();

REVOKE ALL ON exhibit_acquisitions, exhibit_leads FROM PUBLIC;
GRANT SELECT, INSERT ON exhibit_acquisitions TO ifcd_app;
GRANT SELECT, INSERT, UPDATE ON exhibit_leads TO ifcd_app;
