//! Helpers shared by the integration tests: run the built `sitrep` binary
//! against a temporary database.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `sitrep` binary under test: the one cargo built for this test, or
/// `SITREP_TEST_BIN` when set. A long manual run (the crash series) copies
/// its binary aside and names it there, so that a build of another branch
/// into a shared target directory cannot swap the binary mid-run.
pub fn bin() -> &'static str {
    static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN.get_or_init(|| match std::env::var("SITREP_TEST_BIN") {
        Ok(b) if !b.trim().is_empty() => b,
        _ => env!("CARGO_BIN_EXE_sitrep").to_string(),
    })
}

/// `sitrep --db DB ARGS...`, with the output captured.
pub fn sitrep(db: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run sitrep")
}

/// Like `sitrep`, but fails the test unless the exit status is 0.
pub fn ok(db: &Path, args: &[&str]) -> String {
    let o = sitrep(db, args);
    assert!(
        o.status.success(),
        "sitrep {args:?} failed ({}):\n{}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("utf-8 output")
}

/// `ingest --json`: the summary object.
pub fn ingest(db: &Path, paths: &[&Path]) -> serde_json::Value {
    let mut args = vec!["ingest", "--json"];
    let p: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(p.iter().map(String::as_str));
    serde_json::from_str(&ok(db, &args)).expect("ingest --json prints one object")
}

/// `docs --json`: one object per document.
pub fn docs(db: &Path) -> Vec<serde_json::Value> {
    ok(db, &["docs", "--json"])
        .lines()
        .map(|l| serde_json::from_str(l).expect("docs --json prints JSON Lines"))
        .collect()
}

pub fn doc<'a>(docs: &'a [serde_json::Value], key: &str) -> &'a serde_json::Value {
    docs.iter()
        .find(|d| d["key"] == key)
        .unwrap_or_else(|| panic!("no document {key} in {docs:#?}"))
}

/// `../shared/seeds` beside the repository, or `None` (with a note) when absent.
pub fn seeds() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    if p.join("meta.jsonl").is_file() {
        Some(p)
    } else {
        eprintln!("note: {} not found; skipping this test", p.display());
        None
    }
}

/// The seed report files (`*.txt`), sorted.
pub fn seed_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    v.sort();
    v
}

pub fn key_of(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/reports")
}
