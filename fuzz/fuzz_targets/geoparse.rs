#![no_main]
//! Geoparser and actor matcher on arbitrary text: no panic, spans on
//! character boundaries.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sitrep_core::Span;
use sitrep_geo::{GeoParser, GeoparseOptions};

fn parser() -> &'static GeoParser {
    static P: OnceLock<GeoParser> = OnceLock::new();
    P.get_or_init(|| GeoParser::load(&sitrep_geo::default_data_dir()).expect("shipped data loads"))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let r = parser().parse_text(&text, &[Span::new(0, text.len())], &GeoparseOptions::default());
    for t in &r.toponyms {
        assert!(text.is_char_boundary(t.span.start) && text.is_char_boundary(t.span.end));
    }
    for a in &r.actors {
        assert!(text.is_char_boundary(a.span.start) && text.is_char_boundary(a.span.end));
    }
});
