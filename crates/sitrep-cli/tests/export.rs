//! `sitrep export`: the ACLED CSV reads back through a CSV reader with
//! ACLED's columns, the GeoJSON validates against a FeatureCollection
//! schema, JSON Lines carry full records. Runs on the repository's
//! fictional examples, and on ../shared/seeds when present.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sitrep(db: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sitrep"))
        .arg("--db")
        .arg(db)
        .arg("--quiet")
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run sitrep");
    assert!(
        out.status.success(),
        "sitrep {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn ingested(dir: &Path, input: &str) -> PathBuf {
    let db = dir.join("t.db");
    sitrep(&db, &["ingest", input]);
    db
}

// The column list lives with the writer; the test pins its ends and size.
const ACLED: &[&str] = sitrep_server::formats::ACLED_COLUMNS;

#[test]
fn acled_columns_are_acleds() {
    assert_eq!(ACLED.len(), 31);
    assert_eq!(ACLED[0], "event_id_cnty");
    assert_eq!(ACLED[13], "interaction");
    assert_eq!(ACLED[30], "timestamp");
}

fn check_csv(text: &str) -> Vec<csv::StringRecord> {
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rd
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(header, ACLED);
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("row")).collect();
    let col = |n: &str| ACLED.iter().position(|c| *c == n).expect("column");
    for r in &rows {
        assert_eq!(r.len(), ACLED.len());
        assert!(["1", "2", "3"].contains(&&r[col("time_precision")]));
        assert!(["1", "2", "3"].contains(&&r[col("geo_precision")]));
        let i1: u8 = r[col("inter1")].parse().expect("inter1");
        let i2: u8 = r[col("inter2")].parse().expect("inter2");
        assert!(i1 <= 8 && i2 <= 8);
        let inter: u8 = r[col("interaction")].parse().expect("interaction");
        let (lo, hi) = (i1.min(i2), i1.max(i2));
        assert_eq!(inter, if lo == 0 { hi * 10 } else { lo * 10 + hi });
        r[col("fatalities")].parse::<u64>().expect("fatalities");
        if !r[col("event_date")].is_empty() {
            assert_eq!(&r[col("year")], &r[col("event_date")][..4]);
        }
        if !r[col("latitude")].is_empty() {
            let lat: f64 = r[col("latitude")].parse().expect("latitude");
            assert!((-90.0..=90.0).contains(&lat));
        }
        assert!(r[col("notes")].ends_with('"') || r[col("notes")].ends_with('.'));
        assert!(!r[col("source")].is_empty(), "every event has a source");
    }
    rows
}

fn check_geojson(text: &str) -> Value {
    let v: Value = serde_json::from_str(text).expect("GeoJSON is JSON");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            repo().join("crates/sitrep-server/schema/events.geojson.schema.json"),
        )
        .expect("schema file"),
    )
    .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "GeoJSON errors: {errors:?}");
    v
}

#[test]
fn examples_export_in_three_formats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = ingested(dir.path(), "examples/reports");
    for per_doc in [false, true] {
        let mut args = vec!["export", "--format", "acled-csv"];
        if per_doc {
            args.push("--per-document");
        }
        let rows = check_csv(&sitrep(&db, &args));
        assert!(!rows.is_empty(), "the examples report events");
    }
    let gj = check_geojson(&sitrep(&db, &["export", "--format", "geojson"]));
    assert!(!gj["features"].as_array().expect("features").is_empty());
    let lines = sitrep(&db, &["export", "--format", "jsonl"]);
    for l in lines.lines() {
        let v: Value = serde_json::from_str(l).expect("one JSON object per line");
        assert!(v["id"].is_string() && v["claims"].is_array() && v["record"].is_object());
    }
    // To a file, and filters that leave nothing still give a header.
    let out = dir.path().join("none.csv");
    sitrep(
        &db,
        &[
            "export",
            "--from",
            "1900-01-01",
            "--to",
            "1900-01-02",
            "-o",
            out.to_str().expect("utf-8 path"),
        ],
    );
    let text = std::fs::read_to_string(&out).expect("written");
    assert!(check_csv(&text).is_empty());
}

