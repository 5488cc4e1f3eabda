//! Fused events: the inputs fusion needs, and the fused events, claims,
//! merge decisions and log it produces (migration 3).
//!
//! The store does not fuse; it hands the events of current document
//! versions to the caller (with their document's outlet, date, canonical
//! and evidence text) and replaces the fused events of whole blocks in one
//! transaction.

use std::collections::{BTreeSet, HashMap};

use rusqlite::params;
use sitrep_core::event::Event;

use crate::db::OptionalExtension;
use crate::ingest::insert_rows;
use crate::{now, Result, Store};

/// One event of a current document version, with what fusion needs.
#[derive(Debug, Clone)]
pub struct FusionInput {
    /// `events.id`.
    pub event_row: i64,
    pub doc_key: String,
    pub outlet: Option<String>,
    pub published: Option<String>,
    /// Key of the canonical document when this is a near-duplicate.
    pub duplicate_of: Option<String>,
    /// The canonical document's outlet.
    pub canonical_outlet: Option<String>,
    pub event: Event,
    /// The evidence sentences' text (empty unless asked for).
    pub evidence_text: Vec<String>,
}

/// A claim row.
#[derive(Debug, Clone)]
pub struct ClaimRow {
    pub event_row: i64,
    pub field: String,
    pub value: String,
    pub text: Option<String>,
    pub source: String,
    pub chain: String,
    pub repeat_of: Option<String>,
    pub evidence: String,
}

/// A merge decision row.
#[derive(Debug, Clone)]
pub struct LinkRow {
    pub a: String,
    pub b: String,
    pub score: f64,
    pub decision: String,
    pub parts: String,
}

/// One fused event to store.
#[derive(Debug, Clone, Default)]
pub struct FusedRow {
    pub key: String,
    pub block: String,
    pub event_type: String,
    pub sub_event_type: String,
    pub date_start: Option<String>,
    pub date_end: Option<String>,
    pub date_precision: String,
    pub location_name: Option<String>,
    pub geonames_id: Option<i64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub country_code: Option<String>,
    pub n_reports: i64,
    pub n_sources: i64,
    pub fatalities: (Option<f64>, Option<f64>, Option<f64>),
    pub confidence: f64,
    /// JSON array of flags.
    pub flags: String,
    /// Lower-cased actor names and ids, `|`-separated (for `--actor`).
    pub actors: String,
    /// The full fused event as JSON.
    pub record: String,
    /// `(events.id, role)`: `member` or `denial`.
    pub members: Vec<(i64, String)>,
    pub claims: Vec<ClaimRow>,
    pub links: Vec<LinkRow>,
}

/// One line of the fusion log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LogRow {
    pub run_id: Option<i64>,
    pub at: String,
    pub block: String,
    pub fused_key: Option<String>,
    pub action: String,
    pub detail: String,
}

/// Filters for [`Store::fused_events`]; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct FusedFilter {
    pub geonames_ids: Option<Vec<i64>>,
    /// `(min_lat, min_lon, max_lat, max_lon)`.
    pub bbox: Option<(f64, f64, f64, f64)>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Exact sub-event type or event type.
    pub event_type: Option<String>,
    /// Substring of an actor's name or id (case-insensitive).
    pub actor: Option<String>,
    pub min_sources: Option<i64>,
    pub limit: Option<i64>,
}

/// A place named by stored events: GeoNames id (if any), the resolved name,
/// the toponyms as written and the coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceName {
    pub geonames_id: Option<i64>,
    pub name: String,
    pub written: Vec<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// Places by (GeoNames id, resolved name), built event by event in the
/// order of the events: the first gives the coordinates, each new toponym
/// is appended.
#[derive(Default)]
struct Places(std::collections::BTreeMap<(Option<i64>, String), PlaceName>);

impl Places {
    fn add(
        &mut self,
        g: Option<i64>,
        name: String,
        written: String,
        lat: Option<f64>,
        lon: Option<f64>,
    ) {
        let p = self
            .0
            .entry((g, name.clone()))
            .or_insert_with(|| PlaceName {
                geonames_id: g,
                name,
                written: Vec::new(),
                lat,
                lon,
            });
        if !written.is_empty() && !p.written.contains(&written) {
            p.written.push(written);
        }
    }
}

