//! The read side for exports and the HTTP API: one event view over either
//! fused events (migration 3, written by `sitrep fuse`) or, when nothing has
//! been fused, the per-document events of current document versions.
//!
//! [`Store::event_views`] picks the source ([`EventSource::Auto`]: fused
//! events when there are any); [`Store::fused_views`] and
//! [`Store::document_views`] read one source each and return the same
//! [`EventView`], so callers never care which one they got.
//!
//! Per-document mode leaves out near-duplicate documents (their events are
//! the canonical copy's) and events that did not happen as told (`denied`,
//! `hypothetical`, `planned`): an export is a list of events, not of
//! statements.

use std::collections::{BTreeSet, HashMap};

use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};
use sitrep_core::event::{Event, EventActor, EventLocation, EventModality, Evidence};

use crate::db::OptionalExtension;
use crate::names::{self, EventNames};
use crate::{Result, Store};

/// Where event views come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventSource {
    /// Fused events when the store has any, else per-document events.
    #[default]
    Auto,
    /// Fused events only.
    Fused,
    /// Per-document events of current versions only.
    Documents,
}

/// Filters and paging for [`Store::event_views`]; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    /// Events that may have happened on or after this day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Events that may have happened on or before this day.
    pub to: Option<String>,
    /// An event type or sub-event type (exact ACLED string, any case).
    pub event_type: Option<String>,
    /// A GeoNames id, or a substring of the place name (resolved or as
    /// written) or of its admin1, case-insensitive.
    pub place: Option<String>,
    /// `(min_lat, min_lon, max_lat, max_lon)`.
    pub bbox: Option<(f64, f64, f64, f64)>,
    /// Substring of an actor's name or knowledge-base id, case-insensitive.
    pub actor: Option<String>,
    /// At least this many independent sources.
    pub min_sources: Option<usize>,
    /// At most this many events (after `offset`).
    pub limit: Option<usize>,
    pub offset: usize,
    /// Fill in the evidence sentences' text (one document read per
    /// document involved).
    pub texts: bool,
    /// Leave [`EventView::record`] null for fused events (list views that
    /// do not show it skip decoding it).
    pub no_record: bool,
}

/// A `{low, best, high}` figure.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    #[serde(default)]
    pub low: Option<f64>,
    #[serde(default)]
    pub best: Option<f64>,
    #[serde(default)]
    pub high: Option<f64>,
}

/// A supporting sentence of a document, with its text when asked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceText {
    pub doc: String,
    /// Code point offsets into the document text.
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
    /// The sentence (empty unless texts were asked for).
    pub text: String,
}

/// A report behind an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRef {
    pub doc: String,
    /// The per-document event (`DOCID#eN`).
    pub event: String,
    pub outlet: Option<String>,
    pub published: Option<String>,
    pub modality: String,
    /// Canonical document when this report is a syndicated copy.
    pub repeat_of: Option<String>,
}

/// One value a source gives for a field of the event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimView {
    /// `type`, `date`, `location`, `actor1`, `fatalities`, … (fused), or
    /// `event` for the whole event (per-document mode).
    pub field: String,
    pub value: serde_json::Value,
    pub text: Option<String>,
    /// The independent source the claim counts for.
    pub source: String,
    /// Who relays whom, outermost first.
    pub chain: Vec<String>,
    pub doc: String,
    pub event: String,
    pub evidence: Vec<EvidenceText>,
}

/// The event date interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DateView {
    pub start: Option<String>,
    pub end: Option<String>,
    pub precision: String,
}

