//! `sitrep._native`: the Rust side of the Python package (`python/sitrep`).
//!
//! Every function takes plain Python values or Arrow record batches, releases
//! the GIL while it works, and returns JSON text (parsed by the Python layer)
//! or a record batch. The per-document path is `sitrep-pipeline`'s, the one
//! `sitrep extract` runs, so a document gives the same JSON in both.
//!
//! The gazetteer and matchers load once per process and data folder, on first
//! use ([`engine`]).

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_pyarrow::PyArrowType;
use arrow_schema::{DataType, Field, Schema};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use rayon::prelude::*;
use serde_json::{Map, Value};
use sitrep_core::event::Event;
use sitrep_fuse::{block_key as fuse_block_key, FuseConfig, FusedEvent, Report};
use sitrep_pipeline::{Analysis, Pipeline};

pyo3::create_exception!(
    _native,
    DataError,
    PyRuntimeError,
    "The gazetteer and actor knowledge base could not be loaded."
);

/// The loaded stages, shared by every call with the same data folder.
struct Engine {
    pipeline: Pipeline,
    cleaner: sitrep_clean::Cleaner,
}

type Engines = Mutex<HashMap<PathBuf, Arc<Engine>>>;

/// The engine for `dir`, loaded on first use and kept for the process.
fn engine(dir: &Path) -> Result<Arc<Engine>, String> {
    static ENGINES: OnceLock<Engines> = OnceLock::new();
    let mut map = ENGINES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(e) = map.get(dir) {
        return Ok(e.clone());
    }
    let pipeline = Pipeline::load(Some(dir)).map_err(|e| {
        format!(
            "{e}: {}; set SITREP_DATA to the folder that holds gazetteer.bin.lz4 and actors.toml",
            e.source
        )
    })?;
    let e = Arc::new(Engine {
        pipeline,
        cleaner: sitrep_clean::Cleaner::new(),
    });
    map.insert(dir.to_path_buf(), e.clone());
    Ok(e)
}

fn loaded(py: Python<'_>, dir: &str) -> PyResult<Arc<Engine>> {
    let dir = PathBuf::from(dir);
    py.detach(|| engine(&dir)).map_err(DataError::new_err)
}

/// The fields of one report, as a JSON Lines record would give them.
#[derive(Default)]
struct Record {
    id: Option<String>,
    title: Option<String>,
    text: Option<String>,
    html: Option<String>,
    outlet: Option<String>,
    published: Option<String>,
    url: Option<String>,
}

impl Record {
    /// The record as the JSON object `sitrep-read` takes. Without an `id`,
    /// the key is `doc-` and 12 hex digits of the BLAKE3 hash of the text,
    /// so the same text always gets the same event ids.
    fn into_object(self) -> Map<String, Value> {
        let mut m = Map::new();
        let body = self.text.as_deref().or(self.html.as_deref()).unwrap_or("");
        let id = self.id.unwrap_or_else(|| {
            let h = blake3::hash(body.as_bytes()).to_hex();
            format!("doc-{}", &h[..12])
        });
        m.insert("id".into(), Value::String(id));
        for (k, v) in [
            ("title", self.title),
            ("text", self.text),
            ("html", self.html),
            ("outlet", self.outlet),
            ("published", self.published),
            ("url", self.url),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), Value::String(v));
            }
        }
        m
    }
}

/// Read, clean and analyse one record, as `sitrep extract` does a line of a
/// JSON Lines file.
fn analyse(
    engine: &Engine,
    rec: Record,
    origin: &str,
) -> Result<(sitrep_core::Document, Analysis), String> {
    let opts = sitrep_read::ReadOptions::default();
    let mut doc = sitrep_read::document_from_record(rec.into_object(), origin, &opts)
        .map_err(|e| e.to_string())?;
    engine.cleaner.clean(&mut doc);
    let analysis = engine.pipeline.analyse(&doc);
    Ok((doc, analysis))
}

