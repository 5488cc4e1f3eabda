//! The write side: ingest runs and batches of cleaned documents.

use std::collections::BTreeSet;

use rusqlite::params;
use rusqlite::types::Value;
use serde::Serialize;
use sitrep_core::event::Event;
use sitrep_core::{Document, SegmentKind, Severity};

use crate::db::{Db, OptionalExtension};
use crate::Backend;
use crate::{now, Result, Store};

/// A document's MinHash signature and its LSH band keys (one key per band,
/// band `i` at index `i`), as computed by the cleaning stage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fingerprint {
    pub bands: Vec<u64>,
    pub minhash: Vec<u64>,
}

impl Fingerprint {
    /// Estimated Jaccard similarity: the share of MinHash slots that agree.
    pub fn similarity(a: &[u64], b: &[u64]) -> f64 {
        let n = a.len().min(b.len());
        if n == 0 {
            return 0.0;
        }
        let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
        same as f64 / n as f64
    }

    fn minhash_blob(&self) -> Vec<u8> {
        self.minhash.iter().flat_map(|h| h.to_le_bytes()).collect()
    }

    fn minhash_from_blob(b: &[u8]) -> Vec<u64> {
        b.chunks_exact(8)
            .map(|c| {
                let mut a = [0u8; 8];
                a.copy_from_slice(c);
                u64::from_le_bytes(a)
            })
            .collect()
    }
}

/// One cleaned document to store.
#[derive(Debug, Clone, Copy)]
pub struct IngestItem<'a> {
    pub doc: &'a Document,
    /// `None` leaves the document out of near-duplicate detection.
    pub fingerprint: Option<&'a Fingerprint>,
    /// The events extracted from this content; stored with its version.
    pub events: &'a [Event],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum OutcomeKind {
    /// A key never seen before.
    New,
    /// The same content as the key's current version: nothing changed.
    Unchanged,
    /// Different content for a known key; `version` is now current.
    NewVersion { version: i64 },
}

/// What happened to one document of a batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub key: String,
    #[serde(flatten)]
    pub kind: OutcomeKind,
    /// Key of the canonical document when this one is a near-duplicate.
    pub duplicate_of: Option<String>,
    pub non_english: bool,
}

/// Counts for a run (or a batch).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunTotals {
    pub new: u64,
    pub unchanged: u64,
    pub new_versions: u64,
    pub near_duplicates: u64,
    pub non_english: u64,
    pub errors: u64,
}

impl RunTotals {
    pub fn add(&mut self, o: &RunTotals) {
        self.new += o.new;
        self.unchanged += o.unchanged;
        self.new_versions += o.new_versions;
        self.near_duplicates += o.near_duplicates;
        self.non_english += o.non_english;
        self.errors += o.errors;
    }
}

#[derive(Debug, Clone, Default)]
pub struct BatchReport {
    pub outcomes: Vec<Outcome>,
    pub totals: RunTotals,
    /// Documents the database cannot hold, as `(origin, reason)`: recorded
    /// as errors of the run (and counted in `totals.errors`) instead of
    /// failing the batch. Only PostgreSQL refuses any (text with NUL).
    pub refused: Vec<(String, String)>,
}

/// BLAKE3 of everything that makes a version distinct: format, source and
/// metadata (including unknown fields).
pub fn content_hash(doc: &Document) -> Result<String> {
    let mut h = blake3::Hasher::new();
    h.update(doc.format.as_str().as_bytes());
    h.update(&[0]);
    h.update(&(doc.source.len() as u64).to_le_bytes());
    h.update(doc.source.as_bytes());
    h.update(serde_json::to_string(&doc.meta)?.as_bytes());
    Ok(h.finalize().to_hex().to_string())
}

impl Store {
    /// Record the start of an ingest run (committed at once, so a killed run
    /// stays visible as `running`).
    pub fn begin_run(&mut self, args: &str) -> Result<i64> {
        self.conn.query_row(
            "INSERT INTO ingest_runs (started_at, status, args) VALUES (?1, 'running', ?2)
             RETURNING id",
            params![now(), args],
            |r| r.get(0),
        )
    }

