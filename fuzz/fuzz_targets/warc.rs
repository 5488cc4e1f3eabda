//! WARC intake (plain and gzip): every record becomes a document, a count
//! or a one-line error with an offset inside the input, never a panic.
//! The property is `sitrep_fuzz::warc` (src/lib.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sitrep_fuzz::warc(data));
