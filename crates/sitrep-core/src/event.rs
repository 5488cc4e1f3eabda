//! The ACLED event taxonomy (six event types, 25 sub-event types) plus
//! sitrep's own `Displacement` type.

use serde::{Deserialize, Serialize};

/// ACLED event types, with sitrep's `Displacement` added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventType {
    #[serde(rename = "Battles")]
    Battles,
    #[serde(rename = "Explosions/Remote violence")]
    ExplosionsRemoteViolence,
    #[serde(rename = "Violence against civilians")]
    ViolenceAgainstCivilians,
    #[serde(rename = "Protests")]
    Protests,
    #[serde(rename = "Riots")]
    Riots,
    #[serde(rename = "Strategic developments")]
    StrategicDevelopments,
    #[serde(rename = "Displacement")]
    Displacement,
}

impl EventType {
    /// The exact ACLED string.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Battles => "Battles",
            EventType::ExplosionsRemoteViolence => "Explosions/Remote violence",
            EventType::ViolenceAgainstCivilians => "Violence against civilians",
            EventType::Protests => "Protests",
            EventType::Riots => "Riots",
            EventType::StrategicDevelopments => "Strategic developments",
            EventType::Displacement => "Displacement",
        }
    }
}

macro_rules! sub_event_types {
    ($( $var:ident => $name:literal, $ty:ident, $code:literal; )*) => {
        /// ACLED sub-event types, with sitrep's `Displacement` added.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum SubEventType {
            $( #[serde(rename = $name)] $var, )*
        }

        impl SubEventType {
            /// Every sub-event type, ACLED's 25 first, in ACLED's order.
            pub const ALL: &'static [SubEventType] = &[$(SubEventType::$var),*];

            /// The exact ACLED string.
            pub fn as_str(self) -> &'static str {
                match self { $( SubEventType::$var => $name, )* }
            }

            /// The event type this sub-event type belongs to.
            pub fn event_type(self) -> EventType {
                match self { $( SubEventType::$var => EventType::$ty, )* }
            }

            /// The short code used by the CASE 2021 Task 2 data set
            /// (`DISPLACEMENT` for sitrep's own type).
            pub fn case_code(self) -> &'static str {
                match self { $( SubEventType::$var => $code, )* }
            }

            /// Parse either the exact ACLED string or the CASE 2021 code.
            pub fn parse(s: &str) -> Option<SubEventType> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|t| t.as_str() == s || t.case_code() == s)
            }
        }
    };
}

sub_event_types! {
    ArmedClash => "Armed clash", Battles, "ARMED_CLASH";
    GovernmentRegainsTerritory => "Government regains territory", Battles, "GOV_REGAINS_TERIT";
    NonStateActorOvertakesTerritory => "Non-state actor overtakes territory", Battles, "NON_STATE_ACTOR_OVERTAKES_TER";
    ChemicalWeapon => "Chemical weapon", ExplosionsRemoteViolence, "CHEM_WEAP";
    AirDroneStrike => "Air/drone strike", ExplosionsRemoteViolence, "AIR_STRIKE";
    SuicideBomb => "Suicide bomb", ExplosionsRemoteViolence, "SUIC_BOMB";
    ShellingArtilleryMissile => "Shelling/artillery/missile attack", ExplosionsRemoteViolence, "ART_MISS_ATTACK";
    RemoteExplosive => "Remote explosive/landmine/IED", ExplosionsRemoteViolence, "REM_EXPLOS";
    Grenade => "Grenade", ExplosionsRemoteViolence, "GRENADE";
    SexualViolence => "Sexual violence", ViolenceAgainstCivilians, "SEX_VIOL";
    Attack => "Attack", ViolenceAgainstCivilians, "ATTACK";
    AbductionForcedDisappearance => "Abduction/forced disappearance", ViolenceAgainstCivilians, "ABDUCT_DISSAP";
    PeacefulProtest => "Peaceful protest", Protests, "PEACE_PROTEST";
    ProtestWithIntervention => "Protest with intervention", Protests, "PROTEST_WITH_INTER";
    ExcessiveForceAgainstProtesters => "Excessive force against protesters", Protests, "FORCE_AGAINST_PROTEST";
    ViolentDemonstration => "Violent demonstration", Riots, "VIOL_DEMONSTR";
    MobViolence => "Mob violence", Riots, "MOB_VIOL";
    Agreement => "Agreement", StrategicDevelopments, "AGREEMENT";
    Arrests => "Arrests", StrategicDevelopments, "ARREST";
    ChangeToGroupActivity => "Change to group/activity", StrategicDevelopments, "CHANGE_TO_GROUP_ACT";
    DisruptedWeaponsUse => "Disrupted weapons use", StrategicDevelopments, "DISR_WEAP";
    HeadquartersOrBaseEstablished => "Headquarters or base established", StrategicDevelopments, "HQ_ESTABLISHED";
    LootingPropertyDestruction => "Looting/property destruction", StrategicDevelopments, "PROPERTY_DISTRUCT";
    NonViolentTransferOfTerritory => "Non-violent transfer of territory", StrategicDevelopments, "NON_VIOL_TERRIT_TRANSFER";
    Other => "Other", StrategicDevelopments, "OTHER";
    Displacement => "Displacement", Displacement, "DISPLACEMENT";
}

