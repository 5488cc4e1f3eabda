//! Hostile inputs: what scrapers hand over when they break. Each file here
//! is generated at test time in a temporary directory and ingested by the
//! built binary together with one good report. Every hostile file must
//! give one clear one-line error (or a lossy-decode diagnostic) and be
//! skipped, and the batch must go on: the good report is stored and the
//! run exits 0.
//!
//! The big inputs (100 MB file, gzip bomb, 50 MB JSONL line) also check
//! that the ingest's peak resident memory stays under [`PEAK_LIMIT_MB`]
//! (read with `wait4`, printed with `--nocapture`); docs/reliability.md,
//! "Hostile files", has the release binary's peaks. The tests keep to a
//! few seconds.

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::*;

const GOOD: &str = "Bridge reopens after flood\n\n\
The old bridge over the river reopened on Tuesday after three days of repairs, \
the town council said in a statement.\n\
Engineers checked the pillars and found no lasting damage, a council spokesman told reporters.\n";

/// One gzip member that inflates to 1 MiB of `A` (1051 bytes): a header,
/// 1015 zero bytes of Huffman-coded repeats and a trailer. Concatenated
/// members are one valid multi-member gzip stream.
fn gzip_mib_of_a() -> Vec<u8> {
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    };
    let mut m = hex("1f8b0800000000000203edc13101000000c2a06ceb5fca10be4001");
    m.extend(std::iter::repeat_n(0u8, 1015));
    m.extend(hex("7c06c9bef68100001000"));
    m
}

/// A temporary directory and the input folder inside it.
fn case_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    fs::create_dir(&dir).unwrap();
    (tmp, dir)
}

/// Add the good report to `dir` and ingest it (`ingest --json`, exit 0
/// expected): the database and the summary.
fn ingest_with_good(tmp: &tempfile::TempDir, dir: &Path) -> (PathBuf, serde_json::Value) {
    fs::write(dir.join("zz_good.txt"), GOOD).unwrap();
    let db = tmp.path().join("t.db");
    let s = ingest(&db, &[dir]);
    (db, s)
}

/// Bounded memory: none of the hostile inputs may make an ingest (debug
/// build, one good report beside) use more than this. Reading a whole
/// 100 MB file, a 200 MiB inflated bomb or a 50 MB line into memory would
/// break it.
const PEAK_LIMIT_MB: u64 = 300;

/// Like [`ingest_with_good`], and the peak resident memory of the ingest
/// process in MB, which must stay under [`PEAK_LIMIT_MB`].
fn ingest_with_good_peak(
    tmp: &tempfile::TempDir,
    dir: &Path,
    what: &str,
) -> (PathBuf, serde_json::Value) {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    fs::write(dir.join("zz_good.txt"), GOOD).unwrap();
    let db = tmp.path().join("t.db");
    #[allow(clippy::zombie_processes)] // reaped by wait4 below, which gives the rusage
    let mut child = std::process::Command::new(bin())
        .arg("--db")
        .arg(&db)
        .args(["ingest", "--json"])
        .arg(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 reaps this child only.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    // SAFETY: valid pointers to locals; the child has not been waited for.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let exit = std::process::ExitStatus::from_raw(status);
    assert!(exit.success(), "ingest failed ({exit}): {out}");
    let peak_mb = usage.ru_maxrss as u64 / 1024; // kB on Linux
    eprintln!("{what}: ingest peak RSS {peak_mb} MB");
    assert!(peak_mb < PEAK_LIMIT_MB, "{what}: peak RSS {peak_mb} MB");
    (
        db,
        serde_json::from_str(&out).expect("ingest --json prints one object"),
    )
}

/// The error reported for the file whose origin ends with `name`.
fn error_for<'a>(summary: &'a serde_json::Value, name: &str) -> &'a str {
    let errs = summary["errors"].as_array().expect("errors array");
    let hits: Vec<&serde_json::Value> = errs
        .iter()
        .filter(|e| e["origin"].as_str().is_some_and(|o| o.ends_with(name)))
        .collect();
    assert_eq!(hits.len(), 1, "one error for {name}: {summary:#}");
    let msg = hits[0]["message"].as_str().unwrap();
    assert!(
        !msg.contains('\n'),
        "{name}: error is not one line: {msg:?}"
    );
    assert!(
        msg.len() < 300,
        "{name}: error is not short: {} bytes",
        msg.len()
    );
    msg
}

fn assert_good_stored(db: &Path) {
    let d = docs(db);
    let good = doc(&d, "zz_good");
    assert!(good["words"].as_u64().unwrap_or(0) > 10, "{good:#}");
}

