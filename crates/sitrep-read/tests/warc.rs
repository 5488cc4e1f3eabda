//! WARC intake: record types, HTTP status and headers, charsets, gzip
//! members, malformed and truncated records. Fixtures are built here from
//! fictional pages.

use proptest::prelude::*;
use sitrep_core::SourceFormat;
use sitrep_read::warc::build::{gzip, http_response, record, response};
use sitrep_read::{read_iter, Input, ReadOptions, WarcReader};

const PAGE: &str = "<html><head><title>Bridge reopened in Velmora</title></head><body><h1>Bridge reopened in Velmora</h1><p>Engineers reopened the river bridge in Velmora on Tuesday, the town council said.</p></body></html>";

fn warcinfo() -> Vec<u8> {
    record(
        "warcinfo",
        &[("WARC-Date", "2026-03-04T05:06:07Z")],
        b"software: fixture\r\nformat: WARC File Format 1.1\r\n",
    )
}

fn request(url: &str) -> Vec<u8> {
    record(
        "request",
        &[
            ("WARC-Target-URI", url),
            ("Content-Type", "application/http; msgtype=request"),
        ],
        b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n",
    )
}

/// Records of one fictional crawl; the names say what each should become.
fn crawl() -> Vec<(&'static str, Vec<u8>)> {
    let latin1 = http_response(
        200,
        &[("Content-Type", "text/html; charset=ISO-8859-1")],
        b"<html><body><p>Le caf\xe9 de Montrelle a rouvert apr\xe8s les combats, selon la mairie.</p></body></html>",
    );
    let mut chunked_gz = Vec::new();
    let body = gzip(b"<html><body><p>Ferries resumed between Ostrava Bay and the islands on Monday.</p></body></html>");
    chunked_gz.extend_from_slice(format!("{:x}\r\n", 20).as_bytes());
    chunked_gz.extend_from_slice(&body[..20]);
    chunked_gz.extend_from_slice(format!("\r\n{:x}\r\n", body.len() - 20).as_bytes());
    chunked_gz.extend_from_slice(&body[20..]);
    chunked_gz.extend_from_slice(b"\r\n0\r\n\r\n");
    let chunked = http_response(
        200,
        &[
            ("Content-Type", "text/html"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Encoding", "gzip"),
        ],
        &chunked_gz,
    );
    let resp = |url: &str, block: &[u8]| {
        record(
            "response",
            &[
                ("WARC-Target-URI", url),
                ("WARC-Date", "2026-03-04T05:06:07Z"),
                ("Content-Type", "application/http; msgtype=response"),
            ],
            block,
        )
    };
    vec![
        ("skip warcinfo", warcinfo()),
        ("skip request", request("https://news.example.org/a")),
        (
            "doc https://news.example.org/a",
            response(
                "https://news.example.org/a",
                "2026-03-04T05:06:07Z",
                "text/html; charset=utf-8",
                PAGE.as_bytes(),
            ),
        ),
        (
            "skip metadata",
            record(
                "metadata",
                &[("WARC-Target-URI", "https://news.example.org/a")],
                b"fetchTimeMs: 12\r\n",
            ),
        ),
        (
            "doc https://journal.example.fr/b",
            resp("https://journal.example.fr/b", &latin1),
        ),
        (
            "skip 404",
            resp(
                "https://news.example.org/gone",
                &http_response(404, &[("Content-Type", "text/html")], b"<p>Not found</p>"),
            ),
        ),
        (
            "skip pdf",
            resp(
                "https://news.example.org/r.pdf",
                &http_response(200, &[("Content-Type", "application/pdf")], b"%PDF-1.4 ..."),
            ),
        ),
        (
            "doc https://ferry.example.net/c",
            resp("https://ferry.example.net/c", &chunked),
        ),
        (
            "doc https://wire.example.com/d",
            response(
                "https://wire.example.com/d",
                "2026-03-05T00:00:00Z",
                "text/plain",
                b"Wire copy: the council in Velmora met on Tuesday.\n",
            ),
        ),
    ]
}

fn plain(records: &[(&str, Vec<u8>)]) -> Vec<u8> {
    records.iter().flat_map(|r| r.1.clone()).collect()
}

fn gz_members(records: &[(&str, Vec<u8>)]) -> Vec<u8> {
    records.iter().flat_map(|r| gzip(&r.1)).collect()
}

fn read_all(
    bytes: &[u8],
) -> (
    Vec<Result<sitrep_core::Document, String>>,
    sitrep_read::WarcStats,
) {
    let mut r = WarcReader::new(bytes, "t.warc", &ReadOptions::default());
    let out: Vec<_> = r.by_ref().map(|x| x.map_err(|e| e.to_string())).collect();
    (out, r.stats().clone())
}

/// `doc ORIGIN` or `err MESSAGE` per result.
fn show(out: &[Result<sitrep_core::Document, String>]) -> Vec<String> {
    out.iter()
        .map(|r| match r {
            Ok(d) => format!("doc {}", d.origin),
            Err(e) => format!("err {e}"),
        })
        .collect()
}

fn expected_docs() -> Vec<String> {
    crawl()
        .iter()
        .filter_map(|(n, _)| n.strip_prefix("doc ").map(String::from))
        .collect()
}

#[test]
fn responses_become_documents_and_the_rest_is_counted() {
    for (label, bytes) in [("plain", plain(&crawl())), ("gz", gz_members(&crawl()))] {
        let (out, stats) = read_all(&bytes);
        let keys: Vec<String> = out
            .iter()
            .map(|r| r.as_ref().map(|d| d.key.clone()).unwrap())
            .collect();
        assert_eq!(keys, expected_docs(), "{label}");
        assert_eq!(stats.records, 9, "{label}");
        assert_eq!(stats.documents, 4, "{label}");
        assert_eq!(stats.errors, 0, "{label}");
        let skipped: Vec<(&str, u64)> = stats
            .skipped
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        assert_eq!(
            skipped,
            [
                ("content type application/pdf", 1),
                ("http status 404", 1),
                ("record type metadata", 1),
                ("record type request", 1),
                ("record type warcinfo", 1),
            ],
            "{label}"
        );
        let docs: Vec<_> = out.into_iter().map(Result::unwrap).collect();
        let a = &docs[0];
        assert_eq!(a.format, SourceFormat::Html);
        assert_eq!(a.source, PAGE);
        assert_eq!(a.meta.url.as_deref(), Some("https://news.example.org/a"));
        assert_eq!(a.outlet.as_deref(), Some("news.example.org"));
        assert_eq!(a.meta.extra["crawled"], "2026-03-04T05:06:07Z");
        assert!(a.meta.extra["warc_record_id"]
            .as_str()
            .unwrap()
            .starts_with("<urn:"));
        // The crawl date is kept for the cleaning stage; intake does not
        // make it the publication date.
        assert!(!a.published.is_known());
        let b = &docs[1];
        assert!(
            b.source.contains("Le café de Montrelle a rouvert après"),
            "{}",
            b.source
        );
        assert!(b.diagnostics.iter().any(|d| d.code == "read.charset"));
        let c = &docs[2];
        assert!(
            c.source.contains("Ferries resumed between Ostrava Bay"),
            "{}",
            c.source
        );
        let d = &docs[3];
        assert_eq!(d.format, SourceFormat::Text);
        // Origins carry the record's byte offset, inside the file.
        for doc in &docs {
            let off: u64 = doc.origin.rsplit('@').next().unwrap().parse().unwrap();
            assert!(off < bytes.len() as u64, "{label}: {}", doc.origin);
        }
    }
}

#[test]
fn offsets_point_at_the_record() {
    let recs = crawl();
    let bytes = plain(&recs);
    let (out, _) = read_all(&bytes);
    let first = out[0].as_ref().unwrap();
    let off: usize = first.origin.rsplit('@').next().unwrap().parse().unwrap();
    assert_eq!(off, recs[0].1.len() + recs[1].1.len());
    assert!(bytes[off..].starts_with(b"WARC/1.1\r\nWARC-Type: response"));
    let gz = gz_members(&recs);
    let (out, _) = read_all(&gz);
    let off: usize = out[0]
        .as_ref()
        .unwrap()
        .origin
        .rsplit('@')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(off, gzip(&recs[0].1).len() + gzip(&recs[1].1).len());
}

#[test]
fn malformed_and_truncated_records_name_the_offset_and_the_stream_goes_on() {
    let recs = crawl();
    let good_a = recs[2].1.clone();
    let good_d = recs[8].1.clone();
    // A record with a broken header block, then a good one.
    let mut bytes = b"WARC/1.1\r\nWARC-Type: response\r\nthis line has no colon\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n".to_vec();
    let good_at = bytes.len();
    bytes.extend_from_slice(&good_a);
    // Garbage between records is skipped up to the next version line.
    bytes.extend_from_slice(b"stray bytes\r\n");
    bytes.extend_from_slice(&good_d);
    // A last record cut short.
    let cut = &good_a[..good_a.len() - 40];
    let cut_at = bytes.len();
    bytes.extend_from_slice(cut);
    let (out, stats) = read_all(&bytes);
    let shown = show(&out);
    assert_eq!(shown.len(), 5, "{shown:#?}");
    assert!(
        shown[0].starts_with("err t.warc@0: malformed record"),
        "{}",
        shown[0]
    );
    assert_eq!(shown[1], format!("doc t.warc@{good_at}"));
    assert!(shown[2].starts_with("err t.warc@"), "{}", shown[2]);
    assert!(shown[3].starts_with("doc t.warc@"), "{}", shown[3]);
    assert!(
        shown[4].starts_with(&format!("err t.warc@{cut_at}: truncated record")),
        "{}",
        shown[4]
    );
    assert_eq!(stats.documents, 2);
    assert_eq!(stats.errors, 3);

    // gzip: a corrupt member between good ones, and a truncated last member.
    let mut gz = gzip(&good_a);
    let mut bad = gzip(&good_d);
    let n = bad.len();
    bad[n / 2] ^= 0xff;
    bad[n / 2 + 1] ^= 0xff;
    let bad_at = gz.len();
    gz.extend_from_slice(&bad);
    gz.extend_from_slice(&gzip(&good_d));
    let last = gzip(&good_a);
    let last_at = gz.len();
    gz.extend_from_slice(&last[..last.len() / 2]);
    let (out, _) = read_all(&gz);
    let shown = show(&out);
    assert_eq!(shown[0], "doc t.warc@0");
    assert!(
        shown[1].starts_with(&format!("err t.warc@{bad_at}")),
        "{shown:#?}"
    );
    assert!(
        shown
            .iter()
            .any(|s| s.starts_with("doc t.warc@") && s != "doc t.warc@0"),
        "{shown:#?}"
    );
    assert!(
        shown
            .last()
            .unwrap()
            .starts_with(&format!("err t.warc@{last_at}")),
        "{shown:#?}"
    );
}

/// Regression: a gzip member starting in the last byte of the read buffer
/// was taken for junk, and one record was lost with a "not a gzip member"
/// error (seen on a 35 MB bench corpus).
#[test]
fn members_cut_by_the_read_buffer_are_read() {
    let recs = crawl();
    let gz = gz_members(&recs);
    for cap in 1..40 {
        let r = std::io::BufReader::with_capacity(cap, &gz[..]);
        let mut w = WarcReader::new(r, "t.warc", &ReadOptions::default());
        let keys: Vec<String> = w.by_ref().map(|d| d.unwrap().key).collect();
        assert_eq!(keys, expected_docs(), "buffer of {cap} bytes");
        assert_eq!(w.stats().records, 9, "buffer of {cap} bytes");
    }
}

#[test]
fn oversized_records_are_refused_without_buffering() {
    let big = "<p>word </p>".repeat(2000);
    let rec = response(
        "https://x.example.org/big",
        "2026-01-01T00:00:00Z",
        "text/html",
        big.as_bytes(),
    );
    let mut bytes = rec.clone();
    bytes.extend_from_slice(&crawl()[8].1);
    let opts = ReadOptions {
        max_record_bytes: 4096,
        ..ReadOptions::default()
    };
    let mut r = WarcReader::new(&bytes[..], "big.warc", &opts);
    let out: Vec<_> = r.by_ref().collect();
    assert_eq!(out.len(), 2);
    let e = out[0].as_ref().unwrap_err().to_string();
    assert!(
        e.starts_with("big.warc@0: response record of") && e.contains("record cap"),
        "{e}"
    );
    assert_eq!(out[1].as_ref().unwrap().key, "https://wire.example.com/d");
}

#[test]
fn files_and_folders_are_read_as_warc() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("crawl.warc"), plain(&crawl())).unwrap();
    std::fs::write(t.path().join("crawl2.warc.gz"), gz_members(&crawl()[2..5])).unwrap();
    // No extension: sniffed.
    std::fs::write(t.path().join("CC-NEWS-0001"), gz_members(&crawl()[7..])).unwrap();
    let mut r = read_iter(
        &[Input::Path(t.path().to_path_buf())],
        &ReadOptions::default(),
    );
    let keys: Vec<String> = r.by_ref().map(|d| d.unwrap().key).collect();
    assert_eq!(
        keys,
        [
            "https://ferry.example.net/c",
            "https://wire.example.com/d",
            "https://news.example.org/a",
            "https://journal.example.fr/b",
            "https://ferry.example.net/c",
            "https://wire.example.com/d",
            "https://news.example.org/a",
            "https://journal.example.fr/b",
        ]
    );
    let s = r.warc_stats();
    assert_eq!(s.documents, 8);
    // 5 in crawl.warc, 1 (metadata) in crawl2.warc.gz, none in the third.
    assert_eq!(s.skipped_total(), 6);
}

