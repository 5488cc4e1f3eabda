//! Places and actors produced by the who-and-where stage. Filled in by
//! `sitrep-geo`.
//!
//! Plain data only: later stages consume these without depending on the
//! geoparser. Every `span` is a byte span into the document's `text`.

use serde::{Deserialize, Serialize};

use crate::Span;

/// What kind of gazetteer feature a place is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeatureClass {
    /// A country (GeoNames `A.PCLI` and relatives).
    Country,
    /// A first-level administrative region: governorate, province, state.
    Admin1,
    /// A second-level administrative region: district, county.
    Admin2,
    /// A populated place: city, town, village (GeoNames class `P`).
    City,
}

impl FeatureClass {
    pub fn as_str(self) -> &'static str {
        match self {
            FeatureClass::Country => "country",
            FeatureClass::Admin1 => "admin1",
            FeatureClass::Admin2 => "admin2",
            FeatureClass::City => "city",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "country" => FeatureClass::Country,
            "admin1" => FeatureClass::Admin1,
            "admin2" => FeatureClass::Admin2,
            "city" => FeatureClass::City,
            _ => return None,
        })
    }
}

/// How precisely a mention pins down where something happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GeoPrecision {
    /// The place itself ("in al-Boukamal").
    Exact,
    /// Near or at a distance from the place ("10 km from X", "near X",
    /// "the vicinity of X", "the outskirts of X").
    Near,
    /// Part of a region ("the eastern countryside of Deir Ezzor",
    /// "east of the Euphrates", "northern Syria").
    Region,
    /// Only the country is known.
    Country,
}

/// The relation between what the text talks about and the named place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelativeLocation {
    /// Words that made the location relative, verbatim ("10 kilometers from",
    /// "eastern countryside of", "near").
    pub cue: String,
    pub cue_span: Span,
    /// Distance stated in the text, in km, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// Compass direction stated in the text (`n`, `ne`, ..., `nw`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
}

/// A gazetteer entry a toponym was resolved to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceRef {
    pub geonames_id: u32,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    /// Name of the first-level region (empty for countries).
    #[serde(default)]
    pub admin1: String,
    pub feature_class: FeatureClass,
    /// GeoNames feature code (`PPLA2`, `ADM1`, `PCLI`, ...).
    pub feature_code: String,
    #[serde(default)]
    pub population: u64,
}

/// A place name found in a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Toponym {
    pub span: Span,
    /// The text under the span, verbatim.
    pub text: String,
    /// The resolved place, or `None` when no candidate was trusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<PlaceRef>,
    /// Confidence of the resolution in `[0, 1]`.
    pub score: f64,
    pub precision: GeoPrecision,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relative: Option<RelativeLocation>,
    /// How many gazetteer candidates the name had.
    pub candidates: u32,
}

/// A country named by its demonym ("Syrian", "Iraqi"): context, not an event
/// place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemonymMention {
    pub span: Span,
    pub text: String,
    pub country_code: String,
}

/// ACLED-style actor kinds, plus `Source` for monitors, agencies and outlets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActorKind {
    StateForces,
    RebelGroup,
    PoliticalMilitia,
    IdentityMilitia,
    ExternalForces,
    Civilians,
    Protesters,
    Rioters,
    Source,
}

impl ActorKind {
    pub const ALL: [ActorKind; 9] = [
        ActorKind::StateForces,
        ActorKind::RebelGroup,
        ActorKind::PoliticalMilitia,
        ActorKind::IdentityMilitia,
        ActorKind::ExternalForces,
        ActorKind::Civilians,
        ActorKind::Protesters,
        ActorKind::Rioters,
        ActorKind::Source,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::StateForces => "state-forces",
            ActorKind::RebelGroup => "rebel-group",
            ActorKind::PoliticalMilitia => "political-militia",
            ActorKind::IdentityMilitia => "identity-militia",
            ActorKind::ExternalForces => "external-forces",
            ActorKind::Civilians => "civilians",
            ActorKind::Protesters => "protesters",
            ActorKind::Rioters => "rioters",
            ActorKind::Source => "source",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// How an actor mention was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActorMatch {
    /// A name or alias of the knowledge base.
    Alias,
    /// A generic phrase ("regime forces", "the army") resolved through the
    /// document's country context.
    Context,
    /// A demonym plus a force noun ("Iraqi forces", "Russian air strikes").
    Demonym,
    /// An organisation-like phrase the knowledge base does not know.
    Unresolved,
}

/// An actor named in a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorMention {
    pub span: Span,
    pub text: String,
    /// Canonical id in the knowledge base; `None` when unresolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    /// Canonical name (the mention text when unresolved).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ActorKind>,
    /// ISO 3166-1 alpha-2 of the actor's country, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(rename = "match")]
    pub matched: ActorMatch,
}

/// Everything the who-and-where stage found in one document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlacesAndActors {
    pub toponyms: Vec<Toponym>,
    pub demonyms: Vec<DemonymMention>,
    pub actors: Vec<ActorMention>,
    /// The countries the document is about, most mentioned first.
    pub country_context: Vec<String>,
}
