//! `sitrep brief PLACE|REGION`: a cited situation report from the fused
//! events in the store. This module gathers the data (place resolution,
//! fused events, control timelines, report texts); `sitrep-brief` composes
//! and renders the briefing.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use sitrep_brief::{Input, Report, Scope, ScopeKind, Timeline};
use sitrep_core::place::FeatureClass;
use sitrep_geo::Gazetteer;
use sitrep_store::{FusedFilter, Store};

use super::Global;

const AFTER_HELP: &str = "\
PLACE is a town or city in any spelling the geoparser resolves (al-Boukamal,
Albukamal, Abu Kamal…) or a GeoNames id; REGION is a first-level region (a
governorate: 'Deir ez-Zor Governorate', or its GeoNames id) or a country
('Syria'). The briefing covers the fused events of the place or region in the
period (all dates without --from/--to): a summary, the control timeline, the
key events with casualty ranges (low, best, high) and the disagreements
between sources. Every sentence carries footnotes to the outlet, its date and
the source chain (\"SOHR via AFP\"); quoted sentences are copied verbatim
from the stored reports. A period without events gives a briefing that says
so. Run `sitrep ingest` first (fusion runs at its end).

Examples:
  sitrep brief 'Abu Kamal' --from 2017-11-01 --to 2017-11-30
  sitrep brief al-Boukamal --format html -o abu-kamal.html
  sitrep brief 174448 --format json | jq '.sections[].title'
  sitrep brief 'Deir ez-Zor Governorate' --from 2017-11-01 --to 2017-11-30
  sitrep brief Syria --max-events 20";

/// How to write the briefing.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Markdown with footnotes (`[^1]`).
    Md,
    /// A standalone HTML page.
    Html,
    /// The structured briefing (sections, sentences, notes).
    Json,
}

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Place name, region (governorate) or country, or a GeoNames id.
    pub place: String,
    /// First day of the period, inclusive (YYYY-MM-DD; default: all dates).
    #[arg(long, value_name = "DAY")]
    pub from: Option<String>,
    /// Last day of the period, inclusive (YYYY-MM-DD; default: all dates).
    #[arg(long, value_name = "DAY")]
    pub to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "md")]
    pub format: Format,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// The most events listed under "Key events" (the others are counted).
    #[arg(long, default_value_t = sitrep_brief::DEFAULT_MAX_EVENTS)]
    pub max_events: usize,
    /// Directory of the gazetteer (as for ingest).
    #[arg(long, hide = true)]
    pub data: Option<PathBuf>,
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let store = super::open_existing(&g.db)?;
    let gaz = load_gazetteer(a.data.as_deref())?;
    let from = a
        .from
        .as_deref()
        .map(|d| check_day("--from", d))
        .transpose()?;
    let to = a.to.as_deref().map(|d| check_day("--to", d)).transpose()?;
    let input = gather(&store, &gaz, &a.place, from, to, a.max_events)?;
    let b = sitrep_brief::compose(&input);
    let text = match a.format {
        Format::Md => sitrep_brief::render::markdown(&b),
        Format::Html => sitrep_brief::render::html(&b),
        Format::Json => serde_json::to_string_pretty(&b)? + "\n",
    };
    match &a.output {
        Some(p) => {
            std::fs::write(p, &text).with_context(|| format!("writing {}", p.display()))?;
            if !g.quiet {
                eprintln!(
                    "wrote {} ({} event(s), {} footnote(s))",
                    p.display(),
                    b.counts.events,
                    b.notes.len()
                );
            }
        }
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The shipped gazetteer (or the one under `data`).
pub fn load_gazetteer(data: Option<&Path>) -> anyhow::Result<Gazetteer> {
    let dir = data
        .map(Path::to_path_buf)
        .unwrap_or_else(sitrep_geo::default_data_dir);
    let path = dir.join("gazetteer.bin.lz4");
    Gazetteer::open(&path).with_context(|| {
        format!(
            "cannot load the gazetteer {}; run scripts/build-gazetteer.sh or pass --data DIR",
            path.display()
        )
    })
}

/// `YYYY-MM-DD`, or an error naming the option.
pub fn check_day(name: &str, v: &str) -> anyhow::Result<String> {
    v.trim()
        .parse::<chrono::NaiveDate>()
        .map(|d| d.to_string())
        .map_err(|_| anyhow::anyhow!("{name} {v:?} is not a date: use YYYY-MM-DD"))
}

/// The place or region a query names.
#[derive(Debug)]
struct Resolved {
    kind: ScopeKind,
    name: String,
    ids: Vec<u32>,
    /// For a country: its ISO code.
    country: Option<String>,
}

/// Why a query names nothing.
#[derive(Debug)]
pub struct UnknownPlace(pub String);

impl std::fmt::Display for UnknownPlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UnknownPlace {}

fn from_record(gaz: &Gazetteer, i: u32) -> Option<Resolved> {
    let r = gaz.record(i)?;
    let name = gaz.name(&r).to_string();
    Some(match r.class {
        FeatureClass::Country => Resolved {
            kind: ScopeKind::Country,
            name,
            ids: vec![r.geonames_id],
            country: Some(r.country_code().to_string()),
        },
        FeatureClass::Admin1 => Resolved {
            kind: ScopeKind::Region,
            name,
            ids: vec![r.geonames_id],
            country: None,
        },
        _ => Resolved {
            kind: ScopeKind::Place,
            name,
            ids: vec![r.geonames_id],
            country: None,
        },
    })
}

/// Resolve a query: a GeoNames id; a country; a place stored events name
/// (any spelling, folded, through `fuse::resolve_place`); a first-level
/// region; any other place the gazetteer knows.
fn resolve(store: &Store, gaz: &Gazetteer, q: &str) -> anyhow::Result<Resolved> {
    let q = q.trim();
    if let Ok(id) = q.parse::<u32>() {
        if let Some(r) = gaz.index_of_id(id).and_then(|i| from_record(gaz, i)) {
            return Ok(r);
        }
        let stored = store.place_names()?;
        if let Some(p) = stored.iter().find(|p| p.geonames_id == Some(i64::from(id))) {
            return Ok(Resolved {
                kind: ScopeKind::Place,
                name: p.name.clone(),
                ids: vec![id],
                country: None,
            });
        }
        return Err(UnknownPlace(format!(
            "no place with GeoNames id {id}: searched the GeoNames gazetteer and the places of stored events"
        ))
        .into());
    }
    let mut cands: Vec<u32> = gaz.lookup_light(&sitrep_geo::fold::light(q));
    for i in gaz.lookup_heavy(&sitrep_geo::fold::heavy(q)) {
        if !cands.contains(&i) {
            cands.push(i);
        }
    }
    let records: Vec<sitrep_geo::gazetteer::Record> =
        cands.iter().filter_map(|&i| gaz.record(i)).collect();
    if let Some(c) = records.iter().find(|r| r.class == FeatureClass::Country) {
        if let Some(r) = from_record(gaz, c.index) {
            return Ok(r);
        }
    }
    match super::fuse::resolve_place(store, q) {
        Ok(p) => {
            let ids: Vec<u32> = p
                .geonames_ids
                .iter()
                .filter_map(|&i| u32::try_from(i).ok())
                .collect();
            // A place stored events name that is itself a region.
            if let [one] = ids[..] {
                if let Some(r) = gaz.index_of_id(one).and_then(|i| from_record(gaz, i)) {
                    if r.kind != ScopeKind::Place {
                        return Ok(r);
                    }
                }
            }
            let name = p
                .label
                .split(" (GeoNames")
                .next()
                .unwrap_or(&p.label)
                .to_string();
            return Ok(Resolved {
                kind: ScopeKind::Place,
                name,
                ids,
                country: None,
            });
        }
        Err(e) if e.downcast_ref::<sitrep_store::StoreError>().is_some() => return Err(e),
        Err(_) => {}
    }
    if let Some(a) = records.iter().find(|r| r.class == FeatureClass::Admin1) {
        if let Some(r) = from_record(gaz, a.index) {
            return Ok(r);
        }
    }
    if let Some(c) = records
        .iter()
        .filter(|r| r.class != FeatureClass::Country && r.class != FeatureClass::Admin1)
        .max_by_key(|r| (r.population, std::cmp::Reverse(r.geonames_id)))
    {
        if let Some(r) = from_record(gaz, c.index) {
            return Ok(r);
        }
    }
    let stored = store.place_names()?.len();
    Err(UnknownPlace(format!(
        "no place or region named '{q}': searched the {stored} place name(s) of stored events (any spelling, folded as \"{}\") and the GeoNames gazetteer (countries, first-level regions, places); `sitrep events` lists the stored events and their places",
        sitrep_geo::fold::heavy(q)
    ))
    .into())
}

/// Gather everything a briefing of `query` over `from`..`to` needs.
pub fn gather(
    store: &Store,
    gaz: &Gazetteer,
    query: &str,
    from: Option<String>,
    to: Option<String>,
    max_events: usize,
) -> anyhow::Result<Input> {
    if let (Some(f), Some(t)) = (&from, &to) {
        if f > t {
            anyhow::bail!("the period is empty: from {f} is after to {t}");
        }
    }
    let r = resolve(store, gaz, query)?;
    let filter = match r.kind {
        ScopeKind::Place => FusedFilter {
            geonames_ids: Some(r.ids.iter().map(|&i| i64::from(i)).collect()),
            ..FusedFilter::default()
        },
        _ => FusedFilter::default(),
    };
    let events: Vec<sitrep_fuse::FusedEvent> = super::fuse::load(store, &filter)?
        .into_iter()
        .filter(|e| match r.kind {
            ScopeKind::Place => true,
            ScopeKind::Region => e.location.as_ref().is_some_and(|l| {
                l.geonames_id
                    .is_some_and(|g| g == r.ids[0] || gaz.admin1_id_of(g) == Some(r.ids[0]))
            }),
            ScopeKind::Country => e
                .location
                .as_ref()
                .is_some_and(|l| l.country_code.as_deref() == r.country.as_deref()),
        })
        .collect();
    // Control timelines: the place as one (as `sitrep control` does), or
    // each place of a region or country.
    let mut groups: BTreeMap<Option<u32>, Vec<sitrep_fuse::FusedEvent>> = BTreeMap::new();
    for e in &events {
        let key = match r.kind {
            ScopeKind::Place => None,
            _ => e.location.as_ref().and_then(|l| l.geonames_id),
        };
        groups.entry(key).or_default().push(e.clone());
    }
    let mut timelines = Vec::new();
    for (id, evs) in &groups {
        let t = sitrep_fuse::control_timeline(evs);
        if t.changes.is_empty() {
            continue;
        }
        let place = match id {
            None => r.name.clone(),
            Some(_) => evs
                .iter()
                .find_map(|e| e.location.as_ref().map(|l| l.name.clone()))
                .unwrap_or_default(),
        };
        timelines.push(Timeline {
            place,
            geonames_id: id.or(r.ids.first().copied()),
            changes: t.changes,
            periods: t.periods,
        });
    }
    let mut reports = BTreeMap::new();
    for c in events.iter().flat_map(|e| &e.claims) {
        if reports.contains_key(&c.doc) {
            continue;
        }
        let Some(d) = store.document(&c.doc)? else {
            continue;
        };
        let text = store.current_text(&c.doc)?.unwrap_or_default();
        reports.insert(
            c.doc.clone(),
            Report {
                outlet: d.summary.outlet.clone(),
                published: d.summary.published.date.map(|x| x.to_string()),
                url: d.summary.url.clone(),
                text,
            },
        );
    }
    Ok(Input {
        scope: Scope {
            kind: r.kind,
            name: r.name,
            query: query.to_string(),
            geonames_ids: r.ids,
        },
        from,
        to,
        events,
        timelines,
        reports,
        max_events,
    })
}
