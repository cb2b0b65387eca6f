-- Who a holder is, as the law asks a national record to hold it (EU 2021/555 Art 4(4): the
-- identity of the holder; UNODC model law): date of birth, nationality, and the kind of identity
-- document whose number is already recorded. Brokers (EU dealers and brokers, Directive
-- 2021/555 Art 1(1)(10)) are a holder kind of their own.
--
-- The columns are optional: holders recorded before them stay valid, and an organisation has no
-- date of birth. Every change still writes a new row in holder_versions (the record as JSON),
-- so the new fields are part of each version.

ALTER TABLE holders
    ADD COLUMN date_of_birth     date,
    ADD COLUMN nationality       char(2) CHECK (nationality ~ '^[A-Z]{2}$'),
    ADD COLUMN id_document_kind  text CHECK (id_document_kind IN ('national_id', 'passport', 'driver_licence',
                                                                   'company_registration', 'other'));

ALTER TABLE holders DROP CONSTRAINT holders_kind_check;
ALTER TABLE holders ADD CONSTRAINT holders_kind_check
    CHECK (kind IN ('person', 'dealer', 'broker', 'manufacturer', 'security_company', 'state_agency', 'other'));

-- "Date of birth plus name": the day narrows to a few rows, then the name is compared.
CREATE INDEX holders_date_of_birth ON holders (date_of_birth, lower(name), id) WHERE date_of_birth IS NOT NULL;
