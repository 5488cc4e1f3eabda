//! `sitrep event ID`: one fused event in full, with every claim, who makes
//! it and the evidence sentences.

use std::collections::BTreeMap;
use std::process::ExitCode;

use sitrep_fuse::FusedEvent;

use super::fuse::{date_label, figure_label, per_source};
use super::Global;

const AFTER_HELP: &str = "\
ID is a fused event id (F + 12 hex digits, as listed by `sitrep events`;
a unique prefix will do) or an extracted event id (DOCID#eN).

Examples:
  sitrep event F1a2b3c4d5e6f
  sitrep event F1a2b3 --json";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Fused event id (or an extracted event id).
    pub id: String,
    /// The full record as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Find a fused event by fused id, prefix, or member event id.
pub fn find(store: &sitrep_store::Store, id: &str) -> anyhow::Result<FusedEvent> {
    let rec = match store.fused_event(id)? {
        Some(r) => Some(r),
        None => match store.fused_key_of_event(id)? {
            Some(k) => store.fused_event(&k)?,
            None => None,
        },
    };
    match rec {
        Some(r) => Ok(serde_json::from_str(&r)?),
        None => anyhow::bail!(
            "no fused event '{id}': `sitrep events` lists them (run `sitrep fuse` if the list is empty)"
        ),
    }
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let store = super::open_existing(&g.db)?;
    let e = find(&store, &a.id)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&e)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}  {} / {}",
        e.id,
        e.event_type.as_str(),
        e.sub_event_type.as_str()
    );
    println!("  date:       {}", date_label(&e));
    if let Some(l) = &e.location {
        println!(
            "  place:      {}{} ({})",
            l.name,
            l.geonames_id
                .map_or(String::new(), |g| format!(" (GeoNames {g})")),
            l.precision
        );
    }
    for (k, a) in [("actor1", &e.actor1), ("actor2", &e.actor2)] {
        if let Some(a) = a {
            println!("  {k}:     {}", a.name);
        }
    }
    if let Some((x, p)) = &e.extent {
        println!("  extent:     {x} (\"{p}\")");
    }
    println!(
        "  confidence: {:.2}; independent sources: {}",
        e.confidence,
        e.sources.join(", ")
    );
    if let Some(f) = &e.fatalities {
        println!("  killed:     {}", figure_label(f));
        println!("              {}", per_source(f));
    }
    for (who, r) in &e.fatalities_by_actor {
        println!("  killed ({who}): {} — {}", figure_label(r), per_source(r));
    }
    for f in &e.flags {
        println!("  ! {}: {}", f.kind, f.detail);
    }
    println!("Reports:");
    for m in &e.members {
        println!(
            "  {} ({}{}, published {}){}",
            m.event,
            m.outlet.as_deref().unwrap_or("unknown outlet"),
            m.repeat_of
                .as_ref()
                .map_or(String::new(), |r| format!(", copy of {r}")),
            m.published.as_deref().unwrap_or("?"),
            if m.sub_event_type != e.sub_event_type {
                format!(" coded {}", m.sub_event_type.as_str())
            } else {
                String::new()
            }
        );
    }
    println!("Claims:");
    let mut texts: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut shown_evidence: std::collections::BTreeSet<String> = Default::default();
    for c in &e.claims {
        let value = match &c.value {
            serde_json::Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        println!(
            "  {:<12} {}{}   — {}",
            c.field,
            value,
            c.text
                .as_ref()
                .map_or(String::new(), |t| format!(" (\"{t}\")")),
            c.chain.join(" ← ")
        );
        if !shown_evidence.insert(c.event.clone()) {
            continue;
        }
        if !texts.contains_key(&c.doc) {
            texts.insert(c.doc.clone(), store.current_text(&c.doc)?);
        }
        if let Some(Some(t)) = texts.get(&c.doc) {
            for ev in &c.evidence {
                if let Some(s) = t.get(ev.byte_start..ev.byte_end) {
                    println!("      > {}  [{} {}..{}]", s.trim(), c.doc, ev.start, ev.end);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
