//! `sitrep docs`: list stored documents.

use std::process::ExitCode;

use anyhow::Context;
use sitrep_store::{DocFilter, DocSummary};

use super::Global;

const AFTER_HELP: &str = "\
Columns: ID (the key to give `sitrep show`), OUTLET, PUBLISHED (date, its
precision, where it came from: flag, sidecar, record or dateline, and
`ambiguous` when the text allowed another reading such as day/month swapped;
`unknown` when nothing stated a date: sitrep never guesses one), LANG
(ISO 639-3), WORDS (kept by cleaning) and DUPLICATE OF (the earliest-ingested
document this one is a near-copy of).

With --json, one JSON object per document per line (JSON Lines), with the
full publication date record, language confidence, URL, title and hashes.

Examples:
  sitrep docs
  sitrep docs --outlet Rudaw --lang eng
  sitrep docs --json | jq -r 'select(.duplicate_of == null) | .key'";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Only documents from this outlet (case-insensitive).
    #[arg(long)]
    pub outlet: Option<String>,
    /// Only documents in this language (ISO 639-3, such as `eng`).
    #[arg(long)]
    pub lang: Option<String>,
    /// Leave out near-duplicates.
    #[arg(long)]
    pub no_duplicates: bool,
    /// JSON Lines on stdout, one document per line.
    #[arg(long)]
    pub json: bool,
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let store = super::open_existing(&g.db)?;
    let rows = store
        .list(&DocFilter {
            outlet: a.outlet,
            language: a.lang,
            canonical_only: a.no_duplicates,
        })
        .context("listing documents")?;
    if a.json {
        for r in &rows {
            println!("{}", serde_json::to_string(r)?);
        }
    } else if rows.is_empty() {
        eprintln!(
            "no documents match in {} (`sitrep ingest PATH` stores some)",
            g.db_name()
        );
    } else {
        print!("{}", table(&rows));
    }
    Ok(ExitCode::SUCCESS)
}

/// `2017-11-09 day dateline ambiguous`, or `unknown`.
pub fn published_label(d: &DocSummary) -> String {
    let p = &d.published;
    if !p.is_known() {
        return "unknown".into();
    }
    let mut s = format!(
        "{} {} {}",
        p.display(),
        p.precision.as_str(),
        p.origin.as_str()
    );
    if p.ambiguous {
        s.push_str(" ambiguous");
    }
    s
}

fn table(rows: &[DocSummary]) -> String {
    let header = ["ID", "OUTLET", "PUBLISHED", "LANG", "WORDS", "DUPLICATE OF"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|d| {
            [
                d.key.clone(),
                clip(d.outlet.as_deref().unwrap_or("-"), 28),
                published_label(d),
                d.language
                    .as_ref()
                    .map_or_else(|| "-".into(), |l| l.code.clone()),
                d.words.to_string(),
                d.duplicate_of.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let mut width = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |row: &[String]| {
        let mut l = String::new();
        for (i, (c, w)) in row.iter().zip(width).enumerate() {
            if i + 1 == row.len() {
                l.push_str(c);
            } else if i == 4 {
                l.push_str(&format!("{c:>w$}  "));
            } else {
                l.push_str(&format!("{c:<w$}  "));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&header.map(String::from));
    for row in &cells {
        line(row);
    }
    out
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
