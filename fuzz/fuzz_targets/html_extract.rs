//! HTML main-content extraction and cleaning: no panic, segments inside
//! the text and mapped into the source, re-cleaning stable, the intake path
//! and `html_document` agree.
//! The property is `sitrep_fuzz::html_extract` (src/lib.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sitrep_fuzz::html_extract(data));
