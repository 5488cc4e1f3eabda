//! `sitrep export`: events as ACLED CSV, GeoJSON or JSON Lines.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use sitrep_server::formats;
use sitrep_store::{EventQuery, EventSource};

use super::Global;

const AFTER_HELP: &str = "\
Exports fused events (one row per real-world event) when `sitrep fuse` (or
ingest) has produced any, else the events of the current version of each
canonical document that are stated as happening (asserted or claimed).
--per-document forces the latter. The ACLED column mapping is in docs/api.md.

Examples:
  sitrep export --format acled-csv -o events.csv
  sitrep export --format geojson --from 2017-11-01 --to 2017-11-30 -o nov.geojson
  sitrep export --format jsonl --type Battles --place 'Abu Kamal'";

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// ACLED's columns and value conventions, one row per event.
    AcledCsv,
    /// A GeoJSON FeatureCollection of points.
    Geojson,
    /// One full event record (claims, evidence text) per line.
    Jsonl,
}

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value = "acled-csv")]
    pub format: Format,
    /// Events that may have happened on or after this day (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Events that may have happened on or before this day (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<String>,
    /// Event type or sub-event type (exact ACLED string, any case).
    #[arg(long = "type")]
    pub event_type: Option<String>,
    /// Place: GeoNames id, or part of the place name or its admin1.
    #[arg(long)]
    pub place: Option<String>,
    /// Part of an actor's name or id.
    #[arg(long)]
    pub actor: Option<String>,
    /// Export per-document events even when fused events exist.
    #[arg(long)]
    pub per_document: bool,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn check_day(flag: &str, v: &Option<String>) -> anyhow::Result<()> {
    if let Some(d) = v {
        if d.parse::<chrono::NaiveDate>().is_err() {
            anyhow::bail!("--{flag} {d:?} is not a date: use YYYY-MM-DD, such as 2017-11-08");
        }
    }
    Ok(())
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    check_day("from", &a.from)?;
    check_day("to", &a.to)?;
    let store = super::open_existing(&g.db)?;
    let source = if a.per_document {
        EventSource::Documents
    } else {
        EventSource::Auto
    };
    let q = EventQuery {
        from: a.from,
        to: a.to,
        event_type: a.event_type,
        place: a.place,
        actor: a.actor,
        texts: true,
        ..EventQuery::default()
    };
    let page = store.event_views(source, &q)?;
    let mut out: Box<dyn Write> = match &a.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    match a.format {
        Format::AcledCsv => {
            formats::write_acled_csv(&page.events, chrono::Utc::now().timestamp(), &mut out)?
        }
        Format::Geojson => {
            serde_json::to_writer(&mut out, &formats::feature_collection(&page.events))?;
            out.write_all(b"\n")?;
        }
        Format::Jsonl => formats::write_jsonl(&page.events, &mut out)?,
    }
    out.flush()?;
    if let Some(p) = &a.output {
        eprintln!(
            "{} {} event(s) written to {}",
            page.events.len(),
            match page.source {
                EventSource::Fused => "fused",
                _ => "per-document",
            },
            p.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
