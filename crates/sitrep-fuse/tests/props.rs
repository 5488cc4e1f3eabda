//! Properties of fusion on synthetic events: order independence, every
//! event accounted for once, constraints respected, figures never averaged.

use proptest::prelude::*;
use sitrep_core::event::*;
use sitrep_fuse::{fuse, FuseConfig, Report};

fn actor(id: &str, kind: &str) -> EventActor {
    EventActor {
        id: Some(id.into()),
        name: id.into(),
        kind: Some(kind.into()),
        country: None,
        text: id.into(),
    }
}

fn range(low: f64, high: Option<f64>) -> Range {
    Range {
        low: Some(low),
        best: Some(low),
        high,
        text: format!("{low}"),
    }
}

/// A synthetic report: `doc`, sub-type index, day offset, place index,
/// precision index, deaths.
fn report(
    doc: usize,
    n: usize,
    sub: usize,
    day: u32,
    place: usize,
    prec: usize,
    dead: Option<u32>,
) -> Report {
    let subs = [
        SubEventType::GovernmentRegainsTerritory,
        SubEventType::NonStateActorOvertakesTerritory,
        SubEventType::ArmedClash,
        SubEventType::AirDroneStrike,
        SubEventType::Attack,
    ];
    let t = subs[sub % subs.len()];
    let places = [
        (174448, 34.45, 40.92),
        (170794, 35.33, 40.14),
        (163345, 35.0, 38.0),
    ];
    let (g, lat, lon) = places[place % places.len()];
    let date = format!("2017-11-{:02}", 1 + day % 20);
    let precision = ["day", "report", "part-of-day"][prec % 3];
    let (a1, a2) = match t {
        SubEventType::GovernmentRegainsTerritory => (
            actor("sy-military", "state-forces"),
            actor("isis", "rebel-group"),
        ),
        _ => (
            actor("isis", "rebel-group"),
            actor("sy-military", "state-forces"),
        ),
    };
    Report {
        doc: format!("d{doc}"),
        outlet: Some(format!("Outlet {}", doc % 3)),
        published: Some(date.clone()),
        duplicate_of: if doc % 5 == 4 {
            Some(format!("d{}", doc - 1))
        } else {
            None
        },
        canonical_outlet: if doc % 5 == 4 {
            Some(format!("Outlet {}", (doc - 1) % 3))
        } else {
            None
        },
        event: Event {
            id: format!("d{doc}#e{n}"),
            primary: n == 1,
            event_type: t.event_type(),
            sub_event_type: t,
            date: EventDate {
                start: Some(date.clone()),
                end: Some(date),
                precision: precision.into(),
                text: (precision == "part-of-day").then(|| "Thursday night".to_string()),
            },
            location: Some(EventLocation {
                name: format!("P{g}"),
                geonames_id: Some(g),
                lat: Some(lat),
                lon: Some(lon),
                country_code: Some("SY".into()),
                admin1: None,
                admin2: None,
                precision: "exact".into(),
                text: format!("P{g}"),
            }),
            actor1: Some(a1),
            actor2: Some(a2),
            associated_actors: vec![],
            fatalities: Fatalities {
                total: dead.map(|d| {
                    range(
                        f64::from(d),
                        if d % 2 == 0 { Some(f64::from(d)) } else { None },
                    )
                }),
                ..Fatalities::default()
            },
            injured: None,
            displaced: None,
            means: None,
            modality: if n == 3 {
                EventModality::Denied
            } else {
                EventModality::Asserted
            },
            attributed_to: if doc.is_multiple_of(2) {
                vec![AttributedTo {
                    name: "the Syrian Observatory for Human Rights".into(),
                    text: "the Observatory".into(),
                    via: None,
                }]
            } else {
                vec![]
            },
            evidence: vec![],
        },
        evidence_text: vec![],
    }
}

fn reports_strategy() -> impl Strategy<Value = Vec<Report>> {
    prop::collection::vec(
        (
            0usize..5,
            0u32..6,
            0usize..3,
            0usize..3,
            prop::option::of(0u32..60),
        ),
        1..24,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (sub, day, place, prec, dead))| {
                report(i / 3, i % 3 + 1, sub, day, place, prec, dead)
            })
            .collect()
    })
}

