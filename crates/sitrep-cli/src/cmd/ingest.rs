//! `sitrep ingest`: read, clean and store reports.
//!
//! Inputs are streamed (`sitrep_read::read_iter`) and cut into chunks of
//! `--batch` documents. Each chunk is cleaned in parallel (rayon) while the
//! previous one is written by a single store thread, one transaction per
//! chunk, so memory stays bounded by about three chunks and a killed run
//! leaves whole batches behind.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use sitrep_read::ReadOptions;
use sitrep_store::{RunTotals, Store};

use super::input::{self, Cleaned};
use super::pipeline::Pipeline;
use super::Global;

const AFTER_HELP: &str = "\
Examples:
  sitrep ingest examples/reports             a folder (recursively; meta.jsonl sidecars apply)
  sitrep ingest a.txt b.html c.jsonl d.gz    files of any supported kind
  sitrep ingest CC-NEWS-*.warc.gz            WARC archives: 200 HTML/text responses become documents
  curl -s URL | sitrep ingest - --url URL --outlet 'Example Post' --published 2017-11-09
  sitrep ingest --json reports/ | jq .totals
  scraper | sitrep ingest --follow -          JSON Lines as they arrive (commits every
                                             --batch records or --latency-ms)
  sitrep ingest --follow feed.jsonl --batch 50   a growing file, like tail -f, until Ctrl-C

Ingest is idempotent: the same content under the same key changes nothing;
changed content becomes a new version. Near-duplicates are kept and marked
(see `sitrep docs`). A file that cannot be read is listed with its reason and
the batch goes on.

Exit status:
  0  at least one document was read (new, changed or unchanged), or there was
     nothing to read
  1  every input failed: nothing could be read
  2  the run itself failed (database, arguments)";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Files or folders to read (text, HTML, JSON Lines, WARC, .gz); `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub meta: MetaArgs,
    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Documents per transaction.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch: u32,
    /// Store documents only: skip event extraction.
    #[arg(long)]
    pub no_events: bool,
    /// Gazetteer and actor knowledge base folder (default: the shipped data/).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Follow one JSON Lines stream (`-` for stdin, or a growing file, as
    /// `tail -f`): store, extract and fuse records in small batches as they
    /// arrive, committing every --batch records or --latency-ms. Ends at the
    /// end of stdin, or on Ctrl-C.
    #[arg(long)]
    pub follow: bool,
    /// With --follow: the longest a record waits before its batch is committed, in ms.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    pub latency_ms: u64,
}

/// Metadata given on the command line for every document read (`ingest`,
/// `publish`).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct MetaArgs {
    /// Publication date for every document read (YYYY-MM-DD, YYYY-MM or YYYY);
    /// overrides sidecars and records.
    #[arg(long, value_name = "DATE")]
    pub published: Option<String>,
    /// Outlet name for every document read.
    #[arg(long)]
    pub outlet: Option<String>,
    /// Source URL for every document read.
    #[arg(long)]
    pub url: Option<String>,
}

impl MetaArgs {
    /// The read options the flags give.
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            published: self.published.clone(),
            outlet: self.outlet.clone(),
            url: self.url.clone(),
            ..ReadOptions::default()
        }
    }
}

impl Args {
    /// The read options the flags give.
    pub fn read_options(&self) -> ReadOptions {
        self.meta.read_options()
    }
}

/// Open (or create) the database for writing and record the start of a
/// run with this process's command line.
pub fn open_for_run(db: &std::path::Path) -> anyhow::Result<(Store, i64)> {
    let name = sitrep_store::redact(&db.to_string_lossy());
    let mut store = Store::open(db).with_context(|| format!("opening database {name}"))?;
    store.set_near_dup_threshold(sitrep_clean::DUPLICATE_THRESHOLD);
    // Recorded in the run row: no password from a --db URL.
    let args_line = std::env::args()
        .map(|a| sitrep_store::redact(&a))
        .collect::<Vec<_>>()
        .join(" ");
    let run_id = store.begin_run(&args_line)?;
    Ok((store, run_id))
}

#[derive(Serialize)]
pub struct FileError {
    pub origin: String,
    pub message: String,
}