/// Extract the events of one report; returns the `sitrep extract` JSON line.
#[pyfunction]
#[pyo3(signature = (data_dir, text=None, html=None, published=None, outlet=None, title=None, id=None, url=None))]
#[allow(clippy::too_many_arguments)]
fn extract(
    py: Python<'_>,
    data_dir: &str,
    text: Option<String>,
    html: Option<String>,
    published: Option<String>,
    outlet: Option<String>,
    title: Option<String>,
    id: Option<String>,
    url: Option<String>,
) -> PyResult<String> {
    if text.is_none() && html.is_none() {
        return Err(PyValueError::new_err(
            "sitrep.extract needs the report: extract(text) or extract(html=page)",
        ));
    }
    let engine = loaded(py, data_dir)?;
    let rec = Record {
        id,
        title,
        text,
        html,
        outlet,
        published,
        url,
    };
    py.detach(|| {
        catch_unwind(AssertUnwindSafe(|| {
            analyse(&engine, rec, "sitrep.extract")
                .map(|(doc, a)| sitrep_pipeline::document_json_of(&doc, &a).to_string())
        }))
        .unwrap_or_else(|_| Err("sitrep.extract: internal error (panic) on this report".into()))
    })
    .map_err(PyValueError::new_err)
}

/// The values of a string (or date) column, `None` when the batch has no
/// such column.
fn str_column(batch: &RecordBatch, name: &str) -> PyResult<Option<Vec<Option<String>>>> {
    let Ok(i) = batch.schema().index_of(name) else {
        return Ok(None);
    };
    let col = batch.column(i);
    let strings = |get: &dyn Fn(usize) -> String| {
        (0..col.len())
            .map(|r| (!col.is_null(r)).then(|| get(r)))
            .collect::<Vec<_>>()
    };
    let v = match col.data_type() {
        DataType::Utf8 => {
            let a = col.as_string::<i32>();
            strings(&|r| a.value(r).to_string())
        }
        DataType::LargeUtf8 => {
            let a = col.as_string::<i64>();
            strings(&|r| a.value(r).to_string())
        }
        DataType::Utf8View => {
            let a = col.as_string_view();
            strings(&|r| a.value(r).to_string())
        }
        DataType::Date32 => {
            let a = col.as_primitive::<Date32Type>();
            strings(&|r| {
                // Days since 1970-01-01; 719,163 is that day counted from 0001-01-01.
                chrono_day(a.value(r))
            })
        }
        DataType::Int32 => {
            let a = col.as_primitive::<Int32Type>();
            strings(&|r| a.value(r).to_string())
        }
        DataType::Int64 => {
            let a = col.as_primitive::<Int64Type>();
            strings(&|r| a.value(r).to_string())
        }
        DataType::Null => vec![None; col.len()],
        t => {
            return Err(PyTypeError::new_err(format!(
                "column `{name}` is {t}; it must be a string column (dates as YYYY-MM-DD strings or date32)"
            )))
        }
    };
    Ok(Some(v))
}

