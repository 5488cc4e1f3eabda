//! The properties the fuzz targets check, one function per target.
//!
//! The targets in `fuzz_targets/` are one-line wrappers around these, so
//! the same code also runs as an ordinary test on stable Rust (`cargo test
//! --manifest-path fuzz/Cargo.toml --no-default-features`): every seed in
//! `fuzz/seeds/TARGET/` and every minimised crash in
//! `fuzz/regressions/TARGET/` goes through its check. CI runs that test, so
//! the target code is built and exercised even without nightly.
//!
//! Every check panics (which libFuzzer reports as a crash) when a property
//! fails: the stage panicked, an offset fell outside the input or inside a
//! UTF-8 character, or cleaning the same document twice gave different
//! segments.

use std::path::PathBuf;
use std::sync::OnceLock;

use sitrep_core::{Document, DocumentMeta, Span};

/// Inputs longer than this are cut (at a character boundary) before the
/// slower stages, so the fuzzer explores structure rather than size. The
/// size limits themselves are covered by the hostile-file tests.
const MAX_TEXT: usize = 64 << 10;

fn cleaner() -> &'static sitrep_clean::Cleaner {
    static C: OnceLock<sitrep_clean::Cleaner> = OnceLock::new();
    C.get_or_init(sitrep_clean::Cleaner::new)
}

fn annotator() -> &'static sitrep_annotate::Annotator {
    static A: OnceLock<sitrep_annotate::Annotator> = OnceLock::new();
    A.get_or_init(sitrep_annotate::Annotator::new)
}

fn extractor() -> &'static sitrep_extract::Extractor {
    static E: OnceLock<sitrep_extract::Extractor> = OnceLock::new();
    E.get_or_init(sitrep_extract::Extractor::new)
}

/// The shipped gazetteer and actor knowledge base, or `None` when `data/`
/// is missing (the geo targets then check nothing).
fn geo() -> Option<&'static sitrep_geo::GeoParser> {
    static G: OnceLock<Option<sitrep_geo::GeoParser>> = OnceLock::new();
    G.get_or_init(|| sitrep_geo::GeoParser::load(&sitrep_geo::default_data_dir()).ok())
        .as_ref()
}

fn text_of(data: &[u8]) -> String {
    let s = String::from_utf8_lossy(data);
    let mut end = s.len().min(MAX_TEXT);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// `span` lies inside `text` on character boundaries.
pub fn check_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} not on a character boundary"
    );
}

/// Every `{start, end}` object (a `Span`) in a serialised stage output lies
/// inside `text` on character boundaries; every `{byte_start, byte_end}`
/// (evidence) too, with its code point offsets matching.
pub fn check_spans_in_json(text: &str, v: &serde_json::Value, path: &str) {
    match v {
        serde_json::Value::Object(m) => {
            let num = |k: &str| m.get(k).and_then(serde_json::Value::as_u64);
            if let (Some(bs), Some(be)) = (num("byte_start"), num("byte_end")) {
                let span = Span {
                    start: bs as usize,
                    end: be as usize,
                };
                check_span(text, span, path);
                if let (Some(s), Some(e)) = (num("start"), num("end")) {
                    let cs = text[..span.start].chars().count();
                    let ce = cs + text[span.start..span.end].chars().count();
                    assert_eq!(
                        (s as usize, e as usize),
                        (cs, ce),
                        "{path}: code point offsets"
                    );
                }
            } else if let (Some(s), Some(e)) = (num("start"), num("end")) {
                let span = Span {
                    start: s as usize,
                    end: e as usize,
                };
                check_span(text, span, path);
            }
            for (k, x) in m {
                check_spans_in_json(text, x, &format!("{path}.{k}"));
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                check_spans_in_json(text, x, &format!("{path}[{i}]"));
            }
        }
        _ => {}
    }
}

/// A cleaned document's segments lie in its text, map back into its
/// source, and cleaning again gives the same segments.
fn check_cleaned(doc: &Document) {
    for s in &doc.segments {
        check_span(&doc.text, s.span, "segment");
        let src = doc.text_map.span_to_source(s.span);
        assert!(
            src.start <= src.end && src.end <= doc.source.len(),
            "segment {:?} maps to {src:?}, outside a source of {} bytes",
            s.span,
            doc.source.len()
        );
    }
    let mut again = doc.clone();
    cleaner().clean(&mut again);
    assert_eq!(again.text, doc.text, "re-cleaning changed the text");
    assert_eq!(
        again.segments, doc.segments,
        "re-cleaning gave other segments"
    );
    assert_eq!(
        again.published, doc.published,
        "re-cleaning changed the date"
    );
}

