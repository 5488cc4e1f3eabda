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
