//! Claims and their reconciliation.
//!
//! Every member report contributes one claim per field it fills, with its
//! source chain, document and evidence spans. Figures are reconciled per
//! independent source, never averaged:
//!
//! * a source's figure is the largest of its own claims (repeats of a wire
//!   story, or a later update by the same source, are one source);
//! * `low` is the smallest lower bound any independent source commits to
//!   ("at least 31" commits to 31; "nearly 50" commits to none);
//! * `best` is the lower median of the sources' best figures: always a
//!   figure some source gave;
//! * `high` is the largest upper bound, or open (`None`) as soon as one
//!   source leaves it open;
//! * two sources whose ranges cannot both hold ("48" and "30"; "more than
//!   50" and "32") make the figure a `contradiction` and flag the event.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;
use sitrep_core::event::{EventActor, EventLocation, EventModality, Range};

use crate::control::extent_of;
use crate::score::family;
use crate::source::{attributed, chain_for_text, chain_of};
use crate::{
    day, day_str, direction, Claim, Direction, Flag, FusedDate, FusedEvent, Link, Member,
    Reconciled, Report, SourceFigure,
};

/// The fused event's id: derived from its smallest member id.
pub fn fused_id(min_member: &str) -> String {
    let h = blake3::hash(min_member.as_bytes()).to_hex();
    format!("F{}", &h.as_str()[..12])
}

fn range_json(r: &Range) -> serde_json::Value {
    json!({"low": r.low, "best": r.best, "high": r.high})
}

fn actor_json(a: &EventActor) -> serde_json::Value {
    json!({"id": a.id, "name": a.name})
}

/// Claims of one report.
fn claims_of(r: &Report, denial: bool) -> Vec<Claim> {
    let (chain, source) = chain_of(r);
    let e = &r.event;
    let mut out = Vec::new();
    // A figure speaks with the voice of the sentence that gives it.
    let mut push = |field: &str, value: serde_json::Value, text: Option<String>| {
        let figure = value.get("best").is_some() || value.get("low").is_some();
        let (chain, source) = match (&text, figure) {
            (Some(t), true) => chain_for_text(r, t),
            _ => (chain.clone(), source.clone()),
        };
        out.push(Claim {
            field: field.to_string(),
            value,
            text,
            chain,
            source,
            doc: r.doc.clone(),
            event: e.id.clone(),
            repeat_of: r.duplicate_of.clone(),
            evidence: e.evidence.clone(),
        })
    };
    if denial {
        push(
            "denial",
            json!({"denies": e.sub_event_type.as_str(),
                   "actor": e.actor1.as_ref().map(|a| a.name.clone())}),
            r.evidence_text.first().cloned(),
        );
        return out;
    }
    push("type", json!(e.sub_event_type.as_str()), None);
    push(
        "date",
        json!({"start": e.date.start, "end": e.date.end, "precision": e.date.precision}),
        e.date.text.clone(),
    );
    if let Some(l) = &e.location {
        push(
            "location",
            json!({"name": l.name, "geonames_id": l.geonames_id, "precision": l.precision}),
            Some(l.text.clone()),
        );
    }
    if let Some(a) = &e.actor1 {
        push("actor1", actor_json(a), Some(a.text.clone()));
    }
    if let Some(a) = &e.actor2 {
        push("actor2", actor_json(a), Some(a.text.clone()));
    }
    let f = &e.fatalities;
    for (field, r) in [
        ("fatalities", &f.total),
        ("civilians", &f.civilians),
        ("injured", &e.injured),
        ("displaced", &e.displaced),
    ] {
        if let Some(r) = r {
            push(field, range_json(r), Some(r.text.clone()));
        }
    }
    for b in &f.by_actor {
        let who = b.actor_id.clone().unwrap_or_else(|| "unresolved".into());
        push(
            &format!("fatalities:{who}"),
            range_json(&b.range),
            Some(b.range.text.clone()),
        );
    }
    if e.modality != EventModality::Asserted {
        push("modality", json!(e.modality), None);
    }
    if direction(e.sub_event_type).is_some() {
        let texts: Vec<&str> = r.evidence_text.iter().map(String::as_str).collect();
        if let Some((extent, phrase)) = extent_of(&texts) {
            push("extent", json!(extent), Some(phrase));
        }
    }
    out
}

