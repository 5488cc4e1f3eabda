//! Source chains and independence.
//!
//! A claim's chain is the outlet, then each `attributed_to` entry's channel
//! (`via`) and name: `Arabs Today ← Agence France Presse ← SOHR`. Names are
//! normalised through a small alias table (the Observatory, its director
//! and "the Britain-based monitor" are all SOHR). The independent source a
//! claim counts for is the first named source of the chain; when the report
//! names none ("a source", "sources"), it is the channel if there is one,
//! else the outlet of the canonical document: twenty syndicated copies of
//! one wire story are one source.

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

/// The canonical name of a source, or `None` for an anonymous one.
pub fn normalise(name: &str) -> Option<String> {
    let l = name.trim().to_lowercase();
    if l.is_empty() || GENERIC.contains(&l.as_str()) {
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

/// The chain of a report, outermost first, and the independent source key.
pub fn chain_of(r: &Report) -> (Vec<String>, String) {
    let mut chain = Vec::new();
    if let Some(o) = &r.outlet {
        chain.push(o.trim().to_string());
    }
    let mut named: Option<String> = None;
    let mut channel: Option<String> = None;
    for a in &r.event.attributed_to {
        if let Some(v) = &a.via {
            let v = normalise(v).unwrap_or_else(|| v.trim().to_string());
            if !chain.contains(&v) {
                chain.push(v.clone());
            }
            channel.get_or_insert(v);
        }
        let n = normalise(&a.name);
        let shown = n.clone().unwrap_or_else(|| a.name.trim().to_string());
        if !chain.contains(&shown) {
            chain.push(shown);
        }
        if named.is_none() {
            named = n;
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
