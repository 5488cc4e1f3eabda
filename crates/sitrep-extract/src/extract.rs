//! Per-document event extraction.
//!
//! Input: a cleaned [`Document`], its [`Annotations`] (sentences, figures,
//! time expressions, attribution, modality) and its [`PlacesAndActors`].
//! Each sentence is classified; sentences that report an event become event
//! mentions, which are merged within the document when they report the same
//! sub-event type at a compatible place and time. Every field of an event is
//! read from its own evidence sentences, with a documented fallback when the
//! sentence does not say (the place and date of the lead, the publication
//! date). Nothing here panics on input.

use chrono::NaiveDate;
use sitrep_core::annotation::{
    Annotations, CountedGroup, ModalityKind, Outcome, Quantity, QuantityUnit, TimexType,
};
use sitrep_core::event::{
    ActorFatalities, AttributedTo, Event, EventActor, EventDate, EventLocation, EventModality,
    Evidence, Fatalities, Range, SubEventType as S,
};
use sitrep_core::place::{ActorKind, ActorMention, FeatureClass, GeoPrecision, PlacesAndActors};
use sitrep_core::{CharIndex, Diagnostic, Document, SegmentKind, Span};

use crate::classify::{SubtypeClassifier, Target};

/// Minimum sentence score for an event mention.
const MIN_EVENT_SCORE: f32 = 2.0;

/// Events and diagnostics for one document.
#[derive(Debug, Clone, Default)]
pub struct Extraction {
    pub events: Vec<Event>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Build once, extract from many documents.
#[derive(Default)]
pub struct Extractor {
    classifier: SubtypeClassifier,
}

/// One sentence that reports an event.
struct Mention {
    sentence: usize,
    span: Span,
    sub: S,
    score: f32,
}

impl Extractor {
    pub fn new() -> Self {
        Extractor {
            classifier: SubtypeClassifier::new(),
        }
    }

    pub fn classifier(&self) -> &SubtypeClassifier {
        &self.classifier
    }