fn num(v: &serde_json::Value, k: &str) -> Option<f64> {
    v.get(k).and_then(serde_json::Value::as_f64)
}

/// Reconcile the claims of one figure field (policy in the module docs).
pub fn reconcile(claims: &[&Claim]) -> Option<Reconciled> {
    let mut by_source: BTreeMap<&str, SourceFigure> = BTreeMap::new();
    for c in claims {
        let (low, best, high) = (
            num(&c.value, "low"),
            num(&c.value, "best"),
            num(&c.value, "high"),
        );
        let Some(b) = best.or(low) else { continue };
        let fig = SourceFigure {
            source: c.source.clone(),
            low,
            best: Some(b),
            high,
            text: c.text.clone().unwrap_or_default(),
            reports: 1,
        };
        match by_source.get_mut(c.source.as_str()) {
            None => {
                by_source.insert(&c.source, fig);
            }
            Some(cur) => {
                let reports = cur.reports + 1;
                let better = (
                    fig.best,
                    fig.low.unwrap_or(-1.0),
                    std::cmp::Reverse(&fig.text),
                )
                    .partial_cmp(&(
                        cur.best,
                        cur.low.unwrap_or(-1.0),
                        std::cmp::Reverse(&cur.text),
                    ))
                    == Some(std::cmp::Ordering::Greater);
                if better {
                    *cur = fig;
                }
                cur.reports = reports;
            }
        }
    }
    if by_source.is_empty() {
        return None;
    }
    let figs: Vec<SourceFigure> = by_source.into_values().collect();
    let low = figs.iter().filter_map(|f| f.low).min_by(f64::total_cmp);
    let mut bests: Vec<f64> = figs.iter().filter_map(|f| f.best).collect();
    bests.sort_by(f64::total_cmp);
    let best = bests.get((bests.len().saturating_sub(1)) / 2).copied();
    let high = if figs.iter().any(|f| f.high.is_none()) {
        None
    } else {
        figs.iter().filter_map(|f| f.high).max_by(f64::total_cmp)
    };
    let interval = |f: &SourceFigure| {
        let b = f.best.unwrap_or(0.0);
        match (f.low, f.high) {
            (None, None) => (b * 0.8, b * 1.25),
            (l, h) => (l.unwrap_or(0.0), h.unwrap_or(f64::INFINITY)),
        }
    };
    let mut contradiction = false;
    for (i, a) in figs.iter().enumerate() {
        for b in &figs[i + 1..] {
            let (l1, h1) = interval(a);
            let (l2, h2) = interval(b);
            if l1 > h2 || l2 > h1 {
                contradiction = true;
            }
        }
    }
    Some(Reconciled {
        low,
        best,
        high,
        sources: figs.len(),
        by_source: figs,
        contradiction,
    })
}

/// Confidence policy: `1 - 0.5^n` for `n` independent sources, +0.15 when
/// a member names who says so, ×0.6 when no member dates the event by a
/// time expression (only the publication date stands in), ×0.7 when every
/// member hedges ("reportedly"); at most 0.95.
pub fn confidence(members: &[&Report], sources: usize) -> f64 {
    let mut c = 1.0 - 0.5f64.powi(sources.min(30) as i32);
    if members.iter().any(|r| attributed(r)) {
        c += 0.15;
    }
    if members
        .iter()
        .all(|r| matches!(r.event.date.precision.as_str(), "report" | "unknown"))
    {
        c *= 0.6;
    }
    if members
        .iter()
        .all(|r| r.event.modality == EventModality::Claimed)
    {
        c *= 0.7;
    }
    (c.min(0.95) * 1000.0).round() / 1000.0
}

