//! Store behaviour with small hand-made documents, on both backends: every
//! test runs once on a fresh SQLite file and once on a fresh PostgreSQL
//! schema (`SITREP_TEST_PG_URL`; see `sitrep_store::testing`).

use sitrep_core::{
    DateOrigin, DatePrecision, Document, DocumentMeta, Language, RemovalReason, Segment,
    SegmentKind, Span,
};
use sitrep_store::testing::TestDb;
use sitrep_store::{
    test_both_backends, Backend, ClaimRow, DocFilter, EventQuery, EventSource, Fingerprint,
    FusedFilter, FusedRow, IngestItem, LinkRow, LogRow, OutcomeKind, Store,
};

fn doc(key: &str, text: &str) -> Document {
    let mut d = Document::from_text(
        key.into(),
        format!("{key}.txt"),
        text.into(),
        DocumentMeta::default(),
    );
    // First line kept as body, the rest removed as a footer.
    let first = text.find('\n').unwrap_or(text.len());
    d.segments.push(Segment {
        span: Span::new(0, first),
        kind: SegmentKind::Body,
    });
    if first < text.len() {
        d.segments.push(Segment {
            span: Span::new(first + 1, text.len()),
            kind: SegmentKind::Removed(RemovalReason::Footer),
        });
    }
    d.language = Some(Language {
        code: "eng".into(),
        confidence: 0.9,
    });
    d
}

fn fp(seed: u64, same: usize) -> Fingerprint {
    // 16 slots: the first `same` shared with every fingerprint of any seed.
    let minhash: Vec<u64> = (0..16u64)
        .map(|i| {
            if (i as usize) < same {
                i
            } else {
                seed * 1000 + i
            }
        })
        .collect();
    let bands = minhash.chunks(2).map(|c| c[0] ^ (c[1] << 1)).collect();
    Fingerprint { bands, minhash }
}

fn ingest(
    store: &mut Store,
    docs: &[(Document, Option<Fingerprint>)],
) -> Vec<sitrep_store::Outcome> {
    let run = store.begin_run("test").unwrap();
    let items: Vec<IngestItem> = docs
        .iter()
        .map(|(d, f)| IngestItem {
            doc: d,
            fingerprint: f.as_ref(),
            events: &[],
        })
        .collect();
    let r = store.ingest_batch(run, &items, &[]).unwrap();
    store.finish_run(run, "done").unwrap();
    r.outcomes
}

fn round_trip_keeps_segments_dates_and_meta(db: &TestDb) {
    let mut s = db.open();
    let mut d = doc("a", "Shelling hit the market.\nCopyright 2020 Example");
    d.meta.outlet = Some("Example Wire".into());
    d.meta
        .extra
        .insert("section".into(), serde_json::json!("world"));
    d.outlet = d.meta.outlet.clone();
    d.published.date = chrono::NaiveDate::from_ymd_opt(2017, 11, 9);
    d.published.precision = DatePrecision::Day;
    d.published.origin = DateOrigin::Dateline;
    d.published.ambiguous = true;
    let o = ingest(&mut s, &[(d.clone(), None)]);
    assert_eq!(o[0].kind, OutcomeKind::New);

    let got = s.document("a").unwrap().unwrap();
    assert_eq!(got.document.segments, d.segments);
    assert_eq!(got.document.text, d.text);
    assert_eq!(got.document.clean_text(), "Shelling hit the market.");
    assert_eq!(got.document.meta, d.meta);
    assert_eq!(got.summary.outlet.as_deref(), Some("Example Wire"));
    assert_eq!(got.summary.published, d.published);
    assert_eq!(got.summary.words, 4);
    assert_eq!(got.versions.len(), 1);
    assert!(s.document("missing").unwrap().is_none());
    assert_eq!(s.integrity_check().unwrap(), vec!["ok".to_string()]);
}

fn same_content_is_unchanged_and_changed_content_is_a_new_version(db: &TestDb) {
    let mut s = db.open();
    let a1 = doc("a", "First text.");
    assert_eq!(
        ingest(&mut s, &[(a1.clone(), None)])[0].kind,
        OutcomeKind::New
    );
    assert_eq!(
        ingest(&mut s, &[(a1.clone(), None)])[0].kind,
        OutcomeKind::Unchanged
    );
    let a2 = doc("a", "Second text, corrected.");
    assert_eq!(
        ingest(&mut s, &[(a2, None)])[0].kind,
        OutcomeKind::NewVersion { version: 2 }
    );
    // Metadata is part of the content.
    let mut a3 = doc("a", "Second text, corrected.");
    a3.meta.url = Some("https://example.org/a".into());
    assert_eq!(
        ingest(&mut s, &[(a3, None)])[0].kind,
        OutcomeKind::NewVersion { version: 3 }
    );
    // Going back to a content seen before makes that version current again.
    assert_eq!(
        ingest(&mut s, &[(a1, None)])[0].kind,
        OutcomeKind::NewVersion { version: 1 }
    );
    assert_eq!(s.count().unwrap(), 1);
    let got = s.document("a").unwrap().unwrap();
    assert_eq!(got.versions.len(), 3);
    assert_eq!(got.summary.version, 1);
    assert_eq!(got.document.source, "First text.");
}

