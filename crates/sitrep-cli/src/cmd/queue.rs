//! The NATS JetStream commands: `sitrep publish` puts reports on the
//! reports stream, `sitrep worker` turns them into extracted events, and
//! `sitrep fuse-consumer` stores and fuses the results.
//!
//! A report message is the intake `Document` as JSON (read but not yet
//! cleaned). A result message is the `sitrep extract` object for the
//! document (`doc`, `events`, `diagnostics`) plus `report_seq`, the cleaned
//! `document` and its near-duplicate `fingerprint`, or `report_seq` and an
//! `error`. The fusion consumer applies results in report order (a reorder
//! buffer keyed by the report's stream sequence), so near-duplicates point
//! at the same earliest copy as a single `sitrep ingest` of the same inputs
//! would, and the store ends up the same however many workers ran.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use rayon::prelude::*;
use serde_json::{json, Value};
use sitrep_core::Document;
use sitrep_queue::{Delivery, Names, Queue};
use sitrep_store::{Fingerprint, IngestItem};

use super::pipeline::Pipeline;
use super::{input, Global};

const PUBLISH_HELP: &str = "\
Reads like `sitrep ingest` (files, folders, JSON Lines, WARC, .gz, `-`) and
publishes every document, in reading order, to the reports stream
(SITREP_REPORTS, subject sitrep.reports; created if missing). Each message
carries the document's key and content hash as its ID, so publishing the
same files again within ten minutes adds nothing.

Examples:
  nats-server -js &                                   a local server with JetStream
  sitrep publish examples/reports                     reports onto the stream
  sitrep worker & sitrep worker &                     two workers extract them
  sitrep fuse-consumer --db sitrep.db --exit-when-done   store and fuse the results";

const WORKER_HELP: &str = "\
Pulls reports from the workers' shared durable consumer (sitrep-workers on
SITREP_REPORTS), cleans, annotates, geoparses and extracts each one (no
database), publishes one result per report to SITREP_EVENTS (subject
sitrep.events; the `sitrep extract` JSON plus the cleaned document) and
only then acknowledges the report. Run as many workers as you have cores,
on as many machines as you like. A worker that dies leaves its reports to be
redelivered after 60 s. Ctrl-C (or SIGTERM) finishes the batch in hand and
exits.

Examples:
  sitrep worker                                 until Ctrl-C
  sitrep worker --nats nats://queue:4222 --batch 128
  sitrep worker --idle-exit 5                   stop after 5 s without reports";

const CONSUMER_HELP: &str = "\
Pulls results from SITREP_EVENTS and applies them to the database in the
order the reports were published: each batch (at most --batch documents or
--latency-ms of waiting) is stored in one transaction, the blocks it touched
are fused, and only then are its results acknowledged. The fused events are
those a single `sitrep ingest` of the same inputs gives. The position reached
is kept in DB.queue (beside the database), so a restarted consumer goes on
where it stopped. Ctrl-C finishes the batch in hand and exits.

Examples:
  sitrep fuse-consumer --db sitrep.db
  sitrep fuse-consumer --db sitrep.db --exit-when-done   stop once every published report is applied";

/// Options shared by the queue commands.
#[derive(clap::Args, Debug, Clone)]
pub struct NatsArgs {
    /// NATS server URL (JetStream enabled).
    #[arg(long, env = "SITREP_NATS", default_value = "nats://127.0.0.1:4222")]
    pub nats: String,
    /// Prefix for stream, subject and consumer names, to run separate
    /// pipelines on one server (`test` gives TEST_SITREP_REPORTS, test.sitrep.reports…).
    #[arg(long, default_value = "")]
    pub prefix: String,
}

impl NatsArgs {
    fn connect(&self) -> anyhow::Result<Queue> {
        Ok(Queue::connect(
            &self.nats,
            Names::with_prefix(&self.prefix),
        )?)
    }
}

