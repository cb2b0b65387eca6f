-- The throwaway module of the module-kit test: notes that link a registry firearm. Its own
-- table, written only by it; the registry's tables it never touches.
CREATE TABLE kitdemo_notes (
    id          uuid PRIMARY KEY,
    reference   text NOT NULL UNIQUE CHECK (reference ~ '^KD-[0-9]{4}-[0-9]{6,}$'),
    firearm_id  uuid NOT NULL,
    text        text NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
REVOKE ALL ON kitdemo_notes FROM PUBLIC;
GRANT SELECT, INSERT ON kitdemo_notes TO ifcd_app;