fn chrono_day(days_since_epoch: i32) -> String {
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = i64::from(days_since_epoch) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Run `f` over `0..n` on `threads` threads (`None`: the global rayon pool,
/// `1`: this thread).
fn par_map<T: Send>(
    n: usize,
    threads: Option<usize>,
    f: impl Fn(usize) -> T + Sync + Send,
) -> Result<Vec<T>, String> {
    match threads {
        Some(0) => Err("threads must be at least 1".into()),
        Some(1) => Ok((0..n).map(f).collect()),
        None => Ok((0..n).into_par_iter().map(f).collect()),
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .map_err(|e| e.to_string())
            .map(|pool| pool.install(|| (0..n).into_par_iter().map(f).collect())),
    }
}

/// Rows that could not be read, with the message.
type RowErrors = Vec<(usize, String)>;

/// One output row of `extract_arrow`.
struct EventRow {
    doc_id: String,
    outlet: Option<String>,
    published: Option<String>,
    evidence: Vec<String>,
    event: Event,
}

/// The columns both outputs share: what, when and where.
fn what_when_where() -> Vec<Field> {
    let s = |n: &str, null: bool| Field::new(n, DataType::Utf8, null);
    let f = |n: &str| Field::new(n, DataType::Float64, true);
    vec![
        s("event_type", false),
        s("sub_event_type", false),
        s("date_start", true),
        s("date_end", true),
        s("date_precision", false),
        s("location_name", true),
        Field::new("geonames_id", DataType::Int64, true),
        f("lat"),
        f("lon"),
        s("country_code", true),
    ]
}

/// The values of [`what_when_where`] for one row.
struct Core<'a> {
    event_type: &'a str,
    sub_event_type: &'a str,
    start: Option<&'a str>,
    end: Option<&'a str>,
    precision: &'a str,
    location: Option<&'a sitrep_core::event::EventLocation>,
}

impl Columns {
    fn what_when_where<T>(&mut self, rows: &[T], core: impl Fn(&T) -> Core<'_>) {
        let own = |x: Option<&str>| x.map(str::to_string);
        self.text(rows, |r| Some(core(r).event_type.into()));
        self.text(rows, |r| Some(core(r).sub_event_type.into()));
        self.text(rows, |r| own(core(r).start));
        self.text(rows, |r| own(core(r).end));
        self.text(rows, |r| Some(core(r).precision.into()));
        self.text(rows, |r| core(r).location.map(|l| l.name.clone()));
        self.int(rows, |r| {
            core(r).location.and_then(|l| l.geonames_id).map(i64::from)
        });
        self.float(rows, |r| core(r).location.and_then(|l| l.lat));
        self.float(rows, |r| core(r).location.and_then(|l| l.lon));
        self.text(rows, |r| {
            core(r).location.and_then(|l| l.country_code.clone())
        });
    }
}

fn extract_schema() -> Schema {
    let s = |n: &str, null: bool| Field::new(n, DataType::Utf8, null);
    let f = |n: &str| Field::new(n, DataType::Float64, true);
    let mut fields = vec![
        s("doc_id", false),
        s("event_id", false),
        Field::new("primary", DataType::Boolean, false),
    ];
    fields.extend(what_when_where());
    fields.extend([
        s("actor1", true),
        s("actor2", true),
        f("fatalities_low"),
        f("fatalities_best"),
        f("fatalities_high"),
        s("modality", false),
        s("outlet", true),
        s("published", true),
        s("block", false),
        s("event", false),
        Field::new(
            "evidence_text",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            false,
        ),
    ]);
    Schema::new(fields)
}

/// Columns built row by row, in schema order.
#[derive(Default)]
struct Columns(Vec<ArrayRef>);

impl Columns {
    fn text<T>(&mut self, rows: &[T], f: impl Fn(&T) -> Option<String>) {
        let mut b = StringBuilder::new();
        rows.iter().for_each(|r| b.append_option(f(r)));
        self.0.push(Arc::new(b.finish()));
    }
    fn float<T>(&mut self, rows: &[T], f: impl Fn(&T) -> Option<f64>) {
        let mut b = Float64Builder::new();
        rows.iter().for_each(|r| b.append_option(f(r)));
        self.0.push(Arc::new(b.finish()));
    }
    fn int<T>(&mut self, rows: &[T], f: impl Fn(&T) -> Option<i64>) {
        let mut b = Int64Builder::new();
        rows.iter().for_each(|r| b.append_option(f(r)));
        self.0.push(Arc::new(b.finish()));
    }
    fn boolean<T>(&mut self, rows: &[T], f: impl Fn(&T) -> bool) {
        let mut b = BooleanBuilder::new();
        rows.iter().for_each(|r| b.append_value(f(r)));
        self.0.push(Arc::new(b.finish()));
    }
    fn list<T>(&mut self, rows: &[T], f: impl Fn(&T) -> Vec<&str>) {
        let mut b = ListBuilder::new(StringBuilder::new());
        for r in rows {
            for v in f(r) {
                b.values().append_value(v);
            }
            b.append(true);
        }
        self.0.push(Arc::new(b.finish()));
    }
    fn batch(self, schema: Schema) -> Result<RecordBatch, String> {
        RecordBatch::try_new(Arc::new(schema), self.0).map_err(|e| e.to_string())
    }
}

fn event_batch(rows: &[EventRow]) -> Result<RecordBatch, String> {
    let cell = FuseConfig::default().cell_deg;
    let json: Vec<String> = rows
        .iter()
        .map(|r| serde_json::to_string(&r.event))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let total = |r: &EventRow| r.event.fatalities.total.clone();
    let mut c = Columns::default();
    c.text(rows, |r| Some(r.doc_id.clone()));
    c.text(rows, |r| Some(r.event.id.clone()));
    c.boolean(rows, |r| r.event.primary);
    c.what_when_where(rows, |r| Core {
        event_type: r.event.event_type.as_str(),
        sub_event_type: r.event.sub_event_type.as_str(),
        start: r.event.date.start.as_deref(),
        end: r.event.date.end.as_deref(),
        precision: &r.event.date.precision,
        location: r.event.location.as_ref(),
    });
    c.text(rows, |r| r.event.actor1.as_ref().map(|a| a.name.clone()));
    c.text(rows, |r| r.event.actor2.as_ref().map(|a| a.name.clone()));
    c.float(rows, |r| total(r).and_then(|t| t.low));
    c.float(rows, |r| total(r).and_then(|t| t.best));
    c.float(rows, |r| total(r).and_then(|t| t.high));
    c.text(rows, |r| {
        serde_json::to_value(r.event.modality)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
    });
    c.text(rows, |r| r.outlet.clone());
    c.text(rows, |r| r.published.clone());
    c.text(rows, |r| Some(fuse_block_key(&r.event, cell)));
    c.text(&json, |j| Some(j.clone()));
    c.list(rows, |r| r.evidence.iter().map(String::as_str).collect());
    c.batch(extract_schema())
}

/// Extract the events of every row of a record batch with columns `text`
/// (or `html`) and optionally `id`, `title`, `outlet`, `published`, `url`;
/// one output row per event. Returns the batch and the rows that could not
/// be read (`(row, message)`).
#[pyfunction]
#[pyo3(signature = (data_dir, batch, threads=None))]
fn extract_arrow(
    py: Python<'_>,
    data_dir: &str,
    batch: PyArrowType<RecordBatch>,
    threads: Option<usize>,
) -> PyResult<(PyArrowType<RecordBatch>, RowErrors)> {
    let batch = batch.0;
    let col = |n: &str| str_column(&batch, n);
    let (text, html) = (col("text")?, col("html")?);
    if text.is_none() && html.is_none() {
        let names: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        return Err(PyValueError::new_err(format!(
            "the batch has no `text` (or `html`) column; its columns are: {}",
            names.join(", ")
        )));
    }
    let (id, title, outlet, published, url) = (
        col("id")?,
        col("title")?,
        col("outlet")?,
        col("published")?,
        col("url")?,
    );
    let engine = loaded(py, data_dir)?;
    let n = batch.num_rows();
    let get = |c: &Option<Vec<Option<String>>>, r: usize| c.as_ref().and_then(|v| v[r].clone());
    let out = py.detach(|| {
        let per_row = par_map(n, threads, |r| {
            let rec = Record {
                id: get(&id, r),
                title: get(&title, r),
                text: get(&text, r),
                html: get(&html, r),
                outlet: get(&outlet, r),
                published: get(&published, r),
                url: get(&url, r),
            };
            let origin = format!("row {r}");
            let result = catch_unwind(AssertUnwindSafe(|| {
                analyse(&engine, rec, &origin).map(|(doc, a)| {
                    let published = doc.published.date.map(|d| d.to_string());
                    a.extraction
                        .events
                        .into_iter()
                        .map(|e| EventRow {
                            doc_id: doc.key.clone(),
                            outlet: doc.outlet.clone(),
                            published: published.clone(),
                            evidence: sitrep_pipeline::evidence_text(&doc.text, &e),
                            event: e,
                        })
                        .collect::<Vec<_>>()
                })
            }));
            result.unwrap_or_else(|_| Err(format!("{origin}: internal error (panic)")))
        })?;
        let mut rows = Vec::new();
        let mut failed = Vec::new();
        for (r, res) in per_row.into_iter().enumerate() {
            match res {
                Ok(v) => rows.extend(v),
                Err(m) => failed.push((r, m)),
            }
        }
        event_batch(&rows).map(|b| (b, failed))
    });
    let (b, failed) = out.map_err(PyValueError::new_err)?;
    Ok((PyArrowType(b), failed))
}

/// A JSON value that may be given as JSON text.
fn parsed(v: Value) -> Result<Value, String> {
    match v {
        Value::String(s) => serde_json::from_str(&s).map_err(|e| format!("not JSON ({e})")),
        v => Ok(v),
    }
}

fn opt_str(o: &Map<String, Value>, k: &str) -> Result<Option<String>, String> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(format!("`{k}` must be a string, not {v}")),
    }
}

