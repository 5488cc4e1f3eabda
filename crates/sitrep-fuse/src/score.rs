//! Pair scoring: is this the same real-world event?
//!
//! Five components in `[0, 1]`, weighted: type 0.30, date 0.30, place 0.20,
//! actors 0.10, figures 0.10. A pair scores `None` (no edge) when the events
//! cannot be one: different event families, opposite territorial outcomes,
//! two non-state gains by different actors, precise dates on different days
//! (one day apart is allowed when one of them is a night or part-of-day
//! date), or dates more than a day apart.
//!
//! Type policy ("entered", "besieged" and "took" in one battle): sub-types of
//! the battle family (armed clash and the three territorial sub-types) are
//! one event when the reports date them on the same day at the same place;
//! dated on different days they are a sequence (entry on Wednesday, capture
//! on Thursday, counter-attack on Thursday night). An armed clash joins the
//! territorial event of its day, whose sub-type the fused event keeps.

use sitrep_core::event::{EventModality, EventType, SubEventType};

pub use sitrep_core::fused::ScoreParts;

use crate::{day, direction, Direction, Report};

pub const W_TYPE: f64 = 0.30;
pub const W_DATE: f64 = 0.30;
pub const W_PLACE: f64 = 0.20;
pub const W_ACTORS: f64 = 0.10;
pub const W_FIGURES: f64 = 0.10;

/// Days before publication an event dated only by its report may have
/// happened on.
pub const REPORT_WINDOW_DAYS: i32 = 3;

/// The weighted total of a pair's score parts.
pub trait Total {
    fn total(&self) -> f64;
}

impl Total for ScoreParts {
    fn total(&self) -> f64 {
        let t = W_TYPE * self.types
            + W_DATE * self.date
            + W_PLACE * self.place
            + W_ACTORS * self.actors
            + W_FIGURES * self.figures;
        // Round so that the score is the same however it was summed.
        (t * 1e6).round() / 1e6
    }
}

/// Event family: only events of one family can be one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Battle,
    Remote,
    Civilians,
    Demonstration,
    Strategic(SubEventType),
    Displacement,
}

pub fn family(t: SubEventType) -> Family {
    match t.event_type() {
        EventType::Battles => Family::Battle,
        EventType::ExplosionsRemoteViolence => Family::Remote,
        EventType::ViolenceAgainstCivilians => Family::Civilians,
        EventType::Protests | EventType::Riots => Family::Demonstration,
        EventType::Displacement => Family::Displacement,
        EventType::StrategicDevelopments => match t {
            SubEventType::NonViolentTransferOfTerritory => Family::Battle,
            other => Family::Strategic(other),
        },
    }
}

/// What scoring needs of one report, computed once.
#[derive(Debug, Clone)]
pub struct Features {
    pub key: String,
    pub canonical_doc: String,
    pub sub: SubEventType,
    pub family: Family,
    pub dir: Option<Direction>,
    /// Matching interval in day numbers (report-dated events get the week
    /// before publication).
    pub date: Option<(i32, i32)>,
    /// Dated by a day (or part of a day) expression.
    pub precise: bool,
    /// A night / part-of-day date (may straddle midnight).
    pub part_of_day: bool,
    pub geonames: Option<u32>,
    /// Located only by a country or region.
    pub coarse: bool,
    pub coords: Option<(f64, f64)>,
    pub country: Option<String>,
    pub place_name: Option<String>,
    /// Actor ids (or names when unresolved), sorted and deduplicated.
    pub actors: Vec<String>,
    /// The gainer of a territorial event, else the first actor.
    pub actor1: Option<String>,
    /// Total fatalities `(low, high)`.
    pub deaths: Option<(f64, Option<f64>)>,
    pub modality: EventModality,
}

impl Features {
    pub fn of(r: &Report) -> Features {
        let e = &r.event;
        let prec = e.date.precision.as_str();
        let start = e.date.start.as_deref().and_then(day);
        let end = e.date.end.as_deref().and_then(day).or(start);
        let date = match (start, end) {
            (Some(s), Some(t)) if prec == "report" => {
                Some((s.min(t) - REPORT_WINDOW_DAYS, t.max(s)))
            }
            (Some(s), Some(t)) => Some((s.min(t), t.max(s))),
            _ => None,
        };
        let precise = matches!(prec, "day" | "part-of-day" | "hour" | "minute")
            && date.is_some_and(|(s, t)| t - s <= 1);
        let loc = e.location.as_ref();
        let actor_key = |a: &sitrep_core::event::EventActor| {
            a.id.clone().unwrap_or_else(|| a.name.to_lowercase())
        };
        let mut actors: Vec<String> = e
            .actor1
            .iter()
            .chain(e.actor2.iter())
            .chain(e.associated_actors.iter())
            .map(actor_key)
            .collect();
        actors.sort();
        actors.dedup();
        let deaths = e
            .fatalities
            .total
            .as_ref()
            .and_then(|r| r.low.or(r.best).map(|l| (l, r.high)));
        Features {
            key: e.id.clone(),
            canonical_doc: r.canonical_doc().to_string(),
            sub: e.sub_event_type,
            family: family(e.sub_event_type),
            dir: direction(e.sub_event_type),
            date,
            precise,
            part_of_day: prec == "part-of-day" || prec == "hour" || prec == "minute",
            geonames: loc.and_then(|l| l.geonames_id),
            coarse: loc.is_none_or(|l| matches!(l.precision.as_str(), "country" | "region")),
            coords: loc.and_then(|l| match (l.lat, l.lon) {
                (Some(a), Some(b)) if a.is_finite() && b.is_finite() => Some((a, b)),
                _ => None,
            }),
            country: loc.and_then(|l| l.country_code.clone()),
            place_name: loc.map(|l| l.name.to_lowercase()),
            actors,
            actor1: crate::gainer(e).map(actor_key),
            deaths,
            modality: e.modality,
        }
    }
}

