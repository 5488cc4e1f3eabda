//! Crash safety: SIGKILL `sitrep ingest` at random points of a large
//! generated corpus, then check that the database is sound, that every
//! committed document is whole, and that running the same command again
//! completes the corpus without duplicates.
//!
//! Kill points: one trial in five lands in the first 40 ms (opening the
//! database, migrations, the run row), the rest anywhere in the first 90%
//! of a full run. Every other trial kills the re-run too before letting a
//! third run finish (a crash during recovery).
//!
//! The same trials run on PostgreSQL when `SITREP_TEST_PG_URL` names a
//! test database (each trial in its own schema; see
//! `sitrep_store::testing`): there the killed client's open transaction is
//! rolled back by the server, and the checks are the same (integrity check,
//! committed documents whole, whole batches only, run counts, a re-run that
//! completes with no duplicates).
//!
//! `SITREP_CRASH_TRIALS=N` sets the number of kills (default 6, for CI) and
//! `SITREP_CRASH_SEED=S` replays a run. The long runs reported in
//! docs/reliability.md:
//!
//! ```sh
//! SITREP_CRASH_TRIALS=25 cargo test --release -p sitrep-cli --test crash -- --nocapture
//! ```
//!
//! A long run in a target directory other branches build into too should
//! copy the `sitrep` binary aside and name it in `SITREP_TEST_BIN` (see
//! `common::bin`), so that it tests one binary from start to end.

mod common;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use common::*;
use sitrep_store::testing::TestDb;
use sitrep_store::Store;

const DOCS: usize = 3000;
const BATCH: &str = "100";

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const WORDS: &[&str] = &[
    "fighters",
    "village",
    "shelling",
    "convoy",
    "officials",
    "said",
    "monday",
    "border",
    "militia",
    "checkpoint",
    "displaced",
    "families",
    "artillery",
    "ceasefire",
    "talks",
    "observers",
    "reported",
    "killed",
    "wounded",
    "civilians",
    "river",
    "bridge",
    "market",
    "district",
    "governor",
    "spokesman",
    "statement",
    "airstrike",
    "drone",
    "patrol",
    "attack",
    "clashes",
    "residents",
    "hospital",
    "police",
    "army",
    "rebels",
    "forces",
    "north",
    "south",
    "east",
    "west",
    "town",
    "road",
    "night",
    "morning",
    "several",
    "dozens",
];

/// A JSON Lines corpus of distinct reports; returns key → text.
fn corpus(path: &Path, rng: &mut Rng) -> HashMap<String, String> {
    let mut out = String::new();
    let mut texts = HashMap::new();
    for i in 0..DOCS {
        let mut text = format!("Report {i} from the generated crash-test corpus\n\n");
        for _ in 0..12 {
            for _ in 0..18 {
                text.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
                text.push(' ');
            }
            text.push_str("officials said.\n");
        }
        text.push_str("Share this article\n");
        let key = format!("crash-{i:05}");
        let rec = serde_json::json!({"id": key, "outlet": "Crash Wire", "text": text});
        writeln!(out, "{rec}").unwrap();
        texts.insert(key, text);
    }
    std::fs::write(path, out).unwrap();
    texts
}

