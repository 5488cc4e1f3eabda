//! JSON Lines intake (through a file) and cleaning: every line becomes a
//! document or a one-line error, never a panic; re-cleaning stable.
//! The property is `sitrep_fuzz::jsonl_intake` (src/lib.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sitrep_fuzz::jsonl_intake(data));