#[derive(Serialize)]
pub(crate) struct Summary {
    pub(crate) db: String,
    pub(crate) run: i64,
    pub(crate) seconds: f64,
    pub(crate) totals: RunTotals,
    /// Events extracted from the documents read.
    pub(crate) events: u64,
    pub(crate) errors: Vec<FileError>,
    /// What fusion did at the end of the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fusion: Option<super::fuse::FuseSummary>,
    /// WARC records read, when there were WARC inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) warc: Option<WarcSummary>,
}

/// The WARC part of an ingest summary.
#[derive(Serialize)]
pub struct WarcSummary {
    pub records: u64,
    pub documents: u64,
    pub errors: u64,
    /// Records skipped, by reason (`record type request`, `http status 404`…).
    pub skipped: std::collections::BTreeMap<String, u64>,
}

impl WarcSummary {
    pub fn of(w: &sitrep_read::WarcStats) -> Option<WarcSummary> {
        (w.records > 0).then(|| WarcSummary {
            records: w.records,
            documents: w.documents,
            errors: w.errors,
            skipped: w.skipped.clone(),
        })
    }

    /// One line for a human summary.
    pub fn line(&self) -> String {
        let skipped: u64 = self.skipped.values().sum();
        let why: Vec<String> = self
            .skipped
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect();
        format!(
            "{} record(s): {} document(s), {} skipped{}, {} malformed",
            self.records,
            self.documents,
            skipped,
            if why.is_empty() {
                String::new()
            } else {
                format!(" ({})", why.join(", "))
            },
            self.errors
        )
    }
}

/// What the read side hands the store thread.
struct Batch {
    docs: Vec<Cleaned>,
    errors: Vec<(String, String)>,
    bytes: u64,
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    if a.follow {
        return super::follow::run(g, a);
    }
    let started = Instant::now();
    let (mut store, run_id) = open_for_run(&g.db)?;
    let opts = a.read_options();
    let progress = Progress::new(g.quiet || a.json);
    let batch_size = a.batch as usize;

    let analysis = if a.no_events {
        None
    } else {
        Some(Pipeline::load(a.data.as_deref())?)
    };
    let out = pipeline(
        Some((&mut store, run_id)),
        &input::inputs(&a.paths),
        &opts,
        batch_size,
        &progress,
        analysis.as_ref(),
    );
    progress.finish();
    let Flow {
        totals,
        errors,
        events,
        warc,
        ..
    } = match out {
        Ok(flow) => flow,
        Err(e) => {
            let _ = store.finish_run(run_id, "failed");
            return Err(e);
        }
    };
    // Fusion over the blocks the new reports touched.
    let fusion = if a.no_events {
        None
    } else {
        match super::fuse::fuse_store(&mut store, Some(run_id), false) {
            Ok(f) => Some(f),
            Err(e) => {
                let _ = store.finish_run(run_id, "failed");
                return Err(e.context("fusing the stored events"));
            }
        }
    };
    store.finish_run(run_id, "done")?;

