//! The actor knowledge base (`data/actors.toml`) and the actor matcher.
//!
//! Matching runs one Aho-Corasick automaton (ASCII case-insensitive,
//! leftmost-longest) over the text for every alias and generic phrase, then
//! checks word boundaries and case: an alias written all in capitals ("IS",
//! "SDF", "UN") or listed in `case_sensitive` only matches with that exact
//! case. Demonym + force-noun phrases ("Iraqi forces", "Russian air
//! strikes") and organisation-like phrases the base does not know ("the X
//! Brigade", "X militia", "forces loyal to Y", "Kataib X") are found with
//! regular expressions; the first resolve to the country's state forces, the
//! second are reported unresolved.

use std::collections::{HashMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use serde::Deserialize;
use sitrep_core::place::{ActorKind, ActorMatch, ActorMention};
use sitrep_core::Span;

use crate::boundary::BoundaryRegex;
use crate::fxhash::FxMap;

/// What is wrong with a knowledge base file.
#[derive(Debug, thiserror::Error)]
pub enum KbError {
    #[error("actors.toml does not parse: {0}")]
    Parse(String),
    #[error("actors.toml is invalid:\n  {}", .0.join("\n  "))]
    Invalid(Vec<String>),
    #[error("building the actor matcher: {0}")]
    Matcher(String),
}

/// Relations between actors.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Affiliations {
    /// Allied with (fights alongside, not under command).
    #[serde(default)]
    pub allied_with: Vec<String>,
    /// A component or member of.
    #[serde(default)]
    pub part_of: Vec<String>,
    /// Partnered with or backed by.
    #[serde(default)]
    pub partnered_with: Vec<String>,
    /// Renamed to or absorbed into.
    #[serde(default)]
    pub succeeded_by: Vec<String>,
}

/// One knowledge base entry.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// ISO 3166-1 alpha-2, or empty for transnational actors.
    #[serde(default)]
    pub country: String,
    /// `state` (the country's state forces, for "regime forces" and
    /// "Iraqi forces") or `progov` (pro-government militias, for "allied
    /// militias").
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Aliases matched only with exactly this case (beyond all-capital ones).
    #[serde(default)]
    pub case_sensitive: Vec<String>,
    #[serde(default, flatten)]
    pub affiliations: Affiliations,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    #[serde(default)]
    pub valid_from: Option<String>,
    #[serde(default)]
    pub valid_to: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl Actor {
    pub fn kind(&self) -> Option<ActorKind> {
        ActorKind::parse(&self.kind)
    }
}

/// A rule for an alias that several actors share.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Disambiguation {
    pub alias: String,
    /// Country context → actor id.
    #[serde(default)]
    pub by_country: HashMap<String, String>,
    pub default: String,
}

/// Generic phrases resolved through the document's country context.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Generic {
    pub role: String,
    pub phrases: Vec<String>,
}

/// A country's demonyms (adjective and plural), used for demonym + force
/// phrases and as country mentions.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Demonym {
    pub country: String,
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct KbFile {
    version: u32,
    #[serde(default)]
    actor: Vec<Actor>,
    #[serde(default)]
    disambiguation: Vec<Disambiguation>,
    #[serde(default)]
    generic: Vec<Generic>,
    #[serde(default)]
    demonym: Vec<Demonym>,
}

/// What one automaton pattern stands for.
#[derive(Debug, Clone)]
enum Pattern {
    /// An alias of these actors (more than one only with a disambiguation).
    Alias {
        actors: Vec<usize>,
        exact_case: Option<String>,
    },
    Generic {
        role: String,
    },
}

/// The loaded knowledge base with its matcher.
pub struct ActorKb {
    pub version: u32,
    pub actors: Vec<Actor>,
    pub disambiguation: Vec<Disambiguation>,
    pub demonyms: Vec<Demonym>,
    by_id: HashMap<String, usize>,
    ac: AhoCorasick,
    patterns: Vec<Pattern>,
    demonym_re: BoundaryRegex,
    demonym_cc: FxMap<String, String>,
    unknown_res: Vec<BoundaryRegex>,
}

/// The shipped knowledge base.
pub const DEFAULT_KB: &str = include_str!("../../../data/actors.toml");

