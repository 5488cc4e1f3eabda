-- sitrep schema, version 5: the names events carry, kept at write time, so
-- the place, actor and source-count filters and the list of places are
-- index lookups instead of a decode of every stored event.
--
-- `names` holds each distinct string once (`hash` is its BLAKE3 hash: a
-- unique index on the string itself would refuse very long ones on
-- PostgreSQL), with `folded`, its lower case, for substring search.
-- `event_names` and `fused_event_names` link an event to the names it
-- carries, by kind: `place` (the location's resolved name, the toponym as
-- written and its admin1), `actor` (name, text and knowledge-base id of
-- each actor the filter reads) and `source` (each distinct independent
-- source). `places` holds each distinct (GeoNames id, resolved name,
-- toponym as written) that events name, and `events.place_id` points to
-- it. Rows are filled by ingest and fusion, and once for existing rows by
-- this migration's backfill (sitrep_store::names).

CREATE TABLE names (
    id {{id}},
    hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    folded TEXT NOT NULL
);

CREATE TABLE event_names (
    name_id BIGINT NOT NULL REFERENCES names(id),
    kind TEXT NOT NULL,
    event_id BIGINT NOT NULL REFERENCES events(id),
    PRIMARY KEY (name_id, kind, event_id)
);
CREATE INDEX event_names_event ON event_names(event_id, kind);

CREATE TABLE fused_event_names (
    name_id BIGINT NOT NULL REFERENCES names(id),
    kind TEXT NOT NULL,
    fused_id BIGINT NOT NULL REFERENCES fused_events(id),
    PRIMARY KEY (name_id, kind, fused_id)
);
CREATE INDEX fused_event_names_fused ON fused_event_names(fused_id, kind);

CREATE TABLE places (
    id {{id}},
    hash TEXT NOT NULL UNIQUE,
    geonames_id BIGINT,
    name TEXT NOT NULL,
    written TEXT NOT NULL
);

ALTER TABLE events ADD COLUMN place_id BIGINT REFERENCES places(id);
CREATE INDEX events_place ON events(place_id, id);
