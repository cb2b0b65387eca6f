-- Exhibits and their chain of custody (ISO/IEC 17025 §7.4). The exhibits module owns these
-- tables; a case, a seizure and a registry firearm are checked through their modules' read
-- APIs, so their ids carry no foreign key across modules.

-- An exhibit: an item of a case the lab holds, its kind-specific description, where it is and
-- who holds it. Kind-specific fields are refused on other kinds here as well as in the code.
CREATE TABLE exhibits (
    id                   uuid PRIMARY KEY,
    reference            text NOT NULL UNIQUE CHECK (reference ~ '^EX-[0-9]{4}-[0-9]{6,}$'),
    barcode              text NOT NULL UNIQUE CHECK (length(barcode) BETWEEN 1 AND 100),
    kind                 text NOT NULL CHECK (kind IN ('firearm', 'cartridge_case', 'bullet', 'bullet_fragment', 'live_ammunition',
                                                       'magazine', 'part_or_component', 'other')),
    case_id              uuid NOT NULL,
    seizure_id           uuid,
    parent_id            uuid REFERENCES exhibits (id),
    derivation           text CHECK (derivation IN ('test_fire', 'sub_item')),
    description          text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    quantity             integer NOT NULL CHECK (quantity BETWEEN 1 AND 100000),
    calibre              text CHECK (length(calibre) BETWEEN 1 AND 50),
    seal_number          text CHECK (length(seal_number) BETWEEN 1 AND 100),
    condition_on_receipt text CHECK (length(condition_on_receipt) BETWEEN 1 AND 1000),
    storage_location     text CHECK (length(storage_location) BETWEEN 1 AND 200),
    headstamp            text CHECK (length(headstamp) BETWEEN 1 AND 100),
    lot                  text CHECK (length(lot) BETWEEN 1 AND 100),
    lands_and_grooves    integer CHECK (lands_and_grooves BETWEEN 1 AND 40),
    twist_direction      text CHECK (twist_direction IN ('left', 'right')),
    manufacture_origin   text CHECK (manufacture_origin IN ('industrial', 'craft', 'privately_made', 'converted')),
    firearm_id           uuid,
    received_on          date NOT NULL,
    -- Who or what holds it now: a user of this system, a storage location, or someone outside
    -- the system it was handed over to (a court, the submitting unit).
    custodian_kind       text NOT NULL CHECK (custodian_kind IN ('user', 'location', 'outside')),
    custodian            text NOT NULL CHECK (length(custodian) BETWEEN 1 AND 200),
    status               text NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'in_transit', 'disposed')),
    seal_broken          boolean NOT NULL DEFAULT false,
    disposition          text CHECK (disposition IN ('returned_to_owner', 'destroyed', 'retained', 'transferred_to_court')),
    disposition_authority text CHECK (length(disposition_authority) BETWEEN 1 AND 300),
    disposed_on          date,
    created_by           text NOT NULL,
    version              integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at           timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at           timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    CONSTRAINT exhibit_derivation_names_parent CHECK ((parent_id IS NULL) = (derivation IS NULL)),
    CONSTRAINT exhibit_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id),
    CONSTRAINT exhibit_headstamp_on_ammunition CHECK ((headstamp IS NULL AND lot IS NULL) OR kind IN ('live_ammunition', 'cartridge_case')),
    CONSTRAINT exhibit_rifling_on_bullets CHECK ((lands_and_grooves IS NULL AND twist_direction IS NULL) OR kind IN ('bullet', 'bullet_fragment')),
    CONSTRAINT exhibit_origin_on_firearms CHECK (manufacture_origin IS NULL OR kind IN ('firearm', 'part_or_component')),
    CONSTRAINT exhibit_registry_firearm_on_firearm CHECK (firearm_id IS NULL OR kind = 'firearm'),
    CONSTRAINT exhibit_disposition_complete CHECK ((status = 'disposed') = (disposition IS NOT NULL)
                                                   AND (disposition IS NULL) = (disposition_authority IS NULL)
                                                   AND (disposition IS NULL) = (disposed_on IS NULL))
);
CREATE INDEX exhibits_listed ON exhibits (created_at DESC, id DESC);
CREATE INDEX exhibits_case ON exhibits (case_id, created_at DESC, id DESC);
CREATE INDEX exhibits_custodian ON exhibits (custodian_kind, lower(custodian), created_at DESC, id DESC);
CREATE INDEX exhibits_location ON exhibits (storage_location, created_at DESC, id DESC);
CREATE INDEX exhibits_parent ON exhibits (parent_id);

-- A disposed exhibit is final: whatever the code above does, nothing moves it again.
CREATE FUNCTION exhibits_disposal_is_final() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'disposed' AND (NEW.status <> 'disposed' OR NEW.custodian IS DISTINCT FROM OLD.custodian
                                    OR NEW.custodian_kind IS DISTINCT FROM OLD.custodian_kind
                                    OR NEW.disposition IS DISTINCT FROM OLD.disposition) THEN
        RAISE EXCEPTION 'exhibit % is disposed of: its custody does not change', OLD.reference
            USING ERRCODE = 'check_violation', CONSTRAINT = 'exhibit_disposal_is_final';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER exhibits_disposal_is_final BEFORE UPDATE ON exhibits
    FOR EACH ROW EXECUTE FUNCTION exhibits_disposal_is_final();