    let summary = Summary {
        db: g.db_name(),
        run: run_id,
        seconds: started.elapsed().as_secs_f64(),
        totals,
        events,
        errors,
        fusion,
        warc: WarcSummary::of(&warc),
    };
    if a.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        print_summary(&summary);
    }
    let read = totals.new + totals.unchanged + totals.new_versions;
    Ok(if read == 0 && totals.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// What went through [`pipeline`].
pub struct Flow {
    pub totals: RunTotals,
    pub errors: Vec<FileError>,
    pub docs: u64,
    pub bytes: u64,
    /// Events extracted (from every document read, stored or not).
    pub events: u64,
    /// What the WARC inputs held (records, documents, skips by reason).
    pub warc: sitrep_read::WarcStats,
}

/// Read → clean (rayon, `batch` documents at a time) → store. The store is
/// written by one thread, one transaction per batch, while the next batch is
/// cleaned. Without a store, cleaned batches are counted and dropped (the
/// read + clean benchmark).
pub fn pipeline(
    store: Option<(&mut Store, i64)>,
    inputs: &[sitrep_read::Input],
    opts: &ReadOptions,
    batch: usize,
    progress: &Progress,
    analysis: Option<&Pipeline>,
) -> anyhow::Result<Flow> {
    let cleaner = sitrep_clean::Cleaner::new();
    let (tx, rx) = mpsc::sync_channel::<Batch>(1);
    std::thread::scope(|s| {
        let writer = s.spawn(move || -> anyhow::Result<Flow> {
            let mut store = store;
            let mut flow = Flow {
                totals: RunTotals::default(),
                errors: Vec::new(),
                docs: 0,
                bytes: 0,
                events: 0,
                warc: sitrep_read::WarcStats::default(),
            };
            for b in rx {
                if let Some((store, run_id)) = store.as_mut() {
                    let items = input::ingest_items(&b.docs);
                    let r = store.ingest_batch(*run_id, &items, &b.errors)?;
                    flow.totals.add(&r.totals);
                    flow.errors.extend(
                        r.refused
                            .into_iter()
                            .map(|(origin, message)| FileError { origin, message }),
                    );
                }
                flow.docs += b.docs.len() as u64;
                flow.events += b.docs.iter().map(|c| c.events.len() as u64).sum::<u64>();
                flow.bytes += b.bytes;
                progress.advance(b.docs.len() as u64, b.bytes);
                flow.errors.extend(
                    b.errors
                        .into_iter()
                        .map(|(origin, message)| FileError { origin, message }),
                );
            }
            Ok(flow)
        });

        let mut pending = Vec::new();
        let mut errors = Vec::new();
        let send = |pending: &mut Vec<sitrep_core::Document>,
                    errors: &mut Vec<(String, String)>| {
            let docs = std::mem::take(pending);
            let bytes = docs.iter().map(|d| d.source.len() as u64).sum();
            let b = Batch {
                docs: input::clean_chunk(&cleaner, analysis, docs),
                errors: std::mem::take(errors),
                bytes,
            };
            // A closed channel means the writer failed; its error is returned below.
            tx.send(b).is_ok()
        };
        let mut reader = sitrep_read::read_iter(inputs, opts);
        for r in reader.by_ref() {
            match r {
                Ok(d) => pending.push(d),
                Err(e) => errors.push((e.origin, e.message)),
            }
            if pending.len() >= batch && !send(&mut pending, &mut errors) {
                break;
            }
        }
        if !pending.is_empty() || !errors.is_empty() {
            send(&mut pending, &mut errors);
        }
        drop(tx);
        let mut flow = writer
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the store thread panicked")))?;
        flow.warc = reader.warc_stats();
        Ok(flow)
    })
}

pub(crate) fn print_summary(s: &Summary) {
    let t = &s.totals;
    let read = t.new + t.unchanged + t.new_versions;
    println!(
        "{read} document(s) read into {} in {:.2} s (run {})",
        s.db, s.seconds, s.run
    );
    for (label, n) in [
        ("new", t.new),
        ("unchanged", t.unchanged),
        ("new versions", t.new_versions),
        ("near-duplicates", t.near_duplicates),
        ("non-English", t.non_english),
        ("errors", t.errors),
        ("events", s.events),
    ] {
        println!("  {label:<16} {n}");
    }
    for e in &s.errors {
        println!("    {}: {}", e.origin, e.message);
    }
    if let Some(w) = &s.warc {
        println!("  {:<16} {}", "WARC", w.line());
    }
    if let Some(f) = &s.fusion {
        println!(
            "  {:<16} {} ({} block(s) re-fused, {} change(s))",
            "fused events", f.fused, f.blocks, f.changes
        );
    }
    if read == 0 && t.errors == 0 {
        println!(
            "nothing to read: no supported files (.txt, .html, .jsonl, .gz) under the given paths"
        );
    } else if t.new + t.new_versions > 0 {
        println!("next: `sitrep docs` lists them, `sitrep show ID` prints one");
    }
}

/// A progress bar on stderr, shown only on a terminal and only once the run
/// has lasted a second.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    bytes: AtomicU64,
}

impl Progress {
    pub fn new(hidden: bool) -> Progress {
        let bar = (!hidden && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::hidden(),
            );
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {elapsed} {pos} documents stored, {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            b
        });
        Progress {
            bar,
            started: Instant::now(),
            bytes: AtomicU64::new(0),
        }
    }

    pub fn advance(&self, docs: u64, bytes: u64) {
        if let Some(b) = &self.bar {
            if b.is_hidden() && self.started.elapsed() > Duration::from_secs(1) {
                b.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                b.enable_steady_tick(Duration::from_millis(200));
            }
            let total = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
            b.inc(docs);
            b.set_message(format!("{:.1} MB read", total as f64 / 1e6));
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
