//! `sitrep extract`: conflict events as JSON Lines, without a database.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use rayon::prelude::*;
use serde_json::Value;
use sitrep_read::ReadOptions;

use super::pipeline::{MetaFile, Pipeline};
use super::{input, Global};

/// Read reports, find the conflict events they describe and print one JSON
/// object per document:
///
///   {"doc":{"id","outlet","published":{"date","precision","origin"}},
///    "events":[EVENT...],"diagnostics":[...]}
///
/// Each EVENT has its ACLED type and sub-type, date interval, place, actors,
/// fatalities as low/best/high ranges, modality, sources and evidence
/// offsets (code points into the document text). See docs/formats.md.
///
/// Examples:
///
///   sitrep extract report.txt --published 2017-11-09
///   sitrep extract ../shared/seeds                  # uses its meta.jsonl
///   cat reports.jsonl | sitrep extract -
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Files, folders or `-` for stdin (text, HTML, JSON Lines, .gz).
    pub files: Vec<PathBuf>,
    /// A meta.jsonl with `file`, `published`, `outlet`, `url` per document.
    #[arg(long)]
    pub meta: Option<PathBuf>,
    /// Publication date for every document (anchors relative dates).
    #[arg(long)]
    pub published: Option<String>,
    /// Output format (only JSON Lines for now).
    #[arg(long, default_value = "jsonl", value_parser = ["jsonl"])]
    pub format: String,
    /// Gazetteer and actor knowledge base folder (default: the shipped data/).
    #[arg(long)]
    pub data: Option<PathBuf>,
}

pub fn run(_g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let meta = match &a.meta {
        Some(p) => MetaFile::read(p)?,
        None => MetaFile::default(),
    };
    let opts = ReadOptions {
        published: a.published.clone(),
        ..ReadOptions::default()
    };
    let pipeline = Pipeline::load(a.data.as_deref())?;
    let docs = input::load(&a.files, &opts);
    let mut failed = 0usize;
    let lines: Vec<Result<Value, String>> = docs
        .into_par_iter()
        .map(|d| match d {
            Ok(mut doc) => {
                meta.apply(&mut doc, a.published.is_some());
                Ok(document_json(&pipeline, &doc))
            }
            Err(e) => Err(e.to_string()),
        })
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for l in lines {
        match l {
            Ok(v) => writeln!(out, "{v}")?,
            Err(e) => {
                failed += 1;
                eprintln!("skipped: {e}");
            }
        }
    }
    out.flush()?;
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub use sitrep_pipeline::document_json;