/// One event as exports and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventView {
    /// Fused key (`F…`) or per-document event key (`DOCID#eN`).
    pub id: String,
    /// Whether this is a fused event (else one report's event).
    pub fused: bool,
    pub event_type: String,
    pub sub_event_type: String,
    pub date: DateView,
    pub location: Option<EventLocation>,
    pub actor1: Option<EventActor>,
    pub actor2: Option<EventActor>,
    pub associated_actors: Vec<EventActor>,
    pub fatalities: Option<Figure>,
    pub civilians: Option<Figure>,
    pub injured: Option<Figure>,
    pub displaced: Option<Figure>,
    pub means: Option<String>,
    /// The modality of the event (the first report's for fused events).
    pub modality: String,
    /// Independent sources (attributed sources, else outlets).
    pub sources: Vec<String>,
    /// Outlets of the reports.
    pub outlets: Vec<String>,
    pub reports: Vec<ReportRef>,
    /// Fusion confidence in `[0, 1]` (`None` for per-document events).
    pub confidence: Option<f64>,
    /// Flags for an analyst (fused events): `{kind, detail}`.
    pub flags: Vec<serde_json::Value>,
    pub claims: Vec<ClaimView>,
    /// Distinct supporting sentences over all reports.
    pub evidence: Vec<EvidenceText>,
    /// The stored record as is (a fused event or an extracted event).
    pub record: serde_json::Value,
}

/// One page of events.
#[derive(Debug, Clone, Serialize)]
pub struct EventPage {
    /// Events matching the filters before paging.
    pub total: usize,
    pub offset: usize,
    pub source: EventSource,
    pub events: Vec<EventView>,
}

