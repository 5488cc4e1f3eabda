//! JSON Lines intake on arbitrary bytes (via a temporary file): every line
//! becomes a document or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sitrep_read::{read_iter, Input, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("sitrep-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("input.jsonl");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let opts = ReadOptions {
        max_line_bytes: 4096,
        ..ReadOptions::default()
    };
    static C: std::sync::OnceLock<sitrep_clean::Cleaner> = std::sync::OnceLock::new();
    let cleaner = C.get_or_init(sitrep_clean::Cleaner::new);
    for r in read_iter(&[Input::Path(path)], &opts).take(1000) {
        if let Ok(mut doc) = r {
            cleaner.clean(&mut doc);
        }
    }
});
