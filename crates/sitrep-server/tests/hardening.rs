//! API hardening through real HTTP on 127.0.0.1: body limit (413), request
//! and header timeouts, the connection cap, SQL injection strings in every
//! parameter of every endpoint, panics and internal errors without
//! details, CORS off by default, rate limiting of ingest (429), parameter
//! caps and security headers. See docs/api.md, "Limits and security".

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};
use sitrep_server::limits::Rate;
use sitrep_server::{Config, HookError, Hooks};
use sitrep_store::Store;

const TOKEN: &str = "test-token-0123";

/// Strings that would change an SQL statement built by pasting.
const INJECTIONS: &[&str] = &[
    "'",
    "\"",
    "' OR 1=1 --",
    "' OR '1'='1",
    "1 OR 1=1",
    "'; DROP TABLE events; --",
    "1; DROP TABLE fused_events",
    "Alphaville'); DELETE FROM documents; --",
    "') UNION SELECT record FROM events --",
    "%",
    "_",
    "\\",
    "NULL",
    "*/ OR /*",
    "\u{0}",
    "Ālphaville ' OR ''='",
    "城市' --",
    "\u{202e}' OR 1=1 --",
    "🧨'🧨",
];

fn is_json_error(r: &Reply, status: u16) -> Value {
    assert_eq!(r.status, status, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    assert_eq!(v["error"]["status"], status);
    assert!(v["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    v
}

/// Nothing in a response body that betrays the implementation.
fn no_internals(r: &Reply, secret: &str) {
    let body = String::from_utf8_lossy(&r.body).to_lowercase();
    for bad in [
        "panicked",
        ".rs:",
        "/src/",
        "rusqlite",
        "sqlite",
        "backtrace",
        "/tmp",
        "thread '",
        secret,
    ] {
        assert!(!body.contains(bad), "{bad:?} in {body}");
    }
}

/// A raw HTTP/1.1 exchange: send `raw`, read until the server closes or 5 s.
fn raw(addr: SocketAddr, raw: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(raw).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

fn ingest_hook() -> Hooks {
    Hooks {
        ingest: Some(Arc::new(|_s: &mut Store, body: &[u8]| {
            Ok(json!({"bytes": body.len()}))
        })),
        ..Hooks::default()
    }
}

#[test]
fn the_body_limit_is_a_413_json_error() {
    let (_dir, srv) = start(ingest_hook(), Some(TOKEN));
    let auth = format!("Bearer {TOKEN}");
    let big = vec![b' '; 65 * 1024];
    let r = request(
        srv.addr,
        "POST",
        "/api/ingest",
        &[("Authorization", &auth)],
        &big,
    );
    let v = is_json_error(&r, 413);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("65536-byte limit"));
    // Without Content-Length (chunked), the limit holds while reading.
    let mut body = Vec::new();
    for _ in 0..70 {
        body.extend_from_slice(format!("{:x}\r\n", 1024).as_bytes());
        body.extend(std::iter::repeat_n(b'x', 1024));
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let mut req = format!(
        "POST /api/ingest HTTP/1.1\r\nHost: t\r\nAuthorization: {auth}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    req.extend(body);
    let out = String::from_utf8_lossy(&raw(srv.addr, &req)).to_string();
    assert!(out.starts_with("HTTP/1.1 413"), "{out}");
    assert!(out.contains("application/json"), "{out}");
    // Under the limit goes through.
    let ok = request(
        srv.addr,
        "POST",
        "/api/ingest",
        &[("Authorization", &auth)],
        br#"{"id": "a", "text": "An invented report."}"#,
    );
    assert_eq!(ok.status, 200);
}

#[test]
fn a_slow_request_is_a_408_json_error() {
    let hooks = Hooks {
        control: Some(Arc::new(|_s: &Store, place: &str| {
            if place == "slow" {
                std::thread::sleep(Duration::from_secs(3));
            }
            Ok(Some(json!({"place": place})))
        })),
        ..Hooks::default()
    };
    let (_dir, srv) = start_with(hooks, |c| c.timeout = Duration::from_secs(1));
    let t = Instant::now();
    let r = get(srv.addr, "/api/places/slow/control");
    let v = is_json_error(&r, 408);
    assert!(
        t.elapsed() < Duration::from_millis(2900),
        "{:?}",
        t.elapsed()
    );
    assert!(v["error"]["message"].as_str().unwrap().contains("1-second"));
    assert_eq!(get(srv.addr, "/api/places/quick/control").status, 200);
}

#[test]
fn slow_headers_and_idle_connections_are_cut() {
    let (_dir, srv) = start_with(Hooks::default(), |c| {
        c.header_timeout = Duration::from_secs(1)
    });
    // Headers that never end: the server hangs up after the header timeout.
    let t = Instant::now();
    let mut s = TcpStream::connect(srv.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(8))).unwrap();
    s.write_all(b"GET /api/health HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        .unwrap();
    for _ in 0..3 {
        std::thread::sleep(Duration::from_millis(300));
        let _ = s.write_all(b"a");
    }
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let waited = t.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(7),
        "{waited:?}"
    );
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"));
    // A connection that sends nothing is closed too.
    let t = Instant::now();
    let mut idle = TcpStream::connect(srv.addr).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(8))).unwrap();
    let n = idle.read(&mut [0u8; 64]).unwrap_or(0);
    assert_eq!(n, 0);
    assert!(t.elapsed() < Duration::from_secs(7), "{:?}", t.elapsed());
    assert_eq!(get(srv.addr, "/api/health").status, 200);
}

#[test]
fn connections_over_the_cap_wait_their_turn() {
    let (_dir, srv) = start_with(Hooks::default(), |c| {
        c.max_connections = 2;
        c.header_timeout = Duration::from_secs(2);
    });
    // Two idle connections take both slots.
    let a = TcpStream::connect(srv.addr).unwrap();
    let b = TcpStream::connect(srv.addr).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    let r = get(srv.addr, "/api/health");
    assert_eq!(r.status, 200);
    // Served only once the header timeout freed a slot.
    assert!(
        t.elapsed() >= Duration::from_millis(1200),
        "{:?}",
        t.elapsed()
    );
    drop((a, b));
}

#[test]
fn injection_strings_in_every_parameter_change_nothing() {
    let hooks = Hooks {
        // Like the real control hook: look the place up among the stored
        // place names.
        control: Some(Arc::new(|s: &Store, place: &str| {
            let names = s
                .place_names()
                .map_err(|e| HookError::internal(e.to_string()))?;
            Ok(names
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(place))
                .map(|p| json!({"place": p.name})))
        })),
        ..Hooks::default()
    };
    let (dir, srv) = start(hooks, None);
    let a = srv.addr;
    let long_ok = "x' OR 1=1 -- ".repeat(70); // 910 bytes: accepted
    let long_bad = "x' OR 1=1 -- ".repeat(400); // 5,200 bytes: refused
    let mut values: Vec<String> = INJECTIONS.iter().map(|s| s.to_string()).collect();
    values.push(long_ok.clone());
    let text_params = ["type", "actor", "place"];
    // Every parameter the event endpoints take (the server's own list).
    let params = sitrep_server::http::EVENT_PARAMS;
    let mut checked = 0;
    for endpoint in ["/api/events", "/api/events.geojson"] {
        for p in params {
            for v in &values {
                let path = format!("{endpoint}?{p}={}", enc(v));
                let r = get(a, &path);
                assert!(r.status == 200 || r.status == 400, "{path}: {}", r.status);
                assert!(r.header("content-type").is_some_and(|c| c.contains("json")));
                no_internals(&r, "syntax error");
                if text_params.contains(p) {
                    // Read as a literal: it names no event.
                    assert_eq!(r.status, 200, "{path}");
                    let body = r.json();
                    let n = body["events"]
                        .as_array()
                        .or(body["features"].as_array())
                        .map(Vec::len);
                    assert_eq!(n, Some(0), "{path}: {body}");
                } else {
                    assert_eq!(r.status, 400, "{path}");
                }
                checked += 1;
            }
            let r = get(a, &format!("{endpoint}?{p}={}", enc(&long_bad)));
            is_json_error(&r, 400);
            // The same strings as parameter names.
            let r = get(a, &format!("{endpoint}?{}=1", enc(INJECTIONS[2])));
            is_json_error(&r, 400);
        }
    }
    for v in &values {
        let r = get(a, &format!("/api/events/{}", enc(v)));
        assert!(r.status == 404 || r.status == 400, "{v:?}: {}", r.status);
        no_internals(&r, "syntax error");
        let r = get(a, &format!("/api/places/{}/control", enc(v)));
        assert!(r.status == 404 || r.status == 400, "{v:?}: {}", r.status);
        checked += 2;
    }
    assert!(checked > 400, "{checked}");
    // The store is intact and still answers filters as before.
    let all = get(a, "/api/events").json();
    assert_eq!(all["total"], 3);
    assert_eq!(ids(&all), ["t1#e1", "t2#e1", "t3#e1"]);
    let by_type = get(a, "/api/events?type=Battles").json();
    assert_eq!(ids(&by_type), ["t1#e1"]);
    let health = get(a, "/api/health").json();
    assert_eq!(health["documents"], 3);
    assert_eq!(health["events"], 3);
    assert_eq!(get(a, "/api/places/Alphaville/control").status, 200);
    drop(srv);
    let s = Store::open(&dir.path().join("t.db")).unwrap();
    assert_eq!(s.integrity_check().unwrap(), ["ok"]);
    assert_eq!(s.count().unwrap(), 3);
}

#[test]
fn panics_and_internal_errors_are_500_without_details() {
    let hooks = Hooks {
        control: Some(Arc::new(|_s: &Store, place: &str| {
            if place == "boom" {
                panic!("secret detail at /home/dev/sitrep/src/secret.rs:12");
            }
            Ok(None)
        })),
        ..Hooks::default()
    };
    let (dir, srv) = start(hooks, None);
    let r = get(srv.addr, "/api/places/boom/control");
    is_json_error(&r, 500);
    no_internals(&r, "secret");
    // The server goes on.
    assert_eq!(get(srv.addr, "/api/health").status, 200);
    // A database that turned to junk: 500, and the path is not shown.
    drop(srv);
    let db = dir.path().join("t.db");
    let _ = std::fs::remove_file(dir.path().join("t.db-wal"));
    let _ = std::fs::remove_file(dir.path().join("t.db-shm"));
    std::fs::write(&db, vec![0x5a; 8192]).unwrap();
    let running =
        sitrep_server::http::spawn(Config::new(db.clone()), Hooks::default(), "127.0.0.1:0")
            .unwrap();
    let r = get(running.addr, "/api/events");
    is_json_error(&r, 500);
    no_internals(&r, &dir.path().display().to_string().to_lowercase());

    // A panic in an async handler is caught by the panic layer.
    let cfg = Config::new(db);
    let app = axum::Router::new().route(
        "/boom",
        axum::routing::get(|| async {
            if std::hint::black_box(true) {
                panic!("secret async detail in src/handler.rs");
            }
            "never"
        }),
    );
    let app = sitrep_server::http::harden(app, &cfg).unwrap();
    let srv = sitrep_server::http::spawn_app(
        app,
        sitrep_server::http::ConnLimits::of(&cfg),
        "127.0.0.1:0",
    )
    .unwrap();
    let r = get(srv.addr, "/boom");
    is_json_error(&r, 500);
    no_internals(&r, "secret");
    let r = get(srv.addr, "/nowhere");
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), Some("application/json"));
}

