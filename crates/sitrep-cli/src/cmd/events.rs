//! `sitrep events`: list fused events, filtered.

use std::process::ExitCode;

use sitrep_store::FusedFilter;

use super::fuse::{date_label, load, resolve_place};
use super::Global;

const AFTER_HELP: &str = "\
Examples:
  sitrep events                                   every fused event, by date
  sitrep events --place 'Abu Kamal'               one place (any spelling, or a GeoNames id)
  sitrep events --place Albukamal --radius 50     within 50 km of it
  sitrep events --bbox 34,40,36,42                min_lat,min_lon,max_lat,max_lon
  sitrep events --from 2017-11-01 --to 2017-11-30 --type 'Government regains territory'
  sitrep events --actor 'Islamic State' --min-sources 2 --json";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Place name or GeoNames id.
    #[arg(long)]
    pub place: Option<String>,
    /// With --place: every event within this many km of it.
    #[arg(long, requires = "place")]
    pub radius: Option<f64>,
    /// min_lat,min_lon,max_lat,max_lon
    #[arg(long, value_delimiter = ',', num_args = 4, allow_hyphen_values = true)]
    pub bbox: Option<Vec<f64>>,
    /// First day (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<String>,
    /// Event type or sub-event type (ACLED's exact string).
    #[arg(long = "type")]
    pub event_type: Option<String>,
    /// Actor name or id (substring, case-insensitive).
    #[arg(long)]
    pub actor: Option<String>,
    /// Only events told by at least this many independent sources.
    #[arg(long)]
    pub min_sources: Option<i64>,
    /// At most this many events.
    #[arg(long)]
    pub limit: Option<i64>,
    /// One fused event per line as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let store = super::open_existing(&g.db)?;
    let mut f = FusedFilter {
        from: a.from.clone(),
        to: a.to.clone(),
        event_type: a.event_type.clone(),
        actor: a.actor.clone(),
        min_sources: a.min_sources,
        ..FusedFilter::default()
    };
    let mut centre = None;
    if let Some(p) = &a.place {
        let place = resolve_place(&store, p)?;
        match (a.radius, place.lat, place.lon) {
            (Some(r), Some(lat), Some(lon)) => {
                let dlat = r / 111.0;
                let dlon = r / (111.0 * lat.to_radians().cos().abs().max(0.01));
                f.bbox = Some((lat - dlat, lon - dlon, lat + dlat, lon + dlon));
                centre = Some((lat, lon, r));
            }
            (Some(_), _, _) => {
                anyhow::bail!("{} has no coordinates: --radius needs them", place.label)
            }
            _ => f.geonames_ids = Some(place.geonames_ids),
        }
    }
    if let Some(b) = &a.bbox {
        if let [s, w, n, e] = b[..] {
            f.bbox = Some((s, w, n, e));
        }
    }
    f.limit = a.limit;
    let mut events = load(&store, &f)?;
    if let Some((lat, lon, r)) = centre {
        events.retain(|e| {
            e.location
                .as_ref()
                .and_then(|l| Some((l.lat?, l.lon?)))
                .is_some_and(|p| sitrep_fuse::score::haversine_km(p, (lat, lon)) <= r)
        });
    }
    for e in &events {
        if a.json {
            println!("{}", serde_json::to_string(e)?);
            continue;
        }
        println!(
            "{}  {:<24} {:<36} {:<20} {} report(s), {} source(s){}{}",
            e.id,
            date_label(e),
            e.sub_event_type.as_str(),
            e.location.as_ref().map_or("no place", |l| l.name.as_str()),
            e.members.len(),
            e.sources.len(),
            e.fatalities
                .as_ref()
                .and_then(|f| f.best)
                .map_or(String::new(), |b| format!(", {b} killed (best)")),
            if e.flags.is_empty() { "" } else { " !" }
        );
    }
    if events.is_empty() && !a.json {
        eprintln!("no fused events match (run `sitrep fuse` if events were ingested with an older sitrep)");
    }
    Ok(ExitCode::SUCCESS)
}
