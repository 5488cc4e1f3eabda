//! `sitrep bench fuse`: fuse N synthetic event records made from the events
//! extracted from a development set (FA-KES dev by default), with jittered
//! dates and places, and report the time fusion takes.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use sitrep_core::{Document, DocumentMeta};
use sitrep_fuse::{fuse_each, FuseConfig, Report};

use super::pipeline::Pipeline;
use super::Global;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Number of synthetic event records to fuse.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: usize,
    /// The CSV whose articles give the base events (FA-KES columns
    /// `unit_id`, `article_title`, `article_content`, `source`).
    #[arg(long, default_value = "../shared/eval/fakes/dev.csv")]
    pub csv: PathBuf,
    /// Days over which the dates are spread (± half of it).
    #[arg(long, default_value_t = 1460)]
    pub days: i64,
    /// Gazetteer and actor knowledge base folder (default: the shipped data/).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
}

/// xorshift64*: a small deterministic generator.
pub(super) struct Rng(pub(super) u64);
impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(super) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub(super) fn shift(d: &Option<String>, by: i64) -> Option<String> {
    let d = chrono::NaiveDate::parse_from_str(d.as_deref()?, "%Y-%m-%d").ok()?;
    Some((d + chrono::Duration::days(by)).to_string())
}

/// The articles of a FA-KES-like CSV (`unit_id`, `article_title`,
/// `article_content`, optional `source`) as uncleaned documents keyed
/// `b0`, `b1`, …
pub(super) fn csv_documents(csv: &std::path::Path) -> anyhow::Result<Vec<Document>> {
    let mut rdr = csv::ReaderBuilder::new()
        .from_path(csv)
        .with_context(|| format!("cannot read {}; pass a CSV with --csv PATH", csv.display()))?;
    let headers = rdr.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c_id), Some(c_title), Some(c_text)) =
        (col("unit_id"), col("article_title"), col("article_content"))
    else {
        anyhow::bail!(
            "{}: needs unit_id, article_title, article_content columns",
            csv.display()
        );
    };
    let c_src = col("source");
    let mut docs = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec?;
        let get = |c: usize| rec.get(c).unwrap_or("").to_string();
        let meta = DocumentMeta {
            id: Some(format!("{}-{i}", get(c_id))),
            title: Some(get(c_title)),
            outlet: c_src.map(get),
            ..DocumentMeta::default()
        };
        let mut d =
            Document::from_text(format!("b{i}"), format!("row {}", i + 2), get(c_text), meta);
        d.outlet = d.meta.outlet.clone();
        docs.push(d);
    }
    Ok(docs)
}

pub fn run(_g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let docs = csv_documents(&a.csv)?;
    let started = Instant::now();
    let pipeline = Pipeline::load(a.data.as_deref())?;
    let cleaner = sitrep_clean::Cleaner::new();
    let base: Vec<Report> = docs
        .into_par_iter()
        .flat_map_iter(|mut doc| {
            cleaner.clean(&mut doc);
            let ex = pipeline.analyse(&doc).extraction;
            let published = doc.published.date.map(|d| d.to_string());
            let text = doc.text.clone();
            let (key, outlet) = (doc.key.clone(), doc.outlet.clone());
            ex.events.into_iter().map(move |e| Report {
                doc: key.clone(),
                outlet: outlet.clone(),
                published: published.clone(),
                duplicate_of: None,
                canonical_outlet: None,
                evidence_text: e
                    .evidence
                    .iter()
                    .take(1)
                    .map(|v| text.get(v.byte_start..v.byte_end).unwrap_or("").to_string())
                    .collect(),
                event: e,
            })
        })
        .collect();
    let extract_s = started.elapsed().as_secs_f64();
    if base.is_empty() {
        anyhow::bail!("no events were extracted from {}", a.csv.display());
    }

    // Synthetic records: each base event copied with a jittered date (the
    // same shift for one synthetic document's events) and place.
    let gen = Instant::now();
    let n = a.events;
    let per_doc = 3usize;
    let reports: Vec<Report> = (0..n)
        .into_par_iter()
        .map(|k| {
            let doc = k / per_doc;
            let mut rng =
                Rng(0x9E37_79B9_7F4A_7C15 ^ (doc as u64).wrapping_mul(0x1000_0000_01B3) | 1);
            let by = (rng.unit() * a.days as f64) as i64 - a.days / 2;
            let (dlat, dlon) = (rng.unit() * 0.6 - 0.3, rng.unit() * 0.6 - 0.3);
            let src = &base[(doc * 7 + k % per_doc) % base.len()];
            let mut r = src.clone();
            r.doc = format!("s{doc}");
            r.duplicate_of = (doc % 10 == 9).then(|| format!("s{}", doc - 1));
            r.published = shift(&r.published, by);
            r.event.id = format!("s{doc}#e{}", k % per_doc + 1);
            r.event.date.start = shift(&r.event.date.start, by);
            r.event.date.end = shift(&r.event.date.end, by);
            if let Some(l) = r.event.location.as_mut() {
                if let (Some(lat), Some(lon)) = (l.lat, l.lon) {
                    l.lat = Some(lat + dlat);
                    l.lon = Some(lon + dlon);
                }
            }
            r
        })
        .collect();
    let gen_s = gen.elapsed().as_secs_f64();
    let t = Instant::now();
    let fused = std::sync::atomic::AtomicUsize::new(0);
    let biggest = std::sync::atomic::AtomicUsize::new(0);
    let blocks = fuse_each(&reports, &FuseConfig::default(), |b| {
        use std::sync::atomic::Ordering::Relaxed;
        fused.fetch_add(b.events.len(), Relaxed);
        let m = b.events.iter().map(|e| e.members.len()).sum::<usize>();
        biggest.fetch_max(m, Relaxed);
    })?;
    let fuse_s = t.elapsed().as_secs_f64();
    let fused = fused.into_inner();
    let biggest = biggest.into_inner();
    let figures = serde_json::json!({
        "base_events": base.len(), "records": n, "blocks": blocks, "fused_events": fused,
        "largest_block": biggest, "extract_seconds": extract_s, "generate_seconds": gen_s,
        "fuse_seconds": fuse_s, "records_per_second": n as f64 / fuse_s.max(1e-9),
        "threads": rayon::current_num_threads(),
    });
    if a.json {
        println!("{figures}");
    } else {
        println!(
            "fused {n} synthetic records ({} base events) into {fused} events over {} blocks in {fuse_s:.2} s ({:.0} records/s, {} threads; generation {gen_s:.2} s, extraction {extract_s:.2} s)",
            base.len(),
            blocks,
            n as f64 / fuse_s.max(1e-9),
            rayon::current_num_threads()
        );
    }
    Ok(ExitCode::SUCCESS)
}
