-- Need-to-know for tracing requests, and a legal review given by a lawyer (issue 24).
--
-- A trace is seen like a case: a `standard` or `restricted` one by anyone whose role reads traces
-- and whose clearance reaches its level; a `confidential` or `secret` one only by the current
-- members of its team so cleared; and a trace made from a case only by who may see that case
-- (`trace_visible`, said once; the tracing module's reads and lists ask it).
--
-- The legal review that lets personal data leave the country is given by a user holding the role
-- `legal`, in their own name, never the one who drafted or recorded the request. An answer to an
-- incoming request that names holders is sent only as a legal reviewer approved it, bound to the
-- registry firearm and the version of its record that the answer disclosed.

ALTER TABLE users DROP CONSTRAINT users_roles_check;
ALTER TABLE users ADD CONSTRAINT users_roles_check CHECK (
    cardinality(roles) > 0
    AND roles <@ ARRAY['admin', 'clerk', 'analyst', 'examiner', 'liaison', 'auditor', 'bulk_reader', 'legal']::text[]);

-- A trace's team: its drafter, and users a member who is a liaison officer added, each with a reason.
CREATE TABLE trace_members (
    id              uuid PRIMARY KEY,
    trace_id        uuid NOT NULL REFERENCES traces (id),
    -- An account of the accounts module (read through its API when a member is added).
    user_id         uuid NOT NULL,
    username        text NOT NULL,
    reason          text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    added_by        text NOT NULL,
    added_at        timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    removed_by      text,
    removed_at      timestamptz,
    CHECK ((removed_at IS NULL) = (removed_by IS NULL))
);
CREATE UNIQUE INDEX trace_members_current ON trace_members (trace_id, user_id) WHERE removed_at IS NULL;
CREATE INDEX trace_members_user ON trace_members (user_id, trace_id) WHERE removed_at IS NULL;

CREATE FUNCTION trace_members_ended_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.removed_at IS NOT NULL THEN
        RAISE EXCEPTION 'membership % has ended already', OLD.id USING ERRCODE = 'check_violation', CONSTRAINT = 'membership_ended_once';
    END IF;
    IF (NEW.id, NEW.trace_id, NEW.user_id, NEW.username, NEW.reason, NEW.added_by, NEW.added_at)
       IS DISTINCT FROM (OLD.id, OLD.trace_id, OLD.user_id, OLD.username, OLD.reason, OLD.added_by, OLD.added_at) THEN
        RAISE EXCEPTION 'membership % is kept as it was added', OLD.id USING ERRCODE = 'check_violation', CONSTRAINT = 'membership_ended_once';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER trace_members_ended_once BEFORE UPDATE ON trace_members
    FOR EACH ROW EXECUTE FUNCTION trace_members_ended_once();
CREATE TRIGGER trace_members_no_delete BEFORE DELETE ON trace_members
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER trace_members_no_truncate BEFORE TRUNCATE ON trace_members
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();

-- The drafters of the traces recorded before teams existed are their first members.
INSERT INTO trace_members (id, trace_id, user_id, username, reason, added_by, added_at)
SELECT gen_random_uuid(), t.id, u.id, u.username, 'drafted the request', t.created_by, t.created_at
FROM traces t JOIN users u ON lower(u.username) = lower(t.created_by);

-- The rule: may the user `viewer`, cleared to `clearance`, see trace `trace_id`?
CREATE FUNCTION trace_visible(trace_id uuid, confidentiality text, case_id uuid, viewer uuid, clearance text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ifcd_clearance_rank(confidentiality) <= ifcd_clearance_rank(clearance)
       AND (confidentiality IN ('standard', 'restricted')
            OR EXISTS (SELECT 1 FROM trace_members m
                       WHERE m.trace_id = trace_visible.trace_id AND m.user_id = viewer AND m.removed_at IS NULL))
       -- A trace made from a case follows the case (the forensics module's published rule).
       AND (trace_visible.case_id IS NULL OR forensic_case_visible_to(trace_visible.case_id, viewer, clearance))
$$;

-- The legal review of a request is given by a user holding `legal`, not its drafter, in the
-- approver's own name (no free-text approver since this migration; reviews recorded before keep
-- what they said).
CREATE FUNCTION traces_legal_review_by_lawyer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.legal_review_by IS NULL
       OR (TG_OP = 'UPDATE' AND (NEW.legal_review_by, NEW.legal_review_at) IS NOT DISTINCT FROM (OLD.legal_review_by, OLD.legal_review_at)) THEN
        RETURN NEW;
    END IF;
    IF lower(NEW.legal_review_by) = lower(NEW.created_by) THEN
        RAISE EXCEPTION 'trace % is legally reviewed by someone other than %, who recorded it', NEW.reference, NEW.created_by
            USING ERRCODE = 'check_violation', CONSTRAINT = 'legal_review_not_by_drafter';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users u WHERE lower(u.username) = lower(NEW.legal_review_by) AND 'legal' = ANY (u.roles) AND NOT u.disabled) THEN
        RAISE EXCEPTION 'trace % is legally reviewed by a user holding the role legal, not %', NEW.reference, NEW.legal_review_by
            USING ERRCODE = 'check_violation', CONSTRAINT = 'legal_review_by_legal';
    END IF;
    IF NEW.legal_review_approver IS DISTINCT FROM NEW.legal_review_by THEN
        RAISE EXCEPTION 'trace % is approved in the reviewer''s own name', NEW.reference
            USING ERRCODE = 'check_violation', CONSTRAINT = 'legal_review_own_name';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER traces_legal_review_by_lawyer BEFORE INSERT OR UPDATE ON traces
    FOR EACH ROW EXECUTE FUNCTION traces_legal_review_by_lawyer();

-- Does an answer name holders (the last lawful holder, or a party to a sale, transfer or licence)?
CREATE FUNCTION trace_answer_names_holders(answer jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT answer IS NOT NULL AND (
        coalesce(jsonb_typeof(answer->'last_lawful_holder'), 'null') <> 'null'
        OR EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(answer->'transfers') = 'array' THEN answer->'transfers' ELSE '[]'::jsonb END) s
                   WHERE s->>'kind' NOT IN ('manufacture', 'import') AND (s->>'to' IS NOT NULL OR s->>'from' IS NOT NULL)))
