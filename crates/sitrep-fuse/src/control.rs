//! Territorial control timelines.
//!
//! Each fused event of a place with a territorial sub-type is a change of
//! control: government regains (the government side holds it), a non-state
//! actor overtakes (that actor holds it), a non-violent transfer (the
//! receiving actor holds it). An armed clash whose evidence says one side
//! withdrew leaves the place to the other side when that side is a state
//! force. The extent comes from the evidence: `partial` ("more than 40
//! percent of the town", "several neighbourhoods", "nearly half"),
//! `contested` (forces "entered" or reached the edges, fighting inside), or
//! `full`.
//!
//! A change enters the timeline when it is confirmed: confidence of at
//! least [`MIN_CONFIDENCE`] (two independent sources, or one named source
//! with a dated report). Two full changes with opposite outcomes on the
//! same day dispute each other; the weaker one (by at least 0.2) is marked
//! `disputed` and left out of the periods. Everything left out is still
//! listed, with its status.

pub use sitrep_core::fused::{ControlChange, ControlPeriod, ControlTimeline};

use crate::{day, direction, Direction, FusedEvent};

/// Confidence a change needs to open a control period.
pub const MIN_CONFIDENCE: f64 = 0.6;

const PARTIAL: &[&str] = &[
    "percent",
    "per cent",
    "%",
    "half of",
    "nearly half",
    "neighborhoods",
    "neighbourhoods",
    "neighborhood",
    "neighbourhood",
    "districts",
];
const FULL: &[&str] = &[
    "full control",
    "fully",
    "liberation",
    "liberated",
    "entire",
    "whole city",
    "whole town",
    "in control of",
    "drive out",
    "drove out",
    "expel",
];
const CONTESTED: &[&str] = &[
    "entered",
    "entry",
    "edges of",
    "outskirts",
    "broke into",
    "stormed",
    "fighting inside",
    "battles inside",
];

fn phrase_around(text: &str, at: usize, len: usize) -> Option<String> {
    let pre = text.get(..at)?;
    let mid = text.get(at..at + len)?;
    let post = text.get(at + len..)?;
    let pre_words: Vec<&str> = pre.split_whitespace().collect();
    let mut s = pre_words[pre_words.len().saturating_sub(4)..].join(" ");
    if !s.is_empty() && pre.ends_with(char::is_whitespace) {
        s.push(' ');
    }
    s.push_str(mid);
    for (k, w) in post.split_whitespace().take(4).enumerate() {
        if k > 0 || post.starts_with(char::is_whitespace) {
            s.push(' ');
        }
        s.push_str(w);
    }
    Some(s)
}

fn find_marker(texts: &[&str], markers: &[&str]) -> Option<String> {
    for t in texts {
        let l = t.to_lowercase();
        for m in markers {
            if let Some(at) = l.find(m) {
                // Case mapping may move byte offsets: then the marker alone.
                return Some(phrase_around(t, at, m.len()).unwrap_or_else(|| (*m).to_string()));
            }
        }
    }
    None
}

/// The territorial extent the evidence sentences state, with the phrase.
pub fn extent_of(texts: &[&str]) -> Option<(String, String)> {
    if let Some(p) = find_marker(texts, PARTIAL) {
        return Some(("partial".into(), p));
    }
    if let Some(p) = find_marker(texts, FULL) {
        return Some(("full".into(), p));
    }
    if let Some(p) = find_marker(texts, CONTESTED) {
        return Some(("contested".into(), p));
    }
    None
}

/// Forces entering a place, stated in the evidence of a battle ("troops
/// entered the town, waging battles inside"): the place is contested.
pub fn entry_of(texts: &[&str]) -> Option<(String, String)> {
    find_marker(texts, CONTESTED).map(|p| ("contested".into(), p))
}

/// A withdrawal stated in the evidence of a battle.
pub fn withdrawal_of(texts: &[&str]) -> Option<(String, String)> {
    find_marker(
        texts,
        &[
            "withdrew",
            "withdrawn",
            "withdrawal",
            "pulled out",
            "retreated",
        ],
    )
    .map(|p| ("withdrawal".into(), p))
}

fn is_state(a: &sitrep_core::event::EventActor) -> bool {
    crate::state_side(a)
}

