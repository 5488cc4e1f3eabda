//! Running one test suite against both backends (used by this crate's tests
//! and the CLI's).
//!
//! [`TestDb::sqlite`] is a fresh SQLite file in a temporary folder;
//! [`TestDb::postgres`] is a fresh schema in the PostgreSQL database named
//! by `SITREP_TEST_PG_URL` (for instance
//! `postgres://sitrep@127.0.0.1:5432/sitrep_test`), so tests run in
//! parallel without seeing each other. Both are removed when the `TestDb`
//! is dropped. When the variable is unset, `postgres()` prints a note and
//! returns `None` (the test is skipped), unless `CI=true`: then it panics,
//! so CI cannot skip PostgreSQL silently. [`test_both_backends!`] writes
//! the two `#[test]`s for each test function.
//!
//! [`test_both_backends!`]: crate::test_both_backends

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Backend, Store};

/// The environment variable naming the PostgreSQL test database.
pub const PG_URL_VAR: &str = "SITREP_TEST_PG_URL";

static NEXT: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// One test's own database.
pub struct TestDb {
    location: PathBuf,
    backend: Backend,
    /// SQLite: the temporary folder holding the file.
    dir: Option<PathBuf>,
    /// PostgreSQL: the server URL and the schema to drop.
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A new SQLite file in a new temporary folder.
    pub fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(unique("sitrep-test"));
        std::fs::create_dir_all(&dir).expect("create a temporary folder");
        TestDb {
            location: dir.join("test.db"),
            backend: Backend::Sqlite,
            dir: Some(dir),
            pg: None,
        }
    }

    /// A new schema in the `SITREP_TEST_PG_URL` database, or `None` (with a
    /// note on stderr) when the variable is unset outside CI.
    pub fn postgres() -> Option<TestDb> {
        let url = match std::env::var(PG_URL_VAR) {
            Ok(u) if !u.trim().is_empty() => u.trim().to_string(),
            _ => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!(
                        "{PG_URL_VAR} is not set and CI=true: the PostgreSQL half of the store \
                         tests must run in CI (.ci/run starts a server and sets it)"
                    );
                }
                eprintln!(
                    "note: {PG_URL_VAR} is not set, so this PostgreSQL test is skipped; set it \
                     to a database the tests may create schemas in, e.g. \
                     {PG_URL_VAR}=postgres://sitrep@127.0.0.1:5432/sitrep_test"
                );
                return None;
            }
        };
        let schema = unique("sitrep_test");
        let mut admin = postgres::Client::connect(&url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("{PG_URL_VAR}={}: {e}", crate::redact(&url)));
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap_or_else(|e| panic!("creating schema {schema}: {e}"));
        let sep = if url.contains('?') { '&' } else { '?' };
        Some(TestDb {
            location: PathBuf::from(format!("{url}{sep}options=-csearch_path%3D{schema}")),
            backend: Backend::Postgres,
            dir: None,
            pg: Some((url, schema)),
        })
    }

    /// What to pass to [`Store::open`] or `sitrep --db`.
    pub fn location(&self) -> &Path {
        &self.location
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Open the store (creating it the first time).
    pub fn open(&self) -> Store {
        Store::open(&self.location)
            .unwrap_or_else(|e| panic!("opening {:?} test store: {e}", self.backend))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((url, schema)) = &self.pg {
            if let Ok(mut c) = postgres::Client::connect(url, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

/// For each test function `name(db: &TestDb)`, a module `name` with two
/// tests, `sqlite` and `postgres`.
#[macro_export]
macro_rules! test_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(&$crate::testing::TestDb::sqlite())
            }
            #[test]
            fn postgres() {
                if let Some(db) = $crate::testing::TestDb::postgres() {
                    super::$name(&db)
                }
            }
        }
    )*};
}
