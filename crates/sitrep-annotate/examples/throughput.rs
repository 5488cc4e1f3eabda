//! Annotation throughput on a CSV corpus (FA-KES: column `article_content`):
//! `cargo run --release -p sitrep-annotate --example throughput -- ../shared/eval/fakes/dev.csv`

use std::time::Instant;

use sitrep_annotate::{line_ranges, Annotator};

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/eval/fakes/dev.csv".into());
    let Ok(mut rdr) = csv::Reader::from_path(&path) else {
        eprintln!("cannot read {path}");
        return;
    };
    let col = rdr
        .headers()
        .ok()
        .and_then(|h| h.iter().position(|c| c == "article_content"))
        .unwrap_or(0);
    let docs: Vec<String> = rdr
        .records()
        .filter_map(|r| r.ok())
        .filter_map(|r| r.get(col).map(str::to_string))
        .collect();
    let bytes: usize = docs.iter().map(|d| d.len()).sum();
    let a = Annotator::new();
    let dct = chrono::NaiveDate::from_ymd_opt(2017, 4, 5);
    let rounds = 20;
    let mut mentions = 0usize;
    let t = Instant::now();
    for _ in 0..rounds {
        for d in &docs {
            let ann = a.annotate_text(d, &line_ranges(d), dct, None);
            mentions += ann.timexes.len() + ann.quantities.len() + ann.attributions.len();
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let n = (docs.len() * rounds) as f64;
    println!(
        "{} docs, {:.0} bytes/doc; {:.0} docs/s, {:.1} MB/s, {:.1} us/doc, {:.1} us per 3 KB ({} mentions)",
        docs.len(),
        bytes as f64 / docs.len().max(1) as f64,
        n / secs,
        (bytes * rounds) as f64 / secs / 1e6,
        secs / n * 1e6,
        secs / ((bytes * rounds) as f64 / 3000.0) * 1e6,
        mentions / rounds
    );
}
