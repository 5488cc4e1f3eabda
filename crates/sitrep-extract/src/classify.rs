//! Cue-based ACLED sub-event classification.
//!
//! A passage is split into sentences; each sentence is scanned once with an
//! Aho-Corasick automaton over the cue lexicon (`lexicon.rs`). Direct cues
//! vote for a sub-event type; feature cues are combined by a few rules that
//! encode ACLED's definitions (who took a place decides between "Government
//! regains territory" and "Non-state actor overtakes territory"; the force
//! used against a protest decides between the four protest and riot types).
//! Sentence votes are weighted by position, because the lead carries the
//! main event. Non-conflict readings (disasters, crime, diplomacy, claims of
//! responsibility, statistics) compete on the same scale; when one wins, or
//! nothing scores, no event is produced.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};
use sitrep_core::event::SubEventType as S;

use crate::lexicon::{Cue, Feature, CUES};

/// A reading of a passage that is not an ACLED conflict event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NonEvent {
    NaturalDisaster,
    ManMadeDisaster,
    Crime,
    Diplomacy,
    /// Claims of responsibility and blame, not the act itself.
    Attribution,
    /// Estimates and statistics ("2,500 to 3,500 fighters remain").
    Statistic,
}

/// What a passage was classified as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    Event(S),
    NonEvent(NonEvent),
}

/// The classifier's verdict on one passage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// The winning sub-event type, or `None` when the passage reports no
    /// conflict event.
    pub sub_event_type: Option<S>,
    /// The winning reading, event or not.
    pub target: Option<Target>,
    /// Its score.
    pub score: f32,
    /// Index of the sentence that contributed most to the winner.
    pub sentence: Option<usize>,
}

/// Minimum score for an event reading to count.
const MIN_SCORE: f32 = 1.0;

/// Build once, classify many passages.
pub struct SubtypeClassifier {
    ac: AhoCorasick,
    /// Per pattern: may it end inside a word, and what it contributes.
    cues: Vec<(bool, Cue)>,
}

impl Default for SubtypeClassifier {
    fn default() -> Self {
        Self::new()
    }
}

/// Scores of one sentence.
#[derive(Debug, Default, Clone)]
pub struct SentenceScores {
    scores: Vec<(Target, f32)>,
}

impl SentenceScores {
    fn add(&mut self, t: Target, w: f32) {
        match self.scores.iter_mut().find(|(x, _)| *x == t) {
            Some((_, s)) => *s += w,
            None => self.scores.push((t, w)),
        }
    }

    fn get(&self, t: Target) -> f32 {
        self.scores
            .iter()
            .find(|(x, _)| *x == t)
            .map_or(0.0, |(_, s)| *s)
    }

    fn scale(&mut self, t: Target, f: f32) {
        if let Some((_, s)) = self.scores.iter_mut().find(|(x, _)| *x == t) {
            *s *= f;
        }
    }

    /// The best reading of this sentence alone.
    pub fn best(&self) -> Option<(Target, f32)> {
        self.scores
            .iter()
            .copied()
            .filter(|(_, s)| *s > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    }

    /// All readings with a positive score.
    pub fn iter(&self) -> impl Iterator<Item = (Target, f32)> + '_ {
        self.scores.iter().copied().filter(|(_, s)| *s > 0.0)
    }
}

#[derive(Default)]
struct Features {
    first: [Option<usize>; 17],
}

impl Features {
    fn idx(f: Feature) -> usize {
        f as usize
    }
    fn set(&mut self, f: Feature, pos: usize) {
        let slot = &mut self.first[Self::idx(f)];
        if slot.is_none_or(|p| pos < p) {
            *slot = Some(pos);
        }
    }
    fn has(&self, f: Feature) -> bool {
        self.first[Self::idx(f)].is_some()
    }
    fn at(&self, f: Feature) -> Option<usize> {
        self.first[Self::idx(f)]
    }
}

impl SubtypeClassifier {
    pub fn new() -> Self {
        let patterns: Vec<&str> = CUES.iter().map(|(p, _)| p.trim_end_matches('*')).collect();
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .expect("the cue lexicon is a valid automaton");
        let cues = CUES.iter().map(|(p, c)| (p.ends_with('*'), *c)).collect();
        SubtypeClassifier { ac, cues }
    }

