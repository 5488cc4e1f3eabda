//! `sitrep eval fusion`: pairwise precision and recall of event fusion
//! against silver clusters built from the FA-KES crowd labels.
//!
//! Several FA-KES articles report the same incident. Two articles are in one
//! silver cluster when their labels give the same event day, governorate
//! and cause of death and close death counts (equal, within 3, or within a
//! factor of 1.5); clusters are the transitive closure of that relation.
//! sitrep puts two articles together when their primary events end up in
//! one fused event (every extracted event of every article is fused, as
//! ingest would). Scores are over pairs of articles.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use rayon::prelude::*;
use sitrep_core::{Document, DocumentMeta};
use sitrep_fuse::{fuse, FuseConfig, Report};

use super::pipeline::Pipeline;
use super::Global;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The FA-KES CSV file.
    #[arg(long, default_value = "../shared/eval/fakes/dev.csv")]
    pub csv: PathBuf,
    /// Gazetteer and actor knowledge base folder (default: the shipped data/).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Print this many disagreements of each kind (false merges, misses).
    #[arg(long, default_value_t = 0)]
    pub disagreements: usize,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
}

struct Row {
    id: String,
    title: String,
    date: String,
    governorate: String,
    cause: String,
    deaths: u32,
}

fn close(a: u32, b: u32) -> bool {
    let (x, y) = (a.min(b), a.max(b));
    y - x <= 3 || f64::from(y) <= 1.5 * f64::from(x)
}

fn find(p: &mut [usize], mut i: usize) -> usize {
    while p[i] != i {
        p[i] = p[p[i]];
        i = p[i];
    }
    i
}

fn pairs_of(groups: &BTreeMap<usize, Vec<usize>>) -> BTreeSet<(usize, usize)> {
    let mut out = BTreeSet::new();
    for g in groups.values() {
        for (k, &i) in g.iter().enumerate() {
            for &j in &g[k + 1..] {
                out.insert((i.min(j), i.max(j)));
            }
        }
    }
    out
}

pub fn run(_g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let (mut rdr, headers) =
        super::input::open_csv(&a.csv, "pass the FA-KES dev set with --csv PATH")?;
    let col = |name: &str| super::input::column(&headers, &a.csv, name);
    let c = [
        col("unit_id")?,
        col("article_title")?,
        col("article_content")?,
        col("source")?,
        col("date")?,
        col("location")?,
        col("cause_of_death")?,
        col("nb_civilians")?,
        col("nb_noncivilians")?,
    ];
    let mut rows = Vec::new();
    let mut docs = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.with_context(|| format!("{}: record {}", a.csv.display(), i + 2))?;
        let get = |k: usize| rec.get(c[k]).unwrap_or("").trim().to_string();
        let num = |k: usize| get(k).parse::<f64>().map_or(0, |v| v.max(0.0) as u32);
        let id = format!("{}-{}", get(0), i);
        rows.push(Row {
            id: id.clone(),
            title: get(1),
            date: get(4),
            governorate: get(5).to_lowercase(),
            cause: get(6).to_lowercase(),
            deaths: num(7) + num(8),
        });
        let meta = DocumentMeta {
            id: Some(id.clone()),
            title: Some(get(1)),
            outlet: Some(get(3)).filter(|s| !s.is_empty()),
            ..DocumentMeta::default()
        };
        let mut doc =
            Document::from_text(id, format!("{}:{}", a.csv.display(), i + 2), get(2), meta);
        doc.outlet = doc.meta.outlet.clone();
        docs.push(doc);
    }

    // Silver clusters.
    let n = rows.len();
    let mut parent: Vec<usize> = (0..n).collect();
    for i in 0..n {
        for j in i + 1..n {
            let (x, y) = (&rows[i], &rows[j]);
            if x.date == y.date
                && !x.date.is_empty()
                && x.governorate == y.governorate
                && x.cause == y.cause
                && close(x.deaths, y.deaths)
            {
                let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
    }
    let mut silver: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let r = find(&mut parent, i);
        silver.entry(r).or_default().push(i);
    }
    let gold = pairs_of(&silver);

    // sitrep: extract every article, fuse everything, compare primaries.
    let pipeline = Pipeline::load(a.data.as_deref())?;
    let cleaner = sitrep_clean::Cleaner::new();
    let per_doc: Vec<(Option<String>, Vec<Report>)> = docs
        .into_par_iter()
        .map(|mut doc| {
            cleaner.clean(&mut doc);
            let analysis = pipeline.analyse(&doc);
            let primary = analysis
                .extraction
                .events
                .iter()
                .find(|e| e.primary)
                .map(|e| e.id.clone());
            let reports = sitrep_pipeline::reports(&doc, analysis.extraction.events);
            (primary, reports)
        })
        .collect();
    let all: Vec<Report> = per_doc.iter().flat_map(|d| d.1.iter().cloned()).collect();
    let fused = fuse(&all, &FuseConfig::default())?;
    let mut fused_of: BTreeMap<&str, &sitrep_fuse::FusedEvent> = BTreeMap::new();
    for b in &fused {
        for e in &b.events {
            for m in &e.members {
                fused_of.insert(m.event.as_str(), e);
            }
        }
    }
    let mut system: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut unfused = 0;
    for (i, (primary, _)) in per_doc.iter().enumerate() {
        match primary.as_deref().and_then(|p| fused_of.get(p)) {
            Some(e) => system.entry(e.id.clone()).or_default().push(i),
            None => unfused += 1,
        }
    }
    let sys_groups: BTreeMap<usize, Vec<usize>> = system.into_values().enumerate().collect();
    let pred = pairs_of(&sys_groups);
    let tp = pred.intersection(&gold).count();
    let precision = if pred.is_empty() {
        0.0
    } else {
        tp as f64 / pred.len() as f64
    };
    let recall = if gold.is_empty() {
        0.0
    } else {
        tp as f64 / gold.len() as f64
    };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let multi = silver.values().filter(|g| g.len() > 1).count();
    if a.json {
        println!(
            "{}",
            serde_json::json!({
                "articles": n, "silver_clusters": silver.len(), "silver_multi": multi,
                "gold_pairs": gold.len(), "predicted_pairs": pred.len(), "true_pairs": tp,
                "precision": precision, "recall": recall, "f1": f1,
                "articles_without_fused_primary": unfused,
            })
        );
    } else {
        println!(
            "FA-KES fusion: {n} articles; {} silver clusters ({multi} with 2+ articles), {} gold pairs",
            silver.len(),
            gold.len()
        );
        println!(
            "  predicted pairs {}  true {}  precision {:.3}  recall {:.3}  F1 {:.3}  ({} articles without a fused primary event)",
            pred.len(),
            tp,
            precision,
            recall,
            f1,
            unfused
        );
    }
    if a.disagreements > 0 {
        let show = |label: &str, set: Vec<&(usize, usize)>| {
            println!("{label}: {}", set.len());
            for &&(i, j) in set.iter().take(a.disagreements) {
                for k in [i, j] {
                    let r = &rows[k];
                    let t: String = r.title.chars().take(90).collect();
                    println!(
                        "  {} | {} | {} | {} | {} dead | {}",
                        r.id, r.date, r.governorate, r.cause, r.deaths, t
                    );
                }
                println!();
            }
        };
        show(
            "false merges (sitrep together, silver apart)",
            pred.difference(&gold).collect(),
        );
        show(
            "misses (silver together, sitrep apart)",
            gold.difference(&pred).collect(),
        );
    }
    Ok(ExitCode::SUCCESS)
}