#[test]
fn binary_files_are_skipped_with_a_reason() {
    let (tmp, dir) = case_dir();
    // A PNG-like header with NUL bytes, named as text; and pseudo-random
    // bytes without an extension.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    fs::write(dir.join("image.txt"), &png).unwrap();
    let noise: Vec<u8> = (0..10_000u64)
        .map(|i| (i.wrapping_mul(6_364_136_223_846_793_005) >> 56) as u8)
        .collect();
    fs::write(dir.join("noise"), &noise).unwrap();
    let (db, s) = ingest_with_good(&tmp, &dir);
    assert!(error_for(&s, "image.txt").contains("binary"), "{s:#}");
    assert!(error_for(&s, "noise").contains("binary"), "{s:#}");
    assert_eq!(s["totals"]["new"], 1, "{s:#}");
    assert_good_stored(&db);
}

#[test]
fn invalid_utf8_is_decoded_lossily_with_a_diagnostic() {
    let (tmp, dir) = case_dir();
    // Latin-1 accents in otherwise English text: decoded with U+FFFD.
    let mut latin1 = b"Caf\xe9 owners protest\n\nOwners of the caf\xe9s on the main square \
closed their doors on Monday to protest against the new tax, the association said.\n"
        .to_vec();
    latin1.extend(b"A truncated sequence at the end: \xe2\x82\n");
    fs::write(dir.join("latin1.txt"), &latin1).unwrap();
    // Mostly high bytes: not text at all.
    let junk: Vec<u8> = (0..4000u32).map(|i| 0x80 | (i % 0x7f) as u8).collect();
    fs::write(dir.join("junk.txt"), &junk).unwrap();
    let (db, s) = ingest_with_good(&tmp, &dir);
    assert_eq!(s["totals"]["new"], 2, "{s:#}");
    assert!(error_for(&s, "junk.txt").contains("UTF-8"), "{s:#}");
    let rec: serde_json::Value =
        serde_json::from_str(&ok(&db, &["show", "latin1", "--json"])).unwrap();
    let text = rec["document"]["text"].as_str().unwrap();
    assert!(text.contains("Caf\u{FFFD} owners"), "{text}");
    let diags = rec["document"]["diagnostics"].to_string();
    assert!(diags.contains("read.invalid-utf8"), "{rec:#}");
    assert_good_stored(&db);
}

#[test]
fn empty_and_blank_files_are_skipped() {
    let (tmp, dir) = case_dir();
    fs::write(dir.join("empty.txt"), b"").unwrap();
    fs::write(dir.join("blank.txt"), b"  \n\n\t \r\n").unwrap();
    fs::write(dir.join("empty.html"), b"").unwrap();
    fs::write(dir.join("empty.jsonl"), b"").unwrap();
    let (db, s) = ingest_with_good(&tmp, &dir);
    assert!(error_for(&s, "empty.txt").contains("empty"), "{s:#}");
    assert!(error_for(&s, "blank.txt").contains("empty"), "{s:#}");
    assert!(error_for(&s, "empty.html").contains("empty"), "{s:#}");
    assert!(error_for(&s, "empty.jsonl").contains("empty"), "{s:#}");
    assert_eq!(s["totals"]["new"], 1, "{s:#}");
    assert_good_stored(&db);
}

#[test]
fn a_file_over_the_size_cap_is_skipped() {
    let (tmp, dir) = case_dir();
    // 100 MB of report-like text, over the 64 MiB file cap.
    let big = dir.join("big.txt");
    let mut f = std::io::BufWriter::new(fs::File::create(&big).unwrap());
    let line = "Fighting continued in the northern districts overnight, residents said.\n";
    let mut n = 0;
    while n < 100_000_000 {
        f.write_all(line.as_bytes()).unwrap();
        n += line.len();
    }
    f.flush().unwrap();
    drop(f);
    let (db, s) = ingest_with_good_peak(&tmp, &dir, "100 MB text file");
    let msg = error_for(&s, "big.txt");
    assert!(msg.contains("limit"), "{msg}");
    assert_eq!(s["totals"]["new"], 1, "{s:#}");
    assert_good_stored(&db);
}

#[test]
fn html_nested_100000_levels_deep() {
    let (tmp, dir) = case_dir();
    let depth = 100_000;
    let mut html = String::from("<!doctype html><html><body>");
    html.push_str(&"<div>".repeat(depth));
    html.push_str("<p>Deep inside, the report says the river rose by two metres on Sunday.</p>");
    html.push_str(&"</div>".repeat(depth));
    html.push_str("</body></html>");
    fs::write(dir.join("deep.html"), &html).unwrap();
    // Unclosed, and mixed inline tags.
    let mut open = String::from("<html><body>");
    for i in 0..depth {
        open.push_str(if i % 2 == 0 { "<span><b>" } else { "<i>x " });
    }
    fs::write(dir.join("unclosed.html"), &open).unwrap();
    let (db, s) = ingest_with_good(&tmp, &dir);
    assert_eq!(s["totals"]["new"], 3, "{s:#}");
    assert_eq!(s["totals"]["errors"], 0, "{s:#}");
    let text = ok(&db, &["show", "deep"]);
    assert!(text.contains("river rose by two metres"), "{text}");
    assert_good_stored(&db);
}