/// Great-circle distance in km.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

/// Why a pair has no edge.
pub fn incompatible(a: &Features, b: &Features, ignore_direction: bool) -> Option<&'static str> {
    if a.family != b.family {
        return Some("different event families");
    }
    // A battle dated to the day and a loosely dated change of hands (or
    // the reverse) are different events: the loose date would chain the
    // fighting of one day to the outcome of another.
    if a.sub != b.sub {
        let loose = |f: &Features| !f.precise && f.date.is_some_and(|(s, e)| e - s > 3);
        if (a.precise && loose(b)) || (b.precise && loose(a)) {
            return Some("a dated event and a loosely dated one of another type");
        }
    }
    if !ignore_direction {
        if let (Some(x), Some(y)) = (a.dir, b.dir) {
            if x != y {
                return Some("opposite territorial outcomes");
            }
            if x == Direction::NonState {
                if let (Some(p), Some(q)) = (&a.actor1, &b.actor1) {
                    if p != q {
                        return Some("different actors gain the territory");
                    }
                }
            }
        }
    }
    None
}

/// Date component, or `None` when the dates rule the pair out.
fn date_score(a: &Features, b: &Features) -> Option<f64> {
    match (a.date, b.date) {
        (Some((s1, e1)), Some((s2, e2))) => {
            let gap = (s1.max(s2) - e1.min(e2)).max(0);
            if a.precise && b.precise {
                // A night event may be reported under the next day, never
                // under the day before.
                let night_then_next = (a.part_of_day && e1 < s2) || (b.part_of_day && e2 < s1);
                match gap {
                    0 => Some(1.0),
                    1 if night_then_next => Some(0.7),
                    _ => None,
                }
            } else {
                let width = (e1 - s1).max(e2 - s2);
                match gap {
                    0 if width <= 10 => Some(0.5),
                    0 => Some(0.4),
                    _ => None,
                }
            }
        }
        // Undated events only join their own syndication group.
        _ if a.canonical_doc == b.canonical_doc => Some(0.3),
        _ => None,
    }
}

fn place_score(a: &Features, b: &Features) -> f64 {
    // A country or region says little about which event it was.
    if a.coarse || b.coarse {
        return if a.geonames.is_some() && a.geonames == b.geonames {
            0.4
        } else {
            0.2
        };
    }
    if let (Some(x), Some(y)) = (a.geonames, b.geonames) {
        if x == y {
            return 1.0;
        }
    }
    if let (Some(p), Some(q)) = (a.coords, b.coords) {
        let d = haversine_km(p, q);
        return (1.0 - d / 50.0).clamp(0.0, 0.9);
    }
    match (&a.place_name, &b.place_name) {
        (Some(p), Some(q)) if p == q => 0.8,
        (None, _) | (_, None) => 0.3,
        _ if a.country.is_some() && a.country == b.country => 0.2,
        _ => 0.0,
    }
}

fn actor_score(a: &Features, b: &Features) -> f64 {
    // Events of one report share its cast of actors.
    if a.canonical_doc == b.canonical_doc {
        return 1.0;
    }
    if a.actors.is_empty() || b.actors.is_empty() {
        return 0.5;
    }
    let shared = a.actors.iter().filter(|x| b.actors.contains(x)).count();
    let smaller = a.actors.len().min(b.actors.len());
    shared as f64 / smaller as f64
}

fn figure_score(a: &Features, b: &Features) -> f64 {
    match (a.deaths, b.deaths) {
        (Some((l1, h1)), Some((l2, h2))) => {
            let hi1 = h1.unwrap_or(f64::INFINITY);
            let hi2 = h2.unwrap_or(f64::INFINITY);
            if l1 <= hi2 && l2 <= hi1 {
                1.0
            } else {
                let (x, y) = (l1.max(1.0), l2.max(1.0));
                if x.max(y) / x.min(y) <= 1.5 {
                    0.6
                } else {
                    0.2
                }
            }
        }
        _ => 0.5,
    }
}

fn type_score(a: &Features, b: &Features) -> f64 {
    if a.sub == b.sub {
        1.0
    } else if a.family == Family::Battle {
        // Armed clash with a territorial sub-type (the fighting for a
        // place), or a transfer with a gain.
        0.8
    } else {
        0.6
    }
}

/// The score of a pair, or why it has no edge.
pub fn score_pair(
    a: &Features,
    b: &Features,
    ignore_direction: bool,
) -> Result<ScoreParts, &'static str> {
    if let Some(why) = incompatible(a, b, ignore_direction) {
        return Err(why);
    }
    let Some(date) = date_score(a, b) else {
        return Err("dates too far apart");
    };
    Ok(ScoreParts {
        types: type_score(a, b),
        date,
        place: place_score(a, b),
        actors: actor_score(a, b),
        figures: figure_score(a, b),
    })
}