fn change_of(e: &FusedEvent) -> Option<ControlChange> {
    let (kind, holder) = match direction(e.sub_event_type) {
        Some(Direction::Government) => (
            "government regains",
            match &e.actor1 {
                Some(a) if is_state(a) => format!("government: {}", a.name),
                Some(a) => format!("government side: {}", a.name),
                None => "government forces".to_string(),
            },
        ),
        Some(Direction::NonState) => (
            "non-state actor overtakes",
            e.actor1
                .as_ref()
                .map_or("a non-state actor".to_string(), |a| a.name.clone()),
        ),
        Some(Direction::Transfer) => (
            "non-violent transfer",
            e.actor1
                .as_ref()
                .map_or("unknown".to_string(), |a| a.name.clone()),
        ),
        None if e.extent.as_ref().is_some_and(|x| x.0 == "contested") => {
            // Forces entered the place and fight inside: the entering side
            // (the first actor) contests it.
            let a1 = e.actor1.as_ref()?;
            let holder = if is_state(a1) {
                format!("government: {}", a1.name)
            } else {
                a1.name.clone()
            };
            ("contested entry", holder)
        }
        None => {
            let (k, _) = e.extent.as_ref().filter(|x| x.0 == "withdrawal")?;
            let _ = k;
            // The side that stays: a state force facing a non-state actor.
            let (a1, a2) = (e.actor1.as_ref()?, e.actor2.as_ref()?);
            let stays = match (is_state(a1), is_state(a2)) {
                (true, false) => a1,
                (false, true) => a2,
                _ => return None,
            };
            ("withdrawal", format!("government: {}", stays.name))
        }
    };
    let (extent, phrase) = match &e.extent {
        Some((x, p)) if x != "withdrawal" => (x.clone(), Some(p.clone())),
        Some((_, p)) => ("full".to_string(), Some(p.clone())),
        None => ("full".to_string(), None),
    };
    let mut docs: Vec<String> = e.members.iter().map(|m| m.doc.clone()).collect();
    docs.sort();
    docs.dedup();
    Some(ControlChange {
        fused: e.id.clone(),
        date_start: e.date.start.clone(),
        date_end: e.date.end.clone(),
        precision: e.date.precision.clone(),
        late: e.date.late,
        kind: kind.to_string(),
        holder,
        extent,
        phrase,
        confidence: e.confidence,
        sources: e.sources.clone(),
        docs,
        status: if e.confidence >= MIN_CONFIDENCE {
            "confirmed".into()
        } else {
            "unconfirmed".into()
        },
        note: if e.confidence >= MIN_CONFIDENCE {
            None
        } else {
            Some(format!(
                "confidence {:.2} < {MIN_CONFIDENCE}: one unnamed source or no dated report",
                e.confidence
            ))
        },
    })
}

/// The control timeline of one place from its fused events (any order).
pub fn control_timeline(events: &[FusedEvent]) -> ControlTimeline {
    let mut changes: Vec<ControlChange> = events.iter().filter_map(change_of).collect();
    changes.sort_by(|a, b| {
        a.date_start
            .cmp(&b.date_start)
            .then(a.late.cmp(&b.late))
            .then(b.confidence.total_cmp(&a.confidence))
            .then(a.fused.cmp(&b.fused))
    });
    // Same-day opposite full outcomes dispute each other.
    let span = |c: &ControlChange| {
        let s = c.date_start.as_deref().and_then(day)?;
        Some((s, c.date_end.as_deref().and_then(day).unwrap_or(s)))
    };
    let n = changes.len();
    for i in 0..n {
        for j in 0..n {
            if i == j || changes[i].extent != "full" || changes[j].extent != "full" {
                continue;
            }
            let gov = |c: &ControlChange| c.holder.starts_with("government");
            if gov(&changes[i]) == gov(&changes[j]) {
                continue;
            }
            let (Some(a), Some(b)) = (span(&changes[i]), span(&changes[j])) else {
                continue;
            };
            let precise = |c: &ControlChange| matches!(c.precision.as_str(), "day" | "part-of-day");
            let same_day = a.0 <= b.1 && b.0 <= a.1 && precise(&changes[i]) && precise(&changes[j]);
            if same_day
                && changes[j].confidence >= changes[i].confidence + 0.2
                && changes[i].status == "confirmed"
            {
                changes[i].status = "disputed".into();
                changes[i].note = Some(format!(
                    "{} reports the opposite outcome for the same day with more support",
                    changes[j].fused
                ));
            }
        }
    }
    let used: Vec<&ControlChange> = changes.iter().filter(|c| c.status == "confirmed").collect();
    let mut periods = Vec::new();
    for (k, c) in used.iter().enumerate() {
        periods.push(ControlPeriod {
            holder: c.holder.clone(),
            extent: c.extent.clone(),
            from: c.date_start.clone(),
            to: used.get(k + 1).and_then(|n| n.date_start.clone()),
            fused: c.fused.clone(),
            confidence: c.confidence,
            sources: c.sources.clone(),
        });
    }
    ControlTimeline { changes, periods }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extents() {
        let t = ["Fighters retook more than 40 percent of the village on Monday."];
        let (x, p) = extent_of(&t).unwrap();
        assert_eq!(x, "partial");
        assert!(p.contains("40 percent of the village"), "{p}");
        assert_eq!(
            extent_of(&["Troops entered the town on Tuesday."])
                .unwrap()
                .0,
            "contested"
        );
        assert_eq!(
            extent_of(&["The army took full control of the town."])
                .unwrap()
                .0,
            "full"
        );
        assert_eq!(extent_of(&["Nothing here."]), None);
    }

    /// Regression: forces entering a town were coded as a change of hands;
    /// now the entry is a battle, and the control timeline still sees the
    /// town contested.
    #[test]
    fn a_battle_inside_a_town_contests_it() {
        let t = ["Troops entered the town and waged fierce battles inside."];
        assert_eq!(entry_of(&t).unwrap().0, "contested");
        assert_eq!(entry_of(&["Troops shelled the town."]), None);
    }
}
