//! The dateline parser: no panic, matches inside the input on character
//! boundaries.
//! The property is `sitrep_fuzz::dateline` (src/lib.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sitrep_fuzz::dateline(data));
