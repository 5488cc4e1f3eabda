//! Blocking and constrained best-first clustering.

use crate::score::Total;
use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sitrep_core::event::EventModality;

use crate::reconcile;
use crate::score::{score_pair, Features};
use crate::{block_key, BlockFusion, Direction, FuseError, FusedEvent, Link, Report, Skipped};

/// Fusion settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FuseConfig {
    /// Pairs scoring at or above this are merged (subject to constraints).
    pub threshold: f64,
    /// Grid cell size for blocking, in degrees.
    pub cell_deg: f64,
    /// Pairs scoring at or above this but below the threshold are kept in
    /// the links as `below-threshold` (explanations).
    pub near_miss: f64,
    /// Keep the links (merge decisions) in the output.
    pub keep_links: bool,
}

impl Default for FuseConfig {
    fn default() -> Self {
        FuseConfig {
            threshold: 0.72,
            cell_deg: 0.5,
            near_miss: 0.55,
            keep_links: true,
        }
    }
}

/// Fuse a whole set of reports: group them by block and fuse each block
/// (in parallel). Blocks come back sorted by key.
pub fn fuse(reports: &[Report], cfg: &FuseConfig) -> Result<Vec<BlockFusion>, FuseError> {
    let blocks: Vec<(String, Vec<&Report>)> = group(reports, cfg)?.into_iter().collect();
    Ok(blocks
        .into_par_iter()
        .map(|(k, rs)| fuse_block(&k, rs, cfg))
        .collect())
}

/// Like [`fuse`], but hands each block's result to `each` (from the rayon
/// pool, in no particular order) instead of collecting them, so memory holds
/// one block per thread. Returns the number of blocks.
pub fn fuse_each<F>(reports: &[Report], cfg: &FuseConfig, each: F) -> Result<usize, FuseError>
where
    F: Fn(BlockFusion) + Sync,
{
    let blocks = group(reports, cfg)?;
    let n = blocks.len();
    blocks
        .into_par_iter()
        .for_each(|(k, rs)| each(fuse_block(&k, rs, cfg)));
    Ok(n)
}

/// The reports of each block; an event id seen twice is an error.
fn group<'a>(
    reports: &'a [Report],
    cfg: &FuseConfig,
) -> Result<BTreeMap<String, Vec<&'a Report>>, FuseError> {
    let mut seen = BTreeSet::new();
    let mut blocks: BTreeMap<String, Vec<&Report>> = BTreeMap::new();
    for r in reports {
        if !seen.insert(r.event.id.as_str()) {
            return Err(FuseError::DuplicateEvent(r.event.id.clone()));
        }
        blocks
            .entry(block_key(&r.event, cfg.cell_deg))
            .or_default()
            .push(r);
    }
    Ok(blocks)
}

/// Union-find with the summaries the constraints need.
struct Clusters {
    parent: Vec<usize>,
    gov: Vec<bool>,
    nonstate: Vec<bool>,
    pmin: Vec<i32>,
    pmax: Vec<i32>,
    pod: Vec<bool>,
}

impl Clusters {
    fn new(feats: &[Features]) -> Clusters {
        let n = feats.len();
        let mut c = Clusters {
            parent: (0..n).collect(),
            gov: vec![false; n],
            nonstate: vec![false; n],
            pmin: vec![i32::MAX; n],
            pmax: vec![i32::MIN; n],
            pod: vec![false; n],
        };
        for (i, f) in feats.iter().enumerate() {
            c.gov[i] = f.dir == Some(Direction::Government);
            c.nonstate[i] = f.dir == Some(Direction::NonState);
            if let (true, Some((s, e))) = (f.precise, f.date) {
                c.pmin[i] = s;
                c.pmax[i] = e;
                c.pod[i] = f.part_of_day;
            }
        }
        c
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    /// Why the clusters rooted at `a` and `b` cannot be one.
    fn conflict(&self, a: usize, b: usize) -> Option<&'static str> {
        if (self.gov[a] || self.gov[b]) && (self.nonstate[a] || self.nonstate[b]) {
            return Some("kept-apart: the clusters report opposite territorial outcomes");
        }
        let lo = self.pmin[a].min(self.pmin[b]);
        let hi = self.pmax[a].max(self.pmax[b]);
        if lo != i32::MAX && hi != i32::MIN {
            let allowed = if self.pod[a] || self.pod[b] { 1 } else { 0 };
            if i64::from(hi) - i64::from(lo) > allowed {
                return Some("kept-apart: the clusters' precise dates are on different days");
            }
        }
        None
    }