/// The fusion inputs one item stands for: an extraction (`{"doc": {...},
/// "events": [...]}`, as `extract` returns, optionally with the document's
/// `text` for the evidence sentences) or one event record (`{"doc_id" or
/// "doc", "event", "outlet", "published", "evidence_text"...}`, as the rows
/// of `extract_arrow`).
fn reports_of(item: Value) -> Result<Vec<Report>, String> {
    let Value::Object(o) = item else {
        return Err("not a dict".into());
    };
    if let (Some(Value::Object(doc)), Some(Value::Array(events))) = (o.get("doc"), o.get("events"))
    {
        let key = opt_str(doc, "id")?.ok_or("`doc.id` is missing")?;
        let outlet = opt_str(doc, "outlet")?;
        let published = match doc.get("published") {
            Some(Value::Object(p)) => opt_str(p, "date")?,
            _ => opt_str(doc, "published")?,
        };
        let text = opt_str(&o, "text")?;
        return events
            .iter()
            .enumerate()
            .map(|(j, ev)| {
                let event: Event = serde_json::from_value(ev.clone())
                    .map_err(|e| format!("event {j} is not a sitrep event ({e})"))?;
                Ok(Report {
                    doc: key.clone(),
                    outlet: outlet.clone(),
                    published: published.clone(),
                    duplicate_of: None,
                    canonical_outlet: None,
                    evidence_text: text
                        .as_deref()
                        .map(|t| sitrep_pipeline::evidence_text(t, &event))
                        .unwrap_or_default(),
                    event,
                })
            })
            .collect();
    }
    let Some(ev) = o.get("event") else {
        return Err(
            "neither an extraction ({\"doc\": {...}, \"events\": [...]}) nor an event record ({\"doc_id\": ..., \"event\": ...})"
                .into(),
        );
    };
    let event: Event = serde_json::from_value(parsed(ev.clone())?)
        .map_err(|e| format!("`event` is not a sitrep event ({e})"))?;
    let doc = match opt_str(&o, "doc_id")? {
        Some(d) => d,
        None => opt_str(&o, "doc")?.ok_or("`doc_id` is missing")?,
    };
    let evidence_text = match o.get("evidence_text").cloned().map(parsed).transpose()? {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .into_iter()
            .map(|v| v.as_str().map(str::to_string).unwrap_or_default())
            .collect(),
        Some(v) => {
            return Err(format!(
                "`evidence_text` must be a list of strings, not {v}"
            ))
        }
    };
    Ok(vec![Report {
        doc,
        outlet: opt_str(&o, "outlet")?,
        published: opt_str(&o, "published")?,
        duplicate_of: opt_str(&o, "duplicate_of")?,
        canonical_outlet: opt_str(&o, "canonical_outlet")?,
        event,
        evidence_text,
    }])
}

