-- A lead's decisions, kept (issue 25): an examiner's decision on a lead (the AFTE range; an
-- identification naming the verified comparison behind it) can be corrected by a new decision that
-- names the one it replaces and gives the reason. Every decision stays, insert-only; the lead's own
-- columns carry its current decision (`decision_id`), and the table refuses a lead whose decision
-- columns are not those of a recorded decision replacing the one before, so no decision changes
-- without its record. Clusters follow the current decision (they read the leads' status).

CREATE TABLE exhibit_lead_decisions (
    id                  uuid PRIMARY KEY,
    lead_id             uuid NOT NULL REFERENCES exhibit_leads (id),
    decision            text NOT NULL CHECK (decision IN ('identification', 'inconclusive', 'elimination', 'unsuitable')),
    examination_id      uuid,
    note                text CHECK (length(note) BETWEEN 1 AND 2000),
    flagged_for_review  boolean NOT NULL DEFAULT false,
    -- The decision this one corrects (each is corrected at most once: the decisions of a lead form
    -- one line, whose last is the current one), with the reason.
    replaces_id         uuid UNIQUE REFERENCES exhibit_lead_decisions (id),
    reason              text CHECK (length(reason) BETWEEN 1 AND 2000),
    decided_by          text NOT NULL,
    decided_at          timestamptz NOT NULL,
    CONSTRAINT lead_decision_hit_names_examination CHECK ((decision = 'identification') = (examination_id IS NOT NULL)),
    CONSTRAINT lead_decision_correction_reasoned CHECK ((replaces_id IS NULL) = (reason IS NULL))
);
-- One first decision per lead; every later one replaces another.
CREATE UNIQUE INDEX exhibit_lead_decisions_first ON exhibit_lead_decisions (lead_id) WHERE replaces_id IS NULL;
CREATE INDEX exhibit_lead_decisions_lead ON exhibit_lead_decisions (lead_id, decided_at);

-- A correction replaces a decision of the same lead.
CREATE FUNCTION exhibit_lead_decisions_same_lead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.replaces_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM exhibit_lead_decisions d
                                                   WHERE d.id = NEW.replaces_id AND d.lead_id = NEW.lead_id) THEN
        RAISE EXCEPTION 'decision % replaces a decision of another lead', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_decision_same_lead';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER exhibit_lead_decisions_same_lead BEFORE INSERT ON exhibit_lead_decisions
    FOR EACH ROW EXECUTE FUNCTION exhibit_lead_decisions_same_lead();
CREATE TRIGGER exhibit_lead_decisions_insert_only BEFORE UPDATE OR DELETE ON exhibit_lead_decisions
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER exhibit_lead_decisions_no_truncate BEFORE TRUNCATE ON exhibit_lead_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();

-- The decisions made before this migration, each as its lead's first.
INSERT INTO exhibit_lead_decisions (id, lead_id, decision, examination_id, note, flagged_for_review, decided_by, decided_at)
SELECT gen_random_uuid(), id, status, examination_id, decision_note, flagged_for_review, decided_by, decided_at
FROM exhibit_leads WHERE status <> 'open';

ALTER TABLE exhibit_leads ADD COLUMN decision_id uuid REFERENCES exhibit_lead_decisions (id);
-- (the trigger as migration 0021 wrote it lets decision_id be set; it is replaced below)
UPDATE exhibit_leads l SET decision_id = d.id FROM exhibit_lead_decisions d WHERE d.lead_id = l.id;
ALTER TABLE exhibit_leads ADD CONSTRAINT lead_decision_recorded CHECK ((status = 'open') = (decision_id IS NULL));

-- A lead's decision columns change only to those of a recorded decision that replaces its current
-- one (or is the first); a withdrawn hit is not decided again; the exhibits never change.
CREATE OR REPLACE FUNCTION exhibit_leads_decided_once() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.status, NEW.examination_id, NEW.decided_by, NEW.decided_at, NEW.decision_id)
       IS DISTINCT FROM (OLD.status, OLD.examination_id, OLD.decided_by, OLD.decided_at, OLD.decision_id) THEN
        IF OLD.withdrawn_at IS NOT NULL THEN
            RAISE EXCEPTION 'lead % is a withdrawn hit: it is not decided again', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_decided_once';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM exhibit_lead_decisions d
                       WHERE d.id = NEW.decision_id AND d.lead_id = NEW.id AND d.decision = NEW.status
                         AND d.examination_id IS NOT DISTINCT FROM NEW.examination_id
                         AND d.decided_by = NEW.decided_by AND d.decided_at = NEW.decided_at
                         AND d.replaces_id IS NOT DISTINCT FROM OLD.decision_id) THEN
            RAISE EXCEPTION 'lead %: a decision changes only by a recorded decision replacing the current one', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_decided_once';
        END IF;
    END IF;
    IF OLD.withdrawn_at IS NOT NULL AND NEW.withdrawn_at IS DISTINCT FROM OLD.withdrawn_at THEN
        RAISE EXCEPTION 'lead % is withdrawn already', OLD.id USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_decided_once';
    END IF;
    IF NEW.exhibit_a <> OLD.exhibit_a OR NEW.exhibit_b <> OLD.exhibit_b OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'lead % links the same exhibits for ever', OLD.id USING ERRCODE = 'check_violation', CONSTRAINT = 'lead_decided_once';
    END IF;
    RETURN NEW;
END $$;

REVOKE ALL ON exhibit_lead_decisions FROM PUBLIC;
GRANT SELECT, INSERT ON exhibit_lead_decisions TO ifcd_app;
REVOKE ALL ON FUNCTION exhibit_lead_decisions_same_lead() FROM PUBLIC;
