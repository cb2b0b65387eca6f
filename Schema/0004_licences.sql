-- Licences: a holder's permission (possession, carry, dealing, …) issued by an authority for a
-- period, covering firearms. Never deleted: a licence is revoked or suspended, or it expires.
CREATE TABLE licences (
    id                 uuid PRIMARY KEY,
    number             text NOT NULL UNIQUE CHECK (length(number) BETWEEN 1 AND 100),
    holder_id          uuid NOT NULL REFERENCES holders (id),
    kind               text NOT NULL CHECK (kind IN ('possession', 'carry', 'dealer', 'manufacturer', 'collector', 'security', 'other')),
    issuing_authority  text NOT NULL CHECK (length(issuing_authority) BETWEEN 1 AND 200),
    valid_from         date NOT NULL,
    valid_until        date NOT NULL,
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'revoked')),
    status_reason      text CHECK (length(status_reason) <= 1000),
    version            integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at         timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at         timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    CHECK (valid_until >= valid_from)
);
CREATE INDEX licences_holder ON licences (holder_id, valid_until);

CREATE TABLE licence_firearms (
    licence_id  uuid NOT NULL REFERENCES licences (id),
    firearm_id  uuid NOT NULL REFERENCES firearms (id),
    added_at    timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    PRIMARY KEY (licence_id, firearm_id)
);
CREATE INDEX licence_firearms_firearm ON licence_firearms (firearm_id);

REVOKE ALL ON licences, licence_firearms FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON licences TO ifcd_app;
GRANT SELECT, INSERT ON licence_firearms TO ifcd_app;
