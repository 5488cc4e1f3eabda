//! `sitrep eval case`: ACLED sub-event classification on CASE 2021 Task 2.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use sitrep_core::event::SubEventType;
use sitrep_core::{Document, DocumentMeta};
use sitrep_extract::SubtypeClassifier;

use super::pipeline::Pipeline;

use super::Global;

/// Score the primary event's sub-type on a CASE 2021 Task 2 TSV file
/// (`id`, `EventSnippet`, `SubType`). Rows of the five non-ACLED classes
/// (DIPLO, MAN_MADE_DISASTER, NATURAL_DISASTER, ORG_CRIME, ATTRIB) count
/// as correct when no event is produced.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The TSV file.
    #[arg(long, default_value = "../shared/eval/case2021/dev.tsv")]
    pub tsv: PathBuf,
    /// Print every misclassified row.
    #[arg(long)]
    pub errors: bool,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
    /// Score the bare sentence classifier on the snippet instead of the
    /// primary event of the full pipeline (annotate, geo, extract).
    #[arg(long)]
    pub classifier_only: bool,
    /// Gazetteer and actor knowledge base folder (default: the shipped data/).
    #[arg(long)]
    pub data: Option<PathBuf>,
}

const NONE: &str = "(none)";

pub fn run(_g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let raw = std::fs::read_to_string(&a.tsv).with_context(|| {
        format!(
            "cannot read {}; pass the CASE 2021 dev set with --tsv PATH",
            a.tsv.display()
        )
    })?;
    let clf = SubtypeClassifier::new();
    let pipeline = if a.classifier_only {
        None
    } else {
        Some(Pipeline::load(a.data.as_deref())?)
    };
    let cleaner = sitrep_clean::Cleaner::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (n, line) in raw.lines().enumerate().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 3 {
            anyhow::bail!(
                "{}:{}: expected 3 tab-separated columns (id, EventSnippet, SubType), found {}",
                a.tsv.display(),
                n + 1,
                cols.len()
            );
        }
        let gold = match SubEventType::parse(cols[2]) {
            Some(t) => t.as_str().to_string(),
            None => NONE.to_string(),
        };
        let predicted = match &pipeline {
            None => clf.classify(cols[1]).sub_event_type,
            Some(p) => {
                let mut doc = Document::from_text(
                    cols[0].to_string(),
                    format!("{}:{}", a.tsv.display(), n + 1),
                    cols[1].to_string(),
                    DocumentMeta::default(),
                );
                cleaner.clean(&mut doc);
                p.analyse(&doc)
                    .extraction
                    .events
                    .iter()
                    .find(|e| e.primary)
                    .map(|e| e.sub_event_type)
            }
        };
        let pred = predicted.map_or(NONE.to_string(), |t| t.as_str().to_string());
        if a.errors && gold != pred {
            println!("{}\tgold={gold}\tpred={pred}\t{}", cols[0], cols[1]);
        }
        pairs.push((gold, pred));
    }
    let report = score(&pairs);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report.json())?);
    } else {
        report.print();
    }
    Ok(ExitCode::SUCCESS)
}

struct Report {
    rows: usize,
    accuracy: f64,
    weighted_f1: f64,
    macro_f1: f64,
    per_class: Vec<(String, usize, f64, f64, f64)>,
    confusion: BTreeMap<(String, String), usize>,
}

fn score(pairs: &[(String, String)]) -> Report {
    let classes: Vec<String> = SubEventType::acled()
        .iter()
        .map(|t| t.as_str().to_string())
        .collect();
    let mut per_class = Vec::new();
    let (mut wsum, mut wf1, mut msum, mut mcount) = (0usize, 0.0, 0.0, 0usize);
    for c in &classes {
        let tp = pairs.iter().filter(|(g, p)| g == c && p == c).count();
        let fp = pairs.iter().filter(|(g, p)| g != c && p == c).count();
        let support = pairs.iter().filter(|(g, _)| g == c).count();
        let fneg = support - tp;
        let p = ratio(tp, tp + fp);
        let r = ratio(tp, tp + fneg);
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        if support > 0 {
            wsum += support;
            wf1 += f * support as f64;
            msum += f;
            mcount += 1;
        }
        per_class.push((c.clone(), support, p, r, f));
    }
    let mut confusion = BTreeMap::new();
    for (g, p) in pairs {
        *confusion.entry((g.clone(), p.clone())).or_insert(0) += 1;
    }
    Report {
        rows: pairs.len(),
        accuracy: ratio(pairs.iter().filter(|(g, p)| g == p).count(), pairs.len()),
        weighted_f1: if wsum > 0 { wf1 / wsum as f64 } else { 0.0 },
        macro_f1: if mcount > 0 {
            msum / mcount as f64
        } else {
            0.0
        },
        per_class,
        confusion,
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Report {
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "rows": self.rows,
            "accuracy": self.accuracy,
            "weighted_f1": self.weighted_f1,
            "macro_f1": self.macro_f1,
            "per_class": self.per_class.iter().map(|(c, s, p, r, f)| serde_json::json!({
                "class": c, "support": s, "precision": p, "recall": r, "f1": f})).collect::<Vec<_>>(),
        })
    }

    fn print(&self) {
        println!(
            "CASE 2021 Task 2: {} rows, accuracy {:.3} (non-ACLED rows correct when no event)",
            self.rows, self.accuracy
        );
        println!(
            "weighted F1 {:.3}   macro F1 {:.3}   (over the 25 ACLED sub-event types)\n",
            self.weighted_f1, self.macro_f1
        );
        println!(
            "{:<40} {:>7} {:>9} {:>7} {:>6}",
            "sub-event type", "support", "precision", "recall", "F1"
        );
        for (c, s, p, r, f) in &self.per_class {
            println!("{c:<40} {s:>7} {p:>9.3} {r:>7.3} {f:>6.3}");
        }
        println!("\nconfusions (gold -> predicted, count), most frequent first:");
        let mut off: Vec<_> = self.confusion.iter().filter(|((g, p), _)| g != p).collect();
        off.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for ((g, p), n) in off.iter().take(40) {
            println!("{n:>4}  {g} -> {p}");
        }
    }
}