#[test]
fn every_error_is_json_without_internals() {
    let (_dir, srv) = start(ingest_hook(), Some(TOKEN));
    let a = srv.addr;
    for (method, path, status) in [
        ("GET", "/api/events/%FF%FE", 400),
        ("GET", "/api/nothing", 404),
        ("DELETE", "/api/events", 405),
        ("PUT", "/api/ingest", 405),
        ("GET", "/api/ingest", 405),
        ("GET", "/api/events?limit=%ZZ", 400),
        ("GET", "/api/events?limit=5001", 400),
        ("GET", "/api/events?limit=1&limit=2&offset=x", 400),
        ("POST", "/api/events", 405),
    ] {
        let r = request(a, method, path, &[], b"");
        is_json_error(&r, status);
        no_internals(&r, "axum");
        if status == 405 {
            assert!(r.header("allow").is_some(), "{method} {path}");
        }
    }
}

#[test]
fn cors_is_off_unless_an_origin_is_given() {
    let (_dir, srv) = start(Hooks::default(), None);
    let evil = [("Origin", "https://evil.example")];
    for path in ["/", "/api/events", "/api/events/t1%23e1", "/openapi.json"] {
        let r = request(srv.addr, "GET", path, &evil, b"");
        assert_eq!(r.status, 200, "{path}");
        assert!(r.header("access-control-allow-origin").is_none(), "{path}");
        assert!(r.header("access-control-allow-credentials").is_none());
    }
    let pre = request(
        srv.addr,
        "OPTIONS",
        "/api/ingest",
        &[
            ("Origin", "https://evil.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    );
    assert!(pre.header("access-control-allow-origin").is_none());
    assert!(pre.header("access-control-allow-methods").is_none());

    let (_dir2, srv) = start_with(Hooks::default(), |c| {
        c.cors_origin = Some("https://dash.example".into())
    });
    let ok = request(
        srv.addr,
        "GET",
        "/api/events",
        &[("Origin", "https://dash.example")],
        b"",
    );
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://dash.example")
    );
    let r = request(srv.addr, "GET", "/api/events", &evil, b"");
    assert!(r.header("access-control-allow-origin").is_none());
}

#[test]
fn ingest_is_rate_limited_per_client_and_globally() {
    let auth = format!("Bearer {TOKEN}");
    let body = br#"{"id": "a", "text": "An invented report."}"#;
    let (_dir, srv) = start_with(ingest_hook(), |c| {
        c.ingest_token = Some(TOKEN.into());
        c.ingest_rate = Rate {
            per_minute: 2,
            burst: 3,
        };
        c.ingest_global_rate = Rate::UNLIMITED;
    });
    let post = |h: &[(&str, &str)]| request(srv.addr, "POST", "/api/ingest", h, body);
    // Wrong tokens use the client's tokens too (guessing is rate-limited).
    assert_eq!(
        post(&[("Authorization", "Bearer wrong-token-00")]).status,
        401
    );
    assert_eq!(post(&[("Authorization", &auth)]).status, 200);
    assert_eq!(post(&[("Authorization", &auth)]).status, 200);
    let r = post(&[("Authorization", &auth)]);
    let v = is_json_error(&r, 429);
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    assert!(v["error"]["message"].as_str().unwrap().contains("retry"));
    // Reads are not limited.
    for _ in 0..20 {
        assert_eq!(get(srv.addr, "/api/health").status, 200);
    }

    let (_dir2, srv) = start_with(ingest_hook(), |c| {
        c.ingest_token = Some(TOKEN.into());
        c.ingest_rate = Rate::UNLIMITED;
        c.ingest_global_rate = Rate {
            per_minute: 1,
            burst: 2,
        };
    });
    let post = || {
        request(
            srv.addr,
            "POST",
            "/api/ingest",
            &[("Authorization", &auth)],
            body,
        )
    };
    assert_eq!(post().status, 200);
    assert_eq!(post().status, 200);
    let r = post();
    assert_eq!(r.status, 429);
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((30..=60).contains(&retry), "{retry}");
}

#[test]
fn parameters_are_bounded() {
    let (_dir, srv) = start(Hooks::default(), None);
    let many: Vec<String> = (0..33).map(|i| format!("type=t{i}")).collect();
    let r = get(srv.addr, &format!("/api/events?{}", many.join("&")));
    is_json_error(&r, 400);
    let r = get(srv.addr, &format!("/api/events?place={}", "a".repeat(1025)));
    is_json_error(&r, 400);
    let r = get(srv.addr, &format!("/api/events?place={}", "a".repeat(1024)));
    assert_eq!(r.status, 200);
    let r = get(srv.addr, &format!("/api/events/{}", "F".repeat(201)));
    is_json_error(&r, 400);
    let r = get(srv.addr, &format!("/api/events?bbox={}", "1,".repeat(400)));
    is_json_error(&r, 400);
    for bad in [
        "nan,0,1,1",
        "inf,0,1,1",
        "0,0,1e308,1",
        "-181,0,0,1",
        "0,-91,1,0",
    ] {
        let r = get(srv.addr, &format!("/api/events?bbox={bad}"));
        is_json_error(&r, 400);
    }
    let r = get(srv.addr, "/api/events?limit=5000");
    assert_eq!(r.status, 200);
}

#[test]
fn security_headers_on_every_response() {
    let (_dir, srv) = start(Hooks::default(), None);
    for path in [
        "/",
        "/api/events",
        "/api/nothing",
        "/openapi.json",
        "/assets/app.js",
    ] {
        let r = get(srv.addr, path);
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{path}");
        let csp = r.header("content-security-policy").unwrap_or("");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        if path == "/" {
            assert!(csp.contains("default-src 'self'"), "{csp}");
        } else if path.starts_with("/api") {
            assert!(csp.contains("default-src 'none'"), "{csp}");
        }
    }
}
