//! The dateline parser on arbitrary strings: never panics, matches stay
//! inside the input on a character boundary.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    static P: std::sync::OnceLock<sitrep_clean::dateline::DatelineParser> =
        std::sync::OnceLock::new();
    let p = P.get_or_init(sitrep_clean::dateline::DatelineParser::new);
    if let Some(m) = p.parse(&s) {
        assert!(m.len <= s.len());
        assert!(s.is_char_boundary(m.len));
    }
});