#[test]
fn bad_dates_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = ingested(dir.path(), "examples/reports");
    let out = Command::new(env!("CARGO_BIN_EXE_sitrep"))
        .args([
            "--db",
            db.to_str().expect("utf-8"),
            "export",
            "--from",
            "08/11/2017",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn seeds_export_abu_kamal_with_sources_and_evidence() {
    let seeds = repo().join("../shared/seeds");
    if !seeds.join("meta.jsonl").exists() {
        eprintln!("skipping: ../shared/seeds is not present");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = ingested(dir.path(), "../shared/seeds");
    let rows = check_csv(&sitrep(
        &db,
        &["export", "--format", "acled-csv", "--place", "174448"],
    ));
    assert!(rows.len() >= 3, "several Abu Kamal events: {}", rows.len());
    let col = |n: &str| ACLED.iter().position(|c| *c == n).expect("column");
    for r in &rows {
        assert_eq!(&r[col("iso")], "760");
        assert_eq!(&r[col("country")], "Syria");
        assert!(r[col("event_id_cnty")].starts_with("SYR"));
        assert!(["1", "2"].contains(&&r[col("geo_precision")]));
    }
    // The June 2018 episode is its own event, with SOHR among its sources.
    assert!(rows
        .iter()
        .any(|r| r[col("event_date")].starts_with("2018-06")
            && (r[col("source")].contains("SOHR") || r[col("source")].contains("Observatory"))));
    let gj = check_geojson(&sitrep(
        &db,
        &["export", "--format", "geojson", "--type", "Battles"],
    ));
    for f in gj["features"].as_array().expect("features") {
        assert_eq!(f["properties"]["event_type"], "Battles");
    }
}

/// Fused events page through the list index (or the filtered scan, for
/// place, actor and source filters) exactly as the full in-memory scan
/// would; the API's `/api/events` and the exports share `event_views`.
#[test]
fn fused_pages_equal_a_full_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let db = ingested(tmp.path(), "examples/reports");
    sitrep(&db, &["fuse"]);
    let s = sitrep_store::Store::open(&db).unwrap();
    let fused = sitrep_store::EventSource::Fused;
    let n = s
        .fused_views(&sitrep_store::EventQuery::default())
        .unwrap()
        .len();
    assert!(n >= 3, "{n} fused events");
    let text = |v: &str| Some(v.to_string());
    let mut checked = 0;
    for (limit, offset) in [
        (None, 0),
        (Some(1), 0),
        (Some(2), 1),
        (Some(n), n - 1),
        (Some(3), n + 5),
    ] {
        let base = sitrep_store::EventQuery {
            limit,
            offset,
            ..Default::default()
        };
        for q in [
            base.clone(),
            sitrep_store::EventQuery {
                event_type: text("Battles"),
                ..base.clone()
            },
            sitrep_store::EventQuery {
                from: text("2020-01-01"),
                ..base.clone()
            },
            sitrep_store::EventQuery {
                place: text("a"),
                ..base.clone()
            },
            sitrep_store::EventQuery {
                place: text("nowhere at all"),
                ..base.clone()
            },
            sitrep_store::EventQuery {
                actor: text("front"),
                ..base.clone()
            },
            sitrep_store::EventQuery {
                actor: text("e"),
                ..base.clone()
            },
            sitrep_store::EventQuery {
                min_sources: Some(2),
                ..base.clone()
            },
            sitrep_store::EventQuery {
                min_sources: Some(1),
                place: text("e"),
                ..base.clone()
            },
        ] {
            let want = s.scan_event_views(fused, &q).unwrap();
            let got = s.event_views(fused, &q).unwrap();
            assert_eq!(got.source, fused);
            assert_eq!(got.total, want.total, "{q:?}");
            let ids = |p: &sitrep_store::EventPage| {
                p.events.iter().map(|e| e.id.clone()).collect::<Vec<_>>()
            };
            assert_eq!(ids(&got), ids(&want), "{q:?}");
            checked += usize::from(want.total > 0);
        }
    }
    assert!(checked > 10, "{checked} queries matched something");
}