    /// Score one sentence.
    pub fn score_sentence(&self, sentence: &str) -> SentenceScores {
        let lower = sentence.to_ascii_lowercase();
        let bytes = lower.as_bytes();
        let mut out = SentenceScores::default();
        let mut feats = Features::default();
        let mut hits: Vec<(usize, usize, Cue)> = Vec::new();
        for m in self.ac.find_overlapping_iter(&lower) {
            let (stem, cue) = self.cues[m.pattern().as_usize()];
            let (s, e) = (m.start(), m.end());
            if s > 0 && is_word(bytes[s - 1]) {
                continue;
            }
            if !stem && e < bytes.len() && is_word(bytes[e]) && is_word(bytes[e - 1]) {
                continue;
            }
            hits.push((s, e, cue));
        }
        let blocked: Vec<(usize, usize)> = hits
            .iter()
            .filter(|h| h.2 == Cue::Block)
            .map(|h| (h.0, h.1))
            .collect();
        for (s, e, cue) in hits {
            // A blocking phrase cancels the shorter cues it contains.
            if blocked
                .iter()
                .any(|&(bs, be)| bs <= s && e <= be && (bs, be) != (s, e))
            {
                continue;
            }
            match cue {
                Cue::Block => {}
                Cue::Sub(t, w) => out.add(Target::Event(t), w),
                Cue::Non(n, w) => out.add(Target::NonEvent(n), w),
                Cue::F(f) => feats.set(f, s),
            }
        }
        compose(&feats, &mut out);
        out
    }

    /// Classify a passage: a headline, a snippet or a whole report.
    pub fn classify(&self, text: &str) -> Classification {
        self.classify_sentences(split_sentences(text))
    }

    /// Classify a passage given as its sentences, in order: sentence votes
    /// add up, weighted by position. `sentence` in the result indexes the
    /// iterator.
    pub fn classify_sentences<'a>(
        &self,
        sentences: impl IntoIterator<Item = &'a str>,
    ) -> Classification {
        let mut total: Vec<(Target, f32, usize, f32)> = Vec::new();
        for (i, sentence) in sentences.into_iter().enumerate() {
            let w = position_weight(i);
            for (t, s) in self.score_sentence(sentence).iter() {
                let s = s * w;
                match total.iter_mut().find(|(x, ..)| *x == t) {
                    Some(entry) => {
                        entry.1 += s;
                        if s > entry.3 {
                            entry.2 = i;
                            entry.3 = s;
                        }
                    }
                    None => total.push((t, s, i, s)),
                }
            }
        }
        let best = total
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        match best {
            Some(&(t, s, i, _)) if s >= MIN_SCORE => Classification {
                sub_event_type: match t {
                    Target::Event(e) => Some(e),
                    Target::NonEvent(_) => None,
                },
                target: Some(t),
                score: s,
                sentence: Some(i),
            },
            _ => Classification {
                sub_event_type: None,
                target: None,
                score: 0.0,
                sentence: None,
            },
        }
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn position_weight(i: usize) -> f32 {
    match i {
        0 => 1.0,
        1 => 0.7,
        2 => 0.5,
        _ => 0.35,
    }
}

/// A light sentence splitter for passages (the annotation stage has the
/// real one; this keeps the classifier usable on bare snippets).
pub fn split_sentences(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let b = bytes[i];
            i += 1;
            let end_here = b == b'\n'
                || (matches!(b, b'.' | b'!' | b'?')
                    && i < bytes.len()
                    && bytes[i] == b' '
                    && bytes.get(i + 1).is_some_and(|c| c.is_ascii_uppercase())
                    && !(b == b'.' && is_abbreviation(&text[start..i - 1])));
            if end_here {
                let s = &text[start..i];
                start = i;
                if !s.trim().is_empty() {
                    return Some(s);
                }
            }
        }
        if start < bytes.len() {
            let s = &text[start..];
            start = bytes.len();
            if !s.trim().is_empty() {
                return Some(s);
            }
        }
        None
    })
}

