//! The read side: listings and whole documents.

use chrono::NaiveDate;
use rusqlite::params;
use serde::Serialize;
use sitrep_core::{
    DateOrigin, DatePrecision, Diagnostic, Document, DocumentMeta, Language, OffsetMap,
    PublishedDate, RemovalReason, Segment, SegmentKind, Severity, SourceFormat, Span,
};

use crate::db::{OptionalExtension, Row};
use crate::{Result, Store, StoreError};

/// Which documents `list` returns.
#[derive(Debug, Clone, Default)]
pub struct DocFilter {
    /// Outlet name, compared case-insensitively.
    pub outlet: Option<String>,
    /// ISO 639-3 language code (`eng`, `ara`, `und`).
    pub language: Option<String>,
    /// Leave out near-duplicates.
    pub canonical_only: bool,
}

/// One row of `sitrep docs`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocSummary {
    pub key: String,
    pub version: i64,
    pub outlet: Option<String>,
    pub published: PublishedDate,
    pub language: Option<Language>,
    pub words: i64,
    pub duplicate_of: Option<String>,
    pub similarity: Option<f64>,
    pub format: String,
    pub origin: String,
    pub url: Option<String>,
    pub title: Option<String>,
    pub content_hash: String,
    pub ingested_at: String,
    pub updated_at: String,
}

/// One stored version of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    pub version: i64,
    pub content_hash: String,
    pub origin: String,
    pub ingested_at: String,
}

/// A stored document: its summary, its current version rebuilt as a
/// `Document` (source, text, segments, diagnostics) and its version history.
#[derive(Debug, Clone, Serialize)]
pub struct StoredDocument {
    #[serde(flatten)]
    pub summary: DocSummary,
    pub document: Document,
    pub versions: Vec<VersionInfo>,
}

const SUMMARY_COLUMNS: &str = "d.doc_key, d.current_version, o.name, d.published_date,
    d.published_precision, d.published_origin, d.published_ambiguous, d.published_text,
    d.published_start, d.published_end, d.language, d.language_confidence, d.word_count,
    c.doc_key, d.similarity, d.format, d.origin, d.url, d.title, d.content_hash,
    d.ingested_at, d.updated_at, d.id";

const SUMMARY_FROM: &str = "FROM documents d
    LEFT JOIN outlets o ON o.id = d.outlet_id
    LEFT JOIN documents c ON c.id = d.duplicate_of";

fn corrupt(what: &'static str, detail: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        what,
        detail: detail.into(),
    }
}

fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<(DocSummary, i64)> {
    let date: Option<String> = r.get(3)?;
    let precision: String = r.get(4)?;
    let origin: String = r.get(5)?;
    let start: Option<i64> = r.get(8)?;
    let end: Option<i64> = r.get(9)?;
    let published = PublishedDate {
        date: date.and_then(|d| d.parse::<NaiveDate>().ok()),
        precision: DatePrecision::parse(&precision).unwrap_or(DatePrecision::Unknown),
        origin: DateOrigin::parse(&origin).unwrap_or(DateOrigin::Unknown),
        ambiguous: r.get(6)?,
        text: r.get(7)?,
        span: match (start, end) {
            (Some(s), Some(e)) if 0 <= s && s <= e => Some(Span::new(s as usize, e as usize)),
            _ => None,
        },
    };
    let lang: Option<String> = r.get(10)?;
    let language = lang.map(|code| Language {
        code,
        confidence: r.get::<_, Option<f64>>(11).ok().flatten().unwrap_or(0.0),
    });
    Ok((
        DocSummary {
            key: r.get(0)?,
            version: r.get(1)?,
            outlet: r.get(2)?,
            published,
            language,
            words: r.get(12)?,
            duplicate_of: r.get(13)?,
            similarity: r.get(14)?,
            format: r.get(15)?,
            origin: r.get(16)?,
            url: r.get(17)?,
            title: r.get(18)?,
            content_hash: r.get(19)?,
            ingested_at: r.get(20)?,
            updated_at: r.get(21)?,
        },
        r.get(22)?,
    ))
}