/// HTML main-content extraction and cleaning of arbitrary bytes.
pub fn html_extract(data: &[u8]) {
    let src = String::from_utf8_lossy(data).into_owned();
    let x = sitrep_clean::html::extract(&src);
    for b in &x.blocks {
        check_span(&x.text, b.span, "html block");
    }
    let mut doc = sitrep_clean::html_document("f".into(), "-".into(), src, DocumentMeta::default());
    cleaner().clean(&mut doc);
    check_cleaned(&doc);
    // The path intake takes: markup in both source and text, extracted by
    // the cleaner itself. Same segments either way.
    let mut raw = Document::from_text(
        "f".into(),
        "-".into(),
        doc.source.clone(),
        DocumentMeta::default(),
    );
    raw.format = sitrep_core::SourceFormat::Html;
    cleaner().clean(&mut raw);
    assert_eq!(raw.text, doc.text, "intake path extracted another text");
    assert_eq!(
        raw.segments, doc.segments,
        "intake path gave other segments"
    );
}

/// JSON Lines intake of arbitrary bytes (through a file, as scrapers hand
/// them over), then cleaning: every line is a document or an error.
pub fn jsonl_intake(data: &[u8]) {
    use sitrep_read::{read_iter, Input, ReadOptions};
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("rel-fuzz-jsonl-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&d);
        d
    });
    let path = dir.join("input.jsonl");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let opts = ReadOptions {
        max_line_bytes: 4096,
        ..ReadOptions::default()
    };
    let lines = data.split(|&b| b == b'\n').count();
    let mut n = 0;
    for r in read_iter(&[Input::Path(path)], &opts).take(lines + 2) {
        n += 1;
        match r {
            Ok(mut doc) => {
                assert!(!doc.key.is_empty(), "document without a key");
                cleaner().clean(&mut doc);
                check_cleaned(&doc);
            }
            Err(e) => {
                let msg = e.to_string();
                assert!(!msg.contains('\n'), "error is not one line: {msg:?}");
            }
        }
    }
    assert!(n <= lines + 1, "{n} results for {lines} lines");
}

/// WARC intake of arbitrary bytes, as given and as one gzip member: every
/// record becomes a document, a count or a one-line error naming an offset
/// inside the input; documents clean stably. In a plain file every record
/// starts at a `WARC/` line, except what the reader reports as a malformed
/// start (bytes where a record should begin: it names them once, then
/// skips to the next line that is, or may be, a version line).
pub fn warc(data: &[u8]) {
    use sitrep_read::{ReadOptions, WarcReader};
    let opts = ReadOptions {
        max_record_bytes: 64 << 10,
        ..ReadOptions::default()
    };
    let gz = sitrep_read::warc::build::gzip(data);
    for bytes in [data, &gz[..]] {
        let version_lines = memchr_count(bytes, b"WARC/");
        let mut r = WarcReader::new(bytes, "f", &opts);
        let mut n = 0;
        let mut bad_starts = 0;
        for item in r.by_ref().take(bytes.len() + 2) {
            n += 1;
            let origin = match &item {
                Ok(doc) => doc.origin.clone(),
                Err(e) => {
                    let msg = e.to_string();
                    assert!(!msg.contains('\n'), "error is not one line: {msg:?}");
                    if e.message.starts_with(BAD_START) {
                        bad_starts += 1;
                    }
                    e.origin.clone()
                }
            };
            let at = origin
                .strip_prefix("f@")
                .unwrap_or_else(|| panic!("origin {origin:?} names no offset"));
            let off: usize = at
                .split('+')
                .next()
                .and_then(|o| o.parse().ok())
                .unwrap_or_else(|| panic!("origin {origin:?}"));
            assert!(
                off <= bytes.len(),
                "offset {off} beyond {} bytes",
                bytes.len()
            );
            if let Ok(mut doc) = item {
                assert!(!doc.key.is_empty(), "document without a key");
                cleaner().clean(&mut doc);
                check_cleaned(&doc);
            }
        }
        let s = r.stats();
        assert!(
            n <= bytes.len() + 1,
            "{n} results for {} bytes",
            bytes.len()
        );
        assert!(s.documents + s.skipped_total() <= s.records, "{s:?}");
        assert!(s.errors as usize <= n, "{s:?} for {n} results");
        // Plain unless the reader takes it for gzip (the magic, or a lone
        // first byte of it).
        let gzip = data.starts_with(&[0x1f, 0x8b]) || data == [0x1f];
        if bytes.as_ptr() == data.as_ptr() && !gzip {
            assert!(
                s.records as usize <= version_lines + bad_starts,
                "{} records from {version_lines} version lines and {bad_starts} malformed starts",
                s.records
            );
        }
    }
}

/// How `WarcReader` reports bytes where a record should start.
const BAD_START: &str = "malformed record: expected a `WARC/1.x` version line";

