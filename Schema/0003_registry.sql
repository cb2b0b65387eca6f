-- The national firearms registry: holders, firearms, their versions and lifecycle events.
-- Times of records are kept to the millisecond, the precision the API shows, so that a stored
-- version (JSON built by the server) and the record as read agree exactly.
--
-- Nothing is deleted: the application role has no DELETE here. Every change of a firearm writes
-- a new row in firearm_versions (the full record as it became), so its history stays readable.
-- Serials are kept as marked, normalised (upper case, separators removed) and folded (commonly
-- confused characters mapped to one: O->0, I/L->1, S->5, B->8, Z->2); the trigram indexes on
-- the normalised and folded forms serve the partial-serial search without a table scan.

-- pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it. The
-- embedded cluster creates it at bootstrap already.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE SEQUENCE holder_reference_seq;
CREATE SEQUENCE firearm_reference_seq;

CREATE TABLE holders (
    id           uuid PRIMARY KEY,
    reference    text NOT NULL UNIQUE CHECK (reference ~ '^HO-[0-9]{6,}$'),
    kind         text NOT NULL CHECK (kind IN ('person', 'dealer', 'manufacturer', 'security_company', 'state_agency', 'other')),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    id_number    text CHECK (length(id_number) BETWEEN 1 AND 100),
    address      text CHECK (length(address) <= 1000),
    country      char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    version      integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
CREATE INDEX holders_name ON holders USING gin (lower(name) gin_trgm_ops);
CREATE INDEX holders_name_order ON holders (lower(name), id);
CREATE INDEX holders_id_number ON holders (upper(id_number));

CREATE TABLE firearms (
    id                     uuid PRIMARY KEY,
    reference              text NOT NULL UNIQUE CHECK (reference ~ '^FA-[0-9]{7,}$'),
    make                   text NOT NULL CHECK (length(make) BETWEEN 1 AND 100),
    model                  text CHECK (length(model) <= 100),
    type                   text NOT NULL CHECK (type IN ('pistol', 'revolver', 'rifle', 'carbine', 'shotgun', 'submachine_gun', 'machine_gun', 'other')),
    calibre                text NOT NULL CHECK (length(calibre) BETWEEN 1 AND 50),
    serial_marked          text NOT NULL CHECK (length(serial_marked) BETWEEN 1 AND 100),
    serial_normalized      text NOT NULL CHECK (serial_normalized ~ '^[A-Z0-9]{1,100}$'),
    serial_folded          text NOT NULL,
    other_markings         text CHECK (length(other_markings) <= 1000),
    country_of_manufacture char(2) CHECK (country_of_manufacture ~ '^[A-Z]{2}$'),
    year_of_manufacture    integer CHECK (year_of_manufacture BETWEEN 1800 AND 2200),
    import_country         char(2) CHECK (import_country ~ '^[A-Z]{2}$'),
    import_year            integer CHECK (import_year BETWEEN 1800 AND 2200),
    importer               text CHECK (length(importer) <= 200),
    barrel_length_mm       integer CHECK (barrel_length_mm BETWEEN 1 AND 3000),
    action                 text CHECK (length(action) <= 100),
    notes                  text CHECK (length(notes) <= 4000),
    status                 text NOT NULL DEFAULT 'registered' CHECK (status IN ('registered', 'licensed', 'lost', 'stolen',
                               'seized', 'recovered', 'surrendered', 'deactivated', 'destroyed', 'exported')),
    holder_id              uuid REFERENCES holders (id),
    version                integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at             timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at             timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
-- One record per (make, serial, type, calibre): a second registration is a duplicate (409).
CREATE UNIQUE INDEX firearms_identity ON firearms (lower(make), serial_normalized, type, lower(calibre));
-- text_pattern_ops: equality and anchored LIKE ('AB_12%') use it whatever the database collation.
CREATE INDEX firearms_serial ON firearms (serial_normalized text_pattern_ops);
CREATE INDEX firearms_serial_trgm ON firearms USING gin (serial_normalized gin_trgm_ops);
CREATE INDEX firearms_folded_trgm ON firearms USING gin (serial_folded gin_trgm_ops);
CREATE INDEX firearms_folded ON firearms (serial_folded text_pattern_ops);
CREATE INDEX firearms_holder ON firearms (holder_id, id);
CREATE INDEX firearms_make_model ON firearms (lower(make), lower(model), id);

-- Each version of a firearm as it became, with who made it and why.
CREATE TABLE firearm_versions (
    firearm_id   uuid NOT NULL REFERENCES firearms (id),
    version      integer NOT NULL,
    record       jsonb NOT NULL,
    change       text NOT NULL,
    changed_by   text NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    PRIMARY KEY (firearm_id, version)
);

CREATE TABLE firearm_events (
    id              uuid PRIMARY KEY,
    firearm_id      uuid NOT NULL REFERENCES firearms (id),
    kind            text NOT NULL CHECK (kind IN ('manufactured', 'imported', 'registered', 'licensed', 'transferred',
                        'reported_lost', 'reported_stolen', 'seized', 'recovered', 'surrendered', 'deactivated', 'destroyed')),
    transfer_kind   text CHECK (transfer_kind IN ('domestic', 'import', 'export')),
    occurred_on     date NOT NULL,
    place           text CHECK (length(place) <= 300),
    agency          text CHECK (length(agency) <= 200),
    document_ref    text CHECK (length(document_ref) <= 200),
    permit_number   text CHECK (length(permit_number) <= 100),
    counterpart_country char(2) CHECK (counterpart_country ~ '^[A-Z]{2}$'),
    counterpart_holder_id uuid REFERENCES holders (id),
    notes           text CHECK (length(notes) <= 4000),
    status_after    text NOT NULL,
    firearm_version integer NOT NULL,
    recorded_by     text NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
CREATE INDEX firearm_events_firearm ON firearm_events (firearm_id, occurred_on, recorded_at);

REVOKE ALL ON holders, firearms, firearm_versions, firearm_events FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON holders, firearms TO ifcd_app;
GRANT SELECT, INSERT ON firearm_versions, firearm_events TO ifcd_app;
GRANT USAGE ON SEQUENCE holder_reference_seq, firearm_reference_seq TO ifcd_app;
