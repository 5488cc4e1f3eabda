//! `sitrep bench store`: write a database of N synthetic events derived
//! from real extractions, for load tests of `sitrep serve` (see
//! docs/performance.md, "HTTP load").

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use rayon::prelude::*;
use sitrep_core::event::Event;
use sitrep_core::Document;
use sitrep_store::{IngestItem, Store};

use super::bench_fuse::{csv_documents, shift, Rng};
use super::pipeline::Pipeline;
use super::Global;

pub const AFTER_HELP: &str = "\
Cleans and analyses every article of the CSV (FA-KES columns), keeps the
articles with at least one event, then stores copies of them until the
database holds --events events: copy N of an article is document `synN`
with the article's text, its events (ids `synN#eK`) with dates shifted by
up to ±days/2 (one shift per copy) and places jittered by up to ±0.3°, and
the publication date shifted the same way. Copies are stored without
near-duplicate fingerprints, so none is marked a duplicate. Then fusion runs
over the store (skip with --no-fuse), as `sitrep fuse` would.

The database is a benchmark artefact built from the development set: keep it
out of the repository.

Example:
  sitrep bench store --events 100000 --out /tmp/load.db
  sitrep --db /tmp/load.db serve --addr 127.0.0.1:8089";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Store at least this many events.
    #[arg(long, default_value_t = 100_000)]
    pub events: usize,
    /// The database to write; it must not exist yet.
    #[arg(long)]
    pub out: PathBuf,
    /// The CSV whose articles give the base documents and events.
    #[arg(long, default_value = "../shared/eval/fakes/dev.csv")]
    pub csv: PathBuf,
    /// Days over which the dates are spread (± half of it).
    #[arg(long, default_value_t = 1460)]
    pub days: i64,
    /// Documents per transaction.
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Do not run fusion after storing.
    #[arg(long)]
    pub no_fuse: bool,
    /// Gazetteer and actor knowledge base folder (default: the shipped data/).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Copy `n` of a base document and its events, shifted and jittered.
fn copy_of(base: &(Document, Vec<Event>), n: usize, days: i64) -> (Document, Vec<Event>) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (n as u64).wrapping_mul(0x1000_0000_01B3) | 1);
    let by = (rng.unit() * days as f64) as i64 - days / 2;
    let (dlat, dlon) = (rng.unit() * 0.6 - 0.3, rng.unit() * 0.6 - 0.3);
    let mut doc = base.0.clone();
    doc.key = format!("syn{n}");
    doc.origin = format!("bench store copy {n} of {}", base.0.origin);
    doc.meta.id = Some(doc.key.clone());
    if let Some(d) = doc.published.date {
        doc.published.date = Some(d + chrono::Duration::days(by));
    }
    let events = base
        .1
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let mut e = e.clone();
            e.id = format!("syn{n}#e{}", k + 1);
            e.date.start = shift(&e.date.start, by);
            e.date.end = shift(&e.date.end, by);
            if let Some(l) = e.location.as_mut() {
                if let (Some(lat), Some(lon)) = (l.lat, l.lon) {
                    l.lat = Some((lat + dlat).clamp(-90.0, 90.0));
                    l.lon = Some((lon + dlon).clamp(-180.0, 180.0));
                }
            }
            e
        })
        .collect();
    (doc, events)
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    if a.out.exists() {
        anyhow::bail!(
            "{} exists; bench store writes a new database (remove it or pick another --out)",
            a.out.display()
        );
    }
    let started = Instant::now();
    let pipeline = Pipeline::load(a.data.as_deref())?;
    let cleaner = sitrep_clean::Cleaner::new();
    let base: Vec<(Document, Vec<Event>)> = csv_documents(&a.csv)?
        .into_par_iter()
        .filter_map(|mut doc| {
            cleaner.clean(&mut doc);
            let events = pipeline.analyse(&doc).extraction.events;
            (!events.is_empty()).then_some((doc, events))
        })
        .collect();
    let base_events: usize = base.iter().map(|b| b.1.len()).sum();
    if base.is_empty() {
        anyhow::bail!("no events were extracted from {}", a.csv.display());
    }
    let extract_s = started.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut store = Store::open(&a.out)?;
    let run = store.begin_run(&format!("sitrep bench store --events {}", a.events))?;
    let bar = if g.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(a.events as u64)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} events stored {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let (mut docs, mut events, mut n) = (0usize, 0usize, 0usize);
    while events < a.events {
        let mut copies = Vec::with_capacity(a.batch);
        while copies.len() < a.batch.max(1) && events < a.events {
            let c = copy_of(&base[n % base.len()], n, a.days);
            events += c.1.len();
            n += 1;
            copies.push(c);
        }
        let items: Vec<IngestItem> = copies
            .iter()
            .map(|(doc, events)| IngestItem {
                doc,
                fingerprint: None,
                events,
            })
            .collect();
        store.ingest_batch(run, &items, &[])?;
        docs += copies.len();
        bar.set_position(events as u64);
    }
    bar.finish_and_clear();
    let store_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let fused = if a.no_fuse {
        None
    } else {
        Some(super::fuse::fuse_store(&mut store, Some(run), false)?.fused)
    };
    let fuse_s = t.elapsed().as_secs_f64();
    store.finish_run(run, "done")?;
    drop(store);
    let bytes = std::fs::metadata(&a.out)?.len();
    let figures = serde_json::json!({
        "database": a.out, "documents": docs, "events": events, "fused_events": fused,
        "base_documents": base.len(), "base_events": base_events, "bytes": bytes,
        "extract_seconds": extract_s, "store_seconds": store_s, "fuse_seconds": fuse_s,
    });
    if a.json {
        println!("{figures}");
    } else {
        println!(
            "wrote {}: {docs} documents, {events} events{} ({:.1} MB; {} base articles with {base_events} events; extraction {extract_s:.1} s, storing {store_s:.1} s, fusion {fuse_s:.1} s)",
            a.out.display(),
            fused.map(|f| format!(", {f} fused events")).unwrap_or_default(),
            bytes as f64 / 1e6,
            base.len(),
        );
    }
    Ok(ExitCode::SUCCESS)
}