impl SubEventType {
    /// ACLED's own 25 sub-event types (without sitrep's `Displacement`).
    pub fn acled() -> &'static [SubEventType] {
        &Self::ALL[..25]
    }
}

/// A `{low, best, high}` estimate with the text it was read from.
///
/// Policy: `low` is what the source commits to ("at least 31" gives 31),
/// `high` is `None` when the source sets no upper bound, and `best` is the
/// single figure a coder would enter (the stated number, or the midpoint of
/// a stated range).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    pub low: Option<f64>,
    pub best: Option<f64>,
    pub high: Option<f64>,
    /// The words the figure was read from.
    pub text: String,
}

/// An event's date interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDate {
    /// First day the event may have happened on (`YYYY-MM-DD`).
    pub start: Option<String>,
    /// Last day the event may have happened on (`YYYY-MM-DD`).
    pub end: Option<String>,
    /// `day`, `part-of-day`, `week`, `month`, ... from the time expression;
    /// `report` when no expression dated the event and the publication date
    /// stands in; `unknown` when neither exists.
    pub precision: String,
    /// The time expression, when one dated the event.
    pub text: Option<String>,
}

/// An event's place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventLocation {
    pub name: String,
    pub geonames_id: Option<u32>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub country_code: Option<String>,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    /// `exact`, `near`, `region` or `country`.
    pub precision: String,
    /// The toponym as written.
    pub text: String,
}

/// An actor in an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventActor {
    /// Knowledge-base id, or `None` for an unresolved organisation.
    pub id: Option<String>,
    pub name: String,
    pub kind: Option<String>,
    pub country: Option<String>,
    /// The mention as written.
    pub text: String,
}

/// Fatalities attributed to one actor's side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorFatalities {
    pub actor_id: Option<String>,
    pub range: Range,
}

/// Deaths, in total and by group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fatalities {
    pub total: Option<Range>,
    pub civilians: Option<Range>,
    pub children: Option<Range>,
    pub women: Option<Range>,
    pub by_actor: Vec<ActorFatalities>,
}

/// Who a claim is attributed to, such as `Syrian Observatory for Human
/// Rights` (text "the Observatory").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributedTo {
    pub name: String,
    pub text: String,
    /// The channel it came through, such as `AFP` for "a source told AFP".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// A supporting sentence: code point offsets into the input text (what the
/// JSON contract promises) and byte offsets into the document text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
}

/// How firmly a report states an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventModality {
    Asserted,
    Claimed,
    Denied,
    Hypothetical,
    Planned,
}

/// One conflict event reported by one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    /// The report's main event (exactly one per document that has events).
    pub primary: bool,
    pub event_type: EventType,
    pub sub_event_type: SubEventType,
    pub date: EventDate,
    pub location: Option<EventLocation>,
    pub actor1: Option<EventActor>,
    pub actor2: Option<EventActor>,
    pub associated_actors: Vec<EventActor>,
    pub fatalities: Fatalities,
    pub injured: Option<Range>,
    pub displaced: Option<Range>,
    pub means: Option<String>,
    pub modality: EventModality,
    pub attributed_to: Vec<AttributedTo>,
    pub evidence: Vec<Evidence>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxonomy_has_25_acled_types() {
        assert_eq!(SubEventType::acled().len(), 25);
        assert_eq!(SubEventType::ALL.len(), 26);
        assert!(!SubEventType::acled().contains(&SubEventType::Displacement));
    }

    #[test]
    fn names_and_codes_round_trip() {
        for &t in SubEventType::ALL {
            assert_eq!(SubEventType::parse(t.as_str()), Some(t));
            assert_eq!(SubEventType::parse(t.case_code()), Some(t));
        }
        assert_eq!(
            serde_json::to_string(&SubEventType::AirDroneStrike).unwrap(),
            "\"Air/drone strike\""
        );
        assert_eq!(
            SubEventType::RemoteExplosive.event_type().as_str(),
            "Explosions/Remote violence"
        );
    }
}
