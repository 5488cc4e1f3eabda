//! `sitrep watch DIR`: ingest new files as they appear.
//!
//! The folder is polled (every `--interval` seconds). A file is ingested
//! once its size and modification time are the same in two polls in a row
//! (a scraper still writing it is left alone), and never if its name marks
//! it as partial: hidden files (`.name`), `*.tmp`, `*.part`, `*.partial`,
//! `*.crdownload`, `*~`. What was ingested is remembered in `DB.watch`
//! (path, size, modification time, one JSON object per line) so a
//! restarted watcher does not read old files again; a file that changes
//! afterwards is read again, and the store's content hashes make that
//! idempotent for the records that did not change. A file that fails is
//! reported with its reason, remembered (so it is not retried in a loop
//! until it changes), and the watch goes on.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, UNIX_EPOCH};

use anyhow::Context;
use serde_json::json;
use sitrep_read::{Input, ReadOptions};
use sitrep_store::Store;

use super::ingest::{pipeline, Progress};
use super::pipeline::Pipeline;
use super::queue::{catch_stop_signals, stop_requested};
use super::Global;

const AFTER_HELP: &str = "\
Files a folder walk would read (.txt, .html, .jsonl, .warc, their .gz, names
without an extension) are picked up once their size has stopped changing;
hidden files and *.tmp, *.part, *.partial, *.crdownload, *~ are never read,
so a scraper can write `x.tmp` and rename it to `x.jsonl` when done. What was
ingested is remembered in DB.watch, beside the database.

Examples:
  sitrep watch incoming/                    until Ctrl-C
  sitrep watch incoming/ --interval 10 --db /data/sitrep.db
  sitrep watch incoming/ --once             ingest what is there now and exit";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The folder to watch (recursively).
    pub dir: PathBuf,
    /// Seconds between polls.
    #[arg(long, default_value_t = 2.0)]
    pub interval: f64,
    /// Ingest the files that are there and stable now, then exit.
    #[arg(long)]
    pub once: bool,
    /// Exit after this many seconds without a new file.
    #[arg(long, value_name = "SECONDS")]
    pub idle_exit: Option<f64>,
    /// Store documents only: skip event extraction.
    #[arg(long)]
    pub no_events: bool,
    /// Gazetteer and actor knowledge base folder (default: the shipped data/).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
}

/// Size and modification time (ns since the epoch) of a file.
type Stamp = (u64, u128);

/// Is this name one a scraper is still writing?
pub fn is_partial_name(p: &Path) -> bool {
    let Some(n) = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
    else {
        return true;
    };
    n.starts_with('.')
        || n.ends_with('~')
        || [".tmp", ".part", ".partial", ".crdownload", ".swp"]
            .iter()
            .any(|s| n.ends_with(s))
}

fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Stamp>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if is_partial_name(&p) {
            continue;
        }
        let Ok(m) = e.metadata() else { continue };
        if m.is_dir() {
            walk(&p, out);
        } else if m.is_file()
            && p.file_name().is_some_and(|n| n != "meta.jsonl")
            && sitrep_read::is_document_name(&p)
        {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            out.insert(p, (m.len(), mtime));
        }
    }
}

fn state_path(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".watch");
    PathBuf::from(s)
}

fn load_done(db: &Path) -> HashMap<PathBuf, Stamp> {
    let mut done = HashMap::new();
    let Ok(s) = std::fs::read_to_string(state_path(db)) else {
        return done;
    };
    for l in s.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(l) else {
            continue;
        };
        if let (Some(p), Some(len), Some(mt)) = (
            v["path"].as_str(),
            v["size"].as_u64(),
            v["mtime_ns"].as_str().and_then(|s| s.parse::<u128>().ok()),
        ) {
            done.insert(PathBuf::from(p), (len, mt));
        }
    }
    done
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    if !a.dir.is_dir() {
        anyhow::bail!(
            "{}: not a folder; `sitrep watch DIR` watches a folder",
            a.dir.display()
        );
    }
    catch_stop_signals();
    let mut store =
        Store::open(&g.db).with_context(|| format!("opening database {}", g.db_name()))?;
    store.set_near_dup_threshold(sitrep_clean::DUPLICATE_THRESHOLD);
    let analysis = if a.no_events {
        None
    } else {
        Some(Pipeline::load(a.data.as_deref())?)
    };
    let mut done = load_done(&g.db);
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(state_path(&g.db))
        .with_context(|| format!("opening {}", state_path(&g.db).display()))?;
    let mut previous: BTreeMap<PathBuf, Stamp> = BTreeMap::new();
    let mut last_new = Instant::now();
    let (mut files, mut failed) = (0u64, 0u64);
    let opts = ReadOptions::default();
    let progress = Progress::new(true);
    let mut first = true;
    loop {
        let mut now = BTreeMap::new();
        walk(&a.dir, &mut now);
        for (p, stamp) in &now {
            if done.get(p) == Some(stamp) {
                continue;
            }
            // Stable: same size and time as at the last poll (with --once,
            // the first poll is compared with a second one right away).
            let stable = previous.get(p) == Some(stamp);
            if !stable {
                continue;
            }
            last_new = Instant::now();
            let args_line = format!("sitrep watch {}", p.display());
            let run_id = store.begin_run(&args_line)?;
            let flow = pipeline(
                Some((&mut store, run_id)),
                &[Input::Path(p.clone())],
                &opts,
                500,
                &progress,
                analysis.as_ref(),
            );
            let fused = match &flow {
                Ok(_) if analysis.is_some() => {
                    super::fuse::fuse_store(&mut store, Some(run_id), false).map(Some)
                }
                _ => Ok(None),
            };
            match (flow, fused) {
                (Ok(f), Ok(fz)) => {
                    store.finish_run(run_id, "done")?;
                    files += 1;
                    let t = f.totals;
                    println!(
                        "watch: {}: {} new, {} unchanged, {} new versions, {} event(s), {} error(s){}",
                        p.display(),
                        t.new,
                        t.unchanged,
                        t.new_versions,
                        f.events,
                        f.errors.len(),
                        fz.map_or_else(String::new, |z| format!(", {} fused event(s) in touched blocks", z.fused))
                    );
                    for e in &f.errors {
                        println!("    {}: {}", e.origin, e.message);
                    }
                    if t.new + t.unchanged + t.new_versions == 0 && !f.errors.is_empty() {
                        failed += 1;
                    }
                }
                (Err(e), _) | (_, Err(e)) => {
                    let _ = store.finish_run(run_id, "failed");
                    failed += 1;
                    println!("watch: {}: failed: {e:#}", p.display());
                }
            }
            done.insert(p.clone(), *stamp);
            writeln!(
                log,
                "{}",
                json!({"path": p.display().to_string(), "size": stamp.0, "mtime_ns": stamp.1.to_string()})
            )?;
            log.flush()?;
        }
        let settled = now.iter().all(|(p, s)| done.get(p) == Some(s));
        previous = now;
        if stop_requested() || (a.once && settled && !first) {
            break;
        }
        if a.idle_exit
            .is_some_and(|s| last_new.elapsed().as_secs_f64() >= s)
        {
            break;
        }
        let pause = if a.once && first {
            // One short second look to confirm sizes are stable.
            Duration::from_millis(300)
        } else {
            Duration::from_secs_f64(a.interval.max(0.05))
        };
        first = false;
        let until = Instant::now() + pause;
        while Instant::now() < until && !stop_requested() {
            std::thread::sleep(Duration::from_millis(50).min(pause));
        }
    }
    println!("watch: {files} file(s) ingested, {failed} failed");
    Ok(ExitCode::SUCCESS)
}
