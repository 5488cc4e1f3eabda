//! `sitrep bench ingest`: throughput of read + clean, and of read + clean +
//! store, on a corpus replicated in memory to a target size.
//!
//! `sitrep bench stages`: per-core speed of each stage (clean, MinHash,
//! annotate, geo, extract) and of the whole analysis pipeline on the same
//! in-memory documents, with two peers on the same bytes: a bare
//! Aho-Corasick scan of every gazetteer and actor name (the floor) and,
//! when a Python with spaCy is given, `en_core_web_sm` NER
//! (`bench/spacy_ner.py`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use serde::Serialize;
use sitrep_read::{Input, ReadOptions};
use sitrep_store::Store;

mod stages;

use super::ingest::{pipeline, Progress};
use super::pipeline::Pipeline;
use super::Global;

const AFTER_HELP: &str = "\
The corpus is a CSV file with a header row and the columns `article_title`
and `article_content` (FA-KES). Its articles are replicated until the corpus
reaches --target-mb; each replica is made distinct by its key
(`fakes-UNITID-rN`) and a last line `Replica N of article UNITID.`, so
nothing is unchanged or identical. The corpus is written as a JSON Lines
file in a temporary folder and then run through three phases: read + clean
(nothing stored); read + clean + annotate + geoparse + extract (nothing
stored; skip with --no-extract); and the end-to-end ingest, with extraction,
into a fresh temporary database (skip with --no-store). MB are 10^6 bytes of
report text; per-core figures divide by the rayon thread count.

Examples:
  sitrep bench ingest --corpus ../shared/eval/fakes/dev.csv --target-mb 100
  sitrep bench ingest --corpus ../shared/eval/fakes/dev.csv --target-mb 10 --no-extract \
      --store-db postgres://sitrep@localhost:5432/sitrep_bench";

#[derive(clap::Subcommand, Debug)]
pub enum BenchCommand {
    /// Read + clean (+ store) throughput on a replicated CSV corpus.
    #[command(after_help = AFTER_HELP)]
    Ingest(IngestArgs),
    /// Per-core speed of each stage and of the whole pipeline, with peers.
    #[command(after_help = stages::AFTER_HELP)]
    Stages(stages::StagesArgs),
    /// Fuse a million synthetic event records made from extracted dev events.
    Fuse(super::bench_fuse::Args),
    /// Write a database of N synthetic events (for HTTP load tests).
    #[command(after_help = super::bench_store::AFTER_HELP)]
    Store(super::bench_store::Args),
}

#[derive(clap::Args, Debug)]
pub struct IngestArgs {
    /// CSV corpus with `article_title` and `article_content` columns.
    #[arg(long)]
    pub corpus: PathBuf,
    /// Replicate the corpus to at least this many MB of text.
    #[arg(long, default_value_t = 100)]
    pub target_mb: u64,
    /// Skip the run that stores into a database.
    #[arg(long)]
    pub no_store: bool,
    /// Skip event extraction (annotate, geoparse, extract): measure intake,
    /// cleaning and storage only.
    #[arg(long)]
    pub no_extract: bool,
    /// Documents per batch (and per transaction).
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
    /// Store into this database instead of a fresh temporary SQLite file:
    /// an SQLite path or a postgres:// URL. It should be empty (documents
    /// already there count as unchanged).
    #[arg(long, value_name = "DB")]
    pub store_db: Option<PathBuf>,
    /// One JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Phase {
    phase: &'static str,
    documents: u64,
    mb: f64,
    seconds: f64,
    mb_per_s: f64,
    docs_per_s: f64,
    mb_per_s_per_thread: f64,
    docs_per_s_per_thread: f64,
}

#[derive(Serialize)]
struct Report {
    corpus: String,
    articles: usize,
    replicas: u64,
    threads: usize,
    phases: Vec<Phase>,
}

pub fn run(g: &Global, c: BenchCommand) -> anyhow::Result<ExitCode> {
    match c {
        BenchCommand::Ingest(a) => ingest(g, a),
        BenchCommand::Stages(a) => stages::run(g, a),
        BenchCommand::Fuse(a) => super::bench_fuse::run(g, a),
        BenchCommand::Store(a) => super::bench_store::run(g, a),
    }
}