    /// Extract the events one document reports.
    pub fn extract(&self, doc: &Document, ann: &Annotations, geo: &PlacesAndActors) -> Extraction {
        let mut out = Extraction::default();
        let text = doc.text.as_str();
        let title = doc
            .segments
            .iter()
            .find(|s| s.kind == SegmentKind::Title)
            .map(|s| s.span);
        let mut mentions: Vec<Mention> = Vec::new();
        for (i, s) in ann.sentences.iter().enumerate() {
            let sentence = s.span.slice(text);
            if sentence.is_empty() {
                continue;
            }
            let scores = self.classifier.score_sentence(sentence);
            let mut best = scores.best();
            // A displacement figure makes a displacement event when nothing
            // stronger is reported in the sentence.
            if best.is_none_or(|(_, sc)| sc < MIN_EVENT_SCORE)
                && quantities_in(ann, s.span)
                    .any(|q| q.outcome == Some(Outcome::Displaced) && q.unit == QuantityUnit::Count)
            {
                best = Some((Target::Event(S::Displacement), MIN_EVENT_SCORE));
            }
            if let Some((Target::Event(sub), score)) = best {
                if score >= MIN_EVENT_SCORE {
                    mentions.push(Mention {
                        sentence: i,
                        span: s.span,
                        sub,
                        score,
                    });
                }
            }
        }
        if mentions.is_empty() {
            return out;
        }
        let chars = CharIndex::new(text);
        // Merge mentions of the same sub-type with the same place and date.
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let keys: Vec<(Option<u32>, Option<String>)> = mentions
            .iter()
            .map(|m| {
                (
                    place_in(geo, m.span).and_then(|t| t.place.as_ref().map(|p| p.geonames_id)),
                    date_in(ann, text, m.span).and_then(|d| d.start),
                )
            })
            .collect();
        for (i, m) in mentions.iter().enumerate() {
            let found = groups.iter_mut().find(|g| {
                let j = g[0];
                mentions[j].sub == m.sub
                    && compatible(&keys[j].0, &keys[i].0)
                    && compatible(&keys[j].1, &keys[i].1)
            });
            match found {
                Some(g) => g.push(i),
                None => groups.push(vec![i]),
            }
        }
        let lead_place = lead_place(geo, ann, title);
        for (n, g) in groups.iter().enumerate() {
            let first = &mentions[g[0]];
            let spans: Vec<Span> = g.iter().map(|&i| mentions[i].span).collect();
            let mut ev = Event {
                id: format!("{}#e{}", doc.key, n + 1),
                primary: false,
                event_type: first.sub.event_type(),
                sub_event_type: first.sub,
                date: self.date(doc, ann, text, &spans),
                location: spans
                    .iter()
                    .find_map(|&s| place_in(geo, s))
                    .or(lead_place)
                    .map(|t| location(t, text)),
                actor1: None,
                actor2: None,
                associated_actors: Vec::new(),
                fatalities: Fatalities::default(),
                injured: None,
                displaced: None,
                means: spans.iter().find_map(|&s| means(s.slice(text))),
                modality: modality(ann, &spans),
                attributed_to: attributions(ann, text, &spans),
                evidence: spans
                    .iter()
                    .map(|s| Evidence {
                        start: chars.char_offset(s.start),
                        end: chars.char_offset(s.end),
                        byte_start: s.start,
                        byte_end: s.end,
                    })
                    .collect(),
            };
            let actors = actors_in(geo, &spans);
            let mut it = actors.iter();
            ev.actor1 = it.next().map(|a| actor(a));
            ev.actor2 = it.next().map(|a| actor(a));
            ev.associated_actors = it.map(|a| actor(a)).collect();
            figures(&mut ev, ann, geo, text, &spans);
            out.events.push(ev);
        }
        // The primary event: the strongest mention, weighted towards the
        // title and lead.
        let primary = groups
            .iter()
            .enumerate()
            .map(|(n, g)| {
                let w: f32 = g
                    .iter()
                    .map(|&i| {
                        let m = &mentions[i];
                        let in_title = title.is_some_and(|t| t.overlaps(m.span));
                        let pos = if in_title {
                            1.5
                        } else {
                            1.0 / (1.0 + 0.4 * m.sentence as f32)
                        };
                        m.score * pos
                    })
                    .fold(0.0, f32::max);
                (n, w)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(n, _)| n);
        if let Some(p) = primary {
            out.events[p].primary = true;
        }
        out
    }

    /// The event's date: the first dated time expression in its sentences;
    /// else the publication date, marked as such.
    fn date(&self, doc: &Document, ann: &Annotations, text: &str, spans: &[Span]) -> EventDate {
        if let Some(d) = spans.iter().find_map(|&s| date_in(ann, text, s)) {
            return d;
        }
        match doc.published.date {
            Some(p) => EventDate {
                start: Some(p.to_string()),
                end: Some(p.to_string()),
                precision: "report".into(),
                text: None,
            },
            None => EventDate {
                start: None,
                end: None,
                precision: "unknown".into(),
                text: None,
            },
        }
    }
}

fn compatible<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

fn quantities_in(ann: &Annotations, span: Span) -> impl Iterator<Item = &Quantity> {
    ann.quantities.iter().filter(move |q| span.contains(q.span))
}

fn date_in(ann: &Annotations, text: &str, span: Span) -> Option<EventDate> {
    ann.timexes
        .iter()
        .filter(|t| span.contains(t.span))
        .filter(|t| matches!(t.kind, TimexType::Date | TimexType::Time))
        .find_map(|t| {
            let iv = t.interval.as_ref()?;
            Some(EventDate {
                start: Some(iv.start.to_string()),
                end: Some(iv.end.to_string()),
                precision: serde_json::to_value(iv.precision)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_else(|| "day".into()),
                text: Some(t.span.slice(text).to_string()),
            })
        })
}

/// The most specific resolved toponym in a span: a town beats a province,
/// a province beats a country.
fn place_in(geo: &PlacesAndActors, span: Span) -> Option<&sitrep_core::place::Toponym> {
    geo.toponyms
        .iter()
        .filter(|t| span.contains(t.span) && t.place.is_some())
        .min_by_key(|t| (class_rank(t), t.span.start))
}

fn class_rank(t: &sitrep_core::place::Toponym) -> u8 {
    match t.place.as_ref().map(|p| p.feature_class) {
        Some(FeatureClass::City) => 0,
        Some(FeatureClass::Admin2) => 1,
        Some(FeatureClass::Admin1) => 2,
        Some(FeatureClass::Country) => 3,
        None => 4,
    }
}

/// The place of the title or, failing that, of the first sentence that
/// names one: where the report is about.
fn lead_place<'a>(
    geo: &'a PlacesAndActors,
    ann: &Annotations,
    title: Option<Span>,
) -> Option<&'a sitrep_core::place::Toponym> {
    title
        .and_then(|t| place_in(geo, t))
        .or_else(|| ann.sentences.iter().take(3).find_map(|s| place_in(geo, s.span)))
}

