-- What the law asks a firearm record to hold (EU 2021/555 Art 4, ITI paras 8-9, UN Firearms
-- Protocol Art 7), and the events that were missing.
--
-- Marking: the manufacturer apart from the brand (make), the place of manufacture, the ITI's
-- alternative marking, which part carries the unique marking, the marking made when a state
-- firearm passes to civilian use, and the state's own marking on a found or seized illicit
-- firearm. The marking's condition says why a firearm may have no serial (obliterated,
-- unmarked): such a firearm is recorded with its reference and a state marking.
-- Origin: lawful (registered in the normal course) or illicit (found, seized or surrendered with
-- no lawful record), so a crime gun never reads as a lawfully registered one.
-- Events: found, confiscated, returned to owner, converted (a change of category or
-- characteristics), and voided (an event recorded in error: it stays, the status is recomputed
-- without it); certificates of deactivation and destruction; back-captured (historical) events
-- from paper records, with their source document.

ALTER TABLE firearms
    ADD COLUMN manufacturer              text CHECK (length(manufacturer) BETWEEN 1 AND 200),
    ADD COLUMN place_of_manufacture      text CHECK (length(place_of_manufacture) BETWEEN 1 AND 200),
    ADD COLUMN alternative_marking       text CHECK (length(alternative_marking) BETWEEN 1 AND 200),
    ADD COLUMN marking_part              text CHECK (marking_part IN ('frame', 'receiver', 'slide', 'barrel', 'bolt',
                                             'breech_block', 'cylinder', 'other')),
    ADD COLUMN civilian_marking          text CHECK (length(civilian_marking) BETWEEN 1 AND 200),
    ADD COLUMN state_marking             text CHECK (length(state_marking) BETWEEN 1 AND 200),
    ADD COLUMN marking_condition         text NOT NULL DEFAULT 'legible' CHECK (marking_condition IN ('legible', 'partly_obliterated',
                                             'obliterated', 'altered', 'restored', 'unmarked')),
    ADD COLUMN restoration_method        text CHECK (length(restoration_method) BETWEEN 1 AND 200),
    ADD COLUMN restoration_case          text CHECK (length(restoration_case) BETWEEN 1 AND 50),
    ADD COLUMN category                  text CHECK (length(category) BETWEEN 1 AND 50),
    ADD COLUMN record_origin             text NOT NULL DEFAULT 'lawful' CHECK (record_origin IN ('lawful', 'illicit')),
    -- The holder at registration: the status and holder are recomputed from it and the events.
    ADD COLUMN registered_holder_id      uuid REFERENCES holders (id);

UPDATE firearms f SET registered_holder_id = (v.record->>'holder_id')::uuid
FROM firearm_versions v WHERE v.firearm_id = f.id AND v.version = 1 AND v.record->>'holder_id' IS NOT NULL;

-- A serial is optional only when the marking's condition says why; such a firearm carries the
-- state's marking instead.
ALTER TABLE firearms ALTER COLUMN serial_marked DROP NOT NULL,
                     ALTER COLUMN serial_normalized DROP NOT NULL,
                     ALTER COLUMN serial_folded DROP NOT NULL;
ALTER TABLE firearms ADD CONSTRAINT firearms_serial_or_reason
    CHECK ((serial_marked IS NOT NULL AND serial_normalized IS NOT NULL)
           OR (marking_condition IN ('obliterated', 'unmarked') AND state_marking IS NOT NULL));

ALTER TABLE firearms DROP CONSTRAINT firearms_status_check;
ALTER TABLE firearms ADD CONSTRAINT firearms_status_check CHECK (status IN ('registered', 'licensed', 'lost', 'stolen',
    'seized', 'recovered', 'surrendered', 'deactivated', 'destroyed', 'exported', 'found', 'confiscated'));
CREATE INDEX firearms_origin ON firearms (record_origin, reference);
CREATE INDEX firearms_state_marking ON firearms (upper(state_marking)) WHERE state_marking IS NOT NULL;

ALTER TABLE firearm_events DROP CONSTRAINT firearm_events_kind_check;
ALTER TABLE firearm_events ADD CONSTRAINT firearm_events_kind_check CHECK (kind IN ('manufactured', 'imported', 'registered',
    'licensed', 'transferred', 'reported_lost', 'reported_stolen', 'seized', 'recovered', 'surrendered', 'deactivated',
    'destroyed', 'found', 'confiscated', 'returned_to_owner', 'converted', 'voided'));
ALTER TABLE firearm_events
    ADD COLUMN voids_event_id        uuid REFERENCES firearm_events (id),
    ADD COLUMN reason                text CHECK (length(reason) BETWEEN 1 AND 1000),
    ADD COLUMN historical            boolean NOT NULL DEFAULT false,
    ADD COLUMN source_document       text CHECK (length(source_document) BETWEEN 1 AND 200),
    ADD COLUMN authority             text CHECK (length(authority) BETWEEN 1 AND 200),
    ADD COLUMN certificate_number    text CHECK (length(certificate_number) BETWEEN 1 AND 100),
    ADD COLUMN certificate_standard  text CHECK (length(certificate_standard) BETWEEN 1 AND 200),
    ADD COLUMN conversion            text CHECK (conversion IN ('automatic_fire', 'reactivated', 'alarm_to_live_fire',
                                         'calibre_change', 'barrel_shortened', 'other')),
    ADD COLUMN category_before       text CHECK (length(category_before) BETWEEN 1 AND 50),
    ADD COLUMN category_after        text CHECK (length(category_after) BETWEEN 1 AND 50),
    ADD CONSTRAINT firearm_events_void CHECK ((kind = 'voided') = (voids_event_id IS NOT NULL)),
    ADD CONSTRAINT firearm_events_historical_source CHECK (NOT historical OR source_document IS NOT NULL);
-- An event is voided at most once.
CREATE UNIQUE INDEX firearm_events_voided_once ON firearm_events (voids_event_id) WHERE voids_event_id IS NOT NULL;