CREATE TABLE exhibit_versions (
    exhibit_id   uuid NOT NULL REFERENCES exhibits (id),
    version      integer NOT NULL,
    record       jsonb NOT NULL,
    change       text NOT NULL,
    changed_by   text NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    PRIMARY KEY (exhibit_id, version)
);

-- A hand-over: sent by the custodian, then received by the named receiver (or, for someone
-- outside the system, recorded by the sender with the signed receipt), or cancelled by the
-- sender. At most one transfer of an exhibit is open at a time (the unique partial index), so
-- concurrent senders cannot both put it in transit.
CREATE TABLE exhibit_transfers (
    id                     uuid PRIMARY KEY,
    exhibit_id             uuid NOT NULL REFERENCES exhibits (id),
    from_kind              text NOT NULL CHECK (from_kind IN ('user', 'location', 'outside')),
    from_party             text NOT NULL CHECK (length(from_party) BETWEEN 1 AND 200),
    sent_by                text NOT NULL,
    to_kind                text NOT NULL CHECK (to_kind IN ('user', 'location', 'outside')),
    to_party               text NOT NULL CHECK (length(to_party) BETWEEN 1 AND 200),
    purpose                text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 500),
    seal_number            text CHECK (length(seal_number) BETWEEN 1 AND 100),
    seal_intact            boolean NOT NULL,
    status                 text NOT NULL DEFAULT 'in_transit' CHECK (status IN ('in_transit', 'received', 'cancelled')),
    sent_at                timestamptz NOT NULL,
    received_by            text,
    received_at            timestamptz,
    seal_intact_on_receipt boolean,
    condition              text CHECK (length(condition) BETWEEN 1 AND 1000),
    remarks                text CHECK (length(remarks) BETWEEN 1 AND 2000),
    receipt_sha256         text CHECK (receipt_sha256 ~ '^[0-9a-f]{64}$'),
    receipt_reference      text CHECK (length(receipt_reference) BETWEEN 1 AND 200),
    cancelled_by           text,
    cancelled_at           timestamptz,
    cancel_reason          text CHECK (length(cancel_reason) BETWEEN 1 AND 1000),
    CONSTRAINT transfer_receipt_complete CHECK ((status = 'received') = (received_by IS NOT NULL AND received_at IS NOT NULL
                                                                           AND seal_intact_on_receipt IS NOT NULL)),
    CONSTRAINT transfer_cancel_complete CHECK ((status = 'cancelled') = (cancelled_by IS NOT NULL AND cancelled_at IS NOT NULL)),
    CONSTRAINT transfer_cancelled_by_sender CHECK (cancelled_by IS NULL OR cancelled_by = sent_by),
    CONSTRAINT transfer_received_by_named_user CHECK (status <> 'received' OR to_kind <> 'user' OR lower(received_by) = lower(to_party)),
    CONSTRAINT transfer_outside_receipt_by_sender CHECK (status <> 'received' OR to_kind <> 'outside'
                                                         OR (received_by = sent_by AND receipt_sha256 IS NOT NULL
                                                             AND receipt_reference IS NOT NULL)),
    CONSTRAINT transfer_not_to_itself CHECK (from_kind <> to_kind OR from_party <> to_party)
);
CREATE UNIQUE INDEX exhibit_transfers_one_open ON exhibit_transfers (exhibit_id) WHERE status = 'in_transit';
CREATE INDEX exhibit_transfers_in_transit ON exhibit_transfers (sent_at) WHERE status = 'in_transit';

-- Only the exhibit's holder sends it, and only while it is held: the sending party must be the
-- exhibit's custodian at that moment (its row locked), and the exhibit neither in transit nor
-- disposed of. The unique index above keeps concurrent senders to one; this keeps a sender to the
-- holder.
CREATE FUNCTION exhibit_transfers_from_holder() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    held exhibits%ROWTYPE;
BEGIN
    SELECT * INTO held FROM exhibits WHERE id = NEW.exhibit_id FOR UPDATE;
    IF held.status <> 'held' OR held.custodian_kind <> NEW.from_kind OR held.custodian <> NEW.from_party THEN
        RAISE EXCEPTION 'exhibit % is % by % %: it is not sent by %', held.reference, held.status, held.custodian_kind, held.custodian,
                        NEW.from_party
            USING ERRCODE = 'check_violation', CONSTRAINT = 'transfer_from_holder';
    END IF;
    IF NEW.from_kind = 'user' AND lower(NEW.sent_by) <> lower(NEW.from_party) THEN
        RAISE EXCEPTION 'exhibit % is held by %: only they send it', held.reference, held.custodian
            USING ERRCODE = 'check_violation', CONSTRAINT = 'transfer_from_holder';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER exhibit_transfers_from_holder BEFORE INSERT ON exhibit_transfers
    FOR EACH ROW EXECUTE FUNCTION exhibit_transfers_from_holder();

