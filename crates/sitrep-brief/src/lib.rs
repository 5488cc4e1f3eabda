//! Cited situation reports ("briefings") from fused events.
//!
//! [`compose`] takes plain data the caller gathered from the store
//! ([`Input`]: the fused events of a place or region with every claim, the
//! control timelines of its places, the text of the reports the claims point
//! into) and returns a structured [`Briefing`]: a one-paragraph summary, the
//! control timeline, key events with casualty ranges (low / best / high) and
//! the disagreements between sources (conflicting figures, denials, coding
//! disagreements, unconfirmed claims). [`render::markdown`] and
//! [`render::html`] write it out, escaped.
//!
//! A briefing says nothing the fused events do not: every sentence is
//! either *generated* from the fields of fused events and control periods
//! or a *quote*, an evidence sentence copied verbatim from a report.
//!
//! Architecture invariant: every sentence of a briefing cites at least one
//! claim (a footnote naming the outlet, its publication date and the source
//! chain, e.g. "SOHR via AFP"), and every quoted sentence is a byte span of
//! a stored report, copied as is. A period without events gives a briefing
//! with a notice and no uncited sentence.

pub mod input;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sitrep_core::event::{EventActor, SubEventType};

pub use input::{
    Claim, ControlChange, ControlPeriod, Date, Event, Figure, Flag, Input, Member, Report, Scope,
    ScopeKind, SourceFigure, Timeline,
};

/// Events below this confidence are "unconfirmed" (the control timeline's
/// bar: two independent sources, or one named source with a dated report).
pub const CONFIRMED_CONFIDENCE: f64 = 0.6;
/// Events listed under "Key events" when the caller does not say.
pub const DEFAULT_MAX_EVENTS: usize = 12;
/// Quoted evidence sentences per statement at most.
const MAX_QUOTES: usize = 3;
/// Places whose control the summary states, at most.
const MAX_SUMMARY_PLACES: usize = 3;

/// A situation report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Briefing {
    pub title: String,
    pub scope: Scope,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The period in words: `1 to 30 November 2017`.
    pub period: String,
    pub counts: Counts,
    /// Set when the period has no event (the briefing then says so instead
    /// of being empty).
    pub notice: Option<String>,
    /// `summary`, `control`, `events`, `disagreements`, in that order
    /// (empty ones left out).
    pub sections: Vec<Section>,
    /// The footnotes, numbered from 1 in order of first use.
    pub notes: Vec<Note>,
}

/// What the briefing was built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Fused events in the period.
    pub events: usize,
    /// Of which listed under "Key events".
    pub listed: usize,
    /// Distinct reports behind them.
    pub reports: usize,
    /// Independent sources behind them.
    pub sources: Vec<String>,
}

/// One part of the briefing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// `summary`, `control`, `events`, `disagreements`.
    pub id: String,
    pub title: String,
    pub items: Vec<Item>,
}

/// A paragraph or list entry: sentences, optionally under a heading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// A label (date · type · place), not a statement.
    pub heading: Option<String>,
    /// The fused event the item is about, when there is one.
    pub fused: Option<String>,
    pub sentences: Vec<Sentence>,
}

/// Generated from fused fields, or quoted from a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentenceKind {
    Generated,
    Quote,
}

/// One sentence with its footnotes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentence {
    pub kind: SentenceKind,
    /// For a quote: the evidence sentence exactly as in the report.
    pub text: String,
    /// Footnote numbers (at least one).
    pub notes: Vec<usize>,
    /// For a quote: the report it is copied from and its byte span.
    pub quote: Option<QuoteSource>,
}

/// Where a quoted sentence comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteSource {
    pub doc: String,
    pub byte_start: usize,
    pub byte_end: usize,
}

/// A footnote: who says so, where and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub n: usize,
    /// The outlet that published the report.
    pub outlet: String,
    /// Its publication date (`YYYY-MM-DD`), when known.
    pub published: Option<String>,
    /// The source chain, innermost first: `SOHR via AFP`; `own reporting`
    /// when the outlet names no source.
    pub chain: String,
    /// The report (document key).
    pub doc: String,
    pub url: Option<String>,
    /// The report is a syndicated copy of this one.
    pub repeat_of: Option<String>,
}

/// Compose the briefing. Never fails: a period without events gives a
/// briefing that says so.
pub fn compose(input: &Input) -> Briefing {
    let mut b = Builder {
        input,
        notes: Vec::new(),
        note_of: BTreeMap::new(),
    };
    b.compose()
}

struct Builder<'a> {
    input: &'a Input,
    notes: Vec<Note>,
    note_of: BTreeMap<(String, Vec<String>), usize>,
}

fn find<'a>(inp: &'a Input, id: &str) -> Option<&'a Event> {
    inp.events.iter().find(|e| e.id == id)
}

fn in_period(e: &Event, from: Option<&str>, to: Option<&str>) -> bool {
    let start = e.date.start.as_deref();
    let end = e.date.end.as_deref().or(start);
    if let (Some(f), Some(end)) = (from, end) {
        if end < f {
            return false;
        }
    }
    if let (Some(t), Some(start)) = (to, start) {
        if start > t {
            return false;
        }
    }
    // Undated events belong to a briefing only when it has no period.
    start.is_some() || (from.is_none() && to.is_none())
}

