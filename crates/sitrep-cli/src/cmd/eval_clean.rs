//! `sitrep eval clean`: line-level precision, recall and F1 of the lines
//! cleaning keeps, against hand labels (the scorer is
//! `sitrep_clean::eval`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use sitrep_read::ReadOptions;

use super::Global;

const AFTER_HELP: &str = "\
Labels are tab-separated files (`*.tsv`) of `file<TAB>line<TAB>label` rows,
label `content` or `boilerplate`, line numbers as on disk. Documents are
read from --seeds (with its meta.jsonl) and cleaned as `sitrep ingest` would.
Content is the positive class: precision is the share of kept labelled lines
that are content, recall the share of content lines kept.

Examples:
  sitrep eval clean
  sitrep eval clean --labels eval/labels/clean --seeds ../shared/seeds --json";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Folder of label files (*.tsv).
    #[arg(long, default_value = "eval/labels/clean")]
    pub labels: PathBuf,
    /// Folder of the labelled documents.
    #[arg(long, default_value = "../shared/seeds")]
    pub seeds: PathBuf,
    /// One JSON object with the totals instead of the table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&a.labels)
        .with_context(|| {
            format!(
                "reading label folder {} (pass --labels DIR)",
                a.labels.display()
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
        .collect();
    files.sort();
    if files.is_empty() {
        anyhow::bail!("no *.tsv label files in {}", a.labels.display());
    }
    let mut labels = Vec::new();
    for f in &files {
        let s = std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        let mut l = sitrep_clean::eval::parse_labels(&s)
            .map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?;
        labels.append(&mut l);
    }
    if !a.seeds.is_dir() {
        anyhow::bail!(
            "document folder {} not found (pass --seeds DIR)",
            a.seeds.display()
        );
    }
    let docs: Vec<_> = super::input::load(std::slice::from_ref(&a.seeds), &ReadOptions::default())
        .into_iter()
        .filter_map(|r| match r {
            Ok(d) => Some(d),
            Err(e) => {
                eprintln!("warning: {e}");
                None
            }
        })
        .collect();
    let r = sitrep_clean::eval::score(&labels, &docs);
    if a.json {
        let v = serde_json::json!({
            "labels": a.labels.display().to_string(),
            "seeds": a.seeds.display().to_string(),
            "lines": r.tp + r.fp + r.fn_ + r.tn,
            "tp": r.tp, "fp": r.fp, "fn": r.fn_, "tn": r.tn,
            "precision": r.precision(),
            "recall": r.recall(),
            "f1": r.f1(),
            "accuracy": r.accuracy(),
            "missing": r.missing,
        });
        println!("{v}");
    } else {
        println!("{r}");
    }
    Ok(ExitCode::SUCCESS)
}
