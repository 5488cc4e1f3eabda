//! Briefings on invented reports (a fictional town, outlets and groups):
//! the Markdown snapshot (reviewed line by line), footnotes on every
//! sentence, verbatim quotes, contradictions, unconfirmed claims, a period
//! without events, and escaping.

use std::collections::BTreeMap;

use sitrep_brief::{compose, render, Input, Report, Scope, ScopeKind, SentenceKind, Timeline};
use sitrep_core::event::{
    ActorFatalities, AttributedTo, Event, EventActor, EventDate, EventLocation, EventModality,
    Evidence, Fatalities, Range, SubEventType,
};
use sitrep_fuse::{control_timeline, fuse, FuseConfig};

const TOWN: (&str, u32) = ("Tell Qarmun", 9_100_001);

struct Doc {
    key: &'static str,
    outlet: &'static str,
    published: &'static str,
    text: &'static str,
}

const DOCS: &[Doc] = &[
    Doc {
        key: "r1-valley-courier",
        outlet: "Valley Courier",
        published: "2031-03-04",
        text: "TELL QARMUN - Government forces retook Tell Qarmun on Monday after two days of fighting, the Levant Monitor said. At least 12 soldiers and 20 Crescent Brigade fighters were killed, the monitor said. Aid groups asked for safe passage.",
    },
    Doc {
        key: "r2-northern-wire",
        outlet: "Northern Wire",
        published: "2031-03-04",
        text: "The army said it had taken full control of Tell Qarmun on Monday. An army spokesman said 5 soldiers died in the operation.",
    },
    Doc {
        key: "r3-hill-post",
        outlet: "Hill Post",
        published: "2031-03-09",
        text: "Crescent Brigade fighters took back several neighbourhoods of Tell Qarmun on Saturday night, residents said.",
    },
    Doc {
        key: "r4-relief-bulletin",
        outlet: "Relief Bulletin",
        published: "2031-03-10",
        text: "About 3,000 people fled Tell Qarmun last week, the Relief Office said. Most are staying with relatives <in> the *hills* & [camps].",
    },
    Doc {
        key: "r5-border-herald",
        outlet: "Border Herald",
        published: "2031-03-09",
        text: "The Crescent Brigade denied on Sunday that its fighters had entered Tell Qarmun on Saturday night.",
    },
];

fn army() -> EventActor {
    EventActor {
        id: Some("zz-army".into()),
        name: "Army of Zedland".into(),
        kind: Some("state-forces".into()),
        country: Some("ZZ".into()),
        text: "Government forces".into(),
    }
}

fn brigade() -> EventActor {
    EventActor {
        id: Some("zz-crescent".into()),
        name: "Crescent Brigade".into(),
        kind: Some("rebel-group".into()),
        country: None,
        text: "Crescent Brigade".into(),
    }
}

fn range(low: Option<f64>, best: f64, high: Option<f64>, text: &str) -> Range {
    Range {
        low,
        best: Some(best),
        high,
        text: text.into(),
    }
}

