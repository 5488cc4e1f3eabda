//! The number and quantity parsers on arbitrary strings: never panic, spans
//! stay inside the input on character boundaries.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let _ = sitrep_annotate::number::parse_str(&s);
    if let Some(q) = sitrep_annotate::parse_quantity_str(&s) {
        assert!(q.span.end <= s.len());
        assert!(s.is_char_boundary(q.span.start) && s.is_char_boundary(q.span.end));
    }
});
