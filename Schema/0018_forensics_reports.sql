-- Forensic reports (ISO/IEC 17025 §7.8). Reviews are kept as made; an issued version is frozen
-- (its JSON and its printed page, each with its SHA-256) and never changes; an amendment is the
-- next version of the same number and names the one it replaces. The table itself refuses a
-- report whose reviews are missing, not approvals, not of the issued content, not of this
-- case, or made by its author, whatever the code above it does.
CREATE TABLE report_reviews (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES forensic_cases (id),
    kind            text NOT NULL CHECK (kind IN ('technical', 'administrative')),
    outcome         text NOT NULL CHECK (outcome IN ('approved', 'returned')),
    reviewer        text NOT NULL CHECK (length(reviewer) BETWEEN 1 AND 100),
    content_sha256  text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
    note            text CHECK (length(note) BETWEEN 1 AND 4000),
    reviewed_at     timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    CONSTRAINT review_returned_has_note CHECK (outcome = 'approved' OR note IS NOT NULL)
);
CREATE INDEX report_reviews_case ON report_reviews (case_id, reviewed_at DESC, id);

CREATE TABLE case_reports (
    case_id                   uuid NOT NULL REFERENCES forensic_cases (id),
    number                    text NOT NULL CHECK (number ~ '^LR-[0-9]{4}-[0-9]{6,}$'),
    version                   integer NOT NULL CHECK (version > 0),
    replaces                  integer,
    amendment_reason          text CHECK (length(amendment_reason) BETWEEN 1 AND 4000),
    author                    text NOT NULL CHECK (length(author) BETWEEN 1 AND 100),
    technical_review_id       uuid NOT NULL REFERENCES report_reviews (id),
    administrative_review_id  uuid NOT NULL REFERENCES report_reviews (id),
    content_sha256            text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
    document_json             text NOT NULL,
    json_sha256               text NOT NULL CHECK (json_sha256 ~ '^[0-9a-f]{64}$'),
    document_html             text NOT NULL,
    html_sha256               text NOT NULL CHECK (html_sha256 ~ '^[0-9a-f]{64}$'),
    issued_at                 timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    PRIMARY KEY (case_id, version),
    UNIQUE (number, version),
    CONSTRAINT report_amendment_names_predecessor CHECK ((version = 1) = (replaces IS NULL) AND (replaces IS NULL OR replaces = version - 1)),
    CONSTRAINT report_amendment_has_reason CHECK ((replaces IS NULL) = (amendment_reason IS NULL)),
    CONSTRAINT report_digests CHECK (json_sha256 = encode(sha256(convert_to(document_json, 'UTF8')), 'hex')
                                     AND html_sha256 = encode(sha256(convert_to(document_html, 'UTF8')), 'hex'))
);

CREATE FUNCTION ifcd_report_reviews_hold() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    review record;
    earlier record;
BEGIN
    FOR review IN SELECT * FROM report_reviews WHERE id IN (NEW.technical_review_id, NEW.administrative_review_id) LOOP
        IF review.case_id <> NEW.case_id OR review.outcome <> 'approved' OR review.content_sha256 <> NEW.content_sha256
           OR review.reviewer = NEW.author THEN
            RAISE EXCEPTION 'report % v% needs approved reviews of its content, of its case, by examiners other than its author',
                NEW.number, NEW.version USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;
    IF (SELECT kind FROM report_reviews WHERE id = NEW.technical_review_id) IS DISTINCT FROM 'technical'
       OR (SELECT kind FROM report_reviews WHERE id = NEW.administrative_review_id) IS DISTINCT FROM 'administrative' THEN
        RAISE EXCEPTION 'report % v% needs one technical and one administrative review', NEW.number, NEW.version
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.version > 1 THEN
        SELECT number INTO earlier FROM case_reports WHERE case_id = NEW.case_id AND version = NEW.version - 1;
        IF NOT FOUND OR earlier.number <> NEW.number THEN
            RAISE EXCEPTION 'report % v% amends a version of its own number', NEW.number, NEW.version USING ERRCODE = 'check_violation';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM case_reports WHERE number = NEW.number) THEN
        RAISE EXCEPTION 'report number % is issued already', NEW.number USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER case_reports_reviews_hold BEFORE INSERT ON case_reports
    FOR EACH ROW EXECUTE FUNCTION ifcd_report_reviews_hold();
CREATE TRIGGER case_reports_insert_only BEFORE UPDATE OR DELETE ON case_reports
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER case_reports_no_truncate BEFORE TRUNCATE ON case_reports
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER report_reviews_insert_only BEFORE UPDATE OR DELETE ON report_reviews
    FOR EACH ROW EXECUTE FUNCTION ifcd_refuse_change();
CREATE TRIGGER report_reviews_no_truncate BEFORE TRUNCATE ON report_reviews
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_refuse_change();

REVOKE ALL ON report_reviews, case_reports FROM PUBLIC;
GRANT SELECT, INSERT ON report_reviews, case_reports TO ifcd_app;
