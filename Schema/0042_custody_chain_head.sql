-- Custody that cannot drift (issue 25): an exhibit's holder and status are its chain head's. At
-- commit, every exhibit written in the transaction (and every exhibit whose chain grew) must have
-- a chain, its custodian must be the custodian its last custody entry records, and its status
-- must follow that entry: in transit after `sent`, disposed of after `disposed`, held otherwise.
-- A write that moves the holder without a custody entry, or a custody entry the exhibit's row
-- does not follow, is refused, whoever writes it. Deferred to the commit so that a custody step
-- may write the entry and the row in either order in its transaction.
CREATE FUNCTION exhibits_follow_chain_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target uuid;
    item record;
    head record;
BEGIN
    -- (each branch names only its own table's column: a NEW without it would not parse)
    IF TG_TABLE_NAME = 'exhibits' THEN
        target := NEW.id;
    ELSE
        target := NEW.exhibit_id;
    END IF;
    SELECT e.reference, e.custodian_kind, e.custodian, e.status INTO item FROM exhibits e WHERE e.id = target;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT c.event, c.custodian_kind, c.custodian INTO head
    FROM exhibit_custody c WHERE c.exhibit_id = target ORDER BY c.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'exhibit % has no custody chain: it is taken in with its intake entry', item.reference
            USING ERRCODE = 'check_violation', CONSTRAINT = 'exhibit_follows_chain_head';
    END IF;
    IF item.custodian_kind IS DISTINCT FROM head.custodian_kind OR item.custodian IS DISTINCT FROM head.custodian
       OR item.status IS DISTINCT FROM (CASE head.event WHEN 'sent' THEN 'in_transit' WHEN 'disposed' THEN 'disposed' ELSE 'held' END) THEN
        RAISE EXCEPTION 'exhibit % is held by % % (%), but its custody chain''s last entry (%) says % %',
            item.reference, item.custodian_kind, item.custodian, item.status, head.event, head.custodian_kind, head.custodian
            USING ERRCODE = 'check_violation', CONSTRAINT = 'exhibit_follows_chain_head';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER exhibits_follow_chain_head AFTER INSERT OR UPDATE OF custodian_kind, custodian, status ON exhibits
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION exhibits_follow_chain_head();
CREATE CONSTRAINT TRIGGER exhibit_custody_leads_the_exhibit AFTER INSERT ON exhibit_custody
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION exhibits_follow_chain_head();
REVOKE ALL ON FUNCTION exhibits_follow_chain_head() FROM PUBLIC;