const CURRENT_EVENTS: &str = "FROM events e
     JOIN documents d ON d.id = e.document_id
     JOIN document_versions v ON v.id = e.version_id AND v.version = d.current_version";

impl Store {
    /// Events of current versions that have no fusion block yet (new since
    /// the last fusion).
    pub fn unblocked_events(&self) -> Result<Vec<(i64, Event)>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT e.id, e.record {CURRENT_EVENTS}
             WHERE NOT EXISTS (SELECT 1 FROM event_blocks b WHERE b.event_id = e.id)
             ORDER BY e.id"
        ))?;
        let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for r in rows {
            let (id, rec) = r?;
            out.push((id, serde_json::from_str(&rec)?));
        }
        Ok(out)
    }

    /// Blocks holding events of superseded versions (their document has a
    /// newer version): they must be fused again. The stale rows are removed.
    pub fn take_stale_blocks(&mut self) -> Result<Vec<String>> {
        let tx = self.conn.transaction()?;
        let stale_sql = "FROM event_blocks b WHERE NOT EXISTS (
                 SELECT 1 FROM events e JOIN documents d ON d.id = e.document_id
                 JOIN document_versions v ON v.id = e.version_id AND v.version = d.current_version
                 WHERE e.id = b.event_id)";
        let blocks: Vec<String> = {
            let mut st = tx.prepare(&format!("SELECT DISTINCT b.block {stale_sql}"))?;
            let rows = st.query_map([], |r| r.get(0))?;
            rows.collect::<std::result::Result<_, _>>()?
        };
        tx.execute(
            &format!("DELETE FROM event_blocks WHERE event_id IN (SELECT b.event_id {stale_sql})"),
            [],
        )?;
        tx.commit()?;
        Ok(blocks)
    }

    /// Record the block of each event.
    pub fn assign_blocks(&mut self, rows: &[(i64, String)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO event_blocks (event_id, block) VALUES (?1, ?2)
                 ON CONFLICT (event_id) DO UPDATE SET block = excluded.block",
            )?;
            for (id, b) in rows {
                ins.execute(params![id, b])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every block that has events.
    pub fn all_blocks(&self) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare("SELECT DISTINCT block FROM event_blocks ORDER BY block")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The current events of the given blocks with their documents'
    /// context, and (with `texts`) their evidence sentences.
    pub fn fusion_inputs(&self, blocks: &[String], texts: bool) -> Result<Vec<FusionInput>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT e.id, e.record, d.doc_key, o.name, d.published_date, c.doc_key, v.id, co.name
             {CURRENT_EVENTS}
             JOIN event_blocks b ON b.event_id = e.id
             LEFT JOIN outlets o ON o.id = d.outlet_id
             LEFT JOIN documents c ON c.id = d.duplicate_of
             LEFT JOIN outlets co ON co.id = c.outlet_id
             WHERE b.block = ?1 ORDER BY e.id"
        ))?;
        let mut text_cache: HashMap<i64, String> = HashMap::new();
        let mut out = Vec::new();
        for block in blocks {
            let rows = st.query_map([block], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            })?;
            for row in rows {
                let (id, rec, doc_key, outlet, published, dup, vid, canonical_outlet) = row?;
                let event: Event = serde_json::from_str(&rec)?;
                let mut evidence_text = Vec::new();
                if texts {
                    if let std::collections::hash_map::Entry::Vacant(slot) = text_cache.entry(vid) {
                        slot.insert(self.version_text(vid)?);
                    }
                    let t = text_cache.get(&vid).map(String::as_str).unwrap_or("");
                    for ev in &event.evidence {
                        evidence_text.push(
                            t.get(ev.byte_start..ev.byte_end)
                                .unwrap_or("")
                                .trim()
                                .to_string(),
                        );
                    }
                }
                out.push(FusionInput {
                    event_row: id,
                    doc_key,
                    outlet,
                    published,
                    duplicate_of: dup,
                    canonical_outlet,
                    event,
                    evidence_text,
                });
            }
        }
        Ok(out)
    }

    /// The text of a document version (its source for plain text).
    pub fn version_text(&self, vid: i64) -> Result<String> {
        let (source, text): (String, String) = self.conn.query_row(
            "SELECT source, text FROM document_versions WHERE id = ?1",
            [vid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(if text.is_empty() { source } else { text })
    }

    /// The text of a document's current version.
    pub fn current_text(&self, doc_key: &str) -> Result<Option<String>> {
        let vid: Option<i64> = self
            .conn
            .query_row(
                "SELECT v.id FROM documents d JOIN document_versions v
                 ON v.document_id = d.id AND v.version = d.current_version WHERE d.doc_key = ?1",
                [doc_key],
                |r| r.get(0),
            )
            .optional()?;
        match vid {
            Some(v) => Ok(Some(self.version_text(v)?)),
            None => Ok(None),
        }
    }

    /// The stored fused events of the given blocks: key and member event
    /// keys (for the change log).
    pub fn fused_members_of_blocks(&self, blocks: &[String]) -> Result<Vec<(String, Vec<String>)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT f.fused_key, e.event_key FROM fused_events f
             JOIN fused_members m ON m.fused_id = f.id AND m.role = 'member'
             JOIN events e ON e.id = m.event_id
             WHERE f.block = ?1 ORDER BY f.fused_key, e.event_key",
        )?;
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for b in blocks {
            let rows = st.query_map([b], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?;
            for row in rows {
                let (k, e) = row?;
                match out.last_mut() {
                    Some((lk, v)) if *lk == k => v.push(e),
                    _ => out.push((k, vec![e])),
                }
            }
        }
        Ok(out)
    }

    /// Replace the fused events of `blocks` with `rows` and append `log`, in
    /// one transaction.
    pub fn replace_fusion(
        &mut self,
        blocks: &[String],
        rows: &[FusedRow],
        log: &[LogRow],
    ) -> Result<()> {
        use rusqlite::types::Value as V;
        let tx = self.conn.transaction()?;
        let stamp = now();
        let (mut members, mut claims, mut links) = (Vec::new(), Vec::new(), Vec::new());
        let mut names = Vec::with_capacity(rows.len());
        for b in blocks {
            for table in [
                "claims",
                "fusion_links",
                "fused_members",
                "fused_event_names",
            ] {
                tx.prepare_cached(&format!(
                    "DELETE FROM {table} WHERE fused_id IN (SELECT id FROM fused_events WHERE block = ?1)"
                ))?
                .execute([b])?;
            }
            tx.prepare_cached("DELETE FROM fused_events WHERE block = ?1")?
                .execute([b])?;
        }
        for f in rows {
            let fid: i64 = tx.prepare_cached(
                "INSERT INTO fused_events (fused_key, block, event_type, sub_event_type, date_start,
                    date_end, date_precision, location_name, geonames_id, lat, lon, country_code,
                    n_reports, n_sources, fatalities_low, fatalities_best, fatalities_high,
                    confidence, flags, actors, record, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19, ?20, ?21, ?22)
                 RETURNING id",
            )?
            .query_row(
                params![
                f.key,
                f.block,
                f.event_type,
                f.sub_event_type,
                f.date_start,
                f.date_end,
                f.date_precision,
                f.location_name,
                f.geonames_id,
                f.lat,
                f.lon,
                f.country_code,
                f.n_reports,
                f.n_sources,
                f.fatalities.0,
                f.fatalities.1,
                f.fatalities.2,
                f.confidence,
                f.flags,
                f.actors,
                f.record,
                stamp,
            ],
                |r| r.get(0),
            )?;
            names.push((fid, crate::export::fused_names(&f.record)?));
            let mut seen = BTreeSet::new();
            members.extend(
                f.members
                    .iter()
                    .filter(|(ev, _)| seen.insert(*ev))
                    .map(|(ev, role)| {
                        vec![V::Integer(fid), V::Integer(*ev), V::Text(role.clone())]
                    }),
            );
            claims.extend(f.claims.iter().map(|c| {
                vec![
                    V::Integer(fid),
                    V::Integer(c.event_row),
                    V::Text(c.field.clone()),
                    V::Text(c.value.clone()),
                    c.text.clone().map_or(V::Null, V::Text),
                    V::Text(c.source.clone()),
                    V::Text(c.chain.clone()),
                    c.repeat_of.clone().map_or(V::Null, V::Text),
                    V::Text(c.evidence.clone()),
                ]
            }));
            links.extend(f.links.iter().map(|l| {
                vec![
                    V::Integer(fid),
                    V::Text(l.a.clone()),
                    V::Text(l.b.clone()),
                    V::Real(l.score),
                    V::Text(l.decision.clone()),
                    V::Text(l.parts.clone()),
                ]
            }));
        }
        // The rows that hang off the fused events go in 100 to a statement
        // (one round trip each on a server, instead of one per row).
        insert_rows(
            &tx,
            "fused_members (fused_id, event_id, role)",
            3,
            false,
            members.into_iter(),
        )?;
        insert_rows(
            &tx,
            "claims (fused_id, event_id, field, value, value_text, source, chain, repeat_of, \
             evidence)",
            9,
            false,
            claims.into_iter(),
        )?;
        insert_rows(
            &tx,
            "fusion_links (fused_id, event_a, event_b, score, decision, parts)",
            6,
            false,
            links.into_iter(),
        )?;
        crate::names::link(&tx, "fused_event_names (name_id, kind, fused_id)", &names)?;
        for l in log {
            tx.prepare_cached(
                "INSERT INTO fusion_log (run_id, at, block, fused_key, action, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                l.run_id,
                stamp,
                l.block,
                l.fused_key,
                l.action,
                l.detail
            ])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Fused event records (JSON) matching the filter, by date then key.
    pub fn fused_events(&self, f: &FusedFilter) -> Result<Vec<String>> {
        let mut sql = String::from("SELECT record FROM fused_events WHERE 1 = 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        use rusqlite::types::Value as V;
        if let Some(ids) = &f.geonames_ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            sql.push_str(&format!(
                " AND geonames_id IN ({})",
                vec!["?"; ids.len()].join(", ")
            ));
            args.extend(ids.iter().map(|i| V::Integer(*i)));
        }
        if let Some((a, b, c, d)) = f.bbox {
            sql.push_str(" AND lat >= ? AND lon >= ? AND lat <= ? AND lon <= ?");
            args.extend([V::Real(a), V::Real(b), V::Real(c), V::Real(d)]);
        }
        if let Some(from) = &f.from {
            sql.push_str(" AND COALESCE(date_end, date_start) >= ?");
            args.push(V::Text(from.clone()));
        }
        if let Some(to) = &f.to {
            sql.push_str(" AND date_start <= ?");
            args.push(V::Text(to.clone()));
        }
        if let Some(t) = &f.event_type {
            sql.push_str(" AND (lower(sub_event_type) = lower(?) OR lower(event_type) = lower(?))");
            args.push(V::Text(t.clone()));
            args.push(V::Text(t.clone()));
        }
        if let Some(a) = &f.actor {
            sql.push_str(" AND instr(actors, lower(?)) > 0");
            args.push(V::Text(a.clone()));
        }
        if let Some(n) = f.min_sources {
            sql.push_str(" AND n_sources >= ?");
            args.push(V::Integer(n));
        }
        sql.push_str(" ORDER BY date_start NULLS FIRST, fused_key");
        if let Some(n) = f.limit {
            sql.push_str(" LIMIT ?");
            args.push(V::Integer(n));
        }
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(args, |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// One fused event's record by key (or key prefix, when unique).
    pub fn fused_event(&self, key: &str) -> Result<Option<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT record FROM fused_events WHERE fused_key = ?1
             UNION ALL SELECT record FROM fused_events
             WHERE substr(lower(fused_key), 1, length(?2)) = lower(?2) AND fused_key <> ?1
             LIMIT 2",
        )?;
        let rows: Vec<String> = st
            .query_map(params![key, key], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        Ok(match rows.len() {
            1 => rows.into_iter().next(),
            _ => self
                .conn
                .query_row(
                    "SELECT record FROM fused_events WHERE fused_key = ?1",
                    [key],
                    |r| r.get(0),
                )
                .optional()?,
        })
    }

    /// The fused event that holds an extracted event (`DOCID#eN`).
    pub fn fused_key_of_event(&self, event_key: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT f.fused_key {CURRENT_EVENTS}
                     JOIN fused_members m ON m.event_id = e.id
                     JOIN fused_events f ON f.id = m.fused_id
                     WHERE e.event_key = ?1 LIMIT 1"
                ),
                [event_key],
                |r| r.get(0),
            )
            .optional()
    }

    /// The log lines about a fused event, oldest first.
    pub fn fusion_log_of(&self, key: &str) -> Result<Vec<LogRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT run_id, at, block, fused_key, action, detail FROM fusion_log
             WHERE fused_key = ?1 OR instr(detail, ?1) > 0 ORDER BY id",
        )?;
        let rows = st.query_map([key], |r| {
            Ok(LogRow {
                run_id: r.get(0)?,
                at: r.get(1)?,
                block: r.get(2)?,
                fused_key: r.get(3)?,
                action: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Number of fused events.
    pub fn fused_count(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM fused_events", [], |r| r.get(0))
    }

    /// Forget every fused event, claim, link and block (for a rebuild); the
    /// log is kept.
    pub fn clear_fusion(&mut self) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "DELETE FROM claims; DELETE FROM fusion_links; DELETE FROM fused_members;
             DELETE FROM fused_event_names; DELETE FROM fused_events; DELETE FROM event_blocks;",
        )?;
        tx.commit()
    }

    /// Every place stored events name: GeoNames id, resolved name, the
    /// toponyms as written, coordinates (those of the earliest stored
    /// current event naming it).
    ///
    /// From the `places` table (migration 5): for each distinct (id, name,
    /// toponym) the earliest current event pointing to it, found through
    /// `events_place` (usually the first row it holds), so the cost grows
    /// with the number of places, not of events.
    pub fn place_names(&self) -> Result<Vec<PlaceName>> {
        let mut st = self.conn.prepare(
            "SELECT p.geonames_id, p.name, p.written, e.id, e.lat, e.lon
             FROM places p JOIN events e ON e.id = (
                 SELECT c.id FROM events c
                 JOIN documents d ON d.id = c.document_id
                 JOIN document_versions v ON v.id = c.version_id AND v.version = d.current_version
                 WHERE c.place_id = p.id ORDER BY c.id LIMIT 1)",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, Option<i64>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<f64>>(4)?,
                r.get::<_, Option<f64>>(5)?,
            ))
        })?;
        let mut rows: Vec<_> = rows.collect::<std::result::Result<_, _>>()?;
        // Event order: a place's coordinates are its first event's, and
        // its toponyms are listed in the order they first appeared.
        rows.sort_by_key(|r| r.3);
        let mut out = Places::default();
        for (g, name, written, _, lat, lon) in rows {
            out.add(g, name, written, lat, lon);
        }
        Ok(out.0.into_values().collect())
    }

    /// [`Store::place_names`] the slow way, from every current event's
    /// record: the reference the tests compare it with.
    pub fn scan_place_names(&self) -> Result<Vec<PlaceName>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT e.geonames_id, e.location_name, e.lat, e.lon, e.record {CURRENT_EVENTS}
             WHERE e.location_name IS NOT NULL
             ORDER BY e.geonames_id NULLS FIRST, e.location_name, e.id"
        ))?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, Option<i64>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<f64>>(2)?,
                r.get::<_, Option<f64>>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Places::default();
        for row in rows {
            let (g, name, lat, lon, rec) = row?;
            let ev: Event = serde_json::from_str(&rec)?;
            let written = ev.location.map(|l| l.text).unwrap_or_default();
            out.add(g, name, written, lat, lon);
        }
        Ok(out.0.into_values().collect())
    }
}