-- A transfer is settled once: received or cancelled, never reopened or changed after.
CREATE FUNCTION exhibit_transfers_settle_once() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'in_transit' THEN
        RAISE EXCEPTION 'transfer % is % already', OLD.id, OLD.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'transfer_settled_once';
    END IF;
    IF NEW.exhibit_id <> OLD.exhibit_id OR NEW.sent_by <> OLD.sent_by OR NEW.to_kind <> OLD.to_kind OR NEW.to_party <> OLD.to_party
       OR NEW.sent_at <> OLD.sent_at OR NEW.from_party <> OLD.from_party THEN
        RAISE EXCEPTION 'transfer % is settled, not rewritten', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'transfer_settled_once';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER exhibit_transfers_settle_once BEFORE UPDATE ON exhibit_transfers
    FOR EACH ROW EXECUTE FUNCTION exhibit_transfers_settle_once();

-- The chain of custody, insert-only. Entry n names entry n-1 of the same exhibit (a foreign
-- key), and (exhibit, n) is the primary key: so the chain has no gap (every entry's predecessor
-- exists), never forks (no two entries share a predecessor) and starts once (entry 1 alone has
-- none, and it is the intake).
CREATE TABLE exhibit_custody (
    exhibit_id      uuid NOT NULL REFERENCES exhibits (id),
    seq             integer NOT NULL CHECK (seq >= 1),
    previous_seq    integer,
    event           text NOT NULL CHECK (event IN ('intake', 'sent', 'received', 'cancelled', 'handed_over', 'resealed', 'disposed')),
    transfer_id     uuid REFERENCES exhibit_transfers (id),
    recorded_by     text NOT NULL,
    -- Who holds it after this entry (for 'sent': the sender, until the receipt).
    custodian_kind  text NOT NULL CHECK (custodian_kind IN ('user', 'location', 'outside')),
    custodian       text NOT NULL,
    seal_number     text,
    seal_intact     boolean,
    detail          jsonb NOT NULL DEFAULT '{}',
    at              timestamptz NOT NULL,
    PRIMARY KEY (exhibit_id, seq),
    CONSTRAINT custody_names_predecessor CHECK ((seq = 1 AND previous_seq IS NULL) OR previous_seq = seq - 1),
    CONSTRAINT custody_starts_with_intake CHECK ((seq = 1) = (event = 'intake')),
    CONSTRAINT custody_transfer_events CHECK ((transfer_id IS NOT NULL) = (event IN ('sent', 'received', 'cancelled', 'handed_over'))),
    FOREIGN KEY (exhibit_id, previous_seq) REFERENCES exhibit_custody (exhibit_id, seq)
);
-- Each transfer is sent once and settled once in the chain.
CREATE UNIQUE INDEX exhibit_custody_transfer_sent ON exhibit_custody (transfer_id) WHERE event = 'sent';
CREATE UNIQUE INDEX exhibit_custody_transfer_settled ON exhibit_custody (transfer_id) WHERE event IN ('received', 'cancelled', 'handed_over');
CREATE UNIQUE INDEX exhibit_custody_disposed_once ON exhibit_custody (exhibit_id) WHERE event = 'disposed';

-- Nothing follows a disposal in the chain.
CREATE FUNCTION exhibit_custody_after_disposal() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM exhibit_custody WHERE exhibit_id = NEW.exhibit_id AND event = 'disposed') THEN
        RAISE EXCEPTION 'exhibit % is disposed of: its chain of custody is closed', NEW.exhibit_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'custody_closed_by_disposal';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER exhibit_custody_after_disposal BEFORE INSERT ON exhibit_custody
    FOR EACH ROW EXECUTE FUNCTION exhibit_custody_after_disposal();

CREATE TRIGGER exhibit_versions_insert_only BEFORE UPDATE OR DELETE ON exhibit_versions
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER exhibit_versions_no_truncate BEFORE TRUNCATE ON exhibit_versions
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER exhibit_custody_insert_only BEFORE UPDATE OR DELETE ON exhibit_custody
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER exhibit_custody_no_truncate BEFORE TRUNCATE ON exhibit_custody
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER exhibit_transfers_no_delete BEFORE DELETE ON exhibit_transfers
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER exhibit_transfers_no_truncate BEFORE TRUNCATE ON exhibit_transfers
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER exhibits_no_delete BEFORE DELETE ON exhibits
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();

REVOKE ALL ON exhibits, exhibit_versions, exhibit_transfers, exhibit_custody FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON exhibits, exhibit_transfers TO ifcd_app;
GRANT SELECT, INSERT ON exhibit_versions, exhibit_custody TO ifcd_app;
