-- sitrep schema, version 1.
--
-- Written once for every backend: `{{id}}` becomes the backend's
-- auto-increment primary key and `{{blob}}` its byte-string type
-- (see src/migrate.rs). Everything else is plain SQL that SQLite and
-- PostgreSQL both accept.

CREATE TABLE outlets (
    id {{id}},
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE ingest_runs (
    id {{id}},
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    args TEXT NOT NULL,
    docs_new BIGINT NOT NULL DEFAULT 0,
    docs_unchanged BIGINT NOT NULL DEFAULT 0,
    docs_new_versions BIGINT NOT NULL DEFAULT 0,
    near_duplicates BIGINT NOT NULL DEFAULT 0,
    non_english BIGINT NOT NULL DEFAULT 0,
    errors BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE ingest_errors (
    id {{id}},
    run_id BIGINT NOT NULL REFERENCES ingest_runs(id),
    origin TEXT NOT NULL,
    message TEXT NOT NULL
);

CREATE TABLE documents (
    id {{id}},
    doc_key TEXT NOT NULL UNIQUE,
    current_version BIGINT NOT NULL,
    origin TEXT NOT NULL,
    format TEXT NOT NULL,
    url TEXT,
    title TEXT,
    published_date TEXT,
    published_precision TEXT NOT NULL,
    published_origin TEXT NOT NULL,
    published_ambiguous BIGINT NOT NULL DEFAULT 0,
    published_text TEXT,
    published_start BIGINT,
    published_end BIGINT,
    outlet_id BIGINT REFERENCES outlets(id),
    language TEXT,
    language_confidence DOUBLE PRECISION,
    word_count BIGINT NOT NULL,
    duplicate_of BIGINT REFERENCES documents(id),
    similarity DOUBLE PRECISION,
    content_hash TEXT NOT NULL,
    meta TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX documents_outlet ON documents(outlet_id);
CREATE INDEX documents_duplicate_of ON documents(duplicate_of);

CREATE TABLE document_versions (
    id {{id}},
    document_id BIGINT NOT NULL REFERENCES documents(id),
    version BIGINT NOT NULL,
    content_hash TEXT NOT NULL,
    origin TEXT NOT NULL,
    source TEXT NOT NULL,
    text TEXT NOT NULL,
    text_map TEXT NOT NULL,
    meta TEXT NOT NULL,
    run_id BIGINT REFERENCES ingest_runs(id),
    ingested_at TEXT NOT NULL,
    UNIQUE (document_id, version),
    UNIQUE (document_id, content_hash)
);

CREATE TABLE segments (
    version_id BIGINT NOT NULL REFERENCES document_versions(id),
    seq BIGINT NOT NULL,
    span_start BIGINT NOT NULL,
    span_end BIGINT NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT,
    PRIMARY KEY (version_id, seq)
);

CREATE TABLE diagnostics (
    version_id BIGINT NOT NULL REFERENCES document_versions(id),
    seq BIGINT NOT NULL,
    severity TEXT NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    span_start BIGINT,
    span_end BIGINT,
    PRIMARY KEY (version_id, seq)
);

-- MinHash signature of each document's current version, and its LSH band
-- keys for near-duplicate candidate lookup.
CREATE TABLE document_signatures (
    document_id BIGINT PRIMARY KEY REFERENCES documents(id),
    minhash {{blob}} NOT NULL
);
CREATE TABLE minhash_bands (
    band BIGINT NOT NULL,
    band_key BIGINT NOT NULL,
    document_id BIGINT NOT NULL REFERENCES documents(id),
    PRIMARY KEY (band, band_key, document_id)
);
CREATE INDEX minhash_bands_document ON minhash_bands(document_id);