/// Does the passage end with an abbreviation or an initial, so that a
/// following full stop does not end the sentence?
fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    if word.len() == 1 && word.bytes().all(|b| b.is_ascii_uppercase()) {
        return true;
    }
    const ABBR: &[&str] = &[
        "Gen", "Lt", "Col", "Maj", "Capt", "Sgt", "Brig", "Adm", "Cpt", "Mr", "Mrs", "Ms", "Dr",
        "St", "Gov", "Sen", "Rep", "Prof", "Rev", "No", "Jan", "Feb", "Aug", "Sept", "Sep", "Oct",
        "Nov", "Dec", "U.S", "U.N", "U.K", "Mt", "Ft", "Jr", "Sr", "Inc", "Co", "Corp", "vs",
    ];
    ABBR.contains(&word)
}

/// Combine feature cues into sub-event votes.
fn compose(f: &Features, out: &mut SentenceScores) {
    use Feature::*;
    let ev = Target::Event;
    // Protests and riots: the force used decides.
    let gov_actor = f.has(GovActor);
    if f.has(Protest) {
        let harmed = f.has(Casualty) && (f.has(Intervention) || f.has(AttackVerb) || gov_actor);
        let t = if f.has(RiotViolence) && !f.has(LethalForce) {
            S::ViolentDemonstration
        } else if f.has(LethalForce) || harmed {
            S::ExcessiveForceAgainstProtesters
        } else if f.has(Intervention) {
            S::ProtestWithIntervention
        } else {
            S::PeacefulProtest
        };
        out.add(ev(t), 3.0);
        out.scale(ev(S::Arrests), 0.3);
        out.scale(ev(S::Grenade), 0.3);
        out.scale(ev(S::ArmedClash), 0.5);
        out.scale(ev(S::ShellingArtilleryMissile), 0.3);
    } else if f.has(RiotViolence) && f.has(Intervention) {
        out.add(ev(S::ViolentDemonstration), 1.5);
    }
    // Territory: who took the place decides.
    let gov = f.at(GovActor);
    let nsa = f.at(NonStateActor);
    let gov_first = match (gov, nsa) {
        (Some(g), Some(n)) => g < n,
        (Some(_), None) => true,
        _ => false,
    };
    let weapons_seized = f.has(Weapon) && (f.has(Seizure) || f.has(Capture));
    let mut territory = false;
    if weapons_seized {
        out.add(ev(S::DisruptedWeaponsUse), 3.0);
        for t in [S::RemoteExplosive, S::Grenade, S::ShellingArtilleryMissile] {
            out.scale(ev(t), 0.3);
        }
    } else if f.has(Handover) && (f.has(Capture) || f.has(Recapture)) {
        territory = true;
        out.add(ev(S::NonViolentTransferOfTerritory), 2.0);
        if gov_first {
            out.add(ev(S::GovernmentRegainsTerritory), 1.0);
        } else {
            out.add(ev(S::NonStateActorOvertakesTerritory), 1.0);
        }
    } else if f.has(Recapture) || f.has(Capture) {
        let w = if f.has(Recapture) { 3.0 } else { 2.5 };
        if gov.is_some() || nsa.is_some() {
            territory = true;
            if gov_first {
                out.add(ev(S::GovernmentRegainsTerritory), w);
            } else {
                out.add(ev(S::NonStateActorOvertakesTerritory), w);
            }
        }
    } else if f.has(Handover) {
        out.add(ev(S::NonViolentTransferOfTerritory), 1.0);
    }
    // Explosions of unspecified kind.
    let explosive = [
        S::RemoteExplosive,
        S::SuicideBomb,
        S::Grenade,
        S::AirDroneStrike,
        S::ShellingArtilleryMissile,
        S::ChemicalWeapon,
    ];
    if f.has(Explosion) && explosive.iter().all(|&t| out.get(ev(t)) == 0.0) {
        out.add(ev(S::RemoteExplosive), 1.5);
    }
    // Attacks: on civilians, violence against civilians; on armed targets, a clash.
    if f.has(AttackVerb) {
        let civ = f.has(CivilianTarget);
        let mil = f.has(MilitaryTarget) || (gov.is_some() && nsa.is_some());
        match (civ, mil) {
            (true, false) => out.add(ev(S::Attack), 2.0),
            (false, true) => out.add(ev(S::ArmedClash), 2.0),
            (true, true) => {
                out.add(ev(S::ArmedClash), 1.2);
                out.add(ev(S::Attack), 1.0);
            }
            (false, false) => {
                out.add(ev(S::Attack), 1.0);
                out.add(ev(S::ArmedClash), 0.8);
            }
        }
    }
    if f.has(Fighting) {
        out.add(ev(S::ArmedClash), 2.0);
    }
    if f.has(Casualty) && gov.is_some() && nsa.is_some() {
        out.add(ev(S::ArmedClash), 1.5);
    }
    if f.has(Casualty) && f.has(NonStateActor) && f.has(CivilianTarget) {
        out.add(ev(S::Attack), 1.0);
    }
    // ACLED codes a change of hands won in fighting as the territorial
    // sub-type, not as a clash.
    if territory {
        out.scale(ev(S::ArmedClash), 0.6);
    }
    // A named means of remote violence outweighs the generic clash and
    // attack readings of the same sentence.
    if explosive.iter().any(|&t| out.get(ev(t)) >= 2.5) {
        out.scale(ev(S::ArmedClash), 0.5);
        out.scale(ev(S::Attack), 0.5);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(text: &str) -> Option<S> {
        SubtypeClassifier::new().classify(text).sub_event_type
    }

    #[test]
    fn direct_cues() {
        assert_eq!(
            sub("Warplanes carried out air strikes on the town of Kfar Dael on Monday."),
            Some(S::AirDroneStrike)
        );
        assert_eq!(
            sub("A roadside bomb struck a police pickup near the market, killing two."),
            Some(S::RemoteExplosive)
        );
        assert_eq!(
            sub("A suicide bomber blew himself up at a wedding hall in the north."),
            Some(S::SuicideBomb)
        );
    }

    #[test]
    fn territory_depends_on_who() {
        assert_eq!(
            sub("Government troops recaptured the hill town of Tel Warda from rebels."),
            Some(S::GovernmentRegainsTerritory)
        );
        assert_eq!(
            sub("Rebels seized control of the hill town of Tel Warda from the army."),
            Some(S::NonStateActorOvertakesTerritory)
        );
    }

    #[test]
    fn protests_depend_on_force() {
        assert_eq!(
            sub("Hundreds of teachers held a peaceful rally outside parliament."),
            Some(S::PeacefulProtest)
        );
        assert_eq!(
            sub("Police fired tear gas to disperse protesters in the capital."),
            Some(S::ProtestWithIntervention)
        );
        assert_eq!(
            sub("Security forces opened fire on protesters, killing four."),
            Some(S::ExcessiveForceAgainstProtesters)
        );
    }

    #[test]
    fn non_events_yield_nothing() {
        assert_eq!(
            sub("A magnitude 6.1 earthquake struck the coastal province overnight."),
            None
        );
        assert_eq!(
            sub("Between 2,000 and 3,000 fighters are estimated to remain in the valley."),
            None
        );
        assert_eq!(sub(""), None);
    }

    /// Regression: "riot police" made a rally a violent demonstration.
    #[test]
    fn riot_police_are_not_a_riot() {
        assert_eq!(
            sub("Riot police fired tear gas to disperse hundreds of protesters on Friday."),
            Some(S::ProtestWithIntervention)
        );
        assert_eq!(
            sub("Rioters torched cars and hurled stones at police in the old town."),
            Some(S::ViolentDemonstration)
        );
    }

    /// Regression: an air strike that killed fighters of an armed group
    /// came out as a clash (the casualty rule was applied after the
    /// remote-violence precedence).
    #[test]
    fn air_strike_killing_fighters_is_an_air_strike() {
        assert_eq!(
            sub("An air strike by the army killed 18 rebel fighters near the dam on Tuesday."),
            Some(S::AirDroneStrike)
        );
    }

    /// Regression: a town taken after heavy fighting was a clash, not a
    /// change of hands.
    #[test]
    fn territory_won_in_fighting_is_territory() {
        assert_eq!(
            sub("Rebels took control of two villages after heavy clashes with the army."),
            Some(S::NonStateActorOvertakesTerritory)
        );
    }

    /// Regression: mine clearance after a battle is disrupted weapons use,
    /// not an explosion.
    #[test]
    fn demining_is_disrupted_weapons_use() {
        assert_eq!(
            sub("Army engineers were clearing mines from the streets of the town."),
            Some(S::DisruptedWeaponsUse)
        );
    }

    #[test]
    fn splitter_keeps_initials() {
        let v: Vec<_> = split_sentences("U.S. troops left. Then Gen. A. Smith spoke.").collect();
        assert_eq!(v.len(), 2, "{v:?}");
    }
}
