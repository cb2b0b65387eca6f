-- Transfers abroad (UN Firearms Protocol Arts 7 and 10, EU 2021/555 Art 4): the export and
-- import licences with their dates, the exporting, importing and transit countries, the foreign
-- party and the final recipient, kept with the transfer event; a consignment groups many
-- firearms in one transfer and records the delivery verification when it arrives.
-- Who handed a firearm over is kept on the transfer (from_holder_id): the seller's licence
-- cover ends with it, and a dealer's register lists it as a disposition.
-- Licences gain their conditions (storage, carry, purpose), part of the licence and its history.

CREATE TABLE consignments (
    id                    uuid PRIMARY KEY,
    reference             text NOT NULL UNIQUE CHECK (reference ~ '^CS-[0-9]{4}-[0-9]{6,}$'),
    direction             text NOT NULL CHECK (direction IN ('export', 'import')),
    shipped_on            date NOT NULL,
    -- The importing state of an export, the exporting state of an import.
    counterpart_country   char(2) NOT NULL CHECK (counterpart_country ~ '^[A-Z]{2}$'),
    cross_border          jsonb NOT NULL,
    quantity              integer NOT NULL CHECK (quantity BETWEEN 1 AND 100000),
    firearm_ids           uuid[] NOT NULL,
    delivery_verified_on  date,
    delivery_document     text CHECK (length(delivery_document) BETWEEN 1 AND 200),
    notes                 text CHECK (length(notes) <= 4000),
    version               integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at            timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at            timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    CHECK ((delivery_verified_on IS NULL) = (delivery_document IS NULL))
);

CREATE TABLE consignment_versions (
    consignment_id  uuid NOT NULL REFERENCES consignments (id),
    version         integer NOT NULL,
    record          jsonb NOT NULL,
    change          text NOT NULL,
    changed_by      text NOT NULL,
    changed_at      timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    PRIMARY KEY (consignment_id, version)
);
CREATE TRIGGER consignment_versions_insert_only BEFORE UPDATE OR DELETE ON consignment_versions
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER consignment_versions_no_truncate BEFORE TRUNCATE ON consignment_versions
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();

ALTER TABLE firearm_events
    ADD COLUMN from_holder_id  uuid REFERENCES holders (id),
    ADD COLUMN cross_border    jsonb,
    ADD COLUMN consignment_id  uuid REFERENCES consignments (id);
CREATE INDEX firearm_events_from_holder ON firearm_events (from_holder_id, occurred_on) WHERE from_holder_id IS NOT NULL;
CREATE INDEX firearm_events_counterpart ON firearm_events (counterpart_holder_id, occurred_on) WHERE counterpart_holder_id IS NOT NULL;
CREATE INDEX firearm_events_consignment ON firearm_events (consignment_id) WHERE consignment_id IS NOT NULL;

ALTER TABLE licences ADD COLUMN conditions jsonb NOT NULL DEFAULT '[]'::jsonb;

REVOKE ALL ON consignments, consignment_versions FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON consignments TO ifcd_app;
GRANT SELECT, INSERT ON consignment_versions TO ifcd_app;
