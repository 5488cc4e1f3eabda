//! Shared input handling for commands that take `FILES|-`: read, then clean.

use std::path::PathBuf;

use sitrep_core::Document;
use sitrep_read::{Input, ReadError, ReadOptions};

/// Turn command-line paths into inputs; `-` (or nothing) means stdin.
pub fn inputs(paths: &[PathBuf]) -> Vec<Input> {
    if paths.is_empty() {
        return vec![Input::Stdin];
    }
    paths
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                Input::Stdin
            } else {
                Input::Path(p.clone())
            }
        })
        .collect()
}

/// Read and clean every input. Unreadable inputs come back as errors, in order.
pub fn load(paths: &[PathBuf], opts: &ReadOptions) -> Vec<Result<Document, ReadError>> {
    let cleaner = sitrep_clean::Cleaner::new();
    let mut docs = sitrep_read::read_inputs(&inputs(paths), opts);
    for d in docs.iter_mut().flatten() {
        cleaner.clean(d);
    }
    docs
}
