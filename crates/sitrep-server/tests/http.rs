//! The HTTP API through real HTTP on 127.0.0.1 (an ephemeral port), over a
//! store of invented documents and events: filters, pagination, one event
//! with its evidence, errors (400, 401, 403, 404, 501), the OpenAPI
//! document and the page.

mod common;

use std::sync::Arc;

use common::*;
use serde_json::json;
use sitrep_server::{BriefingQuery, HookError, Hooks, RenderedBriefing};
use sitrep_store::Store;

#[test]
fn filters_and_pagination() {
    let (_dir, srv) = start(Hooks::default(), None);
    let a = srv.addr;
    let all = get(a, "/api/events");
    assert_eq!(all.status, 200);
    let all = all.json();
    assert_eq!(all["total"], 3);
    assert_eq!(all["source"], "documents");
    assert_eq!(ids(&all), ["t1#e1", "t2#e1", "t3#e1"], "sorted by date");

    let by = |q: &str| ids(&get(a, &format!("/api/events?{q}")).json());
    assert_eq!(by("type=Battles"), ["t1#e1"]);
    assert_eq!(by("type=air%2Fdrone%20strike"), ["t2#e1"]);
    assert_eq!(by("bbox=19,9,23,13"), ["t1#e1", "t2#e1"]);
    assert_eq!(by("bbox=25,-10,35,0"), ["t3#e1"]);
    assert_eq!(by("from=2020-02-01&to=2020-02-28"), ["t2#e1"]);
    assert_eq!(by("actor=crimson"), ["t1#e1"]);
    assert_eq!(by("place=betatown"), ["t2#e1"]);
    assert_eq!(by("place=9003"), ["t3#e1"]);
    assert_eq!(by("min_sources=2"), ["t1#e1"]);
    assert!(by("from=2021-01-01").is_empty());

    // Pages of one, walked by next_offset, give every event once.
    let mut seen = Vec::new();
    let mut offset = Some(0u64);
    while let Some(o) = offset {
        let p = get(a, &format!("/api/events?limit=1&offset={o}")).json();
        assert_eq!(p["total"], 3);
        assert_eq!(p["limit"], 1);
        seen.extend(ids(&p));
        offset = p["next_offset"].as_u64();
    }
    assert_eq!(seen, ["t1#e1", "t2#e1", "t3#e1"]);
    let past = get(a, "/api/events?offset=10").json();
    assert!(ids(&past).is_empty() && past["next_offset"].is_null());

    let gj = get(a, "/api/events.geojson?type=Protests");
    assert_eq!(gj.status, 200);
    let gj = gj.json();
    assert_eq!(gj["type"], "FeatureCollection");
    assert_eq!(
        gj["features"][0]["geometry"]["coordinates"],
        json!([30.0, -5.0])
    );
}

#[test]
fn one_event_with_evidence_and_404() {
    let (_dir, srv) = start(Hooks::default(), None);
    let a = srv.addr;
    let r = get(a, "/api/events/t1%23e1");
    assert_eq!(r.status, 200);
    let e = r.json();
    assert_eq!(e["sub_event_type"], "Armed clash");
    assert_eq!(e["n_sources"], 2);
    let claims = e["claims"].as_array().expect("claims");
    assert_eq!(claims.len(), 2);
    assert_eq!(claims[0]["source"], "Monitor One");
    assert_eq!(claims[0]["chain"], json!(["Test Wire", "Monitor One"]));
    let sentence = claims[0]["evidence"][0]["text"].as_str().expect("text");
    assert!(sentence.starts_with("Testland army units fought"));
    assert_eq!(e["evidence"][0]["text"], sentence);

    for path in [
        "/api/events/nothing",
        "/api/events/t9%23e1",
        "/api/nowhere",
        "/assets/nothing.js",
    ] {
        let r = get(a, path);
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.json()["error"]["status"], 404);
        assert!(r.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
}

#[test]
fn bad_parameters_are_400_with_a_message() {
    let (_dir, srv) = start(Hooks::default(), None);
    for q in [
        "bbox=1,2,3",
        "bbox=a,b,c,d",
        "bbox=30,0,20,10",
        "from=2020-13-01",
        "to=yesterday",
        "from=2020-03-01&to=2020-01-01",
        "limit=0",
        "limit=100000",
        "offset=-1",
        "min_sources=many",
        "source=everything",
        "colour=red",
    ] {
        let r = get(srv.addr, &format!("/api/events?{q}"));
        assert_eq!(r.status, 400, "{q}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        let m = r.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(!m.is_empty() && !m.contains("panicked"), "{q}: {m}");
    }
}

#[test]
fn ingest_needs_the_token() {
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = calls.clone();
    let hooks = Hooks {
        ingest: Some(Arc::new(move |_s: &mut Store, body: &[u8]| {
            c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(json!({"bytes": body.len()}))
        })),
        ..Hooks::default()
    };
    let (_dir, srv) = start(hooks, Some("s3cret-token"));
    let a = srv.addr;
    let body = br#"{"id": "x1", "text": "Invented report."}"#;
    let post = |h: &[(&str, &str)], b: &[u8]| request(a, "POST", "/api/ingest", h, b);
    let r = post(&[], body);
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    assert_eq!(
        post(&[("Authorization", "Bearer wrong-token")], body).status,
        401
    );
    assert_eq!(
        post(&[("Authorization", "Bearer s3cret-toke")], body).status,
        401
    );
    assert_eq!(post(&[("Authorization", "s3cret-token")], body).status, 401);
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 0);
    let ok = [("Authorization", "Bearer s3cret-token")];
    assert_eq!(post(&ok, b"not json\n").status, 400);
    assert_eq!(post(&ok, b"[1, 2]\n").status, 400);
    assert_eq!(post(&ok, b"\n\n").status, 400);
    let big = vec![b' '; 128 * 1024];
    assert_eq!(post(&ok, &big).status, 413);
    let r = post(&ok, body);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["bytes"], body.len());
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    // GET on the ingest endpoint is not allowed.
    assert_eq!(get(a, "/api/ingest").status, 405);
}

