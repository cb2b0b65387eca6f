-- bulk_reader: a role an administrator grants to lift the ceiling of records a user may read
-- per hour (`audit.maxReadsPerHour`). It reaches no route by itself, and admin is still held
-- alone (users_admin_alone).
ALTER TABLE users DROP CONSTRAINT users_roles_check;
ALTER TABLE users ADD CONSTRAINT users_roles_check CHECK (
    cardinality(roles) > 0
    AND roles <@ ARRAY['admin', 'clerk', 'analyst', 'examiner', 'liaison', 'auditor', 'bulk_reader']::text[]);
