-- sitrep schema, version 2: events extracted from each document version.
--
-- One row per event a document version reports. The key columns serve
-- filters (type, place, time); `record` holds the full event as JSON in the
-- extraction contract (docs/formats.md, "Events"). Events belong to a
-- version, so a new version of a report brings its own events and the
-- current ones are those of `documents.current_version`.

CREATE TABLE events (
    id {{id}},
    version_id BIGINT NOT NULL REFERENCES document_versions(id),
    document_id BIGINT NOT NULL REFERENCES documents(id),
    event_key TEXT NOT NULL,
    is_primary BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    sub_event_type TEXT NOT NULL,
    date_start TEXT,
    date_end TEXT,
    date_precision TEXT NOT NULL,
    location_name TEXT,
    geonames_id BIGINT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    country_code TEXT,
    admin1 TEXT,
    fatalities_best DOUBLE PRECISION,
    modality TEXT NOT NULL,
    record TEXT NOT NULL,
    UNIQUE (version_id, event_key)
);
CREATE INDEX events_document ON events(document_id);
CREATE INDEX events_place_time ON events(geonames_id, date_start);
CREATE INDEX events_type ON events(sub_event_type);
