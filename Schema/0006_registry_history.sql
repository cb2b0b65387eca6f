-- Holders and licences keep their history like firearms: every change writes the record as it
-- became. History and event rows are evidence: no role may change or remove them, the owner
-- included (triggers, as on the audit trail), and the application role holds only SELECT and
-- INSERT on them.

CREATE FUNCTION ifcd_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is insert-only: % is refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TABLE holder_versions (
    holder_id    uuid NOT NULL REFERENCES holders (id),
    version      integer NOT NULL,
    record       jsonb NOT NULL,
    change       text NOT NULL,
    changed_by   text NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    PRIMARY KEY (holder_id, version)
);

CREATE TABLE licence_versions (
    licence_id   uuid NOT NULL REFERENCES licences (id),
    version      integer NOT NULL,
    record       jsonb NOT NULL,
    change       text NOT NULL,
    changed_by   text NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    PRIMARY KEY (licence_id, version)
);

-- Records made before history was kept: their current version, as the API shows it.
INSERT INTO holder_versions (holder_id, version, record, change, changed_by, changed_at)
SELECT id, version, jsonb_build_object(
    'id', id, 'reference', reference, 'kind', kind, 'name', name, 'id_number', id_number, 'address', address,
    'country', country, 'version', version,
    'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'updated_at', to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
    'recorded before history was kept', 'migration', updated_at
FROM holders;

INSERT INTO licence_versions (licence_id, version, record, change, changed_by, changed_at)
SELECT l.id, l.version, jsonb_build_object(
    'id', l.id, 'number', l.number, 'holder_id', l.holder_id, 'kind', l.kind, 'issuing_authority', l.issuing_authority,
    'valid_from', l.valid_from::text, 'valid_until', l.valid_until::text, 'status', l.status, 'status_reason', l.status_reason,
    'effective_status', CASE WHEN l.status <> 'active' THEN l.status
                             WHEN l.valid_until < current_date THEN 'expired'
                             WHEN l.valid_from > current_date THEN 'not_yet_valid' ELSE 'valid' END,
    'firearm_ids', coalesce((SELECT jsonb_agg(lf.firearm_id ORDER BY lf.added_at, lf.firearm_id) FROM licence_firearms lf
                             WHERE lf.licence_id = l.id), '[]'::jsonb),
    'version', l.version,
    'created_at', to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'updated_at', to_char(l.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
    'recorded before history was kept', 'migration', l.updated_at
FROM licences l;

CREATE TRIGGER firearm_versions_insert_only BEFORE UPDATE OR DELETE ON firearm_versions
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER firearm_versions_no_truncate BEFORE TRUNCATE ON firearm_versions
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER firearm_events_insert_only BEFORE UPDATE OR DELETE ON firearm_events
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER firearm_events_no_truncate BEFORE TRUNCATE ON firearm_events
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER holder_versions_insert_only BEFORE UPDATE OR DELETE ON holder_versions
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER holder_versions_no_truncate BEFORE TRUNCATE ON holder_versions
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER licence_versions_insert_only BEFORE UPDATE OR DELETE ON licence_versions
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER licence_versions_no_truncate BEFORE TRUNCATE ON licence_versions
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();

REVOKE ALL ON holder_versions, licence_versions FROM PUBLIC;
GRANT SELECT, INSERT ON holder_versions, licence_versions TO ifcd_app;
