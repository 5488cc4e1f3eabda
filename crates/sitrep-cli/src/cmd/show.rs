//! `sitrep show ID`: a stored document's clean text, what cleaning dropped,
//! or the whole record as JSON.

use std::process::ExitCode;

use sitrep_core::SegmentKind;

use super::Global;

const AFTER_HELP: &str = "\
ID is the key listed by `sitrep docs` (a record's `id`, else the file name
without its extension).

Examples:
  sitrep show 001_qasr-nadim-shelling             the kept text, one segment per line
  sitrep show 001_qasr-nadim-shelling --removed   each dropped segment: byte span, reason, text
  sitrep show 001_qasr-nadim-shelling --json      the document record with every segment

Byte spans are offsets into the document's text (for HTML, its visible text;
the JSON record's `text_map` leads back to the page source).";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The document key, as listed by `sitrep docs`.
    pub id: String,
    /// Show what cleaning removed and why, instead of the kept text.
    #[arg(long, conflicts_with = "json")]
    pub removed: bool,
    /// The events extracted from the document, with their evidence
    /// sentences (as JSON Lines with --json).
    #[arg(long, conflicts_with = "removed")]
    pub events: bool,
    /// The document record with its segments, diagnostics and versions, as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let store = super::open_existing(&g.db)?;
    let Some(stored) = store.document(&a.id)? else {
        let near = store.keys_like(&a.id, 5)?;
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!(" Did you mean: {}?", near.join(", "))
        };
        anyhow::bail!(
            "no document with ID '{}' in {}.{hint} `sitrep docs` lists the IDs.",
            a.id,
            g.db_name()
        );
    };
    if a.events {
        let events = store.events_of(&a.id)?;
        let doc = &stored.document;
        if events.is_empty() {
            eprintln!("no events were extracted from '{}'", a.id);
        }
        for e in &events {
            if a.json {
                println!("{}", serde_json::to_string(e)?);
                continue;
            }
            println!(
                "{}{} {} | {} .. {} ({}) | {} | {}",
                e.id,
                if e.primary { " [primary]" } else { "" },
                e.sub_event_type.as_str(),
                e.date.start.as_deref().unwrap_or("?"),
                e.date.end.as_deref().unwrap_or("?"),
                e.date.precision,
                e.location.as_ref().map_or("no place", |l| l.name.as_str()),
                serde_json::to_value(e.modality)?.as_str().unwrap_or(""),
            );
            for ev in &e.evidence {
                let span = sitrep_core::Span::new(ev.byte_start, ev.byte_end);
                println!("    > {}", span.slice(&doc.text).trim());
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&stored)?);
        return Ok(ExitCode::SUCCESS);
    }
    let doc = &stored.document;
    if a.removed {
        let mut n = 0;
        for s in &doc.segments {
            if let SegmentKind::Removed(reason) = s.kind {
                n += 1;
                println!(
                    "--- removed {}..{} ({}) ---",
                    s.span.start,
                    s.span.end,
                    reason.as_str()
                );
                println!("{}", s.span.slice(&doc.text));
            }
        }
        if n == 0 {
            eprintln!("cleaning removed nothing from '{}'", a.id);
        }
    } else {
        println!("{}", doc.clean_text());
    }
    Ok(ExitCode::SUCCESS)
}
