//! The number and quantity parsers and the whole annotation stage: no
//! panic, no NaN, every span inside the input on character boundaries.
//! The property is `sitrep_fuzz::annotate_numbers` (src/lib.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sitrep_fuzz::annotate_numbers(data));