impl Builder<'_> {
    fn compose(&mut self) -> Briefing {
        let inp = self.input;
        let (from, to) = (inp.from.as_deref(), inp.to.as_deref());
        let mut events: Vec<&Event> = inp
            .events
            .iter()
            .filter(|e| in_period(e, from, to))
            .collect();
        events.sort_by(|a, b| date_order(a, b));
        let period = period_words(from, to);
        let title = format!("Situation report: {}, {}", inp.scope.name, period);
        let mut docs = BTreeSet::new();
        let mut sources = BTreeSet::new();
        for e in &events {
            docs.extend(e.members.iter().map(|m| m.doc.clone()));
            sources.extend(e.sources.iter().map(|s| source_name(s).to_string()));
        }
        let listed = self.key_events(&events);
        let control = self.control_section();
        let events_section = self.events_section(&listed);
        let disagreements = self.disagreements(&events);
        let summary = self.summary(&events, &disagreements);
        let notice = events.is_empty().then(|| self.no_events_notice());
        let sections: Vec<Section> = [
            ("summary", "Summary", summary),
            ("control", "Control timeline", control),
            ("events", "Key events", events_section),
            (
                "disagreements",
                "Disagreements between sources",
                disagreements,
            ),
        ]
        .into_iter()
        .filter(|(_, _, items)| !items.is_empty())
        .map(|(id, title, items)| Section {
            id: id.into(),
            title: title.into(),
            items,
        })
        .collect();
        // Number the notes in order of first use in the document.
        let order: Vec<usize> = {
            let mut seen = Vec::new();
            for s in sections
                .iter()
                .flat_map(|s| &s.items)
                .flat_map(|i| &i.sentences)
            {
                for &n in &s.notes {
                    if !seen.contains(&n) {
                        seen.push(n);
                    }
                }
            }
            seen
        };
        let renumber: BTreeMap<usize, usize> = order
            .iter()
            .enumerate()
            .map(|(k, &old)| (old, k + 1))
            .collect();
        let mut sections = sections;
        for s in sections
            .iter_mut()
            .flat_map(|s| &mut s.items)
            .flat_map(|i| &mut i.sentences)
        {
            for n in &mut s.notes {
                *n = renumber[n];
            }
        }
        let notes = order
            .iter()
            .enumerate()
            .map(|(k, &old)| Note {
                n: k + 1,
                ..self.notes[old - 1].clone()
            })
            .collect();
        Briefing {
            title,
            scope: inp.scope.clone(),
            from: inp.from.clone(),
            to: inp.to.clone(),
            period,
            counts: Counts {
                events: events.len(),
                listed: listed.len(),
                reports: docs.len(),
                sources: sources.into_iter().collect(),
            },
            notice,
            sections,
            notes,
        }
    }

    fn no_events_notice(&self) -> String {
        let inp = self.input;
        let mut dated: Vec<&str> = inp
            .events
            .iter()
            .filter_map(|e| e.date.start.as_deref())
            .collect();
        dated.sort();
        let other = match (dated.first(), dated.last()) {
            (Some(a), Some(b)) => format!(
                " The store holds {} fused event(s) for it at other dates, from {} to {}.",
                inp.events.len(),
                day_words(a),
                day_words(b)
            ),
            _ => " The store holds no fused event for it at any date.".into(),
        };
        format!(
            "No events: no fused event at {} falls in the period {}.{other}",
            inp.scope.name,
            period_words(inp.from.as_deref(), inp.to.as_deref())
        )
    }

    /// The note for a claim (one per report and source chain).
    fn note(&mut self, c: &Claim) -> usize {
        let key = (c.doc.clone(), c.chain.clone());
        if let Some(&n) = self.note_of.get(&key) {
            return n;
        }
        let r = self.input.reports.get(&c.doc);
        let outlet = c
            .chain
            .first()
            .cloned()
            .or_else(|| r.and_then(|r| r.outlet.clone()))
            .unwrap_or_else(|| "unknown outlet".into());
        let chain = if c.chain.len() > 1 {
            c.chain[1..]
                .iter()
                .rev()
                .cloned()
                .collect::<Vec<_>>()
                .join(" via ")
        } else {
            "own reporting".into()
        };
        self.notes.push(Note {
            n: self.notes.len() + 1,
            outlet,
            published: r.and_then(|r| r.published.clone()),
            chain,
            doc: c.doc.clone(),
            url: r.and_then(|r| r.url.clone()),
            repeat_of: c.repeat_of.clone(),
        });
        self.note_of.insert(key, self.notes.len());
        self.notes.len()
    }

    fn notes_of<'c>(&mut self, claims: impl IntoIterator<Item = &'c Claim>) -> Vec<usize> {
        let mut v = Vec::new();
        for c in claims {
            let n = self.note(c);
            if !v.contains(&n) {
                v.push(n);
            }
        }
        v
    }

    fn generated(&mut self, text: String, claims: &[&Claim]) -> Option<Sentence> {
        let notes = self.notes_of(claims.iter().copied());
        // A statement nothing cites is not made.
        (!notes.is_empty()).then_some(Sentence {
            kind: SentenceKind::Generated,
            text,
            notes,
            quote: None,
        })
    }

    /// The evidence sentences of a claim, verbatim, with their spans.
    fn evidence_of(&self, c: &Claim) -> Vec<(String, QuoteSource)> {
        let Some(r) = self.input.reports.get(&c.doc) else {
            return Vec::new();
        };
        c.evidence
            .iter()
            .filter_map(|ev| {
                let s = r.text.get(ev.byte_start..ev.byte_end)?;
                let lead = s.len() - s.trim_start().len();
                let t = s.trim();
                (!t.is_empty()).then(|| {
                    (
                        t.to_string(),
                        QuoteSource {
                            doc: c.doc.clone(),
                            byte_start: ev.byte_start + lead,
                            byte_end: ev.byte_start + lead + t.len(),
                        },
                    )
                })
            })
            .collect()
    }

    /// Quotes backing claims: for each claim, its first evidence sentence
    /// that `wanted` accepts (or its first one when `fallback`), each
    /// sentence once, at most [`MAX_QUOTES`].
    fn quotes(
        &mut self,
        claims: &[&Claim],
        wanted: &dyn Fn(&Claim, &str) -> bool,
        fallback: bool,
        shown: &mut BTreeSet<(String, usize)>,
    ) -> Vec<Sentence> {
        let mut out = Vec::new();
        for c in claims {
            if out.len() >= MAX_QUOTES {
                break;
            }
            let ev = self.evidence_of(c);
            let pick =
                ev.iter()
                    .find(|(t, _)| wanted(c, t))
                    .or(if fallback { ev.first() } else { None });
            let Some((t, q)) = pick else { continue };
            if !shown.insert((q.doc.clone(), q.byte_start)) {
                continue;
            }
            let n = self.note(c);
            out.push(Sentence {
                kind: SentenceKind::Quote,
                text: t.clone(),
                notes: vec![n],
                quote: Some(q.clone()),
            });
        }
        out
    }

    fn key_events<'e>(&self, events: &[&'e Event]) -> Vec<&'e Event> {
        let max = if self.input.max_events == 0 {
            DEFAULT_MAX_EVENTS
        } else {
            self.input.max_events
        };
        let mut ranked: Vec<&Event> = events.to_vec();
        ranked.sort_by(|a, b| {
            importance(b)
                .total_cmp(&importance(a))
                .then(a.id.cmp(&b.id))
        });
        ranked.truncate(max);
        ranked.sort_by(|a, b| date_order(a, b));
        ranked
    }

    fn events_section(&mut self, listed: &[&Event]) -> Vec<Item> {
        let mut items = Vec::new();
        for e in listed {
            let mut sentences = Vec::new();
            let mut shown = BTreeSet::new();
            let types: Vec<&Claim> = e.claims.iter().filter(|c| c.field == "type").collect();
            let what = format!("{}.", capitalise(&event_sentence(e)));
            sentences.extend(self.generated(what, &types));
            let names: Vec<&str> = e.sources.iter().map(|s| source_name(s)).collect();
            let src = format!(
                "{}: {}; confidence {:.2}.",
                capitalise(&plural(
                    names.len(),
                    "independent source",
                    "independent sources"
                )),
                and_list(&names),
                e.confidence
            );
            sentences.extend(self.generated(src, &types));
            let extent = e.extent.as_ref().map(|(_, p)| squash(p));
            let wanted = move |_: &Claim, t: &str| {
                extent
                    .as_deref()
                    .is_some_and(|p| squash(t).contains(p) && !p.is_empty())
            };
            let q = self.quotes(&types, &wanted, true, &mut shown);
            sentences.extend(q);
            for (field, label, fig) in figures(e) {
                let claims: Vec<&Claim> = e.claims.iter().filter(|c| c.field == field).collect();
                let text = format!("{label}: {}.", figure_words(fig));
                let Some(s) = self.generated(text, &claims) else {
                    continue;
                };
                sentences.push(s);
                let q = self.quotes(&claims, &|c, t| mentions_figure(c, t), false, &mut shown);
                sentences.extend(q);
            }
            if sentences.is_empty() {
                continue;
            }
            items.push(Item {
                heading: Some(heading(e)),
                fused: Some(e.id.clone()),
                sentences,
            });
        }
        items
    }

    fn control_section(&mut self) -> Vec<Item> {
        let inp = self.input;
        let (from, to) = (inp.from.as_deref(), inp.to.as_deref());
        let mut items = Vec::new();
        for t in &inp.timelines {
            let mut sentences = Vec::new();
            let mut shown = BTreeSet::new();
            for p in &t.periods {
                if !overlaps(p.from.as_deref(), p.to.as_deref(), from, to) {
                    continue;
                }
                let Some(e) = find(inp, &p.fused) else {
                    continue;
                };
                let change = t.changes.iter().find(|c| c.fused == p.fused);
                let start = match (change, p.from.as_deref()) {
                    (Some(c), Some(f)) if c.late => format!("the night of {}", day_words(f)),
                    (Some(c), Some(f)) if c.precision == "report" => {
                        format!("{} (the date of the report)", day_words(f))
                    }
                    (_, Some(f)) => day_words(f),
                    (_, None) => "an unknown date".into(),
                };
                let end =
                    p.to.as_deref()
                        .map_or("the latest report".into(), day_words);
                let text = if p.to.is_some() && p.to == p.from && !start.contains('(') {
                    format!(
                        "On {start}, {} held {} ({}) until the next change that day.",
                        holder_words(&p.holder),
                        t.place,
                        extent_words(&p.extent)
                    )
                } else {
                    format!(
                        "From {start} to {end}, {} held {} ({}).",
                        holder_words(&p.holder),
                        t.place,
                        extent_words(&p.extent)
                    )
                };
                let types: Vec<&Claim> = e.claims.iter().filter(|c| c.field == "type").collect();
                sentences.extend(self.generated(text, &types));
                let extent = e.extent.as_ref().map(|(_, p)| squash(p));
                let wanted = move |_: &Claim, s: &str| {
                    extent
                        .as_deref()
                        .is_some_and(|p| !p.is_empty() && squash(s).contains(p))
                };
                let mut q = self.quotes(&types, &wanted, true, &mut shown);
                q.truncate(1);
                sentences.extend(q);
            }
            let open: Vec<&ControlChange> = t
                .changes
                .iter()
                .filter(|c| c.status != "confirmed")
                .filter(|c| {
                    let s = c.date_start.as_deref();
                    overlaps(s, c.date_end.as_deref().or(s), from, to)
                })
                .collect();
            if !open.is_empty() {
                let claims: Vec<&Claim> = open
                    .iter()
                    .filter_map(|c| find(inp, &c.fused))
                    .flat_map(|e| e.claims.iter().filter(|c| c.field == "type"))
                    .collect();
                let text = format!(
                    "{} of control in the period {} not confirmed ({}); see the disagreements.",
                    capitalise(&plural(
                        open.len(),
                        "more reported change",
                        "more reported changes"
                    )),
                    if open.len() == 1 { "is" } else { "are" },
                    open.iter()
                        .map(|c| format!(
                            "{} on {}",
                            holder_words(&c.holder),
                            c.date_start
                                .as_deref()
                                .map_or("an unknown date".into(), day_words)
                        ))
                        .collect::<Vec<_>>()
                        .join("; ")
                );
                sentences.extend(self.generated(text, &claims));
            }
            if !sentences.is_empty() {
                items.push(Item {
                    heading: (inp.timelines.len() > 1 || inp.scope.kind != ScopeKind::Place)
                        .then(|| t.place.clone()),
                    fused: None,
                    sentences,
                });
            }
        }
        items
    }

    fn disagreements(&mut self, events: &[&Event]) -> Vec<Item> {
        let inp = self.input;
        let mut items = Vec::new();
        for e in events {
            let mut sentences = Vec::new();
            let mut shown = BTreeSet::new();
            let label = event_label(e);
            // Figures: contradictions, and different (compatible) figures.
            for (field, what, fig) in figures(e) {
                let name = figure_noun(&what);
                let distinct: BTreeSet<String> =
                    fig.by_source.iter().map(|s| s.text.clone()).collect();
                if fig.by_source.len() < 2 || distinct.len() < 2 {
                    continue;
                }
                let claims: Vec<&Claim> = e.claims.iter().filter(|c| c.field == field).collect();
                let says = fig
                    .by_source
                    .iter()
                    .map(|s| format!("{} gives \"{}\"", source_name(&s.source), s.text))
                    .collect::<Vec<_>>()
                    .join("; ");
                let text = if fig.contradiction {
                    format!(
                        "Sources contradict each other on {name} in {label}: {says}; these figures cannot all be true."
                    )
                } else {
                    format!(
                        "Sources give different figures for {name} in {label}: {says}; the ranges are compatible."
                    )
                };
                sentences.extend(self.generated(text, &claims));
                let q = self.quotes(&claims, &|c, t| mentions_figure(c, t), false, &mut shown);
                sentences.extend(q);
            }
            // Denials.
            let denials: Vec<&Claim> = e.claims.iter().filter(|c| c.field == "denial").collect();
            for d in &denials {
                let who = d
                    .value
                    .get("actor")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
                    .unwrap_or_else(|| source_name(&d.source).to_string());
                let text = format!("{who} denies {label}.");
                sentences.extend(self.generated(text, &[*d]));
                let q = self.quotes(&[*d], &|_, _| true, true, &mut shown);
                sentences.extend(q);
            }
            // Coding disagreements.
            if e.flags.iter().any(|f| f.kind == "type-disagreement") {
                let mut by_type: BTreeMap<String, Vec<&Claim>> = BTreeMap::new();
                for c in e.claims.iter().filter(|c| c.field == "type") {
                    let t = c.value.as_str().unwrap_or("").to_string();
                    by_type.entry(t).or_default().push(c);
                }
                if by_type.len() > 1 {
                    let parts: Vec<String> = by_type
                        .iter()
                        .map(|(t, cs)| {
                            let who: BTreeSet<&str> =
                                cs.iter().map(|c| source_name(&c.source)).collect();
                            format!(
                                "{t} (per {})",
                                who.into_iter().collect::<Vec<_>>().join(", ")
                            )
                        })
                        .collect();
                    let all: Vec<&Claim> = by_type.values().flatten().copied().collect();
                    let text = format!(
                        "Reports code {label} differently: {}; it is briefed as {}.",
                        parts.join(" versus "),
                        e.sub_event_type.as_str()
                    );
                    sentences.extend(self.generated(text, &all));
                }
            }
            // Opposite outcomes reported for the same day.
            for f in e.flags.iter().filter(|f| f.kind == "opposite-outcome") {
                let other = f.detail.split_whitespace().next().unwrap_or("");
                let Some(o) = find(inp, other) else { continue };
                let claims: Vec<&Claim> = e
                    .claims
                    .iter()
                    .chain(o.claims.iter())
                    .filter(|c| c.field == "type")
                    .collect();
                let text = format!(
                    "Reports give opposite outcomes for the same day: {label}, and {}.",
                    event_label(o)
                );
                sentences.extend(self.generated(text, &claims));
            }
            // Unconfirmed claims.
            if e.confidence < CONFIRMED_CONFIDENCE {
                let types: Vec<&Claim> = e.claims.iter().filter(|c| c.field == "type").collect();
                let who: BTreeSet<&str> = e.sources.iter().map(|s| source_name(s)).collect();
                let who: Vec<&str> = who.into_iter().collect();
                let text = format!(
                    "Unconfirmed: only {} {} {label} (confidence {:.2}, below {CONFIRMED_CONFIDENCE:.2}: one source, unnamed or without a date of its own).",
                    and_list(&who),
                    if who.len() == 1 { "reports" } else { "report" },
                    e.confidence
                );
                sentences.extend(self.generated(text, &types));
                let q = self.quotes(&types, &|_, _| true, true, &mut shown);
                sentences.extend(q.into_iter().take(1));
            }
            if !sentences.is_empty() {
                items.push(Item {
                    heading: Some(heading(e)),
                    fused: Some(e.id.clone()),
                    sentences,
                });
            }
        }
        items
    }

    fn summary(&mut self, events: &[&Event], disagreements: &[Item]) -> Vec<Item> {
        let inp = self.input;
        let mut sentences = Vec::new();
        // Control: the last confirmed change in the period, per place (the
        // places with the most changes first, at most three).
        let mut timelines: Vec<&Timeline> = inp.timelines.iter().collect();
        timelines.sort_by_key(|t| std::cmp::Reverse(t.periods.len()));
        for t in timelines.into_iter().take(MAX_SUMMARY_PLACES) {
            let (from, to) = (inp.from.as_deref(), inp.to.as_deref());
            let within: Vec<&ControlPeriod> = t
                .periods
                .iter()
                .filter(|p| overlaps(p.from.as_deref(), p.to.as_deref(), from, to))
                .collect();
            let Some(last) = within.last() else { continue };
            let Some(e) = find(inp, &last.fused) else {
                continue;
            };
            let mut cited: Vec<&Claim> = Vec::new();
            for p in &within {
                if let Some(pe) = find(inp, &p.fused) {
                    cited.extend(pe.claims.iter().filter(|c| c.field == "type").take(1));
                }
            }
            cited.extend(e.claims.iter().filter(|c| c.field == "type"));
            let since = last
                .from
                .as_deref()
                .map_or("an unknown date".into(), day_words);
            let changes = within
                .iter()
                .filter(|p| match (p.from.as_deref(), from) {
                    (Some(d), Some(f)) => d >= f,
                    _ => true,
                })
                .count();
            let text = if changes > 0 {
                format!(
                    "Reports confirm {} of control of {} in the period; the last, on {since}, left {} holding it ({}).",
                    plural(changes, "change", "changes"),
                    t.place,
                    holder_words(&last.holder),
                    extent_words(&last.extent)
                )
            } else {
                format!(
                    "No change of control of {} is confirmed in the period: {} held it ({}), as reported from {since}.",
                    t.place,
                    holder_words(&last.holder),
                    extent_words(&last.extent)
                )
            };
            sentences.extend(self.generated(text, &cited));
        }
        // The deadliest event.
        let deadliest = events
            .iter()
            .filter_map(|e| e.fatalities.as_ref().and_then(|f| f.best).map(|b| (e, b)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.id.cmp(&a.0.id)));
        if let Some((e, _)) = deadliest {
            let f = e.fatalities.as_ref().expect("has fatalities");
            let claims: Vec<&Claim> = e
                .claims
                .iter()
                .filter(|c| c.field == "fatalities")
                .collect();
            let text = format!(
                "The deadliest event reported is {}, with {} killed ({}), according to {}.",
                event_label(e),
                f.best.map_or("?".into(), num),
                range_words(f),
                who_says(f)
            );
            sentences.extend(self.generated(text, &claims));
        }
        // The largest displacement.
        let displaced = events
            .iter()
            .filter_map(|e| e.displaced.as_ref().and_then(|f| f.best).map(|b| (e, b)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.id.cmp(&a.0.id)));
        if let Some((e, _)) = displaced {
            let f = e.displaced.as_ref().expect("has a displacement figure");
            let claims: Vec<&Claim> = e.claims.iter().filter(|c| c.field == "displaced").collect();
            let text = format!(
                "The largest displacement figure is {} people displaced at {} {}: {}, according to {}.",
                f.best.map_or("?".into(), num),
                place_name(e),
                when_words(e),
                range_words(f),
                who_says(f)
            );
            sentences.extend(self.generated(text, &claims));
        }
        // The rest of the period, when nothing above applies.
        if sentences.is_empty() {
            if let Some(e) = self.key_events(events).first() {
                let types: Vec<&Claim> = e.claims.iter().filter(|c| c.field == "type").collect();
                let text = format!("{}.", capitalise(&event_sentence(e)));
                sentences.extend(self.generated(text, &types));
            }
        }
        if !events.is_empty() {
            let n = disagreements.len();
            let cited: Vec<Sentence> = disagreements
                .iter()
                .filter_map(|i| i.sentences.first().cloned())
                .collect();
            if n > 0 {
                let mut notes: Vec<usize> = Vec::new();
                for s in &cited {
                    if let Some(&k) = s.notes.first() {
                        if !notes.contains(&k) {
                            notes.push(k);
                        }
                    }
                }
                sentences.push(Sentence {
                    kind: SentenceKind::Generated,
                    text: format!(
                        "Sources disagree, or a claim stands alone, about {n} of the {} in the period (see the disagreements below).",
                        plural(events.len(), "event", "events")
                    ),
                    notes,
                    quote: None,
                });
            }
        }
        if sentences.is_empty() {
            return Vec::new();
        }
        vec![Item {
            heading: None,
            fused: None,
            sentences,
        }]
    }
}

