//! The same commands give the same answers on SQLite and PostgreSQL: every
//! store-backed subcommand runs on a fresh SQLite file and on a fresh
//! PostgreSQL schema (`SITREP_TEST_PG_URL`, see `sitrep_store::testing`)
//! after the same ingests, and the outputs are compared with the clock
//! readings (ingest times, durations, export timestamps) taken out.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use sitrep_store::testing::TestDb;

/// `text` with every RFC 3339 UTC time (`2026-11-30T23:06:15.784223Z`)
/// replaced by `<time>`.
fn without_times(text: &str) -> String {
    let b = text.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd";
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let fits = b.len() - i >= shape.len()
            && shape.iter().enumerate().all(|(k, s)| match s {
                b'd' => b[i + k].is_ascii_digit(),
                c => b[i + k] == *c,
            });
        if fits {
            let mut j = i + shape.len();
            if b.get(j) == Some(&b'.') {
                j += 1;
                while b.get(j).is_some_and(u8::is_ascii_digit) {
                    j += 1;
                }
            }
            if b.get(j) == Some(&b'Z') {
                out.push_str("<time>");
                i = j + 1;
                continue;
            }
        }
        let c = text[i..].chars().next().expect("in bounds");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// A JSON document without the keys that hold clock readings.
fn without_clock(mut v: serde_json::Value) -> serde_json::Value {
    match &mut v {
        serde_json::Value::Object(m) => {
            for k in ["seconds", "db", "docs_per_second", "mb_per_second"] {
                m.remove(k);
            }
            for x in m.values_mut() {
                *x = without_clock(x.take());
            }
        }
        serde_json::Value::Array(a) => {
            for x in a.iter_mut() {
                *x = without_clock(x.take());
            }
        }
        _ => {}
    }
    v
}

/// The ACLED CSV without its `timestamp` column (the export time).
fn without_timestamp_column(csv_text: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = r.headers().expect("CSV header").clone();
    let skip = headers.iter().position(|h| h == "timestamp");
    let mut rows = vec![headers.iter().map(String::from).collect::<Vec<_>>()];
    for rec in r.records() {
        let rec = rec.expect("CSV record");
        rows.push(
            rec.iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != skip)
                .map(|(_, f)| f.to_string())
                .collect(),
        );
    }
    rows
}

/// Everything the store-backed commands print for one database.
fn transcript(db: &Path, inputs: &[Vec<PathBuf>], place: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut record = |what: &str, text: String| out.push((what.to_string(), text));
    for (i, paths) in inputs.iter().enumerate() {
        let p: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
        let summary = without_clock(ingest(db, &p));
        record(&format!("ingest {i}"), summary.to_string());
    }
    // Ingesting everything again changes nothing.
    let all: Vec<&Path> = inputs.iter().flatten().map(PathBuf::as_path).collect();
    record("re-ingest", without_clock(ingest(db, &all)).to_string());

    let docs = docs(db);
    record("docs --json", without_times(&ok(db, &["docs", "--json"])));
    record("docs", ok(db, &["docs"]));
    for d in &docs {
        let key = d["key"].as_str().expect("key");
        for flag in ["--json", "--removed", "--events"] {
            record(
                &format!("show {key} {flag}"),
                without_times(&ok(db, &["show", key, flag])),
            );
        }
    }
    let events = ok(db, &["events", "--json"]);
    record("events --json", events.clone());
    record("events", ok(db, &["events"]));
    for line in events.lines().take(5) {
        let v: serde_json::Value = serde_json::from_str(line).expect("events --json");
        let id = v["id"].as_str().expect("fused event id");
        record(&format!("event {id}"), ok(db, &["event", id, "--json"]));
        record(
            &format!("explain {id}"),
            without_times(&ok(db, &["explain", id])),
        );
    }
    for args in [
        vec!["timeline", place, "--json"],
        vec!["control", place, "--json"],
        vec!["export", "--format", "jsonl"],
        vec!["export", "--format", "geojson"],
        vec!["export", "--format", "jsonl", "--per-document"],
    ] {
        record(&args.join(" "), without_times(&ok(db, &args)));
    }
    let csv_text = ok(db, &["export", "--format", "acled-csv"]);
    record(
        "export --format acled-csv",
        format!("{:?}", without_timestamp_column(&csv_text)),
    );
    // Fusing everything again from scratch gives the same fused events.
    ok(db, &["fuse", "--rebuild"]);
    record(
        "events --json after fuse --rebuild",
        ok(db, &["events", "--json"]),
    );
    out
}

#[test]
fn store_commands_answer_the_same_on_sqlite_and_postgresql() {
    let Some(pg) = TestDb::postgres() else {
        return;
    };
    let sqlite = TestDb::sqlite();
    let mut inputs = vec![vec![examples()]];
    let mut place = "Qasr Nadim";
    if let Some(dir) = seeds() {
        inputs.push(seed_files(&dir));
        place = "Abu Kamal";
    }
    let a = transcript(sqlite.location(), &inputs, place);
    let b = transcript(pg.location(), &inputs, place);
    assert_eq!(a.len(), b.len());
    let mut nonempty = 0;
    for ((what, x), (_, y)) in a.iter().zip(&b) {
        assert_eq!(
            x, y,
            "`sitrep {what}` differs between SQLite and PostgreSQL"
        );
        nonempty += usize::from(!x.trim().is_empty());
    }
    assert!(nonempty > 20, "too few commands printed anything");
}

#[test]
fn clock_readings_are_recognised() {
    assert_eq!(
        without_times("at 2026-11-30T23:06:15.784223Z and 2021-03-15T00:00:00Z, not 2021-03-15"),
        "at <time> and <time>, not 2021-03-15"
    );
}
