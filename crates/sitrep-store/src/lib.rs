//! The store: documents, versions, outlets, cleaning spans, near-duplicate
//! band keys, ingest runs, events, fused events, migrations, in SQLite or
//! PostgreSQL.
//!
//! This is the only crate that speaks SQL. [`Store::open`] takes an SQLite
//! file path or a `postgres://` URL, brings the schema up to date
//! ([`migrate`]; one migration set for both backends) and offers two kinds
//! of calls: [`Store::ingest_batch`], which writes a batch of cleaned
//! documents in one transaction, and the read side ([`Store::list`],
//! [`Store::document`], the event views). Every query is written once; the
//! `db` module is the one place that knows the two dialects apart.
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

mod db;
mod export;
mod fusion;
mod ingest;
pub mod migrate;
mod names;
mod query;
pub mod testing;

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use db::Db;
pub use db::{is_postgres_url, postgres_sql, redact, Backend};

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
        source: Box<StoreError>,
    },
    #[error("cannot open PostgreSQL database {url}: {detail}")]
    OpenPostgres { url: String, detail: String },
    #[error("corrupt stored value in {what}: {detail}")]
    Corrupt { what: &'static str, detail: String },
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    #[error("PostgreSQL: {}", postgres_message(.0))]
    Postgres(#[source] postgres::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open sitrep database.
pub struct Store {
    conn: Db,
    near_dup_threshold: f64,
}

/// Switch an SQLite database to WAL mode. Switching needs the exclusive
/// lock, and SQLite answers "database is locked" at once instead of calling
/// the busy handler when another connection holds any lock (as when several
/// processes open one new file together), so this retries for as long as the
/// busy timeout would wait.
fn wal_mode(conn: &Connection) -> Result<()> {
    let deadline = std::time::Instant::now() + SQLITE_BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(1);
    loop {
        // `journal_mode` returns a row; "memory" for in-memory databases.
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Ok(_) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// How long an SQLite connection waits for another one's lock.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

impl Store {
    /// Open (or create) the database at `location` and apply pending
    /// migrations: an SQLite file (switched to WAL mode), or a PostgreSQL
    /// database when `location` is a `postgres://` (or `postgresql://`) URL.
    pub fn open(location: &Path) -> Result<Store> {
        if let Some(url) = location.to_str().filter(|s| is_postgres_url(s)) {
            return Self::setup(Db::connect_postgres(url)?);
        }
        let conn = Connection::open(location).map_err(|source| StoreError::Open {
            path: location.display().to_string(),
            source,
        })?;
        Self::setup_sqlite(conn)
    }

    /// A private in-memory SQLite database (tests, benchmarks).
    pub fn open_in_memory() -> Result<Store> {
        Self::setup_sqlite(Connection::open_in_memory()?)
    }

    fn setup_sqlite(conn: Connection) -> Result<Store> {
        conn.busy_timeout(SQLITE_BUSY_TIMEOUT)?;
        wal_mode(&conn)?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
        conn.set_prepared_statement_cache_capacity(64);
        Self::setup(Db::Sqlite(conn))
    }

    fn setup(conn: Db) -> Result<Store> {
        migrate::migrate(&conn)?;
        Ok(Store {
            conn,
            near_dup_threshold: DEFAULT_NEAR_DUP_THRESHOLD,
        })
    }

    pub fn set_near_dup_threshold(&mut self, t: f64) {
        self.near_dup_threshold = t;
    }

    /// Which server this store lives in.
    pub fn backend(&self) -> Backend {
        self.conn.backend()
    }

    /// The schema version this database is at.
    pub fn schema_version(&self) -> Result<i64> {
        migrate::current_version(&self.conn)
    }

    /// `["ok"]` for a sound database, else one line per problem found.
    ///
    /// On SQLite: `PRAGMA integrity_check` (pages, indexes) and
    /// `PRAGMA foreign_key_check`. On PostgreSQL, whose server guarantees
    /// its pages and enforces foreign keys itself: no index of the store's
    /// schema is left invalid. On both, the store's own invariants: every
    /// document's current version is stored, and `duplicate_of` points to a
    /// document ingested before.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut problems: Vec<String> = Vec::new();
        match self.conn.backend() {
            Backend::Sqlite => {
                let pages: Vec<String> = self
                    .conn
                    .query_map("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))?
                    .collect::<std::result::Result<_, _>>()?;
                problems.extend(pages.into_iter().filter(|p| p != "ok"));
                let fks = self.conn.query_map("PRAGMA foreign_key_check", [], |r| {
                    Ok(format!(
                        "foreign key: row {} of {} points to a missing {} row",
                        r.get::<_, Option<i64>>(1)?.unwrap_or(-1),
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(2)?
                    ))
                })?;
                for p in fks {
                    problems.push(p?);
                }
            }
            Backend::Postgres => {
                let bad = self.conn.query_map(
                    "SELECT c.relname FROM pg_catalog.pg_index i
                     JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
                     WHERE NOT i.indisvalid AND c.relnamespace = current_schema()::regnamespace",
                    [],
                    |r| r.get::<_, String>(0),
                )?;
                for b in bad {
                    problems.push(format!("index {} is invalid", b?));
                }
            }
        }
        let orphans = self.conn.query_map(
            "SELECT d.doc_key FROM documents d WHERE NOT EXISTS (
                 SELECT 1 FROM document_versions v
                 WHERE v.document_id = d.id AND v.version = d.current_version)
             ORDER BY d.id LIMIT 20",
            [],
            |r| r.get::<_, String>(0),
        )?;
        for k in orphans {
            problems.push(format!("document {}: its current version is missing", k?));
        }
        let late = self.conn.query_map(
            "SELECT doc_key FROM documents WHERE duplicate_of >= id ORDER BY id LIMIT 20",
            [],
            |r| r.get::<_, String>(0),
        )?;
        for k in late {
            problems.push(format!(
                "document {}: duplicate_of does not point to an earlier document",
                k?
            ));
        }
        if problems.is_empty() {
            problems.push("ok".into());
        }
        Ok(problems)
    }
}

/// A PostgreSQL error with the server's message and code when there is one.
fn postgres_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut m = format!("{} ({})", db.message(), db.code().code());
            if let Some(d) = db.detail() {
                m.push_str(": ");
                m.push_str(d);
            }
            m
        }
        None => e.to_string(),
    }
}

/// Current UTC time as RFC 3339 with microseconds.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