fn memchr_count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

/// The dateline parser on arbitrary text.
pub fn dateline(data: &[u8]) {
    static P: OnceLock<sitrep_clean::dateline::DatelineParser> = OnceLock::new();
    let p = P.get_or_init(sitrep_clean::dateline::DatelineParser::new);
    let s = text_of(data);
    if let Some(m) = p.parse(&s) {
        assert!(
            m.len <= s.len() && s.is_char_boundary(m.len),
            "dateline match length {}",
            m.len
        );
    }
    if let Some((at, m)) = p.find_in_header(&s) {
        assert!(at + m.len <= s.len(), "header dateline at {at}+{}", m.len);
        assert!(s.is_char_boundary(at) && s.is_char_boundary(at + m.len));
    }
}

/// The time expression parser and tagger, anchored and not.
pub fn annotate_dates(data: &[u8]) {
    let s = text_of(data);
    let anchor = chrono::NaiveDate::from_ymd_opt(2017, 11, 9);
    let _ = sitrep_annotate::parse_date_str(&s, None);
    let _ = sitrep_annotate::parse_date_str(&s, anchor);
    for dct in [None, anchor] {
        for t in annotator().timexes(&s, dct) {
            check_span(&s, t.span, "timex");
            if dct.is_none() && t.relative {
                assert!(
                    t.interval.is_none(),
                    "unanchored relative date resolved: {t:?}"
                );
            }
        }
    }
}

/// The number and quantity parsers.
pub fn annotate_numbers(data: &[u8]) {
    let s = text_of(data);
    if let Some(v) = sitrep_annotate::number::parse_str(&s) {
        assert!(!v.is_nan(), "NaN from {s:?}");
    }
    if let Some(q) = sitrep_annotate::parse_quantity_str(&s) {
        check_span(&s, q.span, "quantity");
    }
    let doc = Document::from_text("f".into(), "-".into(), s, DocumentMeta::default());
    let ann = annotator().annotate(&doc);
    let v = serde_json::to_value(&ann).expect("annotations serialise");
    check_spans_in_json(&doc.text, &v, "annotations");
}

/// The geoparser and actor matcher on arbitrary text.
pub fn geoparse(data: &[u8]) {
    let Some(g) = geo() else { return };
    let text = text_of(data);
    let opts = sitrep_geo::GeoparseOptions {
        actors: true,
        ..sitrep_geo::GeoparseOptions::default()
    };
    let r = g.parse_text(&text, &[Span::new(0, text.len())], &opts);
    let v = serde_json::to_value(&r).expect("places serialise");
    check_spans_in_json(&text, &v, "places");
}

/// The whole document pipeline on arbitrary text: clean, annotate,
/// geoparse, extract. Every span of every stage stays in the text.
pub fn extract(data: &[u8]) {
    let Some(g) = geo() else { return };
    let text = text_of(data);
    let mut doc = Document::from_text("f".into(), "-".into(), text, DocumentMeta::default());
    doc.published =
        sitrep_core::PublishedDate::parse_supplied("2017-11-09", sitrep_core::DateOrigin::Flag)
            .unwrap_or(doc.published);
    cleaner().clean(&mut doc);
    let ann = annotator().annotate(&doc);
    let opts = sitrep_geo::GeoparseOptions {
        actors: true,
        ..sitrep_geo::GeoparseOptions::default()
    };
    let places = g.parse(&doc, &opts);
    let x = extractor().extract(&doc, &ann, &places);
    let v = serde_json::to_value(&x.events).expect("events serialise");
    check_spans_in_json(&doc.text, &v, "events");
}

/// A target's property check.
pub type Check = fn(&[u8]);

/// The targets by name, for the corpus test and tools.
pub const TARGETS: &[(&str, Check)] = &[
    ("annotate_dates", annotate_dates),
    ("annotate_numbers", annotate_numbers),
    ("dateline", dateline),
    ("extract", extract),
    ("geoparse", geoparse),
    ("html_extract", html_extract),
    ("jsonl_intake", jsonl_intake),
    ("warc", warc),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every seed and every minimised crash goes through its target's check.
    #[test]
    fn corpora_and_regressions_pass() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut ran = 0;
        for (name, check) in TARGETS {
            for dir in ["seeds", "regressions"] {
                let d = root.join(dir).join(name);
                let Ok(rd) = std::fs::read_dir(&d) else {
                    continue;
                };
                let mut files: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
                files.sort();
                for f in files {
                    let data = std::fs::read(&f).unwrap();
                    eprintln!("{name}: {}", f.display());
                    check(&data);
                    ran += 1;
                }
            }
        }
        assert!(ran > 0, "no seeds found under fuzz/seeds");
    }
}