fn ingest(g: &Global, a: IngestArgs) -> anyhow::Result<ExitCode> {
    let raw = std::fs::read_to_string(&a.corpus).with_context(|| {
        format!(
            "reading corpus {} (pass --corpus FILE.csv)",
            a.corpus.display()
        )
    })?;
    let articles = articles(&raw).with_context(|| format!("in {}", a.corpus.display()))?;
    if articles.is_empty() {
        anyhow::bail!("{}: no articles with text", a.corpus.display());
    }
    let tmp = tempfile::tempdir()?;
    let jsonl = tmp.path().join("corpus.jsonl");
    let replicas = write_corpus(&articles, a.target_mb * 1_000_000, &jsonl)?;
    let threads = rayon::current_num_threads();
    let inputs = [Input::Path(jsonl)];
    let opts = ReadOptions::default();
    let batch = a.batch.max(1);

    let mut phases = Vec::new();
    let progress = Progress::new(g.quiet || a.json);
    let t = Instant::now();
    let flow = pipeline(None, &inputs, &opts, batch, &progress, None)?;
    progress.finish();
    phases.push(phase(
        "read+clean",
        flow.docs,
        flow.bytes,
        t.elapsed().as_secs_f64(),
        threads,
    ));
    let analysis = if a.no_extract {
        None
    } else {
        Some(Pipeline::load(None)?)
    };
    if let Some(analysis) = analysis.as_ref() {
        let progress = Progress::new(g.quiet || a.json);
        let t = Instant::now();
        let flow = pipeline(None, &inputs, &opts, batch, &progress, Some(analysis))?;
        progress.finish();
        phases.push(phase(
            "read+clean+annotate+geo+extract",
            flow.docs,
            flow.bytes,
            t.elapsed().as_secs_f64(),
            threads,
        ));
    }
    if !a.no_store {
        let location = a
            .store_db
            .clone()
            .unwrap_or_else(|| tmp.path().join("bench.db"));
        let mut store = Store::open(&location).with_context(|| {
            format!(
                "opening --store-db {}",
                sitrep_store::redact(&location.to_string_lossy())
            )
        })?;
        store.set_near_dup_threshold(sitrep_clean::DUPLICATE_THRESHOLD);
        let run = store.begin_run("bench")?;
        let progress = Progress::new(g.quiet || a.json);
        let t = Instant::now();
        let flow = pipeline(
            Some((&mut store, run)),
            &inputs,
            &opts,
            batch,
            &progress,
            analysis.as_ref(),
        )?;
        progress.finish();
        phases.push(phase(
            if analysis.is_some() {
                "read+clean+extract+store (end to end)"
            } else {
                "read+clean+store"
            },
            flow.docs,
            flow.bytes,
            t.elapsed().as_secs_f64(),
            threads,
        ));
    }
    let report = Report {
        corpus: a.corpus.display().to_string(),
        articles: articles.len(),
        replicas,
        threads,
        phases,
    };
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "corpus {}: {} articles x {} replicas, {} rayon threads",
            report.corpus, report.articles, report.replicas, report.threads
        );
        println!(
            "{:<18} {:>9} {:>8} {:>8} {:>8} {:>9} {:>12} {:>13}",
            "phase", "docs", "MB", "s", "MB/s", "docs/s", "MB/s/thread", "docs/s/thread"
        );
        for p in &report.phases {
            println!(
                "{:<18} {:>9} {:>8.1} {:>8.2} {:>8.2} {:>9.0} {:>12.2} {:>13.0}",
                p.phase,
                p.documents,
                p.mb,
                p.seconds,
                p.mb_per_s,
                p.docs_per_s,
                p.mb_per_s_per_thread,
                p.docs_per_s_per_thread
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn phase(name: &'static str, docs: u64, bytes: u64, secs: f64, threads: usize) -> Phase {
    let mb = bytes as f64 / 1e6;
    let secs = secs.max(1e-9);
    let t = threads.max(1) as f64;
    Phase {
        phase: name,
        documents: docs,
        mb,
        seconds: secs,
        mb_per_s: mb / secs,
        docs_per_s: docs as f64 / secs,
        mb_per_s_per_thread: mb / secs / t,
        docs_per_s_per_thread: docs as f64 / secs / t,
    }
}

/// One corpus article.
pub(super) struct Article {
    id: String,
    title: String,
    content: String,
}

/// Articles of a CSV with a header row naming `article_title` and
/// `article_content` (and `unit_id` when present).
pub(super) fn articles(raw: &str) -> anyhow::Result<Vec<Article>> {
    let mut rows = super::input::csv_rows(raw).into_iter();
    let header = rows.next().context("empty CSV: expected a header row")?;
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let content = col("article_content").context("no `article_content` column in the header")?;
    let title = col("article_title");
    let id = col("unit_id");
    Ok(rows
        .enumerate()
        .filter_map(|(i, r)| {
            let content = r.get(content)?.trim().to_string();
            (!content.is_empty()).then(|| Article {
                id: id
                    .and_then(|c| r.get(c).cloned())
                    .unwrap_or_else(|| (i + 1).to_string()),
                title: title.and_then(|c| r.get(c).cloned()).unwrap_or_default(),
                content,
            })
        })
        .collect())
}

/// Write replicas of the articles as JSON Lines until `target` bytes of
/// text; returns the number of replicas (rounds over all articles).
pub(super) fn write_corpus(articles: &[Article], target: u64, path: &Path) -> anyhow::Result<u64> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut bytes = 0u64;
    let mut r = 0u64;
    while bytes < target || r == 0 {
        r += 1;
        for a in articles {
            let text = format!(
                "{}\n\n{}\n\nReplica {r} of article {}.\n",
                a.title, a.content, a.id
            );
            bytes += text.len() as u64;
            let rec = serde_json::json!({
                "id": format!("fakes-{}-r{r}", a.id),
                "title": a.title,
                "text": text,
            });
            writeln!(out, "{rec}")?;
        }
    }
    out.flush()?;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_need_the_content_column() {
        assert!(articles("a,b\n1,2\n").is_err());
        let a = articles("unit_id,article_title,article_content\n7,T,Body text\n8,U,\n").unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].id, "7");
    }
}
