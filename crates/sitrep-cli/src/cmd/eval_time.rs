//! `sitrep eval time`: TIMEX3 extraction and normalisation on MEANTIME.
//!
//! Each NAF-style XML document is rebuilt into text from its tokens
//! (detokenised, one sentence per paragraph); the tagger runs with the
//! document creation time as publication date and is scored against the
//! gold TIMEX3 spans (strict and relaxed), types and values.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use sitrep_annotate::eval::{GoldTimex, TimexScore};
use sitrep_annotate::Annotator;
use sitrep_core::Span;

use super::Global;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder of MEANTIME English XML documents.
    #[arg(long, default_value = "../shared/eval/meantime/docs")]
    pub meantime: PathBuf,
    /// Print up to N examples of each error class.
    #[arg(long, default_value_t = 0)]
    pub errors: usize,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
}

/// One MEANTIME document: rebuilt text, creation time, gold timexes.
#[allow(dead_code)] // name: for error listings
pub struct MeantimeDoc {
    pub name: String,
    pub text: String,
    pub dct: Option<NaiveDate>,
    pub gold: Vec<GoldTimex>,
    /// MEANTIME annotates only the title, the date line and the first four
    /// sentences (sentence ids 0..=5): predictions after this byte offset
    /// are not scored.
    pub annotated_end: usize,
}

/// Last sentence id that MEANTIME annotates.
const LAST_ANNOTATED_SENTENCE: u32 = 5;

fn no_space_before(tok: &str) -> bool {
    matches!(
        tok,
        "," | "."
            | ":"
            | ";"
            | "!"
            | "?"
            | ")"
            | "]"
            | "%"
            | "'s"
            | "'"
            | "n't"
            | "'re"
            | "'ve"
            | "'ll"
            | "'d"
            | "'m"
            | "’s"
    )
}

/// Parse one MEANTIME XML file.
pub fn parse_meantime(path: &Path) -> anyhow::Result<MeantimeDoc> {
    let xml =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let doc = roxmltree::Document::parse(&xml)
        .with_context(|| format!("{}: not well-formed XML", path.display()))?;
    let mut text = String::new();
    let mut offs: HashMap<String, (usize, usize)> = HashMap::new();
    let mut last_sentence: Option<String> = None;
    let mut prev_tok = String::new();
    let mut quote_open = false;
    let mut annotated_end = 0;
    for tok in doc.descendants().filter(|n| n.has_tag_name("token")) {
        let id = tok.attribute("t_id").unwrap_or("").to_string();
        let sent = tok.attribute("sentence").unwrap_or("").to_string();
        let word = tok.text().unwrap_or("").trim();
        if word.is_empty() {
            continue;
        }
        let new_sentence = last_sentence.as_deref() != Some(sent.as_str());
        if new_sentence && !text.is_empty() {
            text.push_str("\n\n");
            quote_open = false;
        } else if !text.is_empty() {
            let is_quote = word == "\"";
            let glue = no_space_before(word)
                || matches!(prev_tok.as_str(), "(" | "[" | "$")
                || (prev_tok == "\"" && quote_open)
                || (is_quote && quote_open);
            if !glue {
                text.push(' ');
            }
        }
        if word == "\"" {
            quote_open = !quote_open;
        }
        let s = text.len();
        text.push_str(word);
        if sent
            .parse::<u32>()
            .is_ok_and(|n| n <= LAST_ANNOTATED_SENTENCE)
        {
            annotated_end = text.len();
        }
        offs.insert(id, (s, text.len()));
        last_sentence = Some(sent);
        prev_tok = word.to_string();
    }
    let mut gold = Vec::new();
    let mut dct = None;
    for tx in doc.descendants().filter(|n| n.has_tag_name("TIMEX3")) {
        let kind = tx.attribute("type").unwrap_or("").to_string();
        let value = tx.attribute("value").unwrap_or("").to_string();
        if tx.attribute("functionInDocument") == Some("CREATION_TIME") {
            dct = value.get(..10).and_then(|v| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .or_else(|_| NaiveDate::parse_from_str(v, "%d-%m-%Y"))
                    .ok()
            });
        }
        let spans: Vec<(usize, usize)> = tx
            .children()
            .filter(|c| c.has_tag_name("token_anchor"))
            .filter_map(|c| c.attribute("t_id"))
            .filter_map(|id| offs.get(id).copied())
            .collect();
        let (Some(s), Some(e)) = (
            spans.iter().map(|x| x.0).min(),
            spans.iter().map(|x| x.1).max(),
        ) else {
            continue;
        };
        gold.push(GoldTimex {
            span: Span::new(s, e),
            kind,
            value,
        });
    }
    gold.sort_by_key(|g| g.span);
    Ok(MeantimeDoc {
        name: path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string(),
        text,
        dct,
        gold,
        annotated_end,
    })
}

pub fn run(_g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&a.meantime)
        .with_context(|| {
            format!(
                "reading {} (pass --meantime DIR with the MEANTIME docs)",
                a.meantime.display()
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    paths.sort();
    anyhow::ensure!(
        !paths.is_empty(),
        "no .xml files in {}",
        a.meantime.display()
    );
    let annotator = Annotator::new();
    let mut score = TimexScore::default();
    let mut docs = 0;
    for p in &paths {
        let d = match parse_meantime(p) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{e:#}");
                continue;
            }
        };
        docs += 1;
        // no creation time: read it from the date line, as intake would
        let dct = d.dct.or_else(|| {
            annotator
                .timexes(&d.text, None)
                .iter()
                .filter(|t| !t.relative)
                .find_map(|t| {
                    let iv = t.interval?;
                    (iv.start == iv.end).then_some(iv.start)
                })
        });
        let mut pred = annotator.timexes(&d.text, dct);
        pred.retain(|t| t.span.start < d.annotated_end);
        score.add(&d.text, &d.gold, &pred);
    }
    let (sp, sr, sf) = score.strict();
    let (rp, rr, rf) = score.relaxed();
    let mut classes: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &score.errors {
        *classes.entry(e.class).or_default() += 1;
    }
    if a.json {
        let v = serde_json::json!({
            "documents": docs,
            "counts": score,
            "strict": {"precision": sp, "recall": sr, "f1": sf},
            "relaxed": {"precision": rp, "recall": rr, "f1": rf},
            "type_accuracy": score.type_accuracy(),
            "value_accuracy": score.value_accuracy(),
            "date_value_accuracy": score.date_value_accuracy(),
            "value_f1": score.value_f1(),
            "errors": classes,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "MEANTIME: {docs} documents, {} gold TIMEX3, {} predicted",
            score.gold, score.predicted
        );
        println!("                 precision  recall  F1");
        println!("strict span      {sp:9.3}  {sr:6.3}  {sf:.3}");
        println!("relaxed span     {rp:9.3}  {rr:6.3}  {rf:.3}");
        println!(
            "type accuracy    {:.3} (of {} relaxed matches)",
            score.type_accuracy(),
            score.relaxed_matches
        );
        println!("value accuracy   {:.3} (all types)", score.value_accuracy());
        println!(
            "value accuracy   {:.3} (DATE, {} matches)",
            score.date_value_accuracy(),
            score.date_matches
        );
        println!("value F1         {:.3}", score.value_f1());
        println!("errors: {classes:?}");
    }
    if a.errors > 0 {
        let mut shown: HashMap<&str, usize> = HashMap::new();
        for e in &score.errors {
            let n = shown.entry(e.class).or_default();
            if *n < a.errors {
                *n += 1;
                eprintln!(
                    "{:9} {:40} gold={:?} pred={:?}",
                    e.class, e.text, e.gold, e.predicted
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