fn location(t: &sitrep_core::place::Toponym, _text: &str) -> EventLocation {
    let p = t.place.as_ref();
    EventLocation {
        name: p.map_or_else(|| t.text.clone(), |p| p.name.clone()),
        geonames_id: p.map(|p| p.geonames_id),
        lat: p.map(|p| p.lat),
        lon: p.map(|p| p.lon),
        country_code: p.map(|p| p.country_code.clone()),
        admin1: p.and_then(|p| (!p.admin1.is_empty()).then(|| p.admin1.clone())),
        admin2: None,
        precision: match t.precision {
            GeoPrecision::Exact => "exact",
            GeoPrecision::Near => "near",
            GeoPrecision::Region => "region",
            GeoPrecision::Country => "country",
        }
        .into(),
        text: t.text.clone(),
    }
}

fn actors_in<'a>(geo: &'a PlacesAndActors, spans: &[Span]) -> Vec<&'a ActorMention> {
    let mut out: Vec<&ActorMention> = Vec::new();
    for &s in spans {
        for a in geo.actors.iter().filter(|a| s.contains(a.span)) {
            if a.kind == Some(ActorKind::Source) {
                continue;
            }
            let dup = out.iter().any(|b| match (&a.actor_id, &b.actor_id) {
                (Some(x), Some(y)) => x == y,
                _ => a.name.eq_ignore_ascii_case(&b.name),
            });
            if !dup {
                out.push(a);
            }
        }
    }
    out
}

fn actor(a: &ActorMention) -> EventActor {
    EventActor {
        id: a.actor_id.clone(),
        name: a.name.clone(),
        kind: a.kind.map(|k| k.as_str().to_string()),
        country: a.country_code.clone(),
        text: a.text.clone(),
    }
}

fn range(q: &Quantity, text: &str) -> Range {
    Range {
        low: q.value.low,
        best: q.value.best,
        high: q.value.high,
        text: q.span.slice(text).to_string(),
    }
}

/// Add two ranges (deaths of two groups in one event). An open upper bound
/// stays open.
fn add(a: Range, b: Range) -> Range {
    let sum = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => Some(x + y),
        _ => None,
    };
    Range {
        low: sum(a.low, b.low).or(a.low).or(b.low),
        best: sum(a.best, b.best),
        high: sum(a.high, b.high),
        text: format!("{}; {}", a.text, b.text),
    }
}

/// Fatalities, injured and displaced from the figures in the evidence.
fn figures(ev: &mut Event, ann: &Annotations, geo: &PlacesAndActors, text: &str, spans: &[Span]) {
    let mut total: Option<Range> = None;
    for &s in spans {
        for (qi, q) in ann.quantities.iter().enumerate() {
            if !s.contains(q.span) || q.unit != QuantityUnit::Count {
                continue;
            }
            let r = range(q, text);
            match q.outcome {
                Some(Outcome::Killed) => {
                    match q.group {
                        Some(CountedGroup::Civilians) => set_max(&mut ev.fatalities.civilians, &r),
                        Some(CountedGroup::Children) => set_max(&mut ev.fatalities.children, &r),
                        Some(CountedGroup::Women) => set_max(&mut ev.fatalities.women, &r),
                        Some(CountedGroup::Fighters) | Some(CountedGroup::Forces) => {
                            let who = q
                                .counted
                                .and_then(|c| geo.actors.iter().find(|a| c.overlaps(a.span)))
                                .or_else(|| {
                                    // The nearest actor after the figure ("48 of the regime forces").
                                    geo.actors
                                        .iter()
                                        .filter(|a| a.span.start >= q.span.end && s.contains(a.span))
                                        .min_by_key(|a| a.span.start)
                                });
                            if let Some(a) = who {
                                ev.fatalities.by_actor.push(ActorFatalities {
                                    actor_id: a.actor_id.clone(),
                                    range: r.clone(),
                                });
                            }
                        }
                        _ => {}
                    }
                    // Figures nested in another ("including 29 children") do
                    // not add to the total.
                    let nested = q.part_of.is_some_and(|p| p != qi);
                    if !nested {
                        total = Some(match total.take() {
                            Some(t) => add(t, r),
                            None => r,
                        });
                    }
                }
                Some(Outcome::Injured) => set_max(&mut ev.injured, &r),
                Some(Outcome::Displaced) => set_max(&mut ev.displaced, &r),
                _ => {}
            }
        }
    }
    ev.fatalities.total = total;
}