// The part of a fused record (sitrep_fuse::FusedEvent) the views need.
// Every field defaults, so the record may grow without breaking exports.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FusedLite {
    id: String,
    event_type: String,
    sub_event_type: String,
    date: FusedDateLite,
    location: Option<EventLocation>,
    actor1: Option<EventActor>,
    actor2: Option<EventActor>,
    fatalities: Option<Figure>,
    civilians: Option<Figure>,
    injured: Option<Figure>,
    displaced: Option<Figure>,
    members: Vec<MemberLite>,
    sources: Vec<String>,
    claims: Vec<ClaimLite>,
    flags: Vec<serde_json::Value>,
    confidence: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FusedDateLite {
    start: Option<String>,
    end: Option<String>,
    precision: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MemberLite {
    event: String,
    doc: String,
    outlet: Option<String>,
    published: Option<String>,
    repeat_of: Option<String>,
    modality: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ClaimLite {
    field: String,
    value: serde_json::Value,
    text: Option<String>,
    chain: Vec<String>,
    source: String,
    doc: String,
    event: String,
    evidence: Vec<Evidence>,
}

fn modality_str(m: EventModality) -> &'static str {
    match m {
        EventModality::Asserted => "asserted",
        EventModality::Claimed => "claimed",
        EventModality::Denied => "denied",
        EventModality::Hypothetical => "hypothetical",
        EventModality::Planned => "planned",
    }
}

fn range_figure(r: &Option<sitrep_core::event::Range>) -> Option<Figure> {
    r.as_ref().map(|r| Figure {
        low: r.low,
        best: r.best,
        high: r.high,
    })
}

fn evidence_of(doc: &str, ev: &[Evidence]) -> Vec<EvidenceText> {
    ev.iter()
        .map(|e| EvidenceText {
            doc: doc.to_string(),
            start: e.start,
            end: e.end,
            byte_start: e.byte_start,
            byte_end: e.byte_end,
            text: String::new(),
        })
        .collect()
}

/// Fusion names a source it only knows by its outlet `outlet:NAME`; the
/// views show the name.
fn source_name(s: &str) -> String {
    s.strip_prefix("outlet:").unwrap_or(s).to_string()
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    let s = s.trim();
    if !s.is_empty() && !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

impl EventView {
    fn from_fused(record: serde_json::Value) -> Result<EventView> {
        let f = FusedLite::deserialize(&record)?;
        Self::from_fused_lite(f, record)
    }

    /// From the record's text; `record` stays null unless `with_record`
    /// (decoding the text straight into the view's parts allocates far
    /// less than building the JSON value).
    fn from_fused_text(rec: &str, with_record: bool) -> Result<EventView> {
        if with_record {
            return Self::from_fused(serde_json::from_str(rec)?);
        }
        Self::from_fused_lite(serde_json::from_str(rec)?, serde_json::Value::Null)
    }

    fn from_fused_lite(f: FusedLite, record: serde_json::Value) -> Result<EventView> {
        let mut outlets = Vec::new();
        let reports: Vec<ReportRef> = f
            .members
            .iter()
            .map(|m| {
                if let Some(o) = &m.outlet {
                    push_unique(&mut outlets, o);
                }
                ReportRef {
                    doc: m.doc.clone(),
                    event: m.event.clone(),
                    outlet: m.outlet.clone(),
                    published: m.published.clone(),
                    modality: m.modality.clone(),
                    repeat_of: m.repeat_of.clone(),
                }
            })
            .collect();
        let claims: Vec<ClaimView> = f
            .claims
            .into_iter()
            .map(|c| ClaimView {
                evidence: evidence_of(&c.doc, &c.evidence),
                field: c.field,
                value: c.value,
                text: c.text,
                source: source_name(&c.source),
                chain: c.chain,
                doc: c.doc,
                event: c.event,
            })
            .collect();
        let mut evidence: Vec<EvidenceText> = Vec::new();
        for c in &claims {
            for e in &c.evidence {
                if !evidence
                    .iter()
                    .any(|x| x.doc == e.doc && x.byte_start == e.byte_start)
                {
                    evidence.push(e.clone());
                }
            }
        }
        let modality = reports
            .first()
            .map(|r| r.modality.clone())
            .unwrap_or_else(|| "asserted".into());
        Ok(EventView {
            id: f.id,
            fused: true,
            event_type: f.event_type,
            sub_event_type: f.sub_event_type,
            date: DateView {
                start: f.date.start,
                end: f.date.end,
                precision: f.date.precision,
            },
            location: f.location,
            actor1: f.actor1,
            actor2: f.actor2,
            associated_actors: Vec::new(),
            fatalities: f.fatalities,
            civilians: f.civilians,
            injured: f.injured,
            displaced: f.displaced,
            means: None,
            modality,
            sources: {
                let mut v = Vec::new();
                for s in &f.sources {
                    push_unique(&mut v, &source_name(s));
                }
                v
            },
            outlets,
            reports,
            confidence: f.confidence,
            flags: f.flags,
            claims,
            evidence,
            record,
        })
    }

    fn from_document(
        ev: Event,
        doc: String,
        outlet: Option<String>,
        published: Option<String>,
    ) -> Result<EventView> {
        let record = serde_json::to_value(&ev)?;
        let evidence = evidence_of(&doc, &ev.evidence);
        let modality = modality_str(ev.modality).to_string();
        let mut sources = Vec::new();
        let mut claims = Vec::new();
        let type_value = serde_json::Value::String(ev.sub_event_type.as_str().to_string());
        for a in &ev.attributed_to {
            push_unique(&mut sources, &a.name);
            let mut chain = Vec::new();
            if let Some(o) = &outlet {
                push_unique(&mut chain, o);
            }
            if let Some(v) = &a.via {
                push_unique(&mut chain, v);
            }
            push_unique(&mut chain, &a.name);
            claims.push(ClaimView {
                field: "event".into(),
                value: type_value.clone(),
                text: Some(a.text.clone()),
                source: a.name.clone(),
                chain,
                doc: doc.clone(),
                event: ev.id.clone(),
                evidence: evidence.clone(),
            });
        }
        if sources.is_empty() {
            let src = outlet.clone().unwrap_or_else(|| doc.clone());
            push_unique(&mut sources, &src);
            claims.push(ClaimView {
                field: "event".into(),
                value: type_value,
                text: None,
                source: src.clone(),
                chain: vec![src],
                doc: doc.clone(),
                event: ev.id.clone(),
                evidence: evidence.clone(),
            });
        }
        let outlets = outlet.iter().cloned().collect();
        Ok(EventView {
            id: ev.id.clone(),
            fused: false,
            event_type: ev.event_type.as_str().to_string(),
            sub_event_type: ev.sub_event_type.as_str().to_string(),
            date: DateView {
                start: ev.date.start.clone(),
                end: ev.date.end.clone(),
                precision: ev.date.precision.clone(),
            },
            location: ev.location.clone(),
            actor1: ev.actor1.clone(),
            actor2: ev.actor2.clone(),
            associated_actors: ev.associated_actors.clone(),
            fatalities: range_figure(&ev.fatalities.total),
            civilians: range_figure(&ev.fatalities.civilians),
            injured: range_figure(&ev.injured),
            displaced: range_figure(&ev.displaced),
            means: ev.means.clone(),
            modality,
            sources,
            outlets,
            reports: vec![ReportRef {
                doc,
                event: ev.id.clone(),
                outlet,
                published,
                modality: modality_str(ev.modality).to_string(),
                repeat_of: None,
            }],
            confidence: None,
            flags: Vec::new(),
            claims,
            evidence,
            record,
        })
    }

    /// Whether the event matches the filters SQL does not apply.
    fn matches(&self, q: &EventQuery) -> bool {
        rust_filters_match(
            q,
            self.location.as_ref(),
            self.actor1
                .iter()
                .chain(self.actor2.iter())
                .chain(self.associated_actors.iter()),
            self.sources.len(),
        )
    }

    fn sort_key(&self) -> (Option<&str>, &str) {
        (self.date.start.as_deref(), self.id.as_str())
    }
}

/// The filters SQL does not apply (place, actor, source count), on the
/// parts of an event they read.
fn rust_filters_match<'a>(
    q: &EventQuery,
    location: Option<&EventLocation>,
    mut actors: impl Iterator<Item = &'a EventActor>,
    n_sources: usize,
) -> bool {
    if let Some(p) = &q.place {
        let p = p.trim().to_lowercase();
        let Some(l) = location else {
            return false;
        };
        let by_id = l.geonames_id.is_some_and(|g| g.to_string() == p);
        let by_name = [Some(&l.name), Some(&l.text), l.admin1.as_ref()]
            .into_iter()
            .flatten()
            .any(|s| s.to_lowercase().contains(&p));
        if !by_id && !by_name {
            return false;
        }
    }
    if let Some(a) = &q.actor {
        let a = a.trim().to_lowercase();
        let hit = actors.any(|x| {
            x.name.to_lowercase().contains(&a)
                || x.text.to_lowercase().contains(&a)
                || x.id.as_ref().is_some_and(|i| i.to_lowercase().contains(&a))
        });
        if !hit {
            return false;
        }
    }
    if let Some(n) = q.min_sources {
        if n_sources < n {
            return false;
        }
    }
    true
}

/// The parts of a fused record the place, actor and source filters read
/// (serde skips the rest without building it).
#[derive(Deserialize)]
struct FusedFilterLite {
    #[serde(default)]
    location: Option<EventLocation>,
    #[serde(default)]
    actor1: Option<EventActor>,
    #[serde(default)]
    actor2: Option<EventActor>,
    #[serde(default)]
    sources: Vec<String>,
}

/// The names a fused record carries for the place, actor and source
/// filters: what [`EventView::matches`] reads of the view made from it
/// (location, actor 1 and 2, sources as the view names them).
pub(crate) fn fused_names(rec: &str) -> Result<EventNames> {
    let lite: FusedFilterLite = serde_json::from_str(rec)?;
    let sources: Vec<String> = lite.sources.iter().map(|s| source_name(s)).collect();
    Ok(EventNames::new(
        lite.location.as_ref(),
        lite.actor1.iter().chain(lite.actor2.iter()),
        sources.iter().map(String::as_str),
    ))
}

/// SQL conditions for the filters both event tables can answer; `p` is the
/// table alias with its dot.
fn sql_filters(q: &EventQuery, p: &str, sql: &mut String, args: &mut Vec<SqlValue>) {
    if let Some(from) = &q.from {
        sql.push_str(&format!(" AND COALESCE({p}date_end, {p}date_start) >= ?"));
        args.push(SqlValue::Text(from.clone()));
    }
    if let Some(to) = &q.to {
        sql.push_str(&format!(" AND {p}date_start <= ?"));
        args.push(SqlValue::Text(to.clone()));
    }
    if let Some(t) = &q.event_type {
        sql.push_str(&format!(
            " AND (lower({p}sub_event_type) = lower(?) OR lower({p}event_type) = lower(?))"
        ));
        args.push(SqlValue::Text(t.trim().to_string()));
        args.push(SqlValue::Text(t.trim().to_string()));
    }
    if let Some((a, b, c, d)) = q.bbox {
        sql.push_str(&format!(
            " AND {p}lat >= ? AND {p}lon >= ? AND {p}lat <= ? AND {p}lon <= ?"
        ));
        args.extend([
            SqlValue::Real(a),
            SqlValue::Real(b),
            SqlValue::Real(c),
            SqlValue::Real(d),
        ]);
    }
}

/// SQL conditions for the place, actor and source-count filters, over
/// the names kept at write time (migration 5); `fused` picks the fused or
/// the per-document tables. They select exactly what
/// [`rust_filters_match`] keeps: the names are the strings it compares and
/// `names.folded` their lower case, searched for the lower-cased filter.
fn name_filters(q: &EventQuery, fused: bool, sql: &mut String, args: &mut Vec<SqlValue>) {
    let (p, table, col) = if fused {
        ("f.", "fused_event_names", "fused_id")
    } else {
        ("e.", "event_names", "event_id")
    };
    // The distinct names first, then their events by the primary key
    // (name, kind, event): written as a join, SQLite without statistics
    // scanned every link row instead (130 ms against 9 ms on 424,000).
    let named = |kind: &str| {
        format!(
            "{p}id IN (SELECT x.{col} FROM {table} x WHERE x.kind = '{kind}'
             AND x.name_id IN (SELECT n.id FROM names n WHERE instr(n.folded, ?) > 0))"
        )
    };
    if let Some(place) = &q.place {
        let place = place.trim().to_lowercase();
        // A GeoNames id matches when the filter is its decimal form.
        match place.parse::<u32>() {
            Ok(g) if g.to_string() == place => {
                sql.push_str(&format!(
                    " AND ({p}geonames_id = ? OR {})",
                    named(names::PLACE)
                ));
                args.push(SqlValue::Integer(i64::from(g)));
            }
            _ => sql.push_str(&format!(" AND {}", named(names::PLACE))),
        }
        args.push(SqlValue::Text(place));
    }
    if let Some(actor) = &q.actor {
        sql.push_str(&format!(" AND {}", named(names::ACTOR)));
        args.push(SqlValue::Text(actor.trim().to_lowercase()));
    }
    // A per-document event counts its attributed sources, or one (its
    // outlet or document) when it has none.
    let floor = if fused { 0 } else { 1 };
    if let Some(n) = q.min_sources.filter(|n| *n > floor) {
        sql.push_str(&format!(
            " AND (SELECT COUNT(*) FROM {table} s WHERE s.{col} = {p}id AND s.kind = '{}') >= ?",
            names::SOURCE
        ));
        args.push(SqlValue::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
    }
}

const DOC_EVENTS: &str = "SELECT e.record, d.doc_key, o.name, d.published_date
     FROM events e
     JOIN documents d ON d.id = e.document_id
     JOIN document_versions v ON v.id = e.version_id AND v.version = d.current_version
     LEFT JOIN outlets o ON o.id = d.outlet_id";

impl Store {
    /// Whether the store holds fused events (so `Auto` reads them).
    pub fn has_fused_events(&self) -> Result<bool> {
        self.conn
            .query_row("SELECT EXISTS (SELECT 1 FROM fused_events)", [], |r| {
                r.get::<_, bool>(0)
            })
    }

    /// Which source `source` means for this store now.
    pub fn resolve_source(&self, source: EventSource) -> Result<EventSource> {
        Ok(match source {
            EventSource::Auto if self.has_fused_events()? => EventSource::Fused,
            EventSource::Auto => EventSource::Documents,
            s => s,
        })
    }

    /// Events matching `q`, by date then id, from `source`. This is the one
    /// function exports and the API call.
    pub fn event_views(&self, source: EventSource, q: &EventQuery) -> Result<EventPage> {
        let source = self.resolve_source(source)?;
        // PostgreSQL cannot take text with a NUL character (nor stores
        // any): such a filter matches nothing there.
        let nul = [&q.place, &q.actor]
            .into_iter()
            .flatten()
            .any(|s| s.contains('\0'));
        if nul && self.backend() == crate::Backend::Postgres {
            return Ok(EventPage {
                total: 0,
                offset: q.offset,
                source,
                events: Vec::new(),
            });
        }
        self.indexed_page(source, q)
    }

    /// The reference answer to [`Store::event_views`]: every event the SQL
    /// filters leave decoded in full, then filtered, sorted and paged in
    /// memory. Slow on a big store; tests compare the faster paths with it.
    pub fn scan_event_views(&self, source: EventSource, q: &EventQuery) -> Result<EventPage> {
        let source = self.resolve_source(source)?;
        let all = match source {
            EventSource::Fused => self.fused_views(q)?,
            _ => self.document_views(q)?,
        };
        self.page(source, all, q)
    }

    /// A page of events: the total and the page's row ids come from the
    /// list indexes (migration 4) in the order of [`EventView::sort_key`]
    /// (NULL dates first), with the place, actor and source filters
    /// answered by the names tables (migration 5); only the page's records
    /// are read and decoded.
    fn indexed_page(&self, source: EventSource, q: &EventQuery) -> Result<EventPage> {
        let fused = matches!(source, EventSource::Fused);
        let (from, p, order) = if fused {
            (
                "FROM fused_events f WHERE 1 = 1",
                "f.",
                "f.date_start NULLS FIRST, f.fused_key",
            )
        } else {
            (
                "FROM events e
                 JOIN documents d ON d.id = e.document_id
                 JOIN document_versions v ON v.id = e.version_id AND v.version = d.current_version
                 WHERE d.duplicate_of IS NULL AND e.modality IN ('asserted', 'claimed')",
                "e.",
                "e.date_start NULLS FIRST, e.event_key",
            )
        };
        let mut filters = String::new();
        let mut args = Vec::new();
        sql_filters(q, p, &mut filters, &mut args);
        name_filters(q, fused, &mut filters, &mut args);
        // One read snapshot for the count, the ids and the records, so a
        // fusion or ingest committing meanwhile cannot tear the page.
        let snapshot = self.conn.read_snapshot()?;
        let total: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) {from}{filters}"),
            args.clone(),
            |r| r.get(0),
        )?;
        let limit = q
            .limit
            .map_or(i64::MAX, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
        args.push(SqlValue::Integer(limit));
        args.push(SqlValue::Integer(offset));
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {p}id {from}{filters} ORDER BY {order} LIMIT ? OFFSET ?"
        ))?;
        let ids: Vec<i64> = st
            .query_map(args, |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        let mut events = Vec::with_capacity(ids.len());
        for id in ids {
            let view = if fused {
                let rec: String = self
                    .conn
                    .prepare_cached("SELECT record FROM fused_events WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))?;
                EventView::from_fused_text(&rec, !q.no_record)?
            } else {
                let sql = format!("{DOC_EVENTS} WHERE e.id = ?");
                let mut v = self.doc_rows(&sql, vec![SqlValue::Integer(id)])?;
                v.pop().ok_or_else(|| crate::StoreError::Corrupt {
                    what: "event row",
                    detail: format!("event {id} vanished while it was read"),
                })?
            };
            events.push(view);
        }
        if q.texts {
            self.fill_texts(&mut events)?;
        }
        drop(snapshot);
        Ok(EventPage {
            total: usize::try_from(total).unwrap_or(0),
            offset: q.offset,
            source,
            events,
        })
    }

    fn page(
        &self,
        source: EventSource,
        mut all: Vec<EventView>,
        q: &EventQuery,
    ) -> Result<EventPage> {
        all.retain(|e| e.matches(q));
        all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let total = all.len();
        let mut events: Vec<EventView> = all
            .into_iter()
            .skip(q.offset)
            .take(q.limit.unwrap_or(usize::MAX))
            .collect();
        if q.texts {
            self.fill_texts(&mut events)?;
        }
        Ok(EventPage {
            total,
            offset: q.offset,
            source,
            events,
        })
    }

    /// Fused events matching the SQL-side filters of `q` (unsorted, unpaged).
    pub fn fused_views(&self, q: &EventQuery) -> Result<Vec<EventView>> {
        let mut sql = String::from("SELECT f.record FROM fused_events f WHERE 1 = 1");
        let mut args = Vec::new();
        sql_filters(q, "f.", &mut sql, &mut args);
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(args, |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(EventView::from_fused(serde_json::from_str(&r?)?)?);
        }
        Ok(out)
    }

    /// Per-document events of current versions of canonical documents,
    /// stated as happening (asserted or claimed), matching the SQL-side
    /// filters of `q` (unsorted, unpaged).
    pub fn document_views(&self, q: &EventQuery) -> Result<Vec<EventView>> {
        let mut sql = format!(
            "{DOC_EVENTS} WHERE d.duplicate_of IS NULL AND e.modality IN ('asserted', 'claimed')"
        );
        let mut args = Vec::new();
        sql_filters(q, "e.", &mut sql, &mut args);
        self.doc_rows(&sql, args)
    }

    fn doc_rows(&self, sql: &str, args: Vec<SqlValue>) -> Result<Vec<EventView>> {
        let mut st = self.conn.prepare_cached(sql)?;
        let rows = st.query_map(args, |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (rec, doc, outlet, published) = r?;
            let ev: Event = serde_json::from_str(&rec)?;
            out.push(EventView::from_document(ev, doc, outlet, published)?);
        }
        Ok(out)
    }

    /// One event by id, with its evidence texts: a fused key (`F…`, or a
    /// unique prefix of one) or a per-document event key (`DOCID#eN`, any
    /// modality, current version). `None` when unknown.
    pub fn event_view(&self, id: &str) -> Result<Option<EventView>> {
        let id = id.trim();
        if id.is_empty() {
            return Ok(None);
        }
        let mut view = if id.contains('#') {
            let sql = format!("{DOC_EVENTS} WHERE e.event_key = ?");
            self.doc_rows(&sql, vec![SqlValue::Text(id.to_string())])?
                .into_iter()
                .next()
        } else {
            match self.fused_record(id)? {
                Some(rec) => Some(EventView::from_fused(serde_json::from_str(&rec)?)?),
                None => None,
            }
        };
        if let Some(v) = view.as_mut() {
            self.fill_texts(std::slice::from_mut(v))?;
        }
        Ok(view)
    }

    /// Fill in the text of every evidence sentence (claims' and the
    /// event's), reading each document once.
    pub fn fill_texts(&self, events: &mut [EventView]) -> Result<()> {
        let mut cache: HashMap<String, Option<String>> = HashMap::new();
        let mut docs = BTreeSet::new();
        for e in events.iter() {
            for x in e
                .evidence
                .iter()
                .chain(e.claims.iter().flat_map(|c| &c.evidence))
            {
                docs.insert(x.doc.clone());
            }
        }
        for d in docs {
            let t = self.current_text_of(&d)?;
            cache.insert(d, t);
        }
        let fill = |x: &mut EvidenceText| {
            if let Some(Some(t)) = cache.get(&x.doc) {
                x.text = t
                    .get(x.byte_start..x.byte_end)
                    .unwrap_or("")
                    .trim()
                    .to_string();
            }
        };
        for e in events.iter_mut() {
            e.evidence.iter_mut().for_each(fill);
            for c in e.claims.iter_mut() {
                c.evidence.iter_mut().for_each(fill);
            }
        }
        Ok(())
    }

    /// A fused record by key, or by a prefix that only one key has.
    fn fused_record(&self, key: &str) -> Result<Option<String>> {
        let exact = self
            .conn
            .query_row(
                "SELECT record FROM fused_events WHERE fused_key = ?1",
                [key],
                |r| r.get::<_, String>(0),
            )
            .optional()?;
        if exact.is_some() {
            return Ok(exact);
        }
        let mut st = self.conn.prepare_cached(
            "SELECT record FROM fused_events WHERE substr(fused_key, 1, length(?1)) = ?1 LIMIT 2",
        )?;
        let rows: Vec<String> = st
            .query_map([key], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        Ok(if rows.len() == 1 {
            rows.into_iter().next()
        } else {
            None
        })
    }

    fn current_text_of(&self, doc_key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT v.source, v.text FROM documents d JOIN document_versions v
                 ON v.document_id = d.id AND v.version = d.current_version WHERE d.doc_key = ?1",
                [doc_key],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?
            .map(|(source, text)| if text.is_empty() { source } else { text }))
    }
}
