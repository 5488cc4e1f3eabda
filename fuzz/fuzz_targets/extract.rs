//! Clean, annotate, geoparse and extract on arbitrary text: no panic,
//! every event span (evidence, actors, places) inside the text.
//! The property is `sitrep_fuzz::extract` (src/lib.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sitrep_fuzz::extract(data));
