//! Event fusion: one record per real-world event, every source's claim kept,
//! control timelines per place.
//!
//! Input is the set of events extracted from stored documents ([`Report`]:
//! one extracted [`Event`] with its document's key, outlet, publication date,
//! near-duplicate canonical and evidence sentences). Output is a set of
//! [`FusedEvent`]s, each with every [`Claim`] its reports make, reconciled
//! figures ([`Reconciled`]), contradiction [`Flag`]s and the [`Link`]s that
//! explain why its members were merged (or kept apart).
//!
//! Architecture invariant: fusion is a deterministic function of the *set*
//! of extracted events. Reports are sorted by event id before anything else,
//! blocks are fused independently, every tie is broken on ids, and fused ids
//! are derived from the smallest member id, so the order in which documents
//! arrive never changes the result.
//!
//! The method (see `docs/fusion.md`):
//! 1. **Blocking** ([`block_key`]): events are grouped by a ~0.5° grid cell
//!    of their coordinates (GeoNames id, then country, when there are none).
//!    Only events of one block are compared, and only when their date
//!    intervals are within a day of each other.
//! 2. **Scoring** ([`score::score_pair`]): type compatibility, date overlap
//!    given the precision, place identity and distance, actor overlap and
//!    figures, weighted into one score in `[0, 1]`, or no edge at all for
//!    hard incompatibilities (different event families, opposite territorial
//!    outcomes, different precise days).
//! 3. **Clustering** ([`cluster::fuse_block`]): candidate pairs at or above
//!    the threshold are merged best-first (ties by ids) unless the merged
//!    cluster would break a cannot-link constraint (opposite outcomes; precise
//!    dates more than the allowed span apart).
//! 4. **Reconciliation** ([`reconcile`]): claims per field, low/best/high per
//!    figure by independent source, contradiction flags.
//! 5. **Control** ([`control::control_timeline`]): holders of a place over
//!    time from the territorial events.

pub mod cluster;
pub mod control;
pub mod reconcile;
pub mod score;
pub mod source;

use serde::{Deserialize, Serialize};
use sitrep_core::event::{Event, EventActor, SubEventType};

pub use cluster::{diff, fuse, fuse_block, fuse_each, Change, FuseConfig};
pub use control::{control_timeline, ControlChange, ControlPeriod, ControlTimeline};
pub use score::Total;
pub use sitrep_core::fused::{
    Claim, Flag, FusedDate, FusedEvent, Link, Member, Reconciled, ScoreParts, SourceFigure,
};

/// Errors of the fusion stage (inputs that cannot be fused).
#[derive(Debug, thiserror::Error)]
pub enum FuseError {
    #[error("event {0} appears twice in the input")]
    DuplicateEvent(String),
}

/// One extracted event with the context fusion needs about its document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The document key.
    pub doc: String,
    /// The outlet that published the document.
    #[serde(default)]
    pub outlet: Option<String>,
    /// The document's publication date (`YYYY-MM-DD`), when known.
    #[serde(default)]
    pub published: Option<String>,
    /// The key of the canonical document when this one is a near-duplicate
    /// (a syndicated copy): its claims are repeats, not new sources.
    #[serde(default)]
    pub duplicate_of: Option<String>,
    /// The canonical document's outlet, for a syndicated copy.
    #[serde(default)]
    pub canonical_outlet: Option<String>,
    /// The event as extracted (its `id` is `DOCID#eN`, unique in the set).
    pub event: Event,
    /// The text of the evidence sentences, in the order of `event.evidence`
    /// (may be empty; used for partial-control and withdrawal cues).
    #[serde(default)]
    pub evidence_text: Vec<String>,
}

impl Report {
    /// The document whose wording this report carries: the canonical for a
    /// syndicated copy, else the document itself.
    pub fn canonical_doc(&self) -> &str {
        self.duplicate_of.as_deref().unwrap_or(&self.doc)
    }
}

/// The ~0.5° grid cell (or GeoNames id, country, `none`) an event is
/// compared within. `cell_deg` is the cell size in degrees.
pub fn block_key(e: &Event, cell_deg: f64) -> String {
    let Some(l) = &e.location else {
        return "none".into();
    };
    if let (Some(lat), Some(lon)) = (l.lat, l.lon) {
        if lat.is_finite() && lon.is_finite() && cell_deg > 0.0 {
            let y = (lat / cell_deg).floor() as i64;
            let x = (lon / cell_deg).floor() as i64;
            return format!("c{y}:{x}");
        }
    }
    if let Some(id) = l.geonames_id {
        return format!("g{id}");
    }
    match &l.country_code {
        Some(cc) => format!("n{cc}"),
        None => "none".into(),
    }
}

/// An event left out of fusion, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    pub event: String,
    pub reason: String,
}

/// The fusion of one block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockFusion {
    pub block: String,
    pub events: Vec<FusedEvent>,
    pub skipped: Vec<Skipped>,
}

/// Territorial direction of a sub-type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Direction {
    /// Government regains territory.
    Government,
    /// Non-state actor overtakes territory.
    NonState,
    /// Non-violent transfer of territory.
    Transfer,
}

pub fn direction(t: SubEventType) -> Option<Direction> {
    match t {
        SubEventType::GovernmentRegainsTerritory => Some(Direction::Government),
        SubEventType::NonStateActorOvertakesTerritory => Some(Direction::NonState),
        SubEventType::NonViolentTransferOfTerritory => Some(Direction::Transfer),
        _ => None,
    }
}

/// Is the actor on the government side (state forces or a pro-government
/// militia)?
pub fn state_side(a: &EventActor) -> bool {
    a.kind.as_deref() == Some("state-forces") || a.name.to_lowercase().contains("pro-government")
}

/// Who gains the territory in a territorial event: the government-side
/// actor among the first two for a government gain, the other side's for a
/// non-state gain (the extractor's first actor is the first named, not
/// always the taker); otherwise the first actor.
pub fn gainer(e: &Event) -> Option<&EventActor> {
    gainer_for(e, direction(e.sub_event_type))
}

/// [`gainer`] for a given direction (the fused event's).
pub fn gainer_for(e: &Event, dir: Option<Direction>) -> Option<&EventActor> {
    let both = [e.actor1.as_ref(), e.actor2.as_ref()];
    match dir {
        Some(Direction::Government) => both.into_iter().flatten().find(|a| state_side(a)),
        Some(Direction::NonState) => both
            .into_iter()
            .flatten()
            .find(|a| !state_side(a))
            .or(e.actor1.as_ref()),
        _ => e.actor1.as_ref(),
    }
}

/// Day number of a `YYYY-MM-DD` date.
pub(crate) fn day(s: &str) -> Option<i32> {
    use chrono::Datelike;
    chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
        .ok()
        .map(|d| d.num_days_from_ce())
}

pub(crate) fn day_str(n: i32) -> Option<String> {
    chrono::NaiveDate::from_num_days_from_ce_opt(n).map(|d| d.format("%Y-%m-%d").to_string())
}
