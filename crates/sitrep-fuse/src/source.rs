//! Source chains and independence.
//!
//! A claim's chain is the outlet, then the channel (`via`) and the name of
//! the one attribution it rests on: `Arabs Today ← AFP ← SOHR`. That is the
//! first attribution of the event that names a source or a channel; a
//! figure rests on the attribution of the sentence that gives it ("the
//! Observatory reported that at least 31 …"), whoever the event's lead
//! quotes. Two sources of one event are two voices, not a chain; an
//! anonymous one ("a source", "the sources") is shown as written only as
//! the innermost voice and never counts as a source of its own. Names are
//! normalised through a small alias table (the Observatory, its director
//! and "the Britain-based monitor" are all SOHR). The independent source a
//! claim counts for is the named source of its chain; when there is none,
//! it is the channel if there is one, else the outlet of the canonical
//! document: twenty syndicated copies of one wire story are one source.

use sitrep_core::event::AttributedTo;

use crate::Report;

/// Normalised names: (fragment of the lower-cased name, canonical name).
const ALIASES: &[(&str, &str)] = &[
    ("syrian observatory", "SOHR"),
    ("sohr", "SOHR"),
    ("the observatory", "SOHR"),
    ("rami abdel rahman", "SOHR"),
    ("rami abdulrahman", "SOHR"),
    ("abdel rahman", "SOHR"),
    ("britain-based monitor", "SOHR"),
    ("syrian network for human rights", "SNHR"),
    ("sana", "SANA"),
    ("state media", "SANA"),
    ("state news agency", "SANA"),
    ("agence france", "AFP"),
    ("afp", "AFP"),
    ("reuters", "Reuters"),
    ("associated press", "AP"),
    ("united nations", "UN"),
    ("ocha", "UN"),
];

/// Words that make a source anonymous.
const GENERIC: &[&str] = &[
    "a source",
    "the source",
    "sources",
    "the sources",
    "a conflict monitor",
    "the monitor",
    "activists",
    "officials",
    "an official",
    "witnesses",
    "residents",
    "the media outlet",
    "the network",
];

/// The canonical name of a source, or `None` for an anonymous one: a
/// generic word ("the source") or an indefinite source that names no one
/// ("a source from an allied militia", "an informed source"; but "an army
/// spokesman" speaks for the army, and "a Hezbollah source" for Hezbollah).
pub fn normalise(name: &str) -> Option<String> {
    let l = name.trim().to_lowercase();
    if l.is_empty() || GENERIC.contains(&l.as_str()) {
        return None;
    }
    let indefinite = (l.starts_with("a ") || l.starts_with("an "))
        && l.split(|c: char| !c.is_alphanumeric())
            .any(|w| w == "source" || w == "sources");
    let names_someone = name
        .split_whitespace()
        .skip(1)
        .any(|w| w.chars().next().is_some_and(char::is_uppercase));
    if indefinite && !names_someone {
        return None;
    }
    for (frag, canon) in ALIASES {
        let hit = if frag.len() <= 4 {
            // Short aliases must be whole words ("sana", "afp").
            l.split(|c: char| !c.is_alphanumeric()).any(|w| w == *frag)
        } else {
            l.contains(frag)
        };
        if hit {
            return Some((*canon).to_string());
        }
    }
    Some(name.trim().to_string())
}

/// The chain of a report's event, outermost first, and the independent
/// source key.
pub fn chain_of(r: &Report) -> (Vec<String>, String) {
    let all: Vec<&AttributedTo> = r.event.attributed_to.iter().collect();
    chain_from(r, &all)
}

