//! Intake: formats, sidecars, keys, errors, limits, order.

use std::io::Write;
use std::path::Path;

use sitrep_core::{DateOrigin, SourceFormat};
use sitrep_read::{read_inputs, read_iter, Input, ReadOptions};

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(p, bytes).unwrap();
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

const REPORT: &str = "Troops enter town\n\nTroops entered the town on Wednesday, officials said, after weeks of fighting.\n";

#[test]
fn directory_formats_sidecar_and_order() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "b_report.txt", REPORT.as_bytes());
    write(d, "a_page.html", b"<html><head><title>Page title</title><meta property=\"article:published_time\" content=\"2017-11-08T08:01:00Z\"></head><body><p>Hello from the page, where troops entered the town.</p></body></html>");
    write(d, "c_feed.jsonl", b"{\"id\":\"r1\",\"url\":\"https://www.example.org/x\",\"title\":\"T\",\"published\":\"2017-11\",\"text\":\"Record one text.\",\"lang\":\"en\"}\n\n{\"html\":\"<p>Record two</p>\",\"outlet\":\"Wire\"}\nnot json\n{\"title\":\"no body\"}\n");
    write(d, "d_zipped.txt.gz", &gz(REPORT.as_bytes()));
    write(d, "sub/e_nested.txt", REPORT.as_bytes());
    write(d, "meta.jsonl", b"{\"file\":\"b_report.txt\",\"outlet\":\"Rudaw\",\"url\":\"https://www.rudaw.net/a\",\"published\":\"2018-06-12\",\"section\":\"syria\"}\n");
    let out = read_inputs(&[Input::Path(d.to_path_buf())], &ReadOptions::default());
    let keys: Vec<String> = out
        .iter()
        .map(|r| match r {
            Ok(doc) => doc.key.clone(),
            Err(e) => format!("ERR {}", e.origin.rsplit('/').next().unwrap()),
        })
        .collect();
    assert_eq!(
        keys,
        [
            "a_page",
            "b_report",
            "r1",
            "c_feed:3",
            "ERR c_feed.jsonl:4",
            "ERR c_feed.jsonl:5",
            "d_zipped",
            "e_nested"
        ]
    );
    let docs: Vec<_> = out.iter().filter_map(|r| r.as_ref().ok()).collect();
    let page = docs[0];
    // Intake only sniffs HTML; the cleaning stage extracts its text (see
    // sitrep-clean's `html_pages_are_extracted_when_cleaned`).
    assert_eq!(page.format, SourceFormat::Html);
    assert_eq!(page.text, page.source);
    assert!(page.source.contains("<p>"));
    let rep = docs[1];
    assert_eq!(rep.published.display(), "2018-06-12");
    assert_eq!(rep.published.origin, DateOrigin::Sidecar);
    assert_eq!(rep.outlet.as_deref(), Some("Rudaw"));
    assert_eq!(
        rep.meta.extra.get("section").and_then(|v| v.as_str()),
        Some("syria")
    );
    let r1 = docs[2];
    assert_eq!(r1.published.display(), "2017-11");
    assert_eq!(r1.published.origin, DateOrigin::Record);
    assert_eq!(r1.outlet.as_deref(), Some("example.org"));
    assert!(r1.origin.ends_with("c_feed.jsonl:1"));
    assert_eq!(
        r1.meta.extra.get("lang").and_then(|v| v.as_str()),
        Some("en")
    );
    assert_eq!(docs[3].format, SourceFormat::Html);
    assert_eq!(docs[3].outlet.as_deref(), Some("Wire"));
    assert_eq!(docs[4].text, REPORT);
    let errs: Vec<_> = out.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(errs[0].message.contains("invalid JSON"), "{}", errs[0]);
    assert!(errs[1].message.contains("neither"), "{}", errs[1]);
}

#[test]
fn flags_override_metadata() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "x.txt", REPORT.as_bytes());
    write(
        t.path(),
        "meta.jsonl",
        b"{\"file\":\"x.txt\",\"published\":\"2018-06-12\",\"outlet\":\"A\"}\n",
    );
    let opts = ReadOptions {
        published: Some("2017-11-09".into()),
        outlet: Some("B".into()),
        ..ReadOptions::default()
    };
    let out = read_inputs(&[Input::Path(t.path().join("x.txt"))], &opts);
    let d = out[0].as_ref().unwrap();
    assert_eq!(d.published.display(), "2017-11-09");
    assert_eq!(d.published.origin, DateOrigin::Flag);
    assert_eq!(d.outlet.as_deref(), Some("B"));
}