// ---- wording (generated from fields; nothing else) ----

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn ymd(s: &str) -> Option<(i32, usize, u32)> {
    let mut it = s.get(..10)?.split('-');
    let y = it.next()?.parse().ok()?;
    let m: usize = it.next()?.parse().ok()?;
    let d = it.next()?.parse().ok()?;
    (1..=12).contains(&m).then_some((y, m, d))
}

/// `19 November 2017` (or the string as is when it is not a date).
pub fn day_words(s: &str) -> String {
    match ymd(s) {
        Some((y, m, d)) => format!("{d} {} {y}", MONTHS[m - 1]),
        None => s.to_string(),
    }
}

/// `1 to 10 November 2017`, `18 October to 8 November 2017`.
fn span_words(a: &str, b: &str) -> String {
    match (ymd(a), ymd(b)) {
        (Some((y1, m1, d1)), Some((y2, m2, d2))) if (y1, m1, d1) == (y2, m2, d2) => day_words(a),
        (Some((y1, m1, d1)), Some((y2, m2, d2))) if y1 == y2 && m1 == m2 => {
            format!("{d1} to {d2} {} {y1}", MONTHS[m1 - 1])
        }
        (Some((y1, m1, d1)), Some((y2, _, _))) if y1 == y2 => {
            format!("{d1} {} to {}", MONTHS[m1 - 1], day_words(b))
        }
        _ => format!("{} to {}", day_words(a), day_words(b)),
    }
}

