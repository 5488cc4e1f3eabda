//! `sitrep annotate`: sentences, quantities, time expressions, attribution
//! and modality as JSON Lines, one object per document.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use serde_json::{json, Map, Value};
use sitrep_annotate::Annotator;
use sitrep_core::annotation::Annotations;
use sitrep_core::{CharIndex, DateOrigin, Document, PublishedDate, Span};
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
    /// Publication date for every document (anchors relative dates).
    #[arg(long)]
    pub published: Option<String>,
    /// A meta.jsonl with `file`, `published`, `outlet`, `url` per document.
    #[arg(long)]
    pub meta: Option<PathBuf>,
}

#[derive(Default)]
struct Meta {
    published: Option<String>,
    outlet: Option<String>,
    url: Option<String>,
}

fn read_meta(p: &Path) -> anyhow::Result<HashMap<String, Meta>> {
    let s = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
    let mut out = HashMap::new();
    for (n, line) in s.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a JSON object", p.display(), n + 1))?;
        let get = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let Some(file) = get("file") else { continue };
        out.insert(
            file,
            Meta {
                published: get("published"),
                outlet: get("outlet"),
                url: get("url"),
            },
        );
    }
    Ok(out)
}

fn apply_meta(doc: &mut Document, metas: &HashMap<String, Meta>, flag: bool) {
    let name = Path::new(&doc.origin)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let Some(m) = metas.get(name) else { return };
    if let Some(o) = &m.outlet {
        doc.meta.outlet = Some(o.clone());
        doc.outlet = Some(o.clone());
    }
    if let Some(u) = &m.url {
        doc.meta.url = Some(u.clone());
    }
    if let (Some(p), false) = (&m.published, flag) {
        if let Some(d) = PublishedDate::parse_supplied(p, DateOrigin::Sidecar) {
            doc.meta.published = Some(p.clone());
            doc.published = d;
        }
    }
}

/// Span as JSON: code point and byte offsets plus the text.
fn span_json(text: &str, ci: &CharIndex, s: Span) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("start".into(), json!(ci.char_offset(s.start)));
    m.insert("end".into(), json!(ci.char_offset(s.end)));
    m.insert("byte_start".into(), json!(s.start));
    m.insert("byte_end".into(), json!(s.end));
    m.insert("text".into(), json!(s.slice(text)));
    m
}

/// Replace every `{"start": b, "end": b}` span object inside a serialised
/// mention by its full span JSON.
fn expand_spans(v: Value, text: &str, ci: &CharIndex) -> Value {
    match v {
        Value::Object(o) => {
            if o.len() == 2 {
                if let (Some(s), Some(e)) = (
                    o.get("start").and_then(Value::as_u64),
                    o.get("end").and_then(Value::as_u64),
                ) {
                    return Value::Object(span_json(
                        text,
                        ci,
                        Span::new(s as usize, (e as usize).max(s as usize)),
                    ));
                }
            }
            Value::Object(
                o.into_iter()
                    .map(|(k, v)| (k, expand_spans(v, text, ci)))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.into_iter().map(|v| expand_spans(v, text, ci)).collect()),
        other => other,
    }
}

/// One mention object: kind, the main span flattened, the rest as fields.
fn mention(kind: &str, main: &str, v: Value, text: &str, ci: &CharIndex) -> Value {
    let v = expand_spans(v, text, ci);
    let mut out = Map::new();
    out.insert("kind".into(), json!(kind));
    if let Value::Object(mut o) = v {
        if let Some(Value::Object(sp)) = o.remove(main) {
            out.extend(sp);
        }
        out.extend(o);
    }
    Value::Object(out)
}

/// The JSON object for one annotated document.
pub fn document_json(doc: &Document, ann: &Annotations) -> Value {
    let text = &doc.text;
    let ci = CharIndex::new(text);
    let mut mentions = Vec::new();
    for s in &ann.sentences {
        mentions.push(mention("sentence", "span", to(s), text, &ci));
    }
    for q in &ann.quantities {
        mentions.push(mention("quantity", "span", to(q), text, &ci));
    }
    for t in &ann.timexes {
        mentions.push(mention("timex", "span", to(t), text, &ci));
    }
    for a in &ann.attributions {
        mentions.push(mention("attribution", "trigger", to(a), text, &ci));
    }
    for m in &ann.modalities {
        mentions.push(mention("modality", "trigger", to(m), text, &ci));
    }
    let diags: Vec<Value> = doc
        .diagnostics
        .iter()
        .chain(ann.diagnostics.iter())
        .map(|d| expand_spans(serde_json::to_value(d).unwrap_or(Value::Null), text, &ci))
        .collect();
    json!({
        "key": doc.key,
        "origin": doc.origin,
        "published": doc.published.date.map(|d| d.format("%Y-%m-%d").to_string()),
        "outlet": doc.outlet.as_ref().or(doc.meta.outlet.as_ref()),
        "mentions": mentions,
        "diagnostics": diags,
    })
}

fn to<T: serde::Serialize>(x: &T) -> Value {
    serde_json::to_value(x).unwrap_or(Value::Null)
}

pub fn run(_g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let metas = match &a.meta {
        Some(p) => read_meta(p)?,
        None => HashMap::new(),
    };
    let opts = ReadOptions {
        published: a.published.clone(),
        ..ReadOptions::default()
    };
    let docs = input::load(&a.files, &opts);
    let annotator = Annotator::new();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    for d in docs {
        match d {
            Ok(mut doc) => {
                apply_meta(&mut doc, &metas, a.published.is_some());
                let ann = annotator.annotate(&doc);
                let v = document_json(&doc, &ann);
                serde_json::to_writer(&mut out, &v)?;
                out.write_all(b"\n")?;
            }
            Err(e) => {
                eprintln!("{e}");
                failed = true;
            }
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