/// A record kind the property tests combine.
#[derive(Debug, Clone)]
enum Kind {
    Info,
    Request,
    Page(u16, &'static str),
    Status(u16),
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Info),
        Just(Kind::Request),
        (
            0u16..500,
            prop::sample::select(vec![
                "text/html",
                "text/plain",
                "text/html; charset=windows-1252"
            ])
        )
            .prop_map(|(n, ct)| Kind::Page(n, ct)),
        prop::sample::select(vec![301u16, 404, 500]).prop_map(Kind::Status),
    ]
}

fn build(kinds: &[Kind]) -> (Vec<Vec<u8>>, Vec<String>) {
    let mut recs = Vec::new();
    let mut keys = Vec::new();
    for (i, k) in kinds.iter().enumerate() {
        match k {
            Kind::Info => recs.push(warcinfo()),
            Kind::Request => recs.push(request("https://news.example.org/q")),
            Kind::Page(n, ct) => {
                let url = format!("https://news.example.org/p{i}");
                let body = format!(
                    "<html><body><p>Report {n} from the harbour of Kestrel.</p></body></html>"
                );
                recs.push(response(&url, "2026-02-01T10:00:00Z", ct, body.as_bytes()));
                keys.push(url);
            }
            Kind::Status(s) => recs.push(record(
                "response",
                &[("WARC-Target-URI", "https://news.example.org/s")],
                &http_response(*s, &[("Content-Type", "text/html")], b"<p>moved</p>"),
            )),
        }
    }
    (recs, keys)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Plain and per-record gzip give the same documents, exactly the
    /// 200 responses, in order; every record is counted once.
    #[test]
    fn plain_and_gz_agree(kinds in prop::collection::vec(kind(), 0..12), cap in 1usize..64) {
        let (recs, keys) = build(&kinds);
        let plain: Vec<u8> = recs.concat();
        let gz: Vec<u8> = recs.iter().flat_map(|r| gzip(r)).collect();
        for bytes in [&plain, &gz] {
            let (out, stats) = read_all(bytes);
            let got: Vec<String> = out.iter().map(|r| r.as_ref().unwrap().key.clone()).collect();
            prop_assert_eq!(&got, &keys);
            prop_assert_eq!(stats.records as usize, kinds.len());
            prop_assert_eq!(stats.documents + stats.skipped_total(), stats.records);
            // The same through a small read buffer, so that member and
            // record boundaries fall at its edges.
            let small = std::io::BufReader::with_capacity(cap, &bytes[..]);
            let mut r = WarcReader::new(small, "t.warc", &ReadOptions::default());
            let got: Vec<String> = r.by_ref().map(|d| d.map(|d| d.key).unwrap_or_else(|e| e.to_string())).collect();
            prop_assert_eq!(&got, &keys, "buffer of {} bytes", cap);
            prop_assert_eq!(r.stats().errors, 0);
        }
    }

    /// Any cut or corruption: no panic, every offset inside the input, at
    /// most one result per record start plus one, errors on one line.
    #[test]
    fn damaged_input_never_panics(
        kinds in prop::collection::vec(kind(), 1..6),
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        gz in any::<bool>(),
    ) {
        let (recs, _) = build(&kinds);
        let mut bytes: Vec<u8> = if gz { recs.iter().flat_map(|r| gzip(r)).collect() } else { recs.concat() };
        for (i, b) in &flips {
            let i = i.index(bytes.len());
            bytes[i] ^= b;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        let (out, _) = read_all(&bytes);
        prop_assert!(out.len() <= kinds.len() + flips.len() + 1);
        for r in &out {
            let origin = match r { Ok(d) => d.origin.clone(), Err(e) => e.clone() };
            let at = origin.split('@').nth(1).unwrap_or("").split([':', '+']).next().unwrap_or("");
            let off: usize = at.parse().unwrap();
            prop_assert!(off <= bytes.len(), "{} for {} bytes", origin, bytes.len());
            if let Err(e) = r {
                prop_assert!(!e.contains('\n'));
            }
        }
    }
}
