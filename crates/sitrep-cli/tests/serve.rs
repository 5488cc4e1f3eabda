//! `sitrep serve` end to end, with the real hooks: SQL injection strings
//! posted as report fields through `POST /api/ingest` (read → clean →
//! extract → store → fuse) and sent in every filter and path parameter are
//! stored and matched as literal text, and the database stays intact. The
//! server-level hardening tests are in crates/sitrep-server/tests.

mod common;
#[path = "../../sitrep-server/tests/common/mod.rs"]
mod http;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

const TOKEN: &str = "serve-test-token-42";

const INJECTIONS: &[&str] = &[
    "x'; DROP TABLE documents; --",
    "' OR 1=1 --",
    "\") OR (\"1\"=\"1",
    "1; DELETE FROM events",
    "') UNION SELECT record FROM fused_events --",
    "%_\\",
    "Ālep' OR ''='",
];

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &Path) -> Server {
    let mut child = Command::new(common::bin())
        .arg("--db")
        .arg(db)
        .args(["serve", "--addr", "127.0.0.1:0", "--ingest-token", TOKEN])
        .args(["--ingest-rate", "0", "--ingest-global-rate", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sitrep serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // "sitrep serving DB at http://ADDR/ (…); Ctrl-C stops"
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Server { child, addr }
}

#[test]
fn injection_strings_through_the_real_pipeline_are_literal_text() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("t.db");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/reports");
    common::ingest(&db, &[&examples]);
    common::ok(&db, &["fuse"]);
    let before = common::docs(&db).len();
    let srv = serve(&db);
    let a = srv.addr;

    // Injection strings in every field of posted reports.
    let mut body = String::new();
    for (i, inj) in INJECTIONS.iter().enumerate() {
        let rec = json!({
            "id": format!("{inj}-{i}"),
            "outlet": format!("Outlet {inj}"),
            "url": format!("https://news.example/{}", http::enc(inj)),
            "title": format!("Title {inj}"),
            "published": "2021-05-0".to_string() + &(i % 9 + 1).to_string(),
            "text": format!(
                "Shelling hit the market of Qasr Nadim on Monday, killing {} people, \
                 residents said. A spokesman quoted the slogan {inj} in a statement.",
                i + 2
            ),
        });
        body.push_str(&rec.to_string());
        body.push('\n');
    }
    let auth = format!("Bearer {TOKEN}");
    let r = http::request(
        a,
        "POST",
        "/api/ingest",
        &[("Authorization", &auth)],
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let summary = r.json();
    assert_eq!(summary["new"], INJECTIONS.len(), "{summary}");

    // Every filter, event ids and place names.
    let health: Value = http::get(a, "/api/health").json();
    for p in sitrep_server::http::EVENT_PARAMS {
        for inj in INJECTIONS {
            let r = http::get(a, &format!("/api/events?{p}={}", http::enc(inj)));
            assert!(
                r.status == 200 || r.status == 400,
                "{p}={inj}: {}",
                r.status
            );
            if r.status == 200 {
                assert_eq!(r.json()["total"], 0, "{p}={inj}");
            }
        }
    }
    for inj in INJECTIONS {
        let r = http::get(a, &format!("/api/events/{}", http::enc(inj)));
        assert_eq!(r.status, 404, "{inj}");
        let r = http::get(a, &format!("/api/places/{}/control", http::enc(inj)));
        assert_eq!(r.status, 404, "{inj}");
    }
    assert_eq!(http::get(a, "/api/health").json(), health);
    drop(srv);

    // Stored literally, nothing else touched.
    let docs = common::docs(&db);
    assert_eq!(docs.len(), before + INJECTIONS.len());
    for (i, inj) in INJECTIONS.iter().enumerate() {
        let d = common::doc(&docs, &format!("{inj}-{i}"));
        assert_eq!(d["outlet"], format!("Outlet {inj}"), "{d}");
    }
    let s = sitrep_store::Store::open(&db).unwrap();
    assert_eq!(s.integrity_check().unwrap(), ["ok"]);
}