/// The spans of the given sentences of a document.
fn evidence(doc: &Doc, sentences: &[&str]) -> Vec<Evidence> {
    sentences
        .iter()
        .map(|s| {
            let at = doc.text.find(s).expect("sentence in the report");
            Evidence {
                start: doc.text[..at].chars().count(),
                end: doc.text[..at + s.len()].chars().count(),
                byte_start: at,
                byte_end: at + s.len(),
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn event(
    doc: &Doc,
    sub: SubEventType,
    date: (&str, &str, &str, &str),
    actors: (Option<EventActor>, Option<EventActor>),
    fatalities: Fatalities,
    displaced: Option<Range>,
    said: &[&str],
    sentences: &[&str],
) -> sitrep_fuse::Report {
    let e = Event {
        id: format!("{}#e1", doc.key),
        primary: true,
        event_type: sub.event_type(),
        sub_event_type: sub,
        date: EventDate {
            start: Some(date.0.into()),
            end: Some(date.1.into()),
            precision: date.2.into(),
            text: Some(date.3.into()),
        },
        location: Some(EventLocation {
            name: TOWN.0.into(),
            geonames_id: Some(TOWN.1),
            lat: Some(35.1),
            lon: Some(39.2),
            country_code: Some("ZZ".into()),
            admin1: Some("Upper Valley".into()),
            admin2: None,
            precision: "exact".into(),
            text: TOWN.0.into(),
        }),
        actor1: actors.0,
        actor2: actors.1,
        associated_actors: Vec::new(),
        fatalities,
        injured: None,
        displaced,
        means: None,
        modality: EventModality::Asserted,
        attributed_to: said
            .iter()
            .map(|n| AttributedTo {
                name: (*n).into(),
                text: (*n).into(),
                via: None,
            })
            .collect(),
        evidence: evidence(doc, sentences),
    };
    sitrep_fuse::Report {
        doc: doc.key.into(),
        outlet: Some(doc.outlet.into()),
        published: Some(doc.published.into()),
        duplicate_of: None,
        canonical_outlet: None,
        evidence_text: sentences.iter().map(|s| s.to_string()).collect(),
        event: e,
    }
}

fn fixture(from: Option<&str>, to: Option<&str>) -> Input {
    let [d1, d2, d3, d4, d5] = [&DOCS[0], &DOCS[1], &DOCS[2], &DOCS[3], &DOCS[4]];
    let by_actor = |id: &str, r: Range| ActorFatalities {
        actor_id: Some(id.into()),
        range: r,
    };
    let mut denial = event(
        d5,
        SubEventType::NonStateActorOvertakesTerritory,
        ("2031-03-08", "2031-03-08", "part-of-day", "Saturday night"),
        (Some(brigade()), None),
        Fatalities::default(),
        None,
        &["The Crescent Brigade"],
        &["The Crescent Brigade denied on Sunday that its fighters had entered Tell Qarmun on Saturday night."],
    );
    denial.event.modality = EventModality::Denied;
    let reports = vec![
        denial,
        event(
            d1,
            SubEventType::GovernmentRegainsTerritory,
            ("2031-03-03", "2031-03-03", "day", "Monday"),
            (Some(army()), Some(brigade())),
            Fatalities {
                by_actor: vec![
                    by_actor("zz-army", range(Some(12.0), 12.0, None, "At least 12")),
                    by_actor("zz-crescent", range(Some(20.0), 20.0, Some(20.0), "20")),
                ],
                ..Fatalities::default()
            },
            None,
            &["the Levant Monitor"],
            &[
                "TELL QARMUN - Government forces retook Tell Qarmun on Monday after two days of fighting, the Levant Monitor said.",
                "At least 12 soldiers and 20 Crescent Brigade fighters were killed, the monitor said.",
            ],
        ),
        event(
            d2,
            SubEventType::GovernmentRegainsTerritory,
            ("2031-03-03", "2031-03-03", "day", "Monday"),
            (Some(army()), None),
            Fatalities {
                by_actor: vec![by_actor("zz-army", range(Some(5.0), 5.0, Some(5.0), "5"))],
                ..Fatalities::default()
            },
            None,
            &["An army spokesman"],
            &[
                "The army said it had taken full control of Tell Qarmun on Monday.",
                "An army spokesman said 5 soldiers died in the operation.",
            ],
        ),
        event(
            d3,
            SubEventType::NonStateActorOvertakesTerritory,
            ("2031-03-08", "2031-03-08", "part-of-day", "Saturday night"),
            (Some(brigade()), None),
            Fatalities::default(),
            None,
            &["residents"],
            &["Crescent Brigade fighters took back several neighbourhoods of Tell Qarmun on Saturday night, residents said."],
        ),
        event(
            d4,
            SubEventType::Displacement,
            ("2031-03-02", "2031-03-08", "week", "last week"),
            (None, None),
            Fatalities::default(),
            Some(range(None, 3000.0, None, "About 3,000")),
            &["the Relief Office"],
            &["About 3,000 people fled Tell Qarmun last week, the Relief Office said."],
        ),
    ];
    let fused: Vec<sitrep_fuse::FusedEvent> = fuse(&reports, &FuseConfig::default())
        .expect("fuse")
        .into_iter()
        .flat_map(|b| b.events)
        .collect();
    let t = control_timeline(&fused);
    Input {
        scope: Scope {
            kind: ScopeKind::Place,
            name: TOWN.0.into(),
            query: "tel qarmoun".into(),
            geonames_ids: vec![TOWN.1],
        },
        from: from.map(str::to_string),
        to: to.map(str::to_string),
        events: fused,
        timelines: vec![Timeline {
            place: TOWN.0.into(),
            geonames_id: Some(TOWN.1),
            changes: t.changes,
            periods: t.periods,
        }],
        reports: DOCS
            .iter()
            .map(|d| {
                (
                    d.key.to_string(),
                    Report {
                        outlet: Some(d.outlet.into()),
                        published: Some(d.published.into()),
                        url: Some(format!("https://example.org/{}", d.key)),
                        text: d.text.into(),
                    },
                )
            })
            .collect::<BTreeMap<_, _>>(),
        max_events: 0,
    }
}

#[test]
fn markdown_snapshot() {
    let b = compose(&fixture(Some("2031-03-01"), Some("2031-03-31")));
    insta::assert_snapshot!(render::markdown(&b));
}

#[test]
fn every_sentence_is_cited_and_every_quote_is_verbatim() {
    let input = fixture(Some("2031-03-01"), Some("2031-03-31"));
    let b = compose(&input);
    assert_eq!(b.counts.events, 3, "{:#?}", b.counts);
    let mut quotes = 0;
    let mut n = 0;
    for s in b
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .flat_map(|i| &i.sentences)
    {
        n += 1;
        assert!(!s.notes.is_empty(), "uncited: {}", s.text);
        for k in &s.notes {
            assert!(*k >= 1 && *k <= b.notes.len(), "note {k} of {}", s.text);
        }
        if s.kind == SentenceKind::Quote {
            quotes += 1;
            let q = s.quote.as_ref().expect("a quote says where it is from");
            let text = &input.reports[&q.doc].text;
            assert_eq!(&text[q.byte_start..q.byte_end], s.text);
            // The footnote of a quote names the report it comes from.
            assert_eq!(b.notes[s.notes[0] - 1].doc, q.doc);
        }
    }
    assert!(n > 10 && quotes > 3, "{n} sentences, {quotes} quotes");
    // Notes are numbered 1.. in order, each used.
    for (i, note) in b.notes.iter().enumerate() {
        assert_eq!(note.n, i + 1);
    }
}

#[test]
fn figures_with_sources_and_disagreements() {
    let b = compose(&fixture(None, None));
    let md = render::markdown(&b);
    let all: Vec<&sitrep_brief::Sentence> = b
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .flat_map(|i| &i.sentences)
        .collect();
    let find = |needle: &str| {
        all.iter()
            .find(|s| s.text.contains(needle))
            .unwrap_or_else(|| panic!("no sentence with {needle:?} in\n{md}"))
    };
    // The soldiers' deaths: a range over both sources, each named.
    let dead = find("Army of Zedland dead:");
    assert!(
        dead.text.contains("Levant Monitor (\"At least 12\")"),
        "{}",
        dead.text
    );
    assert!(
        dead.text.contains("An army spokesman (\"5\")"),
        "{}",
        dead.text
    );
    let chains: Vec<&str> = dead
        .notes
        .iter()
        .map(|n| b.notes[n - 1].chain.as_str())
        .collect();
    assert!(chains.contains(&"the Levant Monitor"), "{chains:?}");
    assert!(chains.contains(&"An army spokesman"), "{chains:?}");
    // The contradiction is stated, with both figures.
    let c = find("contradict each other");
    assert!(
        c.text.contains("\"At least 12\"") && c.text.contains("\"5\""),
        "{}",
        c.text
    );
    // The unconfirmed counter-attack (residents only) is flagged.
    let u = find("Unconfirmed: only Hill Post reports");
    assert_eq!(b.notes[u.notes[0] - 1].outlet, "Hill Post");
    // The brigade's denial, quoted.
    let d = find("Crescent Brigade denies the non-state actor overtakes territory");
    assert_eq!(b.notes[d.notes[0] - 1].outlet, "Border Herald");
    assert!(all.iter().any(|s| s.kind == SentenceKind::Quote
        && s.text.starts_with("The Crescent Brigade denied on Sunday")));
    // The displacement figure with its source.
    let d = find("Displaced:");
    assert!(
        d.text.contains("Relief Office (\"About 3,000\")"),
        "{}",
        d.text
    );
    // Sections in order.
    let ids: Vec<&str> = b.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["summary", "control", "events", "disagreements"]);
}

#[test]
fn a_period_without_events_says_so() {
    let b = compose(&fixture(Some("2031-05-01"), Some("2031-05-31")));
    assert_eq!(b.counts.events, 0);
    let notice = b.notice.as_deref().expect("a notice");
    assert!(notice.starts_with("No events:"), "{notice}");
    assert!(notice.contains("1 to 31 May 2031"), "{notice}");
    assert!(b.sections.iter().all(|s| s.id != "events"));
    // Who held the town is still known from before the period, cited.
    for s in b
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .flat_map(|i| &i.sentences)
    {
        assert!(!s.notes.is_empty(), "{}", s.text);
    }
    let md = render::markdown(&b);
    assert!(md.contains("**No events:"), "{md}");
    // A period before every event: nothing held, nothing claimed.
    let b = compose(&fixture(Some("2020-01-01"), Some("2020-01-31")));
    assert!(b.sections.is_empty(), "{:#?}", b.sections);
    assert!(b.notes.is_empty());
}

#[test]
fn report_text_is_escaped() {
    let b = compose(&fixture(None, None));
    let mut b = b;
    // Put hostile text where report text goes: a quote.
    let s = b
        .sections
        .iter_mut()
        .flat_map(|s| &mut s.items)
        .flat_map(|i| &mut i.sentences)
        .find(|s| s.kind == SentenceKind::Quote)
        .expect("a quote");
    s.text = "<script>alert(1)</script> *bold* [link](x) & \"q\"\n# heading".into();
    let html = render::html(&b);
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&amp; &quot;q&quot;"));
    let md = render::markdown(&b);
    assert!(
        md.contains(r#"\<script\>alert(1)\</script\> \*bold\* \[link\](x) \& "q" \# heading"#),
        "{md}"
    );
}
