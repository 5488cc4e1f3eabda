//! The time expression tagger on arbitrary strings, with and without an
//! anchor: never panics, unanchored relative dates stay unresolved.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let _ = sitrep_annotate::parse_date_str(&s, None);
    let a = sitrep_annotate::Annotator::new();
    for t in a.timexes(&s, None) {
        assert!(t.span.end <= s.len());
        assert!(s.is_char_boundary(t.span.start) && s.is_char_boundary(t.span.end));
    }
});