#[derive(clap::Args, Debug)]
#[command(after_help = PUBLISH_HELP)]
pub struct PublishArgs {
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Files or folders to read; `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub meta: super::ingest::MetaArgs,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
#[command(after_help = WORKER_HELP)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Reports pulled (and processed in parallel) at a time.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub batch: u32,
    /// Exit after this many seconds without a report.
    #[arg(long, value_name = "SECONDS")]
    pub idle_exit: Option<f64>,
    /// Gazetteer and actor knowledge base folder (default: the shipped data/).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
#[command(after_help = CONSUMER_HELP)]
pub struct ConsumerArgs {
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Most documents per transaction.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch: u32,
    /// Longest wait for more results before committing what arrived, in ms.
    #[arg(long, default_value_t = 500)]
    pub latency_ms: u64,
    /// Exit once every report published so far has been applied.
    #[arg(long)]
    pub exit_when_done: bool,
    /// Exit after this many seconds without a result.
    #[arg(long, value_name = "SECONDS")]
    pub idle_exit: Option<f64>,
    /// How long to wait for a missing report's result before checking that
    /// the report still exists (skipped if it was deleted from the stream).
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub gap_timeout: f64,
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// Make Ctrl-C and SIGTERM set a flag that the loops check between batches.
pub fn catch_stop_signals() {
    #[cfg(unix)]
    // SAFETY: the handler only stores to an atomic, which is
    // async-signal-safe; installing it has no other effect.
    unsafe {
        let h = on_signal as *const () as libc::sighandler_t;
        libc::signal(libc::SIGINT, h);
        libc::signal(libc::SIGTERM, h);
    }
}

/// Has Ctrl-C or SIGTERM been received?
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

pub fn publish(g: &Global, a: PublishArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let q = a.nats.connect()?;
    let max_payload = q.max_payload();
    let opts = a.meta.read_options();
    let progress = super::ingest::Progress::new(g.quiet || a.json);
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut published = 0u64;
    let mut first_last: Option<(u64, u64)> = None;
    let mut pending: Vec<(String, String, Vec<u8>)> = Vec::new();
    let mut flush = |pending: &mut Vec<(String, String, Vec<u8>)>,
                     errors: &mut Vec<(String, String)>| {
        let origins: Vec<String> = pending.iter().map(|p| p.0.clone()).collect();
        let bytes: u64 = pending.iter().map(|p| p.2.len() as u64).sum();
        let items = pending.drain(..).map(|(_, id, b)| (id, b)).collect();
        let n = origins.len() as u64;
        for (origin, r) in origins.into_iter().zip(q.publish_reports(items)) {
            match r {
                Ok(seq) => {
                    published += 1;
                    first_last =
                        Some(first_last.map_or((seq, seq), |(f, l)| (f.min(seq), l.max(seq))));
                }
                Err(e) => errors.push((origin, e.to_string())),
            }
        }
        progress.advance(n, bytes);
    };
    let mut reader = sitrep_read::read_iter(&input::inputs(&a.paths), &opts);
    for r in reader.by_ref() {
        match r {
            Ok(doc) => {
                let payload = serde_json::to_vec(&doc)?;
                if payload.len() > max_payload {
                    errors.push((
                        doc.origin.clone(),
                        format!(
                            "{} bytes as a message, over the server's max_payload of {max_payload}; raise max_payload in the nats-server configuration",
                            payload.len()
                        ),
                    ));
                    continue;
                }
                let id = format!("{}#{}", doc.key, sitrep_store::content_hash(&doc)?);
                pending.push((doc.origin.clone(), id, payload));
            }
            Err(e) => errors.push((e.origin, e.message)),
        }
        if pending.len() >= 256 {
            flush(&mut pending, &mut errors);
        }
    }
    if !pending.is_empty() {
        flush(&mut pending, &mut errors);
    }
    progress.finish();
    let warc = super::ingest::WarcSummary::of(&reader.warc_stats());
    q.close();
    if a.json {
        let v = json!({
            "published": published,
            "first_seq": first_last.map(|f| f.0),
            "last_seq": first_last.map(|f| f.1),
            "seconds": started.elapsed().as_secs_f64(),
            "errors": errors.iter().map(|(o, m)| json!({"origin": o, "message": m})).collect::<Vec<_>>(),
            "warc": warc,
        });
        println!("{v}");
    } else {
        match first_last {
            Some((f, l)) => println!(
                "{published} report(s) published to {} (sequence {f}..{l}) in {:.2} s",
                a.nats.nats,
                started.elapsed().as_secs_f64()
            ),
            None => println!("no report published"),
        }
        if let Some(w) = &warc {
            println!("  WARC {}", w.line());
        }
        if !errors.is_empty() {
            println!("  errors {}", errors.len());
            for (o, m) in &errors {
                println!("    {o}: {m}");
            }
        }
    }
    Ok(if published == 0 && !errors.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The result message for one report.
fn result_for(
    pipeline: &Pipeline,
    cleaner: &sitrep_clean::Cleaner,
    seq: u64,
    payload: &[u8],
) -> Value {
    let mut doc: Document = match serde_json::from_slice(payload) {
        Ok(d) => d,
        Err(e) => {
            return json!({"report_seq": seq, "error": format!("report {seq} is not a sitrep document ({e})")})
        }
    };
    cleaner.clean(&mut doc);
    let fp = input::fingerprint(&doc);
    let mut v = super::extract::document_json(pipeline, &doc);
    v["report_seq"] = json!(seq);
    v["fingerprint"] = match fp {
        Some(f) => json!({"bands": f.bands, "minhash": f.minhash}),
        None => Value::Null,
    };
    v["document"] = serde_json::to_value(&doc).unwrap_or(Value::Null);
    v
}

pub fn worker(g: &Global, a: WorkerArgs) -> anyhow::Result<ExitCode> {
    catch_stop_signals();
    let pipeline = Pipeline::load(a.data.as_deref())?;
    let cleaner = sitrep_clean::Cleaner::new();
    let q = a.nats.connect()?;
    let puller = q.workers()?;
    let mut done = 0u64;
    let mut last_seen = Instant::now();
    let started = Instant::now();
    let mut cpu_busy = Duration::ZERO;
    while !stop_requested() {
        let batch = q.fetch(&puller, a.batch as usize, Duration::from_millis(1000))?;
        if batch.is_empty() {
            if a.idle_exit
                .is_some_and(|s| last_seen.elapsed().as_secs_f64() >= s)
            {
                break;
            }
            continue;
        }
        let t = Instant::now();
        let results: Vec<Vec<u8>> = batch
            .par_iter()
            .map(|d| {
                serde_json::to_vec(&result_for(&pipeline, &cleaner, d.seq, &d.payload))
                    .unwrap_or_default()
            })
            .collect();
        cpu_busy += t.elapsed();
        q.complete(batch.iter().zip(results).collect())?;
        done += batch.len() as u64;
        last_seen = Instant::now();
        if !g.quiet {
            eprintln!(
                "worker: {done} report(s) done, last {} ({:.1} reports/s busy)",
                batch.last().map_or(0, |d| d.seq),
                done as f64 / cpu_busy.as_secs_f64().max(1e-9)
            );
        }
    }
    q.close();
    println!(
        "worker: {done} report(s) extracted in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// Where the fusion consumer got to, kept beside the database.
fn state_path(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".queue");
    PathBuf::from(s)
}

fn load_next(db: &Path, stream: &str) -> Option<u64> {
    let s = std::fs::read_to_string(state_path(db)).ok()?;
    let v: Value = serde_json::from_str(&s).ok()?;
    (v["reports_stream"] == stream).then(|| v["next"].as_u64())?
}

fn save_next(db: &Path, stream: &str, next: u64) -> anyhow::Result<()> {
    let p = state_path(db);
    let tmp = p.with_extension("queue.tmp");
    std::fs::write(
        &tmp,
        json!({"reports_stream": stream, "next": next}).to_string(),
    )
    .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &p).with_context(|| format!("writing {}", p.display()))?;
    Ok(())
}

/// A result ready to store.
struct Ready {
    doc: Document,
    fingerprint: Option<Fingerprint>,
    events: Vec<sitrep_core::event::Event>,
}

fn parse_result(v: &[u8]) -> Result<Ready, String> {
    let mut v: Value = serde_json::from_slice(v).map_err(|e| format!("not JSON ({e})"))?;
    if let Some(e) = v.get("error").and_then(Value::as_str) {
        return Err(e.to_string());
    }
    let doc: Document = serde_json::from_value(v["document"].take())
        .map_err(|e| format!("result without a document ({e})"))?;
    let events = serde_json::from_value(v["events"].take())
        .map_err(|e| format!("result with unreadable events ({e})"))?;
    let fingerprint = match v["fingerprint"].take() {
        Value::Null => None,
        f => {
            let bands = serde_json::from_value(f["bands"].clone()).map_err(|e| e.to_string())?;
            let minhash =
                serde_json::from_value(f["minhash"].clone()).map_err(|e| e.to_string())?;
            Some(Fingerprint { bands, minhash })
        }
    };
    Ok(Ready {
        doc,
        fingerprint,
        events,
    })
}

pub fn fuse_consumer(g: &Global, a: ConsumerArgs) -> anyhow::Result<ExitCode> {
    catch_stop_signals();
    let started = Instant::now();
    let q = a.nats.connect()?;
    let stream = q.names.reports_stream.clone();
    let puller = q.fuser()?;
    let (mut store, run_id) = super::ingest::open_for_run(&g.db)?;
    let (first, _) = q.reports_range()?;
    let mut next = load_next(&g.db, &stream).unwrap_or(first.max(1));
    let mut buffer: BTreeMap<u64, Delivery> = BTreeMap::new();
    let mut applied = 0u64;
    let mut events = 0u64;
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut last_seen = Instant::now();
    let mut waiting_since: Option<Instant> = None;
    let outcome = loop {
        if stop_requested() {
            break Ok(());
        }
        let got = match q.fetch(
            &puller,
            a.batch as usize,
            Duration::from_millis(a.latency_ms.max(10)),
        ) {
            Ok(g) => g,
            Err(e) => break Err(anyhow::Error::from(e)),
        };
        if !got.is_empty() {
            last_seen = Instant::now();
        }
        for d in got {
            let rs = d.report_seq.unwrap_or(0);
            if rs < next || buffer.contains_key(&rs) {
                // Already applied, or a second result for the same report.
                q.ack(&d)?;
            } else {
                buffer.insert(rs, d);
            }
        }
        // Apply the run of results that follows what is applied, in order.
        let mut take = Vec::new();
        while take.len() < a.batch as usize {
            match buffer.remove(&next) {
                Some(d) => {
                    take.push(d);
                    next += 1;
                }
                None => break,
            }
        }
        if !take.is_empty() {
            waiting_since = None;
            let mut ready = Vec::new();
            let mut errs = Vec::new();
            for d in &take {
                match parse_result(&d.payload) {
                    Ok(r) => ready.push(r),
                    Err(e) => errs.push((format!("report {}", d.report_seq.unwrap_or(0)), e)),
                }
            }
            let items: Vec<IngestItem> = ready
                .iter()
                .map(|r| IngestItem {
                    doc: &r.doc,
                    fingerprint: r.fingerprint.as_ref(),
                    events: &r.events,
                })
                .collect();
            store.ingest_batch(run_id, &items, &errs)?;
            super::fuse::fuse_store(&mut store, Some(run_id), false)?;
            save_next(&g.db, &stream, next)?;
            for d in &take {
                q.ack(d)?;
            }
            applied += ready.len() as u64;
            events += ready.iter().map(|r| r.events.len() as u64).sum::<u64>();
            errors.extend(errs);
            if !g.quiet {
                eprintln!(
                    "fuse-consumer: {applied} document(s), {events} event(s) applied; next report {next}, {} waiting",
                    buffer.len()
                );
            }
        } else if !buffer.is_empty() {
            // A gap: the result for `next` has not come yet.
            let since = *waiting_since.get_or_insert_with(Instant::now);
            if since.elapsed().as_secs_f64() >= a.gap_timeout {
                if !q.report_exists(next)? {
                    eprintln!("fuse-consumer: report {next} is gone from the stream; skipping it");
                    next += 1;
                }
                waiting_since = None;
            }
        }
        if buffer.is_empty() {
            if a.exit_when_done {
                let (_, last) = q.reports_range()?;
                if next > last {
                    break Ok(());
                }
            }
            if a.idle_exit
                .is_some_and(|s| last_seen.elapsed().as_secs_f64() >= s)
            {
                break Ok(());
            }
        }
    };
    let status = if outcome.is_ok() { "done" } else { "failed" };
    store.finish_run(run_id, status)?;
    q.close();
    outcome?;
    println!(
        "fuse-consumer: {applied} document(s) and {events} event(s) applied to {} in {:.2} s; next report {next}",
        g.db_name(),
        started.elapsed().as_secs_f64()
    );
    for (o, m) in &errors {
        println!("    {o}: {m}");
    }
    Ok(ExitCode::SUCCESS)
}