    /// Join `b` into `a` (both roots); the smaller index becomes the root.
    fn union(&mut self, a: usize, b: usize) {
        let (r, o) = if a < b { (a, b) } else { (b, a) };
        self.parent[o] = r;
        self.gov[r] |= self.gov[o];
        self.nonstate[r] |= self.nonstate[o];
        self.pmin[r] = self.pmin[r].min(self.pmin[o]);
        self.pmax[r] = self.pmax[r].max(self.pmax[o]);
        self.pod[r] |= self.pod[o];
    }
}

/// Fuse the reports of one block. The result depends only on the set of
/// reports, not on their order.
pub fn fuse_block(block: &str, mut reports: Vec<&Report>, cfg: &FuseConfig) -> BlockFusion {
    reports.sort_by(|a, b| a.event.id.cmp(&b.event.id));
    reports.dedup_by(|a, b| a.event.id == b.event.id);
    let mut skipped = Vec::new();
    let mut facts: Vec<&Report> = Vec::new();
    let mut denials: Vec<&Report> = Vec::new();
    for r in reports {
        match r.event.modality {
            EventModality::Asserted | EventModality::Claimed => facts.push(r),
            EventModality::Denied => denials.push(r),
            EventModality::Hypothetical => skipped.push(Skipped {
                event: r.event.id.clone(),
                reason: "not fused: hypothetical (\"would\", \"could\")".into(),
            }),
            EventModality::Planned => skipped.push(Skipped {
                event: r.event.id.clone(),
                reason: "not fused: planned or future".into(),
            }),
        }
    }
    let feats: Vec<Features> = facts.iter().map(|r| Features::of(r)).collect();
    let n = feats.len();

    // Candidate pairs: dated events sorted by start, compared while the
    // next start is within a day of the current end; undated events only
    // with their own syndication group.
    let mut order: Vec<usize> = (0..n).filter(|&i| feats[i].date.is_some()).collect();
    order.sort_by_key(|&i| (feats[i].date.map_or(i32::MAX, |d| d.0), i));
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (p, &i) in order.iter().enumerate() {
        let end = feats[i].date.map_or(i32::MIN, |d| d.1);
        for &j in &order[p + 1..] {
            if feats[j].date.map_or(i32::MAX, |d| d.0) > end.saturating_add(1) {
                break;
            }
            pairs.push((i.min(j), i.max(j)));
        }
    }
    let mut by_doc: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, f) in feats.iter().enumerate() {
        by_doc.entry(f.canonical_doc.as_str()).or_default().push(i);
    }
    for (i, f) in feats.iter().enumerate() {
        if f.date.is_none() {
            for &j in &by_doc[f.canonical_doc.as_str()] {
                if j != i && (feats[j].date.is_some() || j > i) {
                    pairs.push((i.min(j), i.max(j)));
                }
            }
        }
    }

    let mut edges: Vec<(f64, usize, usize, crate::score::ScoreParts)> = Vec::new();
    let mut links: Vec<Link> = Vec::new();
    for (i, j) in pairs {
        match score_pair(&feats[i], &feats[j], false) {
            Ok(parts) => {
                let s = parts.total();
                if s >= cfg.threshold {
                    edges.push((s, i, j, parts));
                } else if cfg.keep_links && s >= cfg.near_miss {
                    links.push(link(&feats, i, j, s, parts, "below-threshold".into()));
                }
            }
            Err(why) if cfg.keep_links && why != "different event families" => {
                // Explain why a plausible pair stayed apart.
                if let Ok(parts) = score_pair(&feats[i], &feats[j], true) {
                    let s = parts.total();
                    if s >= cfg.threshold {
                        links.push(link(&feats, i, j, s, parts, format!("kept-apart: {why}")));
                    }
                }
            }
            Err(_) => {}
        }
    }
    // Best first; ties broken by the members' ids (indices follow id order).
    edges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));

    let mut cl = Clusters::new(&feats);
    for (s, i, j, parts) in edges {
        let (ri, rj) = (cl.find(i), cl.find(j));
        let decision = if ri == rj {
            "same-cluster".to_string()
        } else if let Some(why) = cl.conflict(ri, rj) {
            why.to_string()
        } else {
            cl.union(ri, rj);
            "merged".to_string()
        };
        if cfg.keep_links {
            links.push(link(&feats, i, j, s, parts, decision));
        }
    }

    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let r = cl.find(i);
        groups.entry(r).or_default().push(i);
    }
    let root_of: Vec<usize> = (0..n).map(|i| cl.find(i)).collect();

    // Denials attach to the best-matching cluster (outcome ignored: a denial
    // says the opposite of what it denies).
    let mut by_actor: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    if !denials.is_empty() {
        for (i, f) in feats.iter().enumerate() {
            if let Some(a) = &f.actor1 {
                by_actor.entry(a.as_str()).or_default().push(i);
            }
        }
    }
    let mut attached: BTreeMap<usize, Vec<&Report>> = BTreeMap::new();
    let mut denial_links: BTreeMap<usize, Vec<Link>> = BTreeMap::new();
    for d in denials {
        let fd = Features::of(d);
        let mut best: Option<(f64, usize, crate::score::ScoreParts)> = None;
        // Candidates: events of the same first actor (few per denial).
        let candidates = by_actor
            .get(fd.actor1.as_deref().unwrap_or(""))
            .map_or(&[][..], |v| &v[..]);
        for &i in candidates {
            let f = &feats[i];
            // A party denies its own action: the denier must be the actor.
            if fd.actor1.is_none() || fd.actor1 != f.actor1 {
                continue;
            }
            if let Ok(parts) = score_pair(&fd, f, true) {
                let s = parts.total();
                if s >= cfg.threshold && best.is_none_or(|b| s > b.0) {
                    best = Some((s, i, parts));
                }
            }
        }
        match best {
            Some((s, i, parts)) => {
                let root = root_of[i];
                attached.entry(root).or_default().push(d);
                if cfg.keep_links {
                    let (a, b) = ordered(&fd.key, &feats[i].key);
                    denial_links.entry(root).or_default().push(Link {
                        a,
                        b,
                        score: s,
                        parts,
                        decision: "denial-attached".into(),
                    });
                }
            }
            None => skipped.push(Skipped {
                event: d.event.id.clone(),
                reason: "not fused: a denial that matches no reported event".into(),
            }),
        }
    }

    let mut link_by_root: BTreeMap<usize, Vec<Link>> = BTreeMap::new();
    let index: BTreeMap<&str, usize> = feats
        .iter()
        .enumerate()
        .map(|(i, f)| (f.key.as_str(), i))
        .collect();
    for l in links {
        let ra = index.get(l.a.as_str()).map(|&i| root_of[i]);
        let rb = index.get(l.b.as_str()).map(|&i| root_of[i]);
        if let Some(r) = ra {
            link_by_root.entry(r).or_default().push(l.clone());
        }
        if let (Some(r), Some(q)) = (rb, ra) {
            if r != q {
                link_by_root.entry(r).or_default().push(l);
            }
        }
    }

    let mut events: Vec<FusedEvent> = groups
        .into_iter()
        .map(|(root, idx)| {
            let members: Vec<&Report> = idx.iter().map(|&i| facts[i]).collect();
            let mut ls = link_by_root.remove(&root).unwrap_or_default();
            ls.extend(denial_links.remove(&root).unwrap_or_default());
            reconcile::build(
                block,
                &members,
                attached.get(&root).map_or(&[][..], |v| &v[..]),
                ls,
            )
        })
        .collect();
    reconcile::flag_opposite_outcomes(&mut events);
    events.sort_by(|a, b| {
        a.date
            .start
            .cmp(&b.date.start)
            .then(a.date.late.cmp(&b.date.late))
            .then(a.id.cmp(&b.id))
    });
    skipped.sort_by(|a, b| a.event.cmp(&b.event));
    BlockFusion {
        block: block.to_string(),
        events,
        skipped,
    }
}