fn canonical(rs: &[Report]) -> String {
    serde_json::to_string(&fuse(rs, &FuseConfig::default()).unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn order_does_not_matter(rs in reports_strategy(), seed in any::<u64>()) {
        let a = canonical(&rs);
        let mut shuffled = rs.clone();
        // Deterministic Fisher-Yates from the seed.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(a, canonical(&shuffled));
    }

    #[test]
    fn every_event_is_accounted_for_once(rs in reports_strategy()) {
        let out = fuse(&rs, &FuseConfig::default()).unwrap();
        let mut seen: Vec<String> = Vec::new();
        for b in &out {
            for e in &b.events {
                seen.extend(e.members.iter().map(|m| m.event.clone()));
                seen.extend(e.claims.iter().filter(|c| c.field == "denial").map(|c| c.event.clone()));
            }
            seen.extend(b.skipped.iter().map(|s| s.event.clone()));
        }
        seen.sort();
        let mut want: Vec<String> = rs.iter().map(|r| r.event.id.clone()).collect();
        want.sort();
        prop_assert_eq!(seen, want);
    }

    #[test]
    fn constraints_hold(rs in reports_strategy()) {
        for b in fuse(&rs, &FuseConfig::default()).unwrap() {
            for e in &b.events {
                let gov = e.members.iter().any(|m| m.sub_event_type == SubEventType::GovernmentRegainsTerritory);
                let non = e.members.iter().any(|m| m.sub_event_type == SubEventType::NonStateActorOvertakesTerritory);
                prop_assert!(!(gov && non), "opposite outcomes fused in {}", e.id);
                if let Some(f) = &e.fatalities {
                    // The best figure is one some source gave.
                    let best = f.best.unwrap();
                    prop_assert!(f.by_source.iter().any(|s| s.best == Some(best)));
                    if let (Some(l), Some(h)) = (f.low, f.high) { prop_assert!(l <= h); }
                }
            }
        }
    }
}

#[test]
fn syndicated_copies_are_one_source() {
    let a = report(3, 1, 0, 2, 0, 0, Some(31));
    let mut b = report(4, 1, 0, 2, 0, 0, Some(31)); // d4 is a copy of d3
    b.event.attributed_to.clear();
    let mut a2 = a.clone();
    a2.event.attributed_to.clear();
    let out = fuse(&[a2, b], &FuseConfig::default()).unwrap();
    let e = &out[0].events[0];
    assert_eq!(e.members.len(), 2);
    assert_eq!(e.sources.len(), 1, "{:?}", e.sources);
    assert_eq!(e.fatalities.as_ref().unwrap().by_source[0].reports, 2);
}

#[test]
fn different_days_are_a_sequence_and_night_joins_the_next_day() {
    let entry = report(0, 1, 0, 7, 0, 0, None); // gov, 8 Nov, day
    let taken = report(1, 1, 0, 8, 0, 0, None); // gov, 9 Nov, day
    let night = report(2, 1, 1, 8, 0, 2, None); // IS, 9 Nov night
    let said = report(5, 1, 1, 9, 0, 0, None); // IS, 10 Nov
    let out = fuse(&[entry, taken, night, said], &FuseConfig::default()).unwrap();
    let events = &out[0].events;
    assert_eq!(
        events.len(),
        3,
        "{:#?}",
        events.iter().map(|e| &e.members).collect::<Vec<_>>()
    );
    let last = events.iter().find(|e| e.members.len() == 2).unwrap();
    assert_eq!(
        last.sub_event_type,
        SubEventType::NonStateActorOvertakesTerritory
    );
}

#[test]
fn conflicting_figures_are_flagged_not_averaged() {
    let mut a = report(0, 1, 2, 3, 0, 0, Some(48));
    let mut b = report(1, 1, 2, 3, 0, 0, Some(30));
    a.event.fatalities.total = Some(range(48.0, Some(48.0)));
    b.event.fatalities.total = Some(range(30.0, Some(30.0)));
    let out = fuse(&[a, b], &FuseConfig::default()).unwrap();
    let e = &out[0].events[0];
    let f = e.fatalities.as_ref().unwrap();
    assert!(f.contradiction);
    assert_eq!(f.best, Some(30.0));
    assert_eq!((f.low, f.high), (Some(30.0), Some(48.0)));
    assert!(e.flags.iter().any(|x| x.kind == "incompatible-figures"));
}
