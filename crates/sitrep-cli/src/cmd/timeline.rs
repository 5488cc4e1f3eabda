//! `sitrep timeline PLACE`: the fused events of a place, dated, with every
//! source's casualty figures.

use std::process::ExitCode;

use sitrep_store::FusedFilter;

use super::fuse::{date_label, figure_label, load, per_source, resolve_place};
use super::Global;

const AFTER_HELP: &str = "\
PLACE is a name in any spelling the stored reports use (folded: \"Abu Kamal\",
\"Albukamal\" and \"Al Bukamal\" are one place) or a GeoNames id.

Examples:
  sitrep timeline 'Abu Kamal'
  sitrep timeline 174448 --from 2017-11-01 --to 2017-11-30
  sitrep timeline Albukamal --json | jq .sub_event_type";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Place name or GeoNames id.
    pub place: String,
    /// First day (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<String>,
    /// One fused event per line as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let store = super::open_existing(&g.db)?;
    let place = resolve_place(&store, &a.place)?;
    let mut events = load(
        &store,
        &FusedFilter {
            geonames_ids: Some(place.geonames_ids.clone()),
            from: a.from.clone(),
            to: a.to.clone(),
            ..FusedFilter::default()
        },
    )?;
    events.sort_by(|x, y| {
        x.date
            .start
            .cmp(&y.date.start)
            .then(x.date.late.cmp(&y.date.late))
            .then(x.id.cmp(&y.id))
    });
    if a.json {
        for e in &events {
            println!("{}", serde_json::to_string(e)?);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let reports: usize = events.iter().map(|e| e.members.len()).sum();
    println!(
        "{}: {} fused event(s) from {} report(s)",
        place.label,
        events.len(),
        reports
    );
    let mut last_year_month = String::new();
    for e in &events {
        let ym = e
            .date
            .start
            .as_deref()
            .and_then(|d| d.get(..7))
            .unwrap_or("")
            .to_string();
        if !last_year_month.is_empty() && ym != last_year_month {
            println!("  ·");
        }
        last_year_month = ym;
        let extent = e
            .extent
            .as_ref()
            .map_or(String::new(), |(x, p)| format!(" [{x}: \"{p}\"]"));
        println!(
            "{:<26} {}{}  {}",
            date_label(e),
            e.sub_event_type.as_str(),
            extent,
            e.id
        );
        let actors = match (&e.actor1, &e.actor2) {
            (Some(x), Some(y)) => format!("{} vs {}", x.name, y.name),
            (Some(x), None) => x.name.clone(),
            _ => "actors not named".into(),
        };
        let docs: Vec<String> = e
            .members
            .iter()
            .map(|m| {
                let short = &m.doc;
                match &m.outlet {
                    Some(o) => format!("{short} {o}"),
                    None => short.to_string(),
                }
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        println!(
            "    {actors}; sources: {}; reports: {}; confidence {:.2}",
            e.sources
                .iter()
                .map(|s| s.trim_start_matches("outlet:"))
                .collect::<Vec<_>>()
                .join(", "),
            docs.join(", "),
            e.confidence
        );
        if let Some(f) = &e.fatalities {
            println!("    killed: {}", figure_label(f));
            println!("      per source: {}", per_source(f));
        }
        for (who, r) in &e.fatalities_by_actor {
            println!("      {who}: {} — {}", figure_label(r), per_source(r));
        }
        for (name, r) in [
            ("civilians killed", &e.civilians),
            ("injured", &e.injured),
            ("displaced", &e.displaced),
        ] {
            if let Some(r) = r {
                println!("    {name}: {} — {}", figure_label(r), per_source(r));
            }
        }
        for f in &e.flags {
            println!("    ! {}: {}", f.kind, f.detail);
        }
    }
    Ok(ExitCode::SUCCESS)
}