fn near_duplicates_point_to_the_earliest_document(db: &TestDb) {
    let mut s = db.open();
    let out = ingest(
        &mut s,
        &[
            (doc("orig", "Original report."), Some(fp(1, 14))),
            (doc("other", "Unrelated report."), Some(fp(2, 0))),
            (doc("copy", "Syndicated copy."), Some(fp(3, 14))),
        ],
    );
    assert_eq!(out[0].duplicate_of, None);
    assert_eq!(out[1].duplicate_of, None);
    assert_eq!(out[2].duplicate_of.as_deref(), Some("orig"));
    // A later copy of the copy still points to the canonical.
    let out = ingest(&mut s, &[(doc("copy2", "Another copy."), Some(fp(4, 14)))]);
    assert_eq!(out[0].duplicate_of.as_deref(), Some("orig"));
    let all = s.list(&DocFilter::default()).unwrap();
    assert_eq!(all.len(), 4);
    let canon = s
        .list(&DocFilter {
            canonical_only: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(canon.len(), 2);
}

fn dissimilar_documents_sharing_a_band_are_not_duplicates(db: &TestDb) {
    let mut s = db.open();
    // Two shared slots: one band in common, similarity 2/16.
    let out = ingest(
        &mut s,
        &[
            (doc("x", "One."), Some(fp(1, 2))),
            (doc("y", "Two."), Some(fp(2, 2))),
        ],
    );
    assert_eq!(out[1].duplicate_of, None);
}

fn errors_and_totals_are_recorded_with_the_batch(db: &TestDb) {
    let mut s = db.open();
    let run = s.begin_run("test").unwrap();
    let d = doc("a", "Text.");
    let r = s
        .ingest_batch(
            run,
            &[IngestItem {
                doc: &d,
                fingerprint: None,
                events: &[],
            }],
            &[("bad.txt".into(), "empty file".into())],
        )
        .unwrap();
    assert_eq!(r.totals.new, 1);
    assert_eq!(r.totals.errors, 1);
    assert_eq!(s.run_totals(run).unwrap(), r.totals);
}

fn reopening_keeps_data_and_schema(db: &TestDb) {
    {
        let mut s = db.open();
        ingest(&mut s, &[(doc("a", "Text."), None)]);
    }
    let s = Store::open(db.location()).unwrap();
    assert_eq!(s.count().unwrap(), 1);
    assert_eq!(
        s.schema_version().unwrap(),
        sitrep_store::migrate::MIGRATIONS.len() as i64
    );
    assert_eq!(s.keys_like("A", 5).unwrap(), vec!["a".to_string()]);
}

fn event(id: &str, sub: &str, place: u32) -> sitrep_core::event::Event {
    serde_json::from_value(serde_json::json!({
        "id": id, "primary": true, "event_type": "Battles", "sub_event_type": sub,
        "date": {"start": "2017-11-09", "end": "2017-11-09", "precision": "day", "text": "Thursday"},
        "location": {"name": "Abu Kamal", "geonames_id": place, "lat": 34.45, "lon": 40.92,
                     "country_code": "SY", "admin1": "Deir ez-Zor", "admin2": null,
                     "precision": "exact", "text": "Albu Kamal"},
        "actor1": null, "actor2": null, "associated_actors": [],
        "fatalities": {"total": {"low": 31.0, "best": 31.0, "high": null, "text": "at least 31"},
                       "civilians": null, "children": null, "women": null, "by_actor": []},
        "injured": null, "displaced": null, "means": null, "modality": "asserted",
        "attributed_to": [], "evidence": [{"start": 0, "end": 5, "byte_start": 0, "byte_end": 5}]
    }))
    .unwrap()
}

fn events_belong_to_the_version_they_were_extracted_from(db: &TestDb) {
    let mut s = db.open();
    let v1 = doc("rep", "Fighting in the town.");
    let e1 = [event("rep#e1", "Armed clash", 174448)];
    let run = s.begin_run("test").unwrap();
    let item = IngestItem {
        doc: &v1,
        fingerprint: None,
        events: &e1,
    };
    s.ingest_batch(run, &[item], &[]).unwrap();
    assert_eq!(s.events_of("rep").unwrap(), e1.to_vec());
    assert_eq!(s.event_count().unwrap(), 1);
    // The same content again stores nothing new.
    s.ingest_batch(run, &[item], &[]).unwrap();
    assert_eq!(s.event_count().unwrap(), 1);
    // A new version brings its own events; the old ones are history.
    let v2 = doc("rep", "The army retook the town.");
    let e2 = [event("rep#e1", "Government regains territory", 174448)];
    s.ingest_batch(
        run,
        &[IngestItem {
            doc: &v2,
            fingerprint: None,
            events: &e2,
        }],
        &[],
    )
    .unwrap();
    let now = s.events_of("rep").unwrap();
    assert_eq!(now.len(), 1);
    assert_eq!(
        now[0].sub_event_type.as_str(),
        "Government regains territory"
    );
    assert_eq!(s.event_count().unwrap(), 1);
    assert!(s.events_of("unknown").unwrap().is_empty());
}

fn listings_filter_by_outlet_language_and_key(db: &TestDb) {
    let mut s = db.open();
    let mut a = doc("wire-a", "Shelling hit the market.");
    a.outlet = Some("Example Wire".into());
    let mut b = doc("post-b", "Talks resumed in the capital.");
    b.outlet = Some("Sample Post".into());
    b.language = Some(Language {
        code: "ara".into(),
        confidence: 0.8,
    });
    ingest(&mut s, &[(a, None), (b, None)]);
    let by_outlet = s
        .list(&DocFilter {
            outlet: Some("example WIRE".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_outlet.len(), 1);
    assert_eq!(by_outlet[0].key, "wire-a");
    let arabic = s
        .list(&DocFilter {
            language: Some("ara".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(arabic.len(), 1);
    assert_eq!(arabic[0].key, "post-b");
    assert_eq!(s.keys_like("POST", 5).unwrap(), vec!["post-b".to_string()]);
    assert!(s.keys_like("nothing", 5).unwrap().is_empty());
    assert_eq!(s.integrity_check().unwrap(), vec!["ok".to_string()]);
}

fn fused_row(key: &str, date: Option<&str>, events: &[i64], sources: i64) -> FusedRow {
    FusedRow {
        key: key.into(),
        block: "b:34.0:40.5".into(),
        event_type: "Battles".into(),
        sub_event_type: "Armed clash".into(),
        date_start: date.map(String::from),
        date_end: date.map(String::from),
        date_precision: "day".into(),
        location_name: Some("Abu Kamal".into()),
        geonames_id: Some(174448),
        lat: Some(34.45),
        lon: Some(40.92),
        n_reports: events.len() as i64,
        n_sources: sources,
        fatalities: (Some(31.0), Some(31.0), Some(40.0)),
        confidence: 0.8,
        flags: "[]".into(),
        actors: "syrian army|sy-army".into(),
        record: format!("{{\"id\": \"{key}\"}}"),
        members: events.iter().map(|e| (*e, "member".to_string())).collect(),
        claims: events
            .iter()
            .map(|e| ClaimRow {
                event_row: *e,
                field: "fatalities".into(),
                value: "31".into(),
                text: Some("at least 31".into()),
                source: "Example Wire".into(),
                chain: "[\"Example Wire\"]".into(),
                repeat_of: None,
                evidence: "[]".into(),
            })
            .collect(),
        links: vec![LinkRow {
            a: "rep#e1".into(),
            b: "rep2#e1".into(),
            score: 0.9,
            decision: "merge".into(),
            parts: "{}".into(),
        }],
        ..Default::default()
    }
}

fn fused_events_are_stored_filtered_and_replaced(db: &TestDb) {
    let mut s = db.open();
    let run = s.begin_run("test").unwrap();
    let d1 = doc("rep", "Fighting in the town.");
    let d2 = doc("rep2", "Clashes in the town.");
    let e1 = [event("rep#e1", "Armed clash", 174448)];
    let e2 = [event("rep2#e1", "Armed clash", 174448)];
    s.ingest_batch(
        run,
        &[
            IngestItem {
                doc: &d1,
                fingerprint: None,
                events: &e1,
            },
            IngestItem {
                doc: &d2,
                fingerprint: None,
                events: &e2,
            },
        ],
        &[],
    )
    .unwrap();
    let fresh = s.unblocked_events().unwrap();
    assert_eq!(fresh.len(), 2);
    let ids: Vec<i64> = fresh.iter().map(|(id, _)| *id).collect();
    let block = "b:34.0:40.5".to_string();
    s.assign_blocks(&ids.iter().map(|i| (*i, block.clone())).collect::<Vec<_>>())
        .unwrap();
    // Assigning again replaces, it does not duplicate.
    s.assign_blocks(&[(ids[0], block.clone())]).unwrap();
    assert!(s.unblocked_events().unwrap().is_empty());
    assert_eq!(s.all_blocks().unwrap(), vec![block.clone()]);
    let inputs = s.fusion_inputs(std::slice::from_ref(&block), true).unwrap();
    assert_eq!(inputs.len(), 2);
    assert_eq!(inputs[0].doc_key, "rep");
    assert_eq!(inputs[0].evidence_text, vec!["Fight".to_string()]);

    let log = [LogRow {
        run_id: Some(run),
        at: String::new(),
        block: block.clone(),
        fused_key: Some("Fabc1".into()),
        action: "created".into(),
        detail: "from rep#e1 and rep2#e1".into(),
    }];
    let rows = [
        fused_row("Fabc1", Some("2017-11-09"), &ids, 2),
        fused_row("Fabd2", None, &ids[..1], 1),
    ];
    s.replace_fusion(std::slice::from_ref(&block), &rows, &log)
        .unwrap();
    assert_eq!(s.fused_count().unwrap(), 2);
    assert!(s.has_fused_events().unwrap());
    // Undated first, then by date and key, as on every backend.
    let all = s.fused_events(&FusedFilter::default()).unwrap();
    assert_eq!(all.len(), 2);
    assert!(all[0].contains("Fabd2"), "{all:?}");
    let f = |f: FusedFilter| s.fused_events(&f).unwrap().len();
    assert_eq!(
        f(FusedFilter {
            from: Some("2017-11-01".into()),
            to: Some("2017-11-30".into()),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        f(FusedFilter {
            geonames_ids: Some(vec![174448, 1]),
            bbox: Some((34.0, 40.0, 35.0, 41.0)),
            ..Default::default()
        }),
        2
    );
    assert_eq!(
        f(FusedFilter {
            bbox: Some((0.0, 0.0, 1.0, 1.0)),
            ..Default::default()
        }),
        0
    );
    assert_eq!(
        f(FusedFilter {
            event_type: Some("armed CLASH".into()),
            actor: Some("Syrian".into()),
            min_sources: Some(2),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        f(FusedFilter {
            limit: Some(1),
            ..Default::default()
        }),
        1
    );
    // Keys and unique prefixes, in any case; an ambiguous prefix is none.
    assert!(s.fused_event("Fabc1").unwrap().is_some());
    assert!(s.fused_event("fABC").unwrap().unwrap().contains("Fabc1"));
    assert!(s.fused_event("Fab").unwrap().is_none());
    assert_eq!(
        s.fused_key_of_event("rep2#e1").unwrap().as_deref(),
        Some("Fabc1")
    );
    assert_eq!(s.fusion_log_of("rep2#e1").unwrap().len(), 1);
    assert_eq!(
        s.fused_members_of_blocks(std::slice::from_ref(&block))
            .unwrap()
            .len(),
        2
    );
    let places = s.place_names().unwrap();
    assert_eq!(places.len(), 1);
    assert_eq!(places[0].written, vec!["Albu Kamal".to_string()]);

    // Replacing the block replaces its rows.
    s.replace_fusion(std::slice::from_ref(&block), &rows[..1], &[])
        .unwrap();
    assert_eq!(s.fused_count().unwrap(), 1);
    // A new version of a report makes its block stale.
    let d1b = doc("rep", "Fighting went on in the town.");
    s.ingest_batch(
        run,
        &[IngestItem {
            doc: &d1b,
            fingerprint: None,
            events: &e1,
        }],
        &[],
    )
    .unwrap();
    assert_eq!(s.take_stale_blocks().unwrap(), vec![block.clone()]);
    s.clear_fusion().unwrap();
    assert_eq!(s.fused_count().unwrap(), 0);
    assert!(!s.has_fused_events().unwrap());
    assert_eq!(
        s.fusion_log_of("Fabc1").unwrap().len(),
        1,
        "the log is kept"
    );
    assert_eq!(s.integrity_check().unwrap(), vec!["ok".to_string()]);
}

fn document_event_views_filter_and_carry_evidence(db: &TestDb) {
    let mut s = db.open();
    let run = s.begin_run("test").unwrap();
    let d = doc("rep", "Fighting in the town.");
    let mut other = event("rep#e2", "Air/drone strike", 1);
    other.date.start = Some("2018-01-02".into());
    other.date.end = Some("2018-01-02".into());
    let events = [event("rep#e1", "Armed clash", 174448), other];
    s.ingest_batch(
        run,
        &[IngestItem {
            doc: &d,
            fingerprint: None,
            events: &events,
        }],
        &[],
    )
    .unwrap();
    let q = |q: EventQuery| {
        s.event_views(EventSource::Auto, &q)
            .unwrap()
            .events
            .into_iter()
            .map(|e| e.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(q(EventQuery::default()), vec!["rep#e1", "rep#e2"]);
    assert_eq!(
        q(EventQuery {
            from: Some("2018-01-01".into()),
            ..Default::default()
        }),
        vec!["rep#e2"]
    );
    assert_eq!(
        q(EventQuery {
            event_type: Some("armed clash".into()),
            bbox: Some((34.0, 40.0, 35.0, 41.0)),
            ..Default::default()
        }),
        vec!["rep#e1"]
    );
    assert_eq!(
        q(EventQuery {
            offset: 1,
            limit: Some(5),
            ..Default::default()
        }),
        vec!["rep#e2"]
    );
    let one = s.event_view("rep#e1").unwrap().unwrap();
    assert_eq!(one.evidence[0].text, "Fight");
    assert!(s.event_view("rep#e9").unwrap().is_none());
    assert!(s.event_view("").unwrap().is_none());
}

fn a_nul_character_never_fails_the_batch(db: &TestDb) {
    let mut s = db.open();
    let run = s.begin_run("test").unwrap();
    let bad = doc("nul", "Shelling hit the town\0 on Monday.");
    let good = doc("fine", "Talks resumed.");
    let r = s
        .ingest_batch(
            run,
            &[
                IngestItem {
                    doc: &bad,
                    fingerprint: None,
                    events: &[],
                },
                IngestItem {
                    doc: &good,
                    fingerprint: None,
                    events: &[],
                },
            ],
            &[],
        )
        .unwrap();
    assert!(s.document("fine").unwrap().is_some());
    match db.backend() {
        // SQLite text holds any character.
        Backend::Sqlite => {
            assert_eq!(r.totals.new, 2);
            assert!(r.refused.is_empty());
            assert_eq!(
                s.document("nul").unwrap().unwrap().document.source,
                bad.source
            );
        }
        // PostgreSQL cannot: the document is refused with a reason, the
        // rest of the batch is stored and the run counts the error.
        Backend::Postgres => {
            assert_eq!(r.totals.new, 1);
            assert_eq!(r.totals.errors, 1);
            assert_eq!(r.refused.len(), 1);
            assert_eq!(r.refused[0].0, "nul.txt");
            assert!(r.refused[0].1.contains("NUL"), "{}", r.refused[0].1);
            assert!(s.document("nul").unwrap().is_none());
            assert_eq!(s.run_totals(run).unwrap().errors, 1);
        }
    }
}

fn concurrent_opens_of_a_new_database_migrate_once(db: &TestDb) {
    let opened: Vec<i64> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..4)
            .map(|_| sc.spawn(|| db.open().schema_version().unwrap()))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let latest = sitrep_store::migrate::MIGRATIONS.len() as i64;
    assert_eq!(opened, vec![latest; 4]);
    let mut s = db.open();
    ingest(&mut s, &[(doc("a", "Text."), None)]);
    assert_eq!(s.count().unwrap(), 1);
}

/// The page `event_views` gives equals the reference: every matching
/// event (unsorted, unpaged), sorted by date (none first) then id, cut at
/// offset and limit.
fn assert_page_is_a_sorted_slice(s: &Store, source: sitrep_store::EventSource, q: &EventQuery) {
    let all = match source {
        sitrep_store::EventSource::Fused => s.fused_views(q).unwrap(),
        _ => s.document_views(q).unwrap(),
    };
    let mut keys: Vec<(Option<String>, String)> = all
        .iter()
        .map(|e| (e.date.start.clone(), e.id.clone()))
        .collect();
    keys.sort();
    let want: Vec<String> = keys
        .iter()
        .skip(q.offset)
        .take(q.limit.unwrap_or(usize::MAX))
        .map(|k| k.1.clone())
        .collect();
    let page = s.event_views(source, q).unwrap();
    let got: Vec<String> = page.events.iter().map(|e| e.id.clone()).collect();
    assert_eq!(got, want, "{q:?}");
    assert_eq!(page.total, keys.len(), "{q:?}");
}

/// Queries the list indexes answer (no place, actor or source-count
/// filter) page exactly like a full scan: undated events first, ties by
/// key, only current versions of canonical documents, only asserted or
/// claimed events.
fn indexed_pages_equal_a_sorted_scan(db: &TestDb) {
    let mut s = db.open();
    let subs = ["Armed clash", "Air/drone strike", "Peaceful protest"];
    let mods = ["asserted", "claimed", "denied", "asserted"];
    let mut items = Vec::new();
    for i in 0..30u32 {
        let d = doc(
            &format!("d{i:02}"),
            &format!("Report number {i} of the day."),
        );
        let evs: Vec<sitrep_core::event::Event> = (0..(i % 3 + 1))
            .map(|k| {
                let mut e = event(
                    &format!("d{i:02}#e{}", k + 1),
                    subs[((i + k) % 3) as usize],
                    100 + i,
                );
                let day = (i * 7 + k) % 5;
                let date = (day > 0).then(|| format!("2020-0{day}-1{}", i % 3));
                e.date.start = date.clone();
                e.date.end = date;
                if let Some(l) = e.location.as_mut() {
                    l.lat = Some(f64::from(i % 6) * 2.0);
                    l.lon = Some(f64::from(i % 4) * 3.0);
                }
                e.modality =
                    serde_json::from_value(serde_json::json!(mods[((i + k) % 4) as usize]))
                        .unwrap();
                e
            })
            .collect();
        // d05 and d06 are near-duplicates of d04 (same fingerprint).
        let f = (4..=6).contains(&i).then(|| fp(7, 16));
        items.push((d, f, evs));
    }
    let run = s.begin_run("test").unwrap();
    let batch: Vec<IngestItem> = items
        .iter()
        .map(|(d, f, e)| IngestItem {
            doc: d,
            fingerprint: f.as_ref(),
            events: e,
        })
        .collect();
    s.ingest_batch(run, &batch, &[]).unwrap();
    // A new version of d01 with other events: the old ones drop out.
    let v2 = doc("d01", "Report number 1, corrected.");
    let mut e2 = event("d01#e1", "Armed clash", 999);
    e2.date.start = Some("2019-12-31".into());
    ingest_with_events(&mut s, run, &[(&v2, std::slice::from_ref(&e2))]);
    let q = |f: &dyn Fn(&mut EventQuery)| {
        let mut q = EventQuery::default();
        f(&mut q);
        q
    };
    let queries = [
        q(&|_| {}),
        q(&|q| q.limit = Some(7)),
        q(&|q| {
            q.limit = Some(5);
            q.offset = 3
        }),
        q(&|q| q.offset = 1000),
        q(&|q| q.event_type = Some("battles".into())),
        q(&|q| {
            q.event_type = Some("Air/drone strike".into());
            q.limit = Some(2);
            q.offset = 1
        }),
        q(&|q| q.from = Some("2020-03-01".into())),
        q(&|q| {
            q.from = Some("2020-02-01".into());
            q.to = Some("2020-03-31".into())
        }),
        q(&|q| q.bbox = Some((1.0, 2.0, 7.0, 9.5))),
        q(&|q| {
            q.bbox = Some((0.0, 0.0, 4.0, 4.0));
            q.to = Some("2020-02-28".into());
            q.limit = Some(3)
        }),
    ];
    let total = s
        .event_views(sitrep_store::EventSource::Documents, &EventQuery::default())
        .unwrap();
    assert!(total.total > 20, "{}", total.total);
    assert!(total.events[0].date.start.is_none(), "undated first");
    assert!(!total
        .events
        .iter()
        .any(|e| e.id.starts_with("d05") || e.id.starts_with("d06")));
    for q in &queries {
        assert_page_is_a_sorted_slice(&s, sitrep_store::EventSource::Documents, q);
    }
}

/// Store documents with their events in one batch of `run`.
fn ingest_with_events(s: &mut Store, run: i64, docs: &[(&Document, &[sitrep_core::event::Event])]) {
    let items: Vec<IngestItem> = docs
        .iter()
        .map(|(d, e)| IngestItem {
            doc: d,
            fingerprint: None,
            events: e,
        })
        .collect();
    s.ingest_batch(run, &items, &[]).unwrap();
}

/// Locations, actors and attributions for the name-filter test: mixed
/// case, non-ASCII letters, empty strings, repeated and blank sources.
fn named_event(i: u32, k: u32, nul: bool) -> sitrep_core::event::Event {
    let places = [
        serde_json::json!({"name": "Abu Kamal", "geonames_id": 174448, "lat": 34.45, "lon": 40.92,
            "country_code": "SY", "admin1": "Deir ez-Zor", "admin2": null, "precision": "exact",
            "text": "Albu Kamal"}),
        serde_json::json!({"name": "Ḥalab", "geonames_id": 170063, "lat": 36.2, "lon": 37.15,
            "country_code": "SY", "admin1": "Ḩalab", "admin2": null, "precision": "exact",
            "text": "ALEPPO"}),
        serde_json::json!({"name": "Idlib", "geonames_id": 169389, "lat": 35.93, "lon": 36.63,
            "country_code": "SY", "admin1": null, "admin2": null, "precision": "exact",
            "text": "Idlib city"}),
        serde_json::json!({"name": "Northern Farms", "geonames_id": null, "lat": null,
            "lon": null, "country_code": null, "admin1": null, "admin2": null,
            "precision": "region", "text": ""}),
        serde_json::json!({"name": "", "geonames_id": 7, "lat": 1.0, "lon": 2.0,
            "country_code": null, "admin1": "", "admin2": null, "precision": "near",
            "text": "the 7th district"}),
        serde_json::Value::Null,
    ];
    let actor = |id: Option<&str>, name: &str, text: &str| serde_json::json!({"id": id, "name": name, "kind": null, "country": null, "text": text});
    let actors = [
        (
            actor(Some("SY-ARMY"), "Syrian Army", "government troops"),
            serde_json::Value::Null,
            vec![],
        ),
        (
            serde_json::Value::Null,
            actor(None, "Free Syrian Army", "the rebels"),
            vec![actor(Some("IS"), "ÉTAT Islamique", "IS fighters")],
        ),
        (
            actor(None, "", if nul { "a\0b" } else { "ab" }),
            serde_json::Value::Null,
            vec![],
        ),
        (serde_json::Value::Null, serde_json::Value::Null, vec![]),
    ];
    let said = |names: &[&str]| -> Vec<serde_json::Value> {
        names
            .iter()
            .map(|n| serde_json::json!({"name": n, "text": format!("{n} said")}))
            .collect()
    };
    let sources = [
        said(&[]),
        said(&["Observatory", " Observatory "]),
        said(&["Observatory", "Civil Defence", "  "]),
        said(&["Reuters", "reuters", "Civil Defence"]),
        said(&["  "]),
    ];
    let (a1, a2, assoc) = &actors[((i + 2 * k) % 4) as usize];
    let modality = ["asserted", "claimed", "denied"][((i + k) % 3) as usize];
    let day = (i * 5 + k) % 7;
    let date = (day > 0).then(|| format!("2021-0{day}-0{}", 1 + i % 9));
    let sub = ["Armed clash", "Shelling/artillery/missile attack"][(i % 2) as usize];
    serde_json::from_value(serde_json::json!({
        "id": format!("n{i:02}#e{}", k + 1), "primary": k == 0, "event_type": "Battles",
        "sub_event_type": sub,
        "date": {"start": date, "end": date, "precision": "day", "text": "x"},
        "location": places[((i + k) % 6) as usize].clone(),
        "actor1": a1, "actor2": a2, "associated_actors": assoc,
        "fatalities": {"total": null, "civilians": null, "children": null, "women": null,
                       "by_actor": []},
        "injured": null, "displaced": null, "means": null, "modality": modality,
        "attributed_to": sources[((i * 3 + k) % 5) as usize],
        "evidence": [{"start": 0, "end": 5, "byte_start": 0, "byte_end": 5}]
    }))
    .unwrap()
}

/// The place, actor and source-count filters, answered from the names
/// kept at write time (migration 5), give exactly the page and total of
/// the reference scan (every event decoded and filtered in Rust), on
/// per-document and on fused events; so does the place list; and
/// `reindex_names` (the migration's backfill) rebuilds the same.
fn name_filters_equal_a_full_scan(db: &TestDb) {
    let mut s = db.open();
    // PostgreSQL cannot store a NUL character.
    let nul = db.backend() == Backend::Sqlite;
    let run = s.begin_run("test").unwrap();
    let docs: Vec<Document> = (0..24u32)
        .map(|i| doc(&format!("n{i:02}"), &format!("Named report {i}.")))
        .collect();
    let events: Vec<Vec<sitrep_core::event::Event>> = (0..24u32)
        .map(|i| (0..(i % 3 + 1)).map(|k| named_event(i, k, nul)).collect())
        .collect();
    let batch: Vec<(&Document, &[sitrep_core::event::Event])> = docs
        .iter()
        .zip(&events)
        .map(|(d, e)| (d, e.as_slice()))
        .collect();
    ingest_with_events(&mut s, run, &batch);
    // A new version of n03 names another place: the old one drops out.
    let v2 = doc("n03", "Named report 3, corrected.");
    let mut e2 = named_event(3, 0, nul);
    e2.location.as_mut().unwrap().name = "Corrected Town".into();
    ingest_with_events(&mut s, run, &[(&v2, std::slice::from_ref(&e2))]);
    // Fused events: one per current event, with the event's location and
    // actors and sources named as fusion names them.
    let current = s.unblocked_events().unwrap();
    let rows: Vec<FusedRow> = current
        .iter()
        .enumerate()
        .map(|(n, (row, e))| {
            let mut sources: Vec<String> = e.attributed_to.iter().map(|a| a.name.clone()).collect();
            sources
                .push(["outlet:Gazette", "Gazette", "outlet:", "outlet:Observatory"][n % 4].into());
            let record = serde_json::json!({
                "id": format!("F{n:03}"), "event_type": "Battles",
                "sub_event_type": e.sub_event_type.as_str(),
                "date": {"start": e.date.start, "end": e.date.end, "precision": "day"},
                "location": e.location, "actor1": e.actor1, "actor2": e.actor2,
                "sources": sources, "members": [], "claims": [], "flags": [],
            });
            let mut f = fused_row(&format!("F{n:03}"), e.date.start.as_deref(), &[*row], 1);
            f.block = format!("b{}", n % 3);
            f.geonames_id = e
                .location
                .as_ref()
                .and_then(|l| l.geonames_id)
                .map(i64::from);
            f.record = record.to_string();
            f
        })
        .collect();
    let blocks: Vec<String> = (0..3).map(|b| format!("b{b}")).collect();
    s.replace_fusion(&blocks, &rows, &[]).unwrap();

    let q = |f: &dyn Fn(&mut EventQuery)| {
        let mut q = EventQuery::default();
        f(&mut q);
        q
    };
    let mut queries = Vec::new();
    for place in [
        "aleppo", "ALEPPO", "ḥalab", "Ḩ", "deir", " idlib ", "174448", "0174448", "7", "17444", "",
        "zzz", "%", "_", "a\0b",
    ] {
        queries.push(q(&|q| q.place = Some(place.into())));
    }
    for actor in [
        "army",
        "SY-ARMY",
        "is",
        "",
        "état",
        "ÉTAT islamique",
        "rebels",
        "ab",
        "a\0b",
        "zzz",
    ] {
        queries.push(q(&|q| q.actor = Some(actor.into())));
    }
    for n in 0..5 {
        queries.push(q(&|q| q.min_sources = Some(n)));
    }
    queries.extend([
        q(&|q| {
            q.place = Some("a".into());
            q.actor = Some("army".into());
            q.limit = Some(3);
            q.offset = 1
        }),
        q(&|q| {
            q.place = Some("kamal".into());
            q.min_sources = Some(2);
            q.from = Some("2021-03-01".into())
        }),
        q(&|q| {
            q.actor = Some("a".into());
            q.event_type = Some("armed clash".into());
            q.bbox = Some((30.0, 30.0, 40.0, 45.0));
            q.limit = Some(4)
        }),
        q(&|q| {
            q.place = Some("i".into());
            q.offset = 2;
            q.limit = Some(100)
        }),
    ]);
    let check = |s: &Store, what: &str| {
        let mut hits = 0;
        for source in [EventSource::Documents, EventSource::Fused] {
            for q in &queries {
                let got = s.event_views(source, q).unwrap();
                let want = s.scan_event_views(source, q).unwrap();
                let ids = |p: &sitrep_store::EventPage| {
                    p.events.iter().map(|e| e.id.clone()).collect::<Vec<_>>()
                };
                assert_eq!(ids(&got), ids(&want), "{what} {source:?} {q:?}");
                assert_eq!(got.total, want.total, "{what} {source:?} {q:?}");
                hits += usize::from(got.total > 0);
            }
        }
        // The queries are not all empty or all full.
        assert!(hits > 30, "{what}: {hits} queries found events");
        assert_eq!(
            s.place_names().unwrap(),
            s.scan_place_names().unwrap(),
            "{what}"
        );
    };
    check(&s, "as written");
    let places = s.place_names().unwrap();
    assert!(places.iter().any(|p| p.name == "Corrected Town"));
    assert!(places.iter().any(|p| p.name.is_empty()));
    let halab = places.iter().find(|p| p.name == "Ḥalab").unwrap();
    assert_eq!(halab.written, vec!["ALEPPO".to_string()]);
    s.reindex_names().unwrap();
    check(&s, "rebuilt");
    assert_eq!(s.integrity_check().unwrap(), vec!["ok".to_string()]);
}

test_both_backends!(
    round_trip_keeps_segments_dates_and_meta,
    same_content_is_unchanged_and_changed_content_is_a_new_version,
    near_duplicates_point_to_the_earliest_document,
    dissimilar_documents_sharing_a_band_are_not_duplicates,
    errors_and_totals_are_recorded_with_the_batch,
    reopening_keeps_data_and_schema,
    events_belong_to_the_version_they_were_extracted_from,
    listings_filter_by_outlet_language_and_key,
    fused_events_are_stored_filtered_and_replaced,
    document_event_views_filter_and_carry_evidence,
    a_nul_character_never_fails_the_batch,
    concurrent_opens_of_a_new_database_migrate_once,
    indexed_pages_equal_a_sorted_scan,
    name_filters_equal_a_full_scan,
);

/// A server that cannot be reached is named, without its password, with
/// the reason (no server needed for this test).
#[test]
fn an_unreachable_postgresql_server_is_a_clear_error() {
    let url = "postgres://ana:s3cret@127.0.0.1:1/sitrep?connect_timeout=5";
    let err = match Store::open(std::path::Path::new(url)) {
        Ok(_) => panic!("port 1 answered"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("postgres://ana:***@127.0.0.1:1/sitrep"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
    assert!(err.contains("error connecting to server: "), "{err}");
}

/// Regression (CI, stop 11): four threads opening one new SQLite file
/// failed with "migration 2 (events) failed: table events already exists".
/// Each had read the schema version before taking the writer lock, so the
/// second to get the lock ran a migration the first had just applied. The
/// race is narrow, so this opens many new databases with more threads.
#[test]
fn concurrent_sqlite_opens_never_apply_a_migration_twice() {
    let latest = sitrep_store::migrate::MIGRATIONS.len() as i64;
    for _ in 0..25 {
        let db = sitrep_store::testing::TestDb::sqlite();
        let versions: Vec<i64> = std::thread::scope(|sc| {
            let hs: Vec<_> = (0..8)
                .map(|_| sc.spawn(|| db.open().schema_version().unwrap()))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(versions, vec![latest; 8]);
    }
}
