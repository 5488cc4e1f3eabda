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
    Annotations, CountedGroup, ModalityKind, Outcome, Quantity, QuantityUnit, TimePrecision,
    TimexType,
};
use sitrep_core::event::{
    ActorFatalities, AttributedTo, Event, EventActor, EventDate, EventLocation, EventModality,
    Evidence, Fatalities, Range, SubEventType as S,
};
use sitrep_core::place::{
    ActorKind, ActorMention, FeatureClass, GeoPrecision, PlaceRef, PlacesAndActors,
};
use sitrep_core::{CharIndex, Diagnostic, Document, SegmentKind, Span};

use crate::classify::{SubtypeClassifier, Target};

/// Longest document text events are extracted from. News reports are a
/// few kilobytes; mention merging is quadratic in the number of event
/// sentences, so a runaway scrape (a whole site in one file) is refused
/// with a diagnostic instead of taking minutes.
pub const MAX_TEXT_BYTES: usize = 512 * 1024;

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
    modality: EventModality,
    /// Sentences that only add figures to this mention ("Rescue workers
    /// said more than 30 people were wounded").
    extra: Vec<Span>,
    /// A background mention ("…, which follows the capture of X"): its
    /// own event with its own date, never merged with another mention and
    /// never the report's main event.
    background: Option<EventDate>,
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
        if text.len() > MAX_TEXT_BYTES {
            out.diagnostics.push(sitrep_core::Diagnostic::warning(
                "extract.too-long",
                format!(
                    "document text is {} bytes, over the {} byte limit for event extraction; \
                     no events extracted (split the file into reports)",
                    text.len(),
                    MAX_TEXT_BYTES
                ),
            ));
            return out;
        }
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
            let counts = |o: Outcome| {
                quantities_in(ann, s.span)
                    .any(|q| q.outcome == Some(o) && q.unit == QuantityUnit::Count)
            };
            // A displacement figure makes a displacement event unless the
            // sentence also counts dead ("displaced by fighting" is about
            // the displaced).
            if counts(Outcome::Displaced) && !counts(Outcome::Killed) {
                let sc = best.map_or(MIN_EVENT_SCORE, |(_, sc)| sc.max(MIN_EVENT_SCORE));
                best = Some((Target::Event(S::Displacement), sc));
            }
            match best {
                Some((Target::Event(sub), score)) if score >= MIN_EVENT_SCORE => {
                    // Dead counted next to a withdrawal or a deal ("ISIS
                    // withdrew on Monday, noting that 32 fighters were also
                    // killed") died in the fighting reported just before.
                    if !is_violent(sub) && counts(Outcome::Killed) {
                        if let Some(m) = mentions
                            .iter_mut()
                            .rev()
                            .find(|m| is_violent(m.sub) && i <= m.sentence + 3)
                        {
                            m.extra.push(s.span);
                        }
                    }
                    // Where the event is named: the verb of taking for a
                    // change of hands, else the classifier's first cue. A
                    // modal or negation later in the sentence ("…, adding
                    // that this would pave the way to …") is not its.
                    let anchor = if territorial(sub) {
                        taking_verb(text, s.span).map(|(at, _)| at)
                    } else {
                        scores.anchor(Target::Event(sub)).map(|a| s.span.start + a)
                    };
                    // A change of hands named only as the background of the
                    // sentence's story ("the entry follows … the capture of
                    // X") is an event of its own when the sentence dates
                    // it, and no event when it does not.
                    let background = match territorial(sub)
                        .then(|| background_taking(text, s.span))
                        .flatten()
                    {
                        Some(from) => {
                            match date_in(ann, text, Span::new(from, s.span.end), false) {
                                Some(d) => Some(d),
                                None => continue,
                            }
                        }
                        None => None,
                    };
                    mentions.push(Mention {
                        sentence: i,
                        span: s.span,
                        sub,
                        score,
                        modality: modality_at(ann, s.span, anchor),
                        extra: Vec::new(),
                        background,
                    });
                }
                _ => {
                    // Casualty figures with no event of their own belong to
                    // the violent event reported just before; failing that,
                    // civilians reported killed by a named actor are an
                    // attack on civilians.
                    if !(counts(Outcome::Killed) || counts(Outcome::Injured)) {
                        continue;
                    }
                    let attached = match mentions.last_mut() {
                        Some(m) if i <= m.sentence + 2 && is_violent(m.sub) => {
                            m.extra.push(s.span);
                            true
                        }
                        _ => false,
                    };
                    let civilians_killed = quantities_in(ann, s.span).any(|q| {
                        q.outcome == Some(Outcome::Killed)
                            && matches!(
                                q.group,
                                Some(CountedGroup::Civilians) | Some(CountedGroup::Children)
                            )
                    });
                    let perpetrator = geo.actors.iter().any(|a| {
                        s.span.contains(a.span)
                            && !matches!(
                                a.kind,
                                Some(ActorKind::Source) | Some(ActorKind::Civilians)
                            )
                    });
                    if !attached && civilians_killed && perpetrator {
                        mentions.push(Mention {
                            sentence: i,
                            span: s.span,
                            sub: S::Attack,
                            score: MIN_EVENT_SCORE,
                            modality: modality(ann, &[s.span]),
                            extra: Vec::new(),
                            background: None,
                        });
                    }
                }
            }
        }
        if mentions.is_empty() {
            // No sentence reports an event on its own, but the passage as a
            // whole may ("Militants detonated two bombs. One person was hurt
            // in the explosions."): classify it like a snippet and anchor the
            // event on the sentence that contributed most.
            let texts: Vec<&str> = ann.sentences.iter().map(|s| s.span.slice(text)).collect();
            let c = self.classifier.classify_sentences(texts.iter().copied());
            if let (Some(sub), Some(i)) = (c.sub_event_type, c.sentence) {
                if let Some(s) = ann.sentences.get(i) {
                    mentions.push(Mention {
                        sentence: i,
                        span: s.span,
                        sub,
                        score: c.score,
                        modality: modality(ann, &[s.span]),
                        extra: Vec::new(),
                        background: None,
                    });
                }
            }
        }
        if mentions.is_empty() {
            return out;
        }
        let chars = CharIndex::new(text);
        let home = home_country(geo);
        // A place abroad, in a report about one country, is more often a
        // capital that speaks or a wrongly resolved village than the scene.
        let abroad = |t: &&sitrep_core::place::Toponym| {
            class_rank(t) < 3
                && home.is_some_and(|h| t.place.as_ref().is_some_and(|p| p.country_code != h))
        };
        // Merge mentions of the same sub-type with the same place and date.
        // The place a mention names is the one its event would take: the
        // place taken for a change of hands, else the most specific one.
        let mut groups: Vec<Vec<usize>> = Vec::new();
        // Who takes the place decides each change of hands' sub-type
        // before mentions merge; two takers are two events, except that a
        // government's side is one, whichever of its allies is named; a
        // change of hands whose taker is unknown joins one whose taker is
        // known only at the very same place (or where it names none).
        let takers: Vec<Option<String>> = mentions
            .iter_mut()
            .map(|m| {
                if !matches!(
                    m.sub,
                    S::GovernmentRegainsTerritory | S::NonStateActorOvertakesTerritory
                ) {
                    return None;
                }
                let (a, ..) = taker(geo, text, &[m.span]).filter(|(a, ..)| a.kind.is_some())?;
                if government_side(a) {
                    m.sub = S::GovernmentRegainsTerritory;
                    return a.country_code.as_ref().map(|c| format!("government:{c}"));
                }
                m.sub = S::NonStateActorOvertakesTerritory;
                a.actor_id.clone().or_else(|| Some(a.name.clone()))
            })
            .collect();
        let keys: Vec<(Option<&PlaceRef>, Option<String>)> = mentions
            .iter()
            .map(|m| {
                let own = match territorial(m.sub).then(|| taken_place(geo, text, &[m.span])) {
                    Some(Ok(Some(t))) => Some(t),
                    Some(Err(())) => None,
                    _ => place_in(geo, text, m.span, home),
                };
                let date = match &m.background {
                    Some(d) => d.start.clone(),
                    None => date_in(ann, text, m.span, false).and_then(|d| d.start),
                };
                (own.and_then(|t| t.place.as_ref()), date)
            })
            .collect();
        for (i, m) in mentions.iter().enumerate() {
            // Every member of a group must agree with the newcomer. A
            // background mention stands alone.
            let found = groups
                .iter_mut()
                .filter(|g| m.background.is_none() && mentions[g[0]].background.is_none())
                .find(|g| {
                    g.iter().all(|&j| {
                        same_kind(mentions[j].sub, m.sub)
                            && mentions[j].modality == m.modality
                            && compatible(&keys[j].1, &keys[i].1)
                            && match (&takers[j], &takers[i]) {
                                (Some(a), Some(b)) => a == b && same_place(keys[j].0, keys[i].0),
                                (None, None) => same_place(keys[j].0, keys[i].0),
                                // An unknown taker: only at the very place.
                                _ => compatible(
                                    &keys[j].0.map(|p| p.geonames_id),
                                    &keys[i].0.map(|p| p.geonames_id),
                                ),
                            }
                    })
                });
            match found {
                Some(g) => g.push(i),
                None => groups.push(vec![i]),
            }
        }
        let lead_place = lead_place(geo, text, ann, title, home);
        let main_place = main_place(geo, home);
        for (n, g) in groups.iter().enumerate() {
            // In a merged protest, the most severe reading wins.
            let first = g
                .iter()
                .map(|&i| &mentions[i])
                .max_by_key(|m| (severity(m.sub), std::cmp::Reverse(m.sentence)))
                .unwrap_or(&mentions[g[0]]);
            let spans: Vec<Span> = g.iter().map(|&i| mentions[i].span).collect();
            let with_extra: Vec<Span> = g
                .iter()
                .flat_map(|&i| {
                    std::iter::once(mentions[i].span).chain(mentions[i].extra.iter().copied())
                })
                .collect();
            let mut ev = Event {
                id: format!("{}#e{}", doc.key, n + 1),
                primary: false,
                event_type: first.sub.event_type(),
                sub_event_type: first.sub,
                date: match &first.background {
                    Some(d) => d.clone(),
                    None => {
                        let first_sentence =
                            g.iter().map(|&i| mentions[i].sentence).min().unwrap_or(0);
                        // The sentence before tells this story unless it
                        // reports another event.
                        let prev_is_other = first_sentence.checked_sub(1).is_some_and(|p| {
                            mentions
                                .iter()
                                .enumerate()
                                .any(|(k, m)| m.sentence == p && !g.contains(&k))
                        });
                        self.date(doc, ann, text, &spans, first_sentence, !prev_is_other)
                    }
                },
                location: match territorial(first.sub).then(|| taken_place(geo, text, &spans)) {
                    // "recaptured the town": the place the report is about.
                    Some(Err(())) => lead_place.or(main_place),
                    Some(Ok(p)) => p,
                    None => None,
                }
                // The most specific place any of its sentences names.
                .or_else(|| {
                    spans
                        .iter()
                        .filter_map(|&s| place_in(geo, text, s, home))
                        .filter(|t| !abroad(t))
                        .min_by_key(|t| class_rank(t))
                })
                .or(lead_place.filter(|t| !abroad(t)))
                .filter(|t| class_rank(t) < 3)
                .or(main_place)
                .or_else(|| spans.iter().find_map(|&s| place_in(geo, text, s, home)))
                .map(|t| location(t, text)),
                actor1: None,
                actor2: None,
                associated_actors: Vec::new(),
                fatalities: Fatalities::default(),
                injured: None,
                displaced: None,
                means: spans.iter().find_map(|&s| means(s.slice(text))),
                modality: first.modality,
                // Who says so, including the sentences that give its figures
                // ("the Observatory reported that at least 31 … were killed").
                attributed_to: attributions(ann, text, &with_extra),
                evidence: with_extra
                    .iter()
                    .map(|s| Evidence {
                        start: chars.char_offset(s.start),
                        end: chars.char_offset(s.end),
                        byte_start: s.start,
                        byte_end: s.end,
                    })
                    .collect(),
            };
            let mut actors = actors_in(geo, &with_extra);
            // An actor that only qualifies who speaks ("a Kataib Hezbollah
            // spokesperson said") is not a party to the event unless nobody
            // else is named.
            let speaking = |a: &ActorMention| {
                const SPEAKERS: &[&str] = &[
                    "spokes",
                    "official",
                    "commander",
                    "leader",
                    "member",
                    "source",
                ];
                ann.attributions.iter().any(|t| {
                    t.source.is_some_and(|src| {
                        src.contains(a.span)
                            && text.get(a.span.end..src.end).is_some_and(|rest| {
                                let rest = rest.to_ascii_lowercase();
                                SPEAKERS.iter().any(|w| rest.trim_start().starts_with(w))
                            })
                    })
                })
            };
            actors.sort_by_key(|a| speaking(a) as u8);
            // Civilians and protesters are acted upon, not actors: they go
            // after armed actors.
            actors.sort_by_key(|a| {
                matches!(
                    a.kind,
                    Some(ActorKind::Civilians) | Some(ActorKind::Protesters)
                ) as u8
            });
            if matches!(
                first.sub,
                S::PeacefulProtest | S::ProtestWithIntervention | S::ViolentDemonstration
            ) {
                actors.sort_by_key(|a| {
                    !matches!(
                        a.kind,
                        Some(ActorKind::Protesters) | Some(ActorKind::Rioters)
                    ) as u8
                });
            }
            // Only armies fly: in an air strike a state or foreign force is
            // the attacker, whoever is named first.
            if first.sub == S::AirDroneStrike {
                actors.sort_by_key(|a| {
                    !matches!(
                        a.kind,
                        Some(ActorKind::StateForces) | Some(ActorKind::ExternalForces)
                    ) as u8
                });
            }
            let mut it = actors.iter().peekable();
            let acted_upon = |a: &&&ActorMention| {
                matches!(a.kind, Some(ActorKind::Civilians))
                    || (matches!(a.kind, Some(ActorKind::Protesters))
                        && !matches!(
                            first.sub.event_type(),
                            sitrep_core::event::EventType::Protests
                                | sitrep_core::event::EventType::Riots
                        ))
            };
            if it.peek().is_some_and(acted_upon) {
                ev.actor1 = None;
            } else {
                ev.actor1 = it.next().map(|a| actor(a));
            }
            ev.actor2 = it.next().map(|a| actor(a));
            ev.associated_actors = it.map(|a| actor(a)).collect();
            // In a battle, a bombardment or the clearing of the other
            // side's mines the second actor is the other side: an ally of
            // the first ("troops and allied militias") is associated with it.
            if !territorial(first.sub)
                && (matches!(
                    first.sub.event_type(),
                    sitrep_core::event::EventType::Battles
                        | sitrep_core::event::EventType::ExplosionsRemoteViolence
                ) || first.sub == S::DisruptedWeaponsUse)
            {
                let side = |a: &EventActor| {
                    a.kind.as_deref() == Some("state-forces")
                        || a.name.to_ascii_lowercase().contains("pro-government")
                };
                if let (Some(a1), Some(a2)) = (&ev.actor1, &ev.actor2) {
                    if side(a1) && side(a2) {
                        let pos = ev.associated_actors.iter().position(|x| {
                            !side(x)
                                && !matches!(x.kind.as_deref(), Some("civilians" | "protesters"))
                        });
                        if let Some(p) = pos {
                            let other = ev.associated_actors.remove(p);
                            if let Some(ally) = ev.actor2.replace(other) {
                                ev.associated_actors.insert(0, ally);
                            }
                        }
                    }
                }
            }
            // Violence against civilians is done to the civilians named,
            // not to an armed group the sentence also names.
            if first.sub.event_type() == sitrep_core::event::EventType::ViolenceAgainstCivilians
                && ev.actor1.is_some()
            {
                let victims = ev
                    .associated_actors
                    .iter()
                    .position(|x| x.kind.as_deref() == Some("civilians"));
                if let Some(p) = victims {
                    let v = ev.associated_actors.remove(p);
                    if let Some(other) = ev.actor2.replace(v) {
                        ev.associated_actors.insert(0, other);
                    }
                }
            }
            // Only armies fly: when the evidence of an air strike names no
            // state or foreign force, the one named in the title or lead
            // carried it out, and an armed group named in the evidence is
            // its target.
            if first.sub == S::AirDroneStrike {
                let flies = |k: Option<&str>| matches!(k, Some("state-forces" | "external-forces"));
                if !ev.actor1.as_ref().is_some_and(|a| flies(a.kind.as_deref())) {
                    let lead: Vec<Span> = title
                        .into_iter()
                        .chain(ann.sentences.iter().take(3).map(|s| s.span))
                        .collect();
                    let named = geo.actors.iter().find(|a| {
                        lead.iter().any(|l| l.contains(a.span))
                            && matches!(
                                a.kind,
                                Some(ActorKind::StateForces) | Some(ActorKind::ExternalForces)
                            )
                    });
                    let target = ev.actor1.take();
                    ev.actor1 = named.map(actor);
                    if let Some(t) = target {
                        if ev.actor2.is_none() {
                            ev.actor2 = Some(t);
                        } else {
                            ev.associated_actors.insert(0, t);
                        }
                    }
                    if let (Some(a1), Some(a2)) = (&ev.actor1, &ev.actor2) {
                        if a1.id == a2.id {
                            ev.actor2 = None;
                        }
                    }
                    ev.associated_actors
                        .retain(|x| ev.actor1.as_ref().is_none_or(|a| a.id != x.id));
                }
            }
            // ACLED: who takes a place decides the territorial sub-type.
            if matches!(
                ev.sub_event_type,
                S::GovernmentRegainsTerritory | S::NonStateActorOvertakesTerritory
            ) {
                // Without a clear subject the classifier's reading stands.
                if let Some((a, s, verb)) =
                    taker(geo, text, &spans).filter(|(a, ..)| a.kind.is_some())
                {
                    ev.sub_event_type = if government_side(a) {
                        S::GovernmentRegainsTerritory
                    } else {
                        S::NonStateActorOvertakesTerritory
                    };
                    // The taker is the first actor; the side it took the
                    // place from comes second.
                    if ev.actor1.as_ref().is_none_or(|x| x.id != a.actor_id) {
                        let old1 = ev.actor1.take();
                        ev.actor1 = Some(actor(a));
                        let mut rest: Vec<EventActor> = old1
                            .into_iter()
                            .chain(ev.actor2.take())
                            .chain(std::mem::take(&mut ev.associated_actors))
                            .filter(|x| x.id != a.actor_id)
                            .collect();
                        if !rest.is_empty() {
                            ev.actor2 = Some(rest.remove(0));
                        }
                        ev.associated_actors = rest;
                    }
                    // The second actor is the side the place was taken from,
                    // not an ally named with the taker.
                    let from = taken_from(geo, text, s, verb, a);
                    let mut rest: Vec<EventActor> = ev
                        .actor2
                        .take()
                        .into_iter()
                        .chain(std::mem::take(&mut ev.associated_actors))
                        .collect();
                    let pos = match from {
                        Ok(f) => rest.iter().position(|x| x.id == f.actor_id),
                        // The government side does not take a place from
                        // its own allies.
                        Err(allies) => rest.iter().position(|x| {
                            !allies.iter().any(|y| y.actor_id == x.id)
                                && !matches!(x.kind.as_deref(), Some("civilians" | "protesters"))
                                && !(government_side(a)
                                    && (x.kind.as_deref() == Some("state-forces")
                                        || x.name.to_ascii_lowercase().contains("pro-government")))
                        }),
                    };
                    if let Some(p) = pos {
                        ev.actor2 = Some(rest.remove(p));
                    }
                    ev.associated_actors = rest;
                }
            }
            // Displacement has no perpetrator in ACLED's sense: the actors
            // named (who displaced, who fought) are associated.
            if ev.sub_event_type == S::Displacement {
                let mut rest: Vec<EventActor> = ev
                    .actor1
                    .take()
                    .into_iter()
                    .chain(ev.actor2.take())
                    .collect();
                rest.append(&mut ev.associated_actors);
                ev.associated_actors = rest;
            }
            // A non-violent event has no dead of its own.
            if is_violent(ev.sub_event_type) || ev.sub_event_type == S::Displacement {
                figures(&mut ev, ann, geo, text, &with_extra);
            }
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
                    .sum::<f32>();
                // ACLED codes a change of hands won in fighting as the
                // territorial event, not as the fighting around it.
                let w = if territorial(mentions[g[0]].sub) {
                    w * 1.3
                } else {
                    w
                };
                // Background is never the main event while there is another.
                let w = if mentions[g[0]].background.is_some() {
                    w * 0.001
                } else {
                    w
                };
                (n, w)
            })
            .collect::<Vec<_>>();
        let primary = generic_to_specific(&groups, &mentions, &out.events, primary)
            .into_iter()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(n, _)| n);
        if let Some(p) = primary {
            out.events[p].primary = true;
        }
        out
    }

    /// The event's date: the first dated time expression in its sentences;
    /// else the publication date, marked as such.
    fn date(
        &self,
        doc: &Document,
        ann: &Annotations,
        text: &str,
        spans: &[Span],
        first_sentence: usize,
        inherit: bool,
    ) -> EventDate {
        if let Some(d) = spans.iter().find_map(|&s| date_in(ann, text, s, false)) {
            return d;
        }
        // A sentence that continues the previous one's story ("ISIS attacked
        // on Friday. At least 48 died in 72 hours of clashes") inherits its
        // day. A period set as background ("early this month, the army
        // expelled …; however …") is not carried on: the next sentence
        // goes back to the report's own story.
        if let Some(prev) = first_sentence
            .checked_sub(1)
            .filter(|_| inherit)
            .and_then(|i| ann.sentences.get(i))
        {
            if let Some(d) = date_in(ann, text, prev.span, false) {
                if d.start.is_some() && d.start == d.end {
                    return d;
                }
            }
        }
        // The day the source spoke ("the monitor said Friday") bounds the
        // event when nothing else dates it.
        if let Some(d) = spans.iter().find_map(|&s| date_in(ann, text, s, true)) {
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

/// A generic report of violence ("a massacre", "an attack on the town",
/// "civilians were killed") with no means of its own, and an air strike,
/// shelling or bombing told within the next sentences on a compatible day,
/// are one story: the named means says what happened. So are shells or
/// planes and the chemical agent they carried. The generic group's weight
/// in the choice of the primary event goes to the specific one.
fn generic_to_specific(
    groups: &[Vec<usize>],
    mentions: &[Mention],
    events: &[Event],
    mut weights: Vec<(usize, f32)>,
) -> Vec<(usize, f32)> {
    let first = |g: &Vec<usize>| g.iter().map(|&i| mentions[i].sentence).min().unwrap_or(0);
    for (n, g) in groups.iter().enumerate() {
        let e = &events[n];
        let generic = match e.sub_event_type {
            S::Attack | S::ArmedClash => e.means.is_none(),
            S::ShellingArtilleryMissile | S::AirDroneStrike => true,
            _ => false,
        };
        if !generic {
            continue;
        }
        // What is more specific: a named means than a generic attack; the
        // agent (chlorine, sarin) than the shells or planes that carried it.
        let more_specific = |t: S| match e.sub_event_type {
            S::Attack | S::ArmedClash => crate::classify::is_remote(t),
            _ => t == S::ChemicalWeapon,
        };
        let start = first(g);
        let specific = groups
            .iter()
            .enumerate()
            .filter(|(m, h)| {
                let f = &events[*m];
                more_specific(f.sub_event_type)
                    && f.modality == e.modality
                    && first(h) <= start + 2
                    && near_days(&f.date, &e.date)
            })
            .max_by(|a, b| weights[a.0].1.total_cmp(&weights[b.0].1));
        if let Some((m, _)) = specific {
            let w = weights[n].1;
            weights[m].1 += w;
            weights[n].1 = 0.0;
        }
    }
    weights
}

/// Can two event dates be one day's story: the same day or the next
/// ("overnight", "late Monday" against the report's Tuesday), or one of
/// them only the publication date standing in?
fn near_days(a: &EventDate, b: &EventDate) -> bool {
    if a.precision == "report" || b.precision == "report" {
        return true;
    }
    match (
        a.start.as_deref().and_then(parse_day),
        b.start.as_deref().and_then(parse_day),
    ) {
        (Some(x), Some(y)) => (x - y).num_days().abs() <= 1,
        _ => true,
    }
}

/// Verbs of taking a place, strongest first: a finite verb of capture says
/// who took what; a nominal "capture of" or "control of" may be background
/// or hypothetical ("the capture of X would cap …"), and "entered" or
/// "stormed" only when nothing stronger is said.
const TAKING_VERBS: &[&[&str]] = &[
    &[
        "recaptur",
        "retook",
        "retak",
        "regain",
        "captured",
        "capturing",
        "seiz",
        "took",
        "overran",
        "overrun",
        "liberat",
        "gained control",
        "taken control",
        "taken over",
        "freed",
    ],
    &["capture", "control of", "entered", "stormed", "advanced"],
];

/// The first verb of taking in a span, by strength: its byte offset and
/// its length.
fn taking_verb(text: &str, s: Span) -> Option<(usize, usize)> {
    (0..TAKING_VERBS.len()).find_map(|tier| taking_verb_of(text, s, tier))
}

/// The first verb of taking of one strength tier in a span.
fn taking_verb_of(text: &str, s: Span, tier: usize) -> Option<(usize, usize)> {
    let lower = s.slice(text).to_ascii_lowercase();
    TAKING_VERBS[tier]
        .iter()
        .filter_map(|v| {
            lower
                .match_indices(v)
                .find(|(p, _)| *p == 0 || !lower.as_bytes()[p - 1].is_ascii_alphanumeric())
        })
        .min_by_key(|(p, _)| *p)
        .map(|(p, v)| (s.start + p, v.len()))
}

/// Words that put what follows them before the sentence's own story.
const PRECEDENCE: &[&str] = &[
    "follows",
    "followed",
    "following",
    "after",
    "since",
    "in the wake of",
    "prior to",
];

/// Is the sentence's only taking a nominal one set before its story by a
/// word of precedence ("the entry follows … the capture of X", "advances
/// since the capture of X")? Then the byte offset of that word, from which
/// the background's own date may be read.
fn background_taking(text: &str, s: Span) -> Option<usize> {
    // A finite verb of taking reports a change of hands of its own.
    if taking_verb_of(text, s, 0).is_some() {
        return None;
    }
    let (at, _) = taking_verb_of(text, s, 1)?;
    let lower = s.slice(text).to_ascii_lowercase();
    let rel = at - s.start;
    let head = lower.get(..rel)?;
    // Scrapes often carry non-breaking spaces: any white space will do.
    let det = head.trim_end_matches(char::is_whitespace);
    let nominal = det.len() < head.len()
        && (["the", "its", "their", "his", "her"].iter().any(|d| {
            det.ends_with(d)
                && det[..det.len() - d.len()]
                    .chars()
                    .last()
                    .is_none_or(|c| !c.is_alphanumeric())
        }) || det.ends_with("'s")
            || det.ends_with("’s"));
    if !nominal {
        return None;
    }
    let start = crate::classify::clause_start(&lower, rel);
    let clause = head.get(start..)?;
    PRECEDENCE
        .iter()
        .filter_map(|w| {
            clause.match_indices(w).find(|(p, _)| {
                let b = clause.as_bytes();
                (*p == 0 || !b[p - 1].is_ascii_alphanumeric())
                    && b.get(p + w.len())
                        .is_none_or(|c| !c.is_ascii_alphanumeric())
            })
        })
        .map(|(p, _)| s.start + start + p)
        .min()
}

/// The verbs of taking in the evidence, strongest first, then in order.
fn taking_verbs(text: &str, spans: &[Span]) -> Vec<(Span, usize, usize)> {
    (0..TAKING_VERBS.len())
        .flat_map(|tier| {
            spans
                .iter()
                .filter_map(move |&s| taking_verb_of(text, s, tier).map(|(at, len)| (s, at, len)))
        })
        .collect()
}

/// Who took the place: the actor named just before the verb of taking
/// ("Syrian air strikes hit Aleppo as rebels captured a village" → the
/// rebels); across a comma (an apposition or a list), the first actor of
/// the verb's clause ("the army, along with its allies, including
/// Hezbollah, managed to retake" → the army).
fn taker<'a>(
    geo: &'a PlacesAndActors,
    text: &str,
    spans: &[Span],
) -> Option<(&'a ActorMention, Span, usize)> {
    for (s, verb, _) in taking_verbs(text, spans) {
        let candidates: Vec<&ActorMention> = geo
            .actors
            .iter()
            .filter(|a| s.contains(a.span) && a.span.end <= verb)
            .filter(|a| a.kind != Some(ActorKind::Source))
            .filter(|a| !driven_out(text, a.span.start) && !modifies_noun(text, a.span.end))
            .collect();
        // The subject stands close before its verb; of a coordinated
        // subject ("the army and its allied militias retook") the first.
        let mut close = candidates
            .iter()
            .filter(|a| verb - a.span.end <= 60)
            .filter(|a| !text.get(a.span.end..verb).unwrap_or("").contains(','))
            .max_by_key(|a| a.span.end)
            .copied();
        while let Some(c) = close {
            let joined = candidates.iter().copied().find(|b| {
                b.span.end <= c.span.start
                    && text.get(b.span.end..c.span.start).is_some_and(|gap| {
                        matches!(
                            gap.trim().to_ascii_lowercase().as_str(),
                            "and" | "and their" | "and its" | "and the"
                        )
                    })
            });
            match joined {
                Some(b) => close = Some(b),
                None => break,
            }
        }
        if let Some(a) = close {
            return Some((a, s, verb));
        }
        let lower = s.slice(text).to_ascii_lowercase();
        let start = s.start + crate::classify::clause_start(&lower, verb - s.start);
        if let Some(a) = candidates
            .iter()
            .filter(|a| a.span.start >= start)
            .min_by_key(|a| a.span.start)
        {
            return Some((a, s, verb));
        }
    }
    None
}

/// The side a place was taken from: the actor after "from" following the
/// verb of taking ("took the city from ISIS") or the one driven out
/// ("drove out Islamic State and retook"): `Ok`. When none is named
/// so, `Err` with the taker's allies, the actors that cannot be the other
/// side: those in the subject before the verb ("the army and allied
/// fighters, including Hezbollah, recaptured") and those of a parallel
/// clause ("X advanced on A, while Iraqi forces … captured B").
fn taken_from<'a>(
    geo: &'a PlacesAndActors,
    text: &str,
    s: Span,
    verb: usize,
    taker: &ActorMention,
) -> Result<&'a ActorMention, Vec<&'a ActorMention>> {
    let others: Vec<&ActorMention> = geo
        .actors
        .iter()
        .filter(|a| s.contains(a.span) && a.actor_id != taker.actor_id)
        .filter(|a| !matches!(a.kind, Some(ActorKind::Source) | None))
        .collect();
    let before = |a: &ActorMention, words: &[&str]| preceded_by(text, a.span.start, words);
    if let Some(a) = others
        .iter()
        .find(|a| (a.span.start > verb && before(a, &["from"])) || before(a, DRIVEN_OUT))
    {
        return Ok(a);
    }
    let lower = s.slice(text).to_ascii_lowercase();
    let rel = verb - s.start;
    let head = &lower[..rel];
    let parallel = [" while ", " whereas "]
        .iter()
        .filter_map(|b| head.rfind(b).map(|p| s.start + p))
        .max();
    let allies = others
        .into_iter()
        .filter(|a| {
            (a.span.start >= taker.span.end && a.span.end <= verb)
                || parallel.is_some_and(|p| a.span.end <= p)
        })
        .collect();
    Err(allies)
}

