-- An outgoing trace may be drafted from a ballistic exhibit (the exhibits module's, read through
-- its read API): the exhibit it came from is kept on the trace, like its seizure, case and
-- registry firearm (ids of other modules' records, checked by the application, no foreign key).
ALTER TABLE traces ADD COLUMN exhibit_id uuid;
CREATE INDEX traces_exhibit ON traces (exhibit_id) WHERE exhibit_id IS NOT NULL;