/// The chain of a claim whose value is written `text` ("at least 31"): the
/// attribution of the evidence sentence that gives it, when that sentence
/// names who says so; else the event's.
pub fn chain_for_text(r: &Report, text: &str) -> (Vec<String>, String) {
    // A sum of figures ("at least 31; more than 50") is read from the
    // sentence of its first part.
    let first = text.split("; ").next().unwrap_or(text).trim();
    if !first.is_empty() {
        if let Some(sentence) = r.evidence_text.iter().find(|s| s.contains(first)) {
            // "The Observatory said" opens a sentence with a capital.
            let sentence = sentence.to_lowercase();
            let here: Vec<&AttributedTo> = r
                .event
                .attributed_to
                .iter()
                .filter(|a| {
                    let t = a.text.trim().to_lowercase();
                    !t.is_empty() && sentence.contains(&t)
                })
                .collect();
            if here.iter().any(|a| speaks(a)) {
                return chain_from(r, &here);
            }
        }
    }
    chain_of(r)
}

/// Does the attribution name a source or a channel?
fn speaks(a: &AttributedTo) -> bool {
    normalise(&a.name).is_some() || a.via.is_some()
}

/// Outlet, channel and named source of the first attribution that names
/// one (the channel may come from another attribution of the same source:
/// "the Observatory said …; its head told AFP"), and the source key.
fn chain_from(r: &Report, atts: &[&AttributedTo]) -> (Vec<String>, String) {
    let mut chain = Vec::new();
    if let Some(o) = &r.outlet {
        chain.push(o.trim().to_string());
    }
    // An anonymous voice ("residents said") is shown as written when no
    // attribution names anyone, but it is never the independent source.
    let mut shown = None;
    let (named, channel) = match atts.iter().find(|a| speaks(a)).or(atts.first()) {
        Some(a) => {
            shown = Some(normalise(&a.name).unwrap_or_else(|| a.name.trim().to_string()));
            let named = normalise(&a.name);
            let via = a.via.clone().or_else(|| {
                let n = named.as_ref()?;
                atts.iter()
                    .find(|b| b.via.is_some() && normalise(&b.name).as_ref() == Some(n))
                    .and_then(|b| b.via.clone())
            });
            let via = via.map(|v| normalise(&v).unwrap_or_else(|| v.trim().to_string()));
            (named, via)
        }
        None => (None, None),
    };
    for x in [channel.clone(), shown].into_iter().flatten() {
        if !chain.contains(&x) {
            chain.push(x);
        }
    }
    let key = named
        .or(channel)
        .unwrap_or_else(|| format!("outlet:{}", outlet_key(r)));
    (chain, key)
}

/// The outlet (or document) the report's own wording stands for.
fn outlet_key(r: &Report) -> String {
    match (&r.duplicate_of, &r.outlet) {
        // A copy speaks with its canonical document's voice.
        (Some(canon), _) => r
            .canonical_outlet
            .as_ref()
            .map_or_else(|| canon.clone(), |o| o.trim().to_string()),
        (None, Some(o)) => o.trim().to_string(),
        (None, None) => r.doc.clone(),
    }
}

