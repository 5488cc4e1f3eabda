//! Cleaning throughput on the fixture documents (and the seeds, when
//! present): `cargo run --release -p sitrep-clean --example clean_bench`.

use std::time::Instant;

use sitrep_clean::{html_document, signature, Cleaner};
use sitrep_core::{Document, DocumentMeta};

fn main() {
    let mut docs: Vec<Document> = Vec::new();
    for dir in [
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/clean"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds"),
    ] {
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let Ok(src) = std::fs::read_to_string(&p) else {
                continue;
            };
            if name.ends_with(".html") {
                docs.push(html_document(
                    name.clone(),
                    name,
                    src,
                    DocumentMeta::default(),
                ));
            } else if name.ends_with(".txt") {
                docs.push(Document::from_text(
                    name.clone(),
                    name,
                    src,
                    DocumentMeta::default(),
                ));
            }
        }
    }
    let cleaner = Cleaner::new();
    let bytes: usize = docs.iter().map(|d| d.source.len()).sum();
    let rounds = 400;
    let t = Instant::now();
    for _ in 0..rounds {
        for d in docs.iter_mut() {
            cleaner.clean(d);
        }
    }
    let el = t.elapsed().as_secs_f64();
    let n = (docs.len() * rounds) as f64;
    println!(
        "clean: {} docs x {rounds}: {:.0} docs/s, {:.1} MB/s (avg {} bytes/doc, one core)",
        docs.len(),
        n / el,
        (bytes * rounds) as f64 / el / 1e6,
        bytes / docs.len().max(1)
    );
    let t = Instant::now();
    for _ in 0..rounds {
        for d in &docs {
            std::hint::black_box(signature(d));
        }
    }
    println!("signature: {:.0} docs/s", n / t.elapsed().as_secs_f64());
}