fn ordered(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

fn link(
    feats: &[Features],
    i: usize,
    j: usize,
    score: f64,
    parts: crate::score::ScoreParts,
    decision: String,
) -> Link {
    let (a, b) = ordered(&feats[i].key, &feats[j].key);
    Link {
        a,
        b,
        score,
        parts,
        decision,
    }
}

/// How a recomputed block differs from what was stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub fused: String,
    /// `created`, `grew`, `shrank`, `changed`, `merged`, `split`, `removed`.
    pub action: String,
    pub detail: String,
}

/// Compare the stored fused events of a block (`old`: id and member event
/// ids) with the recomputed ones.
pub fn diff(old: &[(String, Vec<String>)], new: &[FusedEvent]) -> Vec<Change> {
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    for (id, ms) in old {
        for m in ms {
            owner.insert(m.as_str(), id.as_str());
        }
    }
    let mut new_owner: BTreeMap<&str, &str> = BTreeMap::new();
    for e in new {
        for m in &e.members {
            new_owner.insert(m.event.as_str(), e.id.as_str());
        }
    }
    let old_members: BTreeMap<&str, BTreeSet<&str>> = old
        .iter()
        .map(|(id, ms)| (id.as_str(), ms.iter().map(String::as_str).collect()))
        .collect();
    let mut out = Vec::new();
    for e in new {
        let members: BTreeSet<&str> = e.members.iter().map(|m| m.event.as_str()).collect();
        let olds: BTreeSet<&str> = members
            .iter()
            .filter_map(|m| owner.get(m).copied())
            .collect();
        let added: Vec<&str> = members
            .iter()
            .filter(|m| !owner.contains_key(*m))
            .copied()
            .collect();
        let join = |v: &mut dyn Iterator<Item = &str>| v.collect::<Vec<_>>().join(", ");
        let change = match olds.len() {
            0 => Some((
                "created",
                format!("from {}", join(&mut members.iter().copied())),
            )),
            1 => {
                let o = olds.iter().next().copied().unwrap_or_default();
                let om = &old_members[o];
                let split = om
                    .iter()
                    .any(|m| new_owner.get(m).is_some_and(|n| *n != e.id));
                let removed: Vec<&str> = om
                    .iter()
                    .filter(|m| !members.contains(*m))
                    .copied()
                    .collect();
                if split {
                    Some((
                        "split",
                        format!(
                            "split from {o}; members now {}",
                            join(&mut members.iter().copied())
                        ),
                    ))
                } else if !added.is_empty() && removed.is_empty() {
                    Some(("grew", format!("{o} + {}", added.join(", "))))
                } else if added.is_empty() && !removed.is_empty() {
                    Some(("shrank", format!("{o} lost {}", removed.join(", "))))
                } else if !added.is_empty() {
                    Some((
                        "changed",
                        format!(
                            "{o}: added {}; lost {}",
                            added.join(", "),
                            removed.join(", ")
                        ),
                    ))
                } else if o != e.id {
                    Some(("changed", format!("renamed from {o}")))
                } else {
                    None
                }
            }
            _ => Some((
                "merged",
                format!(
                    "merged {}{}",
                    join(&mut olds.iter().copied()),
                    if added.is_empty() {
                        String::new()
                    } else {
                        format!(" + {}", added.join(", "))
                    }
                ),
            )),
        };
        if let Some((action, detail)) = change {
            out.push(Change {
                fused: e.id.clone(),
                action: action.into(),
                detail,
            });
        }
    }
    let new_ids: BTreeSet<&str> = new.iter().map(|e| e.id.as_str()).collect();
    for (id, ms) in old {
        let survives = ms.iter().any(|m| new_owner.contains_key(m.as_str()));
        if !survives && !new_ids.contains(id.as_str()) {
            out.push(Change {
                fused: id.clone(),
                action: "removed".into(),
                detail: "its reports are gone or no longer fused".into(),
            });
        }
    }
    out
}
