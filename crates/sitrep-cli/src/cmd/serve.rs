//! `sitrep serve`: the HTTP API and the web map over the database.
//!
//! The server crate knows only the store; this command plugs the pipeline
//! in: ingest (read → clean → extract → store → fuse), control
//! timelines (fusion) and briefings (`sitrep brief`), as hooks.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use sitrep_read::ReadOptions;
use sitrep_server::limits::Rate;
use sitrep_server::{BriefingQuery, Config, HookError, Hooks, RenderedBriefing};
use sitrep_store::{FusedFilter, Store};

use super::ingest::{pipeline, Progress};
use super::pipeline::Pipeline;
use super::{input, Global};

const AFTER_HELP: &str = "\
Serves the web map at / and the JSON API under /api (described at
/openapi.json; see docs/api.md). Read-only unless --ingest-token is given:
then POST /api/ingest with `Authorization: Bearer TOKEN` and a body of JSON
Lines reports runs the same read, clean, extract, store and fuse steps as
`sitrep ingest`. The token can also come from SITREP_INGEST_TOKEN.

Limits (see docs/api.md, \"Limits and security\"): bodies over --max-body-mib
get 413, requests over --timeout-secs get 408, a client that takes more than
--header-timeout-secs to send its headers (or idles that long between
requests) is disconnected, at most --max-connections are open at once, and
POST /api/ingest is rate-limited per client address (IPv6: per /64) and for
all clients together, answering 429 with Retry-After. Errors are JSON
without internal details. No CORS headers are sent unless --cors-origin.

Examples:
  sitrep serve                                  http://127.0.0.1:8080/
  sitrep serve --addr 127.0.0.1:0               any free port (printed)
  sitrep serve --ingest-token \"$(openssl rand -hex 16)\"
  sitrep serve --ingest-token \"$TOKEN\" --ingest-rate 6 --ingest-burst 2
  sitrep serve --cors-origin https://dashboard.example.org";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Accept POST /api/ingest with this bearer token.
    #[arg(long, env = "SITREP_INGEST_TOKEN", hide_env_values = true)]
    pub ingest_token: Option<String>,
    /// Allow browser calls from this origin (CORS); off by default.
    #[arg(long, value_name = "ORIGIN")]
    pub cors_origin: Option<String>,
    /// Largest request body in MiB.
    #[arg(long, default_value_t = 16)]
    pub max_body_mib: usize,
    /// Longest time a request may take, in seconds.
    #[arg(long, default_value_t = 120)]
    pub timeout_secs: u64,
    /// Longest time a client may take to send request headers (and to idle
    /// between requests), in seconds.
    #[arg(long, default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Most connections open at once.
    #[arg(long, default_value_t = 512)]
    pub max_connections: usize,
    /// Ingest requests per minute per client address; 0 for no limit.
    #[arg(long, default_value_t = 30, value_name = "PER_MINUTE")]
    pub ingest_rate: u32,
    /// Ingest requests a client may send at once before the rate applies.
    #[arg(long, default_value_t = 10)]
    pub ingest_burst: u32,
    /// Ingest requests per minute for all clients together; 0 for no limit.
    #[arg(long, default_value_t = 120, value_name = "PER_MINUTE")]
    pub ingest_global_rate: u32,
    /// Ingest requests all clients together may send at once.
    #[arg(long, default_value_t = 20)]
    pub ingest_global_burst: u32,
    /// Directory of the actor knowledge base and gazetteer (as for ingest).
    #[arg(long, hide = true)]
    pub data: Option<std::path::PathBuf>,
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    // Fail early with the usual message when there is no database.
    drop(super::open_existing(&g.db)?);
    if let Some(t) = &a.ingest_token {
        if t.trim().len() < 8 {
            anyhow::bail!("--ingest-token must have at least 8 characters");
        }
    }
    let mut hooks = Hooks {
        control: Some(Arc::new(control_hook)),
        ..Hooks::default()
    };
    // Briefings resolve places through the gazetteer; without it the
    // endpoint answers 501 and the rest still works.
    match super::brief::load_gazetteer(a.data.as_deref()) {
        Ok(g) => {
            let g = Arc::new(g);
            hooks.briefing = Some(Arc::new(move |store: &Store, q: &BriefingQuery| {
                briefing_hook(store, q, &g)
            }));
        }
        Err(e) => eprintln!("warning: briefings are off: {e:#}"),
    }
    if a.ingest_token.is_some() {
        let analysis = Arc::new(Pipeline::load(a.data.as_deref())?);
        hooks.ingest = Some(Arc::new(move |store: &mut Store, body: &[u8]| {
            ingest_hook(store, body, &analysis)
        }));
    }
    let cfg = Config {
        db: g.db.clone(),
        ingest_token: a.ingest_token.clone(),
        cors_origin: a.cors_origin.clone(),
        body_limit: a.max_body_mib.max(1) * 1024 * 1024,
        timeout: Duration::from_secs(a.timeout_secs.max(1)),
        header_timeout: Duration::from_secs(a.header_timeout_secs.max(1)),
        max_connections: a.max_connections.max(1),
        ingest_rate: Rate {
            per_minute: a.ingest_rate,
            burst: a.ingest_burst,
        },
        ingest_global_rate: Rate {
            per_minute: a.ingest_global_rate,
            burst: a.ingest_global_burst,
        },
        ..Config::new(g.db.clone())
    };
    let read_only = cfg.ingest_token.is_none();
    sitrep_server::http::run(cfg, hooks, &a.addr, |addr| {
        println!(
            "sitrep serving {} at http://{addr}/ ({}); Ctrl-C stops",
            g.db_name(),
            if read_only {
                "read-only"
            } else {
                "ingest enabled"
            }
        );
        let _ = std::io::stdout().flush();
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The control timeline of a place, from the fused territorial events.
fn control_hook(store: &Store, place: &str) -> Result<Option<Value>, HookError> {
    let p = match super::fuse::resolve_place(store, place) {
        Ok(p) => p,
        Err(e) if e.downcast_ref::<sitrep_store::StoreError>().is_some() => {
            return Err(HookError::internal(format!("{e:#}")))
        }
        Err(_) => return Ok(None),
    };
    let events = super::fuse::load(
        store,
        &FusedFilter {
            geonames_ids: Some(p.geonames_ids.clone()),
            ..FusedFilter::default()
        },
    )
    .map_err(|e| HookError::internal(format!("{e:#}")))?;
    if events.is_empty()
        && store.place_names().map_or(true, |v| {
            !v.iter()
                .any(|n| n.geonames_id.is_some_and(|g| p.geonames_ids.contains(&g)))
        })
    {
        return Ok(None);
    }
    let t = sitrep_fuse::control_timeline(&events);
    Ok(Some(json!({
        "place": p.label,
        "geonames_ids": p.geonames_ids,
        "lat": p.lat,
        "lon": p.lon,
        "periods": t.periods,
        "changes": t.changes,
    })))
}

/// A briefing of a place or region (`sitrep brief`), in its three forms.
fn briefing_hook(
    store: &Store,
    q: &BriefingQuery,
    gazetteer: &sitrep_geo::Gazetteer,
) -> Result<RenderedBriefing, HookError> {
    let input = super::brief::gather(
        store,
        gazetteer,
        &q.place,
        q.from.clone(),
        q.to.clone(),
        q.max_events,
    )
    .map_err(|e| match e.downcast_ref::<super::brief::UnknownPlace>() {
        Some(u) => HookError::not_found(u.to_string()),
        None => HookError::internal(format!("{e:#}")),
    })?;
    let b = sitrep_brief::compose(&input);
    Ok(RenderedBriefing {
        json: serde_json::to_value(&b).map_err(|e| HookError::internal(e.to_string()))?,
        markdown: sitrep_brief::render::markdown(&b),
        html: sitrep_brief::render::html(&b),
    })
}

/// Store a body of JSON Lines reports through the whole pipeline, then
/// fuse what they touched.
fn ingest_hook(store: &mut Store, body: &[u8], analysis: &Pipeline) -> Result<Value, HookError> {
    let internal = |e: anyhow::Error| HookError::internal(format!("{e:#}"));
    let dir = tempfile::Builder::new()
        .prefix("sitrep-serve-")
        .tempdir()
        .map_err(|e| internal(e.into()))?;
    let path = dir.path().join("upload.jsonl");
    std::fs::write(&path, body).map_err(|e| internal(e.into()))?;
    store.set_near_dup_threshold(sitrep_clean::DUPLICATE_THRESHOLD);
    let run = store
        .begin_run("sitrep serve: POST /api/ingest")
        .map_err(|e| internal(e.into()))?;
    let flow = pipeline(
        Some((store, run)),
        &input::inputs(&[path]),
        &ReadOptions::default(),
        500,
        &Progress::new(true),
        Some(analysis),
    );
    let flow = match flow {
        Ok(f) => f,
        Err(e) => {
            let _ = store.finish_run(run, "failed");
            return Err(internal(e));
        }
    };
    let fusion = super::fuse::fuse_store(store, Some(run), false);
    let status = if fusion.is_ok() { "done" } else { "failed" };
    store
        .finish_run(run, status)
        .map_err(|e| internal(e.into()))?;
    let fusion = fusion.map_err(internal)?;
    let errors: Vec<Value> = flow
        .errors
        .iter()
        .map(|e| json!({"origin": e.origin.rsplit(':').next().map(|l| format!("line {l}")), "message": e.message}))
        .collect();
    Ok(json!({
        "run": run,
        "new": flow.totals.new,
        "unchanged": flow.totals.unchanged,
        "new_versions": flow.totals.new_versions,
        "near_duplicates": flow.totals.near_duplicates,
        "errors": errors,
        "events": flow.events,
        "fused": fusion.fused,
    }))
}