#[test]
fn bad_files_become_errors_and_the_batch_goes_on() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "1_empty.txt", b"");
    write(d, "2_binary.txt", b"\x7fELF\x00\x00\x01\x02binary");
    write(d, "3_bad.gz", b"not gzip at all");
    write(
        d,
        "4_latin1.txt",
        b"Caf\xe9 owners said troops entered the town on Wednesday.\n",
    );
    write(d, "5_big.txt", &[b'a'; 2000]);
    write(d, "6_bomb.txt.gz", &gz(&[b'a'; 5000]));
    write(d, "7_ok.txt", REPORT.as_bytes());
    let opts = ReadOptions {
        max_file_bytes: 1000,
        max_decompressed_bytes: 1000,
        ..ReadOptions::default()
    };
    let out = read_inputs(
        &[
            Input::Path(d.to_path_buf()),
            Input::Path(d.join("missing.txt")),
        ],
        &opts,
    );
    assert_eq!(out.len(), 8);
    let msg = |i: usize| {
        out[i]
            .as_ref()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    assert!(
        msg(0).contains("1_empty.txt") && msg(0).contains("empty"),
        "{}",
        msg(0)
    );
    assert!(msg(1).contains("binary"), "{}", msg(1));
    assert!(msg(2).contains("gzip"), "{}", msg(2));
    let latin = out[3].as_ref().unwrap();
    assert!(latin.text.contains('\u{FFFD}'));
    assert!(latin
        .diagnostics
        .iter()
        .any(|x| x.code == "read.invalid-utf8"));
    assert!(msg(4).contains("limit"), "{}", msg(4));
    assert!(msg(5).contains("gzip bomb"), "{}", msg(5));
    assert!(out[6].is_ok());
    assert!(msg(7).contains("missing.txt"), "{}", msg(7));
    for e in out.iter().filter_map(|r| r.as_ref().err()) {
        assert!(!e.message.contains('\n'));
    }
}

#[test]
fn jsonl_line_limit_and_gz_jsonl_stream() {
    let t = tempfile::tempdir().unwrap();
    let long = format!(
        "{{\"text\":\"{}\"}}\n{{\"text\":\"short\"}}\n",
        "x".repeat(300)
    );
    write(t.path(), "f.jsonl.gz", &gz(long.as_bytes()));
    let opts = ReadOptions {
        max_line_bytes: 100,
        ..ReadOptions::default()
    };
    let out: Vec<_> = read_iter(&[Input::Path(t.path().to_path_buf())], &opts).collect();
    assert_eq!(out.len(), 2);
    assert!(out[0].as_ref().unwrap_err().message.contains("line limit"));
    let d = out[1].as_ref().unwrap();
    assert_eq!(d.text, "short");
    assert_eq!(d.key, "f:2");
}

#[test]
fn iterator_is_lazy_over_many_files() {
    let t = tempfile::tempdir().unwrap();
    for i in 0..300 {
        write(t.path(), &format!("{i:04}.txt"), REPORT.as_bytes());
    }
    let mut it = read_iter(
        &[Input::Path(t.path().to_path_buf())],
        &ReadOptions::default(),
    );
    let first = it.next().unwrap().unwrap();
    assert_eq!(first.key, "0000");
    assert_eq!(it.count(), 299);
}

#[test]
fn seeds_through_intake_when_present() {
    let d = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/seeds"
    ));
    if !d.is_dir() {
        eprintln!("skipping: {} not found", d.display());
        return;
    }
    let out = read_inputs(&[Input::Path(d.to_path_buf())], &ReadOptions::default());
    let docs: Vec<_> = out.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(docs.len(), 5, "README.md and meta.jsonl are not documents");
    assert_eq!(docs[0].key, "000_547f9418df9b4a91");
    assert_eq!(docs[0].published.display(), "2018-06-12");
    assert_eq!(docs[0].outlet.as_deref(), Some("Rudaw"));
    assert_eq!(docs[4].published.display(), "2017-11-10");
}
