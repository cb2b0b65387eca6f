-- Serial restoration: the firearm an examination confirms is one of the candidates its registry
-- search found (kept with the examination), whatever the code above the table does.
ALTER TABLE examinations ADD CONSTRAINT examination_confirms_a_candidate CHECK (
    confirmed_firearm_id IS NULL
    OR candidates @> jsonb_build_array(jsonb_build_object('firearm_id', confirmed_firearm_id)));
