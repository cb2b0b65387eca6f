-- International tracing (ITI section V): outgoing requests this country sends and incoming ones
-- it answers, their versions, messages (acknowledgements, requests for information, follow-ups,
-- answers) and, for incoming requests, the registry candidates matched on arrival.
--
-- The database holds the rules the lifecycle rests on: each status carries who moved it there
-- and when; an outgoing request leaves draft only with the ITI minimum content (para 17) and,
-- when it names a possessor or associates, with a recorded legal review; messages and matches
-- are insert-only; nothing is deleted.

CREATE TABLE traces (
    id                  uuid PRIMARY KEY,
    reference           text NOT NULL UNIQUE CHECK (reference ~ '^TR-[0-9]{4}-[0-9]{6,}$'),
    direction           text NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
    status              text NOT NULL CHECK (status IN ('draft', 'sent', 'acknowledged', 'answered', 'closed')),
    parent_id           uuid REFERENCES traces (id),
    addressee           jsonb,
    addressee_country   char(2) GENERATED ALWAYS AS ((addressee->>'country')::char(2)) STORED,
    requesting_state    char(2) CHECK (requesting_state ~ '^[A-Z]{2}$'),
    foreign_reference   text CHECK (length(foreign_reference) BETWEEN 1 AND 100),
    channel             text NOT NULL CHECK (channel IN ('iarms', 'etrace', 'diplomatic', 'bilateral', 'other')),
    requesting_officer  text CHECK (length(requesting_officer) BETWEEN 1 AND 200),
    requesting_agency   text CHECK (length(requesting_agency) BETWEEN 1 AND 200),
    firearm             jsonb,
    circumstances       jsonb,
    personal_data       boolean NOT NULL DEFAULT false,
    legal_basis         text CHECK (length(legal_basis) BETWEEN 1 AND 2000),
    illicit_nature      text CHECK (length(illicit_nature) BETWEEN 1 AND 2000),
    intended_use        text CHECK (length(intended_use) BETWEEN 1 AND 2000),
    urgency             text NOT NULL DEFAULT 'routine' CHECK (urgency IN ('routine', 'urgent')),
    deadline            date,
    confidentiality     text NOT NULL DEFAULT 'restricted' CHECK (confidentiality IN ('standard', 'restricted', 'confidential', 'secret')),
    restrictions        text CHECK (length(restrictions) BETWEEN 1 AND 2000),
    seizure_id          uuid,
    case_id             uuid,
    firearm_id          uuid,
    received_on         date,
    legal_review_approver text CHECK (length(legal_review_approver) BETWEEN 1 AND 200),
    legal_review_note   text CHECK (length(legal_review_note) BETWEEN 1 AND 2000),
    legal_review_by     text,
    legal_review_at     timestamptz,
    sent_by             text,
    sent_at             timestamptz,
    acknowledged_by     text,
    acknowledged_at     timestamptz,
    answered_by         text,
    answered_at         timestamptz,
    closed_by           text,
    closed_at           timestamptz,
    created_by          text NOT NULL,
    version             integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at          timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at          timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    CHECK (parent_id IS NULL OR parent_id <> id),
    -- Who and when come together, and each status has the steps before it.
    CHECK ((sent_by IS NULL) = (sent_at IS NULL) AND (acknowledged_by IS NULL) = (acknowledged_at IS NULL)
           AND (answered_by IS NULL) = (answered_at IS NULL) AND (closed_by IS NULL) = (closed_at IS NULL)
           AND (legal_review_by IS NULL) = (legal_review_at IS NULL) AND (legal_review_by IS NULL) = (legal_review_approver IS NULL)),
    CHECK (status <> 'draft' OR (direction = 'outgoing' AND sent_at IS NULL AND acknowledged_at IS NULL AND answered_at IS NULL AND closed_at IS NULL)),
    CHECK (status NOT IN ('sent', 'acknowledged', 'answered', 'closed') OR direction = 'incoming' OR sent_at IS NOT NULL),
    CHECK (status NOT IN ('acknowledged', 'answered', 'closed') OR acknowledged_at IS NOT NULL),
    CHECK (status NOT IN ('answered', 'closed') OR answered_at IS NOT NULL),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
    CHECK (status <> 'sent' OR (acknowledged_at IS NULL AND answered_at IS NULL)),
    CHECK (status <> 'acknowledged' OR answered_at IS NULL),
    -- An outgoing request names its addressee; an incoming one the state that asks, and arrives acknowledged.
    CHECK (direction <> 'outgoing' OR (addressee IS NOT NULL AND requesting_state IS NULL AND received_on IS NULL)),
    CHECK (direction <> 'incoming' OR (requesting_state IS NOT NULL AND received_on IS NOT NULL AND status <> 'sent'
                                       AND sent_at IS NULL AND parent_id IS NULL)),
    -- The ITI minimum content (para 17) before an outgoing request leaves draft.
    CHECK (direction <> 'outgoing' OR status = 'draft' OR (requesting_officer IS NOT NULL AND requesting_agency IS NOT NULL
           AND firearm IS NOT NULL AND circumstances IS NOT NULL AND legal_basis IS NOT NULL AND illicit_nature IS NOT NULL
           AND intended_use IS NOT NULL AND deadline IS NOT NULL)),
    -- Personal data of a possessor or associates leaves only after a recorded legal review.
    CHECK (personal_data = (circumstances IS NOT NULL AND (
               coalesce(jsonb_typeof(circumstances->'possessor'), 'null') = 'object'
               OR (jsonb_typeof(circumstances->'associates') = 'array' AND circumstances->'associates' <> '[]'::jsonb)))),
    CHECK (direction <> 'outgoing' OR status = 'draft' OR NOT personal_data OR legal_review_at IS NOT NULL)
);
CREATE INDEX traces_created ON traces (created_at DESC, id DESC);
CREATE INDEX traces_overdue ON traces (deadline, id) WHERE status IN ('sent', 'acknowledged');
CREATE INDEX traces_parent ON traces (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX traces_seizure ON traces (seizure_id) WHERE seizure_id IS NOT NULL;

CREATE TABLE trace_versions (
    trace_id     uuid NOT NULL REFERENCES traces (id),
    version      integer NOT NULL,
    record       jsonb NOT NULL,
    change       text NOT NULL,
    changed_by   text NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    PRIMARY KEY (trace_id, version)
);

-- Messages exchanged about a request: an answer carries its outcome and content.
CREATE TABLE trace_messages (
    id            uuid PRIMARY KEY,
    trace_id      uuid NOT NULL REFERENCES traces (id),
    kind          text NOT NULL CHECK (kind IN ('acknowledgement', 'information_request', 'follow_up', 'answer')),
    direction     text NOT NULL CHECK (direction IN ('received', 'sent')),
    occurred_on   date NOT NULL,
    body          text CHECK (length(body) BETWEEN 1 AND 8000),
    answer        jsonb,
    outcome       text CHECK (outcome IN ('traced', 'not_traced', 'delayed', 'restricted')),
    recorded_by   text NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    CHECK ((kind = 'answer') = (answer IS NOT NULL)),
    CHECK ((answer IS NULL) = (outcome IS NULL)),
    CHECK (outcome IS NULL OR answer->>'outcome' = outcome)
);
CREATE INDEX trace_messages_trace ON trace_messages (trace_id, recorded_at, id);

-- Registry candidates for an incoming request, scored on arrival, with why each matched.
CREATE TABLE trace_matches (
    id            uuid PRIMARY KEY,
    trace_id      uuid NOT NULL REFERENCES traces (id),
    firearm_id    uuid,
    component_id  uuid,
    reference     text NOT NULL,
    part          text NOT NULL,
    serial_normalized text,
    match         text NOT NULL CHECK (match IN ('exact', 'confusable', 'pattern', 'fuzzy')),
    distance      integer CHECK (distance BETWEEN 1 AND 2),
    score         integer NOT NULL CHECK (score BETWEEN 0 AND 100),
    reasons       text[] NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    CHECK (firearm_id IS NOT NULL OR component_id IS NOT NULL),
    CHECK ((match = 'fuzzy') = (distance IS NOT NULL))
);
CREATE INDEX trace_matches_trace ON trace_matches (trace_id, score DESC, id);

CREATE TRIGGER trace_versions_insert_only BEFORE UPDATE OR DELETE ON trace_versions
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER trace_versions_no_truncate BEFORE TRUNCATE ON trace_versions
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER trace_messages_insert_only BEFORE UPDATE OR DELETE ON trace_messages
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER trace_messages_no_truncate BEFORE TRUNCATE ON trace_messages
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER trace_matches_insert_only BEFORE UPDATE OR DELETE ON trace_matches
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER trace_matches_no_truncate BEFORE TRUNCATE ON trace_matches
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();

REVOKE ALL ON traces, trace_versions, trace_messages, trace_matches FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON traces TO ifcd_app;
GRANT SELECT, INSERT ON trace_versions, trace_messages, trace_matches TO ifcd_app;
