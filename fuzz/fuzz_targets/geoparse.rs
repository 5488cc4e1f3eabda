//! The geoparser and actor matcher: no panic, spans on character
//! boundaries.
//! The property is `sitrep_fuzz::geoparse` (src/lib.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sitrep_fuzz::geoparse(data));
