//! `sitrep ingest --follow`: a JSON Lines stream (stdin, or a file that
//! grows, as `tail -f` reads it) stored, extracted and fused in small
//! batches as records arrive.
//!
//! A reader thread hands complete lines to the main thread over a bounded
//! channel (back-pressure instead of unbounded memory). The main thread
//! commits a batch when it holds `--batch` documents or when its oldest
//! document has waited `--latency-ms`; each commit is one store transaction
//! followed by fusion of the blocks it touched, so a record is queryable
//! (`sitrep events`, the API) within about the latency plus its processing.
//! The run ends at the end of stdin, or on Ctrl-C / SIGTERM (after
//! committing what is pending).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use sitrep_store::{RunTotals, Store};

use super::ingest::{print_summary, Args, FileError, Summary};
use super::pipeline::Pipeline;
use super::queue::{catch_stop_signals, stop_requested};
use super::{input, Global};

/// A complete line from the stream, numbered from 1.
struct Line {
    no: usize,
    bytes: Vec<u8>,
}

/// Read lines from stdin until its end.
fn read_stdin(tx: mpsc::SyncSender<Line>) {
    let mut r = BufReader::with_capacity(1 << 16, std::io::stdin());
    let mut no = 0;
    loop {
        let mut buf = Vec::new();
        match r.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                no += 1;
                if tx.send(Line { no, bytes: buf }).is_err() {
                    return;
                }
            }
        }
    }
}

/// Read lines from a file as it grows; a line is handed on once its
/// newline arrived. A file that shrinks (rotated or truncated) is read
/// again from its start.
fn tail_file(path: PathBuf, tx: mpsc::SyncSender<Line>) {
    let open = |p: &PathBuf| {
        std::fs::File::open(p)
            .ok()
            .map(|f| BufReader::with_capacity(1 << 16, f))
    };
    let Some(mut r) = open(&path) else {
        return;
    };
    let mut pos: u64 = 0;
    let mut no = 0;
    let mut buf = Vec::new();
    while !stop_requested() {
        match r.read_until(b'\n', &mut buf) {
            Ok(n) if n > 0 => {
                pos += n as u64;
                if buf.last() == Some(&b'\n') {
                    no += 1;
                    let line = std::mem::take(&mut buf);
                    if tx.send(Line { no, bytes: line }).is_err() {
                        return;
                    }
                }
            }
            Ok(_) => {
                std::thread::sleep(Duration::from_millis(200));
                let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                if len < pos {
                    eprintln!(
                        "follow: {} shrank; reading it again from the start",
                        path.display()
                    );
                    match open(&path) {
                        Some(nr) => r = nr,
                        None => return,
                    }
                    pos = 0;
                    buf.clear();
                }
                // Otherwise read on: a file's end is not sticky, appended
                // bytes are returned by the next read.
            }
            Err(_) => return,
        }
    }
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let [path] = &a.paths[..] else {
        anyhow::bail!(
            "--follow reads one stream: a JSON Lines file or `-` for stdin (got {} paths)",
            a.paths.len()
        );
    };
    catch_stop_signals();
    let started = Instant::now();
    let (mut store, run_id) = super::ingest::open_for_run(&g.db)?;
    let opts = a.read_options();
    let analysis = if a.no_events {
        None
    } else {
        Some(Pipeline::load(a.data.as_deref())?)
    };
    let cleaner = sitrep_clean::Cleaner::new();
    let source = if path.as_os_str() == "-" {
        "-".to_string()
    } else {
        path.display().to_string()
    };
    if source != "-" && !path.is_file() {
        anyhow::bail!("{source}: not a file; --follow reads a JSON Lines file or `-`");
    }
    let (tx, rx) = mpsc::sync_channel::<Line>(4096);
    {
        let p = path.clone();
        let stdin = source == "-";
        std::thread::spawn(move || {
            if stdin {
                read_stdin(tx)
            } else {
                tail_file(p, tx)
            }
        });
    }
    let latency = Duration::from_millis(a.latency_ms.max(1));
    let batch = a.batch as usize;
    let mut totals = RunTotals::default();
    let mut events = 0u64;
    let mut all_errors: Vec<FileError> = Vec::new();
    let mut pending = Vec::new();
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut deadline: Option<Instant> = None;
    let mut commit = |pending: &mut Vec<sitrep_core::Document>,
                      errors: &mut Vec<(String, String)>,
                      store: &mut Store|
     -> anyhow::Result<()> {
        let docs = std::mem::take(pending);
        let cleaned = input::clean_chunk(&cleaner, analysis.as_ref(), docs);
        let items = super::input::ingest_items(&cleaned);
        let r = store.ingest_batch(run_id, &items, errors)?;
        totals.add(&r.totals);
        let n_events: u64 = cleaned.iter().map(|c| c.events.len() as u64).sum();
        events += n_events;
        let fused = if analysis.is_some() {
            Some(super::fuse::fuse_store(store, Some(run_id), false)?)
        } else {
            None
        };
        all_errors.extend(
            errors
                .drain(..)
                .map(|(origin, message)| FileError { origin, message }),
        );
        if !(g.quiet || a.json) {
            eprintln!(
                "follow: {} stored ({} new, {} unchanged, {} new versions), {} event(s), {} error(s){}",
                totals.new + totals.unchanged + totals.new_versions,
                totals.new,
                totals.unchanged,
                totals.new_versions,
                events,
                totals.errors,
                fused.map_or_else(String::new, |f| format!(", {} fused event(s) in the touched blocks", f.fused)),
            );
        }
        Ok(())
    };
    let outcome: anyhow::Result<()> = (|| {
        loop {
            let wait = deadline.map_or(Duration::from_millis(200), |d: Instant| {
                d.saturating_duration_since(Instant::now())
            });
            match rx.recv_timeout(wait.min(Duration::from_millis(200))) {
                Ok(line) => {
                    if line.bytes.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    match sitrep_read::record_from_line(&line.bytes, &source, line.no, &opts) {
                        Ok(d) => pending.push(d),
                        Err(e) => errors.push((e.origin, e.message)),
                    }
                    deadline.get_or_insert_with(|| Instant::now() + latency);
                    if pending.len() >= batch {
                        commit(&mut pending, &mut errors, &mut store)?;
                        deadline = None;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                commit(&mut pending, &mut errors, &mut store)?;
                deadline = None;
            }
            if stop_requested() {
                break;
            }
        }
        if !pending.is_empty() || !errors.is_empty() {
            commit(&mut pending, &mut errors, &mut store)?;
        }
        Ok(())
    })();
    if let Err(e) = outcome {
        let _ = store.finish_run(run_id, "failed");
        return Err(e);
    }
    store.finish_run(run_id, "done")?;
    let summary = Summary {
        db: g.db_name(),
        run: run_id,
        seconds: started.elapsed().as_secs_f64(),
        totals,
        events,
        errors: all_errors,
        fusion: None,
        warc: None,
    };
    if a.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        print_summary(&summary);
    }
    Ok(ExitCode::SUCCESS)
}
