-- Forensic cases: what a submitting agency brings to the lab, its versions, and its links.

-- A forensic case, as a submitting agency brings it to the lab.
CREATE TABLE forensic_cases (
    id                      uuid PRIMARY KEY,
    reference               text NOT NULL UNIQUE CHECK (reference ~ '^FC-[0-9]{4}-[0-9]{6,}$'),
    submitting_agency       text NOT NULL CHECK (length(submitting_agency) BETWEEN 1 AND 200),
    officer                 text NOT NULL CHECK (length(officer) BETWEEN 1 AND 200),
    agency_case_number      text CHECK (length(agency_case_number) BETWEEN 1 AND 100),
    offence                 text NOT NULL CHECK (length(offence) BETWEEN 1 AND 300),
    incident_on             date,
    incident_country        char(2) CHECK (incident_country ~ '^[A-Z]{2}$'),
    incident_place          text CHECK (length(incident_place) BETWEEN 1 AND 300),
    received_on             date NOT NULL,
    status                  text NOT NULL DEFAULT 'received'
                            CHECK (status IN ('received', 'under_examination', 'reported', 'closed')),
    confidentiality         text NOT NULL DEFAULT 'standard'
                            CHECK (confidentiality IN ('standard', 'restricted', 'confidential', 'secret')),
    requested_examinations  text[] NOT NULL DEFAULT '{}',
    seizure_ids             uuid[] NOT NULL DEFAULT '{}',
    notes                   text CHECK (length(notes) <= 4000),
    created_by              text NOT NULL,
    version                 integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at              timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at              timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    CHECK (requested_examinations <@ ARRAY['serial_number_restoration', 'operability', 'comparison', 'ammunition_identification',
                                           'trigger_pull', 'other']),
    CHECK (incident_on IS NULL OR incident_on <= received_on)
);
CREATE INDEX forensic_cases_received ON forensic_cases (received_on DESC, id DESC);
CREATE INDEX forensic_cases_seizures ON forensic_cases USING gin (seizure_ids);

CREATE TABLE forensic_case_versions (
    case_id      uuid NOT NULL REFERENCES forensic_cases (id),
    version      integer NOT NULL,
    record       jsonb NOT NULL,
    change       text NOT NULL,
    changed_by   text NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    PRIMARY KEY (case_id, version)
);

-- What a case is linked to, and why: a registry firearm, a seizure, another case.
CREATE TABLE forensic_case_links (
    id          uuid PRIMARY KEY,
    case_id     uuid NOT NULL REFERENCES forensic_cases (id),
    kind        text NOT NULL CHECK (kind IN ('firearm', 'seizure', 'case')),
    target_id   uuid NOT NULL,
    target_reference text NOT NULL,
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    UNIQUE (case_id, kind, target_id),
    CHECK (kind <> 'case' OR target_id <> case_id)
);
CREATE INDEX forensic_case_links_target ON forensic_case_links (kind, target_id);

CREATE TRIGGER forensic_case_versions_insert_only BEFORE UPDATE OR DELETE ON forensic_case_versions
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER forensic_case_versions_no_truncate BEFORE TRUNCATE ON forensic_case_versions
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER forensic_case_links_insert_only BEFORE UPDATE OR DELETE ON forensic_case_links
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER forensic_case_links_no_truncate BEFORE TRUNCATE ON forensic_case_links
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();

REVOKE ALL ON forensic_cases, forensic_case_versions, forensic_case_links FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON forensic_cases TO ifcd_app;
GRANT SELECT, INSERT ON forensic_case_versions, forensic_case_links TO ifcd_app;