/// The most frequent value by independent sources (ties: `rank`, then the
/// value's order).
fn vote<K: Ord + Clone>(items: &[(K, String)]) -> Option<K> {
    let mut by: BTreeMap<K, BTreeSet<&str>> = BTreeMap::new();
    for (k, s) in items {
        by.entry(k.clone()).or_default().insert(s.as_str());
    }
    // Largest count first; ties keep the smallest key (BTreeMap order).
    let mut best: Option<(&K, usize)> = None;
    for (k, s) in &by {
        if best.is_none_or(|b| s.len() > b.1) {
            best = Some((k, s.len()));
        }
    }
    best.map(|b| b.0.clone())
}

/// Build one fused event from its member reports (sorted by id) and the
/// denials attached to it.
pub fn build(
    block: &str,
    members: &[&Report],
    denials: &[&Report],
    links: Vec<Link>,
) -> FusedEvent {
    let mut members: Vec<&Report> = members.to_vec();
    members.sort_by(|a, b| a.event.id.cmp(&b.event.id));
    let id = fused_id(members.first().map_or("", |r| r.event.id.as_str()));
    let mut claims: Vec<Claim> = members.iter().flat_map(|r| claims_of(r, false)).collect();
    claims.extend(denials.iter().flat_map(|r| claims_of(r, true)));
    let source_of: BTreeMap<&str, String> = members
        .iter()
        .map(|r| (r.event.id.as_str(), chain_of(r).1))
        .collect();
    let src = |r: &Report| {
        source_of
            .get(r.event.id.as_str())
            .cloned()
            .unwrap_or_default()
    };
    let sources: BTreeSet<String> = source_of.values().cloned().collect();

    // Sub-type: territorial outcomes first (an armed clash in which a town
    // changed hands is coded by the change), then the most sources.
    let subs: Vec<((bool, sitrep_core::event::SubEventType), String)> = members
        .iter()
        .map(|r| {
            let t = r.event.sub_event_type;
            ((direction(t).is_none(), t), src(r))
        })
        .collect();
    let territorial: Vec<_> = subs.iter().filter(|s| !s.0 .0).cloned().collect();
    let sub = vote(if territorial.is_empty() {
        &subs
    } else {
        &territorial
    })
    .map(|k| k.1)
    .unwrap_or(sitrep_core::event::SubEventType::Other);

    // Date: the intersection of the precise members' days, else of every
    // member's interval, else the earliest report date.
    let interval = |r: &Report| {
        let s = r.event.date.start.as_deref().and_then(day)?;
        let e = r.event.date.end.as_deref().and_then(day).unwrap_or(s);
        Some((s.min(e), s.max(e)))
    };
    let precise: Vec<&Report> = members
        .iter()
        .copied()
        .filter(|r| {
            matches!(
                r.event.date.precision.as_str(),
                "day" | "part-of-day" | "hour" | "minute"
            )
        })
        .collect();
    let dated: Vec<&Report> = members
        .iter()
        .copied()
        .filter(|r| !matches!(r.event.date.precision.as_str(), "report" | "unknown"))
        .collect();
    let pick = |set: &[&Report]| -> Option<(i32, i32)> {
        let ivs: Vec<(i32, i32)> = set.iter().filter_map(|r| interval(r)).collect();
        let s = ivs.iter().map(|x| x.0).max()?;
        let e = ivs.iter().map(|x| x.1).min()?;
        if s <= e {
            Some((s, e))
        } else {
            Some((
                ivs.iter().map(|x| x.0).min()?,
                ivs.iter().map(|x| x.1).max()?,
            ))
        }
    };
    let (iv, precision) = if !precise.is_empty() {
        let p = if precise
            .iter()
            .all(|r| r.event.date.precision == "part-of-day")
        {
            "part-of-day"
        } else {
            "day"
        };
        (pick(&precise), p.to_string())
    } else if !dated.is_empty() {
        let narrow = dated
            .iter()
            .min_by_key(|r| interval(r).map_or(i32::MAX, |(s, e)| e - s))
            .map_or("unknown".to_string(), |r| r.event.date.precision.clone());
        (pick(&dated), narrow)
    } else {
        let earliest = members.iter().filter_map(|r| interval(r)).min();
        let p = if earliest.is_some() {
            "report"
        } else {
            "unknown"
        };
        (earliest, p.to_string())
    };
    let late = precise.iter().any(|r| {
        r.event.date.precision == "part-of-day"
            && r.event.date.text.as_deref().is_some_and(|t| {
                let t = t.to_lowercase();
                t.contains("night") || t.contains("evening")
            })
    });
    let date = FusedDate {
        start: iv.and_then(|x| day_str(x.0)),
        end: iv.and_then(|x| day_str(x.1)),
        precision,
        late,
    };

    // Place: the GeoNames id most members give (exact places first).
    let locs: Vec<(&EventLocation, &Report)> = members
        .iter()
        .filter_map(|r| r.event.location.as_ref().map(|l| (l, *r)))
        .collect();
    let place_votes: Vec<((bool, u32), String)> = locs
        .iter()
        .filter_map(|(l, r)| l.geonames_id.map(|g| ((l.precision != "exact", g), src(r))))
        .collect();
    let location = match vote(&place_votes) {
        Some((_, g)) => locs
            .iter()
            .find(|(l, _)| l.geonames_id == Some(g))
            .map(|(l, _)| (*l).clone()),
        None => locs.first().map(|(l, _)| (*l).clone()),
    };

    let actor_votes = |get: &dyn Fn(&Report) -> Option<&EventActor>, skip: Option<&str>| {
        let items: Vec<(String, String)> = members
            .iter()
            .filter_map(|r| {
                get(r).map(|a| (a.id.clone().unwrap_or_else(|| a.name.clone()), src(r)))
            })
            .filter(|(k, _)| Some(k.as_str()) != skip)
            .collect();
        let k = vote(&items)?;
        members
            .iter()
            .filter_map(|r| get(r))
            .find(|a| a.id.clone().unwrap_or_else(|| a.name.clone()) == k)
            .cloned()
    };
    // For a change of control the first actor is who gains the place.
    let dir = direction(sub);
    let actor1 = actor_votes(&|r: &Report| crate::gainer_for(&r.event, dir), None);
    let a1 = actor1
        .as_ref()
        .map(|a| a.id.clone().unwrap_or_else(|| a.name.clone()));
    let actor2 = actor_votes(
        &|r: &Report| r.event.actor2.as_ref().or(r.event.actor1.as_ref()),
        a1.as_deref(),
    );

    let field = |name: &str| {
        let cs: Vec<&Claim> = claims.iter().filter(|c| c.field == name).collect();
        reconcile(&cs)
    };
    let fatalities = field("fatalities");
    let civilians = field("civilians");
    let injured = field("injured");
    let displaced = field("displaced");
    let by_actor_fields: BTreeSet<&str> = claims
        .iter()
        .filter_map(|c| c.field.strip_prefix("fatalities:"))
        .collect();
    let fatalities_by_actor: Vec<(String, Reconciled)> = by_actor_fields
        .into_iter()
        .filter_map(|a| field(&format!("fatalities:{a}")).map(|r| (a.to_string(), r)))
        .collect();

    let mut flags = Vec::new();
    for d in denials {
        let who = d
            .event
            .attributed_to
            .first()
            .map_or("a party".to_string(), |a| a.name.clone());
        flags.push(Flag {
            kind: "denial".into(),
            detail: format!("{who} denies it ({})", d.event.id),
        });
    }
    for (name, r) in [
        ("fatalities", &fatalities),
        ("civilians", &civilians),
        ("injured", &injured),
        ("displaced", &displaced),
    ]
    .into_iter()
    .map(|(n, r)| (n.to_string(), r.as_ref()))
    .chain(
        fatalities_by_actor
            .iter()
            .map(|(a, r)| (format!("fatalities:{a}"), Some(r))),
    ) {
        if let Some(r) = r.filter(|r| r.contradiction) {
            let figs: Vec<String> = r
                .by_source
                .iter()
                .map(|f| format!("{} says {}", f.source, f.text))
                .collect();
            flags.push(Flag {
                kind: "incompatible-figures".into(),
                detail: format!("{name}: {}", figs.join("; ")),
            });
        }
    }
    let kinds: BTreeSet<&str> = members
        .iter()
        .map(|r| r.event.sub_event_type.as_str())
        .collect();
    if kinds.len() > 1 {
        flags.push(Flag {
            kind: "type-disagreement".into(),
            detail: format!(
                "reports code it as {}",
                kinds.into_iter().collect::<Vec<_>>().join(" / ")
            ),
        });
    }

    let extent = if direction(sub).is_some() {
        let texts: Vec<&str> = members
            .iter()
            .filter(|r| direction(r.event.sub_event_type).is_some())
            .flat_map(|r| r.evidence_text.iter().map(String::as_str))
            .collect();
        extent_of(&texts)
    } else if family(sub) == crate::score::Family::Battle {
        let texts: Vec<&str> = members
            .iter()
            .flat_map(|r| r.evidence_text.iter().map(String::as_str))
            .collect();
        crate::control::withdrawal_of(&texts).or_else(|| crate::control::entry_of(&texts))
    } else {
        None
    };

    let confidence = confidence(&members, sources.len());
    let mut links = links;
    links.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.a.cmp(&b.a))
            .then(a.b.cmp(&b.b))
            .then(a.decision.cmp(&b.decision))
    });
    links.dedup();
    FusedEvent {
        id,
        block: block.to_string(),
        event_type: sub.event_type(),
        sub_event_type: sub,
        date,
        location,
        actor1,
        actor2,
        fatalities,
        fatalities_by_actor,
        civilians,
        injured,
        displaced,
        members: members
            .iter()
            .map(|r| Member {
                event: r.event.id.clone(),
                doc: r.doc.clone(),
                outlet: r.outlet.clone(),
                published: r.published.clone(),
                repeat_of: r.duplicate_of.clone(),
                sub_event_type: r.event.sub_event_type,
                modality: r.event.modality,
            })
            .collect(),
        sources: sources.into_iter().collect(),
        claims,
        flags,
        extent,
        confidence,
        links,
    }
}

