//! Live intake: `ingest --follow` on stdin and on a growing file, and
//! `watch DIR`. Records and files are written here (fictional reports).

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn record(id: &str, town: &str) -> String {
    format!(
        "{{\"id\":\"{id}\",\"outlet\":\"Harbour Post\",\"published\":\"2026-02-03\",\"text\":\"Militia fighters shelled the market in {town} on Monday, killing four civilians, the local council said.\"}}\n"
    )
}

fn keys(db: &Path) -> Vec<String> {
    let mut k: Vec<String> = common::docs(db)
        .iter()
        .map(|d| d["key"].as_str().unwrap().to_string())
        .collect();
    k.sort();
    k
}

#[test]
fn follow_stdin_commits_batches_as_records_arrive_and_ends_at_eof() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("f.db");
    let mut child = Command::new(common::bin())
        .arg("--db")
        .arg(&db)
        .args([
            "ingest",
            "--follow",
            "-",
            "--batch",
            "2",
            "--latency-ms",
            "200",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(record("a1", "Velmora").as_bytes()).unwrap();
    stdin.flush().unwrap();
    // One record, below the batch size: committed after the latency.
    let t = Instant::now();
    loop {
        if db.exists() && keys(&db) == ["a1"] {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "a1 was not committed"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    stdin
        .write_all((record("a2", "Kestrel") + "not json\n" + &record("a3", "Lanmoor")).as_bytes())
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(keys(&db), ["a1", "a2", "a3"]);
    assert!(stdout.contains("-:3: invalid JSON"), "{stdout}");
    assert!(stderr.contains("follow: "), "progress lines: {stderr}");
}

#[test]
fn follow_a_growing_file_until_interrupted() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("g.db");
    let feed = tmp.path().join("feed.jsonl");
    std::fs::write(&feed, record("b1", "Orlenko")).unwrap();
    let child = Command::new(common::bin())
        .arg("--db")
        .arg(&db)
        .args(["ingest", "--follow", "--latency-ms", "100", "--no-events"])
        .arg(&feed)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let wait_for = |want: &[&str]| {
        let t = Instant::now();
        while !(db.exists() && keys(&db) == want) {
            assert!(
                t.elapsed() < Duration::from_secs(120),
                "waiting for {want:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    wait_for(&["b1"]);
    // A line written in two pieces is read once it is complete.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&feed)
        .unwrap();
    let r = record("b2", "Montrelle");
    let (x, y) = r.split_at(30);
    f.write_all(x.as_bytes()).unwrap();
    f.flush().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    f.write_all(y.as_bytes()).unwrap();
    f.flush().unwrap();
    wait_for(&["b1", "b2"]);
    // SIGINT ends the run cleanly.
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 document(s) read"));
}

#[test]
fn watch_ingests_stable_new_files_once_and_remembers() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("w.db");
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("one.jsonl"), record("c1", "Velmora")).unwrap();
    std::fs::write(dir.join("two.jsonl.tmp"), record("c2", "Kestrel")).unwrap();
    std::fs::write(dir.join(".hidden.jsonl"), record("c3", "Lanmoor")).unwrap();
    std::fs::write(dir.join("bad.jsonl"), "{ not json\n").unwrap();
    let run = || {
        common::ok(
            &db,
            &["watch", dir.to_str().unwrap(), "--once", "--no-events"],
        )
    };
    let out = run();
    assert_eq!(keys(&db), ["c1"], "{out}");
    assert!(out.contains("bad.jsonl:1: invalid JSON"), "{out}");
    assert!(out.contains("2 file(s) ingested, 1 failed"), "{out}");
    // The scraper renames its finished file: picked up on the next run;
    // the files already read are not read again.
    std::fs::rename(dir.join("two.jsonl.tmp"), dir.join("two.jsonl")).unwrap();
    let out = run();
    assert_eq!(keys(&db), ["c1", "c2"], "{out}");
    assert!(out.contains("1 file(s) ingested"), "{out}");
    assert!(!out.contains("one.jsonl"), "{out}");
    let out = run();
    assert!(out.contains("0 file(s) ingested"), "{out}");
}