fn valid_date(s: &str) -> Option<(u32, u32, u32)> {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| -> Option<u32> {
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let y = num(parts.first()?, 4)?;
    let m = match parts.get(1) {
        Some(p) => num(p, 2)?,
        None => 1,
    };
    let d = match parts.get(2) {
        Some(p) => num(p, 2)?,
        None => 1,
    };
    if parts.len() > 3 || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some((y, m, d))
}

fn overlaps(a: &Actor, b: &Actor) -> bool {
    let lo = |x: &Option<String>| x.as_deref().and_then(valid_date).unwrap_or((0, 0, 0));
    let hi = |x: &Option<String>| x.as_deref().and_then(valid_date).unwrap_or((9999, 12, 31));
    lo(&a.valid_from) <= hi(&b.valid_to) && lo(&b.valid_from) <= hi(&a.valid_to)
}

fn norm_alias(s: &str) -> String {
    s.to_ascii_lowercase()
        .replace(['’', '‘'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn word_before(text: &str, at: usize) -> bool {
    text.get(..at)
        .and_then(|t| t.chars().next_back())
        .is_some_and(char::is_alphanumeric)
}

fn word_after(text: &str, at: usize) -> bool {
    text.get(at..)
        .and_then(|t| t.chars().next())
        .is_some_and(char::is_alphanumeric)
}

/// Roles an actor or a generic phrase may have.
const ROLES: &[&str] = &["state", "progov", "civilians", "protesters", "rioters"];

fn all_caps(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_uppercase()) && !s.chars().any(|c| c.is_lowercase())
}

impl ActorKb {
    /// The shipped knowledge base.
    pub fn builtin() -> Result<Self, KbError> {
        Self::from_toml(DEFAULT_KB)
    }

    /// Parse, validate and compile a knowledge base.
    pub fn from_toml(text: &str) -> Result<Self, KbError> {
        let f: KbFile = toml::from_str(text).map_err(|e| KbError::Parse(e.to_string()))?;
        let problems = validate(&f);
        if !problems.is_empty() {
            return Err(KbError::Invalid(problems));
        }
        let by_id: HashMap<String, usize> = f
            .actor
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        // alias (normalised) -> pattern index
        let mut pat_index: HashMap<String, usize> = HashMap::new();
        let mut pat_text: Vec<String> = Vec::new();
        let mut patterns: Vec<Pattern> = Vec::new();
        for (i, a) in f.actor.iter().enumerate() {
            let mut names: Vec<&String> = vec![&a.name];
            names.extend(a.aliases.iter());
            names.extend(a.case_sensitive.iter());
            for n in names {
                let exact = a.case_sensitive.contains(n) || all_caps(n);
                let key = if exact {
                    format!("={n}")
                } else {
                    norm_alias(n)
                };
                match pat_index.get(&key) {
                    Some(&p) => {
                        if let Pattern::Alias { actors, .. } = &mut patterns[p] {
                            if !actors.contains(&i) {
                                actors.push(i);
                            }
                        }
                    }
                    None => {
                        pat_index.insert(key, patterns.len());
                        pat_text.push(norm_alias(n));
                        patterns.push(Pattern::Alias {
                            actors: vec![i],
                            exact_case: exact.then(|| n.clone()),
                        });
                    }
                }
            }
        }
        for g in &f.generic {
            for p in &g.phrases {
                if pat_index.contains_key(&norm_alias(p)) {
                    continue;
                }
                pat_index.insert(norm_alias(p), patterns.len());
                pat_text.push(norm_alias(p));
                patterns.push(Pattern::Generic {
                    role: g.role.clone(),
                });
            }
        }
        // A contiguous NFA builds in a fraction of the time of a DFA and
        // matches the few-KB documents about as fast.
        let ac = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&pat_text)
            .map_err(|e| KbError::Matcher(e.to_string()))?;
        let mut demonym_cc = FxMap::default();
        let mut words = Vec::new();
        for d in &f.demonym {
            for w in &d.words {
                demonym_cc.insert(w.clone(), d.country.clone());
                words.push(regex::escape(w));
            }
        }
        words.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let alt = if words.is_empty() {
            r"[^\s\S]".to_string()
        } else {
            words.join("|")
        };
        let demonym_re = BoundaryRegex::new(&format!(
            r"\b(?:(?:allied|their allied|pro-government)\s+(?P<pl>{alt})\b|(?P<adj>{alt})\s+(?:(?:government|regime|state|army|military|special|security|air|naval|ground|armed|government-backed)\s+)?(?:forces|troops|army|military|soldiers|air\s*strikes|airstrikes|warplanes|jets|aircraft|air\s+force|air\s+support|navy|artillery|police|security\s+forces)\b)"
        ))
        .map_err(|e| KbError::Matcher(e.to_string()))?;
        let name = r"[A-Z][\w'’-]+";
        let unknown_res = [
            format!(r"\b(?:[Tt]he\s+)?(?:{name}\s+){{1,4}}(?:Brigades?|Battalions?|Regiment|Division|Front|Movement|Militia|Corps|Army|Forces|Guards?|Legion)\b"),
            format!(r"\b{name}(?:\s+{name}){{0,2}}\s+militias?\b"),
            format!(r"\b(?:forces|militias|fighters|troops)\s+loyal\s+to\s+(?:the\s+)?{name}(?:\s+(?:al-)?{name}){{0,3}}"),
            format!(r"\b(?:Kataib|Kata'ib|Liwa|Jaish|Jaysh|Harakat|Saraya|Ansar|Firqat|Quwat|Katibat)\s+(?:al-|el-)?{name}(?:\s+(?:al-|el-)?{name}){{0,2}}"),
        ]
        .iter()
        .map(|p| BoundaryRegex::new(p).map_err(|e| KbError::Matcher(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
        Ok(ActorKb {
            version: f.version,
            actors: f.actor,
            disambiguation: f.disambiguation,
            demonyms: f.demonym,
            by_id,
            ac,
            patterns,
            demonym_re,
            demonym_cc,
            unknown_res,
        })
    }

    pub fn get(&self, id: &str) -> Option<&Actor> {
        self.by_id.get(id).map(|&i| &self.actors[i])
    }

    /// Country code of a demonym word ("Syrian" → "SY").
    pub fn demonym_country(&self, word: &str) -> Option<&str> {
        self.demonym_cc.get(word).map(String::as_str)
    }

    /// The actor with `role` in country `cc` (the latest when validity
    /// periods follow each other), else the transnational one (`civilians`).
    pub fn by_role(&self, cc: &str, role: &str) -> Option<&Actor> {
        let find = |c: &str| {
            self.actors
                .iter()
                .rfind(|a| a.country == c && a.role.as_deref() == Some(role))
        };
        find(cc).or_else(|| find(""))
    }

    fn mention(&self, text: &str, span: Span, a: &Actor, m: ActorMatch) -> ActorMention {
        ActorMention {
            span,
            text: span.slice(text).to_string(),
            actor_id: Some(a.id.clone()),
            name: a.name.clone(),
            kind: a.kind(),
            country_code: (!a.country.is_empty()).then(|| a.country.clone()),
            matched: m,
        }
    }

    fn resolve_shared(&self, alias: &str, actors: &[usize], ctx: &[String]) -> Option<usize> {
        if actors.len() == 1 {
            return actors.first().copied();
        }
        let key = norm_alias(alias);
        let Some(rule) = self
            .disambiguation
            .iter()
            .find(|d| norm_alias(&d.alias) == key)
        else {
            // Disjoint validity (checked by the validator): the latest name.
            return actors.last().copied();
        };
        let id = ctx
            .iter()
            .find_map(|cc| rule.by_country.get(cc))
            .unwrap_or(&rule.default);
        self.by_id.get(id).copied()
    }

    /// Find actor mentions in `text` within `spans` (the kept segments).
    /// `country_context` lists the document's countries, most salient first.
    pub fn find(
        &self,
        text: &str,
        spans: &[Span],
        country_context: &[String],
    ) -> Vec<ActorMention> {
        let mut found: Vec<(ActorMention, u8)> = Vec::new();
        for &seg in spans {
            let Some(seg_text) = text.get(seg.start..seg.end) else {
                continue;
            };
            for m in self.ac.find_iter(seg_text) {
                let (s, e) = (seg.start + m.start(), seg.start + m.end());
                if word_before(text, s) || word_after(text, e) {
                    continue;
                }
                let span = Span::new(s, e);
                let Some(pat) = self.patterns.get(m.pattern().as_usize()) else {
                    continue;
                };
                match pat {
                    Pattern::Alias { actors, exact_case } => {
                        if let Some(exact) = exact_case {
                            if span.slice(text) != exact {
                                continue;
                            }
                        }
                        if let Some(i) =
                            self.resolve_shared(span.slice(text), actors, country_context)
                        {
                            found.push((
                                self.mention(text, span, &self.actors[i], ActorMatch::Alias),
                                0,
                            ));
                        }
                    }
                    Pattern::Generic { role } => {
                        let actor = country_context.iter().find_map(|cc| self.by_role(cc, role));
                        match actor {
                            Some(a) => {
                                found.push((self.mention(text, span, a, ActorMatch::Context), 2))
                            }
                            None => found.push((unresolved(text, span), 3)),
                        }
                    }
                }
            }
            for c in self.demonym_re.for_text(seg_text).captures_iter(seg_text) {
                let Some(all) = c.get(0) else { continue };
                let word = c.name("adj").or_else(|| c.name("pl"));
                let Some(cc) = word.and_then(|w| self.demonym_country(w.as_str())) else {
                    continue;
                };
                let span = Span::new(seg.start + all.start(), seg.start + all.end());
                if let Some(a) = self.by_role(cc, "state") {
                    found.push((self.mention(text, span, a, ActorMatch::Demonym), 1));
                }
            }
            for re in &self.unknown_res {
                for m in re.for_text(seg_text).find_iter(seg_text) {
                    let span = Span::new(seg.start + m.start(), seg.start + m.end());
                    found.push((unresolved(text, span), 4));
                }
            }
        }
        // Longest leftmost wins; among equal spans, the better kind of match.
        found.sort_by(|(a, pa), (b, pb)| {
            a.span
                .start
                .cmp(&b.span.start)
                .then(b.span.end.cmp(&a.span.end))
                .then(pa.cmp(pb))
        });
        let mut out: Vec<ActorMention> = Vec::new();
        let mut taken: Vec<Span> = Vec::new();
        // Known actors first, so an unresolved phrase never hides one.
        for pass in 0..2 {
            for (m, p) in &found {
                let unknown = *p >= 3;
                if (pass == 0) == unknown {
                    continue;
                }
                if taken.iter().any(|t| t.overlaps(m.span)) {
                    continue;
                }
                taken.push(m.span);
                out.push(m.clone());
            }
        }
        out.sort_by_key(|m| (m.span.start, m.span.end));
        out
    }
}

fn unresolved(text: &str, span: Span) -> ActorMention {
    let t = span.slice(text).to_string();
    ActorMention {
        span,
        text: t.clone(),
        actor_id: None,
        name: t,
        kind: None,
        country_code: None,
        matched: ActorMatch::Unresolved,
    }
}

/// Check a parsed knowledge base; every problem is listed.
fn validate(f: &KbFile) -> Vec<String> {
    let mut p = Vec::new();
    if f.version == 0 {
        p.push("version must be 1 or more".to_string());
    }
    let mut ids: HashSet<&str> = HashSet::new();
    for a in &f.actor {
        if a.id.is_empty()
            || !a
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            p.push(format!(
                "{}: id must be lower-case letters, digits and '-'",
                a.id
            ));
        }
        if !ids.insert(&a.id) {
            p.push(format!("{}: duplicate id", a.id));
        }
        if a.kind().is_none() {
            p.push(format!("{}: unknown kind {:?}", a.id, a.kind));
        }
        if !a.country.is_empty()
            && (a.country.len() != 2 || !a.country.bytes().all(|b| b.is_ascii_uppercase()))
        {
            p.push(format!(
                "{}: country must be ISO alpha-2, got {:?}",
                a.id, a.country
            ));
        }
        if let Some(r) = &a.role {
            if !ROLES.contains(&r.as_str()) {
                p.push(format!("{}: unknown role {r:?}", a.id));
            }
        }
        for (what, d) in [("valid_from", &a.valid_from), ("valid_to", &a.valid_to)] {
            if let Some(d) = d {
                if valid_date(d).is_none() {
                    p.push(format!("{}: {what} {d:?} is not YYYY[-MM[-DD]]", a.id));
                }
            }
        }
        if let (Some(from), Some(to)) = (
            a.valid_from.as_deref().and_then(valid_date),
            a.valid_to.as_deref().and_then(valid_date),
        ) {
            if from > to {
                p.push(format!("{}: valid_from after valid_to", a.id));
            }
        }
    }
    for a in &f.actor {
        let af = &a.affiliations;
        for (rel, list) in [
            ("allied_with", &af.allied_with),
            ("part_of", &af.part_of),
            ("partnered_with", &af.partnered_with),
            ("succeeded_by", &af.succeeded_by),
        ] {
            for t in list {
                if !ids.contains(t.as_str()) {
                    p.push(format!("{}: {rel} refers to unknown id {t:?}", a.id));
                }
                if t == &a.id {
                    p.push(format!("{}: {rel} refers to itself", a.id));
                }
            }
        }
    }
    // Roles: at most one actor per (country, role) at any time.
    let mut roles: HashMap<(&str, &str), Vec<&Actor>> = HashMap::new();
    for a in &f.actor {
        if let Some(r) = &a.role {
            let v = roles.entry((&a.country, r)).or_default();
            for prev in v.iter() {
                if overlaps(prev, a) {
                    p.push(format!(
                        "{} and {}: both have role {r} in {}",
                        a.id, prev.id, a.country
                    ));
                }
            }
            v.push(a);
        }
    }
    // Shared aliases need a disambiguation rule unless validity is disjoint.
    let rules: HashSet<String> = f
        .disambiguation
        .iter()
        .map(|d| norm_alias(&d.alias))
        .collect();
    let mut owners: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, a) in f.actor.iter().enumerate() {
        let mut seen = HashSet::new();
        for n in std::iter::once(&a.name)
            .chain(&a.aliases)
            .chain(&a.case_sensitive)
        {
            let k = if a.case_sensitive.contains(n) || all_caps(n) {
                format!("={n}")
            } else {
                norm_alias(n)
            };
            if seen.insert(k.clone()) {
                owners.entry(k).or_default().push(i);
            }
        }
    }
    let mut shared: Vec<_> = owners.into_iter().filter(|(_, v)| v.len() > 1).collect();
    shared.sort();
    for (k, v) in shared {
        let plain = k.trim_start_matches('=').to_ascii_lowercase();
        if rules.contains(&plain) {
            continue;
        }
        for (x, &i) in v.iter().enumerate() {
            for &j in &v[x + 1..] {
                if overlaps(&f.actor[i], &f.actor[j]) {
                    p.push(format!(
                        "alias {:?} claimed by {} and {} with overlapping validity and no disambiguation rule",
                        k.trim_start_matches('='),
                        f.actor[i].id,
                        f.actor[j].id
                    ));
                }
            }
        }
    }
    for d in &f.disambiguation {
        for id in d.by_country.values().chain(std::iter::once(&d.default)) {
            if !ids.contains(id.as_str()) {
                p.push(format!("disambiguation {:?}: unknown id {id:?}", d.alias));
            }
        }
    }
    for g in &f.generic {
        if !ROLES.contains(&g.role.as_str()) {
            p.push(format!("generic: unknown role {:?}", g.role));
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"
version = 1
[[actor]]
id = "sy-military"
name = "Military Forces of Syria"
kind = "state-forces"
country = "SY"
role = "state"
aliases = ["Syrian army"]
[[actor]]
id = "isis"
name = "Islamic State"
kind = "rebel-group"
aliases = ["ISIS", "IS", "Daesh"]
[[generic]]
role = "state"
phrases = ["regime forces"]
[[demonym]]
country = "SY"
words = ["Syrian", "Syrians"]
"#;

    #[test]
    fn mini_kb_matches() {
        let kb = ActorKb::from_toml(MINI).unwrap();
        let t = "Regime forces and the Syrian army fought IS and Daesh; it is over. Syrian troops advanced.";
        let ms = kb.find(t, &[Span::new(0, t.len())], &["SY".to_string()]);
        let ids: Vec<_> = ms
            .iter()
            .map(|m| (m.text.as_str(), m.actor_id.as_deref()))
            .collect();
        assert_eq!(
            ids,
            vec![
                ("Regime forces", Some("sy-military")),
                ("Syrian army", Some("sy-military")),
                ("IS", Some("isis")),
                ("Daesh", Some("isis")),
                ("Syrian troops", Some("sy-military")),
            ]
        );
    }

    #[test]
    fn validator_catches_problems() {
        let bad = r#"
version = 1
[[actor]]
id = "a"
name = "A"
kind = "pirates"
part_of = ["nope"]
valid_from = "2017-13-01"
aliases = ["Same"]
[[actor]]
id = "a"
name = "B"
kind = "rebel-group"
aliases = ["same"]
"#;
        let Err(KbError::Invalid(p)) = ActorKb::from_toml(bad) else {
            panic!("should be invalid");
        };
        let all = p.join("\n");
        assert!(all.contains("duplicate id"), "{all}");
        assert!(all.contains("unknown kind"), "{all}");
        assert!(all.contains("unknown id \"nope\""), "{all}");
        assert!(all.contains("valid_from"), "{all}");
        assert!(all.contains("alias \"same\""), "{all}");
    }

    #[test]
    fn disjoint_validity_needs_no_rule() {
        let kb = r#"
version = 1
[[actor]]
id = "old"
name = "Old"
kind = "rebel-group"
aliases = ["The Front"]
valid_to = "2016-07"
[[actor]]
id = "new"
name = "New"
kind = "rebel-group"
aliases = ["the front"]
valid_from = "2016-08"
"#;
        if let Err(e) = ActorKb::from_toml(kb) {
            panic!("{e}");
        }
    }
}
