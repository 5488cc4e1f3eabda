//! The names events carry, kept beside them at write time (migration 5):
//! what the `place`, `actor` and `min_sources` filters of the event views
//! read, and the distinct places events name, so that neither has to
//! decode every stored event.
//!
//! The strings are exactly the ones the reference filter
//! (`export::rust_filters_match`) compares, so an index lookup and a scan
//! give the same answer: for the place filter the location's resolved
//! name, the toponym as written and its admin1; for the actor filter the
//! name, text and id of each actor it reads; for the source count each
//! distinct source as the views name it. `names.folded` is the string's
//! lower case (Rust's `to_lowercase`, as the filter folds it), searched
//! with `instr` for the filter's case-insensitive substring.
//!
//! Ingest and fusion fill the tables for what they write; the migration
//! fills them once for rows written before it ([`backfill`]).

use std::collections::{BTreeSet, HashMap};

use rusqlite::types::Value;
use sitrep_core::event::{Event, EventActor, EventLocation};

use crate::db::{Db, OptionalExtension};
use crate::ingest::insert_rows;
use crate::Result;

pub(crate) const PLACE: &str = "place";
pub(crate) const ACTOR: &str = "actor";
pub(crate) const SOURCE: &str = "source";

/// The names one event carries, by kind.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct EventNames {
    pub places: Vec<String>,
    pub actors: Vec<String>,
    /// Distinct, trimmed, non-empty (as the views count sources).
    pub sources: Vec<String>,
}

impl EventNames {
    /// From the parts the filters read. Place and actor strings are kept
    /// as they are, empty ones too (an empty filter matches every event
    /// that has a location, or an actor).
    pub(crate) fn new<'a, 'b>(
        location: Option<&EventLocation>,
        actors: impl Iterator<Item = &'a EventActor>,
        sources: impl Iterator<Item = &'b str>,
    ) -> EventNames {
        let mut n = EventNames::default();
        if let Some(l) = location {
            n.places.push(l.name.clone());
            n.places.push(l.text.clone());
            n.places.extend(l.admin1.clone());
        }
        for a in actors {
            n.actors.push(a.name.clone());
            n.actors.push(a.text.clone());
            n.actors.extend(a.id.clone());
        }
        for s in sources {
            let s = s.trim();
            if !s.is_empty() && !n.sources.iter().any(|x| x == s) {
                n.sources.push(s.to_string());
            }
        }
        n
    }

    /// Those of an extracted event, as its per-document view reads them.
    pub(crate) fn of_event(e: &Event) -> EventNames {
        EventNames::new(
            e.location.as_ref(),
            e.actor1
                .iter()
                .chain(e.actor2.iter())
                .chain(e.associated_actors.iter()),
            e.attributed_to.iter().map(|a| a.name.as_str()),
        )
    }

    fn by_kind(&self) -> [(&'static str, &[String]); 3] {
        [
            (PLACE, &self.places),
            (ACTOR, &self.actors),
            (SOURCE, &self.sources),
        ]
    }
}

fn hash(s: &str) -> String {
    blake3::hash(s.as_bytes()).to_hex().to_string()
}

/// The `names` ids of `strings`, adding the ones not stored yet.
fn name_ids<'a>(tx: &Db, strings: &BTreeSet<&'a str>) -> Result<HashMap<&'a str, i64>> {
    let mut ids = HashMap::with_capacity(strings.len());
    let all: Vec<&str> = strings.iter().copied().collect();
    for chunk in all.chunks(100) {
        let hashes: Vec<String> = chunk.iter().map(|s| hash(s)).collect();
        let lookup = |ids: &mut HashMap<&'a str, i64>| -> Result<()> {
            let by_hash: HashMap<&str, &'a str> = hashes
                .iter()
                .map(String::as_str)
                .zip(chunk.iter().copied())
                .collect();
            let sql = format!(
                "SELECT hash, id FROM names WHERE hash IN ({})",
                vec!["?"; hashes.len()].join(", ")
            );
            let args: Vec<Value> = hashes.iter().map(|h| Value::Text(h.clone())).collect();
            for r in tx.query_map(&sql, args, |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })? {
                let (h, id) = r?;
                if let Some(s) = by_hash.get(h.as_str()) {
                    ids.insert(*s, id);
                }
            }
            Ok(())
        };
        lookup(&mut ids)?;
        let missing: Vec<Vec<Value>> = chunk
            .iter()
            .zip(&hashes)
            .filter(|(s, _)| !ids.contains_key(**s))
            .map(|(s, h)| {
                vec![
                    Value::Text(h.clone()),
                    Value::Text(s.to_string()),
                    Value::Text(s.to_lowercase()),
                ]
            })
            .collect();
        if !missing.is_empty() {
            insert_rows(
                tx,
                "names (hash, name, folded)",
                3,
                true,
                missing.into_iter(),
            )?;
            lookup(&mut ids)?;
        }
    }
    Ok(ids)
}