fn fuse_reports(reports: &[Report]) -> Result<Vec<sitrep_fuse::BlockFusion>, String> {
    catch_unwind(|| sitrep_fuse::fuse(reports, &FuseConfig::default()))
        .map_err(|_| "sitrep.fuse: internal error (panic)".to_string())?
        .map_err(|e| e.to_string())
}

/// Fuse items (JSON text of a list; see [`reports_of`]); returns the JSON
/// text of the blocks' fusion results.
#[pyfunction]
fn fuse(py: Python<'_>, items_json: String) -> PyResult<String> {
    py.detach(|| {
        let items: Vec<Value> = serde_json::from_str(&items_json)
            .map_err(|e| format!("sitrep.fuse takes a list of dicts ({e})"))?;
        let mut reports = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            reports.extend(reports_of(item).map_err(|e| format!("item {i}: {e}"))?);
        }
        let blocks = fuse_reports(&reports)?;
        serde_json::to_string(&blocks).map_err(|e| e.to_string())
    })
    .map_err(PyValueError::new_err)
}

fn fused_schema() -> Schema {
    let s = |n: &str, null: bool| Field::new(n, DataType::Utf8, null);
    let f = |n: &str| Field::new(n, DataType::Float64, true);
    let mut fields = vec![s("fused_id", false), s("block", false)];
    fields.extend(what_when_where());
    fields.extend([
        Field::new("n_reports", DataType::Int64, false),
        Field::new("n_sources", DataType::Int64, false),
        f("fatalities_low"),
        f("fatalities_best"),
        f("fatalities_high"),
        Field::new("confidence", DataType::Float64, false),
        Field::new(
            "members",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            false,
        ),
        s("record", false),
    ]);
    Schema::new(fields)
}

