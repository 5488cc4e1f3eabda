-- sitrep schema, version 3: fused events (one row per real-world event),
-- the claims each report makes about them, the merge decisions that explain
-- them and a log of how ingest changed them.
--
-- `event_blocks` says which fusion block (place cell) each extracted event
-- was fused in; fusion recomputes whole blocks, so a new report touches
-- only the blocks of its events. `fused_events.record` holds the full fused
-- event as JSON (sitrep_fuse::FusedEvent); the other columns serve filters.

CREATE TABLE event_blocks (
    event_id BIGINT PRIMARY KEY REFERENCES events(id),
    block TEXT NOT NULL
);
CREATE INDEX event_blocks_block ON event_blocks(block);

CREATE TABLE fused_events (
    id {{id}},
    fused_key TEXT NOT NULL UNIQUE,
    block TEXT NOT NULL,
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
    n_reports BIGINT NOT NULL,
    n_sources BIGINT NOT NULL,
    fatalities_low DOUBLE PRECISION,
    fatalities_best DOUBLE PRECISION,
    fatalities_high DOUBLE PRECISION,
    confidence DOUBLE PRECISION NOT NULL,
    flags TEXT NOT NULL,
    actors TEXT NOT NULL,
    record TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX fused_events_block ON fused_events(block);
CREATE INDEX fused_events_place_time ON fused_events(geonames_id, date_start);
CREATE INDEX fused_events_time ON fused_events(date_start);

CREATE TABLE fused_members (
    fused_id BIGINT NOT NULL REFERENCES fused_events(id),
    event_id BIGINT NOT NULL REFERENCES events(id),
    role TEXT NOT NULL,
    PRIMARY KEY (fused_id, event_id)
);
CREATE INDEX fused_members_event ON fused_members(event_id);

CREATE TABLE claims (
    id {{id}},
    fused_id BIGINT NOT NULL REFERENCES fused_events(id),
    event_id BIGINT NOT NULL REFERENCES events(id),
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    value_text TEXT,
    source TEXT NOT NULL,
    chain TEXT NOT NULL,
    repeat_of TEXT,
    evidence TEXT NOT NULL
);
CREATE INDEX claims_fused ON claims(fused_id);

-- Current merge decisions: why the members of a fused event are together
-- (and which plausible pairs were kept apart).
CREATE TABLE fusion_links (
    fused_id BIGINT NOT NULL REFERENCES fused_events(id),
    event_a TEXT NOT NULL,
    event_b TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    decision TEXT NOT NULL,
    parts TEXT NOT NULL
);
CREATE INDEX fusion_links_fused ON fusion_links(fused_id);

-- Append-only history: what each fusion run created, grew, merged, split
-- or removed, and why.
CREATE TABLE fusion_log (
    id {{id}},
    run_id BIGINT REFERENCES ingest_runs(id),
    at TEXT NOT NULL,
    block TEXT NOT NULL,
    fused_key TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX fusion_log_fused ON fusion_log(fused_key);
