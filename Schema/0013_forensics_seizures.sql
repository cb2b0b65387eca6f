-- Forensics: seizures, forensic cases, their links and examinations. Written only by the
-- forensics module; registry records are reached through the registry's read and intake APIs,
-- so no table here has a foreign key into the registry's (a firearm id is kept as the id the
-- registry gave). Nothing is deleted: corrections are new versions, kept in the history tables.

-- A seizure: the enforcement event that brings illicit items into view (UNODC IAFQ).
CREATE TABLE seizures (
    id            uuid PRIMARY KEY,
    reference     text NOT NULL UNIQUE CHECK (reference ~ '^SZ-[0-9]{4}-[0-9]{6,}$'),
    agency        text NOT NULL CHECK (length(agency) BETWEEN 1 AND 200),
    officer       text NOT NULL CHECK (length(officer) BETWEEN 1 AND 200),
    seized_on     date NOT NULL,
    country       char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    region        text CHECK (length(region) BETWEEN 1 AND 200),
    place         text CHECK (length(place) BETWEEN 1 AND 300),
    latitude      double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude     double precision CHECK (longitude BETWEEN -180 AND 180),
    context       text NOT NULL CHECK (context IN ('border_crossing', 'port', 'airport', 'mail', 'inland')),
    concealment   text CHECK (length(concealment) BETWEEN 1 AND 1000),
    persons       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(persons) = 'array'),
    parts         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(parts) = 'array'),
    ammunition    jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(ammunition) = 'array'),
    notes         text CHECK (length(notes) <= 4000),
    created_by    text NOT NULL,
    version       integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at    timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at    timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    -- Coordinates come in pairs.
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX seizures_seized_on ON seizures (seized_on DESC, id DESC);

-- The firearms of a seizure: each a registry record, found there or created as an illicit find.
CREATE TABLE seizure_firearms (
    seizure_id         uuid NOT NULL REFERENCES seizures (id),
    position           integer NOT NULL CHECK (position >= 0),
    firearm_id         uuid NOT NULL,
    firearm_reference  text NOT NULL,
    registry_record    text NOT NULL CHECK (registry_record IN ('existing', 'illicit_find')),
    PRIMARY KEY (seizure_id, position),
    UNIQUE (seizure_id, firearm_id)
);
CREATE INDEX seizure_firearms_firearm ON seizure_firearms (firearm_id);

CREATE TABLE seizure_versions (
    seizure_id   uuid NOT NULL REFERENCES seizures (id),
    version      integer NOT NULL,
    record       jsonb NOT NULL,
    change       text NOT NULL,
    changed_by   text NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    PRIMARY KEY (seizure_id, version)
);

CREATE TRIGGER seizure_versions_insert_only BEFORE UPDATE OR DELETE ON seizure_versions
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER seizure_versions_no_truncate BEFORE TRUNCATE ON seizure_versions
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER seizure_firearms_insert_only BEFORE UPDATE OR DELETE ON seizure_firearms
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER seizure_firearms_no_truncate BEFORE TRUNCATE ON seizure_firearms
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();

REVOKE ALL ON seizures, seizure_firearms, seizure_versions FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON seizures TO ifcd_app;
GRANT SELECT, INSERT ON seizure_firearms, seizure_versions TO ifcd_app;