    /// Mark a run finished with `status` (`done`, `failed`).
    pub fn finish_run(&mut self, run: i64, status: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE ingest_runs SET finished_at = ?1, status = ?2 WHERE id = ?3",
            params![now(), status, run],
        )?;
        Ok(())
    }

    /// The totals recorded for a run.
    pub fn run_totals(&self, run: i64) -> Result<RunTotals> {
        self.conn.query_row(
            "SELECT docs_new, docs_unchanged, docs_new_versions, near_duplicates, non_english, errors
             FROM ingest_runs WHERE id = ?1",
            [run],
            |r| {
                Ok(RunTotals {
                    new: r.get::<_, i64>(0)? as u64,
                    unchanged: r.get::<_, i64>(1)? as u64,
                    new_versions: r.get::<_, i64>(2)? as u64,
                    near_duplicates: r.get::<_, i64>(3)? as u64,
                    non_english: r.get::<_, i64>(4)? as u64,
                    errors: r.get::<_, i64>(5)? as u64,
                })
            },
        )
    }

    /// Store a batch of cleaned documents and the read errors met with them,
    /// in one transaction: after a crash either the whole batch is there or
    /// none of it. Documents are written in slice order; within the batch a
    /// later document can be a near-duplicate of an earlier one.
    pub fn ingest_batch(
        &mut self,
        run: i64,
        items: &[IngestItem<'_>],
        errors: &[(String, String)],
    ) -> Result<BatchReport> {
        let threshold = self.near_dup_threshold;
        let tx = self.conn.transaction()?;
        let stamp = now();
        let mut report = BatchReport::default();
        for item in items {
            if let Some(why) = unstorable(self.conn.backend(), item.doc) {
                report.refused.push((item.doc.origin.clone(), why));
                continue;
            }
            let o = ingest_one(&tx, run, item, &stamp, threshold)?;
            let t = &mut report.totals;
            match o.kind {
                OutcomeKind::New => t.new += 1,
                OutcomeKind::Unchanged => t.unchanged += 1,
                OutcomeKind::NewVersion { .. } => t.new_versions += 1,
            }
            if o.kind != OutcomeKind::Unchanged {
                t.near_duplicates += u64::from(o.duplicate_of.is_some());
                t.non_english += u64::from(o.non_english);
            }
            report.outcomes.push(o);
        }
        for (origin, message) in errors.iter().chain(&report.refused) {
            tx.prepare_cached(
                "INSERT INTO ingest_errors (run_id, origin, message) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![run, origin, message])?;
        }
        report.totals.errors = (errors.len() + report.refused.len()) as u64;
        let t = report.totals;
        tx.execute(
            "UPDATE ingest_runs SET docs_new = docs_new + ?1, docs_unchanged = docs_unchanged + ?2,
                docs_new_versions = docs_new_versions + ?3, near_duplicates = near_duplicates + ?4,
                non_english = non_english + ?5, errors = errors + ?6
             WHERE id = ?7",
            params![
                t.new as i64,
                t.unchanged as i64,
                t.new_versions as i64,
                t.near_duplicates as i64,
                t.non_english as i64,
                t.errors as i64,
                run
            ],
        )?;
        tx.commit()?;
        Ok(report)
    }
}

/// Why the backend cannot store `doc`, if it cannot: PostgreSQL text holds
/// no NUL character (JSON columns escape it, so only raw text fields count).
fn unstorable(backend: Backend, doc: &Document) -> Option<String> {
    if backend != Backend::Postgres {
        return None;
    }
    let m = &doc.meta;
    let raw = [
        Some(doc.key.as_str()),
        Some(doc.origin.as_str()),
        Some(doc.source.as_str()),
        Some(doc.text.as_str()),
        doc.outlet.as_deref(),
        m.outlet.as_deref(),
        m.url.as_deref(),
        m.title.as_deref(),
        doc.published.text.as_deref(),
    ];
    let diagnostics = doc.diagnostics.iter().map(|d| d.message.as_str());
    let nul = raw
        .into_iter()
        .flatten()
        .chain(diagnostics)
        .any(|t| t.contains('\0'));
    nul.then(|| {
        "contains a NUL character (U+0000), which PostgreSQL cannot store in text; \
         remove it from the report (an SQLite --db stores it)"
            .to_string()
    })
}

fn ingest_one(
    tx: &Db,
    run: i64,
    item: &IngestItem<'_>,
    stamp: &str,
    threshold: f64,
) -> Result<Outcome> {
    let doc = item.doc;
    let hash = content_hash(doc)?;
    let non_english = doc.language.as_ref().is_some_and(|l| !l.is_english());
    let existing: Option<(i64, String, Option<i64>)> = tx
        .prepare_cached("SELECT id, content_hash, duplicate_of FROM documents WHERE doc_key = ?1")?
        .query_row([&doc.key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let outcome = |kind, dup: Option<String>| Outcome {
        key: doc.key.clone(),
        kind,
        duplicate_of: dup,
        non_english,
    };

    let (doc_id, kind) = match existing {
        Some((_, old_hash, dup)) if old_hash == hash => {
            let dup_key = match dup {
                Some(d) => Some(key_of(tx, d)?),
                None => None,
            };
            return Ok(outcome(OutcomeKind::Unchanged, dup_key));
        }
        Some((id, _, _)) => {
            // A content seen before for this key becomes current again;
            // otherwise it is a new version.
            let old: Option<i64> = tx
                .prepare_cached(
                    "SELECT version FROM document_versions WHERE document_id = ?1 AND content_hash = ?2",
                )?
                .query_row(params![id, hash], |r| r.get(0))
                .optional()?;
            let version = match old {
                Some(v) => v,
                None => {
                    let v: i64 = tx.query_row(
                        "SELECT COALESCE(MAX(version), 0) + 1 FROM document_versions WHERE document_id = ?1",
                        [id],
                        |r| r.get(0),
                    )?;
                    let vid = insert_version(tx, id, v, &hash, doc, run, stamp)?;
                    insert_events(tx, id, vid, item.events)?;
                    v
                }
            };
            write_document_row(tx, Some(id), version, &hash, doc, stamp)?;
            (id, OutcomeKind::NewVersion { version })
        }
        None => {
            let id = write_document_row(tx, None, 1, &hash, doc, stamp)?;
            let vid = insert_version(tx, id, 1, &hash, doc, run, stamp)?;
            insert_events(tx, id, vid, item.events)?;
            (id, OutcomeKind::New)
        }
    };

    let fresh = kind == OutcomeKind::New;
    let dup = write_fingerprint(tx, doc_id, fresh, item.fingerprint, threshold)?;
    tx.prepare_cached("UPDATE documents SET duplicate_of = ?1, similarity = ?2 WHERE id = ?3")?
        .execute(params![dup.map(|d| d.0), dup.map(|d| d.1), doc_id])?;
    let dup_key = match dup {
        Some((d, _)) => Some(key_of(tx, d)?),
        None => None,
    };
    Ok(outcome(kind, dup_key))
}

fn key_of(tx: &Db, id: i64) -> Result<String> {
    tx.prepare_cached("SELECT doc_key FROM documents WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
}

fn outlet_id(tx: &Db, name: &str) -> Result<i64> {
    tx.prepare_cached("INSERT INTO outlets (name) VALUES (?1) ON CONFLICT DO NOTHING")?
        .execute([name])?;
    tx.prepare_cached("SELECT id FROM outlets WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
}

/// The headline: the metadata title, else the first title segment.
fn title(doc: &Document) -> Option<String> {
    doc.meta.title.clone().or_else(|| {
        doc.segments
            .iter()
            .find(|s| s.kind == SegmentKind::Title)
            .map(|s| s.span.slice(&doc.text).trim().to_string())
    })
}

/// Insert (`id == None`) or update the `documents` row for the current
/// version; returns the document id.
fn write_document_row(
    tx: &Db,
    id: Option<i64>,
    version: i64,
    hash: &str,
    doc: &Document,
    stamp: &str,
) -> Result<i64> {
    let outlet = match doc.outlet.as_deref().or(doc.meta.outlet.as_deref()) {
        Some(name) if !name.trim().is_empty() => Some(outlet_id(tx, name.trim())?),
        _ => None,
    };
    let p = &doc.published;
    let meta = serde_json::to_string(&doc.meta)?;
    let values = params![
        version,
        doc.origin,
        doc.format.as_str(),
        doc.meta.url,
        title(doc),
        p.date.map(|d| d.to_string()),
        p.precision.as_str(),
        p.origin.as_str(),
        p.ambiguous,
        p.text,
        p.span.map(|s| s.start as i64),
        p.span.map(|s| s.end as i64),
        outlet,
        doc.language.as_ref().map(|l| l.code.as_str()),
        doc.language.as_ref().map(|l| l.confidence),
        doc.word_count() as i64,
        hash,
        meta,
        stamp,
        doc.key,
    ];
    match id {
        None => tx
            .prepare_cached(
                "INSERT INTO documents (current_version, origin, format, url, title,
                    published_date, published_precision, published_origin, published_ambiguous,
                    published_text, published_start, published_end, outlet_id, language,
                    language_confidence, word_count, content_hash, meta, ingested_at, doc_key,
                    updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19, ?20, ?19)
                 RETURNING id",
            )?
            .query_row(values, |r| r.get(0)),
        Some(id) => {
            tx.prepare_cached(
                "UPDATE documents SET current_version = ?1, origin = ?2, format = ?3, url = ?4,
                    title = ?5, published_date = ?6, published_precision = ?7,
                    published_origin = ?8, published_ambiguous = ?9, published_text = ?10,
                    published_start = ?11, published_end = ?12, outlet_id = ?13, language = ?14,
                    language_confidence = ?15, word_count = ?16, content_hash = ?17, meta = ?18,
                    updated_at = ?19
                 WHERE doc_key = ?20",
            )?
            .execute(values)?;
            Ok(id)
        }
    }
}

fn segment_kind(kind: SegmentKind) -> (&'static str, Option<&'static str>) {
    match kind {
        SegmentKind::Title => ("title", None),
        SegmentKind::Dateline => ("dateline", None),
        SegmentKind::Body => ("body", None),
        SegmentKind::Removed(r) => ("removed", Some(r.as_str())),
    }
}

pub(crate) fn severity_str(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

fn insert_version(
    tx: &Db,
    doc_id: i64,
    version: i64,
    hash: &str,
    doc: &Document,
    run: i64,
    stamp: &str,
) -> Result<i64> {
    let vid: i64 = tx.prepare_cached(
        "INSERT INTO document_versions (document_id, version, content_hash, origin, source, text,
            text_map, meta, run_id, ingested_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         RETURNING id",
    )?
    .query_row(
        params![
        doc_id,
        version,
        hash,
        doc.origin,
        doc.source,
        // Plain text is its own source: do not store it twice.
        if doc.text == doc.source {
            ""
        } else {
            doc.text.as_str()
        },
        serde_json::to_string(&doc.text_map)?,
        serde_json::to_string(&doc.meta)?,
        run,
        stamp,
    ],
        |r| r.get(0),
    )?;
    let segments = doc.segments.iter().enumerate().map(|(i, s)| {
        let (kind, reason) = segment_kind(s.kind);
        vec![
            Value::Integer(vid),
            Value::Integer(i as i64),
            Value::Integer(s.span.start as i64),
            Value::Integer(s.span.end as i64),
            Value::Text(kind.into()),
            reason.map_or(Value::Null, |r| Value::Text(r.into())),
        ]
    });
    insert_rows(
        tx,
        "segments (version_id, seq, span_start, span_end, kind, reason)",
        6,
        false,
        segments,
    )?;
    let diagnostics = doc.diagnostics.iter().enumerate().map(|(i, d)| {
        let pos = |p: Option<usize>| p.map_or(Value::Null, |p| Value::Integer(p as i64));
        vec![
            Value::Integer(vid),
            Value::Integer(i as i64),
            Value::Text(severity_str(d.severity).into()),
            Value::Text(d.code.clone()),
            Value::Text(d.message.clone()),
            pos(d.span.map(|s| s.start)),
            pos(d.span.map(|s| s.end)),
        ]
    });
    insert_rows(
        tx,
        "diagnostics (version_id, seq, severity, code, message, span_start, span_end)",
        7,
        false,
        diagnostics,
    )?;
    Ok(vid)
}

/// Store the events of one document version, with their place and the
/// names the event filters read (migration 5).
fn insert_events(tx: &Db, doc_id: i64, vid: i64, events: &[Event]) -> Result<()> {
    let mut ins = tx.prepare_cached(
        "INSERT INTO events (version_id, document_id, event_key, is_primary, event_type,
            sub_event_type, date_start, date_end, date_precision, location_name, geonames_id,
            lat, lon, country_code, admin1, fatalities_best, modality, record, place_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19)
         RETURNING id",
    )?;
    let mut names = Vec::with_capacity(events.len());
    for e in events {
        let loc = e.location.as_ref();
        let place = loc.map(|l| crate::names::place_id(tx, l)).transpose()?;
        let id: i64 = ins.query_row(
            params![
                vid,
                doc_id,
                e.id,
                e.primary,
                e.event_type.as_str(),
                e.sub_event_type.as_str(),
                e.date.start,
                e.date.end,
                e.date.precision,
                loc.map(|l| l.name.as_str()),
                loc.and_then(|l| l.geonames_id).map(i64::from),
                loc.and_then(|l| l.lat),
                loc.and_then(|l| l.lon),
                loc.and_then(|l| l.country_code.as_deref()),
                loc.and_then(|l| l.admin1.as_deref()),
                e.fatalities.total.as_ref().and_then(|r| r.best),
                serde_json::to_value(e.modality)?
                    .as_str()
                    .unwrap_or("asserted"),
                serde_json::to_string(e)?,
                place,
            ],
            |r| r.get(0),
        )?;
        names.push((id, crate::names::EventNames::of_event(e)));
    }
    crate::names::link(tx, "event_names (name_id, kind, event_id)", &names)
}

/// Replace the document's signature, then find its canonical: among
/// earlier-ingested canonical documents sharing an LSH band key with it, the
/// earliest one whose estimated similarity reaches `threshold`. Only
/// canonical documents have their band keys indexed, so a syndicated story
/// copied a hundred times costs one comparison per copy, not a hundred.
fn write_fingerprint(
    tx: &Db,
    doc_id: i64,
    fresh: bool,
    fp: Option<&Fingerprint>,
    threshold: f64,
) -> Result<Option<(i64, f64)>> {
    if !fresh {
        tx.prepare_cached("DELETE FROM minhash_bands WHERE document_id = ?1")?
            .execute([doc_id])?;
        tx.prepare_cached("DELETE FROM document_signatures WHERE document_id = ?1")?
            .execute([doc_id])?;
    }
    let Some(fp) = fp else {
        return Ok(None);
    };
    let mut candidates = BTreeSet::new();
    if !fp.bands.is_empty() {
        // Every band in one query (one round trip to a server).
        let any_band: Vec<String> = (0..fp.bands.len())
            .map(|i| format!("(band = ?{} AND band_key = ?{})", 2 * i + 2, 2 * i + 3))
            .collect();
        let sql = format!(
            "SELECT DISTINCT document_id FROM minhash_bands WHERE document_id < ?1 AND ({})",
            any_band.join(" OR ")
        );
        let mut args = vec![Value::Integer(doc_id)];
        for (band, key) in fp.bands.iter().enumerate() {
            args.extend([Value::Integer(band as i64), Value::Integer(*key as i64)]);
        }
        // Planned for this document's keys: see `query_map_replanned`.
        for r in tx.query_map_replanned(&sql, args, |r| r.get::<_, i64>(0))? {
            candidates.insert(r?);
        }
    }
    // Earliest first: the first confirmed candidate is the canonical.
    let mut found = None;
    for c in candidates {
        let blob: Vec<u8> = tx
            .prepare_cached("SELECT minhash FROM document_signatures WHERE document_id = ?1")?
            .query_row([c], |r| r.get(0))?;
        let sim = Fingerprint::similarity(&fp.minhash, &Fingerprint::minhash_from_blob(&blob));
        if sim >= threshold {
            found = Some((c, sim));
            break;
        }
    }
    tx.prepare_cached("INSERT INTO document_signatures (document_id, minhash) VALUES (?1, ?2)")?
        .execute(params![doc_id, fp.minhash_blob()])?;
    if found.is_none() {
        let rows = fp.bands.iter().enumerate().map(|(band, key)| {
            vec![
                Value::Integer(band as i64),
                Value::Integer(*key as i64),
                Value::Integer(doc_id),
            ]
        });
        insert_rows(
            tx,
            "minhash_bands (band, band_key, document_id)",
            3,
            true,
            rows,
        )?;
    }
    Ok(found)
}

/// Insert `rows` (each `cols` values) into `table_and_columns`, up to 100
/// rows per statement: one round trip per hundred rows on a server. With
/// `keep_existing`, rows whose key is already there are left as they are.
pub(crate) fn insert_rows(
    tx: &Db,
    table_and_columns: &str,
    cols: usize,
    keep_existing: bool,
    rows: impl Iterator<Item = Vec<Value>>,
) -> Result<()> {
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Value> = rows.by_ref().take(100).flatten().collect();
        let n = chunk.len() / cols;
        let values: Vec<String> = (0..n)
            .map(|r| {
                let p: Vec<String> = (1..=cols).map(|c| format!("?{}", r * cols + c)).collect();
                format!("({})", p.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {table_and_columns} VALUES {}{}",
            values.join(", "),
            if keep_existing {
                " ON CONFLICT DO NOTHING"
            } else {
                ""
            }
        );
        tx.execute(&sql, chunk)?;
    }
    Ok(())
}
