-- sitrep schema, version 4: indexes for paged event queries.
--
-- The API and exports list events by (date_start, key), NULL dates first,
-- a page at a time. These indexes hold that order and every column the
-- SQL-side filters read (dates, place box, types; for per-document events
-- also modality and the joins), so a page's keys and the total count come
-- from the index alone and only the page's records are read.

CREATE INDEX fused_events_list ON fused_events(
    date_start, fused_key, date_end, lat, lon, sub_event_type, event_type
);
CREATE INDEX events_list ON events(
    date_start, event_key, date_end, lat, lon, sub_event_type, event_type, modality,
    document_id, version_id
);