fn ingest_cmd(db: &Path, corpus: &Path) -> Command {
    let mut c = Command::new(bin());
    c.arg("--db")
        .arg(db)
        .args(["ingest", "--json", "--batch", BATCH])
        .arg(corpus)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Open the database, check its integrity and that every stored document
/// (every `step`-th one) is whole; returns the number stored.
fn check_committed(db: &Path, texts: &HashMap<String, String>, step: usize) -> usize {
    let store = Store::open(db).expect("database opens after a kill");
    assert_eq!(store.integrity_check().unwrap(), vec!["ok".to_string()]);
    let docs = store.list(&Default::default()).unwrap();
    let keys: HashSet<&str> = docs.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(keys.len(), docs.len(), "duplicate keys in the store");
    for d in docs.iter().step_by(step) {
        let stored = store
            .document(&d.key)
            .unwrap()
            .expect("listed document loads");
        assert_eq!(
            Some(&stored.document.source),
            texts.get(&d.key),
            "{}: committed document is not intact",
            d.key
        );
        assert!(
            !stored.document.segments.is_empty(),
            "{}: no segments",
            d.key
        );
        assert_eq!(stored.versions.len(), 1, "{}", d.key);
    }
    docs.len()
}

/// Start an ingest of `corpus` into `db` and SIGKILL it after `delay`.
fn kill_after(db: &Path, corpus: &Path, delay: std::time::Duration) {
    let mut child = ingest_cmd(db, corpus).spawn().unwrap();
    std::thread::sleep(delay);
    let _ = child.kill(); // SIGKILL on Unix
    let _ = child.wait();
}

#[test]
fn sigkill_mid_ingest_leaves_a_consistent_database() {
    trials(&TestDb::sqlite);
}

#[test]
fn sigkill_mid_ingest_leaves_a_consistent_postgresql_database() {
    if TestDb::postgres().is_none() {
        return;
    }
    trials(&|| TestDb::postgres().expect("SITREP_TEST_PG_URL is set"));
}

/// Kill, check and re-run on fresh databases from `fresh`.
fn trials(fresh: &dyn Fn() -> TestDb) {
    let trials: u64 = std::env::var("SITREP_CRASH_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6);
    let seed: u64 = std::env::var("SITREP_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    let full_db = fresh();
    let backend = full_db.backend();
    eprintln!("crash test ({backend:?}): {trials} trials, SITREP_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let tmp = tempfile::tempdir().unwrap();
    let corpus_path = tmp.path().join("corpus.jsonl");
    let texts = corpus(&corpus_path, &mut rng);

    // Calibrate: how long does a full run take?
    let t0 = Instant::now();
    let full = ingest_cmd(full_db.location(), &corpus_path)
        .output()
        .unwrap();
    assert!(
        full.status.success(),
        "{}",
        String::from_utf8_lossy(&full.stderr)
    );
    let total = t0.elapsed();
    eprintln!("full run: {DOCS} documents in {total:?}");

    let mut killed_mid = 0;
    let mut killed_early = 0;
    let mut double = 0;
    for t in 0..trials {
        let trial_db = fresh();
        let db = trial_db.location().to_path_buf();
        let delay = if t % 5 == 4 {
            // Opening, migrating, starting the run.
            std::time::Duration::from_micros(rng.below(40_000))
        } else {
            total.mul_f64(0.9 * rng.below(1000) as f64 / 1000.0)
        };
        kill_after(&db, &corpus_path, delay);

        let committed = check_committed(&db, &texts, 1);
        eprintln!("trial {t}: killed after {delay:?}, {committed} documents committed");
        assert!(
            committed == DOCS || committed.is_multiple_of(100),
            "whole batches only: {committed}"
        );
        if committed > 0 {
            // The run's counts were committed with its batches.
            let store = Store::open(&db).unwrap();
            let run = store.run_totals(1).unwrap();
            assert_eq!(run.new as usize, committed, "run 1 counts");
        }
        if committed == 0 {
            killed_early += 1;
        }
        if committed < DOCS {
            killed_mid += 1;
        }

        // A crash while recovering: kill the re-run too.
        let mut before = committed;
        if t % 2 == 1 {
            let d2 = total.mul_f64(0.9 * rng.below(1000) as f64 / 1000.0);
            kill_after(&db, &corpus_path, d2);
            let c2 = check_committed(&db, &texts, 1);
            eprintln!("trial {t}: re-run killed after {d2:?}, {c2} documents committed");
            assert!(c2 >= committed && (c2 == DOCS || c2.is_multiple_of(100)));
            before = c2;
            double += 1;
        }

        // Run again: completes, nothing duplicated, nothing stored twice.
        let o = ingest_cmd(&db, &corpus_path).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(s["totals"]["new"], (DOCS - before) as u64, "{s:#}");
        assert_eq!(s["totals"]["unchanged"], before as u64, "{s:#}");
        assert_eq!(s["totals"]["new_versions"], 0, "{s:#}");
        assert_eq!(s["totals"]["near_duplicates"], 0, "{s:#}");
        assert_eq!(check_committed(&db, &texts, 10), DOCS);
    }
    eprintln!(
        "crash test ({backend:?}): {trials} trials passed ({killed_mid} killed mid-ingest, \
         {killed_early} before the first commit, {double} re-runs killed too)"
    );
    assert!(
        killed_mid >= 1,
        "no kill landed mid-ingest ({killed_mid} of {trials}); the corpus may be too small"
    );
}
