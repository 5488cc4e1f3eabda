//! `sitrep control PLACE`: who held a place from when to when.

use std::process::ExitCode;

use sitrep_store::FusedFilter;

use super::fuse::{load, resolve_place};
use super::Global;

const AFTER_HELP: &str = "\
Built from the fused territorial events of the place (government regains,
non-state actor overtakes, non-violent transfer) and withdrawals stated in
battle reports. Extent is full, partial (\"more than 40 percent of the town\",
\"several neighbourhoods\") or contested (forces entered; fighting inside).
A change opens a period when it is confirmed (confidence >= 0.6: two
independent sources, or a named source with a dated report); unconfirmed and
disputed changes are listed below the periods.

Examples:
  sitrep control Albukamal
  sitrep control 174448 --json";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Place name or GeoNames id.
    pub place: String,
    /// The timeline as one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let store = super::open_existing(&g.db)?;
    let place = resolve_place(&store, &a.place)?;
    let events = load(
        &store,
        &FusedFilter {
            geonames_ids: Some(place.geonames_ids.clone()),
            ..FusedFilter::default()
        },
    )?;
    let t = sitrep_fuse::control_timeline(&events);
    if a.json {
        println!("{}", serde_json::to_string(&t)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("Control of {}", place.label);
    if t.periods.is_empty() {
        println!("  no confirmed change of control");
    }
    for p in &t.periods {
        println!(
            "  {} → {}  {} ({})  conf {:.2}  [{}] {}",
            p.from.as_deref().unwrap_or("?"),
            p.to.as_deref().unwrap_or("…"),
            p.holder,
            p.extent,
            p.confidence,
            p.sources
                .iter()
                .map(|s| s.trim_start_matches("outlet:"))
                .collect::<Vec<_>>()
                .join(", "),
            p.fused
        );
    }
    println!("Changes reported:");
    for c in &t.changes {
        let date = match (&c.date_start, &c.date_end) {
            (Some(s), Some(e)) if s != e => format!("{s}..{e}"),
            (Some(s), _) => s.clone(),
            _ => "undated".into(),
        };
        println!(
            "  {date}{} {} — {} holds it ({}{}) — {} — {} [{}]",
            if c.late { " night" } else { "" },
            c.kind,
            c.holder,
            c.extent,
            c.phrase
                .as_ref()
                .map_or(String::new(), |p| format!(": \"{p}\"")),
            c.status,
            c.docs.join(", "),
            c.fused
        );
        if let Some(n) = &c.note {
            println!("      {n}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