impl Store {
    /// Documents matching `filter`, in ingestion order.
    pub fn list(&self, filter: &DocFilter) -> Result<Vec<DocSummary>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} {SUMMARY_FROM}
             WHERE (CAST(?1 AS TEXT) IS NULL OR lower(o.name) = lower(?1))
               AND (CAST(?2 AS TEXT) IS NULL OR d.language = ?2)
               AND (?3 = 0 OR d.duplicate_of IS NULL)
             ORDER BY d.id"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(
            params![filter.outlet, filter.language, filter.canonical_only],
            |r| summary_from_row(r).map(|t| t.0),
        )?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Number of stored documents.
    pub fn count(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM documents", [], |r| r.get(0))
    }

    /// Up to `n` stored keys that contain `fragment`, for "did you mean".
    pub fn keys_like(&self, fragment: &str, n: usize) -> Result<Vec<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT doc_key FROM documents WHERE instr(lower(doc_key), lower(?1)) > 0
             ORDER BY id LIMIT ?2",
        )?;
        let rows = st.query_map(params![fragment, n as i64], |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The events of the current version of the document stored under
    /// `key`, in extraction order (empty for an unknown key).
    pub fn events_of(&self, key: &str) -> Result<Vec<sitrep_core::event::Event>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.record FROM events e
             JOIN documents d ON d.id = e.document_id
             JOIN document_versions v ON v.id = e.version_id AND v.version = d.current_version
             WHERE d.doc_key = ?1 ORDER BY e.id",
        )?;
        let rows = stmt.query_map([key], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(serde_json::from_str(&r?)?);
        }
        Ok(out)
    }

    /// Number of events of current document versions.
    pub fn event_count(&self) -> Result<i64> {
        self.conn.query_row(
            "SELECT COUNT(*) FROM events e JOIN documents d ON d.id = e.document_id
             JOIN document_versions v ON v.id = e.version_id AND v.version = d.current_version",
            [],
            |r| r.get(0),
        )
    }

    /// The document stored under `key`, with its current version, or `None`.
    pub fn document(&self, key: &str) -> Result<Option<StoredDocument>> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} {SUMMARY_FROM} WHERE d.doc_key = ?1");
        let Some((summary, id)) = self
            .conn
            .prepare_cached(&sql)?
            .query_row([key], summary_from_row)
            .optional()?
        else {
            return Ok(None);
        };
        let (vid, source, text, text_map, vmeta): (i64, String, String, String, String) =
            self.conn.query_row(
                "SELECT id, source, text, text_map, meta FROM document_versions
                 WHERE document_id = ?1 AND version = ?2",
                params![id, summary.version],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )?;
        let meta: DocumentMeta = serde_json::from_str(&vmeta)?;
        let text_map: OffsetMap = serde_json::from_str(&text_map)?;
        let format = match summary.format.as_str() {
            "html" => SourceFormat::Html,
            "text" => SourceFormat::Text,
            other => return Err(corrupt("documents.format", other)),
        };
        let text = if text.is_empty() && text_map.is_identity() {
            source.clone()
        } else {
            text
        };
        let segments = self.segments(vid)?;
        let diagnostics = self.diagnostics(vid)?;
        let versions = self.versions(id)?;
        let document = Document {
            key: summary.key.clone(),
            origin: summary.origin.clone(),
            format,
            source,
            text,
            text_map,
            meta,
            published: summary.published.clone(),
            outlet: summary.outlet.clone(),
            language: summary.language.clone(),
            segments,
            diagnostics,
        };
        Ok(Some(StoredDocument {
            summary,
            document,
            versions,
        }))
    }

    fn segments(&self, vid: i64) -> Result<Vec<Segment>> {
        let mut st = self.conn.prepare_cached(
            "SELECT span_start, span_end, kind, reason FROM segments
             WHERE version_id = ?1 ORDER BY seq",
        )?;
        let rows = st.query_map([vid], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (s, e, kind, reason) = row?;
            let kind = match (kind.as_str(), reason.as_deref()) {
                ("title", _) => SegmentKind::Title,
                ("dateline", _) => SegmentKind::Dateline,
                ("body", _) => SegmentKind::Body,
                ("removed", Some(r)) => SegmentKind::Removed(
                    RemovalReason::parse(r).ok_or_else(|| corrupt("segments.reason", r))?,
                ),
                (k, _) => return Err(corrupt("segments.kind", k)),
            };
            if s < 0 || e < s {
                return Err(corrupt("segments span", format!("{s}..{e}")));
            }
            out.push(Segment {
                span: Span::new(s as usize, e as usize),
                kind,
            });
        }
        Ok(out)
    }

    fn diagnostics(&self, vid: i64) -> Result<Vec<Diagnostic>> {
        let mut st = self.conn.prepare_cached(
            "SELECT severity, code, message, span_start, span_end FROM diagnostics
             WHERE version_id = ?1 ORDER BY seq",
        )?;
        let rows = st.query_map([vid], |r| {
            let sev: String = r.get(0)?;
            let severity = match sev.as_str() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                _ => Severity::Info,
            };
            let s: Option<i64> = r.get(3)?;
            let e: Option<i64> = r.get(4)?;
            let mut d = Diagnostic::new(severity, r.get::<_, String>(1)?, r.get::<_, String>(2)?);
            if let (Some(s), Some(e)) = (s, e) {
                if 0 <= s && s <= e {
                    d.span = Some(Span::new(s as usize, e as usize));
                }
            }
            Ok(d)
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn versions(&self, id: i64) -> Result<Vec<VersionInfo>> {
        let mut st = self.conn.prepare_cached(
            "SELECT version, content_hash, origin, ingested_at FROM document_versions
             WHERE document_id = ?1 ORDER BY version",
        )?;
        let rows = st.query_map([id], |r| {
            Ok(VersionInfo {
                version: r.get(0)?,
                content_hash: r.get(1)?,
                origin: r.get(2)?,
                ingested_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}