#[test]
fn a_gzip_bomb_is_capped() {
    let (tmp, dir) = case_dir();
    // 200 KB that inflate to 200 MiB, as text and as JSON Lines.
    let member = gzip_mib_of_a();
    let bomb: Vec<u8> = member.repeat(200);
    fs::write(dir.join("bomb.txt.gz"), &bomb).unwrap();
    // A truncated gzip file, and one that is not gzip at all.
    fs::write(dir.join("cut.txt.gz"), &member[..500]).unwrap();
    fs::write(dir.join("fake.txt.gz"), GOOD).unwrap();
    let (db, s) = ingest_with_good_peak(&tmp, &dir, "gzip bomb (200 KB to 200 MiB)");
    let msg = error_for(&s, "bomb.txt.gz");
    assert!(msg.contains("gzip bomb"), "{msg}");
    assert!(error_for(&s, "cut.txt.gz").contains("gzip"), "{s:#}");
    assert!(error_for(&s, "fake.txt.gz").contains("gzip"), "{s:#}");
    assert_eq!(s["totals"]["new"], 1, "{s:#}");
    assert_good_stored(&db);
}

#[test]
fn a_50_mb_jsonl_line_is_skipped_and_the_next_read() {
    let (tmp, dir) = case_dir();
    let p = dir.join("wire.jsonl");
    let mut f = std::io::BufWriter::new(fs::File::create(&p).unwrap());
    writeln!(
        f,
        "{}",
        serde_json::json!({"id": "before", "text": GOOD.replace("Bridge", "Road")})
    )
    .unwrap();
    f.write_all(b"{\"id\":\"huge\",\"text\":\"").unwrap();
    let chunk = "word ".repeat(1 << 16);
    let mut n = 0;
    while n < 50_000_000 {
        f.write_all(chunk.as_bytes()).unwrap();
        n += chunk.len();
    }
    f.write_all(b"\"}\n").unwrap();
    // JSON nested far deeper than any parser recursion limit.
    writeln!(f, "{}{}", "[".repeat(100_000), "]".repeat(100_000)).unwrap();
    writeln!(
        f,
        "{}",
        serde_json::json!({"id": "after", "text": GOOD.replace("Bridge", "Ferry")})
    )
    .unwrap();
    f.flush().unwrap();
    drop(f);
    let (db, s) = ingest_with_good_peak(&tmp, &dir, "50 MB JSONL line");
    let msg = error_for(&s, "wire.jsonl:2");
    assert!(msg.contains("line limit"), "{msg}");
    assert!(error_for(&s, "wire.jsonl:3").contains("JSON"), "{s:#}");
    assert_eq!(s["totals"]["new"], 3, "{s:#}");
    let d = docs(&db);
    doc(&d, "before");
    doc(&d, "after");
    assert!(!d.iter().any(|x| x["key"] == "huge"));
    assert_good_stored(&db);
}

#[test]
fn all_hostile_files_in_one_batch() {
    // Everything at once, through stdin too: the run goes on to the end.
    let (tmp, dir) = case_dir();
    fs::write(dir.join("a_empty.txt"), b"").unwrap();
    fs::write(dir.join("b_binary.txt"), b"\0\x01\x02\x03garbage\0").unwrap();
    fs::write(dir.join("c_bomb.html.gz"), gzip_mib_of_a().repeat(70)).unwrap();
    fs::write(
        dir.join("d_bad.jsonl"),
        b"{\"text\": \"ok line\"}\n{\"text\":\n",
    )
    .unwrap();
    fs::write(
        dir.join("e_deep.html"),
        "<div>".repeat(100_000) + "Some words here to keep." + &"</div>".repeat(100_000),
    )
    .unwrap();
    let (db, s) = ingest_with_good(&tmp, &dir);
    error_for(&s, "a_empty.txt");
    error_for(&s, "b_binary.txt");
    assert!(error_for(&s, "c_bomb.html.gz").contains("gzip bomb"));
    error_for(&s, "d_bad.jsonl:2");
    assert_eq!(s["totals"]["errors"], 4, "{s:#}");
    assert_eq!(s["totals"]["new"], 3, "{s:#}");
    assert_good_stored(&db);
    // Ingesting again changes nothing and reports the same errors.
    let again = ingest(&db, &[&dir]);
    assert_eq!(again["totals"]["unchanged"], 3, "{again:#}");
    assert_eq!(again["totals"]["errors"], 4, "{again:#}");
}