/// Does the report name who says so?
pub fn attributed(r: &Report) -> bool {
    r.event
        .attributed_to
        .iter()
        .any(|a| normalise(&a.name).is_some() || a.via.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    use sitrep_core::event::{
        Event, EventDate, EventModality, EventType, Fatalities, SubEventType,
    };

    fn att(name: &str, text: &str, via: Option<&str>) -> AttributedTo {
        AttributedTo {
            name: name.into(),
            text: text.into(),
            via: via.map(str::to_string),
        }
    }

    /// A report of the fictional outlet "Valley Times" whose event rests on
    /// the given attributions and evidence sentences.
    fn report(atts: Vec<AttributedTo>, evidence_text: &[&str]) -> Report {
        Report {
            doc: "d1".into(),
            outlet: Some("Valley Times".into()),
            published: Some("2019-05-13".into()),
            duplicate_of: None,
            canonical_outlet: None,
            event: Event {
                id: "d1#e1".into(),
                primary: true,
                event_type: EventType::Battles,
                sub_event_type: SubEventType::ArmedClash,
                date: EventDate {
                    start: Some("2019-05-12".into()),
                    end: Some("2019-05-12".into()),
                    precision: "day".into(),
                    text: None,
                },
                location: None,
                actor1: None,
                actor2: None,
                associated_actors: vec![],
                fatalities: Fatalities::default(),
                injured: None,
                displaced: None,
                means: None,
                modality: EventModality::Asserted,
                attributed_to: atts,
                evidence: vec![],
            },
            evidence_text: evidence_text.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Regression (seed 001): the chain listed every attribution of the
    /// event in a row, so two voices read as a relay ("SANA via The
    /// source"), and named anonymous sources.
    #[test]
    fn a_chain_names_one_voice_and_only_real_sources() {
        let r = report(
            vec![
                att("The source", "The source", None),
                att("SANA news", "SANA news", None),
            ],
            &[
                "The source said the army cleared mines.",
                "SANA news reported it too.",
            ],
        );
        assert_eq!(
            chain_of(&r),
            (vec!["Valley Times".into(), "SANA".into()], "SANA".into())
        );
        // An indefinite source names no one; its channel does.
        let r = report(
            vec![att(
                "a source from an allied militia",
                "a source from an allied militia",
                Some("AFP"),
            )],
            &[],
        );
        assert_eq!(
            chain_of(&r),
            (
                vec![
                    "Valley Times".into(),
                    "AFP".into(),
                    "a source from an allied militia".into()
                ],
                "AFP".into()
            )
        );
        // The channel of another statement by the same source completes it.
        let r = report(
            vec![
                att(
                    "the Syrian Observatory for Human Rights",
                    "the Observatory",
                    None,
                ),
                att(
                    "Rami Abdel Rahman",
                    "Rami Abdel Rahman",
                    Some("Agence France Presse"),
                ),
            ],
            &[],
        );
        assert_eq!(
            chain_of(&r).0,
            vec!["Valley Times".to_string(), "AFP".into(), "SOHR".into()]
        );
        // Nobody named: the outlet is the source, quoting someone.
        let r = report(vec![att("residents", "residents", None)], &[]);
        assert_eq!(
            chain_of(&r),
            (
                vec!["Valley Times".into(), "residents".into()],
                "outlet:Valley Times".into()
            )
        );
    }

    /// Regression (seed 001): the dead counted by the Observatory were
    /// credited to the voice of the event's lead.
    #[test]
    fn a_figure_speaks_with_the_voice_of_its_sentence() {
        let r = report(
            vec![
                att("a source", "a source", Some("AFP")),
                att("Syrian Observatory for Human Rights", "the SOHR", None),
            ],
            &[
                "The army retook the town, a source told AFP.",
                "The SOHR reported that at least 31 soldiers were killed.",
            ],
        );
        assert_eq!(chain_of(&r).1, "AFP");
        assert_eq!(
            chain_for_text(&r, "at least 31; more than 50"),
            (vec!["Valley Times".into(), "SOHR".into()], "SOHR".into())
        );
        // A figure in a sentence that names nobody keeps the event's voice.
        let r = report(
            vec![att("a source", "a source", Some("AFP"))],
            &[
                "The army retook the town, a source told AFP.",
                "Twelve soldiers died.",
            ],
        );
        assert_eq!(chain_for_text(&r, "Twelve").1, "AFP");
    }

    #[test]
    fn aliases() {
        assert_eq!(
            normalise("the Syrian Observatory for Human Rights").as_deref(),
            Some("SOHR")
        );
        assert_eq!(normalise("Agence France Presse").as_deref(), Some("AFP"));
        assert_eq!(normalise("state news agency SANA").as_deref(), Some("SANA"));
        assert_eq!(normalise("a source"), None);
        assert_eq!(
            normalise("Sanaa officials").as_deref(),
            Some("Sanaa officials")
        );
    }
}
