-- A firearm whose make, model, type or calibre does not match the reference table of makes and
-- models (Config/makes-models.json) is registered anyway, never refused: the table is never
-- complete, and a record of what is marked on the firearm beats none. It is flagged instead, so
-- that a clerk or analyst reviews it (GET /v1/firearms?needs_review=true). The flags are derived
-- from the description whenever it is registered, corrected or imported: a correction that
-- matches the table clears them.
ALTER TABLE firearms ADD COLUMN review_flags text[] NOT NULL DEFAULT '{}'
    CHECK (review_flags <@ ARRAY['unknown_make', 'unknown_model', 'implausible_type', 'implausible_calibre']::text[]);

-- The review queue is small next to the registry: a partial index in list order.
CREATE INDEX firearms_needs_review ON firearms (reference) WHERE review_flags <> '{}';
