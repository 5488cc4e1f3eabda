//! What a briefing is built from, as plain data the caller gathers: the
//! fusion stage's own types (fused events with their claims, control
//! changes and periods) plus the scope, the period and the reports' texts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use sitrep_fuse::{
    Claim, ControlChange, ControlPeriod, Flag, FusedDate as Date, FusedEvent as Event, Member,
    Reconciled as Figure, SourceFigure,
};

/// The control timeline of one place.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Timeline {
    /// The place's display name.
    pub place: String,
    pub geonames_id: Option<u32>,
    pub changes: Vec<ControlChange>,
    pub periods: Vec<ControlPeriod>,
}

/// A stored report the claims point into.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Report {
    pub outlet: Option<String>,
    /// Publication date `YYYY-MM-DD`, when known.
    pub published: Option<String>,
    pub url: Option<String>,
    /// The report's text (the current version): evidence spans index it.
    pub text: String,
}

/// What a briefing is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScopeKind {
    /// One place (a town, a city).
    Place,
    /// A first-level administrative region (a governorate, a province).
    Region,
    /// A country.
    Country,
}

/// The place or region a briefing covers, as resolved by the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scope {
    pub kind: ScopeKind,
    /// The resolved name (`Ālbū Kamāl`).
    pub name: String,
    /// What the user asked for (`al-Boukamal`).
    pub query: String,
    pub geonames_ids: Vec<u32>,
}

/// Everything a briefing is composed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Input {
    pub scope: Scope,
    /// First day of the period (`YYYY-MM-DD`), inclusive.
    pub from: Option<String>,
    /// Last day of the period, inclusive.
    pub to: Option<String>,
    /// Every fused event of the scope, whatever its date: those in the
    /// period are briefed; the others may carry a control period that
    /// reaches into it.
    pub events: Vec<Event>,
    /// Control timelines of the places in the scope (computed over all
    /// their events).
    pub timelines: Vec<Timeline>,
    /// Reports by document key.
    pub reports: BTreeMap<String, Report>,
    /// The most events listed under "Key events" (the others are counted);
    /// 0 for [`crate::DEFAULT_MAX_EVENTS`].
    pub max_events: usize,
}