/// Direction, place, first and last day, full extent.
type OutcomeDay = (Direction, Option<u32>, i32, i32, bool);

/// Flag fused events of one place that report opposite territorial
/// outcomes for the same day, both for the whole place.
pub fn flag_opposite_outcomes(events: &mut [FusedEvent]) {
    let info: Vec<Option<OutcomeDay>> = events
        .iter()
        .map(|e| {
            let d = direction(e.sub_event_type)?;
            if !matches!(e.date.precision.as_str(), "day" | "part-of-day") {
                return None;
            }
            let s = e.date.start.as_deref().and_then(day)?;
            let t = e.date.end.as_deref().and_then(day).unwrap_or(s);
            let full = e.extent.as_ref().is_none_or(|x| x.0 == "full");
            Some((
                d,
                e.location.as_ref().and_then(|l| l.geonames_id),
                s,
                t,
                full,
            ))
        })
        .collect();
    let mut add: Vec<(usize, Flag)> = Vec::new();
    // Territorial events only, by first day: compare while days overlap.
    let mut order: Vec<(usize, OutcomeDay)> = info
        .iter()
        .enumerate()
        .filter_map(|(i, x)| x.map(|x| (i, x)))
        .collect();
    order.sort_by_key(|(i, x)| (x.2, *i));
    for (p, &(i, a)) in order.iter().enumerate() {
        for &(j, b) in &order[p + 1..] {
            if b.2 > a.3 {
                break;
            }
            let opposite = matches!(
                (a.0, b.0),
                (Direction::Government, Direction::NonState)
                    | (Direction::NonState, Direction::Government)
            );
            if opposite && a.1 == b.1 && a.4 && b.4 {
                let (i, j) = (i.min(j), i.max(j));
                add.push((
                    i,
                    Flag {
                        kind: "opposite-outcome".into(),
                        detail: format!(
                            "{} reports the opposite outcome for the same day",
                            events[j].id
                        ),
                    },
                ));
                add.push((
                    j,
                    Flag {
                        kind: "opposite-outcome".into(),
                        detail: format!(
                            "{} reports the opposite outcome for the same day",
                            events[i].id
                        ),
                    },
                ));
            }
        }
    }
    add.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.detail.cmp(&y.1.detail)));
    for (i, f) in add {
        events[i].flags.push(f);
    }
}
