-- Essential components with their own markings (EU 2021/555 Art 1 and 4: frame or receiver,
-- slide, barrel, cylinder, bolt or breech block). A component belongs to a firearm or is a
-- record of its own (a loose component), with the same lifecycle: lost, stolen, seized,
-- destroyed. Serial search covers their serials and says which part matched.

CREATE TABLE components (
    id                 uuid PRIMARY KEY,
    reference          text NOT NULL UNIQUE CHECK (reference ~ '^CO-[0-9]{7,}$'),
    firearm_id         uuid REFERENCES firearms (id),
    part               text NOT NULL CHECK (part IN ('frame', 'receiver', 'slide', 'barrel', 'bolt', 'breech_block', 'cylinder')),
    make               text CHECK (length(make) BETWEEN 1 AND 100),
    calibre            text CHECK (length(calibre) BETWEEN 1 AND 50),
    serial_marked      text CHECK (length(serial_marked) BETWEEN 1 AND 100),
    serial_normalized  text CHECK (serial_normalized ~ '^[A-Z0-9]{1,100}$'),
    serial_folded      text,
    other_markings     text CHECK (length(other_markings) <= 1000),
    status             text NOT NULL DEFAULT 'registered',
    version            integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at         timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at         timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    CHECK ((serial_marked IS NULL) = (serial_normalized IS NULL))
);
CREATE INDEX components_firearm ON components (firearm_id) WHERE firearm_id IS NOT NULL;
CREATE INDEX components_serial ON components (serial_normalized text_pattern_ops);
CREATE INDEX components_serial_trgm ON components USING gin (serial_normalized gin_trgm_ops);
CREATE INDEX components_folded_trgm ON components USING gin (serial_folded gin_trgm_ops);
CREATE INDEX components_folded ON components (serial_folded text_pattern_ops);

CREATE TABLE component_versions (
    component_id  uuid NOT NULL REFERENCES components (id),
    version       integer NOT NULL,
    record        jsonb NOT NULL,
    change        text NOT NULL,
    changed_by    text NOT NULL,
    changed_at    timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    PRIMARY KEY (component_id, version)
);

CREATE TABLE component_events (
    id            uuid PRIMARY KEY,
    component_id  uuid NOT NULL REFERENCES components (id),
    kind          text NOT NULL CHECK (kind IN ('reported_lost', 'reported_stolen', 'seized', 'recovered', 'found', 'surrendered',
                      'confiscated', 'destroyed')),
    occurred_on   date NOT NULL,
    place         text CHECK (length(place) <= 300),
    agency        text CHECK (length(agency) <= 200),
    notes         text CHECK (length(notes) <= 4000),
    status_after  text NOT NULL,
    recorded_by   text NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
CREATE INDEX component_events_component ON component_events (component_id, occurred_on, recorded_at);

CREATE TRIGGER component_versions_insert_only BEFORE UPDATE OR DELETE ON component_versions
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER component_versions_no_truncate BEFORE TRUNCATE ON component_versions
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER component_events_insert_only BEFORE UPDATE OR DELETE ON component_events
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER component_events_no_truncate BEFORE TRUNCATE ON component_events
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();

REVOKE ALL ON components, component_versions, component_events FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON components TO ifcd_app;
GRANT SELECT, INSERT ON component_versions, component_events TO ifcd_app;
