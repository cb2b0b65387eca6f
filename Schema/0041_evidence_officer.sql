-- Who may move an item from a vault (issue 25): a new role, `evidence_officer`, keeps the items
-- held at a location (a vault, a shelf) or outside the lab (at court): only an evidence officer
-- sends, reseals or disposes of such an item, and only an evidence officer takes in an item sent
-- to a location. An examiner moves only the items they hold. The service's one custody path
-- refuses the wrong actor (403 not-evidence-officer); this migration admits the role.
ALTER TABLE users DROP CONSTRAINT users_roles_check;
ALTER TABLE users ADD CONSTRAINT users_roles_check CHECK (
    cardinality(roles) > 0
    AND roles <@ ARRAY['admin', 'clerk', 'analyst', 'examiner', 'liaison', 'auditor', 'bulk_reader', 'legal', 'lab_manager',
                       'evidence_officer']::text[]);
