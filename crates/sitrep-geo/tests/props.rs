//! Property and snapshot tests on fictional fixture reports.

use std::sync::OnceLock;

use proptest::prelude::*;
use sitrep_core::Span;
use sitrep_geo::{GeoParser, GeoparseOptions};

fn parser() -> &'static GeoParser {
    static P: OnceLock<GeoParser> = OnceLock::new();
    P.get_or_init(|| GeoParser::load(&sitrep_geo::default_data_dir()).expect("shipped data loads"))
}

fn summary(text: &str) -> Vec<String> {
    let r = parser().parse_text(
        text,
        &[Span::new(0, text.len())],
        &GeoparseOptions::default(),
    );
    let mut out = vec![format!("context {:?}", r.country_context)];
    for t in &r.toponyms {
        let p = t.place.as_ref();
        out.push(format!(
            "place {:?} -> {:?} {:?} {:?} {:?}",
            t.text,
            p.map(|p| p.geonames_id),
            p.map(|p| p.name.as_str()),
            p.map(|p| p.country_code.as_str()),
            t.precision
        ));
    }
    for a in &r.actors {
        out.push(format!(
            "actor {:?} -> {:?} {:?}",
            a.text, a.actor_id, a.matched
        ));
    }
    out
}

#[test]
fn fixture_yemen() {
    insta::assert_debug_snapshot!(summary(include_str!("fixtures/yemen_hodeidah.txt")));
}

#[test]
fn fixture_sahel() {
    insta::assert_debug_snapshot!(summary(include_str!("fixtures/sahel_mali.txt")));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn never_panics_and_spans_are_on_char_boundaries(s in "(\\PC|Al-|al |Deir |ez-| Raqqa| ISIS| IS |[A-Z][a-z]{1,8} ){0,40}") {
        let spans = [Span::new(0, s.len())];
        let r = parser().parse_text(&s, &spans, &GeoparseOptions::default());
        for t in &r.toponyms {
            prop_assert!(s.is_char_boundary(t.span.start) && s.is_char_boundary(t.span.end));
            prop_assert_eq!(t.span.slice(&s), t.text.as_str());
        }
        for a in &r.actors {
            prop_assert!(s.is_char_boundary(a.span.start) && s.is_char_boundary(a.span.end));
            prop_assert_eq!(a.span.slice(&s), a.text.as_str());
        }
        // Spans that are out of range or off boundaries are ignored, not a panic.
        let bad = [Span::new(1, s.len() + 5), Span::new(s.len(), s.len() + 1)];
        let _ = parser().parse_text(&s, &bad, &GeoparseOptions::default());
    }
}
