//! The time expression parser and tagger, anchored and not: no panic,
//! spans inside the input on character boundaries, unanchored relative
//! dates stay unresolved.
//! The property is `sitrep_fuzz::annotate_dates` (src/lib.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sitrep_fuzz::annotate_dates(data));
