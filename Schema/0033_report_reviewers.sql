-- A report's reviews by independent people (issue 24; ISO/IEC 17025 §7.8): the table refuses,
-- whatever the code above it does,
-- - a technical review by an examiner of any of the case's examinations (the work it reviews);
-- - an issue whose administrative reviewer is its technical reviewer;
-- - an issue by someone outside the case's team, when the case has one.

CREATE FUNCTION ifcd_report_review_independent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'technical' AND EXISTS (SELECT 1 FROM examinations e WHERE e.case_id = NEW.case_id AND e.examiner = NEW.reviewer) THEN
        RAISE EXCEPTION 'the technical review of case % is given by an examiner who did none of its examinations', NEW.case_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'report_technical_reviewer_independent';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER report_reviews_independent BEFORE INSERT ON report_reviews
    FOR EACH ROW EXECUTE FUNCTION ifcd_report_review_independent();

CREATE FUNCTION ifcd_report_issue_people() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT reviewer FROM report_reviews WHERE id = NEW.technical_review_id)
       = (SELECT reviewer FROM report_reviews WHERE id = NEW.administrative_review_id) THEN
        RAISE EXCEPTION 'report % v% needs its administrative review by someone other than its technical reviewer', NEW.number, NEW.version
            USING ERRCODE = 'check_violation', CONSTRAINT = 'report_reviewers_distinct';
    END IF;
    IF EXISTS (SELECT 1 FROM forensic_case_members m WHERE m.case_id = NEW.case_id AND m.removed_at IS NULL)
       AND NOT EXISTS (SELECT 1 FROM forensic_case_members m
                       WHERE m.case_id = NEW.case_id AND m.removed_at IS NULL AND lower(m.username) = lower(NEW.author)) THEN
        RAISE EXCEPTION 'report % v% is issued by a member of the case''s team', NEW.number, NEW.version
            USING ERRCODE = 'check_violation', CONSTRAINT = 'report_issuer_is_member';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER case_reports_issue_people BEFORE INSERT ON case_reports
    FOR EACH ROW EXECUTE FUNCTION ifcd_report_issue_people();