$$;

-- A legal review of the answer to an incoming request: the answer as the registry gave it for
-- one firearm at one version of its record, approved by a lawyer. Insert-only.
CREATE TABLE trace_answer_reviews (
    id               uuid PRIMARY KEY,
    trace_id         uuid NOT NULL REFERENCES traces (id),
    firearm_id       uuid NOT NULL,
    firearm_version  integer NOT NULL CHECK (firearm_version > 0),
    answer           jsonb NOT NULL,
    note             text CHECK (length(note) BETWEEN 1 AND 2000),
    reviewed_by      text NOT NULL,
    reviewed_at      timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    UNIQUE (id, trace_id)
);
CREATE INDEX trace_answer_reviews_trace ON trace_answer_reviews (trace_id, reviewed_at DESC);

CREATE FUNCTION trace_answer_reviews_by_lawyer() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t traces%ROWTYPE;
BEGIN
    SELECT * INTO t FROM traces WHERE id = NEW.trace_id;
    IF t.direction <> 'incoming' THEN
        RAISE EXCEPTION 'trace % is outgoing: an answer is reviewed on an incoming request', t.reference
            USING ERRCODE = 'check_violation', CONSTRAINT = 'answer_review_incoming';
    END IF;
    IF lower(NEW.reviewed_by) = lower(t.created_by) THEN
        RAISE EXCEPTION 'trace % is legally reviewed by someone other than %, who recorded it', t.reference, t.created_by
            USING ERRCODE = 'check_violation', CONSTRAINT = 'legal_review_not_by_drafter';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users u WHERE lower(u.username) = lower(NEW.reviewed_by) AND 'legal' = ANY (u.roles) AND NOT u.disabled) THEN
        RAISE EXCEPTION 'trace % is legally reviewed by a user holding the role legal, not %', t.reference, NEW.reviewed_by
            USING ERRCODE = 'check_violation', CONSTRAINT = 'legal_review_by_legal';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER trace_answer_reviews_by_lawyer BEFORE INSERT ON trace_answer_reviews
    FOR EACH ROW EXECUTE FUNCTION trace_answer_reviews_by_lawyer();
CREATE TRIGGER trace_answer_reviews_insert_only BEFORE UPDATE OR DELETE ON trace_answer_reviews
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER trace_answer_reviews_no_truncate BEFORE TRUNCATE ON trace_answer_reviews
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();

-- An answer is bound to the registry firearm and the version of its record it disclosed, and, when
-- it names holders on an incoming request, to the legal review that approved exactly it.
ALTER TABLE trace_messages
    ADD COLUMN firearm_id uuid,
    ADD COLUMN firearm_version integer CHECK (firearm_version > 0),
    ADD COLUMN answer_review_id uuid,
    ADD CONSTRAINT trace_message_firearm_versioned CHECK ((firearm_id IS NULL) = (firearm_version IS NULL)),
    ADD CONSTRAINT trace_message_review_of_answer CHECK (answer_review_id IS NULL OR (kind = 'answer' AND firearm_id IS NOT NULL)),
    ADD CONSTRAINT trace_message_review_of_trace FOREIGN KEY (answer_review_id, trace_id) REFERENCES trace_answer_reviews (id, trace_id);

CREATE FUNCTION trace_messages_reviewed_answer() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t traces%ROWTYPE;
    r trace_answer_reviews%ROWTYPE;
BEGIN
    IF NEW.kind <> 'answer' THEN RETURN NEW; END IF;
    SELECT * INTO t FROM traces WHERE id = NEW.trace_id;
    IF t.direction <> 'incoming' OR NOT trace_answer_names_holders(NEW.answer) THEN RETURN NEW; END IF;
    SELECT * INTO r FROM trace_answer_reviews WHERE id = NEW.answer_review_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the answer to % names holders: it is sent only after a legal review of it', t.reference
            USING ERRCODE = 'check_violation', CONSTRAINT = 'answer_needs_legal_review';
    END IF;
    IF r.answer <> NEW.answer OR r.firearm_id IS DISTINCT FROM NEW.firearm_id OR r.firearm_version IS DISTINCT FROM NEW.firearm_version THEN
        RAISE EXCEPTION 'the answer to % is not the one its legal review approved', t.reference
            USING ERRCODE = 'check_violation', CONSTRAINT = 'answer_as_reviewed';
    END IF;
    IF lower(r.reviewed_by) = lower(NEW.recorded_by) THEN
        RAISE EXCEPTION 'the answer to % is sent by someone other than its legal reviewer', t.reference
            USING ERRCODE = 'check_violation', CONSTRAINT = 'answer_not_sent_by_reviewer';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER trace_messages_reviewed_answer BEFORE INSERT ON trace_messages
    FOR EACH ROW EXECUTE FUNCTION trace_messages_reviewed_answer();

REVOKE ALL ON trace_members, trace_answer_reviews FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON trace_members TO ifcd_app;
GRANT SELECT, INSERT ON trace_answer_reviews TO ifcd_app;
REVOKE ALL ON FUNCTION trace_visible(uuid, text, uuid, uuid, text), trace_answer_names_holders(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION trace_visible(uuid, text, uuid, uuid, text), trace_answer_names_holders(jsonb) TO ifcd_app;
