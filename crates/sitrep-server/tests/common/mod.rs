//! Helpers of the HTTP tests: a minimal HTTP/1.1 client and a store of
//! three invented reports with one event each.

#![allow(dead_code)] // each test binary uses its own part

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::Value;
use sitrep_core::event::{
    AttributedTo, Event, EventActor, EventDate, EventLocation, EventModality, Evidence, Fatalities,
    Range, SubEventType,
};
use sitrep_core::{Document, DocumentMeta};
use sitrep_server::{Config, Hooks, Running};
use sitrep_store::{IngestItem, Store};

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A minimal HTTP/1.1 client: one request per connection.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("write");
    s.write_all(body).expect("write body");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(
                String::from_utf8_lossy(&rest[..eol])
                    .split(';')
                    .next()
                    .unwrap_or("0")
                    .trim(),
                16,
            )
            .expect("chunk size");
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[eol + 2 + size + 2..];
        }
        body = out;
    }
    Reply {
        status,
        headers,
        body,
    }
}

pub fn get(addr: SocketAddr, path: &str) -> Reply {
    request(addr, "GET", path, &[], b"")
}

pub fn actor(id: &str, name: &str, kind: &str) -> EventActor {
    EventActor {
        id: Some(id.into()),
        name: name.into(),
        kind: Some(kind.into()),
        country: None,
        text: name.into(),
    }
}

pub struct Spec {
    doc: &'static str,
    text: &'static str,
    sub: SubEventType,
    date: &'static str,
    place: (&'static str, u32, f64, f64),
    a1: EventActor,
    a2: Option<EventActor>,
    dead: Option<f64>,
    sources: &'static [&'static str],
}

pub fn event_of(s: &Spec) -> Event {
    let n = s.text.chars().count();
    Event {
        id: format!("{}#e1", s.doc),
        primary: true,
        event_type: s.sub.event_type(),
        sub_event_type: s.sub,
        date: EventDate {
            start: Some(s.date.into()),
            end: Some(s.date.into()),
            precision: "day".into(),
            text: None,
        },
        location: Some(EventLocation {
            name: s.place.0.into(),
            geonames_id: Some(s.place.1),
            lat: Some(s.place.2),
            lon: Some(s.place.3),
            country_code: Some("ZZ".into()),
            admin1: Some("Northern Test Province".into()),
            admin2: None,
            precision: "exact".into(),
            text: s.place.0.into(),
        }),
        actor1: Some(s.a1.clone()),
        actor2: s.a2.clone(),
        associated_actors: Vec::new(),
        fatalities: Fatalities {
            total: s.dead.map(|d| Range {
                low: Some(d),
                best: Some(d),
                high: Some(d),
                text: format!("{d}"),
            }),
            ..Fatalities::default()
        },
        injured: None,
        displaced: None,
        means: None,
        modality: EventModality::Asserted,
        attributed_to: s
            .sources
            .iter()
            .map(|n| AttributedTo {
                name: (*n).into(),
                text: (*n).into(),
                via: None,
            })
            .collect(),
        evidence: vec![Evidence {
            start: 0,
            end: n,
            byte_start: 0,
            byte_end: s.text.len(),
        }],
    }
}

/// Three invented reports, one event each.
pub fn fixture_db(dir: &std::path::Path) -> std::path::PathBuf {
    let specs = [
        Spec {
            doc: "t1",
            text: "Testland army units fought the Crimson Front near Alphaville on Sunday, leaving five dead.",
            sub: SubEventType::ArmedClash,
            date: "2020-01-05",
            place: ("Alphaville", 9001, 10.0, 20.0),
            a1: actor("army", "Army of Testland", "state-forces"),
            a2: Some(actor("crimson", "Crimson Front", "rebel-group")),
            dead: Some(5.0),
            sources: &["Monitor One", "Monitor Two"],
        },
        Spec {
            doc: "t2",
            text: "Drones hit a market in Betatown, the monitor said.",
            sub: SubEventType::AirDroneStrike,
            date: "2020-02-10",
            place: ("Betatown", 9002, 12.0, 22.0),
            a1: actor("allied", "Allied Air Wing", "external-forces"),
            a2: Some(actor("civ", "Civilians", "civilians")),
            dead: None,
            sources: &["Monitor One"],
        },
        Spec {
            doc: "t3",
            text: "Teachers marched peacefully through Gammaport.",
            sub: SubEventType::PeacefulProtest,
            date: "2020-03-01",
            place: ("Gammaport", 9003, -5.0, 30.0),
            a1: actor("teachers", "Teachers", "protesters"),
            a2: None,
            dead: None,
            sources: &[],
        },
    ];
    let db = dir.join("t.db");
    let mut store = Store::open(&db).expect("open");
    let run = store.begin_run("test").expect("run");
    let docs: Vec<Document> = specs
        .iter()
        .map(|s| {
            Document::from_text(
                s.doc.into(),
                format!("{}.txt", s.doc),
                s.text.into(),
                DocumentMeta {
                    outlet: Some("Test Wire".into()),
                    ..DocumentMeta::default()
                },
            )
        })
        .collect();
    let events: Vec<Vec<Event>> = specs.iter().map(|s| vec![event_of(s)]).collect();
    let items: Vec<IngestItem> = docs
        .iter()
        .zip(&events)
        .map(|(d, e)| IngestItem {
            doc: d,
            fingerprint: None,
            events: e,
        })
        .collect();
    store.ingest_batch(run, &items, &[]).expect("ingest");
    store.finish_run(run, "done").expect("finish");
    db
}

pub fn start(hooks: Hooks, token: Option<&str>) -> (tempfile::TempDir, Running) {
    start_with(hooks, |cfg| cfg.ingest_token = token.map(String::from))
}

/// Serve the fixture store with a 64 KiB body limit and whatever `tune`
/// changes in the configuration.
pub fn start_with(hooks: Hooks, tune: impl FnOnce(&mut Config)) -> (tempfile::TempDir, Running) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = fixture_db(dir.path());
    let mut cfg = Config::new(db);
    cfg.body_limit = 64 * 1024;
    tune(&mut cfg);
    let running = sitrep_server::http::spawn(cfg, hooks, "127.0.0.1:0").expect("server starts");
    (dir, running)
}

pub fn ids(v: &Value) -> Vec<String> {
    v["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_string())
        .collect()
}

/// Percent-encode everything but ASCII letters, digits and `-_.~`.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