/// Does the actor fight on the government's side (state forces or a
/// pro-government militia)?
fn government_side(a: &ActorMention) -> bool {
    a.kind == Some(ActorKind::StateForces) || a.name.to_ascii_lowercase().contains("pro-government")
}

/// Where the place was taken: the first place named after the verb of
/// taking, within the same clause ("capturing the town of Al Qaim"). An
/// anaphoric object ("recaptured the town, which lies …") names no new
/// place: `Err(())` asks the caller for the place the report is about.
fn taken_place<'a>(
    geo: &'a PlacesAndActors,
    text: &str,
    spans: &[Span],
) -> Result<Option<&'a sitrep_core::place::Toponym>, ()> {
    for (s, verb, len) in taking_verbs(text, spans) {
        let after = text.get(verb + len..s.end).unwrap_or("");
        let object = after
            .trim_start_matches(|c: char| c.is_alphabetic())
            .trim_start()
            .to_ascii_lowercase();
        let object = object.strip_prefix("full control of ").unwrap_or(&object);
        let object = object.strip_prefix("control of ").unwrap_or(object);
        let anaphor = ["it ", "it,", "it.", "the town", "the city", "the village"]
            .iter()
            .any(|a| object.starts_with(a))
            && !object
                .trim_start_matches("the town")
                .trim_start_matches("the city")
                .trim_start_matches("the village")
                .trim_start()
                .starts_with("of ");
        if anaphor {
            return Err(());
        }
        let found = geo
            .toponyms
            .iter()
            .filter(|t| s.contains(t.span) && t.span.start > verb && t.span.start - verb <= 40)
            .filter(|t| t.place.is_some() && class_rank(t) < 3)
            .min_by_key(|t| t.span.start);
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Is the actor ending at `end` a modifier of the noun after it ("Daesh
/// defences", "ISIS-held territory"), not a subject?
fn modifies_noun(text: &str, end: usize) -> bool {
    const NOUNS: &[&str] = &[
        "defences",
        "defenses",
        "positions",
        "lines",
        "stronghold",
        "strongholds",
        "territory",
        "-held",
        "-controlled",
        "-backed",
        "-led",
        "-allied",
        "held",
        "controlled",
        "fighters",
        "militants",
        "news",
        "media",
    ];
    let after = text.get(end..).unwrap_or("");
    let after = after
        .strip_prefix('’')
        .or_else(|| after.strip_prefix('\''))
        .unwrap_or(after);
    let after = after.strip_prefix('s').unwrap_or(after);
    NOUNS.iter().any(|n| {
        let rest = after.strip_prefix(' ').unwrap_or(after);
        (n.starts_with('-') && after.starts_with(n))
            || (rest.len() >= n.len()
                && rest[..n.len()].eq_ignore_ascii_case(n)
                && rest[n.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric()))
    })
}

/// Is the actor mentioned at `start` the one driven out ("drive out
/// Islamic State and retakes the city"), not the taker?
fn driven_out(text: &str, start: usize) -> bool {
    const OBJECT_OF: &[&str] = &[
        "from",
        "against",
        "with",
        "through",
        "according to",
        "defeats for",
        "losses for",
        "loss for",
        "setback for",
        "blow to",
    ];
    preceded_by(text, start, DRIVEN_OUT) || preceded_by(text, start, OBJECT_OF)
}

/// Verbs whose object is the side driven out of a place.
const DRIVEN_OUT: &[&str] = &[
    "drive out",
    "drove out",
    "driving out",
    "driven out",
    "expel",
    "expelled",
    "expelling",
    "oust",
    "ousted",
    "ousting",
];

/// Does one of `words` (whole words) stand just before byte `start`,
/// across an optional "the"?
fn preceded_by(text: &str, start: usize, words: &[&str]) -> bool {
    let lo = (0..=start.saturating_sub(24))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let before = text
        .get(lo..start)
        .unwrap_or("")
        .trim_end()
        .to_ascii_lowercase();
    let before = before.strip_suffix("the").unwrap_or(&before).trim_end();
    words.iter().any(|w| {
        before.ends_with(w)
            && before[..before.len() - w.len()]
                .chars()
                .last()
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Sub-types that say who holds a place.
fn territorial(t: S) -> bool {
    matches!(
        t,
        S::GovernmentRegainsTerritory
            | S::NonStateActorOvertakesTerritory
            | S::NonViolentTransferOfTerritory
    )
}

/// Event types whose reports carry casualty figures.
fn is_violent(t: S) -> bool {
    use sitrep_core::event::EventType as E;
    matches!(
        t.event_type(),
        E::Battles | E::ExplosionsRemoteViolence | E::ViolenceAgainstCivilians | E::Riots
    ) || t == S::ExcessiveForceAgainstProtesters
}

/// Can two mentions in one report be one event? The same sub-type, or two
/// readings of one protest (a rally and its dispersal).
fn same_kind(a: S, b: S) -> bool {
    use sitrep_core::event::EventType as E;
    let protest = |t: S| matches!(t.event_type(), E::Protests | E::Riots) && t != S::MobViolence;
    a == b || (protest(a) && protest(b))
}

/// How severe a protest reading is; other types rank 0.
fn severity(t: S) -> u8 {
    match t {
        S::ExcessiveForceAgainstProtesters => 4,
        S::ViolentDemonstration => 3,
        S::ProtestWithIntervention => 2,
        S::PeacefulProtest => 1,
        _ => 0,
    }
}

/// Can two mentions' places be one event's place? The same place, a
/// province and a place in it ("villages in the countryside of X province"
/// and "near Y", a town of X), or a mention that names none.
fn same_place(a: Option<&PlaceRef>, b: Option<&PlaceRef>) -> bool {
    let within = |region: &PlaceRef, p: &PlaceRef| {
        region.feature_class == FeatureClass::Admin1
            && !region.admin1.is_empty()
            && region.country_code == p.country_code
            && region.admin1 == p.admin1
    };
    match (a, b) {
        (Some(x), Some(y)) => x.geonames_id == y.geonames_id || within(x, y) || within(y, x),
        _ => true,
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

/// The first dated time expression in a span. Unless `report_days`, a
/// time attached to a verb of saying ("a monitor said Friday", "told AFP
/// on Tuesday") is skipped: it dates the report, not the event.
fn date_in(ann: &Annotations, text: &str, span: Span, report_days: bool) -> Option<EventDate> {
    ann.timexes
        .iter()
        .filter(|t| span.contains(t.span))
        .filter(|t| report_days || !dates_the_report(ann, text, t.span))
        .filter(|t| matches!(t.kind, TimexType::Date | TimexType::Time))
        .find_map(|t| {
            let iv = t.interval.as_ref()?;
            // A bare year or decade ("since 2011", "in 1982") is background,
            // not the day of an event.
            if matches!(
                iv.precision,
                TimePrecision::Year | TimePrecision::Decade | TimePrecision::Century
            ) {
                return None;
            }
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

/// Does the time expression at `t` follow a verb of saying closely ("said
/// on Friday", "told AFP on Tuesday", "reported, early on November")?
fn dates_the_report(ann: &Annotations, text: &str, t: Span) -> bool {
    ann.attributions.iter().any(|a| {
        a.trigger.end <= t.start
            && t.start - a.trigger.end <= 40
            && text.get(a.trigger.end..t.start).is_some_and(|gap| {
                !gap.contains(" that") && !gap.contains(['.', ';', '"', '“', '”'])
            })
    })
}

/// The most specific resolved toponym in a span: a town beats a province,
/// a province beats a country.
fn place_in<'a>(
    geo: &'a PlacesAndActors,
    text: &str,
    span: Span,
    home: Option<&str>,
) -> Option<&'a sitrep_core::place::Toponym> {
    geo.toponyms
        .iter()
        .filter(|t| span.contains(t.span) && t.place.is_some())
        .filter(|t| !is_dateline(t) && !opens_dateline(t, text, span))
        .min_by_key(|t| (!at_home(t, home), class_rank(t), t.span.start))
}

/// The country a report is about: the one its resolved places (countries
/// included) fall in most often, when it has at least two of them.
fn home_country(geo: &PlacesAndActors) -> Option<&str> {
    let mut counts: Vec<(&str, u32)> = Vec::new();
    for p in geo.toponyms.iter().filter_map(|t| t.place.as_ref()) {
        let cc = p.country_code.as_str();
        if cc.is_empty() {
            continue;
        }
        match counts.iter_mut().find(|(c, _)| *c == cc) {
            Some(c) => c.1 += 1,
            None => counts.push((cc, 1)),
        }
    }
    let total: u32 = counts.iter().map(|c| c.1).sum();
    counts
        .iter()
        .enumerate()
        .max_by(|a, b| a.1 .1.cmp(&b.1 .1).then(b.0.cmp(&a.0)))
        .map(|(_, c)| *c)
        .filter(|c| c.1 >= 2 && 2 * c.1 > total)
        .map(|c| c.0)
}

/// Is the place in the report's home country (or is there none)?
fn at_home(t: &sitrep_core::place::Toponym, home: Option<&str>) -> bool {
    match (home, t.place.as_ref()) {
        (Some(h), Some(p)) => p.country_code == h,
        _ => true,
    }
}

/// A dateline place ("BEIRUT, Lebanon (AFP) –") says where the report was
/// filed, not where the event happened: it is written in capitals.
fn is_dateline(t: &sitrep_core::place::Toponym) -> bool {
    t.text.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && !t.text.chars().any(|c| c.is_lowercase())
}

/// A place that opens its sentence and is followed by an outlet in
/// brackets or a dash ("Deir Ezzor (Syria News) ...", "Gaza, Palestine –").
fn opens_dateline(t: &sitrep_core::place::Toponym, text: &str, sentence: Span) -> bool {
    let lead = Span::new(sentence.start, t.span.start).slice(text);
    if !lead.trim().is_empty() {
        return false;
    }
    let rest = text.get(t.span.end..).unwrap_or("");
    let head: String = rest.chars().take(40).collect();
    head.starts_with(" (")
        || (head.starts_with(',') && (head.contains(" – ") || head.contains(" - ")))
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
    text: &str,
    ann: &Annotations,
    title: Option<Span>,
    home: Option<&str>,
) -> Option<&'a sitrep_core::place::Toponym> {
    title
        .and_then(|t| place_in(geo, text, t, home))
        .or_else(|| {
            ann.sentences
                .iter()
                .take(3)
                .find_map(|s| place_in(geo, text, s.span, home))
        })
}

/// The place a report names most often below country level (ties go to
/// the first named): the fallback for events whose sentences name only a
/// country or nothing.
fn main_place<'a>(
    geo: &'a PlacesAndActors,
    home: Option<&str>,
) -> Option<&'a sitrep_core::place::Toponym> {
    let mut counts: Vec<(u32, usize, &sitrep_core::place::Toponym)> = Vec::new();
    for t in geo
        .toponyms
        .iter()
        .filter(|t| !is_dateline(t) && class_rank(t) < 3 && at_home(t, home))
    {
        let Some(id) = t.place.as_ref().map(|p| p.geonames_id) else {
            continue;
        };
        match counts.iter_mut().find(|(i, ..)| *i == id) {
            Some(c) => c.1 += 1,
            None => counts.push((id, 1, t)),
        }
    }
    counts
        .into_iter()
        .enumerate()
        .max_by(|a, b| a.1 .1.cmp(&b.1 .1).then(b.0.cmp(&a.0)))
        .map(|(_, (_, _, t))| t)
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
    // Dead per group (an actor's side, civilians, or people in general):
    // repeated figures for one group are the same dead, so the larger one
    // stands; different groups add up.
    let mut by_group: Vec<(String, Range)> = Vec::new();
    for &s in spans {
        for (qi, q) in ann.quantities.iter().enumerate() {
            if !s.contains(q.span) || q.unit != QuantityUnit::Count {
                continue;
            }
            let r = range(q, text);
            match q.outcome.or_else(|| coordinated_outcome(ann, text, qi)) {
                Some(Outcome::Killed) => {
                    let mut group_key = match q.group {
                        Some(CountedGroup::Civilians) => "civilians".to_string(),
                        Some(CountedGroup::Children) | Some(CountedGroup::Women) => {
                            "civilians-part".to_string()
                        }
                        _ => "people".to_string(),
                    };
                    match q.group {
                        Some(CountedGroup::Civilians) => set_max(&mut ev.fatalities.civilians, &r),
                        Some(CountedGroup::Children) => set_max(&mut ev.fatalities.children, &r),
                        Some(CountedGroup::Women) => set_max(&mut ev.fatalities.women, &r),
                        Some(CountedGroup::Fighters) | Some(CountedGroup::Forces) => {
                            // Until an actor is found, the counted noun names the side.
                            group_key = format!(
                                "counted:{}",
                                q.counted.map_or("", |c| c.slice(text)).to_lowercase()
                            );
                            let who = q
                                .counted
                                .and_then(|c| geo.actors.iter().find(|a| c.overlaps(a.span)))
                                .or_else(|| {
                                    // The nearest actor after the figure ("48 of the regime forces").
                                    geo.actors
                                        .iter()
                                        .filter(|a| {
                                            a.span.start >= q.span.end && s.contains(a.span)
                                        })
                                        .filter(|a| a.kind != Some(ActorKind::Source))
                                        .min_by_key(|a| a.span.start)
                                })
                                .or_else(|| {
                                    // Else the nearest before ("the group lost more than 50 fighters").
                                    geo.actors
                                        .iter()
                                        .filter(|a| {
                                            a.span.end <= q.span.start && s.contains(a.span)
                                        })
                                        .filter(|a| a.kind != Some(ActorKind::Source))
                                        .max_by_key(|a| a.span.end)
                                });
                            if let Some(a) = who {
                                group_key =
                                    format!("actor:{}", a.actor_id.as_deref().unwrap_or(&a.name));
                                match ev
                                    .fatalities
                                    .by_actor
                                    .iter_mut()
                                    .find(|x| x.actor_id == a.actor_id)
                                {
                                    Some(x) => {
                                        if r.best > x.range.best {
                                            x.range = r.clone();
                                        }
                                    }
                                    None => ev.fatalities.by_actor.push(ActorFatalities {
                                        actor_id: a.actor_id.clone(),
                                        range: r.clone(),
                                    }),
                                }
                            }
                        }
                        _ => {}
                    }
                    // Figures nested in another ("including 29 children") do
                    // not add to the total.
                    let nested = q.part_of.is_some_and(|p| p != qi);
                    if !nested && group_key != "civilians-part" {
                        match by_group.iter_mut().find(|(k, _)| *k == group_key) {
                            Some((_, cur)) => {
                                if r.best.unwrap_or(0.0) > cur.best.unwrap_or(0.0) {
                                    *cur = r;
                                }
                            }
                            None => by_group.push((group_key, r)),
                        }
                    }
                }
                Some(Outcome::Injured) => set_max(&mut ev.injured, &r),
                Some(Outcome::Displaced) => set_max(&mut ev.displaced, &r),
                _ => {}
            }
        }
    }
    // "People killed" may already include every group: the total is the
    // larger of that figure and the sum of the specific groups.
    let generic = by_group
        .iter()
        .find(|(k, _)| k == "people")
        .map(|(_, r)| r.clone());
    let specific = by_group
        .into_iter()
        .filter(|(k, _)| k != "people")
        .map(|(_, r)| r)
        .reduce(add);
    ev.fatalities.total = match (generic, specific) {
        (Some(g), Some(s)) => Some(if g.best.unwrap_or(0.0) >= s.best.unwrap_or(0.0) {
            g
        } else {
            s
        }),
        (g, s) => g.or(s),
    };
}

/// The outcome a figure shares with the next one in a coordination: in "at
/// least 19 soldiers and more than 40 fighters were killed" the verb after
/// the second figure covers both.
fn coordinated_outcome(ann: &Annotations, text: &str, qi: usize) -> Option<Outcome> {
    let q = ann.quantities.get(qi)?;
    let next = ann.quantities.get(qi + 1)?;
    let gap = text.get(q.span.end..next.span.start)?;
    let joined = gap.len() <= 60
        && (gap.contains(" and ") || gap.trim_end().ends_with(" and"))
        && !gap.contains(['.', ';']);
    if joined && q.group.is_some() {
        next.outcome
    } else {
        None
    }
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

/// The modality of an event named at byte `anchor` of a sentence: the
/// modal, negation or denial whose scope covers the anchor. Without an
/// anchor, any in the sentence.
fn modality_at(ann: &Annotations, sentence: Span, anchor: Option<usize>) -> EventModality {
    let Some(at) = anchor else {
        return modality(ann, &[sentence]);
    };
    let mut m = EventModality::Asserted;
    for md in ann
        .modalities
        .iter()
        .filter(|m| sentence.overlaps(m.scope) && m.scope.start <= at && at < m.scope.end)
    {
        m = with_marker(m, md.kind);
    }
    m
}

/// The modality after one more marker: a denial overrides; a hedge, a
/// future or a condition only qualifies an asserted reading.
fn with_marker(m: EventModality, kind: ModalityKind) -> EventModality {
    match kind {
        ModalityKind::Denial => EventModality::Denied,
        ModalityKind::Hedge if m == EventModality::Asserted => EventModality::Claimed,
        ModalityKind::Future if m == EventModality::Asserted => EventModality::Planned,
        ModalityKind::Hypothetical if m == EventModality::Asserted => EventModality::Hypothetical,
        _ => m,
    }
}

/// The weakest modality over the evidence: one asserted sentence makes the
/// event asserted; otherwise denial beats hedging beats plans.
fn modality(ann: &Annotations, spans: &[Span]) -> EventModality {
    let mut best = None;
    for &s in spans {
        let mut m = EventModality::Asserted;
        for md in ann.modalities.iter().filter(|m| s.overlaps(m.scope)) {
            m = with_marker(m, md.kind);
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
    let b = lower.as_bytes();
    // A key matches at a word start ("ied" is not the end of "died").
    let at_word = |k: &str| {
        lower
            .match_indices(k)
            .map(|(p, _)| p)
            .find(|&p| p == 0 || !b[p - 1].is_ascii_alphanumeric())
    };
    MEANS
        .iter()
        .filter_map(|(k, v)| at_word(k).map(|p| (p, *v)))
        .min_by_key(|(p, _)| *p)
        .map(|(_, v)| v.to_string())
}

/// Parse `YYYY-MM-DD`.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_core::DocumentMeta;

    /// Regression: a multi-megabyte document took minutes (quadratic
    /// merging); it is now refused with a diagnostic.
    #[test]
    fn huge_documents_are_refused_quickly() {
        let text = "Rebels shelled the town, killing two civilians. ".repeat(20_000);
        let doc = Document::from_text(
            "big".into(),
            "big.txt".into(),
            text,
            DocumentMeta::default(),
        );
        let out =
            Extractor::new().extract(&doc, &Annotations::default(), &PlacesAndActors::default());
        assert!(out.events.is_empty());
        assert_eq!(out.diagnostics[0].code, "extract.too-long");
    }
}
