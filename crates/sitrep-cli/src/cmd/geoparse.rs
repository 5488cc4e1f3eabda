//! `sitrep geoparse`: the places (resolved against GeoNames) and actors
//! named in each document, as JSON Lines. See docs/formats.md, "Places and
//! actors".

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use serde_json::{json, Map, Value};
use sitrep_core::place::PlacesAndActors;
use sitrep_core::{CharIndex, Document, Span};
use sitrep_geo::{GeoParser, GeoparseOptions};
use sitrep_read::ReadOptions;

use super::{input, Global};

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default)]
pub enum Format {
    #[default]
    Jsonl,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files, folders or `-` for stdin.
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Leave out actor mentions.
    #[arg(long)]
    pub no_actors: bool,
    /// Drop toponyms whose resolution scores below this (0..1).
    #[arg(long, default_value_t = 0.0)]
    pub min_score: f64,
    /// Directory with gazetteer.bin.lz4, actors.toml and place-aliases.toml.
    #[arg(long, env = "SITREP_DATA")]
    pub data: Option<PathBuf>,
}

/// Load the geoparser from `--data`, `$SITREP_DATA` or the repository's data/.
pub fn load_parser(data: Option<&PathBuf>, quiet: bool) -> anyhow::Result<GeoParser> {
    let dir = data.cloned().unwrap_or_else(sitrep_geo::default_data_dir);
    let ctx = || {
        format!(
            "loading the gazetteer and actor knowledge base from {} (build the gazetteer with scripts/build-gazetteer.sh)",
            dir.display()
        )
    };
    let t = Instant::now();
    let gaz = sitrep_geo::Gazetteer::open(&dir.join("gazetteer.bin.lz4")).with_context(ctx)?;
    let gaz_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let kb = match std::fs::read_to_string(dir.join("actors.toml")) {
        Ok(text) => sitrep_geo::ActorKb::from_toml(&text),
        Err(_) => sitrep_geo::ActorKb::builtin(),
    }
    .with_context(ctx)?;
    let kb_ms = t.elapsed().as_secs_f64() * 1e3;
    let p = GeoParser::new(gaz, kb);
    if !quiet {
        eprintln!(
            "gazetteer: {} records loaded in {gaz_ms:.1} ms; actor knowledge base v{} with {} actors compiled in {kb_ms:.1} ms",
            p.gazetteer.len(),
            p.kb.version,
            p.kb.actors.len()
        );
    }
    Ok(p)
}

fn offsets(ci: &CharIndex, span: Span) -> (usize, usize) {
    (ci.char_offset(span.start), ci.char_offset(span.end))
}

/// The JSON object for one document.
pub fn to_json(doc: &Document, r: &PlacesAndActors) -> Value {
    let ci = CharIndex::new(&doc.text);
    let toponyms: Vec<Value> = r
        .toponyms
        .iter()
        .map(|t| {
            let (s, e) = offsets(&ci, t.span);
            let mut o = Map::new();
            o.insert("start".into(), json!(s));
            o.insert("end".into(), json!(e));
            o.insert("byte_start".into(), json!(t.span.start));
            o.insert("byte_end".into(), json!(t.span.end));
            o.insert("text".into(), json!(t.text));
            if let Some(p) = &t.place {
                o.insert("geonames_id".into(), json!(p.geonames_id));
                o.insert("name".into(), json!(p.name));
                o.insert("lat".into(), json!(p.lat));
                o.insert("lon".into(), json!(p.lon));
                o.insert("country_code".into(), json!(p.country_code));
                o.insert("admin1".into(), json!(p.admin1));
                o.insert("feature_class".into(), json!(p.feature_class));
                o.insert("feature_code".into(), json!(p.feature_code));
                o.insert("population".into(), json!(p.population));
            } else {
                o.insert("geonames_id".into(), Value::Null);
            }
            o.insert("score".into(), json!(t.score));
            o.insert("precision".into(), json!(t.precision));
            if let Some(rel) = &t.relative {
                let (cs, ce) = offsets(&ci, rel.cue_span);
                let mut m = Map::new();
                m.insert("cue".into(), json!(rel.cue));
                m.insert("start".into(), json!(cs));
                m.insert("end".into(), json!(ce));
                if let Some(d) = rel.distance_km {
                    m.insert("distance_km".into(), json!(d));
                }
                if let Some(d) = &rel.direction {
                    m.insert("direction".into(), json!(d));
                }
                o.insert("relative".into(), Value::Object(m));
            }
            o.insert("candidates".into(), json!(t.candidates));
            Value::Object(o)
        })
        .collect();
    let demonyms: Vec<Value> = r
        .demonyms
        .iter()
        .map(|d| {
            let (s, e) = offsets(&ci, d.span);
            json!({"start": s, "end": e, "byte_start": d.span.start, "byte_end": d.span.end,
                   "text": d.text, "country_code": d.country_code})
        })
        .collect();
    let actors: Vec<Value> = r
        .actors
        .iter()
        .map(|a| {
            let (s, e) = offsets(&ci, a.span);
            json!({"start": s, "end": e, "byte_start": a.span.start, "byte_end": a.span.end,
                   "text": a.text, "actor_id": a.actor_id, "name": a.name, "kind": a.kind,
                   "country_code": a.country_code, "match": a.matched})
        })
        .collect();
    let unresolved = r.actors.iter().filter(|a| a.actor_id.is_none()).count();
    json!({
        "key": doc.key,
        "origin": doc.origin,
        "country_context": r.country_context,
        "toponyms": toponyms,
        "demonyms": demonyms,
        "actors": actors,
        "unresolved_actors": unresolved,
    })
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let parser = load_parser(a.data.as_ref(), g.quiet)?;
    let opts = GeoparseOptions {
        actors: !a.no_actors,
        min_score: a.min_score,
    };
    let docs = input::load(&a.files, &ReadOptions::default());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    for d in docs {
        match d {
            Ok(doc) => {
                let r = parser.parse(&doc, &opts);
                let mut v = to_json(&doc, &r);
                if a.no_actors {
                    if let Some(o) = v.as_object_mut() {
                        o.remove("actors");
                        o.remove("unresolved_actors");
                    }
                }
                serde_json::to_writer(&mut out, &v)?;
                out.write_all(b"\n")?;
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
