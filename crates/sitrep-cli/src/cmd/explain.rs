//! `sitrep explain EVENT`: why the reports of a fused event were merged,
//! which plausible pairs were kept apart, and how ingest changed it.

use std::process::ExitCode;

use super::Global;

const AFTER_HELP: &str = "\
Each link is a pair of extracted events with its score (type 0.30, date
0.30, place 0.20, actors 0.10, figures 0.10; merged at >= 0.72) and the
decision: merged, same-cluster (already joined through others), kept-apart
(opposite outcomes, different days), below-threshold, denial-attached.

Examples:
  sitrep explain F1a2b3c4d5e6f
  sitrep explain 004_1232c672174c0976#e2";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Fused event id (or an extracted event id).
    pub id: String,
    /// Links and log as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let store = super::open_existing(&g.db)?;
    let e = super::event::find(&store, &a.id)?;
    let log = store.fusion_log_of(&e.id)?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "id": e.id, "members": e.members, "links": e.links, "log": log
            }))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} ({}, {} report(s), block {})",
        e.id,
        e.sub_event_type.as_str(),
        e.members.len(),
        e.block
    );
    for m in &e.members {
        println!(
            "  member {} — {} ({:?})",
            m.event,
            m.sub_event_type.as_str(),
            m.modality
        );
    }
    if e.members.len() == 1 && e.links.is_empty() {
        println!("  no other report matched it closely enough to be compared");
    }
    println!("Decisions:");
    for l in &e.links {
        let p = &l.parts;
        println!(
            "  {} + {}: {:.3} (type {:.2}, date {:.2}, place {:.2}, actors {:.2}, figures {:.2}) → {}",
            l.a, l.b, l.score, p.types, p.date, p.place, p.actors, p.figures, l.decision
        );
    }
    for f in &e.flags {
        println!("  ! {}: {}", f.kind, f.detail);
    }
    println!("History:");
    for r in &log {
        println!(
            "  {} run {}: {} {} — {}",
            r.at,
            r.run_id.map_or("-".to_string(), |x| x.to_string()),
            r.action,
            r.fused_key.as_deref().unwrap_or(""),
            r.detail
        );
    }
    Ok(ExitCode::SUCCESS)
}