/// Link each `(row id, names)` in `table` (`event_names (name_id, kind,
/// event_id)` or `fused_event_names (name_id, kind, fused_id)`).
pub(crate) fn link(tx: &Db, table: &str, rows: &[(i64, EventNames)]) -> Result<()> {
    let strings: BTreeSet<&str> = rows
        .iter()
        .flat_map(|(_, n)| n.places.iter().chain(&n.actors).chain(&n.sources))
        .map(String::as_str)
        .collect();
    if strings.is_empty() {
        return Ok(());
    }
    let ids = name_ids(tx, &strings)?;
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (row, n) in rows {
        for (kind, list) in n.by_kind() {
            for s in list {
                let id = ids[s.as_str()];
                if seen.insert((id, kind, *row)) {
                    out.push(vec![
                        Value::Integer(id),
                        Value::Text(kind.into()),
                        Value::Integer(*row),
                    ]);
                }
            }
        }
    }
    insert_rows(tx, table, 3, true, out.into_iter())
}

/// The `places` id of an event's location (added when new).
pub(crate) fn place_id(tx: &Db, l: &EventLocation) -> Result<i64> {
    let g = l.geonames_id.map(i64::from);
    let key = hash(&serde_json::json!([g, l.name, l.text]).to_string());
    let found: Option<i64> = tx
        .prepare_cached("SELECT id FROM places WHERE hash = ?1")?
        .query_row([&key], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    tx.prepare_cached(
        "INSERT INTO places (hash, geonames_id, name, written) VALUES (?1, ?2, ?3, ?4)
         RETURNING id",
    )?
    .query_row(rusqlite::params![key, g, l.name, l.text], |r| r.get(0))
}

/// `(id, record)` of the rows of `table`, a thousand at a time, to `f`.
fn each_page(
    tx: &Db,
    table: &str,
    mut f: impl FnMut(Vec<(i64, String)>) -> Result<()>,
) -> Result<()> {
    let sql = format!("SELECT id, record FROM {table} WHERE id > ?1 ORDER BY id LIMIT 1000");
    let mut after = 0i64;
    loop {
        let rows: Vec<(i64, String)> = tx
            .query_map(&sql, [after], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.0;
        f(rows)?;
    }
}

/// Fill the names and places of every event and fused event written
/// before migration 5.
pub(crate) fn backfill(tx: &Db) -> Result<()> {
    each_page(tx, "events", |rows| {
        let mut linked = Vec::with_capacity(rows.len());
        for (id, rec) in rows {
            let e: Event = serde_json::from_str(&rec)?;
            if let Some(l) = &e.location {
                let p = place_id(tx, l)?;
                tx.prepare_cached("UPDATE events SET place_id = ?1 WHERE id = ?2")?
                    .execute([p, id])?;
            }
            linked.push((id, EventNames::of_event(&e)));
        }
        link(tx, "event_names (name_id, kind, event_id)", &linked)
    })?;
    each_page(tx, "fused_events", |rows| {
        let linked = rows
            .iter()
            .map(|(id, rec)| Ok((*id, crate::export::fused_names(rec)?)))
            .collect::<Result<Vec<_>>>()?;
        link(tx, "fused_event_names (name_id, kind, fused_id)", &linked)
    })
}

impl crate::Store {
    /// Rebuild the names and places tables from the stored records (what
    /// migration 5 does once for an existing store), in one transaction.
    /// For repair: ingest and fusion keep them up to date.
    pub fn reindex_names(&mut self) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "DELETE FROM event_names; DELETE FROM fused_event_names;
             UPDATE events SET place_id = NULL; DELETE FROM places; DELETE FROM names;",
        )?;
        backfill(&tx)?;
        tx.commit()
    }
}
