-- The disposition of a firearm exhibit reaches the registry (issue 25): destroyed, returned to
-- its owner or confiscated appends the matching registry event (through the registry's intake, in
-- the disposition's transaction), so a destroyed exhibit never leaves its registry record `seized`.
-- A new disposition, `confiscated` (forfeited to the state by a court order); a destruction names
-- its certificate and two witnesses, other users than the one who records it.
ALTER TABLE exhibits DROP CONSTRAINT exhibits_disposition_check;
ALTER TABLE exhibits ADD CONSTRAINT exhibits_disposition_check
    CHECK (disposition IN ('returned_to_owner', 'destroyed', 'retained', 'transferred_to_court', 'confiscated'));

-- The custody chain's `disposed` entry of a destruction keeps its witnesses and certificate.
CREATE FUNCTION exhibit_custody_destruction_witnessed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.event = 'disposed' AND NEW.detail->>'disposition' = 'destroyed' AND (
           coalesce(NEW.detail->>'witness_1', '') = '' OR coalesce(NEW.detail->>'witness_2', '') = ''
        OR lower(NEW.detail->>'witness_1') = lower(NEW.detail->>'witness_2')
        OR lower(NEW.recorded_by) IN (lower(NEW.detail->>'witness_1'), lower(NEW.detail->>'witness_2'))
        OR coalesce(NEW.detail->>'certificate_number', '') = '') THEN
        RAISE EXCEPTION 'a destruction names its certificate and two witnesses other than %', NEW.recorded_by
            USING ERRCODE = 'check_violation', CONSTRAINT = 'exhibit_destruction_witnessed';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER exhibit_custody_destruction_witnessed BEFORE INSERT ON exhibit_custody
    FOR EACH ROW EXECUTE FUNCTION exhibit_custody_destruction_witnessed();
REVOKE ALL ON FUNCTION exhibit_custody_destruction_witnessed() FROM PUBLIC;