fn fused_batch(events: &[FusedEvent]) -> Result<RecordBatch, String> {
    let records: Vec<String> = events
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let fat = |e: &FusedEvent| e.fatalities.clone();
    let mut c = Columns::default();
    c.text(events, |e| Some(e.id.clone()));
    c.text(events, |e| Some(e.block.clone()));
    c.what_when_where(events, |e| Core {
        event_type: e.event_type.as_str(),
        sub_event_type: e.sub_event_type.as_str(),
        start: e.date.start.as_deref(),
        end: e.date.end.as_deref(),
        precision: &e.date.precision,
        location: e.location.as_ref(),
    });
    c.int(events, |e| Some(e.members.len() as i64));
    c.int(events, |e| Some(e.sources.len() as i64));
    c.float(events, |e| fat(e).and_then(|r| r.low));
    c.float(events, |e| fat(e).and_then(|r| r.best));
    c.float(events, |e| fat(e).and_then(|r| r.high));
    c.float(events, |e| Some(e.confidence));
    c.list(events, |e| {
        e.members.iter().map(|m| m.event.as_str()).collect()
    });
    c.text(&records, |r| Some(r.clone()));
    c.batch(fused_schema())
}

/// Fuse the event rows of a record batch (the columns of `extract_arrow`:
/// `doc_id`, `event`, and optionally `outlet`, `published`,
/// `evidence_text`, `duplicate_of`, `canonical_outlet`); one output row per
/// fused event, with its whole record as JSON.
#[pyfunction]
fn fuse_arrow(
    py: Python<'_>,
    batch: PyArrowType<RecordBatch>,
) -> PyResult<PyArrowType<RecordBatch>> {
    let batch = batch.0;
    let col = |n: &str| str_column(&batch, n);
    let need = |n: &str| -> PyResult<Vec<Option<String>>> {
        col(n)?.ok_or_else(|| {
            PyValueError::new_err(format!(
                "the batch has no `{n}` column; fuse_arrow takes the rows extract_arrow returns"
            ))
        })
    };
    let (doc, event) = (need("doc_id")?, need("event")?);
    let (outlet, published, dup, canon) = (
        col("outlet")?,
        col("published")?,
        col("duplicate_of")?,
        col("canonical_outlet")?,
    );
    let evidence: Option<Vec<Vec<String>>> = match batch.schema().index_of("evidence_text") {
        Err(_) => None,
        Ok(i) => {
            let c = batch.column(i);
            let Some(l) = c.as_list_opt::<i32>() else {
                return Err(PyTypeError::new_err(
                    "column `evidence_text` must be a list of strings",
                ));
            };
            let mut out = Vec::with_capacity(l.len());
            for r in 0..l.len() {
                let v = l.value(r);
                let Some(s) = v.as_string_opt::<i32>() else {
                    return Err(PyTypeError::new_err(
                        "column `evidence_text` must be a list of strings",
                    ));
                };
                out.push(
                    (0..s.len())
                        .map(|k| s.value(k).to_string())
                        .collect::<Vec<_>>(),
                );
            }
            Some(out)
        }
    };
    let get = |c: &Option<Vec<Option<String>>>, r: usize| c.as_ref().and_then(|v| v[r].clone());
    let out = py.detach(|| {
        let mut reports = Vec::with_capacity(batch.num_rows());
        for r in 0..batch.num_rows() {
            let (Some(d), Some(ev)) = (doc[r].clone(), event[r].as_deref()) else {
                return Err(format!("row {r}: `doc_id` and `event` must not be null"));
            };
            let event: Event = serde_json::from_str(ev)
                .map_err(|e| format!("row {r}: `event` is not a sitrep event ({e})"))?;
            reports.push(Report {
                doc: d,
                outlet: get(&outlet, r),
                published: get(&published, r),
                duplicate_of: get(&dup, r),
                canonical_outlet: get(&canon, r),
                evidence_text: evidence.as_ref().map(|e| e[r].clone()).unwrap_or_default(),
                event,
            });
        }
        let blocks = fuse_reports(&reports)?;
        let events: Vec<FusedEvent> = blocks.into_iter().flat_map(|b| b.events).collect();
        fused_batch(&events)
    });
    out.map(PyArrowType).map_err(PyValueError::new_err)
}

/// The fusion block key of an event (dict or JSON text): events are only
/// ever fused with events of the same key.
#[pyfunction]
fn block_key(event_json: String) -> PyResult<String> {
    let event: Event = serde_json::from_str(&event_json)
        .map_err(|e| PyValueError::new_err(format!("not a sitrep event ({e})")))?;
    Ok(fuse_block_key(&event, FuseConfig::default().cell_deg))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(extract, m)?)?;
    m.add_function(wrap_pyfunction!(extract_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(fuse, m)?)?;
    m.add_function(wrap_pyfunction!(fuse_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(block_key, m)?)?;
    m.add("DataError", m.py().get_type::<DataError>())?;
    Ok(())
}