#[test]
fn read_only_without_token_and_501_without_hooks() {
    let (_dir, srv) = start(Hooks::default(), None);
    let a = srv.addr;
    let r = request(
        a,
        "POST",
        "/api/ingest",
        &[("Authorization", "Bearer anything")],
        b"{}",
    );
    assert_eq!(r.status, 403);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("read-only"));
    assert_eq!(get(a, "/api/places/9001/control").status, 501);
    assert_eq!(get(a, "/api/briefing?place=Alphaville").status, 501);
    let places = get(a, "/api/places").json();
    assert_eq!(places["places"].as_array().map(Vec::len), Some(3));
}

#[test]
fn control_hook_answers_and_404s() {
    let hooks = Hooks {
        control: Some(Arc::new(|_s: &Store, place: &str| {
            Ok(if place == "9001" {
                Some(json!({"periods": [], "changes": []}))
            } else if place == "boom" {
                return Err(HookError::internal("secret detail"));
            } else {
                None
            })
        })),
        ..Hooks::default()
    };
    let (_dir, srv) = start(hooks, None);
    assert_eq!(get(srv.addr, "/api/places/9001/control").status, 200);
    assert_eq!(get(srv.addr, "/api/places/Nowhere/control").status, 404);
    let r = get(srv.addr, "/api/places/boom/control");
    assert_eq!(r.status, 500);
    assert!(!String::from_utf8_lossy(&r.body).contains("secret detail"));
}

#[test]
fn briefing_formats_parameters_and_errors() {
    let hooks = Hooks {
        briefing: Some(Arc::new(|_s: &Store, q: &BriefingQuery| {
            if q.place == "Nowhere" {
                return Err(HookError::not_found("no place or region named 'Nowhere'"));
            }
            let title = format!("{} {:?}..{:?} max {}", q.place, q.from, q.to, q.max_events);
            Ok(RenderedBriefing {
                json: json!({"title": title}),
                markdown: format!("# {title}\n"),
                html: format!("<h1>{title}</h1>"),
            })
        })),
        ..Hooks::default()
    };
    let (_dir, srv) = start(hooks, None);
    let a = srv.addr;
    let r = get(
        a,
        "/api/briefing?place=Alphaville&from=2020-01-01&to=2020-01-31&max_events=5",
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["title"],
        "Alphaville Some(\"2020-01-01\")..Some(\"2020-01-31\") max 5"
    );
    let md = get(a, "/api/briefing?place=Alphaville&format=md");
    assert_eq!(md.status, 200);
    assert!(md
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/markdown")));
    assert!(String::from_utf8_lossy(&md.body).starts_with("# Alphaville None..None max 12"));
    let html = get(a, "/api/briefing?place=Alphaville&format=html");
    assert!(html
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/html")));
    assert!(html
        .header("content-security-policy")
        .is_some_and(|c| c.contains("default-src 'none'")));
    assert_eq!(get(a, "/api/briefing?place=Nowhere").status, 404);
    assert!(
        get(a, "/api/briefing?place=Nowhere").json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'Nowhere'")
    );
    for (q, says) in [
        ("", "place="),
        ("?place=", "place="),
        ("?place=A&from=2020-02-30", "from"),
        ("?place=A&from=2020-02-01&to=2020-01-01", "after"),
        ("?place=A&format=pdf", "format"),
        ("?place=A&max_events=0", "max_events"),
        ("?place=A&colour=red", "colour"),
    ] {
        let r = get(a, &format!("/api/briefing{q}"));
        assert_eq!(r.status, 400, "{q}");
        let m = r.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(m.contains(says), "{q}: {m}");
    }
}

#[test]
fn openapi_page_and_assets() {
    let (_dir, srv) = start(Hooks::default(), None);
    let a = srv.addr;
    let doc = get(a, "/openapi.json");
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for p in [
        "/api/events",
        "/api/events/{id}",
        "/api/events.geojson",
        "/api/places",
        "/api/places/{place}/control",
        "/api/briefing",
        "/api/ingest",
        "/api/health",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} documented");
    }
    let page = get(a, "/");
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/html")));
    assert!(page.header("content-security-policy").is_some());
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(
        page.header("access-control-allow-origin").is_none(),
        "CORS off by default"
    );
    for f in sitrep_server::assets::names() {
        let r = get(a, &format!("/assets/{f}"));
        assert_eq!(r.status, 200, "{f}");
        assert!(!r.body.is_empty(), "{f}");
    }
    let health = get(a, "/api/health").json();
    assert_eq!(health["events"], 3);
    assert_eq!(health["read_only"], true);
}