/// How coarse a date is, in words.
fn precision_words(p: &str) -> String {
    match p {
        "week" => "dated to a week".into(),
        "part-of-month" => "dated to part of a month".into(),
        "month" => "dated to a month".into(),
        "year" => "dated to a year".into(),
        other => format!("date precision: {other}"),
    }
}

/// `between 9 and 10 November 2017`.
fn between_words(a: &str, b: &str) -> String {
    match (ymd(a), ymd(b)) {
        (Some((y1, m1, d1)), Some((y2, m2, d2))) if y1 == y2 && m1 == m2 => {
            format!("between {d1} and {d2} {} {y1}", MONTHS[m1 - 1])
        }
        (Some((y1, m1, d1)), Some((y2, _, _))) if y1 == y2 => {
            format!("between {d1} {} and {}", MONTHS[m1 - 1], day_words(b))
        }
        _ => format!("between {} and {}", day_words(a), day_words(b)),
    }
}

/// `1 source`, `2 sources`.
fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `A`, `A and B`, `A, B and C`.
fn and_list(v: &[&str]) -> String {
    match v {
        [] => String::new(),
        [a] => a.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn period_words(from: Option<&str>, to: Option<&str>) -> String {
    match (from, to) {
        (Some(a), Some(b)) => span_words(a, b),
        (Some(a), None) => format!("from {}", day_words(a)),
        (None, Some(b)) => format!("up to {}", day_words(b)),
        (None, None) => "all dates".into(),
    }
}

/// The date of an event in words, with its precision.
pub fn date_words(d: &Date) -> String {
    let (Some(s), e) = (d.start.as_deref(), d.end.as_deref()) else {
        return "undated".into();
    };
    let e = e.unwrap_or(s);
    match d.precision.as_str() {
        "report" => format!("by {} (date of the report)", day_words(s)),
        "part-of-day" if d.late && s == e => format!("night of {}", day_words(s)),
        "part-of-day" if d.late => format!("night of {}", span_words(s, e)),
        _ if s == e => day_words(s),
        "day" | "part-of-day" => span_words(s, e),
        p => format!("{} ({p})", span_words(s, e)),
    }
}

fn date_order(a: &Event, b: &Event) -> std::cmp::Ordering {
    a.date
        .start
        .cmp(&b.date.start)
        .then(a.date.late.cmp(&b.date.late))
        .then(a.id.cmp(&b.id))
}

fn importance(e: &Event) -> f64 {
    let territorial = matches!(
        e.sub_event_type,
        SubEventType::GovernmentRegainsTerritory
            | SubEventType::NonStateActorOvertakesTerritory
            | SubEventType::NonViolentTransferOfTerritory
    );
    let figures = [&e.fatalities, &e.civilians, &e.displaced, &e.injured]
        .iter()
        .filter(|f| f.is_some())
        .count();
    2.0 * figures as f64
        + if territorial { 2.0 } else { 0.0 }
        + e.sources.len() as f64 * 0.5
        + e.confidence
}

/// `outlet:Rudaw` → `Rudaw`.
fn source_name(s: &str) -> &str {
    s.strip_prefix("outlet:").unwrap_or(s)
}

/// `19 November 2017 · Government regains territory · Ālbū Kamāl`.
fn heading(e: &Event) -> String {
    format!(
        "{} · {} · {}",
        date_words(&e.date),
        e.sub_event_type.as_str(),
        place_name(e)
    )
}

/// Does `start..end` (open when `None`) overlap the period `from..to`?
fn overlaps(start: Option<&str>, end: Option<&str>, from: Option<&str>, to: Option<&str>) -> bool {
    !matches!((start, to), (Some(s), Some(t)) if s > t)
        && !matches!((end, from), (Some(e), Some(f)) if e < f)
}

fn place_name(e: &Event) -> String {
    e.location
        .as_ref()
        .map_or("an unknown place".into(), |l| l.name.clone())
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn article(s: &str) -> &'static str {
    match s.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

fn is_state(a: &EventActor) -> bool {
    a.kind.as_deref() == Some("state-forces") || a.name.to_lowercase().contains("pro-government")
}

/// `the government regains territory at Ālbū Kamāl on 19 November 2017`.
fn event_label(e: &Event) -> String {
    let t = lower_first(e.sub_event_type.as_str());
    format!("the {t} at {} {}", place_name(e), when_words(e))
}

/// What happened, from the sub-event type and the actors.
/// `on 9 November 2017`, `between 1 and 10 November 2017 (dated to part
/// of a month)`, `reported by 19 November 2017 (date of the report)`.
fn when_words(e: &Event) -> String {
    match (e.date.precision.as_str(), &e.date.start) {
        (_, None) => "on an unknown date".to_string(),
        ("report", Some(_)) => format!("reported {}", date_words(&e.date)),
        (p, Some(s)) => {
            let end = e.date.end.as_deref().unwrap_or(s);
            let night = if e.date.late { "the night of " } else { "" };
            let coarse = if matches!(p, "day" | "part-of-day") {
                String::new()
            } else {
                format!(" ({})", precision_words(p))
            };
            if end == s {
                format!("on {night}{}{coarse}", day_words(s))
            } else {
                format!("{}{coarse}", between_words(s, end))
            }
        }
    }
}

fn event_sentence(e: &Event) -> String {
    let place = place_name(e);
    let when = when_words(e);
    let actors: Vec<&EventActor> = [e.actor1.as_ref(), e.actor2.as_ref()]
        .into_iter()
        .flatten()
        .collect();
    let gov = actors.iter().find(|a| is_state(a)).map(|a| a.name.clone());
    let other = actors.iter().find(|a| !is_state(a)).map(|a| a.name.clone());
    let extent = match e.extent.as_ref().map(|x| x.0.as_str()) {
        Some("full") => " (full control reported)",
        Some("partial") => " (part of the place)",
        Some("contested") => " (contested: forces entered, fighting reported)",
        Some("withdrawal") => " (a withdrawal is reported)",
        _ => "",
    };
    let what = match e.sub_event_type {
        SubEventType::GovernmentRegainsTerritory => {
            let who = gov.unwrap_or_else(|| "government forces".into());
            match other {
                Some(o) => format!("{who} regained {place} from {o}"),
                None => format!("{who} regained {place}"),
            }
        }
        SubEventType::NonStateActorOvertakesTerritory => {
            let who = other
                .or_else(|| e.actor1.as_ref().map(|a| a.name.clone()))
                .unwrap_or_else(|| "a non-state actor".into());
            match gov {
                Some(g) => format!("{who} took {place} from {g}"),
                None => format!("{who} took {place}"),
            }
        }
        SubEventType::NonViolentTransferOfTerritory => match &e.actor1 {
            Some(a) => format!("control of {place} passed to {} without fighting", a.name),
            None => format!("control of {place} changed hands without fighting"),
        },
        SubEventType::ArmedClash => match (&e.actor1, &e.actor2) {
            (Some(a), Some(b)) => format!("{} and {} clashed at {place}", a.name, b.name),
            (Some(a), None) => format!("{} fought an armed clash at {place}", a.name),
            _ => format!("an armed clash took place at {place}"),
        },
        SubEventType::Displacement => format!("displacement was reported at {place}"),
        t => {
            let name = lower_first(t.as_str());
            let inv = match actors.as_slice() {
                [] => String::new(),
                [a] => format!(", involving {}", a.name),
                [a, b, ..] => format!(", involving {} and {}", a.name, b.name),
            };
            format!("{} {name} was reported at {place}{inv}", article(&name))
        }
    };
    format!("{when}, {what}{extent}")
}

fn holder_words(h: &str) -> String {
    if let Some(x) = h.strip_prefix("government: ") {
        format!("{x} (government)")
    } else if let Some(x) = h.strip_prefix("government side: ") {
        format!("{x} (government side)")
    } else {
        h.to_string()
    }
}

fn extent_words(x: &str) -> &str {
    match x {
        "full" => "full control",
        "partial" => "part of the place",
        "contested" => "contested: forces inside, fighting reported",
        other => other,
    }
}

fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        let s = format!("{}", x as i64);
        // Thousands separators for readability: 120000 → 120,000.
        let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        format!("{sign}{out}")
    } else {
        format!("{x}")
    }
}

/// `low 31, best 31, high not bounded`.
fn range_words(f: &Figure) -> String {
    let v = |x: Option<f64>| x.map_or("not given".into(), num);
    format!(
        "low {}, best {}, high {}",
        v(f.low),
        v(f.best),
        f.high.map_or("not bounded".into(), num)
    )
}

fn who_says(f: &Figure) -> String {
    f.by_source
        .iter()
        .map(|s| {
            format!(
                "{} (\"{}\"{})",
                source_name(&s.source),
                s.text,
                if s.reports > 1 {
                    format!(", in {} reports", s.reports)
                } else {
                    String::new()
                }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn figure_words(f: &Figure) -> String {
    format!(
        "{}; {}: {}",
        range_words(f),
        plural(f.sources, "independent source", "independent sources"),
        who_says(f)
    )
}

/// The figures of an event: claim field, label, reconciled figure.
fn figures(e: &Event) -> Vec<(String, String, &Figure)> {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for a in [e.actor1.as_ref(), e.actor2.as_ref()].into_iter().flatten() {
        if let Some(id) = &a.id {
            names.insert(id.clone(), a.name.clone());
        }
    }
    for c in e
        .claims
        .iter()
        .filter(|c| c.field == "actor1" || c.field == "actor2")
    {
        if let (Some(id), Some(n)) = (
            c.value.get("id").and_then(|v| v.as_str()),
            c.value.get("name").and_then(|v| v.as_str()),
        ) {
            names.entry(id.into()).or_insert_with(|| n.into());
        }
    }
    let mut out = Vec::new();
    if let Some(f) = &e.fatalities {
        out.push(("fatalities".into(), "Killed (all sides)".into(), f));
    }
    for (id, f) in &e.fatalities_by_actor {
        let name = names.get(id).cloned().unwrap_or_else(|| id.clone());
        out.push((format!("fatalities:{id}"), format!("{name} dead"), f));
    }
    for (field, label, f) in [
        ("civilians", "Civilians killed", &e.civilians),
        ("injured", "Injured", &e.injured),
        ("displaced", "Displaced", &e.displaced),
    ] {
        if let Some(f) = f {
            out.push((field.into(), label.into(), f));
        }
    }
    out
}

/// `the number of Army of Zedland dead` for the label `Army of Zedland dead`.
fn figure_noun(label: &str) -> String {
    match label {
        "Killed (all sides)" => "the number killed".into(),
        "Civilians killed" => "the number of civilians killed".into(),
        "Injured" => "the number injured".into(),
        "Displaced" => "the number displaced".into(),
        other => format!("the number of {other}"),
    }
}

/// Whitespace collapsed, lower case (to find a phrase in a sentence).
fn squash(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Does an evidence sentence state the figure a claim gives?
fn mentions_figure(c: &Claim, sentence: &str) -> bool {
    let Some(t) = &c.text else { return false };
    let s = squash(sentence);
    t.split("; ")
        .map(squash)
        .any(|part| !part.is_empty() && s.contains(&part))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str, e: &str, p: &str, late: bool) -> Date {
        Date {
            start: Some(s.into()),
            end: Some(e.into()),
            precision: p.into(),
            late,
        }
    }

    #[test]
    fn dates_in_words() {
        assert_eq!(day_words("2017-11-09"), "9 November 2017");
        assert_eq!(day_words("not a date"), "not a date");
        assert_eq!(
            period_words(Some("2017-11-01"), Some("2017-11-30")),
            "1 to 30 November 2017"
        );
        assert_eq!(
            period_words(Some("2017-10-18"), Some("2017-11-08")),
            "18 October to 8 November 2017"
        );
        assert_eq!(
            period_words(Some("2017-12-30"), Some("2018-01-02")),
            "30 December 2017 to 2 January 2018"
        );
        assert_eq!(period_words(None, None), "all dates");
        assert_eq!(
            between_words("2017-11-09", "2017-11-10"),
            "between 9 and 10 November 2017"
        );
        let night = date("2017-11-09", "2017-11-09", "part-of-day", true);
        assert_eq!(date_words(&night), "night of 9 November 2017");
        let week = date("2017-10-18", "2017-11-08", "week", false);
        assert_eq!(date_words(&week), "18 October to 8 November 2017 (week)");
        let report = date("2017-11-19", "2017-11-19", "report", false);
        assert_eq!(
            date_words(&report),
            "by 19 November 2017 (date of the report)"
        );
    }

    #[test]
    fn figures_in_words() {
        assert_eq!(num(120000.0), "120,000");
        assert_eq!(num(31.0), "31");
        assert_eq!(num(2.5), "2.5");
        let f = Figure {
            low: Some(51.0),
            best: Some(51.0),
            high: None,
            sources: 1,
            by_source: Vec::new(),
            contradiction: false,
        };
        assert_eq!(range_words(&f), "low 51, best 51, high not bounded");
        assert_eq!(plural(1, "source", "sources"), "1 source");
        assert_eq!(and_list(&["A", "B", "C"]), "A, B and C");
        assert_eq!(holder_words("government: Army"), "Army (government)");
        assert_eq!(source_name("outlet:Rudaw"), "Rudaw");
    }
}
