//! The SQLite store: documents, versions, outlets, cleaning spans,
//! near-duplicate band keys, ingest runs, migrations.
//!
//! This is the only crate that speaks SQL. It opens the database in WAL mode,
//! brings the schema up to date ([`migrate`]) and offers two kinds of calls:
//! [`Store::ingest_batch`], which writes a batch of cleaned documents in one
//! transaction, and the read side ([`Store::list`], [`Store::document`]).
//!
//! Ingest is idempotent. Each document has a stable key; its content hash is
//! the BLAKE3 hash of its source, format and metadata. The same content
//! ingested again changes nothing, changed content becomes a new version of
//! the same key (every distinct content is kept in `document_versions`).
//!
//! Near-duplicates are kept and marked, never dropped: a document whose
//! MinHash signature shares an LSH band key with an earlier-ingested
//! canonical document (one that is not itself a duplicate) and whose
//! estimated similarity reaches the threshold gets `duplicate_of` set to the
//! earliest such document. Only canonical documents are indexed by band, so
//! `duplicate_of` always points to a canonical document ingested before; the
//! outcome depends on the order of ingestion and on nothing else.

mod export;
mod fusion;
mod ingest;
pub mod migrate;
mod query;

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

pub use export::{
    ClaimView, DateView, EventPage, EventQuery, EventSource, EventView, EvidenceText, Figure,
    ReportRef,
};
pub use fusion::{ClaimRow, FusedFilter, FusedRow, FusionInput, LinkRow, LogRow, PlaceName};
pub use ingest::{
    content_hash, BatchReport, Fingerprint, IngestItem, Outcome, OutcomeKind, RunTotals,
};
pub use query::{DocFilter, DocSummary, StoredDocument, VersionInfo};

/// Similarity at or above which two documents count as near-duplicates.
pub const DEFAULT_NEAR_DUP_THRESHOLD: f64 = 0.5;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "database schema is version {found}, newer than this sitrep supports ({supported}); \
         upgrade sitrep or use another --db"
    )]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("corrupt stored value in {what}: {detail}")]
    Corrupt { what: &'static str, detail: String },
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open sitrep database.
pub struct Store {
    conn: Connection,
    near_dup_threshold: f64,
}

impl Store {
    /// Open (or create) the database at `path`, switch it to WAL mode and
    /// apply pending migrations.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Self::setup(conn)
    }

    /// A private in-memory database (tests, benchmarks).
    pub fn open_in_memory() -> Result<Store> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store> {
        conn.busy_timeout(Duration::from_secs(30))?;
        // `journal_mode` returns a row; "memory" for in-memory databases.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
        migrate::migrate(&mut conn)?;
        Ok(Store {
            conn,
            near_dup_threshold: DEFAULT_NEAR_DUP_THRESHOLD,
        })
    }

    pub fn set_near_dup_threshold(&mut self, t: f64) {
        self.near_dup_threshold = t;
    }

    /// The schema version this database is at.
    pub fn schema_version(&self) -> Result<i64> {
        migrate::current_version(&self.conn)
    }

    /// `PRAGMA integrity_check`: `["ok"]` for a sound database.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

/// Current UTC time as RFC 3339 with microseconds.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
