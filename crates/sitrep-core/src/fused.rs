//! Fused events: one real-world event as told by one or more reports,
//! with every claim and its source chain, and the control changes and
//! periods built from them. The fusion stage (`sitrep-fuse`) makes these;
//! the store, the briefing and the interfaces read them. Plain data, no
//! logic.

use serde::{Deserialize, Serialize};

use crate::event::{EventActor, EventLocation, EventModality, EventType, Evidence, SubEventType};

/// The score of a pair and its components.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ScoreParts {
    pub types: f64,
    pub date: f64,
    pub place: f64,
    pub actors: f64,
    pub figures: f64,
}

/// A fused event's date: the days it happened on, as far as the reports
/// agree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FusedDate {
    pub start: Option<String>,
    pub end: Option<String>,
    /// The most precise member's precision (`day`, `part-of-day`, `report`…).
    pub precision: String,
    /// Night/evening events sort after day events of the same date.
    pub late: bool,
}

/// A member report of a fused event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub event: String,
    pub doc: String,
    pub outlet: Option<String>,
    pub published: Option<String>,
    /// Canonical document when this is a syndicated copy.
    pub repeat_of: Option<String>,
    pub sub_event_type: SubEventType,
    pub modality: EventModality,
}

/// One field value one report gives, with who says so and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// `type`, `date`, `location`, `actor1`, `actor2`, `fatalities`,
    /// `fatalities:ACTOR`, `civilians`, `injured`, `displaced`, `denial`,
    /// `modality`, `extent`.
    pub field: String,
    pub value: serde_json::Value,
    /// The value as written (`at least 31`, `Thursday night`).
    pub text: Option<String>,
    /// Who relays whom, outermost first: `["Rudaw", "SOHR"]`.
    pub chain: Vec<String>,
    /// The independent source this claim counts for (the chain's root when
    /// it is a named source, else the outlet of the canonical document).
    pub source: String,
    pub doc: String,
    pub event: String,
    /// Canonical document when the claim comes from a syndicated copy: it
    /// does not count as another source.
    pub repeat_of: Option<String>,
    pub evidence: Vec<Evidence>,
}

/// One independent source's figure for a field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceFigure {
    pub source: String,
    pub low: Option<f64>,
    pub best: Option<f64>,
    pub high: Option<f64>,
    pub text: String,
    /// How many reports (repeats included) carry this source's figure.
    pub reports: usize,
}

/// A figure reconciled across sources (policy in `sitrep_fuse::reconcile`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reconciled {
    pub low: Option<f64>,
    pub best: Option<f64>,
    pub high: Option<f64>,
    /// Independent sources behind the figure.
    pub sources: usize,
    pub by_source: Vec<SourceFigure>,
    /// Two independent sources give ranges that cannot both be true.
    pub contradiction: bool,
}

/// Something an analyst should look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// `denial`, `incompatible-figures`, `opposite-outcome`,
    /// `type-disagreement`.
    pub kind: String,
    pub detail: String,
}

/// Why two member events were (or were not) merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub a: String,
    pub b: String,
    pub score: f64,
    pub parts: ScoreParts,
    /// `merged`, `same-cluster` (already joined through others),
    /// `kept-apart: REASON`, `below-threshold`, `denial-attached`.
    pub decision: String,
}

/// One real-world event as told by one or more reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FusedEvent {
    /// `F` + 12 hex digits of the BLAKE3 hash of the smallest member id.
    pub id: String,
    pub block: String,
    pub event_type: EventType,
    pub sub_event_type: SubEventType,
    pub date: FusedDate,
    pub location: Option<EventLocation>,
    pub actor1: Option<EventActor>,
    pub actor2: Option<EventActor>,
    pub fatalities: Option<Reconciled>,
    pub fatalities_by_actor: Vec<(String, Reconciled)>,
    pub civilians: Option<Reconciled>,
    pub injured: Option<Reconciled>,
    pub displaced: Option<Reconciled>,
    pub members: Vec<Member>,
    /// Independent sources, sorted.
    pub sources: Vec<String>,
    pub claims: Vec<Claim>,
    pub flags: Vec<Flag>,
    /// Territorial extent read from the evidence: `full`, `partial`,
    /// `contested` (forces entered), with the phrase that says so.
    pub extent: Option<(String, String)>,
    /// `[0, 1]`: how well supported the event is (policy in
    /// `sitrep_fuse::reconcile::confidence`).
    pub confidence: f64,
    pub links: Vec<Link>,
}

/// One change of control at a place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlChange {
    pub fused: String,
    pub date_start: Option<String>,
    pub date_end: Option<String>,
    pub precision: String,
    /// A night or evening event (after the day's other changes).
    pub late: bool,
    /// `government regains`, `non-state actor overtakes`, `non-violent
    /// transfer`, `withdrawal`.
    pub kind: String,
    /// Who holds the place after the change.
    pub holder: String,
    /// `full`, `partial`, `contested`.
    pub extent: String,
    /// The evidence phrase behind the extent.
    pub phrase: Option<String>,
    pub confidence: f64,
    pub sources: Vec<String>,
    /// Documents reporting it.
    pub docs: Vec<String>,
    /// `confirmed`, `unconfirmed` (below the confidence bar), `disputed`.
    pub status: String,
    pub note: Option<String>,
}

/// Who held a place from when to when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlPeriod {
    pub holder: String,
    pub extent: String,
    pub from: Option<String>,
    /// The start of the next change (`None`: still current as far as the
    /// reports go).
    pub to: Option<String>,
    pub fused: String,
    pub confidence: f64,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ControlTimeline {
    pub changes: Vec<ControlChange>,
    pub periods: Vec<ControlPeriod>,
}