fn set_max(slot: &mut Option<Range>, r: &Range) {
    let better = match slot {
        None => true,
        Some(cur) => r.best.unwrap_or(0.0) > cur.best.unwrap_or(0.0),
    };
    if better {
        *slot = Some(r.clone());
    }
}

/// The weakest modality over the evidence: one asserted sentence makes the
/// event asserted; otherwise denial beats hedging beats plans.
fn modality(ann: &Annotations, spans: &[Span]) -> EventModality {
    let mut best = None;
    for &s in spans {
        let mut m = EventModality::Asserted;
        for md in ann.modalities.iter().filter(|m| s.overlaps(m.scope)) {
            m = match md.kind {
                ModalityKind::Denial => EventModality::Denied,
                ModalityKind::Hedge if m == EventModality::Asserted => EventModality::Claimed,
                ModalityKind::Future if m == EventModality::Asserted => EventModality::Planned,
                ModalityKind::Hypothetical if m == EventModality::Asserted => {
                    EventModality::Hypothetical
                }
                _ => m,
            };
        }
        if m == EventModality::Asserted {
            return m;
        }
        best.get_or_insert(m);
    }
    best.unwrap_or(EventModality::Asserted)
}

fn attributions(ann: &Annotations, text: &str, spans: &[Span]) -> Vec<AttributedTo> {
    let mut out: Vec<AttributedTo> = Vec::new();
    for &s in spans {
        for a in ann.attributions.iter().filter(|a| a.statement.overlaps(s)) {
            let Some(src) = a.source else { continue };
            let src_text = src.slice(text).to_string();
            let item = AttributedTo {
                name: a.resolved.clone().unwrap_or_else(|| src_text.clone()),
                text: src_text,
                via: a.channel.map(|c| c.slice(text).to_string()),
            };
            if !out.contains(&item) {
                out.push(item);
            }
        }
    }
    out
}

/// The means of violence named in a sentence, in a canonical wording.
fn means(sentence: &str) -> Option<String> {
    const MEANS: &[(&str, &str)] = &[
        ("barrel bomb", "barrel bomb"),
        ("suicide", "suicide bomb"),
        ("car bomb", "car bomb"),
        ("chlorine", "chemical weapon"),
        ("sarin", "chemical weapon"),
        ("toxic gas", "chemical weapon"),
        ("chemical", "chemical weapon"),
        ("drone", "drone strike"),
        ("air strike", "air strike"),
        ("airstrike", "air strike"),
        ("air raid", "air strike"),
        ("warplane", "air strike"),
        ("shelling", "shelling"),
        ("artillery", "shelling"),
        ("mortar", "mortar"),
        ("rocket", "rocket"),
        ("missile", "missile"),
        ("landmine", "landmine"),
        ("roadside bomb", "IED"),
        ("explosive device", "IED"),
        ("ied", "IED"),
        ("grenade", "grenade"),
        ("booby-trap", "booby trap"),
        ("sniper", "sniper fire"),
        ("gunfire", "gunfire"),
        ("shot", "gunfire"),
        ("opened fire", "gunfire"),
        ("executed", "execution"),
        ("beheaded", "execution"),
        ("stabbed", "knife"),
    ];
    let lower = sentence.to_ascii_lowercase();
    MEANS
        .iter()
        .filter_map(|(k, v)| lower.find(k).map(|p| (p, *v)))
        .min_by_key(|(p, _)| *p)
        .map(|(_, v)| v.to_string())
}

/// Parse `YYYY-MM-DD`.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}
