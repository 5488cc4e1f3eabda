//! HTML extraction and cleaning on arbitrary bytes: never panics, offsets
//! stay valid.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sitrep_core::DocumentMeta;

static CLEANER: std::sync::OnceLock<sitrep_clean::Cleaner> = std::sync::OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data).into_owned();
    let mut doc = sitrep_clean::html_document("f".into(), "-".into(), src, DocumentMeta::default());
    CLEANER.get_or_init(sitrep_clean::Cleaner::new).clean(&mut doc);
    for s in &doc.segments {
        assert!(doc.text.get(s.span.start..s.span.end).is_some());
        assert!(doc.text_map.span_to_source(s.span).end <= doc.source.len().max(1));
    }
});
