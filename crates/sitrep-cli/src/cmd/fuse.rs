//! `sitrep fuse`: fuse the stored events into one record per real-world
//! event (incrementally over the blocks new reports touched, or
//! `--rebuild` from scratch), plus the helpers the fusion commands share:
//! running fusion over the store, resolving place names, loading fused
//! events.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;
use sitrep_fuse::{block_key, diff, fuse, FuseConfig, FusedEvent, Report};
use sitrep_store::{ClaimRow, FusedFilter, FusedRow, LinkRow, LogRow, Store};

use super::Global;

const AFTER_HELP: &str = "\
Fusion runs at the end of every `sitrep ingest` over the blocks (place
cells) the new reports touched; `sitrep fuse` does the same for whatever is
pending, and `sitrep fuse --rebuild` recomputes every fused event from all
stored events. The result depends only on the set of stored events.

Examples:
  sitrep fuse                 fuse what is pending
  sitrep fuse --rebuild       forget every fused event and fuse again
  sitrep events --place 'Abu Kamal'
  sitrep explain F1a2b3c4d5e6f";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Recompute every fused event from all stored events.
    #[arg(long)]
    pub rebuild: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct FuseSummary {
    pub blocks: usize,
    pub events_in: usize,
    pub fused: usize,
    pub changes: usize,
    pub skipped: usize,
    pub seconds: f64,
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let mut store = super::open_existing(&g.db)?;
    let s = fuse_store(&mut store, None, a.rebuild)?;
    if a.json {
        println!("{}", serde_json::to_string(&s)?);
    } else {
        println!(
            "fused {} event(s) into {} record(s) over {} block(s) in {:.2} s ({} change(s) logged, {} not fused)",
            s.events_in, s.fused, s.blocks, s.seconds, s.changes, s.skipped
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Fuse what is pending (or everything with `rebuild`), logging changes
/// under `run`.
pub fn fuse_store(
    store: &mut Store,
    run: Option<i64>,
    rebuild: bool,
) -> anyhow::Result<FuseSummary> {
    let started = Instant::now();
    let cfg = FuseConfig::default();
    if rebuild {
        store.clear_fusion()?;
    }
    let mut touched: BTreeSet<String> = store.take_stale_blocks()?.into_iter().collect();
    let new = store.unblocked_events()?;
    let rows: Vec<(i64, String)> = new
        .iter()
        .map(|(id, e)| (*id, block_key(e, cfg.cell_deg)))
        .collect();
    touched.extend(rows.iter().map(|r| r.1.clone()));
    store.assign_blocks(&rows)?;
    let blocks: Vec<String> = touched.into_iter().collect();
    let mut summary = FuseSummary {
        blocks: blocks.len(),
        ..FuseSummary::default()
    };
    for chunk in blocks.chunks(1000) {
        let inputs = store.fusion_inputs(chunk, true)?;
        let row_of: BTreeMap<String, i64> = inputs
            .iter()
            .map(|i| (i.event.id.clone(), i.event_row))
            .collect();
        let reports: Vec<Report> = inputs
            .into_iter()
            .map(|i| Report {
                doc: i.doc_key,
                outlet: i.outlet,
                published: i.published,
                duplicate_of: i.duplicate_of,
                canonical_outlet: i.canonical_outlet,
                event: i.event,
                evidence_text: i.evidence_text,
            })
            .collect();
        summary.events_in += reports.len();
        let old = store.fused_members_of_blocks(chunk)?;
        let fused = fuse(&reports, &cfg)?;
        let all: Vec<FusedEvent> = fused
            .iter()
            .flat_map(|b| b.events.iter().cloned())
            .collect();
        let block_of: BTreeMap<&str, &str> = all
            .iter()
            .map(|e| (e.id.as_str(), e.block.as_str()))
            .collect();
        let mut log: Vec<LogRow> = diff(&old, &all)
            .into_iter()
            .map(|c| LogRow {
                run_id: run,
                at: String::new(),
                block: block_of
                    .get(c.fused.as_str())
                    .map_or_else(String::new, |b| b.to_string()),
                fused_key: Some(c.fused),
                action: c.action,
                detail: c.detail,
            })
            .collect();
        summary.changes += log.len();
        for b in &fused {
            for s in &b.skipped {
                summary.skipped += 1;
                log.push(LogRow {
                    run_id: run,
                    at: String::new(),
                    block: b.block.clone(),
                    fused_key: None,
                    action: "skipped".into(),
                    detail: format!("{}: {}", s.event, s.reason),
                });
            }
        }
        // Only log skips that are new, so that re-runs stay quiet.
        let rows: Vec<FusedRow> = all
            .iter()
            .map(|e| to_row(e, &row_of))
            .collect::<anyhow::Result<_>>()?;
        summary.fused += rows.len();
        store.replace_fusion(chunk, &rows, &log)?;
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

fn to_row(e: &FusedEvent, row_of: &BTreeMap<String, i64>) -> anyhow::Result<FusedRow> {
    let row = |k: &str| row_of.get(k).copied().unwrap_or(0);
    let mut members: Vec<(i64, String)> = e
        .members
        .iter()
        .map(|m| (row(&m.event), "member".to_string()))
        .collect();
    for c in e.claims.iter().filter(|c| c.field == "denial") {
        members.push((row(&c.event), "denial".into()));
    }
    let claims = e
        .claims
        .iter()
        .map(|c| {
            Ok(ClaimRow {
                event_row: row(&c.event),
                field: c.field.clone(),
                value: serde_json::to_string(&c.value)?,
                text: c.text.clone(),
                source: c.source.clone(),
                chain: c.chain.join(" ← "),
                repeat_of: c.repeat_of.clone(),
                evidence: serde_json::to_string(&c.evidence)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let links = e
        .links
        .iter()
        .map(|l| {
            Ok(LinkRow {
                a: l.a.clone(),
                b: l.b.clone(),
                score: l.score,
                decision: l.decision.clone(),
                parts: serde_json::to_string(&l.parts)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut actors: Vec<String> = Vec::new();
    for c in e
        .claims
        .iter()
        .filter(|c| c.field == "actor1" || c.field == "actor2")
    {
        for k in ["name", "id"] {
            if let Some(s) = c.value.get(k).and_then(|v| v.as_str()) {
                actors.push(s.to_lowercase());
            }
        }
    }
    actors.sort();
    actors.dedup();
    let loc = e.location.as_ref();
    let f = e.fatalities.as_ref();
    Ok(FusedRow {
        key: e.id.clone(),
        block: e.block.clone(),
        event_type: e.event_type.as_str().into(),
        sub_event_type: e.sub_event_type.as_str().into(),
        date_start: e.date.start.clone(),
        date_end: e.date.end.clone(),
        date_precision: e.date.precision.clone(),
        location_name: loc.map(|l| l.name.clone()),
        geonames_id: loc.and_then(|l| l.geonames_id).map(i64::from),
        lat: loc.and_then(|l| l.lat),
        lon: loc.and_then(|l| l.lon),
        country_code: loc.and_then(|l| l.country_code.clone()),
        n_reports: e.members.len() as i64,
        n_sources: e.sources.len() as i64,
        fatalities: (
            f.and_then(|r| r.low),
            f.and_then(|r| r.best),
            f.and_then(|r| r.high),
        ),
        confidence: e.confidence,
        flags: serde_json::to_string(&e.flags)?,
        actors: actors.join("|"),
        record: serde_json::to_string(e)?,
        members,
        claims,
        links,
    })
}

/// A place resolved from what the user typed.
pub struct Place {
    pub label: String,
    pub geonames_ids: Vec<i64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// Resolve a place name (any spelling the stored events use, folded) or a
/// GeoNames id against the places stored events name.
pub fn resolve_place(store: &Store, q: &str) -> anyhow::Result<Place> {
    let places = store.place_names()?;
    if let Ok(id) = q.trim().parse::<i64>() {
        let p = places.iter().find(|p| p.geonames_id == Some(id));
        return Ok(Place {
            label: p.map_or_else(
                || format!("GeoNames {id}"),
                |p| format!("{} (GeoNames {id})", p.name),
            ),
            geonames_ids: vec![id],
            lat: p.and_then(|p| p.lat),
            lon: p.and_then(|p| p.lon),
        });
    }
    let hq = sitrep_geo::fold::heavy(q);
    let lq = sitrep_geo::fold::light(q);
    if hq.is_empty() {
        anyhow::bail!("'{q}' is not a place name");
    }
    let names_of = |p: &sitrep_store::PlaceName| {
        std::iter::once(p.name.clone())
            .chain(p.written.iter().cloned())
            .collect::<Vec<_>>()
    };
    let exact: Vec<&sitrep_store::PlaceName> = places
        .iter()
        .filter(|p| {
            names_of(p)
                .iter()
                .any(|n| sitrep_geo::fold::light(n) == lq || sitrep_geo::fold::heavy(n) == hq)
        })
        .collect();
    // "Abu Kamal" / "Bukamal": an article or "a" glued to the name.
    let loose = |a: &str, b: &str| a.strip_prefix('a') == Some(b) || b.strip_prefix('a') == Some(a);
    let found: Vec<&sitrep_store::PlaceName> = if exact.is_empty() {
        places
            .iter()
            .filter(|p| {
                names_of(p)
                    .iter()
                    .any(|n| loose(&sitrep_geo::fold::heavy(n), &hq))
            })
            .collect()
    } else {
        exact
    };
    let mut ids: Vec<i64> = found.iter().filter_map(|p| p.geonames_id).collect();
    ids.sort();
    ids.dedup();
    let Some(first) = found.first() else {
        let mut near: Vec<String> = places
            .iter()
            .filter(|p| {
                let h = sitrep_geo::fold::heavy(&p.name);
                hq.get(..3).is_some_and(|x| h.contains(x))
            })
            .map(|p| p.name.clone())
            .collect();
        near.dedup();
        near.truncate(5);
        anyhow::bail!(
            "no stored event names a place like '{q}'{}; `sitrep events` lists what is there",
            if near.is_empty() {
                String::new()
            } else {
                format!(" (did you mean: {}?)", near.join(", "))
            }
        );
    };
    if ids.is_empty() {
        anyhow::bail!("'{q}' is named by stored events but has no GeoNames id; try --bbox");
    }
    let label = format!(
        "{} (GeoNames {})",
        first.name,
        ids.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(Place {
        label,
        geonames_ids: ids,
        lat: first.lat,
        lon: first.lon,
    })
}

/// Fused events matching a filter, parsed.
pub fn load(store: &Store, f: &FusedFilter) -> anyhow::Result<Vec<FusedEvent>> {
    store
        .fused_events(f)?
        .iter()
        .map(|r| serde_json::from_str(r).map_err(anyhow::Error::from))
        .collect()
}

/// `2017-11-09` or `2017-11-01..2017-11-10`, with the precision.
pub fn date_label(e: &FusedEvent) -> String {
    let d = &e.date;
    let core = match (&d.start, &d.end) {
        (Some(s), Some(t)) if s == t => s.clone(),
        (Some(s), Some(t)) => format!("{s}..{t}"),
        (Some(s), None) => s.clone(),
        _ => "undated".into(),
    };
    let p = match d.precision.as_str() {
        "day" => String::new(),
        "part-of-day" if d.late => " night".into(),
        "report" => " (reported by)".into(),
        other => format!(" ({other})"),
    };
    format!("{core}{p}")
}

/// `low–high (best B)` for a reconciled figure.
pub fn figure_label(r: &sitrep_fuse::Reconciled) -> String {
    let f = |x: Option<f64>| x.map_or("?".to_string(), |v| format!("{v}"));
    let hi = r.high.map_or("open".to_string(), |v| format!("{v}"));
    format!(
        "low {} · best {} · high {} from {} source(s){}",
        f(r.low),
        f(r.best),
        hi,
        r.sources,
        if r.contradiction {
            " — sources disagree"
        } else {
            ""
        }
    )
}

/// The claims of one figure field, per source, for display.
pub fn per_source(r: &sitrep_fuse::Reconciled) -> String {
    r.by_source
        .iter()
        .map(|s| {
            format!(
                "{}: \"{}\"{}",
                s.source.trim_start_matches("outlet:"),
                s.text,
                if s.reports > 1 {
                    format!(" ×{}", s.reports)
                } else {
                    String::new()
                }
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
